//! OPTIONS transactions per second over real loopback UDP sockets, in one
//! process: a caller on the main thread keeps a window of outstanding OPTIONS
//! to an answerer on a thread of its own, until N were answered 200.
//!
//! Four pairings (`--mode`):
//!
//! - `stateful` — both ends are a [`Runtime`]: the caller sends each OPTIONS
//!   in a client transaction (`send_request`), the answerer's user answers in
//!   the server transaction (`respond`, all the requests one `run_once`
//!   returned under one `with_stack`). Server transactions stay for Timer J
//!   (64·T1 = 32 s over UDP), as RFC 3261 wants.
//! - `stateless` — the caller is a `Runtime`; the answerer is a plain UDP
//!   socket that parses each request (`Message::parse_lazy`), builds the 200
//!   with `Message::response_to` and sends it back, keeping nothing: what
//!   pjsip-perf calls a stateless server. The stack has no stateless-response
//!   command, so this end uses the message layer directly.
//! - `blast-stateful` — the caller is a plain socket writing OPTIONS from a
//!   template (a fresh branch, Call-ID and CSeq each) and counting the 200s;
//!   the answerer a stateful `Runtime`: the server's capacity alone.
//! - `blast-stateless` — the plain-socket caller against the stateless
//!   answerer: the message layer and the sockets, no transactions.
//!
//! Each run prints transactions per second (200s received ÷ wall time from
//! the first send to the last 200), the CPU time of each side's thread per
//! transaction (`/proc/thread-self/schedstat`, Linux; the answerer's includes
//! its idle polling before the first and after the last request, a few ms),
//! the requests the answerer's user saw (more than N when a stateless
//! answerer answers retransmissions), and the requests the plain-socket
//! caller gave up on and sent anew.
//!
//! ```sh
//! cargo bench -p ferrosip --bench loopback                    # every mode
//! cargo bench -p ferrosip --bench loopback -- --mode stateful --count 50000 --window 100
//! ```
//!
//! With `--peer ADDR` nothing answers here: both callers (`peer-runtime`,
//! `peer-blast`) call another implementation listening at ADDR, such as
//! PJSUA2 (see BENCHMARKS.md for the script).
//!
//! Without `--bench` (as `cargo test --benches` runs it) each mode runs a few
//! hundred transactions, as a smoke test. See BENCHMARKS.md.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ferrosip::runtime::Runtime;
use sip::uri::Uri;
use sip::{Address, Limits, Message, Method, StatusCode};
use sip_core::stack::{Event, StackConfig};
use sip_core::transport::{Target, TransportKind};

/// On-CPU time of the calling thread (Linux); zero elsewhere.
fn thread_cpu_time() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

/// How the answering end answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answering {
    Stateful,
    Stateless,
}

/// How the calling end calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Calling {
    Runtime,
    Blast,
}

/// The answerer, on a thread of its own until stopped.
struct Answerer {
    stop: Arc<AtomicBool>,
    worker: thread::JoinHandle<(u64, Duration)>,
    addr: SocketAddr,
}

impl Answerer {
    fn start(how: Answering) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (addr, worker) = match how {
            Answering::Stateful => {
                let mut config = StackConfig::default();
                config.seed = 2;
                let runtime = Runtime::new(config).expect("a runtime");
                let (_, addr) = runtime
                    .add_transport(TransportKind::Udp, "127.0.0.1:0".parse().expect("addr"))
                    .expect("a UDP transport");
                let stop = stop.clone();
                let worker = thread::spawn(move || answer_stateful(&runtime, &stop));
                (addr, worker)
            }
            Answering::Stateless => {
                let socket = UdpSocket::bind("127.0.0.1:0").expect("a socket");
                socket
                    .set_read_timeout(Some(Duration::from_millis(20)))
                    .expect("a timeout");
                let addr = socket.local_addr().expect("an address");
                let stop = stop.clone();
                let worker = thread::spawn(move || answer_stateless(&socket, &stop));
                (addr, worker)
            }
        };
        Self { stop, worker, addr }
    }

    /// Stops it; returns how many requests it answered and its CPU time.
    fn stop(self) -> (u64, Duration) {
        self.stop.store(true, Ordering::Relaxed);
        self.worker.join().expect("the answerer ran")
    }
}

fn answer_stateful(runtime: &Runtime, stop: &AtomicBool) -> (u64, Duration) {
    let cpu = thread_cpu_time();
    let mut answered = 0;
    while !stop.load(Ordering::Relaxed) {
        let requests: Vec<_> = runtime
            .run_once(Duration::from_millis(20))
            .into_iter()
            .filter_map(|e| match e {
                Event::Request {
                    transaction: Some(tx),
                    request,
                    ..
                } => Some((tx, request)),
                _ => None,
            })
            .collect();
        if requests.is_empty() {
            continue;
        }
        answered += requests.len() as u64;
        runtime.with_stack(|stack, now| {
            for (tx, request) in &requests {
                if let Ok(ok) = Message::response_to(request, StatusCode::OK)
                    .to_tag("answerer")
                    .build()
                {
                    let _ = stack.respond(now, *tx, &ok);
                }
            }
        });
    }
    (answered, thread_cpu_time() - cpu)
}

fn answer_stateless(socket: &UdpSocket, stop: &AtomicBool) -> (u64, Duration) {
    let cpu = thread_cpu_time();
    let limits = Limits::default();
    let mut buf = vec![0u8; 65_535];
    let mut out = Vec::with_capacity(1024);
    let mut answered = 0;
    while !stop.load(Ordering::Relaxed) {
        let Ok((n, from)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let Ok(request) = Message::parse_lazy(&buf[..n], &limits) else {
            continue;
        };
        if !request.is_request() || request.method() == Some(Method::Ack) {
            continue;
        }
        let Ok(ok) = Message::response_to(&request, StatusCode::OK)
            .to_tag("answerer")
            .build()
        else {
            continue;
        };
        out.clear();
        ok.write_to(&mut out);
        if socket.send_to(&out, from).is_ok() {
            answered += 1;
        }
    }
    (answered, thread_cpu_time() - cpu)
}

/// What one run measured.
struct Outcome {
    completed: u64,
    elapsed: Duration,
    caller_cpu: Duration,
    answerer_cpu: Duration,
    answered: u64,
    /// Requests the plain-socket caller gave up on and sent anew.
    resent: u64,
}

fn options(to: SocketAddr, n: u64) -> Message {
    let text = format!("sip:bob@{to}");
    let uri = Uri::parse(&text).expect("a URI");
    let mut from = Address::parse("<sip:alice@127.0.0.1>").expect("an address");
    from.params.push("tag", Some("caller"));
    Message::request(Method::Options, &uri)
        .from(&from)
        .to(&Address::new(uri.clone()))
        .call_id(&format!("bench-{n}@127.0.0.1"))
        .cseq(1)
        .build()
        .expect("an OPTIONS")
}

/// What the calling end reports: 200s received, wall time, its thread's CPU
/// time, and how many requests it gave up on and sent anew.
type Calls = (u64, Duration, Duration, u64);

/// A caller `Runtime` keeping `window` client transactions outstanding.
fn call_with_runtime(remote: SocketAddr, count: u64, window: u64) -> Calls {
    let mut config = StackConfig::default();
    config.seed = 1;
    let caller = Runtime::new(config).expect("a runtime");
    caller
        .add_transport(TransportKind::Udp, "127.0.0.1:0".parse().expect("addr"))
        .expect("a UDP transport");
    let target = Target {
        kind: TransportKind::Udp,
        addr: remote,
    };
    let cpu = thread_cpu_time();
    let start = Instant::now();
    let (mut sent, mut completed) = (0u64, 0u64);
    let deadline = start + Duration::from_secs(300);
    while completed < count && Instant::now() < deadline {
        let room = window.saturating_sub(sent - completed).min(count - sent);
        if room > 0 {
            caller.with_stack(|stack, now| {
                for _ in 0..room {
                    sent += 1;
                    let _ = stack.send_request(now, options(remote, sent), target);
                }
            });
        }
        for event in caller.run_once(Duration::from_millis(50)) {
            if let Event::Response { response, .. } = event {
                if response.status().is_some_and(|s| s.is_final()) {
                    completed += 1;
                }
            }
        }
    }
    // Client transactions retransmit by themselves (Timer E): none to count.
    (completed, start.elapsed(), thread_cpu_time() - cpu, 0)
}

/// A plain socket keeping `window` OPTIONS outstanding, counting 200s. After
/// 200 ms of silence what is outstanding counts as lost and goes out anew,
/// as new requests.
fn call_with_blaster(remote: SocketAddr, count: u64, window: u64) -> Calls {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a socket");
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("a timeout");
    let local = socket.local_addr().expect("an address");
    let mut buf = vec![0u8; 65_535];
    let cpu = thread_cpu_time();
    let start = Instant::now();
    let (mut issued, mut completed, mut outstanding, mut resent) = (0u64, 0u64, 0u64, 0u64);
    let deadline = start + Duration::from_secs(300);
    while completed < count && Instant::now() < deadline {
        while outstanding < window && completed + outstanding < count {
            issued += 1;
            outstanding += 1;
            let request = format!(
                "OPTIONS sip:bob@{remote} SIP/2.0\r\n\
                 Via: SIP/2.0/UDP {local};branch=z9hG4bKblast{issued};rport\r\n\
                 Max-Forwards: 70\r\n\
                 To: <sip:bob@{remote}>\r\n\
                 From: <sip:alice@{local}>;tag=blaster\r\n\
                 Call-ID: blast-{issued}@{local}\r\n\
                 CSeq: 1 OPTIONS\r\n\
                 Content-Length: 0\r\n\r\n"
            );
            let _ = socket.send_to(request.as_bytes(), remote);
        }
        match socket.recv_from(&mut buf) {
            Ok((n, _)) => {
                if buf[..n].starts_with(b"SIP/2.0 200") {
                    completed += 1;
                    outstanding = outstanding.saturating_sub(1);
                }
            }
            Err(_) => {
                resent += outstanding;
                outstanding = 0;
            }
        }
    }
    (completed, start.elapsed(), thread_cpu_time() - cpu, resent)
}

fn run(calling: Calling, answering: Answering, count: u64, window: u64) -> Outcome {
    let answerer = Answerer::start(answering);
    let (completed, elapsed, caller_cpu, resent) = match calling {
        Calling::Runtime => call_with_runtime(answerer.addr, count, window),
        Calling::Blast => call_with_blaster(answerer.addr, count, window),
    };
    let (answered, answerer_cpu) = answerer.stop();
    Outcome {
        completed,
        elapsed,
        caller_cpu,
        answerer_cpu,
        answered,
        resent,
    }
}

const MODES: [(&str, Calling, Answering); 4] = [
    ("stateful", Calling::Runtime, Answering::Stateful),
    ("stateless", Calling::Runtime, Answering::Stateless),
    ("blast-stateful", Calling::Blast, Answering::Stateful),
    ("blast-stateless", Calling::Blast, Answering::Stateless),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bench = args.iter().any(|a| a == "--bench");
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let count: u64 = value("--count")
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench { 50_000 } else { 300 });
    let window: u64 = value("--window")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let only = value("--mode");
    let repeat: u32 = value("--repeat")
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench { 3 } else { 1 });
    println!("loopback UDP OPTIONS: {count} transactions, window {window}");
    println!(
        "{:<16} {:>10} {:>8} {:>13} {:>15} {:>9} {:>7}",
        "mode", "tx/s", "seconds", "caller µs/tx", "answerer µs/tx", "answered", "resent"
    );
    if let Some(peer) = value("--peer") {
        // Another implementation answers: only the callers run here.
        let peer: SocketAddr = peer.parse().expect("--peer takes an address");
        for (name, calling) in [
            ("peer-runtime", Calling::Runtime),
            ("peer-blast", Calling::Blast),
        ] {
            if only.as_deref().is_some_and(|m| m != name) {
                continue;
            }
            for _ in 0..repeat {
                let (completed, elapsed, caller_cpu, resent) = match calling {
                    Calling::Runtime => call_with_runtime(peer, count, window),
                    Calling::Blast => call_with_blaster(peer, count, window),
                };
                assert!(completed >= count, "{name}: not every OPTIONS was answered");
                println!(
                    "{:<16} {:>10.0} {:>8.2} {:>13.1} {:>15} {:>9} {:>7}",
                    name,
                    completed as f64 / elapsed.as_secs_f64(),
                    elapsed.as_secs_f64(),
                    caller_cpu.as_secs_f64() * 1e6 / completed as f64,
                    "-",
                    "-",
                    resent
                );
            }
        }
        return;
    }
    for (name, calling, answering) in MODES {
        if only.as_deref().is_some_and(|m| m != name) {
            continue;
        }
        for _ in 0..repeat {
            let o = run(calling, answering, count, window);
            assert!(
                o.completed >= count,
                "{name}: not every OPTIONS was answered"
            );
            assert!(o.answered >= count, "{name}: the answerer lost count");
            let per = |d: Duration| d.as_secs_f64() * 1e6 / o.completed as f64;
            println!(
                "{:<16} {:>10.0} {:>8.2} {:>13.1} {:>15.1} {:>9} {:>7}",
                name,
                o.completed as f64 / o.elapsed.as_secs_f64(),
                o.elapsed.as_secs_f64(),
                per(o.caller_cpu),
                per(o.answerer_cpu),
                o.answered,
                o.resent
            );
        }
    }
}
