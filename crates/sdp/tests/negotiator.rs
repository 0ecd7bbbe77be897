//! The negotiator's rules, one at a time.

use std::net::{IpAddr, SocketAddr};

use sdp::neg::{
    ActiveMedia, Capabilities, Codec, LocalMedia, NegState, NegotiatedMedia, NegotiationError,
    Negotiator, NegotiatorOptions,
};
use sdp::{Direction, SessionDescription};

fn ip(s: &str) -> IpAddr {
    s.parse().expect("IP")
}

fn p(text: &str) -> SessionDescription {
    SessionDescription::parse_str(text).expect("parses")
}

/// PJSUA2's default audio codecs (the order of its SDP: speex 16k/8k/32k,
/// iLBC, GSM, PCMU, PCMA, G722) minus those we lack, plus Opus.
fn our_codecs() -> Vec<Codec> {
    vec![
        Codec::new(111, "opus", 48000)
            .with_channels(2)
            .with_fmtp("useinbandfec=1"),
        Codec::new(9, "G722", 8000),
        Codec::new(0, "PCMU", 8000),
        Codec::new(8, "PCMA", 8000),
        Codec::new(96, "L16", 16000),
    ]
}

fn local(port: u16) -> LocalMedia {
    LocalMedia::audio(ip("10.0.0.1"), port, our_codecs())
}

fn neg_with(media: Vec<LocalMedia>, options: NegotiatorOptions) -> Negotiator {
    Negotiator::new(Capabilities::new(ip("10.0.0.1"), media), options, 7, 100)
}

fn neg() -> Negotiator {
    neg_with(vec![local(4000)], NegotiatorOptions::default())
}

fn active(n: &Negotiator, i: usize) -> ActiveMedia {
    match n.active().map(|s| s.media[i].clone()) {
        Some(NegotiatedMedia::Active(a)) => *a,
        other => panic!("line {i} not active: {other:?}"),
    }
}

/// A peer's offer: one audio line with these formats and extra lines.
fn offer(formats: &str, extra: &str) -> SessionDescription {
    p(&format!(
        "v=0\r\no=peer 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n\
         m=audio 5000 RTP/AVP {formats}\r\n{extra}"
    ))
}

/// Two negotiators talk: `a` offers, `b` answers, `a` takes the answer.
fn exchange(a: &mut Negotiator, b: &mut Negotiator, offer: SessionDescription) {
    let (answer, _) = b.answer_offer(&offer).expect("b answers");
    a.receive_answer(&answer).expect("a takes the answer");
}

#[test]
fn initial_offer_like_pjsua2() {
    let mut n = neg();
    let o = n.create_offer().expect("offer");
    assert_eq!(n.state(), NegState::LocalOffer);
    assert_eq!((o.origin.session_id, o.origin.session_version), (7, 100));
    let m = &o.media[0];
    // Codecs in priority order, telephone-event once per clock rate
    // (48000, 8000, 16000) from 120 up, as PJSIP.
    assert_eq!(m.formats, ["111", "9", "0", "8", "96", "120", "121", "122"]);
    assert_eq!(
        m.rtpmap(111).map(|r| r.to_string()),
        Some("111 opus/48000/2".into())
    );
    assert_eq!(m.rtpmap(120).map(|r| r.clock_rate), Some(48000));
    assert_eq!(m.rtpmap(121).map(|r| r.clock_rate), Some(8000));
    assert_eq!(m.fmtp(122).map(|f| f.params), Some("0-16".into()));
    assert_eq!(m.direction(), Some(Direction::SendRecv));
    assert!(m.rtcp().is_none(), "RTCP on RTP + 1 needs no a=rtcp");
    assert_eq!(
        o.connection.as_ref().and_then(|c| c.ip()),
        Some(ip("10.0.0.1"))
    );
    // It prints and parses back to itself.
    assert_eq!(p(&o.to_string()), o);
}

#[test]
fn answer_prefers_remote_order_and_one_codec_by_default() {
    let mut n = neg();
    let o = offer(
        "8 0 9 101",
        "a=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n",
    );
    let (answer, _) = n.answer_offer(&o).expect("answer");
    assert_eq!(answer.media[0].formats, ["8", "101"]);
    let a = active(&n, 0);
    assert_eq!(a.codec.encoding, "PCMA");
    assert!(a.other_codecs.is_empty());
    assert_eq!(a.telephone_event.map(|t| (t.tx, t.rx)), Some((101, 101)));
    assert_eq!(a.remote_rtp, Some(SocketAddr::new(ip("192.0.2.9"), 5000)));
    assert_eq!(a.remote_rtcp, Some(SocketAddr::new(ip("192.0.2.9"), 5001)));
    assert_eq!(a.local_rtp, SocketAddr::new(ip("10.0.0.1"), 4000));
    assert_eq!(a.local_rtcp, SocketAddr::new(ip("10.0.0.1"), 4001));
    assert!(a.sends() && a.receives());
    assert_eq!(answer.origin.session_version, 100);

    // Our order instead, with every common codec.
    let options = NegotiatorOptions {
        prefer_remote_codec_order: false,
        answer_multiple_codecs: true,
        ..Default::default()
    };
    let mut n = neg_with(vec![local(4000)], options);
    let (answer, _) = n.answer_offer(&o).expect("answer");
    assert_eq!(answer.media[0].formats, ["9", "0", "8", "101"]);
    let a = active(&n, 0);
    assert_eq!(a.codec.encoding, "G722");
    assert_eq!(a.other_codecs.len(), 2);
}

#[test]
fn codec_match_is_by_name_case_rate_and_channels_static_by_number() {
    let mut n = neg();
    // pcmu in lower case; L16 at the wrong rate; opus mono (wrong
    // channels); static 0 without rtpmap.
    let o = offer(
        "97 98 99 0",
        "a=rtpmap:97 L16/8000\r\na=rtpmap:98 opus/48000\r\na=rtpmap:99 pcmu/8000\r\n",
    );
    let (answer, _) = n.answer_offer(&o).expect("answer");
    assert_eq!(answer.media[0].formats, ["99"]);
    assert_eq!(active(&n, 0).codec.encoding, "pcmu");
    let mut n = neg();
    let (answer, _) = n
        .answer_offer(&offer("0", ""))
        .expect("static PT without rtpmap");
    assert_eq!(answer.media[0].formats, ["0"]);
}

#[test]
fn dynamic_payload_types_use_the_offerers_numbers() {
    let mut n = neg();
    let o = offer(
        "100 101",
        "a=rtpmap:100 opus/48000/2\r\na=fmtp:100 stereo=1\r\na=rtpmap:101 telephone-event/48000\r\n",
    );
    let (answer, _) = n.answer_offer(&o).expect("answer");
    assert_eq!(answer.media[0].formats, ["100", "101"]);
    assert_eq!(
        answer.media[0].fmtp(100).map(|f| f.params),
        Some("useinbandfec=1".into())
    );
    let a = active(&n, 0);
    assert_eq!((a.codec.pt.tx, a.codec.pt.rx), (100, 100));
    assert_eq!(a.codec.remote_fmtp.as_deref(), Some("stereo=1"));
    // Our re-offer keeps 100 for opus and 101 for its telephone-event.
    let re = n.create_offer().expect("re-offer");
    assert_eq!(
        re.media[0].rtpmap(100).map(|r| r.encoding),
        Some("opus".into())
    );
    assert_eq!(re.media[0].rtpmap(101).map(|r| r.clock_rate), Some(48000));
    assert!(
        re.media[0].rtpmap(111).is_none(),
        "111 is not reused for anything"
    );
    let pts: Vec<u8> = re.media[0].payload_types().collect();
    let mut unique = pts.clone();
    unique.dedup();
    assert_eq!(pts.len(), unique.len());
}

#[test]
fn telephone_event_only_at_the_chosen_codecs_rate() {
    let te = "a=rtpmap:9 G722/8000\r\na=rtpmap:96 L16/16000\r\na=rtpmap:101 telephone-event/8000\r\na=rtpmap:102 telephone-event/16000\r\n";
    // L16/16000 first: the 16 kHz telephone-event goes with it.
    let mut n = neg();
    let (answer, _) = n.answer_offer(&offer("96 9 101 102", te)).expect("answer");
    assert_eq!(answer.media[0].formats, ["96", "102"]);
    assert_eq!(active(&n, 0).telephone_event.map(|t| t.tx), Some(102));
    // G722 (RTP clock 8000) first: the 8 kHz one.
    let mut n = neg();
    let (answer, _) = n.answer_offer(&offer("9 96 101 102", te)).expect("answer");
    assert_eq!(answer.media[0].formats, ["9", "101"]);
    // Only a 16 kHz telephone-event with an 8 kHz codec: none.
    let mut n = neg();
    let (answer, _) = n.answer_offer(&offer("0 102", te)).expect("answer");
    assert_eq!(answer.media[0].formats, ["0"]);
    assert_eq!(active(&n, 0).telephone_event, None);
    // We without telephone-event: never answered.
    let mut lm = local(4000);
    lm.telephone_event = false;
    let mut n = neg_with(vec![lm], NegotiatorOptions::default());
    let (answer, _) = n.answer_offer(&offer("9 101", te)).expect("answer");
    assert_eq!(answer.media[0].formats, ["9"]);
}

#[test]
fn fmtp_check_hook() {
    fn only_stereo(c: &Codec, f: Option<&sdp::attr::Fmtp>) -> bool {
        !c.encoding.eq_ignore_ascii_case("opus") || f.and_then(|f| f.get("stereo")) == Some("1")
    }
    let options = NegotiatorOptions {
        fmtp_check: only_stereo,
        ..Default::default()
    };
    let o = offer(
        "100 0",
        "a=rtpmap:100 opus/48000/2\r\na=fmtp:100 stereo=0\r\n",
    );
    let mut n = neg_with(vec![local(4000)], options);
    let (answer, _) = n.answer_offer(&o).expect("answer");
    assert_eq!(answer.media[0].formats, ["0"], "opus refused by the hook");
    // The default hook: AMR's octet-align must agree.
    let amr = Codec::new(98, "AMR", 8000).with_fmtp("octet-align=1");
    let mut n = neg_with(
        vec![LocalMedia::audio(ip("10.0.0.1"), 4000, vec![amr])],
        NegotiatorOptions::default(),
    );
    let err = n
        .answer_offer(&offer("97", "a=rtpmap:97 AMR/8000\r\n"))
        .expect_err("bandwidth-efficient vs octet-aligned");
    assert!(matches!(err, NegotiationError::NotAcceptable(_)));
    let ok = n.answer_offer(&offer(
        "97",
        "a=rtpmap:97 AMR/8000\r\na=fmtp:97 mode-set=7; octet-align=1\r\n",
    ));
    assert!(ok.is_ok());
}

#[test]
fn no_common_codec_is_not_acceptable_and_keeps_the_session() {
    let mut n = neg();
    let err = n
        .answer_offer(&offer("18", "a=rtpmap:18 G729/8000\r\n"))
        .expect_err("488");
    assert!(matches!(err, NegotiationError::NotAcceptable(_)));
    assert_eq!(err.sip_status(), 488);
    assert_eq!(n.state(), NegState::Null);
    // With a session, a bad re-offer leaves it as it was.
    n.answer_offer(&offer("0", "")).expect("answer");
    let before = n.active().cloned();
    n.answer_offer(&offer("18", "")).expect_err("488");
    assert_eq!(n.state(), NegState::Done);
    assert_eq!(n.active().cloned(), before);
}

#[test]
fn several_lines_second_audio_and_video_rejected_in_place() {
    let o = p(
        "v=0\r\no=peer 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n\
        m=audio 5000 RTP/AVP 0\r\nm=video 5002 RTP/AVP 31\r\nm=audio 5004 RTP/AVP 8\r\n\
        m=audio 5006 RTP/SAVP 0\r\nm=application 5008 UDP/BFCP *\r\nm=audio 0 RTP/AVP 0\r\n",
    );
    // One audio capability: the first audio line takes it.
    let mut n = neg();
    let (answer, session) = n.answer_offer(&o).expect("answer");
    let ports: Vec<u16> = answer.media.iter().map(|m| m.port).collect();
    assert_eq!(ports, [4000, 0, 0, 0, 0, 0]);
    let kinds: Vec<&str> = answer.media.iter().map(|m| m.media.as_str()).collect();
    assert_eq!(
        kinds,
        ["audio", "video", "audio", "audio", "application", "audio"]
    );
    assert_eq!(answer.media[1].formats, ["31"]);
    assert_eq!(session.active().count(), 1);
    // Two audio capabilities: two streams; SAVP still refused (no SRTP).
    let mut n = neg_with(vec![local(4000), local(4010)], NegotiatorOptions::default());
    let (answer, _) = n.answer_offer(&o).expect("answer");
    let ports: Vec<u16> = answer.media.iter().map(|m| m.port).collect();
    assert_eq!(ports, [4000, 0, 4010, 0, 0, 0]);
    assert_eq!(
        active(&n, 2).remote_rtp,
        Some(SocketAddr::new(ip("192.0.2.9"), 5004))
    );
    // A re-offer keeps every line, in place.
    let re = n.create_offer().expect("re-offer");
    let ports: Vec<u16> = re.media.iter().map(|m| m.port).collect();
    assert_eq!(ports, [4000, 0, 4010, 0, 0, 0]);
    // AVPF is answered like AVP.
    let mut n = neg();
    let (answer, _) = n.answer_offer(&p("v=0\r\no=p 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 5000 RTP/AVPF 0\r\n")).expect("answer");
    assert_eq!(
        (answer.media[0].port, answer.media[0].protocol.as_str()),
        (4000, "RTP/AVPF")
    );
}

#[test]
fn directions_answered_per_rfc_3264() {
    let cases = [
        ("a=sendonly\r\n", Direction::RecvOnly),
        ("a=recvonly\r\n", Direction::SendOnly),
        ("a=inactive\r\n", Direction::Inactive),
        ("a=sendrecv\r\n", Direction::SendRecv),
        ("", Direction::SendRecv),
    ];
    for (attr, want) in cases {
        let mut n = neg();
        let (answer, _) = n.answer_offer(&offer("0", attr)).expect("answer");
        assert_eq!(answer.media_direction(0), Some(want), "{attr:?}");
        assert_eq!(active(&n, 0).direction, want);
    }
    // Session-level a=inactive is every line's default.
    let o = p(
        "v=0\r\no=p 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\na=inactive\r\nm=audio 5000 RTP/AVP 0\r\n",
    );
    let mut n = neg();
    let (answer, _) = n.answer_offer(&o).expect("answer");
    assert_eq!(answer.media_direction(0), Some(Direction::Inactive));
    // A capability of recvonly narrows the answer.
    let mut lm = local(4000);
    lm.direction = Direction::RecvOnly;
    let mut n = neg_with(vec![lm], NegotiatorOptions::default());
    let (answer, _) = n.answer_offer(&offer("0", "")).expect("answer");
    assert_eq!(answer.media_direction(0), Some(Direction::RecvOnly));
}

#[test]
fn rfc2543_hold_with_null_address() {
    let o = p(
        "v=0\r\no=p 1 2 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n",
    );
    let mut n = neg();
    let (answer, _) = n.answer_offer(&o).expect("answer");
    assert_eq!(answer.media_direction(0), Some(Direction::RecvOnly));
    let a = active(&n, 0);
    assert!(a.remote_null_address && !a.sends() && a.receives());
}

#[test]
fn hold_unhold_round_trips_and_versions() {
    let mut alice = neg();
    let mut bob = neg_with(vec![local(6000)], NegotiatorOptions::default());
    let o = alice.create_offer().expect("offer");
    exchange(&mut alice, &mut bob, o);
    assert!(active(&alice, 0).sends());

    let hold = alice.hold().expect("hold");
    assert_eq!(hold.origin.session_version, 101);
    assert_eq!(hold.media_direction(0), Some(Direction::SendOnly));
    exchange(&mut alice, &mut bob, hold);
    assert!(alice.local_hold());
    assert_eq!(active(&alice, 0).direction, Direction::SendOnly);
    assert_eq!(active(&bob, 0).direction, Direction::RecvOnly);
    // A plain re-offer (session refresh) stays on hold.
    let refresh = alice.create_offer().expect("refresh");
    assert_eq!(refresh.origin.session_version, 102);
    assert_eq!(refresh.media_direction(0), Some(Direction::SendOnly));
    exchange(&mut alice, &mut bob, refresh);

    // Bob holds too: his offer is sendonly; Alice (on hold) answers inactive.
    let bob_hold = bob.hold().expect("bob holds");
    assert_eq!(
        bob_hold.media_direction(0),
        Some(Direction::Inactive),
        "bob was not sending"
    );
    exchange(&mut bob, &mut alice, bob_hold);
    assert_eq!(active(&alice, 0).direction, Direction::Inactive);

    // Alice unholds while Bob still holds: she offers sendrecv, Bob
    // (on hold) answers sendonly, as PJSUA answers while holding.
    let unhold = alice.unhold().expect("unhold");
    assert_eq!(unhold.media_direction(0), Some(Direction::SendRecv));
    assert_eq!(
        unhold.origin.session_version, 104,
        "the answer to Bob's hold used 103"
    );
    exchange(&mut alice, &mut bob, unhold);
    assert!(!alice.local_hold());
    assert_eq!(active(&alice, 0).direction, Direction::RecvOnly);
    assert_eq!(active(&bob, 0).direction, Direction::SendOnly);
    // Bob unholds: both ways again.
    let bob_unhold = bob.unhold().expect("bob unholds");
    exchange(&mut bob, &mut alice, bob_unhold);
    assert_eq!(active(&alice, 0).direction, Direction::SendRecv);
    assert_eq!(active(&bob, 0).direction, Direction::SendRecv);
}

#[test]
fn hold_when_the_peer_already_holds_is_inactive() {
    let mut n = neg();
    n.answer_offer(&offer("0", "a=sendonly\r\n"))
        .expect("peer holds us");
    let hold = n.hold().expect("hold");
    assert_eq!(hold.media_direction(0), Some(Direction::Inactive));
}

#[test]
fn glare_and_cancel_revert_to_the_last_session() {
    let mut alice = neg();
    let mut bob = neg_with(vec![local(6000)], NegotiatorOptions::default());
    let o = alice.create_offer().expect("offer");
    exchange(&mut alice, &mut bob, o);
    let before = alice.active().cloned();
    let hold = alice.hold().expect("hold");
    // Bob's offer crosses ours: 491.
    let bob_offer = bob.create_offer().expect("bob re-offers");
    let err = alice.receive_offer(&bob_offer).expect_err("glare");
    assert_eq!(err.sip_status(), 491);
    // Our re-INVITE got 491: back to the active session, hold not taken.
    alice.cancel_offer().expect("cancel");
    assert_eq!(alice.state(), NegState::Done);
    assert!(!alice.local_hold());
    assert_eq!(alice.active().cloned(), before);
    // The next offer's version is above the cancelled one's.
    let again = alice.create_offer().expect("offer again");
    assert_eq!(
        again.origin.session_version,
        hold.origin.session_version + 1
    );
    assert_eq!(again.media_direction(0), Some(Direction::SendRecv));
    // Cancelling with nothing pending is a state error.
    alice.cancel_offer().expect("cancel");
    assert!(matches!(
        alice.cancel_offer(),
        Err(NegotiationError::InvalidState { .. })
    ));
    // An initial offer cancelled goes back to Null.
    let mut n = neg();
    n.create_offer().expect("offer");
    n.cancel_offer().expect("cancel");
    assert_eq!(n.state(), NegState::Null);
}

#[test]
fn state_errors() {
    let mut n = neg();
    let answer = offer("0", "");
    assert!(matches!(
        n.receive_answer(&answer),
        Err(NegotiationError::InvalidState { .. })
    ));
    assert!(matches!(
        n.create_answer(),
        Err(NegotiationError::InvalidState { .. })
    ));
    assert!(matches!(
        n.negotiate(),
        Err(NegotiationError::InvalidState { .. })
    ));
    n.receive_offer(&answer).expect("offer");
    assert_eq!(n.state(), NegState::RemoteOffer);
    let e = n.create_offer().expect_err("offer while answering");
    assert_eq!(e.sip_status(), 500);
    n.create_answer().expect("answer");
    assert_eq!(n.state(), NegState::WaitNego);
    n.negotiate().expect("negotiate");
    assert_eq!(n.state(), NegState::Done);
}

#[test]
fn malformed_answers_are_the_answerers_fault() {
    let answer_with = |lines: &str| {
        p(&format!(
            "v=0\r\no=b 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n{lines}"
        ))
    };
    let cases = [
        ("", "0 media lines"),
        (
            "m=audio 5000 RTP/AVP 0\r\nm=audio 5002 RTP/AVP 0\r\n",
            "2 media lines",
        ),
        ("m=video 5000 RTP/AVP 31\r\n", "is video"),
        ("m=audio 5000 RTP/SAVP 0\r\n", "protocol"),
        (
            "m=audio 5000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n",
            "no codec of the answer",
        ),
    ];
    for (lines, what) in cases {
        let mut n = neg();
        n.create_offer().expect("offer");
        let err = n.receive_answer(&answer_with(lines)).expect_err(what);
        match err {
            NegotiationError::MalformedAnswer(text) => assert!(text.contains(what), "{text}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(n.state(), NegState::Null, "back to no session");
    }
    // No address at all.
    let mut n = neg();
    n.create_offer().expect("offer");
    let no_c = p("v=0\r\no=b 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n");
    assert!(matches!(
        n.receive_answer(&no_c),
        Err(NegotiationError::MalformedAnswer(_))
    ));
    // Accepting a line we disabled.
    let mut alice = neg();
    let mut bob = neg_with(vec![local(6000)], NegotiatorOptions::default());
    let two = p(
        "v=0\r\no=p 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\nm=video 5002 RTP/AVP 31\r\n",
    );
    alice.answer_offer(&two).expect("video rejected");
    let re = alice.create_offer().expect("re-offer");
    assert_eq!(re.media[1].port, 0);
    let (mut bad, _) = bob.answer_offer(&re).expect("bob answers");
    bad.media[1].port = 7000;
    let err = alice
        .receive_answer(&bad)
        .expect_err("accepts a disabled line");
    assert!(matches!(err, NegotiationError::MalformedAnswer(_)));
    assert_eq!(alice.state(), NegState::Done);
}

#[test]
fn malformed_offers_are_400() {
    let mut n = neg();
    let no_c = p("v=0\r\no=p 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n");
    let err = n.answer_offer(&no_c).expect_err("no address");
    assert_eq!(err.sip_status(), 400);
    assert_eq!(n.state(), NegState::Null);
    // A re-offer with fewer lines than the session.
    let two = p(
        "v=0\r\no=p 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n",
    );
    n.answer_offer(&two).expect("answer");
    let err = n.answer_offer(&offer("0", "")).expect_err("fewer lines");
    assert!(matches!(err, NegotiationError::MalformedOffer(_)));
    assert_eq!(n.state(), NegState::Done);
}

#[test]
fn rtcp_attribute_and_ptime() {
    let mut lm = local(4000);
    lm.rtcp_port = Some(4005);
    lm.ptime = Some(20);
    lm.tias = Some(64000);
    let mut n = neg_with(vec![lm], NegotiatorOptions::default());
    let o = n.create_offer().expect("offer");
    let m = &o.media[0];
    let rtcp = m.rtcp().expect("a=rtcp when not RTP + 1");
    assert_eq!(rtcp.port, 4005);
    assert_eq!(rtcp.connection.and_then(|c| c.ip()), Some(ip("10.0.0.1")));
    assert_eq!(m.ptime(), Some(20));
    assert_eq!(m.bandwidths[0].value, 64000);
    // The peer's a=rtcp with its own address, and its ptime to send with.
    let answer = p(
        "v=0\r\no=b 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n\
        m=audio 5000 RTP/AVP 0\r\na=rtcp:5011 IN IP4 192.0.2.10\r\na=ptime:30\r\na=maxptime:60\r\nb=TIAS:32000\r\n",
    );
    n.receive_answer(&answer).expect("answer");
    let a = active(&n, 0);
    assert_eq!(a.remote_rtcp, Some(SocketAddr::new(ip("192.0.2.10"), 5011)));
    assert_eq!(a.local_rtcp, SocketAddr::new(ip("10.0.0.1"), 4005));
    assert_eq!(
        (a.send_ptime, a.recv_ptime, a.remote_maxptime),
        (Some(30), Some(20), Some(60))
    );
    assert_eq!(a.remote_tias, Some(32000));
    // a=rtcp with a port only: the RTP address.
    let mut n = neg();
    n.answer_offer(&offer("0", "a=rtcp:5009\r\n"))
        .expect("answer");
    assert_eq!(
        active(&n, 0).remote_rtcp,
        Some(SocketAddr::new(ip("192.0.2.9"), 5009))
    );
}

#[test]
fn rtcp_mux_both_ways() {
    let muxed = |mux: bool| {
        let mut lm = local(4000);
        lm.rtcp_mux = mux;
        neg_with(vec![lm], NegotiatorOptions::default())
    };
    // Offered and accepted.
    let mut n = muxed(true);
    let (answer, _) = n
        .answer_offer(&offer("0", "a=rtcp-mux\r\n"))
        .expect("answer");
    assert!(answer.media[0].rtcp_mux());
    let a = active(&n, 0);
    assert!(a.rtcp_mux);
    assert_eq!(a.remote_rtcp, a.remote_rtp);
    assert_eq!(a.local_rtcp, a.local_rtp);
    // Offered, we do not mux.
    let mut n = muxed(false);
    let (answer, _) = n
        .answer_offer(&offer("0", "a=rtcp-mux\r\n"))
        .expect("answer");
    assert!(!answer.media[0].rtcp_mux());
    assert!(!active(&n, 0).rtcp_mux);
    // We offer it; the answer accepts, or not.
    for accept in [true, false] {
        let mut n = muxed(true);
        let o = n.create_offer().expect("offer");
        assert!(o.media[0].rtcp_mux());
        let extra = if accept { "a=rtcp-mux\r\n" } else { "" };
        let answer = p(&format!(
            "v=0\r\no=b 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n{extra}"
        ));
        n.receive_answer(&answer).expect("answer");
        assert_eq!(active(&n, 0).rtcp_mux, accept);
    }
}

#[test]
fn answer_with_renumbered_payload_types_is_taken() {
    let mut n = neg();
    n.create_offer().expect("offer");
    // The answerer renumbered opus 111 → 104 and telephone-event 120 → 105.
    let answer = p(
        "v=0\r\no=b 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n\
        m=audio 5000 RTP/AVP 104 105\r\na=rtpmap:104 OPUS/48000/2\r\na=rtpmap:105 telephone-event/48000\r\n",
    );
    n.receive_answer(&answer).expect("answer");
    let a = active(&n, 0);
    assert_eq!((a.codec.pt.tx, a.codec.pt.rx), (104, 111));
    assert_eq!(a.telephone_event.map(|t| (t.tx, t.rx)), Some((105, 120)));
    assert_eq!(a.codec.local_fmtp.as_deref(), Some("useinbandfec=1"));
}

#[test]
fn a_replaced_offer_is_what_the_answer_is_checked_against() {
    let (mut a, mut b) = (neg(), neg());
    let mut offer = a.create_offer().expect("offer");
    // The application keeps PCMA only (and telephone-event).
    offer.media[0].formats.retain(|f| f == "8" || f == "121");
    a.replace_local(offer.clone()).expect("replaced");
    assert_eq!(a.pending_local(), Some(&offer));
    exchange(&mut a, &mut b, offer);
    assert_eq!(active(&a, 0).codec.encoding, "PCMA");
    assert_eq!(active(&b, 0).codec.encoding, "PCMA");
}

#[test]
fn a_replaced_answer_is_what_becomes_active() {
    let mut n = neg();
    n.receive_offer(&offer("0 8", "")).expect("offer");
    let mut answer = n.create_answer().expect("answer");
    assert_eq!(answer.media[0].formats[0], "0");
    // The application answers with PCMA instead (PJSUA answers with one
    // codec).
    answer.media[0].formats[0] = "8".into();
    n.replace_local(answer).expect("replaced");
    n.negotiate().expect("negotiated");
    assert_eq!(active(&n, 0).codec.encoding, "PCMA");
}

#[test]
fn a_replacement_must_keep_the_lines_and_the_state() {
    let mut n = neg();
    let offer = n.create_offer().expect("offer");
    let mut fewer = offer.clone();
    fewer.media.clear();
    assert!(matches!(
        n.replace_local(fewer),
        Err(NegotiationError::MalformedOffer(_))
    ));
    let mut video = offer.clone();
    video.media[0].media = "video".into();
    assert!(n.replace_local(video).is_err());
    assert_eq!(n.pending_local(), Some(&offer), "nothing changed");
    n.cancel_offer().expect("cancelled");
    assert!(matches!(
        n.replace_local(offer),
        Err(NegotiationError::InvalidState { .. })
    ));
}
