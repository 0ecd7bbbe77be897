//! What we can do: local media capabilities and the negotiator's options.

use std::net::IpAddr;

use crate::attr::{Attribute, Direction, Fmtp};

/// One codec we can send and receive, as advertised in SDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codec {
    /// Payload type: a static one of RFC 3551 (below 96), or the dynamic
    /// number we offer it with (an answer uses the offerer's).
    pub payload_type: u8,
    /// Encoding name as in `a=rtpmap` (`PCMU`, `G722`, `opus`).
    pub encoding: String,
    /// RTP clock rate in Hz (8000 for G.722, RFC 3551 §4.5.2).
    pub clock_rate: u32,
    /// Channels (1 for mono; written in `a=rtpmap` only when not 1).
    pub channels: u16,
    /// Our `a=fmtp` parameters (what we want to receive), if any.
    pub fmtp: Option<String>,
}

impl Codec {
    /// A mono codec without parameters.
    pub fn new(payload_type: u8, encoding: &str, clock_rate: u32) -> Self {
        Self {
            payload_type,
            encoding: encoding.to_owned(),
            clock_rate,
            channels: 1,
            fmtp: None,
        }
    }

    /// With `channels` channels.
    pub fn with_channels(mut self, channels: u16) -> Self {
        self.channels = channels;
        self
    }

    /// With these `a=fmtp` parameters.
    pub fn with_fmtp(mut self, fmtp: &str) -> Self {
        self.fmtp = Some(fmtp.to_owned());
        self
    }

    /// Whether this is the RFC 4733 `telephone-event` format.
    pub fn is_telephone_event(&self) -> bool {
        self.encoding.eq_ignore_ascii_case("telephone-event")
    }

    /// Whether this is RFC 3389 comfort noise (`CN`).
    pub fn is_comfort_noise(&self) -> bool {
        self.encoding.eq_ignore_ascii_case("CN")
    }

    /// Same encoding name (case-insensitively), clock rate and channels.
    pub fn same_format(&self, encoding: &str, clock_rate: u32, channels: u16) -> bool {
        self.encoding.eq_ignore_ascii_case(encoding)
            && self.clock_rate == clock_rate
            && self.channels == channels
    }
}

/// One media line we can offer or answer with: the codecs in priority
/// order and the transport it runs over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMedia {
    /// Media type (`audio`, `video`).
    pub media: String,
    /// Transport protocol (`RTP/AVP`).
    pub protocol: String,
    /// Codecs in priority order. Put telephone-event in
    /// [`LocalMedia::telephone_event`] rather than here; a `CN` entry
    /// offers comfort noise at its clock rate.
    pub codecs: Vec<Codec>,
    /// Offer and accept RFC 4733 telephone-event, once per clock rate of
    /// the codecs (PJSIP's `PJMEDIA_TELEPHONE_EVENT_ALL_CLOCKRATES`).
    pub telephone_event: bool,
    /// Our `a=ptime` (the packet time we want to receive), if written.
    pub ptime: Option<u32>,
    /// Our `a=maxptime`, if written.
    pub maxptime: Option<u32>,
    /// The most we want: `sendrecv` normally.
    pub direction: Direction,
    /// Our RTP address (the `c=` line).
    pub address: IpAddr,
    /// Our RTP port.
    pub rtp_port: u16,
    /// Our RTCP port when it is not the RTP port + 1 (advertised with
    /// `a=rtcp`, RFC 3605); `None`: RTP port + 1.
    pub rtcp_port: Option<u16>,
    /// Offer RTP and RTCP on one port, and accept it when offered
    /// (RFC 5761).
    pub rtcp_mux: bool,
    /// `b=TIAS` in bit/s (RFC 3890), if written.
    pub tias: Option<u64>,
    /// More attributes for our media lines (`a=ssrc:… cname:…`, `a=mid`),
    /// written after the codecs.
    pub extra_attributes: Vec<Attribute>,
}

impl LocalMedia {
    /// Audio over `RTP/AVP` at `address:rtp_port`, RTCP on the next port,
    /// `sendrecv`, with telephone-event and no ptime.
    pub fn audio(address: IpAddr, rtp_port: u16, codecs: Vec<Codec>) -> Self {
        Self {
            media: "audio".into(),
            protocol: "RTP/AVP".into(),
            codecs,
            telephone_event: true,
            ptime: None,
            maxptime: None,
            direction: Direction::SendRecv,
            address,
            rtp_port,
            rtcp_port: None,
            rtcp_mux: false,
            tias: None,
            extra_attributes: Vec::new(),
        }
    }

    /// Like [`LocalMedia::audio`] for video, without telephone-event.
    pub fn video(address: IpAddr, rtp_port: u16, codecs: Vec<Codec>) -> Self {
        Self {
            media: "video".into(),
            telephone_event: false,
            ..Self::audio(address, rtp_port, codecs)
        }
    }

    /// The RTCP port: [`LocalMedia::rtcp_port`] or RTP + 1.
    pub fn rtcp_port(&self) -> u16 {
        self.rtcp_port.unwrap_or(self.rtp_port.wrapping_add(1))
    }
}

/// Everything we can do in a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// `o=` username (`-` as PJSIP).
    pub username: String,
    /// `s=` (PJSIP writes `pjmedia`).
    pub session_name: String,
    /// Our address for `o=` and the session-level `c=`.
    pub address: IpAddr,
    /// Our media lines. An initial offer has one line per entry; an offer
    /// received is answered line by line with the entries of the same
    /// media type in turn (the first `audio` line with the first `audio`
    /// entry, …); a line with no entry left is rejected.
    pub media: Vec<LocalMedia>,
    /// Session-level attributes written in every description we make.
    pub session_attributes: Vec<Attribute>,
}

impl Capabilities {
    /// Capabilities with `-` as user, `pjmedia` as session name.
    pub fn new(address: IpAddr, media: Vec<LocalMedia>) -> Self {
        Self {
            username: "-".into(),
            session_name: "pjmedia".into(),
            address,
            media,
            session_attributes: Vec::new(),
        }
    }
}

/// Decides whether an offered codec's `a=fmtp` is compatible with ours
/// (same codec name, clock rate and channels already). Arguments: our
/// codec, the remote `a=fmtp` of that payload type if any.
pub type FmtpCheck = fn(&Codec, Option<&Fmtp>) -> bool;

/// The default [`FmtpCheck`]. Parameters that change the payload format
/// itself must agree; all others are receiver preferences that never
/// prevent a match:
/// - AMR, AMR-WB: `octet-align` (RFC 4867 §8.3.1, default 0);
/// - H.264: `packetization-mode` (RFC 6184 §8.2.2, default 0);
/// - everything else (G.711, G.722, L16, GSM, Speex, iLBC, whose `mode` is
///   only a preference, Opus, whose parameters are all preferences,
///   telephone-event): compatible.
pub fn default_fmtp_check(codec: &Codec, remote: Option<&Fmtp>) -> bool {
    let key = if codec.encoding.eq_ignore_ascii_case("AMR")
        || codec.encoding.eq_ignore_ascii_case("AMR-WB")
    {
        "octet-align"
    } else if codec.encoding.eq_ignore_ascii_case("H264") {
        "packetization-mode"
    } else {
        return true;
    };
    let ours = codec
        .fmtp
        .as_deref()
        .map(|p| Fmtp::new(codec.payload_type, p));
    let value = |f: Option<&Fmtp>| f.and_then(|f| f.get(key)).unwrap_or("0").to_owned();
    value(ours.as_ref()) == value(remote)
}

/// How the negotiator answers (PJSIP's compile-time settings, as
/// run-time options).
#[derive(Debug, Clone, Copy)]
pub struct NegotiatorOptions {
    /// Answer in the offerer's codec order (true, PJSIP's default
    /// `PJMEDIA_SDP_NEG_PREFER_REMOTE_CODEC_ORDER = 1`) or in ours.
    pub prefer_remote_codec_order: bool,
    /// Answer with every common codec (true) or only the preferred one
    /// (false, PJSIP's default `PJMEDIA_SDP_NEG_ANSWER_MULTIPLE_CODECS = 0`).
    pub answer_multiple_codecs: bool,
    /// The first telephone-event payload type we offer; one per clock
    /// rate, counting up (PJSIP 2.15: `PJMEDIA_RTP_PT_TELEPHONE_EVENTS`
    /// = 120).
    pub telephone_event_pt: u8,
    /// The fmtp compatibility check.
    pub fmtp_check: FmtpCheck,
}

impl Default for NegotiatorOptions {
    fn default() -> Self {
        Self {
            prefer_remote_codec_order: true,
            answer_multiple_codecs: false,
            telephone_event_pt: 120,
            fmtp_check: default_fmtp_check,
        }
    }
}
