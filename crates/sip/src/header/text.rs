//! Headers of descriptive text and single tokens: User-Agent (RFC 3261
//! §20.41), Server (§20.35), Subject (§20.36), Organization (§20.25), SIP-ETag
//! and SIP-If-Match (RFC 3903 §11.3), and Content-Disposition (RFC 3261
//! §20.11).
//!
//! Subject and Organization are free text (`[TEXT-UTF8-TRIM]`): any value,
//! empty included, is accepted, and [`Message::parse`](crate::Message::parse)
//! does not check them.

use std::borrow::Cow;
use std::fmt;

use super::{HeaderName, TypedHeader};
use crate::error::SyntaxError;
use crate::params::Params;
use crate::scan::{self, Scanner};

/// Whether `v` is text a header line may carry: no control characters other
/// than HTAB and the CR LF of a folded line.
fn is_text(v: &str) -> bool {
    v.bytes()
        .all(|b| !b.is_ascii_control() || matches!(b, b'\t' | b'\r' | b'\n'))
}

macro_rules! text_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident, $non_empty:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty<'a>(pub Cow<'a, str>);

        impl<'a> $ty<'a> {
            /// A value holding `text`; control characters other than HTAB
            /// become spaces, so that it cannot end the header line.
            pub fn new(text: &str) -> Self {
                let clean: String = text
                    .chars()
                    .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
                    .collect();
                Self(Cow::Owned(scan::trim_lws(&clean).to_owned()))
            }

            /// The text as written.
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

            fn parse(value: &'a str) -> Result<Self, SyntaxError> {
                let v = scan::trim_lws(value);
                if $non_empty && v.is_empty() {
                    return Err(SyntaxError::new(concat!("empty ", stringify!($ty)), 0));
                }
                if !is_text(v) {
                    return Err(SyntaxError::new("control character in text", 0));
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

text_header!(
    /// User-Agent (RFC 3261 §20.41): the software of the UAC, kept as written
    /// (`Softphone Beta1.5`, `SIPimp.org/0.2.5 (curses)`). Any non-empty text
    /// is accepted, as implementations stray from the `server-val` grammar.
    UserAgent, UserAgent, true
);
text_header!(
    /// Server (RFC 3261 §20.35): the software of the UAS, kept as written
    /// (`HomeServer v2`). Any non-empty text is accepted.
    Server, Server, true
);
text_header!(
    /// Subject (RFC 3261 §20.36): the topic of the call; free text, possibly
    /// empty.
    Subject, Subject, false
);
text_header!(
    /// Organization (RFC 3261 §20.25): the sender's organization; free text,
    /// possibly empty.
    Organization, Organization, false
);

impl UserAgent<'_> {
    /// The first product and its version (`SIPimp.org`, `Some("0.2.5")`), if
    /// the value starts with one (RFC 3261 §25.1 `product = token [SLASH
    /// product-version]`).
    pub fn product(&self) -> Option<(&str, Option<&str>)> {
        first_product(&self.0)
    }
}

impl Server<'_> {
    /// The first product and its version, as for [`UserAgent::product`].
    pub fn product(&self) -> Option<(&str, Option<&str>)> {
        first_product(&self.0)
    }
}

fn first_product(v: &str) -> Option<(&str, Option<&str>)> {
    let mut s = Scanner::new(v);
    let name = s.token("").ok()?;
    if s.eat_separator(b'/') {
        Some((name, s.token("").ok()))
    } else {
        Some((name, None))
    }
}

token_header!(
    /// SIP-ETag (RFC 3903 §11.3.1): the entity-tag an event state compositor
    /// gives the state a PUBLISH created or refreshed.
    SipETag, SipETag, false, false, scan::is_token_str, "expected entity-tag"
);
token_header!(
    /// SIP-If-Match (RFC 3903 §11.3.2): the entity-tag a PUBLISH refreshes,
    /// modifies or removes.
    SipIfMatch, SipIfMatch, false, false, scan::is_token_str, "expected entity-tag"
);

/// Content-Disposition (RFC 3261 §20.11): how to interpret the body —
/// `session`, `render`, `icon`, `alert`, or another token — and whether it
/// must be understood (`handling`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentDisposition<'a> {
    /// The disposition type, as written.
    pub kind: Cow<'a, str>,
    /// disp-params (`handling`, others).
    pub params: Params<'a>,
}

impl<'a> ContentDisposition<'a> {
    /// A disposition of `kind` (`session`, `render`) without parameters.
    pub fn new(kind: &str) -> Self {
        Self {
            kind: Cow::Owned(kind.to_owned()),
            params: Params::new(),
        }
    }

    /// Whether the type is `kind` (case-insensitive).
    pub fn is(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }

    /// The `handling` parameter (`optional`, `required`, or another token).
    pub fn handling(&self) -> Option<&str> {
        self.params.get("handling").flatten()
    }

    /// Whether the receiver must understand the body to process the message:
    /// true unless `handling=optional` — RFC 3261 §20.11 makes `required` the
    /// default when the parameter is absent. An unknown handling value counts
    /// as required.
    pub fn is_required(&self) -> bool {
        !self
            .handling()
            .is_some_and(|h| h.eq_ignore_ascii_case("optional"))
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> ContentDisposition<'static> {
        ContentDisposition {
            kind: Cow::Owned(self.kind.into_owned()),
            params: self.params.into_owned(),
        }
    }
}

impl<'a> TypedHeader<'a> for ContentDisposition<'a> {
    const NAME: HeaderName = HeaderName::ContentDisposition;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        s.skip_lws();
        let kind = s.token("expected disposition type")?;
        let at = s.pos();
        let params = Params::parse_header(&mut s)?;
        super::check_param(
            &params,
            "handling",
            scan::is_token_str,
            "invalid handling parameter",
            at,
        )?;
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text in Content-Disposition"));
        }
        Ok(Self {
            kind: Cow::Borrowed(kind),
            params,
        })
    }
}

impl fmt::Display for ContentDisposition<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.kind, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{assert_round_trip, validate};

    #[test]
    fn user_agent_and_server() {
        // RFC 3261 §20.41, §20.35; RFC 4475 §3.1.1.11 mpart01.
        let u = UserAgent::parse("Softphone Beta1.5").unwrap();
        assert_eq!(u.product(), Some(("Softphone", None)));
        assert_round_trip(&u);
        let u = UserAgent::parse("SIPimp.org/0.2.5 (curses)").unwrap();
        assert_eq!(u.product(), Some(("SIPimp.org", Some("0.2.5"))));
        let s = Server::parse("HomeServer v2").unwrap();
        assert_eq!(s.as_str(), "HomeServer v2");
        assert_round_trip(&s);
        // Lenient: text outside the grammar is kept.
        let u = UserAgent::parse("(comment first) \u{e9}t\u{e9} [x] <y>").unwrap();
        assert_eq!(u.product(), None);
        assert_round_trip(&u);
        assert_round_trip(&UserAgent::new(" ferrosip/0.1\r\n").into_owned());
        assert_eq!(UserAgent::new("a\nb").as_str(), "a b");
        assert!(UserAgent::parse("").is_err());
        assert!(Server::parse("  ").is_err());
        assert!(UserAgent::parse("nul\u{0}").is_err());
        assert!(validate(HeaderName::UserAgent, "").is_err());
    }

    #[test]
    fn free_text() {
        // RFC 3261 §20.36, §20.25.
        let s = Subject::parse("Need more boxes").unwrap();
        assert_eq!(s.as_str(), "Need more boxes");
        assert_round_trip(&s);
        assert_eq!(Subject::parse("").unwrap().as_str(), "");
        assert_round_trip(&Organization::parse("Boxes by Bob").unwrap());
        assert_round_trip(&Organization::new("").into_owned());
        // Not checked by Message::parse.
        assert_eq!(validate(HeaderName::Subject, "\u{1}"), Ok(()));
        assert_eq!(validate(HeaderName::Organization, ""), Ok(()));
    }

    #[test]
    fn entity_tags() {
        // RFC 3903 §11.3, and the flow of §7.
        let e = SipETag::parse("dx200xyz").unwrap();
        assert_eq!(e.as_str(), "dx200xyz");
        assert_round_trip(&e);
        let m = SipIfMatch::parse(" kwj449x ").unwrap();
        assert_eq!(m.as_str(), "kwj449x");
        assert_round_trip(&m.into_owned());
        assert_round_trip(&SipETag::new("abc"));
        for v in ["", "a b", "\"a\"", "a,b", "a;b"] {
            assert!(SipETag::parse(v).is_err(), "{v:?}");
            assert!(SipIfMatch::parse(v).is_err(), "{v:?}");
        }
    }

    #[test]
    fn content_disposition() {
        // RFC 3261 §20.11.
        let d = ContentDisposition::parse("session").unwrap();
        assert!(d.is("SESSION"));
        assert_eq!(d.handling(), None);
        assert!(d.is_required());
        assert_round_trip(&d);
        let d = ContentDisposition::parse("session;handling=optional").unwrap();
        assert!(!d.is_required());
        assert_round_trip(&d);
        let d = ContentDisposition::parse("render ; handling = required").unwrap();
        assert_eq!(d.handling(), Some("required"));
        assert!(d.is_required());
        let d = ContentDisposition::parse("signal;handling=unknown-value").unwrap();
        assert!(d.is_required());
        let mut b = ContentDisposition::new("icon");
        b.params.push("handling", Some("optional"));
        assert_eq!(b.to_string(), "icon;handling=optional");
        assert_round_trip(&b.into_owned());
        for v in [
            "",
            ";handling=optional",
            "session;handling",
            "session;handling=\"optional\"",
            "session render",
            "session;",
        ] {
            assert!(ContentDisposition::parse(v).is_err(), "{v:?}");
        }
    }
}
