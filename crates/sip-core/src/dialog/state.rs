//! The dialog state of RFC 3261 §12 and how a dialog is created (§12.1).

use sip::header::{Contact, HeaderName, RecordRoute, Route};
use sip::uri::Uri;
use sip::{Address, Message, Method, Params};

use super::error::DialogError;
use super::id::{DialogId, is_token};

/// Where a dialog stands (RFC 3261 §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DialogState {
    /// Created by a provisional (101–199) response; a 2xx will confirm it, a
    /// final error response ends it.
    Early,
    /// Created or confirmed by a 2xx response.
    Confirmed,
    /// Ended (BYE, a final error, a 481 or 408 to a request within it, or the
    /// user's choice): it sends no more requests.
    Terminated,
}

/// Which end of the dialog-creating transaction this UA was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The UA sent the request that created the dialog.
    Uac,
    /// The UA received it.
    Uas,
}

/// One dialog: a peer-to-peer relationship between two user agents that
/// lasts some time (RFC 3261 §12), as one end holds it.
///
/// A dialog only keeps what §12 defines, plus the local Contact it puts in
/// requests: the Call-ID and tags ([`DialogId`]), the two sequence numbers,
/// local and remote URIs, remote target, route set and secure flag. Sessions
/// (offer/answer, session timers, options agreed) live above it.
///
/// Create one with [`Dialog::uac`] (the UA sent the request),
/// [`Dialog::uas`] (it received it), or through a
/// [`DialogSet`](super::DialogSet) when forked responses may create several.
#[derive(Debug, Clone)]
pub struct Dialog {
    pub(crate) id: DialogId,
    pub(crate) role: Role,
    pub(crate) state: DialogState,
    /// CSeq number of the last request sent (§12.2.1.1); `None` until then.
    pub(crate) local_seq: Option<u32>,
    /// The CSeq number the first request will carry if `local_seq` is `None`.
    pub(crate) first_local_seq: u32,
    /// CSeq number of the last request received in order (§12.2.2).
    pub(crate) remote_seq: Option<u32>,
    pub(crate) local_uri: Address<'static>,
    pub(crate) remote_uri: Address<'static>,
    pub(crate) remote_target: Uri<'static>,
    pub(crate) route_set: Vec<Route<'static>>,
    pub(crate) secure: bool,
    pub(crate) local_contact: Option<Address<'static>>,
    /// CSeq of the last response to one of our requests that refreshed the
    /// remote target: an older 2xx (a late retransmission) must not undo it.
    pub(crate) target_refreshed_at: Option<u32>,
}

/// The first CSeq number of a dialog whose caller chose none (RFC 3261
/// §8.1.1.5 leaves the choice free below 2³¹).
const DEFAULT_FIRST_LOCAL_SEQ: u32 = 1;

impl Dialog {
    /// The dialog a UAC holds after sending `request` and receiving
    /// `response` (RFC 3261 §12.1.2): a 101–199 response to INVITE makes an
    /// early dialog, a 2xx a confirmed one, provided the response has a To tag.
    ///
    /// - route set: the response's Record-Route values, in reverse order;
    /// - remote target: the response's Contact. A provisional response
    ///   without Contact (common, though §12.1.1 requires it) leaves the
    ///   request's Request-URI as the target until a later response brings
    ///   one; a 2xx must carry one;
    /// - local sequence number: the request's CSeq; remote: empty;
    /// - local and remote URIs (with display names): the request's From and To;
    /// - local contact: the request's Contact, if any;
    /// - secure: `over_tls` (the request went over TLS) and a `sips:`
    ///   Request-URI.
    ///
    /// Errors: [`DialogError::NotDialogCreatingStatus`],
    /// [`DialogError::MissingToTag`], [`DialogError::ResponseMismatch`]
    /// (Call-ID, From tag or CSeq differ from the request's),
    /// [`DialogError::MissingContact`] / [`DialogError::InvalidContact`] /
    /// [`DialogError::InvalidRecordRoute`] for a response that cannot make a
    /// usable dialog, and [`DialogError::BadOwnRequest`] when `request` is not
    /// a request a dialog can come from.
    pub fn uac(request: &Message, response: &Message, over_tls: bool) -> Result<Self, DialogError> {
        let sent = SentRequest::read(request)?;
        Self::uac_from(&sent, response, over_tls)
    }

    pub(crate) fn uac_from(
        sent: &SentRequest,
        response: &Message,
        over_tls: bool,
    ) -> Result<Self, DialogError> {
        let status = response.status().ok_or(DialogError::NotAResponse)?;
        let code = status.code();
        let creates = match code {
            101..=199 => sent.method == Method::Invite,
            200..=299 => true,
            _ => false,
        };
        if !creates {
            return Err(DialogError::NotDialogCreatingStatus(code));
        }
        sent.check_answers(response)?;
        let to = response
            .to()
            .ok_or(DialogError::BadHeader(HeaderName::To))?;
        let remote_tag = to.tag().ok_or(DialogError::MissingToTag)?;
        let id = DialogId::new(&sent.call_id, &sent.local_tag, remote_tag)
            .ok_or(DialogError::MissingToTag)?;
        let remote_target = match remote_target_of(response) {
            Ok(uri) => uri,
            Err(DialogError::MissingContact) if status.is_provisional() => sent.request_uri.clone(),
            Err(e) => return Err(e),
        };
        let mut route_set = route_set_of(response)?;
        route_set.reverse();
        let secure = over_tls && is_sips(&sent.request_uri);
        Ok(Self {
            id,
            role: Role::Uac,
            state: if status.is_success() {
                DialogState::Confirmed
            } else {
                DialogState::Early
            },
            local_seq: Some(sent.seq),
            first_local_seq: DEFAULT_FIRST_LOCAL_SEQ,
            remote_seq: None,
            local_uri: sent.local_uri.clone(),
            remote_uri: sent.remote_uri.clone(),
            remote_target,
            route_set,
            secure,
            local_contact: sent.local_contact.clone(),
            target_refreshed_at: status.is_success().then_some(sent.seq),
        })
    }

    /// The dialog a UAS holds after receiving the dialog-creating `request`
    /// and choosing `local_tag` for the To of its 101–299 response (RFC 3261
    /// §12.1.1). The dialog starts early; call [`Dialog::confirm`] when a 2xx
    /// is sent. Build that response with [`Dialog::response_to`], which adds
    /// the tag and `local_contact`.
    ///
    /// - route set: the request's Record-Route values, in order, parameters kept;
    /// - remote target: the request's Contact, which must be exactly one SIP
    ///   or SIPS URI;
    /// - remote sequence number: the request's CSeq; local: empty (the first
    ///   request will carry 1, or what [`Dialog::set_first_local_seq`] chose);
    /// - local and remote URIs (with display names): the request's To and From;
    /// - secure: `over_tls` (the request arrived over TLS) and a `sips:`
    ///   Request-URI.
    ///
    /// Errors, with the status a UAS answers ([`DialogError::status`]):
    /// - 400: [`DialogError::BadHeader`] (Call-ID, From, To or CSeq missing or
    ///   malformed), [`DialogError::MissingFromTag`],
    ///   [`DialogError::MissingContact`], [`DialogError::InvalidContact`],
    ///   [`DialogError::InvalidRecordRoute`];
    /// - 481: [`DialogError::HasToTag`] — the request is within a dialog;
    /// - none: [`DialogError::NotARequest`],
    ///   [`DialogError::NotDialogCreatingMethod`] (only INVITE, SUBSCRIBE and
    ///   REFER create dialogs), [`DialogError::InvalidLocalTag`].
    pub fn uas(
        request: &Message,
        local_tag: &str,
        local_contact: Address<'_>,
        over_tls: bool,
    ) -> Result<Self, DialogError> {
        let method = request.method().ok_or(DialogError::NotARequest)?;
        if !super::creates_dialog(&method) {
            return Err(DialogError::NotDialogCreatingMethod(method.to_string()));
        }
        if !is_token(local_tag) {
            return Err(DialogError::InvalidLocalTag);
        }
        let call_id = request
            .call_id()
            .ok_or(DialogError::BadHeader(HeaderName::CallId))?;
        let from = request
            .from()
            .ok_or(DialogError::BadHeader(HeaderName::From))?;
        let to = request.to().ok_or(DialogError::BadHeader(HeaderName::To))?;
        if to.tag().is_some() {
            return Err(DialogError::HasToTag);
        }
        let remote_tag = from
            .tag()
            .filter(|t| !t.is_empty())
            .ok_or(DialogError::MissingFromTag)?;
        let cseq = request
            .cseq()
            .ok_or(DialogError::BadHeader(HeaderName::CSeq))?;
        let id = DialogId::new(call_id.as_str(), local_tag, remote_tag)
            .ok_or(DialogError::BadHeader(HeaderName::CallId))?;
        let remote_target = remote_target_of(request)?;
        let route_set = route_set_of(request)?;
        let secure = over_tls && request.request_uri().is_some_and(|u| is_sips(&u));
        Ok(Self {
            id,
            role: Role::Uas,
            state: DialogState::Early,
            local_seq: None,
            first_local_seq: DEFAULT_FIRST_LOCAL_SEQ,
            remote_seq: Some(cseq.seq),
            local_uri: bare_address(&to),
            remote_uri: bare_address(&from),
            remote_target,
            route_set,
            secure,
            local_contact: Some(local_contact.into_owned()),
            target_refreshed_at: None,
        })
    }

    /// The dialog's ID.
    pub fn id(&self) -> &DialogId {
        &self.id
    }

    /// Whether this UA created the dialog by sending or by receiving the request.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Early, confirmed or terminated.
    pub fn state(&self) -> DialogState {
        self.state
    }

    /// The CSeq number of the last request sent within the dialog (that of
    /// the creating request on the UAC side); `None` until one is sent.
    pub fn local_seq(&self) -> Option<u32> {
        self.local_seq
    }

    /// The CSeq number of the last in-order request received; `None` until
    /// one is (on the UAC side).
    pub fn remote_seq(&self) -> Option<u32> {
        self.remote_seq
    }

    /// The local URI with its display name (From of our requests), without tag.
    pub fn local_uri(&self) -> &Address<'static> {
        &self.local_uri
    }

    /// The remote URI with its display name (To of our requests), without tag.
    pub fn remote_uri(&self) -> &Address<'static> {
        &self.remote_uri
    }

    /// Where requests within the dialog go: the peer's Contact, or the first
    /// route when that is a strict router (see [`Dialog::request`]).
    pub fn remote_target(&self) -> &Uri<'static> {
        &self.remote_target
    }

    /// The route set, in the order requests traverse it.
    pub fn route_set(&self) -> &[Route<'static>] {
        &self.route_set
    }

    /// Whether the dialog was created securely (`sips:` over TLS): every
    /// request within it must go over TLS too.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// The Contact this UA puts in requests that refresh the target and in
    /// responses that create or refresh the dialog.
    pub fn local_contact(&self) -> Option<&Address<'static>> {
        self.local_contact.as_ref()
    }

    /// Changes the local Contact (before a re-INVITE or UPDATE that moves this
    /// UA, for example).
    pub fn set_local_contact(&mut self, contact: Address<'_>) {
        self.local_contact = Some(contact.into_owned());
    }

    /// Chooses the CSeq number of the first request this UA sends in the
    /// dialog, while none was sent (a UAS dialog; 1 by default). Returns
    /// whether it took effect. Numbers of 2³¹ and above are reduced below 2³¹,
    /// as RFC 3261 §8.1.1.5 requires of a first number.
    pub fn set_first_local_seq(&mut self, seq: u32) -> bool {
        if self.local_seq.is_some() {
            return false;
        }
        self.first_local_seq = seq & 0x7FFF_FFFF;
        true
    }

    /// Marks the dialog confirmed: a UAS calls this when it sends a 2xx to
    /// the creating request. A terminated dialog stays terminated.
    pub fn confirm(&mut self) {
        if self.state == DialogState::Early {
            self.state = DialogState::Confirmed;
        }
    }

    /// Marks the dialog terminated: after a BYE, a final error to the creating
    /// INVITE, a 481 or 408 to a request within it, or as the user decides.
    pub fn terminate(&mut self) {
        self.state = DialogState::Terminated;
    }

    /// Whether `call_id`, `local_tag` and `remote_tag` name this dialog.
    pub(crate) fn is(&self, call_id: &str, local_tag: &str, remote_tag: &str) -> bool {
        self.id.is(call_id, local_tag, remote_tag)
    }
}

/// What a UAC keeps of the request it sent, to create dialogs from responses.
#[derive(Debug, Clone)]
pub(crate) struct SentRequest {
    pub(crate) method: Method<'static>,
    pub(crate) request_uri: Uri<'static>,
    pub(crate) call_id: String,
    pub(crate) local_tag: String,
    pub(crate) seq: u32,
    pub(crate) local_uri: Address<'static>,
    pub(crate) remote_uri: Address<'static>,
    pub(crate) local_contact: Option<Address<'static>>,
}

impl SentRequest {
    /// Reads what the dialogs need from a request we sent.
    pub(crate) fn read(request: &Message) -> Result<Self, DialogError> {
        let method = request.method().ok_or(DialogError::NotARequest)?;
        let bad = DialogError::BadOwnRequest;
        let request_uri = request.request_uri().ok_or(DialogError::NotARequest)?;
        let call_id = request.call_id().ok_or(bad(HeaderName::CallId))?;
        let from = request.from().ok_or(bad(HeaderName::From))?;
        let local_tag = from
            .tag()
            .filter(|t| !t.is_empty())
            .ok_or(bad(HeaderName::From))?;
        let to = request.to().ok_or(bad(HeaderName::To))?;
        let cseq = request.cseq().ok_or(bad(HeaderName::CSeq))?;
        let local_contact = match request.typed::<Contact<'_>>() {
            None => None,
            Some(Ok(Contact::Address(a))) if matches!(a.uri, Uri::Sip(_)) => Some(a.into_owned()),
            Some(_) => return Err(bad(HeaderName::Contact)),
        };
        if call_id.as_str().is_empty() {
            return Err(bad(HeaderName::CallId));
        }
        Ok(Self {
            method: method.into_owned(),
            request_uri: request_uri.into_owned(),
            call_id: call_id.as_str().to_owned(),
            local_tag: local_tag.to_owned(),
            seq: cseq.seq,
            local_uri: bare_address(&from),
            remote_uri: bare_address(&to),
            local_contact,
        })
    }

    /// Checks that `response` answers this request: same Call-ID, From tag and
    /// CSeq (number and method).
    pub(crate) fn check_answers(&self, response: &Message) -> Result<(), DialogError> {
        let same_call = response
            .call_id()
            .is_some_and(|c| c.as_str() == self.call_id);
        let same_tag = response
            .from()
            .is_some_and(|f| f.tag() == Some(self.local_tag.as_str()));
        let same_cseq = response
            .cseq()
            .is_some_and(|c| c.seq == self.seq && c.method == self.method);
        if same_call && same_tag && same_cseq {
            Ok(())
        } else {
            Err(DialogError::ResponseMismatch)
        }
    }
}

/// The display name and URI of an address, without its parameters (the tag
/// is kept apart, in the dialog ID).
pub(crate) fn bare_address(address: &Address<'_>) -> Address<'static> {
    Address {
        display_name: address.display_name.clone().map(|d| d.into_owned()),
        uri: address.uri.clone().into_owned(),
        params: Params::new(),
    }
}

/// Whether `uri` is a `sips:` URI.
pub(crate) fn is_sips(uri: &Uri<'_>) -> bool {
    uri.as_sip().is_some_and(|u| u.secure)
}

/// The remote target a message sets: the URI of its only Contact, which must
/// be a SIP or SIPS URI.
pub(crate) fn remote_target_of(message: &Message) -> Result<Uri<'static>, DialogError> {
    let mut contacts = message.typed_all::<Contact<'_>>();
    let first = contacts.next().ok_or(DialogError::MissingContact)?;
    if contacts.next().is_some() {
        return Err(DialogError::InvalidContact);
    }
    match first {
        Ok(Contact::Address(a)) if matches!(a.uri, Uri::Sip(_)) => Ok(a.uri.into_owned()),
        _ => Err(DialogError::InvalidContact),
    }
}

/// The Record-Route values of a message, in the order they appear, each a
/// SIP or SIPS URI with its parameters.
pub(crate) fn route_set_of(message: &Message) -> Result<Vec<Route<'static>>, DialogError> {
    message
        .typed_all::<RecordRoute<'_>>()
        .map(|rr| match rr {
            Ok(rr) if matches!(rr.uri, Uri::Sip(_)) => Ok(Route(rr.0.into_owned())),
            _ => Err(DialogError::InvalidRecordRoute),
        })
        .collect()
}
