//! JSON persistence in PJSUA2's document shape.
//!
//! [`JsonDocument`] saves configs ([`crate::config`]) as PJSUA2 2.15.1 saves
//! them and loads what PJSUA2 saves, so settings files move both ways
//! between ferrosip and PJSUA2 applications:
//!
//! ```
//! use ferrosip::config::{AccountConfig, EpConfig};
//! use ferrosip::json::JsonDocument;
//!
//! let mut acc = AccountConfig::default();
//! acc.id_uri = "sip:alice@example.com".into();
//!
//! let mut doc = JsonDocument::new();
//! doc.write_object(&EpConfig::default())?;
//! doc.write_object(&acc)?;
//! let text = doc.save_string()?; // { "EpConfig": {...}, "AccountConfig": {...} }
//!
//! let mut doc = JsonDocument::new();
//! doc.load_string(&text)?;
//! let mut back = AccountConfig::default();
//! doc.read_object(&mut back)?;
//! assert_eq!(back.id_uri, "sip:alice@example.com");
//! # Ok::<(), ferrosip::Error>(())
//! ```
//!
//! # Writing: what PJSUA2 writes
//!
//! Each config writes a container named by its PJSUA2 class (`"UaConfig"`,
//! `"AccountRegConfig"`, `"TransportConfig"`, ...) holding PJSUA2's keys
//! in PJSUA2's order, and leaves out what PJSUA2 2.15.1 leaves out
//! (`UaConfig.outboundProxies`, `TransportConfig.randomizePort`,
//! `TlsConfig.proto` and `enableRenegotiation`, `AuthCredInfo.algoType`,
//! `AccountRegConfig.disableRegOnModify` and `contactUriParams`,
//! `AccountSipConfig.ipv6Use`, and `AccountConfig.ipChangeConfig` and
//! `AccountMediaConfig.rtcpFbConfig` as wholes). The text is laid out byte
//! for byte as PJSUA2 lays it out. Two deliberate differences: integers
//! are exact (PJSUA2 passes them through a `float`, so 16777217 saves as
//! 16777216), and strings inside arrays are written so that PJSUA2 reads
//! them back (non-ASCII as raw UTF-8, `/` unescaped), where PJSUA2's own
//! per-byte escapes there do not survive its reader.
//!
//! # Reading: lenient where PJSUA2 is strict
//!
//! PJSUA2 reads each object as a sequence and fails on any key out of
//! order. ferrosip reads objects by key: order does not matter, a missing
//! key keeps the field's current value, unknown keys are ignored, and the
//! fields PJSUA2 leaves out are read when present. Arrays are read in
//! order. A config is changed only if its whole read succeeds.
//!
//! Bad JSON is an [`Error`](crate::Error) with status `PJLIB_UTIL_EINJSON`
//! (320030), titled by the operation (`loadString()`), whose reason gives
//! the line and column: `JSON parsing failed at line 1 column 11: expected
//! ',' or ']', found '}'`. A value of the wrong type, an integer out of
//! range for its field, or an enum value that is not defined names the
//! key's path and its place: `EpConfig.UaConfig.maxCalls: expected a
//! number, got a string (line 4 column 16)`. Nothing in the input can make
//! the reader panic.

mod document;
mod node;
mod parse;
mod persist;
mod tree;
mod write;

pub use document::JsonDocument;
pub use node::ContainerNode;

use crate::error::Result;

/// Something that can be saved into and loaded from a document (PJSUA2's
/// `PersistentObject`).
///
/// `write_object` adds the object's own container (or array) to `node`;
/// `read_object` reads it back out of `node`. Every config of
/// [`crate::config`] implements it.
pub trait PersistentObject {
    /// Reads this object's values from its container inside `node`.
    fn read_object(&mut self, node: &ContainerNode) -> Result<()>;

    /// Writes this object's values as a new container inside `node`.
    fn write_object(&self, node: &mut ContainerNode) -> Result<()>;
}

#[cfg(test)]
mod tests;
