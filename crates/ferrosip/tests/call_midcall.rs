//! Mid-call operations through the real runtime: one endpoint, one UDP
//! transport on loopback per party (alice, bob, carol), calls between
//! them. Hold and unhold with tones measured at both ends, DTMF both ways
//! by RFC 4733 and SIP INFO, instant messages and typing indications in
//! the call, blind and attended transfer, a redirection followed.
//!
//! The endpoint is one per process, so tests take turns. `threadCnt` is 0:
//! every callback runs inside `lib_handle_events` on the test's thread.
//! Waits are for events, with generous deadlines; nothing is timed.

mod support;

use support::{Ear, Redirector};

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ferrosip::call::{
    Call, CallHandler, CallMediaStatus, InvState, MediaDir, OnCallMediaStateParam,
    OnCallRedirectedParam, OnCallReplaceRequestParam, OnCallReplacedParam, OnCallRxOfferParam,
    OnCallStateParam, OnCallTransferRequestParam, OnCallTransferStatusParam, OnCallTsxStateParam,
    OnDtmfDigitParam, OnDtmfEventParam, OnIncomingCallParam, OnInstantMessageParam,
    OnInstantMessageStatusParam, OnTypingIndicationParam, PJMEDIA_STREAM_DTMF_IS_END,
    PJMEDIA_STREAM_DTMF_IS_UPDATE, PJSUA_UNKNOWN_DTMF_DURATION, RedirectOp,
};
use ferrosip::config::{
    AccountConfig, CallOpParam, CallSendDtmfParam, CallSendRequestParam, CallSetting, DtmfMethod,
    EpConfig, SendInstantMessageParam, SendTypingIndicationParam, TransportConfig,
};
use ferrosip::error::status;
use ferrosip::media::{AudioMediaPort, MediaFormatAudio, ToneDesc, ToneGenerator};
use ferrosip::{Account, AccountHandler, Endpoint, TransportType};
use media::tone::tone_amplitude;

fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// Something a party saw.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    State(i32, InvState, i32),
    Media(i32, CallMediaStatus, MediaDir),
    RxOffer(i32),
    Digit(DtmfMethod, String, u32),
    DtmfEvent(DtmfMethod, String, u32),
    Tsx(String, i32, bool),
    Im(String, String),
    ImStatus(u64, String, i32),
    Typing(bool),
    TransferRequest(String),
    TransferStatus(i32, bool),
    ReplaceRequest(i32),
    Replaced(i32, i32),
    Redirected(String),
}

#[derive(Default)]
struct PartyState {
    /// Calls seen, in order (taken incoming ones and new ones alike).
    calls: Vec<Call>,
    seen: Vec<Seen>,
    /// Connected to every new stream of the party's calls.
    tone: Option<ToneGenerator>,
    ear: Option<(AudioMediaPort, Ear)>,
    /// Answer to `on_call_redirected`.
    redirect: Option<RedirectOp>,
    /// What `on_call_transfer_request` sets: a status code, a new
    /// destination.
    transfer_answer: Option<(i32, Option<String>)>,
    /// The messages received in transactions of the party's calls, as
    /// `on_call_tsx_state` carries them (`e.body.tsxState.src.rdata`).
    received: Vec<String>,
}

/// One party: answers every call (180, then 200), connects its tone and
/// ear to every stream, hangs up a call whose transfer succeeded (as
/// PJSUA's own application does), records everything.
#[derive(Clone, Default)]
struct Party(Arc<Mutex<PartyState>>);

impl Party {
    fn lock(&self) -> MutexGuard<'_, PartyState> {
        self.0.lock().unwrap()
    }

    fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    fn count(&self, f: impl Fn(&Seen) -> bool) -> usize {
        self.lock().seen.iter().filter(|s| f(s)).count()
    }

    fn push(&self, s: Seen) {
        self.lock().seen.push(s);
    }

    fn note_call(&self, call: &Call) {
        let mut s = self.lock();
        if !s.calls.contains(call) {
            s.calls.push(call.clone());
        }
    }

    fn call(&self, i: usize) -> Call {
        self.lock().calls[i].clone()
    }

    fn state_of(&self, call: &Call) -> Option<InvState> {
        let id = call.id();
        self.lock().seen.iter().rev().find_map(|s| match s {
            Seen::State(c, st, _) if *c == id => Some(*st),
            _ => None,
        })
    }

    fn digits(&self) -> Vec<(DtmfMethod, String)> {
        self.lock()
            .seen
            .iter()
            .filter_map(|s| match s {
                Seen::Digit(m, d, _) => Some((*m, d.clone())),
                _ => None,
            })
            .collect()
    }

    fn ear_take(&self) -> Vec<i16> {
        self.lock()
            .ear
            .as_ref()
            .map(|(_, e)| e.take())
            .unwrap_or_default()
    }
}

impl AccountHandler for Party {
    fn on_incoming_call(&mut self, account: &Account, prm: &OnIncomingCallParam) {
        let call = Call::from_incoming(account, prm.call_id, self.clone()).unwrap();
        call.answer(&CallOpParam {
            status_code: 180,
            ..CallOpParam::default()
        })
        .unwrap();
        self.note_call(&call);
    }
}

impl CallHandler for Party {
    fn on_call_state(&mut self, call: &Call, prm: &OnCallStateParam) {
        self.note_call(call);
        self.push(Seen::State(call.id(), prm.state, prm.code));
        if prm.state == InvState::Early
            && call
                .info()
                .is_ok_and(|i| i.role == ferrosip::call::SipRole::Uas)
        {
            call.answer(&CallOpParam {
                status_code: 200,
                ..CallOpParam::default()
            })
            .unwrap();
        }
    }

    fn on_call_media_state(&mut self, call: &Call, _prm: &OnCallMediaStateParam) {
        let info = call.info().unwrap();
        let m = &info.media[0];
        self.push(Seen::Media(call.id(), m.status, m.dir));
        let Ok(audio) = call.audio_media(-1) else {
            return;
        };
        let s = self.lock();
        if let Some(tone) = &s.tone {
            tone.start_transmit(&audio).unwrap();
        }
        if let Some((port, _)) = &s.ear {
            audio.start_transmit(port).unwrap();
        }
    }

    fn on_call_rx_offer(&mut self, call: &Call, prm: &mut OnCallRxOfferParam) {
        assert_eq!(prm.status_code, 200);
        self.push(Seen::RxOffer(call.id()));
    }

    fn on_dtmf_digit(&mut self, _call: &Call, prm: &OnDtmfDigitParam) {
        self.push(Seen::Digit(prm.method, prm.digit.clone(), prm.duration));
    }

    fn on_dtmf_event(&mut self, _call: &Call, prm: &OnDtmfEventParam) {
        self.push(Seen::DtmfEvent(prm.method, prm.digit.clone(), prm.flags));
    }

    fn on_call_tsx_state(&mut self, _call: &Call, prm: &OnCallTsxStateParam) {
        self.push(Seen::Tsx(prm.method.clone(), prm.status_code, prm.incoming));
        let rdata = &prm.e.body.tsx_state.src.rdata;
        if !rdata.whole_msg.is_empty() {
            self.lock().received.push(rdata.whole_msg.clone());
        }
    }

    fn on_instant_message(&mut self, _call: &Call, prm: &OnInstantMessageParam) {
        assert!(!prm.from_uri.is_empty() && !prm.to_uri.is_empty());
        assert!(prm.rdata.whole_msg.starts_with("MESSAGE "));
        self.push(Seen::Im(prm.content_type.clone(), prm.msg_body.clone()));
    }

    fn on_instant_message_status(&mut self, _call: &Call, prm: &OnInstantMessageStatusParam) {
        assert!(!prm.to_uri.is_empty());
        // The response, as PJSUA2's rdata.
        assert!(
            prm.rdata
                .whole_msg
                .starts_with(&format!("SIP/2.0 {}", prm.code)),
            "{:?}",
            prm.rdata
        );
        self.push(Seen::ImStatus(
            prm.user_data,
            prm.msg_body.clone(),
            prm.code,
        ));
    }

    fn on_typing_indication(&mut self, _call: &Call, prm: &OnTypingIndicationParam) {
        self.push(Seen::Typing(prm.is_typing));
    }

    fn on_call_transfer_request(&mut self, _call: &Call, prm: &mut OnCallTransferRequestParam) {
        assert_eq!(prm.status_code, 202);
        self.push(Seen::TransferRequest(prm.dst_uri.clone()));
        prm.new_call = Some(Box::new(self.clone()));
        let answer = self.lock().transfer_answer.clone();
        if let Some((code, dst)) = answer {
            prm.status_code = code;
            if let Some(dst) = dst {
                prm.dst_uri = dst;
            }
        }
    }

    fn on_call_transfer_status(&mut self, call: &Call, prm: &mut OnCallTransferStatusParam) {
        assert_eq!(prm.cont, !prm.final_notify);
        self.push(Seen::TransferStatus(prm.status_code, prm.final_notify));
        if prm.final_notify && prm.status_code / 100 == 2 {
            call.hangup(&CallOpParam::default()).unwrap();
            prm.cont = false;
        }
    }

    fn on_call_replace_request(&mut self, call: &Call, prm: &mut OnCallReplaceRequestParam) {
        assert_eq!(prm.status_code, 200);
        // The INVITE that asks, as PJSUA2's rdata.
        let invite = &prm.rdata.whole_msg;
        assert!(
            invite.starts_with("INVITE ") && invite.contains("\r\nReplaces: "),
            "{invite}"
        );
        assert!(!prm.rdata.src_address.is_empty());
        self.push(Seen::ReplaceRequest(call.id()));
        prm.new_call = Some(Box::new(self.clone()));
    }

    fn on_call_replaced(&mut self, call: &Call, prm: &OnCallReplacedParam) {
        assert_eq!(prm.new_call.id(), prm.new_call_id);
        self.note_call(&prm.new_call);
        self.push(Seen::Replaced(call.id(), prm.new_call_id));
    }

    fn on_call_redirected(&mut self, _call: &Call, prm: &OnCallRedirectedParam) -> RedirectOp {
        self.push(Seen::Redirected(prm.target_uri.clone()));
        self.lock().redirect.unwrap_or(RedirectOp::Stop)
    }
}

/// A party's account and URI.
struct Member {
    account: Account,
    party: Party,
    uri: String,
}

/// A running endpoint with `n` parties, destroyed on drop.
struct Lib {
    ep: Endpoint,
    members: Vec<Member>,
    /// Worker threads poll (`threadCnt` > 0): the test only waits.
    workers: bool,
    _turn: MutexGuard<'static, ()>,
}

impl Lib {
    fn start(n: usize) -> Self {
        Self::start_with_threads(n, 0)
    }

    fn start_with_threads(n: usize, threads: u32) -> Self {
        let turn = serial();
        let ep = Endpoint::new();
        ep.lib_create().unwrap();
        let mut cfg = EpConfig::default();
        cfg.ua_config.thread_cnt = threads;
        // Five calls at once in the attended transfer (PJSUA's default is 4).
        cfg.ua_config.max_calls = 8;
        cfg.log_config.console_level = 0;
        cfg.log_config.level = 0;
        ep.lib_init(&cfg).unwrap();
        let tc = TransportConfig {
            bound_address: "127.0.0.1".into(),
            ..TransportConfig::default()
        };
        let transports: Vec<i32> = (0..n)
            .map(|_| ep.transport_create(TransportType::Udp, &tc).unwrap())
            .collect();
        ep.lib_start().unwrap();
        let names = ["alice", "bob", "carol"];
        let members = transports
            .iter()
            .zip(names)
            .map(|(&t, name)| {
                let party = Party::default();
                let addr = ep.transport_get_info(t).unwrap().local_name;
                let mut acfg = AccountConfig {
                    id_uri: format!("<sip:{name}@{addr}>"),
                    ..AccountConfig::default()
                };
                acfg.sip_config.transport_id = t;
                let account = Account::create(&ep, &acfg, false, party.clone()).unwrap();
                Member {
                    account,
                    party,
                    uri: format!("sip:{name}@{addr}"),
                }
            })
            .collect();
        Self {
            ep,
            members,
            workers: threads > 0,
            _turn: turn,
        }
    }

    fn party(&self, i: usize) -> &Party {
        &self.members[i].party
    }

    /// Handles events until `done` or `secs` seconds passed; true if done.
    fn pump_until(&self, secs: u64, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            self.step();
            if done() {
                return true;
            }
        }
        false
    }

    /// Handles events for 10 ms, or with workers lets them.
    fn step(&self) {
        if self.workers {
            std::thread::sleep(Duration::from_millis(10));
        } else {
            self.ep.lib_handle_events(10).unwrap();
        }
    }

    fn run_for(&self, ms: u64) {
        let end = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < end {
            self.step();
        }
    }

    fn wait(&self, what: &str, done: impl FnMut() -> bool) {
        let ok = self.pump_until(20, done);
        assert!(
            ok,
            "waiting for {what}: {:#?}",
            self.members
                .iter()
                .map(|m| m.party.seen())
                .collect::<Vec<_>>()
        );
    }

    /// Party `from` calls party `to`; both confirmed with media. Returns
    /// the caller's call and the callee's.
    fn connect(&self, from: usize, to: usize) -> (Call, Call) {
        let before = self.party(to).lock().calls.len();
        let call = Call::make_call(
            &self.members[from].account,
            &self.members[to].uri,
            &CallOpParam::new(true),
            self.party(from).clone(),
        )
        .unwrap();
        self.wait("the call to be confirmed", || {
            let callee = self.party(to).lock().calls.get(before).cloned();
            callee.is_some_and(|c| {
                self.party(to).state_of(&c) == Some(InvState::Confirmed)
                    && self.party(from).state_of(&call) == Some(InvState::Confirmed)
                    && call.has_media()
                    && c.has_media()
            })
        });
        let callee = self.party(to).call(before);
        (call, callee)
    }

    /// Gives party `i` a tone of `freq` Hz and an ear.
    fn give_audio(&self, i: usize, freq: i16) {
        let tone = ToneGenerator::create_tone_generator(&self.ep, 16_000, 1).unwrap();
        tone.play(
            &[ToneDesc {
                freq1: freq,
                on_msec: 1000,
                ..ToneDesc::default()
            }],
            true,
        )
        .unwrap();
        let ear = Ear::default();
        let fmt = MediaFormatAudio {
            clock_rate: 16_000,
            channel_count: 1,
            bits_per_sample: 16,
            ..MediaFormatAudio::default()
        };
        let port = AudioMediaPort::create_port(&self.ep, "ear", &fmt, ear.clone()).unwrap();
        let mut s = self.party(i).lock();
        s.tone = Some(tone);
        s.ear = Some((port, ear));
    }

    /// What parties 0 and 1 hear over one second: the amplitude at party
    /// 1 of `f0` (party 0's tone) and at party 0 of `f1`.
    fn listen(&self, f0: f64, f1: f64) -> (f64, f64) {
        self.run_for(400);
        self.party(0).ear_take();
        self.party(1).ear_take();
        self.run_for(1000);
        let at1 = self.party(1).ear_take();
        let at0 = self.party(0).ear_take();
        assert!(at0.len() >= 12_000 && at1.len() >= 12_000);
        (median_amplitude(&at1, f0), median_amplitude(&at0, f1))
    }
}

impl Drop for Lib {
    fn drop(&mut self) {
        for m in &self.members {
            let mut s = m.party.lock();
            s.tone = None;
            s.ear = None;
            s.calls.clear();
        }
        let _ = self.ep.lib_destroy();
    }
}

/// The median over 100 ms windows of `freq`'s amplitude.
fn median_amplitude(heard: &[i16], freq: f64) -> f64 {
    let mut v: Vec<f64> = heard
        .chunks_exact(1600)
        .map(|w| tone_amplitude(w, 16_000, freq))
        .collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn media_of(call: &Call) -> (CallMediaStatus, MediaDir) {
    let m = &call.info().unwrap().media[0];
    (m.status, m.dir)
}

#[test]
fn hold_silences_the_held_side_and_unhold_brings_the_tone_back() {
    let lib = Lib::start(2);
    lib.give_audio(0, 1000);
    lib.give_audio(1, 600);
    let ports_before = lib.ep.media_active_ports().unwrap();
    let (alice_call, bob_call) = lib.connect(0, 1);
    let (at_bob, at_alice) = lib.listen(1000.0, 600.0);
    eprintln!("before hold: 1 kHz at bob {at_bob:.0}, 600 Hz at alice {at_alice:.0}");
    assert!(at_bob > 5000.0 && at_alice > 5000.0);

    // Alice holds: sendonly at alice (LOCAL_HOLD), recvonly at bob
    // (REMOTE_HOLD). Bob's tone no longer reaches alice; alice's still
    // reaches bob (music on hold).
    let media_before = (
        lib.party(0).count(|s| matches!(s, Seen::Media(..))),
        lib.party(1).count(|s| matches!(s, Seen::Media(..))),
    );
    let slot = |c: &Call| c.info().unwrap().media[0].audio_conf_slot;
    let slots = (slot(&alice_call), slot(&bob_call));
    let sent_before_hold = alice_call.stream_stat(0).unwrap().rtcp.tx_stat.pkt;
    alice_call.set_hold(&CallOpParam::default()).unwrap();
    lib.wait("the hold", || {
        lib.party(0).count(|s| matches!(s, Seen::Media(..))) > media_before.0
            && lib.party(1).count(|s| matches!(s, Seen::Media(..))) > media_before.1
    });
    assert_eq!(
        media_of(&alice_call),
        (CallMediaStatus::LocalHold, MediaDir::Encoding)
    );
    assert_eq!(
        media_of(&bob_call),
        (CallMediaStatus::RemoteHold, MediaDir::Decoding)
    );
    assert!(lib.party(1).seen().contains(&Seen::RxOffer(bob_call.id())));
    // Alice made the last offer: bob's remote offerer, not alice's.
    assert!(!alice_call.info().unwrap().rem_offerer);
    assert!(bob_call.info().unwrap().rem_offerer);
    assert!(
        !lib.party(0)
            .seen()
            .contains(&Seen::RxOffer(alice_call.id()))
    );
    // A second re-offer while... none is in flight now: a refresh keeps
    // the hold.
    let (at_bob, at_alice) = lib.listen(1000.0, 600.0);
    eprintln!("on hold: 1 kHz at bob {at_bob:.0}, 600 Hz at alice {at_alice:.0}");
    assert!(at_alice < 200.0, "bob is heard on hold: {at_alice}");
    assert!(at_bob > 5000.0, "the holder's audio still goes: {at_bob}");
    // The held side sends no RTP at all: nothing more reaches alice's
    // stream, while bob's keeps receiving.
    let rx = |c: &Call| c.stream_stat(0).unwrap().rtcp.rx_stat.pkt;
    let tx = |c: &Call| c.stream_stat(0).unwrap().rtcp.tx_stat.pkt;
    let (alice_rx, bob_rx, bob_tx) = (rx(&alice_call), rx(&bob_call), tx(&bob_call));
    lib.run_for(500);
    // Nor does it count what it does not send (its RTCP reports say so).
    assert_eq!(
        tx(&bob_call),
        bob_tx,
        "the held side counts RTP it did not send"
    );
    eprintln!(
        "on hold, RTP received in 500 ms: alice {}, bob {}",
        rx(&alice_call) - alice_rx,
        rx(&bob_call) - bob_rx
    );
    assert_eq!(rx(&alice_call), alice_rx, "the held side still sends RTP");
    assert!(rx(&bob_call) >= bob_rx + 10);

    // Alice takes the call off hold with reinvite(UNHOLD).
    let media_before = lib.party(0).count(|s| matches!(s, Seen::Media(..)));
    let mut unhold = CallOpParam::default();
    unhold.opt.flag |= CallSetting::UNHOLD;
    alice_call.reinvite(&unhold).unwrap();
    lib.wait("the unhold", || {
        lib.party(0).count(|s| matches!(s, Seen::Media(..))) > media_before
            && media_of(&bob_call).0 == CallMediaStatus::Active
    });
    assert_eq!(
        media_of(&alice_call),
        (CallMediaStatus::Active, MediaDir::EncodingDecoding)
    );
    // The streams were kept through hold and unhold (same conference
    // ports, counters going on), only their directions paused (PJSUA 2.15
    // rebuilds them).
    assert_eq!((slot(&alice_call), slot(&bob_call)), slots);
    assert!(alice_call.stream_stat(0).unwrap().rtcp.tx_stat.pkt > sent_before_hold);
    assert_eq!(
        alice_call.stream_info(0).unwrap().dir,
        MediaDir::EncodingDecoding
    );
    let (at_bob, at_alice) = lib.listen(1000.0, 600.0);
    eprintln!("after unhold: 1 kHz at bob {at_bob:.0}, 600 Hz at alice {at_alice:.0}");
    assert!(at_bob > 5000.0 && at_alice > 5000.0);

    // Bob refreshes with UPDATE: alice is offered, media stays active.
    let offers = lib.party(0).count(|s| matches!(s, Seen::RxOffer(_)));
    bob_call.update(&CallOpParam::default()).unwrap();
    lib.wait("the UPDATE", || {
        lib.party(0).count(|s| matches!(s, Seen::RxOffer(_))) > offers
    });
    lib.run_for(100);
    assert_eq!(media_of(&alice_call).0, CallMediaStatus::Active);
    assert_eq!(media_of(&bob_call).0, CallMediaStatus::Active);

    // Bob holds with setHold, then alice also re-INVITEs: a re-offer in
    // flight refuses another (one at a time).
    bob_call.set_hold(&CallOpParam::default()).unwrap();
    let again = bob_call.set_hold(&CallOpParam::default()).unwrap_err();
    assert_eq!(again.status, status::PJ_EINVALIDOP, "{again:?}");
    lib.wait("bob's hold", || {
        media_of(&alice_call).0 == CallMediaStatus::RemoteHold
            && media_of(&bob_call).0 == CallMediaStatus::LocalHold
    });
    let (_, at_alice) = lib.listen(1000.0, 600.0);
    assert!(at_alice > 5000.0, "bob holds but still sends: {at_alice}");
    alice_call.hangup(&CallOpParam::default()).unwrap();
    lib.wait("the hangup", || {
        lib.party(1).state_of(&bob_call) == Some(InvState::Disconnected)
            && lib.party(0).state_of(&alice_call) == Some(InvState::Disconnected)
    });
    // The streams rebuilt along the way all left the bridge.
    assert_eq!(lib.ep.media_active_ports().unwrap(), ports_before);
    assert_eq!(
        alice_call
            .set_hold(&CallOpParam::default())
            .unwrap_err()
            .status,
        status::PJ_EGONE
    );
}

/// The flags of the end of an RFC 4733 digit whose start was reported.
const END_OF_STARTED: u32 = PJMEDIA_STREAM_DTMF_IS_UPDATE | PJMEDIA_STREAM_DTMF_IS_END;

/// A `CallOpParam` whose txOption adds `X-Op: name` (and a body, if any).
fn with_header(name: &str, body: Option<&str>) -> CallOpParam {
    let mut prm = CallOpParam::new(true);
    prm.tx_option.headers.push(ferrosip::config::SipHeader {
        h_name: "X-Op".into(),
        h_value: name.into(),
    });
    if let Some(body) = body {
        prm.tx_option.content_type = "text/plain".into();
        prm.tx_option.msg_body = body.into();
    }
    prm
}

#[test]
fn tx_option_headers_and_bodies_reach_the_peer() {
    let lib = Lib::start(2);
    let (alice_call, bob_call) = lib.connect(0, 1);
    let (alice, bob) = (lib.party(0), lib.party(1));
    let got = |party: &Party, start: &str, header: &str| {
        party
            .lock()
            .received
            .iter()
            .find(|m| m.starts_with(start) && m.contains(header))
            .cloned()
    };
    alice_call.set_hold(&with_header("hold", None)).unwrap();
    lib.wait("the hold's header at bob, the hold answered", || {
        got(bob, "INVITE ", "\r\nX-Op: hold\r\n").is_some()
            && media_of(&alice_call).0 == CallMediaStatus::LocalHold
    });
    let mut unhold = with_header("update", None);
    unhold.opt.flag = CallSetting::UNHOLD;
    alice_call.update(&unhold).unwrap();
    lib.wait("the UPDATE's header at bob, the unhold answered", || {
        got(bob, "UPDATE ", "\r\nX-Op: update\r\n").is_some()
            && media_of(&alice_call).0 == CallMediaStatus::Active
    });
    // The REFER carries them next to Refer-To (bob refuses the transfer).
    bob.lock().transfer_answer = Some((603, None));
    alice_call
        .xfer(&lib.members[1].uri, &with_header("xfer", Some("why")))
        .unwrap();
    lib.wait("the REFER's header and body at bob", || {
        got(bob, "REFER ", "\r\nX-Op: xfer\r\n").is_some_and(|m| m.ends_with("\r\n\r\nwhy"))
    });
    // The BYE: header and body.
    bob_call
        .hangup(&with_header("bye", Some("bye now")))
        .unwrap();
    lib.wait("the BYE's header and body at alice", || {
        got(alice, "BYE ", "\r\nX-Op: bye\r\n").is_some_and(|m| m.ends_with("bye now"))
    });
    let bye = got(alice, "BYE ", "X-Op").unwrap();
    assert!(bye.contains("Content-Type: text/plain"), "{bye}");
}

#[test]
fn dtmf_goes_both_ways_by_rfc4733_and_sip_info() {
    let lib = Lib::start(2);
    let (alice_call, bob_call) = lib.connect(0, 1);
    let (alice, bob) = (lib.party(0), lib.party(1));

    // RFC 4733 from alice: bob gets each digit at its start, and a start
    // and an end event per digit.
    alice_call.dial_dtmf("1*9").unwrap();
    lib.wait("RFC 4733 digits at bob", || {
        bob.count(|s| matches!(s, Seen::DtmfEvent(_, _, f) if *f & PJMEDIA_STREAM_DTMF_IS_END != 0))
            >= 3
    });
    let rfc = DtmfMethod::Rfc2833;
    assert_eq!(
        bob.digits(),
        vec![(rfc, "1".into()), (rfc, "*".into()), (rfc, "9".into())]
    );
    assert!(
        bob.seen()
            .contains(&Seen::Digit(rfc, "1".into(), PJSUA_UNKNOWN_DTMF_DURATION))
    );
    let events: Vec<Seen> = bob
        .seen()
        .into_iter()
        .filter(|s| matches!(s, Seen::DtmfEvent(..)))
        .collect();
    assert_eq!(
        events,
        vec![
            Seen::DtmfEvent(rfc, "1".into(), 0),
            Seen::DtmfEvent(rfc, "1".into(), END_OF_STARTED),
            Seen::DtmfEvent(rfc, "*".into(), 0),
            Seen::DtmfEvent(rfc, "*".into(), END_OF_STARTED),
            Seen::DtmfEvent(rfc, "9".into(), 0),
            Seen::DtmfEvent(rfc, "9".into(), END_OF_STARTED),
        ]
    );

    // SIP INFO from bob: one INFO per digit, each answered 200.
    bob_call
        .send_dtmf(&CallSendDtmfParam {
            method: DtmfMethod::SipInfo,
            duration: 250,
            digits: "#0A".into(),
        })
        .unwrap();
    lib.wait("INFO digits at alice", || alice.digits().len() >= 3);
    lib.wait("INFO answers at bob", || {
        bob.count(|s| matches!(s, Seen::Tsx(m, 200, false) if m == "INFO")) >= 3
    });
    let info = DtmfMethod::SipInfo;
    assert_eq!(
        alice.digits(),
        vec![(info, "#".into()), (info, "0".into()), (info, "A".into())]
    );
    // As PJSUA2: onDtmfEvent (the end, with the INFO's duration), then
    // onDtmfDigit with the duration unknown.
    let seen = alice.seen();
    let at = |s: &Seen| seen.iter().position(|x| x == s).unwrap();
    assert!(
        at(&Seen::DtmfEvent(
            info,
            "#".into(),
            PJMEDIA_STREAM_DTMF_IS_END
        )) < at(&Seen::Digit(info, "#".into(), PJSUA_UNKNOWN_DTMF_DURATION))
    );
    assert!(alice.seen().contains(&Seen::DtmfEvent(
        info,
        "0".into(),
        PJMEDIA_STREAM_DTMF_IS_END
    )));
    assert_eq!(
        alice.count(|s| matches!(s, Seen::Tsx(m, 200, true) if m == "INFO")),
        3
    );

    // And the other way for each: RFC 4733 from bob, INFO from alice.
    bob_call
        .send_dtmf(&CallSendDtmfParam {
            method: DtmfMethod::Rfc2833,
            duration: 100,
            digits: "42".into(),
        })
        .unwrap();
    alice_call
        .send_dtmf(&CallSendDtmfParam {
            method: DtmfMethod::SipInfo,
            digits: "7".into(),
            ..CallSendDtmfParam::default()
        })
        .unwrap();
    lib.wait("the last digits", || {
        alice.digits().len() >= 5 && bob.digits().len() >= 4
    });
    assert_eq!(alice.digits()[3..], [(rfc, "4".into()), (rfc, "2".into())]);
    assert_eq!(bob.digits()[3], (info, "7".into()));
    assert!(
        bob.seen()
            .contains(&Seen::Digit(info, "7".into(), PJSUA_UNKNOWN_DTMF_DURATION))
    );

    // Not digits.
    assert_eq!(
        alice_call.dial_dtmf("12x").unwrap_err().status,
        status::PJMEDIA_RTP_EINDTMF
    );
    assert_eq!(
        alice_call.dial_dtmf("").unwrap_err().status,
        status::PJMEDIA_RTP_EINDTMF
    );
}

#[test]
fn messages_and_typing_go_both_ways_in_the_call() {
    let lib = Lib::start(2);
    let (alice_call, bob_call) = lib.connect(0, 1);
    let (alice, bob) = (lib.party(0), lib.party(1));

    alice_call
        .send_instant_message(&SendInstantMessageParam {
            content: "hello bob".into(),
            user_data: 7,
            ..SendInstantMessageParam::default()
        })
        .unwrap();
    bob_call
        .send_typing_indication(&SendTypingIndicationParam {
            is_typing: true,
            ..SendTypingIndicationParam::default()
        })
        .unwrap();
    lib.wait("the message and the typing", || {
        bob.count(|s| matches!(s, Seen::Im(..))) == 1
            && alice.count(|s| matches!(s, Seen::Typing(_))) == 1
            && alice.count(|s| matches!(s, Seen::ImStatus(..))) == 1
    });
    assert!(
        bob.seen()
            .contains(&Seen::Im("text/plain".into(), "hello bob".into()))
    );
    assert!(alice.seen().contains(&Seen::Typing(true)));
    assert!(
        alice
            .seen()
            .contains(&Seen::ImStatus(7, "hello bob".into(), 200))
    );
    assert!(bob.seen().contains(&Seen::Tsx("MESSAGE".into(), 200, true)));

    // A content type other than text/plain is refused 415, as PJSUA
    // does (it accepts text/plain and im-iscomposing+xml).
    bob_call
        .send_instant_message(&SendInstantMessageParam {
            content_type: "text/html".into(),
            content: "<b>hi</b> alice".into(),
            user_data: 9,
            ..SendInstantMessageParam::default()
        })
        .unwrap();
    bob_call
        .send_instant_message(&SendInstantMessageParam {
            content: "hi alice".into(),
            user_data: 10,
            ..SendInstantMessageParam::default()
        })
        .unwrap();
    bob_call
        .send_typing_indication(&SendTypingIndicationParam::default())
        .unwrap();
    lib.wait("bob's messages", || {
        alice.count(|s| matches!(s, Seen::Im(..))) == 1
            && alice.count(|s| matches!(s, Seen::Typing(_))) == 2
            && bob.count(|s| matches!(s, Seen::ImStatus(..))) == 2
    });
    assert!(
        alice
            .seen()
            .contains(&Seen::Im("text/plain".into(), "hi alice".into()))
    );
    assert!(alice.seen().contains(&Seen::Typing(false)));
    assert!(
        bob.seen()
            .contains(&Seen::ImStatus(9, "<b>hi</b> alice".into(), 415))
    );
    assert!(
        bob.seen()
            .contains(&Seen::ImStatus(10, "hi alice".into(), 200))
    );

    // sendRequest: an INFO, reported to both sides'
    // on_call_tsx_state; the session's own methods are refused.
    let mut prm = CallSendRequestParam {
        method: "INFO".into(),
        ..CallSendRequestParam::default()
    };
    prm.tx_option
        .headers
        .push(ferrosip::config::SipHeader::new("X-Test", "ping"));
    alice_call.send_request(&prm).unwrap();
    lib.wait("the INFO", || {
        alice.count(|s| matches!(s, Seen::Tsx(m, 200, false) if m == "INFO")) == 1
            && bob.count(|s| matches!(s, Seen::Tsx(m, 200, true) if m == "INFO")) == 1
    });
    // A body the user agent does not take is refused (415 for INFO).
    prm.tx_option.content_type = "application/x-test".into();
    prm.tx_option.msg_body = "ping".into();
    alice_call.send_request(&prm).unwrap();
    lib.wait("the second INFO", || {
        alice.count(|s| matches!(s, Seen::Tsx(m, 415, false) if m == "INFO")) == 1
    });
    prm.method = "BYE".into();
    assert_eq!(
        alice_call.send_request(&prm).unwrap_err().status,
        status::PJ_EINVAL
    );
}

#[test]
fn blind_transfer_then_the_transferee_is_transferred_again() {
    let lib = Lib::start(3);
    let (alice, bob, carol) = (lib.party(0), lib.party(1), lib.party(2));
    // Alice calls bob; bob transfers alice to carol.
    let (alice_call, bob_call) = lib.connect(0, 1);
    bob_call
        .xfer(&lib.members[2].uri, &CallOpParam::default())
        .unwrap();
    lib.wait("the transfer to carol", || {
        bob.lock().seen.contains(&Seen::TransferStatus(200, true))
            && bob.state_of(&bob_call) == Some(InvState::Disconnected)
            && carol.lock().calls.len() == 1
            && carol.state_of(&carol.call(0)) == Some(InvState::Confirmed)
            && alice.lock().calls.len() == 2
            && alice.state_of(&alice.call(1)) == Some(InvState::Confirmed)
    });
    assert!(
        alice
            .seen()
            .contains(&Seen::TransferRequest(lib.members[2].uri.clone()))
    );
    let statuses: Vec<Seen> = bob
        .seen()
        .into_iter()
        .filter(|s| matches!(s, Seen::TransferStatus(..)))
        .collect();
    assert_eq!(
        statuses,
        vec![
            Seen::TransferStatus(100, false),
            Seen::TransferStatus(180, false),
            Seen::TransferStatus(200, true),
        ]
    );
    lib.wait("alice's first call to end", || {
        alice.state_of(&alice_call) == Some(InvState::Disconnected)
    });
    let alice_carol = alice.call(1);
    assert!(alice_carol.info().unwrap().remote_uri.contains("carol"));

    // Carol transfers alice back to bob (a REFER from the callee side).
    let carol_call = carol.call(0);
    carol_call
        .xfer(&lib.members[1].uri, &CallOpParam::default())
        .unwrap();
    lib.wait("the transfer to bob", || {
        carol.lock().seen.contains(&Seen::TransferStatus(200, true))
            && carol.state_of(&carol_call) == Some(InvState::Disconnected)
            && alice.lock().calls.len() == 3
            && alice.state_of(&alice.call(2)) == Some(InvState::Confirmed)
    });
    assert!(alice.call(2).info().unwrap().remote_uri.contains("bob"));
    assert!(alice.call(2).has_media());
}

#[test]
fn a_transfer_can_be_refused_or_redirected_by_the_transferee() {
    let lib = Lib::start(3);
    let (alice, bob, carol) = (lib.party(0), lib.party(1), lib.party(2));
    let (_alice_call, bob_call) = lib.connect(0, 1);
    // Alice refuses with 603: bob's transfer fails, the call stays.
    alice.lock().transfer_answer = Some((603, None));
    bob_call
        .xfer(&lib.members[2].uri, &CallOpParam::default())
        .unwrap();
    lib.wait("the refusal", || {
        bob.lock().seen.contains(&Seen::TransferStatus(603, true))
    });
    assert_eq!(bob.state_of(&bob_call), Some(InvState::Confirmed));
    assert!(carol.lock().calls.is_empty());
    // Bad uses: no URI, the call itself as the one to replace.
    assert_eq!(
        bob_call
            .xfer("not a uri", &CallOpParam::default())
            .unwrap_err()
            .status,
        status::PJSIP_EINVALIDURI
    );
    assert_eq!(
        bob_call
            .xfer_replaces(&bob_call, &CallOpParam::default())
            .unwrap_err()
            .status,
        status::PJ_EINVAL
    );
    // Bob asks for a nowhere URI; alice's handler sends the call to carol
    // instead.
    alice.lock().transfer_answer = Some((202, Some(lib.members[2].uri.clone())));
    bob_call
        .xfer("sip:nobody@127.0.0.1:9", &CallOpParam::default())
        .unwrap();
    lib.wait("the redirected transfer", || {
        bob.lock().seen.contains(&Seen::TransferStatus(200, true))
            && carol.lock().calls.len() == 1
            && carol.state_of(&carol.call(0)) == Some(InvState::Confirmed)
    });
    assert!(
        alice
            .seen()
            .contains(&Seen::TransferRequest("sip:nobody@127.0.0.1:9".into()))
    );
}

#[test]
fn with_worker_threads_dtmf_and_a_transfer_run_on_the_workers() {
    // Callbacks run on the endpoint's threads and call back into the API
    // (answer, make the transfer's call, hang up).
    let lib = Lib::start_with_threads(3, 2);
    let (alice, bob, carol) = (lib.party(0), lib.party(1), lib.party(2));
    let (alice_call, bob_call) = lib.connect(0, 1);
    alice_call.dial_dtmf("5").unwrap();
    bob_call
        .send_dtmf(&CallSendDtmfParam {
            method: DtmfMethod::SipInfo,
            digits: "6".into(),
            ..CallSendDtmfParam::default()
        })
        .unwrap();
    lib.wait("the digits", || {
        !bob.digits().is_empty() && !alice.digits().is_empty()
    });
    assert_eq!(bob.digits(), vec![(DtmfMethod::Rfc2833, "5".into())]);
    assert_eq!(alice.digits(), vec![(DtmfMethod::SipInfo, "6".into())]);
    bob_call
        .xfer(&lib.members[2].uri, &CallOpParam::default())
        .unwrap();
    lib.wait("the transfer", || {
        bob.lock().seen.contains(&Seen::TransferStatus(200, true))
            && carol.lock().calls.len() == 1
            && carol.state_of(&carol.call(0)) == Some(InvState::Confirmed)
            && alice.state_of(&alice_call) == Some(InvState::Disconnected)
    });
}

#[test]
fn attended_transfer_replaces_the_consultation_call() {
    let lib = Lib::start(3);
    let (alice, bob, carol) = (lib.party(0), lib.party(1), lib.party(2));
    // Alice talks with bob, then consults carol; she then joins bob and
    // carol and leaves.
    let (alice_bob, _bob_alice) = lib.connect(0, 1);
    let (alice_carol, carol_alice) = lib.connect(0, 2);
    alice_bob
        .xfer_replaces(&alice_carol, &CallOpParam::default())
        .unwrap();
    lib.wait("the attended transfer", || {
        alice.lock().seen.contains(&Seen::TransferStatus(200, true))
            && alice.state_of(&alice_bob) == Some(InvState::Disconnected)
            && alice.state_of(&alice_carol) == Some(InvState::Disconnected)
            && bob.lock().calls.len() == 2
            && bob.state_of(&bob.call(1)) == Some(InvState::Confirmed)
            && carol.lock().calls.len() == 2
            && carol.state_of(&carol.call(1)) == Some(InvState::Confirmed)
    });
    // Carol's handler was asked about the call to replace and told the
    // replacement.
    let new_carol = carol.call(1);
    assert!(
        carol
            .seen()
            .contains(&Seen::ReplaceRequest(carol_alice.id()))
    );
    assert!(
        carol
            .seen()
            .contains(&Seen::Replaced(carol_alice.id(), new_carol.id()))
    );
    assert_eq!(carol.state_of(&carol_alice), Some(InvState::Disconnected));
    // Bob's call with carol is up with media; bob's new call is the one
    // bob made, to carol.
    assert!(bob.call(1).info().unwrap().remote_uri.contains("carol"));
    assert!(new_carol.has_media() && bob.call(1).has_media());
    // Both sides of alice-carol are over: the replaced call got a BYE.
    assert_eq!(alice_carol.info().unwrap_err().status, status::PJ_EGONE);
}

#[test]
fn an_attended_transfer_written_by_hand_as_a_uri_replaces_too() {
    // xfer() to "<carol>?Replaces=<dialog>" built by the application (as
    // PJSUA2 allows) does what xferReplaces() does.
    let lib = Lib::start(3);
    let (alice, bob, carol) = (lib.party(0), lib.party(1), lib.party(2));
    let (alice_bob, _bob_alice) = lib.connect(0, 1);
    let (alice_carol, carol_alice) = lib.connect(0, 2);
    // The dialog from the 200 alice received from carol.
    let call_id = alice_carol.info().unwrap().call_id_string;
    let ok = alice
        .lock()
        .received
        .iter()
        .find(|m| m.starts_with("SIP/2.0 200") && m.contains(&call_id) && m.contains("INVITE\r\n"))
        .cloned()
        .expect("carol's 200");
    let ok = sip::Message::parse(ok.as_bytes()).unwrap();
    let (from_tag, to_tag) = (
        ok.from().unwrap().tag().unwrap().to_owned(),
        ok.to().unwrap().tag().unwrap().to_owned(),
    );
    let replaces = format!("{call_id};to-tag={to_tag};from-tag={from_tag}")
        .replace(';', "%3B")
        .replace('=', "%3D");
    let dst = format!("{}?Replaces={replaces}", lib.members[2].uri);
    alice_bob.xfer(&dst, &CallOpParam::default()).unwrap();
    lib.wait("the attended transfer", || {
        alice.state_of(&alice_bob) == Some(InvState::Disconnected)
            && bob.lock().calls.len() == 2
            && bob.state_of(&bob.call(1)) == Some(InvState::Confirmed)
            && carol.lock().calls.len() == 2
            && carol.state_of(&carol.call(1)) == Some(InvState::Confirmed)
            && carol.state_of(&carol_alice) == Some(InvState::Disconnected)
    });
    // Bob's INVITE carried Replaces: carol's handler was asked about it.
    let new_carol = carol.call(1);
    assert!(
        carol
            .seen()
            .contains(&Seen::ReplaceRequest(carol_alice.id()))
    );
    assert!(
        carol
            .seen()
            .contains(&Seen::Replaced(carol_alice.id(), new_carol.id()))
    );
}

#[test]
fn a_redirection_accepted_in_on_call_redirected_reaches_the_target() {
    let lib = Lib::start(2);
    let (alice, bob) = (lib.party(0), lib.party(1));
    alice.lock().redirect = Some(RedirectOp::Accept);
    let mut redirector = Redirector::new("dave", &lib.members[1].uri);
    let call = Call::make_call(
        &lib.members[0].account,
        &redirector.uri(),
        &CallOpParam::new(true),
        alice.clone(),
    )
    .unwrap();
    lib.wait("the redirected call", || {
        redirector.serve();
        alice.state_of(&call) == Some(InvState::Confirmed)
            && bob.lock().calls.len() == 1
            && bob.state_of(&bob.call(0)) == Some(InvState::Confirmed)
    });
    assert!(
        alice
            .seen()
            .iter()
            .any(|s| matches!(s, Seen::Redirected(t) if t.contains(&lib.members[1].uri))),
        "{:?}",
        alice.seen()
    );
    assert!(call.info().unwrap().remote_uri.contains("bob"));
    assert!(call.has_media());
    // PENDING is no decision.
    assert_eq!(
        call.process_redirect(RedirectOp::Pending)
            .unwrap_err()
            .status,
        status::PJ_EINVAL
    );
    call.hangup(&CallOpParam::default()).unwrap();
    lib.wait("the hangup", || {
        alice.state_of(&call) == Some(InvState::Disconnected)
    });

    // PENDING, then processRedirect(ACCEPT) outside the callback.
    alice.lock().redirect = Some(RedirectOp::Pending);
    let asked = alice.count(|s| matches!(s, Seen::Redirected(_)));
    let call = Call::make_call(
        &lib.members[0].account,
        &redirector.uri(),
        &CallOpParam::new(true),
        alice.clone(),
    )
    .unwrap();
    lib.wait("the second redirection", || {
        redirector.serve();
        alice.count(|s| matches!(s, Seen::Redirected(_))) > asked
    });
    lib.run_for(100);
    assert_ne!(alice.state_of(&call), Some(InvState::Disconnected));
    call.process_redirect(RedirectOp::Accept).unwrap();
    lib.wait("the call after processRedirect", || {
        redirector.serve();
        alice.state_of(&call) == Some(InvState::Confirmed)
    });
}
