//! Errors of the message layer. Every one of them is the peer's fault (a message
//! that breaks RFC 3261's grammar or our limits) except where a variant says so.

use std::fmt;

/// A header value, URI or other piece of text that does not follow its grammar.
///
/// `offset` is the byte offset inside the text that was being parsed; the message
/// parser turns it into an offset inside the whole message ([`ParseError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError {
    what: &'static str,
    offset: usize,
}

impl SyntaxError {
    pub(crate) fn new(what: &'static str, offset: usize) -> Self {
        Self { what, offset }
    }

    /// What was expected or found, in words ("expected host", "number out of range").
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// Byte offset inside the parsed text where the problem was found.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The same error, `by` bytes further into an enclosing text.
    pub(crate) fn shifted(self, by: usize) -> Self {
        Self {
            what: self.what,
            offset: self.offset + by,
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

impl std::error::Error for SyntaxError {}

/// Why a message was refused.
///
/// Each variant is a fault of the sender (or of the network). A user agent that
/// receives such a request answers with [`ParseError::status_code`] when it can
/// still form a response, and drops it otherwise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The message is larger than [`Limits::max_message_size`](crate::Limits).
    #[error("message of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Size seen so far.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// More header fields than [`Limits::max_headers`](crate::Limits).
    #[error("more than {limit} header fields")]
    TooManyHeaders {
        /// The configured limit.
        limit: usize,
    },
    /// The message ends before its header section does.
    #[error("message ends before the empty line that closes the header section")]
    Incomplete,
    /// The request or status line does not follow RFC 3261 §7.1/§7.2.
    #[error("invalid start line: {what} at byte {offset}")]
    StartLine {
        /// What is wrong.
        what: &'static str,
        /// Byte offset in the message.
        offset: usize,
    },
    /// A SIP version other than 2.0: answered with 505.
    #[error("unsupported SIP version {version:?}")]
    Version {
        /// The version as written.
        version: String,
    },
    /// The header section holds bytes that are not UTF-8.
    #[error("header section is not valid UTF-8 at byte {offset}")]
    Utf8 {
        /// Byte offset in the message.
        offset: usize,
    },
    /// A header line without a name, or without a colon.
    #[error("malformed header line at byte {offset}: {what}")]
    HeaderLine {
        /// What is wrong.
        what: &'static str,
        /// Byte offset in the message.
        offset: usize,
    },
    /// A known header whose value does not follow its grammar.
    #[error("invalid {header} header: {what} at byte {offset}")]
    Header {
        /// The header name as written in the message.
        header: String,
        /// What is wrong.
        what: &'static str,
        /// Byte offset in the message.
        offset: usize,
    },
    /// Content-Length promises more body than the datagram holds (RFC 3261 §18.3).
    #[error("Content-Length {declared} exceeds the {available} bytes that follow the headers")]
    BodyTruncated {
        /// The Content-Length value.
        declared: usize,
        /// Bytes actually present.
        available: usize,
    },
    /// A stream-framed message has no Content-Length (RFC 3261 §18.3 requires it).
    #[error("message on a stream transport has no Content-Length")]
    MissingContentLength,
    /// The CSeq method differs from the request method (RFC 3261 §8.1.1.5).
    #[error("CSeq method {cseq} does not match request method {method}")]
    CSeqMethodMismatch {
        /// Method of the request line.
        method: String,
        /// Method of the CSeq header.
        cseq: String,
    },
    /// Multipart bodies nested deeper than [`Limits::max_body_nesting`](crate::Limits).
    #[error("multipart bodies nested deeper than {limit}")]
    NestingTooDeep {
        /// The configured limit.
        limit: usize,
    },
    /// A multipart body with more parts, nested ones included, than
    /// [`Limits::max_body_parts`](crate::Limits).
    #[error("multipart body with more than {limit} parts")]
    TooManyBodyParts {
        /// The configured limit.
        limit: usize,
    },
    /// A multipart body that does not follow RFC 2046 §5.1.
    #[error("invalid multipart body: {what}")]
    Multipart {
        /// What is wrong.
        what: &'static str,
    },
}

impl ParseError {
    /// The status code a UAS answers a request refused with this error
    /// (RFC 3261 §8.2, §21.5.14, §21.5.21).
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Version { .. } => 505,
            Self::TooLarge { .. } => 513,
            _ => 400,
        }
    }

    /// A short reason phrase for the response, naming the problem.
    pub fn reason_phrase(&self) -> String {
        match self {
            Self::Version { .. } => "Version Not Supported".to_owned(),
            Self::TooLarge { .. } => "Message Too Large".to_owned(),
            Self::Header { header, .. } => format!("Bad {header} Header"),
            Self::CSeqMethodMismatch { .. } => "CSeq Method Mismatch".to_owned(),
            Self::BodyTruncated { .. } | Self::MissingContentLength => {
                "Bad Content-Length".to_owned()
            }
            _ => "Bad Request".to_owned(),
        }
    }
}
