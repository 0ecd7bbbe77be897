//! The message framing parser: start line, header lines, Content-Length, body.

use std::ops::Range;

use bytes::Bytes;

use super::{Field, Limits, Message, Span, StartLine, StatusCode};
use crate::error::ParseError;
use crate::header::{ContentLength, HeaderName, TypedHeader};
use crate::scan::{self, trim_end_wsp, trim_start_wsp};

/// Parses one message from `input`; `body_of` turns the body's range into bytes
/// (a copy, or a slice of a shared buffer).
pub(super) fn parse(
    input: &[u8],
    limits: &Limits,
    body_of: impl FnOnce(Range<usize>) -> Bytes,
) -> Result<Message, ParseError> {
    // Spans are 32-bit offsets, whatever the configured limit.
    if input.len() > limits.max_message_size || input.len() > u32::MAX as usize {
        return Err(ParseError::TooLarge {
            size: input.len(),
            limit: limits.max_message_size,
        });
    }
    // RFC 3261 §7.5: CRLFs before the start line are ignored.
    let mut begin = 0;
    while let Some(b'\r' | b'\n') = input.get(begin) {
        begin += 1;
    }
    let bytes = &input[begin..];

    // One pass over the lines, as bytes, up to the empty line. Every offset
    // recorded is at an ASCII byte, so it stays a char boundary once the header
    // section is known to be UTF-8.
    let mut lines = Lines::new(bytes);
    let start_range = lines.next().ok_or(ParseError::Incomplete)?;
    let mut fields: Vec<Field> = Vec::with_capacity(16);
    let mut content_length: Option<usize> = None;
    let mut pending_value = false;
    let (head_end, body_start) = loop {
        let Some(range) = lines.next() else {
            // No empty line: a datagram whose last header line ends the packet.
            if bytes.ends_with(b"\n") {
                break (bytes.len(), bytes.len());
            }
            return Err(ParseError::Incomplete);
        };
        let line = &bytes[range.clone()];
        if line.is_empty() {
            break (range.start, lines.pos);
        }
        if line[0] == b' ' || line[0] == b'\t' {
            let Some(last) = fields.last_mut() else {
                return Err(ParseError::HeaderLine {
                    what: "continuation line before any header",
                    offset: begin + range.start,
                });
            };
            let content = trim_end_wsp(line);
            let lead = content.len() - trim_start_wsp(content).len();
            if lead == content.len() {
                continue;
            }
            if pending_value {
                last.value.start = (range.start + lead) as u32;
                pending_value = false;
            }
            last.value.end = (range.start + content.len()) as u32;
            continue;
        }
        if fields.len() >= limits.max_headers {
            return Err(ParseError::TooManyHeaders {
                limit: limits.max_headers,
            });
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            return Err(ParseError::HeaderLine {
                what: "missing ':'",
                offset: begin + range.start,
            });
        };
        let name = trim_end_wsp(&line[..colon]);
        if name.is_empty() || !name.iter().all(|&b| scan::is_token(b)) {
            return Err(ParseError::HeaderLine {
                what: "header name is not a token",
                offset: begin + range.start,
            });
        }
        let raw_value = &line[colon + 1..];
        let after_lead = trim_start_wsp(raw_value);
        let value = trim_end_wsp(after_lead);
        let value_start = range.start + colon + 1 + (raw_value.len() - after_lead.len());
        pending_value = value.is_empty();
        let kind = HeaderName::from_bytes(name);
        if kind == Some(HeaderName::ContentLength) && content_length.is_none() {
            content_length = Some(fields.len());
        }
        fields.push(Field {
            kind,
            name: Span::at(range.start, name.len()),
            value: Span::at(value_start, value.len()),
        });
    };
    let (head_end, body_start) = (begin + head_end, begin + body_start);
    let head = std::str::from_utf8(&bytes[..head_end - begin]).map_err(|e| ParseError::Utf8 {
        offset: begin + e.valid_up_to(),
    })?;
    let (start, other_version) =
        parse_start_line(&head[start_range], 0).map_err(|e| shift_error(e, begin))?;
    let text = head.to_owned();

    let available = input.len() - body_start;
    let body_len = match content_length {
        Some(index) => {
            let f = fields[index];
            let value = f.value.get(&text);
            let len = ContentLength::parse(value).map_err(|e| ParseError::Header {
                header: f.name.get(&text).to_owned(),
                what: e.what(),
                offset: begin + f.value.start as usize + e.offset(),
            })?;
            let len = len.0 as usize;
            if len > available {
                return Err(ParseError::BodyTruncated {
                    declared: len,
                    available,
                });
            }
            len
        }
        // RFC 3261 §18.3: on a datagram, the body runs to the end of the packet.
        None => available,
    };
    let body = if body_len == 0 {
        Bytes::new()
    } else {
        body_of(body_start..body_start + body_len)
    };
    Ok(Message {
        other_version: other_version.map(|r| Span::of(&text, r)),
        text,
        start,
        fields,
        body,
    })
}

/// Lines of the header section, as ranges without their line breaks.
struct Lines<'t> {
    bytes: &'t [u8],
    pos: usize,
}

impl<'t> Lines<'t> {
    fn new(bytes: &'t [u8]) -> Self {
        Self { bytes, pos: 0 }
    }
}

impl Iterator for Lines<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let start = self.pos;
        let rest = self.bytes.get(start..).filter(|r| !r.is_empty())?;
        let (end, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (start + i, start + i + 1),
            None => (self.bytes.len(), self.bytes.len()),
        };
        let end = if end > start && self.bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        self.pos = next;
        Some(start..end)
    }
}

fn shift_error(e: ParseError, by: usize) -> ParseError {
    match e {
        ParseError::StartLine { what, offset } => ParseError::StartLine {
            what,
            offset: offset + by,
        },
        other => other,
    }
}

fn start_error(what: &'static str, offset: usize) -> ParseError {
    ParseError::StartLine { what, offset }
}

/// Checks `SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT` (the name
/// case-insensitively, RFC 3261 §7.1); returns whether it is 2.0. Another
/// version parses, so that a UAS can answer 505 (see [`Message::validate`]).
fn check_version(version: &str, offset: usize) -> Result<bool, ParseError> {
    let Some((name, number)) = version.split_once('/') else {
        return Err(start_error("expected SIP version", offset));
    };
    let well_formed = name.eq_ignore_ascii_case("SIP")
        && number.split_once('.').is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
        });
    if !well_formed {
        return Err(start_error("expected SIP version", offset));
    }
    Ok(number == "2.0")
}

/// Parses a start line; with it, the range of the version when not 2.0.
fn parse_start_line(
    line: &str,
    base: usize,
) -> Result<(StartLine, Option<Range<usize>>), ParseError> {
    let text_span = |r: Range<usize>| Span {
        start: (base + r.start) as u32,
        end: (base + r.end) as u32,
    };
    if line
        .as_bytes()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"SIP/"))
    {
        // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
        let sp = memchr::memchr(b' ', line.as_bytes())
            .ok_or(start_error("expected status code", line.len()))?;
        let other_version = (!check_version(&line[..sp], 0)?).then_some(base..base + sp);
        let rest = &line[sp + 1..];
        let code_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if code_len != 3 {
            return Err(start_error("status code must be three digits", sp + 1));
        }
        let code = rest[..3]
            .parse::<u16>()
            .ok()
            .and_then(StatusCode::new)
            .ok_or(start_error("status code out of range", sp + 1))?;
        let reason_start = match rest.as_bytes().get(3) {
            None => line.len(),
            Some(b' ') => sp + 5,
            Some(_) => return Err(start_error("expected space after status code", sp + 4)),
        };
        return Ok((
            StartLine::Response {
                code,
                reason: text_span(reason_start..line.len()),
            },
            other_version,
        ));
    }
    // Request-Line = Method SP Request-URI SP SIP-Version
    let sp1 =
        memchr::memchr(b' ', line.as_bytes()).ok_or(start_error("expected request line", 0))?;
    let method = &line[..sp1];
    if !scan::is_token_str(method) {
        return Err(start_error("method is not a token", 0));
    }
    let rest = &line[sp1 + 1..];
    let sp2 = rest.find(' ').ok_or(start_error(
        "expected SIP version after Request-URI",
        line.len(),
    ))?;
    let uri = &rest[..sp2];
    let version = &rest[sp2 + 1..];
    if uri.is_empty() {
        return Err(start_error("empty Request-URI", sp1 + 1));
    }
    let version_at = sp1 + 1 + sp2 + 1;
    if version.contains([' ', '\t']) {
        return Err(start_error(
            "unexpected white space in request line",
            version_at,
        ));
    }
    let other_version =
        (!check_version(version, version_at)?).then_some(base + version_at..base + line.len());
    // The Request-URI's grammar is checked by `Message::validate`, so that a
    // request with a malformed one can still be answered with 400.
    Ok((
        StartLine::Request {
            method: text_span(0..sp1),
            uri: text_span(sp1 + 1..sp1 + 1 + sp2),
        },
        other_version,
    ))
}
