//! Property tests: no sequence of responses or requests, however broken,
//! makes the dialog layer panic or produce a dialog without both tags.

use proptest::prelude::*;
use sip::{Limits, Message, Method};

use super::addr;
use crate::dialog::{Dialog, DialogId, DialogSet, DialogState, ForkEvent, unmatched_request};

const CALL_ID: &str = "prop@atlanta.example.com";

fn invite() -> Message {
    super::msg(&format!(
        "INVITE sip:bob@biloxi.example.com SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKprop
         To: <sip:bob@biloxi.example.com>
         From: <sip:alice@atlanta.example.com>;tag=al
         Call-ID: {CALL_ID}
         CSeq: 5 INVITE
         Contact: <sip:alice@pc33.atlanta.example.com>"
    ))
}

/// A piece of a header value: well-formed choices, and junk.
fn junk() -> impl Strategy<Value = String> {
    "[ -~]{0,12}"
}

fn to_tag() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(";tag=".to_owned()),
        Just(";tag".to_owned()),
        (0..4u8).prop_map(|i| format!(";tag=t{i}")),
        junk().prop_map(|j| format!(";tag={j}")),
    ]
}

fn contact() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (0..3u8).prop_map(|i| format!("Contact: <sip:bob@host{i}.example.com>")),
        Just("Contact: <sips:bob@secure.example.com;transport=tls>".to_owned()),
        Just("Contact: *".to_owned()),
        Just("Contact: <tel:+12015550123>".to_owned()),
        Just("Contact: <sip:a@x>, <sip:b@x>".to_owned()),
        junk().prop_map(|j| format!("Contact: {j}")),
    ]
}

fn record_route() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>".to_owned()),
        Just("Record-Route: <sip:strict.example.com;method=INVITE?X=y>".to_owned()),
        Just("Record-Route: <http://example.com/>".to_owned()),
        junk().prop_map(|j| format!("Record-Route: {j}")),
    ]
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(100u16),
        Just(180),
        Just(183),
        Just(200),
        Just(202),
        Just(486),
        Just(603),
        100u16..700,
    ]
}

fn cseq() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => Just("5 INVITE".to_owned()),
        1 => Just("6 INVITE".to_owned()),
        1 => Just("5 BYE".to_owned()),
        1 => junk(),
    ]
}

#[derive(Debug, Clone)]
struct Response {
    status: u16,
    to_tag: String,
    contact: String,
    record_route: String,
    cseq: String,
    other_call: bool,
}

fn response() -> impl Strategy<Value = Response> {
    (
        status(),
        to_tag(),
        contact(),
        record_route(),
        cseq(),
        proptest::bool::weighted(0.05),
    )
        .prop_map(
            |(status, to_tag, contact, record_route, cseq, other_call)| Response {
                status,
                to_tag,
                contact,
                record_route,
                cseq,
                other_call,
            },
        )
}

impl Response {
    /// The response as it may arrive: parsed lazily, so that malformed values
    /// reach the dialog layer. `None` if it does not even frame.
    fn message(&self) -> Option<Message> {
        let call_id = if self.other_call { "other@x" } else { CALL_ID };
        let text = format!(
            "SIP/2.0 {} Reason\r\n\
             Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKprop\r\n\
             To: <sip:bob@biloxi.example.com>{}\r\n\
             From: <sip:alice@atlanta.example.com>;tag=al\r\n\
             Call-ID: {call_id}\r\n\
             CSeq: {}\r\n\
             {}\r\n\
             {}\r\n\
             Content-Length: 0\r\n\r\n",
            self.status, self.to_tag, self.cseq, self.contact, self.record_route
        );
        Message::parse_lazy(text.as_bytes(), &Limits::default()).ok()
    }
}

/// What every dialog must satisfy.
fn check_dialog(d: &Dialog) {
    let id = d.id();
    assert!(!id.local_tag().is_empty() && !id.remote_tag().is_empty());
    assert!(!id.call_id().is_empty());
    assert!(d.remote_target().as_sip().is_some());
    assert!(d.route_set().iter().all(|r| r.uri.as_sip().is_some()));
}

/// A request the dialog builds must print as a message that parses.
fn check_builds(d: &mut Dialog) {
    if d.state() == DialogState::Terminated {
        return;
    }
    if let Ok(builder) = d.request(Method::Info) {
        let built = builder.build().expect("dialog requests have every header");
        let parsed = Message::parse(&built.to_bytes()).expect("dialog requests parse");
        assert_eq!(DialogId::of_received_response(&parsed), None);
        assert_eq!(
            parsed
                .to()
                .and_then(|t| t.tag().map(str::to_owned))
                .as_deref(),
            Some(d.id().remote_tag())
        );
    }
    let ack = d.ack(5).build().expect("ACK has every header");
    Message::parse(&ack.to_bytes()).expect("ACK parses");
}

proptest! {
    #[test]
    fn random_responses_to_an_invite(responses in proptest::collection::vec(response(), 0..24)) {
        let request = invite();
        let mut set = DialogSet::new(&request, true).unwrap();
        let mut confirmed_events = 0;
        let mut failed = false;
        for r in &responses {
            let Some(message) = r.message() else { continue };
            // A dialog straight from the response, too.
            if let Ok(mut d) = Dialog::uac(&request, &message, false) {
                check_dialog(&d);
                check_builds(&mut d);
            }
            match set.handle_response(&message) {
                Ok(ForkEvent::Confirmed { id, .. }) => {
                    confirmed_events += 1;
                    prop_assert_eq!(set.first_confirmed(), Some(&id));
                }
                Ok(ForkEvent::Failed { terminated }) => {
                    failed = true;
                    prop_assert!(terminated.iter().all(|id| !id.remote_tag().is_empty()));
                }
                Ok(ForkEvent::Early { id, .. }
                    | ForkEvent::AlsoConfirmed { id, .. }
                    | ForkEvent::Retransmission { id }) => {
                    prop_assert!(set.dialog(id.remote_tag()).is_some());
                }
                Ok(ForkEvent::Ignored) | Err(_) => {}
            }
            prop_assert!(confirmed_events <= 1);
            prop_assert!(set.len() <= DialogSet::MAX_DIALOGS);
            if failed {
                prop_assert_eq!(set.early().count(), 0);
            }
            let mut tags: Vec<&str> = set.dialogs().map(|d| d.id().remote_tag()).collect();
            tags.sort_unstable();
            let n = tags.len();
            tags.dedup();
            prop_assert_eq!(tags.len(), n, "one dialog per To tag");
            for d in set.dialogs() {
                check_dialog(d);
                prop_assert_eq!(d.id().call_id(), CALL_ID);
                prop_assert_eq!(d.id().local_tag(), "al");
                prop_assert!(d.state() != DialogState::Terminated);
            }
        }
        let tags: Vec<String> = set.dialogs().map(|d| d.id().remote_tag().to_owned()).collect();
        for tag in tags {
            if let Some(d) = set.dialog_mut(&tag) {
                check_builds(d);
            }
        }
    }

    #[test]
    fn random_requests_within_a_dialog(
        requests in proptest::collection::vec(
            (
                prop_oneof![
                    Just("INFO"), Just("UPDATE"), Just("INVITE"), Just("ACK"),
                    Just("CANCEL"), Just("BYE"), Just("NOTIFY"), Just("MESSAGE"),
                ],
                prop_oneof![Just(0u32), Just(1), Just(2), 0u32..10, any::<u32>()],
                prop_oneof![8 => Just(true), 1 => Just(false)],
                contact(),
            ),
            0..24,
        )
    ) {
        let request = invite();
        let mut bob = Dialog::uas(&request, "bo", addr("<sip:bob@192.0.2.4>"), false).unwrap();
        bob.confirm();
        for (method, seq, ours, contact) in requests {
            let to_tag = if ours { "bo" } else { "someone-else" };
            let text = format!(
                "{method} sip:bob@192.0.2.4 SIP/2.0\r\n\
                 Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK{seq}\r\n\
                 To: <sip:bob@biloxi.example.com>;tag={to_tag}\r\n\
                 From: <sip:alice@atlanta.example.com>;tag=al\r\n\
                 Call-ID: {CALL_ID}\r\n\
                 CSeq: {seq} {method}\r\n\
                 {contact}\r\n\
                 Content-Length: 0\r\n\r\n"
            );
            let Ok(m) = Message::parse_lazy(text.as_bytes(), &Limits::default()) else { continue };
            let before = bob.remote_seq();
            let result = bob.handle_request(&m);
            let after = bob.remote_seq();
            prop_assert!(after >= before, "the remote sequence never goes back");
            match result {
                Ok(_) if !matches!(method, "ACK" | "CANCEL") => {
                    prop_assert_eq!(after, Some(seq));
                }
                Ok(_) => prop_assert_eq!(after, before),
                Err(e) => {
                    prop_assert_eq!(after, before);
                    let code = e.status().map(|s| s.code());
                    prop_assert!(matches!(code, Some(400 | 481 | 500)), "{:?}", e);
                }
            }
            check_dialog(&bob);
            let _ = unmatched_request(&m);
        }
        check_builds(&mut bob);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(m) = Message::parse_lazy(&bytes, &Limits::default()) {
            if let Ok(mut d) = Dialog::uas(&m, "t", addr("<sip:b@x>"), false) {
                check_dialog(&d);
                check_builds(&mut d);
            }
            let _ = Dialog::uac(&invite(), &m, false);
            let _ = DialogSet::new(&m, false);
            let _ = unmatched_request(&m);
            let _ = DialogId::of_received_request(&m);
            let _ = DialogId::of_received_response(&m);
        }
    }
}
