//! Virtual time: an [`Instant`] that only moves when a test says so.

use std::time::{Duration, Instant};

/// A clock that starts at a base [`Instant`] and moves only forward, only when
/// told to.
///
/// [`VirtualClock::new`] reads the real clock once, to get a base `Instant`
/// (`Instant` has no other public constructor); that is the only real clock
/// read in the whole kit. From then on time is arithmetic on that base, so a
/// 32-second timer expires as soon as the test steps to it, and two runs of the
/// same test see the same *offsets* from their base (the base itself differs).
/// Compare and print times as offsets ([`VirtualClock::elapsed`]), never as
/// absolute instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VirtualClock {
    base: Instant,
    now: Instant,
}

impl VirtualClock {
    /// A clock whose time starts now; the one place the kit reads the real clock.
    pub fn new() -> Self {
        Self::starting_at(Instant::now())
    }

    /// A clock whose time starts at `base`.
    pub fn starting_at(base: Instant) -> Self {
        Self { base, now: base }
    }

    /// The instant the clock started at.
    pub fn base(&self) -> Instant {
        self.base
    }

    /// The current virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// How far the clock has moved since its base.
    pub fn elapsed(&self) -> Duration {
        self.now - self.base
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// Moves the clock forward to `to`; an instant at or before the current
    /// time leaves the clock where it is (time never runs backwards).
    pub fn advance_to(&mut self, to: Instant) {
        if to > self.now {
            self.now = to;
        }
    }
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_forward_only() {
        let mut clock = VirtualClock::new();
        let base = clock.base();
        assert_eq!(clock.now(), base);
        clock.advance(Duration::from_secs(32));
        assert_eq!(clock.elapsed(), Duration::from_secs(32));
        clock.advance_to(base + Duration::from_secs(1));
        assert_eq!(clock.elapsed(), Duration::from_secs(32), "never backwards");
        clock.advance_to(base + Duration::from_secs(64));
        assert_eq!(clock.now(), base + Duration::from_secs(64));
    }
}
