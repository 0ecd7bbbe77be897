//! The adaptive silence detector.
//!
//! Written from the behaviour pjmedia documents for its `silencedet`
//! (adaptive by default, a fixed-threshold mode, a hangover before
//! silence); the adaptation rule is this crate's own.

use std::time::Duration;

use super::level::frame_level;
use crate::port::AudioFormat;

/// The threshold a detector starts with, on the [`frame_level`] scale: a
/// mean magnitude of about 200 (−44 dBFS). Frames at or below the
/// threshold are quiet.
pub const DEFAULT_THRESHOLD: u8 = 20;

/// The highest threshold adaptation reaches by default: a mean magnitude
/// of about 1000 (−30 dBFS). Background noise louder than a little below
/// it is never taken for silence, and speech above it never is.
pub const DEFAULT_MAX_THRESHOLD: u8 = 50;

/// How long quiet must last, after voice, before silence is reported
/// (pjmedia waits 400 ms too): the tails of words are sent.
pub const DEFAULT_HANGOVER: Duration = Duration::from_millis(400);

/// How long a loud signal must last, after silence, before voice is
/// reported: none, the first loud frame is voice (onsets are not clipped).
pub const DEFAULT_MIN_SIGNAL: Duration = Duration::ZERO;

/// After this long with no quiet frame at all, an adaptive detector takes
/// the quietest frame of that time for the background noise (speech has
/// pauses; steady noise has none).
pub const DEFAULT_RECALC: Duration = Duration::from_secs(4);

/// How far above the background noise an adaptive threshold sits, in
/// level steps (about 4.5 dB on the logarithmic part of the scale).
const DEFAULT_MARGIN: u8 = 12;

/// How fast the noise estimate follows quiet frames: the share of the
/// difference taken per frame.
const NOISE_SMOOTHING: f32 = 0.2;

/// How a detector sets its threshold (pjmedia's detector modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VadMode {
    /// The threshold follows the background noise, between the level of
    /// the noise plus a margin and [`DetectorParams::max_threshold`]
    /// (the default).
    Adaptive,
    /// The threshold stays where it was set.
    Fixed,
    /// Every frame is voice.
    Disabled,
}

/// A detector's timing and adaptation settings (pjmedia's
/// `pjmedia_silence_det_set_params`, plus the adaptation's bounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DetectorParams {
    /// Quiet that must last, after voice, before silence is reported
    /// ([`DEFAULT_HANGOVER`]).
    pub hangover: Duration,
    /// Loud signal that must last, after silence, before voice is
    /// reported ([`DEFAULT_MIN_SIGNAL`]).
    pub min_signal: Duration,
    /// Time without a quiet frame after which the background noise is
    /// re-estimated from the quietest frame ([`DEFAULT_RECALC`]).
    pub recalc: Duration,
    /// The highest threshold adaptation sets ([`DEFAULT_MAX_THRESHOLD`]).
    pub max_threshold: u8,
    /// How many level steps above the background noise an adaptive
    /// threshold sits (12).
    pub margin: u8,
}

impl Default for DetectorParams {
    fn default() -> Self {
        Self {
            hangover: DEFAULT_HANGOVER,
            min_signal: DEFAULT_MIN_SIGNAL,
            recalc: DEFAULT_RECALC,
            max_threshold: DEFAULT_MAX_THRESHOLD,
            margin: DEFAULT_MARGIN,
        }
    }
}

/// An adaptive silence detector for one audio stream (pjmedia's
/// `pjmedia_silence_det`).
///
/// Each frame is measured ([`frame_level`]) and is *loud* above the
/// threshold, *quiet* at or below it. The detector reports voice from the
/// first loud frame (or once loud signal lasted
/// [`DetectorParams::min_signal`]) and silence once quiet lasted longer
/// than [`DetectorParams::hangover`]; it starts in silence.
///
/// In [`VadMode::Adaptive`] (the default) the threshold follows the
/// background: every quiet frame moves a noise estimate towards its level
/// and the threshold to that estimate plus a margin; when no frame has
/// been quiet for [`DetectorParams::recalc`], the quietest frame of that
/// time becomes the estimate, so that a louder background is learnt. The
/// threshold never exceeds [`DetectorParams::max_threshold`], so a loud
/// signal — a steady tone included — stays voice however long it lasts.
///
/// Frame durations come from each frame's length, so frames of any size
/// may be given.
#[derive(Debug, Clone)]
pub struct SilenceDetector {
    clock_rate: u32,
    channels: u16,
    params: DetectorParams,
    mode: VadMode,
    /// The threshold set (or the default), where adaptation starts over.
    initial_threshold: u8,
    threshold: u8,
    level: u8,
    silence: bool,
    /// Loud and quiet time in a row, µs.
    loud_us: u64,
    quiet_us: u64,
    /// The background noise's level, once a quiet frame was seen.
    noise: Option<f32>,
    /// The quietest frame since the last quiet one.
    loud_min: u8,
}

impl SilenceDetector {
    /// An adaptive detector with the default settings for audio of
    /// `clock_rate` Hz with `channels` interleaved channels.
    pub fn new(clock_rate: u32, channels: u16) -> Self {
        Self {
            clock_rate: clock_rate.max(1),
            channels: channels.max(1),
            params: DetectorParams::default(),
            mode: VadMode::Adaptive,
            initial_threshold: DEFAULT_THRESHOLD,
            threshold: DEFAULT_THRESHOLD,
            level: 0,
            silence: true,
            loud_us: 0,
            quiet_us: 0,
            noise: None,
            loud_min: u8::MAX,
        }
    }

    /// An adaptive detector for frames of `format`.
    pub fn for_format(format: AudioFormat) -> Self {
        Self::new(format.clock_rate, format.channels)
    }

    /// Takes the next frame (interleaved samples) and tells whether it is
    /// silence.
    pub fn detect(&mut self, pcm: &[i16]) -> bool {
        let level = frame_level(pcm);
        self.level = level;
        if self.mode == VadMode::Disabled {
            self.silence = false;
            return false;
        }
        let frame_us = self.duration_us(pcm.len());
        let loud = level > self.threshold;
        if loud {
            self.loud_us = self.loud_us.saturating_add(frame_us);
            self.quiet_us = 0;
        } else {
            self.quiet_us = self.quiet_us.saturating_add(frame_us);
            self.loud_us = 0;
        }
        self.silence = if self.silence {
            !(loud && u128::from(self.loud_us) >= self.params.min_signal.as_micros())
        } else {
            !loud && u128::from(self.quiet_us) > self.params.hangover.as_micros()
        };
        if self.mode == VadMode::Adaptive {
            self.adapt(level, loud);
        }
        self.silence
    }

    /// The level of the last frame (0 before any).
    pub fn level(&self) -> u8 {
        self.level
    }

    /// The threshold now: frames above it are loud.
    pub fn threshold(&self) -> u8 {
        self.threshold
    }

    /// The estimated level of the background noise, once a quiet frame
    /// (or a long loud stretch) has been seen in adaptive mode.
    pub fn noise_level(&self) -> Option<u8> {
        // The estimate stays within the level scale, so the cast is exact.
        self.noise.map(|n| n.round().clamp(0.0, 127.0) as u8)
    }

    /// Whether the last frame was reported as silence (true before any).
    pub fn is_silence(&self) -> bool {
        self.silence
    }

    /// How the threshold is set.
    pub fn mode(&self) -> VadMode {
        self.mode
    }

    /// The timing and adaptation settings.
    pub fn params(&self) -> DetectorParams {
        self.params
    }

    /// Changes the timing and adaptation settings.
    pub fn set_params(&mut self, params: DetectorParams) {
        self.params = params;
    }

    /// Adapts the threshold from now on, starting at `threshold`
    /// ([`DEFAULT_THRESHOLD`] if `None`), with what was learnt forgotten
    /// (pjmedia's `pjmedia_silence_det_set_adaptive`).
    pub fn set_adaptive(&mut self, threshold: Option<u8>) {
        self.mode = VadMode::Adaptive;
        self.set_threshold(threshold);
    }

    /// Keeps the threshold at `threshold` ([`DEFAULT_THRESHOLD`] if
    /// `None`) from now on (pjmedia's `pjmedia_silence_det_set_fixed`).
    pub fn set_fixed(&mut self, threshold: Option<u8>) {
        self.mode = VadMode::Fixed;
        self.set_threshold(threshold);
    }

    /// Reports every frame as voice from now on (pjmedia's
    /// `pjmedia_silence_det_disable`).
    pub fn disable(&mut self) {
        self.mode = VadMode::Disabled;
    }

    /// Starts over: silence, the threshold set last, nothing learnt.
    pub fn reset(&mut self) {
        self.threshold = self.initial_threshold;
        self.level = 0;
        self.silence = true;
        self.loud_us = 0;
        self.quiet_us = 0;
        self.noise = None;
        self.loud_min = u8::MAX;
    }

    fn set_threshold(&mut self, threshold: Option<u8>) {
        self.initial_threshold = threshold.unwrap_or(DEFAULT_THRESHOLD);
        self.threshold = self.initial_threshold;
        self.noise = None;
        self.loud_min = u8::MAX;
    }

    /// Learns from a frame of `level`.
    fn adapt(&mut self, level: u8, loud: bool) {
        let level_f = f32::from(level);
        if loud {
            self.loud_min = self.loud_min.min(level);
            if u128::from(self.loud_us) < self.params.recalc.as_micros() {
                return;
            }
            // No pause for a whole period: the background is louder than
            // the threshold. Its quietest frame is the best guess of it.
            self.noise = Some(f32::from(self.loud_min));
            self.loud_min = u8::MAX;
            self.loud_us = 0;
        } else {
            self.loud_min = u8::MAX;
            let noise = self
                .noise
                .map_or(level_f, |n| n + (level_f - n) * NOISE_SMOOTHING);
            self.noise = Some(noise);
        }
        if let Some(noise) = self.noise {
            // Within 0..=127 + margin, so the cast is exact.
            let above = noise.round().clamp(0.0, 255.0) as u8;
            self.threshold = above
                .saturating_add(self.params.margin)
                .min(self.params.max_threshold);
        }
    }

    /// The duration of `len` interleaved samples, µs.
    fn duration_us(&self, len: usize) -> u64 {
        let per_channel = len as u64 / u64::from(self.channels);
        per_channel * 1_000_000 / u64::from(self.clock_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(amplitude: f64, n: usize) -> Vec<i16> {
        (0..n)
            .map(|i| (amplitude * (i as f64 * std::f64::consts::TAU / 8.0).sin()).round() as i16)
            .collect()
    }

    /// Uniform noise of peak `amplitude` (xorshift, seeded).
    fn noise(amplitude: f64, n: usize, seed: &mut u64) -> Vec<i16> {
        (0..n)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                let unit = (*seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
                (amplitude * unit).round() as i16
            })
            .collect()
    }

    fn detector() -> SilenceDetector {
        SilenceDetector::for_format(AudioFormat::new(8000, 1, 20))
    }

    #[test]
    fn a_tone_is_voice_and_digital_silence_is_silence() {
        let mut vad = detector();
        assert!(vad.detect(&[0; 160]));
        assert_eq!(vad.level(), 0);
        assert!(!vad.detect(&tone(8000.0, 160)));
        assert_eq!(vad.level(), 83);
        // A steady tone stays voice however long it lasts.
        for _ in 0..1000 {
            assert!(!vad.detect(&tone(8000.0, 160)));
        }
        assert!(vad.threshold() <= DEFAULT_MAX_THRESHOLD);
    }

    #[test]
    fn the_hangover_keeps_word_endings() {
        let mut vad = detector();
        vad.detect(&tone(8000.0, 160));
        // 400 ms of quiet is still voice; the 21st quiet frame is silence.
        for i in 0..20 {
            assert!(!vad.detect(&[0; 160]), "frame {i}");
        }
        assert!(vad.detect(&[0; 160]));
        // One loud frame is voice again at once, and a short pause within
        // speech is not silence.
        assert!(!vad.detect(&tone(8000.0, 160)));
        assert!(!vad.detect(&[0; 160]));
        assert!(!vad.detect(&tone(8000.0, 160)));
    }

    #[test]
    fn low_noise_is_silence_and_the_threshold_follows_it() {
        let mut seed = 7;
        let mut vad = detector();
        // Noise of peak 100 (−50 dBFS): its level is below the start
        // threshold, and the threshold settles just above it.
        for _ in 0..100 {
            assert!(vad.detect(&noise(100.0, 160, &mut seed)));
        }
        let floor = vad.noise_level().unwrap();
        assert!((4..=8).contains(&floor), "noise at {floor}");
        assert_eq!(vad.threshold(), floor + 12);
        // Speech-level audio over it is voice.
        assert!(!vad.detect(&tone(2000.0, 160)));
    }

    #[test]
    fn a_louder_background_is_learnt() {
        let mut seed = 3;
        let mut vad = detector();
        // Noise of peak 800 (mean magnitude 400, level ≈ 31) is above the
        // start threshold: voice, until 4 s without a pause say otherwise.
        let frames: Vec<bool> = (0..300)
            .map(|_| vad.detect(&noise(800.0, 160, &mut seed)))
            .collect();
        assert!(!frames[..200].iter().any(|&s| s), "voice for 4 s");
        assert!(frames[250..].iter().all(|&s| s), "then silence");
        assert!(vad.threshold() > DEFAULT_THRESHOLD);
        assert!(!vad.detect(&tone(8000.0, 160)));
    }

    #[test]
    fn fixed_and_disabled_modes() {
        let mut seed = 5;
        let mut vad = detector();
        vad.set_fixed(Some(10));
        assert_eq!(vad.mode(), VadMode::Fixed);
        // Noise of level ≈ 12 is loud for a threshold of 10, for ever.
        for _ in 0..500 {
            assert!(!vad.detect(&noise(200.0, 160, &mut seed)));
        }
        assert_eq!(vad.threshold(), 10);
        vad.set_adaptive(None);
        assert_eq!(vad.threshold(), DEFAULT_THRESHOLD);
        vad.disable();
        assert!(!vad.detect(&[0; 160]));
        vad.set_fixed(None);
        vad.reset();
        assert!(vad.detect(&[0; 160]));
    }

    #[test]
    fn min_signal_delays_voice() {
        let mut vad = detector();
        vad.set_params(DetectorParams {
            min_signal: Duration::from_millis(40),
            ..DetectorParams::default()
        });
        assert!(vad.detect(&tone(8000.0, 160)));
        assert!(!vad.detect(&tone(8000.0, 160)));
    }

    #[test]
    fn odd_input_does_not_panic() {
        let mut vad = SilenceDetector::new(0, 0);
        assert!(vad.detect(&[]));
        assert!(!vad.detect(&[i16::MIN; 7]));
        let mut stereo = SilenceDetector::new(48_000, 2);
        assert!(!stereo.detect(&[i16::MAX; 1920]));
    }
}
