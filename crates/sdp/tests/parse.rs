//! The parser and printer: real descriptions, tolerance, typed attributes,
//! and clear errors for malformed input.

use std::net::{IpAddr, Ipv4Addr};

use sdp::attr::{Candidate, Crypto, Fmtp, Rtcp, Rtpmap, Ssrc};
use sdp::{BandwidthType, Direction, ParseErrorKind, SessionDescription};

const PJSUA2_OFFER: &str = include_str!("data/pjsua2-offer.sdp");
const PJSUA2_ANSWER: &str = include_str!("data/pjsua2-answer.sdp");
const PJSUA2_HOLD: &str = include_str!("data/pjsua2-hold-offer.sdp");
const PJSUA2_INACTIVE: &str = include_str!("data/pjsua2-hold-inactive.sdp");

fn parse(text: &str) -> SessionDescription {
    SessionDescription::parse_str(text).expect("parses")
}

fn err(text: &str) -> (usize, ParseErrorKind) {
    let e = SessionDescription::parse_str(text).expect_err("refused");
    (e.line, e.kind)
}

#[test]
fn pjsua2_offer_parses_and_prints_back_byte_for_byte() {
    let sdp = parse(PJSUA2_OFFER);
    assert_eq!(sdp.to_string(), PJSUA2_OFFER);
    assert_eq!(sdp.origin.username, "-");
    assert_eq!(sdp.origin.session_id, 4_004_924_517);
    assert_eq!(sdp.origin.session_version, 4_004_924_517);
    assert_eq!(sdp.session_name, "pjmedia");
    assert_eq!(sdp.bandwidths[0].kind, BandwidthType::As);
    assert_eq!(sdp.bandwidths[0].value, 84);
    assert_eq!(sdp.attribute("X-nat").map(|a| a.value_str()), Some("0"));
    let m = &sdp.media[0];
    assert_eq!(
        (m.media.as_str(), m.port, m.protocol.as_str()),
        ("audio", 4000, "RTP/AVP")
    );
    assert_eq!(
        m.formats,
        [
            "96", "97", "98", "99", "3", "0", "8", "9", "120", "121", "122"
        ]
    );
    assert_eq!(m.rtpmap(99), Some(Rtpmap::new(99, "iLBC", 8000, None)));
    assert_eq!(
        m.fmtp(99).and_then(|f| f.get("mode").map(str::to_owned)),
        Some("30".into())
    );
    assert_eq!(m.rtpmap(120).map(|r| r.clock_rate), Some(16000));
    assert_eq!(m.fmtp(121).map(|f| f.params), Some("0-16".into()));
    let rtcp = m.rtcp().expect("a=rtcp");
    assert_eq!(rtcp.port, 4001);
    assert_eq!(
        rtcp.connection.and_then(|c| c.ip()),
        Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
    );
    assert_eq!(m.bandwidths[0].kind, BandwidthType::Tias);
    assert_eq!(m.bandwidths[0].value, 64000);
    let ssrc: Vec<Ssrc> = m.ssrcs().collect();
    assert_eq!(ssrc[0].id, 1_026_759_713);
    assert_eq!(ssrc[0].attribute, "cname");
    assert_eq!(m.direction(), Some(Direction::SendRecv));
    assert_eq!(
        sdp.media_connection(0).and_then(|c| c.ip()),
        Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
    );
}

#[test]
fn pjsua2_answer_and_holds_round_trip() {
    for text in [PJSUA2_ANSWER, PJSUA2_HOLD, PJSUA2_INACTIVE] {
        assert_eq!(parse(text).to_string(), text);
    }
    assert_eq!(
        parse(PJSUA2_HOLD).media_direction(0),
        Some(Direction::SendOnly)
    );
    assert_eq!(
        parse(PJSUA2_INACTIVE).media_direction(0),
        Some(Direction::Inactive)
    );
    assert_eq!(parse(PJSUA2_ANSWER).media[0].formats, ["96", "120"]);
}

#[test]
fn bare_lf_trailing_whitespace_and_blank_lines_are_tolerated() {
    let text = "v=0\no=- 1 2 IN IP4 192.0.2.1  \ns=-\t\n\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0\n\n";
    let sdp = parse(text);
    assert_eq!(sdp.origin.address, "192.0.2.1");
    assert_eq!(sdp.session_name, "-");
    assert_eq!(sdp.media[0].formats, ["0"]);
    assert_eq!(
        sdp.to_string(),
        "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
    );
}

#[test]
fn canonical_order_and_unknown_lines_are_kept() {
    // Out of RFC 8866 order, with unknown types at both levels.
    let text = "v=0\r\no=alice 1 1 IN IP4 h\r\ns=x\r\nt=0 0\r\nr=7d 1h 0 25h\r\nx=extension\r\nc=IN IP4 224.2.1.1/127/3\r\n\
                i=info\r\ne=a@b.c\r\np=+1 555\r\nu=http://x/\r\nz=2882844526 -1h\r\nk=prompt\r\na=recvonly\r\n\
                m=audio 49170/2 RTP/AVP 0\r\ny=media extension\r\na=ptime:20\r\ni=m info\r\nk=clear:x\r\nb=AS:64\r\n";
    let sdp = parse(text);
    assert_eq!(sdp.times[0].repeats, ["7d 1h 0 25h"]);
    assert_eq!(sdp.other_lines[0].kind, 'x');
    assert_eq!(sdp.media[0].port_count, Some(2));
    assert_eq!(sdp.media[0].other_lines[0].value, "media extension");
    assert_eq!(sdp.media_direction(0), Some(Direction::RecvOnly));
    assert_eq!(
        sdp.connection.as_ref().and_then(|c| c.ip()),
        "224.2.1.1".parse().ok()
    );
    let printed = sdp.to_string();
    assert_eq!(
        printed,
        "v=0\r\no=alice 1 1 IN IP4 h\r\ns=x\r\ni=info\r\nu=http://x/\r\ne=a@b.c\r\np=+1 555\r\n\
         c=IN IP4 224.2.1.1/127/3\r\nt=0 0\r\nr=7d 1h 0 25h\r\nz=2882844526 -1h\r\nk=prompt\r\na=recvonly\r\n\
         x=extension\r\nm=audio 49170/2 RTP/AVP 0\r\ni=m info\r\nb=AS:64\r\nk=clear:x\r\na=ptime:20\r\n\
         y=media extension\r\n"
    );
    assert_eq!(parse(&printed), sdp);
    assert_eq!(parse(&printed).to_string(), printed);
}

#[test]
fn typed_attributes() {
    let text = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n\
        m=audio 9 UDP/TLS/RTP/SAVP 111 0\r\nc=IN IP6 2001:db8::1\r\n\
        a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10; useinbandfec=1\r\n\
        a=ptime:20\r\na=maxptime:120\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=rtcp-mux\r\na=mid:audio0\r\n\
        a=ssrc:42 msid:stream track\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 UNENCRYPTED_SRTCP\r\n\
        a=candidate:1 1 UDP 2130706431 10.0.0.1 8998 typ host generation 0\r\n\
        a=ice-ufrag:F7gI\r\na=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\na=setup:actpass\r\n\
        a=fingerprint:sha-256 AB:CD\r\na=sendonly\r\n";
    let sdp = parse(text);
    let m = &sdp.media[0];
    assert_eq!(
        m.rtpmap(111),
        Some(Rtpmap::new(111, "opus", 48000, Some(2)))
    );
    let fmtp = m.fmtp(111).expect("fmtp");
    assert_eq!(
        fmtp.parameters().collect::<Vec<_>>(),
        [("minptime", Some("10")), ("useinbandfec", Some("1"))]
    );
    assert_eq!(fmtp.get("USEINBANDFEC"), Some("1"));
    assert_eq!((m.ptime(), m.maxptime()), (Some(20), Some(120)));
    assert_eq!(m.rtcp().map(|r| r.port), Some(9));
    assert!(m.rtcp_mux());
    assert_eq!(m.mid(), Some("audio0"));
    assert_eq!(
        m.ssrcs().next().and_then(|s| s.value),
        Some("stream track".into())
    );
    let crypto: Crypto = m.cryptos().next().expect("crypto");
    assert_eq!(
        (crypto.tag, crypto.suite.as_str()),
        (1, "AES_CM_128_HMAC_SHA1_80")
    );
    assert_eq!(
        crypto.inline_keys().collect::<Vec<_>>(),
        ["WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"]
    );
    assert_eq!(crypto.session_params, ["UNENCRYPTED_SRTCP"]);
    let cand: Candidate = m.candidates().next().expect("candidate");
    assert_eq!(
        (cand.component, cand.port, cand.kind.as_str()),
        (1, 8998, "host")
    );
    assert_eq!(cand.rest, "generation 0");
    assert_eq!(
        (m.ice_ufrag(), m.ice_pwd()),
        (Some("F7gI"), Some("x9cml/YzichV2+XlhiMu8g"))
    );
    assert_eq!(
        (m.setup(), m.fingerprint()),
        (Some("actpass"), Some("sha-256 AB:CD"))
    );
    assert_eq!(m.direction(), Some(Direction::SendOnly));
    assert!(m.is_rtp());
    assert_eq!(sdp.to_string(), text);
    // The typed values print back to the attribute they came from.
    for a in &m.attributes {
        let v = a.value_str();
        let reprinted = match a.name.as_str() {
            "rtpmap" => Rtpmap::parse(v).map(|x| x.to_string()),
            "rtcp" => Rtcp::parse(v).map(|x| x.to_string()),
            "ssrc" => Ssrc::parse(v).map(|x| x.to_string()),
            "crypto" => Crypto::parse(v).map(|x| x.to_string()),
            "candidate" => Candidate::parse(v).map(|x| x.to_string()),
            _ => continue,
        };
        assert_eq!(reprinted.as_deref(), Ok(v), "{a}");
    }
    assert_eq!(
        Fmtp::parse("101 0-16").map(|f| f.get("0-16").is_none()),
        Ok(true)
    );
}

#[test]
fn session_level_direction_is_the_default() {
    let sdp = parse(
        "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\na=inactive\r\nm=audio 1 RTP/AVP 0\r\nm=audio 2 RTP/AVP 0\r\na=sendonly\r\n",
    );
    assert_eq!(sdp.media_direction(0), Some(Direction::Inactive));
    assert_eq!(sdp.media_direction(1), Some(Direction::SendOnly));
    assert_eq!(sdp.media_direction(2), None);
}

#[test]
fn malformed_inputs_say_where_and_what() {
    let base = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n";
    let cases: Vec<(String, usize, ParseErrorKind)> = vec![
        ("".into(), 0, ParseErrorKind::Empty),
        ("\r\n\r\n".into(), 0, ParseErrorKind::Empty),
        ("v=1\r\n".into(), 1, ParseErrorKind::BadVersion),
        ("o=- 1 1 IN IP4 h\r\n".into(), 1, ParseErrorKind::BadVersion),
        (
            "v=0\r\ns=-\r\nt=0 0\r\n".into(),
            3,
            ParseErrorKind::Missing('o'),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n".into(),
            4,
            ParseErrorKind::Missing('s'),
        ),
        (
            "v=0\r\no=- x 1 IN IP4 h\r\n".into(),
            2,
            ParseErrorKind::Malformed {
                line_type: 'o',
                what: "sess-id is not a 64-bit number",
            },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4\r\n".into(),
            2,
            ParseErrorKind::Malformed {
                line_type: 'o',
                what: "missing unicast-address",
            },
        ),
        (
            "v=0\r\no=- 1 18446744073709551616 IN IP4 h\r\n".into(),
            2,
            ParseErrorKind::Malformed {
                line_type: 'o',
                what: "sess-version is not a 64-bit number",
            },
        ),
        (
            format!("{base}o=- 1 1 IN IP4 h\r\n"),
            5,
            ParseErrorKind::Duplicate('o'),
        ),
        (
            format!("{base}s=again\r\n"),
            5,
            ParseErrorKind::Duplicate('s'),
        ),
        (
            format!("{base}c=IN IP4\r\n"),
            5,
            ParseErrorKind::Malformed {
                line_type: 'c',
                what: "missing connection-address",
            },
        ),
        (
            format!("{base}b=AS64\r\n"),
            5,
            ParseErrorKind::Malformed {
                line_type: 'b',
                what: "missing `:`",
            },
        ),
        (
            format!("{base}b=AS:lots\r\n"),
            5,
            ParseErrorKind::Malformed {
                line_type: 'b',
                what: "bandwidth is not a number",
            },
        ),
        (
            format!("{base}t=0\r\n"),
            5,
            ParseErrorKind::Malformed {
                line_type: 't',
                what: "missing stop-time",
            },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nr=1 2 3\r\n".into(),
            4,
            ParseErrorKind::RepeatWithoutTime,
        ),
        (
            format!("{base}m=audio\r\n"),
            5,
            ParseErrorKind::Malformed {
                line_type: 'm',
                what: "missing port",
            },
        ),
        (
            format!("{base}m=audio 70000 RTP/AVP 0\r\n"),
            5,
            ParseErrorKind::Malformed {
                line_type: 'm',
                what: "port is not a number 0-65535",
            },
        ),
        (
            format!("{base}m=audio 1/x RTP/AVP 0\r\n"),
            5,
            ParseErrorKind::Malformed {
                line_type: 'm',
                what: "number of ports is not a number",
            },
        ),
        (
            format!("{base}m=audio 1\r\n"),
            5,
            ParseErrorKind::Malformed {
                line_type: 'm',
                what: "missing protocol",
            },
        ),
        (
            format!("{base}m=audio 1 RTP/AVP 0\r\ni=a\r\ni=b\r\n"),
            7,
            ParseErrorKind::Duplicate('i'),
        ),
        (
            format!("{base}a=\r\n"),
            5,
            ParseErrorKind::Malformed {
                line_type: 'a',
                what: "attribute name is not a token",
            },
        ),
        (
            format!("{base}a=bad name:x\r\n"),
            5,
            ParseErrorKind::Malformed {
                line_type: 'a',
                what: "attribute name is not a token",
            },
        ),
        (format!("{base}garbage\r\n"), 5, ParseErrorKind::NotALine),
        (format!("{base}=x\r\n"), 5, ParseErrorKind::NotALine),
        (format!("{base}1=x\r\n"), 5, ParseErrorKind::NotALine),
    ];
    for (text, line, kind) in cases {
        assert_eq!(err(&text), (line, kind), "{text:?}");
    }
    let e =
        SessionDescription::parse(b"v=0\r\no=- 1 1 IN IP4 h\r\ns=\xff\r\n").expect_err("not UTF-8");
    assert_eq!((e.line, e.kind.clone()), (3, ParseErrorKind::NotUtf8));
    assert_eq!(e.to_string(), "SDP line 3: not UTF-8");
}

#[test]
fn limits_bound_the_work() {
    let big = "a=x\r\n".repeat(sdp::MAX_LINES);
    let text = format!("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\n{big}");
    assert_eq!(err(&text).1, ParseErrorKind::TooManyLines(sdp::MAX_LINES));
    let long = format!(
        "v=0\r\no=- 1 1 IN IP4 h\r\ns={}\r\n",
        "x".repeat(sdp::MAX_LINE_LEN)
    );
    assert_eq!(
        err(&long),
        (3, ParseErrorKind::LineTooLong(sdp::MAX_LINE_LEN))
    );
    let huge = vec![b'v'; sdp::MAX_SDP_LEN + 1];
    assert_eq!(
        SessionDescription::parse(&huge).map_err(|e| e.kind),
        Err(ParseErrorKind::TooLong(sdp::MAX_SDP_LEN))
    );
}

#[test]
fn missing_time_and_empty_name_are_tolerated() {
    let sdp = parse("v=0\r\no=- 1 1 IN IP4 h\r\ns=\r\nm=audio 0 RTP/AVP\r\n");
    assert!(sdp.times.is_empty());
    assert_eq!(sdp.session_name, "");
    assert!(sdp.media[0].formats.is_empty());
    assert_eq!(
        sdp.to_string(),
        "v=0\r\no=- 1 1 IN IP4 h\r\ns=\r\nm=audio 0 RTP/AVP\r\n"
    );
}
