//! A reliable byte-stream model for TCP-like transports: connect and accept,
//! lossless in-order delivery in chunks cut and joined at random boundaries,
//! graceful close, abort, and resets a test can inflict.
//!
//! Each connection has two ends, each with its own [`ConnectionId`], as each
//! end of a real connection has its own socket. An agent names the end it
//! holds; [`ConnectionId::peer`] names the other.
//!
//! Streams take the delay and jitter of the link between the two agents'
//! addresses (jitter never reorders bytes); loss, duplication, reordering, MTU
//! and rate limits do not apply, as TCP hides them.

mod engine;

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub(crate) use self::engine::Streams;

/// One end of a stream connection; prints as `conn#3c` (the connecting end
/// of connection 3) or `conn#3s` (its accepting end).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(u64);

impl ConnectionId {
    /// The other end of the same connection.
    pub fn peer(self) -> Self {
        Self(self.0 ^ 1)
    }

    /// Whether this is the end that connected (rather than accepted).
    pub fn is_initiator(self) -> bool {
        self.0 & 1 == 0
    }

    fn index(self) -> usize {
        (self.0 >> 1) as usize
    }

    fn side(self) -> usize {
        (self.0 & 1) as usize
    }

    fn new(index: usize, side: usize) -> Self {
        Self(((index as u64) << 1) | side as u64)
    }
}

impl fmt::Debug for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = if self.is_initiator() { "c" } else { "s" };
        write!(f, "conn#{}{end}", self.index())
    }
}

/// What an agent asks of the stream network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamCommand {
    /// Accept connections to `addr`.
    Listen {
        /// The address to listen on.
        addr: SocketAddr,
    },
    /// Stop accepting connections to `addr` (open ones stay).
    StopListening {
        /// The address.
        addr: SocketAddr,
    },
    /// Open a connection from `from` (an address the agent owns: its events
    /// are routed there; the connection's own local address is `from`'s IP
    /// with a fresh ephemeral port) to `to`. The answer is
    /// [`StreamEvent::Connected`] or [`StreamEvent::Refused`] carrying `tag`.
    Connect {
        /// The agent's own label, echoed back to match the answer.
        tag: u64,
        /// The agent's address.
        from: SocketAddr,
        /// Where to connect.
        to: SocketAddr,
    },
    /// Send bytes on an open connection.
    Send {
        /// The agent's end.
        conn: ConnectionId,
        /// The bytes.
        data: Vec<u8>,
    },
    /// Close gracefully: the peer gets the bytes already sent, then
    /// [`StreamEvent::Closed`]. This end gets no more events.
    Close {
        /// The agent's end.
        conn: ConnectionId,
    },
    /// Close abortively: the peer gets the bytes already sent, then
    /// [`StreamEvent::Reset`]. This end gets no more events.
    Abort {
        /// The agent's end.
        conn: ConnectionId,
    },
}

/// What the stream network tells an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// A connection to an address the agent listens on was accepted.
    Accepted {
        /// The agent's end.
        conn: ConnectionId,
        /// The listening address.
        local: SocketAddr,
        /// The connecting side's address (with its ephemeral port).
        remote: SocketAddr,
    },
    /// The agent's [`StreamCommand::Connect`] succeeded.
    Connected {
        /// The agent's end, to name in later commands.
        conn: ConnectionId,
        /// The tag of the `Connect`.
        tag: u64,
        /// This end's address (the agent's IP, an ephemeral port).
        local: SocketAddr,
        /// The address connected to.
        remote: SocketAddr,
    },
    /// The agent's [`StreamCommand::Connect`] failed: nobody listens there,
    /// or the test reset the connection before it was made.
    Refused {
        /// The end that would have been the agent's.
        conn: ConnectionId,
        /// The tag of the `Connect`.
        tag: u64,
        /// The address connected to.
        remote: SocketAddr,
    },
    /// Bytes arrived, in order; a chunk may hold part of one send or parts of
    /// several.
    Data {
        /// The agent's end.
        conn: ConnectionId,
        /// The bytes.
        data: Vec<u8>,
    },
    /// The peer closed gracefully, after everything it sent was delivered.
    Closed {
        /// The agent's end.
        conn: ConnectionId,
    },
    /// The connection broke: the peer aborted, or the test reset it. Bytes
    /// still in flight to this end are lost.
    Reset {
        /// The agent's end.
        conn: ConnectionId,
    },
}

impl StreamEvent {
    /// The connection end the event is about.
    pub fn conn(&self) -> ConnectionId {
        match self {
            Self::Accepted { conn, .. }
            | Self::Connected { conn, .. }
            | Self::Refused { conn, .. }
            | Self::Data { conn, .. }
            | Self::Closed { conn }
            | Self::Reset { conn } => *conn,
        }
    }
}

/// A stream event due to the agent owning `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamDelivery {
    /// When it arrived.
    pub at: Instant,
    /// The address of the agent it is for (the listening address, or the
    /// `from` of its `Connect`).
    pub to: SocketAddr,
    /// The event.
    pub event: StreamEvent,
}

/// A stream command that makes no sense: a bug in the agent (or test) that
/// gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamError {
    /// No connection has this id.
    UnknownConnection(ConnectionId),
    /// This end is not connected yet, or its connect failed.
    NotConnected(ConnectionId),
    /// This end was closed or aborted by its own side.
    ClosedLocally(ConnectionId),
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownConnection(c) => write!(f, "{c} does not exist"),
            Self::NotConnected(c) => write!(f, "{c} is not connected"),
            Self::ClosedLocally(c) => write!(f, "{c} was closed by its own side"),
        }
    }
}

impl std::error::Error for StreamError {}

/// How stream bytes are cut into [`StreamEvent::Data`] chunks, to exercise
/// stream framers. The default cuts and joins at random; [`StreamConfig::exact`]
/// delivers each send as one chunk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamConfig {
    /// Each send is cut at up to this many random byte boundaries.
    pub max_splits: usize,
    /// The pieces of one send arrive spread over up to this much time each
    /// (in order), so a framer also sees time pass mid-message.
    pub split_spread: Duration,
    /// Probability that a chunk due together with the previous chunk of the
    /// same connection end is joined to it.
    pub coalesce: f64,
}

impl StreamConfig {
    /// One chunk per send, never joined.
    pub const fn exact() -> Self {
        Self {
            max_splits: 0,
            split_spread: Duration::ZERO,
            coalesce: 0.0,
        }
    }
}

impl Default for StreamConfig {
    /// Up to 3 cuts per send, pieces up to 1 ms apart, joined half the time.
    fn default() -> Self {
        Self {
            max_splits: 3,
            split_spread: Duration::from_millis(1),
            coalesce: 0.5,
        }
    }
}

/// Counts over every stream connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Connections attempted.
    pub connects: u64,
    /// Connections accepted.
    pub accepted: u64,
    /// Connections refused (or reset while connecting).
    pub refused: u64,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes delivered.
    pub bytes_delivered: u64,
    /// `Data` events delivered.
    pub chunks_delivered: u64,
    /// `Closed` events delivered.
    pub closed: u64,
    /// `Reset` events delivered.
    pub resets: u64,
    /// Bytes thrown away because their receiver had closed or been reset.
    pub bytes_discarded: u64,
}
