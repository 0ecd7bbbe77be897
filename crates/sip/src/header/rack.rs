//! RAck (RFC 3262 §7.2): `response-num LWS CSeq-num LWS Method`, acknowledging a
//! reliable provisional response in a PRACK.

use std::fmt;

use super::{HeaderName, TypedHeader};
use crate::error::SyntaxError;
use crate::message::Method;
use crate::scan::Scanner;

/// The RSeq and CSeq of the provisional response a PRACK acknowledges.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RAck<'a> {
    /// The RSeq of the response (`response-num`).
    pub rseq: u32,
    /// The CSeq number of the response (`CSeq-num`).
    pub cseq: u32,
    /// The CSeq method of the response (`INVITE` in practice).
    pub method: Method<'a>,
}

impl RAck<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> RAck<'static> {
        RAck {
            rseq: self.rseq,
            cseq: self.cseq,
            method: self.method.into_owned(),
        }
    }
}

impl<'a> TypedHeader<'a> for RAck<'a> {
    const NAME: HeaderName = HeaderName::RAck;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        s.skip_lws();
        let rseq = s.number(u64::from(u32::MAX), "expected response number")? as u32;
        if !s.skip_lws() {
            return Err(s.error("expected white space after response number"));
        }
        let cseq = s.number(u64::from(u32::MAX), "expected CSeq number")? as u32;
        if !s.skip_lws() {
            return Err(s.error("expected white space after CSeq number"));
        }
        let method = Method::parse(s.token("expected method")?);
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text after method"));
        }
        Ok(Self { rseq, cseq, method })
    }
}

impl fmt::Display for RAck<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.rseq, self.cseq, self.method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::assert_round_trip;

    #[test]
    fn rfc3262_example() {
        // RFC 3262 §7.2.
        let r = RAck::parse("776656 1 INVITE").unwrap();
        assert_eq!(r.rseq, 776656);
        assert_eq!(r.cseq, 1);
        assert_eq!(r.method, Method::Invite);
        assert_round_trip(&r);
        let r = RAck::parse("4294967295\r\n 4294967295  FOO").unwrap();
        assert_eq!(r.rseq, u32::MAX);
        assert_eq!(r.to_string(), "4294967295 4294967295 FOO");
        assert_round_trip(&r.into_owned());
    }

    #[test]
    fn invalid() {
        for v in [
            "",
            "776656",
            "776656 1",
            "776656 INVITE",
            "776656 1 INVITE x",
            "4294967296 1 INVITE",
            "1 4294967296 INVITE",
            "-1 1 INVITE",
            "1 1 \"INVITE\"",
            "1 1INVITE",
            "1,1 INVITE",
        ] {
            assert!(RAck::parse(v).is_err(), "{v:?}");
        }
    }
}
