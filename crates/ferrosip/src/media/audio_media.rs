//! PJSUA2's `AudioMedia`: a handle to a port of the conference bridge.

use std::sync::{Arc, Weak};

use media::bridge::PortId;

use super::ConfPortInfo;
use super::engine::MediaShared;
use crate::config::AudioMediaTransmitParam;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, status};

/// A port of the conference bridge (PJSUA2's `AudioMedia`): a player, a
/// recorder, a tone generator, a call's audio, the sound device. Any port
/// can transmit to any other; a port hears the sum of what transmits to
/// it.
///
/// A cheap, cloneable handle that does not own the port: the object that
/// made it ([`super::AudioMediaPlayer`], a call, …) does. Once the port is
/// gone (or the library destroyed) every method returns an error; a stale
/// handle never reaches a port that took the slot later.
#[derive(Debug, Clone, Default)]
pub struct AudioMedia {
    media: Weak<MediaShared>,
    port: Option<PortId>,
}

impl PartialEq for AudioMedia {
    fn eq(&self, other: &Self) -> bool {
        self.port == other.port && Weak::ptr_eq(&self.media, &other.media)
    }
}

fn no_port(title: &str) -> Error {
    Error::new(
        status::PJ_EINVAL,
        title,
        "the media has no conference port (not created, or destroyed)",
    )
}

impl AudioMedia {
    pub(crate) fn new(media: &Arc<MediaShared>, port: PortId) -> Self {
        Self {
            media: Arc::downgrade(media),
            port: Some(port),
        }
    }

    /// The bridge port behind this handle, and its engine.
    pub(crate) fn resolve(&self, title: &str) -> Result<(Arc<MediaShared>, PortId)> {
        let port = self.port.ok_or_else(|| no_port(title))?;
        let media = self.media.upgrade().ok_or_else(|| no_port(title))?;
        Ok((media, port))
    }

    /// The conference port id (PJSUA2's `getPortId`); −1 when there is no
    /// port (PJSUA2's `PJSUA_INVALID_ID`).
    pub fn port_id(&self) -> i32 {
        self.port.map_or(-1, super::types::slot_number)
    }

    /// What the bridge knows of the port (PJSUA2's `getPortInfo`).
    pub fn port_info(&self) -> Result<ConfPortInfo> {
        let title = "AudioMedia::getPortInfo()";
        let (media, port) = self.resolve(title)?;
        media
            .with_core(title, |core| core.bridge.port_info(port))?
            .map(ConfPortInfo::from)
            .map_err(|e| super::errors::bridge(title, &e))
    }

    /// The port with conference port id `port_id`, as a handle (PJSUA2's
    /// `getPortInfoFromId` finds its info; this finds the port).
    pub fn from_port_id(ep: &Endpoint, port_id: i32) -> Result<Self> {
        let title = "AudioMedia::getPortInfoFromId()";
        let media = ep.media(title)?;
        let found = media.with_core(title, |core| {
            core.bridge
                .ports()
                .into_iter()
                .find(|p| i64::from(p.slot()) == i64::from(port_id))
        })?;
        let port = found.ok_or_else(|| {
            Error::new(
                status::PJ_EINVAL,
                title,
                format!("no conference port {port_id}"),
            )
        })?;
        Ok(Self::new(&media, port))
    }

    /// The info of conference port `port_id` (PJSUA2's static
    /// `AudioMedia::getPortInfoFromId`).
    pub fn port_info_from_id(ep: &Endpoint, port_id: i32) -> Result<ConfPortInfo> {
        Self::from_port_id(ep, port_id)?.port_info()
    }

    /// Starts sending this port's audio to `sink` at level 1.0 (PJSUA2's
    /// `startTransmit`). Connecting twice changes nothing.
    pub fn start_transmit(&self, sink: &Self) -> Result<()> {
        self.connect("AudioMedia::startTransmit()", sink, 1.0)
    }

    /// Starts sending to `sink` with the level in `param` (PJSUA2's
    /// `startTransmit2`); connecting again changes the level.
    pub fn start_transmit2(&self, sink: &Self, param: &AudioMediaTransmitParam) -> Result<()> {
        self.connect("AudioMedia::startTransmit2()", sink, param.level)
    }

    fn connect(&self, title: &str, sink: &Self, level: f32) -> Result<()> {
        let (media, src) = self.resolve(title)?;
        let (other, dst) = sink.resolve(title)?;
        if !Arc::ptr_eq(&media, &other) {
            return Err(no_port(title));
        }
        media
            .with_core(title, |core| core.bridge.connect(src, dst, level))?
            .map_err(|e| super::errors::bridge(title, &e))
    }

    /// Stops sending to `sink` (PJSUA2's `stopTransmit`); nothing happens
    /// if it was not.
    pub fn stop_transmit(&self, sink: &Self) -> Result<()> {
        let title = "AudioMedia::stopTransmit()";
        let (media, src) = self.resolve(title)?;
        let (_, dst) = sink.resolve(title)?;
        media
            .with_core(title, |core| core.bridge.disconnect(src, dst))?
            .map(drop)
            .map_err(|e| super::errors::bridge(title, &e))
    }

    /// Scales what this port gives the bridge: 1.0 unchanged, 0 mute
    /// (PJSUA2's `adjustRxLevel`).
    pub fn adjust_rx_level(&self, level: f32) -> Result<()> {
        let title = "AudioMedia::adjustRxLevel()";
        let (media, port) = self.resolve(title)?;
        media
            .with_core(title, |core| core.bridge.adjust_rx_level(port, level))?
            .map_err(|e| super::errors::bridge(title, &e))
    }

    /// Scales what the bridge sends this port (PJSUA2's `adjustTxLevel`).
    pub fn adjust_tx_level(&self, level: f32) -> Result<()> {
        let title = "AudioMedia::adjustTxLevel()";
        let (media, port) = self.resolve(title)?;
        media
            .with_core(title, |core| core.bridge.adjust_tx_level(port, level))?
            .map_err(|e| super::errors::bridge(title, &e))
    }

    /// The level of the last frame this port gave, 0–255 (PJSUA2's
    /// `getRxLevel`).
    pub fn rx_level(&self) -> Result<u32> {
        let title = "AudioMedia::getRxLevel()";
        let (media, port) = self.resolve(title)?;
        media
            .with_core(title, |core| core.bridge.rx_level(port))?
            .map(u32::from)
            .map_err(|e| super::errors::bridge(title, &e))
    }

    /// The level of the last frame sent to this port, 0–255 (PJSUA2's
    /// `getTxLevel`).
    pub fn tx_level(&self) -> Result<u32> {
        let title = "AudioMedia::getTxLevel()";
        let (media, port) = self.resolve(title)?;
        media
            .with_core(title, |core| core.bridge.tx_level(port))?
            .map(u32::from)
            .map_err(|e| super::errors::bridge(title, &e))
    }

    /// Removes the port from the bridge (what the owner does when it is
    /// destroyed). Nothing happens if it is already gone.
    pub(crate) fn remove_from_bridge(&self) {
        if let Ok((media, port)) = self.resolve("AudioMedia") {
            media.remove_port(port);
        }
    }
}
