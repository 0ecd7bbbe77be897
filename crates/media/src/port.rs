//! Media ports: sources and sinks of fixed-duration audio frames.
//!
//! Every port has one [`AudioFormat`]: a clock rate, a channel count and the
//! number of samples per channel in one frame (`clock_rate * ptime / 1000`).
//! Samples are 16-bit linear PCM, interleaved when there are several
//! channels, so a frame holds `samples_per_frame * channels` values.

/// The shape of a port's frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AudioFormat {
    /// Samples per second per channel (8000, 16000, 44100, 48000, …).
    pub clock_rate: u32,
    /// Channels (1 mono, 2 stereo).
    pub channels: u16,
    /// Samples per channel in one frame.
    pub samples_per_frame: u32,
}

impl AudioFormat {
    /// A format of `ptime_ms` milliseconds per frame.
    pub const fn new(clock_rate: u32, channels: u16, ptime_ms: u32) -> Self {
        Self {
            clock_rate,
            channels,
            samples_per_frame: clock_rate * ptime_ms / 1000,
        }
    }

    /// Values in one frame: samples per frame times channels.
    pub const fn frame_len(&self) -> usize {
        self.samples_per_frame as usize * self.channels as usize
    }

    /// The frame's duration in microseconds.
    pub const fn frame_usec(&self) -> u64 {
        self.samples_per_frame as u64 * 1_000_000 / self.clock_rate as u64
    }
}

/// What a source produced for one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// Audio: the buffer holds samples.
    Audio,
    /// Nothing to give (the buffer is silence): a stopped player, a stream
    /// with nothing received. Mixers may skip it.
    None,
}

/// A source and/or sink of audio frames (pjmedia's `pjmedia_port`).
///
/// A port that only produces ignores [`MediaPort::put_frame`]; one that only
/// consumes returns [`FrameKind::None`] from [`MediaPort::get_frame`].
pub trait MediaPort: Send {
    /// The shape of its frames.
    fn format(&self) -> AudioFormat;

    /// Fills `out` (exactly `format().frame_len()` values) with the next
    /// frame.
    fn get_frame(&mut self, out: &mut [i16]) -> FrameKind;

    /// Takes one frame (`format().frame_len()` values).
    fn put_frame(&mut self, frame: &[i16]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_measure_frames() {
        let f = AudioFormat::new(16_000, 1, 20);
        assert_eq!(
            (f.samples_per_frame, f.frame_len(), f.frame_usec()),
            (320, 320, 20_000)
        );
        let s = AudioFormat::new(44_100, 2, 10);
        assert_eq!((s.samples_per_frame, s.frame_len()), (441, 882));
    }
}
