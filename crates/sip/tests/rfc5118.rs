//! RFC 5118 (SIP torture test messages for IPv6), §4, written from the RFC's
//! descriptions: each case is a message or a piece of one with the outcome the
//! RFC gives.

use std::net::{IpAddr, Ipv6Addr};

use sip::Message;
use sip::header::Via;
use sip::uri::Host;

fn register(request_uri: &str, via: &str) -> Vec<u8> {
    format!(
        "REGISTER {request_uri} SIP/2.0\r\n\
         To: sip:user@example.com\r\n\
         From: sip:user@example.com;tag=81x2\r\n\
         Via: {via}\r\n\
         Call-ID: SSG9559905523997077@hlau_4100\r\n\
         Max-Forwards: 70\r\n\
         Contact: \"Caller\" <sip:caller@[2001:db8::1]>\r\n\
         CSeq: 98176 REGISTER\r\n\
         Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

fn v6(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// §4.1: a valid SIP message with an IPv6 reference.
#[test]
fn basic_ipv6_reference() {
    let msg = Message::parse(&register(
        "sip:[2001:db8::10]",
        "SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111",
    ))
    .unwrap();
    let uri = msg.request_uri().unwrap();
    let sip = uri.as_sip().unwrap();
    assert_eq!(sip.host, Host::Ipv6(v6("2001:db8::10")));
    assert_eq!(sip.port, None);
    assert_eq!(msg.via().unwrap().host, Host::Ipv6(v6("2001:db8::9:1")));
    let contact = msg.contacts().next().unwrap();
    assert_eq!(
        contact.address().unwrap().uri.as_sip().unwrap().host,
        Host::Ipv6(v6("2001:db8::1"))
    );
}

/// §4.2: an IPv6 reference with a port.
#[test]
fn ipv6_reference_with_port() {
    let msg = Message::parse(&register(
        "sip:[2001:db8::10]:5070",
        "SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111",
    ))
    .unwrap();
    let uri = msg.request_uri().unwrap();
    assert_eq!(uri.as_sip().unwrap().port, Some(5070));
}

/// §4.3: an IPv6 address without brackets in the Request-URI is invalid.
#[test]
fn ipv6_without_brackets_is_refused() {
    let err = Message::parse(&register(
        "sip:2001:db8::10",
        "SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111",
    ))
    .unwrap_err();
    assert_eq!(err.status_code(), 400);
}

/// §4.4: inside the brackets, ":5070" is part of the address, not a port.
#[test]
fn port_inside_brackets_is_part_of_the_address() {
    let msg = Message::parse(&register(
        "sip:[2001:db8::10:5070]",
        "SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111",
    ))
    .unwrap();
    let uri = msg.request_uri().unwrap();
    let sip = uri.as_sip().unwrap();
    assert_eq!(sip.host, Host::Ipv6(v6("2001:db8::10:5070")));
    assert_eq!(sip.port, None);
}

/// §4.5: the received parameter with and without brackets is accepted.
#[test]
fn via_received_with_ipv6() {
    for via in [
        "SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3-111",
        "SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3-111",
    ] {
        let msg = Message::parse(&register("sip:[2001:db8::10]", via)).unwrap();
        let v: Via<'_> = msg.via().unwrap();
        assert_eq!(
            v.received(),
            Some(IpAddr::V6(v6("2001:db8::9:255"))),
            "{via}"
        );
    }
}

/// §4.8: IPv4 and IPv6 hops in one message.
#[test]
fn mixed_address_families() {
    let msg = Message::parse(&register(
        "sip:user@example.com",
        "SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111, SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKjhja8781hjuaij65144",
    ))
    .unwrap();
    let vias: Vec<Via<'_>> = msg.typed_all::<Via<'_>>().map(Result::unwrap).collect();
    assert_eq!(vias.len(), 2);
    assert_eq!(vias[0].port, Some(6050));
    assert!(matches!(vias[1].host, Host::Ipv4(_)));
}

/// §4.10: IPv4-mapped IPv6 addresses.
#[test]
fn ipv4_mapped_ipv6() {
    let msg = Message::parse(&register(
        "sip:[::ffff:192.0.2.10]",
        "SIP/2.0/UDP [::ffff:192.0.2.10]:19823;branch=z9hG4bKbh19",
    ))
    .unwrap();
    let uri = msg.request_uri().unwrap();
    assert_eq!(
        uri.as_sip().unwrap().host,
        Host::Ipv6(v6("::ffff:192.0.2.10"))
    );
}

/// §4.11: an IPv6 address with a dotted IPv4 tail (the RFC 3261 ABNF bug);
/// and addresses with too many or too few groups are refused.
#[test]
fn ipv6_reference_edge_cases() {
    assert!(Host::parse_str("[2001:db8::192.0.2.1]").is_ok());
    assert!(Host::parse_str("[2001:db8:0:0:0:0:0:0:1]").is_err());
    assert!(Host::parse_str("[2001:db8:::1]").is_err());
    assert!(
        Host::parse_str("[2001:db8::10]")
            .unwrap()
            .equivalent(&Host::parse_str("[2001:DB8:0:0:0:0:0:10]").unwrap())
    );
}
