//! A peer that numbers a dynamic payload type differently from us (RFC
//! 3264 asks it not to; some do): the stream sends with the peer's number
//! and takes audio and telephone events under either.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::MediaPort;
use media::stream::{Stream, StreamConfig, StreamEvent};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Runs `ticks` frames of a tone from `a` to `b`, with DTMF from `a` at
/// the start; returns the RTP packets `b` counted, whether it heard a
/// digit, and the loudest sample it played.
fn exchange(a: &mut Stream, b: &mut Stream, ticks: u64, start: Instant) -> (u64, bool, i16) {
    let a_addr = addr("192.0.2.1:4000");
    let tone: Vec<i16> = (0..a.format().frame_len())
        .map(|i| ((i as f64 * 0.785).sin() * 8000.0) as i16)
        .collect();
    let mut out = vec![0i16; b.format().frame_len()];
    a.send_dtmf("5", 100).unwrap();
    let mut digit = false;
    let mut loudest = 0i16;
    for i in 0..ticks {
        let now = start + Duration::from_millis(20 * i);
        a.set_now(now);
        a.put_frame(&tone);
        while let Some(t) = a.poll_transmit() {
            let _ = b.handle_datagram(now, a_addr, &t.payload);
        }
        b.set_now(now);
        b.get_frame(&mut out);
        loudest = loudest.max(out.iter().map(|s| s.saturating_abs()).max().unwrap_or(0));
        while let Some(e) = b.poll_event() {
            digit |= matches!(e, StreamEvent::Dtmf(_));
        }
    }
    (b.stats().rtcp.rx_stat.pkt, digit, loudest)
}

fn pair(rx_pt: Option<u8>, rx_te: Option<u8>) -> (Stream, Stream, Instant) {
    #[allow(clippy::disallowed_methods)]
    let start = Instant::now();
    // A sends L16 as 96 and telephone-event as 101 (the peer's numbers).
    let mut ca = StreamConfig::new("L16/16000/1", addr("192.0.2.2:4000")).unwrap();
    ca.payload_type = 96;
    ca.telephone_event_pt = Some(101);
    ca.vad = false;
    // B numbered them 97 and 100 in its own description.
    let mut cb = StreamConfig::new("L16/16000/1", addr("192.0.2.1:4000")).unwrap();
    cb.payload_type = 97;
    cb.telephone_event_pt = Some(100);
    cb.rx_payload_type = rx_pt;
    cb.rx_telephone_event_pt = rx_te;
    cb.seed = 2;
    cb.vad = false;
    let a = Stream::new(ca, start).unwrap();
    let b = Stream::new(cb, start).unwrap();
    (a, b, start)
}

#[test]
fn audio_and_events_under_the_peers_numbers_are_taken() {
    let (mut a, mut b, start) = pair(Some(96), Some(101));
    let (packets, digit, loudest) = exchange(&mut a, &mut b, 50, start);
    assert!(packets >= 40, "{packets} packets");
    assert!(digit, "the DTMF digit under the peer's number");
    assert!(loudest > 6000, "the tone was played: {loudest}");
}

#[test]
fn without_the_peers_numbers_neither_is_taken() {
    let (mut a, mut b, start) = pair(None, None);
    let (_, digit, loudest) = exchange(&mut a, &mut b, 50, start);
    assert!(!digit);
    assert_eq!(loudest, 0, "nothing was played");
}
