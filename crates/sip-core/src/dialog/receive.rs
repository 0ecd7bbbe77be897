//! Messages received within a dialog: requests at either end (RFC 3261
//! §12.2.2) and responses to the requests this UA sent (§12.2.1.2).

use sip::header::HeaderName;
use sip::{Message, Method, RequestBuilder, StatusCode};

use super::error::DialogError;
use super::is_target_refresh;
use super::state::{Dialog, DialogState, remote_target_of, route_set_of};

/// What a request received within a dialog did to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RequestEffect {
    /// The request was a target refresh with a Contact that replaced the
    /// remote target (RFC 3261 §12.2.2).
    pub target_refreshed: bool,
    /// The request is a BYE (RFC 3261 §15.1.2): answer it 200 and call
    /// [`Dialog::terminate`] once every usage of the dialog has ended (a
    /// subscription may share it, RFC 5057).
    pub ends_dialog: bool,
}

/// What a response to a request this UA sent within the dialog did to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ResponseEffect {
    /// A 2xx to the INVITE confirmed the early dialog (and recomputed its
    /// route set, RFC 3261 §13.2.2.4).
    pub confirmed: bool,
    /// The response's Contact replaced the remote target: a 2xx to a target
    /// refresh request (§12.2.1.2), or a 1xx/2xx to the INVITE of an early
    /// dialog.
    pub target_refreshed: bool,
    /// The dialog should end: a 481 or 408 to a request within it
    /// (§12.2.1.2), or a final error to the INVITE of an early dialog
    /// (§13.2.2.3). Call [`Dialog::terminate`] (the layer above decides, as
    /// RFC 5057 refines which usages a 408 ends).
    pub should_terminate: bool,
}

impl Dialog {
    /// Whether `request` belongs to this dialog (RFC 3261 §12.2.2): same
    /// Call-ID, To tag equal to the local tag and From tag to the remote tag.
    pub fn matches_request(&self, request: &Message) -> bool {
        if !request.is_request() {
            return false;
        }
        match (request.call_id(), request.to(), request.from()) {
            (Some(call_id), Some(to), Some(from)) => match (to.tag(), from.tag()) {
                (Some(local), Some(remote)) => self.is(call_id.as_str(), local, remote),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether `response` answers a request this UA sent within the dialog:
    /// same Call-ID, From tag equal to the local tag and To tag to the remote
    /// tag.
    pub fn matches_response(&self, response: &Message) -> bool {
        if response.is_request() {
            return false;
        }
        match (response.call_id(), response.to(), response.from()) {
            (Some(call_id), Some(to), Some(from)) => match (from.tag(), to.tag()) {
                (Some(local), Some(remote)) => self.is(call_id.as_str(), local, remote),
                _ => false,
            },
            _ => false,
        }
    }

    /// Takes a request received within the dialog (RFC 3261 §12.2.2), after
    /// the server transaction passed it up.
    ///
    /// - CSeq: a request other than ACK and CANCEL must carry a number above
    ///   the remote sequence number, which then becomes it (gaps are fine).
    ///   A lower number is out of order (§12.2.2: answer 500); an equal one is
    ///   a replay the transaction layer no longer catches, refused the same
    ///   way (as PJSIP does) rather than acted on twice. ACK and CANCEL carry
    ///   the number of the request they acknowledge or cancel and are not
    ///   checked.
    /// - Target refresh: a request of a target refresh method (INVITE,
    ///   UPDATE, SUBSCRIBE, NOTIFY, REFER — see [`is_target_refresh`]) with a
    ///   Contact replaces the remote target with its URI, on receipt as
    ///   §12.2.2 says; it is not undone if the request then fails.
    ///
    /// Errors (nothing changes), with the status to answer
    /// ([`DialogError::status`]; an ACK is never answered):
    /// [`DialogError::NoSuchDialog`] (481: another dialog's request, or this
    /// one is terminated), [`DialogError::OutOfOrder`] (500),
    /// [`DialogError::BadHeader`] for a missing CSeq and
    /// [`DialogError::InvalidContact`] for a target refresh whose Contact is
    /// not one SIP or SIPS URI (400), [`DialogError::NotARequest`].
    pub fn handle_request(&mut self, request: &Message) -> Result<RequestEffect, DialogError> {
        let method = request.method().ok_or(DialogError::NotARequest)?;
        if !self.matches_request(request) || self.state == DialogState::Terminated {
            return Err(DialogError::NoSuchDialog);
        }
        let cseq = request
            .cseq()
            .ok_or(DialogError::BadHeader(HeaderName::CSeq))?;
        let sequenced = !matches!(method, Method::Ack | Method::Cancel);
        if sequenced {
            if let Some(remote) = self.remote_seq {
                if cseq.seq <= remote {
                    return Err(DialogError::OutOfOrder {
                        received: cseq.seq,
                        remote,
                    });
                }
            }
        }
        let new_target = if is_target_refresh(&method) {
            match remote_target_of(request) {
                Ok(target) => Some(target),
                Err(DialogError::MissingContact) => None,
                Err(e) => return Err(e),
            }
        } else {
            None
        };
        if sequenced {
            self.remote_seq = Some(cseq.seq);
        }
        let mut effect = RequestEffect {
            ends_dialog: method == Method::Bye,
            ..RequestEffect::default()
        };
        if let Some(target) = new_target {
            effect.target_refreshed = target != self.remote_target;
            self.remote_target = target;
        }
        Ok(effect)
    }

    /// Takes a response to a request this UA sent within the dialog, or to
    /// the INVITE that created it (RFC 3261 §12.2.1.2, §13.2.2.4).
    ///
    /// - 1xx/2xx to the INVITE of an early dialog: a Contact updates the
    ///   remote target; a 2xx confirms the dialog and recomputes the route
    ///   set from its Record-Route (reversed). A final error ends it
    ///   (`should_terminate`).
    /// - 2xx to a target refresh request: a Contact replaces the remote target
    ///   (unless a later request's response already did: a late retransmitted
    ///   2xx changes nothing).
    /// - 481 or 408: `should_terminate` (§12.2.1.2).
    ///
    /// Errors (nothing changes): [`DialogError::NoSuchDialog`] (Call-ID or a
    /// tag differ), [`DialogError::BadHeader`] (no CSeq),
    /// [`DialogError::MissingContact`] (a 2xx confirming the dialog without
    /// Contact), [`DialogError::InvalidContact`],
    /// [`DialogError::InvalidRecordRoute`], [`DialogError::NotAResponse`].
    pub fn handle_response(&mut self, response: &Message) -> Result<ResponseEffect, DialogError> {
        let status = response.status().ok_or(DialogError::NotAResponse)?;
        if !self.matches_response(response) {
            return Err(DialogError::NoSuchDialog);
        }
        let cseq = response
            .cseq()
            .ok_or(DialogError::BadHeader(HeaderName::CSeq))?;
        let code = status.code();
        let mut effect = ResponseEffect::default();
        if matches!(code, 408 | 481) {
            effect.should_terminate = true;
            return Ok(effect);
        }
        let early_invite = self.state == DialogState::Early && cseq.method == Method::Invite;
        if early_invite && status.is_final() && !status.is_success() {
            effect.should_terminate = true;
        } else if early_invite && code > 100 {
            let target = match remote_target_of(response) {
                Ok(target) => Some(target),
                Err(DialogError::MissingContact) if status.is_provisional() => None,
                Err(e) => return Err(e),
            };
            let route_set = if status.is_success() {
                let mut set = route_set_of(response)?;
                set.reverse();
                Some(set)
            } else {
                None
            };
            if let Some(target) = target {
                effect.target_refreshed = target != self.remote_target;
                self.remote_target = target;
            }
            if let Some(set) = route_set {
                self.route_set = set;
                self.state = DialogState::Confirmed;
                effect.confirmed = true;
                self.target_refreshed_at = Some(cseq.seq);
            }
        } else if status.is_success()
            && is_target_refresh(&cseq.method)
            && self.target_refreshed_at.is_none_or(|at| cseq.seq >= at)
        {
            match remote_target_of(response) {
                Ok(target) => {
                    effect.target_refreshed = target != self.remote_target;
                    self.remote_target = target;
                    self.target_refreshed_at = Some(cseq.seq);
                }
                Err(DialogError::MissingContact) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(effect)
    }

    /// Starts a BYE (RFC 3261 §15.1.1) and marks the dialog terminated: no
    /// request but ACK may follow, and requests from the peer get 481. The
    /// UAC of an early dialog may send it too (the callee's UA must not).
    ///
    /// Errors as [`Dialog::request`].
    pub fn bye(&mut self) -> Result<RequestBuilder, DialogError> {
        let builder = self.request(Method::Bye)?;
        self.terminate();
        Ok(builder)
    }
}

/// What a UAS does with a request that matched no dialog it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmatched {
    /// The request is outside any dialog (no To tag, and a method that may be
    /// sent outside one): process it as a new request. A CANCEL lands here:
    /// the transaction layer matches it to the request it cancels.
    OutsideDialog,
    /// Answer with this status: 481 (Call/Transaction Does Not Exist) for a
    /// request with a To tag that matched no dialog (RFC 3261 §12.2.2), and
    /// for a BYE, PRACK, UPDATE or INFO without one (§15.1.2; RFC 3262,
    /// RFC 3311, RFC 6086), which only exist within a dialog.
    Reject(StatusCode),
    /// An ACK that matched no dialog or transaction: drop it silently (an
    /// ACK is never answered).
    Drop,
}

/// Tells a UAS what to do with `request`, which matched none of its dialogs
/// (look it up with [`DialogId::of_received_request`](super::DialogId::of_received_request)
/// first). A response gives [`Unmatched::Drop`].
pub fn unmatched_request(request: &Message) -> Unmatched {
    let Some(method) = request.method() else {
        return Unmatched::Drop;
    };
    if method == Method::Ack {
        return Unmatched::Drop;
    }
    if method == Method::Cancel {
        return Unmatched::OutsideDialog;
    }
    let has_to_tag = request.to().is_some_and(|to| to.tag().is_some());
    let dialog_only = matches!(
        method,
        Method::Bye | Method::Prack | Method::Update | Method::Info
    );
    if has_to_tag || dialog_only {
        Unmatched::Reject(StatusCode::CALL_OR_TRANSACTION_DOES_NOT_EXIST)
    } else {
        Unmatched::OutsideDialog
    }
}
