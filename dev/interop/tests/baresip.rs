//! baresip (Debian's baresip 1.0, [`interop::Baresip`]) and the real PJSUA2
//! ([`interop::Pjsua2Peer`]), both registered at the harness's kamailio,
//! call each other through it: media flows both ways (a tone from each
//! side, checked in the other side's recording), DTMF both ways, and a
//! hangup from each side. This proves the harness that ferrosip's call
//! tests use.
//!
//! Each test skips (or fails under `CI=true`) when a peer is not installed:
//! run `scripts/install-peers kamailio pjsua2 baresip`.

use std::thread;
use std::time::Duration;

use interop::audio::Wav;
use interop::{Baresip, DtmfMethod, EVENT_TIMEOUT, Kamailio, Pjsua2Peer};

/// What the PJSUA2 side plays.
const PJSUA2_TONE: u32 = 440;
/// What baresip plays.
const BARESIP_TONE: f64 = 1000.0;
/// How long the tones run before the call ends: enough for a second and a
/// half of audio after the skipped half second.
const TALK: Duration = Duration::from_millis(2500);
/// The start of a recording that is not measured (setup, jitter buffer).
const SKIP: Duration = Duration::from_millis(500);

struct Peers {
    kamailio: Kamailio,
    pjsua2: Pjsua2Peer,
    baresip: Baresip,
}

/// kamailio, then PJSUA2 as alice and baresip as bob, both registered;
/// `None` when the test is to be skipped.
fn peers() -> Option<Peers> {
    if !interop::require("kamailio", Kamailio::is_installed())
        || !interop::require("pjsua2", Pjsua2Peer::is_installed())
        || !interop::require("baresip", Baresip::is_installed())
    {
        return None;
    }
    let kamailio = Kamailio::start().expect("kamailio starts");
    let mut pjsua2 = Pjsua2Peer::options()
        .register(kamailio.addr(), "alice", "alicepw")
        .codecs(&["PCMU", "PCMA"])
        .auto_answer(200)
        .tone(PJSUA2_TONE)
        .record_calls()
        .start()
        .expect("PJSUA2 starts");
    let reg = pjsua2
        .expect(|e| e.is("reg_state"), EVENT_TIMEOUT)
        .expect("PJSUA2 registers");
    assert_eq!(reg.u64("code"), Some(200), "{reg}\n{}", kamailio.log());
    let baresip = Baresip::options()
        .register(kamailio.addr(), "bob", "bobpw")
        .tone(BARESIP_TONE, 60.0)
        .start()
        .expect("baresip starts and registers");
    assert_eq!(kamailio.contacts("alice").unwrap().len(), 1);
    assert_eq!(kamailio.contacts("bob").unwrap().len(), 1);
    Some(Peers {
        kamailio,
        pjsua2,
        baresip,
    })
}

/// Checks both recordings: PJSUA2's `call` heard baresip's tone, baresip's
/// last call heard PJSUA2's.
fn check_audio(p: &Peers, call: u64) {
    let at_pjsua2 = Wav::read(&p.pjsua2.call_recording(call)).unwrap();
    let heard = at_pjsua2.tone(BARESIP_TONE, SKIP);
    assert!(heard.is_clear(1.0), "PJSUA2 heard {heard:?}");
    let other = at_pjsua2.tone(f64::from(PJSUA2_TONE), SKIP);
    assert!(other.share < 0.05, "PJSUA2 heard its own tone: {other:?}");

    let wavs = p.baresip.received_wavs().unwrap();
    let last = wavs.last().expect("baresip recorded the call");
    let at_baresip = Wav::read(last).unwrap();
    assert_eq!(at_baresip.rate, 8000);
    let heard = at_baresip.tone(f64::from(PJSUA2_TONE), SKIP);
    assert!(heard.is_clear(1.0), "baresip heard {heard:?}");
}

#[test]
fn baresip_calls_pjsua2_through_kamailio() {
    let Some(mut p) = peers() else {
        return;
    };
    p.baresip.dial("sip:alice@127.0.0.1").unwrap();
    let incoming = p.pjsua2.expect_kind("incoming_call").unwrap();
    let call = incoming.call().unwrap();
    // Through the proxy: kamailio record-routes the INVITE.
    let headers = incoming.get("headers").unwrap();
    assert!(headers.get("Record-Route").is_some(), "{incoming}");
    p.pjsua2.expect_call_state(call, "CONFIRMED").unwrap();
    p.baresip.expect_event("CALL_ESTABLISHED").unwrap();

    // DTMF both ways: baresip's RTP events, PJSUA2's RTP events and INFO.
    p.baresip.send_dtmf("5").unwrap();
    let dtmf = p.pjsua2.expect_call_event(call, "dtmf").unwrap();
    assert_eq!(dtmf.str("digit"), Some("5"), "{dtmf}");
    assert_eq!(dtmf.str("method"), Some("rfc2833"), "{dtmf}");
    p.pjsua2.send_dtmf(call, "7", DtmfMethod::Rfc2833).unwrap();
    let got = p.baresip.expect_event("CALL_DTMF_START").unwrap();
    assert_eq!(got.str("param"), Some("7"), "{got}");
    p.pjsua2.send_dtmf(call, "8", DtmfMethod::SipInfo).unwrap();
    let got = p.baresip.expect_event("CALL_DTMF_START").unwrap();
    assert_eq!(got.str("param"), Some("8"), "{got}");

    thread::sleep(TALK);
    p.pjsua2.hangup(call, 0).unwrap();
    p.pjsua2.expect_call_state(call, "DISCONNECTED").unwrap();
    let closed = p.baresip.expect_event("CALL_CLOSED").unwrap();
    eprintln!("baresip: {closed}");
    check_audio(&p, call);
    drop(p.kamailio);
}

#[test]
fn pjsua2_calls_baresip_through_kamailio() {
    let Some(mut p) = peers() else {
        return;
    };
    let call = p.pjsua2.make_call("sip:bob@127.0.0.1").unwrap();
    // Auto-answering, baresip reports no CALL_INCOMING: the call is
    // established at once.
    p.pjsua2.expect_call_state(call, "CONFIRMED").unwrap();
    let established = p.baresip.expect_event("CALL_ESTABLISHED").unwrap();
    assert_eq!(
        established.str("direction"),
        Some("incoming"),
        "{established}"
    );
    thread::sleep(TALK);
    p.baresip.hangup().unwrap();
    let state = p.pjsua2.expect_call_state(call, "DISCONNECTED").unwrap();
    assert_eq!(state.u64("code"), Some(200), "{state}");
    p.baresip.expect_event("CALL_CLOSED").unwrap();
    check_audio(&p, call);
}
