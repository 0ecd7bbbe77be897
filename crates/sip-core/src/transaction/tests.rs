//! The state machines against RFC 3261's timer tables, in virtual time.

use std::time::{Duration, Instant};

use sip::{Message, StatusCode};

use super::*;

const INVITE: &str = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n\
Max-Forwards: 70\r\n\
To: Bob <sip:bob@biloxi.example.com>\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Route: <sip:p1.example.com;lr>\r\n\
Contact: <sip:alice@pc33.atlanta.example.com>\r\n\
Content-Length: 0\r\n\r\n";

const OPTIONS: &str = "OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKopt1\r\n\
Max-Forwards: 70\r\n\
To: Bob <sip:bob@biloxi.example.com>\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
Call-ID: opt@pc33.atlanta.example.com\r\n\
CSeq: 1 OPTIONS\r\n\
Content-Length: 0\r\n\r\n";

fn msg(text: &str) -> Message {
    Message::parse(text.as_bytes()).unwrap()
}

fn response(request: &str, code: StatusCode) -> Message {
    Message::response_to(&msg(request), code)
        .to_tag("8321234356")
        .build()
        .unwrap()
}

/// The four state machines behind one face, for the drivers below.
trait Machine {
    fn timeout(&self) -> Option<Instant>;
    fn fire(&mut self, now: Instant);
    fn output(&mut self) -> Option<TxOutput>;
}

macro_rules! machine {
    ($($t:ty),*) => {$(
        impl Machine for $t {
            fn timeout(&self) -> Option<Instant> { self.poll_timeout() }
            fn fire(&mut self, now: Instant) { self.handle_timeout(now) }
            fn output(&mut self) -> Option<TxOutput> { self.poll_output() }
        }
    )*};
}
machine!(ClientInvite, ClientNonInvite, ServerInvite, ServerNonInvite);

/// What happened, at which offset from the start.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Send(String),
    Response(u16),
    Ack,
    End(Termination),
}

fn drain(m: &mut impl Machine, start: Instant, now: Instant, log: &mut Vec<(Duration, Seen)>) {
    while let Some(o) = m.output() {
        let seen = match o {
            TxOutput::Send(b) => {
                let text = String::from_utf8_lossy(&b).into_owned();
                Seen::Send(text.split(' ').take(2).collect::<Vec<_>>().join(" "))
            }
            TxOutput::Response(r) => Seen::Response(r.status().unwrap().code()),
            TxOutput::AckReceived => Seen::Ack,
            TxOutput::Terminated(t) => Seen::End(t),
        };
        log.push((now - start, seen));
    }
}

/// Runs timers until none is armed or `until` passes.
fn run(m: &mut impl Machine, start: Instant, until: Duration, log: &mut Vec<(Duration, Seen)>) {
    drain(m, start, start, log);
    while let Some(t) = m.timeout() {
        if t - start > until {
            break;
        }
        m.fire(t);
        drain(m, start, t, log);
    }
}

/// An arbitrary origin for virtual time: only differences from it matter.
#[allow(clippy::disallowed_methods)]
fn epoch() -> Instant {
    Instant::now()
}

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

fn sends(log: &[(Duration, Seen)]) -> Vec<Duration> {
    log.iter()
        .filter(|(_, s)| matches!(s, Seen::Send(_)))
        .map(|(t, _)| *t)
        .collect()
}

#[test]
fn invite_client_over_udp_retransmits_on_timer_a_until_timer_b() {
    let start = epoch();
    let mut tx = ClientInvite::new(start, msg(INVITE), false, TimerConfig::default());
    let mut log = Vec::new();
    run(&mut tx, start, Duration::from_secs(60), &mut log);
    // Timer A: T1, 2·T1, 4·T1, … ; Timer B: 64·T1 = 32 s.
    assert_eq!(
        sends(&log),
        [0, 500, 1500, 3500, 7500, 15500, 31500].map(ms)
    );
    assert_eq!(
        log.last(),
        Some(&(ms(32_000), Seen::End(Termination::Timeout)))
    );
    assert!(tx.is_terminated() && tx.poll_timeout().is_none());
}

#[test]
fn invite_client_over_tcp_sends_once() {
    let start = epoch();
    let mut tx = ClientInvite::new(start, msg(INVITE), true, TimerConfig::default());
    let mut log = Vec::new();
    run(&mut tx, start, Duration::from_secs(60), &mut log);
    assert_eq!(sends(&log), [ms(0)]);
    assert_eq!(
        log.last(),
        Some(&(ms(32_000), Seen::End(Termination::Timeout)))
    );
}

#[test]
fn invite_client_acks_a_failure_and_absorbs_its_retransmissions() {
    let start = epoch();
    let mut tx = ClientInvite::new(start, msg(INVITE), false, TimerConfig::default());
    let mut log = Vec::new();
    drain(&mut tx, start, start, &mut log);
    tx.handle_response(start + ms(100), response(INVITE, StatusCode::RINGING));
    assert_eq!(tx.state(), ClientInviteState::Proceeding);
    // Proceeding stops Timers A and B (§17.1.1.2): no deadline is left.
    assert_eq!(tx.poll_timeout(), None);
    let busy = response(INVITE, StatusCode::BUSY_HERE);
    tx.handle_response(start + ms(200), busy.clone());
    drain(&mut tx, start, start + ms(200), &mut log);
    assert_eq!(tx.state(), ClientInviteState::Completed);
    tx.handle_response(start + ms(700), busy);
    drain(&mut tx, start, start + ms(700), &mut log);
    run(&mut tx, start, Duration::from_secs(60), &mut log);
    assert_eq!(
        log,
        vec![
            (
                ms(0),
                Seen::Send("INVITE sip:bob@biloxi.example.com".into())
            ),
            (ms(200), Seen::Response(180)),
            (ms(200), Seen::Send("ACK sip:bob@biloxi.example.com".into())),
            (ms(200), Seen::Response(486)),
            (ms(700), Seen::Send("ACK sip:bob@biloxi.example.com".into())),
            // Timer D: 32 s after Completed.
            (ms(32_200), Seen::End(Termination::Completed)),
        ]
    );
}

#[test]
fn the_ack_of_a_failure_follows_rfc3261_17_1_1_3() {
    let invite = msg(INVITE);
    let busy = response(INVITE, StatusCode::BUSY_HERE);
    let ack = ack_for_non_2xx(&invite, &busy).unwrap();
    let ack = Message::parse(&ack.to_bytes()).unwrap();
    assert_eq!(ack.request_uri_str(), invite.request_uri_str());
    assert_eq!(ack.cseq().unwrap().to_string(), "314159 ACK");
    assert_eq!(ack.call_id(), invite.call_id());
    assert_eq!(ack.from(), invite.from());
    assert_eq!(ack.to().unwrap().tag(), Some("8321234356"));
    assert_eq!(ack.via(), invite.via());
    assert_eq!(ack.typed_all::<sip::header::Via<'_>>().count(), 1);
    assert_eq!(
        ack.raw_value(sip::header::HeaderName::Route),
        Some("<sip:p1.example.com;lr>")
    );
}

#[test]
fn invite_client_passes_every_2xx_while_accepted() {
    let start = epoch();
    let mut tx = ClientInvite::new(start, msg(INVITE), false, TimerConfig::default());
    let mut log = Vec::new();
    drain(&mut tx, start, start, &mut log);
    let ok = response(INVITE, StatusCode::OK);
    tx.handle_response(start + ms(300), ok.clone());
    assert_eq!(tx.state(), ClientInviteState::Accepted);
    tx.handle_response(start + ms(800), ok);
    drain(&mut tx, start, start + ms(800), &mut log);
    run(&mut tx, start, Duration::from_secs(60), &mut log);
    assert_eq!(
        log[1..],
        [
            (ms(800), Seen::Response(200)),
            (ms(800), Seen::Response(200)),
            // Timer M: 64·T1 after the first 2xx.
            (ms(32_300), Seen::End(Termination::Completed)),
        ]
    );
}

#[test]
fn non_invite_client_backs_off_to_t2_until_timer_f() {
    let start = epoch();
    let mut tx = ClientNonInvite::new(start, msg(OPTIONS), false, TimerConfig::default());
    let mut log = Vec::new();
    run(&mut tx, start, Duration::from_secs(60), &mut log);
    assert_eq!(
        sends(&log),
        [
            0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500
        ]
        .map(ms)
    );
    assert_eq!(
        log.last(),
        Some(&(ms(32_000), Seen::End(Termination::Timeout)))
    );
}

#[test]
fn non_invite_client_in_proceeding_retransmits_every_t2() {
    let start = epoch();
    let mut tx = ClientNonInvite::new(start, msg(OPTIONS), false, TimerConfig::default());
    let mut log = Vec::new();
    drain(&mut tx, start, start, &mut log);
    tx.handle_response(start + ms(100), response(OPTIONS, StatusCode::TRYING));
    run(&mut tx, start, Duration::from_secs(12), &mut log);
    // Timer E still fires at 500 ms, then every T2.
    assert_eq!(sends(&log), [0, 500, 4500, 8500].map(ms));
    tx.handle_response(start + ms(9000), response(OPTIONS, StatusCode::OK));
    drain(&mut tx, start, start + ms(9000), &mut log);
    run(&mut tx, start, Duration::from_secs(60), &mut log);
    // Timer K: T4 after the final response.
    assert_eq!(
        log.last(),
        Some(&(ms(14_000), Seen::End(Termination::Completed)))
    );
}

#[test]
fn non_invite_client_over_tcp_completes_at_once() {
    let start = epoch();
    let mut tx = ClientNonInvite::new(start, msg(OPTIONS), true, TimerConfig::default());
    let mut log = Vec::new();
    drain(&mut tx, start, start, &mut log);
    tx.handle_response(start + ms(10), response(OPTIONS, StatusCode::OK));
    drain(&mut tx, start, start + ms(10), &mut log);
    assert_eq!(
        log[1..],
        [
            (ms(10), Seen::Response(200)),
            (ms(10), Seen::End(Termination::Completed)),
        ]
    );
}

#[test]
fn invite_server_sends_trying_after_200_ms_then_retransmits_failure_until_timer_h() {
    let start = epoch();
    let mut tx = ServerInvite::new(start, msg(INVITE), false, TimerConfig::default());
    let mut log = Vec::new();
    run(&mut tx, start, ms(250), &mut log);
    assert_eq!(log, [(ms(200), Seen::Send("SIP/2.0 100".into()))]);
    tx.send_response(start + ms(1000), &response(INVITE, StatusCode::BUSY_HERE));
    drain(&mut tx, start, start + ms(1000), &mut log);
    run(&mut tx, start, Duration::from_secs(60), &mut log);
    // Timer G: T1 doubling up to T2; Timer H: 64·T1 after the response.
    assert_eq!(
        sends(&log),
        [
            200, 1000, 1500, 2500, 4500, 8500, 12500, 16500, 20500, 24500, 28500, 32500
        ]
        .map(ms)
    );
    assert_eq!(
        log.last(),
        Some(&(ms(33_000), Seen::End(Termination::Timeout)))
    );
}

#[test]
fn invite_server_confirmed_by_ack_ends_after_timer_i() {
    let start = epoch();
    let mut tx = ServerInvite::new(start, msg(INVITE), false, TimerConfig::default());
    let mut log = Vec::new();
    tx.send_response(start, &response(INVITE, StatusCode::RINGING));
    tx.handle_retransmission();
    tx.send_response(start + ms(10), &response(INVITE, StatusCode::DECLINE));
    tx.handle_retransmission();
    tx.handle_ack(start + ms(20));
    assert_eq!(tx.state(), ServerInviteState::Confirmed);
    tx.handle_ack(start + ms(30));
    drain(&mut tx, start, start + ms(20), &mut log);
    run(&mut tx, start, Duration::from_secs(60), &mut log);
    assert_eq!(
        log.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>(),
        [
            Seen::Send("SIP/2.0 180".into()),
            Seen::Send("SIP/2.0 180".into()),
            Seen::Send("SIP/2.0 603".into()),
            Seen::Send("SIP/2.0 603".into()),
            Seen::Ack,
            Seen::End(Termination::Completed),
        ]
    );
    // Timer I: T4 after the ACK.
    assert_eq!(log.last().unwrap().0, ms(5020));
}

#[test]
fn invite_server_accepted_absorbs_retransmissions_until_timer_l() {
    let start = epoch();
    let mut tx = ServerInvite::new(start, msg(INVITE), true, TimerConfig::default());
    let mut log = Vec::new();
    let ok = response(INVITE, StatusCode::OK);
    tx.send_response(start + ms(50), &ok);
    assert_eq!(tx.state(), ServerInviteState::Accepted);
    tx.handle_retransmission();
    // The TU's own 2xx retransmissions pass.
    tx.send_response(start + ms(550), &ok);
    drain(&mut tx, start, start + ms(550), &mut log);
    run(&mut tx, start, Duration::from_secs(60), &mut log);
    assert_eq!(sends(&log).len(), 2);
    assert_eq!(
        log.last(),
        Some(&(ms(32_050), Seen::End(Termination::Completed)))
    );
}

#[test]
fn non_invite_server_answers_retransmissions_until_timer_j() {
    let start = epoch();
    let mut tx = ServerNonInvite::new(msg(OPTIONS), false, TimerConfig::default());
    tx.handle_retransmission(); // absorbed in Trying
    tx.send_response(start, &response(OPTIONS, StatusCode::OK));
    tx.handle_retransmission();
    tx.send_response(start, &response(OPTIONS, StatusCode::BUSY_HERE)); // ignored
    let mut log = Vec::new();
    run(&mut tx, start, Duration::from_secs(60), &mut log);
    assert_eq!(sends(&log).len(), 2);
    assert!(
        log.iter()
            .all(|(_, s)| *s != Seen::Send("SIP/2.0 486".into()))
    );
    assert_eq!(
        log.last(),
        Some(&(ms(32_000), Seen::End(Termination::Completed)))
    );
    // Over TCP Timer J is zero.
    let mut tx = ServerNonInvite::new(msg(OPTIONS), true, TimerConfig::default());
    tx.send_response(start, &response(OPTIONS, StatusCode::OK));
    assert!(tx.is_terminated());
}

#[test]
fn transport_errors_end_transactions() {
    let start = epoch();
    let mut c = ClientNonInvite::new(start, msg(OPTIONS), false, TimerConfig::default());
    c.handle_transport_error();
    let mut log = Vec::new();
    drain(&mut c, start, start, &mut log);
    assert_eq!(
        log.last().unwrap().1,
        Seen::End(Termination::TransportError)
    );
    assert!(c.poll_timeout().is_none());
}

#[test]
fn keys_match_responses_and_requests() {
    let invite = msg(INVITE);
    let ok = response(INVITE, StatusCode::OK);
    assert_eq!(ClientKey::of_request(&invite), ClientKey::of_response(&ok));
    let ack = ack_for_non_2xx(&invite, &ok).unwrap();
    assert_eq!(ServerKey::of_request(&invite), ServerKey::of_request(&ack));
    let cancel = INVITE
        .replace("314159 INVITE", "314159 CANCEL")
        .replace("INVITE sip", "CANCEL sip");
    let cancel = msg(&cancel);
    assert_ne!(
        ServerKey::of_request(&invite),
        ServerKey::of_request(&cancel)
    );
    assert_eq!(
        ServerKey::of_request(&invite),
        ServerKey::invite_for_cancel(&cancel)
    );
    // sent-by compares with the default port filled in and the host case-folded.
    let other = msg(&INVITE.replace(
        "pc33.atlanta.example.com;",
        "PC33.atlanta.example.com:5060;",
    ));
    assert_eq!(
        ServerKey::of_request(&invite),
        ServerKey::of_request(&other)
    );
}

#[test]
fn rfc2543_requests_match_without_a_branch() {
    // RFC 4475 §3.2.1: a branch of the bare magic cookie counts as none.
    let old = INVITE.replace("branch=z9hG4bK776asdhds", "branch=z9hG4bK");
    let invite = msg(&old);
    assert!(matches!(
        ServerKey::of_request(&invite),
        Some(ServerKey::Rfc2543 { .. })
    ));
    let ack = ack_for_non_2xx(&invite, &response(&old, StatusCode::BUSY_HERE)).unwrap();
    assert_eq!(ServerKey::of_request(&invite), ServerKey::of_request(&ack));
}

#[test]
fn invite_client_proceeding_waits_until_cancelled_then_64_t1() {
    let start = epoch();
    let mut tx = ClientInvite::new(start, msg(INVITE), false, TimerConfig::default());
    tx.handle_response(start + ms(100), response(INVITE, StatusCode::RINGING));
    assert_eq!(tx.poll_timeout(), None, "rings as long as it likes");
    tx.cancel_sent(start + ms(60_000));
    let mut log = Vec::new();
    run(&mut tx, start, Duration::from_secs(200), &mut log);
    assert_eq!(
        log.last(),
        Some(&(ms(92_000), Seen::End(Termination::Timeout)))
    );
}
