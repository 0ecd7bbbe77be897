//! The conference bridge (pjmedia's conference; PJSUA2's `AudioMedia`
//! operations): [`Bridge`] holds ports, connects any to any, and mixes one
//! frame per [`Bridge::tick`].
//!
//! Sans-IO: the bridge never reads a clock. The runtime's media clock (a
//! sound device callback, or the null device's clock thread) calls
//! [`Bridge::tick`] once per frame duration, under the media lock; events
//! of ports (a player's end of file, a recorder's size limit) are polled
//! from the ports themselves after the tick, through [`Bridge::port_mut`].
//!
//! Formats: the bridge mixes at its own rate and channel count; each port
//! keeps its own. Between them, channels are down-mixed by averaging or
//! up-mixed by repeating, and rates are converted by a fixed-ratio rubato
//! resampler per port and direction that keeps its state from frame to
//! frame; FIFOs absorb frame sizes that differ (44.1 kHz frames of 882
//! samples against 16 kHz frames of 320, or 10 ms ports on a 20 ms bridge),
//! so no sample is lost or repeated.
//!
//! ```
//! use media::bridge::{Bridge, CustomPort};
//! use media::tone::{ToneDesc, ToneGenerator, tone_amplitude};
//! use media::{AudioFormat, FrameKind};
//! use std::sync::{Arc, Mutex};
//!
//! let mut bridge = Bridge::new(AudioFormat::new(16_000, 1, 20));
//! let mut tone = ToneGenerator::new(8_000, 1)?;
//! tone.play(&[ToneDesc { freq1: 1000, on_msec: 1000, ..Default::default() }], true)?;
//! let heard = Arc::new(Mutex::new(Vec::new()));
//! let sink = heard.clone();
//! let ear = CustomPort::from_fns(
//!     AudioFormat::new(48_000, 2, 10),
//!     |f| { f.fill(0); FrameKind::None },
//!     move |f| sink.lock().unwrap().extend_from_slice(f),
//! );
//! let tone = bridge.add_typed_port(tone, "tone")?;
//! let ear = bridge.add_port(Box::new(ear), "ear")?;
//! bridge.connect(tone, ear, 1.0)?;
//! for _ in 0..50 {
//!     bridge.tick();
//! }
//! let heard = heard.lock().unwrap();
//! let left: Vec<i16> = heard.iter().step_by(2).copied().skip(4800).collect();
//! assert!(tone_amplitude(&left, 48_000, 1000.0) > 8000.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod channels;
mod conference;
mod convert;
mod custom_port;
mod error;
mod fifo;
mod info;
mod level;
mod path;

pub use conference::Bridge;
pub use custom_port::{AudioPortHandler, CustomPort};
pub use error::BridgeError;
pub use info::{ConfPortInfo, PortId};
pub use level::signal_level;
