//! Voice activity detection: PJSUA2's VAD (`MediaConfig.noVad`,
//! `CodecParamSetting.vad`).
//!
//! A [`SilenceDetector`] tells, frame by frame, whether the audio a
//! stream is about to send is silence, as pjmedia's adaptive silence
//! detector does: from the frame's level (its mean magnitude on a
//! logarithmic scale, [`frame_level`]) against a threshold that follows the
//! background noise, with a hangover so that the ends of words are not
//! clipped. The stream ([`crate::stream`]) sends no RTP for the frames it
//! calls silence (silence suppression).
//!
//! ```
//! use media::AudioFormat;
//! use media::vad::SilenceDetector;
//!
//! let mut vad = SilenceDetector::for_format(AudioFormat::new(8000, 1, 20));
//! let tone: Vec<i16> = (0..160)
//!     .map(|i| (8000.0 * (i as f64 * std::f64::consts::TAU / 8.0).sin()) as i16)
//!     .collect();
//! assert!(!vad.detect(&tone), "a tone is voice");
//! // Silence only once the quiet has outlasted the hangover (400 ms).
//! let quiet = [0i16; 160];
//! let silent: Vec<bool> = (0..25).map(|_| vad.detect(&quiet)).collect();
//! assert!(!silent[19] && silent[20]);
//! ```

mod detector;
mod level;

pub use detector::{
    DEFAULT_HANGOVER, DEFAULT_MAX_THRESHOLD, DEFAULT_MIN_SIGNAL, DEFAULT_RECALC, DEFAULT_THRESHOLD,
    DetectorParams, SilenceDetector, VadMode,
};
pub use level::{MAX_LEVEL, frame_level};
