//! The client non-INVITE transaction (RFC 3261 §17.1.2).

use std::time::{Duration, Instant};

use bytes::Bytes;
use sip::Message;

use super::{Outbox, Termination, TimerConfig, TxOutput, due, earliest};

/// States of figure 6 of RFC 3261.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientNonInviteState {
    /// The request is out, nothing has come back.
    Trying,
    /// A provisional response arrived.
    Proceeding,
    /// A final response arrived; absorbing its retransmissions.
    Completed,
    /// Over.
    Terminated,
}

/// A client non-INVITE transaction.
#[derive(Debug)]
pub struct ClientNonInvite {
    request: Message,
    bytes: Bytes,
    reliable: bool,
    timers: TimerConfig,
    state: ClientNonInviteState,
    timer_e: Option<Instant>,
    interval_e: Duration,
    timer_f: Option<Instant>,
    timer_k: Option<Instant>,
    out: Outbox,
}

impl ClientNonInvite {
    /// Starts the transaction: the request goes out at once, Timer F starts,
    /// and Timer E over an unreliable transport.
    pub fn new(now: Instant, request: Message, reliable: bool, timers: TimerConfig) -> Self {
        let bytes = Bytes::from(request.to_bytes());
        let mut tx = Self {
            request,
            bytes,
            reliable,
            timers,
            state: ClientNonInviteState::Trying,
            timer_e: (!reliable).then(|| now + timers.t1),
            interval_e: timers.t1,
            timer_f: Some(now + timers.timeout()),
            timer_k: None,
            out: Outbox::default(),
        };
        tx.out.send(&tx.bytes);
        tx
    }

    /// The request this transaction carries.
    pub fn request(&self) -> &Message {
        &self.request
    }

    /// The current state.
    pub fn state(&self) -> ClientNonInviteState {
        self.state
    }

    /// Whether the transaction is over.
    pub fn is_terminated(&self) -> bool {
        self.state == ClientNonInviteState::Terminated
    }

    /// A response matched to this transaction.
    pub fn handle_response(&mut self, now: Instant, response: Message) {
        let Some(status) = response.status() else {
            return;
        };
        use ClientNonInviteState::*;
        match self.state {
            Trying | Proceeding if status.is_provisional() => {
                self.state = Proceeding;
                self.out.push(TxOutput::Response(response));
            }
            Trying | Proceeding => {
                self.state = Completed;
                self.timer_e = None;
                self.timer_f = None;
                let wait = TimerConfig::unless_reliable(self.timers.t4, self.reliable);
                self.timer_k = Some(now + wait);
                self.out.push(TxOutput::Response(response));
                self.handle_timeout(now);
            }
            // Retransmissions of the final response are absorbed.
            Completed | Terminated => {}
        }
    }

    /// Fires every due timer.
    pub fn handle_timeout(&mut self, now: Instant) {
        if due(self.timer_e, now) {
            self.out.send(&self.bytes);
            // In Proceeding the interval is T2 (§17.1.2.2).
            self.interval_e = if self.state == ClientNonInviteState::Proceeding {
                self.timers.t2
            } else {
                self.timers.backoff(self.interval_e)
            };
            self.timer_e = Some(now + self.interval_e);
        }
        if due(self.timer_f, now) {
            self.terminate(Termination::Timeout);
        }
        if due(self.timer_k, now) {
            self.terminate(Termination::Completed);
        }
    }

    /// The transport could not send (RFC 3261 §17.1.2.2).
    pub fn handle_transport_error(&mut self) {
        if matches!(
            self.state,
            ClientNonInviteState::Trying | ClientNonInviteState::Proceeding
        ) {
            self.terminate(Termination::TransportError);
        }
    }

    /// The next output.
    pub fn poll_output(&mut self) -> Option<TxOutput> {
        self.out.poll()
    }

    /// The earliest armed timer.
    pub fn poll_timeout(&self) -> Option<Instant> {
        earliest(&[self.timer_e, self.timer_f, self.timer_k])
    }

    fn terminate(&mut self, how: Termination) {
        self.state = ClientNonInviteState::Terminated;
        self.timer_e = None;
        self.timer_f = None;
        self.timer_k = None;
        self.out.terminate(how);
    }
}
