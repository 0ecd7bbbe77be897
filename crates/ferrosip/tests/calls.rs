//! Calls through the real runtime: one endpoint, two UDP transports on
//! loopback, alice (a local account on the first) calls bob (an account
//! on the second). States on both sides, `CallInfo`, a tone through each
//! direction measured at the far side (Goertzel amplitude and SNR), hang
//! up from each side, reject, cancel, a call nobody takes, `maxCalls`,
//! stale handles.
//!
//! The endpoint is one per process, so tests take turns. `threadCnt` is 0:
//! every callback runs inside `lib_handle_events` on the test's thread.
//! Waits are for events, with generous deadlines; nothing is timed.

mod support;

use support::{Redirector, ear_port};

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ferrosip::call::{
    Call, CallHandler, CallMediaStatus, InvState, MediaDir, OnCallMediaStateParam,
    OnCallStateParam, OnIncomingCallParam, OnStreamCreatedParam, OnStreamDestroyedParam, SipRole,
};
use ferrosip::config::{AccountConfig, CallOpParam, EpConfig, TransportConfig};
use ferrosip::error::status;
use ferrosip::media::{ToneDesc, ToneGenerator};
use ferrosip::{Account, AccountHandler, Endpoint, TransportType};
use media::tone::tone_amplitude;

fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a party does with an incoming call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    /// Take it, ring (180), answer 200 once EARLY is seen.
    RingThenAnswer,
    /// Take it and ring, nothing more.
    RingOnly,
    /// Take it, answer 183 with SDP (early media), then 200 once EARLY
    /// is seen.
    EarlyMedia,
    /// Take it and answer 183 with SDP, nothing more.
    EarlyMediaOnly,
    /// Take it and answer 486 Busy Here.
    Busy,
    /// Do not take it.
    Ignore,
}

/// Something a party saw.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Incoming(i32),
    State(InvState, i32, String),
    Media,
    StreamCreated(u32),
    StreamDestroyed(u32),
}

/// One side of the test: its account, policy, calls and what it saw.
#[derive(Default)]
struct PartyState {
    policy: Option<Policy>,
    calls: Vec<Call>,
    seen: Vec<Seen>,
}

#[derive(Clone)]
struct Party(Arc<Mutex<PartyState>>);

impl Party {
    fn new(policy: Policy) -> Self {
        Self(Arc::new(Mutex::new(PartyState {
            policy: Some(policy),
            ..PartyState::default()
        })))
    }

    fn lock(&self) -> MutexGuard<'_, PartyState> {
        self.0.lock().unwrap()
    }

    fn states(&self) -> Vec<(InvState, i32)> {
        self.lock()
            .seen
            .iter()
            .filter_map(|s| match s {
                Seen::State(st, code, _) => Some((*st, *code)),
                _ => None,
            })
            .collect()
    }

    fn last_state(&self) -> Option<InvState> {
        self.states().last().map(|s| s.0)
    }

    fn has(&self, what: &Seen) -> bool {
        self.lock().seen.contains(what)
    }

    fn call(&self) -> Call {
        self.lock().calls.last().cloned().expect("a call was taken")
    }
}

impl AccountHandler for Party {
    fn on_incoming_call(&mut self, account: &Account, prm: &OnIncomingCallParam) {
        let policy = {
            let mut s = self.lock();
            s.seen.push(Seen::Incoming(prm.call_id));
            s.policy
        };
        let policy = policy.unwrap_or(Policy::Ignore);
        if policy == Policy::Ignore {
            return;
        }
        let call = Call::from_incoming(account, prm.call_id, self.clone()).unwrap();
        // Taking it twice is refused.
        let again = Call::from_incoming(account, prm.call_id, self.clone()).unwrap_err();
        assert_eq!(again.status, status::PJ_EEXISTS);
        let code = match policy {
            Policy::Busy => 486,
            Policy::EarlyMedia | Policy::EarlyMediaOnly => 183,
            _ => 180,
        };
        call.answer(&CallOpParam {
            status_code: code,
            ..CallOpParam::default()
        })
        .unwrap();
        self.lock().calls.push(call);
    }
}

impl CallHandler for Party {
    fn on_call_state(&mut self, call: &Call, prm: &OnCallStateParam) {
        let policy = {
            let mut s = self.lock();
            s.seen
                .push(Seen::State(prm.state, prm.code, prm.reason.clone()));
            s.policy
        };
        // During the callback the call is still readable, DISCONNECTED too.
        let info = call.info().unwrap();
        assert_eq!(info.state_text, info.state.name());
        if prm.state == InvState::Early
            && info.role == SipRole::Uas
            && matches!(policy, Some(Policy::RingThenAnswer | Policy::EarlyMedia))
        {
            call.answer(&CallOpParam {
                status_code: 200,
                ..CallOpParam::default()
            })
            .unwrap();
        }
    }

    fn on_call_media_state(&mut self, _call: &Call, _prm: &OnCallMediaStateParam) {
        self.lock().seen.push(Seen::Media);
    }

    fn on_stream_created(&mut self, _call: &Call, prm: &OnStreamCreatedParam) {
        assert!(prm.stream.port_id() > 0);
        self.lock().seen.push(Seen::StreamCreated(prm.stream_idx));
    }

    fn on_stream_destroyed(&mut self, _call: &Call, prm: &OnStreamDestroyedParam) {
        // The port is still in the bridge during the callback.
        assert!(prm.stream.port_info().is_ok());
        self.lock().seen.push(Seen::StreamDestroyed(prm.stream_idx));
    }
}

/// A running endpoint with alice and bob, destroyed on drop.
struct Lib {
    ep: Endpoint,
    alice: Account,
    bob: Account,
    alice_party: Party,
    bob_party: Party,
    bob_uri: String,
    alice_uri: String,
    _turn: MutexGuard<'static, ()>,
}

impl Lib {
    fn start(bob_policy: Policy) -> Self {
        Self::start_with(bob_policy, |_| {})
    }

    fn start_with(bob_policy: Policy, tune: impl FnOnce(&mut EpConfig)) -> Self {
        let turn = serial();
        let ep = Endpoint::new();
        ep.lib_create().unwrap();
        let mut cfg = EpConfig::default();
        cfg.ua_config.thread_cnt = 0;
        cfg.log_config.console_level = 0;
        cfg.log_config.level = 0;
        tune(&mut cfg);
        ep.lib_init(&cfg).unwrap();
        let tc = TransportConfig {
            bound_address: "127.0.0.1".into(),
            ..TransportConfig::default()
        };
        let t_alice = ep.transport_create(TransportType::Udp, &tc).unwrap();
        let t_bob = ep.transport_create(TransportType::Udp, &tc).unwrap();
        ep.lib_start().unwrap();
        let alice_party = Party::new(Policy::RingThenAnswer);
        let bob_party = Party::new(bob_policy);
        let alice = Account::create_local(&ep, t_alice, true, alice_party.clone()).unwrap();
        let bob_addr = ep.transport_get_info(t_bob).unwrap().local_name;
        let mut bob_cfg = AccountConfig {
            id_uri: format!("<sip:bob@{bob_addr}>"),
            ..AccountConfig::default()
        };
        bob_cfg.sip_config.transport_id = t_bob;
        let bob = Account::create(&ep, &bob_cfg, false, bob_party.clone()).unwrap();
        let alice_addr = ep.transport_get_info(t_alice).unwrap().local_name;
        Self {
            ep,
            alice,
            bob,
            alice_party,
            bob_party,
            bob_uri: format!("sip:bob@{bob_addr}"),
            alice_uri: format!("sip:{alice_addr}"),
            _turn: turn,
        }
    }

    /// Handles events until `done` or `secs` seconds passed; true if done.
    fn pump_until(&self, secs: u64, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            self.ep.lib_handle_events(10).unwrap();
            if done() {
                return true;
            }
        }
        false
    }

    /// Lets the media run for about `ms` milliseconds.
    fn run_for(&self, ms: u64) {
        let end = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < end {
            self.ep.lib_handle_events(10).unwrap();
        }
    }

    /// Alice calls bob, who rings and answers; both confirmed.
    fn connect(&self) -> (Call, Call) {
        let call = Call::make_call(
            &self.alice,
            &self.bob_uri,
            &CallOpParam::new(true),
            self.alice_party.clone(),
        )
        .unwrap();
        let confirmed = self.pump_until(20, || {
            self.alice_party.last_state() == Some(InvState::Confirmed)
                && self.bob_party.last_state() == Some(InvState::Confirmed)
                && self.alice_party.has(&Seen::Media)
                && self.bob_party.has(&Seen::Media)
        });
        assert!(
            confirmed,
            "alice {:?}, bob {:?}",
            self.alice_party.lock().seen,
            self.bob_party.lock().seen
        );
        (call, self.bob_party.call())
    }
}

impl Drop for Lib {
    fn drop(&mut self) {
        let _ = self.ep.lib_destroy();
    }
}

fn tone_generator(ep: &Endpoint, freq: i16) -> ToneGenerator {
    let tone = ToneGenerator::create_tone_generator(ep, 16_000, 1).unwrap();
    tone.play(
        &[ToneDesc {
            freq1: freq,
            on_msec: 1000,
            ..ToneDesc::default()
        }],
        true,
    )
    .unwrap();
    tone
}

/// The amplitude of `freq` in `heard`, and the SNR of that tone against
/// everything else, in dB: the medians over 100 ms windows, so that a
/// frame the media clock missed on a loaded machine does not count as
/// noise of the call.
fn measure(heard: &[i16], freq: f64) -> (f64, f64) {
    let mut amplitudes = Vec::new();
    let mut snrs = Vec::new();
    for window in heard.chunks_exact(1600) {
        let amplitude = tone_amplitude(window, 16_000, freq);
        let power = window.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / window.len() as f64;
        let tone_power = amplitude.powi(2) / 2.0;
        let noise = (power - tone_power).max(1.0);
        amplitudes.push(amplitude);
        snrs.push(10.0 * (tone_power / noise).log10());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    (median(&mut amplitudes), median(&mut snrs))
}

#[test]
fn alice_calls_bob_and_a_tone_crosses_each_way() {
    let lib = Lib::start(Policy::RingThenAnswer);
    let ports_before = lib.ep.media_active_ports().unwrap();
    let (alice_call, bob_call) = lib.connect();

    // Both sides' states, in order, with their codes.
    assert_eq!(
        lib.alice_party.states(),
        vec![
            (InvState::Calling, 0),
            (InvState::Early, 180),
            (InvState::Connecting, 200),
            (InvState::Confirmed, 200),
        ]
    );
    // The callee's INCOMING (the 100 Trying) after on_incoming_call, as
    // PJSUA2 reports it.
    assert_eq!(
        lib.bob_party.states(),
        vec![
            (InvState::Incoming, 100),
            (InvState::Early, 180),
            (InvState::Connecting, 200),
            (InvState::Confirmed, 200),
        ]
    );
    assert!(lib.bob_party.has(&Seen::Incoming(bob_call.id())));
    assert!(lib.alice_party.has(&Seen::StreamCreated(0)));
    assert!(lib.bob_party.has(&Seen::StreamCreated(0)));

    // CallInfo on both sides.
    let a = alice_call.info().unwrap();
    let b = bob_call.info().unwrap();
    assert_eq!((a.role, b.role), (SipRole::Uac, SipRole::Uas));
    assert_eq!(
        (a.state, b.state),
        (InvState::Confirmed, InvState::Confirmed)
    );
    assert_eq!(
        (a.state_text.as_str(), b.state_text.as_str()),
        ("CONFIRMED", "CONFIRMED")
    );
    assert_eq!((a.last_status_code, b.last_status_code), (200, 200));
    assert_eq!(a.last_reason, "OK");
    assert_eq!(a.acc_id, lib.alice.id());
    assert_eq!(b.acc_id, lib.bob.id());
    assert_eq!(a.id, alice_call.id());
    assert_ne!(a.id, b.id);
    assert!(!a.call_id_string.is_empty());
    assert_eq!(a.call_id_string, b.call_id_string);
    // As PJSUA reports them: the caller's destination as given; the
    // callee's To and From without their ports.
    assert_eq!(a.remote_uri, lib.bob_uri);
    let no_port = |uri: &str| uri.rsplit_once(':').map(|(u, _)| u.to_owned()).unwrap();
    assert_eq!(b.local_uri, format!("<{}>", no_port(&lib.bob_uri)));
    assert_eq!(b.remote_uri, format!("<{}>", no_port(&lib.alice_uri)));
    assert!(
        a.remote_contact.starts_with("<sip:"),
        "{}",
        a.remote_contact
    );
    assert!(!a.remote_contact.is_empty() && !b.remote_contact.is_empty());
    assert!(!a.local_contact.is_empty());
    assert_eq!(a.setting.audio_count, 1);
    assert!(!a.rem_offerer && b.rem_offerer);
    // PJSUA counts the peer's offers' lines: the caller got none.
    assert_eq!((a.rem_audio_count, b.rem_audio_count), (0, 1));
    assert!(a.total_duration >= a.connect_duration);
    for info in [&a, &b] {
        assert_eq!(info.media.len(), 1);
        let m = &info.media[0];
        assert_eq!(m.index, 0);
        assert_eq!(m.type_, ferrosip::media::PJMEDIA_TYPE_AUDIO);
        assert_eq!(m.status, CallMediaStatus::Active);
        assert_eq!(m.dir, MediaDir::EncodingDecoding);
        assert!(m.audio_conf_slot > 0);
        assert_eq!(info.prov_media, info.media);
    }
    assert!(alice_call.is_active() && bob_call.is_active());
    assert!(alice_call.has_media() && bob_call.has_media());
    assert_eq!(Call::lookup(&lib.ep, a.id), Some(alice_call.clone()));
    assert_eq!(Call::enumerate(&lib.ep).len(), 2);
    assert_eq!(alice_call.account().unwrap(), lib.alice);

    // The stream's setup: PCMU, the first codec of both, over RTP/AVP.
    let si = alice_call.stream_info(0).unwrap();
    assert_eq!(
        (si.codec_name.as_str(), si.codec_clock_rate),
        ("PCMU", 8000)
    );
    assert_eq!((si.tx_pt, si.rx_pt), (0, 0));
    assert_eq!(si.dir, MediaDir::EncodingDecoding);
    assert_eq!(si.aud_tx_event_pt, si.aud_rx_event_pt);
    assert!(si.aud_tx_event_pt >= 96);
    let bob_rtp = bob_call.stream_info(-1).unwrap().remote_rtp_address;
    assert!(si.remote_rtp_address.starts_with("127.0.0.1:"));
    assert!(bob_rtp.starts_with("127.0.0.1:"));
    assert_ne!(si.remote_rtp_address, bob_rtp);
    assert_eq!(
        alice_call.stream_info(1).unwrap_err().status,
        status::PJ_EINVAL
    );

    // A tone at alice is heard at bob, and the other way round.
    let alice_audio = alice_call.audio_media(-1).unwrap();
    let bob_audio = bob_call.audio_media(0).unwrap();
    assert_eq!(alice_audio.port_id(), a.media[0].audio_conf_slot);
    let (alice_ear_port, alice_ear) = ear_port(&lib.ep, "alice ear");
    let (bob_ear_port, bob_ear) = ear_port(&lib.ep, "bob ear");
    alice_audio.start_transmit(&alice_ear_port).unwrap();
    bob_audio.start_transmit(&bob_ear_port).unwrap();
    let tone_a = tone_generator(&lib.ep, 1000);
    let tone_b = tone_generator(&lib.ep, 600);
    tone_a.start_transmit(&alice_audio).unwrap();
    tone_b.start_transmit(&bob_audio).unwrap();
    lib.run_for(400);
    alice_ear.take();
    bob_ear.take();
    lib.run_for(1000);
    let at_bob = bob_ear.take();
    let at_alice = alice_ear.take();
    assert!(at_bob.len() >= 12_000 && at_alice.len() >= 12_000);
    let (bob_1k, bob_snr) = measure(&at_bob, 1000.0);
    let (alice_600, alice_snr) = measure(&at_alice, 600.0);
    eprintln!(
        "alice→bob 1000 Hz: amplitude {bob_1k:.0}, SNR {bob_snr:.1} dB; \
         bob→alice 600 Hz: amplitude {alice_600:.0}, SNR {alice_snr:.1} dB"
    );
    assert!(bob_1k > 5000.0, "1 kHz at bob: {bob_1k}");
    assert!(alice_600 > 5000.0, "600 Hz at alice: {alice_600}");
    assert!(
        bob_snr > 25.0 && alice_snr > 25.0,
        "SNR {bob_snr:.1} / {alice_snr:.1} dB"
    );
    // Each side hears the other's tone only.
    assert!(tone_amplitude(&at_bob, 16_000, 600.0) < 200.0);
    assert!(tone_amplitude(&at_alice, 16_000, 1000.0) < 200.0);

    // Packets went both ways on both streams.
    for call in [&alice_call, &bob_call] {
        let stat = call.stream_stat(0).unwrap();
        assert!(stat.rtcp.tx_stat.pkt >= 50, "{:?}", stat.rtcp.tx_stat);
        assert!(stat.rtcp.rx_stat.pkt >= 50, "{:?}", stat.rtcp.rx_stat);
        assert_eq!(stat.rtcp.rx_stat.loss, 0);
    }
    let dump = alice_call.dump(true, "  ").unwrap();
    assert!(dump.starts_with("  [CONFIRMED] "), "{dump}");
    assert!(
        dump.contains("#0 audio PCMU @8kHz, sendrecv, peer=127.0.0.1:"),
        "{dump}"
    );
    assert!(
        dump.contains("RX pt=0") && dump.contains("TX pt=0, ptime=20"),
        "{dump}"
    );
    let short = alice_call.dump(false, "").unwrap();
    assert!(!short.contains("RX pt"));

    // Alice hangs up: both sides disconnect, the streams leave the bridge,
    // the handles go stale.
    drop((tone_a, tone_b, alice_ear_port, bob_ear_port));
    alice_call.hangup(&CallOpParam::default()).unwrap();
    assert!(lib.pump_until(20, || {
        lib.alice_party.last_state() == Some(InvState::Disconnected)
            && lib.bob_party.last_state() == Some(InvState::Disconnected)
    }));
    assert_eq!(
        lib.alice_party.states().last(),
        Some(&(InvState::Disconnected, 200))
    );
    assert_eq!(
        lib.bob_party.states().last(),
        Some(&(InvState::Disconnected, 200))
    );
    assert!(lib.alice_party.has(&Seen::StreamDestroyed(0)));
    assert!(lib.bob_party.has(&Seen::StreamDestroyed(0)));
    assert_eq!(lib.ep.media_active_ports().unwrap(), ports_before);
    for call in [&alice_call, &bob_call] {
        assert_eq!(call.info().unwrap_err().status, status::PJ_EGONE);
        assert_eq!(
            call.hangup(&CallOpParam::default()).unwrap_err().status,
            status::PJ_EGONE
        );
        assert_eq!(call.audio_media(-1).unwrap_err().status, status::PJ_EGONE);
        assert!(!call.is_active() && !call.has_media());
    }
    assert!(
        alice_audio.port_info().is_err(),
        "the stream's port is gone"
    );
    assert_eq!(Call::lookup(&lib.ep, a.id), None);
    assert!(Call::enumerate(&lib.ep).is_empty());
}

#[test]
fn bob_hangs_up_and_bob_can_call_alice() {
    let lib = Lib::start(Policy::RingThenAnswer);
    let (alice_call, bob_call) = lib.connect();
    bob_call.hangup(&CallOpParam::default()).unwrap();
    assert!(lib.pump_until(20, || {
        lib.alice_party.last_state() == Some(InvState::Disconnected)
            && lib.bob_party.last_state() == Some(InvState::Disconnected)
    }));
    // Alice got the BYE: a normal clearing.
    let last = lib
        .alice_party
        .lock()
        .seen
        .iter()
        .rev()
        .find_map(|s| match s {
            Seen::State(InvState::Disconnected, code, reason) => Some((*code, reason.clone())),
            _ => None,
        });
    assert_eq!(last, Some((200, "Normal call clearing".to_owned())));
    assert_eq!(alice_call.info().unwrap_err().status, status::PJ_EGONE);

    // Now the other way: bob calls alice, whose handler rings and answers.
    lib.alice_party.lock().seen.clear();
    lib.bob_party.lock().seen.clear();
    let call = Call::make_call(
        &lib.bob,
        &lib.alice_uri,
        &CallOpParam::default(),
        lib.bob_party.clone(),
    )
    .unwrap();
    assert!(lib.pump_until(20, || {
        lib.alice_party.last_state() == Some(InvState::Confirmed)
            && lib.bob_party.last_state() == Some(InvState::Confirmed)
    }));
    let info = call.info().unwrap();
    assert_eq!(info.role, SipRole::Uac);
    assert_eq!(info.acc_id, lib.bob.id());
    let alice_side = lib.alice_party.call();
    assert_eq!(alice_side.info().unwrap().acc_id, lib.alice.id());
    assert!(lib.alice_party.has(&Seen::Media));
    call.hangup(&CallOpParam::default()).unwrap();
    assert!(lib.pump_until(20, || {
        lib.alice_party.last_state() == Some(InvState::Disconnected)
            && lib.bob_party.last_state() == Some(InvState::Disconnected)
    }));
}

#[test]
fn a_call_rejected_with_486_ends_486_on_both_sides() {
    let lib = Lib::start(Policy::Busy);
    let call = Call::make_call(
        &lib.alice,
        &lib.bob_uri,
        &CallOpParam::new(true),
        lib.alice_party.clone(),
    )
    .unwrap();
    assert!(lib.pump_until(20, || {
        lib.alice_party.last_state() == Some(InvState::Disconnected)
            && lib.bob_party.last_state() == Some(InvState::Disconnected)
    }));
    let states = lib.alice_party.states();
    assert_eq!(states.first(), Some(&(InvState::Calling, 0)));
    assert_eq!(states.last(), Some(&(InvState::Disconnected, 486)));
    assert!(lib.alice_party.has(&Seen::State(
        InvState::Disconnected,
        486,
        "Busy Here".into()
    )));
    assert_eq!(
        lib.bob_party.states().last(),
        Some(&(InvState::Disconnected, 486))
    );
    // No media was ever set up.
    assert!(!lib.alice_party.has(&Seen::Media));
    assert!(!lib.bob_party.has(&Seen::Media));
    assert_eq!(call.info().unwrap_err().status, status::PJ_EGONE);
}

#[test]
fn hanging_up_before_the_answer_cancels() {
    let lib = Lib::start(Policy::RingOnly);
    let call = Call::make_call(
        &lib.alice,
        &lib.bob_uri,
        &CallOpParam::new(true),
        lib.alice_party.clone(),
    )
    .unwrap();
    assert!(lib.pump_until(20, || lib.alice_party.last_state() == Some(InvState::Early)));
    let bob_call = lib.bob_party.call();
    let info = bob_call.info().unwrap();
    assert_eq!((info.state, info.last_status_code), (InvState::Early, 180));
    assert!(info.media.is_empty(), "no media before the answer");
    assert_eq!(
        bob_call.audio_media(-1).unwrap_err().status,
        status::PJ_EINVAL
    );
    // Answering the caller's side is a misuse.
    let e = call
        .answer(&CallOpParam {
            status_code: 200,
            ..CallOpParam::default()
        })
        .unwrap_err();
    assert_eq!(e.status, status::PJ_EINVALIDOP);
    call.hangup(&CallOpParam::default()).unwrap();
    assert!(lib.pump_until(20, || {
        lib.alice_party.last_state() == Some(InvState::Disconnected)
            && lib.bob_party.last_state() == Some(InvState::Disconnected)
    }));
    assert_eq!(
        lib.alice_party.states().last(),
        Some(&(InvState::Disconnected, 487))
    );
    assert_eq!(
        lib.bob_party.states().last(),
        Some(&(InvState::Disconnected, 487))
    );
}

#[test]
fn an_incoming_call_nobody_takes_is_answered_500() {
    let lib = Lib::start(Policy::Ignore);
    let ports = lib.ep.media_active_ports().unwrap();
    let _call = Call::make_call(
        &lib.alice,
        &lib.bob_uri,
        &CallOpParam::new(true),
        lib.alice_party.clone(),
    )
    .unwrap();
    assert!(lib.pump_until(20, || {
        lib.alice_party.last_state() == Some(InvState::Disconnected)
    }));
    assert_eq!(
        lib.alice_party.states().last(),
        Some(&(InvState::Disconnected, 500))
    );
    assert!(
        lib.bob_party
            .lock()
            .seen
            .iter()
            .any(|s| matches!(s, Seen::Incoming(_)))
    );
    assert!(lib.bob_party.states().is_empty());
    assert!(Call::enumerate(&lib.ep).is_empty());
    assert_eq!(lib.ep.media_active_ports().unwrap(), ports);
    // Too late to take it now.
    let e = Call::from_incoming(&lib.bob, 1, lib.bob_party.clone()).unwrap_err();
    assert_eq!(e.status, status::PJ_EINVALIDOP);
}

#[test]
fn max_calls_is_the_only_limit() {
    // One call at a time: alice's outgoing call is it, so bob's side of it
    // is refused with 486, and a second call cannot even start.
    let lib = Lib::start_with(Policy::RingThenAnswer, |cfg| cfg.ua_config.max_calls = 1);
    let _first = Call::make_call(
        &lib.alice,
        &lib.bob_uri,
        &CallOpParam::new(true),
        lib.alice_party.clone(),
    )
    .unwrap();
    let e = Call::make_call(
        &lib.alice,
        &lib.bob_uri,
        &CallOpParam::new(true),
        lib.alice_party.clone(),
    )
    .unwrap_err();
    assert_eq!(e.status, status::PJ_ETOOMANY);
    assert_eq!(e.title, "Call::makeCall()");
    assert!(lib.pump_until(20, || {
        lib.alice_party.last_state() == Some(InvState::Disconnected)
    }));
    assert!(lib.alice_party.has(&Seen::State(
        InvState::Disconnected,
        486,
        "Too many calls".into()
    )));
    assert!(
        lib.bob_party.lock().seen.is_empty(),
        "bob's handler never saw it"
    );
    // Once that call is over, a new one may start.
    let again = Call::make_call(
        &lib.alice,
        &lib.bob_uri,
        &CallOpParam::new(true),
        lib.alice_party.clone(),
    );
    assert!(again.is_ok());
}

#[test]
fn many_calls_at_once_within_max_calls() {
    // maxCalls above PJSUA2's wheel: ten calls, twenty call legs in one
    // endpoint, each with its stream.
    let lib = Lib::start_with(Policy::RingThenAnswer, |cfg| cfg.ua_config.max_calls = 20);
    let calls: Vec<Call> = (0..10)
        .map(|_| {
            Call::make_call(
                &lib.alice,
                &lib.bob_uri,
                &CallOpParam::new(true),
                lib.alice_party.clone(),
            )
            .unwrap()
        })
        .collect();
    assert!(lib.pump_until(30, || calls.iter().all(|c| {
        c.info()
            .is_ok_and(|i| i.state == InvState::Confirmed && !i.media.is_empty())
    })));
    assert_eq!(Call::enumerate(&lib.ep).len(), 20);
    // Each call has its own RTP ports.
    let mut remotes: Vec<String> = calls
        .iter()
        .map(|c| c.stream_info(0).unwrap().remote_rtp_address)
        .collect();
    remotes.sort();
    remotes.dedup();
    assert_eq!(remotes.len(), 10);
    let e = Call::make_call(
        &lib.alice,
        &lib.bob_uri,
        &CallOpParam::new(true),
        lib.alice_party.clone(),
    )
    .unwrap_err();
    assert_eq!(e.status, status::PJ_ETOOMANY);
    for c in &calls {
        c.hangup(&CallOpParam::default()).unwrap();
    }
    assert!(lib.pump_until(30, || Call::enumerate(&lib.ep).is_empty()));
}

#[test]
fn bad_uses_are_errors() {
    let lib = Lib::start(Policy::RingThenAnswer);
    let e = Call::make_call(
        &lib.alice,
        "not a uri",
        &CallOpParam::default(),
        lib.alice_party.clone(),
    )
    .unwrap_err();
    assert_eq!(e.status, status::PJSIP_EINVALIDURI);
    assert!(Call::enumerate(&lib.ep).is_empty(), "nothing left behind");
    let gone = lib.bob.clone();
    gone.shutdown().unwrap();
    let e = Call::make_call(
        &gone,
        &lib.alice_uri,
        &CallOpParam::default(),
        lib.bob_party.clone(),
    )
    .unwrap_err();
    assert_eq!(e.status, status::PJ_EGONE);
    let e = Call::from_incoming(&lib.alice, 7, lib.alice_party.clone()).unwrap_err();
    assert_eq!(e.status, status::PJ_EINVALIDOP);
    let call = Call::make_call(
        &lib.alice,
        &lib.alice_uri,
        &CallOpParam::default(),
        lib.alice_party.clone(),
    )
    .unwrap();
    let e = call
        .answer(&CallOpParam {
            status_code: 42,
            ..CallOpParam::default()
        })
        .unwrap_err();
    assert_eq!(e.status, status::PJ_EINVAL);
    let _ = call.hangup(&CallOpParam::default());
}

#[test]
fn early_media_flows_before_the_answer_and_stays() {
    let lib = Lib::start(Policy::EarlyMedia);
    let (alice_call, bob_call) = lib.connect();
    assert_eq!(
        lib.alice_party.states(),
        vec![
            (InvState::Calling, 0),
            (InvState::Early, 183),
            (InvState::Connecting, 200),
            (InvState::Confirmed, 200),
        ]
    );
    // As PJSUA2 reports it: EARLY, the 183's media; CONNECTING, the media
    // again (the 200 repeats the answer, nothing changes), CONFIRMED.
    let seen = lib.alice_party.lock().seen.clone();
    let order: Vec<&str> = seen
        .iter()
        .filter_map(|s| match s {
            Seen::State(InvState::Early, ..) => Some("EARLY"),
            Seen::State(InvState::Connecting, ..) => Some("CONNECTING"),
            Seen::State(InvState::Confirmed, ..) => Some("CONFIRMED"),
            Seen::Media => Some("media"),
            _ => None,
        })
        .collect();
    assert_eq!(
        order,
        ["EARLY", "media", "CONNECTING", "media", "CONFIRMED"],
        "{seen:?}"
    );
    let created = seen
        .iter()
        .filter(|s| matches!(s, Seen::StreamCreated(_)))
        .count();
    assert_eq!(created, 1);
    // And the early stream is the call's stream.
    let (ear_port, ear) = ear_port(&lib.ep, "ear");
    alice_call
        .audio_media(-1)
        .unwrap()
        .start_transmit(&ear_port)
        .unwrap();
    let tone = tone_generator(&lib.ep, 800);
    tone.start_transmit(&bob_call.audio_media(-1).unwrap())
        .unwrap();
    lib.run_for(300);
    ear.take();
    lib.run_for(500);
    let (amplitude, snr) = measure(&ear.take(), 800.0);
    assert!(amplitude > 5000.0 && snr > 25.0, "{amplitude} {snr}");
}

#[test]
fn update_renegotiates_an_early_media_call_before_the_answer() {
    // RFC 3311: Call::update() in EARLY (PJSUA2 allows it once the early
    // dialog exists) changes the early media; the call is answered later.
    let lib = Lib::start(Policy::EarlyMediaOnly);
    let alice_call = Call::make_call(
        &lib.alice,
        &lib.bob_uri,
        &CallOpParam::new(true),
        lib.alice_party.clone(),
    )
    .unwrap();
    assert!(lib.pump_until(20, || {
        lib.alice_party.last_state() == Some(InvState::Early) && alice_call.has_media()
    }));
    let bob_call = lib.bob_party.call();
    // Not with a re-INVITE: PJSIP_ESESSIONSTATE, as PJSUA2 says.
    let refused = alice_call.reinvite(&CallOpParam::new(true)).unwrap_err();
    assert_eq!(refused.status, 171_141);
    let refused = alice_call.set_hold(&CallOpParam::new(true)).unwrap_err();
    assert_eq!(refused.status, 171_141);
    // An UPDATE from the caller, answered by the callee; then one from
    // the callee: each renegotiates the early media at both ends.
    alice_call.update(&CallOpParam::new(true)).unwrap();
    let medias = |p: &Party| p.lock().seen.iter().filter(|s| **s == Seen::Media).count();
    assert!(lib.pump_until(20, || medias(&lib.alice_party) == 2
        && medias(&lib.bob_party) == 2));
    assert_eq!(alice_call.info().unwrap().state, InvState::Early);
    bob_call.update(&CallOpParam::new(true)).unwrap();
    assert!(lib.pump_until(20, || medias(&lib.alice_party) == 3
        && medias(&lib.bob_party) == 3));
    // Then answered and confirmed, with media both ways.
    bob_call
        .answer(&CallOpParam {
            status_code: 200,
            ..CallOpParam::default()
        })
        .unwrap();
    assert!(lib.pump_until(20, || {
        lib.alice_party.last_state() == Some(InvState::Confirmed)
            && lib.bob_party.last_state() == Some(InvState::Confirmed)
    }));
    let info = alice_call.info().unwrap();
    assert_eq!(info.media[0].status, CallMediaStatus::Active);
    assert_eq!(info.media[0].dir, MediaDir::EncodingDecoding);
}

#[test]
fn lib_destroy_hangs_up_the_calls() {
    let lib = Lib::start(Policy::RingThenAnswer);
    let (alice_call, _bob_call) = lib.connect();
    let (alice, bob) = (lib.alice_party.clone(), lib.bob_party.clone());
    let ep = lib.ep.clone();
    drop(lib);
    // Both legs are in this endpoint, so both sent a BYE: each side ended
    // on the other's BYE (200) or on the answer to its own (481 when the
    // other side had ended first).
    for party in [&alice, &bob] {
        let last = party.states().last().copied();
        assert!(
            matches!(last, Some((InvState::Disconnected, 200 | 481))),
            "{last:?}"
        );
    }
    assert!(alice.has(&Seen::StreamDestroyed(0)));
    assert_eq!(alice_call.info().unwrap_err().status, status::PJ_EGONE);
    assert!(Call::enumerate(&ep).is_empty());
}

#[test]
fn a_redirection_is_not_followed_by_default() {
    // PJSUA2's default onCallRedirected answers STOP: the call ends with
    // the 3xx and the target is not called.
    let lib = Lib::start(Policy::RingThenAnswer);
    let mut redirector = Redirector::new("carol", &lib.bob_uri);
    let mut prm = CallOpParam::new(true);
    prm.tx_option.headers.push(ferrosip::config::SipHeader::new(
        "X-Ferrosip-Test",
        "redirect me",
    ));
    let _call =
        Call::make_call(&lib.alice, &redirector.uri(), &prm, lib.alice_party.clone()).unwrap();
    assert!(lib.pump_until(20, || {
        redirector.serve();
        lib.alice_party.last_state() == Some(InvState::Disconnected)
    }));
    assert!(redirector.answered >= 1);
    // txOption.headers went in the INVITE, with the offer.
    let invite = &redirector.invites[0];
    assert!(invite.contains("X-Ferrosip-Test: redirect me"), "{invite}");
    assert!(
        invite.contains("m=audio ") && invite.contains("a=rtpmap:0 PCMU/8000"),
        "{invite}"
    );
    assert_eq!(
        lib.alice_party.states().last(),
        Some(&(InvState::Disconnected, 302))
    );
    lib.run_for(200);
    assert!(lib.bob_party.lock().seen.is_empty(), "bob was not called");
}

/// A bare UAS on loopback that answers an INVITE 200 with an SDP whose
/// `c=` names a host (`c=IN IP4 localhost`, RFC 8866 allows it) and an
/// audio port it listens on; answers BYE 200, takes the ACK.
struct HostNameUas {
    sip: std::net::UdpSocket,
    rtp: std::net::UdpSocket,
    /// Challenge each BYE without valid credentials (401, realm `test`,
    /// user alice, password secret).
    challenge_bye: bool,
    /// The BYEs received: (carried valid credentials, CSeq number).
    byes: std::cell::RefCell<Vec<(bool, u32)>>,
}

impl HostNameUas {
    fn new() -> Self {
        let sip = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        sip.set_nonblocking(true).unwrap();
        // An even port for RTP.
        let rtp = loop {
            let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            if s.local_addr().unwrap().port() % 2 == 0 {
                break s;
            }
        };
        rtp.set_nonblocking(true).unwrap();
        Self {
            sip,
            rtp,
            challenge_bye: false,
            byes: Default::default(),
        }
    }

    fn uri(&self) -> String {
        format!("sip:dave@{}", self.sip.local_addr().unwrap())
    }

    fn serve(&self) {
        let mut buf = [0u8; 8192];
        while let Ok((n, from)) = self.sip.recv_from(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            let body = format!(
                "v=0\r\no=- 1 1 IN IP4 localhost\r\ns=-\r\nc=IN IP4 localhost\r\nt=0 0\r\n\
                 m=audio {} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
                self.rtp.local_addr().unwrap().port()
            );
            let mut extra = String::new();
            let (status, body) = if text.starts_with("INVITE ") {
                ("200 OK", Some(body))
            } else if text.starts_with("BYE ") {
                use sip_core::auth::{AuthKind, Secret, Verification, verify};
                let request = sip::Message::parse(&buf[..n]).unwrap();
                let verified = matches!(
                    verify(
                        &request,
                        AuthKind::Www,
                        "test",
                        |u| (u == "alice").then(|| Secret::Plain("secret".into())),
                        |nonce| nonce == "fixed-nonce",
                    ),
                    Verification::Ok(_)
                );
                let seq = request.cseq().map_or(0, |c| c.seq);
                self.byes.borrow_mut().push((verified, seq));
                if self.challenge_bye && !verified {
                    extra.push_str(
                        "WWW-Authenticate: Digest realm=\"test\", nonce=\"fixed-nonce\", algorithm=MD5, qop=\"auth\"\r\n",
                    );
                    ("401 Unauthorized", None)
                } else {
                    ("200 OK", None)
                }
            } else {
                continue;
            };
            let mut response = format!("SIP/2.0 {status}\r\n{extra}");
            for line in text.split("\r\n") {
                let name = line
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                match name.as_str() {
                    "via" | "v" | "from" | "f" | "call-id" | "i" | "cseq" => {
                        response.push_str(line);
                        response.push_str("\r\n");
                    }
                    "to" | "t" if !line.contains("tag=") => {
                        response.push_str(line);
                        response.push_str(";tag=host1\r\n");
                    }
                    "to" | "t" => {
                        response.push_str(line);
                        response.push_str("\r\n");
                    }
                    _ => {}
                }
            }
            response.push_str(&format!(
                "Contact: <sip:dave@{}>\r\n",
                self.sip.local_addr().unwrap()
            ));
            match body {
                Some(body) => response.push_str(&format!(
                    "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )),
                None => response.push_str("Content-Length: 0\r\n\r\n"),
            }
            self.sip.send_to(response.as_bytes(), from).unwrap();
        }
    }

    /// RTP packets (version 2) received so far.
    fn rtp_packets(&self) -> usize {
        let mut buf = [0u8; 2048];
        let mut count = 0;
        while let Ok((n, _)) = self.rtp.recv_from(&mut buf) {
            if n >= 12 && buf[0] >> 6 == 2 {
                count += 1;
            }
        }
        count
    }
}

#[test]
fn a_host_name_in_the_peers_c_line_is_resolved_and_rtp_goes_there() {
    let lib = Lib::start(Policy::RingThenAnswer);
    let uas = HostNameUas::new();
    let call = Call::make_call(
        &lib.alice,
        &uas.uri(),
        &CallOpParam::new(true),
        lib.alice_party.clone(),
    )
    .unwrap();
    assert!(lib.pump_until(20, || {
        uas.serve();
        lib.alice_party.last_state() == Some(InvState::Confirmed) && call.has_media()
    }));
    let info = call.stream_info(0).unwrap();
    assert_eq!(
        info.remote_rtp_address,
        format!("127.0.0.1:{}", uas.rtp.local_addr().unwrap().port())
    );
    // Audio reaches the port of the resolved name.
    let tone = tone_generator(&lib.ep, 1000);
    tone.start_transmit(&call.audio_media(0).unwrap()).unwrap();
    let mut packets = 0;
    assert!(lib.pump_until(20, || {
        packets += uas.rtp_packets();
        packets >= 10
    }));
    call.hangup(&CallOpParam::default()).unwrap();
    assert!(lib.pump_until(20, || {
        uas.serve();
        lib.alice_party.last_state() == Some(InvState::Disconnected)
    }));
}

#[test]
fn hangup_all_calls_ends_every_call() {
    // Three calls ring; two are answered: each ends (BYE for the answered,
    // CANCEL and 603 for the ringing one), every leg DISCONNECTED.
    let lib = Lib::start_with(Policy::RingOnly, |cfg| cfg.ua_config.max_calls = 16);
    let calls: Vec<Call> = (0..3)
        .map(|_| {
            Call::make_call(
                &lib.alice,
                &lib.bob_uri,
                &CallOpParam::new(true),
                lib.alice_party.clone(),
            )
            .unwrap()
        })
        .collect();
    assert!(lib.pump_until(20, || {
        lib.bob_party.lock().calls.len() == 3
            && calls
                .iter()
                .all(|c| c.info().is_ok_and(|i| i.state == InvState::Early))
    }));
    let taken: Vec<Call> = lib.bob_party.lock().calls[..2].to_vec();
    for call in &taken {
        call.answer(&CallOpParam {
            status_code: 200,
            ..CallOpParam::default()
        })
        .unwrap();
    }
    assert!(lib.pump_until(20, || {
        taken
            .iter()
            .all(|c| c.info().is_ok_and(|i| i.state == InvState::Confirmed))
    }));
    assert_eq!(Call::enumerate(&lib.ep).len(), 6);
    lib.ep.hangup_all_calls();
    assert!(lib.pump_until(20, || Call::enumerate(&lib.ep).is_empty()));
    let ended = |p: &Party| {
        p.states()
            .iter()
            .filter(|s| s.0 == InvState::Disconnected)
            .count()
    };
    assert_eq!(ended(&lib.alice_party), 3);
    assert_eq!(ended(&lib.bob_party), 3);
}

#[test]
fn a_bye_challenged_401_is_sent_again_with_the_accounts_credentials() {
    // The peer asks the BYE to authenticate: sent again once, CSeq + 1,
    // with the account's credentials, and the call ends with its 200.
    let lib = Lib::start(Policy::RingThenAnswer);
    let mut cfg = AccountConfig {
        id_uri: "sip:alice@127.0.0.1".into(),
        ..AccountConfig::default()
    };
    cfg.sip_config
        .auth_creds
        .push(ferrosip::config::AuthCredInfo::new(
            "digest",
            "test",
            "alice",
            ferrosip::config::CredDataType::PlainPasswd,
            "secret",
        ));
    let account = Account::create(&lib.ep, &cfg, false, lib.alice_party.clone()).unwrap();
    let mut uas = HostNameUas::new();
    uas.challenge_bye = true;
    let call = Call::make_call(
        &account,
        &uas.uri(),
        &CallOpParam::new(true),
        lib.alice_party.clone(),
    )
    .unwrap();
    assert!(lib.pump_until(20, || {
        uas.serve();
        lib.alice_party.last_state() == Some(InvState::Confirmed)
    }));
    call.hangup(&CallOpParam::default()).unwrap();
    // DISCONNECTED at once (as PJSUA2 reports it); the BYE goes on.
    assert!(lib.pump_until(20, || {
        uas.serve();
        lib.alice_party.last_state() == Some(InvState::Disconnected) && uas.byes.borrow().len() == 2
    }));
    let byes = uas.byes.borrow().clone();
    assert_eq!(byes.len(), 2, "{byes:?}");
    assert!(!byes[0].0 && byes[1].0, "{byes:?}");
    assert_eq!(byes[1].1, byes[0].1 + 1);
    assert_eq!(
        lib.alice_party.states().last(),
        Some(&(InvState::Disconnected, 200))
    );
}
