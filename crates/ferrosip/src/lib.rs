//! ferrosip: a SIP/VoIP user agent with the API of PJSUA2, in Rust.
//!
//! This crate is the public face of the project: the [`runtime`], which
//! drives the sans-IO SIP stack of `sip_core` over real sockets, the
//! PJSUA2-shaped configs ([`config`]) and their JSON persistence ([`json`]),
//! and the [`Error`] every operation returns.

pub mod account;
pub mod call;
pub mod config;
pub mod endpoint;
pub mod error;
pub mod json;
pub mod log;
pub mod media;
pub mod runtime;

pub use account::{Account, AccountHandler, AccountInfo, OnRegStartedParam, OnRegStateParam};
pub use call::{
    Call, CallHandler, CallInfo, CallMediaInfo, OnCallMediaStateParam, OnCallStateParam,
    OnIncomingCallParam, StreamInfo,
};
pub use endpoint::{Endpoint, EndpointHandler, LibState, TransportInfo, TransportType};
pub use error::{Error, Result};
