//! Reliable provisional responses (RFC 3262, 100rel): a callee's 18x
//! carries `RSeq` and is retransmitted until the caller's PRACK; a caller
//! PRACKs each new one.

use std::time::{Duration, Instant};

use sip::header::HeaderName;
use sip::{Message, Method, StatusCode};
use sip_core::stack::ServerTxId;

use super::agent::CallError;
use super::session::{CallId, CallState};
use super::timer::has_option;
use crate::user_agent::UserAgent;

const T1: Duration = Duration::from_millis(500);
const T2: Duration = Duration::from_secs(4);

/// Whether an account's calls use 100rel (PJSUA2's
/// `AccountCallConfig.prackUse`, `pjsua_100rel_use`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PrackUse {
    /// Not offered; an INVITE that requires it is refused 420
    /// (`PJSUA_100REL_NOT_USED`, the default).
    #[default]
    NotUsed,
    /// Required of the peer (`PJSUA_100REL_MANDATORY`): our INVITEs
    /// `Require: 100rel`, and an INVITE without support gets 421.
    Mandatory,
    /// Used when the peer supports it (`PJSUA_100REL_OPTIONAL`).
    Optional,
}

/// A callee's reliable provisional response waiting for its PRACK.
#[derive(Debug, Clone)]
pub(crate) struct Reliable {
    pub(crate) tx: ServerTxId,
    pub(crate) response: Message,
    pub(crate) rseq: u32,
    pub(crate) next: Instant,
    pub(crate) interval: Duration,
    pub(crate) give_up: Instant,
}

/// The `RSeq` of a response and whether it is reliable (`Require: 100rel`).
pub(crate) fn rseq_of(response: &Message) -> Option<u32> {
    let requires = response
        .raw_values(HeaderName::Require)
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("100rel"));
    if !requires {
        return None;
    }
    response.raw_value(HeaderName::RSeq)?.trim().parse().ok()
}

/// Whether an INVITE asks for (or requires) 100rel.
pub(crate) fn wants_100rel(invite: &Message) -> bool {
    has_option(invite, "100rel")
}

impl UserAgent {
    /// Callee: makes a provisional response reliable (adds `Require:
    /// 100rel` and the next `RSeq`) when the call uses 100rel; returns it.
    pub(crate) fn make_reliable(
        &mut self,
        now: Instant,
        call: CallId,
        tx: ServerTxId,
        mut response: Message,
    ) -> Message {
        let Some(c) = self.calls.get_mut(call) else {
            return response;
        };
        if !c.use_100rel {
            return response;
        }
        c.rseq = c.rseq.wrapping_add(1).max(1);
        response.push(HeaderName::Require, "100rel");
        response.push(HeaderName::RSeq, c.rseq);
        c.reliable = Some(Reliable {
            tx,
            response: response.clone(),
            rseq: c.rseq,
            next: now + T1,
            interval: T1,
            give_up: now + 64 * T1,
        });
        response
    }

    /// Callee: retransmits the reliable provisional response, or gives up
    /// on its PRACK (RFC 3262 §3: the INVITE is refused 5xx).
    pub(crate) fn reliable_timeouts(&mut self, now: Instant, call: CallId) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        let Some(r) = c.reliable.as_mut() else {
            return;
        };
        if now >= r.give_up {
            c.reliable = None;
            let _ = self.hangup(now, call, 500);
            return;
        }
        if now >= r.next {
            r.interval = (r.interval * 2).min(T2);
            r.next = now + r.interval;
            let (tx, response) = (r.tx, r.response.clone());
            let _ = self.stack_mut().respond(now, tx, &response);
        }
    }

    /// Callee: a PRACK. Matches the pending reliable response by RAck.
    pub(crate) fn call_on_prack(
        &mut self,
        now: Instant,
        call: CallId,
        tx: ServerTxId,
        request: &Message,
    ) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        let Some(dialog) = c.dialog.as_mut() else {
            return;
        };
        let rack: Option<(u32, u32)> = request.raw_value(HeaderName::RAck).and_then(|v| {
            let mut parts = v.split_whitespace();
            let rseq = parts.next()?.parse().ok()?;
            let cseq = parts.next()?.parse().ok()?;
            Some((rseq, cseq))
        });
        let invite_seq = c.invite.cseq().map_or(0, |s| s.seq);
        let code = match (dialog.handle_request(request), rack) {
            (Err(e), _) => e.status().unwrap_or(StatusCode::SERVER_INTERNAL_ERROR),
            (Ok(_), Some((rseq, cseq)))
                if cseq == invite_seq && c.reliable.as_ref().is_some_and(|r| r.rseq == rseq) =>
            {
                c.reliable = None;
                StatusCode::OK
            }
            // A PRACK for a response already acknowledged is fine too.
            (Ok(_), Some((rseq, cseq))) if cseq == invite_seq && rseq <= c.rseq => StatusCode::OK,
            (Ok(_), _) => StatusCode::CALL_OR_TRANSACTION_DOES_NOT_EXIST,
        };
        if let Ok(r) = dialog.response_to(request, code).build() {
            self.respond_in_call(now, call, tx, &r);
        }
    }

    /// Caller: PRACKs a reliable provisional response from the early
    /// dialog with `remote_tag` (once per RSeq).
    pub(crate) fn send_prack(
        &mut self,
        now: Instant,
        call: CallId,
        remote_tag: &str,
        rseq: u32,
    ) -> Result<(), CallError> {
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        if c.acked_rseq.is_some_and(|last| rseq <= last) {
            return Ok(());
        }
        let invite_seq = c.invite.cseq().map_or(1, |s| s.seq);
        let dialog = c
            .dialog_set
            .as_mut()
            .and_then(|set| set.dialog_mut(remote_tag))
            .ok_or(CallError::InvalidState("PRACK", CallState::Early))?;
        let prack = dialog
            .request(Method::Prack)
            .map_err(|e| CallError::Build(e.to_string()))?
            .header(HeaderName::RAck, format!("{rseq} {invite_seq} INVITE"))
            .build()
            .map_err(|e| CallError::Build(e.to_string()))?;
        c.acked_rseq = Some(rseq);
        self.send_call_request(now, call, prack).map(drop)
    }
}
