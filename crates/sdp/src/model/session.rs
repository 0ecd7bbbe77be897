//! The whole session description.

use super::{Bandwidth, Connection, MediaDescription, Origin, OtherLine, Timing};
use crate::attr::{Attribute, Direction, lookup};

/// A session description (RFC 8866): the session-level lines, then the
/// media descriptions in order. `v=` is always 0 and not stored.
///
/// Parse with [`SessionDescription::parse`], print with `Display`
/// (`to_string()`), which writes RFC 8866 §5's order with CRLF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=`.
    pub origin: Origin,
    /// `s=` (`-` or a space when there is no name; may be empty as
    /// written by some peers).
    pub session_name: String,
    /// `i=`.
    pub info: Option<String>,
    /// `u=`.
    pub uri: Option<String>,
    /// `e=` lines.
    pub emails: Vec<String>,
    /// `p=` lines.
    pub phones: Vec<String>,
    /// Session-level `c=`.
    pub connection: Option<Connection>,
    /// Session-level `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `t=` lines with their `r=` lines.
    pub times: Vec<Timing>,
    /// `z=` (time zone adjustments), as written.
    pub zone: Option<String>,
    /// Session-level `k=` (obsolete, kept).
    pub key: Option<String>,
    /// Session-level `a=` lines in order.
    pub attributes: Vec<Attribute>,
    /// Session-level lines of other types, in order.
    pub other_lines: Vec<OtherLine>,
    /// The media descriptions in order.
    pub media: Vec<MediaDescription>,
}

impl SessionDescription {
    /// A description with `o=`, `s=` and `t=0 0` and nothing else.
    pub fn new(origin: Origin, session_name: &str) -> Self {
        Self {
            origin,
            session_name: session_name.to_owned(),
            info: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            times: vec![Timing::default()],
            zone: None,
            key: None,
            attributes: Vec::new(),
            other_lines: Vec::new(),
            media: Vec::new(),
        }
    }

    /// The first session-level attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        lookup::first(&self.attributes, name)
    }

    /// The session-level direction attribute, the default of every medium.
    pub fn direction(&self) -> Option<Direction> {
        lookup::direction(&self.attributes)
    }

    /// The direction of medium `index`: its own attribute, else the
    /// session's, else `sendrecv` (RFC 8866 §6.7). `None` for no such
    /// medium.
    pub fn media_direction(&self, index: usize) -> Option<Direction> {
        let m = self.media.get(index)?;
        Some(
            m.direction()
                .or_else(|| self.direction())
                .unwrap_or_default(),
        )
    }

    /// The connection of medium `index`: its first `c=`, else the
    /// session's.
    pub fn media_connection(&self, index: usize) -> Option<&Connection> {
        let m = self.media.get(index)?;
        m.connections.first().or(self.connection.as_ref())
    }
}
