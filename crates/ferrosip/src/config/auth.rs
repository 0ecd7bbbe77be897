//! Credentials (PJSUA2's `AuthCredInfo`).

use serde::{Deserialize, Serialize};

use super::enums::{CredDataType, DigestAlgorithm};

/// A credential for digest (or AKA) authentication (PJSUA2's
/// `AuthCredInfo`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AuthCredInfo {
    /// The authentication scheme. Default "digest".
    pub scheme: String,
    /// The realm the credential is for; `*` means any. Default "*".
    pub realm: String,
    /// The user name. Default "".
    pub username: String,
    /// What `data` holds. Default [`CredDataType::PlainPasswd`].
    pub data_type: CredDataType,
    /// The password, or the HA1 hash with [`CredDataType::Digest`].
    /// Default "".
    pub data: String,
    /// The digest algorithm this credential answers; not set means any the
    /// challenge asks for. Default [`DigestAlgorithm::NotSet`]. (Not
    /// persisted by PJSUA2 2.15.1.)
    pub algo_type: DigestAlgorithm,
    /// AKA: the permanent subscriber key K. Default "".
    pub aka_k: String,
    /// AKA: the operator variant key OP. Default "".
    pub aka_op: String,
    /// AKA: the authentication management field AMF. Default "".
    pub aka_amf: String,
}

impl AuthCredInfo {
    /// A credential with the given scheme, realm, user name and secret
    /// (PJSUA2's `AuthCredInfo(scheme, realm, user_name, data_type, data)`).
    pub fn new(
        scheme: impl Into<String>,
        realm: impl Into<String>,
        username: impl Into<String>,
        data_type: CredDataType,
        data: impl Into<String>,
    ) -> Self {
        Self {
            scheme: scheme.into(),
            realm: realm.into(),
            username: username.into(),
            data_type,
            data: data.into(),
            ..Self::default()
        }
    }
}

impl Default for AuthCredInfo {
    fn default() -> Self {
        Self {
            scheme: "digest".to_owned(),
            realm: "*".to_owned(),
            username: String::new(),
            data_type: CredDataType::PlainPasswd,
            data: String::new(),
            algo_type: DigestAlgorithm::NotSet,
            aka_k: String::new(),
            aka_op: String::new(),
            aka_amf: String::new(),
        }
    }
}

/// Debug output with the secrets redacted, so that credentials never reach
/// a log.
impl std::fmt::Debug for AuthCredInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn redacted(s: &str) -> &'static str {
            if s.is_empty() { "" } else { "<redacted>" }
        }
        f.debug_struct("AuthCredInfo")
            .field("scheme", &self.scheme)
            .field("realm", &self.realm)
            .field("username", &self.username)
            .field("data_type", &self.data_type)
            .field("data", &redacted(&self.data))
            .field("algo_type", &self.algo_type)
            .field("aka_k", &redacted(&self.aka_k))
            .field("aka_op", &redacted(&self.aka_op))
            .field("aka_amf", &redacted(&self.aka_amf))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_pjsua2s() {
        let c = AuthCredInfo::default();
        assert_eq!(c.scheme, "digest");
        assert_eq!(c.realm, "*");
        assert_eq!(c.username, "");
        assert_eq!(c.data_type.as_i32(), 0);
        assert_eq!(c.data, "");
        assert_eq!(c.algo_type.as_i32(), 0);
        assert_eq!(
            (c.aka_k.as_str(), c.aka_op.as_str(), c.aka_amf.as_str()),
            ("", "", "")
        );
    }

    #[test]
    fn new_mirrors_the_positional_constructor() {
        let c = AuthCredInfo::new(
            "digest",
            "example.com",
            "alice",
            CredDataType::Digest,
            "ha1",
        );
        assert_eq!(c.realm, "example.com");
        assert_eq!(c.username, "alice");
        assert_eq!(c.data_type, CredDataType::Digest);
        assert_eq!(c.data, "ha1");
        assert_eq!(c.algo_type, DigestAlgorithm::NotSet);
        assert_eq!(c.aka_k, "");
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = AuthCredInfo::new("digest", "*", "alice", CredDataType::PlainPasswd, "hunter2");
        let shown = format!("{c:?}");
        assert!(shown.contains("alice"));
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("<redacted>"));
    }
}
