//! Statistics in the shape of PJSUA2's `StreamStat.rtcp` (`RtcpStat`,
//! `RtcpStreamStat`, `MathStat`, `RtcpSdes`), with snake_case field names.

use std::time::Instant;

/// Running statistics of one quantity (PJSUA2's `MathStat`): how many
/// samples, the extremes, the last one and the mean. All zero before the
/// first sample.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MathStat {
    /// Number of samples.
    pub n: u64,
    /// Largest sample.
    pub max: i64,
    /// Smallest sample.
    pub min: i64,
    /// Most recent sample.
    pub last: i64,
    /// Mean of the samples, rounded to the nearest integer.
    pub mean: i64,
    /// The mean kept exactly, so rounding does not accumulate.
    exact_mean: f64,
}

impl MathStat {
    /// Adds a sample.
    pub fn update(&mut self, value: i64) {
        if self.n == 0 {
            self.min = value;
            self.max = value;
        } else {
            self.min = self.min.min(value);
            self.max = self.max.max(value);
        }
        self.n += 1;
        self.last = value;
        self.exact_mean += (value as f64 - self.exact_mean) / self.n as f64;
        self.mean = self.exact_mean.round() as i64;
    }

    /// The mean without rounding.
    pub fn exact_mean(&self) -> f64 {
        self.exact_mean
    }
}

/// The kinds of loss seen (PJSUA2's `RtcpStreamStat.lossType`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LossType {
    /// At least one run of two or more consecutive packets was lost.
    pub burst: bool,
    /// At least one packet was lost on its own.
    pub random: bool,
}

/// One direction of a stream (PJSUA2's `RtcpStreamStat`).
///
/// For the receiving direction (`rx_stat`) every figure is measured here.
/// For the sending direction (`tx_stat`), `pkt` and `bytes` count what this
/// session sent, and `loss` and `jitter_usec` are what the peer's reports
/// say about it; `discard`, `reorder`, `dup` and `loss_period_usec` are the
/// peer's to know and stay zero.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RtcpStreamStat {
    /// When the figures were last updated: for `rx_stat`, when this session
    /// last summarised them in a report it sent; for `tx_stat`, when a
    /// report from the peer about this session last arrived.
    pub update: Option<Instant>,
    /// How many times they were updated.
    pub update_count: u32,
    /// RTP packets: sent, or received and accepted (duplicates and discarded
    /// packets not counted).
    pub pkt: u64,
    /// Payload bytes of those packets (headers and padding excluded).
    pub bytes: u64,
    /// Packets received and thrown away: malformed, from an unknown or not
    /// yet validated source, or beyond the sequence checks' limits
    /// (RFC 3550 A.1's "bad" packets).
    pub discard: u64,
    /// Packets lost: expected minus received (RFC 3550 A.3), over every
    /// source and restart of the session.
    pub loss: u64,
    /// Packets that arrived after a later one (out of order), and were still
    /// accepted.
    pub reorder: u64,
    /// Packets received more than once (the copies are not delivered).
    pub dup: u64,
    /// Lengths of the runs of lost packets, in microseconds.
    pub loss_period_usec: MathStat,
    /// The kinds of loss seen.
    pub loss_type: LossType,
    /// Interarrival jitter (RFC 3550 A.8) in microseconds, sampled at each
    /// update.
    pub jitter_usec: MathStat,
}

/// The peer's source description (PJSUA2's `RtcpSdes`), from its SDES
/// packets. Empty until one arrives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RtcpSdes {
    /// Canonical name (CNAME).
    pub cname: String,
    /// User name (NAME).
    pub name: String,
    /// E-mail address (EMAIL).
    pub email: String,
    /// Phone number (PHONE).
    pub phone: String,
    /// Location (LOC).
    pub loc: String,
    /// Application or tool (TOOL).
    pub tool: String,
    /// Notice or status (NOTE).
    pub note: String,
}

/// The statistics of one RTP session (PJSUA2's `RtcpStat`, the `rtcp` part
/// of `StreamStat`).
#[derive(Debug, Clone, PartialEq)]
pub struct RtcpStat {
    /// When the session started.
    pub start: Instant,
    /// The sending direction.
    pub tx_stat: RtcpStreamStat,
    /// The receiving direction.
    pub rx_stat: RtcpStreamStat,
    /// Round-trip time measured from the peer's reports (RFC 3550 §6.4.1),
    /// in microseconds.
    pub rtt_usec: MathStat,
    /// RTP timestamp of the last packet sent.
    pub rtp_tx_last_ts: u32,
    /// Sequence number of the last packet sent.
    pub rtp_tx_last_seq: u16,
    /// Inter-packet delay variation, in microseconds: for each packet that
    /// directly follows the previous one in sequence, how much longer (or,
    /// negative, shorter) the gap between their arrivals was than the gap
    /// between their timestamps.
    pub rx_ipdv_usec: MathStat,
    /// The unsmoothed transit-time differences |D(i−1, i)| of RFC 3550 A.8,
    /// in microseconds, one per packet received.
    pub rx_raw_jitter_usec: MathStat,
    /// The peer's source description.
    pub peer_sdes: RtcpSdes,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_stat_tracks_extremes_and_mean() {
        let mut s = MathStat::default();
        for v in [10, -4, 7, 3] {
            s.update(v);
        }
        assert_eq!((s.n, s.min, s.max, s.last, s.mean), (4, -4, 10, 3, 4));
        assert!((s.exact_mean() - 4.0).abs() < 1e-12);
    }
}
