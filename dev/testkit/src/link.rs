//! What a link does to the datagrams crossing it: delay, jitter, loss (random
//! and in bursts), duplication, reordering, an MTU and an optional rate limit.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use crate::rng::{SimRng, mix};

/// The behaviour of one direction of a link (or of every link, as the
/// network's default). Plain data: build it with the `with_*` methods or a
/// struct literal with `..LinkConfig::default()`.
///
/// A datagram meets the effects in this order: MTU (too big: dropped), rate
/// limit (queue too long: dropped), loss (random, then Gilbert–Elliott), then
/// delay, jitter and reordering; a surviving datagram may also be duplicated.
///
/// Jitter never reorders: a datagram is never delivered before one sent
/// earlier on the same link, so jitter only stretches gaps. Reordering happens
/// only through [`LinkConfig::reorder`], which holds a datagram back by
/// [`LinkConfig::reorder_delay`] so that later ones overtake it, and is
/// counted in [`LinkStats::reordered`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkConfig {
    /// Fixed one-way delay.
    pub delay: Duration,
    /// Extra delay, uniform in `[0, jitter]`, drawn per datagram.
    pub jitter: Duration,
    /// Probability that a datagram is lost, independently of the others.
    pub loss: f64,
    /// Loss in bursts (Gilbert–Elliott), on top of [`LinkConfig::loss`].
    pub burst_loss: Option<GilbertElliott>,
    /// Probability that a delivered datagram is delivered a second time.
    pub duplicate: f64,
    /// Probability that a datagram is held back by
    /// [`LinkConfig::reorder_delay`], letting later ones overtake it.
    pub reorder: f64,
    /// How long a reordered datagram is held back.
    pub reorder_delay: Duration,
    /// Datagrams longer than this many bytes are dropped (and counted).
    pub mtu: Option<usize>,
    /// A bottleneck: datagrams leave one after another at this rate.
    pub rate: Option<RateLimit>,
}

impl LinkConfig {
    /// A perfect link with a fixed one-way delay: nothing lost, duplicated,
    /// reordered or limited.
    pub const fn with_delay_only(delay: Duration) -> Self {
        Self {
            delay,
            jitter: Duration::ZERO,
            loss: 0.0,
            burst_loss: None,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: Duration::from_millis(20),
            mtu: None,
            rate: None,
        }
    }

    /// Sets the one-way delay.
    pub const fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Sets the jitter (uniform extra delay in `[0, jitter]`).
    pub const fn with_jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets the independent loss probability.
    pub const fn with_loss(mut self, loss: f64) -> Self {
        self.loss = loss;
        self
    }

    /// Sets burst loss.
    pub const fn with_burst_loss(mut self, model: GilbertElliott) -> Self {
        self.burst_loss = Some(model);
        self
    }

    /// Sets the duplication probability.
    pub const fn with_duplicate(mut self, probability: f64) -> Self {
        self.duplicate = probability;
        self
    }

    /// Sets the reordering probability and how long a reordered datagram is
    /// held back.
    pub const fn with_reorder(mut self, probability: f64, hold_back: Duration) -> Self {
        self.reorder = probability;
        self.reorder_delay = hold_back;
        self
    }

    /// Sets the MTU in bytes.
    pub const fn with_mtu(mut self, mtu: usize) -> Self {
        self.mtu = Some(mtu);
        self
    }

    /// Sets a rate limit.
    pub const fn with_rate(mut self, rate: RateLimit) -> Self {
        self.rate = Some(rate);
        self
    }

    /// Panics, naming the field, if a probability is outside `[0, 1]` or a
    /// rate is zero: a test that configures that is broken.
    pub(crate) fn assert_valid(&self) {
        let probability = |name: &str, p: f64| {
            assert!(
                (0.0..=1.0).contains(&p),
                "LinkConfig::{name} = {p} is not a probability"
            );
        };
        probability("loss", self.loss);
        probability("duplicate", self.duplicate);
        probability("reorder", self.reorder);
        if let Some(ge) = self.burst_loss {
            probability("burst_loss.p", ge.p);
            probability("burst_loss.r", ge.r);
            probability("burst_loss.loss_good", ge.loss_good);
            probability("burst_loss.loss_bad", ge.loss_bad);
        }
        if let Some(rate) = self.rate {
            assert!(rate.bits_per_second > 0, "RateLimit of 0 bits/s");
        }
    }
}

impl Default for LinkConfig {
    /// A perfect link with a 10 ms one-way delay.
    fn default() -> Self {
        Self::with_delay_only(Duration::from_millis(10))
    }
}

/// The Gilbert–Elliott two-state loss model: the link is *good* or *bad*;
/// before each datagram it moves good → bad with probability `p` and bad →
/// good with probability `r`, then loses the datagram with the loss
/// probability of the state it is in. Losses come in bursts of mean length
/// about `1 / r` (when `loss_bad` is 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GilbertElliott {
    /// Probability of moving from good to bad.
    pub p: f64,
    /// Probability of moving from bad to good.
    pub r: f64,
    /// Loss probability in the good state (`1 - k` in the literature).
    pub loss_good: f64,
    /// Loss probability in the bad state (`1 - h` in the literature).
    pub loss_bad: f64,
}

impl GilbertElliott {
    /// The simple Gilbert model: nothing lost when good, everything when bad.
    pub const fn new(p: f64, r: f64) -> Self {
        Self {
            p,
            r,
            loss_good: 0.0,
            loss_bad: 1.0,
        }
    }

    /// A simple Gilbert model with mean loss `loss` (below 1) in bursts of mean
    /// length `mean_burst` (at least 1) datagrams.
    pub fn with_mean(loss: f64, mean_burst: f64) -> Self {
        assert!((0.0..1.0).contains(&loss), "loss {loss} not in [0, 1)");
        assert!(mean_burst >= 1.0, "mean burst {mean_burst} below 1");
        let r = 1.0 / mean_burst;
        Self::new(loss * r / (1.0 - loss), r)
    }

    /// The long-run fraction of datagrams lost.
    pub fn mean_loss(&self) -> f64 {
        if self.p + self.r == 0.0 {
            return self.loss_good;
        }
        let bad = self.p / (self.p + self.r);
        (1.0 - bad) * self.loss_good + bad * self.loss_bad
    }
}

/// A bottleneck on a link: datagrams are serialized at `bits_per_second`, and
/// one that would wait longer than `max_queue_delay` to start is dropped
/// (tail drop), counted in [`LinkStats::dropped_queue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The link's capacity.
    pub bits_per_second: u64,
    /// The longest a datagram may queue before it is dropped.
    pub max_queue_delay: Duration,
}

/// What happened to the datagrams sent on one direction of a link.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Datagrams handed to the network.
    pub sent: u64,
    /// Datagrams handed out to receivers, duplicates included.
    pub delivered: u64,
    /// Datagrams lost (randomly or in a burst).
    pub lost: u64,
    /// Extra copies made.
    pub duplicated: u64,
    /// Datagrams held back to be overtaken.
    pub reordered: u64,
    /// Datagrams dropped for being longer than the MTU.
    pub dropped_mtu: u64,
    /// Datagrams dropped because the rate limit's queue was full.
    pub dropped_queue: u64,
    /// Payload bytes handed to the network.
    pub bytes_sent: u64,
    /// Payload bytes handed out to receivers, duplicates included.
    pub bytes_delivered: u64,
}

impl LinkStats {
    /// Datagrams scheduled but not yet delivered.
    pub fn in_flight(&self) -> u64 {
        (self.sent + self.duplicated)
            - (self.delivered + self.lost + self.dropped_mtu + self.dropped_queue)
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Self) {
        self.sent += other.sent;
        self.delivered += other.delivered;
        self.lost += other.lost;
        self.duplicated += other.duplicated;
        self.reordered += other.reordered;
        self.dropped_mtu += other.dropped_mtu;
        self.dropped_queue += other.dropped_queue;
        self.bytes_sent += other.bytes_sent;
        self.bytes_delivered += other.bytes_delivered;
    }
}

/// Which configuration applies to a datagram: the one set for its exact
/// address pair, else the one for its host (IP) pair, else the default.
#[derive(Debug, Clone, Default)]
pub(crate) struct LinkTable {
    pub(crate) default: LinkConfig,
    pub(crate) by_addr: BTreeMap<(SocketAddr, SocketAddr), LinkConfig>,
    pub(crate) by_host: BTreeMap<(IpAddr, IpAddr), LinkConfig>,
}

impl LinkTable {
    pub(crate) fn config(&self, from: SocketAddr, to: SocketAddr) -> LinkConfig {
        self.by_addr
            .get(&(from, to))
            .or_else(|| self.by_host.get(&(from.ip(), to.ip())))
            .copied()
            .unwrap_or(self.default)
    }
}

/// What the link decided for one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    TooBig,
    QueueFull,
    Lost,
    Deliver {
        at: Instant,
        reordered: bool,
        duplicate_at: Option<Instant>,
    },
}

/// The running state of one direction of a link. Every random decision has
/// its own stream, drawn once per datagram whatever the configuration, so that
/// turning on duplication (say) leaves the loss pattern of a seed unchanged.
#[derive(Debug, Clone)]
pub(crate) struct LinkState {
    loss: SimRng,
    burst: SimRng,
    jitter: SimRng,
    reorder: SimRng,
    duplicate: SimRng,
    burst_bad: bool,
    busy_until: Option<Instant>,
    last_arrival: Option<Instant>,
    pub(crate) stats: LinkStats,
}

impl LinkState {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            loss: SimRng::from_seed(mix(seed, 1)),
            burst: SimRng::from_seed(mix(seed, 2)),
            jitter: SimRng::from_seed(mix(seed, 3)),
            reorder: SimRng::from_seed(mix(seed, 4)),
            duplicate: SimRng::from_seed(mix(seed, 5)),
            burst_bad: false,
            busy_until: None,
            last_arrival: None,
            stats: LinkStats::default(),
        }
    }

    /// Decides the fate of a datagram of `len` bytes sent at `now`.
    pub(crate) fn admit(&mut self, cfg: &LinkConfig, now: Instant, len: usize) -> Fate {
        self.stats.sent += 1;
        self.stats.bytes_sent += len as u64;

        // Draw every decision up front, so each stream advances once per datagram.
        let random_loss = self.loss.chance(cfg.loss);
        let burst_loss = self.burst_step(cfg.burst_loss);
        let jitter = self.jitter.duration_up_to(cfg.jitter);
        let duplicate_jitter = self.jitter.duration_up_to(cfg.jitter);
        let reordered = self.reorder.chance(cfg.reorder);
        let duplicated = self.duplicate.chance(cfg.duplicate);

        if cfg.mtu.is_some_and(|mtu| len > mtu) {
            self.stats.dropped_mtu += 1;
            return Fate::TooBig;
        }
        let mut departs = now;
        if let Some(rate) = cfg.rate {
            let start = self.busy_until.map_or(now, |busy| busy.max(now));
            if start - now > rate.max_queue_delay {
                self.stats.dropped_queue += 1;
                return Fate::QueueFull;
            }
            let bits = len as u128 * 8;
            let nanos = bits * 1_000_000_000 / u128::from(rate.bits_per_second);
            departs = start + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
            self.busy_until = Some(departs);
        }
        if random_loss || burst_loss {
            self.stats.lost += 1;
            return Fate::Lost;
        }
        let natural = departs + cfg.delay + jitter;
        let at = if reordered {
            self.stats.reordered += 1;
            natural + cfg.reorder_delay
        } else {
            let at = self.last_arrival.map_or(natural, |last| last.max(natural));
            self.last_arrival = Some(at);
            at
        };
        let duplicate_at = duplicated.then(|| {
            self.stats.duplicated += 1;
            at + duplicate_jitter
        });
        Fate::Deliver {
            at,
            reordered,
            duplicate_at,
        }
    }

    /// Moves the Gilbert–Elliott chain one datagram on and says whether this
    /// datagram is lost to it.
    fn burst_step(&mut self, model: Option<GilbertElliott>) -> bool {
        let flip = self.burst.next_f64();
        let lose = self.burst.next_f64();
        let Some(ge) = model else {
            self.burst_bad = false;
            return false;
        };
        self.burst_bad = if self.burst_bad {
            flip >= ge.r
        } else {
            flip < ge.p
        };
        lose < if self.burst_bad {
            ge.loss_bad
        } else {
            ge.loss_good
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gilbert_elliott_mean() {
        let ge = GilbertElliott::with_mean(0.1, 5.0);
        assert!((ge.r - 0.2).abs() < 1e-12);
        assert!((ge.mean_loss() - 0.1).abs() < 1e-12);
    }

    #[test]
    #[should_panic(expected = "LinkConfig::loss = 1.5 is not a probability")]
    fn rejects_bad_probability() {
        LinkConfig::default().with_loss(1.5).assert_valid();
    }

    #[test]
    fn rate_limit_serializes_and_tail_drops() {
        let now = Instant::now();
        let cfg = LinkConfig::with_delay_only(Duration::ZERO).with_rate(RateLimit {
            bits_per_second: 8_000, // 1 byte per millisecond
            max_queue_delay: Duration::from_millis(250),
        });
        let mut link = LinkState::new(1);
        let mut arrivals = Vec::new();
        for _ in 0..5 {
            arrivals.push(link.admit(&cfg, now, 100));
        }
        let at = |ms| Fate::Deliver {
            at: now + Duration::from_millis(ms),
            reordered: false,
            duplicate_at: None,
        };
        assert_eq!(arrivals[..3], [at(100), at(200), at(300)]);
        assert_eq!(arrivals[3], Fate::QueueFull, "would wait 300 ms > 250 ms");
        assert_eq!(arrivals[4], Fate::QueueFull);
        assert_eq!(link.stats.dropped_queue, 2);
    }

    #[test]
    fn table_prefers_address_then_host_then_default() {
        let a: SocketAddr = "10.0.0.1:5060".parse().unwrap();
        let b: SocketAddr = "10.0.0.2:5060".parse().unwrap();
        let b2: SocketAddr = "10.0.0.2:6000".parse().unwrap();
        let mut table = LinkTable::default();
        table
            .by_host
            .insert((a.ip(), b.ip()), LinkConfig::default().with_loss(0.5));
        table
            .by_addr
            .insert((a, b), LinkConfig::default().with_loss(0.25));
        assert_eq!(table.config(a, b).loss, 0.25);
        assert_eq!(table.config(a, b2).loss, 0.5);
        assert_eq!(table.config(b, a).loss, 0.0);
    }
}
