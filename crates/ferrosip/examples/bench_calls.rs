//! Call benchmark: call setups per second and CPU per call, and concurrent
//! calls with G.711 RTP both ways, measured over the whole process. The
//! same measurements for the real PJSUA2 are in
//! `dev/interop/peers/pjsua2/bench_calls.py`; `scripts/bench-calls` runs
//! both, several times each, and prints them side by side (see
//! BENCHMARKS.md, "Calls: side by side with PJSUA2").
//!
//! ```text
//! cargo run --release -p ferrosip --example bench_calls -- COMMAND [OPTIONS]
//!
//! COMMAND
//!   setup       a caller account calls a callee account in the same
//!               endpoint (two UDP transports on 127.0.0.1); the callee
//!               answers 200 at once in on_incoming_call (no 180), the
//!               caller hangs up as soon as the call is CONFIRMED; calls
//!               back to back with up to --inflight M in flight, for
//!               --seconds T or --calls N
//!   concurrent  N calls set up (--inflight at a time, not measured), then
//!               --seconds of wall time measured after --warmup: one
//!               looping player (speech8k_a.wav) transmits to every call's
//!               audio on both sides, and every call's audio transmits to
//!               the sound device port (port 0, the null device); 2 N
//!               streams, PCMU only, 20 ms, silence suppression off
//!
//! OPTIONS
//!   --count N       concurrent: calls (0 is the baseline: the same process
//!                   with the accounts and the player, no call)
//!   --calls N       setup: stop after N calls (default: --seconds)
//!   --seconds T     setup: how long to keep calling; concurrent: the
//!                   measured wall time (default 10)
//!   --inflight M    calls in flight at once (default 1)
//!   --audio connect|none
//!                   setup: connect the player and port 0 to each call's
//!                   audio when its media is active (connect, default), or
//!                   leave the streams unconnected (none)
//!   --warmup S      concurrent: seconds between the last call up and the
//!                   measurement (default 1)
//!   --rate R        setup: start at most R calls per second (default 0:
//!                   no limit but --inflight)
//!   --linger S      setup: after the last call, poll S more seconds (the
//!                   transactions' timers, 32 s, run out) and report the RSS
//!                   then (rss_linger_kib; default 0: not done)
//!   --files DIR     where the WAV files are (default target/bench-media/wav;
//!                   `bench_media files` writes them)
//! ```
//!
//! `threadCnt = 0`: every callback runs in `lib_handle_events`, polled
//! here. Each run ends with one line `RESULT impl=ferrosip scenario=… key=value …`.
//! CPU time is the process's user + system time, the sum over its threads
//! of `/proc/self/task/*/schedstat` (as `bench_media`).

#[path = "bench_support/mod.rs"]
mod bench_support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ferrosip::call::{
    Call, CallHandler, InvState, OnCallMediaStateParam, OnCallStateParam, OnIncomingCallParam,
};
use ferrosip::config::{AccountConfig, CallOpParam, EpConfig, TransportConfig};
use ferrosip::media::{AudioMedia, AudioMediaPlayer};
use ferrosip::{Account, AccountHandler, Endpoint, TransportType};

#[derive(Debug, Clone)]
struct Options {
    command: String,
    count: usize,
    calls: Option<usize>,
    seconds: f64,
    inflight: usize,
    connect: bool,
    warmup: f64,
    linger: f64,
    rate: f64,
    files: PathBuf,
}

fn usage() -> ! {
    eprintln!(
        "usage: bench_calls setup|concurrent [--count N] [--calls N] [--seconds T] \
         [--inflight M] [--audio connect|none] [--warmup S] [--files DIR]"
    );
    std::process::exit(2);
}

fn parse_options() -> Options {
    let mut args = std::env::args().skip(1);
    let command = match args.next().as_deref() {
        Some(c @ ("setup" | "concurrent")) => c.to_owned(),
        _ => usage(),
    };
    let mut o = Options {
        command,
        count: 1,
        calls: None,
        seconds: 10.0,
        inflight: 1,
        connect: true,
        warmup: 1.0,
        linger: 0.0,
        rate: 0.0,
        files: PathBuf::from("target/bench-media/wav"),
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        let number = |v: String| v.parse::<usize>().unwrap_or_else(|_| usage());
        let seconds = |v: String| {
            v.parse::<f64>()
                .ok()
                .filter(|s| *s >= 0.0)
                .unwrap_or_else(|| usage())
        };
        match flag.as_str() {
            "--count" => o.count = number(value()),
            "--calls" => o.calls = Some(number(value())),
            "--seconds" => o.seconds = seconds(value()),
            "--inflight" => o.inflight = number(value()).max(1),
            "--audio" => {
                o.connect = match value().as_str() {
                    "connect" => true,
                    "none" => false,
                    _ => usage(),
                }
            }
            "--warmup" => o.warmup = seconds(value()),
            "--linger" => o.linger = seconds(value()),
            "--rate" => o.rate = seconds(value()),
            "--files" => o.files = PathBuf::from(value()),
            _ => usage(),
        }
    }
    o
}

// Measurements (as bench_media) -------------------------------------------

use bench_support::{report, rss_kib, thread_cpu as cpu};

fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

// Shared state --------------------------------------------------------------

#[derive(Default)]
struct State {
    /// Calls the caller started.
    made: usize,
    /// Caller calls that reached CONFIRMED.
    confirmed: usize,
    /// Calls ended, caller side and callee side.
    caller_done: usize,
    callee_done: usize,
    /// Calls that ended without being confirmed, or with a failure.
    failures: usize,
    first_failure: Option<String>,
    /// Sides whose media became active.
    media_up: usize,
    /// Live calls, both sides (kept for the concurrent run's statistics).
    calls: Vec<Call>,
    /// Hang up the caller's call once confirmed (setup).
    hangup_on_confirm: bool,
    connect: bool,
    player: Option<AudioMediaPlayer>,
    speaker: Option<AudioMedia>,
}

#[derive(Clone)]
struct Shared(Arc<Mutex<State>>);

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

struct Side {
    shared: Shared,
    caller: bool,
    confirmed: bool,
}

impl CallHandler for Side {
    fn on_call_state(&mut self, call: &Call, prm: &OnCallStateParam) {
        match prm.state {
            InvState::Confirmed => {
                self.confirmed = true;
                let hangup = {
                    let mut s = self.shared.lock();
                    if self.caller {
                        s.confirmed += 1;
                    }
                    s.hangup_on_confirm && self.caller
                };
                if hangup {
                    if let Err(e) = call.hangup(&CallOpParam::default()) {
                        let mut s = self.shared.lock();
                        s.failures += 1;
                        s.first_failure.get_or_insert(format!("hangup: {e}"));
                    }
                }
            }
            InvState::Disconnected => {
                let mut s = self.shared.lock();
                if self.caller {
                    s.caller_done += 1;
                } else {
                    s.callee_done += 1;
                }
                if !self.confirmed || !s.hangup_on_confirm {
                    s.failures += 1;
                    s.first_failure.get_or_insert(format!(
                        "{} call ended {} {} (confirmed: {})",
                        if self.caller { "caller" } else { "callee" },
                        prm.code,
                        prm.reason,
                        self.confirmed
                    ));
                }
                let id = call.id();
                s.calls.retain(|c| c.id() != id);
            }
            _ => {}
        }
    }

    fn on_call_media_state(&mut self, call: &Call, _prm: &OnCallMediaStateParam) {
        let mut s = self.shared.lock();
        s.media_up += 1;
        if !s.connect {
            return;
        }
        let am = match call.audio_media(-1) {
            Ok(am) => am,
            Err(e) => {
                s.failures += 1;
                s.first_failure.get_or_insert(format!("audio_media: {e}"));
                return;
            }
        };
        let r = s
            .player
            .as_ref()
            .map(|p| p.start_transmit(&am))
            .transpose()
            .and_then(|_| {
                s.speaker
                    .as_ref()
                    .map(|sp| am.start_transmit(sp))
                    .transpose()
            });
        if let Err(e) = r {
            s.failures += 1;
            s.first_failure
                .get_or_insert(format!("start_transmit: {e}"));
        }
    }
}

struct Callee(Shared);

impl AccountHandler for Callee {
    fn on_incoming_call(&mut self, account: &Account, prm: &OnIncomingCallParam) {
        let side = Side {
            shared: self.0.clone(),
            caller: false,
            confirmed: false,
        };
        let r = Call::from_incoming(account, prm.call_id, side).and_then(|call| {
            call.answer(&CallOpParam {
                status_code: 200,
                ..CallOpParam::default()
            })?;
            Ok(call)
        });
        let mut s = self.0.lock();
        match r {
            Ok(call) => s.calls.push(call),
            Err(e) => {
                s.failures += 1;
                s.first_failure.get_or_insert(format!("answer: {e}"));
            }
        }
    }
}

struct NoIncoming;
impl AccountHandler for NoIncoming {}

struct Bench {
    ep: Endpoint,
    caller: Account,
    callee_uri: String,
    shared: Shared,
}

fn start(o: &Options, max_calls: usize) -> Result<Bench, String> {
    let ep = Endpoint::new();
    ep.lib_create().map_err(|e| e.to_string())?;
    let mut cfg = EpConfig::default();
    cfg.ua_config.thread_cnt = 0;
    cfg.ua_config.max_calls = u32::try_from(max_calls).unwrap_or(u32::MAX);
    cfg.med_config.no_vad = true;
    cfg.log_config.level = 0;
    cfg.log_config.console_level = 0;
    ep.lib_init(&cfg).map_err(|e| format!("lib_init: {e}"))?;
    let tc = TransportConfig {
        bound_address: "127.0.0.1".into(),
        ..TransportConfig::default()
    };
    let t_caller = ep
        .transport_create(TransportType::Udp, &tc)
        .map_err(|e| format!("transport: {e}"))?;
    let t_callee = ep
        .transport_create(TransportType::Udp, &tc)
        .map_err(|e| format!("transport: {e}"))?;
    ep.lib_start().map_err(|e| format!("lib_start: {e}"))?;
    ep.aud_dev_manager()
        .set_null_dev()
        .map_err(|e| format!("set_null_dev: {e}"))?;
    for c in ep.codec_enum2().map_err(|e| e.to_string())? {
        let p = if c.codec_id.starts_with("PCMU/") {
            255
        } else {
            0
        };
        ep.codec_set_priority(&c.codec_id, p)
            .map_err(|e| e.to_string())?;
    }
    let shared = Shared(Arc::new(Mutex::new(State {
        connect: o.connect,
        ..State::default()
    })));
    let addr = |t| {
        ep.transport_get_info(t)
            .map(|i| i.local_name)
            .map_err(|e| e.to_string())
    };
    let (caller_addr, callee_addr) = (addr(t_caller)?, addr(t_callee)?);
    let account = |user: &str, at: &str, t| {
        let mut c = AccountConfig {
            id_uri: format!("<sip:{user}@{at}>"),
            ..AccountConfig::default()
        };
        c.sip_config.transport_id = t;
        c.media_config.transport_config.bound_address = "127.0.0.1".into();
        c
    };
    let caller = Account::create(
        &ep,
        &account("caller", &caller_addr, t_caller),
        false,
        NoIncoming,
    )
    .map_err(|e| format!("account: {e}"))?;
    let _callee = Account::create(
        &ep,
        &account("callee", &callee_addr, t_callee),
        false,
        Callee(shared.clone()),
    )
    .map_err(|e| format!("account: {e}"))?;
    Ok(Bench {
        ep,
        caller,
        callee_uri: format!("sip:callee@{callee_addr}"),
        shared,
    })
}

impl Bench {
    fn make_call(&self) -> Result<(), String> {
        let side = Side {
            shared: self.shared.clone(),
            caller: true,
            confirmed: false,
        };
        self.shared.lock().made += 1;
        match Call::make_call(
            &self.caller,
            &self.callee_uri,
            &CallOpParam::new(true),
            side,
        ) {
            Ok(call) => {
                self.shared.lock().calls.push(call);
                Ok(())
            }
            Err(e) => {
                let mut s = self.shared.lock();
                s.made -= 1;
                Err(format!("make_call #{}: {e}", s.made + 1))
            }
        }
    }

    /// Calls not yet over on both sides.
    fn in_flight(&self) -> usize {
        let s = self.shared.lock();
        s.made - s.caller_done.min(s.callee_done)
    }

    fn pump(&self, ms: u32) {
        self.ep.lib_handle_events(ms).expect("lib_handle_events");
    }

    fn check(&self) -> Result<(), String> {
        match &self.shared.lock().first_failure {
            Some(f) => Err(f.clone()),
            None => Ok(()),
        }
    }

    fn attach_media(&self, o: &Options) -> Result<(), String> {
        let speaker = self
            .ep
            .aud_dev_manager()
            .get_playback_dev_media()
            .map_err(|e| format!("get_playback_dev_media: {e}"))?;
        let path = o.files.join("speech8k_a.wav");
        if !path.exists() {
            return Err(format!(
                "{} is missing: run `bench_media files --files {}` first",
                path.display(),
                o.files.display()
            ));
        }
        let player = AudioMediaPlayer::create_player(&self.ep, &path, 0)
            .map_err(|e| format!("create_player: {e}"))?;
        let mut s = self.shared.lock();
        s.player = Some(player);
        s.speaker = Some(speaker);
        Ok(())
    }

    fn finish(self) -> Result<(), String> {
        {
            let mut s = self.shared.lock();
            s.calls.clear();
            s.player = None;
            s.speaker = None;
        }
        self.ep
            .lib_destroy()
            .map_err(|e| format!("lib_destroy: {e}"))
    }
}

// setup ---------------------------------------------------------------------

fn setup(o: &Options) -> Result<String, String> {
    let b = start(o, 2 * o.inflight + 8)?;
    b.shared.lock().hangup_on_confirm = true;
    if o.connect {
        b.attach_media(o)?;
    }
    // One call first, not measured: first-use costs (code pages, the
    // bridge's first ports).
    b.make_call()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.in_flight() > 0 && Instant::now() < deadline {
        b.pump(5);
    }
    b.check()?;
    let warm = b.shared.lock().made;
    // The idle process's CPU (the media clock, the poll), for the net
    // figure at a paced rate: 1 s polled as the loop below polls.
    let (i0, _) = cpu();
    let t_idle = Instant::now();
    while t_idle.elapsed() < Duration::from_secs(1) {
        b.pump(10);
    }
    let idle_cpu_per_s = cpu().0.saturating_sub(i0).as_secs_f64() / t_idle.elapsed().as_secs_f64();
    let rss_before = rss_kib();
    let (c0, _) = cpu();
    let t0 = Instant::now();
    let length = Duration::from_secs_f64(o.seconds);
    let mut max_fds = 0;
    let mut next_sample = Duration::ZERO;
    let (mut last_ended, mut last_progress) = (0, Duration::ZERO);
    loop {
        let made = b.shared.lock().made - warm;
        let more = match o.calls {
            Some(n) => made < n,
            None => t0.elapsed() < length,
        };
        if !more && b.in_flight() == 0 {
            break;
        }
        let due = if o.rate > 0.0 {
            Duration::from_secs_f64(made as f64 / o.rate)
        } else {
            Duration::ZERO
        };
        let now = t0.elapsed();
        if more && now >= due && b.in_flight() < o.inflight {
            b.make_call()?;
            continue;
        }
        // Wait for an event (the poll returns when one is handled), or
        // until the next paced call is due.
        let wait = if more && now < due {
            due - now
        } else {
            Duration::from_millis(10)
        };
        b.pump(u32::try_from(wait.as_millis()).unwrap_or(10).clamp(1, 10));
        if now >= next_sample {
            // Every 100 ms: the descriptors (and every 5 s the RSS, on stderr).
            max_fds = max_fds.max(fds());
            if now.as_millis() % 5000 < 100 {
                eprintln!(
                    "t={:.1} calls={made} rss_kib={}",
                    now.as_secs_f64(),
                    rss_kib()
                );
            }
            next_sample = now + Duration::from_millis(100);
        }
        let ended = {
            let st = b.shared.lock();
            st.caller_done + st.callee_done
        };
        if ended != last_ended {
            (last_ended, last_progress) = (ended, now);
        } else if now > last_progress + Duration::from_secs(5) && b.in_flight() > 0 {
            // Stuck: say what the calls in flight are doing.
            let live = b.shared.lock().calls.clone();
            for c in &live {
                match c.info() {
                    Ok(i) => eprintln!(
                        "stuck: call {} {:?} {} {} {} {}",
                        i.id,
                        i.role,
                        i.state_text,
                        i.last_status_code,
                        i.last_reason,
                        i.call_id_string
                    ),
                    Err(e) => eprintln!("stuck: call {}: {e}", c.id()),
                }
            }
            let s = b.shared.lock();
            return Err(format!(
                "no call ended for 5 s with {} in flight (made {}, caller ended {}, callee ended {})",
                b.in_flight(),
                s.made,
                s.caller_done,
                s.callee_done
            ));
        }
    }
    let wall = t0.elapsed();
    let (c1, threads) = cpu();
    let rss_after = rss_kib();
    let t_linger = Instant::now();
    while t_linger.elapsed() < Duration::from_secs_f64(o.linger) {
        b.pump(20);
    }
    let rss_linger = rss_kib();
    // The CPU from the first call to the end of --linger: the
    // transactions' 32 s timers included when it is long enough.
    let cpu_to_linger_s = cpu().0.saturating_sub(c0).as_secs_f64();
    let (made, confirmed, failures, media_up, failure) = {
        let s = b.shared.lock();
        (
            s.made - warm,
            s.confirmed - warm,
            s.failures,
            s.media_up,
            s.first_failure.clone(),
        )
    };
    if let Some(f) = failure {
        eprintln!("setup: first failure: {f}");
    }
    b.finish()?;
    let cpu_s = c1.saturating_sub(c0).as_secs_f64();
    Ok(format!(
        "inflight={} rate={} audio={} wall_s={:.6} cpu_s={cpu_s:.6} threads={threads} calls={made} \
         completed={confirmed} failures={failures} media_up={media_up} setups_per_s={:.1} \
         cpu_us_per_call={:.1} idle_cpu_per_s={idle_cpu_per_s:.6} \
         net_cpu_us_per_call={:.1} rss_before_kib={rss_before} rss_after_kib={rss_after} \
         rss_linger_kib={rss_linger} linger_s={} \
         cpu_to_linger_s={cpu_to_linger_s:.6} max_fds={max_fds} procs=1",
        o.inflight,
        o.rate,
        if o.connect { "connect" } else { "none" },
        wall.as_secs_f64(),
        confirmed as f64 / wall.as_secs_f64(),
        cpu_s * 1e6 / confirmed.max(1) as f64,
        (cpu_s - idle_cpu_per_s * wall.as_secs_f64()) * 1e6 / confirmed.max(1) as f64,
        o.linger,
    ))
}

// concurrent ------------------------------------------------------------------

fn packets(calls: &[Call]) -> (u64, u64, u64, usize) {
    let (mut tx, mut rx, mut loss, mut streams) = (0, 0, 0, 0);
    for c in calls {
        if let Ok(st) = c.stream_stat(-1) {
            tx += st.rtcp.tx_stat.pkt;
            rx += st.rtcp.rx_stat.pkt;
            loss += st.rtcp.rx_stat.loss;
            streams += 1;
        }
    }
    (tx, rx, loss, streams)
}

/// A failure during the concurrent setup, with how far it got.
fn progress(b: &Bench, t: Instant, e: String) -> String {
    let s = b.shared.lock();
    format!(
        "{e} ({:.3} s into the setup: {} calls made, {} sides with media, {} confirmed)",
        t.elapsed().as_secs_f64(),
        s.made,
        s.media_up,
        s.confirmed
    )
}

fn concurrent(o: &Options) -> Result<String, String> {
    let b = start(o, 2 * o.count + 8)?;
    b.attach_media(o)?;
    let t_idle = Instant::now();
    while t_idle.elapsed() < Duration::from_millis(300) {
        b.pump(20);
    }
    let rss_before = rss_kib();
    let fds_before = fds();
    let t_setup = Instant::now();
    while b.shared.lock().made < o.count {
        let up = b.shared.lock().media_up;
        if b.shared.lock().made * 2 - up < 2 * o.inflight {
            b.make_call()?;
        } else {
            b.pump(1);
        }
        b.check().map_err(|e| progress(&b, t_setup, e))?;
        if t_setup.elapsed() > Duration::from_secs(120) {
            return Err("setting the calls up took over 120 s".into());
        }
    }
    while b.shared.lock().media_up < 2 * o.count {
        b.pump(5);
        b.check().map_err(|e| progress(&b, t_setup, e))?;
        if t_setup.elapsed() > Duration::from_secs(120) {
            return Err("setting the calls up took over 120 s".into());
        }
    }
    let setup_s = t_setup.elapsed().as_secs_f64();
    let fds_after = fds();
    let end = Instant::now() + Duration::from_secs_f64(o.warmup);
    while Instant::now() < end {
        b.pump(20);
    }
    let calls = b.shared.lock().calls.clone();
    let p0 = packets(&calls);
    let (c0, _) = cpu();
    let t0 = Instant::now();
    let length = Duration::from_secs_f64(o.seconds);
    while t0.elapsed() < length {
        let left = length.saturating_sub(t0.elapsed());
        let ms = u32::try_from(left.as_millis()).unwrap_or(50).clamp(1, 50);
        b.pump(ms);
    }
    let wall = t0.elapsed();
    let (c1, threads) = cpu();
    let p1 = packets(&calls);
    let rss_after = rss_kib();
    b.check()?;
    drop(calls);
    // Hang up (not measured).
    b.shared.lock().hangup_on_confirm = true;
    let live = b.shared.lock().calls.clone();
    for c in live {
        let _ = c.hangup(&CallOpParam::default());
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while b.in_flight() > 0 && Instant::now() < deadline {
        b.pump(5);
    }
    let left = b.in_flight();
    b.finish()?;
    Ok(format!(
        "wall_s={:.6} cpu_s={:.6} threads={threads} calls={} streams={} tx_pkt={} rx_pkt={} \
         loss={} rss_before_kib={rss_before} rss_after_kib={rss_after} fds_before={fds_before} \
         fds_after={fds_after} setup_s={setup_s:.3} left_after_hangup={left} procs=1",
        wall.as_secs_f64(),
        c1.saturating_sub(c0).as_secs_f64(),
        o.count,
        p1.3,
        p1.0 - p0.0,
        p1.1 - p0.1,
        // Cumulative loss can go down (late packets counted lost earlier).
        i128::from(p1.2) - i128::from(p0.2),
    ))
}

fn main() -> ExitCode {
    let o = parse_options();
    let result = match o.command.as_str() {
        "setup" => setup(&o),
        _ => concurrent(&o),
    };
    report(&o.command, o.count, o.seconds, result)
}
