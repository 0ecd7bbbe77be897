//! The sans-IO SIP stack: transports' state, the transaction table and the
//! UAS checks, tied together (RFC 3261 §8.2, §17, §18).
//!
//! The runtime feeds it what the network and the clock bring (`handle_*`), and
//! drains what it wants done after every input, in this order:
//! [`Stack::poll_transmit`] until `None`, [`Stack::poll_event`] until `None`,
//! then [`Stack::poll_timeout`] to know when to call [`Stack::handle_timeout`].
//! The transaction user (the UA core) sends requests and responses through
//! the commands ([`Stack::send_request`], [`Stack::respond`], …), each of
//! which takes `now` because it may arm timers.
//!
//! ```
//! use std::net::SocketAddr;
//! use std::time::Instant;
//!
//! use sip::{Message, Method, Address};
//! use sip::uri::Uri;
//! use sip_core::stack::{Stack, StackConfig, Transmit};
//! use sip_core::transport::{Target, TransportKind};
//!
//! # #[allow(clippy::disallowed_methods)]
//! let now = Instant::now();
//! let mut stack = Stack::new(StackConfig::default());
//! let udp = stack.add_transport(TransportKind::Udp, "192.0.2.1:5060".parse().unwrap());
//! let bob = Uri::parse("sip:bob@192.0.2.2").unwrap();
//! let mut from = Address::parse("<sip:alice@192.0.2.1>").unwrap();
//! from.params.push("tag", Some("1928301774"));
//! let options = Message::request(Method::Options, &bob)
//!     .from(&from)
//!     .to(&Address::new(bob.clone()))
//!     .call_id("a84b4c76e66710")
//!     .cseq(1)
//!     .build()
//!     .unwrap();
//! let target = Target { kind: TransportKind::Udp, addr: "192.0.2.2:5060".parse().unwrap() };
//! let tx = stack.send_request(now, options, target).unwrap();
//! match stack.poll_transmit() {
//!     Some(Transmit::Datagram { transport, destination, payload }) => {
//!         assert_eq!(transport, udp);
//!         assert_eq!(destination, target.addr);
//!         assert!(payload.starts_with(b"OPTIONS sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK"));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! // Timer E will retransmit in T1 = 500 ms.
//! assert_eq!(stack.poll_timeout(), Some(now + std::time::Duration::from_millis(500)));
//! # let _ = tx;
//! ```

mod connections;
mod inbound;
mod keyed;
mod locating;
mod outbound;
mod timers;
mod tx;
mod uas;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sip::{Limits, Message};

use self::connections::Connection;
use self::keyed::KeyedMap;
use self::locating::Locating;
pub use self::locating::ResolveId;
use self::timers::{TimerOwner, TimerQueue};
use self::tx::{ClientTx, ServerTx};
pub use self::uas::{Rejection, UasPolicy, check_request};
use crate::locate::{LocateError, Query, QueryId};
use crate::rng::Rng;
use crate::transaction::{ClientKey, ServerKey, Termination, TimerConfig};
use crate::transport::{ConnectionId, Target, TransportId, TransportKind};

/// Settings of a [`Stack`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StackConfig {
    /// T1, T2, T4 and the timers derived from them.
    pub timers: TimerConfig,
    /// Limits on received messages.
    pub limits: Limits,
    /// What the UAS refuses on its own.
    pub policy: UasPolicy,
    /// A request larger than this goes over TCP rather than UDP when a TCP
    /// transport exists (RFC 3261 §18.1.1: 1300 bytes for a 1500-byte MTU).
    pub udp_size_threshold: usize,
    /// A connection no transaction uses is closed after this long idle.
    pub connection_idle_timeout: Duration,
    /// Connections this side opened send a CRLF keep-alive ping this often
    /// (RFC 5626 §4.4.1); `None` sends none.
    pub keep_alive_interval: Option<Duration>,
    /// Seed of the generator of branches and tags. The runtime seeds it from
    /// the OS; tests use a constant.
    pub seed: u64,
}

impl Default for StackConfig {
    fn default() -> Self {
        Self {
            timers: TimerConfig::default(),
            limits: Limits::default(),
            policy: UasPolicy::default(),
            udp_size_threshold: 1300,
            connection_idle_timeout: Duration::from_secs(32),
            keep_alive_interval: Some(Duration::from_secs(90)),
            seed: 0x5eed,
        }
    }
}

/// A server transaction, as the transaction user names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerTxId(pub u64);

/// A client transaction, as the transaction user names it. It stays the same
/// across failover to another target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientTxId(pub u64);

/// Where a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Source {
    /// The transport that received it.
    pub transport: TransportId,
    /// The transport kind.
    pub kind: TransportKind,
    /// The sender's address.
    pub remote: SocketAddr,
    /// The connection, for stream transports.
    pub connection: Option<ConnectionId>,
}

/// What the runtime must do on the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmit {
    /// Send a datagram from a UDP transport.
    Datagram {
        /// The transport (socket) to send from.
        transport: TransportId,
        /// Where to.
        destination: SocketAddr,
        /// The bytes.
        payload: Bytes,
    },
    /// Write bytes on an open connection.
    Stream {
        /// The connection.
        connection: ConnectionId,
        /// The bytes.
        payload: Bytes,
    },
    /// Open a connection; answer with [`Stack::handle_connected`] or
    /// [`Stack::handle_connection_closed`].
    Connect {
        /// The id the stack gave it.
        connection: ConnectionId,
        /// The transport it belongs to.
        transport: TransportId,
        /// The peer.
        remote: SocketAddr,
    },
    /// Close a connection.
    Close {
        /// The connection.
        connection: ConnectionId,
    },
    /// Ask DNS a question; answer with [`Stack::handle_resolved`].
    Resolve {
        /// The id of the question.
        id: ResolveId,
        /// The question.
        query: Query,
    },
}

/// What the transaction user learns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A request to handle. `transaction` is `None` for an ACK outside any
    /// transaction (the ACK of a 2xx); otherwise answer it with
    /// [`Stack::respond`].
    Request {
        /// Its server transaction.
        transaction: Option<ServerTxId>,
        /// The request, with `received`/`rport` added to its top Via.
        request: Message,
        /// Where it came from.
        source: Source,
    },
    /// A CANCEL matched a pending INVITE (RFC 3261 §9.2). The stack answered
    /// the CANCEL with 200; the user answers the INVITE, normally with 487.
    Cancelled {
        /// The INVITE's server transaction.
        invite: ServerTxId,
        /// The CANCEL.
        cancel: Message,
    },
    /// A response to one of our requests.
    Response {
        /// The client transaction.
        transaction: ClientTxId,
        /// The response.
        response: Message,
        /// Where the request went, which answered (the current target).
        remote: SocketAddr,
    },
    /// A client transaction ended; after a timeout or transport error, every
    /// target was tried.
    ClientTransactionEnded {
        /// The transaction.
        transaction: ClientTxId,
        /// How.
        termination: Termination,
    },
    /// A server transaction ended.
    ServerTransactionEnded {
        /// The transaction.
        transaction: ServerTxId,
        /// How (a timeout means the ACK never came).
        termination: Termination,
    },
    /// A request sent with [`Stack::send_request_located`] could not be
    /// located; [`Event::ClientTransactionEnded`] follows.
    LocationFailed {
        /// The transaction that never started.
        transaction: ClientTxId,
        /// Why.
        error: LocateError,
    },
    /// A 2xx to an INVITE that matches no transaction (a retransmission after
    /// the transaction ended): the user may ACK it again.
    StrayResponse {
        /// The response.
        response: Message,
        /// Where it came from.
        source: Source,
    },
}

/// Why a command was refused. All are misuse of the API or configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// No transport of that kind and address family was added.
    #[error("no {0} transport for {1}")]
    NoTransport(TransportKind, SocketAddr),
    /// The message is not a request (or not a response) where one is needed.
    #[error("{0}")]
    WrongMessage(&'static str),
    /// The transaction does not exist (any more).
    #[error("no such transaction")]
    UnknownTransaction,
}

/// Counters of what the stack dropped or answered on its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Requests received (retransmissions included).
    pub requests: u64,
    /// Responses received.
    pub responses: u64,
    /// Messages dropped because they did not parse or validate and could not
    /// be answered (responses, and requests too broken to answer).
    pub malformed_dropped: u64,
    /// Requests refused with 4xx/5xx by the stack itself (parse errors,
    /// policy, merged requests, unmatched CANCEL).
    pub rejected: u64,
    /// Retransmissions matched to a server transaction.
    pub retransmissions: u64,
    /// Responses that matched no client transaction and were not 2xx to INVITE.
    pub stray_responses: u64,
    /// CRLF keep-alives received.
    pub keep_alives: u64,
    /// Requests sent with [`Stack::send_stateless_located`] whose next hop
    /// could not be located (dropped).
    pub unlocated_stateless: u64,
}

/// A transport added with [`Stack::add_transport`].
#[derive(Debug, Clone)]
struct TransportEntry {
    kind: TransportKind,
    local: SocketAddr,
    /// What Via's sent-by says: the local address unless set otherwise.
    sent_by: (String, u16),
    /// New requests may leave by it (PJSUA2's `transportSetEnable`).
    enabled: bool,
}

/// How a client transaction's bytes leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    Datagram {
        transport: TransportId,
        destination: SocketAddr,
    },
    Stream {
        connection: ConnectionId,
    },
    /// The request's connection closed; the next response opens a new one
    /// (server transactions only).
    Reconnect {
        transport: TransportId,
        destination: SocketAddr,
    },
}

#[derive(Debug)]
struct ClientEntry {
    tx: ClientTx,
    key: ClientKey,
    path: Path,
    /// The address the request went to (the current target).
    remote: SocketAddr,
    /// The request as the user gave it, before our Via: re-sent with a new
    /// branch to the next target on failover (RFC 3263 §4.3).
    original: Message,
    remaining: VecDeque<Target>,
    scheduled: Option<Instant>,
}

#[derive(Debug)]
struct ServerEntry {
    tx: ServerTx,
    key: ServerKey,
    reply: Path,
    merge: Option<(String, String, u32, String)>,
    scheduled: Option<Instant>,
    /// The transaction is over but its last response waits for a connection
    /// to open: how it ends, once the connection says whether it opened.
    pending_end: Option<Termination>,
}

/// The sans-IO SIP stack. See the [module docs](self).
#[derive(Debug)]
pub struct Stack {
    config: StackConfig,
    rng: Rng,
    transports: Vec<TransportEntry>,
    connections: HashMap<ConnectionId, Connection>,
    connection_by_peer: HashMap<(TransportId, SocketAddr), ConnectionId>,
    next_connection: u64,
    /// Boxed, as `servers`.
    clients: HashMap<ClientTxId, Box<ClientEntry>>,
    client_keys: KeyedMap<ClientKey, ClientTxId>,
    next_client: u64,
    locating: HashMap<ClientTxId, Locating>,
    resolving: HashMap<ResolveId, (ClientTxId, QueryId)>,
    next_resolve: u64,
    /// Boxed: a transaction lingers 32 s after its call, so at hundreds of
    /// calls per second the map holds tens of thousands, and each time it
    /// grows every entry moves — a pointer, not the transaction (moving
    /// whole entries stalled the SIP thread for tens of ms under load).
    servers: HashMap<ServerTxId, Box<ServerEntry>>,
    server_keys: KeyedMap<ServerKey, ServerTxId>,
    merged: KeyedMap<(String, String, u32, String), ServerTxId>,
    next_server: u64,
    timers: TimerQueue,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
    stats: Stats,
}

impl Stack {
    /// A stack with no transports yet.
    pub fn new(config: StackConfig) -> Self {
        Self {
            rng: Rng::from_seed(config.seed),
            config,
            transports: Vec::new(),
            connections: HashMap::new(),
            connection_by_peer: HashMap::new(),
            next_connection: 1,
            clients: HashMap::new(),
            client_keys: KeyedMap::new(),
            next_client: 1,
            locating: HashMap::new(),
            resolving: HashMap::new(),
            next_resolve: 1,
            servers: HashMap::new(),
            server_keys: KeyedMap::new(),
            merged: KeyedMap::new(),
            next_server: 1,
            timers: TimerQueue::default(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            stats: Stats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &StackConfig {
        &self.config
    }

    /// Declares option tags the user of the stack implements, so that a
    /// request that `Require`s them is passed up rather than refused with
    /// 420 (RFC 3261 §8.2.2.3).
    pub fn add_supported_extensions(&mut self, tags: &[&str]) {
        for tag in tags {
            let known = self
                .config
                .policy
                .supported
                .iter()
                .any(|t| t.eq_ignore_ascii_case(tag));
            if !known {
                self.config.policy.supported.push((*tag).to_owned());
            }
        }
    }

    /// Adds a transport bound (by the runtime) to `local`: a UDP socket, or a
    /// listening TCP/TLS socket.
    pub fn add_transport(&mut self, kind: TransportKind, local: SocketAddr) -> TransportId {
        let id = TransportId(self.transports.len() as u32);
        self.transports.push(TransportEntry {
            kind,
            local,
            sent_by: (host_text(local), local.port()),
            enabled: true,
        });
        id
    }

    /// Lets new requests leave by a transport, or not. A disabled transport
    /// still receives and answers; closing its socket is the runtime's job.
    pub fn set_transport_enabled(&mut self, id: TransportId, enabled: bool) {
        if let Some(t) = self.transports.get_mut(id.0 as usize) {
            t.enabled = enabled;
        }
    }

    /// Whether new requests may leave by a transport.
    pub fn transport_enabled(&self, id: TransportId) -> bool {
        self.transports
            .get(id.0 as usize)
            .is_some_and(|t| t.enabled)
    }

    /// Sets what Via's sent-by says for a transport (a public address or a
    /// name, when the bound address is not what peers should answer to).
    pub fn set_sent_by(&mut self, transport: TransportId, host: &str, port: u16) {
        if let Some(t) = self.transports.get_mut(transport.0 as usize) {
            t.sent_by = (host.to_owned(), port);
        }
    }

    /// What Via's sent-by says for a transport: host text (IPv6 in brackets)
    /// and port.
    pub fn sent_by(&self, id: TransportId) -> Option<(&str, u16)> {
        self.transports
            .get(id.0 as usize)
            .map(|t| (t.sent_by.0.as_str(), t.sent_by.1))
    }

    /// Every enabled transport: id, kind and bound address, in the order
    /// added.
    pub fn transports(
        &self,
    ) -> impl Iterator<Item = (TransportId, TransportKind, SocketAddr)> + '_ {
        self.transports
            .iter()
            .enumerate()
            .filter(|(_, t)| t.enabled)
            .map(|(i, t)| (TransportId(i as u32), t.kind, t.local))
    }

    /// The kind and bound address of a transport.
    pub fn transport(&self, id: TransportId) -> Option<(TransportKind, SocketAddr)> {
        self.transports
            .get(id.0 as usize)
            .map(|t| (t.kind, t.local))
    }

    /// The request a server transaction was created for.
    pub fn server_request(&self, tx: ServerTxId) -> Option<&Message> {
        self.servers.get(&tx).map(|e| e.tx.request())
    }

    /// The request a client transaction sends (with our Via).
    pub fn client_request(&self, tx: ClientTxId) -> Option<&Message> {
        self.clients.get(&tx).map(|e| e.tx.request())
    }

    /// How many transactions are alive (client, server).
    pub fn transaction_count(&self) -> (usize, usize) {
        (self.clients.len(), self.servers.len())
    }

    /// How many connections are open or opening.
    pub fn connection_count(&self) -> usize {
        self.connections.len()
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// A random token for tags and Call-IDs, from the stack's generator.
    pub fn random_token(&mut self, len: usize) -> String {
        self.rng.token(len)
    }

    /// Fires every due timer.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(owner) = self.timers.pop_due(now) {
            match owner {
                TimerOwner::Client(id) => {
                    let id = ClientTxId(id);
                    if let Some(e) = self.clients.get_mut(&id) {
                        if e.tx.poll_timeout().is_some_and(|t| t <= now) {
                            e.scheduled = None;
                            e.tx.handle_timeout(now);
                            self.drain_client(now, id);
                        }
                    }
                }
                TimerOwner::Server(id) => {
                    let id = ServerTxId(id);
                    if let Some(e) = self.servers.get_mut(&id) {
                        if e.tx.poll_timeout().is_some_and(|t| t <= now) {
                            e.scheduled = None;
                            e.tx.handle_timeout(now);
                            self.drain_server(now, id);
                        }
                    }
                }
                TimerOwner::Connection(id) => self.connection_timeout(now, ConnectionId(id)),
            }
        }
    }

    /// The next thing for the runtime to do on the network.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the transaction user.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Stack::handle_timeout`] is next due.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        let (clients, servers, connections) = (&self.clients, &self.servers, &self.connections);
        self.timers.prune(|at, owner| match owner {
            TimerOwner::Client(id) => clients
                .get(&ClientTxId(id))
                .is_some_and(|e| e.scheduled == Some(at)),
            TimerOwner::Server(id) => servers
                .get(&ServerTxId(id))
                .is_some_and(|e| e.scheduled == Some(at)),
            TimerOwner::Connection(id) => connections
                .get(&ConnectionId(id))
                .is_some_and(|c| c.deadline() == Some(at)),
        });
        self.timers.peek()
    }

    /// Re-arms the timer of a client transaction after it changed.
    fn reschedule_client(&mut self, id: ClientTxId) {
        if let Some(e) = self.clients.get_mut(&id) {
            let next = e.tx.poll_timeout();
            if next != e.scheduled {
                e.scheduled = next;
                if let Some(at) = next {
                    self.timers.schedule(at, TimerOwner::Client(id.0));
                }
            }
        }
    }

    /// Re-arms the timer of a server transaction after it changed.
    fn reschedule_server(&mut self, id: ServerTxId) {
        if let Some(e) = self.servers.get_mut(&id) {
            let next = e.tx.poll_timeout();
            if next != e.scheduled {
                e.scheduled = next;
                if let Some(at) = next {
                    self.timers.schedule(at, TimerOwner::Server(id.0));
                }
            }
        }
    }
}

/// The text of an address's IP for a Via sent-by (IPv6 in brackets).
fn host_text(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => format!("[{}]", a.ip()),
    }
}

#[cfg(test)]
mod tests;
