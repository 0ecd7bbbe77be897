//! The RIFF/WAVE header: the `fmt ` chunk and where the `data` chunk lies.
//!
//! A small in-house RIFF walker rather than hound's reader, because the
//! player needs G.711 (format tags 6 and 7) as well as PCM, streams the data
//! instead of loading it, and must turn every malformed header into a
//! [`WavError`] naming what is wrong.

use std::io::{Read, Seek, SeekFrom};

use super::error::WavError;
use super::{MAX_CHANNELS, MAX_RATE, MIN_RATE};

const TAG_PCM: u16 = 0x0001;
const TAG_ALAW: u16 = 0x0006;
const TAG_ULAW: u16 = 0x0007;
const TAG_EXTENSIBLE: u16 = 0xfffe;

/// pjmedia's format id for 16-bit linear PCM (`PJMEDIA_FORMAT_L16`).
pub const FORMAT_ID_L16: u32 = 0;
/// pjmedia's format id for G.711 A-law (`PJMEDIA_FORMAT_PCMA`, "ALAW").
pub const FORMAT_ID_PCMA: u32 = u32::from_le_bytes(*b"ALAW");
/// pjmedia's format id for G.711 µ-law (`PJMEDIA_FORMAT_PCMU`, "uLAW").
pub const FORMAT_ID_PCMU: u32 = u32::from_le_bytes(*b"uLAW");

/// How the samples of a WAV file are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WavEncoding {
    /// 8-bit unsigned linear PCM.
    Pcm8,
    /// 16-bit signed little-endian linear PCM.
    Pcm16,
    /// G.711 A-law, one byte per sample.
    Alaw,
    /// G.711 µ-law, one byte per sample.
    Ulaw,
}

impl WavEncoding {
    /// Bytes one sample of one channel takes in the file.
    pub const fn bytes_per_sample(self) -> u16 {
        match self {
            Self::Pcm16 => 2,
            Self::Pcm8 | Self::Alaw | Self::Ulaw => 1,
        }
    }

    /// pjmedia's format id, as PJSUA2's `AudioMediaPlayerInfo.formatId`
    /// reports it: [`FORMAT_ID_L16`] for PCM, [`FORMAT_ID_PCMA`],
    /// [`FORMAT_ID_PCMU`].
    pub const fn format_id(self) -> u32 {
        match self {
            Self::Pcm8 | Self::Pcm16 => FORMAT_ID_L16,
            Self::Alaw => FORMAT_ID_PCMA,
            Self::Ulaw => FORMAT_ID_PCMU,
        }
    }

    /// A short name for messages.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Pcm8 => "8-bit PCM",
            Self::Pcm16 => "16-bit PCM",
            Self::Alaw => "A-law",
            Self::Ulaw => "µ-law",
        }
    }
}

/// What a WAV file holds and where its audio is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WavHeader {
    /// The sample encoding.
    pub encoding: WavEncoding,
    /// Interleaved channels.
    pub channels: u16,
    /// Samples per second per channel.
    pub sample_rate: u32,
    /// Byte offset of the first sample in the file.
    pub data_offset: u64,
    /// Bytes of audio, a whole number of frames (a trailing partial frame
    /// the header declares is ignored).
    pub data_len: u64,
}

impl WavHeader {
    /// Reads the header from the start of `input`, leaving the position
    /// anywhere. Checks every field, and that the `data` chunk lies wholly
    /// within the file.
    pub fn parse<R: Read + Seek>(input: &mut R) -> Result<Self, WavError> {
        let file_len = input.seek(SeekFrom::End(0))?;
        input.seek(SeekFrom::Start(0))?;

        let mut riff = [0u8; 12];
        let got = read_up_to(input, &mut riff)?;
        if got < 12 || &riff[0..4] != b"RIFF" || &riff[8..12] != b"WAVE" {
            return Err(WavError::NotWave {
                found: riff[..got].to_vec(),
            });
        }

        let mut format: Option<Format> = None;
        let mut offset: u64 = 12;
        loop {
            if offset + 8 > file_len {
                return Err(if format.is_some() {
                    WavError::MissingData
                } else {
                    WavError::MissingFormat
                });
            }
            input.seek(SeekFrom::Start(offset))?;
            let mut chunk = [0u8; 8];
            input.read_exact(&mut chunk)?;
            let id = [chunk[0], chunk[1], chunk[2], chunk[3]];
            let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
            let body = offset + 8;
            match &id {
                b"fmt " => {
                    if body + size > file_len {
                        return Err(truncated(id, offset));
                    }
                    format = Some(Format::parse(input, size)?);
                }
                b"data" => {
                    let Some(format) = format else {
                        return Err(WavError::MissingFormat);
                    };
                    let available = file_len - body;
                    if size > available {
                        return Err(WavError::TruncatedData {
                            declared: size,
                            available,
                        });
                    }
                    let block = u64::from(format.block_align());
                    let data_len = size - size % block;
                    if data_len == 0 {
                        return Err(WavError::NoAudio(size));
                    }
                    return Ok(Self {
                        encoding: format.encoding,
                        channels: format.channels,
                        sample_rate: format.sample_rate,
                        data_offset: body,
                        data_len,
                    });
                }
                _ => {
                    if body + size > file_len {
                        return Err(truncated(id, offset));
                    }
                }
            }
            // Chunks are padded to an even length.
            offset = body + size + (size & 1);
        }
    }

    /// Bytes of one frame (one sample of every channel).
    pub const fn block_align(&self) -> u16 {
        self.channels * self.encoding.bytes_per_sample()
    }

    /// Samples in the file, counting every channel (PJSUA2's
    /// `sizeSamples`).
    pub const fn samples(&self) -> u64 {
        self.data_len / self.encoding.bytes_per_sample() as u64
    }

    /// Frames in the file (samples per channel).
    pub const fn frames(&self) -> u64 {
        self.data_len / self.block_align() as u64
    }
}

/// The fields of a `fmt ` chunk that matter.
#[derive(Debug, Clone, Copy)]
struct Format {
    encoding: WavEncoding,
    channels: u16,
    sample_rate: u32,
}

impl Format {
    fn parse<R: Read>(input: &mut R, size: u64) -> Result<Self, WavError> {
        if size < 16 {
            return Err(WavError::ShortFormat(size as u32));
        }
        let mut raw = [0u8; 40];
        let wanted = size.min(40) as usize;
        input.read_exact(&mut raw[..wanted])?;
        let u16_at = |i: usize| u16::from_le_bytes([raw[i], raw[i + 1]]);
        let mut tag = u16_at(0);
        let channels = u16_at(2);
        let sample_rate = u32::from_le_bytes([raw[4], raw[5], raw[6], raw[7]]);
        let block_align = u16_at(12);
        let bits = u16_at(14);
        if tag == TAG_EXTENSIBLE {
            // WAVEFORMATEXTENSIBLE: the real tag opens the sub-format GUID.
            if wanted < 40 {
                return Err(WavError::UnsupportedEncoding(TAG_EXTENSIBLE));
            }
            tag = u16_at(24);
        }
        let encoding = match (tag, bits) {
            (TAG_PCM, 8) => WavEncoding::Pcm8,
            (TAG_PCM, 16) => WavEncoding::Pcm16,
            (TAG_ALAW, 8) => WavEncoding::Alaw,
            (TAG_ULAW, 8) => WavEncoding::Ulaw,
            (TAG_PCM, bits) => {
                return Err(WavError::UnsupportedBits {
                    encoding: "PCM",
                    bits,
                });
            }
            (TAG_ALAW | TAG_ULAW, bits) => {
                return Err(WavError::UnsupportedBits {
                    encoding: "G.711",
                    bits,
                });
            }
            (tag, _) => return Err(WavError::UnsupportedEncoding(tag)),
        };
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(WavError::BadChannels(channels));
        }
        if !(MIN_RATE..=MAX_RATE).contains(&sample_rate) {
            return Err(WavError::BadRate(sample_rate));
        }
        let format = Self {
            encoding,
            channels,
            sample_rate,
        };
        if block_align != format.block_align() {
            return Err(WavError::BadBlockAlign {
                found: block_align,
                channels,
                bytes: encoding.bytes_per_sample(),
            });
        }
        Ok(format)
    }

    const fn block_align(&self) -> u16 {
        self.channels * self.encoding.bytes_per_sample()
    }
}

fn truncated(id: [u8; 4], offset: u64) -> WavError {
    WavError::TruncatedChunk {
        chunk: String::from_utf8_lossy(&id).into_owned(),
        offset,
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
pub(crate) fn read_up_to<R: Read>(input: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
