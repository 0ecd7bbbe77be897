//! Headers whose values are lists of tokens (RFC 3261 §25.1): Allow, Supported,
//! Require, Proxy-Require, Unsupported, Allow-Events (RFC 6665),
//! Content-Encoding, Content-Language, Accept-Encoding, Accept-Language, and the
//! single-token Priority.
//!
//! An empty Allow, Supported, Accept-Encoding or Accept-Language header is
//! legal (it says "none"); [`Message::parse`](crate::Message::parse) accepts it
//! and iterating its values gives nothing.

use std::borrow::Cow;
use std::fmt;

use super::address::parse_qvalue;
use super::{HeaderName, TypedHeader, check_param};
use crate::error::SyntaxError;
use crate::message::Method;
use crate::params::Params;
use crate::scan::{self, Scanner};

/// Whether `s` is an `event-type` (RFC 6665 §8.4: `event-package *( "."
/// event-template )`, each a non-empty `token-nodot`).
pub(crate) fn is_event_type(s: &str) -> bool {
    scan::is_token_str(s) && s.split('.').all(|p| !p.is_empty())
}

/// Whether `s` is a language tag: `1*8ALPHA *( "-" 1*8ALPHA )` (RFC 3261
/// §20.13), with digits allowed in subtags as RFC 5646 does (`es-419`).
fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

token_header!(
    /// One Supported option tag (RFC 3261 §20.37): an extension the sender
    /// understands (`100rel`, `timer`, `replaces`, …).
    Supported, Supported, true, true, scan::is_token_str, "expected option tag"
);
token_header!(
    /// One Require option tag (RFC 3261 §20.32): an extension the UAS must
    /// understand, or answer 420.
    Require, Require, true, false, scan::is_token_str, "expected option tag"
);
token_header!(
    /// One Proxy-Require option tag (RFC 3261 §20.29).
    ProxyRequire, ProxyRequire, true, false, scan::is_token_str, "expected option tag"
);
token_header!(
    /// One Unsupported option tag (RFC 3261 §20.40), listed in a 420.
    Unsupported, Unsupported, true, false, scan::is_token_str, "expected option tag"
);
token_header!(
    /// One Allow-Events event type (RFC 6665 §8.2.2): `presence`,
    /// `dialog`, `message-summary`, `presence.winfo`.
    AllowEvents, AllowEvents, true, false, is_event_type, "expected event type"
);
token_header!(
    /// One Content-Encoding content coding (RFC 3261 §20.12): `gzip`.
    ContentEncoding, ContentEncoding, true, false, scan::is_token_str, "expected content coding"
);
token_header!(
    /// One Content-Language language tag (RFC 3261 §20.13): `fr`, `en-US`.
    ContentLanguage, ContentLanguage, true, false, is_language_tag, "expected language tag"
);
token_header!(
    /// Priority (RFC 3261 §20.26): `emergency`, `urgent`, `normal`,
    /// `non-urgent` or another token. A single value, not a list.
    Priority, Priority, false, false, scan::is_token_str, "expected priority"
);

/// One Allow entry (RFC 3261 §20.5): a method the sender supports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Allow<'a>(pub Method<'a>);

impl Allow<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> Allow<'static> {
        Allow(self.0.into_owned())
    }
}

impl<'a> TypedHeader<'a> for Allow<'a> {
    const NAME: HeaderName = HeaderName::Allow;
    const LIST: bool = true;
    const ALLOW_EMPTY: bool = true;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let v = scan::trim_lws(value);
        if !scan::is_token_str(v) {
            return Err(SyntaxError::new("expected method", 0));
        }
        Ok(Self(Method::parse(v)))
    }
}

impl fmt::Display for Allow<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Parses `value *(SEMI accept-param)` where `value` satisfies `check`, and
/// checks that any `q` parameter is a qvalue.
fn parse_with_accept_params<'a>(
    value: &'a str,
    check: fn(&str) -> bool,
    what: &'static str,
) -> Result<(&'a str, Params<'a>), SyntaxError> {
    let mut s = Scanner::new(value);
    s.skip_lws();
    let start = s.pos();
    let v = s.take_while(scan::is_token);
    if !check(v) {
        return Err(SyntaxError::new(what, start));
    }
    let at = s.pos();
    let params = Params::parse_header(&mut s)?;
    check_param(
        &params,
        "q",
        |q| parse_qvalue(q).is_some(),
        "invalid q value",
        at,
    )?;
    s.skip_lws();
    if !s.is_empty() {
        return Err(s.error("unexpected text after parameters"));
    }
    Ok((v, params))
}

/// One Accept-Encoding entry (RFC 3261 §20.2): a content coding or `*`, with
/// an optional preference `q`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AcceptEncoding<'a> {
    /// The coding (`gzip`, `identity`, `*`), as written.
    pub coding: Cow<'a, str>,
    /// accept-params (`q`, others).
    pub params: Params<'a>,
}

impl<'a> AcceptEncoding<'a> {
    /// An entry for `coding` without parameters.
    pub fn new(coding: &str) -> Self {
        Self {
            coding: Cow::Owned(coding.to_owned()),
            params: Params::new(),
        }
    }

    /// The `q` preference in thousandths, if present.
    pub fn q(&self) -> Option<u16> {
        parse_qvalue(self.params.get("q")??)
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> AcceptEncoding<'static> {
        AcceptEncoding {
            coding: Cow::Owned(self.coding.into_owned()),
            params: self.params.into_owned(),
        }
    }
}

impl<'a> TypedHeader<'a> for AcceptEncoding<'a> {
    const NAME: HeaderName = HeaderName::AcceptEncoding;
    const LIST: bool = true;
    const ALLOW_EMPTY: bool = true;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let (coding, params) =
            parse_with_accept_params(value, scan::is_token_str, "expected content coding")?;
        Ok(Self {
            coding: Cow::Borrowed(coding),
            params,
        })
    }
}

impl fmt::Display for AcceptEncoding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.coding, self.params)
    }
}

/// One Accept-Language entry (RFC 3261 §20.3): a language range (`da`,
/// `en-gb`, `*`) with an optional preference `q`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AcceptLanguage<'a> {
    /// The language range, as written.
    pub range: Cow<'a, str>,
    /// accept-params (`q`, others).
    pub params: Params<'a>,
}

impl<'a> AcceptLanguage<'a> {
    /// An entry for `range` without parameters.
    pub fn new(range: &str) -> Self {
        Self {
            range: Cow::Owned(range.to_owned()),
            params: Params::new(),
        }
    }

    /// The `q` preference in thousandths, if present.
    pub fn q(&self) -> Option<u16> {
        parse_qvalue(self.params.get("q")??)
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> AcceptLanguage<'static> {
        AcceptLanguage {
            range: Cow::Owned(self.range.into_owned()),
            params: self.params.into_owned(),
        }
    }
}

impl<'a> TypedHeader<'a> for AcceptLanguage<'a> {
    const NAME: HeaderName = HeaderName::AcceptLanguage;
    const LIST: bool = true;
    const ALLOW_EMPTY: bool = true;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let (range, params) = parse_with_accept_params(
            value,
            |r| r == "*" || is_language_tag(r),
            "expected language range",
        )?;
        Ok(Self {
            range: Cow::Borrowed(range),
            params,
        })
    }
}

impl fmt::Display for AcceptLanguage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.range, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{assert_round_trip, parse_line, validate};

    fn all<'a, H: TypedHeader<'a> + 'a>(v: &'a str) -> Vec<H> {
        parse_line::<H>(v).collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn allow() {
        // RFC 3261 §20.5.
        let v: Vec<Allow<'_>> = all("INVITE, ACK, OPTIONS, CANCEL, BYE");
        assert_eq!(v.len(), 5);
        assert_eq!(v[0].0, Method::Invite);
        assert_eq!(v[4].0, Method::Bye);
        let v: Vec<Allow<'_>> = all("INVITE,PRACK , FOO");
        assert_eq!(v[2].0, Method::Extension("FOO".into()));
        for a in &v {
            assert_round_trip(a);
        }
        assert!(Allow::parse("IN VITE").is_err());
        assert!(Allow::parse("INVITE;x").is_err());
        assert!(Allow::parse("").is_err());
    }

    #[test]
    fn empty_lists_are_legal() {
        for name in [
            HeaderName::Allow,
            HeaderName::Supported,
            HeaderName::AcceptEncoding,
            HeaderName::AcceptLanguage,
            HeaderName::Accept,
        ] {
            assert_eq!(validate(name, ""), Ok(()), "{name}");
            assert_eq!(validate(name, "  "), Ok(()), "{name}");
        }
        // Lists whose grammar needs at least one element.
        for name in [
            HeaderName::Unsupported,
            HeaderName::Require,
            HeaderName::ProxyRequire,
            HeaderName::Via,
            HeaderName::Contact,
            HeaderName::Route,
            HeaderName::AllowEvents,
        ] {
            assert!(validate(name, " ").is_err(), "{name}");
        }
        assert_eq!(all::<Supported<'_>>("").len(), 0);
    }

    #[test]
    fn option_tags() {
        // RFC 4475 §3.3.7 bext01.
        let v: Vec<Require<'_>> = all("nothingSupportsThis, nothingSupportsThisEither");
        assert_eq!(v[1].as_str(), "nothingSupportsThisEither");
        let v: Vec<ProxyRequire<'_>> = all("noProxiesSupportThis, norDoAnyProxiesSupportThis");
        assert_eq!(v[0].as_str(), "noProxiesSupportThis");
        let v: Vec<Supported<'_>> = all("100rel, timer,replaces");
        assert_eq!(
            v.iter().map(Supported::as_str).collect::<Vec<_>>(),
            ["100rel", "timer", "replaces"]
        );
        assert_round_trip(&Unsupported::new("foo"));
        assert_round_trip(&v[0].clone().into_owned());
        assert!(Supported::parse("a b").is_err());
        assert!(Require::parse("\"x\"").is_err());
        assert!(validate(HeaderName::Require, "a, b c").is_err());
        assert!(validate(HeaderName::ProxyRequire, "a, <b>").is_err());
    }

    #[test]
    fn allow_events() {
        let v: Vec<AllowEvents<'_>> = all("presence, dialog, presence.winfo, message-summary");
        assert_eq!(v[2].as_str(), "presence.winfo");
        for bad in [".x", "x.", "x..y", "x y", ""] {
            assert!(AllowEvents::parse(bad).is_err(), "{bad:?}");
        }
        assert_round_trip(&v[2]);
    }

    #[test]
    fn encodings_and_languages() {
        let v: Vec<ContentEncoding<'_>> = all("gzip");
        assert_eq!(v[0].as_str(), "gzip");
        let v: Vec<ContentLanguage<'_>> = all("fr, en-US, es-419");
        assert_eq!(v.len(), 3);
        for bad in [
            "",
            "toolongtag",
            "en-",
            "-en",
            "e1",
            "en-toolongtag",
            "en_US",
        ] {
            assert!(ContentLanguage::parse(bad).is_err(), "{bad:?}");
        }
        // RFC 3261 §20.2, §20.3.
        let v: Vec<AcceptEncoding<'_>> = all("gzip;q=0.5, identity, *;q=0");
        assert_eq!(v[0].coding, "gzip");
        assert_eq!(v[0].q(), Some(500));
        assert_eq!(v[1].q(), None);
        assert_eq!(v[2].coding, "*");
        assert_eq!(v[2].q(), Some(0));
        let v: Vec<AcceptLanguage<'_>> = all("da, en-gb;q=0.8, en;q=0.7, *");
        assert_eq!(v[1].range, "en-gb");
        assert_eq!(v[1].q(), Some(800));
        assert_eq!(v[3].range, "*");
        for e in &v {
            assert_round_trip(e);
        }
        assert_round_trip(&AcceptEncoding::new("gzip"));
        assert_round_trip(&AcceptLanguage::new("en").into_owned());
        assert!(AcceptEncoding::parse("gzip;q=2").is_err());
        assert!(AcceptEncoding::parse("gzip;q").is_err());
        assert!(AcceptLanguage::parse("en;q=0.1234").is_err());
        assert!(AcceptLanguage::parse("en gb").is_err());
        assert!(AcceptLanguage::parse("**").is_err());
        assert!(AcceptEncoding::parse(";q=1").is_err());
    }

    #[test]
    fn priority() {
        let p = Priority::parse("emergency").unwrap();
        assert_eq!(p.as_str(), "emergency");
        assert_round_trip(&p);
        assert!(Priority::parse("urgent, normal").is_err());
        assert!(validate(HeaderName::Priority, "").is_err());
    }
}
