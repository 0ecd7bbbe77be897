//! A toy request/response protocol with SIP's non-INVITE client timers
//! (RFC 3261 §17.1.2: retransmit at T1, doubling up to T2; give up at 64·T1),
//! run in virtual time over a lossy simulated network.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use testkit::{Agent, LinkConfig, Transmit, World};

const T1: Duration = Duration::from_millis(500);
const T2: Duration = Duration::from_secs(4);
const TIMEOUT: Duration = Duration::from_secs(32); // 64·T1: Timer F

/// Sends requests 0..total one after another, each retransmitted until its
/// response comes or Timer F fires.
#[derive(Debug)]
struct Client {
    addr: SocketAddr,
    server: SocketAddr,
    total: u32,
    current: u32,
    started: Instant,
    interval: Duration,
    retransmit_at: Option<Instant>,
    give_up_at: Option<Instant>,
    out: Vec<Transmit>,
    sends: u32,
    completed: u32,
    timed_out_at: Option<Instant>,
}

impl Client {
    fn new(addr: SocketAddr, server: SocketAddr, total: u32, now: Instant) -> Self {
        let mut client = Self {
            addr,
            server,
            total,
            current: 0,
            started: now,
            interval: T1,
            retransmit_at: None,
            give_up_at: None,
            out: Vec::new(),
            sends: 0,
            completed: 0,
            timed_out_at: None,
        };
        client.start(now);
        client
    }

    fn start(&mut self, now: Instant) {
        self.started = now;
        self.interval = T1;
        self.retransmit_at = Some(now + T1);
        self.give_up_at = Some(now + TIMEOUT);
        self.send();
    }

    fn send(&mut self) {
        self.sends += 1;
        self.out.push(Transmit {
            from: self.addr,
            to: self.server,
            payload: format!("REQ {}", self.current).into_bytes(),
        });
    }

    fn done(&self) -> bool {
        self.completed == self.total || self.timed_out_at.is_some()
    }
}

impl Agent for Client {
    fn addresses(&self) -> Vec<SocketAddr> {
        vec![self.addr]
    }

    fn handle_datagram(
        &mut self,
        now: Instant,
        _from: SocketAddr,
        _to: SocketAddr,
        payload: &[u8],
    ) {
        let expected = format!("RESP {}", self.current);
        if self.done() || payload != expected.as_bytes() {
            return; // a duplicate or a late answer to an earlier request
        }
        self.completed += 1;
        self.current += 1;
        self.retransmit_at = None;
        self.give_up_at = None;
        if !self.done() {
            self.start(now);
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.give_up_at.is_some_and(|t| t <= now) {
            self.timed_out_at = Some(now);
            self.retransmit_at = None;
            self.give_up_at = None;
        } else if self.retransmit_at.is_some_and(|t| t <= now) {
            self.send();
            self.interval = (self.interval * 2).min(T2);
            self.retransmit_at = Some(now + self.interval);
        }
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.out.pop()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        [self.retransmit_at, self.give_up_at]
            .into_iter()
            .flatten()
            .min()
    }
}

/// Answers every request, retransmissions included.
#[derive(Debug)]
struct Server {
    addr: SocketAddr,
    out: Vec<Transmit>,
    requests: u32,
}

impl Agent for Server {
    fn addresses(&self) -> Vec<SocketAddr> {
        vec![self.addr]
    }

    fn handle_datagram(&mut self, _now: Instant, from: SocketAddr, to: SocketAddr, payload: &[u8]) {
        if let Some(n) = payload.strip_prefix(b"REQ ") {
            self.requests += 1;
            let mut response = b"RESP ".to_vec();
            response.extend_from_slice(n);
            self.out.push(Transmit {
                from: to,
                to: from,
                payload: response,
            });
        }
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.out.pop()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }
}

#[derive(Debug)]
enum Peer {
    Client(Client),
    Server(Server),
}

impl Peer {
    fn client(&self) -> &Client {
        match self {
            Self::Client(c) => c,
            Self::Server(_) => panic!("not the client"),
        }
    }
}

/// An enum of agent types is the other way to mix them in one world.
impl Agent for Peer {
    fn addresses(&self) -> Vec<SocketAddr> {
        match self {
            Self::Client(c) => c.addresses(),
            Self::Server(s) => s.addresses(),
        }
    }
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, to: SocketAddr, payload: &[u8]) {
        match self {
            Self::Client(c) => c.handle_datagram(now, from, to, payload),
            Self::Server(s) => s.handle_datagram(now, from, to, payload),
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        match self {
            Self::Client(c) => c.handle_timeout(now),
            Self::Server(s) => s.handle_timeout(now),
        }
    }
    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        match self {
            Self::Client(c) => c.poll_transmit(now),
            Self::Server(s) => s.poll_transmit(now),
        }
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        match self {
            Self::Client(c) => c.poll_timeout(),
            Self::Server(s) => s.poll_timeout(),
        }
    }
}

const CLIENT: usize = 0;

fn world(seed: u64, link: LinkConfig, requests: u32) -> World<Peer> {
    let client: SocketAddr = "192.0.2.1:5060".parse().unwrap();
    let server: SocketAddr = "192.0.2.2:5060".parse().unwrap();
    let mut world = World::new(seed);
    world.enable_trace();
    world.network_mut().set_default_link(link);
    let now = world.now();
    world.add_agent(Peer::Client(Client::new(client, server, requests, now)));
    world.add_agent(Peer::Server(Server {
        addr: server,
        out: Vec::new(),
        requests: 0,
    }));
    world
}

#[test]
fn completes_under_thirty_percent_loss() {
    let link = LinkConfig::default()
        .with_delay(Duration::from_millis(40))
        .with_jitter(Duration::from_millis(20))
        .with_loss(0.3)
        .with_duplicate(0.05);
    let mut world = world(2024, link, 50);
    let done = world.run_until(
        |w| w.agent(CLIENT).client().done(),
        Duration::from_secs(600),
    );
    let client = world.agent(CLIENT).client();
    assert!(done, "not done after 600 s:\n{}", world.trace().tail(40));
    assert_eq!(client.timed_out_at, None, "{}", world.trace().tail(40));
    assert_eq!(client.completed, 50);
    assert!(
        client.sends > 50,
        "loss forced retransmissions: {}",
        client.sends
    );
    let lost = world.network().total_stats().lost;
    assert!(lost > 0);
    // Every loss cost at least one retransmission interval of virtual time.
    assert!(
        world.elapsed() > Duration::from_secs(5),
        "{:?}",
        world.elapsed()
    );
}

#[test]
fn every_seed_completes_or_times_out_on_time() {
    // Each transaction fails only if all 11 round trips do. At 30 % loss each
    // way that is 0.51^11 ≈ 6e-4, so some of many seeds must time out; at
    // 20 %, 0.36^11 ≈ 1e-5, so none of these 500 transactions should.
    for seed in 0..50 {
        for (loss, may_time_out) in [(0.3, true), (0.2, false)] {
            let mut world = world(seed, LinkConfig::default().with_loss(loss), 10);
            let done = world.run_until(
                |w| w.agent(CLIENT).client().done(),
                Duration::from_secs(600),
            );
            assert!(done, "seed {seed}");
            let client = world.agent(CLIENT).client();
            match client.timed_out_at {
                Some(at) if may_time_out => assert_eq!(at - client.started, TIMEOUT),
                Some(_) => panic!("seed {seed} timed out:\n{}", world.trace().tail(40)),
                None => assert_eq!(client.completed, 10, "seed {seed}"),
            }
        }
    }
}

#[test]
fn timer_f_fires_at_exactly_32_seconds() {
    // Nothing gets through; the whole 32-second wait is virtual.
    let mut world = world(1, LinkConfig::default().with_loss(1.0), 1);
    let start = world.now();
    assert!(world.run_until_idle(Duration::from_secs(3600)));
    let client = world.agent(CLIENT).client();
    assert_eq!(client.timed_out_at, Some(start + TIMEOUT));
    assert_eq!(world.elapsed(), TIMEOUT);
    // Sent at 0, then 0.5, 1.5, 3.5, 7.5, 11.5, …, 31.5 s: T1 doubling to T2.
    assert_eq!(client.sends, 11);
    let stats = world.network().total_stats();
    assert_eq!((stats.sent, stats.lost), (11, 11));
    let trace = world.trace().to_string();
    assert!(
        trace.contains("   31.500000s  192.0.2.1:5060 -> 192.0.2.2:5060  LOST  5 B  \"REQ 0\""),
        "{trace}"
    );
    assert!(trace.contains("   32.000000s  agent 0: timeout"), "{trace}");
}

#[test]
fn same_seed_same_run() {
    let run = |seed| {
        let mut world = world(seed, LinkConfig::default().with_loss(0.3), 20);
        let done = world.run_until(
            |w| w.agent(CLIENT).client().done(),
            Duration::from_secs(600),
        );
        assert!(done);
        (
            world.elapsed(),
            world.agent(CLIENT).client().sends,
            world.trace().to_string(),
        )
    };
    assert_eq!(run(77), run(77));
    assert_ne!(run(77).2, run(78).2);
}
