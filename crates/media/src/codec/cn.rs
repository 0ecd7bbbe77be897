//! RFC 3389 comfort noise (payload type 13, `CN/8000`).
//!
//! The payload is one byte of noise level in −dBov (0 to 127: 0 dBov is
//! the level of a full-scale square wave, an RMS of 32767), optionally
//! followed by quantised reflection coefficients of an all-pole model of
//! the noise's spectrum (byte `q` stands for `(q − 127) / 128`).
//!
//! [`silence_level`] measures what to send for a frame of background
//! noise, [`encode_level`] makes the payload, and [`ComfortNoise`] plays
//! back a received payload as noise of that level and spectrum.

use super::CodecError;

/// The static payload type of CN (RFC 3551).
pub const PAYLOAD_TYPE: u8 = 13;

/// Reflection coefficients beyond this many are ignored.
pub const MAX_ORDER: usize = 32;

/// What a CN payload says.
#[derive(Debug, Clone, PartialEq)]
pub struct CnParams {
    /// Noise level in −dBov (0–127).
    pub level: u8,
    /// Reflection coefficients, each in (−1, 1) (at most [`MAX_ORDER`]).
    pub reflection: Vec<f32>,
}

impl CnParams {
    /// Reads a CN payload.
    pub fn parse(payload: &[u8]) -> Result<Self, CodecError> {
        let (&first, rest) = payload.split_first().ok_or(CodecError::MalformedPayload(
            "an empty comfort noise payload",
        ))?;
        Ok(Self {
            // The most significant bit is unused.
            level: first & 0x7F,
            reflection: rest
                .iter()
                .take(MAX_ORDER)
                .map(|&q| ((f32::from(q) - 127.0) / 128.0).clamp(-0.99, 0.99))
                .collect(),
        })
    }

    /// The noise's RMS on the 16-bit scale.
    pub fn rms(&self) -> f32 {
        rms_of_level(self.level)
    }
}

/// The RMS, on the 16-bit scale, of noise at `level` −dBov.
pub fn rms_of_level(level: u8) -> f32 {
    32767.0 * 10f32.powf(-f32::from(level.min(127)) / 20.0)
}

/// The level in −dBov (0–127) of a frame: its RMS against full scale.
pub fn silence_level(pcm: &[i16]) -> u8 {
    if pcm.is_empty() {
        return 127;
    }
    let mean_square = pcm
        .iter()
        .map(|&s| f64::from(s) * f64::from(s))
        .sum::<f64>()
        / pcm.len() as f64;
    if mean_square <= 0.0 {
        return 127;
    }
    let db = -10.0 * (mean_square / (32767.0f64 * 32767.0)).log10();
    // Clamped to 0..=127, so the conversion is exact.
    db.round().clamp(0.0, 127.0) as u8
}

/// A CN payload saying `level` (no spectral information).
pub fn encode_level(level: u8) -> [u8; 1] {
    [level.min(127)]
}

/// Plays comfort noise as the last CN payload describes it.
///
/// The noise is white noise from a seeded generator (no OS randomness:
/// the same seed gives the same noise), shaped by the payload's
/// reflection coefficients through a lattice filter and scaled so that its
/// RMS is the payload's level.
#[derive(Debug, Clone)]
pub struct ComfortNoise {
    state: u64,
    reflection: Vec<f32>,
    /// Backward prediction errors of the lattice stages, one sample ago.
    lattice: Vec<f32>,
    gain: f32,
}

impl ComfortNoise {
    /// A generator with the random `seed`, silent until told a level.
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed | 1,
            reflection: Vec::new(),
            lattice: Vec::new(),
            gain: 0.0,
        }
    }

    /// Takes a received CN payload.
    pub fn handle_payload(&mut self, payload: &[u8]) -> Result<(), CodecError> {
        self.set(&CnParams::parse(payload)?);
        Ok(())
    }

    /// Sets level and spectrum.
    pub fn set(&mut self, params: &CnParams) {
        if params.reflection != self.reflection {
            self.reflection.clone_from(&params.reflection);
            self.lattice = vec![0.0; self.reflection.len()];
        }
        // White noise through the all-pole filter gains 1/Π(1 − k²) in
        // power; uniform noise in [−1, 1) has an RMS of 1/√3.
        let prediction_gain: f32 = self.reflection.iter().map(|k| 1.0 - k * k).product();
        self.gain = params.rms() * prediction_gain.sqrt() * 3f32.sqrt();
    }

    /// Fills `out` with noise.
    pub fn generate(&mut self, out: &mut [i16]) {
        for o in out {
            let mut f = self.white() * self.gain;
            // All-pole lattice, from the last stage to the first; slot m
            // holds the backward error of stage m one sample ago.
            let order = self.reflection.len();
            for m in (0..order).rev() {
                let k = self.reflection[m];
                let b_prev = self.lattice[m];
                f -= k * b_prev;
                if m + 1 < order {
                    self.lattice[m + 1] = k * f + b_prev;
                }
            }
            if let Some(first) = self.lattice.first_mut() {
                *first = f;
            }
            // `as` saturates.
            *o = f.round() as i16;
        }
    }

    /// Uniform in [−1, 1) (xorshift64*).
    fn white(&mut self) -> f32 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let x = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}
