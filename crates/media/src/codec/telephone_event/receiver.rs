//! The receiving side of RFC 4733: packets become digits.

use std::collections::VecDeque;

use super::TelephoneEvent;
use crate::codec::CodecError;

/// A digit seen by a [`DtmfReceiver`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfEvent {
    /// A digit began (its first packet to arrive).
    Started {
        /// The DTMF character (`R` for flash; `?` for another event).
        digit: char,
        /// The event code.
        event: u8,
        /// The event's RTP timestamp.
        timestamp: u32,
    },
    /// A digit ended: its end packet arrived, a later event began, or
    /// nothing was heard of it for the end timeout.
    Ended {
        /// The DTMF character.
        digit: char,
        /// The event code.
        event: u8,
        /// The event's RTP timestamp.
        timestamp: u32,
        /// Its duration in RTP units (the largest one heard).
        duration: u32,
        /// Its duration in milliseconds.
        duration_ms: u32,
    },
}

#[derive(Debug, Clone)]
struct Active {
    event: u8,
    timestamp: u32,
    duration: u32,
}

/// Detects DTMF digits in received telephone-event packets.
///
/// Packets of one event share its timestamp; the receiver reports each
/// event once when it starts and once when it ends, whatever was lost,
/// duplicated or repeated: duplicates and the redundant end packets of an
/// event already ended are ignored, an event whose end packets were all
/// lost ends when a later event begins or when the time given to
/// [`DtmfReceiver::handle_time`] passes its end by the end timeout, and
/// packets older than the current event are dropped.
#[derive(Debug, Clone)]
pub struct DtmfReceiver {
    clock_rate: u32,
    end_timeout: u32,
    current: Option<Active>,
    /// Timestamp of the newest event ended, to ignore its late packets.
    last_ended: Option<u32>,
    events: VecDeque<DtmfEvent>,
}

/// Whether RTP timestamp `a` is after `b`, modulo 2³².
fn after(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

impl DtmfReceiver {
    /// A receiver for events on an RTP clock of `clock_rate` Hz, ending a
    /// silent event 200 ms after its last known end.
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate: clock_rate.max(1),
            end_timeout: clock_rate / 5,
            current: None,
            last_ended: None,
            events: VecDeque::new(),
        }
    }

    /// Sets how long after its last known end an event whose end packets
    /// never arrive is ended, in milliseconds.
    pub fn set_end_timeout_ms(&mut self, ms: u32) {
        self.end_timeout = (u64::from(self.clock_rate) * u64::from(ms) / 1000) as u32;
    }

    /// Takes one received telephone-event packet: its RTP timestamp and
    /// payload. A malformed payload is an error and changes nothing.
    pub fn handle_packet(&mut self, timestamp: u32, payload: &[u8]) -> Result<(), CodecError> {
        let e = TelephoneEvent::parse(payload)?;
        if let Some(ended) = self.last_ended
            && !after(timestamp, ended)
        {
            // A repeat of an ended event, or older still.
            return Ok(());
        }
        match &mut self.current {
            Some(cur) if cur.timestamp == timestamp && cur.event == e.event => {
                cur.duration = cur.duration.max(u32::from(e.duration));
            }
            Some(cur) if !after(timestamp, cur.timestamp) => {
                // Older than the event going on: a late packet.
                return Ok(());
            }
            Some(_) => {
                // A new event: the previous one's end was lost.
                self.finish();
                self.begin(timestamp, &e);
            }
            None => self.begin(timestamp, &e),
        }
        if e.end {
            self.finish();
        }
        Ok(())
    }

    /// Tells the receiver the stream's current RTP timestamp (on the
    /// events' clock), so that an event whose end never arrives is ended.
    pub fn handle_time(&mut self, now: u32) {
        if let Some(cur) = &self.current {
            let deadline = cur
                .timestamp
                .wrapping_add(cur.duration)
                .wrapping_add(self.end_timeout);
            if after(now, deadline) {
                self.finish();
            }
        }
    }

    /// The next digit start or end, in order.
    pub fn poll_event(&mut self) -> Option<DtmfEvent> {
        self.events.pop_front()
    }

    /// Whether an event is going on.
    pub fn is_active(&self) -> bool {
        self.current.is_some()
    }

    fn begin(&mut self, timestamp: u32, e: &TelephoneEvent) {
        self.current = Some(Active {
            event: e.event,
            timestamp,
            duration: u32::from(e.duration),
        });
        self.events.push_back(DtmfEvent::Started {
            digit: e.digit().unwrap_or('?'),
            event: e.event,
            timestamp,
        });
    }

    fn finish(&mut self) {
        let Some(cur) = self.current.take() else {
            return;
        };
        self.last_ended = Some(cur.timestamp);
        self.events.push_back(DtmfEvent::Ended {
            digit: super::digit_of_event(cur.event).unwrap_or('?'),
            event: cur.event,
            timestamp: cur.timestamp,
            duration: cur.duration,
            duration_ms: (u64::from(cur.duration) * 1000 / u64::from(self.clock_rate)) as u32,
        });
    }
}
