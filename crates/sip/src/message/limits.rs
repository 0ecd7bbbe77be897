//! Limits against hostile input.

/// Bounds the parser enforces; each breach is its own [`ParseError`](crate::ParseError).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest message, header section and body together, in bytes.
    /// Default 65,535: the largest UDP payload.
    pub max_message_size: usize,
    /// Most header lines in one message. Default 256.
    pub max_headers: usize,
    /// Deepest nesting of multipart bodies. Default 4.
    pub max_body_nesting: usize,
    /// Most parts in one multipart body, counted across all its nested
    /// multiparts. Default 32.
    pub max_body_parts: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_size: 65_535,
            max_headers: 256,
            max_body_nesting: 4,
            max_body_parts: 32,
        }
    }
}
