//! The sans-IO SIP user agent: accounts and registration on top of the
//! transaction layer of `sip_core`.
