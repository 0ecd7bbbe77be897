//! Fuzzes the offer/answer negotiator (`sdp::neg::Negotiator`) with
//! operation sequences against fixed capabilities: offers and answers from
//! the fuzzer (raw bytes, or media lines it builds), and from a second,
//! well-behaved negotiator playing the peer; our offers, holds, unholds,
//! cancels, and the answer steps one by one.
//!
//! Checked:
//! - nothing panics; an error leaves the negotiator in `Null` or `Done`
//!   (state errors aside);
//! - every description we make parses back to itself;
//! - an answer keeps the offer's media lines, count, order and types;
//! - every negotiated codec is in both descriptions (its send payload
//!   type in theirs, its receive payload type in ours) and is one of ours.

#![no_main]

use std::fmt::Write;
use std::net::IpAddr;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sdp::SessionDescription;
use sdp::neg::{
    Capabilities, Codec, LocalMedia, NegState, NegotiatedMedia, NegotiatedSession, Negotiator,
    NegotiatorOptions,
};

#[derive(Arbitrary, Debug)]
struct Input {
    prefer_remote_codec_order: bool,
    answer_multiple_codecs: bool,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
enum Op {
    /// An offer comes and is answered in one step.
    Offer(Remote),
    /// An answer to our pending offer comes.
    Answer(Remote),
    /// The peer negotiator offers; we answer; it takes our answer.
    PeerOffers,
    /// The peer negotiator answers our pending offer.
    PeerAnswers,
    CreateOffer,
    Hold,
    Unhold,
    Cancel,
    ReceiveOffer(Remote),
    CreateAnswer,
    Negotiate,
}

#[derive(Arbitrary, Debug)]
enum Remote {
    Raw(Vec<u8>),
    Built(Vec<Line>),
}

#[derive(Arbitrary, Debug)]
struct Line {
    media: u8,
    port: u8,
    proto: u8,
    formats: Vec<(u8, u8)>,
    dir: u8,
    mux: bool,
    rtcp: Option<u8>,
    null: bool,
    ptime: Option<u8>,
}

const CODECS: [(&str, u32, u16); 8] = [
    ("PCMU", 8000, 1),
    ("PCMA", 8000, 1),
    ("G722", 8000, 1),
    ("opus", 48000, 2),
    ("telephone-event", 8000, 1),
    ("telephone-event", 48000, 1),
    ("iLBC", 8000, 1),
    ("H261", 90000, 1),
];

impl Remote {
    fn sdp(&self) -> Option<SessionDescription> {
        match self {
            Self::Raw(bytes) => SessionDescription::parse(bytes).ok(),
            Self::Built(lines) => SessionDescription::parse_str(&build(lines)).ok(),
        }
    }
}

fn build(lines: &[Line]) -> String {
    let mut s = String::from(
        "v=0\r\no=peer 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n",
    );
    for l in lines.iter().take(8) {
        let media = ["audio", "video", "application", "AUDIO"][usize::from(l.media % 4)];
        let port = [0u16, 5000, 5002, 65535][usize::from(l.port % 4)];
        let proto = ["RTP/AVP", "RTP/AVPF", "RTP/SAVP", "UDP/BFCP"][usize::from(l.proto % 4)];
        let _ = write!(s, "m={media} {port} {proto}");
        for (pt, _) in l.formats.iter().take(8) {
            let _ = write!(s, " {}", pt % 128);
        }
        s.push_str("\r\n");
        if l.null {
            s.push_str("c=IN IP4 0.0.0.0\r\n");
        }
        for (pt, codec) in l.formats.iter().take(8) {
            let (name, rate, ch) = CODECS[usize::from(codec % 8)];
            let _ = write!(s, "a=rtpmap:{} {name}/{rate}", pt % 128);
            if ch != 1 {
                let _ = write!(s, "/{ch}");
            }
            s.push_str("\r\n");
        }
        if let Some(d) = ["sendrecv", "sendonly", "recvonly", "inactive"].get(usize::from(l.dir)) {
            let _ = write!(s, "a={d}\r\n");
        }
        if l.mux {
            s.push_str("a=rtcp-mux\r\n");
        }
        if let Some(r) = l.rtcp {
            let _ = write!(s, "a=rtcp:{}\r\n", 5000 + u16::from(r));
        }
        if let Some(p) = l.ptime {
            let _ = write!(s, "a=ptime:{p}\r\n");
        }
    }
    s
}

fn ours() -> Vec<(String, u32, u16)> {
    CODECS
        .iter()
        .map(|(n, r, c)| (n.to_ascii_lowercase(), *r, *c))
        .collect()
}

fn caps(ip: &str, port: u16) -> Capabilities {
    let ip: IpAddr = ip.parse().expect("IP");
    let mut audio = LocalMedia::audio(
        ip,
        port,
        vec![
            Codec::new(111, "opus", 48000)
                .with_channels(2)
                .with_fmtp("useinbandfec=1"),
            Codec::new(9, "G722", 8000),
            Codec::new(0, "PCMU", 8000),
            Codec::new(8, "PCMA", 8000),
        ],
    );
    audio.rtcp_mux = port % 4 == 0;
    let second = LocalMedia::audio(
        ip,
        port + 10,
        vec![Codec::new(0, "PCMU", 8000), Codec::new(97, "iLBC", 8000)],
    );
    let video = LocalMedia::video(ip, port + 20, vec![Codec::new(31, "H261", 90000)]);
    Capabilities::new(ip, vec![audio, second, video])
}

/// Our description parses back to itself.
fn check_ours(sdp: &SessionDescription) {
    let printed = sdp.to_string();
    let again = SessionDescription::parse_str(&printed).expect("our description parses");
    assert_eq!(&again, sdp);
}

/// Negotiated codecs are in both descriptions and ours.
fn check_session(
    session: &NegotiatedSession,
    local: &SessionDescription,
    remote: &SessionDescription,
) {
    assert_eq!(session.media.len(), local.media.len());
    assert_eq!(local.media.len(), remote.media.len());
    for (i, m) in session.media.iter().enumerate() {
        let NegotiatedMedia::Active(a) = m else {
            continue;
        };
        assert!(local.media[i].port != 0 && remote.media[i].port != 0);
        for c in std::iter::once(&a.codec).chain(&a.other_codecs) {
            assert!(
                remote.media[i].payload_types().any(|pt| pt == c.pt.tx),
                "{c:?} not in theirs"
            );
            assert!(
                local.media[i].payload_types().any(|pt| pt == c.pt.rx),
                "{c:?} not in ours"
            );
            let key = (c.encoding.to_ascii_lowercase(), c.clock_rate, c.channels);
            assert!(ours().contains(&key), "{c:?} is not one of our codecs");
        }
    }
}

fn check_answer(offer: &SessionDescription, answer: &SessionDescription) {
    assert_eq!(
        answer.media.len(),
        offer.media.len(),
        "answer changes the line count"
    );
    for (a, o) in answer.media.iter().zip(&offer.media) {
        assert!(
            a.media.eq_ignore_ascii_case(&o.media),
            "answer reorders lines"
        );
    }
}

fn settled(n: &Negotiator) {
    assert!(
        matches!(n.state(), NegState::Null | NegState::Done),
        "{:?}",
        n.state()
    );
    assert_eq!(n.state() == NegState::Done, n.active().is_some());
}

fuzz_target!(|input: Input| {
    let options = NegotiatorOptions {
        prefer_remote_codec_order: input.prefer_remote_codec_order,
        answer_multiple_codecs: input.answer_multiple_codecs,
        ..Default::default()
    };
    let mut us = Negotiator::new(caps("10.0.0.1", 4000), options, 1, 1);
    let mut peer = Negotiator::new(caps("10.0.0.2", 6002), NegotiatorOptions::default(), 2, 2);
    for op in input.ops.iter().take(64) {
        match op {
            Op::Offer(r) => {
                let Some(offer) = r.sdp() else { continue };
                match us.answer_offer(&offer) {
                    Ok((answer, session)) => {
                        let session = session.clone();
                        check_ours(&answer);
                        check_answer(&offer, &answer);
                        check_session(&session, &answer, &offer);
                    }
                    Err(sdp::neg::NegotiationError::InvalidState { .. }) => {}
                    Err(_) => settled(&us),
                }
            }
            Op::Answer(r) => {
                let (Some(answer), Some(offer)) = (r.sdp(), us.pending_local().cloned()) else {
                    continue;
                };
                let was = us.state();
                match us.receive_answer(&answer) {
                    Ok(session) => {
                        let session = session.clone();
                        check_answer(&offer, &answer);
                        check_session(&session, &offer, &answer);
                    }
                    Err(_) if was == NegState::LocalOffer => settled(&us),
                    Err(_) => {}
                }
            }
            Op::PeerOffers => {
                let Ok(offer) = peer.create_offer() else {
                    continue;
                };
                match us.answer_offer(&offer) {
                    Ok((answer, session)) => {
                        let session = session.clone();
                        check_ours(&answer);
                        check_answer(&offer, &answer);
                        check_session(&session, &answer, &offer);
                        if let Ok(theirs) = peer.receive_answer(&answer) {
                            assert_eq!(theirs.media.len(), session.media.len());
                        }
                    }
                    Err(_) => {
                        let _ = peer.cancel_offer();
                    }
                }
            }
            Op::PeerAnswers => {
                let Some(offer) = us.pending_local().cloned() else {
                    continue;
                };
                if us.state() != NegState::LocalOffer {
                    continue;
                }
                let _ = peer.cancel_offer();
                if let Ok((answer, _)) = peer.answer_offer(&offer) {
                    check_answer(&offer, &answer);
                    if let Ok(session) = us.receive_answer(&answer) {
                        let session = session.clone();
                        check_session(&session, &offer, &answer);
                    }
                }
            }
            Op::CreateOffer => {
                if let Ok(o) = us.create_offer() {
                    check_ours(&o);
                }
            }
            Op::Hold => {
                if let Ok(o) = us.hold() {
                    check_ours(&o);
                }
            }
            Op::Unhold => {
                if let Ok(o) = us.unhold() {
                    check_ours(&o);
                }
            }
            Op::Cancel => {
                if us.cancel_offer().is_ok() {
                    settled(&us);
                }
            }
            Op::ReceiveOffer(r) => {
                if let Some(offer) = r.sdp() {
                    let _ = us.receive_offer(&offer);
                }
            }
            Op::CreateAnswer => {
                let offer = us.pending_remote().cloned();
                match us.create_answer() {
                    Ok(answer) => {
                        check_ours(&answer);
                        if let Some(offer) = offer {
                            check_answer(&offer, &answer);
                        }
                    }
                    Err(sdp::neg::NegotiationError::InvalidState { .. }) => {}
                    Err(_) => settled(&us),
                }
            }
            Op::Negotiate => {
                let (local, remote) = (us.pending_local().cloned(), us.pending_remote().cloned());
                if let Ok(session) = us.negotiate() {
                    let session = session.clone();
                    if let (Some(l), Some(r)) = (local, remote) {
                        check_session(&session, &l, &r);
                    }
                }
            }
        }
    }
});
