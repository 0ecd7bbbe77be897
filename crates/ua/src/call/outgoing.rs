//! The caller's side of a call: the INVITE, its responses (early
//! dialogs, the 2xx and its ACK, forks), its retries after 401/407 and
//! 422, redirection, and CANCEL.

use std::time::Instant;

use sdp::neg::{Capabilities, Negotiator, NegotiatorOptions};
use sip::header::HeaderName;
use sip::uri::Uri;
use sip::{Message, Method};
use sip_core::auth::ClientAuth;
use sip_core::dialog::{Dialog, DialogSet, DialogSetId, ForkEvent};
use sip_core::rng::Rng;
use sip_core::stack::ClientTxId;

use super::prack::{PrackUse, rseq_of};
use super::session::{Call, CallId, CallRole, CallState, RedirectOp};
use super::timer::{self, SessionTimer, TimerUse};
use crate::account::AccountId;
use crate::contact::{contact_for, transport_for};
use crate::registration::{ALLOW_METHODS, parse_address};
use crate::user_agent::{UaEvent, UserAgent};

use super::agent::{CallError, SDP, reason_of, sdp_of, session_id};
use super::options::TxOptions;
use super::tsx::StateCause;

/// The call's INVITE again with CSeq + 1: what a retry after a 401/407
/// or a 422, or a redirection, starts from (RFC 3261 §8.1.3.4, §22.2).
pub(crate) fn next_invite(invite: &Message) -> Message {
    let mut retry = invite.clone();
    let seq = invite.cseq().map_or(1, |s| s.seq).saturating_add(1);
    retry.set(HeaderName::CSeq, format!("{seq} INVITE"));
    retry
}

/// `request` with another Request-URI (the rest unchanged).
pub(crate) fn with_request_uri(request: &Message, uri: &Uri<'_>) -> Option<Message> {
    let bytes = request.to_bytes();
    let end = bytes.windows(2).position(|w| w == b"\r\n")?;
    let method = request.method()?;
    let mut text = format!("{method} {uri} SIP/2.0").into_bytes();
    text.extend_from_slice(&bytes[end..]);
    Message::parse(&text).ok()
}

/// How [`UserAgent::make_call_with`] makes a call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MakeCallOptions {
    /// Extra headers in the INVITE (PJSUA2's `CallOpParam.txOption`;
    /// `Replaces` for the new call of an attended transfer).
    pub headers: Vec<(String, String)>,
    /// The application reviews the call's SDP before it is sent, the
    /// INVITE's offer first ([`UaEvent::CallSdpCreated`]).
    pub review_sdp: bool,
}

impl UserAgent {
    /// Starts a call from `account` to `dst_uri` (PJSUA2's `makeCall`):
    /// sends an INVITE with an SDP offer from `caps`. Progress comes as
    /// [`UaEvent::CallState`], the negotiated media as
    /// [`UaEvent::CallMedia`].
    pub fn make_call(
        &mut self,
        now: Instant,
        account: AccountId,
        dst_uri: &str,
        caps: Capabilities,
    ) -> Result<CallId, CallError> {
        self.make_call_with_headers(now, account, dst_uri, caps, &[])
    }

    /// [`UserAgent::make_call`] with extra headers in the INVITE (PJSUA2's
    /// `CallOpParam.txOption.headers`; `Replaces` for the new call of an
    /// attended transfer).
    pub fn make_call_with_headers(
        &mut self,
        now: Instant,
        account: AccountId,
        dst_uri: &str,
        caps: Capabilities,
        headers: &[(String, String)],
    ) -> Result<CallId, CallError> {
        let options = MakeCallOptions {
            headers: headers.to_vec(),
            review_sdp: false,
        };
        self.make_call_with(now, account, dst_uri, caps, &options)
    }

    /// [`UserAgent::make_call`] with [`MakeCallOptions`]. When the SDP is
    /// reviewed, the call is filed in state `Null` and its INVITE waits
    /// for [`UserAgent::sdp_reviewed`] ([`UaEvent::CallSdpCreated`] comes
    /// first, `Calling` when it is sent).
    pub fn make_call_with(
        &mut self,
        now: Instant,
        account: AccountId,
        dst_uri: &str,
        caps: Capabilities,
        options: &MakeCallOptions,
    ) -> Result<CallId, CallError> {
        let headers = &options.headers;
        let settings = self
            .account_settings(account)
            .ok_or(CallError::NoAccount)?
            .clone();
        let to = parse_address("destination", dst_uri)
            .map_err(|_| CallError::InvalidUri(dst_uri.to_owned()))?;
        if !matches!(to.uri, Uri::Sip(_)) {
            return Err(CallError::InvalidUri(dst_uri.to_owned()));
        }
        let transport = transport_for(self.stack(), &settings);
        let contact = contact_for(self.stack(), &settings, transport)
            .map_err(|e| CallError::Build(e.to_string()))?;
        let contact_address =
            parse_address("Contact", &contact).map_err(|e| CallError::Build(e.to_string()))?;
        let mut from = parse_address("account URI", &settings.id_uri)
            .map_err(|e| CallError::Build(e.to_string()))?;
        // PJSUA reports the account's URI and the destination as given.
        let local_uri = settings.id_uri.trim().to_owned();
        let tag = self.token(16);
        from.params.set("tag", Some(&tag));
        let call_id = self.token(24);
        let sid = session_id(self);
        let mut negotiator = Negotiator::new(caps, NegotiatorOptions::default(), sid, sid);
        let offer = negotiator.create_offer()?;
        let mut builder = Message::request(Method::Invite, &to.uri)
            .from(&from)
            .to(&to)
            .call_id(&call_id)
            .cseq(1)
            .contact(&contact_address);
        for proxy in &settings.proxies {
            let mut route =
                parse_address("proxy", proxy).map_err(|e| CallError::Build(e.to_string()))?;
            if let Uri::Sip(s) = &mut route.uri {
                if !s.params.contains("lr") {
                    s.params.push("lr", None);
                }
            }
            builder = builder.route(&route);
        }
        let st = settings.session_timer;
        let asked_se = st.session_expires.max(st.min_se).max(timer::MIN_SE_FLOOR);
        builder = builder.header(HeaderName::Allow, ALLOW_METHODS);
        let mut supported = vec!["replaces"];
        let mut required = Vec::new();
        if settings.prack != PrackUse::NotUsed {
            supported.push("100rel");
        }
        if settings.prack == PrackUse::Mandatory {
            required.push("100rel");
        }
        if st.timer_use != TimerUse::Inactive {
            supported.push("timer");
            builder = builder
                .header(HeaderName::SessionExpires, asked_se)
                .header(HeaderName::MinSe, st.min_se.max(timer::MIN_SE_FLOOR));
            if st.timer_use == TimerUse::Required {
                required.push("timer");
            }
        }
        builder = builder.header(HeaderName::Supported, supported.join(", "));
        if !required.is_empty() {
            builder = builder.header(HeaderName::Require, required.join(", "));
        }
        if let Some(agent) = self.user_agent_header() {
            builder = builder.header(HeaderName::UserAgent, agent);
        }
        for (name, value) in headers {
            if !name.trim().is_empty() {
                builder = builder.raw_header(name.trim(), value.trim());
            }
        }
        let invite = builder
            .body(SDP, offer.to_string().into_bytes())
            .build()
            .map_err(|e| CallError::Build(e.to_string()))?;
        let set = DialogSet::new(&invite, false).map_err(|e| CallError::Build(e.to_string()))?;
        let set_id = set.id().clone();
        let review = super::review::SdpReview {
            enabled: options.review_sdp,
            held: options.review_sdp.then_some(super::review::Held::Invite),
            reviewed: None,
        };
        let call = Call {
            account,
            role: CallRole::Caller,
            state: CallState::Null,
            last_code: 0,
            last_reason: String::new(),
            negotiator,
            invite: invite.clone(),
            local_uri,
            local_contact: contact,
            remote_uri: dst_uri.trim().to_owned(),
            auth: ClientAuth::new(settings.credentials.clone()),
            rng: Rng::from_seed(self.rng_u64()),
            auth_retries: 0,
            redirect: None,
            replaces: None,
            timer_settings: st,
            asked_se,
            offered_timer: None,
            timer: None,
            started_at: now,
            responded_at: None,
            remote_offerer: false,
            use_100rel: false,
            rseq: 0,
            reliable: None,
            acked_rseq: None,
            invite_tx: None,
            dialog_set: Some(set),
            cancel_pending: false,
            cancelled: false,
            ack: None,
            server_tx: None,
            retransmission: None,
            dialog: None,
            reoffer: None,
            reinvite_ack: None,
            sent: std::collections::HashMap::new(),
            cause: None,
            invite_from: None,
            answer_headers: Vec::new(),
            review,
            cancel_headers: Vec::new(),
            retry: None,
            connected_at: None,
            disconnected_at: None,
        };
        let id = self.calls.insert(call);
        self.calls.by_set.insert(set_id, id);
        if options.review_sdp {
            self.push_event(UaEvent::CallSdpCreated {
                call: id,
                sdp: Box::new(offer),
                remote: None,
            });
            return Ok(id);
        }
        if let Err(e) = self.send_invite(now, id, invite) {
            self.calls.remove(id);
            return Err(e);
        }
        Ok(id)
    }

    /// Sends a new call's INVITE: `Calling`.
    pub(crate) fn send_invite(
        &mut self,
        now: Instant,
        call: CallId,
        invite: Message,
    ) -> Result<(), CallError> {
        let tx = self
            .stack_mut()
            .send_request_located(now, invite.clone())
            .map_err(|e| CallError::Build(e.to_string()))?;
        let Some(c) = self.calls.get_mut(call) else {
            return Err(CallError::NotFound);
        };
        c.invite_tx = Some(tx);
        c.state = CallState::Calling;
        self.calls.by_client.insert(tx, call);
        let report = self.uac_started(call, tx, "INVITE", Some(&invite));
        self.push_event(UaEvent::CallState {
            call,
            state: CallState::Calling,
            code: 0,
            reason: String::new(),
            cause: StateCause::Tsx(Box::new(report.clone())),
        });
        self.push_tsx(call, report);
        Ok(())
    }

    pub(crate) fn cancel_invite(&mut self, now: Instant, call: CallId) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        let Some(tx) = c.invite_tx else {
            return;
        };
        if c.state == CallState::Calling && c.last_code < 100 {
            // RFC 3261 §9.1: no CANCEL before a provisional response.
            c.cancel_pending = true;
            return;
        }
        c.cancel_pending = false;
        c.cancelled = true;
        // The application's headers (PJSUA2's txOption of hangup); a
        // CANCEL carries no body.
        let extra = TxOptions {
            headers: c.cancel_headers.clone(),
            body: None,
        };
        let mut sent = None;
        let result = self.stack_mut().cancel_with(now, tx, |cancel| {
            extra.apply(cancel);
            sent = Some(cancel.clone());
        });
        match result {
            Ok(cancel) => {
                self.calls.by_client.insert(cancel, call);
                let report = self.uac_started(call, cancel, "CANCEL", sent.as_ref());
                self.defer_tsx(call, report);
            }
            Err(e) => tracing::debug!(error = %e, "CANCEL not sent"),
        }
    }

    pub(crate) fn call_on_invite_response(
        &mut self,
        now: Instant,
        call: CallId,
        tx: ClientTxId,
        response: &Message,
    ) {
        let Some(status) = response.status() else {
            return;
        };
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        // A retransmission of the 2xx that confirmed our dialog (which left
        // the dialog set then): ACK it again (RFC 3261 §13.2.2.4).
        let same_dialog = c.dialog.as_ref().is_some_and(|d| {
            response
                .to()
                .and_then(|t| t.tag().map(str::to_owned))
                .as_deref()
                == Some(d.id().remote_tag())
        });
        if status.is_success() && same_dialog {
            if let Some(ack) = c.ack.clone() {
                if let Err(e) = self.stack_mut().send_stateless_located(now, ack) {
                    tracing::debug!(error = %e, "ACK not sent");
                }
            }
            return;
        }
        let retriable = c.auth_retries < 3 && c.dialog.is_none();
        let challenged = matches!(status.code(), 401 | 407) && retriable;
        let too_small = status.code() == 422 && retriable;
        if challenged && self.retry_invite_with_credentials(now, call, tx, response) {
            return;
        }
        if too_small && self.retry_invite_with_interval(now, call, tx, response) {
            return;
        }
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        let Some(set) = c.dialog_set.as_mut() else {
            return;
        };
        let event = match set.handle_response(response) {
            Ok(e) => e,
            Err(e) => {
                tracing::debug!(error = %e, "response ignored by the dialog set");
                return;
            }
        };
        if status.is_provisional() || status.is_final() {
            c.last_code = status.code();
            c.last_reason = reason_of(response);
        }
        if status.code() > 100 && c.responded_at.is_none() {
            c.responded_at = Some(now);
        }
        let pending_cancel = c.cancel_pending && status.is_provisional();
        let mut redirected = None;
        let mut negotiated = None;
        let mut repeated = false;
        let mut new_state = None;
        let mut to_ack: Option<Message> = None;
        let mut to_bye: Option<Dialog> = None;
        match event {
            ForkEvent::Ignored => {}
            ForkEvent::Early { .. } => {
                new_state = Some(CallState::Early);
                if c.negotiator.pending_local().is_some() {
                    if let Some(Ok(answer)) = sdp_of(response) {
                        if let Ok(s) = c.negotiator.receive_answer(&answer) {
                            negotiated = Some(s.clone());
                        }
                    }
                }
            }
            ForkEvent::Confirmed { id, .. } => {
                let remote_tag = id.remote_tag().to_owned();
                let dialog = set.remove(&remote_tag);
                let invite_seq = c.invite.cseq().map_or(1, |s| s.seq);
                if let Some(dialog) = dialog {
                    to_ack = dialog.ack(invite_seq).build().ok();
                    c.dialog = Some(dialog);
                }
                c.ack.clone_from(&to_ack);
                c.connected_at = Some(now);
                c.timer = match (timer::session_expires(response), c.timer_settings.timer_use) {
                    (_, TimerUse::Inactive) => None,
                    // The UAS names the refresher (RFC 4028 §9); the caller
                    // by default.
                    (Some(se), _) => Some(SessionTimer::start(
                        now,
                        se.interval,
                        se.refresher_uac.unwrap_or(true),
                    )),
                    (None, TimerUse::Always) => Some(SessionTimer::start(now, c.asked_se, true)),
                    (None, _) => None,
                };
                if c.negotiator.pending_local().is_some() {
                    match sdp_of(response) {
                        Some(Ok(answer)) => match c.negotiator.receive_answer(&answer) {
                            Ok(s) => negotiated = Some(s.clone()),
                            Err(e) => {
                                tracing::info!(error = %e, "the answer in the 2xx is not acceptable")
                            }
                        },
                        _ => tracing::info!("the 2xx carries no answer to our offer"),
                    }
                } else if matches!(sdp_of(response), Some(Ok(_))) {
                    // The early answer repeated in the 2xx: PJSUA2 reports
                    // the (same) media again.
                    repeated = c.negotiator.active().is_some();
                }
                if c.cancelled {
                    // Answered despite the CANCEL: ACK, then BYE.
                    to_bye = c.dialog.take();
                }
                new_state = Some(CallState::Connecting);
            }
            ForkEvent::AlsoConfirmed { id, .. } => {
                // Another fork answered too: acknowledge and end it.
                if let Some(dialog) = set.remove(id.remote_tag()) {
                    let invite_seq = c.invite.cseq().map_or(1, |s| s.seq);
                    to_ack = dialog.ack(invite_seq).build().ok();
                    to_bye = Some(dialog);
                }
            }
            ForkEvent::Retransmission { .. } => {
                to_ack.clone_from(&c.ack);
            }
            ForkEvent::Failed { .. } => {
                let targets: Vec<String> = if (300..400).contains(&status.code()) && !c.cancelled {
                    let mut contacts: Vec<(u16, String)> = response
                        .contacts()
                        .filter_map(|ct| {
                            let q = ct.q().unwrap_or(1000);
                            ct.address().map(|a| (q, a.uri.to_string()))
                        })
                        .collect();
                    // Highest q first, keeping the order of equal ones.
                    contacts.sort_by_key(|c| std::cmp::Reverse(c.0));
                    contacts.into_iter().map(|(_, u)| u).take(16).collect()
                } else {
                    Vec::new()
                };
                if targets.is_empty() {
                    new_state = Some(CallState::Disconnected);
                } else {
                    c.redirect = Some((targets.clone(), 0));
                    redirected = Some(targets[0].clone());
                }
            }
        }
        if status.is_final() {
            // The transaction stays routed to the call until it ends: a
            // retransmitted 2xx comes through it and is ACKed again.
            if let Some(c) = self.calls.get_mut(call) {
                if c.invite_tx == Some(tx) && !status.is_success() {
                    c.invite_tx = None;
                }
                if let Some(d) = &c.dialog {
                    let id = d.id().clone();
                    self.calls.by_dialog.insert(id, call);
                }
            }
        }
        if let Some(ack) = to_ack {
            if let Err(e) = self.stack_mut().send_stateless_located(now, ack) {
                tracing::debug!(error = %e, "ACK not sent");
            }
        }
        if let Some(mut dialog) = to_bye {
            if let Ok(bye) = dialog.bye().and_then(|b| {
                b.build()
                    .map_err(|_| sip_core::dialog::DialogError::NotARequest)
            }) {
                let _ = self.stack_mut().send_request_located(now, bye);
            }
        }
        // PJSUA2 reports the state first, then the media: EARLY then an
        // early answer's media; the 2xx's CONNECTING, its media, then
        // CONFIRMED (caused by the ACK sent).
        let connecting = new_state == Some(CallState::Connecting);
        let cancelled = self.calls.get(call).is_some_and(|c| c.cancelled);
        if let Some(state) = new_state {
            self.set_call_state(now, call, state);
        }
        if let Some(session) = negotiated.take() {
            self.push_event(UaEvent::CallMedia {
                call,
                session: Box::new(session),
            });
        } else if repeated {
            self.push_event(UaEvent::CallMediaRepeated { call });
        }
        if connecting {
            if cancelled {
                self.set_call_state(now, call, CallState::Disconnected);
            } else {
                if let Some(c) = self.calls.get_mut(call) {
                    if let Some(ack) = c.ack.clone() {
                        c.cause = Some(StateCause::Sent(Box::new(ack)));
                    }
                }
                self.set_call_state(now, call, CallState::Confirmed);
            }
        }
        if status.is_provisional() {
            if let (Some(rseq), Some(tag)) = (
                rseq_of(response),
                response.to().and_then(|t| t.tag().map(str::to_owned)),
            ) {
                if let Err(e) = self.send_prack(now, call, &tag, rseq) {
                    tracing::debug!(error = %e, "PRACK not sent");
                }
            }
        }
        if pending_cancel {
            self.cancel_invite(now, call);
        }
        if let Some(target) = redirected {
            self.push_event(UaEvent::CallRedirected {
                call,
                target,
                code: status.code(),
            });
        }
    }

    /// Decides about the redirection target of the last
    /// [`UaEvent::CallRedirected`] (PJSUA2's `processRedirect`): call it,
    /// skip to the next one (reported in turn), or end the call with the
    /// 3xx.
    pub fn process_redirect(
        &mut self,
        now: Instant,
        call: CallId,
        op: RedirectOp,
    ) -> Result<(), CallError> {
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        let Some((targets, index)) = c.redirect.take() else {
            return Err(CallError::InvalidState("processRedirect", c.state));
        };
        let code = c.last_code;
        match op {
            RedirectOp::Stop => {
                self.set_call_state(now, call, CallState::Disconnected);
                Ok(())
            }
            RedirectOp::Reject => {
                let next = index + 1;
                match targets.get(next).cloned() {
                    Some(target) => {
                        if let Some(c) = self.calls.get_mut(call) {
                            c.redirect = Some((targets, next));
                        }
                        self.push_event(UaEvent::CallRedirected { call, target, code });
                    }
                    None => self.set_call_state(now, call, CallState::Disconnected),
                }
                Ok(())
            }
            RedirectOp::Accept => {
                let target = targets.get(index).cloned().unwrap_or_default();
                let Ok(uri) = Uri::parse(&target) else {
                    self.set_call_state(now, call, CallState::Disconnected);
                    return Err(CallError::InvalidUri(target));
                };
                // The same call (Call-ID, From tag) to the new target, CSeq
                // + 1 (RFC 3261 §8.1.3.4).
                let Some(mut retry) = with_request_uri(&next_invite(&c.invite), &uri) else {
                    self.set_call_state(now, call, CallState::Disconnected);
                    return Err(CallError::InvalidUri(target));
                };
                let _ = c.auth.authorize(&mut retry, &mut c.rng);
                c.remote_uri = uri.to_string();
                self.send_invite_again(now, call, None, retry)
            }
        }
    }

    /// Answers a 401/407 to our INVITE: the same INVITE, CSeq + 1, with
    /// credentials (RFC 3261 §22.2). False when none can answer it (the
    /// response then ends the call).
    pub(crate) fn retry_invite_with_credentials(
        &mut self,
        now: Instant,
        call: CallId,
        tx: ClientTxId,
        challenge: &Message,
    ) -> bool {
        let Some(c) = self.calls.get_mut(call) else {
            return false;
        };
        if c.cancelled || c.cancel_pending {
            return false;
        }
        let mut retry = next_invite(&c.invite);
        if let Err(e) = c.auth.respond(&c.invite, challenge, &mut retry, &mut c.rng) {
            tracing::info!(error = %e, "cannot answer the INVITE's challenge");
            return false;
        }
        c.auth_retries += 1;
        c.last_code = challenge.status().map_or(0, |s| s.code());
        c.last_reason = reason_of(challenge);
        match self.send_invite_again(now, call, Some(tx), retry) {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!(error = %e, "INVITE with credentials not sent");
                false
            }
        }
    }

    /// Answers a 422 to our INVITE: the same INVITE, CSeq + 1, asking at
    /// least the interval the 422's Min-SE names (RFC 4028 §7.4).
    pub(crate) fn retry_invite_with_interval(
        &mut self,
        now: Instant,
        call: CallId,
        tx: ClientTxId,
        response: &Message,
    ) -> bool {
        let Some(min) = timer::min_se(response) else {
            return false;
        };
        let Some(c) = self.calls.get_mut(call) else {
            return false;
        };
        if c.cancelled || c.cancel_pending || min == 0 {
            return false;
        }
        let interval = c.asked_se.max(min);
        let mut retry = next_invite(&c.invite);
        retry.set(HeaderName::SessionExpires, interval);
        retry.set(HeaderName::MinSe, min);
        let _ = c.auth.authorize(&mut retry, &mut c.rng);
        c.auth_retries += 1;
        c.asked_se = interval;
        self.send_invite_again(now, call, Some(tx), retry).is_ok()
    }

    /// Sends `invite` as the call's INVITE from now on, in place of the
    /// one of transaction `old`: a fresh dialog set for its responses, the
    /// new transaction routed to the call.
    pub(crate) fn send_invite_again(
        &mut self,
        now: Instant,
        call: CallId,
        old: Option<ClientTxId>,
        invite: Message,
    ) -> Result<(), CallError> {
        let set = DialogSet::new(&invite, false).map_err(|e| CallError::Build(e.to_string()))?;
        let set_id = set.id().clone();
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        c.invite = invite.clone();
        c.dialog_set = Some(set);
        let tx = self
            .stack_mut()
            .send_request_located(now, invite)
            .map_err(|e| CallError::Build(e.to_string()))?;
        if let Some(c) = self.calls.get_mut(call) {
            c.invite_tx = Some(tx);
        }
        if let Some(old) = old {
            self.calls.by_client.remove(&old);
        }
        self.calls.by_client.insert(tx, call);
        let sent = self.calls.get(call).map(|c| c.invite.clone());
        let report = self.uac_started(call, tx, "INVITE", sent.as_ref());
        self.defer_tsx(call, report);
        self.calls.by_set.insert(set_id, call);
        Ok(())
    }

    /// A 2xx retransmitted after the INVITE transaction ended: ACK again.
    pub(crate) fn call_on_stray(&mut self, now: Instant, response: &Message) {
        let Some(set) = DialogSetId::of_message(response) else {
            return;
        };
        let ack = self
            .calls
            .by_set
            .get(&set)
            .and_then(|&call| self.calls.get(call))
            .and_then(|c| c.ack.clone());
        if let Some(ack) = ack {
            let _ = self.stack_mut().send_stateless_located(now, ack);
        }
    }
}
