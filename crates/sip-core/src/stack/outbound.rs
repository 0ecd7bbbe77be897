//! What leaves: requests given a Via and a transaction (RFC 3261 §17.1,
//! §18.1.1), responses through their server transaction (§18.2.2), and the
//! outputs of transactions routed onto the network, with failover to the next
//! target (RFC 3263 §4.3).

use std::collections::VecDeque;
use std::time::Instant;

use bytes::Bytes;
use sip::Message;
use sip::header::{HeaderName, Via};
use sip::uri::Host;

use super::tx::ClientTx;
use super::{ClientEntry, ClientTxId, Event, Path, SendError, ServerTxId, Stack, Transmit};
use crate::transaction::{ClientKey, Termination, TxOutput};
use crate::transport::{Target, TransportId, TransportKind};

impl Stack {
    /// Sends a request in a new client transaction to `target`. The stack adds
    /// the top Via (this transport's sent-by, a new branch, `rport`); give the
    /// request without it. Responses come as [`Event::Response`], the end as
    /// [`Event::ClientTransactionEnded`].
    pub fn send_request(
        &mut self,
        now: Instant,
        request: Message,
        target: Target,
    ) -> Result<ClientTxId, SendError> {
        self.send_request_with_failover(now, request, vec![target])
    }

    /// [`Stack::send_request`] over an ordered list of targets (RFC 3263):
    /// after a timeout, a transport error or a 503, the request goes to the
    /// next target with a new branch, under the same [`ClientTxId`].
    pub fn send_request_with_failover(
        &mut self,
        now: Instant,
        request: Message,
        targets: Vec<Target>,
    ) -> Result<ClientTxId, SendError> {
        if !request.is_request() || request.method().is_some_and(|m| m.as_str() == "ACK") {
            return Err(SendError::WrongMessage(
                "send_request takes a request other than ACK (use send_stateless)",
            ));
        }
        let id = ClientTxId(self.next_client);
        self.start_with_failover(now, id, request, targets)?;
        self.next_client += 1;
        Ok(id)
    }

    /// Starts client transaction `id` on the first target that has a
    /// transport, keeping the others for failover.
    pub(super) fn start_with_failover(
        &mut self,
        now: Instant,
        id: ClientTxId,
        request: Message,
        targets: Vec<Target>,
    ) -> Result<(), SendError> {
        let mut remaining: VecDeque<Target> = targets.into();
        let (tx, key, path, remote) = loop {
            let target = remaining
                .pop_front()
                .ok_or(SendError::WrongMessage("no target"))?;
            match self.start_client(now, &request, target) {
                Ok((tx, key, path)) => break (tx, key, path, target.addr),
                Err(e) if remaining.is_empty() => return Err(e),
                Err(_) => {}
            }
        };
        self.insert_client(
            now,
            id,
            ClientEntry {
                tx,
                key,
                path,
                remote,
                original: request,
                remaining,
                scheduled: None,
            },
        );
        Ok(())
    }

    /// Files a new client transaction under `id` and sends what it has.
    fn insert_client(&mut self, now: Instant, id: ClientTxId, entry: ClientEntry) {
        self.client_keys.insert(entry.key.clone(), id);
        self.clients.insert(id, Box::new(entry));
        self.drain_client(now, id);
    }

    /// Cancels a pending INVITE (RFC 3261 §9.1): a CANCEL with the INVITE's
    /// Request-URI, Call-ID, From, To, CSeq number, Route and top Via (so the
    /// same branch), sent in a transaction of its own along the INVITE's path.
    /// Refused unless `invite` is a client INVITE transaction still alive.
    pub fn cancel(&mut self, now: Instant, invite: ClientTxId) -> Result<ClientTxId, SendError> {
        self.cancel_with(now, invite, |_| {})
    }

    /// [`Stack::cancel`] with the CANCEL handed to `edit` before it is sent
    /// (to add the application's headers, PJSUA2's `txOption`). The lines
    /// that identify the transaction must stay as they are.
    pub fn cancel_with(
        &mut self,
        now: Instant,
        invite: ClientTxId,
        edit: impl FnOnce(&mut Message),
    ) -> Result<ClientTxId, SendError> {
        let e = self
            .clients
            .get(&invite)
            .ok_or(SendError::UnknownTransaction)?;
        let request = e.tx.request();
        if request.method().is_none_or(|m| m.as_str() != "INVITE") {
            return Err(SendError::WrongMessage("only an INVITE can be cancelled"));
        }
        let mut cancel =
            cancel_for(request).ok_or(SendError::WrongMessage("INVITE lacks headers"))?;
        edit(&mut cancel);
        let path = e.path;
        let remote = e.remote;
        if let Some(ClientTx::Invite(t)) = self.clients.get_mut(&invite).map(|e| &mut e.tx) {
            t.cancel_sent(now);
        }
        self.reschedule_client(invite);
        let reliable = !matches!(path, Path::Datagram { .. });
        let key = ClientKey::of_request(&cancel)
            .ok_or(SendError::WrongMessage("CANCEL lacks a branch"))?;
        let id = ClientTxId(self.next_client);
        self.next_client += 1;
        let tx = ClientTx::start(now, cancel.clone(), reliable, self.config.timers);
        self.insert_client(
            now,
            id,
            ClientEntry {
                tx,
                key,
                path,
                remote,
                original: cancel,
                remaining: VecDeque::new(),
                scheduled: None,
            },
        );
        Ok(id)
    }

    /// Sends a request outside any transaction (the ACK of a 2xx, RFC 3261
    /// §13.2.2.4), once, with a new Via.
    pub fn send_stateless(
        &mut self,
        now: Instant,
        request: Message,
        target: Target,
    ) -> Result<(), SendError> {
        let (transport, kind) = self.choose_transport(&request, target)?;
        let request = self.with_via(request, transport, kind);
        let path = self.path_to(now, transport, kind, target);
        self.send_on_path(now, path, Bytes::from(request.to_bytes()));
        Ok(())
    }

    /// Sends a response in a server transaction. A final response after a
    /// final response is ignored, except 2xx retransmissions of an INVITE's
    /// 2xx (the user's job, RFC 3261 §13.3.1.4).
    pub fn respond(
        &mut self,
        now: Instant,
        transaction: ServerTxId,
        response: &Message,
    ) -> Result<(), SendError> {
        if response.is_request() {
            return Err(SendError::WrongMessage("respond takes a response"));
        }
        let e = self
            .servers
            .get_mut(&transaction)
            .ok_or(SendError::UnknownTransaction)?;
        e.tx.send_response(now, response);
        self.drain_server(now, transaction);
        Ok(())
    }

    /// Creates the transaction for one target: Via, path, state machine.
    fn start_client(
        &mut self,
        now: Instant,
        request: &Message,
        target: Target,
    ) -> Result<(ClientTx, ClientKey, Path), SendError> {
        let (transport, kind) = self.choose_transport(request, target)?;
        let with_via = self.with_via(request.clone(), transport, kind);
        let key = ClientKey::of_request(&with_via)
            .ok_or(SendError::WrongMessage("request lacks a method"))?;
        let path = self.path_to(now, transport, kind, target);
        let tx = ClientTx::start(now, with_via, kind.is_reliable(), self.config.timers);
        Ok((tx, key, path))
    }

    /// The transport for a request to `target`: one of the target's kind and
    /// address family; a large request meant for UDP goes over TCP when one
    /// exists (RFC 3261 §18.1.1).
    fn choose_transport(
        &self,
        request: &Message,
        target: Target,
    ) -> Result<(TransportId, TransportKind), SendError> {
        let find = |kind: TransportKind| {
            self.transports
                .iter()
                .position(|t| {
                    t.enabled && t.kind == kind && t.local.is_ipv4() == target.addr.is_ipv4()
                })
                .map(|i| (TransportId(i as u32), kind))
        };
        let mut kind = target.kind;
        if kind == TransportKind::Udp {
            // Via and Content-Length grow the message by less than 100 bytes.
            let size = request.to_bytes().len() + 100;
            if size > self.config.udp_size_threshold && find(TransportKind::Tcp).is_some() {
                kind = TransportKind::Tcp;
            }
        }
        find(kind).ok_or(SendError::NoTransport(target.kind, target.addr))
    }

    /// `request` with our top Via: sent-by of the transport, a fresh branch
    /// with the magic cookie, and `rport` (RFC 3581 §3).
    fn with_via(
        &mut self,
        mut request: Message,
        transport: TransportId,
        kind: TransportKind,
    ) -> Message {
        let (host, port) = self.transports[transport.0 as usize].sent_by.clone();
        let branch = format!("z9hG4bK{}", self.rng.token(16));
        let host = Host::parse_str(&host)
            .map(Host::into_owned)
            .unwrap_or(Host::Name(host.into()));
        let mut via = Via::new(kind.via_name(), host, Some(port), &branch);
        via.params.push("rport", None);
        request.push_front(HeaderName::Via, via);
        request
    }

    /// How to reach `target` over a transport.
    fn path_to(
        &mut self,
        now: Instant,
        transport: TransportId,
        kind: TransportKind,
        target: Target,
    ) -> Path {
        if kind.is_stream() {
            Path::Stream {
                connection: self.connection_to(now, transport, target.addr),
            }
        } else {
            Path::Datagram {
                transport,
                destination: target.addr,
            }
        }
    }

    /// Sends on a path; `false` if the connection is gone.
    pub(super) fn send_on_path(&mut self, now: Instant, path: Path, payload: Bytes) -> bool {
        match path {
            Path::Datagram {
                transport,
                destination,
            } => {
                self.transmits.push_back(Transmit::Datagram {
                    transport,
                    destination,
                    payload,
                });
                true
            }
            Path::Stream { connection } => self.write(now, connection, payload),
            Path::Reconnect {
                transport,
                destination,
            } => {
                let connection = self.connection_to(now, transport, destination);
                self.write(now, connection, payload)
            }
        }
    }

    /// Routes a client transaction's outputs; fails over or ends it.
    pub(super) fn drain_client(&mut self, now: Instant, id: ClientTxId) {
        loop {
            let Some(e) = self.clients.get_mut(&id) else {
                return;
            };
            let Some(output) = e.tx.poll_output() else {
                break;
            };
            let path = e.path;
            match output {
                TxOutput::Send(bytes) => {
                    if !self.send_on_path(now, path, bytes) {
                        if let Some(e) = self.clients.get_mut(&id) {
                            e.tx.handle_transport_error();
                        }
                    }
                }
                TxOutput::Response(response) => {
                    let unavailable = response.status().is_some_and(|s| s.code() == 503);
                    if unavailable && !e.remaining.is_empty() {
                        // Fail over; the 503 stays with us.
                        self.fail_over(now, id);
                        return;
                    }
                    let remote = e.remote;
                    self.events.push_back(Event::Response {
                        transaction: id,
                        response,
                        remote,
                    });
                }
                TxOutput::AckReceived => {}
                TxOutput::Terminated(how) => {
                    if how != Termination::Completed && !e.remaining.is_empty() {
                        self.fail_over(now, id);
                        return;
                    }
                    if let Some(e) = self.clients.remove(&id) {
                        self.client_keys.remove(&e.key);
                    }
                    self.events.push_back(Event::ClientTransactionEnded {
                        transaction: id,
                        termination: how,
                    });
                    return;
                }
            }
        }
        self.reschedule_client(id);
    }

    /// Re-sends the original request to the next target in a new transaction
    /// under the same id.
    fn fail_over(&mut self, now: Instant, id: ClientTxId) {
        loop {
            let Some(e) = self.clients.get_mut(&id) else {
                return;
            };
            let Some(target) = e.remaining.pop_front() else {
                // Nothing left: end as a timeout-like failure.
                if let Some(e) = self.clients.remove(&id) {
                    self.client_keys.remove(&e.key);
                }
                self.events.push_back(Event::ClientTransactionEnded {
                    transaction: id,
                    termination: Termination::TransportError,
                });
                return;
            };
            let original = e.original.clone();
            let old_key = e.key.clone();
            match self.start_client(now, &original, target) {
                Ok((tx, key, path)) => {
                    self.client_keys.remove(&old_key);
                    self.client_keys.insert(key.clone(), id);
                    if let Some(e) = self.clients.get_mut(&id) {
                        e.tx = tx;
                        e.key = key;
                        e.path = path;
                        e.remote = target.addr;
                        e.scheduled = None;
                    }
                    self.drain_client(now, id);
                    return;
                }
                // No transport for that target: try the next.
                Err(_) => continue,
            }
        }
    }

    /// Routes a server transaction's outputs; removes it when it ends.
    pub(super) fn drain_server(&mut self, now: Instant, id: ServerTxId) {
        loop {
            let Some(e) = self.servers.get_mut(&id) else {
                return;
            };
            let Some(output) = e.tx.poll_output() else {
                break;
            };
            if let Path::Reconnect {
                transport,
                destination,
            } = e.reply
            {
                if matches!(output, TxOutput::Send(_)) {
                    let connection = self.connection_to(now, transport, destination);
                    if let Some(e) = self.servers.get_mut(&id) {
                        e.reply = Path::Stream { connection };
                    }
                }
            }
            let Some(reply) = self.servers.get(&id).map(|e| e.reply) else {
                return;
            };
            match output {
                TxOutput::Send(bytes) => {
                    if !self.send_on_path(now, reply, bytes) {
                        if let Some(e) = self.servers.get_mut(&id) {
                            e.tx.handle_transport_error();
                        }
                    }
                }
                TxOutput::Response(_) | TxOutput::AckReceived => {}
                TxOutput::Terminated(how) => {
                    if let Path::Stream { connection } = reply {
                        if self.is_connecting(connection) {
                            // Whether the response leaves is not known yet.
                            if let Some(e) = self.servers.get_mut(&id) {
                                e.pending_end = Some(how);
                            }
                            return;
                        }
                    }
                    self.end_server(id, how);
                    return;
                }
            }
        }
        self.reschedule_server(id);
    }

    /// Removes a server transaction and tells the user.
    pub(super) fn end_server(&mut self, id: ServerTxId, how: Termination) {
        if let Some(e) = self.servers.remove(&id) {
            self.server_keys.remove(&e.key);
            if let Some(m) = e.merge {
                if self.merged.get(&m) == Some(&id) {
                    self.merged.remove(&m);
                }
            }
        }
        self.events.push_back(Event::ServerTransactionEnded {
            transaction: id,
            termination: how,
        });
    }
}

/// The CANCEL of an INVITE as sent (with its Via), per RFC 3261 §9.1.
fn cancel_for(invite: &Message) -> Option<Message> {
    let uri = invite.request_uri()?;
    let mut b = Message::request(sip::Method::Cancel, &uri)
        .call_id(invite.raw_value(HeaderName::CallId)?)
        .cseq(invite.cseq()?.seq)
        .max_forwards(70)
        .raw_header(
            HeaderName::From.as_str(),
            invite.raw_value(HeaderName::From)?,
        )
        .raw_header(HeaderName::To.as_str(), invite.raw_value(HeaderName::To)?);
    for route in invite.raw_values(HeaderName::Route) {
        b = b.raw_header(HeaderName::Route.as_str(), route);
    }
    let mut cancel = b.build().ok()?;
    cancel.push_front(HeaderName::Via, invite.via()?);
    Some(cancel)
}
