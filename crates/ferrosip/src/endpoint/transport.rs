//! SIP transports as PJSUA2 shows them: `transportCreate`, `transportEnum`,
//! `transportGetInfo`, `transportClose`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use sip_core::transport::TransportKind;

use crate::config::TransportConfig;
use crate::error::{Error, Result, status};

crate::config::enums::pj_enum! {
    /// PJSUA2's `pjsip_transport_type_e`, for the kinds ferrosip binds.
    TransportType, default Udp {
        /// UDP over IPv4 (`PJSIP_TRANSPORT_UDP`).
        Udp = 1,
        /// TCP over IPv4.
        Tcp = 2,
        /// TLS over IPv4.
        Tls = 3,
        /// UDP over IPv6 (`PJSIP_TRANSPORT_UDP6`).
        Udp6 = 129,
        /// TCP over IPv6.
        Tcp6 = 130,
        /// TLS over IPv6.
        Tls6 = 131,
    }
}

impl TransportType {
    /// The type with PJSIP's number `n`.
    pub fn from_i32(n: i32) -> Option<Self> {
        Self::try_from(n).ok()
    }

    /// The transport kind (UDP, TCP or TLS) regardless of address family.
    pub fn kind(self) -> TransportKind {
        match self {
            Self::Udp | Self::Udp6 => TransportKind::Udp,
            Self::Tcp | Self::Tcp6 => TransportKind::Tcp,
            Self::Tls | Self::Tls6 => TransportKind::Tls,
        }
    }

    pub(crate) fn is_ipv6(self) -> bool {
        matches!(self, Self::Udp6 | Self::Tcp6 | Self::Tls6)
    }

    /// PJSIP's type name (`"UDP"`, `"TCP6"`…).
    pub fn name(self) -> &'static str {
        match self {
            Self::Udp => "UDP",
            Self::Tcp => "TCP",
            Self::Tls => "TLS",
            Self::Udp6 => "UDP6",
            Self::Tcp6 => "TCP6",
            Self::Tls6 => "TLS6",
        }
    }

    /// PJSIP's transport flags: reliable 1, secure 2, datagram 4.
    pub fn flags(self) -> u32 {
        match self.kind() {
            TransportKind::Udp => 4,
            TransportKind::Tls => 3,
            _ => 1,
        }
    }
}

/// PJSUA2's `TransportInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportInfo {
    /// The transport id.
    pub id: i32,
    /// Its type.
    pub type_: TransportType,
    /// The type's name.
    pub type_name: String,
    /// A description: `udp 0.0.0.0:5060 [published as 192.0.2.1:5060]`.
    pub info: String,
    /// PJSIP's transport flags.
    pub flags: u32,
    /// The bound address, `ip:port`.
    pub local_address: String,
    /// The address published in Via and Contact, `host:port`.
    pub local_name: String,
    /// How many users it has (1 while open).
    pub usage_count: u32,
}

/// Where to bind: the bound address (or any) and the port, for the type's
/// address family.
pub(crate) fn bind_address(
    ty: TransportType,
    cfg: &TransportConfig,
    port: u16,
) -> Result<SocketAddr> {
    let title = "Endpoint::transportCreate()";
    let ip: IpAddr = if cfg.bound_address.trim().is_empty() {
        if ty.is_ipv6() {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        }
    } else {
        cfg.bound_address
            .trim()
            .trim_matches(['[', ']'])
            .parse()
            .map_err(|_| {
                Error::new(
                    status::PJ_EINVAL,
                    title,
                    format!("boundAddress {:?} is not an IP address", cfg.bound_address),
                )
            })?
    };
    if ip.is_ipv6() != ty.is_ipv6() {
        return Err(Error::new(
            status::PJ_EINVAL,
            title,
            format!("boundAddress {ip} does not suit a {} transport", ty.name()),
        ));
    }
    Ok(SocketAddr::new(ip, port))
}

/// The address to publish for a socket bound to `local`: the public
/// address if configured, else the local one, else (for a wildcard bind)
/// the interface the system would route outward from, falling back to
/// loopback when there is no route.
pub(crate) fn published_host(cfg: &TransportConfig, local: SocketAddr) -> String {
    if !cfg.public_address.trim().is_empty() {
        return cfg.public_address.trim().to_owned();
    }
    let ip = if local.ip().is_unspecified() {
        default_interface(local.is_ipv6())
    } else {
        local.ip()
    };
    match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// The local address of the default route, found by connecting a UDP
/// socket (which sends nothing) to a documentation address.
fn default_interface(v6: bool) -> IpAddr {
    let (bind, probe): (SocketAddr, SocketAddr) = if v6 {
        (
            "[::]:0".parse().expect("a literal address"),
            "[2001:db8::1]:9".parse().expect("a literal address"),
        )
    } else {
        (
            "0.0.0.0:0".parse().expect("a literal address"),
            "192.0.2.1:9".parse().expect("a literal address"),
        )
    };
    let loopback = if v6 {
        IpAddr::V6(Ipv6Addr::LOCALHOST)
    } else {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    };
    UdpSocket::bind(bind)
        .and_then(|s| {
            s.connect(probe)?;
            s.local_addr()
        })
        .map(|a| a.ip())
        .ok()
        .filter(|ip| !ip.is_unspecified())
        .unwrap_or(loopback)
}
