//! Media and video settings of an account (PJSUA2's `AccountMediaConfig`,
//! `SrtpOpt`, `RtcpFbConfig`, `AccountVideoConfig`).

use serde::{Deserialize, Serialize};

use crate::config::enums::{Ipv6Use, RateControlMethod, RtcpFbType, SrtpSecureSignaling, SrtpUse};
use crate::config::transport::TransportConfig;

/// The RTP port PJSUA2 starts an account's media transports at.
const DEFAULT_RTP_PORT: u32 = 4000;

/// Media settings: RTP ports, SRTP, RTCP (PJSUA2's `AccountMediaConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountMediaConfig {
    /// The RTP/RTCP sockets' settings. Default [`TransportConfig::default`]
    /// with `port` 4000.
    pub transport_config: TransportConfig,
    /// When the answer has several codecs, re-offer with only the first one
    /// so that the peer does not switch. Default true.
    pub lock_codec_enabled: bool,
    /// Send keep-alive RTP packets (for NAT bindings). Default false.
    pub stream_ka_enabled: bool,
    /// Use of SRTP. Default [`SrtpUse::Disabled`].
    pub srtp_use: SrtpUse,
    /// What SIP signalling security SDES-SRTP requires. Default
    /// [`SrtpSecureSignaling::Tls`].
    pub srtp_secure_signaling: SrtpSecureSignaling,
    /// SRTP crypto suites and keying methods. Default empty (the library's
    /// choice).
    pub srtp_opt: SrtpOpt,
    /// Use of IPv6 for media. Default [`Ipv6Use::Disabled`].
    pub ipv6_use: Ipv6Use,
    /// Multiplex RTP and RTCP on one port (RFC 5761). Default false.
    pub rtcp_mux_enabled: bool,
    /// RTCP feedback (RFC 4585). Default [`RtcpFbConfig::default`]. (Not
    /// persisted by PJSUA2 2.15.1 as part of this config.)
    pub rtcp_fb_config: RtcpFbConfig,
    /// Send RTCP extended reports (RFC 3611). Default false.
    pub rtcp_xr_enabled: bool,
    /// Use a loopback media transport instead of sockets. Default false.
    pub use_loop_med_tp: bool,
    /// With the loopback transport, loop the media back. Default false.
    pub enable_loopback: bool,
}

impl Default for AccountMediaConfig {
    fn default() -> Self {
        Self {
            transport_config: TransportConfig {
                port: DEFAULT_RTP_PORT,
                ..TransportConfig::default()
            },
            lock_codec_enabled: true,
            stream_ka_enabled: false,
            srtp_use: SrtpUse::Disabled,
            srtp_secure_signaling: SrtpSecureSignaling::Tls,
            srtp_opt: SrtpOpt::default(),
            ipv6_use: Ipv6Use::Disabled,
            rtcp_mux_enabled: false,
            rtcp_fb_config: RtcpFbConfig::default(),
            rtcp_xr_enabled: false,
            use_loop_med_tp: false,
            enable_loopback: false,
        }
    }
}

/// SRTP crypto suites and keying methods (PJSUA2's `SrtpOpt`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SrtpOpt {
    /// Crypto suites, in order of preference; empty means every suite the
    /// library has. Default empty.
    pub cryptos: Vec<SrtpCrypto>,
    /// Keying methods, in order of preference, as
    /// [`SrtpKeying`](crate::config::SrtpKeying) integers (SDES 0,
    /// DTLS-SRTP 1); empty means the library's default. Default empty.
    pub keyings: Vec<i32>,
}

/// One SRTP crypto suite (PJSUA2's `SrtpCrypto`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SrtpCrypto {
    /// The master key; empty means generated. Default "".
    pub key: String,
    /// The suite's name, e.g. `AES_CM_128_HMAC_SHA1_80`. Default "".
    pub name: String,
    /// `PJMEDIA_SRTP_NO_ENCRYPTION` 1, `PJMEDIA_SRTP_NO_AUTHENTICATION` 2.
    /// Default 0.
    pub flags: u32,
}

/// RTCP feedback, RFC 4585 (PJSUA2's `RtcpFbConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RtcpFbConfig {
    /// Offer RTP/AVP rather than RTP/AVPF even with capabilities.
    /// Default true.
    pub dont_use_avpf: bool,
    /// The feedback capabilities offered. Default none.
    pub caps: Vec<RtcpFbCap>,
}

impl Default for RtcpFbConfig {
    fn default() -> Self {
        Self {
            dont_use_avpf: true,
            caps: Vec::new(),
        }
    }
}

/// One RTCP feedback capability, an `a=rtcp-fb` line (PJSUA2's `RtcpFbCap`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RtcpFbCap {
    /// The codec, e.g. `VP8/90000`, or `*` for all. Default "".
    pub codec_id: String,
    /// The feedback type. Default [`RtcpFbType::Other`].
    #[serde(rename = "type")]
    pub type_: RtcpFbType,
    /// The type's name when `type_` is [`RtcpFbType::Other`]. Default "".
    pub type_name: String,
    /// The type's parameter, e.g. `pli`. Default "".
    pub param: String,
}

/// Video settings (PJSUA2's `AccountVideoConfig`; the defaults are those of
/// a build without video, like PJSUA2 2.15.1's Python module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountVideoConfig {
    /// Show incoming video in a window at once. Default false.
    pub auto_show_incoming: bool,
    /// Start sending video at once in outgoing calls. Default false.
    pub auto_transmit_outgoing: bool,
    /// Flags of the video windows, `PJMEDIA_VID_DEV_WND_*`. Default 0.
    pub window_flags: u32,
    /// The capture device; -1 means the default capture device.
    /// Default -1.
    pub default_capture_device: i32,
    /// The render device; -2 means the default render device. Default -2.
    pub default_render_device: i32,
    /// Rate control of the video streams. Default
    /// [`RateControlMethod::None`].
    pub rate_control_method: RateControlMethod,
    /// Upstream bandwidth for rate control, bits per second; 0 means from
    /// the codec. Default 0.
    pub rate_control_bandwidth: u32,
    /// Keyframes sent at the start of a stream. Default 0.
    pub start_keyframe_count: u32,
    /// Interval of those keyframes, ms. Default 0.
    pub start_keyframe_interval: u32,
}

impl Default for AccountVideoConfig {
    fn default() -> Self {
        Self {
            auto_show_incoming: false,
            auto_transmit_outgoing: false,
            window_flags: 0,
            default_capture_device: -1,
            default_render_device: -2,
            rate_control_method: RateControlMethod::None,
            rate_control_bandwidth: 0,
            start_keyframe_count: 0,
            start_keyframe_interval: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_config_defaults_are_pjsua2s() {
        let c = AccountMediaConfig::default();
        assert_eq!(c.transport_config.port, 4000);
        assert_eq!(c.transport_config.port_range, 0);
        assert_eq!(c.transport_config.tls_config, Default::default());
        assert!(c.lock_codec_enabled);
        assert!(!c.stream_ka_enabled);
        assert_eq!(c.srtp_use.as_i32(), 0);
        assert_eq!(c.srtp_secure_signaling.as_i32(), 1);
        assert!(c.srtp_opt.cryptos.is_empty() && c.srtp_opt.keyings.is_empty());
        assert_eq!(c.ipv6_use.as_i32(), 0);
        assert!(!c.rtcp_mux_enabled);
        assert!(c.rtcp_fb_config.dont_use_avpf);
        assert!(c.rtcp_fb_config.caps.is_empty());
        assert!(!c.rtcp_xr_enabled);
        assert!(!c.use_loop_med_tp);
        assert!(!c.enable_loopback);
    }

    #[test]
    fn rtcp_fb_cap_and_srtp_crypto_defaults_are_pjsua2s() {
        let cap = RtcpFbCap::default();
        assert_eq!(cap.type_.as_i32(), 3);
        assert_eq!(
            (
                cap.codec_id.as_str(),
                cap.type_name.as_str(),
                cap.param.as_str()
            ),
            ("", "", "")
        );
        let crypto = SrtpCrypto::default();
        assert_eq!(
            (crypto.key.as_str(), crypto.name.as_str(), crypto.flags),
            ("", "", 0)
        );
    }

    #[test]
    fn video_config_defaults_are_pjsua2s() {
        let c = AccountVideoConfig::default();
        assert!(!c.auto_show_incoming);
        assert!(!c.auto_transmit_outgoing);
        assert_eq!(c.window_flags, 0);
        assert_eq!(c.default_capture_device, -1);
        assert_eq!(c.default_render_device, -2);
        assert_eq!(c.rate_control_method.as_i32(), 0);
        assert_eq!(c.rate_control_bandwidth, 0);
        assert_eq!(c.start_keyframe_count, 0);
        assert_eq!(c.start_keyframe_interval, 0);
    }

    #[test]
    fn rtcp_fb_cap_serializes_type_as_pjsua2_does() {
        let v = serde_json::to_value(RtcpFbCap::default()).unwrap();
        assert_eq!(v["type"], 3);
        assert!(v.get("typeName").is_some());
    }
}
