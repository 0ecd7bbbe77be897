//! The server INVITE transaction (RFC 3261 §17.2.1, RFC 6026 §7.1).

use std::time::{Duration, Instant};

use bytes::Bytes;
use sip::{Message, StatusCode};

use super::{Outbox, Termination, TimerConfig, TxOutput, due, earliest};

/// States of figure 7 of RFC 3261, with RFC 6026's Accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerInviteState {
    /// The INVITE arrived; provisional responses go out.
    Proceeding,
    /// A 300–699 went out; waiting for the ACK, retransmitting over UDP.
    Completed,
    /// The ACK arrived; absorbing its retransmissions.
    Confirmed,
    /// A 2xx went out; absorbing INVITE retransmissions (RFC 6026). The TU
    /// retransmits the 2xx itself until the ACK (RFC 3261 §13.3.1.4).
    Accepted,
    /// Over.
    Terminated,
}

/// A server INVITE transaction.
#[derive(Debug)]
pub struct ServerInvite {
    request: Message,
    reliable: bool,
    timers: TimerConfig,
    state: ServerInviteState,
    last_response: Option<Bytes>,
    trying: Option<Instant>,
    timer_g: Option<Instant>,
    interval_g: Duration,
    timer_h: Option<Instant>,
    timer_i: Option<Instant>,
    timer_l: Option<Instant>,
    out: Outbox,
}

impl ServerInvite {
    /// Starts the transaction for a received INVITE. A 100 Trying goes out
    /// if the TU has not answered within [`TimerConfig::trying_delay`].
    pub fn new(now: Instant, request: Message, reliable: bool, timers: TimerConfig) -> Self {
        Self {
            request,
            reliable,
            timers,
            state: ServerInviteState::Proceeding,
            last_response: None,
            trying: Some(now + timers.trying_delay),
            timer_g: None,
            interval_g: timers.t1,
            timer_h: None,
            timer_i: None,
            timer_l: None,
            out: Outbox::default(),
        }
    }

    /// The INVITE.
    pub fn request(&self) -> &Message {
        &self.request
    }

    /// The current state.
    pub fn state(&self) -> ServerInviteState {
        self.state
    }

    /// Whether the transaction is over.
    pub fn is_terminated(&self) -> bool {
        self.state == ServerInviteState::Terminated
    }

    /// Whether a final response has been sent.
    pub fn has_final_response(&self) -> bool {
        self.state != ServerInviteState::Proceeding
    }

    /// The TU sends a response. Ignored once a final response went out, except
    /// further 2xx in Accepted (the TU's own 2xx retransmissions).
    pub fn send_response(&mut self, now: Instant, response: &Message) {
        let Some(status) = response.status() else {
            return;
        };
        let bytes = Bytes::from(response.to_bytes());
        use ServerInviteState::*;
        match self.state {
            Proceeding => {
                self.trying = None;
                self.out.send(&bytes);
                if status.is_success() {
                    self.state = Accepted;
                    self.timer_l = Some(now + self.timers.timeout());
                } else if status.is_final() {
                    self.state = Completed;
                    if !self.reliable {
                        self.timer_g = Some(now + self.interval_g);
                    }
                    self.timer_h = Some(now + self.timers.timeout());
                }
                self.last_response = Some(bytes);
            }
            Accepted if status.is_success() => self.out.send(&bytes),
            _ => {}
        }
    }

    /// A retransmission of the INVITE arrived.
    pub fn handle_retransmission(&mut self) {
        match self.state {
            ServerInviteState::Proceeding => {
                if let Some(last) = &self.last_response {
                    self.out.send(last);
                } else {
                    // The INVITE came again before the TU answered: 100 now.
                    self.send_trying();
                }
            }
            ServerInviteState::Completed => {
                if let Some(last) = &self.last_response {
                    self.out.send(last);
                }
            }
            _ => {}
        }
    }

    /// The ACK for a non-2xx final response arrived.
    pub fn handle_ack(&mut self, now: Instant) {
        if self.state == ServerInviteState::Completed {
            self.state = ServerInviteState::Confirmed;
            self.timer_g = None;
            self.timer_h = None;
            let wait = TimerConfig::unless_reliable(self.timers.t4, self.reliable);
            self.timer_i = Some(now + wait);
            self.out.push(TxOutput::AckReceived);
            self.handle_timeout(now);
        }
    }

    /// Fires every due timer.
    pub fn handle_timeout(&mut self, now: Instant) {
        if due(self.trying, now) {
            self.send_trying();
        }
        if due(self.timer_g, now) {
            if let Some(last) = &self.last_response {
                self.out.send(last);
            }
            self.interval_g = self.timers.backoff(self.interval_g);
            self.timer_g = Some(now + self.interval_g);
        }
        if due(self.timer_h, now) {
            self.terminate(Termination::Timeout);
        }
        if due(self.timer_i, now) || due(self.timer_l, now) {
            self.terminate(Termination::Completed);
        }
    }

    /// The transport could not send (RFC 3261 §17.2.4).
    pub fn handle_transport_error(&mut self) {
        if self.state != ServerInviteState::Terminated {
            self.terminate(Termination::TransportError);
        }
    }

    /// The next output.
    pub fn poll_output(&mut self) -> Option<TxOutput> {
        self.out.poll()
    }

    /// The earliest armed timer.
    pub fn poll_timeout(&self) -> Option<Instant> {
        earliest(&[
            self.trying,
            self.timer_g,
            self.timer_h,
            self.timer_i,
            self.timer_l,
        ])
    }

    fn send_trying(&mut self) {
        self.trying = None;
        if let Ok(trying) = Message::response_to(&self.request, StatusCode::TRYING).build() {
            let bytes = Bytes::from(trying.to_bytes());
            self.out.send(&bytes);
            self.last_response = Some(bytes);
        }
    }

    fn terminate(&mut self, how: Termination) {
        self.state = ServerInviteState::Terminated;
        self.trying = None;
        self.timer_g = None;
        self.timer_h = None;
        self.timer_i = None;
        self.timer_l = None;
        self.out.terminate(how);
    }
}
