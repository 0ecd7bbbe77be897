//! Real SIP peers for ferrosip's interop tests: kamailio (a registrar and proxy
//! with digest auth), the real PJSUA2 (Python) as a scriptable call peer
//! ([`Pjsua2Peer`]), and baresip ([`Baresip`]), run on loopback by the tests
//! themselves, never as system services. [`audio`] writes tone WAV files and
//! checks recordings for a tone.
//!
//! # Installing the peers
//!
//! `scripts/install-peers` (as root; idempotent, quiet when all is there)
//! installs Debian's kamailio 5.6 with its sqlite and presence modules,
//! Debian's baresip 1.0 (`baresip-core`), and PyPI's
//! `pjsua2-python==2.15.1.post1` in a venv at
//! `<workspace>/target/interop-venv` (so `cargo clean` removes it: run the
//! script again); `scripts/test` installs the same. `scripts/install-peers
//! coturn linphone tls` adds the others; `scripts/install-peers --help`
//! lists them.
//!
//! # Using it from another crate's tests
//!
//! ```toml
//! [dev-dependencies]
//! ferrosip-interop = { path = "../../dev/interop" }
//! ```
//!
//! This crate's own tests (`dev/interop/tests/`) show the whole flow: raw
//! UDP/TCP requests with a hand-computed digest against [`Kamailio`], and
//! PJSUA2 registering through it (`peers/pjsua2/register.py`).
//!
//! # Missing peers: skip locally, fail in CI
//!
//! Every interop test starts with [`require`]: when the peer is installed it
//! returns `true`; when not, it panics under `CI=true` (so CI cannot pass by
//! skipping), and elsewhere prints `SKIPPED: <peer> not installed; run
//! scripts/install-peers` to stderr and returns `false`, and the test returns.
//!
//! ```no_run
//! use interop::Kamailio;
//!
//! if !interop::require("kamailio", Kamailio::is_installed()) {
//!     return;
//! }
//! // UDP and TCP on one free port of 127.0.0.1, accounts alice/alicepw,
//! // bob/bobpw, carol/carolpw, dave/davepw, erin/erinpw in domain 127.0.0.1.
//! let kamailio = Kamailio::options().min_expires(120).start().unwrap();
//! let registrar = kamailio.addr();
//! // ... register sip:alice@127.0.0.1 through `registrar` ...
//! let contacts = kamailio.contacts("alice").unwrap();
//! # let _ = (registrar, contacts);
//! // Dropping it stops kamailio and removes its run directory.
//! ```
//!
//! For PJSUA2, [`pjsua2_python`] gives the Python interpreter that imports
//! `pjsua2`, if any:
//!
//! ```no_run
//! let Some(python) = interop::pjsua2_python() else {
//!     interop::require("pjsua2", false);
//!     return;
//! };
//! std::process::Command::new(python).args(["-c", "import pjsua2"]).status().unwrap();
//! ```
//!
//! # Calls
//!
//! [`Pjsua2Peer`] runs `peers/pjsua2/call_peer.py`: PJSUA2 driven by JSON
//! commands (make_call, answer, hangup, hold, unhold, xfer, DTMF, tones,
//! recording, …) and reporting JSON [`Event`]s (call and media states,
//! DTMF, transfers, messages), which a test waits for with
//! [`Pjsua2Peer::expect`]. [`Baresip`] runs baresip with its config in a run
//! directory, playing a tone WAV, recording what it receives, driven over
//! its ctrl_tcp socket. `tests/calls.rs` and `tests/baresip.rs` show both,
//! and are the reference for what these peers do.
//!
//! # Environment
//!
//! - `CI=true`: a missing peer fails the test instead of skipping it.
//! - `FERROSIP_KEEP_PEER_RUN` (any non-empty value but `0`): keep each peer's
//!   run directory (rendered config, database, log) after the test, and say
//!   where on stderr. [`Kamailio::log`] reads the log while it runs.
//! - `FERROSIP_PJSUA2_PYTHON`: the Python to use for PJSUA2, instead of the
//!   venv's.
//! - `FERROSIP_INTEROP_VENV`: where the venv is (default
//!   `<workspace>/target/interop-venv`), for `scripts/install-peers` as here.
//!
//! Each [`Kamailio`] runs in its own temporary directory on its own port, so
//! tests (and test binaries) can run at once; see [`kamailio`] for what the
//! server does and the registration lifetimes it enforces.

pub mod audio;
pub mod baresip;
mod events;
pub mod kamailio;
pub mod pjsua2;
mod run_dir;

use std::env;
use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub use crate::baresip::{Baresip, BaresipOptions};
pub use crate::events::{CallId, EVENT_TIMEOUT, Event};
pub use crate::kamailio::{Binding, Kamailio, KamailioOptions};
pub use crate::pjsua2::{DtmfMethod, Pjsua2Options, Pjsua2Peer, Prack, SessionTimer};
pub use crate::run_dir::RunDir;
/// serde_json, for the commands and events of the peers (`json!`, `Value`).
pub use serde_json;

/// Whether a test that needs `peer` may go on.
///
/// `found` says whether the peer is installed (e.g.
/// [`Kamailio::is_installed`], `pjsua2_python().is_some()`). When it is,
/// returns `true`. When it is not: under `CI=true`, panics with a message
/// naming `scripts/install-peers`, so that a CI run cannot pass by skipping;
/// otherwise prints `SKIPPED: <peer> not installed; run scripts/install-peers`
/// to stderr and returns `false`, and the test should return at once.
///
/// # Panics
///
/// When `found` is false and the environment has `CI=true`.
pub fn require(peer: &str, found: bool) -> bool {
    if found {
        return true;
    }
    if is_ci() {
        panic!(
            "{peer} is not installed and CI=true, so this interop test fails instead of \
             skipping: run scripts/install-peers (as root) before the tests"
        );
    }
    eprintln!("SKIPPED: {peer} not installed; run scripts/install-peers");
    false
}

/// Whether the environment says this is a CI run (`CI=true`, or `1`/`yes`).
fn is_ci() -> bool {
    env::var("CI").is_ok_and(|v| {
        let v = v.trim();
        v.eq_ignore_ascii_case("true") || v == "1" || v.eq_ignore_ascii_case("yes")
    })
}

/// Whether an environment variable is set to something other than empty or
/// `0`.
pub(crate) fn env_flag(name: &str) -> bool {
    env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The root of the ferrosip workspace (the folder with the root `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .and_then(Path::parent)
        .unwrap_or(manifest)
        .to_path_buf()
}

/// The Python interpreter whose `import pjsua2` gives the real PJSUA2, if
/// there is one.
///
/// `FERROSIP_PJSUA2_PYTHON` when set (taken as it is); else the venv's
/// `bin/python` that `scripts/install-peers` makes at
/// `<workspace>/target/interop-venv` (or `FERROSIP_INTEROP_VENV`), if it
/// exists and imports `pjsua2`. Checked once per process.
pub fn pjsua2_python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            if let Some(python) = env::var_os("FERROSIP_PJSUA2_PYTHON").filter(|v| !v.is_empty()) {
                return Some(PathBuf::from(python));
            }
            let venv = env::var_os("FERROSIP_INTEROP_VENV")
                .filter(|v| !v.is_empty())
                .map_or_else(
                    || workspace_root().join("target/interop-venv"),
                    PathBuf::from,
                );
            let python = venv.join("bin/python");
            let imports = python.is_file()
                && Command::new(&python)
                    .args(["-c", "import pjsua2"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
            imports.then_some(python)
        })
        .clone()
}

/// Finds an executable by name on `PATH`, then in the `sbin` folders that a
/// non-root `PATH` may lack (`/usr/local/sbin`, `/usr/sbin`, `/sbin`).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH").unwrap_or_default();
    let extra = ["/usr/local/sbin", "/usr/sbin", "/sbin"].map(|d| PathBuf::from(OsStr::new(d)));
    env::split_paths(&path)
        .chain(extra)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            candidate
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}
