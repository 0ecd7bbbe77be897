//! ferrosip: a SIP/VoIP user agent with the API of PJSUA2, in Rust.
//!
//! This crate is the public face of the project. Today it holds the
//! [`runtime`], which drives the sans-IO SIP stack of `sip_core` over real
//! sockets; the PJSUA2-shaped `Endpoint`, `Account` and `Call` are built on it.

pub mod runtime;
