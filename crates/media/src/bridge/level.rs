//! Signal levels as PJSUA2 reports them, level adjustment and mixing with
//! saturation.

/// The signal level of a frame on PJSUA2's 0–255 scale
/// (`getRxLevel`/`getTxLevel`): the frame's mean absolute amplitude,
/// companded as G.711 µ-law does, so that the scale is logarithmic. Silence
/// is 0 and a full-scale square wave 127 (as in pjmedia, the top half of the
/// scale is not reached).
pub fn signal_level(frame: &[i16]) -> u8 {
    if frame.is_empty() {
        return 0;
    }
    // 32-bit partial sums vectorise well and cannot overflow: 65536
    // magnitudes of at most 32768 make 2^31.
    let sum: u64 = frame
        .chunks(65536)
        .map(|c| u64::from(c.iter().map(|&s| u32::from(s.unsigned_abs())).sum::<u32>()))
        .sum();
    let mean = (sum / frame.len() as u64).min(32767) as i32;
    linear_to_ulaw_magnitude(mean)
}

/// The µ-law code of a non-negative linear value without its sign and
/// inversion: 0 for 0, rising with the segment (`(segment << 4) | mantissa`).
fn linear_to_ulaw_magnitude(value: i32) -> u8 {
    let sample = value.clamp(0, i32::from(i16::MAX)) as i16;
    (crate::codec::g711::linear_to_ulaw(sample) ^ 0xff) & 0x7f
}

/// Rounds half away from zero and saturates (an `as` cast from float
/// saturates, and gives 0 for NaN). Cheaper than `f32::round`, which is a
/// libm call on the mixing path.
#[inline]
pub(crate) fn round_to_i16(v: f32) -> i16 {
    (v + 0.5f32.copysign(v)) as i16
}

/// [`round_to_i16`] to 32 bits.
#[inline]
fn round_to_i32(v: f32) -> i32 {
    (v + 0.5f32.copysign(v)) as i32
}

/// Multiplies `frame` by `level` in place, saturating.
pub(crate) fn scale(frame: &mut [i16], level: f32) {
    if level == 1.0 {
        return;
    }
    for s in frame {
        *s = round_to_i16(f32::from(*s) * level);
    }
}

/// Adds `src × level` into the 32-bit accumulator `mix`. When
/// `may_overflow` is false the caller has checked that the sum cannot leave
/// the 32-bit range (the sources' levels sum to less than 2^16), and plain
/// additions are used; otherwise every addition saturates.
pub(crate) fn accumulate(mix: &mut [i32], src: &[i16], level: f32, may_overflow: bool) {
    match (level == 1.0, may_overflow) {
        (true, false) => {
            for (m, &s) in mix.iter_mut().zip(src) {
                *m = m.wrapping_add(i32::from(s));
            }
        }
        (true, true) => {
            for (m, &s) in mix.iter_mut().zip(src) {
                *m = m.saturating_add(i32::from(s));
            }
        }
        (false, false) => {
            for (m, &s) in mix.iter_mut().zip(src) {
                *m = m.wrapping_add(round_to_i32(f32::from(s) * level));
            }
        }
        (false, true) => {
            for (m, &s) in mix.iter_mut().zip(src) {
                *m = m.saturating_add(round_to_i32(f32::from(s) * level));
            }
        }
    }
}

/// Whether mixing sources at `levels` may overflow a 32-bit sum: each adds
/// at most 32768 × its level.
pub(crate) fn may_overflow(levels: impl Iterator<Item = f32>) -> bool {
    let bound: f64 = levels.map(|l| 32768.0 * f64::from(l) + 1.0).sum();
    bound >= f64::from(i32::MAX)
}

/// Writes `mix × level` to `out`, clipped to the 16-bit range (never
/// wrapped).
pub(crate) fn clip(mix: &[i32], level: f32, out: &mut [i16]) {
    if level == 1.0 {
        for (o, &m) in out.iter_mut().zip(mix) {
            *o = m.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
        }
    } else {
        for (o, &m) in out.iter_mut().zip(mix) {
            *o = round_to_i16(m as f32 * level);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_ulaw_scale() {
        assert_eq!(signal_level(&[0; 160]), 0);
        assert_eq!(signal_level(&[]), 0);
        assert_eq!(signal_level(&[32767; 160]), 127);
        assert_eq!(signal_level(&[-32768; 160]), 127);
        // Louder is higher, and the scale is monotonic.
        let mut last = 0;
        for a in [10i16, 100, 1000, 5000, 10000, 20000, 30000] {
            let l = signal_level(&[a, -a]);
            assert!(l > last, "{a}: {l} after {last}");
            last = l;
        }
    }

    #[test]
    fn matches_the_g711_table_for_a_few_values() {
        // G.711 µ-law of v, xor 0xff (as Python's audioop.lin2ulaw gives).
        assert_eq!(linear_to_ulaw_magnitude(0), 0x00);
        assert_eq!(linear_to_ulaw_magnitude(100), 0x0d);
        assert_eq!(linear_to_ulaw_magnitude(1000), 0x31);
        assert_eq!(linear_to_ulaw_magnitude(8159), 0x60);
        assert_eq!(linear_to_ulaw_magnitude(32767), 0x7f);
    }

    #[test]
    fn mixing_saturates() {
        let mut mix = vec![0i32; 2];
        for _ in 0..10 {
            accumulate(&mut mix, &[30000, -30000], 1.0, false);
        }
        let mut out = [0i16; 2];
        clip(&mix, 1.0, &mut out);
        assert_eq!(out, [32767, -32768]);
        clip(&mix, 0.0, &mut out);
        assert_eq!(out, [0, 0]);
        let mut mix = vec![i32::MAX - 5, i32::MIN + 5];
        accumulate(&mut mix, &[30000, -30000], 3.0, true);
        assert_eq!(mix, [i32::MAX, i32::MIN]);
        assert!(!may_overflow([1.0; 1000].into_iter()));
        assert!(may_overflow([1e6, 1e6].into_iter()));
        let mut frame = [20000i16, -20000];
        scale(&mut frame, 2.0);
        assert_eq!(frame, [32767, -32768]);
        assert_eq!(
            [
                round_to_i16(2.5),
                round_to_i16(-2.5),
                round_to_i16(f32::NAN)
            ],
            [3, -3, 0]
        );
        assert_eq!([round_to_i16(1e9), round_to_i16(-1e9)], [32767, -32768]);
    }
}
