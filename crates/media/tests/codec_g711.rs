//! G.711 against the ITU reference mapping, for every input value, and a
//! tone through each law.

mod codec_support;

use codec_support::{snr_db, tone};
use media::codec::CodecManager;
use media::codec::g711::{alaw_to_linear, linear_to_alaw, linear_to_ulaw, ulaw_to_linear};

// The reference, written from the G.711 tables rather than from the
// implementation: each law is a set of quantisation intervals of the
// magnitude, 8 segments of 16 equal steps whose width doubles from one
// segment to the next. A sample's magnitude (16-bit value reduced to the
// law's resolution, negative values by one's complement as ITU-T G.191
// does) is coded by the index of the interval holding it; the decoder
// gives the middle of the interval. Codes are then sign-marked and
// inverted (µ-law) or even-bit-toggled (A-law) for transmission.

/// µ-law intervals on the 13-bit magnitude: interval m (0..16) of segment
/// s (0..8) is [(16 + m)·2^(s+1) − 33, (17 + m)·2^(s+1) − 33), the last
/// one open above (overload).
fn ulaw_reference(x: i16) -> u8 {
    let negative = x < 0;
    let magnitude = if negative {
        !i32::from(x)
    } else {
        i32::from(x)
    } >> 2;
    let mut code = None;
    'search: for s in 0..8 {
        for m in 0..16 {
            let lower = ((16 + m) << (s + 1)) - 33;
            let upper = ((17 + m) << (s + 1)) - 33;
            let last = s == 7 && m == 15;
            if magnitude >= lower && (magnitude < upper || last) {
                code = Some((s << 4) | m);
                break 'search;
            }
        }
    }
    let code = code.expect("every magnitude lies in an interval") as u8;
    let sign = if negative { 0 } else { 0x80 };
    !(code | 0x80) & 0x7F | sign
}

fn ulaw_reference_decode(byte: u8) -> i16 {
    let code = !byte & 0x7F;
    let (s, m) = (i32::from(code >> 4), i32::from(code & 0x0F));
    let lower = ((16 + m) << (s + 1)) - 33;
    let upper = ((17 + m) << (s + 1)) - 33;
    // Middle of the interval, back on the 16-bit scale.
    let middle = (lower + upper) * 2;
    if byte & 0x80 != 0 {
        middle as i16
    } else {
        -middle as i16
    }
}

/// A-law intervals on the 12-bit magnitude: segment 0 has 16 steps of 1
/// from 0, segment s ≥ 1 has 16 steps of 2^(s−1) from 16·2^(s−1).
fn alaw_reference(x: i16) -> u8 {
    let negative = x < 0;
    let magnitude = if negative {
        !i32::from(x)
    } else {
        i32::from(x)
    } >> 4;
    let mut code = 0;
    for s in 0..8 {
        let (start, step) = if s == 0 {
            (0, 1)
        } else {
            (16 << (s - 1), 1 << (s - 1))
        };
        for m in 0..16 {
            let lower = start + m * step;
            if magnitude >= lower {
                code = (s << 4) | m;
            }
        }
    }
    let sign = if negative { 0 } else { 0x80 };
    ((code | sign) ^ 0x55) as u8
}

fn alaw_reference_decode(byte: u8) -> i16 {
    let code = i32::from((byte ^ 0x55) & 0x7F);
    let (s, m) = (code >> 4, code & 0x0F);
    let (start, step) = if s == 0 {
        (0, 1)
    } else {
        (16 << (s - 1), 1 << (s - 1))
    };
    // Middle of the interval [start + m·step, start + (m+1)·step), on the
    // 16-bit scale (×16).
    let middle = (2 * (start + m * step) + step) * 8;
    if byte & 0x80 != 0 {
        middle as i16
    } else {
        -middle as i16
    }
}

#[test]
fn ulaw_encodes_every_value_as_the_reference() {
    for x in i16::MIN..=i16::MAX {
        assert_eq!(linear_to_ulaw(x), ulaw_reference(x), "µ-law of {x}");
    }
}

#[test]
fn alaw_encodes_every_value_as_the_reference() {
    for x in i16::MIN..=i16::MAX {
        assert_eq!(linear_to_alaw(x), alaw_reference(x), "A-law of {x}");
    }
}

#[test]
fn every_code_decodes_to_the_middle_of_its_interval() {
    for b in 0..=255u8 {
        assert_eq!(
            ulaw_to_linear(b),
            ulaw_reference_decode(b),
            "µ-law {b:#04x}"
        );
        assert_eq!(
            alaw_to_linear(b),
            alaw_reference_decode(b),
            "A-law {b:#04x}"
        );
    }
}

/// G.711's companding keeps the signal-to-quantisation-noise ratio of a
/// sine near 38 dB over a wide range of levels; ITU-T G.712 requires at
/// least 35 dB for a sine between −30 and 0 dBm0 through a G.711 channel.
/// A −10 dBFS tone must therefore come back above 35 dB, and the quietest
/// tone the mask covers (−30 dBm0, about −33 dBFS) above 30 dB.
#[test]
fn a_tone_survives_both_laws() {
    let manager = CodecManager::new();
    for id in ["PCMU", "PCMA"] {
        for (amplitude, threshold) in [(10_000.0, 35.0), (700.0, 30.0)] {
            let mut codec = manager.create(id).unwrap();
            let input = tone(1000.0, 8000, amplitude, 8000, 0);
            let mut decoded = Vec::new();
            for frame in input.chunks(160) {
                let mut payload = Vec::new();
                codec.encode(frame, &mut payload).unwrap();
                assert_eq!(payload.len(), 160);
                let mut out = vec![0; 160];
                codec.decode(&payload, &mut out).unwrap();
                decoded.extend_from_slice(&out);
            }
            let snr = snr_db(&decoded[800..], 1000.0, 8000);
            assert!(snr > threshold, "{id} at {amplitude}: SNR {snr:.1} dB");
        }
    }
}
