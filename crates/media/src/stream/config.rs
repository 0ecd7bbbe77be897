//! What a stream is set up with, and what it reports.

use std::net::SocketAddr;

use crate::codec::telephone_event::{self, DtmfEvent};
use crate::codec::{CodecDesc, CodecError, CodecManager, CodecParam};
use crate::jitter::{ConfigError, DiscardAlgorithm, JbufState};
use crate::rtp::{RtcpStat, RtpError, RtpEvent};

/// How a [`super::Stream`] is set up: what SDP negotiated, and the jitter
/// buffer settings (PJSUA2's `MediaConfig.jb*`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StreamConfig {
    /// The codec.
    pub codec: CodecDesc,
    /// Its parameters (the packet time comes from `ptime_ms`).
    pub param: CodecParam,
    /// The negotiated payload type of the codec: what is sent (the
    /// peer's number), and what is received unless `rx_payload_type`
    /// says otherwise.
    pub payload_type: u8,
    /// The codec's payload type in our own description, when the peer
    /// numbered it differently (RFC 3264 asks it not to, some do): received
    /// packets with either number are audio. `None`: the same number.
    pub rx_payload_type: Option<u8>,
    /// The negotiated telephone-event payload type; `None`: no RFC 4733.
    pub telephone_event_pt: Option<u8>,
    /// Our telephone-event payload type when it differs from the peer's
    /// (`telephone_event_pt`, the one sent): received events with either
    /// number are taken. `None`: the same number.
    pub rx_telephone_event_pt: Option<u8>,
    /// The negotiated comfort noise payload type (RFC 3389, 13); `None`:
    /// no CN. With it, the keep-alive packets of silence suppression are
    /// CN packets; without it, ordinary frames of the silent audio.
    pub comfort_noise_pt: Option<u8>,
    /// Where RTP goes.
    pub remote_rtp: SocketAddr,
    /// Where RTCP goes; `None`: the RTP port plus one.
    pub remote_rtcp: Option<SocketAddr>,
    /// RTP and RTCP on one port (RFC 5761).
    pub rtcp_mux: bool,
    /// Seed of the RTP session (SSRC, sequence, timestamp, RTCP timing).
    pub seed: u64,
    /// Packet time in milliseconds: one frame of the port, one RTP packet
    /// sent. Received packets may last any time (see [`super::Stream`]).
    pub ptime_ms: u32,
    /// Voice activity detection with silence suppression: no RTP for
    /// the frames a [`crate::vad::SilenceDetector`] calls silence. Set from
    /// the codec parameters' `setting.vad` by the constructors; PJSUA2's
    /// `MediaConfig.noVad` turns it off. Codecs with a VAD of their own
    /// (Opus, whose `vad` means DTX) ignore it.
    pub vad: bool,
    /// Initial prefetch, ms (−1: default, no prefetch).
    pub jb_init: i32,
    /// Least prefetch, ms (−1: default).
    pub jb_min_pre: i32,
    /// Most prefetch, ms (−1: default).
    pub jb_max_pre: i32,
    /// Most delay the jitter buffer holds, ms (−1: default, 500 ms).
    pub jb_max: i32,
    /// How the jitter buffer shortens its delay.
    pub jb_discard_algo: DiscardAlgorithm,
}

impl StreamConfig {
    /// A stream of the first codec whose id starts with `codec_id` (as
    /// [`CodecManager::find`] sees it, disabled codecs included), with its
    /// default payload type, parameters and packet time, telephone events
    /// on payload type 120, no comfort noise, and PJSUA2's default jitter
    /// buffer.
    pub fn new(codec_id: &str, remote_rtp: SocketAddr) -> Result<Self, CodecError> {
        let manager = CodecManager::new();
        let desc = *manager
            .find(codec_id)
            .ok_or_else(|| CodecError::NotFound(codec_id.to_owned()))?;
        Ok(Self::with_desc(
            desc,
            CodecParam::default_for(&desc),
            remote_rtp,
        ))
    }

    /// A stream of `desc` with `param` (the negotiated ones): the packet
    /// time and VAD come from `param`.
    pub fn with_desc(desc: CodecDesc, param: CodecParam, remote_rtp: SocketAddr) -> Self {
        let ptime_ms = param.ptime_ms();
        let vad = param.setting.vad;
        Self {
            codec: desc,
            param,
            payload_type: desc.payload_type,
            rx_payload_type: None,
            telephone_event_pt: Some(telephone_event::DEFAULT_PAYLOAD_TYPE),
            rx_telephone_event_pt: None,
            comfort_noise_pt: None,
            remote_rtp,
            remote_rtcp: None,
            rtcp_mux: false,
            seed: 0x5eed,
            ptime_ms,
            vad,
            jb_init: -1,
            jb_min_pre: -1,
            jb_max_pre: -1,
            jb_max: -1,
            jb_discard_algo: DiscardAlgorithm::Progressive,
        }
    }
}

/// What can keep a stream from being built or from doing what it is asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// The codec could not be created, or a digit is not DTMF.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The RTP session refused its settings.
    #[error(transparent)]
    Rtp(#[from] RtpError),
    /// The jitter buffer refused its settings.
    #[error("jitter buffer: {0}")]
    Jitter(#[from] ConfigError),
    /// DTMF asked for, but no telephone-event payload type was negotiated.
    #[error("no telephone-event payload type negotiated")]
    NoTelephoneEvent,
}

/// Something the stream's user should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// A DTMF digit started or ended (RFC 4733).
    Dtmf(DtmfEvent),
    /// Something the RTP session reports.
    Rtp(RtpEvent),
}

/// PJSUA2's `StreamStat`: the RTP/RTCP statistics and the jitter buffer's
/// state.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamStat {
    /// RTP and RTCP statistics.
    pub rtcp: RtcpStat,
    /// The jitter buffer (its frames are the stream's receive units, see
    /// [`super::Stream`]).
    pub jbuf: JbufState,
}
