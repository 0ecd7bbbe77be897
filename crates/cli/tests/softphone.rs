//! The softphone, as a user runs it: two `ferrosip` processes on loopback,
//! driven through stdin, one calling the other; what they print and what
//! the caller recorded are checked.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use interop::audio::Wav;
use support::{Phone, address, args, registered, temp_dir};

#[test]
fn auto_answering_phone_plays_a_tone_the_caller_records() {
    let dir = temp_dir("tone");
    let rec = dir.join("received.wav");
    let mut callee = Phone::start(
        "callee",
        &args(&[
            "--auto-answer",
            "200",
            "--play-tone",
            "1000,0,1000,0",
            "--auto-play",
        ]),
    );
    let callee_addr = address(&callee);
    let rec_arg = rec.to_string_lossy().into_owned();
    let mut caller = Phone::start("caller", &args(&["--rec-file", &rec_arg, "--auto-rec"]));
    let _ = address(&caller);
    caller.send(&format!("m sip:{callee_addr}\n"));
    caller.wait_for("state changed to CONFIRMED");
    callee.wait_for("state changed to CONFIRMED");
    caller.send("sleep 2000\nh\n");
    caller.wait_for("is DISCONNECTED");
    callee.wait_for("is DISCONNECTED");
    caller.send("q\n");
    callee.send("q\n");
    let (caller_code, caller_out) = caller.finish();
    let (callee_code, callee_out) = callee.finish();
    assert_eq!(caller_code, Some(0), "caller:\n{caller_out}");
    assert_eq!(callee_code, Some(0), "callee:\n{callee_out}");
    assert!(
        callee_out.contains("Incoming call for account"),
        "{callee_out}"
    );
    assert!(
        caller_out.contains("media 0 [type=audio], status is Active"),
        "{caller_out}"
    );

    let wav = Wav::read(&rec).expect("the recording");
    let tone = wav.tone(1000.0, Duration::from_millis(500));
    assert!(tone.is_clear(0.5), "the recording: {tone:?}");
    let other = wav.tone(440.0, Duration::from_millis(500));
    assert!(other.share < 0.1, "not 440 Hz: {other:?}");
    // The same by the media crate's Goertzel: 1000 Hz stands out.
    let skip = (wav.rate / 2) as usize;
    let body = wav.samples.get(skip..).unwrap_or_default();
    let at = media::tone::tone_amplitude(body, wav.rate, 1000.0);
    let off = media::tone::tone_amplitude(body, wav.rate, 1500.0);
    assert!(
        at > 1000.0 && at > 10.0 * off,
        "1000 Hz {at}, 1500 Hz {off}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_ringing_call_is_answered_from_the_console_and_dtmf_and_messages_cross() {
    // --auto-answer 180: pjsua rings only when told to.
    let mut callee = Phone::start("callee", &args(&["--auto-answer", "180"]));
    let callee_addr = address(&callee);
    // The URL on the command line is called at once.
    let mut caller = Phone::start("caller", &args(&[&format!("sip:{callee_addr}")]));
    callee.wait_for("Incoming call for account");
    caller.wait_for("state changed to EARLY");
    callee.send("a 200\n");
    caller.wait_for("state changed to CONFIRMED");
    callee.wait_for("state changed to CONFIRMED");
    caller.send("# 12\n");
    callee.wait_for("Incoming DTMF on call 0: 1");
    callee.wait_for("Incoming DTMF on call 0: 2");
    caller.send("i 0 hello there\n");
    callee.wait_for("hello there");
    caller.send("H\n");
    callee.wait_for("status is Remote hold");
    caller.send("v\n");
    callee.send("d\n");
    callee.wait_for("You have 1 active call");
    caller.send("cl\n");
    caller.wait_for("Conference ports:");
    callee.send("h\n");
    caller.wait_for("is DISCONNECTED");
    callee.wait_for("is DISCONNECTED");
    // The end of the input ends the softphone, as q does.
    let (caller_code, caller_out) = caller.finish();
    callee.send("q\n");
    let (callee_code, callee_out) = callee.finish();
    assert_eq!(caller_code, Some(0), "caller:\n{caller_out}");
    assert_eq!(callee_code, Some(0), "callee:\n{callee_out}");
}

#[test]
fn a_bad_option_exits_2_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_ferrosip"))
        .args(["--no-such-option"])
        .stdin(Stdio::null())
        .output()
        .expect("ferrosip runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--no-such-option") && err.contains("--help"),
        "{err}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_ferrosip"))
        .args(["--local-port", "not-a-port"])
        .stdin(Stdio::null())
        .output()
        .expect("ferrosip runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("local-port") && err.contains("--help"),
        "{err}"
    );
}

#[test]
fn help_and_version_exit_0() {
    let out = Command::new(env!("CARGO_BIN_EXE_ferrosip"))
        .arg("--help")
        .output()
        .expect("ferrosip runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--auto-answer"));
    let out = Command::new(env!("CARGO_BIN_EXE_ferrosip"))
        .arg("--version")
        .output()
        .expect("ferrosip runs");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn stdin_at_its_end_stops_the_phone() {
    let out = Command::new(env!("CARGO_BIN_EXE_ferrosip"))
        .args(args(&["--thread-cnt", "0"]))
        .stdin(Stdio::null())
        .output()
        .expect("ferrosip runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn without_threads_a_looped_back_call_ends_after_its_duration() {
    let dir = temp_dir("loop");
    let rec = dir.join("looped.wav");
    // The callee sends back what it hears; neither side has threads of
    // its own (the console pumps the events).
    let mut callee = Phone::start(
        "callee",
        &args(&["--thread-cnt", "0", "--auto-answer", "200", "--auto-loop"]),
    );
    let callee_addr = address(&callee);
    let rec_arg = rec.to_string_lossy().into_owned();
    let mut caller = Phone::start(
        "caller",
        &args(&[
            "--thread-cnt",
            "0",
            "--duration",
            "2",
            "--play-tone",
            "700,0,1000,0",
            "--auto-play",
            "--rec-file",
            &rec_arg,
            "--auto-rec",
        ]),
    );
    let _ = address(&caller);
    // The caller waits in `sleep`, handling events; its --duration hangs up.
    caller.send(&format!("m sip:{callee_addr}\nsleep 4000\n"));
    caller.wait_for("state changed to CONFIRMED");
    callee.wait_for("state changed to CONFIRMED");
    caller.wait_for("Duration is over: hanging up call 0");
    caller.wait_for("is DISCONNECTED");
    callee.wait_for("is DISCONNECTED");
    caller.send("q\n");
    callee.send("q\n");
    let (caller_code, caller_out) = caller.finish();
    let (callee_code, callee_out) = callee.finish();
    assert_eq!(caller_code, Some(0), "caller:\n{caller_out}");
    assert_eq!(callee_code, Some(0), "callee:\n{callee_out}");
    let wav = Wav::read(&rec).expect("the recording");
    let tone = wav.tone(700.0, Duration::from_millis(500));
    assert!(tone.is_clear(0.5), "the tone came back: {tone:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn x_transfers_the_call_to_a_third_phone() {
    let mut carol = Phone::start("carol", &args(&["--auto-answer", "200"]));
    let carol_addr = address(&carol);
    let mut bob = Phone::start("bob", &args(&["--auto-answer", "200"]));
    let bob_addr = address(&bob);
    let mut alice = Phone::start("alice", &args(&[]));
    let _ = address(&alice);
    alice.send(&format!("m sip:{bob_addr}\n"));
    alice.wait_for("state changed to CONFIRMED");
    bob.wait_for("state changed to CONFIRMED");
    // An IM to the call's remote URI goes within that call.
    alice.send(&format!("i sip:{bob_addr} over to carol\n"));
    bob.wait_for("over to carol");
    alice.send(&format!("x sip:{carol_addr}\n"));
    bob.wait_for(&format!("is being transferred to sip:{carol_addr}"));
    carol.wait_for("Incoming call for account");
    carol.wait_for("state changed to CONFIRMED");
    // Bob's new call is his call 1, filed when it showed up.
    bob.wait_for("Call 1 state changed to CONFIRMED");
    alice.wait_for("transfer status=200");
    bob.send("ha\n");
    carol.wait_for("is DISCONNECTED");
    for p in [&mut alice, &mut bob, &mut carol] {
        p.send("q\n");
    }
    for p in [alice, bob, carol] {
        let name = p.name;
        let (code, out) = p.finish();
        assert_eq!(code, Some(0), "{name}:\n{out}");
    }
}

#[test]
fn registered_phones_call_each_other_through_kamailio() {
    if !interop::require("kamailio", interop::Kamailio::is_installed()) {
        return;
    }
    let kamailio = interop::Kamailio::start().expect("kamailio starts");
    let mut alice = Phone::start("alice", &{
        registered(&kamailio, "alice", &["--auto-answer", "200"])
    });
    alice.wait_for("registration success");
    let mut bob = Phone::start("bob", &registered(&kamailio, "bob", &[]));
    bob.wait_for("registration success");
    bob.send(&format!("m sip:alice@{}\n", kamailio.addr()));
    alice.wait_for("Incoming call for account");
    bob.wait_for("state changed to CONFIRMED");
    alice.wait_for("state changed to CONFIRMED");
    bob.send("h\n");
    alice.wait_for("is DISCONNECTED");
    alice.send("ru\n");
    alice.wait_for("unregistration success");
    alice.send("q\n");
    bob.send("q\n");
    for p in [alice, bob] {
        let name = p.name;
        let (code, out) = p.finish();
        assert_eq!(code, Some(0), "{name}:\n{out}");
    }
}

#[test]
fn auto_conf_joins_two_incoming_calls() {
    let dir = temp_dir("conf");
    let rec = dir.join("bob.wav");
    let mut carol = Phone::start("carol", &args(&["--auto-answer", "200", "--auto-conf"]));
    let carol_addr = address(&carol);
    let mut alice = Phone::start(
        "alice",
        &args(&["--play-tone", "600,0,1000,0", "--auto-play"]),
    );
    let rec_arg = rec.to_string_lossy().into_owned();
    let mut bob = Phone::start("bob", &args(&["--rec-file", &rec_arg, "--auto-rec"]));
    alice.send(&format!("m sip:{carol_addr}\n"));
    alice.wait_for("state changed to CONFIRMED");
    bob.send(&format!("m sip:{carol_addr}\n"));
    bob.wait_for("state changed to CONFIRMED");
    carol.wait_for("Call 1 media 0 [type=audio], status is Active");
    // Alice's tone reaches bob through carol's bridge.
    bob.send("sleep 2000\nh\n");
    bob.wait_for("is DISCONNECTED");
    for p in [&mut alice, &mut bob, &mut carol] {
        p.send("q\n");
    }
    for p in [alice, bob, carol] {
        let name = p.name;
        let (code, out) = p.finish();
        assert_eq!(code, Some(0), "{name}:\n{out}");
    }
    let wav = Wav::read(&rec).expect("the recording");
    let tone = wav.tone(600.0, Duration::from_millis(500));
    assert!(tone.is_clear(0.5), "alice's tone at bob: {tone:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn presence_options_say_that_presence_is_not_there_yet() {
    let mut phone = Phone::start(
        "phone",
        &args(&[
            "--id",
            "sip:alice@127.0.0.1",
            "--publish",
            "--add-buddy",
            "sip:bob@127.0.0.1",
        ]),
    );
    phone.wait_for("Warning: account 0: --publish: presence (PUBLISH) is not in ferrosip yet");
    phone.wait_for("Warning: --add-buddy: presence (SUBSCRIBE) is not in ferrosip yet");
    phone.send("q\n");
    let (code, out) = phone.finish();
    assert_eq!(code, Some(0), "{out}");
}
