//! The RTP wire format (RFC 3550 §5.1) through `rtp-types`, and the
//! RTP/RTCP demultiplexing rule of RFC 5761 §4.

use rtp_types::{RtpPacket, RtpPacketBuilder};

use super::error::RtpError;

/// Whether a datagram is RTCP rather than RTP, by RFC 5761 §4's rule: the
/// second octet of RTCP is its packet type, 192–223 (SR 200, RR 201, SDES
/// 202, BYE 203, APP 204, feedback 205–207), which an RTP packet would show
/// as the marker bit and a payload type in 64–95, the range a session that
/// multiplexes must not use for RTP.
pub fn is_rtcp(datagram: &[u8]) -> bool {
    datagram.len() >= 2 && (192..=223).contains(&datagram[1])
}

/// A received RTP packet: a parsed view of the bytes (nothing copied), and
/// what the session's sequence checks found.
#[derive(Debug)]
pub struct RtpPacketView<'a> {
    data: &'a [u8],
    packet: RtpPacket<'a>,
    extended_sequence: u64,
    lost_before: u64,
    late: bool,
}

impl<'a> RtpPacketView<'a> {
    /// Parses an RTP packet on its own, with no session: its extended
    /// sequence number is its sequence number.
    pub fn parse(datagram: &'a [u8]) -> Result<Self, RtpError> {
        let packet = RtpPacket::parse(datagram).map_err(|e| RtpError::Malformed(e.to_string()))?;
        let extended_sequence = u64::from(packet.sequence_number());
        Ok(Self {
            data: datagram,
            packet,
            extended_sequence,
            lost_before: 0,
            late: false,
        })
    }

    /// The view with what the session's sequence checks found.
    pub(crate) fn with_sequence(mut self, extended: u64, lost_before: u64, late: bool) -> Self {
        self.extended_sequence = extended;
        self.lost_before = lost_before;
        self.late = late;
        self
    }

    /// Payload type (PT).
    pub fn payload_type(&self) -> u8 {
        self.packet.payload_type()
    }

    /// Marker bit (M): for audio, the first packet of a talkspurt.
    pub fn marker(&self) -> bool {
        self.packet.marker_bit()
    }

    /// Sequence number.
    pub fn sequence_number(&self) -> u16 {
        self.packet.sequence_number()
    }

    /// The sequence number extended with the count of its wrap-arounds
    /// (RFC 3550 A.1), which orders packets across a wrap.
    pub fn extended_sequence_number(&self) -> u64 {
        self.extended_sequence
    }

    /// RTP timestamp.
    pub fn timestamp(&self) -> u32 {
        self.packet.timestamp()
    }

    /// Synchronisation source (SSRC).
    pub fn ssrc(&self) -> u32 {
        self.packet.ssrc()
    }

    /// Contributing sources (CSRC list).
    pub fn csrc(&self) -> impl Iterator<Item = u32> + '_ {
        self.packet.csrc()
    }

    /// The header extension: its profile-defined identifier and its data.
    pub fn extension(&self) -> Option<(u16, &'a [u8])> {
        let (id, _) = self.packet.extension()?;
        let end = self.packet.payload_offset();
        let start = end - self.packet.extension_len();
        Some((id, &self.data[start..end]))
    }

    /// The payload, without padding.
    pub fn payload(&self) -> &'a [u8] {
        let start = self.packet.payload_offset();
        &self.data[start..start + self.packet.payload_len()]
    }

    /// Packets missing just before this one in sequence (0 when it directly
    /// follows the previous highest, or when it is late): what a jitter
    /// buffer should conceal.
    pub fn lost_before(&self) -> u64 {
        self.lost_before
    }

    /// It arrived after a packet with a higher sequence number.
    pub fn is_late(&self) -> bool {
        self.late
    }
}

/// Builds an RTP packet with no CSRC, extension or padding.
pub(crate) fn build_rtp(
    payload_type: u8,
    marker: bool,
    sequence: u16,
    timestamp: u32,
    ssrc: u32,
    payload: &[u8],
) -> Result<Vec<u8>, RtpError> {
    RtpPacketBuilder::<&[u8], &[u8]>::new()
        .payload_type(payload_type)
        .marker_bit(marker)
        .sequence_number(sequence)
        .timestamp(timestamp)
        .ssrc(ssrc)
        .payload(payload)
        .write_vec()
        .map_err(|e| RtpError::Misuse(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_parses() {
        let bytes = build_rtp(8, true, 65_535, 0xDEAD_BEEF, 0x1234_5678, b"abc").unwrap();
        assert_eq!(bytes.len(), 15);
        assert!(!is_rtcp(&bytes));
        let view = RtpPacketView::parse(&bytes).unwrap();
        assert_eq!(
            (view.payload_type(), view.marker(), view.sequence_number()),
            (8, true, 65_535)
        );
        assert_eq!((view.timestamp(), view.ssrc()), (0xDEAD_BEEF, 0x1234_5678));
        assert_eq!(view.payload(), b"abc");
        assert_eq!(view.extension(), None);
        assert_eq!(view.csrc().count(), 0);
    }

    #[test]
    fn extension_and_padding() {
        // V=2 P=1 X=1 CC=1, PT 0; one CSRC; a one-word extension; payload
        // "hi"; two bytes of padding.
        let mut bytes = vec![0xB1, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        bytes.extend_from_slice(&[0, 0, 0, 9]);
        bytes.extend_from_slice(&[0xBE, 0xDE, 0, 1, 1, 2, 3, 4]);
        bytes.extend_from_slice(b"hi");
        bytes.extend_from_slice(&[0, 2]);
        let view = RtpPacketView::parse(&bytes).unwrap();
        assert_eq!(view.csrc().collect::<Vec<_>>(), vec![9]);
        assert_eq!(view.extension(), Some((0xBEDE, &[1u8, 2, 3, 4][..])));
        assert_eq!(view.payload(), b"hi");
    }

    #[test]
    fn demultiplexes_by_the_second_octet() {
        assert!(is_rtcp(&[0x80, 200, 0, 6]));
        assert!(is_rtcp(&[0x80, 223]));
        assert!(!is_rtcp(&[0x80, 224]));
        assert!(!is_rtcp(&[0x80, 0x80 | 9]), "PT 9 with the marker bit");
        assert!(!is_rtcp(&[0x80]));
    }

    #[test]
    fn rejects_bad_packets() {
        assert!(RtpPacketView::parse(&[0x80, 0, 0]).is_err());
        assert!(RtpPacketView::parse(&[0x40; 12]).is_err(), "version 1");
        assert!(RtpPacketView::parse(&[0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(build_rtp(128, false, 0, 0, 0, b"").is_err());
    }
}
