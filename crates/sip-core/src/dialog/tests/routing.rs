//! Loose and strict routing of requests within a dialog (RFC 3261 §12.2.1.1,
//! §16.12.1.2).

use sip::header::{Route, TypedHeader};
use sip::uri::Uri;
use sip::{Method, StatusCode};

use super::{addr, msg, routes};
use crate::dialog::{Dialog, DialogSet, route};

fn route_set(values: &[&str]) -> Vec<Route<'static>> {
    values
        .iter()
        .map(|v| Route::parse(v).unwrap().into_owned())
        .collect()
}

fn printed(routes: &[Route<'_>]) -> Vec<String> {
    routes.iter().map(ToString::to_string).collect()
}

#[test]
fn empty_route_set_targets_the_contact() {
    let target = Uri::parse("sip:user@remoteua;transport=tcp").unwrap();
    let r = route(&target, &[]);
    assert_eq!(r.request_uri.to_string(), "sip:user@remoteua;transport=tcp");
    assert!(r.routes.is_empty());
}

#[test]
fn loose_router_first_keeps_the_target() {
    let target = Uri::parse("sip:user@remoteua").unwrap();
    let set = route_set(&[
        "<sip:proxy1;lr>",
        "<sip:proxy2>",
        "<sip:proxy3;lr;ftag=x>;x=y",
    ]);
    let r = route(&target, &set);
    assert_eq!(r.request_uri.to_string(), "sip:user@remoteua");
    assert_eq!(
        printed(&r.routes),
        [
            "<sip:proxy1;lr>",
            "<sip:proxy2>",
            "<sip:proxy3;lr;ftag=x>;x=y"
        ]
    );
}

#[test]
fn rfc3261_12_2_1_1_strict_router_example() {
    let target = Uri::parse("sip:user@remoteua").unwrap();
    let set = route_set(&[
        "<sip:proxy1>",
        "<sip:proxy2>",
        "<sip:proxy3;lr>",
        "<sip:proxy4>",
    ]);
    let r = route(&target, &set);
    assert_eq!(r.request_uri.to_string(), "sip:proxy1");
    assert_eq!(
        printed(&r.routes),
        [
            "<sip:proxy2>",
            "<sip:proxy3;lr>",
            "<sip:proxy4>",
            "<sip:user@remoteua>"
        ]
    );
}

#[test]
fn strict_router_uri_loses_what_a_request_uri_may_not_hold() {
    // RFC 3261 §19.1.1 table 1: no `method` parameter and no headers in a
    // Request-URI; transport, maddr, ttl, user and others stay. The Route
    // values after it keep everything.
    let target = Uri::parse("sip:user@remoteua").unwrap();
    let set = route_set(&[
        "<sip:p1.example.com;transport=tcp;method=INVITE;maddr=192.0.2.1?Subject=x>;hp=1",
        "<sip:p2.example.com;method=BYE>",
    ]);
    let r = route(&target, &set);
    assert_eq!(
        r.request_uri.to_string(),
        "sip:p1.example.com;transport=tcp;maddr=192.0.2.1"
    );
    assert_eq!(
        printed(&r.routes),
        ["<sip:p2.example.com;method=BYE>", "<sip:user@remoteua>"]
    );
}

/// The INVITE U2 receives in RFC 3261 §16.12.1.2: four proxies recorded
/// their route, P3 being a strict router.
fn u2_invite(record_route: &str) -> sip::Message {
    msg(&format!(
        "INVITE sip:callee@u2.domain.com SIP/2.0
         Via: SIP/2.0/UDP p4.domain.com;branch=z9hG4bKp4
         Via: SIP/2.0/UDP u1.example.com;branch=z9hG4bKu1
         To: <sip:callee@domain.com>
         From: <sip:caller@example.com>;tag=u1tag
         Call-ID: strict@u1.example.com
         CSeq: 10 INVITE
         Contact: sip:caller@u1.example.com
         {record_route}"
    ))
}

#[test]
fn rfc3261_16_12_1_2_callee_bye_through_a_strict_router() {
    let invite = u2_invite(
        "Record-Route: <sip:p4.domain.com;lr>
         Record-Route: <sip:p3.middle.com>
         Record-Route: <sip:p2.example.com;lr>
         Record-Route: <sip:p1.example.com;lr>",
    );
    let mut u2 = Dialog::uas(&invite, "u2tag", addr("<sip:callee@u2.domain.com>"), false).unwrap();
    u2.confirm();
    // "U2 sends the following BYE request to P4, the first entry in the route set."
    let bye = u2.request(Method::Bye).unwrap().build().unwrap();
    assert_eq!(bye.request_uri_str(), Some("sip:caller@u1.example.com"));
    assert_eq!(
        routes(&bye),
        [
            "<sip:p4.domain.com;lr>",
            "<sip:p3.middle.com>",
            "<sip:p2.example.com;lr>",
            "<sip:p1.example.com;lr>"
        ]
    );
}

#[test]
fn rfc3261_16_12_1_2_strict_router_next_to_the_ua() {
    // Without P4, P3 (a strict router) is U2's first hop: the Request-URI
    // becomes P3's URI and U1's Contact goes to the end of Route, which is
    // what P3 itself expects to rewrite (§16.12.1.2).
    let invite = u2_invite(
        "Record-Route: <sip:p3.middle.com>
         Record-Route: <sip:p2.example.com;lr>
         Record-Route: <sip:p1.example.com;lr>",
    );
    let mut u2 = Dialog::uas(&invite, "u2tag", addr("<sip:callee@u2.domain.com>"), false).unwrap();
    u2.confirm();
    let bye = u2.request(Method::Bye).unwrap().build().unwrap();
    assert_eq!(bye.request_uri_str(), Some("sip:p3.middle.com"));
    assert_eq!(
        routes(&bye),
        [
            "<sip:p2.example.com;lr>",
            "<sip:p1.example.com;lr>",
            "<sip:caller@u1.example.com>"
        ]
    );
}

#[test]
fn caller_side_reverses_the_route_set() {
    // U1's side of the same dialog: the 200 carries the Record-Route values,
    // which U1 takes in reverse order.
    let request = msg("INVITE sip:callee@domain.com SIP/2.0
         Via: SIP/2.0/UDP u1.example.com;branch=z9hG4bKu1
         To: <sip:callee@domain.com>
         From: <sip:caller@example.com>;tag=u1tag
         Call-ID: strict@u1.example.com
         CSeq: 10 INVITE
         Contact: <sip:caller@u1.example.com>");
    let ok = msg("SIP/2.0 200 OK
         Via: SIP/2.0/UDP u1.example.com;branch=z9hG4bKu1
         Record-Route: <sip:p4.domain.com;lr>
         Record-Route: <sip:p3.middle.com>
         Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>
         To: <sip:callee@domain.com>;tag=u2tag
         From: <sip:caller@example.com>;tag=u1tag
         Call-ID: strict@u1.example.com
         CSeq: 10 INVITE
         Contact: <sip:callee@u2.domain.com>");
    let mut set = DialogSet::new(&request, false).unwrap();
    set.handle_response(&ok).unwrap();
    let mut u1 = set.remove("u2tag").unwrap();
    assert_eq!(
        printed(u1.route_set()),
        [
            "<sip:p1.example.com;lr>",
            "<sip:p2.example.com;lr>",
            "<sip:p3.middle.com>",
            "<sip:p4.domain.com;lr>"
        ]
    );
    let info = u1.request(Method::Info).unwrap().build().unwrap();
    assert_eq!(info.request_uri_str(), Some("sip:callee@u2.domain.com"));
    assert_eq!(
        info.raw_value(sip::header::HeaderName::CSeq),
        Some("11 INFO")
    );
    assert_eq!(routes(&info).len(), 4);
    // And U2's 200, built by its dialog, carries those Record-Route values.
    let invite = u2_invite(
        "Record-Route: <sip:p4.domain.com;lr>, <sip:p3.middle.com>, <sip:p2.example.com;lr>, <sip:p1.example.com;lr>",
    );
    let u2 = Dialog::uas(&invite, "u2tag", addr("<sip:callee@u2.domain.com>"), false).unwrap();
    let built = u2.response_to(&invite, StatusCode::OK).build().unwrap();
    let mut set = DialogSet::new(&request, false).unwrap();
    set.handle_response(&built).unwrap();
    assert_eq!(
        printed(set.dialog("u2tag").unwrap().route_set()),
        printed(u1.route_set())
    );
}

/// A remote target with URI headers or a `method` parameter (a Contact may
/// carry both) loses them as a Request-URI (RFC 3261 §19.1.1, table 1; found
/// by the `dialogs` fuzz target).
#[test]
fn remote_target_headers_are_not_put_in_the_request_uri() {
    let target = Uri::parse("sip:bob@192.0.2.4;method=INVITE;transport=tcp?Subject=x").unwrap();
    let routing = route(&target, &[]);
    assert_eq!(
        routing.request_uri.to_string(),
        "sip:bob@192.0.2.4;transport=tcp"
    );
}
