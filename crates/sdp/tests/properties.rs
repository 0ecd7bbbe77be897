//! Properties: the parser never panics; what parses prints to text that
//! parses to the same description and prints identically; negotiation
//! keeps the offer's lines and only agrees on codecs both sides have.

use std::net::IpAddr;

use proptest::prelude::*;
use sdp::SessionDescription;
use sdp::neg::{Capabilities, Codec, LocalMedia, NegotiatedMedia, Negotiator, NegotiatorOptions};

/// Session-level lines, valid and not.
fn session_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("i=some info".to_owned()),
        Just("u=http://example.com/x".to_owned()),
        "e=[a-z]{1,5}@[a-z]{1,5}\\.com",
        "p=\\+1 [0-9]{3}",
        "c=IN IP[46] [0-9a-f.:]{1,15}(/[0-9]{1,3}){0,2}",
        "b=(AS|CT|TIAS|RR|RS|X-[A-Z]{1,3}):[0-9]{1,6}",
        "t=[0-9]{1,10} [0-9]{1,10}",
        "r=[0-9a-z ]{1,12}",
        "z=[0-9 -h]{1,12}",
        "k=(prompt|clear:[a-z]{1,6})",
        attribute(),
        "[xyw]=[ -~]{0,10}",
        "[ -~]{0,12}",
    ]
}

fn attribute() -> impl Strategy<Value = String> {
    prop_oneof![
        "a=(sendrecv|sendonly|recvonly|inactive|rtcp-mux)",
        "a=rtpmap:[0-9]{1,3} [A-Za-z0-9-]{1,8}/[0-9]{1,6}(/[0-9])?",
        "a=fmtp:[0-9]{1,3} [ -~]{0,20}",
        "a=ptime:[0-9]{1,3}",
        "a=rtcp:[0-9]{1,5}( IN IP4 [0-9.]{7,15})?",
        "a=ssrc:[0-9]{1,10} cname:[a-z0-9]{1,8}",
        "a=candidate:[0-9] 1 UDP [0-9]{1,10} [0-9.]{7,15} [0-9]{1,5} typ host",
        "a=[a-zA-Z-]{1,10}(:[ -~]{0,16})?",
    ]
}

fn media_section() -> impl Strategy<Value = String> {
    (
        "m=(audio|video|application|[a-z]{1,6}) [0-9]{1,5}(/[0-9])? (RTP/AVP|RTP/SAVP|RTP/AVPF|UDP/TLS/RTP/SAVP|UDP/BFCP)( [0-9*]{1,3}){0,5}",
        prop::collection::vec(
            prop_oneof![
                3 => attribute(),
                1 => "c=IN IP4 [0-9.]{7,15}",
                1 => "b=TIAS:[0-9]{1,6}",
                1 => Just("i=media".to_owned()),
                1 => "[yz]=[ -~]{0,8}",
            ],
            0..8,
        ),
    )
        .prop_map(|(m, lines)| {
            let mut s = m;
            for l in lines {
                s.push_str("\r\n");
                s.push_str(&l);
            }
            s
        })
}

/// SDP-like text: mostly valid, sometimes not; CRLF or LF, trailing
/// whitespace here and there.
fn sdp_text() -> impl Strategy<Value = String> {
    (
        "o=[a-z-]{1,6} [0-9]{1,20} [0-9]{1,20} IN IP4 [0-9a-z.]{1,15}",
        "s=[ -~]{0,10}",
        prop::collection::vec(session_line(), 0..8),
        prop::collection::vec(media_section(), 0..4),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(o, s, lines, media, lf, trailing)| {
            let mut all = vec!["v=0".to_owned(), o, s];
            all.extend(lines);
            all.extend(media);
            let end = if lf { "\n" } else { "\r\n" };
            let pad = if trailing { " \t" } else { "" };
            all.iter()
                .map(|l| format!("{}{pad}{end}", l.replace("\r\n", end)))
                .collect()
        })
}

fn check_round_trip(sdp: &SessionDescription) {
    let printed = sdp.to_string();
    let again = SessionDescription::parse_str(&printed).expect("printed output parses");
    assert_eq!(&again, sdp, "parse(print(x)) == x");
    assert_eq!(
        again.to_string(),
        printed,
        "print(parse(print(x))) == print(x)"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(sdp) = SessionDescription::parse(&bytes) {
            check_round_trip(&sdp);
        }
    }

    #[test]
    fn printed_output_is_a_fixed_point(text in sdp_text()) {
        if let Ok(sdp) = SessionDescription::parse_str(&text) {
            check_round_trip(&sdp);
        }
    }

    #[test]
    fn answers_keep_lines_and_agree_on_shared_codecs(text in sdp_text(), multiple: bool, remote_order: bool) {
        let Ok(offer) = SessionDescription::parse_str(&text) else { return Ok(()) };
        let ip: IpAddr = "10.0.0.1".parse().expect("IP");
        let codecs = vec![
            Codec::new(0, "PCMU", 8000),
            Codec::new(8, "PCMA", 8000),
            Codec::new(97, "iLBC", 8000),
            Codec::new(101, "opus", 48000).with_channels(2),
        ];
        let caps = Capabilities::new(ip, vec![
            LocalMedia::audio(ip, 4000, codecs.clone()),
            LocalMedia::video(ip, 4002, vec![Codec::new(31, "H261", 90000)]),
        ]);
        let options = NegotiatorOptions {
            answer_multiple_codecs: multiple,
            prefer_remote_codec_order: remote_order,
            ..Default::default()
        };
        let mut n = Negotiator::new(caps, options, 1, 1);
        let Ok((answer, session)) = n.answer_offer(&offer) else { return Ok(()) };
        let session = session.clone();
        prop_assert_eq!(answer.media.len(), offer.media.len());
        for (i, (a, o)) in answer.media.iter().zip(&offer.media).enumerate() {
            prop_assert_eq!(&a.media, &o.media);
            let NegotiatedMedia::Active(m) = &session.media[i] else { continue };
            for c in std::iter::once(&m.codec).chain(&m.other_codecs) {
                prop_assert!(o.payload_types().any(|pt| pt == c.pt.tx), "codec offered");
                prop_assert!(a.payload_types().any(|pt| pt == c.pt.rx), "codec answered");
                let ours = codecs.iter().chain([&Codec::new(31, "H261", 90000)]).any(|x| {
                    x.same_format(&c.encoding, c.clock_rate, c.channels)
                });
                prop_assert!(ours, "codec is ours");
            }
        }
        check_round_trip(&answer);
    }
}
