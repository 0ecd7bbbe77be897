//! One audio stream of a call (pjmedia's `pjmedia_stream`, PJSUA2's
//! `AudioMedia` of a call): an [`RtpSession`], a [`Codec`], a
//! [`JitterBuffer`] and RFC 4733 DTMF, as a [`MediaPort`] that plugs into
//! the conference bridge.
//!
//! Sans-IO like the rest of the crate. The bridge side is the
//! [`MediaPort`]: [`MediaPort::put_frame`] encodes one frame and sends it,
//! [`MediaPort::get_frame`] plays one frame out of the jitter buffer. The
//! network side is the runtime's: it hands received datagrams to
//! [`Stream::handle_datagram`], fires [`Stream::handle_timeout`] when
//! [`Stream::poll_timeout`] is due, and drains [`Stream::poll_transmit`] and
//! [`Stream::poll_event`] after each call.
//!
//! # Time
//!
//! `put_frame` and `get_frame` carry no time, so the stream keeps the last
//! `now` it was given — by [`Stream::new`], the `handle_*` calls or
//! [`Stream::set_now`] — and stamps what `put_frame` sends with it. The
//! media clock should call `set_now` before each tick (times never go
//! backwards: an earlier `now` is ignored).
//!
//! ```
//! use std::time::{Duration, Instant};
//!
//! use media::MediaPort;
//! use media::stream::{Stream, StreamConfig};
//!
//! # #[allow(clippy::disallowed_methods)]
//! let start = Instant::now();
//! let a_addr = "192.0.2.1:4000".parse().unwrap();
//! let b_addr = "192.0.2.2:4000".parse().unwrap();
//! let mut a = Stream::new(StreamConfig::new("PCMU", b_addr).unwrap(), start).unwrap();
//! let mut config = StreamConfig::new("PCMU", a_addr).unwrap();
//! config.seed = 2;
//! let mut b = Stream::new(config, start).unwrap();
//!
//! let tone = vec![1000i16; a.format().frame_len()];
//! let mut out = vec![0i16; b.format().frame_len()];
//! for i in 0..10 {
//!     let now = start + Duration::from_millis(20 * i);
//!     a.set_now(now);
//!     a.put_frame(&tone);
//!     while let Some(t) = a.poll_transmit() {
//!         let _ = b.handle_datagram(now, a_addr, &t.payload);
//!     }
//!     b.set_now(now);
//!     b.get_frame(&mut out);
//! }
//! assert!((i32::from(out[80]) - 1000).abs() < 40);
//! assert_eq!(b.stats().rtcp.rx_stat.pkt, 9); // the first was on probation
//! ```

use std::net::SocketAddr;
use std::time::Instant;

use crate::codec::telephone_event::{self, DtmfEvent, DtmfReceiver, DtmfSender};
use crate::codec::{Codec, CodecDesc, CodecError, CodecManager, CodecParam};
use crate::jitter::{ConfigError, DiscardAlgorithm, Frame, JbufState, JitterBuffer, JitterConfig};
use crate::port::{AudioFormat, FrameKind, MediaPort};
use crate::rtp::{Received, RtcpStat, RtpError, RtpEvent, RtpSession, RtpSessionConfig, Transmit};

/// How a [`Stream`] is set up: what SDP negotiated, and the jitter buffer
/// settings (PJSUA2's `MediaConfig.jb*`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StreamConfig {
    /// The codec.
    pub codec: CodecDesc,
    /// Its parameters (the packet time comes from `ptime_ms`).
    pub param: CodecParam,
    /// The negotiated payload type of the codec.
    pub payload_type: u8,
    /// The negotiated telephone-event payload type; `None`: no RFC 4733.
    pub telephone_event_pt: Option<u8>,
    /// Where RTP goes.
    pub remote_rtp: SocketAddr,
    /// Where RTCP goes; `None`: the RTP port plus one.
    pub remote_rtcp: Option<SocketAddr>,
    /// RTP and RTCP on one port (RFC 5761).
    pub rtcp_mux: bool,
    /// Seed of the RTP session (SSRC, sequence, timestamp, RTCP timing).
    pub seed: u64,
    /// Packet time in milliseconds: one frame of the port, one RTP packet.
    pub ptime_ms: u32,
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
    /// on payload type 120, and PJSUA2's default jitter buffer.
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

    /// A stream of `desc` with `param` (the negotiated ones).
    pub fn with_desc(desc: CodecDesc, param: CodecParam, remote_rtp: SocketAddr) -> Self {
        let ptime_ms = param.ptime_ms();
        Self {
            codec: desc,
            param,
            payload_type: desc.payload_type,
            telephone_event_pt: Some(telephone_event::DEFAULT_PAYLOAD_TYPE),
            remote_rtp,
            remote_rtcp: None,
            rtcp_mux: false,
            seed: 0x5eed,
            ptime_ms,
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
    /// The jitter buffer.
    pub jbuf: JbufState,
}

/// One audio stream: encodes what the bridge puts, sends it as RTP, and
/// plays what arrives through the jitter buffer and the decoder.
#[derive(Debug)]
pub struct Stream {
    session: RtpSession,
    codec: Box<dyn Codec>,
    jitter: JitterBuffer,
    dtmf_tx: DtmfSender,
    dtmf_rx: DtmfReceiver,
    format: AudioFormat,
    payload_type: u8,
    te_pt: Option<u8>,
    /// RTP timestamp units per frame.
    ts_span: u32,
    now: Instant,
    /// Timestamp (relative to the stream's first) of the next frame.
    next_ts: u32,
    /// Relative timestamp of the last packet sent.
    last_sent_ts: u32,
    /// The next audio packet starts a talkspurt (after DTX).
    marker: bool,
    encoded: Vec<u8>,
    /// Newest timestamp of received audio, to time out DTMF ends.
    rx_ts: Option<u32>,
}

impl Stream {
    /// A stream set up as `config` says, starting at `now`.
    pub fn new(config: StreamConfig, now: Instant) -> Result<Self, StreamError> {
        let StreamConfig {
            codec: desc,
            mut param,
            payload_type,
            telephone_event_pt,
            remote_rtp,
            remote_rtcp,
            rtcp_mux,
            seed,
            ptime_ms,
            jb_init,
            jb_min_pre,
            jb_max_pre,
            jb_max,
            jb_discard_algo,
        } = config;
        param.info.frame_len = ptime_ms;
        param.setting.frm_per_pkt = 1;
        let codec = CodecManager::create_with(&desc, &param)?;
        let format = codec.format();
        let ts_span = (u64::from(format.samples_per_frame) * u64::from(desc.rtp_clock_rate)
            / u64::from(format.clock_rate.max(1))) as u32;
        let mut rtp = RtpSessionConfig::new(remote_rtp, payload_type, desc.rtp_clock_rate);
        rtp.remote_rtcp = remote_rtcp;
        rtp.rtcp_mux = rtcp_mux;
        rtp.seed = seed;
        let session = RtpSession::new(rtp, now)?;
        let mut jb = JitterConfig::new(ptime_ms, ts_span);
        jb.jb_init = jb_init;
        jb.jb_min_pre = jb_min_pre;
        jb.jb_max_pre = jb_max_pre;
        jb.jb_max = jb_max;
        jb.jb_discard_algo = jb_discard_algo;
        let jitter = JitterBuffer::new(&jb)?;
        Ok(Self {
            session,
            codec,
            jitter,
            dtmf_tx: DtmfSender::new(desc.rtp_clock_rate),
            dtmf_rx: DtmfReceiver::new(desc.rtp_clock_rate),
            format,
            payload_type,
            te_pt: telephone_event_pt,
            ts_span,
            now,
            next_ts: 0,
            last_sent_ts: 0,
            marker: false,
            encoded: Vec::new(),
            rx_ts: None,
        })
    }

    /// Tells the stream the time, for what the next `put_frame` sends.
    /// An earlier time than the last one is ignored.
    pub fn set_now(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }

    /// Takes a datagram from the stream's RTP (or RTCP) socket: audio into
    /// the jitter buffer, telephone events into the DTMF receiver, RTCP into
    /// the session. An error says why it was not taken (it is counted).
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &[u8],
    ) -> Result<(), RtpError> {
        self.set_now(now);
        let Received::Rtp(view) = self.session.handle_datagram(self.now, from, datagram)? else {
            return Ok(());
        };
        let (pt, ts) = (view.payload_type(), view.timestamp());
        if pt == self.payload_type {
            self.jitter.put(ts, view.payload(), view.marker());
            if self
                .rx_ts
                .is_none_or(|last| (ts.wrapping_sub(last) as i32) > 0)
            {
                self.rx_ts = Some(ts);
                self.dtmf_rx.handle_time(ts);
            }
        } else if Some(pt) == self.te_pt {
            // A malformed event is dropped.
            let _ = self.dtmf_rx.handle_packet(ts, view.payload());
        }
        Ok(())
    }

    /// Runs the session's timers (RTCP reports, RTP timeout) at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.set_now(now);
        self.session.handle_timeout(self.now);
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.session.poll_transmit()
    }

    /// When to call [`Stream::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.session.poll_timeout()
    }

    /// The next DTMF digit or RTP event.
    pub fn poll_event(&mut self) -> Option<StreamEvent> {
        if let Some(e) = self.dtmf_rx.poll_event() {
            return Some(StreamEvent::Dtmf(e));
        }
        self.session.poll_event().map(StreamEvent::Rtp)
    }

    /// Queues `digits` to send as RFC 4733 events of `duration_ms` each,
    /// in place of audio on the coming `put_frame` ticks.
    pub fn send_dtmf(&mut self, digits: &str, duration_ms: u32) -> Result<(), StreamError> {
        if self.te_pt.is_none() {
            return Err(StreamError::NoTelephoneEvent);
        }
        self.dtmf_tx.send_digits(digits, duration_ms)?;
        Ok(())
    }

    /// Whether DTMF digits are queued or being sent.
    pub fn is_sending_dtmf(&self) -> bool {
        self.dtmf_tx.is_busy()
    }

    /// PJSUA2's `StreamStat`.
    pub fn stats(&self) -> StreamStat {
        StreamStat {
            rtcp: self.session.stats(),
            jbuf: self.jitter.state(),
        }
    }

    /// The RTP session.
    pub fn session(&self) -> &RtpSession {
        &self.session
    }

    /// The RTP session, to change its remote address or close it.
    pub fn session_mut(&mut self) -> &mut RtpSession {
        &mut self.session
    }

    /// The codec's description.
    pub fn codec_desc(&self) -> &CodecDesc {
        self.codec.desc()
    }

    /// Sends one packet with relative timestamp `ts`.
    fn send(&mut self, pt: u8, ts: u32, marker: bool) {
        let advance = ts.wrapping_sub(self.last_sent_ts);
        let payload = std::mem::take(&mut self.encoded);
        if self
            .session
            .send_with_payload_type(self.now, pt, &payload, advance, marker)
            .is_ok()
        {
            self.last_sent_ts = ts;
        }
        self.encoded = payload;
    }
}

impl MediaPort for Stream {
    fn format(&self) -> AudioFormat {
        self.format
    }

    /// Plays one frame: the jitter buffer's next frame decoded, concealment
    /// for a missing or discarded one, silence ([`FrameKind::None`]) while
    /// it is empty or prefetching.
    fn get_frame(&mut self, out: &mut [i16]) -> FrameKind {
        let len = self.format.frame_len().min(out.len());
        let out = &mut out[..len];
        match self.jitter.get() {
            Frame::Normal { payload, .. } => match self.codec.decode(payload, out) {
                Ok(n) => out[n.min(len)..].fill(0),
                Err(_) => self.codec.conceal(out),
            },
            Frame::Missing { .. } | Frame::Discarded { .. } => self.codec.conceal(out),
            Frame::Prefetching | Frame::Empty => {
                out.fill(0);
                return FrameKind::None;
            }
        }
        FrameKind::Audio
    }

    /// Sends one frame: a telephone-event packet while DTMF is being sent,
    /// else the frame encoded (nothing when the codec's DTX says so). The
    /// timestamp moves on by one frame per call.
    fn put_frame(&mut self, frame: &[i16]) {
        let ts = self.next_ts;
        self.next_ts = ts.wrapping_add(self.ts_span);
        if let Some(pt) = self.te_pt
            && let Some(packet) = self.dtmf_tx.poll_packet(ts, self.ts_span)
        {
            self.encoded.clear();
            self.encoded.extend_from_slice(&packet.payload());
            self.send(pt, packet.timestamp, packet.marker);
            return;
        }
        self.encoded.clear();
        let len = self.format.frame_len().min(frame.len());
        let mut encoded = std::mem::take(&mut self.encoded);
        let sent = self.codec.encode(&frame[..len], &mut encoded);
        self.encoded = encoded;
        match sent {
            Ok(n) if n > 0 => {
                let marker = std::mem::take(&mut self.marker);
                self.send(self.payload_type, ts, marker);
            }
            _ => self.marker = true,
        }
    }
}
