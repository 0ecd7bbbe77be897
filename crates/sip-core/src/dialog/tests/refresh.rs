//! Target refresh (RFC 3261 §12.2.1.2, §12.2.2) and CSeq order (§12.2.2).

use sip::header::HeaderName;
use sip::{Message, Method, StatusCode};

use super::{addr, msg, sent, wire};
use crate::dialog::{Dialog, DialogError, DialogState};

fn invite() -> Message {
    msg("INVITE sip:bob@biloxi.example.com SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK1
         To: Bob <sip:bob@biloxi.example.com>
         From: Alice <sip:alice@atlanta.example.com>;tag=al
         Call-ID: refresh@atlanta.example.com
         CSeq: 1 INVITE
         Contact: <sip:alice@pc33.atlanta.example.com>")
}

/// Alice's and Bob's ends of one confirmed dialog.
fn pair() -> (Dialog, Dialog) {
    let invite = invite();
    let mut bob = Dialog::uas(&invite, "bo", addr("<sip:bob@192.0.2.4>"), false).unwrap();
    let ok = bob.response_to(&invite, StatusCode::OK).build().unwrap();
    bob.confirm();
    let alice = Dialog::uac(&invite, &wire(&ok), false).unwrap();
    assert_eq!(alice.state(), DialogState::Confirmed);
    (alice, bob)
}

/// A request from Alice to Bob within the dialog, written by hand.
fn from_alice(method: &str, seq: u32, extra: &str) -> Message {
    msg(&format!(
        "{method} sip:bob@192.0.2.4 SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK{seq}{method}
         To: Bob <sip:bob@biloxi.example.com>;tag=bo
         From: Alice <sip:alice@atlanta.example.com>;tag=al
         Call-ID: refresh@atlanta.example.com
         CSeq: {seq} {method}
         {extra}"
    ))
}

#[test]
fn reinvite_refreshes_the_target_at_both_ends() {
    let (mut alice, mut bob) = pair();
    // Alice moves and re-INVITEs: CSeq 2, her new Contact.
    alice.set_local_contact(addr("<sip:alice@laptop.atlanta.example.com>"));
    let reinvite = alice.request(Method::Invite).unwrap().build().unwrap();
    assert_eq!(reinvite.raw_value(HeaderName::CSeq), Some("2 INVITE"));
    assert_eq!(
        reinvite.raw_value(HeaderName::Contact),
        Some("<sip:alice@laptop.atlanta.example.com>")
    );
    assert_eq!(reinvite.request_uri_str(), Some("sip:bob@192.0.2.4"));

    // Bob takes it: in order, target refreshed.
    let received = sent(&reinvite);
    let effect = bob.handle_request(&received).unwrap();
    assert!(effect.target_refreshed && !effect.ends_dialog);
    assert_eq!(bob.remote_seq(), Some(2));
    assert_eq!(
        bob.remote_target().to_string(),
        "sip:alice@laptop.atlanta.example.com"
    );
    // Bob answers from a new address too: Alice's target follows the 2xx.
    bob.set_local_contact(addr("<sip:bob@192.0.2.44>"));
    let ok = bob.response_to(&received, StatusCode::OK).build().unwrap();
    assert_eq!(
        ok.raw_value(HeaderName::Contact),
        Some("<sip:bob@192.0.2.44>")
    );
    let effect = alice.handle_response(&wire(&ok)).unwrap();
    assert!(effect.target_refreshed && !effect.confirmed && !effect.should_terminate);
    assert_eq!(alice.remote_target().to_string(), "sip:bob@192.0.2.44");
    let ack = alice.ack(2).build().unwrap();
    assert_eq!(ack.request_uri_str(), Some("sip:bob@192.0.2.44"));

    // A late retransmission of the first 2xx (CSeq 1) does not undo it.
    let old_ok = msg("SIP/2.0 200 OK
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK1
         To: Bob <sip:bob@biloxi.example.com>;tag=bo
         From: Alice <sip:alice@atlanta.example.com>;tag=al
         Call-ID: refresh@atlanta.example.com
         CSeq: 1 INVITE
         Contact: <sip:bob@192.0.2.4>");
    let effect = alice.handle_response(&old_ok).unwrap();
    assert!(!effect.target_refreshed);
    assert_eq!(alice.remote_target().to_string(), "sip:bob@192.0.2.44");
}

#[test]
fn which_methods_refresh() {
    let (_, mut bob) = pair();
    // INFO with a Contact leaves the target alone.
    let info = from_alice("INFO", 2, "Contact: <sip:alice@elsewhere>");
    assert!(!bob.handle_request(&info).unwrap().target_refreshed);
    assert_eq!(
        bob.remote_target().to_string(),
        "sip:alice@pc33.atlanta.example.com"
    );
    // UPDATE with a Contact refreshes; without one it keeps the target.
    let update = from_alice("UPDATE", 3, "Contact: <sip:alice@moved>");
    assert!(bob.handle_request(&update).unwrap().target_refreshed);
    assert_eq!(bob.remote_target().to_string(), "sip:alice@moved");
    let update = from_alice("UPDATE", 4, "");
    assert!(!bob.handle_request(&update).unwrap().target_refreshed);
    assert_eq!(bob.remote_target().to_string(), "sip:alice@moved");
    // A refresh whose Contact is not one SIP URI is refused (400), unchanged.
    let bad = from_alice("UPDATE", 5, "Contact: <sip:a@one>, <sip:a@two>");
    let err = bob.handle_request(&bad).unwrap_err();
    assert_eq!(err, DialogError::InvalidContact);
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    let bad = from_alice("NOTIFY", 5, "Event: refer\nContact: <tel:+1-201-555-0123>");
    assert_eq!(bob.handle_request(&bad), Err(DialogError::InvalidContact));
    assert_eq!(
        bob.remote_seq(),
        Some(4),
        "a refused request leaves CSeq alone"
    );
    assert_eq!(bob.remote_target().to_string(), "sip:alice@moved");
    // The messages we build follow the same rule for Contact.
    let mut bob2 = bob.clone();
    for (method, contact) in [
        (Method::Invite, true),
        (Method::Update, true),
        (Method::Subscribe, true),
        (Method::Notify, true),
        (Method::Refer, true),
        (Method::Bye, false),
        (Method::Info, false),
        (Method::Message, false),
        (Method::Options, false),
        (Method::Prack, false),
    ] {
        let m = bob2.request(method.clone()).unwrap().build().unwrap();
        assert_eq!(m.contacts().count() == 1, contact, "{method}");
    }
}

#[test]
fn cseq_order() {
    let (_, mut bob) = pair();
    assert_eq!(bob.remote_seq(), Some(1));
    // Equal to the INVITE's: a replay, refused with 500.
    let err = bob.handle_request(&from_alice("INFO", 1, "")).unwrap_err();
    assert_eq!(
        err,
        DialogError::OutOfOrder {
            received: 1,
            remote: 1
        }
    );
    assert_eq!(err.status(), Some(StatusCode::SERVER_INTERNAL_ERROR));
    // Higher by more than one: in order (§12.2.2 allows the gap).
    bob.handle_request(&from_alice("INFO", 5, "")).unwrap();
    assert_eq!(bob.remote_seq(), Some(5));
    // Lower: out of order, 500, nothing changes.
    let err = bob
        .handle_request(&from_alice("UPDATE", 3, "Contact: <sip:x@y>"))
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVER_INTERNAL_ERROR));
    assert_eq!(bob.remote_seq(), Some(5));
    assert_eq!(
        bob.remote_target().to_string(),
        "sip:alice@pc33.atlanta.example.com"
    );
    // ACK and CANCEL carry the INVITE's number: never checked.
    bob.handle_request(&from_alice("ACK", 1, "")).unwrap();
    bob.handle_request(&from_alice("CANCEL", 5, "")).unwrap();
    assert_eq!(bob.remote_seq(), Some(5));
    // BYE ends it; requests after the dialog is terminated get 481.
    let effect = bob.handle_request(&from_alice("BYE", 6, "")).unwrap();
    assert!(effect.ends_dialog);
    bob.terminate();
    let err = bob.handle_request(&from_alice("INFO", 7, "")).unwrap_err();
    assert_eq!(err, DialogError::NoSuchDialog);
    assert_eq!(
        err.status(),
        Some(StatusCode::CALL_OR_TRANSACTION_DOES_NOT_EXIST)
    );
}

#[test]
fn uac_first_request_from_peer_sets_remote_seq() {
    let (mut alice, _) = pair();
    assert_eq!(alice.remote_seq(), None);
    let bye = msg("BYE sip:alice@pc33.atlanta.example.com SIP/2.0
         Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKb
         To: Alice <sip:alice@atlanta.example.com>;tag=al
         From: Bob <sip:bob@biloxi.example.com>;tag=bo
         Call-ID: refresh@atlanta.example.com
         CSeq: 0 BYE");
    // Any number is in order when the remote sequence is empty, even 0.
    assert!(alice.handle_request(&bye).unwrap().ends_dialog);
    assert_eq!(alice.remote_seq(), Some(0));
}

#[test]
fn responses_that_end_the_dialog() {
    for code in [408, 481] {
        let (mut alice, _) = pair();
        alice.request(Method::Info).unwrap();
        let r = msg(&format!(
            "SIP/2.0 {code} X
             Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK2
             To: Bob <sip:bob@biloxi.example.com>;tag=bo
             From: Alice <sip:alice@atlanta.example.com>;tag=al
             Call-ID: refresh@atlanta.example.com
             CSeq: 2 INFO"
        ));
        assert!(alice.handle_response(&r).unwrap().should_terminate);
    }
    // Other failures do not.
    let (mut alice, _) = pair();
    let r = msg("SIP/2.0 488 X
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK2
         To: Bob <sip:bob@biloxi.example.com>;tag=bo
         From: Alice <sip:alice@atlanta.example.com>;tag=al
         Call-ID: refresh@atlanta.example.com
         CSeq: 2 INVITE");
    assert_eq!(alice.handle_response(&r).unwrap(), Default::default());
    // A response of another dialog is refused.
    let r = msg("SIP/2.0 200 OK
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK2
         To: Bob <sip:bob@biloxi.example.com>;tag=other
         From: Alice <sip:alice@atlanta.example.com>;tag=al
         Call-ID: refresh@atlanta.example.com
         CSeq: 2 INVITE");
    assert_eq!(alice.handle_response(&r), Err(DialogError::NoSuchDialog));
}

#[test]
fn early_dialog_final_error_and_confirmation() {
    let invite = invite();
    let response = |status: &str| {
        msg(&format!(
            "SIP/2.0 {status}
             Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK1
             To: Bob <sip:bob@biloxi.example.com>;tag=bo
             From: Alice <sip:alice@atlanta.example.com>;tag=al
             Call-ID: refresh@atlanta.example.com
             CSeq: 1 INVITE"
        ))
    };
    let mut alice = Dialog::uac(&invite, &response("180 Ringing"), false).unwrap();
    assert_eq!(alice.state(), DialogState::Early);
    assert_eq!(
        alice.remote_target().to_string(),
        "sip:bob@biloxi.example.com"
    );
    // Requests within the early dialog (PRACK) spend sequence numbers.
    let prack = alice.request(Method::Prack).unwrap().build().unwrap();
    assert_eq!(prack.cseq().unwrap().seq, 2);
    // A 2xx without Contact cannot confirm it.
    assert_eq!(
        alice.handle_response(&response("200 OK")),
        Err(DialogError::MissingContact)
    );
    assert_eq!(alice.state(), DialogState::Early);
    // A final error ends it.
    assert!(
        alice
            .handle_response(&response("486 Busy Here"))
            .unwrap()
            .should_terminate
    );
}
