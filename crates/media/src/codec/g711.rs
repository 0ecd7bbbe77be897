//! ITU-T G.711: µ-law (PCMU) and A-law (PCMA).
//!
//! The mapping is the one of ITU-T G.191's reference implementation of
//! G.711: 16-bit samples are reduced to the law's 14-bit (µ-law) or 13-bit
//! (A-law) range, negative values by one's complement so that the
//! quantiser is symmetric about −½. Decoding gives the middle of each
//! quantisation interval. Encoding is computed (a few integer operations),
//! decoding is a table built at compile time.

use super::desc::{CodecDesc, PCMA, PCMU};
use super::plc::Plc;
use super::{Codec, CodecError};
use crate::port::AudioFormat;

/// Encodes one 16-bit sample to µ-law.
pub const fn linear_to_ulaw(x: i16) -> u8 {
    // 14-bit magnitude; negatives by one's complement (G.191).
    let (mag, sign) = if x < 0 {
        ((!x as i32) >> 2, 0x00)
    } else {
        ((x as i32) >> 2, 0x80)
    };
    let mut biased = mag + 33;
    if biased > 0x1FFF {
        biased = 0x1FFF;
    }
    // Segment: 1 + bit length of biased >> 6 (1..=8).
    let segment = 1 + (32 - ((biased >> 6) as u32).leading_zeros()) as i32;
    let high = 8 - segment;
    let low = 15 - ((biased >> segment) & 0x0F);
    ((high << 4) | low | sign) as u8
}

/// Decodes one µ-law byte to a 16-bit sample.
pub const fn ulaw_to_linear(code: u8) -> i16 {
    ULAW_TABLE[code as usize]
}

/// Encodes one 16-bit sample to A-law.
pub const fn linear_to_alaw(x: i16) -> u8 {
    // 12-bit magnitude; negatives by one's complement (G.191).
    let mut ix = if x < 0 {
        (!x as i32) >> 4
    } else {
        (x as i32) >> 4
    };
    if ix > 15 {
        // Exponent 1..=7 from the bit length; mantissa without its leading 1.
        let exponent = (32 - (ix as u32).leading_zeros()) as i32 - 4;
        ix = (ix >> (exponent - 1)) - 16 + (exponent << 4);
    }
    if x >= 0 {
        ix |= 0x80;
    }
    (ix ^ 0x55) as u8
}

/// Decodes one A-law byte to a 16-bit sample.
pub const fn alaw_to_linear(code: u8) -> i16 {
    ALAW_TABLE[code as usize]
}

const fn ulaw_expand(code: u8) -> i16 {
    let inverted = !code;
    let exponent = ((inverted >> 4) & 0x07) as i32;
    let mantissa = (inverted & 0x0F) as i32;
    let step = 4 << (exponent + 1);
    let magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
    if code < 0x80 {
        -magnitude as i16
    } else {
        magnitude as i16
    }
}

const fn alaw_expand(code: u8) -> i16 {
    let ix = (code ^ 0x55) & 0x7F;
    let exponent = (ix >> 4) as i32;
    let mut mantissa = (ix & 0x0F) as i32;
    if exponent > 0 {
        mantissa += 16;
    }
    mantissa = (mantissa << 4) + 8;
    if exponent > 1 {
        mantissa <<= exponent - 1;
    }
    if code > 127 {
        mantissa as i16
    } else {
        -mantissa as i16
    }
}

const fn table(law: Law) -> [i16; 256] {
    let mut t = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match law {
            Law::Mu => ulaw_expand(i as u8),
            Law::A => alaw_expand(i as u8),
        };
        i += 1;
    }
    t
}

static ULAW_TABLE: [i16; 256] = table(Law::Mu);
static ALAW_TABLE: [i16; 256] = table(Law::A);

/// Which G.711 law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// µ-law (PCMU), North America and Japan.
    Mu,
    /// A-law (PCMA), elsewhere.
    A,
}

/// A G.711 encoder/decoder pair with loss concealment.
#[derive(Debug, Clone)]
pub struct G711 {
    law: Law,
    format: AudioFormat,
    plc: Option<Plc>,
}

impl G711 {
    /// A codec for `law` whose packets last `ptime_ms`, with loss
    /// concealment if `plc`.
    pub fn new(law: Law, ptime_ms: u32, plc: bool) -> Self {
        Self {
            law,
            format: AudioFormat::new(8000, 1, ptime_ms),
            plc: plc.then(|| Plc::new(8000, 1)),
        }
    }
}

impl Codec for G711 {
    fn desc(&self) -> &CodecDesc {
        match self.law {
            Law::Mu => &PCMU,
            Law::A => &PCMA,
        }
    }

    fn format(&self) -> AudioFormat {
        self.format
    }

    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<usize, CodecError> {
        match self.law {
            Law::Mu => out.extend(pcm.iter().map(|&s| linear_to_ulaw(s))),
            Law::A => out.extend(pcm.iter().map(|&s| linear_to_alaw(s))),
        }
        Ok(pcm.len())
    }

    fn decoded_len(&self, payload: &[u8]) -> Result<usize, CodecError> {
        Ok(payload.len())
    }

    fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
        let out = super::output(out, payload.len())?;
        let table = match self.law {
            Law::Mu => &ULAW_TABLE,
            Law::A => &ALAW_TABLE,
        };
        for (o, &b) in out.iter_mut().zip(payload) {
            *o = table[usize::from(b)];
        }
        if let Some(plc) = &mut self.plc {
            plc.good_frame(out);
        }
        Ok(out.len())
    }

    fn conceal(&mut self, out: &mut [i16]) {
        match &mut self.plc {
            Some(plc) => plc.conceal(out),
            None => out.fill(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        // Digital silence and the extremes, as every G.711 table has them.
        assert_eq!(linear_to_ulaw(0), 0xFF);
        assert_eq!(linear_to_ulaw(-1), 0x7F);
        assert_eq!(linear_to_ulaw(i16::MAX), 0x80);
        assert_eq!(linear_to_ulaw(i16::MIN), 0x00);
        assert_eq!(ulaw_to_linear(0x80), 32124);
        assert_eq!(ulaw_to_linear(0x00), -32124);
        assert_eq!(linear_to_alaw(0), 0xD5);
        assert_eq!(linear_to_alaw(-1), 0x55);
        assert_eq!(alaw_to_linear(0xD5), 8);
        assert_eq!(alaw_to_linear(0xAA), 32256);
        assert_eq!(alaw_to_linear(0x2A), -32256);
    }

    #[test]
    fn decoding_then_encoding_is_the_identity() {
        for code in 0..=255u8 {
            // µ-law has two zeros (0x7F, 0xFF); both decode to 0.
            if code != 0x7F {
                assert_eq!(linear_to_ulaw(ulaw_to_linear(code)), code, "µ {code:#x}");
            }
            assert_eq!(linear_to_alaw(alaw_to_linear(code)), code, "A {code:#x}");
        }
    }
}
