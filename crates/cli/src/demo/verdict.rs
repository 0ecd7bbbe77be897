//! The RTP statistics and the verdict: each check passed or failed, with
//! what was measured.

use ferrosip::call::InvState;
use ferrosip::media::StreamStat;

use super::audio::Heard;
use super::flow::Flow;
use super::scenario::{ALICE_DBFS, ALICE_HZ, BOB_HZ, DIGITS, MESSAGE, Measured};

/// How far a measured frequency may be from the one sent, Hz.
const FREQ_TOLERANCE: f64 = 3.0;
/// How far the recording's level may be from the one sent, dB.
const LEVEL_TOLERANCE: f64 = 2.0;
/// What counts as hearing a tone: louder than this, dBFS.
const AUDIBLE: f64 = -30.0;
/// What counts as silence: quieter than this, dBFS.
const SILENT: f64 = -60.0;

/// Both streams' statistics at the end of the call.
pub(crate) struct Stats {
    /// alice's stream.
    pub(crate) alice: StreamStat,
    /// bob's stream.
    pub(crate) bob: StreamStat,
}

/// One check.
#[derive(Debug)]
pub(crate) struct Check {
    /// Passed.
    pub(crate) ok: bool,
    /// What was checked, and found.
    pub(crate) what: String,
}

/// All the checks.
#[derive(Debug)]
pub struct Verdict {
    checks: Vec<Check>,
    secs: f64,
}

fn hears(h: &Heard, freq: f64) -> bool {
    (h.freq - freq).abs() <= FREQ_TOLERANCE && h.dbfs > AUDIBLE
}

fn tone(h: &Heard) -> String {
    format!("{:.1} Hz at {}", h.freq, h.level())
}

impl Verdict {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    /// Judges what was seen and measured.
    pub(crate) fn judge(
        m: &Measured,
        digits: &str,
        messages: &[String],
        message_status: &[(i32, String)],
        states: &(Vec<InvState>, Vec<InvState>),
        errors: &[String],
        secs: f64,
    ) -> Self {
        let mut checks = Vec::new();
        let mut check = |ok: bool, what: String| checks.push(Check { ok, what });
        if let Some(f) = &m.failure {
            check(false, format!("the call went to its end: {f}"));
        }
        let confirmed = |s: &Vec<InvState>| s.contains(&InvState::Confirmed);
        let ended = |s: &Vec<InvState>| s.last() == Some(&InvState::Disconnected);
        check(
            confirmed(&states.0) && confirmed(&states.1) && ended(&states.0) && ended(&states.1),
            "call: answered (CONFIRMED) and hung up (DISCONNECTED) on both sides".into(),
        );
        match &m.recording {
            Some((secs, h)) => {
                let ok = (h.freq - ALICE_HZ).abs() <= FREQ_TOLERANCE
                    && (h.dbfs - ALICE_DBFS).abs() <= LEVEL_TOLERANCE;
                check(
                    ok,
                    format!(
                        "recording: bob's received.wav ({secs:.1} s) holds {} (alice sent {ALICE_HZ:.1} Hz at {ALICE_DBFS:.1} dBFS; ±{FREQ_TOLERANCE} Hz, ±{LEVEL_TOLERANCE} dB allowed)",
                        tone(h)
                    ),
                );
            }
            None => check(
                false,
                "recording: bob's received.wav could not be read".into(),
            ),
        }
        match &m.talk {
            Some((a, b)) => check(
                hears(a, BOB_HZ) && hears(b, ALICE_HZ),
                format!(
                    "talking: alice hears {} (bob sends {BOB_HZ:.0} Hz), bob hears {}",
                    tone(a),
                    tone(b)
                ),
            ),
            None => check(false, "talking: not reached".into()),
        }
        check(
            digits == DIGITS,
            format!("DTMF: bob received \"{digits}\" (alice sent \"{DIGITS}\", RFC 4733)"),
        );
        let delivered = message_status.first().map(|(c, _)| *c);
        check(
            messages.first().map(String::as_str) == Some(MESSAGE) && delivered == Some(200),
            format!(
                "message: bob received {}; alice got {}",
                messages
                    .first()
                    .map_or_else(|| "nothing".to_owned(), |t| format!("\"{t}\"")),
                message_status
                    .first()
                    .map_or_else(|| "no answer".to_owned(), |(c, r)| format!("{c} {r}"))
            ),
        );
        match (&m.hold, m.hold_rtp) {
            (Some((a, b)), Some((alice_rx, bob_tx, bob_rx))) => {
                let silent = a.dbfs < SILENT;
                check(
                    silent && alice_rx == 0 && bob_tx == 0,
                    format!(
                        "hold: alice (holding) hears {} and gets {alice_rx} RTP packets in {:.1} s; bob (held) sends {bob_tx}",
                        a.level(),
                        m.hold_secs
                    ),
                );
                check(
                    hears(b, ALICE_HZ) && bob_rx > 0,
                    format!(
                        "hold: bob still hears alice (music on hold): {}, {bob_rx} RTP packets",
                        tone(b)
                    ),
                );
            }
            _ => check(false, "hold: not reached".into()),
        }
        match &m.unhold {
            Some((a, b)) => check(
                hears(a, BOB_HZ) && hears(b, ALICE_HZ),
                format!("unhold: alice hears {} again, bob {}", tone(a), tone(b)),
            ),
            None => check(false, "unhold: not reached".into()),
        }
        if let Some(s) = &m.stats {
            let (a, b) = (&s.alice.rtcp, &s.bob.rtcp);
            let lost = a.rx_stat.loss + b.rx_stat.loss;
            let got = a.rx_stat.pkt.min(b.rx_stat.pkt);
            check(
                got > 0 && lost == 0,
                format!(
                    "RTP: {} packets reached bob, {} reached alice, {lost} lost",
                    b.rx_stat.pkt, a.rx_stat.pkt
                ),
            );
        }
        for e in errors {
            check(false, format!("no error in the callbacks: {e}"));
        }
        Self { checks, secs }
    }

    /// Prints the statistics (unless quiet) and the verdict.
    pub(crate) fn print(&self, flow: &Flow, m: &Measured) {
        if let Some(s) = &m.stats {
            flow.say("");
            flow.say(
                "RTP statistics (Call::stream_stat at the end of the call: the whole call, the",
            );
            flow.say("stream kept through hold and unhold; bob sent nothing while held)");
            flow.say("                 sent: packets    bytes   received: packets    bytes   lost   jitter");
            for (dir, tx, rx) in [
                ("alice → bob", &s.alice, &s.bob),
                ("bob → alice", &s.bob, &s.alice),
            ] {
                let (t, r) = (&tx.rtcp.tx_stat, &rx.rtcp.rx_stat);
                flow.say(&format!(
                    "  {dir}    {:>13} {:>8}   {:>17} {:>8}   {:>4}   {}",
                    t.pkt,
                    t.bytes,
                    r.pkt,
                    r.bytes,
                    r.loss,
                    jitter(rx)
                ));
            }
            let rtt = |st: &StreamStat| {
                (st.rtcp.rtt_usec.n > 0)
                    .then(|| format!("{:.2} ms", st.rtcp.rtt_usec.last as f64 / 1000.0))
            };
            if let Some(r) = rtt(&s.alice).or_else(|| rtt(&s.bob)) {
                flow.say(&format!("  round trip (from RTCP reports): {r}"));
            }
            flow.say(
                "  jitter: RFC 3550 interarrival jitter from the receiver's last RTCP report;",
            );
            flow.say("  before any report (*), the mean of its per-packet transit differences");
        }
        flow.say("");
        println!("Verdict");
        for c in &self.checks {
            println!("  {}  {}", if c.ok { "PASS" } else { "FAIL" }, c.what);
        }
        let failed: Vec<&Check> = self.checks.iter().filter(|c| !c.ok).collect();
        if failed.is_empty() {
            println!(
                "All {} checks passed in {:.1} s.",
                self.checks.len(),
                self.secs
            );
        } else {
            println!(
                "FAILED: {} of {} checks ({}); {:.1} s.",
                failed.len(),
                self.checks.len(),
                failed
                    .iter()
                    .map(|c| c.what.split(':').next().unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.secs
            );
        }
    }
}

/// The receiver's jitter: from its RTCP reports, else the mean raw
/// transit difference (marked `*`).
fn jitter(rx: &StreamStat) -> String {
    let j = &rx.rtcp.rx_stat.jitter_usec;
    if j.n > 0 {
        format!("{:.2} ms", j.last as f64 / 1000.0)
    } else {
        format!(
            "{:.2} ms*",
            rx.rtcp.rx_raw_jitter_usec.exact_mean() / 1000.0
        )
    }
}
