//! Character classes of RFC 3261 §25.1 and a small cursor over header text.
//!
//! Every typed parser in this crate is written against [`Scanner`], so that the
//! rules about linear white space (LWS, including CRLF folding), tokens and quoted
//! strings live in one place.

use crate::error::SyntaxError;

/// `ALPHA / DIGIT`.
const ALNUM: u16 = 1;
/// `token` characters (RFC 3261 §25.1).
const TOKEN: u16 = 1 << 1;
/// `unreserved` = alphanum / mark.
const UNRESERVED: u16 = 1 << 2;
/// `user-unreserved`: `& = + $ , ; ? /`.
const USER_UNRESERVED: u16 = 1 << 3;
/// `param-unreserved`: `[ ] / : & + $`.
const PARAM_UNRESERVED: u16 = 1 << 4;
/// `hnv-unreserved`: `[ ] / ? : + $`.
const HNV_UNRESERVED: u16 = 1 << 5;
/// Password characters besides unreserved and escaped: `& = + $ ,`.
const PASSWORD_EXTRA: u16 = 1 << 6;
/// `word` characters (Call-ID).
const WORD: u16 = 1 << 7;
/// Characters of a host name (lenient: `_` accepted as seen in practice).
const HOSTNAME: u16 = 1 << 8;
/// `reserved` / `unreserved` characters, i.e. `uric` without the escape.
const URIC: u16 = 1 << 9;

const fn build_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let mut f = 0;
        if b.is_ascii_alphanumeric() {
            f |= ALNUM | TOKEN | UNRESERVED | WORD | HOSTNAME | URIC;
        }
        if matches!(
            b,
            b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        ) {
            f |= TOKEN;
        }
        if matches!(
            b,
            b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        ) {
            f |= UNRESERVED | URIC;
        }
        if matches!(b, b'&' | b'=' | b'+' | b'$' | b',' | b';' | b'?' | b'/') {
            f |= USER_UNRESERVED;
        }
        if matches!(b, b'[' | b']' | b'/' | b':' | b'&' | b'+' | b'$') {
            f |= PARAM_UNRESERVED;
        }
        if matches!(b, b'[' | b']' | b'/' | b'?' | b':' | b'+' | b'$') {
            f |= HNV_UNRESERVED;
        }
        if matches!(b, b'&' | b'=' | b'+' | b'$' | b',') {
            f |= PASSWORD_EXTRA;
        }
        if matches!(
            b,
            b'-' | b'.'
                | b'!'
                | b'%'
                | b'*'
                | b'_'
                | b'+'
                | b'`'
                | b'\''
                | b'~'
                | b'('
                | b')'
                | b'<'
                | b'>'
                | b':'
                | b'\\'
                | b'"'
                | b'/'
                | b'['
                | b']'
                | b'?'
                | b'{'
                | b'}'
        ) {
            f |= WORD;
        }
        if matches!(b, b'-' | b'.' | b'_') {
            f |= HOSTNAME;
        }
        if matches!(
            b,
            b';' | b'/' | b'?' | b':' | b'@' | b'&' | b'=' | b'+' | b'$' | b','
        ) {
            f |= URIC;
        }
        t[c] = f;
        c += 1;
    }
    t
}

static CLASS: [u16; 256] = build_table();

#[inline]
fn has(b: u8, class: u16) -> bool {
    CLASS[b as usize] & class != 0
}

/// Whether `b` may appear in a `token`.
#[inline]
pub(crate) fn is_token(b: u8) -> bool {
    has(b, TOKEN)
}

/// Whether `b` may appear in a `word` (the pieces of a Call-ID).
#[inline]
pub(crate) fn is_word(b: u8) -> bool {
    has(b, WORD)
}

/// Whether `b` may appear unescaped in the user part of a SIP URI.
#[inline]
pub(crate) fn is_user_char(b: u8) -> bool {
    has(b, UNRESERVED | USER_UNRESERVED)
}

/// Whether `b` may appear unescaped in the password part of a SIP URI.
#[inline]
pub(crate) fn is_password_char(b: u8) -> bool {
    has(b, UNRESERVED | PASSWORD_EXTRA)
}

/// Whether `b` may appear unescaped in a URI parameter name or value.
#[inline]
pub(crate) fn is_param_char(b: u8) -> bool {
    has(b, UNRESERVED | PARAM_UNRESERVED)
}

/// Whether `b` may appear unescaped in a URI header name or value.
#[inline]
pub(crate) fn is_header_char(b: u8) -> bool {
    has(b, UNRESERVED | HNV_UNRESERVED)
}

/// Whether `b` may appear in a host name.
#[inline]
pub(crate) fn is_hostname_char(b: u8) -> bool {
    has(b, HOSTNAME)
}

/// Whether `b` is a `uric` character other than `%` (escapes are checked apart).
#[inline]
pub(crate) fn is_uric(b: u8) -> bool {
    has(b, URIC)
}

/// Whether the whole string is a non-empty token.
pub(crate) fn is_token_str(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token)
}

/// Checks that every `%` in `s` starts a valid `%HH` escape and every other byte
/// satisfies `allowed`.
pub(crate) fn check_escaped(s: &str, allowed: fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() || !(b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
        } else if allowed(b[i]) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// Decodes `%HH` escapes. Invalid escapes are kept as they are; the result is
/// bytes because an escape may produce any octet (RFC 4475 §3.1.1.4: `%00`).
pub(crate) fn unescape(s: &str) -> std::borrow::Cow<'_, [u8]> {
    let b = s.as_bytes();
    if !b.contains(&b'%') {
        return std::borrow::Cow::Borrowed(b);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(out)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A cursor over a header value (or a piece of one).
///
/// Positions are byte offsets into the scanned text, reported in errors so that a
/// caller can say where a value went wrong.
#[derive(Debug, Clone)]
pub(crate) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    /// The current offset.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Moves the cursor to an offset seen before (to backtrack).
    pub(crate) fn set_pos(&mut self, pos: usize) {
        debug_assert!(pos <= self.text.len());
        self.pos = pos;
    }

    /// The text not yet consumed.
    pub(crate) fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    /// The text between two offsets.
    pub(crate) fn slice(&self, from: usize, to: usize) -> &'a str {
        &self.text[from..to]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Consumes `b` if it is next.
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `b` or fails with `what`.
    pub(crate) fn expect(&mut self, b: u8, what: &'static str) -> Result<(), SyntaxError> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// An error at the current offset.
    pub(crate) fn error(&self, what: &'static str) -> SyntaxError {
        SyntaxError::new(what, self.pos)
    }

    /// Consumes bytes while `f` holds and returns them.
    pub(crate) fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() && f(bytes[self.pos]) {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    /// Skips linear white space: SP, HTAB and CRLF followed by SP or HTAB.
    /// Returns whether anything was skipped.
    pub(crate) fn skip_lws(&mut self) -> bool {
        let start = self.pos;
        let b = self.text.as_bytes();
        loop {
            match b.get(self.pos) {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'\r')
                    if b.get(self.pos + 1) == Some(&b'\n')
                        && matches!(b.get(self.pos + 2), Some(b' ' | b'\t')) =>
                {
                    self.pos += 3
                }
                Some(b'\n') if matches!(b.get(self.pos + 1), Some(b' ' | b'\t')) => self.pos += 2,
                _ => return self.pos != start,
            }
        }
    }

    /// Skips LWS, then consumes `b` and the LWS after it (`SWS b SWS`).
    pub(crate) fn eat_separator(&mut self, b: u8) -> bool {
        let save = self.pos;
        self.skip_lws();
        if self.eat(b) {
            self.skip_lws();
            true
        } else {
            self.pos = save;
            false
        }
    }

    /// Consumes a non-empty token.
    pub(crate) fn token(&mut self, what: &'static str) -> Result<&'a str, SyntaxError> {
        let t = self.take_while(is_token);
        if t.is_empty() {
            Err(self.error(what))
        } else {
            Ok(t)
        }
    }

    /// Consumes a decimal number that fits `max`.
    pub(crate) fn number(&mut self, max: u64, what: &'static str) -> Result<u64, SyntaxError> {
        let start = self.pos;
        let digits = self.take_while(|b| b.is_ascii_digit());
        if digits.is_empty() {
            return Err(self.error(what));
        }
        let mut v: u64 = 0;
        for d in digits.bytes() {
            v = match v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(d - b'0')))
            {
                Some(v) if v <= max => v,
                _ => return Err(SyntaxError::new("number out of range", start)),
            };
        }
        Ok(v)
    }

    /// Consumes a quoted string, returning the text between the quotes with any
    /// quoted-pairs left as written.
    pub(crate) fn quoted_string(&mut self) -> Result<&'a str, SyntaxError> {
        self.expect(b'"', "expected '\"'")?;
        let start = self.pos;
        let b = self.text.as_bytes();
        loop {
            match b.get(self.pos) {
                None => return Err(SyntaxError::new("unterminated quoted string", start - 1)),
                Some(b'"') => {
                    let inner = &self.text[start..self.pos];
                    self.pos += 1;
                    return Ok(inner);
                }
                Some(b'\\') => {
                    // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
                    match b.get(self.pos + 1) {
                        Some(&c) if c <= 0x7f && c != b'\r' && c != b'\n' => self.pos += 2,
                        _ => return Err(self.error("invalid quoted-pair")),
                    }
                }
                Some(b'\r' | b'\n') => {
                    let save = self.pos;
                    if !self.skip_lws() {
                        self.pos = save;
                        return Err(self.error("line break in quoted string"));
                    }
                }
                // qdtext: LWS, printable ASCII but '"' and '\\', and UTF-8;
                // control characters only as quoted-pairs.
                Some(&c) if c < 0x20 && c != b'\t' || c == 0x7f => {
                    return Err(self.error("control character in quoted string"));
                }
                Some(_) => self.pos += 1,
            }
        }
    }
}

/// Removes quoted-pair backslashes from the inside of a quoted string.
pub(crate) fn unquote(inner: &str) -> std::borrow::Cow<'_, str> {
    if !inner.contains('\\') {
        return std::borrow::Cow::Borrowed(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Splits a comma-separated header value into its elements (RFC 3261 §7.3.1),
/// ignoring commas inside quoted strings and angle brackets.
pub(crate) fn split_list(value: &str) -> ListIter<'_> {
    ListIter { rest: value }
}

/// Iterator of [`split_list`].
#[derive(Debug, Clone)]
pub(crate) struct ListIter<'a> {
    rest: &'a str,
}

impl<'a> Iterator for ListIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let end = find_outside_quotes(self.rest.as_bytes(), b',', true);
        let item = &self.rest[..end];
        self.rest = self.rest.get(end + 1..).unwrap_or("");
        Some(trim_lws(item))
    }
}

/// The offset of the first `delim` outside quoted strings (and, with
/// `brackets`, outside `<` `>`), or the length of `b` if there is none.
/// An unterminated quote or bracket runs to the end.
///
/// A plain loop: header values are short, and a vectorised search pays its
/// set-up cost on every call.
pub(crate) fn find_outside_quotes(b: &[u8], delim: u8, brackets: bool) -> usize {
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == delim {
            return i;
        }
        if c == b'"' {
            match closing_quote(b, i + 1) {
                Some(close) => i = close,
                None => return b.len(),
            }
        } else if c == b'<' && brackets {
            match find_byte(&b[i + 1..], b'>') {
                Some(close) => i += 1 + close,
                None => return b.len(),
            }
        }
        i += 1;
    }
    b.len()
}

/// The offset of the `"` that closes a quoted string whose content starts at
/// `from`, skipping quoted-pairs.
fn closing_quote(b: &[u8], from: usize) -> Option<usize> {
    let mut k = from;
    while k < b.len() {
        match b[k] {
            b'"' => return Some(k),
            b'\\' => k += 2,
            _ => k += 1,
        }
    }
    None
}

/// The first offset of `needle` in a short slice.
#[inline]
pub(crate) fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    haystack.iter().position(|&c| c == needle)
}

/// Removes leading SP and HTAB.
pub(crate) fn trim_start_wsp(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
    &b[n..]
}

/// Removes trailing SP and HTAB.
pub(crate) fn trim_end_wsp(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rev()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count();
    &b[..b.len() - n]
}

/// Trims LWS (including folded line breaks) from both ends.
pub(crate) fn trim_lws(s: &str) -> &str {
    let is_lws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let b = s.as_bytes();
    let start = b.iter().position(|c| !is_lws(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_lws(c)).map_or(start, |i| i + 1);
    // Both ends sit next to ASCII bytes, so they are char boundaries.
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lws_skips_folds() {
        let mut s = Scanner::new(" \r\n\tx");
        assert!(s.skip_lws());
        assert_eq!(s.peek(), Some(b'x'));
        let mut s = Scanner::new("\r\nx");
        assert!(!s.skip_lws());
    }

    #[test]
    fn quoted_strings() {
        let mut s = Scanner::new(r#""a \"b\" c" rest"#);
        assert_eq!(s.quoted_string().unwrap(), r#"a \"b\" c"#);
        assert_eq!(unquote(r#"a \"b\" c"#), r#"a "b" c"#);
        assert!(Scanner::new("\"open").quoted_string().is_err());
        assert!(Scanner::new("\"a\0b\"").quoted_string().is_err());
        assert!(Scanner::new("\"a\\\0b\"").quoted_string().is_ok());
        assert!(Scanner::new("\"a\tb\"").quoted_string().is_ok());
    }

    #[test]
    fn list_split_respects_quotes_and_brackets() {
        let v: Vec<_> = split_list(r#""a,b" <sip:x;p=1,2>, <sip:y> ,z"#).collect();
        assert_eq!(v, vec![r#""a,b" <sip:x;p=1,2>"#, "<sip:y>", "z"]);
    }

    #[test]
    fn escapes() {
        assert!(check_escaped("a%20b", is_user_char));
        assert!(!check_escaped("a%2", is_user_char));
        assert!(!check_escaped("a%zz", is_user_char));
        assert_eq!(&*unescape("%75se%72"), b"user");
        assert_eq!(&*unescape("a%00b"), b"a\0b");
        assert_eq!(&*unescape("100%"), b"100%");
    }

    #[test]
    fn numbers_are_bounded() {
        assert_eq!(
            Scanner::new("4294967295").number(u32::MAX as u64, "n"),
            Ok(4294967295)
        );
        assert!(
            Scanner::new("4294967296")
                .number(u32::MAX as u64, "n")
                .is_err()
        );
        assert!(
            Scanner::new("99999999999999999999999")
                .number(u64::MAX, "n")
                .is_err()
        );
    }
}
