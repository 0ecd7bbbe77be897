//! What a UAS checks before a request reaches its user (RFC 3261 §8.2.1–§8.2.3),
//! and the responses that refuse it.

use sip::header::{ContentDisposition, HeaderName, Require};
use sip::{Message, Method, StatusCode};

/// What the UAS accepts. The stack refuses the rest itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UasPolicy {
    /// Methods the user handles. Others get 405 if the stack knows the method
    /// (REGISTER to a user agent, say) and 501 if it does not, both with an
    /// Allow header listing these (RFC 3261 §8.2.1).
    pub methods: Vec<String>,
    /// Body types the user understands; a body of another type that must be
    /// handled (Content-Disposition `handling=required`, the default) gets
    /// 415 with Accept (RFC 3261 §8.2.3).
    pub accepted_types: Vec<String>,
    /// Option tags understood (`Require` naming others gets 420 with Unsupported).
    pub supported: Vec<String>,
    /// Request-URI schemes served; others get 416.
    pub schemes: Vec<String>,
}

impl Default for UasPolicy {
    fn default() -> Self {
        Self {
            methods: [
                "INVITE",
                "ACK",
                "BYE",
                "CANCEL",
                "OPTIONS",
                "INFO",
                "UPDATE",
                "PRACK",
                "MESSAGE",
                "SUBSCRIBE",
                "NOTIFY",
                "REFER",
            ]
            .map(str::to_owned)
            .to_vec(),
            accepted_types: [
                "application/sdp",
                "text/plain",
                "message/sipfrag",
                "application/pidf+xml",
                "application/dtmf-relay",
                "application/im-iscomposing+xml",
                "multipart/mixed",
                "multipart/alternative",
            ]
            .map(str::to_owned)
            .to_vec(),
            supported: Vec::new(),
            schemes: ["sip", "sips", "tel"].map(str::to_owned).to_vec(),
        }
    }
}

/// A refusal: the status, a reason phrase that names the problem, and the
/// headers the status calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The status code.
    pub status: StatusCode,
    /// The reason phrase.
    pub reason: String,
    /// Extra header lines (Allow with 405/501, Unsupported with 420).
    pub headers: Vec<(HeaderName, String)>,
}

impl Rejection {
    pub(crate) fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
            headers: Vec::new(),
        }
    }

    /// The response to `request` that carries this refusal.
    pub fn response_to(&self, request: &Message, to_tag: &str) -> Option<Message> {
        let mut b = Message::response_to(request, self.status)
            .reason(&self.reason)
            .to_tag(to_tag);
        for (name, value) in &self.headers {
            b = b.header(*name, value);
        }
        b.build().ok()
    }
}

/// The headers every request must carry (RFC 3261 §8.1.1; Max-Forwards is
/// only a SHOULD for a UAC, so its absence is tolerated).
const MANDATORY: [HeaderName; 5] = [
    HeaderName::Via,
    HeaderName::To,
    HeaderName::From,
    HeaderName::CallId,
    HeaderName::CSeq,
];

/// Checks a request that parsed and validated. `Err` is the response the UAS
/// sends instead of handing the request on.
pub fn check_request(request: &Message, policy: &UasPolicy) -> Result<(), Rejection> {
    let Some(method) = request.method() else {
        return Ok(());
    };
    for name in MANDATORY {
        if request.raw_value(name).is_none() {
            return Err(Rejection::new(
                StatusCode::BAD_REQUEST,
                format!("Missing {name} Header"),
            ));
        }
    }
    if let Some(repeated) = request.repeated_single_header() {
        return Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            format!("Multiple {repeated} Values"),
        ));
    }
    // §8.2.1: methods.
    if !policy.methods.iter().any(|m| m == method.as_str()) {
        let mut r = if matches!(method, Method::Extension(_)) {
            Rejection::new(StatusCode::NOT_IMPLEMENTED, "Not Implemented")
        } else {
            Rejection::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
        };
        r.headers
            .push((HeaderName::Allow, policy.methods.join(", ")));
        return Err(r);
    }
    // §8.2.2.1: Request-URI scheme.
    if let Some(uri) = request.request_uri() {
        if !policy
            .schemes
            .iter()
            .any(|s| s.eq_ignore_ascii_case(uri.scheme()))
        {
            return Err(Rejection::new(
                StatusCode::UNSUPPORTED_URI_SCHEME,
                "Unsupported URI Scheme",
            ));
        }
    }
    // §8.2.2.3: Require (not for ACK or CANCEL). Proxy-Require is for proxies;
    // a UAS ignores it (RFC 4475 §3.3.5).
    if !matches!(method, Method::Ack | Method::Cancel) {
        let unsupported: Vec<String> = request
            .typed_all::<Require<'_>>()
            .filter_map(Result::ok)
            .map(|r| r.as_str().to_owned())
            .filter(|tag| !policy.supported.iter().any(|s| s.eq_ignore_ascii_case(tag)))
            .collect();
        if !unsupported.is_empty() {
            let mut r = Rejection::new(StatusCode::BAD_EXTENSION, "Bad Extension");
            r.headers
                .push((HeaderName::Unsupported, unsupported.join(", ")));
            return Err(r);
        }
    }
    // §8.2.3: a body the user cannot handle, when it must be handled.
    if !request.body().is_empty() && !matches!(method, Method::Ack | Method::Cancel) {
        let required = request
            .typed::<ContentDisposition<'_>>()
            .and_then(Result::ok)
            .is_none_or(|d| d.is_required());
        let understood = request.content_type().is_some_and(|ct| {
            policy
                .accepted_types
                .iter()
                .any(|t| t.split_once('/').is_some_and(|(k, s)| ct.is(k, s)))
        });
        if required && !understood {
            let mut r =
                Rejection::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type");
            r.headers
                .push((HeaderName::Accept, policy.accepted_types.join(", ")));
            return Err(r);
        }
    }
    Ok(())
}

/// The key of merged-request detection (§8.2.2.2): From tag, Call-ID and CSeq
/// of a request without a To tag.
pub(crate) fn merge_key(request: &Message) -> Option<(String, String, u32, String)> {
    if request.to()?.tag().is_some() {
        return None;
    }
    let cseq = request.cseq()?;
    Some((
        request.from()?.tag()?.to_owned(),
        request.call_id()?.as_str().to_owned(),
        cseq.seq,
        cseq.method.as_str().to_owned(),
    ))
}
