//! Addresses: `name-addr` and `addr-spec` with display names and header
//! parameters (RFC 3261 §20.10, §25.1), the value of From, To, Contact, Route,
//! Record-Route, Refer-To, Referred-By, P-Asserted-Identity and their kin.

use std::borrow::Cow;
use std::fmt;

use crate::error::SyntaxError;
use crate::params::Params;
use crate::scan::{self, Scanner};
use crate::uri::{Uri, UriContext};

/// A display name, quoted (`"Alice Smith"`) or as a run of tokens (`Alice Smith`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DisplayName<'a> {
    /// The text as written, without the surrounding quotes; quoted-pairs kept.
    raw: Cow<'a, str>,
    quoted: bool,
}

impl<'a> DisplayName<'a> {
    /// A display name that prints quoted, escaping `"` and `\` as needed.
    pub fn new(text: &str) -> DisplayName<'static> {
        let mut raw = String::with_capacity(text.len());
        for c in text.chars() {
            if c == '"' || c == '\\' {
                raw.push('\\');
            }
            raw.push(c);
        }
        DisplayName {
            raw: Cow::Owned(raw),
            quoted: true,
        }
    }

    /// The name as the user should see it: quotes and quoted-pairs removed.
    pub fn text(&self) -> Cow<'_, str> {
        if self.quoted {
            scan::unquote(&self.raw)
        } else {
            Cow::Borrowed(&self.raw)
        }
    }

    /// Whether it was written as a quoted string.
    pub fn is_quoted(&self) -> bool {
        self.quoted
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> DisplayName<'static> {
        DisplayName {
            raw: Cow::Owned(self.raw.into_owned()),
            quoted: self.quoted,
        }
    }
}

impl fmt::Display for DisplayName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.quoted {
            write!(f, "\"{}\"", self.raw)
        } else {
            f.write_str(&self.raw)
        }
    }
}

/// Which forms an address header accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressForm {
    /// `name-addr / addr-spec` (From, To, Contact, Refer-To, …).
    Any,
    /// `name-addr` only (Route, Record-Route, Path, Service-Route).
    NameAddrOnly,
}

/// A URI with an optional display name and header parameters:
/// `"Alice" <sip:alice@example.com>;tag=88sja8x`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address<'a> {
    /// The display name, if any.
    pub display_name: Option<DisplayName<'a>>,
    /// The URI.
    pub uri: Uri<'a>,
    /// Header parameters after the URI (`;tag=…`, `;expires=…`, `;q=…`).
    pub params: Params<'a>,
}

impl<'a> Address<'a> {
    /// An address of just a URI.
    pub fn new(uri: Uri<'a>) -> Self {
        Self {
            display_name: None,
            uri,
            params: Params::new(),
        }
    }

    /// Parses a whole value as an address in either form.
    pub fn parse(text: &'a str) -> Result<Self, SyntaxError> {
        Self::parse_form(text, AddressForm::Any)
    }

    pub(crate) fn parse_form(text: &'a str, form: AddressForm) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(text);
        s.skip_lws();
        let a = Self::parse_at(&mut s, form)?;
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text after address"));
        }
        Ok(a)
    }

    /// Parses an address at the scanner, leaving it after the parameters.
    pub(crate) fn parse_at(s: &mut Scanner<'a>, form: AddressForm) -> Result<Self, SyntaxError> {
        let start = s.pos();
        let display_name = if s.peek() == Some(b'"') {
            let raw = s.quoted_string()?;
            s.skip_lws();
            Some(DisplayName {
                raw: Cow::Borrowed(raw),
                quoted: true,
            })
        } else {
            // *(token LWS) before '<'; if no '<' follows, it was an addr-spec.
            let mut end = start;
            while !s.take_while(scan::is_token).is_empty() {
                end = s.pos();
                s.skip_lws();
            }
            if s.peek() == Some(b'<') && end > start {
                Some(DisplayName {
                    raw: Cow::Borrowed(s.slice(start, end)),
                    quoted: false,
                })
            } else {
                if s.peek() != Some(b'<') {
                    s.set_pos(start);
                }
                None
            }
        };
        let uri = if s.eat(b'<') {
            let open = s.pos();
            let rest = s.rest();
            let close =
                scan::find_byte(rest.as_bytes(), b'>').ok_or(s.error("expected '>' after URI"))?;
            let inner = &rest[..close];
            if inner.starts_with([' ', '\t']) || inner.ends_with([' ', '\t']) {
                return Err(s.error("white space inside '<' '>'"));
            }
            let uri = Uri::parse_in(inner, UriContext::Bracketed).map_err(|e| e.shifted(open))?;
            s.set_pos(open + close + 1);
            uri
        } else if display_name.is_some() {
            return Err(s.error("expected '<' after display name"));
        } else if form == AddressForm::NameAddrOnly {
            return Err(s.error("expected '<'"));
        } else {
            let open = s.pos();
            let text = s.take_while(|b| !matches!(b, b';' | b',' | b' ' | b'\t' | b'\r' | b'\n'));
            if text.is_empty() {
                return Err(s.error("expected URI"));
            }
            Uri::parse_in(text, UriContext::Bare).map_err(|e| e.shifted(open))?
        };
        let params = Params::parse_header(s)?;
        Ok(Self {
            display_name,
            uri,
            params,
        })
    }

    /// The `tag` parameter (From, To).
    pub fn tag(&self) -> Option<&str> {
        self.params.get("tag").flatten()
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Address<'static> {
        Address {
            display_name: self.display_name.map(DisplayName::into_owned),
            uri: self.uri.into_owned(),
            params: self.params.into_owned(),
        }
    }
}

impl fmt::Display for Address<'_> {
    /// Always prints the name-addr form, which is unambiguous whatever the URI holds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.display_name {
            write!(f, "{d} ")?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let a = Address::parse("\"A. G. Bell\" <sip:agb@bell-telephone.com> ;tag=a48s").unwrap();
        assert_eq!(a.display_name.as_ref().unwrap().text(), "A. G. Bell");
        assert_eq!(a.tag(), Some("a48s"));
        let b = Address::parse("sip:+12125551212@server.phone2net.com;tag=887s").unwrap();
        assert!(b.display_name.is_none());
        assert_eq!(b.tag(), Some("887s"));
        assert!(b.uri.as_sip().unwrap().params.is_empty());
        let c = Address::parse("Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8").unwrap();
        assert_eq!(c.display_name.unwrap().text(), "Anonymous");
        let d = Address::parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(d.display_name.unwrap().text(), "caller");
    }

    #[test]
    fn refusals() {
        // RFC 4475 §3.1.2.6, §3.1.2.13, §3.1.2.14, §3.1.2.15
        assert!(Address::parse("\"Mr. J. User <sip:j.user@example.com>").is_err());
        assert!(Address::parse("sip:user@example.com?Route=%3Csip:sip.example.com%3E").is_err());
        assert!(Address::parse("\"Watson, Thomas\" < sip:t.watson@example.org >").is_err());
        assert!(Address::parse("Bell, Alexander <sip:a.g.bell@example.com>;tag=43").is_err());
        assert!(Address::parse("\"Joe\" <sip:joe@example.org>;;;;").is_err());
        assert!(Address::parse_form("sip:a@b", AddressForm::NameAddrOnly).is_err());
    }

    #[test]
    fn prints_name_addr() {
        let a = Address::parse("sip:a@b;tag=1").unwrap();
        assert_eq!(a.to_string(), "<sip:a@b>;tag=1");
        let mut n = Address::new(Uri::parse("sip:bob@example.com").unwrap());
        n.display_name = Some(DisplayName::new("Bob \"the\" Builder"));
        assert_eq!(
            n.to_string(),
            r#""Bob \"the\" Builder" <sip:bob@example.com>"#
        );
        assert_eq!(
            Address::parse(&n.to_string())
                .unwrap()
                .display_name
                .unwrap()
                .text(),
            "Bob \"the\" Builder"
        );
    }
}
