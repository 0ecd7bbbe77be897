//! The softphone's console commands that `softphone.rs` does not test, as
//! a user types them: `M` (many calls), `]`/`[` (next/previous call), `h`
//! on the selected call, `ha` (hang up all), `H` (hold) with its state in
//! `d` and `dq`, `v` (re-INVITE) and `U` (UPDATE) reaching the other
//! phone, `V` (volume), `Cp` (codec priority, seen in the codec the next
//! call uses), `dc` and `f` (the saved file is a config `--config-file`
//! loads back), `X` (attended transfer), `rr`/`ru` at a registrar
//! (kamailio, skipped where it is not installed) and without one, the
//! call commands without a call, `sleep` and `q`. Each test runs
//! `ferrosip` processes on loopback and checks what they print.

mod support;

use support::{Phone, address, args, registered, temp_dir};

/// Starts a phone and returns it with its SIP address.
fn phone(name: &'static str, extra: &[&str]) -> (Phone, String) {
    let p = Phone::start(name, &args(extra));
    let addr = address(&p);
    (p, addr)
}

/// Sends `q` to each phone and checks that it exits with 0.
fn quit_all(phones: Vec<Phone>) {
    for mut p in phones {
        p.send("q\n");
        let name = p.name;
        let (code, out) = p.exit_by_itself();
        assert_eq!(code, Some(0), "{name}:\n{out}");
    }
}

#[test]
fn m_makes_many_calls_brackets_select_one_h_ends_it_and_ha_the_rest() {
    let (callee, callee_addr) = phone("callee", &["--auto-answer", "200"]);
    let (mut caller, _) = phone("caller", &[]);

    let out = caller.run(&format!("M 3 sip:{callee_addr}"));
    for id in 0..3 {
        assert!(
            out.contains(&format!("Call {id} to sip:{callee_addr} started")),
            "{out}"
        );
    }
    caller.wait_count("state changed to CONFIRMED", 3);
    callee.wait_count("state changed to CONFIRMED", 3);
    callee.wait_count("Incoming call for account", 3);

    // The last call made is the current one.
    let out = caller.run("d");
    assert!(out.contains("You have 3 active calls"), "{out}");
    assert!(out.contains("*[ 2] CONFIRMED"), "{out}");
    // ] goes on (wrapping round), [ goes back.
    for (key, now) in [("]", 0), ("]", 1), ("[", 0), ("[", 2), ("[", 1)] {
        let out = caller.run(key);
        assert!(
            out.contains(&format!(
                "Current call is now call {now} (CONFIRMED sip:{callee_addr})"
            )),
            "{key}: {out}"
        );
    }
    let out = caller.run("call list");
    assert!(out.contains("*[ 1] CONFIRMED"), "{out}");

    // h hangs up the selected call only.
    caller.run("h");
    caller.wait_count("Call 1 is DISCONNECTED", 1);
    callee.wait_count("is DISCONNECTED", 1);
    let out = caller.run("d");
    assert!(out.contains("You have 2 active calls"), "{out}");
    assert!(
        out.contains("[ 0] CONFIRMED") && out.contains("[ 2] CONFIRMED"),
        "{out}"
    );
    assert!(!out.contains("[ 1]"), "{out}");

    // ha hangs up the others.
    caller.run("ha");
    caller.wait_count("is DISCONNECTED", 3);
    callee.wait_count("is DISCONNECTED", 3);
    let out = caller.run("d");
    assert!(out.contains("You have no active call"), "{out}");
    quit_all(vec![caller, callee]);
}

#[test]
fn a_answers_the_ringing_call_selected_with_a_bracket_and_ha_declines_the_other() {
    // --auto-answer 180: pjsua rings only when told to.
    let (mut callee, callee_addr) = phone("callee", &["--auto-answer", "180"]);
    let buddy = format!("sip:{callee_addr}");
    let (mut caller, _) = phone("caller", &["--add-buddy", &buddy]);
    // M to buddy 1.
    let out = caller.run("M 2 1");
    assert!(out.contains(&format!("Call 1 to {buddy} started")), "{out}");
    callee.wait_count("state changed to EARLY", 2);
    caller.wait_count("state changed to EARLY (180 Ringing)", 2);
    let out = callee.run("]");
    assert!(out.contains("Current call is now call 1 (EARLY"), "{out}");
    callee.run("a 200");
    callee.wait_count("Call 1 state changed to CONFIRMED", 1);
    caller.wait_count("state changed to CONFIRMED", 1);
    let out = callee.run("d");
    assert!(
        out.contains("[ 0] EARLY") && out.contains("*[ 1] CONFIRMED"),
        "{out}"
    );
    // ha: the ringing call is declined, the answered one hung up.
    callee.run("ha");
    caller.wait_count("is DISCONNECTED", 2);
    let out = caller.transcript();
    assert!(
        out.contains("is DISCONNECTED [reason=603 (Decline)]"),
        "{out}"
    );
    assert!(out.contains("is DISCONNECTED [reason=200"), "{out}");
    quit_all(vec![caller, callee]);
}

#[test]
fn m_stops_at_max_calls_and_says_which_calls_were_made() {
    let (callee, callee_addr) = phone("callee", &["--auto-answer", "200"]);
    let (mut caller, _) = phone("caller", &["--max-calls", "2"]);
    let out = caller.run(&format!("M 3 sip:{callee_addr}"));
    assert!(
        out.contains(&format!("Call 0 to sip:{callee_addr} started"))
            && out.contains(&format!("Call 1 to sip:{callee_addr} started")),
        "{out}"
    );
    assert!(
        out.contains("error: M (make multiple calls): call 3 of 3:") && out.contains("maxCalls"),
        "{out}"
    );
    // The two calls go on.
    caller.wait_count("state changed to CONFIRMED", 2);
    callee.wait_count("state changed to CONFIRMED", 2);
    let out = caller.run("d");
    assert!(out.contains("You have 2 active calls"), "{out}");
    quit_all(vec![caller, callee]);
}

#[test]
fn h_holds_the_call_in_d_and_dq_and_v_and_u_reach_the_other_phone() {
    let dir = temp_dir("hold");
    let log = dir.join("callee.log");
    let log_arg = log.to_string_lossy().into_owned();
    // The callee logs the SIP messages it gets (level 4) to a file.
    let (mut callee, callee_addr) = phone(
        "callee",
        &[
            "--auto-answer",
            "200",
            "--log-file",
            &log_arg,
            "--log-level",
            "4",
        ],
    );
    let (mut caller, _) = phone("caller", &[]);
    caller.run(&format!("m sip:{callee_addr}"));
    caller.wait_count("state changed to CONFIRMED", 1);
    callee.wait_count("state changed to CONFIRMED", 1);
    callee.wait_count("status is Active", 1);

    let out = caller.run("dq");
    assert!(
        out.contains("[CONFIRMED]") && out.contains("sendrecv"),
        "{out}"
    );

    caller.run("H");
    caller.wait_count("Call 0 media 0 [type=audio], status is Local hold", 1);
    callee.wait_count("Call 0 media 0 [type=audio], status is Remote hold", 1);
    let out = caller.run("d");
    assert!(
        out.contains("You have 1 active call") && out.contains("*[ 0] CONFIRMED"),
        "{out}"
    );
    assert!(out.contains("(media Local hold)"), "{out}");
    let out = caller.run("dq");
    assert!(out.contains("sendonly"), "{out}");
    let out = callee.run("d");
    assert!(out.contains("(media Remote hold)"), "{out}");
    let out = callee.run("dq");
    assert!(out.contains("recvonly"), "{out}");

    // v: the re-INVITE releases the hold, on both sides.
    caller.run("v");
    caller.wait_count("status is Active", 2);
    callee.wait_count("status is Active", 2);
    for p in [&mut caller, &mut callee] {
        let out = p.run("d");
        assert!(out.contains("(media Active)"), "{}: {out}", p.name);
        let out = p.run("dq");
        assert!(out.contains("sendrecv"), "{}: {out}", p.name);
    }

    // U: an UPDATE with an offer; the callee's media is renegotiated.
    caller.run("U");
    callee.wait_count("status is Active", 3);
    let out = callee.run("d");
    assert!(out.contains("(media Active)"), "{out}");

    caller.run("h");
    callee.wait_count("is DISCONNECTED", 1);
    quit_all(vec![caller, callee]);

    let log = std::fs::read_to_string(&log).expect("the callee's log");
    let received = |method: &str| {
        log.lines()
            .filter(|l| l.starts_with("RX") || l.contains(" RX "))
            .filter(|l| l.contains(&format!("bytes {method} sip:")))
            .count()
    };
    // The first INVITE, the hold, the unhold.
    assert!(received("INVITE") >= 3, "{log}");
    assert!(received("UPDATE") >= 1, "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn v_sets_and_shows_levels_cp_sets_priorities_and_call_commands_need_a_call() {
    let (mut p, _) = phone("phone", &[]);

    let out = p.run("V 0.5 2");
    assert!(
        out.contains("Mic level: 0.5x, speaker level: 2.0x"),
        "{out}"
    );
    // Asked for, V shows the levels first; an empty answer keeps one.
    let out = p.run("V\n\n1.5");
    assert!(
        out.contains("Mic level: 0.5x, speaker level: 2.0x\nAdjust mic level"),
        "{out}"
    );
    assert!(
        out.contains("Mic level: 0.5x, speaker level: 1.5x"),
        "{out}"
    );
    let out = p.run("V abc");
    assert!(out.contains("bad mic level \"abc\""), "{out}");

    // Cp asked for lists the codecs; the answer lists the ones changed.
    let out = p.run("Cp\nPCMU\n0");
    assert!(out.contains("List of audio codecs:"), "{out}");
    assert!(
        out.contains("PCMU/8000/1") && out.contains("G722/16000/1"),
        "{out}"
    );
    let after = out.rsplit("List of audio codecs:").next().unwrap_or("");
    assert!(after.contains("  0  PCMU/8000/1"), "{out}");
    assert!(!after.contains("PCMA"), "only PCMU changed: {out}");
    let out = p.run("Cp nosuch 5");
    assert!(
        out.contains("error: Cp (codec priorities)") && out.contains("nosuch"),
        "{out}"
    );

    // The call commands without a call.
    for key in ["H", "v", "U", "dq", "]", "[", "h", "# 1", "X 1"] {
        let out = p.run(key);
        assert!(out.contains("No current call"), "{key}: {out}");
    }
    let out = p.run("ha\nd");
    assert!(!out.contains("error"), "{out}");
    assert!(out.contains("You have no active call"), "{out}");

    // rr and ru need a registrar; the phone says so and goes on.
    for key in ["rr", "ru"] {
        let out = p.run(key);
        assert!(
            out.contains(&format!("error: {key} (")) && out.contains("no registrar"),
            "{key}: {out}"
        );
    }
    let out = p.run("l");
    assert!(out.contains("not registered"), "{out}");

    // q quits at once, stdin still open.
    p.send("q\n");
    let (code, out) = p.exit_by_itself();
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn cp_decides_the_codec_of_the_next_call() {
    let (callee, callee_addr) = phone("callee", &["--auto-answer", "200"]);
    let (mut caller, _) = phone("caller", &[]);
    caller.run("Cp PCMU 0\nCp PCMA 0");
    caller.run(&format!("m sip:{callee_addr}"));
    caller.wait_count("state changed to CONFIRMED", 1);
    let out = caller.run("dq");
    assert!(out.contains("#0 audio G722"), "{out}");
    caller.run("h");
    caller.wait_count("is DISCONNECTED", 1);

    let out = caller.run("Cp pcmu 200");
    assert!(out.contains("200  PCMU/8000/1"), "{out}");
    caller.run(&format!("m sip:{callee_addr}"));
    caller.wait_count("state changed to CONFIRMED", 2);
    let out = caller.run("dq");
    assert!(out.contains("#0 audio PCMU"), "{out}");
    quit_all(vec![caller, callee]);
}

#[test]
fn f_saves_the_config_dc_shows_and_config_file_loads_back() {
    let dir = temp_dir("config");
    let saved = dir.join("saved.cfg");
    let again = dir.join("again.cfg");
    let (mut alice, _) = phone(
        "alice",
        &[
            "--id",
            "Alice <sip:alice@127.0.0.1>",
            "--auto-answer",
            "200",
            "--max-calls",
            "3",
            "--duration",
            "30",
        ],
    );
    let shown = alice.run("dc");
    let out = alice.run(&format!("f {}", saved.display()));
    assert!(
        out.contains(&format!("Settings saved to {}", saved.display())),
        "{out}"
    );
    quit_all(vec![alice]);

    let file = std::fs::read_to_string(&saved).expect("the saved config");
    for line in [
        "--id \"Alice <sip:alice@127.0.0.1>\"",
        "--auto-answer 200",
        "--max-calls 3",
        "--duration 30",
        "--null-audio",
        "--ip-addr 127.0.0.1",
        "--no-tcp",
    ] {
        assert!(file.lines().any(|l| l == line), "{line}:\n{file}");
    }
    // dc shows what f saves.
    for line in file.lines().filter(|l| !l.is_empty()) {
        assert!(shown.contains(line), "dc lacks {line:?}:\n{shown}");
    }

    // Loaded back, it is the same config, and the phone works with it.
    let loaded = Phone::start(
        "loaded",
        &["--config-file".to_owned(), saved.to_string_lossy().into()],
    );
    let loaded_addr = address(&loaded);
    let mut loaded = loaded;
    loaded.wait_count("Alice <sip:alice@127.0.0.1>", 1);
    let out = loaded.run(&format!("f {}", again.display()));
    assert!(out.contains("Settings saved to"), "{out}");
    let file_again = std::fs::read_to_string(&again).expect("saved again");
    assert_eq!(file_again, file);
    let (mut caller, _) = phone("caller", &[]);
    caller.run(&format!("m sip:{loaded_addr}"));
    // It answers by itself: its --auto-answer came from the file.
    caller.wait_count("state changed to CONFIRMED", 1);
    loaded.wait_count("state changed to CONFIRMED", 1);
    caller.run("h");
    loaded.wait_count("is DISCONNECTED", 1);
    quit_all(vec![caller, loaded]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sleep_handles_events_and_q_hangs_up_and_quits() {
    let (callee, callee_addr) = phone("callee", &["--auto-answer", "200"]);
    // No threads of its own: only the console's waiting handles events.
    let (mut caller, _) = phone("caller", &["--thread-cnt", "0"]);
    // All at once: d runs after sleep, which handled the call's events.
    let out = caller.run(&format!("m sip:{callee_addr}\nsleep 1500\nd"));
    assert!(out.contains("Call 0 state changed to CONFIRMED"), "{out}");
    assert!(out.contains("*[ 0] CONFIRMED"), "{out}");
    // q with a call up: hung up, then the phone exits.
    caller.send("q\n");
    callee.wait_count("Call 0 is DISCONNECTED", 1);
    let (code, out) = caller.exit_by_itself();
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("Call 0 is DISCONNECTED"), "{out}");
    quit_all(vec![callee]);
}

/// Alice talks to bob (her call 0) and carol (her call 1), then `X`
/// transfers bob to carol, replacing her call with carol.
fn attended_transfer() -> (Phone, Phone, Phone, String, String) {
    let (bob, bob_addr) = phone("bob", &["--auto-answer", "200"]);
    let (carol, carol_addr) = phone("carol", &["--auto-answer", "200"]);
    let (mut alice, _) = phone("alice", &[]);
    alice.run(&format!("m sip:{bob_addr}"));
    alice.wait_count("Call 0 state changed to CONFIRMED", 1);
    alice.run(&format!("m sip:{carol_addr}"));
    alice.wait_count("Call 1 state changed to CONFIRMED", 1);
    carol.wait_count("Call 0 state changed to CONFIRMED", 1);
    let out = alice.run("[");
    assert!(out.contains("Current call is now call 0"), "{out}");
    let out = alice.run("X 0");
    assert!(out.contains("Call 0 is the current call"), "{out}");
    // Asked for, X lists the calls first.
    let out = alice.run("X\n1");
    assert!(
        out.contains(&format!("[ 1] CONFIRMED sip:{carol_addr}")),
        "{out}"
    );
    (alice, bob, carol, bob_addr, carol_addr)
}

#[test]
fn x_transfers_the_current_call_to_another_calls_party_with_replaces() {
    let (alice, bob, carol, _, carol_addr) = attended_transfer();
    bob.wait_count(
        &format!("Call 0 is being transferred to sip:{carol_addr}"),
        1,
    );
    bob.wait_count("state changed to CONFIRMED", 1);
    carol.wait_count("Call 0 is being replaced by call 1", 1);
    carol.wait_count("Call 0 is DISCONNECTED", 1);
    alice.wait_count("Call 1 is DISCONNECTED", 1);
    alice.wait_count("Call 0: transfer status=200", 1);
    quit_all(vec![alice, bob, carol]);
}

/// What pjsua also does after an attended transfer, which needs the
/// softphone's event handlers (`softphone/events.rs`): the transferor
/// hangs up once the transfer succeeded, and the replacing call is the
/// transfer target's call like any other.
#[test]
fn x_leaves_bob_and_carol_talking_and_alice_with_no_call() {
    let (mut alice, bob, mut carol, _, _) = attended_transfer();
    carol.wait_count("Call 1 state changed to CONFIRMED", 1);
    alice.wait_count("Call 0 is DISCONNECTED", 1);
    bob.wait_count("Call 0 is DISCONNECTED", 1);
    let out = alice.run("d");
    assert!(out.contains("You have no active call"), "{out}");
    let out = carol.run("d");
    assert!(
        out.contains("You have 1 active call") && out.contains("*[ 1] CONFIRMED"),
        "{out}"
    );
    quit_all(vec![alice, bob, carol]);
}

#[test]
fn ru_unregisters_so_calls_cannot_reach_the_phone_until_rr_registers_it_again() {
    if !interop::require("kamailio", interop::Kamailio::is_installed()) {
        return;
    }
    let kamailio = interop::Kamailio::start().expect("kamailio starts");
    let alice_uri = format!("sip:alice@{}", kamailio.addr());
    let registered_line = "registration success, status=200";
    let mut alice = Phone::start(
        "alice",
        &registered(&kamailio, "alice", &["--auto-answer", "200"]),
    );
    alice.wait_count(registered_line, 1);
    let mut bob = Phone::start("bob", &registered(&kamailio, "bob", &[]));
    bob.wait_count(registered_line, 1);

    alice.run("ru");
    alice.wait_count("unregistration success", 1);
    // Kamailio no longer knows where alice is.
    bob.run(&format!("m {alice_uri}"));
    bob.wait_count("Call 0 is DISCONNECTED", 1);
    let out = bob.transcript();
    assert!(!out.contains("Call 0 state changed to CONFIRMED"), "{out}");
    assert!(!alice.transcript().contains("Incoming call"));

    alice.run("rr");
    alice.wait_count(registered_line, 2);
    bob.run(&format!("m {alice_uri}"));
    alice.wait_count("Incoming call for account", 1);
    bob.wait_count("state changed to CONFIRMED", 1);
    bob.run("h");
    alice.wait_count("is DISCONNECTED", 1);
    quit_all(vec![alice, bob]);
}

/// pjsua refuses an INVITE whose offer has no codec in common with its
/// own (488, before asking the application); Cp can leave two phones so.
#[test]
fn cp_leaving_no_codec_in_common_the_call_is_refused_with_488() {
    let (mut callee, callee_addr) = phone("callee", &["--auto-answer", "200"]);
    let (mut caller, _) = phone("caller", &[]);
    callee.run("Cp PCM 0");
    caller.run("Cp G722 0");
    caller.run(&format!("m sip:{callee_addr}"));
    caller.wait_count("Call 0 is DISCONNECTED [reason=488", 1);
    let out = callee.run("d");
    assert!(out.contains("You have no active call"), "{out}");
    quit_all(vec![caller, callee]);
}
