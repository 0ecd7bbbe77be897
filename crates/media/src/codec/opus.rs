//! Opus (RFC 6716) through libopus, with the RTP payload rules of RFC 7587.
//!
//! Built only with the cargo feature `opus` (libopus is compiled from the
//! bundled sources, which needs cmake). The encoder follows the remote
//! side's `fmtp` ([`CodecParamSetting::enc_fmtp`]) where it speaks, else
//! our own settings, as PJSIP does:
//!
//! - `maxplaybackrate`: the widest audio band worth sending;
//! - `stereo`: whether the receiver wants stereo (else a stereo stream is
//!   coded as mono);
//! - `maxaveragebitrate`: caps the bit rate (else the encoder chooses);
//! - `useinbandfec` (else `plc`): in-band forward error correction, so the
//!   receiver can rebuild a lost packet from the next one
//!   ([`Codec::recover`]);
//! - `usedtx` (else `vad`): discontinuous transmission — during silence
//!   the encoder returns 0 bytes, nothing is sent, and the receiver's
//!   concealment plays the comfort noise libopus makes;
//! - `cbr` (else `cbr`): constant bit rate.
//!
//! [`CodecParamSetting::enc_fmtp`]: super::CodecParamSetting::enc_fmtp

use opus::{Application, Bandwidth, Bitrate, Channels, Signal};

use super::desc::{CodecDesc, OPUS};
use super::{Codec, CodecError, CodecFmtp, CodecParam};
use crate::port::AudioFormat;

/// The largest Opus packet (RFC 6716 §3.4).
const MAX_PACKET: usize = 1275;

/// An Opus encoder/decoder pair.
pub struct Opus {
    encoder: opus::Encoder,
    decoder: opus::Decoder,
    format: AudioFormat,
    dtx: bool,
    fec: bool,
}

impl std::fmt::Debug for Opus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opus")
            .field("format", &self.format)
            .field("dtx", &self.dtx)
            .field("fec", &self.fec)
            .finish_non_exhaustive()
    }
}

fn library(e: opus::Error) -> CodecError {
    CodecError::Library(e.to_string())
}

fn flag(fmtp: &[CodecFmtp], name: &str) -> Option<bool> {
    CodecFmtp::find(fmtp, name).map(|v| v.trim().parse::<u32>().is_ok_and(|n| n > 0))
}

fn number(fmtp: &[CodecFmtp], name: &str) -> Option<u32> {
    CodecFmtp::find(fmtp, name).and_then(|v| v.trim().parse().ok())
}

fn bandwidth(rate: u32) -> Bandwidth {
    match rate {
        0..=8000 => Bandwidth::Narrowband,
        8001..=12_000 => Bandwidth::Mediumband,
        12_001..=16_000 => Bandwidth::Wideband,
        16_001..=24_000 => Bandwidth::Superwideband,
        _ => Bandwidth::Fullband,
    }
}

impl Opus {
    /// An encoder/decoder pair configured by `param` (clock rate 8, 12,
    /// 16, 24 or 48 kHz, 1 or 2 channels, 10 to 60 ms packets).
    pub fn new(param: &CodecParam) -> Result<Self, CodecError> {
        param.validate_for(&OPUS)?;
        let rate = param.info.clock_rate;
        let channels = if param.info.channel_cnt == 2 {
            Channels::Stereo
        } else {
            Channels::Mono
        };
        let s = &param.setting;
        let remote = &s.enc_fmtp;
        let mut encoder = opus::Encoder::new(rate, channels, Application::Voip).map_err(library)?;
        let playback = number(remote, "maxplaybackrate").unwrap_or(rate).min(rate);
        let cap = number(remote, "maxaveragebitrate");
        let bitrate = match (param.info.avg_bps, cap) {
            (0, None) => Bitrate::Auto,
            (0, Some(c)) => Bitrate::Bits(c.clamp(6000, 510_000) as i32),
            (b, c) => Bitrate::Bits(b.min(c.unwrap_or(b)).clamp(6000, 510_000) as i32),
        };
        let fec = flag(remote, "useinbandfec").unwrap_or(s.plc);
        let dtx = flag(remote, "usedtx").unwrap_or(s.vad);
        let cbr = flag(remote, "cbr").unwrap_or(s.cbr);
        encoder.set_signal(Signal::Voice).map_err(library)?;
        encoder
            .set_max_bandwidth(bandwidth(playback))
            .map_err(library)?;
        encoder.set_bitrate(bitrate).map_err(library)?;
        encoder.set_inband_fec(fec).map_err(library)?;
        encoder
            .set_packet_loss_perc(s.packet_loss as i32)
            .map_err(library)?;
        encoder.set_dtx(dtx).map_err(library)?;
        encoder.set_vbr(!cbr).map_err(library)?;
        encoder
            .set_complexity(s.complexity as i32)
            .map_err(library)?;
        if channels == Channels::Stereo && flag(remote, "stereo") != Some(true) {
            // The receiver did not ask for stereo (RFC 7587 §7.1).
            encoder
                .set_force_channels(Some(Channels::Mono))
                .map_err(library)?;
        }
        let decoder = opus::Decoder::new(rate, channels).map_err(library)?;
        Ok(Self {
            encoder,
            decoder,
            format: AudioFormat::new(rate, channels as u16, param.ptime_ms()),
            dtx,
            // Our own `plc` says whether to use the FEC the peer sends.
            fec: s.plc,
        })
    }

    fn channels(&self) -> usize {
        usize::from(self.format.channels)
    }
}

impl Codec for Opus {
    fn desc(&self) -> &CodecDesc {
        &OPUS
    }

    fn format(&self) -> AudioFormat {
        self.format
    }

    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<usize, CodecError> {
        let start = out.len();
        out.resize(start + MAX_PACKET, 0);
        let Ok(n) = self.encoder.encode(pcm, &mut out[start..]) else {
            out.truncate(start);
            return Err(CodecError::InvalidFrame {
                got: pcm.len(),
                reason: "Opus codes frames of 2.5, 5, 10, 20, 40 or 60 ms",
            });
        };
        // With DTX, a packet of one or two bytes need not be sent.
        let n = if self.dtx && n <= 2 { 0 } else { n };
        out.truncate(start + n);
        Ok(n)
    }

    fn decoded_len(&self, payload: &[u8]) -> Result<usize, CodecError> {
        if payload.is_empty() {
            return Err(CodecError::MalformedPayload("an empty Opus packet"));
        }
        opus::packet::get_nb_samples(payload, self.format.clock_rate)
            .map(|n| n * self.channels())
            .map_err(|_| CodecError::MalformedPayload("not an Opus packet"))
    }

    fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
        let n = self.decoded_len(payload)?;
        let out = super::output(out, n)?;
        let per_channel = self
            .decoder
            .decode(payload, out, false)
            .map_err(|_| CodecError::MalformedPayload("libopus rejected the packet"))?;
        Ok(per_channel * self.channels())
    }

    fn conceal(&mut self, out: &mut [i16]) {
        // libopus conceals (and plays DTX comfort noise) for whole frames
        // of 2.5 ms multiples; anything else is silence.
        if self.decoder.decode(&[], out, false).is_err() {
            out.fill(0);
        }
    }

    fn recover(&mut self, next_payload: &[u8], out: &mut [i16]) {
        if !self.fec
            || next_payload.is_empty()
            || self.decoder.decode(next_payload, out, true).is_err()
        {
            self.conceal(out);
        }
    }

    fn has_fec(&self) -> bool {
        self.fec
    }
}
