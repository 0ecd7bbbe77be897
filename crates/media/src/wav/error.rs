//! What can be wrong with a WAV file.

use std::io;

/// Why a WAV file cannot be read.
///
/// Every malformed input is one of these, never a panic: the parser checks
/// each field before it uses it.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// The file could not be opened, read or sought.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The file does not start with a RIFF header (`RIFF`, size, `WAVE`).
    #[error("not a RIFF/WAVE file (found {found:?} where \"RIFF....WAVE\" belongs)")]
    NotWave {
        /// The first bytes actually found (at most 12).
        found: Vec<u8>,
    },
    /// A chunk header or a chunk's body runs past the end of the file.
    #[error("the {chunk:?} chunk at byte {offset} is cut short: the file ends first")]
    TruncatedChunk {
        /// The chunk's four-character id, as text (lossy).
        chunk: String,
        /// Where the chunk header starts.
        offset: u64,
    },
    /// No `fmt ` chunk precedes the `data` chunk.
    #[error("no \"fmt \" chunk before the audio data")]
    MissingFormat,
    /// No `data` chunk was found.
    #[error("no \"data\" chunk in the file")]
    MissingData,
    /// The `fmt ` chunk is shorter than the 16 bytes every WAV format needs.
    #[error("the \"fmt \" chunk is {0} bytes long, at least 16 are needed")]
    ShortFormat(u32),
    /// An encoding other than PCM, A-law and µ-law.
    #[error(
        "unsupported WAV encoding: format tag {0:#06x} (PCM 1, A-law 6, µ-law 7 are supported)"
    )]
    UnsupportedEncoding(u16),
    /// A sample size this reader does not decode.
    #[error("unsupported sample size: {bits} bits for {encoding} (PCM 8 or 16, G.711 8)")]
    UnsupportedBits {
        /// The encoding named by the format tag.
        encoding: &'static str,
        /// Bits per sample from the header.
        bits: u16,
    },
    /// A channel count of zero or above [`super::MAX_CHANNELS`].
    #[error("unsupported channel count {0} (1 to {max} are supported)", max = super::MAX_CHANNELS)]
    BadChannels(u16),
    /// A sample rate outside [`super::MIN_RATE`]..=[`super::MAX_RATE`].
    #[error("unsupported sample rate {0} Hz ({min} to {max} Hz are supported)", min = super::MIN_RATE, max = super::MAX_RATE)]
    BadRate(u32),
    /// The block alignment disagrees with channels × bytes per sample.
    #[error("block align {found} does not match {channels} channel(s) of {bytes} byte(s)")]
    BadBlockAlign {
        /// Block align from the header.
        found: u16,
        /// Channels from the header.
        channels: u16,
        /// Bytes per sample implied by the encoding.
        bytes: u16,
    },
    /// The `data` chunk declares more bytes than the file holds.
    #[error(
        "truncated file: the data chunk declares {declared} bytes but only {available} follow it"
    )]
    TruncatedData {
        /// Size the header declares.
        declared: u64,
        /// Bytes present after the chunk header.
        available: u64,
    },
    /// The `data` chunk holds not even one sample per channel.
    #[error("the data chunk holds no audio ({0} bytes)")]
    NoAudio(u64),
}
