//! Receive units: received packets, of whatever duration, cut into the
//! jitter buffer's frames.
//!
//! The jitter buffer holds *units* of 10 ms (of the greatest common
//! divisor of the packet time and 10 ms), whatever the packets last, and a
//! tick of the port plays `ptime / unit` of them. A packet's duration comes
//! from its payload ([`crate::codec::Codec::decoded_len`]); then:
//!
//! - waveform codecs (G.711, G.722, L16) are cut at unit boundaries,
//!   G.711 and G.722 at one byte per RTP timestamp tick (G.722: two 16 kHz
//!   samples, one tick of its 8 kHz RTP clock), L16 at two bytes per
//!   channel. A packet that does not start on the unit grid (a 5 ms or
//!   25 ms packet time) leaves partial units, which are assembled from the
//!   next packets and handed over once whole;
//! - Opus packets cannot be cut: the whole packet goes in as its first
//!   unit, followed by empty *continuation* units for the rest of its
//!   duration; playout decodes the packet once and plays it unit by unit.

use crate::codec::{CodecDesc, CodecKind};
use crate::port::AudioFormat;

/// The longest packet taken, ms (the longest packet time a codec's
/// parameters allow).
const MAX_PACKET_MS: u32 = 200;

/// The longest gap rebuilt from forward error correction, ms (the longest
/// Opus frame, RFC 6716 §3.2.5, and the most libopus decodes at once).
const MAX_FEC_MS: u32 = 120;

/// Partial units kept waiting for their other parts.
const MAX_PARTIALS: usize = 4;

/// The receive units of a stream and its clocks.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timing {
    /// Duration of one unit, ms.
    pub(super) unit_ms: u32,
    /// RTP timestamp ticks per unit.
    pub(super) unit_ts: u32,
    /// Interleaved PCM samples per unit.
    pub(super) unit_len: usize,
    /// Interleaved PCM samples per port frame.
    pub(super) frame_len: usize,
    clock_rate: u32,
    rtp_clock: u32,
    channels: u16,
    /// How payloads are cut.
    pub(super) cut: Cut,
}

/// How a codec's payloads may be cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cut {
    /// Anywhere, at this many bytes per RTP timestamp tick.
    Bytes(u32),
    /// Not at all (Opus).
    Whole,
}

impl Timing {
    /// The units of a stream of `desc` whose port frames are `format`,
    /// `ptime_ms` long.
    pub(super) fn new(desc: &CodecDesc, format: AudioFormat, ptime_ms: u32) -> Self {
        let clock_rate = format.clock_rate.max(1);
        let rtp_clock = desc.rtp_clock_rate.max(1);
        let channels = format.channels.max(1);
        let exact = |ms: u32| {
            ms > 0
                && u64::from(ms) * u64::from(rtp_clock) % 1000 == 0
                && u64::from(ms) * u64::from(clock_rate) % 1000 == 0
        };
        let unit_ms = Some(gcd(ptime_ms, 10))
            .filter(|&ms| exact(ms))
            .unwrap_or(ptime_ms)
            .max(1);
        let cut = match desc.kind {
            CodecKind::Pcmu | CodecKind::Pcma | CodecKind::G722 => Cut::Bytes(1),
            CodecKind::L16 => Cut::Bytes(2 * u32::from(desc.channels.max(1))),
            CodecKind::Opus => Cut::Whole,
        };
        let per_channel = u64::from(unit_ms) * u64::from(clock_rate) / 1000;
        Self {
            unit_ms,
            unit_ts: (u64::from(unit_ms) * u64::from(rtp_clock) / 1000).max(1) as u32,
            unit_len: (per_channel as usize * usize::from(channels)).max(1),
            frame_len: format.frame_len(),
            clock_rate,
            rtp_clock,
            channels,
            cut,
        }
    }

    /// The largest unit the jitter buffer must hold, bytes.
    pub(super) fn max_unit_bytes(&self) -> usize {
        match self.cut {
            Cut::Bytes(per_tick) => self.unit_ts as usize * per_tick as usize,
            // The largest Opus packet (RFC 6716 §3.4).
            Cut::Whole => 1275,
        }
    }

    /// The RTP timestamp ticks that `samples` interleaved samples last.
    pub(super) fn ticks_of(&self, samples: usize) -> u64 {
        let per_channel = samples as u64 / u64::from(self.channels);
        per_channel * u64::from(self.rtp_clock) / u64::from(self.clock_rate)
    }

    /// The interleaved samples that `ticks` RTP timestamp ticks last.
    pub(super) fn samples_of(&self, ticks: u32) -> usize {
        let per_channel = u64::from(ticks) * u64::from(self.clock_rate) / u64::from(self.rtp_clock);
        per_channel as usize * usize::from(self.channels)
    }

    /// Interleaved samples in 2.5 ms, the step of Opus frame sizes (0 if
    /// the clock rate has no whole number of samples in it).
    pub(super) fn fec_quantum(&self) -> usize {
        if self.clock_rate % 400 == 0 {
            (self.clock_rate / 400) as usize * usize::from(self.channels)
        } else {
            0
        }
    }

    /// The longest packet taken, in ticks.
    pub(super) fn max_packet_ticks(&self) -> u64 {
        u64::from(MAX_PACKET_MS) * u64::from(self.rtp_clock) / 1000
    }

    /// The longest gap rebuilt from forward error correction, in ticks.
    pub(super) fn max_fec_ticks(&self) -> u32 {
        // 120 ms of a clock of at most 2^32 Hz / 1000 fits.
        u32::try_from(u64::from(MAX_FEC_MS) * u64::from(self.rtp_clock) / 1000).unwrap_or(u32::MAX)
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// A unit some of whose parts have arrived.
#[derive(Debug, Clone)]
struct Partial {
    /// Timestamp of the unit's start.
    start: u32,
    data: Vec<u8>,
    /// Tick ranges filled, sorted and disjoint.
    filled: Vec<(u32, u32)>,
    marker: bool,
}

impl Partial {
    /// Marks `[from, to)` filled; gives whether the unit is whole.
    fn fill(&mut self, from: u32, to: u32, unit: u32) -> bool {
        self.filled.push((from, to));
        self.filled.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(self.filled.len());
        for &(a, b) in &self.filled {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        self.filled = merged;
        self.filled == [(0, unit)]
    }
}

/// Cuts received packets into units.
#[derive(Debug, Clone)]
pub(super) struct Framer {
    timing: Timing,
    /// The timestamp of a unit boundary: the grid units are cut on.
    anchor: Option<u32>,
    partials: Vec<Partial>,
}

impl Framer {
    pub(super) fn new(timing: Timing) -> Self {
        Self {
            timing,
            anchor: None,
            partials: Vec::new(),
        }
    }

    /// Forgets the grid and the partial units (a new source).
    pub(super) fn reset(&mut self) {
        self.anchor = None;
        self.partials.clear();
    }

    /// Cuts a packet starting at `ts` and lasting `ticks` into units,
    /// giving each whole one to `put(timestamp, payload, marker)`; the
    /// first unit of a packet with `marker` carries it.
    pub(super) fn push(
        &mut self,
        ts: u32,
        payload: &[u8],
        ticks: u32,
        marker: bool,
        mut put: impl FnMut(u32, &[u8], bool),
    ) {
        let unit = self.timing.unit_ts;
        let per_tick = match self.timing.cut {
            Cut::Whole => {
                put(ts, payload, marker);
                for k in 1..ticks.div_ceil(unit) {
                    put(ts.wrapping_add(k * unit), &[], false);
                }
                return;
            }
            Cut::Bytes(per_tick) => per_tick,
        };
        let anchor = match self.anchor {
            Some(a) if !(marker && self.partials.is_empty()) => a,
            // The first packet, or a talkspurt with nothing pending: its
            // start is the grid.
            _ => ts,
        };
        // Signed: a packet may come before the anchor (reordering), and
        // 2^32 is no multiple of the unit.
        let offset = i64::from(ts.wrapping_sub(anchor) as i32).rem_euclid(i64::from(unit)) as u32;
        let start = ts.wrapping_sub(offset);
        self.anchor = Some(start);
        let bytes = |from: u32, to: u32| {
            let (a, b) = (
                from as usize * per_tick as usize,
                to as usize * per_tick as usize,
            );
            payload.get(a..b).unwrap_or_default()
        };
        let mut pos = 0;
        if offset > 0 {
            let take = (unit - offset).min(ticks);
            self.fill(start, offset, bytes(0, take), marker, &mut put);
            pos = take;
        }
        while pos + unit <= ticks {
            put(
                ts.wrapping_add(pos),
                bytes(pos, pos + unit),
                marker && pos == 0,
            );
            pos += unit;
        }
        if pos < ticks {
            let part = bytes(pos, ticks);
            self.fill(ts.wrapping_add(pos), 0, part, marker && pos == 0, &mut put);
        }
    }

    /// Puts `part` at tick `at` of the unit starting at `start`; hands
    /// the unit over once whole.
    fn fill(
        &mut self,
        start: u32,
        at: u32,
        part: &[u8],
        marker: bool,
        put: &mut impl FnMut(u32, &[u8], bool),
    ) {
        let Cut::Bytes(per_tick) = self.timing.cut else {
            return;
        };
        let unit = self.timing.unit_ts;
        let index = match self.partials.iter().position(|p| p.start == start) {
            Some(i) => i,
            None => {
                if self.partials.len() >= MAX_PARTIALS {
                    // The oldest never completed: its other parts are lost.
                    self.partials.remove(0);
                }
                self.partials.push(Partial {
                    start,
                    data: vec![0; unit as usize * per_tick as usize],
                    filled: Vec::new(),
                    marker: false,
                });
                self.partials.len() - 1
            }
        };
        let partial = &mut self.partials[index];
        let from = at as usize * per_tick as usize;
        let Some(slot) = partial.data.get_mut(from..from + part.len()) else {
            return;
        };
        slot.copy_from_slice(part);
        partial.marker |= marker;
        let ticks = (part.len() / per_tick as usize) as u32;
        if partial.fill(at, at + ticks, unit) {
            let whole = self.partials.remove(index);
            put(whole.start, &whole.data, whole.marker);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::desc::{G722, L16_16000_STEREO, L16_44100_MONO, OPUS, PCMU};

    fn collect(
        framer: &mut Framer,
        ts: u32,
        payload: &[u8],
        marker: bool,
    ) -> Vec<(u32, Vec<u8>, bool)> {
        let per_tick = match framer.timing.cut {
            Cut::Bytes(n) => n,
            Cut::Whole => 1,
        };
        let ticks = payload.len() as u32 / per_tick;
        let mut out = Vec::new();
        framer.push(ts, payload, ticks, marker, |t, p, m| {
            out.push((t, p.to_vec(), m))
        });
        out
    }

    #[test]
    fn units_follow_the_codec() {
        let t = Timing::new(&PCMU, AudioFormat::new(8000, 1, 20), 20);
        assert_eq!(
            (t.unit_ms, t.unit_ts, t.unit_len, t.frame_len),
            (10, 80, 80, 160)
        );
        let t = Timing::new(&G722, AudioFormat::new(16_000, 1, 30), 30);
        assert_eq!((t.unit_ms, t.unit_ts, t.unit_len), (10, 80, 160));
        assert_eq!(t.ticks_of(320), 160);
        let t = Timing::new(&L16_44100_MONO, AudioFormat::new(44_100, 1, 10), 10);
        assert_eq!((t.unit_ms, t.unit_ts, t.max_unit_bytes()), (10, 441, 882));
        let t = Timing::new(&L16_16000_STEREO, AudioFormat::new(16_000, 2, 25), 25);
        assert_eq!((t.unit_ms, t.unit_len, t.cut), (5, 160, Cut::Bytes(4)));
        let t = Timing::new(&OPUS, AudioFormat::new(48_000, 1, 20), 20);
        assert_eq!((t.unit_ts, t.cut), (480, Cut::Whole));
        assert_eq!(t.samples_of(960), 960);
    }

    #[test]
    fn long_packets_are_cut_into_units() {
        let t = Timing::new(&PCMU, AudioFormat::new(8000, 1, 20), 20);
        let mut f = Framer::new(t);
        let payload: Vec<u8> = (0..240).map(|i| i as u8).collect();
        let units = collect(&mut f, 1000, &payload, true);
        assert_eq!(units.len(), 3);
        assert_eq!((units[0].0, units[1].0, units[2].0), (1000, 1080, 1160));
        assert_eq!(units[2].1, payload[160..]);
        assert_eq!((units[0].2, units[1].2), (true, false));
        // A packet from before the grid's anchor (reordered), across the
        // timestamp's wrap, is still on the grid.
        let units = collect(&mut f, 1000 - 80, &payload[..80], false);
        assert_eq!(units.len(), 1);
        let mut f = Framer::new(t);
        collect(&mut f, 16, &payload[..160], false);
        let units = collect(&mut f, 16u32.wrapping_sub(160), &payload[..160], false);
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].0, 16u32.wrapping_sub(160));
    }

    #[test]
    fn short_and_shifted_packets_are_assembled() {
        let t = Timing::new(&PCMU, AudioFormat::new(8000, 1, 20), 20);
        let mut f = Framer::new(t);
        // 5 ms packets: a unit is handed over once both halves came, in
        // whatever order.
        assert_eq!(collect(&mut f, 0, &[1; 40], true).len(), 0);
        let units = collect(&mut f, 40, &[2; 40], false);
        assert_eq!(units.len(), 1);
        assert_eq!((units[0].0, units[0].2), (0, true));
        assert_eq!(units[0].1[..40], [1; 40]);
        assert_eq!(units[0].1[40..], [2; 40]);
        assert!(collect(&mut f, 120, &[4; 40], false).is_empty());
        let units = collect(&mut f, 80, &[3; 40], false);
        assert_eq!(units[0].0, 80);
        // A 15 ms packet across a boundary: one half now, one later.
        let units = collect(&mut f, 160, &[5; 120], false);
        assert_eq!((units.len(), units[0].0), (1, 160));
        let units = collect(&mut f, 280, &[6; 40], false);
        assert_eq!((units.len(), units[0].0), (1, 240));
        // Duplicated parts do not complete a unit twice or early.
        assert!(collect(&mut f, 320, &[7; 40], false).is_empty());
        assert!(collect(&mut f, 320, &[7; 40], false).is_empty());
        assert_eq!(collect(&mut f, 360, &[8; 40], false).len(), 1);
    }

    #[test]
    fn partial_units_are_bounded() {
        let t = Timing::new(&PCMU, AudioFormat::new(8000, 1, 20), 20);
        let mut f = Framer::new(t);
        collect(&mut f, 0, &[0; 80], true);
        for k in 0..100u32 {
            // Every other half lost.
            assert!(collect(&mut f, 80 * k + 40, &[1; 40], false).is_empty());
        }
        assert!(f.partials.len() <= MAX_PARTIALS);
    }

    #[test]
    fn opus_packets_go_whole_with_continuations() {
        let t = Timing::new(&OPUS, AudioFormat::new(48_000, 1, 20), 20);
        let mut f = Framer::new(t);
        let mut out = Vec::new();
        f.push(u32::MAX - 100, &[1, 2, 3], 2880, true, |t, p, m| {
            out.push((t, p.to_vec(), m));
        });
        assert_eq!(out.len(), 6);
        assert_eq!(out[0], (u32::MAX - 100, vec![1, 2, 3], true));
        assert_eq!(out[1], (379, vec![], false));
    }
}
