//! Why a negotiation failed, and whose fault it is.

use thiserror::Error;

use super::NegState;

/// A failed offer/answer step. The variant says who is at fault, so the
/// call layer knows what to answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NegotiationError {
    /// The operation does not fit the negotiator's state (an offer while
    /// ours is pending is glare: see [`NegotiationError::sip_status`]).
    #[error("{operation} is not allowed in state {state:?}")]
    InvalidState {
        /// The operation refused.
        operation: &'static str,
        /// The state it met.
        state: NegState,
    },
    /// A well-formed offer we cannot accept: no media line in common
    /// (SIP 488 Not Acceptable Here).
    #[error("not acceptable: {0}")]
    NotAcceptable(String),
    /// The remote offer breaks RFC 3264 (SIP 400 Bad Request).
    #[error("malformed offer: {0}")]
    MalformedOffer(String),
    /// The remote answer breaks RFC 3264 (the call layer ends the session
    /// or keeps the previous one).
    #[error("malformed answer: {0}")]
    MalformedAnswer(String),
}

impl NegotiationError {
    /// The SIP status a UAS answers an offer with when this error stops it:
    /// 491 for an offer while ours is pending (RFC 3261 §14.2), 500 for
    /// other state errors, 488 not acceptable, 400 malformed.
    pub fn sip_status(&self) -> u16 {
        match self {
            Self::InvalidState {
                state: NegState::LocalOffer,
                ..
            } => 491,
            Self::InvalidState { .. } => 500,
            Self::NotAcceptable(_) | Self::MalformedAnswer(_) => 488,
            Self::MalformedOffer(_) => 400,
        }
    }
}
