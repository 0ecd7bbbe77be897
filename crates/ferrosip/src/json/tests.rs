//! Unit tests of [`ContainerNode`] and [`JsonDocument`] semantics.

use super::*;
use crate::config::{EpConfig, SockOpt, SockOptParams, SrtpCrypto, SrtpOpt};
use crate::error::status;

fn loaded(text: &str) -> JsonDocument {
    let mut doc = JsonDocument::new();
    doc.load_string(text).unwrap();
    doc
}

#[test]
fn nodes_are_send_sync_handles() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<ContainerNode>();
    fn assert_send_sync_doc<T: Send + Sync>() {}
    assert_send_sync_doc::<JsonDocument>();
}

#[test]
fn objects_read_by_key_in_any_order() {
    let doc = loaded(r#"{"b": 2, "a": "x", "c": true}"#);
    let root = doc.root_container();
    assert!(root.read_bool("c").unwrap());
    assert_eq!(root.read_string("a").unwrap(), "x");
    assert!(root.has_unread());
    assert_eq!(root.unread_name().unwrap(), "b");
    assert_eq!(root.read_int("b").unwrap(), 2);
    assert!(!root.has_unread());
    // Reading again finds the same member.
    assert_eq!(root.read_int("b").unwrap(), 2);
}

#[test]
fn empty_name_reads_the_next_unread_member() {
    let doc = loaded(r#"{"a": 1, "b": 2, "c": 3}"#);
    let root = doc.root_container();
    assert_eq!(root.read_int("b").unwrap(), 2);
    assert_eq!(root.read_int("").unwrap(), 1);
    assert_eq!(root.read_int("").unwrap(), 3);
    let e = root.read_int("").unwrap_err();
    assert_eq!(e.status, status::PJLIB_UTIL_EINJSON);
    assert!(e.reason.contains("no unread element"), "{}", e.reason);
}

#[test]
fn duplicate_keys_are_read_in_turn() {
    let doc = loaded(r#"{"k": 1, "x": 0, "k": 2}"#);
    let root = doc.root_container();
    assert_eq!(root.read_int("k").unwrap(), 1);
    assert_eq!(root.read_int("k").unwrap(), 2);
    assert_eq!(root.read_int("k").unwrap(), 1);
}

#[test]
fn arrays_are_sequential_and_ignore_names() {
    let doc = loaded(r#"{"arr": [1, "two", [3], {"four": 4}]}"#);
    let arr = doc.root_container().read_array("arr").unwrap();
    assert!(arr.is_array());
    assert_eq!(arr.read_number("whatever").unwrap(), 1.0);
    assert_eq!(arr.read_string("").unwrap(), "two");
    assert_eq!(arr.read_array("x").unwrap().read_int("").unwrap(), 3);
    let obj = arr.read_container("y").unwrap();
    assert_eq!(obj.read_int("four").unwrap(), 4);
    assert!(!arr.has_unread());
    let e = arr.read_int("").unwrap_err();
    assert_eq!(e.reason, "arr: no unread element (line 1 column 9)");
}

#[test]
fn clones_share_the_cursor_and_reads_get_fresh_ones() {
    let doc = loaded(r#"{"a": [1, 2]}"#);
    let root = doc.root_container();
    let first = root.read_array("a").unwrap();
    let shared = first.clone();
    assert_eq!(first.read_int("").unwrap(), 1);
    assert_eq!(shared.read_int("").unwrap(), 2);
    let again = root.read_array("a").unwrap();
    assert_eq!(again.read_int("").unwrap(), 1);
    assert!(doc.root_container().has_unread() == root.has_unread());
}

#[test]
fn type_errors_name_the_path_and_place() {
    let doc = loaded(
        "{\n  \"EpConfig\": {\n    \"UaConfig\": {\n      \"maxCalls\": \"4\"\n    }\n  }\n}",
    );
    let mut ep = EpConfig::default();
    let e = doc.read_object(&mut ep).unwrap_err();
    assert_eq!(e.status, status::PJLIB_UTIL_EINJSON);
    assert_eq!(e.title, "readNumber()");
    assert_eq!(
        e.reason,
        "EpConfig.UaConfig.maxCalls: expected a number, got a string (line 4 column 19)"
    );
    assert_eq!(ep, EpConfig::default(), "a failed read changes nothing");
}

#[test]
fn integers_out_of_range_and_fractions_are_errors() {
    let doc = loaded(r#"{"a": 1.5, "b": 3000000000, "c": -1}"#);
    let root = doc.root_container();
    assert!(
        root.read_int("a")
            .unwrap_err()
            .reason
            .contains("expected an integer, got 1.5")
    );
    let e = root.read_int("b").unwrap_err();
    assert_eq!(
        e.reason,
        "b: 3000000000 is out of range (-2147483648 to 2147483647) (line 1 column 17)"
    );
    assert_eq!(root.read_int("c").unwrap(), -1);
    assert_eq!(root.read_number("a").unwrap(), 1.5);
}

#[test]
fn missing_keys_are_errors_for_the_raw_api() {
    let doc = loaded(r#"{"EpConfig": {}}"#);
    let ep = doc.root_container().read_container("EpConfig").unwrap();
    let e = ep.read_container("UaConfig").unwrap_err();
    assert_eq!(e.title, "readContainer()");
    assert_eq!(
        e.reason,
        "EpConfig.UaConfig: not found (no such key in the object at line 1 column 14)"
    );
    assert!(ep.contains("") == ep.has_unread());
    assert!(!ep.contains("UaConfig"));
    let e = doc.root_container().read_array("EpConfig").unwrap_err();
    assert!(e.reason.contains("expected an array, got an object"));
}

#[test]
fn string_vectors_must_hold_strings() {
    let doc = loaded(r#"{"v": ["a", 1]}"#);
    let e = doc.root_container().read_string_vector("v").unwrap_err();
    assert_eq!(
        e.reason,
        "v[1]: expected a string, got a number (line 1 column 13)"
    );
}

#[test]
fn writes_build_the_tree_read_back() {
    let doc = JsonDocument::new();
    let mut root = doc.root_container();
    root.write_int("i", -3).unwrap();
    root.write_number("n", 0.25).unwrap();
    root.write_bool("b", true).unwrap();
    root.write_string("s", "é/\"").unwrap();
    root.write_string_vector("v", &["x".into(), "é".into()])
        .unwrap();
    let mut c = root.write_new_container("c").unwrap();
    c.write_int("z", 1).unwrap();
    let mut a = root.write_new_array("a").unwrap();
    a.write_int("", 7).unwrap();
    assert!(root.write_number("nan", f64::NAN).is_err());

    let text = doc.save_string().unwrap();
    assert_eq!(
        text,
        "{ \n   \"i\":                    -3,\n   \"n\":                    0.250000,\n   \
         \"b\":                    true,\n   \"s\":                    \"\\u00c3\\u00a9\\/\\\"\",\n   \
         \"v\":                    [ \"x\", \"é\"],\n   \"c\":                    { \n      \
         \"z\":                    1\n   },\n   \"a\":                    [ 7]\n}"
    );
    let back = loaded(&text);
    let root = back.root_container();
    assert_eq!(root.read_string("s").unwrap(), "é/\"");
    assert_eq!(root.read_string_vector("v").unwrap(), vec!["x", "é"]);
    assert_eq!(root.read_container("c").unwrap().read_int("z").unwrap(), 1);
    assert_eq!(root.read_number("n").unwrap(), 0.25);
    assert_eq!(root.path(), "");
    assert_eq!(root.read_container("c").unwrap().path(), "c");
    let shown = format!("{:?}", root.read_container("c").unwrap());
    assert!(shown.contains("\"c\""), "{shown}");
}

#[test]
fn loading_replaces_the_document() {
    let mut doc = loaded(r#"{"a": 1}"#);
    let old_root = doc.root_container();
    doc.load_string(r#"{"b": 2}"#).unwrap();
    assert_eq!(doc.root_container().read_int("b").unwrap(), 2);
    assert_eq!(
        old_root.read_int("a").unwrap(),
        1,
        "old handles keep the old tree"
    );
    let e = doc.load_string("{").unwrap_err();
    assert_eq!(e.title, "loadString()");
    assert_eq!(
        doc.root_container().read_int("b").unwrap(),
        2,
        "a failed load keeps the document"
    );
}

#[test]
fn sock_opts_and_flattened_arrays_round_trip() {
    let params = SockOptParams {
        sock_opts: vec![SockOpt::new(1, 7, 65536), SockOpt::new(6, 1, 1)],
    };
    let srtp = SrtpOpt {
        cryptos: vec![SrtpCrypto {
            key: "k".into(),
            name: "AES_CM_128_HMAC_SHA1_80".into(),
            flags: 3,
        }],
        keyings: vec![1, 0],
    };
    let mut doc = JsonDocument::new();
    doc.write_object(&params).unwrap();
    doc.write_object(&srtp).unwrap();
    let text = doc.save_string().unwrap();
    assert!(text.contains("\"optLen\":               4,"), "{text}");
    let doc = loaded(&text);
    let mut p = SockOptParams::default();
    let mut s = SrtpOpt::default();
    doc.read_object(&mut p).unwrap();
    doc.read_object(&mut s).unwrap();
    assert_eq!(p, params);
    assert_eq!(s, srtp);

    let truncated = loaded(r#"{"SrtpOpt": {"cryptos": ["k", "n"]}}"#);
    let e = truncated.read_object(&mut SrtpOpt::default()).unwrap_err();
    assert_eq!(
        e.reason,
        "SrtpOpt.cryptos: no unread element (line 1 column 25)"
    );
}

#[test]
fn writes_cannot_nest_deeper_than_the_parser_reads() {
    let doc = JsonDocument::new();
    let mut node = doc.root_container();
    for _ in 0..parse::MAX_DEPTH - 1 {
        node = node.write_new_array("a").unwrap();
    }
    let e = node.write_new_container("x").unwrap_err();
    assert_eq!(e.status, status::PJ_ETOOMANY);
    node.write_int("leaf", 1).unwrap();
    let text = doc.save_string().unwrap();
    assert!(loaded(&text).root_container().has_unread());
}
