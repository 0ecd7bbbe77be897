//! WAV files for the call tests: a tone to play ([`write_tone_wav`]), and a
//! recording to check ([`Wav::read`], [`Wav::tone`]): is there a tone of a
//! given frequency, and how much of the sound is it?
//!
//! The check that works for calls on loopback (see
//! `../shared/peers/README.md`): one side plays a sine of a known frequency,
//! the other records; skip the first half second (call setup, jitter buffer
//! filling), then measure the RMS and the share of the energy at that
//! frequency (a Goertzel filter over 50 ms blocks) against the rest.
//!
//! ```no_run
//! use std::time::Duration;
//!
//! let wav = interop::audio::Wav::read("received.wav".as_ref()).unwrap();
//! let tone = wav.tone(440.0, Duration::from_millis(500));
//! assert!(tone.seconds > 1.0 && tone.rms > 1000.0 && tone.share > 0.8, "{tone:?}");
//! ```

use std::f64::consts::PI;
use std::fs;
use std::io;
use std::path::Path;
use std::time::Duration;

/// A WAV file's audio, mixed down to mono.
#[derive(Debug, Clone, PartialEq)]
pub struct Wav {
    /// Samples per second.
    pub rate: u32,
    /// The channels of the file (the samples are their mean).
    pub channels: u16,
    /// The samples, mono, 16-bit.
    pub samples: Vec<i16>,
}

/// How much of a recording is one tone; from [`Wav::tone`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToneMeasure {
    /// The frequency looked for, in Hz.
    pub freq: f64,
    /// Seconds of audio measured (after the skipped start).
    pub seconds: f64,
    /// RMS of the measured audio (full scale 32768).
    pub rms: f64,
    /// The share of the energy at `freq` (0 to 1): about 1 for a clean sine
    /// at that frequency, about 0 when the sound is something else or
    /// silence.
    pub share: f64,
}

impl ToneMeasure {
    /// Whether the audio holds the tone clearly: at least `min_seconds` of
    /// it, RMS above 300, and more than 60 % of the energy at the tone's
    /// frequency.
    pub fn is_clear(&self, min_seconds: f64) -> bool {
        self.seconds >= min_seconds && self.rms > 300.0 && self.share > 0.6
    }
}

impl Wav {
    /// Reads a 16-bit PCM WAV file (format 1, or WAVE_FORMAT_EXTENSIBLE with
    /// 16-bit samples), leniently: a `data` chunk whose size is 0 or runs
    /// past the end of the file (a recorder that has not closed it yet) is
    /// taken to the end of the file.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or is not such a WAV file.
    pub fn read(path: &Path) -> io::Result<Self> {
        let bytes = fs::read(path)?;
        Self::parse(&bytes).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })
    }

    /// Parses the bytes of a WAV file, as [`read`](Self::read).
    ///
    /// # Errors
    ///
    /// A description of what is wrong with the file.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
            return Err("not a RIFF/WAVE file".into());
        }
        let mut pos = 12;
        let mut format: Option<(u16, u16, u32, u16)> = None;
        while pos + 8 <= bytes.len() {
            let id = &bytes[pos..pos + 4];
            let size = u32::from_le_bytes([
                bytes[pos + 4],
                bytes[pos + 5],
                bytes[pos + 6],
                bytes[pos + 7],
            ]) as usize;
            let body = pos + 8;
            if id == b"fmt " {
                let fmt = bytes.get(body..body + 16).ok_or("truncated fmt chunk")?;
                let le16 = |i: usize| u16::from_le_bytes([fmt[i], fmt[i + 1]]);
                let rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]);
                format = Some((le16(0), le16(2), rate, le16(14)));
            } else if id == b"data" {
                let (tag, channels, rate, bits) = format.ok_or("data chunk before fmt chunk")?;
                // 1: PCM; 0xFFFE: WAVE_FORMAT_EXTENSIBLE (PCM assumed).
                if !(tag == 1 || tag == 0xFFFE) || bits != 16 {
                    return Err(format!(
                        "not 16-bit PCM (format tag {tag:#x}, {bits} bits a sample)"
                    ));
                }
                if channels == 0 || rate == 0 {
                    return Err("no channels or no sample rate".into());
                }
                let end = if size == 0 || body + size > bytes.len() {
                    bytes.len()
                } else {
                    body + size
                };
                let frame = 2 * usize::from(channels);
                let data = &bytes[body..end];
                let samples = data
                    .chunks_exact(frame)
                    .map(|f| {
                        let sum: i32 = f
                            .chunks_exact(2)
                            .map(|s| i32::from(i16::from_le_bytes([s[0], s[1]])))
                            .sum();
                        // The mean of i16 values is an i16.
                        (sum / i32::from(channels)) as i16
                    })
                    .collect();
                return Ok(Self {
                    rate,
                    channels,
                    samples,
                });
            }
            // Chunks are padded to an even size.
            pos = body.saturating_add(size).saturating_add(size & 1);
        }
        Err("no data chunk".into())
    }

    /// Seconds of audio.
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.rate)
    }

    /// Measures the tone `freq` (Hz) in the audio after `skip`.
    pub fn tone(&self, freq: f64, skip: Duration) -> ToneMeasure {
        let start = ((skip.as_secs_f64() * f64::from(self.rate)) as usize).min(self.samples.len());
        tone_measure(&self.samples[start..], self.rate, freq)
    }

    /// The RMS of the audio after `skip`.
    pub fn rms(&self, skip: Duration) -> f64 {
        let start = ((skip.as_secs_f64() * f64::from(self.rate)) as usize).min(self.samples.len());
        rms(&self.samples[start..])
    }
}

/// The RMS of `samples` (0 for none).
pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let energy: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (energy / samples.len() as f64).sqrt()
}

/// The power of `samples` at `freq` (Hz) by the Goertzel algorithm: |X(f)|²
/// of the block's DFT at that frequency.
pub fn goertzel(samples: &[i16], rate: u32, freq: f64) -> f64 {
    let coeff = 2.0 * (2.0 * PI * freq / f64::from(rate)).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    s1 * s1 + s2 * s2 - coeff * s1 * s2
}

/// Measures the tone `freq` in `samples`: over 50 ms blocks, the energy at
/// `freq` (2·|X(f)|²/N for each block) against the whole energy.
pub fn tone_measure(samples: &[i16], rate: u32, freq: f64) -> ToneMeasure {
    let block = (rate as usize / 20).max(1);
    let mut at_freq = 0.0;
    let mut total = 0.0;
    for chunk in samples.chunks_exact(block) {
        at_freq += 2.0 * goertzel(chunk, rate, freq) / block as f64;
        total += chunk
            .iter()
            .map(|&s| f64::from(s) * f64::from(s))
            .sum::<f64>();
    }
    ToneMeasure {
        freq,
        seconds: samples.len() as f64 / f64::from(rate),
        rms: rms(samples),
        share: if total > 0.0 {
            (at_freq / total).min(1.0)
        } else {
            0.0
        },
    }
}

/// Writes a mono 16-bit PCM WAV file of a sine: `freq` Hz at `rate` samples
/// a second (8000 for G.711 peers such as baresip's aufile), `seconds` long,
/// peak `amplitude` (of 32767; half scale, 16384, is a good level).
///
/// # Errors
///
/// When the file cannot be written.
pub fn write_tone_wav(
    path: &Path,
    freq: f64,
    rate: u32,
    seconds: f64,
    amplitude: i16,
) -> io::Result<()> {
    let n = (seconds * f64::from(rate)) as usize;
    let samples: Vec<i16> = (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            // |amplitude · sin| ≤ 32767 fits an i16.
            (f64::from(amplitude) * (2.0 * PI * freq * t).sin()).round() as i16
        })
        .collect();
    write_wav(path, rate, &samples)
}

/// Writes mono 16-bit PCM `samples` as a WAV file.
///
/// # Errors
///
/// When the file cannot be written, or holds more than 4 GiB of audio.
pub fn write_wav(path: &Path, rate: u32, samples: &[i16]) -> io::Result<()> {
    let data_len = u32::try_from(samples.len() * 2)
        .ok()
        .filter(|&n| n <= u32::MAX - 36)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "too much audio for a WAV"))?;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes()); // bytes a second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits a sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    fs::write(path, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, n: usize, amp: f64) -> Vec<i16> {
        (0..n)
            .map(|i| (amp * (2.0 * PI * freq * i as f64 / f64::from(rate)).sin()) as i16)
            .collect()
    }

    #[test]
    fn measures_a_clean_tone_and_not_another() {
        let s = sine(440.0, 8000, 16000, 16000.0);
        let m = tone_measure(&s, 8000, 440.0);
        assert!(m.share > 0.95, "{m:?}");
        assert!((m.rms - 16000.0 / 2f64.sqrt()).abs() < 100.0, "{m:?}");
        assert!(m.is_clear(1.9));
        let other = tone_measure(&s, 8000, 1000.0);
        assert!(other.share < 0.01, "{other:?}");
        assert!(!other.is_clear(1.0));
        let silence = tone_measure(&[0; 8000], 8000, 440.0);
        assert_eq!(silence.share, 0.0);
    }

    #[test]
    fn a_mix_shares_its_energy() {
        let a = sine(440.0, 16000, 16000, 8000.0);
        let b = sine(1000.0, 16000, 16000, 8000.0);
        let mix: Vec<i16> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        let m = tone_measure(&mix, 16000, 440.0);
        assert!((m.share - 0.5).abs() < 0.05, "{m:?}");
    }

    #[test]
    fn writes_and_reads_back_leniently() {
        let dir = crate::RunDir::new("audio-test").unwrap();
        let path = dir.path().join("t.wav");
        write_tone_wav(&path, 1000.0, 8000, 1.0, 16384).unwrap();
        let wav = Wav::read(&path).unwrap();
        assert_eq!((wav.rate, wav.channels, wav.samples.len()), (8000, 1, 8000));
        assert!(wav.tone(1000.0, Duration::from_millis(500)).is_clear(0.4));
        // A recorder still writing: data size 0.
        let mut bytes = fs::read(&path).unwrap();
        bytes[40..44].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(Wav::parse(&bytes).unwrap().samples.len(), 8000);
        // Stereo mixes down.
        bytes[22] = 2;
        assert_eq!(Wav::parse(&bytes).unwrap().samples.len(), 4000);
        assert!(Wav::parse(b"RIFF....WAVEjunk").is_err());
    }
}
