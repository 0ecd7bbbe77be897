use std::f64::consts::TAU;

use super::*;

fn tone(rate: u32, freq: f64, seconds: f64, amplitude: f64) -> Vec<f32> {
    (0..(f64::from(rate) * seconds) as usize)
        .map(|n| (amplitude * (TAU * freq * n as f64 / f64::from(rate)).sin()) as f32)
        .collect()
}

fn convert(from: u32, to: u32, input: &[f32], chunk: usize) -> Vec<f32> {
    let bank = FilterBank::for_rates(from, to).expect("a bank for the pair");
    let mut r = PolyphaseResampler::new(bank, 1);
    let mut out = Vec::new();
    for piece in input.chunks(chunk) {
        r.process(piece, &mut out);
    }
    out
}

/// Amplitude of `freq` in `x` (rate `rate`) by least squares against a sine
/// and a cosine, and the RMS of what is left: (amplitude, residual).
fn fit(x: &[f32], rate: u32, freq: f64) -> (f64, f64) {
    let w = TAU * freq / f64::from(rate);
    let (mut ss, mut cc, mut sc, mut xs, mut xc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (n, &v) in x.iter().enumerate() {
        let (s, c) = (w * n as f64).sin_cos();
        ss += s * s;
        cc += c * c;
        sc += s * c;
        xs += f64::from(v) * s;
        xc += f64::from(v) * c;
    }
    let det = ss * cc - sc * sc;
    let a = (xs * cc - xc * sc) / det;
    let b = (xc * ss - xs * sc) / det;
    let residual = x
        .iter()
        .enumerate()
        .map(|(n, &v)| {
            let (s, c) = (w * n as f64).sin_cos();
            (f64::from(v) - a * s - b * c).powi(2)
        })
        .sum::<f64>()
        / x.len() as f64;
    ((a * a + b * b).sqrt(), residual.sqrt())
}

#[test]
fn output_length_follows_the_ratio_exactly() {
    for (from, to) in [
        (8000, 16000),
        (16000, 8000),
        (44_100, 16_000),
        (16_000, 44_100),
        (11_025, 16_000),
        (48_000, 8_000),
    ] {
        let input = vec![0.0f32; from as usize * 2];
        let out = convert(from, to, &input, from as usize / 50);
        let exact = 2.0 * f64::from(to);
        let bank = FilterBank::for_rates(from, to).unwrap();
        // Missing only what the filter's delay still holds back.
        let held = (bank.taps() as f64) * f64::from(to) / f64::from(from) + 1.0;
        assert!(
            out.len() as f64 <= exact && out.len() as f64 >= exact - held,
            "{from}->{to}: {} for {exact}",
            out.len()
        );
    }
}

#[test]
fn chunking_does_not_change_the_output() {
    // Equal but for rounding: whole blocks of eight positions and single
    // samples add the same products in different orders.
    let same = |a: &[f32], b: &[f32]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01)
    };
    for (from, to) in [
        (8000, 16000),
        (8000, 48_000),
        (16_000, 8000),
        (44_100, 16_000),
    ] {
        let input = tone(from, 1000.0, 0.5, 10_000.0);
        let whole = convert(from, to, &input, input.len());
        for chunk in [1, 7, 80, 160, 333, 441] {
            let pieces = convert(from, to, &input, chunk);
            assert!(same(&pieces, &whole), "{from}->{to} in chunks of {chunk}");
        }
    }
}

#[test]
fn a_tone_in_the_pass_band_comes_through_clean() {
    for (from, to, freq) in [
        (8000, 16000, 1000.0),
        (8000, 16000, 3000.0),
        (16000, 8000, 1000.0),
        (16000, 8000, 3000.0),
        (44_100, 16_000, 1000.0),
        (16_000, 48_000, 5000.0),
        (11_025, 16_000, 440.0),
    ] {
        let out = convert(from, to, &tone(from, freq, 1.0, 10_000.0), 160);
        let settled = &out[out.len() / 4..];
        let (amplitude, residual) = fit(settled, to, freq);
        let snr = 20.0 * (amplitude / std::f64::consts::SQRT_2 / residual).log10();
        assert!(
            (amplitude - 10_000.0).abs() < 300.0,
            "{from}->{to} {freq} Hz: amplitude {amplitude:.0}"
        );
        assert!(snr > 60.0, "{from}->{to} {freq} Hz: SNR {snr:.1} dB");
    }
}

#[test]
fn what_the_lower_rate_cannot_carry_is_removed() {
    // 6 kHz at 16 kHz would alias to 2 kHz at 8 kHz.
    let out = convert(16_000, 8_000, &tone(16_000, 6000.0, 1.0, 10_000.0), 320);
    let settled = &out[out.len() / 4..];
    let rms =
        (settled.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / settled.len() as f64).sqrt();
    let db = 20.0 * (rms / (10_000.0 / std::f64::consts::SQRT_2)).log10();
    assert!(db < -70.0, "alias at {db:.1} dB");
    // Upsampling: the image of 1 kHz at 7 kHz is gone.
    let out = convert(8000, 16_000, &tone(8000, 1000.0, 1.0, 10_000.0), 160);
    let settled = &out[out.len() / 4..];
    let (image, _) = fit(settled, 16_000, 7000.0);
    assert!(image < 1.0, "image amplitude {image}");
}

#[test]
fn rate_pairs_share_one_bank_and_odd_pairs_have_none() {
    let a = FilterBank::for_rates(8000, 16000).unwrap();
    let b = FilterBank::for_rates(8000, 16000).unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert!(FilterBank::for_rates(44_101, 16_000).is_none());
    assert!(FilterBank::for_rates(16_000, 16_000).is_none());
    assert!(FilterBank::for_rates(0, 16_000).is_none());
    // A file claiming 16 MHz: a 32,000-tap filter is not designed.
    assert!(FilterBank::for_rates(16_000_000, 16_000).is_none());
    assert!(FilterBank::for_rates(u32::MAX, 8_000).is_none());
    assert!(FilterBank::for_rates(1_024_000, 8_000).is_some());
}

#[test]
fn stereo_channels_are_filtered_independently() {
    let left = tone(8000, 500.0, 0.25, 8000.0);
    let right = tone(8000, 1500.0, 0.25, 4000.0);
    let interleaved: Vec<f32> = left
        .iter()
        .zip(&right)
        .flat_map(|(l, r)| [*l, *r])
        .collect();
    let bank = FilterBank::for_rates(8000, 16000).unwrap();
    let mut r = PolyphaseResampler::new(bank, 2);
    let mut out = Vec::new();
    r.process(&interleaved, &mut out);
    let l: Vec<f32> = out.iter().step_by(2).copied().collect();
    let rr: Vec<f32> = out.iter().skip(1).step_by(2).copied().collect();
    // As mono, but for rounding (mono runs in blocks of eight positions).
    let same = |a: &[f32], b: &[f32]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01)
    };
    assert!(same(&l, &convert(8000, 16000, &left, left.len())));
    assert!(same(&rr, &convert(8000, 16000, &right, right.len())));
}
