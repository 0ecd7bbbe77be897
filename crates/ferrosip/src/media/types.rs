//! Plain data of the media API, with PJSUA2's names and defaults
//! (`MediaFormatAudio`, `ConfPortInfo`, `ToneDesc`, `ToneDigit`,
//! `ToneDigitMapDigit`, `AudioMediaPlayerInfo`, `CodecInfo`, `CodecParam`,
//! `CodecParamInfo`, `CodecParamSetting`, `CodecFmtp`, `AudioDevInfo`).
//!
//! Like the configs of [`crate::config`] they are serde-backed under
//! PJSUA2's camelCase names, which is how the bindings build their classes.

use media::AudioFormat;
use serde::{Deserialize, Serialize};

/// `PJMEDIA_TYPE_AUDIO`: the media type of every audio port.
pub const PJMEDIA_TYPE_AUDIO: u32 = 1;

/// The format of an audio port (PJSUA2's `MediaFormatAudio`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MediaFormatAudio {
    /// pjmedia's format id (0: 16-bit linear PCM, `PJMEDIA_FORMAT_L16`).
    pub id: u32,
    /// Media type (`PJMEDIA_TYPE_AUDIO` = 1).
    #[serde(rename = "type")]
    pub type_: u32,
    /// Samples per second per channel.
    pub clock_rate: u32,
    /// Channels.
    pub channel_count: u32,
    /// Duration of one frame, µs.
    pub frame_time_usec: u32,
    /// Bits per sample (16).
    pub bits_per_sample: u32,
    /// Average bit rate, bits per second.
    pub avg_bps: u32,
    /// Maximum bit rate, bits per second.
    pub max_bps: u32,
}

impl Default for MediaFormatAudio {
    /// All zero, as PJSUA2's constructor leaves it.
    fn default() -> Self {
        Self {
            id: 0,
            type_: 0,
            clock_rate: 0,
            channel_count: 0,
            frame_time_usec: 0,
            bits_per_sample: 0,
            avg_bps: 0,
            max_bps: 0,
        }
    }
}

impl MediaFormatAudio {
    /// The description of frames of `format` (16-bit PCM).
    pub fn from_format(format: AudioFormat) -> Self {
        let bps = format.clock_rate * u32::from(format.channels) * 16;
        Self {
            id: 0,
            type_: PJMEDIA_TYPE_AUDIO,
            clock_rate: format.clock_rate,
            channel_count: u32::from(format.channels),
            frame_time_usec: u32::try_from(format.frame_usec()).unwrap_or(u32::MAX),
            bits_per_sample: 16,
            avg_bps: bps,
            max_bps: bps,
        }
    }

    /// The frame shape this describes, if it is one the bridge can carry
    /// (a clock rate, 1 to 8 channels, a frame of 1 to 1000 ms, 16 bits).
    pub fn to_format(&self) -> Option<AudioFormat> {
        let channels = u16::try_from(self.channel_count).ok()?;
        if self.clock_rate == 0
            || self.clock_rate > 384_000
            || !(1..=8).contains(&channels)
            || !(1_000..=1_000_000).contains(&self.frame_time_usec)
            || !(self.bits_per_sample == 16 || self.bits_per_sample == 0)
        {
            return None;
        }
        let samples = u64::from(self.clock_rate) * u64::from(self.frame_time_usec) / 1_000_000;
        let samples_per_frame = u32::try_from(samples).ok().filter(|s| *s > 0)?;
        Some(AudioFormat {
            clock_rate: self.clock_rate,
            channels,
            samples_per_frame,
        })
    }
}

/// What PJSUA2's `AudioMedia.getPortInfo()` reports (`ConfPortInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConfPortInfo {
    /// The conference port id.
    pub port_id: i32,
    /// Its name (a player's file name, `"tonegen"`, `"Master/sound"`).
    pub name: String,
    /// Its own format.
    pub format: MediaFormatAudio,
    /// Level adjustment of what the bridge sends it, 1.0 = unchanged.
    pub tx_level_adj: f32,
    /// Level adjustment of what it gives the bridge, 1.0 = unchanged.
    pub rx_level_adj: f32,
    /// The ports it transmits to.
    pub listeners: Vec<i32>,
}

impl Default for ConfPortInfo {
    /// All zero, as PJSUA2's constructor leaves it.
    fn default() -> Self {
        Self {
            port_id: 0,
            name: String::new(),
            format: MediaFormatAudio::default(),
            tx_level_adj: 0.0,
            rx_level_adj: 0.0,
            listeners: Vec::new(),
        }
    }
}

impl From<media::bridge::ConfPortInfo> for ConfPortInfo {
    fn from(info: media::bridge::ConfPortInfo) -> Self {
        Self {
            port_id: slot_number(info.port_id),
            name: info.name,
            format: MediaFormatAudio::from_format(info.format),
            tx_level_adj: info.tx_level_adj,
            rx_level_adj: info.rx_level_adj,
            listeners: info.listeners.into_iter().map(slot_number).collect(),
        }
    }
}

/// The PJSUA2 port id of a bridge port.
pub(crate) fn slot_number(id: media::bridge::PortId) -> i32 {
    i32::try_from(id.slot()).unwrap_or(i32::MAX)
}

/// One tone of a [`crate::media::ToneGenerator`] (PJSUA2's `ToneDesc`):
/// one or two frequencies on for `on_msec`, then silence for `off_msec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ToneDesc {
    /// First frequency, Hz.
    pub freq1: i16,
    /// Second frequency, Hz (0: a single tone).
    pub freq2: i16,
    /// Time on, ms.
    #[serde(rename = "on_msec")]
    pub on_msec: i16,
    /// Time off, ms.
    #[serde(rename = "off_msec")]
    pub off_msec: i16,
    /// Volume, 0 for the default (12288, about −8.5 dBFS).
    pub volume: i16,
    /// `PJMEDIA_TONE_ENABLE_FADE` (2) and friends.
    pub flags: u32,
}

/// One DTMF digit of a [`crate::media::ToneGenerator`] (PJSUA2's
/// `ToneDigit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ToneDigit {
    /// The digit (`0`–`9`, `*`, `#`, `A`–`D`), as in the digit map.
    pub digit: char,
    /// Time on, ms.
    #[serde(rename = "on_msec")]
    pub on_msec: i16,
    /// Time off, ms.
    #[serde(rename = "off_msec")]
    pub off_msec: i16,
    /// Volume, 0 for the default.
    pub volume: i16,
}

impl Default for ToneDigit {
    fn default() -> Self {
        Self {
            digit: '\0',
            on_msec: 0,
            off_msec: 0,
            volume: 0,
        }
    }
}

/// A digit and its two frequencies (PJSUA2's `ToneDigitMapDigit`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ToneDigitMapDigit {
    /// The digit, as a one-character string (PJSUA2's `string digit`).
    pub digit: String,
    /// Low frequency, Hz.
    pub freq1: i32,
    /// High frequency, Hz.
    pub freq2: i32,
}

/// What PJSUA2's `AudioMediaPlayer.getInfo()` reports
/// (`AudioMediaPlayerInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AudioMediaPlayerInfo {
    /// pjmedia's format id of the file's encoding: 0 for PCM, the
    /// four-character codes of `ALAW` and `uLAW` for G.711.
    pub format_id: u32,
    /// Bits of one sample in the file.
    pub payload_bits_per_sample: u32,
    /// Bytes of audio data.
    pub size_bytes: u32,
    /// Samples, counting every channel.
    pub size_samples: u32,
}

impl From<media::wav::AudioMediaPlayerInfo> for AudioMediaPlayerInfo {
    fn from(i: media::wav::AudioMediaPlayerInfo) -> Self {
        Self {
            format_id: i.format_id,
            payload_bits_per_sample: i.payload_bits_per_sample,
            size_bytes: i.size_bytes,
            size_samples: i.size_samples,
        }
    }
}

/// A codec and its priority (PJSUA2's `CodecInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CodecInfo {
    /// The id: `"PCMU/8000/1"`.
    pub codec_id: String,
    /// Priority 0–255; 0 is disabled.
    pub priority: u8,
    /// Description (empty for audio codecs, as in PJSUA2).
    pub desc: String,
}

/// A codec-specific format parameter (PJSUA2's `CodecFmtp`), as in SDP's
/// `a=fmtp`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CodecFmtp {
    /// The parameter's name.
    pub name: String,
    /// Its value.
    pub val: String,
}

/// What a codec is (PJSUA2's `CodecParamInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CodecParamInfo {
    /// Sampling rate, Hz.
    pub clock_rate: u32,
    /// Channels.
    pub channel_cnt: u32,
    /// Average bit rate.
    pub avg_bps: u32,
    /// Maximum bit rate.
    pub max_bps: u32,
    /// Largest frame it may receive, bytes (0: no limit given).
    pub max_rx_frame_size: u32,
    /// Frame length, ms.
    pub frame_len: u32,
    /// Denominator of `frame_len` for fractional frame times (0: none).
    pub frame_len_denum: u32,
    /// Encoder frame length when it differs from the decoder's, ms (0:
    /// the same).
    pub enc_frame_len: u32,
    /// Denominator of `enc_frame_len` (0: none).
    pub enc_frame_len_denum: u32,
    /// Bits per PCM sample (16).
    pub pcm_bits_per_sample: u32,
    /// Payload type.
    pub pt: u32,
    /// pjmedia's format id (0 for PCM).
    pub fmt_id: u32,
}

/// How a codec is used (PJSUA2's `CodecParamSetting`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CodecParamSetting {
    /// Frames per RTP packet.
    pub frm_per_pkt: u32,
    /// Voice activity detection.
    pub vad: bool,
    /// Comfort noise generation.
    pub cng: bool,
    /// Perceptual enhancement.
    pub penh: bool,
    /// Packet loss concealment.
    pub plc: bool,
    /// Reserved.
    pub reserved: bool,
    /// Format parameters for the encoder (what the peer asked for).
    pub enc_fmtp: Vec<CodecFmtp>,
    /// Format parameters for the decoder (what we ask of the peer).
    pub dec_fmtp: Vec<CodecFmtp>,
    /// Expected packet loss, percent (Opus).
    pub packet_loss: u32,
    /// Complexity (Opus).
    pub complexity: u32,
    /// Constant bit rate (Opus).
    pub cbr: bool,
}

/// A codec's parameters (PJSUA2's `CodecParam`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CodecParam {
    /// What the codec is.
    pub info: CodecParamInfo,
    /// How it is used.
    pub setting: CodecParamSetting,
}

fn fmtp_out(list: &[media::codec::CodecFmtp]) -> Vec<CodecFmtp> {
    list.iter()
        .map(|f| CodecFmtp {
            name: f.name.clone(),
            val: f.val.clone(),
        })
        .collect()
}

fn fmtp_in(list: &[CodecFmtp]) -> Vec<media::codec::CodecFmtp> {
    list.iter()
        .map(|f| media::codec::CodecFmtp::new(f.name.clone(), f.val.clone()))
        .collect()
}

impl From<&media::codec::CodecParam> for CodecParam {
    fn from(p: &media::codec::CodecParam) -> Self {
        let (i, s) = (&p.info, &p.setting);
        Self {
            info: CodecParamInfo {
                clock_rate: i.clock_rate,
                channel_cnt: i.channel_cnt,
                avg_bps: i.avg_bps,
                max_bps: i.max_bps,
                max_rx_frame_size: i.max_rx_frame_size,
                frame_len: i.frame_len,
                frame_len_denum: i.frame_len_denum,
                enc_frame_len: i.enc_frame_len,
                enc_frame_len_denum: i.enc_frame_len_denum,
                pcm_bits_per_sample: i.pcm_bits_per_sample,
                pt: i.pt,
                fmt_id: i.fmt_id,
            },
            setting: CodecParamSetting {
                frm_per_pkt: s.frm_per_pkt,
                vad: s.vad,
                cng: s.cng,
                penh: s.penh,
                plc: s.plc,
                reserved: s.reserved,
                enc_fmtp: fmtp_out(&s.enc_fmtp),
                dec_fmtp: fmtp_out(&s.dec_fmtp),
                packet_loss: s.packet_loss,
                complexity: s.complexity,
                cbr: s.cbr,
            },
        }
    }
}

impl CodecParam {
    /// This applied onto `base` (the codec's current parameters): the
    /// fields PJSUA2 lets `codecSetParam` change.
    pub(crate) fn apply_to(&self, base: &media::codec::CodecParam) -> media::codec::CodecParam {
        let mut p = base.clone();
        let (i, s) = (&self.info, &self.setting);
        p.info.clock_rate = i.clock_rate;
        p.info.channel_cnt = i.channel_cnt;
        p.info.avg_bps = i.avg_bps;
        p.info.max_bps = i.max_bps;
        p.info.max_rx_frame_size = i.max_rx_frame_size;
        p.info.frame_len = i.frame_len;
        p.info.frame_len_denum = i.frame_len_denum;
        p.info.enc_frame_len = i.enc_frame_len;
        p.info.enc_frame_len_denum = i.enc_frame_len_denum;
        p.info.pcm_bits_per_sample = i.pcm_bits_per_sample;
        p.info.pt = i.pt;
        p.info.fmt_id = i.fmt_id;
        p.setting.frm_per_pkt = s.frm_per_pkt;
        p.setting.vad = s.vad;
        p.setting.cng = s.cng;
        p.setting.penh = s.penh;
        p.setting.plc = s.plc;
        p.setting.reserved = s.reserved;
        p.setting.enc_fmtp = fmtp_in(&s.enc_fmtp);
        p.setting.dec_fmtp = fmtp_in(&s.dec_fmtp);
        p.setting.packet_loss = s.packet_loss;
        p.setting.complexity = s.complexity;
        p.setting.cbr = s.cbr;
        p
    }
}

/// A sound device (PJSUA2's `AudioDevInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AudioDevInfo {
    /// Its index, as `setCaptureDev`/`setPlaybackDev` take it.
    pub id: i32,
    /// Its name.
    pub name: String,
    /// Capture channels (0: cannot capture).
    pub input_count: u32,
    /// Playback channels (0: cannot play).
    pub output_count: u32,
    /// Its default sampling rate.
    pub default_samples_per_sec: u32,
    /// The driver's name (`"ALSA"`, `"CoreAudio"`, …).
    pub driver: String,
    /// `PJMEDIA_AUD_DEV_CAP_*` flags it supports.
    pub caps: u32,
    /// Output routes it supports.
    pub routes: u32,
}
