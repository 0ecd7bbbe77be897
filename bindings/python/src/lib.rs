//! The Python extension module `ferrosip._ferrosip`: ferrosip's Rust API
//! wrapped with PJSUA2's Python names. The package `ferrosip`
//! (`python/ferrosip/`) re-exports it together with the parts written in
//! Python (the `Error` exception, the vector types and the config classes),
//! so that `import ferrosip as pj` replaces `import pjsua2 as pj`.

mod account;
mod call;
mod call_data;
mod config;
mod convert;
mod endpoint;
mod error;
mod handlers;
mod json;
mod log;
mod media;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _ferrosip(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    error::register(m)?;
    config::register(m)?;
    json::register(m)?;
    endpoint::register(m)?;
    account::register(m)?;
    call::register_classes(m)?;
    call_data::register(m)?;
    log::register(m)?;
    media::register(m)?;
    Ok(())
}
