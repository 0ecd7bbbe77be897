//! Acoustic echo cancellation (pjmedia's `echo.h`): what a sound device
//! plays comes back through its microphone; an echo canceller removes that
//! echo from what is captured.
//!
//! Sans-IO like the rest of the crate: an [`EchoCanceller`] is told each
//! frame sent to the speaker ([`EchoCanceller::playback`]) and cleans each
//! frame taken from the microphone ([`EchoCanceller::capture`]), in the
//! order the media clock sees them. It keeps the played frames in a queue
//! of its own and pairs each captured frame with the oldest one, so the
//! echo must come back within the tail (`ecTailLen`) after the frame was
//! handed to [`EchoCanceller::playback`]; a device's buffering latency
//! counts in that.
//!
//! Algorithms, chosen by the `PJMEDIA_ECHO_*` options as pjmedia does:
//! - speex (`PJMEDIA_ECHO_DEFAULT`, `PJMEDIA_ECHO_SPEEX`), pjmedia's
//!   default: libspeexdsp's multidelay block frequency-domain adaptive
//!   filter, with the feature `echo-cancel` (it links Debian's
//!   `libspeexdsp`). `PJMEDIA_ECHO_USE_NOISE_SUPPRESSOR` adds speex's
//!   noise suppressor (mono only).
//! - Any other algorithm (`SIMPLE`, `WEBRTC`, `WEBRTC_AEC3`) is not built:
//!   speex takes its place, as pjmedia falls back when an algorithm is not
//!   compiled in.
//!
//! A tail of 0 ms disables echo cancellation ([`create`] answers
//! [`EchoError::Disabled`]).
//!
//! ```
//! use media::echo::{EchoConfig, EchoError, create};
//! let config = EchoConfig { clock_rate: 16_000, channels: 1, samples_per_frame: 320, tail_ms: 0, options: 0 };
//! assert!(matches!(create(&config), Err(EchoError::Disabled)));
//! ```

#[cfg(feature = "echo-cancel")]
mod speex;

#[cfg(feature = "echo-cancel")]
pub use speex::SpeexEchoCanceller;

/// `PJMEDIA_ECHO_DEFAULT`: the default algorithm (speex).
pub const PJMEDIA_ECHO_DEFAULT: u32 = 0;
/// `PJMEDIA_ECHO_SPEEX`: speex's adaptive filter.
pub const PJMEDIA_ECHO_SPEEX: u32 = 1;
/// `PJMEDIA_ECHO_SIMPLE`: pjmedia's echo suppressor (not built; speex
/// replaces it).
pub const PJMEDIA_ECHO_SIMPLE: u32 = 2;
/// `PJMEDIA_ECHO_WEBRTC`: WebRTC's AEC (not built; speex replaces it).
pub const PJMEDIA_ECHO_WEBRTC: u32 = 3;
/// `PJMEDIA_ECHO_WEBRTC_AEC3`: WebRTC's AEC3 (not built; speex replaces
/// it).
pub const PJMEDIA_ECHO_WEBRTC_AEC3: u32 = 4;
/// `PJMEDIA_ECHO_ALGO_MASK`: the bits that choose the algorithm.
pub const PJMEDIA_ECHO_ALGO_MASK: u32 = 15;
/// `PJMEDIA_ECHO_NO_LOCK`: pjmedia's locking option (ferrosip's media
/// lock always serialises the two directions).
pub const PJMEDIA_ECHO_NO_LOCK: u32 = 16;
/// `PJMEDIA_ECHO_USE_SIMPLE_FIFO`: pjmedia's delay-buffer option (the
/// played frames are always queued as they are).
pub const PJMEDIA_ECHO_USE_SIMPLE_FIFO: u32 = 32;
/// `PJMEDIA_ECHO_USE_SW_ECHO`: use the software canceller even when the
/// device has one (ferrosip's devices never do).
pub const PJMEDIA_ECHO_USE_SW_ECHO: u32 = 64;
/// `PJMEDIA_ECHO_USE_NOISE_SUPPRESSOR`: also suppress noise.
pub const PJMEDIA_ECHO_USE_NOISE_SUPPRESSOR: u32 = 128;
/// `PJMEDIA_ECHO_USE_GAIN_CONTROLLER`: WebRTC's gain control (not built).
pub const PJMEDIA_ECHO_USE_GAIN_CONTROLLER: u32 = 256;
/// `PJMEDIA_ECHO_AGGRESSIVENESS_MASK`: WebRTC's aggressiveness bits (not
/// used by speex).
pub const PJMEDIA_ECHO_AGGRESSIVENESS_MASK: u32 = 61_440;

/// Removes the echo of what was played from what is captured.
///
/// Both methods take frames of the configured shape
/// ([`EchoConfig::frame_len`] values, interleaved when there are several
/// channels) and are called once per media frame, in the order the media
/// clock sees them.
pub trait EchoCanceller: Send {
    /// A frame that is being sent to the speaker (the far end).
    fn playback(&mut self, frame: &[i16]);

    /// A frame from the microphone; on return it holds the frame with the
    /// echo removed.
    fn capture(&mut self, frame: &mut [i16]);

    /// Forgets what was learnt and what was played (after the device was
    /// reopened, for instance).
    fn reset(&mut self);

    /// What happened so far.
    fn stats(&self) -> EchoStats;
}

/// Counters of an [`EchoCanceller`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EchoStats {
    /// Frames captured and cleaned.
    pub captured: u64,
    /// Frames played.
    pub played: u64,
    /// Captured frames that found no played frame to pair with (the far
    /// end is taken as silence).
    pub far_underflows: u64,
    /// Played frames dropped because too many were waiting (the oldest
    /// go).
    pub far_overflows: u64,
}

/// What an echo canceller is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoConfig {
    /// Samples per second per channel.
    pub clock_rate: u32,
    /// Channels (interleaved).
    pub channels: u16,
    /// Samples per channel in one frame.
    pub samples_per_frame: u32,
    /// The echo tail, ms: how long after being played an echo may still
    /// come back (PJSUA2's `ecTailLen`; 0 disables).
    pub tail_ms: u32,
    /// `PJMEDIA_ECHO_*` flags (PJSUA2's `ecOptions`).
    pub options: u32,
}

impl EchoConfig {
    /// Values in one frame.
    pub const fn frame_len(&self) -> usize {
        self.samples_per_frame as usize * self.channels as usize
    }

    /// The tail in samples per channel.
    pub const fn tail_samples(&self) -> u32 {
        (self.clock_rate as u64 * self.tail_ms as u64 / 1000) as u32
    }
}

/// Why no echo canceller was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EchoError {
    /// The tail is 0 ms: echo cancellation is off.
    #[error("echo cancellation is disabled (tail of 0 ms)")]
    Disabled,
    /// This build has no echo canceller (the feature `echo-cancel` is off).
    #[error("no echo canceller in this build (feature echo-cancel)")]
    Unavailable,
    /// A frame or rate the canceller cannot work with.
    #[error("an echo canceller cannot work on {0:?}")]
    InvalidConfig(EchoConfig),
}

/// The echo canceller `config.options` asks for.
pub fn create(config: &EchoConfig) -> Result<Box<dyn EchoCanceller>, EchoError> {
    if config.tail_ms == 0 {
        return Err(EchoError::Disabled);
    }
    if config.clock_rate == 0
        || config.channels == 0
        || config.samples_per_frame == 0
        || config.tail_samples() == 0
        || i32::try_from(config.tail_samples()).is_err()
    {
        return Err(EchoError::InvalidConfig(*config));
    }
    #[cfg(feature = "echo-cancel")]
    {
        Ok(Box::new(SpeexEchoCanceller::new(config)?))
    }
    #[cfg(not(feature = "echo-cancel"))]
    {
        Err(EchoError::Unavailable)
    }
}

/// The played frames waiting for the captured frames they echo in: a
/// bounded queue of whole frames; when full the oldest is dropped.
#[cfg(feature = "echo-cancel")]
#[derive(Debug)]
pub(crate) struct FarQueue {
    frames: std::collections::VecDeque<Vec<i16>>,
    spare: Vec<Vec<i16>>,
    max_frames: usize,
}

#[cfg(feature = "echo-cancel")]
impl FarQueue {
    /// A queue of at most `max_frames` frames.
    pub(crate) fn new(max_frames: usize) -> Self {
        Self {
            frames: std::collections::VecDeque::with_capacity(max_frames),
            spare: Vec::new(),
            max_frames: max_frames.max(1),
        }
    }

    /// Queues a frame; true if the oldest had to be dropped for it.
    pub(crate) fn push(&mut self, frame: &[i16]) -> bool {
        let mut dropped = false;
        if self.frames.len() >= self.max_frames {
            if let Some(old) = self.frames.pop_front() {
                self.spare.push(old);
            }
            dropped = true;
        }
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(frame);
        self.frames.push_back(buf);
        dropped
    }

    /// Moves the oldest frame into `out`; false (and `out` silent) when
    /// none waits.
    pub(crate) fn pop_into(&mut self, out: &mut [i16]) -> bool {
        match self.frames.pop_front() {
            Some(f) if f.len() == out.len() => {
                out.copy_from_slice(&f);
                self.spare.push(f);
                true
            }
            other => {
                if let Some(f) = other {
                    self.spare.push(f);
                }
                out.fill(0);
                false
            }
        }
    }

    /// Drops every frame.
    pub(crate) fn clear(&mut self) {
        self.spare.extend(self.frames.drain(..));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(tail_ms: u32) -> EchoConfig {
        EchoConfig {
            clock_rate: 8_000,
            channels: 1,
            samples_per_frame: 160,
            tail_ms,
            options: 0,
        }
    }

    #[test]
    fn a_tail_of_zero_disables_and_bad_shapes_are_refused() {
        assert_eq!(create(&cfg(0)).err(), Some(EchoError::Disabled));
        let bad = EchoConfig {
            samples_per_frame: 0,
            ..cfg(100)
        };
        assert_eq!(create(&bad).err(), Some(EchoError::InvalidConfig(bad)));
        assert_eq!(cfg(200).tail_samples(), 1600);
        assert_eq!(cfg(200).frame_len(), 160);
    }

    #[cfg(not(feature = "echo-cancel"))]
    #[test]
    fn without_the_feature_there_is_no_canceller() {
        assert_eq!(create(&cfg(200)).err(), Some(EchoError::Unavailable));
    }

    #[cfg(feature = "echo-cancel")]
    #[test]
    fn the_far_queue_drops_the_oldest_and_pads_with_silence() {
        let mut q = FarQueue::new(2);
        assert!(!q.push(&[1, 1]));
        assert!(!q.push(&[2, 2]));
        assert!(q.push(&[3, 3]));
        let mut out = [9; 2];
        assert!(q.pop_into(&mut out));
        assert_eq!(out, [2, 2]);
        assert!(q.pop_into(&mut out));
        assert_eq!(out, [3, 3]);
        assert!(!q.pop_into(&mut out));
        assert_eq!(out, [0, 0]);
        q.push(&[4, 4]);
        q.clear();
        assert!(!q.pop_into(&mut out));
    }
}
