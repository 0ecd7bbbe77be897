//! `ToneGenerator`: dual-frequency tones and DTMF digits as a media port
//! (PJSUA2's `ToneGenerator`, pjmedia's `tonegen`).

use std::f64::consts::TAU;

use super::desc::{
    DEFAULT_VOLUME, MAX_TONES, TONE_ENABLE_FADE, ToneDesc, ToneDigit, ToneDigitMapDigit,
    default_digit_map,
};
use crate::port::{AudioFormat, FrameKind, MediaPort};

/// Fade-in length of a fading tone, ms (`PJMEDIA_TONEGEN_FADE_IN_TIME`).
const FADE_IN_MS: u64 = 1;
/// Fade-out length of a fading tone, ms (`PJMEDIA_TONEGEN_FADE_OUT_TIME`).
const FADE_OUT_MS: u64 = 2;

/// Why a tone generator refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToneError {
    /// `play` or `play_digits` with nothing to play.
    #[error("nothing to play")]
    Empty,
    /// More tones than a generator holds ([`MAX_TONES`]).
    #[error("{queued} tone(s) queued and {asked} more asked: at most {max} fit", max = MAX_TONES)]
    TooMany {
        /// Tones already queued.
        queued: usize,
        /// Tones asked for.
        asked: usize,
    },
    /// A digit the digit map does not hold.
    #[error("digit {0:?} is not in the digit map")]
    UnknownDigit(char),
    /// A format with no channel, no sample or a rate of 0.
    #[error("cannot generate tones as {0:?}")]
    BadFormat(AudioFormat),
}

/// Plays queued tones, then falls silent ([`FrameKind::None`]).
///
/// [`ToneGenerator::play`] and [`ToneGenerator::play_digits`] append to the
/// queue (at most [`MAX_TONES`]); the `looping` flag of the latest call
/// decides whether the queue starts over when it ends. Each tone is `on_msec`
/// of one or two sines (each at half the volume when two) followed by
/// `off_msec` of silence; tones with an off time fade in and out over 1 and
/// 2 ms. A generator holding one looping tone keeps its phase from pass to
/// pass, so a continuous tone (a dial tone) has no seam. Any clock rate and
/// channel count; every channel carries the same signal.
#[derive(Debug, Clone)]
pub struct ToneGenerator {
    format: AudioFormat,
    tones: Vec<ToneDesc>,
    current: usize,
    /// Samples (per channel) played of the current tone.
    position: u64,
    looping: bool,
    /// The oscillators must start from phase 0 at the next tone start.
    fresh: bool,
    phase1: f64,
    phase2: f64,
    digit_map: Vec<ToneDigitMapDigit>,
}

impl ToneGenerator {
    /// A generator at `clock_rate` with `channels`, 20 ms frames (PJSUA2's
    /// `createToneGenerator(clockRate=16000, channelCount=1)`).
    pub fn new(clock_rate: u32, channels: u16) -> Result<Self, ToneError> {
        Self::with_format(AudioFormat::new(clock_rate, channels, 20))
    }

    /// A generator producing frames of `format`.
    pub fn with_format(format: AudioFormat) -> Result<Self, ToneError> {
        if format.clock_rate == 0 || format.channels == 0 || format.samples_per_frame == 0 {
            return Err(ToneError::BadFormat(format));
        }
        Ok(Self {
            format,
            tones: Vec::new(),
            current: 0,
            position: 0,
            looping: false,
            fresh: true,
            phase1: 0.0,
            phase2: 0.0,
            digit_map: default_digit_map(),
        })
    }

    /// Queues `tones` after those still playing (PJSUA2's `play`).
    pub fn play(&mut self, tones: &[ToneDesc], looping: bool) -> Result<(), ToneError> {
        if tones.is_empty() {
            return Err(ToneError::Empty);
        }
        if self.tones.len() + tones.len() > MAX_TONES {
            return Err(ToneError::TooMany {
                queued: self.tones.len(),
                asked: tones.len(),
            });
        }
        self.looping = looping;
        self.tones.extend(tones.iter().map(|t| {
            let mut t = *t;
            t.volume = match t.volume {
                0 => DEFAULT_VOLUME,
                v => i16::try_from(v.unsigned_abs()).unwrap_or(i16::MAX),
            };
            if t.off_msec != 0 {
                t.flags |= TONE_ENABLE_FADE;
            }
            t
        }));
        Ok(())
    }

    /// Queues digits, translated through the digit map (PJSUA2's
    /// `playDigits`). Nothing is queued if one digit is unknown.
    pub fn play_digits(&mut self, digits: &[ToneDigit], looping: bool) -> Result<(), ToneError> {
        let tones = digits
            .iter()
            .map(|d| {
                let entry = self
                    .digit_map
                    .iter()
                    .find(|m| m.digit.eq_ignore_ascii_case(&d.digit))
                    .ok_or(ToneError::UnknownDigit(d.digit))?;
                Ok(ToneDesc {
                    freq1: entry.freq1,
                    freq2: entry.freq2,
                    on_msec: d.on_msec,
                    off_msec: d.off_msec,
                    volume: d.volume,
                    flags: 0,
                })
            })
            .collect::<Result<Vec<_>, ToneError>>()?;
        self.play(&tones, looping)
    }

    /// Drops every queued tone (PJSUA2's `stop`).
    pub fn stop(&mut self) {
        self.tones.clear();
        self.current = 0;
        self.position = 0;
        self.fresh = true;
    }

    /// Starts the queue again from its first tone (PJSUA2's `rewind`).
    pub fn rewind(&mut self) {
        self.current = 0;
        self.position = 0;
        self.fresh = true;
    }

    /// True while tones remain to be played (PJSUA2's `isBusy`).
    pub fn is_busy(&self) -> bool {
        !self.tones.is_empty()
    }

    /// The digit map `play_digits` uses (PJSUA2's `getDigitMap`).
    pub fn digit_map(&self) -> &[ToneDigitMapDigit] {
        &self.digit_map
    }

    /// Replaces the digit map (PJSUA2's `setDigitMap`).
    pub fn set_digit_map(&mut self, map: Vec<ToneDigitMapDigit>) {
        self.digit_map = map;
    }

    fn samples_of(&self, msec: u16) -> u64 {
        u64::from(msec) * u64::from(self.format.clock_rate) / 1000
    }

    /// After the current tone: the next one, starting over or stopping at
    /// the end of the queue. Skips tones without samples; stops if none
    /// has any.
    fn advance(&mut self) {
        for _ in 0..=self.tones.len() {
            self.current += 1;
            self.position = 0;
            if self.tones.len() > 1 {
                self.fresh = true;
            }
            if self.current >= self.tones.len() {
                if !self.looping {
                    self.stop();
                    return;
                }
                self.current = 0;
            }
            let t = self.tones[self.current];
            if self.samples_of(t.on_msec) + self.samples_of(t.off_msec) > 0 {
                return;
            }
        }
        self.stop();
    }

    /// Writes `count` frames of the current tone from `self.position` into
    /// `out` (interleaved).
    fn render(&mut self, out: &mut [i16], count: usize) {
        let tone = self.tones[self.current];
        let channels = usize::from(self.format.channels);
        let rate = f64::from(self.format.clock_rate);
        let on = self.samples_of(tone.on_msec);
        let fade = tone.flags & TONE_ENABLE_FADE != 0;
        let fade_in = FADE_IN_MS * u64::from(self.format.clock_rate) / 1000;
        let fade_out = FADE_OUT_MS * u64::from(self.format.clock_rate) / 1000;
        if self.position == 0 && self.fresh {
            self.phase1 = 0.0;
            self.phase2 = 0.0;
            self.fresh = false;
        }
        let step1 = f64::from(tone.freq1) / rate;
        let step2 = f64::from(tone.freq2) / rate;
        let volume = f64::from(tone.volume);
        for (k, frame) in out.chunks_exact_mut(channels).take(count).enumerate() {
            let p = self.position + k as u64;
            let value = if p < on {
                let mut v = (TAU * self.phase1).sin();
                self.phase1 = (self.phase1 + step1).fract();
                if tone.freq2 != 0 {
                    v = 0.5 * (v + (TAU * self.phase2).sin());
                    self.phase2 = (self.phase2 + step2).fract();
                }
                let mut gain = 1.0;
                if fade {
                    if p < fade_in {
                        gain = p as f64 / fade_in as f64;
                    }
                    let left = on - 1 - p;
                    if left < fade_out {
                        gain = gain.min(left as f64 / fade_out as f64);
                    }
                }
                (volume * gain * v).round() as i16
            } else {
                0
            };
            frame.fill(value);
        }
        self.position += count as u64;
    }
}

impl MediaPort for ToneGenerator {
    fn format(&self) -> AudioFormat {
        self.format
    }

    fn get_frame(&mut self, out: &mut [i16]) -> FrameKind {
        if self.tones.is_empty() {
            out.fill(0);
            return FrameKind::None;
        }
        let channels = usize::from(self.format.channels);
        let frames = out.len() / channels;
        let mut done = 0;
        while done < frames && !self.tones.is_empty() {
            let tone = self.tones[self.current];
            let total = self.samples_of(tone.on_msec) + self.samples_of(tone.off_msec);
            let left = total.saturating_sub(self.position);
            if left == 0 {
                self.advance();
                continue;
            }
            let count = left.min((frames - done) as u64) as usize;
            self.render(&mut out[done * channels..], count);
            done += count;
            if self.position >= total {
                self.advance();
            }
        }
        out[done * channels..].fill(0);
        if done == 0 {
            FrameKind::None
        } else {
            FrameKind::Audio
        }
    }

    fn put_frame(&mut self, _frame: &[i16]) {}
}
