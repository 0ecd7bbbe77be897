//! Property tests: nothing a peer can send makes an RTP session panic, and
//! the session's counts agree with what it said about each packet.

mod rtp_support;

use std::time::{Duration, Instant};

use media::rtp::rtcp::{Bye, ReceiverReport, ReportBlock, SdesChunk, SdesItem, SenderReport};
use media::rtp::{
    RtcpPacket, RtpError, RtpPacketView, RtpSession, RtpSessionConfig, parse_rtcp, write_rtcp,
};
use proptest::prelude::*;
use rtp_support::{ALICE, addr, rtp_packet};
use testkit::VirtualClock;

fn session(start: Instant, mux: bool) -> RtpSession {
    let mut c = RtpSessionConfig::new(addr(ALICE), 0, 8000);
    c.rtcp_mux = mux;
    c.rtp_timeout = Some(Duration::from_secs(1));
    RtpSession::new(c, start).unwrap()
}

/// A session that already knows a valid peer, so arbitrary bytes meet
/// every branch (a known SSRC 7, a sender report on record).
fn warmed(start: Instant, mux: bool) -> RtpSession {
    let mut s = session(start, mux);
    for seq in 0..5u16 {
        let _ = s.handle_rtp(
            start,
            addr(ALICE),
            &rtp_packet(7, seq, u32::from(seq) * 160, &[0; 4]),
        );
    }
    let sr = write_rtcp(&[RtcpPacket::SenderReport(SenderReport {
        ssrc: 7,
        ntp_timestamp: 1 << 40,
        rtp_timestamp: 0,
        packet_count: 5,
        octet_count: 20,
        reports: vec![],
    })])
    .unwrap();
    s.handle_rtcp(start, addr(ALICE), &sr).unwrap();
    s
}

/// Bytes that often look like RTP or RTCP: a valid first octet, and a
/// second octet from the interesting ranges, then anything.
fn datagram() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        (
            prop_oneof![
                Just(0x80u8),
                Just(0x81),
                Just(0xA0),
                Just(0x90),
                any::<u8>()
            ],
            prop_oneof![
                Just(200u8),
                Just(201),
                Just(202),
                Just(203),
                Just(204),
                0u8..128,
                any::<u8>()
            ],
            proptest::collection::vec(any::<u8>(), 0..120),
        )
            .prop_map(|(a, b, rest)| {
                let mut v = vec![a, b];
                v.extend(rest);
                v
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn arbitrary_bytes_never_panic(packets in proptest::collection::vec(datagram(), 1..20), mux in any::<bool>()) {
        let start = VirtualClock::new().now();
        let mut s = warmed(start, mux);
        for (i, p) in packets.iter().enumerate() {
            let now = start + Duration::from_millis(7 * i as u64);
            let _ = s.handle_rtp(now, addr(ALICE), p);
            let _ = s.handle_rtcp(now, addr(ALICE), p);
            let _ = s.handle_datagram(now, addr(ALICE), p);
            s.handle_timeout(now);
            while s.poll_transmit().is_some() {}
            while s.poll_event().is_some() {}
        }
        let _ = s.stats();
    }

    #[test]
    fn rtcp_parse_write_round_trip(bytes in datagram()) {
        // What parses, written again (without the packets it keeps only
        // the type of), parses to the same values.
        if let Ok(packets) = parse_rtcp(&bytes) {
            let known: Vec<_> = packets.into_iter().filter(|p| !matches!(p, RtcpPacket::Other { .. })).collect();
            if !known.is_empty() {
                if let Ok(written) = write_rtcp(&known) {
                    prop_assert_eq!(parse_rtcp(&written).unwrap(), known);
                }
            }
        }
    }

    #[test]
    fn rtp_parse_slices_stay_inside(bytes in datagram()) {
        if let Ok(view) = RtpPacketView::parse(&bytes) {
            prop_assert!(view.payload().len() + 12 <= bytes.len());
            if let Some((_, ext)) = view.extension() {
                prop_assert!(ext.len() % 4 == 0);
            }
        }
    }

    #[test]
    fn written_rtcp_parses_back(
        ssrc in any::<u32>(),
        blocks in proptest::collection::vec((any::<u32>(), any::<u8>(), -(1i32 << 23)..(1 << 23), any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>()), 0..31),
        sender in proptest::option::of((any::<u64>(), any::<u32>(), any::<u32>(), any::<u32>())),
        cname in "[ -~]{1,255}",
        reason in proptest::option::of("[ -~]{1,255}"),
    ) {
        let reports: Vec<ReportBlock> = blocks.into_iter().map(|(ssrc, fraction_lost, cumulative_lost, ehs, jitter, last_sr, dlsr)| ReportBlock {
            ssrc, fraction_lost, cumulative_lost, extended_highest_sequence: ehs, jitter, last_sr, delay_since_last_sr: dlsr,
        }).collect();
        let first = match sender {
            Some((ntp_timestamp, rtp_timestamp, packet_count, octet_count)) => RtcpPacket::SenderReport(SenderReport {
                ssrc, ntp_timestamp, rtp_timestamp, packet_count, octet_count, reports,
            }),
            None => RtcpPacket::ReceiverReport(ReceiverReport { ssrc, reports }),
        };
        let packets = vec![
            first,
            RtcpPacket::Sdes(vec![SdesChunk { ssrc, items: vec![SdesItem { kind: 1, value: cname }] }]),
            RtcpPacket::Bye(Bye { sources: vec![ssrc], reason }),
        ];
        let bytes = write_rtcp(&packets).unwrap();
        prop_assert_eq!(parse_rtcp(&bytes).unwrap(), packets);
    }

    /// Packets from a few sources with sequence numbers near each other
    /// (so that in-order, late, duplicate, jumping and restarting packets
    /// all occur), at random times: the statistics count exactly what the
    /// session answered.
    #[test]
    fn counts_match_answers(
        ops in proptest::collection::vec((0u32..3, 0u16..400, 0u64..200, any::<bool>()), 1..300),
    ) {
        let start = VirtualClock::new().now();
        let mut s = session(start, false);
        let mut now = start;
        let (mut ok, mut dup, mut discard, mut late) = (0u64, 0u64, 0u64, 0u64);
        for (source, seq, advance_ms, garbage) in ops {
            now += Duration::from_millis(advance_ms);
            s.handle_timeout(now);
            let bytes = if garbage {
                vec![0x80, 0, 1]
            } else {
                // Mostly source 0; sequence numbers around 65,300 wrap.
                let seq = seq.wrapping_add(65_300);
                rtp_packet(100 + source * source, seq, u32::from(seq) * 160, &[0; 3])
            };
            match s.handle_rtp(now, addr(ALICE), &bytes) {
                Ok(v) => {
                    ok += 1;
                    late += u64::from(v.is_late());
                }
                Err(RtpError::Duplicate { .. }) => dup += 1,
                Err(RtpError::Malformed(_) | RtpError::Probation { .. } | RtpError::BadSequence { .. } | RtpError::UnknownSource { .. }) => discard += 1,
                Err(e) => prop_assert!(false, "{e}"),
            }
            while s.poll_transmit().is_some() {}
            while s.poll_event().is_some() {}
            if let Some(t) = s.poll_timeout() {
                prop_assert!(t > now || s.is_closed(), "a deadline at or before now after handle_timeout");
            }
        }
        let rx = s.stats().rx_stat;
        prop_assert_eq!((rx.pkt, rx.dup, rx.discard, rx.reorder), (ok, dup, discard, late));
        prop_assert_eq!(rx.bytes, 3 * ok);
    }
}
