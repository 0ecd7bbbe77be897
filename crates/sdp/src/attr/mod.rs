//! Attributes: the raw `a=` line ([`Attribute`], kept in order so what was
//! not understood prints back as it came) and typed views of those calls
//! need, each parsed from and turned into an [`Attribute`]:
//!
//! | attribute | type | RFC |
//! | --- | --- | --- |
//! | `rtpmap` | [`Rtpmap`] | 8866 §6.6 |
//! | `fmtp` | [`Fmtp`] | 8866 §6.15 |
//! | `ptime`, `maxptime` | `u32` accessors | 8866 §6.4, 6.5 |
//! | `sendrecv`, `sendonly`, `recvonly`, `inactive` | [`Direction`] | 8866 §6.7, 3264 |
//! | `rtcp` | [`Rtcp`] | 3605 |
//! | `rtcp-mux` | flag | 5761 |
//! | `mid` | text | 5888 |
//! | `ssrc` | [`Ssrc`] | 5576 |
//! | `crypto` | [`Crypto`] | 4568 |
//! | `candidate` | [`Candidate`] | 8839 |
//! | `ice-ufrag`, `ice-pwd`, `setup`, `fingerprint` | text | 8839, 4145, 8122 |

mod direction;
mod rtp;
mod transport;

use std::fmt;

pub use direction::Direction;
pub use rtp::{Fmtp, Rtpmap};
pub use transport::{Candidate, Crypto, Rtcp, Ssrc};

/// A media format that is an RTP payload type number (0–127).
pub(crate) fn rtp_pt(format: &str) -> Option<u8> {
    rtp::parse_pt(format).ok()
}

/// One `a=` line: `a=name` (a flag) or `a=name:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute name (case-sensitive, as RFC 8866 says).
    pub name: String,
    /// The value after `:`; `None` for a property attribute.
    pub value: Option<String>,
}

impl Attribute {
    /// A property attribute (`a=rtcp-mux`).
    pub fn flag(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: None,
        }
    }

    /// A value attribute (`a=ptime:20`).
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
        }
    }

    /// Parses the text after `a=`.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let (name, value) = match text.split_once(':') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (text, None),
        };
        if name.is_empty() || !name.bytes().all(crate::model::is_token_byte) {
            return Err("attribute name is not a token");
        }
        Ok(Self {
            name: name.to_owned(),
            value,
        })
    }

    /// The value, or `""` for a flag.
    pub fn value_str(&self) -> &str {
        self.value.as_deref().unwrap_or_default()
    }

    /// `a=ptime:<ms>`.
    pub fn ptime(ms: u32) -> Self {
        Self::new("ptime", ms.to_string())
    }

    /// `a=maxptime:<ms>`.
    pub fn maxptime(ms: u32) -> Self {
        Self::new("maxptime", ms.to_string())
    }

    /// `a=mid:<id>`.
    pub fn mid(id: impl Into<String>) -> Self {
        Self::new("mid", id)
    }

    /// `a=rtcp-mux`.
    pub fn rtcp_mux() -> Self {
        Self::flag("rtcp-mux")
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => write!(f, "{}:{}", self.name, v),
            None => f.write_str(&self.name),
        }
    }
}

/// Typed look-ups over a list of attributes (a session's or a medium's).
pub(crate) mod lookup {
    use super::{Attribute, Direction};

    /// The first attribute called `name`.
    pub(crate) fn first<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
        attrs.iter().find(|a| a.name == name)
    }

    /// The first value of `name` parsed as a number.
    pub(crate) fn number(attrs: &[Attribute], name: &str) -> Option<u32> {
        first(attrs, name).and_then(|a| a.value_str().trim().parse().ok())
    }

    /// The direction attribute, the last one if several (as pjmedia).
    pub(crate) fn direction(attrs: &[Attribute]) -> Option<Direction> {
        attrs.iter().rev().find_map(|a| match a.value {
            None => Direction::from_name(&a.name),
            Some(_) => None,
        })
    }

    /// Removes every direction attribute.
    pub(crate) fn remove_direction(attrs: &mut Vec<Attribute>) {
        attrs.retain(|a| a.value.is_some() || Direction::from_name(&a.name).is_none());
    }
}
