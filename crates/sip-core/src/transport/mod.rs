//! The transport layer's vocabulary (RFC 3261 §18): transport kinds, the
//! identifiers of transports and connections, and where a message goes.

use std::fmt;
use std::net::SocketAddr;

/// A SIP transport protocol, as named in Via and in the `transport` URI parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransportKind {
    /// UDP (RFC 3261 §18).
    Udp,
    /// TCP (RFC 3261 §18).
    Tcp,
    /// TLS over TCP (RFC 3261 §26, RFC 5630).
    Tls,
    /// WebSocket (RFC 7118).
    Ws,
    /// Secure WebSocket (RFC 7118).
    Wss,
}

impl TransportKind {
    /// Every kind, in the order RFC 3263 prefers when nothing else decides.
    pub const ALL: [Self; 5] = [Self::Udp, Self::Tcp, Self::Tls, Self::Ws, Self::Wss];

    /// The name in a Via header (`UDP`, `TCP`, `TLS`, `WS`, `WSS`).
    pub fn via_name(self) -> &'static str {
        match self {
            Self::Udp => "UDP",
            Self::Tcp => "TCP",
            Self::Tls => "TLS",
            Self::Ws => "WS",
            Self::Wss => "WSS",
        }
    }

    /// The kind a Via transport or `transport=` parameter names (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.via_name().eq_ignore_ascii_case(name))
    }

    /// Whether the transport delivers reliably and in order (everything but UDP).
    pub fn is_reliable(self) -> bool {
        self != Self::Udp
    }

    /// Whether the transport is a byte stream that needs framing (TCP, TLS).
    pub fn is_stream(self) -> bool {
        matches!(self, Self::Tcp | Self::Tls)
    }

    /// Whether the transport is secure (TLS, WSS): what a `sips:` URI needs.
    pub fn is_secure(self) -> bool {
        matches!(self, Self::Tls | Self::Wss)
    }

    /// The default port (RFC 3261 §19.1.2, RFC 7118 §5).
    pub fn default_port(self) -> u16 {
        match self {
            Self::Udp | Self::Tcp => 5060,
            Self::Tls => 5061,
            Self::Ws => 80,
            Self::Wss => 443,
        }
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.via_name())
    }
}

/// A transport of the stack: a bound UDP socket, or a listening stream socket
/// with the connections it accepted and opened. Several may exist at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransportId(pub u32);

/// One connection of a stream transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

/// A resolved destination: a transport kind and an address (RFC 3263 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Target {
    /// How to reach it.
    pub kind: TransportKind,
    /// Where.
    pub addr: SocketAddr,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in TransportKind::ALL {
            assert_eq!(
                TransportKind::from_name(&k.via_name().to_lowercase()),
                Some(k)
            );
        }
        assert_eq!(TransportKind::from_name("SCTP"), None);
        assert!(!TransportKind::Udp.is_reliable());
        assert!(TransportKind::Tls.is_secure() && TransportKind::Tls.is_stream());
    }
}
