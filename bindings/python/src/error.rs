//! `ferrosip::Error` raised as Python's `pj.Error` (defined in
//! `ferrosip/__init__.py` with PJSUA2's fields `status`, `title`, `reason`,
//! `srcFile`, `srcLine` and method `info(multiLine)`).

use pyo3::prelude::*;
use pyo3::types::PyModule;

/// Turns a ferrosip error into the Python exception `ferrosip.Error`.
pub(crate) fn to_py(e: ferrosip::Error) -> PyErr {
    Python::attach(|py| {
        let raised = py
            .import("ferrosip")
            .and_then(|m| m.getattr("Error"))
            .and_then(|class| {
                class.call1((
                    e.status,
                    e.title.clone(),
                    e.reason.clone(),
                    e.src_file,
                    e.src_line,
                ))
            });
        match raised {
            Ok(exception) => PyErr::from_value(exception),
            // The package is broken; still say what failed.
            Err(import_error) => import_error,
        }
    })
}

/// Extension trait: `result.py()?` in binding code.
pub(crate) trait IntoPy<T> {
    /// The result with a ferrosip error turned into `ferrosip.Error`.
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for ferrosip::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// `_ferrosip.strError(status)`: the text of a status number.
#[pyfunction]
#[pyo3(name = "strError")]
fn str_error(status: i32) -> String {
    ferrosip::error::describe(status)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(str_error, m)?)?;
    Ok(())
}
