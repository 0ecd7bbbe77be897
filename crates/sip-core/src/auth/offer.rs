//! Reading a challenge (RFC 3261 §22.4, RFC 2617 §3.2.1, RFC 8760 §2.4):
//! what it asks for, or why it cannot be answered.

use sip::header::Challenge;

use super::algorithm::{Algorithm, Qop};
use super::kind::AuthKind;

/// A Digest challenge this crate can answer, given a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Offer {
    pub(crate) kind: AuthKind,
    pub(crate) realm: String,
    pub(crate) nonce: String,
    pub(crate) opaque: Option<String>,
    pub(crate) algorithm: Algorithm,
    /// The algorithm as the server spelled it (`MD5` when it named none),
    /// echoed in the credentials.
    pub(crate) algorithm_text: String,
    /// Whether `auth` and `auth-int` were offered; neither means RFC 2069.
    pub(crate) auth: bool,
    pub(crate) auth_int: bool,
    pub(crate) stale: bool,
}

/// Why a challenge cannot be answered whatever the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unusable {
    /// Not Digest, or no realm or nonce: the scheme as written.
    Scheme(String),
    /// An unknown algorithm, as written.
    Algorithm(String),
    /// A qop list with neither `auth` nor `auth-int`, as written.
    Qop(String),
}

impl Offer {
    pub(crate) fn read(kind: AuthKind, challenge: &Challenge<'_>) -> Result<Self, Unusable> {
        let scheme = || Unusable::Scheme(challenge.scheme.to_string());
        if !challenge.is_digest() {
            return Err(scheme());
        }
        let realm = challenge.realm().ok_or_else(scheme)?.into_owned();
        let nonce = challenge.nonce().ok_or_else(scheme)?.into_owned();
        let opaque = challenge.opaque().map(|o| o.into_owned());
        // A quoted string printed back turns control characters into spaces
        // (and a folded line into spaces): the credentials would not name
        // the realm and nonce the digest was made with.
        let printable = |s: &str| !s.chars().any(|c| c.is_control() && c != '\t');
        if !printable(&realm) || !printable(&nonce) || !opaque.as_deref().is_none_or(printable) {
            return Err(scheme());
        }
        let (algorithm, algorithm_text) = match challenge.algorithm() {
            None => (Algorithm::Md5, Algorithm::Md5.name().to_owned()),
            Some(text) => match Algorithm::from_name(&text) {
                Some(a) => (a, text.into_owned()),
                None => return Err(Unusable::Algorithm(text.into_owned())),
            },
        };
        let mut auth = false;
        let mut auth_int = false;
        let mut listed = false;
        for q in challenge.qop_options() {
            listed = true;
            match Qop::from_name(q) {
                Some(Qop::Auth) => auth = true,
                Some(Qop::AuthInt) => auth_int = true,
                None => {}
            }
        }
        if listed && !auth && !auth_int {
            return Err(Unusable::Qop(
                challenge.get("qop").unwrap_or_default().to_owned(),
            ));
        }
        Ok(Self {
            kind,
            realm,
            nonce,
            opaque,
            algorithm,
            algorithm_text,
            auth,
            auth_int,
            stale: challenge.stale() == Some(true),
        })
    }

    /// The qop to answer with: `auth-int` when offered and preferred (or the
    /// only one offered), else `auth`; `None` when the challenge offered no
    /// qop (RFC 2069).
    pub(crate) fn choose_qop(&self, prefer_auth_int: bool) -> Option<Qop> {
        match (self.auth, self.auth_int) {
            (_, true) if prefer_auth_int || !self.auth => Some(Qop::AuthInt),
            (true, _) => Some(Qop::Auth),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(v: &str) -> Result<Offer, Unusable> {
        Offer::read(AuthKind::Www, &Challenge::parse(v).unwrap())
    }

    #[test]
    fn reads_a_challenge() {
        let o = read(
            r#"digest realm="a b", nonce="n", qop="auth-int, AUTH, auth-conf", algorithm=sha-256-SESS, opaque="", stale=TRUE"#,
        )
        .unwrap();
        assert_eq!(o.realm, "a b");
        assert_eq!(o.algorithm, Algorithm::Sha256Sess);
        assert_eq!(o.algorithm_text, "sha-256-SESS");
        assert_eq!(o.opaque.as_deref(), Some(""));
        assert!(o.stale && o.auth && o.auth_int);
        assert_eq!(o.choose_qop(false), Some(Qop::Auth));
        assert_eq!(o.choose_qop(true), Some(Qop::AuthInt));
        let o = read(r#"Digest realm="r", nonce="n", qop="auth-int""#).unwrap();
        assert_eq!(o.choose_qop(false), Some(Qop::AuthInt));
        let o = read(r#"Digest realm="r", nonce="n", qop="""#).unwrap();
        assert_eq!(
            (o.choose_qop(true), o.algorithm_text.as_str()),
            (None, "MD5")
        );
    }

    #[test]
    fn says_why_not() {
        assert_eq!(
            read(r#"Digest realm="r", nonce="n", algorithm=AKAv1-MD5"#),
            Err(Unusable::Algorithm("AKAv1-MD5".into()))
        );
        assert_eq!(
            read(r#"Digest realm="r", nonce="n", qop="auth-conf""#),
            Err(Unusable::Qop("\"auth-conf\"".into()))
        );
        assert_eq!(
            read(r#"Basic realm="r""#),
            Err(Unusable::Scheme("Basic".into()))
        );
        assert_eq!(
            read(r#"Digest realm="r""#),
            Err(Unusable::Scheme("Digest".into()))
        );
        assert_eq!(
            read("Digest realm=\"a\r\n b\", nonce=\"n\""),
            Err(Unusable::Scheme("Digest".into()))
        );
        assert!(read("Digest realm=\"a\tb\", nonce=\"n\"").is_ok());
    }
}
