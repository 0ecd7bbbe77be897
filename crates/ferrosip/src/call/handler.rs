//! The call's callbacks (PJSUA2's `Call::on*` virtuals), their parameters,
//! and the account's `onIncomingCall` parameter.

use super::Call;
use super::info::InvState;
use crate::account::SipRxData;
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

/// PJSUA2's `SipEvent`: what caused a call's change. ferrosip fills its
/// type only for now (`PJSIP_EVENT_TSX_STATE` when a response or request
/// made the change, `PJSIP_EVENT_USER` when the application or the
/// library did); the message itself is not carried yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SipEvent {
    /// The event type, a `PJSIP_EVENT_*` value.
    pub type_: i32,
}

/// PJSUA2's `OnIncomingCallParam`: a call arrived for the account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnIncomingCallParam {
    /// The call's id, for [`Call::from_incoming`].
    pub call_id: i32,
    /// The INVITE (not carried yet: the summary fields are empty).
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
/// state (not delivered yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OnCallTsxStateParam {
    /// The event.
    pub e: SipEvent,
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
    /// The call's state changed (PJSUA2's `onCallState`). After
    /// DISCONNECTED the call's streams leave the bridge and the call is
    /// released: its handle then gives `PJ_EGONE`.
    fn on_call_state(&mut self, call: &Call, prm: &OnCallStateParam) {
        let _ = (call, prm);
    }

    /// The call's media changed (PJSUA2's `onCallMediaState`): connect
    /// [`Call::audio_media`] of the lines whose status is active.
    fn on_call_media_state(&mut self, call: &Call, prm: &OnCallMediaStateParam) {
        let _ = (call, prm);
    }

    /// A transaction of the call changed state (PJSUA2's
    /// `onCallTsxState`; not delivered yet).
    fn on_call_tsx_state(&mut self, call: &Call, prm: &OnCallTsxStateParam) {
        let _ = (call, prm);
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
