//! PJSUA2's `Account` for Python, with `AccountInfo` and the parameters of
//! its callbacks (`OnRegStateParam`, `OnRegStartedParam`, `SipRxData`).
//!
//! Garbage collection cannot hurt:
//! - the Rust account's handler holds the Python object, so an account
//!   created without a kept reference lives on and gets its callbacks, until
//!   `shutdown()` or `libDestroy()`;
//! - the Python object holds a Rust handle (an id with a generation, plus
//!   the library's life), so once its account is gone every method raises
//!   `pj.Error` and nothing it does — including being collected, on any
//!   thread, in any order — can touch an account created later with the
//!   same id (PJSUA2's #3856);
//! - dropping the Python object does nothing to the account (PJSUA2's
//!   `~Account` shuts it down): only `shutdown()` and `libDestroy()` do.

use std::sync::Mutex;

use ferrosip::config::AccountConfig;
use ferrosip::error::status;
use ferrosip::{AccountHandler, OnIncomingCallParam, OnRegStartedParam, OnRegStateParam};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::config_from_py;
use crate::endpoint::{current_life, lock};
use crate::error::IntoPy as _;
use crate::handlers;

/// The account a Python `Account` stands for.
#[derive(Debug, Clone)]
struct Binding {
    account: ferrosip::Account,
    /// The library's life it was created in.
    life: u64,
}

impl Binding {
    /// Whether the account is still live (needs no GIL; takes a ferrosip
    /// lock for an instant).
    fn is_live(&self) -> bool {
        self.life == current_life() && self.account.is_valid()
    }

    /// Whether both name the same account (no lock taken).
    fn same(&self, other: &Self) -> bool {
        self.life == other.life && self.account == other.account
    }
}

/// A live account and its Python object, for `Account.lookup`.
pub(crate) struct Registered {
    binding: Binding,
    object: Py<PyAccount>,
}

/// Every account created from Python, with its object. Entries whose
/// account is gone are dropped by [`purge`]. No other lock is ever taken
/// while this one is held.
static REGISTRY: Mutex<Vec<Registered>> = Mutex::new(Vec::new());

/// Takes the registry's entries whose account is gone, for the caller to
/// drop attached to the interpreter. Call it detached: it takes ferrosip's
/// locks (though never while holding the registry's).
fn purge() -> Vec<Registered> {
    let bindings: Vec<Binding> = lock(&REGISTRY).iter().map(|r| r.binding.clone()).collect();
    let gone: Vec<Binding> = bindings.into_iter().filter(|b| !b.is_live()).collect();
    if gone.is_empty() {
        return Vec::new();
    }
    let mut registry = lock(&REGISTRY);
    let (dead, live) = std::mem::take(&mut *registry)
        .into_iter()
        .partition(|r| gone.iter().any(|g| g.same(&r.binding)));
    *registry = live;
    dead
}

/// Empties the registry (for `libDestroy`); the caller drops the entries
/// outside the lock.
pub(crate) fn forget_all() -> Vec<Registered> {
    std::mem::take(&mut *lock(&REGISTRY))
}

/// PJSUA2's `Account`: an identity that may register. Subclass it and
/// override `onRegState`, `onRegStarted`, … to receive its callbacks.
#[pyclass(name = "Account", module = "ferrosip", subclass, dict, weakref, frozen)]
#[derive(Debug)]
pub(crate) struct PyAccount {
    binding: Mutex<Option<Binding>>,
}

/// The Rust handler of an account: calls the Python object's callbacks.
/// Holding the object keeps it alive as long as the account lives.
struct Callbacks {
    object: Py<PyAccount>,
    life: u64,
}

impl Callbacks {
    /// Binds the Python object to `account` if it is not bound to a live
    /// one yet (a callback may come before `create` returns). Runs
    /// detached; holds no lock while checking liveness.
    fn bind(&self, account: &ferrosip::Account) {
        let slot = &self.object.get().binding;
        let current = lock(slot).clone();
        if current.as_ref().is_some_and(Binding::is_live) {
            return;
        }
        let mut binding = lock(slot);
        let unchanged = match (&*binding, &current) {
            (Some(now), Some(seen)) => now.same(seen),
            (None, None) => true,
            _ => false,
        };
        if unchanged {
            *binding = Some(Binding {
                account: account.clone(),
                life: self.life,
            });
        }
    }
}

impl AccountHandler for Callbacks {
    fn on_incoming_call(&mut self, account: &ferrosip::Account, prm: &OnIncomingCallParam) {
        self.bind(account);
        let text = serde_json::json!({
            "callId": prm.call_id,
            "rdata": {
                "info": prm.rdata.info,
                "wholeMsg": prm.rdata.whole_msg,
                "srcAddress": prm.rdata.src_address,
            },
        })
        .to_string();
        handlers::invoke(self.object.as_any(), "onIncomingCall", move |py| {
            py.import("ferrosip._call")?
                .getattr("_from_json")?
                .call1(("OnIncomingCallParam", text))
        });
    }

    fn on_reg_started(&mut self, account: &ferrosip::Account, prm: &OnRegStartedParam) {
        self.bind(account);
        let renew = prm.renew;
        handlers::invoke(self.object.as_any(), "onRegStarted", move |py| {
            Ok(Bound::new(py, PyOnRegStartedParam { renew })?.into_any())
        });
    }

    fn on_reg_state(&mut self, account: &ferrosip::Account, prm: &OnRegStateParam) {
        self.bind(account);
        let prm = prm.clone();
        handlers::invoke(self.object.as_any(), "onRegState", move |py| {
            let rdata = Py::new(
                py,
                PySipRxData {
                    info: prm.rdata.info,
                    whole_msg: prm.rdata.whole_msg,
                    src_address: prm.rdata.src_address,
                },
            )?;
            let param = PyOnRegStateParam {
                status: prm.status,
                code: prm.code,
                reason: prm.reason,
                rdata,
                expiration: prm.expiration,
            };
            Ok(Bound::new(py, param)?.into_any())
        });
    }
}

fn not_created(title: &str) -> ferrosip::Error {
    ferrosip::Error::new(
        status::PJ_EINVALIDOP,
        title,
        "the account has not been created (call create() first)",
    )
}

fn gone(title: &str) -> ferrosip::Error {
    ferrosip::Error::new(
        status::PJ_EGONE,
        title,
        "the account has been shut down, or the library destroyed",
    )
}

/// The live Rust account of the Python `Account` `acc`, or `pj.Error`
/// naming `title`.
pub(crate) fn account_of(acc: &Bound<'_, PyAny>, title: &str) -> PyResult<ferrosip::Account> {
    let acc = acc.cast::<PyAccount>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!("{title}: acc must be an Account"))
    })?;
    let this = acc.get();
    acc.py().detach(|| this.live(title)).py()
}

impl PyAccount {
    fn binding(&self) -> Option<Binding> {
        lock(&self.binding).clone()
    }

    /// The live account, or the error naming `title`. Takes ferrosip's
    /// locks: call it detached.
    fn live(&self, title: &str) -> ferrosip::Result<ferrosip::Account> {
        match self.binding() {
            None => Err(not_created(title)),
            Some(b) if b.is_live() => Ok(b.account),
            Some(_) => Err(gone(title)),
        }
    }

    /// Runs `f` on the live account with the GIL released; errors (the
    /// account's, or `f`'s) become `pj.Error`.
    fn with_live<T: Send>(
        &self,
        py: Python<'_>,
        title: &str,
        f: impl FnOnce(&ferrosip::Account) -> ferrosip::Result<T> + Send,
    ) -> PyResult<T> {
        py.detach(|| self.live(title).and_then(|account| f(&account)))
            .py()
    }
}

#[pymethods]
impl PyAccount {
    /// An account object; nothing happens until `create()`. Any arguments
    /// are for a subclass's `__init__`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Self {
            binding: Mutex::new(None),
        }
    }

    /// Creates the account from an `AccountConfig`: it registers at once
    /// when it has a registrar. The library keeps this object until the
    /// account is shut down, so no reference needs keeping.
    #[pyo3(signature = (cfg, make_default = false))]
    fn create(slf: &Bound<'_, Self>, cfg: &Bound<'_, PyAny>, make_default: bool) -> PyResult<()> {
        let title = "Account::create()";
        let py = slf.py();
        let this = slf.get();
        let cfg: AccountConfig = config_from_py(cfg, title)?;
        let handler = Callbacks {
            object: slf.clone().unbind(),
            life: 0, // set below, once the life is known
        };
        let (binding, gone) = py
            .detach(|| {
                if this.binding().is_some_and(|b| b.is_live()) {
                    return Err(ferrosip::Error::new(
                        status::PJ_EEXISTS,
                        title,
                        "this object's account already exists",
                    ));
                }
                let ep = ferrosip::Endpoint::instance().map_err(|e| e.titled(title))?;
                let life = current_life();
                let handler = Callbacks { life, ..handler };
                let account = ferrosip::Account::create(&ep, &cfg, make_default, handler)?;
                Ok((Binding { account, life }, purge()))
            })
            .py()?;
        *lock(&this.binding) = Some(binding.clone());
        lock(&REGISTRY).push(Registered {
            binding,
            object: slf.clone().unbind(),
        });
        drop(gone);
        Ok(())
    }

    /// Replaces the account's configuration; a registered account
    /// registers again with it.
    fn modify(&self, py: Python<'_>, cfg: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Account::modify()";
        let cfg: AccountConfig = config_from_py(cfg, title)?;
        self.with_live(py, title, |account| account.modify(&cfg))
    }

    /// Whether the account exists (created and not shut down, in the
    /// library's current life).
    #[pyo3(name = "isValid")]
    fn is_valid(&self, py: Python<'_>) -> bool {
        py.detach(|| self.binding().is_some_and(|b| b.is_live()))
    }

    /// Makes this the default account.
    #[pyo3(name = "setDefault")]
    fn set_default(&self, py: Python<'_>) -> PyResult<()> {
        self.with_live(py, "Account::setDefault()", ferrosip::Account::set_default)
    }

    /// Whether this is the default account.
    #[pyo3(name = "isDefault")]
    fn is_default(&self, py: Python<'_>) -> bool {
        py.detach(|| {
            self.binding()
                .is_some_and(|b| b.is_live() && b.account.is_default())
        })
    }

    /// The account id (-1 before `create()`; the last id after the account
    /// is gone).
    #[pyo3(name = "getId")]
    fn get_id(&self) -> i32 {
        self.binding().map_or(-1, |b| b.account.id())
    }

    /// The live account with id `acc_id`: the very object it was created
    /// from (subclass and all), or `None`.
    #[staticmethod]
    fn lookup(py: Python<'_>, acc_id: i32) -> Option<Py<Self>> {
        let (found, gone) = py.detach(|| {
            let found = ferrosip::Endpoint::instance()
                .ok()
                .and_then(|ep| ferrosip::Account::lookup(&ep, acc_id))
                .map(|account| Binding {
                    account,
                    life: current_life(),
                });
            (found, purge())
        });
        drop(gone);
        let found = found?;
        lock(&REGISTRY)
            .iter()
            .find(|r| r.binding.same(&found))
            .map(|r| r.object.clone_ref(py))
    }

    /// The account's state.
    #[pyo3(name = "getInfo")]
    fn get_info(&self, py: Python<'_>) -> PyResult<PyAccountInfo> {
        let i = self.with_live(py, "Account::getInfo()", ferrosip::Account::info)?;
        Ok(PyAccountInfo {
            id: i.id,
            is_default: i.is_default,
            uri: i.uri,
            reg_is_configured: i.reg_is_configured,
            reg_is_active: i.reg_is_active,
            reg_expires_sec: i.reg_expires_sec,
            reg_status: i.reg_status,
            reg_status_text: i.reg_status_text,
            reg_last_err: i.reg_last_err,
            online_status: i.online_status,
            online_status_text: i.online_status_text,
        })
    }

    /// Registers again (`renew` true) or unregisters.
    #[pyo3(name = "setRegistration")]
    fn set_registration(&self, py: Python<'_>, renew: bool) -> PyResult<()> {
        self.with_live(py, "Account::setRegistration()", |account| {
            account.set_registration(renew)
        })
    }

    /// Removes the account (unregistering it in the background); it gets
    /// no more callbacks and the library lets go of this object. Does
    /// nothing if the account is already gone.
    fn shutdown(&self, py: Python<'_>) -> PyResult<()> {
        let Some(binding) = self.binding() else {
            return Ok(());
        };
        let (outcome, gone) = py.detach(|| {
            let outcome = if binding.is_live() {
                binding.account.shutdown()
            } else {
                Ok(())
            };
            (outcome, purge())
        });
        drop(gone);
        match outcome {
            Err(e) if e.status == status::PJ_EGONE => Ok(()),
            other => other.py(),
        }
    }

    /// Callback: an incoming call (`prm`, an `OnIncomingCallParam`). Take
    /// it with `Call(self, prm.callId)` here, then answer it; a call not
    /// taken here is answered 500. The base class does nothing.
    #[pyo3(name = "onIncomingCall")]
    fn on_incoming_call(&self, prm: &Bound<'_, PyAny>) {
        let _ = prm;
    }

    /// Callback: a REGISTER or un-REGISTER was started. The base class does
    /// nothing.
    #[pyo3(name = "onRegStarted")]
    fn on_reg_started(&self, prm: &Bound<'_, PyAny>) {
        let _ = prm;
    }

    /// Callback: a registration attempt finished. The base class does
    /// nothing.
    #[pyo3(name = "onRegState")]
    fn on_reg_state(&self, prm: &Bound<'_, PyAny>) {
        let _ = prm;
    }

    /// Callback: a presence subscription came in (not delivered yet). The
    /// base class does nothing.
    #[pyo3(name = "onIncomingSubscribe")]
    fn on_incoming_subscribe(&self, prm: &Bound<'_, PyAny>) {
        let _ = prm;
    }

    /// Callback: an instant message came in (not delivered yet). The base
    /// class does nothing.
    #[pyo3(name = "onInstantMessage")]
    fn on_instant_message(&self, prm: &Bound<'_, PyAny>) {
        let _ = prm;
    }

    /// Callback: the outcome of a sent instant message (not delivered
    /// yet). The base class does nothing.
    #[pyo3(name = "onInstantMessageStatus")]
    fn on_instant_message_status(&self, prm: &Bound<'_, PyAny>) {
        let _ = prm;
    }

    /// Callback: the outcome of `sendRequest` (not delivered yet). The base
    /// class does nothing.
    #[pyo3(name = "onSendRequest")]
    fn on_send_request(&self, prm: &Bound<'_, PyAny>) {
        let _ = prm;
    }

    /// Callback: a typing indication came in (not delivered yet). The base
    /// class does nothing.
    #[pyo3(name = "onTypingIndication")]
    fn on_typing_indication(&self, prm: &Bound<'_, PyAny>) {
        let _ = prm;
    }

    /// Callback: message-waiting information came in (not delivered yet).
    /// The base class does nothing.
    #[pyo3(name = "onMwiInfo")]
    fn on_mwi_info(&self, prm: &Bound<'_, PyAny>) {
        let _ = prm;
    }
}

/// PJSUA2's `AccountInfo`.
#[pyclass(name = "AccountInfo", module = "ferrosip", get_all, set_all)]
#[derive(Debug, Clone, Default)]
pub(crate) struct PyAccountInfo {
    /// The account id.
    id: i32,
    /// Whether it is the default account.
    #[pyo3(name = "isDefault")]
    is_default: bool,
    /// The address of record.
    uri: String,
    /// Whether it has a registrar.
    #[pyo3(name = "regIsConfigured")]
    reg_is_configured: bool,
    /// Whether a registration is in place.
    #[pyo3(name = "regIsActive")]
    reg_is_active: bool,
    /// Seconds left on the registration (`0xFFFFFFFF` when the account does
    /// not register).
    #[pyo3(name = "regExpiresSec")]
    reg_expires_sec: u32,
    /// The last registration status code (100 while the first is in
    /// progress).
    #[pyo3(name = "regStatus")]
    reg_status: i32,
    /// Its text.
    #[pyo3(name = "regStatusText")]
    reg_status_text: String,
    /// The last registration error (PJSIP numbering; 0 if none).
    #[pyo3(name = "regLastErr")]
    reg_last_err: i32,
    /// Whether the account publishes itself as online.
    #[pyo3(name = "onlineStatus")]
    online_status: bool,
    /// Its text.
    #[pyo3(name = "onlineStatusText")]
    online_status_text: String,
}

#[pymethods]
impl PyAccountInfo {
    /// An empty description.
    #[new]
    fn new() -> Self {
        Self::default()
    }

    fn __repr__(&self) -> String {
        format!(
            "<AccountInfo {} {} regStatus={} {:?}>",
            self.id, self.uri, self.reg_status, self.reg_status_text
        )
    }
}

/// PJSUA2's `SipRxData`: a received message as text.
#[pyclass(name = "SipRxData", module = "ferrosip", get_all, set_all)]
#[derive(Debug, Clone, Default)]
pub(crate) struct PySipRxData {
    /// A one-line summary (`Response msg 200/REGISTER/cseq=2`).
    info: String,
    /// The whole message.
    #[pyo3(name = "wholeMsg")]
    whole_msg: String,
    /// Where it came from (`ip:port`), when known.
    #[pyo3(name = "srcAddress")]
    src_address: String,
}

#[pymethods]
impl PySipRxData {
    /// An empty message.
    #[new]
    fn new() -> Self {
        Self::default()
    }
}

/// PJSUA2's `OnRegStartedParam`: what `Account.onRegStarted` receives.
#[pyclass(name = "OnRegStartedParam", module = "ferrosip", get_all, set_all)]
#[derive(Debug, Clone, Default)]
pub(crate) struct PyOnRegStartedParam {
    /// True for a registration, false for an unregistration.
    renew: bool,
}

#[pymethods]
impl PyOnRegStartedParam {
    /// An empty parameter.
    #[new]
    fn new() -> Self {
        Self::default()
    }
}

/// PJSUA2's `OnRegStateParam`: what `Account.onRegState` receives.
#[pyclass(name = "OnRegStateParam", module = "ferrosip", get_all, set_all)]
#[derive(Debug)]
pub(crate) struct PyOnRegStateParam {
    /// 0 (`PJ_SUCCESS`) when a final response came, else why none did.
    status: i32,
    /// The SIP status code (408 after a timeout, 503 after a transport
    /// error).
    code: i32,
    /// The reason phrase.
    reason: String,
    /// The final response, when one came.
    rdata: Py<PySipRxData>,
    /// Seconds granted; 0 after an unregistration or a failure.
    expiration: u32,
}

#[pymethods]
impl PyOnRegStateParam {
    /// An empty parameter.
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        Ok(Self {
            status: 0,
            code: 0,
            reason: String::new(),
            rdata: Py::new(py, PySipRxData::default())?,
            expiration: 0,
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "<OnRegStateParam code={} reason={:?}>",
            self.code, self.reason
        )
    }
}

/// Adds the classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAccount>()?;
    m.add_class::<PyAccountInfo>()?;
    m.add_class::<PySipRxData>()?;
    m.add_class::<PyOnRegStartedParam>()?;
    m.add_class::<PyOnRegStateParam>()?;
    Ok(())
}
