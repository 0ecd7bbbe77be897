//! Content-Type (RFC 3261 §20.15) and Accept (§20.1): media types with parameters.

use std::borrow::Cow;
use std::fmt;

use super::{HeaderName, TypedHeader};
use crate::error::SyntaxError;
use crate::params::Params;
use crate::scan::Scanner;

/// A media type: `type/subtype;param=value`. In Accept, type and subtype may be `*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaType<'a> {
    /// The type (`application`), as written.
    pub kind: Cow<'a, str>,
    /// The subtype (`sdp`), as written.
    pub subtype: Cow<'a, str>,
    /// Parameters (`;boundary=…`, `;charset=…`).
    pub params: Params<'a>,
}

impl<'a> MediaType<'a> {
    /// Parses `type/subtype *(;param)`.
    pub fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        s.skip_lws();
        let kind = s.token("expected media type")?;
        if !s.eat_separator(b'/') {
            return Err(s.error("expected '/' in media type"));
        }
        let subtype = s.token("expected media subtype")?;
        let params = Params::parse_header(&mut s)?;
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text after media type"));
        }
        Ok(Self {
            kind: Cow::Borrowed(kind),
            subtype: Cow::Borrowed(subtype),
            params,
        })
    }

    /// Whether this is `kind/subtype`, case-insensitively.
    pub fn is(&self, kind: &str, subtype: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind) && self.subtype.eq_ignore_ascii_case(subtype)
    }

    /// Whether this (possibly wildcard) range from Accept covers `other`.
    pub fn matches(&self, other: &MediaType<'_>) -> bool {
        (self.kind == "*" || self.kind.eq_ignore_ascii_case(&other.kind))
            && (self.subtype == "*" || self.subtype.eq_ignore_ascii_case(&other.subtype))
    }

    /// `application/sdp`.
    pub fn sdp() -> MediaType<'static> {
        MediaType {
            kind: Cow::Borrowed("application"),
            subtype: Cow::Borrowed("sdp"),
            params: Params::new(),
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> MediaType<'static> {
        MediaType {
            kind: Cow::Owned(self.kind.into_owned()),
            subtype: Cow::Owned(self.subtype.into_owned()),
            params: self.params.into_owned(),
        }
    }
}

impl fmt::Display for MediaType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}{}", self.kind, self.subtype, self.params)
    }
}

/// Content-Type: the media type of the body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentType<'a>(pub MediaType<'a>);

impl<'a> std::ops::Deref for ContentType<'a> {
    type Target = MediaType<'a>;
    fn deref(&self) -> &MediaType<'a> {
        &self.0
    }
}

impl<'a> TypedHeader<'a> for ContentType<'a> {
    const NAME: HeaderName = HeaderName::ContentType;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        MediaType::parse(value).map(Self)
    }
}

impl fmt::Display for ContentType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One Accept entry: a media range the sender takes (an empty Accept header
/// means it takes no body at all).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Accept<'a>(pub MediaType<'a>);

impl<'a> std::ops::Deref for Accept<'a> {
    type Target = MediaType<'a>;
    fn deref(&self) -> &MediaType<'a> {
        &self.0
    }
}

impl<'a> TypedHeader<'a> for Accept<'a> {
    const NAME: HeaderName = HeaderName::Accept;
    const LIST: bool = true;
    const ALLOW_EMPTY: bool = true;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        MediaType::parse(value).map(Self)
    }
}

impl fmt::Display for Accept<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
