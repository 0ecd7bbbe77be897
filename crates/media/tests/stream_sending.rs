//! Pausing a stream's sending direction (a line on hold): no RTP goes out
//! and none is counted while paused; the timestamps keep time, and the
//! first packet after resuming carries the marker bit.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::MediaPort;
use media::rtp::PacketKind;
use media::stream::{Stream, StreamConfig};

/// Puts `ticks` frames of a tone; returns the RTP packets' (timestamp,
/// marker) in order.
fn put(stream: &mut Stream, start: Instant, from: u64, ticks: u64) -> Vec<(u32, bool)> {
    let tone: Vec<i16> = (0..stream.format().frame_len())
        .map(|i| ((i as f64 * 0.785).sin() * 8000.0) as i16)
        .collect();
    let mut sent = Vec::new();
    for i in from..from + ticks {
        stream.set_now(start + Duration::from_millis(20 * i));
        stream.put_frame(&tone);
        while let Some(t) = stream.poll_transmit() {
            if t.kind == PacketKind::Rtp {
                let ts =
                    u32::from_be_bytes([t.payload[4], t.payload[5], t.payload[6], t.payload[7]]);
                sent.push((ts, t.payload[1] & 0x80 != 0));
            }
        }
    }
    sent
}

#[test]
fn a_paused_stream_sends_and_counts_nothing_and_resumes_in_time() {
    #[allow(clippy::disallowed_methods)]
    let start = Instant::now();
    let peer: SocketAddr = "192.0.2.2:4000".parse().unwrap();
    let mut cfg = StreamConfig::new("PCMU/8000/1", peer).unwrap();
    cfg.vad = false;
    let mut stream = Stream::new(cfg, start).unwrap();
    let before = put(&mut stream, start, 0, 10);
    assert_eq!(before.len(), 10);
    assert!(
        before[0].1 && !before[1].1,
        "marker on the first packet only"
    );
    let counted = stream.stats().rtcp.tx_stat.pkt;
    assert_eq!(counted, 10);

    stream.set_sending(false);
    assert!(!stream.is_sending());
    assert!(put(&mut stream, start, 10, 25).is_empty());
    assert_eq!(stream.stats().rtcp.tx_stat.pkt, counted);

    stream.set_sending(true);
    let after = put(&mut stream, start, 35, 5);
    assert_eq!(after.len(), 5);
    // 35 frames of 160 samples after the first packet: time went on.
    assert_eq!(after[0].0.wrapping_sub(before[0].0), 35 * 160);
    assert!(
        after[0].1 && !after[1].1,
        "marker on the first packet after resuming"
    );
    assert_eq!(stream.stats().rtcp.tx_stat.pkt, counted + 5);
}
