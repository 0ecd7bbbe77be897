//! PJSUA2's JSON persistence for Python: `JsonDocument` (on its abstract
//! base `PersistentDocument`) and `ContainerNode`, wrapping
//! [`ferrosip::json`].
//!
//! `readObject(obj)` and `writeObject(obj)` call the object's own
//! `readObject(node)` / `writeObject(node)`: the config classes'
//! (`python/ferrosip/_config.py`) run the Rust [`PersistentObject`]
//! impls through [`_persist_read`] and [`_persist_write`], and any other
//! object with those two methods is persisted by its own code, as pygui's
//! classes are.
//!
//! [`PersistentObject`]: ferrosip::json::PersistentObject

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use ferrosip::json::{ContainerNode, JsonDocument};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::config;
use crate::error::IntoPy;

/// One object or array of a JSON document, to read values from or write
/// values into (PJSUA2's `ContainerNode`).
///
/// Reads in an object find their key wherever it is (PJSUA2 only reads the
/// next element and fails on another name); reads in an array take the
/// next element. A failed read raises `pj.Error` with status 320030
/// (`PJLIB_UTIL_EINJSON`) naming the key's path in the document.
#[pyclass(name = "ContainerNode", module = "ferrosip", frozen)]
#[derive(Debug)]
pub(crate) struct PyContainerNode {
    node: ContainerNode,
}

impl PyContainerNode {
    fn node(&self) -> ContainerNode {
        self.node.clone()
    }
}

/// A document of persistent objects (PJSUA2's abstract
/// `PersistentDocument`; `JsonDocument` is the one to create). The
/// read/write methods act on the root container.
#[pyclass(module = "ferrosip", subclass, frozen)]
#[derive(Debug)]
pub(crate) struct PersistentDocument {
    doc: Mutex<JsonDocument>,
}

impl PersistentDocument {
    /// The document, also after a panic elsewhere poisoned the lock.
    fn doc(&self) -> MutexGuard<'_, JsonDocument> {
        self.doc.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn node(&self) -> ContainerNode {
        self.doc().root_container()
    }
}

/// A JSON document in PJSUA2 2.15.1's format (PJSUA2's `JsonDocument`):
/// files saved by PJSUA2 load here, and files saved here load in PJSUA2.
///
/// ```python
/// doc = pj.JsonDocument()
/// doc.writeObject(ep_cfg)
/// doc.saveFile("settings.json")
/// doc = pj.JsonDocument()
/// doc.loadFile("settings.json")
/// doc.readObject(ep_cfg)
/// ```
#[pyclass(name = "JsonDocument", extends = PersistentDocument, module = "ferrosip", subclass, frozen)]
#[derive(Debug)]
pub(crate) struct PyJsonDocument;

#[pymethods]
impl PyJsonDocument {
    /// An empty document (it saves as `{ }`).
    #[new]
    fn new() -> PyClassInitializer<Self> {
        PyClassInitializer::from(PersistentDocument {
            doc: Mutex::new(JsonDocument::new()),
        })
        .add_subclass(Self)
    }
}

/// The `ContainerNode` API, for `ContainerNode` and for
/// `PersistentDocument` (where it acts on the root), in one `#[pymethods]`
/// block with the class's own methods.
macro_rules! node_methods {
    ($type:ty { $($own:tt)* }) => {
        #[pymethods]
        impl $type {
            $($own)*

            /// Whether some element has not been read yet.
            #[pyo3(name = "hasUnread")]
            fn has_unread(&self) -> bool {
                self.node().has_unread()
            }

            /// The name of the next element not read yet.
            #[pyo3(name = "unreadName")]
            fn unread_name(&self) -> PyResult<String> {
                self.node().unread_name().py()
            }

            /// Reads an integer (`name`: its key; empty: the next element).
            #[pyo3(name = "readInt", signature = (name = ""))]
            fn read_int(&self, name: &str) -> PyResult<i32> {
                self.node().read_int(name).py()
            }

            /// Reads a number.
            #[pyo3(name = "readNumber", signature = (name = ""))]
            fn read_number(&self, name: &str) -> PyResult<f64> {
                self.node().read_number(name).py()
            }

            /// Reads a bool.
            #[pyo3(name = "readBool", signature = (name = ""))]
            fn read_bool(&self, name: &str) -> PyResult<bool> {
                self.node().read_bool(name).py()
            }

            /// Reads a string.
            #[pyo3(name = "readString", signature = (name = ""))]
            fn read_string(&self, name: &str) -> PyResult<String> {
                self.node().read_string(name).py()
            }

            /// Reads an array of strings as a `StringVector`.
            #[pyo3(name = "readStringVector", signature = (name = ""))]
            fn read_string_vector<'py>(
                &self,
                py: Python<'py>,
                name: &str,
            ) -> PyResult<Bound<'py, PyAny>> {
                let values = self.node().read_string_vector(name).py()?;
                py.import("ferrosip._vectors")?
                    .getattr("StringVector")?
                    .call1((values,))
            }

            /// Reads an object member as a container to read from.
            #[pyo3(name = "readContainer", signature = (name = ""))]
            fn read_container(&self, name: &str) -> PyResult<PyContainerNode> {
                let node = self.node().read_container(name).py()?;
                Ok(PyContainerNode { node })
            }

            /// Reads an array member as a container to read from.
            #[pyo3(name = "readArray", signature = (name = ""))]
            fn read_array(&self, name: &str) -> PyResult<PyContainerNode> {
                let node = self.node().read_array(name).py()?;
                Ok(PyContainerNode { node })
            }

            /// Reads `obj` from this container: calls `obj.readObject(node)`.
            #[pyo3(name = "readObject")]
            fn read_object(&self, obj: &Bound<'_, PyAny>) -> PyResult<()> {
                let node = PyContainerNode { node: self.node() };
                call_persistent(obj, "readObject", node)
            }

            /// Writes a number.
            #[pyo3(name = "writeNumber")]
            fn write_number(&self, name: &str, num: f64) -> PyResult<()> {
                self.node().write_number(name, num).py()
            }

            /// Writes an integer.
            #[pyo3(name = "writeInt")]
            fn write_int(&self, name: &str, num: i32) -> PyResult<()> {
                self.node().write_int(name, num).py()
            }

            /// Writes a bool.
            #[pyo3(name = "writeBool")]
            fn write_bool(&self, name: &str, value: bool) -> PyResult<()> {
                self.node().write_bool(name, value).py()
            }

            /// Writes a string.
            #[pyo3(name = "writeString")]
            fn write_string(&self, name: &str, value: &str) -> PyResult<()> {
                self.node().write_string(name, value).py()
            }

            /// Writes an array of strings (a `StringVector` or any sequence
            /// of `str`).
            #[pyo3(name = "writeStringVector")]
            fn write_string_vector(&self, name: &str, arr: Vec<String>) -> PyResult<()> {
                self.node().write_string_vector(name, &arr).py()
            }

            /// Writes `obj` into this container: calls
            /// `obj.writeObject(node)`.
            #[pyo3(name = "writeObject")]
            fn write_object(&self, obj: &Bound<'_, PyAny>) -> PyResult<()> {
                let node = PyContainerNode { node: self.node() };
                call_persistent(obj, "writeObject", node)
            }

            /// Adds an object named `name` and returns it to write into.
            #[pyo3(name = "writeNewContainer")]
            fn write_new_container(&self, name: &str) -> PyResult<PyContainerNode> {
                let node = self.node().write_new_container(name).py()?;
                Ok(PyContainerNode { node })
            }

            /// Adds an array named `name` and returns it to write into.
            #[pyo3(name = "writeNewArray")]
            fn write_new_array(&self, name: &str) -> PyResult<PyContainerNode> {
                let node = self.node().write_new_array(name).py()?;
                Ok(PyContainerNode { node })
            }
        }
    };
}

node_methods!(PyContainerNode {
    fn __repr__(&self) -> String {
        let path = self.node.path();
        let kind = if self.node.is_array() {
            "array"
        } else {
            "object"
        };
        if path.is_empty() {
            format!("<ContainerNode root {kind}>")
        } else {
            format!("<ContainerNode {path} {kind}>")
        }
    }
});

node_methods!(PersistentDocument {
    /// Replaces the document with the JSON file `filename`.
    #[pyo3(name = "loadFile")]
    fn load_file(&self, py: Python<'_>, filename: PathBuf) -> PyResult<()> {
        py.detach(|| self.doc().load_file(&filename)).py()
    }

    /// Replaces the document with the JSON text `input`.
    #[pyo3(name = "loadString")]
    fn load_string(&self, input: &str) -> PyResult<()> {
        self.doc().load_string(input).py()
    }

    /// Writes the document to the file `filename`.
    #[pyo3(name = "saveFile")]
    fn save_file(&self, py: Python<'_>, filename: PathBuf) -> PyResult<()> {
        py.detach(|| self.doc().save_file(&filename)).py()
    }

    /// The document as JSON text, laid out as PJSUA2 lays it out.
    #[pyo3(name = "saveString")]
    fn save_string(&self) -> PyResult<String> {
        self.doc().save_string().py()
    }

    /// The root container; every call gives the same node, with the same
    /// read position.
    #[pyo3(name = "getRootContainer")]
    fn get_root_container(&self) -> PyContainerNode {
        PyContainerNode { node: self.node() }
    }
});

/// Calls `obj.<method>(node)`: PJSUA2's `PersistentObject` duck-typed.
fn call_persistent(obj: &Bound<'_, PyAny>, method: &str, node: PyContainerNode) -> PyResult<()> {
    let bound = match obj.getattr(method) {
        Ok(bound) if bound.is_callable() => bound,
        _ => {
            return Err(PyTypeError::new_err(format!(
                "{method}() needs a PersistentObject (an object with readObject(node) and \
                 writeObject(node) methods), got {}",
                obj.get_type().name()?
            )));
        }
    };
    bound.call1((node,))?;
    Ok(())
}

/// The node that `node` (a `ContainerNode` or a document, meaning its
/// root) stands for.
fn node_of(node: &Bound<'_, PyAny>) -> PyResult<ContainerNode> {
    if let Ok(node) = node.cast::<PyContainerNode>() {
        return Ok(node.get().node());
    }
    if let Ok(doc) = node.cast::<PersistentDocument>() {
        return Ok(doc.get().node());
    }
    Err(PyTypeError::new_err(format!(
        "expected a ContainerNode or a JsonDocument, got {}",
        node.get_type().name()?
    )))
}

/// `_persist_read(node, obj)`: reads the config `obj` from `node` with the
/// Rust `PersistentObject` impl and updates `obj` in place (the body of the
/// config classes' `readObject`).
#[pyfunction]
fn _persist_read(node: &Bound<'_, PyAny>, obj: &Bound<'_, PyAny>) -> PyResult<()> {
    config::read_config(obj, &node_of(node)?)
}

/// `_persist_write(node, obj)`: writes the config `obj` into `node` with the
/// Rust `PersistentObject` impl (the body of the config classes'
/// `writeObject`).
#[pyfunction]
fn _persist_write(node: &Bound<'_, PyAny>, obj: &Bound<'_, PyAny>) -> PyResult<()> {
    config::write_config(obj, &mut node_of(node)?)
}

/// Adds the classes and functions of this module to the extension module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PersistentDocument>()?;
    m.add_class::<PyJsonDocument>()?;
    m.add_class::<PyContainerNode>()?;
    m.add_function(wrap_pyfunction!(_persist_read, m)?)?;
    m.add_function(wrap_pyfunction!(_persist_write, m)?)?;
    Ok(())
}
