//! Fuzzes `SessionDescription::parse` (crates/sdp): any bytes as a session
//! description.
//!
//! Checked:
//! - nothing panics: malformed input is a `ParseError`;
//! - what parses prints (RFC 8866 order, CRLF) to text that parses to the
//!   same description and prints identically (print ∘ parse is the
//!   identity on printed output);
//! - every typed accessor runs on every media line, and each typed value
//!   that parses prints back to text that parses to the same value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sdp::SessionDescription;
use sdp::attr::{Candidate, Crypto, Fmtp, Rtcp, Rtpmap, Ssrc};

macro_rules! reparse {
    ($ty:ty, $value:expr) => {
        if let Ok(v) = <$ty>::parse($value) {
            let printed = v.to_string();
            let again = <$ty>::parse(&printed)
                .unwrap_or_else(|e| panic!("{printed:?} does not reparse: {e}"));
            assert_eq!(again, v, "{printed:?}");
        }
    };
}

fuzz_target!(|data: &[u8]| {
    let Ok(sdp) = SessionDescription::parse(data) else {
        return;
    };
    let printed = sdp.to_string();
    let again = SessionDescription::parse_str(&printed)
        .unwrap_or_else(|e| panic!("printed output {printed:?} does not parse: {e}"));
    assert_eq!(again, sdp, "parse(print(x)) != x for {printed:?}");
    assert_eq!(again.to_string(), printed, "print is not a fixed point");

    let _ = sdp.direction();
    for (i, m) in sdp.media.iter().enumerate() {
        let _ = (
            sdp.media_direction(i),
            sdp.media_connection(i).and_then(|c| c.ip()),
        );
        let _ = (
            m.is_rtp(),
            m.payload_types().count(),
            m.ptime(),
            m.maxptime(),
            m.direction(),
        );
        let _ = (
            m.rtcp(),
            m.rtcp_mux(),
            m.mid(),
            m.ice_ufrag(),
            m.ice_pwd(),
            m.setup(),
        );
        let _ = (
            m.fingerprint(),
            m.ssrcs().count(),
            m.cryptos().count(),
            m.candidates().count(),
        );
        for pt in m.payload_types() {
            let _ = (m.rtpmap(pt), m.fmtp(pt).map(|f| f.parameters().count()));
        }
        for a in &m.attributes {
            let v = a.value_str();
            match a.name.as_str() {
                "rtpmap" => reparse!(Rtpmap, v),
                "fmtp" => reparse!(Fmtp, v),
                "rtcp" => reparse!(Rtcp, v),
                "ssrc" => reparse!(Ssrc, v),
                "crypto" => reparse!(Crypto, v),
                "candidate" => reparse!(Candidate, v),
                _ => {}
            }
        }
    }
});
