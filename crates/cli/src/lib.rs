//! The `ferrosip` command: `ferrosip demo` (two endpoints in one process
//! call each other over loopback and check what they heard), and
//! `ferrosip [options] [sip-url]`, a softphone with pjsua's options and
//! console commands.

use std::process::ExitCode;

pub mod console;
pub mod demo;
pub mod options;
pub mod softphone;

/// Runs the command with `args` (without the program name).
pub fn run(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("demo") => demo::run(&args[1..]),
        _ => match options::Options::parse(args) {
            Ok(options::Parsed::Help) => {
                print_out(options::help());
                ExitCode::SUCCESS
            }
            Ok(options::Parsed::Version) => {
                print_out(&options::version());
                ExitCode::SUCCESS
            }
            Ok(options::Parsed::Run(opts)) => softphone::run(&opts),
            Err(e) => {
                let msg = e.to_string();
                eprintln!("ferrosip: {msg}");
                if !msg.contains("--help") {
                    eprintln!("Try `ferrosip --help` for the options.");
                }
                ExitCode::from(2)
            }
        },
    }
}

/// Prints `text` to stdout, ignoring a closed pipe (`ferrosip --help | head`).
fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", text.trim_end());
    let _ = out.flush();
}
