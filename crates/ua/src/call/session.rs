//! One call's state: its dialog (or, while an outgoing INVITE may fork, its
//! dialog set), its transactions and its offer/answer negotiator.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sdp::neg::Negotiator;
use sip::Message;
use sip_core::auth::ClientAuth;
use sip_core::dialog::{Dialog, DialogSet};
use sip_core::rng::Rng;
use sip_core::stack::{ClientTxId, ServerTxId};

use crate::account::AccountId;

/// A call of the user agent: a slot number and the generation of the call
/// in it, so a stale id never reaches a later call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId {
    /// The slot (PJSUA2's call id).
    pub index: u32,
    /// Which call of the slot.
    pub generation: u32,
}

/// Where a call is (PJSIP's `pjsip_inv_state`, with its numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallState {
    /// Before the INVITE (`PJSIP_INV_STATE_NULL`).
    Null,
    /// The INVITE was sent (`CALLING`).
    Calling,
    /// An INVITE was received (`INCOMING`).
    Incoming,
    /// A provisional response with a To tag was sent or received (`EARLY`).
    Early,
    /// The 2xx was sent or received, the ACK not yet (`CONNECTING`).
    Connecting,
    /// The ACK was sent or received (`CONFIRMED`).
    Confirmed,
    /// Over (`DISCONNECTED`).
    Disconnected,
}

impl CallState {
    /// PJSIP's number for the state.
    pub fn as_i32(self) -> i32 {
        match self {
            Self::Null => 0,
            Self::Calling => 1,
            Self::Incoming => 2,
            Self::Early => 3,
            Self::Connecting => 4,
            Self::Confirmed => 5,
            Self::Disconnected => 6,
        }
    }

    /// PJSIP's text for the state (`CallInfo.stateText`,
    /// `pjsip_inv_state_name` in PJSIP 2.15: `DISCONNECTED`).
    pub fn text(self) -> &'static str {
        match self {
            Self::Null => "NULL",
            Self::Calling => "CALLING",
            Self::Incoming => "INCOMING",
            Self::Early => "EARLY",
            Self::Connecting => "CONNECTING",
            Self::Confirmed => "CONFIRMED",
            Self::Disconnected => "DISCONNECTED",
        }
    }
}

/// Which side of the call this user agent is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallRole {
    /// It sent the INVITE (`PJSIP_ROLE_UAC`).
    Caller,
    /// It received the INVITE (`PJSIP_ROLE_UAS`).
    Callee,
}

/// What [`crate::UserAgent::call_status`] reports (the SIP side of
/// PJSUA2's `CallInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallStatus {
    /// The account the call belongs to.
    pub account: AccountId,
    /// Which side we are.
    pub role: CallRole,
    /// Where the call is.
    pub state: CallState,
    /// The last status code sent or received.
    pub last_code: u16,
    /// Its reason phrase.
    pub last_reason: String,
    /// The Call-ID.
    pub call_id: String,
    /// Our URI (From for a caller, To for a callee).
    pub local_uri: String,
    /// Our Contact.
    pub local_contact: String,
    /// The peer's URI.
    pub remote_uri: String,
    /// The peer's Contact, once known.
    pub remote_contact: Option<String>,
    /// When the call was made (the INVITE sent or received).
    pub started_at: Instant,
    /// When the first response came or went (PJSUA2's `responseTime`).
    pub responded_at: Option<Instant>,
    /// Whether the peer made the first offer (PJSUA2's `remOfferer`).
    pub remote_offerer: bool,
    /// When the call was answered (the 2xx).
    pub connected_at: Option<Instant>,
    /// When it ended.
    pub disconnected_at: Option<Instant>,
}

/// What a re-offer asks for (PJSUA2's `reinvite`/`update` and `setHold`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reoffer {
    /// The same media again (a session refresh, or new capabilities).
    Refresh,
    /// Put the peer on hold (`sendonly`, or `inactive` if it holds us).
    Hold,
    /// Release our hold (`sendrecv`, PJSUA2's `PJSUA_CALL_UNHOLD`).
    Unhold,
}

/// Which request carries a re-offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReofferMethod {
    /// A re-INVITE (RFC 3261 §14).
    Invite,
    /// An UPDATE (RFC 3311).
    Update,
}

/// What to do with a redirection target (PJSIP's `pjsip_redirect_op`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RedirectOp {
    /// Skip this target and ask about the next (`PJSIP_REDIRECT_REJECT`).
    Reject,
    /// Call this target (`PJSIP_REDIRECT_ACCEPT`; `ACCEPT_REPLACE` also
    /// makes it the call's remote URI, which ferrosip always does).
    Accept,
    /// Give up: the call ends with the 3xx (`PJSIP_REDIRECT_STOP`).
    Stop,
}

/// A re-INVITE or UPDATE of ours in flight.
#[derive(Debug, Clone)]
pub(crate) struct PendingReoffer {
    pub(crate) tx: ClientTxId,
    pub(crate) method: ReofferMethod,
    pub(crate) what: Reoffer,
    /// CSeq number of the re-INVITE, for its ACK.
    pub(crate) seq: u32,
}

/// The 2xx a callee retransmits until the ACK comes (RFC 3261 §13.3.1.4).
#[derive(Debug, Clone)]
pub(crate) struct Retransmission {
    /// The INVITE's server transaction (Accepted, RFC 6026).
    pub(crate) tx: ServerTxId,
    pub(crate) response: Message,
    pub(crate) next: Instant,
    pub(crate) interval: Duration,
    pub(crate) give_up: Instant,
}

/// One call.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) account: AccountId,
    pub(crate) role: CallRole,
    pub(crate) state: CallState,
    pub(crate) last_code: u16,
    pub(crate) last_reason: String,
    pub(crate) negotiator: Negotiator,
    /// The INVITE that made the call (sent or received).
    pub(crate) invite: Message,
    pub(crate) local_uri: String,
    pub(crate) local_contact: String,
    pub(crate) remote_uri: String,
    /// Digest answers to 401/407 (the account's credentials): the
    /// caller's INVITE, and either side's requests within the dialog.
    pub(crate) auth: ClientAuth,
    /// The generator of the digest's cnonces.
    pub(crate) rng: Rng,
    /// Caller: INVITEs resent with credentials so far.
    pub(crate) auth_retries: u32,
    /// Caller: the targets of a 3xx, and the one being asked about.
    pub(crate) redirect: Option<(Vec<String>, usize)>,
    /// Callee: the call this one replaces (RFC 3891).
    pub(crate) replaces: Option<CallId>,
    /// The account's session timer settings.
    pub(crate) timer_settings: super::timer::SessionTimerSettings,
    /// Caller: the Session-Expires our INVITE asks (raised by a 422).
    pub(crate) asked_se: u32,
    /// Callee: the timer the 2xx will start: (interval, we refresh,
    /// whether the caller supports timers).
    pub(crate) offered_timer: Option<(u32, bool, bool)>,
    /// The running session timer.
    pub(crate) timer: Option<super::timer::SessionTimer>,
    /// Whether this call's provisional responses are reliable (RFC 3262).
    pub(crate) use_100rel: bool,
    /// Callee: the last RSeq sent.
    pub(crate) rseq: u32,
    /// Callee: the reliable provisional response waiting for its PRACK.
    pub(crate) reliable: Option<super::prack::Reliable>,
    /// Caller: the last RSeq PRACKed.
    pub(crate) acked_rseq: Option<u32>,
    /// Caller: the INVITE's transaction, until its final response.
    pub(crate) invite_tx: Option<ClientTxId>,
    /// Caller: the dialogs the INVITE may make, until one is confirmed.
    pub(crate) dialog_set: Option<DialogSet>,
    /// Caller: hung up before any provisional response, so the CANCEL
    /// waits for one (RFC 3261 §9.1).
    pub(crate) cancel_pending: bool,
    /// Caller: a CANCEL was sent.
    pub(crate) cancelled: bool,
    /// Caller: the ACK of the 2xx, sent again for each retransmission.
    pub(crate) ack: Option<Message>,
    /// Callee: the INVITE's server transaction, until the final response.
    pub(crate) server_tx: Option<ServerTxId>,
    /// Callee: the 2xx being retransmitted.
    pub(crate) retransmission: Option<Retransmission>,
    /// The dialog, once there is one.
    pub(crate) dialog: Option<Dialog>,
    /// Our re-INVITE or UPDATE in progress (an offer of ours is pending).
    pub(crate) reoffer: Option<PendingReoffer>,
    /// The ACK of our last re-INVITE's 2xx, and its transaction: sent
    /// again when the 2xx is retransmitted.
    pub(crate) reinvite_ack: Option<(ClientTxId, Message)>,
    /// A re-offer to retry after a 491 (RFC 3261 §14.1), and when.
    pub(crate) retry: Option<(Instant, Reoffer, ReofferMethod)>,
    /// The requests sent within the dialog, until their final answer: what
    /// a 401/407 retry starts from (see `challenge.rs`).
    pub(crate) sent: HashMap<ClientTxId, super::challenge::SentRequest>,
    /// Callee: the extra headers of the answers so far (each answer
    /// carries them all, as PJSIP's).
    pub(crate) answer_headers: Vec<(String, String)>,
    /// Caller: the extra headers of the CANCEL (`hangup_with`), kept while
    /// it waits for a provisional response.
    pub(crate) cancel_headers: Vec<(String, String)>,
    /// The application's review of our SDP (`review.rs`).
    pub(crate) review: super::review::SdpReview,
    /// Callee: where the INVITE came from.
    pub(crate) invite_from: Option<std::net::SocketAddr>,
    /// What causes the state changes being made (`tsx.rs`).
    pub(crate) cause: Option<super::tsx::StateCause>,
    pub(crate) started_at: Instant,
    pub(crate) responded_at: Option<Instant>,
    pub(crate) remote_offerer: bool,
    pub(crate) connected_at: Option<Instant>,
    pub(crate) disconnected_at: Option<Instant>,
}

impl Call {
    /// What [`crate::UserAgent::call_status`] reports.
    pub(crate) fn status(&self) -> CallStatus {
        CallStatus {
            account: self.account,
            role: self.role,
            state: self.state,
            last_code: self.last_code,
            last_reason: self.last_reason.clone(),
            call_id: self
                .invite
                .call_id()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            local_uri: self.local_uri.clone(),
            local_contact: self.local_contact.clone(),
            remote_uri: self.remote_uri.clone(),
            remote_contact: self.dialog.as_ref().map(|d| d.remote_target().to_string()),
            started_at: self.started_at,
            responded_at: self.responded_at,
            remote_offerer: self.remote_offerer,
            connected_at: self.connected_at,
            disconnected_at: self.disconnected_at,
        }
    }

    /// The next deadline of the call's own timers.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        let retransmit = self.retransmission.as_ref().map(|r| r.next.min(r.give_up));
        let retry = self.retry.as_ref().map(|r| r.0);
        let timer = self.timer.as_ref().map(|t| t.deadline);
        let reliable = self.reliable.as_ref().map(|r| r.next.min(r.give_up));
        [retransmit, retry, timer, reliable]
            .into_iter()
            .flatten()
            .min()
    }
}
