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
