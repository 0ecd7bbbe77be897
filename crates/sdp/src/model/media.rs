//! One media description: an `m=` line and what follows it.

use super::{Bandwidth, Connection, OtherLine};
use crate::attr::{Attribute, Candidate, Crypto, Direction, Fmtp, Rtcp, Rtpmap, Ssrc, lookup};

/// An `m=` section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaDescription {
    /// Media type: `audio`, `video`, `application`, …
    pub media: String,
    /// Transport port; 0 rejects or disables the stream (RFC 3264 §6).
    pub port: u16,
    /// The `/<number of ports>` suffix, when written.
    pub port_count: Option<u16>,
    /// Transport protocol: `RTP/AVP`, `RTP/SAVP`, `RTP/AVPF`,
    /// `UDP/TLS/RTP/SAVP`, …
    pub protocol: String,
    /// Media formats: RTP payload type numbers for RTP protocols.
    pub formats: Vec<String>,
    /// `i=`.
    pub info: Option<String>,
    /// `c=` lines (several only for multicast layers).
    pub connections: Vec<Connection>,
    /// `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `k=` (obsolete, kept).
    pub key: Option<String>,
    /// `a=` lines in order.
    pub attributes: Vec<Attribute>,
    /// Lines of other types met in this section, in order.
    pub other_lines: Vec<OtherLine>,
}

impl MediaDescription {
    /// An `m=` line with no other lines.
    pub fn new(media: &str, port: u16, protocol: &str, formats: Vec<String>) -> Self {
        Self {
            media: media.to_owned(),
            port,
            protocol: protocol.to_owned(),
            formats,
            ..Self::default()
        }
    }

    /// Whether the protocol carries RTP (so formats are payload types).
    pub fn is_rtp(&self) -> bool {
        self.protocol
            .split('/')
            .any(|p| p.eq_ignore_ascii_case("RTP"))
    }

    /// The formats that are payload type numbers, in order.
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + '_ {
        self.formats.iter().filter_map(|f| crate::attr::rtp_pt(f))
    }

    /// The first attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        lookup::first(&self.attributes, name)
    }

    /// Every attribute called `name`, in order.
    pub fn attributes_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Attribute> {
        self.attributes.iter().filter(move |a| a.name == name)
    }

    /// Appends an attribute.
    pub fn push(&mut self, attr: impl Into<Attribute>) {
        self.attributes.push(attr.into());
    }

    /// Every well-formed `a=rtpmap`, in order.
    pub fn rtpmaps(&self) -> impl Iterator<Item = Rtpmap> + '_ {
        self.attributes_named("rtpmap")
            .filter_map(|a| Rtpmap::parse(a.value_str()).ok())
    }

    /// The `a=rtpmap` of payload type `pt`.
    pub fn rtpmap(&self, pt: u8) -> Option<Rtpmap> {
        self.rtpmaps().find(|r| r.payload_type == pt)
    }

    /// Every well-formed `a=fmtp`, in order.
    pub fn fmtps(&self) -> impl Iterator<Item = Fmtp> + '_ {
        self.attributes_named("fmtp")
            .filter_map(|a| Fmtp::parse(a.value_str()).ok())
    }

    /// The `a=fmtp` of payload type `pt`.
    pub fn fmtp(&self, pt: u8) -> Option<Fmtp> {
        self.fmtps().find(|f| f.payload_type == pt)
    }

    /// `a=ptime`, in milliseconds.
    pub fn ptime(&self) -> Option<u32> {
        lookup::number(&self.attributes, "ptime")
    }

    /// `a=maxptime`, in milliseconds.
    pub fn maxptime(&self) -> Option<u32> {
        lookup::number(&self.attributes, "maxptime")
    }

    /// The direction attribute of this medium, if it has one (see
    /// [`crate::SessionDescription::media_direction`] for the default
    /// from the session level).
    pub fn direction(&self) -> Option<Direction> {
        lookup::direction(&self.attributes)
    }

    /// Replaces any direction attribute with `dir`.
    pub fn set_direction(&mut self, dir: Direction) {
        lookup::remove_direction(&mut self.attributes);
        self.attributes.push(dir.into());
    }

    /// `a=rtcp` (RFC 3605), if present and well formed.
    pub fn rtcp(&self) -> Option<Rtcp> {
        self.attribute("rtcp")
            .and_then(|a| Rtcp::parse(a.value_str()).ok())
    }

    /// Whether `a=rtcp-mux` (RFC 5761) is present.
    pub fn rtcp_mux(&self) -> bool {
        self.attribute("rtcp-mux").is_some()
    }

    /// `a=mid` (RFC 5888).
    pub fn mid(&self) -> Option<&str> {
        self.attribute("mid").map(Attribute::value_str)
    }

    /// Every well-formed `a=ssrc` (RFC 5576).
    pub fn ssrcs(&self) -> impl Iterator<Item = Ssrc> + '_ {
        self.attributes_named("ssrc")
            .filter_map(|a| Ssrc::parse(a.value_str()).ok())
    }

    /// Every well-formed `a=crypto` (RFC 4568).
    pub fn cryptos(&self) -> impl Iterator<Item = Crypto> + '_ {
        self.attributes_named("crypto")
            .filter_map(|a| Crypto::parse(a.value_str()).ok())
    }

    /// Every well-formed `a=candidate` (RFC 8839).
    pub fn candidates(&self) -> impl Iterator<Item = Candidate> + '_ {
        self.attributes_named("candidate")
            .filter_map(|a| Candidate::parse(a.value_str()).ok())
    }

    /// `a=ice-ufrag`.
    pub fn ice_ufrag(&self) -> Option<&str> {
        self.attribute("ice-ufrag").map(Attribute::value_str)
    }

    /// `a=ice-pwd`.
    pub fn ice_pwd(&self) -> Option<&str> {
        self.attribute("ice-pwd").map(Attribute::value_str)
    }

    /// `a=setup` (RFC 4145), as written.
    pub fn setup(&self) -> Option<&str> {
        self.attribute("setup").map(Attribute::value_str)
    }

    /// `a=fingerprint` (RFC 8122), as written.
    pub fn fingerprint(&self) -> Option<&str> {
        self.attribute("fingerprint").map(Attribute::value_str)
    }
}
