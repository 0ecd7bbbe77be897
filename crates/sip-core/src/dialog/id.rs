//! Dialog identifiers (RFC 3261 §12): the Call-ID and the two tags.

use std::fmt;

use sip::Message;

/// The identity of a dialog: Call-ID, local tag and remote tag (RFC 3261 §12).
///
/// The same dialog has mirrored IDs at its two ends: what is local to the
/// caller is remote to the callee. Every part is compared byte for byte (the
/// Call-ID as RFC 3261 §8.1.1.4 requires; tags as every stack in use does —
/// a UA only ever compares a tag with the one it received or generated).
/// Every part is non-empty: an ID with a missing tag cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogId {
    call_id: String,
    local_tag: String,
    remote_tag: String,
}

impl DialogId {
    /// An ID from its parts; `None` if any of them is empty.
    pub fn new(call_id: &str, local_tag: &str, remote_tag: &str) -> Option<Self> {
        if call_id.is_empty() || local_tag.is_empty() || remote_tag.is_empty() {
            return None;
        }
        Some(Self {
            call_id: call_id.to_owned(),
            local_tag: local_tag.to_owned(),
            remote_tag: remote_tag.to_owned(),
        })
    }

    /// The ID of the dialog a received request belongs to, as seen by its
    /// recipient (RFC 3261 §12.2.2): local tag from To, remote tag from From.
    /// `None` for a response, or when a tag or the Call-ID is missing: a request
    /// without a To tag is outside any dialog.
    pub fn of_received_request(request: &Message) -> Option<Self> {
        if !request.is_request() {
            return None;
        }
        Self::new(
            request.call_id()?.as_str(),
            request.to()?.tag()?,
            request.from()?.tag()?,
        )
    }

    /// The ID of the dialog a received response belongs to, as seen by the
    /// UAC that sent the request: local tag from From, remote tag from To.
    /// `None` for a request, or when a tag or the Call-ID is missing.
    pub fn of_received_response(response: &Message) -> Option<Self> {
        if response.is_request() {
            return None;
        }
        Self::new(
            response.call_id()?.as_str(),
            response.from()?.tag()?,
            response.to()?.tag()?,
        )
    }

    /// The Call-ID.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// The tag this end chose (From of its requests, To of its responses).
    pub fn local_tag(&self) -> &str {
        &self.local_tag
    }

    /// The tag the peer chose.
    pub fn remote_tag(&self) -> &str {
        &self.remote_tag
    }

    /// The same dialog as the peer names it (local and remote swapped).
    pub fn mirrored(&self) -> Self {
        Self {
            call_id: self.call_id.clone(),
            local_tag: self.remote_tag.clone(),
            remote_tag: self.local_tag.clone(),
        }
    }

    /// Whether `call_id`, `local_tag` and `remote_tag` name this dialog.
    pub(crate) fn is(&self, call_id: &str, local_tag: &str, remote_tag: &str) -> bool {
        self.call_id == call_id && self.local_tag == local_tag && self.remote_tag == remote_tag
    }
}

impl fmt::Display for DialogId {
    /// `call-id;local=tag;remote=tag`, for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{};local={};remote={}",
            self.call_id, self.local_tag, self.remote_tag
        )
    }
}

/// The identity of the dialogs one request may create (RFC 3261 §12.1.2,
/// §13.2.2.4): its Call-ID and From tag. Each fork of the request that answers
/// with its own To tag makes a dialog of the set.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogSetId {
    call_id: String,
    local_tag: String,
}

impl DialogSetId {
    /// An ID from its parts; `None` if either is empty.
    pub fn new(call_id: &str, local_tag: &str) -> Option<Self> {
        if call_id.is_empty() || local_tag.is_empty() {
            return None;
        }
        Some(Self {
            call_id: call_id.to_owned(),
            local_tag: local_tag.to_owned(),
        })
    }

    /// The set a message sent or received by the UAC of the request belongs to:
    /// the Call-ID and the From tag (the From of a request is the UAC's, and a
    /// response copies it).
    pub fn of_message(message: &Message) -> Option<Self> {
        Self::new(message.call_id()?.as_str(), message.from()?.tag()?)
    }

    /// The Call-ID.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// The UAC's tag (the From tag of the request).
    pub fn local_tag(&self) -> &str {
        &self.local_tag
    }

    /// The ID of the dialog of this set whose peer chose `remote_tag`; `None`
    /// if `remote_tag` is empty.
    pub fn dialog(&self, remote_tag: &str) -> Option<DialogId> {
        DialogId::new(&self.call_id, &self.local_tag, remote_tag)
    }
}

impl fmt::Display for DialogSetId {
    /// `call-id;local=tag`, for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{};local={}", self.call_id, self.local_tag)
    }
}

/// Whether `tag` is a `token` (RFC 3261 §25.1), as a tag we generate must be.
pub(crate) fn is_token(tag: &str) -> bool {
    !tag.is_empty()
        && tag.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
                )
        })
}
