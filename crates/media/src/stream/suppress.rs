//! Silence suppression on the send side, as pjmedia's stream does it with
//! VAD on.

use std::time::Duration;

use crate::vad::SilenceDetector;

/// How long after the stream starts silence is sent anyway (pjmedia's
/// `PJMEDIA_STREAM_VAD_SUSPEND_MSEC`): the first packets open NAT
/// bindings and let the peer latch.
pub const VAD_SUSPEND: Duration = Duration::from_millis(600);

/// The longest silence without a packet (pjmedia's
/// `PJMEDIA_CODEC_MAX_SILENCE_PERIOD`): after it, one keep-alive packet
/// goes out, so that NAT bindings and the peer's RTP timeout hold.
pub const MAX_SILENCE_PERIOD: Duration = Duration::from_secs(5);

/// What to do with a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decision {
    /// Send it.
    Send,
    /// Silence: send nothing.
    Suppress,
    /// Silence, but nothing has been sent for too long: send a keep-alive.
    KeepAlive,
}

/// Decides, frame by frame, what the stream sends.
#[derive(Debug, Clone)]
pub(super) struct Suppressor {
    /// `None`: VAD off, every frame is sent.
    detector: Option<SilenceDetector>,
    /// Ticks of the RTP clock sent before VAD applies.
    suspend_ticks: u64,
    /// Ticks of silence after which a keep-alive goes.
    max_silence_ticks: u32,
    /// Ticks of audio the stream has put so far.
    elapsed: u64,
}

impl Suppressor {
    /// Silence suppression with `detector`, or none, for an RTP clock of
    /// `rtp_clock` Hz.
    pub(super) fn new(detector: Option<SilenceDetector>, rtp_clock: u32) -> Self {
        let ticks = |d: Duration| d.as_millis() as u64 * u64::from(rtp_clock) / 1000;
        Self {
            detector,
            suspend_ticks: ticks(VAD_SUSPEND),
            max_silence_ticks: u32::try_from(ticks(MAX_SILENCE_PERIOD)).unwrap_or(u32::MAX),
            elapsed: 0,
        }
    }

    /// The detector, when VAD is on.
    pub(super) fn detector(&self) -> Option<&SilenceDetector> {
        self.detector.as_ref()
    }

    /// The detector, to change its settings.
    pub(super) fn detector_mut(&mut self) -> Option<&mut SilenceDetector> {
        self.detector.as_mut()
    }

    /// Time moved on by `ticks` with no audio to judge (DTMF was sent).
    pub(super) fn skip(&mut self, ticks: u32) {
        self.elapsed = self.elapsed.saturating_add(u64::from(ticks));
    }

    /// Decides on `frame`, lasting `ticks`, when the last packet was sent
    /// `since_sent` ticks before it.
    pub(super) fn decide(&mut self, frame: &[i16], ticks: u32, since_sent: u32) -> Decision {
        let start = self.elapsed;
        self.skip(ticks);
        let Some(detector) = &mut self.detector else {
            return Decision::Send;
        };
        // The detector learns the background during the suspension too.
        let silence = detector.detect(frame);
        if !silence || start < self.suspend_ticks {
            Decision::Send
        } else if since_sent >= self.max_silence_ticks {
            Decision::KeepAlive
        } else {
            Decision::Suppress
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_is_sent_at_first_then_suppressed_with_keep_alives() {
        let mut s = Suppressor::new(Some(SilenceDetector::new(8000, 1)), 8000);
        let quiet = [0i16; 160];
        // 600 ms: 30 frames sent whatever they hold.
        for i in 0..30 {
            assert_eq!(s.decide(&quiet, 160, 160), Decision::Send, "frame {i}");
        }
        assert_eq!(s.decide(&quiet, 160, 160), Decision::Suppress);
        assert_eq!(s.decide(&quiet, 160, 39_840), Decision::Suppress);
        assert_eq!(s.decide(&quiet, 160, 40_000), Decision::KeepAlive);
        let mut off = Suppressor::new(None, 8000);
        assert_eq!(off.decide(&quiet, 160, 40_000), Decision::Send);
        assert!(off.detector().is_none());
    }
}
