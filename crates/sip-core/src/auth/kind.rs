//! Who challenges: the UAS or registrar (401, WWW-Authenticate and
//! Authorization) or a proxy (407, Proxy-Authenticate and
//! Proxy-Authorization) — RFC 3261 §22.2, §22.3.

use sip::header::HeaderName;

/// Which pair of headers a challenge and its answer use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthKind {
    /// A UAS or registrar: `401`, `WWW-Authenticate`, `Authorization`.
    Www,
    /// A proxy: `407`, `Proxy-Authenticate`, `Proxy-Authorization`.
    Proxy,
}

impl AuthKind {
    /// Both kinds.
    pub const ALL: [Self; 2] = [Self::Www, Self::Proxy];

    /// The status code that carries the challenge: 401 or 407.
    pub fn status_code(self) -> u16 {
        match self {
            Self::Www => 401,
            Self::Proxy => 407,
        }
    }

    /// `WWW-Authenticate` or `Proxy-Authenticate`.
    pub fn challenge_header(self) -> HeaderName {
        match self {
            Self::Www => HeaderName::WwwAuthenticate,
            Self::Proxy => HeaderName::ProxyAuthenticate,
        }
    }

    /// `Authorization` or `Proxy-Authorization`.
    pub fn credentials_header(self) -> HeaderName {
        match self {
            Self::Www => HeaderName::Authorization,
            Self::Proxy => HeaderName::ProxyAuthorization,
        }
    }
}
