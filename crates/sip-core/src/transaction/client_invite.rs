//! The client INVITE transaction (RFC 3261 §17.1.1, RFC 6026 §7.2).

use std::time::{Duration, Instant};

use bytes::Bytes;
use sip::Message;

use super::{Outbox, Termination, TimerConfig, TxOutput, ack_for_non_2xx, due, earliest};

/// States of figure 5 of RFC 3261, with RFC 6026's Accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientInviteState {
    /// The INVITE is out, nothing has come back.
    Calling,
    /// A provisional response arrived.
    Proceeding,
    /// A 300–699 arrived and was ACKed; absorbing its retransmissions.
    Completed,
    /// A 2xx arrived; passing 2xx retransmissions to the TU (RFC 6026).
    Accepted,
    /// Over.
    Terminated,
}

/// A client INVITE transaction.
#[derive(Debug)]
pub struct ClientInvite {
    request: Message,
    bytes: Bytes,
    reliable: bool,
    timers: TimerConfig,
    state: ClientInviteState,
    timer_a: Option<Instant>,
    interval_a: Duration,
    timer_b: Option<Instant>,
    timer_d: Option<Instant>,
    timer_m: Option<Instant>,
    /// 64·T1 after our CANCEL: give up waiting for a final response (§9.1).
    timer_cancel: Option<Instant>,
    ack: Option<Bytes>,
    out: Outbox,
}

impl ClientInvite {
    /// Starts the transaction: the INVITE goes out at once, Timer B starts,
    /// and Timer A over an unreliable transport.
    pub fn new(now: Instant, request: Message, reliable: bool, timers: TimerConfig) -> Self {
        let bytes = Bytes::from(request.to_bytes());
        let mut tx = Self {
            request,
            bytes,
            reliable,
            timers,
            state: ClientInviteState::Calling,
            timer_a: (!reliable).then(|| now + timers.t1),
            interval_a: timers.t1,
            timer_b: Some(now + timers.timeout()),
            timer_d: None,
            timer_m: None,
            timer_cancel: None,
            ack: None,
            out: Outbox::default(),
        };
        tx.out.send(&tx.bytes);
        tx
    }

    /// The INVITE this transaction carries.
    pub fn request(&self) -> &Message {
        &self.request
    }

    /// The current state.
    pub fn state(&self) -> ClientInviteState {
        self.state
    }

    /// Whether the transaction is over.
    pub fn is_terminated(&self) -> bool {
        self.state == ClientInviteState::Terminated
    }

    /// A response matched to this transaction.
    pub fn handle_response(&mut self, now: Instant, response: Message) {
        let Some(status) = response.status() else {
            return;
        };
        use ClientInviteState::*;
        match (self.state, status.code()) {
            (Calling | Proceeding, 100..=199) => {
                // Timer B guards Calling only (§17.1.1.2): once the peer is
                // proceeding, the INVITE may ring for as long as it likes.
                self.state = Proceeding;
                self.timer_a = None;
                self.timer_b = None;
                self.out.push(TxOutput::Response(response));
            }
            (Calling | Proceeding, 200..=299) => {
                self.state = Accepted;
                self.timer_a = None;
                self.timer_b = None;
                self.timer_cancel = None;
                self.timer_m = Some(now + self.timers.timeout());
                self.out.push(TxOutput::Response(response));
            }
            (Calling | Proceeding, _) => {
                self.state = Completed;
                self.timer_a = None;
                self.timer_b = None;
                self.timer_cancel = None;
                self.ack = ack_for_non_2xx(&self.request, &response)
                    .map(|ack| Bytes::from(ack.to_bytes()));
                if let Some(ack) = &self.ack {
                    self.out.send(ack);
                }
                let wait = TimerConfig::unless_reliable(self.timers.timer_d, self.reliable);
                self.timer_d = Some(now + wait);
                self.out.push(TxOutput::Response(response));
                self.handle_timeout(now);
            }
            (Completed, 300..=699) => {
                // A retransmitted final response: ACK again, tell nobody.
                if let Some(ack) = &self.ack {
                    self.out.send(ack);
                }
            }
            (Accepted, 200..=299) => self.out.push(TxOutput::Response(response)),
            // Late provisionals, and responses the state has no use for.
            _ => {}
        }
    }

    /// The TU sent a CANCEL for this INVITE: if no final response arrives
    /// within 64·T1, the transaction gives up (RFC 3261 §9.1).
    pub fn cancel_sent(&mut self, now: Instant) {
        if matches!(
            self.state,
            ClientInviteState::Calling | ClientInviteState::Proceeding
        ) {
            self.timer_cancel = Some(now + self.timers.timeout());
        }
    }

    /// Fires every due timer.
    pub fn handle_timeout(&mut self, now: Instant) {
        if due(self.timer_a, now) {
            self.out.send(&self.bytes);
            self.interval_a *= 2;
            self.timer_a = Some(now + self.interval_a);
        }
        if due(self.timer_b, now) || due(self.timer_cancel, now) {
            self.terminate(Termination::Timeout);
        }
        if due(self.timer_d, now) || due(self.timer_m, now) {
            self.terminate(Termination::Completed);
        }
    }

    /// The transport could not send (RFC 3261 §17.1.1.2).
    pub fn handle_transport_error(&mut self) {
        if self.state != ClientInviteState::Terminated {
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
            self.timer_a,
            self.timer_b,
            self.timer_d,
            self.timer_m,
            self.timer_cancel,
        ])
    }

    fn terminate(&mut self, how: Termination) {
        self.state = ClientInviteState::Terminated;
        self.timer_a = None;
        self.timer_b = None;
        self.timer_d = None;
        self.timer_m = None;
        self.timer_cancel = None;
        self.out.terminate(how);
    }
}
