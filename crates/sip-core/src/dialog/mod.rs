//! The dialog layer of RFC 3261 §12: the state two user agents share for the
//! length of a call or subscription, as plain data updated by messages.
//!
//! A dialog is identified by its Call-ID and the tags of both ends
//! ([`DialogId`]) and holds the sequence numbers, URIs, remote target, route
//! set and secure flag that requests within it need. This module works on
//! messages only: the transaction layer below passes requests and responses
//! up and adds Via to what goes down; the sessions above (invite sessions,
//! subscriptions) decide what to send and when.
//!
//! - **Creating**: a UAC creates dialogs from the responses to its request
//!   ([`Dialog::uac`], or a [`DialogSet`] when proxies may fork it into
//!   several); a UAS from the request it received and the tag it chose
//!   ([`Dialog::uas`]). Messages that cannot make a dialog are refused with a
//!   [`DialogError`] that tells a UAS which status to answer.
//! - **Sending** within a dialog: [`Dialog::request`] starts a request with
//!   tags, Call-ID, CSeq, Request-URI and Route set by loose or strict
//!   routing ([`route`]); [`Dialog::ack`], [`Dialog::cancel`] and
//!   [`Dialog::bye`] the special cases; [`Dialog::response_to`] answers.
//! - **Receiving**: [`Dialog::handle_request`] checks CSeq order and takes
//!   target refreshes, [`Dialog::handle_response`] confirms early dialogs
//!   and takes refreshed targets; [`unmatched_request`] says what to answer a
//!   request that matched no dialog (481).
//!
//! ```
//! use sip::{Address, Message, Method, StatusCode};
//! use sip_core::Rng;
//! use sip_core::dialog::{Dialog, DialogState};
//!
//! // Bob receives Alice's INVITE (RFC 3261 §24.2, through proxies that did
//! // not record-route).
//! let invite = Message::parse(
//!     b"INVITE sip:bob@192.0.2.4 SIP/2.0\r\n\
//!       Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8;received=192.0.2.1\r\n\
//!       Max-Forwards: 68\r\n\
//!       To: Bob <sip:bob@biloxi.com>\r\n\
//!       From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n\
//!       Call-ID: a84b4c76e66710\r\n\
//!       CSeq: 314159 INVITE\r\n\
//!       Contact: <sip:alice@pc33.atlanta.com>\r\n\
//!       Content-Length: 0\r\n\r\n",
//! )
//! .unwrap();
//! let mut rng = Rng::from_seed(7);
//! let tag = rng.token(8);
//! let contact = Address::parse("<sip:bob@192.0.2.4>").unwrap();
//! let mut dialog = Dialog::uas(&invite, &tag, contact, false).unwrap();
//! let ok = dialog.response_to(&invite, StatusCode::OK).build().unwrap();
//! assert_eq!(ok.to().unwrap().tag(), Some(tag.as_str()));
//! dialog.confirm();
//! assert_eq!(dialog.state(), DialogState::Confirmed);
//!
//! // Later Bob hangs up: the BYE goes to Alice's Contact, with the tags
//! // swapped and Bob's own CSeq space.
//! let bye = dialog.bye().unwrap().build().unwrap();
//! assert_eq!(bye.request_uri_str(), Some("sip:alice@pc33.atlanta.com"));
//! assert_eq!(bye.to().unwrap().tag(), Some("1928301774"));
//! assert_eq!(bye.cseq().unwrap().seq, 1);
//! assert_eq!(dialog.state(), DialogState::Terminated);
//! ```

mod error;
mod id;
mod receive;
mod request;
mod set;
mod state;

use sip::Method;

pub use self::error::DialogError;
pub use self::id::{DialogId, DialogSetId};
pub use self::receive::{RequestEffect, ResponseEffect, Unmatched, unmatched_request};
pub use self::request::{Routing, route};
pub use self::set::{DialogSet, ForkEvent};
pub use self::state::{Dialog, DialogState, Role};

/// Whether a request of `method` creates a dialog when answered 101–299
/// (2xx only, for all but INVITE): INVITE (RFC 3261), SUBSCRIBE (RFC 6665)
/// and REFER (RFC 3515, which makes a subscription).
pub fn creates_dialog(method: &Method<'_>) -> bool {
    matches!(method, Method::Invite | Method::Subscribe | Method::Refer)
}

/// Whether `method` is a target refresh request: one whose Contact replaces
/// the remote target of the dialog it is sent in (RFC 3261 §12.2, and as its
/// 2xx's Contact does, §12.2.1.2): INVITE (re-INVITE, RFC 3261), UPDATE (RFC
/// 3311), SUBSCRIBE and NOTIFY (RFC 6665 §4.1.2, §4.2.1 — NOTIFY since RFC
/// 6665) and REFER (RFC 3515). Other methods (BYE, INFO, MESSAGE, PRACK,
/// OPTIONS, ACK, CANCEL) leave the target alone, and [`Dialog::request`] puts
/// no Contact in them.
pub fn is_target_refresh(method: &Method<'_>) -> bool {
    matches!(
        method,
        Method::Invite | Method::Update | Method::Subscribe | Method::Notify | Method::Refer
    )
}

#[cfg(test)]
mod tests;
