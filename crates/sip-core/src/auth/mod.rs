//! SIP digest authentication (RFC 3261 §22; RFC 2617, RFC 7616, RFC 8760),
//! sans-IO: messages in, headers out, randomness from the caller's [`Rng`].
//!
//! - [`Algorithm`] and [`Qop`]: MD5, SHA-256 and SHA-512/256, each with its
//!   `-sess` variant; `auth`, `auth-int`, or no qop (RFC 2069).
//! - [`compute`]: the digest itself.
//! - [`Credential`] and [`Secret`]: what a user authenticates with (a
//!   password or a pre-computed HA1), never shown by `Debug`.
//! - [`ClientAuth`]: answers 401 and 407 challenges, remembers them to send
//!   credentials up front, and refuses to retry forever ([`AuthError`]).
//! - [`ServerChallenge`] and [`verify`]: challenge, and check credentials.
//!
//! ```
//! use sip::{Message, StatusCode};
//! use sip::header::HeaderName;
//! use sip_core::Rng;
//! use sip_core::auth::{
//!     Algorithm, AuthKind, ClientAuth, Credential, Secret, ServerChallenge, Verification,
//!     verify,
//! };
//!
//! let register = |cseq: u32| {
//!     Message::parse(format!(
//!         "REGISTER sip:example.com SIP/2.0\r\n\
//!          Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK{cseq}\r\n\
//!          Max-Forwards: 70\r\n\
//!          To: <sip:alice@example.com>\r\n\
//!          From: <sip:alice@example.com>;tag=1\r\n\
//!          Call-ID: c1\r\n\
//!          CSeq: {cseq} REGISTER\r\n\
//!          Content-Length: 0\r\n\r\n"
//!     ).as_bytes())
//!     .unwrap()
//! };
//! let mut rng = Rng::from_seed(1);
//! let request = register(1);
//!
//! // The registrar challenges.
//! let challenge = ServerChallenge::new("example.com", Algorithm::Sha256, &mut rng);
//! let mut unauthorized = Message::response_to(&request, StatusCode::new(401).unwrap())
//!     .build()
//!     .unwrap();
//! unauthorized.push(HeaderName::WwwAuthenticate, &challenge);
//!
//! // The client answers in the retry.
//! let mut client = ClientAuth::new(vec![Credential::new("example.com", "alice", "secret")]);
//! let mut retry = register(2);
//! client.respond(&request, &unauthorized, &mut retry, &mut rng).unwrap();
//!
//! // The registrar checks.
//! let lookup = |user: &str| (user == "alice").then(|| Secret::Plain("secret".into()));
//! let outcome = verify(&retry, AuthKind::Www, "example.com", lookup, |n| n == challenge.nonce);
//! assert!(matches!(outcome, Verification::Ok(v) if v.username == "alice"));
//! ```
//!
//! [`Rng`]: crate::rng::Rng

mod algorithm;
mod client;
pub mod compute;
mod credential;
mod error;
mod kind;
mod offer;
mod server;
mod session;

pub use self::algorithm::{Algorithm, Qop, UnknownName};
pub use self::client::{ClientAuth, MAX_REALMS, MAX_STALE_RETRIES};
pub use self::compute::DigestInput;
pub use self::credential::{Credential, Secret};
pub use self::error::AuthError;
pub use self::kind::AuthKind;
pub use self::server::{ServerChallenge, Verification, Verified, verify};
