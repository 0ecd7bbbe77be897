//! What the conference bridge refuses.

use super::info::PortId;
use crate::port::AudioFormat;

/// Why a bridge operation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BridgeError {
    /// The id names no port: it was removed (the slot may hold another
    /// port now, with another generation), or it comes from another bridge.
    #[error("no port {0} in the bridge")]
    NoSuchPort(PortId),
    /// A level that is negative, infinite or not a number.
    #[error("invalid level {0}: levels are finite and at least 0 (1 leaves the signal as it is)")]
    InvalidLevel(f32),
    /// A port format with no channel, no sample or a rate of 0.
    #[error("a port cannot have format {0:?}")]
    InvalidFormat(AudioFormat),
    /// The port is not of the type asked for.
    #[error("port {0} is not of the type asked for")]
    WrongPortType(PortId),
    /// No resampler could be built between two rates.
    #[error("cannot resample from {from} Hz to {to} Hz: {reason}")]
    Resampler {
        /// Input rate.
        from: u32,
        /// Output rate.
        to: u32,
        /// rubato's reason.
        reason: String,
    },
}
