//! The call data the application reads most — `CallInfo` (every callback
//! calls `getInfo()`) and `OnCallStateParam` — built as their Python
//! objects directly, field by field, instead of through JSON; and
//! `Deferred`, a field converted only when Python reads it (the `SipEvent`
//! tree of a state change, a `CallInfo`'s `setting`), as SWIG converts
//! PJSUA2's fields on access.
//!
//! The classes are `_call`'s plain data classes (`_Data`): every field has
//! a slot, so every field is set here; a lazy field's slot is
//! `_lazy_<name>` (see `_call._slotted`).

use ferrosip::call::{CallInfo, CallMediaInfo, OnCallStateParam, SipEvent, TimeVal};
use ferrosip::config::CallSetting;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use pyo3::{IntoPyObjectExt, intern};

/// A field's value kept in Rust until Python reads the field: then its
/// JSON (the contract of `_call._from_json`) becomes the field's object.
#[pyclass(frozen, module = "ferrosip._ferrosip")]
pub(crate) struct Deferred {
    make: Box<dyn Fn() -> String + Send + Sync>,
}

#[pymethods]
impl Deferred {
    /// The field's value as JSON.
    fn json(&self) -> String {
        (self.make)()
    }
}

impl Deferred {
    fn new(make: impl Fn() -> String + Send + Sync + 'static) -> Self {
        Self {
            make: Box::new(make),
        }
    }

    /// A `SipEvent`, as `_call.SipEvent` reads it.
    pub(crate) fn event(event: &SipEvent) -> Self {
        let event = event.clone();
        Self::new(move || crate::call::event_json(&event).to_string())
    }

    /// A `CallSetting`, as the config class reads it.
    fn setting(setting: &CallSetting) -> Self {
        let setting = setting.clone();
        Self::new(move || serde_json::to_string(&setting).unwrap_or_else(|_| "{}".to_owned()))
    }
}

/// `_call`'s classes by name (its `_CLASSES`), looked up once.
fn classes(py: Python<'_>) -> PyResult<&Bound<'_, PyDict>> {
    static CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
    CLASSES
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("ferrosip._call")?
                    .getattr("_CLASSES")?
                    .cast_into::<PyDict>()?
                    .unbind(),
            )
        })
        .map(|d| d.bind(py))
}

/// A new object of `_call`'s class `class`, its fields not set yet.
fn blank<'py>(py: Python<'py>, class: &str) -> PyResult<Bound<'py, PyAny>> {
    let cls = classes(py)?
        .get_item(class)?
        .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(class.to_owned()))?;
    cls.call_method1(intern!(py, "__new__"), (&cls,))
}

fn time_val<'py>(py: Python<'py>, t: TimeVal) -> PyResult<Bound<'py, PyAny>> {
    let obj = blank(py, "TimeVal")?;
    obj.setattr(intern!(py, "sec"), t.sec)?;
    obj.setattr(intern!(py, "msec"), t.msec)?;
    Ok(obj)
}

fn media_vector<'py>(py: Python<'py>, media: &[CallMediaInfo]) -> PyResult<Bound<'py, PyAny>> {
    let mut items = Vec::with_capacity(media.len());
    for m in media {
        let obj = blank(py, "CallMediaInfo")?;
        obj.setattr(intern!(py, "index"), m.index)?;
        obj.setattr(intern!(py, "type"), m.type_)?;
        obj.setattr(intern!(py, "dir"), i32::from(m.dir))?;
        obj.setattr(intern!(py, "status"), i32::from(m.status))?;
        obj.setattr(intern!(py, "audioConfSlot"), m.audio_conf_slot)?;
        obj.setattr(
            intern!(py, "videoIncomingWindowId"),
            m.video_incoming_window_id,
        )?;
        obj.setattr(intern!(py, "videoCapDev"), m.video_cap_dev)?;
        items.push(obj);
    }
    static VECTOR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let vector = VECTOR.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("ferrosip._call")?
                .getattr("CallMediaInfoVector")?
                .unbind(),
        )
    })?;
    vector.bind(py).call1((items,))
}

/// `CallInfo`, what `Call.getInfo()` returns.
pub(crate) fn call_info<'py>(py: Python<'py>, i: &CallInfo) -> PyResult<Bound<'py, PyAny>> {
    let obj = blank(py, "CallInfo")?;
    let set = |name: &Bound<'py, pyo3::types::PyString>, value: Bound<'py, PyAny>| {
        obj.setattr(name, value)
    };
    set(intern!(py, "id"), i.id.into_bound_py_any(py)?)?;
    set(
        intern!(py, "role"),
        i32::from(i.role).into_bound_py_any(py)?,
    )?;
    set(intern!(py, "accId"), i.acc_id.into_bound_py_any(py)?)?;
    set(
        intern!(py, "localUri"),
        i.local_uri.as_str().into_bound_py_any(py)?,
    )?;
    set(
        intern!(py, "localContact"),
        i.local_contact.as_str().into_bound_py_any(py)?,
    )?;
    set(
        intern!(py, "remoteUri"),
        i.remote_uri.as_str().into_bound_py_any(py)?,
    )?;
    set(
        intern!(py, "remoteContact"),
        i.remote_contact.as_str().into_bound_py_any(py)?,
    )?;
    set(
        intern!(py, "callIdString"),
        i.call_id_string.as_str().into_bound_py_any(py)?,
    )?;
    set(
        intern!(py, "_lazy_setting"),
        Deferred::setting(&i.setting).into_bound_py_any(py)?,
    )?;
    set(
        intern!(py, "state"),
        i32::from(i.state).into_bound_py_any(py)?,
    )?;
    set(
        intern!(py, "stateText"),
        i.state_text.as_str().into_bound_py_any(py)?,
    )?;
    set(
        intern!(py, "lastStatusCode"),
        i.last_status_code.into_bound_py_any(py)?,
    )?;
    set(
        intern!(py, "lastReason"),
        i.last_reason.as_str().into_bound_py_any(py)?,
    )?;
    set(intern!(py, "media"), media_vector(py, &i.media)?)?;
    set(intern!(py, "provMedia"), media_vector(py, &i.prov_media)?)?;
    set(
        intern!(py, "connectDuration"),
        time_val(py, i.connect_duration)?,
    )?;
    set(
        intern!(py, "totalDuration"),
        time_val(py, i.total_duration)?,
    )?;
    set(
        intern!(py, "remOfferer"),
        i.rem_offerer.into_bound_py_any(py)?,
    )?;
    set(
        intern!(py, "remAudioCount"),
        i.rem_audio_count.into_bound_py_any(py)?,
    )?;
    set(
        intern!(py, "remVideoCount"),
        i.rem_video_count.into_bound_py_any(py)?,
    )?;
    Ok(obj)
}

/// `OnCallStateParam`, its `e` converted when read.
pub(crate) fn on_call_state_param<'py>(
    py: Python<'py>,
    prm: &OnCallStateParam,
) -> PyResult<Bound<'py, PyAny>> {
    let obj = blank(py, "OnCallStateParam")?;
    obj.setattr(intern!(py, "_lazy_e"), Deferred::event(&prm.e))?;
    obj.setattr(intern!(py, "state"), i32::from(prm.state))?;
    obj.setattr(intern!(py, "code"), prm.code)?;
    obj.setattr(intern!(py, "reason"), prm.reason.as_str())?;
    Ok(obj)
}

/// `OnCallTsxStateParam`, its `e` converted when read.
pub(crate) fn on_call_tsx_state_param<'py>(
    py: Python<'py>,
    e: &SipEvent,
) -> PyResult<Bound<'py, PyAny>> {
    let obj = blank(py, "OnCallTsxStateParam")?;
    obj.setattr(intern!(py, "_lazy_e"), Deferred::event(e))?;
    Ok(obj)
}

/// Adds `Deferred` to the module (`_call` checks fields against it).
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Deferred>()
}
