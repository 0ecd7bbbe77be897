//! What happens without being asked: the account and call handlers, which
//! print pjsua's status lines, answer incoming calls, and connect each
//! call's audio as the options say.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ferrosip::call::{
    Call, CallHandler, CallMediaStatus, InvState, OnCallMediaStateParam, OnCallRedirectedParam,
    OnCallReplaceRequestParam, OnCallReplacedParam, OnCallStateParam, OnCallTransferRequestParam,
    OnCallTransferStatusParam, OnDtmfDigitParam, OnIncomingCallParam, OnInstantMessageParam,
    OnInstantMessageStatusParam, RedirectOp,
};
use ferrosip::config::CallOpParam;
use ferrosip::media::AudioMedia;
use ferrosip::{Account, AccountHandler, OnRegStateParam};

use crate::options::{AppCallOptions, AppMediaOptions};

/// The softphone's state shared by its handlers and its console.
#[derive(Default)]
pub(crate) struct State {
    /// The live calls, by id.
    pub(crate) calls: BTreeMap<i32, Call>,
    /// The current call (the one `h`, `H`, `#`… act on).
    pub(crate) current: Option<i32>,
    /// Calls to hang up at a time (`--duration`).
    pub(crate) deadlines: Vec<(Instant, i32)>,
    /// The first player or tone generator (`--auto-play`).
    pub(crate) player: Option<AudioMedia>,
    /// The recorder (`--auto-rec`).
    pub(crate) recorder: Option<AudioMedia>,
    /// The sound device's capture and playback ports.
    pub(crate) sound: Option<(AudioMedia, AudioMedia)>,
    /// Every call's audio stream, once it has one.
    pub(crate) streams: BTreeMap<i32, AudioMedia>,
}

/// The handlers of every account and call: the shared state and the
/// options that drive the automatic behaviour.
#[derive(Clone)]
pub(crate) struct Events {
    state: Arc<Mutex<State>>,
    media: Arc<AppMediaOptions>,
    call: Arc<AppCallOptions>,
}

impl Events {
    /// Handlers over `state`, with the application's options.
    pub(crate) fn new(
        state: Arc<Mutex<State>>,
        media: AppMediaOptions,
        call: AppCallOptions,
    ) -> Self {
        Self {
            state,
            media: Arc::new(media),
            call: Arc::new(call),
        }
    }

    /// The shared state. Never call into ferrosip while holding it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Files a call just made or taken, making it current if none is.
    pub(crate) fn add_call(&self, call: Call) {
        let mut s = self.lock();
        let id = call.id();
        s.calls.insert(id, call);
        if s.current.is_none() {
            s.current = Some(id);
        }
    }
}

/// Locks `m`, even if a thread panicked holding it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Prints a status line at once (stdout may be a pipe).
pub(crate) fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// The header `name` of a whole SIP message, without parameters of tags.
fn header<'a>(msg: &'a str, names: &[&str]) -> Option<&'a str> {
    msg.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        names
            .iter()
            .any(|want| n.trim().eq_ignore_ascii_case(want))
            .then(|| v.trim())
    })
}

/// PJSUA's name of a media status, as pjsua prints it.
pub(crate) fn media_status_name(s: CallMediaStatus) -> &'static str {
    match s {
        CallMediaStatus::None => "None",
        CallMediaStatus::Active => "Active",
        CallMediaStatus::LocalHold => "Local hold",
        CallMediaStatus::RemoteHold => "Remote hold",
        CallMediaStatus::Error => "Error",
    }
}

impl AccountHandler for Events {
    fn on_reg_state(&mut self, account: &Account, prm: &OnRegStateParam) {
        let uri = account
            .info()
            .map(|i| i.uri)
            .unwrap_or_else(|_| format!("Account {}", account.id()));
        if (200..300).contains(&prm.code) {
            if prm.expiration == 0 {
                say(&format!("{uri}: unregistration success"));
            } else {
                say(&format!(
                    "{uri}: registration success, status={} ({}), will re-register in {} seconds",
                    prm.code, prm.reason, prm.expiration
                ));
            }
        } else {
            say(&format!(
                "{uri}: registration failed, status={} ({})",
                prm.code, prm.reason
            ));
        }
    }

    fn on_incoming_call(&mut self, account: &Account, prm: &OnIncomingCallParam) {
        let call = match Call::from_incoming(account, prm.call_id, self.clone()) {
            Ok(call) => call,
            Err(e) => {
                say(&format!("Error taking call {}: {e}", prm.call_id));
                return;
            }
        };
        // As pjsua: the call is filed (current if there is none) and
        // answered with --auto-answer's code if given (else nothing is
        // sent: the caller sees no ringing until `a 180`), then told.
        self.add_call(call.clone());
        if let Some(code) = self.call.auto_answer {
            let answer = CallOpParam {
                status_code: i32::from(code),
                ..CallOpParam::default()
            };
            if let Err(e) = call.answer(&answer) {
                say(&format!("Error answering call {}: {e}", call.id()));
            }
        }
        let msg = &prm.rdata.whole_msg;
        let from = header(msg, &["From", "f"]).unwrap_or("?");
        let to = header(msg, &["To", "t"]).unwrap_or("?");
        let audio = call.info().map_or(0, |i| i.rem_audio_count);
        say(&format!(
            "Incoming call for account {}!\nMedia count: {audio} audio & 0 video\nFrom: {from}\nTo: {to}\nPress a to answer or h to reject call",
            account.id()
        ));
    }
}

impl CallHandler for Events {
    fn on_call_state(&mut self, call: &Call, prm: &OnCallStateParam) {
        let id = call.id();
        match prm.state {
            InvState::Disconnected => {
                say(&format!(
                    "Call {id} is DISCONNECTED [reason={} ({})]",
                    prm.code, prm.reason
                ));
                let mut s = self.lock();
                s.calls.remove(&id);
                s.streams.remove(&id);
                s.deadlines.retain(|(_, c)| *c != id);
                if s.current == Some(id) {
                    s.current = s.calls.keys().next().copied();
                }
            }
            state => {
                // Calls the library made (a transfer's, a replacement)
                // are filed when they first show up.
                if !self.lock().calls.contains_key(&id) {
                    self.add_call(call.clone());
                }
                let mut line = format!("Call {id} state changed to {}", state.name());
                if state == InvState::Early && prm.code > 0 {
                    line.push_str(&format!(" ({} {})", prm.code, prm.reason));
                }
                say(&line);
                if state == InvState::Confirmed {
                    if let Some(sec) = self.call.duration.filter(|d| *d > 0) {
                        let at = Instant::now() + Duration::from_secs(u64::from(sec));
                        self.lock().deadlines.push((at, id));
                    }
                }
            }
        }
    }

    fn on_call_media_state(&mut self, call: &Call, _prm: &OnCallMediaStateParam) {
        let id = call.id();
        let Ok(info) = call.info() else {
            return;
        };
        for m in &info.media {
            say(&format!(
                "Call {id} media {} [type=audio], status is {}",
                m.index,
                media_status_name(m.status)
            ));
        }
        let active = info
            .media
            .first()
            .is_some_and(|m| m.status == CallMediaStatus::Active);
        if !active {
            return;
        }
        let Ok(stream) = call.audio_media(-1) else {
            return;
        };
        // What to connect, taken out of the lock first.
        let (player, recorder, sound, others) = {
            let mut s = self.lock();
            s.streams.insert(id, stream.clone());
            let others: Vec<AudioMedia> = s
                .streams
                .iter()
                .filter(|(c, _)| **c != id)
                .map(|(_, m)| m.clone())
                .collect();
            (
                s.player.clone(),
                s.recorder.clone(),
                s.sound.clone(),
                others,
            )
        };
        let m = &self.media;
        let mut links: Vec<(&AudioMedia, &AudioMedia, &str)> = Vec::new();
        if m.auto_play {
            if let Some(p) = &player {
                links.push((p, &stream, "the player to the call"));
            }
        }
        if m.auto_loop {
            links.push((&stream, &stream, "the call back to itself"));
        }
        if m.auto_rec {
            if let Some(r) = &recorder {
                links.push((&stream, r, "the call to the recorder"));
            }
        }
        if m.auto_conf {
            for o in &others {
                links.push((&stream, o, "the call to another call"));
                links.push((o, &stream, "another call to the call"));
            }
        }
        if m.auto_conf || !(m.auto_play || m.auto_loop) {
            if let Some((capture, playback)) = &sound {
                links.push((capture, &stream, "the microphone to the call"));
                links.push((&stream, playback, "the call to the speaker"));
            }
        }
        for (src, dst, what) in links {
            if let Err(e) = src.start_transmit(dst) {
                say(&format!("Error connecting {what}: {e}"));
            }
        }
    }

    fn on_dtmf_digit(&mut self, call: &Call, prm: &OnDtmfDigitParam) {
        say(&format!(
            "Incoming DTMF on call {}: {}",
            call.id(),
            prm.digit
        ));
    }

    fn on_instant_message(&mut self, call: &Call, prm: &OnInstantMessageParam) {
        say(&format!(
            "MESSAGE from {} (call {}): {}",
            prm.from_uri,
            call.id(),
            prm.msg_body
        ));
    }

    fn on_instant_message_status(&mut self, call: &Call, prm: &OnInstantMessageStatusParam) {
        say(&format!(
            "Delivery status of MESSAGE on call {}: {} ({})",
            call.id(),
            prm.code,
            prm.reason
        ));
    }

    fn on_call_transfer_request(&mut self, call: &Call, prm: &mut OnCallTransferRequestParam) {
        say(&format!(
            "Call {} is being transferred to {}",
            call.id(),
            prm.dst_uri
        ));
        prm.new_call = Some(Box::new(self.clone()));
    }

    fn on_call_transfer_status(&mut self, call: &Call, prm: &mut OnCallTransferStatusParam) {
        say(&format!(
            "Call {}: transfer status={} ({}){}",
            call.id(),
            prm.status_code,
            prm.reason,
            if prm.final_notify { " [final]" } else { "" }
        ));
        if prm.status_code / 100 == 2 {
            say(&format!(
                "Call {}: call transferred successfully, disconnecting call",
                call.id()
            ));
            let _ = call.hangup(&CallOpParam {
                status_code: 410,
                ..CallOpParam::default()
            });
            prm.cont = false;
        }
    }

    fn on_call_replace_request(&mut self, _call: &Call, prm: &mut OnCallReplaceRequestParam) {
        prm.new_call = Some(Box::new(self.clone()));
    }

    fn on_call_replaced(&mut self, call: &Call, prm: &OnCallReplacedParam) {
        say(&format!(
            "Call {} is being replaced by call {}",
            call.id(),
            prm.new_call.id()
        ));
    }

    fn on_call_redirected(&mut self, call: &Call, prm: &OnCallRedirectedParam) -> RedirectOp {
        let op = match self.call.accept_redirect {
            0 => RedirectOp::Reject,
            1 => RedirectOp::Accept,
            2 => RedirectOp::AcceptReplace,
            3 => RedirectOp::Pending,
            _ => RedirectOp::Stop,
        };
        if op == RedirectOp::Pending {
            say(&format!(
                "Call {} is being redirected to {}. Press 'Ra' to accept+replace To header, \
                 'RA' to accept, 'Rr' to reject, or 'Rs' to stop",
                call.id(),
                prm.target_uri
            ));
        } else {
            say(&format!(
                "Call {} is being redirected to {}",
                call.id(),
                prm.target_uri
            ));
        }
        op
    }
}
