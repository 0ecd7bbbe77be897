//! JSON persistence without PJSUA2 at hand: ferrosip's output against
//! PJSUA2 2.15.1's saved output (`tests/data/json/pjsua2-*.json`, captured
//! by `tests/pjsua2/json_write.py`; `json_pjsua2.rs` checks they are
//! current), write/read round trips of every config, lenient reading,
//! error messages, and random input that must never panic.

#[path = "json_fixtures.rs"]
mod fixtures;

use ferrosip::config::*;
use ferrosip::error::status;
use ferrosip::json::{JsonDocument, PersistentObject};
use fixtures::*;
use serde_json::Value;
use testkit::SimRng;

fn load(text: &str) -> JsonDocument {
    let mut doc = JsonDocument::new();
    doc.load_string(text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    doc
}

fn dump(name: &str) -> Value {
    serde_json::from_str(&data_text(name)).expect("a dump is JSON")
}

fn assert_no_diffs(diffs: Vec<String>) {
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn default_configs_are_written_byte_for_byte_as_pjsua2_writes_them() {
    let ours = document_of(&default_objects()).save_string().unwrap();
    assert_eq!(ours, data_text("pjsua2-defaults.json"));
}

#[test]
fn the_reference_sample_is_written_byte_for_byte() {
    let ours = document_of(&sample_objects()).save_string().unwrap();
    assert_eq!(ours, data_text("pjsua2-sample.json"));
}

#[test]
fn an_empty_document_is_braces() {
    assert_eq!(JsonDocument::new().save_string().unwrap(), "{ }");
    let doc = load("{ }");
    assert!(!doc.root_container().has_unread());
}

#[test]
fn the_reference_sample_loads() {
    let doc = load(&data_text("pjsua2-sample.json"));
    let objects = read_all(&doc, &classes_of(&sample_objects()));
    assert_eq!(objects, sample_objects());
    assert_no_diffs(compare_with_dump(
        &dump("pjsua2-sample.expected.json"),
        &objects,
        Loader::Ferrosip,
    ));
}

#[test]
fn ferrosip_defaults_are_pjsua2s_field_by_field() {
    assert_no_diffs(compare_with_dump(
        &dump("pjsua2-defaults.expected.json"),
        &default_objects(),
        Loader::Neither,
    ));
}

#[test]
fn pjsua2s_document_with_every_field_set_loads() {
    let expected = dump("pjsua2-custom.expected.json");
    let classes: Vec<&str> = expected
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[0].as_str().unwrap())
        .collect();
    let mut doc = JsonDocument::new();
    doc.load_file(data_path("pjsua2-custom.json")).unwrap();
    let objects = read_all(&doc, &classes);
    assert_no_diffs(compare_with_dump(&expected, &objects, Loader::Ferrosip));

    // Spot checks of what PJSUA2 itself cannot read back.
    let Obj::Ep(ep) = &objects[0] else { panic!() };
    assert_eq!(ep.ua_config.user_agent, "Fërrø ☎ 😀 /\"q\" \\ end");
    assert_eq!(
        ep.ua_config.stun_server[0], "stün.example.com:3478",
        "per-byte escapes in arrays"
    );
    assert!(ep.ua_config.outbound_proxies.is_empty(), "not persisted");
    let Obj::Account(acc) = &objects[2] else {
        panic!()
    };
    assert_eq!(
        acc.media_config.srtp_opt.cryptos[0].key, "",
        "an empty string in an array"
    );
    assert_eq!(acc.media_config.srtp_opt.cryptos[1].key, "kéy2");
    assert_eq!(acc.sip_config.auth_creds.len(), 3);
    assert_eq!(acc.sip_config.auth_creds[2].data_type, CredDataType::ExtAka);
    let Obj::Account(second) = &objects[3] else {
        panic!()
    };
    assert_eq!(
        second.id_uri, "sip:bob@example.org",
        "the second AccountConfig key"
    );
}

#[test]
fn every_config_round_trips_through_text_and_files() {
    let objects = custom_objects();
    let doc = document_of(&objects);
    let text = doc.save_string().unwrap();
    let expected: Vec<Obj> = objects.iter().map(Obj::stripped).collect();
    assert_eq!(read_all(&load(&text), &classes_of(&objects)), expected);

    let path = std::env::temp_dir().join(format!(
        "ferrosip-json-roundtrip-{}.json",
        std::process::id()
    ));
    doc.save_file(&path).unwrap();
    let mut from_file = JsonDocument::new();
    from_file.load_file(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(read_all(&from_file, &classes_of(&objects)), expected);
    // Writing what was read gives the same text.
    assert_eq!(document_of(&expected).save_string().unwrap(), text);
}

#[test]
fn each_config_round_trips_alone() {
    for obj in custom_objects() {
        let text = document_of(std::slice::from_ref(&obj))
            .save_string()
            .unwrap();
        let back = read_all(&load(&text), &[obj.class()]).remove(0);
        assert_eq!(back, obj.stripped(), "{}", obj.class());
    }
}

#[test]
fn integers_are_exact_where_pjsua2_rounds_through_float() {
    let tp = TransportConfig {
        port: 16_777_217,
        port_range: u32::MAX,
        ..TransportConfig::default()
    };
    let mut acc = AccountConfig {
        priority: i32::MIN,
        ..AccountConfig::default()
    };
    acc.nat_config.ice_wait_nomination_timeout_msec = i32::MAX;
    let text = document_of(&[Obj::Transport(tp.clone()), Obj::Account(acc.clone())])
        .save_string()
        .unwrap();
    assert!(
        text.contains("\"port\":                 16777217,"),
        "{text}"
    );
    assert!(text.contains("4294967295"));
    assert_eq!(
        read_all(&load(&text), &["TransportConfig", "AccountConfig"]),
        vec![Obj::Transport(tp), Obj::Account(acc)]
    );
}

/// Rewrites every object of `value` with `f`.
fn map_objects(value: &mut Value, f: &mut dyn FnMut(&mut serde_json::Map<String, Value>)) {
    match value {
        Value::Object(m) => {
            for v in m.values_mut() {
                map_objects(v, f);
            }
            f(m);
        }
        Value::Array(a) => a.iter_mut().for_each(|v| map_objects(v, f)),
        _ => {}
    }
}

/// serde_json reads PJSUA2's per-byte escapes as Latin-1; this turns such
/// strings back into the UTF-8 text they encode (as ferrosip reads them).
fn utf8_from_per_byte(s: &str) -> String {
    let bytes: Option<Vec<u8>> = s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect();
    bytes
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| s.to_owned())
}

fn fix_strings(value: &mut Value) {
    match value {
        Value::String(s) => *s = utf8_from_per_byte(s),
        Value::Array(a) => a.iter_mut().for_each(fix_strings),
        Value::Object(m) => m.values_mut().for_each(fix_strings),
        _ => {}
    }
}

#[test]
fn keys_may_come_in_any_order() {
    // One object per class: serde_json's maps cannot hold a key twice.
    let objects: Vec<Obj> = custom_objects()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, o)| o)
        .collect();
    let text = document_of(&objects).save_string().unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    fix_strings(&mut value);
    map_objects(&mut value, &mut |m| {
        let reversed: serde_json::Map<_, _> = std::mem::take(m).into_iter().rev().collect();
        *m = reversed;
    });
    let reordered = serde_json::to_string_pretty(&value).unwrap();
    assert!(reordered.find("\"sockOptParams\"") < reordered.find("\"EpConfig\""));
    assert!(reordered.find("\"upnpIfName\"") < reordered.find("\"maxCalls\""));
    let expected: Vec<Obj> = objects.iter().map(Obj::stripped).collect();
    assert_eq!(read_all(&load(&reordered), &classes_of(&objects)), expected);
}

#[test]
fn missing_keys_keep_current_values_and_unknown_keys_are_ignored() {
    let text = r#"{
        "EpConfig": {
            "UaConfig": { "threadCnt": 0, "someFutureField": [1, {"x": null}] },
            "Unknown": 5
        },
        "AccountConfig": {
            "idUri": "sip:a@b",
            "AccountNatConfig": { "iceEnabled": true },
            "AccountTextConfig": { "redundancyLevel": 3 }
        }
    }"#;
    let doc = load(text);
    let mut ep = EpConfig::default();
    ep.ua_config.max_calls = 9;
    ep.log_config.level = 2;
    doc.read_object(&mut ep).unwrap();
    assert_eq!(ep.ua_config.thread_cnt, 0);
    assert_eq!(
        ep.ua_config.max_calls, 9,
        "missing: the current value stays"
    );
    assert_eq!(
        ep.log_config.level, 2,
        "missing nested config: the current value stays"
    );

    let mut acc = custom_account();
    doc.read_object(&mut acc).unwrap();
    assert_eq!(acc.id_uri, "sip:a@b");
    assert!(acc.nat_config.ice_enabled);
    assert_eq!(
        acc.nat_config.turn_server,
        custom_account().nat_config.turn_server
    );
    assert_eq!(acc.sip_config, custom_account().sip_config);
}

#[test]
fn fields_pjsua2_does_not_write_are_read_when_present() {
    let text = r#"{
        "EpConfig": { "UaConfig": { "outboundProxies": ["sip:o;lr"] } },
        "AccountConfig": {
            "AccountRegConfig": { "disableRegOnModify": true, "contactUriParams": ";ob" },
            "AccountSipConfig": { "ipv6Use": 3, "authCreds": [ { "username": "u", "algoType": 2 } ] },
            "AccountMediaConfig": {
                "RtcpFbConfig": { "dontUseAvpf": false, "caps": [ "*", 1, "", "pli" ] },
                "TransportConfig": { "randomizePort": true, "TlsConfig": { "proto": 32, "enableRenegotiation": false } }
            },
            "AccountIpChangeConfig": { "shutdownTp": false, "reinviteFlags": 2, "reinvUseUpdate": 1 }
        }
    }"#;
    let doc = load(text);
    let mut ep = EpConfig::default();
    doc.read_object(&mut ep).unwrap();
    assert_eq!(ep.ua_config.outbound_proxies, vec!["sip:o;lr"]);
    let mut acc = AccountConfig::default();
    doc.read_object(&mut acc).unwrap();
    assert!(acc.reg_config.disable_reg_on_modify);
    assert_eq!(acc.reg_config.contact_uri_params, ";ob");
    assert_eq!(acc.sip_config.ipv6_use, Ipv6Use::PreferIpv6);
    let cred = &acc.sip_config.auth_creds[0];
    assert_eq!(
        (cred.username.as_str(), cred.algo_type),
        ("u", DigestAlgorithm::Sha256)
    );
    assert_eq!(
        cred.realm, "*",
        "other fields of a credential keep their defaults"
    );
    assert!(!acc.media_config.rtcp_fb_config.dont_use_avpf);
    assert_eq!(
        acc.media_config.rtcp_fb_config.caps[0].type_,
        RtcpFbType::Nack
    );
    assert!(acc.media_config.transport_config.randomize_port);
    assert_eq!(acc.media_config.transport_config.port, 4000);
    assert_eq!(acc.media_config.transport_config.tls_config.proto, 32);
    assert!(
        !acc.media_config
            .transport_config
            .tls_config
            .enable_renegotiation
    );
    assert_eq!(
        acc.ip_change_config,
        AccountIpChangeConfig {
            shutdown_tp: false,
            hangup_calls: false,
            reinvite_flags: 2,
            reinv_use_update: 1
        }
    );
}

fn load_error(text: &str) -> ferrosip::Error {
    JsonDocument::new().load_string(text).unwrap_err()
}

#[test]
fn bad_json_is_an_error_naming_line_and_column() {
    let e = load_error("{\"a\": [1,2}");
    assert_eq!(e.status, status::PJLIB_UTIL_EINJSON);
    assert_eq!(e.title, "loadString()");
    assert_eq!(
        e.reason,
        "JSON parsing failed at line 1 column 11: expected ',' or ']', found '}'"
    );
    let e = load_error("{\n   \"EpConfig\": {\n      \"UaConfig\" { }\n   }\n}");
    assert_eq!(
        e.reason,
        "JSON parsing failed at line 3 column 18: expected ':' after the key, found '{'"
    );
    assert!(load_error("").reason.contains("empty"));
    assert!(
        load_error("{\"a\": \"\\x\"}")
            .reason
            .contains("invalid escape")
    );
    assert!(
        e.info(false)
            .starts_with("loadString() error: JSON parsing failed at line 3 column 18")
    );
}

#[test]
fn bad_files_are_errors_naming_the_file() {
    let dir = std::env::temp_dir();
    let missing = dir.join("ferrosip-no-such-file.json");
    let e = JsonDocument::new().load_file(&missing).unwrap_err();
    assert_eq!(e.status, status::PJ_ENOTFOUND);
    assert_eq!(e.title, "loadFile()");
    assert!(
        e.reason.contains("ferrosip-no-such-file.json"),
        "{}",
        e.reason
    );

    let latin1 = dir.join(format!("ferrosip-latin1-{}.json", std::process::id()));
    std::fs::write(&latin1, b"{\n  \"a\": \"caf\xe9\"\n}").unwrap();
    let e = JsonDocument::new().load_file(&latin1).unwrap_err();
    let _ = std::fs::remove_file(&latin1);
    assert_eq!(e.status, status::PJLIB_UTIL_EINJSON);
    assert!(
        e.reason
            .ends_with("at line 2 column 12: the text is not UTF-8"),
        "{}",
        e.reason
    );

    let broken = dir.join(format!("ferrosip-broken-{}.json", std::process::id()));
    std::fs::write(&broken, "{\n  \"a\": tru\n}").unwrap();
    let e = JsonDocument::new().load_file(&broken).unwrap_err();
    let _ = std::fs::remove_file(&broken);
    assert!(e.reason.contains("at line 2 column 8:"), "{}", e.reason);
    assert!(e.reason.contains("ferrosip-broken-"), "{}", e.reason);

    let e = JsonDocument::new()
        .save_file(dir.join("no-such-dir/x.json"))
        .unwrap_err();
    assert_eq!(e.title, "saveFile()");
    assert!(
        e.status > status::PJ_ERRNO_START_SYS,
        "an OS error: {}",
        e.status
    );
}

fn read_error(text: &str, object: &mut dyn PersistentObject) -> ferrosip::Error {
    load(text).read_object(object).unwrap_err()
}

#[test]
fn wrong_types_name_the_key_path_and_position() {
    let e = read_error(
        "{\n \"EpConfig\": {\n  \"UaConfig\": {\n   \"maxCalls\": \"4\"\n  }\n }\n}",
        &mut EpConfig::default(),
    );
    assert_eq!(e.status, status::PJLIB_UTIL_EINJSON);
    assert_eq!(
        e.reason,
        "EpConfig.UaConfig.maxCalls: expected a number, got a string (line 4 column 16)"
    );

    let e = read_error(
        r#"{"AccountConfig": {"AccountSipConfig": {"authCreds": [{}, {"dataType": 2}]}}}"#,
        &mut AccountConfig::default(),
    );
    assert_eq!(
        e.reason,
        "AccountConfig.AccountSipConfig.authCreds[1].dataType: 2 is not a CredDataType (one of 0, 1, 16) (line 1 column 72)"
    );

    let e = read_error(
        r#"{"TransportConfig": {"qosParams": {"qos.dscp_val": 300}}}"#,
        &mut TransportConfig::default(),
    );
    assert_eq!(
        e.reason,
        "TransportConfig.qosParams.qos.dscp_val: 300 is out of range (0 to 255) (line 1 column 52)"
    );

    let e = read_error(
        r#"{"TransportConfig": {"port": -1}}"#,
        &mut TransportConfig::default(),
    );
    assert!(
        e.reason
            .starts_with("TransportConfig.port: -1 is out of range (0 to 4294967295)"),
        "{}",
        e.reason
    );

    let e = read_error(
        r#"{"AccountConfig": {"AccountNatConfig": {"turnConnType": 18}}}"#,
        &mut AccountConfig::default(),
    );
    assert!(
        e.reason
            .contains("turnConnType: 18 is not a TurnConnType (one of 17, 6, 56)"),
        "{}",
        e.reason
    );

    let e = read_error(
        r#"{"EpConfig": {"MediaConfig": {"ptime": 2.5}}}"#,
        &mut EpConfig::default(),
    );
    assert!(
        e.reason
            .contains("EpConfig.MediaConfig.ptime: expected an integer, got 2.5"),
        "{}",
        e.reason
    );

    let e = read_error(
        r#"{"EpConfig": {"UaConfig": {"nameserver": ["a", 1]}}}"#,
        &mut EpConfig::default(),
    );
    assert!(
        e.reason
            .starts_with("EpConfig.UaConfig.nameserver[1]: expected a string, got a number"),
        "{}",
        e.reason
    );

    let e = read_error(r#"{"EpConfig": {"UaConfig": 5}}"#, &mut EpConfig::default());
    assert!(
        e.reason
            .starts_with("EpConfig.UaConfig: expected an object, got a number"),
        "{}",
        e.reason
    );

    let e = read_error(
        r#"{"AccountConfig": {"AccountSipConfig": {"authCreds": {}}}}"#,
        &mut AccountConfig::default(),
    );
    assert!(
        e.reason
            .contains("authCreds: expected an array, got an object"),
        "{}",
        e.reason
    );
}

#[test]
fn a_document_without_the_object_is_an_error() {
    let e = read_error(r#"{"AccountConfig": {}}"#, &mut EpConfig::default());
    assert_eq!(e.title, "readContainer()");
    assert_eq!(
        e.reason,
        "EpConfig: not found (no such key in the object at line 1 column 1)"
    );
}

#[test]
fn a_failed_read_leaves_the_config_unchanged() {
    let mut acc = custom_account();
    let before = acc.clone();
    let text = r#"{"AccountConfig": {"idUri": "sip:changed", "AccountVideoConfig": {"windowFlags": "x"}}}"#;
    assert!(load(text).read_object(&mut acc).is_err());
    assert_eq!(acc, before);
}

/// Random edits of a valid document: bytes replaced, dropped, duplicated,
/// or swapped for JSON punctuation, and spans cut or repeated.
fn mutate(rng: &mut SimRng, text: &str) -> String {
    const TOKENS: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "\\",
        "\\u00c3",
        "\\ud83d",
        "-",
        "1e999",
        "0.5",
        "true",
        "null",
        "\"\"",
        "[]",
        "{}",
        "4294967296",
        "-2147483649",
        "é",
        "\n",
    ];
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..=rng.below(4) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len() as u64) as usize;
        match rng.below(5) {
            0 => {
                bytes.remove(at);
            }
            1 => bytes[at] = rng.below(256) as u8,
            2 => {
                let token = TOKENS[rng.below(TOKENS.len() as u64) as usize];
                bytes.splice(at..at, token.bytes());
            }
            3 => {
                let end = (at + rng.below(200) as usize).min(bytes.len());
                bytes.drain(at..end);
            }
            _ => {
                let end = (at + rng.below(100) as usize).min(bytes.len());
                let span = bytes[at..end].to_vec();
                bytes.splice(at..at, span);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A random JSON value built from the configs' keys, so that reads get
/// past the parser into the configs' readers with wrong types and ranges.
fn random_value(rng: &mut SimRng, depth: u32) -> String {
    const KEYS: &[&str] = &[
        "EpConfig",
        "UaConfig",
        "LogConfig",
        "MediaConfig",
        "AccountConfig",
        "AccountRegConfig",
        "AccountSipConfig",
        "AccountNatConfig",
        "AccountMediaConfig",
        "SrtpOpt",
        "RtcpFbConfig",
        "TransportConfig",
        "TlsConfig",
        "qosParams",
        "sockOptParams",
        "authCreds",
        "headers",
        "cryptos",
        "keyings",
        "caps",
        "ciphers",
        "maxCalls",
        "nameserver",
        "jbDiscardAlgo",
        "turnConnType",
        "dataType",
        "qos.flags",
        "port",
        "hname",
        "uri",
        "AuthCredInfo",
        "BuddyConfig",
        "idUri",
        "proxies",
        "optVal",
    ];
    let pick = rng.below(if depth > 4 { 6 } else { 9 });
    match pick {
        0 => "null".into(),
        1 => ["true", "false"][rng.below(2) as usize].into(),
        2 => format!("{}", rng.below(70000) as i64 - 100),
        3 => ["-1", "2.5", "4294967296", "1e300", "17", "56"][rng.below(6) as usize].into(),
        4 | 5 => format!(
            "\"{}\"",
            ["", "x", "\\u00c3\\u00a9", "sip:a@b"][rng.below(4) as usize]
        ),
        6 => {
            let items: Vec<String> = (0..rng.below(5))
                .map(|_| random_value(rng, depth + 1))
                .collect();
            format!("[{}]", items.join(","))
        }
        _ => {
            let members: Vec<String> = (0..rng.below(6))
                .map(|_| {
                    let key = KEYS[rng.below(KEYS.len() as u64) as usize];
                    format!("\"{key}\": {}", random_value(rng, depth + 1))
                })
                .collect();
            format!("{{{}}}", members.join(","))
        }
    }
}

/// What happened to the random documents.
#[derive(Debug, Default)]
struct Outcomes {
    parse_errors: usize,
    reads_ok: usize,
    read_errors: usize,
}

/// Loads `text` and reads every config class out of it: errors are fine,
/// panics are not (the test harness reports them).
fn load_and_read_everything(text: &str, outcomes: &mut Outcomes) {
    let mut doc = JsonDocument::new();
    if doc.load_string(text).is_err() {
        outcomes.parse_errors += 1;
        return;
    }
    for class in classes_of(&custom_objects()) {
        let mut obj = Obj::default_of(class);
        match doc.read_object(obj.persistent_mut()) {
            Ok(()) => outcomes.reads_ok += 1,
            Err(_) => outcomes.read_errors += 1,
        }
    }
    let root = doc.root_container();
    while root.has_unread() {
        let _ = root.unread_name();
        let _ = root.read_string("");
    }
    let _ = doc.save_string();
}

#[test]
fn random_and_mutated_documents_never_panic() {
    let bases = [
        data_text("pjsua2-sample.json"),
        data_text("pjsua2-custom.json"),
        document_of(&custom_objects()).save_string().unwrap(),
    ];
    let mut rng = SimRng::from_seed(0x_f3ee_0515_u64);
    let mut mutated = Outcomes::default();
    for i in 0..1500 {
        let base = &bases[i % bases.len()];
        load_and_read_everything(&mutate(&mut rng, base), &mut mutated);
    }
    let mut generated = Outcomes::default();
    for _ in 0..3000 {
        let text = format!(
            "{{\"EpConfig\": {}, \"AccountConfig\": {}}}",
            random_value(&mut rng, 0),
            random_value(&mut rng, 0)
        );
        load_and_read_everything(&text, &mut generated);
        load_and_read_everything(&random_value(&mut rng, 0), &mut generated);
    }
    // The inputs reach every stage: parse errors, and reads that succeed
    // and fail on documents that parse.
    for outcomes in [&mutated, &generated] {
        assert!(outcomes.parse_errors > 100, "{outcomes:?}");
        assert!(outcomes.reads_ok > 100, "{outcomes:?}");
        assert!(outcomes.read_errors > 100, "{outcomes:?}");
    }
}
