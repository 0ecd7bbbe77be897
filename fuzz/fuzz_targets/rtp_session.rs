//! Fuzzes an `RtpSession` (`media::rtp`) with sequences of operations in
//! virtual time: packets it sends, RTP from a few remote sources (its own
//! SSRC among them) with sequence numbers moving in small steps, jumps and
//! wraps, from a few addresses; RTCP reports (with report blocks about the
//! session, their LSR echoing its sender reports), SDES and BYE; raw bytes
//! on either port; time moved by chosen amounts or to the next deadline;
//! the remote moved by signalling; close.
//!
//! The input is a configuration byte, then records, each an opcode byte
//! (taken modulo 10) and its fields (missing bytes read as 0):
//!
//! | op | name | fields |
//! | -- | ---- | ------ |
//! | 0 | send | payload length, timestamp advance / 8, flags (bit 0 marker, bit 1 telephone-event 101) |
//! | 1 | rtp | source (mod 4; 3 is the session's own SSRC), sequence step (i8; −128 jumps 30,000), timestamp step (i8, ×160), address (mod 4), payload length |
//! | 2 | report | source, SR if odd, report blocks (mod 3), LSR choice (0 none, 1 the session's last SR, else the byte), DLSR (×1024), address |
//! | 3 | sdes | source, item type, value length |
//! | 4 | bye | source, address |
//! | 5 | raw | length, port (bit 0: RTCP port), then that many bytes |
//! | 6 | advance | milliseconds (u16, little-endian) |
//! | 7 | to deadline | — |
//! | 8 | set remote | address |
//! | 9 | close | — |
//!
//! Configuration byte: bit 0 rtcp-mux; bit 1 remote SSRC fixed to source
//! 0's; bits 2–3 `min_sequential` (1 + value, 0 → 1); bits 4–5
//! `latch_after` (0, 1, 3, 10); bit 6 a 1 s RTP timeout; bit 7 the reduced
//! RTCP minimum at 1 Mbit/s.
//!
//! Checked, after every operation (due timers fired first, as a runtime
//! does):
//! - nothing panics;
//! - `poll_timeout` is `None` exactly when closed, and later than `now`
//!   once `handle_timeout(now)` ran;
//! - every datagram sent parses: RTP with the session's SSRC at the time,
//!   to `remote_rtp()`; RTCP a compound starting with SR or RR and an SDES
//!   with the session's CNAME, to `remote_rtcp()` (as it was before the
//!   operation or after it: a packet may both make the session send, a BYE
//!   on SSRC collision, and move the target by latching);
//! - the statistics count what the session answered: packets accepted,
//!   duplicates, discards, late packets, payload bytes;
//! - an accepted packet's SSRC is `remote_ssrc()`;
//! - after close, nothing is sent and every input is refused.

#![no_main]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use media::rtp::rtcp::{Bye, ReceiverReport, ReportBlock, SdesChunk, SdesItem, SenderReport};
use media::rtp::{
    PacketKind, RtcpPacket, RtpError, RtpPacketView, RtpSession, RtpSessionConfig, parse_rtcp,
    write_rtcp,
};

const SOURCES: [u32; 3] = [0x1111_1111, 0x2222_2222, 0x3333_3333];

fn address(i: u8) -> SocketAddr {
    let list = [
        "192.0.2.2:5000",
        "192.0.2.2:5001",
        "198.51.100.7:6000",
        "[2001:db8::1]:7000",
    ];
    list[usize::from(i % 4)].parse().unwrap()
}

struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head.to_vec()
    }
}

#[derive(Default)]
struct Counts {
    ok: u64,
    dup: u64,
    discard: u64,
    late: u64,
    bytes: u64,
}

struct Driver {
    session: RtpSession,
    now: Instant,
    seqs: [u16; 4],
    timestamps: [u32; 4],
    last_sr_ntp: u64,
    counts: Counts,
    /// `remote_rtp()` and `remote_rtcp()` before the current operation.
    targets_before: (SocketAddr, SocketAddr),
}

impl Driver {
    fn ssrc(&self, source: u8) -> u32 {
        match source % 4 {
            3 => self.session.local_ssrc(),
            i => SOURCES[usize::from(i)],
        }
    }

    fn fire(&mut self) {
        if let Some(t) = self.session.poll_timeout() {
            if t <= self.now {
                self.session.handle_timeout(self.now);
                if let Some(next) = self.session.poll_timeout() {
                    assert!(next > self.now, "a deadline not after handle_timeout's now");
                }
            }
        }
    }

    fn drain(&mut self) {
        let closed = self.session.is_closed();
        while let Some(t) = self.session.poll_transmit() {
            match t.kind {
                PacketKind::Rtp => {
                    assert!(!closed, "RTP after close");
                    let view = RtpPacketView::parse(&t.payload).expect("our RTP parses");
                    assert_eq!(view.ssrc(), self.session.local_ssrc());
                    assert!(
                        [self.targets_before.0, self.session.remote_rtp()].contains(&t.destination)
                    );
                }
                PacketKind::Rtcp => {
                    let packets = parse_rtcp(&t.payload).expect("our RTCP parses");
                    assert!(matches!(
                        packets[0],
                        RtcpPacket::SenderReport(_) | RtcpPacket::ReceiverReport(_)
                    ));
                    if let RtcpPacket::SenderReport(sr) = &packets[0] {
                        self.last_sr_ntp = sr.ntp_timestamp;
                    }
                    let RtcpPacket::Sdes(chunks) = &packets[1] else {
                        panic!("no SDES: {packets:?}");
                    };
                    assert_eq!(chunks[0].items[0].value, self.session.cname());
                    assert!(
                        [self.targets_before.1, self.session.remote_rtcp()]
                            .contains(&t.destination)
                    );
                }
            }
        }
        while self.session.poll_event().is_some() {}
        assert_eq!(
            self.session.poll_timeout().is_none(),
            self.session.is_closed()
        );
        self.targets_before = (self.session.remote_rtp(), self.session.remote_rtcp());
    }

    fn rtp(&mut self, from: SocketAddr, bytes: &[u8]) {
        let closed = self.session.is_closed();
        let result = self.session.handle_rtp(self.now, from, bytes);
        if closed {
            assert_eq!(result.as_ref().unwrap_err(), &RtpError::Closed);
        }
        match result {
            Ok(view) => {
                self.counts.ok += 1;
                self.counts.late += u64::from(view.is_late());
                self.counts.bytes += view.payload().len() as u64;
                assert_eq!(Some(view.ssrc()), self.session.remote_ssrc());
            }
            Err(RtpError::Duplicate { .. }) => self.counts.dup += 1,
            Err(
                RtpError::Malformed(_)
                | RtpError::Probation { .. }
                | RtpError::BadSequence { .. }
                | RtpError::UnknownSource { .. },
            ) => self.counts.discard += 1,
            Err(RtpError::NotRtp | RtpError::Closed) => {}
            Err(RtpError::Misuse(m)) => panic!("misuse on receive: {m}"),
        }
    }

    fn rtcp(&mut self, from: SocketAddr, bytes: &[u8]) {
        let closed = self.session.is_closed();
        let result = self.session.handle_rtcp(self.now, from, bytes);
        if closed {
            assert_eq!(result, Err(RtpError::Closed));
        }
    }

    fn check_counts(&self) {
        let rx = self.session.stats().rx_stat;
        let c = &self.counts;
        assert_eq!(
            (rx.pkt, rx.dup, rx.discard, rx.reorder, rx.bytes),
            (c.ok, c.dup, c.discard, c.late, c.bytes)
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let cfg = input.u8();
    let start = Instant::now();
    let mut config = RtpSessionConfig::new(address(0), 0, 8000);
    config.rtcp_mux = cfg & 1 != 0;
    if cfg & 2 != 0 {
        config.remote_ssrc = Some(SOURCES[0]);
    }
    config.min_sequential = u16::from((cfg >> 2) & 3).max(1);
    config.latch_after = [0, 1, 3, 10][usize::from((cfg >> 4) & 3)];
    config.latch_rtcp_after = config.latch_after;
    if cfg & 0x40 != 0 {
        config.rtp_timeout = Some(Duration::from_secs(1));
    }
    if cfg & 0x80 != 0 {
        config.rtcp_reduced_minimum = true;
        config.session_bandwidth = 1_000_000;
    }
    let session = RtpSession::new(config, start).unwrap();
    let mut d = Driver {
        targets_before: (session.remote_rtp(), session.remote_rtcp()),
        session,
        now: start,
        seqs: [100, 65_500, 7, 0],
        timestamps: [0; 4],
        last_sr_ntp: 0,
        counts: Counts::default(),
    };
    let mut ops = 0;
    while !input.0.is_empty() && ops < 2_000 {
        ops += 1;
        d.fire();
        d.drain();
        match input.u8() % 10 {
            0 => {
                let len = usize::from(input.u8());
                let advance = u32::from(input.u8()) * 8;
                let flags = input.u8();
                let pt = if flags & 2 != 0 { 101 } else { 0 };
                let result = d.session.send_with_payload_type(
                    d.now,
                    pt,
                    &vec![0xD5; len],
                    advance,
                    flags & 1 != 0,
                );
                assert_eq!(result.is_err(), d.session.is_closed());
            }
            1 => {
                let source = input.u8() % 4;
                let step = input.u8() as i8;
                let ts_step = input.u8() as i8;
                let from = address(input.u8());
                let len = usize::from(input.u8());
                let i = usize::from(source);
                d.seqs[i] = if step == -128 {
                    d.seqs[i].wrapping_add(30_000)
                } else {
                    d.seqs[i].wrapping_add(step as u16)
                };
                d.timestamps[i] = d.timestamps[i].wrapping_add((i32::from(ts_step) * 160) as u32);
                let mut bytes = vec![0x80, 0];
                bytes.extend_from_slice(&d.seqs[i].to_be_bytes());
                bytes.extend_from_slice(&d.timestamps[i].to_be_bytes());
                bytes.extend_from_slice(&d.ssrc(source).to_be_bytes());
                bytes.extend(std::iter::repeat_n(0xFF, len));
                d.rtp(from, &bytes);
            }
            2 => {
                let ssrc = d.ssrc(input.u8());
                let sr = input.u8() & 1 != 0;
                let n = input.u8() % 3;
                let lsr = match input.u8() {
                    0 => 0,
                    1 => (d.last_sr_ntp >> 16) as u32,
                    b => u32::from(b) << 12,
                };
                let dlsr = u32::from(input.u8()) * 1024;
                let from = address(input.u8());
                let local = d.session.local_ssrc();
                let reports: Vec<ReportBlock> = (0..n)
                    .map(|k| ReportBlock {
                        ssrc: if k == 0 { local } else { SOURCES[1] },
                        fraction_lost: 12,
                        cumulative_lost: i32::from(k) - 1,
                        extended_highest_sequence: 1_000,
                        jitter: 40,
                        last_sr: lsr,
                        delay_since_last_sr: dlsr,
                    })
                    .collect();
                let first = if sr {
                    RtcpPacket::SenderReport(SenderReport {
                        ssrc,
                        ntp_timestamp: 0x1234_5678_9ABC_DEF0,
                        rtp_timestamp: 0,
                        packet_count: 1,
                        octet_count: 160,
                        reports,
                    })
                } else {
                    RtcpPacket::ReceiverReport(ReceiverReport { ssrc, reports })
                };
                let bytes = write_rtcp(&[first]).unwrap();
                d.rtcp(from, &bytes);
            }
            3 => {
                let ssrc = d.ssrc(input.u8());
                let kind = input.u8() % 8;
                let len = usize::from(input.u8());
                let value = "x".repeat(len.max(1));
                let bytes = write_rtcp(&[
                    RtcpPacket::ReceiverReport(ReceiverReport {
                        ssrc,
                        reports: vec![],
                    }),
                    RtcpPacket::Sdes(vec![SdesChunk {
                        ssrc,
                        items: vec![SdesItem {
                            kind: kind.max(1),
                            value,
                        }],
                    }]),
                ])
                .unwrap();
                d.rtcp(address(0), &bytes);
            }
            4 => {
                let ssrc = d.ssrc(input.u8());
                let from = address(input.u8());
                let bytes = write_rtcp(&[
                    RtcpPacket::ReceiverReport(ReceiverReport {
                        ssrc,
                        reports: vec![],
                    }),
                    RtcpPacket::Bye(Bye {
                        sources: vec![ssrc],
                        reason: Some("bye".into()),
                    }),
                ])
                .unwrap();
                d.rtcp(from, &bytes);
            }
            5 => {
                let len = usize::from(input.u8());
                let rtcp_port = input.u8() & 1 != 0;
                let bytes = input.bytes(len);
                if rtcp_port {
                    d.rtcp(address(1), &bytes);
                } else {
                    let closed = d.session.is_closed();
                    if media::rtp::is_rtcp(&bytes) {
                        let result = d.session.handle_datagram(d.now, address(0), &bytes);
                        if closed {
                            assert!(matches!(result, Err(RtpError::Closed)));
                        }
                    } else {
                        d.rtp(address(0), &bytes);
                    }
                }
            }
            6 => {
                let ms = u16::from_le_bytes([input.u8(), input.u8()]);
                d.now += Duration::from_millis(u64::from(ms));
            }
            7 => {
                if let Some(t) = d.session.poll_timeout() {
                    d.now = d.now.max(t);
                }
            }
            8 => {
                let a = address(input.u8());
                d.session.set_remote(a, None);
            }
            _ => {
                d.session.close(d.now, Some("fuzz"));
                // The BYE goes out; nothing after it.
                let mut sent = 0;
                while let Some(t) = d.session.poll_transmit() {
                    assert_eq!(t.kind, PacketKind::Rtcp);
                    sent += 1;
                }
                assert!(sent <= 1);
            }
        }
        d.drain();
        d.check_counts();
    }
});
