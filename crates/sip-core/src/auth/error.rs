//! Why a challenge could not be answered, with PJSIP's status for each.

/// Why [`ClientAuth::respond`](super::ClientAuth::respond) did not fill in
/// the retry. The caller gives up on the request (and reports the 401 or 407
/// it got).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The credentials were refused: the request already carried ours for
    /// this realm and the server challenged again without `stale=true`.
    /// PJSIP: `PJSIP_EFAILEDCREDENTIAL` (171100).
    #[error("the credentials for realm {realm:?} were rejected")]
    Rejected {
        /// The realm whose credentials were refused.
        realm: String,
    },
    /// No credential matches the realm of any challenge that could otherwise
    /// be answered. PJSIP: `PJSIP_ENOCREDENTIAL` (171101).
    #[error("no credential for realm {realm:?}")]
    NoCredential {
        /// The (first) realm that had none.
        realm: String,
    },
    /// Every Digest challenge named an algorithm this crate does not know
    /// (AKA, say). PJSIP: `PJSIP_EINVALIDALGORITHM` (171102).
    #[error("unsupported digest algorithm {algorithm:?}")]
    UnsupportedAlgorithm {
        /// The (first) algorithm as written.
        algorithm: String,
    },
    /// Every challenge with a known algorithm offered only unknown qops.
    /// PJSIP: `PJSIP_EINVALIDQOP` (171103).
    #[error("unsupported digest qop {qop:?}")]
    UnsupportedQop {
        /// The (first) `qop` parameter as written.
        qop: String,
    },
    /// Every challenge used a scheme other than Digest, or was malformed
    /// (no realm or no nonce). PJSIP: `PJSIP_EINVALIDAUTHSCHEME` (171104).
    #[error("unsupported authentication scheme {scheme:?}")]
    UnsupportedScheme {
        /// The (first) scheme as written.
        scheme: String,
    },
    /// The server said `stale=true` (or dropped a nonce we reused) once too
    /// often for this realm since the last accepted request. PJSIP:
    /// `PJSIP_EAUTHSTALECOUNT` (171111).
    #[error("too many stale-nonce retries for realm {realm:?}")]
    StaleExhausted {
        /// The realm.
        realm: String,
    },
    /// The response carried no WWW-Authenticate or Proxy-Authenticate
    /// header that parses. PJSIP: `PJSIP_EAUTHNOCHAL` (171114).
    #[error("no authentication challenge in the response")]
    NoChallenge,
}

impl AuthError {
    /// PJSIP's status number (`pj_status_t`) for this error.
    pub fn pjsip_status(&self) -> i32 {
        match self {
            Self::Rejected { .. } => 171_100,
            Self::NoCredential { .. } => 171_101,
            Self::UnsupportedAlgorithm { .. } => 171_102,
            Self::UnsupportedQop { .. } => 171_103,
            Self::UnsupportedScheme { .. } => 171_104,
            Self::StaleExhausted { .. } => 171_111,
            Self::NoChallenge => 171_114,
        }
    }
}
