//! How the buffer learns the delay it needs: the burst level (how many
//! frames arrive between two frame ticks), and the discard algorithms that
//! bring the delay back down to it.
//!
//! The approach is pjmedia's (see the module docs of [`super`]): a burst is
//! the run of puts between two gets; the effective level jumps up at once to
//! the highest recent burst and comes down slowly, a step after more than
//! [`STABLE_HISTORY_LIMIT`] lower bursts in a row.

use super::config::DiscardAlgorithm;
use super::stats::MathStat;

/// Put/get alternations to watch before the burst level is trusted.
const INIT_CYCLE: u32 = 10;
/// A burst longer than this (ms of frames) means the consumer stalled, not
/// the network: it is not counted.
const MAX_BURST_MSEC: u32 = 1000;
/// Lower bursts in a row before the effective level comes down.
pub(crate) const STABLE_HISTORY_LIMIT: u32 = 20;
/// The shortest time, ms, between two frames dropped to shorten the delay.
const MIN_SHRINK_GAP_MSEC: u32 = 200;
/// Progressive discard: at a burst level up to this, one frame is dropped
/// per [`PRO_DISC_T1`] ms divided by the excess…
const PRO_DISC_MIN_BURST: u32 = 1;
/// …and at this level and above, per [`PRO_DISC_T2`] ms; linear between.
const PRO_DISC_MAX_BURST: u32 = 100;
const PRO_DISC_T1: u32 = 2000;
const PRO_DISC_T2: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    None,
    Put,
    Get,
}

/// The burst-level estimator.
#[derive(Debug, Clone)]
pub(crate) struct Burst {
    last_op: Op,
    initializing: bool,
    switches: u32,
    /// Frames put in the current run of puts.
    level: u32,
    /// The effective burst level: the delay aimed for, in frames.
    eff_level: u32,
    /// The highest burst since the effective level last came down.
    max_hist_level: u32,
    /// Lower bursts in a row.
    stable_hist: u32,
    /// Bursts above this are not counted.
    max_burst: u32,
    /// The effective level never exceeds this (four fifths of `jb_max`).
    level_cap: u32,
    /// Every counted burst.
    pub(crate) stat: MathStat,
}

impl Burst {
    pub(crate) fn new(ptime: u32, max_count: u32) -> Self {
        Self {
            last_op: Op::None,
            initializing: true,
            switches: 0,
            level: 0,
            eff_level: 0,
            max_hist_level: 0,
            stable_hist: 0,
            max_burst: (MAX_BURST_MSEC / ptime).max(max_count * 3 / 4).max(1),
            level_cap: (max_count * 4 / 5).max(1),
            stat: MathStat::default(),
        }
    }

    /// Starts learning again (after a reset), keeping the level learned.
    pub(crate) fn restart(&mut self) {
        self.last_op = Op::None;
        self.initializing = true;
        self.switches = 0;
        self.level = 0;
        self.max_hist_level = 0;
        self.stable_hist = 0;
    }

    /// Whether the level is trusted yet (and frames may be discarded).
    pub(crate) fn processing(&self) -> bool {
        !self.initializing
    }

    pub(crate) fn eff_level(&self) -> u32 {
        self.eff_level
    }

    /// The larger of the effective level and the burst under way.
    pub(crate) fn current(&self) -> u32 {
        self.eff_level.max(self.level)
    }

    pub(crate) fn last_op_was_put(&self) -> bool {
        self.last_op == Op::Put
    }

    /// A put that grew the buffer by `growth` frames (at least 1: a frame
    /// filling a hole still arrived; more when it leaves a gap of missing
    /// frames, which would have arrived with it).
    pub(crate) fn on_put(&mut self, growth: u32) {
        if self.last_op != Op::Put {
            self.switch(Op::Put);
        }
        self.level = self.level.saturating_add(growth.max(1));
    }

    /// A get; gives whether the effective level changed.
    pub(crate) fn on_get(&mut self) -> bool {
        self.last_op != Op::Get && self.switch(Op::Get)
    }

    fn switch(&mut self, op: Op) -> bool {
        self.last_op = op;
        if self.initializing {
            self.switches += 1;
            if self.switches >= INIT_CYCLE && op == Op::Get {
                self.initializing = false;
                self.level = self.level.min(self.max_burst);
            } else {
                self.level = 0;
                return false;
            }
        }
        // Bursts are measured on puts only: gets come from the media clock,
        // and a long run of them is silence, not jitter.
        let changed = op == Op::Get && self.level <= self.max_burst && self.observe();
        self.level = 0;
        changed
    }

    /// Folds the finished burst `self.level` into the effective level.
    fn observe(&mut self) -> bool {
        let level = self.level;
        self.stat.update(level);
        self.max_hist_level = self.max_hist_level.max(level);
        if level < self.eff_level {
            self.stable_hist += 1;
            if self.stable_hist <= STABLE_HISTORY_LIMIT {
                return false;
            }
            // Come down by a third of the way to the recent maximum, at
            // least one frame.
            let step = (self.eff_level.saturating_sub(self.max_hist_level) / 3).max(1);
            self.eff_level = self.eff_level.saturating_sub(step);
            self.max_hist_level = 0;
            self.stable_hist = 0;
            true
        } else if level > self.eff_level {
            // Go up at once to the highest recent burst.
            self.eff_level = self.max_hist_level.min(self.level_cap);
            self.stable_hist = 0;
            true
        } else {
            self.stable_hist = 0;
            false
        }
    }
}

/// What the discard algorithm remembers between calls.
#[derive(Debug, Clone)]
pub(crate) struct Discarder {
    algo: DiscardAlgorithm,
    ptime: u32,
    /// Frames between two discards, at least.
    min_gap: i64,
    /// The index the next discard is scheduled from.
    reference: i64,
    /// Frames after `reference` the next discard falls; 0: none scheduled.
    distance: i64,
}

/// A view of the buffer the discard algorithms decide on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fill {
    /// Frames held, not counting discarded slots.
    pub(crate) eff_len: usize,
    /// The index of the head slot.
    pub(crate) origin: i64,
    /// The index of the newest slot in use.
    pub(crate) newest: Option<i64>,
    /// The burst level to compare with.
    pub(crate) burst: u32,
}

impl Discarder {
    pub(crate) fn new(algo: DiscardAlgorithm, ptime: u32) -> Self {
        Self {
            algo,
            ptime,
            min_gap: i64::from((MIN_SHRINK_GAP_MSEC / ptime).max(1)),
            reference: 0,
            distance: 0,
        }
    }

    /// Forgets any schedule (the indices start over).
    pub(crate) fn reset(&mut self, origin: i64) {
        self.reference = origin;
        self.distance = 0;
    }

    /// After a put: the index of a frame to drop now, if the progressive
    /// algorithm says so.
    pub(crate) fn after_put(&mut self, fill: Fill) -> Option<i64> {
        if self.algo != DiscardAlgorithm::Progressive {
            return None;
        }
        let burst = fill.burst;
        let (Some(newest), Ok(eff_len)) = (fill.newest, u32::try_from(fill.eff_len)) else {
            return None;
        };
        if eff_len <= burst {
            self.distance = 0;
            return None;
        }
        // How long to take to shed the excess: T1 for small bursts, T2 for
        // large ones, linear between; one frame per T / excess.
        let period = if burst <= PRO_DISC_MIN_BURST {
            PRO_DISC_T1
        } else if burst >= PRO_DISC_MAX_BURST {
            PRO_DISC_T2
        } else {
            PRO_DISC_T1
                + (PRO_DISC_T2 - PRO_DISC_T1) * (burst - PRO_DISC_MIN_BURST)
                    / (PRO_DISC_MAX_BURST - PRO_DISC_MIN_BURST)
        };
        let excess = eff_len - burst;
        let frames_apart = i64::from(period / excess / self.ptime);
        if self.distance == 0 || newest < self.reference {
            // A new schedule, or the indices went back (a restart).
            self.reference = newest;
        }
        self.distance = frames_apart.max(self.min_gap);
        let due = self.reference + self.distance;
        if newest < due {
            return None;
        }
        let index = due.max(fill.origin);
        self.reference = index;
        Some(index)
    }

    /// After a put or a get: whether the static algorithm drops the head
    /// frame now.
    pub(crate) fn after_any(&mut self, fill: Fill) -> Option<i64> {
        if self.algo != DiscardAlgorithm::Static {
            return None;
        }
        let excess = fill.eff_len as i64 - 2 * i64::from(fill.burst);
        if excess < 1 {
            return None;
        }
        if fill.origin < self.reference {
            self.reference = fill.origin;
        }
        if fill.origin - self.reference < self.min_gap {
            return None;
        }
        self.reference = fill.origin;
        Some(fill.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `cycles` of `puts` puts then one get.
    fn feed(b: &mut Burst, cycles: u32, puts: u32) {
        for _ in 0..cycles {
            for _ in 0..puts {
                b.on_put(1);
            }
            b.on_get();
        }
    }

    #[test]
    fn burst_level_rises_at_once_and_falls_slowly() {
        let mut b = Burst::new(20, 25);
        feed(&mut b, 4, 3);
        assert!(!b.processing(), "still initializing after 8 switches");
        feed(&mut b, 1, 3);
        assert!(b.processing());
        assert_eq!(b.eff_level(), 3);
        feed(&mut b, 1, 6);
        assert_eq!(b.eff_level(), 6);
        // Twenty lower bursts change nothing; the twenty-first steps down.
        feed(&mut b, STABLE_HISTORY_LIMIT, 1);
        assert_eq!(b.eff_level(), 6);
        feed(&mut b, 1, 1);
        assert_eq!(b.eff_level(), 5, "(6 - 6) / 3 rounds up to one frame");
        feed(&mut b, 21, 1);
        assert_eq!(b.eff_level(), 4);
        // Capped at four fifths of the buffer.
        feed(&mut b, 1, 40);
        assert_eq!(b.eff_level(), 20);
        // A burst past the stall threshold (50 frames at 20 ms) is ignored.
        feed(&mut b, 1, 60);
        assert_eq!(b.stat.max(), 40);
    }

    #[test]
    fn progressive_discard_paces_by_excess() {
        let mut d = Discarder::new(DiscardAlgorithm::Progressive, 20);
        let fill = |eff_len: usize, newest: i64| Fill {
            eff_len,
            origin: newest - eff_len as i64 + 1,
            newest: Some(newest),
            burst: 1,
        };
        assert_eq!(d.after_put(fill(1, 0)), None, "at the burst level");
        // One frame over a burst of one: one drop per 2000 ms = 100 frames.
        assert_eq!(d.after_put(fill(2, 10)), None);
        assert_eq!(d.after_put(fill(2, 109)), None);
        assert_eq!(d.after_put(fill(2, 110)), Some(110));
        // Ten over: every 10 frames, but never closer than 200 ms (10).
        assert_eq!(d.after_put(fill(11, 119)), None);
        assert_eq!(d.after_put(fill(11, 120)), Some(120));
        assert_eq!(d.after_put(fill(40, 130)), Some(130));
        // Back at the level: the schedule is dropped.
        assert_eq!(d.after_put(fill(1, 131)), None);
        assert_eq!(d.after_put(fill(2, 140)), None);
    }

    #[test]
    fn static_discard_keeps_twice_the_burst() {
        let mut d = Discarder::new(DiscardAlgorithm::Static, 20);
        d.reset(0);
        let fill = |eff_len: usize, origin: i64| Fill {
            eff_len,
            origin,
            newest: Some(origin + eff_len as i64 - 1),
            burst: 2,
        };
        assert_eq!(d.after_any(fill(4, 20)), None, "twice the burst is fine");
        assert_eq!(d.after_any(fill(5, 20)), Some(20));
        assert_eq!(d.after_any(fill(5, 29)), None, "one per 200 ms");
        assert_eq!(d.after_any(fill(5, 30)), Some(30));
        assert_eq!(
            Discarder::new(DiscardAlgorithm::None, 20).after_any(fill(50, 100)),
            None
        );
    }
}
