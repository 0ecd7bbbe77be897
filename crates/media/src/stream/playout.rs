//! The play side: one port frame out of the jitter buffer's units,
//! decoded, concealed, or rebuilt by forward error correction.

use super::framing::{Cut, Timing};
use super::receive::Receiver;
use crate::codec::Codec;
use crate::jitter::Frame;
use crate::port::FrameKind;

/// Decoded audio that lasts beyond the unit it was decoded for: the rest
/// of an Opus packet longer than a unit, or audio rebuilt for a gap.
#[derive(Debug, Default)]
struct Carry {
    /// Timestamp of the first sample.
    start: u32,
    /// Duration, ticks (0: nothing).
    ticks: u32,
    pcm: Vec<i16>,
}

impl Carry {
    /// Copies the unit starting at `ts` into `out`, if it is held (the
    /// part of `out` it does not cover is silence: a packet shorter than
    /// a unit).
    fn serve(&self, timing: &Timing, ts: u32, out: &mut [i16]) -> bool {
        let offset = ts.wrapping_sub(self.start);
        if self.ticks == 0 || offset >= self.ticks {
            return false;
        }
        let from = timing.samples_of(offset);
        let held = self.pcm.get(from..).unwrap_or_default();
        let n = held.len().min(out.len());
        out[..n].copy_from_slice(&held[..n]);
        out[n..].fill(0);
        n > 0
    }
}

/// Plays units.
#[derive(Debug)]
pub(super) struct Playout {
    timing: Timing,
    carry: Carry,
    frame: Vec<i16>,
}

impl Playout {
    pub(super) fn new(timing: Timing) -> Self {
        Self {
            timing,
            carry: Carry::default(),
            frame: vec![0; timing.frame_len],
        }
    }

    /// Fills `out` with the next port frame: [`FrameKind::None`] when
    /// no unit of it had audio.
    pub(super) fn frame(
        &mut self,
        codec: &mut dyn Codec,
        rx: &mut Receiver,
        out: &mut [i16],
    ) -> FrameKind {
        let mut frame = std::mem::take(&mut self.frame);
        frame.resize(self.timing.frame_len, 0);
        let mut audio = false;
        for unit in frame.chunks_mut(self.timing.unit_len) {
            audio |= self.unit(codec, rx, unit);
        }
        let n = frame.len().min(out.len());
        out[..n].copy_from_slice(&frame[..n]);
        out[n..].fill(0);
        self.frame = frame;
        if audio {
            FrameKind::Audio
        } else {
            FrameKind::None
        }
    }

    /// Plays one unit into `out`; gives whether it is audio.
    fn unit(&mut self, codec: &mut dyn Codec, rx: &mut Receiver, out: &mut [i16]) -> bool {
        let Receiver {
            jitter, lookahead, ..
        } = rx;
        let frame = jitter.get();
        if let (Some(l), Some(ts)) = (lookahead.as_mut(), frame.timestamp()) {
            l.played(ts);
        }
        match frame {
            Frame::Normal { timestamp, payload } => {
                if payload.is_empty() {
                    // The continuation of a packet decoded before.
                    if !self.carry.serve(&self.timing, timestamp, out) {
                        codec.conceal(out);
                    }
                } else if self.timing.cut == Cut::Whole {
                    self.decode_whole(codec, timestamp, payload, out);
                } else {
                    match codec.decode(payload, out) {
                        Ok(n) if n < out.len() => codec.conceal(&mut out[n..]),
                        Ok(_) => {}
                        Err(_) => codec.conceal(out),
                    }
                }
            }
            Frame::Missing { timestamp } => {
                if !self.carry.serve(&self.timing, timestamp, out) {
                    let next = lookahead
                        .as_ref()
                        .and_then(|l| l.next_after(timestamp, self.timing.max_fec_ticks()));
                    match next {
                        Some((next_ts, false, payload)) if codec.has_fec() => {
                            self.recover(codec, timestamp, next_ts, payload, out);
                        }
                        _ => codec.conceal(out),
                    }
                }
            }
            Frame::Discarded { .. } => {
                self.carry.ticks = 0;
                codec.conceal(out);
            }
            Frame::Prefetching | Frame::Empty => {
                out.fill(0);
                return false;
            }
        }
        true
    }

    /// Decodes a whole packet starting at `ts` and plays its first unit.
    fn decode_whole(&mut self, codec: &mut dyn Codec, ts: u32, payload: &[u8], out: &mut [i16]) {
        self.carry.ticks = 0;
        let max = self.timing.samples_of(self.timing.max_fec_ticks());
        let Some(n) = codec
            .decoded_len(payload)
            .ok()
            .filter(|&n| n > 0 && n <= max)
        else {
            codec.conceal(out);
            return;
        };
        self.carry.pcm.resize(n, 0);
        match codec.decode(payload, &mut self.carry.pcm) {
            Ok(decoded) => {
                self.carry.pcm.truncate(decoded);
                self.carry.start = ts;
                self.carry.ticks = self.timing.ticks_of(decoded) as u32;
                let n = decoded.min(out.len());
                out[..n].copy_from_slice(&self.carry.pcm[..n]);
                if n < out.len() {
                    codec.conceal(&mut out[n..]);
                }
            }
            Err(_) => codec.conceal(out),
        }
    }

    /// Rebuilds the audio from `ts` to the next packet, at `next_ts`,
    /// from that packet's forward error correction data (concealing the
    /// part before what it covers), and plays its first unit.
    fn recover(
        &mut self,
        codec: &mut dyn Codec,
        ts: u32,
        next_ts: u32,
        payload: &[u8],
        out: &mut [i16],
    ) {
        let gap = next_ts.wrapping_sub(ts);
        let n = self.timing.samples_of(gap);
        // libopus rebuilds whole multiples of 2.5 ms only.
        let quantum = self.timing.fec_quantum();
        if n == 0 || quantum == 0 || n % quantum != 0 {
            codec.conceal(out);
            return;
        }
        self.carry.pcm.resize(n, 0);
        codec.recover(payload, &mut self.carry.pcm);
        self.carry.start = ts;
        self.carry.ticks = gap;
        if !self.carry.serve(&self.timing, ts, out) {
            codec.conceal(out);
        }
    }
}
