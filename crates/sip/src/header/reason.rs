//! Reason (RFC 3326 §2): why a request was sent — the status code or Q.850
//! cause behind a BYE or CANCEL.

use std::borrow::Cow;
use std::fmt;

use super::{HeaderName, TypedHeader, check_param, parse_decimal_u32, quoted};
use crate::error::SyntaxError;
use crate::params::Params;
use crate::scan::Scanner;

/// One Reason value: `protocol *(SEMI reason-params)`, for example
/// `SIP;cause=200;text="Call completed elsewhere"` or `Q.850;cause=16`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reason<'a> {
    /// The protocol the cause belongs to: `SIP`, `Q.850` or another token.
    pub protocol: Cow<'a, str>,
    /// reason-params (`cause`, `text`, others).
    pub params: Params<'a>,
}

impl<'a> Reason<'a> {
    /// `<protocol>;cause=<cause>`, with `;text="<text>"` if given (quoted and
    /// escaped here).
    pub fn new(protocol: &str, cause: u32, text: Option<&str>) -> Self {
        let mut params = Params::new();
        params.push("cause", Some(&cause.to_string()));
        if let Some(t) = text {
            params.push("text", Some(&quoted(t)));
        }
        Self {
            protocol: Cow::Owned(protocol.to_owned()),
            params,
        }
    }

    /// The `cause` parameter: a SIP status code or a Q.850 cause value.
    pub fn cause(&self) -> Option<u32> {
        parse_decimal_u32(self.params.get("cause")??)
    }

    /// The `text` parameter, unquoted.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        self.params.get_unquoted("text")
    }

    /// Whether the protocol is `SIP` (case-insensitive).
    pub fn is_sip(&self) -> bool {
        self.protocol.eq_ignore_ascii_case("SIP")
    }

    /// Whether the protocol is `Q.850` (case-insensitive).
    pub fn is_q850(&self) -> bool {
        self.protocol.eq_ignore_ascii_case("Q.850")
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Reason<'static> {
        Reason {
            protocol: Cow::Owned(self.protocol.into_owned()),
            params: self.params.into_owned(),
        }
    }
}

impl<'a> TypedHeader<'a> for Reason<'a> {
    const NAME: HeaderName = HeaderName::Reason;
    const LIST: bool = true;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        s.skip_lws();
        let protocol = s.token("expected protocol")?;
        let at = s.pos();
        let params = Params::parse_header(&mut s)?;
        // cause = 1*DIGIT; bounded to 2³²−1 so that cause() never overflows.
        check_param(
            &params,
            "cause",
            |v| parse_decimal_u32(v).is_some(),
            "invalid cause",
            at,
        )?;
        check_param(
            &params,
            "text",
            |v| v.starts_with('"'),
            "reason text must be a quoted string",
            at,
        )?;
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text in Reason"));
        }
        Ok(Self {
            protocol: Cow::Borrowed(protocol),
            params,
        })
    }
}

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.protocol, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{assert_round_trip, parse_line};

    #[test]
    fn rfc3326_examples() {
        // RFC 3326 §2 and §4.
        let r = Reason::parse("SIP ;cause=200 ;text=\"Call completed elsewhere\"").unwrap();
        assert!(r.is_sip());
        assert_eq!(r.cause(), Some(200));
        assert_eq!(r.text().as_deref(), Some("Call completed elsewhere"));
        assert_round_trip(&r);
        let r = Reason::parse("Q.850 ;cause=16 ;text=\"Terminated\"").unwrap();
        assert!(r.is_q850());
        assert_eq!(r.cause(), Some(16));
        let list: Vec<Reason<'_>> = parse_line(
            "SIP ;cause=580 ;text=\"Precondition Failure\", Q.850 ;cause=47 ;text=\"a, b\"",
        )
        .collect::<Result<_, _>>()
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].text().as_deref(), Some("a, b"));
        let r = Reason::parse("preemption ;cause=1 ;text=\"UA Preemption\"").unwrap();
        assert!(!r.is_sip());
        assert_round_trip(&r);
    }

    #[test]
    fn build() {
        let r = Reason::new("SIP", 600, Some("Busy \"Everywhere\""));
        assert_eq!(
            r.to_string(),
            "SIP;cause=600;text=\"Busy \\\"Everywhere\\\"\""
        );
        assert_eq!(r.text().as_deref(), Some("Busy \"Everywhere\""));
        assert_round_trip(&r);
        assert_round_trip(&Reason::new("Q.850", 16, None).into_owned());
    }

    #[test]
    fn invalid() {
        for v in [
            "",
            ";cause=200",
            "SIP;cause=abc",
            "SIP;cause=",
            "SIP;cause",
            "SIP;cause=4294967296",
            "SIP;cause=+1",
            "SIP;text=Busy",
            "SIP;text",
            "SIP cause=200",
            "\"SIP\";cause=200",
        ] {
            assert!(Reason::parse(v).is_err(), "{v:?}");
        }
    }
}
