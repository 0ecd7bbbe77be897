//! `WavPlayer`: a WAV file, or a playlist of them, as a media port
//! (PJSUA2's `AudioMediaPlayer`).

use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};

use super::error::WavError;
use super::reader::WavReader;
use crate::port::{AudioFormat, FrameKind, MediaPort};

/// PJSUA2's `createPlayer` option that plays the file once
/// (`PJMEDIA_FILE_NO_LOOP`).
pub const PLAYER_NO_LOOP: u32 = 1;

/// How a player plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayerOptions {
    /// Play once and fall silent at the end instead of starting over.
    pub no_loop: bool,
    /// Frame duration in milliseconds (PJSUA2 uses 20).
    pub ptime_ms: u32,
}

impl Default for PlayerOptions {
    fn default() -> Self {
        Self {
            no_loop: false,
            ptime_ms: 20,
        }
    }
}

impl PlayerOptions {
    /// Options from PJSUA2's `options` bit field ([`PLAYER_NO_LOOP`]), with
    /// 20 ms frames.
    pub fn from_flags(options: u32) -> Self {
        Self {
            no_loop: options & PLAYER_NO_LOOP != 0,
            ..Self::default()
        }
    }
}

/// What a player reports to its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayerEvent {
    /// The last sample of the file (of the playlist's last file) was
    /// played: PJSUA2's `onEof2`. A looping player reports it at the end of
    /// every pass.
    Eof,
}

/// What PJSUA2's `AudioMediaPlayer.getInfo()` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioMediaPlayerInfo {
    /// pjmedia's format id of the file's encoding (`formatId`): 0 for PCM,
    /// "ALAW" and "uLAW" as four-character codes for G.711.
    pub format_id: u32,
    /// Bits of one sample in the file (`payloadBitsPerSample`).
    pub payload_bits_per_sample: u32,
    /// Bytes of audio data (`sizeBytes`).
    pub size_bytes: u32,
    /// Samples, counting every channel (`sizeSamples`).
    pub size_samples: u32,
}

/// Why a player cannot be made or moved.
#[derive(Debug, thiserror::Error)]
pub enum PlayerError {
    /// A file is missing, unreadable, corrupt or truncated.
    #[error("cannot play {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: WavError,
    },
    /// A playlist with no file.
    #[error("the playlist is empty")]
    EmptyPlaylist,
    /// A playlist file whose rate or channel count differs from the first
    /// file's.
    #[error(
        "{path} is {found_rate} Hz with {found_channels} channel(s), but the playlist is {rate} Hz with {channels}"
    )]
    FormatMismatch {
        /// The odd file.
        path: PathBuf,
        /// The playlist's rate.
        rate: u32,
        /// The playlist's channels.
        channels: u16,
        /// The file's rate.
        found_rate: u32,
        /// The file's channels.
        found_channels: u16,
    },
    /// A frame duration that gives no sample per frame.
    #[error("a ptime of {0} ms gives frames without samples")]
    BadPtime(u32),
    /// `set_pos` past the end of the file.
    #[error("position {pos} is past the end of the file ({len} samples)")]
    PositionOutOfRange {
        /// The asked position.
        pos: u64,
        /// Samples in the file.
        len: u64,
    },
    /// The file could not be sought.
    #[error("cannot seek: {0}")]
    Seek(WavError),
}

#[derive(Debug)]
struct Track {
    path: PathBuf,
    reader: WavReader<File>,
}

/// Plays a WAV file, or several in turn, as a source of frames.
///
/// Reads PCM 8/16-bit and G.711 A-law/µ-law WAV files at any rate and
/// channel count; the port's format is the file's, and the conference
/// bridge converts. The file is read as it plays (16 KiB at a time), so a
/// file cut short while playing ends cleanly where it was cut.
///
/// At the end of the file (of the last file of a playlist) the player
/// queues [`PlayerEvent::Eof`] for its owner to [`WavPlayer::poll_event`],
/// then starts over, or with [`PlayerOptions::no_loop`] falls silent
/// ([`FrameKind::None`]) until [`WavPlayer::set_pos`] moves it back. The
/// frame holding the last samples is padded with silence (or, when
/// looping, continues with the first samples again).
///
/// File I/O is the one effect this sans-IO crate allows itself: the player
/// reads its file inside `get_frame`.
#[derive(Debug)]
pub struct WavPlayer {
    tracks: Vec<Track>,
    current: usize,
    format: AudioFormat,
    no_loop: bool,
    finished: bool,
    events: VecDeque<PlayerEvent>,
}

impl WavPlayer {
    /// Opens `path` for playing (PJSUA2's `createPlayer`). Corrupt or
    /// truncated files are refused here, with the reason.
    pub fn open(path: impl AsRef<Path>, options: PlayerOptions) -> Result<Self, PlayerError> {
        Self::open_playlist(&[path], options)
    }

    /// Opens files to play one after the other (PJSUA2's
    /// `createPlaylist`). They must share a sample rate and a channel
    /// count; their encodings may differ.
    pub fn open_playlist<P: AsRef<Path>>(
        paths: &[P],
        options: PlayerOptions,
    ) -> Result<Self, PlayerError> {
        let mut tracks = Vec::with_capacity(paths.len());
        for path in paths {
            let path = path.as_ref().to_path_buf();
            match WavReader::open(&path) {
                Ok(reader) => tracks.push(Track { path, reader }),
                Err(source) => return Err(PlayerError::Open { path, source }),
            }
        }
        let Some(first) = tracks.first() else {
            return Err(PlayerError::EmptyPlaylist);
        };
        let (rate, channels) = (
            first.reader.header().sample_rate,
            first.reader.header().channels,
        );
        for track in &tracks[1..] {
            let h = track.reader.header();
            if (h.sample_rate, h.channels) != (rate, channels) {
                return Err(PlayerError::FormatMismatch {
                    path: track.path.clone(),
                    rate,
                    channels,
                    found_rate: h.sample_rate,
                    found_channels: h.channels,
                });
            }
        }
        let format = AudioFormat::new(rate, channels, options.ptime_ms);
        if format.samples_per_frame == 0 {
            return Err(PlayerError::BadPtime(options.ptime_ms));
        }
        Ok(Self {
            tracks,
            current: 0,
            format,
            no_loop: options.no_loop,
            finished: false,
            events: VecDeque::new(),
        })
    }

    /// The next event, if any (call after every bridge tick).
    pub fn poll_event(&mut self) -> Option<PlayerEvent> {
        self.events.pop_front()
    }

    /// The file now playing's encoding and size (PJSUA2's `getInfo`).
    pub fn info(&self) -> AudioMediaPlayerInfo {
        let h = self.tracks[self.current].reader.header();
        let bytes = u32::from(h.encoding.bytes_per_sample());
        AudioMediaPlayerInfo {
            format_id: h.encoding.format_id(),
            payload_bits_per_sample: bytes * 8,
            size_bytes: u32::try_from(h.data_len).unwrap_or(u32::MAX),
            size_samples: u32::try_from(h.samples()).unwrap_or(u32::MAX),
        }
    }

    /// The position in the file now playing, in samples counting every
    /// channel (PJSUA2's `getPos`).
    pub fn pos(&self) -> u64 {
        self.tracks[self.current].reader.position()
    }

    /// Moves within the file now playing, in samples counting every channel
    /// (rounded down to a whole frame; PJSUA2's `setPos`). A player that
    /// finished with [`PlayerOptions::no_loop`] plays again from there.
    pub fn set_pos(&mut self, samples: u64) -> Result<(), PlayerError> {
        let reader = &mut self.tracks[self.current].reader;
        let len = reader.header().samples();
        if samples > len {
            return Err(PlayerError::PositionOutOfRange { pos: samples, len });
        }
        reader.seek(samples).map_err(PlayerError::Seek)?;
        self.finished = false;
        Ok(())
    }

    /// True once a [`PlayerOptions::no_loop`] player has played everything.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The file now playing.
    pub fn path(&self) -> &Path {
        &self.tracks[self.current].path
    }

    /// The index in the playlist of the file now playing.
    pub fn track_index(&self) -> usize {
        self.current
    }

    /// Moves to the next file after the current one ended; reports the end
    /// of the list. Returns false when playing must stop.
    fn next_track(&mut self) -> bool {
        if self.current + 1 < self.tracks.len() {
            self.current += 1;
        } else {
            self.events.push_back(PlayerEvent::Eof);
            if self.no_loop {
                self.finished = true;
                return false;
            }
            self.current = 0;
        }
        self.tracks[self.current].reader.rewind().is_ok()
    }
}

impl MediaPort for WavPlayer {
    fn format(&self) -> AudioFormat {
        self.format
    }

    fn get_frame(&mut self, out: &mut [i16]) -> FrameKind {
        let mut filled = 0;
        // Files that ended without giving a sample in a row: bounded so a
        // playlist whose files were all emptied after opening cannot spin.
        let mut empty_ends = 0;
        while !self.finished && filled < out.len() {
            let n = self.tracks[self.current].reader.read(&mut out[filled..]);
            filled += n;
            let reader = &self.tracks[self.current].reader;
            if reader.at_end() || n == 0 {
                empty_ends = if n == 0 { empty_ends + 1 } else { 0 };
                if empty_ends > self.tracks.len() || !self.next_track() {
                    self.finished = true;
                }
            }
        }
        out[filled..].fill(0);
        if filled == 0 {
            FrameKind::None
        } else {
            FrameKind::Audio
        }
    }

    fn put_frame(&mut self, _frame: &[i16]) {}
}
