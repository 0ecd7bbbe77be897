//! kamailio 5.6 as a registrar and proxy on a free loopback port.
//!
//! [`Kamailio::start`] (or [`Kamailio::options`] … [`KamailioOptions::start`])
//! renders `dev/interop/peers/kamailio/kamailio.cfg.in` into a fresh
//! [`RunDir`], creates its sqlite database there (the `subscriber` table of
//! `schema.sql`, the accounts of `users.sql`), and runs `kamailio -DD -E` as a
//! child process in its own process group, its output going to
//! `kamailio.log` in the run directory. It returns once kamailio answers an
//! OPTIONS over UDP and its control socket is up; dropping the [`Kamailio`]
//! stops the whole process group and removes the run directory.
//!
//! What the server does:
//!
//! - listens on `127.0.0.1:<port>`, UDP and TCP on the same free port;
//! - domain `127.0.0.1` (whatever the port): accounts alice/alicepw,
//!   bob/bobpw, carol/carolpw, dave/davepw, erin/erinpw, plus any added with
//!   [`KamailioOptions::user`];
//! - REGISTER needs digest credentials (401 with `WWW-Authenticate: Digest
//!   realm="127.0.0.1", nonce=…`, MD5, no `qop` unless
//!   [`KamailioOptions::qop_auth`]); a wrong password is challenged again
//!   (401). Bindings live in memory (usrloc `db_mode` 0), without GRUU, and
//!   with no NAT fix-ups: contacts are stored as sent;
//! - lifetimes, in seconds: a REGISTER without Expires gets
//!   [`DEFAULT_EXPIRES`] (3600); one above `max_expires` ([`MAX_EXPIRES`],
//!   3600) is cut down to it; a non-zero one below `min_expires`
//!   ([`MIN_EXPIRES`], 60) is refused with `423 Interval Too Brief` and
//!   `Min-Expires`; each is set by [`KamailioOptions`];
//! - other requests from the domain (INVITE, MESSAGE, SUBSCRIBE, …, but not
//!   ACK, BYE, CANCEL, PRACK, NOTIFY) need credentials too (407,
//!   `Proxy-Authenticate`); then a request for `sip:<user>@127.0.0.1` is
//!   relayed statefully to the user's registered contacts (404 when there
//!   are none). INVITE, SUBSCRIBE and REFER are record-routed, and in-dialog
//!   requests follow their Route set;
//! - an OPTIONS to the server itself (no user part) is answered `200
//!   Keepalive`;
//! - with [`KamailioOptions::presence`], a presence server (PUBLISH,
//!   SUBSCRIBE, NOTIFY; presence and presence_xml modules); without it,
//!   PUBLISH and SUBSCRIBE get 489.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::{RunDir, find_program};

/// The config template (see the module docs).
const CONFIG: &str = include_str!("../peers/kamailio/kamailio.cfg.in");
/// The tables auth_db reads.
const SCHEMA: &str = include_str!("../peers/kamailio/schema.sql");
/// The tables of the presence modules.
const PRESENCE_SCHEMA: &str = include_str!("../peers/kamailio/presence.sql");
/// The accounts.
const USERS: &str = include_str!("../peers/kamailio/users.sql");

/// The domain (and digest realm) of every account.
pub const DOMAIN: &str = "127.0.0.1";
/// Default lifetime of a binding whose REGISTER gives no expiry, in seconds.
pub const DEFAULT_EXPIRES: u32 = 3600;
/// Default shortest non-zero expiry accepted; below it the answer is 423.
pub const MIN_EXPIRES: u32 = 60;
/// Default longest expiry granted; a longer one is cut down to it.
pub const MAX_EXPIRES: u32 = 3600;

/// How many times [`KamailioOptions::start`] tries another port when the one
/// it picked was taken before kamailio could bind it.
const PORT_ATTEMPTS: usize = 5;

/// How to start a [`Kamailio`]; from [`Kamailio::options`].
#[derive(Debug, Clone)]
pub struct KamailioOptions {
    default_expires: u32,
    min_expires: u32,
    max_expires: u32,
    use_domain: bool,
    qop_auth: bool,
    presence: bool,
    debug: i32,
    users: Vec<(String, String)>,
    startup_timeout: Duration,
}

impl Default for KamailioOptions {
    fn default() -> Self {
        Self {
            default_expires: DEFAULT_EXPIRES,
            min_expires: MIN_EXPIRES,
            max_expires: MAX_EXPIRES,
            use_domain: false,
            qop_auth: false,
            presence: false,
            debug: 2,
            users: Vec::new(),
            startup_timeout: Duration::from_secs(15),
        }
    }
}

impl KamailioOptions {
    /// The lifetime given to a REGISTER without an expiry (registrar
    /// `default_expires`; default [`DEFAULT_EXPIRES`]).
    pub fn default_expires(mut self, seconds: u32) -> Self {
        self.default_expires = seconds;
        self
    }

    /// The shortest non-zero expiry accepted; a REGISTER asking for less gets
    /// `423 Interval Too Brief` with `Min-Expires: <seconds>` (registrar
    /// `min_expires` with `min_expires_mode` 1; default [`MIN_EXPIRES`]; 0
    /// turns the check off).
    pub fn min_expires(mut self, seconds: u32) -> Self {
        self.min_expires = seconds;
        self
    }

    /// The longest expiry granted; a longer one is cut down to it (registrar
    /// `max_expires`; default [`MAX_EXPIRES`]; 0 turns the check off).
    pub fn max_expires(mut self, seconds: u32) -> Self {
        self.max_expires = seconds;
        self
    }

    /// Whether bindings and credentials are keyed by `user@domain` rather than
    /// by user alone (usrloc and auth_db `use_domain`; default false, as in
    /// the shared test bed).
    pub fn use_domain(mut self, on: bool) -> Self {
        self.use_domain = on;
        self
    }

    /// Whether challenges offer `qop="auth"` (default false: RFC 2069-style
    /// digest without qop, as in the shared test bed).
    pub fn qop_auth(mut self, on: bool) -> Self {
        self.qop_auth = on;
        self
    }

    /// Whether to run the presence server (needs Debian's
    /// `kamailio-presence-modules`, which `scripts/install-peers` installs).
    pub fn presence(mut self, on: bool) -> Self {
        self.presence = on;
        self
    }

    /// kamailio's log level (`debug`: 1 notice, 2 info, the default, 3
    /// debug).
    pub fn debug(mut self, level: i32) -> Self {
        self.debug = level;
        self
    }

    /// Adds an account `name`/`password` in the domain, besides the standard
    /// ones.
    pub fn user(mut self, name: &str, password: &str) -> Self {
        self.users.push((name.to_owned(), password.to_owned()));
        self
    }

    /// How long to wait for kamailio to answer after starting it (default
    /// 15 s).
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// Starts kamailio on a free port of 127.0.0.1 and waits until it answers.
    ///
    /// # Errors
    ///
    /// `NotFound` when kamailio, kamcmd, sqlite3 or a module is not installed
    /// (the message names `scripts/install-peers`); otherwise when the run
    /// directory or database cannot be made, or kamailio exits or does not
    /// answer in time (the message ends with the tail of its log).
    pub fn start(self) -> io::Result<Kamailio> {
        let programs = Programs::find()?;
        for module in self.modules() {
            if !Kamailio::module_installed(module) {
                return Err(not_installed(&format!("kamailio module {module}.so")));
            }
        }
        let mut last = None;
        for _ in 0..PORT_ATTEMPTS {
            match self.start_once(&programs) {
                Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
                other => return other,
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("kamailio did not start")))
    }

    /// The modules the config loads that come from optional packages.
    fn modules(&self) -> Vec<&'static str> {
        let mut modules = vec!["db_sqlite", "auth_db", "registrar", "usrloc"];
        if self.presence {
            modules.extend(["presence", "presence_xml"]);
        }
        modules
    }

    fn start_once(&self, programs: &Programs) -> io::Result<Kamailio> {
        let run = RunDir::new("kamailio")?;
        let port = free_port()?;
        let dir = run.path();
        let config = dir.join("kamailio.cfg");
        fs::write(&config, self.render(dir, port)?)?;
        self.create_db(&programs.sqlite3, &dir.join("kamailio.sqlite"))?;

        let log_path = dir.join("kamailio.log");
        let log = File::create(&log_path)?;
        let child = Command::new(&programs.kamailio)
            .args(["-DD", "-E", "-m", "64", "-M", "8", "-f"])
            .arg(&config)
            .arg("-Y")
            .arg(dir)
            .arg("-w")
            .arg(dir)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .spawn()?;
        let mut kamailio = Kamailio {
            child,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            use_domain: self.use_domain,
            kamcmd: programs.kamcmd.clone(),
            ctl: dir.join("kamailio_ctl"),
            log: log_path,
            run,
        };
        kamailio.wait_ready(self.startup_timeout)?;
        Ok(kamailio)
    }

    fn render(&self, dir: &Path, port: u16) -> io::Result<String> {
        let run = dir
            .to_str()
            .filter(|s| !s.contains(['"', '\n']))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "unusable temporary directory path",
                )
            })?;
        let defines = if self.presence {
            "#!define WITH_PRESENCE"
        } else {
            ""
        };
        let flags = if self.qop_auth { "1" } else { "0" };
        Ok(CONFIG
            .replace("@DEFINES@", defines)
            .replace("@RUN@", run)
            .replace("@PORT@", &port.to_string())
            .replace("@DOMAIN@", DOMAIN)
            .replace("@DEBUG@", &self.debug.to_string())
            .replace("@DEFAULT_EXPIRES@", &self.default_expires.to_string())
            .replace("@MIN_EXPIRES@", &self.min_expires.to_string())
            .replace("@MAX_EXPIRES@", &self.max_expires.to_string())
            .replace("@USE_DOMAIN@", if self.use_domain { "1" } else { "0" })
            .replace("@AUTH_FLAGS@", flags))
    }

    fn create_db(&self, sqlite3: &Path, db: &Path) -> io::Result<()> {
        // One transaction: a thousand users insert in milliseconds rather
        // than seconds (each statement alone would be synced to disk).
        let mut sql = String::from("BEGIN;\n");
        sql.push_str(SCHEMA);
        if self.presence {
            sql.push_str(PRESENCE_SCHEMA);
        }
        sql.push_str(USERS);
        for (name, password) in &self.users {
            let _ = writeln!(
                sql,
                "INSERT INTO subscriber (username, domain, password) VALUES ('{}', '{DOMAIN}', '{}');",
                name.replace('\'', "''"),
                password.replace('\'', "''"),
            );
        }
        sql.push_str("COMMIT;\n");
        let mut child = Command::new(sqlite3)
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(sql.as_bytes())?;
        }
        let out = child.wait_with_output()?;
        if !out.status.success() || !out.stderr.is_empty() {
            return Err(io::Error::other(format!(
                "sqlite3 could not create {}: {}",
                db.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(())
    }
}

/// The programs a [`Kamailio`] runs.
struct Programs {
    kamailio: PathBuf,
    kamcmd: PathBuf,
    sqlite3: PathBuf,
}

impl Programs {
    fn find() -> io::Result<Self> {
        let find = |name: &str| find_program(name).ok_or_else(|| not_installed(name));
        Ok(Self {
            kamailio: find("kamailio")?,
            kamcmd: find("kamcmd")?,
            sqlite3: find("sqlite3")?,
        })
    }
}

pub(crate) fn not_installed(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{what} is not installed: run scripts/install-peers"),
    )
}

/// A port of 127.0.0.1 free for both UDP and TCP just now.
pub(crate) fn free_port() -> io::Result<u16> {
    let mut last = None;
    for _ in 0..50 {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = udp.local_addr()?.port();
        match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(_tcp) => return Ok(port),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free port")))
}

/// A running kamailio (see the [module docs](self)); stopped on drop.
#[derive(Debug)]
pub struct Kamailio {
    child: Child,
    addr: SocketAddr,
    use_domain: bool,
    kamcmd: PathBuf,
    ctl: PathBuf,
    log: PathBuf,
    // Dropped after `Drop::drop` has stopped kamailio.
    run: RunDir,
}

/// One registered contact of an AOR, as kamailio's `ul.lookup` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The contact URI as registered (`Address`).
    pub address: String,
    /// Seconds left (`Expires`); `None` when kamailio shows no number
    /// (a permanent or expired binding).
    pub expires: Option<i64>,
    /// Every field shown, in order (`Address`, `Expires`, `Q`, `Call-ID`,
    /// `CSeq`, `User-Agent`, `Received`, `Path`, `Socket`, `Instance`,
    /// `Reg-Id`, …), values as shown (`[not set]` for none).
    pub fields: Vec<(String, String)>,
}

impl Binding {
    /// The value of a field, by name (ASCII case-insensitive).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Kamailio {
    /// Starts kamailio with the default options; see
    /// [`KamailioOptions::start`].
    ///
    /// # Errors
    ///
    /// As [`KamailioOptions::start`].
    pub fn start() -> io::Result<Self> {
        KamailioOptions::default().start()
    }

    /// Options to start kamailio with, all at their defaults.
    pub fn options() -> KamailioOptions {
        KamailioOptions::default()
    }

    /// Whether kamailio, kamcmd, sqlite3 and the sqlite module are installed
    /// (for [`require`](crate::require)).
    pub fn is_installed() -> bool {
        Programs::find().is_ok() && Self::module_installed("db_sqlite")
    }

    /// Whether kamailio's module `name` (`presence`, `tls`, …) is installed.
    pub fn module_installed(name: &str) -> bool {
        let file = format!("{name}.so");
        let mut dirs = vec![
            PathBuf::from("/usr/lib/kamailio/modules"),
            PathBuf::from("/usr/local/lib/kamailio/modules"),
            PathBuf::from("/usr/local/lib64/kamailio/modules"),
        ];
        // Debian: /usr/lib/<multiarch triplet>/kamailio/modules.
        if let Ok(entries) = fs::read_dir("/usr/lib") {
            dirs.extend(entries.flatten().map(|e| e.path().join("kamailio/modules")));
        }
        dirs.iter().any(|dir| dir.join(&file).is_file())
    }

    /// Where it listens, UDP and TCP: `127.0.0.1:<port>`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The domain and digest realm of its accounts: `127.0.0.1`.
    pub fn domain(&self) -> &str {
        DOMAIN
    }

    /// kamailio's process id (the leader of its process group).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The run directory: `kamailio.cfg`, `kamailio.sqlite`, `kamailio.log`,
    /// the control socket `kamailio_ctl`.
    pub fn run_dir(&self) -> &Path {
        self.run.path()
    }

    /// Everything kamailio has logged so far (one line per request received,
    /// at the default level).
    pub fn log(&self) -> String {
        fs::read(&self.log)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// The registered contact URIs of `user` (`alice`, `alice@127.0.0.1` or
    /// `sip:alice@127.0.0.1`), in kamailio's order; empty when none.
    ///
    /// # Errors
    ///
    /// When `kamcmd` fails or answers with an error other than "not found".
    pub fn contacts(&self, user: &str) -> io::Result<Vec<String>> {
        Ok(self
            .bindings(user)?
            .into_iter()
            .map(|b| b.address)
            .collect())
    }

    /// The registered bindings of `user` (as for [`contacts`](Self::contacts)),
    /// with every field `ul.lookup` shows.
    ///
    /// # Errors
    ///
    /// As [`contacts`](Self::contacts).
    pub fn bindings(&self, user: &str) -> io::Result<Vec<Binding>> {
        let aor = self.aor_key(user);
        let out = self.rpc(&["ul.lookup", "location", &aor])?;
        if let Some(error) = rpc_error(&out) {
            return if error.to_ascii_lowercase().contains("not found") {
                Ok(Vec::new())
            } else {
                Err(io::Error::other(format!("kamcmd ul.lookup {aor}: {error}")))
            };
        }
        Ok(parse_bindings(&out))
    }

    /// The key usrloc files `user` under: `user`, or `user@domain` with
    /// `use_domain`. (5.6's `ul.lookup` takes this key as it is, not a URI.)
    fn aor_key(&self, user: &str) -> String {
        let user = user
            .strip_prefix("sip:")
            .or_else(|| user.strip_prefix("sips:"))
            .unwrap_or(user);
        let (name, domain) = user.split_once('@').unwrap_or((user, DOMAIN));
        // Drop any port or URI parameters from the domain.
        let domain = domain.split([':', ';']).next().unwrap_or(domain);
        if self.use_domain {
            format!("{name}@{domain}")
        } else {
            name.to_owned()
        }
    }

    /// Runs a kamcmd (binrpc) command on kamailio's control socket, e.g.
    /// `["ul.dump"]` or `["ul.rm", "location", "alice"]`, and returns what it
    /// printed. An RPC error comes back as text starting with `error:`.
    ///
    /// # Errors
    ///
    /// When kamcmd cannot be run or exits with a failure.
    pub fn rpc(&self, args: &[&str]) -> io::Result<String> {
        let out = Command::new(&self.kamcmd)
            .arg("-s")
            .arg(format!("unix:{}", self.ctl.display()))
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            return Err(io::Error::other(format!(
                "kamcmd {}: {}{}",
                args.join(" "),
                stdout.trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(stdout)
    }

    /// Waits until kamailio answers an OPTIONS over UDP and its control
    /// socket exists; `AddrInUse` when it exited because its port was taken.
    fn wait_ready(&mut self, timeout: Duration) -> io::Result<()> {
        let probe = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        probe.set_read_timeout(Some(Duration::from_millis(100)))?;
        let local = probe.local_addr()?;
        let deadline = Instant::now() + timeout;
        let mut answered = false;
        let mut n = 0u32;
        loop {
            n += 1;
            if let Some(status) = self.child.try_wait()? {
                let log = self.log();
                let kind = if log.contains("Address already in use") {
                    io::ErrorKind::AddrInUse
                } else {
                    io::ErrorKind::Other
                };
                return Err(io::Error::new(
                    kind,
                    format!("kamailio exited at start ({status}):\n{}", tail(&log, 30)),
                ));
            }
            if !answered {
                probe.send_to(options_probe(self.addr, local, n).as_bytes(), self.addr)?;
                let mut buf = [0u8; 4096];
                answered = matches!(probe.recv_from(&mut buf), Ok((len, _)) if buf[..len].starts_with(b"SIP/2.0 "));
            }
            if answered && self.ctl.exists() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "kamailio did not answer on {} within {timeout:?}:\n{}",
                        self.addr,
                        tail(&self.log(), 30)
                    ),
                ));
            }
            if answered {
                thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        let pid = self.child.id();
        // kamailio's main process stops its children on SIGTERM; the group
        // signal reaches them too, and SIGKILL ends whatever is left.
        signal_group(pid, "TERM");
        if !wait_exit(&mut self.child, Duration::from_secs(5)) {
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

/// An OPTIONS to the server itself from `local`.
fn options_probe(server: SocketAddr, local: SocketAddr, n: u32) -> String {
    format!(
        "OPTIONS sip:{server} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {local};branch=z9hG4bK-interop-probe-{n};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:probe@{DOMAIN}>;tag=interop-probe\r\n\
         To: <sip:{server}>\r\n\
         Call-ID: interop-probe-{}-{n}@{DOMAIN}\r\n\
         CSeq: {} OPTIONS\r\n\
         Content-Length: 0\r\n\r\n",
        local.port(),
        n
    )
}

/// The message of a kamcmd answer that is an RPC error (`error: 500 - …`).
fn rpc_error(out: &str) -> Option<&str> {
    let first = out.trim_start();
    first
        .get(..6)
        .filter(|head| head.eq_ignore_ascii_case("error:"))
        .map(|_| first[6..].trim())
}

/// The `Contact: { … }` blocks of kamcmd's `ul.lookup` (or `ul.dump`) output.
fn parse_bindings(out: &str) -> Vec<Binding> {
    let mut bindings = Vec::new();
    let mut current: Option<Vec<(String, String)>> = None;
    let mut depth = 0usize;
    for line in out.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if current.is_none() {
            if let Some(key) = line.strip_suffix('{') {
                if key.trim().trim_end_matches(':').trim() == "Contact" {
                    current = Some(Vec::new());
                    depth = 0;
                }
            }
            continue;
        }
        if line.ends_with('{') {
            depth += 1;
        } else if line == "}" {
            if depth == 0 {
                if let Some(fields) = current.take() {
                    bindings.push(binding(fields));
                }
            } else {
                depth -= 1;
            }
        } else if depth == 0 {
            if let (Some(fields), Some((key, value))) = (current.as_mut(), line.split_once(':')) {
                fields.push((key.trim().to_owned(), value.trim().to_owned()));
            }
        }
    }
    bindings
}

fn binding(fields: Vec<(String, String)>) -> Binding {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let address = get("Address").unwrap_or_default().to_owned();
    let expires = get("Expires").and_then(|v| v.parse().ok());
    Binding {
        address,
        expires,
        fields,
    }
}

/// The last `n` lines of `text`.
pub(crate) fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Sends `SIG<sig>` to process group `pgid` (with the `kill` program: this
/// crate has no unsafe code to call kill(2) itself).
pub(crate) fn signal_group(pgid: u32, sig: &str) {
    let kill = find_program("kill").unwrap_or_else(|| PathBuf::from("kill"));
    let _ = Command::new(kill)
        .arg(format!("-{sig}"))
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Waits up to `timeout` for `child` to exit (and reaps it).
pub(crate) fn wait_exit(child: &mut Child, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) if Instant::now() >= deadline => return false,
            Ok(None) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Whether any live (not zombie) process is in group `pgid`, from /proc.
pub(crate) fn group_alive(pgid: u32) -> bool {
    let Ok(entries) = fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        if !name
            .to_str()
            .is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit()))
        {
            return false;
        }
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parens.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1).and_then(|p| p.parse::<u32>().ok());
        pgrp == Some(pgid) && state != Some("Z")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOKUP: &str = "{\n\tAoR: alice\n\tContacts: {\n\t\tContact: {\n\
        \t\t\tAddress: sip:alice@127.0.0.1:59616\n\t\t\tExpires: 119\n\t\t\tQ: -1\n\
        \t\t\tCall-ID: c1\n\t\t\tUser-Agent: test: 1.0\n\t\t\tReceived: [not set]\n\
        \t\t}\n\t\tContact: {\n\t\t\tAddress: sip:alice@127.0.0.1:5070;transport=tcp\n\
        \t\t\tExpires: permanent\n\t\t}\n\t}\n}\n";

    #[test]
    fn parses_lookup_output() {
        let bindings = parse_bindings(LOOKUP);
        assert_eq!(bindings.len(), 2);
        assert_eq!(bindings[0].address, "sip:alice@127.0.0.1:59616");
        assert_eq!(bindings[0].expires, Some(119));
        assert_eq!(bindings[0].field("user-agent"), Some("test: 1.0"));
        assert_eq!(bindings[0].field("Received"), Some("[not set]"));
        assert_eq!(
            bindings[1].address,
            "sip:alice@127.0.0.1:5070;transport=tcp"
        );
        assert_eq!(bindings[1].expires, None);
    }

    #[test]
    fn recognises_rpc_errors() {
        assert_eq!(
            rpc_error("error: 500 - AOR not found in location table\n"),
            Some("500 - AOR not found in location table")
        );
        assert_eq!(rpc_error(LOOKUP), None);
        assert!(parse_bindings("error: 500 - AOR not found\n").is_empty());
    }

    #[test]
    fn renders_every_placeholder() {
        let options = Kamailio::options()
            .presence(true)
            .qop_auth(true)
            .min_expires(7);
        let cfg = options.render(Path::new("/tmp/run"), 5099).unwrap();
        assert!(!cfg.contains('@'), "unreplaced placeholder in\n{cfg}");
        assert!(cfg.contains("listen=udp:127.0.0.1:5099"));
        assert!(cfg.contains("listen=tcp:127.0.0.1:5099"));
        assert!(cfg.contains("modparam(\"registrar\", \"min_expires\", 7)"));
        assert!(cfg.contains("#!define WITH_PRESENCE"));
        assert!(cfg.contains("sqlite:////tmp/run/kamailio.sqlite"));
    }
}
