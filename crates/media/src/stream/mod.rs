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
//! # Silence suppression (VAD)
//!
//! With [`StreamConfig::vad`] on (and a codec without a VAD of its own),
//! every frame put goes through a [`SilenceDetector`]; during silence no
//! RTP is sent, as pjmedia's stream does: not in the first
//! [`VAD_SUSPEND`] (600 ms) of the stream, and one keep-alive packet once
//! [`MAX_SILENCE_PERIOD`] (5 s) has passed without a packet — a comfort
//! noise packet (RFC 3389) if [`StreamConfig::comfort_noise_pt`] is set,
//! else the silent frame encoded. Timestamps move on through silence,
//! sequence numbers do not jump, and the first audio packet after a gap
//! carries the marker bit (a new talkspurt).
//!
//! # Receiving packets of any duration
//!
//! The jitter buffer holds units of 10 ms (or of the greatest common
//! divisor of the packet time and 10 ms), and [`MediaPort::get_frame`]
//! plays as many as a port frame lasts. A received packet's duration comes
//! from its payload, not from the negotiated packet time, and the packet
//! is cut into units (waveform codecs) or decoded once and played unit by
//! unit (Opus), so a peer may send 10, 20, 30, 40 or 60 ms packets, or
//! change in mid-stream, and playout stays continuous; loss is concealed
//! unit by unit. A packet that directly follows the previous one in
//! sequence but starts later than it ended starts a talkspurt (the peer
//! suppressed silence): the gap plays as silence, not as loss.
//!
//! # Forward error correction
//!
//! With a codec that has in-band FEC (Opus, with the `opus` feature and
//! `plc` on), a lost packet followed by one that has arrived is rebuilt
//! from that one's FEC data ([`Codec::recover`]) instead of concealed. A
//! gap before a talkspurt (Opus DTX) is silence, never rebuilt.
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

use crate::codec::cn;
use crate::codec::telephone_event::{DtmfReceiver, DtmfSender};
use crate::codec::{Codec, CodecDesc, CodecKind, CodecManager};
use crate::jitter::{JitterBuffer, JitterConfig};
use crate::port::{AudioFormat, FrameKind, MediaPort};
use crate::rtp::{Received, RtpError, RtpSession, RtpSessionConfig, Transmit};
use crate::vad::SilenceDetector;

mod config;
mod framing;
mod playout;
mod receive;
mod suppress;

pub use config::{StreamConfig, StreamError, StreamEvent, StreamStat};
pub use suppress::{MAX_SILENCE_PERIOD, VAD_SUSPEND};

use framing::Timing;
use playout::Playout;
use receive::Receiver;
use suppress::{Decision, Suppressor};

/// One audio stream: encodes what the bridge puts, sends it as RTP, and
/// plays what arrives through the jitter buffer and the decoder.
#[derive(Debug)]
pub struct Stream {
    session: RtpSession,
    codec: Box<dyn Codec>,
    rx: Receiver,
    playout: Playout,
    suppressor: Suppressor,
    dtmf_tx: DtmfSender,
    dtmf_rx: DtmfReceiver,
    format: AudioFormat,
    payload_type: u8,
    /// Our number for the codec when the peer's differs.
    rx_pt: Option<u8>,
    te_pt: Option<u8>,
    /// Our number for telephone-event when the peer's differs.
    rx_te_pt: Option<u8>,
    cn_pt: Option<u8>,
    /// RTP timestamp units per frame.
    ts_span: u32,
    now: Instant,
    /// Timestamp (relative to the stream's first) of the next frame.
    next_ts: u32,
    /// Relative timestamp of the last packet sent.
    last_sent_ts: u32,
    /// The next audio packet starts a talkspurt (after silence or DTX).
    marker: bool,
    encoded: Vec<u8>,
    /// Newest timestamp of received audio, to time out DTMF ends.
    rx_ts: Option<u32>,
    /// Whether RTP goes out (false: the encoding direction is paused, as
    /// for a line whose SDP direction does not send).
    sending: bool,
}

impl Stream {
    /// A stream set up as `config` says, starting at `now`.
    pub fn new(config: StreamConfig, now: Instant) -> Result<Self, StreamError> {
        let StreamConfig {
            codec: desc,
            mut param,
            payload_type,
            rx_payload_type,
            telephone_event_pt,
            rx_telephone_event_pt,
            comfort_noise_pt,
            remote_rtp,
            remote_rtcp,
            rtcp_mux,
            seed,
            ptime_ms,
            vad,
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
        let timing = Timing::new(&desc, format, ptime_ms);
        let mut jb = JitterConfig::new(timing.unit_ms, timing.unit_ts);
        jb.max_frame_size = jb.max_frame_size.max(timing.max_unit_bytes());
        jb.jb_init = jb_init;
        jb.jb_min_pre = jb_min_pre;
        jb.jb_max_pre = jb_max_pre;
        jb.jb_max = jb_max;
        jb.jb_discard_algo = jb_discard_algo;
        let jitter = JitterBuffer::new(&jb)?;
        // Opus's `vad` is its own DTX.
        let own_vad = desc.kind == CodecKind::Opus;
        let detector = (vad && !own_vad).then(|| SilenceDetector::for_format(format));
        Ok(Self {
            session,
            rx: Receiver::new(jitter, timing, codec.has_fec()),
            playout: Playout::new(timing),
            suppressor: Suppressor::new(detector, desc.rtp_clock_rate),
            codec,
            dtmf_tx: DtmfSender::new(desc.rtp_clock_rate),
            dtmf_rx: DtmfReceiver::new(desc.rtp_clock_rate),
            format,
            payload_type,
            rx_pt: rx_payload_type,
            te_pt: telephone_event_pt,
            rx_te_pt: rx_telephone_event_pt,
            cn_pt: comfort_noise_pt,
            ts_span,
            now,
            next_ts: 0,
            last_sent_ts: 0,
            marker: false,
            encoded: Vec::new(),
            rx_ts: None,
            sending: true,
        })
    }

    /// Tells the stream the time, for what the next `put_frame` sends.
    /// An earlier time than the last one is ignored.
    pub fn set_now(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }

    /// Takes a datagram from the stream's RTP (or RTCP) socket: audio into
    /// the jitter buffer, telephone events into the DTMF receiver, RTCP into
    /// the session (comfort noise is taken and not played). An error says
    /// why it was not taken (it is counted).
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
        if pt == self.payload_type || Some(pt) == self.rx_pt {
            self.rx.audio(self.codec.as_ref(), &view);
            if self
                .rx_ts
                .is_none_or(|last| (ts.wrapping_sub(last) as i32) > 0)
            {
                self.rx_ts = Some(ts);
                self.dtmf_rx.handle_time(ts);
            }
        } else if self.te_pt.is_some() && (Some(pt) == self.te_pt || Some(pt) == self.rx_te_pt) {
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

    /// Pauses (false) or resumes (true) the sending direction: while
    /// paused, frames put are neither encoded nor sent (nor counted in
    /// the statistics), RTCP goes on; the first packet after resuming
    /// carries the marker bit.
    pub fn set_sending(&mut self, sending: bool) {
        if sending && !self.sending {
            self.marker = true;
        }
        self.sending = sending;
    }

    /// Whether the sending direction is on (see [`Stream::set_sending`]).
    pub fn is_sending(&self) -> bool {
        self.sending
    }

    /// Whether DTMF digits are queued or being sent.
    pub fn is_sending_dtmf(&self) -> bool {
        self.dtmf_tx.is_busy()
    }

    /// PJSUA2's `StreamStat`.
    pub fn stats(&self) -> StreamStat {
        StreamStat {
            rtcp: self.session.stats(),
            jbuf: self.rx.jitter.state(),
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

    /// The silence detector, when VAD is on (see [`StreamConfig::vad`]).
    pub fn vad(&self) -> Option<&SilenceDetector> {
        self.suppressor.detector()
    }

    /// The silence detector, to change its threshold or timing.
    pub fn vad_mut(&mut self) -> Option<&mut SilenceDetector> {
        self.suppressor.detector_mut()
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

    /// Encodes `frame` and sends it with relative timestamp `ts`; the
    /// codec's DTX sends nothing and makes the next packet a talkspurt.
    fn send_audio(&mut self, frame: &[i16], ts: u32) {
        let mut encoded = std::mem::take(&mut self.encoded);
        encoded.clear();
        let sent = self.codec.encode(frame, &mut encoded);
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

impl MediaPort for Stream {
    fn format(&self) -> AudioFormat {
        self.format
    }

    /// Plays one frame: the jitter buffer's units decoded, concealment
    /// (or forward error correction) for missing or discarded ones,
    /// silence for those it has none for; [`FrameKind::None`] when the
    /// whole frame is silence (empty or prefetching).
    fn get_frame(&mut self, out: &mut [i16]) -> FrameKind {
        let len = self.format.frame_len().min(out.len());
        self.playout
            .frame(self.codec.as_mut(), &mut self.rx, &mut out[..len])
    }

    /// Sends one frame: a telephone-event packet while DTMF is being sent,
    /// else the frame encoded — unless VAD calls it silence (see the
    /// [module docs](self)) or the codec's DTX says so. The timestamp
    /// moves on by one frame per call.
    fn put_frame(&mut self, frame: &[i16]) {
        let ts = self.next_ts;
        self.next_ts = ts.wrapping_add(self.ts_span);
        if !self.sending {
            // Time goes on (RFC 3550: the timestamp follows the sampling
            // clock); nothing is encoded, sent or counted.
            return;
        }
        if let Some(pt) = self.te_pt
            && let Some(packet) = self.dtmf_tx.poll_packet(ts, self.ts_span)
        {
            self.suppressor.skip(self.ts_span);
            self.encoded.clear();
            self.encoded.extend_from_slice(&packet.payload());
            self.send(pt, packet.timestamp, packet.marker);
            return;
        }
        let frame = &frame[..self.format.frame_len().min(frame.len())];
        let since_sent = ts.wrapping_sub(self.last_sent_ts);
        match self.suppressor.decide(frame, self.ts_span, since_sent) {
            Decision::Send => self.send_audio(frame, ts),
            Decision::Suppress => self.marker = true,
            Decision::KeepAlive => match self.cn_pt {
                Some(pt) => {
                    self.encoded.clear();
                    self.encoded
                        .extend_from_slice(&cn::encode_level(cn::silence_level(frame)));
                    self.send(pt, ts, false);
                }
                None => self.send_audio(frame, ts),
            },
        }
    }
}
