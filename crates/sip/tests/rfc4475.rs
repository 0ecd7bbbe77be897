//! RFC 4475 torture messages, each checked against the outcome its section asks
//! for. The files are in `data/rfc4475/`, byte for byte from the RFC.
//!
//! Classes:
//! - `Valid`: parses, and print ∘ parse reaches a fixed point;
//! - `Invalid(why)`: [`Message::parse`] refuses it; `why` names the check that does;
//! - `Semantic(what)`: parses; the layer above answers (`what` says how, and the
//!   test checks the fact that answer rests on).

use sip::header::{CSeq, HeaderName, Via};
use sip::{Message, ParseError};

#[derive(Debug, Clone, Copy)]
enum Expect {
    Valid,
    Invalid(&'static str),
    Semantic(&'static str),
}
use Expect::*;

const CASES: &[(&str, Expect)] = &[
    ("wsinv.dat", Valid),
    ("intmeth.dat", Valid),
    ("esc01.dat", Valid),
    ("escnull.dat", Valid),
    ("esc02.dat", Valid),
    ("lwsdisp.dat", Valid),
    ("longreq.dat", Valid),
    ("dblreq.dat", Valid),
    ("semiuri.dat", Valid),
    ("transports.dat", Valid),
    ("mpart01.dat", Valid),
    ("unreason.dat", Valid),
    ("noreason.dat", Valid),
    // Via ";;,;,," and Contact ";;;;": empty parameters.
    ("badinv01.dat", Invalid("header")),
    // Content-Length 9999 with a 152-byte body.
    ("clerr.dat", Invalid("body-truncated")),
    // Content-Length: -999.
    ("ncl.dat", Invalid("header")),
    // CSeq, Max-Forwards, Expires and Contact expires out of range.
    ("scalar02.dat", Invalid("header")),
    // CSeq and Retry-After out of range; warn-code of four digits.
    ("scalarlg.dat", Invalid("header")),
    ("quotbal.dat", Invalid("header")),
    ("ltgtruri.dat", Invalid("start-line")),
    ("lwsruri.dat", Invalid("start-line")),
    ("lwsstart.dat", Invalid("start-line")),
    ("trws.dat", Invalid("start-line")),
    // Headers in a Request-URI are not allowed (RFC 3261 §19.1.1).
    ("escruri.dat", Invalid("start-line")),
    // Date in EST: RFC 3261 §20.17 requires GMT.
    ("baddate.dat", Invalid("header")),
    // A Contact URI with '?' must be in angle brackets.
    ("regbadct.dat", Invalid("header")),
    ("badaspec.dat", Invalid("header")),
    ("baddn.dat", Invalid("header")),
    ("badvers.dat", Invalid("version")),
    ("mismatch01.dat", Invalid("cseq-mismatch")),
    ("mismatch02.dat", Invalid("cseq-mismatch")),
    ("bigcode.dat", Invalid("start-line")),
    // No branch: the transaction layer matches by RFC 2543 rules.
    ("badbranch.dat", Semantic("no-rfc3261-branch")),
    // No Call-ID, From or To: a UAS answers 400.
    ("insuf.dat", Semantic("missing-headers")),
    // A UAS answers 416.
    ("unkscm.dat", Semantic("other-scheme-request-uri")),
    ("novelsc.dat", Semantic("other-scheme-request-uri")),
    // Unknown schemes in To, From, Contact are fine for a registrar to refuse later.
    ("unksm2.dat", Semantic("parses")),
    // Require/Proxy-Require of unknown options: 420 with Unsupported.
    ("bext01.dat", Semantic("require")),
    // Unknown Content-Type with Content-Disposition handling=required: 415.
    ("invut.dat", Semantic("parses")),
    // Unknown Authorization scheme: the registrar answers 401.
    ("regaut01.dat", Semantic("parses")),
    // Two CSeq, Call-ID, To, From, Max-Forwards: 400.
    ("multi01.dat", Semantic("repeated-single")),
    // Two Content-Length values: 400.
    ("mcl01.dat", Semantic("repeated-single")),
    // A proxy must not forward; a UAS may answer.
    ("bcast.dat", Semantic("parses")),
    // Max-Forwards 0: an OPTIONS is answered by the UAS, not forwarded.
    ("zeromf.dat", Semantic("parses")),
    ("cparam01.dat", Semantic("parses")),
    ("cparam02.dat", Semantic("parses")),
    // A URI-escaped header in a Contact, in brackets: legal.
    ("regescrt.dat", Semantic("parses")),
    // Accept: text/nobodyKnowsThis: the UAS answers 406.
    ("sdp01.dat", Semantic("parses")),
    // RFC 2543 syntax (no branch, no Content-Length over UDP): accepted.
    ("inv2543.dat", Semantic("no-rfc3261-branch")),
];

fn load(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/rfc4475/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn check_fixed_point(name: &str, msg: &Message) {
    let printed = msg.to_bytes();
    let reparsed = Message::parse(&printed)
        .unwrap_or_else(|e| panic!("{name}: printed message does not parse: {e}"));
    assert_eq!(
        reparsed.to_bytes(),
        printed,
        "{name}: print ∘ parse is not a fixed point"
    );
    assert_eq!(reparsed.body(), msg.body(), "{name}: body changed");
    assert_eq!(reparsed.header_count(), msg.header_count(), "{name}");
}

fn error_class(e: &ParseError) -> &'static str {
    match e {
        ParseError::Header { .. } | ParseError::HeaderLine { .. } => "header",
        ParseError::BodyTruncated { .. } => "body-truncated",
        ParseError::StartLine { .. } => "start-line",
        ParseError::Version { .. } => "version",
        ParseError::CSeqMethodMismatch { .. } => "cseq-mismatch",
        _ => "other",
    }
}

#[test]
fn all_49_messages_are_classified() {
    let on_disk = std::fs::read_dir(format!("{}/tests/data/rfc4475", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "dat")
        })
        .count();
    assert_eq!(on_disk, 49);
    assert_eq!(CASES.len(), 49);
}

#[test]
fn torture_messages() {
    let mut failures = Vec::new();
    for &(name, expect) in CASES {
        let bytes = load(name);
        let result = Message::parse(&bytes);
        match (expect, &result) {
            (Valid, Ok(msg)) => check_fixed_point(name, msg),
            (Semantic(what), Ok(msg)) => {
                check_fixed_point(name, msg);
                check_semantic(name, what, msg);
            }
            (Invalid(why), Err(e)) => {
                if error_class(e) != why {
                    failures.push(format!("{name}: expected {why}, got {e:?}"));
                }
                // The error reads well.
                assert!(!e.to_string().is_empty());
            }
            (Invalid(_), Ok(_)) => failures.push(format!("{name}: accepted, should be refused")),
            (_, Err(e)) => failures.push(format!("{name}: refused: {e}")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn check_semantic(name: &str, what: &str, msg: &Message) {
    match what {
        "parses" => {}
        "no-rfc3261-branch" => {
            let via: Via<'_> = msg.via().expect(name);
            assert!(!via.has_rfc3261_branch(), "{name}");
        }
        "missing-headers" => {
            assert!(
                msg.call_id().is_none() || msg.from().is_none() || msg.to().is_none(),
                "{name}"
            );
        }
        "other-scheme-request-uri" => {
            let uri = msg.request_uri().expect(name);
            assert!(uri.as_sip().is_none(), "{name}");
        }
        "require" => {
            assert!(msg.raw_value(HeaderName::Require).is_some(), "{name}");
            assert!(msg.raw_value(HeaderName::ProxyRequire).is_some(), "{name}");
        }
        "repeated-single" => {
            assert!(msg.repeated_single_header().is_some(), "{name}");
        }
        other => panic!("unknown semantic check {other}"),
    }
    let _ = msg.typed::<CSeq<'_>>();
}

#[test]
fn dblreq_keeps_only_the_first_message() {
    let msg = Message::parse(&load("dblreq.dat")).unwrap();
    assert_eq!(msg.method().unwrap().as_str(), "REGISTER");
    assert!(msg.body().is_empty());
}

#[test]
fn parse_error_maps_to_response_codes() {
    assert_eq!(
        Message::parse(&load("badvers.dat"))
            .unwrap_err()
            .status_code(),
        505
    );
    assert_eq!(
        Message::parse(&load("badinv01.dat"))
            .unwrap_err()
            .status_code(),
        400
    );
}

/// Every prefix of every torture message, and every message with any one byte
/// replaced by a line break, a quote or a NUL, parses or is refused: no panic.
#[test]
fn truncations_and_byte_swaps_never_panic() {
    for &(name, _) in CASES {
        let bytes = load(name);
        for end in 0..bytes.len() {
            let _ = Message::parse(&bytes[..end]);
        }
        for at in 0..bytes.len() {
            for replacement in [b'\n', b'"', 0, b'<', b',', b';'] {
                let mut mutated = bytes.clone();
                mutated[at] = replacement;
                if let Ok(msg) = Message::parse(&mutated) {
                    // Whatever is accepted prints to something accepted.
                    assert!(Message::parse(&msg.to_bytes()).is_ok(), "{name} at {at}");
                }
            }
        }
    }
}
