//! The sans-IO SIP core of ferrosip: the transport, transaction and dialog
//! layers of RFC 3261 (§18, §17, §12) and server location (RFC 3263), as state
//! machines that take time and bytes in and give datagrams, timers and events
//! out. Nothing here touches a socket, a clock, a thread or OS randomness: the
//! runtime (or a test in virtual time) does the I/O.
//!
//! [`auth`] answers and checks digest challenges (RFC 3261 §22, RFC 8760).

pub mod auth;
pub mod dialog;
pub mod locate;
pub mod rng;
pub mod stack;
pub mod transaction;
pub mod transport;

pub use crate::rng::Rng;
