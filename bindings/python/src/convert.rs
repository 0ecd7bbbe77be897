//! Configs cross the boundary as JSON text in serde's shape of the Rust
//! config structs (PJSUA2's camelCase field names, enums as numbers).
//!
//! The contract with the Python side (`python/ferrosip/_config.py`):
//! - every config object (`EpConfig`, `AccountConfig`, `AuthCredInfo`, …) has
//!   a method `_to_json()` returning that text;
//! - `ferrosip._config.from_json(class_name, text)` builds the Python object
//!   of class `class_name` from it.

use pyo3::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::to_py;

/// The Rust config behind a Python config object. `what` names the
/// operation for the error (`"Endpoint::libInit()"`).
pub(crate) fn config_from_py<T: DeserializeOwned>(
    obj: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<T> {
    let json: String = obj.call_method0("_to_json")?.extract()?;
    serde_json::from_str(&json).map_err(|e| {
        to_py(ferrosip::Error::new(
            ferrosip::error::status::PJ_EINVAL,
            what,
            format!("invalid configuration: {e}"),
        ))
    })
}

/// A new Python object of class `class_name` holding `value`.
pub(crate) fn config_to_py<T: Serialize>(
    py: Python<'_>,
    class_name: &str,
    value: &T,
) -> PyResult<Py<PyAny>> {
    let json = serde_json::to_string(value).map_err(|e| {
        to_py(ferrosip::Error::new(
            ferrosip::error::status::PJ_EINVAL,
            class_name,
            format!("cannot convert: {e}"),
        ))
    })?;
    let built = py
        .import("ferrosip._config")?
        .getattr("from_json")?
        .call1((class_name, json))?;
    Ok(built.unbind())
}
