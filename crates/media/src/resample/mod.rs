//! Rational-ratio sample-rate conversion with a polyphase windowed-sinc
//! FIR filter, the converter between a port's clock rate and the bridge's.
//!
//! Converting from rate `F` to rate `T` is upsampling by `L = T / g` and
//! downsampling by `M = F / g` (`g` their greatest common divisor): the
//! input is conceptually zero-stuffed to `L · F`, low-pass filtered below
//! the lower of the two Nyquist frequencies, and every `M`-th sample kept.
//! Only the kept samples are computed, each from one of the filter's `L`
//! phases, so an output sample costs one dot product of `taps` input
//! samples — 32 multiply-adds per output sample at 8 ↔ 16 kHz.
//!
//! The filter (a Kaiser-windowed sinc, ~80 dB stop band, pass band to 90 %
//! of the lower Nyquist frequency) depends only on the rate pair, so it is
//! computed once per pair and shared ([`FilterBank::for_rates`]): a call's
//! two streams cost two small state buffers, not two filter designs.
//!
//! The delay is half the filter (16 input samples at 8 kHz: 2 ms). Rate
//! pairs whose `L` is unreasonably large (coprime rates such as 44 101 and
//! 16 000 Hz) are not handled here: [`FilterBank::for_rates`] returns
//! `None` and the caller uses an approximate resampler instead.

mod design;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

pub use design::kaiser_beta;

/// Largest number of filter phases (`L`) a bank is built for: 640 covers
/// every pair of the usual rates (8, 11.025, 16, 22.05, 32, 44.1, 48 kHz).
pub const MAX_PHASES: u32 = 640;

/// Filter taps per phase, in samples of the slower of the two rates.
const TAPS_AT_LOWER_RATE: usize = 32;

/// Most taps per phase (in input samples) a bank is built with: a
/// decimation by more than 128 (say a file claiming a rate of megahertz)
/// is left to the approximate resampler.
const MAX_TAPS: usize = TAPS_AT_LOWER_RATE * 128;

/// Rate pairs whose banks are kept once designed.
const MAX_CACHED_BANKS: usize = 32;

type Banks = Mutex<HashMap<(u32, u32), Arc<FilterBank>>>;

/// Taps per phase counted in input samples: a decimating filter must span
/// as much time as an interpolating one at the lower rate.
/// Rounded up to a multiple of 8 (the rows are padded with zeros at the
/// oldest end), so dot products run in whole vector lanes.
fn taps_for(up: usize, down: usize) -> usize {
    let taps = if up >= down {
        TAPS_AT_LOWER_RATE
    } else {
        (TAPS_AT_LOWER_RATE * down).div_ceil(up)
    };
    taps.div_ceil(8) * 8
}

/// The polyphase filter for one rate pair: `phases` rows of `taps`
/// coefficients, each row stored oldest-input-first so an output sample is
/// a plain dot product with the newest `taps` input samples.
#[derive(Debug)]
pub struct FilterBank {
    from_rate: u32,
    to_rate: u32,
    /// `L`: output rate / gcd.
    up: usize,
    /// `M`: input rate / gcd.
    down: usize,
    taps: usize,
    /// `down / up` and `down % up`: how far the input moves per output.
    step_whole: usize,
    step_fraction: usize,
    coefficients: Vec<f32>,
}

impl FilterBank {
    /// The shared filter bank converting `from_rate` to `to_rate`, designed
    /// on first use. `None` when the rates are equal, zero, need more than
    /// [`MAX_PHASES`] phases, or decimate by more than 128.
    pub fn for_rates(from_rate: u32, to_rate: u32) -> Option<Arc<Self>> {
        if from_rate == 0 || to_rate == 0 || from_rate == to_rate {
            return None;
        }
        let g = gcd(from_rate, to_rate);
        let (up, down) = (to_rate / g, from_rate / g);
        if up > MAX_PHASES || taps_for(up as usize, down as usize) > MAX_TAPS {
            return None;
        }
        static BANKS: OnceLock<Banks> = OnceLock::new();
        let banks = BANKS.get_or_init(Mutex::default);
        let mut banks = banks.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bank) = banks.get(&(from_rate, to_rate)) {
            return Some(Arc::clone(bank));
        }
        let bank = Arc::new(Self::design(from_rate, to_rate));
        // Files can have any rate: past a few dozen pairs, banks are made
        // per converter rather than kept for ever.
        if banks.len() < MAX_CACHED_BANKS {
            banks.insert((from_rate, to_rate), Arc::clone(&bank));
        }
        Some(bank)
    }

    fn design(from_rate: u32, to_rate: u32) -> Self {
        let g = gcd(from_rate, to_rate);
        let up = (to_rate / g) as usize;
        let down = (from_rate / g) as usize;
        let taps = taps_for(up, down);
        let coefficients = design::polyphase(up, down, taps);
        Self {
            from_rate,
            to_rate,
            up,
            down,
            taps,
            step_whole: down / up,
            step_fraction: down % up,
            coefficients,
        }
    }

    /// The input rate.
    pub fn from_rate(&self) -> u32 {
        self.from_rate
    }

    /// The output rate.
    pub fn to_rate(&self) -> u32 {
        self.to_rate
    }

    /// Input samples each output sample reads.
    pub fn taps(&self) -> usize {
        self.taps
    }

    fn phase(&self, p: usize) -> &[f32] {
        &self.coefficients[p * self.taps..(p + 1) * self.taps]
    }
}

/// One stream of samples (one or more interleaved channels) through a
/// [`FilterBank`], keeping the filter's history between calls.
#[derive(Debug)]
pub struct PolyphaseResampler {
    bank: Arc<FilterBank>,
    channels: usize,
    /// Per channel: the last `taps - 1` input samples, then the new ones.
    history: Vec<Vec<f32>>,
    /// Phase of the next output sample, `0..L`.
    phase: usize,
    /// Index in `history` of the newest input sample the next output
    /// sample reads, less `taps - 1`.
    start: usize,
    /// The processor's vector instruction sets.
    arch: pulp::Arch,
}

impl PolyphaseResampler {
    /// A resampler for `channels` interleaved channels through `bank`.
    pub fn new(bank: Arc<FilterBank>, channels: usize) -> Self {
        let channels = channels.max(1);
        let taps = bank.taps;
        Self {
            bank,
            channels,
            history: vec![vec![0.0; taps - 1]; channels],
            phase: 0,
            start: 0,
            arch: pulp::Arch::new(),
        }
    }

    /// The filter bank in use.
    pub fn bank(&self) -> &Arc<FilterBank> {
        &self.bank
    }

    /// Most output frames one call of [`process`](Self::process) with
    /// `input_frames` frames can produce.
    pub fn max_output_frames(&self, input_frames: usize) -> usize {
        (input_frames * self.bank.up).div_ceil(self.bank.down) + 1
    }

    /// Converts `input` (interleaved, whole frames) and appends the output
    /// frames (interleaved) to `output`; returns how many frames came out.
    pub fn process(&mut self, input: &[f32], output: &mut Vec<f32>) -> usize {
        let channels = self.channels;
        let frames_in = input.len() / channels;
        if channels == 1 {
            self.history[0].extend_from_slice(input);
        } else {
            for (c, hist) in self.history.iter_mut().enumerate() {
                hist.extend(input.iter().skip(c).step_by(channels).take(frames_in));
            }
        }
        let available = self.history[0].len();
        let first = output.len();
        // The loop is compiled for the widest vector instructions this
        // processor has (AVX2 with FMA where there is), chosen at run time.
        let arch = self.arch;
        let produced = arch.dispatch(Filter {
            resampler: self,
            available,
            output,
        });
        debug_assert_eq!(output.len() - first, produced * channels);
        // Keep only what later output samples can still read.
        let consumed = self.start.min(available);
        for hist in &mut self.history {
            hist.drain(..consumed);
        }
        self.start -= consumed;
        produced
    }

    /// Computes every output sample the first `available` history samples
    /// allow; returns how many frames.
    #[inline(always)]
    fn filter(&mut self, available: usize, output: &mut Vec<f32>) -> usize {
        let mut produced = 0;
        if self.bank.down == 1 && self.channels == 1 {
            produced += self.upsample_in_blocks(available, output);
        }
        let bank = &*self.bank;
        let taps = bank.taps;
        while self.start + taps <= available {
            let coefficients = bank.phase(self.phase);
            for hist in &self.history {
                output.push(dot(coefficients, &hist[self.start..self.start + taps]));
            }
            produced += 1;
            // Advance by down/up input samples, without a division.
            self.phase += bank.step_fraction;
            self.start += bank.step_whole;
            if self.phase >= bank.up {
                self.phase -= bank.up;
                self.start += 1;
            }
        }
        produced
    }
}

/// The filtering loop as a [`pulp::WithSimd`] operation: its body is
/// inlined into a function compiled for the instruction set `pulp`
/// detected, so the compiler vectorizes it with the widest registers.
struct Filter<'a> {
    resampler: &'a mut PolyphaseResampler,
    available: usize,
    output: &'a mut Vec<f32>,
}

impl pulp::WithSimd for Filter<'_> {
    type Output = usize;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> usize {
        self.resampler.filter(self.available, self.output)
    }
}

impl PolyphaseResampler {
    /// Integer upsampling of one channel, eight input positions at a time:
    /// each phase's eight outputs are eight lanes of one accumulator (one
    /// multiply-add per tap for eight outputs, no horizontal sums). Leaves
    /// the last positions (fewer than eight, or the history's end) to the
    /// sample-by-sample loop; the phase is 0 before and after.
    #[inline(always)]
    fn upsample_in_blocks(&mut self, available: usize, output: &mut Vec<f32>) -> usize {
        const LANES: usize = 8;
        let bank = &*self.bank;
        let (taps, up) = (bank.taps, bank.up);
        let history = &self.history[0];
        let mut produced = 0;
        while self.start + taps + LANES - 1 <= available {
            let base = output.len();
            output.resize(base + LANES * up, 0.0);
            for p in 0..up {
                let mut acc = [0.0f32; LANES];
                for (t, &c) in bank.phase(p).iter().enumerate() {
                    let x = &history[self.start + t..self.start + t + LANES];
                    for j in 0..LANES {
                        acc[j] += c * x[j];
                    }
                }
                for (j, v) in acc.iter().enumerate() {
                    output[base + j * up + p] = *v;
                }
            }
            self.start += LANES;
            produced += LANES * up;
        }
        produced
    }
}

/// Dot product in eight independent lanes, which the compiler vectorizes
/// (filter rows are padded to whole lanes).
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    (lanes[0] + lanes[4]) + (lanes[1] + lanes[5]) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]))
}

/// Greatest common divisor of two rates.
pub(crate) fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests;
