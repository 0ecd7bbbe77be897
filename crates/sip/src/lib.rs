//! The SIP message layer of ferrosip: the message model, parser and printer
//! (RFC 3261 §7, §20, §25), URIs (`sip:`, `sips:`, `tel:`, others), typed
//! headers, multipart bodies and stream framing for TCP and TLS.
//!
//! Nothing here does I/O, keeps time or holds state between messages: bytes come
//! in, a [`Message`] comes out, and a [`Message`] prints back to bytes.
//!
//! ```
//! use sip::{Message, Method};
//! use sip::header::Via;
//!
//! let raw = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
//! Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n\
//! Max-Forwards: 70\r\n\
//! To: Bob <sip:bob@biloxi.example.com>\r\n\
//! From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
//! Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n\
//! CSeq: 314159 INVITE\r\n\
//! Contact: <sip:alice@pc33.atlanta.example.com>\r\n\
//! Content-Length: 0\r\n\r\n";
//! let msg = Message::parse(raw).unwrap();
//! assert_eq!(msg.method(), Some(Method::Invite));
//! let via: Via<'_> = msg.via().unwrap();
//! assert_eq!(via.branch(), Some("z9hG4bK776asdhds"));
//! assert_eq!(msg.to().unwrap().display_name.as_ref().unwrap().text(), "Bob");
//!
//! // Printing a parsed message gives a message that parses to the same thing.
//! let again = Message::parse(&msg.to_bytes()).unwrap();
//! assert_eq!(again.to_bytes(), msg.to_bytes());
//! ```
//!
//! Parsing keeps each header as text and parses typed values on access
//! ([`Message::typed`], [`Message::via`], …); [`Message::parse`] also checks every
//! known header against its grammar once, so that a malformed message is refused
//! up front with an error that names the header. Limits on size, header count and
//! body nesting ([`Limits`]) bound the work any input can cause.

mod address;
pub mod body;
mod error;
pub mod header;
mod message;
mod params;
mod scan;
pub mod stream;
pub mod uri;

pub use crate::address::{Address, DisplayName};
pub use crate::error::{ParseError, SyntaxError};
pub use crate::message::{
    BuildError, HeaderField, Limits, Message, Method, RequestBuilder, ResponseBuilder, StatusCode,
};
pub use crate::params::{ParamIter, Params};
