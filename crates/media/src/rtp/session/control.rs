//! RTCP: taking in the peer's reports, and sending this session's.

use std::net::SocketAddr;
use std::time::Instant;

use super::RtpSession;
use crate::rtp::error::RtpError;
use crate::rtp::event::{PacketKind, RtpEvent, Transmit};
use crate::rtp::ntp;
use crate::rtp::rtcp::{
    Bye, ReceiverReport, ReportBlock, RtcpPacket, SdesChunk, SdesItem, SenderReport, parse_rtcp,
    sdes_type, write_rtcp,
};

/// Round-trip times above this (in 1/65536 s) come from a bogus report, or
/// a wrapped subtraction: a minute.
const MAX_PLAUSIBLE_RTT: u32 = 60 * 65_536;

impl RtpSession {
    /// Takes a compound RTCP packet from `from`: the peer's reception of
    /// this session's stream (loss, jitter, round-trip time), its sender
    /// report (for the LSR/DLSR this session sends back), its SDES, its BYE.
    pub fn handle_rtcp(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &[u8],
    ) -> Result<(), RtpError> {
        if self.closed {
            return Err(RtpError::Closed);
        }
        let packets = parse_rtcp(datagram)?;
        self.timer.observe(datagram.len());
        let reporter = packets.iter().find_map(|p| match p {
            RtcpPacket::SenderReport(sr) => Some(sr.ssrc),
            RtcpPacket::ReceiverReport(rr) => Some(rr.ssrc),
            _ => None,
        });
        if reporter == Some(self.sender.ssrc) {
            self.collide(now);
        }
        let peer = self.remote.as_ref().map(|r| r.ssrc).or(reporter);
        if peer.is_some() && reporter == peer && !self.config.rtcp_mux {
            self.rtcp_heard = true;
            if let Some(previous) = self.rtcp_latch.observe(from) {
                self.events.push_back(RtpEvent::Latched {
                    kind: PacketKind::Rtcp,
                    previous,
                    address: from,
                });
            }
        }
        for packet in &packets {
            match packet {
                RtcpPacket::SenderReport(sr) => {
                    if let Some(remote) = self.remote.as_mut().filter(|r| r.ssrc == sr.ssrc) {
                        remote.last_sr = Some((ntp::compact(sr.ntp_timestamp), now));
                    }
                    self.take_report_blocks(now, &sr.reports);
                }
                RtcpPacket::ReceiverReport(rr) => self.take_report_blocks(now, &rr.reports),
                RtcpPacket::Sdes(chunks) => {
                    for chunk in chunks.iter().filter(|c| Some(c.ssrc) == peer) {
                        self.take_sdes(chunk);
                    }
                }
                RtcpPacket::Bye(bye) => self.take_bye(bye),
                RtcpPacket::Other { .. } => {}
            }
        }
        Ok(())
    }

    /// Report blocks about this session's stream: the peer's view of it,
    /// and a round-trip time (RFC 3550 §6.4.1: A − LSR − DLSR).
    fn take_report_blocks(&mut self, now: Instant, blocks: &[ReportBlock]) {
        let clock_rate = i64::from(self.config.clock_rate);
        for block in blocks.iter().filter(|b| b.ssrc == self.sender.ssrc) {
            let stat = &mut self.tx_stat;
            stat.update = Some(now);
            stat.update_count += 1;
            stat.loss = u64::try_from(block.cumulative_lost).unwrap_or(0);
            stat.jitter_usec
                .update(i64::from(block.jitter) * 1_000_000 / clock_rate);
            if block.last_sr != 0 {
                let arrival = ntp::compact(self.ntp.ntp(now));
                let rtt = arrival
                    .wrapping_sub(block.last_sr)
                    .wrapping_sub(block.delay_since_last_sr);
                if rtt <= MAX_PLAUSIBLE_RTT {
                    self.rtt_usec.update(ntp::compact_to_usec(rtt) as i64);
                }
            }
        }
    }

    fn take_sdes(&mut self, chunk: &SdesChunk) {
        for item in &chunk.items {
            let field = match item.kind {
                sdes_type::CNAME => &mut self.peer_sdes.cname,
                sdes_type::NAME => &mut self.peer_sdes.name,
                sdes_type::EMAIL => &mut self.peer_sdes.email,
                sdes_type::PHONE => &mut self.peer_sdes.phone,
                sdes_type::LOC => &mut self.peer_sdes.loc,
                sdes_type::TOOL => &mut self.peer_sdes.tool,
                sdes_type::NOTE => &mut self.peer_sdes.note,
                _ => continue,
            };
            field.clone_from(&item.value);
        }
    }

    fn take_bye(&mut self, bye: &Bye) {
        if self
            .candidate
            .as_ref()
            .is_some_and(|c| bye.sources.contains(&c.ssrc))
        {
            self.candidate = None;
        }
        if let Some(remote) = self
            .remote
            .as_mut()
            .filter(|r| !r.left && bye.sources.contains(&r.ssrc))
        {
            remote.left = true;
            self.events.push_back(RtpEvent::Bye {
                ssrc: remote.ssrc,
                reason: bye.reason.clone(),
            });
        }
    }

    /// Another source uses this session's SSRC (RFC 3550 §8.2): say BYE
    /// for it and take a new one.
    pub(super) fn collide(&mut self, now: Instant) {
        let previous = self.sender.ssrc;
        self.send_report(now, previous, Some("SSRC collision"));
        let remote = self.remote.as_ref().map(|r| r.ssrc);
        let ssrc = loop {
            let ssrc = self.rng.next_u32();
            if ssrc != previous && Some(ssrc) != remote {
                break ssrc;
            }
        };
        self.sender.change_ssrc(ssrc);
        self.events
            .push_back(RtpEvent::SsrcCollision { previous, ssrc });
    }

    /// Sends a compound report for `ssrc` now: SR if this session sent RTP
    /// within the last two intervals (RFC 3550 §6.4), else RR; a report
    /// block for the peer if it sent RTP since the last report; SDES with
    /// the CNAME; a BYE with its reason if `bye` is given. The next report is
    /// scheduled from here.
    pub(super) fn send_report(&mut self, now: Instant, ssrc: u32, bye: Option<&str>) {
        let clock_rate = self.config.clock_rate;
        let mut reports = Vec::new();
        if let Some(remote) = self
            .remote
            .as_mut()
            .filter(|r| r.is_valid() && r.received_since_report)
        {
            reports.push(remote.report_block(now));
            let stat = &mut self.rx_stat;
            stat.update = Some(now);
            stat.update_count += 1;
            stat.jitter_usec.update(remote.jitter_usec(clock_rate));
        }
        let first = if self.sender.is_sender() {
            RtcpPacket::SenderReport(SenderReport {
                ssrc,
                ntp_timestamp: self.ntp.ntp(now),
                rtp_timestamp: self.sender.timestamp_at(now, clock_rate),
                packet_count: self.sender.packet_count,
                octet_count: self.sender.octet_count,
                reports,
            })
        } else {
            RtcpPacket::ReceiverReport(ReceiverReport { ssrc, reports })
        };
        let mut packets = vec![
            first,
            RtcpPacket::Sdes(vec![SdesChunk {
                ssrc,
                items: vec![SdesItem {
                    kind: sdes_type::CNAME,
                    value: self.cname.clone(),
                }],
            }]),
        ];
        if let Some(reason) = bye {
            packets.push(RtcpPacket::Bye(Bye {
                sources: vec![ssrc],
                reason: (!reason.is_empty()).then(|| reason.chars().take(255).collect()),
            }));
        }
        self.sender.interval_passed();
        if let Some(remote) = self.remote.as_mut() {
            remote.interval_passed();
        }
        // Writing cannot fail: one report block with its loss clamped to
        // 24 bits, a CNAME checked to be 1–255 bytes, a reason cut to 255
        // characters (a reason of multi-byte characters may still be too
        // long, and then the report goes without it).
        let bytes = write_rtcp(&packets).or_else(|_| {
            if let Some(RtcpPacket::Bye(bye)) = packets.last_mut() {
                bye.reason = None;
            }
            write_rtcp(&packets)
        });
        let Ok(bytes) = bytes else {
            return;
        };
        let inputs = self.interval_inputs();
        self.timer.sent(now, bytes.len(), inputs, &mut self.rng);
        self.transmits.push_back(Transmit {
            destination: self.rtcp_target(),
            kind: PacketKind::Rtcp,
            payload: bytes,
        });
    }
}
