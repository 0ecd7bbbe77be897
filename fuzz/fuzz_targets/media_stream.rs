//! Fuzzes a whole audio stream (`media::stream::Stream`: RTP session, codec,
//! jitter buffer, RFC 4733 DTMF) as the runtime drives it: datagrams from
//! the network (well-formed RTP of the stream's payload types with chosen
//! sequence and timestamp steps, marker bits and payloads, RTCP, or raw
//! bytes), frames the bridge puts and gets, DTMF to send, and time moving.
//!
//! Checked after every operation:
//! - nothing panics, whatever arrives;
//! - `get_frame` fills exactly one frame and says whether it is audio;
//! - every datagram the stream sends parses as RTP or RTCP;
//! - once `handle_timeout(now)` ran, `poll_timeout` is later than `now`.

#![no_main]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use media::MediaPort;
use media::rtp::{PacketKind, RtpPacketView, parse_rtcp};
use media::stream::{Stream, StreamConfig};

#[derive(Debug, Arbitrary)]
struct Input {
    codec: u8,
    rtcp_mux: bool,
    seed: u64,
    jb_init: i8,
    jb_max: i8,
    ops: Vec<Op>,
}

#[derive(Debug, Arbitrary)]
enum Op {
    /// Well-formed RTP: payload type choice, sequence step, timestamp
    /// step, marker, payload.
    Rtp {
        pt: u8,
        seq_step: i8,
        ts_step: i16,
        marker: bool,
        from: u8,
        payload: Vec<u8>,
    },
    /// Any bytes, on the RTP or the RTCP port.
    Raw { rtcp: bool, bytes: Vec<u8> },
    /// The bridge puts a frame (a tone of this amplitude) and gets one.
    Tick { amplitude: i16 },
    /// DTMF to send.
    Dtmf { digits: Vec<u8>, duration: u16 },
    /// Time moves on by this many milliseconds.
    Advance { ms: u16 },
    /// Time moves to the stream's next deadline.
    ToDeadline,
}

const CODECS: [&str; 4] = ["PCMU", "PCMA", "G722", "L16/16000/1"];

fn address(i: u8) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 1 + (i % 3)], 4000 + u16::from(i % 2) * 2))
}

fuzz_target!(|input: Input| {
    let start = Instant::now();
    let mut now = start;
    let codec = CODECS[usize::from(input.codec) % CODECS.len()];
    let Ok(mut config) = StreamConfig::new(codec, address(0)) else {
        return;
    };
    config.rtcp_mux = input.rtcp_mux;
    config.seed = input.seed;
    config.jb_init = i32::from(input.jb_init);
    config.jb_max = i32::from(input.jb_max);
    let pt = config.payload_type;
    let te = config.telephone_event_pt;
    // Contradictory jitter buffer settings are an error, not a panic.
    let Ok(mut stream) = Stream::new(config, now) else {
        return;
    };
    let frame_len = stream.format().frame_len();
    let mut frame = vec![0i16; frame_len];
    let (mut seq, mut ts) = (1000u16, 50_000u32);
    for op in input.ops.into_iter().take(2000) {
        match op {
            Op::Rtp {
                pt: choice,
                seq_step,
                ts_step,
                marker,
                from,
                payload,
            } => {
                seq = seq.wrapping_add(seq_step as u16);
                ts = ts.wrapping_add(ts_step as i32 as u32);
                let payload_type = match choice % 3 {
                    0 => pt,
                    1 => te.unwrap_or(101),
                    _ => choice & 0x7f,
                };
                let mut packet = vec![
                    0x80,
                    (u8::from(marker) << 7) | payload_type,
                    (seq >> 8) as u8,
                    seq as u8,
                ];
                packet.extend_from_slice(&ts.to_be_bytes());
                packet.extend_from_slice(&0x1234_5678u32.to_be_bytes());
                packet.extend_from_slice(&payload[..payload.len().min(1500)]);
                let _ = stream.handle_datagram(now, address(from), &packet);
            }
            Op::Raw { rtcp, bytes } => {
                let from = if rtcp { address(1) } else { address(0) };
                let _ = stream.handle_datagram(now, from, &bytes[..bytes.len().min(1500)]);
            }
            Op::Tick { amplitude } => {
                stream.set_now(now);
                for (i, s) in frame.iter_mut().enumerate() {
                    *s = if i % 16 < 8 { amplitude } else { amplitude.saturating_neg() };
                }
                stream.put_frame(&frame);
                frame.fill(0x5555);
                let kind = stream.get_frame(&mut frame);
                assert_eq!(frame.len(), frame_len);
                if kind == media::FrameKind::None {
                    assert!(frame.iter().all(|s| *s == 0), "a None frame is silence");
                }
                now += Duration::from_micros(stream.format().frame_usec());
            }
            Op::Dtmf { digits, duration } => {
                let digits: String = digits.iter().take(8).map(|b| char::from(*b)).collect();
                let _ = stream.send_dtmf(&digits, u32::from(duration));
            }
            Op::Advance { ms } => {
                now += Duration::from_millis(u64::from(ms));
                stream.handle_timeout(now);
            }
            Op::ToDeadline => {
                if let Some(t) = stream.poll_timeout() {
                    now = now.max(t);
                }
                stream.handle_timeout(now);
                if let Some(t) = stream.poll_timeout() {
                    assert!(t > now, "a deadline stayed due");
                }
            }
        }
        while let Some(t) = stream.poll_transmit() {
            match t.kind {
                PacketKind::Rtp => {
                    assert!(RtpPacketView::parse(&t.payload).is_ok(), "sent RTP does not parse");
                }
                PacketKind::Rtcp => {
                    assert!(parse_rtcp(&t.payload).is_ok(), "sent RTCP does not parse");
                }
            }
        }
        while stream.poll_event().is_some() {}
    }
});
