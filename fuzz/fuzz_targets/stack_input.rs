//! Fuzzes the sans-IO `Stack` of `sip_core::stack` with what the network and
//! the clock bring: raw datagrams, raw stream bytes on connections,
//! connections opening and closing, time passing; with a transaction user
//! that answers requests and sends a few of its own.
//!
//! The input is a sequence of records, each an operation byte `op` and what
//! that operation reads:
//!
//! | `op % 8` | reads | does |
//! | --- | --- | --- |
//! | 0, 1 | length (2 bytes, little-endian), then that many bytes | `handle_datagram` from remote `op >> 3` (of four, one IPv6) |
//! | 2 | length (2 bytes), bytes | `handle_stream_data` on connection `op >> 3` (one is accepted first if there is none) |
//! | 3 | milliseconds (2 bytes) | virtual time moves on by ms × 2^((op >> 3) % 8); due timers fire |
//! | 4 | — | `(op >> 3) % 4`: accept a connection, close one, report one the stack asked for connected, jump to the next deadline |
//! | 5 | status (2 bytes) | the user answers pending server transaction `op >> 3` with `100 + status % 600` |
//! | 6 | — | the user sends OPTIONS or INVITE (`op >> 3`) over UDP or TCP, to a remote, or CANCELs its last INVITE |
//! | 7 | status (2 bytes) | the last request the stack sent is answered with that status, as its peer would |
//!
//! A record cut short by the end of the input uses what is left.
//!
//! Checked: nothing panics; every datagram or stream payload the stack
//! transmits (responses it builds from whatever arrived, and requests) parses
//! with `Message::parse_lazy`, unless it is a CRLF keep-alive; once
//! `handle_timeout(now)` returned, `poll_timeout` is not at or before `now`;
//! stream writes name connections the stack opened or accepted.

#![no_main]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sip::uri::Uri;
use sip::{Address, Limits, Message, Method, StatusCode};
use sip_core::stack::{ClientTxId, Event, ServerTxId, Stack, StackConfig, Transmit};
use sip_core::transport::{ConnectionId, Target, TransportId, TransportKind};

const LOCAL_V4: &str = "192.0.2.1:5060";
const LOCAL_V6: &str = "[2001:db8::1]:5060";
const REMOTES: [&str; 4] = [
    "192.0.2.2:5060",
    "192.0.2.3:5070",
    "10.0.0.1:1234",
    "[2001:db8::2]:5060",
];

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("a socket address")
}

/// Reads the input record by record.
struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }

    fn u16(&mut self) -> u16 {
        let lo = self.byte().unwrap_or(0);
        let hi = self.byte().unwrap_or(0);
        u16::from_le_bytes([lo, hi])
    }

    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (taken, rest) = self.data.split_at(n);
        self.data = rest;
        taken
    }
}

/// Where a request the stack sent went, to answer it from there.
#[derive(Debug, Clone)]
enum SentBy {
    Datagram(TransportId, SocketAddr),
    Stream(ConnectionId),
}

struct Harness {
    stack: Stack,
    now: Instant,
    udp4: TransportId,
    tcp4: TransportId,
    udp6: TransportId,
    /// Connections the stack knows of, as far as the harness can tell.
    connections: Vec<ConnectionId>,
    /// Connections the stack asked to open and that are not reported yet.
    connecting: Vec<ConnectionId>,
    /// Server transactions the user has not answered finally.
    pending: VecDeque<(ServerTxId, Message)>,
    /// Requests the stack sent, newest last.
    sent: VecDeque<(Vec<u8>, SentBy)>,
    invites: Vec<ClientTxId>,
    call: u32,
}

impl Harness {
    fn new() -> Self {
        let mut config = StackConfig::default();
        config.seed = 0xf022;
        let mut stack = Stack::new(config);
        let udp4 = stack.add_transport(TransportKind::Udp, addr(LOCAL_V4));
        let tcp4 = stack.add_transport(TransportKind::Tcp, addr(LOCAL_V4));
        let udp6 = stack.add_transport(TransportKind::Udp, addr(LOCAL_V6));
        Self {
            stack,
            now: Instant::now(),
            udp4,
            tcp4,
            udp6,
            connections: Vec::new(),
            connecting: Vec::new(),
            pending: VecDeque::new(),
            sent: VecDeque::new(),
            invites: Vec::new(),
            call: 0,
        }
    }

    fn udp_for(&self, remote: SocketAddr) -> TransportId {
        if remote.is_ipv4() {
            self.udp4
        } else {
            self.udp6
        }
    }

    /// Drains transmits and events, checking what is transmitted.
    fn drain(&mut self) {
        while let Some(t) = self.stack.poll_transmit() {
            match t {
                Transmit::Datagram {
                    transport,
                    destination,
                    payload,
                } => self.check_payload(&payload, SentBy::Datagram(transport, destination)),
                Transmit::Stream {
                    connection,
                    payload,
                } => {
                    assert!(
                        self.connections.contains(&connection),
                        "a write on connection {connection:?} the stack never opened"
                    );
                    self.check_payload(&payload, SentBy::Stream(connection));
                }
                Transmit::Connect { connection, .. } => {
                    self.connections.push(connection);
                    self.connecting.push(connection);
                }
                Transmit::Close { connection } => {
                    self.connections.retain(|&c| c != connection);
                    self.connecting.retain(|&c| c != connection);
                }
                Transmit::Resolve { .. } => panic!("no request was sent to be located"),
            }
        }
        while let Some(e) = self.stack.poll_event() {
            if let Event::Request {
                transaction: Some(tx),
                request,
                ..
            } = e
            {
                if self.pending.len() >= 16 {
                    self.pending.pop_front();
                }
                self.pending.push_back((tx, request));
            }
        }
    }

    fn check_payload(&mut self, payload: &[u8], by: SentBy) {
        if payload.iter().all(|b| matches!(b, b'\r' | b'\n')) {
            return;
        }
        let message = Message::parse_lazy(payload, &Limits::default()).unwrap_or_else(|e| {
            panic!(
                "the stack transmitted a message that does not parse ({e}):\n{}",
                String::from_utf8_lossy(payload)
            )
        });
        if message.is_request() {
            if self.sent.len() >= 8 {
                self.sent.pop_front();
            }
            self.sent.push_back((payload.to_vec(), by));
        }
    }

    fn fire(&mut self) {
        let now = self.now;
        if self.stack.poll_timeout().is_some_and(|t| t <= now) {
            self.stack.handle_timeout(now);
            self.drain();
            let next = self.stack.poll_timeout();
            assert!(
                next.is_none_or(|t| t > now),
                "a deadline {:?} is still due after handle_timeout",
                next.map(|t| now - t)
            );
        }
    }

    fn accept(&mut self, remote: SocketAddr) -> ConnectionId {
        let c = self.stack.handle_accepted(self.now, self.tcp4, remote);
        self.connections.push(c);
        self.drain();
        c
    }

    fn request(&mut self, method: Method<'_>, to: SocketAddr) -> Message {
        self.call += 1;
        let text = format!("sip:bob@{to}");
        let uri = Uri::parse(&text).expect("a URI");
        let mut from = Address::parse("<sip:alice@192.0.2.1>").expect("an address");
        from.params.push("tag", Some("fz"));
        Message::request(method, &uri)
            .from(&from)
            .to(&Address::new(uri.clone()))
            .call_id(&format!("fuzz-{}", self.call))
            .cseq(self.call)
            .contact(&Address::parse("<sip:alice@192.0.2.1>").expect("an address"))
            .build()
            .expect("a request")
    }

    fn run(&mut self, r: &mut Reader<'_>) {
        let Some(op) = r.byte() else { return };
        let arg = usize::from(op >> 3);
        match op % 8 {
            0 | 1 => {
                let len = usize::from(r.u16());
                let data = r.bytes(len);
                let remote = addr(REMOTES[arg % REMOTES.len()]);
                let transport = self.udp_for(remote);
                self.stack
                    .handle_datagram(self.now, transport, remote, data);
            }
            2 => {
                let len = usize::from(r.u16());
                let data = r.bytes(len);
                if self.connections.is_empty() {
                    self.accept(addr(REMOTES[arg % 3]));
                }
                let c = self.connections[arg % self.connections.len()];
                self.stack.handle_stream_data(self.now, c, data);
            }
            3 => {
                let ms = u64::from(r.u16()) << (arg % 8);
                self.now += Duration::from_millis(ms);
                self.fire();
            }
            4 => match arg % 4 {
                0 => {
                    self.accept(addr(REMOTES[(arg / 4) % 3]));
                }
                1 => {
                    if !self.connections.is_empty() {
                        let c = self.connections.remove((arg / 4) % self.connections.len());
                        self.connecting.retain(|&x| x != c);
                        self.stack.handle_connection_closed(self.now, c);
                    }
                }
                2 => {
                    if !self.connecting.is_empty() {
                        let c = self.connecting.remove((arg / 4) % self.connecting.len());
                        self.stack.handle_connected(self.now, c);
                    }
                }
                _ => {
                    if let Some(at) = self.stack.poll_timeout() {
                        self.now = self.now.max(at);
                        self.fire();
                    }
                }
            },
            5 => {
                let code = 100 + r.u16() % 600;
                if self.pending.is_empty() {
                    return;
                }
                let i = arg % self.pending.len();
                let (tx, request) = self.pending[i].clone();
                let status = StatusCode::new(code).expect("in range");
                if let Ok(response) = Message::response_to(&request, status).to_tag("fz").build() {
                    let _ = self.stack.respond(self.now, tx, &response);
                }
                if code >= 200 {
                    self.pending.remove(i);
                }
            }
            6 => {
                let remote = addr(REMOTES[arg % REMOTES.len()]);
                let kind = if (arg / 4) % 2 == 1 && remote.is_ipv4() {
                    TransportKind::Tcp
                } else {
                    TransportKind::Udp
                };
                let target = Target { kind, addr: remote };
                match (arg / 8) % 3 {
                    0 => {
                        let request = self.request(Method::Options, remote);
                        let _ = self.stack.send_request(self.now, request, target);
                    }
                    1 => {
                        let request = self.request(Method::Invite, remote);
                        if let Ok(tx) = self.stack.send_request(self.now, request, target) {
                            self.invites.push(tx);
                        }
                    }
                    _ => {
                        if let Some(tx) = self.invites.pop() {
                            let _ = self.stack.cancel(self.now, tx);
                        }
                    }
                }
            }
            _ => {
                let code = 100 + r.u16() % 600;
                let Some((bytes, by)) = self.sent.back().cloned() else {
                    return;
                };
                let Ok(request) = Message::parse_lazy(&bytes, &Limits::default()) else {
                    return;
                };
                let status = StatusCode::new(code).expect("in range");
                let Ok(response) = Message::response_to(&request, status)
                    .to_tag("peer")
                    .build()
                else {
                    return;
                };
                let payload = response.to_bytes();
                match by {
                    SentBy::Datagram(transport, from) => self
                        .stack
                        .handle_datagram(self.now, transport, from, &payload),
                    SentBy::Stream(c) => {
                        if self.connections.contains(&c) {
                            self.stack.handle_stream_data(self.now, c, &payload);
                        }
                    }
                }
            }
        }
        self.drain();
    }
}

fuzz_target!(|data: &[u8]| {
    let mut h = Harness::new();
    let mut r = Reader { data };
    let mut steps = 0;
    while !r.data.is_empty() && steps < 512 {
        h.run(&mut r);
        steps += 1;
    }
    // Let every timer run out: transactions and connections end.
    for _ in 0..4096 {
        let Some(at) = h.stack.poll_timeout() else {
            break;
        };
        h.now = h.now.max(at);
        h.fire();
    }
});
