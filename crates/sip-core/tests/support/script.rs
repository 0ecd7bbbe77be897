//! The scripted TU's reactions: to each stack event, and to its own timers
//! (the next step of a plan, a 2xx to send again, an INVITE to cancel, a
//! scheduled request to send).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use sip::Message;
use sip_core::stack::{ClientTxId, Event, ServerTxId};
use sip_core::transaction::Termination;

use super::tu::{Resend, ack_for_2xx, dialog_key, plan_of, response};
use super::{CancelWhen, ClientCall, Record, ServerCall, StackAgent, TuTimer};

impl StackAgent {
    /// Records an event and reacts to it as the script says.
    pub(super) fn on_event(&mut self, now: Instant, event: Event) {
        if self.record_events {
            self.log.push(Record {
                at: self.offset(now),
                event: event.clone(),
            });
        }
        match event {
            Event::Request {
                transaction: Some(id),
                request,
                ..
            } => self.on_request(now, id, request),
            Event::Request {
                transaction: None,
                request,
                ..
            } => self.on_ack(now, &request),
            Event::Cancelled { invite, .. } => self.on_cancelled(now, invite),
            Event::Response {
                transaction,
                response,
                ..
            } => self.on_response(now, transaction, &response),
            Event::StrayResponse { response, .. } => {
                self.stray_2xx += 1;
                let id = dialog_key(&response).and_then(|k| self.sent_requests.get(&k).copied());
                if let Some(id) = id {
                    self.ack(now, id, &response);
                }
            }
            Event::ClientTransactionEnded {
                transaction,
                termination,
            } => self.on_client_ended(now, transaction, termination),
            Event::ServerTransactionEnded {
                transaction,
                termination,
            } => self.on_server_ended(now, transaction, termination),
            other @ Event::LocationFailed { .. } => self
                .violations
                .push(format!("{}: unexpected {other:?}", self.name)),
        }
    }

    fn on_request(&mut self, now: Instant, id: ServerTxId, request: Message) {
        let method = request.method().map(|m| m.as_str().to_owned());
        let method = method.unwrap_or_default();
        let key = dialog_key(&request);
        if let Some((call_id, seq)) = key.clone() {
            if !self
                .seen_requests
                .insert((call_id.clone(), seq, method.clone()))
            {
                self.violations.push(format!(
                    "{}: {method} {call_id} {seq} reached the TU twice",
                    self.name
                ));
            }
        }
        if self.servers.contains_key(&id) {
            self.violations
                .push(format!("{}: server {id:?} reused", self.name));
        }
        if method == "INVITE" {
            if let Some(key) = key {
                self.invites.insert(key, id);
            }
        }
        let plan = plan_of(&request).unwrap_or_else(|| self.default_plan.clone());
        let pending: VecDeque<_> = plan.0.iter().map(|&(d, c)| (now + d, c)).collect();
        // Steps due now are sent below, without a timer.
        for &(at, _) in pending.iter().filter(|&&(at, _)| at > now) {
            self.arm(at, TuTimer::Answer(id));
        }
        self.servers.insert(
            id,
            ServerCall {
                method,
                request: Some(request),
                arrived: now,
                tag: format!("{}-s{}", self.name, id.0),
                pending,
                sent: Vec::new(),
                cancelled: false,
                acked_at: None,
                resend: None,
                ack_timed_out: false,
                ended: None,
                end_events: 0,
            },
        );
        self.answer_due(now, id);
    }

    /// Sends the steps of `id`'s plan that are due.
    fn answer_due(&mut self, now: Instant, id: ServerTxId) {
        loop {
            let Some(call) = self.servers.get_mut(&id) else {
                return;
            };
            if call.pending.front().is_none_or(|&(at, _)| at > now) {
                return;
            }
            let Some((_, code)) = call.pending.pop_front() else {
                return;
            };
            let Some(request) = call.request.as_ref() else {
                return;
            };
            let Some(message) = response(request, code, &call.tag, self.addr) else {
                continue;
            };
            let invite_2xx = call.method == "INVITE" && (200..300).contains(&code);
            let t1 = self.stack.config().timers.t1;
            match self.stack.respond(now, id, &message) {
                Ok(()) => {
                    call.sent.push((now, code));
                    if invite_2xx && call.resend.is_none() && call.acked_at.is_none() {
                        call.resend = Some(Resend {
                            response: message,
                            interval: t1,
                            next: now + t1,
                            until: now + 64 * t1,
                        });
                        self.arm(now + t1, TuTimer::Resend2xx(id));
                    }
                }
                Err(_) => self.refused_commands += 1,
            }
        }
    }

    /// The UAS core's 2xx retransmission.
    fn resend_2xx(&mut self, now: Instant, id: ServerTxId) {
        let t2 = self.stack.config().timers.t2;
        let Some(call) = self.servers.get_mut(&id) else {
            return;
        };
        let Some(resend) = call.resend.as_mut() else {
            return;
        };
        if resend.next > now {
            return;
        }
        if now >= resend.until {
            call.resend = None;
            call.ack_timed_out = true;
            return;
        }
        match self.stack.respond(now, id, &resend.response) {
            Ok(()) => {
                let code = resend.response.status().map_or(0, |s| s.code());
                resend.interval = (resend.interval * 2).min(t2);
                resend.next = (now + resend.interval).min(resend.until);
                let next = resend.next;
                call.sent.push((now, code));
                self.arm(next, TuTimer::Resend2xx(id));
            }
            Err(_) => {
                call.resend = None;
                self.refused_commands += 1;
            }
        }
    }

    fn on_ack(&mut self, now: Instant, ack: &Message) {
        if ack.method().is_none_or(|m| m.as_str() != "ACK") {
            self.violations.push(format!(
                "{}: a request other than ACK came without a transaction",
                self.name
            ));
            return;
        }
        self.acks_received += 1;
        let id = dialog_key(ack).and_then(|k| self.invites.get(&k).copied());
        if let Some(call) = id.and_then(|id| self.servers.get_mut(&id)) {
            if call.acked_at.is_none() {
                call.acked_at = Some(now);
            }
            call.resend = None;
        }
    }

    fn on_cancelled(&mut self, now: Instant, invite: ServerTxId) {
        let delay = self.cancel_answer_delay;
        let Some(call) = self.servers.get_mut(&invite) else {
            self.violations
                .push(format!("{}: Cancelled for unknown {invite:?}", self.name));
            return;
        };
        if call.ended.is_some() {
            self.violations.push(format!(
                "{}: Cancelled for {invite:?} after it ended",
                self.name
            ));
        }
        call.cancelled = true;
        call.pending.clear();
        call.pending.push_back((now + delay, 487));
        if delay > Duration::ZERO {
            self.arm(now + delay, TuTimer::Answer(invite));
        }
        self.answer_due(now, invite);
    }

    fn on_response(&mut self, now: Instant, id: ClientTxId, response: &Message) {
        let code = response.status().map_or(0, |s| s.code());
        let Some(call) = self.clients.get_mut(&id) else {
            self.violations
                .push(format!("{}: response for unknown {id:?}", self.name));
            return;
        };
        if call.ended.is_some() {
            self.violations
                .push(format!("{}: {code} for {id:?} after it ended", self.name));
        }
        call.responses.push((now, code));
        if call.method != "INVITE" {
            return;
        }
        if (200..300).contains(&code) {
            self.ack(now, id, response);
        } else if code < 200 {
            let cancel = matches!(call.cancel, Some(CancelWhen::Provisional(min)) if code >= min);
            if cancel && call.cancel_tx.is_none() {
                self.cancel(now, id);
            }
        }
    }

    /// ACKs a 2xx to the INVITE of client transaction `id`.
    fn ack(&mut self, now: Instant, id: ClientTxId, response: &Message) {
        let Some(call) = self.clients.get_mut(&id) else {
            return;
        };
        let Some(ack) = ack_for_2xx(&call.request, response) else {
            self.violations
                .push(format!("{}: cannot build the ACK for {id:?}", self.name));
            return;
        };
        call.acks_sent += 1;
        let target = call.target;
        if self.stack.send_stateless(now, ack, target).is_err() {
            self.refused_commands += 1;
        }
    }

    fn cancel(&mut self, now: Instant, invite: ClientTxId) {
        match self.stack.cancel(now, invite) {
            Ok(id) => {
                let branch = self.branch_of(id);
                let Some(call) = self.clients.get_mut(&invite) else {
                    return;
                };
                call.cancel_tx = Some(id);
                let target = call.target;
                let request = match self.stack.client_request(id) {
                    Some(cancel) => cancel.clone(),
                    None => call.request.clone(),
                };
                self.clients.insert(
                    id,
                    ClientCall {
                        method: "CANCEL".to_owned(),
                        request,
                        target,
                        sent_at: now,
                        responses: Vec::new(),
                        ended: None,
                        end_events: 0,
                        acks_sent: 0,
                        cancel: None,
                        cancel_tx: None,
                        plan: None,
                        branch,
                    },
                );
            }
            Err(_) => self.refused_commands += 1,
        }
    }

    fn on_client_ended(&mut self, now: Instant, id: ClientTxId, termination: Termination) {
        let Some(call) = self.clients.get_mut(&id) else {
            self.violations
                .push(format!("{}: unknown client {id:?} ended", self.name));
            return;
        };
        call.end_events += 1;
        if call.ended.is_some() {
            self.violations
                .push(format!("{}: client {id:?} ended twice", self.name));
        } else {
            call.ended = Some((now, termination));
        }
    }

    fn on_server_ended(&mut self, now: Instant, id: ServerTxId, termination: Termination) {
        // Transactions the stack answered by itself (501, 481, the 200 of a
        // CANCEL) end without the TU having heard of them.
        let call = self.servers.entry(id).or_insert_with(|| ServerCall {
            method: String::new(),
            request: None,
            arrived: now,
            tag: String::new(),
            pending: VecDeque::new(),
            sent: Vec::new(),
            cancelled: false,
            acked_at: None,
            resend: None,
            ack_timed_out: false,
            ended: None,
            end_events: 0,
        });
        call.end_events += 1;
        if call.ended.is_some() {
            self.violations
                .push(format!("{}: server {id:?} ended twice", self.name));
        } else {
            call.ended = Some((now, termination));
        }
        call.pending.clear();
        // Still retransmitting the 2xx: the ACK never came (Timer L, 64·T1,
        // ends the transaction as the TU's own 64·T1 runs out).
        if call.resend.take().is_some() {
            call.ack_timed_out = true;
        }
    }

    /// One of the TU's own timers is due.
    pub(super) fn fire(&mut self, now: Instant, timer: TuTimer) {
        match timer {
            TuTimer::Answer(id) => self.answer_due(now, id),
            TuTimer::Resend2xx(id) => self.resend_2xx(now, id),
            TuTimer::Cancel(id) => {
                let alive = self
                    .clients
                    .get(&id)
                    .is_some_and(|c| c.ended.is_none() && c.cancel_tx.is_none());
                if alive {
                    self.cancel(now, id);
                }
            }
            TuTimer::Send(index) => {
                if let Some(spec) = self.scheduled.get_mut(index).and_then(Option::take) {
                    if self.send(now, spec).is_err() {
                        self.refused_commands += 1;
                    }
                }
            }
        }
    }
}
