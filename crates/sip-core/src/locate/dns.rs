//! The DNS vocabulary of server location: the questions a [`Locator`] asks,
//! the answers the runtime gives back, and why a lookup failed.
//!
//! The core never talks to a resolver. A [`Locator`] hands out [`Query`]s
//! tagged with a [`QueryId`]; the runtime asks DNS (hickory-resolver) and
//! hands each result back with the same id. Tests answer from a table.
//!
//! [`Locator`]: super::Locator

use std::fmt;
use std::net::IpAddr;

/// Names one query of one [`Locator`](super::Locator), so that its answer can
/// be matched to it. Ids are unique within a locator, not across locators: the
/// runtime keeps them beside the locator that issued them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueryId(pub u64);

impl fmt::Display for QueryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "q{}", self.0)
    }
}

/// A DNS question. Names are passed as the URI or DNS gave them (a final dot,
/// when present, is kept: it marks a fully qualified name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Query {
    /// The NAPTR records of a domain (RFC 3403), e.g. `example.com`: the first
    /// step of RFC 3263 §4.1 when the URI names neither transport nor port.
    Naptr(String),
    /// The SRV records of a service name (RFC 2782), e.g.
    /// `_sip._udp.example.com` (RFC 3263 §4.2).
    Srv(String),
    /// The addresses of a host: its AAAA and A records (RFC 3596, RFC 1035),
    /// answered together as one list in the order the resolver prefers
    /// (hickory's `lookup_ip`).
    Address(String),
}

impl Query {
    /// The name asked about.
    pub fn name(&self) -> &str {
        match self {
            Self::Naptr(n) | Self::Srv(n) | Self::Address(n) => n,
        }
    }

    /// The record types asked for, as DNS names them (`NAPTR`, `SRV`, `AAAA+A`).
    pub fn record_type(&self) -> &'static str {
        match self {
            Self::Naptr(_) => "NAPTR",
            Self::Srv(_) => "SRV",
            Self::Address(_) => "AAAA+A",
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.record_type(), self.name())
    }
}

/// One NAPTR record (RFC 3403 §4.1), as the resolver gives it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NaptrRecord {
    /// Records with lower order are used first.
    pub order: u16,
    /// Among records of equal order, lower preference is used first.
    pub preference: u16,
    /// The flags; SIP uses `s`: the replacement is an SRV name (RFC 3263 §4.1).
    pub flags: String,
    /// The service, such as `SIP+D2U`, `SIP+D2T`, `SIPS+D2T` (RFC 3263 §4.1)
    /// or `SIP+D2W`, `SIPS+D2W` (RFC 7118).
    pub services: String,
    /// The substitution expression; SIP leaves it empty and uses the replacement.
    pub regexp: String,
    /// The name to look up next: for SIP, an SRV name such as
    /// `_sip._tcp.example.com`.
    pub replacement: String,
}

/// One SRV record (RFC 2782).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SrvRecord {
    /// Records with lower priority are used first.
    pub priority: u16,
    /// Among records of equal priority, the relative chance of being tried first.
    pub weight: u16,
    /// The port the service listens on at the target.
    pub port: u16,
    /// The host offering the service; `.` means the service is decidedly not
    /// available at this domain (RFC 2782).
    pub target: String,
}

/// A successful answer to a [`Query`]. The variant should match the query; an
/// answer of another kind is taken as "no records of the type asked".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Answer {
    /// The records answering [`Query::Naptr`].
    Naptr(Vec<NaptrRecord>),
    /// The records answering [`Query::Srv`].
    Srv(Vec<SrvRecord>),
    /// The addresses answering [`Query::Address`], IPv6 and IPv4 in the
    /// resolver's order.
    Addresses(Vec<IpAddr>),
}

/// Why a DNS lookup gave no answer. The runtime maps its resolver's errors
/// onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ResolveError {
    /// The name does not exist (NXDOMAIN, RCODE 3). By RFC 8020 nothing
    /// exists beneath it either.
    #[error("no such domain name")]
    NoSuchName,
    /// The name exists but has no records of the type asked (NOERROR with an
    /// empty answer, "NODATA").
    #[error("no records of the type asked")]
    NoRecords,
    /// The server could not answer (SERVFAIL, REFUSED or another error RCODE,
    /// or a malformed reply). Asking again later may succeed.
    #[error("DNS server failure")]
    ServerFailure,
    /// No reply came in time. Asking again later may succeed.
    #[error("DNS query timed out")]
    Timeout,
}

impl ResolveError {
    /// How much this error says about the future: a transient failure (worth
    /// retrying later) outranks a definite "not there".
    pub(crate) fn rank(self) -> u8 {
        match self {
            Self::NoSuchName => 0,
            Self::NoRecords => 1,
            Self::ServerFailure => 2,
            Self::Timeout => 3,
        }
    }
}

/// The longest domain name we accept from DNS, in characters, not counting a
/// final dot (RFC 1035 §2.3.4 allows 255 octets on the wire, 253 as text).
const MAX_NAME_LEN: usize = 253;

/// Whether `name` is a domain name we may ask about: labels of letters,
/// digits, `-` and `_` (service labels such as `_sip`), 1 to 63 characters
/// each, at most 253 characters, with an optional final dot. Anything else a
/// DNS answer carries is ignored.
pub(crate) fn is_domain_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// The form of a name used to compare it: lower case, without a final dot.
pub(crate) fn name_key(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// Whether an SRV target is the root name `.` (or empty, as some resolvers
/// print the root): "service not available" (RFC 2782).
pub(crate) fn is_root(name: &str) -> bool {
    name.is_empty() || name == "."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_domain_name("example.com"));
        assert!(is_domain_name("_sip._udp.example.com."));
        assert!(is_domain_name("a-b.c_d"));
        assert!(!is_domain_name(""));
        assert!(!is_domain_name("."));
        assert!(!is_domain_name("a..b"));
        assert!(!is_domain_name("a b.com"));
        assert!(!is_domain_name(&"a".repeat(64)));
        assert!(!is_domain_name(&["abc"; 100].join(".")));
        assert_eq!(name_key("Server1.Example.COM."), "server1.example.com");
        assert!(is_root(".") && is_root("") && !is_root("a."));
        assert_eq!(
            Query::Srv("_sip._udp.example.com".into()).to_string(),
            "SRV _sip._udp.example.com"
        );
    }

    #[test]
    fn ranks_prefer_transient_errors() {
        assert!(ResolveError::Timeout.rank() > ResolveError::ServerFailure.rank());
        assert!(ResolveError::ServerFailure.rank() > ResolveError::NoRecords.rank());
        assert!(ResolveError::NoRecords.rank() > ResolveError::NoSuchName.rank());
    }
}
