//! The media runtime: what drives the sans-IO media engine (`media` crate)
//! in real time. Being built: today the media clock.

pub mod clock;
