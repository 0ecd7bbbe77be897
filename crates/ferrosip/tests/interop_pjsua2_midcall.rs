//! Mid-call operations between ferrosip and the real PJSUA2 (PyPI
//! `pjsua2-python`, driven through `interop::Pjsua2Peer`): hold and unhold
//! from each side (RFC 3264, and RFC 2543 from PJSUA2; media status and
//! direction on both sides, tones measured in both recordings before,
//! during and after), DTMF both ways by RFC 4733 and SIP INFO, blind
//! transfer each way with the new call's tones measured, attended transfer
//! with either side in the middle, and instant messages and typing
//! indications in the call both ways.
//!
//! ferrosip's parties (alice, carol, …) are accounts of one endpoint, each
//! on its own UDP transport on loopback; `threadCnt` is 0, so every
//! callback runs inside `lib_handle_events` on the test's thread. Each
//! party plays a tone into every stream of its calls and keeps what they
//! bring (an `Ear`); PJSUA2 plays its tone and records on command. Waits
//! are for events, with generous deadlines; nothing is timed.
//!
//! Under `CI=true` a missing PJSUA2 fails the test; elsewhere it is skipped
//! with a message (`scripts/install-peers` installs it).

mod support;

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use support::party::{Party, Seen};
use support::{random_rtp_port, started_endpoint};

use ferrosip::call::{Call, CallMediaStatus, InvState, MediaDir, PJSUA_UNKNOWN_DTMF_DURATION};
use ferrosip::config::{
    AccountConfig, CallOpParam, CallSendDtmfParam, CallSetting, DtmfMethod,
    SendInstantMessageParam, SendTypingIndicationParam,
};
use ferrosip::{Account, Endpoint};
use interop::audio::{ToneMeasure, Wav, tone_measure};
use interop::{CallId, EVENT_TIMEOUT, Event, Pjsua2Options, Pjsua2Peer};

fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

fn installed() -> bool {
    interop::require("pjsua2", Pjsua2Peer::is_installed())
}

/// A PJSUA2 peer, G.711 only (its default, speex, garbles pure tones).
fn peer(user: &str) -> Pjsua2Options {
    Pjsua2Peer::options().user(user).codecs(&["PCMU", "PCMA"])
}

/// Settling time before a measurement (a re-INVITE's new stream, the
/// jitter buffers).
const SETTLE_MS: u64 = 400;
/// The measured window.
const WINDOW_MS: u64 = 1500;
/// The start of a PJSUA2 recording that is not measured: the recording
/// starts before the settling time.
const SKIP: Duration = Duration::from_millis(500);

/// A ferrosip party's account and URI.
struct Member {
    account: Account,
    party: Party,
    uri: String,
}

/// A running endpoint with one party per name, destroyed on drop.
struct Lib {
    ep: Endpoint,
    members: Vec<Member>,
    _turn: MutexGuard<'static, ()>,
}

impl Lib {
    fn start(names: &[&str]) -> Self {
        let turn = serial();
        let (ep, transports) = started_endpoint(names.len());
        let members = transports
            .iter()
            .zip(names)
            .map(|(&t, name)| {
                let party = Party::default();
                let addr = ep.transport_get_info(t).unwrap().local_name;
                let mut acfg = AccountConfig {
                    id_uri: format!("<sip:{name}@{addr}>"),
                    ..AccountConfig::default()
                };
                acfg.sip_config.transport_id = t;
                let rtp = &mut acfg.media_config.transport_config;
                rtp.bound_address = "127.0.0.1".into();
                rtp.port = random_rtp_port();
                rtp.port_range = 2000;
                let account = Account::create(&ep, &acfg, false, party.clone()).unwrap();
                Member {
                    account,
                    party,
                    uri: format!("sip:{name}@{addr}"),
                }
            })
            .collect();
        Self {
            ep,
            members,
            _turn: turn,
        }
    }

    fn party(&self, i: usize) -> &Party {
        &self.members[i].party
    }

    fn uri(&self, i: usize) -> &str {
        &self.members[i].uri
    }

    fn pump_until(&self, secs: u64, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            self.ep.lib_handle_events(10).unwrap();
            if done() {
                return true;
            }
        }
        false
    }

    fn run_for(&self, ms: u64) {
        let end = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < end {
            self.ep.lib_handle_events(10).unwrap();
        }
    }

    /// Handles events until `done`, failing with what every party saw if
    /// it does not come within 20 s.
    fn wait(&self, what: &str, done: impl FnMut() -> bool) {
        let ok = self.pump_until(20, done);
        assert!(
            ok,
            "waiting for {what}: {:#?}",
            self.members
                .iter()
                .map(|m| m.party.seen())
                .collect::<Vec<_>>()
        );
    }

    /// Waits for a PJSUA2 event while handling ferrosip's events: the
    /// peer's replies may need ferrosip to answer first.
    fn expect(
        &self,
        peer: &mut Pjsua2Peer,
        what: &str,
        mut pred: impl FnMut(&Event) -> bool,
    ) -> Event {
        let deadline = Instant::now() + EVENT_TIMEOUT;
        loop {
            if let Ok(e) = peer.expect(&mut pred, Duration::ZERO) {
                return e;
            }
            if Instant::now() >= deadline {
                // Once more, for the peer's own report of what it saw.
                return peer
                    .expect(pred, Duration::from_millis(10))
                    .unwrap_or_else(|e| panic!("waiting for PJSUA2's {what}: {e}"));
            }
            self.ep.lib_handle_events(10).unwrap();
        }
    }

    fn expect_state(&self, peer: &mut Pjsua2Peer, call: CallId, state: &str) -> Event {
        self.expect(peer, state, |e| e.is_call_state(call, state))
    }

    fn expect_media(&self, peer: &mut Pjsua2Peer, call: CallId, status: &str) -> Event {
        self.expect(peer, status, |e| {
            e.is("media_state") && e.call() == Some(call) && e.str("status") == Some(status)
        })
    }

    /// Gives party `i` a tone of `freq` Hz and an ear.
    fn give_audio(&self, i: usize, freq: i16) {
        self.party(i).give_audio(&self.ep, freq);
    }

    /// Party `i` calls `peer` (which auto-answers); both confirmed with
    /// active media. Returns ferrosip's call and PJSUA2's.
    fn call_peer(&self, i: usize, peer: &mut Pjsua2Peer) -> (Call, CallId) {
        let call = Call::make_call(
            &self.members[i].account,
            peer.uri(),
            &CallOpParam::new(true),
            self.party(i).clone(),
        )
        .unwrap();
        let theirs = self
            .expect(peer, "incoming call", |e| e.is("incoming_call"))
            .call()
            .unwrap();
        self.wait("ferrosip's call to be confirmed", || {
            self.party(i).state_of(&call) == Some(InvState::Confirmed) && call.has_media()
        });
        self.expect_state(peer, theirs, "CONFIRMED");
        self.expect_media(peer, theirs, "active");
        (call, theirs)
    }

    /// `peer` calls party `i` (which answers); both confirmed with active
    /// media. Returns PJSUA2's call and ferrosip's.
    fn called_by(&self, i: usize, peer: &mut Pjsua2Peer) -> (CallId, Call) {
        let before = self.party(i).calls();
        let call = peer.make_call(self.uri(i)).unwrap();
        self.wait("ferrosip's call to be confirmed", || {
            self.party(i).up(before)
        });
        self.expect_state(peer, call, "CONFIRMED");
        self.expect_media(peer, call, "active");
        (call, self.party(i).call(before))
    }

    /// One measurement window: what party `i` hears (its ear, 16 kHz) and
    /// what `peer` records of `call`.
    fn listen(&self, i: usize, peer: &mut Pjsua2Peer, call: CallId, name: &str) -> (Vec<i16>, Wav) {
        let path = peer.run_dir().join(format!("{name}.wav"));
        peer.record(call, &path).unwrap();
        self.run_for(SETTLE_MS);
        self.party(i).ear_take();
        self.run_for(WINDOW_MS);
        let heard = self.party(i).ear_take();
        peer.stop_record(call).unwrap();
        (heard, Wav::read(&path).unwrap())
    }
}

impl Drop for Lib {
    fn drop(&mut self) {
        for m in &self.members {
            m.party.release();
        }
        let _ = self.ep.lib_destroy();
    }
}

/// `freq` in what a ferrosip ear heard (16 kHz).
fn at_ferrosip(heard: &[i16], freq: f64) -> ToneMeasure {
    tone_measure(heard, 16_000, freq)
}

/// `freq` in a PJSUA2 recording, after [`SKIP`].
fn at_pjsua2(wav: &Wav, freq: f64) -> ToneMeasure {
    wav.tone(freq, SKIP)
}

/// The RMS of the tone itself: the whole RMS times the root of its share
/// of the energy.
fn tone_rms(m: &ToneMeasure) -> f64 {
    m.rms * m.share.sqrt()
}

fn assert_heard(m: &ToneMeasure, what: &str) {
    eprintln!(
        "{what}: {} Hz, rms {:.0}, share {:.2}, {:.1} s",
        m.freq, m.rms, m.share, m.seconds
    );
    assert!(m.is_clear(1.0), "{what}: {m:?}");
}

/// Silent at the tone's frequency: its RMS under 50 (of 32768; the tones
/// arrive at 5,000 and more).
fn assert_not_heard(m: &ToneMeasure, what: &str) {
    eprintln!(
        "{what}: {} Hz, rms {:.0}, tone rms {:.1}, {:.1} s",
        m.freq,
        m.rms,
        tone_rms(m),
        m.seconds
    );
    assert!(m.seconds >= 1.0, "{what}: too short a recording: {m:?}");
    assert!(tone_rms(m) < 50.0, "{what}: the tone is heard: {m:?}");
}

fn media_of(call: &Call) -> (CallMediaStatus, MediaDir) {
    let m = &call.info().unwrap().media[0];
    (m.status, m.dir)
}

fn unhold() -> CallOpParam {
    let mut prm = CallOpParam::new(true);
    prm.opt.flag |= CallSetting::UNHOLD;
    prm
}

/// ferrosip's tone, PJSUA2's tone.
const OURS: f64 = 600.0;
const THEIRS: f64 = 1000.0;

#[test]
fn ferrosip_holds_pjsua2_and_takes_it_off_hold() {
    if !installed() {
        return;
    }
    let lib = Lib::start(&["alice"]);
    lib.give_audio(0, OURS as i16);
    let mut bob = peer("bob").auto_answer(200).tone(1000).start().unwrap();
    let (call, theirs) = lib.call_peer(0, &mut bob);

    let (heard, wav) = lib.listen(0, &mut bob, theirs, "before-hold");
    assert_heard(&at_ferrosip(&heard, THEIRS), "before hold, ferrosip heard");
    assert_heard(&at_pjsua2(&wav, OURS), "before hold, PJSUA2 heard");

    // ferrosip holds: a re-INVITE with a=sendonly; LOCAL_HOLD sending only
    // at ferrosip, PJSUA2 reports remote_hold receiving only.
    call.set_hold(&CallOpParam::default()).unwrap();
    let offer = lib.expect(&mut bob, "re-INVITE", |e| {
        e.is("rx_reinvite") || e.is("rx_offer")
    });
    assert!(offer.str("sdp").unwrap().contains("a=sendonly"), "{offer}");
    let held = lib.expect_media(&mut bob, theirs, "remote_hold");
    assert_eq!(held.str("dir"), Some("recvonly"), "{held}");
    lib.wait("ferrosip's local hold", || {
        media_of(&call).0 == CallMediaStatus::LocalHold
    });
    assert_eq!(
        media_of(&call),
        (CallMediaStatus::LocalHold, MediaDir::Encoding)
    );
    // The holder hears nothing; the held side still hears the holder.
    let (heard, wav) = lib.listen(0, &mut bob, theirs, "on-hold");
    assert_not_heard(&at_ferrosip(&heard, THEIRS), "on hold, ferrosip heard");
    assert_heard(&at_pjsua2(&wav, OURS), "on hold, PJSUA2 heard");

    // Off hold: a re-INVITE with a=sendrecv, both active again.
    call.reinvite(&unhold()).unwrap();
    let active = lib.expect_media(&mut bob, theirs, "active");
    assert_eq!(active.str("dir"), Some("sendrecv"), "{active}");
    lib.wait("ferrosip's unhold", || {
        media_of(&call).0 == CallMediaStatus::Active
    });
    assert_eq!(
        media_of(&call),
        (CallMediaStatus::Active, MediaDir::EncodingDecoding)
    );
    let (heard, wav) = lib.listen(0, &mut bob, theirs, "after-unhold");
    assert_heard(&at_ferrosip(&heard, THEIRS), "after unhold, ferrosip heard");
    assert_heard(&at_pjsua2(&wav, OURS), "after unhold, PJSUA2 heard");

    // Still the one dialog at PJSUA2.
    assert_eq!(
        bob.history()
            .iter()
            .filter(|e| e.is("call_state") && e.call() == Some(theirs))
            .filter_map(|e| e.state().map(str::to_owned))
            .collect::<Vec<_>>(),
        ["INCOMING", "CONNECTING", "CONFIRMED"]
    );
    call.hangup(&CallOpParam::default()).unwrap();
    lib.expect_state(&mut bob, theirs, "DISCONNECTED");
}

#[test]
fn pjsua2_holds_ferrosip_and_takes_it_off_hold() {
    if !installed() {
        return;
    }
    let lib = Lib::start(&["bob"]);
    lib.give_audio(0, OURS as i16);
    let mut alice = peer("alice").tone(1000).start().unwrap();
    let (call, ours) = lib.called_by(0, &mut alice);

    let (heard, wav) = lib.listen(0, &mut alice, call, "before-hold");
    assert_heard(&at_ferrosip(&heard, THEIRS), "before hold, ferrosip heard");
    assert_heard(&at_pjsua2(&wav, OURS), "before hold, PJSUA2 heard");

    // PJSUA2 holds: local_hold sending only there, REMOTE_HOLD receiving
    // only at ferrosip.
    alice.hold(call).unwrap();
    let held = lib.expect_media(&mut alice, call, "local_hold");
    assert_eq!(held.str("dir"), Some("sendonly"), "{held}");
    lib.wait("ferrosip's remote hold", || {
        media_of(&ours).0 == CallMediaStatus::RemoteHold
    });
    assert_eq!(
        media_of(&ours),
        (CallMediaStatus::RemoteHold, MediaDir::Decoding)
    );
    let (heard, wav) = lib.listen(0, &mut alice, call, "on-hold");
    assert_heard(&at_ferrosip(&heard, THEIRS), "on hold, ferrosip heard");
    assert_not_heard(&at_pjsua2(&wav, OURS), "on hold, PJSUA2 heard");

    alice.unhold(call).unwrap();
    let active = lib.expect_media(&mut alice, call, "active");
    assert_eq!(active.str("dir"), Some("sendrecv"), "{active}");
    lib.wait("ferrosip's unhold", || {
        media_of(&ours).0 == CallMediaStatus::Active
    });
    assert_eq!(
        media_of(&ours),
        (CallMediaStatus::Active, MediaDir::EncodingDecoding)
    );
    let (heard, wav) = lib.listen(0, &mut alice, call, "after-unhold");
    assert_heard(&at_ferrosip(&heard, THEIRS), "after unhold, ferrosip heard");
    assert_heard(&at_pjsua2(&wav, OURS), "after unhold, PJSUA2 heard");

    // ferrosip saw active, remote hold, active; one dialog throughout.
    let media: Vec<CallMediaStatus> = lib
        .party(0)
        .seen()
        .iter()
        .filter_map(|s| match s {
            Seen::Media(c, st, _) if *c == ours.id() => Some(*st),
            _ => None,
        })
        .collect();
    assert_eq!(
        media,
        [
            CallMediaStatus::Active,
            CallMediaStatus::RemoteHold,
            CallMediaStatus::Active
        ]
    );
    alice.hangup(call, 0).unwrap();
    lib.wait("the hangup", || {
        lib.party(0).state_of(&ours) == Some(InvState::Disconnected)
    });
}

#[test]
fn dtmf_both_ways_by_rfc4733_and_sip_info() {
    if !installed() {
        return;
    }
    let lib = Lib::start(&["alice"]);
    let mut bob = peer("bob").auto_answer(200).start().unwrap();
    let (call, theirs) = lib.call_peer(0, &mut bob);
    let alice = lib.party(0);

    // ferrosip → PJSUA2 by RFC 4733: onDtmfDigit at each digit's start,
    // onDtmfEvent at its start and end.
    call.dial_dtmf("1*9").unwrap();
    let mut got = Vec::new();
    for _ in 0..3 {
        let e = lib.expect(&mut bob, "an RFC 4733 digit", |e| {
            e.is("dtmf") && e.call() == Some(theirs)
        });
        assert_eq!(e.str("method"), Some("rfc2833"), "{e}");
        got.push(e.str("digit").unwrap().to_owned());
    }
    assert_eq!(got, ["1", "*", "9"]);
    let mut ends = Vec::new();
    for _ in 0..3 {
        let e = lib.expect(&mut bob, "a digit's end", |e| {
            e.is("dtmf_event") && e.bool("end") == Some(true)
        });
        eprintln!("PJSUA2 saw the end of {e}");
        assert!(e.u64("duration").unwrap() >= 100, "{e}");
        ends.push(e.str("digit").unwrap().to_owned());
    }
    assert_eq!(ends, ["1", "*", "9"]);

    // ferrosip → PJSUA2 by SIP INFO: onDtmfEvent with the INFO's
    // duration (onDtmfDigit's is unknown, PJSUA2 derives it from the event).
    call.send_dtmf(&CallSendDtmfParam {
        method: DtmfMethod::SipInfo,
        duration: 250,
        digits: "#05".into(),
    })
    .unwrap();
    let mut got = Vec::new();
    for _ in 0..3 {
        let e = lib.expect(&mut bob, "an INFO digit", |e| {
            e.is("dtmf_event") && e.call() == Some(theirs) && e.str("method") == Some("sip_info")
        });
        assert_eq!(e.str("method"), Some("sip_info"), "{e}");
        assert_eq!(e.u64("duration"), Some(250), "{e}");
        assert_eq!(e.bool("end"), Some(true), "{e}");
        let digit = e.str("digit").unwrap().to_owned();
        let e = lib.expect(&mut bob, "an INFO digit", |e| {
            e.is("dtmf") && e.call() == Some(theirs)
        });
        assert_eq!(e.str("digit"), Some(digit.as_str()), "{e}");
        assert_eq!(e.str("method"), Some("sip_info"), "{e}");
        got.push(digit);
    }
    assert_eq!(got, ["#", "0", "5"]);

    // PJSUA2 → ferrosip by RFC 4733 (dialDtmf) and SIP INFO (sendDtmf,
    // PJSUA2's default duration 160 ms); the durations come with the
    // digits' ends.
    bob.dial_dtmf(theirs, "42").unwrap();
    lib.wait("the RFC 4733 digits", || {
        alice.count(|s| matches!(s, Seen::DtmfEnd(..))) >= 2
    });
    bob.send_dtmf(theirs, "7*", interop::DtmfMethod::SipInfo)
        .unwrap();
    lib.wait("the INFO digits", || alice.digits().len() >= 4);
    let rfc = DtmfMethod::Rfc2833;
    let info = DtmfMethod::SipInfo;
    eprintln!("ferrosip saw {:?}", alice.digits());
    assert_eq!(
        alice.digits(),
        [
            (rfc, "4".into(), PJSUA_UNKNOWN_DTMF_DURATION),
            (rfc, "2".into(), PJSUA_UNKNOWN_DTMF_DURATION),
            (info, "7".into(), PJSUA_UNKNOWN_DTMF_DURATION),
            (info, "*".into(), PJSUA_UNKNOWN_DTMF_DURATION),
        ]
    );
    let ends: Vec<(DtmfMethod, String, u32)> = alice
        .seen()
        .into_iter()
        .filter_map(|s| match s {
            Seen::DtmfEnd(_, m, d, duration) => Some((m, d, duration)),
            _ => None,
        })
        .collect();
    eprintln!("ferrosip saw the ends {ends:?}");
    assert_eq!(ends.len(), 4, "{ends:?}");
    assert_eq!(
        ends[2..],
        [(info, "7".into(), 160), (info, "*".into(), 160)]
    );
    // PJSUA2's dialDtmf digits last 200 ms, said in the RTP events.
    for (m, _, duration) in &ends[..2] {
        assert_eq!(*m, rfc);
        assert!((100..=400).contains(duration), "{ends:?}");
    }
    bob.hangup(theirs, 0).unwrap();
    lib.wait("the hangup", || {
        alice.state_of(&call) == Some(InvState::Disconnected)
    });
}

#[test]
fn instant_messages_and_typing_both_ways_in_the_call() {
    if !installed() {
        return;
    }
    let lib = Lib::start(&["alice"]);
    let mut bob = peer("bob").auto_answer(200).start().unwrap();
    let (call, theirs) = lib.call_peer(0, &mut bob);
    let alice = lib.party(0);

    call.send_instant_message(&SendInstantMessageParam {
        content: "hello PJSUA2".into(),
        ..SendInstantMessageParam::default()
    })
    .unwrap();
    let im = lib.expect(&mut bob, "the MESSAGE", |e| e.is("instant_message"));
    assert_eq!(im.call(), Some(theirs), "in the call's dialog: {im}");
    assert_eq!(im.str("body"), Some("hello PJSUA2"), "{im}");
    assert_eq!(im.str("content_type"), Some("text/plain"), "{im}");
    assert!(im.str("from").unwrap().contains("alice"), "{im}");
    lib.wait("the MESSAGE's answer", || {
        alice.count(|s| matches!(s, Seen::ImStatus(..))) == 1
    });
    assert!(
        alice
            .seen()
            .contains(&Seen::ImStatus(call.id(), "hello PJSUA2".into(), 200))
    );

    call.send_typing_indication(&SendTypingIndicationParam {
        is_typing: true,
        ..SendTypingIndicationParam::default()
    })
    .unwrap();
    let typing = lib.expect(&mut bob, "the typing indication", |e| e.is("typing"));
    assert_eq!(typing.call(), Some(theirs), "{typing}");
    assert_eq!(typing.bool("is_typing"), Some(true), "{typing}");

    bob.send_im(theirs, "hello ferrosip").unwrap();
    bob.typing(theirs, false).unwrap();
    lib.wait("PJSUA2's MESSAGE and typing", || {
        alice.count(|s| matches!(s, Seen::Im(..))) == 1
            && alice.count(|s| matches!(s, Seen::Typing(..))) == 1
    });
    assert!(alice.seen().contains(&Seen::Im(
        call.id(),
        "text/plain".into(),
        "hello ferrosip".into()
    )));
    assert!(alice.seen().contains(&Seen::Typing(call.id(), false)));
    let status = lib.expect(&mut bob, "the MESSAGE's answer", |e| {
        e.is("im_status") && e.str("body") == Some("hello ferrosip")
    });
    assert_eq!(status.u64("code"), Some(200), "{status}");
    assert_eq!(status.call(), Some(theirs), "{status}");
    call.hangup(&CallOpParam::default()).unwrap();
    lib.expect_state(&mut bob, theirs, "DISCONNECTED");
}

#[test]
fn ferrosip_transfers_pjsua2_to_another_ferrosip_party() {
    if !installed() {
        return;
    }
    // Alice (ferrosip) talks with bob (PJSUA2), then sends bob to carol
    // (ferrosip, another account): bob calls carol and reports the call's
    // progress in NOTIFYs.
    let lib = Lib::start(&["alice", "carol"]);
    lib.give_audio(1, 800);
    let (alice, carol) = (lib.party(0), lib.party(1));
    let mut bob = peer("bob").auto_answer(200).tone(1000).start().unwrap();
    let (call, theirs) = lib.call_peer(0, &mut bob);

    call.xfer(lib.uri(1), &CallOpParam::default()).unwrap();
    let request = lib.expect(&mut bob, "the REFER", |e| e.is("transfer_request"));
    assert_eq!(request.call(), Some(theirs), "{request}");
    // ferrosip's Refer-To is a name-addr (`<sip:…>`).
    let dst = request.str("dst_uri").unwrap();
    assert_eq!(dst.trim_matches(['<', '>']), lib.uri(1), "{request}");
    assert_eq!(request.u64("code"), Some(202), "{request}");
    let new_call = request.u64("new_call").unwrap();
    lib.wait("the transferred call and the final NOTIFY", || {
        carol.up(0)
            && alice.transfer_statuses(&call).contains(&(200, true))
            && alice.state_of(&call) == Some(InvState::Disconnected)
    });
    lib.expect_state(&mut bob, new_call, "CONFIRMED");
    lib.expect_media(&mut bob, new_call, "active");
    // The NOTIFYs: progress first (100 Trying, the ringing), then the
    // final 200.
    let statuses = alice.transfer_statuses(&call);
    eprintln!("ferrosip's transfer statuses: {statuses:?}");
    assert_eq!(statuses.first(), Some(&(100, false)), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&(200, true)), "{statuses:?}");
    assert!(
        statuses[..statuses.len() - 1]
            .iter()
            .all(|s| !s.1 && s.0 < 200)
    );
    // Alice hung up after the final NOTIFY: bob's first call ended.
    lib.expect_state(&mut bob, theirs, "DISCONNECTED");
    let at_carol = carol.call(0);
    assert!(at_carol.info().unwrap().remote_uri.contains("bob"));

    // Carol and bob hear each other.
    let (heard, wav) = lib.listen(1, &mut bob, new_call, "from-carol");
    assert_heard(&at_ferrosip(&heard, THEIRS), "carol heard bob");
    assert_heard(&at_pjsua2(&wav, 800.0), "bob heard carol");
    at_carol.hangup(&CallOpParam::default()).unwrap();
    lib.expect_state(&mut bob, new_call, "DISCONNECTED");
}

#[test]
fn pjsua2_transfers_ferrosip_to_another_pjsua2() {
    if !installed() {
        return;
    }
    // Alice (PJSUA2) talks with bob (ferrosip), then sends bob to carol
    // (another PJSUA2): ferrosip calls carol and sends alice NOTIFYs.
    let lib = Lib::start(&["bob"]);
    lib.give_audio(0, OURS as i16);
    let bob = lib.party(0);
    let mut alice = peer("alice").start().unwrap();
    let mut carol = peer("carol").auto_answer(200).tone(1000).start().unwrap();
    let (call, ours) = lib.called_by(0, &mut alice);

    alice.xfer(call, carol.uri()).unwrap();
    let incoming = lib.expect(&mut carol, "the transferred call", |e| {
        e.is("incoming_call")
    });
    let at_carol = incoming.call().unwrap();
    assert!(
        incoming.str("remote_uri").unwrap().contains("sip:bob@"),
        "{incoming}"
    );
    // The INVITE says who referred it.
    let headers = incoming.get("headers").unwrap();
    let referred_by = headers
        .get("Referred-By")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    assert!(referred_by.contains("alice"), "{incoming}");
    lib.wait("ferrosip's new call", || bob.up(1));
    lib.expect_state(&mut carol, at_carol, "CONFIRMED");
    assert!(
        bob.seen()
            .contains(&Seen::TransferRequest(ours.id(), carol.uri().to_owned()))
    );
    let new_call = bob.call(1);
    assert!(new_call.info().unwrap().remote_uri.contains("carol"));

    // Alice sees the progress in ferrosip's NOTIFYs, then the final 200.
    let mut statuses = Vec::new();
    loop {
        let e = lib.expect(&mut alice, "a transfer status", |e| {
            e.is("transfer_status") && e.call() == Some(call)
        });
        statuses.push((e.u64("code").unwrap(), e.bool("final").unwrap()));
        if e.bool("final") == Some(true) {
            break;
        }
    }
    eprintln!("PJSUA2's transfer statuses: {statuses:?}");
    assert_eq!(statuses.last(), Some(&(200, true)), "{statuses:?}");
    assert!(
        statuses.len() >= 2,
        "no progress before the end: {statuses:?}"
    );
    alice.hangup(call, 0).unwrap();
    lib.wait("the first call to end", || {
        bob.state_of(&ours) == Some(InvState::Disconnected)
    });

    // Bob and carol hear each other.
    let (heard, wav) = lib.listen(0, &mut carol, at_carol, "from-bob");
    assert_heard(&at_ferrosip(&heard, THEIRS), "bob heard carol");
    assert_heard(&at_pjsua2(&wav, OURS), "carol heard bob");
    carol.hangup(at_carol, 0).unwrap();
    lib.wait("the hangup", || {
        bob.state_of(&new_call) == Some(InvState::Disconnected)
    });
}

#[test]
fn ferrosip_joins_two_pjsua2_calls_by_attended_transfer() {
    if !installed() {
        return;
    }
    // Alice (ferrosip) talks with bob, consults carol (both PJSUA2), then
    // refers bob to carol replacing her call with carol.
    let lib = Lib::start(&["alice"]);
    let alice = lib.party(0);
    let mut bob = peer("bob").auto_answer(200).tone(1000).start().unwrap();
    let mut carol = peer("carol").auto_answer(200).tone(440).start().unwrap();
    let (alice_bob, at_bob) = lib.call_peer(0, &mut bob);
    alice_bob.set_hold(&CallOpParam::default()).unwrap();
    lib.expect_media(&mut bob, at_bob, "remote_hold");
    let (alice_carol, at_carol) = lib.call_peer(0, &mut carol);

    alice_bob
        .xfer_replaces(&alice_carol, &CallOpParam::default())
        .unwrap();
    let request = lib.expect(&mut bob, "the REFER", |e| {
        e.is("transfer_request") && e.call() == Some(at_bob)
    });
    let dst = request.str("dst_uri").unwrap();
    assert!(dst.contains("Replaces="), "{request}");
    assert!(dst.contains("carol"), "{request}");
    let bob_carol = request.u64("new_call").unwrap();
    let replace = lib.expect(&mut carol, "the INVITE with Replaces", |e| {
        e.is("replace_request") && e.call() == Some(at_carol)
    });
    assert_eq!(replace.u64("code"), Some(200), "{replace}");
    let carol_bob = replace.u64("new_call").unwrap();
    let replaced = lib.expect(&mut carol, "the replacement", |e| {
        e.is("replaced") && e.call() == Some(at_carol)
    });
    assert_eq!(replaced.u64("new_call"), Some(carol_bob), "{replaced}");
    lib.expect_state(&mut bob, bob_carol, "CONFIRMED");
    lib.expect_state(&mut carol, carol_bob, "CONFIRMED");
    // Carol hangs up the replaced call; alice's transfer ends with 200,
    // and alice hangs up with bob.
    lib.expect_state(&mut carol, at_carol, "DISCONNECTED");
    lib.wait("the replaced call and the final NOTIFY", || {
        alice.state_of(&alice_carol) == Some(InvState::Disconnected)
            && alice.transfer_statuses(&alice_bob).contains(&(200, true))
            && alice.state_of(&alice_bob) == Some(InvState::Disconnected)
    });
    lib.expect_state(&mut bob, at_bob, "DISCONNECTED");
    eprintln!(
        "ferrosip's transfer statuses: {:?}",
        alice.transfer_statuses(&alice_bob)
    );

    // Bob and carol hear each other.
    lib.expect_media(&mut bob, bob_carol, "active");
    let at_carol_path = carol.run_dir().join("from-bob.wav");
    carol.record(carol_bob, &at_carol_path).unwrap();
    let at_bob_path = bob.run_dir().join("from-carol.wav");
    bob.record(bob_carol, &at_bob_path).unwrap();
    lib.run_for(SETTLE_MS + WINDOW_MS);
    carol.stop_record(carol_bob).unwrap();
    bob.stop_record(bob_carol).unwrap();
    assert_heard(
        &at_pjsua2(&Wav::read(&at_carol_path).unwrap(), THEIRS),
        "carol heard bob",
    );
    assert_heard(
        &at_pjsua2(&Wav::read(&at_bob_path).unwrap(), 440.0),
        "bob heard carol",
    );
    bob.hangup(bob_carol, 0).unwrap();
    carol.expect_call_state(carol_bob, "DISCONNECTED").unwrap();
}

#[test]
fn pjsua2_joins_pjsua2_and_ferrosip_by_attended_transfer() {
    if !installed() {
        return;
    }
    // Alice (PJSUA2) talks with bob (PJSUA2), consults carol (ferrosip),
    // then refers bob to carol with Replaces: bob's INVITE replaces
    // carol's call with alice.
    let lib = Lib::start(&["carol"]);
    lib.give_audio(0, OURS as i16);
    let carol = lib.party(0);
    let mut bob = peer("bob").auto_answer(200).tone(1000).start().unwrap();
    let mut alice = peer("alice").start().unwrap();
    let to_bob = alice.make_call(bob.uri()).unwrap();
    let at_bob = bob.expect_kind("incoming_call").unwrap().call().unwrap();
    alice.expect_call_state(to_bob, "CONFIRMED").unwrap();
    alice.hold(to_bob).unwrap();
    alice.expect_media_state(to_bob, "local_hold").unwrap();
    let (to_carol, carol_alice) = lib.called_by(0, &mut alice);

    alice.xfer_replaces(to_bob, to_carol).unwrap();
    let request = bob.expect_call_event(at_bob, "transfer_request").unwrap();
    assert!(
        request.str("dst_uri").unwrap().contains("Replaces="),
        "{request}"
    );
    let bob_carol = request.u64("new_call").unwrap();
    lib.wait("the replacement", || {
        carol.calls() >= 2
            && carol.up(1)
            && carol.state_of(&carol_alice) == Some(InvState::Disconnected)
    });
    let carol_bob = carol.call(1);
    assert!(
        carol
            .seen()
            .contains(&Seen::ReplaceRequest(carol_alice.id()))
    );
    assert!(
        carol
            .seen()
            .contains(&Seen::Replaced(carol_alice.id(), carol_bob.id()))
    );
    assert!(carol_bob.info().unwrap().remote_uri.contains("bob"));
    lib.expect_state(&mut bob, bob_carol, "CONFIRMED");
    lib.expect_state(&mut alice, to_carol, "DISCONNECTED");
    let last = lib.expect(&mut alice, "the final NOTIFY", |e| {
        e.is("transfer_status") && e.call() == Some(to_bob) && e.bool("final") == Some(true)
    });
    assert_eq!(last.u64("code"), Some(200), "{last}");
    alice.hangup(to_bob, 0).unwrap();
    bob.expect_call_state(at_bob, "DISCONNECTED").unwrap();

    // Bob and carol hear each other.
    lib.expect_media(&mut bob, bob_carol, "active");
    let (heard, wav) = lib.listen(0, &mut bob, bob_carol, "from-carol");
    assert_heard(&at_ferrosip(&heard, THEIRS), "carol heard bob");
    assert_heard(&at_pjsua2(&wav, OURS), "bob heard carol");
    bob.hangup(bob_carol, 0).unwrap();
    lib.wait("the hangup", || {
        carol.state_of(&carol_bob) == Some(InvState::Disconnected)
    });
}

#[test]
fn pjsua2_holds_ferrosip_the_rfc2543_way() {
    if !installed() {
        return;
    }
    // PJSUA2's holdType RFC 2543: the hold's offer says c=0.0.0.0 and
    // a=inactive; ferrosip answers inactive, REMOTE_HOLD with no
    // direction, and neither side hears the other.
    let lib = Lib::start(&["bob"]);
    lib.give_audio(0, OURS as i16);
    let mut alice = peer("alice").hold_rfc2543().tone(1000).start().unwrap();
    let (call, ours) = lib.called_by(0, &mut alice);
    alice.hold(call).unwrap();
    let held = lib.expect_media(&mut alice, call, "local_hold");
    assert_eq!(held.str("dir"), Some("inactive"), "{held}");
    lib.wait("ferrosip's remote hold", || {
        media_of(&ours).0 == CallMediaStatus::RemoteHold
    });
    assert_eq!(
        media_of(&ours),
        (CallMediaStatus::RemoteHold, MediaDir::None)
    );
    let (heard, wav) = lib.listen(0, &mut alice, call, "on-hold");
    assert_not_heard(&at_ferrosip(&heard, THEIRS), "on hold, ferrosip heard");
    assert_not_heard(&at_pjsua2(&wav, OURS), "on hold, PJSUA2 heard");

    alice.unhold(call).unwrap();
    lib.expect_media(&mut alice, call, "active");
    lib.wait("ferrosip's unhold", || {
        media_of(&ours).0 == CallMediaStatus::Active
    });
    assert_eq!(
        media_of(&ours),
        (CallMediaStatus::Active, MediaDir::EncodingDecoding)
    );
    let (heard, wav) = lib.listen(0, &mut alice, call, "after-unhold");
    assert_heard(&at_ferrosip(&heard, THEIRS), "after unhold, ferrosip heard");
    assert_heard(&at_pjsua2(&wav, OURS), "after unhold, PJSUA2 heard");
    alice.hangup(call, 0).unwrap();
    lib.wait("the hangup", || {
        lib.party(0).state_of(&ours) == Some(InvState::Disconnected)
    });
}

#[test]
fn pjsua2_joins_ferrosip_and_pjsua2_by_attended_transfer() {
    if !installed() {
        return;
    }
    // Alice (PJSUA2) talks with bob (ferrosip), consults carol (PJSUA2),
    // then refers bob to carol with Replaces: ferrosip's INVITE, with the
    // Replaces taken from PJSUA2's Refer-To, replaces carol's call with
    // alice.
    let lib = Lib::start(&["bob"]);
    lib.give_audio(0, OURS as i16);
    let bob = lib.party(0);
    let mut alice = peer("alice").start().unwrap();
    let mut carol = peer("carol").auto_answer(200).tone(1000).start().unwrap();
    let (to_bob, bob_alice) = lib.called_by(0, &mut alice);
    alice.hold(to_bob).unwrap();
    lib.expect_media(&mut alice, to_bob, "local_hold");
    let to_carol = alice.make_call(carol.uri()).unwrap();
    let at_carol = carol.expect_kind("incoming_call").unwrap().call().unwrap();
    alice.expect_call_state(to_carol, "CONFIRMED").unwrap();
    carol.expect_call_state(at_carol, "CONFIRMED").unwrap();

    alice.xfer_replaces(to_bob, to_carol).unwrap();
    let replace = lib.expect(&mut carol, "the INVITE with Replaces", |e| {
        e.is("replace_request") && e.call() == Some(at_carol)
    });
    assert_eq!(replace.u64("code"), Some(200), "{replace}");
    let carol_bob = replace.u64("new_call").unwrap();
    let replaced = lib.expect(&mut carol, "the replacement", |e| {
        e.is("replaced") && e.call() == Some(at_carol)
    });
    assert_eq!(replaced.u64("new_call"), Some(carol_bob), "{replaced}");
    lib.wait("ferrosip's new call", || bob.up(1));
    lib.expect_state(&mut carol, carol_bob, "CONFIRMED");
    // ferrosip was asked to call carol (the Replaces is not in the URI).
    let asked: Vec<String> = bob
        .seen()
        .into_iter()
        .filter_map(|s| match s {
            Seen::TransferRequest(c, uri) if c == bob_alice.id() => Some(uri),
            _ => None,
        })
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(asked[0].contains("carol"), "{asked:?}");
    assert!(!asked[0].contains("Replaces"), "{asked:?}");
    let new_call = bob.call(1);
    assert!(new_call.info().unwrap().remote_uri.contains("carol"));
    lib.expect_state(&mut carol, at_carol, "DISCONNECTED");
    lib.expect_state(&mut alice, to_carol, "DISCONNECTED");
    let last = lib.expect(&mut alice, "the final NOTIFY", |e| {
        e.is("transfer_status") && e.call() == Some(to_bob) && e.bool("final") == Some(true)
    });
    assert_eq!(last.u64("code"), Some(200), "{last}");
    alice.hangup(to_bob, 0).unwrap();
    lib.wait("the first call's end", || {
        bob.state_of(&bob_alice) == Some(InvState::Disconnected)
    });

    // Bob and carol hear each other.
    lib.expect_media(&mut carol, carol_bob, "active");
    let (heard, wav) = lib.listen(0, &mut carol, carol_bob, "from-bob");
    assert_heard(&at_ferrosip(&heard, THEIRS), "bob heard carol");
    assert_heard(&at_pjsua2(&wav, OURS), "carol heard bob");
    carol.hangup(carol_bob, 0).unwrap();
    lib.wait("the hangup", || {
        bob.state_of(&new_call) == Some(InvState::Disconnected)
    });
}
