//! RFC 4733 telephone events: DTMF digits sent as RTP packets
//! (`telephone-event/8000`) rather than as tones in the audio.
//!
//! - [`TelephoneEvent`]: the 4-byte payload (event, end bit, volume,
//!   duration).
//! - [`DtmfSender`]: turns queued digits into packets, one per frame tick.
//! - [`DtmfReceiver`]: turns received packets, lost, duplicated and
//!   repeated as they come, into one start and one end per digit.

mod receiver;
mod sender;

pub use receiver::{DtmfEvent, DtmfReceiver};
pub use sender::{DtmfPacket, DtmfSender};

use super::CodecError;

/// The encoding name in SDP.
pub const ENCODING_NAME: &str = "telephone-event";
/// PJSIP's default payload type for telephone events.
pub const DEFAULT_PAYLOAD_TYPE: u8 = 120;
/// The default `fmtp`: the sixteen DTMF events.
pub const DEFAULT_FMTP: &str = "0-16";

/// One telephone-event payload (RFC 4733 §2.3).
///
/// ```text
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     event     |E|R| volume    |          duration             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TelephoneEvent {
    /// Event code: 0–9 the digits, 10 `*`, 11 `#`, 12–15 `A`–`D`, 16 flash.
    pub event: u8,
    /// The end bit: this packet ends the event.
    pub end: bool,
    /// Power level of the tone in −dBm0 (0–63; 63 and beyond means quieter).
    pub volume: u8,
    /// Duration so far, in RTP timestamp units, from the event's timestamp.
    pub duration: u16,
}

impl TelephoneEvent {
    /// The payload's length in bytes.
    pub const LEN: usize = 4;

    /// Reads the first event of a payload. Bytes after the first four are
    /// ignored, as RFC 4733 lets a receiver do.
    pub fn parse(payload: &[u8]) -> Result<Self, CodecError> {
        let Some(b) = payload.get(..Self::LEN) else {
            return Err(CodecError::MalformedPayload(
                "a telephone-event payload has 4 bytes",
            ));
        };
        Ok(Self {
            event: b[0],
            end: b[1] & 0x80 != 0,
            volume: b[1] & 0x3F,
            duration: u16::from_be_bytes([b[2], b[3]]),
        })
    }

    /// The payload bytes (the reserved bit is 0; the volume is limited to
    /// 63).
    pub fn to_bytes(&self) -> [u8; 4] {
        let [d0, d1] = self.duration.to_be_bytes();
        let end = if self.end { 0x80 } else { 0 };
        [self.event, end | self.volume.min(63), d0, d1]
    }

    /// The DTMF character of the event, if it is one of the sixteen.
    pub fn digit(&self) -> Option<char> {
        digit_of_event(self.event)
    }
}

/// The event code of a DTMF character (`0`–`9`, `*`, `#`, `A`–`D` or
/// `a`–`d`; `R` or `r` for flash).
pub fn event_of_digit(digit: char) -> Option<u8> {
    Some(match digit.to_ascii_uppercase() {
        d @ '0'..='9' => d as u8 - b'0',
        '*' => 10,
        '#' => 11,
        d @ 'A'..='D' => d as u8 - b'A' + 12,
        'R' => 16,
        _ => return None,
    })
}

/// The DTMF character of an event code (`R` for flash).
pub fn digit_of_event(event: u8) -> Option<char> {
    Some(match event {
        0..=9 => char::from(b'0' + event),
        10 => '*',
        11 => '#',
        12..=15 => char::from(b'A' + event - 12),
        16 => 'R',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trip() {
        let e = TelephoneEvent {
            event: 11,
            end: true,
            volume: 10,
            duration: 1600,
        };
        let bytes = e.to_bytes();
        assert_eq!(bytes, [11, 0x8A, 0x06, 0x40]);
        assert_eq!(TelephoneEvent::parse(&bytes), Ok(e));
        assert!(TelephoneEvent::parse(&bytes[..3]).is_err());
        // The reserved bit is ignored.
        assert_eq!(
            TelephoneEvent::parse(&[5, 0x4A, 0, 160]).unwrap().volume,
            10
        );
    }

    #[test]
    fn digits_and_events() {
        for (i, d) in "0123456789*#ABCDR".chars().enumerate() {
            assert_eq!(event_of_digit(d), Some(i as u8));
            assert_eq!(digit_of_event(i as u8), Some(d));
        }
        assert_eq!(event_of_digit('b'), Some(13));
        assert_eq!(event_of_digit('x'), None);
        assert_eq!(digit_of_event(17), None);
    }
}
