//! The transaction layer (RFC 3261 §17, as updated by RFC 6026): client and
//! server transactions for INVITE and for every other method, each a sans-IO
//! state machine.
//!
//! A transaction never knows where its bytes go: it hands the stack payloads
//! to send ([`TxOutput::Send`]) and the stack routes them (§18). Timers are
//! deadlines the transaction arms; the stack calls `handle_timeout` when the
//! earliest is due. Every method that may arm a timer takes `now`.
//!
//! | Timer | Meaning                               | Value                  |
//! |-------|---------------------------------------|------------------------|
//! | A     | INVITE request retransmit (UDP)       | T1, doubling           |
//! | B     | INVITE transaction timeout            | 64·T1                  |
//! | D     | wait for response retransmits         | 32 s UDP, 0 reliable   |
//! | E     | non-INVITE request retransmit (UDP)   | T1 doubling up to T2   |
//! | F     | non-INVITE transaction timeout        | 64·T1                  |
//! | G     | INVITE response retransmit (UDP)      | T1 doubling up to T2   |
//! | H     | wait for ACK                          | 64·T1                  |
//! | I     | wait for ACK retransmits              | T4 UDP, 0 reliable     |
//! | J     | wait for non-INVITE request retransmits | 64·T1 UDP, 0 reliable |
//! | K     | wait for response retransmits         | T4 UDP, 0 reliable     |
//! | L     | wait for INVITE retransmits after 2xx (RFC 6026) | 64·T1       |
//! | M     | wait for 2xx retransmits (RFC 6026)   | 64·T1                  |
//!
//! Timer C belongs to proxies and is not here.

mod ack;
mod client_invite;
mod client_non_invite;
mod key;
mod server_invite;
mod server_non_invite;
mod timers;

use std::collections::VecDeque;
use std::time::Instant;

use bytes::Bytes;
use sip::Message;

pub use self::ack::ack_for_non_2xx;
pub use self::client_invite::{ClientInvite, ClientInviteState};
pub use self::client_non_invite::{ClientNonInvite, ClientNonInviteState};
pub use self::key::{ClientKey, ServerKey};
pub use self::server_invite::{ServerInvite, ServerInviteState};
pub use self::server_non_invite::{ServerNonInvite, ServerNonInviteState};
pub use self::timers::TimerConfig;

/// Why a transaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Termination {
    /// It ran its course.
    Completed,
    /// A timeout: no final response (Timer B or F), or no ACK (Timer H).
    Timeout,
    /// The transport reported it could not send (RFC 3261 §17.1.4, §17.2.4).
    TransportError,
}

/// What a transaction gives the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxOutput {
    /// Send these bytes to the transaction's peer.
    Send(Bytes),
    /// A response for the transaction user (client transactions).
    Response(Message),
    /// The ACK of a non-2xx final response arrived (server INVITE).
    AckReceived,
    /// The transaction is over.
    Terminated(Termination),
}

/// Outputs and deadlines shared by the four state machines.
#[derive(Debug, Default)]
struct Outbox {
    outputs: VecDeque<TxOutput>,
    terminated: bool,
}

impl Outbox {
    fn send(&mut self, bytes: &Bytes) {
        self.outputs.push_back(TxOutput::Send(bytes.clone()));
    }

    fn push(&mut self, output: TxOutput) {
        self.outputs.push_back(output);
    }

    fn terminate(&mut self, how: Termination) {
        if !self.terminated {
            self.terminated = true;
            self.outputs.push_back(TxOutput::Terminated(how));
        }
    }

    fn poll(&mut self) -> Option<TxOutput> {
        self.outputs.pop_front()
    }
}

/// The earliest of a set of optional deadlines.
fn earliest(deadlines: &[Option<Instant>]) -> Option<Instant> {
    deadlines.iter().flatten().min().copied()
}

/// Whether an armed deadline is due.
fn due(deadline: Option<Instant>, now: Instant) -> bool {
    deadline.is_some_and(|d| d <= now)
}

#[cfg(test)]
mod tests;
