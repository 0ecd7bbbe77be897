//! Shared by the RTP tests: [`Peer`], a [`testkit::Agent`] that wraps an
//! [`RtpSession`] and a media clock sending one packet per `ptime`, and
//! records everything that crosses it (packets sent and accepted, RTCP sent
//! and received, errors, events) with its virtual time, so that tests can
//! compare what the session measured with what the network did.
//!
//! Each test file compiles this module as a private module of its own crate
//! and uses part of it: dead code and `pub` items that the crate cannot
//! export are expected here.
#![allow(dead_code, unreachable_pub)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::rtp::{
    PacketKind, Received, RtcpPacket, RtpError, RtpEvent, RtpPacketView, RtpSession,
    RtpSessionConfig, parse_rtcp,
};
use testkit::{Agent, Transmit, World};

/// Alice's RTP address.
pub const ALICE: &str = "192.0.2.1:4000";
/// Bob's RTP address.
pub const BOB: &str = "192.0.2.2:5000";

/// An address from its text.
pub fn addr(text: &str) -> SocketAddr {
    text.parse().expect("a socket address")
}

/// The address one port up.
pub fn next_port(a: SocketAddr) -> SocketAddr {
    SocketAddr::new(a.ip(), a.port() + 1)
}

/// An RTP packet this peer sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub at: Instant,
    pub ssrc: u32,
    pub sequence: u16,
    pub timestamp: u32,
    pub marker: bool,
}

/// An RTP packet the session accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    pub at: Instant,
    pub ssrc: u32,
    pub sequence: u16,
    pub extended: u64,
    pub timestamp: u32,
    pub late: bool,
    pub lost_before: u64,
}

/// A peer: a session, its addresses and a media clock.
pub struct Peer {
    pub session: RtpSession,
    /// Where its RTP (and, with rtcp-mux, its RTCP) comes from and arrives.
    pub rtp_addr: SocketAddr,
    /// Where its RTCP comes from and arrives, without rtcp-mux.
    pub rtcp_addr: Option<SocketAddr>,
    /// Sends one packet per `ptime` while true.
    pub sending: bool,
    pub ptime: Duration,
    /// Samples per packet (the timestamp advance).
    pub samples: u32,
    pub payload_len: usize,
    next_frame: Option<Instant>,
    out: VecDeque<Transmit>,
    pub sent: Vec<Sent>,
    /// Every RTP datagram that arrived, accepted or not, with its sequence
    /// number and SSRC.
    pub rtp_arrivals: Vec<(Instant, u32, u16)>,
    pub accepted: Vec<Accepted>,
    pub rejected: Vec<(Instant, RtpError)>,
    pub rtcp_sent: Vec<(Instant, SocketAddr, Vec<RtcpPacket>)>,
    pub rtcp_received: Vec<(Instant, SocketAddr, Vec<RtcpPacket>)>,
    pub events: Vec<(Instant, RtpEvent)>,
}

impl Peer {
    /// A peer at `rtp_addr` (RTCP on the next port unless `config` muxes)
    /// that starts sending 20 ms PCMU-sized packets at `start`.
    pub fn new(config: RtpSessionConfig, rtp_addr: SocketAddr, start: Instant) -> Self {
        let rtcp_addr = (!config.rtcp_mux).then(|| next_port(rtp_addr));
        Self {
            session: RtpSession::new(config, start).expect("a valid configuration"),
            rtp_addr,
            rtcp_addr,
            sending: true,
            ptime: Duration::from_millis(20),
            samples: 160,
            payload_len: 160,
            next_frame: Some(start),
            out: VecDeque::new(),
            sent: Vec::new(),
            rtp_arrivals: Vec::new(),
            accepted: Vec::new(),
            rejected: Vec::new(),
            rtcp_sent: Vec::new(),
            rtcp_received: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Starts (or restarts) the media clock at `now`.
    pub fn start_sending(&mut self, now: Instant) {
        self.sending = true;
        self.next_frame = Some(now);
    }

    /// Stops the media clock.
    pub fn stop_sending(&mut self) {
        self.sending = false;
        self.next_frame = None;
    }

    /// The instants at which it sent RTCP.
    pub fn rtcp_times(&self) -> Vec<Instant> {
        self.rtcp_sent.iter().map(|(at, _, _)| *at).collect()
    }

    /// Its events without their times.
    pub fn event_list(&self) -> Vec<RtpEvent> {
        self.events.iter().map(|(_, e)| e.clone()).collect()
    }

    /// Round-trip times measured, in microseconds, from its statistics'
    /// last sample, min and max.
    pub fn rtt_range(&self) -> (i64, i64) {
        let rtt = self.session.stats().rtt_usec;
        (rtt.min, rtt.max)
    }

    fn record_rtp(&mut self, now: Instant, result: Result<RtpPacketView<'_>, RtpError>) {
        match result {
            Ok(view) => self.accepted.push(Accepted {
                at: now,
                ssrc: view.ssrc(),
                sequence: view.sequence_number(),
                extended: view.extended_sequence_number(),
                timestamp: view.timestamp(),
                late: view.is_late(),
                lost_before: view.lost_before(),
            }),
            Err(e) => self.rejected.push((now, e)),
        }
    }

    fn drain(&mut self, now: Instant) {
        while let Some(t) = self.session.poll_transmit() {
            let from = match (t.kind, self.rtcp_addr) {
                (PacketKind::Rtcp, Some(rtcp)) => rtcp,
                _ => self.rtp_addr,
            };
            match t.kind {
                PacketKind::Rtp => {
                    let view =
                        RtpPacketView::parse(&t.payload).expect("the session's own RTP parses");
                    self.sent.push(Sent {
                        at: now,
                        ssrc: view.ssrc(),
                        sequence: view.sequence_number(),
                        timestamp: view.timestamp(),
                        marker: view.marker(),
                    });
                }
                PacketKind::Rtcp => {
                    let packets = parse_rtcp(&t.payload).expect("the session's own RTCP parses");
                    self.rtcp_sent.push((now, t.destination, packets));
                }
            }
            self.out.push_back(Transmit {
                from,
                to: t.destination,
                payload: t.payload,
            });
        }
        while let Some(e) = self.session.poll_event() {
            self.events.push((now, e));
        }
    }
}

impl Agent for Peer {
    fn addresses(&self) -> Vec<SocketAddr> {
        let mut addresses = vec![self.rtp_addr];
        addresses.extend(self.rtcp_addr);
        addresses
    }

    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, to: SocketAddr, payload: &[u8]) {
        let rtcp_port = Some(to) == self.rtcp_addr;
        let is_rtcp = rtcp_port || media::rtp::is_rtcp(payload);
        if !is_rtcp {
            if let Ok(view) = RtpPacketView::parse(payload) {
                self.rtp_arrivals
                    .push((now, view.ssrc(), view.sequence_number()));
            }
        }
        if rtcp_port {
            match self.session.handle_rtcp(now, from, payload) {
                Ok(()) => self.record_rtcp(now, from, payload),
                Err(e) => self.rejected.push((now, e)),
            }
        } else if self.session.config().rtcp_mux {
            match self.session.handle_datagram(now, from, payload) {
                Ok(Received::Rtp(view)) => self.record_rtp(now, Ok(view)),
                Ok(Received::Rtcp) => self.record_rtcp(now, from, payload),
                Err(e) => self.rejected.push((now, e)),
            }
        } else {
            let result = self.session.handle_rtp(now, from, payload);
            self.record_rtp(now, result);
        }
        self.drain(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        if let Some(frame) = self.next_frame.filter(|&f| f <= now) {
            if self.sending && !self.session.is_closed() {
                let payload = vec![0xD5; self.payload_len];
                self.session
                    .send(now, &payload, self.samples, false)
                    .expect("sending works");
                self.next_frame = Some(frame + self.ptime);
            } else {
                self.next_frame = None;
            }
        }
        if self.session.poll_timeout().is_some_and(|t| t <= now) {
            self.session.handle_timeout(now);
        }
        self.drain(now);
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.out.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        match (self.next_frame, self.session.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

impl Peer {
    fn record_rtcp(&mut self, now: Instant, from: SocketAddr, payload: &[u8]) {
        let packets = parse_rtcp(payload).expect("accepted RTCP parses");
        self.rtcp_received.push((now, from, packets));
    }
}

/// A two-peer world: Alice at [`ALICE`] sending to Bob at [`BOB`] and back,
/// both configured by `configure` (given the remote address and a seed),
/// both starting to send at the world's start.
pub fn pair(
    seed: u64,
    configure: impl Fn(RtpSessionConfig) -> RtpSessionConfig,
) -> (World<Peer>, usize, usize) {
    let mut world = World::new(seed);
    let start = world.now();
    let config = |remote: &str, seed: u64| {
        let mut c = RtpSessionConfig::new(addr(remote), 0, 8000);
        c.seed = seed;
        configure(c)
    };
    let alice = world.add_agent(Peer::new(config(BOB, 1), addr(ALICE), start));
    let bob = world.add_agent(Peer::new(config(ALICE, 2), addr(BOB), start));
    (world, alice, bob)
}

/// RFC 3550 A.8's interarrival jitter, in timestamp units, computed in
/// floating point from the accepted packets' arrival times and timestamps
/// (in arrival order): the oracle the session's fixed-point estimate is
/// checked against.
pub fn reference_jitter(accepted: &[Accepted], clock_rate: f64) -> f64 {
    let mut jitter = 0.0;
    let mut previous: Option<f64> = None;
    let Some(first) = accepted.first() else {
        return 0.0;
    };
    for a in accepted {
        let arrival = (a.at - first.at).as_secs_f64() * clock_rate;
        let transit = arrival - f64::from(a.timestamp.wrapping_sub(first.timestamp));
        if let Some(p) = previous {
            jitter += ((transit - p).abs() - jitter) / 16.0;
        }
        previous = Some(transit);
    }
    jitter
}

/// An RTP packet written by hand (version 2, no CSRC, extension or
/// padding), for tests that need sequence numbers or SSRCs a session would
/// not choose.
pub fn rtp_packet(ssrc: u32, sequence: u16, timestamp: u32, payload: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0x80, 0];
    bytes.extend_from_slice(&sequence.to_be_bytes());
    bytes.extend_from_slice(&timestamp.to_be_bytes());
    bytes.extend_from_slice(&ssrc.to_be_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

impl Peer {
    /// The addresses the world routes to it.
    pub fn addresses_owned(&self) -> Vec<SocketAddr> {
        self.addresses()
    }
}
