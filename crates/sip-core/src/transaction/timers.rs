//! Timer values (RFC 3261 §17.1.1.1, table 4).

use std::time::Duration;

/// The base timer values; every transaction timer derives from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimerConfig {
    /// RTT estimate: 500 ms by default.
    pub t1: Duration,
    /// Longest retransmit interval for non-INVITE requests and INVITE
    /// responses: 4 s by default.
    pub t2: Duration,
    /// Longest time a message stays in the network: 5 s by default.
    pub t4: Duration,
    /// Timer D over unreliable transports: 32 s (at least) by default.
    pub timer_d: Duration,
    /// How long a server INVITE transaction waits for the TU's response
    /// before sending 100 Trying itself (RFC 3261 §17.2.1): 200 ms.
    pub trying_delay: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        Self {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            timer_d: Duration::from_secs(32),
            trying_delay: Duration::from_millis(200),
        }
    }
}

impl TimerConfig {
    /// 64·T1: Timers B, F, H, J (unreliable), L and M.
    pub fn timeout(&self) -> Duration {
        self.t1 * 64
    }

    /// The next retransmit interval after `current`, doubled and capped at T2
    /// (Timers E and G).
    pub(crate) fn backoff(&self, current: Duration) -> Duration {
        (current * 2).min(self.t2)
    }

    /// `value` over an unreliable transport, zero over a reliable one.
    pub(crate) fn unless_reliable(value: Duration, reliable: bool) -> Duration {
        if reliable { Duration::ZERO } else { value }
    }
}
