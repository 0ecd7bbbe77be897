//! The call flow as it happens: one line per event, stamped with the time
//! since the demo started, and one line per SIP message sent (taken from
//! the library's message log through a [`LogWriter`]).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ferrosip::log::{LogEntry, LogWriter};

/// Where the flow goes: stdout, unless quiet.
#[derive(Debug)]
pub(crate) struct Flow {
    start: Instant,
    quiet: bool,
    /// Each party's SIP address and name, to name a message's ends.
    parties: Mutex<Vec<(SocketAddr, String)>>,
    /// Serialises lines from several threads.
    out: Mutex<()>,
}

impl Flow {
    /// A flow whose clock starts now.
    pub(crate) fn new(quiet: bool) -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            quiet,
            parties: Mutex::new(Vec::new()),
            out: Mutex::new(()),
        })
    }

    /// Seconds since the start.
    pub(crate) fn secs(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Names the party whose SIP transport is at `addr`.
    pub(crate) fn add_party(&self, addr: SocketAddr, name: &str) {
        lock(&self.parties).push((addr, name.to_owned()));
    }

    fn name_of(&self, addr: SocketAddr) -> Option<String> {
        lock(&self.parties)
            .iter()
            .find(|(a, _)| *a == addr)
            .map(|(_, n)| n.clone())
    }

    /// Prints a line that is not part of the flow (headers, tables), unless
    /// quiet.
    pub(crate) fn say(&self, text: &str) {
        if !self.quiet {
            let _turn = lock(&self.out);
            println!("{text}");
        }
    }

    /// Prints `what` happening at `who`, with the time.
    pub(crate) fn event(&self, who: &str, what: &str) {
        if self.quiet {
            return;
        }
        let t = self.secs();
        let _turn = lock(&self.out);
        println!("{t:7.3} s  {who:<13}  {what}");
    }

    /// Prints a message sent: `TX <n> bytes <start line> to <addr>:\n<msg>`
    /// as the library logs it.
    fn message(&self, log: &str) {
        let Some(sent) = SentMessage::parse(log) else {
            return;
        };
        let to = self.name_of(sent.to);
        let from = match to.as_deref() {
            Some(to) => lock(&self.parties)
                .iter()
                .find(|(_, n)| n != to)
                .map_or_else(|| "?".to_owned(), |(_, n)| n.clone()),
            None => "?".to_owned(),
        };
        let to = to.unwrap_or_else(|| sent.to.to_string());
        self.event(&format!("{from} → {to}"), &sent.summary());
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A SIP message as the library's message log shows it being sent.
#[derive(Debug, PartialEq)]
struct SentMessage {
    start_line: String,
    to: SocketAddr,
    text: String,
}

impl SentMessage {
    fn parse(log: &str) -> Option<Self> {
        let (first, rest) = log.split_once('\n')?;
        let first = first.strip_prefix("TX ")?;
        let (_bytes, first) = first.split_once(" bytes ")?;
        let (start_line, to) = first.rsplit_once(" to ")?;
        let to = to.trim_end_matches(':').parse().ok()?;
        let text = rest.trim_end_matches("--end msg--").to_owned();
        Some(Self {
            start_line: start_line.to_owned(),
            to,
            text,
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.text
            .split("\r\n\r\n")
            .next()?
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    fn body(&self) -> &str {
        self.text.split_once("\r\n\r\n").map_or("", |(_, b)| b)
    }

    /// `INVITE sip:bob@… (SDP: PCMU, sendonly)`, `200 OK (INVITE)`, ….
    fn summary(&self) -> String {
        let mut out = match self.start_line.strip_prefix("SIP/2.0 ") {
            Some(status) => {
                let method = self
                    .header("CSeq")
                    .and_then(|c| c.split_whitespace().nth(1))
                    .unwrap_or("?");
                format!("{status} ({method})")
            }
            None => self.start_line.trim_end_matches(" SIP/2.0").to_owned(),
        };
        let content_type = self
            .header("Content-Type")
            .or_else(|| self.header("c"))
            .unwrap_or("");
        let body = self.body();
        if content_type.starts_with("application/sdp") {
            out.push_str(&format!("  [SDP: {}]", sdp_summary(body)));
        } else if content_type.starts_with("text/plain") && !body.is_empty() {
            out.push_str(&format!("  [text: \"{body}\"]"));
        }
        out
    }
}

/// The codecs offered or chosen, the RTP port, and the direction.
fn sdp_summary(sdp: &str) -> String {
    let mut port = "";
    let mut codecs: Vec<&str> = Vec::new();
    let mut dir = "sendrecv";
    for line in sdp.lines() {
        if let Some(m) = line.strip_prefix("m=audio ") {
            port = m.split_whitespace().next().unwrap_or("");
        } else if let Some(r) = line.strip_prefix("a=rtpmap:") {
            match r.split_whitespace().nth(1) {
                Some(name) if !name.starts_with("telephone-event") => codecs.push(name),
                _ => {}
            }
        } else if let Some(d) = line.strip_prefix("a=") {
            if matches!(d, "sendrecv" | "sendonly" | "recvonly" | "inactive") {
                dir = d;
            }
        }
    }
    let shown: Vec<&str> = codecs.iter().take(3).copied().collect();
    let more = if codecs.len() > 3 { ", …" } else { "" };
    format!("audio RTP port {port}, {}{more}, {dir}", shown.join(", "))
}

/// Sends the library's log of SIP messages sent to the flow.
pub(crate) struct SipLog(pub(crate) Arc<Flow>);

impl LogWriter for SipLog {
    fn write(&self, entry: &LogEntry) {
        if entry.msg.starts_with("TX ") {
            self.0.message(&entry.msg);
        } else if entry.level <= 1 {
            self.0.event("(library)", entry.msg.trim_end());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logged_message_becomes_one_line() {
        let log = "TX 400 bytes SIP/2.0 200 OK to 127.0.0.1:5060:\n\
                   SIP/2.0 200 OK\r\nCSeq: 2 INVITE\r\nContent-Type: application/sdp\r\n\r\n\
                   v=0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
                   a=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n--end msg--";
        let m = SentMessage::parse(log).unwrap();
        assert_eq!(m.to, "127.0.0.1:5060".parse().unwrap());
        assert_eq!(
            m.summary(),
            "200 OK (INVITE)  [SDP: audio RTP port 4000, PCMU/8000, sendonly]"
        );
        let log = "TX 300 bytes BYE sip:bob@127.0.0.1:5062 SIP/2.0 to 127.0.0.1:5062:\n\
                   BYE sip:bob@127.0.0.1:5062 SIP/2.0\r\nCSeq: 3 BYE\r\n\r\n--end msg--";
        assert_eq!(
            SentMessage::parse(log).unwrap().summary(),
            "BYE sip:bob@127.0.0.1:5062"
        );
    }
}
