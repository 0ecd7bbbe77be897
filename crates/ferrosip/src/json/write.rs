//! The JSON writer: [`Tree`] to text laid out exactly as PJSUA2 2.15.1
//! (pjlib-util's `json.c`) lays it out.
//!
//! The layout rules, as PJSUA2 applies them:
//! - a container opens with `{ ` or `[ ` (a trailing space) and closes with
//!   `}` or `]`; an empty one is `{ }` / `[ ]`;
//! - if the first item of an array has no name, all items follow inline,
//!   joined by `, ` (`[ "a", "b"]`); otherwise (and always in an object)
//!   each child goes on its own line, indented 3 more spaces (up to 102),
//!   lines joined by `,\n`, and the closing bracket goes on its own line
//!   at the container's indent;
//! - an object member starts with its indent and `"name": ` padded with
//!   spaces to 20 characters of name (so values line up in column 26 past
//!   the indent); a named array item starts with its indent, its name not
//!   shown;
//! - integral numbers print as integers, others as `%f` (six decimals).
//!
//! One departure, where PJSUA2 writes something that is not JSON: a member
//! written into an object with an empty name is written as `"": value`
//! (PJSUA2 drops the `"":`, and decides the layout by it).
//!
//! Strings follow PJSUA2 where PJSUA2 can read its own output back: a
//! member's string value escapes `"`, `\`, `/`, the C escapes and every byte
//! outside printable ASCII as `\u00XX` (one escape per UTF-8 byte, which
//! PJSUA2's reader turns back into those bytes). PJSUA2's reader does not
//! unescape strings in arrays or keys at all, so those are written with
//! only the escapes JSON requires, and non-ASCII text as raw UTF-8, which
//! PJSUA2 reads back unchanged.

use std::fmt::Write as _;

use super::tree::{ROOT, Tree, Value};

/// Indent step of a nesting level.
const INDENT_STEP: usize = 3;
/// The indent grows while below this (pjlib's `MAX_INDENT`), so the most
/// is 102 spaces.
const MAX_INDENT: usize = 100;
/// Names shorter than this are padded to it (`PJ_JSON_NAME_MIN_LEN`).
const NAME_MIN_LEN: usize = 20;

/// The whole document as PJSUA2 would save it.
pub(crate) fn write_document(tree: &Tree) -> String {
    let mut writer = Writer {
        out: String::new(),
        indent: 0,
    };
    writer.element(tree, ROOT, false);
    writer.out
}

/// How a string is escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escaping {
    /// PJSUA2's: everything outside printable ASCII, and `/`, escaped per
    /// byte.
    PerByte,
    /// Only what JSON requires; non-ASCII as raw UTF-8.
    Minimal,
}

struct Writer {
    out: String,
    indent: usize,
}

impl Writer {
    fn push_indent(&mut self) {
        self.out.extend(std::iter::repeat_n(' ', self.indent));
    }

    /// Writes the element at `index`, a member of an object (name shown)
    /// or not (an array item, or the root).
    fn element(&mut self, tree: &Tree, index: usize, object_member: bool) {
        let element = tree.get(index);
        if object_member {
            // PJSUA2 leaves out the name (and the indent) when it is empty,
            // which is not JSON; an empty key is written as "" here.
            self.push_indent();
            self.out.push('"');
            escape_into(&element.name, Escaping::Minimal, &mut self.out);
            self.out.push_str("\": ");
            let pad = NAME_MIN_LEN.saturating_sub(element.name.len());
            self.out.extend(std::iter::repeat_n(' ', pad));
        } else if !element.name.is_empty() {
            // A named array item: indented, its name not shown.
            self.push_indent();
        }
        match &element.value {
            Value::Null => self.out.push_str("null"),
            Value::Bool(true) => self.out.push_str("true"),
            Value::Bool(false) => self.out.push_str("false"),
            Value::Number(n) => write_number(*n, &mut self.out),
            Value::String(s) => {
                let escaping = if object_member {
                    Escaping::PerByte
                } else {
                    Escaping::Minimal
                };
                self.out.push('"');
                escape_into(s, escaping, &mut self.out);
                self.out.push('"');
            }
            Value::Array(children) => self.children(tree, children, ('[', ']'), false),
            Value::Object(children) => self.children(tree, children, ('{', '}'), true),
        }
    }

    fn children(&mut self, tree: &Tree, children: &[usize], brackets: (char, char), object: bool) {
        self.out.push(brackets.0);
        self.out.push(' ');
        if let Some(&first) = children.first() {
            if !object && tree.get(first).name.is_empty() {
                for (i, &child) in children.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.element(tree, child, false);
                }
            } else {
                let indent_added = self.indent < MAX_INDENT;
                if indent_added {
                    self.indent += INDENT_STEP;
                }
                self.out.push('\n');
                for (i, &child) in children.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(",\n");
                    }
                    self.element(tree, child, object);
                }
                self.out.push('\n');
                if indent_added {
                    self.indent -= INDENT_STEP;
                }
                self.push_indent();
            }
        }
        self.out.push(brackets.1);
    }
}

/// Formats a number as PJSUA2 does: integral values as integers (without
/// PJSUA2's detour through `float`), others as C's `%f`.
pub(crate) fn write_number(n: f64, out: &mut String) {
    // Integral values within i64 convert exactly.
    if n.fract() == 0.0 && n.abs() < 9.2e18 {
        let _ = write!(out, "{}", n as i64);
    } else {
        let _ = write!(out, "{n:.6}");
    }
}

fn escape_into(s: &str, escaping: Escaping, out: &mut String) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if escaping == Escaping::PerByte => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            _ if escaping == Escaping::Minimal && c >= '\u{7f}' => out.push(c),
            _ => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\u00{b:02x}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::{Element, Value};
    use super::*;

    fn el(name: &str, value: Value) -> Element {
        Element {
            name: name.to_owned(),
            value,
            parent: None,
            pos: None,
        }
    }

    #[test]
    fn empty_document_is_braces_with_a_space() {
        assert_eq!(write_document(&Tree::new()), "{ }");
    }

    #[test]
    fn lays_out_like_pjsua2() {
        let mut t = Tree::new();
        let ua = t
            .push_child(ROOT, el("UaConfig", Value::Object(vec![])))
            .unwrap();
        t.push_child(ua, el("maxCalls", Value::Number(4.0)))
            .unwrap();
        t.push_child(ua, el("mwiUnsolicitedEnabled", Value::Bool(true)))
            .unwrap();
        let ns = t
            .push_child(ua, el("nameserver", Value::Array(vec![])))
            .unwrap();
        t.push_child(ns, el("", Value::String("a/b".into())))
            .unwrap();
        t.push_child(ns, el("", Value::String("é".into()))).unwrap();
        t.push_child(ua, el("userAgent", Value::String("x/é".into())))
            .unwrap();
        let k = t
            .push_child(ua, el("keyings", Value::Array(vec![])))
            .unwrap();
        t.push_child(k, el("keying", Value::Number(1.0))).unwrap();
        t.push_child(ua, el("empty", Value::Array(vec![]))).unwrap();
        assert_eq!(
            write_document(&t),
            "{ \n   \"UaConfig\":             { \n      \"maxCalls\":             4,\n      \
             \"mwiUnsolicitedEnabled\": true,\n      \"nameserver\":           [ \"a/b\", \"é\"],\n      \
             \"userAgent\":            \"x\\/\\u00c3\\u00a9\",\n      \"keyings\":              [ \n         \
             1\n      ],\n      \"empty\":                [ ]\n   }\n}"
        );
    }

    #[test]
    fn an_empty_key_in_an_object_is_written_as_json() {
        let mut t = Tree::new();
        t.push_child(ROOT, el("", Value::String("anon".into())))
            .unwrap();
        t.push_child(ROOT, el("a", Value::Number(1.0))).unwrap();
        assert_eq!(
            write_document(&t),
            "{ \n   \"\":                     \"anon\",\n   \"a\":                    1\n}"
        );
    }

    #[test]
    fn numbers_print_like_pjsua2_but_exactly() {
        let show = |n: f64| {
            let mut s = String::new();
            write_number(n, &mut s);
            s
        };
        assert_eq!(show(4.0), "4");
        assert_eq!(show(-1.0), "-1");
        assert_eq!(show(16_777_217.0), "16777217");
        assert_eq!(show(4_294_967_295.0), "4294967295");
        assert_eq!(show(-1.5), "-1.500000");
        assert_eq!(show(0.1), "0.100000");
        assert_eq!(show(-0.0), "0");
        assert_eq!(show(1e19), "10000000000000000000.000000");
    }

    #[test]
    fn escapes_control_characters() {
        let mut s = String::new();
        escape_into("\u{1}\u{7f}\t\"\\", Escaping::PerByte, &mut s);
        assert_eq!(s, "\\u0001\\u007f\\t\\\"\\\\");
        let mut s = String::new();
        escape_into("\u{1}\u{7f}/€", Escaping::Minimal, &mut s);
        assert_eq!(s, "\\u0001\u{7f}/€");
    }

    #[test]
    fn indent_stops_growing_at_102() {
        let mut t = Tree::new();
        let mut at = ROOT;
        for _ in 0..40 {
            at = t.push_child(at, el("o", Value::Object(vec![]))).unwrap();
        }
        t.push_child(at, el("n", Value::Number(1.0))).unwrap();
        let text = write_document(&t);
        let widest = text
            .lines()
            .map(|l| l.len() - l.trim_start().len())
            .max()
            .unwrap();
        assert_eq!(widest, 102);
    }
}
