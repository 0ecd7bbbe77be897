//! PJSUA2's `Call` for Python: the Rust base of `ferrosip.Call` (the
//! Python class in `python/ferrosip/_call.py` adds PJSUA2's constructor
//! `Call(acc, call_id=PJSUA_INVALID_ID)` and the default callbacks).
//!
//! Lifetimes, without PJSUA2's garbage-collection traps:
//! - the Rust call's handler holds the Python object from `makeCall` (or
//!   from `Call(acc, prm.callId)` in `onIncomingCall`) until
//!   `onCallState(DISCONNECTED)` has been delivered, so a call whose
//!   object the application did not keep still gets its callbacks;
//! - the Python object holds a Rust handle (the call's id with a
//!   generation, and the library's life): once its call is over every
//!   method raises `pj.Error` (`PJ_EGONE`), and nothing it does — being
//!   collected included — can touch a later call with the same id;
//! - dropping the object never hangs up (PJSUA2's `~Call` does).
//!
//! The data the call reports (`CallInfo`, `StreamInfo`, `StreamStat`, the
//! callbacks' parameters) are plain Python objects: `CallInfo` and the
//! state callbacks' parameters built field by field (`call_data.rs`, their
//! `SipEvent` converted when read), the others from JSON by
//! `ferrosip._call._from_json`.

use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use ferrosip::call::{
    CallHandler, InvState, OnCallMediaStateParam, OnCallRedirectedParam, OnCallReplaceRequestParam,
    OnCallReplacedParam, OnCallRxOfferParam, OnCallSdpCreatedParam, OnCallStateParam,
    OnCallTransferRequestParam, OnCallTransferStatusParam, OnCallTsxStateParam, OnDtmfDigitParam,
    OnDtmfEventParam, OnInstantMessageParam, OnInstantMessageStatusParam, OnStreamCreatedParam,
    OnStreamDestroyedParam, OnTypingIndicationParam, RedirectOp, SipEvent, StreamInfo, TimeVal,
};
use ferrosip::config::{
    CallOpParam, CallSendDtmfParam, CallSendRequestParam, CallSetting, SendInstantMessageParam,
    SendTypingIndicationParam,
};
use ferrosip::error::status;
use ferrosip::media::{AudioMedia, StreamStat};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyWeakrefReference};
use serde_json::{Value, json};

use crate::call_data;

use crate::account::account_of;
use crate::convert::config_from_py;
use crate::endpoint::lock;
use crate::error::IntoPy as _;
use crate::handlers;
use crate::media::PyAudioMedia;

/// `PJSUA_INVALID_ID`.
const INVALID_ID: i32 = -1;

/// Every call bound to a Python object, with a weak reference to the
/// object, for `Call.lookup`. Entries whose object is gone are dropped on
/// the way. No other lock is taken while this one is held.
static REGISTRY: Mutex<Vec<(ferrosip::Call, Py<PyWeakrefReference>)>> = Mutex::new(Vec::new());

/// What a Python `Call` stands for.
#[derive(Debug, Default)]
struct State {
    /// The account given to the constructor.
    account: Option<ferrosip::Account>,
    /// The call, once made or taken.
    call: Option<ferrosip::Call>,
    /// While `onCallState` runs: the state the change led to, its code and
    /// reason, which `getInfo()` reports (as PJSUA2's does inside the
    /// callback) rather than a later state already reached.
    reporting: Option<(InvState, i32, String)>,
}

/// PJSUA2's `Call` (the Rust half; applications use `ferrosip.Call`).
///
/// No `dict` slot: the class is extended (by `ferrosip.Call` and the
/// application's subclasses, which have their own `__dict__`).
#[pyclass(
    name = "Call",
    module = "ferrosip._ferrosip",
    subclass,
    weakref,
    frozen
)]
#[derive(Debug)]
pub(crate) struct PyCall {
    state: Mutex<State>,
}

fn no_call(title: &str) -> ferrosip::Error {
    ferrosip::Error::new(
        status::PJ_EINVALIDOP,
        title,
        "the Call has no call (makeCall() it, or take an incoming call with Call(acc, prm.callId))",
    )
}

impl PyCall {
    /// The call, if the object has one.
    fn call(&self) -> Option<ferrosip::Call> {
        lock(&self.state).call.clone()
    }

    /// Binds the object to `call` if it has no call yet (a callback may come
    /// before `makeCall` returns, with worker threads).
    /// Returns whether it did.
    fn bind_if_unbound(&self, call: &ferrosip::Call) -> bool {
        let mut state = lock(&self.state);
        if state.call.is_none() {
            state.call = Some(call.clone());
            true
        } else {
            false
        }
    }

    /// Runs `f` on the call with the GIL released; errors become
    /// `pj.Error`.
    fn with_call<T: Send>(
        &self,
        py: Python<'_>,
        title: &str,
        f: impl FnOnce(&ferrosip::Call) -> ferrosip::Result<T> + Send,
    ) -> PyResult<T> {
        let call = self.call();
        py.detach(|| match call {
            Some(call) => f(&call),
            None => Err(no_call(title)),
        })
        .py()
    }
}

/// Files `call` with a weak reference to `obj` for `Call.lookup`, and lets
/// go of entries whose object is gone.
fn register(obj: &Bound<'_, PyCall>, call: ferrosip::Call) -> PyResult<()> {
    let weak = PyWeakrefReference::new(obj)?.unbind();
    let py = obj.py();
    let stale: Vec<_> = {
        let mut registry = lock(&REGISTRY);
        let (dead, live): (Vec<_>, Vec<_>) = std::mem::take(&mut *registry)
            .into_iter()
            .partition(|(_, w)| w.bind(py).upgrade().is_none());
        *registry = live;
        registry.push((call, weak));
        dead
    };
    drop(stale);
    Ok(())
}

/// Forgets every call (for `libDestroy`); the caller drops the entries
/// attached to the interpreter.
pub(crate) fn forget_all() -> Vec<(ferrosip::Call, Py<PyWeakrefReference>)> {
    std::mem::take(&mut *lock(&REGISTRY))
}

/// The Rust handler of a call: calls its Python object's `on*` methods.
/// Holds the object until DISCONNECTED has been delivered.
struct Callbacks {
    object: Option<Py<PyCall>>,
}

impl Callbacks {
    fn new(object: &Bound<'_, PyCall>) -> Self {
        Self {
            object: Some(object.clone().unbind()),
        }
    }

    /// Binds the object to `call` if it has none yet (a callback before
    /// `makeCall` returned, or the `newCall` of a transfer), filing it for
    /// `Call.lookup`.
    fn bind(object: &Py<PyCall>, call: &ferrosip::Call) {
        if object.get().bind_if_unbound(call) {
            let _ = Python::try_attach(|py| {
                if let Err(err) = register(object.bind(py), call.clone()) {
                    handlers::report(py, err, "Call.lookup");
                }
            });
        }
    }

    /// Calls `method` with the parameter `make_arg` builds, after binding
    /// the object to `call` if needed.
    fn invoke<F>(&self, call: &ferrosip::Call, method: &str, make_arg: F)
    where
        F: for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>>,
    {
        let Some(object) = &self.object else {
            return;
        };
        Self::bind(object, call);
        // The base class's callbacks do nothing: a callback the class does
        // not override costs neither its parameter nor a Python call (a
        // call has a dozen transaction reports most applications ignore).
        let overridden =
            Python::try_attach(|py| overrides(object.bind(py).as_any(), method)).unwrap_or(false);
        if overridden {
            handlers::invoke(object.as_any(), method, make_arg);
        }
    }

    /// Calls `method` with the parameter `make_arg` builds, then `read`s
    /// the parameter (which the callback may have changed) and the
    /// method's return value. `None` if the callback raised (reported) or
    /// could not run.
    fn invoke_with<F, R>(
        &self,
        call: &ferrosip::Call,
        method: &str,
        make_arg: F,
        read: impl for<'py> FnOnce(&Bound<'py, PyAny>, &Bound<'py, PyAny>) -> PyResult<R>,
    ) -> Option<R>
    where
        F: for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>>,
    {
        let object = self.object.as_ref()?;
        Self::bind(object, call);
        Python::try_attach(|py| {
            let outcome = make_arg(py).and_then(|arg| {
                let ret = object.bind(py).call_method1(method, (arg.clone(),))?;
                read(&arg, &ret)
            });
            outcome
                .map_err(|err| handlers::report(py, err, method))
                .ok()
        })
        .flatten()
    }

    /// Lets go of the Python object, attached to the interpreter (leaked if
    /// the interpreter is gone: nothing may run then).
    fn release(&mut self) {
        let mut object = self.object.take();
        let _ = Python::try_attach(|_| drop(object.take()));
        if let Some(object) = object {
            std::mem::forget(object);
        }
    }
}

impl Drop for Callbacks {
    fn drop(&mut self) {
        self.release();
    }
}

/// Whether `object` (a `Call`) has its own `method` (in its class or set
/// on the instance) rather than the base class's, which does nothing. In
/// doubt, true.
fn overrides(object: &Bound<'_, PyAny>, method: &str) -> bool {
    let py = object.py();
    static BASE: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();
    let Ok(base) = BASE.get_or_try_init(py, || {
        py.import("ferrosip._call")?
            .getattr("Call")
            .map(Bound::unbind)
    }) else {
        return true;
    };
    // What `object.method` calls (an attribute of the instance counts, as
    // the callback is looked up on the object).
    let (Ok(mine), Ok(theirs)) = (object.getattr(method), base.bind(py).getattr(method)) else {
        return true;
    };
    let function = mine.getattr("__func__").unwrap_or(mine);
    !function.is(&theirs)
}

/// A data object of `ferrosip._call` built from `value`.
fn data<'py>(py: Python<'py>, class: &str, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    static FROM_JSON: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();
    let from_json = FROM_JSON.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("ferrosip._call")?.getattr("_from_json")?.unbind())
    })?;
    from_json.bind(py).call1((class, value.to_string()))
}

/// A `SipTxData` as the JSON `_call` reads.
fn tdata_json(t: &ferrosip::call::SipTxData) -> Value {
    json!({ "info": t.info, "wholeMsg": t.whole_msg, "dstAddress": t.dst_address })
}

/// A `SipEvent` (with its body) as the JSON `_call` reads.
pub(crate) fn event_json(e: &SipEvent) -> Value {
    let ts = &e.body.tsx_state;
    json!({
        "type": e.type_,
        "body": {
            "tsxState": {
                "src": {
                    "rdata": rdata_json(&ts.src.rdata),
                    "tdata": tdata_json(&ts.src.tdata),
                    "status": ts.src.status,
                },
                "tsx": {
                    "role": ts.tsx.role,
                    "method": ts.tsx.method,
                    "statusCode": ts.tsx.status_code,
                    "statusText": ts.tsx.status_text,
                    "state": ts.tsx.state,
                    "lastTx": tdata_json(&ts.tsx.last_tx),
                },
                "prevState": ts.prev_state,
                "type": ts.type_,
            },
            "txMsg": { "tdata": tdata_json(&e.body.tx_msg.tdata) },
            "rxMsg": { "rdata": rdata_json(&e.body.rx_msg.rdata) },
        },
    })
}

/// An `OnStreamCreatedParam`/`OnStreamDestroyedParam` for `stream`.
fn stream_param<'py>(
    py: Python<'py>,
    class: &str,
    stream: AudioMedia,
    idx: u32,
) -> PyResult<Bound<'py, PyAny>> {
    let media = PyAudioMedia::handle(py, stream)?;
    py.import("ferrosip._call")?
        .getattr("_stream_param")?
        .call1((class, media, idx))
}

/// A `SipRxData` as the JSON `_call` reads.
fn rdata_json(r: &ferrosip::account::SipRxData) -> Value {
    json!({ "info": r.info, "wholeMsg": r.whole_msg, "srcAddress": r.src_address })
}

/// The handler for the new call a callback's parameter names in
/// `newCall` (a `Call` the application made, or `None`).
fn new_call_of(arg: &Bound<'_, PyAny>) -> PyResult<Option<Box<dyn CallHandler>>> {
    let new_call = arg.getattr("newCall")?;
    if new_call.is_none() {
        return Ok(None);
    }
    let new_call = new_call
        .cast::<PyCall>()
        .map_err(|_| pyo3::exceptions::PyTypeError::new_err("newCall must be a Call (or None)"))?;
    Ok(Some(Box::new(Callbacks::new(new_call))))
}

/// The Python object of `call` (the one it was made or taken with), or
/// `None`.
fn object_of(py: Python<'_>, call: &ferrosip::Call) -> Option<Py<PyAny>> {
    let weak = lock(&REGISTRY)
        .iter()
        .find(|(c, _)| c == call)
        .map(|(_, weak)| weak.clone_ref(py))?;
    weak.bind(py).upgrade().map(Bound::unbind)
}

impl CallHandler for Callbacks {
    fn on_call_state(&mut self, call: &ferrosip::Call, prm: &OnCallStateParam) {
        let report = (prm.state, prm.code, prm.reason.clone());
        if let Some(object) = &self.object {
            lock(&object.get().state).reporting = Some(report);
        }
        self.invoke(call, "onCallState", |py| {
            call_data::on_call_state_param(py, prm)
        });
        if let Some(object) = &self.object {
            lock(&object.get().state).reporting = None;
        }
        if prm.state == InvState::Disconnected {
            self.release();
        }
    }

    fn on_call_media_state(&mut self, call: &ferrosip::Call, _prm: &OnCallMediaStateParam) {
        self.invoke(call, "onCallMediaState", |py| {
            data(py, "OnCallMediaStateParam", &json!({}))
        });
    }

    fn on_call_tsx_state(&mut self, call: &ferrosip::Call, prm: &OnCallTsxStateParam) {
        self.invoke(call, "onCallTsxState", |py| {
            call_data::on_call_tsx_state_param(py, &prm.e)
        });
    }

    fn on_dtmf_digit(&mut self, call: &ferrosip::Call, prm: &OnDtmfDigitParam) {
        let value = json!({
            "method": i32::from(prm.method),
            "digit": prm.digit,
            "duration": prm.duration,
        });
        self.invoke(call, "onDtmfDigit", move |py| {
            data(py, "OnDtmfDigitParam", &value)
        });
    }

    fn on_dtmf_event(&mut self, call: &ferrosip::Call, prm: &OnDtmfEventParam) {
        let value = json!({
            "method": i32::from(prm.method),
            "timestamp": prm.timestamp,
            "digit": prm.digit,
            "duration": prm.duration,
            "flags": prm.flags,
        });
        self.invoke(call, "onDtmfEvent", move |py| {
            data(py, "OnDtmfEventParam", &value)
        });
    }

    fn on_instant_message(&mut self, call: &ferrosip::Call, prm: &OnInstantMessageParam) {
        let value = json!({
            "fromUri": prm.from_uri,
            "toUri": prm.to_uri,
            "contactUri": prm.contact_uri,
            "contentType": prm.content_type,
            "msgBody": prm.msg_body,
            "rdata": rdata_json(&prm.rdata),
        });
        self.invoke(call, "onInstantMessage", move |py| {
            data(py, "OnInstantMessageParam", &value)
        });
    }

    fn on_instant_message_status(
        &mut self,
        call: &ferrosip::Call,
        prm: &OnInstantMessageStatusParam,
    ) {
        let value = json!({
            "userData": prm.user_data,
            "toUri": prm.to_uri,
            "msgBody": prm.msg_body,
            "code": prm.code,
            "reason": prm.reason,
            "rdata": rdata_json(&prm.rdata),
        });
        self.invoke(call, "onInstantMessageStatus", move |py| {
            data(py, "OnInstantMessageStatusParam", &value)
        });
    }

    fn on_typing_indication(&mut self, call: &ferrosip::Call, prm: &OnTypingIndicationParam) {
        let value = json!({
            "fromUri": prm.from_uri,
            "toUri": prm.to_uri,
            "contactUri": prm.contact_uri,
            "isTyping": prm.is_typing,
            "rdata": rdata_json(&prm.rdata),
        });
        self.invoke(call, "onTypingIndication", move |py| {
            data(py, "OnTypingIndicationParam", &value)
        });
    }

    fn on_call_rx_offer(&mut self, call: &ferrosip::Call, prm: &mut OnCallRxOfferParam) {
        let Ok(offer) = serde_json::to_value(&prm.offer) else {
            return;
        };
        let Ok(opt) = serde_json::to_value(&prm.opt) else {
            return;
        };
        let value = json!({ "offer": offer, "statusCode": prm.status_code, "opt": opt });
        self.invoke(call, "onCallRxOffer", move |py| {
            data(py, "OnCallRxOfferParam", &value)
        });
    }

    fn reviews_sdp(&self) -> bool {
        // Only a class with its own onCallSdpCreated holds its SDP for it.
        self.object.as_ref().is_some_and(|object| {
            Python::try_attach(|py| overrides(object.bind(py).as_any(), "onCallSdpCreated"))
                .unwrap_or(false)
        })
    }

    fn on_call_sdp_created(&mut self, call: &ferrosip::Call, prm: &mut OnCallSdpCreatedParam) {
        let value = json!({
            "sdp": { "wholeSdp": prm.sdp.whole_sdp },
            "remSdp": { "wholeSdp": prm.rem_sdp.whole_sdp },
        });
        let sdp = self.invoke_with(
            call,
            "onCallSdpCreated",
            move |py| data(py, "OnCallSdpCreatedParam", &value),
            |arg, _| arg.getattr("sdp")?.getattr("wholeSdp")?.extract::<String>(),
        );
        if let Some(sdp) = sdp {
            prm.sdp.whole_sdp = sdp;
        }
    }

    fn on_call_transfer_request(
        &mut self,
        call: &ferrosip::Call,
        prm: &mut OnCallTransferRequestParam,
    ) {
        let Ok(opt) = serde_json::to_value(&prm.opt) else {
            return;
        };
        let value = json!({ "dstUri": prm.dst_uri, "statusCode": prm.status_code, "opt": opt });
        let answer = self.invoke_with(
            call,
            "onCallTransferRequest",
            move |py| data(py, "OnCallTransferRequestParam", &value),
            |arg, _| {
                let dst_uri: String = arg.getattr("dstUri")?.extract()?;
                let status_code: i32 = arg.getattr("statusCode")?.extract()?;
                let opt: CallSetting =
                    config_from_py(&arg.getattr("opt")?, "onCallTransferRequest")?;
                Ok((dst_uri, status_code, opt, new_call_of(arg)?))
            },
        );
        if let Some((dst_uri, status_code, opt, new_call)) = answer {
            prm.dst_uri = dst_uri;
            prm.status_code = status_code;
            prm.opt = opt;
            prm.new_call = new_call;
        }
    }

    fn on_call_transfer_status(
        &mut self,
        call: &ferrosip::Call,
        prm: &mut OnCallTransferStatusParam,
    ) {
        let value = json!({
            "statusCode": prm.status_code,
            "reason": prm.reason,
            "finalNotify": prm.final_notify,
            "cont": prm.cont,
        });
        let cont = self.invoke_with(
            call,
            "onCallTransferStatus",
            move |py| data(py, "OnCallTransferStatusParam", &value),
            |arg, _| arg.getattr("cont")?.extract::<bool>(),
        );
        if let Some(cont) = cont {
            prm.cont = cont;
        }
    }

    fn on_call_replace_request(
        &mut self,
        call: &ferrosip::Call,
        prm: &mut OnCallReplaceRequestParam,
    ) {
        let Ok(opt) = serde_json::to_value(&prm.opt) else {
            return;
        };
        let value = json!({
            "rdata": rdata_json(&prm.rdata),
            "statusCode": prm.status_code,
            "reason": prm.reason,
            "opt": opt,
        });
        let answer = self.invoke_with(
            call,
            "onCallReplaceRequest",
            move |py| data(py, "OnCallReplaceRequestParam", &value),
            |arg, _| {
                let status_code: i32 = arg.getattr("statusCode")?.extract()?;
                let reason: String = arg.getattr("reason")?.extract()?;
                let opt: CallSetting =
                    config_from_py(&arg.getattr("opt")?, "onCallReplaceRequest")?;
                Ok((status_code, reason, opt, new_call_of(arg)?))
            },
        );
        if let Some((status_code, reason, opt, new_call)) = answer {
            prm.status_code = status_code;
            prm.reason = reason;
            prm.opt = opt;
            prm.new_call = new_call;
        }
    }

    fn on_call_replaced(&mut self, call: &ferrosip::Call, prm: &OnCallReplacedParam) {
        let (id, new_call) = (prm.new_call_id, prm.new_call.clone());
        self.invoke(call, "onCallReplaced", move |py| {
            let prm = data(py, "OnCallReplacedParam", &json!({ "newCallId": id }))?;
            prm.setattr("newCall", object_of(py, &new_call))?;
            Ok(prm)
        });
    }

    fn on_call_redirected(
        &mut self,
        call: &ferrosip::Call,
        prm: &OnCallRedirectedParam,
    ) -> RedirectOp {
        let value = json!({ "targetUri": prm.target_uri, "e": event_json(&prm.e) });
        self.invoke_with(
            call,
            "onCallRedirected",
            move |py| data(py, "OnCallRedirectedParam", &value),
            |_, ret| {
                let op: i32 = ret.extract()?;
                RedirectOp::try_from(op).map_err(crate::error::to_py)
            },
        )
        .unwrap_or(RedirectOp::Stop)
    }

    fn on_stream_created(&mut self, call: &ferrosip::Call, prm: &OnStreamCreatedParam) {
        let (stream, idx) = (prm.stream.clone(), prm.stream_idx);
        self.invoke(call, "onStreamCreated", move |py| {
            stream_param(py, "OnStreamCreatedParam", stream, idx)
        });
    }

    fn on_stream_destroyed(&mut self, call: &ferrosip::Call, prm: &OnStreamDestroyedParam) {
        let (stream, idx) = (prm.stream.clone(), prm.stream_idx);
        self.invoke(call, "onStreamDestroyed", move |py| {
            stream_param(py, "OnStreamDestroyedParam", stream, idx)
        });
    }
}

fn time_json(t: TimeVal) -> Value {
    json!({ "sec": t.sec, "msec": t.msec })
}

/// A Rust config as serde JSON, or `pj.Error`.
fn to_value<T: serde::Serialize>(value: &T) -> PyResult<Value> {
    serde_json::to_value(value).map_err(|e| {
        crate::error::to_py(ferrosip::Error::new(
            status::PJ_EINVAL,
            "Call",
            format!("cannot convert: {e}"),
        ))
    })
}

fn stream_info_json(s: &StreamInfo) -> PyResult<Value> {
    Ok(json!({
        "type": s.type_,
        "proto": s.proto,
        "dir": i32::from(s.dir),
        "remoteRtpAddress": s.remote_rtp_address,
        "remoteRtcpAddress": s.remote_rtcp_address,
        "txPt": s.tx_pt,
        "rxPt": s.rx_pt,
        "audTxEventPt": s.aud_tx_event_pt,
        "audRxEventPt": s.aud_rx_event_pt,
        "codecName": s.codec_name,
        "codecClockRate": s.codec_clock_rate,
        "audCodecParam": to_value(&s.aud_codec_param)?,
        "jbInit": s.jb_init,
        "jbMinPre": s.jb_min_pre,
        "jbMaxPre": s.jb_max_pre,
        "jbMax": s.jb_max,
        "jbDiscardAlgo": to_value(&s.jb_discard_algo)?,
        "rtcpSdesByeDisabled": s.rtcp_sdes_bye_disabled,
    }))
}

/// The wall-clock time of `t` as PJSUA2's `TimeVal` (seconds since the
/// epoch).
fn wall_clock(t: Instant) -> Value {
    let ago = Instant::now().saturating_duration_since(t);
    let at = SystemTime::now()
        .checked_sub(ago)
        .and_then(|at| at.duration_since(UNIX_EPOCH).ok())
        .unwrap_or_default();
    time_json(TimeVal::from(at))
}

/// The fields of a `MathStat`.
macro_rules! math_json {
    ($m:expr) => {{
        let m = &$m;
        json!({ "n": m.n, "max": m.max, "min": m.min, "last": m.last, "mean": m.mean })
    }};
}

/// The fields of an `RtcpStreamStat`.
macro_rules! direction_json {
    ($s:expr) => {{
        let s = &$s;
        json!({
            "update": s.update.map_or_else(|| time_json(TimeVal::default()), wall_clock),
            "updateCount": s.update_count,
            "pkt": s.pkt,
            "bytes": s.bytes,
            "discard": s.discard,
            "loss": s.loss,
            "reorder": s.reorder,
            "dup": s.dup,
            "lossPeriodUsec": math_json!(s.loss_period_usec),
            "lossType": { "burst": u8::from(s.loss_type.burst), "random": u8::from(s.loss_type.random) },
            "jitterUsec": math_json!(s.jitter_usec),
        })
    }};
}

fn stream_stat_json(s: &StreamStat) -> Value {
    let r = &s.rtcp;
    let j = &s.jbuf;
    let sdes = &r.peer_sdes;
    json!({
        "rtcp": {
            "start": wall_clock(r.start),
            "txStat": direction_json!(r.tx_stat),
            "rxStat": direction_json!(r.rx_stat),
            "rttUsec": math_json!(r.rtt_usec),
            "rtpTxLastTs": r.rtp_tx_last_ts,
            "rtpTxLastSeq": r.rtp_tx_last_seq,
            "rxIpdvUsec": math_json!(r.rx_ipdv_usec),
            "rxRawJitterUsec": math_json!(r.rx_raw_jitter_usec),
            "peerSdes": {
                "cname": sdes.cname, "name": sdes.name, "email": sdes.email,
                "phone": sdes.phone, "loc": sdes.loc, "tool": sdes.tool, "note": sdes.note,
            },
        },
        "jbuf": {
            "frameSize": j.frame_size,
            "minPrefetch": j.min_prefetch,
            "maxPrefetch": j.max_prefetch,
            "burst": j.burst,
            "prefetch": j.prefetch,
            "size": j.size,
            "avgDelayMsec": j.avg_delay_msec,
            "minDelayMsec": j.min_delay_msec,
            "maxDelayMsec": j.max_delay_msec,
            "devDelayMsec": j.dev_delay_msec,
            "avgBurst": j.avg_burst,
            "lost": j.lost,
            "discard": j.discard,
            "empty": j.empty,
        },
    })
}

#[pymethods]
impl PyCall {
    /// A call object with nothing bound; `ferrosip.Call.__init__` binds
    /// it. Any arguments are for the subclass's `__init__`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Self {
            state: Mutex::new(State::default()),
        }
    }

    /// PJSUA2's constructor `Call(acc, call_id)`: remembers the account
    /// (an `Account`), and with a call id takes the incoming call that
    /// `Account.onIncomingCall` is offering: its callbacks come to this
    /// object from now on.
    fn _bind(slf: &Bound<'_, Self>, acc: &Bound<'_, PyAny>, call_id: i32) -> PyResult<()> {
        let title = "Call::Call()";
        let py = slf.py();
        let account = account_of(acc, title)?;
        lock(&slf.get().state).account = Some(account.clone());
        if call_id == INVALID_ID {
            return Ok(());
        }
        let handler = Callbacks::new(slf);
        let call = py
            .detach(|| ferrosip::Call::from_incoming(&account, call_id, handler))
            .py()?;
        lock(&slf.get().state).call = Some(call.clone());
        register(slf, call)
    }

    /// Calls `dst_uri` with the options of `prm` (a `CallOpParam`; an empty
    /// `opt` means one audio line); returns at once, progress comes to
    /// `onCallState`. The library keeps this object until the call is
    /// over.
    #[pyo3(name = "makeCall")]
    fn make_call(slf: &Bound<'_, Self>, dst_uri: &str, prm: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Call::makeCall()";
        let py = slf.py();
        let prm: CallOpParam = config_from_py(prm, title)?;
        let (account, current) = {
            let state = lock(&slf.get().state);
            (state.account.clone(), state.call.clone())
        };
        let handler = Callbacks::new(slf);
        let call = py
            .detach(|| {
                let account = account.ok_or_else(|| {
                    ferrosip::Error::new(status::PJ_EINVAL, title, "the Call has no account")
                })?;
                if current.is_some_and(|c| c.is_active()) {
                    return Err(ferrosip::Error::new(
                        status::PJ_EEXISTS,
                        title,
                        "this Call already has an active call",
                    ));
                }
                ferrosip::Call::make_call(&account, dst_uri, &prm, handler)
            })
            .py()?;
        lock(&slf.get().state).call = Some(call.clone());
        register(slf, call)
    }

    /// Answers an incoming call with `prm.statusCode` (180/183, 200, or a
    /// final error that ends it).
    fn answer(&self, py: Python<'_>, prm: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Call::answer()";
        let prm: CallOpParam = config_from_py(prm, title)?;
        self.with_call(py, title, |call| call.answer(&prm))
    }

    /// Ends the call in whatever state (an unanswered incoming call gets
    /// `prm.statusCode`, 603 when 0; an unanswered outgoing one is
    /// cancelled; an answered one gets a BYE).
    fn hangup(&self, py: Python<'_>, prm: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Call::hangup()";
        let prm: CallOpParam = config_from_py(prm, title)?;
        self.with_call(py, title, |call| call.hangup(&prm))
    }

    /// The call's state (a `CallInfo`).
    #[pyo3(name = "getInfo")]
    fn get_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut info = self.with_call(py, "Call::getInfo()", ferrosip::Call::info)?;
        if let Some((state, code, reason)) = lock(&self.state).reporting.clone() {
            info.state = state;
            info.state_text = state.name().to_owned();
            info.last_status_code = code;
            info.last_reason = reason;
        }
        call_data::call_info(py, &info)
    }

    /// Whether the call is still going.
    #[pyo3(name = "isActive")]
    fn is_active(&self, py: Python<'_>) -> bool {
        let call = self.call();
        py.detach(|| call.is_some_and(|c| c.is_active()))
    }

    /// The call id; `PJSUA_INVALID_ID` (-1) before the call is made. As
    /// in PJSUA2, the id stays after the call is over.
    #[pyo3(name = "getId")]
    fn get_id(&self) -> i32 {
        self.call().map_or(INVALID_ID, |c| c.id())
    }

    /// Whether an audio stream of the call runs.
    #[pyo3(name = "hasMedia")]
    fn has_media(&self, py: Python<'_>) -> bool {
        let call = self.call();
        py.detach(|| call.is_some_and(|c| c.has_media()))
    }

    /// The `AudioMedia` of media line `med_idx`'s stream (-1: the first
    /// line with one), to connect with `startTransmit`.
    #[pyo3(name = "getAudioMedia")]
    fn get_audio_media(&self, py: Python<'_>, med_idx: i32) -> PyResult<Py<PyAudioMedia>> {
        let media = self.with_call(py, "Call::getAudioMedia()", |c| c.audio_media(med_idx))?;
        PyAudioMedia::handle(py, media)
    }

    /// The RTP/RTCP statistics and jitter buffer state of media line
    /// `med_idx`'s stream (a `StreamStat`).
    #[pyo3(name = "getStreamStat")]
    fn get_stream_stat<'py>(&self, py: Python<'py>, med_idx: i32) -> PyResult<Bound<'py, PyAny>> {
        let stat = self.with_call(py, "Call::getStreamStat()", |c| c.stream_stat(med_idx))?;
        data(py, "StreamStat", &stream_stat_json(&stat))
    }

    /// How media line `med_idx`'s stream was set up (a `StreamInfo`).
    #[pyo3(name = "getStreamInfo")]
    fn get_stream_info<'py>(&self, py: Python<'py>, med_idx: i32) -> PyResult<Bound<'py, PyAny>> {
        let info = self.with_call(py, "Call::getStreamInfo()", |c| c.stream_info(med_idx))?;
        data(py, "StreamInfo", &stream_info_json(&info)?)
    }

    /// A text report of the call (pjsua's call dump), each line starting
    /// with `indent`; `with_media` adds each stream's statistics.
    fn dump(&self, py: Python<'_>, with_media: bool, indent: &str) -> PyResult<String> {
        self.with_call(py, "Call::dump()", |c| c.dump(with_media, indent))
    }

    /// Puts the call on hold (a re-INVITE offering `sendonly`);
    /// `onCallMediaState` then shows `PJSUA_CALL_MEDIA_LOCAL_HOLD`.
    #[pyo3(name = "setHold")]
    fn set_hold(&self, py: Python<'_>, prm: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Call::setHold()";
        let prm: CallOpParam = config_from_py(prm, title)?;
        self.with_call(py, title, |call| call.set_hold(&prm))
    }

    /// Sends a re-INVITE with a new offer; `prm.opt.flag` with
    /// `PJSUA_CALL_UNHOLD` releases a hold.
    fn reinvite(&self, py: Python<'_>, prm: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Call::reinvite()";
        let prm: CallOpParam = config_from_py(prm, title)?;
        self.with_call(py, title, |call| call.reinvite(&prm))
    }

    /// Sends an UPDATE with a new offer (RFC 3311).
    fn update(&self, py: Python<'_>, prm: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Call::update()";
        let prm: CallOpParam = config_from_py(prm, title)?;
        self.with_call(py, title, |call| call.update(&prm))
    }

    /// Sends `digits` as RFC 4733 events through the call's audio stream.
    #[pyo3(name = "dialDtmf")]
    fn dial_dtmf(&self, py: Python<'_>, digits: &str) -> PyResult<()> {
        self.with_call(py, "Call::dialDtmf()", |call| call.dial_dtmf(digits))
    }

    /// Sends DTMF digits by the method of `prm` (a `CallSendDtmfParam`:
    /// RFC 4733 events or SIP INFO).
    #[pyo3(name = "sendDtmf")]
    fn send_dtmf(&self, py: Python<'_>, prm: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Call::sendDtmf()";
        let prm: CallSendDtmfParam = config_from_py(prm, title)?;
        self.with_call(py, title, |call| call.send_dtmf(&prm))
    }

    /// Sends a MESSAGE within the call (a `SendInstantMessageParam`); the
    /// answer comes to `onInstantMessageStatus`.
    #[pyo3(name = "sendInstantMessage")]
    fn send_instant_message(&self, py: Python<'_>, prm: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Call::sendInstantMessage()";
        let prm: SendInstantMessageParam = config_from_py(prm, title)?;
        self.with_call(py, title, |call| call.send_instant_message(&prm))
    }

    /// Sends a typing indication within the call (a
    /// `SendTypingIndicationParam`).
    #[pyo3(name = "sendTypingIndication")]
    fn send_typing_indication(&self, py: Python<'_>, prm: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Call::sendTypingIndication()";
        let prm: SendTypingIndicationParam = config_from_py(prm, title)?;
        self.with_call(py, title, |call| call.send_typing_indication(&prm))
    }

    /// Sends a request within the call (a `CallSendRequestParam`: INFO,
    /// ...); its answer comes to `onCallTsxState`.
    #[pyo3(name = "sendRequest")]
    fn send_request(&self, py: Python<'_>, prm: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Call::sendRequest()";
        let prm: CallSendRequestParam = config_from_py(prm, title)?;
        self.with_call(py, title, |call| call.send_request(&prm))
    }

    /// Asks the peer to call `dest` (blind transfer); progress comes to
    /// `onCallTransferStatus`.
    fn xfer(&self, py: Python<'_>, dest: &str, prm: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "Call::xfer()";
        let prm: CallOpParam = config_from_py(prm, title)?;
        self.with_call(py, title, |call| call.xfer(dest, &prm))
    }

    /// Asks the peer to call the peer of `dest_call` (a `Call`) and
    /// replace that call (attended transfer).
    #[pyo3(name = "xferReplaces")]
    fn xfer_replaces(
        &self,
        py: Python<'_>,
        dest_call: &Bound<'_, PyAny>,
        prm: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let title = "Call::xferReplaces()";
        let prm: CallOpParam = config_from_py(prm, title)?;
        let dest = dest_call
            .cast::<Self>()
            .map_err(|_| pyo3::exceptions::PyTypeError::new_err("dest_call must be a Call"))?
            .get()
            .call();
        self.with_call(py, title, |call| {
            let dest = dest.ok_or_else(|| no_call(title))?;
            call.xfer_replaces(&dest, &prm)
        })
    }

    /// Decides about the redirection target `onCallRedirected` left
    /// pending: `cmd` is a `PJSIP_REDIRECT_*`.
    #[pyo3(name = "processRedirect")]
    fn process_redirect(&self, py: Python<'_>, cmd: i32) -> PyResult<()> {
        let op = RedirectOp::try_from(cmd).map_err(crate::error::to_py)?;
        self.with_call(py, "Call::processRedirect()", |call| {
            call.process_redirect(op)
        })
    }

    /// The `Call` object of the live call `call_id` (the very object it was
    /// made or taken with, subclass and all), or `None`.
    #[staticmethod]
    fn lookup(py: Python<'_>, call_id: i32) -> Option<Py<PyAny>> {
        let found = py.detach(|| {
            ferrosip::Endpoint::instance()
                .ok()
                .and_then(|ep| ferrosip::Call::lookup(&ep, call_id))
        })?;
        object_of(py, &found)
    }
}

/// Adds the class to the module.
pub(crate) fn register_classes(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCall>()?;
    Ok(())
}
