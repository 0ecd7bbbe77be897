//! The user agent's calls, common to both sides: hanging up, what a call
//! reports, and the routing of what the stack reports to the call it
//! concerns (the caller's side is `outgoing.rs`, the callee's
//! `incoming.rs`).

use std::time::{Duration, Instant};

use sdp::SessionDescription;
use sdp::neg::NegotiationError;
use sip::{Message, Method, StatusCode};
use sip_core::dialog::{DialogId, DialogSetId};
use sip_core::stack::{ClientTxId, ServerTxId};
use sip_core::transaction::Termination;

use super::challenge::SentRequest;
use super::options::TxOptions;
use super::session::{Call, CallId, CallRole, CallState, CallStatus};
use super::timer::SessionTimer;
use super::tsx::StateCause;
use crate::user_agent::{UaEvent, UserAgent};

/// The content type of SDP bodies.
pub(crate) const SDP: &str = "application/sdp";
/// RFC 3261's T1 and T2, for the 2xx retransmissions.
pub(crate) const T1: Duration = Duration::from_millis(500);
const T2: Duration = Duration::from_secs(4);

/// Why a call command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// No such call (never was, or released).
    #[error("no such call")]
    NotFound,
    /// No such account.
    #[error("no such account")]
    NoAccount,
    /// The destination is not a valid SIP URI.
    #[error("invalid destination URI {0:?}")]
    InvalidUri(String),
    /// An account setting made the request impossible to build.
    #[error("cannot build the request: {0}")]
    Build(String),
    /// The command does not fit the call's state (answering an outgoing
    /// call, answering twice, …).
    #[error("{0} is not possible in state {1:?}")]
    InvalidState(&'static str, CallState),
    /// A status code out of range for the command.
    #[error("status code {0} cannot be used here")]
    InvalidCode(u16),
    /// The SDP offer/answer failed.
    #[error(transparent)]
    Sdp(#[from] NegotiationError),
}

pub(crate) fn reason_of(response: &Message) -> String {
    response
        .reason()
        .map(str::to_owned)
        .or_else(|| response.status().map(|s| s.canonical_reason().to_owned()))
        .unwrap_or_default()
}

pub(crate) fn sdp_of(message: &Message) -> Option<Result<SessionDescription, NegotiationError>> {
    if message.body().is_empty() {
        return None;
    }
    let is_sdp = message
        .content_type()
        .is_none_or(|c| c.to_string().to_ascii_lowercase().starts_with(SDP));
    if !is_sdp {
        return None;
    }
    Some(
        SessionDescription::parse(message.body())
            .map_err(|e| NegotiationError::MalformedOffer(e.to_string())),
    )
}

/// A session id for SDP's o= line from the user agent's randomness.
pub(crate) fn session_id(ua: &mut UserAgent) -> u64 {
    ua.rng_u64() >> 12
}

impl UserAgent {
    /// Ends a call in whatever state it is (PJSUA2's `hangup`): an
    /// unanswered incoming call gets `code` (603 Decline when 0), an
    /// outgoing one is CANCELled (once a provisional response came: until
    /// then the CANCEL waits), an answered one gets a BYE and is
    /// DISCONNECTED at once (as PJSUA2 reports it; the BYE goes on, see
    /// [`UserAgent::pending_byes`]).
    pub fn hangup(&mut self, now: Instant, call: CallId, code: u16) -> Result<(), CallError> {
        self.hangup_with(now, call, code, None, &TxOptions::default())
    }

    /// [`UserAgent::hangup`] with the reason phrase of the final response
    /// to an incoming call (PJSUA2's `CallOpParam.reason`) and extra
    /// headers (and a body) in that response or the BYE, the headers in
    /// the CANCEL (`CallOpParam.txOption`).
    pub fn hangup_with(
        &mut self,
        now: Instant,
        call: CallId,
        code: u16,
        reason: Option<&str>,
        opts: &TxOptions,
    ) -> Result<(), CallError> {
        let result = self.hangup_now(now, call, code, reason, opts);
        self.flush_tsx(call);
        result
    }

    fn hangup_now(
        &mut self,
        now: Instant,
        call: CallId,
        code: u16,
        reason: Option<&str>,
        opts: &TxOptions,
    ) -> Result<(), CallError> {
        let c = self.calls.get(call).ok_or(CallError::NotFound)?;
        match (c.role, c.state) {
            (_, CallState::Disconnected) => Ok(()),
            (CallRole::Callee, CallState::Incoming | CallState::Early) => {
                let code = if code == 0 { 603 } else { code };
                let status = StatusCode::new(code)
                    .filter(|s| s.code() >= 300)
                    .ok_or(CallError::InvalidCode(code))?;
                self.reject(now, call, status, reason, opts)
            }
            (CallRole::Caller, CallState::Null | CallState::Calling | CallState::Early) => {
                if self.drop_held_invite(now, call) {
                    return Ok(());
                }
                if let Some(c) = self.calls.get_mut(call) {
                    c.cancel_headers.clone_from(&opts.headers);
                }
                self.cancel_invite(now, call);
                Ok(())
            }
            _ => {
                // As PJSUA: DISCONNECTED at once (PJSIP_EVENT_USER); the
                // BYE goes on (answered with credentials if challenged,
                // see `challenge.rs`) whether or not the call is released.
                self.send_bye_with(now, call, opts);
                self.set_call_state(now, call, CallState::Disconnected);
                Ok(())
            }
        }
    }

    /// BYEs in flight whose calls are over (for an orderly shutdown: wait
    /// for them too).
    pub fn pending_byes(&self) -> usize {
        let held: usize = self
            .calls
            .ids()
            .filter(|&c| {
                self.calls
                    .get(c)
                    .is_some_and(|c| c.state == CallState::Disconnected)
            })
            .map(|c| self.calls.pending_byes_of(c).len())
            .sum();
        held + self.calls.orphans.len()
    }

    pub(crate) fn send_bye(&mut self, now: Instant, call: CallId) {
        self.send_bye_with(now, call, &TxOptions::default());
    }

    pub(crate) fn send_bye_with(&mut self, now: Instant, call: CallId, opts: &TxOptions) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        let Some(dialog) = c.dialog.as_mut() else {
            return;
        };
        let bye = dialog
            .bye()
            .map_err(|e| e.to_string())
            .and_then(|b| b.build().map_err(|e| e.to_string()))
            .map(|mut bye| {
                opts.apply(&mut bye);
                bye
            });
        match bye {
            Ok(bye) => match self.send_call_request(now, call, bye) {
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "BYE not sent");
                    self.set_call_state(now, call, CallState::Disconnected);
                }
            },
            Err(e) => {
                tracing::debug!(error = %e, "BYE not built");
                self.set_call_state(now, call, CallState::Disconnected);
            }
        }
    }

    /// The INVITE that made a call (sent or received), for PJSUA2's
    /// `rdata` of `onIncomingCall` and the like.
    pub fn call_invite(&self, call: CallId) -> Option<&Message> {
        self.calls.get(call).map(|c| &c.invite)
    }

    /// Where an incoming call's INVITE came from (PJSUA2's
    /// `rdata.srcAddress`); None for an outgoing call.
    pub fn call_invite_source(&self, call: CallId) -> Option<std::net::SocketAddr> {
        self.calls.get(call).and_then(|c| c.invite_from)
    }

    /// Limits the calls held at once (PJSUA2's `uaConfig.maxCalls`): an
    /// INVITE beyond it is refused 486 at once, before any 100 Trying and
    /// without making a call. `None`: no limit.
    pub fn set_max_calls(&mut self, max: Option<usize>) {
        self.calls.max_calls = max;
    }

    /// What the user agent knows of a call.
    pub fn call_status(&self, call: CallId) -> Option<CallStatus> {
        self.calls.get(call).map(Call::status)
    }

    /// The calls held (until released).
    pub fn calls(&self) -> impl Iterator<Item = CallId> + '_ {
        self.calls.ids()
    }

    /// Forgets a disconnected call (after its last event was delivered).
    /// A call not yet disconnected is hung up first.
    pub fn release_call(&mut self, now: Instant, call: CallId) {
        if self
            .calls
            .get(call)
            .is_some_and(|c| c.state != CallState::Disconnected)
        {
            let _ = self.hangup(now, call, 0);
            return;
        }
        self.calls.remove(call);
    }

    pub(crate) fn set_call_state(&mut self, now: Instant, call: CallId, state: CallState) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        if c.state == state {
            return;
        }
        c.state = state;
        let (code, reason) = (c.last_code, c.last_reason.clone());
        let cause = c.cause.clone().unwrap_or(StateCause::User);
        if state == CallState::Disconnected {
            c.disconnected_at = Some(now);
            c.retransmission = None;
            if let Some(d) = c.dialog.as_mut() {
                d.terminate();
            }
            self.calls.unlink(call);
        }
        self.push_event(UaEvent::CallState {
            call,
            state,
            code,
            reason,
            cause,
        });
    }

    /// A request within a dialog (or an ACK): true if a call took it.
    /// The request's transaction is reported at once (TRYING), its
    /// response after what the request did.
    pub(crate) fn call_on_request(
        &mut self,
        now: Instant,
        tx: Option<ServerTxId>,
        request: &Message,
    ) -> bool {
        let Some(dialog_id) = DialogId::of_received_request(request) else {
            return false;
        };
        let call = match self.calls.by_dialog.get(&dialog_id) {
            Some(&call) => call,
            // An UPDATE in one of a caller's early dialogs (RFC 3311): found
            // by its dialog set.
            None if request.method() == Some(Method::Update) => {
                let early = DialogSetId::new(dialog_id.call_id(), dialog_id.local_tag())
                    .and_then(|set| self.calls.by_set.get(&set).copied())
                    .filter(|&c| {
                        self.calls.get(c).is_some_and(|c| {
                            c.dialog.is_none()
                                && c.dialog_set
                                    .as_ref()
                                    .is_some_and(|s| s.dialog(dialog_id.remote_tag()).is_some())
                        })
                    });
                let Some(call) = early else {
                    return false;
                };
                call
            }
            None => return false,
        };
        if let Some(tx) = tx {
            self.uas_started(call, tx, request);
        }
        let taken = self.call_on_dialog_request(now, call, tx, request);
        self.flush_tsx(call);
        taken
    }

    fn call_on_dialog_request(
        &mut self,
        now: Instant,
        call: CallId,
        tx: Option<ServerTxId>,
        request: &Message,
    ) -> bool {
        let method = request.method();
        match (method, tx) {
            (Some(Method::Ack), None) => {
                self.call_on_ack(now, call, request);
                true
            }
            (Some(Method::Bye), Some(tx)) => {
                let Some(c) = self.calls.get_mut(call) else {
                    return false;
                };
                let Some(dialog) = c.dialog.as_mut() else {
                    return false;
                };
                let code = match dialog.handle_request(request) {
                    Ok(_) => StatusCode::OK,
                    Err(e) => e.status().unwrap_or(StatusCode::BAD_REQUEST),
                };
                let response = dialog.response_to(request, code).build();
                if code == StatusCode::OK {
                    c.last_code = 200;
                    c.last_reason = "Normal call clearing".to_owned();
                }
                if let Ok(r) = response {
                    self.respond_in_call(now, call, tx, &r);
                }
                if code == StatusCode::OK {
                    // PJSUA2 reports the BYE's transaction before the end.
                    self.flush_reports();
                    self.set_call_state(now, call, CallState::Disconnected);
                }
                true
            }
            (Some(Method::Invite | Method::Update), Some(tx)) => {
                self.call_on_reoffer(now, call, tx, request);
                true
            }
            (Some(Method::Prack), Some(tx)) => {
                self.call_on_prack(now, call, tx, request);
                true
            }
            (Some(Method::Refer), Some(tx)) => {
                self.call_on_refer(now, call, tx, request);
                true
            }
            (Some(Method::Notify), Some(tx)) => {
                self.call_on_notify(now, call, tx, request);
                true
            }
            (Some(Method::Info | Method::Message | Method::Options), Some(tx)) => {
                self.call_on_other_request(now, call, tx, request);
                true
            }
            (_, Some(tx)) => {
                // Other mid-call requests come next; until then, refuse.
                let Some(c) = self.calls.get_mut(call) else {
                    return false;
                };
                let response = match &c.dialog {
                    Some(d) => d.response_to(request, StatusCode::NOT_IMPLEMENTED).build(),
                    None => Message::response_to(request, StatusCode::NOT_IMPLEMENTED).build(),
                };
                if let Ok(r) = response {
                    self.respond_in_call(now, call, tx, &r);
                }
                true
            }
            _ => true,
        }
    }

    /// A response to one of a call's requests: true if a call took it.
    /// The transaction's change is the cause of the state changes the
    /// response makes, and is reported after them.
    pub(crate) fn call_on_response(
        &mut self,
        now: Instant,
        tx: ClientTxId,
        response: &Message,
    ) -> bool {
        if let Some(orphan) = self.calls.orphans.remove(&tx) {
            self.orphan_response(now, tx, orphan, response);
            return true;
        }
        let Some(&call) = self.calls.by_client.get(&tx) else {
            return false;
        };
        let report = self.uac_progress(tx, response);
        if let (Some(r), Some(c)) = (&report, self.calls.get_mut(call)) {
            c.cause = Some(StateCause::Tsx(Box::new(r.clone())));
        }
        let taken = self.call_on_response_routed(now, call, tx, response);
        if let Some(c) = self.calls.get_mut(call) {
            c.cause = None;
        }
        if let Some(r) = report {
            self.push_tsx(call, r);
        }
        self.flush_tsx(call);
        taken
    }

    fn call_on_response_routed(
        &mut self,
        now: Instant,
        call: CallId,
        tx: ClientTxId,
        response: &Message,
    ) -> bool {
        let status = response.status();
        let challenged = status.is_some_and(|s| matches!(s.code(), 401 | 407));
        if challenged && self.retry_in_dialog(now, call, tx, response) {
            return true;
        }
        let origin = self.sent_origin(call, tx, status.is_some_and(|s| s.is_final()));
        let Some(c) = self.calls.get(call) else {
            return true;
        };
        let is_invite = c.invite_tx == Some(tx);
        let is_reoffer = c.reoffer.as_ref().is_some_and(|r| r.tx == tx);
        let is_bye = response.cseq().is_some_and(|c| c.method == Method::Bye);
        let reinvite_ack = c
            .reinvite_ack
            .as_ref()
            .filter(|(t, _)| *t == tx)
            .map(|(_, ack)| ack.clone());
        if let Some(ack) = reinvite_ack {
            // The re-INVITE's 2xx again: ACK it again.
            if response.status().is_some_and(|s| s.is_success()) {
                let _ = self.stack_mut().send_stateless_located(now, ack);
            }
        } else if self.calls.refers.contains_key(&tx) {
            self.call_on_refer_response(call, tx, response);
        } else if self.calls.requests.contains_key(&tx) {
            self.call_on_request_response(call, tx, origin, response);
        } else if is_reoffer {
            self.call_on_reoffer_response(now, call, tx, response);
        } else if is_invite {
            self.call_on_invite_response(now, call, tx, response);
        } else if is_bye && response.status().is_some_and(|s| s.is_final()) {
            // A call the peer's BYE already ended keeps that cause (both
            // BYEs crossed: ours gets 481).
            if let Some(c) = self
                .calls
                .get_mut(call)
                .filter(|c| c.state != CallState::Disconnected)
            {
                c.last_code = response.status().map_or(0, |s| s.code());
                c.last_reason = reason_of(response);
            }
            self.set_call_state(now, call, CallState::Disconnected);
        }
        true
    }

    /// Sends a request within a call's dialog and routes its transaction
    /// to the call.
    pub(crate) fn send_call_request(
        &mut self,
        now: Instant,
        call: CallId,
        request: Message,
    ) -> Result<ClientTxId, CallError> {
        let tx = self
            .stack_mut()
            .send_request_located(now, request.clone())
            .map_err(|e| CallError::Build(e.to_string()))?;
        self.calls.by_client.insert(tx, call);
        let method = request
            .method()
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default();
        let report = self.uac_started(call, tx, &method, Some(&request));
        self.defer_tsx(call, report);
        if let Some(c) = self.calls.get_mut(call) {
            c.sent.insert(
                tx,
                SentRequest {
                    request,
                    origin: tx,
                    retried: false,
                },
            );
        }
        Ok(tx)
    }

    /// A call's client transaction ended: true if a call took it.
    pub(crate) fn call_on_client_ended(
        &mut self,
        now: Instant,
        tx: ClientTxId,
        termination: Termination,
    ) -> bool {
        if self.calls.orphans.remove(&tx).is_some() {
            return true;
        }
        let Some(call) = self.calls.by_client.remove(&tx) else {
            return false;
        };
        let origin = self.sent_origin(call, tx, true);
        if let Some(report) = self.uac_failed(tx, termination == Termination::Timeout) {
            if let Some(c) = self.calls.get_mut(call) {
                c.cause = Some(StateCause::Tsx(Box::new(report.clone())));
            }
            let taken = self.call_on_client_ended_routed(now, call, tx, origin, termination);
            if let Some(c) = self.calls.get_mut(call) {
                c.cause = None;
            }
            self.push_tsx(call, report);
            self.flush_tsx(call);
            return taken;
        }
        self.call_on_client_ended_routed(now, call, tx, origin, termination)
    }

    fn call_on_client_ended_routed(
        &mut self,
        now: Instant,
        call: CallId,
        tx: ClientTxId,
        origin: ClientTxId,
        termination: Termination,
    ) -> bool {
        if self.calls.requests.contains_key(&tx) {
            self.call_on_request_failed(call, tx, origin, termination == Termination::Timeout);
            return true;
        }
        if termination == Termination::Completed {
            return true;
        }
        let Some(c) = self.calls.get_mut(call) else {
            return true;
        };
        // The INVITE or the BYE got no answer: the call is over.
        let (code, reason) = match termination {
            Termination::Timeout => (408, "Request Timeout"),
            _ => (503, "Service Unavailable"),
        };
        if c.last_code < 200 || c.invite_tx != Some(tx) {
            c.last_code = code;
            c.last_reason = reason.to_owned();
        }
        self.set_call_state(now, call, CallState::Disconnected);
        true
    }

    /// Retransmits callees' 2xx and gives up on ACKs that never come.
    pub(crate) fn call_timeouts(&mut self, now: Instant) {
        let ids: Vec<CallId> = self.calls.ids().collect();
        for call in ids {
            let retry = self.calls.get_mut(call).and_then(|c| {
                if c.retry.is_some_and(|r| r.0 <= now) {
                    c.retry.take()
                } else {
                    None
                }
            });
            if let Some((_, what, method)) = retry {
                if let Err(e) = self.reoffer(now, call, what, method) {
                    tracing::debug!(error = %e, "re-offer after 491 not sent");
                }
            }
            if self
                .calls
                .get(call)
                .and_then(|c| c.reliable.as_ref())
                .is_some_and(|r| r.next.min(r.give_up) <= now)
            {
                self.reliable_timeouts(now, call);
            }
            let due_timer = self
                .calls
                .get(call)
                .and_then(|c| c.timer)
                .filter(|t| t.deadline <= now);
            if let Some(t) = due_timer {
                if t.we_refresh {
                    // Refresh; the answer restarts the timer. If a re-offer
                    // is in flight, look again in a second.
                    if let Some(c) = self.calls.get_mut(call) {
                        c.timer = Some(SessionTimer {
                            deadline: now + Duration::from_secs(1),
                            ..t
                        });
                    }
                    let busy = self
                        .calls
                        .get(call)
                        .is_some_and(|c| c.reoffer.is_some() || c.review.held.is_some());
                    if !busy {
                        if let Err(e) = self.refresh_session(now, call) {
                            tracing::debug!(error = %e, "session refresh not sent");
                        } else if let Some(c) = self.calls.get_mut(call) {
                            // Until answered, the peer's view holds: give up
                            // when its interval ends.
                            c.timer = Some(SessionTimer::start(now, t.interval, false));
                        }
                    }
                } else {
                    if let Some(c) = self.calls.get_mut(call) {
                        c.timer = None;
                        c.last_code = 408;
                        c.last_reason = "Session timer expired".to_owned();
                    }
                    self.send_bye(now, call);
                    self.set_call_state(now, call, CallState::Disconnected);
                    continue;
                }
            }
            let Some(c) = self.calls.get_mut(call) else {
                continue;
            };
            let Some(r) = c.retransmission.as_mut() else {
                continue;
            };
            if now >= r.give_up {
                // RFC 3261 §13.3.1.4: no ACK — end the session with BYE.
                c.retransmission = None;
                c.last_code = 408;
                c.last_reason = "ACK Timeout".to_owned();
                self.send_bye(now, call);
                self.set_call_state(now, call, CallState::Disconnected);
                continue;
            }
            if now >= r.next {
                r.interval = (r.interval * 2).min(T2);
                r.next = now + r.interval;
                let (tx, response) = (r.tx, r.response.clone());
                // The INVITE's server transaction, Accepted (RFC 6026),
                // sends the TU's 2xx retransmissions.
                let _ = self.stack_mut().respond(now, tx, &response);
            }
        }
    }
}
