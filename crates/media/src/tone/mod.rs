//! Tone generation (PJSUA2's `ToneGenerator`): dual-frequency tones with
//! on/off times, and DTMF digits through a digit map; plus
//! [`tone_amplitude`], a Goertzel detector to check what was generated.
//!
//! ```
//! use media::tone::{ToneDigit, ToneGenerator, tone_amplitude};
//! use media::MediaPort;
//!
//! let mut tones = ToneGenerator::new(8000, 1)?;
//! tones.play_digits(&[ToneDigit { digit: '5', on_msec: 100, off_msec: 50, volume: 0 }], false)?;
//! let mut frame = vec![0i16; tones.format().frame_len()];
//! tones.get_frame(&mut frame);
//! // '5' is 770 Hz + 1336 Hz.
//! assert!(tone_amplitude(&frame, 8000, 770.0) > 5000.0);
//! assert!(tone_amplitude(&frame, 8000, 1336.0) > 5000.0);
//! # Ok::<(), media::tone::ToneError>(())
//! ```

mod desc;
mod generator;
mod goertzel;

pub use desc::{
    DEFAULT_VOLUME, MAX_TONES, TONE_ENABLE_FADE, ToneDesc, ToneDigit, ToneDigitMapDigit,
    default_digit_map,
};
pub use generator::{ToneError, ToneGenerator};
pub use goertzel::{rms, tone_amplitude};
