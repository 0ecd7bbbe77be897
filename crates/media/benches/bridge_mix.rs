//! CPU per audio second of K WAV players mixed by the conference bridge
//! into one WAV recorder (K = 1, 8, 30): the workload of PJSUA2's
//! `AudioMediaPlayer`s all transmitting to one `AudioMediaRecorder`.
//!
//! One iteration is 50 ticks of a 16 kHz mono, 20 ms bridge: one second of
//! audio, so the time per iteration is the CPU share of one core (1 ms per
//! iteration = 0.1 %). The players loop over the same 10-second 16 kHz mono
//! 16-bit WAV file (read from disk, as PJSUA2's players do) and the recorder
//! writes 16-bit mono at 16 kHz. `resampled` repeats K = 8 with 44.1 kHz
//! stereo files, so every player goes through a resampler.
//!
//! `cargo bench -p ferrosip-media --bench bridge_mix`; see BENCHMARKS.md.

use std::f64::consts::TAU;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use media::AudioFormat;
use media::bridge::Bridge;
use media::wav::{PlayerOptions, RecorderOptions, WavPlayer, WavRecorder};

const BRIDGE: AudioFormat = AudioFormat::new(16000, 1, 20);
const TICKS_PER_SECOND: u64 = 50;

fn bench_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bridge-bench");
    std::fs::create_dir_all(&dir).expect("bench directory");
    dir
}

/// Ten seconds of a two-tone signal at `rate` with `channels`.
fn write_source(path: &Path, rate: u32, channels: u16) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create source WAV");
    for i in 0..rate * 10 {
        let t = f64::from(i) / f64::from(rate);
        let v = 6000.0 * (TAU * 440.0 * t).sin() + 3000.0 * (TAU * 1250.0 * t).sin();
        for _ in 0..channels {
            w.write_sample(v as i16).expect("write source WAV");
        }
    }
    w.finalize().expect("finalize source WAV");
}

/// A bridge with `players` players of `source` transmitting to a recorder.
fn setup(source: &Path, players: usize, out: &Path) -> Bridge {
    let mut b = Bridge::new(BRIDGE);
    let rec = WavRecorder::create(out, BRIDGE, RecorderOptions::default()).expect("recorder");
    let rec = b.add_typed_port(rec, "recorder").expect("add recorder");
    for i in 0..players {
        let p = WavPlayer::open(source, PlayerOptions::default()).expect("player");
        let p = b
            .add_typed_port(p, format!("player {i}"))
            .expect("add player");
        b.connect(p, rec, 1.0).expect("connect");
    }
    b
}

// Benchmarks are not the sans-IO core: criterion's `iter_custom` needs the
// wall clock.
#[allow(clippy::disallowed_methods)]
fn run(c: &mut Criterion, group: &str, source: &Path, counts: &[usize]) {
    let out = bench_dir().join(format!("{group}-recording.wav"));
    let mut g = c.benchmark_group(group);
    g.sample_size(30).measurement_time(Duration::from_secs(6));
    for &k in counts {
        g.bench_function(format!("players={k}"), |bench| {
            bench.iter_custom(|iters| {
                // A fresh bridge and recording per sample keeps the file
                // small; building it is not timed.
                let mut b = setup(source, k, &out);
                let start = Instant::now();
                for _ in 0..iters * TICKS_PER_SECOND {
                    b.tick();
                }
                let elapsed = start.elapsed();
                black_box(&mut b);
                elapsed
            });
        });
    }
    g.finish();
}

fn players_into_recorder(c: &mut Criterion) {
    let dir = bench_dir();
    let mono = dir.join("source-16k-mono.wav");
    write_source(&mono, 16000, 1);
    run(c, "bridge_mix", &mono, &[1, 8, 30]);
    let stereo = dir.join("source-44k-stereo.wav");
    write_source(&stereo, 44100, 2);
    run(c, "bridge_mix_resampled", &stereo, &[8]);
}

criterion_group!(benches, players_into_recorder);
criterion_main!(benches);
