//! PJSUA2's `AudioMediaPlayer`: WAV files (or a playlist) as a bridge port.

use std::path::Path;
use std::sync::{Arc, Mutex};

use media::wav::{PlayerOptions, WavPlayer};

use super::AudioMedia;
use super::engine::PortRole;
use super::types::AudioMediaPlayerInfo;
use crate::endpoint::Endpoint;
use crate::error::Result;

/// `PJMEDIA_FILE_NO_LOOP`: play once, then fall silent.
pub const PJMEDIA_FILE_NO_LOOP: u32 = 1;

/// A player's callbacks. They run where every callback runs (a worker
/// thread, or inside `lib_handle_events`), never under a media lock.
pub trait AudioMediaPlayerHandler: Send {
    /// The end of the file (of the playlist's last file) was played
    /// (PJSUA2's `onEof2`). A looping player reports every pass. The
    /// player may be destroyed from here.
    fn on_eof2(&mut self, player: &AudioMedia) {
        let _ = player;
    }
}

/// A handler that ignores every event.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoPlayerHandler;

impl AudioMediaPlayerHandler for NoPlayerHandler {}

pub(crate) type SharedPlayerHandler = Arc<Mutex<Box<dyn AudioMediaPlayerHandler>>>;

/// Plays WAV files into the bridge (PJSUA2's `AudioMediaPlayer`): 8- or
/// 16-bit PCM, A-law or µ-law, any rate and channel count (the bridge
/// converts), looping unless [`PJMEDIA_FILE_NO_LOOP`]. Dereferences to its
/// [`AudioMedia`]; dropping it removes the port.
#[derive(Debug)]
pub struct AudioMediaPlayer {
    media: AudioMedia,
}

impl AudioMediaPlayer {
    /// Plays `file_name` (PJSUA2's `createPlayer`). A missing file gives
    /// `PJ_ENOTFOUND`, a corrupt or truncated one `PJMEDIA_ENOTVALIDWAVE`,
    /// an encoding it cannot play `PJMEDIA_EWAVEUNSUPP`.
    pub fn create_player(ep: &Endpoint, file_name: impl AsRef<Path>, options: u32) -> Result<Self> {
        let title = "AudioMediaPlayer::createPlayer()";
        let name = file_name.as_ref().to_string_lossy().into_owned();
        Self::create(ep, title, &[file_name.as_ref()], &name, options)
    }

    /// Plays files one after the other (PJSUA2's `createPlaylist`); they
    /// share a rate and a channel count. The port is named `label`, or
    /// `"WAV playlist"` (PJSUA2's name) when it is empty.
    pub fn create_playlist<P: AsRef<Path>>(
        ep: &Endpoint,
        file_names: &[P],
        label: &str,
        options: u32,
    ) -> Result<Self> {
        let title = "AudioMediaPlayer::createPlaylist()";
        let paths: Vec<&Path> = file_names.iter().map(AsRef::as_ref).collect();
        let label = if label.is_empty() {
            "WAV playlist"
        } else {
            label
        };
        Self::create(ep, title, &paths, label, options)
    }

    fn create(
        ep: &Endpoint,
        title: &str,
        paths: &[&Path],
        name: &str,
        options: u32,
    ) -> Result<Self> {
        let media = ep.media(title)?;
        let ptime = media.with_core(title, |core| core.bridge.format().frame_usec() / 1000)?;
        let mut opts = PlayerOptions::from_flags(options);
        opts.ptime_ms = u32::try_from(ptime).unwrap_or(20);
        // Opening reads the file: do it outside the media lock.
        let player =
            WavPlayer::open_playlist(paths, opts).map_err(|e| super::errors::player(title, &e))?;
        let id = media
            .with_core(title, |core| core.add_port(player, name, PortRole::Player))?
            .map_err(|e| super::errors::bridge(title, &e))?;
        Ok(Self {
            media: AudioMedia::new(&media, id),
        })
    }

    /// Sends `on_eof2` to `handler` from now on.
    pub fn set_handler(&self, handler: impl AudioMediaPlayerHandler + 'static) -> Result<()> {
        let title = "AudioMediaPlayer::setHandler()";
        let (media, port) = self.media.resolve(title)?;
        media.set_player_handler(port, Arc::new(Mutex::new(Box::new(handler))));
        Ok(())
    }

    fn with_player<R>(&self, title: &str, f: impl FnOnce(&mut WavPlayer) -> R) -> Result<R> {
        let (media, port) = self.media.resolve(title)?;
        media
            .with_core(title, |core| core.bridge.port_mut::<WavPlayer>(port).map(f))?
            .map_err(|e| super::errors::bridge(title, &e))
    }

    /// The file's encoding and size (PJSUA2's `getInfo`).
    pub fn info(&self) -> Result<AudioMediaPlayerInfo> {
        self.with_player("AudioMediaPlayer::getInfo()", |p| p.info().into())
    }

    /// The position in the current file, in samples per channel (PJSUA2's
    /// `getPos`).
    pub fn pos(&self) -> Result<u32> {
        self.with_player("AudioMediaPlayer::getPos()", |p| {
            u32::try_from(p.pos()).unwrap_or(u32::MAX)
        })
    }

    /// Moves to sample `samples` of the current file (PJSUA2's `setPos`).
    pub fn set_pos(&self, samples: u32) -> Result<()> {
        let title = "AudioMediaPlayer::setPos()";
        self.with_player(title, |p| p.set_pos(u64::from(samples)))?
            .map_err(|e| super::errors::player(title, &e))
    }
}

impl std::ops::Deref for AudioMediaPlayer {
    type Target = AudioMedia;
    fn deref(&self) -> &AudioMedia {
        &self.media
    }
}

impl Drop for AudioMediaPlayer {
    fn drop(&mut self) {
        self.media.remove_from_bridge();
    }
}
