//! The two directions between a port and the bridge: frames the port gives
//! become bridge frames ([`Inbound`]), bridge frames become frames the port
//! takes ([`Outbound`]).
//!
//! When the port's format is the bridge's, frames pass straight through.
//! Otherwise they go through a [`FormatConverter`] (when the rate or the
//! channel count differ) and a [`SampleFifo`] (always), so that frame sizes
//! need not match: a port with 10 ms frames is asked twice per 20 ms tick,
//! one with 40 ms frames every other tick.

use super::convert::FormatConverter;
use super::error::BridgeError;
use super::fifo::SampleFifo;
use crate::port::{AudioFormat, FrameKind, MediaPort};

fn converter_between(
    from: AudioFormat,
    to: AudioFormat,
    chunk_frames: usize,
) -> Result<Option<FormatConverter>, BridgeError> {
    if from.clock_rate == to.clock_rate && from.channels == to.channels {
        return Ok(None);
    }
    FormatConverter::new(
        from.clock_rate,
        from.channels,
        chunk_frames,
        to.clock_rate,
        to.channels,
    )
    .map(Some)
}

/// From a port to the bridge.
#[derive(Debug)]
pub(crate) struct Inbound {
    direct: bool,
    frame: Vec<i16>,
    converter: Option<FormatConverter>,
    fifo: SampleFifo,
    /// Whether the last frame pulled from the port was audio.
    last_audio: bool,
    /// Most port frames pulled for one bridge frame before giving up and
    /// padding with silence (a safety net: the bound is never reached by a
    /// working converter).
    max_pulls: usize,
}

impl Inbound {
    pub(crate) fn new(port: AudioFormat, bridge: AudioFormat) -> Result<Self, BridgeError> {
        let per_tick = bridge.frame_usec().div_ceil(port.frame_usec().max(1)) as usize;
        Ok(Self {
            direct: port == bridge,
            frame: vec![0; port.frame_len()],
            converter: converter_between(port, bridge, port.samples_per_frame as usize)?,
            fifo: SampleFifo::default(),
            last_audio: false,
            max_pulls: 2 * per_tick + 16,
        })
    }

    /// Fills `rx` (one bridge frame) from `port`; true if it carries audio
    /// (some frame behind it was [`FrameKind::Audio`]).
    pub(crate) fn pull(&mut self, port: &mut dyn MediaPort, rx: &mut [i16]) -> bool {
        if self.direct {
            let kind = port.get_frame(rx);
            if kind == FrameKind::None {
                rx.fill(0);
            }
            return kind == FrameKind::Audio;
        }
        let mut pulled = false;
        let mut audio = false;
        let mut pulls = 0;
        while self.fifo.len() < rx.len() {
            if pulls == self.max_pulls {
                let missing = rx.len() - self.fifo.len();
                self.fifo.extend(std::iter::repeat_n(0, missing));
                break;
            }
            pulls += 1;
            let kind = port.get_frame(&mut self.frame);
            if kind == FrameKind::None {
                self.frame.fill(0);
            }
            pulled = true;
            audio |= kind == FrameKind::Audio;
            match self.converter.as_mut() {
                Some(c) => c.convert(&self.frame, &mut self.fifo),
                None => self.fifo.push(&self.frame),
            }
        }
        self.fifo.pop_into(rx);
        // The converter delays what goes through it by a few samples: the
        // first bridge frame after the port fell silent still holds the
        // end of its audio, and counts as audio so that tail is mixed.
        let carries_audio = audio || self.last_audio;
        if pulled {
            self.last_audio = audio;
        }
        carries_audio
    }
}

/// From the bridge to a port.
#[derive(Debug)]
pub(crate) struct Outbound {
    direct: bool,
    frame: Vec<i16>,
    converter: Option<FormatConverter>,
    fifo: SampleFifo,
}

impl Outbound {
    pub(crate) fn new(port: AudioFormat, bridge: AudioFormat) -> Result<Self, BridgeError> {
        Ok(Self {
            direct: port == bridge,
            frame: vec![0; port.frame_len()],
            converter: converter_between(bridge, port, bridge.samples_per_frame as usize)?,
            fifo: SampleFifo::default(),
        })
    }

    /// Gives `tx` (one bridge frame) to `port`, as zero or more port frames.
    pub(crate) fn push(&mut self, port: &mut dyn MediaPort, tx: &[i16]) {
        if self.direct {
            port.put_frame(tx);
            return;
        }
        match self.converter.as_mut() {
            Some(c) => c.convert(tx, &mut self.fifo),
            None => self.fifo.push(tx),
        }
        while self.fifo.pop_into(&mut self.frame) {
            port.put_frame(&self.frame);
        }
    }
}
