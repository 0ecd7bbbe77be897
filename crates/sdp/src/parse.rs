//! The parser: bytes to a [`SessionDescription`].
//!
//! Tolerant where peers are sloppy (CRLF or bare LF, trailing whitespace,
//! blank lines, lines out of RFC 8866's order, unknown line types, which
//! are kept) and strict where a call cannot go on (no `v=0` first, no or
//! two `o=`/`s=`, malformed `o=`, `c=`, `b=`, `t=`, `m=` or attribute
//! name). Work and memory are bounded by [`MAX_SDP_LEN`], [`MAX_LINES`]
//! and [`MAX_LINE_LEN`]; it never panics.

use crate::attr::Attribute;
use crate::error::{ParseError, ParseErrorKind as K};
use crate::model::{
    Bandwidth, Connection, MediaDescription, Origin, OtherLine, SessionDescription, Timing, fields,
    is_token_byte,
};

/// The longest description accepted, in bytes (a SIP body over UDP is far
/// smaller; TCP allows more, and 64 KiB is plenty for any call).
pub const MAX_SDP_LEN: usize = 64 * 1024;
/// The most lines accepted.
pub const MAX_LINES: usize = 4096;
/// The longest line accepted, in bytes (long enough for H.264 `sprop`
/// parameters and ICE candidates).
pub const MAX_LINE_LEN: usize = 4096;

impl SessionDescription {
    /// Parses a session description.
    ///
    /// # Errors
    ///
    /// A [`ParseError`] with the line and the fault when a mandatory part
    /// is missing or malformed, or a limit is passed.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        if input.len() > MAX_SDP_LEN {
            return Err(ParseError {
                line: 0,
                kind: K::TooLong(MAX_SDP_LEN),
            });
        }
        let text = std::str::from_utf8(input).map_err(|e| {
            let line = 1 + input[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            ParseError {
                line,
                kind: K::NotUtf8,
            }
        })?;
        Parser::default().run(text)
    }

    /// Parses a session description from text.
    ///
    /// # Errors
    ///
    /// As [`SessionDescription::parse`].
    pub fn parse_str(text: &str) -> Result<Self, ParseError> {
        Self::parse(text.as_bytes())
    }
}

struct Parser {
    /// `o=` and `s=` once met; moved into `sdp` at the end.
    origin: Option<Origin>,
    name: Option<String>,
    /// Everything else, filled as lines come.
    sdp: SessionDescription,
    line: usize,
}

impl Default for Parser {
    fn default() -> Self {
        let blank = Origin {
            username: String::new(),
            session_id: 0,
            session_version: 0,
            net_type: String::new(),
            addr_type: String::new(),
            address: String::new(),
        };
        let mut sdp = SessionDescription::new(blank, "");
        sdp.times.clear();
        Self {
            origin: None,
            name: None,
            sdp,
            line: 0,
        }
    }
}

impl Parser {
    fn err(&self, kind: K) -> ParseError {
        ParseError {
            line: self.line,
            kind,
        }
    }

    fn run(mut self, text: &str) -> Result<SessionDescription, ParseError> {
        let mut seen_version = false;
        let mut in_media = false;
        // The last line that was not blank, for faults found at the end.
        let mut last = 0;
        for (index, raw) in text.split('\n').enumerate() {
            self.line = index + 1;
            if self.line > MAX_LINES {
                return Err(self.err(K::TooManyLines(MAX_LINES)));
            }
            if raw.len() > MAX_LINE_LEN {
                return Err(self.err(K::LineTooLong(MAX_LINE_LEN)));
            }
            let line = raw.trim_end_matches([' ', '\t', '\r']);
            if line.is_empty() {
                continue;
            }
            last = self.line;
            let bytes = line.as_bytes();
            if bytes.len() < 2 || bytes[1] != b'=' || !bytes[0].is_ascii_alphabetic() {
                return Err(self.err(K::NotALine));
            }
            let kind = char::from(bytes[0]);
            // The first byte is ASCII, the second '=': index 2 is a boundary.
            let value = &line[2..];
            if !seen_version {
                if kind != 'v' || value.trim() != "0" {
                    return Err(self.err(K::BadVersion));
                }
                seen_version = true;
                continue;
            }
            if kind == 'm' {
                if !in_media {
                    self.check_mandatory()?;
                }
                in_media = true;
                let m = parse_m(value).map_err(|what| self.malformed('m', what))?;
                self.sdp().media.push(m);
            } else if in_media {
                self.media_line(kind, value)?;
            } else {
                self.session_line(kind, value)?;
            }
        }
        if !seen_version {
            return Err(ParseError {
                line: 0,
                kind: K::Empty,
            });
        }
        self.line = last;
        if !in_media {
            self.check_mandatory()?;
        }
        let (Some(origin), Some(name)) = (self.origin, self.name) else {
            // check_mandatory returned Ok: both are set.
            return Err(ParseError {
                line: self.line,
                kind: K::Missing('o'),
            });
        };
        let mut sdp = self.sdp;
        sdp.origin = origin;
        sdp.session_name = name;
        Ok(sdp)
    }

    fn check_mandatory(&self) -> Result<(), ParseError> {
        if self.origin.is_none() {
            return Err(self.err(K::Missing('o')));
        }
        if self.name.is_none() {
            return Err(self.err(K::Missing('s')));
        }
        Ok(())
    }

    fn malformed(&self, line_type: char, what: &'static str) -> ParseError {
        self.err(K::Malformed { line_type, what })
    }

    fn sdp(&mut self) -> &mut SessionDescription {
        &mut self.sdp
    }

    fn session_line(&mut self, kind: char, value: &str) -> Result<(), ParseError> {
        match kind {
            'o' => {
                if self.origin.is_some() {
                    return Err(self.err(K::Duplicate('o')));
                }
                self.origin = Some(Origin::parse(value).map_err(|w| self.malformed('o', w))?);
            }
            's' => {
                if self.name.is_some() {
                    return Err(self.err(K::Duplicate('s')));
                }
                self.name = Some(value.to_owned());
            }
            'i' => self.set_once('i', value, |s| &mut s.info)?,
            'u' => self.set_once('u', value, |s| &mut s.uri)?,
            'z' => self.set_once('z', value, |s| &mut s.zone)?,
            'k' => self.set_once('k', value, |s| &mut s.key)?,
            'e' => self.sdp().emails.push(value.to_owned()),
            'p' => self.sdp().phones.push(value.to_owned()),
            'c' => {
                if self.sdp().connection.is_some() {
                    return Err(self.err(K::Duplicate('c')));
                }
                let c = Connection::parse(value).map_err(|w| self.malformed('c', w))?;
                self.sdp().connection = Some(c);
            }
            'b' => {
                let b = Bandwidth::parse(value).map_err(|w| self.malformed('b', w))?;
                self.sdp().bandwidths.push(b);
            }
            't' => {
                let t = Timing::parse(value).map_err(|w| self.malformed('t', w))?;
                self.sdp().times.push(t);
            }
            'r' => {
                let line = self.line;
                let Some(t) = self.sdp().times.last_mut() else {
                    return Err(ParseError {
                        line,
                        kind: K::RepeatWithoutTime,
                    });
                };
                t.repeats.push(value.to_owned());
            }
            'a' => {
                let a = Attribute::parse(value).map_err(|w| self.malformed('a', w))?;
                self.sdp().attributes.push(a);
            }
            _ => self.sdp().other_lines.push(OtherLine {
                kind,
                value: value.to_owned(),
            }),
        }
        Ok(())
    }

    fn set_once(
        &mut self,
        kind: char,
        value: &str,
        field: impl Fn(&mut SessionDescription) -> &mut Option<String>,
    ) -> Result<(), ParseError> {
        let line = self.line;
        let slot = field(self.sdp());
        if slot.is_some() {
            return Err(ParseError {
                line,
                kind: K::Duplicate(kind),
            });
        }
        *slot = Some(value.to_owned());
        Ok(())
    }

    fn media_line(&mut self, kind: char, value: &str) -> Result<(), ParseError> {
        let line = self.line;
        let parsed = match kind {
            'c' => Connection::parse(value)
                .map(Some)
                .map_err(|w| self.malformed('c', w))?,
            _ => None,
        };
        let bw = match kind {
            'b' => Some(Bandwidth::parse(value).map_err(|w| self.malformed('b', w))?),
            _ => None,
        };
        let attr = match kind {
            'a' => Some(Attribute::parse(value).map_err(|w| self.malformed('a', w))?),
            _ => None,
        };
        let Some(m) = self.sdp().media.last_mut() else {
            // in_media is set only after a medium was pushed.
            return Ok(());
        };
        match kind {
            'i' | 'k' => {
                let slot = if kind == 'i' { &mut m.info } else { &mut m.key };
                if slot.is_some() {
                    return Err(ParseError {
                        line,
                        kind: K::Duplicate(kind),
                    });
                }
                *slot = Some(value.to_owned());
            }
            'c' => m.connections.extend(parsed),
            'b' => m.bandwidths.extend(bw),
            'a' => m.attributes.extend(attr),
            _ => m.other_lines.push(OtherLine {
                kind,
                value: value.to_owned(),
            }),
        }
        Ok(())
    }
}

/// Parses the value of an `m=` line.
fn parse_m(value: &str) -> Result<MediaDescription, &'static str> {
    let mut f = fields(value);
    let media = f.next().ok_or("missing media type")?;
    if !media.bytes().all(is_token_byte) {
        return Err("media type is not a token");
    }
    let port_field = f.next().ok_or("missing port")?;
    let (port, count) = match port_field.split_once('/') {
        Some((p, c)) => (
            p,
            Some(c.parse().map_err(|_| "number of ports is not a number")?),
        ),
        None => (port_field, None),
    };
    let port = port.parse().map_err(|_| "port is not a number 0-65535")?;
    let protocol = f.next().ok_or("missing protocol")?;
    let formats = f.map(str::to_owned).collect();
    let mut m = MediaDescription::new(media, port, protocol, formats);
    m.port_count = count;
    Ok(m)
}
