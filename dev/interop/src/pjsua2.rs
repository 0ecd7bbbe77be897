//! The real PJSUA2 as a scriptable call peer: `peers/pjsua2/call_peer.py`
//! run with the venv's Python ([`pjsua2_python`](crate::pjsua2_python)),
//! driven step by step by a test.
//!
//! [`Pjsua2Peer::start`] spawns the script with its options (transports on
//! 127.0.0.1, an account, local or registered at a [`Kamailio`](crate::Kamailio),
//! auto-answer, 100rel, session timers, codecs), waits for its `ready` event
//! and returns. Then [`send`](Pjsua2Peer::send) gives it a command (a JSON
//! object, `{"cmd": ...}`; each command has a typed wrapper such as
//! [`make_call`](Pjsua2Peer::make_call)) and waits for its reply, and
//! [`expect`](Pjsua2Peer::expect) waits for an event (a JSON object,
//! `{"event": ...}`, see [`Event`]) that a predicate accepts. Events that no
//! `expect` has taken yet stay queued, in order, so a test waits for what
//! it cares about in the order it likes.
//!
//! The script's protocol (commands, replies, events and their fields) is
//! documented at the top of `peers/pjsua2/call_peer.py`. In short, events:
//!
//! | kind | fields |
//! |---|---|
//! | `ready` | `user`, `aor`, `uri`, `udp`, `tcp`, `pid` |
//! | `reg_state` | `code`, `reason`, `expires`, `active` |
//! | `incoming_call` | `call`, `remote_uri`, `remote_contact`, `local_uri`, `call_id`, `headers` {name: value}, `sdp` |
//! | `call_state` | `call`, `state` (`CALLING` `INCOMING` `EARLY` `CONNECTING` `CONFIRMED` `DISCONNECTED`), `code`, `reason`, `role` (`caller`/`callee`), `state_text`, `remote_uri`, `duration_ms` (when disconnected) |
//! | `media_state` | `call`, `status` (`active` `local_hold` `remote_hold` `none` `error`), `dir` (`sendrecv` `sendonly` `recvonly` `inactive`), `media` [{index, type, status, dir}] |
//! | `dtmf` | `call`, `digit`, `method` (`rfc2833`/`sip_info`), `duration` (null for RFC 4733) |
//! | `dtmf_event` | `call`, `digit`, `method`, `duration`, `flags`, `end`, `timestamp` (start and end of each digit) |
//! | `transfer_request` | `call`, `dst_uri`, `code`, `new_call` |
//! | `transfer_status` | `call`, `code`, `reason`, `final` |
//! | `replace_request` / `replaced` | `call`, `code`, `new_call` / `call`, `new_call` |
//! | `instant_message` | `call` (null out of dialog), `from`, `to`, `content_type`, `body` |
//! | `im_status` | `call`, `code`, `reason`, `body` |
//! | `typing` | `call`, `from`, `is_typing` |
//! | `redirected` | `call`, `target` |
//! | `rx_offer` / `rx_reinvite` | `call`, `sdp` |
//! | `ok` / `error` | the reply to a command: `cmd`, `seq`, results / `message` |
//!
//! ```no_run
//! use interop::{Pjsua2Peer, EVENT_TIMEOUT};
//!
//! if !interop::require("pjsua2", Pjsua2Peer::is_installed()) {
//!     return;
//! }
//! let mut bob = Pjsua2Peer::options().user("bob").codecs(&["PCMU"]).auto_answer(200).start().unwrap();
//! let mut alice = Pjsua2Peer::options().user("alice").codecs(&["PCMU"]).start().unwrap();
//! let call = alice.make_call(bob.uri()).unwrap();
//! alice.expect_call_state(call, "CONFIRMED").unwrap();
//! let incoming = bob.expect_kind("incoming_call").unwrap();
//! alice.play_tone(call, 440).unwrap();
//! let path = bob.run_dir().join("received.wav");
//! bob.record(incoming.call().unwrap(), &path).unwrap();
//! // ...
//! alice.hangup(call, 0).unwrap();
//! bob.expect(|e| e.is("call_state") && e.state() == Some("DISCONNECTED"), EVENT_TIMEOUT).unwrap();
//! ```
//!
//! PJSUA2's own log (level 4 by default: with every SIP message) goes to
//! `pjsua2.log` in the peer's run directory ([`Pjsua2Peer::log`]); errors
//! from [`expect`](Pjsua2Peer::expect) end with its last lines. Dropping the
//! peer kills the process (no BYE is sent: hang up first, or
//! [`quit`](Pjsua2Peer::quit)).
//!
//! PJSUA2's default codec order puts speex/16000 first; speex garbles a pure
//! tone, so tests that measure tones should ask for G.711
//! ([`Pjsua2Options::codecs`]).

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::events::{EventQueue, expect_error};
use crate::kamailio::{tail, wait_exit};
use crate::{CallId, EVENT_TIMEOUT, Event, RunDir};

/// The script, next to this crate's sources.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/pjsua2/call_peer.py");

/// How long [`Pjsua2Peer::send`] waits for a command's reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// How a DTMF digit is sent ([`Pjsua2Peer::send_dtmf`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfMethod {
    /// RTP events (RFC 2833/4733, `telephone-event`).
    Rfc2833,
    /// SIP INFO with `application/dtmf-relay`.
    SipInfo,
}

impl DtmfMethod {
    /// The name the script takes and reports: `rfc2833` or `sip_info`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rfc2833 => "rfc2833",
            Self::SipInfo => "sip_info",
        }
    }
}

/// Whether 100rel (RFC 3262, reliable provisional responses) is used
/// (`AccountCallConfig.prackUse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prack {
    /// Not used (PJSUA2's default).
    None,
    /// Supported: used when the peer asks for it.
    Optional,
    /// Required.
    Mandatory,
}

/// Session timers (RFC 4028) use (`AccountCallConfig.timerUse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionTimer {
    /// Not used.
    Inactive,
    /// Used when the peer supports them (PJSUA2's default).
    Optional,
    /// Required of the peer.
    Required,
    /// Always used, even when the peer does not say it supports them.
    Always,
}

/// How to start a [`Pjsua2Peer`]; from [`Pjsua2Peer::options`]. Every
/// setting becomes a key of the script's config (see
/// `peers/pjsua2/call_peer.py`); [`set`](Self::set) sets any other.
#[derive(Debug, Clone)]
pub struct Pjsua2Options {
    config: Map<String, Value>,
    python: Option<PathBuf>,
}

impl Default for Pjsua2Options {
    fn default() -> Self {
        let mut config = Map::new();
        config.insert("log_level".into(), json!(4));
        Self {
            config,
            python: None,
        }
    }
}

impl Pjsua2Options {
    /// Sets a key of the script's config as it is.
    pub fn set(mut self, key: &str, value: Value) -> Self {
        self.config.insert(key.to_owned(), value);
        self
    }

    /// The account's user part (default `peer`).
    pub fn user(self, user: &str) -> Self {
        self.set("user", json!(user))
    }

    /// The UDP transport's port on 127.0.0.1 (default 0: a free one).
    pub fn udp_port(self, port: u16) -> Self {
        self.set("udp_port", json!(port))
    }

    /// No UDP transport (then add TCP).
    pub fn no_udp(self) -> Self {
        self.set("udp_port", Value::Null)
    }

    /// A TCP transport on 127.0.0.1, on `port` (0: a free one). Default:
    /// none.
    pub fn tcp_port(self, port: u16) -> Self {
        self.set("tcp_port", json!(port))
    }

    /// Registers the account `user`/`password` at `registrar` (such as
    /// [`Kamailio::addr`](crate::Kamailio::addr)) over UDP: AOR
    /// `sip:<user>@<registrar's IP>`, with the registrar as outbound proxy
    /// for every request. Without it the account is local:
    /// `sip:<user>@127.0.0.1:<port>`.
    pub fn register(self, registrar: SocketAddr, user: &str, password: &str) -> Self {
        self.user(user)
            .set("registrar", json!(registrar.to_string()))
            .set("password", json!(password))
    }

    /// Registers (and sends everything to the registrar) over TCP instead of
    /// UDP; needs a TCP transport ([`tcp_port`](Self::tcp_port)).
    pub fn register_over_tcp(self) -> Self {
        self.set("reg_transport", json!("tcp"))
    }

    /// Answers every incoming call at once with `code` (200, or 486 to
    /// refuse, …).
    pub fn auto_answer(self, code: u16) -> Self {
        self.set("auto_answer", json!({"code": code, "delay_ms": 0}))
    }

    /// Answers every incoming call with 180 at once, then `code` after
    /// `delay`.
    pub fn auto_answer_after(self, code: u16, delay: Duration) -> Self {
        self.set(
            "auto_answer",
            json!({"code": code, "delay_ms": delay.as_millis() as u64}),
        )
    }

    /// 100rel (default: [`Prack::None`], PJSUA2's default).
    pub fn prack(self, prack: Prack) -> Self {
        let name = match prack {
            Prack::None => "none",
            Prack::Optional => "optional",
            Prack::Mandatory => "mandatory",
        };
        self.set("prack", json!(name))
    }

    /// Session timers: the use, `Session-Expires` and `Min-SE` in seconds
    /// (PJSUA2's defaults: optional, 1800, 90).
    pub fn session_timer(self, timer: SessionTimer, expires: u32, min_se: u32) -> Self {
        let name = match timer {
            SessionTimer::Inactive => "inactive",
            SessionTimer::Optional => "optional",
            SessionTimer::Required => "required",
            SessionTimer::Always => "always",
        };
        self.set("timer", json!(name))
            .set("timer_se", json!(expires))
            .set("timer_min_se", json!(min_se))
    }

    /// Only these codecs, in this order of preference (`"PCMU"`,
    /// `"PCMA/8000"`, `"G722"`, …; matched against PJSUA2's codec ids by
    /// prefix); every other codec off. `telephone-event` is always offered.
    pub fn codecs(self, codecs: &[&str]) -> Self {
        self.set("codecs", json!(codecs))
    }

    /// Holds calls the RFC 2543 way (`c=0.0.0.0`) instead of RFC 3264's
    /// `a=sendonly`.
    pub fn hold_rfc2543(self) -> Self {
        self.set("hold_type", json!("rfc2543"))
    }

    /// Plays a tone of `freq` Hz into every call once its audio is up.
    pub fn tone(self, freq: u32) -> Self {
        self.set("tone", json!(freq))
    }

    /// Records what every call receives into `<run dir>/call-<id>.wav`
    /// (see [`Pjsua2Peer::call_recording`]).
    pub fn record_calls(self) -> Self {
        self.set("record_calls", json!(true))
    }

    /// The answer to an incoming REFER (default 202: accept the transfer).
    pub fn transfer_answer(self, code: u16) -> Self {
        self.set("xfer_code", json!(code))
    }

    /// PJSUA2's log level into `pjsua2.log` (default 4: with every SIP
    /// message; 5 and 6 say more).
    pub fn log_level(self, level: u8) -> Self {
        self.set("log_level", json!(level))
    }

    /// The Python to run (default: [`pjsua2_python`](crate::pjsua2_python)).
    pub fn python(mut self, python: &Path) -> Self {
        self.python = Some(python.to_path_buf());
        self
    }

    /// Starts the peer; see [`Pjsua2Peer::start`].
    ///
    /// # Errors
    ///
    /// As [`Pjsua2Peer::start`].
    pub fn start(self) -> io::Result<Pjsua2Peer> {
        Pjsua2Peer::start(self)
    }
}

/// A running PJSUA2 call peer (see the [module docs](self)); killed on drop.
#[derive(Debug)]
pub struct Pjsua2Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    events: EventQueue,
    seq: u64,
    ready: Event,
    uri: String,
    aor: String,
    udp: Option<SocketAddr>,
    tcp: Option<SocketAddr>,
    log: PathBuf,
    // Dropped after `Drop::drop` has killed the process.
    run: RunDir,
}

impl Pjsua2Peer {
    /// Options to start a peer with, all at their defaults.
    pub fn options() -> Pjsua2Options {
        Pjsua2Options::default()
    }

    /// Whether the real PJSUA2 is installed (for [`require`](crate::require)).
    pub fn is_installed() -> bool {
        crate::pjsua2_python().is_some()
    }

    /// Starts `call_peer.py` in a fresh [`RunDir`] and waits for its `ready`
    /// event.
    ///
    /// # Errors
    ///
    /// `NotFound` when there is no Python with `pjsua2` (run
    /// `scripts/install-peers`); otherwise when the script cannot be run or
    /// reports an error or exits before it is ready (the message ends with
    /// the tail of its log).
    pub fn start(options: Pjsua2Options) -> io::Result<Self> {
        let python = match options.python.clone() {
            Some(python) => python,
            None => crate::pjsua2_python()
                .ok_or_else(|| crate::kamailio::not_installed("pjsua2 (pjsua2-python)"))?,
        };
        let run = RunDir::new("pjsua2")?;
        let mut config = options.config;
        if config.remove("record_calls").is_some() {
            let dir = run.path().to_str().ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "unusable run directory path")
            })?;
            config.insert("record_dir".into(), json!(dir));
        }
        let log = run.path().join("pjsua2.log");
        let mut child = Command::new(python)
            .arg(SCRIPT)
            .arg(Value::Object(config).to_string())
            .current_dir(run.path())
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(File::create(&log)?)
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout pipe"))?;
        let (tx, rx) = mpsc::channel();
        let unparsed = run.path().join("unparsed-stdout.txt");
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match serde_json::from_str::<Value>(&line) {
                    Ok(value @ Value::Object(_)) => {
                        if tx.send(Event(value)).is_err() {
                            break;
                        }
                    }
                    // The script writes only JSON objects there; keep
                    // anything else for whoever looks into the run dir.
                    _ => {
                        let _ = fs::OpenOptions::new()
                            .create(true)
                            .append(true)
                            .open(&unparsed)
                            .and_then(|mut f| writeln!(f, "{line}"));
                    }
                }
            }
        });
        let mut peer = Self {
            child,
            stdin,
            events: EventQueue::new(rx),
            seq: 0,
            ready: Event(Value::Null),
            uri: String::new(),
            aor: String::new(),
            udp: None,
            tcp: None,
            log,
            run,
        };
        let ready = peer.expect(|e| e.is("ready") || e.is("error"), EVENT_TIMEOUT)?;
        if ready.is("error") {
            return Err(io::Error::other(format!(
                "call_peer.py did not start: {}\n{}",
                ready.str("message").unwrap_or_default(),
                tail(&peer.log(), 30)
            )));
        }
        let addr = |key: &str| ready.str(key).and_then(|a| a.parse().ok());
        peer.udp = addr("udp");
        peer.tcp = addr("tcp");
        if peer.udp.is_none() && peer.tcp.is_none() {
            return Err(io::Error::other(format!(
                "call_peer.py reported no transport: {ready}"
            )));
        }
        peer.uri = ready.str("uri").unwrap_or_default().to_owned();
        peer.aor = ready.str("aor").unwrap_or_default().to_owned();
        peer.ready = ready;
        Ok(peer)
    }

    /// A URI that reaches this peer directly, without a registrar:
    /// `sip:<user>@127.0.0.1:<port>` (with `;transport=tcp` when it has only
    /// TCP).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The account's URI: its AOR (`sip:<user>@127.0.0.1` when registered),
    /// or the same as [`uri`](Self::uri) for a local account.
    pub fn aor(&self) -> &str {
        &self.aor
    }

    /// Its SIP address: the UDP transport's, else the TCP one's.
    pub fn sip_addr(&self) -> SocketAddr {
        // `start` fails unless the script reported one of the two.
        self.udp
            .or(self.tcp)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The UDP transport's address, if it has one.
    pub fn udp_addr(&self) -> Option<SocketAddr> {
        self.udp
    }

    /// The TCP transport's address, if it has one.
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp
    }

    /// The `ready` event it started with.
    pub fn ready(&self) -> &Event {
        &self.ready
    }

    /// The process id of the Python running PJSUA2.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its run directory: `pjsua2.log`, and the recordings of
    /// [`Pjsua2Options::record_calls`].
    pub fn run_dir(&self) -> &Path {
        self.run.path()
    }

    /// PJSUA2's log so far (its stderr).
    pub fn log(&self) -> String {
        fs::read(&self.log)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// Where [`Pjsua2Options::record_calls`] records `call`.
    pub fn call_recording(&self, call: CallId) -> PathBuf {
        self.run.path().join(format!("call-{call}.wav"))
    }

    /// Writes a command without waiting for its reply; returns its `seq`
    /// (the reply, `ok` or `error` with that `seq`, comes as an event).
    ///
    /// # Errors
    ///
    /// When the command is not a JSON object or cannot be written (the peer
    /// has exited).
    pub fn post(&mut self, cmd: Value) -> io::Result<u64> {
        let Value::Object(mut cmd) = cmd else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a command is a JSON object",
            ));
        };
        self.seq += 1;
        cmd.insert("seq".into(), json!(self.seq));
        let line = format!("{}\n", Value::Object(cmd));
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::BrokenPipe, "stdin closed"))?;
        stdin.write_all(line.as_bytes())?;
        stdin.flush()?;
        Ok(self.seq)
    }

    /// Gives the peer a command (`{"cmd": NAME, ...}`) and waits for its
    /// reply: the `ok` event, with the command's results.
    ///
    /// # Errors
    ///
    /// The `error` reply's message (PJSUA2's exception), or no reply in
    /// time, or the peer has exited.
    pub fn send(&mut self, cmd: Value) -> io::Result<Event> {
        let name = cmd
            .get("cmd")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let seq = self.post(cmd)?;
        let reply = self.expect(
            |e| (e.is("ok") || e.is("error")) && e.u64("seq") == Some(seq),
            REPLY_TIMEOUT,
        )?;
        if reply.is("error") {
            return Err(io::Error::other(format!(
                "PJSUA2 peer: {name} failed: {}",
                reply.str("message").unwrap_or_default()
            )));
        }
        Ok(reply)
    }

    /// Waits up to `timeout` for the first event `pred` accepts, among those
    /// received and not yet taken, then new ones; takes it out of the queue.
    ///
    /// # Errors
    ///
    /// `TimedOut` when none came in time, `UnexpectedEof` when the peer
    /// exited; the message lists the last events and the tail of PJSUA2's
    /// log.
    pub fn expect(
        &mut self,
        pred: impl FnMut(&Event) -> bool,
        timeout: Duration,
    ) -> io::Result<Event> {
        self.events.expect(pred, timeout).map_err(|why| {
            expect_error(
                &format!("PJSUA2 peer {}", self.aor),
                &why,
                &self.events.recent(25),
                &tail(&self.log(), 40),
            )
        })
    }

    /// The next event of kind `kind` (within [`EVENT_TIMEOUT`]).
    ///
    /// # Errors
    ///
    /// As [`expect`](Self::expect).
    pub fn expect_kind(&mut self, kind: &str) -> io::Result<Event> {
        self.expect(|e| e.is(kind), EVENT_TIMEOUT)
    }

    /// The next event of kind `kind` about `call` (within [`EVENT_TIMEOUT`]).
    ///
    /// # Errors
    ///
    /// As [`expect`](Self::expect).
    pub fn expect_call_event(&mut self, call: CallId, kind: &str) -> io::Result<Event> {
        self.expect(|e| e.is(kind) && e.call() == Some(call), EVENT_TIMEOUT)
    }

    /// The `call_state` event of `call` reaching `state` (within
    /// [`EVENT_TIMEOUT`]).
    ///
    /// # Errors
    ///
    /// As [`expect`](Self::expect).
    pub fn expect_call_state(&mut self, call: CallId, state: &str) -> io::Result<Event> {
        self.expect(|e| e.is_call_state(call, state), EVENT_TIMEOUT)
    }

    /// The next `media_state` event of `call` whose `status` is `status`
    /// (`active`, `local_hold`, `remote_hold`, `none`, `error`), within
    /// [`EVENT_TIMEOUT`].
    ///
    /// # Errors
    ///
    /// As [`expect`](Self::expect).
    pub fn expect_media_state(&mut self, call: CallId, status: &str) -> io::Result<Event> {
        self.expect(
            |e| e.is("media_state") && e.call() == Some(call) && e.str("status") == Some(status),
            EVENT_TIMEOUT,
        )
    }

    /// Takes every event received and not yet taken by an `expect`.
    pub fn take_events(&mut self) -> Vec<Event> {
        self.events.take_pending()
    }

    /// Every event received so far, taken or not, in order.
    pub fn history(&mut self) -> &[Event] {
        self.events.drain_channel();
        self.events.history()
    }

    /// `make_call`: calls `uri`; returns the new call's id.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn make_call(&mut self, uri: &str) -> io::Result<CallId> {
        let reply = self.send(json!({"cmd": "make_call", "uri": uri}))?;
        reply
            .call()
            .ok_or_else(|| io::Error::other(format!("make_call: no call id in {reply}")))
    }

    /// `answer`: answers an incoming call with `code` (180, 183, 200, 486…).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn answer(&mut self, call: CallId, code: u16) -> io::Result<()> {
        self.send(json!({"cmd": "answer", "call": call, "code": code}))
            .map(drop)
    }

    /// `hangup`: CANCEL, BYE or a final response as the state wants; `code`
    /// 0 lets PJSUA2 choose (603 for an incoming call not answered yet).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn hangup(&mut self, call: CallId, code: u16) -> io::Result<()> {
        self.send(json!({"cmd": "hangup", "call": call, "code": code}))
            .map(drop)
    }

    /// `hold`: `Call.setHold`.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn hold(&mut self, call: CallId) -> io::Result<()> {
        self.send(json!({"cmd": "hold", "call": call})).map(drop)
    }

    /// `unhold`: `Call.reinvite` with `PJSUA_CALL_UNHOLD`.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn unhold(&mut self, call: CallId) -> io::Result<()> {
        self.send(json!({"cmd": "unhold", "call": call})).map(drop)
    }

    /// `update`: `Call.update` (an UPDATE with an SDP offer).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn update(&mut self, call: CallId) -> io::Result<()> {
        self.send(json!({"cmd": "update", "call": call})).map(drop)
    }

    /// `xfer`: blind transfer of the call's peer to `dest` (REFER).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn xfer(&mut self, call: CallId, dest: &str) -> io::Result<()> {
        self.send(json!({"cmd": "xfer", "call": call, "dest": dest}))
            .map(drop)
    }

    /// `xfer_replaces`: attended transfer of `call`'s peer to `other`'s peer
    /// (REFER with Replaces).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn xfer_replaces(&mut self, call: CallId, other: CallId) -> io::Result<()> {
        self.send(json!({"cmd": "xfer_replaces", "call": call, "other": other}))
            .map(drop)
    }

    /// `dial_dtmf`: `Call.dialDtmf` (RFC 2833/4733).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn dial_dtmf(&mut self, call: CallId, digits: &str) -> io::Result<()> {
        self.send(json!({"cmd": "dial_dtmf", "call": call, "digits": digits}))
            .map(drop)
    }

    /// `send_dtmf`: `Call.sendDtmf` by `method`.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn send_dtmf(&mut self, call: CallId, digits: &str, method: DtmfMethod) -> io::Result<()> {
        self.send(json!({"cmd": "send_dtmf", "call": call, "digits": digits,
                         "method": method.name()}))
            .map(drop)
    }

    /// `send_im`: a MESSAGE in the call's dialog (`text/plain`).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn send_im(&mut self, call: CallId, text: &str) -> io::Result<()> {
        self.send(json!({"cmd": "send_im", "call": call, "text": text}))
            .map(drop)
    }

    /// `typing`: a typing indication in the call's dialog.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn typing(&mut self, call: CallId, is_typing: bool) -> io::Result<()> {
        self.send(json!({"cmd": "typing", "call": call, "is_typing": is_typing}))
            .map(drop)
    }

    /// `play_tone`: a continuous sine of `freq` Hz into the call.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn play_tone(&mut self, call: CallId, freq: u32) -> io::Result<()> {
        self.send(json!({"cmd": "play_tone", "call": call, "freq": freq}))
            .map(drop)
    }

    /// `play_file`: a WAV file into the call, looping.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn play_file(&mut self, call: CallId, wav: &Path) -> io::Result<()> {
        self.send(json!({"cmd": "play_file", "call": call, "path": wav}))
            .map(drop)
    }

    /// `stop_play`: stops the tone or file.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn stop_play(&mut self, call: CallId) -> io::Result<()> {
        self.send(json!({"cmd": "stop_play", "call": call}))
            .map(drop)
    }

    /// `record`: records what the call receives into the WAV file `path`
    /// (at the bridge's rate, 16 kHz by default).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn record(&mut self, call: CallId, path: &Path) -> io::Result<()> {
        self.send(json!({"cmd": "record", "call": call, "path": path}))
            .map(drop)
    }

    /// `stop_record`: ends the recording; the file is complete when this
    /// returns.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn stop_record(&mut self, call: CallId) -> io::Result<()> {
        self.send(json!({"cmd": "stop_record", "call": call}))
            .map(drop)
    }

    /// `stats`: the audio stream's figures (`codec`, `clock_rate`,
    /// `remote_rtp`, `tx_pt`, `rx_pt`, `dir`, `tx_pkt`, `rx_pkt`,
    /// `tx_bytes`, `rx_bytes`, `rx_loss`, `rx_discard`, `rx_dup`,
    /// `rx_reorder`, `jitter_us_mean`, `rtt_us_mean`) from
    /// `getStreamStat`/`getStreamInfo`.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send); also when the call has no audio.
    pub fn stats(&mut self, call: CallId) -> io::Result<Event> {
        self.send(json!({"cmd": "stats", "call": call}))
    }

    /// `info`: the call's `CallInfo` (`state`, `role`, `code`, `reason`,
    /// `remote_uri`, `remote_contact`, `local_uri`, `local_contact`,
    /// `call_id`, `connect_ms`, `rem_offerer`).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn info(&mut self, call: CallId) -> io::Result<Event> {
        self.send(json!({"cmd": "info", "call": call}))
    }

    /// Asks the peer to hang up, end PJSUA2 (`libDestroy`) and exit, and
    /// waits for it (killing it after 10 s).
    ///
    /// # Errors
    ///
    /// When the command cannot be written (it has exited already: not an
    /// error then) or waiting fails.
    pub fn quit(mut self) -> io::Result<()> {
        if self.post(json!({"cmd": "quit"})).is_ok() {
            drop(self.stdin.take());
            if !wait_exit(&mut self.child, Duration::from_secs(10)) {
                let _ = self.child.kill();
            }
        }
        self.child.wait().map(drop)
    }
}

impl Drop for Pjsua2Peer {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
