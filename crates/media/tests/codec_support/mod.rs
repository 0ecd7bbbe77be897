//! Signal helpers shared by the codec tests: tones and their measurement.

#![allow(dead_code)]

use std::f64::consts::PI;

/// `n` samples of a sine of `freq` Hz at `rate` Hz with peak `amplitude`,
/// starting at sample `offset`.
pub(crate) fn tone(freq: f64, rate: u32, amplitude: f64, n: usize, offset: usize) -> Vec<i16> {
    (0..n)
        .map(|i| {
            let t = (i + offset) as f64 / f64::from(rate);
            (amplitude * (2.0 * PI * freq * t).sin()).round() as i16
        })
        .collect()
}

/// The same tone on every channel of an interleaved frame.
pub(crate) fn interleave(mono: &[i16], channels: usize) -> Vec<i16> {
    mono.iter()
        .flat_map(|&s| std::iter::repeat_n(s, channels))
        .collect()
}

/// Power of the component at `freq` Hz (Goertzel), as the mean square of
/// a sine of that amplitude: A²/2. Exact when `x` spans whole periods.
pub(crate) fn tone_power(x: &[i16], freq: f64, rate: u32) -> f64 {
    let w = 2.0 * PI * freq / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &v in x {
        let s0 = f64::from(v) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let re = s1 - s2 * w.cos();
    let im = s2 * w.sin();
    let magnitude = (re * re + im * im).sqrt();
    let amplitude = 2.0 * magnitude / x.len() as f64;
    amplitude * amplitude / 2.0
}

/// Mean square of `x`.
pub(crate) fn power(x: &[i16]) -> f64 {
    x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64
}

/// Signal-to-noise-and-distortion ratio in dB of a tone of `freq` Hz in
/// `x`: the tone's power against everything else. It ignores delay and
/// phase, so it measures a codec's output alone.
pub(crate) fn snr_db(x: &[i16], freq: f64, rate: u32) -> f64 {
    let t = tone_power(x, freq, rate);
    let rest = (power(x) - t).max(1e-9);
    10.0 * (t / rest).log10()
}

/// Largest absolute difference between consecutive samples.
pub(crate) fn max_step(x: &[i16]) -> i32 {
    x.windows(2)
        .map(|w| (i32::from(w[1]) - i32::from(w[0])).abs())
        .max()
        .unwrap_or(0)
}

/// A deterministic pseudo-random sequence (xorshift).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 32) as u32
    }

    /// Uniform in `-1.0..1.0`.
    pub(crate) fn unit(&mut self) -> f64 {
        f64::from(self.next_u32()) / f64::from(u32::MAX) * 2.0 - 1.0
    }
}
