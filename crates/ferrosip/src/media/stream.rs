//! An RTP audio stream in the bridge: what a call's audio is, usable on
//! its own (two streams over loopback are a call without signalling).

use std::net::SocketAddr;
use std::time::Instant;

use media::stream::{Stream, StreamConfig, StreamStat};

use super::AudioMedia;
use super::engine::PortRole;
use super::transport::MediaTransport;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, status};

/// One RTP audio stream as a bridge port: what the bridge sends it is
/// encoded and sent to the remote address; what arrives is decoded through
/// the jitter buffer and given to the bridge. Dereferences to its
/// [`AudioMedia`]; dropping it removes the port and closes the sockets.
#[derive(Debug)]
pub struct AudioStream {
    media: AudioMedia,
}

impl AudioStream {
    /// Starts a stream on `transport` as `config` says (codec, payload
    /// types, remote addresses, jitter buffer, VAD). The jitter buffer
    /// settings left at −1 take the endpoint's `MediaConfig.jb*`;
    /// `MediaConfig.noVad` turns VAD off whatever `config.vad` says.
    pub fn create(
        ep: &Endpoint,
        transport: MediaTransport,
        mut config: StreamConfig,
    ) -> Result<Self> {
        let title = "AudioStream::create()";
        let media = ep.media(title)?;
        let id = media.with_core(title, |core| {
            let c = &core.config;
            for (field, default) in [
                (&mut config.jb_init, c.jb_init),
                (&mut config.jb_min_pre, c.jb_min_pre),
                (&mut config.jb_max_pre, c.jb_max_pre),
                (&mut config.jb_max, c.jb_max),
            ] {
                if *field < 0 {
                    *field = default;
                }
            }
            // PJSUA2's MediaConfig.noVad turns silence suppression off.
            config.vad &= !c.no_vad;
            let stream = Stream::new(config, Instant::now())
                .map_err(|e| Error::new(status::PJ_EINVAL, title, e.to_string()))?;
            let name = format!("stream {}", stream.codec_desc().id());
            let id = core
                .add_port(stream, &name, PortRole::Plain)
                .map_err(|e| super::errors::bridge(title, &e))?;
            // A stream sends even when nothing transmits to it, as in PJSUA.
            let _ = core.bridge.set_fed_when_idle(id, true);
            if let Err(e) = core.rtp.add(id, transport) {
                core.remove_port(id);
                return Err(Error::io(title, &e));
            }
            Ok(id)
        })??;
        Ok(Self {
            media: AudioMedia::new(&media, id),
        })
    }

    fn with<R>(&self, title: &str, f: impl FnOnce(&mut Stream) -> R) -> Result<R> {
        let (media, port) = self.media.resolve(title)?;
        media
            .with_core(title, |core| core.bridge.port_mut::<Stream>(port).map(f))?
            .map_err(|e| super::errors::bridge(title, &e))
    }

    /// RTP and RTCP statistics and the jitter buffer's state (PJSUA2's
    /// `StreamStat`).
    pub fn stats(&self) -> Result<StreamStat> {
        self.with("AudioStream::getStreamStat()", |s| s.stats())
    }

    /// Sends DTMF digits as RFC 4733 events, `duration_ms` each.
    pub fn send_dtmf(&self, digits: &str, duration_ms: u32) -> Result<()> {
        let title = "AudioStream::sendDtmf()";
        self.with(title, |s| s.send_dtmf(digits, duration_ms))?
            .map_err(|e| Error::new(status::PJMEDIA_RTP_EINDTMF, title, e.to_string()))
    }

    /// Lets the stream's RTP go out or not (RTCP always does): what a
    /// call does with a line whose SDP direction does not send.
    pub(crate) fn set_sending(&self, sending: bool) -> Result<()> {
        let title = "AudioStream::setSending()";
        let (media, port) = self.media.resolve(title)?;
        media.with_core(title, |core| {
            if let Ok(stream) = core.bridge.port_mut::<Stream>(port) {
                stream.set_sending(sending);
            }
        })
    }

    /// The local RTP and RTCP addresses.
    pub fn local_addrs(&self) -> Result<(SocketAddr, SocketAddr)> {
        let title = "AudioStream::localAddrs()";
        let (media, port) = self.media.resolve(title)?;
        media
            .with_core(title, |core| super::rtp_io::local_addrs(&core.rtp, port))?
            .ok_or_else(|| Error::new(status::PJ_EGONE, title, "the stream is closed"))
    }
}

impl std::ops::Deref for AudioStream {
    type Target = AudioMedia;
    fn deref(&self) -> &AudioMedia {
        &self.media
    }
}

impl Drop for AudioStream {
    fn drop(&mut self) {
        self.media.remove_from_bridge();
    }
}
