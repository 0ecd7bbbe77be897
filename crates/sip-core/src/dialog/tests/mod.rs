//! Tests of the dialog layer, written from the call flows of RFC 3261 and
//! RFC 3665.

mod call_flow;
mod forking;
mod identity;
mod properties;
mod refresh;
mod routing;

use sip::header::Route;
use sip::{Address, Message};

/// Parses a message written one header per line with any indentation; adds
/// `Content-Length: 0` and the blank line.
pub(super) fn msg(text: &str) -> Message {
    let mut s = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        s.push_str(line);
        s.push_str("\r\n");
    }
    s.push_str("Content-Length: 0\r\n\r\n");
    match Message::parse(s.as_bytes()) {
        Ok(m) => m,
        Err(e) => panic!("test message does not parse: {e}\n{s}"),
    }
}

/// [`msg`] through the lazy parser, which lets malformed header values
/// through (as a UAS uses it, to answer 400).
pub(super) fn lazy(text: &str) -> Message {
    let mut s = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        s.push_str(line);
        s.push_str("\r\n");
    }
    s.push_str("Content-Length: 0\r\n\r\n");
    match Message::parse_lazy(s.as_bytes(), &sip::Limits::default()) {
        Ok(m) => m,
        Err(e) => panic!("test message does not frame: {e}\n{s}"),
    }
}

/// An address from text.
pub(super) fn addr(text: &str) -> Address<'static> {
    Address::parse(text).expect("test address").into_owned()
}

/// The Route values of a message, printed.
pub(super) fn routes(m: &Message) -> Vec<String> {
    m.typed_all::<Route<'_>>()
        .map(|r| r.expect("Route parses").to_string())
        .collect()
}

/// A request as the transaction layer sends it: with a Via, as the peer
/// receives it (printed and parsed again).
pub(super) fn sent(m: &Message) -> Message {
    let mut m = m.clone();
    m.push_front(
        sip::header::HeaderName::Via,
        sip::header::Via::new(
            "UDP",
            sip::uri::Host::parse_str("ua.example.com").expect("host"),
            None,
            "z9hG4bKsent",
        ),
    );
    wire(&m)
}

/// A request travels one hop: the message a peer receives is the one sent,
/// printed and parsed again (as a proxy would forward it, Via aside).
pub(super) fn wire(m: &Message) -> Message {
    Message::parse(&m.to_bytes()).expect("built message parses back")
}
