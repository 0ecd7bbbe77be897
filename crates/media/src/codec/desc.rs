//! Codec descriptors: what each codec is, as the codec manager lists it.

use std::fmt;

/// Which implementation a descriptor stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodecKind {
    /// ITU-T G.711 µ-law.
    Pcmu,
    /// ITU-T G.711 A-law.
    Pcma,
    /// ITU-T G.722 at 64 kbit/s.
    G722,
    /// Uncompressed 16-bit linear PCM in network byte order (RFC 3551 §4.5.11).
    L16,
    /// Opus (RFC 6716, RTP payload RFC 7587), with the `opus` feature.
    Opus,
}

/// The description of one codec: name, rates, payload type and framing
/// defaults (PJSIP's `pjmedia_codec_info` plus the defaults of its
/// `pjmedia_codec_param`).
///
/// Its id text is PJSUA2's: `encoding_name/clock_rate/channels`, for
/// example `"PCMU/8000/1"`, `"G722/16000/1"`, `"L16/44100/2"`,
/// `"opus/48000/2"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodecDesc {
    /// The implementation.
    pub kind: CodecKind,
    /// Encoding name as in SDP `a=rtpmap` (`"PCMU"`, `"G722"`, `"L16"`, `"opus"`).
    pub encoding_name: &'static str,
    /// Sampling rate of the PCM the codec takes and gives, in Hz (16000 for
    /// G.722). This is the rate in the codec id.
    pub clock_rate: u32,
    /// Rate of the RTP timestamp clock, in Hz. Differs from `clock_rate`
    /// only for G.722, whose RTP clock is 8000 (RFC 3551 §4.5.2).
    pub rtp_clock_rate: u32,
    /// Channel count in the codec id and SDP (2 for Opus, as RFC 7587
    /// requires, although it encodes mono unless asked for stereo).
    pub channels: u16,
    /// Default RTP payload type: the static one of RFC 3551 (PCMU 0, PCMA 8,
    /// G722 9, L16 stereo 44.1 kHz 10, L16 mono 44.1 kHz 11), else PJMEDIA's
    /// provisional dynamic number, which SDP negotiation may replace.
    pub payload_type: u8,
    /// Duration of one codec frame in milliseconds (PJSUA2's `frameLen`).
    pub frame_ms: u32,
    /// Frames in one RTP packet by default (PJSUA2's `frmPerPkt`).
    pub frames_per_packet: u32,
    /// Average bit rate in bits per second (0: chosen by the codec).
    pub avg_bps: u32,
    /// Maximum bit rate in bits per second.
    pub max_bps: u32,
}

impl CodecDesc {
    /// PJSUA2's codec id: `"PCMU/8000/1"`.
    pub fn id(&self) -> String {
        self.to_string()
    }

    /// Default packet duration in milliseconds: frame time × frames per packet.
    pub const fn ptime_ms(&self) -> u32 {
        self.frame_ms * self.frames_per_packet
    }

    /// Whether the default payload type is a static one (below 96).
    pub const fn has_static_payload_type(&self) -> bool {
        self.payload_type < 96
    }

    /// Whether `prefix` selects this codec under PJSIP's rule: the id starts
    /// with it, compared case-insensitively (so `"pcmu"`, `"PCMU/8000"` and
    /// the empty string all select `"PCMU/8000/1"`).
    pub fn matches(&self, prefix: &str) -> bool {
        let id = self.id();
        id.len() >= prefix.len()
            && id.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    }
}

impl fmt::Display for CodecDesc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.encoding_name, self.clock_rate, self.channels
        )
    }
}

const fn l16(clock_rate: u32, channels: u16, payload_type: u8) -> CodecDesc {
    let bps = clock_rate * channels as u32 * 16;
    CodecDesc {
        kind: CodecKind::L16,
        encoding_name: "L16",
        clock_rate,
        rtp_clock_rate: clock_rate,
        channels,
        payload_type,
        // PJMEDIA keeps L16 packets under the MTU: 10 ms above 35 kHz.
        frame_ms: if clock_rate > 35_000 { 10 } else { 20 },
        frames_per_packet: 1,
        avg_bps: bps,
        max_bps: bps,
    }
}

/// G.711 µ-law, 8 kHz mono, static payload type 0.
pub const PCMU: CodecDesc = CodecDesc {
    kind: CodecKind::Pcmu,
    encoding_name: "PCMU",
    clock_rate: 8000,
    rtp_clock_rate: 8000,
    channels: 1,
    payload_type: 0,
    frame_ms: 10,
    frames_per_packet: 2,
    avg_bps: 64_000,
    max_bps: 64_000,
};

/// G.711 A-law, 8 kHz mono, static payload type 8.
pub const PCMA: CodecDesc = CodecDesc {
    kind: CodecKind::Pcma,
    encoding_name: "PCMA",
    payload_type: 8,
    ..PCMU
};

/// G.722 at 64 kbit/s: 16 kHz PCM, 8 kHz RTP clock, static payload type 9.
pub const G722: CodecDesc = CodecDesc {
    kind: CodecKind::G722,
    encoding_name: "G722",
    clock_rate: 16_000,
    rtp_clock_rate: 8000,
    channels: 1,
    payload_type: 9,
    frame_ms: 10,
    frames_per_packet: 2,
    avg_bps: 64_000,
    max_bps: 64_000,
};

/// L16 mono at 44.1 kHz, static payload type 11.
pub const L16_44100_MONO: CodecDesc = l16(44_100, 1, 11);
/// L16 stereo at 44.1 kHz, static payload type 10.
pub const L16_44100_STEREO: CodecDesc = l16(44_100, 2, 10);
/// L16 mono at 8 kHz (dynamic payload type).
pub const L16_8000_MONO: CodecDesc = l16(8000, 1, 120);
/// L16 stereo at 8 kHz (dynamic payload type).
pub const L16_8000_STEREO: CodecDesc = l16(8000, 2, 121);
/// L16 mono at 16 kHz (dynamic payload type).
pub const L16_16000_MONO: CodecDesc = l16(16_000, 1, 122);
/// L16 stereo at 16 kHz (dynamic payload type).
pub const L16_16000_STEREO: CodecDesc = l16(16_000, 2, 123);
/// L16 mono at 48 kHz (dynamic payload type).
pub const L16_48000_MONO: CodecDesc = l16(48_000, 1, 124);
/// L16 stereo at 48 kHz (dynamic payload type).
pub const L16_48000_STEREO: CodecDesc = l16(48_000, 2, 125);

/// Opus: `"opus/48000/2"` (RFC 7587), dynamic payload type, 20 ms frames,
/// bit rate chosen by the encoder unless `maxaveragebitrate` caps it.
pub const OPUS: CodecDesc = CodecDesc {
    kind: CodecKind::Opus,
    encoding_name: "opus",
    clock_rate: 48_000,
    rtp_clock_rate: 48_000,
    channels: 2,
    payload_type: 119,
    frame_ms: 20,
    frames_per_packet: 1,
    avg_bps: 0,
    max_bps: 96_000,
};

/// Every codec this build has, in PJSIP's registration order (G.711, G.722,
/// L16 — 44.1 kHz first, as its factory lists them — then Opus). The codec
/// manager lists codecs of equal priority in the order this produces.
pub fn available() -> Vec<CodecDesc> {
    let mut all = vec![
        PCMU,
        PCMA,
        G722,
        L16_44100_MONO,
        L16_44100_STEREO,
        L16_8000_MONO,
        L16_8000_STEREO,
        L16_16000_MONO,
        L16_16000_STEREO,
        L16_48000_MONO,
        L16_48000_STEREO,
    ];
    if cfg!(feature = "opus") {
        all.push(OPUS);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_pjsua2_ids() {
        assert_eq!(PCMU.id(), "PCMU/8000/1");
        assert_eq!(PCMA.id(), "PCMA/8000/1");
        assert_eq!(G722.id(), "G722/16000/1");
        assert_eq!(L16_44100_STEREO.id(), "L16/44100/2");
        assert_eq!(OPUS.id(), "opus/48000/2");
        assert_eq!(G722.rtp_clock_rate, 8000);
        assert_eq!(L16_44100_MONO.avg_bps, 705_600);
        assert_eq!((L16_48000_MONO.frame_ms, L16_16000_MONO.frame_ms), (10, 20));
    }

    #[test]
    fn prefixes_match_case_insensitively() {
        assert!(PCMU.matches("pcmu/8000"));
        assert!(PCMU.matches(""));
        assert!(PCMU.matches("PCMU/8000/1"));
        assert!(!PCMU.matches("PCMU/8000/1/x"));
        assert!(!PCMA.matches("PCMU"));
        assert!(L16_8000_STEREO.matches("L16"));
    }
}
