//! What a payload type of a media line means: its `a=rtpmap`, or the
//! static assignment of RFC 3551 §6 when there is none.

use crate::MediaDescription;
use crate::attr::Fmtp;

/// One RTP format of a media line, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Format {
    pub(crate) pt: u8,
    pub(crate) encoding: String,
    pub(crate) clock_rate: u32,
    pub(crate) channels: u16,
    pub(crate) fmtp: Option<Fmtp>,
}

impl Format {
    pub(crate) fn is_telephone_event(&self) -> bool {
        self.encoding.eq_ignore_ascii_case("telephone-event")
    }

    pub(crate) fn is_comfort_noise(&self) -> bool {
        self.encoding.eq_ignore_ascii_case("CN")
    }

    /// Neither telephone-event nor comfort noise: a codec.
    pub(crate) fn is_codec(&self) -> bool {
        !self.is_telephone_event() && !self.is_comfort_noise()
    }
}

/// The static payload types of RFC 3551 §6 (tables 4 and 5).
pub(crate) fn static_format(pt: u8) -> Option<(&'static str, u32, u16)> {
    Some(match pt {
        0 => ("PCMU", 8000, 1),
        3 => ("GSM", 8000, 1),
        4 => ("G723", 8000, 1),
        5 => ("DVI4", 8000, 1),
        6 => ("DVI4", 16000, 1),
        7 => ("LPC", 8000, 1),
        8 => ("PCMA", 8000, 1),
        9 => ("G722", 8000, 1),
        10 => ("L16", 44100, 2),
        11 => ("L16", 44100, 1),
        12 => ("QCELP", 8000, 1),
        13 => ("CN", 8000, 1),
        14 => ("MPA", 90000, 1),
        15 => ("G728", 8000, 1),
        16 => ("DVI4", 11025, 1),
        17 => ("DVI4", 22050, 1),
        18 => ("G729", 8000, 1),
        25 => ("CelB", 90000, 1),
        26 => ("JPEG", 90000, 1),
        28 => ("nv", 90000, 1),
        31 => ("H261", 90000, 1),
        32 => ("MPV", 90000, 1),
        33 => ("MP2T", 90000, 1),
        34 => ("H263", 90000, 1),
        _ => return None,
    })
}

/// The formats of `m` in order: payload types with an `a=rtpmap`, or a
/// static assignment. Unknown dynamic types and non-numbers are skipped.
pub(crate) fn formats(m: &MediaDescription) -> Vec<Format> {
    let rtpmaps: Vec<_> = m.rtpmaps().collect();
    let fmtps: Vec<_> = m.fmtps().collect();
    let mut out: Vec<Format> = Vec::new();
    for pt in m.payload_types() {
        if out.iter().any(|f| f.pt == pt) {
            continue;
        }
        let fmtp = fmtps.iter().find(|f| f.payload_type == pt).cloned();
        let format = match rtpmaps.iter().find(|r| r.payload_type == pt) {
            Some(r) => Format {
                pt,
                encoding: r.encoding.clone(),
                clock_rate: r.clock_rate,
                channels: r.channel_count(),
                fmtp,
            },
            None => match static_format(pt) {
                Some((encoding, clock_rate, channels)) => Format {
                    pt,
                    encoding: encoding.to_owned(),
                    clock_rate,
                    channels,
                    fmtp,
                },
                None => continue,
            },
        };
        out.push(format);
    }
    out
}
