//! Replaces (RFC 3891 §6.1): `callid *(SEMI replaces-param)`, naming the dialog
//! a new INVITE replaces.

use std::borrow::Cow;
use std::fmt;

use super::{HeaderName, TypedHeader};
use crate::error::SyntaxError;
use crate::params::Params;
use crate::scan::{self, Scanner};

/// Replaces: `425928@bobster.example.org;to-tag=7743;from-tag=6472`.
///
/// RFC 3891 §6.1 requires exactly one `to-tag` and one `from-tag`; a value
/// without them (or with two of either) does not parse.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Replaces<'a> {
    /// The Call-ID of the dialog to replace (`word [ "@" word ]`).
    pub call_id: Cow<'a, str>,
    /// replaces-params (`to-tag`, `from-tag`, `early-only`, others).
    pub params: Params<'a>,
}

impl<'a> Replaces<'a> {
    /// `call_id;to-tag=<to_tag>;from-tag=<from_tag>`, with `;early-only` when
    /// `early_only`. The receiver of the INVITE matches `to-tag` against its
    /// local tag and `from-tag` against its remote tag (RFC 3891 §3).
    pub fn new(call_id: &str, to_tag: &str, from_tag: &str, early_only: bool) -> Self {
        let mut params = Params::new();
        params.push("to-tag", Some(to_tag));
        params.push("from-tag", Some(from_tag));
        if early_only {
            params.push("early-only", None);
        }
        Self {
            call_id: Cow::Owned(call_id.to_owned()),
            params,
        }
    }

    /// The `to-tag` parameter.
    pub fn to_tag(&self) -> Option<&str> {
        self.params.get("to-tag").flatten()
    }

    /// The `from-tag` parameter.
    pub fn from_tag(&self) -> Option<&str> {
        self.params.get("from-tag").flatten()
    }

    /// Whether `early-only` is present: replace the dialog only while it is
    /// early (RFC 3891 §3).
    pub fn early_only(&self) -> bool {
        self.params.contains("early-only")
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Replaces<'static> {
        Replaces {
            call_id: Cow::Owned(self.call_id.into_owned()),
            params: self.params.into_owned(),
        }
    }
}

impl<'a> TypedHeader<'a> for Replaces<'a> {
    const NAME: HeaderName = HeaderName::Replaces;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        s.skip_lws();
        let start = s.pos();
        if s.take_while(scan::is_word).is_empty() {
            return Err(s.error("expected Call-ID"));
        }
        if s.eat(b'@') && s.take_while(scan::is_word).is_empty() {
            return Err(s.error("expected Call-ID after '@'"));
        }
        let call_id = s.slice(start, s.pos());
        let at = s.pos();
        let params = Params::parse_header(&mut s)?;
        let (mut to, mut from) = (0, 0);
        for (name, v) in params.iter() {
            let is = |n: &str| name.eq_ignore_ascii_case(n);
            let ok = if is("to-tag") {
                to += 1;
                v.is_some_and(scan::is_token_str)
            } else if is("from-tag") {
                from += 1;
                v.is_some_and(scan::is_token_str)
            } else if is("early-only") {
                v.is_none()
            } else {
                true
            };
            if !ok {
                return Err(SyntaxError::new("invalid Replaces parameter", at));
            }
        }
        if to != 1 || from != 1 {
            return Err(SyntaxError::new(
                "Replaces needs exactly one to-tag and one from-tag",
                at,
            ));
        }
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text in Replaces"));
        }
        Ok(Self {
            call_id: Cow::Borrowed(call_id),
            params,
        })
    }
}

impl fmt::Display for Replaces<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.call_id, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::assert_round_trip;

    #[test]
    fn rfc3891_examples() {
        // RFC 3891 §6.1.
        let r = Replaces::parse("98732@sip.example.com\r\n ;from-tag=r33th4x0r\r\n ;to-tag=ff87ff")
            .unwrap();
        assert_eq!(r.call_id, "98732@sip.example.com");
        assert_eq!(r.from_tag(), Some("r33th4x0r"));
        assert_eq!(r.to_tag(), Some("ff87ff"));
        assert!(!r.early_only());
        assert_round_trip(&r);
        let r = Replaces::parse("12adf2f34456gs5;to-tag=12345;from-tag=54321;early-only").unwrap();
        assert_eq!(r.call_id, "12adf2f34456gs5");
        assert!(r.early_only());
        assert_round_trip(&r);
        // RFC 3891 §7.1 (the first example in the flows).
        let r = Replaces::parse("425928@bobster.example.org;to-tag=7743;from-tag=6472").unwrap();
        assert_eq!(r.to_tag(), Some("7743"));
    }

    #[test]
    fn build() {
        let r = Replaces::new("abc@host", "t", "f", true);
        assert_eq!(r.to_string(), "abc@host;to-tag=t;from-tag=f;early-only");
        assert_round_trip(&r.into_owned());
        assert_round_trip(&Replaces::new("x", "1", "2", false));
    }

    #[test]
    fn invalid() {
        for v in [
            "",
            "@host;to-tag=1;from-tag=2",
            "abc@;to-tag=1;from-tag=2",
            "a@b@c;to-tag=1;from-tag=2",
            "abc;to-tag=1",
            "abc;from-tag=2",
            "abc",
            "abc;to-tag=1;from-tag=2;to-tag=3",
            "abc;to-tag;from-tag=2",
            "abc;to-tag=1;from-tag=2;early-only=yes",
            "abc;to-tag=\"1\";from-tag=2",
            "abc def;to-tag=1;from-tag=2",
            "abc;to-tag=1;from-tag=2 x",
            "\u{e9}t\u{e9};to-tag=1;from-tag=2",
        ] {
            assert!(Replaces::parse(v).is_err(), "{v:?}");
        }
    }
}
