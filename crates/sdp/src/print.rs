//! The printer: RFC 8866 §5's order, CRLF after every line.
//!
//! Session: `v o s i u e p c b t r z k a`, then the lines of unknown type,
//! then each medium: `m i c b k a`, then its lines of unknown type.

use std::fmt::{self, Write};

use crate::model::{MediaDescription, OtherLine, SessionDescription};

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("v=0\r\n")?;
        line(f, 'o', &self.origin)?;
        line(f, 's', &self.session_name)?;
        opt(f, 'i', self.info.as_ref())?;
        opt(f, 'u', self.uri.as_ref())?;
        for e in &self.emails {
            line(f, 'e', e)?;
        }
        for p in &self.phones {
            line(f, 'p', p)?;
        }
        opt(f, 'c', self.connection.as_ref())?;
        for b in &self.bandwidths {
            line(f, 'b', b)?;
        }
        for t in &self.times {
            write!(f, "t={} {}\r\n", t.start, t.stop)?;
            for r in &t.repeats {
                line(f, 'r', r)?;
            }
        }
        opt(f, 'z', self.zone.as_ref())?;
        opt(f, 'k', self.key.as_ref())?;
        for a in &self.attributes {
            line(f, 'a', a)?;
        }
        others(f, &self.other_lines)?;
        for m in &self.media {
            media(f, m)?;
        }
        Ok(())
    }
}

fn media(f: &mut fmt::Formatter<'_>, m: &MediaDescription) -> fmt::Result {
    write!(f, "m={} {}", m.media, m.port)?;
    if let Some(n) = m.port_count {
        write!(f, "/{n}")?;
    }
    write!(f, " {}", m.protocol)?;
    for fmt in &m.formats {
        f.write_char(' ')?;
        f.write_str(fmt)?;
    }
    f.write_str("\r\n")?;
    opt(f, 'i', m.info.as_ref())?;
    for c in &m.connections {
        line(f, 'c', c)?;
    }
    for b in &m.bandwidths {
        line(f, 'b', b)?;
    }
    opt(f, 'k', m.key.as_ref())?;
    for a in &m.attributes {
        line(f, 'a', a)?;
    }
    others(f, &m.other_lines)
}

fn line(f: &mut fmt::Formatter<'_>, kind: char, value: impl fmt::Display) -> fmt::Result {
    write!(f, "{kind}={value}\r\n")
}

fn opt(f: &mut fmt::Formatter<'_>, kind: char, value: Option<impl fmt::Display>) -> fmt::Result {
    match value {
        Some(v) => line(f, kind, v),
        None => Ok(()),
    }
}

fn others(f: &mut fmt::Formatter<'_>, lines: &[OtherLine]) -> fmt::Result {
    for o in lines {
        line(f, o.kind, &o.value)?;
    }
    Ok(())
}
