//! Mid-call operations: hold, re-INVITE, UPDATE, DTMF, in-call messages
//! and requests, transfer, redirection decisions.
//!
//! What `prm` of these operations is used for: `CallOpParam.opt.flag`'s
//! `UNHOLD` in [`Call::reinvite`] and [`Call::update`]; `txOption.headers`
//! are added to the re-INVITE, UPDATE or REFER (and `contentType` with
//! `msgBody` become the REFER's body; a re-offer carries its SDP). The
//! `txOption` headers of [`Call::send_instant_message`],
//! [`Call::send_typing_indication`] and [`Call::send_request`] are added to
//! the request (and `sendRequest`'s body is its own). Multipart parts
//! are not used yet.

use ua::{Reoffer, ReofferMethod};

use super::handler::RedirectOp;
use super::table::SentRequest;
use super::{Call, call_error, gone};
use crate::config::SipTxOption;
use crate::config::{
    CallOpParam, CallSendDtmfParam, CallSendRequestParam, CallSetting, DtmfMethod,
    SendInstantMessageParam, SendTypingIndicationParam,
};
use crate::endpoint::lock;
use crate::error::{Error, Result, status};

/// PJSIP's `PJSIP_ESESSIONSTATE` ("invalid session state"), what PJSUA2's
/// `reinvite`/`setHold` return before the call is confirmed.
const PJSIP_ESESSIONSTATE: i32 = 171_141;

/// The content type of SIP INFO DTMF (as PJSUA sends it).
pub const DTMF_RELAY: &str = "application/dtmf-relay";
/// The content type of RFC 3994 typing indications.
pub const IS_COMPOSING: &str = "application/im-iscomposing+xml";
/// How long a digit of [`Call::dial_dtmf`] lasts, ms (pjmedia's
/// `PJMEDIA_DTMF_DURATION`, 1600 samples at 8 kHz).
const DIAL_DTMF_MS: u32 = 200;
/// The duration `CallSendDtmfParam.duration` 0 stands for
/// (`PJSUA_CALL_SEND_DTMF_DURATION_DEFAULT`).
const SEND_DTMF_DEFAULT_MS: u32 = 160;

/// The body of a typing indication (PJSIP's `pjsip_iscomposing_create_xml`
/// shape).
pub(crate) fn is_composing_body(is_typing: bool) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"urn:ietf:params:xml:ns:im-composing iscomposing.xsd\">\n\
         \x20 <state>{}</state>\n\
         \x20 <contenttype>text/plain</contenttype>\n\
         </isComposing>\n",
        if is_typing { "active" } else { "idle" }
    )
}

fn headers_of(tx: &SipTxOption) -> Vec<(String, String)> {
    tx.headers
        .iter()
        .map(|h| (h.h_name.clone(), h.h_value.clone()))
        .collect()
}

/// What `txOption` adds to a message of the call: its headers, and its
/// body when both `contentType` and `msgBody` are set (as PJSUA's
/// `pjsua_process_msg_data` requires).
pub(crate) fn tx_options(tx: &SipTxOption) -> ua::TxOptions {
    let body = (!tx.content_type.trim().is_empty() && !tx.msg_body.is_empty()).then(|| {
        (
            tx.content_type.trim().to_owned(),
            tx.msg_body.clone().into_bytes(),
        )
    });
    ua::TxOptions {
        headers: headers_of(tx),
        body,
    }
}

fn check_digits(digits: &str, title: &str) -> Result<()> {
    if digits.is_empty()
        || !digits
            .chars()
            .all(|c| c.is_ascii_digit() || "*#ABCDabcd".contains(c))
    {
        return Err(Error::new(
            status::PJMEDIA_RTP_EINDTMF,
            title,
            format!("{digits:?} is not a string of DTMF digits (0-9, *, #, A-D)"),
        ));
    }
    Ok(())
}

impl Call {
    fn reoffer(
        &self,
        title: &str,
        what: Reoffer,
        method: ReofferMethod,
        prm: &CallOpParam,
    ) -> Result<()> {
        let runtime = self.runtime(title)?;
        let (id, calls) = (self.id, &self.ep.inner.calls);
        let opts = tx_options(&prm.tx_option);
        runtime.with_engine(|ua, now| {
            ua.reoffer_with(now, id, what, method, &opts)
                .map_err(|e| match e {
                    // As PJSUA: a re-INVITE before CONFIRMED, an UPDATE
                    // before the dialog exists, are PJSIP_ESESSIONSTATE.
                    ua::CallError::InvalidState(_, state)
                        if state != ua::CallState::Confirmed
                            && !(method == ReofferMethod::Update
                                && state == ua::CallState::Early) =>
                    {
                        Error::new(PJSIP_ESESSIONSTATE, title, e.to_string())
                    }
                    e => call_error(title, e),
                })?;
            // Filed under the engine's lock: the answer cannot be
            // delivered before.
            if let Some(slot) = lock(calls).slots.get_mut(&id) {
                slot.own_offer = true;
                match what {
                    Reoffer::Hold => slot.local_hold = true,
                    Reoffer::Unhold => slot.local_hold = false,
                    Reoffer::Refresh => {}
                }
            }
            Ok(())
        })
    }

    /// Puts the call on hold (PJSUA2's `setHold`): a re-INVITE offering
    /// `sendonly` (`inactive` if the peer holds us too). When it is
    /// answered, `on_call_media_state` comes with the line's status
    /// `LOCAL_HOLD` (the peer sees `REMOTE_HOLD`), and the bridge stops
    /// feeding the stream where the SDP says it does not send. Release it
    /// with [`Call::reinvite`] and [`CallSetting::UNHOLD`].
    pub fn set_hold(&self, prm: &CallOpParam) -> Result<()> {
        self.reoffer("Call::setHold()", Reoffer::Hold, ReofferMethod::Invite, prm)
    }

    /// Sends a re-INVITE with a new offer (PJSUA2's `reinvite`): with
    /// `prm.opt.flag` holding [`CallSetting::UNHOLD`] it releases our
    /// hold, otherwise it offers the same media again (keeping a hold).
    /// One re-offer at a time: `PJ_EINVALIDOP` while one is in flight or
    /// the call is not confirmed.
    pub fn reinvite(&self, prm: &CallOpParam) -> Result<()> {
        self.reoffer("Call::reinvite()", what_of(prm), ReofferMethod::Invite, prm)
    }

    /// Sends an UPDATE with a new offer (PJSUA2's `update`, RFC 3311),
    /// also in an early dialog; `UNHOLD` as in [`Call::reinvite`].
    pub fn update(&self, prm: &CallOpParam) -> Result<()> {
        self.reoffer("Call::update()", what_of(prm), ReofferMethod::Update, prm)
    }

    /// Sends DTMF digits as RFC 4733 events through the call's first
    /// audio stream, 200 ms each (PJSUA2's `dialDtmf`). `PJ_EINVALIDOP`
    /// without a stream, `PJMEDIA_RTP_EINDTMF` for a character that is no
    /// digit or when the peer has no telephone-event.
    pub fn dial_dtmf(&self, digits: &str) -> Result<()> {
        let title = "Call::dialDtmf()";
        check_digits(digits, title)?;
        self.dtmf_rtp(digits, DIAL_DTMF_MS, title)
    }

    fn dtmf_rtp(&self, digits: &str, duration_ms: u32, title: &str) -> Result<()> {
        let media = self.media(title)?;
        let m = lock(&media);
        let stream = m
            .stream(-1, title)
            .map_err(|e| Error::new(status::PJ_EINVALIDOP, title, e.reason))?;
        stream
            .send_dtmf(digits, duration_ms)
            .map_err(|e| e.titled(title))
    }

    /// Sends DTMF digits (PJSUA2's `sendDtmf`): `RFC2833` as
    /// [`Call::dial_dtmf`] with `prm.duration` ms each, or `SIP_INFO`: one
    /// INFO per digit with `application/dtmf-relay` and the body
    /// `Signal=<digit>\r\nDuration=<ms>\r\n`, as PJSUA formats it.
    /// `duration` 0 means 160 ms.
    pub fn send_dtmf(&self, prm: &CallSendDtmfParam) -> Result<()> {
        let title = "Call::sendDtmf()";
        check_digits(&prm.digits, title)?;
        let duration = if prm.duration == 0 {
            SEND_DTMF_DEFAULT_MS
        } else {
            prm.duration
        };
        match prm.method {
            DtmfMethod::Rfc2833 => self.dtmf_rtp(&prm.digits, duration, title),
            DtmfMethod::SipInfo => {
                for digit in prm.digits.chars() {
                    let body = format!("Signal={digit}\r\nDuration={duration}\r\n");
                    self.send_in_call(
                        title,
                        "INFO",
                        Some((DTMF_RELAY, body.as_bytes())),
                        &[],
                        SentRequest::Other,
                    )?;
                }
                Ok(())
            }
        }
    }

    /// Sends a request in the call's dialog; its answer comes to
    /// `on_call_tsx_state` (and `kind` says what else).
    fn send_in_call(
        &self,
        title: &str,
        method: &str,
        body: Option<(&str, &[u8])>,
        headers: &[(String, String)],
        kind: SentRequest,
    ) -> Result<()> {
        let runtime = self.runtime(title)?;
        let (id, calls) = (self.id, &self.ep.inner.calls);
        runtime.with_engine(|ua, now| {
            let tx = ua
                .send_in_call(now, id, method, body, headers)
                .map_err(|e| call_error(title, e))?;
            if let Some(slot) = lock(calls).slots.get_mut(&id) {
                slot.requests.insert(tx, kind);
            }
            Ok(())
        })
    }

    /// Sends an instant message in the call's dialog (PJSUA2's
    /// `sendInstantMessage`): a MESSAGE with `prm.contentType` (text/plain
    /// when empty) and `prm.content`. The answer comes to
    /// `on_instant_message_status` with `prm.userData`.
    pub fn send_instant_message(&self, prm: &SendInstantMessageParam) -> Result<()> {
        let title = "Call::sendInstantMessage()";
        let content_type = if prm.content_type.trim().is_empty() {
            "text/plain"
        } else {
            prm.content_type.trim()
        };
        self.send_in_call(
            title,
            "MESSAGE",
            Some((content_type, prm.content.as_bytes())),
            &headers_of(&prm.tx_option),
            SentRequest::Message {
                user_data: prm.user_data,
                body: prm.content.clone(),
            },
        )
    }

    /// Tells the peer we are typing or not (PJSUA2's
    /// `sendTypingIndication`): a MESSAGE with an RFC 3994
    /// `application/im-iscomposing+xml` body, state `active` or `idle`.
    pub fn send_typing_indication(&self, prm: &SendTypingIndicationParam) -> Result<()> {
        let title = "Call::sendTypingIndication()";
        let body = is_composing_body(prm.is_typing);
        self.send_in_call(
            title,
            "MESSAGE",
            Some((IS_COMPOSING, body.as_bytes())),
            &headers_of(&prm.tx_option),
            SentRequest::Other,
        )
    }

    /// Sends any request in the call's dialog (PJSUA2's `sendRequest`),
    /// e.g. INFO: `prm.method`, with `prm.txOption`'s headers and, when
    /// `contentType` is set, its `msgBody`. The answer comes to
    /// `on_call_tsx_state`. INVITE, ACK, CANCEL, BYE, UPDATE and PRACK are
    /// the call's own (`PJ_EINVAL`).
    pub fn send_request(&self, prm: &CallSendRequestParam) -> Result<()> {
        let title = "Call::sendRequest()";
        let tx = &prm.tx_option;
        let body = (!tx.content_type.trim().is_empty())
            .then(|| (tx.content_type.trim(), tx.msg_body.as_bytes()));
        self.send_in_call(
            title,
            &prm.method,
            body,
            &headers_of(tx),
            SentRequest::Other,
        )
    }

    /// Asks the peer to call `dest` (blind transfer, PJSUA2's `xfer`): a
    /// REFER with Referred-By. Progress comes to
    /// `on_call_transfer_status`; the call stays up until hung up.
    pub fn xfer(&self, dest: &str, prm: &CallOpParam) -> Result<()> {
        let title = "Call::xfer()";
        let runtime = self.runtime(title)?;
        self.clear_transfer_quiet(title)?;
        let id = self.id;
        let opts = tx_options(&prm.tx_option);
        runtime
            .with_engine(|ua, now| ua.transfer_with(now, id, dest, None, &opts))
            .map(|_| ())
            .map_err(|e| call_error(title, e))
    }

    /// Asks the peer to call the peer of `dest_call` and replace that
    /// call (attended transfer, PJSUA2's `xferReplaces`): a REFER whose
    /// Refer-To carries the other dialog's Replaces (RFC 3891).
    pub fn xfer_replaces(&self, dest_call: &Self, prm: &CallOpParam) -> Result<()> {
        let title = "Call::xferReplaces()";
        let opts = tx_options(&prm.tx_option);
        let runtime = self.runtime(title)?;
        if !std::sync::Arc::ptr_eq(&self.ep.inner, &dest_call.ep.inner) || dest_call == self {
            return Err(Error::new(
                status::PJ_EINVAL,
                title,
                "the other call must be another call of this endpoint",
            ));
        }
        dest_call.slot(title, |_| ())?;
        self.clear_transfer_quiet(title)?;
        let (id, other) = (self.id, dest_call.id);
        runtime
            .with_engine(|ua, now| ua.transfer_with(now, id, "", Some(other), &opts))
            .map(|_| ())
            .map_err(|e| call_error(title, e))
    }

    fn clear_transfer_quiet(&self, title: &str) -> Result<()> {
        self.slot(title, |s| s.transfer_quiet = false)
    }

    /// Decides about the redirection target last reported to
    /// `on_call_redirected` when it answered [`RedirectOp::Pending`]
    /// (PJSUA2's `processRedirect`): `Accept`/`AcceptReplace` call it,
    /// `Reject` skips to the next target (reported in turn), `Stop` ends
    /// the call with the 3xx. `Pending` is no decision (`PJ_EINVAL`).
    pub fn process_redirect(&self, cmd: RedirectOp) -> Result<()> {
        let title = "Call::processRedirect()";
        let op = match cmd {
            RedirectOp::Accept | RedirectOp::AcceptReplace => ua::RedirectOp::Accept,
            RedirectOp::Reject => ua::RedirectOp::Reject,
            RedirectOp::Stop => ua::RedirectOp::Stop,
            RedirectOp::Pending => {
                return Err(Error::new(
                    status::PJ_EINVAL,
                    title,
                    "PENDING is not a decision",
                ));
            }
        };
        let runtime = self.runtime(title)?;
        let id = self.id;
        runtime
            .with_engine(|ua, now| ua.process_redirect(now, id, op))
            .map_err(|e| match e {
                ua::CallError::NotFound => gone(title),
                e => call_error(title, e),
            })
    }
}

/// Unhold when `prm.opt.flag` has `UNHOLD`, else a refresh.
fn what_of(prm: &CallOpParam) -> Reoffer {
    if prm.opt.flag & CallSetting::UNHOLD != 0 {
        Reoffer::Unhold
    } else {
        Reoffer::Refresh
    }
}
