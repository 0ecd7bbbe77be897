//! The server non-INVITE transaction (RFC 3261 §17.2.2).

use std::time::Instant;

use bytes::Bytes;
use sip::Message;

use super::{Outbox, Termination, TimerConfig, due, earliest};

/// States of figure 8 of RFC 3261.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerNonInviteState {
    /// The request arrived; nothing sent yet.
    Trying,
    /// A provisional response went out.
    Proceeding,
    /// A final response went out; answering retransmissions with it.
    Completed,
    /// Over.
    Terminated,
}

/// A server non-INVITE transaction.
#[derive(Debug)]
pub struct ServerNonInvite {
    request: Message,
    reliable: bool,
    timers: TimerConfig,
    state: ServerNonInviteState,
    last_response: Option<Bytes>,
    timer_j: Option<Instant>,
    out: Outbox,
}

impl ServerNonInvite {
    /// Starts the transaction for a received request.
    pub fn new(request: Message, reliable: bool, timers: TimerConfig) -> Self {
        Self {
            request,
            reliable,
            timers,
            state: ServerNonInviteState::Trying,
            last_response: None,
            timer_j: None,
            out: Outbox::default(),
        }
    }

    /// The request.
    pub fn request(&self) -> &Message {
        &self.request
    }

    /// The current state.
    pub fn state(&self) -> ServerNonInviteState {
        self.state
    }

    /// Whether the transaction is over.
    pub fn is_terminated(&self) -> bool {
        self.state == ServerNonInviteState::Terminated
    }

    /// Whether a final response has been sent.
    pub fn has_final_response(&self) -> bool {
        matches!(
            self.state,
            ServerNonInviteState::Completed | ServerNonInviteState::Terminated
        )
    }

    /// The TU sends a response; ignored once a final one went out.
    pub fn send_response(&mut self, now: Instant, response: &Message) {
        let Some(status) = response.status() else {
            return;
        };
        if self.has_final_response() {
            return;
        }
        let bytes = Bytes::from(response.to_bytes());
        self.out.send(&bytes);
        self.last_response = Some(bytes);
        if status.is_final() {
            self.state = ServerNonInviteState::Completed;
            let wait = TimerConfig::unless_reliable(self.timers.timeout(), self.reliable);
            self.timer_j = Some(now + wait);
            self.handle_timeout(now);
        } else {
            self.state = ServerNonInviteState::Proceeding;
        }
    }

    /// A retransmission of the request arrived: answered with the last
    /// response, or absorbed in Trying.
    pub fn handle_retransmission(&mut self) {
        if matches!(
            self.state,
            ServerNonInviteState::Proceeding | ServerNonInviteState::Completed
        ) {
            if let Some(last) = &self.last_response {
                self.out.send(last);
            }
        }
    }

    /// Fires every due timer.
    pub fn handle_timeout(&mut self, now: Instant) {
        if due(self.timer_j, now) {
            self.terminate(Termination::Completed);
        }
    }

    /// The transport could not send (RFC 3261 §17.2.4).
    pub fn handle_transport_error(&mut self) {
        if self.state != ServerNonInviteState::Terminated {
            self.terminate(Termination::TransportError);
        }
    }

    /// The next output.
    pub fn poll_output(&mut self) -> Option<super::TxOutput> {
        self.out.poll()
    }

    /// The earliest armed timer.
    pub fn poll_timeout(&self) -> Option<Instant> {
        earliest(&[self.timer_j])
    }

    fn terminate(&mut self, how: Termination) {
        self.state = ServerNonInviteState::Terminated;
        self.timer_j = None;
        self.out.terminate(how);
    }
}
