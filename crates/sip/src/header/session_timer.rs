//! Session timers (RFC 4028 §4, grammar in §4 and §5): Session-Expires and
//! Min-SE.

use std::fmt;

use super::{HeaderName, TypedHeader, check_param};
use crate::error::SyntaxError;
use crate::params::Params;
use crate::scan::Scanner;

/// Which side refreshes the session (RFC 4028 §4 `refresher-param`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refresher {
    /// `uac`: the side that sent the INVITE or UPDATE.
    Uac,
    /// `uas`: the side that answers it.
    Uas,
}

impl Refresher {
    /// `uac` or `uas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uac => "uac",
            Self::Uas => "uas",
        }
    }

    /// Recognises `uac` or `uas`, case-insensitively.
    pub fn from_token(token: &str) -> Option<Self> {
        if token.eq_ignore_ascii_case("uac") {
            Some(Self::Uac)
        } else if token.eq_ignore_ascii_case("uas") {
            Some(Self::Uas)
        } else {
            None
        }
    }
}

impl fmt::Display for Refresher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses `delta-seconds *(SEMI param)`, returning the params' offset too.
fn parse_delta_and_params(value: &str) -> Result<(u32, Params<'_>, usize), SyntaxError> {
    let mut s = Scanner::new(value);
    s.skip_lws();
    let delta = s.number(u64::from(u32::MAX), "expected delta-seconds")? as u32;
    let at = s.pos();
    let params = Params::parse_header(&mut s)?;
    s.skip_lws();
    if !s.is_empty() {
        return Err(s.error("unexpected text after delta-seconds"));
    }
    Ok((delta, params, at))
}

/// Session-Expires (RFC 4028 §4): the session interval in seconds and who
/// refreshes, `1800;refresher=uac`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionExpires<'a> {
    /// The session interval in seconds.
    pub delta: u32,
    /// se-params (`refresher`, others).
    pub params: Params<'a>,
}

impl<'a> SessionExpires<'a> {
    /// An interval of `delta` seconds, with a `refresher` parameter if given.
    pub fn new(delta: u32, refresher: Option<Refresher>) -> Self {
        let mut params = Params::new();
        if let Some(r) = refresher {
            params.push("refresher", Some(r.as_str()));
        }
        Self { delta, params }
    }

    /// The `refresher` parameter.
    pub fn refresher(&self) -> Option<Refresher> {
        Refresher::from_token(self.params.get("refresher")??)
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> SessionExpires<'static> {
        SessionExpires {
            delta: self.delta,
            params: self.params.into_owned(),
        }
    }
}

impl<'a> TypedHeader<'a> for SessionExpires<'a> {
    const NAME: HeaderName = HeaderName::SessionExpires;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let (delta, params, at) = parse_delta_and_params(value)?;
        check_param(
            &params,
            "refresher",
            |v| Refresher::from_token(v).is_some(),
            "refresher must be uac or uas",
            at,
        )?;
        Ok(Self { delta, params })
    }
}

impl fmt::Display for SessionExpires<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.delta, self.params)
    }
}

/// Min-SE (RFC 4028 §5): the smallest session interval the sender accepts, in
/// seconds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MinSe<'a> {
    /// The minimum interval in seconds (RFC 4028 §4: never below 90).
    pub delta: u32,
    /// generic-params.
    pub params: Params<'a>,
}

impl<'a> MinSe<'a> {
    /// A minimum of `delta` seconds.
    pub fn new(delta: u32) -> Self {
        Self {
            delta,
            params: Params::new(),
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> MinSe<'static> {
        MinSe {
            delta: self.delta,
            params: self.params.into_owned(),
        }
    }
}

impl<'a> TypedHeader<'a> for MinSe<'a> {
    const NAME: HeaderName = HeaderName::MinSe;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let (delta, params, _) = parse_delta_and_params(value)?;
        Ok(Self { delta, params })
    }
}

impl fmt::Display for MinSe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.delta, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::assert_round_trip;

    #[test]
    fn session_expires() {
        // RFC 4028 §4 and the flows of §10.
        let s = SessionExpires::parse("4000;refresher=uac").unwrap();
        assert_eq!(s.delta, 4000);
        assert_eq!(s.refresher(), Some(Refresher::Uac));
        assert_round_trip(&s);
        let s = SessionExpires::parse("1800 ; refresher = UAS ; x").unwrap();
        assert_eq!(s.refresher(), Some(Refresher::Uas));
        assert_round_trip(&s);
        let s = SessionExpires::parse("90").unwrap();
        assert_eq!(s.refresher(), None);
        let built = SessionExpires::new(1800, Some(Refresher::Uas));
        assert_eq!(built.to_string(), "1800;refresher=uas");
        assert_round_trip(&built.into_owned());
        assert_round_trip(&SessionExpires::new(u32::MAX, None));
    }

    #[test]
    fn min_se() {
        // RFC 4028 §5.
        let m = MinSe::parse("3600").unwrap();
        assert_eq!(m.delta, 3600);
        assert_round_trip(&m);
        let m = MinSe::parse("90;lr").unwrap();
        assert_eq!(m.params.get("lr"), Some(None));
        assert_round_trip(&m.into_owned());
        assert_round_trip(&MinSe::new(90));
    }

    #[test]
    fn invalid() {
        for v in [
            "",
            "4294967296",
            "-1",
            "1800;refresher=both",
            "1800;refresher",
            "1800;refresher=\"uac\"",
            "1800 x",
            "1800;",
            "refresher=uac",
            "18.5",
        ] {
            assert!(SessionExpires::parse(v).is_err(), "{v:?}");
        }
        for v in ["", "4294967296", "abc", "90 90", "90;"] {
            assert!(MinSe::parse(v).is_err(), "{v:?}");
        }
    }
}
