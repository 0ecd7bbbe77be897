//! Authentication headers (RFC 3261 §20.27, §20.28, §20.7, §20.44, §20.6,
//! grammar in §25.1; Digest in RFC 2617 and RFC 8760): WWW-Authenticate,
//! Proxy-Authenticate, Authorization, Proxy-Authorization and
//! Authentication-Info.
//!
//! None of these is a comma-separated list of values in the sense of RFC 3261
//! §7.3.1: the commas separate the parameters of one challenge or one set of
//! credentials, so each header line carries exactly one.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use super::{HeaderName, TypedHeader};
use crate::error::SyntaxError;
use crate::params::unquote_value;
use crate::scan::{self, Scanner};

/// The comma-separated `name=value` pairs of a challenge, of credentials or of
/// Authentication-Info (RFC 3261 §25.1 `auth-param`, `digest-cln`,
/// `dig-resp`, `ainfo`), kept as written.
///
/// Values are a token or a quoted string; [`AuthParams::get`] gives them as
/// written, [`AuthParams::get_unquoted`] without the quotes.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct AuthParams<'a> {
    raw: Cow<'a, str>,
}

impl<'a> AuthParams<'a> {
    /// An empty list.
    pub fn new() -> Self {
        Self {
            raw: Cow::Borrowed(""),
        }
    }

    /// The list as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The parameters in order, names and values as written (quoted values keep
    /// their quotes).
    pub fn iter(&self) -> AuthParamIter<'_> {
        AuthParamIter {
            rest: self.raw.as_ref(),
        }
    }

    /// The value of the first parameter named `name` (case-insensitive), as
    /// written.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The value of `name`, with the quotes and quoted-pairs of a quoted string
    /// removed.
    pub fn get_unquoted(&self, name: &str) -> Option<Cow<'_, str>> {
        self.get(name).map(unquote_value)
    }

    /// Whether a parameter named `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Appends `name=value`, or `name="value"` when `quoted` (with `"` and `\`
    /// escaped, and control characters replaced by spaces). `name` must be a
    /// token, and so must `value` when not `quoted`.
    pub fn push(&mut self, name: &str, value: &str, quoted: bool) {
        let raw = self.raw.to_mut();
        if !raw.is_empty() {
            raw.push_str(", ");
        }
        raw.push_str(name);
        raw.push('=');
        if quoted {
            raw.push('"');
            super::push_quoted_inner(raw, value);
            raw.push('"');
        } else {
            raw.push_str(value);
        }
    }

    /// The `realm` (RFC 3261 §25.1 `realm`).
    pub fn realm(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("realm")
    }

    /// The `domain` of a challenge: space-separated URIs (RFC 2617 §3.2.1).
    pub fn domain(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("domain")
    }

    /// The `nonce`.
    pub fn nonce(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("nonce")
    }

    /// The `opaque` value, returned unchanged in the credentials.
    pub fn opaque(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("opaque")
    }

    /// The `algorithm` (`MD5`, `MD5-sess`, `SHA-256`, … — RFC 8760). Absent
    /// means MD5.
    pub fn algorithm(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("algorithm")
    }

    /// The `stale` flag of a challenge: `Some(true)` when the nonce was stale
    /// and the credentials were otherwise right (RFC 2617 §3.2.1). Any value
    /// other than `true` counts as false.
    pub fn stale(&self) -> Option<bool> {
        self.get_unquoted("stale")
            .map(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The `qop-options` of a challenge: `qop="auth,auth-int"` gives `auth`
    /// and `auth-int`.
    pub fn qop_options(&self) -> impl Iterator<Item = &str> {
        let v = self.get("qop").unwrap_or("");
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        v.split(',').map(scan::trim_lws).filter(|q| !q.is_empty())
    }

    /// The `qop` chosen in credentials or Authentication-Info (`auth`,
    /// `auth-int`).
    pub fn qop(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("qop")
    }

    /// The `username` of credentials.
    pub fn username(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("username")
    }

    /// The `uri` of credentials (the `digest-uri`).
    pub fn uri(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("uri")
    }

    /// The `response` digest of credentials (32 hex digits for MD5).
    pub fn response(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("response")
    }

    /// The client nonce `cnonce`.
    pub fn cnonce(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("cnonce")
    }

    /// The nonce count `nc` (`8LHEX`), if present and valid.
    pub fn nc(&self) -> Option<u32> {
        let v = self.get_unquoted("nc")?;
        if v.is_empty() || v.len() > 8 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(&v, 16).ok()
    }

    /// The `nextnonce` of Authentication-Info.
    pub fn nextnonce(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("nextnonce")
    }

    /// The `rspauth` of Authentication-Info (the server's proof).
    pub fn rspauth(&self) -> Option<Cow<'_, str>> {
        self.get_unquoted("rspauth")
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> AuthParams<'static> {
        AuthParams {
            raw: Cow::Owned(self.raw.into_owned()),
        }
    }

    /// Parses `auth-param *(COMMA auth-param)` with `auth-param =
    /// auth-param-name EQUAL ( token / quoted-string )`, leaving the scanner
    /// after the last value.
    pub(crate) fn parse(s: &mut Scanner<'a>) -> Result<Self, SyntaxError> {
        let start = s.pos();
        loop {
            s.token("expected authentication parameter name")?;
            if !s.eat_separator(b'=') {
                return Err(s.error("expected '=' after authentication parameter name"));
            }
            if s.peek() == Some(b'"') {
                s.quoted_string()?;
            } else {
                s.token("expected authentication parameter value")?;
            }
            let end = s.pos();
            if !s.eat_separator(b',') {
                s.set_pos(end);
                return Ok(Self {
                    raw: Cow::Borrowed(s.slice(start, end)),
                });
            }
        }
    }
}

impl fmt::Display for AuthParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for AuthParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Iterator over the `(name, value)` pairs of [`AuthParams`], splitting at
/// commas outside quoted strings.
#[derive(Debug, Clone)]
pub struct AuthParamIter<'p> {
    rest: &'p str,
}

impl<'p> Iterator for AuthParamIter<'p> {
    type Item = (&'p str, &'p str);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let b = self.rest.as_bytes();
            // An ASCII ',' or the end: a char boundary either way.
            let end = scan::find_outside_quotes(b, b',', false);
            let item = scan::trim_lws(&self.rest[..end]);
            self.rest = if end < b.len() {
                &self.rest[end + 1..]
            } else {
                ""
            };
            if item.is_empty() {
                continue;
            }
            return Some(match scan::find_byte(item.as_bytes(), b'=') {
                Some(eq) => (scan::trim_lws(&item[..eq]), scan::trim_lws(&item[eq + 1..])),
                None => (item, ""),
            });
        }
    }
}

macro_rules! scheme_and_params {
    ($(#[$doc:meta])* $ty:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty<'a> {
            /// The scheme as written (`Digest`, or any other token).
            pub scheme: Cow<'a, str>,
            /// The parameters; the Digest helpers of [`AuthParams`] are reached
            /// through `Deref`.
            pub params: AuthParams<'a>,
        }

        impl<'a> $ty<'a> {
            /// An empty value of `scheme` (`Digest`), to be filled with
            #[doc = concat!("[`", stringify!($ty), "::push`]. It prints back only once it")]
            /// holds a parameter, as the grammar requires one.
            pub fn new(scheme: &str) -> Self {
                Self {
                    scheme: Cow::Owned(scheme.to_owned()),
                    params: AuthParams::new(),
                }
            }

            /// Appends a parameter (see [`AuthParams::push`]).
            pub fn push(&mut self, name: &str, value: &str, quoted: bool) {
                self.params.push(name, value, quoted);
            }

            /// Whether the scheme is `Digest` (case-insensitive).
            pub fn is_digest(&self) -> bool {
                self.scheme.eq_ignore_ascii_case("Digest")
            }

            /// Parses `auth-scheme LWS auth-param *(COMMA auth-param)`.
            pub fn parse(value: &'a str) -> Result<Self, SyntaxError> {
                let mut s = Scanner::new(value);
                s.skip_lws();
                let scheme = s.token("expected authentication scheme")?;
                if !s.skip_lws() {
                    return Err(s.error("expected white space after authentication scheme"));
                }
                let params = AuthParams::parse(&mut s)?;
                s.skip_lws();
                if !s.is_empty() {
                    return Err(s.error(concat!("unexpected text in ", $what)));
                }
                Ok(Self {
                    scheme: Cow::Borrowed(scheme),
                    params,
                })
            }

            /// A copy that owns its text.
            pub fn into_owned(self) -> $ty<'static> {
                $ty {
                    scheme: Cow::Owned(self.scheme.into_owned()),
                    params: self.params.into_owned(),
                }
            }
        }

        impl<'a> Deref for $ty<'a> {
            type Target = AuthParams<'a>;
            fn deref(&self) -> &AuthParams<'a> {
                &self.params
            }
        }

        impl fmt::Display for $ty<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.scheme, self.params)
            }
        }
    };
}

scheme_and_params!(
    /// A challenge (RFC 3261 §25.1 `challenge`): `Digest realm="atlanta.com",
    /// nonce="84a4cc6f3082121f32b42a2187831a9e", qop="auth"`.
    Challenge, "challenge"
);
scheme_and_params!(
    /// Credentials (RFC 3261 §25.1 `credentials`): `Digest username="bob",
    /// realm="biloxi.com", nonce="…", uri="sip:bob@biloxi.com", response="…"`.
    /// Any scheme parses (RFC 4475 §3.3.16: a registrar answers an unknown one
    /// with a new challenge).
    Credentials, "credentials"
);

macro_rules! wrapper_header {
    ($(#[$doc:meta])* $ty:ident($inner:ident), $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty<'a>(pub $inner<'a>);

        impl<'a> $ty<'a> {
            /// A copy that owns its text.
            pub fn into_owned(self) -> $ty<'static> {
                $ty(self.0.into_owned())
            }
        }

        impl<'a> Deref for $ty<'a> {
            type Target = $inner<'a>;
            fn deref(&self) -> &$inner<'a> {
                &self.0
            }
        }

        impl<'a> TypedHeader<'a> for $ty<'a> {
            const NAME: HeaderName = HeaderName::$name;

            fn parse(value: &'a str) -> Result<Self, SyntaxError> {
                $inner::parse(value).map(Self)
            }
        }

        impl fmt::Display for $ty<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

wrapper_header!(
    /// WWW-Authenticate (RFC 3261 §20.44): a UAS's or registrar's challenge,
    /// in a 401.
    WwwAuthenticate(Challenge), WwwAuthenticate
);
wrapper_header!(
    /// Proxy-Authenticate (RFC 3261 §20.27): a proxy's challenge, in a 407.
    ProxyAuthenticate(Challenge), ProxyAuthenticate
);
wrapper_header!(
    /// Authorization (RFC 3261 §20.7): credentials for a UAS or registrar.
    Authorization(Credentials), Authorization
);
wrapper_header!(
    /// Proxy-Authorization (RFC 3261 §20.28): credentials for a proxy.
    ProxyAuthorization(Credentials), ProxyAuthorization
);

/// Authentication-Info (RFC 3261 §20.6): `ainfo *(COMMA ainfo)` — `nextnonce`,
/// `qop`, `rspauth`, `cnonce`, `nc` — with no scheme.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AuthenticationInfo<'a>(pub AuthParams<'a>);

impl<'a> AuthenticationInfo<'a> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> AuthenticationInfo<'static> {
        AuthenticationInfo(self.0.into_owned())
    }
}

impl<'a> Deref for AuthenticationInfo<'a> {
    type Target = AuthParams<'a>;
    fn deref(&self) -> &AuthParams<'a> {
        &self.0
    }
}

impl<'a> TypedHeader<'a> for AuthenticationInfo<'a> {
    const NAME: HeaderName = HeaderName::AuthenticationInfo;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        s.skip_lws();
        let params = AuthParams::parse(&mut s)?;
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text in Authentication-Info"));
        }
        Ok(Self(params))
    }
}

impl fmt::Display for AuthenticationInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::assert_round_trip as round_trip;

    #[test]
    fn rfc3261_challenge() {
        // RFC 3261 §20.44 / §22.4 (RFC 3665 §3.1 message F2).
        let v = "Digest realm=\"atlanta.com\",\r\n domain=\"sip:boxesbybob.com\", qop=\"auth\",\r\n \
                 nonce=\"f84f1cec41e6cbe5aea9c8e88d359\",\r\n opaque=\"\", stale=FALSE, algorithm=MD5";
        let h = WwwAuthenticate::parse(v).unwrap();
        assert!(h.is_digest());
        assert_eq!(h.realm().as_deref(), Some("atlanta.com"));
        assert_eq!(h.domain().as_deref(), Some("sip:boxesbybob.com"));
        assert_eq!(h.nonce().as_deref(), Some("f84f1cec41e6cbe5aea9c8e88d359"));
        assert_eq!(h.opaque().as_deref(), Some(""));
        assert_eq!(h.stale(), Some(false));
        assert_eq!(h.algorithm().as_deref(), Some("MD5"));
        assert_eq!(h.qop_options().collect::<Vec<_>>(), ["auth"]);
        assert_eq!(h.to_string(), v);
        round_trip(&h);
        let p = ProxyAuthenticate::parse(v).unwrap();
        assert_eq!(p.0, h.0);
    }

    #[test]
    fn qop_options_list() {
        let h =
            WwwAuthenticate::parse(r#"Digest realm="x", qop="auth,auth-int", stale=true"#).unwrap();
        assert_eq!(h.qop_options().collect::<Vec<_>>(), ["auth", "auth-int"]);
        assert_eq!(h.stale(), Some(true));
        let none = WwwAuthenticate::parse(r#"Digest realm="x""#).unwrap();
        assert_eq!(none.qop_options().count(), 0);
        assert_eq!(none.stale(), None);
    }

    #[test]
    fn rfc3261_credentials() {
        // RFC 3261 §20.7.
        let v = "Digest username=\"Alice\", realm=\"atlanta.com\",\r\n \
                 nonce=\"84a4cc6f3082121f32b42a2187831a9e\",\r\n \
                 response=\"7587245234b3434cc3412213e5f113a5432\"";
        let h = Authorization::parse(v).unwrap();
        assert_eq!(h.username().as_deref(), Some("Alice"));
        assert_eq!(
            h.response().as_deref(),
            Some("7587245234b3434cc3412213e5f113a5432")
        );
        assert_eq!(h.uri(), None);
        round_trip(&h);
        // RFC 3665 §2.1 F3, with qop, nc and cnonce.
        let v = "Digest username=\"bob\", realm=\"biloxi.example.com\", \
                 nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", opaque=\"\", \
                 uri=\"sips:ss2.biloxi.example.com\", \
                 response=\"dfe56131d1958046689d83306477ecc\", qop=auth, nc=0000000a, \
                 cnonce=\"0a4f113b\"";
        let h = ProxyAuthorization::parse(v).unwrap();
        assert_eq!(h.uri().as_deref(), Some("sips:ss2.biloxi.example.com"));
        assert_eq!(h.qop().as_deref(), Some("auth"));
        assert_eq!(h.nc(), Some(10));
        assert_eq!(h.cnonce().as_deref(), Some("0a4f113b"));
        round_trip(&h);
    }

    #[test]
    fn unknown_scheme_parses() {
        // RFC 4475 §3.3.16 regaut01.
        let h = Authorization::parse("NoOneKnowsThisScheme opaque-data=here").unwrap();
        assert_eq!(h.scheme, "NoOneKnowsThisScheme");
        assert!(!h.is_digest());
        assert_eq!(h.get("OPAQUE-DATA"), Some("here"));
        assert_eq!(h.iter().count(), 1);
        round_trip(&h);
    }

    #[test]
    fn authentication_info() {
        // RFC 3261 §20.6.
        let h = AuthenticationInfo::parse(r#"nextnonce="47364c23432d2e131a5fb210812c""#).unwrap();
        assert_eq!(
            h.nextnonce().as_deref(),
            Some("47364c23432d2e131a5fb210812c")
        );
        round_trip(&h);
        let h = AuthenticationInfo::parse(
            r#"qop=auth, rspauth="6629fae49393a05397450978507c4ef1", cnonce="0a4f113b", nc=00000001"#,
        )
        .unwrap();
        assert_eq!(
            h.rspauth().as_deref(),
            Some("6629fae49393a05397450978507c4ef1")
        );
        assert_eq!(h.nc(), Some(1));
        round_trip(&h);
    }

    #[test]
    fn quoted_commas_and_escapes() {
        let h = WwwAuthenticate::parse(r#"Digest realm="a, \"b\"", nonce="n""#).unwrap();
        assert_eq!(h.realm().as_deref(), Some(r#"a, "b""#));
        assert_eq!(h.nonce().as_deref(), Some("n"));
        assert_eq!(h.iter().count(), 2);
    }

    #[test]
    fn build() {
        let mut c = Challenge::new("Digest");
        c.push("realm", "x", true);
        c.push("nonce", "y", true);
        c.push("algorithm", "MD5", false);
        assert_eq!(
            c.to_string(),
            r#"Digest realm="x", nonce="y", algorithm=MD5"#
        );
        let h = WwwAuthenticate(c);
        round_trip(&h);
        let mut c = Credentials::new("Digest");
        c.push("username", "a \"quoted\" \\ name\r\n", true);
        assert_eq!(c.username().as_deref(), Some("a \"quoted\" \\ name  "));
        round_trip(&Authorization(c.clone()));
        let owned = Authorization(c).into_owned();
        assert!(owned.is_digest());
    }

    #[test]
    fn invalid() {
        for v in [
            "",
            "Digest",
            "Digest ",
            "Digest realm",
            "Digest realm=",
            "Digest realm=\"open",
            "Digest realm=\"x\",",
            "Digest realm=\"x\",, nonce=\"y\"",
            "Digest realm=\"x\" nonce=\"y\"",
            "Digest realm=a b",
            "Digest=realm",
            "Digest realm=<x>",
            "Digest realm=\"x\", Digest realm=\"y\"",
            "Dig\u{e9}st realm=x",
            "Digest realm=\u{e9}",
        ] {
            assert!(WwwAuthenticate::parse(v).is_err(), "{v:?}");
            assert!(Authorization::parse(v).is_err(), "{v:?}");
        }
        for v in ["", "nextnonce", "nextnonce=", "a=b c", "=x", "a=b,"] {
            assert!(AuthenticationInfo::parse(v).is_err(), "{v:?}");
        }
    }

    #[test]
    fn nc_must_be_hex() {
        for (v, nc) in [
            ("nc=zz", None),
            ("nc=123456789", None),
            ("nc=+1", None),
            ("nc=ffffffff", Some(u32::MAX)),
        ] {
            assert_eq!(AuthenticationInfo::parse(v).unwrap().nc(), nc, "{v}");
        }
    }
}
