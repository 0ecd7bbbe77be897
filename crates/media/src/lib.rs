//! The sans-IO media engine of ferrosip: what PJSUA2 calls media.
//!
//! Nothing here reads a clock, opens a socket or starts a thread: the
//! runtime (in the `ferrosip` crate) owns the media clock (a sound device's
//! callback, or the null device's clock thread ticking every frame) and the
//! RTP sockets, and drives the engine with `now`, received packets and clock
//! ticks.
//!
//! The pieces, each its own module:
//! - [`port`]: the one abstraction every audio source and sink implements —
//!   fixed-duration frames of 16-bit linear PCM pulled (`get_frame`) from a
//!   source and pushed (`put_frame`) into a sink, as pjmedia's ports do;
//! - `codec`: payload formats (G.711, G.722, L16, telephone-event, comfort
//!   noise) and the codec manager;
//! - `rtp`: RTP/RTCP sessions (RFC 3550) with statistics;
//! - `jitter`: the adaptive jitter buffer with loss concealment;
//! - [`stream`]: one audio stream of a call (RTP session, codec, jitter
//!   buffer, DTMF) as a media port;
//! - [`echo`]: acoustic echo cancellation (speex with the feature
//!   `echo-cancel`);
//! - `bridge`: the conference bridge; `wav`, `tone`: players, recorders and
//!   tone generators.

pub mod bridge;
pub mod codec;
pub mod echo;
pub mod jitter;
pub mod port;
pub mod resample;
pub mod rtp;
pub mod stream;
pub mod tone;
pub mod vad;
pub mod wav;

pub use port::{AudioFormat, FrameKind, MediaPort};
