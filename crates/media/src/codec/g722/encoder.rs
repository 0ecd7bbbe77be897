//! The G.722 encoder: transmit QMF, then ADPCM in each sub-band.

use super::band::Band;
use super::tables::{IHN, IHP, ILN, ILP, Q6, QM2, QM4, QMF, RH2, RL42, WH, WL};

/// G.722 encoder state (64 kbit/s mode).
#[derive(Debug, Clone)]
pub struct Encoder {
    /// The last 24 input samples, newest last.
    x: [i32; 24],
    low: Band,
    high: Band,
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Encoder {
    /// An encoder in its reset state.
    pub fn new() -> Self {
        Self::with_scale_factors(32, 8)
    }

    /// An encoder whose initial scale factors are `low` and `high` instead
    /// of the standard's 32 and 8: only for comparing with implementations
    /// that reset differently.
    #[doc(hidden)]
    pub fn with_scale_factors(low: i32, high: i32) -> Self {
        Self {
            x: [0; 24],
            low: Band::new(low),
            high: Band::new(high),
        }
    }

    /// Encodes two 14-bit samples (the earlier first) into one code byte.
    pub fn encode_pair(&mut self, s0: i32, s1: i32) -> u8 {
        let (xlow, xhigh) = self.qmf(s0, s1);
        let ilow = self.encode_low(xlow);
        let ihigh = self.encode_high(xhigh);
        ((ihigh << 6) | ilow) as u8
    }

    /// Transmit QMF: splits two input samples into one lower and one higher
    /// sub-band sample.
    fn qmf(&mut self, s0: i32, s1: i32) -> (i32, i32) {
        self.x.copy_within(2.., 0);
        self.x[22] = s0;
        self.x[23] = s1;
        // h(2i) weighs the later sample of the pair i pairs back, h(2i+1)
        // the earlier one.
        let (mut even, mut odd) = (0, 0);
        for i in 0..12 {
            even += self.x[23 - 2 * i] * QMF[2 * i];
            odd += self.x[22 - 2 * i] * QMF[2 * i + 1];
        }
        let low = ((even + odd) >> 13).clamp(-16384, 16383);
        let high = ((even - odd) >> 13).clamp(-16384, 16383);
        (low, high)
    }

    fn encode_low(&mut self, xlow: i32) -> i32 {
        let band = &mut self.low;
        // SUBTRA, QUANTL
        let el = (xlow - band.s).clamp(-32768, 32767);
        let magnitude = if el >= 0 { el } else { -(el + 1) };
        let mut i = 1;
        while i < 30 && magnitude >= (Q6[i] * band.det) >> 12 {
            i += 1;
        }
        let ilow = if el < 0 { ILN[i] } else { ILP[i] };
        // INVQAL with the scale factor before adaptation.
        let ril = (ilow >> 2) as usize;
        let dlow = (band.det * QM4[ril]) >> 15;
        band.adapt_scale(WL[RL42[ril]], 18432, 8);
        band.update(dlow);
        ilow
    }

    fn encode_high(&mut self, xhigh: i32) -> i32 {
        let band = &mut self.high;
        // SUBTRA, QUANTH
        let eh = (xhigh - band.s).clamp(-32768, 32767);
        let magnitude = if eh >= 0 { eh } else { -(eh + 1) };
        let mih = if magnitude >= (564 * band.det) >> 12 {
            2
        } else {
            1
        };
        let ihigh = if eh < 0 { IHN[mih] } else { IHP[mih] };
        // INVQAH
        let dhigh = (band.det * QM2[ihigh as usize]) >> 15;
        band.adapt_scale(WH[RH2[ihigh as usize]], 22528, 10);
        band.update(dhigh);
        ihigh
    }
}
