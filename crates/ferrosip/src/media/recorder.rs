//! PJSUA2's `AudioMediaRecorder`: a bridge port that writes a WAV file.

use std::path::Path;

use media::wav::{RecorderOptions, WavRecorder};

use super::AudioMedia;
use super::engine::PortRole;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, status};

/// Records what is sent to it into a 16-bit PCM WAV file at the bridge's
/// rate and channel count (PJSUA2's `AudioMediaRecorder`). The header is
/// completed when the recorder is dropped, and kept current every second
/// while it records, so a process killed mid-recording leaves a valid
/// file. Dereferences to its [`AudioMedia`].
#[derive(Debug)]
pub struct AudioMediaRecorder {
    media: AudioMedia,
}

impl AudioMediaRecorder {
    /// Creates (or truncates) `file_name` and starts recording (PJSUA2's
    /// `createRecorder`). `enc_type` must be 0 (PCM); `max_size` in bytes,
    /// 0 or −1 for no limit; `options` is unused, as in PJSUA2. A name not
    /// ending in `.wav` gives `PJ_ENOTSUP`, as in PJSUA2.
    pub fn create_recorder(
        ep: &Endpoint,
        file_name: impl AsRef<Path>,
        enc_type: u32,
        max_size: i64,
        options: u32,
    ) -> Result<Self> {
        let title = "AudioMediaRecorder::createRecorder()";
        let _ = options;
        let path = file_name.as_ref();
        let is_wav = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
        if !is_wav || enc_type != 0 {
            return Err(Error::new(
                status::PJ_ENOTSUP,
                title,
                format!(
                    "{} is not a PCM WAV file name (only .wav, encoding 0, can be recorded)",
                    path.display()
                ),
            ));
        }
        let media = ep.media(title)?;
        let format = media.with_core(title, |core| core.bridge.format())?;
        let options = RecorderOptions {
            max_size: u64::try_from(max_size).unwrap_or(0),
            ..RecorderOptions::default()
        };
        let recorder = WavRecorder::create(path, format, options)
            .map_err(|e| super::errors::recorder(title, &e))?;
        let name = path.to_string_lossy().into_owned();
        let id = media
            .with_core(title, |core| {
                core.add_port(recorder, &name, PortRole::Recorder)
            })?
            .map_err(|e| super::errors::bridge(title, &e))?;
        Ok(Self {
            media: AudioMedia::new(&media, id),
        })
    }

    /// Stops recording and completes the file now, reporting a failure to
    /// write it (dropping does the same, silently).
    pub fn close(self) -> Result<()> {
        let title = "AudioMediaRecorder::close()";
        let (media, port) = self.media.resolve(title)?;
        media
            .with_core(title, |core| core.take_recorder(port))?
            .map_err(|e| super::errors::recorder(title, &e))
    }
}

impl std::ops::Deref for AudioMediaRecorder {
    type Target = AudioMedia;
    fn deref(&self) -> &AudioMedia {
        &self.media
    }
}

impl Drop for AudioMediaRecorder {
    fn drop(&mut self) {
        self.media.remove_from_bridge();
    }
}
