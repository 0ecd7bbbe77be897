//! Forking: several dialogs from one INVITE (RFC 3261 §12.1.2, §13.2.2.4).

use sip::{Message, Method};

use super::msg;
use crate::dialog::{DialogError, DialogSet, DialogState, ForkEvent};

fn invite() -> Message {
    msg("INVITE sip:bob@biloxi.example.com SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKfork
         To: Bob <sip:bob@biloxi.example.com>
         From: Alice <sip:alice@atlanta.example.com>;tag=alice1
         Call-ID: fork@atlanta.example.com
         CSeq: 7 INVITE
         Contact: <sip:alice@pc33.atlanta.example.com>")
}

/// A response to [`invite`] from the fork that chose `tag` (none if empty),
/// with `contact` (none if empty).
fn response(code: u16, tag: &str, contact: &str) -> Message {
    let to_tag = if tag.is_empty() {
        String::new()
    } else {
        format!(";tag={tag}")
    };
    let contact = if contact.is_empty() {
        String::new()
    } else {
        format!("Contact: <{contact}>")
    };
    msg(&format!(
        "SIP/2.0 {code} Whatever
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKfork
         To: Bob <sip:bob@biloxi.example.com>{to_tag}
         From: Alice <sip:alice@atlanta.example.com>;tag=alice1
         Call-ID: fork@atlanta.example.com
         CSeq: 7 INVITE
         {contact}"
    ))
}

#[test]
fn two_ringing_forks_then_two_answers() {
    let mut set = DialogSet::new(&invite(), false).unwrap();
    assert_eq!(set.id().call_id(), "fork@atlanta.example.com");
    assert_eq!(set.id().local_tag(), "alice1");
    assert_eq!(set.request_seq(), 7);

    assert_eq!(
        set.handle_response(&response(100, "", "")).unwrap(),
        ForkEvent::Ignored
    );
    let a = set.id().dialog("forkA").unwrap();
    let b = set.id().dialog("forkB").unwrap();
    assert_eq!(
        set.handle_response(&response(180, "forkA", "sip:bob@desk.biloxi.example.com"))
            .unwrap(),
        ForkEvent::Early {
            id: a.clone(),
            new: true
        }
    );
    assert_eq!(
        set.handle_response(&response(180, "forkB", "sip:bob@mobile.biloxi.example.com"))
            .unwrap(),
        ForkEvent::Early {
            id: b.clone(),
            new: true
        }
    );
    assert_eq!(set.len(), 2);
    // A 183 from A again updates its early dialog (and its target).
    assert_eq!(
        set.handle_response(&response(183, "forkA", "sip:bob@desk2.biloxi.example.com"))
            .unwrap(),
        ForkEvent::Early {
            id: a.clone(),
            new: false
        }
    );
    assert_eq!(
        set.dialog("forkA").unwrap().remote_target().to_string(),
        "sip:bob@desk2.biloxi.example.com"
    );
    assert_eq!(set.early().count(), 2);

    // B answers first: it is the call.
    assert_eq!(
        set.handle_response(&response(200, "forkB", "sip:bob@mobile.biloxi.example.com"))
            .unwrap(),
        ForkEvent::Confirmed {
            id: b.clone(),
            new: false
        }
    );
    assert_eq!(set.first_confirmed(), Some(&b));
    // A answers too: confirmed so it can be acknowledged, flagged to end.
    assert_eq!(
        set.handle_response(&response(200, "forkA", "sip:bob@desk.biloxi.example.com"))
            .unwrap(),
        ForkEvent::AlsoConfirmed {
            id: a.clone(),
            first: b.clone()
        }
    );
    assert_eq!(set.also_confirmed().collect::<Vec<_>>(), [&a]);
    // A retransmitted 2xx is re-acknowledged, nothing else.
    assert_eq!(
        set.handle_response(&response(200, "forkB", "sip:bob@mobile.biloxi.example.com"))
            .unwrap(),
        ForkEvent::Retransmission { id: b.clone() }
    );
    // A late 180 changes nothing.
    assert_eq!(
        set.handle_response(&response(180, "forkB", "sip:bob@elsewhere"))
            .unwrap(),
        ForkEvent::Ignored
    );
    assert!(set.terminate_early().is_empty());

    // The session ACKs A and ends it with BYE, keeps B.
    let mut extra = set.remove("forkA").unwrap();
    let ack = extra.ack(set.request_seq()).build().unwrap();
    assert_eq!(
        ack.request_uri_str(),
        Some("sip:bob@desk.biloxi.example.com")
    );
    assert_eq!(ack.to().unwrap().tag(), Some("forkA"));
    let bye = extra.bye().unwrap().build().unwrap();
    assert_eq!(bye.cseq().unwrap().seq, 8);
    assert_eq!(bye.cseq().unwrap().method, Method::Bye);
    assert_eq!(extra.state(), DialogState::Terminated);
    let call = set.remove("forkB").unwrap();
    assert_eq!(call.state(), DialogState::Confirmed);
    assert!(set.is_empty());
}

#[test]
fn final_error_ends_every_early_dialog() {
    let mut set = DialogSet::new(&invite(), false).unwrap();
    set.handle_response(&response(180, "forkA", "sip:a@x"))
        .unwrap();
    set.handle_response(&response(180, "forkB", "")).unwrap();
    // A 180 without Contact keeps the Request-URI as a provisional target.
    assert_eq!(
        set.dialog("forkB").unwrap().remote_target().to_string(),
        "sip:bob@biloxi.example.com"
    );
    let ForkEvent::Failed { terminated } =
        set.handle_response(&response(486, "forkC", "")).unwrap()
    else {
        panic!("a 486 fails the request")
    };
    let tags: Vec<&str> = terminated.iter().map(|id| id.remote_tag()).collect();
    assert_eq!(tags, ["forkA", "forkB"]);
    assert!(set.is_empty());
    // A straggling 180 creates nothing once the request failed.
    assert_eq!(
        set.handle_response(&response(180, "forkD", "sip:d@x"))
            .unwrap(),
        ForkEvent::Ignored
    );
    assert!(set.is_empty());
}

#[test]
fn answer_from_a_fork_that_never_rang() {
    let mut set = DialogSet::new(&invite(), false).unwrap();
    set.handle_response(&response(180, "forkA", "sip:a@x"))
        .unwrap();
    set.handle_response(&response(183, "forkB", "sip:b@x"))
        .unwrap();
    let c = set.id().dialog("forkC").unwrap();
    assert_eq!(
        set.handle_response(&response(200, "forkC", "sip:c@x"))
            .unwrap(),
        ForkEvent::Confirmed { id: c, new: true }
    );
    // 64·T1 later the INVITE transaction completes: the early ones end.
    let ended: Vec<String> = set
        .terminate_early()
        .iter()
        .map(|id| id.remote_tag().to_owned())
        .collect();
    assert_eq!(ended, ["forkA", "forkB"]);
    assert_eq!(set.len(), 1);
}

#[test]
fn refusals() {
    let mut set = DialogSet::new(&invite(), false).unwrap();
    // A 180 without To tag makes no dialog; a 2xx without one is broken.
    assert_eq!(
        set.handle_response(&response(180, "", "sip:a@x")).unwrap(),
        ForkEvent::Ignored
    );
    assert_eq!(
        set.handle_response(&response(200, "", "sip:a@x")),
        Err(DialogError::MissingToTag)
    );
    // A 2xx without Contact cannot make a usable dialog.
    assert_eq!(
        set.handle_response(&response(200, "forkA", "")),
        Err(DialogError::MissingContact)
    );
    assert!(set.is_empty());
    // A response to another request.
    let other = msg("SIP/2.0 200 OK
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKother
         To: Bob <sip:bob@biloxi.example.com>;tag=x
         From: Alice <sip:alice@atlanta.example.com>;tag=alice1
         Call-ID: fork@atlanta.example.com
         CSeq: 8 INVITE
         Contact: <sip:bob@x>");
    assert!(!set.matches(&other));
    assert_eq!(
        set.handle_response(&other),
        Err(DialogError::ResponseMismatch)
    );
    assert_eq!(
        set.handle_response(&invite()),
        Err(DialogError::NotAResponse)
    );
    // A bound on forks.
    for i in 0..DialogSet::MAX_DIALOGS {
        set.handle_response(&response(180, &format!("f{i}"), "sip:a@x"))
            .unwrap();
    }
    assert_eq!(
        set.handle_response(&response(180, "one-more", "sip:a@x")),
        Err(DialogError::TooManyDialogs)
    );
    // An OPTIONS creates no dialog set.
    let options = msg("OPTIONS sip:bob@biloxi.example.com SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKo
         To: <sip:bob@biloxi.example.com>
         From: <sip:alice@atlanta.example.com>;tag=a
         Call-ID: o@x
         CSeq: 1 OPTIONS");
    assert_eq!(
        DialogSet::new(&options, false).err(),
        Some(DialogError::NotDialogCreatingMethod("OPTIONS".into()))
    );
}

#[test]
fn subscribe_creates_dialogs_on_2xx_only() {
    let subscribe = msg("SUBSCRIBE sip:bob@biloxi.example.com SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKsub
         To: <sip:bob@biloxi.example.com>
         From: <sip:alice@atlanta.example.com>;tag=s1
         Call-ID: sub@x
         CSeq: 1 SUBSCRIBE
         Event: presence
         Contact: <sip:alice@pc33.atlanta.example.com>");
    let mut set = DialogSet::new(&subscribe, false).unwrap();
    let r = |code: u16| {
        msg(&format!(
            "SIP/2.0 {code} X
             Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKsub
             To: <sip:bob@biloxi.example.com>;tag=n1
             From: <sip:alice@atlanta.example.com>;tag=s1
             Call-ID: sub@x
             CSeq: 1 SUBSCRIBE
             Contact: <sip:presence@biloxi.example.com>"
        ))
    };
    assert_eq!(set.handle_response(&r(180)).unwrap(), ForkEvent::Ignored);
    assert!(matches!(
        set.handle_response(&r(202)).unwrap(),
        ForkEvent::Confirmed { new: true, .. }
    ));
}
