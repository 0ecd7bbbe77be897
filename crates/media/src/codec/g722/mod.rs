//! ITU-T G.722 at 64 kbit/s: 16 kHz audio in two ADPCM sub-bands.
//!
//! Written from the standard: a 24-tap QMF pair splits the signal into a
//! lower band coded with 6 bits and a higher band coded with 2 bits per
//! 8 kHz sample; each code byte carries two 16 kHz samples. The RTP clock
//! runs at 8000 Hz (RFC 3551 §4.5.2), one tick per byte.
//!
//! G.722 works on 14-bit PCM: as PJMEDIA does by default, 16-bit input is
//! shifted right by 2 before the encoder and the decoder's output shifted
//! left by 2 (saturating), so levels on the wire are the standard's and
//! match PJSIP's. (spandsp-derived encoders, such as the `ezk-g722` crate,
//! feed 16-bit samples at twice the standard's level; their bitstream is
//! otherwise the same.)
//!
//! Loss concealment is the waveform [`Plc`] on the
//! decoded 16 kHz signal, as PJMEDIA does; the ADPCM state is left as it
//! was at the loss.

mod band;
pub mod decoder;
pub mod encoder;
mod tables;

use super::desc::{CodecDesc, G722 as G722_DESC};
use super::plc::Plc;
use super::{Codec, CodecError};
use crate::port::AudioFormat;
pub use decoder::Decoder;
pub use encoder::Encoder;

/// A G.722 encoder/decoder pair with loss concealment.
#[derive(Debug, Clone)]
pub struct G722 {
    encoder: Encoder,
    decoder: Decoder,
    format: AudioFormat,
    plc: Option<Plc>,
}

impl G722 {
    /// A codec whose packets last `ptime_ms`, with loss concealment if
    /// `plc`.
    pub fn new(ptime_ms: u32, plc: bool) -> Self {
        Self {
            encoder: Encoder::new(),
            decoder: Decoder::new(),
            format: AudioFormat::new(16_000, 1, ptime_ms),
            plc: plc.then(|| Plc::new(16_000, 1)),
        }
    }
}

fn to_pcm16(v14: i32) -> i16 {
    // The clamp makes the conversion exact.
    (v14 << 2).clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}

impl Codec for G722 {
    fn desc(&self) -> &CodecDesc {
        &G722_DESC
    }

    fn format(&self) -> AudioFormat {
        self.format
    }

    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<usize, CodecError> {
        if pcm.len() % 2 != 0 {
            return Err(CodecError::InvalidFrame {
                got: pcm.len(),
                reason: "G.722 codes samples in pairs",
            });
        }
        out.reserve(pcm.len() / 2);
        for pair in pcm.chunks_exact(2) {
            let code = self
                .encoder
                .encode_pair(i32::from(pair[0]) >> 2, i32::from(pair[1]) >> 2);
            out.push(code);
        }
        Ok(pcm.len() / 2)
    }

    fn decoded_len(&self, payload: &[u8]) -> Result<usize, CodecError> {
        Ok(payload.len() * 2)
    }

    fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
        let out = super::output(out, payload.len() * 2)?;
        for (pair, &code) in out.chunks_exact_mut(2).zip(payload) {
            let (a, b) = self.decoder.decode_byte(code);
            pair[0] = to_pcm16(a);
            pair[1] = to_pcm16(b);
        }
        if let Some(plc) = &mut self.plc {
            plc.good_frame(out);
        }
        Ok(out.len())
    }

    fn conceal(&mut self, out: &mut [i16]) {
        match &mut self.plc {
            Some(plc) => plc.conceal(out),
            None => out.fill(0),
        }
    }
}
