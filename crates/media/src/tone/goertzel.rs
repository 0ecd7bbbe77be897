//! Tone detection by the Goertzel algorithm: the amplitude of one
//! frequency in a block of samples.
//!
//! Used to check generated and mixed audio (tests, in-band DTMF); cheaper
//! than an FFT when only a few frequencies matter.

use std::f64::consts::TAU;

/// The amplitude of the sinusoid at `freq` Hz in `samples` (mono, at
/// `clock_rate`), estimated as 2·|X(f)|/N from the Goertzel recurrence.
///
/// `freq` need not fall on a DFT bin. With a rectangular window a
/// frequency within about `clock_rate / N` of `freq` leaks into the
/// estimate, so take blocks of many periods. Returns 0 for an empty block.
pub fn tone_amplitude(samples: &[i16], clock_rate: u32, freq: f64) -> f64 {
    if samples.is_empty() || clock_rate == 0 {
        return 0.0;
    }
    let omega = TAU * freq / f64::from(clock_rate);
    let coeff = 2.0 * omega.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = (s1 * s1 + s2 * s2 - coeff * s1 * s2).max(0.0);
    2.0 * power.sqrt() / samples.len() as f64
}

/// The root mean square of `samples`.
pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len() as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, amplitude: f64, rate: u32, n: usize) -> Vec<i16> {
        (0..n)
            .map(|i| (amplitude * (TAU * freq * i as f64 / f64::from(rate)).sin()).round() as i16)
            .collect()
    }

    #[test]
    fn measures_the_amplitude_of_a_sine() {
        let s = sine(1000.0, 10000.0, 16000, 1600);
        assert!((tone_amplitude(&s, 16000, 1000.0) - 10000.0).abs() < 20.0);
        assert!(tone_amplitude(&s, 16000, 1500.0) < 50.0);
        assert!((rms(&s) - 10000.0 / 2f64.sqrt()).abs() < 10.0);
    }

    #[test]
    fn empty_blocks_measure_nothing() {
        assert_eq!(tone_amplitude(&[], 8000, 440.0), 0.0);
        assert_eq!(rms(&[]), 0.0);
    }
}
