//! The transactions of a call as PJSUA2's `onCallTsxState` reports them,
//! and what caused each change of a call's state (`OnCallStateParam.e`).
//!
//! Every transaction of a call is reported: the INVITE (sent: CALLING,
//! PROCEEDING per provisional response, TERMINATED on a 2xx, COMPLETED on
//! an error; received: PROCEEDING per provisional response sent,
//! COMPLETED on the final one, TERMINATED when the ACK of a 2xx came),
//! re-INVITEs, UPDATE, BYE, CANCEL, PRACK, REFER, NOTIFY, INFO, MESSAGE
//! (sent: CALLING, then the answer's state; received: TRYING, then
//! COMPLETED with the response). The order against state changes is
//! PJSUA2 2.15.1's (checked with the real library): a response received
//! or an INVITE response sent changes the call's state first and is
//! reported after; a request received is reported at once (TRYING), and
//! its response after what the request did (a re-offer's media) — except
//! a BYE, whose TRYING and COMPLETED both come before DISCONNECTED.

use std::net::SocketAddr;

use sip::Message;
use sip_core::stack::{ClientTxId, ServerTxId};

use super::agent::reason_of;
use super::session::CallId;
use crate::user_agent::{UaEvent, UserAgent};

/// A transaction's state (PJSIP's `pjsip_tsx_state_e`, with its numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TsxState {
    /// Not started (`PJSIP_TSX_STATE_NULL`).
    Null,
    /// A request sent, no response yet (`CALLING`).
    Calling,
    /// A request received, not answered yet (`TRYING`).
    Trying,
    /// A provisional response sent or received (`PROCEEDING`).
    Proceeding,
    /// A final response sent or received (`COMPLETED`).
    Completed,
    /// The ACK of an error response to an INVITE came (`CONFIRMED`).
    Confirmed,
    /// Over (`TERMINATED`): a 2xx to an INVITE, its ACK, a timeout.
    Terminated,
}

impl TsxState {
    /// PJSIP's number for the state.
    pub fn as_i32(self) -> i32 {
        match self {
            Self::Null => 0,
            Self::Calling => 1,
            Self::Trying => 2,
            Self::Proceeding => 3,
            Self::Completed => 4,
            Self::Confirmed => 5,
            Self::Terminated => 6,
        }
    }
}

/// What made a transaction change state (PJSIP's `TsxStateEvent.type`
/// with `src`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TsxCause {
    /// A message was sent (`PJSIP_EVENT_TX_MSG`, `src.tdata`).
    Sent(Message),
    /// A message was received (`PJSIP_EVENT_RX_MSG`, `src.rdata`), and
    /// where from.
    Received(Message, Option<SocketAddr>),
    /// No answer in time (`PJSIP_EVENT_TIMER`).
    Timer,
    /// The transport failed (`PJSIP_EVENT_TRANSPORT_ERROR`).
    TransportError,
    /// The library ended it (`PJSIP_EVENT_USER`: an INVITE server
    /// transaction ended by the ACK of its 2xx).
    User,
}

/// A transaction of a call changed state (PJSUA2's `onCallTsxState`,
/// `SipEvent.body.tsxState`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallTsx {
    /// The request's method.
    pub method: String,
    /// True when the peer sent the request (`PJSIP_ROLE_UAS`).
    pub uas: bool,
    /// The state it entered.
    pub state: TsxState,
    /// The state it left.
    pub prev_state: TsxState,
    /// The last status code sent or received (0 before any).
    pub status: u16,
    /// Its reason phrase.
    pub reason: String,
    /// What made the change.
    pub cause: TsxCause,
    /// The last message the transaction sent (`tsx.lastTx`): the request
    /// of ours, or our last response.
    pub last_sent: Option<Message>,
}

/// What made a call change state (PJSUA2's `OnCallStateParam.e`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateCause {
    /// A transaction changed state (`PJSIP_EVENT_TSX_STATE`).
    Tsx(Box<CallTsx>),
    /// A message sent outside any transaction: the ACK of a 2xx
    /// (`PJSIP_EVENT_TX_MSG`).
    Sent(Box<Message>),
    /// A message received outside any transaction: the ACK of our 2xx
    /// (`PJSIP_EVENT_RX_MSG`), and where from.
    Received(Box<Message>, Option<SocketAddr>),
    /// The application or the library (`PJSIP_EVENT_USER`: a hangup, a
    /// timer of the call).
    User,
}

/// Where a transaction of a call is, for the next report's `prev_state`.
#[derive(Debug, Clone)]
pub(crate) struct TsxTrack {
    pub(crate) call: CallId,
    pub(crate) method: String,
    pub(crate) state: TsxState,
    pub(crate) last_sent: Option<Message>,
}

/// The state a response moves a transaction to.
fn state_for(method: &str, status: u16, uac: bool) -> TsxState {
    match status {
        0..=199 => TsxState::Proceeding,
        200..=299 if uac && method == "INVITE" => TsxState::Terminated,
        _ => TsxState::Completed,
    }
}

impl UserAgent {
    /// Starts reporting a client transaction of the call (its request
    /// sent): CALLING. Returns the report, pushed by the caller (after
    /// the state change it may cause).
    pub(crate) fn uac_started(
        &mut self,
        call: CallId,
        tx: ClientTxId,
        method: &str,
        request: Option<&Message>,
    ) -> CallTsx {
        self.calls.uac.insert(
            tx,
            TsxTrack {
                call,
                method: method.to_owned(),
                state: TsxState::Calling,
                last_sent: request.cloned(),
            },
        );
        CallTsx {
            method: method.to_owned(),
            uas: false,
            state: TsxState::Calling,
            prev_state: TsxState::Null,
            status: 0,
            reason: String::new(),
            cause: request.map_or(TsxCause::User, |r| TsxCause::Sent(r.clone())),
            last_sent: request.cloned(),
        }
    }

    /// A response to a client transaction of the call: its report (None
    /// for a response after the final one, a retransmitted 2xx).
    pub(crate) fn uac_progress(&mut self, tx: ClientTxId, response: &Message) -> Option<CallTsx> {
        let status = response.status()?;
        let track = self.calls.uac.get_mut(&tx)?;
        let state = state_for(&track.method, status.code(), true);
        let report = CallTsx {
            method: track.method.clone(),
            uas: false,
            state,
            prev_state: track.state,
            status: status.code(),
            reason: reason_of(response),
            cause: TsxCause::Received(response.clone(), self.calls.rx_from),
            last_sent: track.last_sent.clone(),
        };
        track.state = state;
        if status.is_final() {
            self.calls.uac.remove(&tx);
        }
        Some(report)
    }

    /// A client transaction of the call ended without a final response:
    /// its report (TERMINATED by a timer, 408, or a transport error, 503).
    pub(crate) fn uac_failed(&mut self, tx: ClientTxId, timeout: bool) -> Option<CallTsx> {
        let track = self.calls.uac.remove(&tx)?;
        let (status, reason, cause) = if timeout {
            (408, "Request Timeout", TsxCause::Timer)
        } else {
            (503, "Service Unavailable", TsxCause::TransportError)
        };
        Some(CallTsx {
            method: track.method,
            uas: false,
            state: TsxState::Terminated,
            prev_state: track.state,
            status,
            reason: reason.to_owned(),
            cause,
            last_sent: track.last_sent,
        })
    }

    /// A request of the peer within the call: reported at once (TRYING);
    /// it is the cause of what it changes until its response.
    pub(crate) fn uas_started(&mut self, call: CallId, tx: ServerTxId, request: &Message) {
        let method = request
            .method()
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default();
        self.calls.uas.insert(
            tx,
            TsxTrack {
                call,
                method: method.clone(),
                state: TsxState::Trying,
                last_sent: None,
            },
        );
        let report = CallTsx {
            method,
            uas: true,
            state: TsxState::Trying,
            prev_state: TsxState::Null,
            status: 0,
            reason: String::new(),
            cause: TsxCause::Received(request.clone(), self.calls.rx_from),
            last_sent: None,
        };
        if let Some(c) = self.calls.get_mut(call) {
            c.cause = Some(StateCause::Tsx(Box::new(report.clone())));
        }
        self.push_event(UaEvent::CallTsx {
            call,
            tsx: Box::new(report),
        });
    }

    /// Sends a response of a call's server transaction and reports it
    /// (PROCEEDING or COMPLETED) once what it caused is reported (see
    /// [`UserAgent::flush_tsx`]). A retransmission is not reported.
    pub(crate) fn respond_in_call(
        &mut self,
        now: std::time::Instant,
        call: CallId,
        tx: ServerTxId,
        response: &Message,
    ) {
        if let Err(e) = self.stack_mut().respond(now, tx, response) {
            tracing::debug!(error = %e, "response not sent");
        }
        let Some(status) = response.status() else {
            return;
        };
        let method = response
            .cseq()
            .map(|c| c.method.as_str().to_owned())
            .unwrap_or_default();
        let track = self.calls.uas.entry(tx).or_insert_with(|| TsxTrack {
            call,
            method: method.clone(),
            state: TsxState::Trying,
            last_sent: None,
        });
        let state = state_for(&track.method, status.code(), false);
        let report = CallTsx {
            method: track.method.clone(),
            uas: true,
            state,
            prev_state: track.state,
            status: status.code(),
            reason: reason_of(response),
            cause: TsxCause::Sent(response.clone()),
            last_sent: Some(response.clone()),
        };
        track.state = state;
        track.last_sent = Some(response.clone());
        if status.is_final() && method != "INVITE" {
            self.calls.uas.remove(&tx);
        }
        if let Some(c) = self.calls.get_mut(call) {
            // The request being answered stays the cause, as PJSIP
            // reports it: the live transaction, now answered.
            match c.cause.as_mut() {
                Some(StateCause::Tsx(t))
                    if t.uas
                        && t.method == report.method
                        && matches!(t.cause, TsxCause::Received(..)) =>
                {
                    t.state = report.state;
                    t.status = report.status;
                    t.reason.clone_from(&report.reason);
                    t.last_sent.clone_from(&report.last_sent);
                }
                _ => c.cause = Some(StateCause::Tsx(Box::new(report.clone()))),
            }
        }
        self.calls.deferred.push((call, report));
    }

    /// The INVITE server transaction of `tx` ended with the ACK of its 2xx:
    /// its report (TERMINATED, by the library).
    pub(crate) fn uas_acked(&mut self, tx: ServerTxId) -> Option<CallTsx> {
        let track = self.calls.uas.remove(&tx)?;
        Some(CallTsx {
            method: track.method,
            uas: true,
            state: TsxState::Terminated,
            prev_state: track.state,
            status: track
                .last_sent
                .as_ref()
                .and_then(Message::status)
                .map_or(0, |s| s.code()),
            reason: track.last_sent.as_ref().map(reason_of).unwrap_or_default(),
            cause: TsxCause::User,
            last_sent: track.last_sent,
        })
    }

    /// Reports the responses sent and requests started so far (after what
    /// they caused) and forgets the cause of `call`'s state changes.
    pub(crate) fn flush_tsx(&mut self, call: CallId) {
        for c in self.flush_reports() {
            if let Some(c) = self.calls.get_mut(c) {
                c.cause = None;
            }
        }
        if let Some(c) = self.calls.get_mut(call) {
            c.cause = None;
        }
    }

    /// Reports the deferred transaction changes; returns their calls.
    pub(crate) fn flush_reports(&mut self) -> Vec<CallId> {
        let deferred = std::mem::take(&mut self.calls.deferred);
        let mut calls = Vec::with_capacity(deferred.len());
        for (call, tsx) in deferred {
            calls.push(call);
            self.push_event(UaEvent::CallTsx {
                call,
                tsx: Box::new(tsx),
            });
        }
        calls
    }

    /// Reports every deferred change and forgets every call's cause.
    pub(crate) fn flush_tsx_all(&mut self) {
        for c in self.flush_reports() {
            if let Some(c) = self.calls.get_mut(c) {
                c.cause = None;
            }
        }
    }

    /// Reports a started client transaction after what is being handled.
    pub(crate) fn defer_tsx(&mut self, call: CallId, tsx: CallTsx) {
        self.calls.deferred.push((call, tsx));
    }

    /// Reports a transaction's change now.
    pub(crate) fn push_tsx(&mut self, call: CallId, tsx: CallTsx) {
        self.push_event(UaEvent::CallTsx {
            call,
            tsx: Box::new(tsx),
        });
    }
}
