//! Streaming decode of a WAV file's samples to 16-bit linear PCM.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use super::error::WavError;
use super::header::{WavEncoding, WavHeader};
use crate::codec::g711::{alaw_to_linear, ulaw_to_linear};

/// Bytes read from the file at a time: 4 KiB, as pjmedia's player (128 ms
/// of 16 kHz mono; the OS's read-ahead does the rest). Every player holds
/// one, so it weighs on memory per player (BENCHMARKS.md).
const BUFFER_BYTES: usize = 4 * 1024;

/// Reads the samples of a WAV file (PCM 8/16-bit, A-law, µ-law) as 16-bit
/// linear PCM, a buffer at a time, from any `Read + Seek` input.
///
/// The header is checked when the reader is made ([`WavHeader::parse`]). If
/// the file then turns out shorter than its header said (it was truncated
/// after it was opened, or a read fails), the audio simply ends there:
/// [`WavReader::at_end`] becomes true and [`WavReader::ended_early`] says
/// why. Reads never panic.
#[derive(Debug)]
pub struct WavReader<R> {
    input: R,
    header: WavHeader,
    /// Data bytes fetched from the input so far (from the data start).
    fetched: u64,
    buffer: Vec<u8>,
    /// Unconsumed bytes are `buffer[start..end]`.
    start: usize,
    end: usize,
    ended_early: bool,
}

impl WavReader<File> {
    /// Opens and checks the WAV file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, WavError> {
        Self::new(File::open(path)?)
    }
}

impl<R: Read + Seek> WavReader<R> {
    /// Checks the header of `input` and positions at the first sample.
    pub fn new(mut input: R) -> Result<Self, WavError> {
        let header = WavHeader::parse(&mut input)?;
        input.seek(SeekFrom::Start(header.data_offset))?;
        Ok(Self {
            input,
            header,
            fetched: 0,
            buffer: vec![0; BUFFER_BYTES],
            start: 0,
            end: 0,
            ended_early: false,
        })
    }

    /// The file's header.
    pub fn header(&self) -> &WavHeader {
        &self.header
    }

    /// Decodes up to `out.len()` samples (rounded down to whole frames) into
    /// `out`, interleaved; returns how many were written. Fewer than asked
    /// means the audio ended.
    pub fn read(&mut self, out: &mut [i16]) -> usize {
        let channels = usize::from(self.header.channels);
        let bytes = usize::from(self.header.encoding.bytes_per_sample());
        let block = channels * bytes;
        let wanted = out.len() - out.len() % channels;
        let mut written = 0;
        while written < wanted {
            if self.end - self.start < block && !self.fill() {
                break;
            }
            let frames = ((self.end - self.start) / block).min((wanted - written) / channels);
            let samples = frames * channels;
            let src = &self.buffer[self.start..self.start + samples * bytes];
            decode(
                self.header.encoding,
                src,
                &mut out[written..written + samples],
            );
            self.start += samples * bytes;
            written += samples;
        }
        written
    }

    /// True once every sample has been read, or the file ended early.
    pub fn at_end(&self) -> bool {
        let block = usize::from(self.header.block_align());
        let buffered = self.end - self.start >= block;
        !buffered && (self.fetched >= self.header.data_len || self.ended_early)
    }

    /// True if the file held less audio than its header declared (it was
    /// truncated after it was opened, or a read failed).
    pub fn ended_early(&self) -> bool {
        self.ended_early
    }

    /// The position, in samples counting every channel (PJSUA2's
    /// `getPos()` unit).
    pub fn position(&self) -> u64 {
        let consumed = self.fetched - (self.end - self.start) as u64;
        consumed / u64::from(self.header.encoding.bytes_per_sample())
    }

    /// Moves to sample `sample` (counting every channel, rounded down to a
    /// whole frame; clamped to the end of the audio).
    pub fn seek(&mut self, sample: u64) -> Result<(), WavError> {
        let channels = u64::from(self.header.channels);
        let frame = (sample / channels).min(self.header.frames());
        let byte = frame * u64::from(self.header.block_align());
        self.input
            .seek(SeekFrom::Start(self.header.data_offset + byte))?;
        self.fetched = byte;
        self.start = 0;
        self.end = 0;
        self.ended_early = false;
        Ok(())
    }

    /// Moves back to the first sample.
    pub fn rewind(&mut self) -> Result<(), WavError> {
        self.seek(0)
    }

    /// Tops the buffer up from the input; false if no whole frame is left.
    fn fill(&mut self) -> bool {
        let block = usize::from(self.header.block_align());
        self.buffer.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        while self.end < block && !self.ended_early {
            let remaining = self.header.data_len - self.fetched;
            if remaining == 0 {
                break;
            }
            let room = (self.buffer.len() - self.end).min(remaining as usize);
            match self.input.read(&mut self.buffer[self.end..self.end + room]) {
                Ok(0) => self.ended_early = true,
                Ok(n) => {
                    self.end += n;
                    self.fetched += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => self.ended_early = true,
            }
        }
        if self.end < block {
            // A partial frame at the very end is dropped.
            self.end = 0;
            return false;
        }
        true
    }
}

fn decode(encoding: WavEncoding, src: &[u8], out: &mut [i16]) {
    match encoding {
        WavEncoding::Pcm16 => {
            for (o, b) in out.iter_mut().zip(src.chunks_exact(2)) {
                *o = i16::from_le_bytes([b[0], b[1]]);
            }
        }
        WavEncoding::Pcm8 => {
            for (o, &b) in out.iter_mut().zip(src) {
                *o = (i16::from(b) - 128) << 8;
            }
        }
        WavEncoding::Alaw => {
            for (o, &b) in out.iter_mut().zip(src) {
                *o = alaw_to_linear(b);
            }
        }
        WavEncoding::Ulaw => {
            for (o, &b) in out.iter_mut().zip(src) {
                *o = ulaw_to_linear(b);
            }
        }
    }
}
