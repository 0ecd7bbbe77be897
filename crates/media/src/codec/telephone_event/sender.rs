//! The sending side of RFC 4733: queued digits become packets.

use std::collections::VecDeque;

use super::{TelephoneEvent, event_of_digit};
use crate::codec::CodecError;

/// How many times the packet ending an event is sent (RFC 4733 §2.5.1.4).
const END_PACKETS: u8 = 3;

/// A telephone-event packet to send in place of this tick's audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfPacket {
    /// RTP timestamp: the event's start, the same for all its packets.
    pub timestamp: u32,
    /// RTP marker bit: set on the first packet of an event.
    pub marker: bool,
    /// The payload's content.
    pub event: TelephoneEvent,
}

impl DtmfPacket {
    /// The RTP payload.
    pub fn payload(&self) -> [u8; 4] {
        self.event.to_bytes()
    }
}

#[derive(Debug, Clone)]
struct Sending {
    event: u8,
    timestamp: u32,
    duration: u32,
    total: u32,
    ends_sent: u8,
}

/// Sends DTMF digits as RFC 4733 events, driven once per frame tick.
///
/// Each digit becomes a run of packets with the timestamp of its first
/// tick and a growing duration, the first with the marker bit; when the
/// duration reaches the digit's length, the packet with the end bit is
/// sent on three ticks running. Digits follow each other after a pause.
///
/// ```
/// use media::codec::telephone_event::DtmfSender;
///
/// let mut sender = DtmfSender::new(8000);
/// sender.send_digits("1#", 100).unwrap();
/// let mut ts = 0u32;
/// let mut packets = Vec::new();
/// while sender.is_busy() {
///     packets.extend(sender.poll_packet(ts, 160)); // a 20 ms tick
///     ts += 160;
/// }
/// // 100 ms of digit in 20 ms ticks: 5 packets, the last two repeated.
/// assert_eq!(packets.len(), 2 * 7);
/// assert!(packets[0].marker && !packets[1].marker);
/// assert!(packets[4].event.end && packets[6].event.end);
/// assert_eq!(packets[6].event.duration, 800);
/// ```
#[derive(Debug, Clone)]
pub struct DtmfSender {
    clock_rate: u32,
    volume: u8,
    pause: u32,
    queue: VecDeque<(u8, u32)>,
    current: Option<Sending>,
    /// RTP units of pause still to keep before the next digit.
    pause_left: u32,
}

impl DtmfSender {
    /// A sender for events on an RTP clock of `clock_rate` Hz, at volume
    /// −10 dBm0 with 40 ms between digits.
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate,
            volume: 10,
            pause: clock_rate / 25,
            queue: VecDeque::new(),
            current: None,
            pause_left: 0,
        }
    }

    /// Sets the volume of the events to come, in −dBm0 (0–63).
    pub fn set_volume(&mut self, volume: u8) {
        self.volume = volume.min(63);
    }

    /// Sets the pause between digits, in milliseconds.
    pub fn set_pause_ms(&mut self, ms: u32) {
        self.pause = self.samples(ms);
    }

    /// Queues one digit lasting `duration_ms` (at most 65535 RTP units,
    /// the longest an event packet can say).
    pub fn send(&mut self, digit: char, duration_ms: u32) -> Result<(), CodecError> {
        let event = event_of_digit(digit)
            .ok_or_else(|| CodecError::InvalidParam(format!("{digit:?} is not a DTMF digit")))?;
        let total = self.samples(duration_ms).clamp(1, u32::from(u16::MAX));
        self.queue.push_back((event, total));
        Ok(())
    }

    /// Queues every digit of `digits`, or none if one is not a DTMF digit.
    pub fn send_digits(&mut self, digits: &str, duration_ms: u32) -> Result<(), CodecError> {
        if let Some(bad) = digits.chars().find(|&d| event_of_digit(d).is_none()) {
            return Err(CodecError::InvalidParam(format!(
                "{bad:?} is not a DTMF digit"
            )));
        }
        for d in digits.chars() {
            self.send(d, duration_ms)?;
        }
        Ok(())
    }

    /// Whether digits are queued or being sent.
    pub fn is_busy(&self) -> bool {
        self.current.is_some() || !self.queue.is_empty()
    }

    /// Drops the queued digits (the one being sent is ended properly).
    pub fn clear(&mut self) {
        self.queue.clear();
    }

    /// One frame tick. `timestamp` is the RTP timestamp this tick's packet
    /// would carry and `samples` the tick's length in RTP units. Returns
    /// the packet to send instead of audio, or `None` to send audio.
    pub fn poll_packet(&mut self, timestamp: u32, samples: u32) -> Option<DtmfPacket> {
        let samples = samples.max(1);
        if self.current.is_none() {
            if self.pause_left > 0 {
                self.pause_left = self.pause_left.saturating_sub(samples);
                return None;
            }
            let (event, total) = self.queue.pop_front()?;
            self.current = Some(Sending {
                event,
                timestamp,
                duration: 0,
                total,
                ends_sent: 0,
            });
        }
        // A current event exists: it was set just above if there was none.
        let s = self.current.as_mut()?;
        let marker = s.duration == 0;
        let end = if s.duration < s.total {
            s.duration = (s.duration + samples).min(s.total);
            s.duration == s.total
        } else {
            true
        };
        if end {
            s.ends_sent += 1;
        }
        let packet = DtmfPacket {
            timestamp: s.timestamp,
            marker,
            event: TelephoneEvent {
                event: s.event,
                end,
                volume: self.volume,
                // `total` is at most u16::MAX.
                duration: s.duration as u16,
            },
        };
        if s.ends_sent >= END_PACKETS {
            self.current = None;
            self.pause_left = self.pause;
        }
        Some(packet)
    }

    fn samples(&self, ms: u32) -> u32 {
        (u64::from(self.clock_rate) * u64::from(ms) / 1000).min(u64::from(u32::MAX)) as u32
    }
}
