//! Headers whose value is one number: Content-Length, Max-Forwards, Expires,
//! Min-Expires, RSeq.

use std::fmt;

use super::{HeaderName, TypedHeader};
use crate::error::SyntaxError;
use crate::scan::Scanner;

fn parse_number(value: &str, max: u64, what: &'static str) -> Result<u64, SyntaxError> {
    let mut s = Scanner::new(value);
    let n = s.number(max, what)?;
    if !s.is_empty() {
        return Err(s.error("unexpected text after number"));
    }
    Ok(n)
}

macro_rules! numeric_header {
    ($(#[$doc:meta])* $ty:ident($int:ty), $name:ident, $max:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(pub $int);

        impl TypedHeader<'_> for $ty {
            const NAME: HeaderName = HeaderName::$name;

            fn parse(value: &str) -> Result<Self, SyntaxError> {
                parse_number(value, $max, $what).map(|n| Self(n as $int))
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

numeric_header!(
    /// Content-Length (RFC 3261 §20.14): the body size in octets.
    ContentLength(u32), ContentLength, u64::from(u32::MAX), "expected body length"
);
numeric_header!(
    /// Max-Forwards (RFC 3261 §20.22): 0 to 255 hops.
    MaxForwards(u8), MaxForwards, 255, "expected hop count"
);
numeric_header!(
    /// Expires (RFC 3261 §20.19): delta-seconds, at most 2³²−1.
    Expires(u32), Expires, u64::from(u32::MAX), "expected delta-seconds"
);
numeric_header!(
    /// Min-Expires (RFC 3261 §20.23): delta-seconds.
    MinExpires(u32), MinExpires, u64::from(u32::MAX), "expected delta-seconds"
);
numeric_header!(
    /// RSeq (RFC 3262 §7.1): the sequence number of a reliable provisional response.
    RSeq(u32), RSeq, u64::from(u32::MAX), "expected response number"
);
