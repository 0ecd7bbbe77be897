//! How an [`RtpSession`](super::RtpSession) is set up.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use super::error::RtpError;
use super::sequence::MIN_SEQUENTIAL;

/// Settings of one RTP session: what the SDP negotiated, and policy.
///
/// Start from [`RtpSessionConfig::new`] and change the fields that differ.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RtpSessionConfig {
    /// The payload type [`RtpSession::send`](super::RtpSession::send) uses.
    pub payload_type: u8,
    /// The RTP clock rate of that payload type (8000 for G.711), which also
    /// clocks jitter measurement.
    pub clock_rate: u32,
    /// Where RTP goes until symmetric RTP moves it (the SDP's `c=`/`m=`).
    pub remote_rtp: SocketAddr,
    /// Where RTCP goes (the SDP's `a=rtcp`, RFC 3605); `None`: the RTP port
    /// plus one. Ignored with `rtcp_mux`.
    pub remote_rtcp: Option<SocketAddr>,
    /// RTP and RTCP share one port (RFC 5761, `a=rtcp-mux`).
    pub rtcp_mux: bool,
    /// Seed of the SSRC, first sequence number and timestamp, CNAME and
    /// report timing. The runtime seeds it from the OS; tests use a
    /// constant.
    pub seed: u64,
    /// This session's SSRC (the local `a=ssrc`); `None`: a random one. A
    /// collision still replaces it (RFC 3550 §8.2).
    pub local_ssrc: Option<u32>,
    /// The CNAME to send; `None`: a random one (RFC 7022: 96 random bits,
    /// base64).
    pub cname: Option<String>,
    /// The peer's SSRC if signalling gave it (`a=ssrc`): packets of any other
    /// source are discarded. `None`: the first source heard is the peer, and
    /// a new SSRC that passes probation replaces it (the peer restarted).
    pub remote_ssrc: Option<u32>,
    /// Session bandwidth in bits per second (the SDP's `b=AS`), of which
    /// RTCP takes 5 % (RFC 3550 §6.2).
    pub session_bandwidth: u32,
    /// Use §6.2's reduced minimum report interval, 360 s divided by the
    /// session bandwidth in kbit/s, instead of 5 s (when it is smaller).
    pub rtcp_reduced_minimum: bool,
    /// Symmetric RTP: RTP is sent to where the peer's RTP comes from once
    /// this many packets in a row arrived from one new address (PJSIP's
    /// `PJMEDIA_RTP_NAT_PROBATION_CNT`, 10). 0 never moves.
    pub latch_after: u32,
    /// The same for RTCP, counted in compound packets
    /// (`PJMEDIA_RTCP_NAT_PROBATION_CNT`, 3).
    pub latch_rtcp_after: u32,
    /// Report [`RtpEvent::RtpTimeout`](super::RtpEvent::RtpTimeout) when no
    /// RTP has arrived for this long (since the start, or the last packet).
    pub rtp_timeout: Option<Duration>,
    /// Packets in sequence a new source needs to be valid (RFC 3550 A.1's
    /// `MIN_SEQUENTIAL`, 2); 1 accepts a source at its first packet.
    pub min_sequential: u16,
    /// The wall-clock time at the `now` the session is created with, for
    /// true NTP timestamps in sender reports; `None`: an arbitrary origin
    /// (round-trip times are exact either way).
    pub wall_clock: Option<SystemTime>,
}

impl RtpSessionConfig {
    /// A session sending `payload_type` at `clock_rate` to `remote_rtp`, with
    /// RTCP on the next port, 64 kbit/s, latching as PJSIP does and no
    /// timeout.
    pub fn new(remote_rtp: SocketAddr, payload_type: u8, clock_rate: u32) -> Self {
        Self {
            payload_type,
            clock_rate,
            remote_rtp,
            remote_rtcp: None,
            rtcp_mux: false,
            seed: 0x5eed,
            local_ssrc: None,
            cname: None,
            remote_ssrc: None,
            session_bandwidth: 64_000,
            rtcp_reduced_minimum: false,
            latch_after: 10,
            latch_rtcp_after: 3,
            rtp_timeout: None,
            min_sequential: MIN_SEQUENTIAL,
            wall_clock: None,
        }
    }

    /// Where RTCP goes before any latching.
    pub(crate) fn initial_rtcp_target(&self) -> SocketAddr {
        if self.rtcp_mux {
            return self.remote_rtp;
        }
        self.remote_rtcp
            .unwrap_or_else(|| next_port(self.remote_rtp))
    }

    /// Refuses what cannot work.
    pub(crate) fn check(&self) -> Result<(), RtpError> {
        check_payload_type(self.payload_type, self.rtcp_mux)?;
        if self.clock_rate == 0 {
            return Err(RtpError::Misuse("a clock rate of 0".into()));
        }
        if self
            .cname
            .as_ref()
            .is_some_and(|c| c.is_empty() || c.len() > 255)
        {
            return Err(RtpError::Misuse("a CNAME must be 1 to 255 bytes".into()));
        }
        Ok(())
    }
}

/// The address one port up (RFC 3550 §11: RTCP on the RTP port plus one).
pub(crate) fn next_port(addr: SocketAddr) -> SocketAddr {
    let mut next = addr;
    next.set_port(addr.port().wrapping_add(1));
    next
}

/// A payload type must fit 7 bits, and stay out of 64–95 when RTCP shares
/// the port (RFC 5761 §4).
pub(crate) fn check_payload_type(payload_type: u8, rtcp_mux: bool) -> Result<(), RtpError> {
    if payload_type > 127 {
        return Err(RtpError::Misuse(format!(
            "payload type {payload_type} is above 127"
        )));
    }
    if rtcp_mux && (64..=95).contains(&payload_type) {
        return Err(RtpError::Misuse(format!(
            "payload type {payload_type} collides with RTCP on a multiplexed port"
        )));
    }
    Ok(())
}
