//! Symmetric RTP (RFC 4961's behaviour, PJSIP's "latching"): send to where
//! the peer's packets come from once enough of them in a row have come from
//! one new address.

use std::net::SocketAddr;

/// Where one kind of packet (RTP or RTCP) is sent, and the evidence for
/// moving it.
#[derive(Debug, Clone)]
pub(crate) struct Latch {
    target: SocketAddr,
    /// Another address the peer's packets came from, and how many in a row.
    candidate: Option<(SocketAddr, u32)>,
    /// Packets in a row needed to move; 0 never moves.
    after: u32,
}

impl Latch {
    /// A latch sending to `target`, moving after `after` packets in a row
    /// from one other address (never, if 0).
    pub(crate) fn new(target: SocketAddr, after: u32) -> Self {
        Self {
            target,
            candidate: None,
            after,
        }
    }

    /// Where to send.
    pub(crate) fn target(&self) -> SocketAddr {
        self.target
    }

    /// Points it somewhere else (signalling said so), forgetting evidence.
    pub(crate) fn set_target(&mut self, target: SocketAddr) {
        self.target = target;
        self.candidate = None;
    }

    /// One of the peer's packets came from `from`. Returns the previous
    /// target when this packet made the latch move.
    pub(crate) fn observe(&mut self, from: SocketAddr) -> Option<SocketAddr> {
        if from == self.target || self.after == 0 {
            self.candidate = None;
            return None;
        }
        let count = match self.candidate {
            Some((addr, count)) if addr == from => count + 1,
            _ => 1,
        };
        if count >= self.after {
            let previous = self.target;
            self.set_target(from);
            Some(previous)
        } else {
            self.candidate = Some((from, count));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn moves_after_enough_packets_in_a_row() {
        let (a, b, c) = (
            addr("192.0.2.1:4000"),
            addr("198.51.100.1:5000"),
            addr("203.0.113.1:6000"),
        );
        let mut latch = Latch::new(a, 3);
        assert_eq!(latch.observe(b), None);
        assert_eq!(latch.observe(b), None);
        assert_eq!(latch.observe(a), None, "the configured address resets");
        assert_eq!(latch.observe(b), None);
        assert_eq!(latch.observe(c), None, "another address resets");
        assert_eq!(latch.observe(b), None);
        assert_eq!(latch.observe(b), None);
        assert_eq!(latch.observe(b), Some(a));
        assert_eq!(latch.target(), b);
        assert_eq!(latch.observe(b), None);
    }

    #[test]
    fn zero_never_moves() {
        let (a, b) = (addr("192.0.2.1:4000"), addr("198.51.100.1:5000"));
        let mut latch = Latch::new(a, 0);
        for _ in 0..100 {
            assert_eq!(latch.observe(b), None);
        }
        assert_eq!(latch.target(), a);
    }
}
