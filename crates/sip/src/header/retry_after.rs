//! Retry-After (RFC 3261 §20.33): `delta-seconds [ comment ] *( SEMI
//! retry-param )`, how long to wait before trying again.

use std::borrow::Cow;
use std::fmt;

use super::{HeaderName, TypedHeader, check_param, parse_decimal_u32};
use crate::error::SyntaxError;
use crate::params::Params;
use crate::scan::Scanner;

/// Retry-After: `120 (I'm in a meeting)` or `18000;duration=3600`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RetryAfter<'a> {
    /// Seconds to wait, at most 2³²−1.
    pub delta: u32,
    /// The text of the comment between its outer parentheses, as written
    /// (nested comments and quoted-pairs included).
    pub comment: Option<Cow<'a, str>>,
    /// retry-params (`duration`, others).
    pub params: Params<'a>,
}

impl<'a> RetryAfter<'a> {
    /// A Retry-After of `delta` seconds, without comment or parameters.
    pub fn new(delta: u32) -> Self {
        Self {
            delta,
            comment: None,
            params: Params::new(),
        }
    }

    /// The same value with `text` as its comment: parentheses and `\` in it are
    /// escaped as quoted-pairs, control characters become spaces.
    pub fn with_comment(mut self, text: &str) -> Self {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '(' | ')' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                c if c.is_control() && c != '\t' => out.push(' '),
                c => out.push(c),
            }
        }
        self.comment = Some(Cow::Owned(out));
        self
    }

    /// The `duration` parameter: how long the callee will be reachable once
    /// it is, in seconds.
    pub fn duration(&self) -> Option<u32> {
        parse_decimal_u32(self.params.get("duration")??)
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> RetryAfter<'static> {
        RetryAfter {
            delta: self.delta,
            comment: self.comment.map(|c| Cow::Owned(c.into_owned())),
            params: self.params.into_owned(),
        }
    }
}

/// Consumes a comment (RFC 3261 §25.1: `"(" *(ctext / quoted-pair / comment)
/// ")"`) at the scanner's `(`, returning the text between the outer
/// parentheses. Nesting is counted, not recursed into, so depth costs nothing.
fn comment<'a>(s: &mut Scanner<'a>) -> Result<&'a str, SyntaxError> {
    let open = s.pos();
    s.expect(b'(', "expected '('")?;
    let start = s.pos();
    let mut depth = 1usize;
    loop {
        match s.peek() {
            None => return Err(SyntaxError::new("unterminated comment", open)),
            Some(b'(') => {
                depth += 1;
                s.eat(b'(');
            }
            Some(b')') => {
                depth -= 1;
                if depth == 0 {
                    let inner = s.slice(start, s.pos());
                    s.eat(b')');
                    return Ok(inner);
                }
                s.eat(b')');
            }
            Some(b'\\') => {
                s.eat(b'\\');
                // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
                match s.peek() {
                    Some(c) if c <= 0x7f && c != b'\r' && c != b'\n' => {
                        s.eat(c);
                    }
                    _ => return Err(s.error("invalid quoted-pair in comment")),
                }
            }
            Some(b'\r' | b'\n') => {
                if !s.skip_lws() {
                    return Err(s.error("line break in comment"));
                }
            }
            Some(b'\t') => {
                s.eat(b'\t');
            }
            Some(c) if c < 0x20 || c == 0x7f => {
                return Err(s.error("control character in comment"));
            }
            Some(c) => {
                // ASCII ctext, or a byte of a UTF-8 sequence: the text is a
                // &str, so stepping byte by byte never ends inside a char
                // where a slice is taken (slices end at ASCII bytes only).
                s.eat(c);
            }
        }
    }
}

impl<'a> TypedHeader<'a> for RetryAfter<'a> {
    const NAME: HeaderName = HeaderName::RetryAfter;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        s.skip_lws();
        let delta = s.number(u64::from(u32::MAX), "expected delta-seconds")? as u32;
        let before = s.pos();
        s.skip_lws();
        let comment = if s.peek() == Some(b'(') {
            Some(Cow::Borrowed(comment(&mut s)?))
        } else {
            s.set_pos(before);
            None
        };
        let at = s.pos();
        let params = Params::parse_header(&mut s)?;
        check_param(
            &params,
            "duration",
            |v| parse_decimal_u32(v).is_some(),
            "invalid duration",
            at,
        )?;
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text in Retry-After"));
        }
        Ok(Self {
            delta,
            comment,
            params,
        })
    }
}

impl fmt::Display for RetryAfter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.delta)?;
        if let Some(c) = &self.comment {
            write!(f, " ({c})")?;
        }
        write!(f, "{}", self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{HeaderName, assert_round_trip, validate};

    #[test]
    fn rfc3261_examples() {
        // RFC 3261 §20.33.
        let r = RetryAfter::parse("18000;duration=3600").unwrap();
        assert_eq!(r.delta, 18000);
        assert_eq!(r.duration(), Some(3600));
        assert_eq!(r.comment, None);
        assert_round_trip(&r);
        let r = RetryAfter::parse("120 (I'm in a meeting)").unwrap();
        assert_eq!(r.delta, 120);
        assert_eq!(r.comment.as_deref(), Some("I'm in a meeting"));
        assert_eq!(r.duration(), None);
        assert_round_trip(&r);
    }

    #[test]
    fn comments_nest_and_escape() {
        let r = RetryAfter::parse(r"60(a (nested \) one) \( here);duration=5").unwrap();
        assert_eq!(r.comment.as_deref(), Some(r"a (nested \) one) \( here"));
        assert_eq!(r.duration(), Some(5));
        assert_round_trip(&r);
        let r = RetryAfter::parse("60 (caf\u{e9}\r\n s\u{e9}r\u{e9}nade) ; x=y").unwrap();
        assert_eq!(r.params.get("x"), Some(Some("y")));
        assert_round_trip(&r);
        let deep = format!("1 {}{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(RetryAfter::parse(&deep).is_ok());
    }

    #[test]
    fn build() {
        let r = RetryAfter::new(300).with_comment("back (soon) \\ ok\r\n");
        assert_eq!(r.to_string(), r"300 (back \(soon\) \\ ok  )");
        assert_round_trip(&r);
        let mut r = RetryAfter::new(0).into_owned();
        r.params.push("duration", Some("60"));
        assert_round_trip(&r);
    }

    #[test]
    fn rfc4475_scalarlg() {
        // RFC 4475 §3.1.2.5: a value far beyond 2³²−1 must be refused.
        assert!(RetryAfter::parse("949302838503028349304023988").is_err());
        assert!(validate(HeaderName::RetryAfter, "949302838503028349304023988").is_err());
        assert_eq!(RetryAfter::parse("4294967295").unwrap().delta, u32::MAX);
        assert!(RetryAfter::parse("4294967296").is_err());
    }

    #[test]
    fn invalid() {
        for v in [
            "",
            "-1",
            "abc",
            "120 (unterminated",
            "120 (a (b)",
            "120 )",
            "120 (a) (b)",
            "120 (a) x",
            "120 (bad \\\r\n quoted-pair)",
            "120 (nul \u{0} here)",
            "120;duration=abc",
            "120;duration",
            "120;duration=4294967296",
            "120;",
            "1 2",
            "(x) 120",
        ] {
            assert!(RetryAfter::parse(v).is_err(), "{v:?}");
        }
    }
}
