//! What a call reports: PJSUA2's `CallInfo`, `CallMediaInfo`,
//! `StreamInfo`, `TimeVal`, and the enumerations they use.

use std::time::Duration;

use crate::config::enums::pj_enum;
use crate::config::{CallSetting, JbDiscardAlgo};
use crate::error::{Error, status};
use crate::media::CodecParam;

pj_enum! {
    /// Where a call is (PJSIP's `pjsip_inv_state`).
    InvState, default Null {
        /// Before the INVITE (`PJSIP_INV_STATE_NULL`).
        Null = 0,
        /// The INVITE was sent (`PJSIP_INV_STATE_CALLING`).
        Calling = 1,
        /// An INVITE was received (`PJSIP_INV_STATE_INCOMING`).
        Incoming = 2,
        /// A provisional response was sent or received (`PJSIP_INV_STATE_EARLY`).
        Early = 3,
        /// The 2xx was sent or received, not yet its ACK
        /// (`PJSIP_INV_STATE_CONNECTING`).
        Connecting = 4,
        /// The call is established (`PJSIP_INV_STATE_CONFIRMED`).
        Confirmed = 5,
        /// The call is over (`PJSIP_INV_STATE_DISCONNECTED`).
        Disconnected = 6,
    }
}

impl InvState {
    /// PJSIP's name of the state (`pjsip_inv_state_name`), which
    /// `CallInfo.stateText` shows: `"CALLING"`, …, `"DISCONNECTED"` (PJSIP 2.15; older ones said `"DISCONNCTD"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Null => "NULL",
            Self::Calling => "CALLING",
            Self::Incoming => "INCOMING",
            Self::Early => "EARLY",
            Self::Connecting => "CONNECTING",
            Self::Confirmed => "CONFIRMED",
            Self::Disconnected => "DISCONNECTED",
        }
    }
}

impl From<ua::CallState> for InvState {
    fn from(state: ua::CallState) -> Self {
        match state {
            ua::CallState::Null => Self::Null,
            ua::CallState::Calling => Self::Calling,
            ua::CallState::Incoming => Self::Incoming,
            ua::CallState::Early => Self::Early,
            ua::CallState::Connecting => Self::Connecting,
            ua::CallState::Confirmed => Self::Confirmed,
            ua::CallState::Disconnected => Self::Disconnected,
        }
    }
}

pj_enum! {
    /// Which side of the call we are (PJSIP's `pjsip_role_e`).
    SipRole, default Uac {
        /// We sent the INVITE (`PJSIP_ROLE_UAC`).
        Uac = 0,
        /// We received it (`PJSIP_ROLE_UAS`).
        Uas = 1,
    }
}

pj_enum! {
    /// A media direction (PJMEDIA's `pjmedia_dir`), seen from us.
    MediaDir, default None {
        /// Neither way (`PJMEDIA_DIR_NONE`).
        None = 0,
        /// We send only (`PJMEDIA_DIR_ENCODING`).
        Encoding = 1,
        /// We receive only (`PJMEDIA_DIR_DECODING`).
        Decoding = 2,
        /// Both ways (`PJMEDIA_DIR_ENCODING_DECODING`).
        EncodingDecoding = 3,
    }
}

impl MediaDir {
    /// The direction that sends when `sends` and receives when `receives`.
    pub fn from_flags(sends: bool, receives: bool) -> Self {
        match (sends, receives) {
            (true, true) => Self::EncodingDecoding,
            (true, false) => Self::Encoding,
            (false, true) => Self::Decoding,
            (false, false) => Self::None,
        }
    }

    /// SDP's name for it: `sendrecv`, `sendonly`, `recvonly`, `inactive`.
    pub fn sdp_name(self) -> &'static str {
        match self {
            Self::EncodingDecoding => "sendrecv",
            Self::Encoding => "sendonly",
            Self::Decoding => "recvonly",
            Self::None => "inactive",
        }
    }
}

pj_enum! {
    /// A call media line's status (PJSUA's `pjsua_call_media_status`).
    CallMediaStatus, default None {
        /// No media, or not yet (`PJSUA_CALL_MEDIA_NONE`).
        None = 0,
        /// Media flows (`PJSUA_CALL_MEDIA_ACTIVE`).
        Active = 1,
        /// We hold the call (`PJSUA_CALL_MEDIA_LOCAL_HOLD`).
        LocalHold = 2,
        /// The peer holds it (`PJSUA_CALL_MEDIA_REMOTE_HOLD`).
        RemoteHold = 3,
        /// The media could not be started (`PJSUA_CALL_MEDIA_ERROR`).
        Error = 4,
    }
}

/// `PJMEDIA_TP_PROTO_RTP_AVP`: the transport protocol `RTP/AVP`.
pub const PJMEDIA_TP_PROTO_RTP_AVP: i32 = 32772;
/// `PJMEDIA_VID_INVALID_DEV`: no video device.
pub const PJMEDIA_VID_INVALID_DEV: i32 = -3;

/// PJSUA2's `TimeVal`: a duration in seconds and milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeVal {
    /// Whole seconds.
    pub sec: i64,
    /// Milliseconds beyond `sec` (0–999).
    pub msec: i64,
}

impl From<Duration> for TimeVal {
    fn from(d: Duration) -> Self {
        Self {
            sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            msec: i64::from(d.subsec_millis()),
        }
    }
}

impl TimeVal {
    /// The whole duration in milliseconds.
    pub fn as_msec(self) -> i64 {
        self.sec.saturating_mul(1000).saturating_add(self.msec)
    }
}

/// One media line of a call (PJSUA2's `CallMediaInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallMediaInfo {
    /// The line's index in the SDP (its m-line).
    pub index: u32,
    /// The media type: `PJMEDIA_TYPE_AUDIO` (1), `PJMEDIA_TYPE_VIDEO` (2).
    pub type_: u32,
    /// The direction negotiated.
    pub dir: MediaDir,
    /// The status.
    pub status: CallMediaStatus,
    /// The conference port of the line's audio stream, −1 if none
    /// (PJSUA2 keeps it, deprecated, for [`super::Call::audio_media`]).
    pub audio_conf_slot: i32,
    /// The incoming video window (−1: none; ferrosip has no video).
    pub video_incoming_window_id: i32,
    /// The video capture device (`PJMEDIA_VID_INVALID_DEV`, −3: none).
    pub video_cap_dev: i32,
}

/// What PJSUA2's `Call::getInfo` reports (`CallInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInfo {
    /// The call id.
    pub id: i32,
    /// Which side we are.
    pub role: SipRole,
    /// The account's id.
    pub acc_id: i32,
    /// Our URI: the account's `idUri` as configured for an outgoing call,
    /// the To of an incoming one (as PJSUA reports them).
    pub local_uri: String,
    /// Our Contact.
    pub local_contact: String,
    /// The peer's URI: the destination as given to `makeCall` for an
    /// outgoing call, the From of an incoming one.
    pub remote_uri: String,
    /// The peer's Contact (`<uri;params>`), once known ("" before).
    pub remote_contact: String,
    /// The Call-ID.
    pub call_id_string: String,
    /// The call's settings.
    pub setting: CallSetting,
    /// Where the call is.
    pub state: InvState,
    /// PJSIP's name of the state (`"CONFIRMED"`, `"DISCONNECTED"`, …).
    pub state_text: String,
    /// The last status code sent or received.
    pub last_status_code: i32,
    /// Its reason phrase.
    pub last_reason: String,
    /// The media lines, in SDP order, once negotiated.
    pub media: Vec<CallMediaInfo>,
    /// The media lines as provisionally set up (PJSUA's `prov_media`): the
    /// same as `media` in ferrosip, which sets media up once negotiated.
    pub prov_media: Vec<CallMediaInfo>,
    /// Time since the call was answered (zero before).
    pub connect_duration: TimeVal,
    /// Time since the call started.
    pub total_duration: TimeVal,
    /// Whether the peer made the last offer.
    pub rem_offerer: bool,
    /// Audio lines in the peer's last offer (PJSUA counts offers only: a
    /// caller's is 0 until the peer sends one).
    pub rem_audio_count: u32,
    /// Video lines in the peer's last offer.
    pub rem_video_count: u32,
}

/// One stream's negotiated setup (PJSUA2's `StreamInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamInfo {
    /// The media type (`PJMEDIA_TYPE_AUDIO`).
    pub type_: u32,
    /// The transport protocol (`PJMEDIA_TP_PROTO_RTP_AVP`).
    pub proto: i32,
    /// The direction.
    pub dir: MediaDir,
    /// Where RTP goes (`ip:port`).
    pub remote_rtp_address: String,
    /// Where RTCP goes.
    pub remote_rtcp_address: String,
    /// The payload type sent.
    pub tx_pt: u32,
    /// The payload type received.
    pub rx_pt: u32,
    /// The telephone-event payload type sent (0: none).
    pub aud_tx_event_pt: u32,
    /// The telephone-event payload type received (0: none).
    pub aud_rx_event_pt: u32,
    /// The codec's encoding name (`"PCMU"`).
    pub codec_name: String,
    /// The codec's clock rate (16000 for G.722).
    pub codec_clock_rate: u32,
    /// The codec's parameters as the stream runs them.
    pub aud_codec_param: CodecParam,
    /// Jitter buffer: initial prefetch, ms (−1: default).
    pub jb_init: i32,
    /// Least prefetch, ms (−1: default).
    pub jb_min_pre: i32,
    /// Most prefetch, ms (−1: default).
    pub jb_max_pre: i32,
    /// Most delay, ms (−1: default).
    pub jb_max: i32,
    /// How the jitter buffer discards.
    pub jb_discard_algo: JbDiscardAlgo,
    /// Whether RTCP SDES and BYE are left out (never in ferrosip).
    pub rtcp_sdes_bye_disabled: bool,
}
