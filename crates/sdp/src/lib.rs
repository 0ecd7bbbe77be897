//! SDP for ferrosip: the session description model, its parser and printer
//! (RFC 8866, which obsoletes RFC 4566), and the RFC 3264 offer/answer
//! negotiator the call layer drives — what pjmedia's `sdp.c` and
//! `sdp_neg.c` are to PJSUA2.
//!
//! Sans-IO like the rest of the core: nothing here reads a clock, asks the
//! OS for randomness or touches a socket. The caller passes the session id
//! and version of the `o=` line and every address and port
//! (`clippy.toml` forbids the rest).
//!
//! The pieces, each its own module:
//! - [`model`]: [`SessionDescription`] and [`MediaDescription`] with their
//!   fields (`o=`, `c=`, `b=`, `t=`, …), attributes kept in order;
//! - [`attr`]: typed views and builders of the attributes calls need
//!   (`rtpmap`, `fmtp`, `ptime`, direction, `rtcp`, `rtcp-mux`, `mid`,
//!   `ssrc`, `crypto`, `candidate`, …);
//! - [`parse`](SessionDescription::parse): a tolerant, bounded parser that
//!   reports the line and the fault of what it refuses;
//! - printing: [`SessionDescription`]'s `Display` writes RFC 8866 §5's
//!   order with CRLF;
//! - [`neg`]: the offer/answer [`Negotiator`](neg::Negotiator) and the
//!   [`NegotiatedMedia`](neg::NegotiatedMedia) a stream is built from.

pub mod attr;
mod error;
pub mod model;
pub mod neg;
mod parse;
mod print;

pub use attr::{Attribute, Direction};
pub use error::{ParseError, ParseErrorKind};
pub use model::{
    Bandwidth, BandwidthType, Connection, MediaDescription, Origin, OtherLine, SessionDescription,
    Timing,
};
pub use parse::{MAX_LINE_LEN, MAX_LINES, MAX_SDP_LEN};
