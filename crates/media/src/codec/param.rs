//! Codec parameters, shaped like PJSUA2's `CodecParam`.

use super::CodecError;
use super::desc::{CodecDesc, CodecKind};

/// One `fmtp` parameter (`name=val`), PJSUA2's `CodecFmtp`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CodecFmtp {
    /// Parameter name, such as `"useinbandfec"`.
    pub name: String,
    /// Its value, such as `"1"`.
    pub val: String,
}

impl CodecFmtp {
    /// A parameter `name=val`.
    pub fn new(name: impl Into<String>, val: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            val: val.into(),
        }
    }

    /// The value of `name` (compared case-insensitively) in `list`.
    pub fn find<'a>(list: &'a [Self], name: &str) -> Option<&'a str> {
        list.iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.val.as_str())
    }
}

/// The fixed facts of a codec, PJSUA2's `CodecParamInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CodecParamInfo {
    /// Sampling rate of the PCM, in Hz.
    pub clock_rate: u32,
    /// Channels of the PCM.
    pub channel_cnt: u32,
    /// Average bit rate, in bits per second (0: chosen by the codec).
    pub avg_bps: u32,
    /// Maximum bit rate, in bits per second.
    pub max_bps: u32,
    /// Largest payload the decoder accepts, in bytes (0: any).
    pub max_rx_frame_size: u32,
    /// Duration of one codec frame, in milliseconds.
    pub frame_len: u32,
    /// Denominator of `frame_len` for fractional frame times (0 or 1: none).
    pub frame_len_denum: u32,
    /// Encoder frame duration when it differs from the decoder's (0: same).
    pub enc_frame_len: u32,
    /// Denominator of `enc_frame_len` (0 or 1: none).
    pub enc_frame_len_denum: u32,
    /// Bits per PCM sample (16).
    pub pcm_bits_per_sample: u32,
    /// RTP payload type.
    pub pt: u32,
    /// PJMEDIA format id (0: L16 PCM, as PJSUA2 reports for audio codecs).
    pub fmt_id: u32,
}

/// The settings one may change, PJSUA2's `CodecParamSetting`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CodecParamSetting {
    /// Codec frames in one RTP packet.
    pub frm_per_pkt: u32,
    /// Voice activity detection (Opus: DTX).
    pub vad: bool,
    /// Comfort noise generation.
    pub cng: bool,
    /// Perceptual enhancement.
    pub penh: bool,
    /// Packet loss concealment (Opus: in-band FEC).
    pub plc: bool,
    /// Reserved, as in PJSUA2.
    pub reserved: bool,
    /// `fmtp` the encoder must honour: the remote side's.
    pub enc_fmtp: Vec<CodecFmtp>,
    /// `fmtp` the decoder announces: ours.
    pub dec_fmtp: Vec<CodecFmtp>,
    /// Expected packet loss, percent (Opus).
    pub packet_loss: u32,
    /// Encoder complexity 0–10 (Opus).
    pub complexity: u32,
    /// Constant bit rate (Opus).
    pub cbr: bool,
}

/// A codec's parameters, PJSUA2's `CodecParam`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CodecParam {
    /// What the codec is.
    pub info: CodecParamInfo,
    /// How it is used.
    pub setting: CodecParamSetting,
}

impl CodecParam {
    /// PJSIP's default parameters for `desc`.
    pub fn default_for(desc: &CodecDesc) -> Self {
        let opus = desc.kind == CodecKind::Opus;
        Self {
            info: CodecParamInfo {
                clock_rate: desc.clock_rate,
                // Opus encodes mono unless configured otherwise.
                channel_cnt: if opus { 1 } else { u32::from(desc.channels) },
                avg_bps: desc.avg_bps,
                max_bps: desc.max_bps,
                max_rx_frame_size: if opus { 1275 } else { 0 },
                frame_len: desc.frame_ms,
                frame_len_denum: 0,
                enc_frame_len: 0,
                enc_frame_len_denum: 0,
                pcm_bits_per_sample: 16,
                pt: u32::from(desc.payload_type),
                fmt_id: 0,
            },
            setting: CodecParamSetting {
                frm_per_pkt: desc.frames_per_packet,
                vad: !opus,
                cng: false,
                penh: false,
                plc: true,
                reserved: false,
                enc_fmtp: Vec::new(),
                dec_fmtp: if opus {
                    vec![CodecFmtp::new("useinbandfec", "1")]
                } else {
                    Vec::new()
                },
                packet_loss: if opus { 5 } else { 0 },
                complexity: if opus { 5 } else { 0 },
                cbr: false,
            },
        }
    }

    /// Packet time in milliseconds: frame time × frames per packet.
    pub fn ptime_ms(&self) -> u32 {
        self.info.frame_len * self.setting.frm_per_pkt.max(1)
    }

    /// Checks that a codec of kind `desc` can run with these parameters.
    pub fn validate_for(&self, desc: &CodecDesc) -> Result<(), CodecError> {
        let invalid = |what: String| Err(CodecError::InvalidParam(what));
        let i = &self.info;
        match desc.kind {
            CodecKind::Opus => {
                if ![8000, 12_000, 16_000, 24_000, 48_000].contains(&i.clock_rate) {
                    return invalid(format!("Opus cannot run at {} Hz", i.clock_rate));
                }
                if !(1..=2).contains(&i.channel_cnt) {
                    return invalid(format!("Opus cannot code {} channels", i.channel_cnt));
                }
                if ![10, 20, 40, 60].contains(&self.ptime_ms()) {
                    return invalid(format!("Opus cannot send {} ms packets", self.ptime_ms()));
                }
                if self.setting.complexity > 10 || self.setting.packet_loss >= 100 {
                    return invalid("Opus complexity is 0-10, packet loss 0-99".into());
                }
            }
            _ => {
                if i.clock_rate != desc.clock_rate || i.channel_cnt != u32::from(desc.channels) {
                    return invalid(format!(
                        "{desc} runs at {} Hz with {} channel(s)",
                        desc.clock_rate, desc.channels
                    ));
                }
            }
        }
        if i.frame_len == 0 || self.ptime_ms() > 200 {
            return invalid(format!(
                "a packet time of {} x {} ms",
                self.setting.frm_per_pkt, i.frame_len
            ));
        }
        if i.pt > 127 {
            return invalid(format!("payload type {} is not 0-127", i.pt));
        }
        Ok(())
    }
}
