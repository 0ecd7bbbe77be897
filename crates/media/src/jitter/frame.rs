//! What goes in and what comes out of the buffer.

/// What the buffer gives for one frame tick ([`super::JitterBuffer::get`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<'a> {
    /// The frame: decode it.
    Normal {
        /// Its RTP timestamp.
        timestamp: u32,
        /// Its encoded payload.
        payload: &'a [u8],
    },
    /// The frame due now never arrived (lost, or still late): conceal it
    /// with the codec's packet loss concealment.
    Missing {
        /// The RTP timestamp it would have had.
        timestamp: u32,
    },
    /// The buffer dropped frames just before this one to shorten its delay,
    /// and drops this one too, so that the splice is concealed: run the
    /// codec's packet loss concealment, as for [`Frame::Missing`].
    Discarded {
        /// The RTP timestamp of the frame concealed.
        timestamp: u32,
    },
    /// The buffer is filling up to its prefetch level (at the start, after
    /// running dry, or at the start of a talkspurt): play silence.
    Prefetching,
    /// Nothing to play: the buffer ran dry, or the sender is silent (DTX).
    /// Play silence (after concealing a frame or two if audio was playing).
    Empty,
}

impl Frame<'_> {
    /// The RTP timestamp of the frame this tick played or concealed; `None`
    /// for silence.
    pub const fn timestamp(&self) -> Option<u32> {
        match *self {
            Self::Normal { timestamp, .. }
            | Self::Missing { timestamp }
            | Self::Discarded { timestamp } => Some(timestamp),
            Self::Prefetching | Self::Empty => None,
        }
    }

    /// Whether the caller should run packet loss concealment.
    pub const fn needs_concealment(&self) -> bool {
        matches!(self, Self::Missing { .. } | Self::Discarded { .. })
    }
}

/// What became of a frame given to [`super::JitterBuffer::put`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PutOutcome {
    /// Stored, to be played in its turn.
    Stored,
    /// The timestamps jumped too far (the sender restarted): the buffer
    /// dropped what it held, started over, and stored this frame.
    Restarted,
    /// Already held or played: dropped.
    Duplicate,
    /// Its turn had passed: dropped.
    Late,
    /// Longer than the buffer's `max_frame_size`: dropped.
    Oversized,
}

impl PutOutcome {
    /// Whether the frame was kept.
    pub const fn is_stored(self) -> bool {
        matches!(self, Self::Stored | Self::Restarted)
    }
}
