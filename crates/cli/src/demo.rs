//! `ferrosip demo` (being written).

use std::process::ExitCode;

/// Runs the demo with its arguments.
pub fn run(_args: &[String]) -> ExitCode {
    eprintln!("ferrosip demo: being written");
    ExitCode::from(2)
}
