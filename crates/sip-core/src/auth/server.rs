//! The server side: challenging (RFC 3261 §22.1, §22.3) and checking the
//! credentials of a request (RFC 2617 §3.2.2, RFC 7616 §3.4, RFC 8760).
//!
//! Nonce bookkeeping is the caller's: it makes nonces with
//! [`ServerChallenge::new`] (or its own), remembers which are current, and
//! tells [`verify`] through `nonce_is_current`. A caller that wants replay
//! protection also checks that the [`Verified::nc`] of a nonce grows, and
//! that [`Verified::algorithm`] and [`Verified::qop`] are ones it offered
//! with that nonce (a client answering an `auth` challenge without qop, or a
//! SHA-256 one with MD5, passes [`verify`]); `opaque` is not checked either.

use std::fmt;

use sip::Message;
use sip::header::{Challenge, Credentials, ProxyAuthenticate, WwwAuthenticate};

use super::algorithm::{Algorithm, Qop};
use super::compute::{self, DigestInput};
use super::credential::Secret;
use super::kind::AuthKind;
use crate::rng::Rng;

/// A challenge to send in a 401 (WWW-Authenticate) or 407
/// (Proxy-Authenticate); `Display` prints the header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerChallenge {
    /// The realm (RFC 3261 §22.1: a name users recognise, such as the
    /// domain).
    pub realm: String,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The qops offered, in order; empty for an RFC 2069 challenge.
    pub qop: Vec<Qop>,
    /// The nonce.
    pub nonce: String,
    /// The opaque value the client must echo, if any.
    pub opaque: Option<String>,
    /// `stale=true`: the credentials were right but the nonce was old.
    pub stale: bool,
}

impl ServerChallenge {
    /// A challenge for `realm` and `algorithm` offering `qop=auth`, with a
    /// nonce from [`ServerChallenge::new_nonce`], no opaque, not stale.
    pub fn new(realm: impl Into<String>, algorithm: Algorithm, rng: &mut Rng) -> Self {
        Self {
            realm: realm.into(),
            algorithm,
            qop: vec![Qop::Auth],
            nonce: Self::new_nonce(rng),
            opaque: None,
            stale: false,
        }
    }

    /// A nonce: 128 random bits in hex.
    pub fn new_nonce(rng: &mut Rng) -> String {
        super::session::new_cnonce(rng)
    }

    /// The challenge as a typed value.
    pub fn challenge(&self) -> Challenge<'static> {
        let mut c = Challenge::new("Digest");
        c.push("realm", &self.realm, true);
        c.push("nonce", &self.nonce, true);
        if let Some(opaque) = &self.opaque {
            c.push("opaque", opaque, true);
        }
        if self.stale {
            c.push("stale", "true", false);
        }
        c.push("algorithm", self.algorithm.name(), false);
        if !self.qop.is_empty() {
            let list: Vec<&str> = self.qop.iter().map(|q| q.name()).collect();
            c.push("qop", &list.join(","), true);
        }
        c
    }

    /// The WWW-Authenticate header of a 401.
    pub fn www_authenticate(&self) -> WwwAuthenticate<'static> {
        WwwAuthenticate(self.challenge())
    }

    /// The Proxy-Authenticate header of a 407.
    pub fn proxy_authenticate(&self) -> ProxyAuthenticate<'static> {
        ProxyAuthenticate(self.challenge())
    }
}

impl fmt::Display for ServerChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.challenge().fmt(f)
    }
}

/// What [`verify`] found out about the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The username.
    pub username: String,
    /// The nonce the credentials were made with.
    pub nonce: String,
    /// The nonce count; `None` without a qop.
    pub nc: Option<u32>,
    /// The algorithm the credentials used.
    pub algorithm: Algorithm,
    /// The qop the credentials used; `None` for RFC 2069.
    pub qop: Option<Qop>,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The credentials are right and the nonce is current.
    Ok(Verified),
    /// The credentials are right but the nonce is not current: challenge
    /// again with `stale=true`.
    Stale(Verified),
    /// No Digest credentials for the realm (empty ones count as none):
    /// challenge.
    Missing,
    /// Credentials for the realm that are wrong: an unknown user, a wrong
    /// digest, a `uri` other than the Request-URI, an unknown algorithm or
    /// qop, or a missing parameter. Challenge again (or answer 403).
    Wrong {
        /// The username, if the credentials named one.
        username: Option<String>,
    },
}

/// Checks the credentials of `kind` (Authorization or Proxy-Authorization)
/// that `request` carries for `realm` (the first Digest ones naming it).
///
/// `lookup` gives a user's secret (`None`: unknown user); an HA1 secret
/// must fit the algorithm the client used. The `uri` must be the
/// Request-URI exactly as printed. `nonce_is_current` says whether the
/// server still accepts a nonce; see the module documentation for what is
/// left to the caller.
pub fn verify(
    request: &Message,
    kind: AuthKind,
    realm: &str,
    lookup: impl Fn(&str) -> Option<Secret>,
    nonce_is_current: impl Fn(&str) -> bool,
) -> Verification {
    let Some(credentials) = request
        .raw_values(kind.credentials_header())
        .filter_map(|v| Credentials::parse(v).ok())
        .find(|c| {
            c.is_digest()
                && c.realm().as_deref() == Some(realm)
                && c.response().is_some_and(|r| !r.is_empty())
        })
    else {
        return Verification::Missing;
    };
    let username = credentials.username().map(|u| u.into_owned());
    match check(request, realm, &credentials, username.as_deref(), lookup) {
        Some(verified) if nonce_is_current(&verified.nonce) => Verification::Ok(verified),
        Some(verified) => Verification::Stale(verified),
        None => Verification::Wrong { username },
    }
}

/// The checks of [`verify`] but the nonce's; `None` when any fails.
fn check(
    request: &Message,
    realm: &str,
    c: &Credentials<'_>,
    username: Option<&str>,
    lookup: impl Fn(&str) -> Option<Secret>,
) -> Option<Verified> {
    let username = username?;
    let nonce = c.nonce()?;
    let uri = c.uri()?;
    let response = c.response()?;
    if Some(uri.as_ref()) != request.request_uri_str() {
        return None;
    }
    let algorithm = match c.algorithm() {
        Some(a) => Algorithm::from_name(&a)?,
        None => Algorithm::Md5,
    };
    let qop = match c.qop() {
        Some(q) => Some(Qop::from_name(&q)?),
        None => None,
    };
    let nc = match qop {
        Some(_) => Some(c.nc()?),
        None => None,
    };
    let cnonce = c.cnonce();
    if (qop.is_some() || algorithm.is_session()) && cnonce.is_none() {
        return None;
    }
    let secret = lookup(username)?;
    let method = request.method()?;
    let input = DigestInput {
        algorithm,
        username,
        realm,
        nonce: &nonce,
        cnonce: cnonce.as_deref().unwrap_or_default(),
        nc: nc.unwrap_or(0),
        qop,
        method: method.as_str(),
        uri: &uri,
        body: request.body(),
    };
    let expected = compute::response(&input, &secret)?;
    compute::hex_eq(&expected, &response).then(|| Verified {
        username: username.to_owned(),
        nonce: nonce.into_owned(),
        nc,
        algorithm,
        qop,
    })
}
