//! Logging: PJSUA2's `LogConfig` and `LogWriter` on top of `tracing`.
//!
//! ferrosip's crates log through `tracing`. The endpoint installs (once per
//! process, unless the application installed its own subscriber) a layer
//! that turns each record into a PJSUA2 log line — level 1 (error) to 5
//! (trace) — and, as PJSUA does, writes it to the log file (up to `level`)
//! and to the application's [`LogWriter`] — or, without one, the console —
//! (up to `consoleLevel`, never above `level`). `lib_init` may change the settings at any time after.
//! Credentials never reach the log: SIP messages are logged with the values
//! of Authorization and Proxy-Authorization replaced.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

use crate::config::LogConfig;
use crate::endpoint::lock;
use crate::error::{Error, Result};

/// PJSUA2's `LogEntry`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// 1 (error) to 6 (most verbose).
    pub level: i32,
    /// The formatted line (with the decorations `decor` asks for).
    pub msg: String,
    /// The writing thread's id, as a number.
    pub thread_id: u64,
    /// The writing thread's name.
    pub thread_name: String,
}

/// PJSUA2's `LogWriter`: receives, instead of the console, every log line up to
/// `LogConfig.consoleLevel`.
pub trait LogWriter: Send + Sync {
    /// One line.
    fn write(&self, entry: &LogEntry);
}

/// A shared [`LogWriter`], as `LogConfig.writer` holds it. Two are equal
/// when they are the same writer.
#[derive(Clone)]
pub struct LogWriterRef(pub Arc<dyn LogWriter>);

impl LogWriterRef {
    /// Wraps a writer.
    pub fn new(writer: impl LogWriter + 'static) -> Self {
        Self(Arc::new(writer))
    }
}

impl std::fmt::Debug for LogWriterRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogWriterRef(..)")
    }
}

impl PartialEq for LogWriterRef {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// `decor` bits (PJSUA2's `pj_log_decoration`).
mod decor {
    pub(super) const DAY_NAME: u32 = 1;
    pub(super) const YEAR: u32 = 2;
    pub(super) const MONTH: u32 = 4;
    pub(super) const DAY_OF_MON: u32 = 8;
    pub(super) const TIME: u32 = 16;
    pub(super) const MICRO_SEC: u32 = 32;
    pub(super) const SENDER: u32 = 64;
    pub(super) const NEWLINE: u32 = 128;
    pub(super) const CR: u32 = 256;
    pub(super) const SPACE: u32 = 512;
    pub(super) const THREAD_ID: u32 = 1024;
    pub(super) const LEVEL_TEXT: u32 = 4096;
}

struct Settings {
    msg_logging: bool,
    level: i32,
    console_level: i32,
    decor: u32,
    file: Option<File>,
    writer: Option<Arc<dyn LogWriter>>,
}

fn settings() -> &'static Mutex<Settings> {
    static SETTINGS: OnceLock<Mutex<Settings>> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        Mutex::new(Settings {
            msg_logging: true,
            level: 5,
            console_level: 4,
            decor: 25328,
            file: None,
            writer: None,
        })
    })
}

/// The most verbose level anything wants, for a cheap check before
/// formatting; nothing (-1) until an endpoint applies a `LogConfig`.
static MAX_LEVEL: AtomicI32 = AtomicI32::new(-1);

/// Whether a line at `level` would go anywhere.
pub fn enabled(level: i32) -> bool {
    level <= MAX_LEVEL.load(Ordering::Relaxed)
}

/// Logs a whole SIP message at level 4 (when `msgLogging` is on), with
/// credentials blanked out. `direction` is `"TX"` or `"RX"`.
pub fn sip_message(direction: &str, peer: std::net::SocketAddr, bytes: &[u8]) {
    if !enabled(4) || !lock(settings()).msg_logging {
        return;
    }
    let text = String::from_utf8_lossy(bytes);
    let first = text.lines().next().unwrap_or("");
    let verb = if direction == "TX" { "to" } else { "from" };
    emit(
        4,
        "sip",
        &format!(
            "{direction} {} bytes {first} {verb} {peer}:\n{}--end msg--",
            bytes.len(),
            redact_message(&text)
        ),
    );
}

/// Applies `cfg` (and installs the layer the first time).
pub(crate) fn init(cfg: &LogConfig) -> Result<()> {
    let file = if cfg.filename.trim().is_empty() {
        None
    } else {
        let append = cfg.file_flags & PJ_O_APPEND == PJ_O_APPEND;
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(cfg.filename.trim())
            .map_err(|e| Error::io("LogConfig.filename", &e))?;
        Some(file)
    };
    {
        let mut s = lock(settings());
        s.level = cfg.level as i32;
        s.console_level = cfg.console_level as i32;
        s.decor = cfg.decor;
        s.file = file;
        s.writer = cfg.writer.as_ref().map(|w| w.0.clone());
        s.msg_logging = cfg.msg_logging != 0;
    }
    // What can go anywhere: the file up to `level`, the writer or console
    // up to `consoleLevel` (and never above `level`).
    let reach = if cfg.filename.trim().is_empty() {
        cfg.console_level.min(cfg.level)
    } else {
        cfg.level
    };
    MAX_LEVEL.store(reach as i32, Ordering::Relaxed);
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        tracing_subscriber::registry()
            .with(PjLayer)
            .try_init()
            .is_ok()
    });
    Ok(())
}

/// `PJ_O_APPEND`: append to the log file instead of truncating it.
pub const PJ_O_APPEND: u32 = 0x1108;

/// Installs (or removes) the application's log writer.
pub fn set_writer(writer: Option<Arc<dyn LogWriter>>) {
    lock(settings()).writer = writer;
}

/// Writes one line at PJSUA2 `level` (PJSUA2's `utilLogWrite`).
pub fn write(level: i32, sender: &str, msg: &str) {
    emit(level, sender, msg);
}

fn level_of(level: &Level) -> i32 {
    match *level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

struct PjLayer;

#[derive(Default)]
struct Collect {
    message: String,
    fields: String,
}

impl Visit for Collect {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.fields
                .push_str(&format!(" {}={value:?}", field.name()));
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.fields.push_str(&format!(" {}={value}", field.name()));
        }
    }
}

impl<S: Subscriber> Layer<S> for PjLayer {
    fn register_callsite(
        &self,
        _metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        // Levels change at run time (lib_init): ask every time.
        tracing::subscriber::Interest::sometimes()
    }

    fn enabled(&self, metadata: &tracing::Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        enabled(level_of(metadata.level()))
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = level_of(event.metadata().level());
        {
            let s = lock(settings());
            if level > s.level.max(s.console_level) {
                return;
            }
        }
        let mut c = Collect::default();
        event.record(&mut c);
        let target = event.metadata().target();
        let sender = target.rsplit("::").next().unwrap_or(target);
        emit(level, sender, &format!("{}{}", c.message, c.fields));
    }
}

fn emit(level: i32, sender: &str, msg: &str) {
    // As PJSUA: nothing above `level` at all; the file gets everything up
    // to `level`; the application's writer, or else the console, gets
    // what is up to `consoleLevel`.
    let mut s = lock(settings());
    if level > s.level {
        return;
    }
    let to_console = level <= s.console_level;
    if s.file.is_none() && !to_console {
        return;
    }
    let line = decorate(s.decor, level, sender, msg);
    if let Some(f) = s.file.as_mut() {
        let _ = f.write_all(line.as_bytes());
    }
    if !to_console {
        return;
    }
    match s.writer.clone() {
        Some(w) => {
            drop(s);
            let thread = std::thread::current();
            w.write(&LogEntry {
                level,
                msg: line,
                thread_id: thread_number(),
                thread_name: thread.name().unwrap_or("").to_owned(),
            });
        }
        None => eprint!("{line}"),
    }
}

fn thread_number() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::thread::current().id().hash(&mut h);
    h.finish()
}

/// A line as `decor` asks: time, sender, level text, message, newline.
fn decorate(bits: u32, level: i32, sender: &str, msg: &str) -> String {
    let mut out = String::with_capacity(msg.len() + 40);
    if bits & (decor::TIME | decor::DAY_NAME | decor::YEAR | decor::MONTH | decor::DAY_OF_MON) != 0
    {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let secs = now.as_secs();
        if bits & decor::TIME != 0 {
            let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
            out.push_str(&format!("{h:02}:{m:02}:{s:02}"));
            if bits & decor::MICRO_SEC != 0 {
                out.push_str(&format!(".{:06}", now.subsec_micros()));
            } else {
                out.push_str(&format!(".{:03}", now.subsec_millis()));
            }
            out.push(' ');
        }
    }
    if bits & decor::SENDER != 0 {
        out.push_str(&format!("{sender:>22} "));
    }
    if bits & decor::THREAD_ID != 0 {
        out.push_str(&format!(
            "{:>12} ",
            std::thread::current().name().unwrap_or("-")
        ));
    }
    if bits & decor::LEVEL_TEXT != 0 {
        out.push_str(match level {
            0 => "FATAL:",
            1 => "ERROR:",
            2 => "WARN: ",
            3 => "INFO: ",
            4 => "DEBUG:",
            _ => "TRACE:",
        });
        out.push(' ');
    }
    if bits & decor::SPACE != 0 && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    out.push_str(msg);
    if bits & decor::CR != 0 {
        out.push('\r');
    }
    if bits & decor::NEWLINE != 0 {
        out.push('\n');
    }
    out
}

/// A SIP message as text for the log, with credentials blanked out.
pub fn redact_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let name = line.split(':').next().unwrap_or("").trim();
        if name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization")
        {
            let scheme = line[name.len() + 1..]
                .split_whitespace()
                .next()
                .unwrap_or("");
            out.push_str(&format!("{name}: {scheme} <credentials hidden>\r\n"));
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials_only() {
        let msg = "REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username=\"a\", response=\"secret\"\r\nproxy-authorization: Digest nonce=\"n\"\r\nVia: SIP/2.0/UDP h\r\n\r\n";
        let r = redact_message(msg);
        assert!(!r.contains("secret"));
        assert!(!r.contains("nonce"));
        assert!(r.contains("Authorization: Digest <credentials hidden>\r\n"));
        assert!(r.contains("Via: SIP/2.0/UDP h\r\n"));
    }

    #[test]
    fn decorates_as_asked() {
        let line = decorate(decor::SENDER | decor::NEWLINE, 3, "endpoint", "hello");
        assert_eq!(line, format!("{:>22} hello\n", "endpoint"));
        let bare = decorate(0, 3, "x", "hello");
        assert_eq!(bare, "hello");
        assert!(decorate(decor::LEVEL_TEXT, 1, "x", "m").starts_with("ERROR:"));
    }
}
