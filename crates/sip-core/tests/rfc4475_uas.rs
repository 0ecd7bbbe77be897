//! RFC 4475's torture messages arriving at a user agent's stack over UDP: each
//! gets the outcome its section describes for a UAS — handed to the user, a
//! response from the stack itself, or dropped (when no response can be formed:
//! the start line or top Via is unusable, or a response must copy headers that
//! are missing).

use std::time::Instant;

use sip::{Limits, Message};
use sip_core::stack::{Event, Stack, StackConfig, Transmit};
use sip_core::transport::TransportKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The request reaches the transaction user.
    User,
    /// The stack answers with this status.
    Answer(u16),
    /// Nothing goes out.
    Dropped,
}
use Outcome::*;

const CASES: &[(&str, Outcome)] = &[
    // §3.1.1 valid messages.
    ("wsinv.dat", User),
    // An unknown method: 501 (§3.1.1.2).
    ("intmeth.dat", Answer(501)),
    ("esc01.dat", User),
    // REGISTER is for registrars: a user agent answers 405.
    ("escnull.dat", Answer(405)),
    // RE%47IST%45R is not REGISTER but an unknown method (§3.1.1.5).
    ("esc02.dat", Answer(501)),
    ("lwsdisp.dat", User),
    ("longreq.dat", User),
    ("dblreq.dat", Answer(405)),
    ("semiuri.dat", User),
    ("transports.dat", User),
    // multipart/mixed (text/plain and binary parts): the user takes it.
    ("mpart01.dat", User),
    // Responses to nothing we sent.
    ("unreason.dat", Dropped),
    ("noreason.dat", Dropped),
    // §3.1.2 invalid messages: 400 where a response can be formed.
    ("badinv01.dat", Dropped), // the top Via itself is malformed
    ("clerr.dat", Dropped),    // framing fails: the body is short
    ("ncl.dat", Dropped),      // framing fails: negative Content-Length
    ("scalar02.dat", Answer(400)),
    ("scalarlg.dat", Dropped), // a response
    ("quotbal.dat", Answer(400)),
    ("ltgtruri.dat", Answer(400)),
    ("lwsruri.dat", Dropped),  // the request line does not split
    ("lwsstart.dat", Dropped), // likewise
    ("trws.dat", Dropped),     // likewise
    ("escruri.dat", Answer(400)),
    ("baddate.dat", Answer(400)),
    ("regbadct.dat", Answer(400)),
    ("badaspec.dat", Answer(400)),
    ("baddn.dat", Answer(400)),
    ("badvers.dat", Answer(505)),
    ("mismatch01.dat", Answer(400)),
    ("mismatch02.dat", Answer(400)),
    ("bigcode.dat", Dropped), // a response
    // §3.2–§3.4 semantic tests.
    ("badbranch.dat", User),
    ("insuf.dat", Dropped), // no Call-ID, From or To to copy into a response
    ("unkscm.dat", Answer(416)),
    ("novelsc.dat", Answer(416)),
    ("unksm2.dat", Answer(405)),
    ("bext01.dat", Answer(420)),
    ("invut.dat", Answer(415)),
    ("regaut01.dat", Answer(405)),
    ("multi01.dat", Answer(400)),
    ("mcl01.dat", Answer(400)),
    ("bcast.dat", Dropped),
    ("zeromf.dat", User),
    ("cparam01.dat", Answer(405)),
    ("cparam02.dat", Answer(405)),
    ("regescrt.dat", Answer(405)),
    ("sdp01.dat", User),
    ("inv2543.dat", User),
];

#[allow(clippy::disallowed_methods)]
fn epoch() -> Instant {
    Instant::now()
}

fn load(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../sip/tests/data/rfc4475/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_torture_message_gets_its_outcome() {
    assert_eq!(CASES.len(), 49);
    let mut failures = Vec::new();
    for &(name, expected) in CASES {
        let mut stack = Stack::new(StackConfig::default());
        let udp = stack.add_transport(TransportKind::Udp, "192.0.2.1:5060".parse().unwrap());
        let now = epoch();
        stack.handle_datagram(now, udp, "192.0.2.9:5060".parse().unwrap(), &load(name));
        let mut answers = Vec::new();
        while let Some(t) = stack.poll_transmit() {
            if let Transmit::Datagram { payload, .. } = t {
                // A response copies From, To, Call-ID and CSeq as the request
                // wrote them, malformed or not: frame it, don't validate it.
                let response = Message::parse_lazy(&payload, &Limits::default())
                    .unwrap_or_else(|e| panic!("{name}: our response does not parse: {e}"));
                answers.push((
                    response.status().map(|s| s.code()).unwrap_or(0),
                    response.reason().unwrap_or("").to_owned(),
                ));
            }
        }
        let mut to_user = false;
        while let Some(e) = stack.poll_event() {
            to_user |= matches!(e, Event::Request { .. });
        }
        let outcome = match (answers.as_slice(), to_user) {
            ([], true) => User,
            ([(code, _)], false) => Answer(*code),
            ([], false) => Dropped,
            other => {
                failures.push(format!("{name}: several outcomes {other:?}"));
                continue;
            }
        };
        if outcome != expected {
            failures.push(format!(
                "{name}: expected {expected:?}, got {outcome:?} {answers:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
