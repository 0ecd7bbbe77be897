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
    match (from, to) {
        _ if from == to => out.copy_from_slice(input),
        (2, 1) => {
            for (src, d) in input.chunks_exact(2).zip(out.iter_mut()) {
                *d = 0.5 * (src[0] + src[1]);
            }
        }
        (1, _) => {
            for (&v, dst) in input.iter().zip(out.chunks_exact_mut(to)) {
                dst.fill(v);
            }
        }
        _ if to < from => {
            // Output channel c averages the inputs congruent to c mod `to`;
            // the first `from % to` outputs have one input more.
            let weights: Vec<f32> = (0..to)
                .map(|c| 1.0 / (from / to + usize::from(c < from % to)) as f32)
                .collect();
            for (src, dst) in input.chunks_exact(from).zip(out.chunks_exact_mut(to)) {
                dst.copy_from_slice(&src[..to]);
                for group in src[to..].chunks(to) {
                    for (d, &v) in dst.iter_mut().zip(group) {
                        *d += v;
                    }
                }
                for (d, w) in dst.iter_mut().zip(&weights) {
                    *d *= w;
                }
            }
        }
        _ => {
            // Output channel c repeats input c mod `from`.
            for (src, dst) in input.chunks_exact(from).zip(out.chunks_exact_mut(to)) {
                for group in dst.chunks_mut(from) {
                    group.copy_from_slice(&src[..group.len()]);
                }
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

    #[test]
    fn two_to_five_repeats_in_turn() {
        let mut out = [0.0; 5];
        remix(&[1.0, 2.0], 2, &mut out, 5);
        assert_eq!(out, [1.0, 2.0, 1.0, 2.0, 1.0]);
    }
}
