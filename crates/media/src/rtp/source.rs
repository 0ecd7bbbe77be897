//! What this session knows of the remote source it receives: the sequence
//! state (RFC 3550 A.1), the interarrival jitter (A.8), the last sender
//! report (for LSR/DLSR), and the per-packet delay measurements.

use std::time::Instant;

use super::ntp;
use super::rtcp::ReportBlock;
use super::sequence::{SeqOutcome, SequenceState};

/// Per-packet figures for the statistics, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Measurements {
    /// |D(i−1, i)|, the transit-time difference with the previous arrival.
    pub(crate) raw_jitter_usec: Option<i64>,
    /// Arrival gap minus timestamp gap, for a packet that follows the
    /// previous one directly in sequence.
    pub(crate) ipdv_usec: Option<i64>,
    /// How long the run of packets lost just before this one lasted.
    pub(crate) loss_period_usec: Option<i64>,
}

/// One remote synchronisation source.
#[derive(Debug, Clone)]
pub(crate) struct RemoteSource {
    pub(crate) ssrc: u32,
    pub(crate) sequence: SequenceState,
    /// The relative transit time of the previous packet, in timestamp
    /// units (A.8's `transit`).
    transit: Option<u32>,
    /// Interarrival jitter in timestamp units, scaled by 16 (A.8).
    jitter_q4: u64,
    /// Arrival and timestamp of the packet with the highest sequence number.
    highest: Option<(Instant, u32)>,
    /// Middle 32 bits of the last SR's NTP timestamp, and when it arrived.
    pub(crate) last_sr: Option<(u32, Instant)>,
    /// RTP packets arrived since this session's last report.
    pub(crate) received_since_report: bool,
    /// RTP packets arrived in the interval before that.
    pub(crate) received_previous_interval: bool,
    /// It said BYE.
    pub(crate) left: bool,
}

impl RemoteSource {
    /// A source first heard with sequence number `seq`.
    pub(crate) fn new(ssrc: u32, seq: u16, min_sequential: u16) -> Self {
        Self {
            ssrc,
            sequence: SequenceState::new(seq, min_sequential),
            transit: None,
            jitter_q4: 0,
            highest: None,
            last_sr: None,
            received_since_report: false,
            received_previous_interval: false,
            left: false,
        }
    }

    /// Whether it has passed probation.
    pub(crate) fn is_valid(&self) -> bool {
        self.sequence.is_valid()
    }

    /// Whether it counts as a sender for the RTCP interval (sent within
    /// the last two report intervals).
    pub(crate) fn is_sender(&self) -> bool {
        !self.left && (self.received_since_report || self.received_previous_interval)
    }

    /// Takes in an accepted packet: jitter, IPDV and loss periods.
    /// `arrival` is the arrival time in timestamp units on the session's
    /// clock; `clock_rate` converts units to microseconds.
    pub(crate) fn on_accepted(
        &mut self,
        now: Instant,
        arrival: u32,
        timestamp: u32,
        outcome: SeqOutcome,
        clock_rate: u32,
    ) -> Measurements {
        let usec = |units: i64| units * 1_000_000 / i64::from(clock_rate.max(1));
        let mut m = Measurements::default();
        self.received_since_report = true;

        // A.8: D(i−1, i) from the relative transit times, in arrival order.
        let transit = arrival.wrapping_sub(timestamp);
        if let Some(previous) = self.transit {
            let d = i64::from((transit.wrapping_sub(previous) as i32).unsigned_abs());
            let jitter = self.jitter_q4 as i64;
            self.jitter_q4 = (jitter + d - ((jitter + 8) >> 4)).max(0) as u64;
            m.raw_jitter_usec = Some(usec(d));
        }
        self.transit = Some(transit);

        if let SeqOutcome::Valid {
            gap,
            late: false,
            restarted,
            ..
        } = outcome
        {
            if let (Some((at, ts)), false) = (self.highest, restarted) {
                let ts_gap = i64::from(timestamp.wrapping_sub(ts) as i32);
                if gap == 0 {
                    let arrival_gap = i64::try_from((now - at).as_micros()).unwrap_or(i64::MAX);
                    m.ipdv_usec = Some(arrival_gap - usec(ts_gap));
                } else if ts_gap > 0 {
                    // The lost packets took `gap` of the `gap + 1` frames
                    // between the two timestamps.
                    let gap = i64::try_from(gap).unwrap_or(i64::MAX);
                    m.loss_period_usec = Some(usec(ts_gap) * gap / (gap + 1));
                }
            }
            self.highest = Some((now, timestamp));
        }
        m
    }

    /// Interarrival jitter in timestamp units (the report's field).
    pub(crate) fn jitter(&self) -> u32 {
        u32::try_from(self.jitter_q4 >> 4).unwrap_or(u32::MAX)
    }

    /// Interarrival jitter in microseconds.
    pub(crate) fn jitter_usec(&self, clock_rate: u32) -> i64 {
        (self.jitter_q4 as i128 * 1_000_000 / (16 * i128::from(clock_rate.max(1)))) as i64
    }

    /// The report block about this source at `now` (moving the fraction
    /// lost's interval on), and the interval's bookkeeping.
    pub(crate) fn report_block(&mut self, now: Instant) -> ReportBlock {
        let (last_sr, delay_since_last_sr) = match self.last_sr {
            Some((lsr, at)) => (lsr, ntp::to_compact(now.saturating_duration_since(at))),
            None => (0, 0),
        };
        ReportBlock {
            ssrc: self.ssrc,
            fraction_lost: self.sequence.take_fraction_lost(),
            cumulative_lost: i32::try_from(self.sequence.lost())
                .unwrap_or(i32::MAX)
                .min(0x7F_FFFF),
            extended_highest_sequence: self.sequence.extended_max() as u32,
            jitter: self.jitter(),
            last_sr,
            delay_since_last_sr,
        }
    }

    /// This session sent a report: a new interval starts.
    pub(crate) fn interval_passed(&mut self) {
        self.received_previous_interval = self.received_since_report;
        self.received_since_report = false;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::rtp::sequence::MIN_SEQUENTIAL;

    #[test]
    #[allow(clippy::disallowed_methods)] // a base instant for a unit test
    fn jitter_of_a_steady_stream_is_zero_and_grows_with_variation() {
        let t0 = Instant::now();
        let mut s = RemoteSource::new(1, 0, MIN_SEQUENTIAL);
        let _ = s.sequence.update(0);
        for i in 1..50u16 {
            let outcome = s.sequence.update(i);
            let at = t0 + Duration::from_millis(20 * u64::from(i));
            let m = s.on_accepted(at, 160 * u32::from(i), 160 * u32::from(i), outcome, 8000);
            if i > 1 {
                assert_eq!(m.ipdv_usec, Some(0));
                assert_eq!(m.raw_jitter_usec, Some(0));
            }
        }
        assert_eq!(s.jitter(), 0);
        // One packet 10 ms (80 units) late: D = 80, J += (80 − J)/16 = 5.
        let outcome = s.sequence.update(50);
        let m = s.on_accepted(t0 + Duration::from_millis(1010), 8080, 8000, outcome, 8000);
        assert_eq!(m.raw_jitter_usec, Some(10_000));
        assert_eq!(m.ipdv_usec, Some(10_000));
        assert_eq!(s.jitter(), 5);
        assert_eq!(s.jitter_usec(8000), 625);
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // a base instant for a unit test
    fn loss_periods_are_measured_in_frames() {
        let t0 = Instant::now();
        let mut s = RemoteSource::new(1, 0, MIN_SEQUENTIAL);
        let _ = s.sequence.update(0);
        let o = s.sequence.update(1);
        s.on_accepted(t0, 160, 160, o, 8000);
        let o = s.sequence.update(4);
        let m = s.on_accepted(t0 + Duration::from_millis(60), 640, 640, o, 8000);
        assert_eq!(m.loss_period_usec, Some(40_000), "two 20 ms frames");
        assert_eq!(m.ipdv_usec, None);
        let block = s.report_block(t0 + Duration::from_millis(60));
        assert_eq!((block.cumulative_lost, block.fraction_lost), (2, 128));
        assert_eq!((block.last_sr, block.delay_since_last_sr), (0, 0));
    }
}
