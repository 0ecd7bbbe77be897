//! The conference bridge: ports, connections between them, and the tick
//! that moves one frame of audio along every connection.

use std::any::Any;

use super::error::BridgeError;
use super::info::{ConfPortInfo, PortId};
use super::level::{accumulate, clip, may_overflow, scale, signal_level};
use super::path::{Inbound, Outbound};
use crate::port::{AudioFormat, MediaPort};

/// A port the bridge can hand back as its own type.
trait BridgePort: MediaPort + Any {
    fn as_port(&mut self) -> &mut dyn MediaPort;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<T: MediaPort + Any> BridgePort for T {
    fn as_port(&mut self) -> &mut dyn MediaPort {
        self
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// A port added as `Box<dyn MediaPort>`.
struct BoxedPort(Box<dyn MediaPort>);

impl MediaPort for BoxedPort {
    fn format(&self) -> AudioFormat {
        self.0.format()
    }
    fn get_frame(&mut self, out: &mut [i16]) -> crate::port::FrameKind {
        self.0.get_frame(out)
    }
    fn put_frame(&mut self, frame: &[i16]) {
        self.0.put_frame(frame);
    }
}

/// One direction of a connection: the port at the other end and the level.
#[derive(Debug, Clone, Copy)]
struct Link {
    slot: u32,
    level: f32,
}

struct Entry {
    name: String,
    port: Box<dyn BridgePort>,
    format: AudioFormat,
    rx_adj: f32,
    tx_adj: f32,
    rx_level: u8,
    tx_level: u8,
    /// Ports this one transmits to.
    listeners: Vec<Link>,
    /// Ports transmitting to this one.
    transmitters: Vec<Link>,
    inbound: Inbound,
    outbound: Outbound,
    /// This tick's frame from the port, in the bridge's format.
    rx: Vec<i16>,
    rx_audio: bool,
    /// Given a silent frame on ticks when nothing transmits to it.
    fed_when_idle: bool,
}

struct Slot {
    generation: u32,
    entry: Option<Entry>,
}

/// The conference bridge (pjmedia's conference, PJSUA2's `AudioMedia`
/// world): any number of ports, any-to-any connections, mixing.
///
/// The bridge has its own format (PJSUA2's `MediaConfig`: `clockRate`
/// 16000, `channelCount` 1, `audioFramePtime` 20). Ports may have any clock
/// rate, channel count and frame duration; the bridge converts (see
/// [`crate::bridge`]). Each [`Bridge::tick`] moves one frame:
///
/// 1. every port that transmits to at least one other is asked for a frame
///    (ports with no listener are not read, so a player nobody listens to
///    does not advance — pjmedia's rule), converted to the bridge's format,
///    scaled by its rx level adjustment;
/// 2. every port that at least one port transmits to gets the sum of its
///    transmitters' frames, each scaled by its connection's level, summed in
///    32 bits, scaled by its tx level adjustment, clipped to 16 bits (loud
///    mixes saturate, they never wrap), converted to its format. Ports no
///    one transmits to are not written (pjmedia gives them an empty frame).
///
/// Frames a port marks [`crate::FrameKind::None`] are not mixed, but a port
/// with transmitters still receives silence for that tick, so a recorder's
/// file keeps time.
pub struct Bridge {
    format: AudioFormat,
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    mix: Vec<i32>,
    out: Vec<i16>,
    /// The transmitters with audio this tick, for the sink being mixed.
    active: Vec<Link>,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("format", &self.format)
            .field("ports", &self.live)
            .finish()
    }
}

fn check_level(level: f32) -> Result<(), BridgeError> {
    if level.is_finite() && level >= 0.0 {
        Ok(())
    } else {
        Err(BridgeError::InvalidLevel(level))
    }
}

impl Bridge {
    /// A bridge mixing frames of `format`.
    ///
    /// # Panics
    ///
    /// If `format` has no clock rate, no channel or no sample per frame: a
    /// programming error, not a runtime condition.
    pub fn new(format: AudioFormat) -> Self {
        assert!(
            format.clock_rate > 0 && format.channels > 0 && format.samples_per_frame > 0,
            "a bridge cannot mix frames of {format:?}"
        );
        Self {
            format,
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            mix: vec![0; format.frame_len()],
            out: vec![0; format.frame_len()],
            active: Vec::new(),
        }
    }

    /// The bridge's own format.
    pub fn format(&self) -> AudioFormat {
        self.format
    }

    /// Adds a port (PJSUA2's `registerMediaPort`). It takes the lowest free
    /// slot; it transmits to nothing and nothing transmits to it yet.
    pub fn add_port(
        &mut self,
        port: Box<dyn MediaPort>,
        name: impl Into<String>,
    ) -> Result<PortId, BridgeError> {
        self.insert(Box::new(BoxedPort(port)), name.into())
    }

    /// Adds a port keeping its type, so that [`Bridge::port_mut`] and
    /// [`Bridge::take_port`] can hand it back as a `P` (to poll a player's
    /// events, move it, close a recorder).
    pub fn add_typed_port<P: MediaPort + 'static>(
        &mut self,
        port: P,
        name: impl Into<String>,
    ) -> Result<PortId, BridgeError> {
        self.insert(Box::new(port), name.into())
    }

    fn insert(&mut self, port: Box<dyn BridgePort>, name: String) -> Result<PortId, BridgeError> {
        let format = port.format();
        if format.clock_rate == 0 || format.channels == 0 || format.samples_per_frame == 0 {
            return Err(BridgeError::InvalidFormat(format));
        }
        let entry = Entry {
            name,
            format,
            rx_adj: 1.0,
            tx_adj: 1.0,
            rx_level: 0,
            tx_level: 0,
            listeners: Vec::new(),
            transmitters: Vec::new(),
            inbound: Inbound::new(format, self.format)?,
            outbound: Outbound::new(format, self.format)?,
            rx: vec![0; self.format.frame_len()],
            rx_audio: false,
            fed_when_idle: false,
            port,
        };
        // The lowest free slot, as pjmedia reuses slots.
        let slot = match self.free.iter().enumerate().min_by_key(|(_, s)| **s) {
            Some((i, _)) => self.free.swap_remove(i),
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    entry: None,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let s = &mut self.slots[slot as usize];
        s.entry = Some(entry);
        self.live += 1;
        Ok(PortId {
            slot,
            generation: s.generation,
        })
    }

    fn entry(&self, id: PortId) -> Result<&Entry, BridgeError> {
        match self.slots.get(id.slot as usize) {
            Some(Slot {
                generation,
                entry: Some(e),
            }) if *generation == id.generation => Ok(e),
            _ => Err(BridgeError::NoSuchPort(id)),
        }
    }

    fn entry_mut(&mut self, id: PortId) -> Result<&mut Entry, BridgeError> {
        match self.slots.get_mut(id.slot as usize) {
            Some(Slot {
                generation,
                entry: Some(e),
            }) if *generation == id.generation => Ok(e),
            _ => Err(BridgeError::NoSuchPort(id)),
        }
    }

    fn id_of(&self, slot: u32) -> PortId {
        PortId {
            slot,
            generation: self.slots[slot as usize].generation,
        }
    }

    /// Removes a port and every connection to and from it, and drops it (a
    /// recorder completes its file). Its id is dead from now on.
    pub fn remove_port(&mut self, id: PortId) -> Result<(), BridgeError> {
        self.detach(id).map(drop)
    }

    /// Removes a port added with [`Bridge::add_typed_port`] and hands it
    /// back (to close a recorder and see the result). Nothing changes if it
    /// is not a `P`.
    pub fn take_port<P: MediaPort + 'static>(&mut self, id: PortId) -> Result<P, BridgeError> {
        if !self.entry(id)?.port.as_any().is::<P>() {
            return Err(BridgeError::WrongPortType(id));
        }
        let port = self.detach(id)?.into_any();
        // The type was checked just above.
        port.downcast::<P>()
            .map(|p| *p)
            .map_err(|_| BridgeError::WrongPortType(id))
    }

    fn detach(&mut self, id: PortId) -> Result<Box<dyn BridgePort>, BridgeError> {
        self.entry(id)?;
        let slot = &mut self.slots[id.slot as usize];
        let Some(entry) = slot.entry.take() else {
            return Err(BridgeError::NoSuchPort(id));
        };
        slot.generation = slot.generation.wrapping_add(1);
        for link in &entry.listeners {
            if let Some(e) = self.slots[link.slot as usize].entry.as_mut() {
                e.transmitters.retain(|l| l.slot != id.slot);
            }
        }
        for link in &entry.transmitters {
            if let Some(e) = self.slots[link.slot as usize].entry.as_mut() {
                e.listeners.retain(|l| l.slot != id.slot);
            }
        }
        self.free.push(id.slot);
        self.live -= 1;
        Ok(entry.port)
    }

    /// Puts `port` in the place of the port `id`, which keeps its id, its
    /// connections and its level adjustments; the format conversions are
    /// made anew for the new port's format. The old port is dropped. (A
    /// sound device port changing device, whose rate may change with it.)
    pub fn replace_typed_port<P: MediaPort + 'static>(
        &mut self,
        id: PortId,
        port: P,
    ) -> Result<(), BridgeError> {
        let format = port.format();
        if format.clock_rate == 0 || format.channels == 0 || format.samples_per_frame == 0 {
            return Err(BridgeError::InvalidFormat(format));
        }
        self.entry(id)?;
        let inbound = Inbound::new(format, self.format)?;
        let outbound = Outbound::new(format, self.format)?;
        let e = self.entry_mut(id)?;
        e.port = Box::new(port);
        e.format = format;
        e.inbound = inbound;
        e.outbound = outbound;
        Ok(())
    }

    /// The port as its own type, if it was added with
    /// [`Bridge::add_typed_port`] as a `P`.
    pub fn port_mut<P: MediaPort + 'static>(&mut self, id: PortId) -> Result<&mut P, BridgeError> {
        self.entry_mut(id)?
            .port
            .as_any_mut()
            .downcast_mut::<P>()
            .ok_or(BridgeError::WrongPortType(id))
    }

    /// The port, whatever its type.
    pub fn port_dyn_mut(&mut self, id: PortId) -> Result<&mut dyn MediaPort, BridgeError> {
        // A port added boxed is reached through its wrapper, which forwards.
        Ok(self.entry_mut(id)?.port.as_port())
    }

    /// Starts `src` transmitting to `dst` at `level` (1 = as is, 0 =
    /// silent; PJSUA2's `startTransmit2` with `AudioMediaTransmitParam`,
    /// `startTransmit` being level 1). Connecting again changes the level.
    /// A port may transmit to itself.
    pub fn connect(&mut self, src: PortId, dst: PortId, level: f32) -> Result<(), BridgeError> {
        check_level(level)?;
        self.entry(dst)?;
        let src_entry = self.entry_mut(src)?;
        match src_entry.listeners.iter_mut().find(|l| l.slot == dst.slot) {
            Some(l) => l.level = level,
            None => src_entry.listeners.push(Link {
                slot: dst.slot,
                level,
            }),
        }
        let dst_entry = self.entry_mut(dst)?;
        match dst_entry
            .transmitters
            .iter_mut()
            .find(|l| l.slot == src.slot)
        {
            Some(l) => l.level = level,
            None => dst_entry.transmitters.push(Link {
                slot: src.slot,
                level,
            }),
        }
        Ok(())
    }

    /// Stops `src` transmitting to `dst` (PJSUA2's `stopTransmit`); true if
    /// it was.
    pub fn disconnect(&mut self, src: PortId, dst: PortId) -> Result<bool, BridgeError> {
        self.entry(dst)?;
        let src_entry = self.entry_mut(src)?;
        let before = src_entry.listeners.len();
        src_entry.listeners.retain(|l| l.slot != dst.slot);
        let was = src_entry.listeners.len() != before;
        self.entry_mut(dst)?
            .transmitters
            .retain(|l| l.slot != src.slot);
        Ok(was)
    }

    /// The level of the connection from `src` to `dst`, if there is one.
    pub fn connection_level(&self, src: PortId, dst: PortId) -> Result<Option<f32>, BridgeError> {
        self.entry(dst)?;
        Ok(self
            .entry(src)?
            .listeners
            .iter()
            .find(|l| l.slot == dst.slot)
            .map(|l| l.level))
    }

    /// Scales what `port` gives the bridge (PJSUA2's `adjustRxLevel`): 1
    /// as is, 0 mutes, 2 doubles (saturating).
    pub fn adjust_rx_level(&mut self, port: PortId, level: f32) -> Result<(), BridgeError> {
        check_level(level)?;
        self.entry_mut(port)?.rx_adj = level;
        Ok(())
    }

    /// Scales what the bridge sends `port` (PJSUA2's `adjustTxLevel`).
    pub fn adjust_tx_level(&mut self, port: PortId, level: f32) -> Result<(), BridgeError> {
        check_level(level)?;
        self.entry_mut(port)?.tx_adj = level;
        Ok(())
    }

    /// The level of the last frame read from `port`, after its adjustment,
    /// 0–255 ([`super::signal_level`]; PJSUA2's `getRxLevel`). 0 when it
    /// was not read (no listener).
    pub fn rx_level(&self, port: PortId) -> Result<u8, BridgeError> {
        Ok(self.entry(port)?.rx_level)
    }

    /// The level of the last frame sent to `port` (PJSUA2's `getTxLevel`).
    pub fn tx_level(&self, port: PortId) -> Result<u8, BridgeError> {
        Ok(self.entry(port)?.tx_level)
    }

    /// What PJSUA2's `getPortInfo` tells about `port`.
    pub fn port_info(&self, port: PortId) -> Result<ConfPortInfo, BridgeError> {
        let e = self.entry(port)?;
        Ok(ConfPortInfo {
            port_id: port,
            name: e.name.clone(),
            format: e.format,
            tx_level_adj: e.tx_adj,
            rx_level_adj: e.rx_adj,
            listeners: e.listeners.iter().map(|l| self.id_of(l.slot)).collect(),
        })
    }

    /// Whether `port` is given a silent frame on the ticks when nothing
    /// transmits to it (by default it is given nothing). An RTP stream
    /// wants this, as pjmedia's streams get it: it keeps its timestamps
    /// running and sends silence (or, with VAD, its keep-alives), so the
    /// peer's RTP timeout does not fire and NAT bindings stay open.
    pub fn set_fed_when_idle(&mut self, port: PortId, fed: bool) -> Result<(), BridgeError> {
        self.entry_mut(port)?.fed_when_idle = fed;
        Ok(())
    }

    /// Every port, by slot.
    pub fn ports(&self) -> Vec<PortId> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.entry.is_some())
            .map(|(i, s)| PortId {
                slot: i as u32,
                generation: s.generation,
            })
            .collect()
    }

    /// How many ports the bridge holds.
    pub fn port_count(&self) -> usize {
        self.live
    }

    /// Moves one frame of audio along every connection (call once per
    /// frame duration, from the media clock).
    pub fn tick(&mut self) {
        // 1. Read every port that has listeners.
        for slot in &mut self.slots {
            let Some(e) = slot.entry.as_mut() else {
                continue;
            };
            if e.listeners.is_empty() {
                e.rx_audio = false;
                e.rx_level = 0;
                continue;
            }
            let audio = e.inbound.pull(e.port.as_port(), &mut e.rx);
            e.rx_audio = audio && e.rx_adj != 0.0;
            if e.rx_audio {
                scale(&mut e.rx, e.rx_adj);
                e.rx_level = signal_level(&e.rx);
            } else {
                e.rx_level = 0;
            }
        }
        // 2. Mix for, and write to, every port that has transmitters.
        for i in 0..self.slots.len() {
            let Some(e) = self.slots[i].entry.as_ref() else {
                continue;
            };
            if e.transmitters.is_empty() {
                if let Some(e) = self.slots[i].entry.as_mut() {
                    e.tx_level = 0;
                    if e.fed_when_idle {
                        self.out.fill(0);
                        e.outbound.push(e.port.as_port(), &self.out);
                    }
                }
                continue;
            }
            let tx_adj = e.tx_adj;
            self.active.clear();
            for l in &e.transmitters {
                let src = self.slots[l.slot as usize].entry.as_ref();
                if src.is_some_and(|s| s.rx_audio) {
                    self.active.push(*l);
                }
            }
            let rx_of = |slot: u32| -> &[i16] {
                self.slots[slot as usize]
                    .entry
                    .as_ref()
                    .map_or(&[], |s| s.rx.as_slice())
            };
            match self.active.as_slice() {
                [] => self.out.fill(0),
                [Link { slot, level: 1.0 }] => {
                    self.out.copy_from_slice(rx_of(*slot));
                    scale(&mut self.out, tx_adj);
                }
                many => {
                    let saturate = may_overflow(many.iter().map(|l| l.level));
                    self.mix.fill(0);
                    for l in many {
                        accumulate(&mut self.mix, rx_of(l.slot), l.level, saturate);
                    }
                    clip(&self.mix, tx_adj, &mut self.out);
                }
            }
            // Borrow of the transmitters ends here; now write.
            let Some(e) = self.slots[i].entry.as_mut() else {
                continue;
            };
            e.tx_level = signal_level(&self.out);
            e.outbound.push(e.port.as_port(), &self.out);
        }
    }
}
