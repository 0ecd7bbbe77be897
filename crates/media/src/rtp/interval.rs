//! The RTCP transmission interval: RFC 3550 §6.2, §6.3 and Appendix A.7,
//! with timer reconsideration.

use std::time::{Duration, Instant};

use super::rng::Rng;

/// The minimum interval between reports (§6.2), halved for the first.
pub const RTCP_MIN_INTERVAL: Duration = Duration::from_secs(5);
/// Share of the session bandwidth RTCP may use (§6.2).
pub const RTCP_BANDWIDTH_FRACTION: f64 = 0.05;
/// Share of the RTCP bandwidth for senders when they are at most a quarter
/// of the members (§6.2); receivers share the rest.
const SENDER_FRACTION: f64 = 0.25;
/// `e − 3/2`: compensates for timer reconsideration converging to a value
/// below the intended average (A.7).
const COMPENSATION: f64 = std::f64::consts::E - 1.5;
/// IPv4 and UDP headers, counted in the average RTCP packet size (§6.2).
pub(crate) const UDP_IPV4_OVERHEAD: usize = 28;

/// What the interval depends on at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct IntervalInputs {
    /// Members of the session, this one included.
    pub(crate) members: u32,
    /// Members that sent RTP recently, this one included when it did.
    pub(crate) senders: u32,
    /// Whether this member is a sender.
    pub(crate) we_sent: bool,
    /// RTCP bandwidth, in octets per second.
    pub(crate) rtcp_bandwidth: f64,
    /// Average compound RTCP packet size with UDP/IP headers, in octets.
    pub(crate) avg_rtcp_size: f64,
    /// Before the first report.
    pub(crate) initial: bool,
    /// The minimum interval (before halving for the first report).
    pub(crate) minimum: Duration,
}

/// The deterministic interval `T` of A.7, before randomisation.
pub(crate) fn deterministic_interval(inputs: &IntervalInputs) -> f64 {
    let mut minimum = inputs.minimum.as_secs_f64();
    if inputs.initial {
        minimum /= 2.0;
    }
    let mut n = f64::from(inputs.members.max(1));
    let mut bandwidth = inputs.rtcp_bandwidth;
    let senders = f64::from(inputs.senders);
    if senders > 0.0 && senders <= n * SENDER_FRACTION {
        if inputs.we_sent {
            bandwidth *= SENDER_FRACTION;
            n = senders;
        } else {
            bandwidth *= 1.0 - SENDER_FRACTION;
            n -= senders;
        }
    }
    let t = if bandwidth > 0.0 {
        inputs.avg_rtcp_size * n / bandwidth
    } else {
        f64::INFINITY
    };
    t.max(minimum)
}

/// A.7's `rtcp_interval`: `T` randomised uniformly in `[0.5, 1.5] × T` and
/// divided by `e − 3/2`. Capped at an hour so an absurd bandwidth cannot
/// stop reports for good.
pub(crate) fn randomised_interval(inputs: &IntervalInputs, rng: &mut Rng) -> Duration {
    let t = deterministic_interval(inputs) * (rng.next_f64() + 0.5) / COMPENSATION;
    Duration::from_secs_f64(t.min(3600.0))
}

/// The reduced minimum of §6.2, `360 / (session bandwidth in kbit/s)`
/// seconds, for sessions that allow it (never above the 5 s minimum).
pub(crate) fn reduced_minimum(session_bandwidth_bps: u32) -> Duration {
    if session_bandwidth_bps == 0 {
        return RTCP_MIN_INTERVAL;
    }
    let secs = 360.0 / (f64::from(session_bandwidth_bps) / 1000.0);
    Duration::from_secs_f64(secs).min(RTCP_MIN_INTERVAL)
}

/// The report timer of one member: when the last report went (`tp`), when
/// the next is due (`tn`), and the average packet size.
#[derive(Debug, Clone)]
pub(crate) struct ReportTimer {
    /// When the previous report was sent (or the session started).
    tp: Instant,
    /// When the next report is due.
    tn: Instant,
    /// Average compound RTCP packet size, with UDP/IP headers.
    avg_rtcp_size: f64,
    /// No report sent yet.
    initial: bool,
}

impl ReportTimer {
    /// A timer for a member joining at `now`, whose first compound packet
    /// will be about `first_size` octets.
    pub(crate) fn new(
        now: Instant,
        first_size: usize,
        inputs: IntervalInputs,
        rng: &mut Rng,
    ) -> Self {
        let mut timer = Self {
            tp: now,
            tn: now,
            avg_rtcp_size: (first_size + UDP_IPV4_OVERHEAD) as f64,
            initial: true,
        };
        timer.tn = now + randomised_interval(&timer.fill(inputs), rng);
        timer
    }

    /// When the next report is due.
    pub(crate) fn next(&self) -> Instant {
        self.tn
    }

    /// Fills in the timer's own inputs.
    fn fill(&self, mut inputs: IntervalInputs) -> IntervalInputs {
        inputs.avg_rtcp_size = self.avg_rtcp_size;
        inputs.initial = self.initial;
        inputs
    }

    /// A.7's `OnExpire` for a report: whether to send now. If not (the
    /// recomputed interval from `tp` ends later), the timer moves to that
    /// time (timer reconsideration).
    pub(crate) fn expire(&mut self, now: Instant, inputs: IntervalInputs, rng: &mut Rng) -> bool {
        let t = randomised_interval(&self.fill(inputs), rng);
        if self.tp + t <= now {
            true
        } else {
            self.tn = self.tp + t;
            false
        }
    }

    /// A report of `size` octets (without UDP/IP) was sent at `now`: the
    /// next is scheduled from here.
    pub(crate) fn sent(
        &mut self,
        now: Instant,
        size: usize,
        inputs: IntervalInputs,
        rng: &mut Rng,
    ) {
        self.observe(size);
        self.initial = false;
        self.tp = now;
        self.tn = now + randomised_interval(&self.fill(inputs), rng);
    }

    /// An RTCP packet of `size` octets (without UDP/IP) was sent or
    /// received: the average size moves 1/16 of the way to it (§6.3.3).
    pub(crate) fn observe(&mut self, size: usize) {
        let packet = (size + UDP_IPV4_OVERHEAD) as f64;
        self.avg_rtcp_size += (packet - self.avg_rtcp_size) / 16.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(bandwidth_bps: f64, members: u32, senders: u32, we_sent: bool) -> IntervalInputs {
        IntervalInputs {
            members,
            senders,
            we_sent,
            rtcp_bandwidth: bandwidth_bps / 8.0 * RTCP_BANDWIDTH_FRACTION,
            avg_rtcp_size: 100.0,
            initial: false,
            minimum: RTCP_MIN_INTERVAL,
        }
    }

    #[test]
    fn small_sessions_use_the_minimum() {
        let i = inputs(64_000.0, 2, 2, true);
        assert_eq!(deterministic_interval(&i), 5.0);
        let first = IntervalInputs { initial: true, ..i };
        assert_eq!(deterministic_interval(&first), 2.5);
    }

    #[test]
    fn low_bandwidth_stretches_the_interval() {
        // 4 kbit/s → 25 octets/s of RTCP; 2 members of 100 octets → 8 s.
        let i = inputs(4_000.0, 2, 2, true);
        assert!((deterministic_interval(&i) - 8.0).abs() < 1e-9);
    }

    #[test]
    fn senders_get_a_quarter_when_few() {
        // 40 members, 1 sender (us): senders share 25 % of 250 octets/s.
        let i = inputs(40_000.0, 40, 1, true);
        assert!((deterministic_interval(&i) - 5.0f64.max(100.0 / 62.5)).abs() < 1e-9);
        // A receiver among 39: 39 × 100 / 187.5 = 20.8 s.
        let r = inputs(40_000.0, 40, 1, false);
        assert!((deterministic_interval(&r) - 39.0 * 100.0 / 187.5).abs() < 1e-9);
    }

    #[test]
    fn randomisation_stays_in_its_bounds() {
        let mut rng = Rng::from_seed(3);
        let i = inputs(64_000.0, 2, 2, true);
        let (lo, hi) = (2.5 / COMPENSATION, 7.5 / COMPENSATION);
        let draws: Vec<f64> = (0..5_000)
            .map(|_| randomised_interval(&i, &mut rng).as_secs_f64())
            .collect();
        assert!(draws.iter().all(|&t| (lo..=hi).contains(&t)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 5.0 / COMPENSATION).abs() < 0.05, "{mean}");
    }

    #[test]
    fn reduced_minimum_follows_bandwidth() {
        assert_eq!(reduced_minimum(720_000), Duration::from_millis(500));
        assert_eq!(reduced_minimum(64_000), RTCP_MIN_INTERVAL);
        assert_eq!(reduced_minimum(0), RTCP_MIN_INTERVAL);
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // a base instant for a unit test
    fn reconsideration_postpones_but_never_beyond_the_bound() {
        let start = Instant::now();
        let mut rng = Rng::from_seed(9);
        let i = inputs(64_000.0, 2, 2, true);
        let mut timer = ReportTimer::new(start, 72, i, &mut rng);
        let first = timer.next() - start;
        assert!(first >= Duration::from_secs_f64(1.25 / COMPENSATION));
        assert!(first <= Duration::from_secs_f64(3.75 / COMPENSATION));
        let mut now = timer.next();
        let mut sent = Vec::new();
        let mut last = start;
        while sent.len() < 500 {
            if timer.expire(now, i, &mut rng) {
                sent.push(now - last);
                last = now;
                timer.sent(now, 72, i, &mut rng);
            }
            now = timer.next();
        }
        let (lo, hi) = (2.5 / COMPENSATION, 7.5 / COMPENSATION);
        for gap in &sent[1..] {
            assert!((lo..=hi + 1e-9).contains(&gap.as_secs_f64()), "{gap:?}");
        }
    }
}
