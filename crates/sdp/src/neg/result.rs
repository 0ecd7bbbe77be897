//! The outcome of a negotiation: per media line, what the media layer
//! needs to build (or stop) a stream.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::NegotiationError;
use super::formats::{Format, formats};
use crate::attr::Direction;
use crate::model::{BandwidthType, SessionDescription};

/// The negotiated session: one entry per media line, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiatedSession {
    /// The media lines in order.
    pub media: Vec<NegotiatedMedia>,
}

impl NegotiatedSession {
    /// Negotiates a completed exchange without a [`Negotiator`]: `local`
    /// is our description, `remote` the peer's, `local_offered` says which
    /// was the offer. When the remote description is the answer it is
    /// checked as [`Negotiator::receive_answer`] does.
    ///
    /// [`Negotiator`]: super::Negotiator
    /// [`Negotiator::receive_answer`]: super::Negotiator::receive_answer
    ///
    /// # Errors
    ///
    /// [`NegotiationError::MalformedAnswer`] when our offer's answer is
    /// wrong, [`NegotiationError::MalformedOffer`] when the offer (theirs)
    /// does not fit our answer.
    pub fn from_exchange(
        local: &SessionDescription,
        remote: &SessionDescription,
        local_offered: bool,
    ) -> Result<Self, NegotiationError> {
        if local_offered {
            super::negotiator::check_answer(local, remote)
                .map_err(NegotiationError::MalformedAnswer)
        } else {
            super::negotiator::check_answer(remote, local)
                .and_then(|_| {
                    let media = (0..local.media.len())
                        .map(|i| negotiate_line(local, remote, i, false))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Self { media })
                })
                .map_err(NegotiationError::MalformedOffer)
        }
    }

    /// The active lines with their index.
    pub fn active(&self) -> impl Iterator<Item = (usize, &ActiveMedia)> {
        self.media.iter().enumerate().filter_map(|(i, m)| match m {
            NegotiatedMedia::Active(a) => Some((i, &**a)),
            NegotiatedMedia::Disabled { .. } => None,
        })
    }
}

/// One media line after negotiation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NegotiatedMedia {
    /// Rejected or removed (port 0 on either side): no stream.
    Disabled {
        /// The media type (`audio`, `video`).
        media: String,
    },
    /// A stream to run.
    Active(Box<ActiveMedia>),
}

/// A payload type as each side numbers it: RFC 3264 asks the answerer to
/// use the offerer's numbers, but a peer may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayloadTypes {
    /// The number to send with (the remote description's).
    pub tx: u8,
    /// The number we receive (our description's).
    pub rx: u8,
}

/// A codec both sides agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiatedCodec {
    /// Encoding name as the answer wrote it.
    pub encoding: String,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Channels.
    pub channels: u16,
    /// Payload types.
    pub pt: PayloadTypes,
    /// The remote `a=fmtp` parameters (how the peer wants to receive).
    pub remote_fmtp: Option<String>,
    /// Our `a=fmtp` parameters.
    pub local_fmtp: Option<String>,
}

/// An active media line: everything a stream is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveMedia {
    /// The media type (`audio`, `video`).
    pub media: String,
    /// The transport protocol of the answer.
    pub protocol: String,
    /// Our RTP address (from our description).
    pub local_rtp: SocketAddr,
    /// Our RTCP address (RTP + 1, our `a=rtcp`, or RTP's with rtcp-mux).
    pub local_rtcp: SocketAddr,
    /// The peer's connection address as written (an IP address, or a host
    /// name the call layer must resolve).
    pub remote_address: String,
    /// The peer's RTP port (its m= line), also when `remote_address` is
    /// a name.
    pub remote_port: u16,
    /// The peer's RTP address; `None` when `remote_address` is a name.
    pub remote_rtp: Option<SocketAddr>,
    /// The peer's RTCP address (its `a=rtcp`, RTP + 1, or RTP's with
    /// rtcp-mux); `None` when the address is a name.
    pub remote_rtcp: Option<SocketAddr>,
    /// The codec to send with: the answer's first one in common.
    pub codec: NegotiatedCodec,
    /// The answer's other codecs in common, in its order (empty unless
    /// the answerer sent several).
    pub other_codecs: Vec<NegotiatedCodec>,
    /// RFC 4733 telephone-event at the first codec's clock rate, when both
    /// sides have it.
    pub telephone_event: Option<PayloadTypes>,
    /// RFC 3389 comfort noise at the first codec's clock rate, when both
    /// sides have it.
    pub comfort_noise: Option<PayloadTypes>,
    /// Packet time to send with: the peer's `a=ptime`.
    pub send_ptime: Option<u32>,
    /// Packet time we asked to receive: our `a=ptime`.
    pub recv_ptime: Option<u32>,
    /// The peer's `a=maxptime`.
    pub remote_maxptime: Option<u32>,
    /// Our side of the flow: whether we send and whether we receive.
    pub direction: Direction,
    /// RTP and RTCP share one port (both sides wrote `a=rtcp-mux`).
    pub rtcp_mux: bool,
    /// The peer's `b=TIAS` for this line, bit/s.
    pub remote_tias: Option<u64>,
    /// The peer holds the call the RFC 2543 way (`c=0.0.0.0`).
    pub remote_null_address: bool,
}

impl ActiveMedia {
    /// Whether we send.
    pub fn sends(&self) -> bool {
        self.direction.sends()
    }

    /// Whether we receive.
    pub fn receives(&self) -> bool {
        self.direction.receives()
    }
}

/// Why one line could not be negotiated (the caller names the culprit).
pub(crate) type LineError = String;

/// Negotiates line `i` of `local` (ours) against `remote`; `local_offered`
/// says which of the two is the offer (the answer decides the codecs).
pub(crate) fn negotiate_line(
    local: &SessionDescription,
    remote: &SessionDescription,
    i: usize,
    local_offered: bool,
) -> Result<NegotiatedMedia, LineError> {
    let (Some(lm), Some(rm)) = (local.media.get(i), remote.media.get(i)) else {
        return Err(format!("media line {i} missing"));
    };
    if lm.port == 0 || rm.port == 0 {
        return Ok(NegotiatedMedia::Disabled {
            media: lm.media.clone(),
        });
    }
    let lf = formats(lm);
    let rf = formats(rm);
    let (answer, offer) = if local_offered {
        (&rf, &lf)
    } else {
        (&lf, &rf)
    };
    let mut codecs = Vec::new();
    // Real codecs; a line of telephone-event (or CN) alone carries that.
    let real = answer
        .iter()
        .any(|a| a.is_codec() && counterpart(a, offer).is_some());
    for a in answer.iter().filter(|f| f.is_codec() == real) {
        let Some(o) = counterpart(a, offer) else {
            continue;
        };
        let (l, r) = if local_offered { (o, a) } else { (a, o) };
        codecs.push(NegotiatedCodec {
            encoding: a.encoding.clone(),
            clock_rate: a.clock_rate,
            channels: a.channels,
            pt: PayloadTypes { tx: r.pt, rx: l.pt },
            remote_fmtp: r.fmtp.as_ref().map(|f| f.params.clone()),
            local_fmtp: l.fmtp.as_ref().map(|f| f.params.clone()),
        });
    }
    if codecs.is_empty() {
        return Err(format!(
            "media line {i}: no codec of the answer was offered"
        ));
    }
    let codec = codecs.remove(0);
    let rate = codec.clock_rate;
    let pair = |pick: fn(&Format) -> bool| {
        let l = lf.iter().find(|f| pick(f) && f.clock_rate == rate)?;
        let r = rf.iter().find(|f| pick(f) && f.clock_rate == rate)?;
        Some(PayloadTypes { tx: r.pt, rx: l.pt })
    };
    let telephone_event = pair(Format::is_telephone_event);
    let comfort_noise = pair(Format::is_comfort_noise);

    let rtcp_mux = lm.rtcp_mux() && rm.rtcp_mux();
    let local_ip = local.media_connection(i).and_then(|c| c.ip());
    let local_ip = local_ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let local_rtp = SocketAddr::new(local_ip, lm.port);
    let local_rtcp = rtcp_address(lm.rtcp(), local_rtp, rtcp_mux).unwrap_or(local_rtp);

    let Some(conn) = remote.media_connection(i) else {
        return Err(format!("media line {i} has no c= line"));
    };
    let remote_address = conn
        .address
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let remote_rtp = conn.ip().map(|ip| SocketAddr::new(ip, rm.port));
    let remote_rtcp = remote_rtp.and_then(|rtp| rtcp_address(rm.rtcp(), rtp, rtcp_mux));
    let null = conn.is_null();

    let mut ours = local.media_direction(i).unwrap_or_default();
    if local.media_connection(i).is_some_and(|c| c.is_null()) {
        ours = ours.intersect(Direction::SendOnly);
    }
    let mut theirs = remote.media_direction(i).unwrap_or_default();
    if null {
        // RFC 2543 hold: the peer does not want to receive.
        theirs = theirs.intersect(Direction::SendOnly);
    }
    let direction = ours.intersect(theirs.reversed());

    let remote_tias = rm
        .bandwidths
        .iter()
        .find(|b| b.kind == BandwidthType::Tias)
        .map(|b| b.value);
    Ok(NegotiatedMedia::Active(Box::new(ActiveMedia {
        media: lm.media.clone(),
        protocol: if local_offered {
            rm.protocol.clone()
        } else {
            lm.protocol.clone()
        },
        local_rtp,
        local_rtcp,
        remote_address,
        remote_port: rm.port,
        remote_rtp,
        remote_rtcp,
        codec,
        other_codecs: codecs,
        telephone_event,
        comfort_noise,
        send_ptime: rm.ptime(),
        recv_ptime: lm.ptime(),
        remote_maxptime: rm.maxptime(),
        direction,
        rtcp_mux,
        remote_tias,
        remote_null_address: null,
    })))
}

/// The format of the offer that an answered format stands for: the same
/// number meaning the same thing, else (a peer that renumbered) the same
/// encoding, rate and channels.
fn counterpart<'a>(a: &Format, offer: &'a [Format]) -> Option<&'a Format> {
    let same = |o: &&Format| {
        o.encoding.eq_ignore_ascii_case(&a.encoding)
            && o.clock_rate == a.clock_rate
            && o.channels == a.channels
    };
    offer
        .iter()
        .find(|o| o.pt == a.pt && same(o))
        .or_else(|| offer.iter().find(same))
}

/// Where RTCP goes: with rtcp-mux the RTP address, else `a=rtcp`'s port
/// (and address, if it names an IP), else RTP + 1.
fn rtcp_address(attr: Option<crate::attr::Rtcp>, rtp: SocketAddr, mux: bool) -> Option<SocketAddr> {
    if mux {
        return Some(rtp);
    }
    match attr {
        Some(r) => {
            let ip = r.connection.and_then(|c| c.ip()).unwrap_or(rtp.ip());
            Some(SocketAddr::new(ip, r.port))
        }
        None => Some(SocketAddr::new(rtp.ip(), rtp.port().wrapping_add(1))),
    }
}
