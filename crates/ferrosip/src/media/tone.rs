//! PJSUA2's `ToneGenerator`: dual tones and DTMF digits as a bridge port.

use media::AudioFormat;
use media::tone::{self as tones, ToneGenerator as Generator};

use super::AudioMedia;
use super::engine::PortRole;
use super::types::{ToneDesc, ToneDigit, ToneDigitMapDigit};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, status};

fn u16_of(v: i16) -> u16 {
    u16::try_from(v).unwrap_or(0)
}

fn desc_in(d: &ToneDesc) -> tones::ToneDesc {
    tones::ToneDesc {
        freq1: u16_of(d.freq1),
        freq2: u16_of(d.freq2),
        on_msec: u16_of(d.on_msec),
        off_msec: u16_of(d.off_msec),
        volume: d.volume,
        flags: u16::try_from(d.flags).unwrap_or(u16::MAX),
    }
}

fn digit_in(d: &ToneDigit) -> tones::ToneDigit {
    tones::ToneDigit {
        digit: d.digit,
        on_msec: u16_of(d.on_msec),
        off_msec: u16_of(d.off_msec),
        volume: d.volume,
    }
}

/// Generates tones into the bridge (PJSUA2's `ToneGenerator`): queued
/// dual-frequency tones or DTMF digits, once or in a loop, then silence.
/// Dereferences to its [`AudioMedia`].
#[derive(Debug)]
pub struct ToneGenerator {
    media: AudioMedia,
}

impl ToneGenerator {
    /// A generator at `clock_rate` Hz with `channel_count` channels
    /// (PJSUA2's `createToneGenerator(16000, 1)`), named `"tonegen"`.
    pub fn create_tone_generator(
        ep: &Endpoint,
        clock_rate: u32,
        channel_count: u32,
    ) -> Result<Self> {
        let title = "ToneGenerator::createToneGenerator()";
        let media = ep.media(title)?;
        let ptime = media.with_core(title, |core| core.bridge.format().frame_usec() / 1000)?;
        let channels = u16::try_from(channel_count).unwrap_or(0);
        let ptime = u32::try_from(ptime).unwrap_or(20);
        let generator = Generator::with_format(AudioFormat::new(clock_rate, channels, ptime))
            .map_err(|e| super::errors::tone(title, &e))?;
        let id = media
            .with_core(title, |core| {
                core.add_port(generator, "tonegen", PortRole::Plain)
            })?
            .map_err(|e| super::errors::bridge(title, &e))?;
        Ok(Self {
            media: AudioMedia::new(&media, id),
        })
    }

    fn with<R>(&self, title: &str, f: impl FnOnce(&mut Generator) -> R) -> Result<R> {
        let (media, port) = self.media.resolve(title)?;
        media
            .with_core(title, |core| core.bridge.port_mut::<Generator>(port).map(f))?
            .map_err(|e| super::errors::bridge(title, &e))
    }

    /// Whether it is playing (PJSUA2's `isBusy`).
    pub fn is_busy(&self) -> bool {
        self.with("ToneGenerator::isBusy()", |g| g.is_busy())
            .unwrap_or(false)
    }

    /// Stops and forgets what was queued (PJSUA2's `stop`).
    pub fn stop(&self) -> Result<()> {
        self.with("ToneGenerator::stop()", Generator::stop)
    }

    /// Starts the queue again from its first tone (PJSUA2's `rewind`).
    pub fn rewind(&self) -> Result<()> {
        self.with("ToneGenerator::rewind()", Generator::rewind)
    }

    /// Queues tones; with `looping` the queue repeats until stopped
    /// (PJSUA2's `play`).
    pub fn play(&self, tones: &[ToneDesc], looping: bool) -> Result<()> {
        let title = "ToneGenerator::play()";
        let tones: Vec<tones::ToneDesc> = tones.iter().map(desc_in).collect();
        self.with(title, |g| g.play(&tones, looping))?
            .map_err(|e| super::errors::tone(title, &e))
    }

    /// Queues DTMF digits from the digit map (PJSUA2's `playDigits`); a
    /// digit not in the map gives `PJMEDIA_RTP_EINDTMF`.
    pub fn play_digits(&self, digits: &[ToneDigit], looping: bool) -> Result<()> {
        let title = "ToneGenerator::playDigits()";
        let digits: Vec<tones::ToneDigit> = digits.iter().map(digit_in).collect();
        self.with(title, |g| g.play_digits(&digits, looping))?
            .map_err(|e| super::errors::tone(title, &e))
    }

    /// The digits it knows and their frequencies (PJSUA2's `getDigitMap`).
    pub fn digit_map(&self) -> Result<Vec<ToneDigitMapDigit>> {
        self.with("ToneGenerator::getDigitMap()", |g| {
            g.digit_map()
                .iter()
                .map(|d| ToneDigitMapDigit {
                    digit: d.digit.to_string(),
                    freq1: i32::from(d.freq1),
                    freq2: i32::from(d.freq2),
                })
                .collect()
        })
    }

    /// Replaces the digit map (PJSUA2's `setDigitMap`). Each digit is one
    /// character; frequencies are 1 to 65535 Hz.
    pub fn set_digit_map(&self, map: &[ToneDigitMapDigit]) -> Result<()> {
        let title = "ToneGenerator::setDigitMap()";
        let mut out = Vec::with_capacity(map.len());
        for d in map {
            let mut chars = d.digit.chars();
            let (Some(digit), None) = (chars.next(), chars.next()) else {
                return Err(Error::new(
                    status::PJ_EINVAL,
                    title,
                    format!("digit {:?} is not one character", d.digit),
                ));
            };
            let freq = |f: i32| u16::try_from(f).ok().filter(|f| *f > 0);
            let (Some(freq1), Some(freq2)) = (freq(d.freq1), freq(d.freq2)) else {
                return Err(Error::new(
                    status::PJ_EINVAL,
                    title,
                    format!(
                        "digit {digit:?}: frequencies {} and {} are not 1..65535 Hz",
                        d.freq1, d.freq2
                    ),
                ));
            };
            out.push(tones::ToneDigitMapDigit {
                digit,
                freq1,
                freq2,
            });
        }
        self.with(title, |g| g.set_digit_map(out))
    }
}

impl std::ops::Deref for ToneGenerator {
    type Target = AudioMedia;
    fn deref(&self) -> &AudioMedia {
        &self.media
    }
}

impl Drop for ToneGenerator {
    fn drop(&mut self) {
        self.media.remove_from_bridge();
    }
}
