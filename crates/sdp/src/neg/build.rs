//! Writing our descriptions: the session lines, an offered media line
//! from our capabilities, an answered media line from an offered one.

use std::net::IpAddr;

use super::caps::{Capabilities, Codec, LocalMedia, NegotiatorOptions};
use super::formats::{Format, formats};
use crate::attr::{Attribute, Direction, Fmtp, Rtcp, Rtpmap};
use crate::model::{
    Bandwidth, BandwidthType, Connection, MediaDescription, Origin, SessionDescription,
};

/// The fmtp PJSIP writes for telephone-event: the 16 DTMF events.
const TELEPHONE_EVENT_FMTP: &str = "0-16";

/// The session-level lines of a description of ours.
pub(crate) fn session(caps: &Capabilities, id: u64, version: u64) -> SessionDescription {
    let conn = Connection::new(caps.address);
    let origin = Origin {
        username: caps.username.clone(),
        session_id: id,
        session_version: version,
        net_type: conn.net_type.clone(),
        addr_type: conn.addr_type.clone(),
        address: conn.address.clone(),
    };
    let mut sdp = SessionDescription::new(origin, &caps.session_name);
    sdp.connection = Some(conn);
    sdp.attributes = caps.session_attributes.clone();
    sdp
}

/// A rejected line (RFC 3264 §6): port 0, the offer's media, protocol and
/// formats, nothing else.
pub(crate) fn rejected(m: &MediaDescription) -> MediaDescription {
    let mut formats = m.formats.clone();
    if formats.is_empty() {
        formats.push("0".into());
    }
    MediaDescription::new(&m.media, 0, &m.protocol, formats)
}

/// The key payload types are remembered by: encoding (lower case), clock
/// rate, channels.
pub(crate) type PtKey = (String, u32, u16);

fn key(encoding: &str, clock_rate: u32, channels: u16) -> PtKey {
    (encoding.to_ascii_lowercase(), clock_rate, channels)
}

/// The payload types a previous description of ours gave each format, so
/// a re-offer keeps the numbers the session already uses.
pub(crate) fn pt_map(previous: Option<&MediaDescription>) -> Vec<(PtKey, u8)> {
    previous
        .map(|m| {
            formats(m)
                .into_iter()
                .filter(|f| f.pt >= 96)
                .map(|f| (key(&f.encoding, f.clock_rate, f.channels), f.pt))
                .collect()
        })
        .unwrap_or_default()
}

/// One format we offer: what it is, and the payload type it gets.
struct Entry {
    rtpmap: Rtpmap,
    fmtp: Option<String>,
    preferred: u8,
}

/// Our offered media line for `lm`, in direction `dir`, with dynamic
/// payload types from `map` where it has them.
pub(crate) fn offer_media(
    lm: &LocalMedia,
    map: &[(PtKey, u8)],
    dir: Direction,
    session_addr: IpAddr,
    opts: &NegotiatorOptions,
) -> MediaDescription {
    let mut entries: Vec<Entry> = lm
        .codecs
        .iter()
        .map(|c| Entry {
            rtpmap: rtpmap_of(c, c.payload_type),
            fmtp: c.fmtp.clone(),
            preferred: c.payload_type,
        })
        .collect();
    if lm.telephone_event {
        let mut rates: Vec<u32> = Vec::new();
        for c in lm
            .codecs
            .iter()
            .filter(|c| !c.is_comfort_noise() && !c.is_telephone_event())
        {
            if !rates.contains(&c.clock_rate) {
                rates.push(c.clock_rate);
            }
        }
        for (k, rate) in rates.into_iter().enumerate() {
            let preferred = u8::try_from(usize::from(opts.telephone_event_pt) + k).unwrap_or(127);
            entries.push(Entry {
                rtpmap: Rtpmap::new(preferred, "telephone-event", rate, None),
                fmtp: Some(TELEPHONE_EVENT_FMTP.into()),
                preferred,
            });
        }
    }
    // Static types keep their number; remembered dynamic ones next; the
    // rest take their preferred number if free, else the first free one.
    let mut assigned: Vec<Option<u8>> = entries
        .iter()
        .map(|e| {
            let r = &e.rtpmap;
            if e.preferred < 96 {
                return Some(e.preferred);
            }
            let k = key(&r.encoding, r.clock_rate, r.channel_count());
            map.iter().find(|(mk, _)| *mk == k).map(|(_, pt)| *pt)
        })
        .collect();
    let mut used: Vec<u8> = assigned.iter().flatten().copied().collect();
    for (slot, e) in assigned.iter_mut().zip(&entries) {
        if slot.is_none() {
            let pt = if (96..=127).contains(&e.preferred) && !used.contains(&e.preferred) {
                Some(e.preferred)
            } else {
                (96..=127).find(|pt| !used.contains(pt))
            };
            used.extend(pt);
            *slot = pt;
        }
    }
    let mut m = MediaDescription::new(&lm.media, lm.rtp_port, &lm.protocol, Vec::new());
    let mut seen: Vec<u8> = Vec::new();
    let mut attrs = Vec::new();
    for (e, pt) in entries.iter().zip(assigned) {
        let Some(pt) = pt.filter(|pt| !seen.contains(pt)) else {
            continue;
        };
        seen.push(pt);
        m.formats.push(pt.to_string());
        attrs.push(Attribute::from(&Rtpmap {
            payload_type: pt,
            ..e.rtpmap.clone()
        }));
        if let Some(f) = &e.fmtp {
            attrs.push(Attribute::from(&Fmtp::new(pt, f.clone())));
        }
    }
    transport(&mut m, lm, session_addr);
    m.attributes.extend(attrs);
    common_tail(&mut m, lm, lm.rtcp_mux, dir);
    m
}

/// Our answer to the offered line `offer` with `lm`, or `None` when no
/// codec is in common (the caller rejects the line).
pub(crate) fn answer_media(
    offer: &MediaDescription,
    lm: &LocalMedia,
    dir: Direction,
    session_addr: IpAddr,
    opts: &NegotiatorOptions,
) -> Option<MediaDescription> {
    let offered = formats(offer);
    let fits = |f: &Format, c: &Codec| {
        c.same_format(&f.encoding, f.clock_rate, f.channels)
            && (opts.fmtp_check)(c, f.fmtp.as_ref())
    };
    // Real codecs first; telephone-event or CN listed among our codecs
    // carry a line alone (RFC 4317 §2.4's tone stream) only if no real
    // codec matched.
    let mut matches = match_codecs(&offered, lm, opts, &fits, true);
    if matches.is_empty() {
        matches = match_codecs(&offered, lm, opts, &fits, false);
    }
    if matches.is_empty() {
        return None;
    }
    if !opts.answer_multiple_codecs {
        matches.truncate(1);
    }
    let mut m = MediaDescription::new(&offer.media, lm.rtp_port, &offer.protocol, Vec::new());
    let mut attrs = Vec::new();
    let mut rates: Vec<u32> = Vec::new();
    for (f, c) in &matches {
        if m.formats.contains(&f.pt.to_string()) {
            continue;
        }
        m.formats.push(f.pt.to_string());
        attrs.push(Attribute::from(&rtpmap_of_format(f)));
        if let Some(p) = &c.fmtp {
            attrs.push(Attribute::from(&Fmtp::new(f.pt, p.clone())));
        }
        if !rates.contains(&f.clock_rate) {
            rates.push(f.clock_rate);
        }
    }
    // telephone-event and comfort noise only at a chosen codec's rate.
    for rate in rates {
        if lm.telephone_event {
            if let Some(f) = offered
                .iter()
                .find(|f| f.is_telephone_event() && f.clock_rate == rate)
            {
                m.formats.push(f.pt.to_string());
                attrs.push(Attribute::from(&rtpmap_of_format(f)));
                attrs.push(Attribute::from(&Fmtp::new(f.pt, TELEPHONE_EVENT_FMTP)));
            }
        }
        let cn_ok = lm
            .codecs
            .iter()
            .any(|c| c.is_comfort_noise() && c.clock_rate == rate);
        if cn_ok {
            if let Some(f) = offered
                .iter()
                .find(|f| f.is_comfort_noise() && f.clock_rate == rate)
            {
                m.formats.push(f.pt.to_string());
                attrs.push(Attribute::from(&rtpmap_of_format(f)));
            }
        }
    }
    transport(&mut m, lm, session_addr);
    m.attributes.extend(attrs);
    common_tail(&mut m, lm, lm.rtcp_mux && offer.rtcp_mux(), dir);
    Some(m)
}

/// The offered formats that match our codecs, in the preferred order;
/// `real` keeps to codecs, else to telephone-event and CN.
fn match_codecs<'a>(
    offered: &'a [Format],
    lm: &'a LocalMedia,
    opts: &NegotiatorOptions,
    fits: &dyn Fn(&Format, &Codec) -> bool,
    real: bool,
) -> Vec<(&'a Format, &'a Codec)> {
    let ours = || {
        lm.codecs
            .iter()
            .filter(move |c| real != (c.is_telephone_event() || c.is_comfort_noise()))
    };
    let theirs = || offered.iter().filter(move |f| real == f.is_codec());
    let mut matches = Vec::new();
    if opts.prefer_remote_codec_order {
        for f in theirs() {
            if let Some(c) = ours().find(|c| fits(f, c)) {
                matches.push((f, c));
            }
        }
    } else {
        for c in ours() {
            if let Some(f) = theirs().find(|f| fits(f, c)) {
                matches.push((f, c));
            }
        }
    }
    matches
}

fn rtpmap_of(c: &Codec, pt: u8) -> Rtpmap {
    let channels = (c.channels != 1).then_some(c.channels);
    Rtpmap::new(pt, &c.encoding, c.clock_rate, channels)
}

fn rtpmap_of_format(f: &Format) -> Rtpmap {
    let channels = (f.channels != 1).then_some(f.channels);
    Rtpmap::new(f.pt, &f.encoding, f.clock_rate, channels)
}

/// `c=` when the medium's address is not the session's, `b=TIAS`,
/// `a=rtcp` when RTCP is not on RTP + 1.
fn transport(m: &mut MediaDescription, lm: &LocalMedia, session_addr: IpAddr) {
    if lm.address != session_addr {
        m.connections.push(Connection::new(lm.address));
    }
    if let Some(tias) = lm.tias {
        m.bandwidths.push(Bandwidth {
            kind: BandwidthType::Tias,
            value: tias,
        });
    }
    if lm.rtcp_port() != lm.rtp_port.wrapping_add(1) {
        let rtcp = Rtcp {
            port: lm.rtcp_port(),
            connection: Some(Connection::new(lm.address)),
        };
        m.push(&rtcp);
    }
}

/// `a=ptime`, `a=maxptime`, `a=rtcp-mux`, the direction, our extra
/// attributes.
fn common_tail(m: &mut MediaDescription, lm: &LocalMedia, mux: bool, dir: Direction) {
    if let Some(p) = lm.ptime {
        m.push(Attribute::ptime(p));
    }
    if let Some(p) = lm.maxptime {
        m.push(Attribute::maxptime(p));
    }
    if mux {
        m.push(Attribute::rtcp_mux());
    }
    m.push(dir);
    m.attributes.extend(lm.extra_attributes.iter().cloned());
}

/// Whether two transport protocols can meet: the same after case folding
/// and treating the feedback profiles (`AVPF`, `SAVPF`) as their base
/// profile, whose RTCP they extend compatibly.
pub(crate) fn protocols_compatible(a: &str, b: &str) -> bool {
    fn base(p: &str) -> String {
        let p = p.to_ascii_uppercase();
        match p.strip_suffix("AVPF") {
            Some(stem) => format!("{stem}AVP"),
            None => p,
        }
    }
    base(a) == base(b)
}
