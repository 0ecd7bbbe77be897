//! PJSUA2's `Endpoint` for Python, with its result and callback types
//! (`Version`, `TransportInfo`, `OnTimerParam`, `OnTransportStateParam`).
//!
//! Life and garbage collection: from `libCreate` to `libDestroy` the library
//! keeps the Python endpoint object (so `Endpoint.instance()` returns that
//! very object, subclass and all), the Python object of every live account
//! (see `account.rs`), the user data of every pending timer and the log
//! writer. `libDestroy` lets go of all of them; what the application still
//! holds afterwards is stale and raises `pj.Error`, never crashes. At
//! interpreter exit a live endpoint is destroyed (as PJSUA2's `~Endpoint`
//! does), before the interpreter stops running threads.
//!
//! Threads: every method that may wait releases the GIL; callbacks attach
//! to the interpreter themselves (see `handlers.rs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use ferrosip::config::{EpConfig, TransportConfig};
use ferrosip::endpoint::{EndpointHandler, OnTimerParam, OnTransportStateParam};
use ferrosip::error::status;
use ferrosip::media::CodecParam;
use ferrosip::{Endpoint, TransportType};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::call;
use crate::convert::{config_from_py, config_to_py};
use crate::error::{IntoPy as _, to_py};
use crate::media::{PyAudDevManager, PyAudioMedia};
use crate::{account, handlers, log};

/// Locks a mutex, recovering it if a thread panicked while holding it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The library's life, as the binding tracks it.
struct Live {
    /// The Python object of the created endpoint.
    endpoint: Option<Py<PyEndpoint>>,
    /// Counts `libCreate` and `libDestroy` calls: an account made in one
    /// life is stale in every later one.
    life: u64,
}

static LIVE: Mutex<Live> = Mutex::new(Live {
    endpoint: None,
    life: 0,
});

/// The current life of the library (see [`Live::life`]).
pub(crate) fn current_life() -> u64 {
    lock(&LIVE).life
}

/// A pending timer's Python user data, by the key the Rust timer carries.
#[derive(Default)]
struct Timers {
    next_key: u64,
    /// key -> (token, user data).
    pending: HashMap<u64, (u64, Py<PyAny>)>,
}

/// The Python object that receives the endpoint's callbacks, set from
/// `libCreate` to `libDestroy` (empty otherwise, so that no reference cycle
/// outlives the library).
type Target = Arc<Mutex<Option<Arc<Py<PyAny>>>>>;

/// The endpoint's Rust handler: calls the Python object's `onTimer` and
/// `onTransportState`.
struct Callbacks {
    target: Target,
    timers: Arc<Mutex<Timers>>,
}

impl Callbacks {
    fn target(&self) -> Option<Arc<Py<PyAny>>> {
        lock(&self.target).clone()
    }
}

impl EndpointHandler for Callbacks {
    fn on_timer(&mut self, _ep: &Endpoint, prm: &OnTimerParam) {
        let Some((_, user_data)) = lock(&self.timers).pending.remove(&prm.user_data) else {
            return; // cancelled
        };
        let Some(target) = self.target() else {
            return;
        };
        let msec_delay = prm.msec_delay;
        handlers::invoke(&target, "onTimer", move |py| {
            let prm = PyOnTimerParam {
                user_data,
                msec_delay,
            };
            Ok(Bound::new(py, prm)?.into_any())
        });
    }

    fn on_transport_state(&mut self, _ep: &Endpoint, prm: &OnTransportStateParam) {
        let Some(target) = self.target() else {
            return;
        };
        let prm = PyOnTransportStateParam {
            hnd: prm.hnd,
            type_: prm.type_.clone(),
            state: prm.state,
            last_error: prm.last_error,
        };
        handlers::invoke(&target, "onTransportState", move |py| {
            Ok(Bound::new(py, prm)?.into_any())
        });
    }
}

/// PJSUA2's `Endpoint`: the library, one per process. Subclass it to
/// receive `onTimer` and `onTransportState`.
#[pyclass(
    name = "Endpoint",
    module = "ferrosip",
    subclass,
    dict,
    weakref,
    frozen
)]
pub(crate) struct PyEndpoint {
    ep: Endpoint,
    target: Target,
    timers: Arc<Mutex<Timers>>,
}

impl std::fmt::Debug for PyEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint").field("ep", &self.ep).finish()
    }
}

/// Runs `f` with the GIL released.
fn unlocked<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> T {
    py.detach(f)
}

impl PyEndpoint {
    /// `libDestroy` without the Python method wrapper (also for the exit
    /// hook).
    fn destroy(slf: &Bound<'_, Self>) -> PyResult<()> {
        let py = slf.py();
        let this = slf.get();
        let outcome = handlers::deliver_here(py, || this.ep.lib_destroy());
        // Let go of everything of this life, outside any lock.
        let target = lock(&this.target).take();
        let timers = std::mem::take(&mut lock(&this.timers).pending);
        let endpoint = {
            let mut live = lock(&LIVE);
            if live
                .endpoint
                .as_ref()
                .is_some_and(|e| e.as_ptr() == slf.as_ptr())
            {
                live.life += 1;
                live.endpoint.take()
            } else {
                None
            }
        };
        let (accounts, calls) = if endpoint.is_some() {
            (account::forget_all(), call::forget_all())
        } else {
            (Vec::new(), Vec::new())
        };
        drop((target, timers, endpoint, accounts, calls));
        outcome?.py()
    }
}

#[pymethods]
impl PyEndpoint {
    /// A new endpoint; nothing happens until `libCreate()`. Any arguments
    /// are for a subclass's `__init__`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        let target: Target = Arc::default();
        let timers: Arc<Mutex<Timers>> = Arc::default();
        let ep = Endpoint::with_handler(Callbacks {
            target: target.clone(),
            timers: timers.clone(),
        });
        Self { ep, target, timers }
    }

    /// The created endpoint: the very object `libCreate()` was called on.
    /// Raises `pj.Error` when there is none.
    #[staticmethod]
    fn instance(py: Python<'_>) -> PyResult<Py<Self>> {
        lock(&LIVE)
            .endpoint
            .as_ref()
            .map(|e| e.clone_ref(py))
            .ok_or_else(|| {
                to_py(ferrosip::Error::new(
                    status::PJ_ENOTFOUND,
                    "Endpoint::instance()",
                    "no endpoint has been created (call libCreate() first)",
                ))
            })
    }

    /// Creates the library. Raises `pj.Error` (`PJ_EEXISTS`) when another
    /// endpoint is created.
    #[pyo3(name = "libCreate")]
    fn lib_create(slf: &Bound<'_, Self>) -> PyResult<()> {
        let py = slf.py();
        let this = slf.get();
        unlocked(py, || this.ep.lib_create()).py()?;
        *lock(&this.target) = Some(Arc::new(slf.clone().into_any().unbind()));
        let previous = {
            let mut live = lock(&LIVE);
            live.life += 1;
            live.endpoint.replace(slf.clone().unbind())
        };
        drop(previous);
        Ok(())
    }

    /// Initialises the library with an `EpConfig`; installs
    /// `logConfig.writer`, and starts `uaConfig.threadCnt` worker threads.
    #[pyo3(name = "libInit", signature = (prmEpConfig))]
    #[allow(non_snake_case)]
    fn lib_init(&self, py: Python<'_>, prmEpConfig: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut cfg: EpConfig = config_from_py(prmEpConfig, "Endpoint::libInit()")?;
        cfg.log_config.writer = log::writer_from_config(prmEpConfig)?;
        unlocked(py, || self.ep.lib_init(&cfg)).py()
    }

    /// Hangs up every call (CANCEL, BYE or a final response as each call's
    /// state wants); each ends in `onCallState(DISCONNECTED)`.
    #[pyo3(name = "hangupAllCalls")]
    fn hangup_all_calls(&self, py: Python<'_>) {
        unlocked(py, || self.ep.hangup_all_calls());
    }

    /// Starts the library.
    #[pyo3(name = "libStart")]
    fn lib_start(&self, py: Python<'_>) -> PyResult<()> {
        unlocked(py, || self.ep.lib_start()).py()
    }

    /// Where the library is in its life: `PJSUA_STATE_NULL` (0),
    /// `CREATED` (1), `INIT` (2), `STARTING` (3), `RUNNING` (4),
    /// `CLOSING` (5).
    #[pyo3(name = "libGetState")]
    fn lib_get_state(&self, py: Python<'_>) -> i32 {
        unlocked(py, || self.ep.lib_get_state().as_i32())
    }

    /// The library's version.
    #[pyo3(name = "libVersion")]
    fn lib_version(&self) -> PyVersion {
        let v = self.ep.lib_version();
        PyVersion {
            major: v.major,
            minor: v.minor,
            rev: v.rev,
            suffix: v.suffix,
            full: v.full,
            numeric: v.numeric,
        }
    }

    /// Kept for PJSUA2 compatibility and harmless: any thread may call
    /// ferrosip without registering.
    #[pyo3(name = "libRegisterThread")]
    fn lib_register_thread(&self, name: &str) -> PyResult<()> {
        self.ep.lib_register_thread(name).py()
    }

    /// Always true: every thread may call ferrosip.
    #[pyo3(name = "libIsThreadRegistered")]
    fn lib_is_thread_registered(&self) -> bool {
        self.ep.lib_is_thread_registered()
    }

    /// Waits at most `msec_timeout` ms for events and handles them; the
    /// callbacks run on this thread, inside this call. Returns the number
    /// of events handled.
    #[pyo3(name = "libHandleEvents")]
    fn lib_handle_events(&self, py: Python<'_>, msec_timeout: u32) -> PyResult<u32> {
        handlers::deliver_here(py, || self.ep.lib_handle_events(msec_timeout))?.py()
    }

    /// Shuts the library down: unregisters the accounts (waiting for the
    /// registrars no longer than needed), stops the threads, closes the
    /// transports, and lets go of every Python object the library kept.
    /// `prmFlags` (`PJSUA_DESTROY_NO_*`) is accepted and ignored.
    #[pyo3(name = "libDestroy", signature = (prmFlags = 0))]
    #[allow(non_snake_case)]
    fn lib_destroy(slf: &Bound<'_, Self>, prmFlags: u32) -> PyResult<()> {
        let _ = prmFlags;
        Self::destroy(slf)
    }

    /// The text of a status number.
    #[pyo3(name = "utilStrError", signature = (prmErr))]
    #[allow(non_snake_case)]
    fn util_str_error(&self, prmErr: i32) -> String {
        self.ep.util_str_error(prmErr)
    }

    /// Writes to the log: `utilLogWrite(level, sender, msg)` or
    /// `utilLogWrite(entry)` with a `LogEntry`.
    #[pyo3(name = "utilLogWrite", signature = (*args))]
    fn util_log_write(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<()> {
        let (level, sender, msg): (i32, String, String) = match args.len() {
            1 => {
                let entry = args.get_item(0)?;
                let entry = entry.cast::<log::PyLogEntry>().map_err(PyErr::from)?;
                let entry = entry.borrow();
                (entry.level, String::new(), entry.msg.clone())
            }
            3 => args.extract()?,
            n => {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "utilLogWrite takes (level, sender, msg) or (entry), not {n} arguments"
                )));
            }
        };
        unlocked(py, || self.ep.util_log_write(level, &sender, &msg));
        Ok(())
    }

    /// 0 (`PJ_SUCCESS`) if `prmUri` is a valid SIP URI, else
    /// `PJSIP_EINVALIDURI`.
    #[pyo3(name = "utilVerifySipUri", signature = (prmUri))]
    #[allow(non_snake_case)]
    fn util_verify_sip_uri(&self, prmUri: &str) -> i32 {
        self.ep.util_verify_sip_uri(prmUri)
    }

    /// 0 (`PJ_SUCCESS`) if `prmUri` is a valid URI (`sip:`, `sips:`,
    /// `tel:`), else `PJSIP_EINVALIDURI`.
    #[pyo3(name = "utilVerifyUri", signature = (prmUri))]
    #[allow(non_snake_case)]
    fn util_verify_uri(&self, prmUri: &str) -> i32 {
        self.ep.util_verify_uri(prmUri)
    }

    /// Calls `onTimer` after `prmMsecDelay` ms with `prmUserData` (any
    /// Python object; `onTimer` gets the same object back). Returns the
    /// timer's token, for `utilTimerCancel`.
    #[pyo3(name = "utilTimerSchedule", signature = (prmMsecDelay, prmUserData = None))]
    #[allow(non_snake_case)]
    fn util_timer_schedule(
        &self,
        py: Python<'_>,
        prmMsecDelay: u32,
        prmUserData: Option<Py<PyAny>>,
    ) -> PyResult<u64> {
        let data = prmUserData.unwrap_or_else(|| py.None());
        let key = {
            let mut timers = lock(&self.timers);
            timers.next_key += 1;
            let key = timers.next_key;
            timers.pending.insert(key, (0, data));
            key
        };
        match unlocked(py, || self.ep.util_timer_schedule(prmMsecDelay, key)) {
            Ok(token) => {
                if let Some(entry) = lock(&self.timers).pending.get_mut(&key) {
                    entry.0 = token;
                }
                Ok(token)
            }
            Err(e) => {
                let data = lock(&self.timers).pending.remove(&key);
                drop(data);
                Err(to_py(e))
            }
        }
    }

    /// Cancels a timer; nothing happens if it already fired.
    #[pyo3(name = "utilTimerCancel", signature = (prmToken))]
    #[allow(non_snake_case)]
    fn util_timer_cancel(&self, py: Python<'_>, prmToken: u64) {
        unlocked(py, || self.ep.util_timer_cancel(prmToken));
        let data = {
            let mut timers = lock(&self.timers);
            let key = timers
                .pending
                .iter()
                .find(|(_, (token, _))| *token == prmToken)
                .map(|(key, _)| *key);
            key.and_then(|key| timers.pending.remove(&key))
        };
        drop(data);
    }

    /// Creates a SIP transport of `type` (`PJSIP_TRANSPORT_UDP`, `_TCP`,
    /// `_UDP6`, `_TCP6`) with a `TransportConfig`; returns its id.
    #[pyo3(name = "transportCreate", signature = (r#type, cfg))]
    fn transport_create(
        &self,
        py: Python<'_>,
        r#type: i32,
        cfg: &Bound<'_, PyAny>,
    ) -> PyResult<i32> {
        let title = "Endpoint::transportCreate()";
        let kind = TransportType::from_i32(r#type).ok_or_else(|| {
            to_py(ferrosip::Error::new(
                status::PJSIP_EUNSUPTRANSPORT,
                title,
                format!("transport type {type} is not supported", type = r#type),
            ))
        })?;
        let cfg: TransportConfig = config_from_py(cfg, title)?;
        unlocked(py, || self.ep.transport_create(kind, &cfg)).py()
    }

    /// The ids of the open transports.
    #[pyo3(name = "transportEnum")]
    fn transport_enum(&self, py: Python<'_>) -> Vec<i32> {
        unlocked(py, || self.ep.transport_enum())
    }

    /// A transport's description.
    #[pyo3(name = "transportGetInfo")]
    fn transport_get_info(&self, py: Python<'_>, id: i32) -> PyResult<PyTransportInfo> {
        let info = unlocked(py, || self.ep.transport_get_info(id)).py()?;
        Ok(PyTransportInfo {
            id: info.id,
            type_: info.type_.as_i32(),
            type_name: info.type_name,
            info: info.info,
            flags: info.flags,
            local_address: info.local_address,
            local_name: info.local_name,
            usage_count: info.usage_count,
        })
    }

    /// Lets new requests leave by a transport, or not.
    #[pyo3(name = "transportSetEnable")]
    fn transport_set_enable(&self, py: Python<'_>, id: i32, enabled: bool) -> PyResult<()> {
        unlocked(py, || self.ep.transport_set_enable(id, enabled)).py()
    }

    /// Closes a transport.
    #[pyo3(name = "transportClose")]
    fn transport_close(&self, py: Python<'_>, id: i32) -> PyResult<()> {
        unlocked(py, || self.ep.transport_close(id)).py()
    }

    /// The sound device manager (an `AudDevManager`).
    #[pyo3(name = "audDevManager")]
    fn aud_dev_manager(&self) -> PyAudDevManager {
        PyAudDevManager::new(&self.ep)
    }

    /// Every port of the conference bridge, a tuple of `AudioMedia` (port
    /// 0, the sound device, first).
    #[pyo3(name = "mediaEnumPorts2")]
    fn media_enum_ports2<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let ports = unlocked(py, || self.ep.media_enum_ports2()).py()?;
        let objects = ports
            .into_iter()
            .map(|port| PyAudioMedia::handle(py, port))
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, objects)
    }

    /// How many ports the conference bridge holds.
    #[pyo3(name = "mediaActivePorts")]
    fn media_active_ports(&self, py: Python<'_>) -> PyResult<u32> {
        unlocked(py, || self.ep.media_active_ports()).py()
    }

    /// `MediaConfig.maxMediaPorts`, or the number of ports if more (the
    /// bridge has no fixed size).
    #[pyo3(name = "mediaMaxPorts")]
    fn media_max_ports(&self, py: Python<'_>) -> PyResult<u32> {
        unlocked(py, || self.ep.media_max_ports()).py()
    }

    /// The audio codecs with their priorities, highest first (a tuple of
    /// `CodecInfo`).
    #[pyo3(name = "codecEnum2")]
    fn codec_enum2<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let codecs = unlocked(py, || self.ep.codec_enum2()).py()?;
        let objects = codecs
            .iter()
            .map(|codec| config_to_py(py, "CodecInfo", codec))
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, objects)
    }

    /// Sets the priority (0 to 255; 0 disables) of every codec whose id
    /// starts with `codec_id` (case-insensitive: `"pcm"` is PCMU and PCMA).
    #[pyo3(name = "codecSetPriority")]
    fn codec_set_priority(&self, py: Python<'_>, codec_id: &str, priority: u8) -> PyResult<()> {
        unlocked(py, || self.ep.codec_set_priority(codec_id, priority)).py()
    }

    /// A codec's parameters (a `CodecParam`).
    #[pyo3(name = "codecGetParam")]
    fn codec_get_param(&self, py: Python<'_>, codec_id: &str) -> PyResult<Py<PyAny>> {
        let param = unlocked(py, || self.ep.codec_get_param(codec_id)).py()?;
        config_to_py(py, "CodecParam", &param)
    }

    /// Changes a codec's parameters (a `CodecParam`) for the streams made
    /// from now on.
    #[pyo3(name = "codecSetParam")]
    fn codec_set_param(
        &self,
        py: Python<'_>,
        codec_id: &str,
        param: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let param: CodecParam = config_from_py(param, "Endpoint::codecSetParam()")?;
        unlocked(py, || self.ep.codec_set_param(codec_id, &param)).py()
    }

    /// Callback: a timer from `utilTimerSchedule` fired. The base class
    /// does nothing.
    #[pyo3(name = "onTimer")]
    fn on_timer(&self, prm: &Bound<'_, PyAny>) {
        let _ = prm;
    }

    /// Callback: a connection-oriented transport changed state. The base
    /// class does nothing.
    #[pyo3(name = "onTransportState")]
    fn on_transport_state(&self, prm: &Bound<'_, PyAny>) {
        let _ = prm;
    }
}

/// Destroys the live endpoint, if any: registered with `atexit`, so that
/// worker threads stop before the interpreter does.
#[pyfunction]
fn _destroy_at_exit(py: Python<'_>) {
    let endpoint = lock(&LIVE).endpoint.as_ref().map(|e| e.clone_ref(py));
    if let Some(endpoint) = endpoint {
        if let Err(err) = PyEndpoint::destroy(endpoint.bind(py)) {
            handlers::excepthook(py, &err);
        }
    }
}

/// PJSUA2's `Version`.
#[pyclass(name = "Version", module = "ferrosip", get_all, set_all)]
#[derive(Debug, Clone, Default)]
pub(crate) struct PyVersion {
    /// Major number.
    major: i32,
    /// Minor number.
    minor: i32,
    /// Revision.
    rev: i32,
    /// Suffix (`"-dev"`, or empty).
    suffix: String,
    /// The whole version as text.
    full: String,
    /// `major << 24 | minor << 16 | rev << 8`.
    numeric: u32,
}

#[pymethods]
impl PyVersion {
    /// An empty version.
    #[new]
    fn new() -> Self {
        Self::default()
    }

    fn __repr__(&self) -> String {
        format!("<Version {}>", self.full)
    }
}

/// PJSUA2's `TransportInfo`.
#[pyclass(name = "TransportInfo", module = "ferrosip", get_all, set_all)]
#[derive(Debug, Clone, Default)]
pub(crate) struct PyTransportInfo {
    /// The transport id.
    id: i32,
    /// Its type (`PJSIP_TRANSPORT_UDP`, …).
    #[pyo3(name = "type")]
    type_: i32,
    /// The type's name (`"UDP"`).
    #[pyo3(name = "typeName")]
    type_name: String,
    /// A description (`udp 127.0.0.1:5060 [published as …]`).
    info: String,
    /// PJSIP's transport flags (reliable 1, secure 2, datagram 4).
    flags: u32,
    /// The bound address, `ip:port`.
    #[pyo3(name = "localAddress")]
    local_address: String,
    /// The address published in Via and Contact, `host:port`.
    #[pyo3(name = "localName")]
    local_name: String,
    /// How many users it has.
    #[pyo3(name = "usageCount")]
    usage_count: u32,
}

#[pymethods]
impl PyTransportInfo {
    /// An empty description.
    #[new]
    fn new() -> Self {
        Self::default()
    }

    fn __repr__(&self) -> String {
        format!("<TransportInfo {} {}>", self.id, self.info)
    }
}

/// PJSUA2's `OnTimerParam`: what `Endpoint.onTimer` receives.
#[pyclass(name = "OnTimerParam", module = "ferrosip", get_all, set_all)]
#[derive(Debug)]
pub(crate) struct PyOnTimerParam {
    /// The object given to `utilTimerSchedule`.
    #[pyo3(name = "userData")]
    user_data: Py<PyAny>,
    /// The delay it was scheduled with, in milliseconds.
    #[pyo3(name = "msecDelay")]
    msec_delay: u32,
}

#[pymethods]
impl PyOnTimerParam {
    /// An empty parameter (user data `None`).
    #[new]
    fn new(py: Python<'_>) -> Self {
        Self {
            user_data: py.None(),
            msec_delay: 0,
        }
    }
}

/// PJSUA2's `OnTransportStateParam`: what `Endpoint.onTransportState`
/// receives.
#[pyclass(name = "OnTransportStateParam", module = "ferrosip", get_all, set_all)]
#[derive(Debug, Clone, Default)]
pub(crate) struct PyOnTransportStateParam {
    /// The transport (connection) handle.
    hnd: u64,
    /// Its type name (`"TCP"`).
    #[pyo3(name = "type")]
    type_: String,
    /// `PJSIP_TP_STATE_CONNECTED` (1) or `PJSIP_TP_STATE_DISCONNECTED` (2).
    state: i32,
    /// The error when disconnected (0 otherwise).
    #[pyo3(name = "lastError")]
    last_error: i32,
}

#[pymethods]
impl PyOnTransportStateParam {
    /// An empty parameter.
    #[new]
    fn new() -> Self {
        Self::default()
    }
}

/// Adds the classes to the module and registers the exit hook.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEndpoint>()?;
    m.add_class::<PyVersion>()?;
    m.add_class::<PyTransportInfo>()?;
    m.add_class::<PyOnTimerParam>()?;
    m.add_class::<PyOnTransportStateParam>()?;
    let at_exit = wrap_pyfunction!(_destroy_at_exit, m)?;
    m.py()
        .import("atexit")?
        .call_method1("register", (at_exit,))?;
    Ok(())
}
