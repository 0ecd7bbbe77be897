//! A kamailio registrar for tests written in other languages (the Python
//! binding's pytest suite): starts [`interop::Kamailio`] on a free port of
//! 127.0.0.1, prints one line `READY <ip:port>`, then answers commands read
//! from stdin, one per line, until stdin closes, and stops kamailio.
//!
//! ```text
//! cargo run -p ferrosip-interop --example kamailio [-- --min-expires N]
//! READY 127.0.0.1:40123
//! contacts alice          # -> CONTACTS <uri> <uri> ...   (nothing after CONTACTS: none)
//! log                     # -> kamailio's log so far, then a line END
//! ```
//!
//! An unknown command or a failure answers `ERROR <text>`. The accounts are
//! those of [`interop::Kamailio`]: alice/alicepw, bob/bobpw, … in domain
//! 127.0.0.1. When kamailio is not installed, it prints `MISSING kamailio`
//! and exits with status 2.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use interop::Kamailio;

fn main() -> ExitCode {
    let mut options = Kamailio::options();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (
            arg.as_str(),
            args.next().and_then(|v| v.parse::<u32>().ok()),
        ) {
            ("--min-expires", Some(n)) => options = options.min_expires(n),
            ("--max-expires", Some(n)) => options = options.max_expires(n),
            ("--default-expires", Some(n)) => options = options.default_expires(n),
            _ => {
                eprintln!(
                    "usage: kamailio [--min-expires N] [--max-expires N] [--default-expires N]"
                );
                return ExitCode::from(64);
            }
        }
    }
    if !Kamailio::is_installed() {
        println!("MISSING kamailio");
        return ExitCode::from(2);
    }
    let kamailio = match options.start() {
        Ok(k) => k,
        Err(e) => {
            println!("ERROR {}", one_line(&e.to_string()));
            return ExitCode::FAILURE;
        }
    };
    let mut out = io::stdout().lock();
    if writeln!(out, "READY {}", kamailio.addr())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let answer = answer(&kamailio, line.trim());
        if writeln!(out, "{answer}")
            .and_then(|()| out.flush())
            .is_err()
        {
            break;
        }
    }
    // Dropping `kamailio` stops it and removes its run directory.
    ExitCode::SUCCESS
}

/// The reply to one command line.
fn answer(kamailio: &Kamailio, command: &str) -> String {
    let mut words = command.split_whitespace();
    match (words.next(), words.next()) {
        (Some("contacts"), Some(user)) => match kamailio.contacts(user) {
            Ok(contacts) => format!("CONTACTS {}", contacts.join(" "))
                .trim_end()
                .to_owned(),
            Err(e) => format!("ERROR {}", one_line(&e.to_string())),
        },
        (Some("log"), None) => format!("{}\nEND", kamailio.log().trim_end()),
        _ => format!("ERROR unknown command {command:?}"),
    }
}

/// `text` on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
