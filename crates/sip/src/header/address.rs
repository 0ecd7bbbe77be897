//! Headers whose values are addresses: From, To, Contact, Route, Record-Route,
//! Path, Service-Route, Refer-To, Referred-By, Reply-To, P-Asserted-Identity,
//! P-Preferred-Identity.

use std::fmt;
use std::ops::{Deref, DerefMut};

use super::{HeaderName, TypedHeader};
use crate::address::{Address, AddressForm};
use crate::error::SyntaxError;
use crate::scan;

macro_rules! address_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident, $form:ident, $list:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty<'a>(pub Address<'a>);

        impl<'a> $ty<'a> {
            /// A copy that owns its text.
            pub fn into_owned(self) -> $ty<'static> {
                $ty(self.0.into_owned())
            }
        }

        impl<'a> Deref for $ty<'a> {
            type Target = Address<'a>;
            fn deref(&self) -> &Address<'a> {
                &self.0
            }
        }

        impl<'a> DerefMut for $ty<'a> {
            fn deref_mut(&mut self) -> &mut Address<'a> {
                &mut self.0
            }
        }

        impl<'a> TypedHeader<'a> for $ty<'a> {
            const NAME: HeaderName = HeaderName::$name;
            const LIST: bool = $list;

            fn parse(value: &'a str) -> Result<Self, SyntaxError> {
                Address::parse_form(value, AddressForm::$form).map(Self)
            }
        }

        impl fmt::Display for $ty<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

address_header!(
    /// From (RFC 3261 §20.20).
    FromHeader, From, Any, false
);
address_header!(
    /// To (RFC 3261 §20.39).
    ToHeader, To, Any, false
);
address_header!(
    /// One Route entry (RFC 3261 §20.34).
    Route, Route, NameAddrOnly, true
);
address_header!(
    /// One Record-Route entry (RFC 3261 §20.30).
    RecordRoute, RecordRoute, NameAddrOnly, true
);
address_header!(
    /// One Path entry (RFC 3327).
    Path, Path, NameAddrOnly, true
);
address_header!(
    /// One Service-Route entry (RFC 3608).
    ServiceRoute, ServiceRoute, NameAddrOnly, true
);
address_header!(
    /// Refer-To (RFC 3515 §2.1).
    ReferTo, ReferTo, Any, false
);
address_header!(
    /// Referred-By (RFC 3892).
    ReferredBy, ReferredBy, Any, false
);
address_header!(
    /// Reply-To (RFC 3261 §20.31).
    ReplyTo, ReplyTo, Any, false
);
address_header!(
    /// One P-Asserted-Identity entry (RFC 3325 §9.1).
    PAssertedIdentity, PAssertedIdentity, Any, true
);
address_header!(
    /// One P-Preferred-Identity entry (RFC 3325 §9.2).
    PPreferredIdentity, PPreferredIdentity, Any, true
);

/// One Contact value (RFC 3261 §20.10): an address, or `*` in a REGISTER that
/// removes every binding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Contact<'a> {
    /// `*`.
    Wildcard,
    /// An address with its parameters (`q`, `expires`, …).
    Address(Address<'a>),
}

impl<'a> Contact<'a> {
    /// The address, unless this is `*`.
    pub fn address(&self) -> Option<&Address<'a>> {
        match self {
            Self::Wildcard => None,
            Self::Address(a) => Some(a),
        }
    }

    /// The `q` parameter in thousandths (RFC 3261 `qvalue`), if present.
    pub fn q(&self) -> Option<u16> {
        parse_qvalue(self.address()?.params.get("q")??)
    }

    /// The `expires` parameter in seconds, if present.
    pub fn expires(&self) -> Option<u32> {
        super::parse_decimal_u32(self.address()?.params.get("expires")??)
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Contact<'static> {
        match self {
            Self::Wildcard => Contact::Wildcard,
            Self::Address(a) => Contact::Address(a.into_owned()),
        }
    }
}

/// Parses a qvalue (`0[.0-3 digits]` or `1[.0-3 zeros]`) into thousandths.
pub(crate) fn parse_qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

impl<'a> TypedHeader<'a> for Contact<'a> {
    const NAME: HeaderName = HeaderName::Contact;
    const LIST: bool = true;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        if scan::trim_lws(value) == "*" {
            return Ok(Self::Wildcard);
        }
        let a = Address::parse_form(value, AddressForm::Any)?;
        let at = a.params.as_str().as_ptr() as usize - value.as_ptr() as usize;
        super::check_param(
            &a.params,
            "q",
            |q| parse_qvalue(q).is_some(),
            "invalid q parameter",
            at,
        )?;
        super::check_param(
            &a.params,
            "expires",
            |e| super::parse_decimal_u32(e).is_some(),
            "invalid expires parameter",
            at,
        )?;
        Ok(Self::Address(a))
    }
}

impl fmt::Display for Contact<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Wildcard => f.write_str("*"),
            Self::Address(a) => a.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qvalues() {
        assert_eq!(parse_qvalue("0.7"), Some(700));
        assert_eq!(parse_qvalue("1"), Some(1000));
        assert_eq!(parse_qvalue("1.000"), Some(1000));
        assert_eq!(parse_qvalue("1.5"), None);
        assert_eq!(parse_qvalue("0.1234"), None);
        assert_eq!(parse_qvalue("0.05"), Some(50));
        assert_eq!(parse_qvalue("+0.5"), None);
    }

    #[test]
    fn contact_expires_is_bounded() {
        // RFC 4475 §3.1.2.4
        assert!(Contact::parse("<sip:user@host129.example.com>;expires=280297596632815").is_err());
        let c = Contact::parse("<sip:a@b>;expires=3600;q=0.5").unwrap();
        assert_eq!(c.expires(), Some(3600));
        assert_eq!(c.q(), Some(500));
        assert_eq!(Contact::parse(" * ").unwrap(), Contact::Wildcard);
        assert!(Contact::parse("<sip:a@b>;expires=+5").is_err());
        let err = Contact::parse("<sip:a@b>;q=2").unwrap_err();
        assert_eq!(err.offset(), 9);
    }
}
