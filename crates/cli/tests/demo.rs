//! `ferrosip demo` as a user runs it: the built binary, its exit status and
//! its verdict (no timing is asserted).

use std::process::{Command, Output};

fn ferrosip(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferrosip"))
        .args(args)
        .output()
        .expect("running ferrosip")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The verdict's lines, each of which must pass.
const VERDICT: &[&str] = &[
    "PASS  call: answered (CONFIRMED) and hung up (DISCONNECTED) on both sides",
    "PASS  recording: bob's received.wav",
    "PASS  talking: alice hears",
    "PASS  DTMF: bob received \"1234#\"",
    "PASS  message: bob received \"Hello Bob!",
    "PASS  hold: alice (holding) hears digital silence",
    "PASS  hold: bob still hears alice (music on hold)",
    "PASS  unhold: alice hears",
    "PASS  RTP: ",
];

#[test]
fn the_demo_passes_and_prints_the_call_flow_the_statistics_and_the_verdict() {
    let out = ferrosip(&["demo"]);
    let text = text(&out);
    assert!(out.status.success(), "{text}");
    for line in VERDICT {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
    assert!(text.contains("All 9 checks passed"), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
    // The flow: states of both sides, the SIP messages in brief.
    for flow in [
        "alice          call state CALLING",
        "bob            call state INCOMING",
        "alice → bob    INVITE sip:bob@127.0.0.1:",
        "bob → alice    180 Ringing (INVITE)",
        "bob → alice    200 OK (INVITE)",
        "alice → bob    ACK sip:bob@127.0.0.1:",
        "alice → bob    MESSAGE sip:bob@127.0.0.1:",
        "sendonly]",
        "media LOCAL_HOLD: sendonly",
        "media REMOTE_HOLD: recvonly",
        "bob → alice    BYE sip:alice@127.0.0.1:",
        "alice          call state DISCONNECTED",
        "RTP statistics",
        "alice → bob ",
        "bob → alice ",
    ] {
        assert!(text.contains(flow), "no `{flow}` in:\n{text}");
    }
}

#[test]
fn quiet_prints_the_verdict_only_and_keep_keeps_the_recording() {
    let dir = std::env::temp_dir().join(format!("ferrosip-demo-test-{}", std::process::id()));
    let out = ferrosip(&["demo", "--quiet", "--keep", dir.to_str().unwrap()]);
    let text = text(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("All 9 checks passed"), "{text}");
    assert!(!text.contains("INVITE"), "{text}");
    let recorded = std::fs::metadata(dir.join("received.wav")).map(|m| m.len());
    let sent = std::fs::metadata(dir.join("sent.wav")).map(|m| m.len());
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(recorded.unwrap() > 44 && sent.unwrap() > 44);
}

#[test]
fn help_explains_and_a_bad_option_is_refused() {
    let out = ferrosip(&["demo", "--help"]);
    assert!(out.status.success());
    assert!(text(&out).contains("Usage: ferrosip demo"));
    let out = ferrosip(&["demo", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("unknown option --bogus"));
}
