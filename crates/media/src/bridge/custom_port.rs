//! `CustomPort`: a media port whose frames come from and go to the
//! application (PJSUA2's `AudioMediaPort` with `onFrameRequested` and
//! `onFrameReceived`).

use crate::port::{AudioFormat, FrameKind, MediaPort};

/// What an application port does with frames. Both methods run on the
/// media clock's thread, inside [`super::Bridge::tick`]: keep them short.
pub trait AudioPortHandler: Send {
    /// The bridge wants a frame (PJSUA2's `onFrameRequested`): fill `frame`
    /// and say whether it holds audio. By default: silence,
    /// [`FrameKind::None`].
    fn on_frame_requested(&mut self, frame: &mut [i16]) -> FrameKind {
        frame.fill(0);
        FrameKind::None
    }

    /// The bridge gives a frame (PJSUA2's `onFrameReceived`). By default
    /// ignored.
    fn on_frame_received(&mut self, frame: &[i16]) {
        let _ = frame;
    }
}

struct FnHandler<Req, Recv> {
    requested: Req,
    received: Recv,
}

impl<Req, Recv> AudioPortHandler for FnHandler<Req, Recv>
where
    Req: FnMut(&mut [i16]) -> FrameKind + Send,
    Recv: FnMut(&[i16]) + Send,
{
    fn on_frame_requested(&mut self, frame: &mut [i16]) -> FrameKind {
        (self.requested)(frame)
    }

    fn on_frame_received(&mut self, frame: &[i16]) {
        (self.received)(frame);
    }
}

/// A port that hands every frame to an [`AudioPortHandler`] (PJSUA2's
/// `AudioMediaPort::createPort(name, format)`).
pub struct CustomPort {
    format: AudioFormat,
    handler: Box<dyn AudioPortHandler>,
}

impl std::fmt::Debug for CustomPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomPort")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl CustomPort {
    /// A port of `format` calling `handler`.
    pub fn new(format: AudioFormat, handler: impl AudioPortHandler + 'static) -> Self {
        Self {
            format,
            handler: Box::new(handler),
        }
    }

    /// A port of `format` calling two closures: one filling requested
    /// frames, one taking received frames.
    pub fn from_fns(
        format: AudioFormat,
        requested: impl FnMut(&mut [i16]) -> FrameKind + Send + 'static,
        received: impl FnMut(&[i16]) + Send + 'static,
    ) -> Self {
        Self::new(
            format,
            FnHandler {
                requested,
                received,
            },
        )
    }

    /// The handler.
    pub fn handler_mut(&mut self) -> &mut dyn AudioPortHandler {
        self.handler.as_mut()
    }
}

impl MediaPort for CustomPort {
    fn format(&self) -> AudioFormat {
        self.format
    }

    fn get_frame(&mut self, out: &mut [i16]) -> FrameKind {
        self.handler.on_frame_requested(out)
    }

    fn put_frame(&mut self, frame: &[i16]) {
        self.handler.on_frame_received(frame);
    }
}
