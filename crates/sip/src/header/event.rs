//! Event and Subscription-State (RFC 6665 §8.2.1, §8.2.3, grammar in §8.4).

use std::borrow::Cow;
use std::fmt;

use super::tokens::is_event_type;
use super::{HeaderName, TypedHeader, check_param, parse_decimal_u32};
use crate::error::SyntaxError;
use crate::params::Params;
use crate::scan::{self, Scanner};

/// Event (RFC 6665 §8.2.1): `event-type *( SEMI event-param )`, for example
/// `presence;id=1234` or `presence.winfo`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event<'a> {
    /// The event type: an event package, possibly followed by `.template`s.
    pub event_type: Cow<'a, str>,
    /// event-params (`id`, others).
    pub params: Params<'a>,
}

impl<'a> Event<'a> {
    /// An Event of `event_type` (`presence`, `dialog`, `refer`) without
    /// parameters.
    pub fn new(event_type: &str) -> Self {
        Self {
            event_type: Cow::Owned(event_type.to_owned()),
            params: Params::new(),
        }
    }

    /// The event package: the event type up to its first `.`.
    pub fn package(&self) -> &str {
        self.event_type
            .split('.')
            .next()
            .unwrap_or(&self.event_type)
    }

    /// The event templates after the package (`winfo` in `presence.winfo`).
    pub fn templates(&self) -> impl Iterator<Item = &str> {
        self.event_type.split('.').skip(1)
    }

    /// The `id` parameter, which tells apart subscriptions of one dialog.
    pub fn id(&self) -> Option<&str> {
        self.params.get("id").flatten()
    }

    /// Whether two Event values name the same subscription (RFC 6665
    /// §8.2.1): same event type byte for byte, and same `id` (or neither has
    /// one). Other parameters do not count.
    pub fn matches(&self, other: &Event<'_>) -> bool {
        self.event_type == other.event_type && self.id() == other.id()
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Event<'static> {
        Event {
            event_type: Cow::Owned(self.event_type.into_owned()),
            params: self.params.into_owned(),
        }
    }
}

impl<'a> TypedHeader<'a> for Event<'a> {
    const NAME: HeaderName = HeaderName::Event;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        s.skip_lws();
        let start = s.pos();
        let event_type = s.token("expected event type")?;
        if !is_event_type(event_type) {
            return Err(SyntaxError::new("invalid event type", start));
        }
        let at = s.pos();
        let params = Params::parse_header(&mut s)?;
        check_param(
            &params,
            "id",
            scan::is_token_str,
            "invalid id parameter",
            at,
        )?;
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text in Event"));
        }
        Ok(Self {
            event_type: Cow::Borrowed(event_type),
            params,
        })
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.event_type, self.params)
    }
}

/// The state of a subscription (RFC 6665 §8.4 `substate-value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Substate {
    /// `active`: the subscription has been accepted.
    Active,
    /// `pending`: received, but not yet authorized.
    Pending,
    /// `terminated`: over; `reason` says why.
    Terminated,
    /// Any other token (RFC 6665: treated as `active` unless known).
    Extension,
}

impl Substate {
    /// Classifies a substate-value, case-insensitively.
    pub fn from_token(token: &str) -> Self {
        if token.eq_ignore_ascii_case("active") {
            Self::Active
        } else if token.eq_ignore_ascii_case("pending") {
            Self::Pending
        } else if token.eq_ignore_ascii_case("terminated") {
            Self::Terminated
        } else {
            Self::Extension
        }
    }
}

/// Subscription-State (RFC 6665 §8.2.3): `active;expires=3600`,
/// `terminated;reason=timeout`, `pending;retry-after=60`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubscriptionState<'a> {
    /// The substate-value as written.
    pub state: Cow<'a, str>,
    /// subexp-params (`reason`, `expires`, `retry-after`, others).
    pub params: Params<'a>,
}

impl<'a> SubscriptionState<'a> {
    /// A state of `state` (`active`, `pending`, `terminated`) without
    /// parameters.
    pub fn new(state: &str) -> Self {
        Self {
            state: Cow::Owned(state.to_owned()),
            params: Params::new(),
        }
    }

    /// `active;expires=<expires>`.
    pub fn active(expires: u32) -> Self {
        let mut s = Self::new("active");
        s.params.push("expires", Some(&expires.to_string()));
        s
    }

    /// `terminated`, with `;reason=<reason>` if given (`timeout`,
    /// `noresource`, `rejected`, `deactivated`, `giveup`, `probation`,
    /// `invariant`).
    pub fn terminated(reason: Option<&str>) -> Self {
        let mut s = Self::new("terminated");
        if let Some(r) = reason {
            s.params.push("reason", Some(r));
        }
        s
    }

    /// The state, classified.
    pub fn substate(&self) -> Substate {
        Substate::from_token(&self.state)
    }

    /// The `reason` parameter (event-reason-value).
    pub fn reason(&self) -> Option<&str> {
        self.params.get("reason").flatten()
    }

    /// The `expires` parameter in seconds.
    pub fn expires(&self) -> Option<u32> {
        parse_decimal_u32(self.params.get("expires")??)
    }

    /// The `retry-after` parameter in seconds.
    pub fn retry_after(&self) -> Option<u32> {
        parse_decimal_u32(self.params.get("retry-after")??)
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> SubscriptionState<'static> {
        SubscriptionState {
            state: Cow::Owned(self.state.into_owned()),
            params: self.params.into_owned(),
        }
    }
}

impl<'a> TypedHeader<'a> for SubscriptionState<'a> {
    const NAME: HeaderName = HeaderName::SubscriptionState;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        s.skip_lws();
        let state = s.token("expected subscription state")?;
        let at = s.pos();
        let params = Params::parse_header(&mut s)?;
        let is_delta = |v: &str| parse_decimal_u32(v).is_some();
        check_param(
            &params,
            "expires",
            is_delta,
            "invalid expires parameter",
            at,
        )?;
        check_param(
            &params,
            "retry-after",
            is_delta,
            "invalid retry-after parameter",
            at,
        )?;
        check_param(
            &params,
            "reason",
            scan::is_token_str,
            "invalid reason parameter",
            at,
        )?;
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text in Subscription-State"));
        }
        Ok(Self {
            state: Cow::Borrowed(state),
            params,
        })
    }
}

impl fmt::Display for SubscriptionState<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.state, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::assert_round_trip;

    #[test]
    fn event() {
        // RFC 6665 §8.2.1 / RFC 3856 / RFC 3857 examples.
        let e = Event::parse("presence").unwrap();
        assert_eq!(e.package(), "presence");
        assert_eq!(e.id(), None);
        let e = Event::parse("presence.winfo").unwrap();
        assert_eq!(e.package(), "presence");
        assert_eq!(e.templates().collect::<Vec<_>>(), ["winfo"]);
        let e = Event::parse("refer ; id=93809824").unwrap();
        assert_eq!(e.id(), Some("93809824"));
        assert_round_trip(&e);
        let plain = Event::parse("foo; id=1234").unwrap();
        assert!(plain.matches(&Event::parse("foo;param=abcd;id=1234").unwrap()));
        assert!(!plain.matches(&Event::parse("Foo;id=1234").unwrap()));
        assert!(!plain.matches(&Event::parse("foo").unwrap()));
        let mut built = Event::new("dialog");
        built.params.push("id", Some("7"));
        assert_eq!(built.to_string(), "dialog;id=7");
        assert_round_trip(&built.into_owned());
    }

    #[test]
    fn invalid_event() {
        for v in [
            "",
            ".presence",
            "presence.",
            "pres..ence",
            "presence winfo",
            "presence;id",
            "presence;id=\"x\"",
            "presence;",
            "presence, dialog",
            "\"presence\"",
        ] {
            assert!(Event::parse(v).is_err(), "{v:?}");
        }
    }

    #[test]
    fn subscription_state() {
        // RFC 6665 §8.2.3 and the call flows of RFC 3856 / RFC 3515.
        let s = SubscriptionState::parse("active;expires=3600").unwrap();
        assert_eq!(s.substate(), Substate::Active);
        assert_eq!(s.expires(), Some(3600));
        assert_round_trip(&s);
        let s = SubscriptionState::parse("terminated;reason=timeout").unwrap();
        assert_eq!(s.substate(), Substate::Terminated);
        assert_eq!(s.reason(), Some("timeout"));
        let s = SubscriptionState::parse("Pending ; retry-after=4294967295").unwrap();
        assert_eq!(s.substate(), Substate::Pending);
        assert_eq!(s.retry_after(), Some(u32::MAX));
        assert_round_trip(&s);
        let s = SubscriptionState::parse("waiting;x=y").unwrap();
        assert_eq!(s.substate(), Substate::Extension);
        assert_round_trip(&SubscriptionState::active(600));
        assert_eq!(
            SubscriptionState::terminated(Some("noresource")).to_string(),
            "terminated;reason=noresource"
        );
        assert_round_trip(&SubscriptionState::terminated(None).into_owned());
    }

    #[test]
    fn invalid_subscription_state() {
        for v in [
            "",
            ";expires=1",
            "active;expires=4294967296",
            "active;expires=-1",
            "active;expires=+1",
            "active;expires",
            "active;retry-after=1.5",
            "terminated;reason=\"timeout\"",
            "terminated;reason",
            "active expires=1",
        ] {
            assert!(SubscriptionState::parse(v).is_err(), "{v:?}");
        }
    }
}
