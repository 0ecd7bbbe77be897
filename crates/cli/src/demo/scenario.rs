//! The demo call, step by step, and what it measures on the way.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferrosip::call::{Call, CallMediaStatus, InvState};
use ferrosip::config::{
    AccountConfig, CallOpParam, CallSendDtmfParam, CallSetting, DtmfMethod, EpConfig,
    SendInstantMessageParam, TransportConfig,
};
use ferrosip::log::LogWriterRef;
use ferrosip::media::{AudioMediaPlayer, AudioMediaRecorder, StreamStat, ToneDesc, ToneGenerator};
use ferrosip::{Account, Endpoint, TransportType};

use super::audio::{self, Heard};
use super::flow::{Flow, SipLog};
use super::party::Party;
use super::verdict::{Stats, Verdict};

/// What alice plays: a tone, written to a WAV file at start.
pub(crate) const ALICE_HZ: f64 = 440.0;
/// Its level.
pub(crate) const ALICE_DBFS: f64 = -12.0;
/// What bob plays: a tone generator's tone, at its default volume.
pub(crate) const BOB_HZ: f64 = 1000.0;
/// The digits alice sends.
pub(crate) const DIGITS: &str = "1234#";
/// The message alice sends.
pub(crate) const MESSAGE: &str = "Hello Bob! This came in a SIP MESSAGE within the call.";

/// How long each wait for the other side may take before the step fails.
const STEP_TIMEOUT: Duration = Duration::from_secs(3);

/// The demo's options.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// Print the verdict only.
    pub(crate) quiet: bool,
    /// Keep the WAV files in this directory (else a temporary one, removed).
    pub(crate) keep: Option<PathBuf>,
}

/// The endpoint with its two parties, destroyed on drop.
struct Demo {
    ep: Endpoint,
    flow: Arc<Flow>,
    alice: Party,
    bob: Party,
    /// Kept alive for the call.
    _accounts: Vec<Account>,
    alice_uri: String,
    bob_uri: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        for p in [&self.alice, &self.bob] {
            let mut s = p.lock();
            s.source = None;
            s.sinks.clear();
            s.call = None;
        }
        let _ = self.ep.lib_destroy();
    }
}

impl Demo {
    fn start(flow: &Arc<Flow>) -> ferrosip::Result<Self> {
        let ep = Endpoint::new();
        ep.lib_create()?;
        let mut cfg = EpConfig::default();
        // Callbacks run on this thread, inside lib_handle_events.
        cfg.ua_config.thread_cnt = 0;
        // Level 4 carries the SIP messages; the writer keeps those (and
        // errors) for the flow.
        cfg.log_config.level = 4;
        cfg.log_config.console_level = 4;
        cfg.log_config.msg_logging = 1;
        cfg.log_config.decor = 0;
        cfg.log_config.writer = Some(LogWriterRef::new(SipLog(flow.clone())));
        ep.lib_init(&cfg)?;
        let sip = TransportConfig {
            bound_address: "127.0.0.1".into(),
            port: 0,
            ..TransportConfig::default()
        };
        let transports = [
            ep.transport_create(TransportType::Udp, &sip)?,
            ep.transport_create(TransportType::Udp, &sip)?,
        ];
        ep.lib_start()?;
        let alice = Party::new("alice", flow);
        let bob = Party::new("bob", flow);
        let mut accounts = Vec::new();
        let mut uris = Vec::new();
        for (party, t) in [(&alice, transports[0]), (&bob, transports[1])] {
            let addr = ep.transport_get_info(t)?.local_name;
            if let Ok(a) = addr.parse() {
                flow.add_party(a, party.name);
            }
            let uri = format!("sip:{}@{addr}", party.name);
            let mut acfg = AccountConfig {
                id_uri: format!("<{uri}>"),
                ..AccountConfig::default()
            };
            acfg.sip_config.transport_id = t;
            // RTP on loopback too, on ports the system picks.
            acfg.media_config.transport_config.bound_address = "127.0.0.1".into();
            acfg.media_config.transport_config.port = 0;
            accounts.push(Account::create(&ep, &acfg, false, party.clone())?);
            uris.push(uri);
        }
        Ok(Self {
            ep,
            flow: flow.clone(),
            alice,
            bob,
            _accounts: accounts,
            alice_uri: uris[0].clone(),
            bob_uri: uris[1].clone(),
        })
    }

    /// Handles events for `ms` milliseconds.
    fn run_for(&self, ms: u64) {
        let end = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < end {
            let _ = self.ep.lib_handle_events(10);
        }
    }

    /// Handles events until `done`, or fails with `what` after
    /// [`STEP_TIMEOUT`].
    fn wait(&self, what: &str, mut done: impl FnMut() -> bool) -> Result<(), String> {
        let end = Instant::now() + STEP_TIMEOUT;
        while Instant::now() < end {
            let _ = self.ep.lib_handle_events(10);
            if done() {
                return Ok(());
            }
        }
        Err(format!("{what}: not within {} s", STEP_TIMEOUT.as_secs()))
    }

    fn both_media(&self, alice: CallMediaStatus, bob: CallMediaStatus) -> bool {
        self.alice.media_state() == Some(alice) && self.bob.media_state() == Some(bob)
    }
}

/// What the sound ports of the demo are.
struct Sound {
    _player: AudioMediaPlayer,
    _tone: ToneGenerator,
    recorder: Option<AudioMediaRecorder>,
    _alice_ear_port: ferrosip::media::AudioMediaPort,
    alice_ear: audio::Ear,
    _bob_ear_port: ferrosip::media::AudioMediaPort,
    bob_ear: audio::Ear,
}

impl Sound {
    /// What each ear heard over the next `ms` (after `settle` ms).
    fn listen(&self, demo: &Demo, settle: u64, ms: u64) -> (Heard, Heard) {
        demo.run_for(settle);
        self.alice_ear.take();
        self.bob_ear.take();
        demo.run_for(ms);
        (
            audio::measure(&self.alice_ear.take(), audio::RATE),
            audio::measure(&self.bob_ear.take(), audio::RATE),
        )
    }
}

fn sound(demo: &Demo, dir: &Path) -> Result<Sound, String> {
    let sent = dir.join("sent.wav");
    audio::write_tone_wav(&sent, ALICE_HZ, ALICE_DBFS, 2.0)
        .map_err(|e| format!("writing {}: {e}", sent.display()))?;
    let ep = &demo.ep;
    let e = |what: &str, err: ferrosip::Error| format!("{what}: {err}");
    let player = AudioMediaPlayer::create_player(ep, &sent, 0).map_err(|x| e("player", x))?;
    let tone =
        ToneGenerator::create_tone_generator(ep, audio::RATE, 1).map_err(|x| e("tone", x))?;
    tone.play(
        &[ToneDesc {
            freq1: BOB_HZ as i16,
            on_msec: 1000,
            ..ToneDesc::default()
        }],
        true,
    )
    .map_err(|x| e("tone", x))?;
    let received = dir.join("received.wav");
    let recorder = AudioMediaRecorder::create_recorder(ep, &received, 0, 0, 0)
        .map_err(|x| e("recorder", x))?;
    let (alice_ear_port, alice_ear) =
        audio::ear_port(ep, "alice's ear").map_err(|x| e("ear", x))?;
    let (bob_ear_port, bob_ear) = audio::ear_port(ep, "bob's ear").map_err(|x| e("ear", x))?;
    {
        let mut a = demo.alice.lock();
        a.source = Some((*player).clone());
        a.sinks = vec![(*alice_ear_port).clone()];
    }
    {
        let mut b = demo.bob.lock();
        b.source = Some((*tone).clone());
        b.sinks = vec![(*recorder).clone(), (*bob_ear_port).clone()];
    }
    Ok(Sound {
        _player: player,
        _tone: tone,
        recorder: Some(recorder),
        _alice_ear_port: alice_ear_port,
        alice_ear,
        _bob_ear_port: bob_ear_port,
        bob_ear,
    })
}

/// What was measured along the way.
#[derive(Default)]
pub(crate) struct Measured {
    /// alice and bob, while talking.
    pub(crate) talk: Option<(Heard, Heard)>,
    /// alice and bob, on hold.
    pub(crate) hold: Option<(Heard, Heard)>,
    /// RTP packets received on hold by alice, sent by bob, received by bob.
    pub(crate) hold_rtp: Option<(u64, u64, u64)>,
    /// How long the hold window was, s.
    pub(crate) hold_secs: f64,
    /// alice and bob, after the unhold.
    pub(crate) unhold: Option<(Heard, Heard)>,
    /// The final statistics of alice's and bob's stream.
    pub(crate) stats: Option<Stats>,
    /// The recording: all of it (seconds), and its first second of sound.
    pub(crate) recording: Option<(f64, Heard)>,
    /// Why the call did not go to its end.
    pub(crate) failure: Option<String>,
}

/// Runs the demo; the verdict says whether it passed.
pub(crate) fn run(opts: &Options) -> Verdict {
    let flow = Flow::new(opts.quiet);
    let (dir, temporary) = match &opts.keep {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("ferrosip-demo-{}", std::process::id())),
            true,
        ),
    };
    let mut measured = Measured::default();
    let demo = match std::fs::create_dir_all(&dir) {
        Err(e) => Err(format!("creating {}: {e}", dir.display())),
        Ok(()) => Demo::start(&flow).map_err(|e| format!("starting the endpoint: {e}")),
    };
    let (digits, messages, message_status, states, errors) = match demo {
        Err(e) => {
            measured.failure = Some(e);
            Default::default()
        }
        Ok(demo) => {
            header(&demo, &dir);
            match sound(&demo, &dir) {
                Err(e) => measured.failure = Some(e),
                Ok(mut sound) => {
                    if let Err(e) = call(&demo, &sound, &mut measured) {
                        demo.flow.event("demo", &format!("FAILED: {e}"));
                        measured.failure = Some(e);
                    }
                    if let Some(rec) = sound.recorder.take() {
                        let path = dir.join("received.wav");
                        measured.recording = rec
                            .close()
                            .map_err(|e| e.to_string())
                            .and_then(|()| audio::read_wav(&path))
                            .map(|(samples, rate)| {
                                let secs = samples.len() as f64 / f64::from(rate);
                                let first = audio::after_onset(&samples, rate, 0.2, 1.0);
                                (secs, audio::measure(first, rate))
                            })
                            .ok();
                    }
                }
            }
            let b = demo.bob.lock();
            let a = demo.alice.lock();
            let states = (a.states.clone(), b.states.clone());
            let mut errors = a.errors.clone();
            errors.extend(b.errors.iter().cloned());
            (
                b.digits.clone(),
                b.messages.clone(),
                a.message_status.clone(),
                states,
                errors,
            )
        }
    };
    let verdict = Verdict::judge(
        &measured,
        &digits,
        &messages,
        &message_status,
        &states,
        &errors,
        flow.secs(),
    );
    verdict.print(&flow, &measured);
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!(
            "The files are in {}: sent.wav (what alice played), received.wav (what bob recorded).",
            dir.display()
        );
    }
    verdict
}

fn header(demo: &Demo, dir: &Path) {
    let flow = &demo.flow;
    flow.say(
        "ferrosip demo: a call between two SIP phones in this process, over loopback, no server",
    );
    flow.say("");
    flow.say(&format!(
        "  alice  {:<30} plays a {ALICE_HZ} Hz tone at {ALICE_DBFS} dBFS (sent.wav, written at start)",
        demo.alice_uri
    ));
    flow.say(&format!(
        "  bob    {:<30} answers, plays a {BOB_HZ} Hz tone, records what it hears (received.wav)",
        demo.bob_uri
    ));
    flow.say(&format!(
        "         (one ferrosip endpoint, two accounts, each on its own UDP port; files in {})",
        dir.display()
    ));
    flow.say("");
    flow.say(
        "  alice calls bob; they talk for a second; alice dials DTMF and sends bob a message;",
    );
    flow.say("  alice puts bob on hold for a second, then takes the call back; bob hangs up.");
    flow.say(
        "  Below, as it happens: each side's call and media states, and each SIP message sent",
    );
    flow.say("  (sender → receiver, first line, SDP in brief). Time is since start.");
    flow.say("");
}

/// The call, from dialing to hanging up.
fn call(demo: &Demo, sound: &Sound, m: &mut Measured) -> Result<(), String> {
    let (alice, bob) = (&demo.alice, &demo.bob);
    alice.say(&format!("calls {}", demo.bob_uri));
    let call = Call::make_call(
        &demo._accounts[0],
        &demo.bob_uri,
        &CallOpParam::new(true),
        alice.clone(),
    )
    .map_err(|e| format!("making the call: {e}"))?;
    alice.lock().call = Some(call.clone());
    demo.wait("the call to be answered, with media both ways", || {
        alice.call_state() == Some(InvState::Confirmed)
            && bob.call_state() == Some(InvState::Confirmed)
            && demo.both_media(CallMediaStatus::Active, CallMediaStatus::Active)
    })?;
    let bob_call = bob.call().ok_or("bob has no call")?;

    demo.flow.event(
        "alice, bob",
        "talk for a second (alice listens for 1000 Hz, bob for 440 Hz)",
    );
    let talk = sound.listen(demo, 200, 1000);
    alice.say(&format!(
        "hears {:.1} Hz at {}",
        talk.0.freq,
        talk.0.level()
    ));
    bob.say(&format!(
        "hears {:.1} Hz at {}",
        talk.1.freq,
        talk.1.level()
    ));
    m.talk = Some(talk);

    alice.say(&format!(
        "dials DTMF {DIGITS} (RFC 4733) and sends bob a message"
    ));
    call.send_dtmf(&CallSendDtmfParam {
        method: DtmfMethod::Rfc2833,
        duration: 100,
        digits: DIGITS.into(),
    })
    .map_err(|e| format!("sending DTMF: {e}"))?;
    call.send_instant_message(&SendInstantMessageParam {
        content: MESSAGE.into(),
        ..SendInstantMessageParam::default()
    })
    .map_err(|e| format!("sending the message: {e}"))?;
    demo.wait("the digits and the message to reach bob", || {
        bob.lock().digits.len() >= DIGITS.len()
            && !bob.lock().messages.is_empty()
            && !alice.lock().message_status.is_empty()
    })?;

    alice.say("puts the call on hold (re-INVITE with a=sendonly)");
    call.set_hold(&CallOpParam::default())
        .map_err(|e| format!("holding: {e}"))?;
    demo.wait("the hold", || {
        demo.both_media(CallMediaStatus::LocalHold, CallMediaStatus::RemoteHold)
    })?;
    demo.run_for(200);
    let rx = |c: &Call| c.stream_stat(0).map(|s| s.rtcp.rx_stat.pkt).unwrap_or(0);
    let tx = |c: &Call| c.stream_stat(0).map(|s| s.rtcp.tx_stat.pkt).unwrap_or(0);
    let before = (rx(&call), tx(&bob_call), rx(&bob_call));
    let started = Instant::now();
    let hold = sound.listen(demo, 0, 800);
    m.hold_secs = started.elapsed().as_secs_f64();
    let after = (rx(&call), tx(&bob_call), rx(&bob_call));
    m.hold_rtp = Some((after.0 - before.0, after.1 - before.1, after.2 - before.2));
    alice.say(&format!(
        "on hold hears {} ({} RTP packets in {:.1} s)",
        hold.0.level(),
        after.0 - before.0,
        m.hold_secs
    ));
    bob.say(&format!(
        "on hold hears {:.1} Hz at {} (music on hold); sent {} RTP packets",
        hold.1.freq,
        hold.1.level(),
        after.1 - before.1
    ));
    m.hold = Some(hold);

    alice.say("takes the call back (re-INVITE with a=sendrecv)");
    let mut unhold = CallOpParam::default();
    unhold.opt.flag |= CallSetting::UNHOLD;
    call.reinvite(&unhold)
        .map_err(|e| format!("unholding: {e}"))?;
    demo.wait("the unhold", || {
        demo.both_media(CallMediaStatus::Active, CallMediaStatus::Active)
    })?;
    let back = sound.listen(demo, 200, 600);
    alice.say(&format!(
        "hears {:.1} Hz at {} again",
        back.0.freq,
        back.0.level()
    ));
    bob.say(&format!(
        "hears {:.1} Hz at {} again",
        back.1.freq,
        back.1.level()
    ));
    m.unhold = Some(back);

    m.stats = Some(Stats {
        alice: stat(&call)?,
        bob: stat(&bob_call)?,
    });
    bob.say("hangs up");
    bob_call
        .hangup(&CallOpParam::default())
        .map_err(|e| format!("hanging up: {e}"))?;
    demo.wait("both sides to be disconnected", || {
        alice.call_state() == Some(InvState::Disconnected)
            && bob.call_state() == Some(InvState::Disconnected)
    })?;
    // The BYE's answer.
    demo.run_for(50);
    Ok(())
}

fn stat(call: &Call) -> Result<StreamStat, String> {
    call.stream_stat(0)
        .map_err(|e| format!("reading the stream statistics: {e}"))
}
