//! The console: parsing every command (menu keys and CLI forms), errors,
//! the prompts, the menu, and the loop driven by a fake executor.

use std::io::Cursor;

use super::menu::entries;
use super::parse::{cli_forms, specs};
use super::*;

fn url(s: &str) -> Target {
    Target::Url(s.to_owned())
}

fn ok(line: &str) -> Command {
    match parse(line) {
        Ok(cmd) => cmd,
        Err(e) => panic!("{line:?}: {e}"),
    }
}

fn err(line: &str) -> String {
    match parse(line) {
        Ok(cmd) => panic!("{line:?} parsed as {cmd:?}"),
        Err(e) => e.to_string(),
    }
}

/// Every key with its arguments on the line.
fn examples() -> Vec<(&'static str, Command)> {
    vec![
        (
            "m sip:bob@127.0.0.1:5070",
            Command::MakeCall {
                target: url("sip:bob@127.0.0.1:5070"),
            },
        ),
        (
            "m 2",
            Command::MakeCall {
                target: Target::Buddy(2),
            },
        ),
        (
            "M 3 sip:bob@host",
            Command::MakeCalls {
                count: 3,
                target: url("sip:bob@host"),
            },
        ),
        (
            "a 200",
            Command::Answer {
                code: 200,
                contact: None,
            },
        ),
        (
            "a 302 sip:carol@host",
            Command::Answer {
                code: 302,
                contact: Some("sip:carol@host".to_owned()),
            },
        ),
        ("h", Command::Hangup),
        ("ha", Command::HangupAll),
        ("H", Command::Hold),
        ("v", Command::Reinvite),
        ("U", Command::Update),
        ("]", Command::NextCall),
        ("[", Command::PrevCall),
        ("call list", Command::ListCalls),
        (
            "x sip:carol@host",
            Command::Transfer {
                target: url("sip:carol@host"),
            },
        ),
        ("X 1", Command::TransferReplaces { call: 1 }),
        (
            "R a",
            Command::Redirect {
                choice: RedirectChoice::AcceptReplace,
            },
        ),
        (
            "RA",
            Command::Redirect {
                choice: RedirectChoice::Accept,
            },
        ),
        (
            "Rr",
            Command::Redirect {
                choice: RedirectChoice::Reject,
            },
        ),
        (
            "R s",
            Command::Redirect {
                choice: RedirectChoice::Stop,
            },
        ),
        (
            "# 1234",
            Command::Dtmf2833 {
                digits: "1234".to_owned(),
            },
        ),
        (
            "* 5#A",
            Command::DtmfInfo {
                digits: "5#A".to_owned(),
            },
        ),
        (
            "i sip:bob@host hello there",
            Command::SendIm {
                target: url("sip:bob@host"),
                text: "hello there".to_owned(),
            },
        ),
        (
            "i 0 in the call",
            Command::SendIm {
                target: Target::CurrentCall,
                text: "in the call".to_owned(),
            },
        ),
        (
            "+b sip:bob@host",
            Command::AddBuddy {
                uri: "sip:bob@host".to_owned(),
            },
        ),
        ("-b 1", Command::DeleteBuddy { buddy: 1 }),
        ("bl", Command::ListBuddies),
        (
            "s 1",
            Command::Subscribe {
                target: Target::Buddy(1),
            },
        ),
        (
            "u -1",
            Command::Unsubscribe {
                target: Target::AllBuddies,
            },
        ),
        ("t", Command::ToggleOnline),
        (
            "T 3",
            Command::SetOnlineStatus {
                status: OnlineStatus::OnThePhone,
            },
        ),
        ("cl", Command::ConfList),
        ("cc 1 2", Command::ConfConnect { src: 1, dst: 2 }),
        ("cd 2 0", Command::ConfDisconnect { src: 2, dst: 0 }),
        (
            "V 1.5 0.5",
            Command::AdjustVolume {
                mic: Some(1.5),
                speaker: Some(0.5),
            },
        ),
        (
            "V 2",
            Command::AdjustVolume {
                mic: Some(2.0),
                speaker: None,
            },
        ),
        (
            "V - 0",
            Command::AdjustVolume {
                mic: None,
                speaker: Some(0.0),
            },
        ),
        (
            "Cp speex/16000 200",
            Command::CodecPriority {
                codec: "speex/16000".to_owned(),
                priority: 200,
            },
        ),
        ("dq", Command::DumpCallQuality),
        ("d", Command::DumpStatus),
        ("dd", Command::DumpDetailed),
        ("dc", Command::DumpConfig),
        (
            "f my config.cfg",
            Command::SaveConfig {
                file: "my config.cfg".to_owned(),
            },
        ),
        ("rr", Command::ReRegister),
        ("ru", Command::Unregister),
        ("l", Command::ListAccounts),
        ("sleep 250", Command::Sleep { ms: 250 }),
        ("echo 1", Command::Echo(EchoArg::On)),
        ("echo off", Command::Echo(EchoArg::Off)),
        (
            "echo --- step 2 ---",
            Command::Echo(EchoArg::Text("--- step 2 ---".to_owned())),
        ),
        ("?", Command::Help),
        ("help", Command::Help),
        ("q", Command::Quit),
    ]
}

#[test]
fn every_key_parses_with_arguments_on_the_line() {
    for (line, expected) in examples() {
        assert_eq!(ok(line), expected, "{line:?}");
    }
}

#[test]
fn whitespace_around_and_between_words_is_ignored() {
    assert_eq!(
        ok("  cc   1\t2  \r\n"),
        Command::ConfConnect { src: 1, dst: 2 }
    );
    assert_eq!(
        ok("i  sip:bob@host   hello   there "),
        Command::SendIm {
            target: url("sip:bob@host"),
            text: "hello   there".to_owned(),
        }
    );
}

#[test]
fn display_writes_a_line_that_parses_back() {
    for (line, cmd) in examples() {
        let written = cmd.to_string();
        assert_eq!(ok(&written), cmd, "{line:?} written as {written:?}");
    }
}

#[test]
fn cli_long_forms_are_aliases_of_the_keys() {
    let pairs = [
        ("call new sip:bob@host", "m sip:bob@host"),
        ("call multi 2 sip:bob@host", "M 2 sip:bob@host"),
        ("call answer 180", "a 180"),
        ("call answer 302 sip:c@h", "a 302 sip:c@h"),
        ("call hangup", "h"),
        ("call hangup_all", "ha"),
        ("hA", "ha"),
        ("call hold", "H"),
        ("call reinvite", "v"),
        ("call update", "U"),
        ("call next", "]"),
        ("call previous", "["),
        ("call transfer sip:c@h", "x sip:c@h"),
        ("call transfer_replaces 2", "X 2"),
        ("call redirect 1", "R A"),
        ("call d_2833 123", "# 123"),
        ("call d_info 9", "* 9"),
        ("call dump_q", "dq"),
        ("im add_b sip:b@h", "+b sip:b@h"),
        ("im del_b 1", "-b 1"),
        ("im send_im sip:b@h hi you", "i sip:b@h hi you"),
        ("im sub_pre 1", "s 1"),
        ("im unsub_pre 1", "u 1"),
        ("im tog_state", "t"),
        ("im pre_text 5", "T 5"),
        ("im bud_list", "bl"),
        ("acc reg", "rr"),
        ("acc unreg", "ru"),
        ("acc show", "l"),
        ("audio list", "cl"),
        ("audio conf_con 1 2", "cc 1 2"),
        ("audio conf_dis 1 2", "cd 1 2"),
        ("audio adjust_vol 1 1", "V 1 1"),
        ("audio codec_prio PCMU 0", "Cp PCMU 0"),
        ("stat dump_stat", "d"),
        ("ds", "d"),
        ("stat dump_detail", "dd"),
        ("stat dump_conf", "dc"),
        ("stat write_setting out.cfg", "f out.cfg"),
        ("sleep 10", "sleep 10"),
        ("shutdown", "q"),
        ("quit", "q"),
    ];
    for (cli, legacy) in pairs {
        assert_eq!(ok(cli), ok(legacy), "{cli:?} vs {legacy:?}");
    }
    // Every long form in the table parses (with arguments where needed).
    for (form, key) in cli_forms() {
        match parse(form) {
            Ok(cmd) => assert_eq!(cmd.key(), key, "{form}"),
            Err(ParseError::Missing { command, .. }) => {
                assert!(command.starts_with(form), "{form}: {command}")
            }
            Err(e) => panic!("{form}: {e}"),
        }
    }
}

#[test]
fn every_command_has_a_name_and_the_presence_ones_are_not_supported_yet() {
    for (line, cmd) in examples() {
        assert!(!cmd.name().is_empty(), "{line}");
    }
    for key in ["+b", "-b", "bl", "s", "u", "t", "T"] {
        assert!(
            !specs().any(|(k, _, supported)| k == key && supported),
            "{key}"
        );
    }
    assert!(ok("m sip:a@b").supported());
    assert!(ok("cc 1 2").supported());
    assert!(!ok("t").supported());
    assert!(!ok("T 1").supported());
}

#[test]
fn unknown_and_unsupported_commands_say_so() {
    assert_eq!(err("zz"), "unknown command \"zz\" (\"?\" shows the menu)");
    assert_eq!(
        err("S"),
        "S (send arbitrary request): not supported by ferrosip yet"
    );
    assert!(err("+a").contains("add account"));
    assert!(err("call send_arb").contains("not supported"));
    assert!(err("vid enable").contains("not supported"));
    let e = err("call");
    assert!(
        e.starts_with("call: missing subcommand (one of: new, multi"),
        "{e}"
    );
    let e = err("call frobnicate");
    assert!(e.contains("unknown subcommand \"frobnicate\""), "{e}");
    assert_eq!(parse(""), Err(ParseError::Empty));
    assert_eq!(parse("   "), Err(ParseError::Empty));
}

#[test]
fn bad_arguments_name_the_command_and_what_is_wrong() {
    let cases = [
        (
            "m bob@host",
            "m (make call): bad URL \"bob@host\": not a URL",
        ),
        (
            "m http://x",
            "URL scheme \"http\" is not sip:, sips: or tel:",
        ),
        ("m sip:", "no host"),
        ("m 0", "you can't do that with make call"),
        ("m -1", "you can't do that with make call"),
        ("x -1", "you can't do that with transfer call"),
        (
            "M 0 sip:a@b",
            "M (make multiple calls): bad number of calls \"0\": must be 1 to",
        ),
        ("M x sip:a@b", "not a number"),
        (
            "a 99",
            "a (answer call): bad code \"99\": a status code is 100 to 699",
        ),
        ("a 700", "100 to 699"),
        (
            "a 200 sip:x@y",
            "a (answer call): unexpected argument \"sip:x@y\"",
        ),
        ("a 302", "a (answer call): missing contact URL"),
        (
            "# 12x",
            "# (send RFC 2833 DTMF): bad digits \"12x\": DTMF digits are 0-9, *, #, A-D",
        ),
        (
            "cc 1",
            "cc (connect conference ports): missing destination port",
        ),
        ("cc one 2", "bad source port \"one\": not a number"),
        ("cc -1 2", "must not be negative"),
        ("cc 1 2 3", "unexpected argument \"3\""),
        ("h now", "h (hang up call): unexpected argument \"now\""),
        ("V loud", "a level is a number"),
        ("V -2", "a level is a number"),
        ("Cp PCMU 256", "bad priority \"256\": must be 0 to 255"),
        ("T 8", "choose 1 to 7"),
        ("R x", "choose a (accept, replace)"),
        ("s sip:bob@host", "takes buddy numbers only"),
        ("-b 0", "must be 1 to"),
        ("i sip:bob@host", "i (send IM): missing message"),
        ("m", "m (make call): missing URL"),
        ("call new", "call new (make call): missing URL"),
        ("sleep", "sleep (sleep): missing milliseconds"),
        ("sleep 1e3", "not a number"),
        ("X", "X (transfer with Replaces): missing call id"),
    ];
    for (line, expected) in cases {
        let e = err(line);
        assert!(e.contains(expected), "{line:?}: {e:?} lacks {expected:?}");
    }
}

#[test]
fn urls_in_angle_brackets_and_other_schemes_are_accepted() {
    for u in [
        "<sip:bob@host;transport=tcp>",
        "sips:bob@host",
        "tel:+123",
        "SIP:bob@host",
    ] {
        assert_eq!(ok(&format!("m {u}")), Command::MakeCall { target: url(u) });
    }
    assert!(err("m <sip:bob@host").contains("no closing"));
}

#[test]
fn long_values_are_shortened_in_errors() {
    let long = format!("m x{}", "y".repeat(500));
    let e = err(&long);
    assert!(e.len() < 200, "{e}");
    assert!(e.contains('…'));
}

// ---------------------------------------------------------------------
// Prompts.

fn feed_all(p: &mut Prompter, lines: &[&str]) -> Vec<Step> {
    lines.iter().map(|l| p.feed(l)).collect()
}

fn prompt_text(step: &Step) -> &str {
    match step {
        Step::Prompt(p) => &p.text,
        other => panic!("expected a prompt, got {other:?}"),
    }
}

#[test]
fn a_key_alone_asks_for_its_argument() {
    let mut p = Prompter::new();
    let steps = feed_all(&mut p, &["m", "sip:bob@host"]);
    assert_eq!(prompt_text(&steps[0]), "Make call: ");
    match &steps[0] {
        Step::Prompt(prompt) => {
            assert_eq!(prompt.command, "m");
            assert_eq!(prompt.arg, "URL");
            assert_eq!(prompt.context, Some(PromptContext::Buddies));
            assert!(
                prompt
                    .help
                    .is_some_and(|h| h.contains("Empty input (or 'q') to cancel"))
            );
        }
        _ => unreachable!(),
    }
    assert!(!p.is_waiting());
    assert_eq!(
        steps[1],
        Step::Command(Command::MakeCall {
            target: url("sip:bob@host")
        })
    );
}

#[test]
fn prompts_follow_pjsua_order_for_multi_argument_commands() {
    let mut p = Prompter::new();
    let steps = feed_all(&mut p, &["M", "3", "sip:bob@host"]);
    assert_eq!(
        prompt_text(&steps[0]),
        "Number of calls (empty to cancel): "
    );
    assert_eq!(prompt_text(&steps[1]), "Make call: ");
    assert_eq!(
        steps[2],
        Step::Command(Command::MakeCalls {
            count: 3,
            target: url("sip:bob@host")
        })
    );

    let steps = feed_all(&mut p, &["cc", "1", "2"]);
    assert_eq!(
        prompt_text(&steps[0]),
        "Connect src port # (empty to cancel): "
    );
    assert_eq!(prompt_text(&steps[1]), "To dst port # (empty to cancel): ");
    assert_eq!(
        steps[2],
        Step::Command(Command::ConfConnect { src: 1, dst: 2 })
    );

    let steps = feed_all(&mut p, &["i", "sip:bob@host", "hello there"]);
    assert_eq!(prompt_text(&steps[0]), "Send IM to: ");
    assert_eq!(prompt_text(&steps[1]), "Message (empty to cancel): ");
    assert_eq!(
        steps[2],
        Step::Command(Command::SendIm {
            target: url("sip:bob@host"),
            text: "hello there".to_owned()
        })
    );
}

#[test]
fn a_line_with_some_arguments_is_asked_only_the_rest() {
    let mut p = Prompter::new();
    let steps = feed_all(&mut p, &["i sip:bob@host", "hi"]);
    assert_eq!(prompt_text(&steps[0]), "Message (empty to cancel): ");
    assert_eq!(
        steps[1],
        Step::Command(Command::SendIm {
            target: url("sip:bob@host"),
            text: "hi".to_owned()
        })
    );
    let steps = feed_all(&mut p, &["a 302", "sip:carol@host"]);
    assert_eq!(
        prompt_text(&steps[0]),
        "Enter URL to be put in Contact (empty to cancel): "
    );
    assert_eq!(
        steps[1],
        Step::Command(Command::Answer {
            code: 302,
            contact: Some("sip:carol@host".to_owned())
        })
    );
}

#[test]
fn one_answer_may_give_several_arguments() {
    let mut p = Prompter::new();
    let steps = feed_all(&mut p, &["Cp", "speex/16000 200"]);
    assert_eq!(
        prompt_text(&steps[0]),
        "Codec name (\"*\" for all) (empty to cancel): "
    );
    assert_eq!(
        steps[1],
        Step::Command(Command::CodecPriority {
            codec: "speex/16000".to_owned(),
            priority: 200
        })
    );
    let steps = feed_all(&mut p, &["call answer", "302 sip:c@h"]);
    assert_eq!(
        steps[1],
        Step::Command(Command::Answer {
            code: 302,
            contact: Some("sip:c@h".to_owned())
        })
    );
}

#[test]
fn an_empty_answer_or_q_cancels() {
    let mut p = Prompter::new();
    let steps = feed_all(&mut p, &["m", ""]);
    assert_eq!(steps[1], Step::Cancelled { command: "m" });
    assert!(!p.is_waiting());
    let steps = feed_all(&mut p, &["x", "q"]);
    assert_eq!(steps[1], Step::Cancelled { command: "x" });
    let steps = feed_all(&mut p, &["M", "2", "  "]);
    assert_eq!(steps[2], Step::Cancelled { command: "M" });
    // After a cancel the next line is a command again.
    assert_eq!(p.feed("h"), Step::Command(Command::Hangup));
}

#[test]
fn volume_prompts_keep_a_level_on_an_empty_answer() {
    let mut p = Prompter::new();
    let steps = feed_all(&mut p, &["V", "", "0.5"]);
    assert_eq!(prompt_text(&steps[0]), "Adjust mic level (empty to keep): ");
    assert_eq!(
        prompt_text(&steps[1]),
        "Adjust speaker level (empty to keep): "
    );
    assert_eq!(
        steps[2],
        Step::Command(Command::AdjustVolume {
            mic: None,
            speaker: Some(0.5)
        })
    );
}

#[test]
fn a_bad_answer_is_an_error_and_ends_the_command() {
    let mut p = Prompter::new();
    let steps = feed_all(&mut p, &["cc", "x"]);
    match &steps[1] {
        Step::Error(e) => assert!(e.to_string().contains("bad source port \"x\"")),
        other => panic!("{other:?}"),
    }
    assert!(!p.is_waiting());
    let steps = feed_all(&mut p, &["m", "0"]);
    assert!(matches!(&steps[1], Step::Error(_)));
    let steps = feed_all(&mut p, &["cc", "1 2 3"]);
    assert!(matches!(
        &steps[1],
        Step::Error(ParseError::Unexpected { .. })
    ));
}

#[test]
fn the_pending_prompt_can_be_read_and_cancelled() {
    let mut p = Prompter::new();
    assert_eq!(p.prompt(), None);
    p.feed("#");
    let prompt = p.prompt().expect("a prompt");
    assert_eq!(
        prompt.text,
        "DTMF strings to send (0-9*#A-D) (empty to cancel): "
    );
    assert_eq!(p.cancel(), Some("#"));
    assert_eq!(p.prompt(), None);
    assert_eq!(p.cancel(), None);
}

#[test]
fn every_prompting_command_can_be_completed_by_prompts() {
    let answers: &[(&str, &[&str])] = &[
        ("m", &["sip:a@b"]),
        ("M", &["2", "3"]),
        ("a", &["180"]),
        ("a", &["301", "sip:c@d"]),
        ("x", &["1"]),
        ("X", &["0"]),
        ("R", &["r"]),
        ("#", &["1"]),
        ("*", &["#"]),
        ("i", &["0", "text"]),
        ("+b", &["sip:a@b"]),
        ("-b", &["1"]),
        ("s", &["-1"]),
        ("u", &["2"]),
        ("T", &["7"]),
        ("cc", &["1", "2"]),
        ("cd", &["1", "2"]),
        ("V", &["1", "1"]),
        ("Cp", &["PCMU", "1"]),
        ("f", &["a.cfg"]),
        ("sleep", &["5"]),
        ("echo", &["hi"]),
    ];
    for (key, lines) in answers {
        let mut p = Prompter::new();
        assert!(matches!(p.feed(key), Step::Prompt(_)), "{key}");
        let (last, first) = lines.split_last().unwrap();
        for l in first {
            assert!(matches!(p.feed(l), Step::Prompt(_)), "{key} {l}");
        }
        match p.feed(last) {
            Step::Command(cmd) => {
                let joined = format!("{key} {}", lines.join(" "));
                assert_eq!(ok(&joined), cmd, "{key}");
            }
            other => panic!("{key}: {other:?}"),
        }
    }
}

/// A small deterministic generator (xorshift), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_line(rng: &mut Rng) -> String {
    const WORDS: &[&str] = &[
        "m",
        "M",
        "a",
        "h",
        "ha",
        "H",
        "v",
        "U",
        "]",
        "[",
        "x",
        "X",
        "R",
        "Ra",
        "RA",
        "#",
        "*",
        "i",
        "+b",
        "-b",
        "s",
        "u",
        "t",
        "T",
        "cl",
        "cc",
        "cd",
        "V",
        "Cp",
        "dq",
        "d",
        "dd",
        "dc",
        "f",
        "rr",
        "ru",
        "l",
        "sleep",
        "echo",
        "q",
        "call",
        "im",
        "acc",
        "audio",
        "stat",
        "new",
        "send_im",
        "conf_con",
        "0",
        "-1",
        "1",
        "2",
        "300",
        "302",
        "99999999999999999999",
        "-",
        "sip:a@b",
        "sip:",
        "<sip:x>",
        "<",
        ">",
        "1.5",
        "NaN",
        "inf",
        "-0",
        "é",
        "日本",
        "\u{0}",
        "\t",
        " ",
        "",
        "q",
        "*#",
        "ABCD",
    ];
    let mut line = String::new();
    for _ in 0..rng.below(6) {
        if rng.below(5) == 0 {
            // Raw bytes, possibly breaking UTF-8 (lossily decoded).
            let bytes: Vec<u8> = (0..rng.below(8)).map(|_| rng.next() as u8).collect();
            line.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            line.push_str(WORDS[rng.below(WORDS.len())]);
        }
        if rng.below(4) != 0 {
            line.push(' ');
        }
    }
    line
}

#[test]
fn random_lines_never_panic_and_what_parses_prints_back() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut prompter = Prompter::new();
    let mut parsed = 0;
    for _ in 0..50_000 {
        let line = random_line(&mut rng);
        if let Ok(cmd) = parse(&line) {
            parsed += 1;
            let written = cmd.to_string();
            assert_eq!(parse(&written).as_ref(), Ok(&cmd), "{line:?} → {written:?}");
        }
        // The interactive path too: commands and answers interleaved.
        if let Step::Command(cmd) = prompter.feed(&line) {
            assert!(!cmd.key().is_empty());
        }
        let _ = prompter.prompt();
    }
    assert!(parsed > 1000, "only {parsed} random lines parsed");
}

// ---------------------------------------------------------------------
// The menu.

#[test]
fn the_menu_lists_every_key_and_marks_what_is_not_supported() {
    let text = menu();
    let lines: Vec<&str> = text.lines().collect();
    let width = lines[0].chars().count();
    assert!(lines.iter().all(|l| l.chars().count() == width), "{text}");
    assert!(width <= 80, "{width}");
    for (key, _, supported) in specs() {
        if ["?", "call list", "echo", "sleep", "q", "ha"].contains(&key) {
            continue;
        }
        let listed =
            entries().find(|(k, _, _)| *k == key || (*k == "],[" && (key == "]" || key == "[")));
        let (_, _, marked) = listed.unwrap_or_else(|| panic!("{key} not in the menu"));
        assert_eq!(*marked, supported, "{key}");
    }
    for (_, text, supported) in entries() {
        let line = lines.iter().find(|l| l.contains(text)).expect("listed");
        if !supported {
            assert!(line.contains(&format!("{text} {NOT_YET}")), "{line}");
        }
    }
    for word in [
        "Call Commands:",
        "Media Commands:",
        "Status & Config:",
        "q  QUIT",
        "sleep MS",
        "S (arbitrary request)",
    ] {
        assert!(text.contains(word), "{word}");
    }
}

// ---------------------------------------------------------------------
// The loop.

#[derive(Default)]
struct Fake {
    executed: Vec<Command>,
    contexts: Vec<PromptContext>,
}

impl Console for Fake {
    fn execute(&mut self, cmd: &Command) -> Outcome {
        self.executed.push(cmd.clone());
        match cmd {
            Command::DumpStatus => Outcome::Done("status: fine".to_owned()),
            Command::Hangup => Outcome::Failed("No current call".to_owned()),
            c if !c.supported() => Outcome::NotSupported,
            _ => Outcome::done(),
        }
    }
    fn context(&mut self, what: PromptContext) -> String {
        self.contexts.push(what);
        format!("[{what:?}]")
    }
    fn status(&mut self) -> String {
        "You have 0 active calls".to_owned()
    }
}

fn session(input: &str, options: &ConsoleOptions) -> (Fake, ConsoleEnd, String) {
    let mut fake = Fake::default();
    let mut out = Vec::new();
    let end = run_console_with(Cursor::new(input), &mut out, &mut fake, options).expect("io");
    (fake, end, String::from_utf8(out).expect("utf-8"))
}

fn quiet() -> ConsoleOptions {
    ConsoleOptions {
        show_menu: false,
        ..ConsoleOptions::default()
    }
}

#[test]
fn the_loop_executes_lines_and_stops_at_q() {
    let input = "m sip:bob@host\n# 123\ncc 1 2\nd\nq\nh\n";
    let (fake, end, out) = session(input, &quiet());
    assert_eq!(
        fake.executed,
        vec![
            ok("m sip:bob@host"),
            ok("# 123"),
            ok("cc 1 2"),
            Command::DumpStatus,
            Command::Quit
        ]
    );
    assert_eq!(
        end,
        ConsoleEnd {
            quit: true,
            executed: 5,
            errors: 0
        }
    );
    assert!(out.contains("status: fine\n"), "{out}");
    assert_eq!(out.matches(">>> ").count(), 5, "{out}");
}

#[test]
fn the_loop_asks_the_prompts_and_shows_the_executor_context() {
    let input = "m\nsip:bob@host\ncc\n1\n2\nx\n\n";
    let (fake, end, out) = session(input, &quiet());
    assert_eq!(fake.executed, vec![ok("m sip:bob@host"), ok("cc 1 2")]);
    assert_eq!(
        fake.contexts,
        vec![
            PromptContext::Buddies,
            PromptContext::ConfPorts,
            PromptContext::Buddies
        ]
    );
    assert!(!end.quit);
    assert!(out.contains("[Buddies]\nChoices:\n"), "{out}");
    assert!(out.contains("Make call: "), "{out}");
    assert!(
        out.contains("[ConfPorts]\nConnect src port # (empty to cancel): "),
        "{out}"
    );
    assert!(out.contains("x: cancelled"), "{out}");
}

#[test]
fn the_loop_reports_errors_failures_and_unsupported_commands() {
    let input = "zz\nh\nt\ncc 1\n\n";
    let (fake, end, out) = session(input, &quiet());
    assert_eq!(fake.executed, vec![Command::Hangup, Command::ToggleOnline]);
    assert_eq!(end.errors, 2);
    assert!(out.contains("error: unknown command \"zz\""), "{out}");
    assert!(
        out.contains("error: h (hang up call): No current call"),
        "{out}"
    );
    assert!(
        out.contains("t (toggle online status): not supported yet"),
        "{out}"
    );
    // A line missing an argument asks for it; the empty line cancels.
    assert!(
        out.contains("To dst port # (empty to cancel): cc: cancelled"),
        "{out}"
    );
}

#[test]
fn the_loop_handles_help_and_echo_itself() {
    let input = "?\necho 1\nl\necho 0\necho marker text\nq\n";
    let (fake, end, out) = session(input, &quiet());
    assert_eq!(fake.executed, vec![Command::ListAccounts, Command::Quit]);
    assert!(end.quit);
    assert!(out.contains("Call Commands:"), "{out}");
    assert!(out.contains("You have 0 active calls"), "{out}");
    // Echo on: the lines read are printed (l, echo 0), then no more.
    assert!(out.contains(">>> l\n"), "{out}");
    assert!(out.contains(">>> echo 0\n"), "{out}");
    assert!(!out.contains(">>> q\n"), "{out}");
    assert!(out.contains("marker text\n"), "{out}");
}

#[test]
fn the_loop_shows_the_menu_first_and_ends_at_eof_mid_prompt() {
    let (fake, end, out) = session("i sip:bob@host", &ConsoleOptions::default());
    assert!(out.starts_with("+===="), "{out}");
    assert!(fake.executed.is_empty());
    assert!(!end.quit);
    assert!(out.contains("i: cancelled (end of input)"), "{out}");
}

#[test]
fn the_loop_takes_crlf_and_invalid_utf8() {
    let mut input = b"sleep 1\r\n".to_vec();
    input.extend_from_slice(b"\xff\xfe\n");
    input.extend_from_slice(b"q\r\n");
    let mut fake = Fake::default();
    let mut out = Vec::new();
    let end = run_console_with(&input[..], &mut out, &mut fake, &quiet()).expect("io");
    assert_eq!(fake.executed, vec![Command::Sleep { ms: 1 }, Command::Quit]);
    assert_eq!(end.errors, 1);
}

#[test]
fn random_sessions_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..200 {
        let input: String = (0..20).map(|_| random_line(&mut rng) + "\n").collect();
        let (_fake, end, _out) = session(&input, &quiet());
        assert!(end.executed <= 20);
    }
}
