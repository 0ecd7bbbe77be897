//! Registration benchmark: registrations per second against a real kamailio
//! registrar (digest auth, UDP, loopback), memory per account, and the time
//! `lib_destroy` takes with registered accounts. The same measurements for
//! the real PJSUA2 are in `dev/interop/peers/pjsua2/bench_register.py`;
//! `scripts/bench-register` runs both against the same kamailio and prints
//! them side by side (see BENCHMARKS.md, "Registration").
//!
//! ```text
//! cargo run --release -p ferrosip --example bench_register -- [COMMAND] [OPTIONS]
//!
//! COMMAND
//!   register   (default) create N accounts that register at once (401, then
//!              200), wait for every 200; then K rounds of
//!              set_registration(true) on every account (credentials sent up
//!              front: 200 at once), each round waiting for every 200; then
//!              lib_destroy, timed (it unregisters every account)
//!   memory     VmRSS (after 0.3 s of idling) before and after creating N
//!              accounts that do not register yet (registerOnAdd = false),
//!              then after registering them all, and again 6 s later (past
//!              Timer K, when the REGISTER transactions are gone), and after
//!              one more round of set_registration(true); then lib_destroy,
//!              timed
//!   kamailio   start kamailio with the users u0000…, print
//!              `KAMAILIO <addr> <log>` and keep it up until stdin closes
//!
//! OPTIONS
//!   --accounts N        accounts (default 200; memory: 1000)
//!   --rounds K          re-registration rounds (default 20)
//!   --threads T         uaConfig.threadCnt: 0 polls lib_handle_events here,
//!                       1 has a worker thread deliver the callbacks (default 0)
//!   --registrar IP:PORT a kamailio started by the `kamailio` command; without
//!                       it a kamailio with the accounts' users is started here
//!   --kamailio-log PATH that kamailio's log, to count the REGISTERs it received
//!   --users N           users for the `kamailio` command (default 1000)
//!   --first I           the first user to use (default 0: u0000)
//!   --batch B           register (and re-register) B accounts at a time,
//!                       waiting for their 200s before the next B (default 0:
//!                       all at once)
//!   --cycles C          register: measure the initial registration C times,
//!                       shutting the accounts down and creating them again
//!                       in between (default 1)
//! ```
//!
//! The users are `u0000`, `u0001`, … with passwords `u0000pw`, …, in domain
//! 127.0.0.1. Every command ends with one `RESULT key=value …` line that the
//! script reads. CPU time is the process's user + system time: the sum over
//! its threads of `/proc/self/task/*/schedstat` (the nanosecond total behind
//! getrusage(RUSAGE_SELF), none of our threads exits during a phase),
//! checked against `/proc/self/stat`'s utime + stime (getrusage's figure in
//! clock ticks).

use std::io::{BufRead as _, Write as _};
use std::process::ExitCode;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ferrosip::config::{AccountConfig, AuthCredInfo, CredDataType, EpConfig, TransportConfig};
use ferrosip::{Account, AccountHandler, Endpoint, OnRegStateParam, TransportType};
use interop::Kamailio;

/// How long any one phase may take before the run is given up.
const PHASE_LIMIT: Duration = Duration::from_secs(120);
/// How long the memory command waits after registering before it reads
/// VmRSS again: past Timer K (5 s), so that the REGISTER transactions are
/// gone.
const SETTLE: Duration = Duration::from_secs(6);

#[derive(Debug, Clone)]
struct Options {
    command: String,
    accounts: usize,
    rounds: usize,
    threads: u32,
    registrar: Option<String>,
    kamailio_log: Option<String>,
    users: usize,
    first: usize,
    batch: usize,
    cycles: usize,
}

fn usage() -> ! {
    eprintln!(
        "usage: bench_register [register|memory|kamailio] [--accounts N] [--rounds K] \
         [--threads 0|1] [--registrar IP:PORT] [--kamailio-log PATH] [--users N] [--first I] [--batch B] [--cycles C]"
    );
    std::process::exit(2);
}

fn parse_options() -> Options {
    let mut args = std::env::args().skip(1).peekable();
    let command = match args.peek().map(String::as_str) {
        Some("register" | "memory" | "kamailio") => args.next().unwrap_or_default(),
        _ => "register".to_owned(),
    };
    let mut o = Options {
        accounts: if command == "memory" { 1000 } else { 200 },
        command,
        rounds: 20,
        threads: 0,
        registrar: None,
        kamailio_log: None,
        users: 1000,
        first: 0,
        batch: 0,
        cycles: 1,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        let number = |v: String| v.parse::<usize>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--accounts" => o.accounts = number(value()),
            "--rounds" => o.rounds = number(value()),
            "--threads" => o.threads = number(value()) as u32,
            "--registrar" => o.registrar = Some(value()),
            "--kamailio-log" => o.kamailio_log = Some(value()),
            "--users" => o.users = number(value()),
            "--first" => o.first = number(value()),
            "--batch" => o.batch = number(value()),
            "--cycles" => o.cycles = number(value()),
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    o
}

fn user(i: usize) -> String {
    format!("u{i:04}")
}

// Measurements -------------------------------------------------------------

/// The process's resident set, in KiB (`VmRSS` of `/proc/self/status`).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU time of the process so far: (the sum over live threads of
/// `schedstat`'s on-CPU nanoseconds, utime + stime of `/proc/self/stat`).
fn cpu() -> (Duration, Duration) {
    let mut ns = 0u64;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            if let Ok(s) = std::fs::read_to_string(task.path().join("schedstat")) {
                ns += s
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
    }
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): state is
    // field 3, utime 14 and stime 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    (
        Duration::from_nanos(ns),
        Duration::from_millis(ticks * 1000 / clock_ticks()),
    )
}

/// `getconf CLK_TCK` (100 on Linux).
fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|&t| t > 0)
            .unwrap_or(100)
    })
}

/// Where kamailio's log ends now (its length), to count from there later.
fn log_mark(log: Option<&str>) -> Option<u64> {
    std::fs::metadata(log?).ok().map(|m| m.len())
}

/// Counts of what kamailio logged since `mark`: (REGISTERs received,
/// REGISTERs challenged). Reads only what was added, a line at a time, so
/// that counting neither grows the heap nor sweeps the caches (the whole log
/// reaches megabytes).
fn kamailio_counts(log: Option<&str>, mark: Option<u64>) -> Option<(u64, u64)> {
    use std::io::Seek as _;
    let mut file = std::fs::File::open(log?).ok()?;
    file.seek(std::io::SeekFrom::Start(mark?)).ok()?;
    let mut reader = std::io::BufReader::with_capacity(16 * 1024, file);
    let mut line = Vec::with_capacity(1024);
    let mut registers = 0;
    let mut challenged = 0;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        if text.contains("REQUEST REGISTER ") {
            registers += 1;
        } else if text.contains("AUTH: REGISTER ") && text.contains("challenge") {
            challenged += 1;
        }
    }
    Some((registers, challenged))
}

/// Datagrams dropped so far by the UDP sockets bound to `127.0.0.1:port`
/// (the `drops` column of `/proc/net/udp`; kamailio's sockets are in another
/// process, but the table is the network namespace's).
fn udp_drops(port: u16) -> u64 {
    let local = format!("0100007F:{port:04X}");
    let table = std::fs::read_to_string("/proc/net/udp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.get(1) == Some(&local.as_str()))
                .then(|| f.get(12).and_then(|d| d.parse::<u64>().ok()))
                .flatten()
        })
        .sum()
}

/// What a phase is measured against.
#[derive(Debug, Clone)]
struct Context {
    /// kamailio's log, when known.
    log: Option<String>,
    /// Our UDP port.
    ours: u16,
    /// kamailio's UDP port.
    registrar: u16,
}

/// One phase's figures.
#[derive(Debug, Default, Clone, Copy)]
struct Phase {
    wall: Duration,
    cpu: Duration,
    cpu_ticks: Duration,
    /// REGISTER transactions: from kamailio's log when known, else counted
    /// from the CSeqs of the final responses.
    registers: u64,
    /// REGISTERs kamailio challenged (401), when its log is known.
    challenged: Option<u64>,
    /// Datagrams our socket dropped (receive buffer full).
    drops_ours: u64,
    /// Datagrams kamailio's socket dropped.
    drops_registrar: u64,
}

impl Phase {
    /// Adds another measurement of the same kind (cycles of the initial
    /// phase).
    fn add(&mut self, other: &Self) {
        let empty = self.wall.is_zero() && self.registers == 0;
        self.challenged = match (self.challenged, other.challenged) {
            _ if empty => other.challenged,
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        self.wall += other.wall;
        self.cpu += other.cpu;
        self.cpu_ticks += other.cpu_ticks;
        self.registers += other.registers;
        self.drops_ours += other.drops_ours;
        self.drops_registrar += other.drops_registrar;
    }
}

struct Meter {
    start: Instant,
    cpu: (Duration, Duration),
    context: Context,
    mark: Option<u64>,
    drops: (u64, u64),
}

impl Meter {
    fn start(context: &Context) -> Self {
        Self {
            mark: log_mark(context.log.as_deref()),
            drops: (udp_drops(context.ours), udp_drops(context.registrar)),
            context: context.clone(),
            cpu: cpu(),
            start: Instant::now(),
        }
    }

    fn stop(self, registers_by_cseq: u64) -> Phase {
        let wall = self.start.elapsed();
        let (ns, ticks) = cpu();
        let drops = (
            udp_drops(self.context.ours),
            udp_drops(self.context.registrar),
        );
        let (registers, challenged) = match kamailio_counts(self.context.log.as_deref(), self.mark)
        {
            Some((r, c)) => (r, Some(c)),
            None => (registers_by_cseq, None),
        };
        Phase {
            wall,
            cpu: ns.saturating_sub(self.cpu.0),
            cpu_ticks: ticks.saturating_sub(self.cpu.1),
            registers,
            challenged,
            drops_ours: drops.0.saturating_sub(self.drops.0),
            drops_registrar: drops.1.saturating_sub(self.drops.1),
        }
    }
}

// The accounts' callbacks ----------------------------------------------------

#[derive(Debug, Default)]
struct Progress {
    /// Final 2xx responses so far.
    ok: usize,
    /// Other final outcomes so far.
    failed: usize,
    /// REGISTERs sent, from the CSeq of each final response (the first final
    /// response of each account counts from CSeq 1).
    registers: u64,
    /// The first failure, to show.
    first_failure: Option<String>,
}

#[derive(Debug, Default)]
struct Shared {
    progress: Mutex<Progress>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One account's handler: counts final responses into the shared progress.
struct Counter {
    shared: Arc<Shared>,
    last_cseq: u32,
}

/// The CSeq number in `Response msg 200/REGISTER/cseq=7`.
fn cseq_of(info: &str) -> Option<u32> {
    let rest = &info[info.find("cseq=")? + 5..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

impl AccountHandler for Counter {
    fn on_reg_state(&mut self, _acc: &Account, prm: &OnRegStateParam) {
        let mut p = self.shared.lock();
        if let Some(cseq) = cseq_of(&prm.rdata.info) {
            p.registers += u64::from(cseq.saturating_sub(self.last_cseq));
            self.last_cseq = cseq;
        }
        if (200..300).contains(&prm.code) {
            p.ok += 1;
        } else {
            p.failed += 1;
            if p.first_failure.is_none() {
                p.first_failure = Some(format!(
                    "{} {} (status {})",
                    prm.code, prm.reason, prm.status
                ));
            }
        }
        drop(p);
        self.shared.changed.notify_all();
    }
}

// The endpoint ---------------------------------------------------------------

fn endpoint(threads: u32) -> Endpoint {
    let ep = Endpoint::new();
    ep.lib_create().expect("lib_create");
    let mut cfg = EpConfig::default();
    cfg.ua_config.thread_cnt = threads;
    cfg.log_config.level = 0;
    cfg.log_config.console_level = 0;
    ep.lib_init(&cfg).expect("lib_init");
    let tc = TransportConfig {
        bound_address: "127.0.0.1".into(),
        ..TransportConfig::default()
    };
    ep.transport_create(TransportType::Udp, &tc)
        .expect("a UDP transport");
    ep.lib_start().expect("lib_start");
    ep
}

fn account_config(registrar: &str, name: &str, register_on_add: bool) -> AccountConfig {
    let mut cfg = AccountConfig {
        id_uri: format!("sip:{name}@{}", interop::kamailio::DOMAIN),
        ..AccountConfig::default()
    };
    cfg.reg_config.registrar_uri = format!("sip:{registrar}");
    cfg.reg_config.timeout_sec = 300;
    cfg.reg_config.register_on_add = register_on_add;
    cfg.sip_config.auth_creds.push(AuthCredInfo::new(
        "digest",
        "*",
        name,
        CredDataType::PlainPasswd,
        format!("{name}pw"),
    ));
    cfg
}

/// Waits (polling when `threads` is 0) until `target` final responses have
/// come; false on a failure or after [`PHASE_LIMIT`].
fn wait_for(ep: &Endpoint, shared: &Shared, threads: u32, target: usize) -> bool {
    let deadline = Instant::now() + PHASE_LIMIT;
    loop {
        {
            let p = shared.lock();
            if p.failed > 0 || p.ok >= target {
                return p.failed == 0;
            }
            if threads > 0 {
                let now = Instant::now();
                if now >= deadline {
                    return false;
                }
                let wait = (deadline - now).min(Duration::from_millis(100));
                let _ = shared
                    .changed
                    .wait_timeout(p, wait)
                    .unwrap_or_else(|e| e.into_inner());
                continue;
            }
        }
        if Instant::now() >= deadline {
            return false;
        }
        ep.lib_handle_events(10).expect("lib_handle_events");
    }
}

/// Lets `how_long` pass, polling when `threads` is 0.
fn idle(ep: &Endpoint, threads: u32, how_long: Duration) {
    let end = Instant::now() + how_long;
    while Instant::now() < end {
        if threads == 0 {
            ep.lib_handle_events(50).expect("lib_handle_events");
        } else {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Where to register: the given registrar, or a kamailio started here with
/// the users the run needs.
fn registrar(o: &Options) -> (Option<Kamailio>, String, Option<String>) {
    if let Some(r) = &o.registrar {
        return (None, r.clone(), o.kamailio_log.clone());
    }
    let k = start_kamailio(o.first + o.accounts);
    let addr = k.addr().to_string();
    let log = k.run_dir().join("kamailio.log").display().to_string();
    (Some(k), addr, Some(log))
}

fn context(ep: &Endpoint, registrar: &str, log: Option<String>) -> Context {
    let port = |addr: &str| {
        addr.rsplit_once(':')
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or(0)
    };
    let ours = ep
        .transport_get_info(0)
        .map(|t| port(&t.local_address))
        .unwrap_or(0);
    Context {
        log,
        ours,
        registrar: port(registrar),
    }
}

fn start_kamailio(users: usize) -> Kamailio {
    let mut options = Kamailio::options().startup_timeout(Duration::from_secs(60));
    for i in 0..users {
        let name = user(i);
        options = options.user(&name, &format!("{name}pw"));
    }
    options
        .start()
        .expect("kamailio starts (scripts/install-peers kamailio)")
}

fn secs(d: Duration) -> String {
    format!("{:.6}", d.as_secs_f64())
}

fn fail(shared: &Shared, what: &str) -> ExitCode {
    let p = shared.lock();
    eprintln!(
        "{what}: {} ok, {} failed; first failure: {}",
        p.ok,
        p.failed,
        p.first_failure.as_deref().unwrap_or("none (timed out)")
    );
    println!("RESULT impl=ferrosip error=1");
    ExitCode::FAILURE
}

fn phase_fields(name: &str, p: &Phase) -> String {
    let mut s = format!(
        "{name}_registers={} {name}_wall_s={} {name}_cpu_s={} {name}_cpu_ticks_s={} \
         {name}_drops_ours={} {name}_drops_registrar={}",
        p.registers,
        secs(p.wall),
        secs(p.cpu),
        secs(p.cpu_ticks),
        p.drops_ours,
        p.drops_registrar,
    );
    if let Some(c) = p.challenged {
        s.push_str(&format!(" {name}_challenged={c}"));
    }
    s
}

fn describe(name: &str, p: &Phase) {
    let n = p.registers.max(1) as f64;
    eprintln!(
        "{name:>9}: {} REGISTER transactions{} in {:.3} s = {:.0}/s; CPU {:.3} s \
         ({:.3} s by /proc/self/stat) = {:.1} µs per REGISTER; UDP drops: {} here, {} at kamailio",
        p.registers,
        p.challenged
            .map(|c| format!(" ({c} challenged 401)"))
            .unwrap_or_default(),
        p.wall.as_secs_f64(),
        p.registers as f64 / p.wall.as_secs_f64(),
        p.cpu.as_secs_f64(),
        p.cpu_ticks.as_secs_f64(),
        p.cpu.as_secs_f64() * 1e6 / n,
        p.drops_ours,
        p.drops_registrar,
    );
}

// Commands -------------------------------------------------------------------

fn register(o: &Options) -> ExitCode {
    let (_kamailio, registrar, log) = registrar(o);
    let ep = endpoint(o.threads);
    let context = context(&ep, &registrar, log);
    let shared = Arc::new(Shared::default());
    let configs: Vec<AccountConfig> = (o.first..o.first + o.accounts)
        .map(|i| account_config(&registrar, &user(i), true))
        .collect();

    // Every account registers: REGISTER, 401, REGISTER with credentials, 200.
    // With --cycles C, C times over: the accounts are shut down (their
    // un-REGISTERs are not measured) and created again.
    let batch = if o.batch == 0 { o.accounts } else { o.batch };
    let mut initial = Phase::default();
    let mut accounts: Vec<Account> = Vec::with_capacity(o.accounts);
    for cycle in 0..o.cycles.max(1) {
        if cycle > 0 {
            for acc in accounts.drain(..) {
                acc.shutdown().expect("Account::shutdown");
            }
            idle(&ep, o.threads, Duration::from_millis(50));
        }
        let base = shared.lock().ok;
        let sent = shared.lock().registers;
        let meter = Meter::start(&context);
        for chunk in configs.chunks(batch) {
            for cfg in chunk {
                let handler = Counter {
                    shared: shared.clone(),
                    last_cseq: 0,
                };
                accounts.push(Account::create(&ep, cfg, false, handler).expect("Account::create"));
            }
            if !wait_for(&ep, &shared, o.threads, base + accounts.len()) {
                return fail(&shared, "initial registration");
            }
        }
        initial.add(&meter.stop(shared.lock().registers - sent));
    }
    describe("initial", &initial);

    // K rounds of re-registration, credentials up front.
    let base = shared.lock().ok;
    let before = shared.lock().registers;
    let meter = Meter::start(&context);
    for round in 0..o.rounds {
        let mut target = base + o.accounts * round;
        for chunk in accounts.chunks(batch) {
            for acc in chunk {
                acc.set_registration(true).expect("set_registration");
            }
            target += chunk.len();
            if !wait_for(&ep, &shared, o.threads, target) {
                return fail(&shared, &format!("round {}", round + 1));
            }
        }
    }
    let rounds = meter.stop(shared.lock().registers - before);
    describe("rounds", &rounds);

    let active = accounts
        .iter()
        .filter(|a| a.info().is_ok_and(|i| i.reg_is_active))
        .count();
    let (destroy, unregisters) = destroy(&ep, &context);
    eprintln!(
        "  destroy: lib_destroy with {active} registered accounts took {:.3} s \
         ({unregisters} un-REGISTERs reached kamailio)",
        destroy.as_secs_f64()
    );
    println!(
        "RESULT impl=ferrosip mode=register threads={} accounts={} rounds={} batch={batch} \
         cycles={} {} {} destroy_s={} destroy_accounts={active} destroy_registers={unregisters}",
        o.threads,
        o.accounts,
        o.rounds,
        o.cycles.max(1),
        phase_fields("initial", &initial),
        phase_fields("rounds", &rounds),
        secs(destroy),
    );
    ExitCode::SUCCESS
}

/// Times `lib_destroy`; also returns how many REGISTERs kamailio received
/// meanwhile (the un-REGISTERs and their retransmissions; -1 when its log
/// is not known).
fn destroy(ep: &Endpoint, context: &Context) -> (Duration, i64) {
    let mark = log_mark(context.log.as_deref());
    let start = Instant::now();
    ep.lib_destroy().expect("lib_destroy");
    let took = start.elapsed();
    let registers = kamailio_counts(context.log.as_deref(), mark).map_or(-1, |(r, _)| r as i64);
    (took, registers)
}

fn memory(o: &Options) -> ExitCode {
    let (_kamailio, registrar, log) = registrar(o);
    let ep = endpoint(o.threads);
    let context = context(&ep, &registrar, log);
    let batch = if o.batch == 0 { o.accounts } else { o.batch };
    let shared = Arc::new(Shared::default());
    let mut accounts = Vec::with_capacity(o.accounts);
    // Let the start-up settle first (the DNS thread initialises on its own).
    idle(&ep, o.threads, Duration::from_millis(300));
    let before = rss_kib();
    let start = Instant::now();
    for i in o.first..o.first + o.accounts {
        let cfg = account_config(&registrar, &user(i), false);
        let handler = Counter {
            shared: shared.clone(),
            last_cseq: 0,
        };
        accounts.push(Account::create(&ep, &cfg, false, handler).expect("Account::create"));
    }
    let create = start.elapsed();
    let created = rss_kib();
    let meter = Meter::start(&context);
    let mut target = 0;
    for chunk in accounts.chunks(batch) {
        for acc in chunk {
            acc.set_registration(true).expect("set_registration");
        }
        target += chunk.len();
        if !wait_for(&ep, &shared, o.threads, target) {
            return fail(&shared, "registration");
        }
    }
    let registering = meter.stop(shared.lock().registers);
    let took = registering.wall;
    let registered = rss_kib();
    // The REGISTER transactions linger for Timer K (T4, 5 s over UDP).
    idle(&ep, o.threads, SETTLE);
    let settled = rss_kib();
    // One more round: do the freed transactions' pages get reused?
    let mut target = o.accounts;
    for chunk in accounts.chunks(batch) {
        for acc in chunk {
            acc.set_registration(true).expect("set_registration");
        }
        target += chunk.len();
        if !wait_for(&ep, &shared, o.threads, target) {
            return fail(&shared, "re-registration");
        }
    }
    let reregistered = rss_kib();
    let n = o.accounts as f64;
    let each = |kib: u64| kib.saturating_sub(before) as f64 / n;
    eprintln!(
        "   create: {} accounts (registerOnAdd = false) in {:.3} s = {:.1} µs each",
        o.accounts,
        create.as_secs_f64(),
        create.as_secs_f64() * 1e6 / n
    );
    eprintln!(
        "   memory: VmRSS {before} KiB before, {created} KiB with {} accounts ({:.2} KiB each), \
         {registered} KiB once registered ({:.2} KiB each; registering took {:.3} s), \
         {settled} KiB {} s later ({:.2} KiB each), {reregistered} KiB after one more \
         registration round ({:.2} KiB each)",
        o.accounts,
        each(created),
        each(registered),
        took.as_secs_f64(),
        SETTLE.as_secs(),
        each(settled),
        each(reregistered),
    );
    describe("register", &registering);
    let (destroy, unregisters) = destroy(&ep, &context);
    eprintln!(
        "  destroy: lib_destroy with {} registered accounts took {:.3} s \
         ({unregisters} un-REGISTERs reached kamailio)",
        o.accounts,
        destroy.as_secs_f64()
    );
    println!(
        "RESULT impl=ferrosip mode=memory threads={} accounts={} batch={batch} \
         rss_before_kib={before} rss_created_kib={created} rss_registered_kib={registered} \
         rss_settled_kib={settled} rss_reregistered_kib={reregistered} create_s={} {} \
         destroy_s={} destroy_accounts={} destroy_registers={unregisters}",
        o.threads,
        o.accounts,
        secs(create),
        phase_fields("register", &registering),
        secs(destroy),
        o.accounts,
    );
    ExitCode::SUCCESS
}

fn serve_kamailio(o: &Options) -> ExitCode {
    let start = Instant::now();
    let k = start_kamailio(o.users);
    eprintln!(
        "kamailio with {} users up in {:.2} s",
        o.users,
        start.elapsed().as_secs_f64()
    );
    println!(
        "KAMAILIO {} {}",
        k.addr(),
        k.run_dir().join("kamailio.log").display()
    );
    let _ = std::io::stdout().flush();
    // Hold it until stdin closes.
    let mut lines = std::io::stdin().lock().lines();
    while let Some(Ok(_)) = lines.next() {}
    drop(k);
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let o = parse_options();
    match o.command.as_str() {
        "register" => register(&o),
        "memory" => memory(&o),
        "kamailio" => serve_kamailio(&o),
        _ => usage(),
    }
}
