//! The ring buffers between a sound device's callback and the media tick:
//! one producer and one consumer, lock-free (every sample is an atomic, so
//! no `unsafe` is needed), with counters of the samples dropped and of the
//! silence given.
//!
//! The device's clock and the media clock drift apart, and either side may
//! be late for a while; the consumer absorbs that ([`Reader`]):
//! - it waits until a target fill is reached before it starts, and again
//!   after running dry, so that small jitter does not starve it;
//! - on underflow (less than asked for) it gives silence, and counts it;
//! - on overflow (more than the high mark waiting) it drops the oldest
//!   samples down to the target, and counts them; the producer, finding the
//!   ring full (the consumer stopped), drops what it brings, and counts it.

use std::sync::atomic::{AtomicI16, AtomicU64, AtomicUsize, Ordering};

/// A single-producer single-consumer ring of samples.
#[derive(Debug)]
pub(crate) struct Ring {
    buf: Box<[AtomicI16]>,
    /// Samples written since the start (the producer's; wraps).
    write: AtomicUsize,
    /// Samples read or dropped since the start (the consumer's; wraps).
    read: AtomicUsize,
    channels: usize,
    pushed: AtomicU64,
    popped: AtomicU64,
    underflow: AtomicU64,
    overflow: AtomicU64,
}

/// Counters of a [`Ring`], in samples (all channels).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RingCounters {
    /// Samples the producer brought.
    pub(crate) pushed: u64,
    /// Samples the consumer took.
    pub(crate) popped: u64,
    /// Samples of silence the consumer got for want of data.
    pub(crate) underflow: u64,
    /// Samples dropped: the oldest, by the consumer, above the high mark;
    /// or new ones, by the producer, when the ring was full.
    pub(crate) overflow: u64,
}

impl Ring {
    /// A ring of `capacity` samples (rounded up to whole frames of
    /// `channels`).
    pub(crate) fn new(capacity: usize, channels: usize) -> Self {
        let channels = channels.max(1);
        let capacity = capacity.max(channels).div_ceil(channels) * channels;
        Self {
            buf: (0..capacity).map(|_| AtomicI16::new(0)).collect(),
            write: AtomicUsize::new(0),
            read: AtomicUsize::new(0),
            channels,
            pushed: AtomicU64::new(0),
            popped: AtomicU64::new(0),
            underflow: AtomicU64::new(0),
            overflow: AtomicU64::new(0),
        }
    }

    /// Samples waiting.
    pub(crate) fn len(&self) -> usize {
        self.write
            .load(Ordering::Acquire)
            .wrapping_sub(self.read.load(Ordering::Acquire))
    }

    /// The counters so far.
    pub(crate) fn counters(&self) -> RingCounters {
        RingCounters {
            pushed: self.pushed.load(Ordering::Relaxed),
            popped: self.popped.load(Ordering::Relaxed),
            underflow: self.underflow.load(Ordering::Relaxed),
            overflow: self.overflow.load(Ordering::Relaxed),
        }
    }

    /// Producer: appends what fits of `data` (whole frames), drops and
    /// counts the rest.
    pub(crate) fn push(&self, data: &[i16]) {
        let cap = self.buf.len();
        let w = self.write.load(Ordering::Relaxed);
        let r = self.read.load(Ordering::Acquire);
        let free = cap - w.wrapping_sub(r).min(cap);
        let n = data.len().min(free) / self.channels * self.channels;
        for (i, &v) in data[..n].iter().enumerate() {
            self.buf[w.wrapping_add(i) % cap].store(v, Ordering::Relaxed);
        }
        self.write.store(w.wrapping_add(n), Ordering::Release);
        self.pushed.fetch_add(n as u64, Ordering::Relaxed);
        if n < data.len() {
            self.overflow
                .fetch_add((data.len() - n) as u64, Ordering::Relaxed);
        }
    }

    /// Consumer: copies the oldest `out.len()` samples (which must wait).
    fn pop_exact(&self, out: &mut [i16]) {
        let cap = self.buf.len();
        let r = self.read.load(Ordering::Relaxed);
        for (i, v) in out.iter_mut().enumerate() {
            *v = self.buf[r.wrapping_add(i) % cap].load(Ordering::Relaxed);
        }
        self.read
            .store(r.wrapping_add(out.len()), Ordering::Release);
        self.popped.fetch_add(out.len() as u64, Ordering::Relaxed);
    }

    /// Consumer: drops the oldest `n` samples.
    fn skip(&self, n: usize) {
        let r = self.read.load(Ordering::Relaxed);
        self.read.store(r.wrapping_add(n), Ordering::Release);
        self.overflow.fetch_add(n as u64, Ordering::Relaxed);
    }
}

/// The consumer's side of a [`Ring`]: when to start, when to drop.
#[derive(Debug)]
pub(crate) struct Reader {
    /// The fill aimed at: reading starts when it is reached, and dropping
    /// stops there.
    target: usize,
    /// Above this fill the oldest samples are dropped.
    high: usize,
    primed: bool,
}

impl Reader {
    /// A reader that aims at `target` samples waiting and drops above
    /// `high` (both rounded to whole frames of the ring's channels).
    pub(crate) fn new(target: usize, high: usize) -> Self {
        Self {
            target,
            high: high.max(target),
            primed: false,
        }
    }

    /// Fills `out` from `ring`: true with audio, false with silence (not
    /// started yet, or ran dry).
    pub(crate) fn read(&mut self, ring: &Ring, out: &mut [i16]) -> bool {
        let avail = ring.len();
        let need = out.len();
        if !self.primed && avail >= self.target.max(need) {
            self.primed = true;
        }
        if !self.primed || avail < need {
            self.primed = false;
            out.fill(0);
            ring.underflow.fetch_add(need as u64, Ordering::Relaxed);
            return false;
        }
        if avail > self.high {
            let ch = ring.channels;
            let excess = (avail - self.target.max(need)) / ch * ch;
            ring.skip(excess);
        }
        ring.pop_exact(out);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_for_the_target_then_reads_in_order() {
        let ring = Ring::new(100, 1);
        let mut reader = Reader::new(6, 50);
        let mut out = [0i16; 4];
        ring.push(&[1, 2, 3, 4]);
        assert!(!reader.read(&ring, &mut out), "below the target");
        assert_eq!(out, [0; 4]);
        ring.push(&[5, 6]);
        assert!(reader.read(&ring, &mut out));
        assert_eq!(out, [1, 2, 3, 4]);
        // Two left: not enough for four.
        assert!(!reader.read(&ring, &mut out));
        let c = ring.counters();
        assert_eq!((c.pushed, c.popped, c.underflow, c.overflow), (6, 4, 8, 0));
    }

    #[test]
    fn drops_the_oldest_above_the_high_mark() {
        let ring = Ring::new(100, 2);
        let mut reader = Reader::new(4, 8);
        let data: Vec<i16> = (0..20).collect();
        ring.push(&data);
        let mut out = [0i16; 4];
        assert!(reader.read(&ring, &mut out));
        // 20 waiting, above 8: down to 4 (the newest), then read.
        assert_eq!(out, [16, 17, 18, 19]);
        assert_eq!(ring.counters().overflow, 16);
    }

    #[test]
    fn a_full_ring_drops_what_comes_and_wraps_around() {
        let ring = Ring::new(8, 2);
        ring.push(&[1; 6]);
        ring.push(&[2; 6]);
        assert_eq!(ring.len(), 8);
        assert_eq!(ring.counters().overflow, 4);
        let mut reader = Reader::new(0, 100);
        let mut out = [0i16; 6];
        assert!(reader.read(&ring, &mut out));
        assert_eq!(out, [1, 1, 1, 1, 1, 1]);
        ring.push(&[3; 6]);
        assert!(reader.read(&ring, &mut out));
        assert_eq!(out, [2, 2, 3, 3, 3, 3]);
    }

    #[test]
    fn producer_and_consumer_on_two_threads_lose_nothing_below_the_marks() {
        let ring = std::sync::Arc::new(Ring::new(4096, 1));
        let producer = {
            let ring = ring.clone();
            std::thread::spawn(move || {
                let mut next = 0i16;
                let mut sent = 0;
                while sent < 20_000 {
                    if ring.len() + 100 <= 4096 {
                        let chunk: Vec<i16> = (0..100)
                            .map(|_| {
                                next = next.wrapping_add(1);
                                next
                            })
                            .collect();
                        ring.push(&chunk);
                        sent += 100;
                    } else {
                        std::thread::yield_now();
                    }
                }
            })
        };
        let mut reader = Reader::new(0, usize::MAX);
        let mut got = Vec::new();
        let mut out = [0i16; 50];
        while got.len() < 20_000 {
            if reader.read(&ring, &mut out) {
                got.extend_from_slice(&out);
            } else {
                std::thread::yield_now();
            }
        }
        producer.join().expect("the producer ends normally");
        let want: Vec<i16> = (1..=20_000).map(|v: i32| v as i16).collect();
        assert_eq!(got, want);
        assert_eq!(ring.counters().overflow, 0);
    }
}
