//! Cost of the codecs: encoding and decoding one second of audio (a 1 kHz
//! tone with some noise, 20 ms packets), per codec, and the loss
//! concealment of one lost packet.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use media::codec::{Codec, CodecManager};

const CODECS: &[&str] = &[
    "PCMU/8000/1",
    "PCMA/8000/1",
    "G722/16000/1",
    "L16/8000/1",
    "L16/48000/2",
    #[cfg(feature = "opus")]
    "opus/48000/2",
];

/// One second of a 1 kHz tone plus noise, in 20 ms packets of PCM.
fn packets(codec: &dyn Codec) -> Vec<Vec<i16>> {
    let f = codec.format();
    let channels = usize::from(f.channels);
    let per_packet = f.clock_rate as usize / 50;
    let mut state = 1u32;
    (0..50)
        .map(|p| {
            (0..per_packet * channels)
                .map(|i| {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let t = (p * per_packet + i / channels) as f64 / f64::from(f.clock_rate);
                    let noise = f64::from((state >> 20) as i32 - 2048);
                    (8000.0 * (2.0 * std::f64::consts::PI * 1000.0 * t).sin() + noise) as i16
                })
                .collect()
        })
        .collect()
}

fn params(manager: &CodecManager, id: &str) -> media::codec::CodecParam {
    let mut p = manager.param(id).unwrap();
    // 20 ms packets for every codec, so the figures compare.
    p.setting.frm_per_pkt = 20 / p.info.frame_len;
    p
}

fn encode_decode(c: &mut Criterion) {
    let manager = CodecManager::new();
    let mut group = c.benchmark_group("codec: encode + decode 1 s of audio");
    for &id in CODECS {
        let desc = *manager.find(id).unwrap();
        let param = params(&manager, id);
        let mut codec = CodecManager::create_with(&desc, &param).unwrap();
        let pcm = packets(codec.as_ref());
        let mut payload = Vec::with_capacity(4000);
        let mut out = vec![0i16; pcm[0].len() * 2];
        group.bench_function(id, |b| {
            b.iter(|| {
                for frame in &pcm {
                    payload.clear();
                    codec.encode(black_box(frame), &mut payload).unwrap();
                    let n = codec.decode(black_box(&payload), &mut out).unwrap();
                    black_box(&out[..n]);
                }
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("codec: decode 1 s of audio");
    for &id in CODECS {
        let desc = *manager.find(id).unwrap();
        let mut codec = CodecManager::create_with(&desc, &params(&manager, id)).unwrap();
        let pcm = packets(codec.as_ref());
        let encoded: Vec<Vec<u8>> = pcm
            .iter()
            .map(|frame| {
                let mut p = Vec::new();
                codec.encode(frame, &mut p).unwrap();
                p
            })
            .collect();
        let mut out = vec![0i16; pcm[0].len() * 2];
        group.bench_function(id, |b| {
            b.iter(|| {
                for payload in &encoded {
                    let n = codec.decode(black_box(payload), &mut out).unwrap();
                    black_box(&out[..n]);
                }
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("codec: conceal one lost 20 ms packet");
    for &id in CODECS {
        let desc = *manager.find(id).unwrap();
        let mut codec = CodecManager::create_with(&desc, &params(&manager, id)).unwrap();
        let pcm = packets(codec.as_ref());
        let mut payload = Vec::new();
        let mut out = vec![0i16; pcm[0].len()];
        group.bench_function(id, |b| {
            b.iter(|| {
                // A good packet, then a lost one: the start of a loss is
                // where the pitch search runs.
                payload.clear();
                codec.encode(&pcm[0], &mut payload).unwrap();
                codec.decode(&payload, &mut out).unwrap();
                codec.conceal(black_box(&mut out));
            });
        });
    }
    group.finish();
}

criterion_group!(benches, encode_decode);
criterion_main!(benches);
