//! The JSON parser: text to [`Tree`], recording where every value starts.
//!
//! Standard JSON (RFC 8259), with one addition for PJSUA2's files: PJSUA2
//! writes every byte of non-ASCII text as its own escape (`é` is
//! `\u00c3\u00a9`), so a run of `\u0080`–`\u00ff` escapes that forms valid
//! UTF-8 decodes to that text; bytes of such a run that are not UTF-8 keep
//! the standard meaning (`\u00e9` alone is `é`, U+00E9).
//!
//! The parser never panics and never recurses deeper than [`MAX_DEPTH`].

use super::tree::{Element, Pos, ROOT, Tree, Value};

/// Deepest nesting of arrays and objects accepted.
pub(crate) const MAX_DEPTH: usize = 512;

/// Why and where parsing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub(crate) pos: Pos,
    pub(crate) message: String,
}

/// Parses a whole document. Its root must be an object or an array.
pub(crate) fn parse(text: &str) -> Result<Tree, ParseError> {
    let mut parser = Parser {
        src: text,
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        col: 1,
        tree: Tree {
            elements: Vec::new(),
        },
        depth: 0,
    };
    if text.starts_with('\u{feff}') {
        parser.at = '\u{feff}'.len_utf8();
    }
    parser.skip_whitespace();
    if parser.peek().is_none() {
        return Err(parser.error("the document is empty"));
    }
    let root_pos = parser.pos();
    parser.value(String::new(), None)?;
    parser.skip_whitespace();
    if parser.peek().is_some() {
        return Err(parser.error("unexpected text after the end of the document"));
    }
    let kind = parser.tree.get(ROOT).value.kind();
    if parser.tree.get(ROOT).value.children().is_none() {
        return Err(ParseError {
            pos: root_pos,
            message: format!("the document is {kind}, not an object or an array"),
        });
    }
    Ok(parser.tree)
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    /// Byte offset of the next character.
    at: usize,
    line: u32,
    col: u32,
    tree: Tree,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            pos: self.pos(),
            message: message.into(),
        }
    }

    fn error_at(pos: Pos, message: impl Into<String>) -> ParseError {
        ParseError {
            pos,
            message: message.into(),
        }
    }

    /// Moves past one byte, counting lines and (character) columns.
    fn bump(&mut self) {
        if let Some(b) = self.peek() {
            self.at += 1;
            if b == b'\n' {
                self.line = self.line.saturating_add(1);
                self.col = 1;
            } else if b & 0xC0 != 0x80 {
                // Not a UTF-8 continuation byte: a new character starts here.
                self.col = self.col.saturating_add(1);
            }
        }
    }

    /// Moves past `n` bytes.
    fn bump_n(&mut self, n: usize) {
        for _ in 0..n {
            self.bump();
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    /// The character at the cursor, for messages.
    fn describe_next(&self) -> String {
        match self.src.get(self.at..).and_then(|s| s.chars().next()) {
            None => "the end of the text".to_owned(),
            Some(c) if c.is_control() => format!("character U+{:04X}", u32::from(c)),
            Some(c) => format!("'{c}'"),
        }
    }

    fn unexpected(&self, wanted: &str) -> ParseError {
        self.error(format!("expected {wanted}, found {}", self.describe_next()))
    }

    /// Parses the value at the cursor as an element named `name` under
    /// `parent`, and returns its index.
    fn value(&mut self, name: String, parent: Option<usize>) -> Result<usize, ParseError> {
        self.skip_whitespace();
        let pos = self.pos();
        let value = match self.peek() {
            Some(b'{') => Value::Object(Vec::new()),
            Some(b'[') => Value::Array(Vec::new()),
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
            _ => return Err(self.unexpected("a value")),
        };
        let is_container = value.children().is_some();
        let element = Element {
            name,
            value,
            parent: None,
            pos: Some(pos),
        };
        let index = match parent {
            None => {
                self.tree.elements.push(element);
                ROOT
            }
            Some(p) => self
                .tree
                .push_child(p, element)
                .ok_or_else(|| Self::error_at(pos, "internal error: parent is not a container"))?,
        };
        if is_container {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(Self::error_at(
                    pos,
                    format!("arrays and objects nest deeper than {MAX_DEPTH}"),
                ));
            }
            if self.tree.is_array(index) {
                self.array_items(index)?;
            } else {
                self.object_members(index)?;
            }
            self.depth -= 1;
        }
        Ok(index)
    }

    fn object_members(&mut self, index: usize) -> Result<(), ParseError> {
        self.bump(); // '{'
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(());
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a key in double quotes"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("':' after the key"));
            }
            self.bump();
            self.value(key, Some(index))?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    return Ok(());
                }
                _ => return Err(self.unexpected("',' or '}'")),
            }
        }
    }

    fn array_items(&mut self, index: usize) -> Result<(), ParseError> {
        self.bump(); // '['
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(());
        }
        loop {
            self.value(String::new(), Some(index))?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    return Ok(());
                }
                _ => return Err(self.unexpected("',' or ']'")),
            }
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, ParseError> {
        let rest = &self.bytes[self.at.min(self.bytes.len())..];
        let follows_word = rest
            .get(word.len())
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        if rest.starts_with(word.as_bytes()) && !follows_word {
            self.bump_n(word.len());
            Ok(value)
        } else {
            Err(self.error(
                "expected a value: true, false, null, a number, a string, an array or an object",
            ))
        }
    }

    fn number(&mut self) -> Result<f64, ParseError> {
        let start = self.at;
        let pos = self.pos();
        let digits = |p: &mut Self| -> usize {
            let mut n = 0;
            while let Some(b'0'..=b'9') = p.peek() {
                p.bump();
                n += 1;
            }
            n
        };
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => self.bump(),
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.unexpected("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if digits(self) == 0 {
                return Err(self.unexpected("a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if digits(self) == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        let text = self.src.get(start..self.at).unwrap_or("");
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err(Self::error_at(
                pos,
                format!("the number {text} is out of range"),
            )),
        }
    }

    /// Parses a string in double quotes at the cursor.
    fn string(&mut self) -> Result<String, ParseError> {
        self.bump(); // opening quote
        let mut out = String::new();
        // Bytes of a run of \u0080-\u00ff escapes, decoded when it ends.
        let mut escaped_bytes: Vec<u8> = Vec::new();
        // A high surrogate waiting for its low half.
        let mut high_surrogate: Option<u16> = None;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            if b == b'\\' && self.bytes.get(self.at + 1) == Some(&b'u') {
                let pos = self.pos();
                let code = self.unicode_escape()?;
                if let Some(high) = high_surrogate.take() {
                    if (0xDC00..=0xDFFF).contains(&code) {
                        let c = 0x10000
                            + ((u32::from(high) - 0xD800) << 10)
                            + (u32::from(code) - 0xDC00);
                        out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                        continue;
                    }
                    out.push(char::REPLACEMENT_CHARACTER);
                }
                if (0x80..=0xFF).contains(&code) {
                    // The range checked above fits a byte.
                    escaped_bytes.push(code as u8);
                    continue;
                }
                flush_escaped_bytes(&mut escaped_bytes, &mut out);
                if (0xD800..=0xDBFF).contains(&code) {
                    high_surrogate = Some(code);
                } else if (0xDC00..=0xDFFF).contains(&code) {
                    out.push(char::REPLACEMENT_CHARACTER);
                } else {
                    let c = char::from_u32(u32::from(code));
                    out.push(c.ok_or_else(|| Self::error_at(pos, "invalid \\u escape"))?);
                }
                continue;
            }
            flush_escaped_bytes(&mut escaped_bytes, &mut out);
            if high_surrogate.take().is_some() {
                out.push(char::REPLACEMENT_CHARACTER);
            }
            match b {
                b'"' => {
                    self.bump();
                    return Ok(out);
                }
                b'\\' => {
                    let pos = self.pos();
                    self.bump();
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        _ => {
                            return Err(Self::error_at(
                                pos,
                                format!("invalid escape '\\' followed by {}", self.describe_next()),
                            ));
                        }
                    };
                    self.bump();
                    out.push(c);
                }
                0..=0x1F => {
                    return Err(self.error(format!(
                        "{} inside a string (write it as an escape)",
                        self.describe_next()
                    )));
                }
                _ => {
                    // A run of plain characters; it ends at an ASCII byte,
                    // so the slice is on character boundaries.
                    let start = self.at;
                    while let Some(c) = self.peek() {
                        if c == b'"' || c == b'\\' || c < 0x20 {
                            break;
                        }
                        self.bump();
                    }
                    out.push_str(self.src.get(start..self.at).unwrap_or(""));
                }
            }
        }
    }

    /// Parses `\uXXXX` at the cursor and returns XXXX.
    fn unicode_escape(&mut self) -> Result<u16, ParseError> {
        let pos = self.pos();
        self.bump_n(2);
        let hex = self.bytes.get(self.at..self.at + 4).unwrap_or(&[]);
        let code = std::str::from_utf8(hex)
            .ok()
            .filter(|h| h.len() == 4 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u16::from_str_radix(h, 16).ok())
            .ok_or_else(|| Self::error_at(pos, "invalid \\u escape: expected four hex digits"))?;
        self.bump_n(4);
        Ok(code)
    }
}

/// Appends a run of escaped bytes to `out`: as UTF-8 where they form it,
/// each other byte as the character of the same number.
fn flush_escaped_bytes(bytes: &mut Vec<u8>, out: &mut String) {
    if bytes.is_empty() {
        return;
    }
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(chunk.invalid().iter().map(|&b| char::from(b)));
    }
    bytes.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string_of(json: &str) -> String {
        let tree = parse(&format!("[{json}]")).unwrap();
        match &tree.get(tree.children(ROOT)[0]).value {
            Value::String(s) => s.clone(),
            other => panic!("not a string: {other:?}"),
        }
    }

    fn error_of(json: &str) -> (u32, u32, String) {
        let e = parse(json).unwrap_err();
        (e.pos.line, e.pos.col, e.message)
    }

    #[test]
    fn parses_values_with_positions() {
        let tree = parse("{\n  \"a\": [1, -2.5e1, true, null],\n  \"b\": \"x\"\n}").unwrap();
        let root = tree.children(ROOT);
        assert_eq!(root.len(), 2);
        let a = tree.get(root[0]);
        assert_eq!(a.name, "a");
        assert_eq!(a.pos, Some(Pos { line: 2, col: 8 }));
        let items: Vec<_> = tree
            .children(root[0])
            .iter()
            .map(|&i| tree.get(i).value.clone())
            .collect();
        assert_eq!(
            items,
            vec![
                Value::Number(1.0),
                Value::Number(-25.0),
                Value::Bool(true),
                Value::Null
            ]
        );
        assert_eq!(tree.get(root[1]).pos, Some(Pos { line: 3, col: 8 }));
    }

    #[test]
    fn pjsua2s_per_byte_escapes_decode_as_utf8() {
        assert_eq!(string_of(r#""caf\u00c3\u00a9""#), "café");
        assert_eq!(string_of(r#""\u00e2\u0082\u00ac 5""#), "€ 5");
        // Not UTF-8: the standard meaning.
        assert_eq!(string_of(r#""\u00e9t\u00e9""#), "été");
        assert_eq!(string_of(r#""\u00c3""#), "Ã");
        // Partly UTF-8: the valid part decodes, the rest is Latin-1.
        assert_eq!(string_of(r#""\u00c3\u00a9\u00ff""#), "éÿ");
        // Standard escapes still work.
        assert_eq!(string_of(r#""\u20ac\ud83d\ude00\n\/\"""#), "€😀\n/\"");
        assert_eq!(string_of(r#""\ud83d x""#), "\u{fffd} x");
        assert_eq!(string_of("\"raw é\""), "raw é");
    }

    #[test]
    fn errors_name_line_and_column_like_pjsua2() {
        // Same places as PJSUA2 2.15.1 reports.
        let (line, col, msg) = error_of("{\"a\": [1,2}");
        assert_eq!((line, col), (1, 11));
        assert_eq!(msg, "expected ',' or ']', found '}'");
        let (line, col, _) = error_of("{\n  \"a\": tru }");
        assert_eq!((line, col), (2, 8));
        let (line, col, msg) = error_of("{\"a\" 1}");
        assert_eq!((line, col), (1, 6));
        assert_eq!(msg, "expected ':' after the key, found '1'");
        let (_, _, msg) = error_of("");
        assert_eq!(msg, "the document is empty");
        let (_, col, msg) = error_of("{} x");
        assert_eq!(col, 4);
        assert!(msg.contains("after the end"));
        let (_, _, msg) = error_of("5");
        assert_eq!(msg, "the document is a number, not an object or an array");
        let (_, _, msg) = error_of("[\"a");
        assert_eq!(msg, "unterminated string");
        let (_, col, _) = error_of("[\"é\\q\"]");
        assert_eq!(col, 4, "columns count characters");
        assert!(error_of("[1e999]").2.contains("out of range"));
        assert!(error_of("[01]").2.contains("expected ',' or ']'"));
        assert!(error_of("[\"\\u12\"]").2.contains("four hex digits"));
        assert!(error_of("[\"a\nb\"]").2.contains("inside a string"));
        assert!(error_of("{\"a\":1,}").2.contains("a key"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(error_of(&deep).2.contains("nest deeper"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn keeps_duplicate_keys_and_a_bom() {
        let tree = parse("\u{feff}{\"a\":1,\"a\":2}").unwrap();
        assert_eq!(tree.children(ROOT).len(), 2);
    }
}
