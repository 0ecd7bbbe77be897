//! baresip 1.0 (Debian's `baresip-core`) as a call peer on a free loopback
//! port, driven over its ctrl_tcp socket.
//!
//! [`Baresip::start`] (or [`Baresip::options`] … [`BaresipOptions::start`])
//! renders a config adapted from the shared test bed's
//! (`../shared/peers/baresip/`) into a fresh [`RunDir`]: `config`,
//! `accounts`, `contacts`, a tone WAV (`tone.wav`, 8 kHz mono for G.711),
//! and runs `baresip -f <run dir> -v -s` as a child process in its own
//! process group, its output (with a SIP trace) going to `baresip.log`.
//! Dropping the [`Baresip`] stops the process group and removes the run
//! directory.
//!
//! What it does:
//!
//! - SIP on `127.0.0.1:<free port>` (UDP and TCP), `net_interface
//!   127.0.0.1`;
//! - one account: registered at a registrar (a [`Kamailio`](crate::Kamailio))
//!   with the registrar as outbound proxy for every request, or local
//!   (`sip:<user>@127.0.0.1:<port>`, no REGISTER);
//! - answers incoming calls at once (`answermode=auto`) unless told not
//!   to; PCMU and PCMA only by default;
//! - the microphone is the aufile module playing the tone WAV (baresip ends
//!   the call when the file ends: it lasts [`BaresipOptions::tone`]'s
//!   seconds, 120 by default); received audio goes to the sndfile module,
//!   which writes `dumps/dump-<date>-<time>-dec.wav` (what it received,
//!   8 kHz) and `…-enc.wav` (what it sent) per call ([`Baresip::received_wavs`]).
//!   Two calls set up within the same second share a name (the later
//!   overwrites), and in baresip 1.0 the received dump stops at the call's
//!   first hold (the call goes on; nothing more is written after the
//!   re-INVITE): measure audio before any hold;
//! - ctrl_tcp on another free port: commands as netstring-framed JSON
//!   `{"command": NAME, "params": PARAMS, "token": T}`, answered by
//!   `{"response": true, "ok": BOOL, "data": TEXT, "token": T}`
//!   ([`Baresip::command`]); it also sends every UA event to each
//!   connection, `{"event": true, "type": "CALL_ESTABLISHED", "class":
//!   "call", "accountaor", "direction", "peeruri", "id", "param"}`
//!   ([`Baresip::expect`]).
//!
//! The commands are those of baresip 1.0's menu module (long forms, without
//! the slash): `dial <uri>`, `accept`, `hangup`, `hold` (a re-INVITE with
//! `a=sendonly`), `resume`, `reinvite`, `mute`, `sndcode <digits>` (DTMF as
//! RTP events, RFC 4733), `transfer <uri>` (blind, REFER), `line <n>`,
//! `listcalls`, `callstat`, `reginfo`, `answermode manual|auto|early`,
//! `help` (the in-call ones are listed only during a call), `quit`. The
//! event types seen: `REGISTER_OK`, `REGISTER_FAIL`, `CALL_INCOMING`,
//! `CALL_RINGING`, `CALL_PROGRESS`, `CALL_ESTABLISHED`, `CALL_CLOSED`
//! (`param`: the reason), `CALL_LOCAL_SDP`/`CALL_REMOTE_SDP` (`param`:
//! offer/answer), `CALL_RTPESTAB`, `CALL_RTCP` (with `rtcp_stats`),
//! `CALL_DTMF_START` (`param`: the digit, from RTP events or SIP INFO),
//! `CALL_DTMF_END`, `CALL_TRANSFER`, `AUDIO_ERROR`, `SHUTDOWN`, `EXIT`.

use std::fs::{self, File};
use std::io::{self, Read, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::events::{EventQueue, expect_error};
use crate::kamailio::{free_port, group_alive, not_installed, signal_group, tail, wait_exit};
use crate::{EVENT_TIMEOUT, Event, RunDir, find_program};

/// The config template: the shared test bed's, with the ports, paths and
/// modules filled in by [`BaresipOptions::render_config`].
const CONFIG: &str = "\
# baresip 1.0 config for ferrosip's interop tests (rendered by the interop
# crate, dev/interop/src/baresip.rs). Headless: no sound card; the
# microphone is a WAV file (aufile), received audio is dumped to WAV files
# by the sndfile filter.
poll_method\t\tepoll
sip_listen\t\t127.0.0.1:@SIP_PORT@
net_interface\t\t127.0.0.1
call_local_timeout\t120
call_max_calls\t\t4
statmode_default\toff

audio_player\t\taubridge,sink
audio_source\t\taufile,@SOURCE@
audio_alert\t\taubridge,sink
audio_level\t\tno
ausrc_format\t\ts16
auplay_format\t\ts16
auenc_format\t\ts16
audec_format\t\ts16
audio_buffer\t\t20-160
rtp_tos\t\t\t0
rtcp_mux\t\tno
jitter_buffer_delay\t5-10
rtp_stats\t\tno

module_path\t\t@MODULE_PATH@
module\t\t\tg711.so
module\t\t\tg722.so
module\t\t\taufile.so
module\t\t\taubridge.so
@SNDFILE@
module_tmp\t\tuuid.so
module_tmp\t\taccount.so
module_app\t\tmenu.so
module\t\t\tctrl_tcp.so

ctrl_tcp_listen\t\t127.0.0.1:@CTRL_PORT@
snd_path\t\t@DUMPS@
";

/// How many times [`BaresipOptions::start`] tries other ports when one it
/// picked was taken before baresip could bind it.
const PORT_ATTEMPTS: usize = 5;

/// How long [`Baresip::command`] waits for a response.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(20);

/// How to start a [`Baresip`]; from [`Baresip::options`].
#[derive(Debug, Clone)]
pub struct BaresipOptions {
    user: String,
    registrar: Option<(SocketAddr, String)>,
    auto_answer: bool,
    codecs: Vec<String>,
    tone_freq: f64,
    tone_seconds: f64,
    source: Option<PathBuf>,
    record: bool,
    account_params: Vec<String>,
    startup_timeout: Duration,
}

impl Default for BaresipOptions {
    fn default() -> Self {
        Self {
            user: "bob".into(),
            registrar: None,
            auto_answer: true,
            codecs: vec!["PCMU".into(), "PCMA".into()],
            tone_freq: 1000.0,
            tone_seconds: 120.0,
            source: None,
            record: true,
            account_params: Vec::new(),
            startup_timeout: Duration::from_secs(15),
        }
    }
}

impl BaresipOptions {
    /// The account's user part (default `bob`).
    pub fn user(mut self, user: &str) -> Self {
        self.user = user.to_owned();
        self
    }

    /// Registers the account `user`/`password` at `registrar` (such as
    /// [`Kamailio::addr`](crate::Kamailio::addr)) over UDP: AOR
    /// `sip:<user>@<registrar's IP>`, the registrar as outbound proxy for
    /// every request. [`BaresipOptions::start`] returns once the first
    /// REGISTER has succeeded. Without it the account is local and does not
    /// register.
    pub fn register(mut self, registrar: SocketAddr, user: &str, password: &str) -> Self {
        self.user = user.to_owned();
        self.registrar = Some((registrar, password.to_owned()));
        self
    }

    /// Whether to answer incoming calls at once (default true); without it,
    /// answer with [`Baresip::command`]`("accept")`.
    pub fn auto_answer(mut self, on: bool) -> Self {
        self.auto_answer = on;
        self
    }

    /// The codecs offered and accepted, in order (`PCMU`, `PCMA`, `G722`;
    /// default PCMU and PCMA).
    pub fn codecs(mut self, codecs: &[&str]) -> Self {
        self.codecs = codecs.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    /// The tone it sends: a sine of `freq` Hz (default 1000), `seconds` long
    /// (default 120: baresip hangs up when the file ends), written as
    /// `tone.wav` in the run directory, 8 kHz mono.
    pub fn tone(mut self, freq: f64, seconds: f64) -> Self {
        self.tone_freq = freq;
        self.tone_seconds = seconds;
        self.source = None;
        self
    }

    /// Sends this WAV file instead of a tone (8 kHz mono 16-bit for G.711).
    pub fn source_wav(mut self, wav: &Path) -> Self {
        self.source = Some(wav.to_path_buf());
        self
    }

    /// Whether the sndfile module records each call's audio (default
    /// true).
    pub fn record(mut self, on: bool) -> Self {
        self.record = on;
        self
    }

    /// Adds a parameter to the account line (`ptime=20`,
    /// `100rel=yes`, …; see baresip's `accounts` docs).
    pub fn account_param(mut self, param: &str) -> Self {
        self.account_params.push(param.to_owned());
        self
    }

    /// How long to wait for baresip to start (and register) (default 15 s).
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// Starts baresip; see the [module docs](self).
    ///
    /// # Errors
    ///
    /// `NotFound` when baresip or one of its modules is not installed (the
    /// message names `scripts/install-peers`); otherwise when the run
    /// directory cannot be made, or baresip exits, does not open its
    /// control socket or does not register in time (the message ends with
    /// the tail of its log).
    pub fn start(self) -> io::Result<Baresip> {
        let program = find_program("baresip").ok_or_else(|| not_installed("baresip"))?;
        let modules = Baresip::module_path().ok_or_else(|| not_installed("baresip's modules"))?;
        let mut last = None;
        for _ in 0..PORT_ATTEMPTS {
            match self.start_once(&program, &modules) {
                Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
                other => return other,
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("baresip did not start")))
    }

    fn start_once(&self, program: &Path, modules: &Path) -> io::Result<Baresip> {
        let run = RunDir::new("baresip")?;
        let dir = run.path();
        let sip_port = free_port()?;
        let ctrl_port = loop {
            let port = free_port()?;
            if port != sip_port {
                break port;
            }
        };
        let source = match &self.source {
            Some(wav) => wav.clone(),
            None => {
                let wav = dir.join("tone.wav");
                crate::audio::write_tone_wav(&wav, self.tone_freq, 8000, self.tone_seconds, 16384)?;
                wav
            }
        };
        let dumps = dir.join("dumps");
        fs::create_dir(&dumps)?;
        fs::write(
            dir.join("config"),
            self.render_config(sip_port, ctrl_port, &source, &dumps, modules)?,
        )?;
        fs::write(dir.join("accounts"), self.render_account(sip_port))?;
        fs::write(dir.join("contacts"), "# none\n")?;

        let log_path = dir.join("baresip.log");
        let log = File::create(&log_path)?;
        let child = Command::new(program)
            .arg("-f")
            .arg(dir)
            .args(["-v", "-s"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .spawn()?;
        let (tx, rx) = mpsc::channel();
        let (aor, uri) = self.identities(sip_port);
        let mut baresip = Baresip {
            child,
            sip_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, sip_port)),
            ctrl_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, ctrl_port)),
            ctrl: None,
            events: EventQueue::new(rx),
            next_token: 0,
            aor,
            uri,
            log: log_path,
            dumps,
            run,
        };
        baresip.connect(tx, self.startup_timeout)?;
        if self.registrar.is_some() {
            baresip.wait_registered(self.startup_timeout)?;
        }
        Ok(baresip)
    }

    /// (AOR, a URI that reaches it directly).
    fn identities(&self, sip_port: u16) -> (String, String) {
        let direct = format!("sip:{}@127.0.0.1:{sip_port}", self.user);
        match &self.registrar {
            Some((registrar, _)) => (format!("sip:{}@{}", self.user, registrar.ip()), direct),
            None => (direct.clone(), direct),
        }
    }

    fn render_config(
        &self,
        sip_port: u16,
        ctrl_port: u16,
        source: &Path,
        dumps: &Path,
        modules: &Path,
    ) -> io::Result<String> {
        let path = |p: &Path| {
            p.to_str()
                .filter(|s| !s.contains(['\n', ' ', '\t']))
                .map(str::to_owned)
                .ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("unusable path for baresip's config: {}", p.display()),
                    )
                })
        };
        let sndfile = if self.record {
            "module\t\t\tsndfile.so"
        } else {
            ""
        };
        Ok(CONFIG
            .replace("@SIP_PORT@", &sip_port.to_string())
            .replace("@CTRL_PORT@", &ctrl_port.to_string())
            .replace("@SOURCE@", &path(source)?)
            .replace("@DUMPS@", &path(dumps)?)
            .replace("@MODULE_PATH@", &path(modules)?)
            .replace("@SNDFILE@", sndfile))
    }

    fn render_account(&self, sip_port: u16) -> String {
        let (aor, _) = self.identities(sip_port);
        let mut params = vec![
            format!(
                "answermode={}",
                if self.auto_answer { "auto" } else { "manual" }
            ),
            format!("audio_codecs={}", self.codecs.join(",")),
            "mwi=no".to_owned(),
            "pubint=0".to_owned(),
        ];
        match &self.registrar {
            Some((registrar, password)) => {
                params.push(format!("auth_user={}", self.user));
                params.push(format!("auth_pass={password}"));
                params.push(format!("outbound=\"sip:{registrar};transport=udp\""));
                params.push("regint=300".to_owned());
            }
            None => params.push("regint=0".to_owned()),
        }
        params.extend(self.account_params.iter().cloned());
        format!(
            "# ferrosip interop: one account\n<{aor};transport=udp>;{}\n",
            params.join(";")
        )
    }
}

/// A running baresip (see the [module docs](self)); stopped on drop.
#[derive(Debug)]
pub struct Baresip {
    child: Child,
    sip_addr: SocketAddr,
    ctrl_addr: SocketAddr,
    ctrl: Option<TcpStream>,
    events: EventQueue,
    next_token: u64,
    aor: String,
    uri: String,
    log: PathBuf,
    dumps: PathBuf,
    // Dropped after `Drop::drop` has stopped baresip.
    run: RunDir,
}

impl Baresip {
    /// Starts baresip with the default options (local account `bob`,
    /// auto-answer, a 1000 Hz tone); see [`BaresipOptions::start`].
    ///
    /// # Errors
    ///
    /// As [`BaresipOptions::start`].
    pub fn start() -> io::Result<Self> {
        BaresipOptions::default().start()
    }

    /// Options to start baresip with, all at their defaults.
    pub fn options() -> BaresipOptions {
        BaresipOptions::default()
    }

    /// Whether baresip and the modules its config loads are installed (for
    /// [`require`](crate::require)).
    pub fn is_installed() -> bool {
        find_program("baresip").is_some() && Self::module_path().is_some()
    }

    /// The folder of baresip's modules, if it has the ones the config loads.
    fn module_path() -> Option<PathBuf> {
        let needed = [
            "g711.so",
            "g722.so",
            "aufile.so",
            "aubridge.so",
            "sndfile.so",
            "uuid.so",
            "account.so",
            "menu.so",
            "ctrl_tcp.so",
        ];
        let mut dirs = vec![
            PathBuf::from("/usr/lib/baresip/modules"),
            PathBuf::from("/usr/local/lib/baresip/modules"),
        ];
        if let Ok(entries) = fs::read_dir("/usr/lib") {
            dirs.extend(entries.flatten().map(|e| e.path().join("baresip/modules")));
        }
        dirs.into_iter()
            .find(|dir| needed.iter().all(|m| dir.join(m).is_file()))
    }

    /// Its SIP address, UDP and TCP: `127.0.0.1:<port>`.
    pub fn sip_addr(&self) -> SocketAddr {
        self.sip_addr
    }

    /// A URI that reaches it directly: `sip:<user>@127.0.0.1:<port>`.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The account's AOR: `sip:<user>@127.0.0.1` when registered, else as
    /// [`uri`](Self::uri).
    pub fn aor(&self) -> &str {
        &self.aor
    }

    /// The ctrl_tcp address.
    pub fn ctrl_addr(&self) -> SocketAddr {
        self.ctrl_addr
    }

    /// baresip's process id (the leader of its process group).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The run directory: `config`, `accounts`, `tone.wav`, `baresip.log`,
    /// `dumps/`.
    pub fn run_dir(&self) -> &Path {
        self.run.path()
    }

    /// Everything baresip has logged so far (with its SIP trace).
    pub fn log(&self) -> String {
        fs::read(&self.log)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// The WAV files of what it received, one per call (sndfile's
    /// `…-dec.wav`), oldest first. A file is complete once its call has
    /// closed (`CALL_CLOSED`); [`Wav::read`](crate::audio::Wav::read) reads
    /// one still being written too.
    ///
    /// # Errors
    ///
    /// When the dumps folder cannot be read.
    pub fn received_wavs(&self) -> io::Result<Vec<PathBuf>> {
        self.dumps_ending("-dec.wav")
    }

    /// The WAV files of what it sent, one per call (`…-enc.wav`).
    ///
    /// # Errors
    ///
    /// When the dumps folder cannot be read.
    pub fn sent_wavs(&self) -> io::Result<Vec<PathBuf>> {
        self.dumps_ending("-enc.wav")
    }

    fn dumps_ending(&self, suffix: &str) -> io::Result<Vec<PathBuf>> {
        let mut files: Vec<PathBuf> = fs::read_dir(&self.dumps)?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(suffix))
            })
            .collect();
        // The names hold the date and time.
        files.sort();
        Ok(files)
    }

    /// Runs a command of its menu over ctrl_tcp (`dial sip:…`, `hangup`,
    /// `accept`, `hold`, `resume`, `sndcode 123`, `transfer sip:…`,
    /// `listcalls`, …; a leading `/` is allowed) and returns its response
    /// (`data` holds the text it printed).
    ///
    /// # Errors
    ///
    /// When the response says `"ok": false` (the message holds its data),
    /// none comes in time, or the socket fails.
    pub fn command(&mut self, cmd: &str) -> io::Result<Event> {
        let cmd = cmd.trim().trim_start_matches('/');
        let (name, params) = cmd.split_once(' ').unwrap_or((cmd, ""));
        self.next_token += 1;
        let token = format!("ferrosip-{}", self.next_token);
        let msg = json!({"command": name, "params": params.trim(), "token": token}).to_string();
        let frame = format!("{}:{msg},", msg.len());
        let ctrl = self
            .ctrl
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "ctrl_tcp not connected"))?;
        ctrl.write_all(frame.as_bytes())?;
        let response = self.expect(
            |e| e.is("response") && e.str("token") == Some(token.as_str()),
            RESPONSE_TIMEOUT,
        )?;
        if response.bool("ok") != Some(true) {
            return Err(io::Error::other(format!(
                "baresip: {cmd} failed: {}",
                response.str("data").unwrap_or_default()
            )));
        }
        Ok(response)
    }

    /// `dial <uri>`.
    ///
    /// # Errors
    ///
    /// As [`command`](Self::command).
    pub fn dial(&mut self, uri: &str) -> io::Result<()> {
        self.command(&format!("dial {uri}")).map(drop)
    }

    /// `hangup`: the current call.
    ///
    /// # Errors
    ///
    /// As [`command`](Self::command).
    pub fn hangup(&mut self) -> io::Result<()> {
        self.command("hangup").map(drop)
    }

    /// `accept`: answers the incoming call.
    ///
    /// # Errors
    ///
    /// As [`command`](Self::command).
    pub fn accept(&mut self) -> io::Result<()> {
        self.command("accept").map(drop)
    }

    /// `sndcode <digits>`: DTMF as RTP events (RFC 4733). Incoming digits
    /// (RFC 4733 or SIP INFO `application/dtmf-relay`) come as
    /// `CALL_DTMF_START` events (`param`: the digit) and `CALL_DTMF_END`.
    ///
    /// # Errors
    ///
    /// As [`command`](Self::command).
    pub fn send_dtmf(&mut self, digits: &str) -> io::Result<()> {
        self.command(&format!("sndcode {digits}")).map(drop)
    }

    /// `hold`: puts the current call on hold, a re-INVITE whose SDP says
    /// `a=sendonly` (baresip keeps sending its audio). baresip 1.0's
    /// received dump stops at the call's first hold.
    ///
    /// # Errors
    ///
    /// As [`command`](Self::command).
    pub fn hold(&mut self) -> io::Result<()> {
        self.command("hold").map(drop)
    }

    /// `resume`: takes the current call off hold, a re-INVITE with
    /// `a=sendrecv`.
    ///
    /// # Errors
    ///
    /// As [`command`](Self::command).
    pub fn resume(&mut self) -> io::Result<()> {
        self.command("resume").map(drop)
    }

    /// `transfer <uri>`: blind transfer of the current call's peer to `uri`
    /// (a REFER). baresip closes the call (`CALL_CLOSED`, "Call
    /// transfered") once a NOTIFY reports the new call answered. Receiving
    /// a REFER, baresip accepts it (202), reports a `TRANSFER` event
    /// (`param`: the Refer-To URI), calls that URI and sends NOTIFYs
    /// (`100 Trying`, then the final status).
    ///
    /// # Errors
    ///
    /// As [`command`](Self::command).
    pub fn transfer(&mut self, uri: &str) -> io::Result<()> {
        self.command(&format!("transfer {uri}")).map(drop)
    }

    /// Waits up to `timeout` for the first event (or response) `pred`
    /// accepts, among those received and not yet taken, then new ones;
    /// takes it out of the queue.
    ///
    /// # Errors
    ///
    /// `TimedOut` when none came in time, `UnexpectedEof` when the control
    /// connection closed; the message lists the last events and the tail of
    /// baresip's log.
    pub fn expect(
        &mut self,
        pred: impl FnMut(&Event) -> bool,
        timeout: Duration,
    ) -> io::Result<Event> {
        self.events.expect(pred, timeout).map_err(|why| {
            expect_error(
                &format!("baresip {}", self.aor),
                &why,
                &self.events.recent(25),
                &tail(&self.log(), 40),
            )
        })
    }

    /// The next event of type `kind` (`CALL_ESTABLISHED`, `CALL_CLOSED`,
    /// …), within [`EVENT_TIMEOUT`].
    ///
    /// # Errors
    ///
    /// As [`expect`](Self::expect).
    pub fn expect_event(&mut self, kind: &str) -> io::Result<Event> {
        self.expect(|e| e.is(kind), EVENT_TIMEOUT)
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

    /// Connects to ctrl_tcp once it listens, and starts the reader thread.
    fn connect(&mut self, tx: Sender<Event>, timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                let log = self.log();
                let kind = if log.contains("Address already in use") || log.contains("EADDRINUSE") {
                    io::ErrorKind::AddrInUse
                } else {
                    io::ErrorKind::Other
                };
                return Err(io::Error::new(
                    kind,
                    format!("baresip exited at start ({status}):\n{}", tail(&log, 30)),
                ));
            }
            if let Ok(stream) = TcpStream::connect(self.ctrl_addr) {
                let reader = stream.try_clone()?;
                thread::spawn(move || read_netstrings(reader, &tx));
                self.ctrl = Some(stream);
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "baresip did not open ctrl_tcp on {} within {timeout:?}:\n{}",
                        self.ctrl_addr,
                        tail(&self.log(), 30)
                    ),
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `reginfo` shows the account registered (the
    /// `REGISTER_OK` event may come before the control connection).
    fn wait_registered(&mut self, timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let info = self.command("reginfo")?;
            let data = info.str("data").unwrap_or_default();
            if data.contains("OK") {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "baresip did not register within {timeout:?} (reginfo: {data:?}):\n{}",
                        tail(&self.log(), 40)
                    ),
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        let pid = self.child.id();
        // SIGTERM makes baresip stop its UAs, which can wait for pending
        // transactions (an unanswered INVITE: 32 s); it gets two seconds.
        signal_group(pid, "TERM");
        if !wait_exit(&mut self.child, Duration::from_secs(2)) {
            signal_group(pid, "KILL");
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while group_alive(pid) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        if group_alive(pid) {
            signal_group(pid, "KILL");
        }
    }
}

/// Reads netstrings (`<length>:<bytes>,`) of JSON from ctrl_tcp into `tx`
/// until the connection closes.
fn read_netstrings(mut stream: TcpStream, tx: &Sender<Event>) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        while let Some((value, used)) = parse_netstring(&buf) {
            buf.drain(..used);
            if let Some(value) = value {
                if tx.send(Event(value)).is_err() {
                    return;
                }
            }
        }
    }
}

/// The first netstring of `buf`: `(its JSON, if it is JSON; bytes used)`,
/// or `None` when it is not complete yet. Garbage before a length is
/// skipped.
fn parse_netstring(buf: &[u8]) -> Option<(Option<Value>, usize)> {
    let colon = buf.iter().position(|&b| b == b':')?;
    let digits = &buf[..colon];
    let Some(len) = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.trim().parse::<usize>().ok())
    else {
        // Not a length: drop up to the colon and resynchronise.
        return Some((None, colon + 1));
    };
    let end = colon + 1 + len;
    if buf.len() < end + 1 {
        return None;
    }
    let value = serde_json::from_slice(&buf[colon + 1..end]).ok();
    // The trailing comma (skipped whatever it is).
    Some((value, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_netstrings() {
        let two = b"7:{\"a\":1},8:{\"b\":22},";
        let (v, used) = parse_netstring(two).unwrap();
        assert_eq!(v, Some(json!({"a": 1})));
        assert_eq!(used, 10);
        let (v, used2) = parse_netstring(&two[used..]).unwrap();
        assert_eq!(v, Some(json!({"b": 22})));
        assert_eq!(used + used2, two.len());
        assert_eq!(parse_netstring(b"8:{\"b\":2"), None);
        assert_eq!(parse_netstring(b"x:"), Some((None, 2)));
    }

    #[test]
    fn renders_config_and_account() {
        let options =
            Baresip::options().register("127.0.0.1:5099".parse().unwrap(), "carol", "carolpw");
        let cfg = options
            .render_config(
                5070,
                5071,
                Path::new("/tmp/r/tone.wav"),
                Path::new("/tmp/r/dumps"),
                Path::new("/usr/lib/baresip/modules"),
            )
            .unwrap();
        assert!(!cfg.contains('@'), "unreplaced placeholder in\n{cfg}");
        assert!(cfg.contains("sip_listen\t\t127.0.0.1:5070"));
        assert!(cfg.contains("ctrl_tcp_listen\t\t127.0.0.1:5071"));
        assert!(cfg.contains("audio_source\t\taufile,/tmp/r/tone.wav"));
        assert!(cfg.contains("module\t\t\tsndfile.so"));
        let account = options.render_account(5070);
        assert!(
            account.contains("<sip:carol@127.0.0.1;transport=udp>;answermode=auto;"),
            "{account}"
        );
        assert!(account.contains("auth_pass=carolpw"), "{account}");
        assert!(
            account.contains("outbound=\"sip:127.0.0.1:5099;transport=udp\""),
            "{account}"
        );
        let local = Baresip::options().auto_answer(false).render_account(5070);
        assert!(
            local.contains("<sip:bob@127.0.0.1:5070;transport=udp>;answermode=manual;"),
            "{local}"
        );
        assert!(local.contains("regint=0"), "{local}");
    }
}
