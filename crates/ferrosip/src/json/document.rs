//! [`JsonDocument`]: a JSON document to save configs into and load them
//! from, in PJSUA2's format.

use std::fmt;
use std::io::ErrorKind;
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::PersistentObject;
use super::node::{ContainerNode, json_error};
use super::parse::{ParseError, parse};
use super::tree::{ROOT, Tree};
use super::write::write_document;
use crate::error::{Error, Result, status};

/// A JSON document (PJSUA2's `JsonDocument`).
///
/// ```
/// use ferrosip::config::EpConfig;
/// use ferrosip::json::JsonDocument;
///
/// let mut cfg = EpConfig::default();
/// cfg.ua_config.max_calls = 8;
///
/// let mut doc = JsonDocument::new();
/// doc.write_object(&cfg)?;
/// let text = doc.save_string()?;
/// assert!(text.contains("\"maxCalls\":             8,"));
///
/// let mut loaded = JsonDocument::new();
/// loaded.load_string(&text)?;
/// let mut back = EpConfig::default();
/// loaded.read_object(&mut back)?;
/// assert_eq!(back, cfg);
/// # Ok::<(), ferrosip::Error>(())
/// ```
pub struct JsonDocument {
    root: ContainerNode,
}

impl JsonDocument {
    /// An empty document (it saves as `{ }`).
    pub fn new() -> Self {
        Self {
            root: ContainerNode::new(Arc::new(Mutex::new(Tree::new())), ROOT),
        }
    }

    /// Replaces the document with the one in the file at `path`.
    ///
    /// A missing file is an error with status `PJ_ENOTFOUND`, other I/O
    /// errors carry the OS error; bad JSON (or text that is not UTF-8) is an
    /// error with status `PJLIB_UTIL_EINJSON` naming the line and column.
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<()> {
        const OP: &str = "loadFile()";
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            let mut err = if e.kind() == ErrorKind::NotFound {
                Error::new(status::PJ_ENOTFOUND, OP, "")
            } else {
                Error::io(OP, &e)
            };
            err.reason = format!("cannot read '{}': {e}", path.display());
            err
        })?;
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
                let line = valid.matches('\n').count() + 1;
                let col = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                return Err(json_error(
                    OP,
                    format!(
                        "JSON parsing failed in file '{}' at line {line} column {col}: \
                         the text is not UTF-8",
                        path.display()
                    ),
                ));
            }
        };
        let tree = parse(text).map_err(|e| {
            json_error(
                OP,
                format!(
                    "JSON parsing failed in file '{}' at {}: {}",
                    path.display(),
                    e.pos,
                    e.message
                ),
            )
        })?;
        self.replace(tree);
        Ok(())
    }

    /// Replaces the document with the one in `text`.
    ///
    /// Bad JSON is an error with status `PJLIB_UTIL_EINJSON`, title
    /// `loadString()` and a reason like `JSON parsing failed at line 1
    /// column 11: expected ',' or ']', found '}'`.
    pub fn load_string(&mut self, text: &str) -> Result<()> {
        let tree = parse(text).map_err(|e: ParseError| {
            json_error(
                "loadString()",
                format!("JSON parsing failed at {}: {}", e.pos, e.message),
            )
        })?;
        self.replace(tree);
        Ok(())
    }

    fn replace(&mut self, tree: Tree) {
        self.root = ContainerNode::new(Arc::new(Mutex::new(tree)), ROOT);
    }

    /// Writes the document to the file at `path`, replacing it.
    pub fn save_file(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = self.save_string()?;
        std::fs::write(path, text).map_err(|e| {
            let mut err = Error::io("saveFile()", &e);
            err.reason = format!("cannot write '{}': {e}", path.display());
            err
        })
    }

    /// The document as text, laid out as PJSUA2 2.15.1 lays it out.
    pub fn save_string(&self) -> Result<String> {
        let tree = self.root.tree().lock().unwrap_or_else(|p| p.into_inner());
        Ok(write_document(&tree))
    }

    /// The root object (or array), to read from or write into. Every call
    /// returns a handle on the same node, with the same read cursor.
    pub fn root_container(&self) -> ContainerNode {
        self.root.clone()
    }

    /// Reads `object` from the root (PJSUA2's `readObject`): e.g. an
    /// [`EpConfig`](crate::config::EpConfig) reads the root's `"EpConfig"`.
    pub fn read_object(&self, object: &mut dyn PersistentObject) -> Result<()> {
        object.read_object(&self.root)
    }

    /// Writes `object` into the root (PJSUA2's `writeObject`): e.g. an
    /// [`EpConfig`](crate::config::EpConfig) adds `"EpConfig": {...}`.
    pub fn write_object(&mut self, object: &dyn PersistentObject) -> Result<()> {
        let mut root = self.root.clone();
        object.write_object(&mut root)
    }
}

impl Default for JsonDocument {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for JsonDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonDocument")
            .field("root", &self.root)
            .finish()
    }
}
