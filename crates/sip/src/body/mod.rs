//! Message bodies: multipart bodies (RFC 2046 §5.1) as SIP carries them
//! (RFC 5621), parsed without copying and built with a boundary of the
//! caller's choice or one generated from a caller-supplied seed.
//!
//! Most code starts from the message: [`Message::sdp_body`](crate::Message::sdp_body)
//! finds the session description whether the body is `application/sdp` or a
//! multipart holding one, and [`Message::multipart`](crate::Message::multipart)
//! gives every part.
//!
//! ```
//! use sip::body::MultipartBuilder;
//!
//! let built = MultipartBuilder::new("boundary1")
//!     .part("application/sdp", "v=0\r\n")
//!     .part("application/pidf+xml", "<presence/>")
//!     .build()
//!     .unwrap();
//! assert_eq!(built.content_type, "multipart/mixed;boundary=boundary1");
//! assert_eq!(
//!     &built.body[..],
//!     b"--boundary1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\
//!       \r\n--boundary1\r\nContent-Type: application/pidf+xml\r\n\r\n<presence/>\
//!       \r\n--boundary1--\r\n"
//! );
//! ```

mod builder;
mod headers;
mod multipart;

pub use self::builder::{BuiltMultipart, MultipartBuildError, MultipartBuilder};
pub use self::headers::PartHeader;
pub use self::multipart::{Multipart, Part};

#[cfg(test)]
mod tests;
