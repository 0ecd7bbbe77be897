//! Builders that make well-formed requests and responses easy to write.

use std::fmt;

use bytes::Bytes;

use super::{Message, Method, Span, StartLine, StatusCode};
use crate::address::Address;
use crate::header::{CSeq, HeaderName, ToHeader, TypedHeader, Via};
use crate::uri::Uri;

/// A message the builder refuses to produce.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A header every request must carry (RFC 3261 §8.1.1) was not given.
    #[error("request lacks the mandatory {0} header")]
    MissingHeader(HeaderName),
    /// The request to answer lacks a header the response must copy.
    #[error("cannot answer a request without {0}")]
    UnanswerableRequest(HeaderName),
    /// `response_to` was given a response.
    #[error("response_to needs a request")]
    NotARequest,
}

/// Methods both builders share: adding headers and the body.
macro_rules! header_methods {
    () => {
        /// Adds a Contact.
        pub fn contact(mut self, contact: &Address<'_>) -> Self {
            self.msg.push(HeaderName::Contact, contact);
            self
        }

        /// Adds a header line of a typed value.
        pub fn typed<'a, H: TypedHeader<'a>>(mut self, value: &H) -> Self {
            self.msg.push(H::NAME, value);
            self
        }

        /// Adds a header line of a known header from text.
        pub fn header(mut self, name: HeaderName, value: impl fmt::Display) -> Self {
            self.msg.push(name, value);
            self
        }

        /// Adds a header line by name, for headers this crate does not know.
        pub fn raw_header(mut self, name: &str, value: &str) -> Self {
            self.msg.push_raw(name, value);
            self
        }

        /// Sets the body and its Content-Type.
        pub fn body(mut self, content_type: &str, body: impl Into<Bytes>) -> Self {
            self.msg.set_body(Some(content_type), body);
            self
        }
    };
}

/// Builds a request, started by [`Message::request`]; a response is built by
/// [`ResponseBuilder`], started by [`Message::response_to`].
///
/// ```
/// use sip::header::{HeaderName, Via};
/// use sip::uri::{Host, Uri};
/// use sip::{Address, Message, Method, StatusCode};
///
/// let bob = Uri::parse("sip:bob@biloxi.example.com").unwrap();
/// let alice = Uri::parse("sip:alice@atlanta.example.com").unwrap();
/// let mut from = Address::new(alice);
/// from.params.push("tag", Some("9fxced76sl"));
/// let invite = Message::request(Method::Invite, &bob)
///     .via(&Via::new("UDP", Host::parse_str("pc33.atlanta.example.com").unwrap(), None, "z9hG4bK776asdhds"))
///     .from(&from)
///     .to(&Address::new(bob.clone()))
///     .call_id("3848276298220188511@atlanta.example.com")
///     .cseq(1)
///     .header(HeaderName::Supported, "100rel, replaces")
///     .body("application/sdp", "v=0\r\n")
///     .build()
///     .unwrap();
/// assert_eq!(invite.cseq().unwrap().method, Method::Invite);
///
/// let ringing = Message::response_to(&invite, StatusCode::RINGING)
///     .to_tag("8321234356")
///     .build()
///     .unwrap();
/// assert_eq!(ringing.to().unwrap().tag(), Some("8321234356"));
/// assert_eq!(ringing.call_id().unwrap().as_str(), "3848276298220188511@atlanta.example.com");
/// ```
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    msg: Message,
    cseq: Option<u32>,
}

impl Message {
    /// Starts a request. The CSeq method is taken from `method`; Max-Forwards
    /// defaults to 70 and Content-Length is always written.
    pub fn request(method: Method<'_>, uri: &Uri<'_>) -> RequestBuilder {
        let mut text = String::with_capacity(512);
        text.push_str(method.as_str());
        let method_span = Span::of(&text, 0..text.len());
        let uri_start = text.len();
        {
            use fmt::Write;
            // Writing to a String cannot fail.
            let _ = write!(text, "{uri}");
        }
        let uri_span = Span::of(&text, uri_start..text.len());
        RequestBuilder {
            msg: Self {
                text,
                start: StartLine::Request {
                    method: method_span,
                    uri: uri_span,
                },
                other_version: None,
                fields: Vec::with_capacity(12),
                body: Bytes::new(),
            },
            cseq: None,
        }
    }

    /// Starts a response to `request`, copying Via, From, To, Call-ID and CSeq
    /// (RFC 3261 §8.2.6.2) and, for 101–299 to a dialog-creating request
    /// (INVITE, SUBSCRIBE, REFER), Record-Route (§12.1.1).
    pub fn response_to(request: &Self, code: StatusCode) -> ResponseBuilder {
        let mut text = String::with_capacity(request.text.len() / 2 + 64);
        let reason = code.canonical_reason();
        text.push_str(reason);
        let mut msg = Self {
            start: StartLine::Response {
                code,
                reason: Span::of(&text, 0..text.len()),
            },
            text,
            other_version: None,
            fields: Vec::with_capacity(10),
            body: Bytes::new(),
        };
        let mut error = None;
        if !request.is_request() {
            error = Some(BuildError::NotARequest);
        }
        let copy_record_route = (101..300).contains(&code.code())
            && matches!(
                request.method(),
                Some(Method::Invite | Method::Subscribe | Method::Refer)
            );
        for f in &request.fields {
            let copy = matches!(
                f.kind,
                Some(
                    HeaderName::Via
                        | HeaderName::From
                        | HeaderName::To
                        | HeaderName::CallId
                        | HeaderName::CSeq
                )
            ) || (copy_record_route && f.kind == Some(HeaderName::RecordRoute));
            if copy {
                let field = msg.append_field(
                    f.kind,
                    f.name.get(&request.text),
                    f.value.get(&request.text),
                );
                msg.fields.push(field);
            }
        }
        for required in [
            HeaderName::Via,
            HeaderName::From,
            HeaderName::To,
            HeaderName::CallId,
            HeaderName::CSeq,
        ] {
            if error.is_none() && msg.raw_value(required).is_none() {
                error = Some(BuildError::UnanswerableRequest(required));
            }
        }
        ResponseBuilder { msg, error }
    }
}

impl RequestBuilder {
    header_methods!();

    /// Adds a Via (after any given before: the first is the top one).
    pub fn via(mut self, via: &Via<'_>) -> Self {
        self.msg.push(HeaderName::Via, via);
        self
    }

    /// Sets From; give it a `tag` parameter.
    pub fn from(mut self, from: &Address<'_>) -> Self {
        self.msg.set(HeaderName::From, from);
        self
    }

    /// Sets To.
    pub fn to(mut self, to: &Address<'_>) -> Self {
        self.msg.set(HeaderName::To, to);
        self
    }

    /// Sets Call-ID.
    pub fn call_id(mut self, call_id: &str) -> Self {
        self.msg.set(HeaderName::CallId, call_id);
        self
    }

    /// Sets the CSeq number; the method is the request's.
    pub fn cseq(mut self, seq: u32) -> Self {
        self.cseq = Some(seq);
        self
    }

    /// Sets Max-Forwards (default 70).
    pub fn max_forwards(mut self, hops: u8) -> Self {
        self.msg.set(HeaderName::MaxForwards, hops);
        self
    }

    /// Adds a Route entry (after any given before).
    pub fn route(mut self, route: &Address<'_>) -> Self {
        self.msg.push(HeaderName::Route, route);
        self
    }

    /// The request, if From, To, Call-ID and CSeq were given.
    pub fn build(mut self) -> Result<Message, BuildError> {
        let method = self.msg.method().map(Method::into_owned);
        for required in [HeaderName::From, HeaderName::To, HeaderName::CallId] {
            if self.msg.raw_value(required).is_none() {
                return Err(BuildError::MissingHeader(required));
            }
        }
        let seq = self
            .cseq
            .ok_or(BuildError::MissingHeader(HeaderName::CSeq))?;
        if let Some(method) = method {
            self.msg.set(HeaderName::CSeq, CSeq { seq, method });
        }
        if self.msg.raw_value(HeaderName::MaxForwards).is_none() {
            self.msg.push(HeaderName::MaxForwards, 70);
        }
        self.msg.set(HeaderName::ContentLength, self.msg.body.len());
        Ok(self.msg)
    }
}

/// Builds a response, started by [`Message::response_to`]; see [`RequestBuilder`]
/// for an example.
#[derive(Debug, Clone)]
pub struct ResponseBuilder {
    msg: Message,
    error: Option<BuildError>,
}

impl ResponseBuilder {
    header_methods!();

    /// Replaces the canonical reason phrase.
    pub fn reason(mut self, reason: &str) -> Self {
        let start = self.msg.text.len();
        // A reason phrase is one line.
        let reason = reason.replace(['\r', '\n'], " ");
        self.msg.text.push_str(&reason);
        if let StartLine::Response { code, .. } = self.msg.start {
            self.msg.start = StartLine::Response {
                code,
                reason: Span::of(&self.msg.text, start..self.msg.text.len()),
            };
        }
        self
    }

    /// Adds a tag to To unless it has one (RFC 3261 §8.2.6.2).
    pub fn to_tag(mut self, tag: &str) -> Self {
        let updated = match self.msg.typed::<ToHeader<'_>>() {
            Some(Ok(to)) if to.tag().is_none() => {
                let mut to = to.into_owned();
                to.params.push("tag", Some(tag));
                Some(to)
            }
            _ => None,
        };
        if let Some(to) = updated {
            self.msg.set(HeaderName::To, to);
        }
        self
    }

    /// The response, unless the request lacked what a response must copy.
    pub fn build(mut self) -> Result<Message, BuildError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.msg.set(HeaderName::ContentLength, self.msg.body.len());
        Ok(self.msg)
    }
}
