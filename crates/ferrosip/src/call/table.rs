//! What the endpoint keeps for its calls: each call's handler, settings
//! and media, the incoming call being offered to `onIncomingCall`, and
//! where each account's next RTP port is.
//!
//! Lock order: the SIP engine's lock, then this table's, then a call's
//! media, then the media engine's. Nothing takes them the other way round,
//! and no callback runs under any of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sip_core::stack::ClientTxId;
use ua::{AccountId, CallId};

use super::handler::CallHandler;
use super::streams::CallMedia;
use crate::config::CallSetting;

/// A call's handler, shared with the deliverer.
pub(crate) type SharedCallHandler = Arc<Mutex<Box<dyn CallHandler>>>;

/// One call the application holds (made, or taken in `onIncomingCall`).
pub(crate) struct CallSlot {
    pub(crate) account: AccountId,
    pub(crate) handler: SharedCallHandler,
    pub(crate) setting: CallSetting,
    pub(crate) media: Arc<Mutex<CallMedia>>,
    /// When the call started (INVITE sent or received).
    pub(crate) created: Instant,
    /// When the first response came or went (EARLY or CONNECTING).
    pub(crate) first_response: Option<Instant>,
    /// We hold the call (`setHold` sent, no unhold since).
    pub(crate) local_hold: bool,
    /// A re-offer of ours is in flight: the next media update answers it
    /// (otherwise a media update of a confirmed call answers the peer's
    /// offer, for `on_call_rx_offer`).
    pub(crate) own_offer: bool,
    /// Who made the last offer, once a re-offer was answered (true: the
    /// peer); before, the role says.
    pub(crate) rem_offerer: Option<bool>,
    /// Requests sent in the call, by transaction, for their answer's
    /// callback.
    pub(crate) requests: HashMap<ClientTxId, SentRequest>,
    /// `on_call_transfer_status` is not wanted any more (`cont` false).
    pub(crate) transfer_quiet: bool,
    /// This call was made for the peer's REFER in that call: its progress
    /// goes there as NOTIFYs until a final one.
    pub(crate) transfer_for: Option<CallId>,
}

impl CallSlot {
    pub(crate) fn new(
        account: AccountId,
        handler: SharedCallHandler,
        setting: CallSetting,
        media: Arc<Mutex<CallMedia>>,
        created: Instant,
    ) -> Self {
        Self {
            account,
            handler,
            setting,
            media,
            created,
            first_response: None,
            local_hold: false,
            own_offer: false,
            rem_offerer: None,
            requests: HashMap::new(),
            transfer_quiet: false,
            transfer_for: None,
        }
    }
}

/// What a request sent in a call was, for the callback of its answer.
#[derive(Debug, Clone)]
pub(crate) enum SentRequest {
    /// `sendInstantMessage`: its user data and body.
    Message {
        user_data: crate::config::Token,
        body: String,
    },
    /// Anything else (INFO, typing indication, `sendRequest`).
    Other,
}

/// An incoming call while `onIncomingCall` runs: its media is bound, and
/// [`super::Call::from_incoming`] takes it.
pub(crate) struct OfferedCall {
    pub(crate) call: CallId,
    pub(crate) account: AccountId,
    pub(crate) media: CallMedia,
    pub(crate) created: Instant,
}

/// The endpoint's calls.
#[derive(Default)]
pub(crate) struct CallTable {
    pub(crate) slots: HashMap<CallId, CallSlot>,
    pub(crate) offered: Option<OfferedCall>,
    /// Where each account's next RTP port pair is looked for.
    pub(crate) next_rtp_port: HashMap<AccountId, u16>,
}

impl std::fmt::Debug for CallTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallTable")
            .field("calls", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl CallTable {
    /// The account's RTP port cursor, starting at `first`.
    pub(crate) fn cursor(&mut self, account: AccountId, first: u16) -> &mut u16 {
        self.next_rtp_port.entry(account).or_insert(first)
    }
}
