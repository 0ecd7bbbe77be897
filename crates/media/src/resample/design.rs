//! Design of the polyphase low-pass filter: a Kaiser-windowed sinc at the
//! upsampled rate, split into phases.

use std::f64::consts::PI;

/// Stop-band attenuation the window is chosen for, in dB.
const STOP_BAND_DB: f64 = 80.0;

/// The pass band ends at this fraction of the lower Nyquist frequency; the
/// transition band is centred there.
const ROLLOFF: f64 = 0.9;

/// Kaiser's β for a stop band `attenuation_db` down (Kaiser's formula for
/// attenuations above 50 dB).
pub fn kaiser_beta(attenuation_db: f64) -> f64 {
    0.1102 * (attenuation_db - 8.7)
}

/// The coefficients of `up` phases of `taps` each for conversion by
/// `up / down`, row `p` holding phase `p` with the oldest input's
/// coefficient first, each row scaled to unit gain at 0 Hz.
pub(super) fn polyphase(up: usize, down: usize, taps: usize) -> Vec<f32> {
    let length = up * taps;
    let center = (length - 1) as f64 / 2.0;
    // Cut-off in cycles per sample of the upsampled signal (rate up · F):
    // the lower Nyquist frequency is (F/2)·min(1, up/down).
    let cutoff = ROLLOFF * 0.5 / up.max(down) as f64;
    let beta = kaiser_beta(STOP_BAND_DB);
    let i0_beta = bessel_i0(beta);
    let prototype: Vec<f64> = (0..length)
        .map(|n| {
            let x = n as f64 - center;
            let ideal = 2.0 * cutoff * sinc(2.0 * cutoff * x);
            let r = if length > 1 {
                2.0 * n as f64 / (length - 1) as f64 - 1.0
            } else {
                0.0
            };
            let window = bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / i0_beta;
            ideal * window
        })
        .collect();
    let mut bank = Vec::with_capacity(length);
    for phase in 0..up {
        // Output sample k reads x[i - j] with coefficient h[phase + j·up];
        // stored oldest first: position t holds j = taps - 1 - t.
        let row: Vec<f64> = (0..taps)
            .map(|t| prototype[phase + (taps - 1 - t) * up])
            .collect();
        let sum: f64 = row.iter().sum();
        let gain = if sum.abs() > 1e-9 { 1.0 / sum } else { 0.0 };
        bank.extend(row.iter().map(|&h| (h * gain) as f32));
    }
    bank
}

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 {
        1.0
    } else {
        (PI * x).sin() / (PI * x)
    }
}

/// The zeroth-order modified Bessel function of the first kind, by its
/// power series (converges quickly for the β used here).
fn bessel_i0(x: f64) -> f64 {
    let half = x / 2.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..64 {
        term *= (half / k as f64) * (half / k as f64);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}
