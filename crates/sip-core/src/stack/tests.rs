//! Two stacks wired back to back in virtual time.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sip::header::{HeaderName, Via};
use sip::uri::Uri;
use sip::{Address, Message, Method, StatusCode};

use super::*;

const A: &str = "192.0.2.1:5060";
const B: &str = "192.0.2.2:5060";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// An arbitrary origin for virtual time: only differences from it matter.
#[allow(clippy::disallowed_methods)]
fn epoch() -> Instant {
    Instant::now()
}

/// Decides whether the n-th datagram (counted over both ways) is lost.
type DropRule = Box<dyn FnMut(usize, &[u8]) -> bool>;

/// A request, the status it should get, and a header line the answer carries.
type Case<'a> = (Message, u16, Option<(HeaderName, &'a str)>);

/// Two stacks, A and B, each with a UDP and a TCP transport on its address;
/// datagrams and stream bytes go straight across, unless `drop` says so.
struct Pair {
    now: Instant,
    stacks: [Stack; 2],
    events: [Vec<Event>; 2],
    /// Datagrams in flight: (deliver at, to index, from, payload).
    wire: VecDeque<(Instant, usize, SocketAddr, Bytes)>,
    delay: Duration,
    drop: DropRule,
    sent: usize,
    /// Connection ids: (stack index, id) ↔ (other index, other id).
    links: Vec<((usize, ConnectionId), (usize, ConnectionId))>,
}

impl Pair {
    fn new() -> Self {
        Self::with_config(StackConfig::default())
    }

    fn with_config(config: StackConfig) -> Self {
        let mut stacks = [
            Stack::new(config.clone()),
            Stack::new(StackConfig { seed: 99, ..config }),
        ];
        for (s, a) in stacks.iter_mut().zip([A, B]) {
            s.add_transport(TransportKind::Udp, addr(a));
            s.add_transport(TransportKind::Tcp, addr(a));
        }
        Self {
            now: epoch(),
            stacks,
            events: [Vec::new(), Vec::new()],
            wire: VecDeque::new(),
            delay: Duration::from_millis(10),
            drop: Box::new(|_, _| false),
            sent: 0,
            links: Vec::new(),
        }
    }

    fn index_of(a: SocketAddr) -> usize {
        usize::from(a != addr(A))
    }

    fn own_addr(i: usize) -> SocketAddr {
        addr([A, B][i])
    }

    /// Moves every output of both stacks.
    fn pump(&mut self) {
        loop {
            let mut moved = false;
            for i in 0..2 {
                while let Some(t) = self.stacks[i].poll_transmit() {
                    moved = true;
                    self.transmit(i, t);
                }
                while let Some(e) = self.stacks[i].poll_event() {
                    self.events[i].push(e);
                }
            }
            if !moved {
                return;
            }
        }
    }

    fn transmit(&mut self, from: usize, t: Transmit) {
        match t {
            Transmit::Datagram {
                destination,
                payload,
                ..
            } => {
                let n = self.sent;
                self.sent += 1;
                // Addresses other than A and B are unreachable.
                let reachable = destination == addr(A) || destination == addr(B);
                if reachable && !(self.drop)(n, &payload) {
                    let to = Self::index_of(destination);
                    self.wire
                        .push_back((self.now + self.delay, to, Self::own_addr(from), payload));
                }
            }
            Transmit::Connect {
                connection, remote, ..
            } => {
                let to = Self::index_of(remote);
                let now = self.now;
                let accepted =
                    self.stacks[to].handle_accepted(now, TransportId(1), Self::own_addr(from));
                self.links.push(((from, connection), (to, accepted)));
                self.stacks[from].handle_connected(now, connection);
            }
            Transmit::Stream {
                connection,
                payload,
            } => {
                let (to, other) = self.peer(from, connection);
                let now = self.now;
                self.stacks[to].handle_stream_data(now, other, &payload);
            }
            Transmit::Close { connection } => {
                let (to, other) = self.peer(from, connection);
                let now = self.now;
                self.stacks[to].handle_connection_closed(now, other);
            }
            Transmit::Resolve { .. } => panic!("the pair has no DNS"),
        }
    }

    fn peer(&self, from: usize, connection: ConnectionId) -> (usize, ConnectionId) {
        self.links
            .iter()
            .find_map(|&(a, b)| {
                if a == (from, connection) {
                    Some(b)
                } else if b == (from, connection) {
                    Some(a)
                } else {
                    None
                }
            })
            .expect("a known connection")
    }

    /// Advances to the next delivery or timer, handles it, pumps. False when
    /// nothing is left to do before `limit`.
    fn step(&mut self, limit: Instant) -> bool {
        self.pump();
        let next_wire = self.wire.iter().map(|w| w.0).min();
        let next_timer = [0, 1]
            .into_iter()
            .filter_map(|i| self.stacks[i].poll_timeout())
            .min();
        let Some(next) = [next_wire, next_timer].into_iter().flatten().min() else {
            return false;
        };
        if next > limit {
            return false;
        }
        self.now = self.now.max(next);
        let now = self.now;
        let due: Vec<_> = {
            let (due, rest): (Vec<_>, Vec<_>) = self.wire.drain(..).partition(|w| w.0 <= now);
            self.wire = rest.into();
            due
        };
        for (_, to, from, payload) in due {
            self.stacks[to].handle_datagram(now, TransportId(0), from, &payload);
        }
        for i in 0..2 {
            if self.stacks[i].poll_timeout().is_some_and(|t| t <= now) {
                self.stacks[i].handle_timeout(now);
            }
        }
        self.pump();
        true
    }

    fn run_for(&mut self, d: Duration) {
        let limit = self.now + d;
        while self.step(limit) {}
        self.now = self.now.max(limit);
    }

    /// Runs until B has a request event; returns it.
    fn next_request(&mut self, at: usize) -> (Option<ServerTxId>, Message) {
        let limit = self.now + Duration::from_secs(64);
        loop {
            self.pump();
            if let Some(pos) = self.events[at]
                .iter()
                .position(|e| matches!(e, Event::Request { .. }))
            {
                if let Event::Request {
                    transaction,
                    request,
                    ..
                } = self.events[at].remove(pos)
                {
                    return (transaction, request);
                }
            }
            assert!(self.step(limit), "no request arrived");
        }
    }

    fn responses(&self, at: usize) -> Vec<u16> {
        self.events[at]
            .iter()
            .filter_map(|e| match e {
                Event::Response { response, .. } => response.status().map(|s| s.code()),
                _ => None,
            })
            .collect()
    }

    fn ended(&self, at: usize) -> Vec<Termination> {
        self.events[at]
            .iter()
            .filter_map(|e| match e {
                Event::ClientTransactionEnded { termination, .. }
                | Event::ServerTransactionEnded { termination, .. } => Some(*termination),
                _ => None,
            })
            .collect()
    }
}

fn request(method: Method<'_>, to: &str) -> Message {
    let uri = Uri::parse(to).unwrap();
    let mut from = Address::parse("<sip:alice@192.0.2.1>").unwrap();
    from.params.push("tag", Some("1928301774"));
    Message::request(method, &uri)
        .from(&from)
        .to(&Address::new(uri.clone()))
        .call_id("a84b4c76e66710@192.0.2.1")
        .cseq(1)
        .contact(&Address::parse("<sip:alice@192.0.2.1>").unwrap())
        .build()
        .unwrap()
}

fn udp(to: &str) -> Target {
    Target {
        kind: TransportKind::Udp,
        addr: addr(to),
    }
}

fn tcp(to: &str) -> Target {
    Target {
        kind: TransportKind::Tcp,
        addr: addr(to),
    }
}

fn answer(p: &mut Pair, at: usize, tx: ServerTxId, request: &Message, code: StatusCode) {
    let response = Message::response_to(request, code)
        .to_tag("b-tag")
        .build()
        .unwrap();
    let now = p.now;
    p.stacks[at].respond(now, tx, &response).unwrap();
}

#[test]
fn options_over_udp() {
    let mut p = Pair::new();
    let now = p.now;
    let tx = p.stacks[0]
        .send_request(now, request(Method::Options, "sip:bob@192.0.2.2"), udp(B))
        .unwrap();
    let (stx, req) = p.next_request(1);
    // B filled in rport and received? sent-by is the source address here, so
    // only rport.
    let via: Via<'_> = req.via().unwrap();
    assert_eq!(via.rport(), Some(Some(5060)));
    answer(&mut p, 1, stx.unwrap(), &req, StatusCode::OK);
    p.run_for(Duration::from_secs(40));
    assert_eq!(p.responses(0), [200]);
    assert!(matches!(
        p.events[0].last(),
        Some(Event::ClientTransactionEnded { transaction, termination: Termination::Completed }) if *transaction == tx
    ));
    assert_eq!(p.ended(1), [Termination::Completed]);
    assert_eq!(p.stacks[0].transaction_count(), (0, 0));
    assert_eq!(p.stacks[1].transaction_count(), (0, 0));
}

#[test]
fn lost_response_is_recovered_by_retransmission() {
    let mut p = Pair::new();
    // Drop the first 200 OK.
    p.drop = Box::new(|_, bytes| bytes.starts_with(b"SIP/2.0 200"));
    let mut dropped_once = false;
    let mut filter = move |_: usize, bytes: &[u8]| {
        if bytes.starts_with(b"SIP/2.0 200") && !dropped_once {
            dropped_once = true;
            return true;
        }
        false
    };
    p.drop = Box::new(move |n, b| filter(n, b));
    let now = p.now;
    p.stacks[0]
        .send_request(now, request(Method::Options, "sip:bob@192.0.2.2"), udp(B))
        .unwrap();
    let (stx, req) = p.next_request(1);
    answer(&mut p, 1, stx.unwrap(), &req, StatusCode::OK);
    p.run_for(Duration::from_secs(40));
    assert_eq!(p.responses(0), [200]);
    assert_eq!(p.stacks[1].stats().retransmissions, 1);
    // B saw one request event only: the retransmission was absorbed.
    assert!(
        p.events[1]
            .iter()
            .all(|e| !matches!(e, Event::Request { .. }))
    );
}

#[test]
fn unanswered_request_times_out_at_64_t1() {
    let mut p = Pair::new();
    p.drop = Box::new(|_, _| true);
    let now = p.now;
    let start = now;
    p.stacks[0]
        .send_request(now, request(Method::Options, "sip:bob@192.0.2.2"), udp(B))
        .unwrap();
    p.run_for(Duration::from_secs(33));
    assert_eq!(p.ended(0), [Termination::Timeout]);
    // 11 transmissions (Timer E), the last at 31.5 s; Timer F at 32 s.
    assert_eq!(p.sent, 11);
    assert!(p.now - start >= Duration::from_secs(32));
}

#[test]
fn invite_rejected_is_acked_inside_the_transactions() {
    let mut p = Pair::new();
    let now = p.now;
    p.stacks[0]
        .send_request(now, request(Method::Invite, "sip:bob@192.0.2.2"), udp(B))
        .unwrap();
    let (stx, req) = p.next_request(1);
    answer(&mut p, 1, stx.unwrap(), &req, StatusCode::BUSY_HERE);
    p.run_for(Duration::from_secs(40));
    assert_eq!(p.responses(0), [486]);
    // B's transaction was confirmed by the ACK and ended after Timer I, not H.
    assert_eq!(p.ended(1), [Termination::Completed]);
    assert_eq!(p.ended(0), [Termination::Completed]);
    // The ACK never reached B's user.
    assert!(
        p.events[1]
            .iter()
            .all(|e| !matches!(e, Event::Request { .. }))
    );
}

#[test]
fn invite_accepted_then_ack_reaches_the_user() {
    let mut p = Pair::new();
    let now = p.now;
    p.stacks[0]
        .send_request(now, request(Method::Invite, "sip:bob@192.0.2.2"), udp(B))
        .unwrap();
    let (stx, req) = p.next_request(1);
    answer(&mut p, 1, stx.unwrap(), &req, StatusCode::OK);
    p.run_for(Duration::from_millis(100));
    assert_eq!(p.responses(0), [200]);
    // The UAC core ACKs the 2xx outside the transaction.
    let mut ack = request(Method::Ack, "sip:bob@192.0.2.2");
    ack.set(HeaderName::To, "<sip:bob@192.0.2.2>;tag=b-tag");
    let now = p.now;
    p.stacks[0].send_stateless(now, ack, udp(B)).unwrap();
    let (none, ack) = p.next_request(1);
    assert_eq!(none, None);
    assert_eq!(ack.method(), Some(Method::Ack));
}

#[test]
fn cancel_matches_the_invite() {
    let mut p = Pair::new();
    let now = p.now;
    let invite = p.stacks[0]
        .send_request(now, request(Method::Invite, "sip:bob@192.0.2.2"), udp(B))
        .unwrap();
    let (stx, req) = p.next_request(1);
    answer(&mut p, 1, stx.unwrap(), &req, StatusCode::RINGING);
    p.run_for(Duration::from_millis(100));
    let now = p.now;
    p.stacks[0].cancel(now, invite).unwrap();
    p.run_for(Duration::from_millis(100));
    let cancelled = p.events[1].iter().find_map(|e| match e {
        Event::Cancelled { invite, .. } => Some(*invite),
        _ => None,
    });
    assert_eq!(cancelled, stx);
    answer(
        &mut p,
        1,
        stx.unwrap(),
        &req,
        StatusCode::REQUEST_TERMINATED,
    );
    p.run_for(Duration::from_secs(40));
    assert_eq!(p.responses(0), [180, 200, 487]);
}

#[test]
fn cancel_without_invite_gets_481() {
    let mut p = Pair::new();
    let now = p.now;
    let mut cancel = request(Method::Cancel, "sip:bob@192.0.2.2");
    cancel.set(HeaderName::CSeq, "1 CANCEL");
    p.stacks[0].send_request(now, cancel, udp(B)).unwrap();
    p.run_for(Duration::from_secs(1));
    assert_eq!(p.responses(0), [481]);
}

#[test]
fn stack_refuses_what_the_policy_does_not_serve() {
    let mut p = Pair::new();
    let now = p.now;
    let mut cases: Vec<Case<'_>> = Vec::new();
    let unknown = Message::request(
        Method::Extension("FOO".into()),
        &Uri::parse("sip:bob@192.0.2.2").unwrap(),
    )
    .from(&Address::parse("<sip:a@b>;tag=1").unwrap())
    .to(&Address::parse("<sip:bob@192.0.2.2>").unwrap())
    .call_id("x1")
    .cseq(1)
    .build()
    .unwrap();
    cases.push((unknown, 501, Some((HeaderName::Allow, "INVITE"))));
    let mut required = request(Method::Options, "sip:bob@192.0.2.2");
    required.set(HeaderName::CallId, "x2");
    required.push(HeaderName::Require, "nothingSupportsThis");
    cases.push((
        required,
        420,
        Some((HeaderName::Unsupported, "nothingSupportsThis")),
    ));
    let mut scheme = request(Method::Options, "sip:bob@192.0.2.2");
    scheme.set(HeaderName::CallId, "x3");
    cases.push((scheme, 200, None));
    for (req, _, _) in &cases {
        p.stacks[0].send_request(now, req.clone(), udp(B)).unwrap();
    }
    p.run_for(Duration::from_millis(100));
    // The third reached B's user; answer it.
    let (stx, req) = p.next_request(1);
    answer(&mut p, 1, stx.unwrap(), &req, StatusCode::OK);
    p.run_for(Duration::from_secs(1));
    let mut codes = p.responses(0);
    codes.sort();
    assert_eq!(codes, [200, 420, 501]);
    for e in &p.events[0] {
        if let Event::Response { response, .. } = e {
            let code = response.status().unwrap().code();
            if let Some((_, _, Some((name, text)))) = cases.iter().find(|c| c.1 == code) {
                assert!(response.raw_value(*name).unwrap().contains(text), "{code}");
            }
        }
    }
    assert_eq!(p.stacks[1].stats().rejected, 2);
}

#[test]
fn malformed_request_gets_400_naming_the_header() {
    let mut p = Pair::new();
    let bad = "OPTIONS sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKbad\r\n\
               To: <sip:bob@192.0.2.2>\r\nFrom: <sip:a@192.0.2.1>;tag=1\r\nCall-ID: bad1\r\nCSeq: 1 OPTIONS\r\n\
               Max-Forwards: 300\r\nContent-Length: 0\r\n\r\n";
    let now = p.now;
    p.stacks[1].handle_datagram(now, TransportId(0), addr(A), bad.as_bytes());
    let Some(Transmit::Datagram {
        payload,
        destination,
        ..
    }) = p.stacks[1].poll_transmit()
    else {
        panic!("no answer")
    };
    assert_eq!(destination, addr(A));
    let response = Message::parse(&payload).unwrap();
    assert_eq!(response.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(response.reason(), Some("Bad Max-Forwards Header"));
    // A malformed response is dropped and counted.
    p.stacks[1].handle_datagram(
        now,
        TransportId(0),
        addr(A),
        b"SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n",
    );
    assert!(p.stacks[1].poll_transmit().is_none());
    assert_eq!(p.stacks[1].stats().malformed_dropped, 1);
    // So is garbage.
    p.stacks[1].handle_datagram(now, TransportId(0), addr(A), b"\x00\xff garbage");
    assert_eq!(p.stacks[1].stats().malformed_dropped, 2);
    // And a keep-alive is just counted.
    p.stacks[1].handle_datagram(now, TransportId(0), addr(A), b"\r\n\r\n");
    assert_eq!(p.stacks[1].stats().keep_alives, 1);
}

#[test]
fn version_2_1_gets_505() {
    let mut p = Pair::new();
    let bad = "OPTIONS sip:bob@192.0.2.2 SIP/2.1\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKv\r\n\
               To: <sip:bob@192.0.2.2>\r\nFrom: <sip:a@192.0.2.1>;tag=1\r\nCall-ID: v1\r\nCSeq: 1 OPTIONS\r\n\r\n";
    let now = p.now;
    p.stacks[1].handle_datagram(now, TransportId(0), addr(A), bad.as_bytes());
    let Some(Transmit::Datagram { payload, .. }) = p.stacks[1].poll_transmit() else {
        panic!("no answer")
    };
    assert!(payload.starts_with(b"SIP/2.0 505 "));
}

#[test]
fn merged_request_gets_482() {
    let mut p = Pair::new();
    let req = request(Method::Options, "sip:bob@192.0.2.2");
    let now = p.now;
    // The same request sent twice in two transactions (two branches), as a
    // forking proxy upstream would deliver it.
    p.stacks[0].send_request(now, req.clone(), udp(B)).unwrap();
    p.stacks[0].send_request(now, req, udp(B)).unwrap();
    p.run_for(Duration::from_millis(100));
    assert_eq!(p.responses(0), [482]);
}

#[test]
fn received_and_rport_are_filled_in() {
    let mut p = Pair::new();
    // A sends with a sent-by name; B sees the packet from A's address.
    p.stacks[0].set_sent_by(TransportId(0), "alice.example.com", 5070);
    let now = p.now;
    p.stacks[0]
        .send_request(now, request(Method::Options, "sip:bob@192.0.2.2"), udp(B))
        .unwrap();
    let (stx, req) = p.next_request(1);
    let via = req.via().unwrap();
    assert_eq!(via.received(), Some("192.0.2.1".parse().unwrap()));
    assert_eq!(via.rport(), Some(Some(5060)));
    // rport sends the response to the source port, not sent-by's 5070.
    answer(&mut p, 1, stx.unwrap(), &req, StatusCode::OK);
    p.run_for(Duration::from_millis(100));
    assert_eq!(p.responses(0), [200]);
}

#[test]
fn options_over_tcp_with_connection_reuse_and_idle_close() {
    let mut p = Pair::new();
    let now = p.now;
    for n in 0..3 {
        let mut req = request(Method::Options, "sip:bob@192.0.2.2");
        req.set(HeaderName::CallId, format!("tcp{n}"));
        p.stacks[0].send_request(now, req, tcp(B)).unwrap();
    }
    for _ in 0..3 {
        let (stx, req) = p.next_request(1);
        answer(&mut p, 1, stx.unwrap(), &req, StatusCode::OK);
    }
    p.run_for(Duration::from_millis(100));
    assert_eq!(p.responses(0), [200, 200, 200]);
    assert_eq!(p.links.len(), 1, "one connection carried all three");
    // Over TCP, Timers K and J are zero: everything is over already.
    assert_eq!(p.stacks[0].transaction_count(), (0, 0));
    assert_eq!(p.stacks[0].connection_count(), 1);
    p.run_for(Duration::from_secs(40));
    assert_eq!(p.stacks[0].connection_count(), 0, "idle connection closed");
    assert_eq!(p.stacks[1].connection_count(), 0);
}

#[test]
fn large_requests_switch_to_tcp() {
    let mut p = Pair::new();
    let mut req = request(Method::Message, "sip:bob@192.0.2.2");
    req.set_body(Some("text/plain"), vec![b'x'; 1400]);
    let now = p.now;
    p.stacks[0].send_request(now, req, udp(B)).unwrap();
    let (_, got) = p.next_request(1);
    assert_eq!(got.via().unwrap().transport, "TCP");
    assert_eq!(got.body().len(), 1400);
}

#[test]
fn failover_to_the_next_target_after_timeout() {
    let mut p = Pair::new();
    // Nothing answers at 192.0.2.9; B answers.
    let now = p.now;
    p.stacks[0]
        .send_request_with_failover(
            now,
            request(Method::Options, "sip:bob@example.com"),
            vec![udp("192.0.2.9:5060"), udp(B)],
        )
        .unwrap();
    let (stx, req) = p.next_request(1);
    // It reached B only after Timer F ran out on the first target.
    assert!(p.now - now >= Duration::from_secs(32));
    answer(&mut p, 1, stx.unwrap(), &req, StatusCode::OK);
    p.run_for(Duration::from_secs(40));
    assert_eq!(p.responses(0), [200]);
    assert_eq!(p.ended(0), [Termination::Completed]);
}

#[test]
fn failover_on_503() {
    let mut p = Pair::new();
    let now = p.now;
    p.stacks[0]
        .send_request_with_failover(
            now,
            request(Method::Options, "sip:bob@example.com"),
            vec![udp(B), udp("192.0.2.9:5060")],
        )
        .unwrap();
    let (stx, req) = p.next_request(1);
    answer(
        &mut p,
        1,
        stx.unwrap(),
        &req,
        StatusCode::SERVICE_UNAVAILABLE,
    );
    let sent_before = p.sent;
    p.run_for(Duration::from_secs(40));
    // The 503 stays inside the stack; the request went on to the next target
    // (unreachable here), which timed out.
    assert_eq!(p.responses(0), Vec::<u16>::new());
    assert!(p.sent > sent_before + 5);
    assert_eq!(p.ended(0), [Termination::Timeout]);
}

#[test]
fn tcp_keep_alive_ping_gets_a_pong() {
    let config = StackConfig {
        keep_alive_interval: Some(Duration::from_secs(10)),
        connection_idle_timeout: Duration::from_secs(300),
        ..StackConfig::default()
    };
    let mut p = Pair::with_config(config);
    let now = p.now;
    p.stacks[0]
        .send_request(now, request(Method::Options, "sip:bob@192.0.2.2"), tcp(B))
        .unwrap();
    let (stx, req) = p.next_request(1);
    answer(&mut p, 1, stx.unwrap(), &req, StatusCode::OK);
    p.run_for(Duration::from_secs(25));
    // Two pings from A (at 10 s and 20 s), each answered with a pong.
    assert_eq!(p.stacks[1].stats().keep_alives, 4, "pong + ping per ping");
    assert_eq!(p.stacks[0].stats().keep_alives, 2);
}

#[test]
fn ten_thousand_transactions_in_virtual_time() {
    let mut p = Pair::new();
    let now = p.now;
    for n in 0..10_000 {
        let mut req = request(Method::Options, "sip:bob@192.0.2.2");
        req.set(HeaderName::CallId, format!("bulk{n}"));
        p.stacks[0].send_request(now, req, udp(B)).unwrap();
    }
    p.pump();
    p.run_for(Duration::from_millis(20));
    let requests: Vec<_> = p.events[1]
        .drain(..)
        .filter_map(|e| match e {
            Event::Request {
                transaction: Some(t),
                request,
                ..
            } => Some((t, request)),
            _ => None,
        })
        .collect();
    assert_eq!(requests.len(), 10_000);
    for (t, r) in &requests {
        answer(&mut p, 1, *t, r, StatusCode::OK);
    }
    p.run_for(Duration::from_secs(40));
    assert_eq!(p.responses(0).len(), 10_000);
    assert_eq!(p.stacks[0].transaction_count(), (0, 0));
    assert_eq!(p.stacks[1].transaction_count(), (0, 0));
}

#[test]
fn located_request_to_a_numeric_host_goes_out_at_once() {
    let mut p = Pair::new();
    let now = p.now;
    p.stacks[0]
        .send_request_located(now, request(Method::Options, "sip:bob@192.0.2.2"))
        .unwrap();
    let (stx, req) = p.next_request(1);
    answer(&mut p, 1, stx.unwrap(), &req, StatusCode::OK);
    p.run_for(Duration::from_millis(100));
    assert_eq!(p.responses(0), [200]);
}

#[test]
fn located_request_asks_dns_then_sends() {
    use crate::locate::{Answer, Query, ResolveError};
    let mut stack = Stack::new(StackConfig::default());
    stack.add_transport(TransportKind::Udp, addr(A));
    let now = epoch();
    let tx = stack
        .send_request_located(now, request(Method::Options, "sip:bob@biloxi.example.com"))
        .unwrap();
    assert!(stack.is_locating(tx));
    // Answer every question: no NAPTR, no SRV, then the address.
    let mut sent = None;
    for _ in 0..10 {
        let Some(t) = stack.poll_transmit() else {
            break;
        };
        match t {
            Transmit::Resolve { id, query } => {
                let answer = match query {
                    Query::Address(name) => {
                        assert_eq!(name, "biloxi.example.com");
                        Ok(Answer::Addresses(vec!["192.0.2.2".parse().unwrap()]))
                    }
                    _ => Err(ResolveError::NoRecords),
                };
                stack.handle_resolved(now, id, answer);
            }
            Transmit::Datagram { destination, .. } => {
                sent = Some(destination);
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(sent, Some(addr(B)));
    assert!(!stack.is_locating(tx));
}

#[test]
fn location_failure_ends_the_transaction() {
    use crate::locate::ResolveError;
    let mut stack = Stack::new(StackConfig::default());
    stack.add_transport(TransportKind::Udp, addr(A));
    let now = epoch();
    let tx = stack
        .send_request_located(now, request(Method::Options, "sip:bob@nowhere.example.com"))
        .unwrap();
    while let Some(t) = stack.poll_transmit() {
        if let Transmit::Resolve { id, .. } = t {
            stack.handle_resolved(now, id, Err(ResolveError::NoSuchName));
        }
    }
    let events: Vec<_> = std::iter::from_fn(|| stack.poll_event()).collect();
    assert!(matches!(events[0], Event::LocationFailed { transaction, .. } if transaction == tx));
    assert!(matches!(
        events[1],
        Event::ClientTransactionEnded { transaction, termination: Termination::TransportError } if transaction == tx
    ));
}

#[test]
fn a_stateless_request_is_located_then_sent_once_without_a_transaction() {
    use crate::locate::{Answer, Query, ResolveError};
    let mut stack = Stack::new(StackConfig::default());
    stack.add_transport(TransportKind::Udp, addr(A));
    let now = epoch();
    // A numeric host: out at once.
    stack
        .send_stateless_located(now, request(Method::Ack, "sip:bob@192.0.2.2"))
        .unwrap();
    assert!(matches!(
        stack.poll_transmit(),
        Some(Transmit::Datagram { destination, .. }) if destination == addr(B)
    ));
    // A name: DNS first, then one datagram.
    stack
        .send_stateless_located(now, request(Method::Ack, "sip:bob@biloxi.example.com"))
        .unwrap();
    let mut sent = Vec::new();
    while let Some(t) = stack.poll_transmit() {
        match t {
            Transmit::Resolve { id, query } => {
                let answer = match query {
                    Query::Address(_) => Ok(Answer::Addresses(vec!["192.0.2.2".parse().unwrap()])),
                    _ => Err(ResolveError::NoRecords),
                };
                stack.handle_resolved(now, id, answer);
            }
            Transmit::Datagram {
                destination,
                payload,
                ..
            } => {
                assert!(payload.starts_with(b"ACK sip:bob@biloxi.example.com SIP/2.0\r\nVia: "));
                sent.push(destination);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(sent, [addr(B)]);
    assert_eq!(stack.transaction_count(), (0, 0));
    assert!(stack.poll_event().is_none());
    // A name that does not resolve: dropped, counted, no event.
    stack
        .send_stateless_located(now, request(Method::Ack, "sip:bob@nowhere.example.com"))
        .unwrap();
    while let Some(t) = stack.poll_transmit() {
        if let Transmit::Resolve { id, .. } = t {
            stack.handle_resolved(now, id, Err(ResolveError::NoSuchName));
        }
    }
    assert!(stack.poll_event().is_none());
    assert_eq!(stack.stats().unlocated_stateless, 1);
    assert_eq!(stack.poll_timeout(), None);
}

/// A connection that never opens must not pin the keep-alive deadline in the
/// past (found by the `stack_input` fuzz target: `handle_timeout` spun).
#[test]
fn a_connection_that_never_opens_does_not_spin_the_timers() {
    // Idle close would end the connection before the keep-alive is due.
    let config = StackConfig {
        connection_idle_timeout: Duration::from_secs(300),
        ..StackConfig::default()
    };
    let mut stack = Stack::new(config);
    stack.add_transport(TransportKind::Tcp, addr(A));
    let start = epoch();
    stack
        .send_request(start, request(Method::Options, "sip:bob@192.0.2.2"), tcp(B))
        .unwrap();
    while stack.poll_transmit().is_some() {}
    let mut now = start;
    for _ in 0..100 {
        let Some(next) = stack.poll_timeout() else {
            break;
        };
        assert!(next >= now, "a deadline went backwards");
        now = next;
        stack.handle_timeout(now);
        while stack.poll_transmit().is_some() {}
        if now - start > Duration::from_secs(400) {
            break;
        }
    }
    assert!(
        now - start > Duration::from_secs(90),
        "time moved past the keep-alive interval"
    );
}
