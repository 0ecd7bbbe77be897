//! [`ContainerNode`]: a handle on one object or array of a document, with
//! PJSUA2's read and write operations.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use super::PersistentObject;
use super::parse::MAX_DEPTH;
use super::tree::{Element, Tree, Value};
use crate::error::{Error, Result, status};

/// One object or array of a [`JsonDocument`](super::JsonDocument), to read
/// from or write into (PJSUA2's `ContainerNode`).
///
/// A node is a handle: it shares the document, so it is cheap to clone,
/// `Send` and `Sync`, and stays valid as long as it is held. Each node has
/// a read cursor, shared with its clones, that remembers which children
/// have been read.
///
/// # Reading
///
/// - In an **object**, `read_*(name)` reads the member with that key,
///   wherever it is (PJSUA2 instead takes the next member and fails if its
///   name differs). With several members of the same key, each read takes
///   the first one not read yet, then the first again. An empty `name`
///   reads the next member not read yet, whatever its key.
/// - In an **array**, reads are sequential and names are not checked, as in
///   PJSUA2: each read takes the next element.
/// - [`has_unread`](Self::has_unread) and [`unread_name`](Self::unread_name)
///   look at the children not read yet.
/// - A value of the wrong type, a missing key, or a read past the end of an
///   array is an [`Error`] with status `PJLIB_UTIL_EINJSON` (320030) whose
///   reason names the value's path in the document, e.g.
///   `EpConfig.UaConfig.maxCalls: expected a number, got a string (line 4
///   column 26)`.
///
/// # Writing
///
/// `write_*(name, value)` appends a child. In an array the name is kept but
/// not shown (as in PJSUA2, an array whose first item has a name is laid
/// out one item per line); in an object an empty name is written as `""`.
/// Arrays and objects nest at most 512 deep, as deep as the reader reads.
#[derive(Clone)]
pub struct ContainerNode {
    tree: Arc<Mutex<Tree>>,
    index: usize,
    cursor: Arc<Mutex<Cursor>>,
}

/// Which children of a node have been read.
#[derive(Debug, Default)]
struct Cursor {
    /// `read[i]`: child `i` has been read (missing entries: not read).
    read: Vec<bool>,
    /// Every child before this one has been read.
    first_unread: usize,
}

impl Cursor {
    fn is_read(&self, slot: usize) -> bool {
        self.read.get(slot).copied().unwrap_or(false)
    }

    fn mark(&mut self, slot: usize) {
        if self.read.len() <= slot {
            self.read.resize(slot + 1, false);
        }
        self.read[slot] = true;
        while self.is_read(self.first_unread) {
            self.first_unread += 1;
        }
    }
}

/// Locks a mutex, also after a panic elsewhere poisoned it: the data is
/// only ever left consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A JSON error (status `PJLIB_UTIL_EINJSON`).
#[track_caller]
pub(crate) fn json_error(op: &str, reason: impl Into<String>) -> Error {
    Error::new(status::PJLIB_UTIL_EINJSON, op, reason)
}

impl ContainerNode {
    /// A node for the container at `index` of `tree`, with a fresh cursor.
    pub(crate) fn new(tree: Arc<Mutex<Tree>>, index: usize) -> Self {
        Self {
            tree,
            index,
            cursor: Arc::new(Mutex::new(Cursor::default())),
        }
    }

    /// The shared document tree.
    pub(crate) fn tree(&self) -> &Arc<Mutex<Tree>> {
        &self.tree
    }

    /// True when some child has not been read yet.
    pub fn has_unread(&self) -> bool {
        let tree = lock(&self.tree);
        let count = tree.children(self.index).len();
        let cursor = lock(&self.cursor);
        (cursor.first_unread..count).any(|slot| !cursor.is_read(slot))
    }

    /// The name of the next child not read yet (empty in an array).
    pub fn unread_name(&self) -> Result<String> {
        let tree = lock(&self.tree);
        let children = tree.children(self.index);
        let cursor = lock(&self.cursor);
        (cursor.first_unread..children.len())
            .find(|&slot| !cursor.is_read(slot))
            .map(|slot| tree.get(children[slot]).name.clone())
            .ok_or_else(|| {
                json_error(
                    "unreadName()",
                    format!("{}: no unread element", self.display_path(&tree)),
                )
            })
    }

    /// True when this node is an array (reads are sequential).
    pub fn is_array(&self) -> bool {
        lock(&self.tree).is_array(self.index)
    }

    /// True when a read of `name` would find something: in an object, a
    /// member with that key (read or not); in an array, an unread element.
    pub fn contains(&self, name: &str) -> bool {
        if self.is_array() || name.is_empty() {
            return self.has_unread();
        }
        let tree = lock(&self.tree);
        tree.children(self.index)
            .iter()
            .any(|&c| tree.get(c).name == name)
    }

    /// This node's path in the document (`EpConfig.UaConfig`; empty for
    /// the root).
    pub fn path(&self) -> String {
        lock(&self.tree).path(self.index)
    }

    fn display_path(&self, tree: &Tree) -> String {
        let path = tree.path(self.index);
        if path.is_empty() {
            "the document root".to_owned()
        } else {
            path
        }
    }

    /// Marks and returns the child a read of `name` takes, if any.
    fn take(&self, tree: &Tree, name: &str) -> Option<usize> {
        let children = tree.children(self.index);
        let mut cursor = lock(&self.cursor);
        let slot = if tree.is_array(self.index) || name.is_empty() {
            (cursor.first_unread..children.len()).find(|&s| !cursor.is_read(s))?
        } else {
            let mut same_key = (0..children.len()).filter(|&s| tree.get(children[s]).name == name);
            let first = same_key.next()?;
            std::iter::once(first)
                .chain(same_key)
                .find(|&s| !cursor.is_read(s))
                .unwrap_or(first)
        };
        cursor.mark(slot);
        Some(children[slot])
    }

    /// Reads the child for `name` with `convert`; `Ok(None)` when there is
    /// none.
    pub(crate) fn read_optional<T>(
        &self,
        name: &str,
        op: &str,
        convert: impl FnOnce(&Tree, usize, &str) -> Result<T>,
    ) -> Result<Option<T>> {
        let tree = lock(&self.tree);
        match self.take(&tree, name) {
            Some(child) => convert(&tree, child, op).map(Some),
            None => Ok(None),
        }
    }

    /// Reads the child for `name` with `convert`; none is an error.
    pub(crate) fn read_required<T>(
        &self,
        name: &str,
        op: &str,
        convert: impl FnOnce(&Tree, usize, &str) -> Result<T>,
    ) -> Result<T> {
        let tree = lock(&self.tree);
        match self.take(&tree, name) {
            Some(child) => convert(&tree, child, op),
            None => Err(self.missing(&tree, name, op)),
        }
    }

    fn missing(&self, tree: &Tree, name: &str, op: &str) -> Error {
        if tree.is_array(self.index) || name.is_empty() {
            json_error(
                op,
                format!(
                    "{}: no unread element{}",
                    self.display_path(tree),
                    tree.at(self.index)
                ),
            )
        } else {
            json_error(
                op,
                format!(
                    "{}: not found (no such key in the object{})",
                    tree.key_path(self.index, name),
                    tree.get(self.index)
                        .pos
                        .map(|p| format!(" at {p}"))
                        .unwrap_or_default()
                ),
            )
        }
    }

    /// Reads a number (PJSUA2's `readNumber`, which gives a `float`).
    pub fn read_number(&self, name: &str) -> Result<f64> {
        self.read_required(name, "readNumber()", number_at)
    }

    /// Reads an integer in `i32` range (PJSUA2's `readInt`; a fraction or a
    /// value out of range is an error here, where PJSUA2 truncates).
    pub fn read_int(&self, name: &str) -> Result<i32> {
        self.read_required(name, "readInt()", |t, c, op| {
            integer_at(t, c, op, i64::from(i32::MIN), i64::from(i32::MAX)).map(|v| v as i32)
        })
    }

    /// Reads a bool (PJSUA2's `readBool`).
    pub fn read_bool(&self, name: &str) -> Result<bool> {
        self.read_required(name, "readBool()", bool_at)
    }

    /// Reads a string (PJSUA2's `readString`).
    pub fn read_string(&self, name: &str) -> Result<String> {
        self.read_required(name, "readString()", string_at)
    }

    /// Reads an array of strings (PJSUA2's `readStringVector`).
    pub fn read_string_vector(&self, name: &str) -> Result<Vec<String>> {
        self.read_required(name, "readStringVector()", string_vector_at)
    }

    /// Reads an object member as a node to read from (PJSUA2's
    /// `readContainer`).
    pub fn read_container(&self, name: &str) -> Result<Self> {
        let index = self.read_required(name, "readContainer()", |t, c, op| {
            container_at(t, c, op, false)
        })?;
        Ok(Self::new(Arc::clone(&self.tree), index))
    }

    /// Reads an array member as a node to read from (PJSUA2's `readArray`).
    pub fn read_array(&self, name: &str) -> Result<Self> {
        let index =
            self.read_required(name, "readArray()", |t, c, op| container_at(t, c, op, true))?;
        Ok(Self::new(Arc::clone(&self.tree), index))
    }

    /// Reads `object` from this node (PJSUA2's `readObject`): the object
    /// reads its own container out of this one.
    pub fn read_object(&self, object: &mut dyn PersistentObject) -> Result<()> {
        object.read_object(self)
    }

    /// Appends a child; the error only arises if the node is stale.
    fn append(&self, name: &str, value: Value, op: &str) -> Result<usize> {
        let mut tree = lock(&self.tree);
        if value.children().is_some() && tree.depth(self.index) + 1 >= MAX_DEPTH {
            return Err(Error::new(
                status::PJ_ETOOMANY,
                op,
                format!(
                    "{}: arrays and objects cannot nest deeper than {MAX_DEPTH}",
                    tree.key_path(self.index, name)
                ),
            ));
        }
        let element = Element {
            name: name.to_owned(),
            value,
            parent: None,
            pos: None,
        };
        tree.push_child(self.index, element)
            .ok_or_else(|| json_error(op, "the node is not a container"))
    }

    /// Writes a number (PJSUA2's `writeNumber`; not through `float` here).
    /// NaN and infinities are errors with status `PJ_EINVAL`.
    pub fn write_number(&mut self, name: &str, value: f64) -> Result<()> {
        if !value.is_finite() {
            return Err(Error::new(
                status::PJ_EINVAL,
                "writeNumber()",
                format!("{name}: {value} cannot be written in JSON"),
            ));
        }
        self.append(name, Value::Number(value), "writeNumber()")
            .map(drop)
    }

    /// Writes an integer (PJSUA2's `writeInt`).
    pub fn write_int(&mut self, name: &str, value: i32) -> Result<()> {
        self.append(name, Value::Number(f64::from(value)), "writeInt()")
            .map(drop)
    }

    /// Writes an unsigned integer (PJSUA2 writes its `unsigned` fields
    /// through `writeNumber`).
    pub(crate) fn write_uint(&mut self, name: &str, value: u32) -> Result<()> {
        self.append(name, Value::Number(f64::from(value)), "writeNumber()")
            .map(drop)
    }

    /// Writes a bool (PJSUA2's `writeBool`).
    pub fn write_bool(&mut self, name: &str, value: bool) -> Result<()> {
        self.append(name, Value::Bool(value), "writeBool()")
            .map(drop)
    }

    /// Writes a string (PJSUA2's `writeString`).
    pub fn write_string(&mut self, name: &str, value: &str) -> Result<()> {
        self.append(name, Value::String(value.to_owned()), "writeString()")
            .map(drop)
    }

    /// Writes an array of strings (PJSUA2's `writeStringVector`).
    pub fn write_string_vector(&mut self, name: &str, values: &[String]) -> Result<()> {
        let mut array = self.write_new_array(name)?;
        for value in values {
            array.write_string("", value)?;
        }
        Ok(())
    }

    /// Writes `object` into this node (PJSUA2's `writeObject`): the object
    /// writes its own container.
    pub fn write_object(&mut self, object: &dyn PersistentObject) -> Result<()> {
        object.write_object(self)
    }

    /// Appends an empty object and returns it to write into (PJSUA2's
    /// `writeNewContainer`).
    pub fn write_new_container(&mut self, name: &str) -> Result<Self> {
        let index = self.append(name, Value::Object(Vec::new()), "writeNewContainer()")?;
        Ok(Self::new(Arc::clone(&self.tree), index))
    }

    /// Appends an empty array and returns it to write into (PJSUA2's
    /// `writeNewArray`).
    pub fn write_new_array(&mut self, name: &str) -> Result<Self> {
        let index = self.append(name, Value::Array(Vec::new()), "writeNewArray()")?;
        Ok(Self::new(Arc::clone(&self.tree), index))
    }
}

impl fmt::Debug for ContainerNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tree = lock(&self.tree);
        f.debug_struct("ContainerNode")
            .field("path", &tree.path(self.index))
            .field("kind", &tree.get(self.index).value.kind())
            .field("children", &tree.children(self.index).len())
            .finish()
    }
}

/// "expected X, got Y (line L column C)" for the child at `index`.
pub(crate) fn type_error(tree: &Tree, index: usize, op: &str, expected: &str) -> Error {
    json_error(
        op,
        format!(
            "{}: expected {expected}, got {}{}",
            tree.path(index),
            tree.get(index).value.kind(),
            tree.at(index)
        ),
    )
}

/// A problem with the value at `index`, named by its path and position.
pub(crate) fn value_error(tree: &Tree, index: usize, op: &str, problem: &str) -> Error {
    json_error(
        op,
        format!("{}: {problem}{}", tree.path(index), tree.at(index)),
    )
}

pub(crate) fn number_at(tree: &Tree, index: usize, op: &str) -> Result<f64> {
    match tree.get(index).value {
        Value::Number(n) => Ok(n),
        _ => Err(type_error(tree, index, op, "a number")),
    }
}

/// An integer within `min..=max`.
pub(crate) fn integer_at(tree: &Tree, index: usize, op: &str, min: i64, max: i64) -> Result<i64> {
    let n = number_at(tree, index, op)?;
    if n.fract() != 0.0 {
        return Err(value_error(
            tree,
            index,
            op,
            &format!("expected an integer, got {n}"),
        ));
    }
    if n < min as f64 || n > max as f64 {
        return Err(value_error(
            tree,
            index,
            op,
            &format!("{n} is out of range ({min} to {max})"),
        ));
    }
    // Integral and within i64 range, checked above.
    Ok(n as i64)
}

pub(crate) fn bool_at(tree: &Tree, index: usize, op: &str) -> Result<bool> {
    match tree.get(index).value {
        Value::Bool(b) => Ok(b),
        _ => Err(type_error(tree, index, op, "a bool")),
    }
}

pub(crate) fn string_at(tree: &Tree, index: usize, op: &str) -> Result<String> {
    match &tree.get(index).value {
        Value::String(s) => Ok(s.clone()),
        _ => Err(type_error(tree, index, op, "a string")),
    }
}

pub(crate) fn string_vector_at(tree: &Tree, index: usize, op: &str) -> Result<Vec<String>> {
    let Value::Array(children) = &tree.get(index).value else {
        return Err(type_error(tree, index, op, "an array of strings"));
    };
    children.iter().map(|&c| string_at(tree, c, op)).collect()
}

/// The index of an object (or, with `array`, an array) at `index`.
pub(crate) fn container_at(tree: &Tree, index: usize, op: &str, array: bool) -> Result<usize> {
    match (&tree.get(index).value, array) {
        (Value::Object(_), false) | (Value::Array(_), true) => Ok(index),
        (_, false) => Err(type_error(tree, index, op, "an object")),
        (_, true) => Err(type_error(tree, index, op, "an array")),
    }
}
