//! Semicolon-separated parameters, as they follow URIs (`;transport=tcp;lr`) and
//! header values (`;tag=1928301774;expires=3600`).
//!
//! Parameters are kept as the text they were parsed from and read on demand, so a
//! parsed header costs no allocation and prints back exactly as it arrived.

use std::borrow::Cow;
use std::fmt;

use crate::error::SyntaxError;
use crate::scan::{self, Scanner};

/// A parameter list: the raw text including each leading `;`, or empty.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Params<'a> {
    raw: Cow<'a, str>,
}

impl<'a> Params<'a> {
    /// An empty list.
    pub fn new() -> Self {
        Self {
            raw: Cow::Borrowed(""),
        }
    }

    /// The list as written, with each leading `;`.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The parameters in order, names and values as written (values of quoted
    /// strings keep their quotes; see [`Params::get_unquoted`]).
    pub fn iter(&self) -> ParamIter<'_> {
        ParamIter {
            rest: self.raw.as_ref(),
        }
    }

    /// The value of the first parameter named `name` (case-insensitive):
    /// `None` if absent, `Some(None)` if present without a value.
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The value of `name`, with the quotes and quoted-pairs of a quoted string removed.
    pub fn get_unquoted(&self, name: &str) -> Option<Cow<'_, str>> {
        let v = self.get(name)??;
        Some(unquote_value(v))
    }

    /// Whether a parameter named `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Appends `;name` or `;name=value`. The value is written as given: quote it
    /// yourself where the grammar needs a quoted string.
    pub fn push(&mut self, name: &str, value: Option<&str>) {
        let raw = self.raw.to_mut();
        raw.push(';');
        raw.push_str(name);
        if let Some(v) = value {
            raw.push('=');
            raw.push_str(v);
        }
    }

    /// Replaces every parameter named `name` with one `;name[=value]` at the end.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        self.remove(name);
        self.push(name, value);
    }

    /// Removes every parameter named `name`; returns whether one was present.
    pub fn remove(&mut self, name: &str) -> bool {
        if !self.contains(name) {
            return false;
        }
        let mut out = String::with_capacity(self.raw.len());
        for (n, v) in self.iter() {
            if n.eq_ignore_ascii_case(name) {
                continue;
            }
            out.push(';');
            out.push_str(n);
            if let Some(v) = v {
                out.push('=');
                out.push_str(v);
            }
        }
        self.raw = Cow::Owned(out);
        true
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Params<'static> {
        Params {
            raw: Cow::Owned(self.raw.into_owned()),
        }
    }

    /// Parses URI parameters (`*( ";" uri-parameter )`, RFC 3261 §25.1): no white
    /// space, names and values of `paramchar`s.
    pub(crate) fn parse_uri(s: &mut Scanner<'a>) -> Result<Self, SyntaxError> {
        let start = s.pos();
        while s.peek() == Some(b';') {
            s.eat(b';');
            let name = s.take_while(|b| scan::is_param_char(b) || b == b'%');
            if name.is_empty() || !escapes_valid(name) {
                return Err(s.error("invalid URI parameter name"));
            }
            if s.eat(b'=') {
                let value = s.take_while(|b| scan::is_param_char(b) || b == b'%');
                if value.is_empty() || !escapes_valid(value) {
                    return Err(s.error("invalid URI parameter value"));
                }
            }
        }
        Ok(Self {
            raw: Cow::Borrowed(s.slice(start, s.pos())),
        })
    }

    /// Parses header parameters (`*( SEMI generic-param )`, RFC 3261 §25.1):
    /// `token [ EQUAL ( token / host / quoted-string ) ]`, white space allowed
    /// around `;` and `=`.
    pub(crate) fn parse_header(s: &mut Scanner<'a>) -> Result<Self, SyntaxError> {
        let start = s.pos();
        let mut end = start;
        while s.eat_separator(b';') {
            s.token("expected parameter name")?;
            if s.eat_separator(b'=') {
                if s.peek() == Some(b'"') {
                    s.quoted_string()?;
                } else {
                    // token, or host (which adds ':' '[' ']' for IPv6 references)
                    let v = s.take_while(|b| scan::is_token(b) || matches!(b, b':' | b'[' | b']'));
                    if v.is_empty() {
                        return Err(s.error("expected parameter value"));
                    }
                }
            }
            end = s.pos();
        }
        // Give back white space that followed the last parameter.
        s.set_pos(end);
        Ok(Self {
            raw: Cow::Borrowed(s.slice(start, end)),
        })
    }
}

/// Whether every `%` in a run of `paramchar`s and `%`s starts a `%HH` escape.
fn escapes_valid(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'%', b).all(|i| {
        b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    })
}

/// Removes the quotes of a quoted-string value, leaving other values as they are.
pub(crate) fn unquote_value(v: &str) -> Cow<'_, str> {
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        scan::unquote(&v[1..v.len() - 1])
    } else {
        Cow::Borrowed(v)
    }
}

impl fmt::Display for Params<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for Params<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Iterator over `(name, value)` pairs of a [`Params`].
#[derive(Debug, Clone)]
pub struct ParamIter<'p> {
    rest: &'p str,
}

impl<'p> Iterator for ParamIter<'p> {
    type Item = (&'p str, Option<&'p str>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let rest = self.rest.strip_prefix(';').unwrap_or(self.rest);
            if rest.is_empty() {
                self.rest = "";
                return None;
            }
            let end = scan::find_outside_quotes(rest.as_bytes(), b';', false);
            let item = scan::trim_lws(&rest[..end]);
            self.rest = &rest[end..];
            if item.is_empty() {
                continue;
            }
            return Some(match scan::find_byte(item.as_bytes(), b'=') {
                Some(eq) => (
                    scan::trim_lws(&item[..eq]),
                    Some(scan::trim_lws(&item[eq + 1..])),
                ),
                None => (item, None),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_params_with_white_space_and_quotes() {
        let mut s = Scanner::new(" ; tag = 1928 ;lr; x=\"a;b\"  rest");
        let p = Params::parse_header(&mut s).unwrap();
        assert_eq!(s.rest(), "  rest");
        assert_eq!(p.get("TAG"), Some(Some("1928")));
        assert_eq!(p.get("lr"), Some(None));
        assert_eq!(p.get("x"), Some(Some("\"a;b\"")));
        assert_eq!(p.get_unquoted("x").as_deref(), Some("a;b"));
        assert_eq!(p.get("nope"), None);
    }

    #[test]
    fn uri_params_refuse_white_space() {
        let mut s = Scanner::new(";transport=tcp;lr>");
        let p = Params::parse_uri(&mut s).unwrap();
        assert_eq!(p.as_str(), ";transport=tcp;lr");
        assert!(Params::parse_uri(&mut Scanner::new(";=x")).is_err());
        assert!(Params::parse_uri(&mut Scanner::new(";a=%zz")).is_err());
    }

    #[test]
    fn empty_parameters_are_refused_in_headers() {
        assert!(Params::parse_header(&mut Scanner::new(";;")).is_err());
        assert!(Params::parse_header(&mut Scanner::new(";a=")).is_err());
    }

    #[test]
    fn edit() {
        let mut p = Params::new();
        p.push("tag", Some("x"));
        p.push("lr", None);
        p.set("tag", Some("y"));
        assert_eq!(p.as_str(), ";lr;tag=y");
        assert!(p.remove("lr"));
        assert_eq!(p.as_str(), ";tag=y");
    }
}
