//! Port ids and what the bridge tells about a port.

use std::fmt;

use crate::port::AudioFormat;

/// A port's place in the bridge: a slot number and the generation of the
/// port in it.
///
/// While a port lives no other port gets its id; once it is removed the
/// slot may be reused, but with a new generation, so a stale id is refused
/// ([`super::BridgeError::NoSuchPort`]) rather than reaching the newcomer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortId {
    pub(crate) slot: u32,
    pub(crate) generation: u32,
}

impl PortId {
    /// The slot number: PJSUA2's conference port id (`getPortId()`), the
    /// first port added being 0.
    pub fn slot(&self) -> u32 {
        self.slot
    }

    /// How many ports held this slot before this one.
    pub fn generation(&self) -> u32 {
        self.generation
    }
}

impl fmt::Display for PortId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.slot)?;
        if self.generation != 0 {
            write!(f, "/{}", self.generation)?;
        }
        Ok(())
    }
}

/// What PJSUA2's `AudioMedia.getPortInfo()` reports (`ConfPortInfo`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConfPortInfo {
    /// The port (`portId`).
    pub port_id: PortId,
    /// The name it was added with (`name`).
    pub name: String,
    /// Its own format (`format`).
    pub format: AudioFormat,
    /// Level adjustment of what the bridge sends it (`txLevelAdj`), 1 = as is.
    pub tx_level_adj: f32,
    /// Level adjustment of what it gives the bridge (`rxLevelAdj`), 1 = as is.
    pub rx_level_adj: f32,
    /// The ports it transmits to (`listeners`).
    pub listeners: Vec<PortId>,
}
