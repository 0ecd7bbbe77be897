//! The digest computation itself (RFC 2617 §3.2.2, RFC 7616 §3.4.1–§3.4.3,
//! RFC 2069 §2.1.2 when there is no qop).
//!
//! ```text
//! HA1 = H(username:realm:password)                       (algorithm X)
//! HA1 = H(H(username:realm:password):nonce:cnonce)       (algorithm X-sess)
//! HA2 = H(method:digest-uri)                             (qop auth, or none)
//! HA2 = H(method:digest-uri:H(entity-body))              (qop auth-int)
//! response = H(HA1:nonce:nc:cnonce:qop:HA2)              (with qop)
//! response = H(HA1:nonce:HA2)                            (RFC 2069)
//! ```

use super::algorithm::{Algorithm, Qop};
use super::credential::Secret;

/// Everything a digest response depends on, but the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestInput<'a> {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The username, as sent in the credentials.
    pub username: &'a str,
    /// The realm of the challenge.
    pub realm: &'a str,
    /// The server's nonce.
    pub nonce: &'a str,
    /// The client nonce: used with a qop and with `-sess` algorithms,
    /// ignored otherwise.
    pub cnonce: &'a str,
    /// The nonce count, printed as 8 hex digits; ignored without a qop.
    pub nc: u32,
    /// The quality of protection; `None` for RFC 2069.
    pub qop: Option<Qop>,
    /// The request method (`REGISTER`; for `rspauth`, the empty string).
    pub method: &'a str,
    /// The `digest-uri`: the Request-URI as printed.
    pub uri: &'a str,
    /// The body, hashed for `auth-int` and ignored otherwise.
    pub body: &'a [u8],
}

/// The nonce count as the credentials carry it: 8 lowercase hex digits.
pub fn nc_hex(nc: u32) -> String {
    format!("{nc:08x}")
}

/// The session HA1: `H(username:realm:password)`, then for `-sess`
/// algorithms `H(that:nonce:cnonce)`. `None` when the secret is an HA1 that
/// does not fit the algorithm's hash.
pub fn session_ha1(input: &DigestInput<'_>, secret: &Secret) -> Option<String> {
    let ha1 = secret.ha1(input.algorithm, input.username, input.realm)?;
    Some(if input.algorithm.is_session() {
        input.algorithm.hash_parts(&[
            ha1.as_bytes(),
            input.nonce.as_bytes(),
            input.cnonce.as_bytes(),
        ])
    } else {
        ha1
    })
}

/// The `response` value in lowercase hex; `None` when the secret is an HA1
/// that does not fit the algorithm's hash.
pub fn response(input: &DigestInput<'_>, secret: &Secret) -> Option<String> {
    let ha1 = session_ha1(input, secret)?;
    Some(response_from_ha1(input, &ha1))
}

/// The `response` from an HA1 already computed by [`session_ha1`].
pub fn response_from_ha1(input: &DigestInput<'_>, ha1: &str) -> String {
    let h = input.algorithm;
    let ha2 = match input.qop {
        Some(Qop::AuthInt) => {
            let body = h.hash_hex(input.body);
            h.hash_parts(&[
                input.method.as_bytes(),
                input.uri.as_bytes(),
                body.as_bytes(),
            ])
        }
        Some(Qop::Auth) | None => h.hash_parts(&[input.method.as_bytes(), input.uri.as_bytes()]),
    };
    match input.qop {
        Some(qop) => h.hash_parts(&[
            ha1.as_bytes(),
            input.nonce.as_bytes(),
            nc_hex(input.nc).as_bytes(),
            input.cnonce.as_bytes(),
            qop.name().as_bytes(),
            ha2.as_bytes(),
        ]),
        None => h.hash_parts(&[ha1.as_bytes(), input.nonce.as_bytes(), ha2.as_bytes()]),
    }
}

/// Compares two hex digests ignoring ASCII case, in time that depends only
/// on their lengths.
pub(crate) fn hex_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| {
            acc | (x.to_ascii_lowercase() ^ y.to_ascii_lowercase())
        }) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc2617() -> DigestInput<'static> {
        DigestInput {
            algorithm: Algorithm::Md5,
            username: "Mufasa",
            realm: "testrealm@host.com",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            cnonce: "0a4f113b",
            nc: 1,
            qop: Some(Qop::Auth),
            method: "GET",
            uri: "/dir/index.html",
            body: b"",
        }
    }

    #[test]
    fn rfc2617_example() {
        let secret = Secret::Plain("Circle Of Life".into());
        assert_eq!(
            response(&rfc2617(), &secret).as_deref(),
            Some("6629fae49393a05397450978507c4ef1")
        );
        // The same through a pre-computed HA1.
        let ha1 = secret
            .ha1(Algorithm::Md5, "Mufasa", "testrealm@host.com")
            .unwrap();
        assert_eq!(
            response(&rfc2617(), &Secret::Ha1(ha1.to_uppercase())).as_deref(),
            Some("6629fae49393a05397450978507c4ef1")
        );
        assert_eq!(
            response(
                &DigestInput {
                    algorithm: Algorithm::Sha256,
                    ..rfc2617()
                },
                &Secret::Ha1(ha1)
            ),
            None
        );
    }

    #[test]
    fn hex_eq_ignores_case_only() {
        assert!(hex_eq("abCD", "ABcd"));
        assert!(!hex_eq("abcd", "abce"));
        assert!(!hex_eq("abcd", "abc"));
        assert_eq!(nc_hex(10), "0000000a");
    }
}
