//! The softphone: `ferrosip [options] [sip-url]`, PJSIP's `pjsua` on
//! ferrosip's public API.
//!
//! [`run`] starts the endpoint from the options' [`AppConfig`] (transports,
//! accounts, players, recorder, null or real sound device), calls the
//! `sip-url` if one was given, then runs the console on stdin, one command
//! a line (a terminal, a pipe or a file), until `q` or the end of the
//! input; then it hangs up every call and destroys the library. Events
//! (call and media states, incoming calls, registrations, DTMF, messages)
//! are printed as pjsua prints them, while the console waits for input:
//! with `--thread-cnt 0` the console's reader pumps
//! `Endpoint::lib_handle_events` itself.

mod commands;
mod events;

use std::io::{self, BufRead, IsTerminal, Read};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ferrosip::call::Call;
use ferrosip::config::CallOpParam;
use ferrosip::media::{AudioMedia, AudioMediaPlayer, AudioMediaRecorder, ToneDesc, ToneGenerator};
use ferrosip::{Account, Endpoint};

use crate::console::{ConsoleOptions, run_console_with};
use crate::options::{AppConfig, Options};

use events::{Events, State, say};

/// How long one wait for events lasts, ms.
const TICK_MS: u32 = 10;

/// Runs the softphone with `options` until `q` or the end of stdin; 0 on a
/// clean end, 1 if it could not start.
pub fn run(options: &Options) -> ExitCode {
    let app = match options.to_app_config() {
        Ok(app) => app,
        Err(e) => {
            eprintln!("ferrosip: {e}");
            eprintln!("Try `ferrosip --help`.");
            return ExitCode::from(2);
        }
    };
    let mut phone = match Softphone::start(options.clone(), app) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ferrosip: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    phone.call_at_start();
    let reader = PumpReader::stdin(phone.pump.clone());
    // The menu for a person at a terminal; scripts and pipes go without.
    let console = ConsoleOptions {
        show_menu: io::stdin().is_terminal(),
        ..ConsoleOptions::default()
    };
    let end = run_console_with(reader, io::stdout(), &mut phone, &console);
    phone.shutdown();
    match end {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ferrosip: console: {e}");
            ExitCode::from(1)
        }
    }
}

/// Handles events while the softphone waits: pumps the library when it
/// has no threads of its own, and hangs up calls whose `--duration` is
/// over.
#[derive(Clone)]
pub(crate) struct Pump {
    ep: Endpoint,
    events: Events,
    /// `--thread-cnt 0`: events only come in `lib_handle_events`.
    poll: bool,
}

impl Pump {
    /// Waits about one tick, handling what comes.
    pub(crate) fn tick(&self) {
        if self.poll {
            let _ = self.ep.lib_handle_events(TICK_MS);
        } else {
            std::thread::sleep(Duration::from_millis(u64::from(TICK_MS)));
        }
        self.duties();
    }

    /// What a tick does besides waiting: the `--duration` hang-ups.
    fn duties(&self) {
        let now = Instant::now();
        let due: Vec<Call> = {
            let mut s = self.events.lock();
            let (due, later): (Vec<_>, Vec<_>) =
                s.deadlines.drain(..).partition(|(t, _)| *t <= now);
            s.deadlines = later;
            due.iter()
                .filter_map(|(_, id)| s.calls.get(id).cloned())
                .collect()
        };
        for call in due {
            say(&format!("Duration is over: hanging up call {}", call.id()));
            if let Err(e) = call.hangup(&CallOpParam::default()) {
                say(&format!("Error hanging up call {}: {e}", call.id()));
            }
        }
    }

    /// Handles events for `ms` milliseconds.
    pub(crate) fn sleep(&self, ms: u64) {
        let until = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < until {
            self.tick();
        }
    }
}

/// Gives a local account the RTP options (`--rtp-port`, `--ip-addr`,
/// `--bound-addr`), as pjsua adjusts the local account it adds for each
/// transport (its `rtp_cfg`); without them its calls would take RTP ports
/// from 4000 on every address.
fn local_rtp(options: &Options, local: &Account) -> ferrosip::Result<()> {
    let mut cfg = local.config()?;
    let rtp = &mut cfg.media_config.transport_config;
    rtp.port = u32::from(options.rtp_port);
    rtp.public_address.clone_from(&options.ip_addr);
    rtp.bound_address.clone_from(&options.bound_addr);
    local.modify(&cfg)
}

/// Says what the presence options cannot do yet: the library has no
/// presence, so `--publish` publishes nothing and `--add-buddy` buddies
/// are not subscribed to (they serve `M` and calls by buddy number).
fn warn_presence(options: &Options) {
    for (i, a) in options.accounts.iter().enumerate() {
        if a.publish {
            say(&format!(
                "Warning: account {i}: --publish: presence (PUBLISH) is not in ferrosip yet; nothing is published"
            ));
        }
    }
    if !options.add_buddy.is_empty() {
        say(
            "Warning: --add-buddy: presence (SUBSCRIBE) is not in ferrosip yet; buddies serve calls only",
        );
    }
}

/// The running softphone: the endpoint, its accounts and media, and the
/// options it was started with (for `f` and `dc`).
pub(crate) struct Softphone {
    pub(crate) ep: Endpoint,
    pub(crate) pump: Pump,
    pub(crate) events: Events,
    pub(crate) options: Options,
    pub(crate) app: AppConfig,
    /// The accounts; the first is the default (the one calls go out from).
    pub(crate) accounts: Vec<Account>,
    /// Players and tone generators, kept alive.
    players: Vec<AudioMediaPlayer>,
    tones: Vec<ToneGenerator>,
    recorder: Option<AudioMediaRecorder>,
    destroyed: bool,
}

impl Softphone {
    /// Starts the library and everything the options ask for.
    fn start(options: Options, app: AppConfig) -> ferrosip::Result<Self> {
        let ep = Endpoint::new();
        ep.lib_create()?;
        let result = Self::start_on(&ep, options, app);
        if result.is_err() {
            let _ = ep.lib_destroy();
        }
        result
    }

    fn start_on(ep: &Endpoint, options: Options, app: AppConfig) -> ferrosip::Result<Self> {
        ep.lib_init(&app.ep_config)?;
        let mut transports = Vec::new();
        for t in app.transports.iter().filter(|t| t.enabled) {
            let id = ep.transport_create(t.type_, &t.config)?;
            let info = ep.transport_get_info(id)?;
            say(&format!(
                "SIP {} transport created, listening on {}",
                t.type_.name(),
                info.local_name
            ));
            transports.push(id);
        }
        ep.lib_start()?;
        warn_presence(&options);
        let adm = ep.aud_dev_manager();
        if app.media.null_audio {
            adm.set_null_dev()?;
        }
        let sound = match (adm.get_capture_dev_media(), adm.get_playback_dev_media()) {
            (Ok(c), Ok(p)) => Some((c, p)),
            _ => {
                // No sound device: pjsua would fail; run as with --null-audio.
                adm.set_null_dev()?;
                match (adm.get_capture_dev_media(), adm.get_playback_dev_media()) {
                    (Ok(c), Ok(p)) => Some((c, p)),
                    _ => None,
                }
            }
        };
        let state = Arc::new(Mutex::new(State {
            sound,
            ..State::default()
        }));
        let events = Events::new(state, app.media.clone(), app.call.clone());
        // Media: players, tone generators, the recorder.
        let mut players = Vec::new();
        for f in &app.media.play_files {
            players.push(AudioMediaPlayer::create_player(ep, f, 0)?);
            say(&format!("Playing {}", f.display()));
        }
        let clock_rate = app.ep_config.med_config.clock_rate.max(8000);
        let mut tones = Vec::new();
        for t in &app.media.play_tones {
            let g = ToneGenerator::create_tone_generator(ep, clock_rate, 1)?;
            let desc = ToneDesc {
                freq1: i16::try_from(t.freq1).unwrap_or(i16::MAX),
                freq2: i16::try_from(t.freq2).unwrap_or(i16::MAX),
                on_msec: i16::try_from(t.on_msec).unwrap_or(i16::MAX),
                off_msec: i16::try_from(t.off_msec).unwrap_or(i16::MAX),
                ..ToneDesc::default()
            };
            g.play(&[desc], true)?;
            tones.push(g);
        }
        let recorder = match &app.media.rec_file {
            Some(f) => {
                let r = AudioMediaRecorder::create_recorder(ep, f, 0, -1, 0)?;
                say(&format!("Recording to {}", f.display()));
                Some(r)
            }
            None => None,
        };
        {
            let mut s = events.lock();
            s.player = players
                .first()
                .map(|p| AudioMedia::clone(p))
                .or_else(|| tones.first().map(|t| AudioMedia::clone(t)));
            s.recorder = recorder.as_ref().map(|r| AudioMedia::clone(r));
        }
        // Accounts: the configured ones, else a local one per transport.
        let mut accounts = Vec::new();
        for (i, cfg) in app.accounts.iter().enumerate() {
            accounts.push(Account::create(ep, cfg, i == 0, events.clone())?);
        }
        for (i, t) in transports.iter().enumerate() {
            let default = accounts.is_empty() && i == 0;
            let local = Account::create_local(ep, *t, default, events.clone())?;
            local_rtp(&options, &local)?;
            if default {
                accounts.insert(0, local);
            } else {
                accounts.push(local);
            }
        }
        for a in &accounts {
            if let Ok(info) = a.info() {
                say(&format!("Account {} added: {}", a.id(), info.uri));
            }
        }
        let poll = app.ep_config.ua_config.thread_cnt == 0;
        let pump = Pump {
            ep: ep.clone(),
            events: events.clone(),
            poll,
        };
        Ok(Self {
            ep: ep.clone(),
            pump,
            events,
            options,
            app,
            accounts,
            players,
            tones,
            recorder,
            destroyed: false,
        })
    }

    /// Calls the command line's `sip-url`, if there is one.
    fn call_at_start(&mut self) {
        if let Some(url) = self.app.call.call_url.clone() {
            if let Err(e) = self.make_call(&url) {
                say(&format!("Error making call to {url}: {e}"));
            }
        }
    }

    /// Calls `url` from the default account.
    pub(crate) fn make_call(&mut self, url: &str) -> Result<i32, String> {
        let account = self
            .accounts
            .first()
            .ok_or_else(|| "no account to call from (no transport?)".to_owned())?;
        let call = Call::make_call(account, url, &CallOpParam::default(), self.events.clone())
            .map_err(|e| e.to_string())?;
        let id = call.id();
        self.events.add_call(call);
        self.events.lock().current = Some(id);
        Ok(id)
    }

    /// Hangs up every call, lets the BYEs go, destroys the library.
    pub(crate) fn shutdown(&mut self) {
        if self.destroyed {
            return;
        }
        self.destroyed = true;
        let live = !self.events.lock().calls.is_empty();
        if live {
            self.ep.hangup_all_calls();
            // Let the hang-ups complete (a moment, not a wait for answers).
            let until = Instant::now() + Duration::from_millis(500);
            while Instant::now() < until && !self.events.lock().calls.is_empty() {
                self.pump.tick();
            }
        }
        {
            let mut s = self.events.lock();
            s.calls.clear();
            s.streams.clear();
            s.player = None;
            s.recorder = None;
            s.sound = None;
        }
        self.players.clear();
        self.tones.clear();
        // Completes the WAV file.
        self.recorder = None;
        self.accounts.clear();
        if let Err(e) = self.ep.lib_destroy() {
            say(&format!("Error destroying the library: {e}"));
        }
    }
}

impl Drop for Softphone {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Lines from a reader thread, handed to the console as a `BufRead`; while
/// no line is there, it handles events (see [`Pump::tick`]).
struct PumpReader {
    lines: Receiver<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
    pump: Pump,
}

impl PumpReader {
    /// Reads stdin on a thread of its own.
    fn stdin(pump: Pump) -> Self {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let stdin = io::stdin();
            let mut input = stdin.lock();
            loop {
                let mut line = Vec::new();
                match input.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Self {
            lines: rx,
            buf: Vec::new(),
            pos: 0,
            pump,
        }
    }
}

impl Read for PumpReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for PumpReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.buf.len() {
            // Events first, so that what a line does comes after what
            // arrived before it.
            match self.lines.try_recv() {
                Ok(line) => {
                    self.buf = line;
                    self.pos = 0;
                }
                Err(mpsc::TryRecvError::Empty) => {
                    if self.pump.poll {
                        self.pump.tick();
                    } else {
                        match self
                            .lines
                            .recv_timeout(Duration::from_millis(u64::from(TICK_MS)))
                        {
                            Ok(line) => {
                                self.buf = line;
                                self.pos = 0;
                            }
                            Err(RecvTimeoutError::Timeout) => self.pump.duties(),
                            Err(RecvTimeoutError::Disconnected) => return Ok(&[]),
                        }
                    }
                }
                Err(mpsc::TryRecvError::Disconnected) => return Ok(&[]),
            }
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.buf.len());
    }
}
