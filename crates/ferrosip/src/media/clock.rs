//! The media clock: a thread that ticks every frame time (PJSUA's null
//! sound device clock, `sndUseSwClock`), for when no sound device clocks
//! the conference bridge.
//!
//! Ticks are scheduled against the start time (`start + n * period`), not
//! from one tick to the next, so sleeping late never accumulates drift. When
//! the thread falls far behind (the machine was suspended, or busy for
//! longer than [`MAX_CATCH_UP`] frames), it does not burst to catch up —
//! that would feed a burst of frames to every sink — but resynchronises and
//! counts the frames it skipped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How many frames late the clock may be and still catch up by ticking
/// without sleeping; beyond that it resynchronises.
pub const MAX_CATCH_UP: u64 = 5;

/// The pure schedule of a clock: when the next tick is due, and what to do
/// when the current time is later than that.
#[derive(Debug, Clone)]
pub struct ClockSchedule {
    start: Instant,
    period: Duration,
    /// Ticks done since `start`.
    ticks: u64,
    /// Frames skipped by resynchronising.
    skipped: u64,
}

/// What the clock should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockStep {
    /// Tick now.
    Tick,
    /// Sleep until this instant.
    Wait(Instant),
}

impl ClockSchedule {
    /// A schedule whose first tick is due at `start`.
    pub fn new(start: Instant, period: Duration) -> Self {
        Self {
            start,
            period: period.max(Duration::from_micros(100)),
            ticks: 0,
            skipped: 0,
        }
    }

    /// When tick number `n` (from 0) is due.
    fn due(&self, n: u64) -> Instant {
        self.start
            + self
                .period
                .saturating_mul(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// What to do at `now`. After [`ClockStep::Tick`], call
    /// [`ClockSchedule::ticked`].
    pub fn step(&mut self, now: Instant) -> ClockStep {
        let due = self.due(self.ticks);
        if now < due {
            return ClockStep::Wait(due);
        }
        let late = now.duration_since(due).as_micros() / self.period.as_micros().max(1);
        let late = u64::try_from(late).unwrap_or(u64::MAX);
        if late > MAX_CATCH_UP {
            // Resynchronise: tick now, and count the frames never ticked.
            self.skipped += late;
            self.start = now;
            self.ticks = 0;
        }
        ClockStep::Tick
    }

    /// One tick was done.
    pub fn ticked(&mut self) {
        self.ticks += 1;
    }

    /// Frames skipped by resynchronising so far.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }
}

/// A running clock thread; stops (and joins) on drop or [`MediaClock::stop`].
#[derive(Debug)]
pub struct MediaClock {
    stop: Arc<AtomicBool>,
    ticks: Arc<AtomicU64>,
    skipped: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl MediaClock {
    /// Starts a thread named `name` that calls `tick` every `period`.
    pub fn start(
        name: &str,
        period: Duration,
        mut tick: impl FnMut() + Send + 'static,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let ticks = Arc::new(AtomicU64::new(0));
        let skipped = Arc::new(AtomicU64::new(0));
        let (s, t, k) = (stop.clone(), ticks.clone(), skipped.clone());
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let mut schedule = ClockSchedule::new(Instant::now(), period);
                while !s.load(Ordering::Relaxed) {
                    match schedule.step(Instant::now()) {
                        ClockStep::Tick => {
                            tick();
                            schedule.ticked();
                            t.fetch_add(1, Ordering::Relaxed);
                            k.store(schedule.skipped(), Ordering::Relaxed);
                        }
                        ClockStep::Wait(until) => {
                            // Sleep in slices so that stop() is noticed quickly.
                            let left = until.saturating_duration_since(Instant::now());
                            std::thread::sleep(left.min(Duration::from_millis(50)));
                        }
                    }
                }
            })?;
        Ok(Self {
            stop,
            ticks,
            skipped,
            thread: Some(thread),
        })
    }

    /// Ticks so far.
    pub fn ticks(&self) -> u64 {
        self.ticks.load(Ordering::Relaxed)
    }

    /// Frames skipped by resynchronising so far.
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }

    /// Stops the thread and waits for it (a tick in progress finishes).
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            if t.thread().id() != std::thread::current().id() {
                let _ = t.join();
            }
        }
    }
}

impl Drop for MediaClock {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Duration = Duration::from_millis(20);

    #[test]
    fn ticks_on_the_grid_without_drift() {
        let t0 = Instant::now();
        let mut s = ClockSchedule::new(t0, P);
        assert_eq!(s.step(t0), ClockStep::Tick);
        s.ticked();
        assert_eq!(
            s.step(t0 + Duration::from_millis(5)),
            ClockStep::Wait(t0 + P)
        );
        // Woken 3 ms late: tick, and the next is still on the grid.
        assert_eq!(s.step(t0 + P + Duration::from_millis(3)), ClockStep::Tick);
        s.ticked();
        assert_eq!(
            s.step(t0 + P + Duration::from_millis(4)),
            ClockStep::Wait(t0 + 2 * P)
        );
    }

    #[test]
    fn catches_up_a_little_and_resynchronises_after_a_long_stall() {
        let t0 = Instant::now();
        let mut s = ClockSchedule::new(t0, P);
        s.step(t0);
        s.ticked();
        // 3 frames late: tick back to back until on time.
        let now = t0 + 4 * P;
        let mut burst = 0;
        while s.step(now) == ClockStep::Tick {
            s.ticked();
            burst += 1;
        }
        assert_eq!(burst, 4);
        assert_eq!(s.skipped(), 0);
        // Two seconds of stall: one tick now, the rest skipped, no burst.
        let now = t0 + Duration::from_secs(2) + 5 * P;
        assert_eq!(s.step(now), ClockStep::Tick);
        s.ticked();
        assert!(s.skipped() >= 90, "{}", s.skipped());
        assert_eq!(s.step(now), ClockStep::Wait(now + P));
    }

    #[test]
    fn the_thread_ticks_and_stops() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut clock = MediaClock::start("test-clock", Duration::from_millis(1), move || {
            let _ = tx.send(());
        })
        .unwrap();
        for _ in 0..3 {
            rx.recv_timeout(Duration::from_secs(5)).unwrap();
        }
        clock.stop();
        let after = clock.ticks();
        assert!(after >= 3);
        // Stopped: no more ticks arrive.
        while rx.try_recv().is_ok() {}
        std::thread::sleep(Duration::from_millis(20));
        assert!(rx.try_recv().is_err());
        assert_eq!(clock.ticks(), after);
    }
}
