//! The account's callbacks (PJSUA2's `Account::on*` virtuals) and their
//! parameters.

use super::Account;
use crate::call::OnIncomingCallParam;

/// PJSUA2's `SipRxData`: a received message as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SipRxData {
    /// A one-line summary (`Response msg 200/REGISTER/cseq=2`).
    pub info: String,
    /// The whole message.
    pub whole_msg: String,
    /// Where it came from (`ip:port`): the address the request went to.
    pub src_address: String,
}

/// PJSUA2's `OnRegStartedParam`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnRegStartedParam {
    /// True for a registration, false for an unregistration.
    pub renew: bool,
}

/// PJSUA2's `OnRegStateParam`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnRegStateParam {
    /// 0 (`PJ_SUCCESS`) when a final response came, else why none did
    /// (or why authentication gave up), in PJSIP's numbering.
    pub status: i32,
    /// The SIP status code (408 after a timeout, 503 after a transport
    /// error).
    pub code: i32,
    /// The reason phrase.
    pub reason: String,
    /// The final response, when one came.
    pub rdata: SipRxData,
    /// Seconds granted; 0 after an unregistration or a failure.
    pub expiration: u32,
}

/// The account's callbacks. Every method has an empty default body. They
/// run on a worker thread, or inside `Endpoint::lib_handle_events` when
/// `threadCnt` is 0 — one at a time, in order, never while the library
/// holds a lock, so they may call any ferrosip function.
pub trait AccountHandler: Send {
    /// A REGISTER (or un-REGISTER) was started.
    fn on_reg_started(&mut self, account: &Account, prm: &OnRegStartedParam) {
        let _ = (account, prm);
    }

    /// A registration attempt finished.
    fn on_reg_state(&mut self, account: &Account, prm: &OnRegStateParam) {
        let _ = (account, prm);
    }

    /// A call arrived for the account (PJSUA2's `onIncomingCall`). Take it
    /// with [`crate::call::Call::from_incoming`]`(account, prm.call_id,
    /// handler)` here, then answer it (180, 200, …) now or later. A call
    /// not taken before this returns is answered 500 Internal Server
    /// Error, as PJSUA2 does, and the log says why.
    fn on_incoming_call(&mut self, account: &Account, prm: &OnIncomingCallParam) {
        let _ = (account, prm);
    }
}

/// A handler that ignores every event.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoAccountHandler;

impl AccountHandler for NoAccountHandler {}
