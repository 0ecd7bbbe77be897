//! A ferrosip party for call tests against real peers: answers every
//! call (180, then 200), plays its tone into every stream of its calls and
//! keeps what they bring (an [`Ear`]), accepts transfers and replacements,
//! hangs up a call whose transfer succeeded (as PJSUA's own application
//! does), and records what it saw ([`Seen`]).

use std::sync::{Arc, Mutex, MutexGuard};

use ferrosip::call::{
    Call, CallHandler, CallMediaStatus, InvState, MediaDir, OnCallMediaStateParam,
    OnCallReplaceRequestParam, OnCallReplacedParam, OnCallStateParam, OnCallTransferRequestParam,
    OnCallTransferStatusParam, OnDtmfDigitParam, OnDtmfEventParam, OnIncomingCallParam,
    OnInstantMessageParam, OnInstantMessageStatusParam, OnTypingIndicationParam,
    PJMEDIA_STREAM_DTMF_IS_END, SipRole,
};
use ferrosip::config::{CallOpParam, DtmfMethod};
use ferrosip::media::{AudioMediaPort, ToneDesc, ToneGenerator};
use ferrosip::{Account, AccountHandler, Endpoint, OnRegStateParam};

use super::{Ear, ear_port};

/// Something a ferrosip party saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seen {
    State(i32, InvState, i32),
    Media(i32, CallMediaStatus, MediaDir),
    Digit(i32, DtmfMethod, String, u32),
    DtmfEnd(i32, DtmfMethod, String, u32),
    Im(i32, String, String),
    ImStatus(i32, String, i32),
    Typing(i32, bool),
    TransferRequest(i32, String),
    TransferStatus(i32, i32, bool),
    ReplaceRequest(i32),
    Replaced(i32, i32),
    /// A registration's status code (`on_reg_state`).
    Reg(i32),
}

#[derive(Default)]
pub(crate) struct PartyState {
    /// Calls seen, in order (taken incoming ones and new ones alike).
    pub(crate) calls: Vec<Call>,
    pub(crate) seen: Vec<Seen>,
    /// Connected to every new stream of the party's calls.
    pub(crate) tone: Option<ToneGenerator>,
    pub(crate) ear: Option<(AudioMediaPort, Ear)>,
}

/// One ferrosip party: answers every call (180, then 200), connects its
/// tone and ear to every stream, accepts transfers and replacements, hangs
/// up a call whose transfer succeeded (as PJSUA's own application does),
/// records everything.
#[derive(Clone, Default)]
pub(crate) struct Party(pub(crate) Arc<Mutex<PartyState>>);

impl Party {
    pub(crate) fn lock(&self) -> MutexGuard<'_, PartyState> {
        self.0.lock().unwrap()
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    pub(crate) fn count(&self, f: impl Fn(&Seen) -> bool) -> usize {
        self.lock().seen.iter().filter(|s| f(s)).count()
    }

    pub(crate) fn push(&self, s: Seen) {
        self.lock().seen.push(s);
    }

    pub(crate) fn note_call(&self, call: &Call) {
        let mut s = self.lock();
        if !s.calls.contains(call) {
            s.calls.push(call.clone());
        }
    }

    pub(crate) fn calls(&self) -> usize {
        self.lock().calls.len()
    }

    pub(crate) fn call(&self, i: usize) -> Call {
        self.lock().calls[i].clone()
    }

    pub(crate) fn state_of(&self, call: &Call) -> Option<InvState> {
        let id = call.id();
        self.lock().seen.iter().rev().find_map(|s| match s {
            Seen::State(c, st, _) if *c == id => Some(*st),
            _ => None,
        })
    }

    /// Whether call `i` of the party is confirmed with media.
    pub(crate) fn up(&self, i: usize) -> bool {
        self.calls() > i && {
            let call = self.call(i);
            self.state_of(&call) == Some(InvState::Confirmed) && call.has_media()
        }
    }

    pub(crate) fn digits(&self) -> Vec<(DtmfMethod, String, u32)> {
        self.lock()
            .seen
            .iter()
            .filter_map(|s| match s {
                Seen::Digit(_, m, d, duration) => Some((*m, d.clone(), *duration)),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn transfer_statuses(&self, call: &Call) -> Vec<(i32, bool)> {
        let id = call.id();
        self.lock()
            .seen
            .iter()
            .filter_map(|s| match s {
                Seen::TransferStatus(c, code, last) if *c == id => Some((*code, *last)),
                _ => None,
            })
            .collect()
    }

    /// Whether a registration succeeded.
    pub(crate) fn registered(&self) -> bool {
        self.lock().seen.contains(&Seen::Reg(200))
    }

    /// The media statuses `call` went through.
    pub(crate) fn media_statuses(&self, call: &Call) -> Vec<CallMediaStatus> {
        let id = call.id();
        self.lock()
            .seen
            .iter()
            .filter_map(|s| match s {
                Seen::Media(c, st, _) if *c == id => Some(*st),
                _ => None,
            })
            .collect()
    }

    /// Gives the party a tone of `freq` Hz (into every stream from the
    /// next media change on) and an ear.
    pub(crate) fn give_audio(&self, ep: &Endpoint, freq: i16) {
        let tone = ToneGenerator::create_tone_generator(ep, 16_000, 1).unwrap();
        tone.play(
            &[ToneDesc {
                freq1: freq,
                on_msec: 1000,
                volume: 8000,
                ..ToneDesc::default()
            }],
            true,
        )
        .unwrap();
        let (port, ear) = ear_port(ep, "ear");
        let mut s = self.lock();
        s.tone = Some(tone);
        s.ear = Some((port, ear));
    }

    /// Drops the party's media ports and calls (before `lib_destroy`).
    pub(crate) fn release(&self) {
        let mut s = self.lock();
        s.tone = None;
        s.ear = None;
        s.calls.clear();
    }

    pub(crate) fn ear_take(&self) -> Vec<i16> {
        self.lock()
            .ear
            .as_ref()
            .map(|(_, e)| e.take())
            .unwrap_or_default()
    }
}

impl AccountHandler for Party {
    fn on_reg_state(&mut self, _account: &Account, prm: &OnRegStateParam) {
        self.push(Seen::Reg(prm.code));
    }

    fn on_incoming_call(&mut self, account: &Account, prm: &OnIncomingCallParam) {
        let call = Call::from_incoming(account, prm.call_id, self.clone()).unwrap();
        call.answer(&CallOpParam {
            status_code: 180,
            ..CallOpParam::default()
        })
        .unwrap();
        self.note_call(&call);
    }
}

impl CallHandler for Party {
    fn on_call_state(&mut self, call: &Call, prm: &OnCallStateParam) {
        self.note_call(call);
        self.push(Seen::State(call.id(), prm.state, prm.code));
        if prm.state == InvState::Early && call.info().is_ok_and(|i| i.role == SipRole::Uas) {
            call.answer(&CallOpParam {
                status_code: 200,
                ..CallOpParam::default()
            })
            .unwrap();
        }
    }

    fn on_call_media_state(&mut self, call: &Call, _prm: &OnCallMediaStateParam) {
        let info = call.info().unwrap();
        let m = &info.media[0];
        self.push(Seen::Media(call.id(), m.status, m.dir));
        let Ok(audio) = call.audio_media(-1) else {
            return;
        };
        let s = self.lock();
        if let Some(tone) = &s.tone {
            tone.start_transmit(&audio).unwrap();
        }
        if let Some((port, _)) = &s.ear {
            audio.start_transmit(port).unwrap();
        }
    }

    fn on_dtmf_digit(&mut self, call: &Call, prm: &OnDtmfDigitParam) {
        self.push(Seen::Digit(
            call.id(),
            prm.method,
            prm.digit.clone(),
            prm.duration,
        ));
    }

    fn on_dtmf_event(&mut self, call: &Call, prm: &OnDtmfEventParam) {
        if prm.flags & PJMEDIA_STREAM_DTMF_IS_END != 0 {
            self.push(Seen::DtmfEnd(
                call.id(),
                prm.method,
                prm.digit.clone(),
                prm.duration,
            ));
        }
    }

    fn on_instant_message(&mut self, call: &Call, prm: &OnInstantMessageParam) {
        self.push(Seen::Im(
            call.id(),
            prm.content_type.clone(),
            prm.msg_body.clone(),
        ));
    }

    fn on_instant_message_status(&mut self, call: &Call, prm: &OnInstantMessageStatusParam) {
        self.push(Seen::ImStatus(call.id(), prm.msg_body.clone(), prm.code));
    }

    fn on_typing_indication(&mut self, call: &Call, prm: &OnTypingIndicationParam) {
        self.push(Seen::Typing(call.id(), prm.is_typing));
    }

    fn on_call_transfer_request(&mut self, call: &Call, prm: &mut OnCallTransferRequestParam) {
        self.push(Seen::TransferRequest(call.id(), prm.dst_uri.clone()));
        prm.new_call = Some(Box::new(self.clone()));
    }

    fn on_call_transfer_status(&mut self, call: &Call, prm: &mut OnCallTransferStatusParam) {
        self.push(Seen::TransferStatus(
            call.id(),
            prm.status_code,
            prm.final_notify,
        ));
        if prm.final_notify && prm.status_code / 100 == 2 {
            call.hangup(&CallOpParam::default()).unwrap();
            prm.cont = false;
        }
    }

    fn on_call_replace_request(&mut self, call: &Call, prm: &mut OnCallReplaceRequestParam) {
        self.push(Seen::ReplaceRequest(call.id()));
        prm.new_call = Some(Box::new(self.clone()));
    }

    fn on_call_replaced(&mut self, call: &Call, prm: &OnCallReplacedParam) {
        self.note_call(&prm.new_call);
        self.push(Seen::Replaced(call.id(), prm.new_call_id));
    }
}
