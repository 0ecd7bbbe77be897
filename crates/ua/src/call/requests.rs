//! Other requests within a call's dialog — INFO (DTMF relay, RFC 6086),
//! MESSAGE (instant messages and typing indications, RFC 3428/3994),
//! anything the application sends with PJSUA2's `sendRequest` — sent, and
//! received from the peer (answered 200 and reported).

use std::time::Instant;

use sip::header::HeaderName;
use sip::{Message, Method, StatusCode};
use sip_core::stack::{ClientTxId, ServerTxId};

use super::agent::{CallError, reason_of};
use super::session::{CallId, CallState};
use crate::user_agent::{UaEvent, UserAgent};

/// A request received within a call (not INVITE, UPDATE, BYE, ACK).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRequest {
    /// The method (`INFO`, `MESSAGE`, …).
    pub method: String,
    /// The Content-Type, if any (`application/dtmf-relay`, `text/plain`).
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
    /// The whole request as received.
    pub message: Message,
}

/// Methods answered 200 and reported as [`UaEvent::CallRequest`]; others
/// get 501 (or 405 when they are known but not allowed in a call).
const REPORTED: [Method<'static>; 3] = [Method::Info, Method::Message, Method::Options];

impl UserAgent {
    /// Sends a request within a call's dialog (PJSUA2's `sendRequest`,
    /// and what `sendInstantMessage`, `sendTypingIndication` and SIP INFO
    /// DTMF use): `method` with an optional body and extra headers. The
    /// final answer comes as [`UaEvent::CallRequestResult`] with the
    /// returned transaction.
    pub fn send_in_call(
        &mut self,
        now: Instant,
        call: CallId,
        method: &str,
        body: Option<(&str, &[u8])>,
        headers: &[(String, String)],
    ) -> Result<ClientTxId, CallError> {
        let name = method.trim();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b))
        {
            return Err(CallError::Build(format!("method {method:?}")));
        }
        let method = Method::parse(name);
        if matches!(
            method,
            Method::Invite
                | Method::Ack
                | Method::Cancel
                | Method::Bye
                | Method::Update
                | Method::Prack
        ) {
            return Err(CallError::Build(format!(
                "{method} is sent by the call itself, not with send_in_call"
            )));
        }
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        if !matches!(
            c.state,
            CallState::Early | CallState::Connecting | CallState::Confirmed
        ) {
            return Err(CallError::InvalidState("send_in_call", c.state));
        }
        let Some(dialog) = c.dialog.as_mut() else {
            return Err(CallError::InvalidState("send_in_call", c.state));
        };
        let mut builder = dialog
            .request(method.into_owned())
            .map_err(|e| CallError::Build(e.to_string()))?;
        for (name, value) in headers {
            if !name.trim().is_empty() {
                builder = builder.raw_header(name.trim(), value.trim());
            }
        }
        if let Some((content_type, bytes)) = body {
            builder = builder.body(content_type, bytes.to_vec());
        }
        let request = builder
            .build()
            .map_err(|e| CallError::Build(e.to_string()))?;
        let tx = self.send_call_request(now, call, request)?;
        self.calls.requests.insert(tx, call);
        Ok(tx)
    }

    /// A final answer to a request of [`UserAgent::send_in_call`].
    pub(crate) fn call_on_request_response(
        &mut self,
        call: CallId,
        tx: ClientTxId,
        origin: ClientTxId,
        response: &Message,
    ) {
        let Some(status) = response.status() else {
            return;
        };
        if !status.is_final() {
            return;
        }
        self.calls.requests.remove(&tx);
        let method = response
            .cseq()
            .map(|c| c.method.as_str().to_owned())
            .unwrap_or_default();
        let from = self.calls.rx_from;
        self.push_event(UaEvent::CallRequestResult {
            call,
            transaction: origin,
            method,
            code: status.code(),
            reason: reason_of(response),
            response: Some((Box::new(response.clone()), from)),
        });
    }

    /// The transaction of a request of [`UserAgent::send_in_call`] ended
    /// without a final answer.
    pub(crate) fn call_on_request_failed(
        &mut self,
        call: CallId,
        tx: ClientTxId,
        origin: ClientTxId,
        timeout: bool,
    ) {
        if self.calls.requests.remove(&tx).is_none() {
            return;
        }
        let (code, reason) = if timeout {
            (408, "Request Timeout")
        } else {
            (503, "Service Unavailable")
        };
        self.push_event(UaEvent::CallRequestResult {
            call,
            transaction: origin,
            method: String::new(),
            code,
            reason: reason.to_owned(),
            response: None,
        });
    }

    /// A request within the call other than the session's own: INFO,
    /// MESSAGE and OPTIONS are answered 200 and reported; others 501.
    pub(crate) fn call_on_other_request(
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
        let method = request.method();
        let code = match dialog.handle_request(request) {
            Err(e) => e.status().unwrap_or(StatusCode::SERVER_INTERNAL_ERROR),
            Ok(_) if method.as_ref().is_some_and(|m| REPORTED.contains(m)) => StatusCode::OK,
            Ok(_) => StatusCode::NOT_IMPLEMENTED,
        };
        let mut builder = dialog.response_to(request, code);
        if code == StatusCode::NOT_IMPLEMENTED {
            builder = builder.header(HeaderName::Allow, crate::registration::ALLOW_METHODS);
        }
        if let Ok(r) = builder.build() {
            self.respond_in_call(now, call, tx, &r);
        }
        if code == StatusCode::OK && method != Some(Method::Options) {
            let content_type = request.content_type().map(|t| t.to_string());
            self.push_event(UaEvent::CallRequest {
                call,
                request: Box::new(CallRequest {
                    method: method.map(|m| m.as_str().to_owned()).unwrap_or_default(),
                    content_type,
                    body: request.body().to_vec(),
                    message: request.clone(),
                }),
            });
        }
    }
}
