//! The stack's view of its transactions: either kind behind one face.

use std::time::Instant;

use sip::Message;

use crate::transaction::{
    ClientInvite, ClientNonInvite, ServerInvite, ServerNonInvite, TimerConfig, TxOutput,
};

/// Calls the same method on whichever kind of transaction `$tx` holds.
macro_rules! either {
    ($tx:expr, $t:ident => $call:expr) => {
        match $tx {
            Self::Invite($t) => $call,
            Self::NonInvite($t) => $call,
        }
    };
}

/// A client transaction of either kind.
#[derive(Debug)]
pub(crate) enum ClientTx {
    Invite(ClientInvite),
    NonInvite(ClientNonInvite),
}

impl ClientTx {
    pub(crate) fn start(
        now: Instant,
        request: Message,
        reliable: bool,
        timers: TimerConfig,
    ) -> Self {
        if request.method().is_some_and(|m| m.as_str() == "INVITE") {
            Self::Invite(ClientInvite::new(now, request, reliable, timers))
        } else {
            Self::NonInvite(ClientNonInvite::new(now, request, reliable, timers))
        }
    }

    pub(crate) fn request(&self) -> &Message {
        either!(self, t => t.request())
    }

    pub(crate) fn handle_response(&mut self, now: Instant, response: Message) {
        either!(self, t => t.handle_response(now, response))
    }

    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        either!(self, t => t.handle_timeout(now))
    }

    pub(crate) fn handle_transport_error(&mut self) {
        either!(self, t => t.handle_transport_error())
    }

    pub(crate) fn poll_output(&mut self) -> Option<TxOutput> {
        either!(self, t => t.poll_output())
    }

    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        either!(self, t => t.poll_timeout())
    }
}

/// A server transaction of either kind.
#[derive(Debug)]
pub(crate) enum ServerTx {
    Invite(ServerInvite),
    NonInvite(ServerNonInvite),
}

impl ServerTx {
    pub(crate) fn start(
        now: Instant,
        request: Message,
        reliable: bool,
        timers: TimerConfig,
    ) -> Self {
        if request.method().is_some_and(|m| m.as_str() == "INVITE") {
            Self::Invite(ServerInvite::new(now, request, reliable, timers))
        } else {
            Self::NonInvite(ServerNonInvite::new(request, reliable, timers))
        }
    }

    pub(crate) fn request(&self) -> &Message {
        either!(self, t => t.request())
    }

    pub(crate) fn has_final_response(&self) -> bool {
        either!(self, t => t.has_final_response())
    }

    pub(crate) fn send_response(&mut self, now: Instant, response: &Message) {
        either!(self, t => t.send_response(now, response))
    }

    pub(crate) fn handle_retransmission(&mut self) {
        either!(self, t => t.handle_retransmission())
    }

    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        either!(self, t => t.handle_timeout(now))
    }

    pub(crate) fn handle_transport_error(&mut self) {
        either!(self, t => t.handle_transport_error())
    }

    pub(crate) fn poll_output(&mut self) -> Option<TxOutput> {
        either!(self, t => t.poll_output())
    }

    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        either!(self, t => t.poll_timeout())
    }
}
