//! Shared by the stack's virtual-time tests: [`StackAgent`], a
//! [`testkit::Agent`] that wraps a [`Stack`] and a small scripted transaction
//! user (TU), so that two (or more) stacks talk over testkit's simulated
//! network — datagrams with loss, duplication and reordering, and stream
//! connections for TCP.
//!
//! The TU answers each request by a [`Plan`] (read from the request's
//! [`PLAN_HEADER`], else its default), retransmits the 2xx of an INVITE until
//! the ACK comes (RFC 3261 §13.3.1.4), answers 487 to a cancelled INVITE,
//! ACKs every 2xx it receives (RFC 3261 §13.2.2.4) and cancels INVITEs when
//! told to. Every event is recorded with its virtual time, every message
//! sent is recorded on [`StackAgent::wire`], and anything that breaks the
//! stack's contract (an event for a transaction after it ended, a transaction
//! ending twice, a request reaching the TU twice) lands in
//! [`StackAgent::violations`].
//!
//! Each test file compiles this module as a private module of its own
//! crate and uses part of it: dead code and `pub` items that the crate cannot
//! export are expected here.
#![allow(dead_code, unreachable_pub)]

pub mod flows;
mod script;
pub mod tu;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip_core::stack::{ClientTxId, Event, SendError, ServerTxId, Stack, StackConfig, Transmit};
use sip_core::transport::{ConnectionId, Target, TransportId, TransportKind};
use testkit::{Agent, LinkConfig, StreamCommand, StreamEvent, World};

pub use self::tu::{CancelWhen, ClientCall, Plan, RequestSpec, ServerCall};
use self::tu::{dialog_key, request};

/// The UDP transport every agent adds first.
pub const UDP: TransportId = TransportId(0);
/// The TCP transport (listening on the same address) every agent adds second.
pub const TCP: TransportId = TransportId(1);

/// Alice's address in two-agent worlds.
pub const ALICE: &str = "192.0.2.1:5060";
/// Bob's address in two-agent worlds.
pub const BOB: &str = "192.0.2.2:5060";

/// An address from its text.
pub fn addr(text: &str) -> SocketAddr {
    text.parse().expect("a socket address")
}

/// A UDP target.
pub fn udp(to: &str) -> Target {
    Target {
        kind: TransportKind::Udp,
        addr: addr(to),
    }
}

/// A TCP target.
pub fn tcp(to: &str) -> Target {
    Target {
        kind: TransportKind::Tcp,
        addr: addr(to),
    }
}

/// Milliseconds, for short time literals in assertions.
pub const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A world with Alice (agent 0, stack seed `seed`) and Bob (agent 1, stack
/// seed `seed + 1`) on a network of seed `seed` whose every link is `link`,
/// with the trace on.
pub fn two_agents(seed: u64, link: LinkConfig) -> World<StackAgent> {
    let mut world = World::new(seed);
    world.enable_trace();
    world.network_mut().set_default_link(link);
    let base = world.clock().base();
    world.add_agent(StackAgent::new("alice", addr(ALICE), base, seed));
    world.add_agent(StackAgent::new("bob", addr(BOB), base, seed + 1));
    world
}

/// One event the stack gave the TU, with its virtual time.
#[derive(Debug, Clone)]
pub struct Record {
    /// Virtual time since the world's start.
    pub at: Duration,
    /// The event.
    pub event: Event,
}

/// One message (or keep-alive) the stack sent, as the agent saw it leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Virtual time since the world's start.
    pub at: Duration,
    /// Over a stream connection (else a datagram).
    pub stream: bool,
    /// The start line (`INVITE sip:…` or `SIP/2.0 200 OK`); empty for a
    /// keep-alive.
    pub first_line: String,
    /// The top Via's branch.
    pub branch: Option<String>,
    /// The CSeq method.
    pub cseq_method: Option<String>,
}

impl Sent {
    /// Whether it is a request of `method`.
    pub fn is_request(&self, method: &str) -> bool {
        self.first_line
            .strip_prefix(method)
            .is_some_and(|rest| rest.starts_with(' '))
    }

    /// The status code, if it is a response.
    pub fn status(&self) -> Option<u16> {
        let rest = self.first_line.strip_prefix("SIP/2.0 ")?;
        rest.get(..3)?.parse().ok()
    }
}

/// What the TU waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TuTimer {
    /// Steps of a server transaction's plan fall due.
    Answer(ServerTxId),
    /// The 2xx of an INVITE is to be sent again.
    Resend2xx(ServerTxId),
    /// An INVITE is to be cancelled.
    Cancel(ClientTxId),
    /// A scheduled request is to be sent (an index into `scheduled`).
    Send(usize),
}

/// A [`Stack`] with a UDP and a TCP transport on one address, driven by
/// testkit, with the scripted TU described in the [module docs](self).
#[derive(Debug)]
pub struct StackAgent {
    /// Used in From, Call-ID and To tags.
    pub name: String,
    /// The address of both transports.
    pub addr: SocketAddr,
    /// The stack under test.
    pub stack: Stack,
    /// The world's time origin, to turn instants into offsets.
    pub base: Instant,
    /// The plan for requests that carry none.
    pub default_plan: Plan,
    /// How long after a CANCEL the TU answers the INVITE with 487.
    pub cancel_answer_delay: Duration,
    /// Whether events go to [`StackAgent::log`] (off for bulk runs).
    pub record_events: bool,
    /// Every event, with its time.
    pub log: Vec<Record>,
    /// Every message sent.
    pub wire: Vec<Sent>,
    /// Broken promises of the stack, in words.
    pub violations: Vec<String>,
    /// Client transactions (requests and CANCELs the TU sent).
    pub clients: BTreeMap<ClientTxId, ClientCall>,
    /// Server transactions the TU heard of.
    pub servers: BTreeMap<ServerTxId, ServerCall>,
    /// 2xx responses to INVITE that matched no transaction (re-ACKed).
    pub stray_2xx: u32,
    /// ACKs of 2xx that reached the TU.
    pub acks_received: u32,
    /// Commands the stack refused (`respond` after the end, `cancel` of an
    /// INVITE already over), by the TU's scripted behaviour.
    pub refused_commands: u32,
    datagrams: VecDeque<testkit::Transmit>,
    commands: VecDeque<StreamCommand>,
    to_kit: HashMap<ConnectionId, testkit::ConnectionId>,
    from_kit: HashMap<testkit::ConnectionId, ConnectionId>,
    connecting: HashSet<ConnectionId>,
    closed_while_connecting: HashSet<ConnectionId>,
    timers: BinaryHeap<Reverse<(Instant, u64, TuTimer)>>,
    timer_seq: u64,
    scheduled: Vec<Option<RequestSpec>>,
    invites: HashMap<(String, u32), ServerTxId>,
    sent_requests: HashMap<(String, u32), ClientTxId>,
    seen_requests: HashSet<(String, u32, String)>,
    next_number: u64,
}

impl StackAgent {
    /// An agent whose stack has the default configuration and `seed`.
    pub fn new(name: &str, addr: SocketAddr, base: Instant, seed: u64) -> Self {
        let mut config = StackConfig::default();
        config.seed = seed;
        Self::with_config(name, addr, base, config)
    }

    /// An agent whose stack has `config`.
    pub fn with_config(name: &str, addr: SocketAddr, base: Instant, config: StackConfig) -> Self {
        let mut stack = Stack::new(config);
        let udp = stack.add_transport(TransportKind::Udp, addr);
        let tcp = stack.add_transport(TransportKind::Tcp, addr);
        assert_eq!((udp, tcp), (UDP, TCP));
        Self {
            name: name.to_owned(),
            addr,
            stack,
            base,
            default_plan: Plan::answer(200),
            cancel_answer_delay: Duration::ZERO,
            record_events: true,
            log: Vec::new(),
            wire: Vec::new(),
            violations: Vec::new(),
            clients: BTreeMap::new(),
            servers: BTreeMap::new(),
            stray_2xx: 0,
            acks_received: 0,
            refused_commands: 0,
            datagrams: VecDeque::new(),
            commands: VecDeque::from([StreamCommand::Listen { addr }]),
            to_kit: HashMap::new(),
            from_kit: HashMap::new(),
            connecting: HashSet::new(),
            closed_while_connecting: HashSet::new(),
            timers: BinaryHeap::new(),
            timer_seq: 0,
            scheduled: Vec::new(),
            invites: HashMap::new(),
            sent_requests: HashMap::new(),
            seen_requests: HashSet::new(),
            next_number: 1,
        }
    }

    /// Virtual time of `at` since the world's start.
    pub fn offset(&self, at: Instant) -> Duration {
        at - self.base
    }

    /// Sends a request now in a new client transaction.
    pub fn send(&mut self, now: Instant, spec: RequestSpec) -> Result<ClientTxId, SendError> {
        let number = self.next_number;
        self.next_number += 1;
        let message = request(
            spec.method.clone(),
            &self.name,
            self.addr,
            spec.target,
            number,
            spec.plan.as_ref(),
        );
        let id = self.stack.send_request(now, message.clone(), spec.target)?;
        let branch = self.branch_of(id);
        if let Some(key) = dialog_key(&message) {
            self.sent_requests.insert(key, id);
        }
        if let (Some(CancelWhen::After(delay)), "INVITE") = (spec.cancel, spec.method.as_str()) {
            self.arm(now + delay, TuTimer::Cancel(id));
        }
        self.clients.insert(
            id,
            ClientCall {
                method: spec.method.as_str().to_owned(),
                request: message,
                target: spec.target,
                sent_at: now,
                responses: Vec::new(),
                ended: None,
                end_events: 0,
                acks_sent: 0,
                cancel: spec.cancel,
                cancel_tx: None,
                plan: spec.plan,
                branch,
            },
        );
        self.pump(now);
        Ok(id)
    }

    /// Stops accepting stream connections (open ones stay), as an agent
    /// behind a NAT or a firewall that peers cannot connect to.
    pub fn stop_listening(&mut self) {
        self.commands
            .push_back(StreamCommand::StopListening { addr: self.addr });
    }

    /// Sends a request at `at` (a TU timer), so a whole schedule can be given
    /// before the world runs.
    pub fn schedule(&mut self, at: Instant, spec: RequestSpec) {
        self.scheduled.push(Some(spec));
        self.arm(at, TuTimer::Send(self.scheduled.len() - 1));
    }

    /// The client transaction `id`.
    pub fn client(&self, id: ClientTxId) -> &ClientCall {
        &self.clients[&id]
    }

    /// The server transaction the request with this Call-ID created (the
    /// first, if several share it).
    pub fn server_by_call_id(&self, call_id: &str) -> Option<(ServerTxId, &ServerCall)> {
        self.servers.iter().map(|(id, c)| (*id, c)).find(|(_, c)| {
            c.request
                .as_ref()
                .and_then(|r| r.call_id())
                .is_some_and(|c| c.as_str() == call_id)
        })
    }

    /// The events naming client transaction `id`, with their times.
    pub fn client_events(&self, id: ClientTxId) -> Vec<(Duration, &Event)> {
        self.log
            .iter()
            .filter(|r| match &r.event {
                Event::Response { transaction, .. }
                | Event::ClientTransactionEnded { transaction, .. } => *transaction == id,
                _ => false,
            })
            .map(|r| (r.at, &r.event))
            .collect()
    }

    /// Times at which requests of `method` (retransmissions included) left.
    pub fn request_times(&self, method: &str) -> Vec<Duration> {
        self.wire
            .iter()
            .filter(|s| s.is_request(method))
            .map(|s| s.at)
            .collect()
    }

    /// Times at which responses of `code` left.
    pub fn response_times(&self, code: u16) -> Vec<Duration> {
        self.wire
            .iter()
            .filter(|s| s.status() == Some(code))
            .map(|s| s.at)
            .collect()
    }

    /// Stream connection ends this agent holds in testkit (to reset one).
    pub fn kit_connections(&self) -> Vec<testkit::ConnectionId> {
        let mut ends: Vec<_> = self.from_kit.keys().copied().collect();
        ends.sort();
        ends
    }

    /// How many server transactions the TU never gave a final response and
    /// that have not ended: what a TU that never answers leaves behind (the
    /// server transaction has no timer of its own before a final response,
    /// RFC 3261 §17.2.1, §17.2.2).
    /// Client INVITEs left ringing (see [`ClientCall::may_ring_forever`]).
    pub fn ringing_clients(&self) -> usize {
        self.clients
            .values()
            .filter(|c| c.ended.is_none() && c.may_ring_forever())
            .count()
    }

    pub fn unanswered_servers(&self) -> usize {
        self.servers
            .values()
            .filter(|c| c.ended.is_none() && c.final_sent().is_none() && c.request.is_some())
            .count()
    }

    /// The run's contract, checked at its end: nothing in
    /// [`StackAgent::violations`], and every client and server transaction
    /// ended exactly once (server transactions that never got a final
    /// response aside).
    pub fn contract_breaches(&self) -> Vec<String> {
        let mut breaches = self.violations.clone();
        for (id, c) in &self.clients {
            if c.end_events > 1 || (c.end_events == 0 && !c.may_ring_forever()) {
                breaches.push(format!(
                    "{}: client {id:?} ({}) ended {} times",
                    self.name, c.method, c.end_events
                ));
            }
        }
        for (id, s) in &self.servers {
            let may_live = s.final_sent().is_none() && s.request.is_some();
            if s.end_events > 1 || (s.end_events == 0 && !may_live) {
                breaches.push(format!(
                    "{}: server {id:?} ({}, final {:?}) ended {} times",
                    self.name,
                    s.method,
                    s.final_sent(),
                    s.end_events
                ));
            }
        }
        breaches
    }

    /// The branch of the top Via the stack gave client transaction `id`.
    fn branch_of(&self, id: ClientTxId) -> Option<String> {
        let request = self.stack.client_request(id)?;
        let via = request.via()?;
        via.branch().map(str::to_owned)
    }

    fn arm(&mut self, at: Instant, timer: TuTimer) {
        self.timer_seq += 1;
        self.timers.push(Reverse((at, self.timer_seq, timer)));
    }

    /// Moves every output of the stack: transmits to testkit, events to the
    /// TU (whose commands may give more), until both are empty.
    fn pump(&mut self, now: Instant) {
        loop {
            let mut moved = false;
            while let Some(t) = self.stack.poll_transmit() {
                moved = true;
                self.route(now, t);
            }
            while let Some(e) = self.stack.poll_event() {
                moved = true;
                self.on_event(now, e);
            }
            if !moved {
                return;
            }
        }
    }

    /// Turns a stack transmit into a testkit datagram or stream command.
    fn route(&mut self, now: Instant, transmit: Transmit) {
        match transmit {
            Transmit::Datagram {
                destination,
                payload,
                ..
            } => {
                self.note_sent(now, false, &payload);
                self.datagrams.push_back(testkit::Transmit {
                    from: self.addr,
                    to: destination,
                    payload: payload.to_vec(),
                });
            }
            Transmit::Stream {
                connection,
                payload,
            } => {
                self.note_sent(now, true, &payload);
                match self.to_kit.get(&connection) {
                    Some(&conn) => self.commands.push_back(StreamCommand::Send {
                        conn,
                        data: payload.to_vec(),
                    }),
                    None => self.violations.push(format!(
                        "{}: stack wrote on {connection:?}, which is not open",
                        self.name
                    )),
                }
            }
            Transmit::Connect {
                connection, remote, ..
            } => {
                self.connecting.insert(connection);
                self.commands.push_back(StreamCommand::Connect {
                    tag: connection.0,
                    from: self.addr,
                    to: remote,
                });
            }
            Transmit::Close { connection } => {
                if let Some(conn) = self.to_kit.remove(&connection) {
                    self.from_kit.remove(&conn);
                    self.commands.push_back(StreamCommand::Close { conn });
                } else if self.connecting.contains(&connection) {
                    self.closed_while_connecting.insert(connection);
                }
            }
            // These tests give targets, never names to locate.
            other @ Transmit::Resolve { .. } => self
                .violations
                .push(format!("{}: unexpected {other:?}", self.name)),
        }
    }

    fn note_sent(&mut self, now: Instant, stream: bool, payload: &[u8]) {
        let head_len = payload
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(payload.len());
        let head = String::from_utf8_lossy(&payload[..head_len]);
        let mut lines = head.split("\r\n");
        let first_line = lines.next().unwrap_or_default().to_owned();
        let mut branch = None;
        let mut cseq_method = None;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let name = name.trim();
            if branch.is_none() && (name.eq_ignore_ascii_case("Via") || name == "v") {
                branch = value.split(';').find_map(|p| {
                    p.trim()
                        .strip_prefix("branch=")
                        .map(|b| b.split(',').next().unwrap_or(b).trim().to_owned())
                });
            } else if name.eq_ignore_ascii_case("CSeq") {
                cseq_method = value.split_whitespace().nth(1).map(str::to_owned);
            }
        }
        self.wire.push(Sent {
            at: self.offset(now),
            stream,
            first_line,
            branch,
            cseq_method,
        });
    }
}

impl Agent for StackAgent {
    fn addresses(&self) -> Vec<SocketAddr> {
        vec![self.addr]
    }

    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, _to: SocketAddr, payload: &[u8]) {
        self.stack.handle_datagram(now, UDP, from, payload);
        self.pump(now);
    }

    fn handle_stream_event(&mut self, now: Instant, event: StreamEvent) {
        match event {
            StreamEvent::Accepted { conn, remote, .. } => {
                let id = self.stack.handle_accepted(now, TCP, remote);
                self.to_kit.insert(id, conn);
                self.from_kit.insert(conn, id);
            }
            StreamEvent::Connected { conn, tag, .. } => {
                let id = ConnectionId(tag);
                self.connecting.remove(&id);
                if self.closed_while_connecting.remove(&id) {
                    self.commands.push_back(StreamCommand::Close { conn });
                } else {
                    self.to_kit.insert(id, conn);
                    self.from_kit.insert(conn, id);
                    self.stack.handle_connected(now, id);
                }
            }
            StreamEvent::Refused { tag, .. } => {
                let id = ConnectionId(tag);
                self.connecting.remove(&id);
                self.closed_while_connecting.remove(&id);
                self.stack.handle_connection_closed(now, id);
            }
            StreamEvent::Data { conn, data } => {
                if let Some(&id) = self.from_kit.get(&conn) {
                    self.stack.handle_stream_data(now, id, &data);
                }
            }
            StreamEvent::Closed { conn } => {
                if let Some(id) = self.from_kit.remove(&conn) {
                    self.to_kit.remove(&id);
                    // The peer is done: close our end too, as a runtime does
                    // on end of file.
                    self.commands.push_back(StreamCommand::Close { conn });
                    self.stack.handle_connection_closed(now, id);
                }
            }
            StreamEvent::Reset { conn } => {
                if let Some(id) = self.from_kit.remove(&conn) {
                    self.to_kit.remove(&id);
                    self.stack.handle_connection_closed(now, id);
                }
            }
        }
        self.pump(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.stack.poll_timeout().is_some_and(|t| t <= now) {
            self.stack.handle_timeout(now);
            // The TU hears of ended transactions before its own timers fire.
            self.pump(now);
        }
        while let Some(&Reverse((at, _, timer))) = self.timers.peek() {
            if at > now {
                break;
            }
            self.timers.pop();
            self.fire(now, timer);
            self.pump(now);
        }
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<testkit::Transmit> {
        self.pump(now);
        self.datagrams.pop_front()
    }

    fn poll_stream_command(&mut self, now: Instant) -> Option<StreamCommand> {
        self.pump(now);
        self.commands.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        let tu = self.timers.peek().map(|Reverse((at, _, _))| *at);
        [self.stack.poll_timeout(), tu].into_iter().flatten().min()
    }
}
