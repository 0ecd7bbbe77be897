//! The RTP hot path: one 20 ms G.711 packet (160 bytes of payload) sent by
//! one session and taken by another, per iteration; and one RTCP report
//! built by one session and taken by the other.
//!
//! `cargo bench -p ferrosip-media --bench rtp`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use media::rtp::{RtpSession, RtpSessionConfig};
use testkit::VirtualClock;

fn pair() -> (RtpSession, RtpSession, std::time::Instant) {
    let start = VirtualClock::new().now();
    let alice_addr = "192.0.2.1:4000".parse().unwrap();
    let bob_addr = "192.0.2.2:4000".parse().unwrap();
    let mut c = RtpSessionConfig::new(bob_addr, 0, 8000);
    c.seed = 1;
    let alice = RtpSession::new(c, start).unwrap();
    let mut c = RtpSessionConfig::new(alice_addr, 0, 8000);
    c.seed = 2;
    let bob = RtpSession::new(c, start).unwrap();
    (alice, bob, start)
}

fn send_receive(c: &mut Criterion) {
    let mut group = c.benchmark_group("rtp");
    group.throughput(Throughput::Elements(1));
    let payload = [0xD5u8; 160];
    let from = "192.0.2.1:4000".parse().unwrap();

    let (mut alice, mut bob, start) = pair();
    let mut now = start;
    group.bench_function("send_receive_160B", |b| {
        b.iter(|| {
            now += Duration::from_millis(20);
            alice.send(now, black_box(&payload), 160, false).unwrap();
            let t = alice.poll_transmit().unwrap();
            let view = bob.handle_rtp(now, from, &t.payload);
            black_box(view.map(|v| v.payload().len()).ok());
        });
    });

    let (mut alice, _, start) = pair();
    let mut now = start;
    group.bench_function("send_only_160B", |b| {
        b.iter(|| {
            now += Duration::from_millis(20);
            alice.send(now, black_box(&payload), 160, false).unwrap();
            black_box(alice.poll_transmit().unwrap());
        });
    });

    // Receive only: the same packet bytes with rising sequence numbers.
    let (mut alice, mut bob, start) = pair();
    let mut packets = Vec::new();
    for i in 0..4096u64 {
        let now = start + Duration::from_millis(20 * i);
        alice.send(now, &payload, 160, false).unwrap();
        packets.push((now, alice.poll_transmit().unwrap().payload));
    }
    let mut i = 0;
    let mut offset = Duration::ZERO;
    group.bench_function("receive_only_160B", |b| {
        b.iter(|| {
            if i == packets.len() {
                // Start again one cycle later: rewrite the sequence numbers
                // so the stream goes on without a jump.
                i = 0;
                offset += Duration::from_millis(20 * packets.len() as u64);
                for (_, p) in &mut packets {
                    let seq = u16::from_be_bytes([p[2], p[3]]).wrapping_add(4096);
                    p[2..4].copy_from_slice(&seq.to_be_bytes());
                }
            }
            let (at, bytes) = &packets[i];
            i += 1;
            black_box(bob.handle_rtp(*at + offset, from, bytes).is_ok());
        });
    });

    // One RTCP round: Alice's timer fired until she sends a report (timer
    // reconsideration may postpone it), and Bob takes it.
    let (mut alice, mut bob, start) = pair();
    let mut now = start;
    for _ in 0..50 {
        now += Duration::from_millis(20);
        alice.send(now, &payload, 160, false).unwrap();
        let t = alice.poll_transmit().unwrap();
        let _ = bob.handle_rtp(now, from, &t.payload);
    }
    group.bench_function("rtcp_report_round_trip", |b| {
        b.iter(|| {
            loop {
                now = alice.poll_timeout().unwrap();
                alice.handle_timeout(now);
                if let Some(t) = alice.poll_transmit() {
                    black_box(bob.handle_rtcp(now, from, &t.payload).is_ok());
                    break;
                }
            }
        });
    });
    group.finish();
}

criterion_group!(benches, send_receive);
criterion_main!(benches);
