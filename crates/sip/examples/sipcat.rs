//! Parses SIP messages from files (or standard input) and says what each one is,
//! or why it is refused and what a UAS would answer.
//!
//! ```text
//! cargo run -p ferrosip-sip --example sipcat -- crates/sip/tests/data/rfc4475/*.dat
//! ```

use std::io::Read;

use sip::Message;

fn describe(msg: &Message) -> String {
    let start = match (msg.method(), msg.status()) {
        (Some(m), _) => format!("request {m} {}", msg.request_uri_str().unwrap_or("")),
        (None, Some(s)) => format!("response {s} {}", msg.reason().unwrap_or("")),
        (None, None) => unreachable!("a message is a request or a response"),
    };
    let mut out = format!(
        "{start} ({} header lines, {} body bytes)",
        msg.header_count(),
        msg.body().len()
    );
    if let Some(cseq) = msg.cseq() {
        out.push_str(&format!(", CSeq {cseq}"));
    }
    if let Some(via) = msg.via() {
        out.push_str(&format!(", top Via {} {}", via.transport, via.host));
    }
    if let Some(h) = msg.repeated_single_header() {
        out.push_str(&format!(", {h} repeated: a UAS answers 400"));
    }
    out
}

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let inputs: Vec<(String, Vec<u8>)> = if paths.is_empty() {
        let mut buf = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
            eprintln!("stdin: {e}");
            std::process::exit(2);
        }
        vec![("<stdin>".to_owned(), buf)]
    } else {
        paths
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap_or_else(|e| {
                    eprintln!("{p}: {e}");
                    std::process::exit(2);
                });
                (p, bytes)
            })
            .collect()
    };
    let (mut accepted, mut refused) = (0, 0);
    for (name, bytes) in &inputs {
        let short = name.rsplit('/').next().unwrap_or(name);
        match Message::parse(bytes) {
            Ok(msg) => {
                accepted += 1;
                println!("{short:<16} ok       {}", describe(&msg));
            }
            Err(e) => {
                refused += 1;
                println!(
                    "{short:<16} refused  {e} -> a UAS answers {} {}",
                    e.status_code(),
                    e.reason_phrase()
                );
            }
        }
    }
    println!("{accepted} parsed, {refused} refused");
}
