//! The callee's side of a call: an INVITE arriving (account, dialog,
//! offer, 422/420/421/486 refusals, Replaces), the answers and their 2xx
//! retransmission, the ACK, and CANCEL.

use std::time::Instant;

use sdp::neg::{Capabilities, Negotiator, NegotiatorOptions};
use sip::header::HeaderName;
use sip::{Message, StatusCode};
use sip_core::auth::ClientAuth;
use sip_core::dialog::{Dialog, DialogId};
use sip_core::rng::Rng;
use sip_core::stack::ServerTxId;

use super::prack::{PrackUse, wants_100rel};
use super::review::{Held, Made};
use super::session::{Call, CallId, CallRole, CallState, Retransmission};
use super::timer::{self, SessionTimer, TimerUse};
use crate::contact::{contact_for, transport_for};
use crate::registration::parse_address;
use crate::user_agent::{UaEvent, UserAgent};

use super::agent::{CallError, SDP, T1, sdp_of, session_id};
use super::options::TxOptions;
use super::tsx::{CallTsx, StateCause, TsxCause, TsxState, TsxTrack};

impl UserAgent {
    /// Answers an incoming call (PJSUA2's `answer`): 101–199 (183 carries
    /// the SDP answer: early media), 200–299 (with the answer, or an offer
    /// when the INVITE had none; retransmitted until the ACK), or a final
    /// error 300–699. `caps` are the local media the answer is made from
    /// (needed once, with the first response that carries SDP).
    pub fn answer(
        &mut self,
        now: Instant,
        call: CallId,
        code: u16,
        reason: Option<&str>,
        caps: Option<Capabilities>,
    ) -> Result<(), CallError> {
        self.answer_with(now, call, code, reason, caps, &TxOptions::default())
    }

    /// Whether an incoming call's offer can be answered from `caps`
    /// (PJSUA makes the answer when the INVITE arrives and refuses the
    /// call with 488 before the application sees it when it cannot): Ok
    /// for an INVITE without an offer. Changes nothing.
    ///
    /// # Errors
    ///
    /// [`CallError::NotFound`]; [`CallError::Sdp`] with what the answer
    /// would fail with ([`NegotiationError::sip_status`] gives the status
    /// to refuse the call with).
    ///
    /// [`NegotiationError::sip_status`]: sdp::neg::NegotiationError::sip_status
    pub fn check_offer(&self, call: CallId, caps: &Capabilities) -> Result<(), CallError> {
        let c = self.calls.get(call).ok_or(CallError::NotFound)?;
        if c.negotiator.pending_remote().is_none() {
            return Ok(());
        }
        let mut trial = c.negotiator.clone();
        trial.set_capabilities(caps.clone());
        trial.create_answer()?;
        Ok(())
    }

    /// [`UserAgent::answer`] with extra headers (and, in a response
    /// without SDP, a body) in the response (PJSUA2's
    /// `CallOpParam.txOption` of `answer`).
    pub fn answer_with(
        &mut self,
        now: Instant,
        call: CallId,
        code: u16,
        reason: Option<&str>,
        caps: Option<Capabilities>,
        opts: &TxOptions,
    ) -> Result<(), CallError> {
        let result = self.answer_now(now, call, code, reason, caps, opts);
        self.flush_tsx(call);
        result
    }

    fn answer_now(
        &mut self,
        now: Instant,
        call: CallId,
        code: u16,
        reason: Option<&str>,
        caps: Option<Capabilities>,
        opts: &TxOptions,
    ) -> Result<(), CallError> {
        let status = StatusCode::new(code)
            .filter(|s| s.code() > 100)
            .ok_or(CallError::InvalidCode(code))?;
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        if c.role != CallRole::Callee || !matches!(c.state, CallState::Incoming | CallState::Early)
        {
            return Err(CallError::InvalidState("answer", c.state));
        }
        if let Some(caps) = caps {
            c.negotiator.set_capabilities(caps);
        }
        if !status.is_success() && status.is_final() {
            c.review.held = None;
            return self.reject(now, call, status, reason, opts);
        }
        if let Some(Held::Answer {
            code: held_code,
            reason: held_reason,
            opts: held_opts,
        }) = c.review.held.as_mut()
        {
            // An answer waits for the application's SDP: a 2xx meanwhile
            // takes its place (sent with that SDP), a 1xx waits behind it.
            if status.is_success() {
                *held_code = code;
                *held_reason = reason.map(str::to_owned);
                *held_opts = opts.clone();
            }
            return Ok(());
        }
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        let dialog = c
            .dialog
            .as_ref()
            .ok_or(CallError::InvalidState("answer", c.state))?;
        let mut builder = dialog.response_to(&c.invite, status);
        if let Some(reason) = reason {
            builder = builder.reason(reason);
        }
        if status.is_success() {
            if let Some((interval, we_refresh, caller_supports)) = c.offered_timer {
                let t = SessionTimer::start(now, interval, we_refresh);
                builder = builder.header(HeaderName::SessionExpires, t.header(false));
                if caller_supports {
                    builder = builder.header(HeaderName::Require, "timer");
                }
                c.timer = Some(t);
            }
        }
        let offered = c.negotiator.pending_remote().is_some();
        let with_sdp = status.is_success() || status == StatusCode::SESSION_PROGRESS;
        let mut negotiated = None;
        if with_sdp {
            // Late offer: the 2xx offers, the ACK answers.
            let late_offer = !offered && c.negotiator.active().is_none() && status.is_success();
            let body = if offered || late_offer {
                let checkpoint = c.review.checkpoint(&c.negotiator);
                let made = if offered {
                    c.negotiator.create_answer()?
                } else {
                    c.negotiator.create_offer()?
                };
                let held = Held::Answer {
                    code,
                    reason: reason.map(str::to_owned),
                    opts: opts.clone(),
                };
                match c
                    .review
                    .settle(call, &mut c.negotiator, made, checkpoint, held)
                {
                    Made::Send(sdp) => {
                        if offered {
                            negotiated = Some(c.negotiator.negotiate()?.clone());
                        }
                        Some(sdp)
                    }
                    Made::Held(event) => {
                        self.push_event(event);
                        return Ok(());
                    }
                }
            } else if status.is_success() && !c.use_100rel {
                // The answer went in an unreliable 183: the 2xx repeats it
                // (RFC 3261 §13.3.1.1), as PJSIP's does.
                c.negotiator.active_local().cloned()
            } else {
                None
            };
            if let Some(body) = body {
                builder = builder.body(SDP, body.to_string().into_bytes());
            }
        }
        let mut response = builder
            .build()
            .map_err(|e| CallError::Build(e.to_string()))?;
        // PJSIP answers with the same response again: the headers of every
        // earlier answer stay (PJSUA2's 200 carries the 180's too).
        c.answer_headers.extend(opts.headers.iter().cloned());
        TxOptions {
            headers: c.answer_headers.clone(),
            body: opts.body.clone(),
        }
        .apply(&mut response);
        let tx = c
            .server_tx
            .ok_or(CallError::InvalidState("answer", c.state))?;
        c.responded_at.get_or_insert(now);
        c.last_code = code;
        c.last_reason = reason.map_or_else(|| status.canonical_reason().to_owned(), str::to_owned);
        let new_state = if status.is_success() {
            c.connected_at = Some(now);
            c.retransmission = Some(Retransmission {
                tx,
                response: response.clone(),
                next: now + T1,
                interval: T1,
                give_up: now + 64 * T1,
            });
            c.server_tx = None;
            if let Some(d) = c.dialog.as_mut() {
                d.confirm();
            }
            CallState::Connecting
        } else {
            CallState::Early
        };
        let response = if status.is_provisional() {
            self.make_reliable(now, call, tx, response)
        } else {
            response
        };
        self.respond_in_call(now, call, tx, &response);
        if status.is_success() {
            self.calls.by_server.remove(&tx);
            if let Some(c) = self.calls.get_mut(call) {
                c.reliable = None;
            }
        }
        if let Some(session) = negotiated {
            self.push_event(UaEvent::CallMedia {
                call,
                session: Box::new(session),
            });
        }
        self.set_call_state(now, call, new_state);
        Ok(())
    }

    /// A final error to an unanswered incoming call.
    pub(crate) fn reject(
        &mut self,
        now: Instant,
        call: CallId,
        status: StatusCode,
        reason: Option<&str>,
        opts: &TxOptions,
    ) -> Result<(), CallError> {
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        let tx = c
            .server_tx
            .take()
            .ok_or(CallError::InvalidState("answer", c.state))?;
        c.responded_at.get_or_insert(now);
        let mut builder = match &c.dialog {
            Some(d) => d.response_to(&c.invite, status),
            None => Message::response_to(&c.invite, status),
        };
        if let Some(reason) = reason {
            builder = builder.reason(reason);
        }
        let mut response = builder
            .build()
            .map_err(|e| CallError::Build(e.to_string()))?;
        // PJSIP answers with the same response again: the headers of every
        // earlier answer stay (PJSUA2's 200 carries the 180's too).
        c.answer_headers.extend(opts.headers.iter().cloned());
        TxOptions {
            headers: c.answer_headers.clone(),
            body: opts.body.clone(),
        }
        .apply(&mut response);
        c.last_code = status.code();
        c.last_reason = reason.map_or_else(|| status.canonical_reason().to_owned(), str::to_owned);
        self.respond_in_call(now, call, tx, &response);
        self.set_call_state(now, call, CallState::Disconnected);
        Ok(())
    }

    /// The call an incoming call asks to replace (its INVITE's Replaces
    /// header, RFC 3891): answer the new call and hang up the old one
    /// (PJSUA2's `onCallReplaceRequest`/`onCallReplaced`).
    pub fn replaced_call(&self, call: CallId) -> Option<CallId> {
        self.calls.get(call)?.replaces
    }

    /// The call whose dialog a Replaces value names: `call-id;to-tag=..;
    /// from-tag=..` from the sender's view, so its to-tag is our tag.
    pub(crate) fn find_replaced(&self, value: &str) -> Option<CallId> {
        let mut parts = value.split(';');
        let call_id = parts.next()?.trim();
        let (mut to_tag, mut from_tag) = (None, None);
        for p in parts {
            let (name, v) = p.split_once('=').unwrap_or((p, ""));
            match name.trim().to_ascii_lowercase().as_str() {
                "to-tag" => to_tag = Some(v.trim()),
                "from-tag" => from_tag = Some(v.trim()),
                _ => {}
            }
        }
        let id = DialogId::new(call_id, to_tag?, from_tag?)?;
        let &call = self.calls.by_dialog.get(&id)?;
        let c = self.calls.get(call)?;
        let usable = match c.state {
            CallState::Connecting | CallState::Confirmed => true,
            CallState::Early => c.role == CallRole::Caller,
            _ => false,
        };
        usable.then_some(call)
    }

    /// An INVITE outside any dialog: a new incoming call.
    pub(crate) fn call_on_invite(&mut self, now: Instant, tx: ServerTxId, request: &Message) {
        let respond = |ua: &mut Self, code: StatusCode| {
            let tag = ua.token(10);
            if let Ok(r) = Message::response_to(request, code).to_tag(&tag).build() {
                let _ = ua.stack_mut().respond(now, tx, &r);
            }
        };
        if self
            .calls
            .max_calls
            .is_some_and(|max| self.calls.ids().count() >= max)
        {
            respond(self, StatusCode::BUSY_HERE);
            return;
        }
        let Some(account) = self.select_account(request) else {
            respond(self, StatusCode::TEMPORARILY_UNAVAILABLE);
            return;
        };
        let Some(settings) = self.account_settings(account).cloned() else {
            respond(self, StatusCode::TEMPORARILY_UNAVAILABLE);
            return;
        };
        let transport = transport_for(self.stack(), &settings);
        let Ok(contact) = contact_for(self.stack(), &settings, transport) else {
            respond(self, StatusCode::SERVER_INTERNAL_ERROR);
            return;
        };
        let Ok(contact_address) = parse_address("Contact", &contact) else {
            respond(self, StatusCode::SERVER_INTERNAL_ERROR);
            return;
        };
        let tag = self.token(16);
        let dialog = match Dialog::uas(request, &tag, contact_address, false) {
            Ok(d) => d,
            Err(e) => {
                respond(self, e.status().unwrap_or(StatusCode::BAD_REQUEST));
                return;
            }
        };
        let sid = session_id(self);
        let unspecified = std::net::IpAddr::from([0, 0, 0, 0]);
        let mut negotiator = Negotiator::new(
            Capabilities::new(unspecified, Vec::new()),
            NegotiatorOptions::default(),
            sid,
            sid,
        );
        match sdp_of(request) {
            Some(Ok(offer)) => {
                if let Err(e) = negotiator.receive_offer(&offer) {
                    let code = StatusCode::new(e.sip_status()).unwrap_or(StatusCode::BAD_REQUEST);
                    respond(self, code);
                    return;
                }
            }
            Some(Err(_)) => {
                respond(self, StatusCode::BAD_REQUEST);
                return;
            }
            None => {}
        }
        // RFC 3891: an INVITE that replaces one of our dialogs must name
        // one that exists (confirmed, or early and ours as caller).
        let replaces = match request.raw_value(HeaderName::Replaces) {
            Some(value) => match self.find_replaced(value) {
                Some(old) => Some(old),
                None => {
                    respond(self, StatusCode::CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                    return;
                }
            },
            None => None,
        };
        // RFC 4028: the session interval the caller asks, or 422.
        let st = settings.session_timer;
        let caller_supports = timer::has_option(request, "timer");
        let asked = timer::session_expires(request);
        let our_min = st.min_se.max(timer::MIN_SE_FLOOR);
        if st.timer_use != TimerUse::Inactive && asked.is_some_and(|a| a.interval < our_min) {
            let tag = self.token(10);
            if let Ok(mut r) = Message::response_to(
                request,
                StatusCode::new(422).unwrap_or(StatusCode::BAD_REQUEST),
            )
            .to_tag(&tag)
            .build()
            {
                r.push(HeaderName::MinSe, our_min);
                let _ = self.stack_mut().respond(now, tx, &r);
            }
            return;
        }
        let offered_timer = match (st.timer_use, asked) {
            (TimerUse::Inactive, _) => None,
            (_, Some(a)) => {
                // The caller names the refresher, or leaves it to us: the
                // caller if it supports timers, else ourselves.
                let caller_refreshes = a.refresher_uac.unwrap_or(caller_supports);
                Some((a.interval, !caller_refreshes, caller_supports))
            }
            (TimerUse::Always, None) => Some((
                st.session_expires.max(our_min),
                !caller_supports,
                caller_supports,
            )),
            _ => None,
        };
        // RFC 3262: 100rel required by the caller and not used here (420),
        // or required by us and not supported by the caller (421).
        let requires_100rel = request
            .raw_values(HeaderName::Require)
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case("100rel"));
        let refusal = match settings.prack {
            PrackUse::NotUsed if requires_100rel => Some((StatusCode::new(420), "Unsupported")),
            PrackUse::Mandatory if !wants_100rel(request) => {
                Some((StatusCode::new(421), "Require"))
            }
            _ => None,
        };
        if let Some((Some(code), header)) = refusal {
            let tag = self.token(10);
            if let Ok(mut r) = Message::response_to(request, code).to_tag(&tag).build() {
                r.push_raw(header, "100rel");
                let _ = self.stack_mut().respond(now, tx, &r);
            }
            return;
        }
        let use_100rel = settings.prack != PrackUse::NotUsed && wants_100rel(request);
        // 100 Trying at once: the application may take its time.
        let trying = Message::response_to(request, StatusCode::TRYING)
            .build()
            .ok();
        if let Some(trying) = &trying {
            let _ = self.stack_mut().respond(now, tx, trying);
        }
        // As PJSIP prints From and To: without header parameters (the
        // tag), and without the port, which RFC 3261's table 1 does not
        // allow there.
        let from_to = |a: &sip::Address<'_>| {
            let mut a = a.clone();
            a.params = sip::Params::new();
            if let sip::uri::Uri::Sip(s) = &mut a.uri {
                s.port = None;
            }
            a.to_string()
        };
        let remote_uri = request.from().map(|f| from_to(&f.0));
        let local_uri = request.to().map(|t| from_to(&t.0));
        let dialog_id = dialog.id().clone();
        let call = Call {
            account,
            role: CallRole::Callee,
            state: CallState::Incoming,
            last_code: 0,
            last_reason: String::new(),
            negotiator,
            invite: request.clone(),
            local_uri: local_uri.unwrap_or_default(),
            local_contact: contact,
            remote_uri: remote_uri.unwrap_or_default(),
            // Requests within the dialog may be challenged too.
            auth: ClientAuth::new(settings.credentials.clone()),
            rng: Rng::from_seed(sid.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15),
            auth_retries: 0,
            redirect: None,
            replaces,
            timer_settings: settings.session_timer,
            asked_se: 0,
            offered_timer,
            timer: None,
            started_at: now,
            responded_at: None,
            remote_offerer: !request.body().is_empty(),
            use_100rel,
            rseq: (self.rng_u64() % 0x7fff_ffff) as u32,
            reliable: None,
            acked_rseq: None,
            invite_tx: None,
            dialog_set: None,
            cancel_pending: false,
            cancelled: false,
            ack: None,
            server_tx: Some(tx),
            retransmission: None,
            dialog: Some(dialog),
            reoffer: None,
            reinvite_ack: None,
            sent: std::collections::HashMap::new(),
            cause: None,
            invite_from: self.calls.rx_from,
            answer_headers: Vec::new(),
            review: Default::default(),
            cancel_headers: Vec::new(),
            retry: None,
            connected_at: None,
            disconnected_at: None,
        };
        let id = self.calls.insert(call);
        self.calls.by_server.insert(tx, id);
        self.calls.by_dialog.insert(dialog_id, id);
        self.push_event(UaEvent::IncomingCall { call: id, account });
        // Then, as PJSUA2 does once the application has the call:
        // INCOMING, caused by the 100 Trying sent.
        self.calls.uas.insert(
            tx,
            TsxTrack {
                call: id,
                method: "INVITE".to_owned(),
                state: TsxState::Proceeding,
                last_sent: trying.clone(),
            },
        );
        let report = CallTsx {
            method: "INVITE".to_owned(),
            uas: true,
            state: TsxState::Proceeding,
            prev_state: TsxState::Trying,
            status: 100,
            reason: "Trying".to_owned(),
            cause: trying.clone().map_or(TsxCause::User, TsxCause::Sent),
            last_sent: trying,
        };
        self.push_event(UaEvent::CallState {
            call: id,
            state: CallState::Incoming,
            code: 100,
            reason: "Trying".to_owned(),
            cause: StateCause::Tsx(Box::new(report.clone())),
        });
        self.push_tsx(id, report);
    }

    pub(crate) fn call_on_ack(&mut self, now: Instant, call: CallId, ack: &Message) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        let Some(acked) = c.retransmission.take() else {
            return;
        };
        // Confirmed already: the ACK of a re-INVITE's 2xx.
        let reinvite = c.state == CallState::Confirmed;
        let mut negotiated = None;
        if c.negotiator.pending_local().is_some() {
            // Late offer: the ACK carries the answer.
            match sdp_of(ack) {
                Some(Ok(answer)) => match c.negotiator.receive_answer(&answer) {
                    Ok(session) => negotiated = Some(session.clone()),
                    Err(e) => tracing::info!(error = %e, "the answer in the ACK is not acceptable"),
                },
                _ => tracing::info!("the ACK carries no answer to our offer"),
            }
        }
        if let Some(session) = negotiated {
            self.push_event(UaEvent::CallMedia {
                call,
                session: Box::new(session),
            });
        }
        // The INVITE's transaction ends (reported first, as PJSUA2 does),
        // and the ACK confirms the call.
        if let Some(report) = self.uas_acked(acked.tx) {
            self.push_tsx(call, report);
        }
        if reinvite {
            return;
        }
        let from = self.calls.rx_from;
        if let Some(c) = self.calls.get_mut(call) {
            c.cause = Some(StateCause::Received(Box::new(ack.clone()), from));
        }
        self.set_call_state(now, call, CallState::Confirmed);
        if let Some(c) = self.calls.get_mut(call) {
            c.cause = None;
        }
    }

    /// CANCEL of an incoming call's INVITE: 487, and the call is over.
    pub(crate) fn call_on_cancelled(
        &mut self,
        now: Instant,
        invite: ServerTxId,
        cancel: &Message,
    ) -> bool {
        let Some(&call) = self.calls.by_server.get(&invite) else {
            return false;
        };
        // The CANCEL's own transaction, as PJSUA2 reports it before the
        // call ends: received, then answered 200 (by the stack).
        let from = self.calls.rx_from;
        let ok = Message::response_to(cancel, StatusCode::OK).build().ok();
        let received = CallTsx {
            method: "CANCEL".to_owned(),
            uas: true,
            state: TsxState::Trying,
            prev_state: TsxState::Null,
            status: 0,
            reason: String::new(),
            cause: TsxCause::Received(cancel.clone(), from),
            last_sent: None,
        };
        let answered = CallTsx {
            state: TsxState::Completed,
            prev_state: TsxState::Trying,
            status: 200,
            reason: "OK".to_owned(),
            cause: ok.clone().map_or(TsxCause::User, TsxCause::Sent),
            last_sent: ok,
            ..received.clone()
        };
        self.push_tsx(call, received);
        self.push_tsx(call, answered);
        let _ = self.reject(
            now,
            call,
            StatusCode::REQUEST_TERMINATED,
            None,
            &TxOptions::default(),
        );
        self.flush_tsx(call);
        true
    }
}
