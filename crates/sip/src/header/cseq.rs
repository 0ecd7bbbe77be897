//! CSeq (RFC 3261 §20.16): `1*DIGIT LWS Method`.

use std::fmt;

use super::{HeaderName, TypedHeader};
use crate::error::SyntaxError;
use crate::message::Method;
use crate::scan::Scanner;

/// A command sequence number and the method it counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CSeq<'a> {
    /// The sequence number, below 2³¹ as RFC 3261 §8.1.1.5 requires of a sender;
    /// up to 2³²−1 is accepted.
    pub seq: u32,
    /// The method.
    pub method: Method<'a>,
}

impl<'a> TypedHeader<'a> for CSeq<'a> {
    const NAME: HeaderName = HeaderName::CSeq;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        let seq = s.number(u64::from(u32::MAX), "expected sequence number")? as u32;
        if !s.skip_lws() {
            return Err(s.error("expected white space after sequence number"));
        }
        let method = Method::parse(s.token("expected method")?);
        if !s.is_empty() {
            return Err(s.error("unexpected text after method"));
        }
        Ok(Self { seq, method })
    }
}

impl fmt::Display for CSeq<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}
