//! SIP digest authentication (RFC 3261 §22; RFC 2617, RFC 7616, RFC 8760),
//! sans-IO: hashes in, headers out, randomness from the caller's [`Rng`].
//!
//! - [`Algorithm`] and [`Qop`]: MD5, SHA-256 and SHA-512/256, each with its
//!   `-sess` variant; `auth`, `auth-int`, or no qop (RFC 2069).
//! - [`compute`]: the digest itself.
//! - [`Credential`] and [`Secret`]: what a user authenticates with (a
//!   password or a pre-computed HA1), never shown by `Debug`.
//!
//! [`Rng`]: crate::rng::Rng

mod algorithm;
pub mod compute;
mod credential;

pub use self::algorithm::{Algorithm, Qop, UnknownName};
pub use self::compute::DigestInput;
pub use self::credential::{Credential, Secret};
