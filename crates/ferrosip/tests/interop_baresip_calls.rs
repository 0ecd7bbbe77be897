//! A ferrosip account registered at kamailio calls baresip (registered at
//! the same kamailio) through it: kamailio challenges the INVITE, ferrosip
//! answers with credentials, baresip auto-answers, a tone crosses each way
//! and is measured in both recordings, ferrosip hangs up through the
//! record-routed proxy.
//!
//! Under `CI=true` a missing peer fails the test; elsewhere it is skipped
//! with a message (`scripts/install-peers kamailio baresip`).

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::ear_port;

use ferrosip::call::{Call, CallHandler, InvState, OnCallStateParam};
use ferrosip::config::{
    AccountConfig, AuthCredInfo, CallOpParam, CredDataType, EpConfig, TransportConfig,
};
use ferrosip::media::{ToneDesc, ToneGenerator};
use ferrosip::{Account, AccountHandler, Endpoint, OnRegStateParam, TransportType};
use interop::audio::Wav;
use interop::{Baresip, Kamailio};
use media::tone::tone_amplitude;

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
    if !interop::require("kamailio", Kamailio::is_installed())
        || !interop::require("baresip", Baresip::is_installed())
    {
        return;
    }
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
