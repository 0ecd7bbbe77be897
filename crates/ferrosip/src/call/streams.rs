//! A call's media: the RTP transports bound before the offer (or when the
//! INVITE arrives), the SDP capabilities made from the codec manager, and
//! the audio streams built from each negotiated line.
//!
//! - Transports: one RTP/RTCP pair per audio line, bound on the account's
//!   `mediaConfig.transportConfig` (`boundAddress`, or any address) from
//!   `port` (4000) on, as PJSUA does: successive even ports, each account
//!   remembering where its next call starts, up to `portRange` (or 100
//!   pairs when the range is 0); port 0 lets the system choose. The pair
//!   is always bound (PJSUA binds RTCP even when offering rtcp-mux); the
//!   RTCP socket is closed when rtcp-mux is negotiated.
//! - The address in the SDP: `publicAddress`, else `boundAddress`, else
//!   the address the account's SIP transport publishes, else the
//!   interface of the default route.
//! - Codecs: the enabled ones in priority order, with their static
//!   payload type or their provisional dynamic one (the negotiator
//!   renumbers a clash, telephone-event included), `a=fmtp` from their
//!   decoder parameters; telephone-event on; `a=ptime` only when
//!   `MediaConfig.ptime` is set; `a=rtcp-mux` per `rtcpMuxEnabled`.
//! - Streams: each active audio line gets an [`AudioStream`] on the
//!   transport whose port the line's local address names, with the codec
//!   found by encoding, clock rate and channels, the peer's payload types
//!   to send and ours to receive, the peer's addresses, its `a=ptime`
//!   (else `MediaConfig.ptime`, else the codec's), VAD as the codec says
//!   unless `MediaConfig.noVad`, and the jitter buffer of `MediaConfig`.
//!   A line that changes is rebuilt on the same port; a line that is
//!   disabled loses its stream.
//! - Direction (hold): a line that does not send sends no RTP (RTCP goes
//!   on), a line that does not receive gives the bridge nothing; the
//!   line's status is `LOCAL_HOLD` while we hold the call, else
//!   `REMOTE_HOLD` when it is not `sendrecv`.

use sdp::neg::{ActiveMedia, Capabilities, Codec, LocalMedia, NegotiatedMedia, NegotiatedSession};

use super::info::{CallMediaInfo, CallMediaStatus, MediaDir, PJMEDIA_VID_INVALID_DEV, StreamInfo};
use super::plan::MediaPlan;
use super::stream_config::{fmtp_text, stream_info, stream_plan};
use crate::config::MediaConfig;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, status};
use crate::media::{AudioMedia, AudioStream, MediaTransport, PJMEDIA_TYPE_AUDIO, StreamStat};

/// One bound RTP/RTCP pair: one audio line of ours.
#[derive(Debug)]
struct BoundPort {
    rtp_port: u16,
    /// The sockets while no stream runs on them.
    idle: Option<MediaTransport>,
}

/// One media line of the negotiated session.
#[derive(Debug, Default)]
struct Line {
    /// `audio`, `video`, …
    media: String,
    /// What the stream was built from.
    active: Option<ActiveMedia>,
    stream: Option<AudioStream>,
    info: Option<StreamInfo>,
    status: CallMediaStatus,
    dir: MediaDir,
}

/// Everything media of one call.
#[derive(Debug)]
pub(crate) struct CallMedia {
    plan: MediaPlan,
    ports: Vec<BoundPort>,
    lines: Vec<Line>,
    /// Whether a session was negotiated.
    negotiated: bool,
    pub(crate) rem_audio_count: u32,
    pub(crate) rem_video_count: u32,
}

/// A stream that left the call: its line and the stream (its port leaves
/// the bridge when dropped).
pub(crate) type Retired = (u32, AudioStream);

impl CallMedia {
    /// Binds `audio_count` RTP/RTCP pairs as `plan` says; `cursor` is the
    /// account's next RTP port.
    pub(crate) fn allocate(
        plan: MediaPlan,
        audio_count: u32,
        cursor: &mut u16,
        title: &str,
    ) -> Result<Self> {
        let mut media = Self {
            plan,
            ports: Vec::new(),
            lines: Vec::new(),
            negotiated: false,
            rem_audio_count: 0,
            rem_video_count: 0,
        };
        media.ensure_ports(audio_count, cursor, title)?;
        Ok(media)
    }

    /// Binds more pairs until there are `audio_count`.
    pub(crate) fn ensure_ports(
        &mut self,
        audio_count: u32,
        cursor: &mut u16,
        title: &str,
    ) -> Result<()> {
        while self.ports.len() < audio_count as usize {
            let (rtp_port, t) = self.plan.bind(cursor).map_err(|e| Error::io(title, &e))?;
            tracing::debug!(
                target: "pjsua",
                "RTP/RTCP transport bound on {}:{rtp_port}, SDP address {}",
                self.plan.bind_ip,
                self.plan.sdp_ip
            );
            self.ports.push(BoundPort {
                rtp_port,
                idle: Some(t),
            });
        }
        Ok(())
    }

    /// Where the account's port cursor starts (`transportConfig.port`).
    pub(crate) fn first_port(&self) -> u16 {
        self.plan.first_port()
    }

    /// What we offer or answer with: one audio line per bound pair, the
    /// enabled codecs in priority order.
    pub(crate) fn capabilities(&self, ep: &Endpoint, title: &str) -> Result<Capabilities> {
        let ptime = ep.config().med_config.ptime;
        let codecs: Vec<Codec> = ep.media(title)?.with_core(title, |core| {
            core.codecs
                .enabled()
                .map(|(desc, param)| {
                    let mut c =
                        Codec::new(desc.payload_type, desc.encoding_name, desc.rtp_clock_rate)
                            .with_channels(desc.channels);
                    c.fmtp = fmtp_text(&param.setting.dec_fmtp);
                    c
                })
                .collect()
        })?;
        let media = self
            .ports
            .iter()
            .map(|p| {
                let mut lm = LocalMedia::audio(self.plan.sdp_ip, p.rtp_port, codecs.clone());
                lm.rtcp_mux = self.plan.rtcp_mux;
                lm.ptime = (ptime > 0).then_some(ptime);
                lm
            })
            .collect();
        Ok(Capabilities::new(self.plan.sdp_ip, media))
    }

    /// First step of a media update: takes out the streams that `session`
    /// ends or changes (for `onStreamDestroyed`, then to be dropped).
    pub(crate) fn retire(&mut self, session: &NegotiatedSession) -> Vec<Retired> {
        let mut out = Vec::new();
        for (i, line) in self.lines.iter_mut().enumerate() {
            // A line whose only change is its direction (hold, unhold)
            // keeps its stream (PJSUA 2.15 rebuilds it): statistics, RTCP
            // and the conference slot go on, and `apply` pauses or resumes
            // the directions.
            let keep = match session.media.get(i) {
                Some(NegotiatedMedia::Active(a)) => line
                    .active
                    .as_ref()
                    .is_some_and(|old| same_but_direction(old, a)),
                _ => false,
            };
            if !keep {
                if let Some(stream) = line.stream.take() {
                    out.push((u32::try_from(i).unwrap_or(u32::MAX), stream));
                }
                line.active = None;
                line.info = None;
            }
        }
        out
    }

    /// Second step: builds the streams `session` asks for. Returns the new
    /// streams' ports (for `onStreamCreated`).
    pub(crate) fn apply(
        &mut self,
        ep: &Endpoint,
        session: &NegotiatedSession,
        local_hold: bool,
        title: &str,
    ) -> Vec<(u32, AudioMedia)> {
        let cfg = ep.config().med_config;
        self.negotiated = true;
        self.lines.resize_with(session.media.len(), Line::default);
        self.rem_audio_count = 0;
        self.rem_video_count = 0;
        let mut created = Vec::new();
        for (i, negotiated) in session.media.iter().enumerate() {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            let media_type = match negotiated {
                NegotiatedMedia::Active(a) => a.media.as_str(),
                NegotiatedMedia::Disabled { media } => media.as_str(),
            };
            match media_type {
                "audio" => self.rem_audio_count += 1,
                "video" => self.rem_video_count += 1,
                _ => {}
            }
            let line = &mut self.lines[i];
            line.media = media_type.to_owned();
            let active = match negotiated {
                NegotiatedMedia::Active(a) if a.media == "audio" => a,
                _ => {
                    line.status = CallMediaStatus::None;
                    line.dir = MediaDir::None;
                    continue;
                }
            };
            line.dir = MediaDir::from_flags(active.sends(), active.receives());
            // As PJSUA: our hold wins; else a line that is not sendrecv is
            // held by the peer.
            let flowing = if local_hold {
                CallMediaStatus::LocalHold
            } else if line.dir == MediaDir::EncodingDecoding {
                CallMediaStatus::Active
            } else {
                CallMediaStatus::RemoteHold
            };
            if let Some(stream) = &line.stream {
                if let Some(old) = line.active.as_mut() {
                    if old.direction != active.direction {
                        redirect(stream, old, active);
                        old.direction = active.direction;
                        if let Some(info) = line.info.as_mut() {
                            info.dir = line.dir;
                        }
                    }
                }
                line.status = flowing;
                continue;
            }
            match build_stream(ep, &self.plan, &mut self.ports, active, &cfg, title) {
                Ok((stream, info)) => {
                    honour_direction(&stream, active.sends(), active.receives());
                    created.push((index, (*stream).clone()));
                    line.stream = Some(stream);
                    line.info = Some(info);
                    line.active = Some((**active).clone());
                    line.status = flowing;
                }
                Err(e) => {
                    tracing::warn!(target: "pjsua", "media line #{i}: no stream: {}", e.reason);
                    line.status = CallMediaStatus::Error;
                }
            }
        }
        created
    }

    /// Takes every stream out (the call ended).
    pub(crate) fn close(&mut self) -> Vec<Retired> {
        let mut out = Vec::new();
        for (i, line) in self.lines.iter_mut().enumerate() {
            if let Some(stream) = line.stream.take() {
                out.push((u32::try_from(i).unwrap_or(u32::MAX), stream));
            }
            line.status = CallMediaStatus::None;
            line.info = None;
        }
        for p in &mut self.ports {
            p.idle = None;
        }
        out
    }

    /// PJSUA2's `CallInfo.media`.
    pub(crate) fn infos(&self) -> Vec<CallMediaInfo> {
        if !self.negotiated {
            return Vec::new();
        }
        self.lines
            .iter()
            .enumerate()
            .map(|(i, line)| CallMediaInfo {
                index: u32::try_from(i).unwrap_or(u32::MAX),
                type_: match line.media.as_str() {
                    "audio" => PJMEDIA_TYPE_AUDIO,
                    "video" => 2,
                    _ => 0,
                },
                dir: line.dir,
                status: line.status,
                audio_conf_slot: line.stream.as_ref().map_or(-1, |s| s.port_id()),
                video_incoming_window_id: -1,
                video_cap_dev: PJMEDIA_VID_INVALID_DEV,
            })
            .collect()
    }

    /// Whether an audio stream runs.
    pub(crate) fn has_stream(&self) -> bool {
        self.lines.iter().any(|l| l.stream.is_some())
    }

    /// The line `med_idx` (−1: the first with a stream) and its stream.
    fn line(&self, med_idx: i32, title: &str) -> Result<(usize, &Line, &AudioStream)> {
        let found = if med_idx < 0 {
            self.lines
                .iter()
                .enumerate()
                .find(|(_, l)| l.stream.is_some())
        } else {
            self.lines
                .get(usize::try_from(med_idx).unwrap_or(usize::MAX))
                .map(|l| (usize::try_from(med_idx).unwrap_or(0), l))
        };
        match found {
            Some((i, line)) => match &line.stream {
                Some(s) => Ok((i, line, s)),
                None => Err(Error::new(
                    status::PJ_EINVAL,
                    title,
                    format!("media #{i} has no audio stream"),
                )),
            },
            None => Err(Error::new(
                status::PJ_EINVAL,
                title,
                if med_idx < 0 {
                    "the call has no active audio".to_owned()
                } else {
                    format!("no media #{med_idx}")
                },
            )),
        }
    }

    /// The conference port of line `med_idx`'s stream.
    pub(crate) fn audio_media(&self, med_idx: i32, title: &str) -> Result<AudioMedia> {
        self.line(med_idx, title).map(|(_, _, s)| (*s).clone())
    }

    /// The statistics of line `med_idx`'s stream.
    pub(crate) fn stream_stat(&self, med_idx: i32, title: &str) -> Result<StreamStat> {
        let (_, _, s) = self.line(med_idx, title)?;
        s.stats().map_err(|e| e.titled(title))
    }

    /// The setup of line `med_idx`'s stream.
    pub(crate) fn stream_info(&self, med_idx: i32, title: &str) -> Result<StreamInfo> {
        let (i, line, _) = self.line(med_idx, title)?;
        line.info.clone().ok_or_else(|| {
            Error::new(
                status::PJ_EINVAL,
                title,
                format!("media #{i} has no stream"),
            )
        })
    }

    /// The media part of `Call::dump`, each line prefixed by `indent`.
    pub(crate) fn dump(&self, indent: &str) -> String {
        let mut out = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            let (Some(stream), Some(info)) = (&line.stream, &line.info) else {
                out.push_str(&format!("{indent}  #{i} {} deactivated\n", line.media));
                continue;
            };
            out.push_str(&format!(
                "{indent}  #{i} audio {} @{}kHz, {}, peer={}\n",
                info.codec_name,
                info.codec_clock_rate / 1000,
                line.dir.sdp_name(),
                info.remote_rtp_address
            ));
            if let Ok(stat) = stream.stats() {
                super::report::write_stream_stat(&mut out, indent, info, &stat);
            }
        }
        out
    }
}

/// Whether a stream built for `old` serves `new` too: the same but for
/// the direction.
fn same_but_direction(old: &ActiveMedia, new: &ActiveMedia) -> bool {
    let mut redirected = old.clone();
    redirected.direction = new.direction;
    redirected == *new
}

/// A kept stream's directions changed (`old` to `new`): sending pauses or
/// resumes; receiving gives the bridge nothing while the line does not
/// receive, and is back at level 1 when it does again.
fn redirect(stream: &AudioStream, old: &ActiveMedia, new: &ActiveMedia) {
    if old.sends() != new.sends() {
        let _ = stream.set_sending(new.sends());
    }
    if old.receives() != new.receives() {
        let _ = stream.adjust_rx_level(if new.receives() { 1.0 } else { 0.0 });
    }
}

/// Makes a stream follow its line's direction: a line that does not
/// send sends no RTP (RTCP still goes), so the held side falls silent; a
/// line that does not receive gives the bridge nothing (its rx level is
/// set to 0, the port's `adjustRxLevel`, which the application may set
/// again).
fn honour_direction(stream: &AudioStream, sends: bool, receives: bool) {
    if !sends {
        let _ = stream.set_sending(false);
    }
    if !receives {
        let _ = stream.adjust_rx_level(0.0);
    }
}

/// The RTP port a line of ours runs on, and its stream, for events of
/// the media engine.
impl CallMedia {
    /// The line whose stream is the bridge port `port`, and the RTP clock
    /// rate of its codec.
    pub(crate) fn line_of_port(&self, port: media::bridge::PortId) -> Option<(u32, u32)> {
        self.lines.iter().enumerate().find_map(|(i, l)| {
            let stream = l.stream.as_ref()?;
            let (_, p) = stream.resolve("").ok()?;
            (p == port).then(|| {
                let rate = l.info.as_ref().map_or(8000, |info| info.codec_clock_rate);
                (u32::try_from(i).unwrap_or(u32::MAX), rate)
            })
        })
    }

    /// The stream of line `med_idx` (−1: the first with one), to send
    /// DTMF through.
    pub(crate) fn stream(&self, med_idx: i32, title: &str) -> Result<&AudioStream> {
        self.line(med_idx, title).map(|(_, _, s)| s)
    }
}

/// The peer's address of `host` (a name of its `c=` line: RFC 8866
/// allows one) for sending from `local`: the first address of the name of
/// `local`'s family (IPv4 or IPv6), as PJMEDIA resolves it. `None` when the
/// name does not resolve to one.
fn resolve_media_host(
    host: &str,
    port: u16,
    local: std::net::SocketAddr,
) -> Option<std::net::SocketAddr> {
    use std::net::ToSocketAddrs;
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return None;
    }
    (host, port)
        .to_socket_addrs()
        .ok()?
        .find(|a| a.is_ipv4() == local.is_ipv4())
}

/// `active` with the peer's host name resolved (its RTP address, and RTCP
/// on the next port or on RTP's with rtcp-mux).
fn with_resolved_host(active: &ActiveMedia, title: &str) -> Result<ActiveMedia> {
    // The port the peer wrote is kept in the RTCP/RTP fields only when the
    // address is numeric; the negotiator gives it in the stream's media
    // port, which `remote_port` carries.
    let rtp = resolve_media_host(&active.remote_address, active.remote_port, active.local_rtp)
        .ok_or_else(|| {
            Error::new(
                status::PJ_ERESOLVE,
                title,
                format!(
                    "the peer's media address {:?} does not resolve to an {} address",
                    active.remote_address,
                    if active.local_rtp.is_ipv4() {
                        "IPv4"
                    } else {
                        "IPv6"
                    }
                ),
            )
        })?;
    let mut resolved = active.clone();
    resolved.remote_rtp = Some(rtp);
    resolved.remote_rtcp = Some(if active.rtcp_mux {
        rtp
    } else {
        std::net::SocketAddr::new(rtp.ip(), rtp.port().wrapping_add(1))
    });
    Ok(resolved)
}

/// Builds the stream of one active audio line on its bound port.
fn build_stream(
    ep: &Endpoint,
    plan: &MediaPlan,
    ports: &mut [BoundPort],
    active: &ActiveMedia,
    cfg: &MediaConfig,
    title: &str,
) -> Result<(AudioStream, StreamInfo)> {
    let local_port = active.local_rtp.port();
    let port = ports
        .iter_mut()
        .find(|p| p.rtp_port == local_port)
        .ok_or_else(|| {
            Error::new(
                status::PJ_ENOTFOUND,
                title,
                format!("no transport bound on RTP port {local_port}"),
            )
        })?;
    let resolved;
    let active = if active.remote_rtp.is_some() {
        active
    } else {
        resolved = with_resolved_host(active, title)?;
        &resolved
    };
    let Some(remote_rtp) = active.remote_rtp else {
        return Err(Error::new(
            status::PJ_EINVAL,
            title,
            "the peer's media line has no address",
        ));
    };
    let stream_plan = stream_plan(ep, active, remote_rtp, cfg, title)?;
    let transport = match port.idle.take() {
        Some(t) => t,
        None => plan.rebind(port.rtp_port, active.rtcp_mux)?,
    };
    let transport = if active.rtcp_mux {
        transport.without_rtcp()
    } else {
        transport
    };
    let info = stream_info(&stream_plan, active, cfg);
    let stream =
        AudioStream::create(ep, transport, stream_plan.config).map_err(|e| e.titled(title))?;
    Ok((stream, info))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(addr: &str) -> std::net::SocketAddr {
        addr.parse().unwrap()
    }

    #[test]
    fn a_host_name_in_c_resolves_to_an_address_of_the_local_family() {
        let v4 = resolve_media_host("localhost", 4000, local("127.0.0.1:5000"));
        assert_eq!(v4, Some(local("127.0.0.1:4000")));
        // A numeric address in the name's place resolves to itself.
        let literal = resolve_media_host("192.0.2.7", 4002, local("0.0.0.0:5000"));
        assert_eq!(literal, Some(local("192.0.2.7:4002")));
        let v6 = resolve_media_host("[::1]", 4004, local("[::]:5000"));
        assert_eq!(v6, Some(local("[::1]:4004")));
        // An IPv6 address cannot be used from an IPv4 socket.
        assert_eq!(resolve_media_host("::1", 4000, local("0.0.0.0:5000")), None);
        // Names that do not resolve, and bad input, are None (no panic).
        for bad in ["", " ", "no-such-host.invalid", "a b", "[", "::::::::::"] {
            assert_eq!(
                resolve_media_host(bad, 4000, local("0.0.0.0:5000")),
                None,
                "{bad:?}"
            );
        }
    }
}
