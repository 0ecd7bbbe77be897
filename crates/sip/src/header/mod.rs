//! Typed headers.
//!
//! A message keeps every header as the text it arrived as; the types here parse
//! one value of a header on access, borrowing from the message (no allocation for
//! the common headers). Each implements [`TypedHeader`], which ties the type to
//! its [`HeaderName`], says whether the header may carry a comma-separated list
//! (RFC 3261 §7.3.1), and prints the value back with `Display`.
//!
//! ```
//! use sip::header::{TypedHeader, Via};
//!
//! let via = Via::parse("SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds;rport").unwrap();
//! assert_eq!(via.transport, "UDP");
//! assert_eq!(via.branch(), Some("z9hG4bK776asdhds"));
//! assert_eq!(via.rport(), Some(None));
//! ```
//!
//! Values are built with the types' constructors and printed with `Display`:
//!
//! ```
//! use sip::header::{Challenge, Date, TypedHeader, WwwAuthenticate};
//!
//! let mut challenge = Challenge::new("Digest");
//! challenge.push("realm", "atlanta.example.com", true);
//! challenge.push("nonce", "ea9c8e88df84f1cec4341ae6cbe5a359", true);
//! challenge.push("algorithm", "MD5", false);
//! let header = WwwAuthenticate(challenge);
//! assert_eq!(
//!     header.to_string(),
//!     r#"Digest realm="atlanta.example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", algorithm=MD5"#
//! );
//! let text = header.to_string();
//! assert_eq!(WwwAuthenticate::parse(&text).unwrap().realm().as_deref(), Some("atlanta.example.com"));
//!
//! let date = Date::parse("Sat, 13 Nov 2010 23:29:00 GMT").unwrap();
//! assert_eq!(date.unix_time(), Some(1_289_690_940));
//! assert_eq!(Date::from_unix(0).unwrap().to_string(), "Thu, 01 Jan 1970 00:00:00 GMT");
//! ```

/// Defines a header whose value is one token checked by `$check` (a list
/// element when `$list`; may be empty when `$empty`).
macro_rules! token_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident, $list:literal, $empty:literal, $check:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty<'a>(pub Cow<'a, str>);

        impl<'a> $ty<'a> {
            /// A value holding `text`, which must follow the header's grammar
            /// for the header to print as something that parses back.
            pub fn new(text: &str) -> Self {
                Self(Cow::Owned(text.to_owned()))
            }

            /// The value as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// A copy that owns its text.
            pub fn into_owned(self) -> $ty<'static> {
                $ty(Cow::Owned(self.0.into_owned()))
            }
        }

        impl<'a> TypedHeader<'a> for $ty<'a> {
            const NAME: HeaderName = HeaderName::$name;
            const LIST: bool = $list;
            const ALLOW_EMPTY: bool = $empty;

            fn parse(value: &'a str) -> Result<Self, SyntaxError> {
                let v = scan::trim_lws(value);
                let check: fn(&str) -> bool = $check;
                if !check(v) {
                    return Err(SyntaxError::new($what, 0));
                }
                Ok(Self(Cow::Borrowed(v)))
            }
        }

        impl fmt::Display for $ty<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

mod address;
mod auth;
mod call_id;
mod cseq;
mod date;
mod event;
mod media_type;
mod name;
mod numeric;
mod rack;
mod reason;
mod replaces;
mod retry_after;
mod session_timer;
mod text;
mod tokens;
mod via;
mod warning;

use std::fmt;

pub use self::address::{
    Contact, FromHeader, PAssertedIdentity, PPreferredIdentity, Path, RecordRoute, ReferTo,
    ReferredBy, ReplyTo, Route, ServiceRoute, ToHeader,
};
pub use self::auth::{
    AuthParamIter, AuthParams, AuthenticationInfo, Authorization, Challenge, Credentials,
    ProxyAuthenticate, ProxyAuthorization, WwwAuthenticate,
};
pub use self::call_id::CallId;
pub use self::cseq::CSeq;
pub use self::date::{Date, Weekday};
pub use self::event::{Event, SubscriptionState, Substate};
pub use self::media_type::{Accept, ContentType, MediaType};
pub use self::name::HeaderName;
pub use self::numeric::{ContentLength, Expires, MaxForwards, MinExpires, RSeq};
pub use self::rack::RAck;
pub use self::reason::Reason;
pub use self::replaces::Replaces;
pub use self::retry_after::RetryAfter;
pub use self::session_timer::{MinSe, Refresher, SessionExpires};
pub use self::text::{
    ContentDisposition, Organization, Server, SipETag, SipIfMatch, Subject, UserAgent,
};
pub use self::tokens::{
    AcceptEncoding, AcceptLanguage, Allow, AllowEvents, ContentEncoding, ContentLanguage, Priority,
    ProxyRequire, Require, Supported, Unsupported,
};
pub use self::via::Via;
pub use self::warning::Warning;
use crate::error::SyntaxError;
use crate::scan;

/// A header with a typed value.
pub trait TypedHeader<'a>: Sized + fmt::Display {
    /// The header this type is the value of.
    const NAME: HeaderName;
    /// Whether several values may share one header line, separated by commas.
    const LIST: bool = false;
    /// Whether the header may be present with no value at all (Accept, Allow,
    /// Supported and their kin: "I take none").
    const ALLOW_EMPTY: bool = false;

    /// Parses one value (one element of the list, for list headers).
    fn parse(value: &'a str) -> Result<Self, SyntaxError>;
}

/// Parses every value of one header line of type `H`: the elements of a list
/// header, or the single value otherwise.
pub(crate) fn parse_line<'a, H: TypedHeader<'a> + 'a>(
    value: &'a str,
) -> impl Iterator<Item = Result<H, SyntaxError>> + 'a {
    let list = if H::LIST {
        Some(scan::split_list(value).filter(|v| !v.is_empty()))
    } else {
        None
    };
    let single = if H::LIST {
        None
    } else {
        Some(scan::trim_lws(value))
    };
    list.into_iter().flatten().chain(single).map(move |item| {
        // Report offsets relative to the whole header value.
        let offset = item.as_ptr() as usize - value.as_ptr() as usize;
        H::parse(item).map_err(|e| e.shifted(offset))
    })
}

/// Checks the value of a known header against its grammar. Headers whose
/// grammar this crate does not check (free text such as Subject) always pass.
pub(crate) fn validate(name: HeaderName, value: &str) -> Result<(), SyntaxError> {
    fn all<'a, H: TypedHeader<'a> + 'a>(value: &'a str) -> Result<(), SyntaxError> {
        if scan::trim_lws(value).is_empty() {
            return if H::ALLOW_EMPTY {
                Ok(())
            } else {
                Err(SyntaxError::new("empty value", 0))
            };
        }
        for v in parse_line::<H>(value) {
            v?;
        }
        Ok(())
    }
    match name {
        HeaderName::Accept => all::<Accept<'_>>(value),
        HeaderName::AcceptEncoding => all::<AcceptEncoding<'_>>(value),
        HeaderName::AcceptLanguage => all::<AcceptLanguage<'_>>(value),
        HeaderName::Allow => all::<Allow<'_>>(value),
        HeaderName::AllowEvents => all::<AllowEvents<'_>>(value),
        HeaderName::AuthenticationInfo => all::<AuthenticationInfo<'_>>(value),
        HeaderName::Authorization => all::<Authorization<'_>>(value),
        HeaderName::CallId => all::<CallId<'_>>(value),
        HeaderName::Contact => all::<Contact<'_>>(value),
        HeaderName::ContentDisposition => all::<ContentDisposition<'_>>(value),
        HeaderName::ContentEncoding => all::<ContentEncoding<'_>>(value),
        HeaderName::ContentLanguage => all::<ContentLanguage<'_>>(value),
        HeaderName::ContentLength => all::<ContentLength>(value),
        HeaderName::ContentType => all::<ContentType<'_>>(value),
        HeaderName::CSeq => all::<CSeq<'_>>(value),
        HeaderName::Date => all::<Date>(value),
        HeaderName::Event => all::<Event<'_>>(value),
        HeaderName::Expires => all::<Expires>(value),
        HeaderName::From => all::<FromHeader<'_>>(value),
        HeaderName::MaxForwards => all::<MaxForwards>(value),
        HeaderName::MinExpires => all::<MinExpires>(value),
        HeaderName::MinSe => all::<MinSe<'_>>(value),
        HeaderName::PAssertedIdentity => all::<PAssertedIdentity<'_>>(value),
        HeaderName::PPreferredIdentity => all::<PPreferredIdentity<'_>>(value),
        HeaderName::Path => all::<Path<'_>>(value),
        HeaderName::Priority => all::<Priority<'_>>(value),
        HeaderName::ProxyAuthenticate => all::<ProxyAuthenticate<'_>>(value),
        HeaderName::ProxyAuthorization => all::<ProxyAuthorization<'_>>(value),
        HeaderName::ProxyRequire => all::<ProxyRequire<'_>>(value),
        HeaderName::RAck => all::<RAck<'_>>(value),
        HeaderName::Reason => all::<Reason<'_>>(value),
        HeaderName::RecordRoute => all::<RecordRoute<'_>>(value),
        HeaderName::ReferTo => all::<ReferTo<'_>>(value),
        HeaderName::ReferredBy => all::<ReferredBy<'_>>(value),
        HeaderName::Replaces => all::<Replaces<'_>>(value),
        HeaderName::ReplyTo => all::<ReplyTo<'_>>(value),
        HeaderName::Require => all::<Require<'_>>(value),
        HeaderName::RetryAfter => all::<RetryAfter<'_>>(value),
        HeaderName::Route => all::<Route<'_>>(value),
        HeaderName::RSeq => all::<RSeq>(value),
        HeaderName::Server => all::<Server<'_>>(value),
        HeaderName::ServiceRoute => all::<ServiceRoute<'_>>(value),
        HeaderName::SessionExpires => all::<SessionExpires<'_>>(value),
        HeaderName::SipETag => all::<SipETag<'_>>(value),
        HeaderName::SipIfMatch => all::<SipIfMatch<'_>>(value),
        HeaderName::SubscriptionState => all::<SubscriptionState<'_>>(value),
        HeaderName::Supported => all::<Supported<'_>>(value),
        HeaderName::To => all::<ToHeader<'_>>(value),
        HeaderName::Unsupported => all::<Unsupported<'_>>(value),
        HeaderName::UserAgent => all::<UserAgent<'_>>(value),
        HeaderName::Via => all::<Via<'_>>(value),
        HeaderName::Warning => all::<Warning<'_>>(value),
        HeaderName::WwwAuthenticate => all::<WwwAuthenticate<'_>>(value),
        // Free text (Subject, Organization) and headers this crate does not type.
        _ => Ok(()),
    }
}

/// Appends `text` as the inside of a quoted string (RFC 3261 §25.1): `"` and
/// `\` become quoted-pairs, and control characters other than HTAB (line
/// breaks among them) become spaces, so that a value can never end the header
/// line or put control bytes on the wire.
pub(crate) fn push_quoted_inner(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
}

/// `text` as a quoted string, quotes included (see [`push_quoted_inner`]).
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    push_quoted_inner(&mut out, text);
    out.push('"');
    out
}

/// Parses a whole string of `1*DIGIT` (`delta-seconds` of RFC 3261 §25.1, a
/// Reason `cause`) of at most 2³²−1.
pub(crate) fn parse_decimal_u32(v: &str) -> Option<u32> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `parse` rejects values above u32::MAX; digits-only was checked above
    // because `parse` would also take a leading '+'.
    v.parse().ok()
}

/// Checks that parameter `name`, if present, has a value satisfying `ok`.
pub(crate) fn check_param(
    params: &crate::params::Params<'_>,
    name: &str,
    ok: impl Fn(&str) -> bool,
    what: &'static str,
    at: usize,
) -> Result<(), SyntaxError> {
    for (n, v) in params.iter() {
        if n.eq_ignore_ascii_case(name) && !v.is_some_and(&ok) {
            return Err(SyntaxError::new(what, at));
        }
    }
    Ok(())
}

/// Test helper: prints `h`, parses the text back and checks that the result
/// equals `h` (the printed text is leaked so that it outlives the value).
#[cfg(test)]
pub(crate) fn assert_round_trip<'a, H>(h: &H)
where
    H: TypedHeader<'a> + PartialEq + fmt::Debug,
{
    let printed: &'a str = Box::leak(h.to_string().into_boxed_str());
    match H::parse(printed) {
        Ok(again) => assert_eq!(&again, h, "{printed:?}"),
        Err(e) => panic!("{printed:?} does not parse back: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Parses every value of a line as `H`; each value that parses must print
    /// as text that parses back to it.
    fn check<'a, H>(value: &'a str)
    where
        H: TypedHeader<'a> + PartialEq + fmt::Debug + 'a,
    {
        for h in parse_line::<H>(value).flatten() {
            assert_round_trip(&h);
        }
    }

    fn check_all(v: &str) {
        check::<Accept<'_>>(v);
        check::<AcceptEncoding<'_>>(v);
        check::<AcceptLanguage<'_>>(v);
        check::<Allow<'_>>(v);
        check::<AllowEvents<'_>>(v);
        check::<AuthenticationInfo<'_>>(v);
        check::<Authorization<'_>>(v);
        check::<ContentDisposition<'_>>(v);
        check::<ContentEncoding<'_>>(v);
        check::<ContentLanguage<'_>>(v);
        check::<Date>(v);
        check::<Event<'_>>(v);
        check::<MinSe<'_>>(v);
        check::<Organization<'_>>(v);
        check::<Priority<'_>>(v);
        check::<ProxyAuthenticate<'_>>(v);
        check::<ProxyAuthorization<'_>>(v);
        check::<ProxyRequire<'_>>(v);
        check::<RAck<'_>>(v);
        check::<Reason<'_>>(v);
        check::<Replaces<'_>>(v);
        check::<Require<'_>>(v);
        check::<RetryAfter<'_>>(v);
        check::<Server<'_>>(v);
        check::<SessionExpires<'_>>(v);
        check::<SipETag<'_>>(v);
        check::<SipIfMatch<'_>>(v);
        check::<Subject<'_>>(v);
        check::<SubscriptionState<'_>>(v);
        check::<Supported<'_>>(v);
        check::<Unsupported<'_>>(v);
        check::<UserAgent<'_>>(v);
        check::<Warning<'_>>(v);
        check::<WwwAuthenticate<'_>>(v);
        for &name in HeaderName::ALL {
            let _ = validate(name, v);
        }
    }

    /// Pieces of header values, so that random concatenations reach deep into
    /// the grammars; multi-byte characters sit next to every delimiter.
    const PIECES: &[&str] = &[
        "Digest",
        " ",
        "  ",
        "\t",
        "\r\n ",
        "\r\n",
        "\n",
        "realm",
        "nonce",
        "qop",
        "nc",
        "=",
        "\"",
        "\\",
        "x",
        "é",
        "😀",
        ",",
        ";",
        "(",
        ")",
        "@",
        ":",
        ".",
        "/",
        "[",
        "]",
        "::1",
        "[2001:db8::1]",
        "0",
        "1",
        "307",
        "1812",
        "4294967295",
        "4294967296",
        "00000001",
        "Sun",
        "Feb",
        "Nov",
        "06",
        "29",
        "1994",
        "2000",
        "08:49:37",
        "GMT",
        "EST",
        "INVITE",
        "tag",
        "to-tag",
        "from-tag",
        "early-only",
        "id",
        "expires",
        "reason",
        "retry-after",
        "duration",
        "refresher",
        "uac",
        "uas",
        "cause",
        "text",
        "q",
        "0.5",
        "handling",
        "optional",
        "*",
        "-",
        "presence",
        "en",
        "en-US",
        "\u{0}",
        "\u{7f}",
    ];

    fn pieces() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(PIECES), 0..16).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn parsers_never_panic_and_round_trip_on_pieces(v in pieces()) {
            check_all(&v);
        }

        #[test]
        fn parsers_never_panic_on_any_text(v in any::<String>()) {
            check_all(&v);
        }
    }

    #[test]
    fn known_values_round_trip() {
        for v in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Digest realm=\"x\", nonce=\"y\"",
            "307 isi.edu \"x\"",
            "120 (a (b) \\) c);duration=60",
            "abc@host;to-tag=1;from-tag=2;early-only",
            "776656 1 INVITE",
            "SIP;cause=200;text=\"done\"",
            "active;expires=60",
        ] {
            check_all(v);
        }
    }

    /// Checks each header line of an RFC 4475 message on its own.
    fn refused_headers(file: &str) -> Vec<HeaderName> {
        let path = format!("{}/tests/data/rfc4475/{file}", env!("CARGO_MANIFEST_DIR"));
        // The bodies may be binary; the header sections are UTF-8.
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let head = text.split("\r\n\r\n").next().unwrap_or("");
        head.split("\r\n")
            .skip(1)
            .filter_map(|line| {
                let (name, value) = line.split_once(':')?;
                let name = HeaderName::from_name(name.trim())?;
                validate(name, value).is_err().then_some(name)
            })
            .collect()
    }

    #[test]
    fn rfc4475_messages_fail_for_the_right_reasons() {
        // §3.1.2.5: CSeq and Retry-After out of range, a four-digit warn-code.
        assert_eq!(
            refused_headers("scalarlg.dat"),
            [
                HeaderName::CSeq,
                HeaderName::RetryAfter,
                HeaderName::Warning
            ]
        );
        // §3.1.2.14: a Date not in GMT, and nothing else.
        assert_eq!(refused_headers("baddate.dat"), [HeaderName::Date]);
        // Valid messages with headers typed here.
        assert!(refused_headers("mpart01.dat").is_empty());
        assert!(refused_headers("regaut01.dat").is_empty());
        assert!(refused_headers("bext01.dat").is_empty());
    }
}
