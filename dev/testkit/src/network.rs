//! The simulated network: datagrams between addresses through configurable
//! links, and reliable stream connections, all on one seeded schedule.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use crate::link::{Fate, LinkConfig, LinkState, LinkStats, LinkTable};
use crate::rng::{mix, mix_addr};
use crate::schedule::Schedule;
use crate::stream::{
    ConnectionId, StreamConfig, StreamDelivery, StreamError, StreamStats, Streams,
};
use crate::trace::{DatagramFate, Trace};

/// A network emulator, sans-IO like the code it tests: datagrams go in with
/// [`Network::send`], come out of [`Network::deliver_due`] once virtual time
/// reaches them, and [`Network::next_delivery`] says when that is.
///
/// Every random choice derives from the seed given to [`Network::new`], and
/// each link (each direction of each address pair) and each stream connection
/// draws from its own stream of numbers, so traffic on one link never changes
/// what happens on another: the same seed and the same sends give the same
/// schedule, byte for byte.
///
/// Datagrams due at the same instant come out in the order they were
/// scheduled.
#[derive(Debug)]
pub struct Network {
    seed: u64,
    links: LinkTable,
    states: BTreeMap<(SocketAddr, SocketAddr), LinkState>,
    queue: Schedule<InFlight>,
    streams: Streams,
    trace: Trace,
}

/// A datagram that reached its receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// When it arrived.
    pub at: Instant,
    /// Sender.
    pub from: SocketAddr,
    /// Receiver.
    pub to: SocketAddr,
    /// The bytes.
    pub payload: Vec<u8>,
}

#[derive(Debug)]
struct InFlight {
    from: SocketAddr,
    to: SocketAddr,
    payload: Vec<u8>,
    duplicate: bool,
    reordered: bool,
}

impl Network {
    /// A network whose every link is [`LinkConfig::default`] (10 ms, perfect)
    /// and whose streams are chunked by [`StreamConfig::default`].
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            links: LinkTable::default(),
            states: BTreeMap::new(),
            queue: Schedule::new(),
            streams: Streams::new(mix(seed, 0x5752_4541_4d53)),
            trace: Trace::default(),
        }
    }

    /// The seed the network was made with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Sets the configuration of every link that has none of its own.
    pub fn set_default_link(&mut self, config: LinkConfig) {
        config.assert_valid();
        self.links.default = config;
    }

    /// Sets the configuration of datagrams from `from` to `to` (one direction).
    pub fn set_link(&mut self, from: SocketAddr, to: SocketAddr, config: LinkConfig) {
        config.assert_valid();
        self.links.by_addr.insert((from, to), config);
    }

    /// Sets the same configuration in both directions between `a` and `b`.
    pub fn set_link_both(&mut self, a: SocketAddr, b: SocketAddr, config: LinkConfig) {
        self.set_link(a, b, config);
        self.set_link(b, a, config);
    }

    /// Sets the configuration from every port of host `from` to every port of
    /// host `to` (one direction), where no address pair has its own.
    pub fn set_host_link(&mut self, from: IpAddr, to: IpAddr, config: LinkConfig) {
        config.assert_valid();
        self.links.by_host.insert((from, to), config);
    }

    /// The configuration that applies from `from` to `to`.
    pub fn link(&self, from: SocketAddr, to: SocketAddr) -> LinkConfig {
        self.links.config(from, to)
    }

    /// Sets how stream bytes are cut into chunks.
    pub fn set_stream_config(&mut self, config: StreamConfig) {
        assert!(
            (0.0..=1.0).contains(&config.coalesce),
            "StreamConfig::coalesce = {} is not a probability",
            config.coalesce
        );
        self.streams.config = config;
    }

    /// Starts recording a [`Trace`], printing times as offsets from `origin`
    /// (usually the clock's base).
    pub fn enable_trace(&mut self, origin: Instant) {
        if !self.trace.is_enabled() {
            self.trace = Trace::recording(origin);
        }
    }

    /// What was recorded (empty and saying so unless enabled).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The trace, to add notes or clear it.
    pub fn trace_mut(&mut self) -> &mut Trace {
        &mut self.trace
    }

    /// Sends a datagram at `now`; the link decides whether and when it
    /// arrives.
    pub fn send(&mut self, now: Instant, from: SocketAddr, to: SocketAddr, payload: Vec<u8>) {
        let config = self.links.config(from, to);
        let seed = self.seed;
        let state = self
            .states
            .entry((from, to))
            .or_insert_with(|| LinkState::new(mix_addr(mix_addr(seed, from), to)));
        let fate = match state.admit(&config, now, payload.len()) {
            Fate::TooBig => DatagramFate::TooBig,
            Fate::QueueFull => DatagramFate::QueueFull,
            Fate::Lost => DatagramFate::Lost,
            Fate::Deliver {
                at,
                reordered,
                duplicate_at,
            } => {
                if let Some(dup_at) = duplicate_at {
                    let copy = InFlight {
                        from,
                        to,
                        payload: payload.clone(),
                        duplicate: true,
                        reordered: false,
                    };
                    self.queue.push(dup_at, copy);
                }
                let original = InFlight {
                    from,
                    to,
                    payload,
                    duplicate: false,
                    reordered,
                };
                self.queue.push(at, original);
                return;
            }
        };
        self.trace.datagram(now, from, to, fate, &payload);
    }

    /// When the next datagram or stream event is due, if any is pending.
    pub fn next_delivery(&self) -> Option<Instant> {
        match (self.queue.next_due(), self.streams.next_due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// How many datagrams and stream segments are scheduled.
    pub fn pending(&self) -> usize {
        self.queue.len() + self.streams.pending()
    }

    /// Every datagram due at or before `now`, in arrival order.
    pub fn deliver_due(&mut self, now: Instant) -> Vec<Delivery> {
        let mut out = Vec::new();
        while let Some((at, d)) = self.queue.pop_due(now) {
            let stats = &mut self
                .states
                .get_mut(&(d.from, d.to))
                .expect("a datagram in flight was sent on a link that has state")
                .stats;
            stats.delivered += 1;
            stats.bytes_delivered += d.payload.len() as u64;
            let fate = DatagramFate::Delivered {
                duplicate: d.duplicate,
                reordered: d.reordered,
            };
            self.trace.datagram(at, d.from, d.to, fate, &d.payload);
            out.push(Delivery {
                at,
                from: d.from,
                to: d.to,
                payload: d.payload,
            });
        }
        out
    }

    /// What happened so far on the link from `from` to `to`.
    pub fn stats(&self, from: SocketAddr, to: SocketAddr) -> LinkStats {
        self.states
            .get(&(from, to))
            .map(|s| s.stats)
            .unwrap_or_default()
    }

    /// Every link's statistics added up.
    pub fn total_stats(&self) -> LinkStats {
        let mut total = LinkStats::default();
        for state in self.states.values() {
            total.add(&state.stats);
        }
        total
    }

    /// Each link that carried traffic, with its statistics, in address order.
    pub fn link_stats(&self) -> impl Iterator<Item = ((SocketAddr, SocketAddr), LinkStats)> + '_ {
        self.states.iter().map(|(k, s)| (*k, s.stats))
    }

    /// Accepts stream connections to `addr`.
    pub fn listen(&mut self, addr: SocketAddr) {
        self.streams.listen(addr);
    }

    /// Stops accepting stream connections to `addr`; open ones stay.
    pub fn stop_listening(&mut self, addr: SocketAddr) {
        self.streams.stop_listening(addr);
    }

    /// Opens a stream connection; see [`crate::StreamCommand::Connect`]. The
    /// returned id is the connecting end, the same one the
    /// [`crate::StreamEvent::Connected`] or [`crate::StreamEvent::Refused`]
    /// answer names.
    pub fn connect(
        &mut self,
        now: Instant,
        tag: u64,
        from: SocketAddr,
        to: SocketAddr,
    ) -> ConnectionId {
        self.streams.connect(&self.links, now, tag, from, to)
    }

    /// Sends bytes on an open connection end. Bytes sent to a peer that has
    /// closed, or on a connection that was reset, vanish without error (the
    /// sender may not know yet); misuse is an error.
    pub fn stream_send(
        &mut self,
        now: Instant,
        conn: ConnectionId,
        data: Vec<u8>,
    ) -> Result<(), StreamError> {
        self.streams.send(&self.links, now, conn, data)
    }

    /// Closes a connection end gracefully (closing twice is harmless).
    pub fn close(&mut self, now: Instant, conn: ConnectionId) -> Result<(), StreamError> {
        self.streams.close(&self.links, now, conn, false)
    }

    /// Closes a connection end abortively: the peer hears a reset.
    pub fn abort(&mut self, now: Instant, conn: ConnectionId) -> Result<(), StreamError> {
        self.streams.close(&self.links, now, conn, true)
    }

    /// Breaks a connection (either end's id will do), as a crashed middlebox
    /// or a pulled cable would: both ends still in use hear
    /// [`crate::StreamEvent::Reset`] at `now` (a connecting end hears
    /// [`crate::StreamEvent::Refused`]), and bytes in flight are lost.
    pub fn reset(&mut self, now: Instant, conn: ConnectionId) -> Result<(), StreamError> {
        self.streams.reset(now, conn)
    }

    /// Every stream event due at or before `now`, in order.
    pub fn deliver_stream_due(&mut self, now: Instant) -> Vec<StreamDelivery> {
        self.streams.deliver_due(&self.links, now, &mut self.trace)
    }

    /// Counts over every stream connection.
    pub fn stream_stats(&self) -> StreamStats {
        self.streams.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{GilbertElliott, RateLimit};
    use std::time::Duration;

    fn addrs() -> (SocketAddr, SocketAddr) {
        (
            "10.0.0.1:5060".parse().unwrap(),
            "10.0.0.2:5060".parse().unwrap(),
        )
    }

    /// Sends `n` numbered datagrams 1 ms apart and returns (arrival offset,
    /// number) for each delivery, in delivery order.
    fn run(net: &mut Network, n: u32) -> Vec<(Duration, u32)> {
        let (a, b) = addrs();
        let t0 = Instant::now();
        let mut out = Vec::new();
        for i in 0..n {
            let now = t0 + Duration::from_millis(u64::from(i));
            net.send(now, a, b, i.to_be_bytes().to_vec());
            for d in net.deliver_due(now) {
                out.push((d.at - t0, u32::from_be_bytes(d.payload.try_into().unwrap())));
            }
        }
        while let Some(t) = net.next_delivery() {
            for d in net.deliver_due(t) {
                out.push((d.at - t0, u32::from_be_bytes(d.payload.try_into().unwrap())));
            }
        }
        out
    }

    fn messy() -> LinkConfig {
        LinkConfig::default()
            .with_jitter(Duration::from_millis(5))
            .with_loss(0.1)
            .with_burst_loss(GilbertElliott::with_mean(0.05, 3.0))
            .with_duplicate(0.05)
            .with_reorder(0.05, Duration::from_millis(15))
    }

    #[test]
    fn same_seed_same_schedule() {
        let schedule = |seed| {
            let mut net = Network::new(seed);
            net.set_default_link(messy());
            run(&mut net, 2_000)
        };
        assert_eq!(schedule(42), schedule(42));
        assert_ne!(schedule(42), schedule(43));
    }

    #[test]
    fn links_do_not_disturb_each_other() {
        let (a, b) = addrs();
        let c: SocketAddr = "10.0.0.3:5060".parse().unwrap();
        let mut quiet = Network::new(5);
        quiet.set_default_link(messy());
        let alone = run(&mut quiet, 500);
        let mut busy = Network::new(5);
        busy.set_default_link(messy());
        let t0 = Instant::now();
        for _ in 0..100 {
            busy.send(t0, c, b, b"noise".to_vec());
            busy.send(t0, a, c, b"noise".to_vec());
        }
        let _ = busy.deliver_due(t0 + Duration::from_secs(10));
        assert_eq!(run(&mut busy, 500), alone);
    }

    #[test]
    fn loss_rate_within_tolerance() {
        let (a, b) = addrs();
        let mut net = Network::new(1);
        net.set_default_link(LinkConfig::default().with_loss(0.3));
        let now = Instant::now();
        for _ in 0..100_000 {
            net.send(now, a, b, vec![0; 20]);
        }
        let delivered = net.deliver_due(now + Duration::from_secs(1)).len();
        let stats = net.stats(a, b);
        assert_eq!(stats.sent, 100_000);
        assert_eq!(stats.delivered, delivered as u64);
        assert_eq!(stats.lost + stats.delivered, 100_000);
        let rate = stats.lost as f64 / 100_000.0;
        // σ = sqrt(0.3·0.7/1e5) ≈ 0.0015: ±0.01 is about 7σ.
        assert!((rate - 0.3).abs() < 0.01, "loss rate {rate}");
        assert_eq!(stats.in_flight(), 0);
    }

    /// The mean length of runs of consecutive losses over `n` datagrams.
    fn loss_runs(config: LinkConfig, n: u32) -> (f64, f64) {
        let (a, b) = addrs();
        let mut net = Network::new(3);
        net.set_default_link(config.with_delay(Duration::ZERO));
        let t0 = Instant::now();
        let mut lost = Vec::new();
        for i in 0..n {
            let now = t0 + Duration::from_micros(u64::from(i));
            net.send(now, a, b, Vec::new());
            lost.push(net.deliver_due(now).is_empty());
        }
        let losses = lost.iter().filter(|&&l| l).count();
        let runs = lost.windows(2).filter(|w| w[1] && !w[0]).count() + usize::from(lost[0]);
        (losses as f64 / f64::from(n), losses as f64 / runs as f64)
    }

    #[test]
    fn gilbert_elliott_loses_in_bursts() {
        let (rate, burst) = loss_runs(
            LinkConfig::default().with_burst_loss(GilbertElliott::with_mean(0.1, 5.0)),
            100_000,
        );
        assert!((rate - 0.1).abs() < 0.015, "loss rate {rate}");
        assert!((burst - 5.0).abs() < 0.5, "mean burst {burst}");
        // The same mean loss, independent: bursts of 1/(1-0.1) ≈ 1.11.
        let (rate, burst) = loss_runs(LinkConfig::default().with_loss(0.1), 100_000);
        assert!((rate - 0.1).abs() < 0.01, "loss rate {rate}");
        assert!(burst < 1.3, "mean burst {burst}");
    }

    #[test]
    fn mtu_drops_and_counts() {
        let (a, b) = addrs();
        let mut net = Network::new(1);
        net.enable_trace(Instant::now());
        net.set_link(a, b, LinkConfig::default().with_mtu(1300));
        let now = Instant::now();
        net.send(now, a, b, vec![b'x'; 1300]);
        net.send(now, a, b, vec![b'y'; 1301]);
        net.send(now, b, a, vec![b'z'; 1301]); // other direction: no MTU
        let got = net.deliver_due(now + Duration::from_secs(1));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].payload.len(), 1300);
        assert_eq!(net.stats(a, b).dropped_mtu, 1);
        assert_eq!(net.stats(b, a).dropped_mtu, 0);
        assert!(
            net.trace()
                .to_string()
                .contains("DROPPED (over MTU)  1301 B")
        );
    }

    #[test]
    fn reordering_reorders_and_jitter_alone_does_not() {
        let inversions =
            |order: &[(Duration, u32)]| order.windows(2).filter(|w| w[1].1 < w[0].1).count();
        let mut net = Network::new(9);
        net.set_default_link(LinkConfig::default().with_jitter(Duration::from_millis(20)));
        let order = run(&mut net, 1_000);
        assert_eq!(order.len(), 1_000);
        assert_eq!(inversions(&order), 0, "jitter must not reorder");

        let mut net = Network::new(9);
        net.set_default_link(LinkConfig::default().with_reorder(0.1, Duration::from_millis(5)));
        let order = run(&mut net, 1_000);
        assert_eq!(order.len(), 1_000);
        let (a, b) = addrs();
        let held = net.stats(a, b).reordered;
        assert!((60..=140).contains(&held), "held back {held}");
        assert!(
            inversions(&order) >= held as usize / 2,
            "{}",
            inversions(&order)
        );
        let mut sorted: Vec<u32> = order.iter().map(|&(_, i)| i).collect();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (0..1_000).collect::<Vec<_>>(),
            "nothing lost or added"
        );
    }

    #[test]
    fn duplicates_arrive_twice() {
        let mut net = Network::new(4);
        net.set_default_link(LinkConfig::default().with_duplicate(0.2));
        let order = run(&mut net, 5_000);
        let (a, b) = addrs();
        let stats = net.stats(a, b);
        assert!(
            (800..1_200).contains(&stats.duplicated),
            "{}",
            stats.duplicated
        );
        assert_eq!(order.len() as u64, 5_000 + stats.duplicated);
        assert_eq!(stats.delivered, 5_000 + stats.duplicated);
        let mut counts = BTreeMap::new();
        for (_, i) in order {
            *counts.entry(i).or_insert(0) += 1;
        }
        assert_eq!(counts.len(), 5_000);
        assert_eq!(
            counts.values().filter(|&&c| c == 2).count() as u64,
            stats.duplicated
        );
    }

    #[test]
    fn rate_limit_paces_deliveries() {
        let (a, b) = addrs();
        let mut net = Network::new(1);
        net.set_default_link(
            LinkConfig::with_delay_only(Duration::ZERO).with_rate(RateLimit {
                bits_per_second: 1_000_000,
                max_queue_delay: Duration::from_millis(50),
            }),
        );
        let now = Instant::now();
        for _ in 0..100 {
            net.send(now, a, b, vec![0; 1250]); // 10 ms each
        }
        let got = net.deliver_due(now + Duration::from_secs(1));
        assert_eq!(
            got.len(),
            6,
            "5 queue within 50 ms, plus the one in service"
        );
        assert_eq!(got[5].at - now, Duration::from_millis(60));
        assert_eq!(net.stats(a, b).dropped_queue, 94);
    }

    #[test]
    fn delivers_nothing_early() {
        let (a, b) = addrs();
        let mut net = Network::new(1);
        let now = Instant::now();
        net.send(now, a, b, b"hi".to_vec());
        assert_eq!(net.next_delivery(), Some(now + Duration::from_millis(10)));
        assert!(net.deliver_due(now + Duration::from_millis(9)).is_empty());
        let got = net.deliver_due(now + Duration::from_millis(10));
        assert_eq!(
            got,
            [Delivery {
                at: now + Duration::from_millis(10),
                from: a,
                to: b,
                payload: b"hi".to_vec(),
            }]
        );
        assert_eq!(net.next_delivery(), None);
    }
}
