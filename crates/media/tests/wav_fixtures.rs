//! WAV fixtures and signal checks shared by the bridge, WAV and tone tests
//! (each includes this file with `#[path]`; built alone it holds no test,
//! `wav_player.rs` checks the fixtures).

#![allow(dead_code)]

use std::f64::consts::TAU;
use std::path::PathBuf;

/// A fresh path under cargo's per-target temporary directory.
pub(crate) fn temp_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("media-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// `frames` frames of a sine at `freq` Hz and `amplitude`, the same in
/// every one of `channels` channels, interleaved.
pub(crate) fn sine(freq: f64, amplitude: f64, rate: u32, channels: u16, frames: usize) -> Vec<i16> {
    let mut out = Vec::with_capacity(frames * usize::from(channels));
    for i in 0..frames {
        let v = (amplitude * (TAU * freq * i as f64 / f64::from(rate)).sin()).round() as i16;
        out.extend(std::iter::repeat_n(v, usize::from(channels)));
    }
    out
}

/// Writes a 16-bit PCM WAV file with hound.
pub(crate) fn write_pcm16(path: &std::path::Path, rate: u32, channels: u16, samples: &[i16]) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

/// Writes an 8-bit (unsigned) PCM WAV file with hound.
pub(crate) fn write_pcm8(path: &std::path::Path, rate: u32, channels: u16, samples: &[i16]) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 8,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        w.write_sample((s >> 8) as i8).unwrap();
    }
    w.finalize().unwrap();
}

/// G.711 companding laws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Law {
    /// A-law, format tag 6.
    A,
    /// µ-law, format tag 7.
    Mu,
}

/// Linear to µ-law (ITU-T G.711, the classic Sun implementation).
pub(crate) fn linear_to_ulaw(pcm: i16) -> u8 {
    const BIAS: i32 = 0x84;
    let (v, mask) = if pcm < 0 {
        (BIAS - i32::from(pcm), 0x7f)
    } else {
        (i32::from(pcm) + BIAS, 0xff)
    };
    let v = v.min(0x7fff);
    let seg = (0..8).find(|&s| v <= (0xff << s)).unwrap_or(8);
    if seg >= 8 {
        return 0x7f ^ mask;
    }
    ((seg << 4) as u8 | ((v >> (seg + 3)) & 0x0f) as u8) ^ mask
}

/// Linear to A-law (ITU-T G.711, the classic Sun implementation).
pub(crate) fn linear_to_alaw(pcm: i16) -> u8 {
    let (v, mask) = if pcm >= 0 {
        (i32::from(pcm), 0xd5u8)
    } else {
        (-i32::from(pcm) - 1, 0x55u8)
    };
    let seg = (0..8).find(|&s| v <= (0xff << s)).unwrap_or(8);
    if seg >= 8 {
        return 0x7f ^ mask;
    }
    let mut aval = (seg << 4) as u8;
    aval |= if seg < 2 {
        ((v >> 4) & 0x0f) as u8
    } else {
        ((v >> (seg + 3)) & 0x0f) as u8
    };
    aval ^ mask
}

/// The bytes of a RIFF/WAVE file with the given `fmt ` and `data` bodies
/// (and optional extra chunks before `data`).
pub(crate) fn riff(fmt: &[u8], extra: &[(&[u8; 4], &[u8])], data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(b"WAVE");
    let mut chunk = |id: &[u8; 4], bytes: &[u8]| {
        body.extend_from_slice(id);
        body.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        body.extend_from_slice(bytes);
        if bytes.len() % 2 == 1 {
            body.push(0);
        }
    };
    chunk(b"fmt ", fmt);
    for (id, bytes) in extra {
        chunk(id, bytes);
    }
    chunk(b"data", data);
    let mut file = Vec::new();
    file.extend_from_slice(b"RIFF");
    file.extend_from_slice(&(body.len() as u32).to_le_bytes());
    file.extend_from_slice(&body);
    file
}

/// A 16-byte `fmt ` body.
pub(crate) fn fmt_chunk(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
    let block = channels * bits.div_ceil(8);
    let mut f = Vec::new();
    f.extend_from_slice(&tag.to_le_bytes());
    f.extend_from_slice(&channels.to_le_bytes());
    f.extend_from_slice(&rate.to_le_bytes());
    f.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    f.extend_from_slice(&block.to_le_bytes());
    f.extend_from_slice(&bits.to_le_bytes());
    f
}

/// A G.711 WAV file's bytes (format tag 6 or 7, with a `fact` chunk as
/// Windows writes them).
pub(crate) fn g711_wav(law: Law, rate: u32, channels: u16, samples: &[i16]) -> Vec<u8> {
    let (tag, data): (u16, Vec<u8>) = match law {
        Law::A => (6, samples.iter().map(|&s| linear_to_alaw(s)).collect()),
        Law::Mu => (7, samples.iter().map(|&s| linear_to_ulaw(s)).collect()),
    };
    let mut fmt = fmt_chunk(tag, channels, rate, 8);
    fmt.extend_from_slice(&0u16.to_le_bytes()); // cbSize
    let frames = (samples.len() / usize::from(channels)) as u32;
    riff(&fmt, &[(b"fact", &frames.to_le_bytes())], &data)
}

/// Reads a WAV file with hound (an independent reader): its spec and
/// samples.
pub(crate) fn read_wav(path: &std::path::Path) -> (hound::WavSpec, Vec<i16>) {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    let samples = r.samples::<i16>().map(|s| s.unwrap()).collect();
    (spec, samples)
}

/// Channel `channel` of interleaved `samples`.
pub(crate) fn channel(samples: &[i16], channels: u16, channel: usize) -> Vec<i16> {
    samples
        .iter()
        .skip(channel)
        .step_by(usize::from(channels))
        .copied()
        .collect()
}

/// The frequency of a steady tone from its zero crossings.
pub(crate) fn zero_crossing_frequency(samples: &[i16], rate: u32) -> f64 {
    let crossings: Vec<usize> = samples
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] < 0 && w[1] >= 0)
        .map(|(i, _)| i)
        .collect();
    if crossings.len() < 2 {
        return 0.0;
    }
    let periods = (crossings.len() - 1) as f64;
    let span = (crossings[crossings.len() - 1] - crossings[0]) as f64;
    periods * f64::from(rate) / span
}

/// The first and one-past-last indices of samples louder than `threshold`.
pub(crate) fn loud_span(samples: &[i16], threshold: i16) -> Option<(usize, usize)> {
    let first = samples
        .iter()
        .position(|s| s.unsigned_abs() > threshold as u16)?;
    let last = samples
        .iter()
        .rposition(|s| s.unsigned_abs() > threshold as u16)?;
    Some((first, last + 1))
}
