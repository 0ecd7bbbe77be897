//! One side of the demo call: an account and call handler that prints what
//! happens to the flow, keeps what the verdict needs, answers an incoming
//! call (180, then 200), and connects its sound to every new stream.

use std::sync::{Arc, Mutex, MutexGuard};

use ferrosip::call::{
    Call, CallHandler, CallMediaStatus, InvState, MediaDir, OnCallMediaStateParam,
    OnCallStateParam, OnDtmfDigitParam, OnIncomingCallParam, OnInstantMessageParam,
    OnInstantMessageStatusParam, SipRole,
};
use ferrosip::config::CallOpParam;
use ferrosip::media::AudioMedia;
use ferrosip::{Account, AccountHandler};

use super::flow::Flow;

/// What a party saw and holds.
#[derive(Default)]
pub(crate) struct PartyState {
    /// The call (the one made, or the one taken).
    pub(crate) call: Option<Call>,
    /// Call states, in order.
    pub(crate) states: Vec<InvState>,
    /// Media states, in order.
    pub(crate) media: Vec<(CallMediaStatus, MediaDir)>,
    /// DTMF digits received.
    pub(crate) digits: String,
    /// Instant messages received.
    pub(crate) messages: Vec<String>,
    /// Answers to the instant messages sent (status code, reason).
    pub(crate) message_status: Vec<(i32, String)>,
    /// Sent into every new stream of the call.
    pub(crate) source: Option<AudioMedia>,
    /// Given every new stream's sound.
    pub(crate) sinks: Vec<AudioMedia>,
    /// Problems met in callbacks.
    pub(crate) errors: Vec<String>,
}

/// A party: its name, the flow to print to, its state.
#[derive(Clone)]
pub(crate) struct Party {
    pub(crate) name: &'static str,
    flow: Arc<Flow>,
    state: Arc<Mutex<PartyState>>,
}

impl Party {
    /// A party named `name` printing to `flow`.
    pub(crate) fn new(name: &'static str, flow: &Arc<Flow>) -> Self {
        Self {
            name,
            flow: flow.clone(),
            state: Arc::default(),
        }
    }

    /// Its state.
    pub(crate) fn lock(&self) -> MutexGuard<'_, PartyState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Prints what the party does or sees.
    pub(crate) fn say(&self, what: &str) {
        self.flow.event(self.name, what);
    }

    /// The last call state seen.
    pub(crate) fn call_state(&self) -> Option<InvState> {
        self.lock().states.last().copied()
    }

    /// The last media state seen.
    pub(crate) fn media_state(&self) -> Option<CallMediaStatus> {
        self.lock().media.last().map(|m| m.0)
    }

    /// The call, once there is one.
    pub(crate) fn call(&self) -> Option<Call> {
        self.lock().call.clone()
    }

    fn note_error(&self, what: String) {
        self.say(&format!("error: {what}"));
        self.lock().errors.push(what);
    }
}

impl AccountHandler for Party {
    fn on_incoming_call(&mut self, account: &Account, prm: &OnIncomingCallParam) {
        let from = prm
            .rdata
            .whole_msg
            .lines()
            .find_map(|l| l.strip_prefix("From: "))
            .map_or("?", |f| f.split(";tag=").next().unwrap_or(f))
            .to_owned();
        self.say(&format!("incoming call from {from}; answering 180 Ringing"));
        match Call::from_incoming(account, prm.call_id, self.clone()) {
            Ok(call) => {
                self.lock().call = Some(call.clone());
                let ringing = CallOpParam {
                    status_code: 180,
                    ..CallOpParam::default()
                };
                if let Err(e) = call.answer(&ringing) {
                    self.note_error(format!("answer 180: {e}"));
                }
            }
            Err(e) => self.note_error(format!("taking the call: {e}")),
        }
    }
}

impl CallHandler for Party {
    fn on_call_state(&mut self, call: &Call, prm: &OnCallStateParam) {
        self.lock().states.push(prm.state);
        let mut what = format!("call state {}", prm.state.name());
        if matches!(prm.state, InvState::Early | InvState::Disconnected) && prm.code > 0 {
            what.push_str(&format!("  ({} {})", prm.code, prm.reason));
        }
        self.say(&what);
        // The callee rings, then answers at once.
        let callee = call.info().is_ok_and(|i| i.role == SipRole::Uas);
        if prm.state == InvState::Early && callee {
            self.say("answers: 200 OK");
            let ok = CallOpParam {
                status_code: 200,
                ..CallOpParam::default()
            };
            if let Err(e) = call.answer(&ok) {
                self.note_error(format!("answer 200: {e}"));
            }
        }
    }

    fn on_call_media_state(&mut self, call: &Call, _prm: &OnCallMediaStateParam) {
        let Ok(info) = call.info() else {
            return;
        };
        let Some(m) = info.media.first() else {
            return;
        };
        let codec = call
            .stream_info(0)
            .map(|s| format!(", {}/{}", s.codec_name, s.codec_clock_rate))
            .unwrap_or_default();
        self.lock().media.push((m.status, m.dir));
        self.say(&format!(
            "media {}: {}{codec}",
            status_name(m.status),
            m.dir.sdp_name()
        ));
        let Ok(stream) = call.audio_media(-1) else {
            return;
        };
        let (source, sinks) = {
            let s = self.lock();
            (s.source.clone(), s.sinks.clone())
        };
        if let Some(source) = source {
            if let Err(e) = source.start_transmit(&stream) {
                self.note_error(format!("connecting the sound to the call: {e}"));
            }
        }
        for sink in sinks {
            if let Err(e) = stream.start_transmit(&sink) {
                self.note_error(format!("connecting the call to a sink: {e}"));
            }
        }
    }

    fn on_dtmf_digit(&mut self, _call: &Call, prm: &OnDtmfDigitParam) {
        self.lock().digits.push_str(&prm.digit);
        let how = match prm.method {
            ferrosip::config::DtmfMethod::SipInfo => "SIP INFO",
            _ => "RFC 4733 event in the RTP stream",
        };
        self.say(&format!("DTMF digit {} received ({how})", prm.digit));
    }

    fn on_instant_message(&mut self, _call: &Call, prm: &OnInstantMessageParam) {
        self.lock().messages.push(prm.msg_body.clone());
        self.say(&format!(
            "message received ({}): \"{}\"",
            prm.content_type, prm.msg_body
        ));
    }

    fn on_instant_message_status(&mut self, _call: &Call, prm: &OnInstantMessageStatusParam) {
        self.lock()
            .message_status
            .push((prm.code, prm.reason.clone()));
        self.say(&format!("message answered: {} {}", prm.code, prm.reason));
    }
}

/// PJSUA's name of a media status.
pub(crate) fn status_name(s: CallMediaStatus) -> &'static str {
    match s {
        CallMediaStatus::None => "NONE",
        CallMediaStatus::Active => "ACTIVE",
        CallMediaStatus::LocalHold => "LOCAL_HOLD",
        CallMediaStatus::RemoteHold => "REMOTE_HOLD",
        CallMediaStatus::Error => "ERROR",
    }
}
