//! Parameters of operations that are plain data (PJSUA2's `CallSetting`,
//! `CallOpParam`, `SendInstantMessageParam`, `SendTypingIndicationParam`,
//! `CallSendDtmfParam`, `CallSendRequestParam`, `SendRequestParam`,
//! `IpChangeParam`, `AudioMediaTransmitParam`).

use serde::{Deserialize, Serialize};

use super::enums::DtmfMethod;
use super::sip::SipTxOption;

/// Application data carried through an operation to its callback (PJSUA2's
/// `Token`, a `void*` there); 0 means none.
pub type Token = u64;

/// A call's settings (PJSUA2's `CallSetting`).
///
/// [`CallSetting::default`] is *empty* (all zero): an operation given an
/// empty setting uses the account's default. [`CallSetting::new`]`(true)`
/// gives PJSUA's defaults: one audio stream, no video,
/// [`CallSetting::INCLUDE_DISABLED_MEDIA`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CallSetting {
    /// Bitmask of `PJSUA_CALL_*` flags (the associated constants of this
    /// type). Default 0.
    pub flag: u32,
    /// How a video keyframe is requested: `PJSUA_VID_REQ_KEYFRAME_SIP_INFO`
    /// 1, `PJSUA_VID_REQ_KEYFRAME_RTCP_PLI` 2. Default 0.
    pub req_keyframe_method: u32,
    /// Number of audio streams. Default 0 (1 with `new(true)`).
    pub audio_count: u32,
    /// Number of video streams. Default 0.
    pub video_count: u32,
    /// Direction of each media stream, `PJMEDIA_DIR_*`, with
    /// [`CallSetting::SET_MEDIA_DIR`]. Default empty.
    pub media_dir: Vec<i32>,
    /// A Call-ID to use instead of a generated one (outgoing calls).
    /// Default "".
    pub custom_call_id: String,
}

impl CallSetting {
    /// `PJSUA_CALL_UNHOLD`: release a hold.
    pub const UNHOLD: u32 = 1;
    /// `PJSUA_CALL_UPDATE_CONTACT`: update the Contact (after an IP change).
    pub const UPDATE_CONTACT: u32 = 2;
    /// `PJSUA_CALL_INCLUDE_DISABLED_MEDIA`: keep disabled streams in the
    /// SDP (port 0).
    pub const INCLUDE_DISABLED_MEDIA: u32 = 4;
    /// `PJSUA_CALL_NO_SDP_OFFER`: send the request without an offer.
    pub const NO_SDP_OFFER: u32 = 8;
    /// `PJSUA_CALL_REINIT_MEDIA`: recreate the media transports.
    pub const REINIT_MEDIA: u32 = 16;
    /// `PJSUA_CALL_UPDATE_VIA`: update the Via sent-by.
    pub const UPDATE_VIA: u32 = 32;
    /// `PJSUA_CALL_UPDATE_TARGET`: update the dialog's target.
    pub const UPDATE_TARGET: u32 = 64;
    /// `PJSUA_CALL_SET_MEDIA_DIR`: apply [`CallSetting::media_dir`].
    pub const SET_MEDIA_DIR: u32 = 128;

    /// An empty setting, or with `use_default_values` PJSUA's defaults
    /// (PJSUA2's `CallSetting(useDefaultValues)`).
    pub fn new(use_default_values: bool) -> Self {
        if use_default_values {
            Self {
                flag: Self::INCLUDE_DISABLED_MEDIA,
                audio_count: 1,
                ..Self::default()
            }
        } else {
            Self::default()
        }
    }

    /// True when the four numeric fields are zero, so the account's default
    /// applies (PJSUA2's `isEmpty()`).
    pub fn is_empty(&self) -> bool {
        self.flag == 0
            && self.req_keyframe_method == 0
            && self.audio_count == 0
            && self.video_count == 0
    }
}

/// An SDP session given as text (PJSUA2's `SdpSession`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SdpSession {
    /// The whole SDP. Default "".
    pub whole_sdp: String,
}

/// Parameters of call operations: make, answer, hang up, hold, re-INVITE,
/// UPDATE, transfer (PJSUA2's `CallOpParam`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CallOpParam {
    /// The call's settings; empty means the account's default. Default
    /// empty (PJSUA's defaults with `new(true)`).
    pub opt: CallSetting,
    /// The status code of an answer or a rejection; 0 means the
    /// operation's default. Default 0.
    pub status_code: i32,
    /// The reason phrase; empty means the standard one. Default "".
    pub reason: String,
    /// Options of the operation (reserved). Default 0.
    pub options: u32,
    /// Headers and body added to the request or response.
    pub tx_option: SipTxOption,
    /// An SDP to send instead of the generated one. Default empty.
    pub sdp: SdpSession,
}

impl CallOpParam {
    /// Parameters with an empty call setting, or with
    /// `use_default_call_setting` PJSUA's default setting (PJSUA2's
    /// `CallOpParam(useDefaultCallSetting)`).
    pub fn new(use_default_call_setting: bool) -> Self {
        Self {
            opt: CallSetting::new(use_default_call_setting),
            ..Self::default()
        }
    }
}

/// Parameters of sending an instant message (PJSUA2's
/// `SendInstantMessageParam`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SendInstantMessageParam {
    /// The content type. Default "text/plain".
    pub content_type: String,
    /// The message. Default "".
    pub content: String,
    /// Headers added to the MESSAGE.
    pub tx_option: SipTxOption,
    /// Returned in the message-status callback. Default 0.
    pub user_data: Token,
}

impl Default for SendInstantMessageParam {
    fn default() -> Self {
        Self {
            content_type: "text/plain".to_owned(),
            content: String::new(),
            tx_option: SipTxOption::default(),
            user_data: 0,
        }
    }
}

/// Parameters of sending a typing indication, RFC 3994 (PJSUA2's
/// `SendTypingIndicationParam`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SendTypingIndicationParam {
    /// Typing (true) or idle (false). Default false.
    pub is_typing: bool,
    /// Headers added to the MESSAGE.
    pub tx_option: SipTxOption,
}

/// Parameters of sending DTMF digits in a call (PJSUA2's
/// `CallSendDtmfParam`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CallSendDtmfParam {
    /// How the digits are sent. Default [`DtmfMethod::Rfc2833`].
    pub method: DtmfMethod,
    /// Length of each digit, ms (SIP INFO only). Default 160.
    pub duration: u32,
    /// The digits, `0-9*#A-D`. Default "".
    pub digits: String,
}

impl Default for CallSendDtmfParam {
    fn default() -> Self {
        Self {
            method: DtmfMethod::Rfc2833,
            duration: 160,
            digits: String::new(),
        }
    }
}

/// Parameters of sending a request within a call's dialog, e.g. INFO
/// (PJSUA2's `CallSendRequestParam`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CallSendRequestParam {
    /// The method. Default "".
    pub method: String,
    /// Headers and body of the request.
    pub tx_option: SipTxOption,
}

/// Parameters of sending a request outside any dialog from an account
/// (PJSUA2's `SendRequestParam`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SendRequestParam {
    /// Returned in the send-request callback. Default 0.
    pub user_data: Token,
    /// The method. Default "".
    pub method: String,
    /// Target, headers and body of the request.
    pub tx_option: SipTxOption,
}

/// Parameters of handling a change of the local IP address (PJSUA2's
/// `IpChangeParam`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IpChangeParam {
    /// Restart the listening transports. Default true.
    pub restart_listener: bool,
    /// Wait before restarting them, ms. Default 10.
    pub restart_lis_delay: u32,
    /// Shut down the connection-oriented transports. Default true.
    pub shutdown_transport: bool,
}

impl Default for IpChangeParam {
    fn default() -> Self {
        Self {
            restart_listener: true,
            restart_lis_delay: 10,
            shutdown_transport: true,
        }
    }
}

/// Parameters of connecting an audio source to a sink (PJSUA2's
/// `AudioMediaTransmitParam`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AudioMediaTransmitParam {
    /// Gain of the connection: 1.0 unchanged, 0 muted, 2.0 doubled.
    /// Default 1.0.
    pub level: f32,
}

impl Default for AudioMediaTransmitParam {
    fn default() -> Self {
        Self { level: 1.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_setting_empty_and_default_values() {
        let empty = CallSetting::new(false);
        assert_eq!(empty, CallSetting::default());
        assert!(empty.is_empty());
        assert_eq!(empty.req_keyframe_method, 0);
        assert!(empty.media_dir.is_empty());
        assert_eq!(empty.custom_call_id, "");

        let defaults = CallSetting::new(true);
        assert_eq!(defaults.flag, 4);
        assert_eq!(defaults.audio_count, 1);
        assert_eq!(defaults.video_count, 0);
        assert!(!defaults.is_empty());

        let only_video = CallSetting {
            video_count: 1,
            ..CallSetting::default()
        };
        assert!(!only_video.is_empty());
        let only_dir = CallSetting {
            media_dir: vec![3],
            ..CallSetting::default()
        };
        assert!(
            only_dir.is_empty(),
            "isEmpty() looks at the four numbers only"
        );
    }

    #[test]
    fn call_op_param_defaults() {
        let p = CallOpParam::default();
        assert!(p.opt.is_empty());
        assert_eq!(p.status_code, 0);
        assert_eq!(p.reason, "");
        assert_eq!(p.options, 0);
        assert!(p.tx_option.is_empty());
        assert_eq!(p.sdp.whole_sdp, "");
        let d = CallOpParam::new(true);
        assert_eq!(d.opt, CallSetting::new(true));
        assert_eq!(CallOpParam::new(false), p);
    }

    #[test]
    fn message_and_request_param_defaults() {
        let m = SendInstantMessageParam::default();
        assert_eq!(m.content_type, "text/plain");
        assert_eq!(m.content, "");
        assert_eq!(m.user_data, 0);
        assert!(!SendTypingIndicationParam::default().is_typing);
        let d = CallSendDtmfParam::default();
        assert_eq!(d.method, DtmfMethod::Rfc2833);
        assert_eq!(d.duration, 160);
        assert_eq!(d.digits, "");
        assert_eq!(CallSendRequestParam::default().method, "");
        let r = SendRequestParam::default();
        assert_eq!((r.user_data, r.method.as_str()), (0, ""));
    }

    #[test]
    fn ip_change_and_transmit_param_defaults() {
        let i = IpChangeParam::default();
        assert!(i.restart_listener);
        assert_eq!(i.restart_lis_delay, 10);
        assert!(i.shutdown_transport);
        assert_eq!(AudioMediaTransmitParam::default().level, 1.0);
    }
}
