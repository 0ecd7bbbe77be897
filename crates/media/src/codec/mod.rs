//! Codecs and the codec manager.
//!
//! A [`Codec`] is the encoder/decoder pair of one stream: 16-bit linear PCM
//! in and out (interleaved when stereo), one packet's payload at a time,
//! with loss concealment for packets that never arrive. The codecs:
//!
//! - [`g711`]: PCMU and PCMA (ITU-T G.711), with [`plc`] concealment in the
//!   spirit of G.711 Appendix I;
//! - [`g722`]: G.722 at 64 kbit/s (16 kHz audio, 8 kHz RTP clock);
//! - [`l16`]: uncompressed L16 at 8, 16, 44.1 and 48 kHz, mono and stereo;
//! - `opus` (cargo feature `opus`): Opus through libopus, with in-band FEC
//!   and DTX.
//!
//! Beside them, payload formats that are not audio codecs of their own:
//! [`telephone_event`] (RFC 4733 DTMF, with a sender and a receiver state
//! machine) and [`cn`] (RFC 3389 comfort noise).
//!
//! The [`CodecManager`] lists the codecs with PJSUA2's default priorities
//! and ids (`"PCMU/8000/1"`), changes priorities and parameters as
//! `codecSetPriority`/`codecSetParam` do, and creates codecs.
//!
//! ```
//! use media::codec::CodecManager;
//!
//! let mut manager = CodecManager::new();
//! manager.set_priority("PCMA", 255).unwrap();
//! assert_eq!(manager.codec_enum()[0].codec_id, "PCMA/8000/1");
//!
//! let mut codec = manager.create("PCMA").unwrap();
//! let pcm = vec![1000i16; codec.format().frame_len()]; // 20 ms at 8 kHz
//! let mut payload = Vec::new();
//! codec.encode(&pcm, &mut payload).unwrap();
//! assert_eq!(payload.len(), 160);
//! let mut decoded = vec![0i16; codec.decoded_len(&payload).unwrap()];
//! codec.decode(&payload, &mut decoded).unwrap();
//! assert!((i32::from(decoded[0]) - 1000).abs() < 40);
//! ```

use std::fmt;

use crate::port::AudioFormat;

pub mod cn;
pub mod desc;
mod error;
pub mod g711;
pub mod g722;
pub mod l16;
mod manager;
#[cfg(feature = "opus")]
pub mod opus;
mod param;
pub mod plc;
pub mod telephone_event;

pub use desc::{CodecDesc, CodecKind};
pub use error::CodecError;
pub use manager::{CodecInfo, CodecManager};
pub use param::{CodecFmtp, CodecParam, CodecParamInfo, CodecParamSetting};

/// The encoder and decoder of one stream, one packet at a time.
///
/// PCM is 16-bit linear at [`Codec::format`]'s clock rate, channels
/// interleaved. A packet holds `format().frame_len()` values at the
/// configured packet time, but waveform codecs (G.711, G.722, L16) take
/// and give any length.
pub trait Codec: Send + fmt::Debug {
    /// What the codec is.
    fn desc(&self) -> &CodecDesc;

    /// The PCM of one packet: clock rate, channels, samples per channel.
    fn format(&self) -> AudioFormat;

    /// Encodes `pcm` (interleaved samples), appending the payload to `out`.
    /// Returns the bytes appended; 0 means there is nothing to send for
    /// this packet (discontinuous transmission), and the sender skips it.
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<usize, CodecError>;

    /// How many interleaved samples `payload` decodes to.
    fn decoded_len(&self, payload: &[u8]) -> Result<usize, CodecError>;

    /// Decodes one received payload into `out`, returning the samples
    /// written. A payload that cannot be decoded is an error, never a panic.
    fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> Result<usize, CodecError>;

    /// Fills all of `out` with a plausible continuation for a packet that
    /// never arrived (silence if concealment is off).
    fn conceal(&mut self, out: &mut [i16]);

    /// Fills `out` for a lost packet when the packet after it,
    /// `next_payload`, has arrived: codecs with in-band forward error
    /// correction (Opus) rebuild the lost audio from it; the others conceal.
    fn recover(&mut self, next_payload: &[u8], out: &mut [i16]) {
        let _ = next_payload;
        self.conceal(out);
    }

    /// Whether [`Codec::recover`] uses forward error correction.
    fn has_fec(&self) -> bool {
        false
    }
}

/// The first `needed` values of `out`, or the error saying it is too small.
fn output(out: &mut [i16], needed: usize) -> Result<&mut [i16], CodecError> {
    let available = out.len();
    out.get_mut(..needed)
        .ok_or(CodecError::OutputTooSmall { needed, available })
}
