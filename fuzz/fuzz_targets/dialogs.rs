//! Fuzzes the dialog layer of `sip_core::dialog` (RFC 3261 §12) with
//! sequences of operations over `Dialog` and `DialogSet`.
//!
//! The input is a `Vec<Op>` (decoded with `arbitrary`). Messages are written
//! as text from pools of parts — tags (empty ones, odd tokens), Contacts
//! (`sips:`, `tel:`, `*`, two values, URI headers, garbage), Record-Routes
//! (loose and strict routers, `method=` and headers, non-SIP, garbage),
//! Call-IDs and CSeq numbers (0, 2³¹, 2³²−1) — and parsed lazily, as the
//! transaction layer passes them up. Operations create UAS dialogs from
//! requests, UAC dialog sets from requests and feed them responses (forking),
//! take dialogs out of sets, create UAC dialogs directly, build requests
//! within dialogs (`request`, `ack`, `cancel`, `bye`) and responses
//! (`response_to`), receive requests and responses within dialogs, and ask
//! `unmatched_request`.
//!
//! Checked:
//! - nothing panics;
//! - every request and response a dialog builds prints to bytes that parse
//!   strictly (`Message::parse`) and carries both tags: From tag the local
//!   tag and To tag the remote one in requests, To tag the local one in
//!   responses; the peer names it as the mirrored dialog ID;
//! - a request's CSeq is the dialog's next local sequence number, one above
//!   the previous; its Request-URI and Routes are what `route` says;
//! - refusals change nothing (`handle_request`, `handle_response`,
//!   `DialogSet::handle_response`), accepted requests set the remote
//!   sequence number, a terminated dialog refuses to send;
//! - a set never holds two dialogs with one remote tag, nor more than
//!   `DialogSet::MAX_DIALOGS`; every dialog ID has three non-empty parts.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sip::header::{HeaderName, Route};
use sip::{Address, Limits, Message, Method, StatusCode};
use sip_core::dialog::{
    Dialog, DialogError, DialogId, DialogSet, DialogState, Unmatched, route, unmatched_request,
};

const METHODS: &[&str] = &[
    "INVITE",
    "SUBSCRIBE",
    "REFER",
    "OPTIONS",
    "BYE",
    "NOTIFY",
    "UPDATE",
    "INFO",
    "PRACK",
    "ACK",
    "CANCEL",
    "MESSAGE",
    "FOO",
];

const CALL_IDS: &[&str] = &[
    "a84b4c76e66710",
    "call@192.0.2.1",
    "x",
    "f81d4fae-7dec-11d0",
];

const TAGS: &[&str] = &[
    "1928301774",
    "a6c85cf",
    "t",
    "x-y.z!%*_+`'~",
    "",
    "314159",
    "a6c85cf",
];

/// Local tags given to `Dialog::uas`: tokens, and some that are not.
const LOCAL_TAGS: &[&str] = &["b0b", "a6c85cf", "", "not a token", "x;y", "1928301774"];

const CONTACTS: &[&str] = &[
    "<sip:alice@pc33.atlanta.example.com>",
    "<sips:alice@192.0.2.1:5061;transport=tls>",
    "sip:bare@192.0.2.9",
    "<tel:+1-201-555-0123>",
    "*",
    "<sip:a@x>, <sip:b@y>",
    "<sip:[2001:db8::9]:5070;ob>",
    "malformed <<",
    "\"Alice\" <sip:alice@host;lr>;expires=60",
    "<sip:u@h?Subject=x&Route=y>",
    "<sip:bob@192.0.2.4;method=INVITE>",
];

const RECORD_ROUTES: &[&str] = &[
    "<sip:p1.example.com;lr>",
    "<sip:p2.example.com>",
    "<sips:p3.example.com;lr;transport=tls>",
    "<sip:p4.example.com;method=INVITE?h=v>",
    "<tel:+1>",
    "garbage",
    "<sip:[::1];lr>,<sip:p5;lr>",
    "\"Proxy\" <sip:p6.example.com:5070;lr;ftag=x>",
];

const REQUEST_URIS: &[&str] = &[
    "sip:bob@biloxi.example.com",
    "sips:bob@biloxi.example.com",
    "sip:bob@192.0.2.4:5070;transport=tcp",
    "tel:+1-201-555-0123",
];

/// Status codes chosen by `status % 600 + 100`.
fn status(code: u16) -> StatusCode {
    StatusCode::new(100 + code % 600).expect("in range")
}

fn pick<'a>(pool: &[&'a str], i: u8) -> &'a str {
    pool[usize::from(i) % pool.len()]
}

/// A request as text.
#[derive(Debug, Arbitrary)]
struct RequestSpec {
    method: u8,
    request_uri: u8,
    call_id: u8,
    from_tag: Option<u8>,
    to_tag: Option<u8>,
    contact: Option<u8>,
    record_routes: Vec<u8>,
    cseq: u32,
}

impl RequestSpec {
    fn build(&self) -> Option<Message> {
        let method = pick(METHODS, self.method);
        let mut text = format!(
            "{method} {} SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKfz\r\n",
            pick(REQUEST_URIS, self.request_uri)
        );
        text += "From: Alice <sip:alice@atlanta.example.com>";
        if let Some(t) = self.from_tag {
            text += &format!(";tag={}", pick(TAGS, t));
        }
        text += "\r\nTo: Bob <sip:bob@biloxi.example.com>";
        if let Some(t) = self.to_tag {
            text += &format!(";tag={}", pick(TAGS, t));
        }
        text += &format!(
            "\r\nCall-ID: {}\r\nCSeq: {} {method}\r\n",
            pick(CALL_IDS, self.call_id),
            self.cseq
        );
        if let Some(c) = self.contact {
            text += &format!("Contact: {}\r\n", pick(CONTACTS, c));
        }
        for &rr in self.record_routes.iter().take(4) {
            text += &format!("Record-Route: {}\r\n", pick(RECORD_ROUTES, rr));
        }
        text += "Content-Length: 0\r\n\r\n";
        Message::parse_lazy(text.as_bytes(), &Limits::default()).ok()
    }
}

/// A response to a request, as the network would bring it.
#[derive(Debug, Arbitrary)]
struct ResponseSpec {
    status: u16,
    to_tag: Option<u8>,
    contact: Option<u8>,
    record_routes: Vec<u8>,
    /// 0–5: answers the request; 6: another Call-ID; 7: another CSeq.
    mismatch: u8,
}

impl ResponseSpec {
    fn build(&self, request: &Message) -> Option<Message> {
        let mut b = Message::response_to(request, status(self.status));
        if let Some(t) = self.to_tag {
            b = b.to_tag(pick(TAGS, t));
        }
        if let Some(c) = self.contact {
            b = b.raw_header("Contact", pick(CONTACTS, c));
        }
        for &rr in self.record_routes.iter().take(4) {
            b = b.raw_header("Record-Route", pick(RECORD_ROUTES, rr));
        }
        let mut response = b.build().ok()?;
        match self.mismatch % 8 {
            6 => response.set(HeaderName::CallId, "other-call"),
            7 => {
                let seq = request.cseq()?.seq.wrapping_add(1);
                let method = request.method()?.as_str().to_owned();
                response.set(HeaderName::CSeq, format!("{seq} {method}"));
            }
            _ => {}
        }
        // Through the wire: printed and parsed lazily.
        Message::parse_lazy(&response.to_bytes(), &Limits::default()).ok()
    }
}

/// Which CSeq number a message within a dialog carries.
#[derive(Debug, Arbitrary)]
enum SeqChoice {
    /// The last one plus this (wrapping).
    Above(u16),
    /// The last one minus this.
    Below(u16),
    Absolute(u32),
}

impl SeqChoice {
    fn apply(&self, last: Option<u32>) -> u32 {
        let last = last.unwrap_or(0);
        match *self {
            Self::Above(d) => last.wrapping_add(u32::from(d)),
            Self::Below(d) => last.wrapping_sub(u32::from(d)),
            Self::Absolute(n) => n,
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Op {
    /// `Dialog::uas` for a received request.
    Uas {
        request: RequestSpec,
        local_tag: u8,
        contact: u8,
        tls: bool,
    },
    /// `DialogSet::new` for a request we sent.
    UacSet {
        request: RequestSpec,
        tls: bool,
    },
    /// A response to the request of set `set`.
    SetResponse {
        set: u8,
        response: ResponseSpec,
    },
    /// Takes the dialog of remote tag `TAGS[tag]` out of set `set`.
    TakeFromSet {
        set: u8,
        tag: u8,
    },
    /// `DialogSet::terminate_early`.
    TerminateEarly {
        set: u8,
    },
    /// `Dialog::uac` directly.
    Uac {
        request: RequestSpec,
        response: ResponseSpec,
        tls: bool,
    },
    /// `Dialog::request(METHODS[method])`, built.
    Send {
        dialog: u8,
        method: u8,
    },
    /// `Dialog::ack`.
    Ack {
        dialog: u8,
        seq: SeqChoice,
    },
    /// `Dialog::cancel`.
    Cancel {
        dialog: u8,
        seq: SeqChoice,
    },
    /// `Dialog::bye`.
    Bye {
        dialog: u8,
    },
    /// The peer's request arrives within dialog `dialog`.
    ReceiveRequest {
        dialog: u8,
        method: u8,
        seq: SeqChoice,
        contact: Option<u8>,
        /// 0–5: right tags; 6: From tag changed; 7: To tag dropped.
        tags: u8,
    },
    /// A response to one of our requests arrives within dialog `dialog`.
    ReceiveResponse {
        dialog: u8,
        method: u8,
        status: u16,
        seq: SeqChoice,
        contact: Option<u8>,
        record_routes: Vec<u8>,
    },
    /// `Dialog::response_to` the last request received in `dialog`.
    Answer {
        dialog: u8,
        status: u16,
    },
    Confirm {
        dialog: u8,
    },
    Terminate {
        dialog: u8,
    },
    SetFirstLocalSeq {
        dialog: u8,
        seq: u32,
    },
    SetLocalContact {
        dialog: u8,
        contact: u8,
    },
    /// `unmatched_request` for a request.
    Unmatched {
        request: RequestSpec,
    },
}

/// What must not change when a message is refused.
#[derive(Debug, PartialEq)]
struct Snapshot {
    id: DialogId,
    state: DialogState,
    local_seq: Option<u32>,
    remote_seq: Option<u32>,
    remote_target: String,
    route_set: Vec<String>,
}

fn snapshot(d: &Dialog) -> Snapshot {
    Snapshot {
        id: d.id().clone(),
        state: d.state(),
        local_seq: d.local_seq(),
        remote_seq: d.remote_seq(),
        remote_target: d.remote_target().to_string(),
        route_set: d.route_set().iter().map(ToString::to_string).collect(),
    }
}

fn set_snapshot(s: &DialogSet) -> (usize, Vec<Snapshot>, Option<DialogId>) {
    (
        s.len(),
        s.dialogs().map(snapshot).collect(),
        s.first_confirmed().cloned(),
    )
}

fn check_id(id: &DialogId) {
    assert!(!id.call_id().is_empty() && !id.local_tag().is_empty() && !id.remote_tag().is_empty());
}

fn check_set(s: &DialogSet) {
    assert!(s.len() <= DialogSet::MAX_DIALOGS);
    let tags: Vec<&str> = s.dialogs().map(|d| d.id().remote_tag()).collect();
    for (i, t) in tags.iter().enumerate() {
        assert!(!tags[..i].contains(t), "two dialogs for remote tag {t:?}");
    }
    for d in s.dialogs() {
        check_id(d.id());
        assert_eq!(d.id().call_id(), s.id().call_id());
        assert_eq!(d.id().local_tag(), s.id().local_tag());
    }
}

fn reparse(message: &Message) -> Message {
    let bytes = message.to_bytes();
    Message::parse(&bytes).unwrap_or_else(|e| {
        panic!(
            "a message the dialog built does not parse ({e}):\n{}",
            String::from_utf8_lossy(&bytes)
        )
    })
}

/// Checks a request the dialog built: it parses, names the dialog, carries
/// `seq`, and is routed as `route` says.
fn check_request(d: &Dialog, request: &Message, method: &str, seq: u32) {
    let routing = route(d.remote_target(), d.route_set());
    let parsed = reparse(request);
    assert_eq!(parsed.method().as_ref().map(Method::as_str), Some(method));
    let from = parsed.from().expect("From");
    let to = parsed.to().expect("To");
    assert_eq!(from.tag(), Some(d.id().local_tag()), "From tag");
    assert_eq!(to.tag(), Some(d.id().remote_tag()), "To tag");
    assert_eq!(
        parsed.call_id().map(|c| c.as_str().to_owned()).as_deref(),
        Some(d.id().call_id())
    );
    let cseq = parsed.cseq().expect("CSeq");
    assert_eq!(cseq.seq, seq);
    assert_eq!(cseq.method.as_str(), method);
    assert_eq!(
        DialogId::of_received_request(&parsed).as_ref(),
        Some(&d.id().mirrored()),
        "the peer does not find the dialog"
    );
    assert_eq!(
        parsed.request_uri().map(|u| u.to_string()),
        Some(routing.request_uri.to_string())
    );
    let routes: Vec<String> = parsed
        .typed_all::<Route<'_>>()
        .map(|r| r.expect("Route parses").to_string())
        .collect();
    let expected: Vec<String> = routing.routes.iter().map(ToString::to_string).collect();
    assert_eq!(routes, expected);
}

#[derive(Default)]
struct Run {
    dialogs: Vec<Dialog>,
    /// The last request received in each dialog (same index).
    received: Vec<Option<Message>>,
    sets: Vec<(DialogSet, Message)>,
}

impl Run {
    fn dialog(&mut self, i: u8) -> Option<usize> {
        (!self.dialogs.is_empty()).then(|| usize::from(i) % self.dialogs.len())
    }

    fn add(&mut self, d: Dialog, received: Option<Message>) {
        check_id(d.id());
        if self.dialogs.len() < 16 {
            self.dialogs.push(d);
            self.received.push(received);
        }
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Uas {
                request,
                local_tag,
                contact,
                tls,
            } => {
                let Some(request) = request.build() else {
                    return;
                };
                let Ok(contact) = Address::parse(pick(CONTACTS, contact)) else {
                    return;
                };
                match Dialog::uas(&request, pick(LOCAL_TAGS, local_tag), contact, tls) {
                    Ok(d) => {
                        assert_eq!(d.state(), DialogState::Early);
                        assert_eq!(d.remote_seq(), request.cseq().map(|c| c.seq));
                        assert_eq!(d.local_seq(), None);
                        self.add(d, Some(request));
                    }
                    Err(e) => {
                        let _ = (e.status(), e.is_peer_fault(), e.to_string());
                    }
                }
            }
            Op::UacSet { request, tls } => {
                let Some(request) = request.build() else {
                    return;
                };
                if let Ok(set) = DialogSet::new(&request, tls)
                    && self.sets.len() < 4
                {
                    self.sets.push((set, request));
                }
            }
            Op::SetResponse { set, response } => {
                if self.sets.is_empty() {
                    return;
                }
                let i = usize::from(set) % self.sets.len();
                let (set, request) = &mut self.sets[i];
                let Some(response) = response.build(request) else {
                    return;
                };
                let before = set_snapshot(set);
                let _ = set.matches(&response);
                if let Err(e) = set.handle_response(&response) {
                    assert_eq!(
                        set_snapshot(set),
                        before,
                        "a refused response changed the set ({e})"
                    );
                }
                check_set(set);
                let _ = (set.early().count(), set.also_confirmed().count());
            }
            Op::TakeFromSet { set, tag } => {
                if self.sets.is_empty() {
                    return;
                }
                let i = usize::from(set) % self.sets.len();
                if let Some(d) = self.sets[i].0.remove(pick(TAGS, tag)) {
                    self.add(d, None);
                }
                check_set(&self.sets[i].0);
            }
            Op::TerminateEarly { set } => {
                if self.sets.is_empty() {
                    return;
                }
                let i = usize::from(set) % self.sets.len();
                let s = &mut self.sets[i].0;
                s.terminate_early();
                assert_eq!(s.early().count(), 0);
                check_set(s);
            }
            Op::Uac {
                request,
                response,
                tls,
            } => {
                let Some(request) = request.build() else {
                    return;
                };
                let Some(response) = response.build(&request) else {
                    return;
                };
                if let Ok(d) = Dialog::uac(&request, &response, tls) {
                    assert_eq!(d.local_seq(), request.cseq().map(|c| c.seq));
                    self.add(d, None);
                }
            }
            Op::Send { dialog, method } => {
                let Some(i) = self.dialog(dialog) else { return };
                let method = pick(METHODS, method);
                let d = &mut self.dialogs[i];
                let before = snapshot(d);
                let expected_seq = d.next_local_seq();
                match d.request(Method::parse(method)) {
                    Ok(builder) => {
                        assert_ne!(before.state, DialogState::Terminated);
                        assert!(!matches!(method, "ACK" | "CANCEL"));
                        let request = builder.build().expect("a dialog request builds");
                        let seq = expected_seq.expect("a sequence number was left");
                        assert_eq!(d.local_seq(), Some(seq));
                        if let Some(prev) = before.local_seq {
                            assert_eq!(seq, prev + 1);
                        }
                        check_request(d, &request, method, seq);
                        let refresh = sip_core::dialog::is_target_refresh(&Method::parse(method));
                        let has_contact = request.raw_value(HeaderName::Contact).is_some();
                        assert_eq!(has_contact, refresh && d.local_contact().is_some());
                    }
                    Err(e) => {
                        assert_eq!(snapshot(d), before, "a refused request changed the dialog");
                        match e {
                            DialogError::Terminated => {
                                assert_eq!(before.state, DialogState::Terminated)
                            }
                            DialogError::ReusesSequence(_) => {
                                assert!(matches!(method, "ACK" | "CANCEL"))
                            }
                            DialogError::SequenceExhausted => assert_eq!(expected_seq, None),
                            other => panic!("unexpected refusal {other:?}"),
                        }
                    }
                }
            }
            Op::Ack { dialog, seq } => {
                let Some(i) = self.dialog(dialog) else { return };
                let d = &self.dialogs[i];
                let seq = seq.apply(d.local_seq());
                let ack = d.ack(seq).build().expect("an ACK builds");
                check_request(d, &ack, "ACK", seq);
            }
            Op::Cancel { dialog, seq } => {
                let Some(i) = self.dialog(dialog) else { return };
                let d = &self.dialogs[i];
                let seq = seq.apply(d.local_seq());
                let cancel = d.cancel(seq).build().expect("a CANCEL builds");
                check_request(d, &cancel, "CANCEL", seq);
            }
            Op::Bye { dialog } => {
                let Some(i) = self.dialog(dialog) else { return };
                let d = &mut self.dialogs[i];
                let was_terminated = d.state() == DialogState::Terminated;
                let expected_seq = d.next_local_seq();
                match d.bye() {
                    Ok(builder) => {
                        assert!(!was_terminated);
                        let bye = builder.build().expect("a BYE builds");
                        assert_eq!(d.state(), DialogState::Terminated);
                        check_request(d, &bye, "BYE", expected_seq.expect("a number"));
                    }
                    Err(_) => assert!(was_terminated || expected_seq.is_none()),
                }
            }
            Op::ReceiveRequest {
                dialog,
                method,
                seq,
                contact,
                tags,
            } => {
                let Some(i) = self.dialog(dialog) else { return };
                let d = &mut self.dialogs[i];
                let method = pick(METHODS, method);
                let seq = seq.apply(d.remote_seq());
                let from_tag = if tags % 8 == 6 {
                    format!("{}x", d.id().remote_tag())
                } else {
                    d.id().remote_tag().to_owned()
                };
                let mut text = format!(
                    "{method} {} SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKin\r\n\
                     From: {};tag={from_tag}\r\nTo: {}",
                    d.local_contact()
                        .map(|c| c.uri.to_string())
                        .unwrap_or_else(|| d.local_uri().uri.to_string()),
                    d.remote_uri(),
                    d.local_uri(),
                );
                if tags % 8 != 7 {
                    text += &format!(";tag={}", d.id().local_tag());
                }
                text += &format!(
                    "\r\nCall-ID: {}\r\nCSeq: {seq} {method}\r\n",
                    d.id().call_id()
                );
                if let Some(c) = contact {
                    text += &format!("Contact: {}\r\n", pick(CONTACTS, c));
                }
                text += "Content-Length: 0\r\n\r\n";
                let Ok(request) = Message::parse_lazy(text.as_bytes(), &Limits::default()) else {
                    return;
                };
                let before = snapshot(d);
                let matched = d.matches_request(&request);
                match d.handle_request(&request) {
                    Ok(effect) => {
                        assert!(matched);
                        assert_eq!(effect.ends_dialog, method == "BYE");
                        if !matches!(method, "ACK" | "CANCEL") {
                            assert_eq!(d.remote_seq(), Some(seq));
                            if let Some(remote) = before.remote_seq {
                                assert!(seq > remote, "CSeq {seq} accepted after {remote}");
                            }
                        } else {
                            assert_eq!(d.remote_seq(), before.remote_seq);
                        }
                        self.received[i] = Some(request);
                    }
                    Err(e) => {
                        assert_eq!(
                            snapshot(d),
                            before,
                            "a refused request changed the dialog ({e})"
                        );
                        let _ = e.status();
                    }
                }
            }
            Op::ReceiveResponse {
                dialog,
                method,
                status: code,
                seq,
                contact,
                record_routes,
            } => {
                let Some(i) = self.dialog(dialog) else { return };
                let d = &mut self.dialogs[i];
                let method = pick(METHODS, method);
                let seq = seq.apply(d.local_seq());
                let code = status(code);
                let mut text = format!(
                    "SIP/2.0 {} Whatever\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKout\r\n\
                     From: {};tag={}\r\nTo: {};tag={}\r\nCall-ID: {}\r\nCSeq: {seq} {method}\r\n",
                    code.code(),
                    d.local_uri(),
                    d.id().local_tag(),
                    d.remote_uri(),
                    d.id().remote_tag(),
                    d.id().call_id(),
                );
                if let Some(c) = contact {
                    text += &format!("Contact: {}\r\n", pick(CONTACTS, c));
                }
                for &rr in record_routes.iter().take(4) {
                    text += &format!("Record-Route: {}\r\n", pick(RECORD_ROUTES, rr));
                }
                text += "Content-Length: 0\r\n\r\n";
                let Ok(response) = Message::parse_lazy(text.as_bytes(), &Limits::default()) else {
                    return;
                };
                let before = snapshot(d);
                match d.handle_response(&response) {
                    Ok(effect) => {
                        assert!(d.matches_response(&response));
                        if effect.confirmed {
                            assert_eq!(d.state(), DialogState::Confirmed);
                        }
                        assert_eq!(d.local_seq(), before.local_seq);
                        assert_eq!(d.remote_seq(), before.remote_seq);
                    }
                    Err(e) => {
                        assert_eq!(
                            snapshot(d),
                            before,
                            "a refused response changed the dialog ({e})"
                        )
                    }
                }
            }
            Op::Answer {
                dialog,
                status: code,
            } => {
                let Some(i) = self.dialog(dialog) else { return };
                let Some(request) = self.received[i].clone() else {
                    return;
                };
                let d = &self.dialogs[i];
                let code = status(code);
                let Ok(response) = d.response_to(&request, code).build() else {
                    return;
                };
                let parsed = reparse(&response);
                let had_tag = request.to().and_then(|t| t.tag().map(str::to_owned));
                let tag = parsed.to().and_then(|t| t.tag().map(str::to_owned));
                match had_tag {
                    None => assert_eq!(tag.as_deref(), Some(d.id().local_tag()), "To tag"),
                    Some(t) => assert_eq!(tag, Some(t)),
                }
                assert_eq!(
                    parsed.from().and_then(|f| f.tag().map(str::to_owned)),
                    request.from().and_then(|f| f.tag().map(str::to_owned))
                );
            }
            Op::Confirm { dialog } => {
                let Some(i) = self.dialog(dialog) else { return };
                let d = &mut self.dialogs[i];
                let was = d.state();
                d.confirm();
                if was == DialogState::Terminated {
                    assert_eq!(d.state(), DialogState::Terminated);
                } else {
                    assert_eq!(d.state(), DialogState::Confirmed);
                }
            }
            Op::Terminate { dialog } => {
                let Some(i) = self.dialog(dialog) else { return };
                self.dialogs[i].terminate();
                assert_eq!(self.dialogs[i].state(), DialogState::Terminated);
            }
            Op::SetFirstLocalSeq { dialog, seq } => {
                let Some(i) = self.dialog(dialog) else { return };
                let d = &mut self.dialogs[i];
                let unsent = d.local_seq().is_none();
                assert_eq!(d.set_first_local_seq(seq), unsent);
                if unsent {
                    assert!(d.next_local_seq().is_some_and(|n| n < 1 << 31));
                }
            }
            Op::SetLocalContact { dialog, contact } => {
                let Some(i) = self.dialog(dialog) else { return };
                if let Ok(contact) = Address::parse(pick(CONTACTS, contact)) {
                    self.dialogs[i].set_local_contact(contact);
                }
            }
            Op::Unmatched { request } => {
                let Some(request) = request.build() else {
                    return;
                };
                match unmatched_request(&request) {
                    Unmatched::Drop => assert_eq!(request.method(), Some(Method::Ack)),
                    Unmatched::Reject(s) => assert_eq!(s.code(), 481),
                    Unmatched::OutsideDialog => {}
                }
            }
        }
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut run = Run::default();
    for op in ops.into_iter().take(128) {
        run.apply(op);
    }
});
