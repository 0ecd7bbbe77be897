//! Framing SIP messages on stream transports, TCP and TLS (RFC 3261 §18.3),
//! with the CRLF keep-alives of RFC 5626 §3.5.1. (WebSocket carries one
//! message per frame, RFC 7118, and needs no framer.)
//!
//! A stream carries messages back to back; each one's header section ends at
//! the first empty line and its body is exactly Content-Length bytes long, so
//! Content-Length is required. Between messages a client may send a double
//! CRLF (a keep-alive *ping*, which the server answers with a single CRLF, the
//! *pong*). Every CRLF between messages is reported at once, so a client sees
//! the pong without waiting for more bytes: one that completes a double CRLF
//! is a [`StreamItem::KeepAlivePing`], any other a
//! [`StreamItem::KeepAlivePong`]. A ping therefore reads as a pong then a
//! ping, however the network cuts it; a server answers the ping and ignores
//! pongs.
//!
//! [`StreamFramer`] is sans-IO: the transport [`push`](StreamFramer::push)es
//! what it reads, then [`poll`](StreamFramer::poll)s until `None`.
//!
//! ```
//! use sip::stream::{StreamFramer, StreamItem};
//!
//! let mut framer = StreamFramer::new();
//! framer.push(b"\r\n\r\nOPTIONS sip:bob@example.com SIP/2.0\r\n\
//!     Via: SIP/2.0/TCP pc33.example.com;branch=z9hG4bKhjhs8ass877\r\n\
//!     Max-Forwards: 70\r\n\
//!     To: <sip:bob@example.com>\r\n\
//!     From: Alice <sip:alice@example.com>;tag=1928301774\r\n\
//!     Call-ID: a84b4c76e66710\r\n\
//!     CSeq: 63104 OPTIONS\r\n\
//!     Content-Len");
//! // The keep-alive is complete, the message not yet.
//! assert_eq!(framer.poll(), Some(Ok(StreamItem::KeepAlivePong)));
//! assert_eq!(framer.poll(), Some(Ok(StreamItem::KeepAlivePing)));
//! assert_eq!(framer.poll(), None);
//! framer.push(b"gth: 0\r\n\r\n");
//! match framer.poll() {
//!     Some(Ok(StreamItem::Message(msg))) => assert_eq!(msg.cseq().unwrap().seq, 63104),
//!     other => panic!("expected a message, got {other:?}"),
//! }
//! assert_eq!(framer.poll(), None);
//! ```
//!
//! # Errors
//!
//! Two kinds, kept apart by the type:
//!
//! - A message that frames correctly but does not parse or validate comes out
//!   as [`StreamItem::Invalid`], and the framer goes on with the next message:
//!   the transport may answer a request with 400 (or 505, 513: see
//!   [`ParseError::status_code`]).
//! - A framing error — no Content-Length, an unreadable or conflicting one, a
//!   message larger than [`Limits::max_message_size`] (header section that
//!   never ends, or a Content-Length past the limit) — comes out as `Err`:
//!   where the next message starts is unknown, so the stream is unusable.
//!   `poll` reports the error once and returns `None` afterwards, `push`
//!   discards what it is given, and the transport closes the connection.

use bytes::{Buf, Bytes, BytesMut};

use crate::error::ParseError;
use crate::header::{ContentLength, HeaderName, TypedHeader};
use crate::message::{Limits, Message};
use crate::scan::{trim_end_wsp, trim_start_wsp};

/// What a stream yields, in order of arrival.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamItem {
    /// A message that parsed and validated.
    Message(Message),
    /// A CRLF between messages that completes a double CRLF: a client's
    /// keep-alive ping (RFC 5626 §3.5.1), which a server answers with a single
    /// CRLF. Its first CRLF came as a [`StreamItem::KeepAlivePong`].
    KeepAlivePing,
    /// Any other CRLF between messages: the server's pong answering a
    /// client's ping (or the first half of a ping, which a server ignores).
    KeepAlivePong,
    /// A message that framed correctly (its bytes are known) but does not
    /// parse or validate. The stream goes on with the next message.
    Invalid {
        /// Why it was refused.
        error: ParseError,
        /// The message parsed without checking header grammar, when that much
        /// succeeded: enough to answer a request with a 400 naming the header.
        message: Option<Message>,
        /// The message's bytes, header section and body.
        message_bytes: Bytes,
    },
}

/// Where the framer is in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// Between messages: keep-alives, or the first byte of a message.
    Between,
    /// In a header section; no empty line starts before `scanned`.
    Head { scanned: usize },
    /// The header section is complete; the message is `total` bytes.
    Body { total: usize, content_length: usize },
    /// A framing error ended the stream (and `poll` reported it).
    Failed(ParseError),
}

/// Cuts a byte stream into SIP messages and keep-alives; see the
/// [module docs](self).
///
/// Work per byte is constant: the search for the end of a header section
/// resumes where the previous one stopped, so a message trickling in one byte
/// per read costs no more than one arriving whole. The buffer holds at most
/// one message (bounded by [`Limits::max_message_size`]) plus what the last
/// `push` brought, provided the transport polls until `None` after each push.
///
/// Message bodies are slices of the receive buffer, not copies: a message
/// kept alive keeps the buffer segment it arrived in alive too.
#[derive(Debug)]
pub struct StreamFramer {
    buf: BytesMut,
    limits: Limits,
    phase: Phase,
    /// A CRLF was the last thing between messages: the next one is a ping.
    crlf_pending: bool,
}

impl Default for StreamFramer {
    fn default() -> Self {
        Self::new()
    }
}

impl StreamFramer {
    /// A framer with the default [`Limits`].
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    /// A framer with explicit limits.
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            buf: BytesMut::new(),
            limits,
            phase: Phase::Between,
            crlf_pending: false,
        }
    }

    /// Appends bytes read from the stream. Discarded once a framing error
    /// has ended the stream.
    pub fn push(&mut self, data: &[u8]) {
        if !matches!(self.phase, Phase::Failed(_)) {
            self.buf.extend_from_slice(data);
        }
    }

    /// The next complete item, `None` when more bytes are needed (or after a
    /// framing error was reported), or `Err` for a framing error, reported
    /// once (see the [module docs](self)).
    pub fn poll(&mut self) -> Option<Result<StreamItem, ParseError>> {
        if let Phase::Failed(_) = self.phase {
            return None;
        }
        match self.step() {
            Ok(item) => item.map(Ok),
            Err(error) => {
                self.buf = BytesMut::new();
                self.phase = Phase::Failed(error.clone());
                Some(Err(error))
            }
        }
    }

    /// The framing error that ended the stream, if one did.
    pub fn error(&self) -> Option<&ParseError> {
        match &self.phase {
            Phase::Failed(error) => Some(error),
            _ => None,
        }
    }

    /// Bytes received and not yet returned as items.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Advances until an item is complete or more bytes are needed.
    fn step(&mut self) -> Result<Option<StreamItem>, ParseError> {
        loop {
            match self.phase {
                Phase::Between => match self.keep_alive() {
                    KeepAlive::Item(item) => return Ok(Some(item)),
                    KeepAlive::NeedMore => return Ok(None),
                    KeepAlive::Skipped => {}
                    KeepAlive::MessageStart => self.phase = Phase::Head { scanned: 0 },
                },
                Phase::Head { scanned } => {
                    let window = &self.buf[..self
                        .buf
                        .len()
                        .min(self.limits.max_message_size.saturating_add(3))];
                    match find_empty_line(window, scanned) {
                        Ok((head_end, body_start)) => {
                            let content_length = content_length(&self.buf[..head_end])?;
                            let total = body_start.saturating_add(content_length);
                            if total > self.limits.max_message_size {
                                return Err(ParseError::TooLarge {
                                    size: total,
                                    limit: self.limits.max_message_size,
                                });
                            }
                            self.phase = Phase::Body {
                                total,
                                content_length,
                            };
                        }
                        Err(scanned) => {
                            if self.buf.len() > self.limits.max_message_size {
                                return Err(ParseError::TooLarge {
                                    size: self.buf.len(),
                                    limit: self.limits.max_message_size,
                                });
                            }
                            self.phase = Phase::Head { scanned };
                            return Ok(None);
                        }
                    }
                }
                Phase::Body {
                    total,
                    content_length,
                } => {
                    if self.buf.len() < total {
                        return Ok(None);
                    }
                    let bytes = self.buf.split_to(total).freeze();
                    self.phase = Phase::Between;
                    return self.finish(bytes, content_length).map(Some);
                }
                Phase::Failed(_) => return Ok(None),
            }
        }
    }

    /// Reads what lies between messages.
    fn keep_alive(&mut self) -> KeepAlive {
        let b = &self.buf[..];
        if b.starts_with(b"\r\n") {
            self.buf.advance(2);
            let item = if self.crlf_pending {
                StreamItem::KeepAlivePing
            } else {
                StreamItem::KeepAlivePong
            };
            self.crlf_pending = !self.crlf_pending;
            return KeepAlive::Item(item);
        }
        match b.first() {
            None => KeepAlive::NeedMore,
            Some(b'\r') if b.len() == 1 => KeepAlive::NeedMore,
            Some(b'\r' | b'\n') => {
                // A stray CR or LF before a start line is ignored (RFC 3261 §7.5).
                self.buf.advance(1);
                KeepAlive::Skipped
            }
            _ => {
                self.crlf_pending = false;
                KeepAlive::MessageStart
            }
        }
    }

    /// Parses a framed message.
    fn finish(&mut self, bytes: Bytes, content_length: usize) -> Result<StreamItem, ParseError> {
        let invalid = |error, message| StreamItem::Invalid {
            error,
            message,
            message_bytes: bytes.clone(),
        };
        let message = match Message::parse_lazy_shared(&bytes, &self.limits) {
            Ok(message) => message,
            // The framing above already ruled these out: if the parser still
            // finds them, it reads the message differently, and where the next
            // one starts is in doubt.
            Err(error @ (ParseError::TooLarge { .. } | ParseError::BodyTruncated { .. })) => {
                return Err(error);
            }
            Err(error) => return Ok(invalid(error, None)),
        };
        // Likewise: a body of another length means the parser took another
        // Content-Length than the framer did.
        if message.body().len() != content_length {
            return Err(ParseError::BodyTruncated {
                declared: content_length,
                available: message.body().len(),
            });
        }
        match message.validate() {
            Ok(()) => Ok(StreamItem::Message(message)),
            Err(error) => Ok(invalid(error, Some(message))),
        }
    }
}

/// What lies at the front of the buffer between messages.
enum KeepAlive {
    Item(StreamItem),
    NeedMore,
    Skipped,
    MessageStart,
}

/// Finds the first empty line at or after a line break at `from`, as the
/// message parser does (a line ends at LF, a CR before it is dropped):
/// returns where the header section ends and where the body starts, or where
/// to resume once more bytes arrived.
fn find_empty_line(buf: &[u8], from: usize) -> Result<(usize, usize), usize> {
    let mut pos = from.min(buf.len());
    while let Some(i) = memchr::memchr(b'\n', &buf[pos..]) {
        let lf = pos + i;
        match buf.get(lf + 1) {
            None => return Err(lf),
            Some(b'\n') => return Ok((lf + 1, lf + 2)),
            Some(b'\r') => match buf.get(lf + 2) {
                None => return Err(lf),
                Some(b'\n') => return Ok((lf + 1, lf + 3)),
                Some(_) => {}
            },
            Some(_) => {}
        }
        pos = lf + 1;
    }
    Err(buf.len())
}

/// The Content-Length of a header section (start line and header lines, each
/// with its line break), read the way the message parser reads it: the first
/// Content-Length (or `l`) header, its value trimmed and folded lines
/// included. Every further Content-Length must agree, or framing is ambiguous.
fn content_length(head: &[u8]) -> Result<usize, ParseError> {
    let mut found: Option<usize> = None;
    // The value range of the Content-Length header being read, if the
    // current header is one; `start == end` while its value is still empty.
    let mut current: Option<(usize, usize)> = None;
    let mut pos = 0;
    let mut first_line = true;
    while pos < head.len() {
        let start = pos;
        let (mut end, next) = match memchr::memchr(b'\n', &head[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None => (head.len(), head.len()),
        };
        pos = next;
        if end > start && head[end - 1] == b'\r' {
            end -= 1;
        }
        if std::mem::take(&mut first_line) {
            continue;
        }
        let line = &head[start..end];
        if let Some(b' ' | b'\t') = line.first() {
            if let Some((value_start, value_end)) = &mut current {
                let content = trim_end_wsp(line);
                let lead = content.len() - trim_start_wsp(content).len();
                if lead < content.len() {
                    if value_start == value_end {
                        *value_start = start + lead;
                    }
                    *value_end = start + content.len();
                }
            }
            continue;
        }
        if let Some(range) = current.take() {
            found = Some(agree(found, head, range)?);
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            continue;
        };
        let is_content_length = std::str::from_utf8(trim_end_wsp(&line[..colon]))
            .ok()
            .and_then(HeaderName::from_name)
            == Some(HeaderName::ContentLength);
        if is_content_length {
            let raw = &line[colon + 1..];
            let value = trim_end_wsp(trim_start_wsp(raw));
            let value_start = start + colon + 1 + (raw.len() - trim_start_wsp(raw).len());
            current = Some((value_start, value_start + value.len()));
        }
    }
    if let Some(range) = current {
        found = Some(agree(found, head, range)?);
    }
    found.ok_or(ParseError::MissingContentLength)
}

/// Parses the Content-Length value at `range` and checks it against the one
/// found before, if any.
fn agree(
    before: Option<usize>,
    head: &[u8],
    (start, end): (usize, usize),
) -> Result<usize, ParseError> {
    let error = |what, offset| ParseError::Header {
        header: HeaderName::ContentLength.as_str().to_owned(),
        what,
        offset,
    };
    let value =
        std::str::from_utf8(&head[start..end]).map_err(|_| error("expected body length", start))?;
    let length = ContentLength::parse(value)
        .map_err(|e| error(e.what(), start + e.offset()))?
        .0 as usize;
    match before {
        Some(before) if before != length => Err(error(
            "conflicting Content-Length values on a stream",
            start,
        )),
        _ => Ok(length),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn invite() -> Vec<u8> {
        let sdp = "v=0\r\no=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\n\
                   s=-\r\nc=IN IP4 192.0.2.101\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0\r\n\
                   a=rtpmap:0 PCMU/8000\r\n";
        format!(
            "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
             Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n\
             Max-Forwards: 70\r\n\
             To: Bob <sip:bob@biloxi.example.com>\r\n\
             From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
             Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n\
             CSeq: 314159 INVITE\r\n\
             Contact: <sip:alice@pc33.atlanta.example.com;transport=tcp>\r\n\
             Content-Type: application/sdp\r\n\
             l: {}\r\n\r\n{sdp}",
            sdp.len()
        )
        .into_bytes()
    }

    fn options(cseq: u32) -> Vec<u8> {
        format!(
            "OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n\
             Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bKopt{cseq}\r\n\
             Max-Forwards: 70\r\n\
             To: <sip:bob@biloxi.example.com>\r\n\
             From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
             Call-ID: opt@pc33.atlanta.example.com\r\n\
             CSeq: {cseq} OPTIONS\r\n\
             Content-Length:\r\n  0\r\n\r\n"
        )
        .into_bytes()
    }

    /// A 200 with a binary body holding CRLFs, an empty line and a start line.
    fn response() -> Vec<u8> {
        let body = b"\r\n\r\nINVITE sip:x SIP/2.0\r\nContent-Length: 5\r\n\r\n\x00\xff";
        let mut out = format!(
            "SIP/2.0 200 OK\n\
             Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\n\
             To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n\
             From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n\
             Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n\
             CSeq: 314159 INVITE\n\
             Content-Type: application/octet-stream\n\
             Content-Length: {}\n\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body);
        out
    }

    fn message(raw: &[u8]) -> StreamItem {
        StreamItem::Message(Message::parse(raw).unwrap())
    }

    fn drain(framer: &mut StreamFramer, out: &mut Vec<Result<StreamItem, ParseError>>) {
        while let Some(item) = framer.poll() {
            out.push(item);
        }
    }

    fn frame_in_chunks(stream: &[u8], cuts: &[usize]) -> Vec<Result<StreamItem, ParseError>> {
        let mut framer = StreamFramer::new();
        let mut out = Vec::new();
        let mut from = 0;
        for &cut in cuts.iter().chain([stream.len()].iter()) {
            let cut = cut.clamp(from, stream.len());
            framer.push(&stream[from..cut]);
            drain(&mut framer, &mut out);
            from = cut;
        }
        assert_eq!(framer.buffered(), 0, "bytes left over");
        out
    }

    /// Items without the framing-error wrapper.
    fn normalize(items: Vec<Result<StreamItem, ParseError>>) -> Vec<StreamItem> {
        items
            .into_iter()
            .map(|item| item.expect("no framing error"))
            .collect()
    }

    #[test]
    fn every_split_point_of_two_messages() {
        let (a, b) = (invite(), response());
        let stream = [a.as_slice(), b.as_slice()].concat();
        let want = vec![Ok(message(&a)), Ok(message(&b))];
        for cut in 0..=stream.len() {
            assert_eq!(frame_in_chunks(&stream, &[cut]), want, "cut at {cut}");
        }
    }

    #[test]
    fn every_split_point_with_keep_alives() {
        let (a, b) = (options(1), invite());
        let stream = [b"\r\n\r\n".as_slice(), &a, b"\r\n\r\n", &b, b"\r\n"].concat();
        use StreamItem::{KeepAlivePing as Ping, KeepAlivePong as Pong};
        // The same items wherever the stream is cut: a keep-alive cut in two
        // reads exactly as one read whole.
        let want = vec![Pong, Ping, message(&a), Pong, Ping, message(&b), Pong];
        for cut in 0..=stream.len() {
            assert_eq!(
                normalize(frame_in_chunks(&stream, &[cut])),
                want,
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn one_byte_at_a_time() {
        let (a, b, c) = (invite(), options(2), response());
        let stream = [a.as_slice(), &b, &c].concat();
        let cuts: Vec<usize> = (1..stream.len()).collect();
        assert_eq!(
            frame_in_chunks(&stream, &cuts),
            vec![Ok(message(&a)), Ok(message(&b)), Ok(message(&c))]
        );
    }

    #[test]
    fn several_messages_in_one_push_share_the_buffer() {
        let (a, b) = (invite(), response());
        let stream = [a.as_slice(), b"\r\n\r\n", &options(3), &b].concat();
        let mut framer = StreamFramer::new();
        framer.push(&stream);
        let mut items = Vec::new();
        drain(&mut framer, &mut items);
        assert_eq!(
            items,
            vec![
                Ok(message(&a)),
                Ok(StreamItem::KeepAlivePong),
                Ok(StreamItem::KeepAlivePing),
                Ok(message(&options(3))),
                Ok(message(&b)),
            ]
        );
        // Zero copy: both bodies point into the one receive buffer, as far
        // apart as they were in the stream.
        let body = |item: &Result<StreamItem, ParseError>| match item {
            Ok(StreamItem::Message(m)) => m.body().as_ptr() as usize,
            _ => unreachable!(),
        };
        let a_body = a.len() - Message::parse(&a).unwrap().body().len();
        let b_body = stream.len() - Message::parse(&b).unwrap().body().len();
        assert_eq!(body(&items[4]) - body(&items[0]), b_body - a_body);
    }

    #[test]
    fn keep_alives() {
        use StreamItem::{KeepAlivePing as Ping, KeepAlivePong as Pong};
        let mut framer = StreamFramer::new();
        framer.push(b"\r\n\r\n");
        assert_eq!(framer.poll(), Some(Ok(Pong)));
        assert_eq!(framer.poll(), Some(Ok(Ping)));
        assert_eq!(framer.poll(), None);
        // A lone CRLF is a pong, at once.
        framer.push(b"\r\n");
        assert_eq!(framer.poll(), Some(Ok(Pong)));
        assert_eq!(framer.poll(), None);
        // Its partner, arriving later, makes a ping: the same items as if the
        // double CRLF had come in one read.
        framer.push(b"\r");
        assert_eq!(framer.poll(), None);
        framer.push(b"\n\r\n\r\n\r\n");
        assert_eq!(framer.poll(), Some(Ok(Ping)));
        assert_eq!(framer.poll(), Some(Ok(Pong)));
        assert_eq!(framer.poll(), Some(Ok(Ping)));
        assert_eq!(framer.poll(), Some(Ok(Pong)));
        assert_eq!(framer.poll(), None);
        // Stray line breaks before a message are skipped, and a message
        // resets the pairing.
        framer.push(b"\n\r");
        assert_eq!(framer.poll(), None);
        framer.push(&options(4));
        assert_eq!(framer.poll(), Some(Ok(message(&options(4)))));
        framer.push(b"\r\n");
        assert_eq!(framer.poll(), Some(Ok(Pong)));
        assert_eq!(framer.buffered(), 0);
    }

    fn expect_fatal(framer: &mut StreamFramer, want: &ParseError) {
        assert_eq!(framer.poll().as_ref(), Some(&Err(want.clone())));
        // Reported once; the stream is dead after.
        assert_eq!(framer.poll(), None);
        assert_eq!(framer.error(), Some(want));
        framer.push(&options(9));
        assert_eq!(framer.poll(), None);
        assert_eq!(framer.buffered(), 0);
    }

    #[test]
    fn huge_content_length_is_refused_before_the_body() {
        let mut framer = StreamFramer::new();
        let head = b"MESSAGE sip:bob@example.com SIP/2.0\r\nContent-Length: 4000000000\r\n\r\n";
        framer.push(head);
        expect_fatal(
            &mut framer,
            &ParseError::TooLarge {
                size: head.len() + 4_000_000_000,
                limit: 65_535,
            },
        );
        // Content-Length beyond 32 bits does not parse at all.
        let mut framer = StreamFramer::new();
        framer.push(b"MESSAGE sip:bob@example.com SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n");
        assert!(matches!(
            framer.poll(),
            Some(Err(ParseError::Header {
                what: "number out of range",
                ..
            }))
        ));
    }

    #[test]
    fn endless_header_section_is_refused() {
        let mut framer = StreamFramer::with_limits(Limits {
            max_message_size: 1000,
            ..Limits::default()
        });
        framer.push(b"INVITE sip:bob@example.com SIP/2.0\r\n");
        let mut pushed = 0;
        let error = loop {
            framer.push(b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
            pushed += 1;
            assert!(pushed < 100, "never refused");
            if let Some(result) = framer.poll() {
                break result.unwrap_err();
            }
        };
        assert!(matches!(error, ParseError::TooLarge { limit: 1000, size } if size <= 1040));
        assert_eq!(framer.poll(), None);

        // Also when the whole lot arrives in one push, ending in a line break.
        let mut framer = StreamFramer::with_limits(Limits {
            max_message_size: 10,
            ..Limits::default()
        });
        framer.push(b"OPTIONS sip:x SIP/2.0\n");
        assert!(matches!(
            framer.poll(),
            Some(Err(ParseError::TooLarge { .. }))
        ));
    }

    #[test]
    fn limit_is_inclusive() {
        let raw = options(5);
        let mut limits = Limits {
            max_message_size: raw.len(),
            ..Limits::default()
        };
        let mut framer = StreamFramer::with_limits(limits.clone());
        framer.push(&raw);
        assert_eq!(framer.poll(), Some(Ok(message(&raw))));
        limits.max_message_size = raw.len() - 1;
        let mut framer = StreamFramer::with_limits(limits);
        framer.push(&raw);
        assert!(matches!(
            framer.poll(),
            Some(Err(ParseError::TooLarge { .. }))
        ));
    }

    #[test]
    fn missing_content_length_is_fatal() {
        let mut framer = StreamFramer::new();
        framer.push(b"OPTIONS sip:bob@example.com SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n");
        expect_fatal(&mut framer, &ParseError::MissingContentLength);
    }

    #[test]
    fn conflicting_content_lengths_are_fatal() {
        let mut framer = StreamFramer::new();
        framer.push(b"OPTIONS sip:b@example.com SIP/2.0\r\nContent-Length: 0\r\nl: 4\r\n\r\nabcd");
        assert!(matches!(
            framer.poll(),
            Some(Err(ParseError::Header {
                what: "conflicting Content-Length values on a stream",
                ..
            }))
        ));
        // Equal values frame fine.
        let mut framer = StreamFramer::new();
        framer.push(b"OPTIONS sip:b@example.com SIP/2.0\r\nContent-Length: 2\r\nl: 2\r\n\r\nab");
        assert!(matches!(framer.poll(), Some(Ok(StreamItem::Message(_)))));
    }

    #[test]
    fn garbage() {
        // HTTP on a SIP port: no Content-Length.
        let mut framer = StreamFramer::new();
        framer.push(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
        assert_eq!(framer.poll(), Some(Err(ParseError::MissingContentLength)));

        // Binary without line breaks: refused once past the limit.
        let mut framer = StreamFramer::new();
        let noise: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8 | 0x80).collect();
        framer.push(&noise);
        assert!(matches!(
            framer.poll(),
            Some(Err(ParseError::TooLarge { .. }))
        ));

        // A framed message that does not parse is skipped, not fatal.
        let mut framer = StreamFramer::new();
        let bad = b"NOT A START LINE\r\nContent-Length: 3\r\n\r\nxyz";
        framer.push(bad);
        framer.push(&options(6));
        match framer.poll() {
            Some(Ok(StreamItem::Invalid {
                error: ParseError::StartLine { .. },
                message: None,
                message_bytes,
            })) => assert_eq!(&message_bytes[..], bad),
            other => panic!("{other:?}"),
        }
        assert_eq!(framer.poll(), Some(Ok(message(&options(6)))));
    }

    #[test]
    fn invalid_header_keeps_the_lazy_message() {
        let bad = options(7)
            .windows(3)
            .position(|w| w == b"Via")
            .map(|at| {
                let mut raw = options(7);
                raw.splice(at..at + 3, b"Via: garbage\r\nVia".iter().copied());
                raw
            })
            .unwrap();
        let mut framer = StreamFramer::new();
        framer.push(&bad);
        framer.push(&options(8));
        match framer.poll() {
            Some(Ok(StreamItem::Invalid {
                error: ParseError::Header { header, .. },
                message: Some(message),
                ..
            })) => {
                assert_eq!(header, "Via");
                assert_eq!(message.cseq().unwrap().seq, 7);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(framer.poll(), Some(Ok(message(&options(8)))));
    }

    #[test]
    fn resumed_search_finds_terminators_split_anywhere() {
        let head = b"A\r\nB\r\n\r\n";
        for cut in 0..=head.len() {
            for scanned_after_first in [true, false] {
                let first = &head[..cut];
                let from = if scanned_after_first {
                    find_empty_line(first, 0).err().unwrap_or(0)
                } else {
                    0
                };
                assert_eq!(find_empty_line(head, from), Ok((6, 8)), "cut {cut}");
            }
        }
        assert_eq!(find_empty_line(b"A\n\nB", 0), Ok((2, 3)));
        assert_eq!(find_empty_line(b"A\n\r\nB", 0), Ok((2, 4)));
        assert_eq!(find_empty_line(b"A\n\rB\r\n", 0), Err(5));
    }

    #[test]
    fn content_length_reading() {
        let cl = |h: &[u8]| content_length(h);
        assert_eq!(cl(b"X y SIP/2.0\r\nContent-Length: 12\r\n"), Ok(12));
        assert_eq!(cl(b"X y SIP/2.0\r\nl:7\r\n"), Ok(7));
        assert_eq!(cl(b"X y SIP/2.0\r\ncontent-length :\r\n \t3 \r\n"), Ok(3));
        // The start line is not a header, even if it looks like one.
        assert_eq!(
            cl(b"Content-Length: 5\r\nTo: x\r\n"),
            Err(ParseError::MissingContentLength)
        );
        // A folded continuation of another header is not a Content-Length.
        assert_eq!(
            cl(b"X y SIP/2.0\r\nSubject: a\r\n Content-Length: 5\r\n"),
            Err(ParseError::MissingContentLength)
        );
        assert!(cl(b"X y SIP/2.0\r\nContent-Length: 1\r\n 2\r\n").is_err());
        assert!(cl(b"X y SIP/2.0\r\nContent-Length: -1\r\n").is_err());
        assert!(cl(b"X y SIP/2.0\r\nContent-Length: \xff\r\n").is_err());
    }

    /// One piece of a generated stream.
    #[derive(Debug, Clone)]
    enum Piece {
        Invite,
        Options(u32),
        Response,
        Invalid,
        Ping,
    }

    fn piece() -> impl Strategy<Value = Piece> {
        prop_oneof![
            Just(Piece::Invite),
            (1u32..1000).prop_map(Piece::Options),
            Just(Piece::Response),
            Just(Piece::Invalid),
            Just(Piece::Ping),
        ]
    }

    const INVALID: &[u8] = b"BAD\r\nContent-Length: 2\r\n\r\n\r\n";

    proptest! {
        /// However the stream is cut into reads, the same items come out,
        /// keep-alives included.
        #[test]
        fn random_chunking(
            pieces in proptest::collection::vec(piece(), 1..8),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..20),
        ) {
            let mut stream = Vec::new();
            let mut want = Vec::new();
            for p in &pieces {
                let bytes = match p {
                    Piece::Invite => invite(),
                    Piece::Options(n) => options(*n),
                    Piece::Response => response(),
                    Piece::Invalid => INVALID.to_vec(),
                    Piece::Ping => {
                        stream.extend_from_slice(b"\r\n\r\n");
                        want.push(StreamItem::KeepAlivePong);
                        want.push(StreamItem::KeepAlivePing);
                        continue;
                    }
                };
                want.push(match p {
                    Piece::Invalid => {
                        let error = Message::parse(&bytes).unwrap_err();
                        StreamItem::Invalid { error, message: None, message_bytes: Bytes::from(bytes.clone()) }
                    }
                    _ => message(&bytes),
                });
                stream.extend_from_slice(&bytes);
            }
            let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
            cuts.sort_unstable();
            prop_assert_eq!(normalize(frame_in_chunks(&stream, &cuts)), want);
        }

        /// Nothing panics, and the buffer stays bounded by the limit plus the
        /// last push.
        #[test]
        fn arbitrary_input(
            chunks in proptest::collection::vec(
                prop_oneof![
                    proptest::collection::vec(any::<u8>(), 0..64),
                    Just(b"\r\n".to_vec()),
                    Just(b"Content-Length: 3\r\n".to_vec()),
                    Just(b"INVITE sip:a@b SIP/2.0\r\n".to_vec()),
                ],
                0..64,
            ),
        ) {
            let mut framer = StreamFramer::with_limits(Limits {
                max_message_size: 256,
                ..Limits::default()
            });
            for chunk in &chunks {
                framer.push(chunk);
                while framer.poll().is_some() {}
                prop_assert!(framer.buffered() <= 256 + 3 + chunk.len());
            }
        }
    }
}
