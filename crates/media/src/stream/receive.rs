//! The receive side: audio packets into the jitter buffer, unit by unit,
//! with talkspurts told apart from loss.

use std::collections::VecDeque;

use super::framing::{Framer, Timing};
use crate::codec::Codec;
use crate::jitter::JitterBuffer;
use crate::rtp::RtpPacketView;

/// Packets remembered for forward error correction.
const LOOKAHEAD_PACKETS: usize = 16;

/// What became of the previous audio packet.
#[derive(Debug, Clone, Copy)]
struct Last {
    ssrc: u32,
    /// The timestamp just after the latest audio received.
    end: u32,
}

/// Received audio on its way to playout.
#[derive(Debug)]
pub(super) struct Receiver {
    pub(super) jitter: JitterBuffer,
    /// The packets not yet played, for codecs that rebuild a lost packet
    /// from the next one.
    pub(super) lookahead: Option<Lookahead>,
    framer: Framer,
    timing: Timing,
    last: Option<Last>,
}

impl Receiver {
    pub(super) fn new(jitter: JitterBuffer, timing: Timing, fec: bool) -> Self {
        Self {
            jitter,
            lookahead: fec.then(Lookahead::default),
            framer: Framer::new(timing),
            timing,
            last: None,
        }
    }

    /// Takes an accepted audio packet. Its duration comes from its
    /// payload; one the codec cannot read, or longer than 120 ms, is
    /// dropped.
    pub(super) fn audio(&mut self, codec: &dyn Codec, view: &RtpPacketView<'_>) {
        let payload = view.payload();
        let Ok(samples) = codec.decoded_len(payload) else {
            return;
        };
        let ticks = self.timing.ticks_of(samples);
        if ticks == 0 || ticks > self.timing.max_packet_ticks() {
            return;
        }
        // At most 120 ms of ticks, so it fits.
        let ticks = ticks as u32;
        let (ssrc, ts) = (view.ssrc(), view.timestamp());
        if self.last.is_some_and(|l| l.ssrc != ssrc) {
            // Another source: what was held belongs to the old one.
            self.jitter.reset();
            self.framer.reset();
            if let Some(l) = &mut self.lookahead {
                l.packets.clear();
            }
            self.last = None;
        }
        // A packet that directly follows the previous one in sequence but
        // not in time starts a talkspurt, marker bit or not: the sender
        // was silent (VAD, DTX, DTMF) in between, nothing was lost.
        let resumed = view.lost_before() == 0
            && !view.is_late()
            && self.last.is_some_and(|l| ts.wrapping_sub(l.end) as i32 > 0);
        let talkspurt = view.marker() || resumed;
        let end = ts.wrapping_add(ticks);
        match &mut self.last {
            Some(l) if (end.wrapping_sub(l.end) as i32) <= 0 => {}
            slot => *slot = Some(Last { ssrc, end }),
        }
        let jitter = &mut self.jitter;
        self.framer
            .push(ts, payload, ticks, talkspurt, |t, unit, m| {
                jitter.put(t, unit, m);
            });
        if let Some(l) = &mut self.lookahead {
            l.insert(ts, talkspurt, payload);
        }
    }
}

/// Received packets not yet played, by timestamp.
#[derive(Debug, Default)]
pub(super) struct Lookahead {
    packets: VecDeque<(u32, bool, Vec<u8>)>,
}

impl Lookahead {
    fn insert(&mut self, ts: u32, talkspurt: bool, payload: &[u8]) {
        if self.packets.iter().any(|p| p.0 == ts) {
            return;
        }
        if self.packets.len() >= LOOKAHEAD_PACKETS {
            self.packets.pop_front();
        }
        self.packets.push_back((ts, talkspurt, payload.to_vec()));
    }

    /// The first packet after `ts`, within `within` ticks: its timestamp,
    /// whether it starts a talkspurt, and its payload.
    pub(super) fn next_after(&self, ts: u32, within: u32) -> Option<(u32, bool, &[u8])> {
        self.packets
            .iter()
            .map(|(t, m, p)| (t.wrapping_sub(ts), *t, *m, p))
            .filter(|&(d, ..)| d > 0 && d <= within)
            .min_by_key(|&(d, ..)| d)
            .map(|(_, t, m, p)| (t, m, p.as_slice()))
    }

    /// Forgets the packets before `ts` (played).
    pub(super) fn played(&mut self, ts: u32) {
        self.packets.retain(|p| (p.0.wrapping_sub(ts) as i32) > 0);
    }
}
