//! PJSUA2's `AudioMediaPort`: a bridge port whose frames the application
//! makes and takes.

use media::FrameKind;
use media::bridge::{AudioPortHandler, CustomPort};
use serde::{Deserialize, Serialize};

use super::AudioMedia;
use super::engine::PortRole;
use super::types::MediaFormatAudio;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, status};

/// `PJMEDIA_FRAME_TYPE_NONE`: the frame holds nothing.
pub const PJMEDIA_FRAME_TYPE_NONE: u32 = 0;
/// `PJMEDIA_FRAME_TYPE_AUDIO`: the frame holds audio.
pub const PJMEDIA_FRAME_TYPE_AUDIO: u32 = 1;

/// One frame (PJSUA2's `MediaFrame`): 16-bit little-endian PCM in `buf`,
/// interleaved when there are several channels.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MediaFrame {
    /// `PJMEDIA_FRAME_TYPE_AUDIO` or `PJMEDIA_FRAME_TYPE_NONE`.
    #[serde(rename = "type")]
    pub type_: u32,
    /// The bytes.
    pub buf: Vec<u8>,
    /// How many bytes of `buf` are used.
    pub size: u32,
}

/// What an [`AudioMediaPort`] does with frames. Both methods run on the
/// media clock's thread, once per frame, inside the bridge's tick: keep
/// them short, and do not call the media API from them (it refuses with
/// `PJ_EINVALIDOP` rather than deadlock).
pub trait AudioMediaPortHandler: Send {
    /// The bridge wants a frame (PJSUA2's `onFrameRequested`): set
    /// `frame.type_` and fill `frame.buf` (it arrives sized for one frame).
    /// By default the frame stays empty (`PJMEDIA_FRAME_TYPE_NONE`).
    fn on_frame_requested(&mut self, frame: &mut MediaFrame) {
        let _ = frame;
    }

    /// The bridge gives a frame (PJSUA2's `onFrameReceived`).
    fn on_frame_received(&mut self, frame: &MediaFrame) {
        let _ = frame;
    }
}

/// Adapts an [`AudioMediaPortHandler`] (bytes) to the bridge (samples).
struct Adapter<H> {
    handler: H,
    frame: MediaFrame,
}

impl<H: AudioMediaPortHandler> AudioPortHandler for Adapter<H> {
    fn on_frame_requested(&mut self, out: &mut [i16]) -> FrameKind {
        let bytes = out.len() * 2;
        self.frame.type_ = PJMEDIA_FRAME_TYPE_NONE;
        self.frame.buf.clear();
        self.frame.buf.resize(bytes, 0);
        self.frame.size = u32::try_from(bytes).unwrap_or(u32::MAX);
        self.handler.on_frame_requested(&mut self.frame);
        let used = (self.frame.size as usize)
            .min(self.frame.buf.len())
            .min(bytes);
        let filled = &self.frame.buf[..used];
        for (sample, pair) in out.iter_mut().zip(filled.chunks_exact(2)) {
            *sample = i16::from_le_bytes([pair[0], pair[1]]);
        }
        let samples = used / 2;
        out[samples..].fill(0);
        if self.frame.type_ == PJMEDIA_FRAME_TYPE_AUDIO && samples > 0 {
            FrameKind::Audio
        } else {
            out.fill(0);
            FrameKind::None
        }
    }

    fn on_frame_received(&mut self, frame: &[i16]) {
        self.frame.type_ = PJMEDIA_FRAME_TYPE_AUDIO;
        self.frame.buf.clear();
        self.frame
            .buf
            .extend(frame.iter().flat_map(|s| s.to_le_bytes()));
        self.frame.size = u32::try_from(self.frame.buf.len()).unwrap_or(u32::MAX);
        self.handler.on_frame_received(&self.frame);
    }
}

/// A bridge port backed by the application (PJSUA2's `AudioMediaPort`).
/// Dereferences to its [`AudioMedia`]; dropping it removes the port.
#[derive(Debug)]
pub struct AudioMediaPort {
    media: AudioMedia,
}

impl AudioMediaPort {
    /// Adds a port named `name` with frames of `format` (PJSUA2's
    /// `createPort`; `format.frameTimeUsec` of 0 means the bridge's frame
    /// time).
    pub fn create_port(
        ep: &Endpoint,
        name: &str,
        format: &MediaFormatAudio,
        handler: impl AudioMediaPortHandler + 'static,
    ) -> Result<Self> {
        let title = "AudioMediaPort::createPort()";
        let media = ep.media(title)?;
        let bridge_usec = media.with_core(title, |core| core.bridge.format().frame_usec())?;
        let mut wanted = format.clone();
        if wanted.frame_time_usec == 0 {
            wanted.frame_time_usec = u32::try_from(bridge_usec).unwrap_or(20_000);
        }
        let audio = wanted.to_format().ok_or_else(|| {
            Error::new(
                status::PJ_EINVAL,
                title,
                format!(
                    "a port cannot have {} Hz, {} channel(s), {} µs frames of {} bits",
                    format.clock_rate,
                    format.channel_count,
                    wanted.frame_time_usec,
                    format.bits_per_sample
                ),
            )
        })?;
        let port = CustomPort::new(
            audio,
            Adapter {
                handler,
                frame: MediaFrame::default(),
            },
        );
        let id = media
            .with_core(title, |core| core.add_port(port, name, PortRole::Plain))?
            .map_err(|e| super::errors::bridge(title, &e))?;
        Ok(Self {
            media: AudioMedia::new(&media, id),
        })
    }
}

impl std::ops::Deref for AudioMediaPort {
    type Target = AudioMedia;
    fn deref(&self) -> &AudioMedia {
        &self.media
    }
}

impl Drop for AudioMediaPort {
    fn drop(&mut self) {
        self.media.remove_from_bridge();
    }
}
