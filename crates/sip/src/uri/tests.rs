//! URI parsing and RFC 3261 §19.1.4 comparison.

use super::*;

fn uri(s: &str) -> Uri<'_> {
    Uri::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn rfc3261_equivalent_examples() {
    // RFC 3261 §19.1.4, the URIs it lists as equivalent.
    let pairs = [
        (
            "sip:%61lice@atlanta.com;transport=TCP",
            "sip:alice@AtLanTa.CoM;Transport=tcp",
        ),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;security=on"),
        (
            "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
            "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com",
        ),
        (
            "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
            "sip:alice@atlanta.com?priority=urgent&subject=project%20x",
        ),
    ];
    for (a, b) in pairs {
        assert!(uri(a).equivalent(&uri(b)), "{a} == {b}");
        assert!(uri(b).equivalent(&uri(a)), "{b} == {a}");
    }
}

#[test]
fn rfc3261_not_equivalent_examples() {
    let pairs = [
        (
            "SIP:ALICE@AtLanTa.CoM;Transport=udp",
            "sip:alice@AtLanTa.CoM;Transport=UDP",
        ),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"),
        (
            "sip:bob@biloxi.com",
            "sip:bob@biloxi.com:6000;transport=tcp",
        ),
        (
            "sip:carol@chicago.com",
            "sip:carol@chicago.com?Subject=next%20meeting",
        ),
        ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"),
        // Equivalence is not transitive.
        (
            "sip:carol@chicago.com;security=on",
            "sip:carol@chicago.com;security=off",
        ),
        ("sip:alice@atlanta.com", "sips:alice@atlanta.com"),
    ];
    for (a, b) in pairs {
        assert!(!uri(a).equivalent(&uri(b)), "{a} != {b}");
        assert!(!uri(b).equivalent(&uri(a)), "{b} != {a}");
    }
}

#[test]
fn sip_uri_parts() {
    let u = uri("sips:alice:secret@atlanta.com:5061;transport=tls;lr?subject=x&h=%20");
    let s = u.as_sip().unwrap();
    assert!(s.secure);
    assert_eq!(s.user.as_deref(), Some("alice"));
    assert_eq!(s.password.as_deref(), Some("secret"));
    assert_eq!(s.port, Some(5061));
    assert_eq!(s.transport(), Some("tls"));
    assert!(s.is_loose_router());
    let headers: Vec<_> = s.header_pairs().collect();
    assert_eq!(headers.len(), 2);
    assert_eq!(&*headers[1].1, b" ");
    assert_eq!(
        u.to_string(),
        "sips:alice:secret@atlanta.com:5061;transport=tls;lr?subject=x&h=%20"
    );
}

#[test]
fn escapes_are_kept_for_printing_and_decoded_for_comparison() {
    let u = uri("sip:%75se%72@example.com");
    assert_eq!(u.to_string(), "sip:%75se%72@example.com");
    assert_eq!(
        u.as_sip().unwrap().user_decoded().unwrap().as_ref(),
        b"user"
    );
    assert!(u.equivalent(&uri("sip:user@example.com")));
    // RFC 4475 §3.1.1.4: an escaped NUL is a legal user part.
    assert_eq!(
        uri("sip:null-%00-null@example.com")
            .as_sip()
            .unwrap()
            .user_decoded()
            .unwrap()
            .as_ref(),
        b"null-\0-null"
    );
}

#[test]
fn tel_uris() {
    let t = uri("tel:+1-201-555-0123");
    let Uri::Tel(tel) = &t else { panic!() };
    assert!(tel.is_global());
    assert_eq!(tel.digits(), "+12015550123");
    assert!(t.equivalent(&uri("tel:+1.201.555.0123")));
    assert!(
        uri("tel:7042;phone-context=example.com")
            .equivalent(&uri("tel:7042;PHONE-CONTEXT=example.com"))
    );
    assert!(
        Uri::parse("tel:7042").is_err(),
        "local number needs phone-context"
    );
    assert!(Uri::parse("tel:+").is_err());
}

#[test]
fn other_schemes_stay_opaque() {
    let u = uri("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
    assert_eq!(u.scheme(), "urn");
    assert_eq!(
        u.to_string(),
        "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
    );
    assert!(Uri::parse("soap.beep://192.0.2.103:3002").is_ok());
    assert!(Uri::parse("1abc:x").is_err());
    assert!(Uri::parse("noscheme").is_err());
    assert!(Uri::parse("http:has space").is_err());
}

#[test]
fn malformed_sip_uris_are_refused() {
    for bad in [
        "sip:",
        "sip:@example.com",
        "sip:user@",
        "sip:user@example.com:99999",
        "sip:user@example.com:",
        "sip:user@[::1",
        "sip:user@exa mple.com",
        "sip:user@example.com;=x",
        "sip:user@example.com?",
        "sip:us%2er@example.com%",
    ] {
        assert!(Uri::parse(bad).is_err(), "{bad} should be refused");
    }
}

#[test]
fn request_line_context_refuses_headers() {
    assert!(Uri::parse_in("sip:a@b?Route=x", UriContext::RequestLine).is_err());
    assert!(Uri::parse_in("sip:a@b;lr", UriContext::RequestLine).is_ok());
}

#[test]
fn owned_copies_are_equal() {
    let text = String::from("sip:alice@atlanta.com;transport=tcp");
    let owned = Uri::parse(&text).unwrap().into_owned();
    drop(text);
    assert_eq!(owned.to_string(), "sip:alice@atlanta.com;transport=tcp");
}
