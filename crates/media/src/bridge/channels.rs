//! Channel count conversion of interleaved frames: down-mix by averaging,
//! up-mix by repeating.
//!
//! From `a` to `b` channels: output channel `c` is the average of the
//! input channels congruent to `c` modulo `b` when `b < a` (stereo to mono
//! averages left and right), and input channel `c mod a` when `b > a`
//! (mono to stereo copies the channel to both).

/// Converts `input` (frames of `from` channels) to `out` (frames of `to`
/// channels); both hold the same number of frames.
pub(crate) fn remix(input: &[f32], from: usize, out: &mut [f32], to: usize) {
    if from == to {
        out.copy_from_slice(input);
    } else if to < from {
        let per_out = (from / to) as f32;
        for (src, dst) in input.chunks_exact(from).zip(out.chunks_exact_mut(to)) {
            dst.fill(0.0);
            for (c, &v) in src.iter().enumerate() {
                dst[c % to] += v;
            }
            // Channels beyond the last whole group count once more.
            for (c, d) in dst.iter_mut().enumerate() {
                let n = per_out + if c < from % to { 1.0 } else { 0.0 };
                *d /= n;
            }
        }
    } else {
        for (src, dst) in input.chunks_exact(from).zip(out.chunks_exact_mut(to)) {
            for (c, d) in dst.iter_mut().enumerate() {
                *d = src[c % from];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stereo_to_mono_averages() {
        let mut out = [0.0; 2];
        remix(&[100.0, 300.0, -50.0, 50.0], 2, &mut out, 1);
        assert_eq!(out, [200.0, 0.0]);
    }

    #[test]
    fn mono_to_stereo_repeats() {
        let mut out = [0.0; 4];
        remix(&[7.0, -3.0], 1, &mut out, 2);
        assert_eq!(out, [7.0, 7.0, -3.0, -3.0]);
    }

    #[test]
    fn three_to_two_averages_groups() {
        // Channel 0 takes inputs 0 and 2; channel 1 takes input 1.
        let mut out = [0.0; 2];
        remix(&[10.0, 20.0, 30.0], 3, &mut out, 2);
        assert_eq!(out, [20.0, 20.0]);
    }
}
