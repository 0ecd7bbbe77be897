//! Hosts: domain names, IPv4 addresses and IPv6 references (RFC 3261 §25.1,
//! RFC 5118).

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::SyntaxError;
use crate::scan::{self, Scanner};

/// The host part of a URI or Via header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host<'a> {
    /// A domain name, as written (compare with [`Host::equivalent`], which ignores case).
    Name(Cow<'a, str>),
    /// A dotted-quad IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address, written in brackets (an "IPv6reference").
    Ipv6(Ipv6Addr),
}

impl<'a> Host<'a> {
    /// Parses a host at the scanner's position.
    pub(crate) fn parse(s: &mut Scanner<'a>) -> Result<Self, SyntaxError> {
        let start = s.pos();
        if s.eat(b'[') {
            let inner = s.take_while(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
            let addr: Ipv6Addr = inner
                .parse()
                .map_err(|_| SyntaxError::new("invalid IPv6 reference", start))?;
            s.expect(b']', "expected ']' after IPv6 address")?;
            return Ok(Self::Ipv6(addr));
        }
        let name = s.take_while(scan::is_hostname_char);
        let b = name.as_bytes();
        let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
            return Err(s.error("expected host"));
        };
        if first.is_ascii_digit() && b.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
            return parse_ipv4(b)
                .map(Self::Ipv4)
                .ok_or(SyntaxError::new("invalid IPv4 address", start));
        }
        // Labels are non-empty and do not start or end with '-'; a final dot
        // (a fully qualified name) is allowed.
        let bad_label = first == b'.'
            || first == b'-'
            || last == b'-'
            || memchr::memchr_iter(b'.', b).any(|dot| {
                dot > 0 && b[dot - 1] == b'-' || matches!(b.get(dot + 1), Some(b'.' | b'-'))
            });
        if bad_label {
            return Err(SyntaxError::new("invalid host name", start));
        }
        Ok(Self::Name(Cow::Borrowed(name)))
    }

    /// Parses a whole string as a host.
    pub fn parse_str(text: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(text);
        let h = Self::parse(&mut s)?;
        if !s.is_empty() {
            return Err(s.error("unexpected text after host"));
        }
        Ok(h)
    }

    /// The IP address, if the host is one.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Self::Name(_) => None,
            Self::Ipv4(a) => Some(IpAddr::V4(*a)),
            Self::Ipv6(a) => Some(IpAddr::V6(*a)),
        }
    }

    /// RFC 3261 §19.1.4 comparison: names case-insensitively, addresses by value.
    pub fn equivalent(&self, other: &Host<'_>) -> bool {
        match (self, other) {
            (Self::Name(a), Host::Name(b)) => a.eq_ignore_ascii_case(b),
            (Self::Ipv4(a), Host::Ipv4(b)) => a == b,
            (Self::Ipv6(a), Host::Ipv6(b)) => a == b,
            _ => false,
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Host<'static> {
        match self {
            Self::Name(n) => Host::Name(Cow::Owned(n.into_owned())),
            Self::Ipv4(a) => Host::Ipv4(a),
            Self::Ipv6(a) => Host::Ipv6(a),
        }
    }
}

impl From<IpAddr> for Host<'static> {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(a) => Self::Ipv4(a),
            IpAddr::V6(a) => Self::Ipv6(a),
        }
    }
}

impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(n) => f.write_str(n),
            Self::Ipv4(a) => write!(f, "{a}"),
            Self::Ipv6(a) => write!(f, "[{a}]"),
        }
    }
}

/// Parses `IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT`
/// (RFC 3261 §25.1), each part at most 255.
fn parse_ipv4(b: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let (mut index, mut value, mut digits) = (0, 0u16, 0);
    for &c in b {
        if c == b'.' {
            if digits == 0 || index == 3 {
                return None;
            }
            octets[index] = value as u8;
            (index, value, digits) = (index + 1, 0, 0);
        } else {
            if !c.is_ascii_digit() || digits == 3 {
                return None;
            }
            value = value * 10 + u16::from(c - b'0');
            if value > 255 {
                return None;
            }
            digits += 1;
        }
    }
    if index != 3 || digits == 0 {
        return None;
    }
    octets[3] = value as u8;
    Some(Ipv4Addr::from(octets))
}

/// Parses an optional `":" port` after a host.
pub(crate) fn parse_port(s: &mut Scanner<'_>) -> Result<Option<u16>, SyntaxError> {
    if !s.eat(b':') {
        return Ok(None);
    }
    let p = s.number(u64::from(u16::MAX), "expected port number")?;
    Ok(Some(p as u16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(
            Host::parse_str("192.0.2.1").unwrap(),
            Host::Ipv4(Ipv4Addr::new(192, 0, 2, 1))
        );
        assert!(matches!(
            Host::parse_str("[2001:db8::10]").unwrap(),
            Host::Ipv6(_)
        ));
        assert!(matches!(
            Host::parse_str("example.com.").unwrap(),
            Host::Name(_)
        ));
        assert!(Host::parse_str("999.0.2.1").is_err());
        assert!(Host::parse_str("[2001:db8::10").is_err());
        assert!(Host::parse_str("[2001:db8:::10]").is_err());
        assert!(Host::parse_str("a..b").is_err());
        assert!(Host::parse_str("1.2.3").is_err());
        assert!(Host::parse_str("1.2.3.4.5").is_err());
        assert!(Host::parse_str("1.2.3.256").is_err());
        assert!(Host::parse_str("1..3.4").is_err());
        assert!(Host::parse_str("1.2.3.").is_err());
        assert_eq!(
            Host::parse_str("010.0.0.255").unwrap(),
            Host::Ipv4(Ipv4Addr::new(10, 0, 0, 255))
        );
        assert!(Host::parse_str("a.-b").is_err());
        assert!(Host::parse_str("a-.b").is_err());
        assert!(Host::parse_str("-a.b").is_err());
    }

    #[test]
    fn comparison() {
        let a = Host::parse_str("Example.COM").unwrap();
        let b = Host::parse_str("example.com").unwrap();
        assert!(a.equivalent(&b));
        let c = Host::parse_str("[2001:db8:0:0:0:0:0:10]").unwrap();
        let d = Host::parse_str("[2001:db8::10]").unwrap();
        assert!(c.equivalent(&d));
    }
}
