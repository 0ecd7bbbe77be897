//! The adaptive jitter buffer: encoded frames in as packets arrive, one frame
//! out per tick of the media clock (pjmedia's `jbuf`, PJSUA2's `jb*`
//! settings and `JbufState`).
//!
//! # Using it
//!
//! The RTP receiver [`put`](JitterBuffer::put)s every frame of every packet
//! with its RTP timestamp and the packet's marker bit, in whatever order the
//! packets come; the media clock [`get`](JitterBuffer::get)s one frame every
//! frame time and acts on what it is told:
//!
//! ```
//! use media::jitter::{Frame, JitterBuffer, JitterConfig};
//!
//! // 20 ms frames of an 8 kHz codec (160 timestamp units), PJSUA2 defaults.
//! let mut jb = JitterBuffer::new(&JitterConfig::for_clock(8000, 20))?;
//! jb.put(1000, b"frame one", true); // the first packet of a talkspurt
//! jb.put(1320, b"frame three", false); // the second was lost or is late
//! for _ in 0..4 {
//!     match jb.get() {
//!         Frame::Normal { timestamp, payload } => println!("decode {timestamp}: {payload:?}"),
//!         Frame::Missing { .. } | Frame::Discarded { .. } => println!("conceal"),
//!         Frame::Prefetching | Frame::Empty => println!("silence"),
//!     }
//! }
//! let state = jb.state(); // PJSUA2's JbufState
//! assert_eq!((state.lost, state.empty), (1, 1));
//! # Ok::<(), media::jitter::ConfigError>(())
//! ```
//!
//! Frames are keyed by timestamp (unwrapped past 2³²), not by sequence
//! number, so a packet of several frames ([`JitterBuffer::put_frames`]) and
//! a silence gap (DTX: the timestamp jumps, the sequence number does not)
//! need nothing special. The buffer never reads a clock: the interleaving of
//! puts and gets is all it knows of time.
//!
//! # How it adapts
//!
//! As pjmedia's does. The *burst level* is the number of frames put between
//! two gets: 1 on a perfect network, more when jitter bunches packets up.
//! The buffer keeps the highest recent burst as its *effective level* — it
//! rises at once and comes down by steps after twenty lower bursts in a row —
//! and that is the delay it aims for:
//!
//! - **Growing** happens by itself: a get that finds nothing returns
//!   [`Frame::Empty`] without moving on, so the late frame plays one tick
//!   later and the delay has grown by a frame. With a prefetch (`jb_init`
//!   set), the buffer then waits until it holds `prefetch` frames, and
//!   `prefetch` follows the effective level between `jb_min_pre` and
//!   `jb_max_pre`. Beyond pjmedia: on a network that reorders, a frame
//!   often comes after its turn while later ones are already there, so the
//!   buffer never runs dry and would keep concealing; a frame that arrives
//!   late therefore makes the next tick [`Frame::Empty`] too, holding the
//!   frames back one tick (counted in [`JitterCounters::held`]).
//! - **Shrinking** is the discard algorithm's job. *Progressive* (the
//!   default) drops a frame every `T / excess` while the buffer holds more
//!   than the burst level, with `T` from 2 s (burst of 1) to 10 s (burst of
//!   100) and no two drops closer than 200 ms. *Static* drops one frame per
//!   200 ms while the buffer holds more than twice the burst level. *None*
//!   never drops, except that a full buffer (`jb_max`) drops its oldest
//!   frames. The tick after a drop plays [`Frame::Discarded`] in place of the
//!   next frame, so that the splice is concealed rather than heard as a
//!   click.
//!
//! Clock drift is handled by the same two mechanisms: a sender 1 % fast
//! adds a frame every 2 s, which the progressive discard drops; a sender 1 %
//! slow leaves the buffer dry once every 2 s, for one [`Frame::Empty`] tick.
//!
//! # What it copes with
//!
//! - Reordering within the buffer: a frame goes to its slot whatever order
//!   it comes in; a hole still open when its turn comes is
//!   [`Frame::Missing`].
//! - Duplicates (held or already played) and late frames (their turn has
//!   passed) are dropped and counted ([`JitterCounters`]).
//! - Timestamp wrap-around: timestamps are unwrapped to 64 bits.
//! - A sender restart: a frame more than 100 frames behind or 3000 frames
//!   ahead of the head makes the buffer start over from it (dropping what
//!   it held). Frames of the old stream that arrive afterwards, within 100
//!   frames of where it was, are late, not another restart. A change of
//!   SSRC is the RTP session's to see: it calls [`JitterBuffer::reset`].
//! - DTX: when the buffer has run dry, a frame arriving after a gap plays
//!   next, without a run of missing frames for the silence; a frame with the
//!   marker bit starts a talkspurt, which re-arms the prefetch, and when the
//!   previous talkspurt is still playing the gap between them plays as
//!   [`Frame::Empty`], not as loss.
//! - Loss at the end of what the buffer holds: the tick that finds the
//!   buffer dry plays [`Frame::Empty`] in the lost frame's place, and when
//!   the next frame comes it plays next, rather than after a
//!   [`Frame::Missing`] for a turn that has already gone by.
//!
//! # What the caller does with each frame
//!
//! [`Frame::Normal`]: decode. [`Frame::Missing`] and [`Frame::Discarded`]:
//! run the codec's loss concealment. [`Frame::Empty`] and
//! [`Frame::Prefetching`]: no frame this tick; conceal a few ticks if audio
//! was playing (as pjmedia's stream does), then play silence.

mod adapt;
mod buffer;
mod config;
mod frame;
mod ring;
mod stats;

pub use buffer::JitterBuffer;
pub use config::{ConfigError, DEFAULT_MAX_MSEC, DiscardAlgorithm, JitterConfig};
pub use frame::{Frame, PutOutcome};
pub use stats::{JbufState, JitterCounters};

#[cfg(test)]
mod tests;
