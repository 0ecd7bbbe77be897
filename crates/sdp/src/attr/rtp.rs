//! `a=rtpmap` and `a=fmtp`: what a payload type means.

use std::fmt;

use super::Attribute;

/// `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rtpmap {
    /// The payload type.
    pub payload_type: u8,
    /// The encoding name as written (`PCMU`, `opus`, `telephone-event`).
    pub encoding: String,
    /// The RTP clock rate in Hz.
    pub clock_rate: u32,
    /// The channel count (audio); `None` when not written, which means 1.
    pub channels: Option<u16>,
}

impl Rtpmap {
    /// An rtpmap.
    pub fn new(payload_type: u8, encoding: &str, clock_rate: u32, channels: Option<u16>) -> Self {
        Self {
            payload_type,
            encoding: encoding.to_owned(),
            clock_rate,
            channels,
        }
    }

    /// Parses the value of an `a=rtpmap` attribute.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let (pt, rest) = value.trim().split_once(' ').ok_or("missing encoding")?;
        let payload_type = parse_pt(pt)?;
        let mut parts = rest.trim().split('/');
        let encoding = parts
            .next()
            .filter(|e| !e.is_empty())
            .ok_or("empty encoding name")?;
        let clock_rate = parts
            .next()
            .ok_or("missing clock rate")?
            .parse()
            .map_err(|_| "clock rate is not a number")?;
        let channels = match parts.next() {
            Some(c) => Some(c.parse().map_err(|_| "channel count is not a number")?),
            None => None,
        };
        if parts.next().is_some() {
            return Err("extra `/` fields");
        }
        Ok(Self {
            payload_type,
            encoding: encoding.to_owned(),
            clock_rate,
            channels,
        })
    }

    /// The channel count (1 when not written).
    pub fn channel_count(&self) -> u16 {
        self.channels.unwrap_or(1)
    }
}

impl fmt::Display for Rtpmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{}",
            self.payload_type, self.encoding, self.clock_rate
        )?;
        if let Some(c) = self.channels {
            write!(f, "/{c}")?;
        }
        Ok(())
    }
}

impl From<&Rtpmap> for Attribute {
    fn from(r: &Rtpmap) -> Self {
        Self::new("rtpmap", r.to_string())
    }
}

/// `a=fmtp:<pt> <parameters>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fmtp {
    /// The payload type.
    pub payload_type: u8,
    /// The parameter text as written (`minptime=10;useinbandfec=1`, `0-16`).
    pub params: String,
}

impl Fmtp {
    /// An fmtp.
    pub fn new(payload_type: u8, params: impl Into<String>) -> Self {
        Self {
            payload_type,
            params: params.into(),
        }
    }

    /// Parses the value of an `a=fmtp` attribute.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let value = value.trim();
        let (pt, params) = value.split_once(' ').unwrap_or((value, ""));
        Ok(Self {
            payload_type: parse_pt(pt)?,
            params: params.trim().to_owned(),
        })
    }

    /// The `key=value;…` view: each parameter trimmed, a key without `=`
    /// has no value (`0-16` gives `("0-16", None)`).
    pub fn parameters(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.params
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (p, None),
            })
    }

    /// The value of parameter `key` (compared case-insensitively, as media
    /// type parameters are).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.parameters()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| v)
    }
}

impl fmt::Display for Fmtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.payload_type, self.params)
    }
}

impl From<&Fmtp> for Attribute {
    fn from(x: &Fmtp) -> Self {
        Self::new("fmtp", x.to_string())
    }
}

/// A payload type number, 0–127.
pub(crate) fn parse_pt(s: &str) -> Result<u8, &'static str> {
    match s.parse::<u8>() {
        Ok(pt) if pt <= 127 => Ok(pt),
        _ => Err("payload type is not a number 0-127"),
    }
}
