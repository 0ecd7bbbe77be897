//! The offer/answer state machine.

use super::build::{self, protocols_compatible};
use super::caps::{Capabilities, NegotiatorOptions};
use super::error::NegotiationError;
use super::result::{NegotiatedMedia, NegotiatedSession, negotiate_line};
use crate::attr::Direction;
use crate::model::SessionDescription;

/// Where an offer/answer exchange stands (pjmedia's
/// `pjmedia_sdp_neg_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NegState {
    /// No session yet, nothing pending.
    Null,
    /// We sent an offer and wait for the answer.
    LocalOffer,
    /// An offer came; we have not answered yet.
    RemoteOffer,
    /// We answered; [`Negotiator::negotiate`] makes the answer active.
    WaitNego,
    /// A session is active and nothing is pending.
    Done,
}

/// RFC 3264 offer/answer over our [`Capabilities`], as pjmedia's
/// negotiator drives PJSUA2 calls.
///
/// The call layer's use:
/// - caller: [`create_offer`](Self::create_offer) → INVITE;
///   [`receive_answer`](Self::receive_answer) with the 2xx's (or
///   reliable 1xx's) body → a [`NegotiatedSession`];
/// - callee: [`answer_offer`](Self::answer_offer) with the INVITE's body →
///   the answer for the 2xx and the negotiated session (or
///   [`receive_offer`](Self::receive_offer), [`create_answer`](Self::create_answer),
///   [`negotiate`](Self::negotiate) one by one); an error says 488 or 400
///   ([`NegotiationError::sip_status`]) and the previous session stays;
/// - re-INVITE: [`create_offer`](Self::create_offer) (same hold state),
///   [`hold`](Self::hold), [`unhold`](Self::unhold); on 491 or any
///   rejection, [`cancel_offer`](Self::cancel_offer) goes back to the
///   active session.
///
/// Every description we make carries the session id given at creation and
/// a version one above the previous one (the first uses the version
/// given), as PJSIP does.
#[derive(Debug, Clone)]
pub struct Negotiator {
    caps: Capabilities,
    options: NegotiatorOptions,
    state: NegState,
    session_id: u64,
    next_version: u64,
    active_local: Option<SessionDescription>,
    active_remote: Option<SessionDescription>,
    active: Option<NegotiatedSession>,
    /// For each media line of the active session, the index of the
    /// [`Capabilities::media`] entry it runs on.
    slots: Vec<Option<usize>>,
    local_hold: bool,
    pending_local: Option<SessionDescription>,
    pending_remote: Option<SessionDescription>,
    pending_slots: Vec<Option<usize>>,
    pending_hold: bool,
}

impl Negotiator {
    /// A negotiator with no session. `session_id` and `session_version`
    /// go into our `o=` line (PJSIP takes both from the wall clock; the
    /// caller chooses here).
    pub fn new(
        caps: Capabilities,
        options: NegotiatorOptions,
        session_id: u64,
        session_version: u64,
    ) -> Self {
        Self {
            caps,
            options,
            state: NegState::Null,
            session_id,
            next_version: session_version,
            active_local: None,
            active_remote: None,
            active: None,
            slots: Vec::new(),
            local_hold: false,
            pending_local: None,
            pending_remote: None,
            pending_slots: Vec::new(),
            pending_hold: false,
        }
    }

    /// The state.
    pub fn state(&self) -> NegState {
        self.state
    }

    /// Our capabilities.
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// Replaces our capabilities (new addresses, codecs); the next
    /// description we make uses them.
    pub fn set_capabilities(&mut self, caps: Capabilities) {
        self.caps = caps;
    }

    /// The options.
    pub fn options(&self) -> &NegotiatorOptions {
        &self.options
    }

    /// Replaces the options.
    pub fn set_options(&mut self, options: NegotiatorOptions) {
        self.options = options;
    }

    /// The negotiated session, once there is one.
    pub fn active(&self) -> Option<&NegotiatedSession> {
        self.active.as_ref()
    }

    /// Our description of the active session.
    pub fn active_local(&self) -> Option<&SessionDescription> {
        self.active_local.as_ref()
    }

    /// The peer's description of the active session.
    pub fn active_remote(&self) -> Option<&SessionDescription> {
        self.active_remote.as_ref()
    }

    /// Our pending offer or answer.
    pub fn pending_local(&self) -> Option<&SessionDescription> {
        self.pending_local.as_ref()
    }

    /// The peer's pending offer.
    pub fn pending_remote(&self) -> Option<&SessionDescription> {
        self.pending_remote.as_ref()
    }

    /// Whether we hold the call (PJSUA2's local hold), as of the active
    /// session.
    pub fn local_hold(&self) -> bool {
        self.local_hold
    }

    /// Creates an offer: the initial one from the capabilities, or a
    /// re-offer of the active session's media lines (same count and order,
    /// the payload types already in use kept) in the current hold state.
    ///
    /// # Errors
    ///
    /// [`NegotiationError::InvalidState`] unless in `Null` or `Done`.
    pub fn create_offer(&mut self) -> Result<SessionDescription, NegotiationError> {
        self.offer_with(self.local_hold, "create_offer")
    }

    /// Creates a re-offer that holds the call: each line `sendonly`, or
    /// `inactive` where we were not sending (the peer holds us too), as
    /// PJSUA2's `setHold`.
    ///
    /// # Errors
    ///
    /// As [`Negotiator::create_offer`].
    pub fn hold(&mut self) -> Result<SessionDescription, NegotiationError> {
        self.offer_with(true, "hold")
    }

    /// Creates a re-offer that takes the call off hold (`sendrecv`, or
    /// whatever the capabilities say), as PJSUA2's `reinvite` with
    /// `PJSUA_CALL_UNHOLD`.
    ///
    /// # Errors
    ///
    /// As [`Negotiator::create_offer`].
    pub fn unhold(&mut self) -> Result<SessionDescription, NegotiationError> {
        self.offer_with(false, "unhold")
    }

    fn offer_with(
        &mut self,
        hold: bool,
        operation: &'static str,
    ) -> Result<SessionDescription, NegotiationError> {
        self.expect(operation, &[NegState::Null, NegState::Done])?;
        let version = self.take_version();
        let mut sdp = build::session(&self.caps, self.session_id, version);
        let addr = self.caps.address;
        let mut slots = Vec::new();
        match &self.active_local {
            Some(prev) => {
                for (i, pm) in prev.media.iter().enumerate() {
                    // A line disabled on either side stays disabled, at
                    // port 0 in its place, as PJSUA re-offers it.
                    let disabled = matches!(
                        self.active.as_ref().and_then(|a| a.media.get(i)),
                        Some(NegotiatedMedia::Disabled { .. }) | None
                    );
                    let slot = self.slots.get(i).copied().flatten().filter(|_| !disabled);
                    let Some(lm) = slot.and_then(|k| self.caps.media.get(k)) else {
                        sdp.media.push(build::rejected(pm));
                        slots.push(None);
                        continue;
                    };
                    let sending = match self.active.as_ref().and_then(|a| a.media.get(i)) {
                        Some(NegotiatedMedia::Active(a)) => a.sends(),
                        _ => true,
                    };
                    let dir = hold_direction(lm.direction, hold, sending);
                    let map = build::pt_map(Some(pm));
                    sdp.media
                        .push(build::offer_media(lm, &map, dir, addr, &self.options));
                    slots.push(slot);
                }
            }
            None => {
                for (k, lm) in self.caps.media.iter().enumerate() {
                    let dir = hold_direction(lm.direction, hold, true);
                    sdp.media
                        .push(build::offer_media(lm, &[], dir, addr, &self.options));
                    slots.push(Some(k));
                }
            }
        }
        self.pending_local = Some(sdp.clone());
        self.pending_slots = slots;
        self.pending_hold = hold;
        self.state = NegState::LocalOffer;
        Ok(sdp)
    }

    /// Takes the answer to our pending offer and makes the session active.
    ///
    /// The answer must keep the offer's media lines (count, order, media
    /// types), accept no line we rejected, use a compatible protocol and
    /// at least one payload type of our offer on every line it accepts,
    /// and give each accepted line an address. A direction broader than
    /// RFC 3264 allows (`sendrecv` to our `sendonly`) is narrowed, not
    /// refused, as pjmedia does.
    ///
    /// # Errors
    ///
    /// [`NegotiationError::InvalidState`] unless in `LocalOffer`;
    /// [`NegotiationError::MalformedAnswer`] for an answer as above, after
    /// which the negotiator is back at the previous session (as
    /// [`Negotiator::cancel_offer`]).
    pub fn receive_answer(
        &mut self,
        answer: &SessionDescription,
    ) -> Result<&NegotiatedSession, NegotiationError> {
        self.expect("receive_answer", &[NegState::LocalOffer])?;
        let Some(offer) = self.pending_local.take() else {
            self.revert();
            return Err(NegotiationError::MalformedAnswer("no pending offer".into()));
        };
        match check_answer(&offer, answer) {
            Ok(session) => {
                self.pending_remote = Some(answer.clone());
                self.pending_local = Some(offer);
                let hold = self.pending_hold;
                Ok(self.activate(session, hold))
            }
            Err(e) => {
                self.revert();
                Err(NegotiationError::MalformedAnswer(e))
            }
        }
    }

    /// Takes an offer (initial or re-offer); [`Negotiator::create_answer`]
    /// answers it.
    ///
    /// # Errors
    ///
    /// [`NegotiationError::InvalidState`] unless in `Null` or `Done` (in
    /// `LocalOffer` this is glare: 491); [`NegotiationError::MalformedOffer`]
    /// for a re-offer with fewer media lines than the session
    /// (RFC 3264 §8).
    pub fn receive_offer(&mut self, offer: &SessionDescription) -> Result<(), NegotiationError> {
        self.expect("receive_offer", &[NegState::Null, NegState::Done])?;
        if let Some(prev) = &self.active_local {
            if offer.media.len() < prev.media.len() {
                return Err(NegotiationError::MalformedOffer(format!(
                    "{} media lines, the session has {} (RFC 3264 §8)",
                    offer.media.len(),
                    prev.media.len()
                )));
            }
        }
        self.pending_remote = Some(offer.clone());
        self.state = NegState::RemoteOffer;
        Ok(())
    }

    /// Answers the pending offer from our capabilities (see
    /// [`NegotiatorOptions`] for the codec rules), line by line: a line
    /// we have no capability for, whose protocol we do not speak or with
    /// no codec in common is rejected with port 0, keeping its place.
    ///
    /// # Errors
    ///
    /// [`NegotiationError::InvalidState`] unless in `RemoteOffer`;
    /// [`NegotiationError::NotAcceptable`] when the offer has active lines
    /// and we can accept none; [`NegotiationError::MalformedOffer`] for an
    /// accepted line without an address. After an error the negotiator is
    /// back at the previous session.
    pub fn create_answer(&mut self) -> Result<SessionDescription, NegotiationError> {
        self.expect("create_answer", &[NegState::RemoteOffer])?;
        let Some(offer) = self.pending_remote.clone() else {
            self.revert();
            return Err(NegotiationError::MalformedOffer("no pending offer".into()));
        };
        match self.answer(&offer) {
            Ok((sdp, slots)) => {
                self.pending_local = Some(sdp.clone());
                self.pending_slots = slots;
                self.state = NegState::WaitNego;
                Ok(sdp)
            }
            Err(e) => {
                self.revert();
                Err(e)
            }
        }
    }

    fn answer(
        &mut self,
        offer: &SessionDescription,
    ) -> Result<(SessionDescription, Vec<Option<usize>>), NegotiationError> {
        let version = self.take_version();
        let mut sdp = build::session(&self.caps, self.session_id, version);
        let mut slots: Vec<Option<usize>> = Vec::with_capacity(offer.media.len());
        let (mut offered, mut accepted) = (false, false);
        for (i, om) in offer.media.iter().enumerate() {
            if om.port == 0 {
                sdp.media.push(build::rejected(om));
                slots.push(None);
                continue;
            }
            offered = true;
            let Some(conn) = offer.media_connection(i) else {
                return Err(NegotiationError::MalformedOffer(format!(
                    "media line {i} has no c= line"
                )));
            };
            let taken: Vec<usize> = slots.iter().flatten().copied().collect();
            let Some(k) = self.pick_slot(i, &om.media, &taken) else {
                sdp.media.push(build::rejected(om));
                slots.push(None);
                continue;
            };
            let lm = self.caps.media.get(k);
            let Some(lm) =
                lm.filter(|lm| om.is_rtp() && protocols_compatible(&om.protocol, &lm.protocol))
            else {
                sdp.media.push(build::rejected(om));
                slots.push(None);
                continue;
            };
            let mut theirs = offer.media_direction(i).unwrap_or_default();
            if conn.is_null() {
                theirs = theirs.intersect(Direction::SendOnly);
            }
            let mut dir = theirs.reversed().intersect(lm.direction);
            if self.local_hold {
                dir = dir.intersect(Direction::SendOnly);
            }
            match build::answer_media(om, lm, dir, self.caps.address, &self.options) {
                Some(m) => {
                    sdp.media.push(m);
                    slots.push(Some(k));
                    accepted = true;
                }
                None => {
                    sdp.media.push(build::rejected(om));
                    slots.push(None);
                }
            }
        }
        if offered && !accepted {
            return Err(NegotiationError::NotAcceptable(
                "no media line in common with the offer".into(),
            ));
        }
        Ok((sdp, slots))
    }

    /// The capability entry for offered line `i` of type `media`: the one
    /// it ran on before if still of that type and free, else the first
    /// free entry of that type.
    fn pick_slot(&self, i: usize, media: &str, taken: &[usize]) -> Option<usize> {
        let fits = |k: usize| {
            !taken.contains(&k)
                && self
                    .caps
                    .media
                    .get(k)
                    .is_some_and(|lm| lm.media.eq_ignore_ascii_case(media))
        };
        if let Some(k) = self.slots.get(i).copied().flatten().filter(|&k| fits(k)) {
            return Some(k);
        }
        let later: Vec<usize> = self.slots.iter().skip(i + 1).flatten().copied().collect();
        (0..self.caps.media.len())
            .filter(|k| !later.contains(k))
            .find(|&k| fits(k))
            .or_else(|| (0..self.caps.media.len()).find(|&k| fits(k)))
    }

    /// Puts `sdp` in place of the offer or answer we just made and have not
    /// had answered or made active yet (PJSUA2's `onCallSdpCreated`: the
    /// application changes the local SDP before it is sent). It must keep
    /// the media lines (count and order) of the one it replaces; what it
    /// says on each is what the answer is checked against or what
    /// [`Negotiator::negotiate`] makes active.
    ///
    /// # Errors
    ///
    /// [`NegotiationError::InvalidState`] unless in `LocalOffer` or
    /// `WaitNego`; [`NegotiationError::MalformedOffer`] when the media
    /// lines differ in number or type (nothing is changed then).
    pub fn replace_local(&mut self, sdp: SessionDescription) -> Result<(), NegotiationError> {
        self.expect("replace_local", &[NegState::LocalOffer, NegState::WaitNego])?;
        let Some(made) = self.pending_local.as_ref() else {
            return Err(NegotiationError::MalformedOffer(
                "no local description to replace".into(),
            ));
        };
        let same_lines = made.media.len() == sdp.media.len()
            && made
                .media
                .iter()
                .zip(&sdp.media)
                .all(|(a, b)| a.media.eq_ignore_ascii_case(&b.media));
        if !same_lines {
            return Err(NegotiationError::MalformedOffer(format!(
                "the changed SDP has media lines {:?}, the one made has {:?}",
                sdp.media
                    .iter()
                    .map(|m| m.media.as_str())
                    .collect::<Vec<_>>(),
                made.media
                    .iter()
                    .map(|m| m.media.as_str())
                    .collect::<Vec<_>>()
            )));
        }
        self.pending_local = Some(sdp);
        Ok(())
    }

    /// Makes our pending answer active.
    ///
    /// # Errors
    ///
    /// [`NegotiationError::InvalidState`] unless in `WaitNego`.
    pub fn negotiate(&mut self) -> Result<&NegotiatedSession, NegotiationError> {
        self.expect("negotiate", &[NegState::WaitNego])?;
        let (Some(local), Some(remote)) = (&self.pending_local, &self.pending_remote) else {
            self.revert();
            return Err(NegotiationError::MalformedOffer(
                "nothing to negotiate".into(),
            ));
        };
        let mut media = Vec::with_capacity(local.media.len());
        for i in 0..local.media.len() {
            match negotiate_line(local, remote, i, false) {
                Ok(m) => media.push(m),
                Err(e) => {
                    self.revert();
                    return Err(NegotiationError::MalformedOffer(e));
                }
            }
        }
        let hold = self.local_hold;
        Ok(self.activate(NegotiatedSession { media }, hold))
    }

    /// Receives an offer, answers it and makes the answer active: the
    /// callee's whole step.
    ///
    /// # Errors
    ///
    /// As [`Negotiator::receive_offer`] and [`Negotiator::create_answer`].
    pub fn answer_offer(
        &mut self,
        offer: &SessionDescription,
    ) -> Result<(SessionDescription, &NegotiatedSession), NegotiationError> {
        self.receive_offer(offer)?;
        let answer = self.create_answer()?;
        let session = self.negotiate()?;
        Ok((answer, session))
    }

    /// Drops the pending exchange — our offer refused (491 glare, a
    /// rejected re-INVITE) or an offer we will not answer — and goes back
    /// to the active session (`Done`), or to `Null` if there is none. The
    /// version number keeps counting.
    ///
    /// # Errors
    ///
    /// [`NegotiationError::InvalidState`] in `Null` or `Done`.
    pub fn cancel_offer(&mut self) -> Result<(), NegotiationError> {
        self.expect(
            "cancel_offer",
            &[
                NegState::LocalOffer,
                NegState::RemoteOffer,
                NegState::WaitNego,
            ],
        )?;
        self.revert();
        Ok(())
    }

    fn expect(&self, operation: &'static str, states: &[NegState]) -> Result<(), NegotiationError> {
        if states.contains(&self.state) {
            Ok(())
        } else {
            Err(NegotiationError::InvalidState {
                operation,
                state: self.state,
            })
        }
    }

    fn take_version(&mut self) -> u64 {
        let v = self.next_version;
        self.next_version = v.wrapping_add(1);
        v
    }

    fn revert(&mut self) {
        self.pending_local = None;
        self.pending_remote = None;
        self.pending_slots.clear();
        self.state = if self.active.is_some() {
            NegState::Done
        } else {
            NegState::Null
        };
    }

    fn activate(&mut self, session: NegotiatedSession, hold: bool) -> &NegotiatedSession {
        self.active_local = self.pending_local.take();
        self.active_remote = self.pending_remote.take();
        self.slots = std::mem::take(&mut self.pending_slots);
        self.local_hold = hold;
        self.state = NegState::Done;
        self.active.insert(session)
    }
}

/// The direction of a line we offer: the capability's, narrowed by hold
/// (`sendonly`, or `inactive` where we were not sending).
fn hold_direction(cap: Direction, hold: bool, sending: bool) -> Direction {
    if !hold {
        return cap;
    }
    cap.intersect(if sending {
        Direction::SendOnly
    } else {
        Direction::Inactive
    })
}

/// Checks an answer against our offer and negotiates each line; the error
/// says what is wrong with the answer.
pub(crate) fn check_answer(
    offer: &SessionDescription,
    answer: &SessionDescription,
) -> Result<NegotiatedSession, String> {
    if answer.media.len() != offer.media.len() {
        return Err(format!(
            "{} media lines, the offer had {}",
            answer.media.len(),
            offer.media.len()
        ));
    }
    let mut media = Vec::with_capacity(offer.media.len());
    for (i, (om, am)) in offer.media.iter().zip(&answer.media).enumerate() {
        if !om.media.eq_ignore_ascii_case(&am.media) {
            return Err(format!(
                "media line {i} is {}, the offer's is {}",
                am.media, om.media
            ));
        }
        if om.port == 0 && am.port != 0 {
            return Err(format!(
                "media line {i} accepted although the offer disabled it"
            ));
        }
        if am.port != 0 && !protocols_compatible(&om.protocol, &am.protocol) {
            return Err(format!(
                "media line {i} has protocol {}, the offer's is {}",
                am.protocol, om.protocol
            ));
        }
        media.push(negotiate_line(offer, answer, i, true)?);
    }
    Ok(NegotiatedSession { media })
}
