//! Calls between ferrosip and the real PJSUA2 (PyPI `pjsua2-python`,
//! driven through `interop::Pjsua2Peer`), both directions: answered, a tone
//! each way measured in both recordings, hung up from each side.
//!
//! Under `CI=true` a missing PJSUA2 fails the test; elsewhere it is skipped
//! with a message (`scripts/install-peers` installs it).

mod support;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use support::{Ear, ear_port};

use ferrosip::call::{Call, CallHandler, InvState, OnCallStateParam, OnIncomingCallParam};
use ferrosip::config::{CallOpParam, EpConfig, TransportConfig};
use ferrosip::media::{AudioMediaPort, ToneDesc, ToneGenerator};
use ferrosip::{Account, AccountHandler, Endpoint, TransportType};
use interop::audio::Wav;
use interop::{Pjsua2Options, Pjsua2Peer};
use media::tone::tone_amplitude;

fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

fn installed() -> bool {
    interop::require("pjsua2", Pjsua2Peer::is_installed())
}

/// The PJSUA2 peer, G.711 only (its default, speex, garbles pure tones).
fn peer(user: &str) -> Pjsua2Options {
    Pjsua2Peer::options().user(user).codecs(&["PCMU", "PCMA"])
}

/// What ferrosip's side saw: the states, and the calls it took.
#[derive(Default)]
struct Seen {
    states: Vec<(InvState, i32)>,
    calls: Vec<Call>,
}

/// ferrosip's side.
#[derive(Clone, Default)]
struct Side(Arc<Mutex<Seen>>);

impl Side {
    fn states(&self) -> Vec<(InvState, i32)> {
        self.0.lock().unwrap().states.clone()
    }
    fn last(&self) -> Option<InvState> {
        self.states().last().map(|s| s.0)
    }
    fn call(&self) -> Option<Call> {
        self.0.lock().unwrap().calls.last().cloned()
    }
}

impl CallHandler for Side {
    fn on_call_state(&mut self, _call: &Call, prm: &OnCallStateParam) {
        self.0.lock().unwrap().states.push((prm.state, prm.code));
    }
}

impl AccountHandler for Side {
    fn on_incoming_call(&mut self, account: &Account, prm: &OnIncomingCallParam) {
        let call = Call::from_incoming(account, prm.call_id, self.clone()).unwrap();
        for code in [180, 200] {
            call.answer(&CallOpParam {
                status_code: code,
                ..CallOpParam::default()
            })
            .unwrap();
        }
        self.0.lock().unwrap().calls.push(call);
    }
}

struct Lib {
    ep: Endpoint,
    account: Account,
    side: Side,
    _turn: MutexGuard<'static, ()>,
}

impl Lib {
    fn start() -> Self {
        let turn = serial();
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
        let tid = ep.transport_create(TransportType::Udp, &tc).unwrap();
        ep.lib_start().unwrap();
        let side = Side::default();
        let account = Account::create_local(&ep, tid, true, side.clone()).unwrap();
        Self {
            ep,
            account,
            side,
            _turn: turn,
        }
    }

    fn uri(&self) -> String {
        let info = self.ep.transport_get_info(0).unwrap();
        format!("sip:{}", info.local_name)
    }

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

    fn run_for(&self, ms: u64) {
        let end = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < end {
            self.ep.lib_handle_events(10).unwrap();
        }
    }

    /// A 600 Hz tone into the call, and an ear on what the call brings.
    fn talk(&self, call: &Call) -> (ToneGenerator, AudioMediaPort, Ear) {
        let media = call.audio_media(-1).unwrap();
        let tone = ToneGenerator::create_tone_generator(&self.ep, 16_000, 1).unwrap();
        tone.play(
            &[ToneDesc {
                freq1: 600,
                on_msec: 1000,
                volume: 8000,
                ..ToneDesc::default()
            }],
            true,
        )
        .unwrap();
        tone.start_transmit(&media).unwrap();
        let (port, ear) = ear_port(&self.ep, "ear");
        media.start_transmit(&port).unwrap();
        (tone, port, ear)
    }
}

impl Drop for Lib {
    fn drop(&mut self) {
        let _ = self.ep.lib_destroy();
    }
}

/// The share of `samples`' energy at `freq` (16 kHz), skipping half a
/// second.
fn share_at(samples: &[i16], freq: f64) -> f64 {
    let s = &samples[samples.len().min(8000)..];
    let amplitude = tone_amplitude(s, 16_000, freq);
    let power = s.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / s.len().max(1) as f64;
    (amplitude * amplitude / 2.0) / power.max(1.0)
}

fn check_pjsua2_heard(wav: &Wav, what: &str) {
    let tone = wav.tone(600.0, Duration::from_millis(500));
    assert!(tone.is_clear(1.0), "{what}: {tone:?}");
}

#[test]
fn ferrosip_calls_pjsua2_and_tones_cross_both_ways() {
    if !installed() {
        return;
    }
    let lib = Lib::start();
    let mut bob = peer("bob")
        .auto_answer_after(200, Duration::from_millis(200))
        .start()
        .unwrap();
    let call = Call::make_call(
        &lib.account,
        bob.uri(),
        &CallOpParam::new(true),
        lib.side.clone(),
    )
    .unwrap();
    let incoming = bob.expect_kind("incoming_call").unwrap();
    let theirs = incoming.call().unwrap();
    assert!(lib.pump_until(20, || lib.side.last() == Some(InvState::Confirmed)));
    bob.expect_call_state(theirs, "CONFIRMED").unwrap();
    assert_eq!(
        lib.side.states(),
        [
            (InvState::Calling, 0),
            (InvState::Early, 180),
            (InvState::Connecting, 200),
            (InvState::Confirmed, 200)
        ]
    );
    let (_tone, _port, ear) = lib.talk(&call);
    bob.play_tone(theirs, 1000).unwrap();
    let path = bob.run_dir().join("from-ferrosip.wav");
    bob.record(theirs, &path).unwrap();
    lib.run_for(2500);
    bob.stop_record(theirs).unwrap();
    check_pjsua2_heard(&Wav::read(&path).unwrap(), "PJSUA2 heard ferrosip");
    let heard = ear.0.lock().unwrap().clone();
    let share = share_at(&heard, 1000.0);
    assert!(
        share > 0.8,
        "ferrosip heard PJSUA2's 1 kHz at {share:.2} of the energy"
    );
    // ferrosip hangs up: PJSUA2 sees the BYE.
    call.hangup(&CallOpParam::default()).unwrap();
    let ended = bob.expect_call_state(theirs, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(200), "{ended}");
    assert!(lib.pump_until(10, || lib.side.last() == Some(InvState::Disconnected)));
}

#[test]
fn pjsua2_calls_ferrosip_and_hangs_up() {
    if !installed() {
        return;
    }
    let lib = Lib::start();
    let mut alice = peer("alice").start().unwrap();
    let call = alice.make_call(&lib.uri()).unwrap();
    assert!(lib.pump_until(20, || lib.side.last() == Some(InvState::Confirmed)));
    alice.expect_call_state(call, "CONFIRMED").unwrap();
    let ours = lib.side.call().expect("ferrosip took the call");
    let (_tone, _port, ear) = lib.talk(&ours);
    alice.play_tone(call, 1000).unwrap();
    let path = alice.run_dir().join("from-ferrosip.wav");
    alice.record(call, &path).unwrap();
    lib.run_for(2500);
    alice.stop_record(call).unwrap();
    check_pjsua2_heard(&Wav::read(&path).unwrap(), "PJSUA2 heard ferrosip");
    let share = share_at(&ear.0.lock().unwrap(), 1000.0);
    assert!(
        share > 0.8,
        "ferrosip heard PJSUA2's 1 kHz at {share:.2} of the energy"
    );
    alice.hangup(call, 0).unwrap();
    assert!(lib.pump_until(10, || lib.side.last() == Some(InvState::Disconnected)));
    let states = lib.side.states();
    assert_eq!(
        states.last(),
        Some(&(InvState::Disconnected, 200)),
        "{states:?}"
    );
    // INCOMING first (the 100 Trying), as PJSUA2's own callee reports it.
    assert_eq!(
        states.iter().map(|s| s.0).collect::<Vec<_>>(),
        [
            InvState::Incoming,
            InvState::Early,
            InvState::Connecting,
            InvState::Confirmed,
            InvState::Disconnected
        ]
    );
}
