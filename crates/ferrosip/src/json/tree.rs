//! The document tree behind [`JsonDocument`](super::JsonDocument) and its
//! [`ContainerNode`](super::ContainerNode)s: elements in one vector, linked
//! to their parents, each with its name and (when parsed) its place in the
//! source text.

use std::fmt;

/// A place in the source text: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) col: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} column {}", self.line, self.col)
    }
}

/// An element's value; containers hold the indices of their children.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<usize>),
    Object(Vec<usize>),
}

impl Value {
    /// The value's kind with an article, for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a bool",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::Array(_) => "an array",
            Self::Object(_) => "an object",
        }
    }

    /// The children of a container; `None` for a scalar.
    pub(crate) fn children(&self) -> Option<&[usize]> {
        match self {
            Self::Array(c) | Self::Object(c) => Some(c),
            _ => None,
        }
    }
}

/// One element: a named (in objects) or anonymous (in arrays) value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Element {
    /// The key in an object; empty in an array. Elements written into an
    /// array keep the name they were written with (PJSUA2 does, and it
    /// changes how the array is laid out), though it is never printed.
    pub(crate) name: String,
    pub(crate) value: Value,
    /// The containing element and this element's index among its children;
    /// `None` for the root.
    pub(crate) parent: Option<(usize, usize)>,
    /// Where the value starts in the source text; `None` when written.
    pub(crate) pos: Option<Pos>,
}

/// A whole document; element 0 is the root.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tree {
    pub(crate) elements: Vec<Element>,
}

/// The root's index.
pub(crate) const ROOT: usize = 0;

impl Tree {
    /// A document whose root is an empty object.
    pub(crate) fn new() -> Self {
        Self {
            elements: vec![Element {
                name: String::new(),
                value: Value::Object(Vec::new()),
                parent: None,
                pos: None,
            }],
        }
    }

    /// The element at `index`. Indices come from this tree only, so a
    /// missing one is a bug; it reads as a parentless null rather than
    /// panicking.
    pub(crate) fn get(&self, index: usize) -> &Element {
        static MISSING: Element = Element {
            name: String::new(),
            value: Value::Null,
            parent: None,
            pos: None,
        };
        self.elements.get(index).unwrap_or(&MISSING)
    }

    /// The children of the container at `index` (empty for a scalar).
    pub(crate) fn children(&self, index: usize) -> &[usize] {
        self.get(index).value.children().unwrap_or(&[])
    }

    /// True when the element at `index` is an array.
    pub(crate) fn is_array(&self, index: usize) -> bool {
        matches!(self.get(index).value, Value::Array(_))
    }

    /// Appends `element` as the last child of the container at `parent`;
    /// `None` if `parent` is not a container.
    pub(crate) fn push_child(&mut self, parent: usize, mut element: Element) -> Option<usize> {
        let index = self.elements.len();
        let slot = self.elements.get(parent)?.value.children()?.len();
        element.parent = Some((parent, slot));
        self.elements.push(element);
        match &mut self.elements.get_mut(parent)?.value {
            Value::Array(c) | Value::Object(c) => c.push(index),
            _ => return None,
        }
        Some(index)
    }

    /// How many containers enclose the element at `index` (0 for the root).
    pub(crate) fn depth(&self, index: usize) -> usize {
        let mut depth = 0;
        let mut at = index;
        while let Some((parent, _)) = self.get(at).parent {
            depth += 1;
            at = parent;
            if depth > self.elements.len() {
                break; // a cycle, which push_child cannot make
            }
        }
        depth
    }

    /// The element's path from the root, for error messages:
    /// `EpConfig.UaConfig.maxCalls`, `AccountConfig.AccountSipConfig.authCreds[1]`.
    pub(crate) fn path(&self, index: usize) -> String {
        let mut parts = Vec::new();
        let mut at = index;
        // The parent chain ends at the root; the bound guards against a cycle.
        for _ in 0..self.elements.len() {
            let element = self.get(at);
            let Some((parent, slot)) = element.parent else {
                break;
            };
            if self.is_array(parent) || element.name.is_empty() {
                parts.push(format!("[{slot}]"));
            } else {
                parts.push(format!(".{}", element.name));
            }
            at = parent;
        }
        let mut path: String = parts.into_iter().rev().collect();
        if path.starts_with('.') {
            path.remove(0);
        }
        path
    }

    /// The path of a key under the element at `index` (which need not
    /// exist): `EpConfig.UaConfig` + `maxCalls`.
    pub(crate) fn key_path(&self, index: usize, name: &str) -> String {
        let base = self.path(index);
        if base.is_empty() {
            name.to_owned()
        } else {
            format!("{base}.{name}")
        }
    }

    /// " (line L column C)" for a parsed element, "" for a written one.
    pub(crate) fn at(&self, index: usize) -> String {
        self.get(index)
            .pos
            .map(|p| format!(" ({p})"))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(name: &str, value: Value) -> Element {
        Element {
            name: name.to_owned(),
            value,
            parent: None,
            pos: None,
        }
    }

    #[test]
    fn paths_name_keys_and_indices() {
        let mut t = Tree::new();
        let ep = t
            .push_child(ROOT, leaf("EpConfig", Value::Object(vec![])))
            .unwrap();
        let n = t
            .push_child(ep, leaf("maxCalls", Value::Number(4.0)))
            .unwrap();
        let arr = t
            .push_child(ep, leaf("authCreds", Value::Array(vec![])))
            .unwrap();
        t.push_child(arr, leaf("AuthCredInfo", Value::Object(vec![])))
            .unwrap();
        let second = t
            .push_child(arr, leaf("AuthCredInfo", Value::Object(vec![])))
            .unwrap();
        let user = t
            .push_child(second, leaf("username", Value::String("a".into())))
            .unwrap();
        assert_eq!(t.path(ROOT), "");
        assert_eq!(t.path(n), "EpConfig.maxCalls");
        assert_eq!(t.path(user), "EpConfig.authCreds[1].username");
        assert_eq!(t.key_path(ep, "threadCnt"), "EpConfig.threadCnt");
        assert_eq!(t.key_path(ROOT, "EpConfig"), "EpConfig");
        assert_eq!(t.at(n), "");
    }

    #[test]
    fn scalars_take_no_children() {
        let mut t = Tree::new();
        let n = t.push_child(ROOT, leaf("n", Value::Number(1.0))).unwrap();
        assert!(t.push_child(n, leaf("x", Value::Null)).is_none());
        assert!(t.children(n).is_empty());
    }
}
