//! Call transfer (RFC 3515 REFER with its implicit subscription, RFC 3420
//! sipfrag NOTIFYs, RFC 3892 Referred-By): asking the peer to call someone
//! else, and being asked.

use std::time::Instant;

use sip::header::{HeaderName, ReferTo};
use sip::{Message, Method, StatusCode};
use sip_core::stack::{ClientTxId, ServerTxId};

use super::agent::{CallError, reason_of};
use super::options::TxOptions;
use super::session::{CallId, CallState};
use crate::registration::parse_address;
use crate::user_agent::{UaEvent, UserAgent};

/// The content type of transfer progress (RFC 3420).
const SIPFRAG: &str = "message/sipfrag;version=2.0";

/// What a REFER from the peer asks (PJSUA2's `OnCallTransferRequestParam`
/// and `OnCallReplaceRequestParam` before the decision).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    /// Whom to call: the Refer-To URI, its `?Replaces=` header part
    /// removed.
    pub refer_to: String,
    /// The Refer-To value as received (with any embedded headers).
    pub refer_to_raw: String,
    /// The Replaces value embedded in Refer-To (attended transfer, RFC
    /// 3891), decoded.
    pub replaces: Option<String>,
    /// The Referred-By value, if any (RFC 3892).
    pub referred_by: Option<String>,
}

/// Decodes `%XX` escapes (Refer-To's embedded headers are escaped).
fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                // Two hex digits make one byte: h and l are below 16.
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes what Replaces needs escaped inside a URI header (RFC 3261
/// §19.1.1 `hvalue`: `;`, `=`, `@`, `%`, `?`, `&`, space).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()[]/:+$".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Splits the headers part (`?name=value&...`) off a destination URI
/// (bare, or in `<>` with a display name): the destination without it,
/// the Replaces value decoded (whether it was escaped or not: `;` and `=`
/// cannot be part of a header value unescaped, so they are Replaces'
/// own), and the other headers as written.
fn split_uri_headers(dst: &str) -> (String, Option<String>, Vec<String>) {
    let dst = dst.trim();
    let (prefix, inner, suffix) = match (dst.find('<'), dst.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            (&dst[..=open], &dst[open + 1..close], &dst[close..])
        }
        _ => ("", dst, ""),
    };
    let Some((base, query)) = inner.split_once('?') else {
        return (dst.to_owned(), None, Vec::new());
    };
    let mut replaces = None;
    let mut others = Vec::new();
    for piece in query.split('&') {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        if name.trim().eq_ignore_ascii_case("replaces") {
            replaces = Some(unescape(value.trim()));
        } else if !piece.trim().is_empty() {
            others.push(piece.trim().to_owned());
        }
    }
    (format!("{prefix}{base}{suffix}"), replaces, others)
}

/// The `SIP/2.0 <code> <reason>` status line of a sipfrag body.
fn sipfrag_status(body: &[u8]) -> Option<(u16, String)> {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().next()?.trim();
    let rest = line.strip_prefix("SIP/2.0")?.trim_start();
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    let code: u16 = code.parse().ok()?;
    (100..700)
        .contains(&code)
        .then(|| (code, reason.trim().to_owned()))
}

impl UserAgent {
    /// Asks the peer to call `dst_uri` (blind transfer, PJSUA2's `xfer`),
    /// or, with `replaces`, to call the peer of another of our calls and
    /// replace it (attended transfer, `xferReplaces`). Progress comes as
    /// [`UaEvent::TransferStatus`].
    pub fn transfer(
        &mut self,
        now: Instant,
        call: CallId,
        dst_uri: &str,
        replaces: Option<CallId>,
    ) -> Result<ClientTxId, CallError> {
        self.transfer_with(now, call, dst_uri, replaces, &TxOptions::default())
    }

    /// [`UserAgent::transfer`] with extra headers (and a body) in the
    /// REFER (PJSUA2's `CallOpParam.txOption` of `xfer`/`xferReplaces`).
    pub fn transfer_with(
        &mut self,
        now: Instant,
        call: CallId,
        dst_uri: &str,
        replaces: Option<CallId>,
        opts: &TxOptions,
    ) -> Result<ClientTxId, CallError> {
        // The Replaces value names the other call's dialog as the peer
        // sees it: its Call-ID, the peer's tag as to-tag, ours as from-tag.
        let replaces_value = match replaces {
            Some(other) => {
                let o = self.calls.get(other).ok_or(CallError::NotFound)?;
                let d = o
                    .dialog
                    .as_ref()
                    .ok_or(CallError::InvalidState("xferReplaces", o.state))?;
                let id = d.id();
                Some(format!(
                    "{};to-tag={};from-tag={}",
                    id.call_id(),
                    id.remote_tag(),
                    id.local_tag()
                ))
            }
            None => None,
        };
        // A destination may carry URI headers written by hand (PJSUA2
        // applications build attended transfers as `uri?Replaces=...`),
        // escaped or not: Replaces is taken out and escaped again, other
        // headers are kept as written.
        let (dst_base, embedded_replaces, other_headers) = split_uri_headers(dst_uri);
        let replaces_value = replaces_value.or(embedded_replaces);
        let target = match replaces {
            Some(other) => self
                .calls
                .get(other)
                .and_then(|o| o.dialog.as_ref().map(|d| d.remote_target().to_string()))
                .ok_or(CallError::NotFound)?,
            None => dst_base,
        };
        let target = parse_address("transfer destination", &target)
            .map_err(|_| CallError::InvalidUri(dst_uri.to_owned()))?;
        let mut refer_to = format!("<{}", target.uri);
        let mut headers: Vec<String> = Vec::new();
        if let Some(value) = &replaces_value {
            headers.push(format!("Replaces={}", escape(value)));
        }
        if replaces.is_none() {
            headers.extend(other_headers);
        }
        if !headers.is_empty() {
            refer_to.push('?');
            refer_to.push_str(&headers.join("&"));
        }
        refer_to.push('>');
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        if c.state != CallState::Confirmed {
            return Err(CallError::InvalidState("xfer", c.state));
        }
        let referred_by = c.local_uri.clone();
        let Some(dialog) = c.dialog.as_mut() else {
            return Err(CallError::InvalidState("xfer", c.state));
        };
        let mut request = dialog
            .request(Method::Refer)
            .map_err(|e| CallError::Build(e.to_string()))?
            .header(HeaderName::ReferTo, &refer_to)
            .header(HeaderName::ReferredBy, &referred_by)
            .build()
            .map_err(|e| CallError::Build(e.to_string()))?;
        opts.apply(&mut request);
        let tx = self.send_call_request(now, call, request)?;
        self.calls.refers.insert(tx, call);
        Ok(tx)
    }

    /// The answer to our REFER: a refusal is the transfer's final status.
    pub(crate) fn call_on_refer_response(
        &mut self,
        call: CallId,
        tx: ClientTxId,
        response: &Message,
    ) {
        let Some(status) = response.status() else {
            return;
        };
        if !status.is_final() {
            return;
        }
        self.calls.refers.remove(&tx);
        if !status.is_success() {
            self.push_event(UaEvent::TransferStatus {
                call,
                code: status.code(),
                reason: reason_of(response),
                final_notify: true,
            });
        }
    }

    /// A REFER from the peer: reported as [`UaEvent::TransferRequest`];
    /// answer it with [`UserAgent::answer_transfer`].
    pub(crate) fn call_on_refer(
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
        let refused = match dialog.handle_request(request) {
            Err(e) => Some(e.status().unwrap_or(StatusCode::SERVER_INTERNAL_ERROR)),
            Ok(_) if request.typed::<ReferTo<'_>>().is_none_or(|r| r.is_err()) => {
                Some(StatusCode::BAD_REQUEST)
            }
            Ok(_) => None,
        };
        if let Some(code) = refused {
            if let Ok(r) = dialog.response_to(request, code).build() {
                self.respond_in_call(now, call, tx, &r);
            }
            return;
        }
        let raw = request
            .raw_value(HeaderName::ReferTo)
            .unwrap_or("")
            .trim()
            .to_owned();
        let (uri_part, replaces) = match request.typed::<ReferTo<'_>>() {
            Some(Ok(r)) => {
                let uri = r.0.uri.to_string();
                match uri.split_once('?') {
                    Some((base, headers)) => {
                        let replaces = headers.split('&').find_map(|h| {
                            let (name, value) = h.split_once('=')?;
                            name.eq_ignore_ascii_case("replaces")
                                .then(|| unescape(value))
                        });
                        (base.to_owned(), replaces)
                    }
                    None => (uri, None),
                }
            }
            _ => (raw.clone(), None),
        };
        let referred_by = request
            .raw_value(HeaderName::ReferredBy)
            .map(|v| v.trim().to_owned());
        self.calls.incoming_refers.insert(call, tx);
        self.push_event(UaEvent::TransferRequest {
            call,
            request: Box::new(TransferRequest {
                refer_to: uri_part,
                refer_to_raw: raw,
                replaces,
                referred_by,
            }),
        });
    }

    /// Answers the peer's REFER (PJSUA2: `onCallTransferRequest` sets the
    /// status code, 202 by default). After 202, progress of the new call
    /// goes to the peer with [`UserAgent::notify_transfer`]; the first
    /// NOTIFY (100 Trying) is sent at once.
    pub fn answer_transfer(
        &mut self,
        now: Instant,
        call: CallId,
        code: u16,
    ) -> Result<(), CallError> {
        let status = StatusCode::new(code)
            .filter(|s| s.is_final())
            .ok_or(CallError::InvalidCode(code))?;
        let tx = self
            .calls
            .incoming_refers
            .remove(&call)
            .ok_or(CallError::InvalidState(
                "answer_transfer",
                CallState::Confirmed,
            ))?;
        let Some(request) = self.stack().server_request(tx).cloned() else {
            return Err(CallError::NotFound);
        };
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        let Some(dialog) = c.dialog.as_mut() else {
            return Err(CallError::InvalidState("answer_transfer", c.state));
        };
        let response = dialog
            .response_to(&request, status)
            .build()
            .map_err(|e| CallError::Build(e.to_string()))?;
        self.respond_in_call(now, call, tx, &response);
        if status.is_success() {
            self.notify_transfer(now, call, 100, "Trying", false)?;
        }
        Ok(())
    }

    /// Tells the peer how the call it asked for goes (a NOTIFY with a
    /// sipfrag status line); `final_notify` ends the implicit subscription.
    pub fn notify_transfer(
        &mut self,
        now: Instant,
        call: CallId,
        code: u16,
        reason: &str,
        final_notify: bool,
    ) -> Result<(), CallError> {
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        let Some(dialog) = c.dialog.as_mut() else {
            return Err(CallError::InvalidState("notify_transfer", c.state));
        };
        let state = if final_notify {
            "terminated;reason=noresource"
        } else {
            "active;expires=600"
        };
        let body = format!("SIP/2.0 {code} {reason}\r\n");
        let request = dialog
            .request(Method::Notify)
            .map_err(|e| CallError::Build(e.to_string()))?
            .header(HeaderName::Event, "refer")
            .header(HeaderName::SubscriptionState, state)
            .body(SIPFRAG, body.into_bytes())
            .build()
            .map_err(|e| CallError::Build(e.to_string()))?;
        self.send_call_request(now, call, request)?;
        Ok(())
    }

    /// A NOTIFY of our REFER's subscription: progress of the transfer.
    pub(crate) fn call_on_notify(
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
        let is_refer = request.raw_value(HeaderName::Event).is_some_and(|e| {
            e.trim()
                .split(';')
                .next()
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("refer"))
        });
        let code = match dialog.handle_request(request) {
            Err(e) => e.status().unwrap_or(StatusCode::SERVER_INTERNAL_ERROR),
            Ok(_) if !is_refer => StatusCode::BAD_EVENT,
            Ok(_) => StatusCode::OK,
        };
        if let Ok(r) = dialog.response_to(request, code).build() {
            self.respond_in_call(now, call, tx, &r);
        }
        if code != StatusCode::OK {
            return;
        }
        let terminated = request
            .raw_value(HeaderName::SubscriptionState)
            .is_some_and(|s| s.trim().to_ascii_lowercase().starts_with("terminated"));
        if let Some((code, reason)) = sipfrag_status(request.body()) {
            self.push_event(UaEvent::TransferStatus {
                call,
                code,
                reason,
                final_notify: terminated || code >= 200,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_is_taken_out_of_a_destination_escaped_or_not() {
        let (base, replaces, others) =
            split_uri_headers("<sip:c@h?Replaces=id%40h%3Bto-tag%3Da%3Bfrom-tag%3Db&X=1>");
        assert_eq!(base, "<sip:c@h>");
        assert_eq!(replaces.as_deref(), Some("id@h;to-tag=a;from-tag=b"));
        assert_eq!(others, ["X=1"]);
        let (base, replaces, _) = split_uri_headers("sip:c@h?replaces=id;to-tag=a;from-tag=b");
        assert_eq!(base, "sip:c@h");
        assert_eq!(replaces.as_deref(), Some("id;to-tag=a;from-tag=b"));
        let (base, replaces, others) = split_uri_headers("\"C\" <sip:c@h>");
        assert_eq!(
            (base.as_str(), replaces, others.len()),
            ("\"C\" <sip:c@h>", None, 0)
        );
        // Bad input: no panic.
        for bad in [
            "",
            "?",
            "<",
            ">",
            "><?",
            "sip:c@h?",
            "<sip:c@h?&&=>",
            "é?é=é",
        ] {
            let _ = split_uri_headers(bad);
        }
    }

    #[test]
    fn replaces_round_trips_through_escaping() {
        let v = "abc@host;to-tag=1;from-tag=2";
        assert_eq!(unescape(&escape(v)), v);
        assert!(!escape(v).contains(';'));
    }

    #[test]
    fn sipfrag_status_lines_are_read() {
        assert_eq!(
            sipfrag_status(b"SIP/2.0 200 OK\r\n"),
            Some((200, "OK".into()))
        );
        assert_eq!(
            sipfrag_status(b"SIP/2.0 180 Ringing"),
            Some((180, "Ringing".into()))
        );
        assert_eq!(sipfrag_status(b"SIP/2.0 99 Odd\r\n"), None);
        assert_eq!(sipfrag_status(b"garbage"), None);
        assert_eq!(sipfrag_status(b""), None);
    }
}
