//! Client-side server location (RFC 3263 §4): which transport, address and
//! port a request goes to, found through NAPTR, SRV and address records, as a
//! sans-IO state machine.
//!
//! DNS is a question and an answer here: a [`Locator`] hands out [`Query`]s
//! and takes [`Answer`]s (or [`ResolveError`]s), and ends with [`Targets`] —
//! an ordered list of [`Target`](crate::transport::Target)s to try one after
//! the other on failure (RFC 3263 §4.3) — or a [`LocateError`]. The runtime
//! asks a real resolver; tests answer from a table.
//!
//! ```
//! use sip::uri::Uri;
//! use sip_core::Rng;
//! use sip_core::locate::{Answer, Locator, Query};
//! use sip_core::transport::TransportKind;
//!
//! let uri = Uri::parse("sip:alice@example.com:5080").unwrap();
//! let supported = [TransportKind::Udp, TransportKind::Tcp];
//! let mut locator = Locator::new(&uri, &supported, &mut Rng::from_seed(7)).unwrap();
//!
//! // The runtime's loop: ask every query, feed back every answer.
//! while let Some((id, query)) = locator.poll_query() {
//!     // A port is given, so only the host's addresses are needed.
//!     assert_eq!(query, Query::Address("example.com".into()));
//!     let addrs = vec!["2001:db8::1".parse().unwrap(), "192.0.2.1".parse().unwrap()];
//!     locator.handle_answer(id, Ok(Answer::Addresses(addrs)));
//! }
//! let targets = locator.poll_outcome().unwrap().unwrap();
//! let addrs: Vec<String> = targets.as_slice().iter().map(|t| t.to_string()).collect();
//! assert_eq!(addrs, ["UDP [2001:db8::1]:5080", "UDP 192.0.2.1:5080"]);
//! ```

mod dns;
mod error;
mod locator;
mod naptr;
mod srv;
mod targets;

pub use self::dns::{Answer, NaptrRecord, Query, QueryId, ResolveError, SrvRecord};
pub use self::error::LocateError;
pub use self::locator::{LocateLimits, Locator, next_hop};
pub use self::targets::{Targets, fails_over};

#[cfg(test)]
mod tests;
