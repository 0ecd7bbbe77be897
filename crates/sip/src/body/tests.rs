//! Multipart parsing and building: RFC 4475 §3.1.1.11, RFC 5621's examples,
//! limits, malformed bodies and build → parse round trips.

use super::*;
use crate::{Limits, Message, ParseError};

fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Multipart<'a>, ParseError> {
    Multipart::parse(body, boundary, &Limits::default())
}

/// A MESSAGE request around `body`, with its Content-Type and a correct
/// Content-Length.
fn request(content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "INVITE sip:conf-fact@example.com SIP/2.0\r\n\
         Via: SIP/2.0/TCP atlanta.example.com;branch=z9hG4bKnashds8\r\n\
         Max-Forwards: 70\r\n\
         To: <sip:conf-fact@example.com>\r\n\
         From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
         Call-ID: a84b4c76e66710@atlanta.example.com\r\n\
         CSeq: 314159 INVITE\r\n\
         Contact: <sip:alice@atlanta.example.com>\r\n\
         Content-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

const SDP: &str = "v=0\r\n\
o=alice 2890844526 2890842807 IN IP4 atlanta.example.com\r\n\
s=-\r\n\
c=IN IP4 192.0.2.1\r\n\
t=0 0\r\n\
m=audio 20000 RTP/AVP 0\r\n\
a=rtpmap:0 PCMU/8000\r\n\
m=video 20002 RTP/AVP 31\r\n\
a=rtpmap:31 H261/90000\r\n";

const RESOURCE_LISTS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">\r\n\
\x20 <list>\r\n\
\x20   <entry uri=\"sip:bill@example.com\"/>\r\n\
\x20   <entry uri=\"sip:randy@example.net\"/>\r\n\
\x20   <entry uri=\"sip:joe@example.org\"/>\r\n\
\x20 </list>\r\n\
</resource-lists>";

#[test]
fn rfc4475_mpart01() {
    let raw = include_bytes!("../../tests/data/rfc4475/mpart01.dat");
    // Lazily: header grammar is the message parser's business, not this test's.
    let msg = Message::parse_lazy(raw, &Limits::default()).unwrap();
    let multipart = msg.multipart().unwrap().unwrap();
    let parts = multipart.parts();
    assert_eq!(parts.len(), 2);

    assert!(parts[0].content_type().unwrap().is("text", "plain"));
    assert_eq!(parts[0].header("Content-Transfer-Encoding"), Some("binary"));
    assert_eq!(parts[0].body(), b"Hello");

    assert!(
        parts[1]
            .content_type()
            .unwrap()
            .is("application", "octet-stream")
    );
    let binary = parts[1].body();
    // A DER SEQUENCE of 0x152 bytes of content: 4 bytes of header.
    assert_eq!(binary.len(), 4 + 0x152);
    assert_eq!(&binary[..4], b"\x30\x82\x01\x52");
    assert!(binary.ends_with(b"\xd0\x05"));
    // The part bodies are slices of the message body, not copies.
    let whole = msg.body().as_ptr_range();
    assert!(whole.contains(&binary.as_ptr()));

    assert_eq!(msg.sdp_body(), None);
    assert_eq!(multipart.other_parts().count(), 2);
}

/// RFC 5621 §3.1: an INVITE to a conference factory carrying a session
/// description and a recipient list.
#[test]
fn rfc5621_sdp_and_resource_list() {
    let body = format!(
        "--boundary1\r\n\
         Content-Type: application/sdp\r\n\
         \r\n\
         {SDP}\r\n\
         --boundary1\r\n\
         Content-Type: application/resource-lists+xml\r\n\
         Content-Disposition: recipient-list\r\n\
         \r\n\
         {RESOURCE_LISTS}\r\n\
         --boundary1--\r\n"
    );
    let raw = request("multipart/mixed;boundary=\"boundary1\"", body.as_bytes());
    let msg = Message::parse(&raw).unwrap();
    assert_eq!(msg.sdp_body(), Some(SDP.as_bytes()));
    let multipart = msg.multipart().unwrap().unwrap();
    assert_eq!(multipart.parts().len(), 2);
    let others: Vec<_> = multipart.other_parts().collect();
    assert_eq!(others.len(), 1);
    assert_eq!(
        others[0].header("Content-Disposition"),
        Some("recipient-list")
    );
    assert!(
        others[0]
            .content_type()
            .unwrap()
            .is("application", "resource-lists+xml")
    );
    assert_eq!(others[0].body(), RESOURCE_LISTS.as_bytes());
}

/// RFC 5621 §4.1 (and RFC 2046 §5.1.4): a `multipart/alternative` of two
/// session descriptions nested in a `multipart/mixed` with a recipient list.
#[test]
fn rfc5621_nested_alternative() {
    let sdp2 = SDP.replace("m=video 20002 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n", "");
    let body = format!(
        "--boundary1\r\n\
         Content-Type: multipart/alternative;boundary=boundary2\r\n\
         \r\n\
         --boundary2\r\n\
         Content-Type: application/sdp\r\n\
         \r\n\
         {SDP}\r\n\
         --boundary2\r\n\
         Content-Type: application/sdp\r\n\
         \r\n\
         {sdp2}\r\n\
         --boundary2--\r\n\
         \r\n\
         --boundary1\r\n\
         Content-Type: application/resource-lists+xml\r\n\
         Content-Disposition: recipient-list\r\n\
         \r\n\
         {RESOURCE_LISTS}\r\n\
         --boundary1--\r\n"
    );
    let raw = request("multipart/mixed; boundary=\"boundary1\"", body.as_bytes());
    let msg = Message::parse(&raw).unwrap();
    let multipart = msg.multipart().unwrap().unwrap();
    assert_eq!(multipart.parts().len(), 2);
    let alternative = multipart.parts()[0].multipart().unwrap();
    assert_eq!(alternative.parts().len(), 2);
    assert_eq!(alternative.parts()[1].body(), sdp2.as_bytes());
    // The epilogue of the nested body ("\r\n" after its close delimiter) is
    // ignored.
    assert_eq!(multipart.leaves().count(), 3);
    assert_eq!(msg.sdp_body(), Some(SDP.as_bytes()));
    let others: Vec<_> = multipart.other_parts().map(|p| p.body()).collect();
    assert_eq!(others, [sdp2.as_bytes(), RESOURCE_LISTS.as_bytes()]);
}

#[test]
fn sdp_body_of_a_plain_sdp_message() {
    let raw = request("application/sdp", SDP.as_bytes());
    let msg = Message::parse(&raw).unwrap();
    assert_eq!(msg.sdp_body(), Some(SDP.as_bytes()));
    assert!(msg.multipart().is_none());
    let raw = request("text/plain", b"hi");
    assert_eq!(Message::parse(&raw).unwrap().sdp_body(), None);
}

#[test]
fn preamble_epilogue_padding_and_bare_lf() {
    let body = b"This is the preamble. --b is not a delimiter here.\r\n\
--b \t\r\n\
Content-Type: text/plain\r\n\
\r\n\
one\r\n\
--bb is text, and so is --b-- mid-line\r\n\
--b\n\
\n\
two\n\
--b--  and an epilogue\r\nmore epilogue --b\r\n";
    let m = parse(body, "b").unwrap();
    assert_eq!(m.parts().len(), 2);
    assert_eq!(
        m.parts()[0].body(),
        b"one\r\n--bb is text, and so is --b-- mid-line"
    );
    assert!(m.parts()[1].headers().is_empty());
    assert_eq!(m.parts()[1].content_type(), None);
    assert_eq!(m.parts()[1].body(), b"two");
}

#[test]
fn empty_parts_and_parts_without_body() {
    let m = parse(
        b"--b\r\n\r\n--b\r\n--b\r\nContent-ID: <x@y>\r\n\r\n--b--",
        "b",
    )
    .unwrap();
    let parts = m.parts();
    assert_eq!(parts.len(), 3);
    assert!(parts.iter().all(|p| p.body().is_empty()));
    assert_eq!(parts[2].header("content-id"), Some("<x@y>"));
}

#[test]
fn folded_part_headers() {
    let body = b"--b\r\nContent-Type: application/sdp;\r\n  charset=utf-8\r\n\r\nv=0\r\n--b--\r\n";
    let m = parse(body, "b").unwrap();
    let ct = m.parts()[0].content_type().unwrap();
    assert!(ct.is("application", "sdp"));
    assert_eq!(ct.params.get("charset"), Some(Some("utf-8")));
    assert!(m.sdp().is_some());
}

#[test]
fn malformed_bodies() {
    let multipart = |what| Err(ParseError::Multipart { what });
    assert_eq!(
        parse(b"no delimiter at all", "b"),
        multipart("no boundary delimiter line")
    );
    assert_eq!(
        parse(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n", "b"),
        multipart("missing close delimiter")
    );
    // A close delimiter that is not at the start of a line does not count.
    assert_eq!(
        parse(b"--b\r\n\r\nx --b--\r\n", "b"),
        multipart("missing close delimiter")
    );
    assert_eq!(
        parse(b"--b--\r\n", "b"),
        multipart("multipart body has no parts")
    );
    assert_eq!(
        parse(b"--b\r\nnot a header\r\n\r\nx\r\n--b--", "b"),
        multipart("body part header line without ':'")
    );
    assert_eq!(
        parse(b"--b\r\nContent-Type: /\r\n\r\nx\r\n--b--", "b"),
        multipart("invalid Content-Type in a body part")
    );
    assert_eq!(
        parse(
            b"--b\r\nContent-Type: multipart/mixed\r\n\r\nx\r\n--b--",
            "b"
        ),
        multipart("multipart Content-Type without boundary parameter")
    );
    assert_eq!(
        parse(b"--\r\n--", ""),
        multipart("boundary must be 1 to 70 characters")
    );
    let long = "x".repeat(71);
    assert!(parse(format!("--{long}\r\n\r\n--{long}--").as_bytes(), &long).is_err());
    assert!(parse(b"--b \r\n\r\n--b --", "b ").is_err());
}

#[test]
fn message_level_errors() {
    let raw = request("multipart/mixed", b"--b\r\n\r\nx\r\n--b--\r\n");
    let msg = Message::parse(&raw).unwrap();
    assert_eq!(
        msg.multipart(),
        Some(Err(ParseError::Multipart {
            what: "multipart Content-Type without boundary parameter"
        }))
    );
    assert_eq!(msg.sdp_body(), None);
}

/// `depth` multipart bodies nested in each other, the innermost holding SDP.
fn nested(depth: usize) -> (Vec<u8>, String) {
    let mut body =
        format!("--b{depth}\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--b{depth}--");
    for level in (1..depth).rev() {
        body = format!(
            "--b{level}\r\nContent-Type: multipart/mixed;boundary=b{}\r\n\r\n{body}\r\n--b{level}--",
            level + 1
        );
    }
    (body.into_bytes(), "b1".to_owned())
}

#[test]
fn nesting_limit() {
    let limits = Limits::default();
    let (body, boundary) = nested(limits.max_body_nesting);
    let m = Multipart::parse(&body, &boundary, &limits).unwrap();
    assert_eq!(m.sdp().unwrap().body(), b"v=0");
    assert_eq!(m.leaves().count(), 1);

    let (body, boundary) = nested(limits.max_body_nesting + 1);
    assert_eq!(
        Multipart::parse(&body, &boundary, &limits),
        Err(ParseError::NestingTooDeep {
            limit: limits.max_body_nesting
        })
    );
    let none = Limits {
        max_body_nesting: 0,
        ..Limits::default()
    };
    assert!(matches!(
        Multipart::parse(b"--b\r\n\r\n--b--", "b", &none),
        Err(ParseError::NestingTooDeep { limit: 0 })
    ));
}

#[test]
fn part_count_limit_counts_nested_parts() {
    let limits = Limits {
        max_body_parts: 3,
        ..Limits::default()
    };
    let flat = b"--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b\r\n\r\n3\r\n--b--";
    assert_eq!(
        Multipart::parse(flat, "b", &limits).unwrap().parts().len(),
        3
    );
    let four = b"--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b\r\n\r\n3\r\n--b\r\n\r\n4\r\n--b--";
    assert_eq!(
        Multipart::parse(four, "b", &limits),
        Err(ParseError::TooManyBodyParts { limit: 3 })
    );
    // One outer part holding three: four parts in all.
    let tree = b"--a\r\nContent-Type: multipart/mixed;boundary=b\r\n\r\n\
--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b\r\n\r\n3\r\n--b--\r\n--a--";
    assert_eq!(
        Multipart::parse(tree, "a", &limits),
        Err(ParseError::TooManyBodyParts { limit: 3 })
    );
}

#[test]
fn build_then_parse_round_trip() {
    let inner = MultipartBuilder::new("inner'(boundary)")
        .subtype("alternative")
        .part("application/sdp", SDP)
        .part("text/plain", "fallback")
        .build()
        .unwrap();
    assert_eq!(
        inner.content_type,
        "multipart/alternative;boundary=\"inner'(boundary)\""
    );
    let outer = MultipartBuilder::with_seed(42)
        .part(&inner.content_type, inner.body.clone())
        .part_with_headers(
            [
                ("Content-Type", "application/resource-lists+xml"),
                ("Content-Disposition", "recipient-list"),
            ],
            RESOURCE_LISTS,
        )
        .part("application/octet-stream", &b"\x00\r\n--\xff\r\n"[..])
        .build()
        .unwrap();
    // Deterministic in the seed.
    assert_eq!(
        outer,
        MultipartBuilder::with_seed(42)
            .part(&inner.content_type, inner.body.clone())
            .part_with_headers(
                [
                    ("Content-Type", "application/resource-lists+xml"),
                    ("Content-Disposition", "recipient-list"),
                ],
                RESOURCE_LISTS,
            )
            .part("application/octet-stream", &b"\x00\r\n--\xff\r\n"[..])
            .build()
            .unwrap()
    );
    assert_ne!(
        outer.boundary,
        MultipartBuilder::with_seed(43)
            .part("text/plain", "x")
            .build()
            .unwrap()
            .boundary
    );

    let raw = request(&outer.content_type, &outer.body);
    let msg = Message::parse(&raw).unwrap();
    let parsed = msg.multipart().unwrap().unwrap();
    assert_eq!(parsed.parts().len(), 3);
    assert_eq!(parsed.parts()[0].body(), &inner.body[..]);
    let alternative = parsed.parts()[0].multipart().unwrap();
    assert_eq!(alternative.parts()[1].body(), b"fallback");
    assert_eq!(msg.sdp_body(), Some(SDP.as_bytes()));
    assert_eq!(
        parsed.parts()[1].header("content-disposition"),
        Some("recipient-list")
    );
    assert_eq!(parsed.parts()[2].body(), b"\x00\r\n--\xff\r\n");
}

#[test]
fn seeded_boundary_avoids_content() {
    let first = MultipartBuilder::with_seed(7)
        .part("text/plain", "x")
        .build()
        .unwrap();
    let clash = format!("text with --{} inside", first.boundary);
    let built = MultipartBuilder::with_seed(7)
        .part("text/plain", clash.clone())
        .build()
        .unwrap();
    assert_ne!(built.boundary, first.boundary);
    let parsed = parse(&built.body, &built.boundary).unwrap();
    assert_eq!(parsed.parts()[0].body(), clash.as_bytes());
}

#[test]
fn builder_refusals() {
    use MultipartBuildError as E;
    assert_eq!(MultipartBuilder::new("b").build(), Err(E::NoParts));
    assert!(matches!(
        MultipartBuilder::new("").part("text/plain", "x").build(),
        Err(E::InvalidBoundary(_))
    ));
    assert!(matches!(
        MultipartBuilder::new("trailing ")
            .part("text/plain", "x")
            .build(),
        Err(E::InvalidBoundary(_))
    ));
    assert!(matches!(
        MultipartBuilder::new("semi;colon")
            .part("text/plain", "x")
            .build(),
        Err(E::InvalidBoundary(_))
    ));
    assert!(matches!(
        MultipartBuilder::new("b")
            .part("text/plain", "a\r\n--b\r\n")
            .build(),
        Err(E::BoundaryInContent(_))
    ));
    assert!(matches!(
        MultipartBuilder::new("b")
            .part("text/plain\r\nX: y", "x")
            .build(),
        Err(E::InvalidHeader(_))
    ));
    assert!(matches!(
        MultipartBuilder::new("b")
            .subtype("a/b")
            .part("text/plain", "x")
            .build(),
        Err(E::InvalidSubtype(_))
    ));
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever the parts, a built body parses back to the same parts.
        #[test]
        fn built_bodies_parse_back(
            seed in any::<u64>(),
            bodies in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 1..6),
        ) {
            let mut builder = MultipartBuilder::with_seed(seed);
            for body in &bodies {
                builder = builder.part("application/octet-stream", body.clone());
            }
            let built = builder.build().unwrap();
            let parsed = parse(&built.body, &built.boundary).unwrap();
            let got: Vec<&[u8]> = parsed.parts().iter().map(|p| p.body()).collect();
            let want: Vec<&[u8]> = bodies.iter().map(Vec::as_slice).collect();
            prop_assert_eq!(got, want);
        }

        /// No input makes the parser panic.
        #[test]
        fn arbitrary_bodies_do_not_panic(
            body in proptest::collection::vec(
                prop_oneof![
                    Just(b"--b".to_vec()),
                    Just(b"\r\n".to_vec()),
                    Just(b"--".to_vec()),
                    Just(b"Content-Type: multipart/mixed;boundary=b\r\n".to_vec()),
                    Just(b": ".to_vec()),
                    proptest::collection::vec(any::<u8>(), 0..4),
                ],
                0..40,
            ),
        ) {
            let body = body.concat();
            let _ = parse(&body, "b");
        }
    }
}
