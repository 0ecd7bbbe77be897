//! Calling the application's Python callbacks from ferrosip's threads.
//!
//! ferrosip runs a callback on a worker thread, or inside
//! `libHandleEvents` (or `libDestroy`) on the application's own thread.
//! Either way the binding attaches to the interpreter for the call only:
//! every binding method that may wait on ferrosip releases the GIL first
//! (`py.detach`), so a worker waiting for the GIL never waits behind a thread
//! that waits for ferrosip.
//!
//! A Python exception raised by a callback is reported, never swallowed and
//! never fatal: its traceback goes through `sys.excepthook` (printed on
//! stderr by default) and a level-1 line goes to ferrosip's log. A
//! `KeyboardInterrupt` (or `SystemExit`) raised by a callback that runs
//! inside `libHandleEvents`/`libDestroy` is kept and raised again by that
//! call when it returns, so that Ctrl-C still stops a polling loop.

use std::cell::{Cell, RefCell};

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyWeakrefReference;

thread_local! {
    /// Whether this thread is inside a binding call that delivers callbacks
    /// on it (`libHandleEvents`, `libDestroy`).
    static DELIVERING: Cell<bool> = const { Cell::new(false) };
    /// A `KeyboardInterrupt`/`SystemExit` raised by a callback on this
    /// thread, to raise again when the delivering call returns.
    static PENDING: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// Runs `f` (which delivers callbacks on this thread) with the GIL released,
/// then raises any `KeyboardInterrupt`/`SystemExit` a callback raised.
pub(crate) fn deliver_here<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    let outer = DELIVERING.with(|d| d.replace(true));
    let result = py.detach(f);
    DELIVERING.with(|d| d.set(outer));
    match PENDING.with(|p| p.borrow_mut().take()) {
        Some(err) if !outer => Err(err),
        Some(err) => {
            // An enclosing delivering call raises it.
            PENDING.with(|p| *p.borrow_mut() = Some(err));
            Ok(result)
        }
        None => Ok(result),
    }
}

/// Calls `obj.<method>(arg)` with `arg` from `make_arg`, attached to the
/// interpreter; reports an exception (see [`report`]). Does nothing once
/// the interpreter is shutting down.
pub(crate) fn invoke<F>(obj: &Py<PyAny>, method: &str, make_arg: F)
where
    F: for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>>,
{
    let _ = Python::try_attach(|py| {
        let outcome = make_arg(py).and_then(|arg| obj.bind(py).call_method1(method, (arg,)));
        if let Err(err) = outcome {
            report(py, err, method);
        }
    });
}

/// Calls `method()` on the object `target` refers to, attached to the
/// interpreter, if the object is still alive; reports an exception (see
/// [`report`]). Does nothing once the interpreter is shutting down.
pub(crate) fn invoke_weak(target: &Py<PyWeakrefReference>, method: &str) {
    let _ = Python::try_attach(|py| {
        let Some(obj) = target.bind(py).upgrade() else {
            return;
        };
        if let Err(err) = obj.call_method0(method) {
            report(py, err, method);
        }
    });
}

/// Reports an exception raised by the callback `what`: `sys.excepthook`
/// with its traceback, and a level-1 log line. A `KeyboardInterrupt` or
/// `SystemExit` on a thread inside a delivering call is kept for that call
/// to raise instead.
pub(crate) fn report(py: Python<'_>, err: PyErr, what: &str) {
    if !err.is_instance_of::<PyException>(py) && DELIVERING.with(Cell::get) {
        PENDING.with(|p| {
            let mut pending = p.borrow_mut();
            if pending.is_none() {
                *pending = Some(err);
            }
        });
        return;
    }
    excepthook(py, &err);
    let message = format!("Python exception in {what}: {err}");
    py.detach(|| ferrosip::log::write(1, "ferrosip.py", &message));
}

/// Hands `err` to `sys.excepthook` (as the interpreter does for an uncaught
/// exception); falls back to printing it.
pub(crate) fn excepthook(py: Python<'_>, err: &PyErr) {
    let hooked = py.import("sys").and_then(|sys| {
        sys.getattr("excepthook")?
            .call1((err.get_type(py), err.value(py), err.traceback(py)))
    });
    if hooked.is_err() {
        err.display(py);
    }
}
