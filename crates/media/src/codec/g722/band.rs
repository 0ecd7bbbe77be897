//! One sub-band's adaptive predictor and scale factor (ITU-T G.722
//! blocks 3 and 4), the state shared by encoder and decoder.

use super::tables::ILB;

fn saturate(v: i32) -> i32 {
    v.clamp(i32::from(i16::MIN), i32::from(i16::MAX))
}

/// The state of one sub-band's ADPCM.
#[derive(Debug, Clone)]
pub(super) struct Band {
    /// Predicted signal (PREDIC).
    pub(super) s: i32,
    /// Pole section output (FILTEP).
    sp: i32,
    /// Zero section output (FILTEZ).
    sz: i32,
    /// Reconstructed signal, now and the two before.
    r: [i32; 3],
    /// Pole coefficients a1, a2 (index 0 unused).
    a: [i32; 3],
    /// Partially reconstructed signal, now and the two before.
    p: [i32; 3],
    /// Quantised difference signal, now and the six before.
    d: [i32; 7],
    /// Zero coefficients b1..b6 (index 0 unused).
    b: [i32; 7],
    /// Log scale factor (LOGSCL/LOGSCH).
    nb: i32,
    /// Scale factor (SCALEL/SCALEH).
    pub(super) det: i32,
}

impl Band {
    /// A band in its reset state, with the initial scale factor.
    pub(super) fn new(det: i32) -> Self {
        Self {
            s: 0,
            sp: 0,
            sz: 0,
            r: [0; 3],
            a: [0; 3],
            p: [0; 3],
            d: [0; 7],
            b: [0; 7],
            nb: 0,
            det,
        }
    }

    /// LOGSCL/LOGSCH then SCALEL/SCALEH: adapts the scale factor with the
    /// multiplier `w`, the log scale factor limited to `nb_max`, `shift`
    /// being 8 for the lower band and 10 for the higher.
    pub(super) fn adapt_scale(&mut self, w: i32, nb_max: i32, shift: i32) {
        self.nb = (((self.nb * 127) >> 7) + w).clamp(0, nb_max);
        let fraction = ((self.nb >> 6) & 31) as usize;
        let exponent = shift - (self.nb >> 11);
        let scale = if exponent < 0 {
            ILB[fraction] << -exponent
        } else {
            ILB[fraction] >> exponent
        };
        self.det = scale << 2;
    }

    /// Block 4: reconstructs, adapts the pole and zero predictor with the
    /// quantised difference `d`, and computes the next prediction.
    pub(super) fn update(&mut self, d: i32) {
        // RECONS, PARREC
        self.d[0] = d;
        self.r[0] = saturate(self.s + d);
        self.p[0] = saturate(self.sz + d);

        // UPPOL2: second pole coefficient.
        let sg0 = self.p[0] >> 15;
        let sg1 = self.p[1] >> 15;
        let sg2 = self.p[2] >> 15;
        let wd1 = saturate(self.a[1] << 2);
        let wd2 = (if sg0 == sg1 { -wd1 } else { wd1 }).min(32767);
        let wd3 = (wd2 >> 7) + if sg0 == sg2 { 128 } else { -128 } + ((self.a[2] * 32512) >> 15);
        let a2 = wd3.clamp(-12288, 12288);

        // UPPOL1: first pole coefficient, limited by the second.
        let wd1 = if sg0 == sg1 { 192 } else { -192 };
        let limit = saturate(15360 - a2);
        let a1 = saturate(wd1 + ((self.a[1] * 32640) >> 15)).clamp(-limit, limit);

        // UPZERO: zero coefficients, from the differences before DELAYA.
        let step = if d == 0 { 0 } else { 128 };
        let sg_d = d >> 15;
        for (b, &di) in self.b[1..].iter_mut().zip(&self.d[1..]) {
            let wd2 = if di >> 15 == sg_d { step } else { -step };
            *b = saturate(wd2 + ((*b * 32640) >> 15));
        }

        // DELAYA
        self.d.copy_within(0..6, 1);
        self.r.copy_within(0..2, 1);
        self.p.copy_within(0..2, 1);
        self.a[1] = a1;
        self.a[2] = a2;

        // FILTEP
        let wd1 = (self.a[1] * saturate(self.r[1] + self.r[1])) >> 15;
        let wd2 = (self.a[2] * saturate(self.r[2] + self.r[2])) >> 15;
        self.sp = saturate(wd1 + wd2);

        // FILTEZ, accumulated with saturation at every step as the
        // standard's 16-bit arithmetic does.
        let mut sz = 0;
        for i in (1..7).rev() {
            sz = saturate(sz + ((self.b[i] * saturate(self.d[i] + self.d[i])) >> 15));
        }
        self.sz = sz;

        // PREDIC
        self.s = saturate(self.sp + self.sz);
    }
}
