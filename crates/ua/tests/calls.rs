//! Calls in virtual time: two user agents on testkit's simulated network
//! call each other directly (local accounts, no proxy). Answer, early
//! media, reject, hang up from each side in each state, CANCEL (held back
//! until a provisional response), the 2xx retransmitted until the ACK, the
//! ACK repeated for a retransmitted 2xx, and loss on the network.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use sdp::neg::{Capabilities, Codec, LocalMedia, NegotiatedMedia};
use sip_core::stack::{Stack, StackConfig, Transmit as StackTransmit};
use sip_core::transport::{TransportId, TransportKind};
use testkit::{Agent, LinkConfig, Transmit, World};
use ua::{AccountId, AccountSettings, CallId, CallState, UaEvent, UserAgent};

const UDP: TransportId = TransportId(0);

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A user agent on one UDP transport, recording its events.
struct Phone {
    ua: UserAgent,
    local: SocketAddr,
    start: Instant,
    events: Vec<(Duration, UaEvent)>,
    /// Every message it sent, as sent.
    out: Vec<sip::Message>,
    /// Reviews its SDP at once, adding `a=x-<name>-<n>` (as an
    /// application's `onCallSdpCreated` would).
    reviewer: Option<&'static str>,
    reviewed: usize,
}

impl Phone {
    fn new(local: &str, user: &str, seed: u64, start: Instant) -> (Self, AccountId) {
        let local = addr(local);
        let mut config = StackConfig::default();
        config.seed = seed;
        let mut stack = Stack::new(config);
        stack.add_transport(TransportKind::Udp, local);
        let mut ua = UserAgent::new(stack, seed);
        let settings = AccountSettings {
            id_uri: format!("sip:{user}@{}", local.ip()),
            ..AccountSettings::default()
        };
        let account = ua.add_account(start, settings, true).unwrap();
        (
            Self {
                ua,
                local,
                start,
                events: Vec::new(),
                out: Vec::new(),
                reviewer: None,
                reviewed: 0,
            },
            account,
        )
    }

    fn drain(&mut self, now: Instant) {
        while let Some(e) = self.ua.poll_event(now) {
            if let (Some(name), UaEvent::CallSdpCreated { call, sdp, .. }) = (self.reviewer, &e) {
                self.reviewed += 1;
                let mut sdp = sdp.as_ref().clone();
                let mark = format!("x-{name}-{}", self.reviewed);
                sdp.attributes.push(sdp::Attribute::flag(mark));
                let call = *call;
                self.events.push((now - self.start, e));
                self.ua.sdp_reviewed(now, call, sdp).expect("reviewed");
                continue;
            }
            self.events.push((now - self.start, e));
        }
    }

    /// The SDP each review was asked for: (call, the SDP made, the offer
    /// it answers).
    fn sdp_created(&self) -> Vec<(CallId, String, Option<String>)> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                UaEvent::CallSdpCreated { call, sdp, remote } => Some((
                    *call,
                    sdp.to_string(),
                    remote.as_ref().map(|r| r.to_string()),
                )),
                _ => None,
            })
            .collect()
    }

    /// The call states seen, in order: (state, code).
    fn states(&self) -> Vec<(CallState, u16)> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                UaEvent::CallState { state, code, .. } => Some((*state, *code)),
                _ => None,
            })
            .collect()
    }

    fn incoming(&self) -> Option<CallId> {
        self.events.iter().find_map(|(_, e)| match e {
            UaEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
    }

    fn media(&self) -> Vec<&sdp::neg::NegotiatedSession> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                UaEvent::CallMedia { session, .. } => Some(session.as_ref()),
                _ => None,
            })
            .collect()
    }

    fn last_state(&self) -> Option<CallState> {
        self.states().last().map(|s| s.0)
    }

    /// Its call events as lines: state changes with their cause, media,
    /// transaction changes (method, role, state, status, cause).
    fn timeline(&self) -> Vec<String> {
        use ua::{StateCause, TsxCause};
        fn tsx(t: &ua::CallTsx) -> String {
            let cause = match &t.cause {
                TsxCause::Sent(m) => format!("tx {}", first_line(m)),
                TsxCause::Received(m, from) => {
                    format!("rx {} from {}", first_line(m), from.is_some())
                }
                TsxCause::Timer => "timer".to_owned(),
                TsxCause::TransportError => "transport".to_owned(),
                TsxCause::User => "user".to_owned(),
            };
            format!(
                "{} {} {:?}<-{:?} {} ({cause})",
                t.method,
                if t.uas { "uas" } else { "uac" },
                t.state,
                t.prev_state,
                t.status
            )
        }
        fn first_line(m: &sip::Message) -> String {
            let bytes = m.to_bytes();
            let text = String::from_utf8_lossy(&bytes);
            text.lines()
                .next()
                .unwrap_or("")
                .split(" sip:")
                .next()
                .unwrap_or("")
                .to_owned()
        }
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                UaEvent::IncomingCall { .. } => Some("incoming".to_owned()),
                UaEvent::CallState { state, cause, .. } => Some(format!(
                    "state {state:?} [{}]",
                    match cause {
                        StateCause::Tsx(t) => tsx(t),
                        StateCause::Sent(m) => format!("sent {}", first_line(m)),
                        StateCause::Received(m, _) => format!("received {}", first_line(m)),
                        StateCause::User => "user".to_owned(),
                    }
                )),
                UaEvent::CallMedia { .. } => Some("media".to_owned()),
                UaEvent::CallTsx { tsx: t, .. } => Some(format!("tsx {}", tsx(t))),
                _ => None,
            })
            .collect()
    }

    /// The messages it sent whose first line starts with `prefix` (a
    /// request's method, `SIP/2.0 200`) and whose CSeq method is `cseq`.
    fn sent_messages(&self, prefix: &str, cseq: &str) -> Vec<&sip::Message> {
        self.out
            .iter()
            .filter(|m| {
                m.to_bytes().starts_with(prefix.as_bytes())
                    && m.cseq().is_some_and(|c| c.method.as_str() == cseq)
            })
            .collect()
    }
}

impl Agent for Phone {
    fn addresses(&self) -> Vec<SocketAddr> {
        vec![self.local]
    }
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, _to: SocketAddr, payload: &[u8]) {
        self.ua.stack_mut().handle_datagram(now, UDP, from, payload);
        self.drain(now);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.ua.handle_timeout(now);
        self.drain(now);
    }
    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        self.drain(now);
        loop {
            if let StackTransmit::Datagram {
                destination,
                payload,
                ..
            } = self.ua.stack_mut().poll_transmit()?
            {
                if let Ok(m) = sip::Message::parse(&payload) {
                    self.out.push(m);
                }
                return Some(Transmit {
                    from: self.local,
                    to: destination,
                    payload: payload.to_vec(),
                });
            }
        }
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        self.ua.poll_timeout()
    }
}

const ALICE: &str = "192.0.2.1:5060";
const BOB: &str = "192.0.2.2:5060";

fn caps(ip: &str, port: u16) -> Capabilities {
    let ip: IpAddr = ip.parse().unwrap();
    let audio = LocalMedia::audio(
        ip,
        port,
        vec![Codec::new(0, "PCMU", 8000), Codec::new(8, "PCMA", 8000)],
    );
    Capabilities::new(ip, vec![audio])
}

struct Setup {
    world: World<Phone>,
    alice: AccountId,
}

fn setup(seed: u64, link: LinkConfig) -> Setup {
    let mut world: World<Phone> = World::new(seed);
    world.network_mut().set_default_link(link);
    let start = world.clock().base();
    let (a, alice) = Phone::new(ALICE, "alice", seed, start);
    let (b, _bob) = Phone::new(BOB, "bob", seed + 1, start);
    world.add_agent(a);
    world.add_agent(b);
    Setup { world, alice }
}

impl Setup {
    fn alice(&mut self) -> &mut Phone {
        self.world.agent_mut(0)
    }
    fn bob(&mut self) -> &mut Phone {
        self.world.agent_mut(1)
    }
    fn call_bob(&mut self) -> CallId {
        let now = self.world.now();
        let alice = self.alice;
        self.alice()
            .ua
            .make_call(
                now,
                alice,
                "sip:bob@192.0.2.2:5060",
                caps("192.0.2.1", 4000),
            )
            .unwrap()
    }
    fn run(&mut self, ms: u64) {
        self.world.run_for(Duration::from_millis(ms));
    }
    fn run_until(&mut self, secs: u64, done: impl Fn(&World<Phone>) -> bool) -> bool {
        self.world.run_until(|w| done(w), Duration::from_secs(secs))
    }
    fn bob_answers(&mut self, code: u16) {
        let now = self.world.now();
        let call = self.bob().incoming().expect("bob has a call");
        self.bob()
            .ua
            .answer(now, call, code, None, Some(caps("192.0.2.2", 5000)))
            .unwrap();
    }
}

fn clean() -> LinkConfig {
    LinkConfig::default()
}

#[test]
fn a_call_is_answered_and_hung_up_by_the_caller() {
    let mut s = setup(1, clean());
    let call = s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    let incoming = s.bob().incoming().unwrap();
    let status = s.bob().ua.call_status(incoming).unwrap();
    assert_eq!(status.state, CallState::Incoming);
    assert!(status.remote_uri.contains("alice@192.0.2.1"), "{status:?}");
    s.bob_answers(180);
    s.run(100);
    assert_eq!(s.alice().last_state(), Some(CallState::Early));
    s.bob_answers(200);
    assert!(s.run_until(5, |w| w.agent(1).last_state() == Some(CallState::Confirmed)));
    assert_eq!(
        s.alice().states(),
        [
            (CallState::Calling, 0),
            (CallState::Early, 180),
            (CallState::Connecting, 200),
            (CallState::Confirmed, 200)
        ]
    );
    // The callee's first state is INCOMING, caused by the 100 Trying
    // (after IncomingCall), as PJSUA2 reports it.
    assert_eq!(
        s.bob().states(),
        [
            (CallState::Incoming, 100),
            (CallState::Early, 180),
            (CallState::Connecting, 200),
            (CallState::Confirmed, 200)
        ]
    );
    // Both sides agree on PCMU, each sending to the other's port.
    for (phone, remote_port) in [(0, 5000), (1, 4000)] {
        let p = s.world.agent(phone);
        let media = p.media();
        assert_eq!(media.len(), 1);
        let NegotiatedMedia::Active(m) = &media[0].media[0] else {
            panic!("audio disabled");
        };
        assert_eq!(m.codec.encoding, "PCMU");
        assert_eq!(m.remote_rtp.unwrap().port(), remote_port);
    }
    // Alice hangs up: BYE, 200, both disconnected.
    let now = s.world.now();
    s.alice().ua.hangup(now, call, 0).unwrap();
    assert!(s.run_until(5, |w| w.agent(0).last_state()
        == Some(CallState::Disconnected)));
    assert_eq!(
        s.alice().states().last(),
        Some(&(CallState::Disconnected, 200))
    );
    assert_eq!(s.bob().last_state(), Some(CallState::Disconnected));
    // Nothing more happens: no retransmission, no stray event.
    let before = (s.alice().events.len(), s.bob().events.len());
    s.run(40_000);
    assert_eq!(before, (s.alice().events.len(), s.bob().events.len()));
}

#[test]
fn the_callee_hangs_up_and_a_rejected_call_reports_the_code() {
    let mut s = setup(2, clean());
    let call = s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    s.bob_answers(200);
    assert!(s.run_until(5, |w| w.agent(0).last_state() == Some(CallState::Confirmed)));
    let now = s.world.now();
    let incoming = s.bob().incoming().unwrap();
    s.bob().ua.hangup(now, incoming, 0).unwrap();
    assert!(s.run_until(5, |w| w.agent(0).last_state()
        == Some(CallState::Disconnected)
        && w.agent(1).last_state() == Some(CallState::Disconnected)));
    assert_eq!(
        s.bob().states().last(),
        Some(&(CallState::Disconnected, 200))
    );
    let _ = call;

    // A second call, refused with 486.
    let mut s = setup(3, clean());
    s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    s.bob_answers(486);
    assert!(s.run_until(5, |w| w.agent(0).last_state()
        == Some(CallState::Disconnected)));
    assert_eq!(
        s.alice().states(),
        [(CallState::Calling, 0), (CallState::Disconnected, 486)]
    );
    assert_eq!(
        s.bob().states(),
        [(CallState::Incoming, 100), (CallState::Disconnected, 486)]
    );
}

#[test]
fn hanging_up_before_the_answer_cancels_once_a_provisional_came() {
    let mut s = setup(4, clean());
    let call = s.call_bob();
    // Alice hangs up at once: before any provisional response (the 100
    // has not even arrived), the CANCEL must wait.
    let now = s.world.now();
    s.alice().ua.hangup(now, call, 0).unwrap();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    // Bob's 100 reached Alice, who then CANCELs: Bob answers 487.
    assert!(s.run_until(5, |w| w.agent(1).last_state()
        == Some(CallState::Disconnected)));
    assert!(s.run_until(5, |w| w.agent(0).last_state()
        == Some(CallState::Disconnected)));
    assert_eq!(
        s.alice().states().last(),
        Some(&(CallState::Disconnected, 487))
    );
    assert_eq!(
        s.bob().states(),
        [(CallState::Incoming, 100), (CallState::Disconnected, 487)]
    );
    // The CANCEL's transaction comes before the end, which the 487 causes
    // (as PJSUA2 reports them; the INVITE's own report after the end
    // reaches no application: the call is released then).
    let bob = s.bob().timeline();
    let tail: Vec<&str> = bob[bob.len() - 4..].iter().map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "tsx CANCEL uas Trying<-Null 0 (rx CANCEL from true)",
            "tsx CANCEL uas Completed<-Trying 200 (tx SIP/2.0 200 OK)",
            "state Disconnected [INVITE uas Completed<-Proceeding 487 (tx SIP/2.0 487 Request Terminated)]",
            "tsx INVITE uas Completed<-Proceeding 487 (tx SIP/2.0 487 Request Terminated)",
        ]
    );

    // Ringing, then cancelled.
    let mut s = setup(5, clean());
    let call = s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    s.bob_answers(180);
    assert!(s.run_until(5, |w| w.agent(0).last_state() == Some(CallState::Early)));
    let now = s.world.now();
    s.alice().ua.hangup(now, call, 0).unwrap();
    assert!(s.run_until(5, |w| w.agent(0).last_state()
        == Some(CallState::Disconnected)));
    assert_eq!(
        s.alice().states().last(),
        Some(&(CallState::Disconnected, 487))
    );
    assert_eq!(
        s.bob().states().last(),
        Some(&(CallState::Disconnected, 487))
    );
}

#[test]
fn early_media_comes_with_a_183() {
    let mut s = setup(6, clean());
    s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    s.bob_answers(183);
    assert!(s.run_until(5, |w| w.agent(0).last_state() == Some(CallState::Early)));
    assert_eq!(
        s.alice().media().len(),
        1,
        "the 183's SDP answer negotiates"
    );
    assert_eq!(s.bob().media().len(), 1);
    s.bob_answers(200);
    assert!(s.run_until(5, |w| w.agent(0).last_state() == Some(CallState::Confirmed)));
    // The 2xx repeats the answer (RFC 3261 §13.3.1.1: the 183 was not
    // reliable): nothing new is negotiated, and the media is reported
    // again, unchanged, as PJSUA2 calls onCallMediaState again then.
    assert_eq!(s.alice().media().len(), 1);
    let again = s
        .alice()
        .events
        .iter()
        .filter(|(_, e)| matches!(e, UaEvent::CallMediaRepeated { .. }))
        .count();
    assert_eq!(again, 1);
    let ok = s.bob().sent_messages("SIP/2.0 200", "INVITE")[0].clone();
    assert!(ok.sdp_body().is_some(), "the 2xx repeats the answer");
}

#[test]
fn update_changes_the_media_of_an_early_dialog_both_ways() {
    // RFC 3311: during early media (a 183 with the answer), the caller and
    // then the callee send a new offer in an UPDATE.
    let mut s = setup(14, clean());
    let call = s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    s.bob_answers(183);
    assert!(s.run_until(5, |w| w.agent(0).last_state() == Some(CallState::Early)));
    // No re-INVITE in an early dialog.
    let now = s.world.now();
    assert!(matches!(
        s.alice()
            .ua
            .reoffer(now, call, ua::Reoffer::Hold, ua::ReofferMethod::Invite),
        Err(ua::CallError::InvalidState(..))
    ));
    s.alice()
        .ua
        .reoffer(now, call, ua::Reoffer::Hold, ua::ReofferMethod::Update)
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).media().len() == 2
        && w.agent(1).media().len() == 2));
    assert_eq!(
        last_direction(s.alice()),
        (true, false),
        "alice holds: sendonly"
    );
    assert_eq!(
        last_direction(s.bob()),
        (false, true),
        "bob is held: recvonly"
    );
    assert_eq!(
        s.alice().ua.call_status(call).unwrap().state,
        CallState::Early
    );
    // The callee's UPDATE reaches the caller's early dialog.
    let bob_call = s.bob().incoming().unwrap();
    let now = s.world.now();
    s.bob()
        .ua
        .reoffer(
            now,
            bob_call,
            ua::Reoffer::Refresh,
            ua::ReofferMethod::Update,
        )
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).media().len() == 3
        && w.agent(1).media().len() == 3));
    // Alice still holds: she answers sendonly.
    assert_eq!(last_direction(s.alice()), (true, false));
    assert_eq!(
        s.bob().sent_messages("SIP/2.0 200", "UPDATE").len(),
        1,
        "bob answered alice's UPDATE"
    );
    assert_eq!(s.alice().sent_messages("SIP/2.0 200", "UPDATE").len(), 1);
    // The call is then answered and confirmed as usual.
    s.bob_answers(200);
    assert!(
        s.run_until(5, |w| w.agent(0).last_state() == Some(CallState::Confirmed)
            && w.agent(1).last_state() == Some(CallState::Confirmed))
    );
    let now = s.world.now();
    s.alice()
        .ua
        .reoffer(now, call, ua::Reoffer::Unhold, ua::ReofferMethod::Invite)
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).media().len() == 4));
    assert_eq!(last_direction(s.alice()), (true, true));
}

#[test]
fn calls_complete_through_a_lossy_network() {
    for seed in 10..20 {
        let link = LinkConfig {
            loss: 0.3,
            ..LinkConfig::default()
        };
        let mut s = setup(seed, link);
        let call = s.call_bob();
        assert!(
            s.run_until(40, |w| w.agent(1).incoming().is_some()),
            "seed {seed}"
        );
        s.bob_answers(200);
        assert!(
            s.run_until(40, |w| w.agent(0).last_state()
                == Some(CallState::Confirmed)
                && w.agent(1).last_state() == Some(CallState::Confirmed)),
            "seed {seed}: {:?} / {:?}",
            s.alice().states(),
            s.bob().states()
        );
        let now = s.world.now();
        s.alice().ua.hangup(now, call, 0).unwrap();
        assert!(
            s.run_until(40, |w| w.agent(0).last_state()
                == Some(CallState::Disconnected)
                && w.agent(1).last_state() == Some(CallState::Disconnected)),
            "seed {seed}"
        );
    }
}

#[test]
fn a_callee_that_never_gets_the_ack_gives_up_after_64_t1() {
    let mut s = setup(7, clean());
    s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    // From now on, nothing from Bob reaches Alice: she never ACKs.
    s.world.network_mut().set_link(
        addr(BOB),
        addr(ALICE),
        LinkConfig {
            loss: 1.0,
            ..LinkConfig::default()
        },
    );
    let answered = s.world.now();
    s.bob_answers(200);
    assert!(s.run_until(60, |w| w.agent(1).last_state()
        == Some(CallState::Disconnected)));
    let waited = s.world.now() - answered;
    assert!(
        waited >= Duration::from_secs(32) && waited < Duration::from_secs(33),
        "{waited:?}"
    );
    assert_eq!(
        s.bob().states().last(),
        Some(&(CallState::Disconnected, 408))
    );
}

/// (sends, receives) of the first line of the last negotiated media.
fn last_direction(p: &Phone) -> (bool, bool) {
    let media = p.media();
    let NegotiatedMedia::Active(m) = &media.last().expect("media").media[0] else {
        panic!("audio disabled");
    };
    (m.direction.sends(), m.direction.receives())
}

fn connected(seed: u64, link: LinkConfig) -> (Setup, CallId, CallId) {
    let mut s = setup(seed, link);
    let call = s.call_bob();
    assert!(s.run_until(40, |w| w.agent(1).incoming().is_some()));
    s.bob_answers(200);
    assert!(s.run_until(40, |w| w.agent(0).last_state()
        == Some(CallState::Confirmed)
        && w.agent(1).last_state() == Some(CallState::Confirmed)));
    let incoming = s.bob().incoming().unwrap();
    (s, call, incoming)
}

#[test]
fn hold_and_unhold_by_re_invite_and_by_update() {
    use ua::{Reoffer, ReofferMethod};
    for method in [ReofferMethod::Invite, ReofferMethod::Update] {
        let (mut s, call, _) = connected(20, clean());
        assert_eq!(last_direction(s.alice()), (true, true));
        let now = s.world.now();
        s.alice()
            .ua
            .reoffer(now, call, Reoffer::Hold, method)
            .unwrap();
        // One re-offer at a time.
        assert!(
            s.alice()
                .ua
                .reoffer(now, call, Reoffer::Unhold, method)
                .is_err()
        );
        assert!(s.run_until(5, |w| w.agent(0).media().len() == 2
            && w.agent(1).media().len() == 2));
        assert_eq!(
            last_direction(s.alice()),
            (true, false),
            "{method:?}: alice only sends"
        );
        assert_eq!(
            last_direction(s.bob()),
            (false, true),
            "{method:?}: bob only receives"
        );
        let now = s.world.now();
        s.alice()
            .ua
            .reoffer(now, call, Reoffer::Unhold, method)
            .unwrap();
        assert!(s.run_until(5, |w| w.agent(0).media().len() == 3
            && w.agent(1).media().len() == 3));
        assert_eq!(last_direction(s.alice()), (true, true));
        assert_eq!(last_direction(s.bob()), (true, true));
        // Still one call, confirmed on both sides, nothing retransmitting.
        s.run(40_000);
        assert_eq!(s.alice().last_state(), Some(CallState::Confirmed));
        assert_eq!(s.bob().last_state(), Some(CallState::Confirmed));
    }
}

#[test]
fn the_callee_holds_and_the_caller_answers_inactive_when_it_held_first() {
    use ua::{Reoffer, ReofferMethod};
    let (mut s, call, incoming) = connected(21, clean());
    let now = s.world.now();
    s.bob()
        .ua
        .reoffer(now, incoming, Reoffer::Hold, ReofferMethod::Invite)
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).media().len() == 2));
    assert_eq!(last_direction(s.alice()), (false, true));
    // Now Alice holds too: the line goes inactive.
    let now = s.world.now();
    s.alice()
        .ua
        .reoffer(now, call, Reoffer::Hold, ReofferMethod::Invite)
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).media().len() == 3));
    assert_eq!(last_direction(s.alice()), (false, false));
}

#[test]
fn glare_is_resolved_by_491_and_the_rfc_retry_timing() {
    use ua::{Reoffer, ReofferMethod};
    let (mut s, call, incoming) = connected(22, clean());
    let now = s.world.now();
    // Both re-INVITE at the same instant: each gets 491.
    s.alice()
        .ua
        .reoffer(now, call, Reoffer::Hold, ReofferMethod::Invite)
        .unwrap();
    s.bob()
        .ua
        .reoffer(now, incoming, Reoffer::Refresh, ReofferMethod::Invite)
        .unwrap();
    assert!(s.run_until(20, |w| w.agent(0).media().len() >= 3
        && w.agent(1).media().len() >= 3));
    // Bob (not the Call-ID owner) retried first, within 2 s; Alice after
    // 2.1-4 s. In the end Alice holds.
    assert_eq!(last_direction(s.alice()), (true, false));
    assert_eq!(last_direction(s.bob()), (false, true));
    let glare_over = s.world.now() - now;
    assert!(
        glare_over >= Duration::from_millis(2100) && glare_over < Duration::from_secs(5),
        "{glare_over:?}"
    );
}

#[test]
fn hold_and_unhold_survive_a_lossy_network() {
    use ua::{Reoffer, ReofferMethod};
    for seed in 30..36 {
        let link = LinkConfig {
            loss: 0.3,
            ..LinkConfig::default()
        };
        let (mut s, call, _) = connected(seed, link);
        for (what, expected) in [
            (Reoffer::Hold, (true, false)),
            (Reoffer::Unhold, (true, true)),
        ] {
            let before = s.alice().media().len();
            let now = s.world.now();
            s.alice()
                .ua
                .reoffer(now, call, what, ReofferMethod::Invite)
                .unwrap();
            assert!(
                s.run_until(40, |w| w.agent(0).media().len() > before),
                "seed {seed}: {what:?} not answered"
            );
            assert_eq!(last_direction(s.alice()), expected, "seed {seed}");
            // Let the ACK land before the next re-INVITE.
            s.run(5_000);
        }
        assert_eq!(
            s.bob().last_state(),
            Some(CallState::Confirmed),
            "seed {seed}"
        );
        assert_eq!(last_direction(s.bob()), (true, true), "seed {seed}");
    }
}

#[test]
fn info_and_message_cross_the_call_both_ways() {
    let (mut s, call, incoming) = connected(40, clean());
    let now = s.world.now();
    let dtmf = b"Signal=5\r\nDuration=160\r\n";
    let tx = s
        .alice()
        .ua
        .send_in_call(
            now,
            call,
            "INFO",
            Some(("application/dtmf-relay", dtmf)),
            &[],
        )
        .unwrap();
    let now = s.world.now();
    s.bob()
        .ua
        .send_in_call(
            now,
            incoming,
            "MESSAGE",
            Some(("text/plain", b"hello")),
            &[("X-Test".into(), "1".into())],
        )
        .unwrap();
    let now = s.world.now();
    let unknown = s
        .alice()
        .ua
        .send_in_call(now, call, "FOO", None, &[])
        .unwrap();
    s.run(2000);
    let received = |p: &Phone| -> Vec<(String, Option<String>, Vec<u8>)> {
        p.events
            .iter()
            .filter_map(|(_, e)| match e {
                UaEvent::CallRequest { request, .. } => Some((
                    request.method.clone(),
                    request.content_type.clone(),
                    request.body.clone(),
                )),
                _ => None,
            })
            .collect()
    };
    let results = |p: &Phone| -> Vec<(sip_core::stack::ClientTxId, u16)> {
        p.events
            .iter()
            .filter_map(|(_, e)| match e {
                UaEvent::CallRequestResult {
                    transaction, code, ..
                } => Some((*transaction, *code)),
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        received(s.bob()),
        [(
            "INFO".to_owned(),
            Some("application/dtmf-relay".to_owned()),
            dtmf.to_vec()
        )]
    );
    assert_eq!(
        received(s.alice()),
        [(
            "MESSAGE".to_owned(),
            Some("text/plain".to_owned()),
            b"hello".to_vec()
        )]
    );
    let alice_results = results(s.alice());
    assert!(alice_results.contains(&(tx, 200)), "{alice_results:?}");
    assert!(
        alice_results
            .iter()
            .any(|(t, code)| *t == unknown && (*code == 501 || *code == 405)),
        "{alice_results:?}"
    );
    assert_eq!(results(s.bob()).len(), 1);
    // The call is untouched.
    assert_eq!(s.alice().last_state(), Some(CallState::Confirmed));
    // Session methods are refused here.
    let now = s.world.now();
    assert!(
        s.alice()
            .ua
            .send_in_call(now, call, "BYE", None, &[])
            .is_err()
    );
    assert!(
        s.alice()
            .ua
            .send_in_call(now, call, "bad method", None, &[])
            .is_err()
    );
}

#[test]
fn a_blind_transfer_is_asked_answered_and_its_progress_notified() {
    let (mut s, call, incoming) = connected(41, clean());
    // Alice asks Bob to call Carol.
    let now = s.world.now();
    s.alice()
        .ua
        .transfer(now, call, "sip:carol@192.0.2.3:5060", None)
        .unwrap();
    s.run(500);
    let request = s
        .bob()
        .events
        .iter()
        .find_map(|(_, e)| match e {
            UaEvent::TransferRequest { call, request } => Some((*call, request.clone())),
            _ => None,
        })
        .expect("bob was asked");
    assert_eq!(request.0, incoming);
    assert_eq!(request.1.refer_to, "sip:carol@192.0.2.3:5060");
    assert_eq!(request.1.replaces, None);
    assert!(
        request
            .1
            .referred_by
            .as_deref()
            .is_some_and(|r| r.contains("alice"))
    );
    // Bob accepts: 202, then NOTIFY 100 Trying; later 180 and a final 200.
    let now = s.world.now();
    s.bob().ua.answer_transfer(now, incoming, 202).unwrap();
    s.run(500);
    for (code, reason, last) in [(180, "Ringing", false), (200, "OK", true)] {
        let now = s.world.now();
        s.bob()
            .ua
            .notify_transfer(now, incoming, code, reason, last)
            .unwrap();
        s.run(500);
    }
    let statuses: Vec<(u16, bool)> = s
        .alice()
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            UaEvent::TransferStatus {
                code, final_notify, ..
            } => Some((*code, *final_notify)),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, [(100, false), (180, false), (200, true)]);
    // Both calls are still up: ending the transferring call is the
    // application's choice (PJSUA2 hangs up after a final 2xx NOTIFY).
    assert_eq!(s.alice().last_state(), Some(CallState::Confirmed));
    assert_eq!(s.bob().last_state(), Some(CallState::Confirmed));
}

#[test]
fn a_refused_transfer_reports_the_refusal_and_attended_transfer_carries_replaces() {
    // Alice has two calls with Bob (seeds differ): she asks Bob, in the
    // first, to replace the second — Refer-To carries Replaces.
    let (mut s, first, bob_first) = connected(42, clean());
    let second = s.call_bob();
    s.run(300);
    let bob_second = s
        .bob()
        .events
        .iter()
        .rev()
        .find_map(|(_, e)| match e {
            UaEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .unwrap();
    let now = s.world.now();
    s.bob()
        .ua
        .answer(now, bob_second, 200, None, Some(caps("192.0.2.2", 5002)))
        .unwrap();
    s.run(500);
    let now = s.world.now();
    s.alice().ua.transfer(now, first, "", Some(second)).unwrap();
    s.run(500);
    let request = s
        .bob()
        .events
        .iter()
        .find_map(|(_, e)| match e {
            UaEvent::TransferRequest { request, .. } => Some(request.clone()),
            _ => None,
        })
        .expect("bob was asked");
    let replaces = request.replaces.expect("Replaces");
    let second_id = s.bob().ua.call_status(bob_second).unwrap().call_id;
    assert!(
        replaces.starts_with(&second_id),
        "{replaces} vs {second_id}"
    );
    assert!(
        replaces.contains(";to-tag=") && replaces.contains(";from-tag="),
        "{replaces}"
    );
    // Bob refuses: Alice learns it from the REFER's answer.
    let now = s.world.now();
    s.bob().ua.answer_transfer(now, bob_first, 603).unwrap();
    s.run(500);
    let last = s.alice().events.iter().rev().find_map(|(_, e)| match e {
        UaEvent::TransferStatus {
            code, final_notify, ..
        } => Some((*code, *final_notify)),
        _ => None,
    });
    assert_eq!(last, Some((603, true)));
}

fn opts(name: &str, value: &str) -> ua::TxOptions {
    ua::TxOptions {
        headers: vec![(name.to_owned(), value.to_owned())],
        body: None,
    }
}

fn header<'m>(m: &'m sip::Message, name: &'m str) -> Option<&'m str> {
    m.raw_values_named(name).next()
}

#[test]
fn tx_options_go_into_answers_re_offers_refer_bye_and_rejections() {
    let mut s = setup(12, clean());
    let call = s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    let bob_call = s.bob().incoming().unwrap();
    let now = s.world.now();
    s.bob()
        .ua
        .answer_with(now, bob_call, 180, None, None, &opts("X-Ring", "1"))
        .unwrap();
    let now = s.world.now();
    s.bob()
        .ua
        .answer_with(
            now,
            bob_call,
            200,
            Some("Fine"),
            Some(caps("192.0.2.2", 5000)),
            &opts("X-Answer", "2"),
        )
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).last_state() == Some(CallState::Confirmed)));
    let ringing = s.bob().sent_messages("SIP/2.0 180", "INVITE");
    assert_eq!(header(ringing[0], "X-Ring"), Some("1"));
    let ok = s.bob().sent_messages("SIP/2.0 200", "INVITE");
    assert_eq!(header(ok[0], "X-Answer"), Some("2"));
    // The 200 keeps the 180's headers, as PJSIP's answers do.
    assert_eq!(header(ok[0], "X-Ring"), Some("1"));
    assert!(ok[0].sdp_body().is_some(), "the 2xx keeps its SDP");
    // Re-offers: the headers, and the SDP kept in place of the body.
    let now = s.world.now();
    let with_body = ua::TxOptions {
        headers: vec![("X-Hold".into(), "yes".into())],
        body: Some(("text/plain".into(), b"not sdp".to_vec())),
    };
    s.alice()
        .ua
        .reoffer_with(
            now,
            call,
            ua::Reoffer::Hold,
            ua::ReofferMethod::Invite,
            &with_body,
        )
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).media().len() == 2));
    let now = s.world.now();
    s.alice()
        .ua
        .reoffer_with(
            now,
            call,
            ua::Reoffer::Unhold,
            ua::ReofferMethod::Update,
            &opts("X-Unhold", "yes"),
        )
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).media().len() == 3));
    let reinvite = s.alice().sent_messages("INVITE", "INVITE")[1].clone();
    assert_eq!(header(&reinvite, "X-Hold"), Some("yes"));
    assert!(reinvite.sdp_body().is_some());
    let update = s.alice().sent_messages("UPDATE", "UPDATE")[0].clone();
    assert_eq!(header(&update, "X-Unhold"), Some("yes"));
    // REFER: the headers next to Refer-To.
    let now = s.world.now();
    s.alice()
        .ua
        .transfer_with(
            now,
            call,
            "sip:carol@192.0.2.3:5060",
            None,
            &opts("X-Xfer", "3"),
        )
        .unwrap();
    s.run(500);
    let refer = s.alice().sent_messages("REFER", "REFER")[0].clone();
    assert_eq!(header(&refer, "X-Xfer"), Some("3"));
    assert!(header(&refer, "Refer-To").is_some());
    // BYE from the callee, with a header and a body.
    let now = s.world.now();
    let bye_opts = ua::TxOptions {
        headers: vec![("Reason".into(), "Q.850;cause=16".into())],
        body: Some(("text/plain".into(), b"bye".to_vec())),
    };
    s.bob()
        .ua
        .hangup_with(now, bob_call, 0, None, &bye_opts)
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).last_state()
        == Some(CallState::Disconnected)));
    let bye = s.bob().sent_messages("BYE", "BYE")[0].clone();
    assert_eq!(header(&bye, "Reason"), Some("Q.850;cause=16"));
    assert_eq!(bye.body().as_ref(), b"bye");
    // A rejection: code, reason phrase, headers.
    let second = s.call_bob();
    assert!(s.run_until(5, |w| {
        w.agent(1)
            .events
            .iter()
            .filter(|(_, e)| matches!(e, UaEvent::IncomingCall { .. }))
            .count()
            == 2
    }));
    let bob_second = s
        .bob()
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            UaEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .next_back()
        .unwrap();
    let now = s.world.now();
    s.bob()
        .ua
        .hangup_with(
            now,
            bob_second,
            486,
            Some("Busy Now"),
            &opts("X-Reject", "4"),
        )
        .unwrap();
    assert!(
        s.run_until(5, |w| w.agent(0).ua.call_status(second).map(|c| c.state)
            == Some(CallState::Disconnected))
    );
    let busy = s.bob().sent_messages("SIP/2.0 486 Busy Now", "INVITE")[0].clone();
    assert_eq!(header(&busy, "X-Reject"), Some("4"));
    assert_eq!(s.alice().ua.call_status(second).unwrap().last_code, 486);
    // A CANCEL: the headers (hung up before any provisional response, the
    // CANCEL waits for one and still carries them).
    let third = s.call_bob();
    let now = s.world.now();
    s.alice()
        .ua
        .hangup_with(now, third, 0, None, &opts("X-Cancel", "5"))
        .unwrap();
    assert!(
        s.run_until(5, |w| w.agent(0).ua.call_status(third).map(|c| c.state)
            == Some(CallState::Disconnected))
    );
    let cancel = s.alice().sent_messages("CANCEL", "CANCEL")[0].clone();
    assert_eq!(header(&cancel, "X-Cancel"), Some("5"));
    assert!(cancel.body().is_empty());
}

#[test]
fn every_transaction_of_a_call_is_reported_and_causes_its_state_changes() {
    let mut s = setup(13, clean());
    let call = s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    s.bob_answers(180);
    s.run(100);
    s.bob_answers(200);
    assert!(s.run_until(5, |w| w.agent(1).last_state() == Some(CallState::Confirmed)));
    let now = s.world.now();
    s.alice()
        .ua
        .reoffer(now, call, ua::Reoffer::Hold, ua::ReofferMethod::Invite)
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).media().len() == 2));
    s.run(100);
    let now = s.world.now();
    s.alice()
        .ua
        .send_in_call(now, call, "INFO", Some(("text/plain", b"x")), &[])
        .unwrap();
    s.run(100);
    let bob_call = s.bob().incoming().unwrap();
    let now = s.world.now();
    s.bob().ua.hangup(now, bob_call, 0).unwrap();
    assert!(s.run_until(5, |w| w.agent(0).last_state()
        == Some(CallState::Disconnected)));
    s.run(100);
    // The order and causes PJSUA2 2.15.1 reports for the same call
    // (bindings/python/tests/data/call_events.py run on it).
    let alice = [
        "state Calling [INVITE uac Calling<-Null 0 (tx INVITE)]",
        "tsx INVITE uac Calling<-Null 0 (tx INVITE)",
        "tsx INVITE uac Proceeding<-Calling 100 (rx SIP/2.0 100 Trying from true)",
        "state Early [INVITE uac Proceeding<-Proceeding 180 (rx SIP/2.0 180 Ringing from true)]",
        "tsx INVITE uac Proceeding<-Proceeding 180 (rx SIP/2.0 180 Ringing from true)",
        "state Connecting [INVITE uac Terminated<-Proceeding 200 (rx SIP/2.0 200 OK from true)]",
        "media",
        "state Confirmed [sent ACK]",
        "tsx INVITE uac Terminated<-Proceeding 200 (rx SIP/2.0 200 OK from true)",
        // The hold.
        "tsx INVITE uac Calling<-Null 0 (tx INVITE)",
        "media",
        "tsx INVITE uac Terminated<-Calling 200 (rx SIP/2.0 200 OK from true)",
        "tsx INFO uac Calling<-Null 0 (tx INFO)",
        "tsx INFO uac Completed<-Calling 200 (rx SIP/2.0 200 OK from true)",
        // Bob's BYE.
        "tsx BYE uas Trying<-Null 0 (rx BYE from true)",
        "tsx BYE uas Completed<-Trying 200 (tx SIP/2.0 200 OK)",
        "state Disconnected [BYE uas Completed<-Null 200 (rx BYE from true)]",
    ];
    let bob = [
        "incoming",
        "state Incoming [INVITE uas Proceeding<-Trying 100 (tx SIP/2.0 100 Trying)]",
        "tsx INVITE uas Proceeding<-Trying 100 (tx SIP/2.0 100 Trying)",
        "state Early [INVITE uas Proceeding<-Proceeding 180 (tx SIP/2.0 180 Ringing)]",
        "tsx INVITE uas Proceeding<-Proceeding 180 (tx SIP/2.0 180 Ringing)",
        "media",
        "state Connecting [INVITE uas Completed<-Proceeding 200 (tx SIP/2.0 200 OK)]",
        "tsx INVITE uas Completed<-Proceeding 200 (tx SIP/2.0 200 OK)",
        "tsx INVITE uas Terminated<-Completed 200 (user)",
        "state Confirmed [received ACK]",
        // Alice's hold.
        "tsx INVITE uas Trying<-Null 0 (rx INVITE from true)",
        "media",
        "tsx INVITE uas Completed<-Trying 200 (tx SIP/2.0 200 OK)",
        "tsx INVITE uas Terminated<-Completed 200 (user)",
        "tsx INFO uas Trying<-Null 0 (rx INFO from true)",
        "tsx INFO uas Completed<-Trying 200 (tx SIP/2.0 200 OK)",
        // The hanger: DISCONNECTED at once, by the application (USER),
        // then its BYE (not reported further: the call is over).
        "state Disconnected [user]",
        "tsx BYE uac Calling<-Null 0 (tx BYE)",
    ];
    assert_eq!(s.alice().timeline(), alice);
    assert_eq!(s.bob().timeline(), bob);
}

/// What a scripted UAS answers each request with.
trait Script: 'static {
    fn answer(&mut self, request: &sip::Message) -> sip::Message;
}

/// A bare stack at Bob's address answering every request as its script
/// says: a peer that does what a user agent would not.
struct Uas<S> {
    stack: Stack,
    script: S,
}

impl<S: Script> Uas<S> {
    fn new(seed: u64, script: S) -> Self {
        let mut config = StackConfig::default();
        config.seed = seed;
        let mut stack = Stack::new(config);
        stack.add_transport(TransportKind::Udp, addr(BOB));
        Self { stack, script }
    }
}

impl<S: Script> Agent for Uas<S> {
    fn addresses(&self) -> Vec<SocketAddr> {
        vec![addr(BOB)]
    }
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, _to: SocketAddr, payload: &[u8]) {
        self.stack.handle_datagram(now, UDP, from, payload);
        while let Some(e) = self.stack.poll_event() {
            if let sip_core::stack::Event::Request {
                transaction: Some(tx),
                request,
                ..
            } = e
            {
                let response = self.script.answer(&request);
                self.stack.respond(now, tx, &response).unwrap();
            }
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.stack.handle_timeout(now);
    }
    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        loop {
            if let StackTransmit::Datagram {
                destination,
                payload,
                ..
            } = self.stack.poll_transmit()?
            {
                return Some(Transmit {
                    from: addr(BOB),
                    to: destination,
                    payload: payload.to_vec(),
                });
            }
        }
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        self.stack.poll_timeout()
    }
}

/// Challenges INVITEs (407, like a proxy asking the caller to
/// authenticate) and answers authenticated ones with 200 and an SDP answer.
struct Challenger {
    rng: sip_core::rng::Rng,
    nonces: std::collections::HashSet<String>,
    invites: Vec<(bool, u32)>,
}

impl Script for Challenger {
    fn answer(&mut self, request: &sip::Message) -> sip::Message {
        use sip::header::HeaderName;
        use sip::{Message, StatusCode};
        use sip_core::auth::{Algorithm, AuthKind, Secret, ServerChallenge, Verification, verify};
        let nonces = self.nonces.clone();
        let verified = matches!(
            verify(
                request,
                AuthKind::Proxy,
                "test",
                |u| (u == "alice").then(|| Secret::Plain("secret".into())),
                |n| nonces.contains(n),
            ),
            Verification::Ok(_)
        );
        self.invites
            .push((verified, request.cseq().map_or(0, |c| c.seq)));
        if verified {
            let offer = sdp::SessionDescription::parse(request.body()).unwrap();
            let mut neg = sdp::neg::Negotiator::new(
                caps("192.0.2.2", 5000),
                sdp::neg::NegotiatorOptions::default(),
                1,
                1,
            );
            let answer = neg.answer_offer(&offer).unwrap().0;
            Message::response_to(request, StatusCode::OK)
                .to_tag("uas")
                .contact(&sip::Address::parse("<sip:bob@192.0.2.2:5060>").unwrap())
                .body("application/sdp", answer.to_string().into_bytes())
                .build()
                .unwrap()
        } else {
            let c = ServerChallenge::new("test", Algorithm::Md5, &mut self.rng);
            self.nonces.insert(c.nonce.clone());
            let mut r = Message::response_to(request, StatusCode::new(407).unwrap())
                .to_tag("uas")
                .build()
                .unwrap();
            r.push(HeaderName::ProxyAuthenticate, c);
            r
        }
    }
}

#[test]
fn a_challenged_invite_is_sent_again_with_credentials() {
    let mut world: World<Box<dyn Agent>> = World::new(50);
    let start = world.clock().base();
    let (mut alice, account) = Phone::new(ALICE, "alice", 50, start);
    let mut settings = alice.ua.account_settings(account).unwrap().clone();
    settings
        .credentials
        .push(sip_core::auth::Credential::new("test", "alice", "secret"));
    alice.ua.modify_account(start, account, settings).unwrap();
    world.add_agent(Box::new(alice));
    world.add_agent(Box::new(Uas::new(
        51,
        Challenger {
            rng: sip_core::rng::Rng::from_seed(3),
            nonces: Default::default(),
            invites: Vec::new(),
        },
    )));
    let now = world.now();
    world
        .downcast_mut::<Phone>(0)
        .ua
        .make_call(
            now,
            account,
            "sip:bob@192.0.2.2:5060",
            caps("192.0.2.1", 4000),
        )
        .unwrap();
    assert!(world.run_until(
        |w| w.downcast::<Phone>(0).last_state() == Some(CallState::Confirmed),
        Duration::from_secs(5)
    ));
    let challenger = &world.downcast::<Uas<Challenger>>(1).script;
    assert_eq!(challenger.invites, [(false, 1), (true, 2)]);
    assert_eq!(world.downcast::<Phone>(0).media().len(), 1);
}

fn phone(w: &World<Box<dyn Agent>>) -> &Phone {
    w.downcast::<Phone>(0)
}

/// Answers the INVITE that makes the call at once (200 with an SDP
/// answer), then challenges each request within the dialog (401, as a
/// UAS asking for credentials would) and answers it once it carries
/// valid ones — but `always` methods are challenged every time.
struct DialogChallenger {
    rng: sip_core::rng::Rng,
    nonces: std::collections::HashSet<String>,
    neg: sdp::neg::Negotiator,
    always: &'static [&'static str],
    /// Each request within the dialog: (method, carried valid credentials, CSeq).
    log: Vec<(String, bool, u32)>,
}

impl DialogChallenger {
    fn new(always: &'static [&'static str]) -> Self {
        Self {
            rng: sip_core::rng::Rng::from_seed(5),
            nonces: Default::default(),
            neg: sdp::neg::Negotiator::new(
                caps("192.0.2.2", 5000),
                sdp::neg::NegotiatorOptions::default(),
                1,
                1,
            ),
            always,
            log: Vec::new(),
        }
    }

    fn ok(&mut self, request: &sip::Message, code: u16) -> sip::Message {
        let mut b = sip::Message::response_to(request, sip::StatusCode::new(code).unwrap())
            .to_tag("uas")
            .contact(&sip::Address::parse("<sip:bob@192.0.2.2:5060>").unwrap());
        if !request.body().is_empty()
            && matches!(
                request.method(),
                Some(sip::Method::Invite | sip::Method::Update)
            )
        {
            let offer = sdp::SessionDescription::parse(request.body()).unwrap();
            let answer = self.neg.answer_offer(&offer).unwrap().0;
            b = b.body("application/sdp", answer.to_string().into_bytes());
        }
        b.build().unwrap()
    }
}

impl Script for DialogChallenger {
    fn answer(&mut self, request: &sip::Message) -> sip::Message {
        use sip::header::HeaderName;
        use sip_core::auth::{Algorithm, AuthKind, Secret, ServerChallenge, Verification, verify};
        let in_dialog = request.to().is_some_and(|t| t.tag().is_some());
        if !in_dialog {
            return self.ok(request, 200);
        }
        let nonces = self.nonces.clone();
        let verified = matches!(
            verify(
                request,
                AuthKind::Www,
                "test",
                |u| (u == "alice").then(|| Secret::Plain("secret".into())),
                |n| nonces.contains(n),
            ),
            Verification::Ok(_)
        );
        let method = request.method().unwrap().to_string();
        self.log.push((
            method.clone(),
            verified,
            request.cseq().map_or(0, |c| c.seq),
        ));
        if verified && !self.always.contains(&method.as_str()) {
            let code = if method == "REFER" { 202 } else { 200 };
            return self.ok(request, code);
        }
        let c = ServerChallenge::new("test", Algorithm::Md5, &mut self.rng);
        self.nonces.insert(c.nonce.clone());
        let mut r = sip::Message::response_to(request, sip::StatusCode::new(401).unwrap())
            .build()
            .unwrap();
        r.push(HeaderName::WwwAuthenticate, c);
        r
    }
}

#[test]
fn challenged_requests_within_the_call_are_sent_again_once_with_credentials() {
    let mut world: World<Box<dyn Agent>> = World::new(52);
    let start = world.clock().base();
    let (mut alice, account) = Phone::new(ALICE, "alice", 52, start);
    let mut settings = alice.ua.account_settings(account).unwrap().clone();
    settings
        .credentials
        .push(sip_core::auth::Credential::new("test", "alice", "secret"));
    alice.ua.modify_account(start, account, settings).unwrap();
    world.add_agent(Box::new(alice));
    world.add_agent(Box::new(Uas::new(53, DialogChallenger::new(&["MESSAGE"]))));
    let now = world.now();
    let call = world
        .downcast_mut::<Phone>(0)
        .ua
        .make_call(
            now,
            account,
            "sip:bob@192.0.2.2:5060",
            caps("192.0.2.1", 4000),
        )
        .unwrap();
    assert!(world.run_until(
        |w| phone(w).last_state() == Some(CallState::Confirmed),
        Duration::from_secs(5)
    ));
    // Hold by re-INVITE, unhold by UPDATE: each answered after the retry.
    for (what, method, media) in [
        (ua::Reoffer::Hold, ua::ReofferMethod::Invite, 2),
        (ua::Reoffer::Unhold, ua::ReofferMethod::Update, 3),
    ] {
        let now = world.now();
        world
            .downcast_mut::<Phone>(0)
            .ua
            .reoffer(now, call, what, method)
            .unwrap();
        assert!(world.run_until(|w| phone(w).media().len() == media, Duration::from_secs(5)));
    }
    assert_eq!(last_direction(phone(&world)), (true, true));
    // INFO: its result names the transaction send_in_call returned.
    // MESSAGE: challenged again after the retry, which is its answer.
    let results = |w: &World<Box<dyn Agent>>| -> Vec<(sip_core::stack::ClientTxId, u16)> {
        phone(w)
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                UaEvent::CallRequestResult {
                    transaction, code, ..
                } => Some((*transaction, *code)),
                _ => None,
            })
            .collect()
    };
    let now = world.now();
    let info = world
        .downcast_mut::<Phone>(0)
        .ua
        .send_in_call(now, call, "INFO", Some(("text/plain", b"hi")), &[])
        .unwrap();
    assert!(world.run_until(|w| results(w).len() == 1, Duration::from_secs(5)));
    let now = world.now();
    let message = world
        .downcast_mut::<Phone>(0)
        .ua
        .send_in_call(now, call, "MESSAGE", Some(("text/plain", b"hi")), &[])
        .unwrap();
    assert!(world.run_until(|w| results(w).len() == 2, Duration::from_secs(5)));
    assert_eq!(results(&world), [(info, 200), (message, 401)]);
    // REFER: accepted after the retry, so no failure is reported.
    let now = world.now();
    world
        .downcast_mut::<Phone>(0)
        .ua
        .transfer(now, call, "sip:carol@192.0.2.3:5060", None)
        .unwrap();
    world.run_for(Duration::from_secs(2));
    assert!(
        !phone(&world)
            .events
            .iter()
            .any(|(_, e)| matches!(e, UaEvent::TransferStatus { .. }))
    );
    // BYE: the call is DISCONNECTED at once (as PJSUA reports it), the
    // BYE goes on and is sent again with credentials, also once the call
    // is released.
    let now = world.now();
    world
        .downcast_mut::<Phone>(0)
        .ua
        .hangup(now, call, 0)
        .unwrap();
    world.downcast_mut::<Phone>(0).drain(now);
    assert_eq!(
        phone(&world).states().last(),
        Some(&(CallState::Disconnected, 200))
    );
    world.downcast_mut::<Phone>(0).ua.release_call(now, call);
    assert_eq!(world.downcast::<Phone>(0).ua.pending_byes(), 1);
    assert!(world.run_until(
        |w| w.downcast::<Phone>(0).ua.pending_byes() == 0,
        Duration::from_secs(5)
    ));
    let log = &world.downcast::<Uas<DialogChallenger>>(1).script.log;
    let expected: Vec<(String, bool, u32)> = [
        ("INVITE", false, 2),
        ("INVITE", true, 3),
        ("UPDATE", false, 4),
        ("UPDATE", true, 5),
        ("INFO", false, 6),
        ("INFO", true, 7),
        ("MESSAGE", false, 8),
        ("MESSAGE", true, 9),
        ("REFER", false, 10),
        ("REFER", true, 11),
        ("BYE", false, 12),
        ("BYE", true, 13),
    ]
    .into_iter()
    .map(|(m, v, s)| (m.to_owned(), v, s))
    .collect();
    assert_eq!(log, &expected);
}

#[test]
fn a_challenge_to_a_request_within_the_call_without_credentials_is_its_answer() {
    // No credentials for the realm: the 401 ends the BYE, and nothing is
    // sent again (the call was DISCONNECTED when hung up).
    let mut world: World<Box<dyn Agent>> = World::new(54);
    let start = world.clock().base();
    let (alice, account) = Phone::new(ALICE, "alice", 54, start);
    world.add_agent(Box::new(alice));
    world.add_agent(Box::new(Uas::new(55, DialogChallenger::new(&[]))));
    let now = world.now();
    let call = world
        .downcast_mut::<Phone>(0)
        .ua
        .make_call(
            now,
            account,
            "sip:bob@192.0.2.2:5060",
            caps("192.0.2.1", 4000),
        )
        .unwrap();
    assert!(world.run_until(
        |w| phone(w).last_state() == Some(CallState::Confirmed),
        Duration::from_secs(5)
    ));
    let now = world.now();
    world
        .downcast_mut::<Phone>(0)
        .ua
        .hangup(now, call, 0)
        .unwrap();
    world.downcast_mut::<Phone>(0).drain(now);
    assert_eq!(
        phone(&world).states().last(),
        Some(&(CallState::Disconnected, 200))
    );
    assert!(world.run_until(
        |w| w.downcast::<Phone>(0).ua.pending_byes() == 0,
        Duration::from_secs(5)
    ));
    world.run_for(Duration::from_secs(1));
    let log = &world.downcast::<Uas<DialogChallenger>>(1).script.log;
    assert_eq!(log, &[("BYE".to_owned(), false, 2)]);
}

/// Redirects every request (302) to two targets.
struct Redirector;

impl Script for Redirector {
    fn answer(&mut self, request: &sip::Message) -> sip::Message {
        let mut r = sip::Message::response_to(request, sip::StatusCode::new(302).unwrap())
            .to_tag("redir")
            .build()
            .unwrap();
        r.push(
            sip::header::HeaderName::Contact,
            "<sip:dave@192.0.2.4:5060>;q=0.5, <sip:carol@192.0.2.3:5060>;q=0.9",
        );
        r
    }
}

#[test]
fn a_redirected_call_asks_about_each_target_and_follows_the_accepted_one() {
    use ua::RedirectOp;
    let mut world: World<Box<dyn Agent>> = World::new(60);
    let start = world.clock().base();
    let (alice, account) = Phone::new(ALICE, "alice", 60, start);
    let (carol, _) = Phone::new("192.0.2.3:5060", "carol", 61, start);
    world.add_agent(Box::new(alice));
    world.add_agent(Box::new(Uas::new(62, Redirector)));
    world.add_agent(Box::new(carol));
    let now = world.now();
    let call = world
        .downcast_mut::<Phone>(0)
        .ua
        .make_call(
            now,
            account,
            "sip:bob@192.0.2.2:5060",
            caps("192.0.2.1", 4000),
        )
        .unwrap();
    world.run_for(Duration::from_millis(200));
    let asked = |w: &World<Box<dyn Agent>>| -> Vec<String> {
        w.downcast::<Phone>(0)
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                UaEvent::CallRedirected { target, code, .. } => {
                    assert_eq!(*code, 302);
                    Some(target.clone())
                }
                _ => None,
            })
            .collect()
    };
    // Highest q first: carol is asked about first, and accepted.
    assert_eq!(asked(&world), ["sip:carol@192.0.2.3:5060"]);
    let now = world.now();
    world
        .downcast_mut::<Phone>(0)
        .ua
        .process_redirect(now, call, RedirectOp::Accept)
        .unwrap();
    assert!(world.run_until(
        |w| w.downcast::<Phone>(2).incoming().is_some(),
        Duration::from_secs(5)
    ));
    let now = world.now();
    let carol_call = world.downcast::<Phone>(2).incoming().unwrap();
    world
        .downcast_mut::<Phone>(2)
        .ua
        .answer(now, carol_call, 200, None, Some(caps("192.0.2.3", 6000)))
        .unwrap();
    assert!(world.run_until(
        |w| w.downcast::<Phone>(0).last_state() == Some(CallState::Confirmed),
        Duration::from_secs(5)
    ));
    let status = world.downcast::<Phone>(0).ua.call_status(call).unwrap();
    assert_eq!(status.remote_uri, "sip:carol@192.0.2.3:5060");
    // The same call: Call-ID kept, never disconnected in between.
    assert!(
        !world
            .downcast::<Phone>(0)
            .states()
            .contains(&(CallState::Disconnected, 302))
    );

    // Another call, where every target is refused: it ends with the 302.
    let now = world.now();
    let second = world
        .downcast_mut::<Phone>(0)
        .ua
        .make_call(
            now,
            account,
            "sip:bob@192.0.2.2:5060",
            caps("192.0.2.1", 4002),
        )
        .unwrap();
    world.run_for(Duration::from_millis(200));
    for _ in 0..2 {
        let now = world.now();
        world
            .downcast_mut::<Phone>(0)
            .ua
            .process_redirect(now, second, RedirectOp::Reject)
            .unwrap();
        world.run_for(Duration::from_millis(10));
    }
    let asked_all = asked(&world);
    assert_eq!(
        &asked_all[1..],
        ["sip:carol@192.0.2.3:5060", "sip:dave@192.0.2.4:5060"]
    );
    assert_eq!(
        world
            .downcast::<Phone>(0)
            .ua
            .call_status(second)
            .map(|s| (s.state, s.last_code)),
        Some((CallState::Disconnected, 302))
    );
}

#[test]
fn an_attended_transfer_replaces_the_call_it_names() {
    // Alice talks to Bob and to Carol, then asks Bob to call Carol in
    // place of her call with Carol (REFER with Replaces).
    let mut world: World<Phone> = World::new(70);
    let start = world.clock().base();
    let (alice, alice_acc) = Phone::new(ALICE, "alice", 70, start);
    let (bob, bob_acc) = Phone::new(BOB, "bob", 71, start);
    let (carol, _) = Phone::new("192.0.2.3:5060", "carol", 72, start);
    world.add_agent(alice);
    world.add_agent(bob);
    world.add_agent(carol);
    let answer_all = |w: &mut World<Phone>, who: usize, port: u16| {
        let now = w.now();
        let p = w.agent_mut(who);
        let pending: Vec<CallId> = p
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                UaEvent::IncomingCall { call, .. } => Some(*call),
                _ => None,
            })
            .collect();
        for call in pending {
            if p.ua.call_status(call).map(|s| s.state) == Some(CallState::Incoming) {
                let ip = p.local.ip().to_string();
                p.ua.answer(now, call, 200, None, Some(caps(&ip, port)))
                    .unwrap();
            }
        }
    };
    let now = world.now();
    let to_bob = world
        .agent_mut(0)
        .ua
        .make_call(
            now,
            alice_acc,
            "sip:bob@192.0.2.2:5060",
            caps("192.0.2.1", 4000),
        )
        .unwrap();
    let to_carol = world
        .agent_mut(0)
        .ua
        .make_call(
            now,
            alice_acc,
            "sip:carol@192.0.2.3:5060",
            caps("192.0.2.1", 4002),
        )
        .unwrap();
    world.run_for(Duration::from_millis(200));
    answer_all(&mut world, 1, 5000);
    answer_all(&mut world, 2, 6000);
    world.run_for(Duration::from_millis(500));
    let now = world.now();
    world
        .agent_mut(0)
        .ua
        .transfer(now, to_bob, "", Some(to_carol))
        .unwrap();
    world.run_for(Duration::from_millis(300));
    let (bob_call, request) = world
        .agent(1)
        .events
        .iter()
        .find_map(|(_, e)| match e {
            UaEvent::TransferRequest { call, request } => Some((*call, request.clone())),
            _ => None,
        })
        .expect("bob was asked");
    let now = world.now();
    world
        .agent_mut(1)
        .ua
        .answer_transfer(now, bob_call, 202)
        .unwrap();
    let replaces = request.replaces.clone().expect("Replaces");
    let new_call = world
        .agent_mut(1)
        .ua
        .make_call_with_headers(
            now,
            bob_acc,
            &request.refer_to,
            caps("192.0.2.2", 5002),
            &[("Replaces".into(), replaces)],
        )
        .unwrap();
    world.run_for(Duration::from_millis(200));
    // Carol sees an incoming call that replaces her call with Alice.
    let carol_new = world
        .agent(2)
        .events
        .iter()
        .rev()
        .find_map(|(_, e)| match e {
            UaEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .unwrap();
    let carol_old = world
        .agent(2)
        .events
        .iter()
        .find_map(|(_, e)| match e {
            UaEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .unwrap();
    assert_ne!(carol_new, carol_old);
    assert_eq!(world.agent(2).ua.replaced_call(carol_new), Some(carol_old));
    let now = world.now();
    world
        .agent_mut(2)
        .ua
        .answer(now, carol_new, 200, None, Some(caps("192.0.2.3", 6002)))
        .unwrap();
    world.agent_mut(2).ua.hangup(now, carol_old, 0).unwrap();
    world.run_for(Duration::from_millis(500));
    assert_eq!(
        world.agent(1).ua.call_status(new_call).map(|s| s.state),
        Some(CallState::Confirmed)
    );
    assert_eq!(
        world.agent(0).ua.call_status(to_carol).map(|s| s.state),
        Some(CallState::Disconnected)
    );
    // `Require: replaces` is understood (PJSUA2's transferee sends it).
    let now = world.now();
    let required = world
        .agent_mut(1)
        .ua
        .make_call_with_headers(
            now,
            bob_acc,
            "sip:carol@192.0.2.3:5060",
            caps("192.0.2.2", 5006),
            &[("Require".into(), "replaces".into())],
        )
        .unwrap();
    world.run_for(Duration::from_millis(300));
    assert!(
        world
            .agent(2)
            .events
            .iter()
            .filter(|(_, e)| matches!(e, UaEvent::IncomingCall { .. }))
            .count()
            >= 3,
        "the INVITE requiring replaces reached carol's calls"
    );
    let _ = required;
    // An INVITE naming a dialog that does not exist gets 481.
    let now = world.now();
    let bogus = world
        .agent_mut(1)
        .ua
        .make_call_with_headers(
            now,
            bob_acc,
            "sip:carol@192.0.2.3:5060",
            caps("192.0.2.2", 5004),
            &[("Replaces".into(), "nope@x;to-tag=a;from-tag=b".into())],
        )
        .unwrap();
    world.run_for(Duration::from_millis(300));
    assert_eq!(
        world
            .agent(1)
            .ua
            .call_status(bogus)
            .map(|s| (s.state, s.last_code)),
        Some((CallState::Disconnected, 481))
    );
}

#[test]
fn a_transfer_uri_with_replaces_written_by_hand_asks_an_attended_transfer() {
    // As PJSUA2 applications may do: xfer() to "<uri>?Replaces=..." built
    // from the other call's dialog, escaped or not.
    for (seed, escaped) in [(74, true), (77, false)] {
        let mut world: World<Phone> = World::new(seed);
        let start = world.clock().base();
        let (alice, alice_acc) = Phone::new(ALICE, "alice", seed, start);
        let (bob, _) = Phone::new(BOB, "bob", seed + 1, start);
        let (carol, _) = Phone::new("192.0.2.3:5060", "carol", seed + 2, start);
        world.add_agent(alice);
        world.add_agent(bob);
        world.add_agent(carol);
        let now = world.now();
        let to_bob = world
            .agent_mut(0)
            .ua
            .make_call(
                now,
                alice_acc,
                "sip:bob@192.0.2.2:5060",
                caps("192.0.2.1", 4000),
            )
            .unwrap();
        let to_carol = world
            .agent_mut(0)
            .ua
            .make_call(
                now,
                alice_acc,
                "sip:carol@192.0.2.3:5060",
                caps("192.0.2.1", 4002),
            )
            .unwrap();
        world.run_for(Duration::from_millis(200));
        for (who, port) in [(1, 5000), (2, 6000)] {
            let now = world.now();
            let p = world.agent_mut(who);
            let call = p.incoming().unwrap();
            let ip = p.local.ip().to_string();
            p.ua.answer(now, call, 200, None, Some(caps(&ip, port)))
                .unwrap();
        }
        world.run_for(Duration::from_millis(500));
        // The dialog of alice's call with carol, from the messages.
        let invite = world.agent(0).sent_messages("INVITE", "INVITE")[1].clone();
        let ok = world.agent(2).sent_messages("SIP/2.0 200", "INVITE")[0].clone();
        let call_id = invite.call_id().unwrap().as_str().to_owned();
        let from_tag = invite.from().unwrap().tag().unwrap().to_owned();
        let to_tag = ok.to().unwrap().tag().unwrap().to_owned();
        let replaces = format!("{call_id};to-tag={to_tag};from-tag={from_tag}");
        let written = if escaped {
            replaces
                .replace(';', "%3B")
                .replace('=', "%3D")
                .replace('@', "%40")
        } else {
            replaces.clone()
        };
        let dst = format!("sip:carol@192.0.2.3:5060?Replaces={written}");
        let now = world.now();
        world
            .agent_mut(0)
            .ua
            .transfer(now, to_bob, &dst, None)
            .unwrap();
        world.run_for(Duration::from_millis(300));
        let request = world
            .agent(1)
            .events
            .iter()
            .find_map(|(_, e)| match e {
                UaEvent::TransferRequest { request, .. } => Some(request.clone()),
                _ => None,
            })
            .expect("bob was asked");
        assert_eq!(
            request.refer_to, "sip:carol@192.0.2.3:5060",
            "escaped: {escaped}"
        );
        assert_eq!(
            request.replaces.as_deref(),
            Some(replaces.as_str()),
            "escaped: {escaped}"
        );
        // The same as xferReplaces would have asked.
        let now = world.now();
        world
            .agent_mut(0)
            .ua
            .transfer(now, to_bob, "", Some(to_carol))
            .unwrap();
        world.run_for(Duration::from_millis(300));
        let again: Vec<_> = world
            .agent(1)
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                UaEvent::TransferRequest { request, .. } => Some(request.replaces.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(again.len(), 2);
        assert_eq!(again[0], again[1]);
    }
}

#[test]
fn session_timers_refresh_the_call_and_end_it_when_refreshes_stop() {
    use ua::SessionTimerSettings;
    // Both sides ask 120 s (Min-SE 90): Bob answers refresher=uac, so
    // Alice re-INVITEs every 60 s.
    let mut s = setup(80, clean());
    let start = s.world.now();
    let alice = s.alice;
    let mut st = s.world.agent(0).ua.account_settings(alice).unwrap().clone();
    st.session_timer = SessionTimerSettings {
        session_expires: 120,
        ..SessionTimerSettings::default()
    };
    s.world
        .agent_mut(0)
        .ua
        .modify_account(start, alice, st)
        .unwrap();
    let call = s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    s.bob_answers(200);
    assert!(s.run_until(5, |w| w.agent(0).last_state() == Some(CallState::Confirmed)));
    let media_before = s.alice().media().len();
    // Three refreshes in 200 s, and the call still up on both sides.
    s.run(200_000);
    let refreshes = s.alice().media().len() - media_before;
    assert!((3..=4).contains(&refreshes), "{refreshes} refreshes");
    assert_eq!(s.alice().last_state(), Some(CallState::Confirmed));
    assert_eq!(s.bob().last_state(), Some(CallState::Confirmed));
    // Alice's side goes silent (every packet to Bob lost): Bob hangs up
    // when the interval minus a third (32 s at most) passed without one.
    s.world.network_mut().set_link(
        addr(ALICE),
        addr(BOB),
        LinkConfig {
            loss: 1.0,
            ..LinkConfig::default()
        },
    );
    assert!(s.run_until(200, |w| w.agent(1).last_state()
        == Some(CallState::Disconnected)));
    let incoming = s.bob().incoming().unwrap();
    assert_eq!(
        s.bob().ua.call_status(incoming).map(|st| st.last_code),
        Some(408)
    );
    let _ = call;
}

#[test]
fn a_session_interval_too_small_is_refused_with_422_and_raised() {
    use ua::SessionTimerSettings;
    let mut s = setup(81, clean());
    let start = s.world.now();
    // Bob wants at least 600 s; Alice asks 300 s first.
    let bob_acc = s.world.agent(1).ua.accounts().next().unwrap();
    let mut st = s
        .world
        .agent(1)
        .ua
        .account_settings(bob_acc)
        .unwrap()
        .clone();
    st.session_timer = SessionTimerSettings {
        min_se: 600,
        ..SessionTimerSettings::default()
    };
    s.world
        .agent_mut(1)
        .ua
        .modify_account(start, bob_acc, st)
        .unwrap();
    let alice = s.alice;
    let mut st = s.world.agent(0).ua.account_settings(alice).unwrap().clone();
    st.session_timer = SessionTimerSettings {
        session_expires: 300,
        ..SessionTimerSettings::default()
    };
    s.world
        .agent_mut(0)
        .ua
        .modify_account(start, alice, st)
        .unwrap();
    s.call_bob();
    // The 422 never reaches Bob's application: the second INVITE does.
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    let incoming = s.bob().incoming().unwrap();
    let invite_seq = s.bob().ua.call_status(incoming).unwrap();
    let _ = invite_seq;
    s.bob_answers(200);
    assert!(s.run_until(5, |w| w.agent(0).last_state() == Some(CallState::Confirmed)));
    // No refresh before 300 s (the interval is 600 now, refreshed at 300).
    let media_before = s.alice().media().len();
    s.run(290_000);
    assert_eq!(s.alice().media().len(), media_before);
    s.run(20_000);
    assert_eq!(s.alice().media().len(), media_before + 1);
}

#[test]
fn max_calls_refuses_486_before_any_provisional_and_status_has_the_times() {
    let mut s = setup(90, clean());
    s.bob().ua.set_max_calls(Some(1));
    let first = s.call_bob();
    s.run(100);
    let second = s.call_bob();
    s.run(500);
    let incoming: Vec<CallId> = s
        .bob()
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            UaEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .collect();
    assert_eq!(incoming.len(), 1, "the second INVITE made no call");
    let refused = s.alice().ua.call_status(second).unwrap();
    assert_eq!(
        (refused.state, refused.last_code),
        (CallState::Disconnected, 486)
    );
    // The INVITE of the call, and the times.
    let invite = s.bob().ua.call_invite(incoming[0]).unwrap().clone();
    assert_eq!(invite.method(), Some(sip::Method::Invite));
    let status = s.bob().ua.call_status(incoming[0]).unwrap();
    assert!(status.remote_offerer);
    assert_eq!(status.responded_at, None);
    s.bob_answers(200);
    let status = s.bob().ua.call_status(incoming[0]).unwrap();
    assert!(status.responded_at.is_some_and(|t| t >= status.started_at));
    let ours = s.alice().ua.call_status(first).unwrap();
    assert!(!ours.remote_offerer);
}

/// Datagrams `from` sent whose text starts with `prefix` (any fate).
fn sent(world: &World<Phone>, from: &str, prefix: &str) -> usize {
    world
        .trace()
        .entries()
        .iter()
        .filter(|e| match &e.event {
            testkit::TraceEvent::Datagram {
                from: f, preview, ..
            } => *f == addr(from) && preview.starts_with(prefix.as_bytes()),
            _ => false,
        })
        .count()
}

fn set_prack(s: &mut Setup, who: usize, prack: ua::PrackUse) {
    let now = s.world.now();
    let acc = s.world.agent(who).ua.accounts().next().unwrap();
    let mut st = s.world.agent(who).ua.account_settings(acc).unwrap().clone();
    st.prack = prack;
    s.world
        .agent_mut(who)
        .ua
        .modify_account(now, acc, st)
        .unwrap();
}

#[test]
fn reliable_provisional_responses_are_pracked_and_stop_retransmitting() {
    use ua::PrackUse;
    let mut s = setup(100, clean());
    s.world.enable_trace();
    set_prack(&mut s, 0, PrackUse::Optional);
    set_prack(&mut s, 1, PrackUse::Optional);
    s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    s.bob_answers(183);
    s.run(3000);
    assert_eq!(
        sent(&s.world, BOB, "SIP/2.0 183"),
        1,
        "PRACKed before any retransmission"
    );
    assert_eq!(sent(&s.world, ALICE, "PRACK "), 1);
    assert_eq!(s.alice().media().len(), 1, "the 183's answer negotiated");
    s.bob_answers(200);
    assert!(
        s.run_until(5, |w| w.agent(0).last_state() == Some(CallState::Confirmed)
            && w.agent(1).last_state() == Some(CallState::Confirmed))
    );
}

#[test]
fn reliable_provisional_responses_survive_loss_and_without_prack_the_call_fails() {
    use ua::PrackUse;
    for seed in 110..114 {
        let link = LinkConfig {
            loss: 0.3,
            ..LinkConfig::default()
        };
        let mut s = setup(seed, link);
        set_prack(&mut s, 0, PrackUse::Optional);
        set_prack(&mut s, 1, PrackUse::Mandatory);
        s.call_bob();
        assert!(
            s.run_until(40, |w| w.agent(1).incoming().is_some()),
            "seed {seed}"
        );
        s.bob_answers(180);
        s.run(10_000);
        s.bob_answers(200);
        assert!(
            s.run_until(40, |w| w.agent(0).last_state()
                == Some(CallState::Confirmed)
                && w.agent(1).last_state() == Some(CallState::Confirmed)),
            "seed {seed}: {:?} / {:?}",
            s.alice().states(),
            s.bob().states()
        );
    }
    // Alice's PRACKs never arrive: after 64·T1 Bob refuses the INVITE.
    let mut s = setup(120, clean());
    set_prack(&mut s, 0, PrackUse::Optional);
    set_prack(&mut s, 1, PrackUse::Optional);
    s.call_bob();
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    s.world.network_mut().set_link(
        addr(ALICE),
        addr(BOB),
        LinkConfig {
            loss: 1.0,
            ..LinkConfig::default()
        },
    );
    s.bob_answers(180);
    assert!(s.run_until(40, |w| w.agent(1).last_state()
        == Some(CallState::Disconnected)));
    assert_eq!(
        s.bob().states().last(),
        Some(&(CallState::Disconnected, 500))
    );
}

#[test]
fn a_100rel_mismatch_is_refused_with_420_or_421() {
    use ua::PrackUse;
    // Bob requires 100rel, Alice does not offer it: 421.
    let mut s = setup(130, clean());
    set_prack(&mut s, 1, PrackUse::Mandatory);
    let call = s.call_bob();
    s.run(500);
    assert_eq!(
        s.alice()
            .ua
            .call_status(call)
            .map(|c| (c.state, c.last_code)),
        Some((CallState::Disconnected, 421))
    );
    // Alice requires it, Bob does not use it: 420.
    let mut s = setup(131, clean());
    set_prack(&mut s, 0, PrackUse::Mandatory);
    let call = s.call_bob();
    s.run(500);
    assert_eq!(
        s.alice()
            .ua
            .call_status(call)
            .map(|c| (c.state, c.last_code)),
        Some((CallState::Disconnected, 420))
    );
    assert!(s.bob().incoming().is_none());
}

/// The `a=x-…` marks a reviewer added, in an SDP's text.
fn marks(sdp: &str) -> Vec<&str> {
    sdp.lines().filter_map(|l| l.strip_prefix("a=x-")).collect()
}

/// The marks in the SDP bodies of the messages a phone sent that start
/// with `prefix` (and whose CSeq method is `cseq`).
fn sent_marks(p: &Phone, prefix: &str, cseq: &str) -> Vec<Vec<String>> {
    p.sent_messages(prefix, cseq)
        .iter()
        .map(|m| {
            marks(&String::from_utf8_lossy(m.body()))
                .into_iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

#[test]
fn a_reviewed_invite_waits_for_its_sdp_and_a_hangup_meanwhile_sends_nothing() {
    let mut s = setup(90, clean());
    let now = s.world.now();
    let alice = s.alice;
    let options = ua::MakeCallOptions {
        review_sdp: true,
        ..ua::MakeCallOptions::default()
    };
    let dst = "sip:bob@192.0.2.2:5060";
    let call = s
        .alice()
        .ua
        .make_call_with(now, alice, dst, caps("192.0.2.1", 4000), &options)
        .unwrap();
    s.run(500);
    let created = s.alice().sdp_created();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].0, call);
    assert!(created[0].1.contains("m=audio 4000"), "{}", created[0].1);
    assert_eq!(created[0].2, None, "an offer answers nothing");
    assert!(s.alice().out.is_empty(), "nothing sent before the review");
    assert!(s.alice().states().is_empty(), "not CALLING yet");
    assert_eq!(
        s.alice().ua.call_status(call).map(|c| c.state),
        Some(CallState::Null)
    );
    // Hung up before the review: over, 487, still nothing sent; a review
    // coming late finds nothing waiting.
    let now = s.world.now();
    s.alice().ua.hangup(now, call, 0).unwrap();
    s.alice().drain(now);
    assert_eq!(s.alice().states(), [(CallState::Disconnected, 487)]);
    let offer = sdp::SessionDescription::parse_str(&created[0].1).unwrap();
    assert!(s.alice().ua.sdp_reviewed(now, call, offer).is_err());
    s.run(5_000);
    assert!(s.alice().out.is_empty());
    assert!(s.bob().incoming().is_none());
}

#[test]
fn the_application_changes_every_sdp_before_it_is_sent() {
    use ua::{Reoffer, ReofferMethod};
    let mut s = setup(91, clean());
    let now = s.world.now();
    let alice = s.alice;
    let options = ua::MakeCallOptions {
        review_sdp: true,
        ..ua::MakeCallOptions::default()
    };
    let call = s
        .alice()
        .ua
        .make_call_with(
            now,
            alice,
            "sip:bob@192.0.2.2:5060",
            caps("192.0.2.1", 4000),
            &options,
        )
        .unwrap();
    s.run(100);
    // Alice's review by hand: PCMA only, and a mark.
    let (_, made, _) = s.alice().sdp_created().remove(0);
    let mut offer = sdp::SessionDescription::parse_str(&made).unwrap();
    offer.media[0].formats.retain(|f| f != "0");
    offer.attributes.push(sdp::Attribute::flag("x-alice-0"));
    let now = s.world.now();
    s.alice().ua.sdp_reviewed(now, call, offer).unwrap();
    s.alice().drain(now);
    assert_eq!(s.alice().states(), [(CallState::Calling, 0)]);
    assert!(s.run_until(5, |w| w.agent(1).incoming().is_some()));
    let incoming = s.bob().incoming().unwrap();
    // Bob reviews from now on, at once.
    s.bob().ua.set_call_sdp_review(incoming, true).unwrap();
    s.bob().reviewer = Some("bob");
    s.alice().reviewer = Some("alice");
    s.bob_answers(200);
    assert!(
        s.run_until(5, |w| w.agent(0).last_state() == Some(CallState::Confirmed)
            && w.agent(1).last_state() == Some(CallState::Confirmed))
    );
    assert_eq!(sent_marks(s.alice(), "INVITE", "INVITE"), [["alice-0"]]);
    assert_eq!(sent_marks(s.bob(), "SIP/2.0 200", "INVITE"), [["bob-1"]]);
    // Bob's review saw the offer it answers; the changed offer decided
    // the codec on both sides.
    let bob_created = s.bob().sdp_created();
    assert_eq!(bob_created.len(), 1);
    assert_eq!(marks(bob_created[0].2.as_deref().unwrap()), ["alice-0"]);
    for phone in [0, 1] {
        let media = s.world.agent(phone).media();
        let NegotiatedMedia::Active(m) = &media.last().unwrap().media[0] else {
            panic!("audio disabled");
        };
        assert_eq!(m.codec.encoding, "PCMA");
    }
    // Mid-call, each way: alice holds by re-INVITE, bob re-offers by
    // UPDATE; each offer and answer carries its side's next mark.
    let now = s.world.now();
    s.alice()
        .ua
        .reoffer(now, call, Reoffer::Hold, ReofferMethod::Invite)
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).media().len() == 2
        && w.agent(1).media().len() == 2));
    assert_eq!(last_direction(s.alice()), (true, false), "held");
    let now = s.world.now();
    s.bob()
        .ua
        .reoffer(now, incoming, Reoffer::Refresh, ReofferMethod::Update)
        .unwrap();
    assert!(s.run_until(5, |w| w.agent(0).media().len() == 3
        && w.agent(1).media().len() == 3));
    assert_eq!(
        sent_marks(s.alice(), "INVITE", "INVITE"),
        [vec!["alice-0"], vec!["alice-1"]]
    );
    assert_eq!(
        sent_marks(s.bob(), "SIP/2.0 200", "INVITE"),
        [vec!["bob-1"], vec!["bob-2"]]
    );
    assert_eq!(sent_marks(s.bob(), "UPDATE", "UPDATE"), [["bob-3"]]);
    assert_eq!(
        sent_marks(s.alice(), "SIP/2.0 200", "UPDATE"),
        [["alice-2"]]
    );
    let kinds: Vec<bool> = s
        .alice()
        .sdp_created()
        .iter()
        .map(|(_, _, remote)| remote.is_some())
        .collect();
    assert_eq!(kinds, [false, false, true], "offer, offer, answer");
    assert_eq!(last_direction(s.alice()), (true, false), "still held");
    s.run(40_000);
    assert_eq!(s.alice().last_state(), Some(CallState::Confirmed));
    assert_eq!(s.bob().last_state(), Some(CallState::Confirmed));
}

#[test]
fn a_peer_offer_waits_for_the_review_and_offers_meanwhile_are_pending() {
    use ua::{Reoffer, ReofferMethod};
    let (mut s, call, incoming) = connected(92, clean());
    let now = s.world.now();
    s.bob().ua.set_call_sdp_review(incoming, true).unwrap();
    s.alice()
        .ua
        .reoffer(now, call, Reoffer::Hold, ReofferMethod::Invite)
        .unwrap();
    // Bob's answer waits (alice's re-INVITE is retransmitted meanwhile);
    // bob's own re-offer is refused while it does.
    s.run(2_000);
    let created = s.bob().sdp_created();
    assert_eq!(created.len(), 1);
    assert!(created[0].2.as_deref().unwrap().contains("a=sendonly"));
    assert!(created[0].1.contains("a=recvonly"), "{}", created[0].1);
    assert!(s.bob().sent_messages("SIP/2.0 200", "INVITE").len() == 1);
    assert!(s.alice().sent_messages("INVITE", "INVITE").len() >= 2);
    let now = s.world.now();
    assert!(
        s.bob()
            .ua
            .reoffer(now, incoming, Reoffer::Refresh, ReofferMethod::Update)
            .is_err()
    );
    // A review whose media lines differ is not used: the SDP made goes.
    let mut wrong = sdp::SessionDescription::parse_str(&created[0].1).unwrap();
    wrong.media.clear();
    s.bob().ua.sdp_reviewed(now, incoming, wrong).unwrap();
    assert!(s.run_until(5, |w| w.agent(0).media().len() == 2
        && w.agent(1).media().len() == 2));
    let answers = s.bob().sent_messages("SIP/2.0 200", "INVITE");
    assert_eq!(answers.len(), 2);
    assert_eq!(
        String::from_utf8_lossy(answers[1].body()),
        created[0].1,
        "the answer made"
    );
    assert_eq!(last_direction(s.alice()), (true, false));
    assert_eq!(last_direction(s.bob()), (false, true));
}

#[test]
fn call_ids_go_round_the_wheel_as_pjsua_numbers_calls() {
    let mut s = setup(93, clean());
    s.world.agent_mut(0).ua.set_max_calls(Some(3));
    let mut indexes = Vec::new();
    for _ in 0..4 {
        let call = s.call_bob();
        indexes.push(call.index);
        let now = s.world.now();
        s.alice().ua.hangup(now, call, 0).unwrap();
        s.run(100);
        let now = s.world.now();
        s.alice().ua.release_call(now, call);
    }
    // Not the id of the call just ended: the next, then round from 0.
    assert_eq!(indexes, [0, 1, 2, 0]);
    // With calls up, the next free id after the last one given.
    let first = s.call_bob();
    let second = s.call_bob();
    assert_eq!((first.index, second.index), (1, 2));
}
