//! `ferrosip`: the command-line softphone (PJSIP's `pjsua`, on ferrosip), and
//! `ferrosip demo`. Everything is in the library (`ferrosip_cli`), so that
//! tests can drive it.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ferrosip_cli::run(&args)
}
