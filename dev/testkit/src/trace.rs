//! A record of what crossed the simulated network, for printing when a test
//! fails: `assert!(done, "{}", world.trace())`.

use std::fmt;
use std::net::SocketAddr;
use std::time::Instant;

use crate::stream::StreamEvent;

/// How many payload bytes an entry keeps.
const PREVIEW_BYTES: usize = 96;
/// How many characters of the payload a printed line shows.
const PREVIEW_CHARS: usize = 72;

/// What the network (and the world) did, in time order. Off until enabled,
/// because a 100,000-datagram test has no use for it.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    origin: Option<Instant>,
    entries: Vec<TraceEntry>,
}

/// One thing that happened at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEntry {
    /// When it happened (for a delivery, when it arrived; for a drop, when it
    /// was sent).
    pub at: Instant,
    /// What happened.
    pub event: TraceEvent,
}

/// What an entry records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceEvent {
    /// A datagram was delivered or dropped.
    Datagram {
        /// Sender.
        from: SocketAddr,
        /// Receiver.
        to: SocketAddr,
        /// Delivered, or why not.
        fate: DatagramFate,
        /// The payload's full length.
        len: usize,
        /// The payload's first bytes.
        preview: Vec<u8>,
    },
    /// A stream event reached the agent owning `to`; the bytes of a
    /// [`StreamEvent::Data`] are cut to a preview.
    Stream {
        /// The address of the agent it was for.
        to: SocketAddr,
        /// The event (data cut short).
        event: StreamEvent,
        /// For data, its full length; otherwise 0.
        len: usize,
    },
    /// Something was addressed to an address no agent owns, and was dropped.
    Unroutable {
        /// The address nobody owns.
        to: SocketAddr,
    },
    /// An agent's timer fired.
    Timeout {
        /// The agent's index in the world.
        agent: usize,
    },
    /// A note the test wrote.
    Note(String),
}

/// What became of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatagramFate {
    /// Delivered.
    Delivered {
        /// This was the extra copy of a duplicated datagram.
        duplicate: bool,
        /// This datagram was held back to be overtaken.
        reordered: bool,
    },
    /// Lost on the link.
    Lost,
    /// Dropped for being longer than the link's MTU.
    TooBig,
    /// Dropped by the rate limit's full queue.
    QueueFull,
}

impl Trace {
    /// A trace that records, printing times as offsets from `origin`.
    pub fn recording(origin: Instant) -> Self {
        Self {
            origin: Some(origin),
            entries: Vec::new(),
        }
    }

    /// Whether entries are being recorded.
    pub fn is_enabled(&self) -> bool {
        self.origin.is_some()
    }

    /// Everything recorded, oldest first.
    pub fn entries(&self) -> &[TraceEntry] {
        &self.entries
    }

    /// Forgets what was recorded (and keeps recording).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Adds a note from the test, if recording.
    pub fn note(&mut self, at: Instant, text: impl Into<String>) {
        self.record(at, TraceEvent::Note(text.into()));
    }

    /// The last `n` entries, for a short failure message.
    pub fn tail(&self, n: usize) -> TraceTail<'_> {
        TraceTail { trace: self, n }
    }

    pub(crate) fn record(&mut self, at: Instant, event: TraceEvent) {
        if self.is_enabled() {
            self.entries.push(TraceEntry { at, event });
        }
    }

    pub(crate) fn datagram(
        &mut self,
        at: Instant,
        from: SocketAddr,
        to: SocketAddr,
        fate: DatagramFate,
        payload: &[u8],
    ) {
        if self.is_enabled() {
            let preview = payload[..payload.len().min(PREVIEW_BYTES)].to_vec();
            let len = payload.len();
            self.record(
                at,
                TraceEvent::Datagram {
                    from,
                    to,
                    fate,
                    len,
                    preview,
                },
            );
        }
    }

    pub(crate) fn stream(&mut self, at: Instant, to: SocketAddr, event: &StreamEvent) {
        if !self.is_enabled() {
            return;
        }
        let (event, len) = match event {
            StreamEvent::Data { conn, data } => (
                StreamEvent::Data {
                    conn: *conn,
                    data: data[..data.len().min(PREVIEW_BYTES)].to_vec(),
                },
                data.len(),
            ),
            other => (other.clone(), 0),
        };
        self.record(at, TraceEvent::Stream { to, event, len });
    }

    fn write_entries(&self, f: &mut fmt::Formatter<'_>, skip: usize) -> fmt::Result {
        let Some(origin) = self.origin else {
            return writeln!(
                f,
                "(trace disabled: call World::enable_trace or Network::enable_trace)"
            );
        };
        if skip > 0 {
            writeln!(f, "… {skip} earlier entries")?;
        }
        for entry in &self.entries[skip..] {
            let offset = entry.at.saturating_duration_since(origin);
            write!(
                f,
                "{:>5}.{:06}s  ",
                offset.as_secs(),
                offset.subsec_micros()
            )?;
            writeln!(f, "{}", entry.event)?;
        }
        Ok(())
    }
}

impl fmt::Display for Trace {
    /// One line per entry: offset from the start, what happened, and the
    /// payload's first characters with control characters escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_entries(f, 0)
    }
}

/// The last entries of a [`Trace`], printable.
#[derive(Debug, Clone, Copy)]
pub struct TraceTail<'a> {
    trace: &'a Trace,
    n: usize,
}

impl fmt::Display for TraceTail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let skip = self.trace.entries.len().saturating_sub(self.n);
        self.trace.write_entries(f, skip)
    }
}

impl fmt::Display for TraceEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Datagram {
                from,
                to,
                fate,
                len,
                preview,
            } => {
                let fate = match fate {
                    DatagramFate::Delivered {
                        duplicate: false,
                        reordered: false,
                    } => "delivered",
                    DatagramFate::Delivered {
                        duplicate: true, ..
                    } => "delivered (duplicate)",
                    DatagramFate::Delivered {
                        reordered: true, ..
                    } => "delivered (held back)",
                    DatagramFate::Lost => "LOST",
                    DatagramFate::TooBig => "DROPPED (over MTU)",
                    DatagramFate::QueueFull => "DROPPED (queue full)",
                };
                write!(f, "{from} -> {to}  {fate}  {len} B  ")?;
                write_preview(f, preview, *len)
            }
            Self::Stream { to, event, len } => match event {
                StreamEvent::Data { conn, data } => {
                    write!(f, "stream -> {to}  data on {conn}  {len} B  ")?;
                    write_preview(f, data, *len)
                }
                other => write!(f, "stream -> {to}  {other:?}"),
            },
            Self::Unroutable { to } => write!(f, "UNROUTABLE: no agent owns {to}"),
            Self::Timeout { agent } => write!(f, "agent {agent}: timeout"),
            Self::Note(text) => write!(f, "note: {text}"),
        }
    }
}

/// Writes the payload as quoted text, escaping what is not printable, cut to
/// [`PREVIEW_CHARS`] characters.
fn write_preview(f: &mut fmt::Formatter<'_>, preview: &[u8], len: usize) -> fmt::Result {
    let text = String::from_utf8_lossy(preview);
    f.write_str("\"")?;
    let mut shown = 0;
    for c in text.chars() {
        if shown >= PREVIEW_CHARS {
            break;
        }
        write!(f, "{}", c.escape_debug())?;
        shown += 1;
    }
    f.write_str("\"")?;
    if shown < text.chars().count() || preview.len() < len {
        f.write_str("…")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn disabled_records_nothing() {
        let mut trace = Trace::default();
        trace.note(Instant::now(), "hello");
        assert!(trace.entries().is_empty());
        assert!(trace.to_string().contains("trace disabled"));
    }

    #[test]
    fn prints_offsets_and_escaped_previews() {
        let t0 = Instant::now();
        let a: SocketAddr = "10.0.0.1:5060".parse().unwrap();
        let b: SocketAddr = "10.0.0.2:5060".parse().unwrap();
        let mut trace = Trace::recording(t0);
        let long = format!("INVITE sip:bob@example.com SIP/2.0\r\n{}", "x".repeat(200));
        let at = t0 + Duration::from_millis(1500);
        let delivered = DatagramFate::Delivered {
            duplicate: false,
            reordered: false,
        };
        trace.datagram(at, a, b, delivered, long.as_bytes());
        trace.datagram(at, b, a, DatagramFate::Lost, b"ok");
        trace.record(at, TraceEvent::Timeout { agent: 1 });
        let text = trace.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("    1.500000s  10.0.0.1:5060 -> 10.0.0.2:5060  delivered  236 B  \"INVITE sip:bob@example.com SIP/2.0\\r\\n"));
        assert!(lines[0].ends_with("\"…"));
        assert!(lines[1].ends_with("LOST  2 B  \"ok\""));
        assert!(lines[2].ends_with("agent 1: timeout"));
        let tail = trace.tail(1).to_string();
        assert!(tail.starts_with("… 2 earlier entries\n"));
    }
}
