//! `WavRecorder`: a media port that writes what it receives to a 16-bit
//! PCM WAV file (PJSUA2's `AudioMediaRecorder`).

use std::collections::VecDeque;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::port::{AudioFormat, FrameKind, MediaPort};

/// The header hound writes for one or two channels (PCMWAVEFORMAT).
const HEADER_BYTES: u64 = 44;
/// The header hound writes for more channels (WAVEFORMATEXTENSIBLE).
const EXTENSIBLE_HEADER_BYTES: u64 = 68;
/// A RIFF file's sizes are 32-bit.
const RIFF_LIMIT: u64 = u32::MAX as u64;

/// How a recorder writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecorderOptions {
    /// Largest file, header included, in bytes; 0 for no limit but the
    /// 4 GiB of a RIFF file (PJSUA2's `maxSize`). Recording stops at the
    /// last whole frame that fits, and [`RecorderEvent::MaxSizeReached`] is
    /// queued.
    pub max_size: u64,
    /// Rewrite the header's sizes every this many frames, so that a
    /// process killed while recording leaves a valid file holding all but
    /// the last frames; 0 writes them only when the file is closed. 1
    /// keeps the header right after every frame, at the cost of a seek and
    /// a write per frame.
    pub header_update_frames: u32,
}

impl Default for RecorderOptions {
    /// No size limit; header sizes rewritten every 50 frames (one second
    /// of 20 ms frames).
    fn default() -> Self {
        Self {
            max_size: 0,
            header_update_frames: 50,
        }
    }
}

/// What a recorder reports to its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecorderEvent {
    /// The file reached [`RecorderOptions::max_size`] (or the 4 GiB RIFF
    /// limit); later frames are dropped.
    MaxSizeReached,
    /// Writing failed (a full disk, a removed file); later frames are
    /// dropped. The text is the I/O error.
    WriteFailed(String),
}

/// Why a recorder cannot be made or closed.
#[derive(Debug, thiserror::Error)]
pub enum RecorderError {
    /// The file cannot be created or written.
    #[error("cannot record to {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O error (through hound).
        source: hound::Error,
    },
    /// A format with no channel, no sample or a rate of 0.
    #[error("cannot record {0:?}: it needs a clock rate, channels and samples per frame")]
    BadFormat(AudioFormat),
}

/// Records the frames it is given to a 16-bit PCM WAV file at its own
/// format (PJSUA2's `createRecorder(file, encType=0, maxSize)`).
///
/// The header is complete whenever the file is closed: by
/// [`WavRecorder::close`], which also reports errors and syncs the file to
/// disk, or by dropping the recorder. Between, it is rewritten every
/// [`RecorderOptions::header_update_frames`] frames.
///
/// File I/O is the one effect this sans-IO crate allows itself: the
/// recorder writes inside `put_frame`.
pub struct WavRecorder {
    writer: Option<hound::WavWriter<BufWriter<File>>>,
    file: File,
    path: PathBuf,
    format: AudioFormat,
    options: RecorderOptions,
    limit: u64,
    data_bytes: u64,
    frames_since_update: u32,
    stopped: bool,
    events: VecDeque<RecorderEvent>,
}

impl WavRecorder {
    /// Creates (or truncates) `path` and writes the WAV header.
    pub fn create(
        path: impl AsRef<Path>,
        format: AudioFormat,
        options: RecorderOptions,
    ) -> Result<Self, RecorderError> {
        if format.clock_rate == 0 || format.channels == 0 || format.samples_per_frame == 0 {
            return Err(RecorderError::BadFormat(format));
        }
        let path = path.as_ref().to_path_buf();
        let fail = |source| RecorderError::File {
            path: path.clone(),
            source,
        };
        let file = File::create(&path).map_err(|e| fail(hound::Error::IoError(e)))?;
        let sync_handle = file
            .try_clone()
            .map_err(|e| fail(hound::Error::IoError(e)))?;
        let spec = hound::WavSpec {
            channels: format.channels,
            sample_rate: format.clock_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::new(BufWriter::new(file), spec).map_err(fail)?;
        let header = if format.channels > 2 {
            EXTENSIBLE_HEADER_BYTES
        } else {
            HEADER_BYTES
        };
        let cap = if options.max_size == 0 {
            RIFF_LIMIT
        } else {
            options.max_size.min(RIFF_LIMIT)
        };
        Ok(Self {
            writer: Some(writer),
            file: sync_handle,
            path,
            format,
            options,
            limit: cap.saturating_sub(header),
            data_bytes: 0,
            frames_since_update: 0,
            stopped: false,
            events: VecDeque::new(),
        })
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<RecorderEvent> {
        self.events.pop_front()
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes of audio written so far.
    pub fn data_bytes(&self) -> u64 {
        self.data_bytes
    }

    /// Samples per channel written so far.
    pub fn frames_written(&self) -> u64 {
        self.data_bytes / (2 * u64::from(self.format.channels))
    }

    /// True once recording stopped (size limit or write error).
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Completes the header, flushes and syncs the file to disk, and
    /// reports any error. Once this returns `Ok`, the file is a valid WAV
    /// whatever happens to the process.
    pub fn close(mut self) -> Result<(), RecorderError> {
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        let path = self.path.clone();
        writer.finalize().map_err(|source| RecorderError::File {
            path: path.clone(),
            source,
        })?;
        self.file.sync_data().map_err(|e| RecorderError::File {
            path,
            source: hound::Error::IoError(e),
        })
    }

    fn write(&mut self, frame: &[i16]) -> Result<(), hound::Error> {
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let mut samples = writer.get_i16_writer(frame.len() as u32);
        for &s in frame {
            samples.write_sample(s);
        }
        samples.flush()?;
        self.data_bytes += 2 * frame.len() as u64;
        self.frames_since_update += 1;
        let every = self.options.header_update_frames;
        if every != 0 && self.frames_since_update >= every {
            self.frames_since_update = 0;
            writer.flush()?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for WavRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavRecorder")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("options", &self.options)
            .field("data_bytes", &self.data_bytes)
            .field("stopped", &self.stopped)
            .field("open", &self.writer.is_some())
            .finish()
    }
}

impl MediaPort for WavRecorder {
    fn format(&self) -> AudioFormat {
        self.format
    }

    fn get_frame(&mut self, out: &mut [i16]) -> FrameKind {
        out.fill(0);
        FrameKind::None
    }

    fn put_frame(&mut self, frame: &[i16]) {
        if self.stopped {
            return;
        }
        let frame = &frame[..frame.len() - frame.len() % usize::from(self.format.channels)];
        if self.data_bytes + 2 * frame.len() as u64 > self.limit {
            self.stopped = true;
            self.events.push_back(RecorderEvent::MaxSizeReached);
            return;
        }
        if let Err(e) = self.write(frame) {
            self.stopped = true;
            self.events
                .push_back(RecorderEvent::WriteFailed(e.to_string()));
        }
    }
}
