//! The header section of a body part (RFC 2046 §5.1: `MIME-part-headers`),
//! read with the rules of a SIP header section: names are tokens compared
//! case-insensitively, values may be folded over several lines (RFC 3261 §7.3.1),
//! and bare LF line ends are accepted as the message parser accepts them.

use crate::error::ParseError;
use crate::header::HeaderName;
use crate::message::Limits;
use crate::scan;

/// One header field of a body part, borrowing from the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartHeader<'a> {
    /// The name as written (`Content-Type`, `content-id`).
    pub name: &'a str,
    /// The value as written, folded lines included, surrounding white space removed.
    pub value: &'a str,
}

impl PartHeader<'_> {
    /// Whether this field is the header called `name`: case-insensitively, and
    /// a header this crate knows also matches its compact form (`c` for
    /// `Content-Type`).
    pub fn is(&self, name: &str) -> bool {
        if self.name.eq_ignore_ascii_case(name) {
            return true;
        }
        match (
            HeaderName::from_name(self.name),
            HeaderName::from_name(name),
        ) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

/// Splits the content of a body part (the bytes between two delimiter lines)
/// into its header section and its body.
///
/// An empty first line means no headers (`body-part := MIME-part-headers
/// [CRLF *OCTET]` with no header fields); otherwise the headers end at the
/// first empty line, or at the end of the content when there is no body.
pub(super) fn split_part(content: &[u8]) -> (&[u8], &[u8]) {
    if let Some(rest) = content.strip_prefix(b"\r\n") {
        return (&[], rest);
    }
    if let Some(rest) = content.strip_prefix(b"\n") {
        return (&[], rest);
    }
    match head_end(content) {
        Some((head, body)) => (&content[..head], &content[body..]),
        None => (content, &[]),
    }
}

/// The end of the header lines and the start of the body: the first empty
/// line, as the message parser finds it (CRLF CRLF, or LF LF).
fn head_end(content: &[u8]) -> Option<(usize, usize)> {
    let crlf = memchr::memmem::find(content, b"\r\n\r\n").map(|i| (i + 2, i + 4));
    let lf = memchr::memmem::find(content, b"\n\n").map(|i| (i + 1, i + 2));
    match (crlf, lf) {
        (Some(c), Some(l)) => Some(if l.0 < c.0 { l } else { c }),
        (c, l) => c.or(l),
    }
}

/// Parses the header lines of a body part. `head` holds whole lines (the last
/// one's line break may be missing, when the part has no body).
pub(super) fn parse_headers<'a>(
    head: &'a [u8],
    limits: &Limits,
) -> Result<Vec<PartHeader<'a>>, ParseError> {
    let text = std::str::from_utf8(head).map_err(|_| ParseError::Multipart {
        what: "body part headers are not UTF-8",
    })?;
    let mut headers: Vec<PartHeader<'a>> = Vec::new();
    // Byte range of the value of the last header, in `text`; `None` while the
    // value is still empty (it may start on a continuation line).
    let mut last_value: Option<(usize, usize)> = None;
    let mut pos = 0;
    while pos < text.len() {
        let line_start = pos;
        let (line_end, next) = match memchr::memchr(b'\n', &head[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None => (text.len(), text.len()),
        };
        pos = next;
        let line = text[line_start..line_end]
            .strip_suffix('\r')
            .unwrap_or(&text[line_start..line_end]);
        if line.starts_with([' ', '\t']) {
            // A folded continuation of the previous header's value.
            let Some(last) = headers.last_mut() else {
                return Err(ParseError::Multipart {
                    what: "continuation line before any body part header",
                });
            };
            let content = line.trim_end_matches([' ', '\t']);
            let lead = content.len() - content.trim_start_matches([' ', '\t']).len();
            if lead == content.len() {
                continue;
            }
            let end = line_start + content.len();
            let start = last_value.map_or(line_start + lead, |(start, _)| start);
            last_value = Some((start, end));
            last.value = &text[start..end];
            continue;
        }
        if line.is_empty() {
            // Only the empty line that closes the section can get here.
            continue;
        }
        if headers.len() >= limits.max_headers {
            return Err(ParseError::TooManyHeaders {
                limit: limits.max_headers,
            });
        }
        let Some(colon) = line.find(':') else {
            return Err(ParseError::Multipart {
                what: "body part header line without ':'",
            });
        };
        let name = line[..colon].trim_end_matches([' ', '\t']);
        if !scan::is_token_str(name) {
            return Err(ParseError::Multipart {
                what: "body part header name is not a token",
            });
        }
        let raw = &line[colon + 1..];
        let value = raw.trim_matches([' ', '\t']);
        last_value = if value.is_empty() {
            None
        } else {
            let start =
                line_start + colon + 1 + (raw.len() - raw.trim_start_matches([' ', '\t']).len());
            Some((start, start + value.len()))
        };
        headers.push(PartHeader {
            name: &text[line_start..line_start + name.len()],
            value,
        });
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_with_and_without_headers() {
        assert_eq!(
            split_part(b"Content-Type: text/plain\r\n\r\nHello"),
            (&b"Content-Type: text/plain\r\n"[..], &b"Hello"[..])
        );
        assert_eq!(split_part(b"\r\nHello"), (&b""[..], &b"Hello"[..]));
        assert_eq!(split_part(b"\nHello"), (&b""[..], &b"Hello"[..]));
        assert_eq!(split_part(b""), (&b""[..], &b""[..]));
        assert_eq!(
            split_part(b"Content-ID: <x>\r\n"),
            (&b"Content-ID: <x>\r\n"[..], &b""[..])
        );
        assert_eq!(
            split_part(b"A: b\n\nbody\r\n\r\nmore"),
            (&b"A: b\n"[..], &b"body\r\n\r\nmore"[..])
        );
    }

    #[test]
    fn folded_values_and_names() {
        let head = b"content-TYPE :  application/sdp\r\nX-Long:\r\n first\r\n\t second  \r\nc: text/plain\r\n";
        let h = parse_headers(head, &Limits::default()).unwrap();
        assert_eq!(h.len(), 3);
        assert_eq!(h[0].name, "content-TYPE");
        assert_eq!(h[0].value, "application/sdp");
        assert!(h[0].is("Content-Type"));
        assert_eq!(h[1].value, "first\r\n\t second");
        assert!(h[2].is("content-type"));
        assert!(!h[1].is("Content-Type"));
    }

    #[test]
    fn malformed_lines_are_refused() {
        let limits = Limits::default();
        assert!(parse_headers(b" folded: first\r\n", &limits).is_err());
        assert!(parse_headers(b"no colon here\r\n", &limits).is_err());
        assert!(parse_headers(b"bad name: x\r\n", &limits).is_err());
        assert!(parse_headers(b"X: \xff\r\n", &limits).is_err());
        let few = Limits {
            max_headers: 1,
            ..Limits::default()
        };
        assert_eq!(
            parse_headers(b"A: 1\r\nB: 2\r\n", &few),
            Err(ParseError::TooManyHeaders { limit: 1 })
        );
    }
}
