//! Delivering the mid-call events: requests received in a call (INFO
//! DTMF, MESSAGE), answers to ours, DTMF from the streams, transfer
//! requests and their progress both ways, replacement of a call, and
//! redirection.

use sip::header::HeaderName;
use sip_core::stack::ClientTxId;
use ua::{AccountId, CallId, CallRequest, TransferRequest};

use super::Call;
use super::handler::{
    OnCallRedirectedParam, OnCallReplaceRequestParam, OnCallReplacedParam, OnCallSdpCreatedParam,
    OnCallTransferRequestParam, OnCallTransferStatusParam, OnCallTsxStateParam, OnDtmfDigitParam,
    OnDtmfEventParam, OnInstantMessageParam, OnInstantMessageStatusParam, OnTypingIndicationParam,
    PJMEDIA_STREAM_DTMF_IS_END, PJMEDIA_STREAM_DTMF_IS_UPDATE, PJSIP_EVENT_TSX_STATE,
    PJSUA_UNKNOWN_DTMF_DURATION, RedirectOp, SipEvent,
};
use super::midcall::{DTMF_RELAY, IS_COMPOSING};
use super::table::{SentRequest, SharedCallHandler};
use crate::account::{Account, SipRxData};
use crate::config::{CallOpParam, CallSetting, DtmfMethod, SdpSession};
use crate::endpoint::{Endpoint, lock};

fn handler_of(ep: &Endpoint, call: CallId) -> Option<SharedCallHandler> {
    lock(&ep.inner.calls)
        .slots
        .get(&call)
        .map(|s| s.handler.clone())
}

fn with_ua<R>(
    ep: &Endpoint,
    f: impl FnOnce(&mut ua::UserAgent, std::time::Instant) -> R,
) -> Option<R> {
    ep.runtime("Call").ok().map(|rt| rt.with_engine(f))
}

fn rx_data(message: &sip::Message) -> SipRxData {
    let method = message
        .method()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let seq = message.cseq().map_or(0, |c| c.seq);
    SipRxData {
        info: format!("Request msg {method}/cseq={seq}"),
        whole_msg: message.to_string(),
        src_address: String::new(),
    }
}

/// A request the peer sent in the call (answered 200 by the user agent).
pub(crate) fn request(ep: &Endpoint, call: CallId, req: &CallRequest) {
    let Some(handler) = handler_of(ep, call) else {
        return;
    };
    let handle = Call::handle(ep, call);
    let content_type = req.content_type.clone().unwrap_or_default();
    let base_type = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let body = String::from_utf8_lossy(&req.body).into_owned();
    let header = |name| {
        req.message
            .raw_value(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    match (req.method.as_str(), base_type.as_str()) {
        ("INFO", DTMF_RELAY) => {
            let Some((digit, duration)) = parse_dtmf_relay(&body) else {
                tracing::info!(target: "pjsua", "Call {}: unreadable dtmf-relay INFO: {body:?}", call.index);
                return;
            };
            // As PJSUA2 does: onDtmfEvent with the INFO's duration, then
            // onDtmfDigit (PJSUA2 derives it from the event, with the
            // duration unknown).
            lock(&handler).on_dtmf_event(
                &handle,
                &OnDtmfEventParam {
                    method: DtmfMethod::SipInfo,
                    timestamp: 0,
                    digit: digit.clone(),
                    duration,
                    flags: PJMEDIA_STREAM_DTMF_IS_END,
                },
            );
            lock(&handler).on_dtmf_digit(
                &handle,
                &OnDtmfDigitParam {
                    method: DtmfMethod::SipInfo,
                    digit,
                    duration: PJSUA_UNKNOWN_DTMF_DURATION,
                },
            );
        }
        ("MESSAGE", IS_COMPOSING) => {
            let is_typing = body
                .split("<state>")
                .nth(1)
                .and_then(|rest| rest.split("</state>").next())
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("active"));
            lock(&handler).on_typing_indication(
                &handle,
                &OnTypingIndicationParam {
                    from_uri: header(HeaderName::From),
                    to_uri: header(HeaderName::To),
                    contact_uri: header(HeaderName::Contact),
                    is_typing,
                    rdata: rx_data(&req.message),
                },
            );
        }
        ("MESSAGE", _) => {
            lock(&handler).on_instant_message(
                &handle,
                &OnInstantMessageParam {
                    from_uri: header(HeaderName::From),
                    to_uri: header(HeaderName::To),
                    contact_uri: header(HeaderName::Contact),
                    content_type,
                    msg_body: body,
                    rdata: rx_data(&req.message),
                },
            );
        }
        _ => {}
    }
}

/// `Signal=<digit>` and `Duration=<ms>` of a dtmf-relay body (the
/// duration defaults to 160 ms, PJSUA's).
fn parse_dtmf_relay(body: &str) -> Option<(String, u32)> {
    let mut digit = None;
    let mut duration = 160;
    for line in body.lines() {
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "signal" => digit = value.chars().next().map(|c| c.to_string()),
            "duration" => duration = value.parse().unwrap_or(duration),
            _ => {}
        }
    }
    digit.map(|d| (d, duration))
}

/// A transaction of the call changed state: `on_call_tsx_state`.
pub(crate) fn tsx_changed(ep: &Endpoint, call: CallId, tsx: &ua::CallTsx) {
    let Some(handler) = handler_of(ep, call) else {
        return;
    };
    let handle = Call::handle(ep, call);
    let prm = OnCallTsxStateParam {
        e: super::sip_event::of_tsx(tsx),
        method: tsx.method.clone(),
        status_code: i32::from(tsx.status),
        reason: tsx.reason.clone(),
        incoming: tsx.uas,
    };
    lock(&handler).on_call_tsx_state(&handle, &prm);
}

/// The answer to a request we sent in the call.
pub(crate) fn request_result(
    ep: &Endpoint,
    call: CallId,
    tx: ClientTxId,
    method: String,
    code: u16,
    reason: String,
    rdata: SipRxData,
) {
    let (handler, kind) = {
        let mut table = lock(&ep.inner.calls);
        let Some(slot) = table.slots.get_mut(&call) else {
            return;
        };
        (slot.handler.clone(), slot.requests.remove(&tx))
    };
    let handle = Call::handle(ep, call);
    // on_call_tsx_state had the transaction's change (`tsx_changed`).
    let _ = method;
    if let Some(SentRequest::Message { user_data, body }) = kind {
        let to_uri = with_ua(ep, |ua, _| ua.call_status(call).map(|s| s.remote_uri))
            .flatten()
            .unwrap_or_default();
        lock(&handler).on_instant_message_status(
            &handle,
            &OnInstantMessageStatusParam {
                user_data,
                to_uri,
                msg_body: body,
                code: i32::from(code),
                reason,
                rdata,
            },
        );
    }
}

/// A DTMF event of a stream: to the call owning the stream's port.
/// Returns the event when no call owns the port.
pub(crate) fn stream_event(
    ep: &Endpoint,
    port: media::bridge::PortId,
    event: media::stream::StreamEvent,
) -> Option<media::stream::StreamEvent> {
    use media::codec::telephone_event::DtmfEvent;
    let media::stream::StreamEvent::Dtmf(dtmf) = &event else {
        return Some(event);
    };
    let owner = {
        let table = lock(&ep.inner.calls);
        table.slots.iter().find_map(|(id, slot)| {
            let rate = lock(&slot.media).line_of_port(port)?.1;
            Some((*id, slot.handler.clone(), rate))
        })
    };
    let Some((call, handler, rate)) = owner else {
        return Some(event);
    };
    let ms =
        |ts: u32| u32::try_from(u64::from(ts) * 1000 / u64::from(rate.max(1))).unwrap_or(u32::MAX);
    let handle = Call::handle(ep, call);
    match *dtmf {
        DtmfEvent::Started {
            digit, timestamp, ..
        } => {
            lock(&handler).on_dtmf_event(
                &handle,
                &OnDtmfEventParam {
                    method: DtmfMethod::Rfc2833,
                    timestamp: ms(timestamp),
                    digit: digit.to_string(),
                    duration: 0,
                    flags: 0,
                },
            );
            lock(&handler).on_dtmf_digit(
                &handle,
                &OnDtmfDigitParam {
                    method: DtmfMethod::Rfc2833,
                    digit: digit.to_string(),
                    duration: PJSUA_UNKNOWN_DTMF_DURATION,
                },
            );
        }
        DtmfEvent::Ended {
            digit,
            timestamp,
            duration_ms,
            ..
        } => {
            lock(&handler).on_dtmf_event(
                &handle,
                &OnDtmfEventParam {
                    method: DtmfMethod::Rfc2833,
                    timestamp: ms(timestamp),
                    digit: digit.to_string(),
                    duration: duration_ms,
                    // The end of a digit whose start was reported: an
                    // update too, as pjmedia flags it (applications take
                    // "no IS_UPDATE" for a key down).
                    flags: PJMEDIA_STREAM_DTMF_IS_UPDATE | PJMEDIA_STREAM_DTMF_IS_END,
                },
            );
        }
    }
    None
}

/// The peer's REFER: ask the handler, answer, and make the new call.
pub(crate) fn transfer_request(ep: &Endpoint, call: CallId, req: &TransferRequest) {
    let (handler, account) = {
        let table = lock(&ep.inner.calls);
        match table.slots.get(&call) {
            Some(s) => (s.handler.clone(), s.account),
            None => {
                drop(table);
                with_ua(ep, |ua, now| ua.answer_transfer(now, call, 603));
                return;
            }
        }
    };
    let handle = Call::handle(ep, call);
    let mut prm = OnCallTransferRequestParam {
        dst_uri: req.refer_to.clone(),
        status_code: 202,
        opt: CallSetting::new(true),
        new_call: None,
    };
    lock(&handler).on_call_transfer_request(&handle, &mut prm);
    let code = u16::try_from(prm.status_code)
        .ok()
        .filter(|c| (200..700).contains(c))
        .unwrap_or(603);
    if code >= 300 {
        tracing::info!(target: "pjsua", "Call {}: transfer to {} refused with {code}", call.index, prm.dst_uri);
        with_ua(ep, |ua, now| ua.answer_transfer(now, call, code));
        return;
    }
    let new_handler = prm.new_call.take().unwrap_or_else(|| {
        tracing::warn!(
            target: "pjsua",
            "Warning: application has not created new Call instance for call transfer (old call ID: {})",
            call.index
        );
        Box::new(super::handler::NoCallHandler)
    });
    let mut headers = Vec::new();
    if let Some(by) = &req.referred_by {
        headers.push(("Referred-By".to_owned(), by.clone()));
    }
    // An attended transfer: the new call replaces the target's call, when
    // the destination was not redirected.
    if let Some(replaces) = req
        .replaces
        .as_ref()
        .filter(|_| prm.dst_uri == req.refer_to)
    {
        headers.push(("Replaces".to_owned(), replaces.clone()));
    }
    let op = CallOpParam {
        opt: prm.opt.clone(),
        ..CallOpParam::default()
    };
    let made = Call::make_call_boxed(
        &Account::handle(ep, account),
        &prm.dst_uri,
        &op,
        new_handler,
        &headers,
    );
    match made {
        Ok(new_call) => {
            if let Some(slot) = lock(&ep.inner.calls).slots.get_mut(&new_call.id) {
                slot.transfer_for = Some(call);
            }
            tracing::info!(target: "pjsua", "Call {}: transferred to {} as call {}", call.index, prm.dst_uri, new_call.id.index);
            with_ua(ep, |ua, now| ua.answer_transfer(now, call, code));
        }
        Err(e) => {
            tracing::info!(target: "pjsua", "Call {}: the transfer's call to {} failed: {}", call.index, prm.dst_uri, e.reason);
            with_ua(ep, |ua, now| ua.answer_transfer(now, call, 500));
        }
    }
}

/// A state change of a call made for a transfer: progress to the
/// transferor (180 → 200 final, or the failure).
pub(crate) fn transfer_progress(
    ep: &Endpoint,
    call: CallId,
    state: ua::CallState,
    code: u16,
    reason: &str,
) {
    let Some(referring) = lock(&ep.inner.calls)
        .slots
        .get(&call)
        .and_then(|s| s.transfer_for)
    else {
        return;
    };
    let report = match state {
        ua::CallState::Early if code > 100 => Some((code, false)),
        ua::CallState::Confirmed => Some((200, true)),
        ua::CallState::Disconnected => Some((if code >= 300 { code } else { 487 }, true)),
        _ => None,
    };
    let Some((code, final_notify)) = report else {
        return;
    };
    let reason = if reason.is_empty() || state == ua::CallState::Confirmed {
        sip::StatusCode::new(code)
            .map(|c| c.canonical_reason().to_owned())
            .unwrap_or_default()
    } else {
        reason.to_owned()
    };
    with_ua(ep, |ua, now| {
        if let Err(e) = ua.notify_transfer(now, referring, code, &reason, final_notify) {
            tracing::debug!(target: "pjsua", "transfer NOTIFY not sent: {e}");
        }
    });
    if final_notify {
        if let Some(slot) = lock(&ep.inner.calls).slots.get_mut(&call) {
            slot.transfer_for = None;
        }
    }
}

/// Progress of a transfer we asked for.
pub(crate) fn transfer_status(
    ep: &Endpoint,
    call: CallId,
    code: u16,
    reason: String,
    final_notify: bool,
) {
    let (handler, quiet) = {
        let table = lock(&ep.inner.calls);
        let Some(slot) = table.slots.get(&call) else {
            return;
        };
        (slot.handler.clone(), slot.transfer_quiet)
    };
    if quiet {
        return;
    }
    let handle = Call::handle(ep, call);
    let mut prm = OnCallTransferStatusParam {
        status_code: i32::from(code),
        reason,
        final_notify,
        // PJSUA: `cont = !is_last`.
        cont: !final_notify,
    };
    lock(&handler).on_call_transfer_status(&handle, &mut prm);
    if !prm.cont {
        if let Some(slot) = lock(&ep.inner.calls).slots.get_mut(&call) {
            slot.transfer_quiet = true;
        }
    }
}

/// An incoming INVITE with Replaces naming `old`: the old call's handler
/// decides; accepted, the new call is answered 200 and the old one hung
/// up. Returns false when `old` is not the application's (the INVITE then
/// goes to `on_incoming_call` as any other).
pub(crate) fn replace(ep: &Endpoint, call: CallId, account: AccountId, old: CallId) -> bool {
    let Some(old_handler) = handler_of(ep, old) else {
        return false;
    };
    let old_handle = Call::handle(ep, old);
    let rdata = with_ua(ep, |ua, _| {
        ua.call_invite(call)
            .map(|invite| super::sip_event::rx_data(invite, ua.call_invite_source(call)))
    })
    .flatten()
    .unwrap_or_default();
    let mut prm = OnCallReplaceRequestParam {
        rdata,
        status_code: 200,
        reason: String::new(),
        opt: CallSetting::new(true),
        new_call: None,
    };
    lock(&old_handler).on_call_replace_request(&old_handle, &mut prm);
    let code = u16::try_from(prm.status_code).unwrap_or(500);
    if !(200..700).contains(&code) || code >= 300 {
        let code = if (300..700).contains(&code) {
            code
        } else {
            500
        };
        let reason = (!prm.reason.is_empty()).then_some(prm.reason.as_str());
        with_ua(ep, |ua, now| ua.answer(now, call, code, reason, None));
        return true;
    }
    let handler = prm.new_call.take().unwrap_or_else(|| {
        tracing::warn!(
            target: "pjsua",
            "Warning: application has not created new Call instance for the call replacing call {}",
            old.index
        );
        Box::new(super::handler::NoCallHandler)
    });
    let Some(new_call) = super::deliver::take_incoming(ep, call, account, handler) else {
        return true;
    };
    let answered = new_call.answer(&CallOpParam {
        status_code: 200,
        opt: prm.opt,
        ..CallOpParam::default()
    });
    if let Err(e) = answered {
        tracing::warn!(target: "pjsua", "Call {}: the replacing call was not answered: {}", call.index, e.reason);
        return true;
    }
    lock(&old_handler).on_call_replaced(
        &old_handle,
        &OnCallReplacedParam {
            new_call_id: new_call.id(),
            new_call: new_call.clone(),
        },
    );
    let _ = old_handle.hangup(&CallOpParam::default());
    true
}

/// A 3xx: ask the handler what to do with its target.
pub(crate) fn redirected(ep: &Endpoint, call: CallId, target: String, code: u16) {
    let op = match handler_of(ep, call) {
        Some(handler) => {
            let handle = Call::handle(ep, call);
            let prm = OnCallRedirectedParam {
                target_uri: target.clone(),
                e: SipEvent::of_type(PJSIP_EVENT_TSX_STATE),
            };
            lock(&handler).on_call_redirected(&handle, &prm)
        }
        None => RedirectOp::Stop,
    };
    tracing::info!(target: "pjsua", "Call {}: redirected ({code}) to {target}: {op:?}", call.index);
    let op = match op {
        RedirectOp::Pending => return,
        RedirectOp::Accept | RedirectOp::AcceptReplace => ua::RedirectOp::Accept,
        RedirectOp::Reject => ua::RedirectOp::Reject,
        RedirectOp::Stop => ua::RedirectOp::Stop,
    };
    with_ua(ep, |ua, now| {
        if let Err(e) = ua.process_redirect(now, call, op) {
            tracing::debug!(target: "pjsua", "call {}: redirect not processed: {e}", call.index);
        }
    });
}

/// Our SDP was made for a call whose handler reviews it: the handler sees
/// it (PJSUA2's `onCallSdpCreated`), and what it leaves in `prm.sdp` is
/// handed back to the user agent, which sends it. An SDP that does not
/// parse is not sent: the one made goes.
pub(crate) fn sdp_created(
    ep: &Endpoint,
    call: CallId,
    made: sdp::SessionDescription,
    remote: Option<&sdp::SessionDescription>,
) {
    let text = made.to_string();
    let mut prm = OnCallSdpCreatedParam {
        sdp: SdpSession {
            whole_sdp: text.clone(),
        },
        rem_sdp: SdpSession {
            whole_sdp: remote.map(ToString::to_string).unwrap_or_default(),
        },
    };
    if let Some(handler) = handler_of(ep, call) {
        lock(&handler).on_call_sdp_created(&Call::handle(ep, call), &mut prm);
    }
    let sdp = if prm.sdp.whole_sdp == text {
        made
    } else {
        match sdp::SessionDescription::parse_str(&prm.sdp.whole_sdp) {
            Ok(changed) => changed,
            Err(e) => {
                tracing::warn!(
                    target: "pjsua",
                    "Call {}: the SDP from onCallSdpCreated does not parse ({e}): the SDP made is sent",
                    call.index
                );
                made
            }
        }
    };
    let sent = with_ua(ep, |ua, now| ua.sdp_reviewed(now, call, sdp));
    if let Some(Err(e)) = sent {
        tracing::debug!(target: "pjsua", "Call {}: reviewed SDP not sent: {e}", call.index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtmf_relay_bodies_are_read() {
        assert_eq!(
            parse_dtmf_relay("Signal=5\r\nDuration=160\r\n"),
            Some(("5".to_owned(), 160))
        );
        assert_eq!(
            parse_dtmf_relay("signal= #\nduration = 250"),
            Some(("#".to_owned(), 250))
        );
        assert_eq!(parse_dtmf_relay("Signal=*"), Some(("*".to_owned(), 160)));
        assert_eq!(parse_dtmf_relay("Duration=100"), None);
    }

    #[test]
    fn typing_bodies_say_active_or_idle() {
        let b = super::super::midcall::is_composing_body(true);
        assert!(b.contains("<state>active</state>"), "{b}");
        assert!(super::super::midcall::is_composing_body(false).contains("<state>idle</state>"));
    }
}
