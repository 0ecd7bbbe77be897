//! The jitter buffer itself: frames in by timestamp, frames out by tick.

use super::adapt::{Burst, Discarder, Fill};
use super::config::{ConfigError, JitterConfig, MAX_DROPOUT, MAX_MISORDER, Resolved};
use super::frame::{Frame, PutOutcome};
use super::ring::{Dropped, FrameRing, SlotState};
use super::stats::{JbufState, JitterCounters, MathStat};

/// An adaptive jitter buffer of encoded frames (pjmedia's `jbuf`), sans-IO.
///
/// Frames go in with [`JitterBuffer::put`] as packets arrive, in any order,
/// keyed by their RTP timestamp; the media clock takes one out with
/// [`JitterBuffer::get`] every frame time. No clock is read: the order of
/// puts and gets is the only notion of time, so the buffer runs the same in
/// virtual time as in real time. See the [module docs](super) for the
/// algorithm.
#[derive(Debug, Clone)]
pub struct JitterBuffer {
    cfg: Resolved,
    ring: FrameRing,
    /// Whether a frame has been stored since the buffer was made or reset.
    started: bool,
    /// The highest extended timestamp seen (32-bit timestamps unwrapped).
    highest_ts: i64,
    /// The highest timestamp of the stream before the last restart: its
    /// stragglers are late frames, not another restart.
    previous_epoch: Option<u32>,
    /// `extended timestamp - index * span` of the latest frame stored: how
    /// to give a missing frame its timestamp.
    phase: i64,
    /// Frames to wait for before playing; 0 is no prefetch.
    prefetch: u32,
    prefetching: bool,
    /// Ticks that found nothing to play since the last frame played or
    /// stored: frames whose turn has gone by although they never came.
    dry_gets: u32,
    /// The lowest index a prefetching buffer may still move back to for a
    /// frame that arrived out of order.
    floor: i64,
    /// Frames were dropped just before the head: conceal the splice.
    splice: bool,
    /// A frame came after its turn: hold the next tick, so that the delay
    /// grows by a frame.
    hold: bool,
    burst: Burst,
    discarder: Discarder,
    delay: MathStat,
    lost: u64,
    discard: u64,
    empty: u64,
    counters: JitterCounters,
}

impl JitterBuffer {
    /// A buffer with `config`'s settings; an error if they contradict each
    /// other.
    pub fn new(config: &JitterConfig) -> Result<Self, ConfigError> {
        let cfg = config.resolve()?;
        Ok(Self {
            cfg,
            ring: FrameRing::new(cfg.max_count as usize),
            started: false,
            highest_ts: 0,
            previous_epoch: None,
            phase: 0,
            prefetch: cfg.init_prefetch,
            prefetching: cfg.init_prefetch > 0,
            dry_gets: 0,
            floor: 0,
            splice: false,
            hold: false,
            burst: Burst::new(cfg.ptime, cfg.max_count),
            discarder: Discarder::new(cfg.discard, cfg.ptime),
            delay: MathStat::default(),
            lost: 0,
            discard: 0,
            empty: 0,
            counters: JitterCounters::default(),
        })
    }

    /// Takes one frame of a packet that arrived: `timestamp` is the frame's
    /// RTP timestamp, `marker` the packet's marker bit (the first packet of a
    /// talkspurt, RFC 3551 §4.1). See [`JitterBuffer::put_frames`] for a
    /// packet of several frames.
    pub fn put(&mut self, timestamp: u32, payload: &[u8], marker: bool) -> PutOutcome {
        self.counters.put += 1;
        if payload.len() > self.cfg.max_frame_size {
            self.counters.oversized += 1;
            self.discard += 1;
            return PutOutcome::Oversized;
        }
        let mut restarted = false;
        let mut index = if self.started {
            self.index_of(timestamp)
        } else {
            self.begin(timestamp)
        };
        let origin = self.ring.origin();
        let far = index < origin - MAX_MISORDER || index > origin + MAX_DROPOUT;
        if far && self.is_straggler(timestamp) {
            return self.refuse(PutOutcome::Late);
        }
        if index < origin {
            let back = origin - index;
            if back > MAX_MISORDER {
                index = self.restart(timestamp);
                restarted = true;
            } else if self.ring.was_received(index) {
                return self.refuse(PutOutcome::Duplicate);
            } else if !(self.prefetching
                && index >= self.floor
                && self.ring.extend_back(back as usize))
            {
                // The delay is too short for this network: make it a frame
                // longer (pjmedia only grows it when the buffer runs dry,
                // which reordering seldom makes it do).
                self.hold = self.burst.processing() && !self.prefetching;
                return self.refuse(PutOutcome::Late);
            }
        } else if index - origin > MAX_DROPOUT {
            index = self.restart(timestamp);
            restarted = true;
        } else if self.ring.stored() == 0 {
            self.enter_empty(index, marker);
        }

        let distance = index - self.ring.origin();
        let capacity = self.ring.capacity() as i64;
        if distance >= capacity {
            // Full: drop the oldest frames to make room.
            let dropped = self.ring.remove_head((distance - capacity + 1) as usize);
            self.count_dropped(dropped);
            self.counters.overflow_dropped += u64::from(dropped.frames);
            self.splice |= dropped.frames > 0;
            self.floor = self.ring.origin();
        }
        match self.ring.state(index) {
            SlotState::Frame | SlotState::Discarded { had_frame: true } => {
                return self.refuse(PutOutcome::Duplicate);
            }
            SlotState::Discarded { had_frame: false } => return self.refuse(PutOutcome::Late),
            SlotState::Vacant | SlotState::Silence => {}
        }

        let before = self.ring.eff_len();
        let newest = self.ring.newest();
        self.ring.store(index, timestamp, payload);
        let extended = self.extend(timestamp);
        self.highest_ts = self.highest_ts.max(extended);
        self.phase = extended - index * i64::from(self.cfg.ts_span);
        let mut growth = self.ring.eff_len().saturating_sub(before);
        if let Some(newest) = newest.filter(|&n| marker && index > n + 1) {
            // A talkspurt starts after a silence gap while the previous one
            // still plays: the gap is silence, not loss, and not a burst.
            self.ring.mark_silence(newest + 1, index);
            growth = 1;
        }
        self.counters.stored += 1;
        self.dry_gets = 0;
        if self.prefetching && self.ring.eff_len() >= self.prefetch as usize {
            self.prefetching = false;
        }
        self.burst.on_put(u32::try_from(growth).unwrap_or(u32::MAX));
        if self.burst.processing() {
            let fill = self.fill();
            if let Some(at) = self.discarder.after_put(fill) {
                self.shrink(at);
            }
            self.discard_static();
        }
        if restarted {
            PutOutcome::Restarted
        } else {
            PutOutcome::Stored
        }
    }

    /// Takes the frames of one packet: the first has RTP timestamp
    /// `timestamp`, each next one `frame_ts_span` later; `marker` is the
    /// packet's marker bit. Gives how many were stored.
    pub fn put_frames<'p, I>(&mut self, timestamp: u32, frames: I, marker: bool) -> usize
    where
        I: IntoIterator<Item = &'p [u8]>,
    {
        let mut ts = timestamp;
        let mut stored = 0;
        for (i, frame) in frames.into_iter().enumerate() {
            if self.put(ts, frame, marker && i == 0).is_stored() {
                stored += 1;
            }
            ts = ts.wrapping_add(self.cfg.ts_span);
        }
        stored
    }

    /// The frame for this tick of the media clock: call it once per frame
    /// time.
    pub fn get(&mut self) -> Frame<'_> {
        let after_put = self.burst.last_op_was_put();
        let taken = if !self.started || self.prefetching {
            None
        } else if std::mem::take(&mut self.hold) && self.ring.stored() > 0 {
            return self.held();
        } else {
            self.skip_discarded();
            (self.ring.stored() > 0).then(|| self.ring.pop())
        };
        let Some((state, pos)) = taken else {
            return self.nothing();
        };
        let index = self.ring.origin() - 1;
        if after_put {
            let held = self.ring.eff_len() as u32 + 1;
            self.delay.update(held * self.cfg.ptime);
        }
        self.floor = self.ring.origin();
        self.dry_gets = 0;
        let splice = std::mem::take(&mut self.splice);
        let kind = match state {
            SlotState::Frame if splice => {
                self.discard += 1;
                self.counters.discarded += 1;
                Kind::Discarded
            }
            SlotState::Frame => {
                self.counters.normal += 1;
                Kind::Normal
            }
            SlotState::Vacant => {
                self.lost += 1;
                self.counters.missing += 1;
                Kind::Missing
            }
            SlotState::Silence | SlotState::Discarded { .. } => {
                self.empty += 1;
                self.counters.empty += 1;
                Kind::Empty
            }
        };
        self.after_get();
        let timestamp = match state {
            SlotState::Frame => self.ring.timestamp(pos),
            _ => self.timestamp_of(index),
        };
        match kind {
            Kind::Normal => Frame::Normal {
                timestamp,
                payload: self.ring.payload(pos),
            },
            Kind::Missing => Frame::Missing { timestamp },
            Kind::Discarded => Frame::Discarded { timestamp },
            Kind::Empty => Frame::Empty,
        }
    }

    /// Forgets every frame held and starts over, as after a change of
    /// source (new SSRC): prefetches again and relearns the burst level,
    /// starting from the one learned. Statistics are kept.
    pub fn reset(&mut self) {
        self.ring.reset(0);
        self.previous_epoch = None;
        self.started = false;
        self.prefetching = self.prefetch > 0;
        self.dry_gets = 0;
        self.splice = false;
        self.hold = false;
        self.burst.restart();
        self.discarder.reset(0);
    }

    /// The state in PJSUA2's `JbufState` shape.
    pub fn state(&self) -> JbufState {
        let sat = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        JbufState {
            frame_size: u32::try_from(self.cfg.max_frame_size).unwrap_or(u32::MAX),
            min_prefetch: self.cfg.min_prefetch,
            max_prefetch: self.cfg.max_prefetch,
            burst: self.burst.eff_level(),
            prefetch: self.prefetch,
            size: self.ring.eff_len() as u32,
            avg_delay_msec: self.delay.mean(),
            min_delay_msec: self.delay.min(),
            max_delay_msec: self.delay.max(),
            dev_delay_msec: self.delay.stddev(),
            avg_burst: self.burst.stat.mean(),
            lost: sat(self.lost),
            discard: sat(self.discard),
            empty: sat(self.empty),
        }
    }

    /// Finer counts than [`JitterBuffer::state`] gives.
    pub fn counters(&self) -> JitterCounters {
        self.counters
    }

    /// The frame time, ms.
    pub fn frame_ptime_ms(&self) -> u32 {
        self.cfg.ptime
    }

    /// The most frames the buffer holds (`jb_max` in frames).
    pub fn capacity(&self) -> u32 {
        self.cfg.max_count
    }

    /// Whether the buffer is waiting to fill up to its prefetch level.
    pub fn is_prefetching(&self) -> bool {
        self.prefetching
    }

    /// Frames held now (slots of missing frames included, dropped ones not).
    pub fn len(&self) -> usize {
        self.ring.eff_len()
    }

    /// Whether no frame is held.
    pub fn is_empty(&self) -> bool {
        self.ring.stored() == 0
    }

    // ---- internals ----

    /// Starts at the first frame (or after a reset).
    fn begin(&mut self, timestamp: u32) -> i64 {
        self.started = true;
        self.highest_ts = i64::from(timestamp);
        let index = self.index_of(timestamp);
        self.ring.reset(index);
        self.floor = index;
        self.dry_gets = 0;
        self.splice = false;
        self.discarder.reset(index);
        index
    }

    /// Whether a frame far from the stream is one of the stream before the
    /// last restart, arriving late (on a reordering network they follow the
    /// first frames of the new stream).
    fn is_straggler(&self, timestamp: u32) -> bool {
        self.previous_epoch.is_some_and(|highest| {
            // Within 100 frames either side of where that stream was: those
            // sent just before the restart may still be on the way.
            let away = i64::from(timestamp.wrapping_sub(highest) as i32).abs();
            away <= MAX_MISORDER * i64::from(self.cfg.ts_span)
        })
    }

    /// Starts over at a frame whose timestamp jumped (the sender restarted).
    fn restart(&mut self, timestamp: u32) -> i64 {
        self.previous_epoch = Some(self.highest_ts as u32);
        let dropped = self.ring.drop_all();
        self.discard += u64::from(dropped.frames);
        self.counters.restart_dropped += u64::from(dropped.frames);
        self.counters.restarts += 1;
        self.prefetching = self.prefetch > 0;
        self.begin(timestamp)
    }

    /// A frame of `index` arrives at a buffer holding no frame, at or after
    /// the origin: where should the origin go?
    fn enter_empty(&mut self, index: i64, marker: bool) {
        let gap = index - self.ring.origin();
        if marker || gap <= i64::from(self.dry_gets) || gap >= self.ring.capacity() as i64 {
            // The frames in between had their turn (the ticks that found
            // nothing), or were never sent (a new talkspurt after silence):
            // play this one next.
            self.ring.jump(index);
            if marker {
                self.floor = index;
            }
        } else {
            // Reordered or lost frames whose turn has not come yet keep
            // their slots; those whose turn went by are skipped.
            self.ring
                .jump(self.ring.origin() + i64::from(self.dry_gets));
        }
        if marker && self.prefetch > 0 {
            self.prefetching = true;
        }
    }

    /// Unwraps a 32-bit timestamp near the highest seen.
    fn extend(&self, timestamp: u32) -> i64 {
        let delta = timestamp.wrapping_sub(self.highest_ts as u32) as i32;
        self.highest_ts + i64::from(delta)
    }

    /// The frame index of a timestamp; the highest timestamp moves on only
    /// when a frame is stored.
    fn index_of(&self, timestamp: u32) -> i64 {
        self.extend(timestamp)
            .div_euclid(i64::from(self.cfg.ts_span))
    }

    fn timestamp_of(&self, index: i64) -> u32 {
        (index * i64::from(self.cfg.ts_span) + self.phase) as u32
    }

    fn refuse(&mut self, outcome: PutOutcome) -> PutOutcome {
        match outcome {
            PutOutcome::Duplicate => self.counters.duplicate += 1,
            PutOutcome::Late => self.counters.late += 1,
            _ => {}
        }
        self.discard += 1;
        outcome
    }

    fn count_dropped(&mut self, dropped: Dropped) {
        self.discard += u64::from(dropped.frames);
        self.lost += u64::from(dropped.vacant);
    }

    fn fill(&self) -> Fill {
        Fill {
            eff_len: self.ring.eff_len(),
            origin: self.ring.origin(),
            newest: self.ring.newest(),
            burst: self.burst.current(),
        }
    }

    /// Drops the frame at or after `index` to shorten the delay.
    fn shrink(&mut self, index: i64) {
        if let Some((_, true)) = self.ring.discard_from(index) {
            self.discard += 1;
            self.counters.shrink_dropped += 1;
        }
    }

    fn discard_static(&mut self) {
        if self.ring.stored() == 0 {
            return;
        }
        if let Some(at) = self.discarder.after_any(self.fill()) {
            self.shrink(at);
        }
    }

    /// Skips the discarded slots at the head; a dropped frame leaves a
    /// splice to conceal.
    fn skip_discarded(&mut self) {
        while self.ring.len() > 0 {
            match self.ring.state(self.ring.origin()) {
                SlotState::Discarded { had_frame } => {
                    self.ring.pop();
                    if had_frame {
                        self.splice = true;
                    } else {
                        self.lost += 1;
                    }
                }
                _ => break,
            }
        }
    }

    /// Nothing to play this tick.
    fn nothing(&mut self) -> Frame<'static> {
        let prefetching = self.prefetching || (!self.started && self.prefetch > 0);
        if self.started && self.ring.stored() == 0 {
            // Run dry. What slots are left (silence, dropped frames) have
            // no frame after them: nothing worth keeping a place for.
            let dropped = self.ring.drop_all();
            self.lost += u64::from(dropped.vacant);
            self.dry_gets = self.dry_gets.saturating_add(1);
            if self.prefetch > 0 {
                self.prefetching = true;
            }
            self.splice = false;
        }
        self.empty += 1;
        self.after_get();
        if prefetching {
            self.counters.prefetching += 1;
            Frame::Prefetching
        } else {
            self.counters.empty += 1;
            Frame::Empty
        }
    }

    /// A tick that plays nothing although frames are held: the delay
    /// grows by one frame.
    fn held(&mut self) -> Frame<'static> {
        self.empty += 1;
        self.counters.empty += 1;
        self.counters.held += 1;
        self.after_get();
        Frame::Empty
    }

    /// Burst accounting and discards after any get.
    fn after_get(&mut self) {
        if self.burst.on_get() && self.cfg.init_prefetch > 0 {
            self.prefetch = self
                .burst
                .eff_level()
                .clamp(self.cfg.min_prefetch, self.cfg.max_prefetch);
        }
        if self.burst.processing() {
            self.discard_static();
        }
    }
}

/// The kind of frame a get gives, decided before the payload is borrowed.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Normal,
    Missing,
    Discarded,
    Empty,
}
