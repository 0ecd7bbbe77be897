//! Message parsing, printing, editing and building.

use super::*;
use crate::address::Address;
use crate::header::{Contact, MaxForwards};
use crate::uri::Host;

const OPTIONS: &str = "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877\r\n\
Max-Forwards: 70\r\n\
To: <sip:carol@chicago.example.com>\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710\r\n\
CSeq: 63104 OPTIONS\r\n\
Contact: <sip:alice@pc33.atlanta.example.com>\r\n\
Accept: application/sdp\r\n\
X-Custom:   some   value  \r\n\
Content-Length: 0\r\n\r\n";

fn parse(s: &str) -> Message {
    Message::parse(s.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{s}"))
}

#[test]
fn request_parts() {
    let m = parse(OPTIONS);
    assert!(m.is_request());
    assert_eq!(m.method(), Some(Method::Options));
    assert_eq!(m.request_uri_str(), Some("sip:carol@chicago.example.com"));
    assert_eq!(m.header_count(), 10);
    assert_eq!(
        m.raw_values_named("x-custom").collect::<Vec<_>>(),
        ["some   value"]
    );
    assert_eq!(m.typed::<MaxForwards>().unwrap().unwrap(), MaxForwards(70));
    assert_eq!(m.call_id().unwrap().as_str(), "a84b4c76e66710");
    assert!(m.status().is_none() && m.reason().is_none());
}

#[test]
fn response_parts() {
    let m = parse(
        "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>;tag=2\r\n\
         From: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(m.status(), Some(StatusCode::RINGING));
    assert_eq!(m.reason(), Some("Ringing"));
    assert!(m.method().is_none());
}

#[test]
fn compact_names_and_folding() {
    let m = parse(
        "OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1,\r\n SIP/2.0/TCP g;branch=z9hG4bK2\r\n\
         t: sip:a@b\r\nf: sip:c@d;tag=1\r\ni: x\r\nCSeq: 1\r\n\tOPTIONS\r\nl: 0\r\n\r\n",
    );
    let vias: Vec<_> = m.typed_all::<Via<'_>>().map(Result::unwrap).collect();
    assert_eq!(vias.len(), 2);
    assert_eq!(vias[1].transport, "TCP");
    assert_eq!(m.cseq().unwrap().method, Method::Options);
    assert_eq!(m.raw_value(HeaderName::ContentLength), Some("0"));
    // Printing keeps the names as written.
    assert!(
        String::from_utf8(m.to_bytes())
            .unwrap()
            .contains("\r\nv: SIP/2.0/UDP")
    );
}

#[test]
fn bare_line_feeds_and_leading_crlf_are_accepted() {
    let m = parse("\r\n\r\nOPTIONS sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 1 OPTIONS\n\n");
    assert_eq!(m.call_id().unwrap().as_str(), "x");
}

#[test]
fn body_follows_content_length() {
    let m =
        parse("MESSAGE sip:a@b SIP/2.0\r\nCSeq: 1 MESSAGE\r\nContent-Length: 5\r\n\r\nhelloEXTRA");
    assert_eq!(m.body().as_ref(), b"hello");
    let err =
        Message::parse(b"MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 50\r\n\r\nhello").unwrap_err();
    assert!(matches!(
        err,
        ParseError::BodyTruncated {
            declared: 50,
            available: 5
        }
    ));
    // Without Content-Length, a datagram's body runs to its end.
    let m = parse("MESSAGE sip:a@b SIP/2.0\r\nCSeq: 1 MESSAGE\r\n\r\nhello");
    assert_eq!(m.body().as_ref(), b"hello");
}

#[test]
fn limits_are_enforced() {
    let limits = Limits {
        max_headers: 3,
        ..Limits::default()
    };
    let err = Message::parse_with(OPTIONS.as_bytes(), &limits).unwrap_err();
    assert_eq!(err, ParseError::TooManyHeaders { limit: 3 });
    let limits = Limits {
        max_message_size: 100,
        ..Limits::default()
    };
    let err = Message::parse_with(OPTIONS.as_bytes(), &limits).unwrap_err();
    assert!(matches!(err, ParseError::TooLarge { limit: 100, .. }));
    assert_eq!(err.status_code(), 513);
}

#[test]
fn malformed_framing_is_refused() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "incomplete"),
        (b"OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x", "incomplete"),
        (
            b"OPTIONS sip:a@b SIP/2.0\r\n continuation\r\n\r\n",
            "header line",
        ),
        (b"OPTIONS sip:a@b SIP/2.0\r\nNoColon\r\n\r\n", "header line"),
        (
            b"OPTIONS sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n",
            "header line",
        ),
        (b"OPTIONS sip:a@b SIP/2.0\r\nX: \xff\r\n\r\n", "utf8"),
        (b"OPTIONS  sip:a@b SIP/2.0\r\n\r\n", "start"),
        (b"OPTIONS sip:a@b SIP/2.0 \r\n\r\n", "start"),
        (b"OPTIONS sip:a@b\r\n\r\n", "start"),
        (b"SIP/2.0 2000 OK\r\n\r\n", "start"),
        (b"SIP/2.0 099 Low\r\n\r\n", "start"),
        (b"SIP/2.0 20 OK\r\n\r\n", "start"),
        (b"SIP/3.0 200 OK\r\n\r\n", "version"),
        (b"OPTIONS sip:a@b SIP/2.1\r\n\r\n", "version"),
        (b"OPTIONS sip:a@b HTTP/1.1\r\n\r\n", "start"),
    ];
    for (input, class) in cases {
        let err = Message::parse(input).unwrap_err();
        let ok = match *class {
            "incomplete" => err == ParseError::Incomplete,
            "header line" => matches!(err, ParseError::HeaderLine { .. }),
            "utf8" => matches!(err, ParseError::Utf8 { .. }),
            "start" => matches!(err, ParseError::StartLine { .. }),
            "version" => matches!(err, ParseError::Version { .. }),
            _ => unreachable!(),
        };
        assert!(
            ok,
            "{:?}: expected {class}, got {err:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn invalid_header_is_named_with_its_offset() {
    let text = OPTIONS.replace("Max-Forwards: 70", "Max-Forwards: 7x0");
    let err = Message::parse(text.as_bytes()).unwrap_err();
    let ParseError::Header { header, offset, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(header, "Max-Forwards");
    assert_eq!(&text[*offset..*offset + 2], "x0");
    assert_eq!(err.reason_phrase(), "Bad Max-Forwards Header");
    // parse_lazy accepts it: the transaction layer can still answer 400.
    let lazy = Message::parse_lazy(text.as_bytes(), &Limits::default()).unwrap();
    assert!(lazy.validate().is_err());
    assert!(lazy.call_id().is_some());
}

#[test]
fn cseq_method_must_match() {
    let text = OPTIONS.replace("63104 OPTIONS", "63104 INVITE");
    assert!(matches!(
        Message::parse(text.as_bytes()),
        Err(ParseError::CSeqMethodMismatch { .. })
    ));
}

#[test]
fn editing_headers() {
    let mut m = parse(OPTIONS);
    m.push_front(
        HeaderName::Via,
        Via::new(
            "TCP",
            Host::parse_str("proxy.example.com").unwrap(),
            Some(5060),
            "z9hG4bKnew",
        ),
    );
    assert_eq!(m.via().unwrap().branch(), Some("z9hG4bKnew"));
    assert!(m.remove_first_value(HeaderName::Via));
    assert_eq!(m.via().unwrap().branch(), Some("z9hG4bKhjhs8ass877"));
    m.set(HeaderName::MaxForwards, 69);
    assert_eq!(
        m.raw_values(HeaderName::MaxForwards).collect::<Vec<_>>(),
        ["69"]
    );
    assert_eq!(m.remove("x-CUSTOM"), 1);
    m.push_raw("X-Other", "1");
    m.push_raw("x-other", "2");
    assert_eq!(m.raw_values_named("X-OTHER").count(), 2);
    m.set_body(Some("text/plain"), "hi");
    assert_eq!(m.raw_value(HeaderName::ContentLength), Some("2"));
    let again = Message::parse(&m.to_bytes()).unwrap();
    assert_eq!(again.body().as_ref(), b"hi");
    assert_eq!(again.content_type().unwrap().to_string(), "text/plain");
    assert_eq!(again.to_bytes(), m.to_bytes());
}

#[test]
fn remove_first_value_splits_list_lines() {
    let mut m = parse(
        "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1, SIP/2.0/UDP g;branch=z9hG4bK2\r\n\r\n",
    );
    m.remove_first_value(HeaderName::Via);
    assert_eq!(m.via().unwrap().branch(), Some("z9hG4bK2"));
    m.remove_first_value(HeaderName::Via);
    assert!(m.via().is_none());
    assert!(!m.remove_first_value(HeaderName::Via));
}

#[test]
fn build_request_and_response() {
    let target = Uri::parse("sip:bob@biloxi.example.com").unwrap();
    let mut from = Address::parse("Alice <sip:alice@atlanta.example.com>").unwrap();
    from.params.push("tag", Some("88sja8x"));
    let req = Message::request(Method::Register, &target)
        .via(&Via::new(
            "UDP",
            Host::parse_str("192.0.2.4").unwrap(),
            Some(5060),
            "z9hG4bKnashds7",
        ))
        .from(&from)
        .to(&Address::new(target.clone()))
        .call_id("843817637684230@998sdasdh09")
        .cseq(1826)
        .contact(&Address::parse("<sip:bob@192.0.2.4>;expires=7200").unwrap())
        .raw_header("X-Trace", "on")
        .build()
        .unwrap();
    let reparsed = Message::parse(&req.to_bytes()).unwrap();
    assert_eq!(reparsed.cseq().unwrap().to_string(), "1826 REGISTER");
    assert_eq!(reparsed.raw_value(HeaderName::MaxForwards), Some("70"));
    assert_eq!(reparsed.raw_value(HeaderName::ContentLength), Some("0"));
    assert_eq!(reparsed.contacts().next().unwrap().expires(), Some(7200));

    let ok = Message::response_to(&reparsed, StatusCode::OK)
        .to_tag("2493k59kd")
        .contact(&Address::parse("<sip:bob@192.0.2.4>;expires=3600").unwrap())
        .build()
        .unwrap();
    let ok = Message::parse(&ok.to_bytes()).unwrap();
    assert_eq!(ok.status(), Some(StatusCode::OK));
    assert_eq!(ok.reason(), Some("OK"));
    assert_eq!(ok.to().unwrap().tag(), Some("2493k59kd"));
    assert_eq!(ok.from().unwrap().tag(), Some("88sja8x"));
    assert_eq!(ok.via().unwrap().branch(), Some("z9hG4bKnashds7"));
    assert!(matches!(ok.contacts().next(), Some(Contact::Address(_))));
}

#[test]
fn builder_requires_mandatory_headers() {
    let target = Uri::parse("sip:bob@biloxi.example.com").unwrap();
    let err = Message::request(Method::Invite, &target)
        .cseq(1)
        .build()
        .unwrap_err();
    assert_eq!(err, BuildError::MissingHeader(HeaderName::From));
    let resp = parse(
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n",
    );
    assert_eq!(
        Message::response_to(&resp, StatusCode::OK)
            .build()
            .unwrap_err(),
        BuildError::NotARequest
    );
}

#[test]
fn response_reason_is_one_line() {
    let req = parse(OPTIONS);
    let r = Message::response_to(&req, StatusCode::BAD_REQUEST)
        .reason("Bad\r\nHeader")
        .build()
        .unwrap();
    assert_eq!(r.reason(), Some("Bad  Header"));
    assert!(Message::parse(&r.to_bytes()).is_ok());
}

#[test]
fn record_route_is_copied_into_dialog_creating_responses() {
    let invite = OPTIONS
        .replace("OPTIONS sip", "INVITE sip")
        .replace("63104 OPTIONS", "63104 INVITE")
        .replace(
            "Accept:",
            "Record-Route: <sip:p1.example.com;lr>\r\nAccept:",
        );
    let invite = parse(&invite);
    let ringing = Message::response_to(&invite, StatusCode::RINGING)
        .build()
        .unwrap();
    assert_eq!(
        ringing.raw_value(HeaderName::RecordRoute),
        Some("<sip:p1.example.com;lr>")
    );
    let busy = Message::response_to(&invite, StatusCode::BUSY_HERE)
        .build()
        .unwrap();
    assert_eq!(busy.raw_value(HeaderName::RecordRoute), None);
}

#[test]
fn repeated_single_headers_are_reported() {
    let m = parse(&OPTIONS.replace("Accept:", "Call-ID: other\r\nAccept:"));
    assert_eq!(m.repeated_single_header(), Some(HeaderName::CallId));
    // The same value twice is harmless.
    let m = parse(&OPTIONS.replace("Accept:", "Call-ID: a84b4c76e66710\r\nAccept:"));
    assert_eq!(m.repeated_single_header(), None);
}

#[test]
fn shared_buffer_body_is_a_slice() {
    let raw = Bytes::from_static(
        b"MESSAGE sip:a@b SIP/2.0\r\nCSeq: 1 MESSAGE\r\nContent-Length: 5\r\n\r\nhello",
    );
    let m = Message::parse_lazy_shared(&raw, &Limits::default()).unwrap();
    assert_eq!(m.body().as_ptr(), raw[raw.len() - 5..].as_ptr());
}

#[test]
fn debug_shows_the_headers() {
    let s = format!("{:?}", parse(OPTIONS));
    assert!(s.contains("OPTIONS") && s.contains("Call-ID"));
}

#[test]
fn other_versions_parse_lazily_and_fail_validation_with_505() {
    let text = "OPTIONS sip:a@b SIP/7.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\n\
                From: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n";
    let m = Message::parse_lazy(text.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(m.version(), "SIP/7.0");
    let err = m.validate().unwrap_err();
    assert_eq!(err.status_code(), 505);
    assert_eq!(Message::parse(text.as_bytes()).unwrap_err(), err);
    // A UAS can still answer: the response speaks 2.0.
    let r = Message::response_to(&m, StatusCode::VERSION_NOT_SUPPORTED)
        .build()
        .unwrap();
    assert!(r.to_bytes().starts_with(b"SIP/2.0 505 "));
    assert!(
        String::from_utf8(m.to_bytes())
            .unwrap()
            .starts_with("OPTIONS sip:a@b SIP/7.0\r\n")
    );
}
