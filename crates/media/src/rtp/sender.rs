//! The sending side of a session: SSRC, sequence number and timestamp
//! (RFC 3550 §5.1), and what a sender report needs.

use std::time::Instant;

use super::error::RtpError;
use super::rng::Rng;
use super::wire::build_rtp;

/// The state of this session's own source.
#[derive(Debug, Clone)]
pub(crate) struct Sender {
    pub(crate) ssrc: u32,
    /// Sequence number of the next packet.
    next_sequence: u16,
    /// Timestamp of the last packet (or the random start).
    timestamp: u32,
    /// When the last packet was sent, with its timestamp.
    last_sent: Option<Instant>,
    /// Packets and payload octets sent under the current SSRC (the SR's
    /// counts, which restart with a new SSRC).
    pub(crate) packet_count: u32,
    pub(crate) octet_count: u32,
    /// Sent RTP since this session's last report.
    pub(crate) sent_since_report: bool,
    /// Sent RTP in the interval before that.
    pub(crate) sent_previous_interval: bool,
}

impl Sender {
    /// A source with a random SSRC, first sequence number and timestamp.
    pub(crate) fn new(rng: &mut Rng) -> Self {
        Self {
            ssrc: rng.next_u32(),
            next_sequence: (rng.next_u32() >> 16) as u16,
            timestamp: rng.next_u32(),
            last_sent: None,
            packet_count: 0,
            octet_count: 0,
            sent_since_report: false,
            sent_previous_interval: false,
        }
    }

    /// Builds the next packet, `ts_advance` timestamp units after the last
    /// (the first one: after the random start). The first packet always
    /// carries the marker bit, as the start of the first talkspurt.
    pub(crate) fn packet(
        &mut self,
        now: Instant,
        payload_type: u8,
        payload: &[u8],
        ts_advance: u32,
        marker: bool,
    ) -> Result<Vec<u8>, RtpError> {
        let timestamp = self.timestamp.wrapping_add(ts_advance);
        let marker = marker || self.last_sent.is_none();
        let bytes = build_rtp(
            payload_type,
            marker,
            self.next_sequence,
            timestamp,
            self.ssrc,
            payload,
        )?;
        self.timestamp = timestamp;
        self.next_sequence = self.next_sequence.wrapping_add(1);
        self.last_sent = Some(now);
        self.packet_count = self.packet_count.wrapping_add(1);
        self.octet_count = self.octet_count.wrapping_add(payload.len() as u32);
        self.sent_since_report = true;
        Ok(bytes)
    }

    /// Sequence number of the last packet sent (one before the next).
    pub(crate) fn last_sequence(&self) -> u16 {
        self.next_sequence.wrapping_sub(1)
    }

    /// Timestamp of the last packet sent.
    pub(crate) fn last_timestamp(&self) -> u32 {
        self.timestamp
    }

    /// Whether it counts as a sender (sent within the last two report
    /// intervals; RFC 3550 §6.4 sends an SR then).
    pub(crate) fn is_sender(&self) -> bool {
        self.sent_since_report || self.sent_previous_interval
    }

    /// The RTP timestamp that corresponds to `now`: the last packet's,
    /// moved on by the time since it went (RFC 3550 §6.4.1).
    pub(crate) fn timestamp_at(&self, now: Instant, clock_rate: u32) -> u32 {
        let Some(at) = self.last_sent else {
            return self.timestamp;
        };
        let elapsed = now.saturating_duration_since(at).as_nanos();
        let units = elapsed * u128::from(clock_rate) / 1_000_000_000;
        self.timestamp.wrapping_add(units as u32)
    }

    /// This session sent a report: a new interval starts.
    pub(crate) fn interval_passed(&mut self) {
        self.sent_previous_interval = self.sent_since_report;
        self.sent_since_report = false;
    }

    /// Takes a new SSRC after a collision (RFC 3550 §8.2): a new source,
    /// whose counts start again.
    pub(crate) fn change_ssrc(&mut self, ssrc: u32) {
        self.ssrc = ssrc;
        self.packet_count = 0;
        self.octet_count = 0;
    }
}
