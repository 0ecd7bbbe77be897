//! Events that the scriptable peers report ([`Pjsua2Peer`](crate::Pjsua2Peer),
//! [`Baresip`](crate::Baresip)): JSON objects, waited for by predicate.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long the `expect_*` helpers wait for an event: generous, for a CI
/// machine of two cores running many peers at once. Nothing is timed
/// against it: an event that comes sooner returns at once.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(20);

/// A peer's call, as the peer numbers it (from 1 up, never reused).
pub type CallId = u64;

/// One event a peer reported: a JSON object.
///
/// From the PJSUA2 peer, `{"event": KIND, ...}` (see
/// [`Pjsua2Peer`](crate::Pjsua2Peer) for the kinds and their fields); from
/// baresip's ctrl_tcp, `{"event": true, "type": "CALL_ESTABLISHED", ...}`
/// or `{"response": true, "ok": ..., "data": ...}` (see
/// [`Baresip`](crate::Baresip)).
#[derive(Debug, Clone, PartialEq)]
pub struct Event(pub Value);

impl Event {
    /// The kind: the `event` field when it is a string (the PJSUA2 peer);
    /// else `response` for a baresip command's response, or the `type`
    /// field of a baresip event (`CALL_ESTABLISHED`, …); else "".
    pub fn kind(&self) -> &str {
        if let Some(kind) = self.str("event") {
            return kind;
        }
        if self.bool("response") == Some(true) {
            return "response";
        }
        self.str("type").unwrap_or("")
    }

    /// Whether the kind is `kind`.
    pub fn is(&self, kind: &str) -> bool {
        self.kind() == kind
    }

    /// The call it is about (the `call` field), if any.
    pub fn call(&self) -> Option<CallId> {
        self.u64("call")
    }

    /// The `state` field (of a `call_state` event: `CALLING`, `INCOMING`,
    /// `EARLY`, `CONNECTING`, `CONFIRMED`, `DISCONNECTED`).
    pub fn state(&self) -> Option<&str> {
        self.str("state")
    }

    /// Whether it is a `call_state` event of `call` in `state`.
    pub fn is_call_state(&self, call: CallId, state: &str) -> bool {
        self.is("call_state") && self.call() == Some(call) && self.state() == Some(state)
    }

    /// A field.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// A string field.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// An unsigned integer field.
    pub fn u64(&self, key: &str) -> Option<u64> {
        self.0.get(key).and_then(Value::as_u64)
    }

    /// An integer field.
    pub fn i64(&self, key: &str) -> Option<i64> {
        self.0.get(key).and_then(Value::as_i64)
    }

    /// A number field.
    pub fn f64(&self, key: &str) -> Option<f64> {
        self.0.get(key).and_then(Value::as_f64)
    }

    /// A boolean field.
    pub fn bool(&self, key: &str) -> Option<bool> {
        self.0.get(key).and_then(Value::as_bool)
    }

    /// The whole JSON object.
    pub fn value(&self) -> &Value {
        &self.0
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The events of one peer: those received and not yet taken by an
/// `expect`, and every one received (for error messages).
#[derive(Debug)]
pub(crate) struct EventQueue {
    rx: Receiver<Event>,
    pending: VecDeque<Event>,
    history: Vec<Event>,
    closed: bool,
}

impl EventQueue {
    pub(crate) fn new(rx: Receiver<Event>) -> Self {
        Self {
            rx,
            pending: VecDeque::new(),
            history: Vec::new(),
            closed: false,
        }
    }

    /// Moves what has arrived into `pending`.
    pub(crate) fn drain_channel(&mut self) {
        while let Ok(event) = self.rx.try_recv() {
            self.history.push(event.clone());
            self.pending.push_back(event);
        }
    }

    /// The first pending event that `pred` accepts (taken out of the queue),
    /// waiting up to `timeout` for one. Events it does not accept stay for
    /// later `expect`s, in order.
    ///
    /// `Err` says why there is none: the time ran out, or the peer closed
    /// its channel (it exited).
    pub(crate) fn expect(
        &mut self,
        mut pred: impl FnMut(&Event) -> bool,
        timeout: Duration,
    ) -> Result<Event, String> {
        self.drain_channel();
        if let Some(i) = self.pending.iter().position(&mut pred) {
            // `position` found it just now.
            return Ok(self.pending.remove(i).expect("index from position"));
        }
        let deadline = Instant::now() + timeout;
        loop {
            if self.closed {
                return Err("the peer has exited (its event channel is closed)".into());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(event) => {
                    self.history.push(event.clone());
                    if pred(&event) {
                        return Ok(event);
                    }
                    self.pending.push_back(event);
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("no such event within {timeout:?}"));
                }
                Err(RecvTimeoutError::Disconnected) => self.closed = true,
            }
        }
    }

    /// Every event received so far, in order.
    pub(crate) fn history(&self) -> &[Event] {
        &self.history
    }

    /// Takes the events received and not yet taken by an `expect`.
    pub(crate) fn take_pending(&mut self) -> Vec<Event> {
        self.drain_channel();
        self.pending.drain(..).collect()
    }

    /// The last `n` events received, one a line.
    pub(crate) fn recent(&self, n: usize) -> String {
        let start = self.history.len().saturating_sub(n);
        self.history[start..]
            .iter()
            .map(|e| format!("  {e}\n"))
            .collect()
    }
}

/// An `io::Error` for an `expect` that found nothing: why, what the peer
/// reported lately, and the tail of its log.
pub(crate) fn expect_error(peer: &str, why: &str, recent: &str, log_tail: &str) -> io::Error {
    let kind = if why.starts_with("no such event") {
        io::ErrorKind::TimedOut
    } else {
        io::ErrorKind::UnexpectedEof
    };
    io::Error::new(
        kind,
        format!("{peer}: {why}\nlast events:\n{recent}last lines of its log:\n{log_tail}"),
    )
}
