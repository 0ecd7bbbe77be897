//! `tel:` URIs (RFC 3966).

use std::borrow::Cow;
use std::fmt;

use crate::error::SyntaxError;
use crate::params::Params;
use crate::scan::Scanner;

/// A telephone number URI.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TelUri<'a> {
    /// The number as written, with its leading `+` if global and any visual
    /// separators (`-`, `.`, `(`, `)`).
    pub number: Cow<'a, str>,
    /// Parameters (`;phone-context=…`, `;ext=…`, `;isub=…`, others).
    pub params: Params<'a>,
}

impl<'a> TelUri<'a> {
    pub(crate) fn parse_after_scheme(text: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(text);
        let global = s.eat(b'+');
        let digits = s.take_while(|b| {
            b.is_ascii_hexdigit() || matches!(b, b'*' | b'#' | b'-' | b'.' | b'(' | b')')
        });
        let has_digit = if global {
            digits.bytes().any(|b| b.is_ascii_digit())
                && digits
                    .bytes()
                    .all(|b| !b.is_ascii_alphabetic() && b != b'*' && b != b'#')
        } else {
            digits
                .bytes()
                .any(|b| b.is_ascii_hexdigit() || b == b'*' || b == b'#')
        };
        if !has_digit {
            return Err(SyntaxError::new("invalid telephone number", 0));
        }
        let number = s.slice(0, s.pos());
        let params = Params::parse_uri(&mut s)?;
        if !s.is_empty() {
            return Err(s.error("unexpected character in tel URI"));
        }
        if !global && !params.contains("phone-context") {
            return Err(SyntaxError::new("local number without phone-context", 0));
        }
        Ok(Self {
            number: Cow::Borrowed(number),
            params,
        })
    }

    /// Whether the number is global (starts with `+`).
    pub fn is_global(&self) -> bool {
        self.number.starts_with('+')
    }

    /// The number without visual separators, hex digits in lower case.
    pub fn digits(&self) -> String {
        self.number
            .chars()
            .filter(|c| !matches!(c, '-' | '.' | '(' | ')'))
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }

    /// RFC 3966 §4: numbers equal without visual separators, and the same
    /// parameters in any order (names case-insensitive, values too except
    /// `isub`/`ext` digits which are compared without separators).
    pub fn equivalent(&self, other: &TelUri<'_>) -> bool {
        if self.digits() != other.digits() {
            return false;
        }
        let norm = |p: &Params<'_>| {
            let mut v: Vec<(String, Option<String>)> = p
                .iter()
                .map(|(n, v)| {
                    (
                        n.to_ascii_lowercase(),
                        v.map(|v| {
                            v.chars()
                                .filter(|c| !matches!(c, '-' | '.' | '(' | ')'))
                                .map(|c| c.to_ascii_lowercase())
                                .collect()
                        }),
                    )
                })
                .collect();
            v.sort();
            v
        };
        norm(&self.params) == norm(&other.params)
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> TelUri<'static> {
        TelUri {
            number: Cow::Owned(self.number.into_owned()),
            params: self.params.into_owned(),
        }
    }
}

impl fmt::Display for TelUri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tel:{}{}", self.number, self.params)
    }
}
