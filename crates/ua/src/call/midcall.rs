//! Mid-call offers: re-INVITE (RFC 3261 §14) and UPDATE (RFC 3311), sent
//! and received — hold, unhold, session refresh — with glare (491 and the
//! RFC's retry timing).

use std::time::{Duration, Instant};

use sip::header::HeaderName;
use sip::{Message, Method, StatusCode};
use sip_core::dialog::{Dialog, DialogSet};
use sip_core::stack::{ClientTxId, ServerTxId};

use super::agent::{CallError, SDP, reason_of, sdp_of};
use super::options::TxOptions;
use super::review::{Held, Made};
use super::session::{
    CallId, CallRole, CallState, PendingReoffer, Reoffer, ReofferMethod, Retransmission,
};
use super::timer::{self, SessionTimer};
use crate::registration::ALLOW_METHODS;
use crate::user_agent::{UaEvent, UserAgent};

const T1: Duration = Duration::from_millis(500);

impl UserAgent {
    /// Sends a new offer in a re-INVITE or an UPDATE (PJSUA2's
    /// `reinvite`, `update` and `setHold`): the same media (`Refresh`), a
    /// hold (`sendonly`, or `inactive` if the peer holds us) or its release.
    /// One re-offer at a time; the answer comes as [`UaEvent::CallMedia`].
    pub fn reoffer(
        &mut self,
        now: Instant,
        call: CallId,
        what: Reoffer,
        method: ReofferMethod,
    ) -> Result<(), CallError> {
        self.reoffer_with(now, call, what, method, &TxOptions::default())
    }

    /// [`UserAgent::reoffer`] with extra headers in the re-INVITE or
    /// UPDATE (PJSUA2's `CallOpParam.txOption`; its body is not used: the
    /// request carries the SDP offer).
    pub fn reoffer_with(
        &mut self,
        now: Instant,
        call: CallId,
        what: Reoffer,
        method: ReofferMethod,
        opts: &TxOptions,
    ) -> Result<(), CallError> {
        self.reoffer_reviewed(now, call, what, method, opts, true)
    }

    /// A session-timer refresh: a re-INVITE the application does not
    /// review (PJSIP's timer makes it without PJSUA).
    pub(crate) fn refresh_session(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        let opts = TxOptions::default();
        self.reoffer_reviewed(
            now,
            call,
            Reoffer::Refresh,
            ReofferMethod::Invite,
            &opts,
            false,
        )
    }

    fn reoffer_reviewed(
        &mut self,
        now: Instant,
        call: CallId,
        what: Reoffer,
        method: ReofferMethod,
        opts: &TxOptions,
        reviewable: bool,
    ) -> Result<(), CallError> {
        let user_agent = self.user_agent_header();
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        let allowed = match method {
            ReofferMethod::Invite => c.state == CallState::Confirmed,
            // RFC 3311: UPDATE also works in an early dialog.
            ReofferMethod::Update => matches!(c.state, CallState::Confirmed | CallState::Early),
        };
        // A caller's early dialog is still in the dialog set: the UPDATE
        // goes in the latest one (RFC 3311 §5.1).
        let early_tag = match (&c.dialog, method) {
            (None, ReofferMethod::Update) => c
                .dialog_set
                .as_ref()
                .and_then(|s| s.early().last().map(|id| id.remote_tag().to_owned())),
            _ => None,
        };
        if !allowed
            || c.reoffer.is_some()
            || c.review.held.is_some()
            || (c.dialog.is_none() && early_tag.is_none())
        {
            return Err(CallError::InvalidState("re-offer", c.state));
        }
        let checkpoint = if reviewable {
            c.review.checkpoint(&c.negotiator)
        } else {
            None
        };
        let made = match what {
            Reoffer::Refresh => c.negotiator.create_offer()?,
            Reoffer::Hold => c.negotiator.hold()?,
            Reoffer::Unhold => c.negotiator.unhold()?,
        };
        let held = Held::Reoffer {
            what,
            method,
            opts: opts.clone(),
        };
        let offer = match c
            .review
            .settle(call, &mut c.negotiator, made, checkpoint, held)
        {
            Made::Send(offer) => offer,
            Made::Held(event) => {
                self.push_event(event);
                return Ok(());
            }
        };
        let sip_method = match method {
            ReofferMethod::Invite => Method::Invite,
            ReofferMethod::Update => Method::Update,
        };
        let running_timer = c.timer;
        let dialog = match c.dialog.as_mut() {
            Some(d) => Some(d),
            None => match (&early_tag, c.dialog_set.as_mut()) {
                (Some(tag), Some(set)) => set.dialog_mut(tag),
                _ => None,
            },
        };
        let Some(dialog) = dialog else {
            let _ = c.negotiator.cancel_offer();
            return Err(CallError::InvalidState("re-offer", c.state));
        };
        let built = dialog
            .request(sip_method)
            .map_err(|e| CallError::Build(e.to_string()))
            .and_then(|b| {
                let mut b = b.header(HeaderName::Allow, ALLOW_METHODS);
                b = match running_timer {
                    Some(t) => b
                        .header(HeaderName::Supported, "replaces, timer")
                        .header(HeaderName::SessionExpires, t.header(true)),
                    None => b.header(HeaderName::Supported, "replaces"),
                };
                if let Some(agent) = &user_agent {
                    b = b.header(HeaderName::UserAgent, agent);
                }
                b.body(SDP, offer.to_string().into_bytes())
                    .build()
                    .map_err(|e| CallError::Build(e.to_string()))
            });
        let request = match built {
            Ok(mut r) => {
                opts.apply(&mut r);
                r
            }
            Err(e) => {
                let _ = c.negotiator.cancel_offer();
                return Err(e);
            }
        };
        let seq = request.cseq().map_or(0, |s| s.seq);
        let tx = match self.send_call_request(now, call, request) {
            Ok(tx) => tx,
            Err(e) => {
                if let Some(c) = self.calls.get_mut(call) {
                    let _ = c.negotiator.cancel_offer();
                }
                return Err(e);
            }
        };
        if let Some(c) = self.calls.get_mut(call) {
            c.reoffer = Some(PendingReoffer {
                tx,
                method,
                what,
                seq,
            });
            c.retry = None;
        }
        Ok(())
    }

    /// A response to our re-INVITE or UPDATE.
    pub(crate) fn call_on_reoffer_response(
        &mut self,
        now: Instant,
        call: CallId,
        tx: ClientTxId,
        response: &Message,
    ) {
        let Some(status) = response.status() else {
            return;
        };
        if status.is_provisional() {
            return;
        }
        let owner = {
            let Some(c) = self.calls.get_mut(call) else {
                return;
            };
            c.role == CallRole::Caller
        };
        // RFC 3261 §14.1: the owner of the Call-ID waits 2.1-4 s, the
        // other side 0-2 s, in units of 10 ms.
        let retry_delay = if owner {
            Duration::from_millis(2100 + 10 * (self.rng_u64() % 191))
        } else {
            Duration::from_millis(10 * (self.rng_u64() % 201))
        };
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        let Some(pending) = c.reoffer.take() else {
            return;
        };
        let should_terminate = c
            .dialog
            .as_mut()
            .and_then(|d| d.handle_response(response).ok())
            .is_some_and(|e| e.should_terminate);
        let mut negotiated = None;
        let mut ack = None;
        if status.is_success() {
            // A 2xx refreshes the session (RFC 4028 §9): its Session-Expires
            // names the refresher; none means the peer has no timer and we
            // keep refreshing.
            if let Some(t) = c.timer {
                c.timer = Some(match timer::session_expires(response) {
                    Some(se) => {
                        SessionTimer::start(now, se.interval, se.refresher_uac.unwrap_or(true))
                    }
                    None => SessionTimer::start(now, t.interval, true),
                });
            }
            if pending.method == ReofferMethod::Invite {
                ack = c
                    .dialog
                    .as_ref()
                    .and_then(|d| d.ack(pending.seq).build().ok());
                if let Some(a) = &ack {
                    c.reinvite_ack = Some((tx, a.clone()));
                }
            }
            match sdp_of(response) {
                Some(Ok(answer)) => match c.negotiator.receive_answer(&answer) {
                    Ok(s) => negotiated = Some(s.clone()),
                    Err(e) => {
                        tracing::info!(error = %e, "the answer to our re-offer is not acceptable");
                        let _ = c.negotiator.cancel_offer();
                    }
                },
                _ => {
                    tracing::info!("the 2xx to our re-offer carries no answer");
                    let _ = c.negotiator.cancel_offer();
                }
            }
        } else {
            // Refused: the previous session stays (RFC 3261 §14.1).
            let _ = c.negotiator.cancel_offer();
            if status == StatusCode::REQUEST_PENDING {
                c.retry = Some((now + retry_delay, pending.what, pending.method));
            }
        }
        if let Some(ack) = ack {
            if let Err(e) = self.stack_mut().send_stateless_located(now, ack) {
                tracing::debug!(error = %e, "ACK not sent");
            }
        }
        if let Some(session) = negotiated {
            self.push_event(UaEvent::CallMedia {
                call,
                session: Box::new(session),
            });
        }
        if should_terminate || matches!(status.code(), 408 | 481) {
            // RFC 3261 §12.2.1.2: the dialog is gone.
            if let Some(c) = self.calls.get_mut(call) {
                c.last_code = status.code();
                c.last_reason = reason_of(response);
            }
            self.send_bye(now, call);
            self.set_call_state(now, call, CallState::Disconnected);
        }
    }

    /// A re-INVITE or UPDATE from the peer: answer its offer (or, a
    /// re-INVITE without one, offer in the 2xx and take the answer from the
    /// ACK).
    pub(crate) fn call_on_reoffer(
        &mut self,
        now: Instant,
        call: CallId,
        tx: ServerTxId,
        request: &Message,
    ) {
        let is_invite = request.method() == Some(Method::Invite);
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        let Some(dialog) = offer_dialog(&mut c.dialog, &mut c.dialog_set, request, is_invite)
        else {
            return;
        };
        if let Err(e) = dialog.handle_request(request) {
            // An out-of-order CSeq gets 500 (RFC 3261 §12.2.2).
            let code = e.status().unwrap_or(StatusCode::SERVER_INTERNAL_ERROR);
            let response = reply(dialog, request, code);
            if let Some(r) = response {
                self.respond_in_call(now, call, tx, &r);
            }
            return;
        }
        // Glare: our own offer is pending (RFC 3261 §14.2, RFC 3311 §5.2),
        // or an SDP of ours waits for the application's review.
        let glare = c.reoffer.is_some()
            || c.negotiator.pending_local().is_some()
            || c.review.held.is_some();
        // A re-INVITE while the last one's 2xx awaits its ACK: 500 with
        // Retry-After (RFC 3261 §14.2).
        let busy = is_invite && c.retransmission.is_some();
        if glare || busy {
            let code = if glare {
                StatusCode::REQUEST_PENDING
            } else {
                StatusCode::SERVER_INTERNAL_ERROR
            };
            let mut response = reply(dialog, request, code);
            if busy && !glare {
                if let Some(r) = response.as_mut() {
                    r.push(HeaderName::RetryAfter, "1");
                }
            }
            if let Some(r) = response {
                self.respond_in_call(now, call, tx, &r);
            }
            return;
        }
        self.answer_peer_offer(now, call, tx, request);
    }

    /// Answers the peer's re-INVITE or UPDATE (its dialog checks passed):
    /// the answer to its offer, or our offer in the 2xx of a re-INVITE
    /// without one — held here when the application reviews our SDP
    /// (`review.rs`), and run again with the reviewed SDP.
    pub(crate) fn answer_peer_offer(
        &mut self,
        now: Instant,
        call: CallId,
        tx: ServerTxId,
        request: &Message,
    ) {
        let is_invite = request.method() == Some(Method::Invite);
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        let Some(dialog) = offer_dialog(&mut c.dialog, &mut c.dialog_set, request, is_invite)
        else {
            return;
        };
        let held = || Held::PeerOffer {
            tx,
            request: Box::new(request.clone()),
        };
        let mut negotiated = None;
        let body = match sdp_of(request) {
            Some(Ok(offer)) => {
                let checkpoint = c.review.checkpoint(&c.negotiator);
                let made = c
                    .negotiator
                    .receive_offer(&offer)
                    .and_then(|()| c.negotiator.create_answer());
                let answered = match made {
                    Ok(made) => {
                        match c
                            .review
                            .settle(call, &mut c.negotiator, made, checkpoint, held())
                        {
                            Made::Send(answer) => {
                                c.negotiator.negotiate().map(|s| (answer, s.clone()))
                            }
                            Made::Held(event) => {
                                self.push_event(event);
                                return;
                            }
                        }
                    }
                    Err(e) => Err(e),
                };
                match answered {
                    Ok((answer, session)) => {
                        negotiated = Some(session);
                        Some(answer)
                    }
                    Err(e) => {
                        let code = StatusCode::new(e.sip_status())
                            .unwrap_or(StatusCode::NOT_ACCEPTABLE_HERE);
                        let _ = c.negotiator.cancel_offer();
                        if let Some(r) = reply(dialog, request, code) {
                            self.respond_in_call(now, call, tx, &r);
                        }
                        return;
                    }
                }
            }
            Some(Err(_)) => {
                if let Some(r) = reply(dialog, request, StatusCode::BAD_REQUEST) {
                    self.respond_in_call(now, call, tx, &r);
                }
                return;
            }
            // A re-INVITE without SDP asks us to offer; an UPDATE without
            // one only refreshes the target.
            None if is_invite => {
                let checkpoint = c.review.checkpoint(&c.negotiator);
                match c.negotiator.create_offer() {
                    Ok(made) => {
                        match c
                            .review
                            .settle(call, &mut c.negotiator, made, checkpoint, held())
                        {
                            Made::Send(offer) => Some(offer),
                            Made::Held(event) => {
                                self.push_event(event);
                                return;
                            }
                        }
                    }
                    Err(_) => None,
                }
            }
            None => None,
        };
        let mut builder = dialog.response_to(request, StatusCode::OK);
        if let Some(body) = body {
            builder = builder.body(SDP, body.to_string().into_bytes());
        }
        // The peer's re-INVITE or UPDATE refreshes the session (RFC 4028).
        if c.timer_settings.timer_use != timer::TimerUse::Inactive {
            let refreshed = match (timer::session_expires(request), c.timer) {
                (Some(se), _) => Some(SessionTimer::start(
                    now,
                    se.interval,
                    !se.refresher_uac.unwrap_or(true),
                )),
                (None, Some(t)) => Some(SessionTimer::start(now, t.interval, t.we_refresh)),
                (None, None) => None,
            };
            if let Some(t) = refreshed {
                builder = builder.header(HeaderName::SessionExpires, t.header(false));
                if timer::has_option(request, "timer") {
                    builder = builder.header(HeaderName::Require, "timer");
                }
                c.timer = Some(t);
            }
        }
        let Ok(response) = builder.build() else {
            return;
        };
        if is_invite {
            c.retransmission = Some(Retransmission {
                tx,
                response: response.clone(),
                next: now + T1,
                interval: T1,
                give_up: now + 64 * T1,
            });
        }
        self.respond_in_call(now, call, tx, &response);
        if let Some(session) = negotiated {
            self.push_event(UaEvent::CallMedia {
                call,
                session: Box::new(session),
            });
        }
    }
}

/// The dialog a peer's re-INVITE or UPDATE belongs to: the call's, or — an
/// UPDATE in a caller's early dialog (RFC 3311 §5.2) — the early dialog of
/// the dialog set its From tag names.
fn offer_dialog<'c>(
    dialog: &'c mut Option<Dialog>,
    set: &'c mut Option<DialogSet>,
    request: &Message,
    is_invite: bool,
) -> Option<&'c mut Dialog> {
    if let Some(d) = dialog.as_mut() {
        return Some(d);
    }
    if is_invite {
        return None;
    }
    let tag = request.from()?.tag()?.to_owned();
    set.as_mut()?.dialog_mut(&tag)
}

/// The response `code` to `request` in `dialog` (none if it cannot be
/// built).
fn reply(dialog: &Dialog, request: &Message, code: StatusCode) -> Option<Message> {
    dialog.response_to(request, code).build().ok()
}
