//! [`RtpSession`]: one media stream's RTP and RTCP, sans-IO.

mod control;
mod receive;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use super::config::{RtpSessionConfig, check_payload_type, next_port};
use super::error::RtpError;
use super::event::{PacketKind, RtpEvent, Transmit};
use super::interval::{
    IntervalInputs, RTCP_BANDWIDTH_FRACTION, RTCP_MIN_INTERVAL, ReportTimer, reduced_minimum,
};
use super::latch::Latch;
use super::ntp::NtpClock;
use super::rng::Rng;
use super::sender::Sender;
use super::source::RemoteSource;
use super::stats::{MathStat, RtcpSdes, RtcpStat, RtcpStreamStat};

/// One media stream's RTP session (RFC 3550), sans-IO: it never reads a
/// clock, opens a socket or asks the OS for randomness.
///
/// The runtime feeds it what arrives ([`RtpSession::handle_rtp`],
/// [`RtpSession::handle_rtcp`], or [`RtpSession::handle_datagram`] on a
/// multiplexed port) and the clock ([`RtpSession::handle_timeout`] when
/// [`RtpSession::poll_timeout`] is due); the media side sends with
/// [`RtpSession::send`]. After each of these, the runtime drains
/// [`RtpSession::poll_transmit`] (datagrams to send) and
/// [`RtpSession::poll_event`] until `None`, then reads `poll_timeout` again.
///
/// What it does:
/// - sending: a random SSRC, first sequence number and timestamp (from the
///   configured seed), sequence numbers wrapping at 2¹⁶, timestamps moved on
///   by the samples each packet covers, the marker bit on the first packet;
/// - receiving: RFC 3550 A.1's source validation (probation,
///   `MAX_DROPOUT`/`MAX_MISORDER`, restarts), extended sequence numbers,
///   loss, duplicates and reordering counted, A.8's interarrival jitter;
/// - RTCP: SR or RR with SDES CNAME at the interval of §6.2/A.7 (with timer
///   reconsideration), round-trip time from LSR/DLSR, the peer's SDES, BYE
///   on [`RtpSession::close`] and on SSRC collision;
/// - rtcp-mux (RFC 5761), symmetric RTP (latching), an RTP timeout event.
#[derive(Debug)]
pub struct RtpSession {
    config: RtpSessionConfig,
    rng: Rng,
    start: Instant,
    ntp: NtpClock,
    cname: String,
    closed: bool,
    sender: Sender,
    /// The peer's source (validated or on probation).
    remote: Option<RemoteSource>,
    /// A new SSRC on probation, which replaces `remote` once valid.
    candidate: Option<RemoteSource>,
    /// Losses of sources the session no longer receives.
    carried_loss: u64,
    /// The valid source `remote` replaced, until the new one is valid.
    previous_remote: Option<u32>,
    rtp_latch: Latch,
    rtcp_latch: Latch,
    /// RTCP has arrived from the peer (so RTCP no longer follows RTP when
    /// RTP latches).
    rtcp_heard: bool,
    timer: ReportTimer,
    last_rtp_received: Option<Instant>,
    timeout_reported: bool,
    tx_stat: RtcpStreamStat,
    rx_stat: RtcpStreamStat,
    rtt_usec: MathStat,
    rx_ipdv_usec: MathStat,
    rx_raw_jitter_usec: MathStat,
    peer_sdes: RtcpSdes,
    transmits: VecDeque<Transmit>,
    events: VecDeque<RtpEvent>,
}

impl RtpSession {
    /// A session starting at `now`. Its first RTCP report is due after
    /// half the usual interval (RFC 3550 §6.2).
    pub fn new(config: RtpSessionConfig, now: Instant) -> Result<Self, RtpError> {
        config.check()?;
        let mut rng = Rng::from_seed(config.seed);
        let mut sender = Sender::new(&mut rng);
        if let Some(ssrc) = config.local_ssrc {
            sender.ssrc = ssrc;
        }
        let cname = config
            .cname
            .clone()
            .unwrap_or_else(|| random_cname(&mut rng));
        let rtp_latch = Latch::new(config.remote_rtp, config.latch_after);
        let rtcp_latch = Latch::new(config.initial_rtcp_target(), config.latch_rtcp_after);
        // About an RR with one block and an SDES with the CNAME.
        let first_size = 8 + 24 + 8 + cname.len() + 4;
        let inputs = interval_inputs(&config, &sender, None);
        let timer = ReportTimer::new(now, first_size, inputs, &mut rng);
        Ok(Self {
            ntp: NtpClock::new(now, config.wall_clock),
            start: now,
            cname,
            closed: false,
            sender,
            remote: None,
            candidate: None,
            carried_loss: 0,
            rtp_latch,
            rtcp_latch,
            rtcp_heard: false,
            timer,
            last_rtp_received: None,
            timeout_reported: false,
            tx_stat: RtcpStreamStat::default(),
            rx_stat: RtcpStreamStat::default(),
            rtt_usec: MathStat::default(),
            rx_ipdv_usec: MathStat::default(),
            rx_raw_jitter_usec: MathStat::default(),
            peer_sdes: RtcpSdes::default(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            previous_remote: None,
            rng,
            config,
        })
    }

    /// Sends `payload` in the configured payload type, `ts_advance` samples
    /// after the previous packet (the first: after the random start), with
    /// the marker bit if `marker` (set it on the first packet of each
    /// talkspurt; the session's first packet always has it). The packet
    /// comes out of [`RtpSession::poll_transmit`].
    pub fn send(
        &mut self,
        now: Instant,
        payload: &[u8],
        ts_advance: u32,
        marker: bool,
    ) -> Result<(), RtpError> {
        self.send_with_payload_type(now, self.config.payload_type, payload, ts_advance, marker)
    }

    /// [`RtpSession::send`] in another payload type of the same clock
    /// (telephone-event, comfort noise), sharing the sequence numbers and
    /// timestamps.
    pub fn send_with_payload_type(
        &mut self,
        now: Instant,
        payload_type: u8,
        payload: &[u8],
        ts_advance: u32,
        marker: bool,
    ) -> Result<(), RtpError> {
        if self.closed {
            return Err(RtpError::Closed);
        }
        check_payload_type(payload_type, self.config.rtcp_mux)?;
        let bytes = self
            .sender
            .packet(now, payload_type, payload, ts_advance, marker)?;
        self.tx_stat.pkt += 1;
        self.tx_stat.bytes += payload.len() as u64;
        self.transmits.push_back(Transmit {
            destination: self.rtp_latch.target(),
            kind: PacketKind::Rtp,
            payload: bytes,
        });
        Ok(())
    }

    /// Ends the session: a last report with a BYE (and `reason`) goes out,
    /// and from then on the session sends and takes nothing and has no
    /// timer. Closing twice does nothing.
    pub fn close(&mut self, now: Instant, reason: Option<&str>) {
        if self.closed {
            return;
        }
        let ssrc = self.sender.ssrc;
        self.send_report(now, ssrc, Some(reason.unwrap_or_default()));
        self.closed = true;
    }

    /// Signalling moved the peer (a re-INVITE): send RTP to `rtp` and RTCP
    /// to `rtcp` (or the port after `rtp`, or `rtp` itself with rtcp-mux),
    /// forgetting what latching learnt.
    pub fn set_remote(&mut self, rtp: SocketAddr, rtcp: Option<SocketAddr>) {
        self.config.remote_rtp = rtp;
        self.config.remote_rtcp = rtcp;
        self.rtp_latch.set_target(rtp);
        self.rtcp_latch
            .set_target(self.config.initial_rtcp_target());
        self.rtcp_heard = false;
    }

    /// Fires what is due: an RTCP report (after timer reconsideration), the
    /// RTP timeout.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        if let Some(deadline) = self.timeout_deadline() {
            if now >= deadline {
                self.timeout_reported = true;
                self.events.push_back(RtpEvent::RtpTimeout {
                    last_received: self.last_rtp_received,
                });
            }
        }
        if now >= self.timer.next() {
            let inputs = self.interval_inputs();
            if self.timer.expire(now, inputs, &mut self.rng) {
                let ssrc = self.sender.ssrc;
                self.send_report(now, ssrc, None);
            }
        }
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<RtpEvent> {
        self.events.pop_front()
    }

    /// When [`RtpSession::handle_timeout`] is next due; `None` once closed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        let report = self.timer.next();
        Some(self.timeout_deadline().map_or(report, |t| t.min(report)))
    }

    /// The statistics, in PJSUA2's `RtcpStat` shape.
    pub fn stats(&self) -> RtcpStat {
        let mut rx_stat = self.rx_stat;
        rx_stat.loss = self.carried_loss + self.remote.as_ref().map_or(0, |r| r.sequence.lost());
        RtcpStat {
            start: self.start,
            tx_stat: self.tx_stat,
            rx_stat,
            rtt_usec: self.rtt_usec,
            rtp_tx_last_ts: self.sender.last_timestamp(),
            rtp_tx_last_seq: self.sender.last_sequence(),
            rx_ipdv_usec: self.rx_ipdv_usec,
            rx_raw_jitter_usec: self.rx_raw_jitter_usec,
            peer_sdes: self.peer_sdes.clone(),
        }
    }

    /// This session's SSRC.
    pub fn local_ssrc(&self) -> u32 {
        self.sender.ssrc
    }

    /// The peer's SSRC, once heard (even on probation).
    pub fn remote_ssrc(&self) -> Option<u32> {
        self.remote.as_ref().map(|r| r.ssrc)
    }

    /// The CNAME this session sends.
    pub fn cname(&self) -> &str {
        &self.cname
    }

    /// Where RTP goes now.
    pub fn remote_rtp(&self) -> SocketAddr {
        self.rtp_latch.target()
    }

    /// Where RTCP goes now.
    pub fn remote_rtcp(&self) -> SocketAddr {
        self.rtcp_target()
    }

    /// The interarrival jitter of the peer's stream in timestamp units
    /// (RFC 3550 A.8; 0 before any packet).
    pub fn jitter(&self) -> u32 {
        self.remote.as_ref().map_or(0, RemoteSource::jitter)
    }

    /// When the last RTP packet arrived.
    pub fn last_rtp_received(&self) -> Option<Instant> {
        self.last_rtp_received
    }

    /// Whether [`RtpSession::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The configuration (with the remote addresses signalling last gave).
    pub fn config(&self) -> &RtpSessionConfig {
        &self.config
    }

    fn rtcp_target(&self) -> SocketAddr {
        if self.config.rtcp_mux {
            self.rtp_latch.target()
        } else {
            self.rtcp_latch.target()
        }
    }

    /// When the RTP timeout fires, if it is armed.
    fn timeout_deadline(&self) -> Option<Instant> {
        let timeout = self.config.rtp_timeout?;
        if self.timeout_reported {
            return None;
        }
        Some(self.last_rtp_received.unwrap_or(self.start) + timeout)
    }

    /// What the report interval depends on now.
    fn interval_inputs(&self) -> IntervalInputs {
        interval_inputs(&self.config, &self.sender, self.remote.as_ref())
    }

    /// Arrival time in timestamp units on the session's clock (wrapping).
    fn arrival_units(&self, now: Instant) -> u32 {
        let nanos = now.saturating_duration_since(self.start).as_nanos();
        (nanos * u128::from(self.config.clock_rate) / 1_000_000_000) as u32
    }

    /// Points RTCP at the port after RTP when RTP latched and no RTCP has
    /// been heard to say otherwise (as PJSIP does).
    fn follow_rtp_latch(&mut self, address: SocketAddr) {
        if !self.config.rtcp_mux && !self.rtcp_heard {
            self.rtcp_latch.set_target(next_port(address));
        }
    }
}

/// What the report interval depends on, for a session with this
/// configuration, sender and remote source.
fn interval_inputs(
    config: &RtpSessionConfig,
    sender: &Sender,
    remote: Option<&RemoteSource>,
) -> IntervalInputs {
    let peer = remote.filter(|r| r.is_valid() && !r.left);
    let we_sent = sender.is_sender();
    IntervalInputs {
        members: 1 + u32::from(peer.is_some()),
        senders: u32::from(we_sent) + u32::from(peer.is_some_and(RemoteSource::is_sender)),
        we_sent,
        rtcp_bandwidth: f64::from(config.session_bandwidth) / 8.0 * RTCP_BANDWIDTH_FRACTION,
        // The timer fills in these two.
        avg_rtcp_size: 0.0,
        initial: false,
        minimum: if config.rtcp_reduced_minimum {
            reduced_minimum(config.session_bandwidth)
        } else {
            RTCP_MIN_INTERVAL
        },
    }
}

/// RFC 7022's short-term persistent CNAME: 96 random bits in base64.
fn random_cname(rng: &mut Rng) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bits = (u128::from(rng.next_u64()) << 32) | u128::from(rng.next_u32());
    // 96 bits are exactly 16 base64 digits, no padding.
    (0..16)
        .rev()
        .map(|i| char::from(ALPHABET[((bits >> (6 * i)) & 63) as usize]))
        .collect()
}
