//! Media transports: the UDP sockets a stream's RTP and RTCP travel on
//! (pjmedia's UDP media transport).

use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};

use socket2::{Domain, Protocol, Socket, Type};

use crate::error::{Error, Result};

/// Socket buffers for media: room for about a second of many streams.
const MEDIA_SOCKET_BUFFER: usize = 1 << 20;

/// The sockets of one media stream: RTP on an even port and, unless RTP
/// and RTCP share it (RFC 5761), RTCP on the next one (RFC 3550 §11).
#[derive(Debug)]
pub struct MediaTransport {
    pub(crate) rtp: UdpSocket,
    pub(crate) rtcp: Option<UdpSocket>,
}

fn udp(addr: SocketAddr) -> io::Result<UdpSocket> {
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    // Best effort: a smaller buffer still works.
    let _ = socket.set_recv_buffer_size(MEDIA_SOCKET_BUFFER);
    let _ = socket.set_send_buffer_size(MEDIA_SOCKET_BUFFER);
    socket.bind(&addr.into())?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

impl MediaTransport {
    /// Binds RTP (and RTCP on the next port unless `rtcp_mux`) on `ip`.
    /// With `port` 0 the system picks a free even port; otherwise the first
    /// free even port of `port ..= port + port_range` is taken, as PJSUA
    /// does with `AccountMediaConfig.transportConfig`.
    pub fn bind(ip: IpAddr, port: u16, port_range: u16, rtcp_mux: bool) -> Result<Self> {
        let title = "MediaTransport::bind()";
        let mut last = None;
        if port == 0 {
            // Ask the system for a port, then look for an even one with a
            // free neighbour: a few tries are plenty.
            for _ in 0..64 {
                match Self::bind_any(ip, rtcp_mux) {
                    Ok(Some(t)) => return Ok(t),
                    Ok(None) => {}
                    Err(e) => last = Some(e),
                }
            }
        } else {
            let first = port + (port % 2);
            let end = u32::from(port) + u32::from(port_range);
            let mut p = u32::from(first);
            while p <= end.min(u32::from(u16::MAX - 1)) {
                // The loop bound keeps p within u16.
                let candidate = u16::try_from(p).unwrap_or(u16::MAX - 1);
                match Self::bind_at(ip, candidate, rtcp_mux) {
                    Ok(t) => return Ok(t),
                    Err(e) => last = Some(e),
                }
                p += 2;
            }
        }
        let e = last
            .unwrap_or_else(|| io::Error::new(io::ErrorKind::AddrInUse, "no free RTP port pair"));
        Err(Error::io(title, &e))
    }

    fn bind_at(ip: IpAddr, port: u16, rtcp_mux: bool) -> io::Result<Self> {
        let rtp = udp(SocketAddr::new(ip, port))?;
        let rtcp = if rtcp_mux {
            None
        } else {
            Some(udp(SocketAddr::new(ip, port + 1))?)
        };
        Ok(Self { rtp, rtcp })
    }

    fn bind_any(ip: IpAddr, rtcp_mux: bool) -> io::Result<Option<Self>> {
        let rtp = udp(SocketAddr::new(ip, 0))?;
        let port = rtp.local_addr()?.port();
        if rtcp_mux {
            return Ok(Some(Self { rtp, rtcp: None }));
        }
        if port % 2 != 0 || port == u16::MAX {
            return Ok(None);
        }
        match udp(SocketAddr::new(ip, port + 1)) {
            Ok(rtcp) => Ok(Some(Self {
                rtp,
                rtcp: Some(rtcp),
            })),
            Err(_) => Ok(None),
        }
    }

    /// The same transport without its RTCP socket: RTP and RTCP share the
    /// RTP port after all (RFC 5761, negotiated after binding a pair, as
    /// PJSUA binds before the answer says).
    pub fn without_rtcp(mut self) -> Self {
        self.rtcp = None;
        self
    }

    /// Where RTP is received.
    pub fn local_rtp(&self) -> Result<SocketAddr> {
        self.rtp
            .local_addr()
            .map_err(|e| Error::io("MediaTransport::localRtp()", &e))
    }

    /// Where RTCP is received (the RTP address when multiplexed).
    pub fn local_rtcp(&self) -> Result<SocketAddr> {
        self.rtcp
            .as_ref()
            .unwrap_or(&self.rtp)
            .local_addr()
            .map_err(|e| Error::io("MediaTransport::localRtcp()", &e))
    }
}
