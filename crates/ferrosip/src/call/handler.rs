//! The call's callbacks (PJSUA2's `Call::on*` virtuals), their parameters,
//! and the account's `onIncomingCall` parameter.

use super::Call;
use super::info::InvState;
pub use super::sip_event::SipEvent;
use crate::account::SipRxData;
use crate::config::enums::pj_enum;
use crate::config::{CallSetting, DtmfMethod, SdpSession, Token};
use crate::error::{Error, status};
use crate::media::AudioMedia;

/// PJSIP's `pjsip_event_id_e` value `PJSIP_EVENT_UNKNOWN`.
pub const PJSIP_EVENT_UNKNOWN: i32 = 0;
/// `PJSIP_EVENT_TIMER`: a timer fired.
pub const PJSIP_EVENT_TIMER: i32 = 1;
/// `PJSIP_EVENT_TX_MSG`: a message was sent.
pub const PJSIP_EVENT_TX_MSG: i32 = 2;
/// `PJSIP_EVENT_RX_MSG`: a message was received.
pub const PJSIP_EVENT_RX_MSG: i32 = 3;
/// `PJSIP_EVENT_TRANSPORT_ERROR`: a transport failed.
pub const PJSIP_EVENT_TRANSPORT_ERROR: i32 = 4;
/// `PJSIP_EVENT_TSX_STATE`: a transaction changed state.
pub const PJSIP_EVENT_TSX_STATE: i32 = 5;
/// `PJSIP_EVENT_USER`: an event of the application or the library.
pub const PJSIP_EVENT_USER: i32 = 6;

/// PJSUA2's `OnIncomingCallParam`: a call arrived for the account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnIncomingCallParam {
    /// The call's id, for [`Call::from_incoming`].
    pub call_id: i32,
    /// The INVITE: its summary (`Request msg INVITE/cseq=…`), its text
    /// and where it came from.
    pub rdata: SipRxData,
}

/// PJSUA2's `OnCallStateParam`: the call's state changed.
///
/// PJSUA2 has only `e`; the state is read with `getInfo()`, which shows
/// the state *now*, possibly later than this change (a caller's
/// CONNECTING is followed at once by CONFIRMED). ferrosip adds the state
/// the change led to and its status, so that no step is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnCallStateParam {
    /// What caused the change.
    pub e: SipEvent,
    /// The state the call entered (a ferrosip addition).
    pub state: InvState,
    /// The last status code at that moment (a ferrosip addition).
    pub code: i32,
    /// Its reason phrase (a ferrosip addition).
    pub reason: String,
}

/// PJSUA2's `OnCallMediaStateParam` (empty): the call's media changed;
/// read [`Call::info`]'s `media` and connect [`Call::audio_media`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OnCallMediaStateParam {}

/// PJSUA2's `OnCallTsxStateParam`: a transaction of the call changed
/// state — every one, as PJSUA2 reports them: the INVITE and re-INVITEs
/// (sent: CALLING, PROCEEDING per provisional response, TERMINATED on a
/// 2xx or COMPLETED on an error; received: TRYING, PROCEEDING,
/// COMPLETED, TERMINATED at the ACK), UPDATE, BYE, CANCEL, PRACK, REFER,
/// NOTIFY, INFO, MESSAGE. `e.body.tsxState` has the transaction (method,
/// role, state, status, `lastTx`) and the message that made the change
/// (`src.rdata` or `src.tdata`); ferrosip adds the method, status and
/// role at the top.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnCallTsxStateParam {
    /// The event (`PJSIP_EVENT_TSX_STATE`).
    pub e: SipEvent,
    /// The request's method (`INFO`, `MESSAGE`, …; a ferrosip addition).
    pub method: String,
    /// The transaction's status (a ferrosip addition): 0 when the request
    /// was just sent or received, then the response received or sent;
    /// 408/503 when our request got no answer.
    pub status_code: i32,
    /// Its reason phrase (a ferrosip addition).
    pub reason: String,
    /// True for a request the peer sent, false for one of ours (a
    /// ferrosip addition; PJSUA2's `e.body.tsxState.tsx.role`).
    pub incoming: bool,
}

/// `PJSUA_UNKNOWN_DTMF_DURATION`: the duration of a digit reported at its
/// start (RFC 4733), before its end is known.
pub const PJSUA_UNKNOWN_DTMF_DURATION: u32 = u32::MAX;
/// `PJMEDIA_STREAM_DTMF_IS_UPDATE`: the event is an update of a digit
/// already reported.
pub const PJMEDIA_STREAM_DTMF_IS_UPDATE: u32 = 1;
/// `PJMEDIA_STREAM_DTMF_IS_END`: the digit ended.
pub const PJMEDIA_STREAM_DTMF_IS_END: u32 = 2;

/// PJSUA2's `OnDtmfDigitParam`: a DTMF digit was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDtmfDigitParam {
    /// How it came: RFC 2833/4733 events or SIP INFO.
    pub method: DtmfMethod,
    /// The digit (`"0"`–`"9"`, `"*"`, `"#"`, `"A"`–`"D"`).
    pub digit: String,
    /// [`PJSUA_UNKNOWN_DTMF_DURATION`], whatever the method: PJSUA2 calls
    /// `onDtmfDigit` right after the `onDtmfEvent` of a digit's start (RFC
    /// 4733) or of a SIP INFO, and does not pass the duration on (read it
    /// in `on_dtmf_event`).
    pub duration: u32,
}

/// PJSUA2's `OnDtmfEventParam`: the start or end of a DTMF digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDtmfEventParam {
    /// How it came.
    pub method: DtmfMethod,
    /// When the event began, ms (the RFC 4733 timestamp in ms of the
    /// codec's clock; 0 for SIP INFO).
    pub timestamp: u32,
    /// The digit.
    pub digit: String,
    /// Its duration so far, ms (0 at the start).
    pub duration: u32,
    /// 0 at an RFC 4733 digit's start; `PJMEDIA_STREAM_DTMF_IS_UPDATE |
    /// PJMEDIA_STREAM_DTMF_IS_END` at its end; `PJMEDIA_STREAM_DTMF_IS_END`
    /// alone for a SIP INFO digit (start and end at once).
    pub flags: u32,
}

/// PJSUA2's `OnInstantMessageParam`: a MESSAGE arrived within the call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnInstantMessageParam {
    /// The sender (the From header's value).
    pub from_uri: String,
    /// The recipient (the To header's value).
    pub to_uri: String,
    /// The sender's Contact, if any.
    pub contact_uri: String,
    /// The body's content type (`text/plain`).
    pub content_type: String,
    /// The message.
    pub msg_body: String,
    /// The MESSAGE (its whole text).
    pub rdata: SipRxData,
}

/// PJSUA2's `OnTypingIndicationParam`: an RFC 3994 typing indication
/// arrived within the call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnTypingIndicationParam {
    /// The sender.
    pub from_uri: String,
    /// The recipient.
    pub to_uri: String,
    /// The sender's Contact, if any.
    pub contact_uri: String,
    /// Whether the peer is typing (`<state>active</state>`).
    pub is_typing: bool,
    /// The MESSAGE.
    pub rdata: SipRxData,
}

/// PJSUA2's `OnInstantMessageStatusParam`: the answer to a message sent
/// with [`Call::send_instant_message`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnInstantMessageStatusParam {
    /// The `userData` the message was sent with.
    pub user_data: Token,
    /// Where it went (the call's remote URI).
    pub to_uri: String,
    /// The message.
    pub msg_body: String,
    /// The final status (408 when no answer came).
    pub code: i32,
    /// Its reason phrase.
    pub reason: String,
    /// The response (empty when none came).
    pub rdata: SipRxData,
}

/// PJSUA2's `OnCallRxOfferParam`: the peer sent a new offer (re-INVITE or
/// UPDATE). In ferrosip this is a notification only: the user agent has
/// already answered with the call's current capabilities (and hold state)
/// when it is delivered, just before `on_call_media_state`; `status_code`
/// and `opt` are informative and changing them has no effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnCallRxOfferParam {
    /// The offer (not carried yet: empty).
    pub offer: SdpSession,
    /// The answer's status, 200.
    pub status_code: i32,
    /// The call's settings.
    pub opt: CallSetting,
}

/// PJSUA2's `OnCallSdpCreatedParam`: our SDP offer or answer was made
/// and waits to be sent ([`CallHandler::on_call_sdp_created`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OnCallSdpCreatedParam {
    /// The SDP made; what it holds when the callback returns is sent (if
    /// it parses and keeps the media lines, else the SDP made goes and the
    /// log says why).
    pub sdp: SdpSession,
    /// The peer's offer this SDP answers (empty when `sdp` is an offer).
    pub rem_sdp: SdpSession,
}

/// PJSUA2's `OnCallTransferRequestParam`: the peer asks us (REFER) to
/// call `dst_uri`.
///
/// PJSUA2's `newCall` is a `Call*` the application creates for the new
/// call; in ferrosip the handler gives the new call's handler instead
/// (`new_call`), and the library makes the call itself from the same
/// account, with the Referred-By and (attended transfer) Replaces of the
/// REFER. Without `new_call` the new call runs with a [`NoCallHandler`]
/// and the log says so (PJSUA2 warns the same way).
pub struct OnCallTransferRequestParam {
    /// Whom to call: the Refer-To URI (its `?Replaces=` part removed). The
    /// handler may change it to redirect the transfer.
    pub dst_uri: String,
    /// The answer to the REFER: 202 by default; a final error refuses the
    /// transfer.
    pub status_code: i32,
    /// The new call's settings.
    pub opt: CallSetting,
    /// The handler of the new call (PJSUA2's `newCall`).
    pub new_call: Option<Box<dyn CallHandler>>,
}

impl std::fmt::Debug for OnCallTransferRequestParam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnCallTransferRequestParam")
            .field("dst_uri", &self.dst_uri)
            .field("status_code", &self.status_code)
            .field("opt", &self.opt)
            .field("new_call", &self.new_call.is_some())
            .finish()
    }
}

/// PJSUA2's `OnCallTransferStatusParam`: how the call we asked the peer
/// to make goes (its NOTIFYs, or the refusal of our REFER).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnCallTransferStatusParam {
    /// The new call's status (100, 180, 200, 486, …).
    pub status_code: i32,
    /// Its reason phrase.
    pub reason: String,
    /// Whether this is the last report.
    pub final_notify: bool,
    /// Whether to keep receiving reports: on entry true, false for the
    /// final one (PJSUA's `p_cont`, `!is_last`); set it false to get no
    /// more. As in PJSUA2 the library does not hang the call up after a
    /// successful transfer: do it here (PJSUA's own application does, on
    /// a final 2xx).
    pub cont: bool,
}

/// PJSUA2's `OnCallReplaceRequestParam`: an INVITE with Replaces (RFC
/// 3891) asks to replace this call. Delivered to the replaced call's
/// handler, instead of the account's `on_incoming_call`.
pub struct OnCallReplaceRequestParam {
    /// The INVITE with Replaces (its summary, text and source).
    pub rdata: SipRxData,
    /// 200 (accept: the new call is answered 200 at once and this call is
    /// hung up); a final error refuses the new call.
    pub status_code: i32,
    /// The reason phrase of a refusal ("" for the standard one).
    pub reason: String,
    /// The new call's settings.
    pub opt: CallSetting,
    /// The new call's handler (PJSUA2's `newCall`); none: a
    /// [`NoCallHandler`].
    pub new_call: Option<Box<dyn CallHandler>>,
}

impl std::fmt::Debug for OnCallReplaceRequestParam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnCallReplaceRequestParam")
            .field("status_code", &self.status_code)
            .field("reason", &self.reason)
            .field("opt", &self.opt)
            .field("new_call", &self.new_call.is_some())
            .finish()
    }
}

/// PJSUA2's `OnCallReplacedParam`: this call was replaced by another,
/// which was answered; this one is hung up right after.
#[derive(Debug, Clone, PartialEq)]
pub struct OnCallReplacedParam {
    /// The new call's id.
    pub new_call_id: i32,
    /// The new call.
    pub new_call: Call,
}

/// PJSUA2's `OnCallRedirectedParam`: the INVITE was answered 3xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnCallRedirectedParam {
    /// The target being asked about (one Contact of the 3xx).
    pub target_uri: String,
    /// The event (`PJSIP_EVENT_TSX_STATE`).
    pub e: SipEvent,
}

pj_enum! {
    /// What to do with a redirection target (PJSIP's `pjsip_redirect_op`).
    RedirectOp, default Stop {
        /// Skip this target; the next one is asked about
        /// (`PJSIP_REDIRECT_REJECT`).
        Reject = 0,
        /// Call it (`PJSIP_REDIRECT_ACCEPT`).
        Accept = 1,
        /// Call it, and make it the call's remote URI
        /// (`PJSIP_REDIRECT_ACCEPT_REPLACE`; ferrosip always does).
        AcceptReplace = 2,
        /// Decide later with [`Call::process_redirect`]
        /// (`PJSIP_REDIRECT_PENDING`).
        Pending = 3,
        /// Give up: the call ends with the 3xx (`PJSIP_REDIRECT_STOP`).
        Stop = 4,
    }
}

/// PJSUA2's `OnStreamCreatedParam`: an audio stream of the call joined the
/// conference bridge.
#[derive(Debug, Clone, PartialEq)]
pub struct OnStreamCreatedParam {
    /// The stream's port in the bridge.
    pub stream: AudioMedia,
    /// The media line (index of the m-line in the SDP).
    pub stream_idx: u32,
}

/// PJSUA2's `OnStreamDestroyedParam`: an audio stream of the call is about
/// to leave the bridge (its port is removed right after the callback).
#[derive(Debug, Clone, PartialEq)]
pub struct OnStreamDestroyedParam {
    /// The stream's port in the bridge.
    pub stream: AudioMedia,
    /// The media line.
    pub stream_idx: u32,
}

/// The call's callbacks. Every method has an empty default body. They run
/// where every ferrosip callback runs (a worker thread, or inside
/// `Endpoint::lib_handle_events` when `threadCnt` is 0), one at a time and
/// in order, never while the library holds a lock: they may call any
/// ferrosip function, this call's included.
pub trait CallHandler: Send {
    /// The call's state changed (PJSUA2's `onCallState`). Before
    /// DISCONNECTED the call's streams have left the bridge (as in
    /// PJSUA2); after it the call is released: its handle then gives
    /// `PJ_EGONE`.
    fn on_call_state(&mut self, call: &Call, prm: &OnCallStateParam) {
        let _ = (call, prm);
    }

    /// The call's media changed (PJSUA2's `onCallMediaState`): connect
    /// [`Call::audio_media`] of the lines whose status is active.
    fn on_call_media_state(&mut self, call: &Call, prm: &OnCallMediaStateParam) {
        let _ = (call, prm);
    }

    /// A request of the call other than the session's own ended (PJSUA2's
    /// `onCallTsxState`, see [`OnCallTsxStateParam`] for what is reported).
    fn on_call_tsx_state(&mut self, call: &Call, prm: &OnCallTsxStateParam) {
        let _ = (call, prm);
    }

    /// The peer sent a new offer, already answered (PJSUA2's
    /// `onCallRxOffer`; a notification in ferrosip, see
    /// [`OnCallRxOfferParam`]).
    fn on_call_rx_offer(&mut self, call: &Call, prm: &mut OnCallRxOfferParam) {
        let _ = (call, prm);
    }

    /// Our SDP offer or answer was made (PJSUA2's `onCallSdpCreated`):
    /// change `prm.sdp` to send something else — the INVITE's offer, the
    /// answer of [`Call::answer`], re-offers, the answer to the peer's
    /// re-INVITE or UPDATE. Called only when [`CallHandler::reviews_sdp`]
    /// says so; nothing is sent until it returns (the step waits for it,
    /// as PJSUA2's does inside the call that makes the SDP).
    fn on_call_sdp_created(&mut self, call: &Call, prm: &mut OnCallSdpCreatedParam) {
        let _ = (call, prm);
    }

    /// Whether this call's SDP goes through
    /// [`CallHandler::on_call_sdp_created`] before it is sent. False by
    /// default: a call whose handler does not review its SDP does not wait
    /// for a callback. Asked once, when the call is made or taken.
    fn reviews_sdp(&self) -> bool {
        false
    }

    /// A DTMF digit was received, by RFC 4733 (at its start) or SIP INFO
    /// (PJSUA2's `onDtmfDigit`).
    fn on_dtmf_digit(&mut self, call: &Call, prm: &OnDtmfDigitParam) {
        let _ = (call, prm);
    }

    /// A DTMF digit started or ended (PJSUA2's `onDtmfEvent`): RFC 4733
    /// gives both, SIP INFO the end only.
    fn on_dtmf_event(&mut self, call: &Call, prm: &OnDtmfEventParam) {
        let _ = (call, prm);
    }

    /// A MESSAGE arrived in the call (PJSUA2's `Call::onInstantMessage`).
    fn on_instant_message(&mut self, call: &Call, prm: &OnInstantMessageParam) {
        let _ = (call, prm);
    }

    /// The answer to [`Call::send_instant_message`] came (PJSUA2's
    /// `Call::onInstantMessageStatus`).
    fn on_instant_message_status(&mut self, call: &Call, prm: &OnInstantMessageStatusParam) {
        let _ = (call, prm);
    }

    /// A typing indication arrived in the call (PJSUA2's
    /// `Call::onTypingIndication`).
    fn on_typing_indication(&mut self, call: &Call, prm: &OnTypingIndicationParam) {
        let _ = (call, prm);
    }

    /// The peer asks us to call someone else (PJSUA2's
    /// `onCallTransferRequest`). Leave `status_code` at 202 to accept (set
    /// `new_call` to handle the new call), set a final error to refuse.
    fn on_call_transfer_request(&mut self, call: &Call, prm: &mut OnCallTransferRequestParam) {
        let _ = (call, prm);
    }

    /// Progress of a transfer we asked for with [`Call::xfer`] or
    /// [`Call::xfer_replaces`] (PJSUA2's `onCallTransferStatus`).
    fn on_call_transfer_status(&mut self, call: &Call, prm: &mut OnCallTransferStatusParam) {
        let _ = (call, prm);
    }

    /// An INVITE asks to replace this call (PJSUA2's
    /// `onCallReplaceRequest`); leave `status_code` at 200 to accept.
    fn on_call_replace_request(&mut self, call: &Call, prm: &mut OnCallReplaceRequestParam) {
        let _ = (call, prm);
    }

    /// This call was replaced by `prm.new_call` (PJSUA2's
    /// `onCallReplaced`); it is hung up right after.
    fn on_call_replaced(&mut self, call: &Call, prm: &OnCallReplacedParam) {
        let _ = (call, prm);
    }

    /// The INVITE was redirected (3xx) to `prm.target_uri` (PJSUA2's
    /// `onCallRedirected`). The default, as in PJSUA2, is
    /// [`RedirectOp::Stop`]: the call ends with the 3xx.
    fn on_call_redirected(&mut self, call: &Call, prm: &OnCallRedirectedParam) -> RedirectOp {
        let _ = (call, prm);
        RedirectOp::Stop
    }

    /// A stream was created and joined the bridge (PJSUA2's
    /// `onStreamCreated`), before `on_call_media_state`.
    fn on_stream_created(&mut self, call: &Call, prm: &OnStreamCreatedParam) {
        let _ = (call, prm);
    }

    /// A stream is about to be destroyed (PJSUA2's `onStreamDestroyed`).
    fn on_stream_destroyed(&mut self, call: &Call, prm: &OnStreamDestroyedParam) {
        let _ = (call, prm);
    }
}

/// A handler that ignores every event.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoCallHandler;

impl CallHandler for NoCallHandler {}
