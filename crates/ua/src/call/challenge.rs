//! Challenges to requests within a call's dialog: a re-INVITE, UPDATE,
//! BYE, REFER, INFO, MESSAGE, PRACK or NOTIFY answered 401 or 407 is sent
//! once more with the account's credentials (RFC 3261 §22.2), with the
//! dialog's next CSeq number (§12.2.1.1), as PJSIP's dialogs do. The
//! retry takes over every role of the challenged transaction (the pending
//! re-offer, the REFER, the request of `send_in_call`) and keeps the
//! challenged transaction's id as the one the events name.

use std::time::Instant;

use sip::header::HeaderName;
use sip::{Message, Method};
use sip_core::stack::ClientTxId;

use super::session::CallId;
use super::table::OrphanBye;
use crate::user_agent::UserAgent;

/// A request sent within a call's dialog, until its final answer.
#[derive(Debug, Clone)]
pub(crate) struct SentRequest {
    /// The request as sent (what a retry with credentials starts from).
    pub(crate) request: Message,
    /// The transaction the request was first sent in: the id events and
    /// callers know it by, whatever retries followed.
    pub(crate) origin: ClientTxId,
    /// Whether it already went again with credentials (one retry only: a
    /// second challenge is the final answer).
    pub(crate) retried: bool,
}

impl UserAgent {
    /// Answers a 401/407 to a request of the call's dialog: the same
    /// request, the dialog's next CSeq, with credentials. False when it
    /// cannot be (not a dialog request, retried already, no credential
    /// fits the challenge, the dialog is gone): the challenge is then the
    /// request's final answer.
    pub(crate) fn retry_in_dialog(
        &mut self,
        now: Instant,
        call: CallId,
        tx: ClientTxId,
        challenge: &Message,
    ) -> bool {
        let Some(c) = self.calls.get_mut(call) else {
            return false;
        };
        let Some(sent) = c.sent.get(&tx).filter(|s| !s.retried).cloned() else {
            return false;
        };
        let Some(method) = sent.request.method().map(|m| m.into_owned()) else {
            return false;
        };
        let Some(dialog) = c.dialog.as_mut() else {
            return false;
        };
        // A new transaction, so a new CSeq number. A BYE's dialog is
        // terminated already (no other request follows it): take the next
        // number without spending it.
        let seq = if method == Method::Bye {
            dialog.next_local_seq()
        } else {
            dialog
                .request(method.clone())
                .ok()
                .and_then(|_| dialog.local_seq())
        };
        let Some(seq) = seq else {
            return false;
        };
        let mut retry = sent.request.clone();
        retry.set(HeaderName::CSeq, format!("{seq} {method}"));
        if let Err(e) = c
            .auth
            .respond(&sent.request, challenge, &mut retry, &mut c.rng)
        {
            tracing::info!(error = %e, %method, "cannot answer the challenge to a request of the call");
            return false;
        }
        let new = match self.stack_mut().send_request_located(now, retry.clone()) {
            Ok(t) => t,
            Err(e) => {
                tracing::debug!(error = %e, %method, "request with credentials not sent");
                return false;
            }
        };
        self.calls.by_client.remove(&tx);
        self.calls.by_client.insert(new, call);
        if self.calls.requests.remove(&tx).is_some() {
            self.calls.requests.insert(new, call);
        }
        if self.calls.refers.remove(&tx).is_some() {
            self.calls.refers.insert(new, call);
        }
        if let Some(c) = self.calls.get_mut(call) {
            c.sent.remove(&tx);
            c.sent.insert(
                new,
                SentRequest {
                    request: retry,
                    origin: sent.origin,
                    retried: true,
                },
            );
            if let Some(r) = c.reoffer.as_mut().filter(|r| r.tx == tx) {
                r.tx = new;
                r.seq = seq;
            }
        }
        true
    }

    /// A response to the BYE of a released call: a first 401/407 is
    /// answered with credentials (CSeq + 1), anything else ends it.
    pub(crate) fn orphan_response(
        &mut self,
        now: Instant,
        tx: ClientTxId,
        mut orphan: OrphanBye,
        response: &Message,
    ) {
        let Some(status) = response.status() else {
            return;
        };
        if status.is_provisional() {
            self.calls.orphans.insert(tx, orphan);
            return;
        }
        if !matches!(status.code(), 401 | 407) || orphan.retried {
            return;
        }
        let seq = orphan.request.cseq().map_or(1, |c| c.seq).saturating_add(1);
        let mut retry = orphan.request.clone();
        retry.set(HeaderName::CSeq, format!("{seq} BYE"));
        if orphan
            .auth
            .respond(&orphan.request, response, &mut retry, &mut orphan.rng)
            .is_err()
        {
            return;
        }
        if let Ok(new) = self.stack_mut().send_request_located(now, retry.clone()) {
            self.calls.orphans.insert(
                new,
                OrphanBye {
                    request: retry,
                    retried: true,
                    ..orphan
                },
            );
        }
    }

    /// The id a call's request is known by (its first transaction), and
    /// forgets the request once `is_final`.
    pub(crate) fn sent_origin(
        &mut self,
        call: CallId,
        tx: ClientTxId,
        is_final: bool,
    ) -> ClientTxId {
        let Some(c) = self.calls.get_mut(call) else {
            return tx;
        };
        let origin = c.sent.get(&tx).map_or(tx, |s| s.origin);
        if is_final {
            c.sent.remove(&tx);
        }
        origin
    }
}
