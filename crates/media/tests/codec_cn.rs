//! RFC 3389 comfort noise: the level sent is the level measured, and the
//! noise played has the level received.

mod codec_support;

use codec_support::{Rng, power};
use media::codec::cn::{CnParams, ComfortNoise, encode_level, rms_of_level, silence_level};

fn db(x: f64) -> f64 {
    10.0 * x.log10()
}

#[test]
fn noise_plays_at_the_level_received() {
    for level in [20u8, 40, 60, 80] {
        for payload in [vec![level], vec![level, 127 + 60, 127 - 40, 130]] {
            let mut cn = ComfortNoise::new(42);
            cn.handle_payload(&payload).unwrap();
            let mut out = vec![0i16; 16_000];
            cn.generate(&mut out);
            let target = f64::from(rms_of_level(level)).powi(2);
            let error = db(power(&out) / target);
            // One second of noise: its power is within 0.5 dB of the
            // level (quantisation of quiet noise adds a little).
            assert!(
                error.abs() < 0.5,
                "level {level}, {payload:?}: off by {error:.2} dB"
            );
        }
    }
}

#[test]
fn the_level_measured_is_the_level_of_the_frame() {
    let mut rng = Rng(3);
    for level in [10u8, 30, 50, 70] {
        // Uniform noise with the RMS of that level.
        let rms = f64::from(rms_of_level(level));
        let frame: Vec<i16> = (0..1600)
            .map(|_| (rng.unit() * rms * 3f64.sqrt()).round() as i16)
            .collect();
        let measured = silence_level(&frame);
        assert!(
            measured.abs_diff(level) <= 1,
            "{level} measured as {measured}"
        );
        assert_eq!(encode_level(measured), [measured]);
    }
    assert_eq!(silence_level(&[0; 160]), 127);
    assert_eq!(silence_level(&[i16::MAX; 160]), 0);
}

#[test]
fn payloads_parse() {
    let p = CnParams::parse(&[0x80 | 45, 127, 255, 0]).unwrap();
    assert_eq!(p.level, 45);
    assert_eq!(p.reflection.len(), 3);
    assert_eq!(p.reflection[0], 0.0);
    assert!(p.reflection.iter().all(|k| k.abs() < 1.0));
    assert!(CnParams::parse(&[]).is_err());
    // Silence is the same noise with the same seed.
    let (mut a, mut b) = (ComfortNoise::new(5), ComfortNoise::new(5));
    a.handle_payload(&[50]).unwrap();
    b.handle_payload(&[50]).unwrap();
    let (mut x, mut y) = ([0i16; 64], [0i16; 64]);
    a.generate(&mut x);
    b.generate(&mut y);
    assert_eq!(x, y);
    assert!(x.iter().any(|&s| s != 0));
}
