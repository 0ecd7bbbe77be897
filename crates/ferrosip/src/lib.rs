//! ferrosip: a SIP/VoIP user agent with the API of PJSUA2, in Rust.
//!
//! This crate is the public face of the project: the [`runtime`], which
//! drives the sans-IO SIP stack of `sip_core` over real sockets, the
//! PJSUA2-shaped configs ([`config`]) and their JSON persistence ([`json`]),
//! and the [`Error`] every operation returns.

pub mod config;
pub mod error;
pub mod json;
pub mod runtime;

pub use error::{Error, Result};
