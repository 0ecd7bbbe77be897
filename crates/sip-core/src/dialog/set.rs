//! The dialogs one request may create when proxies fork it (RFC 3261
//! §12.1.2, §13.2.2.4).

use sip::{Message, Method};

use super::error::DialogError;
use super::id::{DialogId, DialogSetId};
use super::state::{Dialog, DialogState, SentRequest};

/// What a response to the dialog-creating request did to its [`DialogSet`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForkEvent {
    /// No dialog changed: a 100, a 1xx without To tag, a 1xx to a request
    /// other than INVITE, a 1xx after the dialog it names was confirmed, or
    /// a 1xx after a final error.
    Ignored,
    /// A 1xx created (`new`) or updated an early dialog.
    Early {
        /// The dialog.
        id: DialogId,
        /// Whether this response created it.
        new: bool,
    },
    /// The first 2xx: it confirmed (or created, `new`) this dialog, the one
    /// the request succeeded with.
    Confirmed {
        /// The dialog.
        id: DialogId,
        /// Whether this response created it (no 1xx with its tag came before).
        new: bool,
    },
    /// A 2xx from another fork after `first` was confirmed: the dialog is
    /// confirmed so that the UAC can ACK it, and then usually end it with BYE
    /// (RFC 3261 §13.2.2.4 leaves the choice to the session).
    AlsoConfirmed {
        /// The dialog this 2xx confirmed.
        id: DialogId,
        /// The dialog confirmed first.
        first: DialogId,
    },
    /// A 2xx for a dialog already confirmed (or terminated): a retransmission
    /// the transaction layer passes up; ACK it again (§13.2.2.4).
    Retransmission {
        /// The dialog.
        id: DialogId,
    },
    /// A final error (300–699): every early dialog is terminated and removed
    /// (§13.2.2.3); confirmed ones stay.
    Failed {
        /// The early dialogs removed.
        terminated: Vec<DialogId>,
    },
}

/// The dialogs created by one request — an INVITE, SUBSCRIBE or REFER —
/// keyed by its Call-ID and From tag ([`DialogSetId`]), one per To tag of the
/// responses (RFC 3261 §12.1.2, §13.2.2.4).
///
/// It does the bookkeeping of forking: it matches each response to the
/// dialog of its To tag or creates one, confirms on 2xx, records which dialog
/// was confirmed first and which confirmed after it (to be acknowledged and
/// ended), and ends early dialogs on a final error. What to do with extra
/// dialogs is the session's choice.
///
/// ```
/// use sip::{Message, StatusCode};
/// use sip_core::dialog::{DialogSet, ForkEvent};
///
/// let invite = Message::parse(
///     b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
///       Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n\
///       To: Bob <sip:bob@biloxi.example.com>\r\n\
///       From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
///       Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n\
///       CSeq: 314159 INVITE\r\n\
///       Contact: <sip:alice@pc33.atlanta.example.com>\r\n\
///       Content-Length: 0\r\n\r\n",
/// )
/// .unwrap();
/// let mut set = DialogSet::new(&invite, false).unwrap();
/// let ok = Message::response_to(&invite, StatusCode::OK)
///     .to_tag("a6c85cf")
///     .contact(&sip::Address::parse("<sip:bob@192.0.2.4>").unwrap())
///     .build()
///     .unwrap();
/// let ForkEvent::Confirmed { id, new: true } = set.handle_response(&ok).unwrap() else {
///     panic!("the 2xx confirms a dialog")
/// };
/// assert_eq!(id.remote_tag(), "a6c85cf");
/// let mut dialog = set.remove("a6c85cf").unwrap();
/// let ack = dialog.ack(314159).build().unwrap();
/// assert_eq!(ack.request_uri_str(), Some("sip:bob@192.0.2.4"));
/// ```
#[derive(Debug, Clone)]
pub struct DialogSet {
    id: DialogSetId,
    request: SentRequest,
    over_tls: bool,
    dialogs: Vec<Dialog>,
    first_confirmed: Option<DialogId>,
    failed: bool,
}

impl DialogSet {
    /// The most dialogs one request may create. A response that would create
    /// one more is refused with [`DialogError::TooManyDialogs`]: a bound on
    /// the state a misbehaving network can make us keep.
    pub const MAX_DIALOGS: usize = 32;

    /// The set for `request`, a dialog-creating request this UA sent (over TLS
    /// if `over_tls`, which with a `sips:` Request-URI makes its dialogs
    /// secure).
    ///
    /// Errors: [`DialogError::NotARequest`],
    /// [`DialogError::NotDialogCreatingMethod`], [`DialogError::BadOwnRequest`]
    /// (no Call-ID, From tag, To or CSeq, or a Contact that is not a SIP URI).
    pub fn new(request: &Message, over_tls: bool) -> Result<Self, DialogError> {
        let method = request.method().ok_or(DialogError::NotARequest)?;
        if !super::creates_dialog(&method) {
            return Err(DialogError::NotDialogCreatingMethod(method.to_string()));
        }
        let request = SentRequest::read(request)?;
        let id = DialogSetId::new(&request.call_id, &request.local_tag)
            .ok_or(DialogError::BadOwnRequest(sip::header::HeaderName::CallId))?;
        Ok(Self {
            id,
            request,
            over_tls,
            dialogs: Vec::new(),
            first_confirmed: None,
            failed: false,
        })
    }

    /// The Call-ID and local tag every dialog of the set shares.
    pub fn id(&self) -> &DialogSetId {
        &self.id
    }

    /// The CSeq number of the request (what the ACK of a 2xx carries).
    pub fn request_seq(&self) -> u32 {
        self.request.seq
    }

    /// Whether `response` answers the request of this set (same Call-ID,
    /// From tag and CSeq).
    pub fn matches(&self, response: &Message) -> bool {
        !response.is_request() && self.request.check_answers(response).is_ok()
    }

    /// Takes a response to the request: matches it to the dialog of its To
    /// tag or creates one (see [`ForkEvent`] for every outcome).
    ///
    /// Errors (the set does not change): [`DialogError::NotAResponse`],
    /// [`DialogError::ResponseMismatch`] (it answers another request),
    /// [`DialogError::MissingToTag`] (a 2xx without To tag),
    /// [`DialogError::TooManyDialogs`], and the errors of [`Dialog::uac`] and
    /// [`Dialog::handle_response`] for a response that cannot make a usable
    /// dialog (no Contact in a 2xx, a malformed Record-Route, …).
    pub fn handle_response(&mut self, response: &Message) -> Result<ForkEvent, DialogError> {
        let status = response.status().ok_or(DialogError::NotAResponse)?;
        self.request.check_answers(response)?;
        let code = status.code();
        if code >= 300 {
            self.failed = true;
            return Ok(ForkEvent::Failed {
                terminated: self.terminate_early(),
            });
        }
        if code == 100 || (code < 200 && self.request.method != Method::Invite) {
            return Ok(ForkEvent::Ignored);
        }
        let Some(to) = response.to() else {
            return Err(DialogError::BadHeader(sip::header::HeaderName::To));
        };
        let Some(tag) = to.tag().filter(|t| !t.is_empty()) else {
            return if status.is_success() {
                Err(DialogError::MissingToTag)
            } else {
                Ok(ForkEvent::Ignored)
            };
        };
        let existing = self.dialogs.iter_mut().find(|d| d.id.remote_tag() == tag);
        let (id, new) = match existing {
            Some(dialog) => match (dialog.state, status.is_success()) {
                (DialogState::Early, _) => {
                    dialog.handle_response(response)?;
                    (dialog.id.clone(), false)
                }
                (_, true) => {
                    return Ok(ForkEvent::Retransmission {
                        id: dialog.id.clone(),
                    });
                }
                (_, false) => return Ok(ForkEvent::Ignored),
            },
            None => {
                if status.is_provisional() && self.failed {
                    return Ok(ForkEvent::Ignored);
                }
                if self.dialogs.len() >= Self::MAX_DIALOGS {
                    return Err(DialogError::TooManyDialogs);
                }
                let dialog = Dialog::uac_from(&self.request, response, self.over_tls)?;
                let id = dialog.id.clone();
                self.dialogs.push(dialog);
                (id, true)
            }
        };
        if status.is_provisional() {
            return Ok(ForkEvent::Early { id, new });
        }
        match &self.first_confirmed {
            None => {
                self.first_confirmed = Some(id.clone());
                Ok(ForkEvent::Confirmed { id, new })
            }
            Some(first) => Ok(ForkEvent::AlsoConfirmed {
                id,
                first: first.clone(),
            }),
        }
    }

    /// The dialog whose peer chose `remote_tag`.
    pub fn dialog(&self, remote_tag: &str) -> Option<&Dialog> {
        self.dialogs
            .iter()
            .find(|d| d.id.remote_tag() == remote_tag)
    }

    /// The dialog whose peer chose `remote_tag`, mutably.
    pub fn dialog_mut(&mut self, remote_tag: &str) -> Option<&mut Dialog> {
        self.dialogs
            .iter_mut()
            .find(|d| d.id.remote_tag() == remote_tag)
    }

    /// Every dialog of the set, in the order they were created.
    pub fn dialogs(&self) -> impl Iterator<Item = &Dialog> + '_ {
        self.dialogs.iter()
    }

    /// How many dialogs the set holds.
    pub fn len(&self) -> usize {
        self.dialogs.len()
    }

    /// Whether the set holds no dialog.
    pub fn is_empty(&self) -> bool {
        self.dialogs.is_empty()
    }

    /// The ID of the dialog the first 2xx confirmed, once one came (even if
    /// the dialog was removed since).
    pub fn first_confirmed(&self) -> Option<&DialogId> {
        self.first_confirmed.as_ref()
    }

    /// The dialogs confirmed by a 2xx after the first one: ACK each, then end
    /// it with BYE unless the session keeps several (§13.2.2.4).
    pub fn also_confirmed(&self) -> impl Iterator<Item = &DialogId> + '_ {
        self.dialogs
            .iter()
            .filter(|d| d.state == DialogState::Confirmed)
            .map(|d| &d.id)
            .filter(|id| self.first_confirmed.as_ref() != Some(*id))
    }

    /// The early dialogs, still waiting for a final response.
    pub fn early(&self) -> impl Iterator<Item = &DialogId> + '_ {
        self.dialogs
            .iter()
            .filter(|d| d.state == DialogState::Early)
            .map(|d| &d.id)
    }

    /// Removes every early dialog and returns their IDs: when a final error
    /// arrives ([`DialogSet::handle_response`] does it), and when the INVITE
    /// transaction completes after a 2xx (64·T1 after the first 2xx,
    /// §13.2.2.4) or the UAC gives up.
    pub fn terminate_early(&mut self) -> Vec<DialogId> {
        let mut ended = Vec::new();
        self.dialogs.retain(|d| {
            let early = d.state == DialogState::Early;
            if early {
                ended.push(d.id.clone());
            }
            !early
        });
        ended
    }

    /// Takes the dialog whose peer chose `remote_tag` out of the set (to hand
    /// it to the session that uses it).
    pub fn remove(&mut self, remote_tag: &str) -> Option<Dialog> {
        let at = self
            .dialogs
            .iter()
            .position(|d| d.id.remote_tag() == remote_tag)?;
        Some(self.dialogs.remove(at))
    }
}
