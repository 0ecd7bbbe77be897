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
    pub fn as_str(self) -> &'static str {
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
    pub fn compact(self) -> Option<char> {
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
        let b = name.as_bytes();
        if b.len() > MAX_KNOWN_LEN || b.is_empty() {
            return None;
        }
        let mut lower = [0u8; MAX_KNOWN_LEN];
        for (d, s) in lower.iter_mut().zip(b) {
            *d = s.to_ascii_lowercase();
        }
        Some(match &lower[..b.len()] {
            b"accept" => Self::Accept,
            b"accept-contact" | b"a" => Self::AcceptContact,
            b"accept-encoding" => Self::AcceptEncoding,
            b"accept-language" => Self::AcceptLanguage,
            b"alert-info" => Self::AlertInfo,
            b"allow" => Self::Allow,
            b"allow-events" | b"u" => Self::AllowEvents,
            b"authentication-info" => Self::AuthenticationInfo,
            b"authorization" => Self::Authorization,
            b"call-id" | b"i" => Self::CallId,
            b"call-info" => Self::CallInfo,
            b"contact" | b"m" => Self::Contact,
            b"content-disposition" => Self::ContentDisposition,
            b"content-encoding" | b"e" => Self::ContentEncoding,
            b"content-language" => Self::ContentLanguage,
            b"content-length" | b"l" => Self::ContentLength,
            b"content-type" | b"c" => Self::ContentType,
            b"cseq" => Self::CSeq,
            b"date" => Self::Date,
            b"error-info" => Self::ErrorInfo,
            b"event" | b"o" => Self::Event,
            b"expires" => Self::Expires,
            b"from" | b"f" => Self::From,
            b"identity" | b"y" => Self::Identity,
            b"in-reply-to" => Self::InReplyTo,
            b"max-forwards" => Self::MaxForwards,
            b"mime-version" => Self::MimeVersion,
            b"min-expires" => Self::MinExpires,
            b"min-se" => Self::MinSe,
            b"organization" => Self::Organization,
            b"p-asserted-identity" => Self::PAssertedIdentity,
            b"p-preferred-identity" => Self::PPreferredIdentity,
            b"path" => Self::Path,
            b"priority" => Self::Priority,
            b"proxy-authenticate" => Self::ProxyAuthenticate,
            b"proxy-authorization" => Self::ProxyAuthorization,
            b"proxy-require" => Self::ProxyRequire,
            b"rack" => Self::RAck,
            b"reason" => Self::Reason,
            b"record-route" => Self::RecordRoute,
            b"refer-sub" => Self::ReferSub,
            b"refer-to" | b"r" => Self::ReferTo,
            b"referred-by" | b"b" => Self::ReferredBy,
            b"reject-contact" | b"j" => Self::RejectContact,
            b"replaces" => Self::Replaces,
            b"reply-to" => Self::ReplyTo,
            b"request-disposition" | b"d" => Self::RequestDisposition,
            b"require" => Self::Require,
            b"retry-after" => Self::RetryAfter,
            b"route" => Self::Route,
            b"rseq" => Self::RSeq,
            b"server" => Self::Server,
            b"service-route" => Self::ServiceRoute,
            b"session-expires" | b"x" => Self::SessionExpires,
            b"sip-etag" => Self::SipETag,
            b"sip-if-match" => Self::SipIfMatch,
            b"subject" | b"s" => Self::Subject,
            b"subscription-state" => Self::SubscriptionState,
            b"supported" | b"k" => Self::Supported,
            b"timestamp" => Self::Timestamp,
            b"to" | b"t" => Self::To,
            b"unsupported" => Self::Unsupported,
            b"user-agent" => Self::UserAgent,
            b"via" | b"v" => Self::Via,
            b"warning" => Self::Warning,
            b"www-authenticate" => Self::WwwAuthenticate,
            _ => return None,
        })
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
