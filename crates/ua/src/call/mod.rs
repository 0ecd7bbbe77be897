//! Calls: INVITE sessions (RFC 3261 §13–15) carrying an SDP offer/answer
//! (RFC 3264, through `sdp::Negotiator`), as the user agent runs them.
//!
//! Being built. What works: outgoing calls (`UserAgent::make_call`: INVITE
//! with an offer, provisional responses and early dialogs, the 2xx ACKed
//! — again for each retransmission —, final errors), incoming calls
//! (`UaEvent::IncomingCall`, `UserAgent::answer` with 1xx/2xx/error codes,
//! the 2xx retransmitted until the ACK comes), `UserAgent::hangup` in every
//! state (CANCEL before the answer — held back until a provisional response
//! came —, BYE after it, a final error to an unanswered incoming call), a
//! BYE or CANCEL from the peer, and the negotiated media as
//! `UaEvent::CallMedia`. Re-INVITE/UPDATE, PRACK, session timers, REFER,
//! INFO and MESSAGE come next.

mod agent;
mod midcall;
mod requests;
mod session;
mod transfer;

pub use self::agent::CallError;
pub(crate) use self::agent::CallTable;
pub use self::requests::CallRequest;
pub use self::session::{
    CallId, CallRole, CallState, CallStatus, RedirectOp, Reoffer, ReofferMethod,
};
pub use self::transfer::TransferRequest;
