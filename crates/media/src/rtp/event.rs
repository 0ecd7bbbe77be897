//! What a session gives out: datagrams to send and events for its user.

use std::net::SocketAddr;
use std::time::Instant;

use super::wire::RtpPacketView;

/// Which of a session's flows a datagram belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketKind {
    /// RTP media.
    Rtp,
    /// RTCP control.
    Rtcp,
}

/// A datagram the runtime must send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where it goes.
    pub destination: SocketAddr,
    /// RTP or RTCP: send RTP from the RTP socket and RTCP from the RTCP
    /// socket, or from the RTP socket too when the session multiplexes
    /// (RFC 5761).
    pub kind: PacketKind,
    /// The bytes.
    pub payload: Vec<u8>,
}

/// Something the session's user should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RtpEvent {
    /// A remote source passed validation (RFC 3550 A.1): the peer's first,
    /// or a new SSRC replacing `previous` (the peer restarted its stream).
    RemoteSource {
        /// The new source.
        ssrc: u32,
        /// The source it replaces.
        previous: Option<u32>,
    },
    /// Symmetric RTP: this flow now goes to where the peer's packets come
    /// from.
    Latched {
        /// The flow that moved.
        kind: PacketKind,
        /// Where it went before.
        previous: SocketAddr,
        /// Where it goes now.
        address: SocketAddr,
    },
    /// Another source used this session's SSRC (RFC 3550 §8.2): a BYE went
    /// out for it, and the session took a new one.
    SsrcCollision {
        /// The SSRC given up.
        previous: u32,
        /// The new SSRC.
        ssrc: u32,
    },
    /// The peer's source left (RTCP BYE).
    Bye {
        /// The source.
        ssrc: u32,
        /// The reason it gave.
        reason: Option<String>,
    },
    /// No RTP arrived for the configured timeout. Reported once per
    /// silence: again only after packets came back and stopped again.
    RtpTimeout {
        /// When the last RTP packet arrived (`None`: never).
        last_received: Option<Instant>,
    },
}

/// What a datagram on a multiplexed port turned out to be.
#[derive(Debug)]
pub enum Received<'a> {
    /// An RTP packet, accepted.
    Rtp(RtpPacketView<'a>),
    /// An RTCP compound packet, taken in.
    Rtcp,
}
