//! What can go wrong in an RTP session, and whose fault it is.

/// Why a packet was not taken, or a command refused.
///
/// Every variant but [`RtpError::Misuse`] and [`RtpError::Closed`] is about a
/// received packet: the peer's (or the network's) doing, counted in the
/// statistics and otherwise harmless; the runtime drops the packet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    /// The bytes are not a well-formed RTP or RTCP packet.
    #[error("malformed packet: {0}")]
    Malformed(String),
    /// An RTCP packet where RTP was expected (RFC 5761 demultiplexing); give
    /// it to `handle_rtcp`, or use `handle_datagram` on a multiplexed port.
    #[error("an RTCP packet on the RTP path")]
    NotRtp,
    /// A packet from a source still on probation (RFC 3550 A.1): not
    /// delivered until the source has sent enough packets in sequence.
    #[error("source {ssrc:#010x} is on probation")]
    Probation {
        /// The source.
        ssrc: u32,
    },
    /// A copy of a packet already received.
    #[error("duplicate packet {sequence} from {ssrc:#010x}")]
    Duplicate {
        /// The source.
        ssrc: u32,
        /// Its sequence number.
        sequence: u16,
    },
    /// A sequence number too far from the expected one (RFC 3550 A.1's
    /// `MAX_DROPOUT`/`MAX_MISORDER`); thrown away unless the next packet
    /// confirms the jump.
    #[error("sequence number {sequence} from {ssrc:#010x} out of range")]
    BadSequence {
        /// The source.
        ssrc: u32,
        /// Its sequence number.
        sequence: u16,
    },
    /// A packet from a source other than the configured remote SSRC.
    #[error("packet from unexpected source {ssrc:#010x}")]
    UnknownSource {
        /// The source.
        ssrc: u32,
    },
    /// The session was closed (its BYE sent): it takes and sends nothing.
    #[error("the RTP session is closed")]
    Closed,
    /// The caller asked for something the session cannot do (a bad
    /// configuration, a payload type out of range).
    #[error("misuse: {0}")]
    Misuse(String),
}
