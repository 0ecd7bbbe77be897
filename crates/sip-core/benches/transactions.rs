//! Complete transactions per second through two sans-IO `Stack`s wired back
//! to back in virtual time: no sockets, no clock, no threads.
//!
//! One iteration is one whole transaction, both ends:
//!
//! - **non_invite_udp** — A's user builds an OPTIONS and sends it
//!   (`send_request`); B receives the datagram (`handle_datagram`: parse,
//!   validate, Via completed, server transaction created, `Event::Request`);
//!   B's user answers 200 (`respond`); A receives it (`Event::Response`);
//!   virtual time moves 64·T1 on and both stacks fire their timers (Timer K
//!   at A, Timer J at B), which end both transactions (`ClientTransactionEnded`,
//!   `ServerTransactionEnded`).
//! - **non_invite_tcp** — the same over one TCP connection opened before the
//!   run (stream framing instead of datagrams); Timers K and J are zero over a
//!   reliable transport, so both transactions end when the 200 passes.
//! - **invite_udp** — INVITE, 200, and the ACK that A's user sends outside the
//!   transaction (`send_stateless`), which reaches B's user; then 64·T1 of
//!   virtual time for Timers M (A) and L (B) (RFC 6026).
//! - **invite_tcp** — the same over a TCP connection.
//!
//! Each is measured twice: `wall/…` with criterion's clock, and `cpu/…` with
//! the thread's CPU time (`/proc/thread-self/schedstat`, Linux; elsewhere
//! the group is skipped). The work is single-threaded and does no I/O, so the
//! two agree unless the machine is busy.
//!
//! `cargo bench -p ferrosip-sip-core --bench transactions`; see BENCHMARKS.md.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sip::uri::Uri;
use sip::{Address, Message, Method, StatusCode};
use sip_core::stack::{Event, Stack, StackConfig, Transmit};
use sip_core::transaction::Termination;
use sip_core::transport::{ConnectionId, Target, TransportId, TransportKind};

const A: &str = "192.0.2.1:5060";
const B: &str = "192.0.2.2:5060";

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("a socket address")
}

/// An origin for virtual time: only differences from it matter.
#[allow(clippy::disallowed_methods)]
fn epoch() -> Instant {
    Instant::now()
}

/// Which transaction one iteration runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    NonInvite,
    Invite,
}

/// Two stacks, A (the caller) and B (the answerer), each with a UDP and a
/// TCP transport, and the connection between them once opened.
struct Pair {
    now: Instant,
    a: Stack,
    b: Stack,
    kind: TransportKind,
    /// A's id and B's id of the one TCP connection.
    link: Option<(ConnectionId, ConnectionId)>,
    uri: Uri<'static>,
    from: Address<'static>,
    to: Address<'static>,
    contact: Address<'static>,
    seq: u32,
}

impl Pair {
    fn new(kind: TransportKind) -> Self {
        let mut config = StackConfig::default();
        config.seed = 1;
        // Virtual time runs 64·T1 per INVITE iteration: keep the TCP
        // connection open across the run (it is in use at every iteration,
        // so its idle deadline keeps moving on).
        config.connection_idle_timeout = Duration::from_secs(3600);
        config.keep_alive_interval = None;
        let mut a = Stack::new(config.clone());
        config.seed = 2;
        let mut b = Stack::new(config);
        for (s, at) in [(&mut a, A), (&mut b, B)] {
            s.add_transport(TransportKind::Udp, addr(at));
            s.add_transport(TransportKind::Tcp, addr(at));
        }
        let uri = Uri::parse("sip:bob@192.0.2.2").expect("a URI").into_owned();
        let mut from = Address::parse("<sip:alice@192.0.2.1>")
            .expect("an address")
            .into_owned();
        from.params.push("tag", Some("1928301774"));
        Self {
            now: epoch(),
            a,
            b,
            kind,
            link: None,
            to: Address::new(uri.clone()),
            uri,
            from,
            contact: Address::parse("<sip:alice@192.0.2.1>")
                .expect("an address")
                .into_owned(),
            seq: 0,
        }
    }

    fn target(&self) -> Target {
        Target {
            kind: self.kind,
            addr: addr(B),
        }
    }

    /// Delivers what `from` (0 = A, 1 = B) wants transmitted to the other.
    fn carry(&mut self, from: usize) -> bool {
        let mut moved = false;
        loop {
            let t = if from == 0 {
                self.a.poll_transmit()
            } else {
                self.b.poll_transmit()
            };
            let Some(t) = t else { return moved };
            moved = true;
            let now = self.now;
            match t {
                Transmit::Datagram { payload, .. } => {
                    let (to, source) = if from == 0 {
                        (&mut self.b, A)
                    } else {
                        (&mut self.a, B)
                    };
                    to.handle_datagram(now, TransportId(0), addr(source), &payload);
                }
                Transmit::Connect { connection, .. } => {
                    assert_eq!(from, 0, "only A opens the connection");
                    let accepted = self.b.handle_accepted(now, TransportId(1), addr(A));
                    self.link = Some((connection, accepted));
                    self.a.handle_connected(now, connection);
                }
                Transmit::Stream { payload, .. } => {
                    let (at_a, at_b) = self.link.expect("an open connection");
                    if from == 0 {
                        self.b.handle_stream_data(now, at_b, &payload);
                    } else {
                        self.a.handle_stream_data(now, at_a, &payload);
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// Moves everything between the stacks until both are quiet.
    fn pump(&mut self) {
        while self.carry(0) | self.carry(1) {}
    }

    fn request(&mut self, method: Method<'_>) -> Message {
        self.seq += 1;
        Message::request(method, &self.uri)
            .from(&self.from)
            .to(&self.to)
            .call_id("a84b4c76e66710@192.0.2.1")
            .cseq(self.seq)
            .contact(&self.contact)
            .build()
            .expect("a request")
    }

    /// One whole transaction. Returns what ended at (A, B).
    fn transaction(&mut self, flow: Flow) -> (Termination, Termination) {
        let method = match flow {
            Flow::NonInvite => Method::Options,
            Flow::Invite => Method::Invite,
        };
        let request = self.request(method);
        let target = self.target();
        let now = self.now;
        self.a.send_request(now, request, target).expect("A sends");
        self.pump();
        // B's user answers.
        let Some(Event::Request {
            transaction: Some(tx),
            request,
            ..
        }) = self.b.poll_event()
        else {
            panic!("B's user gets the request")
        };
        let ok = Message::response_to(&request, StatusCode::OK)
            .to_tag("a6c85cf")
            .contact(&self.to)
            .build()
            .expect("a response");
        self.b.respond(now, tx, &ok).expect("B answers");
        self.pump();
        let Some(Event::Response { response, .. }) = self.a.poll_event() else {
            panic!("A's user gets the response")
        };
        debug_assert_eq!(response.status(), Some(StatusCode::OK));
        if flow == Flow::Invite {
            // A's user ACKs the 2xx outside the transaction (§13.2.2.4).
            let mut to = self.to.clone();
            to.params.push("tag", Some("a6c85cf"));
            let ack = Message::request(Method::Ack, &self.uri)
                .from(&self.from)
                .to(&to)
                .call_id("a84b4c76e66710@192.0.2.1")
                .cseq(self.seq)
                .build()
                .expect("an ACK");
            self.a.send_stateless(now, ack, target).expect("A ACKs");
            self.pump();
            let Some(Event::Request {
                transaction: None, ..
            }) = self.b.poll_event()
            else {
                panic!("B's user gets the ACK")
            };
        }
        // Timers: K and J (UDP), or L and M (INVITE), all within 64·T1.
        if self.kind == TransportKind::Udp || flow == Flow::Invite {
            self.now += Duration::from_secs(32);
            let now = self.now;
            self.a.handle_timeout(now);
            self.b.handle_timeout(now);
            self.pump();
        }
        let Some(Event::ClientTransactionEnded {
            termination: at_a, ..
        }) = self.a.poll_event()
        else {
            panic!("A's transaction ends")
        };
        let Some(Event::ServerTransactionEnded {
            termination: at_b, ..
        }) = self.b.poll_event()
        else {
            panic!("B's transaction ends")
        };
        (at_a, at_b)
    }
}

/// The flows measured.
const CASES: [(&str, TransportKind, Flow); 4] = [
    ("non_invite_udp", TransportKind::Udp, Flow::NonInvite),
    ("non_invite_tcp", TransportKind::Tcp, Flow::NonInvite),
    ("invite_udp", TransportKind::Udp, Flow::Invite),
    ("invite_tcp", TransportKind::Tcp, Flow::Invite),
];

/// A pair that has run one transaction of `flow` and checked it (the TCP
/// connection is open from then on).
fn warmed(kind: TransportKind, flow: Flow) -> Pair {
    let mut p = Pair::new(kind);
    let ended = p.transaction(flow);
    assert_eq!(ended, (Termination::Completed, Termination::Completed));
    assert_eq!(p.a.transaction_count(), (0, 0));
    assert_eq!(p.b.transaction_count(), (0, 0));
    p
}

/// On-CPU time of this thread, from `/proc/thread-self/schedstat` (Linux).
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn wall(c: &mut Criterion) {
    let mut group = c.benchmark_group("wall");
    group.throughput(Throughput::Elements(1));
    for (name, kind, flow) in CASES {
        let mut p = warmed(kind, flow);
        group.bench_function(name, |b| b.iter(|| p.transaction(flow)));
    }
    group.finish();
}

fn cpu(c: &mut Criterion) {
    if thread_cpu_time().is_none() {
        return;
    }
    let mut group = c.benchmark_group("cpu");
    group.throughput(Throughput::Elements(1));
    // Long samples: the kernel's per-thread figure may lag by a tick.
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    for (name, kind, flow) in CASES {
        let mut p = warmed(kind, flow);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let start = thread_cpu_time().unwrap_or_default();
                for _ in 0..iters {
                    std::hint::black_box(p.transaction(flow));
                }
                thread_cpu_time().unwrap_or_default().saturating_sub(start)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, wall, cpu);
criterion_main!(benches);
