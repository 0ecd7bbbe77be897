//! The G.722 decoder: ADPCM in each sub-band, then receive QMF.

use super::band::Band;
use super::tables::{QM2, QM4, QM6, QMF, RH2, RL42, WH, WL};

/// G.722 decoder state (64 kbit/s mode).
#[derive(Debug, Clone)]
pub struct Decoder {
    /// Differences rL − rH, newest last.
    xd: [i32; 12],
    /// Sums rL + rH, newest last.
    xs: [i32; 12],
    low: Band,
    high: Band,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder in its reset state.
    pub fn new() -> Self {
        Self::with_scale_factors(32, 8)
    }

    /// A decoder whose initial scale factors are `low` and `high` instead
    /// of the standard's 32 and 8: only for comparing with implementations
    /// that reset differently.
    #[doc(hidden)]
    pub fn with_scale_factors(low: i32, high: i32) -> Self {
        Self {
            xd: [0; 12],
            xs: [0; 12],
            low: Band::new(low),
            high: Band::new(high),
        }
    }

    /// Decodes one code byte into two 14-bit samples (the earlier first).
    pub fn decode_byte(&mut self, code: u8) -> (i32, i32) {
        let rlow = self.decode_low(i32::from(code & 0x3F));
        let rhigh = self.decode_high(i32::from(code >> 6));
        self.qmf(rlow, rhigh)
    }

    fn decode_low(&mut self, ilow: i32) -> i32 {
        let band = &mut self.low;
        // INVQBL (6-bit), RECONS, LIMIT
        let ylow = (band.det * QM6[ilow as usize]) >> 15;
        let rlow = (band.s + ylow).clamp(-16384, 16383);
        // INVQAL (4-bit) for the predictor.
        let ril = (ilow >> 2) as usize;
        let dlow = (band.det * QM4[ril]) >> 15;
        band.adapt_scale(WL[RL42[ril]], 18432, 8);
        band.update(dlow);
        rlow
    }

    fn decode_high(&mut self, ihigh: i32) -> i32 {
        let band = &mut self.high;
        // INVQAH, RECONS, LIMIT
        let dhigh = (band.det * QM2[ihigh as usize]) >> 15;
        let rhigh = (band.s + dhigh).clamp(-16384, 16383);
        band.adapt_scale(WH[RH2[ihigh as usize]], 22528, 10);
        band.update(dhigh);
        rhigh
    }

    /// Receive QMF: two output samples from one sample of each sub-band.
    fn qmf(&mut self, rlow: i32, rhigh: i32) -> (i32, i32) {
        self.xd.copy_within(1.., 0);
        self.xs.copy_within(1.., 0);
        self.xd[11] = (rlow - rhigh).clamp(-16384, 16383);
        self.xs[11] = (rlow + rhigh).clamp(-16384, 16383);
        let (mut first, mut second) = (0, 0);
        for i in 0..12 {
            first += self.xd[11 - i] * QMF[2 * i];
            second += self.xs[11 - i] * QMF[2 * i + 1];
        }
        (
            (first >> 12).clamp(-16384, 16383),
            (second >> 12).clamp(-16384, 16383),
        )
    }
}
