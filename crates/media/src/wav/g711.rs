//! G.711 expansion (ITU-T G.711 A-law and µ-law to 16-bit linear), as
//! 256-entry tables built at compile time.
//!
//! Only decoding lives here: the player reads G.711 WAV files; the codec
//! module owns the RTP payload format in both directions.

/// µ-law byte to 16-bit linear.
pub(crate) const ULAW_TO_LINEAR: [i16; 256] = build_ulaw();
/// A-law byte to 16-bit linear.
pub(crate) const ALAW_TO_LINEAR: [i16; 256] = build_alaw();

const fn ulaw(byte: u8) -> i16 {
    let u = !byte;
    let exponent = (u >> 4) & 0x07;
    let mantissa = (u & 0x0f) as i32;
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    if u & 0x80 != 0 {
        -magnitude as i16
    } else {
        magnitude as i16
    }
}

const fn alaw(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let segment = ((a & 0x70) >> 4) as u32;
    let mut magnitude = ((a & 0x0f) as i32) << 4;
    magnitude += if segment == 0 { 8 } else { 0x108 };
    if segment > 1 {
        magnitude <<= segment - 1;
    }
    if a & 0x80 != 0 {
        magnitude as i16
    } else {
        -magnitude as i16
    }
}

const fn build_ulaw() -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = ulaw(i as u8);
        i += 1;
    }
    table
}

const fn build_alaw() -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = alaw(i as u8);
        i += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulaw_known_values() {
        // 0xff and 0x7f are the two zeros; 0x80 and 0x00 the extremes.
        assert_eq!(ULAW_TO_LINEAR[0xff], 0);
        assert_eq!(ULAW_TO_LINEAR[0x7f], 0);
        assert_eq!(ULAW_TO_LINEAR[0x80], 32124);
        assert_eq!(ULAW_TO_LINEAR[0x00], -32124);
        assert_eq!(ULAW_TO_LINEAR[0xfe], 8);
    }

    #[test]
    fn alaw_known_values() {
        assert_eq!(ALAW_TO_LINEAR[0xd5], 8);
        assert_eq!(ALAW_TO_LINEAR[0x55], -8);
        assert_eq!(ALAW_TO_LINEAR[0xaa], 32256);
        assert_eq!(ALAW_TO_LINEAR[0x2a], -32256);
    }

    #[test]
    fn tables_are_odd_symmetric() {
        for b in 0..128usize {
            assert_eq!(ULAW_TO_LINEAR[b], -ULAW_TO_LINEAR[b | 0x80]);
            assert_eq!(ALAW_TO_LINEAR[b], -ALAW_TO_LINEAR[b | 0x80]);
        }
    }
}
