//! The client's memory of one realm's challenge (a nonce and what came
//! with it), and the credentials it writes from it (RFC 3261 §22.4).

use sip::Message;
use sip::header::Credentials;

use super::algorithm::{Algorithm, Qop};
use super::compute::{self, DigestInput};
use super::credential::Credential;
use super::offer::Offer;
use crate::rng::Rng;

/// The last challenge of a realm, and how often its nonce was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    pub(crate) realm: String,
    pub(crate) nonce: String,
    pub(crate) opaque: Option<String>,
    pub(crate) algorithm: Algorithm,
    pub(crate) algorithm_text: String,
    pub(crate) qop: Option<Qop>,
    /// How many requests carried this nonce (the last `nc` sent).
    pub(crate) nc: u32,
    /// The client nonce of `-sess` algorithms, fixed for the nonce's life as
    /// their HA1 depends on it (other algorithms draw one per request);
    /// empty until first needed.
    pub(crate) session_cnonce: String,
    /// Whether the nonce came from a challenge (rather than a `nextnonce`).
    pub(crate) from_challenge: bool,
}

/// A fresh client nonce: 128 random bits in hex.
pub(crate) fn new_cnonce(rng: &mut Rng) -> String {
    format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

impl Session {
    /// The session of a challenge just received. When it repeats the nonce
    /// already held, the count goes on (a server that checks `nc` would
    /// refuse it starting over).
    pub(crate) fn from_offer(offer: &Offer, qop: Option<Qop>, previous: Option<Self>) -> Self {
        let (nc, session_cnonce) = match previous {
            Some(p) if p.nonce == offer.nonce && p.algorithm == offer.algorithm => {
                (p.nc, p.session_cnonce)
            }
            _ => (0, String::new()),
        };
        Self {
            realm: offer.realm.clone(),
            nonce: offer.nonce.clone(),
            opaque: offer.opaque.clone(),
            algorithm: offer.algorithm,
            algorithm_text: offer.algorithm_text.clone(),
            qop,
            nc,
            session_cnonce,
            from_challenge: true,
        }
    }

    /// Counts one more use of the nonce and writes the credentials for
    /// `request` (its method, Request-URI as printed, and body for
    /// `auth-int`); `None` when the credential's HA1 does not fit the
    /// algorithm.
    pub(crate) fn answer(
        &mut self,
        credential: &Credential,
        request: &Message,
        rng: &mut Rng,
    ) -> Option<Credentials<'static>> {
        let cnonce = if self.algorithm.is_session() {
            if self.session_cnonce.is_empty() {
                self.session_cnonce = new_cnonce(rng);
            }
            self.session_cnonce.clone()
        } else {
            new_cnonce(rng)
        };
        let method = request.method();
        let uri = request.request_uri_str().unwrap_or_default();
        let input = DigestInput {
            algorithm: self.algorithm,
            username: &credential.username,
            realm: &self.realm,
            nonce: &self.nonce,
            cnonce: &cnonce,
            nc: self.nc.wrapping_add(1).max(1),
            qop: self.qop,
            method: method.as_ref().map_or("", |m| m.as_str()),
            uri,
            body: request.body(),
        };
        let response = compute::response(&input, &credential.secret)?;
        self.nc = input.nc;
        let mut c = Credentials::new("Digest");
        c.push("username", &credential.username, true);
        c.push("realm", &self.realm, true);
        c.push("nonce", &self.nonce, true);
        c.push("uri", uri, true);
        c.push("response", &response, true);
        c.push("algorithm", &self.algorithm_text, false);
        // RFC 2617 wants no cnonce without a qop, but a -sess HA1 cannot be
        // checked without it.
        if self.qop.is_some() || self.algorithm.is_session() {
            c.push("cnonce", &cnonce, true);
        }
        if let Some(opaque) = &self.opaque {
            c.push("opaque", opaque, true);
        }
        if let Some(qop) = self.qop {
            c.push("qop", qop.name(), false);
            c.push("nc", &compute::nc_hex(input.nc), false);
        }
        Some(c)
    }
}
