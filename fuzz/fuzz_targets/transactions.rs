//! Fuzzes the four transaction state machines of `sip_core::transaction`
//! (RFC 3261 §17, RFC 6026) with sequences of operations, in virtual time.
//!
//! The input is a `Vec<Op>` (decoded with `arbitrary`): create a transaction
//! of any kind from one of a handful of seed requests, over a reliable or an
//! unreliable transport; feed it responses with chosen status codes (client
//! side), retransmitted requests and ACKs (server side), responses from the
//! transaction user (server side); advance virtual time by chosen amounts,
//! firing due timers; report transport errors; tell a client INVITE
//! transaction its user sent a CANCEL. At the end every transaction is driven
//! to its end: a server's user answers if it has not, a client INVITE's user
//! cancels, and time runs on.
//!
//! Checked, for every transaction:
//! - nothing panics;
//! - `poll_timeout` is `None` once the transaction is terminated, is never
//!   before the time of its last `handle_*` call (the driver fires due timers
//!   before any other input, as the stack does), and is after it once
//!   `handle_timeout` returned;
//! - exactly one `Terminated` output, and nothing after it; `is_terminated`
//!   agrees;
//! - every output is of a kind the machine may give (responses only from
//!   client transactions, `AckReceived` only from a server INVITE
//!   transaction), and every `Send` payload parses;
//! - a client never retransmits its request over a reliable transport, nor
//!   after a final response; a client non-INVITE transaction passes at most
//!   one final response up, a client INVITE transaction nothing after a
//!   300–699 (RFC 6026 passes 2xx retransmissions up), and every other thing a
//!   client INVITE transaction sends is the ACK of the non-2xx, on the
//!   INVITE's branch and CSeq number;
//! - a server transaction sends only what its user gave it, or 100 Trying
//!   (INVITE), and nothing before its user answered except that 100.

#![no_main]

use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sip::{Limits, Message, StatusCode};
use sip_core::transaction::{
    ClientInvite, ClientNonInvite, ServerInvite, ServerNonInvite, Termination, TimerConfig,
    TxOutput,
};

/// The requests transactions are created from: well-formed ones of each
/// kind, and a few that lack what some step needs (no Via, an RFC 2543
/// branch, no CSeq, no To).
const REQUESTS: &[&str] = &[
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
     Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n\
     Max-Forwards: 70\r\n\
     To: Bob <sip:bob@biloxi.example.com>\r\n\
     From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
     Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n\
     CSeq: 314159 INVITE\r\n\
     Route: <sip:p1.example.com;lr>\r\n\
     Contact: <sip:alice@pc33.atlanta.example.com>\r\n\
     Content-Length: 0\r\n\r\n",
    "OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n\
     Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bKopt1;rport\r\n\
     Max-Forwards: 70\r\n\
     To: Bob <sip:bob@biloxi.example.com>\r\n\
     From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
     Call-ID: opt@pc33.atlanta.example.com\r\n\
     CSeq: 1 OPTIONS\r\n\
     Content-Length: 0\r\n\r\n",
    "BYE sip:alice@pc33.atlanta.example.com SIP/2.0\r\n\
     Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10\r\n\
     Max-Forwards: 70\r\n\
     From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n\
     To: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
     Call-ID: a84b4c76e66710\r\n\
     CSeq: 231 BYE\r\n\
     Content-Length: 0\r\n\r\n",
    "CANCEL sip:bob@biloxi.example.com SIP/2.0\r\n\
     Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n\
     Max-Forwards: 70\r\n\
     To: Bob <sip:bob@biloxi.example.com>\r\n\
     From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
     Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n\
     CSeq: 314159 CANCEL\r\n\
     Content-Length: 0\r\n\r\n",
    // RFC 2543 peer: no magic cookie.
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
     Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=old1\r\n\
     To: <sip:bob@biloxi.example.com>\r\n\
     From: <sip:alice@atlanta.example.com>\r\n\
     Call-ID: old@pc33\r\n\
     CSeq: 7 INVITE\r\n\
     Content-Length: 0\r\n\r\n",
    // No Via at all (nothing to ACK on).
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
     To: <sip:bob@biloxi.example.com>\r\n\
     From: <sip:alice@atlanta.example.com>;tag=x\r\n\
     Call-ID: novia@pc33\r\n\
     CSeq: 8 INVITE\r\n\
     Content-Length: 0\r\n\r\n",
    // No CSeq, no To: responses cannot be built from it, ACKs neither.
    "REGISTER sip:registrar.biloxi.example.com SIP/2.0\r\n\
     Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7\r\n\
     From: Bob <sip:bob@biloxi.example.com>;tag=456248\r\n\
     Call-ID: 843817637684230@998sdasdh09\r\n\
     Content-Length: 0\r\n\r\n",
    // A body, and an extension method.
    "FOO sip:bob@biloxi.example.com SIP/2.0\r\n\
     Via: SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK.ext\r\n\
     To: <sip:bob@biloxi.example.com>\r\n\
     From: <sip:alice@atlanta.example.com>;tag=e\r\n\
     Call-ID: ext@pc33\r\n\
     CSeq: 4294967295 FOO\r\n\
     Content-Type: text/plain\r\n\
     Content-Length: 5\r\n\r\nhello",
];

/// One step of the scenario.
#[derive(Debug, Arbitrary)]
enum Op {
    /// Starts a transaction of `kind % 4` (client INVITE, client non-INVITE,
    /// server INVITE, server non-INVITE) for `REQUESTS[request % len]`.
    Create {
        kind: u8,
        request: u8,
        reliable: bool,
    },
    /// A response with `status` (mapped into 100–699) reaches client
    /// transaction `tx`, built from its request with a To tag or not; for a
    /// server transaction, its user sends that response.
    Respond { tx: u8, status: u16, tag: u8 },
    /// A retransmission of the request reaches server transaction `tx`.
    Retransmit { tx: u8 },
    /// An ACK reaches server INVITE transaction `tx`.
    Ack { tx: u8 },
    /// Virtual time moves on by `ms` milliseconds; due timers fire.
    Advance { ms: u16 },
    /// Virtual time moves by whole T1 periods (up to 255).
    AdvanceT1 { periods: u8 },
    /// Virtual time jumps to the next deadline of `tx`; due timers fire.
    NextTimer { tx: u8 },
    /// `handle_timeout` is called on `tx` with nothing due.
    SpuriousTimeout { tx: u8 },
    /// The transport reports it could not send for `tx`.
    TransportError { tx: u8 },
    /// The user sent a CANCEL for client INVITE transaction `tx`.
    CancelSent { tx: u8 },
}

/// The scenario: a timer configuration, then the steps.
#[derive(Debug, Arbitrary)]
struct Scenario {
    /// Picks T1 (and T2, T4) among a few: RFC 3261's defaults, short ones,
    /// and T2 below T1.
    timers: u8,
    ops: Vec<Op>,
}

fn timer_config(choice: u8) -> TimerConfig {
    let mut t = TimerConfig::default();
    match choice % 4 {
        0 => {}
        1 => {
            t.t1 = Duration::from_millis(1);
            t.t2 = Duration::from_millis(8);
            t.t4 = Duration::from_millis(10);
            t.timer_d = Duration::from_millis(64);
            t.trying_delay = Duration::from_millis(1);
        }
        2 => {
            // T2 below T1, a zero Timer D and no delay before 100 Trying.
            t.t1 = Duration::from_millis(300);
            t.t2 = Duration::from_millis(100);
            t.timer_d = Duration::ZERO;
            t.trying_delay = Duration::ZERO;
        }
        _ => {
            t.t1 = Duration::from_millis(150);
            t.t4 = Duration::from_millis(2500);
        }
    }
    t
}

/// One of the four machines, named as their types.
#[derive(Debug)]
#[allow(clippy::enum_variant_names)]
enum Machine {
    ClientInvite(ClientInvite),
    ClientNonInvite(ClientNonInvite),
    ServerInvite(ServerInvite),
    ServerNonInvite(ServerNonInvite),
}

impl Machine {
    fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Self::ClientInvite(t) => t.poll_timeout(),
            Self::ClientNonInvite(t) => t.poll_timeout(),
            Self::ServerInvite(t) => t.poll_timeout(),
            Self::ServerNonInvite(t) => t.poll_timeout(),
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        match self {
            Self::ClientInvite(t) => t.handle_timeout(now),
            Self::ClientNonInvite(t) => t.handle_timeout(now),
            Self::ServerInvite(t) => t.handle_timeout(now),
            Self::ServerNonInvite(t) => t.handle_timeout(now),
        }
    }

    fn handle_transport_error(&mut self) {
        match self {
            Self::ClientInvite(t) => t.handle_transport_error(),
            Self::ClientNonInvite(t) => t.handle_transport_error(),
            Self::ServerInvite(t) => t.handle_transport_error(),
            Self::ServerNonInvite(t) => t.handle_transport_error(),
        }
    }

    fn poll_output(&mut self) -> Option<TxOutput> {
        match self {
            Self::ClientInvite(t) => t.poll_output(),
            Self::ClientNonInvite(t) => t.poll_output(),
            Self::ServerInvite(t) => t.poll_output(),
            Self::ServerNonInvite(t) => t.poll_output(),
        }
    }

    fn is_terminated(&self) -> bool {
        match self {
            Self::ClientInvite(t) => t.is_terminated(),
            Self::ClientNonInvite(t) => t.is_terminated(),
            Self::ServerInvite(t) => t.is_terminated(),
            Self::ServerNonInvite(t) => t.is_terminated(),
        }
    }

    fn request(&self) -> &Message {
        match self {
            Self::ClientInvite(t) => t.request(),
            Self::ClientNonInvite(t) => t.request(),
            Self::ServerInvite(t) => t.request(),
            Self::ServerNonInvite(t) => t.request(),
        }
    }

    fn is_client(&self) -> bool {
        matches!(self, Self::ClientInvite(_) | Self::ClientNonInvite(_))
    }

    fn has_final_response(&self) -> bool {
        match self {
            Self::ServerInvite(t) => t.has_final_response(),
            Self::ServerNonInvite(t) => t.has_final_response(),
            _ => true,
        }
    }
}

/// A transaction under test and what the checks remember of it.
#[derive(Debug)]
struct Tracked {
    machine: Machine,
    reliable: bool,
    /// The request bytes the client sends.
    request_bytes: Vec<u8>,
    /// Time of the last `handle_*` call (or creation).
    last_handled: Instant,
    terminated: Option<Termination>,
    /// Client: a final response (any) arrived.
    final_received: bool,
    /// Client: what the transaction passed up.
    finals_passed: u32,
    non_2xx_final_passed: bool,
    request_sends: u32,
    /// Server: every response its user gave.
    given: Vec<Vec<u8>>,
}

impl Tracked {
    /// Drains outputs and checks them; `after_timeout` tells whether the
    /// last call was `handle_timeout` (then no deadline may be due).
    fn check(&mut self, now: Instant, after_timeout: bool) {
        while let Some(output) = self.machine.poll_output() {
            assert!(
                self.terminated.is_none(),
                "output {output:?} after Terminated({:?})",
                self.terminated
            );
            match output {
                TxOutput::Terminated(how) => self.terminated = Some(how),
                TxOutput::Send(bytes) => self.check_send(&bytes),
                TxOutput::Response(response) => {
                    let status = response.status().expect("a response");
                    match &self.machine {
                        Machine::ClientNonInvite(_) => {
                            if status.is_final() {
                                self.finals_passed += 1;
                                assert!(self.finals_passed <= 1, "two final responses passed up");
                            }
                        }
                        Machine::ClientInvite(_) => {
                            assert!(
                                !self.non_2xx_final_passed,
                                "{} passed up after a 300-699",
                                status.code()
                            );
                            if status.is_final() && !status.is_success() {
                                self.non_2xx_final_passed = true;
                            }
                        }
                        _ => panic!("a server transaction passed a response up"),
                    }
                }
                TxOutput::AckReceived => assert!(
                    matches!(self.machine, Machine::ServerInvite(_)),
                    "AckReceived from {:?}",
                    self.machine
                ),
            }
        }
        assert_eq!(
            self.terminated.is_some(),
            self.machine.is_terminated(),
            "is_terminated disagrees with the outputs"
        );
        let deadline = self.machine.poll_timeout();
        if self.terminated.is_some() {
            assert_eq!(deadline, None, "a deadline after termination");
        }
        if let Some(d) = deadline {
            assert!(
                d >= self.last_handled,
                "deadline {:?} before the last handle call",
                self.last_handled - d
            );
            if after_timeout {
                assert!(d > now, "a deadline still due after handle_timeout");
            }
        }
    }

    fn check_send(&mut self, bytes: &[u8]) {
        let message = Message::parse_lazy(bytes, &Limits::default()).unwrap_or_else(|e| {
            panic!(
                "a sent message does not parse ({e}):\n{}",
                String::from_utf8_lossy(bytes)
            )
        });
        if self.machine.is_client() {
            if bytes == self.request_bytes.as_slice() {
                self.request_sends += 1;
                assert!(
                    !(self.reliable && self.request_sends > 1),
                    "request retransmitted over a reliable transport"
                );
                assert!(
                    !self.final_received,
                    "request retransmitted after a final response"
                );
                return;
            }
            // Anything else a client sends is the ACK of a non-2xx.
            let Machine::ClientInvite(t) = &self.machine else {
                panic!("a client non-INVITE transaction sent something else than its request");
            };
            let invite = t.request();
            assert_eq!(
                message.method().map(|m| m.as_str().to_owned()).as_deref(),
                Some("ACK")
            );
            assert_eq!(
                message.via().and_then(|v| v.branch().map(str::to_owned)),
                invite.via().and_then(|v| v.branch().map(str::to_owned)),
                "the ACK is not on the INVITE's branch"
            );
            assert_eq!(message.cseq().map(|c| c.seq), invite.cseq().map(|c| c.seq));
            assert_eq!(
                message
                    .cseq()
                    .map(|c| c.method.as_str().to_owned())
                    .as_deref(),
                Some("ACK")
            );
        } else {
            let trying = message.status().map(|s| s.code()) == Some(100);
            assert!(
                trying || self.given.iter().any(|g| g.as_slice() == bytes),
                "a server transaction sent what its user never gave:\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

/// The scenario being run: its transactions and virtual time.
struct Run {
    now: Instant,
    timers: TimerConfig,
    txs: Vec<Tracked>,
}

impl Run {
    fn pick(&self, i: u8) -> Option<usize> {
        (!self.txs.is_empty()).then(|| usize::from(i) % self.txs.len())
    }

    /// Moves time to `to` (never back), firing what is due on every
    /// transaction, each until nothing is due.
    fn advance(&mut self, to: Instant) {
        // Go deadline by deadline so that timers fire in order, at their time
        // when they fall before `to`.
        loop {
            let next = self
                .txs
                .iter()
                .filter_map(|t| t.machine.poll_timeout())
                .filter(|&d| d <= to)
                .min();
            let Some(at) = next else { break };
            self.now = self.now.max(at);
            let now = self.now;
            for t in &mut self.txs {
                if t.machine.poll_timeout().is_some_and(|d| d <= now) {
                    t.machine.handle_timeout(now);
                    t.last_handled = now;
                    t.check(now, true);
                }
            }
        }
        self.now = self.now.max(to);
    }

    fn apply(&mut self, op: &Op) {
        let now = self.now;
        match *op {
            Op::Create {
                kind,
                request,
                reliable,
            } => {
                if self.txs.len() >= 8 {
                    return;
                }
                let text = REQUESTS[usize::from(request) % REQUESTS.len()];
                let request = Message::parse(text.as_bytes()).expect("seed request parses");
                let request_bytes = request.to_bytes();
                let timers = self.timers;
                let machine = match kind % 4 {
                    0 => Machine::ClientInvite(ClientInvite::new(now, request, reliable, timers)),
                    1 => Machine::ClientNonInvite(ClientNonInvite::new(
                        now, request, reliable, timers,
                    )),
                    2 => Machine::ServerInvite(ServerInvite::new(now, request, reliable, timers)),
                    _ => Machine::ServerNonInvite(ServerNonInvite::new(request, reliable, timers)),
                };
                let mut t = Tracked {
                    machine,
                    reliable,
                    request_bytes,
                    last_handled: now,
                    terminated: None,
                    final_received: false,
                    finals_passed: 0,
                    non_2xx_final_passed: false,
                    request_sends: 0,
                    given: Vec::new(),
                };
                t.check(now, false);
                self.txs.push(t);
            }
            Op::Respond { tx, status, tag } => {
                let Some(i) = self.pick(tx) else { return };
                let code = 100 + status % 600;
                let t = &mut self.txs[i];
                let Some(response) = response_to(t.machine.request(), code, tag) else {
                    return;
                };
                match &mut t.machine {
                    Machine::ClientInvite(m) => {
                        t.final_received |= code >= 200;
                        m.handle_response(now, response);
                    }
                    Machine::ClientNonInvite(m) => {
                        t.final_received |= code >= 200;
                        m.handle_response(now, response);
                    }
                    Machine::ServerInvite(m) => {
                        t.given.push(response.to_bytes());
                        m.send_response(now, &response);
                    }
                    Machine::ServerNonInvite(m) => {
                        t.given.push(response.to_bytes());
                        m.send_response(now, &response);
                    }
                }
                t.last_handled = now;
                t.check(now, false);
            }
            Op::Retransmit { tx } => {
                let Some(i) = self.pick(tx) else { return };
                let t = &mut self.txs[i];
                match &mut t.machine {
                    Machine::ServerInvite(m) => m.handle_retransmission(),
                    Machine::ServerNonInvite(m) => m.handle_retransmission(),
                    _ => return,
                }
                t.last_handled = now;
                t.check(now, false);
            }
            Op::Ack { tx } => {
                let Some(i) = self.pick(tx) else { return };
                let t = &mut self.txs[i];
                let Machine::ServerInvite(m) = &mut t.machine else {
                    return;
                };
                m.handle_ack(now);
                t.last_handled = now;
                t.check(now, false);
            }
            Op::Advance { ms } => {
                self.advance(now + Duration::from_millis(u64::from(ms)));
            }
            Op::AdvanceT1 { periods } => {
                self.advance(now + self.timers.t1 * u32::from(periods));
            }
            Op::NextTimer { tx } => {
                let Some(i) = self.pick(tx) else { return };
                if let Some(at) = self.txs[i].machine.poll_timeout() {
                    self.advance(at);
                }
            }
            Op::SpuriousTimeout { tx } => {
                let Some(i) = self.pick(tx) else { return };
                let t = &mut self.txs[i];
                t.machine.handle_timeout(now);
                t.last_handled = now;
                t.check(now, true);
            }
            Op::CancelSent { tx } => {
                let Some(i) = self.pick(tx) else { return };
                let t = &mut self.txs[i];
                let Machine::ClientInvite(m) = &mut t.machine else {
                    return;
                };
                m.cancel_sent(now);
                t.last_handled = now;
                t.check(now, false);
            }
            Op::TransportError { tx } => {
                let Some(i) = self.pick(tx) else { return };
                let t = &mut self.txs[i];
                t.machine.handle_transport_error();
                t.last_handled = now;
                t.check(now, false);
            }
        }
    }

    /// Drives every transaction to its end: a server's user answers 500 if it
    /// never answered finally, a client INVITE's user gives up with CANCEL
    /// (Timer B guards Calling only, RFC 3261 §17.1.1.2), then time runs
    /// until nothing is armed.
    fn finish(&mut self) {
        let now = self.now;
        for t in &mut self.txs {
            if let Machine::ClientInvite(m) = &mut t.machine {
                m.cancel_sent(now);
                t.last_handled = now;
                t.check(now, false);
                continue;
            }
            if t.machine.has_final_response() || t.terminated.is_some() {
                continue;
            }
            let Some(response) = response_to(t.machine.request(), 500, 1) else {
                // No response can be built: the user cannot answer; end it
                // as the stack would on a broken transport.
                t.machine.handle_transport_error();
                t.last_handled = now;
                t.check(now, false);
                continue;
            };
            t.given.push(response.to_bytes());
            match &mut t.machine {
                Machine::ServerInvite(m) => m.send_response(now, &response),
                Machine::ServerNonInvite(m) => m.send_response(now, &response),
                _ => {}
            }
            t.last_handled = now;
            t.check(now, false);
        }
        // 64·T1 covers every timer but D and K/I (T4), each far shorter than
        // an hour of virtual time; time only ever moves to deadlines here.
        let limit = now + Duration::from_secs(3600);
        self.advance(limit);
        for (i, t) in self.txs.iter().enumerate() {
            assert!(
                t.terminated.is_some(),
                "transaction {i} never ended: {:?}",
                t.machine
            );
        }
    }
}

/// A response to `request` with `code`, a To tag unless `tag` is even and
/// the code is 100; `None` if the request cannot be answered.
fn response_to(request: &Message, code: u16, tag: u8) -> Option<Message> {
    let status = StatusCode::new(code)?;
    let mut builder = Message::response_to(request, status);
    if tag % 2 == 1 || code > 100 {
        builder = builder.to_tag(&format!("t{}", tag % 4));
    }
    builder.build().ok()
}

fuzz_target!(|scenario: Scenario| {
    // Virtual time: only differences from this origin matter.
    let mut run = Run {
        now: Instant::now(),
        timers: timer_config(scenario.timers),
        txs: Vec::new(),
    };
    for op in scenario.ops.iter().take(256) {
        run.apply(op);
    }
    run.finish();
});
