//! The application's look at our SDP before it goes (PJSUA2's
//! `onCallSdpCreated`).
//!
//! PJSUA2 calls the application synchronously where the SDP is made and
//! sends what it hands back. Here the user agent runs under its owner's
//! lock and events reach the application afterwards, so a call whose SDP
//! is reviewed ([`UserAgent::set_call_sdp_review`], or
//! [`crate::MakeCallOptions::review_sdp`]) holds the step that made it: the
//! negotiator goes back to where it was, [`UaEvent::CallSdpCreated`]
//! carries the SDP, and [`UserAgent::sdp_reviewed`] runs the step again
//! with the application's SDP in place of the one it makes. Nothing is
//! sent in between; a peer's re-offer arriving meanwhile gets 491, and the
//! application's own re-offer is refused, as while any offer is pending.
//!
//! Reviewed: the INVITE's offer, the answer (or late offer) of `answer`,
//! re-offers (`reoffer`, also a retry after 491), the answer to a peer's
//! re-INVITE or UPDATE (or the offer in the 2xx of one without SDP). Not
//! reviewed, as in PJSUA2: the repeated answer of a 2xx after an
//! unreliable 183 and a session-timer refresh.

use std::time::Instant;

use sdp::SessionDescription;
use sdp::neg::Negotiator;
use sip::Message;
use sip_core::stack::ServerTxId;

use super::agent::{CallError, SDP};
use super::options::TxOptions;
use super::session::{CallId, CallState, Reoffer, ReofferMethod};
use crate::user_agent::{UaEvent, UserAgent};

/// A call's SDP review: on or off, and what waits for it.
#[derive(Debug, Default)]
pub(crate) struct SdpReview {
    /// Whether the application reviews this call's SDP.
    pub(crate) enabled: bool,
    /// The step waiting for the reviewed SDP.
    pub(crate) held: Option<Held>,
    /// The reviewed SDP, while the held step runs again.
    pub(crate) reviewed: Option<SessionDescription>,
}

/// A step that made SDP and waits for the application's review.
#[derive(Debug)]
pub(crate) enum Held {
    /// The INVITE of `make_call`: built, the call filed, not sent.
    Invite,
    /// `answer` with these arguments.
    Answer {
        code: u16,
        reason: Option<String>,
        opts: TxOptions,
    },
    /// `reoffer` with these arguments.
    Reoffer {
        what: Reoffer,
        method: ReofferMethod,
        opts: TxOptions,
    },
    /// The peer's re-INVITE or UPDATE, not answered yet.
    PeerOffer {
        tx: ServerTxId,
        request: Box<Message>,
    },
}

/// What a step does with the SDP it made.
#[allow(
    clippy::large_enum_variant,
    reason = "a return value moved once; boxing would allocate for every SDP sent"
)]
pub(crate) enum Made {
    /// Send this (the reviewed SDP, or the one made when not reviewed).
    Send(SessionDescription),
    /// Stop: the SDP waits for the application (the event to push).
    Held(UaEvent),
}

impl SdpReview {
    /// Before a step makes SDP: the negotiator to go back to if the SDP
    /// is held (none when not reviewed, or when this is the step run again
    /// with the reviewed SDP).
    pub(crate) fn checkpoint(&self, negotiator: &Negotiator) -> Option<Negotiator> {
        (self.enabled && self.reviewed.is_none()).then(|| negotiator.clone())
    }

    /// After a step made `made`: the reviewed SDP in its place (when this
    /// is the step run again), or the step held with the negotiator back
    /// at `checkpoint` (when reviewed), or `made` as it is.
    pub(crate) fn settle(
        &mut self,
        call: CallId,
        negotiator: &mut Negotiator,
        made: SessionDescription,
        checkpoint: Option<Negotiator>,
        held: Held,
    ) -> Made {
        if let Some(reviewed) = self.reviewed.take() {
            return Made::Send(replace_local(negotiator, reviewed, made));
        }
        let Some(checkpoint) = checkpoint else {
            return Made::Send(made);
        };
        let remote = negotiator.pending_remote().cloned().map(Box::new);
        *negotiator = checkpoint;
        self.held = Some(held);
        Made::Held(UaEvent::CallSdpCreated {
            call,
            sdp: Box::new(made),
            remote,
        })
    }
}

/// Puts the application's SDP in place of the one made; the one made
/// stays when the application's changes the media lines.
fn replace_local(
    negotiator: &mut Negotiator,
    reviewed: SessionDescription,
    made: SessionDescription,
) -> SessionDescription {
    match negotiator.replace_local(reviewed.clone()) {
        Ok(()) => reviewed,
        Err(e) => {
            tracing::warn!(error = %e, "the SDP from onCallSdpCreated is not used");
            made
        }
    }
}

impl UserAgent {
    /// Whether the application reviews `call`'s SDP before it is sent
    /// (PJSUA2's `onCallSdpCreated`; see [`UaEvent::CallSdpCreated`]).
    /// For an outgoing call, [`crate::MakeCallOptions::review_sdp`] covers the
    /// INVITE too.
    ///
    /// # Errors
    ///
    /// [`CallError::NotFound`].
    pub fn set_call_sdp_review(&mut self, call: CallId, on: bool) -> Result<(), CallError> {
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        c.review.enabled = on;
        Ok(())
    }

    /// The application's SDP for the step held by
    /// [`UaEvent::CallSdpCreated`]: the step runs again with it and sends
    /// it. An SDP whose media lines differ (in number or type) from the
    /// one made is not used: the one made goes (and the log says why).
    ///
    /// # Errors
    ///
    /// [`CallError::NotFound`]; [`CallError::InvalidState`] when nothing
    /// waits for a review (the call ended meanwhile, say); else what the
    /// step gives (as `answer`, `reoffer` would).
    pub fn sdp_reviewed(
        &mut self,
        now: Instant,
        call: CallId,
        sdp: SessionDescription,
    ) -> Result<(), CallError> {
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        let Some(held) = c.review.held.take() else {
            return Err(CallError::InvalidState("sdp_reviewed", c.state));
        };
        if !matches!(held, Held::Invite) {
            c.review.reviewed = Some(sdp.clone());
        }
        let result = match held {
            Held::Invite => self.send_held_invite(now, call, sdp),
            Held::Answer { code, reason, opts } => {
                let answered = self.answer_with(now, call, code, reason.as_deref(), None, &opts);
                if let Err(e) = &answered {
                    // The application's SDP cannot answer the offer: the
                    // call is refused as an offer we cannot accept.
                    tracing::warn!(error = %e, "the answer from onCallSdpCreated failed: 488");
                    if let Some(c) = self.calls.get_mut(call) {
                        c.review.reviewed = None;
                    }
                    let _ = self.hangup(now, call, 488);
                }
                answered
            }
            Held::Reoffer { what, method, opts } => {
                self.reoffer_with(now, call, what, method, &opts)
            }
            Held::PeerOffer { tx, request } => {
                self.answer_peer_offer(now, call, tx, &request);
                self.flush_tsx(call);
                Ok(())
            }
        };
        if let Some(c) = self.calls.get_mut(call) {
            c.review.reviewed = None;
        }
        result
    }

    /// The INVITE held for review goes, with `sdp` as its offer.
    fn send_held_invite(
        &mut self,
        now: Instant,
        call: CallId,
        sdp: SessionDescription,
    ) -> Result<(), CallError> {
        let c = self.calls.get_mut(call).ok_or(CallError::NotFound)?;
        let made = c
            .negotiator
            .pending_local()
            .cloned()
            .ok_or(CallError::InvalidState("sdp_reviewed", c.state))?;
        let offer = replace_local(&mut c.negotiator, sdp, made);
        c.invite.set_body(Some(SDP), offer.to_string().into_bytes());
        let invite = c.invite.clone();
        self.send_invite(now, call, invite)
    }

    /// Ends a call whose INVITE waits for its review (hung up before it
    /// went): DISCONNECTED, 487, nothing sent. False when not such a call.
    pub(crate) fn drop_held_invite(&mut self, now: Instant, call: CallId) -> bool {
        let Some(c) = self.calls.get_mut(call) else {
            return false;
        };
        if !matches!(c.review.held, Some(Held::Invite)) {
            return false;
        }
        c.review.held = None;
        c.last_code = 487;
        c.last_reason = "Request Terminated".to_owned();
        self.set_call_state(now, call, CallState::Disconnected);
        true
    }
}
