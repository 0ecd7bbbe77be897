//! Cost of the jitter buffer per frame: one put and one get of a 160-byte
//! frame (20 ms of G.711), on a perfect link and on a jittery, lossy,
//! reordering one (60 ms of independent jitter, 5 % loss, 2 % duplicates),
//! and for packets of three frames.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use media::jitter::{Frame, JitterBuffer, JitterConfig};

const SPAN: u32 = 160;
const FRAMES: u32 = 3000; // one minute

/// Feeds the schedule (frames to put before each get) and gets once per
/// tick; gives a sum of what came out, so nothing is optimised away.
fn play(jb: &mut JitterBuffer, schedule: &[Vec<u32>], payload: &[u8]) -> u64 {
    let mut sum = 0u64;
    for arrivals in schedule {
        for &k in arrivals {
            jb.put(k.wrapping_mul(SPAN), payload, k == 0);
        }
        sum += match jb.get() {
            Frame::Normal { payload, .. } => payload.len() as u64,
            Frame::Missing { timestamp } | Frame::Discarded { timestamp } => u64::from(timestamp),
            Frame::Prefetching | Frame::Empty => 1,
        };
    }
    sum
}

/// Which frames arrive before each 20 ms tick: each frame sent at its tick,
/// delayed by 30 ms plus a uniform share of 60 ms, lost with 5 %
/// probability, duplicated with 2 %.
fn jittery_schedule() -> Vec<Vec<u32>> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let ticks = FRAMES as usize + 10;
    let mut schedule = vec![Vec::new(); ticks];
    for k in 0..FRAMES {
        if next() < 0.05 {
            continue;
        }
        let copies = if next() < 0.02 { 2 } else { 1 };
        for _ in 0..copies {
            let arrival_ms = f64::from(k) * 20.0 + 30.0 + 60.0 * next();
            let tick = (arrival_ms / 20.0).ceil() as usize;
            schedule[tick.min(ticks - 1)].push(k);
        }
    }
    schedule
}

fn put_get(c: &mut Criterion) {
    let config = JitterConfig::for_clock(8000, 20);
    let payload = [0x55u8; 160];
    let mut group = c.benchmark_group("jitter: put + get per frame");
    group.throughput(Throughput::Elements(u64::from(FRAMES)));

    let steady: Vec<Vec<u32>> = (0..FRAMES).map(|k| vec![k]).collect();
    group.bench_function("perfect link", |b| {
        b.iter(|| {
            let mut jb = JitterBuffer::new(&config).unwrap();
            black_box(play(&mut jb, black_box(&steady), &payload))
        });
    });

    let jittery = jittery_schedule();
    group.bench_function("60 ms jitter, 5% loss, 2% duplicates", |b| {
        b.iter(|| {
            let mut jb = JitterBuffer::new(&config).unwrap();
            black_box(play(&mut jb, black_box(&jittery), &payload))
        });
    });

    group.bench_function("packets of 3 frames", |b| {
        let frames = [&payload[..]; 3];
        b.iter(|| {
            let mut jb = JitterBuffer::new(&config).unwrap();
            let mut sum = 0u64;
            for p in 0..FRAMES / 3 {
                jb.put_frames(p * 3 * SPAN, frames, p == 0);
                for _ in 0..3 {
                    sum += u64::from(jb.get().timestamp().unwrap_or(1));
                }
            }
            black_box(sum)
        });
    });
    group.finish();
}

criterion_group!(benches, put_get);
criterion_main!(benches);
