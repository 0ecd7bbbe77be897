//! Where a call's RTP transports are bound and which address the SDP
//! gives (see the [`super::streams`] module docs for the rules).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::config::{AccountConfig, TransportConfig};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, status};
use crate::media::MediaTransport;

/// How many RTP port pairs PJSUA tries when `portRange` is 0
/// (`RTP_RETRY` in `pjsua_media.c`).
const RTP_RETRY: u16 = 100;

/// Where and how a call's RTP transports are bound, from the account's
/// media settings.
#[derive(Debug, Clone)]
pub(crate) struct MediaPlan {
    /// The address written in the SDP.
    pub(crate) sdp_ip: IpAddr,
    /// The address the sockets are bound to.
    pub(crate) bind_ip: IpAddr,
    /// `transportConfig.port` (0: any).
    first_port: u16,
    /// `transportConfig.portRange` (0: no limit but [`RTP_RETRY`] pairs).
    range: u16,
    /// `rtcpMuxEnabled`.
    pub(crate) rtcp_mux: bool,
}

fn parse_ip(text: &str) -> Option<IpAddr> {
    text.trim().trim_matches(['[', ']']).parse().ok()
}

fn unspecified(like: IpAddr) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

impl MediaPlan {
    /// The plan for a call of an account configured as `cfg`.
    pub(crate) fn for_account(ep: &Endpoint, cfg: &AccountConfig, title: &str) -> Result<Self> {
        let tc = &cfg.media_config.transport_config;
        let bound = if tc.bound_address.trim().is_empty() {
            None
        } else {
            Some(parse_ip(&tc.bound_address).ok_or_else(|| {
                Error::new(
                    status::PJ_EINVAL,
                    title,
                    format!(
                        "mediaConfig.transportConfig.boundAddress {:?} is not an IP address",
                        tc.bound_address
                    ),
                )
            })?)
        };
        let sdp_ip = sdp_address(ep, cfg, bound);
        let first_port = u16::try_from(tc.port).map_err(|_| {
            Error::new(
                status::PJ_EINVAL,
                title,
                format!(
                    "mediaConfig.transportConfig.port {} is out of range",
                    tc.port
                ),
            )
        })?;
        Ok(Self {
            sdp_ip,
            bind_ip: bound.unwrap_or_else(|| unspecified(sdp_ip)),
            first_port,
            range: u16::try_from(tc.port_range).unwrap_or(u16::MAX),
            rtcp_mux: cfg.media_config.rtcp_mux_enabled,
        })
    }

    /// `transportConfig.port`: where an account's port cursor starts.
    pub(crate) fn first_port(&self) -> u16 {
        self.first_port
    }

    /// Binds one RTP/RTCP pair; `cursor` is where the account's next pair
    /// is looked for. Returns the RTP port and the transport.
    pub(crate) fn bind(&self, cursor: &mut u16) -> std::io::Result<(u16, MediaTransport)> {
        let rtp_port = |t: &MediaTransport| {
            t.local_rtp()
                .map(|a| a.port())
                .map_err(|e| std::io::Error::other(e.reason))
        };
        if self.first_port == 0 {
            let t = MediaTransport::bind(self.bind_ip, 0, 0, false)
                .map_err(|e| std::io::Error::other(e.reason))?;
            return Ok((rtp_port(&t)?, t));
        }
        let first = self.first_port.saturating_add(self.first_port % 2);
        let last = if self.range > 0 {
            first.saturating_add(self.range).min(u16::MAX - 1)
        } else {
            u16::MAX - 1
        };
        let next = |p: u16| {
            if p >= last.saturating_sub(1) {
                first
            } else {
                p + 2
            }
        };
        let tries = if self.range > 0 {
            self.range / 2 + 1
        } else {
            RTP_RETRY
        };
        let mut port = if (first..=last).contains(cursor) && *cursor % 2 == 0 {
            *cursor
        } else {
            first
        };
        let mut last_error = None;
        for _ in 0..tries {
            match MediaTransport::bind(self.bind_ip, port, 0, false) {
                Ok(t) => {
                    *cursor = next(port);
                    return Ok((rtp_port(&t)?, t));
                }
                Err(e) => last_error = Some(e),
            }
            port = next(port);
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            last_error.map_or_else(|| "no free RTP port pair".to_owned(), |e| e.reason),
        ))
    }

    /// Binds again on `rtp_port` (a line rebuilt after its stream closed:
    /// the media engine has closed its sockets when the removal returned).
    pub(crate) fn rebind(&self, rtp_port: u16, mux: bool) -> Result<MediaTransport> {
        MediaTransport::bind(self.bind_ip, rtp_port, 0, false).or_else(|e| {
            if mux {
                MediaTransport::bind(self.bind_ip, rtp_port, 0, true)
            } else {
                Err(e)
            }
        })
    }
}

/// The address to write in the SDP (see the module docs).
fn sdp_address(ep: &Endpoint, cfg: &AccountConfig, bound: Option<IpAddr>) -> IpAddr {
    let tc = &cfg.media_config.transport_config;
    if let Some(ip) = public_address(&tc.public_address) {
        return ip;
    }
    if let Some(ip) = bound.filter(|ip| !ip.is_unspecified()) {
        return ip;
    }
    let transport = if cfg.sip_config.transport_id >= 0 {
        Some(cfg.sip_config.transport_id)
    } else {
        ep.transport_enum().first().copied()
    };
    let published = transport
        .and_then(|id| ep.transport_get_info(id).ok())
        .and_then(|info| info.local_name.parse::<SocketAddr>().ok())
        .map(|a| a.ip())
        .filter(|ip| !ip.is_unspecified());
    if let Some(ip) = published {
        return ip;
    }
    let any = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
    let host = crate::endpoint::transport::published_host(&TransportConfig::default(), any);
    parse_ip(&host).unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// `publicAddress` as an IP address (a name is resolved once).
fn public_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    parse_ip(text).or_else(|| {
        use std::net::ToSocketAddrs;
        (text, 0).to_socket_addrs().ok()?.next().map(|a| a.ip())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_cursor_moves_by_pairs_and_wraps_in_the_range() {
        let plan = MediaPlan {
            sdp_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            first_port: 0,
            range: 0,
            rtcp_mux: false,
        };
        let mut cursor = 0;
        let (port, _t) = plan.bind(&mut cursor).unwrap();
        assert_eq!(port % 2, 0);
        let free = port;
        drop(_t);
        let ranged = MediaPlan {
            first_port: free,
            range: 2,
            ..plan
        };
        let mut cursor = free;
        let (a, ta) = ranged.bind(&mut cursor).unwrap();
        assert_eq!(a, free);
        assert_eq!(cursor, free + 2);
        // The range holds two pairs; with the first taken the second is used,
        // then the cursor wraps to the first.
        // (Unless someone else holds free + 2: then nothing to check.)
        if let Ok((b, _tb)) = ranged.bind(&mut cursor) {
            assert_eq!(b, free + 2);
            assert_eq!(cursor, free);
        }
        drop(ta);
    }
}
