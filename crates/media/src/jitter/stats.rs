//! What the buffer reports: PJSUA2's `JbufState`, and finer counters.

/// The buffer's state and statistics, in the shape of PJSUA2's `JbufState`
/// (`pjmedia_jb_state`), as `StreamStat.jbuf` reports it.
///
/// Sizes are in frames, delays in milliseconds. `lost`, `discard` and
/// `empty` count since the buffer was made; a [`super::JitterBuffer::reset`]
/// keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct JbufState {
    /// Largest frame the buffer takes, in bytes.
    pub frame_size: u32,
    /// Least prefetch, frames (`jbMinPre`).
    pub min_prefetch: u32,
    /// Most prefetch, frames (`jbMaxPre`).
    pub max_prefetch: u32,
    /// The effective burst level: how many frames arrive together, the
    /// delay the buffer aims for.
    pub burst: u32,
    /// Frames waited for after running dry (0: no prefetch).
    pub prefetch: u32,
    /// Frames held now, including the slots of missing ones.
    pub size: u32,
    /// Mean delay, ms: frames held when a frame is first taken after
    /// arrivals, times the frame time.
    pub avg_delay_msec: u32,
    /// Least delay seen, ms.
    pub min_delay_msec: u32,
    /// Most delay seen, ms.
    pub max_delay_msec: u32,
    /// Standard deviation of the delay, ms.
    pub dev_delay_msec: u32,
    /// Mean burst level, frames.
    pub avg_burst: u32,
    /// Frames that never arrived in time: played as missing (the caller
    /// conceals them), or skipped over.
    pub lost: u32,
    /// Frames that arrived but were thrown away: duplicates, late ones,
    /// oversized ones, and those dropped to shorten the delay or to make
    /// room.
    pub discard: u32,
    /// Ticks that played no frame: prefetching, run dry, a silence gap
    /// before a talkspurt, or held back after a late frame.
    pub empty: u32,
}

/// Finer counts than [`JbufState`] gives, for tests and diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct JitterCounters {
    /// Frames offered to [`super::JitterBuffer::put`].
    pub put: u64,
    /// Frames stored.
    pub stored: u64,
    /// Frames refused because the same frame was already held or played.
    pub duplicate: u64,
    /// Frames refused because their turn had passed.
    pub late: u64,
    /// Frames refused for being longer than `max_frame_size`.
    pub oversized: u64,
    /// Times the buffer started over because the timestamps jumped (a
    /// sender restart), not counting [`super::JitterBuffer::reset`].
    pub restarts: u64,
    /// Frames dropped to make room (more than `jb_max` held).
    pub overflow_dropped: u64,
    /// Frames dropped by the discard algorithm to shorten the delay.
    pub shrink_dropped: u64,
    /// Frames dropped by a restart.
    pub restart_dropped: u64,
    /// [`super::Frame::Normal`] results.
    pub normal: u64,
    /// [`super::Frame::Missing`] results.
    pub missing: u64,
    /// [`super::Frame::Discarded`] results.
    pub discarded: u64,
    /// [`super::Frame::Prefetching`] results.
    pub prefetching: u64,
    /// [`super::Frame::Empty`] results (held ticks included).
    pub empty: u64,
    /// Ticks held back, playing nothing although frames were held, to make
    /// the delay a frame longer after a late frame.
    pub held: u64,
}

/// Running minimum, maximum, mean and deviation (pjlib's `pj_math_stat`),
/// by Welford's method.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct MathStat {
    n: u64,
    min: u32,
    max: u32,
    mean: f64,
    m2: f64,
}

impl MathStat {
    pub(crate) fn update(&mut self, value: u32) {
        if self.n == 0 {
            self.min = value;
            self.max = value;
        } else {
            self.min = self.min.min(value);
            self.max = self.max.max(value);
        }
        self.n += 1;
        let x = f64::from(value);
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    pub(crate) fn min(&self) -> u32 {
        self.min
    }

    pub(crate) fn max(&self) -> u32 {
        self.max
    }

    pub(crate) fn mean(&self) -> u32 {
        self.mean.round() as u32
    }

    pub(crate) fn stddev(&self) -> u32 {
        if self.n < 2 {
            0
        } else {
            (self.m2 / self.n as f64).sqrt().round() as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_stat_measures() {
        let mut s = MathStat::default();
        assert_eq!((s.min(), s.max(), s.mean(), s.stddev()), (0, 0, 0, 0));
        for v in [2, 4, 4, 4, 5, 5, 7, 9] {
            s.update(v);
        }
        assert_eq!((s.min(), s.max(), s.mean(), s.stddev()), (2, 9, 5, 2));
    }
}
