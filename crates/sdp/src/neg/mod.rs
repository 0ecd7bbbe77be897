//! RFC 3264 offer/answer: the [`Negotiator`] state machine over our
//! [`Capabilities`], producing a [`NegotiatedSession`].
//!
//! Defaults follow PJSIP 2.15 (see [`NegotiatorOptions`]): the answer keeps
//! the offerer's codec order and carries one codec, plus telephone-event
//! at that codec's clock rate; dynamic payload types are answered with
//! the offerer's numbers; every description we make has a version one
//! above the previous one.

mod build;
mod caps;
mod error;
mod formats;
mod negotiator;
mod result;

pub use caps::{Capabilities, Codec, FmtpCheck, LocalMedia, NegotiatorOptions, default_fmtp_check};
pub use error::NegotiationError;
pub use negotiator::{NegState, Negotiator};
pub use result::{ActiveMedia, NegotiatedCodec, NegotiatedMedia, NegotiatedSession, PayloadTypes};
