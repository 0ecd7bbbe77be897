//! The `ferrosip` command: `ferrosip demo` (two endpoints in one process
//! call each other over loopback and check what they heard), and
//! `ferrosip [options] [sip-url]`, a softphone with pjsua's options and
//! console commands.

use std::process::ExitCode;

pub mod console;
pub mod demo;
pub mod options;

/// Runs the command with `args` (without the program name).
pub fn run(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("demo") => demo::run(&args[1..]),
        _ => {
            eprintln!("ferrosip: only `ferrosip demo` exists yet (the softphone is being built)");
            ExitCode::from(2)
        }
    }
}
