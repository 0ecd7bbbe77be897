//! Transport attributes: `a=rtcp` (RFC 3605), `a=ssrc` (RFC 5576),
//! `a=crypto` (RFC 4568) and `a=candidate` (RFC 8839).

use std::fmt;

use super::Attribute;
use crate::model::{Connection, fields};

/// `a=rtcp:<port> [<nettype> <addrtype> <address>]` (RFC 3605).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rtcp {
    /// The RTCP port.
    pub port: u16,
    /// The RTCP address, when not the medium's.
    pub connection: Option<Connection>,
}

impl Rtcp {
    /// Parses the value of an `a=rtcp` attribute.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let value = value.trim();
        let (port, rest) = value.split_once(' ').unwrap_or((value, ""));
        let port = port.parse().map_err(|_| "port is not a number 0-65535")?;
        let rest = rest.trim();
        let connection = if rest.is_empty() {
            None
        } else {
            Some(Connection::parse(rest)?)
        };
        Ok(Self { port, connection })
    }
}

impl fmt::Display for Rtcp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.port)?;
        if let Some(c) = &self.connection {
            write!(f, " {c}")?;
        }
        Ok(())
    }
}

impl From<&Rtcp> for Attribute {
    fn from(r: &Rtcp) -> Self {
        Self::new("rtcp", r.to_string())
    }
}

/// `a=ssrc:<ssrc-id> <attribute>[:<value>]` (RFC 5576).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ssrc {
    /// The synchronisation source.
    pub id: u32,
    /// The source attribute's name (`cname`, `msid`, …).
    pub attribute: String,
    /// Its value.
    pub value: Option<String>,
}

impl Ssrc {
    /// Parses the value of an `a=ssrc` attribute.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let value = value.trim();
        let (id, rest) = value.split_once(' ').ok_or("missing source attribute")?;
        let id = id.parse().map_err(|_| "ssrc-id is not a 32-bit number")?;
        let (attribute, v) = match rest.trim().split_once(':') {
            Some((a, v)) => (a, Some(v.to_owned())),
            None => (rest.trim(), None),
        };
        if attribute.is_empty() {
            return Err("empty source attribute");
        }
        Ok(Self {
            id,
            attribute: attribute.to_owned(),
            value: v,
        })
    }
}

impl fmt::Display for Ssrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.attribute)?;
        if let Some(v) = &self.value {
            write!(f, ":{v}")?;
        }
        Ok(())
    }
}

impl From<&Ssrc> for Attribute {
    fn from(s: &Ssrc) -> Self {
        Self::new("ssrc", s.to_string())
    }
}

/// `a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]`
/// (RFC 4568, SDES-SRTP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crypto {
    /// The tag that names this line in the answer.
    pub tag: u32,
    /// The suite (`AES_CM_128_HMAC_SHA1_80`, …).
    pub suite: String,
    /// The key parameters as written (`inline:<key||salt>[|lifetime][|MKI:len]`,
    /// several joined by `;`).
    pub key_params: String,
    /// Session parameters (`UNENCRYPTED_SRTCP`, `KDR=…`), in order.
    pub session_params: Vec<String>,
}

impl Crypto {
    /// Parses the value of an `a=crypto` attribute.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let mut f = fields(value);
        let tag = f
            .next()
            .ok_or("missing tag")?
            .parse()
            .map_err(|_| "tag is not a number")?;
        let suite = f.next().ok_or("missing crypto-suite")?.to_owned();
        let key_params = f.next().ok_or("missing key-params")?.to_owned();
        let session_params = f.map(str::to_owned).collect();
        Ok(Self {
            tag,
            suite,
            key_params,
            session_params,
        })
    }

    /// The inline keys (`inline:` stripped, lifetime and MKI dropped).
    pub fn inline_keys(&self) -> impl Iterator<Item = &str> {
        self.key_params
            .split(';')
            .filter_map(|k| k.strip_prefix("inline:"))
            .map(|k| k.split('|').next().unwrap_or_default())
    }
}

impl fmt::Display for Crypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.tag, self.suite, self.key_params)?;
        for p in &self.session_params {
            write!(f, " {p}")?;
        }
        Ok(())
    }
}

impl From<&Crypto> for Attribute {
    fn from(c: &Crypto) -> Self {
        Self::new("crypto", c.to_string())
    }
}

/// `a=candidate:<foundation> <component> <transport> <priority> <address>
/// <port> typ <type> [<extensions>…]` (RFC 8839 §5.1): the fixed part
/// typed, the rest kept as written for the ICE layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Foundation.
    pub foundation: String,
    /// Component id (1 RTP, 2 RTCP).
    pub component: u16,
    /// Transport (`UDP`, `TCP`).
    pub transport: String,
    /// Priority.
    pub priority: u32,
    /// Connection address (IP or FQDN).
    pub address: String,
    /// Port.
    pub port: u16,
    /// Candidate type (`host`, `srflx`, `prflx`, `relay`).
    pub kind: String,
    /// What follows the type (`raddr … rport …`, extensions), as written.
    pub rest: String,
}

impl Candidate {
    /// Parses the value of an `a=candidate` attribute.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let mut f = fields(value);
        let foundation = f.next().ok_or("missing foundation")?.to_owned();
        let component = f
            .next()
            .ok_or("missing component")?
            .parse()
            .map_err(|_| "bad component")?;
        let transport = f.next().ok_or("missing transport")?.to_owned();
        let priority = f
            .next()
            .ok_or("missing priority")?
            .parse()
            .map_err(|_| "bad priority")?;
        let address = f.next().ok_or("missing address")?.to_owned();
        let port = f
            .next()
            .ok_or("missing port")?
            .parse()
            .map_err(|_| "bad port")?;
        if f.next() != Some("typ") {
            return Err("missing `typ`");
        }
        let kind = f.next().ok_or("missing candidate type")?.to_owned();
        let rest = f.collect::<Vec<_>>().join(" ");
        Ok(Self {
            foundation,
            component,
            transport,
            priority,
            address,
            port,
            kind,
            rest,
        })
    }
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            self.transport,
            self.priority,
            self.address,
            self.port,
            self.kind
        )?;
        if !self.rest.is_empty() {
            write!(f, " {}", self.rest)?;
        }
        Ok(())
    }
}

impl From<&Candidate> for Attribute {
    fn from(c: &Candidate) -> Self {
        Self::new("candidate", c.to_string())
    }
}
