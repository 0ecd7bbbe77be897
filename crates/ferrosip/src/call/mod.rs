//! Calls: PJSUA2's `Call`, an INVITE session whose audio runs through the
//! conference bridge.
//!
//! A [`Call`] is a handle (the endpoint, the call's id, the library's
//! life): the endpoint owns the call and its [`CallHandler`] until the call
//! is over, and a handle to a call that ended gives `PJ_EGONE`. Outgoing
//! calls start with [`Call::make_call`]; an incoming call is offered to
//! [`crate::AccountHandler::on_incoming_call`], where the application
//! takes it with [`Call::from_incoming`] (PJSUA2's `Call(acc, callId)`) and
//! answers it. A call not taken there is answered 500, as PJSUA2 does, and
//! the log says why.
//!
//! Media: RTP transports are bound from the account's
//! `mediaConfig.transportConfig` before the offer (or when the INVITE
//! arrives), the offer or answer lists the endpoint's enabled codecs, and
//! each negotiated audio line becomes an audio stream in the bridge:
//! [`Call::audio_media`] in `on_call_media_state`, connected to a player,
//! recorder or the sound device. When the call is over its streams leave
//! the bridge (`on_stream_destroyed`) just before
//! `on_call_state(DISCONNECTED)`, as in PJSUA2.
//!
//! Mid-call: [`Call::set_hold`], [`Call::reinvite`] (with
//! `CallSetting::UNHOLD`), [`Call::update`]; DTMF with [`Call::dial_dtmf`]
//! and [`Call::send_dtmf`] (RFC 4733 or SIP INFO), received through
//! `on_dtmf_digit`/`on_dtmf_event`; messages in the dialog with
//! [`Call::send_instant_message`], [`Call::send_typing_indication`],
//! [`Call::send_request`]; transfer with [`Call::xfer`] and
//! [`Call::xfer_replaces`] (`on_call_transfer_request`/`_status`,
//! `on_call_replace_request`/`on_call_replaced` on the other sides), and
//! redirection with `on_call_redirected` and [`Call::process_redirect`].
//! Offers from the peer are answered by the library itself;
//! `on_call_rx_offer` only tells. A handler whose `reviews_sdp` is true
//! sees each SDP of ours before it is sent, and may change it, in
//! `on_call_sdp_created`.
//!
//! ```no_run
//! use ferrosip::call::{Call, CallHandler, OnCallMediaStateParam, OnCallStateParam};
//! use ferrosip::config::CallOpParam;
//! use ferrosip::Account;
//!
//! struct Phone;
//! impl CallHandler for Phone {
//!     fn on_call_state(&mut self, call: &Call, prm: &OnCallStateParam) {
//!         println!("call {}: {:?} {}", call.id(), prm.state, prm.code);
//!     }
//!     fn on_call_media_state(&mut self, call: &Call, _prm: &OnCallMediaStateParam) {
//!         let devices = call.endpoint().aud_dev_manager();
//!         let (Ok(audio), Ok(mic), Ok(speaker)) = (
//!             call.audio_media(-1),
//!             devices.get_capture_dev_media(),
//!             devices.get_playback_dev_media(),
//!         ) else {
//!             return;
//!         };
//!         let _ = mic.start_transmit(&audio);
//!         let _ = audio.start_transmit(&speaker);
//!     }
//! }
//!
//! # fn run(acc: &Account) -> ferrosip::Result<()> {
//! let call = Call::make_call(acc, "sip:bob@192.0.2.1", &CallOpParam::new(true), Phone)?;
//! // ... later
//! call.hangup(&CallOpParam::default())?;
//! # Ok(()) }
//! ```

mod deliver;
mod events;
mod handler;
mod info;
mod midcall;
mod ops;
mod plan;
mod report;
mod sip_event;
mod stream_config;
mod streams;
mod table;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use ua::{CallId, UserAgent};

pub(crate) use self::deliver::{HANGUP_WAIT, clear, deliver, hangup_all, unfinished};
pub(crate) use self::events::stream_event;
pub use self::handler::{
    CallHandler, NoCallHandler, OnCallMediaStateParam, OnCallRedirectedParam,
    OnCallReplaceRequestParam, OnCallReplacedParam, OnCallRxOfferParam, OnCallSdpCreatedParam,
    OnCallStateParam, OnCallTransferRequestParam, OnCallTransferStatusParam, OnCallTsxStateParam,
    OnDtmfDigitParam, OnDtmfEventParam, OnIncomingCallParam, OnInstantMessageParam,
    OnInstantMessageStatusParam, OnStreamCreatedParam, OnStreamDestroyedParam,
    OnTypingIndicationParam, PJMEDIA_STREAM_DTMF_IS_END, PJMEDIA_STREAM_DTMF_IS_UPDATE,
    PJSIP_EVENT_RX_MSG, PJSIP_EVENT_TIMER, PJSIP_EVENT_TRANSPORT_ERROR, PJSIP_EVENT_TSX_STATE,
    PJSIP_EVENT_TX_MSG, PJSIP_EVENT_UNKNOWN, PJSIP_EVENT_USER, PJSUA_UNKNOWN_DTMF_DURATION,
    RedirectOp, SipEvent,
};
pub use self::info::{
    CallInfo, CallMediaInfo, CallMediaStatus, InvState, MediaDir, PJMEDIA_TP_PROTO_RTP_AVP,
    PJMEDIA_VID_INVALID_DEV, SipRole, StreamInfo, TimeVal,
};
pub use self::midcall::{DTMF_RELAY, IS_COMPOSING};
pub use self::sip_event::{
    PJSIP_ROLE_UAC, PJSIP_ROLE_UAS, RxMsgEvent, SipEventBody, SipTransaction, SipTxData,
    TsxStateEvent, TsxStateEventSrc, TxMsgEvent,
};
use self::table::CallSlot;
pub(crate) use self::table::CallTable;
use crate::account::Account;
use crate::endpoint::{Endpoint, lock};
use crate::error::{Error, Result, status};
use crate::runtime::Runtime;

/// PJSUA2's `Call`: a handle to a call of the endpoint. Clones name the
/// same call. Dropping a handle does nothing to the call (the endpoint owns
/// it): end a call with [`Call::hangup`].
#[derive(Debug, Clone)]
pub struct Call {
    ep: Endpoint,
    id: CallId,
    /// The endpoint's life the call belongs to.
    life: u64,
}

impl PartialEq for Call {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.life == other.life
            && Arc::ptr_eq(&self.ep.inner, &other.ep.inner)
    }
}

fn gone(title: &str) -> Error {
    Error::new(status::PJ_EGONE, title, "the call has ended")
}

/// A user agent's refusal as a public error.
fn call_error(title: &str, e: ua::CallError) -> Error {
    use ua::CallError as E;
    let code = match &e {
        E::NotFound => status::PJ_EGONE,
        E::NoAccount | E::Build(_) | E::InvalidCode(_) => status::PJ_EINVAL,
        E::InvalidUri(_) => status::PJSIP_EINVALIDURI,
        E::InvalidState(..) => status::PJ_EINVALIDOP,
        E::Sdp(n) => status::from_sip_code(n.sip_status()),
    };
    Error::new(code, title, e.to_string())
}

impl Call {
    pub(crate) fn handle(ep: &Endpoint, id: CallId) -> Self {
        Self {
            ep: ep.clone(),
            id,
            life: ep.inner.life.load(Ordering::SeqCst),
        }
    }

    /// The call with PJSUA2 id `id`, if the application holds it (PJSUA2's
    /// `Call::lookup`).
    pub fn lookup(ep: &Endpoint, id: i32) -> Option<Self> {
        let table = lock(&ep.inner.calls);
        table
            .slots
            .keys()
            .find(|c| i64::from(c.index) == i64::from(id))
            .map(|&c| Self::handle(ep, c))
    }

    /// Every call the application holds, in id order.
    pub fn enumerate(ep: &Endpoint) -> Vec<Self> {
        let mut ids: Vec<CallId> = lock(&ep.inner.calls).slots.keys().copied().collect();
        ids.sort();
        ids.into_iter().map(|id| Self::handle(ep, id)).collect()
    }

    /// The PJSUA2 call id (PJSUA2's `getId`).
    pub fn id(&self) -> i32 {
        i32::try_from(self.id.index).unwrap_or(i32::MAX)
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    /// Runs `f` on the call's slot, or says the call is gone.
    fn slot<R>(&self, title: &str, f: impl FnOnce(&mut CallSlot) -> R) -> Result<R> {
        if self.life != self.ep.inner.life.load(Ordering::SeqCst) {
            return Err(gone(title));
        }
        let mut table = lock(&self.ep.inner.calls);
        table
            .slots
            .get_mut(&self.id)
            .map(f)
            .ok_or_else(|| gone(title))
    }

    fn runtime(&self, title: &str) -> Result<Runtime<UserAgent>> {
        self.slot(title, |_| ())?;
        self.ep.runtime(title)
    }

    fn media(&self, title: &str) -> Result<Arc<Mutex<streams::CallMedia>>> {
        self.slot(title, |s| s.media.clone())
    }

    /// The account the call belongs to.
    pub fn account(&self) -> Result<Account> {
        let title = "Call::getAccount()";
        let id = self.slot(title, |s| s.account)?;
        Ok(Account::handle(&self.ep, id))
    }

    /// Whether the call is still going (PJSUA2's `isActive`): not
    /// disconnected, and not released.
    pub fn is_active(&self) -> bool {
        let Ok(runtime) = self.runtime("Call::isActive()") else {
            return false;
        };
        let id = self.id;
        runtime.with_engine(|ua, _| {
            ua.call_status(id)
                .is_some_and(|s| s.state != ua::CallState::Disconnected)
        })
    }

    /// Whether an audio stream of the call runs (PJSUA2's `hasMedia`).
    pub fn has_media(&self) -> bool {
        self.media("Call::hasMedia()")
            .is_ok_and(|m| lock(&m).has_stream())
    }
}
