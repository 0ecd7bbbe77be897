//! A stream's setup from a negotiated audio line: the codec found in the
//! codec manager, payload types, addresses, packet time, jitter buffer;
//! and the `StreamInfo` that reports it.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;

use media::codec::{CodecDesc, CodecFmtp, CodecKind, CodecParam as MediaCodecParam};
use media::jitter::DiscardAlgorithm;
use media::stream::StreamConfig;
use sdp::neg::ActiveMedia;

use super::info::{MediaDir, PJMEDIA_TP_PROTO_RTP_AVP, StreamInfo};
use crate::config::{JbDiscardAlgo, MediaConfig};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, status};
use crate::media::{CodecParam, PJMEDIA_TYPE_AUDIO};

/// A seed for a stream's RTP session (SSRC, sequence, timestamp).
fn stream_seed(port: u16) -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u16(port);
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// `a=fmtp` text (`name=value;name=value`) as codec parameters.
fn parse_fmtp(text: Option<&str>) -> Vec<CodecFmtp> {
    text.unwrap_or_default()
        .split(';')
        .filter_map(|p| {
            let p = p.trim();
            if p.is_empty() {
                return None;
            }
            Some(match p.split_once('=') {
                Some((n, v)) => CodecFmtp::new(n.trim(), v.trim()),
                None => CodecFmtp::new(p, ""),
            })
        })
        .collect()
}

pub(crate) fn fmtp_text(list: &[CodecFmtp]) -> Option<String> {
    if list.is_empty() {
        return None;
    }
    Some(
        list.iter()
            .map(|f| {
                if f.val.is_empty() {
                    f.name.clone()
                } else {
                    format!("{}={}", f.name, f.val)
                }
            })
            .collect::<Vec<_>>()
            .join(";"),
    )
}

/// Whether `desc` is the codec SDP names `encoding/clock_rate/channels`
/// (SDP's clock rate is the RTP clock: 8000 for G.722).
fn same_codec(desc: &CodecDesc, encoding: &str, clock_rate: u32, channels: u16) -> bool {
    desc.encoding_name.eq_ignore_ascii_case(encoding)
        && desc.rtp_clock_rate == clock_rate
        && desc.channels == channels
}

/// The packet time to send with: the peer's `a=ptime` if the codec can
/// run with it, else `MediaConfig.ptime` if it can, else the codec's.
fn choose_ptime(desc: &CodecDesc, param: &MediaCodecParam, wanted: &[u32]) -> u32 {
    let fits = |p: u32| {
        let frame = desc.frame_ms.max(1);
        let max = if desc.kind == CodecKind::Opus {
            60
        } else {
            120
        };
        p >= frame && p <= max && p % frame == 0 && (desc.kind != CodecKind::Opus || p != 30)
    };
    wanted
        .iter()
        .copied()
        .find(|&p| p > 0 && fits(p))
        .unwrap_or_else(|| param.ptime_ms())
}

fn discard_algo(a: JbDiscardAlgo) -> DiscardAlgorithm {
    match a {
        JbDiscardAlgo::None => DiscardAlgorithm::None,
        JbDiscardAlgo::Static => DiscardAlgorithm::Static,
        JbDiscardAlgo::Progressive => DiscardAlgorithm::Progressive,
    }
}

/// The stream to build for an active audio line.
pub(crate) struct Plan {
    pub(crate) config: StreamConfig,
    pub(crate) desc: CodecDesc,
}

pub(crate) fn stream_plan(
    ep: &Endpoint,
    active: &ActiveMedia,
    remote_rtp: SocketAddr,
    cfg: &MediaConfig,
    title: &str,
) -> Result<Plan> {
    let codec = &active.codec;
    let found = ep.media(title)?.with_core(title, |core| {
        core.codecs
            .enabled()
            .find(|(d, _)| same_codec(d, &codec.encoding, codec.clock_rate, codec.channels))
            .or_else(|| {
                media::codec::desc::available()
                    .into_iter()
                    .find(|d| same_codec(d, &codec.encoding, codec.clock_rate, codec.channels))
                    .map(|d| {
                        let p = core
                            .codecs
                            .param(&d.id())
                            .unwrap_or_else(|_| MediaCodecParam::default_for(&d));
                        (d, p)
                    })
            })
    })?;
    let Some((desc, mut param)) = found else {
        return Err(Error::new(
            status::PJ_ENOTFOUND,
            title,
            format!(
                "no codec for {}/{}/{}",
                codec.encoding, codec.clock_rate, codec.channels
            ),
        ));
    };
    param.setting.enc_fmtp = parse_fmtp(codec.remote_fmtp.as_deref());
    if codec.local_fmtp.is_some() {
        param.setting.dec_fmtp = parse_fmtp(codec.local_fmtp.as_deref());
    }
    let ptime = choose_ptime(&desc, &param, &[active.send_ptime.unwrap_or(0), cfg.ptime]);
    let mut config = StreamConfig::with_desc(desc, param, remote_rtp);
    config.payload_type = codec.pt.tx;
    config.rx_payload_type = (codec.pt.rx != codec.pt.tx).then_some(codec.pt.rx);
    config.telephone_event_pt = active.telephone_event.map(|p| p.tx);
    config.rx_telephone_event_pt = active
        .telephone_event
        .filter(|p| p.rx != p.tx)
        .map(|p| p.rx);
    config.comfort_noise_pt = active.comfort_noise.map(|p| p.tx);
    config.remote_rtcp = active.remote_rtcp;
    config.rtcp_mux = active.rtcp_mux;
    config.ptime_ms = ptime;
    config.seed = stream_seed(active.local_rtp.port());
    config.jb_discard_algo = discard_algo(cfg.jb_discard_algo);
    Ok(Plan { config, desc })
}

pub(crate) fn stream_info(plan: &Plan, active: &ActiveMedia, cfg: &MediaConfig) -> StreamInfo {
    let c = &plan.config;
    StreamInfo {
        type_: PJMEDIA_TYPE_AUDIO,
        proto: PJMEDIA_TP_PROTO_RTP_AVP,
        dir: MediaDir::from_flags(active.sends(), active.receives()),
        remote_rtp_address: c.remote_rtp.to_string(),
        remote_rtcp_address: c
            .remote_rtcp
            .unwrap_or_else(|| {
                SocketAddr::new(c.remote_rtp.ip(), c.remote_rtp.port().wrapping_add(1))
            })
            .to_string(),
        tx_pt: u32::from(c.payload_type),
        rx_pt: u32::from(c.rx_payload_type.unwrap_or(c.payload_type)),
        aud_tx_event_pt: c.telephone_event_pt.map_or(0, u32::from),
        aud_rx_event_pt: c
            .rx_telephone_event_pt
            .or(c.telephone_event_pt)
            .map_or(0, u32::from),
        codec_name: plan.desc.encoding_name.to_owned(),
        codec_clock_rate: plan.desc.clock_rate,
        aud_codec_param: {
            let mut p = c.param.clone();
            // What the stream runs: one frame of `ptime_ms` per packet.
            p.info.frame_len = c.ptime_ms;
            p.setting.frm_per_pkt = 1;
            p.setting.vad &= !cfg.no_vad;
            CodecParam::from(&p)
        },
        jb_init: cfg.jb_init,
        jb_min_pre: cfg.jb_min_pre,
        jb_max_pre: cfg.jb_max_pre,
        jb_max: cfg.jb_max,
        jb_discard_algo: cfg.jb_discard_algo,
        rtcp_sdes_bye_disabled: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmtp_text_round_trips() {
        let list = parse_fmtp(Some("minptime=10; useinbandfec=1;x"));
        assert_eq!(
            list,
            vec![
                CodecFmtp::new("minptime", "10"),
                CodecFmtp::new("useinbandfec", "1"),
                CodecFmtp::new("x", ""),
            ]
        );
        assert_eq!(
            fmtp_text(&list).as_deref(),
            Some("minptime=10;useinbandfec=1;x")
        );
        assert!(parse_fmtp(None).is_empty());
        assert_eq!(fmtp_text(&[]), None);
    }

    #[test]
    fn ptime_follows_the_peer_when_the_codec_can() {
        let pcmu = media::codec::desc::PCMU;
        let p = MediaCodecParam::default_for(&pcmu);
        assert_eq!(choose_ptime(&pcmu, &p, &[30, 0]), 30);
        assert_eq!(choose_ptime(&pcmu, &p, &[0, 40]), 40);
        assert_eq!(choose_ptime(&pcmu, &p, &[0, 0]), 20);
        assert_eq!(choose_ptime(&pcmu, &p, &[25, 0]), 20, "not whole frames");
        assert_eq!(choose_ptime(&pcmu, &p, &[500, 0]), 20, "too long");
    }

    #[test]
    fn sdp_codecs_match_by_rtp_clock() {
        let g722 = media::codec::desc::G722;
        assert!(same_codec(&g722, "g722", 8000, 1));
        assert!(!same_codec(&g722, "G722", 16000, 1));
        assert!(same_codec(
            &media::codec::desc::L16_44100_STEREO,
            "L16",
            44100,
            2
        ));
    }
}
