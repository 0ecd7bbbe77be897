//! Header names: the ones this crate knows, their canonical spelling and their
//! compact forms (RFC 3261 §7.3.3 and the extensions that define one).
//!
//! `as_str`, `compact`, `from_name` and `ALL` must list the same names; the test
//! at the bottom checks that they agree.

use std::fmt;

/// A header this crate recognises by name. Headers it does not know are kept as
/// written and reached by their name string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum HeaderName {
    /// `Accept`.
    Accept,
    /// `Accept-Contact` (compact form `a`).
    AcceptContact,
    /// `Accept-Encoding`.
    AcceptEncoding,
    /// `Accept-Language`.
    AcceptLanguage,
    /// `Alert-Info`.
    AlertInfo,
    /// `Allow`.
    Allow,
    /// `Allow-Events` (compact form `u`).
    AllowEvents,
    /// `Authentication-Info`.
    AuthenticationInfo,
    /// `Authorization`.
    Authorization,
    /// `Call-ID` (compact form `i`).
    CallId,
    /// `Call-Info`.
    CallInfo,
    /// `Contact` (compact form `m`).
    Contact,
    /// `Content-Disposition`.
    ContentDisposition,
    /// `Content-Encoding` (compact form `e`).
    ContentEncoding,
    /// `Content-Language`.
    ContentLanguage,
    /// `Content-Length` (compact form `l`).
    ContentLength,
    /// `Content-Type` (compact form `c`).
    ContentType,
    /// `CSeq`.
    CSeq,
    /// `Date`.
    Date,
    /// `Error-Info`.
    ErrorInfo,
    /// `Event` (compact form `o`).
    Event,
    /// `Expires`.
    Expires,
    /// `From` (compact form `f`).
    From,
    /// `Identity` (compact form `y`).
    Identity,
    /// `In-Reply-To`.
    InReplyTo,
    /// `Max-Forwards`.
    MaxForwards,
    /// `MIME-Version`.
    MimeVersion,
    /// `Min-Expires`.
    MinExpires,
    /// `Min-SE`.
    MinSe,
    /// `Organization`.
    Organization,
    /// `P-Asserted-Identity`.
    PAssertedIdentity,
    /// `P-Preferred-Identity`.
    PPreferredIdentity,
    /// `Path`.
    Path,
    /// `Priority`.
    Priority,
    /// `Proxy-Authenticate`.
    ProxyAuthenticate,
    /// `Proxy-Authorization`.
    ProxyAuthorization,
    /// `Proxy-Require`.
    ProxyRequire,
    /// `RAck`.
    RAck,
    /// `Reason`.
    Reason,
    /// `Record-Route`.
    RecordRoute,
    /// `Refer-Sub`.
    ReferSub,
    /// `Refer-To` (compact form `r`).
    ReferTo,
    /// `Referred-By` (compact form `b`).
    ReferredBy,
    /// `Reject-Contact` (compact form `j`).
    RejectContact,
    /// `Replaces`.
    Replaces,
    /// `Reply-To`.
    ReplyTo,
    /// `Request-Disposition` (compact form `d`).
    RequestDisposition,
    /// `Require`.
    Require,
    /// `Retry-After`.
    RetryAfter,
    /// `Route`.
    Route,
    /// `RSeq`.
    RSeq,
    /// `Server`.
    Server,
    /// `Service-Route`.
    ServiceRoute,
    /// `Session-Expires` (compact form `x`).
    SessionExpires,
    /// `SIP-ETag`.
    SipETag,
    /// `SIP-If-Match`.
    SipIfMatch,
    /// `Subject` (compact form `s`).
    Subject,
    /// `Subscription-State`.
    SubscriptionState,
    /// `Supported` (compact form `k`).
    Supported,
    /// `Timestamp`.
    Timestamp,
    /// `To` (compact form `t`).
    To,
    /// `Unsupported`.
    Unsupported,
    /// `User-Agent`.
    UserAgent,
    /// `Via` (compact form `v`).
    Via,
    /// `Warning`.
    Warning,
    /// `WWW-Authenticate`.
    WwwAuthenticate,
}

/// Longest canonical header name this crate knows, in bytes.
const MAX_KNOWN_LEN: usize = 20;

impl HeaderName {
    /// The canonical spelling, as this crate prints it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "Accept",
            Self::AcceptContact => "Accept-Contact",
            Self::AcceptEncoding => "Accept-Encoding",
            Self::AcceptLanguage => "Accept-Language",
            Self::AlertInfo => "Alert-Info",
            Self::Allow => "Allow",
            Self::AllowEvents => "Allow-Events",
            Self::AuthenticationInfo => "Authentication-Info",
            Self::Authorization => "Authorization",
            Self::CallId => "Call-ID",
            Self::CallInfo => "Call-Info",
            Self::Contact => "Contact",
            Self::ContentDisposition => "Content-Disposition",
            Self::ContentEncoding => "Content-Encoding",
            Self::ContentLanguage => "Content-Language",
            Self::ContentLength => "Content-Length",
            Self::ContentType => "Content-Type",
            Self::CSeq => "CSeq",
            Self::Date => "Date",
            Self::ErrorInfo => "Error-Info",
            Self::Event => "Event",
            Self::Expires => "Expires",
            Self::From => "From",
            Self::Identity => "Identity",
            Self::InReplyTo => "In-Reply-To",
            Self::MaxForwards => "Max-Forwards",
            Self::MimeVersion => "MIME-Version",
            Self::MinExpires => "Min-Expires",
            Self::MinSe => "Min-SE",
            Self::Organization => "Organization",
            Self::PAssertedIdentity => "P-Asserted-Identity",
            Self::PPreferredIdentity => "P-Preferred-Identity",
            Self::Path => "Path",
            Self::Priority => "Priority",
            Self::ProxyAuthenticate => "Proxy-Authenticate",
            Self::ProxyAuthorization => "Proxy-Authorization",
            Self::ProxyRequire => "Proxy-Require",
            Self::RAck => "RAck",
            Self::Reason => "Reason",
            Self::RecordRoute => "Record-Route",
            Self::ReferSub => "Refer-Sub",
            Self::ReferTo => "Refer-To",
            Self::ReferredBy => "Referred-By",
            Self::RejectContact => "Reject-Contact",
            Self::Replaces => "Replaces",
            Self::ReplyTo => "Reply-To",
            Self::RequestDisposition => "Request-Disposition",
            Self::Require => "Require",
            Self::RetryAfter => "Retry-After",
            Self::Route => "Route",
            Self::RSeq => "RSeq",
            Self::Server => "Server",
            Self::ServiceRoute => "Service-Route",
            Self::SessionExpires => "Session-Expires",
            Self::SipETag => "SIP-ETag",
            Self::SipIfMatch => "SIP-If-Match",
            Self::Subject => "Subject",
            Self::SubscriptionState => "Subscription-State",
            Self::Supported => "Supported",
            Self::Timestamp => "Timestamp",
            Self::To => "To",
            Self::Unsupported => "Unsupported",
            Self::UserAgent => "User-Agent",
            Self::Via => "Via",
            Self::Warning => "Warning",
            Self::WwwAuthenticate => "WWW-Authenticate",
        }
    }

    /// The compact form (RFC 3261 §7.3.3), where one is defined.
    pub const fn compact(self) -> Option<char> {
        match self {
            Self::AcceptContact => Some('a'),
            Self::AllowEvents => Some('u'),
            Self::CallId => Some('i'),
            Self::Contact => Some('m'),
            Self::ContentEncoding => Some('e'),
            Self::ContentLength => Some('l'),
            Self::ContentType => Some('c'),
            Self::Event => Some('o'),
            Self::From => Some('f'),
            Self::Identity => Some('y'),
            Self::ReferTo => Some('r'),
            Self::ReferredBy => Some('b'),
            Self::RejectContact => Some('j'),
            Self::RequestDisposition => Some('d'),
            Self::SessionExpires => Some('x'),
            Self::Subject => Some('s'),
            Self::Supported => Some('k'),
            Self::To => Some('t'),
            Self::Via => Some('v'),
            _ => None,
        }
    }

    /// Recognises a header name, case-insensitively, in its long or compact form.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::from_bytes(name.as_bytes())
    }

    /// [`HeaderName::from_name`] over bytes.
    pub(crate) fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.is_empty() || b.len() > MAX_KNOWN_LEN {
            return None;
        }
        let candidate = NAME_TABLE[name_hash(b)]?;
        let matches = if b.len() == 1 {
            candidate
                .compact()
                .is_some_and(|c| c as u8 == b[0].to_ascii_lowercase())
        } else {
            eq_token_ignore_case(candidate.as_str().as_bytes(), b)
        };
        matches.then_some(candidate)
    }

    /// Every known header name, in alphabetical order.
    pub const ALL: &'static [Self] = &[
        Self::Accept,
        Self::AcceptContact,
        Self::AcceptEncoding,
        Self::AcceptLanguage,
        Self::AlertInfo,
        Self::Allow,
        Self::AllowEvents,
        Self::AuthenticationInfo,
        Self::Authorization,
        Self::CallId,
        Self::CallInfo,
        Self::Contact,
        Self::ContentDisposition,
        Self::ContentEncoding,
        Self::ContentLanguage,
        Self::ContentLength,
        Self::ContentType,
        Self::CSeq,
        Self::Date,
        Self::ErrorInfo,
        Self::Event,
        Self::Expires,
        Self::From,
        Self::Identity,
        Self::InReplyTo,
        Self::MaxForwards,
        Self::MimeVersion,
        Self::MinExpires,
        Self::MinSe,
        Self::Organization,
        Self::PAssertedIdentity,
        Self::PPreferredIdentity,
        Self::Path,
        Self::Priority,
        Self::ProxyAuthenticate,
        Self::ProxyAuthorization,
        Self::ProxyRequire,
        Self::RAck,
        Self::Reason,
        Self::RecordRoute,
        Self::ReferSub,
        Self::ReferTo,
        Self::ReferredBy,
        Self::RejectContact,
        Self::Replaces,
        Self::ReplyTo,
        Self::RequestDisposition,
        Self::Require,
        Self::RetryAfter,
        Self::Route,
        Self::RSeq,
        Self::Server,
        Self::ServiceRoute,
        Self::SessionExpires,
        Self::SipETag,
        Self::SipIfMatch,
        Self::Subject,
        Self::SubscriptionState,
        Self::Supported,
        Self::Timestamp,
        Self::To,
        Self::Unsupported,
        Self::UserAgent,
        Self::Via,
        Self::Warning,
        Self::WwwAuthenticate,
    ];
}

/// Compares a known name with a token case-insensitively, eight bytes at a time.
///
/// Setting bit 0x20 lower-cases letters and leaves `-` and digits alone; the
/// only other byte it could confuse with a name byte is a control character,
/// which a token never holds.
fn eq_token_ignore_case(known: &[u8], token: &[u8]) -> bool {
    const CASE: u64 = 0x2020_2020_2020_2020;
    if known.len() != token.len() {
        return false;
    }
    let mut a = known.chunks_exact(8);
    let mut b = token.chunks_exact(8);
    for (x, y) in a.by_ref().zip(b.by_ref()) {
        let mut wx = [0u8; 8];
        let mut wy = [0u8; 8];
        wx.copy_from_slice(x);
        wy.copy_from_slice(y);
        if u64::from_ne_bytes(wx) | CASE != u64::from_ne_bytes(wy) | CASE {
            return false;
        }
    }
    a.remainder()
        .iter()
        .zip(b.remainder())
        .all(|(x, y)| x | 0x20 == y | 0x20)
}

/// Multiplier of [`name_hash`], chosen so that every known long and compact name
/// lands in its own slot of [`NAME_TABLE`]. Adding a name may need a new one: the
/// table is built at compile time and refuses to compile on a collision; search
/// odd 32-bit values until `every_name_round_trips` passes.
const NAME_HASH_MULTIPLIER: u32 = 0xb55a_d5b7;

/// A perfect hash of a header name over its length and three of its bytes,
/// case-insensitive, into 0..256.
const fn name_hash(b: &[u8]) -> usize {
    let len = b.len();
    let key = (len as u32 & 0xff)
        | (b[0].to_ascii_lowercase() as u32) << 8
        | (b[len - 1].to_ascii_lowercase() as u32) << 16
        | (b[len / 2].to_ascii_lowercase() as u32) << 24;
    (key.wrapping_mul(NAME_HASH_MULTIPLIER) >> 24) as usize
}

/// Known header names by [`name_hash`] of their long and compact forms.
static NAME_TABLE: [Option<HeaderName>; 256] = {
    let mut table = [None; 256];
    let mut i = 0;
    while i < HeaderName::ALL.len() {
        let name = HeaderName::ALL[i];
        let long = name_hash(name.as_str().as_bytes());
        assert!(table[long].is_none(), "header name hash collision");
        table[long] = Some(name);
        if let Some(c) = name.compact() {
            let short = name_hash(&[c as u8]);
            assert!(table[short].is_none(), "header name hash collision");
            table[short] = Some(name);
        }
        i += 1;
    }
    table
};

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for &n in HeaderName::ALL {
            assert_eq!(HeaderName::from_name(n.as_str()), Some(n));
            assert_eq!(HeaderName::from_name(&n.as_str().to_uppercase()), Some(n));
            if let Some(c) = n.compact() {
                assert_eq!(HeaderName::from_name(&c.to_string()), Some(n));
                assert_eq!(
                    HeaderName::from_name(&c.to_ascii_uppercase().to_string()),
                    Some(n)
                );
            }
        }
        assert_eq!(HeaderName::from_name("X-Custom"), None);
        assert_eq!(HeaderName::from_name(""), None);
    }
}
