//! Typed headers.
//!
//! A message keeps every header as the text it arrived as; the types here parse
//! one value of a header on access, borrowing from the message (no allocation for
//! the common headers). Each implements [`TypedHeader`], which ties the type to
//! its [`HeaderName`], says whether the header may carry a comma-separated list
//! (RFC 3261 §7.3.1), and prints the value back with `Display`.
//!
//! ```
//! use sip::header::{TypedHeader, Via};
//!
//! let via = Via::parse("SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds;rport").unwrap();
//! assert_eq!(via.transport, "UDP");
//! assert_eq!(via.branch(), Some("z9hG4bK776asdhds"));
//! assert_eq!(via.rport(), Some(None));
//! ```

mod address;
mod call_id;
mod cseq;
mod media_type;
mod name;
mod numeric;
mod via;

use std::fmt;

pub use self::address::{
    Contact, FromHeader, PAssertedIdentity, PPreferredIdentity, Path, RecordRoute, ReferTo,
    ReferredBy, ReplyTo, Route, ServiceRoute, ToHeader,
};
pub use self::call_id::CallId;
pub use self::cseq::CSeq;
pub use self::media_type::{Accept, ContentType, MediaType};
pub use self::name::HeaderName;
pub use self::numeric::{ContentLength, Expires, MaxForwards, MinExpires, RSeq};
pub use self::via::Via;
use crate::error::SyntaxError;
use crate::scan;

/// A header with a typed value.
pub trait TypedHeader<'a>: Sized + fmt::Display {
    /// The header this type is the value of.
    const NAME: HeaderName;
    /// Whether several values may share one header line, separated by commas.
    const LIST: bool = false;

    /// Parses one value (one element of the list, for list headers).
    fn parse(value: &'a str) -> Result<Self, SyntaxError>;
}

/// Parses every value of one header line of type `H`: the elements of a list
/// header, or the single value otherwise.
pub(crate) fn parse_line<'a, H: TypedHeader<'a> + 'a>(
    value: &'a str,
) -> impl Iterator<Item = Result<H, SyntaxError>> + 'a {
    let list = if H::LIST {
        Some(scan::split_list(value).filter(|v| !v.is_empty()))
    } else {
        None
    };
    let single = if H::LIST {
        None
    } else {
        Some(scan::trim_lws(value))
    };
    list.into_iter().flatten().chain(single).map(move |item| {
        // Report offsets relative to the whole header value.
        let offset = item.as_ptr() as usize - value.as_ptr() as usize;
        H::parse(item).map_err(|e| e.shifted(offset))
    })
}

/// Checks the value of a known header against its grammar. Headers whose
/// grammar this crate does not check (free text such as Subject) always pass.
pub(crate) fn validate(name: HeaderName, value: &str) -> Result<(), SyntaxError> {
    fn all<'a, H: TypedHeader<'a> + 'a>(value: &'a str) -> Result<(), SyntaxError> {
        if H::LIST && scan::trim_lws(value).is_empty() {
            return Ok(());
        }
        for v in parse_line::<H>(value) {
            v?;
        }
        Ok(())
    }
    match name {
        HeaderName::Accept => all::<Accept<'_>>(value),
        HeaderName::CallId => all::<CallId<'_>>(value),
        HeaderName::ContentType => all::<ContentType<'_>>(value),
        HeaderName::Contact => all::<Contact<'_>>(value),
        HeaderName::ContentLength => all::<ContentLength>(value),
        HeaderName::CSeq => all::<CSeq<'_>>(value),
        HeaderName::Expires => all::<Expires>(value),
        HeaderName::From => all::<FromHeader<'_>>(value),
        HeaderName::MaxForwards => all::<MaxForwards>(value),
        HeaderName::MinExpires => all::<MinExpires>(value),
        HeaderName::PAssertedIdentity => all::<PAssertedIdentity<'_>>(value),
        HeaderName::PPreferredIdentity => all::<PPreferredIdentity<'_>>(value),
        HeaderName::Path => all::<Path<'_>>(value),
        HeaderName::RecordRoute => all::<RecordRoute<'_>>(value),
        HeaderName::ReferTo => all::<ReferTo<'_>>(value),
        HeaderName::ReferredBy => all::<ReferredBy<'_>>(value),
        HeaderName::ReplyTo => all::<ReplyTo<'_>>(value),
        HeaderName::Route => all::<Route<'_>>(value),
        HeaderName::RSeq => all::<RSeq>(value),
        HeaderName::ServiceRoute => all::<ServiceRoute<'_>>(value),
        HeaderName::To => all::<ToHeader<'_>>(value),
        HeaderName::Via => all::<Via<'_>>(value),
        _ => Ok(()),
    }
}
