//! Dialog IDs and tags at both ends, the secure flag, and refusals at
//! creation.

use sip::header::HeaderName;
use sip::{Message, Method, StatusCode};

use super::{addr, lazy, msg, wire};
use crate::Rng;
use crate::dialog::{
    Dialog, DialogError, DialogId, DialogSetId, Role, Unmatched, unmatched_request,
};

fn invite(uri: &str, extra: &str) -> Message {
    msg(&format!(
        "INVITE {uri} SIP/2.0
         Via: SIP/2.0/TLS pc33.atlanta.example.com;branch=z9hG4bKid
         To: \"Bob B.\" <sip:bob@biloxi.example.com>
         From: Alice <sip:alice@atlanta.example.com>;tag=a-tag
         Call-ID: ids@atlanta.example.com
         CSeq: 101 INVITE
         {extra}"
    ))
}

#[test]
fn ids_mirror_between_the_two_ends() {
    let request = invite(
        "sip:bob@biloxi.example.com",
        "Contact: <sip:alice@pc33.atlanta.example.com>",
    );
    let mut rng = Rng::from_seed(42);
    let tag = rng.token(10);
    let bob = Dialog::uas(&request, &tag, addr("<sip:bob@192.0.2.4>"), false).unwrap();
    let ok = bob.response_to(&request, StatusCode::OK).build().unwrap();
    let alice = Dialog::uac(&request, &wire(&ok), false).unwrap();

    assert_eq!(alice.role(), Role::Uac);
    assert_eq!(bob.role(), Role::Uas);
    assert_eq!(alice.id().local_tag(), "a-tag");
    assert_eq!(alice.id().remote_tag(), tag);
    assert_eq!(bob.id().local_tag(), tag);
    assert_eq!(bob.id().remote_tag(), "a-tag");
    assert_eq!(alice.id(), &bob.id().mirrored());
    assert_eq!(alice.id().call_id(), bob.id().call_id());
    assert_eq!(
        DialogId::of_received_response(&ok).as_ref(),
        Some(alice.id())
    );
    assert_eq!(
        DialogId::of_received_request(&request),
        None,
        "no To tag yet"
    );
    assert_eq!(
        DialogSetId::of_message(&ok),
        DialogSetId::new("ids@atlanta.example.com", "a-tag")
    );
    assert_eq!(
        alice.id().to_string(),
        format!("ids@atlanta.example.com;local=a-tag;remote={tag}")
    );
    // Display names survive in both URIs.
    assert_eq!(
        alice.remote_uri().to_string(),
        "\"Bob B.\" <sip:bob@biloxi.example.com>"
    );
    assert_eq!(
        bob.local_uri().to_string(),
        "\"Bob B.\" <sip:bob@biloxi.example.com>"
    );

    // A request Alice sends is matched by Bob's dialog, and by its ID.
    let mut alice = alice;
    let info = wire(&alice.request(Method::Info).unwrap().build().unwrap());
    assert!(bob.matches_request(&info));
    assert!(!alice.matches_request(&info));
    assert_eq!(
        DialogId::of_received_request(&info).as_ref(),
        Some(bob.id())
    );
    assert!(alice.matches_response(&ok));
    assert!(!bob.matches_response(&ok));
    // Empty parts make no ID.
    assert!(DialogId::new("c", "", "r").is_none());
    assert!(DialogId::new("", "l", "r").is_none());
    assert!(DialogSetId::new("c", "").is_none());
}

#[test]
fn secure_needs_sips_and_tls() {
    let contact = "Contact: <sips:alice@pc33.atlanta.example.com>";
    for (uri, tls, secure) in [
        ("sips:bob@biloxi.example.com", true, true),
        ("sips:bob@biloxi.example.com", false, false),
        ("sip:bob@biloxi.example.com", true, false),
    ] {
        let request = invite(uri, contact);
        let bob = Dialog::uas(&request, "b", addr("<sips:bob@192.0.2.4>"), tls).unwrap();
        assert_eq!(bob.is_secure(), secure, "UAS {uri} tls={tls}");
        let ok = bob.response_to(&request, StatusCode::OK).build().unwrap();
        let alice = Dialog::uac(&request, &ok, tls).unwrap();
        assert_eq!(alice.is_secure(), secure, "UAC {uri} tls={tls}");
        assert_eq!(alice.remote_target().to_string(), "sips:bob@192.0.2.4");
    }
}

#[test]
fn uas_refusals_say_what_to_answer() {
    let contact = "Contact: <sip:alice@pc33.atlanta.example.com>";
    let uas = |m: &Message| Dialog::uas(m, "b", addr("<sip:bob@x>"), false).map(|_| ());
    let bad_request = Some(StatusCode::BAD_REQUEST);

    let cases: [(&str, DialogError); 5] = [
        ("", DialogError::MissingContact),
        ("Contact: *", DialogError::InvalidContact),
        ("Contact: <sip:a@x>, <sip:b@x>", DialogError::InvalidContact),
        ("Contact: <mailto:a@x>", DialogError::InvalidContact),
        (
            "Contact: <sip:a@x>\nRecord-Route: <tel:+12015550123>",
            DialogError::InvalidRecordRoute,
        ),
    ];
    for (extra, expected) in cases {
        let err = uas(&invite("sip:bob@biloxi.example.com", extra)).unwrap_err();
        assert_eq!(err, expected, "{extra}");
        assert_eq!(err.status(), bad_request);
        assert!(err.is_peer_fault());
    }

    // No From tag (an RFC 2543 peer): refused, so every dialog has both tags.
    let no_tag = msg("INVITE sip:bob@biloxi.example.com SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKid
         To: <sip:bob@biloxi.example.com>
         From: <sip:alice@atlanta.example.com>
         Call-ID: ids@atlanta.example.com
         CSeq: 1 INVITE
         Contact: <sip:alice@pc33.atlanta.example.com>");
    let err = uas(&no_tag).unwrap_err();
    assert_eq!(err, DialogError::MissingFromTag);
    assert_eq!(err.status(), bad_request);

    // A To tag: within a dialog, so 481 if none matched.
    let in_dialog = msg("INVITE sip:bob@biloxi.example.com SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKid
         To: <sip:bob@biloxi.example.com>;tag=zz
         From: <sip:alice@atlanta.example.com>;tag=a
         Call-ID: ids@atlanta.example.com
         CSeq: 1 INVITE
         Contact: <sip:alice@pc33.atlanta.example.com>");
    let err = uas(&in_dialog).unwrap_err();
    assert_eq!(err, DialogError::HasToTag);
    assert_eq!(
        err.status(),
        Some(StatusCode::CALL_OR_TRANSACTION_DOES_NOT_EXIST)
    );

    // Our misuse: no status, not the peer's fault.
    let request = invite("sip:bob@biloxi.example.com", contact);
    let err = Dialog::uas(&request, "bad tag", addr("<sip:b@x>"), false).unwrap_err();
    assert_eq!(err, DialogError::InvalidLocalTag);
    assert_eq!(err.status(), None);
    assert!(!err.is_peer_fault());
    assert!(Dialog::uas(&request, "", addr("<sip:b@x>"), false).is_err());
    let options = msg("OPTIONS sip:bob@biloxi.example.com SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKid
         To: <sip:bob@biloxi.example.com>
         From: <sip:alice@atlanta.example.com>;tag=a
         Call-ID: o@x
         CSeq: 1 OPTIONS");
    assert!(matches!(
        uas(&options),
        Err(DialogError::NotDialogCreatingMethod(_))
    ));
    let ok = Message::response_to(&request, StatusCode::OK)
        .build()
        .unwrap();
    assert_eq!(uas(&ok), Err(DialogError::NotARequest));
}

#[test]
fn malformed_headers_reach_the_dialog_layer_as_400() {
    // parse_lazy lets a malformed header through, as a UAS does to answer 400.
    let raw = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKid\r\n\
        To: <sip:bob@biloxi.example.com>\r\n\
        From: <sip:alice@atlanta.example.com>;tag=a\r\n\
        Call-ID: ids@atlanta.example.com\r\n\
        CSeq: one INVITE\r\n\
        Contact: <sip:alice@pc33.atlanta.example.com>\r\n\
        Content-Length: 0\r\n\r\n";
    let m = Message::parse_lazy(raw.as_bytes(), &sip::Limits::default()).unwrap();
    let err = Dialog::uas(&m, "b", addr("<sip:b@x>"), false).unwrap_err();
    assert_eq!(err, DialogError::BadHeader(HeaderName::CSeq));
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
}

#[test]
fn uac_refusals() {
    let request = invite(
        "sip:bob@biloxi.example.com",
        "Contact: <sip:alice@pc33.atlanta.example.com>",
    );
    let response = |status: &str, to_tag: &str, extra: &str| {
        msg(&format!(
            "SIP/2.0 {status}
             Via: SIP/2.0/TLS pc33.atlanta.example.com;branch=z9hG4bKid
             To: \"Bob B.\" <sip:bob@biloxi.example.com>{to_tag}
             From: Alice <sip:alice@atlanta.example.com>;tag=a-tag
             Call-ID: ids@atlanta.example.com
             CSeq: 101 INVITE
             {extra}"
        ))
    };
    let contact = "Contact: <sip:bob@192.0.2.4>";
    let uac = |r: &Message| Dialog::uac(&request, r, false).map(|_| ());
    assert_eq!(
        uac(&response("100 Trying", ";tag=b", contact)),
        Err(DialogError::NotDialogCreatingStatus(100))
    );
    assert_eq!(
        uac(&response("404 Not Found", ";tag=b", contact)),
        Err(DialogError::NotDialogCreatingStatus(404))
    );
    assert_eq!(
        uac(&response("180 Ringing", "", contact)),
        Err(DialogError::MissingToTag)
    );
    assert_eq!(
        uac(&response("200 OK", ";tag=b", "")),
        Err(DialogError::MissingContact)
    );
    let junk_route = lazy(
        "SIP/2.0 200 OK
         Via: SIP/2.0/TLS pc33.atlanta.example.com;branch=z9hG4bKid
         To: <sip:bob@biloxi.example.com>;tag=b
         From: Alice <sip:alice@atlanta.example.com>;tag=a-tag
         Call-ID: ids@atlanta.example.com
         CSeq: 101 INVITE
         Record-Route: <sip:p;lr>, junk
         Contact: <sip:bob@192.0.2.4>",
    );
    assert_eq!(uac(&junk_route), Err(DialogError::InvalidRecordRoute));
    assert!(uac(&response("183 Session Progress", ";tag=b", "")).is_ok());
    let other_call = msg("SIP/2.0 200 OK
         Via: SIP/2.0/TLS pc33.atlanta.example.com;branch=z9hG4bKid
         To: <sip:bob@biloxi.example.com>;tag=b
         From: Alice <sip:alice@atlanta.example.com>;tag=a-tag
         Call-ID: other@atlanta.example.com
         CSeq: 101 INVITE
         Contact: <sip:bob@192.0.2.4>");
    assert_eq!(uac(&other_call), Err(DialogError::ResponseMismatch));
    assert_eq!(uac(&request), Err(DialogError::NotAResponse));
}

#[test]
fn sequence_numbers_and_misuse() {
    let request = msg("INVITE sip:bob@biloxi.example.com SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKid
         To: <sip:bob@biloxi.example.com>
         From: <sip:alice@atlanta.example.com>;tag=a
         Call-ID: max@x
         CSeq: 4294967295 INVITE
         Contact: <sip:alice@pc33.atlanta.example.com>");
    let ok = msg("SIP/2.0 200 OK
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKid
         To: <sip:bob@biloxi.example.com>;tag=b
         From: <sip:alice@atlanta.example.com>;tag=a
         Call-ID: max@x
         CSeq: 4294967295 INVITE
         Contact: <sip:bob@192.0.2.4>");
    let mut alice = Dialog::uac(&request, &ok, false).unwrap();
    assert_eq!(alice.next_local_seq(), None);
    assert_eq!(
        alice.request(Method::Bye).err(),
        Some(DialogError::SequenceExhausted)
    );
    // ACK and CANCEL reuse a number: not through `request`.
    assert_eq!(
        alice.request(Method::Ack).err(),
        Some(DialogError::ReusesSequence("ACK".into()))
    );
    assert_eq!(
        alice.request(Method::Cancel).err(),
        Some(DialogError::ReusesSequence("CANCEL".into()))
    );
    let cancel = alice.cancel(4_294_967_295).build().unwrap();
    assert_eq!(
        cancel.raw_value(HeaderName::CSeq),
        Some("4294967295 CANCEL")
    );
    assert_eq!(cancel.contacts().count(), 0);
    // A terminated dialog sends nothing but ACK.
    alice.terminate();
    assert_eq!(
        alice.request(Method::Info).err(),
        Some(DialogError::Terminated)
    );
    assert!(alice.ack(4_294_967_295).build().is_ok());
    alice.confirm();
    assert_eq!(alice.state(), crate::dialog::DialogState::Terminated);

    // A first number of 2³¹ or more is brought below 2³¹.
    let invite = msg("INVITE sip:bob@biloxi.example.com SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKid
         To: <sip:bob@biloxi.example.com>
         From: <sip:alice@atlanta.example.com>;tag=a
         Call-ID: first@x
         CSeq: 1 INVITE
         Contact: <sip:alice@pc33.atlanta.example.com>");
    let mut bob = Dialog::uas(&invite, "b", addr("<sip:b@x>"), false).unwrap();
    assert_eq!(bob.next_local_seq(), Some(1));
    assert!(bob.set_first_local_seq(0xFFFF_FFF0));
    assert_eq!(bob.next_local_seq(), Some(0x7FFF_FFF0));
}

#[test]
fn requests_that_match_no_dialog() {
    let make = |method: &str, to_tag: &str| {
        msg(&format!(
            "{method} sip:bob@biloxi.example.com SIP/2.0
             Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKu
             To: <sip:bob@biloxi.example.com>{to_tag}
             From: <sip:alice@atlanta.example.com>;tag=a
             Call-ID: lost@x
             CSeq: 9 {method}"
        ))
    };
    let reject = Unmatched::Reject(StatusCode::CALL_OR_TRANSACTION_DOES_NOT_EXIST);
    assert_eq!(unmatched_request(&make("BYE", ";tag=gone")), reject);
    assert_eq!(unmatched_request(&make("INVITE", ";tag=gone")), reject);
    assert_eq!(unmatched_request(&make("NOTIFY", ";tag=gone")), reject);
    assert_eq!(unmatched_request(&make("BYE", "")), reject);
    assert_eq!(unmatched_request(&make("PRACK", "")), reject);
    assert_eq!(
        unmatched_request(&make("ACK", ";tag=gone")),
        Unmatched::Drop
    );
    assert_eq!(
        unmatched_request(&make("CANCEL", "")),
        Unmatched::OutsideDialog
    );
    assert_eq!(
        unmatched_request(&make("INVITE", "")),
        Unmatched::OutsideDialog
    );
    assert_eq!(
        unmatched_request(&make("OPTIONS", "")),
        Unmatched::OutsideDialog
    );
    let response = Message::response_to(&make("INVITE", ""), StatusCode::OK)
        .build()
        .unwrap();
    assert_eq!(unmatched_request(&response), Unmatched::Drop);
}
