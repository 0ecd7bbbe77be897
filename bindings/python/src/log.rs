//! PJSUA2's `LogWriter` (subclass it and override `write`) and `LogEntry`.
//!
//! The application installs its writer with `ep_cfg.logConfig.writer = w`
//! before `libInit`. The library keeps the writer object alive for as long
//! as it is installed (until the next `libInit`), so a writer created
//! without a kept reference works — in PJSUA2 it would be collected at once
//! and the next log line would crash the process.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::handlers;

/// PJSUA2's `LogEntry`: one log line.
#[pyclass(name = "LogEntry", module = "ferrosip", get_all, set_all)]
#[derive(Debug, Clone, Default)]
pub(crate) struct PyLogEntry {
    /// 1 (error) to 6 (most verbose).
    pub(crate) level: i32,
    /// The line, decorated as `logConfig.decor` asks.
    pub(crate) msg: String,
    /// The writing thread's id, as a number.
    #[pyo3(name = "threadId")]
    thread_id: u64,
    /// The writing thread's name.
    #[pyo3(name = "threadName")]
    thread_name: String,
}

#[pymethods]
impl PyLogEntry {
    /// An empty entry.
    #[new]
    fn new() -> Self {
        Self::default()
    }

    fn __repr__(&self) -> String {
        format!("<LogEntry level={} msg={:?}>", self.level, self.msg)
    }
}

/// PJSUA2's `LogWriter`: subclass it and override `write(entry)`.
#[pyclass(
    name = "LogWriter",
    module = "ferrosip",
    subclass,
    dict,
    weakref,
    frozen
)]
#[derive(Debug)]
pub(crate) struct PyLogWriter;

#[pymethods]
impl PyLogWriter {
    /// A writer; any arguments are for the subclass's `__init__`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Self
    }

    /// Receives one log line (`LogEntry`). The base class ignores it.
    fn write(&self, entry: PyRef<'_, PyLogEntry>) {
        let _ = entry;
    }
}

/// The Rust side of a Python `LogWriter`: each line is handed to the
/// object's `write`. An exception in `write` is printed with its traceback
/// (not logged, which would call `write` again).
struct Bridge {
    writer: Py<PyAny>,
}

impl ferrosip::log::LogWriter for Bridge {
    fn write(&self, entry: &ferrosip::log::LogEntry) {
        let _ = Python::try_attach(|py| {
            let thread_name = if entry.thread_name.is_empty() {
                // A thread Rust did not name: the application's own, which
                // Python knows by name.
                python_thread_name(py).unwrap_or_default()
            } else {
                entry.thread_name.clone()
            };
            let e = PyLogEntry {
                level: entry.level,
                msg: entry.msg.clone(),
                thread_id: entry.thread_id,
                thread_name,
            };
            if let Err(err) = self.writer.bind(py).call_method1("write", (e,)) {
                handlers::excepthook(py, &err);
            }
        });
    }
}

/// `threading.current_thread().name`.
fn python_thread_name(py: Python<'_>) -> PyResult<String> {
    py.import("threading")?
        .call_method0("current_thread")?
        .getattr("name")?
        .extract()
}

/// The writer `logConfig.writer` names, for `LogConfig.writer` of the Rust
/// config: `None` when the attribute is missing or `None`. Any object with
/// a `write(entry)` method will do, as in PJSUA2's duck-typed bindings.
pub(crate) fn writer_from_config(
    ep_cfg: &Bound<'_, PyAny>,
) -> PyResult<Option<ferrosip::log::LogWriterRef>> {
    let Ok(log_config) = ep_cfg.getattr("logConfig") else {
        return Ok(None);
    };
    let Ok(writer) = log_config.getattr("writer") else {
        return Ok(None);
    };
    if writer.is_none() {
        return Ok(None);
    }
    if !writer.hasattr("write")? {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "logConfig.writer must be a LogWriter (an object with a write(entry) method)",
        ));
    }
    Ok(Some(ferrosip::log::LogWriterRef(Arc::new(Bridge {
        writer: writer.unbind(),
    }))))
}

/// Adds the classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyLogEntry>()?;
    m.add_class::<PyLogWriter>()?;
    Ok(())
}
