//! The softphone against real peers: the `ferrosip` CLI, driven through
//! stdin, calls the real PJSUA2 (PyPI `pjsua2-python`, `interop::Pjsua2Peer`)
//! and baresip (`interop::Baresip`) directly on loopback, and auto-answers
//! their calls. Each side plays a tone of its own frequency (the CLI with
//! `--play-tone … --auto-play`) and records what it receives (the CLI with
//! `--rec-file … --auto-rec`); both recordings are checked for the other
//! side's tone. DTMF typed at the CLI (`#` for RFC 4733, `*` for SIP INFO)
//! reaches the peer and the peers' digits reach the CLI; in-call messages
//! cross both ways with PJSUA2; hanging up from either side ends the call
//! at both. The CLI also plays a WAV file (`--play-file`) to PJSUA2; holds
//! PJSUA2 and is held by it (`H`, `v`), the audio flowing again after;
//! is transferred by PJSUA2 to baresip (REFER); refuses (486) and answers
//! PJSUA2's calls from the console (`a`); and, registered at
//! kamailio, calls baresip and is called by it through the proxy.
//!
//! Under `CI=true` a missing peer fails the test; elsewhere it is skipped
//! with a message (`scripts/install-peers` installs them). The tests take
//! turns, so that no two calls share the machine's cores at once.

mod support;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use interop::audio::{ToneMeasure, Wav};
use interop::{Baresip, DtmfMethod, EVENT_TIMEOUT, Event, Kamailio, Pjsua2Options, Pjsua2Peer};
use support::{Phone, address, args, temp_dir};

/// The tone the CLI plays.
const CLI_TONE: f64 = 600.0;
/// The tone of the WAV file the CLI plays (`--play-file`).
const FILE_TONE: f64 = 800.0;
/// The tone the peers play.
const PEER_TONE: f64 = 1000.0;
/// How long a call carries audio before it is hung up.
const TALK: Duration = Duration::from_millis(2500);
/// What the CLI says once a call's audio flows.
const ACTIVE: &str = "Call 0 media 0 [type=audio], status is Active";
/// What is skipped at the start of a recording (the audio settling).
const SKIP: Duration = Duration::from_millis(500);

fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

fn pjsua2_installed() -> bool {
    interop::require("pjsua2", Pjsua2Peer::is_installed())
}

fn baresip_installed() -> bool {
    interop::require("baresip", Baresip::is_installed())
}

/// The PJSUA2 peer playing [`PEER_TONE`] into every call and recording
/// every call, G.711 only (its default, speex, garbles pure tones).
fn pjsua2(user: &str) -> Pjsua2Options {
    Pjsua2Peer::options()
        .user(user)
        .codecs(&["PCMU", "PCMA"])
        .tone(PEER_TONE as u32)
        .record_calls()
}

/// The CLI options that play [`CLI_TONE`] into each call and record each
/// call into `rec`, with `extra` after them.
fn cli_args(rec: &std::path::Path, extra: &[&str]) -> Vec<String> {
    let tone = format!("{},0,1000,0", CLI_TONE as u32);
    let rec = rec.to_string_lossy().into_owned();
    let mut a = args(&[
        "--play-tone",
        &tone,
        "--auto-play",
        "--rec-file",
        &rec,
        "--auto-rec",
    ]);
    a.extend(extra.iter().map(|s| (*s).to_owned()));
    a
}

/// Checks that the recording at `path` holds `freq` clearly (at least a
/// second of it) and not `other`; returns the measure.
fn check_tone(path: &std::path::Path, freq: f64, other: f64, what: &str) -> ToneMeasure {
    let wav = Wav::read(path).unwrap_or_else(|e| panic!("{what}: {}: {e}", path.display()));
    let tone = wav.tone(freq, SKIP);
    eprintln!(
        "{what}: {freq} Hz: {:.2} s, rms {:.0}, share {:.3}",
        tone.seconds, tone.rms, tone.share
    );
    assert!(tone.is_clear(1.0), "{what}: {freq} Hz: {tone:?}");
    let not = wav.tone(other, SKIP);
    assert!(not.share < 0.1, "{what}: not {other} Hz: {not:?}");
    tone
}

/// Quits the CLI and checks it exits 0; returns what it printed.
fn quit(mut phone: Phone) -> String {
    phone.send("q\n");
    let name = phone.name;
    let (code, out) = phone.finish();
    assert_eq!(code, Some(0), "{name}:\n{out}");
    out
}

/// Waits for a baresip event of type `kind`, ignoring the others.
fn baresip_event(baresip: &mut Baresip, kind: &str) -> Event {
    baresip
        .expect(|e| e.is(kind), EVENT_TIMEOUT)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn pjsua2_calls_the_auto_answering_cli_and_tones_cross_both_ways() {
    if !pjsua2_installed() {
        return;
    }
    let _turn = serial();
    let dir = temp_dir("pjsua2-in");
    let rec = dir.join("from-pjsua2.wav");
    let cli = Phone::start("cli", &cli_args(&rec, &["--auto-answer", "200"]));
    let cli_addr = address(&cli);
    let mut alice = pjsua2("alice").start().expect("PJSUA2 starts");
    let call = alice.make_call(&format!("sip:{cli_addr}")).unwrap();
    cli.wait_for("Incoming call for account");
    cli.wait_for("Call 0 state changed to CONFIRMED");
    alice.expect_call_state(call, "CONFIRMED").unwrap();
    alice.expect_media_state(call, "active").unwrap();
    // PJSUA2's digits, by RFC 4733 and by SIP INFO, and a message in the
    // call reach the CLI.
    alice.dial_dtmf(call, "42").unwrap();
    cli.wait_for("Incoming DTMF on call 0: 4");
    cli.wait_for("Incoming DTMF on call 0: 2");
    alice.send_dtmf(call, "8", DtmfMethod::SipInfo).unwrap();
    cli.wait_for("Incoming DTMF on call 0: 8");
    alice.send_im(call, "hello from pjsua2").unwrap();
    let im = cli.wait_for("hello from pjsua2");
    assert!(im.contains("MESSAGE from"), "{im}");
    let status = alice.expect_call_event(call, "im_status").unwrap();
    assert_eq!(status.u64("code"), Some(200), "{status}");
    std::thread::sleep(TALK);
    // PJSUA2 hangs up: the CLI sees the BYE.
    alice.hangup(call, 0).unwrap();
    let ended = alice.expect_call_state(call, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(200), "{ended}");
    cli.wait_for("Call 0 is DISCONNECTED [reason=200");
    let out = quit(cli);
    assert!(out.contains(ACTIVE), "{out}");

    check_tone(&rec, PEER_TONE, CLI_TONE, "the CLI heard PJSUA2");
    check_tone(
        &alice.call_recording(call),
        CLI_TONE,
        PEER_TONE,
        "PJSUA2 heard the CLI",
    );
    let _ = alice.quit();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_cli_calls_pjsua2_sends_dtmf_and_hangs_up_with_tones_both_ways() {
    if !pjsua2_installed() {
        return;
    }
    let _turn = serial();
    let dir = temp_dir("pjsua2-out");
    let rec = dir.join("from-pjsua2.wav");
    let mut bob = pjsua2("bob")
        .auto_answer(200)
        .start()
        .expect("PJSUA2 starts");
    let cli_args = cli_args(&rec, &[]);
    let mut cli = Phone::start("cli", &cli_args);
    let _ = address(&cli);
    cli.send(&format!("m {}\n", bob.uri()));
    let incoming = bob.expect_kind("incoming_call").unwrap();
    let call = incoming.call().unwrap();
    // The offer's audio is on the --rtp-port given (the local account
    // takes the RTP options, as pjsua's does).
    let rtp_port = cli_args
        .iter()
        .position(|a| a == "--rtp-port")
        .and_then(|i| cli_args.get(i + 1))
        .expect("--rtp-port");
    let sdp = incoming.str("sdp").unwrap_or_default();
    assert!(
        sdp.contains(&format!("m=audio {rtp_port} RTP/AVP")),
        "{sdp}"
    );
    cli.wait_for("Call 0 state changed to CONFIRMED");
    bob.expect_call_state(call, "CONFIRMED").unwrap();
    bob.expect_media_state(call, "active").unwrap();
    // RFC 4733 digits, then one by SIP INFO.
    cli.send("# 19\n");
    for digit in ["1", "9"] {
        let got = bob
            .expect(
                |e| e.is("dtmf") && e.call() == Some(call) && e.str("digit") == Some(digit),
                EVENT_TIMEOUT,
            )
            .unwrap();
        assert_eq!(got.str("method"), Some("rfc2833"), "{got}");
    }
    cli.send("* 5\n");
    let got = bob
        .expect(
            |e| e.is("dtmf") && e.call() == Some(call) && e.str("digit") == Some("5"),
            EVENT_TIMEOUT,
        )
        .unwrap();
    assert_eq!(got.str("method"), Some("sip_info"), "{got}");
    // A message to the current call's peer (`0`: the current dialog).
    cli.send("i 0 hello from the cli\n");
    let im = bob.expect_call_event(call, "instant_message").unwrap();
    assert_eq!(im.str("body"), Some("hello from the cli"), "{im}");
    cli.wait_for("Delivery status of MESSAGE on call 0: 200");
    std::thread::sleep(TALK);
    // The CLI hangs up: PJSUA2 sees the BYE.
    cli.send("h\n");
    cli.wait_for("Call 0 is DISCONNECTED [reason=200");
    let ended = bob.expect_call_state(call, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(200), "{ended}");
    let out = quit(cli);
    assert!(out.contains(ACTIVE), "{out}");

    check_tone(&rec, PEER_TONE, CLI_TONE, "the CLI heard PJSUA2");
    check_tone(
        &bob.call_recording(call),
        CLI_TONE,
        PEER_TONE,
        "PJSUA2 heard the CLI",
    );
    let _ = bob.quit();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_cli_plays_a_wav_file_to_pjsua2_and_records_its_tone() {
    if !pjsua2_installed() {
        return;
    }
    let _turn = serial();
    let dir = temp_dir("pjsua2-file");
    let file = dir.join("tone.wav");
    interop::audio::write_tone_wav(&file, FILE_TONE, 16_000, 5.0, 16384).expect("the tone file");
    let rec = dir.join("from-pjsua2.wav");
    let file_arg = file.to_string_lossy().into_owned();
    let rec_arg = rec.to_string_lossy().into_owned();
    let mut bob = pjsua2("bob")
        .auto_answer(200)
        .start()
        .expect("PJSUA2 starts");
    let mut cli = Phone::start(
        "cli",
        &args(&[
            "--play-file",
            &file_arg,
            "--auto-play",
            "--rec-file",
            &rec_arg,
            "--auto-rec",
        ]),
    );
    let _ = address(&cli);
    cli.send(&format!("m {}\n", bob.uri()));
    let incoming = bob.expect_kind("incoming_call").unwrap();
    let call = incoming.call().unwrap();
    cli.wait_for("Call 0 state changed to CONFIRMED");
    bob.expect_call_state(call, "CONFIRMED").unwrap();
    std::thread::sleep(TALK);
    // PJSUA2 hangs up this time.
    bob.hangup(call, 0).unwrap();
    bob.expect_call_state(call, "DISCONNECTED").unwrap();
    cli.wait_for("Call 0 is DISCONNECTED [reason=200");
    let out = quit(cli);
    assert!(out.contains(ACTIVE), "{out}");

    check_tone(
        &bob.call_recording(call),
        FILE_TONE,
        PEER_TONE,
        "PJSUA2 heard the CLI's file",
    );
    check_tone(&rec, PEER_TONE, FILE_TONE, "the CLI heard PJSUA2");
    let _ = bob.quit();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_cli_and_pjsua2_hold_and_resume_each_other() {
    if !pjsua2_installed() {
        return;
    }
    let _turn = serial();
    let dir = temp_dir("pjsua2-hold");
    let rec = dir.join("from-pjsua2.wav");
    let mut bob = pjsua2("bob")
        .auto_answer(200)
        .start()
        .expect("PJSUA2 starts");
    let mut cli = Phone::start("cli", &cli_args(&rec, &[]));
    let _ = address(&cli);
    cli.send(&format!("m {}\n", bob.uri()));
    let incoming = bob.expect_kind("incoming_call").unwrap();
    let call = incoming.call().unwrap();
    cli.wait_for("Call 0 state changed to CONFIRMED");
    bob.expect_media_state(call, "active").unwrap();

    // The CLI holds (a re-INVITE with a=sendonly): PJSUA2 is held.
    cli.send("H\n");
    cli.wait_for("Call 0 media 0 [type=audio], status is Local hold");
    let held = bob.expect_media_state(call, "remote_hold").unwrap();
    assert_eq!(held.str("dir"), Some("recvonly"), "{held}");
    // `v` releases it.
    cli.send("v\n");
    cli.wait_for(ACTIVE);
    let back = bob.expect_media_state(call, "active").unwrap();
    assert_eq!(back.str("dir"), Some("sendrecv"), "{back}");

    // PJSUA2 holds: the CLI is held, then resumed.
    bob.hold(call).unwrap();
    cli.wait_for("Call 0 media 0 [type=audio], status is Remote hold");
    bob.expect_media_state(call, "local_hold").unwrap();
    bob.unhold(call).unwrap();
    cli.wait_for(ACTIVE);
    bob.expect_media_state(call, "active").unwrap();

    // The audio flows again both ways: measured on fresh recordings.
    let after = bob.run_dir().join("after-hold.wav");
    bob.record(call, &after).unwrap();
    std::thread::sleep(TALK);
    bob.stop_record(call).unwrap();
    cli.send("h\n");
    cli.wait_for("Call 0 is DISCONNECTED [reason=200");
    bob.expect_call_state(call, "DISCONNECTED").unwrap();
    quit(cli);
    check_tone(
        &after,
        CLI_TONE,
        PEER_TONE,
        "PJSUA2 heard the CLI after the hold",
    );
    check_tone(&rec, PEER_TONE, CLI_TONE, "the CLI heard PJSUA2");
    let _ = bob.quit();
    let _ = std::fs::remove_dir_all(&dir);
}

/// baresip playing [`PEER_TONE`] and recording its calls.
fn baresip_options(user: &str) -> interop::BaresipOptions {
    Baresip::options()
        .user(user)
        .tone(PEER_TONE, 60.0)
        .record(true)
}

/// [`baresip_options`], started with a local account.
fn baresip(user: &str) -> Baresip {
    baresip_options(user).start().expect("baresip starts")
}

/// What baresip received in its last call, checked for the CLI's tone.
fn check_baresip_heard(baresip: &Baresip) {
    let wavs = baresip.received_wavs().expect("baresip's dumps");
    let last = wavs.last().expect("baresip recorded the call");
    check_tone(last, CLI_TONE, PEER_TONE, "baresip heard the CLI");
}

#[test]
fn baresip_calls_the_auto_answering_cli_and_tones_cross_both_ways() {
    if !baresip_installed() {
        return;
    }
    let _turn = serial();
    let dir = temp_dir("baresip-in");
    let rec = dir.join("from-baresip.wav");
    let cli = Phone::start("cli", &cli_args(&rec, &["--auto-answer", "200"]));
    let cli_addr = address(&cli);
    let mut carol = baresip("carol");
    // baresip takes a URI without a user part for a user name.
    carol.dial(&format!("sip:cli@{cli_addr}")).unwrap();
    cli.wait_for("Incoming call for account");
    cli.wait_for("Call 0 state changed to CONFIRMED");
    baresip_event(&mut carol, "CALL_ESTABLISHED");
    // baresip's RFC 4733 digit reaches the CLI.
    carol.send_dtmf("3").unwrap();
    cli.wait_for("Incoming DTMF on call 0: 3");
    std::thread::sleep(TALK);
    // baresip hangs up: the CLI sees the BYE.
    carol.hangup().unwrap();
    cli.wait_for("Call 0 is DISCONNECTED [reason=200");
    baresip_event(&mut carol, "CALL_CLOSED");
    let out = quit(cli);
    assert!(out.contains(ACTIVE), "{out}");

    check_tone(&rec, PEER_TONE, CLI_TONE, "the CLI heard baresip");
    check_baresip_heard(&carol);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_cli_calls_auto_answering_baresip_sends_dtmf_and_tones_cross_both_ways() {
    if !baresip_installed() {
        return;
    }
    let _turn = serial();
    let dir = temp_dir("baresip-out");
    let rec = dir.join("from-baresip.wav");
    let mut bob = baresip("bob");
    let mut cli = Phone::start("cli", &cli_args(&rec, &[]));
    let _ = address(&cli);
    cli.send(&format!("m {}\n", bob.uri()));
    cli.wait_for("Call 0 state changed to CONFIRMED");
    baresip_event(&mut bob, "CALL_ESTABLISHED");
    cli.send("# 7\n");
    let digit = baresip_event(&mut bob, "CALL_DTMF_START");
    assert_eq!(digit.str("param"), Some("7"), "{digit}");
    std::thread::sleep(TALK);
    // The CLI hangs up: baresip sees the BYE.
    cli.send("h\n");
    cli.wait_for("Call 0 is DISCONNECTED [reason=200");
    baresip_event(&mut bob, "CALL_CLOSED");
    let out = quit(cli);
    assert!(out.contains(ACTIVE), "{out}");

    check_tone(&rec, PEER_TONE, CLI_TONE, "the CLI heard baresip");
    check_baresip_heard(&bob);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The CLI options of `user` registering at `kamailio` (password
/// `<user>pw`), playing and recording as [`cli_args`].
fn registered(kamailio: &Kamailio, rec: &std::path::Path, user: &str) -> Vec<String> {
    let addr = kamailio.addr();
    cli_args(
        rec,
        &[
            "--id",
            &format!("sip:{user}@{}", kamailio.domain()),
            "--registrar",
            &format!("sip:{addr}"),
            "--proxy",
            &format!("sip:{addr};lr"),
            "--realm",
            "*",
            "--username",
            user,
            "--password",
            &format!("{user}pw"),
            "--auto-answer",
            "200",
        ],
    )
}

#[test]
fn registered_at_kamailio_the_cli_and_baresip_call_each_other_through_it() {
    if !(interop::require("kamailio", Kamailio::is_installed()) && baresip_installed()) {
        return;
    }
    let _turn = serial();
    let kamailio = Kamailio::start().expect("kamailio starts");
    let dir = temp_dir("kamailio");
    let rec = dir.join("from-baresip.wav");
    let mut bob = baresip_options("bob")
        .register(kamailio.addr(), "bob", "bobpw")
        .start()
        .expect("baresip starts and registers");
    let mut cli = Phone::start("alice", &registered(&kamailio, &rec, "alice"));
    cli.wait_for("registration success");

    // The CLI calls bob's AOR: kamailio challenges, then finds baresip.
    cli.send(&format!("m sip:bob@{}\n", kamailio.domain()));
    cli.wait_for("Call 0 state changed to CONFIRMED");
    baresip_event(&mut bob, "CALL_ESTABLISHED");
    std::thread::sleep(TALK);
    cli.send("h\n");
    cli.wait_for("Call 0 is DISCONNECTED [reason=200");
    baresip_event(&mut bob, "CALL_CLOSED");
    check_baresip_heard(&bob);
    let first = bob.received_wavs().expect("baresip's dumps").len();

    // baresip calls alice's AOR through kamailio; the CLI auto-answers and
    // records on into the same file (`--rec-file` is one recorder for all
    // calls). (Which call id the
    // CLI gives it is not checked: PJSUA hands call ids out round-robin,
    // ferrosip reuses the lowest free one.) baresip's dumps are named by
    // the second: let a new one begin.
    std::thread::sleep(Duration::from_millis(1100));
    bob.dial(&format!("sip:alice@{}", kamailio.domain()))
        .unwrap();
    cli.wait_for("Incoming call for account");
    cli.wait_for("state changed to CONFIRMED");
    baresip_event(&mut bob, "CALL_ESTABLISHED");
    std::thread::sleep(TALK);
    bob.hangup().unwrap();
    cli.wait_for("is DISCONNECTED [reason=200");
    baresip_event(&mut bob, "CALL_CLOSED");
    assert_eq!(
        bob.received_wavs().expect("baresip's dumps").len(),
        first + 1,
        "baresip recorded the second call apart"
    );
    check_baresip_heard(&bob);
    let out = quit(cli);
    assert!(out.contains(ACTIVE), "{out}");
    check_tone(&rec, PEER_TONE, CLI_TONE, "the CLI heard baresip");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pjsua2_transfers_the_cli_to_baresip_and_tones_cross_on_the_new_call() {
    if !(pjsua2_installed() && baresip_installed()) {
        return;
    }
    let _turn = serial();
    let dir = temp_dir("transfer");
    let rec = dir.join("received.wav");
    let mut carol = baresip("carol");
    let mut cli = Phone::start("cli", &cli_args(&rec, &["--auto-answer", "200"]));
    let cli_addr = address(&cli);
    let mut alice = pjsua2("alice").start().expect("PJSUA2 starts");
    let call = alice.make_call(&format!("sip:{cli_addr}")).unwrap();
    cli.wait_for("Call 0 state changed to CONFIRMED");
    alice.expect_call_state(call, "CONFIRMED").unwrap();

    // PJSUA2 sends a REFER to baresip: the CLI calls it (its call 1).
    alice.xfer(call, carol.uri()).unwrap();
    cli.wait_for(&format!("Call 0 is being transferred to {}", carol.uri()));
    cli.wait_for("Call 1 state changed to CONFIRMED");
    baresip_event(&mut carol, "CALL_ESTABLISHED");
    let done = alice
        .expect(
            |e| e.is("transfer_status") && e.bool("final") == Some(true),
            EVENT_TIMEOUT,
        )
        .unwrap();
    assert_eq!(done.u64("code"), Some(200), "{done}");
    // PJSUA2 ends the old call; the new one goes on.
    alice.hangup(call, 0).unwrap();
    cli.wait_for("Call 0 is DISCONNECTED");
    alice.expect_call_state(call, "DISCONNECTED").unwrap();
    std::thread::sleep(TALK);
    cli.send("h\n");
    cli.wait_for("Call 1 is DISCONNECTED [reason=200");
    baresip_event(&mut carol, "CALL_CLOSED");
    quit(cli);
    check_baresip_heard(&carol);
    check_tone(
        &rec,
        PEER_TONE,
        CLI_TONE,
        "the CLI heard PJSUA2, then baresip",
    );
    let _ = alice.quit();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pjsua2_calls_are_refused_and_answered_from_the_console() {
    if !pjsua2_installed() {
        return;
    }
    let _turn = serial();
    let dir = temp_dir("pjsua2-answer");
    let rec = dir.join("from-pjsua2.wav");
    let mut cli = Phone::start("cli", &cli_args(&rec, &[]));
    let cli_addr = address(&cli);
    let mut alice = pjsua2("alice").start().expect("PJSUA2 starts");

    // Refused with 486. (As pjsua, the CLI files the call as its current
    // one, which `a` acts on, before it prints "Incoming call".)
    let call = alice.make_call(&format!("sip:{cli_addr}")).unwrap();
    cli.wait_for("Incoming call for account");
    cli.wait_for("Call 0 state changed to INCOMING");
    cli.send("a 486\n");
    let ended = alice.expect_call_state(call, "DISCONNECTED").unwrap();
    assert_eq!(ended.u64("code"), Some(486), "{ended}");
    cli.wait_for("Call 0 is DISCONNECTED [reason=486");

    // Answered with 200; an UPDATE from each side; PJSUA2 hangs up.
    let call = alice.make_call(&format!("sip:{cli_addr}")).unwrap();
    cli.wait_for("Incoming call for account");
    cli.wait_for("state changed to INCOMING");
    cli.send("a 200\n");
    cli.wait_for("state changed to CONFIRMED");
    alice.expect_call_state(call, "CONFIRMED").unwrap();
    alice.expect_media_state(call, "active").unwrap();
    cli.send("U\n");
    alice.expect_call_event(call, "rx_offer").unwrap();
    alice.expect_media_state(call, "active").unwrap();
    cli.wait_for("media 0 [type=audio], status is Active");
    alice.update(call).unwrap();
    cli.wait_for("media 0 [type=audio], status is Active");
    std::thread::sleep(TALK);
    alice.hangup(call, 0).unwrap();
    alice.expect_call_state(call, "DISCONNECTED").unwrap();
    cli.wait_for("is DISCONNECTED [reason=200");
    quit(cli);
    check_tone(&rec, PEER_TONE, CLI_TONE, "the CLI heard PJSUA2");
    check_tone(
        &alice.call_recording(call),
        CLI_TONE,
        PEER_TONE,
        "PJSUA2 heard the CLI",
    );
    let _ = alice.quit();
    let _ = std::fs::remove_dir_all(&dir);
}
