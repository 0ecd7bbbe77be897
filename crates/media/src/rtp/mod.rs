//! RTP and RTCP sessions (RFC 3550, RFC 3551, RFC 5761), sans-IO.
//!
//! An [`RtpSession`] is one media stream's RTP session. It never touches a
//! socket or a clock: the runtime hands it received datagrams and `now`,
//! and sends what [`RtpSession::poll_transmit`] gives.
//!
//! ```
//! use std::time::{Duration, Instant};
//!
//! use media::rtp::{PacketKind, RtpSession, RtpSessionConfig};
//!
//! # #[allow(clippy::disallowed_methods)]
//! let start = Instant::now();
//! let alice_addr = "192.0.2.1:4000".parse().unwrap();
//! let bob_addr = "192.0.2.2:4000".parse().unwrap();
//! // PCMU (payload type 0) at 8 kHz, RTCP on the next port.
//! let mut alice = RtpSession::new(RtpSessionConfig::new(bob_addr, 0, 8000), start).unwrap();
//! let mut bob_config = RtpSessionConfig::new(alice_addr, 0, 8000);
//! bob_config.seed = 2; // each session seeds its own SSRC and timing
//! let mut bob = RtpSession::new(bob_config, start).unwrap();
//!
//! // Alice sends three 20 ms frames (160 samples each); Bob takes them.
//! for i in 0..3u32 {
//!     let now = start + Duration::from_millis(20 * u64::from(i));
//!     alice.send(now, &[0xFF; 160], 160, false).unwrap();
//!     let packet = alice.poll_transmit().unwrap();
//!     assert_eq!((packet.kind, packet.destination), (PacketKind::Rtp, bob_addr));
//!     let received = bob.handle_rtp(now, alice_addr, &packet.payload);
//!     // RFC 3550 A.1: a new source is valid from its second packet in sequence.
//!     assert_eq!(received.is_ok(), i > 0);
//! }
//! assert_eq!(bob.stats().rx_stat.pkt, 2);
//! assert_eq!(bob.remote_ssrc(), Some(alice.local_ssrc()));
//!
//! // RTCP: Alice's first report is due within 1.03–3.08 s (half of 5 s,
//! // randomised and compensated); it is a sender report, with SDES.
//! let due = alice.poll_timeout().unwrap();
//! alice.handle_timeout(due);
//! let report = alice.poll_transmit().unwrap();
//! assert_eq!((report.kind, report.destination.port()), (PacketKind::Rtcp, 4001));
//! bob.handle_rtcp(due, alice_addr, &report.payload).unwrap();
//! assert_eq!(bob.stats().peer_sdes.cname, alice.cname());
//! ```

mod config;
mod error;
mod event;
mod interval;
mod latch;
mod ntp;
mod rng;
pub mod rtcp;
mod sender;
mod sequence;
mod session;
mod source;
mod stats;
mod wire;

pub use config::RtpSessionConfig;
pub use error::RtpError;
pub use event::{PacketKind, Received, RtpEvent, Transmit};
pub use interval::{RTCP_BANDWIDTH_FRACTION, RTCP_MIN_INTERVAL};
pub use rtcp::{RtcpPacket, parse_rtcp, write_rtcp};
pub use sequence::{MAX_DROPOUT, MAX_MISORDER, MIN_SEQUENTIAL};
pub use session::RtpSession;
pub use stats::{LossType, MathStat, RtcpSdes, RtcpStat, RtcpStreamStat};
pub use wire::{RtpPacketView, is_rtcp};
