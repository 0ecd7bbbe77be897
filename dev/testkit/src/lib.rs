//! Test kit for ferrosip's sans-IO state machines: virtual time, a simulated
//! network and a world of agents stepped to the next deadline.
//!
//! Protocol code in ferrosip never reads a clock or touches a socket: it takes
//! `now` and bytes in, and gives datagrams, timers and events out. This crate
//! is the other half of that bargain, for tests:
//!
//! - [`VirtualClock`]: time that moves only when stepped, so a 32-second
//!   timer expires in microseconds of real time;
//! - [`Network`]: a seeded network emulator. Datagrams cross links with delay,
//!   jitter, loss (random or in Gilbert–Elliott bursts), duplication,
//!   reordering, an MTU and a rate limit ([`LinkConfig`]), with statistics
//!   per link ([`LinkStats`]). Reliable stream connections (for TCP and TLS)
//!   connect, carry bytes in order in randomly cut chunks, close and reset
//!   ([`StreamCommand`], [`StreamEvent`]);
//! - [`World`]: N [`Agent`]s on one network, stepped from event to event
//!   with every agent drained after every input;
//! - [`Trace`]: what crossed the network and when, to print when a test fails.
//!
//! The same seed and the same agents give the same run, every time. Nothing
//! here reads the real clock except [`VirtualClock::new`], once, for a base
//! [`std::time::Instant`]; compare times as offsets from it
//! ([`World::elapsed`]).
//!
//! # Example: a request retransmitted until answered, over a lossy link
//!
//! ```
//! use std::net::SocketAddr;
//! use std::time::{Duration, Instant};
//! use testkit::{Agent, LinkConfig, Transmit, World};
//!
//! /// Sends "ping" every 500 ms until it hears "pong"; answers "ping" with "pong".
//! struct Peer {
//!     addr: SocketAddr,
//!     server: Option<SocketAddr>, // where to ping, if a client
//!     next_ping: Option<Instant>,
//!     out: Vec<Transmit>,
//!     pongs: u32,
//! }
//!
//! impl Agent for Peer {
//!     fn addresses(&self) -> Vec<SocketAddr> {
//!         vec![self.addr]
//!     }
//!     fn handle_datagram(&mut self, _now: Instant, from: SocketAddr, to: SocketAddr, payload: &[u8]) {
//!         match payload {
//!             b"ping" => self.out.push(Transmit { from: to, to: from, payload: b"pong".to_vec() }),
//!             b"pong" => {
//!                 self.pongs += 1;
//!                 self.next_ping = None; // done: stop retransmitting
//!             }
//!             _ => {}
//!         }
//!     }
//!     fn handle_timeout(&mut self, now: Instant) {
//!         if let Some(server) = self.server {
//!             self.out.push(Transmit { from: self.addr, to: server, payload: b"ping".to_vec() });
//!             self.next_ping = Some(now + Duration::from_millis(500));
//!         }
//!     }
//!     fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
//!         self.out.pop()
//!     }
//!     fn poll_timeout(&mut self) -> Option<Instant> {
//!         self.next_ping
//!     }
//! }
//!
//! let alice: SocketAddr = "10.0.0.1:5060".parse().unwrap();
//! let bob: SocketAddr = "10.0.0.2:5060".parse().unwrap();
//! let mut world = World::new(7); // the seed: same seed, same run
//! world.enable_trace();
//! world.network_mut().set_default_link(LinkConfig::default().with_loss(0.5));
//! let start = world.now();
//! let peer = |addr, server: Option<SocketAddr>| {
//!     let next_ping = server.map(|_| start); // the client pings at once
//!     Peer { addr, server, next_ping, out: Vec::new(), pongs: 0 }
//! };
//! let client = world.add_agent(peer(alice, Some(bob)));
//! world.add_agent(peer(bob, None));
//!
//! let answered = world.run_until(|w| w.agent(client).pongs > 0, Duration::from_secs(32));
//! assert!(answered, "no pong in 32 s:\n{}", world.trace());
//! println!("answered after {:?} of virtual time:\n{}", world.elapsed(), world.trace());
//! ```
//!
//! # What a user of the kit must know
//!
//! - **Determinism.** Every random choice comes from the network's seed, with
//!   one independent stream per link direction, per connection and per kind
//!   of decision, so adding traffic on one link or turning on duplication
//!   leaves the loss pattern of another link (or of the same link) unchanged.
//!   Equal-time events keep the order in which they were scheduled.
//! - **Links.** A link is one direction of an address pair; its configuration
//!   is the one set for that pair, else for its host (IP) pair, else the
//!   default (10 ms, perfect). Jitter never reorders: only
//!   [`LinkConfig::reorder`] does, by holding datagrams back.
//! - **Streams** use the link's delay and jitter between the agents'
//!   addresses, never lose or reorder bytes, and cut and join chunks at random
//!   ([`StreamConfig`]); a framer must cope with any cut. Each end of a
//!   connection has its own [`ConnectionId`]. A `Connect`'s `from` is the
//!   agent's own address (where its events go); the connection itself gets an
//!   ephemeral port on that IP.
//! - **World order.** Timeouts, then datagrams, then stream events, at each
//!   instant. Commands given through [`World::agent_mut`] are drained at the
//!   next step. Misuse (a stream command on a closed or unknown connection, a
//!   livelock, a runaway run) panics with a message and the trace's tail.

mod agent;
mod clock;
mod link;
mod network;
mod rng;
mod schedule;
mod stream;
mod trace;
mod world;

pub use crate::agent::{Agent, AsAny, Transmit};
pub use crate::clock::VirtualClock;
pub use crate::link::{GilbertElliott, LinkConfig, LinkStats, RateLimit};
pub use crate::network::{Delivery, Network};
pub use crate::rng::SimRng;
pub use crate::stream::{
    ConnectionId, StreamCommand, StreamConfig, StreamDelivery, StreamError, StreamEvent,
    StreamStats,
};
pub use crate::trace::{DatagramFate, Trace, TraceEntry, TraceEvent, TraceTail};
pub use crate::world::{DEFAULT_STEP_BUDGET, World};
