//! Why server location found nowhere to send a request.

use crate::transport::TransportKind;

use super::dns::ResolveError;

/// Why a [`Locator`](super::Locator) could not produce a target.
///
/// The first group is found before any query, from the URI and the stack's
/// transports (a misuse or a URI the stack cannot serve); the second after
/// DNS has answered (the destination's DNS, or the network, is at fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocateError {
    /// The URI is not `sip:` or `sips:` (a `tel:` URI, say): there is no host
    /// to locate. The caller must turn it into a SIP URI first (RFC 3261 §19.1.6).
    #[error("cannot locate a {scheme}: URI")]
    NotSip {
        /// The URI's scheme.
        scheme: String,
    },
    /// The stack was given no transport to use.
    #[error("no transport configured")]
    NoTransport,
    /// A `sips:` URI needs a secure transport (TLS or WSS), and the stack has
    /// none (RFC 3261 §26.2.2).
    #[error("sips: URI but no secure transport (TLS or WSS) configured")]
    NoSecureTransport,
    /// The `transport` parameter names a transport that is unknown or that the
    /// stack does not run.
    #[error("transport {transport:?} is not supported")]
    UnsupportedTransport {
        /// The parameter's value, as written.
        transport: String,
    },
    /// A `sips:` URI names a transport that cannot be secured (`transport=udp`).
    #[error("transport {transport} cannot carry a sips: URI")]
    InsecureTransport {
        /// The transport named.
        transport: TransportKind,
    },
    /// The `maddr` parameter is not a host name or an IP address.
    #[error("invalid maddr parameter {maddr:?}")]
    InvalidMaddr {
        /// The parameter's value, as written.
        maddr: String,
    },
    /// DNS says the service is decidedly not available at the domain: its SRV
    /// records point to `.` (RFC 2782), and nothing else was found.
    #[error("SIP service not available at the destination (SRV target \".\")")]
    ServiceUnavailable,
    /// DNS gave no usable address. The error is that of the last step that
    /// failed (address lookups before SRV before NAPTR), preferring a
    /// transient one (timeout, server failure) that a later retry may cure.
    #[error("DNS lookup failed: {0}")]
    Dns(ResolveError),
    /// The bound on queries per location was reached before any target was
    /// found (a deep or hostile DNS answer); see
    /// [`LocateLimits::max_queries`](super::LocateLimits::max_queries).
    #[error("too many DNS queries for one location")]
    QueryLimit,
}

impl LocateError {
    /// Whether the failure may pass if the location is tried again later (a
    /// DNS timeout or server failure); every other error would recur.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Dns(ResolveError::Timeout | ResolveError::ServerFailure)
        )
    }
}
