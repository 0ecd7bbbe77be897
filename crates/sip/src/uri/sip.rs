//! `sip:` and `sips:` URIs (RFC 3261 §19.1).

use std::borrow::Cow;
use std::fmt;

use super::host::{Host, parse_port};
use crate::error::SyntaxError;
use crate::params::Params;
use crate::scan::{self, Scanner};

/// A SIP or SIPS URI.
///
/// User, password and header parts keep their %-escapes as written, so the URI
/// prints back as it arrived; [`SipUri::equivalent`] compares them decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SipUri<'a> {
    /// `sips:` rather than `sip:`.
    pub secure: bool,
    /// The user part, escapes kept.
    pub user: Option<Cow<'a, str>>,
    /// The password part, escapes kept (deprecated by RFC 3261, still parsed).
    pub password: Option<Cow<'a, str>>,
    /// The host.
    pub host: Host<'a>,
    /// The port, if written.
    pub port: Option<u16>,
    /// URI parameters (`;transport=tcp;lr`).
    pub params: Params<'a>,
    /// The header part after `?`, without the `?`, escapes kept.
    pub headers: Option<Cow<'a, str>>,
}

/// Where a SIP URI stands, which decides how far it may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UriContext {
    /// The Request-URI: no headers allowed (RFC 3261 §19.1.1, table 1).
    RequestLine,
    /// Inside `<` `>`: everything allowed.
    Bracketed,
    /// An addr-spec without brackets: parameters belong to the header, and `?`
    /// is not allowed (RFC 3261 §20).
    Bare,
}

impl<'a> SipUri<'a> {
    /// A `sip:` URI for a host, with nothing else.
    pub fn new(host: Host<'a>) -> Self {
        Self {
            secure: false,
            user: None,
            password: None,
            host,
            port: None,
            params: Params::new(),
            headers: None,
        }
    }

    /// Parses what follows `sip:` or `sips:`; `text` is exactly the URI's extent.
    pub(crate) fn parse_after_scheme(
        secure: bool,
        text: &'a str,
        ctx: UriContext,
    ) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(text);
        let (mut user, mut password) = (None, None);
        if let Some(at) = scan::find_byte(text.as_bytes(), b'@') {
            let userinfo = &text[..at];
            let (u, p) = match scan::find_byte(userinfo.as_bytes(), b':') {
                Some(c) => (&userinfo[..c], Some(&userinfo[c + 1..])),
                None => (userinfo, None),
            };
            if u.is_empty() || !scan::check_escaped(u, scan::is_user_char) {
                return Err(SyntaxError::new("invalid user part", 0));
            }
            if let Some(p) = p {
                if !scan::check_escaped(p, scan::is_password_char) {
                    return Err(SyntaxError::new("invalid password", u.len() + 1));
                }
                password = Some(Cow::Borrowed(p));
            }
            user = Some(Cow::Borrowed(u));
            s.set_pos(at + 1);
        }
        let host = Host::parse(&mut s)?;
        let port = parse_port(&mut s)?;
        let params = if ctx == UriContext::Bare {
            Params::new()
        } else {
            Params::parse_uri(&mut s)?
        };
        let mut headers = None;
        if s.peek() == Some(b'?') {
            if ctx != UriContext::Bracketed {
                return Err(s.error("URI headers not allowed here"));
            }
            s.eat(b'?');
            let start = s.pos();
            loop {
                let name = s.take_while(|b| scan::is_header_char(b) || b == b'%');
                if name.is_empty() || !scan::check_escaped(name, scan::is_header_char) {
                    return Err(s.error("invalid URI header name"));
                }
                s.expect(b'=', "expected '=' in URI header")?;
                let value = s.take_while(|b| scan::is_header_char(b) || b == b'%');
                if !scan::check_escaped(value, scan::is_header_char) {
                    return Err(s.error("invalid URI header value"));
                }
                if !s.eat(b'&') {
                    break;
                }
            }
            headers = Some(Cow::Borrowed(s.slice(start, s.pos())));
        }
        if !s.is_empty() {
            return Err(s.error("unexpected character in SIP URI"));
        }
        Ok(Self {
            secure,
            user,
            password,
            host,
            port,
            params,
            headers,
        })
    }

    /// The user part with %-escapes decoded (bytes: an escape may produce any octet).
    pub fn user_decoded(&self) -> Option<Cow<'_, [u8]>> {
        self.user.as_deref().map(scan::unescape)
    }

    /// The value of the `transport` parameter.
    pub fn transport(&self) -> Option<&str> {
        self.params.get("transport").flatten()
    }

    /// Whether the `lr` parameter is present (a loose router, RFC 3261 §19.1.1).
    pub fn is_loose_router(&self) -> bool {
        self.params.contains("lr")
    }

    /// The value of the `maddr` parameter.
    pub fn maddr(&self) -> Option<&str> {
        self.params.get("maddr").flatten()
    }

    /// The URI headers as decoded `(name, value)` pairs.
    pub fn header_pairs(&self) -> impl Iterator<Item = (Cow<'_, [u8]>, Cow<'_, [u8]>)> {
        self.headers
            .as_deref()
            .unwrap_or("")
            .split('&')
            .filter(|h| !h.is_empty())
            .map(|h| {
                let (n, v) = h.split_once('=').unwrap_or((h, ""));
                (scan::unescape(n), scan::unescape(v))
            })
    }

    /// RFC 3261 §19.1.4 comparison.
    pub fn equivalent(&self, other: &SipUri<'_>) -> bool {
        if self.secure != other.secure
            || self.user_decoded() != other.user_decoded()
            || self.password.as_deref().map(scan::unescape)
                != other.password.as_deref().map(scan::unescape)
            || !self.host.equivalent(&other.host)
            || self.port != other.port
        {
            return false;
        }
        // user, ttl, method, maddr and transport must match when either has
        // them; other parameters only when both have them. A parameter written
        // more than once compares as the list of its values, in order.
        let values = |u: &SipUri<'_>, name: &str| -> Vec<Option<Vec<u8>>> {
            u.params
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.map(|v| scan::unescape(v).to_ascii_lowercase()))
                .collect()
        };
        for key in ["user", "ttl", "method", "maddr", "transport"] {
            if values(self, key) != values(other, key) {
                return false;
            }
        }
        for (name, _) in self.params.iter() {
            if other.params.contains(name) && values(self, name) != values(other, name) {
                return false;
            }
        }
        // Headers: every header of each must be in the other.
        let mut mine: Vec<_> = self.header_pairs().collect();
        let mut theirs: Vec<_> = other.header_pairs().collect();
        mine.sort();
        theirs.sort();
        mine.len() == theirs.len()
            && mine
                .iter()
                .zip(&theirs)
                .all(|((n1, v1), (n2, v2))| n1.eq_ignore_ascii_case(n2) && v1 == v2)
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> SipUri<'static> {
        SipUri {
            secure: self.secure,
            user: self.user.map(|u| Cow::Owned(u.into_owned())),
            password: self.password.map(|p| Cow::Owned(p.into_owned())),
            host: self.host.into_owned(),
            port: self.port,
            params: self.params.into_owned(),
            headers: self.headers.map(|h| Cow::Owned(h.into_owned())),
        }
    }
}

impl fmt::Display for SipUri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "sips:" } else { "sip:" })?;
        if let Some(u) = &self.user {
            f.write_str(u)?;
            if let Some(p) = &self.password {
                write!(f, ":{p}")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}", self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        write!(f, "{}", self.params)?;
        if let Some(h) = &self.headers {
            write!(f, "?{h}")?;
        }
        Ok(())
    }
}
