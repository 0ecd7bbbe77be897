//! WAV files as media ports: [`WavPlayer`] (PJSUA2's `AudioMediaPlayer`)
//! and [`WavRecorder`] (`AudioMediaRecorder`), over a small RIFF reader
//! ([`WavReader`]) that decodes PCM 8/16-bit and G.711 A-law/µ-law WAV files.
//!
//! These ports are the one place this otherwise sans-IO crate does I/O:
//! a player reads its file in `get_frame` and a recorder writes in
//! `put_frame`, both on the media clock's thread, as pjmedia's file ports
//! do. Reads and writes are buffered (16 KiB for a player, hound's buffered
//! writer for a recorder) so a frame rarely costs a system call. Nothing
//! here reads a clock, starts a thread or opens a socket.
//!
//! ```no_run
//! use media::wav::{PlayerEvent, PlayerOptions, RecorderOptions, WavPlayer, WavRecorder};
//! use media::{AudioFormat, MediaPort};
//!
//! let mut player = WavPlayer::open("prompt.wav", PlayerOptions { no_loop: true, ..Default::default() })?;
//! let mut recorder = WavRecorder::create("copy.wav", player.format(), RecorderOptions::default())?;
//! let mut frame = vec![0i16; player.format().frame_len()];
//! while player.poll_event() != Some(PlayerEvent::Eof) {
//!     player.get_frame(&mut frame);
//!     recorder.put_frame(&frame);
//! }
//! recorder.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod header;
mod player;
mod reader;
mod recorder;

pub use error::WavError;
pub use header::{FORMAT_ID_L16, FORMAT_ID_PCMA, FORMAT_ID_PCMU, WavEncoding, WavHeader};
pub use player::{
    AudioMediaPlayerInfo, PLAYER_NO_LOOP, PlayerError, PlayerEvent, PlayerOptions, WavPlayer,
};
pub use reader::WavReader;
pub use recorder::{RecorderError, RecorderEvent, RecorderOptions, WavRecorder};

/// Most channels a WAV file may have to be read.
pub const MAX_CHANNELS: u16 = 16;
/// Lowest sample rate read, in Hz.
pub const MIN_RATE: u32 = 1_000;
/// Highest sample rate read, in Hz.
pub const MAX_RATE: u32 = 384_000;
