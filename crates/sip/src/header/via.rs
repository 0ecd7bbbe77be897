//! Via (RFC 3261 §20.42, RFC 3581 rport).

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use super::{HeaderName, TypedHeader};
use crate::error::SyntaxError;
use crate::params::Params;
use crate::scan::Scanner;
use crate::uri::{Host, parse_port};

/// One hop of a Via header: `SIP/2.0/UDP host:port;branch=…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Via<'a> {
    /// Protocol name, `SIP` in practice.
    pub protocol: Cow<'a, str>,
    /// Protocol version, `2.0` in practice.
    pub version: Cow<'a, str>,
    /// Transport as written (`UDP`, `TCP`, `TLS`, `SCTP`, `WS`, `WSS` or another token).
    pub transport: Cow<'a, str>,
    /// sent-by host.
    pub host: Host<'a>,
    /// sent-by port, if written.
    pub port: Option<u16>,
    /// via-params (`branch`, `received`, `rport`, `maddr`, `ttl`, others).
    pub params: Params<'a>,
}

impl<'a> Via<'a> {
    /// A `SIP/2.0/<transport>` hop with a branch parameter.
    pub fn new(transport: &str, host: Host<'a>, port: Option<u16>, branch: &str) -> Self {
        let mut params = Params::new();
        params.push("branch", Some(branch));
        Self {
            protocol: Cow::Borrowed("SIP"),
            version: Cow::Borrowed("2.0"),
            transport: Cow::Owned(transport.to_owned()),
            host,
            port,
            params,
        }
    }

    /// The branch parameter.
    pub fn branch(&self) -> Option<&str> {
        self.params.get("branch").flatten()
    }

    /// The received parameter as an address, if present and valid.
    pub fn received(&self) -> Option<IpAddr> {
        let v = self.params.get("received").flatten()?;
        v.trim_start_matches('[').trim_end_matches(']').parse().ok()
    }

    /// The rport parameter: `None` if absent, `Some(None)` if present without a
    /// value (a request for it), `Some(Some(port))` once filled in.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params
            .get("rport")
            .map(|v| v.and_then(|p| p.parse().ok()))
    }

    /// The maddr parameter.
    pub fn maddr(&self) -> Option<&str> {
        self.params.get("maddr").flatten()
    }

    /// The ttl parameter.
    pub fn ttl(&self) -> Option<u8> {
        u8::try_from(super::parse_decimal_u32(self.params.get("ttl")??)?).ok()
    }

    /// Whether the branch carries RFC 3261's magic cookie `z9hG4bK` (§8.1.1.7)
    /// followed by something unique; a branch of the bare cookie counts as
    /// missing (RFC 4475 §3.2.1).
    pub fn has_rfc3261_branch(&self) -> bool {
        self.branch()
            .is_some_and(|b| b.len() > 7 && b.starts_with("z9hG4bK"))
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Via<'static> {
        Via {
            protocol: Cow::Owned(self.protocol.into_owned()),
            version: Cow::Owned(self.version.into_owned()),
            transport: Cow::Owned(self.transport.into_owned()),
            host: self.host.into_owned(),
            port: self.port,
            params: self.params.into_owned(),
        }
    }
}

impl<'a> TypedHeader<'a> for Via<'a> {
    const NAME: HeaderName = HeaderName::Via;
    const LIST: bool = true;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        let protocol = s.token("expected protocol name")?;
        if !s.eat_separator(b'/') {
            return Err(s.error("expected '/' after protocol name"));
        }
        let version = s.token("expected protocol version")?;
        if !s.eat_separator(b'/') {
            return Err(s.error("expected '/' after protocol version"));
        }
        let transport = s.token("expected transport")?;
        if !s.skip_lws() {
            return Err(s.error("expected white space before sent-by"));
        }
        let host = Host::parse(&mut s)?;
        let port = if s.eat_separator(b':') {
            // RFC 3261 allows LWS around the colon (COLON = SWS ":" SWS).
            let n = s.number(u64::from(u16::MAX), "expected port number")?;
            Some(n as u16)
        } else {
            parse_port(&mut s)?
        };
        let params = Params::parse_header(&mut s)?;
        for (name, v) in params.iter() {
            let is = |n: &str| name.eq_ignore_ascii_case(n);
            let ok = if is("branch") || is("maddr") || is("received") {
                v.is_some()
            } else if is("ttl") {
                v.and_then(super::parse_decimal_u32)
                    .is_some_and(|t| t <= 255)
            } else if is("rport") {
                v.is_none_or(|v| super::parse_decimal_u32(v).is_some_and(|p| p <= 65535))
            } else {
                true
            };
            if !ok {
                return Err(SyntaxError::new("invalid Via parameter", s.pos()));
            }
        }
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text in Via"));
        }
        Ok(Self {
            protocol: Cow::Borrowed(protocol),
            version: Cow::Borrowed(version),
            transport: Cow::Borrowed(transport),
            host,
            port,
            params,
        })
    }
}

impl fmt::Display for Via<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{} {}",
            self.protocol, self.version, self.transport, self.host
        )?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        write!(f, "{}", self.params)
    }
}
