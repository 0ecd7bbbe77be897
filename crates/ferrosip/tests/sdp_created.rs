//! `on_call_sdp_created` (PJSUA2's `onCallSdpCreated`) through the real
//! runtime: alice calls bob on loopback, both handlers review their SDP.
//! Each offer and answer reaches its handler before it is sent — with the
//! offer it answers —, and what the handler leaves is what goes and what
//! the media runs: alice's offer cut to PCMA makes both streams PCMA, and
//! the `a=x-…` marks each side adds are in what the other receives. The
//! handler may call the library from the callback (here `Call::info`),
//! with worker threads and without. A handler that does not review
//! (`reviews_sdp` false) is never asked.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ferrosip::call::{
    Call, CallHandler, InvState, OnCallSdpCreatedParam, OnCallStateParam, OnCallTsxStateParam,
    OnIncomingCallParam,
};
use ferrosip::config::{AccountConfig, CallOpParam, EpConfig, TransportConfig};
use ferrosip::{Account, AccountHandler, Endpoint, TransportType};

fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a side saw.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    /// An SDP to review: offer or answer, and the marks in the offer it
    /// answers.
    Created {
        answer: bool,
        remote_marks: Vec<String>,
    },
    /// An SDP received (INVITE, request or response in a transaction):
    /// its marks.
    Received(Vec<String>),
    State(InvState),
}

#[derive(Default)]
struct SideState {
    seen: Vec<Seen>,
    calls: Vec<Call>,
    reviewed: usize,
}

/// One side: its account's and calls' handler.
#[derive(Clone)]
struct Side {
    name: &'static str,
    reviews: bool,
    state: Arc<Mutex<SideState>>,
}

impl Side {
    fn new(name: &'static str, reviews: bool) -> Self {
        Self {
            name,
            reviews,
            state: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SideState> {
        self.state.lock().unwrap()
    }

    fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    fn last_state(&self) -> Option<InvState> {
        self.lock().seen.iter().rev().find_map(|s| match s {
            Seen::State(st) => Some(*st),
            _ => None,
        })
    }

    fn received(&self) -> Vec<Vec<String>> {
        self.seen()
            .into_iter()
            .filter_map(|s| match s {
                Seen::Received(m) => Some(m),
                _ => None,
            })
            .collect()
    }
}

fn marks(sdp: &str) -> Vec<String> {
    sdp.lines()
        .filter_map(|l| l.trim_end().strip_prefix("a=x-"))
        .map(str::to_owned)
        .collect()
}

fn body(message: &str) -> &str {
    message.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

impl AccountHandler for Side {
    fn on_incoming_call(&mut self, account: &Account, prm: &OnIncomingCallParam) {
        self.lock()
            .seen
            .push(Seen::Received(marks(body(&prm.rdata.whole_msg))));
        let call = Call::from_incoming(account, prm.call_id, self.clone()).unwrap();
        call.answer(&CallOpParam {
            status_code: 200,
            ..CallOpParam::default()
        })
        .unwrap();
        self.lock().calls.push(call);
    }
}

impl CallHandler for Side {
    fn reviews_sdp(&self) -> bool {
        self.reviews
    }

    fn on_call_sdp_created(&mut self, call: &Call, prm: &mut OnCallSdpCreatedParam) {
        assert!(self.reviews, "{} does not review", self.name);
        // The library may be called from here.
        assert!(call.info().is_ok());
        let n = {
            let mut s = self.lock();
            s.reviewed += 1;
            s.seen.push(Seen::Created {
                answer: !prm.rem_sdp.whole_sdp.is_empty(),
                remote_marks: marks(&prm.rem_sdp.whole_sdp),
            });
            s.reviewed
        };
        let mut sdp = prm.sdp.whole_sdp.clone();
        if self.name == "alice" && n == 1 {
            // Alice's first offer: PCMA only (PCMU is payload type 0).
            let (head, rest) = sdp.split_once("m=audio ").unwrap();
            let (line, tail) = rest.split_once("\r\n").unwrap();
            let kept: Vec<&str> = line.split(' ').filter(|f| *f != "0").collect();
            let tail: String = tail
                .split_inclusive("\r\n")
                .filter(|l| !l.starts_with("a=rtpmap:0 "))
                .collect();
            sdp = format!("{head}m=audio {}\r\n{tail}", kept.join(" "));
        }
        let (head, rest) = sdp.split_once("m=").unwrap();
        prm.sdp.whole_sdp = format!("{head}a=x-{}-{n}\r\nm={rest}", self.name);
    }

    fn on_call_state(&mut self, _call: &Call, prm: &OnCallStateParam) {
        self.lock().seen.push(Seen::State(prm.state));
    }

    fn on_call_tsx_state(&mut self, _call: &Call, prm: &OnCallTsxStateParam) {
        let whole = &prm.e.body.tsx_state.src.rdata.whole_msg;
        let sdp = body(whole);
        if sdp.contains("v=0") {
            self.lock().seen.push(Seen::Received(marks(sdp)));
        }
    }
}

struct Lib {
    ep: Endpoint,
    alice: Account,
    bob_uri: String,
    _turn: MutexGuard<'static, ()>,
}

impl Lib {
    fn start(workers: u32, alice: &Side, bob: &Side) -> Self {
        let turn = serial();
        let ep = Endpoint::new();
        ep.lib_create().unwrap();
        let mut cfg = EpConfig::default();
        cfg.ua_config.thread_cnt = workers;
        cfg.log_config.console_level = 0;
        cfg.log_config.level = 0;
        ep.lib_init(&cfg).unwrap();
        let tc = TransportConfig {
            bound_address: "127.0.0.1".into(),
            ..TransportConfig::default()
        };
        let t_alice = ep.transport_create(TransportType::Udp, &tc).unwrap();
        let t_bob = ep.transport_create(TransportType::Udp, &tc).unwrap();
        ep.lib_start().unwrap();
        let alice_account = Account::create_local(&ep, t_alice, true, alice.clone()).unwrap();
        let bob_addr = ep.transport_get_info(t_bob).unwrap().local_name;
        let mut bob_cfg = AccountConfig {
            id_uri: format!("<sip:bob@{bob_addr}>"),
            ..AccountConfig::default()
        };
        bob_cfg.sip_config.transport_id = t_bob;
        std::mem::forget(Account::create(&ep, &bob_cfg, false, bob.clone()).unwrap());
        Self {
            ep,
            alice: alice_account,
            bob_uri: format!("sip:bob@{bob_addr}"),
            _turn: turn,
        }
    }

    fn pump_until(&self, secs: u64, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if done() {
                return true;
            }
            self.ep.lib_handle_events(10).unwrap();
        }
        done()
    }
}

impl Drop for Lib {
    fn drop(&mut self) {
        let _ = self.ep.lib_destroy();
    }
}

fn codec(call: &Call) -> String {
    call.stream_info(0).unwrap().codec_name
}

#[test]
fn each_sdp_is_reviewed_changed_and_sent_as_changed() {
    for workers in [0, 1] {
        let (alice, bob) = (Side::new("alice", true), Side::new("bob", true));
        let lib = Lib::start(workers, &alice, &bob);
        let call = Call::make_call(
            &lib.alice,
            &lib.bob_uri,
            &CallOpParam::new(true),
            alice.clone(),
        )
        .unwrap();
        let confirmed = lib.pump_until(20, || {
            alice.last_state() == Some(InvState::Confirmed)
                && bob.last_state() == Some(InvState::Confirmed)
        });
        assert!(confirmed, "alice {:?}\nbob {:?}", alice.seen(), bob.seen());
        // Alice reviewed her offer before CALLING; bob his answer, seeing
        // alice's mark in the offer; each received the other's.
        let alice_seen = alice.seen();
        assert_eq!(
            alice_seen[..2],
            [
                Seen::Created {
                    answer: false,
                    remote_marks: vec![]
                },
                Seen::State(InvState::Calling)
            ]
        );
        assert!(bob.seen().contains(&Seen::Created {
            answer: true,
            remote_marks: vec!["alice-1".into()]
        }));
        assert_eq!(bob.received(), [vec!["alice-1".to_owned()]]);
        assert_eq!(alice.received(), [vec!["bob-1".to_owned()]]);
        // The changed offer decided the codec.
        let bob_call = bob.lock().calls[0].clone();
        let got = lib.pump_until(5, || {
            call.stream_info(0).is_ok() && bob_call.stream_info(0).is_ok()
        });
        assert!(got, "no streams");
        assert_eq!(
            (codec(&call), codec(&bob_call)),
            ("PCMA".into(), "PCMA".into())
        );
        // Hold from alice: her re-offer and bob's answer are reviewed too.
        call.set_hold(&CallOpParam::default()).unwrap();
        let answered = lib.pump_until(10, || alice.received().len() == 2);
        assert!(answered, "alice {:?}\nbob {:?}", alice.seen(), bob.seen());
        assert_eq!(bob.received()[1], ["alice-2"]);
        assert_eq!(alice.received()[1], ["bob-2"]);
        call.hangup(&CallOpParam::default()).unwrap();
        let over = lib.pump_until(10, || bob.last_state() == Some(InvState::Disconnected));
        assert!(over);
    }
}

#[test]
fn a_handler_that_does_not_review_is_never_asked() {
    let (alice, bob) = (Side::new("alice", false), Side::new("bob", false));
    let lib = Lib::start(0, &alice, &bob);
    let call = Call::make_call(
        &lib.alice,
        &lib.bob_uri,
        &CallOpParam::new(true),
        alice.clone(),
    )
    .unwrap();
    let confirmed = lib.pump_until(20, || {
        alice.last_state() == Some(InvState::Confirmed)
            && bob.last_state() == Some(InvState::Confirmed)
    });
    assert!(confirmed, "alice {:?}\nbob {:?}", alice.seen(), bob.seen());
    assert_eq!(bob.received(), [Vec::<String>::new()]);
    assert_eq!(alice.received(), [Vec::<String>::new()]);
    call.hangup(&CallOpParam::default()).unwrap();
    assert!(lib.pump_until(10, || bob.last_state() == Some(InvState::Disconnected)));
}
