//! CPU per audio second of one direction of sample-rate conversion, in
//! 20 ms chunks as the bridge converts a port's frames: the polyphase FIR
//! ferrosip's bridge uses (`media::resample`) beside rubato's FFT resampler
//! it used before; and the cost of making one converter (a call makes one
//! per direction per stream).
//!
//! `cargo bench -p ferrosip-media --bench resample`; see BENCHMARKS.md.

use std::f64::consts::TAU;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use media::resample::{FilterBank, PolyphaseResampler};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

const PAIRS: [(u32, u32); 3] = [(8000, 16000), (16000, 8000), (44_100, 16_000)];

fn one_second(rate: u32) -> Vec<f32> {
    (0..rate)
        .map(|n| (8000.0 * (TAU * 440.0 * f64::from(n) / f64::from(rate)).sin()) as f32)
        .collect()
}

fn polyphase(c: &mut Criterion) {
    let mut g = c.benchmark_group("resample_second");
    g.sample_size(30).measurement_time(Duration::from_secs(4));
    for (from, to) in PAIRS {
        let input = one_second(from);
        let chunk = from as usize / 50;
        let bank = FilterBank::for_rates(from, to).expect("bank");
        let mut r = PolyphaseResampler::new(bank, 1);
        let mut out = Vec::with_capacity(to as usize / 25);
        g.bench_function(format!("polyphase {from}->{to}"), |b| {
            b.iter(|| {
                for piece in input.chunks_exact(chunk) {
                    out.clear();
                    r.process(black_box(piece), &mut out);
                }
                black_box(&out);
            });
        });
        let mut fft =
            Fft::<f32>::new(from as usize, to as usize, chunk, 1, FixedSync::Input).expect("fft");
        let mut buf = vec![0.0f32; fft.output_frames_max()];
        g.bench_function(format!("rubato fft {from}->{to}"), |b| {
            b.iter(|| {
                for piece in input.chunks_exact(chunk) {
                    let adapter_in = InterleavedSlice::new(piece, 1, chunk).expect("in");
                    let frames = buf.len();
                    let mut adapter_out =
                        InterleavedSlice::new_mut(&mut buf, 1, frames).expect("out");
                    let _ = fft.process_into_buffer(&adapter_in, &mut adapter_out, None);
                }
                black_box(&buf);
            });
        });
    }
    g.finish();

    let mut g = c.benchmark_group("resampler_new");
    g.sample_size(30).measurement_time(Duration::from_secs(3));
    g.bench_function("polyphase 8000->16000 (bank shared)", |b| {
        b.iter(|| {
            let bank = FilterBank::for_rates(8000, 16000).expect("bank");
            black_box(PolyphaseResampler::new(bank, 1))
        });
    });
    g.bench_function("rubato fft 8000->16000", |b| {
        b.iter(|| black_box(Fft::<f32>::new(8000, 16000, 160, 1, FixedSync::Input).expect("fft")));
    });
    g.finish();
}

criterion_group!(benches, polyphase);
criterion_main!(benches);
