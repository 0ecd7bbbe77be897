//! What a user authenticates with: a username and a secret for a realm
//! (PJSUA2's `AuthCredInfo`).

use std::fmt;

use super::algorithm::Algorithm;

/// A secret: the password, or the HA1 computed from it.
///
/// `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Secret {
    /// The password in clear.
    Plain(String),
    /// The pre-hashed `H(username:realm:password)` in hex (PJSIP's
    /// `PJSIP_CRED_DATA_DIGEST`). It serves only the hash it was made with:
    /// 32 hex digits are MD5; 64 are SHA-256 or SHA-512/256, told apart by
    /// [`Credential::algorithm`] (SHA-256 when that is `None`). It serves
    /// that hash's `-sess` variant too, whose HA1 starts from the same value.
    Ha1(String),
}

impl Secret {
    /// `H(username:realm:password)` for `algorithm`'s hash, in lowercase
    /// hex; `None` when this is an HA1 of the wrong length or not hex.
    pub fn ha1(&self, algorithm: Algorithm, username: &str, realm: &str) -> Option<String> {
        match self {
            Self::Plain(password) => Some(algorithm.hash_parts(&[
                username.as_bytes(),
                realm.as_bytes(),
                password.as_bytes(),
            ])),
            Self::Ha1(hex) => (hex.len() == algorithm.hex_len()
                && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| hex.to_ascii_lowercase()),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plain(_) => f.write_str("Plain(<redacted>)"),
            Self::Ha1(_) => f.write_str("Ha1(<redacted>)"),
        }
    }
}

/// A username and secret for a realm.
///
/// `Debug` shows the realm, the username and the algorithm, never the
/// secret.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Credential {
    /// The realm the credential is for, compared with a challenge's realm
    /// ignoring ASCII case (an exact match wins over a case-insensitive one);
    /// `"*"` matches any realm, after every named realm.
    pub realm: String,
    /// The username.
    pub username: String,
    /// The password or HA1.
    pub secret: Secret,
    /// The one algorithm the credential may answer; `None` for any (an HA1
    /// still answers only the algorithms of its hash, see [`Secret::Ha1`]).
    pub algorithm: Option<Algorithm>,
}

/// How well a credential's realm matches a challenge's, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum RealmMatch {
    Exact,
    IgnoringCase,
    Wildcard,
}

impl Credential {
    /// A password credential for `realm` (`"*"` for any), usable with any
    /// algorithm.
    pub fn new(
        realm: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            realm: realm.into(),
            username: username.into(),
            secret: Secret::Plain(password.into()),
            algorithm: None,
        }
    }

    /// A pre-hashed credential: `ha1` is `H(username:realm:password)` in hex
    /// for `algorithm`'s hash (`None`: told by length, see [`Secret::Ha1`]).
    pub fn with_ha1(
        realm: impl Into<String>,
        username: impl Into<String>,
        ha1: impl Into<String>,
        algorithm: Option<Algorithm>,
    ) -> Self {
        Self {
            realm: realm.into(),
            username: username.into(),
            secret: Secret::Ha1(ha1.into()),
            algorithm,
        }
    }

    /// Whether this credential can answer a challenge of `algorithm`.
    pub fn supports(&self, algorithm: Algorithm) -> bool {
        if self.algorithm.is_some_and(|a| a != algorithm) {
            return false;
        }
        match &self.secret {
            Secret::Plain(_) => true,
            Secret::Ha1(hex) => {
                let hash = match (self.algorithm, hex.len()) {
                    (Some(a), _) => a.base(),
                    (None, 32) => Algorithm::Md5,
                    (None, _) => Algorithm::Sha256,
                };
                hash == algorithm.base() && self.secret.ha1(algorithm, "", "").is_some()
            }
        }
    }

    pub(crate) fn realm_match(&self, realm: &str) -> Option<RealmMatch> {
        if self.realm == realm {
            Some(RealmMatch::Exact)
        } else if self.realm.eq_ignore_ascii_case(realm) {
            Some(RealmMatch::IgnoringCase)
        } else if self.realm == "*" {
            Some(RealmMatch::Wildcard)
        } else {
            None
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("realm", &self.realm)
            .field("username", &self.username)
            .field("secret", &self.secret)
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

/// The best credential in `credentials` for a challenge of `realm` and
/// `algorithm`: exact realm first, then ignoring case, then `"*"`; among
/// equals, the first listed.
pub(crate) fn find<'c>(
    credentials: &'c [Credential],
    realm: &str,
    algorithm: Algorithm,
) -> Option<&'c Credential> {
    credentials
        .iter()
        .filter(|c| c.supports(algorithm))
        .filter_map(|c| Some((c.realm_match(realm)?, c)))
        .min_by_key(|(m, _)| *m)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret() {
        let c = Credential::new("r", "alice", "hunter2");
        let h = Credential::with_ha1("r", "alice", "0123456789abcdef0123456789abcdef", None);
        for text in [
            format!("{c:?}"),
            format!("{h:?}"),
            format!("{:#?}", c.secret),
        ] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(!text.contains("0123456789abcdef"), "{text}");
            assert!(text.contains("redacted"), "{text}");
        }
        assert!(format!("{c:?}").contains("alice"));
    }

    #[test]
    fn ha1_serves_its_hash_only() {
        let md5 = Credential::with_ha1("r", "u", "A".repeat(32), None);
        assert!(md5.supports(Algorithm::Md5));
        assert!(md5.supports(Algorithm::Md5Sess));
        assert!(!md5.supports(Algorithm::Sha256));
        let sha = Credential::with_ha1("r", "u", "b".repeat(64), None);
        assert!(sha.supports(Algorithm::Sha256Sess));
        assert!(!sha.supports(Algorithm::Sha512_256));
        assert!(!sha.supports(Algorithm::Md5));
        let sha512 = Credential::with_ha1("r", "u", "b".repeat(64), Some(Algorithm::Sha512_256));
        assert!(sha512.supports(Algorithm::Sha512_256));
        assert!(!sha512.supports(Algorithm::Sha512_256Sess));
        assert!(!sha512.supports(Algorithm::Sha256));
        let not_hex = Credential::with_ha1("r", "u", "z".repeat(32), None);
        assert!(!not_hex.supports(Algorithm::Md5));
        assert_eq!(
            md5.secret.ha1(Algorithm::Md5, "x", "y").as_deref(),
            Some("a".repeat(32).as_str())
        );
        let plain = Credential {
            algorithm: Some(Algorithm::Sha256),
            ..Credential::new("r", "u", "p")
        };
        assert!(plain.supports(Algorithm::Sha256));
        assert!(!plain.supports(Algorithm::Md5));
    }

    #[test]
    fn realm_preference() {
        let creds = [
            Credential::new("*", "any", "p"),
            Credential::new("EXAMPLE.com", "case", "p"),
            Credential::new("example.com", "exact", "p"),
        ];
        let pick = |realm| find(&creds, realm, Algorithm::Md5).map(|c| c.username.as_str());
        assert_eq!(pick("example.com"), Some("exact"));
        assert_eq!(pick("Example.COM"), Some("case"));
        assert_eq!(pick("other"), Some("any"));
        assert_eq!(find(&creds[1..], "other", Algorithm::Md5), None);
    }
}
