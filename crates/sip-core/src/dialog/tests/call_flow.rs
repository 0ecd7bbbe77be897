//! Whole calls: RFC 3665 §3.2 (through two record-routing proxies) and RFC
//! 3261 §24.2 (through proxies that do not record-route).

use sip::header::HeaderName;
use sip::{Message, Method, StatusCode};

use super::{addr, msg, routes, sent, wire};
use crate::dialog::{Dialog, DialogSet, DialogState, ForkEvent, Role};

/// F1 of RFC 3665 §3.2, as Alice sends it.
fn alice_invite() -> Message {
    msg("INVITE sip:bob@biloxi.example.com SIP/2.0
         Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9
         Max-Forwards: 70
         From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
         To: Bob <sip:bob@biloxi.example.com>
         Call-ID: 3848276298220188511@atlanta.example.com
         CSeq: 1 INVITE
         Contact: <sip:alice@client.atlanta.example.com;transport=tcp>")
}

/// The INVITE as Proxy 2 delivers it to Bob, both proxies having recorded
/// their route.
fn bob_invite() -> Message {
    msg("INVITE sip:bob@client.biloxi.example.com SIP/2.0
         Via: SIP/2.0/TCP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4.1
         Via: SIP/2.0/TCP ss1.atlanta.example.com:5060;branch=z9hG4bK2d4790.1;received=192.0.2.111
         Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101
         Max-Forwards: 68
         Record-Route: <sip:ss2.biloxi.example.com;lr>, <sip:ss1.atlanta.example.com;lr>
         From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
         To: Bob <sip:bob@biloxi.example.com>
         Call-ID: 3848276298220188511@atlanta.example.com
         CSeq: 1 INVITE
         Contact: <sip:alice@client.atlanta.example.com;transport=tcp>")
}

/// Removes the top Via, as each proxy does to a response going back.
fn through_proxies(response: &Message) -> Message {
    let mut m = wire(response);
    m.remove_first_value(HeaderName::Via);
    m.remove_first_value(HeaderName::Via);
    m
}

#[test]
fn rfc3665_session_through_two_proxies() {
    // Bob: the INVITE creates an early dialog as he answers 180 (§12.1.1).
    let invite = bob_invite();
    let bob_contact = addr("<sip:bob@client.biloxi.example.com;transport=tcp>");
    let mut bob = Dialog::uas(&invite, "314159", bob_contact, false).unwrap();
    assert_eq!(bob.role(), Role::Uas);
    assert_eq!(bob.state(), DialogState::Early);
    assert_eq!(
        bob.id().call_id(),
        "3848276298220188511@atlanta.example.com"
    );
    assert_eq!(bob.id().local_tag(), "314159");
    assert_eq!(bob.id().remote_tag(), "9fxced76sl");
    assert_eq!(bob.remote_seq(), Some(1));
    assert_eq!(bob.local_seq(), None);
    assert_eq!(
        bob.remote_target().to_string(),
        "sip:alice@client.atlanta.example.com;transport=tcp"
    );
    let route_set: Vec<String> = bob.route_set().iter().map(ToString::to_string).collect();
    assert_eq!(
        route_set,
        [
            "<sip:ss2.biloxi.example.com;lr>",
            "<sip:ss1.atlanta.example.com;lr>"
        ]
    );
    assert_eq!(
        bob.local_uri().to_string(),
        "Bob <sip:bob@biloxi.example.com>"
    );
    assert_eq!(
        bob.remote_uri().to_string(),
        "Alice <sip:alice@atlanta.example.com>"
    );

    // F9 180 Ringing and F12 200 OK: tag, Contact and Record-Route.
    let ringing = bob
        .response_to(&invite, StatusCode::RINGING)
        .build()
        .unwrap();
    assert_eq!(ringing.to().unwrap().tag(), Some("314159"));
    assert_eq!(
        ringing.contacts().next().unwrap().to_string(),
        "<sip:bob@client.biloxi.example.com;transport=tcp>"
    );
    assert_eq!(
        ringing.raw_value(HeaderName::RecordRoute),
        Some("<sip:ss2.biloxi.example.com;lr>, <sip:ss1.atlanta.example.com;lr>")
    );
    let ok = bob.response_to(&invite, StatusCode::OK).build().unwrap();
    bob.confirm();
    assert_eq!(bob.state(), DialogState::Confirmed);

    // Alice: the 180 makes an early dialog, the 200 confirms it (§12.1.2).
    let request = alice_invite();
    let mut set = DialogSet::new(&request, false).unwrap();
    let early = set.handle_response(&through_proxies(&ringing)).unwrap();
    let ForkEvent::Early { id, new: true } = early else {
        panic!("{early:?}")
    };
    assert_eq!(id, bob.id().mirrored());
    assert_eq!(set.dialog("314159").unwrap().state(), DialogState::Early);
    let confirmed = set.handle_response(&through_proxies(&ok)).unwrap();
    assert_eq!(confirmed, ForkEvent::Confirmed { id, new: false });
    let mut alice = set.remove("314159").unwrap();
    assert_eq!(alice.role(), Role::Uac);
    assert_eq!(alice.state(), DialogState::Confirmed);
    assert_eq!(alice.local_seq(), Some(1));
    assert_eq!(alice.remote_seq(), None);
    let route_set: Vec<String> = alice.route_set().iter().map(ToString::to_string).collect();
    assert_eq!(
        route_set,
        [
            "<sip:ss1.atlanta.example.com;lr>",
            "<sip:ss2.biloxi.example.com;lr>"
        ]
    );

    // F15 ACK: INVITE's CSeq number, Bob's Contact, the route set in order.
    let ack = alice.ack(1).build().unwrap();
    assert_eq!(ack.method(), Some(Method::Ack));
    assert_eq!(
        ack.request_uri_str(),
        Some("sip:bob@client.biloxi.example.com;transport=tcp")
    );
    assert_eq!(
        routes(&ack),
        [
            "<sip:ss1.atlanta.example.com;lr>",
            "<sip:ss2.biloxi.example.com;lr>"
        ]
    );
    assert_eq!(
        ack.raw_value(HeaderName::From),
        Some("Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl")
    );
    assert_eq!(
        ack.raw_value(HeaderName::To),
        Some("Bob <sip:bob@biloxi.example.com>;tag=314159")
    );
    assert_eq!(
        ack.raw_value(HeaderName::CallId),
        Some("3848276298220188511@atlanta.example.com")
    );
    assert_eq!(ack.raw_value(HeaderName::CSeq), Some("1 ACK"));
    assert_eq!(ack.raw_value(HeaderName::MaxForwards), Some("70"));
    assert!(ack.via().is_none(), "the transaction layer adds Via");
    assert_eq!(ack.contacts().count(), 0);
    assert_eq!(alice.local_seq(), Some(1), "ACK spends no sequence number");

    // Bob takes the ACK (no CSeq check for ACK).
    let effect = bob.handle_request(&wire(&ack)).unwrap();
    assert!(!effect.ends_dialog && !effect.target_refreshed);

    // F18 BYE from Bob: his own CSeq space, Alice's Contact, his route set.
    let bye = bob.bye().unwrap().build().unwrap();
    assert_eq!(
        bye.request_uri_str(),
        Some("sip:alice@client.atlanta.example.com;transport=tcp")
    );
    assert_eq!(
        routes(&bye),
        [
            "<sip:ss2.biloxi.example.com;lr>",
            "<sip:ss1.atlanta.example.com;lr>"
        ]
    );
    assert_eq!(
        bye.raw_value(HeaderName::From),
        Some("Bob <sip:bob@biloxi.example.com>;tag=314159")
    );
    assert_eq!(
        bye.raw_value(HeaderName::To),
        Some("Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl")
    );
    assert_eq!(bye.raw_value(HeaderName::CSeq), Some("1 BYE"));
    assert_eq!(bob.state(), DialogState::Terminated);
    assert_eq!(bye.contacts().count(), 0, "BYE refreshes no target");

    // Alice takes the BYE: it is in order (her remote sequence was empty) and
    // ends the dialog; her 200 carries both tags.
    let bye_in = sent(&bye);
    let effect = alice.handle_request(&bye_in).unwrap();
    assert!(effect.ends_dialog);
    assert_eq!(alice.remote_seq(), Some(1));
    let ok_bye = alice.response_to(&bye_in, StatusCode::OK).build().unwrap();
    assert_eq!(ok_bye.to().unwrap().tag(), Some("9fxced76sl"));
    assert_eq!(ok_bye.from().unwrap().tag(), Some("314159"));
    assert_eq!(ok_bye.contacts().count(), 0);
    alice.terminate();
    assert_eq!(alice.state(), DialogState::Terminated);

    // Bob takes the 200 to his BYE.
    let effect = bob.handle_response(&wire(&ok_bye)).unwrap();
    assert!(!effect.should_terminate && !effect.target_refreshed);
}

#[test]
fn rfc3261_section_24_2_without_record_route() {
    // F1, as Alice sends it.
    let request = msg("INVITE sip:bob@biloxi.com SIP/2.0
         Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8
         Max-Forwards: 70
         To: Bob <sip:bob@biloxi.com>
         From: Alice <sip:alice@atlanta.com>;tag=1928301774
         Call-ID: a84b4c76e66710
         CSeq: 314159 INVITE
         Contact: <sip:alice@pc33.atlanta.com>");
    // F8 and F9 as Alice receives them.
    let ringing = msg("SIP/2.0 180 Ringing
         Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8;received=192.0.2.1
         To: Bob <sip:bob@biloxi.com>;tag=a6c85cf
         From: Alice <sip:alice@atlanta.com>;tag=1928301774
         Call-ID: a84b4c76e66710
         Contact: <sip:bob@192.0.2.4>
         CSeq: 314159 INVITE");
    let ok = msg("SIP/2.0 200 OK
         Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8;received=192.0.2.1
         To: Bob <sip:bob@biloxi.com>;tag=a6c85cf
         From: Alice <sip:alice@atlanta.com>;tag=1928301774
         Call-ID: a84b4c76e66710
         CSeq: 314159 INVITE
         Contact: <sip:bob@192.0.2.4>");
    let mut alice = Dialog::uac(&request, &ringing, false).unwrap();
    assert_eq!(alice.state(), DialogState::Early);
    let effect = alice.handle_response(&ok).unwrap();
    assert!(effect.confirmed && !effect.target_refreshed);
    assert_eq!(alice.state(), DialogState::Confirmed);
    assert!(alice.route_set().is_empty());

    // F11 ACK goes straight to Bob's Contact.
    let ack = alice.ack(314159).build().unwrap();
    assert_eq!(ack.request_uri_str(), Some("sip:bob@192.0.2.4"));
    assert!(routes(&ack).is_empty());
    assert_eq!(ack.raw_value(HeaderName::CSeq), Some("314159 ACK"));
    assert_eq!(
        ack.raw_value(HeaderName::To),
        Some("Bob <sip:bob@biloxi.com>;tag=a6c85cf")
    );

    // F13 BYE from Bob, CSeq 231 being Bob's own choice.
    let bye = msg("BYE sip:alice@pc33.atlanta.com SIP/2.0
         Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10
         Max-Forwards: 70
         From: Bob <sip:bob@biloxi.com>;tag=a6c85cf
         To: Alice <sip:alice@atlanta.com>;tag=1928301774
         Call-ID: a84b4c76e66710
         CSeq: 231 BYE");
    assert!(alice.handle_request(&bye).unwrap().ends_dialog);
    assert_eq!(alice.remote_seq(), Some(231));

    // Bob's side of the same call, building that BYE.
    let bob_invite = msg("INVITE sip:bob@192.0.2.4 SIP/2.0
         Via: SIP/2.0/UDP server10.biloxi.com;branch=z9hG4bK4b43c2ff8.1
         Via: SIP/2.0/UDP bigbox3.site3.atlanta.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2
         Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8;received=192.0.2.1
         Max-Forwards: 68
         To: Bob <sip:bob@biloxi.com>
         From: Alice <sip:alice@atlanta.com>;tag=1928301774
         Call-ID: a84b4c76e66710
         CSeq: 314159 INVITE
         Contact: <sip:alice@pc33.atlanta.com>");
    let mut bob = Dialog::uas(&bob_invite, "a6c85cf", addr("<sip:bob@192.0.2.4>"), false).unwrap();
    bob.confirm();
    assert!(bob.set_first_local_seq(231));
    let built = bob.bye().unwrap().build().unwrap();
    assert!(!bob.set_first_local_seq(7), "a request was sent");
    for name in [
        HeaderName::From,
        HeaderName::To,
        HeaderName::CallId,
        HeaderName::CSeq,
        HeaderName::MaxForwards,
    ] {
        assert_eq!(built.raw_value(name), bye.raw_value(name), "{name}");
    }
    assert_eq!(built.request_uri_str(), bye.request_uri_str());
}
