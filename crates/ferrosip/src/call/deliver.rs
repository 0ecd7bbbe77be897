//! Delivering the user agent's call events: an incoming call to its
//! account's `on_incoming_call`, state changes and negotiated media to the
//! call's handler — with the streams built, changed or destroyed first —
//! and the release of a call once its last event was delivered. Events
//! with no callback yet get PJSUA2's default answer (a redirection is not
//! followed) or a refusal (a transfer request).

use std::time::{Duration, Instant};

use ua::{AccountId, CallId, UaEvent};

use super::Call;
use super::handler::{
    OnCallMediaStateParam, OnCallStateParam, OnIncomingCallParam, OnStreamCreatedParam,
    OnStreamDestroyedParam, PJSIP_EVENT_TSX_STATE, PJSIP_EVENT_USER, SipEvent,
};
use super::info::InvState;
use super::plan::MediaPlan;
use super::streams::{CallMedia, Retired};
use super::table::{OfferedCall, SharedCallHandler};
use crate::account::{self, Account, SipRxData};
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
        } => state_changed(ep, call, state, code, reason),
        UaEvent::CallMedia { call, session } => media_changed(ep, call, &session),
        UaEvent::CallRedirected { call, target, code } => {
            // PJSUA2's default `onCallRedirected` answers STOP: the call
            // ends with the 3xx. (ferrosip has no `onCallRedirected` yet.)
            tracing::info!(
                target: "pjsua",
                "Call {}: redirected ({code}) to {target}, not followed: the call ends (onCallRedirected is not available yet)",
                call.index
            );
            if let Ok(runtime) = ep.runtime("Call") {
                runtime.with_engine(|ua, now| {
                    let _ = ua.process_redirect(now, call, ua::RedirectOp::Stop);
                });
            }
        }
        UaEvent::TransferRequest { call, .. } => {
            // Without `onCallTransferRequest` nothing can make the new
            // call: refuse rather than leave the REFER unanswered.
            tracing::info!(
                target: "pjsua",
                "Call {}: transfer request refused with 603 (onCallTransferRequest is not available yet)",
                call.index
            );
            if let Ok(runtime) = ep.runtime("Call") {
                runtime.with_engine(|ua, now| {
                    let _ = ua.answer_transfer(now, call, 603);
                });
            }
        }
        // INFO/MESSAGE in a call, results of our in-call requests, the
        // progress of our transfers: no callbacks for them yet.
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
    lock(&ep.inner.calls).offered = Some(OfferedCall {
        call,
        account,
        media,
        created: Instant::now(),
    });
    let prm = OnIncomingCallParam {
        call_id: i32::try_from(call.index).unwrap_or(i32::MAX),
        rdata: SipRxData::default(),
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

fn state_changed(ep: &Endpoint, call: CallId, state: ua::CallState, code: u16, reason: String) {
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
        e: SipEvent {
            type_: if code == 0 {
                PJSIP_EVENT_USER
            } else {
                PJSIP_EVENT_TSX_STATE
            },
        },
        state: InvState::from(state),
        code: i32::from(code),
        reason,
    };
    lock(&handler).on_call_state(&handle, &prm);
    if disconnected {
        let retired = lock(&media).close();
        retire(&handler, &handle, retired);
        lock(&ep.inner.calls).slots.remove(&call);
        release(ep, call);
    }
}

fn media_changed(ep: &Endpoint, call: CallId, session: &sdp::neg::NegotiatedSession) {
    let Some((handler, media)) = parts(ep, call) else {
        return;
    };
    let handle = Call::handle(ep, call);
    let retired = lock(&media).retire(session);
    retire(&handler, &handle, retired);
    let created = lock(&media).apply(ep, session, "Call (media)");
    for (idx, stream) in created {
        let prm = OnStreamCreatedParam {
            stream,
            stream_idx: idx,
        };
        lock(&handler).on_stream_created(&handle, &prm);
    }
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

/// How many of the user agent's calls are not over yet.
pub(crate) fn unfinished(ua: &ua::UserAgent) -> usize {
    ua.calls()
        .filter(|&c| {
            ua.call_status(c)
                .is_some_and(|s| s.state != ua::CallState::Disconnected)
        })
        .count()
}

/// Forgets every call, destroying their streams (for `lib_destroy`).
pub(crate) fn clear(ep: &Endpoint) {
    let table = std::mem::take(&mut *lock(&ep.inner.calls));
    drop(table);
}
