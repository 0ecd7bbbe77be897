//! The level of a frame: its mean magnitude on the G.711 µ-law scale.

use crate::codec::g711::linear_to_ulaw;

/// The level of a full-scale frame.
pub const MAX_LEVEL: u8 = 127;

/// The level of `pcm` (interleaved samples, all channels together): the
/// mean of the samples' magnitudes, companded as G.711 µ-law compands a
/// sample, so 0 is digital silence and [`MAX_LEVEL`] full scale.
///
/// The scale is linear below a mean magnitude of about 128 (level ≈ mean
/// / 8: 8 is a mean of 64) and logarithmic above, about 16 steps per
/// doubling, i.e. 2.7 steps per dB (16 is a mean of 128, 50 of 1024, 84
/// of 5100 — a sine of peak 8000, −12 dBFS).
pub fn frame_level(pcm: &[i16]) -> u8 {
    if pcm.is_empty() {
        return 0;
    }
    let sum: u64 = pcm.iter().map(|&s| u64::from(s.unsigned_abs())).sum();
    let mean = sum / pcm.len() as u64;
    // A mean of magnitudes is at most 32768; saturate to the i16 range.
    let mean = i16::try_from(mean).unwrap_or(i16::MAX);
    // µ-law of a non-negative value has its sign bit set and its magnitude
    // inverted in the low seven bits: flipping every bit gives 0..=127.
    linear_to_ulaw(mean) ^ 0xFF
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_span_silence_to_full_scale() {
        assert_eq!(frame_level(&[]), 0);
        assert_eq!(frame_level(&[0; 160]), 0);
        assert_eq!(frame_level(&[i16::MIN; 160]), MAX_LEVEL);
        assert_eq!(frame_level(&[i16::MAX; 160]), MAX_LEVEL);
        assert_eq!(frame_level(&[128, -128]), 16);
        assert_eq!(frame_level(&[1024; 10]), 50);
        // Monotonic in the mean magnitude.
        let mut last = 0;
        for mean in (0..=32767).step_by(7) {
            let level = frame_level(&[mean as i16]);
            assert!(level >= last, "{mean}");
            last = level;
        }
    }
}
