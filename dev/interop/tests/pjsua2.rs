//! The real PJSUA2 (`pjsua2-python`, from [`interop::pjsua2_python`])
//! registers with the harness's kamailio over UDP and TCP, and unregisters:
//! both peers work together as the interop tests of the other crates need.
//!
//! Each test skips (or fails under `CI=true`) when a peer is not installed:
//! run `scripts/install-peers`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use interop::Kamailio;

/// A `register.py` run, its output lines coming through a channel.
struct Pjsua2 {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Pjsua2 {
    fn register(
        python: &Path,
        kamailio: &Kamailio,
        user: &str,
        password: &str,
        proto: &str,
    ) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/pjsua2/register.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(kamailio.addr().port().to_string())
            .args([user, password, proto])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python runs");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdin,
            lines,
        }
    }

    /// The words after `prefix` on the next line that starts with it.
    fn expect(&self, prefix: &str) -> String {
        let mut seen = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(15))
                .unwrap_or_else(|_| panic!("no {prefix} line from register.py; saw {seen:?}"));
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest.trim().to_owned();
            }
            seen.push(line);
        }
    }

    /// Closes stdin: register.py unregisters and exits.
    fn finish(&mut self) -> String {
        drop(self.stdin.take());
        let result = self.expect("UNREGISTERED");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "register.py: {status}");
        result
    }
}

impl Drop for Pjsua2 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn peers() -> Option<(PathBuf, Kamailio)> {
    if !interop::require("kamailio", Kamailio::is_installed()) {
        return None;
    }
    let python = interop::pjsua2_python();
    if !interop::require("pjsua2", python.is_some()) {
        return None;
    }
    Some((python?, Kamailio::start().expect("kamailio starts")))
}

fn registers_and_unregisters(proto: &str) {
    let Some((python, kamailio)) = peers() else {
        return;
    };
    let mut pjsua2 = Pjsua2::register(&python, &kamailio, "erin", "erinpw", proto);
    assert_eq!(pjsua2.expect("REGISTERED"), "200", "{}", kamailio.log());

    let bindings = kamailio.bindings("erin").unwrap();
    assert_eq!(bindings.len(), 1, "{bindings:?}");
    let binding = &bindings[0];
    assert!(
        binding.address.starts_with("sip:erin@127.0.0.1:"),
        "{binding:?}"
    );
    let tcp = binding
        .address
        .to_ascii_lowercase()
        .contains(";transport=tcp");
    assert_eq!(tcp, proto == "tcp", "{binding:?}");
    // PJSUA2 registers with RFC 5626 outbound's `;ob` (and, over TCP, a
    // +sip.instance and reg-id); kamailio keeps them as sent.
    assert!(binding.address.contains(";ob"), "{binding:?}");
    let expires = binding.expires.unwrap();
    assert!((290..=300).contains(&expires), "{binding:?}");

    assert_eq!(pjsua2.finish(), "200");
    assert!(kamailio.contacts("erin").unwrap().is_empty());
}

#[test]
fn pjsua2_registers_over_udp() {
    registers_and_unregisters("udp");
}

#[test]
fn pjsua2_registers_over_tcp() {
    registers_and_unregisters("tcp");
}
