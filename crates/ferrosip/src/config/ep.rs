//! The endpoint's configuration: [`EpConfig`] with its user-agent, logging
//! and media parts (PJSUA2's `EpConfig`, `UaConfig`, `LogConfig`,
//! `MediaConfig`).

use serde::{Deserialize, Serialize};

use super::enums::JbDiscardAlgo;

/// Everything `Endpoint::lib_init` takes (PJSUA2's `EpConfig`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EpConfig {
    /// The SIP user agent's settings.
    pub ua_config: UaConfig,
    /// Logging.
    pub log_config: LogConfig,
    /// The media engine's settings.
    pub med_config: MediaConfig,
}

/// The SIP user agent's settings (PJSUA2's `UaConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UaConfig {
    /// Most calls at once (PJSUA2's compile-time ceiling is 32). Default 4.
    pub max_calls: u32,
    /// SIP worker threads; 0 means the application polls with
    /// `lib_handle_events`. Default 1.
    pub thread_cnt: u32,
    /// Run every callback on the thread that called `lib_create`, inside
    /// `lib_handle_events` (needs `thread_cnt` 0). Default false.
    pub main_thread_only: bool,
    /// DNS servers for SIP server location (RFC 3263, DNS SRV); empty means
    /// plain host lookups. Default empty.
    pub nameserver: Vec<String>,
    /// Proxies every outgoing request goes through, before an account's own
    /// proxies. Default empty. (Not persisted by PJSUA2 2.15.1.)
    pub outbound_proxies: Vec<String>,
    /// The `User-Agent` header; empty sends none. Default "".
    pub user_agent: String,
    /// STUN servers, `host[:port]`, tried in order. Default empty.
    pub stun_server: Vec<String>,
    /// Also resolve the STUN servers to IPv6 addresses. Default false.
    pub stun_try_ipv6: bool,
    /// Start even if no STUN server answers. Default true.
    pub stun_ignore_failure: bool,
    /// Put the NAT type in SDP: 0 no, 1 the number only, 2 the number and
    /// its name. Default 1.
    pub nat_type_in_sdp: i32,
    /// Accept unsolicited message-waiting NOTIFYs (RFC 3842). Default true.
    pub mwi_unsolicited_enabled: bool,
    /// Discover a UPnP Internet gateway for public addresses. Default false.
    pub enable_upnp: bool,
    /// The network interface for UPnP; empty means any. Default "".
    pub upnp_if_name: String,
}

impl Default for UaConfig {
    fn default() -> Self {
        Self {
            max_calls: 4,
            thread_cnt: 1,
            main_thread_only: false,
            nameserver: Vec::new(),
            outbound_proxies: Vec::new(),
            user_agent: String::new(),
            stun_server: Vec::new(),
            stun_try_ipv6: false,
            stun_ignore_failure: true,
            nat_type_in_sdp: 1,
            mwi_unsolicited_enabled: true,
            enable_upnp: false,
            upnp_if_name: String::new(),
        }
    }
}

/// Logging (PJSUA2's `LogConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LogConfig {
    /// Log whole SIP messages (non-zero) or not (0). Default 1.
    pub msg_logging: u32,
    /// Most verbose level logged at all, 0 (none) to 6. Default 5.
    pub level: u32,
    /// Most verbose level shown on the console. Default 4.
    pub console_level: u32,
    /// What decorates each line, a bitmask of `PJ_LOG_HAS_*` (TIME 16,
    /// MICRO_SEC 32, SENDER 64, NEWLINE 128, SPACE 512, THREAD_SWC 8192,
    /// INDENT 16384, ...). Default 25328 (those seven).
    pub decor: u32,
    /// A file to log to as well; empty means none. Default "".
    pub filename: String,
    /// How the log file is opened: `PJ_O_APPEND` (4360) appends, 0
    /// truncates. Default 0.
    pub file_flags: u32,
    /// The application's log writer, which receives instead of the console
    /// every line up to `consoleLevel`. Default none. Not saved in JSON (nor
    /// by PJSUA2).
    #[serde(skip)]
    pub writer: Option<crate::log::LogWriterRef>,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            msg_logging: 1,
            level: 5,
            console_level: 4,
            decor: 25328,
            filename: String::new(),
            file_flags: 0,
            writer: None,
        }
    }
}

/// The media engine's settings (PJSUA2's `MediaConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MediaConfig {
    /// Clock rate of the conference bridge, Hz. Default 16000.
    pub clock_rate: u32,
    /// Clock rate of the sound device; 0 means `clock_rate`. Default 0.
    pub snd_clock_rate: u32,
    /// Channels of the bridge and sound device. Default 1.
    pub channel_count: u32,
    /// Length of an audio frame in the bridge, ms. Default 20.
    pub audio_frame_ptime: u32,
    /// Most ports of the conference bridge. Default 254.
    pub max_media_ports: u32,
    /// Poll the media sockets with an I/O queue of their own. Default true.
    pub has_ioqueue: bool,
    /// Media worker threads polling that queue. Default 1.
    pub thread_cnt: u32,
    /// Media quality, 1 to 10 (resampling, codec complexity). Default 8.
    pub quality: u32,
    /// Packet time for outgoing RTP, ms; 0 means each codec's default.
    /// Default 0.
    pub ptime: u32,
    /// Disable voice activity detection. Default false.
    pub no_vad: bool,
    /// iLBC mode, 20 or 30 ms. Default 30.
    pub ilbc_mode: u32,
    /// Percentage of outgoing RTP packets dropped, to simulate loss.
    /// Default 0.
    pub tx_drop_pct: u32,
    /// Percentage of incoming RTP packets dropped, to simulate loss.
    /// Default 0.
    pub rx_drop_pct: u32,
    /// Echo canceller options, `PJMEDIA_ECHO_*` flags; 0 is the default
    /// canceller. Default 0.
    pub ec_options: u32,
    /// Echo canceller tail, ms; 0 disables echo cancellation. Default 200.
    pub ec_tail_len: u32,
    /// Sound capture latency, ms. Default 100.
    pub snd_rec_latency: u32,
    /// Sound playback latency, ms. Default 140.
    pub snd_play_latency: u32,
    /// Initial jitter buffer prefetch delay, milliseconds; -1 means the default.
    /// Default -1.
    pub jb_init: i32,
    /// Least jitter buffer prefetch delay, milliseconds; -1 means the default.
    /// Default -1.
    pub jb_min_pre: i32,
    /// Most jitter buffer prefetch delay, milliseconds; -1 means the default.
    /// Default -1.
    pub jb_max_pre: i32,
    /// Most delay the jitter buffer holds, milliseconds; -1 means the
    /// default (500). Default -1.
    pub jb_max: i32,
    /// How the jitter buffer discards frames. Default
    /// [`JbDiscardAlgo::Progressive`].
    pub jb_discard_algo: JbDiscardAlgo,
    /// Seconds of silence before the idle sound device is closed; -1 never,
    /// 0 at once. Default 1.
    pub snd_auto_close_time: i32,
    /// Use the capture device's native preview window if it has one.
    /// Default true.
    pub vid_preview_enable_native: bool,
    /// Clock the bridge with a software timer, not the sound device.
    /// Default false.
    pub snd_use_sw_clock: bool,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            clock_rate: 16000,
            snd_clock_rate: 0,
            channel_count: 1,
            audio_frame_ptime: 20,
            max_media_ports: 254,
            has_ioqueue: true,
            thread_cnt: 1,
            quality: 8,
            ptime: 0,
            no_vad: false,
            ilbc_mode: 30,
            tx_drop_pct: 0,
            rx_drop_pct: 0,
            ec_options: 0,
            ec_tail_len: 200,
            snd_rec_latency: 100,
            snd_play_latency: 140,
            jb_init: -1,
            jb_min_pre: -1,
            jb_max_pre: -1,
            jb_max: -1,
            jb_discard_algo: JbDiscardAlgo::Progressive,
            snd_auto_close_time: 1,
            vid_preview_enable_native: true,
            snd_use_sw_clock: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ua_config_defaults_are_pjsua2s() {
        let c = UaConfig::default();
        assert_eq!(c.max_calls, 4);
        assert_eq!(c.thread_cnt, 1);
        assert!(!c.main_thread_only);
        assert!(c.nameserver.is_empty());
        assert!(c.outbound_proxies.is_empty());
        assert_eq!(c.user_agent, "");
        assert!(c.stun_server.is_empty());
        assert!(!c.stun_try_ipv6);
        assert!(c.stun_ignore_failure);
        assert_eq!(c.nat_type_in_sdp, 1);
        assert!(c.mwi_unsolicited_enabled);
        assert!(!c.enable_upnp);
        assert_eq!(c.upnp_if_name, "");
    }

    #[test]
    fn log_config_defaults_are_pjsua2s() {
        let c = LogConfig::default();
        assert_eq!(c.msg_logging, 1);
        assert_eq!(c.level, 5);
        assert_eq!(c.console_level, 4);
        assert_eq!(c.decor, 16 | 32 | 64 | 128 | 512 | 8192 | 16384);
        assert_eq!(c.filename, "");
        assert_eq!(c.file_flags, 0);
    }

    #[test]
    fn media_config_defaults_are_pjsua2s() {
        let c = MediaConfig::default();
        assert_eq!(c.clock_rate, 16000);
        assert_eq!(c.snd_clock_rate, 0);
        assert_eq!(c.channel_count, 1);
        assert_eq!(c.audio_frame_ptime, 20);
        assert_eq!(c.max_media_ports, 254);
        assert!(c.has_ioqueue);
        assert_eq!(c.thread_cnt, 1);
        assert_eq!(c.quality, 8);
        assert_eq!(c.ptime, 0);
        assert!(!c.no_vad);
        assert_eq!(c.ilbc_mode, 30);
        assert_eq!((c.tx_drop_pct, c.rx_drop_pct), (0, 0));
        assert_eq!(c.ec_options, 0);
        assert_eq!(c.ec_tail_len, 200);
        assert_eq!(c.snd_rec_latency, 100);
        assert_eq!(c.snd_play_latency, 140);
        assert_eq!(
            (c.jb_init, c.jb_min_pre, c.jb_max_pre, c.jb_max),
            (-1, -1, -1, -1)
        );
        assert_eq!(c.jb_discard_algo, JbDiscardAlgo::Progressive);
        assert_eq!(c.snd_auto_close_time, 1);
        assert!(c.vid_preview_enable_native);
        assert!(!c.snd_use_sw_clock);
    }

    #[test]
    fn ep_config_is_its_parts_defaults() {
        let c = EpConfig::default();
        assert_eq!(c.ua_config, UaConfig::default());
        assert_eq!(c.log_config, LogConfig::default());
        assert_eq!(c.med_config, MediaConfig::default());
    }

    #[test]
    fn serde_uses_pjsua2_names() {
        let v = serde_json::to_value(EpConfig::default()).unwrap();
        assert_eq!(v["uaConfig"]["maxCalls"], 4);
        assert_eq!(v["medConfig"]["jbDiscardAlgo"], 2);
        assert_eq!(v["logConfig"]["decor"], 25328);
        let back: EpConfig = serde_json::from_value(v).unwrap();
        assert_eq!(back, EpConfig::default());
        let partial: UaConfig = serde_json::from_str(r#"{"threadCnt": 0}"#).unwrap();
        assert_eq!(partial.thread_cnt, 0);
        assert_eq!(partial.max_calls, 4);
    }
}
