//! The RTCP wire format (RFC 3550 §6.4–6.6) through `rtcp-types`: compound
//! packets parsed into owned values, and written from them.

use rtcp_types::{
    Bye as ByeParser, Compound, Packet, ReceiverReport as RrParser, ReportBlock as RbParser,
    RtcpPacketWriter, RtcpPacketWriterExt, Sdes as SdesParser, SdesChunk as SdesChunkParser,
    SdesItem as SdesItemParser, SenderReport as SrParser,
};

use super::error::RtpError;

/// SDES item types (RFC 3550 §6.5).
pub mod sdes_type {
    /// Canonical name.
    pub const CNAME: u8 = 1;
    /// User name.
    pub const NAME: u8 = 2;
    /// E-mail address.
    pub const EMAIL: u8 = 3;
    /// Phone number.
    pub const PHONE: u8 = 4;
    /// Geographic location.
    pub const LOC: u8 = 5;
    /// Application or tool.
    pub const TOOL: u8 = 6;
    /// Notice or status.
    pub const NOTE: u8 = 7;
    /// Private extension (not kept when parsing).
    pub const PRIV: u8 = 8;
}

/// One packet of a compound RTCP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RtcpPacket {
    /// Sender report (SR, type 200).
    SenderReport(SenderReport),
    /// Receiver report (RR, type 201).
    ReceiverReport(ReceiverReport),
    /// Source description (SDES, type 202).
    Sdes(Vec<SdesChunk>),
    /// Goodbye (BYE, type 203).
    Bye(Bye),
    /// A packet of another type (APP, feedback, XR, …), not looked into.
    /// It cannot be written.
    Other {
        /// Its packet type.
        packet_type: u8,
    },
}

/// A sender report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderReport {
    /// The sender's SSRC.
    pub ssrc: u32,
    /// NTP timestamp of the report (RFC 3550 §4).
    pub ntp_timestamp: u64,
    /// The RTP timestamp of the same instant.
    pub rtp_timestamp: u32,
    /// Packets the sender has sent.
    pub packet_count: u32,
    /// Payload octets the sender has sent.
    pub octet_count: u32,
    /// What the sender received.
    pub reports: Vec<ReportBlock>,
}

/// A receiver report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverReport {
    /// The reporter's SSRC.
    pub ssrc: u32,
    /// What it received.
    pub reports: Vec<ReportBlock>,
}

/// Reception of one source, as a reporter saw it (RFC 3550 §6.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportBlock {
    /// The source reported on.
    pub ssrc: u32,
    /// Fraction of its packets lost since the previous report, in 1/256.
    pub fraction_lost: u8,
    /// Packets lost since the start: a 24-bit signed count (negative when
    /// duplicates outnumber losses).
    pub cumulative_lost: i32,
    /// The extended highest sequence number received.
    pub extended_highest_sequence: u32,
    /// Interarrival jitter, in timestamp units.
    pub jitter: u32,
    /// The middle 32 bits of the NTP timestamp of the last SR received from
    /// the source (0: none yet).
    pub last_sr: u32,
    /// The delay since that SR was received, in 1/65536 s.
    pub delay_since_last_sr: u32,
}

/// The items describing one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdesChunk {
    /// The source.
    pub ssrc: u32,
    /// Its items, in order.
    pub items: Vec<SdesItem>,
}

/// One SDES item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdesItem {
    /// Its type ([`sdes_type`]).
    pub kind: u8,
    /// Its text (invalid UTF-8 replaced), at most 255 bytes on the wire.
    /// Empty items are neither read nor written.
    pub value: String,
}

/// A goodbye.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bye {
    /// The sources leaving.
    pub sources: Vec<u32>,
    /// Why (invalid UTF-8 replaced); an empty reason reads as `None`.
    pub reason: Option<String>,
}

/// Parses a compound RTCP packet. The whole datagram is refused if any of
/// its packets is malformed (RFC 3550 §6.1 leaves a partly valid compound
/// packet to the implementation; a datagram is the unit of loss anyway).
pub fn parse_rtcp(datagram: &[u8]) -> Result<Vec<RtcpPacket>, RtpError> {
    let malformed = |e: rtcp_types::RtcpParseError| RtpError::Malformed(e.to_string());
    let mut packets = Vec::new();
    for packet in Compound::parse(datagram).map_err(malformed)? {
        packets.push(match packet.map_err(malformed)? {
            Packet::Sr(sr) => RtcpPacket::SenderReport(sender_report(&sr)),
            Packet::Rr(rr) => RtcpPacket::ReceiverReport(ReceiverReport {
                ssrc: rr.ssrc(),
                reports: rr.report_blocks().map(|b| report_block(&b)).collect(),
            }),
            Packet::Sdes(sdes) => RtcpPacket::Sdes(sdes_chunks(&sdes)),
            Packet::Bye(bye) => RtcpPacket::Bye(goodbye(&bye)),
            other => RtcpPacket::Other {
                packet_type: packet_type(&other),
            },
        });
    }
    Ok(packets)
}

fn sender_report(sr: &SrParser<'_>) -> SenderReport {
    SenderReport {
        ssrc: sr.ssrc(),
        ntp_timestamp: sr.ntp_timestamp(),
        rtp_timestamp: sr.rtp_timestamp(),
        packet_count: sr.packet_count(),
        octet_count: sr.octet_count(),
        reports: sr.report_blocks().map(|b| report_block(&b)).collect(),
    }
}

fn report_block(b: &RbParser<'_>) -> ReportBlock {
    ReportBlock {
        ssrc: b.ssrc(),
        fraction_lost: b.fraction_lost(),
        // Sign-extend the 24-bit field.
        cumulative_lost: ((b.cumulative_lost() << 8) as i32) >> 8,
        extended_highest_sequence: b.extended_sequence_number(),
        jitter: b.interarrival_jitter(),
        last_sr: b.last_sender_report_timestamp(),
        delay_since_last_sr: b.delay_since_last_sender_report_timestamp(),
    }
}

fn sdes_chunks(sdes: &SdesParser<'_>) -> Vec<SdesChunk> {
    sdes.chunks()
        .map(|chunk: &SdesChunkParser<'_>| SdesChunk {
            ssrc: chunk.ssrc(),
            items: chunk
                .items()
                // PRIV items are skipped: their prefix length is not checked
                // against the item's own length by the parser. Empty items
                // say nothing, and are not written either (see `write_rtcp`).
                .filter(|item: &&SdesItemParser<'_>| {
                    item.type_() != sdes_type::PRIV && !item.value().is_empty()
                })
                .map(|item| SdesItem {
                    kind: item.type_(),
                    value: String::from_utf8_lossy(item.value()).into_owned(),
                })
                .collect(),
        })
        .collect()
}

fn goodbye(bye: &ByeParser<'_>) -> Bye {
    Bye {
        sources: bye.ssrcs().collect(),
        // A reason of length 0 is no reason (and is written as none).
        reason: bye
            .reason()
            .filter(|r| !r.is_empty())
            .map(|r| String::from_utf8_lossy(r).into_owned()),
    }
}

fn packet_type(packet: &Packet<'_>) -> u8 {
    use rtcp_types::RtcpPacketParserExt;
    packet.type_()
}

/// Writes packets as one compound RTCP packet.
///
/// Fails on what cannot be written: [`RtcpPacket::Other`], more than 31
/// report blocks, SDES chunks or BYE sources in one packet, a cumulative
/// loss outside 24 bits, an SDES value or BYE reason over 255 bytes.
pub fn write_rtcp(packets: &[RtcpPacket]) -> Result<Vec<u8>, RtpError> {
    let misuse = |e: rtcp_types::RtcpWriteError| RtpError::Misuse(e.to_string());
    let mut compound = Compound::builder();
    for packet in packets {
        compound = match packet {
            RtcpPacket::SenderReport(sr) => {
                let mut b = SrParser::builder(sr.ssrc)
                    .ntp_timestamp(sr.ntp_timestamp)
                    .rtp_timestamp(sr.rtp_timestamp)
                    .packet_count(sr.packet_count)
                    .octet_count(sr.octet_count);
                for block in &sr.reports {
                    b = b.add_report_block(block_builder(block)?);
                }
                compound.add_packet(b)
            }
            RtcpPacket::ReceiverReport(rr) => {
                let mut b = RrParser::builder(rr.ssrc);
                for block in &rr.reports {
                    b = b.add_report_block(block_builder(block)?);
                }
                compound.add_packet(b)
            }
            RtcpPacket::Sdes(chunks) => {
                let mut b = SdesParser::builder();
                for chunk in chunks {
                    let mut c = SdesChunkParser::builder(chunk.ssrc);
                    // Empty items are left out: they say nothing, and
                    // `rtcp-types` cannot parse one that ends a chunk
                    // without extra padding (it wants 4 bytes per item).
                    for item in chunk.items.iter().filter(|i| !i.value.is_empty()) {
                        c = c.add_item(SdesItemParser::builder(item.kind, &item.value));
                    }
                    b = b.add_chunk(c);
                }
                compound.add_packet(b)
            }
            RtcpPacket::Bye(bye) => {
                let mut b = ByeParser::builder();
                for &source in &bye.sources {
                    b = b.add_source(source);
                }
                if let Some(reason) = &bye.reason {
                    b = b.reason(reason.as_str());
                }
                compound.add_packet(b)
            }
            RtcpPacket::Other { packet_type } => {
                return Err(RtpError::Misuse(format!(
                    "cannot write an RTCP packet of type {packet_type}"
                )));
            }
        };
    }
    let size = compound.calculate_size().map_err(misuse)?;
    let mut out = vec![0; size];
    compound.write_into(&mut out).map_err(misuse)?;
    Ok(out)
}

fn block_builder(block: &ReportBlock) -> Result<rtcp_types::ReportBlockBuilder, RtpError> {
    if !(-(1 << 23)..(1 << 23)).contains(&block.cumulative_lost) {
        return Err(RtpError::Misuse(format!(
            "cumulative loss {} does not fit 24 bits",
            block.cumulative_lost
        )));
    }
    Ok(RbParser::builder(block.ssrc)
        .fraction_lost(block.fraction_lost)
        .cumulative_lost(block.cumulative_lost as u32 & 0x00FF_FFFF)
        .extended_sequence_number(block.extended_highest_sequence)
        .interarrival_jitter(block.jitter)
        .last_sender_report_timestamp(block.last_sr)
        .delay_since_last_sender_report_timestamp(block.delay_since_last_sr))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(ssrc: u32, cumulative_lost: i32) -> ReportBlock {
        ReportBlock {
            ssrc,
            fraction_lost: 25,
            cumulative_lost,
            extended_highest_sequence: 0x0001_0203,
            jitter: 77,
            last_sr: 0xAABB_CCDD,
            delay_since_last_sr: 65_536,
        }
    }

    #[test]
    fn compound_round_trip() {
        let packets = vec![
            RtcpPacket::SenderReport(SenderReport {
                ssrc: 1,
                ntp_timestamp: 0x0102_0304_0506_0708,
                rtp_timestamp: 160,
                packet_count: 3,
                octet_count: 480,
                reports: vec![block(2, -3)],
            }),
            RtcpPacket::ReceiverReport(ReceiverReport {
                ssrc: 1,
                reports: vec![block(3, 1_000), block(4, 0)],
            }),
            RtcpPacket::Sdes(vec![SdesChunk {
                ssrc: 1,
                items: vec![
                    SdesItem {
                        kind: sdes_type::CNAME,
                        value: "abc@example.com".into(),
                    },
                    SdesItem {
                        kind: sdes_type::TOOL,
                        value: "ferrosip".into(),
                    },
                ],
            }]),
            RtcpPacket::Bye(Bye {
                sources: vec![1],
                reason: Some("done".into()),
            }),
        ];
        let bytes = write_rtcp(&packets).unwrap();
        assert_eq!(bytes.len() % 4, 0);
        assert_eq!(bytes[1], 200);
        assert_eq!(parse_rtcp(&bytes).unwrap(), packets);
    }

    #[test]
    fn empty_sdes_items_are_left_out() {
        let chunk = |items| RtcpPacket::Sdes(vec![SdesChunk { ssrc: 6, items }]);
        let item = |kind, value: &str| SdesItem {
            kind,
            value: value.into(),
        };
        let bytes = write_rtcp(&[chunk(vec![item(1, "c"), item(16, "")])]).unwrap();
        assert_eq!(parse_rtcp(&bytes).unwrap(), [chunk(vec![item(1, "c")])]);
        // An empty item read from the wire (with room to spare) is dropped.
        let bytes = [0x81, 202, 0, 3, 0, 0, 0, 6, 16, 0, 1, 1, b'c', 0, 0, 0];
        assert_eq!(parse_rtcp(&bytes).unwrap(), [chunk(vec![item(1, "c")])]);
    }

    #[test]
    fn an_empty_reason_is_no_reason() {
        // BYE from SSRC 6 with a reason of length 0, padded to a word.
        let bytes = [0x81, 203, 0, 2, 0, 0, 0, 6, 0, 0, 0, 0];
        let packets = parse_rtcp(&bytes).unwrap();
        assert_eq!(
            packets,
            vec![RtcpPacket::Bye(Bye {
                sources: vec![6],
                reason: None
            })]
        );
    }

    #[test]
    fn bye_without_reason() {
        let packets = vec![RtcpPacket::Bye(Bye {
            sources: vec![7, 8],
            reason: None,
        })];
        assert_eq!(parse_rtcp(&write_rtcp(&packets).unwrap()).unwrap(), packets);
    }

    #[test]
    fn refuses_what_cannot_be_written_or_parsed() {
        assert!(write_rtcp(&[RtcpPacket::Other { packet_type: 204 }]).is_err());
        let too_lost = RtcpPacket::ReceiverReport(ReceiverReport {
            ssrc: 1,
            reports: vec![block(2, 1 << 23)],
        });
        assert!(write_rtcp(&[too_lost]).is_err());
        assert!(parse_rtcp(&[]).is_err());
        assert!(parse_rtcp(&[0x80, 201, 0, 5, 0, 0]).is_err(), "truncated");
        assert!(parse_rtcp(&[0x40, 201, 0, 0]).is_err(), "version 1");
    }

    #[test]
    fn unknown_types_are_kept_as_other() {
        // An APP packet: name "test", no data.
        let bytes = [0x80, 204, 0, 2, 0, 0, 0, 1, b't', b'e', b's', b't'];
        assert_eq!(
            parse_rtcp(&bytes).unwrap(),
            vec![RtcpPacket::Other { packet_type: 204 }]
        );
    }
}
