//! What the world needs from each sans-IO state machine it drives.

use std::any::Any;
use std::net::SocketAddr;
use std::time::Instant;

use crate::stream::{StreamCommand, StreamEvent};

/// A datagram an agent wants sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The sender's address (normally one the agent owns; nothing checks).
    pub from: SocketAddr,
    /// Where it goes.
    pub to: SocketAddr,
    /// The bytes.
    pub payload: Vec<u8>,
}

/// A participant in a [`crate::World`]: usually a thin adapter around the
/// state machine under test, in quinn's verbs — `handle_*` for inputs,
/// `poll_*` for outputs.
///
/// The world keeps str0m's rule for you: after every input (a datagram, a
/// stream event, a timeout, or the test touching the agent through
/// [`crate::World::agent_mut`]) it drains [`Agent::poll_transmit`] and
/// [`Agent::poll_stream_command`] until both are empty, then reads
/// [`Agent::poll_timeout`], and it calls [`Agent::handle_timeout`] once
/// virtual time reaches that deadline. A deadline in the past counts as due
/// now. After `handle_timeout` the agent must move its deadline on (or clear
/// it), or time cannot advance and the world panics as livelocked.
///
/// Agents must be `'static` (they own their state), which is what lets a
/// world of `Box<dyn Agent>` hand them back as their concrete types.
pub trait Agent: AsAny {
    /// The addresses whose datagrams and stream events this agent receives.
    /// Read once, when the agent joins the world; [`crate::World::bind`] adds
    /// more later.
    fn addresses(&self) -> Vec<SocketAddr>;

    /// A datagram from `from` arrived at `to`, one of the agent's addresses.
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, to: SocketAddr, payload: &[u8]);

    /// A stream event for one of the agent's addresses. The default ignores
    /// it, for agents that use only datagrams.
    fn handle_stream_event(&mut self, now: Instant, event: StreamEvent) {
        let _ = (now, event);
    }

    /// The deadline from [`Agent::poll_timeout`] has come.
    fn handle_timeout(&mut self, now: Instant);

    /// The next datagram to send, if any.
    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit>;

    /// The next stream command, if any. The default has none.
    fn poll_stream_command(&mut self, now: Instant) -> Option<StreamCommand> {
        let _ = now;
        None
    }

    /// When [`Agent::handle_timeout`] should next be called, if ever.
    fn poll_timeout(&mut self) -> Option<Instant>;
}

/// Gives `&dyn Any` for any `'static` type, so a `dyn Agent` can be
/// downcast (trait upcasting is newer than this workspace's minimum Rust).
/// Implemented for every sized `'static` type: never implement it yourself.
pub trait AsAny {
    /// `self` as `&dyn Any`.
    fn as_any(&self) -> &dyn Any;
    /// `self` as `&mut dyn Any`.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl<T: Agent + ?Sized + 'static> Agent for Box<T> {
    fn addresses(&self) -> Vec<SocketAddr> {
        (**self).addresses()
    }

    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, to: SocketAddr, payload: &[u8]) {
        (**self).handle_datagram(now, from, to, payload);
    }

    fn handle_stream_event(&mut self, now: Instant, event: StreamEvent) {
        (**self).handle_stream_event(now, event);
    }

    fn handle_timeout(&mut self, now: Instant) {
        (**self).handle_timeout(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        (**self).poll_transmit(now)
    }

    fn poll_stream_command(&mut self, now: Instant) -> Option<StreamCommand> {
        (**self).poll_stream_command(now)
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        (**self).poll_timeout()
    }
}
