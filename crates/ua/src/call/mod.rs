//! Calls: INVITE sessions (RFC 3261 §13–15) carrying an SDP offer/answer
//! (RFC 3264, through `sdp::Negotiator`), as the user agent runs them.
//!
//! Being built. What works:
//! - outgoing calls (`UserAgent::make_call`): INVITE with an offer,
//!   provisional responses and early dialogs (early media from a 183's
//!   answer), the 2xx ACKed — again for each retransmission —, forks'
//!   extra 2xx ACKed and ended with BYE, final errors, a 401/407 answered
//!   with the account's credentials, 3xx targets reported one by one
//!   (`UaEvent::CallRedirected`, `process_redirect`);
//! - incoming calls (`UaEvent::IncomingCall`, `UserAgent::answer` with
//!   1xx/183/2xx/errors, the 2xx retransmitted until the ACK, late offer);
//! - `UserAgent::hangup` in every state (CANCEL — held back until a
//!   provisional response came —, BYE, a final error), BYE and CANCEL from
//!   the peer;
//! - mid-call offers (`reoffer`: re-INVITE or UPDATE for hold, unhold,
//!   refresh; glare with 491 and RFC 3261's retry timing; UPDATE also in
//!   an early dialog, each way), sent and received, the media as
//!   `UaEvent::CallMedia` (`CallMediaRepeated` when a 2xx repeats an
//!   early answer);
//! - requests within a call (`send_in_call`: INFO, MESSAGE, any method;
//!   INFO and MESSAGE received as `UaEvent::CallRequest`);
//! - transfer (`transfer` blind, with Replaces, or to a URI carrying
//!   `?Replaces=` written by hand; `answer_transfer`, `notify_transfer`;
//!   `TransferRequest`/`TransferStatus` events), an incoming INVITE with
//!   Replaces (`replaced_call`, or 481);
//! - session timers (RFC 4028: 422, refresher, BYE on expiry) and reliable
//!   provisional responses (RFC 3262: RSeq, PRACK), per account settings;
//! - `set_max_calls`: 486 before any provisional response;
//! - challenges (401/407) to requests within the dialog, answered once
//!   with the account's credentials (`challenge.rs`);
//! - extra headers and bodies (PJSUA2's `txOption`) in answers, BYE,
//!   rejections, CANCEL, re-offers and REFER (`TxOptions`, the `*_with`
//!   methods);
//! - every transaction of a call reported (`UaEvent::CallTsx`) and what
//!   caused each state change (`UaEvent::CallState.cause`), as PJSUA2's
//!   `onCallTsxState` and `OnCallStateParam.e` have them (`tsx.rs`);
//! - the application's review of each SDP before it is sent, as PJSUA2's
//!   `onCallSdpCreated` (`UaEvent::CallSdpCreated`, `sdp_reviewed`);
//! - `hangup` of an answered call: DISCONNECTED at once, as PJSUA2; the
//!   BYE goes on (`pending_byes`).
//!
//! Next: UPDATE-based session refresh, the second reliable provisional
//! response queued behind the first.

mod agent;
mod challenge;
mod incoming;
mod midcall;
mod options;
mod outgoing;
mod prack;
mod requests;
mod review;
mod session;
mod table;
mod timer;
mod transfer;
mod tsx;

pub use self::agent::CallError;
pub use self::options::TxOptions;
pub use self::outgoing::MakeCallOptions;
pub use self::prack::PrackUse;
pub use self::requests::CallRequest;
pub use self::session::{
    CallId, CallRole, CallState, CallStatus, RedirectOp, Reoffer, ReofferMethod,
};
pub(crate) use self::table::CallTable;
pub use self::timer::{SessionTimerSettings, TimerUse};
pub use self::transfer::TransferRequest;
pub use self::tsx::{CallTsx, StateCause, TsxCause, TsxState};
