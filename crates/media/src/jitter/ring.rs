//! The frame slots: a ring of `jb_max` slots, the first of which (the head)
//! holds the frame to play next, whose index is the ring's origin.

/// What one slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlotState {
    /// No frame (yet): played as missing if nothing comes.
    Vacant,
    /// A frame's payload.
    Frame,
    /// Part of a silence gap (DTX) before a talkspurt: played as empty.
    Silence,
    /// Dropped to shorten the delay; skipped when its turn comes.
    /// `had_frame`: whether a frame was there (its absence needs no
    /// concealment).
    Discarded { had_frame: bool },
}

#[derive(Debug, Clone)]
struct Slot {
    state: SlotState,
    timestamp: u32,
    payload: Vec<u8>,
}

/// What [`FrameRing::drop_all`] or [`FrameRing::remove_head`] threw away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Dropped {
    /// Slots that held a frame.
    pub(crate) frames: u32,
    /// Vacant slots (frames that never came).
    pub(crate) vacant: u32,
}

/// The slots, indexed by frame index (extended timestamp / frame span).
///
/// Invariants: every slot outside the first `len` from the head is
/// [`SlotState::Vacant`]; within them, the last is not vacant; `stored` and
/// `discarded` count the slots in those states within them.
#[derive(Debug, Clone)]
pub(crate) struct FrameRing {
    slots: Vec<Slot>,
    head: usize,
    origin: i64,
    len: usize,
    stored: usize,
    discarded: usize,
    /// Bit `i` set: the frame of index `origin - 1 - i` was received before
    /// its turn passed (so a copy arriving now is a duplicate, not late).
    received: u128,
}

impl FrameRing {
    pub(crate) fn new(capacity: usize) -> Self {
        let slot = Slot {
            state: SlotState::Vacant,
            timestamp: 0,
            payload: Vec::new(),
        };
        Self {
            slots: vec![slot; capacity.max(1)],
            head: 0,
            origin: 0,
            len: 0,
            stored: 0,
            discarded: 0,
            received: 0,
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// The index of the head slot: the next frame to play.
    pub(crate) fn origin(&self) -> i64 {
        self.origin
    }

    /// Slots in use, from the head to the newest one that is not vacant.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Slots in use that are not discarded: the delay the buffer holds.
    pub(crate) fn eff_len(&self) -> usize {
        self.len - self.discarded
    }

    /// Slots holding a frame.
    pub(crate) fn stored(&self) -> usize {
        self.stored
    }

    /// The index of the newest slot in use, if any.
    pub(crate) fn newest(&self) -> Option<i64> {
        (self.len > 0).then(|| self.origin + self.len as i64 - 1)
    }

    fn pos(&self, index: i64) -> usize {
        debug_assert!((0..self.capacity() as i64).contains(&(index - self.origin)));
        (self.head + (index - self.origin) as usize) % self.capacity()
    }

    /// The state of a slot within `[origin, origin + capacity)`.
    pub(crate) fn state(&self, index: i64) -> SlotState {
        self.slots[self.pos(index)].state
    }

    /// Whether the frame of `index`, before the origin, was received.
    pub(crate) fn was_received(&self, index: i64) -> bool {
        let back = self.origin - 1 - index;
        (0..128).contains(&back) && self.received >> back & 1 == 1
    }

    /// Stores a frame in a vacant or silent slot within the capacity.
    pub(crate) fn store(&mut self, index: i64, timestamp: u32, payload: &[u8]) {
        let pos = self.pos(index);
        let slot = &mut self.slots[pos];
        debug_assert!(matches!(slot.state, SlotState::Vacant | SlotState::Silence));
        slot.state = SlotState::Frame;
        slot.timestamp = timestamp;
        slot.payload.clear();
        slot.payload.extend_from_slice(payload);
        self.stored += 1;
        self.len = self.len.max((index - self.origin) as usize + 1);
    }

    /// Marks the vacant slots of `[from, to)` as silence; `to` must be
    /// within the slots in use.
    pub(crate) fn mark_silence(&mut self, from: i64, to: i64) {
        for index in from.max(self.origin)..to {
            let pos = self.pos(index);
            if self.slots[pos].state == SlotState::Vacant {
                self.slots[pos].state = SlotState::Silence;
            }
        }
    }

    /// Marks the first slot at or after `index` that is not yet discarded;
    /// gives its index, or `None` if every slot in use from there is.
    pub(crate) fn discard_from(&mut self, index: i64) -> Option<(i64, bool)> {
        let end = self.origin + self.len as i64;
        for index in index.max(self.origin)..end {
            let pos = self.pos(index);
            let had_frame = match self.slots[pos].state {
                SlotState::Discarded { .. } => continue,
                SlotState::Frame => {
                    self.stored -= 1;
                    true
                }
                SlotState::Vacant | SlotState::Silence => false,
            };
            self.slots[pos].state = SlotState::Discarded { had_frame };
            self.discarded += 1;
            return Some((index, had_frame));
        }
        None
    }

    /// Takes the head slot: gives its state and where it is (its payload and
    /// timestamp stay readable until the slot is stored into again), and
    /// moves the origin on by one.
    pub(crate) fn pop(&mut self) -> (SlotState, usize) {
        let pos = self.head;
        let state = self.slots[pos].state;
        match state {
            SlotState::Frame => self.stored -= 1,
            SlotState::Discarded { .. } => self.discarded -= 1,
            SlotState::Vacant | SlotState::Silence => {}
        }
        let received = matches!(
            state,
            SlotState::Frame | SlotState::Discarded { had_frame: true }
        );
        self.received = self.received << 1 | u128::from(received);
        self.slots[pos].state = SlotState::Vacant;
        self.head = (self.head + 1) % self.capacity();
        self.origin += 1;
        self.len = self.len.saturating_sub(1);
        (state, pos)
    }

    /// The payload of the slot at `pos` (as given by [`Self::pop`]).
    pub(crate) fn payload(&self, pos: usize) -> &[u8] {
        &self.slots[pos].payload
    }

    /// The timestamp of the slot at `pos` (as given by [`Self::pop`]).
    pub(crate) fn timestamp(&self, pos: usize) -> u32 {
        self.slots[pos].timestamp
    }

    /// Drops `n` slots from the head, counting what they held.
    pub(crate) fn remove_head(&mut self, n: usize) -> Dropped {
        let mut dropped = Dropped::default();
        for _ in 0..n {
            match self.pop().0 {
                SlotState::Frame => dropped.frames += 1,
                SlotState::Vacant => dropped.vacant += 1,
                SlotState::Silence | SlotState::Discarded { .. } => {}
            }
        }
        dropped
    }

    /// Empties every slot; counts the frames dropped.
    pub(crate) fn drop_all(&mut self) -> Dropped {
        let mut dropped = Dropped::default();
        for i in 0..self.len {
            let pos = (self.head + i) % self.capacity();
            match self.slots[pos].state {
                SlotState::Frame => dropped.frames += 1,
                SlotState::Vacant => dropped.vacant += 1,
                SlotState::Silence | SlotState::Discarded { .. } => {}
            }
            self.slots[pos].state = SlotState::Vacant;
        }
        self.len = 0;
        self.stored = 0;
        self.discarded = 0;
        dropped
    }

    /// Starts over at `origin`, forgetting everything.
    pub(crate) fn reset(&mut self, origin: i64) -> Dropped {
        let dropped = self.drop_all();
        self.origin = origin;
        self.received = 0;
        dropped
    }

    /// Moves the origin of a ring holding no frame to `origin`, forward or
    /// back (back by at most the capacity).
    pub(crate) fn jump(&mut self, origin: i64) {
        debug_assert_eq!(self.stored, 0);
        self.drop_all();
        let delta = origin - self.origin;
        let cap = self.capacity() as i64;
        self.head = (self.head as i64 + delta).rem_euclid(cap) as usize;
        self.received = if delta >= 0 {
            u32::try_from(delta)
                .ok()
                .and_then(|d| self.received.checked_shl(d))
                .unwrap_or(0)
        } else {
            u32::try_from(-delta)
                .ok()
                .and_then(|d| self.received.checked_shr(d))
                .unwrap_or(0)
        };
        self.origin = origin;
    }

    /// Moves the origin back by `back` slots (they become vacant slots in
    /// use), if the slots in use still fit.
    pub(crate) fn extend_back(&mut self, back: usize) -> bool {
        if self.len + back > self.capacity() {
            return false;
        }
        let cap = self.capacity();
        self.head = (self.head + cap - back % cap) % cap;
        self.origin -= back as i64;
        self.received = u32::try_from(back)
            .ok()
            .and_then(|b| self.received.checked_shr(b))
            .unwrap_or(0);
        if self.len > 0 {
            self.len += back;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_pops_and_wraps() {
        let mut ring = FrameRing::new(4);
        ring.reset(10);
        for round in 0..3 {
            let base = 10 + round * 4;
            ring.store(base + 2, 7, b"c");
            ring.store(base, 5, b"a");
            assert_eq!((ring.len(), ring.stored()), (3, 2));
            assert_eq!(ring.newest(), Some(base + 2));
            let (state, pos) = ring.pop();
            assert_eq!(
                (state, ring.payload(pos), ring.timestamp(pos)),
                (SlotState::Frame, &b"a"[..], 5)
            );
            assert_eq!(ring.pop().0, SlotState::Vacant);
            assert_eq!(ring.pop().0, SlotState::Frame);
            assert_eq!(ring.pop().0, SlotState::Vacant);
            assert_eq!((ring.len(), ring.stored(), ring.origin()), (0, 0, base + 4));
            assert!(ring.was_received(base) && !ring.was_received(base + 1));
            assert!(ring.was_received(base + 2) && !ring.was_received(base + 3));
        }
    }

    #[test]
    fn discards_jumps_and_extends() {
        let mut ring = FrameRing::new(8);
        ring.reset(0);
        ring.store(1, 0, b"x");
        ring.store(3, 0, b"y");
        assert_eq!(ring.discard_from(0), Some((0, false)));
        assert_eq!(ring.discard_from(0), Some((1, true)));
        assert_eq!(ring.eff_len(), 2);
        assert_eq!(ring.remove_head(2), Dropped::default());
        assert_eq!(ring.pop().0, SlotState::Vacant);
        assert_eq!(ring.pop().0, SlotState::Frame);
        assert_eq!(ring.stored(), 0);
        ring.jump(10);
        assert!(ring.was_received(3) && !ring.was_received(4) && ring.origin() == 10);
        ring.store(12, 0, b"z");
        ring.mark_silence(10, 12);
        assert_eq!(ring.state(10), SlotState::Silence);
        assert!(ring.extend_back(2));
        assert_eq!((ring.origin(), ring.len()), (8, 5));
        assert_eq!(ring.state(8), SlotState::Vacant);
        assert!(!ring.extend_back(4));
        assert_eq!(
            ring.drop_all(),
            Dropped {
                frames: 1,
                vacant: 2
            }
        );
    }
}
