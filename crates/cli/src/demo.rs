//! `ferrosip demo`: two SIP phones in one process call each other over
//! loopback, with no server. alice calls bob; a 440 Hz tone (a WAV file
//! written at start) goes to bob, who records it, and bob's 1000 Hz tone
//! comes back; DTMF (RFC 4733) and an instant message cross; alice holds the
//! call and takes it back; bob hangs up. The call flow is printed as it
//! happens (call and media states, every SIP message sent), then the RTP
//! statistics and a verdict measured from what each side heard and from
//! bob's recording. The exit code is 0 when every check passed, 1 when one
//! failed, 2 for a bad option.
//!
//! ferrosip's `Endpoint` is one per process, as PJSUA2's: the two phones are
//! two accounts of one endpoint, each on its own UDP transport.

use std::path::PathBuf;
use std::process::ExitCode;

mod audio;
mod flow;
mod party;
mod scenario;
mod verdict;

pub use verdict::Verdict;

const HELP: &str = "\
ferrosip demo: a SIP call between two phones in this process, over loopback, no server

Usage: ferrosip demo [--quiet] [--keep DIR]

alice calls bob over UDP on 127.0.0.1 (ports picked by the system). alice plays
a 440 Hz tone from a WAV file written at start; bob answers, plays a 1000 Hz
tone and records what he hears to a WAV file. alice dials DTMF 1234# (RFC 4733
events in the RTP stream) and sends an instant message (SIP MESSAGE); she puts
the call on hold (re-INVITE, a=sendonly) for a second and takes it back; bob
hangs up. Each side's call and media states and every SIP message are printed
as they happen, then the RTP statistics and a verdict: the recording's
frequency and level, what each side heard while talking, on hold and after,
the digits and the message received.

Options:
  -q, --quiet     print the verdict only
  --keep DIR      write the WAV files (sent.wav, received.wav) to DIR and keep
                  them (default: a temporary directory, removed at the end)
  -h, --help      this help

Exit status: 0 when every check passed, 1 when one failed, 2 for a bad option.
";

/// Runs the demo with its arguments (those after `demo`).
pub fn run(args: &[String]) -> ExitCode {
    let mut opts = scenario::Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                return ExitCode::SUCCESS;
            }
            "-q" | "--quiet" => opts.quiet = true,
            "--keep" => match args.next() {
                Some(dir) => opts.keep = Some(PathBuf::from(dir)),
                None => return usage("--keep needs a directory"),
            },
            other => return usage(&format!("unknown option {other}")),
        }
    }
    if scenario::run(&opts).passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("ferrosip demo: {problem} (see ferrosip demo --help)");
    ExitCode::from(2)
}
