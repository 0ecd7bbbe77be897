//! Delivering the user agent's call events: an incoming call to its
//! account's `on_incoming_call`, state changes and negotiated media to the
//! call's handler — with the streams built, changed or destroyed first —
//! and the release of a call once its last event was delivered. Mid-call
//! events go to [`super::events`].

use std::time::{Duration, Instant};

use ua::{AccountId, CallId, UaEvent};

use super::Call;
use super::handler::{
    OnCallMediaStateParam, OnCallStateParam, OnIncomingCallParam, OnStreamCreatedParam,
    OnStreamDestroyedParam,
};
use super::info::InvState;
use super::plan::MediaPlan;
use super::streams::{CallMedia, Retired};
use super::table::{OfferedCall, SharedCallHandler};
use crate::account::{self, Account};
use crate::endpoint::{Endpoint, lock};

/// The longest `lib_destroy` waits for its BYEs and CANCELs to finish.
pub(crate) const HANGUP_WAIT: Duration = Duration::from_secs(2);

/// Delivers a call event (`IncomingCall`, `CallState`, `CallMedia`).
pub(crate) fn deliver(ep: &Endpoint, event: UaEvent) {
    match event {
        UaEvent::IncomingCall { call, account } => incoming(ep, call, account),
        UaEvent::CallState {
            call,
            state,
            code,
            reason,
            cause,
        } => state_changed(ep, call, state, code, reason, &cause),
        UaEvent::CallTsx { call, tsx } => super::events::tsx_changed(ep, call, &tsx),
        UaEvent::CallMedia { call, session } => media_changed(ep, call, &session),
        UaEvent::CallMediaRepeated { call } => media_repeated(ep, call),
        UaEvent::CallSdpCreated { call, sdp, remote } => {
            super::events::sdp_created(ep, call, *sdp, remote.as_deref());
        }
        UaEvent::CallRedirected { call, target, code } => {
            super::events::redirected(ep, call, target, code);
        }
        UaEvent::TransferRequest { call, request } => {
            super::events::transfer_request(ep, call, &request);
        }
        UaEvent::TransferStatus {
            call,
            code,
            reason,
            final_notify,
        } => super::events::transfer_status(ep, call, code, reason, final_notify),
        UaEvent::CallRequest { call, request } => super::events::request(ep, call, &request),
        UaEvent::CallRequestResult {
            call,
            transaction,
            method,
            code,
            reason,
            response,
        } => {
            let rdata = response
                .map(|(m, from)| super::sip_event::rx_data(&m, from))
                .unwrap_or_default();
            super::events::request_result(ep, call, transaction, method, code, reason, rdata);
        }
        _ => {}
    }
}

/// Answers an incoming call the application does not get with `code`.
fn refuse(ep: &Endpoint, call: CallId, code: u16, reason: Option<&str>) {
    if let Ok(runtime) = ep.runtime("Call") {
        runtime.with_engine(|ua, now| {
            if let Err(e) = ua.answer(now, call, code, reason, None) {
                tracing::debug!(target: "pjsua", "call {}: {code} not sent: {e}", call.index);
            }
        });
    }
}

fn incoming(ep: &Endpoint, call: CallId, account: AccountId) {
    let max = ep.config().ua_config.max_calls as usize;
    let held = lock(&ep.inner.calls).slots.len();
    if held >= max {
        tracing::info!(
            target: "pjsua",
            "Incoming call {} rejected with 486: too many calls (uaConfig.maxCalls is {max})",
            call.index
        );
        refuse(ep, call, 486, Some("Too many calls"));
        return;
    }
    let replaced = ep
        .runtime("Call")
        .ok()
        .and_then(|rt| rt.with_engine(|ua, _| ua.replaced_call(call)));
    if let Some(old) = replaced {
        if super::events::replace(ep, call, account, old) {
            return;
        }
    }
    let handler = account::handler_of(ep, account);
    let config = Account::handle(ep, account).config();
    let (Some(handler), Ok(config)) = (handler, config) else {
        tracing::info!(
            target: "pjsua",
            "Incoming call {} rejected with 500: its account is gone",
            call.index
        );
        refuse(ep, call, 500, None);
        return;
    };
    let title = "Call (incoming)";
    let media = {
        let mut table = lock(&ep.inner.calls);
        MediaPlan::for_account(ep, &config, title).and_then(|plan| {
            let cursor = table.cursor(account, plan.first_port());
            CallMedia::allocate(plan, 1, cursor, title)
        })
    };
    let media = match media {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(
                target: "pjsua",
                "Incoming call {} rejected with 500: no media transport: {}",
                call.index,
                e.reason
            );
            refuse(ep, call, 500, None);
            return;
        }
    };
    // As PJSUA: an offer the call cannot answer is refused (488) before
    // the application sees the call.
    if let Ok(caps) = media.capabilities(ep, title) {
        let checked = ep
            .runtime("Call")
            .ok()
            .map(|rt| rt.with_engine(|ua, _| ua.check_offer(call, &caps)));
        if let Some(Err(ua::CallError::Sdp(e))) = checked {
            let code = e.sip_status();
            tracing::warn!(
                target: "pjsua",
                "Incoming call {} rejected with {code}: the offer cannot be answered: {e}",
                call.index
            );
            refuse(ep, call, code, None);
            return;
        }
    }
    lock(&ep.inner.calls).offered = Some(OfferedCall {
        call,
        account,
        media,
        created: Instant::now(),
    });
    // The INVITE, as PJSUA2 gives it.
    let rdata = ep
        .runtime("Call")
        .ok()
        .and_then(|rt| {
            rt.with_engine(|ua, _| {
                ua.call_invite(call)
                    .map(|invite| super::sip_event::rx_data(invite, ua.call_invite_source(call)))
            })
        })
        .unwrap_or_default();
    let prm = OnIncomingCallParam {
        call_id: i32::try_from(call.index).unwrap_or(i32::MAX),
        rdata,
    };
    let acc = Account::handle(ep, account);
    lock(&handler).on_incoming_call(&acc, &prm);
    let left = {
        let mut table = lock(&ep.inner.calls);
        match table.offered.take() {
            Some(o) if o.call == call => Some(o),
            other => {
                table.offered = other;
                None
            }
        }
    };
    if let Some(left) = left {
        // PJSUA2 answers 500 when onIncomingCall made no Call of it.
        tracing::warn!(
            target: "pjsua",
            "Incoming call {} rejected with 500: onIncomingCall did not take it (make a Call with Call::from_incoming)",
            call.index
        );
        drop(left);
        refuse(ep, call, 500, None);
    }
}

/// Files an incoming call the library takes itself (one replacing
/// another) with `handler`: binds its media as for `on_incoming_call`.
/// None (and the call answered 500) when no transport can be bound.
pub(crate) fn take_incoming(
    ep: &Endpoint,
    call: CallId,
    account: AccountId,
    handler: Box<dyn super::handler::CallHandler>,
) -> Option<Call> {
    let title = "Call (replacing)";
    let config = Account::handle(ep, account).config().ok()?;
    let mut table = lock(&ep.inner.calls);
    let media = MediaPlan::for_account(ep, &config, title).and_then(|plan| {
        let cursor = table.cursor(account, plan.first_port());
        CallMedia::allocate(plan, 1, cursor, title)
    });
    match media {
        Ok(media) => {
            table.slots.insert(
                call,
                super::table::CallSlot::new(
                    account,
                    std::sync::Arc::new(std::sync::Mutex::new(handler)),
                    crate::config::CallSetting::new(true),
                    std::sync::Arc::new(std::sync::Mutex::new(media)),
                    Instant::now(),
                ),
            );
            drop(table);
            Some(Call::handle(ep, call))
        }
        Err(e) => {
            drop(table);
            tracing::warn!(target: "pjsua", "Incoming call {} rejected with 500: no media transport: {}", call.index, e.reason);
            refuse(ep, call, 500, None);
            None
        }
    }
}

/// The call's handler and media, if the application holds the call.
fn parts(
    ep: &Endpoint,
    call: CallId,
) -> Option<(
    SharedCallHandler,
    std::sync::Arc<std::sync::Mutex<CallMedia>>,
)> {
    lock(&ep.inner.calls)
        .slots
        .get(&call)
        .map(|s| (s.handler.clone(), s.media.clone()))
}

/// Tells the handler about streams leaving, then lets them go.
fn retire(handler: &SharedCallHandler, call: &Call, retired: Vec<Retired>) {
    for (idx, stream) in retired {
        let prm = OnStreamDestroyedParam {
            stream: (*stream).clone(),
            stream_idx: idx,
        };
        lock(handler).on_stream_destroyed(call, &prm);
        drop(stream);
    }
}

fn release(ep: &Endpoint, call: CallId) {
    if let Ok(runtime) = ep.runtime("Call") {
        runtime.with_engine(|ua, now| ua.release_call(now, call));
    }
}

fn state_changed(
    ep: &Endpoint,
    call: CallId,
    state: ua::CallState,
    code: u16,
    reason: String,
    cause: &ua::StateCause,
) {
    let disconnected = state == ua::CallState::Disconnected;
    let Some((handler, media)) = parts(ep, call) else {
        if disconnected {
            release(ep, call);
        }
        return;
    };
    if matches!(state, ua::CallState::Early | ua::CallState::Connecting) {
        if let Some(slot) = lock(&ep.inner.calls).slots.get_mut(&call) {
            slot.first_response.get_or_insert_with(Instant::now);
        }
    }
    let handle = Call::handle(ep, call);
    let prm = OnCallStateParam {
        e: super::sip_event::of_state(cause),
        state: InvState::from(state),
        code: i32::from(code),
        reason,
    };
    let reason = prm.reason.clone();
    if disconnected {
        // As PJSUA2: the streams go (onStreamDestroyed) before the
        // DISCONNECTED state is reported.
        let retired = lock(&media).close();
        retire(&handler, &handle, retired);
    }
    lock(&handler).on_call_state(&handle, &prm);
    super::events::transfer_progress(ep, call, state, code, &reason);
    if disconnected {
        lock(&ep.inner.calls).slots.remove(&call);
        release(ep, call);
    }
}

fn media_changed(ep: &Endpoint, call: CallId, session: &sdp::neg::NegotiatedSession) {
    let Some((handler, media)) = parts(ep, call) else {
        return;
    };
    let handle = Call::handle(ep, call);
    let (local_hold, own_offer, opt) = lock(&ep.inner.calls)
        .slots
        .get_mut(&call)
        .map(|s| {
            (
                s.local_hold,
                std::mem::take(&mut s.own_offer),
                s.setting.clone(),
            )
        })
        .unwrap_or_default();
    // A new session of a call that had one, not from our re-offer: the
    // peer offered (already answered by the user agent).
    // (Confirmed: the answer of a 183 and its 200 are not a re-offer.)
    let (confirmed, initial_remote_offer) = ep
        .runtime("Call")
        .ok()
        .and_then(|rt| {
            rt.with_engine(|ua, _| {
                ua.call_status(call)
                    .map(|s| (s.state == ua::CallState::Confirmed, s.remote_offerer))
            })
        })
        .unwrap_or_default();
    let renegotiated = confirmed && !lock(&media).infos().is_empty();
    // PJSUA counts the peer's lines (remAudioCount, remVideoCount) from
    // the offers it receives only: a caller's stay 0 until the peer
    // offers.
    let remote_offer = if renegotiated {
        !own_offer
    } else {
        initial_remote_offer
    };
    if renegotiated {
        if let Some(slot) = lock(&ep.inner.calls).slots.get_mut(&call) {
            slot.rem_offerer = Some(!own_offer);
        }
    }
    if renegotiated && !own_offer {
        let mut prm = super::handler::OnCallRxOfferParam {
            offer: crate::config::SdpSession::default(),
            status_code: 200,
            opt,
        };
        lock(&handler).on_call_rx_offer(&handle, &mut prm);
    }
    let retired = lock(&media).retire(session);
    retire(&handler, &handle, retired);
    let created = {
        let mut m = lock(&media);
        let counts = (m.rem_audio_count, m.rem_video_count);
        let created = m.apply(ep, session, local_hold, "Call (media)");
        if !remote_offer {
            (m.rem_audio_count, m.rem_video_count) = counts;
        }
        created
    };
    for (idx, stream) in created {
        let prm = OnStreamCreatedParam {
            stream,
            stream_idx: idx,
        };
        lock(&handler).on_stream_created(&handle, &prm);
    }
    lock(&handler).on_call_media_state(&handle, &OnCallMediaStateParam {});
}

/// The media of a call reported again, unchanged (a 2xx repeating the
/// early answer): `on_call_media_state`, as PJSUA2 calls it then.
fn media_repeated(ep: &Endpoint, call: CallId) {
    let Some((handler, _)) = parts(ep, call) else {
        return;
    };
    let handle = Call::handle(ep, call);
    lock(&handler).on_call_media_state(&handle, &OnCallMediaStateParam {});
}

/// Hangs up every call (for `lib_destroy`); true if there was any.
pub(crate) fn hangup_all(ep: &Endpoint) -> bool {
    let ids: Vec<CallId> = lock(&ep.inner.calls).slots.keys().copied().collect();
    if ids.is_empty() {
        return false;
    }
    if let Ok(runtime) = ep.runtime("Endpoint::libDestroy()") {
        runtime.with_engine(|ua, now| {
            for id in &ids {
                let _ = ua.hangup(now, *id, 0);
            }
        });
    }
    true
}

/// How many of the user agent's calls are not over yet, and BYEs of
/// ended calls still in flight (DISCONNECTED comes when the BYE is sent).
pub(crate) fn unfinished(ua: &ua::UserAgent) -> usize {
    ua.calls()
        .filter(|&c| {
            ua.call_status(c)
                .is_some_and(|s| s.state != ua::CallState::Disconnected)
        })
        .count()
        + ua.pending_byes()
}

/// Forgets every call, destroying their streams (for `lib_destroy`).
pub(crate) fn clear(ep: &Endpoint) {
    let table = std::mem::take(&mut *lock(&ep.inner.calls));
    drop(table);
}
