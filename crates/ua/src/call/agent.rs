//! The user agent's calls: commands (`make_call`, `answer`, `hangup`) and
//! the routing of what the stack reports to the call it concerns.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sdp::SessionDescription;
use sdp::neg::{Capabilities, NegotiationError, Negotiator, NegotiatorOptions};
use sip::header::HeaderName;
use sip::uri::Uri;
use sip::{Message, Method, StatusCode};
use sip_core::auth::ClientAuth;
use sip_core::dialog::{Dialog, DialogId, DialogSet, DialogSetId, ForkEvent};
use sip_core::rng::Rng;
use sip_core::stack::{ClientTxId, ServerTxId};
use sip_core::transaction::Termination;

use super::prack::{PrackUse, rseq_of, wants_100rel};
use super::session::{
    Call, CallId, CallRole, CallState, CallStatus, RedirectOp, Reoffer, ReofferMethod,
    Retransmission,
};
use super::timer::{self, SessionTimer, TimerUse};
use crate::account::AccountId;
use crate::contact::{contact_for, transport_for};
use crate::registration::{ALLOW_METHODS, parse_address};
use crate::user_agent::{UaEvent, UserAgent};

/// The content type of SDP bodies.
pub(crate) const SDP: &str = "application/sdp";
/// RFC 3261's T1 and T2, for the 2xx retransmissions.
const T1: Duration = Duration::from_millis(500);
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

#[derive(Debug)]
struct Slot {
    generation: u32,
    call: Option<Call>,
}

/// The calls and how to find them from what the stack reports.
#[derive(Debug, Default)]
pub(crate) struct CallTable {
    slots: Vec<Slot>,
    pub(crate) by_client: HashMap<ClientTxId, CallId>,
    by_server: HashMap<ServerTxId, CallId>,
    by_dialog: HashMap<DialogId, CallId>,
    by_set: HashMap<DialogSetId, CallId>,
    /// Requests sent with `send_in_call`, until their final answer.
    pub(crate) requests: HashMap<ClientTxId, CallId>,
    /// Our REFERs, until their final answer.
    pub(crate) refers: HashMap<ClientTxId, CallId>,
    /// REFERs from peers waiting for `answer_transfer`.
    pub(crate) incoming_refers: HashMap<CallId, ServerTxId>,
    /// The most calls held at once (`set_max_calls`).
    pub(crate) max_calls: Option<usize>,
}

impl CallTable {
    fn insert(&mut self, call: Call) -> CallId {
        let index = match self.slots.iter().position(|s| s.call.is_none()) {
            Some(i) => i,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    call: None,
                });
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[index];
        slot.generation = slot.generation.wrapping_add(1);
        slot.call = Some(call);
        CallId {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            generation: slot.generation,
        }
    }

    pub(crate) fn get(&self, id: CallId) -> Option<&Call> {
        let slot = self.slots.get(id.index as usize)?;
        (slot.generation == id.generation).then_some(slot.call.as_ref()?)
    }

    pub(crate) fn get_mut(&mut self, id: CallId) -> Option<&mut Call> {
        let slot = self.slots.get_mut(id.index as usize)?;
        if slot.generation != id.generation {
            return None;
        }
        slot.call.as_mut()
    }

    /// The ids of the calls held.
    pub(crate) fn ids(&self) -> impl Iterator<Item = CallId> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.call.as_ref().map(|_| CallId {
                index: i as u32,
                generation: s.generation,
            })
        })
    }

    /// The earliest deadline of any call.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.slots
            .iter()
            .filter_map(|s| s.call.as_ref()?.deadline())
            .min()
    }

    /// Forgets every way to reach a call (it ended).
    fn unlink(&mut self, id: CallId) {
        self.by_client.retain(|_, c| *c != id);
        self.by_server.retain(|_, c| *c != id);
        self.by_dialog.retain(|_, c| *c != id);
        self.by_set.retain(|_, c| *c != id);
        self.requests.retain(|_, c| *c != id);
        self.refers.retain(|_, c| *c != id);
        self.incoming_refers.remove(&id);
    }
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

/// The call's INVITE again with CSeq + 1: what a retry after a 401/407
/// or a 422, or a redirection, starts from (RFC 3261 §8.1.3.4, §22.2).
fn next_invite(invite: &Message) -> Message {
    let mut retry = invite.clone();
    let seq = invite.cseq().map_or(1, |s| s.seq).saturating_add(1);
    retry.set(HeaderName::CSeq, format!("{seq} INVITE"));
    retry
}

/// `request` with another Request-URI (the rest unchanged).
fn with_request_uri(request: &Message, uri: &Uri<'_>) -> Option<Message> {
    let bytes = request.to_bytes();
    let end = bytes.windows(2).position(|w| w == b"\r\n")?;
    let method = request.method()?;
    let mut text = format!("{method} {uri} SIP/2.0").into_bytes();
    text.extend_from_slice(&bytes[end..]);
    Message::parse(&text).ok()
}

/// A session id for SDP's o= line from the user agent's randomness.
fn session_id(ua: &mut UserAgent) -> u64 {
    ua.rng_u64() >> 12
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
        let local_uri = from.to_string();
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
        let tx = self
            .stack_mut()
            .send_request_located(now, invite.clone())
            .map_err(|e| CallError::Build(e.to_string()))?;
        let call = Call {
            account,
            role: CallRole::Caller,
            state: CallState::Calling,
            last_code: 0,
            last_reason: String::new(),
            negotiator,
            invite,
            local_uri,
            local_contact: contact,
            remote_uri: to.to_string(),
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
            invite_tx: Some(tx),
            dialog_set: Some(set),
            cancel_pending: false,
            cancelled: false,
            ack: None,
            server_tx: None,
            retransmission: None,
            dialog: None,
            reoffer: None,
            reinvite_ack: None,
            retry: None,
            connected_at: None,
            disconnected_at: None,
        };
        let id = self.calls.insert(call);
        self.calls.by_client.insert(tx, id);
        self.calls.by_set.insert(set_id, id);
        self.push_event(UaEvent::CallState {
            call: id,
            state: CallState::Calling,
            code: 0,
            reason: String::new(),
        });
        Ok(id)
    }

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
            return self.reject(now, call, status, reason);
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
            let body = if offered {
                let answer = c.negotiator.create_answer()?;
                negotiated = Some(c.negotiator.negotiate()?.clone());
                Some(answer)
            } else if c.negotiator.active().is_none() && status.is_success() {
                // Late offer: the 2xx offers, the ACK answers.
                Some(c.negotiator.create_offer()?)
            } else {
                None
            };
            if let Some(body) = body {
                builder = builder.body(SDP, body.to_string().into_bytes());
            }
        }
        let response = builder
            .build()
            .map_err(|e| CallError::Build(e.to_string()))?;
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
        if let Err(e) = self.stack_mut().respond(now, tx, &response) {
            tracing::debug!(error = %e, "response not sent");
        }
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
    fn reject(
        &mut self,
        now: Instant,
        call: CallId,
        status: StatusCode,
        reason: Option<&str>,
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
        let response = builder
            .build()
            .map_err(|e| CallError::Build(e.to_string()))?;
        c.last_code = status.code();
        c.last_reason = reason.map_or_else(|| status.canonical_reason().to_owned(), str::to_owned);
        if let Err(e) = self.stack_mut().respond(now, tx, &response) {
            tracing::debug!(error = %e, "response not sent");
        }
        self.set_call_state(now, call, CallState::Disconnected);
        Ok(())
    }

    /// Ends a call in whatever state it is (PJSUA2's `hangup`): an
    /// unanswered incoming call gets `code` (603 Decline when 0), an
    /// outgoing one is CANCELled (once a provisional response came: until
    /// then the CANCEL waits), an answered one gets a BYE.
    pub fn hangup(&mut self, now: Instant, call: CallId, code: u16) -> Result<(), CallError> {
        let c = self.calls.get(call).ok_or(CallError::NotFound)?;
        match (c.role, c.state) {
            (_, CallState::Disconnected) => Ok(()),
            (CallRole::Callee, CallState::Incoming | CallState::Early) => {
                let code = if code == 0 { 603 } else { code };
                let status = StatusCode::new(code)
                    .filter(|s| s.code() >= 300)
                    .ok_or(CallError::InvalidCode(code))?;
                self.reject(now, call, status, None)
            }
            (CallRole::Caller, CallState::Null | CallState::Calling | CallState::Early) => {
                self.cancel_invite(now, call);
                Ok(())
            }
            _ => {
                self.send_bye(now, call);
                Ok(())
            }
        }
    }

    fn cancel_invite(&mut self, now: Instant, call: CallId) {
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
        match self.stack_mut().cancel(now, tx) {
            Ok(cancel) => {
                self.calls.by_client.insert(cancel, call);
            }
            Err(e) => tracing::debug!(error = %e, "CANCEL not sent"),
        }
    }

    pub(crate) fn send_bye(&mut self, now: Instant, call: CallId) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        let Some(dialog) = c.dialog.as_mut() else {
            return;
        };
        let bye = dialog
            .bye()
            .map_err(|e| e.to_string())
            .and_then(|b| b.build().map_err(|e| e.to_string()));
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

    /// The call an incoming call asks to replace (its INVITE's Replaces
    /// header, RFC 3891): answer the new call and hang up the old one
    /// (PJSUA2's `onCallReplaceRequest`/`onCallReplaced`).
    pub fn replaced_call(&self, call: CallId) -> Option<CallId> {
        self.calls.get(call)?.replaces
    }

    /// The call whose dialog a Replaces value names: `call-id;to-tag=..;
    /// from-tag=..` from the sender's view, so its to-tag is our tag.
    fn find_replaced(&self, value: &str) -> Option<CallId> {
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

    /// The INVITE that made a call (sent or received), for PJSUA2's
    /// `rdata` of `onIncomingCall` and the like.
    pub fn call_invite(&self, call: CallId) -> Option<&Message> {
        self.calls.get(call).map(|c| &c.invite)
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
        self.calls.unlink(call);
        if let Some(slot) = self.calls.slots.get_mut(call.index as usize) {
            if slot.generation == call.generation {
                slot.call = None;
            }
        }
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
        });
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
        if let Ok(trying) = Message::response_to(request, StatusCode::TRYING).build() {
            let _ = self.stack_mut().respond(now, tx, &trying);
        }
        let remote_uri = request.from().map(|f| {
            let mut a = f.0.clone();
            a.params = sip::Params::new();
            a.to_string()
        });
        let local_uri = request.to().map(|t| t.0.to_string());
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
            auth: ClientAuth::new(Vec::new()),
            rng: Rng::from_seed(0),
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
            retry: None,
            connected_at: None,
            disconnected_at: None,
        };
        let id = self.calls.insert(call);
        self.calls.by_server.insert(tx, id);
        self.calls.by_dialog.insert(dialog_id, id);
        self.push_event(UaEvent::IncomingCall { call: id, account });
    }

    /// A request within a dialog (or an ACK): true if a call took it.
    pub(crate) fn call_on_request(
        &mut self,
        now: Instant,
        tx: Option<ServerTxId>,
        request: &Message,
    ) -> bool {
        let Some(dialog_id) = DialogId::of_received_request(request) else {
            return false;
        };
        let Some(&call) = self.calls.by_dialog.get(&dialog_id) else {
            return false;
        };
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
                    let _ = self.stack_mut().respond(now, tx, &r);
                }
                if code == StatusCode::OK {
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
                    let _ = self.stack_mut().respond(now, tx, &r);
                }
                true
            }
            _ => true,
        }
    }

    fn call_on_ack(&mut self, now: Instant, call: CallId, ack: &Message) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        if c.retransmission.take().is_none() && c.state == CallState::Confirmed {
            return;
        }
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
        self.set_call_state(now, call, CallState::Confirmed);
    }

    /// CANCEL of an incoming call's INVITE: 487, and the call is over.
    pub(crate) fn call_on_cancelled(&mut self, now: Instant, invite: ServerTxId) -> bool {
        let Some(&call) = self.calls.by_server.get(&invite) else {
            return false;
        };
        let _ = self.reject(now, call, StatusCode::REQUEST_TERMINATED, None);
        true
    }

    /// A response to one of a call's requests: true if a call took it.
    pub(crate) fn call_on_response(
        &mut self,
        now: Instant,
        tx: ClientTxId,
        response: &Message,
    ) -> bool {
        let Some(&call) = self.calls.by_client.get(&tx) else {
            return false;
        };
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
            self.call_on_request_response(call, tx, response);
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

    fn call_on_invite_response(
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
        if let Some(session) = negotiated {
            self.push_event(UaEvent::CallMedia {
                call,
                session: Box::new(session),
            });
        }
        if let Some(state) = new_state {
            let cancelled = self.calls.get(call).is_some_and(|c| c.cancelled);
            self.set_call_state(now, call, state);
            if state == CallState::Connecting {
                if cancelled {
                    self.set_call_state(now, call, CallState::Disconnected);
                } else {
                    self.set_call_state(now, call, CallState::Confirmed);
                }
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
    fn retry_invite_with_credentials(
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
    fn retry_invite_with_interval(
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
    fn send_invite_again(
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
        self.calls.by_set.insert(set_id, call);
        Ok(())
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
            .send_request_located(now, request)
            .map_err(|e| CallError::Build(e.to_string()))?;
        self.calls.by_client.insert(tx, call);
        Ok(tx)
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

    /// A call's client transaction ended: true if a call took it.
    pub(crate) fn call_on_client_ended(
        &mut self,
        now: Instant,
        tx: ClientTxId,
        termination: Termination,
    ) -> bool {
        let Some(call) = self.calls.by_client.remove(&tx) else {
            return false;
        };
        if self.calls.requests.contains_key(&tx) {
            self.call_on_request_failed(call, tx, termination == Termination::Timeout);
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
                    let busy = self.calls.get(call).is_some_and(|c| c.reoffer.is_some());
                    if !busy {
                        if let Err(e) =
                            self.reoffer(now, call, Reoffer::Refresh, ReofferMethod::Invite)
                        {
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
