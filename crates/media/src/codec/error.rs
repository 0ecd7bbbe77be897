//! What can go wrong with a codec, and whose fault it is.

use thiserror::Error;

/// An error from a codec or the codec manager.
///
/// [`CodecError::MalformedPayload`] is the peer's fault (a bad packet: drop
/// it and count it); the others are misuse of the API by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodecError {
    /// No codec matches this id (PJSIP's `PJ_ENOTFOUND`).
    #[error("no codec matches {0:?}")]
    NotFound(String),
    /// The id prefix matches several codecs where exactly one is needed
    /// (PJSIP's `PJ_ETOOMANY`).
    #[error("codec id {0:?} is not specific: it matches several codecs")]
    Ambiguous(String),
    /// A codec parameter the codec cannot honour.
    #[error("invalid codec parameter: {0}")]
    InvalidParam(String),
    /// The PCM given to `encode` is not a whole number of frames for this
    /// codec (for example an odd sample count for G.722).
    #[error("{got} samples cannot be encoded: {reason}")]
    InvalidFrame {
        /// Samples given.
        got: usize,
        /// Why the length does not fit.
        reason: &'static str,
    },
    /// The output buffer is too small for what decoding produces.
    #[error("output buffer holds {available} samples, {needed} needed")]
    OutputTooSmall {
        /// Samples the operation needs room for.
        needed: usize,
        /// Samples the buffer holds.
        available: usize,
    },
    /// The payload received from the peer cannot be decoded.
    #[error("malformed payload: {0}")]
    MalformedPayload(&'static str),
    /// An error reported by an external codec library (libopus).
    #[error("codec library error: {0}")]
    Library(String),
}
