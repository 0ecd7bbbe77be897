//! Why the dialog layer refused a message or a command.

use sip::StatusCode;
use sip::header::HeaderName;

/// Why a message cannot create, update or belong to a dialog, or why a command
/// was refused.
///
/// Variants say whose fault it is. For a request the UAS received,
/// [`DialogError::status`] is the final response to answer it with (RFC 3261
/// §8.2, §12.2.2); for a response or a command of ours it is `None`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DialogError {
    // --- The peer's fault: its message does not allow (or belong to) the dialog.
    /// A header the dialog needs (Call-ID, From, To, CSeq) is missing or
    /// malformed. A UAS answers 400.
    #[error("missing or malformed {0} header")]
    BadHeader(HeaderName),
    /// A dialog-creating request without a From tag: RFC 3261 §12.1.1 would
    /// make a dialog with a null remote tag for RFC 2543 peers; we refuse it so
    /// that every dialog has both tags. A UAS answers 400.
    #[error("the request has no From tag")]
    MissingFromTag,
    /// A dialog-creating request or 2xx response without a Contact (RFC 3261
    /// §8.1.1.8, §12.1.1). A UAS answers 400.
    #[error("no Contact to take the remote target from")]
    MissingContact,
    /// A Contact that is not exactly one `sip:`/`sips:` URI (several values, `*`,
    /// another scheme, or malformed) where the remote target is taken from it.
    /// A UAS answers 400.
    #[error("Contact must be exactly one SIP or SIPS URI")]
    InvalidContact,
    /// A Record-Route value that is malformed or not a `sip:`/`sips:` URI, so
    /// the route set cannot be formed. A UAS answers 400.
    #[error("Record-Route must hold SIP or SIPS URIs")]
    InvalidRecordRoute,
    /// A request whose CSeq is not above the last one received in the dialog
    /// (RFC 3261 §12.2.2): out of order, or a replay. A UAS answers 500.
    #[error("CSeq {received} is not above the remote sequence number {remote}")]
    OutOfOrder {
        /// The request's CSeq number.
        received: u32,
        /// The highest CSeq number received before in the dialog.
        remote: u32,
    },
    /// The message does not belong to this dialog (Call-ID or a tag differ),
    /// or a request with a To tag matches no dialog. A UAS answers 481 to such
    /// a request (RFC 3261 §12.2.2).
    #[error("the message belongs to no dialog known here")]
    NoSuchDialog,
    /// A request that already carries a To tag was given as dialog-creating:
    /// it belongs to a dialog, and if none matched it a UAS answers 481.
    #[error("the request already has a To tag")]
    HasToTag,
    /// A response with no To tag cannot create or belong to a dialog (RFC 3261
    /// §12.1). For a 2xx to INVITE this is a broken UAS.
    #[error("the response has no To tag")]
    MissingToTag,
    /// A response whose status does not create a dialog: 100, or 300–699, or
    /// a 1xx to a request other than INVITE (RFC 3261 §12.1).
    #[error("a {0} response does not create a dialog")]
    NotDialogCreatingStatus(u16),
    /// A request whose method never creates a dialog (only INVITE, SUBSCRIBE
    /// and REFER do here).
    #[error("{0} does not create a dialog")]
    NotDialogCreatingMethod(String),
    /// A response whose Call-ID, From tag or CSeq differ from the request it is
    /// given as answering.
    #[error("the response does not answer this request")]
    ResponseMismatch,

    // --- Our own misuse of the API.
    /// A response was given where a request was expected.
    #[error("expected a request")]
    NotARequest,
    /// A request was given where a response was expected.
    #[error("expected a response")]
    NotAResponse,
    /// The request we sent lacks a header (Call-ID, From tag, To, CSeq) or has
    /// a Contact that is not a SIP URI: not a request a dialog can come from.
    #[error("our request lacks a usable {0} header")]
    BadOwnRequest(HeaderName),
    /// A local tag that is empty or not a `token`.
    #[error("a local tag must be a non-empty token")]
    InvalidLocalTag,
    /// The local CSeq cannot grow further (it reached 2³²−1).
    #[error("the local CSeq number is exhausted")]
    SequenceExhausted,
    /// ACK and CANCEL reuse the CSeq of the INVITE: build them with
    /// [`Dialog::ack`](super::Dialog::ack) and
    /// [`Dialog::cancel`](super::Dialog::cancel).
    #[error("{0} reuses the CSeq of the request it acknowledges or cancels")]
    ReusesSequence(String),
    /// The dialog was terminated; it sends no more requests.
    #[error("the dialog is terminated")]
    Terminated,
    /// The early dialog limit of a [`DialogSet`](super::DialogSet) was reached:
    /// the provisional response was dropped.
    #[error("too many early dialogs for one request")]
    TooManyDialogs,
}

impl DialogError {
    /// The final response a UAS sends to a received request refused with this
    /// error: 400 for a request that cannot make a dialog, 481 for one that
    /// matches none, 500 for one out of order. `None` for errors that are not
    /// about a received request.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::BadHeader(_)
            | Self::MissingFromTag
            | Self::MissingContact
            | Self::InvalidContact
            | Self::InvalidRecordRoute => Some(StatusCode::BAD_REQUEST),
            Self::OutOfOrder { .. } => Some(StatusCode::SERVER_INTERNAL_ERROR),
            Self::NoSuchDialog | Self::HasToTag => {
                Some(StatusCode::CALL_OR_TRANSACTION_DOES_NOT_EXIST)
            }
            Self::MissingToTag
            | Self::NotDialogCreatingStatus(_)
            | Self::NotDialogCreatingMethod(_)
            | Self::ResponseMismatch
            | Self::NotARequest
            | Self::NotAResponse
            | Self::BadOwnRequest(_)
            | Self::InvalidLocalTag
            | Self::SequenceExhausted
            | Self::ReusesSequence(_)
            | Self::Terminated
            | Self::TooManyDialogs => None,
        }
    }

    /// Whether the peer (or a proxy on the way) is at fault, rather than the
    /// caller of this API.
    pub fn is_peer_fault(&self) -> bool {
        !matches!(
            self,
            Self::NotARequest
                | Self::NotAResponse
                | Self::BadOwnRequest(_)
                | Self::InvalidLocalTag
                | Self::SequenceExhausted
                | Self::ReusesSequence(_)
                | Self::Terminated
                | Self::NotDialogCreatingMethod(_)
        )
    }
}
