//! A ferrosip account registered at kamailio calls baresip (registered at
//! the same kamailio) through it: kamailio challenges the INVITE, ferrosip
//! answers with credentials, baresip auto-answers, a tone crosses each way
//! and is measured in both recordings, ferrosip hangs up through the
//! record-routed proxy.
//!
//!
//! Mid-call, through the same proxy: hold and resume from each side (media
//! status and direction at ferrosip, tones measured at ferrosip in every
//! phase, baresip's recording before the first hold, RTP counters showing
//! the held direction silent), DTMF both ways (baresip's RFC 4733 digits,
//! ferrosip's RFC 4733 and SIP INFO ones), and blind transfer each way
//! (REFER, NOTIFYs) with a tone measured across the new call. baresip 1.0
//! has no attended transfer, no in-dialog instant messages from its
//! control interface, and its received dump stops at a call's first hold
//! (see `interop::baresip`): audio after a hold is measured at ferrosip.
//!
//! Under `CI=true` a missing peer fails the test; elsewhere it is skipped
//! with a message (`scripts/install-peers kamailio baresip`). The endpoint
//! is one per process: tests take turns.

mod support;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use support::ear_port;
use support::party::{Party, Seen as PartySeen};
use support::{random_rtp_port, started_endpoint};

use ferrosip::call::{Call, CallHandler, CallMediaStatus, InvState, MediaDir, OnCallStateParam};
use ferrosip::config::{
    AccountConfig, AuthCredInfo, CallOpParam, CallSendDtmfParam, CallSetting, CredDataType,
    DtmfMethod, EpConfig, TransportConfig,
};
use ferrosip::media::{ToneDesc, ToneGenerator};
use ferrosip::{Account, AccountHandler, Endpoint, OnRegStateParam, TransportType};
use interop::audio::{ToneMeasure, Wav, tone_measure};
use interop::{Baresip, EVENT_TIMEOUT, Event, Kamailio};
use media::tone::tone_amplitude;

fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

fn installed() -> bool {
    interop::require("kamailio", Kamailio::is_installed())
        && interop::require("baresip", Baresip::is_installed())
}

/// What ferrosip's side saw: call states and registration codes.
#[derive(Debug, Default)]
struct Seen {
    states: Vec<(InvState, i32)>,
    registrations: Vec<i32>,
}

#[derive(Clone, Default)]
struct Side(Arc<Mutex<Seen>>);

impl CallHandler for Side {
    fn on_call_state(&mut self, _call: &Call, prm: &OnCallStateParam) {
        self.0.lock().unwrap().states.push((prm.state, prm.code));
    }
}

impl AccountHandler for Side {
    fn on_reg_state(&mut self, _account: &Account, prm: &OnRegStateParam) {
        self.0.lock().unwrap().registrations.push(prm.code);
    }
}

impl Side {
    fn last(&self) -> Option<InvState> {
        self.0.lock().unwrap().states.last().map(|s| s.0)
    }
    fn registered(&self) -> bool {
        self.0.lock().unwrap().registrations.contains(&200)
    }
}

fn pump_until(ep: &Endpoint, secs: u64, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        ep.lib_handle_events(10).unwrap();
        if done() {
            return true;
        }
    }
    false
}

#[test]
fn ferrosip_calls_baresip_through_kamailio_with_tones_both_ways() {
    if !installed() {
        return;
    }
    let _turn = serial();
    let kamailio = Kamailio::start().expect("kamailio starts");
    let mut baresip = Baresip::options()
        .register(kamailio.addr(), "bob", "bobpw")
        .tone(1000.0, 60.0)
        .start()
        .expect("baresip starts and registers");

    let ep = Endpoint::new();
    ep.lib_create().unwrap();
    let mut cfg = EpConfig::default();
    cfg.ua_config.thread_cnt = 0;
    cfg.log_config.console_level = 0;
    cfg.log_config.level = 0;
    ep.lib_init(&cfg).unwrap();
    let tc = TransportConfig {
        bound_address: "127.0.0.1".into(),
        ..TransportConfig::default()
    };
    ep.transport_create(TransportType::Udp, &tc).unwrap();
    ep.lib_start().unwrap();
    let mut acfg = AccountConfig {
        id_uri: format!("sip:alice@{}", kamailio.domain()),
        ..AccountConfig::default()
    };
    acfg.reg_config.registrar_uri = format!("sip:{}", kamailio.addr());
    acfg.sip_config
        .proxies
        .push(format!("sip:{};lr", kamailio.addr()));
    acfg.sip_config.auth_creds.push(AuthCredInfo::new(
        "digest",
        "*",
        "alice",
        CredDataType::PlainPasswd,
        "alicepw",
    ));
    acfg.media_config.transport_config.bound_address = "127.0.0.1".into();
    let side = Side::default();
    let account = Account::create(&ep, &acfg, true, side.clone()).unwrap();
    assert!(
        pump_until(&ep, 10, || side.registered()),
        "ferrosip registers"
    );

    let call = Call::make_call(
        &account,
        &format!("sip:bob@{}", kamailio.domain()),
        &CallOpParam::new(true),
        side.clone(),
    )
    .unwrap();
    assert!(
        pump_until(&ep, 20, || side.last() == Some(InvState::Confirmed)),
        "{:?}\n{}",
        side.0.lock().unwrap(),
        kamailio.log()
    );
    baresip.expect_event("CALL_ESTABLISHED").unwrap();

    let media = call.audio_media(-1).unwrap();
    let tone = ToneGenerator::create_tone_generator(&ep, 16_000, 1).unwrap();
    tone.play(
        &[ToneDesc {
            freq1: 440,
            on_msec: 1000,
            volume: 8000,
            ..ToneDesc::default()
        }],
        true,
    )
    .unwrap();
    tone.start_transmit(&media).unwrap();
    let (port, ear) = ear_port(&ep, "ear");
    media.start_transmit(&port).unwrap();
    pump_until(&ep, 3, || false);

    call.hangup(&CallOpParam::default()).unwrap();
    assert!(pump_until(&ep, 10, || side.last() == Some(InvState::Disconnected)));
    baresip.expect_event("CALL_CLOSED").unwrap();
    // ferrosip heard baresip's 1 kHz (skipping the first half second).
    let heard = ear.0.lock().unwrap().clone();
    let tail = &heard[heard.len().min(8000)..];
    let amplitude = tone_amplitude(tail, 16_000, 1000.0);
    let power = tail.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / tail.len().max(1) as f64;
    let share = (amplitude * amplitude / 2.0) / power.max(1.0);
    assert!(
        share > 0.8,
        "ferrosip heard baresip's tone at {share:.2} of the energy"
    );
    // baresip heard ferrosip's 440 Hz.
    let wavs = baresip.received_wavs().unwrap();
    let last = wavs.last().expect("baresip recorded the call");
    let at_baresip = Wav::read(last).unwrap();
    let heard = at_baresip.tone(440.0, Duration::from_millis(500));
    assert!(heard.is_clear(1.0), "baresip heard {heard:?}");
    drop(port);
    drop(tone);
    ep.lib_destroy().unwrap();
}

/// baresip's tone; ferrosip's parties' (alice, carol).
const BARESIP_TONE: f64 = 1000.0;
const ALICE_TONE: f64 = 600.0;
const CAROL_TONE: f64 = 800.0;
/// Settling time before a measurement (a re-INVITE's new stream, the
/// jitter buffers), and the measured window.
const SETTLE_MS: u64 = 400;
const WINDOW_MS: u64 = 1500;
/// The start of baresip's recording that is not measured.
const SKIP: Duration = Duration::from_millis(500);

/// A ferrosip party's account and URI (its AOR at kamailio).
struct Member {
    account: Account,
    party: Party,
    aor: String,
}

/// kamailio, baresip registered there as bob (auto-answer, a 1 kHz tone,
/// recording), and one ferrosip endpoint whose parties (alice, carol, …:
/// kamailio's users) register there too, each on its own UDP transport,
/// with kamailio as outbound proxy. `threadCnt` is 0: callbacks run in
/// `lib_handle_events` on the test's thread.
struct Bed {
    ep: Endpoint,
    members: Vec<Member>,
    baresip: Baresip,
    kamailio: Kamailio,
    _turn: MutexGuard<'static, ()>,
}

impl Bed {
    /// `None` when the test is to be skipped.
    fn start(names: &[&str]) -> Option<Self> {
        if !installed() {
            return None;
        }
        let turn = serial();
        let kamailio = Kamailio::start().expect("kamailio starts");
        let baresip = Baresip::options()
            .register(kamailio.addr(), "bob", "bobpw")
            .tone(BARESIP_TONE, 60.0)
            .start()
            .expect("baresip starts and registers");
        let (ep, transports) = started_endpoint(names.len());
        let members = transports
            .iter()
            .zip(names)
            .map(|(&t, name)| {
                let party = Party::default();
                let aor = format!("sip:{name}@{}", kamailio.domain());
                let mut acfg = AccountConfig {
                    id_uri: aor.clone(),
                    ..AccountConfig::default()
                };
                acfg.reg_config.registrar_uri = format!("sip:{}", kamailio.addr());
                acfg.sip_config
                    .proxies
                    .push(format!("sip:{};lr", kamailio.addr()));
                acfg.sip_config.transport_id = t;
                acfg.sip_config.auth_creds.push(AuthCredInfo::new(
                    "digest",
                    "*",
                    *name,
                    CredDataType::PlainPasswd,
                    format!("{name}pw"),
                ));
                let rtp = &mut acfg.media_config.transport_config;
                rtp.bound_address = "127.0.0.1".into();
                rtp.port = random_rtp_port();
                rtp.port_range = 2000;
                let account = Account::create(&ep, &acfg, true, party.clone()).unwrap();
                Member {
                    account,
                    party,
                    aor,
                }
            })
            .collect();
        let bed = Self {
            ep,
            members,
            baresip,
            kamailio,
            _turn: turn,
        };
        bed.wait("the registrations", || {
            bed.members.iter().all(|m| m.party.registered())
        });
        Some(bed)
    }

    fn party(&self, i: usize) -> &Party {
        &self.members[i].party
    }

    fn run_for(&self, ms: u64) {
        let end = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < end {
            self.ep.lib_handle_events(10).unwrap();
        }
    }

    /// Handles events until `done`, failing with what every party saw and
    /// kamailio's log if it does not come within 20 s.
    fn wait(&self, what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            self.ep.lib_handle_events(10).unwrap();
            if done() {
                return;
            }
        }
        panic!(
            "waiting for {what}: {:#?}\n{}",
            self.members
                .iter()
                .map(|m| m.party.seen())
                .collect::<Vec<_>>(),
            self.kamailio.log()
        );
    }

    /// Waits for a baresip event while handling ferrosip's events.
    fn expect(&mut self, what: &str, mut pred: impl FnMut(&Event) -> bool) -> Event {
        let deadline = Instant::now() + EVENT_TIMEOUT;
        loop {
            if let Ok(e) = self.baresip.expect(&mut pred, Duration::ZERO) {
                return e;
            }
            if Instant::now() >= deadline {
                return self
                    .baresip
                    .expect(pred, Duration::from_millis(10))
                    .unwrap_or_else(|e| panic!("waiting for baresip's {what}: {e}"));
            }
            self.ep.lib_handle_events(10).unwrap();
        }
    }

    /// Party `i` calls baresip (bob) through kamailio; confirmed with media
    /// at both ends.
    fn call_baresip(&mut self, i: usize) -> Call {
        let call = Call::make_call(
            &self.members[i].account,
            &format!("sip:bob@{}", self.kamailio.domain()),
            &CallOpParam::new(true),
            self.party(i).clone(),
        )
        .unwrap();
        self.wait("the call to baresip", || {
            self.party(i).state_of(&call) == Some(InvState::Confirmed) && call.has_media()
        });
        self.expect("CALL_ESTABLISHED", |e| e.is("CALL_ESTABLISHED"));
        call
    }

    /// What party `i` hears over one window (after settling).
    fn listen(&self, i: usize) -> Vec<i16> {
        self.run_for(SETTLE_MS);
        self.party(i).ear_take();
        self.run_for(WINDOW_MS);
        self.party(i).ear_take()
    }

    /// baresip's last recording (the last call's), as received so far.
    fn baresip_heard(&self) -> Wav {
        let wavs = self.baresip.received_wavs().unwrap();
        Wav::read(wavs.last().expect("baresip recorded the call")).unwrap()
    }
}

impl Drop for Bed {
    fn drop(&mut self) {
        for m in &self.members {
            m.party.release();
        }
        let _ = self.ep.lib_destroy();
    }
}

fn assert_heard(m: &ToneMeasure, what: &str) {
    eprintln!(
        "{what}: {} Hz, rms {:.0}, share {:.2}, {:.1} s",
        m.freq, m.rms, m.share, m.seconds
    );
    assert!(m.is_clear(1.0), "{what}: {m:?}");
}

/// Silent at the tone's frequency: the tone's own RMS (the whole RMS times
/// the root of its share) under 50; the tones arrive at 5,000 and more.
fn assert_not_heard(m: &ToneMeasure, what: &str) {
    let tone_rms = m.rms * m.share.sqrt();
    eprintln!(
        "{what}: {} Hz, rms {:.0}, tone rms {tone_rms:.1}, {:.1} s",
        m.freq, m.rms, m.seconds
    );
    assert!(m.seconds >= 1.0, "{what}: too little audio: {m:?}");
    assert!(tone_rms < 50.0, "{what}: the tone is heard: {m:?}");
}

fn at_ferrosip(heard: &[i16], freq: f64) -> ToneMeasure {
    tone_measure(heard, 16_000, freq)
}

fn media_of(call: &Call) -> (CallMediaStatus, MediaDir) {
    let m = &call.info().unwrap().media[0];
    (m.status, m.dir)
}

/// RTP packets (sent, received) by the call's stream so far.
fn rtp_counts(call: &Call) -> (u64, u64) {
    let stat = call.stream_stat(0).unwrap();
    (stat.rtcp.tx_stat.pkt, stat.rtcp.rx_stat.pkt)
}

#[test]
fn hold_and_resume_from_each_side_with_baresip() {
    let Some(mut bed) = Bed::start(&["alice"]) else {
        return;
    };
    bed.party(0).give_audio(&bed.ep, ALICE_TONE as i16);
    let call = bed.call_baresip(0);
    assert_heard(
        &at_ferrosip(&bed.listen(0), BARESIP_TONE),
        "before hold, ferrosip heard",
    );
    // baresip's recording stops at the first hold: what it heard before.
    assert_heard(
        &bed.baresip_heard().tone(ALICE_TONE, SKIP),
        "before hold, baresip heard",
    );

    // ferrosip holds (a=sendonly): LOCAL_HOLD, sending only. baresip,
    // answering recvonly, sends nothing: ferrosip hears nothing and
    // receives no RTP.
    call.set_hold(&CallOpParam::default()).unwrap();
    bed.wait("ferrosip's hold", || {
        media_of(&call).0 == CallMediaStatus::LocalHold
    });
    assert_eq!(
        media_of(&call),
        (CallMediaStatus::LocalHold, MediaDir::Encoding)
    );
    bed.run_for(SETTLE_MS);
    let before = rtp_counts(&call);
    assert_not_heard(
        &at_ferrosip(&bed.listen(0), BARESIP_TONE),
        "on ferrosip's hold, ferrosip heard",
    );
    let after = rtp_counts(&call);
    eprintln!("on ferrosip's hold, RTP sent/received: {before:?} -> {after:?}");
    assert_eq!(after.1, before.1, "baresip sends to the holder");

    let mut unhold = CallOpParam::new(true);
    unhold.opt.flag |= CallSetting::UNHOLD;
    call.reinvite(&unhold).unwrap();
    bed.wait("ferrosip's unhold", || {
        media_of(&call).0 == CallMediaStatus::Active
    });
    assert_eq!(
        media_of(&call),
        (CallMediaStatus::Active, MediaDir::EncodingDecoding)
    );
    assert_heard(
        &at_ferrosip(&bed.listen(0), BARESIP_TONE),
        "after ferrosip's unhold, ferrosip heard",
    );

    // baresip holds: REMOTE_HOLD at ferrosip, receiving only. baresip 1.0
    // sends no audio while it holds (its sendonly stream stays silent: no
    // music on hold), so ferrosip hears nothing and receives no RTP.
    // (Whether ferrosip sends cannot be seen here: its tx_stat counts the
    // packets the stream makes, also those a line that does not send
    // keeps off the wire; the PJSUA2 tests measure the held side's
    // silence in the holder's recording.)
    bed.baresip.hold().unwrap();
    bed.wait("baresip's hold", || {
        media_of(&call).0 == CallMediaStatus::RemoteHold
    });
    assert_eq!(
        media_of(&call),
        (CallMediaStatus::RemoteHold, MediaDir::Decoding)
    );
    bed.run_for(SETTLE_MS);
    let before = rtp_counts(&call);
    let heard = at_ferrosip(&bed.listen(0), BARESIP_TONE);
    let after = rtp_counts(&call);
    eprintln!("on baresip's hold, RTP sent/received: {before:?} -> {after:?}");
    assert_not_heard(&heard, "on baresip's hold, ferrosip heard");
    assert_eq!(after.1, before.1, "baresip sends while it holds");

    bed.baresip.resume().unwrap();
    bed.wait("baresip's resume", || {
        media_of(&call).0 == CallMediaStatus::Active
    });
    assert_eq!(
        media_of(&call),
        (CallMediaStatus::Active, MediaDir::EncodingDecoding)
    );
    let before = rtp_counts(&call);
    assert_heard(
        &at_ferrosip(&bed.listen(0), BARESIP_TONE),
        "after baresip's resume, ferrosip heard",
    );
    let after = rtp_counts(&call);
    eprintln!("after baresip's resume, RTP sent/received: {before:?} -> {after:?}");
    assert!(after.1 >= before.1 + 50, "baresip sends again: {after:?}");
    assert_eq!(
        bed.party(0).media_statuses(&call),
        [
            CallMediaStatus::Active,
            CallMediaStatus::LocalHold,
            CallMediaStatus::Active,
            CallMediaStatus::RemoteHold,
            CallMediaStatus::Active
        ]
    );
    call.hangup(&CallOpParam::default()).unwrap();
    bed.expect("CALL_CLOSED", |e| e.is("CALL_CLOSED"));
}

#[test]
fn dtmf_both_ways_with_baresip() {
    let Some(mut bed) = Bed::start(&["alice"]) else {
        return;
    };
    let call = bed.call_baresip(0);
    let alice = bed.party(0).clone();

    // baresip's RFC 4733 digits.
    bed.baresip.send_dtmf("159").unwrap();
    bed.wait("baresip's digits", || {
        alice.count(|s| matches!(s, PartySeen::DtmfEnd(..))) >= 3
    });
    let rfc = DtmfMethod::Rfc2833;
    let digits: Vec<(DtmfMethod, String)> =
        alice.digits().into_iter().map(|d| (d.0, d.1)).collect();
    eprintln!("ferrosip saw {:?}", alice.seen());
    assert_eq!(
        digits,
        [(rfc, "1".into()), (rfc, "5".into()), (rfc, "9".into())]
    );

    // ferrosip's digits, SIP INFO (through kamailio) then RFC 4733, one
    // at a time: baresip drops a digit that starts while another is on
    // (and reports the end of the last RTP digit late).
    let mut got = Vec::new();
    for digit in ["#", "7"] {
        call.send_dtmf(&CallSendDtmfParam {
            method: DtmfMethod::SipInfo,
            digits: digit.into(),
            ..CallSendDtmfParam::default()
        })
        .unwrap();
        let e = bed.expect("an INFO digit", |e| e.is("CALL_DTMF_START"));
        got.push(e.str("param").unwrap().to_owned());
        bed.expect("a digit's end", |e| e.is("CALL_DTMF_END"));
    }
    call.dial_dtmf("24").unwrap();
    for _ in 0..2 {
        let e = bed.expect("a digit", |e| e.is("CALL_DTMF_START"));
        got.push(e.str("param").unwrap().to_owned());
    }
    assert_eq!(got, ["#", "7", "2", "4"]);
    bed.wait("the INFOs' answers", || {
        call.info().is_ok() && bed.baresip.log().matches("INFO sip:").count() >= 2
    });
    call.hangup(&CallOpParam::default()).unwrap();
    bed.expect("CALL_CLOSED", |e| e.is("CALL_CLOSED"));
}

#[test]
fn ferrosip_transfers_baresip_to_another_party() {
    let Some(mut bed) = Bed::start(&["alice", "carol"]) else {
        return;
    };
    bed.party(1).give_audio(&bed.ep, CAROL_TONE as i16);
    let (alice, carol) = (bed.party(0).clone(), bed.party(1).clone());
    let call = bed.call_baresip(0);
    // baresip names its recordings by the second: the transferred call's
    // must not share the first call's.
    bed.run_for(1100);

    let carol_aor = bed.members[1].aor.clone();
    call.xfer(&carol_aor, &CallOpParam::default()).unwrap();
    let transfer = bed.expect("the REFER", |e| e.is("TRANSFER"));
    assert!(
        transfer.str("param").unwrap().contains(&carol_aor),
        "{transfer}"
    );
    bed.wait("the transferred call and the final NOTIFY", || {
        carol.up(0)
            && alice.transfer_statuses(&call).contains(&(200, true))
            && alice.state_of(&call) == Some(InvState::Disconnected)
    });
    let statuses = alice.transfer_statuses(&call);
    eprintln!("ferrosip's transfer statuses: {statuses:?}");
    assert_eq!(statuses.first(), Some(&(100, false)), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&(200, true)), "{statuses:?}");
    let at_carol = carol.call(0);
    assert!(at_carol.info().unwrap().remote_uri.contains("bob"));
    bed.expect("the first call's end", |e| e.is("CALL_CLOSED"));

    assert_heard(
        &at_ferrosip(&bed.listen(1), BARESIP_TONE),
        "carol heard baresip",
    );
    at_carol.hangup(&CallOpParam::default()).unwrap();
    bed.expect("the new call's end", |e| e.is("CALL_CLOSED"));
    assert_heard(
        &bed.baresip_heard().tone(CAROL_TONE, SKIP),
        "baresip heard carol",
    );
}

#[test]
fn baresip_transfers_ferrosip_to_another_party() {
    let Some(mut bed) = Bed::start(&["alice", "carol"]) else {
        return;
    };
    bed.party(0).give_audio(&bed.ep, ALICE_TONE as i16);
    bed.party(1).give_audio(&bed.ep, CAROL_TONE as i16);
    let (alice, carol) = (bed.party(0).clone(), bed.party(1).clone());
    let call = bed.call_baresip(0);

    let carol_aor = bed.members[1].aor.clone();
    bed.baresip.transfer(&carol_aor).unwrap();
    bed.wait("the transferred call", || {
        alice.calls() >= 2 && alice.up(1) && carol.up(0)
    });
    assert!(
        alice
            .seen()
            .contains(&PartySeen::TransferRequest(call.id(), carol_aor.clone()))
    );
    // baresip ends the call once ferrosip's NOTIFY says the new call was
    // answered.
    let closed = bed.expect("the transferred call's end", |e| e.is("CALL_CLOSED"));
    eprintln!("baresip: {closed}");
    assert_eq!(closed.str("param"), Some("Call transfered"), "{closed}");
    bed.wait("the first call's end", || {
        alice.state_of(&call) == Some(InvState::Disconnected)
    });
    let new_call = alice.call(1);
    assert!(new_call.info().unwrap().remote_uri.contains("carol"));

    // Alice and carol hear each other.
    bed.run_for(SETTLE_MS);
    alice.ear_take();
    carol.ear_take();
    bed.run_for(WINDOW_MS);
    assert_heard(
        &at_ferrosip(&alice.ear_take(), CAROL_TONE),
        "alice heard carol",
    );
    assert_heard(
        &at_ferrosip(&carol.ear_take(), ALICE_TONE),
        "carol heard alice",
    );
    new_call.hangup(&CallOpParam::default()).unwrap();
    bed.wait("the hangup", || {
        carol.state_of(&carol.call(0)) == Some(InvState::Disconnected)
    });
}
