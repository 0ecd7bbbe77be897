//! L16: uncompressed 16-bit linear PCM (RFC 3551 §4.5.11).
//!
//! Samples are sent as signed 16-bit big-endian values, channels
//! interleaved (left then right for stereo), so encoding and decoding are
//! exact.

use super::desc::CodecDesc;
use super::plc::Plc;
use super::{Codec, CodecError};
use crate::port::AudioFormat;

/// An L16 encoder/decoder pair with loss concealment.
#[derive(Debug, Clone)]
pub struct L16 {
    desc: CodecDesc,
    format: AudioFormat,
    plc: Option<Plc>,
}

impl L16 {
    /// A codec for the L16 variant `desc` (its clock rate and channels)
    /// whose packets last `ptime_ms`, with loss concealment if `plc`.
    pub fn new(desc: CodecDesc, ptime_ms: u32, plc: bool) -> Self {
        Self {
            desc,
            format: AudioFormat::new(desc.clock_rate, desc.channels, ptime_ms),
            plc: plc.then(|| Plc::new(desc.clock_rate, desc.channels)),
        }
    }
}

impl Codec for L16 {
    fn desc(&self) -> &CodecDesc {
        &self.desc
    }

    fn format(&self) -> AudioFormat {
        self.format
    }

    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<usize, CodecError> {
        if pcm.len() % usize::from(self.desc.channels) != 0 {
            return Err(CodecError::InvalidFrame {
                got: pcm.len(),
                reason: "not a whole number of sample frames for the channel count",
            });
        }
        out.reserve(pcm.len() * 2);
        for s in pcm {
            out.extend_from_slice(&s.to_be_bytes());
        }
        Ok(pcm.len() * 2)
    }

    fn decoded_len(&self, payload: &[u8]) -> Result<usize, CodecError> {
        let frame_bytes = 2 * usize::from(self.desc.channels);
        if payload.len() % frame_bytes != 0 {
            return Err(CodecError::MalformedPayload(
                "L16 payload is not a whole number of sample frames",
            ));
        }
        Ok(payload.len() / 2)
    }

    fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
        let n = self.decoded_len(payload)?;
        let out = super::output(out, n)?;
        for (o, b) in out.iter_mut().zip(payload.chunks_exact(2)) {
            *o = i16::from_be_bytes([b[0], b[1]]);
        }
        if let Some(plc) = &mut self.plc {
            plc.good_frame(out);
        }
        Ok(n)
    }

    fn conceal(&mut self, out: &mut [i16]) {
        match &mut self.plc {
            Some(plc) => plc.conceal(out),
            None => out.fill(0),
        }
    }
}
