//! Fuzzes the RTP and RTCP wire formats of `media::rtp`: arbitrary bytes
//! into the RTP parser, the RTCP compound parser, the RFC 5761
//! demultiplexer and a session's `handle_datagram`.
//!
//! Checked:
//! - nothing panics;
//! - a parsed RTP packet's payload and extension lie inside the datagram
//!   (12-byte header, CSRCs, extension, payload, padding add up);
//! - RTCP that parses, written again (without the packet types kept only
//!   by number), parses to the same values, and writes to the same bytes a
//!   second time (write ∘ parse is a fixed point after one round);
//! - a session fed the bytes on a multiplexed port and on separate ports
//!   keeps counts that never exceed the packets given.

#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use media::rtp::{
    RtcpPacket, RtpPacketView, RtpSession, RtpSessionConfig, is_rtcp, parse_rtcp, write_rtcp,
};

fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(view) = RtpPacketView::parse(data) {
        let ext = view.extension().map_or(0, |(_, e)| e.len() + 4);
        let header = 12 + 4 * view.csrc().count();
        assert!(header + ext + view.payload().len() <= data.len());
        assert_eq!(view.extension().map_or(0, |(_, e)| e.len() % 4), 0);
        let _ = (
            view.payload_type(),
            view.marker(),
            view.timestamp(),
            view.ssrc(),
        );
    }

    if let Ok(packets) = parse_rtcp(data) {
        let known: Vec<RtcpPacket> = packets
            .into_iter()
            .filter(|p| !matches!(p, RtcpPacket::Other { .. }))
            .collect();
        if !known.is_empty() {
            if let Ok(written) = write_rtcp(&known) {
                let again = parse_rtcp(&written).expect("written RTCP parses");
                assert_eq!(again, known);
                assert_eq!(write_rtcp(&again).expect("it wrote once"), written);
            }
        }
    }

    let now = base() + Duration::from_millis(20);
    let from = "192.0.2.9:4000".parse().unwrap();
    for mux in [false, true] {
        let mut c = RtpSessionConfig::new(from, 0, 8000);
        c.rtcp_mux = mux;
        c.min_sequential = 1;
        let mut session = RtpSession::new(c, base()).unwrap();
        let _ = session.handle_datagram(now, from, data);
        if !is_rtcp(data) {
            let _ = session.handle_rtcp(now, from, data);
        }
        let rx = session.stats().rx_stat;
        assert!(rx.pkt + rx.dup + rx.discard <= 1);
        while session.poll_transmit().is_some() {}
        while session.poll_event().is_some() {}
    }
});
