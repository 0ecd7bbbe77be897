//! The sans-IO SIP user agent of ferrosip: accounts, registration and the
//! requests a user agent answers on its own, on top of the transaction
//! layer of `sip_core`.
//!
//! [`UserAgent`] owns the [`sip_core::stack::Stack`] and is driven the same
//! way: feed network input to the stack ([`UserAgent::stack_mut`]), call
//! [`UserAgent::handle_timeout`] at [`UserAgent::poll_timeout`], and drain
//! [`UserAgent::poll_event`] (which also digests what the stack reported)
//! and the stack's transmits after every input. No clock, socket or thread
//! is touched here; `ferrosip`'s runtime does that.

mod account;
pub mod call;
mod contact;
pub mod registration;
mod select;
mod timers;
mod user_agent;

pub use account::{AccountId, AccountSettings};
pub use call::{
    CallError, CallId, CallRequest, CallRole, CallState, CallStatus, CallTsx, MakeCallOptions,
    PrackUse, RedirectOp, Reoffer, ReofferMethod, SessionTimerSettings, StateCause, TimerUse,
    TransferRequest, TsxCause, TsxState, TxOptions,
};
pub use user_agent::{
    AccountError, AccountStatus, DEFAULT_MAX_IN_FLIGHT, SUPPORTED_EXTENSIONS, UaEvent, UserAgent,
};
