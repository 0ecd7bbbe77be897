//! What arrives: datagrams and framed stream messages, parsed, checked,
//! their top Via completed (RFC 3261 §18.2.1, RFC 3581), matched to
//! transactions (§17.1.3, §17.2.3) or given new ones, or refused.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use sip::header::{HeaderName, Via};
use sip::uri::Host;
use sip::{Message, ParseError, StatusCode};

use super::tx::ServerTx;
use super::uas::{self, Rejection};
use super::{Event, Path, ServerEntry, ServerTxId, Source, Stack};
use crate::transaction::{ClientKey, ServerKey};
use crate::transport::TransportId;

impl Stack {
    /// A datagram arrived on a UDP transport.
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        transport: TransportId,
        remote: SocketAddr,
        data: &[u8],
    ) {
        let Some(entry) = self.transports.get(transport.0 as usize) else {
            return;
        };
        let source = Source {
            transport,
            kind: entry.kind,
            remote,
            connection: None,
        };
        // A datagram of only line breaks is a keep-alive (RFC 5626 §3.5.1).
        if data.iter().all(|b| matches!(b, b'\r' | b'\n')) {
            self.stats.keep_alives += 1;
            return;
        }
        match Message::parse_lazy(data, &self.config.limits) {
            Ok(message) => match message.validate() {
                Ok(()) => self.handle_message(now, message, source),
                Err(error) => self.handle_invalid(now, error, Some(message), source),
            },
            Err(error) => self.handle_invalid(now, error, None, source),
        }
    }

    /// A message that did not parse or validate: a request that can still be
    /// answered gets the status its error calls for (400 naming the header,
    /// 505, 513); anything else is dropped and counted.
    pub(super) fn handle_invalid(
        &mut self,
        now: Instant,
        error: ParseError,
        message: Option<Message>,
        source: Source,
    ) {
        // A response copies Via, From, To, Call-ID and CSeq as written; only
        // the top Via must make sense, to know where the response goes.
        let answerable = message.filter(|m| {
            m.is_request()
                && m.method().is_some_and(|m| m.as_str() != "ACK")
                && m.via().is_some()
                && [
                    HeaderName::From,
                    HeaderName::To,
                    HeaderName::CallId,
                    HeaderName::CSeq,
                ]
                .into_iter()
                .all(|h| m.raw_value(h).is_some())
        });
        let Some(request) = answerable else {
            self.stats.malformed_dropped += 1;
            return;
        };
        let status = StatusCode::new(error.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
        let rejection = Rejection::new(status, error.reason_phrase());
        self.stats.rejected += 1;
        let reply = self.reply_path(now, &request, source);
        let tag = self.rng.token(10);
        if let Some(response) = rejection.response_to(&request, &tag) {
            self.send_on_path(now, reply, response.to_bytes().into());
        }
    }

    /// A message that parsed and validated.
    pub(super) fn handle_message(&mut self, now: Instant, message: Message, source: Source) {
        if message.is_request() {
            self.stats.requests += 1;
            self.handle_request(now, message, source);
        } else {
            self.stats.responses += 1;
            self.handle_response(now, message, source);
        }
    }

    fn handle_response(&mut self, now: Instant, response: Message, source: Source) {
        let id = ClientKey::of_response(&response).and_then(|k| self.client_keys.get(&k).copied());
        match id {
            Some(id) => {
                if let Some(e) = self.clients.get_mut(&id) {
                    e.tx.handle_response(now, response);
                }
                self.drain_client(now, id);
            }
            None => {
                let invite_2xx = response.status().is_some_and(|s| s.is_success())
                    && response
                        .cseq()
                        .is_some_and(|c| c.method.as_str() == "INVITE");
                if invite_2xx {
                    self.events
                        .push_back(Event::StrayResponse { response, source });
                } else {
                    self.stats.stray_responses += 1;
                }
            }
        }
    }

    fn handle_request(&mut self, now: Instant, mut request: Message, source: Source) {
        complete_top_via(&mut request, source.remote);
        let Some(key) = ServerKey::of_request(&request) else {
            self.stats.malformed_dropped += 1;
            return;
        };
        let is_ack = request.method().is_some_and(|m| m.as_str() == "ACK");
        if let Some(&id) = self.server_keys.get(&key) {
            self.stats.retransmissions += u64::from(!is_ack);
            let Some(e) = self.servers.get_mut(&id) else {
                return;
            };
            if is_ack {
                match &mut e.tx {
                    ServerTx::Invite(t)
                        if t.state() == crate::transaction::ServerInviteState::Completed =>
                    {
                        t.handle_ack(now);
                    }
                    ServerTx::Invite(t)
                        if t.state() == crate::transaction::ServerInviteState::Confirmed => {}
                    // An ACK in Accepted (an RFC 2543 peer reusing the branch) is
                    // the 2xx's ACK: for the user.
                    _ => self.events.push_back(Event::Request {
                        transaction: None,
                        request,
                        source,
                    }),
                }
            } else {
                e.tx.handle_retransmission();
            }
            self.drain_server(now, id);
            return;
        }
        if is_ack {
            // The ACK of a 2xx: a transaction of its own, for the user.
            self.events.push_back(Event::Request {
                transaction: None,
                request,
                source,
            });
            return;
        }
        let reply = self.reply_path(now, &request, source);
        let merge = uas::merge_key(&request);
        // §8.2.2.2: the same request arriving again by another path.
        let merged = merge
            .as_ref()
            .and_then(|m| self.merged.get(m))
            .is_some_and(|other| self.servers.contains_key(other));
        let rejection = if merged {
            Some(Rejection::new(StatusCode::LOOP_DETECTED, "Loop Detected"))
        } else {
            uas::check_request(&request, &self.config.policy).err()
        };
        let is_cancel = request.method().is_some_and(|m| m.as_str() == "CANCEL");
        let invite = if is_cancel {
            ServerKey::invite_for_cancel(&request).and_then(|k| self.server_keys.get(&k).copied())
        } else {
            None
        };
        let cancel_copy = is_cancel.then(|| request.clone());
        let reliable = source.kind.is_reliable();
        let tx = ServerTx::start(now, request, reliable, self.config.timers);
        let id = ServerTxId(self.next_server);
        self.next_server += 1;
        self.server_keys.insert(key.clone(), id);
        if !merged {
            if let Some(m) = &merge {
                self.merged.insert(m.clone(), id);
            }
        }
        self.servers.insert(
            id,
            Box::new(ServerEntry {
                tx,
                key,
                reply,
                merge: if merged { None } else { merge },
                scheduled: None,
                pending_end: None,
            }),
        );
        if let Some(rejection) = rejection {
            self.stats.rejected += 1;
            self.respond_with(now, id, &rejection);
        } else if let Some(cancel) = cancel_copy {
            self.handle_cancel(now, id, invite, cancel);
        } else if let Some(e) = self.servers.get(&id) {
            let request = e.tx.request().clone();
            self.events.push_back(Event::Request {
                transaction: Some(id),
                request,
                source,
            });
        }
        self.drain_server(now, id);
    }

    /// RFC 3261 §9.2: 481 if no INVITE matches; else 200, and the user is told
    /// unless the INVITE was already answered.
    fn handle_cancel(
        &mut self,
        now: Instant,
        cancel_tx: ServerTxId,
        invite: Option<ServerTxId>,
        cancel: Message,
    ) {
        let Some(invite) = invite.filter(|i| self.servers.contains_key(i)) else {
            self.stats.rejected += 1;
            let rejection = Rejection::new(
                StatusCode::CALL_OR_TRANSACTION_DOES_NOT_EXIST,
                "Call/Transaction Does Not Exist",
            );
            self.respond_with(now, cancel_tx, &rejection);
            return;
        };
        let ok = Rejection::new(StatusCode::OK, "OK");
        self.respond_with(now, cancel_tx, &ok);
        let answered = self
            .servers
            .get(&invite)
            .is_some_and(|e| e.tx.has_final_response());
        if !answered {
            self.events.push_back(Event::Cancelled { invite, cancel });
        }
    }

    /// Answers a server transaction with a stock response.
    fn respond_with(&mut self, now: Instant, id: ServerTxId, rejection: &Rejection) {
        let tag = self.rng.token(10);
        let Some(e) = self.servers.get_mut(&id) else {
            return;
        };
        if let Some(response) = rejection.response_to(e.tx.request(), &tag) {
            e.tx.send_response(now, &response);
        }
    }

    /// Where responses to `request` go (RFC 3261 §18.2.2, RFC 3581 §4).
    pub(super) fn reply_path(&mut self, now: Instant, request: &Message, source: Source) -> Path {
        if let Some(connection) = source.connection {
            if self.connections.contains_key(&connection) {
                return Path::Stream { connection };
            }
        }
        let via = request.via();
        let default_port = source.kind.default_port();
        let sent_by_port = via.as_ref().and_then(|v| v.port).unwrap_or(default_port);
        let destination = match via.as_ref() {
            Some(v) if v.maddr().and_then(|m| m.parse::<IpAddr>().ok()).is_some() => {
                let ip = v.maddr().and_then(|m| m.parse::<IpAddr>().ok());
                SocketAddr::new(ip.unwrap_or(source.remote.ip()), sent_by_port)
            }
            Some(v) if matches!(v.rport(), Some(Some(_))) => source.remote,
            _ => SocketAddr::new(source.remote.ip(), sent_by_port),
        };
        if source.kind.is_stream() {
            // The request's connection is gone: a new one to the received
            // address and the sent-by port, opened when the response is ready.
            let _ = now;
            Path::Reconnect {
                transport: source.transport,
                destination: SocketAddr::new(source.remote.ip(), sent_by_port),
            }
        } else {
            Path::Datagram {
                transport: source.transport,
                destination,
            }
        }
    }
}

/// RFC 3261 §18.2.1 and RFC 3581 §4: `received` when sent-by is a name or
/// another address than the packet's source, and `rport` filled in when the
/// client asked for it (which also makes `received` mandatory).
fn complete_top_via(request: &mut Message, source: SocketAddr) {
    let Some(via) = request.via() else {
        return;
    };
    let wants_rport = matches!(via.rport(), Some(None));
    let differs = match &via.host {
        Host::Name(_) => true,
        host => host.ip() != Some(source.ip()),
    };
    if !differs && !wants_rport {
        return;
    }
    let mut via: Via<'static> = via.into_owned();
    if differs || wants_rport {
        via.params.set("received", Some(&source.ip().to_string()));
    }
    if wants_rport {
        via.params.set("rport", Some(&source.port().to_string()));
    }
    request.remove_first_value(HeaderName::Via);
    request.push_front(HeaderName::Via, via);
}
