//! Call operations: make, take, answer, hang up.

use std::sync::{Arc, Mutex};

use super::handler::CallHandler;
use super::plan::MediaPlan;
use super::streams::CallMedia;
use super::table::{CallSlot, SharedCallHandler};
use super::{Call, call_error};
use crate::account::Account;
use crate::config::{CallOpParam, CallSetting};
use crate::endpoint::lock;
use crate::error::{Error, Result, status};

/// The setting a call runs with: the one given, or PJSUA's default when
/// it is empty (one audio line).
fn effective_setting(opt: &CallSetting) -> CallSetting {
    if opt.is_empty() {
        CallSetting::new(true)
    } else {
        opt.clone()
    }
}

fn too_many(title: &str, max: usize) -> Error {
    Error::new(
        status::PJ_ETOOMANY,
        title,
        format!("too many calls (uaConfig.maxCalls is {max})"),
    )
}

/// Says in the log what of `prm` ferrosip does not do yet.
fn note_unsupported(prm: &CallOpParam, setting: &CallSetting, title: &str) {
    if setting.video_count > 0 {
        tracing::info!(target: "pjsua", "{title}: video is not supported, {} video line(s) left out", setting.video_count);
    }
    let tx = &prm.tx_option;
    if !tx.target_uri.is_empty() || !tx.local_uri.is_empty() || !tx.multipart_parts.is_empty() {
        tracing::info!(target: "pjsua", "{title}: txOption's targetUri, localUri and multipart parts are not used yet");
    }
    if !prm.sdp.whole_sdp.is_empty() {
        tracing::info!(target: "pjsua", "{title}: a given SDP is not used yet; the generated one is sent");
    }
}

impl Call {
    /// Starts a call from `account` to `dst_uri` (PJSUA2's `Call(acc)` then
    /// `makeCall(dstUri, prm)`): binds the media transports, sends the
    /// INVITE with an offer, and returns at once; progress comes to
    /// `handler`'s `on_call_state`. `prm.opt` empty means one audio line;
    /// `prm.txOption.headers` are added to the INVITE.
    /// Beyond `uaConfig.maxCalls` calls: `PJ_ETOOMANY`.
    pub fn make_call(
        account: &Account,
        dst_uri: &str,
        prm: &CallOpParam,
        handler: impl CallHandler + 'static,
    ) -> Result<Self> {
        Self::make_call_boxed(account, dst_uri, prm, Box::new(handler), &[])
    }

    /// [`Call::make_call`] with a boxed handler and headers added to those
    /// of `prm.txOption` (a transfer's Referred-By and Replaces).
    pub(crate) fn make_call_boxed(
        account: &Account,
        dst_uri: &str,
        prm: &CallOpParam,
        handler: Box<dyn CallHandler>,
        extra_headers: &[(String, String)],
    ) -> Result<Self> {
        let title = "Call::makeCall()";
        let ep = account.endpoint().clone();
        let runtime = ep.runtime(title)?;
        if !account.is_valid() {
            return Err(Error::new(
                status::PJ_EGONE,
                title,
                "the account has been shut down",
            ));
        }
        let cfg = account.config().map_err(|e| e.titled(title))?;
        let setting = effective_setting(&prm.opt);
        note_unsupported(prm, &setting, title);
        let max = ep.config().ua_config.max_calls as usize;
        let acc = account.ua_id();
        let plan = MediaPlan::for_account(&ep, &cfg, title)?;
        let media = {
            let mut table = lock(&ep.inner.calls);
            if table.slots.len() >= max {
                return Err(too_many(title, max));
            }
            let cursor = table.cursor(acc, plan.first_port());
            CallMedia::allocate(plan, setting.audio_count, cursor, title)?
        };
        let caps = media.capabilities(&ep, title)?;
        let headers: Vec<(String, String)> = prm
            .tx_option
            .headers
            .iter()
            .map(|h| (h.h_name.clone(), h.h_value.clone()))
            .chain(extra_headers.iter().cloned())
            .collect();
        let options = ua::MakeCallOptions {
            headers,
            review_sdp: handler.reviews_sdp(),
        };
        let handler: SharedCallHandler = Arc::new(Mutex::new(handler));
        let media = Arc::new(Mutex::new(media));
        let calls = &ep.inner.calls;
        let id = runtime.with_engine(|ua, now| {
            // The call is filed under the engine's lock, so that no event
            // of it can be delivered before it is.
            let mut table = lock(calls);
            if table.slots.len() >= max {
                return Err(too_many(title, max));
            }
            let id = ua
                .make_call_with(now, acc, dst_uri, caps, &options)
                .map_err(|e| call_error(title, e))?;
            table
                .slots
                .insert(id, CallSlot::new(acc, handler, setting, media, now));
            Ok(id)
        })?;
        tracing::info!(target: "pjsua", "Making call with acc #{} to {dst_uri}", account.id());
        Ok(Self::handle(&ep, id))
    }

    /// Takes the incoming call `call_id` that
    /// [`crate::AccountHandler::on_incoming_call`] is offering (PJSUA2's
    /// `Call(acc, prm.callId)`): its events go to `handler` from now on.
    /// Only possible inside that callback; a call not taken there is
    /// answered 500.
    pub fn from_incoming(
        account: &Account,
        call_id: i32,
        handler: impl CallHandler + 'static,
    ) -> Result<Self> {
        let title = "Call::fromIncoming()";
        let ep = account.endpoint();
        let mut table = lock(&ep.inner.calls);
        let offered = match table.offered.take() {
            Some(o) if i64::from(o.call.index) == i64::from(call_id) => o,
            other => {
                table.offered = other;
                let taken = table
                    .slots
                    .keys()
                    .any(|c| i64::from(c.index) == i64::from(call_id));
                return Err(if taken {
                    Error::new(
                        status::PJ_EEXISTS,
                        title,
                        format!("call {call_id} already has its Call"),
                    )
                } else {
                    Error::new(
                        status::PJ_EINVALIDOP,
                        title,
                        format!(
                            "no incoming call {call_id} is being offered (take it inside onIncomingCall)"
                        ),
                    )
                });
            }
        };
        let (id, account_id) = (offered.call, offered.account);
        let reviews_sdp = handler.reviews_sdp();
        table.slots.insert(
            id,
            CallSlot::new(
                account_id,
                Arc::new(Mutex::new(Box::new(handler))),
                CallSetting::new(true),
                Arc::new(Mutex::new(offered.media)),
                offered.created,
            ),
        );
        drop(table);
        if reviews_sdp {
            ep.runtime(title)?
                .with_engine(|ua, _| ua.set_call_sdp_review(id, true))
                .map_err(|e| call_error(title, e))?;
        }
        Ok(Self::handle(ep, id))
    }

    /// Answers an incoming call (PJSUA2's `answer`): `prm.statusCode`
    /// 180/183 (183 carries the SDP answer: early media), 200 (the answer,
    /// retransmitted until the ACK), or a final error 300–699 (the call
    /// ends). `prm.reason` replaces the standard phrase when set; a
    /// non-empty `prm.opt` with more audio lines binds them before the
    /// SDP answer is made. `prm.txOption.headers` go into the response
    /// (its `contentType`/`msgBody` too, in a response without SDP).
    pub fn answer(&self, prm: &CallOpParam) -> Result<()> {
        let title = "Call::answer()";
        let runtime = self.runtime(title)?;
        let code = u16::try_from(prm.status_code)
            .ok()
            .filter(|c| (101..700).contains(c))
            .ok_or_else(|| {
                Error::new(
                    status::PJ_EINVAL,
                    title,
                    format!("status code {} cannot answer a call", prm.status_code),
                )
            })?;
        let caps = if code < 300 {
            let media = if prm.opt.is_empty() {
                self.media(title)?
            } else {
                let mut table = lock(&self.ep.inner.calls);
                let slot = table
                    .slots
                    .get_mut(&self.id)
                    .ok_or_else(|| super::gone(title))?;
                slot.setting = prm.opt.clone();
                let (media, account) = (slot.media.clone(), slot.account);
                let mut m = lock(&media);
                let first = m.first_port();
                m.ensure_ports(prm.opt.audio_count, table.cursor(account, first), title)?;
                drop(m);
                media
            };
            let caps = lock(&media).capabilities(&self.ep, title)?;
            Some(caps)
        } else {
            None
        };
        let reason = (!prm.reason.is_empty()).then_some(prm.reason.as_str());
        let id = self.id;
        let opts = super::midcall::tx_options(&prm.tx_option);
        runtime
            .with_engine(|ua, now| ua.answer_with(now, id, code, reason, caps, &opts))
            .map_err(|e| call_error(title, e))
    }

    /// Ends the call whatever its state (PJSUA2's `hangup`): an unanswered
    /// incoming call gets `prm.statusCode` (603 Decline when 0), an
    /// outgoing one not yet answered is cancelled, an answered one gets a
    /// BYE (DISCONNECTED at once, as PJSUA2 reports it; the BYE is
    /// still answered, with credentials if challenged). The call is over
    /// at `on_call_state(DISCONNECTED)`.
    /// `prm.reason` is the reason phrase of the final response,
    /// `prm.txOption` adds headers (and a body) to it or to the BYE, its
    /// headers to the CANCEL.
    pub fn hangup(&self, prm: &CallOpParam) -> Result<()> {
        let title = "Call::hangup()";
        let runtime = self.runtime(title)?;
        let code = u16::try_from(prm.status_code).map_err(|_| {
            Error::new(
                status::PJ_EINVAL,
                title,
                format!("status code {} is out of range", prm.status_code),
            )
        })?;
        let id = self.id;
        let reason = (!prm.reason.is_empty()).then_some(prm.reason.as_str());
        let opts = super::midcall::tx_options(&prm.tx_option);
        runtime
            .with_engine(|ua, now| ua.hangup_with(now, id, code, reason, &opts))
            .map_err(|e| call_error(title, e))
    }
}
