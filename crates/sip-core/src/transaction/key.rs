//! Matching messages to transactions (RFC 3261 §17.1.3, §17.2.3).

use sip::Message;
use sip::header::Via;

/// Which transaction a response belongs to: the branch of the top Via and the
/// CSeq method (§17.1.3). A CANCEL's responses match the CANCEL transaction,
/// not the INVITE's, because the methods differ.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientKey {
    branch: String,
    method: String,
}

impl ClientKey {
    /// The key of a request the client sends (its top Via carries our branch).
    pub fn of_request(request: &Message) -> Option<Self> {
        let via = request.via()?;
        Some(Self {
            branch: via.branch()?.to_owned(),
            method: request.method()?.as_str().to_owned(),
        })
    }

    /// The key a response names.
    pub fn of_response(response: &Message) -> Option<Self> {
        let via = response.via()?;
        Some(Self {
            branch: via.branch()?.to_owned(),
            method: response.cseq()?.method.as_str().to_owned(),
        })
    }

    /// The branch.
    pub fn branch(&self) -> &str {
        &self.branch
    }
}

/// Which server transaction a request belongs to (§17.2.3).
///
/// With an RFC 3261 branch (magic cookie and something after it): the branch,
/// the sent-by of the top Via and the method, where ACK counts as INVITE (the
/// ACK of a non-2xx response belongs to the INVITE's transaction) and CANCEL
/// keeps its own. Without one (RFC 2543 peers, RFC 4475 §3.2.1): the
/// Request-URI, From tag, Call-ID, CSeq number and method (ACK as INVITE), the
/// top Via, and the To tag except on ACK (whose To tag is the one our response
/// gave).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServerKey {
    /// RFC 3261 matching.
    Rfc3261 {
        /// The branch, compared case-sensitively.
        branch: String,
        /// sent-by, host lower-cased, with the port (explicit or default).
        sent_by: String,
        /// The method, ACK folded into INVITE.
        method: String,
    },
    /// RFC 2543 matching.
    Rfc2543 {
        /// Request-URI as written (for ACK, that of the INVITE is the same).
        request_uri: String,
        /// From tag.
        from_tag: String,
        /// To tag, empty for ACK.
        to_tag: String,
        /// Call-ID.
        call_id: String,
        /// CSeq number.
        cseq: u32,
        /// The method, ACK folded into INVITE.
        method: String,
        /// The top Via as written.
        via: String,
    },
}

impl ServerKey {
    /// The key of a received request; `None` if it lacks what matching needs.
    pub fn of_request(request: &Message) -> Option<Self> {
        let method = request.method()?;
        let is_ack = method.as_str() == "ACK";
        let folded = if is_ack { "INVITE" } else { method.as_str() }.to_owned();
        let via: Via<'_> = request.via()?;
        if via.has_rfc3261_branch() {
            let port = via
                .port
                .unwrap_or(match via.transport.to_ascii_uppercase().as_str() {
                    "TLS" => 5061,
                    _ => 5060,
                });
            return Some(Self::Rfc3261 {
                branch: via.branch()?.to_owned(),
                sent_by: format!("{}:{port}", via.host.to_string().to_ascii_lowercase()),
                method: folded,
            });
        }
        let cseq = request.cseq()?;
        Some(Self::Rfc2543 {
            request_uri: request.request_uri_str()?.to_owned(),
            from_tag: request.from()?.tag().unwrap_or("").to_owned(),
            to_tag: if is_ack {
                String::new()
            } else {
                request.to()?.tag().unwrap_or("").to_owned()
            },
            call_id: request.call_id()?.as_str().to_owned(),
            cseq: cseq.seq,
            method: folded,
            via: via.to_string(),
        })
    }

    /// The key of the INVITE transaction a CANCEL targets (§9.2): the CANCEL's
    /// own key with the method INVITE.
    pub fn invite_for_cancel(cancel: &Message) -> Option<Self> {
        Some(match Self::of_request(cancel)? {
            Self::Rfc3261 {
                branch, sent_by, ..
            } => Self::Rfc3261 {
                branch,
                sent_by,
                method: "INVITE".to_owned(),
            },
            Self::Rfc2543 {
                request_uri,
                from_tag,
                to_tag,
                call_id,
                cseq,
                via,
                ..
            } => Self::Rfc2543 {
                request_uri,
                from_tag,
                to_tag,
                call_id,
                cseq,
                method: "INVITE".to_owned(),
                via,
            },
        })
    }
}
