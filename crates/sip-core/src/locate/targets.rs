//! The ordered list of targets a location yields, and failover through it
//! (RFC 3263 §4.3).

use sip::StatusCode;

use crate::transport::Target;

/// The places to send a request, most preferred first, and how far the
/// caller has got through them (RFC 3263 §4.3).
///
/// Take the first target with [`Targets::next_target`] and send the request
/// there. If the attempt fails — a 503 response ([`fails_over`]), a
/// transaction timeout (Timer B or F fires with no response at all) or a
/// transport error — take the next target and send the request again as a
/// **new client transaction**: the same request with a new Via branch (RFC
/// 3263 §4.3). Stop when a response other than 503 arrives, or when the list
/// runs out (then report the last failure).
///
/// A CANCEL, and the ACK of a non-2xx response, go to the target their
/// request went to (RFC 3261 §9.1, §17.1.1.3); they are never located anew.
///
/// ```
/// use sip_core::locate::Targets;
/// use sip_core::transport::{Target, TransportKind};
///
/// let mut targets = Targets::new(vec![
///     Target { kind: TransportKind::Udp, addr: "192.0.2.1:5060".parse().unwrap() },
///     Target { kind: TransportKind::Udp, addr: "192.0.2.2:5060".parse().unwrap() },
/// ]);
/// let first = targets.next_target().unwrap();
/// // … the transaction to `first` times out: try the next, with a new branch.
/// let second = targets.next_target().unwrap();
/// assert_ne!(first, second);
/// assert_eq!(targets.next_target(), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    list: Vec<Target>,
    handed_out: usize,
}

impl Targets {
    /// A list in the given order, none handed out yet.
    pub fn new(list: Vec<Target>) -> Self {
        Self {
            list,
            handed_out: 0,
        }
    }

    /// Every target, in order, whether handed out or not.
    pub fn as_slice(&self) -> &[Target] {
        &self.list
    }

    /// The number of targets.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The next target to try (the first, on the first call), or `None` when
    /// every target has been tried.
    pub fn next_target(&mut self) -> Option<Target> {
        let target = self.list.get(self.handed_out).copied()?;
        self.handed_out += 1;
        Some(target)
    }

    /// The target handed out last: the one being tried.
    pub fn current(&self) -> Option<Target> {
        self.handed_out
            .checked_sub(1)
            .and_then(|i| self.list.get(i).copied())
    }

    /// The targets not yet handed out.
    pub fn remaining(&self) -> &[Target] {
        &self.list[self.handed_out..]
    }

    /// The whole list, consumed: for a sender that runs the failover itself
    /// (the stack's failover send takes the targets as a `Vec`).
    pub fn into_vec(self) -> Vec<Target> {
        self.list
    }
}

/// Whether a response to a request sent to one target means "try the next
/// target" (RFC 3263 §4.3): only 503 (Service Unavailable) does. A timeout
/// with no response and a transport error also do, but they are not
/// responses.
pub fn fails_over(status: StatusCode) -> bool {
    status == StatusCode::SERVICE_UNAVAILABLE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::TransportKind;

    #[test]
    fn hands_out_in_order() {
        let t = |port| Target {
            kind: TransportKind::Tcp,
            addr: ([192, 0, 2, 1], port).into(),
        };
        let mut targets = Targets::new(vec![t(1), t(2), t(3)]);
        assert_eq!(targets.current(), None);
        assert_eq!(targets.remaining().len(), 3);
        assert_eq!(targets.next_target(), Some(t(1)));
        assert_eq!(targets.current(), Some(t(1)));
        assert_eq!(targets.next_target(), Some(t(2)));
        assert_eq!(targets.remaining(), &[t(3)]);
        assert_eq!(targets.next_target(), Some(t(3)));
        assert_eq!(targets.next_target(), None);
        assert_eq!(targets.current(), Some(t(3)));
        assert_eq!(targets.len(), 3);
        assert!(Targets::default().is_empty());
    }

    #[test]
    fn only_503_fails_over() {
        assert!(fails_over(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!fails_over(StatusCode::NOT_FOUND));
        assert!(!fails_over(StatusCode::new(500).unwrap()));
    }
}
