//! Parsing multipart bodies (RFC 2046 §5.1.1) as SIP carries them (RFC 5621).
//!
//! ```text
//! multipart-body := [preamble CRLF]
//!                   dash-boundary transport-padding CRLF
//!                   body-part *encapsulation
//!                   close-delimiter transport-padding
//!                   [CRLF epilogue]
//! encapsulation  := delimiter transport-padding CRLF body-part
//! delimiter      := CRLF dash-boundary          ; dash-boundary := "--" boundary
//! close-delimiter := delimiter "--"
//! ```
//!
//! Leniencies, each one something seen from real senders: a bare LF stands for
//! CRLF; a delimiter line that directly follows the previous one (no CRLF of its
//! own in between) closes an empty part; anything after the close delimiter is
//! epilogue, even on the same line.

use std::borrow::Cow;

use super::headers::{self, PartHeader};
use crate::error::ParseError;
use crate::header::MediaType;
use crate::message::Limits;

/// A parsed multipart body: its parts, in order, each borrowing from the body.
///
/// Nested multipart parts are parsed too (see [`Part::multipart`]). Parsing is
/// bounded by [`Limits`]: `max_body_nesting` counts this body as depth 1 and each
/// multipart part one deeper; `max_body_parts` counts every part of the whole
/// tree; `max_headers` bounds each part's header lines.
///
/// ```
/// use sip::body::Multipart;
/// use sip::Limits;
///
/// let body = b"--xyz\r\n\
/// Content-Type: application/sdp\r\n\
/// \r\n\
/// v=0\r\n\
/// \r\n--xyz\r\n\
/// Content-Type: application/resource-lists+xml\r\n\
/// Content-Disposition: recipient-list\r\n\
/// \r\n\
/// <resource-lists/>\r\n\
/// --xyz--\r\n";
/// let multipart = Multipart::parse(body, "xyz", &Limits::default()).unwrap();
/// assert_eq!(multipart.parts().len(), 2);
/// assert_eq!(multipart.sdp().unwrap().body(), b"v=0\r\n");
/// let other = multipart.other_parts().next().unwrap();
/// assert_eq!(other.header("content-disposition"), Some("recipient-list"));
/// assert_eq!(other.body(), b"<resource-lists/>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart<'a> {
    parts: Vec<Part<'a>>,
}

/// One body part: its header fields and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    headers: Vec<PartHeader<'a>>,
    content_type: Option<MediaType<'a>>,
    body: &'a [u8],
    nested: Option<Multipart<'a>>,
}

impl<'a> Multipart<'a> {
    /// Parses `body`, delimited by `boundary` (the value of the Content-Type
    /// `boundary` parameter, without quotes).
    ///
    /// Errors: [`ParseError::Multipart`] for a body that breaks RFC 2046 (no
    /// delimiter, no close delimiter, no part, a malformed part header, an
    /// invalid boundary), [`ParseError::NestingTooDeep`],
    /// [`ParseError::TooManyBodyParts`] and [`ParseError::TooManyHeaders`] for
    /// breaches of `limits`.
    pub fn parse(body: &'a [u8], boundary: &str, limits: &Limits) -> Result<Self, ParseError> {
        let mut count = 0;
        parse_at_depth(body, boundary, limits, 1, &mut count)
    }

    /// Parses `body` whose Content-Type is `content_type`, which must be a
    /// `multipart/*` type with a `boundary` parameter.
    pub fn parse_typed(
        body: &'a [u8],
        content_type: &MediaType<'_>,
        limits: &Limits,
    ) -> Result<Self, ParseError> {
        let mut count = 0;
        parse_typed_at_depth(body, content_type, limits, 1, &mut count)
    }

    /// The parts at this level, in order (a nested multipart is one part here;
    /// see [`Part::multipart`] and [`Multipart::leaves`]).
    pub fn parts(&self) -> &[Part<'a>] {
        &self.parts
    }

    /// Every part that is not itself a multipart, depth first, in order.
    pub fn leaves(&self) -> impl Iterator<Item = &Part<'a>> + '_ {
        Leaves {
            stack: vec![self.parts.iter()],
        }
    }

    /// The first `application/sdp` part, searching nested multiparts depth
    /// first (RFC 5621 §3: the session description may sit inside a
    /// `multipart/mixed` or `multipart/alternative`).
    pub fn sdp(&self) -> Option<&Part<'a>> {
        self.leaves().find(|p| p.is_sdp())
    }

    /// Every leaf part except the one [`Multipart::sdp`] returns: the bodies
    /// that travel beside the session description (resource lists, ISUP,
    /// location objects, …).
    pub fn other_parts(&self) -> impl Iterator<Item = &Part<'a>> + '_ {
        let sdp = self.leaves().position(|p| p.is_sdp());
        self.leaves()
            .enumerate()
            .filter(move |&(i, _)| Some(i) != sdp)
            .map(|(_, p)| p)
    }
}

impl<'a> Part<'a> {
    /// The header fields of the part, in order.
    pub fn headers(&self) -> &[PartHeader<'a>] {
        &self.headers
    }

    /// The value of the first header called `name` (case-insensitive; a
    /// header this crate knows also matches its compact form).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|h| h.is(name)).map(|h| h.value)
    }

    /// The part's Content-Type; `None` when absent (RFC 2046 §5.1 then means
    /// `text/plain; charset=us-ascii`).
    pub fn content_type(&self) -> Option<&MediaType<'a>> {
        self.content_type.as_ref()
    }

    /// Whether the part is `application/sdp`.
    pub fn is_sdp(&self) -> bool {
        self.content_type
            .as_ref()
            .is_some_and(|t| t.is("application", "sdp"))
    }

    /// The part's body, as sent (Content-Transfer-Encoding is not decoded; SIP
    /// sends bodies in binary, RFC 3261 §7.4).
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The parts of this part, when it is itself a multipart body.
    pub fn multipart(&self) -> Option<&Multipart<'a>> {
        self.nested.as_ref()
    }
}

/// Depth-first iterator over leaf parts.
struct Leaves<'m, 'a> {
    stack: Vec<std::slice::Iter<'m, Part<'a>>>,
}

impl<'m, 'a> Iterator for Leaves<'m, 'a> {
    type Item = &'m Part<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                None => {
                    self.stack.pop();
                }
                Some(part) => match &part.nested {
                    Some(nested) => self.stack.push(nested.parts.iter()),
                    None => return Some(part),
                },
            }
        }
    }
}

fn error(what: &'static str) -> ParseError {
    ParseError::Multipart { what }
}

/// The boundary of a `multipart/*` media type, unquoted.
pub(crate) fn boundary_of<'t>(content_type: &'t MediaType<'_>) -> Result<Cow<'t, str>, ParseError> {
    if !content_type.kind.eq_ignore_ascii_case("multipart") {
        return Err(error("Content-Type is not multipart"));
    }
    content_type
        .params
        .get_unquoted("boundary")
        .ok_or(error("multipart Content-Type without boundary parameter"))
}

fn parse_typed_at_depth<'a>(
    body: &'a [u8],
    content_type: &MediaType<'_>,
    limits: &Limits,
    depth: usize,
    count: &mut usize,
) -> Result<Multipart<'a>, ParseError> {
    let boundary = boundary_of(content_type)?;
    parse_at_depth(body, &boundary, limits, depth, count)
}

/// Checks a boundary read from a Content-Type: 1 to 70 printable ASCII
/// characters, not ending in a space (RFC 2046 §5.1.1; the character set is
/// wider than `bchars`, as senders use others and they do no harm).
pub(crate) fn check_boundary(boundary: &str) -> Result<(), ParseError> {
    let b = boundary.as_bytes();
    if b.is_empty() || b.len() > 70 {
        return Err(error("boundary must be 1 to 70 characters"));
    }
    if !b.iter().all(|&c| (0x20..0x7f).contains(&c)) || b.ends_with(b" ") {
        return Err(error("boundary has characters RFC 2046 does not allow"));
    }
    Ok(())
}

/// A delimiter line found in the body.
struct Delimiter {
    /// Offset of the `--boundary`.
    at: usize,
    /// Offset just after the line (after its line break), or `None` for the
    /// close delimiter.
    next: Option<usize>,
}

/// Finds the next delimiter line at or after `from`: `--boundary` at the start
/// of a line, followed by `--` (close), or by optional SP/HTAB and a line break.
/// Occurrences followed by anything else are text of a part, not delimiters.
fn find_delimiter(
    body: &[u8],
    finder: &memchr::memmem::Finder<'_>,
    from: usize,
) -> Option<Delimiter> {
    let dash_len = finder.needle().len();
    let mut search = from;
    while let Some(i) = finder.find(&body[search..]) {
        let at = search + i;
        search = at + 1;
        if at != 0 && body[at - 1] != b'\n' {
            continue;
        }
        let after = &body[at + dash_len..];
        if after.starts_with(b"--") {
            return Some(Delimiter { at, next: None });
        }
        let padding = after
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
        let rest = &after[padding..];
        let line_break = if rest.starts_with(b"\r\n") {
            2
        } else if rest.starts_with(b"\n") {
            1
        } else {
            continue;
        };
        return Some(Delimiter {
            at,
            next: Some(at + dash_len + padding + line_break),
        });
    }
    None
}

fn parse_at_depth<'a>(
    body: &'a [u8],
    boundary: &str,
    limits: &Limits,
    depth: usize,
    count: &mut usize,
) -> Result<Multipart<'a>, ParseError> {
    if depth > limits.max_body_nesting {
        return Err(ParseError::NestingTooDeep {
            limit: limits.max_body_nesting,
        });
    }
    check_boundary(boundary)?;
    let mut dash = Vec::with_capacity(boundary.len() + 2);
    dash.extend_from_slice(b"--");
    dash.extend_from_slice(boundary.as_bytes());
    let finder = memchr::memmem::Finder::new(&dash);

    // The preamble runs up to the first delimiter line and is ignored.
    let first = find_delimiter(body, &finder, 0).ok_or(error("no boundary delimiter line"))?;
    let Some(mut content_start) = first.next else {
        return Err(error("multipart body has no parts"));
    };
    let mut parts = Vec::new();
    loop {
        let delimiter =
            find_delimiter(body, &finder, content_start).ok_or(error("missing close delimiter"))?;
        // The line break before `--boundary` belongs to the delimiter, unless
        // it is the previous delimiter line's own.
        let mut content_end = delimiter.at;
        if content_end > content_start {
            content_end -= 1; // the '\n'
            if content_end > content_start && body[content_end - 1] == b'\r' {
                content_end -= 1;
            }
        }
        *count += 1;
        if *count > limits.max_body_parts {
            return Err(ParseError::TooManyBodyParts {
                limit: limits.max_body_parts,
            });
        }
        parts.push(parse_part(
            &body[content_start..content_end],
            limits,
            depth,
            count,
        )?);
        match delimiter.next {
            Some(next) => content_start = next,
            // What follows the close delimiter is the epilogue, ignored.
            None => return Ok(Multipart { parts }),
        }
    }
}

fn parse_part<'a>(
    content: &'a [u8],
    limits: &Limits,
    depth: usize,
    count: &mut usize,
) -> Result<Part<'a>, ParseError> {
    let (head, body) = headers::split_part(content);
    let headers = headers::parse_headers(head, limits)?;
    let content_type = match headers.iter().find(|h| h.is("Content-Type")) {
        Some(h) => Some(
            MediaType::parse(h.value).map_err(|_| error("invalid Content-Type in a body part"))?,
        ),
        None => None,
    };
    let nested = match &content_type {
        Some(t) if t.kind.eq_ignore_ascii_case("multipart") => {
            Some(parse_typed_at_depth(body, t, limits, depth + 1, count)?)
        }
        _ => None,
    };
    Ok(Part {
        headers,
        content_type,
        body,
        nested,
    })
}
