//! The structured fields of SDP lines other than `a=` and `m=`: `o=`,
//! `c=`, `b=`, `t=` (with its `r=` lines), and lines of unknown type.
//!
//! Each type parses the value of its line (the text after `x=`) and prints
//! it back with `Display`.

use std::fmt;
use std::net::IpAddr;

/// Splits on runs of spaces (RFC 8866 fields are separated by one space;
/// tolerating several costs nothing).
pub(crate) fn fields(value: &str) -> impl Iterator<Item = &str> {
    value.split(' ').filter(|f| !f.is_empty())
}

/// The `o=` line: who made the description, and which version it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The user's login on the originating host, `-` if none.
    pub username: String,
    /// Session id: the same for every version of one session.
    pub session_id: u64,
    /// Session version: increases with every change (RFC 3264 §8).
    pub session_version: u64,
    /// Network type, `IN`.
    pub net_type: String,
    /// Address type, `IP4` or `IP6`.
    pub addr_type: String,
    /// The originating host's address or name.
    pub address: String,
}

impl Origin {
    /// Parses the value of an `o=` line.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let mut f = fields(value);
        let mut next = |what| f.next().ok_or(what);
        let username = next("missing username")?.to_owned();
        let session_id = next("missing sess-id")?
            .parse()
            .map_err(|_| "sess-id is not a 64-bit number")?;
        let session_version = next("missing sess-version")?
            .parse()
            .map_err(|_| "sess-version is not a 64-bit number")?;
        let net_type = next("missing nettype")?.to_owned();
        let addr_type = next("missing addrtype")?.to_owned();
        let address = next("missing unicast-address")?.to_owned();
        if f.next().is_some() {
            return Err("extra fields after unicast-address");
        }
        Ok(Self {
            username,
            session_id,
            session_version,
            net_type,
            addr_type,
            address,
        })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {}",
            self.username,
            self.session_id,
            self.session_version,
            self.net_type,
            self.addr_type,
            self.address
        )
    }
}

/// A `c=` line: where media goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Network type, `IN`.
    pub net_type: String,
    /// Address type, `IP4` or `IP6`.
    pub addr_type: String,
    /// The address as written, with any multicast `/ttl` and `/count`
    /// suffixes (see [`Connection::ip`]).
    pub address: String,
}

impl Connection {
    /// An `IN IP4`/`IN IP6` connection to `ip`.
    pub fn new(ip: IpAddr) -> Self {
        let addr_type = if ip.is_ipv4() { "IP4" } else { "IP6" };
        Self {
            net_type: "IN".into(),
            addr_type: addr_type.into(),
            address: ip.to_string(),
        }
    }

    /// Parses the value of a `c=` line.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let mut f = fields(value);
        let net_type = f.next().ok_or("missing nettype")?.to_owned();
        let addr_type = f.next().ok_or("missing addrtype")?.to_owned();
        let address = f.next().ok_or("missing connection-address")?.to_owned();
        if f.next().is_some() {
            return Err("extra fields after connection-address");
        }
        Ok(Self {
            net_type,
            addr_type,
            address,
        })
    }

    /// The address without its `/ttl` or `/count` suffixes, if it is an IP
    /// address (not a host name).
    pub fn ip(&self) -> Option<IpAddr> {
        let base = self.address.split('/').next().unwrap_or_default();
        base.parse().ok()
    }

    /// RFC 2543's hold: the address `0.0.0.0` (RFC 3264 §8.4).
    pub fn is_null(&self) -> bool {
        self.ip()
            .is_some_and(|ip| ip.is_unspecified() && ip.is_ipv4())
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.net_type, self.addr_type, self.address)
    }
}

/// The modifier of a `b=` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BandwidthType {
    /// `AS`: application-specific maximum, kbit/s.
    As,
    /// `CT`: conference total, kbit/s.
    Ct,
    /// `TIAS`: transport-independent application-specific maximum, bit/s
    /// (RFC 3890).
    Tias,
    /// `RR`: RTCP bandwidth of receivers, bit/s (RFC 3556).
    Rr,
    /// `RS`: RTCP bandwidth of senders, bit/s (RFC 3556).
    Rs,
    /// Any other modifier, as written.
    Other(String),
}

impl BandwidthType {
    fn parse(s: &str) -> Self {
        match s {
            "AS" => Self::As,
            "CT" => Self::Ct,
            "TIAS" => Self::Tias,
            "RR" => Self::Rr,
            "RS" => Self::Rs,
            other => Self::Other(other.to_owned()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Self::As => "AS",
            Self::Ct => "CT",
            Self::Tias => "TIAS",
            Self::Rr => "RR",
            Self::Rs => "RS",
            Self::Other(s) => s,
        }
    }
}

/// A `b=` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bandwidth {
    /// The modifier.
    pub kind: BandwidthType,
    /// The value, in the modifier's unit.
    pub value: u64,
}

impl Bandwidth {
    /// Parses the value of a `b=` line.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let (kind, bw) = value.split_once(':').ok_or("missing `:`")?;
        if kind.is_empty() || !kind.bytes().all(is_token_byte) {
            return Err("bwtype is not a token");
        }
        let value = bw.trim().parse().map_err(|_| "bandwidth is not a number")?;
        Ok(Self {
            kind: BandwidthType::parse(kind),
            value,
        })
    }
}

impl fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.value)
    }
}

/// A `t=` line with the `r=` lines after it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timing {
    /// Start time (NTP seconds), 0 for unbounded.
    pub start: u64,
    /// Stop time (NTP seconds), 0 for unbounded.
    pub stop: u64,
    /// The `r=` lines' values, as written.
    pub repeats: Vec<String>,
}

impl Timing {
    /// Parses the value of a `t=` line.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let mut f = fields(value);
        let start = f.next().ok_or("missing start-time")?;
        let stop = f.next().ok_or("missing stop-time")?;
        if f.next().is_some() {
            return Err("extra fields after stop-time");
        }
        Ok(Self {
            start: start.parse().map_err(|_| "start-time is not a number")?,
            stop: stop.parse().map_err(|_| "stop-time is not a number")?,
            repeats: Vec::new(),
        })
    }
}

/// A line of a type this crate does not model (nor RFC 8866 defines),
/// kept in order at the end of its section and printed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherLine {
    /// The line type letter.
    pub kind: char,
    /// The value after `=`.
    pub value: String,
}

/// RFC 8866's `token-char`.
pub(crate) fn is_token_byte(b: u8) -> bool {
    matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'^'..=b'~')
}
