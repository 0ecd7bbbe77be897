//! SIP messages: requests and responses (RFC 3261 §7).
//!
//! A [`Message`] keeps its start line and header section as one string, and each
//! header field as a pair of byte ranges into it: parsing allocates that string,
//! the field table and the body, nothing per header. Typed values are parsed on
//! access and borrow from the message.

mod body_access;
mod build;
mod limits;
mod method;
mod parse;
mod status;

use std::fmt;

use bytes::Bytes;

pub use self::build::{BuildError, RequestBuilder, ResponseBuilder};
pub use self::limits::Limits;
pub use self::method::Method;
pub use self::status::StatusCode;
use crate::error::{ParseError, SyntaxError};
use crate::header::{
    self, CSeq, CallId, Contact, ContentType, FromHeader, HeaderName, ToHeader, TypedHeader, Via,
};
use crate::uri::{Uri, UriContext};

/// A byte range into a message's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn of(text: &str, range: std::ops::Range<usize>) -> Self {
        debug_assert!(range.end <= text.len());
        // Message text is bounded by Limits::max_message_size, far below 4 GiB.
        Self {
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    /// The range of `len` bytes from `start`.
    fn at(start: usize, len: usize) -> Self {
        Self {
            start: start as u32,
            end: (start + len) as u32,
        }
    }

    fn get(self, text: &str) -> &str {
        &text[self.start as usize..self.end as usize]
    }
}

/// One header field: its name as written and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    kind: Option<HeaderName>,
    name: Span,
    value: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartLine {
    Request { method: Span, uri: Span },
    Response { code: StatusCode, reason: Span },
}

/// A SIP request or response.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    /// Start line and header text; new header values are appended to it.
    text: String,
    start: StartLine,
    /// The SIP version as written when it is not 2.0 (such a message parses,
    /// and [`Message::validate`] refuses it, so that a UAS can answer 505).
    other_version: Option<Span>,
    fields: Vec<Field>,
    body: Bytes,
}

/// A header field as the message holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderField<'m> {
    /// The header, if this crate knows it.
    pub kind: Option<HeaderName>,
    /// The name as written (`v`, `VIA`, `X-Custom`).
    pub name: &'m str,
    /// The value as written, folded lines included, surrounding white space removed.
    pub value: &'m str,
}

impl Message {
    /// Parses one message from a datagram (or from the exact bytes a stream
    /// framer cut out), with the default [`Limits`], checking every header this
    /// crate knows against its grammar.
    ///
    /// ```
    /// let msg = sip::Message::parse(
    ///     b"OPTIONS sip:bob@example.com SIP/2.0\r\n\
    ///       Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bKhjhs8ass877\r\n\
    ///       Max-Forwards: 70\r\n\
    ///       To: <sip:bob@example.com>\r\n\
    ///       From: Alice <sip:alice@example.com>;tag=1928301774\r\n\
    ///       Call-ID: a84b4c76e66710\r\n\
    ///       CSeq: 63104 OPTIONS\r\n\
    ///       Content-Length: 0\r\n\r\n",
    /// )
    /// .unwrap();
    /// assert_eq!(msg.method().unwrap(), sip::Method::Options);
    /// assert_eq!(msg.cseq().unwrap().seq, 63104);
    /// assert_eq!(msg.from().unwrap().tag(), Some("1928301774"));
    /// ```
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::default())
    }

    /// [`Message::parse`] with explicit limits.
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let msg = Self::parse_lazy(input, limits)?;
        msg.validate()?;
        Ok(msg)
    }

    /// Parses the framing only: start line, header lines and Content-Length,
    /// leaving other header values to be checked on access or by
    /// [`Message::validate`]. A UAS uses this to still answer a request whose
    /// headers are malformed with a 400 that names the header.
    pub fn parse_lazy(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        parse::parse(input, limits, |range| Bytes::copy_from_slice(&input[range]))
    }

    /// [`Message::parse_lazy`] over a shared buffer: the body is a slice of
    /// `input`, not a copy.
    pub fn parse_lazy_shared(input: &Bytes, limits: &Limits) -> Result<Self, ParseError> {
        parse::parse(input, limits, |range| input.slice(range))
    }

    /// Checks every known header against its grammar, and that a request's
    /// CSeq method matches its method (RFC 3261 §8.1.1.5).
    pub fn validate(&self) -> Result<(), ParseError> {
        if let Some(version) = self.other_version {
            return Err(ParseError::Version {
                version: version.get(&self.text).to_owned(),
            });
        }
        if let StartLine::Request { uri, .. } = self.start {
            Uri::parse_in(uri.get(&self.text), UriContext::RequestLine).map_err(|e| {
                ParseError::StartLine {
                    what: e.what(),
                    offset: uri.start as usize + e.offset(),
                }
            })?;
        }
        for f in &self.fields {
            if let Some(kind) = f.kind {
                let value = f.value.get(&self.text);
                header::validate(kind, value).map_err(|e| ParseError::Header {
                    header: f.name.get(&self.text).to_owned(),
                    what: e.what(),
                    offset: f.value.start as usize + e.offset(),
                })?;
            }
        }
        if let (Some(method), Some(Ok(cseq))) = (self.method(), self.typed::<CSeq<'_>>()) {
            if cseq.method != method {
                return Err(ParseError::CSeqMethodMismatch {
                    method: method.to_string(),
                    cseq: cseq.method.to_string(),
                });
            }
        }
        Ok(())
    }

    /// The SIP version: `SIP/2.0`, unless the message was parsed lazily with
    /// another version.
    pub fn version(&self) -> &str {
        self.other_version.map_or("SIP/2.0", |v| v.get(&self.text))
    }

    /// Whether this is a request.
    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// The request method; `None` for a response.
    pub fn method(&self) -> Option<Method<'_>> {
        match self.start {
            StartLine::Request { method, .. } => Some(Method::parse(method.get(&self.text))),
            StartLine::Response { .. } => None,
        }
    }

    /// The Request-URI as written; `None` for a response.
    pub fn request_uri_str(&self) -> Option<&str> {
        match self.start {
            StartLine::Request { uri, .. } => Some(uri.get(&self.text)),
            StartLine::Response { .. } => None,
        }
    }

    /// The Request-URI; `None` for a response, or if it is malformed (which
    /// [`Message::validate`] reports).
    pub fn request_uri(&self) -> Option<Uri<'_>> {
        Uri::parse_in(self.request_uri_str()?, UriContext::RequestLine).ok()
    }

    /// The status code; `None` for a request.
    pub fn status(&self) -> Option<StatusCode> {
        match self.start {
            StartLine::Response { code, .. } => Some(code),
            StartLine::Request { .. } => None,
        }
    }

    /// The reason phrase; `None` for a request.
    pub fn reason(&self) -> Option<&str> {
        match self.start {
            StartLine::Response { reason, .. } => Some(reason.get(&self.text)),
            StartLine::Request { .. } => None,
        }
    }

    /// The body (empty when there is none).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Every header field in order.
    pub fn headers(&self) -> impl Iterator<Item = HeaderField<'_>> + '_ {
        self.fields.iter().map(|f| self.field(f))
    }

    fn field(&self, f: &Field) -> HeaderField<'_> {
        HeaderField {
            kind: f.kind,
            name: f.name.get(&self.text),
            value: f.value.get(&self.text),
        }
    }

    /// The number of header fields (lines).
    pub fn header_count(&self) -> usize {
        self.fields.len()
    }

    /// The raw values of every line of a known header, in order.
    pub fn raw_values(&self, name: HeaderName) -> impl Iterator<Item = &str> + '_ {
        self.fields
            .iter()
            .filter(move |f| f.kind == Some(name))
            .map(|f| f.value.get(&self.text))
    }

    /// The raw value of the first line of a known header.
    pub fn raw_value(&self, name: HeaderName) -> Option<&str> {
        self.raw_values(name).next()
    }

    /// The raw values of every line of a header given by name, known or not
    /// (case-insensitive; a known header also matches its compact form).
    pub fn raw_values_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        let kind = HeaderName::from_name(name);
        self.fields
            .iter()
            .filter(move |f| match kind {
                Some(k) => f.kind == Some(k),
                None => f.kind.is_none() && f.name.get(&self.text).eq_ignore_ascii_case(name),
            })
            .map(|f| f.value.get(&self.text))
    }

    /// Every value of header `H`, across all its lines and list elements.
    pub fn typed_all<'a, H: TypedHeader<'a> + 'a>(
        &'a self,
    ) -> impl Iterator<Item = Result<H, SyntaxError>> + 'a {
        self.raw_values(H::NAME).flat_map(header::parse_line::<H>)
    }

    /// The first value of header `H`.
    pub fn typed<'a, H: TypedHeader<'a> + 'a>(&'a self) -> Option<Result<H, SyntaxError>> {
        self.typed_all::<H>().next()
    }

    /// The top Via; `None` if absent or malformed ([`Message::validate`] tells which).
    pub fn via(&self) -> Option<Via<'_>> {
        self.typed::<Via<'_>>()?.ok()
    }

    /// The From header; `None` if absent or malformed.
    pub fn from(&self) -> Option<FromHeader<'_>> {
        self.typed::<FromHeader<'_>>()?.ok()
    }

    /// The To header; `None` if absent or malformed.
    pub fn to(&self) -> Option<ToHeader<'_>> {
        self.typed::<ToHeader<'_>>()?.ok()
    }

    /// The Call-ID; `None` if absent or malformed.
    pub fn call_id(&self) -> Option<CallId<'_>> {
        self.typed::<CallId<'_>>()?.ok()
    }

    /// The CSeq; `None` if absent or malformed.
    pub fn cseq(&self) -> Option<CSeq<'_>> {
        self.typed::<CSeq<'_>>()?.ok()
    }

    /// Every Contact value that parses; malformed ones are skipped (use
    /// `typed_all::<Contact>()` to see them).
    pub fn contacts(&self) -> impl Iterator<Item = Contact<'_>> + '_ {
        self.typed_all::<Contact<'_>>().filter_map(Result::ok)
    }

    /// The Content-Type; `None` if absent or malformed.
    pub fn content_type(&self) -> Option<ContentType<'_>> {
        self.typed::<ContentType<'_>>()?.ok()
    }

    /// The first header that RFC 3261 allows once but that appears more than
    /// once with different values (RFC 4475 §3.3.8, §3.3.9): a UAS answers 400.
    pub fn repeated_single_header(&self) -> Option<HeaderName> {
        const SINGLE: [HeaderName; 6] = [
            HeaderName::CallId,
            HeaderName::ContentLength,
            HeaderName::CSeq,
            HeaderName::From,
            HeaderName::MaxForwards,
            HeaderName::To,
        ];
        SINGLE.into_iter().find(|&name| {
            let mut values = self.raw_values(name);
            values
                .next()
                .is_some_and(|first| values.any(|v| v != first))
        })
    }

    /// Appends a header line with a raw value (known or unknown header).
    pub fn push_raw(&mut self, name: &str, value: &str) {
        let kind = HeaderName::from_name(name);
        let field = self.append_field(kind, name, value);
        self.fields.push(field);
    }

    /// Appends a header line of known name with a value printed from `value`.
    pub fn push(&mut self, name: HeaderName, value: impl fmt::Display) {
        let field = self.append_field_display(name, value);
        self.fields.push(field);
    }

    /// Inserts a header line before every other line of the same header, or
    /// as the first header line if there is none (to prepend a Via or a
    /// Record-Route).
    pub fn push_front(&mut self, name: HeaderName, value: impl fmt::Display) {
        let field = self.append_field_display(name, value);
        let at = self
            .fields
            .iter()
            .position(|f| f.kind == Some(name))
            .unwrap_or(0);
        self.fields.insert(at, field);
    }

    /// Replaces every line of a known header with one line carrying `value`,
    /// placed where the first one was (or at the end).
    pub fn set(&mut self, name: HeaderName, value: impl fmt::Display) {
        let field = self.append_field_display(name, value);
        match self.fields.iter().position(|f| f.kind == Some(name)) {
            Some(at) => {
                self.fields[at] = field;
                let mut index = 0;
                self.fields.retain(|f| {
                    let keep = index == at || f.kind != Some(name);
                    index += 1;
                    keep
                });
            }
            None => self.fields.push(field),
        }
    }

    /// Removes every line of a header given by name (known or not); returns
    /// how many were removed.
    pub fn remove(&mut self, name: &str) -> usize {
        let kind = HeaderName::from_name(name);
        let before = self.fields.len();
        let text = &self.text;
        self.fields.retain(|f| match kind {
            Some(k) => f.kind != Some(k),
            None => f.kind.is_some() || !f.name.get(text).eq_ignore_ascii_case(name),
        });
        before - self.fields.len()
    }

    /// Removes the first value of the first line of a known header (the top
    /// Via, say), keeping the other values of that line.
    pub fn remove_first_value(&mut self, name: HeaderName) -> bool {
        let Some(at) = self.fields.iter().position(|f| f.kind == Some(name)) else {
            return false;
        };
        let value = self.fields[at].value.get(&self.text);
        let mut items = crate::scan::split_list(value);
        items.next();
        let rest: Vec<&str> = items.collect();
        if rest.is_empty() {
            self.fields.remove(at);
        } else {
            let joined = rest.join(", ");
            let field = self.append_field_display(name, joined);
            self.fields[at] = field;
        }
        true
    }

    /// Replaces the body, setting Content-Length (and Content-Type, if given;
    /// an empty body with no type removes Content-Type).
    pub fn set_body(&mut self, content_type: Option<&str>, body: impl Into<Bytes>) {
        self.body = body.into();
        match content_type {
            Some(ct) => self.set(HeaderName::ContentType, ct),
            None if self.body.is_empty() => {
                self.remove(HeaderName::ContentType.as_str());
            }
            None => {}
        }
        self.set(HeaderName::ContentLength, self.body.len());
    }

    fn append_field_display(&mut self, name: HeaderName, value: impl fmt::Display) -> Field {
        use fmt::Write;
        let name_start = self.text.len();
        self.text.push_str(name.as_str());
        let value_start = self.text.len();
        // Writing to a String cannot fail.
        let _ = write!(self.text, "{value}");
        Field {
            kind: Some(name),
            name: Span::of(&self.text, name_start..value_start),
            value: Span::of(&self.text, value_start..self.text.len()),
        }
    }

    fn append_field(&mut self, kind: Option<HeaderName>, name: &str, value: &str) -> Field {
        let name_start = self.text.len();
        self.text.push_str(name);
        let value_start = self.text.len();
        self.text.push_str(value);
        Field {
            kind,
            name: Span::of(&self.text, name_start..value_start),
            value: Span::of(&self.text, value_start..self.text.len()),
        }
    }

    /// Prints the message into `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.reserve(self.text.len() + self.body.len() + 2 * self.fields.len() + 16);
        match self.start {
            StartLine::Request { method, uri } => {
                out.extend_from_slice(method.get(&self.text).as_bytes());
                out.push(b' ');
                out.extend_from_slice(uri.get(&self.text).as_bytes());
                out.push(b' ');
                out.extend_from_slice(self.version().as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            StartLine::Response { code, reason } => {
                let c = code.code();
                // A StatusCode is always three digits (100..=699).
                out.extend_from_slice(self.version().as_bytes());
                out.push(b' ');
                out.extend_from_slice(&[
                    b'0' + (c / 100) as u8,
                    b'0' + (c / 10 % 10) as u8,
                    b'0' + (c % 10) as u8,
                    b' ',
                ]);
                out.extend_from_slice(reason.get(&self.text).as_bytes());
                out.extend_from_slice(b"\r\n");
            }
        }
        for f in &self.fields {
            out.extend_from_slice(f.name.get(&self.text).as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(f.value.get(&self.text).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
    }

    /// The message as bytes, ready to send.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Message");
        match self.start {
            StartLine::Request { method, uri } => d
                .field("method", &method.get(&self.text))
                .field("uri", &uri.get(&self.text)),
            StartLine::Response { code, reason } => d
                .field("status", &code.code())
                .field("reason", &reason.get(&self.text)),
        };
        d.field(
            "headers",
            &self
                .headers()
                .map(|h| (h.name, h.value))
                .collect::<Vec<_>>(),
        )
        .field("body_len", &self.body.len())
        .finish()
    }
}

impl fmt::Display for Message {
    /// The message as text; a body that is not UTF-8 is shown lossily.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

#[cfg(test)]
mod tests;
