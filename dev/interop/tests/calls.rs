//! The real PJSUA2 calling itself through the scriptable call peer
//! ([`interop::Pjsua2Peer`], `peers/pjsua2/call_peer.py`): answer, a tone
//! each way measured at the far side, DTMF both ways (RFC 2833 and SIP
//! INFO), in-dialog MESSAGE, hold and unhold, hangup from each side, CANCEL
//! and rejection, blind and attended transfer among three peers, a 3xx
//! redirect and an UPDATE.
//!
//! These double as the reference for what PJSUA2 does, which ferrosip's
//! call tests compare against: the states and events asserted here are
//! those PJSUA2 2.15.1 reports.
//!
//! Each test skips (or fails under `CI=true`) when PJSUA2 is not installed:
//! run `scripts/install-peers`.

use std::thread;
use std::time::Duration;

use interop::audio::Wav;
use interop::serde_json::json;
use interop::{CallId, DtmfMethod, EVENT_TIMEOUT, Event, Pjsua2Options, Pjsua2Peer};

/// How long tones run before a recording ends: a second and a half of
/// audio after the skipped half second.
const TALK: Duration = Duration::from_millis(2000);
/// The start of a recording that is not measured (setup, jitter buffer).
const SKIP: Duration = Duration::from_millis(500);

/// A peer named `user` on its own UDP port, with G.711 only (PJSUA2 would
/// pick speex/16000, which garbles pure tones).
fn peer(user: &str) -> Pjsua2Options {
    Pjsua2Peer::options().user(user).codecs(&["PCMU", "PCMA"])
}

fn installed() -> bool {
    interop::require("pjsua2", Pjsua2Peer::is_installed())
}

/// `caller` calls `callee` (which auto-answers), both see CONFIRMED and
/// active audio; returns (the caller's call, the callee's call).
fn connect(caller: &mut Pjsua2Peer, callee: &mut Pjsua2Peer) -> (CallId, CallId) {
    let call = caller.make_call(callee.uri()).unwrap();
    let incoming = callee.expect_kind("incoming_call").unwrap();
    let theirs = incoming.call().unwrap();
    caller.expect_call_state(call, "CONFIRMED").unwrap();
    callee.expect_call_state(theirs, "CONFIRMED").unwrap();
    caller.expect_media_state(call, "active").unwrap();
    callee.expect_media_state(theirs, "active").unwrap();
    (call, theirs)
}

/// The states a call went through, in order, from the events not yet taken.
fn states(peer: &mut Pjsua2Peer, call: CallId) -> Vec<String> {
    peer.history()
        .iter()
        .filter(|e| e.is("call_state") && e.call() == Some(call))
        .map(|e| e.state().unwrap_or_default().to_owned())
        .collect()
}

/// Records `call` at `peer` for [`TALK`], then measures `freq` in it.
fn heard(peer: &mut Pjsua2Peer, call: CallId, name: &str) -> Wav {
    let path = peer.run_dir().join(name);
    peer.record(call, &path).unwrap();
    thread::sleep(TALK);
    peer.stop_record(call).unwrap();
    Wav::read(&path).unwrap()
}

fn assert_tone(wav: &Wav, freq: u32, other: u32, what: &str) {
    let tone = wav.tone(f64::from(freq), SKIP);
    assert!(tone.is_clear(1.0), "{what}: {tone:?}");
    let leak = wav.tone(f64::from(other), SKIP);
    assert!(leak.share < 0.05, "{what}: the other tone in it: {leak:?}");
}

#[test]
fn call_with_tones_both_ways_then_callee_hangs_up() {
    if !installed() {
        return;
    }
    // The callee rings (180) for a moment, then answers.
    let mut bob = peer("bob")
        .auto_answer_after(200, Duration::from_millis(300))
        .start()
        .unwrap();
    let mut alice = peer("alice").start().unwrap();
    let call = alice.make_call(bob.uri()).unwrap();

    let incoming = bob.expect_kind("incoming_call").unwrap();
    let theirs = incoming.call().unwrap();
    assert!(
        incoming
            .str("remote_uri")
            .unwrap()
            .contains("sip:alice@127.0.0.1"),
        "{incoming}"
    );
    let sdp = incoming.str("sdp").unwrap();
    assert!(
        sdp.contains("m=audio ") && sdp.contains("PCMU/8000"),
        "{sdp}"
    );
    let early = alice.expect_call_state(call, "EARLY").unwrap();
    assert_eq!(early.u64("code"), Some(180), "{early}");
    let confirmed = alice.expect_call_state(call, "CONFIRMED").unwrap();
    assert_eq!(confirmed.u64("code"), Some(200), "{confirmed}");
    assert_eq!(confirmed.str("role"), Some("caller"));
    bob.expect_call_state(theirs, "CONFIRMED").unwrap();
    let media = alice.expect_media_state(call, "active").unwrap();
    assert_eq!(media.str("dir"), Some("sendrecv"), "{media}");
    assert_eq!(
        states(&mut alice, call),
        ["CALLING", "EARLY", "CONNECTING", "CONFIRMED"]
    );
    assert_eq!(
        states(&mut bob, theirs),
        ["INCOMING", "EARLY", "CONNECTING", "CONFIRMED"]
    );

    alice.play_tone(call, 440).unwrap();
    bob.play_tone(theirs, 1000).unwrap();
    let at_bob_path = bob.run_dir().join("from-alice.wav");
    bob.record(theirs, &at_bob_path).unwrap();
    let at_alice = heard(&mut alice, call, "from-bob.wav");
    bob.stop_record(theirs).unwrap();
    assert_tone(&Wav::read(&at_bob_path).unwrap(), 440, 1000, "bob heard");
    assert_tone(&at_alice, 1000, 440, "alice heard");

    let stats = alice.stats(call).unwrap();
    assert_eq!(stats.str("codec"), Some("PCMU"), "{stats}");
    assert!(stats.u64("rx_pkt").unwrap() > 50, "{stats}");
    assert_eq!(stats.u64("rx_loss"), Some(0), "{stats}");

    bob.hangup(theirs, 0).unwrap();
    let ended = alice.expect_call_state(call, "DISCONNECTED").unwrap();
    // The BYE's 200, as PJSUA2 reports a remote hangup.
    assert_eq!(ended.u64("code"), Some(200), "{ended}");
    assert_eq!(ended.str("reason"), Some("Normal call clearing"), "{ended}");
    let ended = bob.expect_call_state(theirs, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(200), "{ended}");
}

#[test]
fn dtmf_both_ways_and_messages_then_caller_hangs_up() {
    if !installed() {
        return;
    }
    let mut bob = peer("bob").auto_answer(200).start().unwrap();
    let mut alice = peer("alice").start().unwrap();
    let (call, theirs) = connect(&mut alice, &mut bob);

    let expect_digits = |p: &mut Pjsua2Peer, c: CallId, digits: &str, method: &str| {
        for digit in digits.chars() {
            let e = p.expect_call_event(c, "dtmf").unwrap();
            assert_eq!(e.str("digit"), Some(digit.to_string().as_str()), "{e}");
            assert_eq!(e.str("method"), Some(method), "{e}");
        }
    };
    // RFC 4733: onDtmfDigit when the digit starts (duration unknown), and
    // onDtmfEvent at its start and end (with the duration).
    alice.send_dtmf(call, "12#", DtmfMethod::Rfc2833).unwrap();
    expect_digits(&mut bob, theirs, "12#", "rfc2833");
    let end = bob
        .expect(
            |e| e.is("dtmf_event") && e.bool("end") == Some(true) && e.str("digit") == Some("#"),
            EVENT_TIMEOUT,
        )
        .unwrap();
    assert!(end.u64("duration").unwrap() >= 100, "{end}");
    alice.send_dtmf(call, "45", DtmfMethod::SipInfo).unwrap();
    expect_digits(&mut bob, theirs, "45", "sip_info");
    bob.dial_dtmf(theirs, "9*").unwrap();
    expect_digits(&mut alice, call, "9*", "rfc2833");
    bob.send_dtmf(theirs, "0", DtmfMethod::SipInfo).unwrap();
    expect_digits(&mut alice, call, "0", "sip_info");

    // MESSAGE and typing indications in the dialog.
    alice.send_im(call, "hello bob").unwrap();
    let im = bob.expect_call_event(theirs, "instant_message").unwrap();
    assert_eq!(im.str("body"), Some("hello bob"), "{im}");
    assert_eq!(im.str("content_type"), Some("text/plain"), "{im}");
    let status = alice.expect_call_event(call, "im_status").unwrap();
    assert_eq!(status.u64("code"), Some(200), "{status}");
    bob.typing(theirs, true).unwrap();
    let typing = alice.expect_call_event(call, "typing").unwrap();
    assert_eq!(typing.bool("is_typing"), Some(true), "{typing}");

    alice.hangup(call, 0).unwrap();
    let ended = bob.expect_call_state(theirs, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(200), "{ended}");
    let ended = alice.expect_call_state(call, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(200), "{ended}");
    alice.quit().unwrap();
    bob.quit().unwrap();
}

#[test]
fn hold_and_unhold_from_each_side() {
    if !installed() {
        return;
    }
    let mut bob = peer("bob").auto_answer(200).tone(1000).start().unwrap();
    let mut alice = peer("alice").tone(440).start().unwrap();
    let (call, theirs) = connect(&mut alice, &mut bob);

    // PJSUA2 holds with a re-INVITE whose SDP says a=sendonly (RFC 3264);
    // the held side answers recvonly.
    alice.hold(call).unwrap();
    let offer = bob.expect_call_event(theirs, "rx_offer").unwrap();
    assert!(offer.str("sdp").unwrap().contains("a=sendonly"), "{offer}");
    let held = alice.expect_media_state(call, "local_hold").unwrap();
    assert_eq!(held.str("dir"), Some("sendonly"), "{held}");
    let held = bob.expect_media_state(theirs, "remote_hold").unwrap();
    assert_eq!(held.str("dir"), Some("recvonly"), "{held}");

    // Unhold: a re-INVITE with a=sendrecv, both sides active again, and the
    // audio flows again.
    alice.unhold(call).unwrap();
    let offer = bob.expect_call_event(theirs, "rx_offer").unwrap();
    assert!(offer.str("sdp").unwrap().contains("a=sendrecv"), "{offer}");
    let active = alice.expect_media_state(call, "active").unwrap();
    assert_eq!(active.str("dir"), Some("sendrecv"), "{active}");
    bob.expect_media_state(theirs, "active").unwrap();
    assert_tone(
        &heard(&mut bob, theirs, "after-unhold.wav"),
        440,
        1000,
        "bob heard",
    );

    // The other way round.
    bob.hold(theirs).unwrap();
    bob.expect_media_state(theirs, "local_hold").unwrap();
    alice.expect_media_state(call, "remote_hold").unwrap();
    bob.unhold(theirs).unwrap();
    bob.expect_media_state(theirs, "active").unwrap();
    alice.expect_media_state(call, "active").unwrap();
    assert_tone(
        &heard(&mut alice, call, "after-unhold.wav"),
        1000,
        440,
        "alice heard",
    );

    // Still the one dialog.
    assert_eq!(
        states(&mut alice, call),
        ["CALLING", "CONNECTING", "CONFIRMED"]
    );
    alice.hangup(call, 0).unwrap();
    bob.expect_call_state(theirs, "DISCONNECTED").unwrap();
}

#[test]
fn cancel_and_reject() {
    if !installed() {
        return;
    }
    let mut bob = peer("bob").start().unwrap();
    let mut alice = peer("alice").start().unwrap();

    // Ringing, then the caller gives up: CANCEL, 487 at both ends.
    let call = alice.make_call(bob.uri()).unwrap();
    let theirs = bob.expect_kind("incoming_call").unwrap().call().unwrap();
    bob.answer(theirs, 180).unwrap();
    alice.expect_call_state(call, "EARLY").unwrap();
    alice.hangup(call, 0).unwrap();
    let ended = bob.expect_call_state(theirs, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(487), "{ended}");
    let ended = alice.expect_call_state(call, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(487), "{ended}");

    // Busy: the callee refuses with 486.
    let call = alice.make_call(bob.uri()).unwrap();
    let theirs = bob.expect_kind("incoming_call").unwrap().call().unwrap();
    bob.hangup(theirs, 486).unwrap();
    let ended = alice.expect_call_state(call, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(486), "{ended}");
    assert_eq!(ended.str("reason"), Some("Busy Here"), "{ended}");
    let ended = bob.expect_call_state(theirs, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(486), "{ended}");
}

#[test]
fn blind_transfer_among_three() {
    if !installed() {
        return;
    }
    let mut bob = peer("bob").auto_answer(200).start().unwrap();
    let mut carol = peer("carol").auto_answer(200).tone(1000).start().unwrap();
    let mut alice = peer("alice").tone(440).start().unwrap();
    let (call, at_bob) = connect(&mut alice, &mut bob);

    // Bob sends alice a REFER to carol; alice accepts it (202) and calls
    // carol in a new call, reporting progress to bob in NOTIFYs.
    bob.xfer(at_bob, carol.uri()).unwrap();
    let request = alice.expect_call_event(call, "transfer_request").unwrap();
    assert_eq!(request.str("dst_uri"), Some(carol.uri()), "{request}");
    assert_eq!(request.u64("code"), Some(202), "{request}");
    let new_call = request.u64("new_call").unwrap();
    let at_carol = carol.expect_kind("incoming_call").unwrap();
    assert!(
        at_carol.str("remote_uri").unwrap().contains("sip:alice@"),
        "{at_carol}"
    );
    let at_carol = at_carol.call().unwrap();
    alice.expect_call_state(new_call, "CONFIRMED").unwrap();
    carol.expect_call_state(at_carol, "CONFIRMED").unwrap();

    // Bob sees the transfer's progress: 100 (on the 202), then the new
    // call's 200 in the final NOTIFY.
    let last = bob
        .expect(
            |e: &Event| e.is("transfer_status") && e.bool("final") == Some(true),
            EVENT_TIMEOUT,
        )
        .unwrap();
    assert_eq!(last.u64("code"), Some(200), "{last}");
    // PJSUA2 leaves the first call up: the transferor hangs up.
    bob.hangup(at_bob, 0).unwrap();
    alice.expect_call_state(call, "DISCONNECTED").unwrap();
    bob.expect_call_state(at_bob, "DISCONNECTED").unwrap();

    // Alice ends up with carol, audio both ways.
    alice.expect_media_state(new_call, "active").unwrap();
    let at_carol_path = carol.run_dir().join("from-alice.wav");
    carol.record(at_carol, &at_carol_path).unwrap();
    let at_alice = heard(&mut alice, new_call, "from-carol.wav");
    carol.stop_record(at_carol).unwrap();
    assert_tone(&at_alice, 1000, 440, "alice heard");
    assert_tone(
        &Wav::read(&at_carol_path).unwrap(),
        440,
        1000,
        "carol heard",
    );

    alice.hangup(new_call, 0).unwrap();
    carol.expect_call_state(at_carol, "DISCONNECTED").unwrap();
}

#[test]
fn attended_transfer_with_replaces() {
    if !installed() {
        return;
    }
    let mut bob = peer("bob").auto_answer(200).start().unwrap();
    let mut carol = peer("carol").auto_answer(200).start().unwrap();
    let mut alice = peer("alice").start().unwrap();
    let (to_bob, at_bob) = connect(&mut alice, &mut bob);
    alice.hold(to_bob).unwrap();
    alice.expect_media_state(to_bob, "local_hold").unwrap();
    let (to_carol, at_carol) = connect(&mut alice, &mut carol);

    // Alice refers bob to carol, replacing her call with carol: bob calls
    // carol with Replaces, carol swaps her call with alice for it.
    alice.xfer_replaces(to_bob, to_carol).unwrap();
    let request = bob.expect_call_event(at_bob, "transfer_request").unwrap();
    let dst = request.str("dst_uri").unwrap();
    assert!(dst.contains("Replaces="), "{request}");
    let bob_carol = request.u64("new_call").unwrap();
    let replace = carol
        .expect_call_event(at_carol, "replace_request")
        .unwrap();
    let carol_bob = replace.u64("new_call").unwrap();
    let replaced = carol.expect_call_event(at_carol, "replaced").unwrap();
    assert_eq!(replaced.u64("new_call"), Some(carol_bob), "{replaced}");
    bob.expect_call_state(bob_carol, "CONFIRMED").unwrap();
    carol.expect_call_state(carol_bob, "CONFIRMED").unwrap();

    // Carol ends her call with alice (BYE): 410 Gone for carol's side, the
    // BYE's 200 for alice's.
    let ended = carol.expect_call_state(at_carol, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(410), "{ended}");
    alice.expect_call_state(to_carol, "DISCONNECTED").unwrap();
    let last = alice
        .expect(
            |e: &Event| {
                e.is("transfer_status") && e.call() == Some(to_bob) && e.bool("final") == Some(true)
            },
            EVENT_TIMEOUT,
        )
        .unwrap();
    assert_eq!(last.u64("code"), Some(200), "{last}");
    alice.hangup(to_bob, 0).unwrap();
    bob.expect_call_state(at_bob, "DISCONNECTED").unwrap();

    bob.hangup(bob_carol, 0).unwrap();
    carol.expect_call_state(carol_bob, "DISCONNECTED").unwrap();
}

#[test]
fn redirect_then_update() {
    if !installed() {
        return;
    }
    let mut bob = peer("bob").start().unwrap();
    let mut carol = peer("carol").auto_answer(200).start().unwrap();
    let mut alice = peer("alice").start().unwrap();

    // Bob answers 302 with carol as Contact: PJSUA2 reports the target
    // (onCallRedirected), the script accepts it, and the same call goes on
    // to carol (same Call-ID, To still bob).
    let call = alice.make_call(bob.uri()).unwrap();
    let theirs = bob.expect_kind("incoming_call").unwrap().call().unwrap();
    let contact = format!("<{}>", carol.uri());
    bob.send(json!({"cmd": "hangup", "call": theirs, "code": 302,
                    "headers": {"Contact": contact}}))
        .unwrap();
    let redirected = alice.expect_call_event(call, "redirected").unwrap();
    assert!(
        redirected.str("target").unwrap().contains("sip:carol@"),
        "{redirected}"
    );
    let at_carol = carol.expect_kind("incoming_call").unwrap();
    assert!(
        at_carol.str("local_uri").unwrap().contains("sip:bob@"),
        "{at_carol}"
    );
    let at_carol = at_carol.call().unwrap();
    alice.expect_call_state(call, "CONFIRMED").unwrap();
    carol.expect_call_state(at_carol, "CONFIRMED").unwrap();
    let info = alice.info(call).unwrap();
    assert!(
        info.str("remote_contact").unwrap().contains("sip:carol@"),
        "{info}"
    );

    // UPDATE with an offer: carol sees it, both stay active.
    alice.update(call).unwrap();
    let offer = carol.expect_call_event(at_carol, "rx_offer").unwrap();
    assert!(offer.str("sdp").unwrap().contains("m=audio "), "{offer}");
    alice.expect_media_state(call, "active").unwrap();
    carol.hangup(at_carol, 0).unwrap();
    alice.expect_call_state(call, "DISCONNECTED").unwrap();
}
