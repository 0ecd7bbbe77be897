//! The demo's sound: the WAV file alice plays (synthesized at start), the
//! application port that collects what a party hears, and the
//! measurements of the verdict (dominant frequency, level in dBFS).

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use ferrosip::Endpoint;
use ferrosip::media::{AudioMediaPort, AudioMediaPortHandler, MediaFormatAudio, MediaFrame};
use media::tone::{rms, tone_amplitude};

/// The bridge's and the files' clock rate.
pub(crate) const RATE: u32 = 16_000;

/// Full scale of 16-bit samples.
const FULL_SCALE: f64 = 32_767.0;

/// Writes `secs` seconds of a `freq` Hz sine at `dbfs` (a 16 kHz mono
/// 16-bit PCM WAV file).
pub(crate) fn write_tone_wav(path: &Path, freq: f64, dbfs: f64, secs: f64) -> std::io::Result<()> {
    let amplitude = FULL_SCALE * 10f64.powf(dbfs / 20.0);
    let n = (secs * f64::from(RATE)) as usize;
    let mut data = Vec::with_capacity(n * 2);
    for i in 0..n {
        let t = i as f64 / f64::from(RATE);
        let x = (amplitude * (std::f64::consts::TAU * freq * t).sin()).round() as i16;
        data.extend_from_slice(&x.to_le_bytes());
    }
    let data_len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(44 + data.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.extend_from_slice(&data);
    std::fs::File::create(path)?.write_all(&out)
}

/// The samples of a mono 16-bit WAV file, and its clock rate.
pub(crate) fn read_wav(path: &Path) -> Result<(Vec<i16>, u32), String> {
    let mut reader = media::wav::WavReader::open(path).map_err(|e| format!("{e}"))?;
    let rate = reader.header().sample_rate;
    let mut all = Vec::new();
    let mut buf = vec![0i16; 4096];
    loop {
        let n = reader.read(&mut buf);
        if n == 0 {
            break;
        }
        all.extend_from_slice(&buf[..n]);
    }
    Ok((all, rate))
}

/// Collects what the bridge sends an application port.
#[derive(Clone, Default)]
pub(crate) struct Ear(Arc<Mutex<Vec<i16>>>);

impl AudioMediaPortHandler for Ear {
    fn on_frame_received(&mut self, frame: &MediaFrame) {
        let size = (frame.size as usize).min(frame.buf.len());
        let mut heard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        heard.extend(
            frame.buf[..size]
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]])),
        );
    }
}

impl Ear {
    /// What was heard since the last call, emptying it.
    pub(crate) fn take(&self) -> Vec<i16> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

/// A 16 kHz mono application port named `name` with an [`Ear`] on it.
pub(crate) fn ear_port(ep: &Endpoint, name: &str) -> ferrosip::Result<(AudioMediaPort, Ear)> {
    let ear = Ear::default();
    let fmt = MediaFormatAudio {
        clock_rate: RATE,
        channel_count: 1,
        bits_per_sample: 16,
        ..MediaFormatAudio::default()
    };
    let port = AudioMediaPort::create_port(ep, name, &fmt, ear.clone())?;
    Ok((port, ear))
}

/// What a stretch of audio holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Heard {
    /// Seconds of audio measured.
    pub(crate) secs: f64,
    /// The frequency with the most energy, Hz (0 for silence).
    pub(crate) freq: f64,
    /// The level, dBFS (RMS relative to a full-scale sine, AES17): a sine
    /// of amplitude A is 20·log10(A / 32767). −∞ for digital silence.
    pub(crate) dbfs: f64,
}

impl Heard {
    /// The level as text (`−12.0 dBFS`, `silence`).
    pub(crate) fn level(&self) -> String {
        if self.dbfs.is_finite() {
            format!("{:.1} dBFS", self.dbfs)
        } else {
            "digital silence".to_owned()
        }
    }
}

/// Measures `samples` (at `rate`): the dominant frequency (a Goertzel
/// scan in 5 Hz steps from 50 Hz to 3950 Hz, refined to 0.1 Hz around the
/// best) and the level.
pub(crate) fn measure(samples: &[i16], rate: u32) -> Heard {
    let secs = samples.len() as f64 / f64::from(rate);
    let level = rms(samples) * std::f64::consts::SQRT_2 / FULL_SCALE;
    let dbfs = if level > 0.0 {
        20.0 * level.log10()
    } else {
        f64::NEG_INFINITY
    };
    if samples.is_empty() || level == 0.0 {
        return Heard {
            secs,
            freq: 0.0,
            dbfs,
        };
    }
    let best = |from: f64, to: f64, step: f64| {
        let mut best = (from, 0.0);
        let mut f = from;
        while f <= to {
            let a = tone_amplitude(samples, rate, f);
            if a > best.1 {
                best = (f, a);
            }
            f += step;
        }
        best.0
    };
    let coarse = best(50.0, 3950.0, 5.0);
    let freq = best(coarse - 5.0, coarse + 5.0, 0.1);
    Heard { secs, freq, dbfs }
}

/// The first `secs` seconds of sound in `samples`, from `skip` seconds
/// after it begins (the first sample louder than −40 dBFS).
pub(crate) fn after_onset(samples: &[i16], rate: u32, skip: f64, secs: f64) -> &[i16] {
    let threshold = (FULL_SCALE * 0.01) as i16;
    let Some(onset) = samples.iter().position(|s| s.saturating_abs() > threshold) else {
        return &[];
    };
    let from = onset + (skip * f64::from(rate)) as usize;
    let to = from + (secs * f64::from(rate)) as usize;
    samples.get(from..to.min(samples.len())).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_tone_measures_as_written() {
        let dir = std::env::temp_dir().join(format!("ferrosip-audio-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.wav");
        write_tone_wav(&path, 440.0, -12.0, 1.0).unwrap();
        let (samples, rate) = read_wav(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!((samples.len(), rate), (16_000, 16_000));
        let heard = measure(&samples, rate);
        assert!((heard.freq - 440.0).abs() < 0.2, "{heard:?}");
        assert!((heard.dbfs + 12.0).abs() < 0.05, "{heard:?}");
        assert!(measure(&[0; 100], rate).dbfs.is_infinite());
    }
}
