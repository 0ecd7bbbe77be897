//! Tests of the options: parsing as pjsua does, errors, configuration
//! files, JSON configs, the mapping to ferrosip's configs, and no panic on
//! any input.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use ferrosip::TransportType;
use ferrosip::config::{
    AccountConfig, AuthCredInfo, CredDataType, EpConfig, Ipv6Use, PrackUse, SessionTimerUse,
    TransportConfig,
};
use ferrosip::json::JsonDocument;
use proptest::prelude::*;

use super::spec::{SPECS, UNSUPPORTED};
use super::*;

fn run(args: &[&str]) -> Options {
    match Options::parse(args.iter().copied()) {
        Ok(Parsed::Run(o)) => *o,
        other => panic!("{args:?}: {other:?}"),
    }
}

fn err(args: &[&str]) -> OptionsError {
    match Options::parse(args.iter().copied()) {
        Err(e) => e,
        Ok(other) => panic!("{args:?} parsed: {other:?}"),
    }
}

/// A fresh file in the temporary directory holding `text`.
fn temp_file(text: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "ferrosip-cli-options-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, text).unwrap();
    path
}

/// The options with the "given" bookkeeping cleared, to compare values.
fn values(mut o: Options) -> Options {
    o.given.clear();
    for a in &mut o.accounts {
        a.given.clear();
    }
    o.config_file.clear();
    o
}

#[test]
fn defaults_are_pjsuas() {
    let o = run(&[]);
    assert_eq!((o.log_level, o.app_log_level), (5, 4));
    assert_eq!(o.local_port, 5060);
    assert_eq!(o.rtp_port, 4000);
    assert_eq!(o.clock_rate, 16000);
    assert_eq!((o.max_calls, o.thread_cnt), (4, 1));
    assert_eq!((o.quality, o.ec_tail, o.ptime), (8, 200, 0));
    assert_eq!(o.accept_redirect, 2);
    assert_eq!(o.auto_answer, 0);
    assert_eq!(o.duration, None);
    assert_eq!(o.accounts.len(), 1);
    let a = &o.accounts[0];
    assert_eq!(
        (a.reg_timeout, a.use_timer, a.timer_se, a.timer_min_se),
        (300, 1, 1800, 90)
    );
    assert!(a.is_empty());
    // With no options, ferrosip's configs are PJSUA2's defaults, with
    // pjsua's transports: UDP and TCP on 5060.
    let app = o.to_app_config().unwrap();
    let mut ep = app.ep_config.clone();
    assert_eq!(
        ep.ua_config.user_agent,
        format!("ferrosip v{}", env!("CARGO_PKG_VERSION"))
    );
    ep.ua_config.user_agent.clear();
    assert_eq!(ep, EpConfig::default());
    assert!(app.accounts.is_empty());
    let types: Vec<_> = app
        .transports
        .iter()
        .map(|t| (t.type_, t.enabled, t.config.port))
        .collect();
    assert_eq!(
        types,
        [
            (TransportType::Udp, true, 5060),
            (TransportType::Tcp, true, 5060)
        ]
    );
    assert_eq!(app.call.auto_answer, None);
}

#[test]
fn both_value_forms_and_prefixes_are_accepted() {
    let a = run(&[
        "--log-level=3",
        "--app-log-level",
        "2",
        "--id=sip:a@b",
        "--registrar",
        "sip:b",
    ]);
    assert_eq!((a.log_level, a.app_log_level), (3, 2));
    assert_eq!(a.accounts[0].id, "sip:a@b");
    assert_eq!(a.accounts[0].registrar, "sip:b");
    // A value may start with '-' or hold '=' when separate.
    let b = run(&["--password", "-x=y", "--realm=a=b"]);
    assert_eq!(b.accounts[0].creds[0].password, "-x=y");
    assert_eq!(b.accounts[0].creds[0].realm, "a=b");
    // A unique prefix stands for the option (getopt_long does so).
    let c = run(&["--auto-ans", "200", "--null-a"]);
    assert_eq!(c.auto_answer, 200);
    assert!(c.null_audio);
    match err(&["--auto", "1"]) {
        OptionsError::Ambiguous { candidates, .. } => {
            assert!(candidates.contains(&"auto-answer") && candidates.contains(&"auto-play"));
        }
        e => panic!("{e}"),
    }
}

#[test]
fn repeatable_options_accumulate() {
    let o = run(&[
        "--proxy=sip:p1;lr",
        "--proxy",
        "sip:p2",
        "--play-tone=800,0,100,200",
        "--play-tone",
        "350,440,1000,0",
        "--add-buddy",
        "sip:x@y",
        "--add-buddy=sip:z@y",
        "--add-codec",
        "PCMU",
        "--dis-codec",
        "speex",
        "--dis-codec",
        "iLBC",
        "--play-file",
        "a.wav",
        "--play-file",
        "b.wav",
    ]);
    assert_eq!(o.accounts[0].proxy, ["sip:p1;lr", "sip:p2"]);
    assert_eq!(
        o.play_tone,
        [
            Tone {
                freq1: 800,
                freq2: 0,
                on_msec: 100,
                off_msec: 200
            },
            Tone {
                freq1: 350,
                freq2: 440,
                on_msec: 1000,
                off_msec: 0
            }
        ]
    );
    assert_eq!(o.add_buddy, ["sip:x@y", "sip:z@y"]);
    assert_eq!(o.dis_codec, ["speex", "iLBC"]);
    assert_eq!(o.play_file, ["a.wav", "b.wav"]);
}

#[test]
fn errors_name_the_option_and_the_problem() {
    let e = err(&["--regstrar", "sip:x"]);
    assert_eq!(
        e.to_string(),
        "unknown option --regstrar (did you mean --registrar?); see --help"
    );
    assert!(
        err(&["--zzzzzzzzzzzz"])
            .to_string()
            .starts_with("unknown option --zzzzzzzzzzzz; ")
    );
    assert!(matches!(err(&["-x"]), OptionsError::Unknown { .. }));
    assert_eq!(err(&["--id"]).to_string(), "option --id needs a value");
    assert_eq!(
        err(&["--no-tcp=1"]).to_string(),
        "option --no-tcp takes no value (got \"1\")"
    );
    assert_eq!(
        err(&["--log-level", "7"]).to_string(),
        "invalid value \"7\" for --log-level: expecting an integer 0-6"
    );
    assert_eq!(
        err(&["--max-calls=many"]).to_string(),
        "invalid value \"many\" for --max-calls: expecting an integer 1-1000000"
    );
    for bad in [
        &["--auto-answer", "99"][..],
        &["--auto-answer", "700"],
        &["--reg-timeout", "0"],
        &["--reg-timeout", "3601"],
        &["--use-timer", "4"],
        &["--clock-rate", "7999"],
        &["--local-port", "65536"],
        &["--thread-cnt", "129"],
        &["--ptime", "5"],
        &["--quality", "11"],
        &["--rx-drop-pct", "101"],
        &["--timer-se", "89"],
        &["--ilbc-mode", "25"],
        &["--accept-redirect", "5"],
        &["--duration", "-1"],
        &["--max-calls", "99999999999999999999999"],
        &["--play-tone", "1,2,3"],
        &["--play-tone", "1,2,3,x"],
        &["--id", "alice"],
        &["--registrar", "tel:+1"],
        &["--proxy", "http://x"],
        &["--add-buddy", "<sip:x"],
    ] {
        let e = err(bad);
        assert!(matches!(e, OptionsError::BadValue { .. }), "{bad:?}: {e}");
        let name = bad[0].trim_start_matches('-');
        assert!(e.to_string().contains(&format!("--{name}")), "{e}");
    }
    assert_eq!(
        err(&["--no-udp", "--no-tcp"]).to_string(),
        "--no-udp and --no-tcp: cannot disable both TCP and UDP"
    );
    assert!(matches!(
        err(&["--timer-se", "100", "--timer-min-se", "200"]),
        OptionsError::Conflict(_)
    ));
}

#[test]
fn unsupported_features_are_refused_not_ignored() {
    for args in [
        &["--use-srtp", "1"][..],
        &["--use-srtp=2"],
        &["--use-ice"],
        &["--stun-srv", "stun.example.com"],
        &["--use-tls"],
        &["--tls-ca-file", "ca.pem"],
        &["--video"],
        &["--use-turn"],
    ] {
        let e = err(args);
        assert!(matches!(e, OptionsError::NotSupported { .. }), "{e}");
        assert!(e.to_string().contains("is not supported yet"), "{e}");
    }
    assert_eq!(
        err(&["--use-srtp=1"]).to_string(),
        "option --use-srtp is not supported yet (SRTP is not in ferrosip yet)"
    );
    // Every option pjsua has is either supported or refused by name.
    for u in UNSUPPORTED {
        assert!(!SPECS.iter().any(|s| s.name == u.name), "{}", u.name);
    }
}

#[test]
fn help_and_version() {
    assert_eq!(Options::parse(["--help"]).unwrap(), Parsed::Help);
    assert_eq!(Options::parse(["-h"]).unwrap(), Parsed::Help);
    assert_eq!(
        Options::parse(["--id=sip:a@b", "--version"]).unwrap(),
        Parsed::Version
    );
    assert!(matches!(
        Options::from_args(["--help"]),
        Err(OptionsError::HelpRequested)
    ));
    let h = help();
    for spec in SPECS {
        assert!(
            h.contains(&format!("--{}", spec.name)),
            "help lacks --{}",
            spec.name
        );
    }
    for u in UNSUPPORTED {
        assert!(
            h.contains(&format!("--{}", u.name)),
            "help lacks --{}",
            u.name
        );
    }
    assert!(h.starts_with("Usage:\n  ferrosip [options] [SIP URL to call]"));
    assert!(
        h.lines()
            .all(|l| l.chars().count() <= 80 && !l.ends_with(' ')),
        "{h}"
    );
    assert!(version().starts_with("ferrosip "));
}

#[test]
fn sip_url_calls_at_once_and_joins_the_buddies() {
    let o = run(&[
        "--null-audio",
        "sip:bob@example.com",
        "--auto-answer",
        "200",
    ]);
    assert_eq!(o.call_url.as_deref(), Some("sip:bob@example.com"));
    let app = o.to_app_config().unwrap();
    assert_eq!(app.call.call_url.as_deref(), Some("sip:bob@example.com"));
    assert_eq!(app.buddies.len(), 1);
    assert_eq!(app.buddies[0].uri, "sip:bob@example.com");
    let e = err(&["sip:a@b", "sip:c@d"]);
    assert!(matches!(e, OptionsError::ExtraArgument { .. }), "{e}");
    assert!(matches!(
        err(&["bob"]),
        OptionsError::BadValue {
            option: "sip-url",
            ..
        }
    ));
    // After `--`, everything is positional.
    assert_eq!(run(&["--", "sip:x@y"]).call_url.as_deref(), Some("sip:x@y"));
    assert!(matches!(
        err(&["--", "--help"]),
        OptionsError::BadValue { .. }
    ));
}

#[test]
fn accounts_and_credentials() {
    let o = run(&[
        "--id",
        "sip:alice@example.com",
        "--registrar",
        "sip:example.com",
        "--realm",
        "example.com",
        "--username",
        "alice",
        "--password",
        "secret",
        "--next-cred",
        "--username",
        "alice2",
        "--password",
        "pw2",
        "--use-100rel",
        "--use-timer",
        "2",
        "--timer-se",
        "600",
        "--timer-min-se",
        "120",
        "--reg-timeout",
        "60",
        "--publish",
        "--rtcp-mux",
        "--contact",
        "sip:alice@10.0.0.1",
        "--next-account",
        "--id",
        "\"Bob\" <sip:bob@example.org>",
        "--proxy",
        "sip:proxy.example.org;lr",
        "--rtp-port",
        "5000",
        "--ip-addr",
        "192.0.2.7",
        "--bound-addr",
        "0.0.0.0",
        "--ipv6",
    ]);
    assert_eq!(o.accounts.len(), 2);
    let app = o.to_app_config().unwrap();
    assert_eq!(app.accounts.len(), 2);
    let a = &app.accounts[0];
    assert_eq!(a.id_uri, "sip:alice@example.com");
    assert_eq!(a.reg_config.registrar_uri, "sip:example.com");
    assert_eq!(a.reg_config.timeout_sec, 60);
    assert_eq!(
        a.sip_config.auth_creds,
        [
            AuthCredInfo::new(
                "digest",
                "example.com",
                "alice",
                CredDataType::PlainPasswd,
                "secret"
            ),
            AuthCredInfo::new("digest", "*", "alice2", CredDataType::PlainPasswd, "pw2"),
        ]
    );
    assert_eq!(a.call_config.prack_use, PrackUse::Mandatory);
    assert_eq!(a.call_config.timer_use, SessionTimerUse::Required);
    assert_eq!(
        (
            a.call_config.timer_sess_expires_sec,
            a.call_config.timer_min_se_sec
        ),
        (600, 120)
    );
    assert!(a.pres_config.publish_enabled);
    assert!(a.media_config.rtcp_mux_enabled);
    assert_eq!(a.sip_config.contact_forced, "sip:alice@10.0.0.1");
    let b = &app.accounts[1];
    assert_eq!(b.id_uri, "\"Bob\" <sip:bob@example.org>");
    assert_eq!(b.sip_config.proxies, ["sip:proxy.example.org;lr"]);
    assert!(b.sip_config.auth_creds.is_empty());
    assert_eq!(b.call_config.prack_use, PrackUse::NotUsed);
    assert_eq!(b.reg_config.timeout_sec, 300);
    for acc in &app.accounts {
        assert_eq!(acc.media_config.transport_config.port, 5000);
        assert_eq!(
            acc.media_config.transport_config.public_address,
            "192.0.2.7"
        );
        assert_eq!(acc.media_config.transport_config.bound_address, "0.0.0.0");
        assert_eq!(acc.media_config.ipv6_use, Ipv6Use::Enabled);
    }
    let types: Vec<_> = app.transports.iter().map(|t| t.type_).collect();
    assert_eq!(
        types,
        [
            TransportType::Udp,
            TransportType::Tcp,
            TransportType::Udp6,
            TransportType::Tcp6
        ]
    );
    assert!(
        app.transports
            .iter()
            .all(|t| t.config.public_address == "192.0.2.7")
    );

    // Account options without the account's --id.
    let e = run(&["--id", "sip:a@b", "--next-account", "--registrar", "sip:x"])
        .to_app_config()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "account 2: --registrar given but no --id (each --next-account needs its own --id)"
    );
    // An empty account (a trailing --next-account) is skipped.
    assert_eq!(
        run(&["--id", "sip:a@b", "--next-account"])
            .to_app_config()
            .unwrap()
            .accounts
            .len(),
        1
    );
}

#[test]
fn endpoint_transport_and_app_mapping() {
    let o = run(&[
        "--log-file",
        "/tmp/x.log",
        "--log-append",
        "--log-level",
        "6",
        "--app-log-level",
        "1",
        "--max-calls",
        "32",
        "--thread-cnt",
        "0",
        "--clock-rate",
        "8000",
        "--ptime",
        "40",
        "--quality",
        "4",
        "--no-vad",
        "--ec-tail",
        "0",
        "--rx-drop-pct",
        "5",
        "--tx-drop-pct",
        "6",
        "--local-port",
        "5070",
        "--no-tcp",
        "--outbound",
        "sip:out.example.com;lr",
        "--null-audio",
        "--play-file",
        "in.wav",
        "--auto-play",
        "--auto-loop",
        "--auto-conf",
        "--rec-file",
        "out.wav",
        "--auto-rec",
        "--auto-answer",
        "180",
        "--duration",
        "30",
        "--norefersub",
        "--use-compact-form",
        "--accept-redirect",
        "0",
    ]);
    let app = o.to_app_config().unwrap();
    let ep = &app.ep_config;
    assert_eq!(ep.log_config.filename, "/tmp/x.log");
    assert_eq!(ep.log_config.file_flags, PJ_O_APPEND);
    assert_eq!((ep.log_config.level, ep.log_config.console_level), (6, 1));
    assert_eq!((ep.ua_config.max_calls, ep.ua_config.thread_cnt), (32, 0));
    assert_eq!(ep.ua_config.outbound_proxies, ["sip:out.example.com;lr"]);
    let m = &ep.med_config;
    assert_eq!(
        (m.clock_rate, m.ptime, m.quality, m.ec_tail_len),
        (8000, 40, 4, 0)
    );
    assert!(m.no_vad);
    assert_eq!((m.rx_drop_pct, m.tx_drop_pct), (5, 6));
    let t: Vec<_> = app
        .transports
        .iter()
        .map(|t| (t.type_, t.enabled, t.config.port))
        .collect();
    assert_eq!(
        t,
        [
            (TransportType::Udp, true, 5070),
            (TransportType::Tcp, false, 5070)
        ]
    );
    assert!(app.media.null_audio && app.media.auto_play && app.media.auto_loop);
    assert!(app.media.auto_conf && app.media.auto_rec);
    assert_eq!(app.media.play_files, [PathBuf::from("in.wav")]);
    assert_eq!(app.media.rec_file, Some(PathBuf::from("out.wav")));
    assert_eq!(app.call.auto_answer, Some(180));
    assert_eq!(app.call.duration, Some(30));
    assert!(app.call.norefersub && app.call.use_compact_form);
    assert_eq!(app.call.accept_redirect, 0);
}

#[test]
fn config_file_is_inserted_where_it_appears() {
    let file = temp_file(
        "# pjsua config\n\
         --id sip:alice@example.com\n\
         --registrar=sip:example.com   # trailing comment\n\
         \n\
         --realm \"my realm\"  --username alice\n\
         --password 'p w'\n\
         --log-level 3\n\
         --auto-answer 200\n",
    );
    let f = file.to_str().unwrap();
    // Later command-line options override the file's; earlier ones are
    // overridden by it.
    let o = run(&["--log-level", "1", "--config-file", f, "--auto-answer=486"]);
    assert_eq!(o.log_level, 3);
    assert_eq!(o.auto_answer, 486);
    assert_eq!(o.accounts[0].id, "sip:alice@example.com");
    assert_eq!(o.accounts[0].registrar, "sip:example.com");
    assert_eq!(o.accounts[0].creds[0].realm, "my realm");
    assert_eq!(o.accounts[0].creds[0].password, "p w");
    assert_eq!(o.config_file, std::slice::from_ref(&file));
    let o = run(&[&format!("--config-file={f}")]);
    assert_eq!(o.auto_answer, 200);
    std::fs::remove_file(file).unwrap();
}

#[test]
fn config_files_nest_but_not_forever() {
    let inner = temp_file("--max-calls 7\n");
    let outer = temp_file(&format!(
        "--config-file {}\n--thread-cnt 2\n",
        inner.display()
    ));
    let o = run(&["--config-file", outer.to_str().unwrap()]);
    assert_eq!((o.max_calls, o.thread_cnt), (7, 2));
    assert_eq!(o.config_file, [outer.clone(), inner.clone()]);

    // A file including itself.
    let selfish =
        std::env::temp_dir().join(format!("ferrosip-cli-options-self-{}", std::process::id()));
    std::fs::write(&selfish, format!("--config-file {}\n", selfish.display())).unwrap();
    let e = err(&["--config-file", selfish.to_str().unwrap()]);
    assert!(matches!(e, OptionsError::TooDeep { .. }), "{e}");
    assert!(e.to_string().contains("nested too deep"), "{e}");

    // An unreadable one names its path.
    let e = err(&["--config-file", "/nonexistent/ferrosip.cfg"]);
    assert!(
        e.to_string()
            .starts_with("--config-file: cannot read /nonexistent/ferrosip.cfg: "),
        "{e}"
    );
    let e = err(&["--config-file", &std::env::temp_dir().display().to_string()]);
    assert!(e.to_string().contains("not a regular file"), "{e}");
    // A bad option inside a file is reported as any other.
    let bad = temp_file("--use-ice\n");
    assert!(matches!(
        err(&["--config-file", bad.to_str().unwrap()]),
        OptionsError::NotSupported { .. }
    ));
    for f in [inner, outer, selfish, bad] {
        std::fs::remove_file(f).unwrap();
    }
}

#[test]
fn tokenizer_follows_pjsua() {
    assert_eq!(
        parse::tokenize("--a b\r\n  --c=\"d e\" #x y\n# all\n'f g' h\n--i \"unterminated\n\"\""),
        [
            "--a",
            "b",
            "--c=\"d",
            "e\"",
            "f g",
            "h",
            "--i",
            "unterminated",
            ""
        ]
    );
}

#[test]
fn config_file_round_trips() {
    let o = run(&[
        "--log-file",
        "my log.txt",
        "--log-append",
        "--local-port",
        "0",
        "--ip-addr",
        "192.0.2.1",
        "--id",
        "\"Alice A\" <sip:alice@example.com>",
        "--registrar",
        "sip:example.com",
        "--realm",
        "*",
        "--username",
        "alice",
        "--password",
        "a \"secret\"",
        "--contact-params",
        "it's",
        "--next-cred",
        "--username",
        "x",
        "--proxy",
        "sip:p1;lr",
        "--proxy",
        "sip:p2;lr",
        "--use-timer",
        "0",
        "--next-account",
        "--id",
        "sip:bob@example.org",
        "--publish",
        "--play-tone",
        "1,2,3,4",
        "--play-file",
        "#hash.wav",
        "--duration",
        "0",
        "--add-buddy",
        "sip:carol@example.net",
        "--auto-answer",
        "200",
        "--ec-tail",
        "0",
        "--jb-max-size",
        "-1",
        "--snd-auto-close",
        "-1",
        "--rtp-port",
        "4002",
        "sip:dave@example.com",
    ]);
    let text = o.to_config_file();
    assert!(
        text.contains("\n--id \"\\\"Alice A\\\" <sip:alice@example.com>\"\n")
            || text.contains("--id '\"Alice A\" <sip:alice@example.com>'\n"),
        "{text}"
    );
    assert!(text.contains("--next-account\n"), "{text}");
    assert!(text.contains("--next-cred\n"), "{text}");
    let file = temp_file(&text);
    let back = run(&["--config-file", file.to_str().unwrap()]);
    assert_eq!(values(back.clone()), values(o.clone()), "{text}");
    // And again: the same text.
    assert_eq!(back.to_config_file(), text);
    assert_eq!(back.to_app_config().unwrap(), o.to_app_config().unwrap());
    std::fs::remove_file(file).unwrap();
    // Nothing given, nothing written but the header.
    assert_eq!(
        run(&[])
            .to_config_file()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .count(),
        0
    );
}

#[test]
fn json_config_round_trips() {
    let o = run(&[
        "--id",
        "sip:alice@example.com",
        "--registrar",
        "sip:example.com",
        "--username",
        "alice",
        "--password",
        "pw",
        "--local-port",
        "5080",
        "--no-tcp",
        "--max-calls",
        "8",
        "--auto-answer",
        "200",
        "--play-tone",
        "440,0,500,500",
        "--auto-play",
        "--add-buddy",
        "sip:bob@example.com",
        "--null-audio",
    ]);
    let text = o.to_json_config().unwrap();
    // PJSUA2's shape: EpConfig, transports, accounts (with buddies).
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["EpConfig"]["UaConfig"]["maxCalls"], 8);
    // (Items of arrays are anonymous, as PJSUA2 writes them.)
    assert_eq!(v["transports"][0]["type"], 1);
    assert_eq!(v["transports"][0]["TransportConfig"]["port"], 5080);
    assert_eq!(v["transports"][1]["enabled"], false);
    assert_eq!(
        v["accounts"][0]["AccountConfig"]["idUri"],
        "sip:alice@example.com"
    );
    assert_eq!(v["accounts"][0]["buddies"][0]["uri"], "sip:bob@example.com");
    assert!(
        v["pjsuaOptions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "--auto-answer=200")
    );

    let file = temp_file(&text);
    let back = run(&["--json-config", file.to_str().unwrap()]);
    assert_eq!(back.json_config.as_deref(), Some(file.as_path()));
    assert_eq!(back.to_app_config().unwrap(), o.to_app_config().unwrap());
    // Saved again, the same document.
    assert_eq!(back.to_json_config().unwrap(), text);

    // Options after it change the document's configs.
    let over = run(&[
        "--json-config",
        file.to_str().unwrap(),
        "--max-calls",
        "2",
        "--id",
        "sip:alice@example.com",
        "--reg-timeout",
        "60",
        "--next-account",
        "--id",
        "sip:new@x",
    ]);
    let app = over.to_app_config().unwrap();
    assert_eq!(app.ep_config.ua_config.max_calls, 2);
    assert_eq!(app.transports[0].config.port, 5080);
    assert_eq!(app.accounts.len(), 2);
    assert_eq!(app.accounts[0].reg_config.timeout_sec, 60);
    assert_eq!(app.accounts[0].reg_config.registrar_uri, "sip:example.com");
    assert_eq!(app.accounts[0].sip_config.auth_creds.len(), 1);
    assert_eq!(app.accounts[1].id_uri, "sip:new@x");
    assert_eq!(app.call.auto_answer, Some(200));
    std::fs::remove_file(file).unwrap();
}

#[test]
fn json_config_reads_what_pjsua2_writes() {
    // JsonDocument.writeObject of sibling configs, as a PJSUA2 script does.
    let mut acc = AccountConfig {
        id_uri: "sip:alice@example.com".into(),
        ..AccountConfig::default()
    };
    acc.reg_config.registrar_uri = "sip:example.com".into();
    let tp = TransportConfig {
        port: 5062,
        ..TransportConfig::default()
    };
    let mut ep = EpConfig::default();
    ep.ua_config.user_agent = "app".into();
    let mut doc = JsonDocument::new();
    doc.write_object(&ep).unwrap();
    doc.write_object(&acc).unwrap();
    doc.write_object(&tp).unwrap();
    let text = doc.save_string().unwrap();
    let file = temp_file(&text);
    let o = run(&["--json-config", file.to_str().unwrap(), "--local-port", "0"]);
    let app = o.to_app_config().unwrap();
    assert_eq!(app.ep_config.ua_config.user_agent, "app");
    assert_eq!(app.accounts, [acc]);
    assert_eq!(app.transports.len(), 1);
    assert_eq!(app.transports[0].type_, TransportType::Udp);
    assert_eq!(app.transports[0].config.port, 0);
    std::fs::remove_file(file).unwrap();

    // Bad documents are errors naming the file.
    for text in [
        "{ \"EpConfig\": { \"UaConfig\": { \"maxCalls\": \"x\" } } }",
        "[1]",
        "{",
        "",
    ] {
        let file = temp_file(text);
        let e = err(&["--json-config", file.to_str().unwrap()]);
        assert!(matches!(e, OptionsError::Json { .. }), "{text}: {e}");
        assert!(e.to_string().contains(&file.display().to_string()), "{e}");
        std::fs::remove_file(file).unwrap();
    }
    let e = err(&["--json-config", "/nonexistent.json"]);
    assert!(
        e.to_string()
            .starts_with("--json-config: cannot read /nonexistent.json"),
        "{e}"
    );
}

/// Argument vocabularies for the random tests: option names (some with
/// values glued on), values, and noise.
fn arg() -> impl Strategy<Value = String> {
    let names: Vec<&'static str> = SPECS
        .iter()
        .map(|s| s.name)
        .chain(UNSUPPORTED.iter().map(|u| u.name))
        .filter(|n| *n != "config-file" && *n != "json-config")
        .collect();
    prop_oneof![
        proptest::sample::select(names.clone()).prop_map(|n| format!("--{n}")),
        (
            proptest::sample::select(names),
            "[-a-z0-9:@,=.;<> \"']{0,12}"
        )
            .prop_map(|(n, v)| format!("--{n}={v}")),
        "[0-9]{1,6}",
        "-?[0-9,]{1,12}",
        "sip:[a-z]{1,5}@[a-z]{1,5}",
        "\\PC{0,12}",
        Just("--".to_owned()),
        Just("-".to_owned()),
        Just("--next-account".to_owned()),
        Just("--id=sip:a@b".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// No argument vector makes the parser (or the mapping, or the
    /// writer) panic; whatever parses writes back to the same options.
    #[test]
    fn no_panic_on_any_arguments(args in proptest::collection::vec(arg(), 0..12)) {
        if let Ok(Parsed::Run(o)) = Options::parse(args.clone()) {
            let _ = o.to_app_config();
            // A value with both kinds of quote cannot be written back.
            let quotes = args.iter().any(|a| a.contains('"') && a.contains('\''));
            let text = o.to_config_file();
            let tokens = parse::tokenize(&text);
            match Options::parse(tokens) {
                Ok(Parsed::Run(back)) => {
                    if !quotes {
                        prop_assert_eq!(values(*back), values(*o));
                    }
                }
                other => prop_assert!(quotes, "{:?} wrote {:?}, read {:?}", args, text, other),
            }
        }
    }

    /// Nor does any configuration file's text.
    #[test]
    fn no_panic_on_any_config_text(text in "\\PC{0,200}") {
        let _ = Options::parse(parse::tokenize(&text));
    }
}

#[test]
fn options_changed_in_code_are_written_too() {
    // The softphone may change options (the console does) before `f`.
    let mut o = Options {
        auto_answer: 200,
        null_audio: true,
        ..Options::default()
    };
    o.accounts[0].id = "sip:a@b".into();
    o.accounts[0].publish = true;
    o.accounts[0].creds[0].username = "a".into();
    let text = o.to_config_file();
    let back = Options::from_args(parse::tokenize(&text)).unwrap();
    assert_eq!(values(back), values(o), "{text}");
    assert!(text.contains("\n--auto-answer 200\n"), "{text}");
}

#[test]
fn json_config_in_pygui_shape() {
    let text = r#"{
        "EpConfig": { "UaConfig": { "maxCalls": 6 } },
        "transports": [
            { "type": 2, "enabled": true, "TransportConfig": { "port": 5090 } },
            { "type": 1, "enabled": false, "TransportConfig": { "port": 5091 } }
        ],
        "accounts": [
            { "enabled": false, "AccountConfig": { "idUri": "sip:off@x" },
              "buddies": [ { "uri": "sip:no@x", "subscribe": true } ] },
            { "enabled": true, "AccountConfig": { "idUri": "sip:on@x" },
              "buddies": [ { "uri": "sip:yes@x", "subscribe": false } ] }
        ],
        "appSpecific": { "whatever": [1, 2] },
        "number": 3,
        "pjsuaOptions": [ "--auto-answer=486", "--duration", "5" ]
    }"#;
    let (s, extra) = JsonSettings::load_str(text).unwrap();
    assert_eq!(extra, ["--auto-answer=486", "--duration", "5"]);
    assert_eq!(s.ep_config.as_ref().unwrap().ua_config.max_calls, 6);
    assert_eq!(s.ep_config.as_ref().unwrap().ua_config.thread_cnt, 1);
    let t: Vec<_> = s
        .transports
        .iter()
        .map(|t| (t.type_, t.enabled, t.config.port))
        .collect();
    assert_eq!(
        t,
        [
            (TransportType::Tcp, true, 5090),
            (TransportType::Udp, false, 5091)
        ]
    );
    assert_eq!(s.accounts.len(), 1);
    assert_eq!(s.accounts[0].id_uri, "sip:on@x");
    assert_eq!(s.buddies.len(), 1);
    assert!(!s.buddies[0].subscribe);

    let file = temp_file(text);
    let o = run(&[
        "--json-config",
        file.to_str().unwrap(),
        "--no-tcp",
        "--ip-addr",
        "192.0.2.9",
    ]);
    let app = o.to_app_config().unwrap();
    assert_eq!(app.call.auto_answer, Some(486));
    assert_eq!(app.call.duration, Some(5));
    // The document's transports, changed only by what was given.
    let t: Vec<_> = app
        .transports
        .iter()
        .map(|t| {
            (
                t.type_,
                t.enabled,
                t.config.port,
                t.config.public_address.as_str(),
            )
        })
        .collect();
    assert_eq!(
        t,
        [
            (TransportType::Tcp, false, 5090, "192.0.2.9"),
            (TransportType::Udp, false, 5091, "192.0.2.9")
        ]
    );
    // A JSON config including itself through its options is bounded.
    std::fs::write(
        &file,
        format!(
            "{{ \"pjsuaOptions\": [ \"--json-config={}\" ] }}",
            file.display()
        ),
    )
    .unwrap();
    assert!(matches!(
        err(&["--json-config", file.to_str().unwrap()]),
        OptionsError::TooDeep { .. }
    ));
    std::fs::remove_file(file).unwrap();
}

/// A supported option with a valid value (in either form), as arguments.
fn valid_option() -> impl Strategy<Value = Vec<String>> {
    let text = "[a-zA-Z0-9 _.:;@#=\"-]{0,10}";
    let url = "sips?:[a-z]{1,6}@[a-z]{1,6}(;lr)?";
    let num = |lo: u32, hi: u32| (lo..=hi).prop_map(|n| n.to_string()).boxed();
    let choices: Vec<(&'static str, BoxedStrategy<String>)> = vec![
        ("log-file", text.boxed()),
        ("log-level", num(0, 6)),
        ("app-log-level", num(0, 6)),
        ("id", url.boxed()),
        ("registrar", url.boxed()),
        ("realm", text.boxed()),
        ("username", text.boxed()),
        ("password", text.boxed()),
        ("proxy", url.boxed()),
        ("contact", url.boxed()),
        ("contact-params", text.boxed()),
        ("reg-timeout", num(1, 3600)),
        ("use-timer", num(0, 3)),
        ("timer-se", num(1800, 4000)),
        ("timer-min-se", num(90, 1800)),
        ("local-port", num(0, 65535)),
        ("ip-addr", text.boxed()),
        ("outbound", url.boxed()),
        ("add-codec", "[a-zA-Z0-9/]{1,8}".boxed()),
        ("clock-rate", num(8000, 192_000)),
        ("play-file", "[a-z ./]{1,10}".boxed()),
        (
            "play-tone",
            (0u16..4000, 0u16..4000, 0u16..2000, 0u16..2000)
                .prop_map(|(a, b, c, d)| format!("{a},{b},{c},{d}"))
                .boxed(),
        ),
        ("rec-file", "[a-z ./]{1,10}".boxed()),
        ("rtp-port", num(1, 65535)),
        ("quality", num(0, 10)),
        ("ptime", num(10, 1000)),
        ("ec-tail", num(0, 1000)),
        ("auto-answer", num(100, 699)),
        ("max-calls", num(1, 32)),
        ("thread-cnt", num(0, 128)),
        ("duration", num(0, 100_000)),
        ("accept-redirect", num(0, 4)),
        ("add-buddy", url.boxed()),
        (
            "jb-max-size",
            (-1i32..2000).prop_map(|n| n.to_string()).boxed(),
        ),
    ];
    let flags: Vec<&'static str> = SPECS
        .iter()
        .filter(|s| s.arg.is_none() && !matches!(s.name, "help" | "version" | "no-udp"))
        .map(|s| s.name)
        .collect();
    let valued =
        proptest::sample::select((0..choices.len()).collect::<Vec<_>>()).prop_flat_map(move |i| {
            let (name, values) = &choices[i];
            let name = *name;
            (values.clone(), any::<bool>()).prop_map(move |(v, glued)| {
                if glued {
                    vec![format!("--{name}={v}")]
                } else {
                    vec![format!("--{name}"), v]
                }
            })
        });
    prop_oneof![
        3 => valued,
        1 => proptest::sample::select(flags).prop_map(|f| vec![format!("--{f}")]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Valid command lines parse, and their configuration file reads back
    /// to the same options and the same configs.
    #[test]
    fn valid_command_lines_round_trip(opts in proptest::collection::vec(valid_option(), 0..16)) {
        let mut args: Vec<String> = opts.into_iter().flatten().collect();
        // Account options need an --id; timers must stay ordered.
        args.insert(0, "--id=sip:first@example.com".into());
        let o = match Options::from_args(args.clone()) {
            Ok(o) => o,
            Err(OptionsError::Conflict(_)) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("{args:?}: {e}"))),
        };
        let text = o.to_config_file();
        let back = Options::from_args(parse::tokenize(&text))
            .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(back.to_config_file(), text.clone());
        match (o.to_app_config(), back.to_app_config()) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a, b),
        }
        prop_assert_eq!(values(back), values(o));
    }
}

#[test]
fn empty_values_given_are_written_back() {
    // Found by valid_command_lines_round_trip: an empty --realm given for
    // an account without --id must stay an error after the round trip.
    let o = run(&["--id=sip:a@b", "--next-account", "--realm", ""]);
    assert!(matches!(
        o.to_app_config(),
        Err(OptionsError::AccountWithoutId {
            account: 2,
            option: "realm"
        })
    ));
    let text = o.to_config_file();
    assert!(text.contains("--realm \"\"\n"), "{text}");
    let back = Options::from_args(parse::tokenize(&text)).unwrap();
    assert_eq!(back.to_app_config(), o.to_app_config());
}

#[test]
fn settings_are_saved_to_files() {
    let o = run(&["--id", "sip:a@b", "--auto-answer", "200"]);
    let cfg = temp_file("");
    o.save_config_file(&cfg).unwrap();
    let back = run(&["--config-file", cfg.to_str().unwrap()]);
    assert_eq!(back.to_app_config().unwrap(), o.to_app_config().unwrap());
    let json = temp_file("");
    o.save_json_config(&json).unwrap();
    let back = run(&["--json-config", json.to_str().unwrap()]);
    assert_eq!(back.to_app_config().unwrap(), o.to_app_config().unwrap());
    let e = o
        .save_config_file(std::path::Path::new("/nonexistent/dir/x.cfg"))
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot save the settings to /nonexistent/dir/x.cfg: "),
        "{e}"
    );
    for f in [cfg, json] {
        std::fs::remove_file(f).unwrap();
    }
}
