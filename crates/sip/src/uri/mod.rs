//! URIs: `sip:`/`sips:` (RFC 3261 §19.1), `tel:` (RFC 3966) and any other scheme,
//! kept opaque (RFC 3986 `absoluteURI`).
//!
//! ```
//! use sip::uri::Uri;
//!
//! let uri = Uri::parse("sip:alice@[2001:db8::10]:5070;transport=tcp").unwrap();
//! let sip = uri.as_sip().unwrap();
//! assert_eq!(sip.port, Some(5070));
//! assert_eq!(sip.transport(), Some("tcp"));
//! assert!(uri.equivalent(&Uri::parse("sip:alice@[2001:db8:0::10]:5070;TRANSPORT=TCP").unwrap()));
//! ```

mod host;
mod sip;
mod tel;

use std::borrow::Cow;
use std::fmt;

pub use self::host::Host;
pub(crate) use self::host::parse_port;
pub use self::sip::SipUri;
pub(crate) use self::sip::UriContext;
pub use self::tel::TelUri;
use crate::error::SyntaxError;
use crate::scan;

/// Any URI a SIP message may carry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Uri<'a> {
    /// `sip:` or `sips:`.
    Sip(SipUri<'a>),
    /// `tel:`.
    Tel(TelUri<'a>),
    /// Another scheme, kept as written.
    Other(AbsoluteUri<'a>),
}

/// A URI of a scheme this crate does not interpret (`http:`, `urn:`, `im:`…).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AbsoluteUri<'a> {
    /// The scheme, without the colon.
    pub scheme: Cow<'a, str>,
    /// Everything after the colon.
    pub rest: Cow<'a, str>,
}

impl<'a> Uri<'a> {
    /// Parses a whole string as a URI (as inside `<` `>`: every part allowed).
    pub fn parse(text: &'a str) -> Result<Self, SyntaxError> {
        Self::parse_in(text, UriContext::Bracketed)
    }

    /// Parses `text`, which is exactly the URI's extent, under the rules of `ctx`.
    pub(crate) fn parse_in(text: &'a str, ctx: UriContext) -> Result<Self, SyntaxError> {
        let colon = scan::find_byte(text.as_bytes(), b':')
            .ok_or(SyntaxError::new("expected URI scheme", 0))?;
        let scheme = &text[..colon];
        let valid_scheme = scheme
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !valid_scheme {
            return Err(SyntaxError::new("invalid URI scheme", 0));
        }
        let rest = &text[colon + 1..];
        let shift = |e: SyntaxError| e.shifted(colon + 1);
        if scheme.eq_ignore_ascii_case("sip") {
            SipUri::parse_after_scheme(false, rest, ctx)
                .map(Self::Sip)
                .map_err(shift)
        } else if scheme.eq_ignore_ascii_case("sips") {
            SipUri::parse_after_scheme(true, rest, ctx)
                .map(Self::Sip)
                .map_err(shift)
        } else if scheme.eq_ignore_ascii_case("tel") {
            TelUri::parse_after_scheme(rest)
                .map(Self::Tel)
                .map_err(shift)
        } else {
            if rest.is_empty() || !scan::check_escaped(rest, scan::is_uric) {
                return Err(SyntaxError::new("invalid characters in URI", colon + 1));
            }
            Ok(Self::Other(AbsoluteUri {
                scheme: Cow::Borrowed(scheme),
                rest: Cow::Borrowed(rest),
            }))
        }
    }

    /// The SIP URI, if this is one.
    pub fn as_sip(&self) -> Option<&SipUri<'a>> {
        match self {
            Self::Sip(u) => Some(u),
            _ => None,
        }
    }

    /// The SIP URI, mutably, if this is one.
    pub fn as_sip_mut(&mut self) -> Option<&mut SipUri<'a>> {
        match self {
            Self::Sip(u) => Some(u),
            _ => None,
        }
    }

    /// The scheme, in lower case for the known ones.
    pub fn scheme(&self) -> &str {
        match self {
            Self::Sip(u) if u.secure => "sips",
            Self::Sip(_) => "sip",
            Self::Tel(_) => "tel",
            Self::Other(o) => &o.scheme,
        }
    }

    /// Equivalence as the scheme's RFC defines it (RFC 3261 §19.1.4 for SIP,
    /// RFC 3966 §4 for tel); other schemes compare scheme case-insensitively and
    /// the rest exactly.
    pub fn equivalent(&self, other: &Uri<'_>) -> bool {
        match (self, other) {
            (Self::Sip(a), Uri::Sip(b)) => a.equivalent(b),
            (Self::Tel(a), Uri::Tel(b)) => a.equivalent(b),
            (Self::Other(a), Uri::Other(b)) => {
                a.scheme.eq_ignore_ascii_case(&b.scheme) && a.rest == b.rest
            }
            _ => false,
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Uri<'static> {
        match self {
            Self::Sip(u) => Uri::Sip(u.into_owned()),
            Self::Tel(u) => Uri::Tel(u.into_owned()),
            Self::Other(o) => Uri::Other(AbsoluteUri {
                scheme: Cow::Owned(o.scheme.into_owned()),
                rest: Cow::Owned(o.rest.into_owned()),
            }),
        }
    }
}

impl<'a> From<SipUri<'a>> for Uri<'a> {
    fn from(u: SipUri<'a>) -> Self {
        Self::Sip(u)
    }
}

impl fmt::Display for Uri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sip(u) => u.fmt(f),
            Self::Tel(u) => u.fmt(f),
            Self::Other(o) => write!(f, "{}:{}", o.scheme, o.rest),
        }
    }
}

#[cfg(test)]
mod tests;
