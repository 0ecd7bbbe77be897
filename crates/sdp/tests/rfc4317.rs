//! The offer/answer examples of RFC 4317 (§2 codec negotiation, §3 hold,
//! §4 adding and removing streams, §5 third-party call control), every one
//! of audio/video over RTP/AVP.
//!
//! Each exchange is checked three ways:
//! - the RFC's offer and answer negotiate (`NegotiatedSession::from_exchange`)
//!   from both sides to the outcome the text describes;
//! - our negotiator, given the answerer's capabilities, answers the RFC's
//!   offer with the same outcome (codec, telephone-event, disabled lines,
//!   directions as both sides see them). Our answers differ in text where
//!   PJSIP's behaviour does: one codec unless `answer_multiple_codecs`, the
//!   offerer's payload type numbers (§2.3's answer renumbers iLBC to 99),
//!   an explicit direction attribute, a version that always increases
//!   (§2.5, §5.2, §5.3 keep theirs), and our own addresses and ports;
//! - where the RFC's offer is one our capabilities produce, our offer has
//!   the same media lines and formats, and takes the RFC's answer.

use std::net::IpAddr;

use sdp::neg::{
    Capabilities, Codec, LocalMedia, NegState, NegotiatedMedia, NegotiatedSession, Negotiator,
    NegotiatorOptions,
};
use sdp::{Direction, SessionDescription};

fn p(text: &str) -> SessionDescription {
    SessionDescription::parse_str(text).expect("RFC 4317 text parses")
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("an IP address")
}

fn pcmu() -> Codec {
    Codec::new(0, "PCMU", 8000)
}
fn pcma() -> Codec {
    Codec::new(8, "PCMA", 8000)
}
fn ilbc(pt: u8) -> Codec {
    Codec::new(pt, "iLBC", 8000)
}
fn h261() -> Codec {
    Codec::new(31, "H261", 90000)
}
fn mpv() -> Codec {
    Codec::new(32, "MPV", 90000)
}
fn tone(pt: u8) -> Codec {
    Codec::new(pt, "telephone-event", 8000)
}

fn audio(port: u16, codecs: Vec<Codec>) -> LocalMedia {
    let mut m = LocalMedia::audio(ip("192.0.2.2"), port, codecs);
    m.telephone_event = false;
    m
}

fn video(port: u16, codecs: Vec<Codec>) -> LocalMedia {
    LocalMedia::video(ip("192.0.2.2"), port, codecs)
}

fn caps(media: Vec<LocalMedia>) -> Capabilities {
    Capabilities::new(ip("192.0.2.2"), media)
}

fn negotiator(media: Vec<LocalMedia>, multiple: bool) -> Negotiator {
    let options = NegotiatorOptions {
        answer_multiple_codecs: multiple,
        ..Default::default()
    };
    Negotiator::new(caps(media), options, 2_808_844_564, 2_808_844_564)
}

/// One line per media line: `-` when disabled, else the codecs (the one
/// to send first), telephone-event, and the direction from that side.
fn summary(s: &NegotiatedSession) -> Vec<String> {
    s.media
        .iter()
        .map(|m| match m {
            NegotiatedMedia::Disabled { media } => format!("{media} -"),
            NegotiatedMedia::Active(a) => {
                let mut codecs = vec![a.codec.encoding.clone()];
                codecs.extend(a.other_codecs.iter().map(|c| c.encoding.clone()));
                let te = if a.telephone_event.is_some() {
                    " +te"
                } else {
                    ""
                };
                format!("{} {}{te} {}", a.media, codecs.join(","), a.direction)
            }
        })
        .collect()
}

/// The outcome of the RFC's own exchange, from the offerer's and the
/// answerer's side.
fn rfc_outcome(offer: &str, answer: &str) -> (Vec<String>, Vec<String>) {
    let (o, a) = (p(offer), p(answer));
    let offerer = NegotiatedSession::from_exchange(&o, &a, true).expect("offerer's view");
    let answerer = NegotiatedSession::from_exchange(&a, &o, false).expect("answerer's view");
    (summary(&offerer), summary(&answerer))
}

/// Our negotiator answers the RFC's offer like the RFC's answerer; the
/// offerer sees the same outcome from our answer as from the RFC's.
fn answers_like_rfc(bob: &mut Negotiator, offer: &str, answer: &str) -> SessionDescription {
    let (want_offerer, want_answerer) = rfc_outcome(offer, answer);
    let o = p(offer);
    let (ours, session) = bob.answer_offer(&o).expect("we answer");
    assert_eq!(summary(session), want_answerer, "our view of our answer");
    assert_eq!(
        ours.media.len(),
        o.media.len(),
        "the answer keeps the offer's lines"
    );
    for (ours_m, rfc_m) in ours.media.iter().zip(&p(answer).media) {
        assert_eq!(ours_m.media, rfc_m.media);
        assert_eq!(ours_m.port == 0, rfc_m.port == 0, "{ours_m:?}");
    }
    let theirs = NegotiatedSession::from_exchange(&o, &ours, true).expect("offerer's view");
    assert_eq!(
        summary(&theirs),
        want_offerer,
        "the offerer's view of our answer"
    );
    // What we print is what we negotiated.
    assert_eq!(p(&ours.to_string()), ours);
    ours
}

/// Our offer has the RFC offer's lines and formats, and takes its answer.
fn offers_like_rfc(alice: &mut Negotiator, offer: &str, answer: &str) {
    let ours = alice.create_offer().expect("we offer");
    let rfc = p(offer);
    assert_eq!(ours.media.len(), rfc.media.len());
    for (a, b) in ours.media.iter().zip(&rfc.media) {
        assert_eq!(
            (&a.media, a.port == 0, &a.formats),
            (&b.media, b.port == 0, &b.formats)
        );
    }
    let (want_offerer, _) = rfc_outcome(offer, answer);
    let session = alice
        .receive_answer(&p(answer))
        .expect("the RFC's answer is good");
    assert_eq!(summary(session), want_offerer);
}

const S2_1_OFFER: &str = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 0 8 97
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:97 iLBC/8000
m=video 51372 RTP/AVP 31 32
a=rtpmap:31 H261/90000
a=rtpmap:32 MPV/90000
";

#[test]
fn s2_1_audio_and_video_1() {
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49174 RTP/AVP 0
a=rtpmap:0 PCMU/8000
m=video 49170 RTP/AVP 32
a=rtpmap:32 MPV/90000
";
    assert_eq!(
        rfc_outcome(S2_1_OFFER, answer).0,
        ["audio PCMU sendrecv", "video MPV sendrecv"]
    );
    let mut bob = negotiator(
        vec![audio(49174, vec![pcmu()]), video(49170, vec![mpv()])],
        false,
    );
    answers_like_rfc(&mut bob, S2_1_OFFER, answer);
    let mut alice = negotiator(
        vec![
            audio(49170, vec![pcmu(), pcma(), ilbc(97)]),
            video(51372, vec![h261(), mpv()]),
        ],
        false,
    );
    offers_like_rfc(&mut alice, S2_1_OFFER, answer);
}

#[test]
fn s2_2_audio_and_video_2() {
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 0 8
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
m=video 0 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let second_offer = "v=0
o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 51372 RTP/AVP 0
a=rtpmap:0 PCMU/8000
m=video 0 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let second_answer = "v=0
o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 0
a=rtpmap:0 PCMU/8000
m=video 0 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    assert_eq!(
        rfc_outcome(S2_1_OFFER, answer).0,
        ["audio PCMU,PCMA sendrecv", "video -"]
    );
    // Bob accepts two codecs: answer_multiple_codecs.
    let mut bob = negotiator(vec![audio(49172, vec![pcmu(), pcma()])], true);
    let first = answers_like_rfc(&mut bob, S2_1_OFFER, answer);
    let second = answers_like_rfc(&mut bob, second_offer, second_answer);
    assert_eq!(
        second.origin.session_version,
        first.origin.session_version + 1
    );
    assert_eq!(
        second.media[1].formats,
        ["31"],
        "the rejected line keeps its place"
    );
    // Alice's side: her first offer, then Bob's first answer.
    let mut alice = negotiator(
        vec![
            audio(49170, vec![pcmu(), pcma(), ilbc(97)]),
            video(51372, vec![h261(), mpv()]),
        ],
        false,
    );
    offers_like_rfc(&mut alice, S2_1_OFFER, answer);
    // Alice's re-offer keeps the rejected video line at port 0.
    let reoffer = alice.create_offer().expect("re-offer");
    assert_eq!(reoffer.origin.session_version, 2_808_844_565);
    assert_eq!(reoffer.media.len(), 2);
    assert_eq!(reoffer.media[1].port, 0);
}

#[test]
fn s2_3_audio_and_video_3_renumbered_dynamic_type() {
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 99
a=rtpmap:99 iLBC/8000
m=video 51374 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    assert_eq!(
        rfc_outcome(S2_1_OFFER, answer).0,
        ["audio iLBC sendrecv", "video H261 sendrecv"]
    );
    let mut bob = negotiator(
        vec![audio(49172, vec![ilbc(99)]), video(51374, vec![h261()])],
        false,
    );
    let ours = answers_like_rfc(&mut bob, S2_1_OFFER, answer);
    assert_eq!(
        ours.media[0].formats,
        ["97"],
        "we answer with the offerer's number"
    );
    // Alice takes Bob's renumbered answer: she sends 99, receives 97.
    let mut alice = negotiator(
        vec![
            audio(49170, vec![pcmu(), pcma(), ilbc(97)]),
            video(51372, vec![h261(), mpv()]),
        ],
        false,
    );
    offers_like_rfc(&mut alice, S2_1_OFFER, answer);
    let Some(NegotiatedMedia::Active(a)) = alice.active().map(|s| s.media[0].clone()) else {
        panic!("audio active")
    };
    assert_eq!((a.codec.pt.tx, a.codec.pt.rx), (99, 97));
}

#[test]
fn s2_4_two_audio_streams() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 0 97
a=rtpmap:0 PCMU/8000
a=rtpmap:97 iLBC/8000
m=audio 49172 RTP/AVP 98
a=rtpmap:98 telephone-event/8000
a=sendonly
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=audio 49174 RTP/AVP 98
a=rtpmap:98 telephone-event/8000
a=recvonly
";
    assert_eq!(
        rfc_outcome(offer, answer),
        (
            vec![
                "audio iLBC sendrecv".into(),
                "audio telephone-event +te sendonly".into()
            ],
            vec![
                "audio iLBC sendrecv".into(),
                "audio telephone-event +te recvonly".into()
            ]
        )
    );
    let mut bob = negotiator(
        vec![audio(49172, vec![ilbc(97)]), audio(49174, vec![tone(98)])],
        false,
    );
    answers_like_rfc(&mut bob, offer, answer);
    let mut alice = negotiator(
        vec![
            audio(49170, vec![pcmu(), ilbc(97)]),
            audio(49172, vec![tone(98)]),
        ],
        false,
    );
    alice.set_capabilities({
        let mut c = alice.capabilities().clone();
        c.media[1].direction = Direction::SendOnly;
        c
    });
    offers_like_rfc(&mut alice, offer, answer);
}

#[test]
fn s2_5_audio_and_video_4_new_address() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=video 51372 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49174 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=video 49170 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let second_offer = "v=0
o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com
s=
c=IN IP4 newhost.biloxi.example.com
t=0 0
m=audio 49178 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=video 49188 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let second_answer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=video 51372 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let mut alice = negotiator(
        vec![audio(49170, vec![ilbc(97)]), video(51372, vec![h261()])],
        false,
    );
    offers_like_rfc(&mut alice, offer, answer);
    // Bob's new address: Alice answers from the same capabilities.
    answers_like_rfc(&mut alice, second_offer, second_answer);
    let Some(NegotiatedMedia::Active(a)) = alice.active().map(|s| s.media[1].clone()) else {
        panic!("video active")
    };
    assert_eq!(
        (a.remote_address.as_str(), a.remote_rtp),
        ("newhost.biloxi.example.com", None)
    );
}

#[test]
fn s2_6_audio_only_1_first_line_declined() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 0
a=rtpmap:0 PCMU/8000
m=audio 51372 RTP/AVP 97 101
a=rtpmap:97 iLBC/8000
a=rtpmap:101 telephone-event/8000
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 0 RTP/AVP 0
a=rtpmap:0 PCMU/8000
m=audio 49170 RTP/AVP 97 101
a=rtpmap:97 iLBC/8000
a=rtpmap:101 telephone-event/8000
";
    assert_eq!(
        rfc_outcome(offer, answer).0,
        ["audio -", "audio iLBC +te sendrecv"]
    );
    let mut bob_audio = audio(49170, vec![ilbc(97)]);
    bob_audio.telephone_event = true;
    let mut bob = negotiator(vec![bob_audio], false);
    let ours = answers_like_rfc(&mut bob, offer, answer);
    assert_eq!(ours.media[1].formats, ["97", "101"]);
}

#[test]
fn s2_7_audio_and_video_5_second_video_codec() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 99
a=rtpmap:99 iLBC/8000
m=video 51372 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 99
a=rtpmap:99 iLBC/8000
m=video 51374 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let second_offer = "v=0
o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 99
a=rtpmap:99 iLBC/8000
m=video 51372 RTP/AVP 31 32
a=rtpmap:31 H261/90000
a=rtpmap:32 MPV/90000
";
    let second_answer = "v=0
o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 99
a=rtpmap:99 iLBC/8000
m=video 51374 RTP/AVP 31 32
a=rtpmap:31 H261/90000
a=rtpmap:32 MPV/90000
";
    let mut bob = negotiator(
        vec![
            audio(49172, vec![ilbc(99)]),
            video(51374, vec![h261(), mpv()]),
        ],
        true,
    );
    answers_like_rfc(&mut bob, offer, answer);
    answers_like_rfc(&mut bob, second_offer, second_answer);
    let mut alice = negotiator(
        vec![audio(49170, vec![ilbc(99)]), video(51372, vec![h261()])],
        false,
    );
    offers_like_rfc(&mut alice, offer, answer);
    // Alice adds MPV: her re-offer keeps 99 for iLBC and adds 32.
    let mut c = alice.capabilities().clone();
    c.media[1].codecs.push(mpv());
    alice.set_capabilities(c);
    offers_like_rfc(&mut alice, second_offer, second_answer);
}

#[test]
fn s2_8_audio_and_video_6_video_elsewhere() {
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49174 RTP/AVP 0
a=rtpmap:0 PCMU/8000
m=video 49172 RTP/AVP 32
c=IN IP4 otherhost.biloxi.example.com
a=rtpmap:32 MPV/90000
";
    let mut other = video(49172, vec![mpv()]);
    other.address = ip("198.51.100.7");
    let mut bob = negotiator(vec![audio(49174, vec![pcmu()]), other], false);
    let ours = answers_like_rfc(&mut bob, S2_1_OFFER, answer);
    assert_eq!(ours.media[1].connections[0].address, "198.51.100.7");
    let mut alice = negotiator(
        vec![
            audio(49170, vec![pcmu(), pcma(), ilbc(97)]),
            video(51372, vec![h261(), mpv()]),
        ],
        false,
    );
    offers_like_rfc(&mut alice, S2_1_OFFER, answer);
    let Some(NegotiatedMedia::Active(v)) = alice.active().map(|s| s.media[1].clone()) else {
        panic!("video active")
    };
    assert_eq!(v.remote_address, "otherhost.biloxi.example.com");
}

#[test]
fn s3_1_hold_and_unhold_1() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 0 97
a=rtpmap:0 PCMU/8000
a=rtpmap:97 iLBC/8000
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 placeholder.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 97
a=rtpmap:97 iLBC/8000
a=sendonly
";
    let second_offer = "v=0
o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    let second_answer = "v=0
o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49178 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    assert_eq!(
        rfc_outcome(offer, answer),
        (
            vec!["audio iLBC recvonly".into()],
            vec!["audio iLBC sendonly".into()]
        )
    );
    // Bob answers on hold (his capability says sendonly), then unholds.
    let mut held = audio(49172, vec![ilbc(97)]);
    held.direction = Direction::SendOnly;
    let mut bob = negotiator(vec![held], false);
    answers_like_rfc(&mut bob, offer, answer);
    let mut c = bob.capabilities().clone();
    c.media[0].direction = Direction::SendRecv;
    bob.set_capabilities(c);
    let reoffer = bob.create_offer().expect("unhold re-offer");
    assert_eq!(
        reoffer.media[0].formats,
        ["97"],
        "keeps the negotiated payload type"
    );
    assert_eq!(reoffer.media_direction(0), Some(Direction::SendRecv));
    // Alice's side, with her new port in the second answer.
    let mut alice = negotiator(vec![audio(49170, vec![pcmu(), ilbc(97)])], false);
    offers_like_rfc(&mut alice, offer, answer);
    let mut c = alice.capabilities().clone();
    c.media[0].rtp_port = 49178;
    alice.set_capabilities(c);
    let ours = answers_like_rfc(&mut alice, second_offer, second_answer);
    assert_eq!(ours.media[0].port, 49178);
}

#[test]
fn s3_2_hold_with_two_streams() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 0 97
a=rtpmap:0 PCMU/8000
a=rtpmap:97 iLBC/8000
m=audio 49172 RTP/AVP 98
a=rtpmap:98 telephone-event/8000
a=sendonly
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=audio 49174 RTP/AVP 98
a=rtpmap:98 telephone-event/8000
a=recvonly
";
    let second_offer = "v=0
o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 97
a=rtpmap:97 iLBC/8000
a=sendonly
m=audio 49174 RTP/AVP 98
a=rtpmap:98 telephone-event/8000
a=recvonly
";
    let second_answer = "v=0
o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 0 97
a=rtpmap:0 PCMU/8000
a=rtpmap:97 iLBC/8000
m=audio 49172 RTP/AVP 98
a=rtpmap:98 telephone-event/8000
a=sendonly
";
    assert_eq!(
        rfc_outcome(second_offer, second_answer).1,
        ["audio iLBC recvonly", "audio telephone-event +te sendonly"]
    );
    let mut alice = negotiator(
        vec![
            audio(49170, vec![pcmu(), ilbc(97)]),
            audio(49172, vec![tone(98)]),
        ],
        false,
    );
    let mut c = alice.capabilities().clone();
    c.media[1].direction = Direction::SendOnly;
    alice.set_capabilities(c);
    offers_like_rfc(&mut alice, offer, answer);
    // Bob holds the first stream; Alice answers recvonly on it (the RFC's
    // answer repeats her offer, which comes to the same flows).
    answers_like_rfc(&mut alice, second_offer, second_answer);
    // Bob's side: the PJSUA2 hold of a two-line call.
    let mut bob = negotiator(
        vec![audio(49172, vec![ilbc(97)]), audio(49174, vec![tone(98)])],
        false,
    );
    answers_like_rfc(&mut bob, offer, answer);
    let hold = bob.hold().expect("hold");
    // We were sending on line 0 (sendonly hold), not on line 1 (inactive).
    assert_eq!(hold.media_direction(0), Some(Direction::SendOnly));
    assert_eq!(hold.media_direction(1), Some(Direction::Inactive));
}

#[test]
fn s4_1_second_audio_stream_added() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 0 97
a=rtpmap:0 PCMU/8000
a=rtpmap:97 iLBC/8000
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    let second_offer = "v=0
o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=audio 48282 RTP/AVP 98
c=IN IP4 mediaserver.biloxi.example.com
a=rtpmap:98 telephone-event/8000
a=recvonly
";
    let second_answer = "v=0
o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=audio 49172 RTP/AVP 98
c=IN IP4 host.atlanta.example.com
a=rtpmap:98 telephone-event/8000
a=sendonly
";
    let mut alice = negotiator(vec![audio(49170, vec![pcmu(), ilbc(97)])], false);
    offers_like_rfc(&mut alice, offer, answer);
    // A second audio capability for the tone stream Bob adds.
    let mut c = alice.capabilities().clone();
    c.media.push(audio(49172, vec![tone(98)]));
    alice.set_capabilities(c);
    answers_like_rfc(&mut alice, second_offer, second_answer);
}

#[test]
fn s4_2_audio_then_video_added() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 0
a=rtpmap:0 PCMU/8000
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 0
a=rtpmap:0 PCMU/8000
";
    let second_offer = "v=0
o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 0
a=rtpmap:0 PCMU/8000
m=video 49172 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let second_answer = "v=0
o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 0
a=rtpmap:0 PCMU/8000
m=video 49168 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let mut bob = negotiator(
        vec![audio(49172, vec![pcmu()]), video(49168, vec![h261()])],
        false,
    );
    answers_like_rfc(&mut bob, offer, answer);
    answers_like_rfc(&mut bob, second_offer, second_answer);
}

#[test]
fn s4_3_video_deleted() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=video 51372 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49174 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=video 49170 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let second_offer = "v=0
o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49174 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=video 0 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let second_answer = "v=0
o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
m=video 0 RTP/AVP 31
a=rtpmap:31 H261/90000
";
    let mut alice = negotiator(
        vec![audio(49170, vec![ilbc(97)]), video(51372, vec![h261()])],
        false,
    );
    offers_like_rfc(&mut alice, offer, answer);
    answers_like_rfc(&mut alice, second_offer, second_answer);
    assert_eq!(
        summary(alice.active().expect("active")),
        ["audio iLBC sendrecv", "video -"]
    );
}

#[test]
fn s5_1_no_media_then_audio_added() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
";
    let second_offer = "v=0
o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    let second_answer = "v=0
o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    let mut bob = negotiator(vec![audio(49172, vec![ilbc(97)])], false);
    let ours = answers_like_rfc(&mut bob, offer, answer);
    assert!(ours.media.is_empty());
    assert_eq!(bob.state(), NegState::Done);
    answers_like_rfc(&mut bob, second_offer, second_answer);
}

#[test]
fn s5_2_hold_and_unhold_2_null_address_offer() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 0.0.0.0
t=0 0
m=audio 23442 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    let second_offer = "v=0
o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    let second_answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    // c=0.0.0.0: Bob cannot send; he only receives.
    assert_eq!(rfc_outcome(offer, answer).1, ["audio iLBC recvonly"]);
    let mut bob = negotiator(vec![audio(49170, vec![ilbc(97)])], false);
    let ours = answers_like_rfc(&mut bob, offer, answer);
    assert_eq!(ours.media_direction(0), Some(Direction::RecvOnly));
    answers_like_rfc(&mut bob, second_offer, second_answer);
    assert_eq!(
        summary(bob.active().expect("active")),
        ["audio iLBC sendrecv"]
    );
}

#[test]
fn s5_3_hold_and_unhold_3_null_address_answer() {
    let offer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    let answer = "v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 0.0.0.0
t=0 0
m=audio 9322 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    let second_offer = "v=0
o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49172 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    let second_answer = "v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 97
a=rtpmap:97 iLBC/8000
";
    let mut alice = negotiator(vec![audio(49170, vec![ilbc(97)])], false);
    offers_like_rfc(&mut alice, offer, answer);
    let Some(NegotiatedMedia::Active(a)) = alice.active().map(|s| s.media[0].clone()) else {
        panic!("audio active")
    };
    assert!(a.remote_null_address && !a.sends() && a.receives());
    answers_like_rfc(&mut alice, second_offer, second_answer);
    assert_eq!(
        summary(alice.active().expect("active")),
        ["audio iLBC sendrecv"]
    );
}
