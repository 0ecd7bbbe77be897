//! The digest algorithms (RFC 2617 §3.2.1, RFC 7616 §3.3, RFC 8760 §2.2) and
//! the quality of protection (`qop`, RFC 2617 §3.2.1).

use std::fmt;
use std::str::FromStr;

use md5::{Digest, Md5};
use sha2::{Sha256, Sha512_256};

/// A digest algorithm: a hash function, and whether the session variant
/// (`-sess`) folds the nonces into HA1 (RFC 7616 §3.4.2).
///
/// Names compare case-insensitively ([`Algorithm::from_name`]); a challenge
/// without `algorithm` means [`Algorithm::Md5`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `MD5` (RFC 2617).
    Md5,
    /// `MD5-sess` (RFC 2617).
    Md5Sess,
    /// `SHA-256` (RFC 7616, RFC 8760).
    Sha256,
    /// `SHA-256-sess` (RFC 7616, RFC 8760).
    Sha256Sess,
    /// `SHA-512-256`: SHA-512/256 of FIPS 180-4 (RFC 7616, RFC 8760).
    Sha512_256,
    /// `SHA-512-256-sess` (RFC 7616, RFC 8760).
    Sha512_256Sess,
}

impl Algorithm {
    /// Every algorithm, strongest hash first.
    pub const ALL: [Self; 6] = [
        Self::Sha512_256,
        Self::Sha512_256Sess,
        Self::Sha256,
        Self::Sha256Sess,
        Self::Md5,
        Self::Md5Sess,
    ];

    /// The algorithm named `name`, ignoring ASCII case (`md5-SESS` is
    /// [`Algorithm::Md5Sess`]); `None` for any other name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// The registered name (`MD5`, `SHA-256-sess`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
            Self::Sha512_256 => "SHA-512-256",
            Self::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// Whether this is a session variant (`-sess`).
    pub fn is_session(self) -> bool {
        matches!(
            self,
            Self::Md5Sess | Self::Sha256Sess | Self::Sha512_256Sess
        )
    }

    /// The algorithm with the same hash and no session variant: the one a
    /// pre-computed HA1 (`H(username:realm:password)`) belongs to.
    pub fn base(self) -> Self {
        match self {
            Self::Md5 | Self::Md5Sess => Self::Md5,
            Self::Sha256 | Self::Sha256Sess => Self::Sha256,
            Self::Sha512_256 | Self::Sha512_256Sess => Self::Sha512_256,
        }
    }

    /// The number of hex digits of a hash: 32 for MD5, 64 for the others.
    pub fn hex_len(self) -> usize {
        match self.base() {
            Self::Md5 => 32,
            _ => 64,
        }
    }

    /// The lowercase hex hash of `data`.
    pub fn hash_hex(self, data: &[u8]) -> String {
        self.hash_parts(&[data])
    }

    /// The lowercase hex hash of `parts` joined by `:` — the `H(a:b:c)` of
    /// the RFCs, without building the joined string.
    pub(crate) fn hash_parts(self, parts: &[&[u8]]) -> String {
        fn run<D: Digest>(parts: &[&[u8]]) -> String {
            let mut d = D::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    d.update(b":");
                }
                d.update(p);
            }
            to_hex(&d.finalize())
        }
        match self.base() {
            Self::Md5 => run::<Md5>(parts),
            Self::Sha256 => run::<Sha256>(parts),
            _ => run::<Sha512_256>(parts),
        }
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an [`Algorithm`] or a [`Qop`] from an unknown name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown digest {what} {name:?}")]
pub struct UnknownName {
    what: &'static str,
    name: String,
}

impl FromStr for Algorithm {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s).ok_or_else(|| UnknownName {
            what: "algorithm",
            name: s.to_owned(),
        })
    }
}

/// The quality of protection of a digest (RFC 2617 §3.2.1 `qop-options`).
/// Without one, the digest is RFC 2069's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qop {
    /// `auth`: the request line is protected.
    Auth,
    /// `auth-int`: the request line and the body (`H(entity-body)`).
    AuthInt,
}

impl Qop {
    /// The qop named `name`, ignoring ASCII case; `None` for another name.
    pub fn from_name(name: &str) -> Option<Self> {
        if name.eq_ignore_ascii_case("auth") {
            Some(Self::Auth)
        } else if name.eq_ignore_ascii_case("auth-int") {
            Some(Self::AuthInt)
        } else {
            None
        }
    }

    /// `auth` or `auth-int`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::AuthInt => "auth-int",
        }
    }
}

impl fmt::Display for Qop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Qop {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s).ok_or_else(|| UnknownName {
            what: "qop",
            name: s.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_ignoring_case() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(a.name()), Some(a));
            assert_eq!(
                Algorithm::from_name(&a.name().to_ascii_lowercase()),
                Some(a)
            );
            assert_eq!(a.to_string().parse::<Algorithm>(), Ok(a));
            assert!(!a.base().is_session());
            assert_eq!(a.hash_hex(b"").len(), a.hex_len());
        }
        assert_eq!(Algorithm::from_name("SHA-1"), None);
        assert_eq!(Algorithm::from_name("MD5-sess "), None);
        assert!("AKAv1-MD5".parse::<Algorithm>().is_err());
        assert_eq!(Qop::from_name("AUTH-INT"), Some(Qop::AuthInt));
        assert_eq!("auth".parse::<Qop>(), Ok(Qop::Auth));
        assert!("auth-conf".parse::<Qop>().is_err());
    }

    #[test]
    fn known_hashes() {
        // RFC 1321 §A.5, FIPS 180-4 examples of "abc".
        assert_eq!(
            Algorithm::Md5.hash_hex(b"abc"),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert_eq!(
            Algorithm::Sha256Sess.hash_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            Algorithm::Sha512_256.hash_hex(b"abc"),
            "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"
        );
        assert_eq!(
            Algorithm::Md5.hash_parts(&[b"a", b"b", b"c"]),
            Algorithm::Md5.hash_hex(b"a:b:c")
        );
    }
}
