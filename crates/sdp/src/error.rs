//! What the parser refuses, and where.

use thiserror::Error;

/// A session description the parser refused: the 1-based line number (0
/// for faults of the whole text, such as its size) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("SDP line {line}: {kind}")]
pub struct ParseError {
    /// 1-based line number of the fault; 0 for the text as a whole.
    pub line: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// The fault a [`ParseError`] reports.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseErrorKind {
    /// The text is longer than [`crate::MAX_SDP_LEN`] bytes.
    #[error("description longer than {0} bytes")]
    TooLong(usize),
    /// More than [`crate::MAX_LINES`] lines.
    #[error("more than {0} lines")]
    TooManyLines(usize),
    /// A line longer than [`crate::MAX_LINE_LEN`] bytes.
    #[error("line longer than {0} bytes")]
    LineTooLong(usize),
    /// The text is not UTF-8.
    #[error("not UTF-8")]
    NotUtf8,
    /// Nothing but blank lines.
    #[error("empty description")]
    Empty,
    /// A line not of the form `<letter>=<value>`.
    #[error("not a `<type>=<value>` line")]
    NotALine,
    /// The first line is not `v=0`.
    #[error("the first line must be `v=0`")]
    BadVersion,
    /// A mandatory session line (`o=`, `s=`) is missing.
    #[error("missing mandatory `{0}=` line")]
    Missing(char),
    /// A line that may appear once appears again.
    #[error("duplicate `{0}=` line")]
    Duplicate(char),
    /// An `r=` line with no `t=` line before it.
    #[error("`r=` without a `t=` before it")]
    RepeatWithoutTime,
    /// A malformed field of a known line type; the text says which.
    #[error("malformed `{line_type}=` line: {what}")]
    Malformed {
        /// The line type (`o`, `c`, `m`, …).
        line_type: char,
        /// What is wrong with it.
        what: &'static str,
    },
}
