//! Stream connections (TCP, TLS): reuse by peer, framing, CRLF keep-alives
//! (RFC 5626 §3.5.1), idle close, and transport errors for the transactions
//! that used a connection that failed.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use sip::Message;
use sip::stream::{StreamFramer, StreamItem};

use super::timers::TimerOwner;
use super::{Path, Source, Stack, Transmit};
use crate::transaction::Termination;
use crate::transport::{ConnectionId, TransportId, TransportKind};

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Asked of the runtime, not yet open.
    Connecting,
    /// Open.
    Open,
}

/// One stream connection.
#[derive(Debug)]
pub(super) struct Connection {
    transport: TransportId,
    remote: SocketAddr,
    state: State,
    /// Opened by this side (it sends keep-alive pings).
    outbound: bool,
    /// Kept open even when idle (a registration's flow, RFC 5626).
    pinned: bool,
    framer: StreamFramer,
    /// Bytes to write once open.
    pending: Vec<Bytes>,
    last_activity: Instant,
    last_sent: Instant,
    /// When the idle or keep-alive timer next needs a look.
    deadline: Option<Instant>,
}

/// Where RFC 3261 §18.2.2 sends a response when the request's connection is
/// gone: the `received` address (else the connection's) and the sent-by port
/// (else the transport's default).
fn sent_by_address(request: &Message, remote: SocketAddr, kind: TransportKind) -> SocketAddr {
    let via = request.via();
    let ip = via
        .as_ref()
        .and_then(|v| v.received())
        .unwrap_or(remote.ip());
    let port = via.and_then(|v| v.port).unwrap_or(kind.default_port());
    SocketAddr::new(ip, port)
}

impl Connection {
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
}

impl Stack {
    /// The connection to use for `remote` over a stream transport: an open or
    /// opening one if there is one, else a new one the runtime is asked to open.
    pub(super) fn connection_to(
        &mut self,
        now: Instant,
        transport: TransportId,
        remote: SocketAddr,
    ) -> ConnectionId {
        if let Some(&id) = self.connection_by_peer.get(&(transport, remote)) {
            return id;
        }
        let id = self.new_connection(now, transport, remote, State::Connecting, true);
        self.transmits.push_back(Transmit::Connect {
            connection: id,
            transport,
            remote,
        });
        id
    }

    fn new_connection(
        &mut self,
        now: Instant,
        transport: TransportId,
        remote: SocketAddr,
        state: State,
        outbound: bool,
    ) -> ConnectionId {
        let id = ConnectionId(self.next_connection);
        self.next_connection += 1;
        self.connections.insert(
            id,
            Connection {
                transport,
                remote,
                state,
                outbound,
                pinned: false,
                framer: StreamFramer::with_limits(self.config.limits.clone()),
                pending: Vec::new(),
                last_activity: now,
                last_sent: now,
                deadline: None,
            },
        );
        self.connection_by_peer.insert((transport, remote), id);
        self.rearm_connection(id);
        id
    }

    /// Writes a SIP message on a connection, or queues it until it opens.
    /// `false` if the connection is gone.
    pub(super) fn write(&mut self, now: Instant, connection: ConnectionId, payload: Bytes) -> bool {
        if let Some(c) = self.connections.get_mut(&connection) {
            c.last_activity = now;
        }
        self.write_raw(now, connection, payload)
    }

    /// Writes bytes (a message or a keep-alive) without counting as activity.
    fn write_raw(&mut self, now: Instant, connection: ConnectionId, payload: Bytes) -> bool {
        let Some(c) = self.connections.get_mut(&connection) else {
            return false;
        };
        c.last_sent = now;
        match c.state {
            State::Connecting => c.pending.push(payload),
            State::Open => self.transmits.push_back(Transmit::Stream {
                connection,
                payload,
            }),
        }
        true
    }

    /// The runtime accepted a connection on a listening transport.
    pub fn handle_accepted(
        &mut self,
        now: Instant,
        transport: TransportId,
        remote: SocketAddr,
    ) -> ConnectionId {
        // A new connection from the same peer replaces the old in the index
        // (the old stays usable until it closes).
        self.new_connection(now, transport, remote, State::Open, false)
    }

    /// A connection the stack asked for is open.
    pub fn handle_connected(&mut self, now: Instant, connection: ConnectionId) {
        let Some(c) = self.connections.get_mut(&connection) else {
            return;
        };
        c.state = State::Open;
        c.last_activity = now;
        for payload in std::mem::take(&mut c.pending) {
            self.transmits.push_back(Transmit::Stream {
                connection,
                payload,
            });
        }
        for (id, how) in self.pending_ends(connection) {
            self.end_server(id, how);
        }
        self.rearm_connection(connection);
    }

    /// A connection failed to open, was reset or closed by the peer. Every
    /// transaction whose messages go over it gets a transport error (a client
    /// transaction then fails over to its next target, if any).
    pub fn handle_connection_closed(&mut self, now: Instant, connection: ConnectionId) {
        let Some(c) = self.connections.remove(&connection) else {
            return;
        };
        if self.connection_by_peer.get(&(c.transport, c.remote)) == Some(&connection) {
            self.connection_by_peer.remove(&(c.transport, c.remote));
        }
        let on_it = Path::Stream { connection };
        let clients: Vec<_> = self
            .clients
            .iter()
            .filter(|(_, e)| e.path == on_it)
            .map(|(id, _)| *id)
            .collect();
        for id in clients {
            if let Some(e) = self.clients.get_mut(&id) {
                e.tx.handle_transport_error();
            }
            self.drain_client(now, id);
        }
        let servers: Vec<_> = self
            .servers
            .iter()
            .filter(|(_, e)| e.reply == on_it)
            .map(|(id, _)| *id)
            .collect();
        for id in servers {
            let Some(e) = self.servers.get_mut(&id) else {
                continue;
            };
            if c.state == State::Open {
                // RFC 3261 §18.2.2: the next response goes over a new
                // connection to the received address and the sent-by port,
                // opened when there is something to send.
                let destination = sent_by_address(
                    e.tx.request(),
                    c.remote,
                    self.transports[c.transport.0 as usize].kind,
                );
                e.reply = Path::Reconnect {
                    transport: c.transport,
                    destination,
                };
            } else if e.pending_end.is_some() {
                // Its last response never left (§17.2.4).
                self.end_server(id, Termination::TransportError);
            } else {
                // That new connection could not be opened (§17.2.4).
                e.tx.handle_transport_error();
                self.drain_server(now, id);
            }
        }
    }

    /// Bytes read from a connection.
    pub fn handle_stream_data(&mut self, now: Instant, connection: ConnectionId, data: &[u8]) {
        let Some(c) = self.connections.get_mut(&connection) else {
            return;
        };
        c.last_activity = now;
        c.framer.push(data);
        let source = Source {
            transport: c.transport,
            kind: self.transports[c.transport.0 as usize].kind,
            remote: c.remote,
            connection: Some(connection),
        };
        loop {
            let Some(c) = self.connections.get_mut(&connection) else {
                return;
            };
            let Some(item) = c.framer.poll() else {
                break;
            };
            match item {
                Ok(StreamItem::Message(message)) => self.handle_message(now, message, source),
                Ok(StreamItem::Invalid { error, message, .. }) => {
                    self.handle_invalid(now, error, message, source)
                }
                Ok(StreamItem::KeepAlivePing) => {
                    self.stats.keep_alives += 1;
                    // RFC 5626 §3.5.1: the server side answers with the pong.
                    // On a connection we opened we are the client: two pongs
                    // in a row read as a ping, and are not answered.
                    let inbound = self
                        .connections
                        .get(&connection)
                        .is_some_and(|c| !c.outbound);
                    if inbound {
                        self.write_raw(now, connection, Bytes::from_static(b"\r\n"));
                    }
                }
                Ok(StreamItem::KeepAlivePong) => self.stats.keep_alives += 1,
                Err(_) => {
                    // Framing is lost: nothing more can be read from it.
                    self.stats.malformed_dropped += 1;
                    self.transmits.push_back(Transmit::Close { connection });
                    self.handle_connection_closed(now, connection);
                    return;
                }
            }
        }
        self.rearm_connection(connection);
    }

    /// The idle and keep-alive timers of a connection.
    pub(super) fn connection_timeout(&mut self, now: Instant, connection: ConnectionId) {
        let in_use = self.connection_in_use(connection);
        let idle = self.config.connection_idle_timeout;
        let keep_alive = self.config.keep_alive_interval;
        let Some(c) = self.connections.get_mut(&connection) else {
            return;
        };
        if c.deadline.is_none_or(|d| d > now) {
            return;
        }
        c.deadline = None;
        if now >= c.last_activity + idle {
            if !in_use && !c.pinned {
                self.transmits.push_back(Transmit::Close { connection });
                self.handle_connection_closed(now, connection);
                return;
            }
            // In use: look again one idle period from now.
            c.last_activity = now;
        }
        if let Some(interval) = keep_alive {
            if c.outbound && now >= c.last_sent + interval {
                if c.state == State::Open {
                    self.write_raw(now, connection, Bytes::from_static(b"\r\n\r\n"));
                } else {
                    // Still opening: nothing to ping yet; look again later.
                    c.last_sent = now;
                }
            }
        }
        self.rearm_connection(connection);
    }

    /// Whether a connection is still being opened.
    pub(super) fn is_connecting(&self, connection: ConnectionId) -> bool {
        self.connections
            .get(&connection)
            .is_some_and(|c| c.state == State::Connecting)
    }

    /// Server transactions over `connection` that ended while it was opening.
    fn pending_ends(&self, connection: ConnectionId) -> Vec<(super::ServerTxId, Termination)> {
        let on_it = Path::Stream { connection };
        self.servers
            .iter()
            .filter(|(_, e)| e.reply == on_it)
            .filter_map(|(id, e)| e.pending_end.map(|how| (*id, how)))
            .collect()
    }

    /// Keeps a connection open while idle (or lets it close again): for the
    /// flow a registration keeps to its registrar (RFC 5626).
    pub fn set_connection_pinned(&mut self, connection: ConnectionId, pinned: bool) {
        if let Some(c) = self.connections.get_mut(&connection) {
            c.pinned = pinned;
        }
    }

    fn connection_in_use(&self, connection: ConnectionId) -> bool {
        let on_it = Path::Stream { connection };
        self.clients.values().any(|e| e.path == on_it)
            || self.servers.values().any(|e| e.reply == on_it)
    }

    /// Arms the connection's next idle or keep-alive look.
    fn rearm_connection(&mut self, connection: ConnectionId) {
        let idle = self.config.connection_idle_timeout;
        let keep_alive = self.config.keep_alive_interval;
        let Some(c) = self.connections.get_mut(&connection) else {
            return;
        };
        let mut next = c.last_activity + idle;
        if let Some(interval) = keep_alive {
            if c.outbound {
                next = next.min(c.last_sent + interval);
            }
        }
        if c.deadline != Some(next) {
            c.deadline = Some(next);
            self.timers
                .schedule(next, TimerOwner::Connection(connection.0));
        }
    }
}
