//! Call-ID (RFC 3261 §20.8): `word [ "@" word ]`.

use std::borrow::Cow;
use std::fmt;

use super::{HeaderName, TypedHeader};
use crate::error::SyntaxError;
use crate::scan;

/// The Call-ID of a dialog or registration. Compared byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallId<'a>(pub Cow<'a, str>);

impl CallId<'_> {
    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> CallId<'static> {
        CallId(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> TypedHeader<'a> for CallId<'a> {
    const NAME: HeaderName = HeaderName::CallId;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut parts = value.splitn(2, '@');
        for part in parts.by_ref() {
            if part.is_empty() || !part.bytes().all(scan::is_word) {
                return Err(SyntaxError::new("invalid Call-ID", 0));
            }
        }
        Ok(Self(Cow::Borrowed(value)))
    }
}

impl fmt::Display for CallId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
