//! Requests sent to a URI rather than to an address: the stack locates the
//! next hop with RFC 3263 ([`Locator`]), asking the runtime DNS questions as
//! [`Transmit::Resolve`] and taking the answers in [`Stack::handle_resolved`],
//! then sends with failover over the targets found.

use std::time::Instant;

use sip::Message;
use sip::header::Route;

use super::{ClientTxId, Event, SendError, Stack, Transmit};
use crate::locate::{Answer, LocateError, Locator, ResolveError, next_hop};
use crate::transaction::Termination;
use crate::transport::TransportKind;

/// A DNS question the stack asks of the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResolveId(pub u64);

/// A request waiting for its next hop to be located.
#[derive(Debug)]
pub(super) struct Locating {
    locator: Locator,
    request: Message,
    /// Sent once with no transaction (an ACK of a 2xx), not with one.
    stateless: bool,
}

impl Stack {
    /// Sends a request to where its next hop resolves (RFC 3263): the first
    /// Route if it is a loose router, else the Request-URI. Numeric hosts go
    /// out at once; names cost DNS questions ([`Transmit::Resolve`]) first.
    /// The id is valid from now on; if location fails, the user gets
    /// [`Event::LocationFailed`] and then [`Event::ClientTransactionEnded`]
    /// with a transport error.
    pub fn send_request_located(
        &mut self,
        now: Instant,
        request: Message,
    ) -> Result<ClientTxId, SendError> {
        self.locate(now, request, false)
    }

    /// Sends a request outside any transaction (the ACK of a 2xx, RFC 3261
    /// §13.2.2.4) to where its next hop resolves, as
    /// [`Stack::send_request_located`] does for requests with a
    /// transaction: once, to the first target found. If the next hop cannot
    /// be located the request is dropped (and counted in
    /// [`super::Stats::unlocated_stateless`]); a user agent sends the
    /// ACK again when the 2xx is retransmitted.
    pub fn send_stateless_located(
        &mut self,
        now: Instant,
        request: Message,
    ) -> Result<(), SendError> {
        self.locate(now, request, true).map(drop)
    }

    fn locate(
        &mut self,
        now: Instant,
        request: Message,
        stateless: bool,
    ) -> Result<ClientTxId, SendError> {
        if !request.is_request() {
            return Err(SendError::WrongMessage(
                "send_request_located takes a request",
            ));
        }
        let uri = request
            .request_uri()
            .ok_or(SendError::WrongMessage("request has no valid Request-URI"))?;
        let first_route = request
            .typed::<Route<'_>>()
            .and_then(Result::ok)
            .map(|r| r.0.uri);
        let hop = next_hop(&uri, first_route.as_ref());
        let supported = self.supported_kinds();
        let id = ClientTxId(self.next_client);
        self.next_client += 1;
        match Locator::new(hop, &supported, &mut self.rng) {
            Ok(locator) => {
                self.locating.insert(
                    id,
                    Locating {
                        locator,
                        request,
                        stateless,
                    },
                );
                self.advance_location(now, id);
            }
            Err(error) => self.location_failed(id, error, stateless),
        }
        Ok(id)
    }

    /// The answer to a DNS question.
    pub fn handle_resolved(
        &mut self,
        now: Instant,
        id: ResolveId,
        answer: Result<Answer, ResolveError>,
    ) {
        let Some((tx, query)) = self.resolving.remove(&id) else {
            return;
        };
        if let Some(l) = self.locating.get_mut(&tx) {
            l.locator.handle_answer(query, answer);
            self.advance_location(now, tx);
        }
    }

    /// The transport kinds with a transport, in RFC 3263's default preference.
    fn supported_kinds(&self) -> Vec<TransportKind> {
        [TransportKind::Udp, TransportKind::Tcp, TransportKind::Tls]
            .into_iter()
            .filter(|k| self.transports.iter().any(|t| t.enabled && t.kind == *k))
            .collect()
    }

    /// Asks the locator's questions; sends once it has an outcome.
    fn advance_location(&mut self, now: Instant, tx: ClientTxId) {
        let Some(l) = self.locating.get_mut(&tx) else {
            return;
        };
        while let Some((query_id, query)) = l.locator.poll_query() {
            let id = ResolveId(self.next_resolve);
            self.next_resolve += 1;
            self.resolving.insert(id, (tx, query_id));
            self.transmits.push_back(Transmit::Resolve { id, query });
        }
        let Some(outcome) = l.locator.poll_outcome() else {
            return;
        };
        let Some(Locating {
            request, stateless, ..
        }) = self.locating.remove(&tx)
        else {
            return;
        };
        self.resolving.retain(|_, (t, _)| *t != tx);
        match outcome {
            Ok(targets) if stateless => {
                let sent = targets
                    .into_vec()
                    .into_iter()
                    .any(|target| self.send_stateless(now, request.clone(), target).is_ok());
                if !sent {
                    self.location_failed(tx, LocateError::NoTransport, true);
                }
            }
            Ok(targets) => {
                if self
                    .start_with_failover(now, tx, request, targets.into_vec())
                    .is_err()
                {
                    // None of the targets has a transport of ours.
                    self.location_failed(tx, LocateError::NoTransport, false);
                }
            }
            Err(error) => self.location_failed(tx, error, stateless),
        }
    }

    fn location_failed(&mut self, tx: ClientTxId, error: LocateError, stateless: bool) {
        if stateless {
            let _ = error;
            self.stats.unlocated_stateless += 1;
            return;
        }
        self.events.push_back(Event::LocationFailed {
            transaction: tx,
            error,
        });
        self.events.push_back(Event::ClientTransactionEnded {
            transaction: tx,
            termination: Termination::TransportError,
        });
    }

    /// Whether a DNS question is still outstanding for `tx`.
    pub fn is_locating(&self, tx: ClientTxId) -> bool {
        self.locating.contains_key(&tx)
    }
}
