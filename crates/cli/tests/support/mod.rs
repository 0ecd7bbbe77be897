//! What the CLI tests share: a `ferrosip` process driven through stdin
//! (`Phone`), the options every test phone has, free ports, temp dirs.

#![allow(dead_code, reason = "each test file uses its own part")]

use std::io::{BufRead, BufReader, Write};
use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long any one step may take before the test gives up.
pub(crate) const STEP: Duration = Duration::from_secs(10);

/// A running `ferrosip` with its stdin and what it printed.
pub(crate) struct Phone {
    pub(crate) name: &'static str,
    pub(crate) child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Phone {
    pub(crate) fn start(name: &'static str, args: &[String]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ferrosip"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ferrosip runs");
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel();
        let seen = Arc::new(Mutex::new(Vec::new()));
        for out in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let tx = tx.clone();
            let seen = seen.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    seen.lock().unwrap().push(line.clone());
                    let _ = tx.send(line);
                }
            });
        }
        Self {
            name,
            child,
            stdin,
            lines: rx,
            seen,
        }
    }

    /// Waits for a line containing `what`; returns it.
    pub(crate) fn wait_for(&self, what: &str) -> String {
        let until = Instant::now() + STEP;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(what) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!(
            "{}: no line with {what:?}; it printed:\n{}",
            self.name,
            self.transcript()
        );
    }

    /// Sends console lines.
    pub(crate) fn send(&mut self, lines: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(lines.as_bytes()).expect("write to stdin");
        stdin.flush().expect("flush stdin");
    }

    /// Closes stdin and waits for the exit (killing it after a while);
    /// returns the exit code and everything printed.
    pub(crate) fn finish(mut self) -> (Option<i32>, String) {
        self.stdin = None;
        let until = Instant::now() + STEP;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status.code();
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Let the readers drain.
        std::thread::sleep(Duration::from_millis(100));
        (status, self.transcript())
    }

    /// Sends console lines followed by an `echo` of a marker of its own,
    /// and returns what was printed up to the marker: the commands'
    /// output (with whatever events came meanwhile). Commands run in
    /// order, so the output is theirs whatever was printed before.
    pub(crate) fn run(&mut self, lines: &str) -> String {
        static MARKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = MARKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mark = format!("-- end of step {n} --");
        self.send(&format!("{lines}\necho {mark}\n"));
        let until = Instant::now() + STEP;
        let mut out = Vec::new();
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(&mark) => return out.join("\n"),
                Ok(line) => out.push(line),
                Err(_) => break,
            }
        }
        panic!(
            "{}: {lines:?} did not finish; it printed:\n{}",
            self.name,
            self.transcript()
        );
    }

    /// Waits until at least `n` of the lines printed so far (all of
    /// them, whatever [`wait_for`](Self::wait_for) took) contain `what`.
    pub(crate) fn wait_count(&self, what: &str, n: usize) {
        let until = Instant::now() + STEP;
        loop {
            let seen = self
                .seen
                .lock()
                .unwrap()
                .iter()
                .filter(|l| l.contains(what))
                .count();
            if seen >= n {
                return;
            }
            if Instant::now() > until {
                panic!(
                    "{}: {seen} lines with {what:?}, not {n}; it printed:\n{}",
                    self.name,
                    self.transcript()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits for the process to exit by itself, stdin still open (`q`);
    /// kills it after a while. Returns the exit code and everything
    /// printed.
    pub(crate) fn exit_by_itself(mut self) -> (Option<i32>, String) {
        let until = Instant::now() + STEP;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status.code();
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(100));
        (status, self.transcript())
    }

    pub(crate) fn transcript(&self) -> String {
        self.seen.lock().unwrap().join("\n")
    }
}

/// An even port with the next one free too, for RTP and RTCP.
pub(crate) fn free_rtp_port() -> u16 {
    for _ in 0..100 {
        let probe = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let port = probe.local_addr().expect("addr").port() & !1;
        drop(probe);
        if port > 1024
            && UdpSocket::bind(("127.0.0.1", port)).is_ok()
            && UdpSocket::bind(("127.0.0.1", port + 1)).is_ok()
        {
            return port;
        }
    }
    panic!("no free port pair");
}

/// The options every phone of these tests has: loopback, no sound device,
/// UDP on a port the system picks, RTP from a free port.
pub(crate) fn base_args() -> Vec<String> {
    [
        "--null-audio",
        "--ip-addr",
        "127.0.0.1",
        "--bound-addr",
        "127.0.0.1",
        "--no-tcp",
        "--local-port",
        "0",
        "--log-level",
        "3",
        "--app-log-level",
        "3",
        "--rtp-port",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([free_rtp_port().to_string()])
    .collect()
}

/// The phone's SIP address, from its "listening on" line.
pub(crate) fn address(phone: &Phone) -> String {
    let line = phone.wait_for("SIP UDP transport created, listening on");
    line.rsplit(' ').next().expect("address").to_owned()
}

pub(crate) fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ferrosip-softphone-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub(crate) fn args(extra: &[&str]) -> Vec<String> {
    let mut a = base_args();
    a.extend(extra.iter().map(|s| (*s).to_owned()));
    a
}

/// The account options of `user` registering at `kamailio`.
pub(crate) fn registered(kamailio: &interop::Kamailio, user: &str, extra: &[&str]) -> Vec<String> {
    let addr = kamailio.addr();
    let mut a = args(&[
        "--id",
        &format!("sip:{user}@127.0.0.1"),
        "--registrar",
        &format!("sip:{addr}"),
        "--realm",
        "*",
        "--username",
        user,
        "--password",
        &format!("{user}pw"),
    ]);
    a.extend(extra.iter().map(|s| (*s).to_owned()));
    a
}
