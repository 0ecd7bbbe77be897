//! The media engine as the endpoint runs it: the conference bridge and
//! everything plugged into it, behind one lock, ticked by the media clock.
//!
//! The signalling engine and this one never share a lock (the media clock
//! must not wait behind SIP work). A tick locks the core, mixes one frame,
//! and collects what the ports report (a player's end of file, a stream's
//! DTMF digit); the events go to the endpoint's dispatcher after the lock is
//! released, so callbacks never run under it. The exceptions are the frame
//! callbacks of an [`crate::media::AudioMediaPort`], which by their nature
//! run inside the tick: from them the media API refuses to be entered again
//! (an error, not a deadlock).

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use media::bridge::{Bridge, PortId};
use media::codec::CodecManager;
use media::wav::{PlayerEvent, RecorderEvent, WavPlayer, WavRecorder};

use super::clock::MediaClock;
use super::device::DeviceState;
use super::player::SharedPlayerHandler;
use super::rtp_io::RtpIo;
use super::rtp_send::PacketSender;
use crate::config::MediaConfig;
use crate::endpoint::lock;
use crate::error::{Error, Result, status};

thread_local! {
    /// Set while this thread runs a media tick.
    static IN_TICK: Cell<bool> = const { Cell::new(false) };
}

/// Marks the current thread as inside a tick while it lives.
struct TickGuard;

impl TickGuard {
    fn enter() -> Self {
        IN_TICK.with(|t| t.set(true));
        Self
    }
}

impl Drop for TickGuard {
    fn drop(&mut self) {
        IN_TICK.with(|t| t.set(false));
    }
}

/// Something a media port reported, for the endpoint to deliver.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MediaEvent {
    /// A player reached the end of its file (PJSUA2's `onEof2`).
    PlayerEof(PortId),
    /// A recorder stopped writing (size limit or I/O error).
    Recorder(PortId, RecorderEvent),
    /// An RTP stream reported something.
    Stream(PortId, media::stream::StreamEvent),
}

/// What a port is, for the tick to know which to ask for events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PortRole {
    /// A WAV player.
    Player,
    /// A WAV recorder.
    Recorder,
    /// Anything with no events of its own.
    Plain,
}

/// Everything behind the media lock.
pub(crate) struct MediaCore {
    /// The conference bridge.
    pub(crate) bridge: Bridge,
    /// Codecs, priorities and parameters (`codecEnum2`, `codecSetParam`).
    pub(crate) codecs: CodecManager,
    /// The settings given to `libInit`.
    pub(crate) config: MediaConfig,
    /// The sound devices chosen.
    pub(crate) device: DeviceState,
    /// RTP streams and their sockets.
    pub(crate) rtp: RtpIo,
    /// What each port is.
    roles: HashMap<PortId, PortRole>,
    events: Vec<MediaEvent>,
}

impl std::fmt::Debug for MediaCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaCore")
            .field("bridge", &self.bridge)
            .finish_non_exhaustive()
    }
}

impl MediaCore {
    /// Adds a port with its role.
    pub(crate) fn add_port<P: media::MediaPort + 'static>(
        &mut self,
        port: P,
        name: &str,
        role: PortRole,
    ) -> std::result::Result<PortId, media::bridge::BridgeError> {
        let id = self.bridge.add_typed_port(port, name)?;
        self.roles.insert(id, role);
        Ok(id)
    }

    /// Removes a recorder and completes its file, reporting a failure.
    pub(crate) fn take_recorder(
        &mut self,
        id: PortId,
    ) -> std::result::Result<(), media::wav::RecorderError> {
        self.roles.remove(&id);
        match self.bridge.take_port::<WavRecorder>(id) {
            Ok(rec) => rec.close(),
            Err(_) => Ok(()),
        }
    }

    /// Removes a port (a recorder completes its file).
    pub(crate) fn remove_port(&mut self, id: PortId) {
        match self.roles.remove(&id) {
            Some(PortRole::Recorder) => {
                if let Ok(rec) = self.bridge.take_port::<WavRecorder>(id) {
                    if let Err(e) = rec.close() {
                        tracing::warn!(target: "media", "recorder: {e}");
                    }
                }
            }
            _ => {
                self.rtp.remove(id);
                let _ = self.bridge.remove_port(id);
            }
        }
    }

    /// One frame: streams learn the time, the bridge mixes, ports report.
    fn tick(&mut self, now: Instant) {
        self.rtp.before_tick(&mut self.bridge, now);
        self.bridge.tick();
        self.rtp.after_tick(&mut self.bridge, now, &mut self.events);
        for (&id, role) in &self.roles {
            match role {
                PortRole::Player => {
                    if let Ok(p) = self.bridge.port_mut::<WavPlayer>(id) {
                        while let Some(PlayerEvent::Eof) = p.poll_event() {
                            self.events.push(MediaEvent::PlayerEof(id));
                        }
                    }
                }
                PortRole::Recorder => {
                    if let Ok(r) = self.bridge.port_mut::<WavRecorder>(id) {
                        while let Some(e) = r.poll_event() {
                            self.events.push(MediaEvent::Recorder(id, e));
                        }
                    }
                }
                PortRole::Plain => {}
            }
        }
    }
}

/// A seed for the media engine's randomness (simulated loss).
fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

type EventSink = Box<dyn Fn(Vec<MediaEvent>) + Send + Sync>;

/// The media engine shared by the endpoint, its handles and its threads.
pub(crate) struct MediaShared {
    core: Mutex<MediaCore>,
    sink: EventSink,
    clock: Mutex<Option<MediaClock>>,
    /// Players' handlers, by port.
    players: Mutex<HashMap<PortId, SharedPlayerHandler>>,
    /// Ports whose owner was dropped inside a tick (from a frame
    /// callback): removed at the next tick.
    deferred: Mutex<Vec<PortId>>,
    /// Sends the packets each tick makes, after the tick.
    sender: Mutex<PacketSender>,
}

impl std::fmt::Debug for MediaShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaShared").finish_non_exhaustive()
    }
}

/// The name of the conference port of the sound device (port 0).
pub(crate) const MASTER_PORT_NAME: &str = "Master/sound";

impl MediaShared {
    /// A media engine for `config` whose events go to `sink`, with the
    /// sound device port (the null device) as port 0. Its clock is not
    /// running yet: see [`MediaShared::start_clock`].
    pub(crate) fn new(config: &MediaConfig, sink: EventSink) -> Result<Arc<Self>> {
        let title = "Endpoint::libInit()";
        let format = super::device::bridge_format(config).ok_or_else(|| {
            Error::new(
                status::PJ_EINVAL,
                title,
                "invalid media clock rate, channel count or frame time",
            )
        })?;
        let mut core = MediaCore {
            bridge: Bridge::new(format),
            codecs: CodecManager::new(),
            config: config.clone(),
            device: DeviceState::new(config),
            rtp: RtpIo::new(config.tx_drop_pct, config.rx_drop_pct, seed())
                .map_err(|e| Error::io(title, &e))?,
            roles: HashMap::new(),
            events: Vec::new(),
        };
        let master = super::device::DevicePort::null(format);
        core.add_port(master, MASTER_PORT_NAME, PortRole::Plain)
            .map_err(|e| super::errors::bridge(title, &e))?;
        Ok(Arc::new(Self {
            core: Mutex::new(core),
            sink,
            clock: Mutex::new(None),
            players: Mutex::new(HashMap::new()),
            deferred: Mutex::new(Vec::new()),
            sender: Mutex::new(PacketSender::inline()),
        }))
    }

    /// Starts the clock thread that ticks the bridge every frame.
    pub(crate) fn start_clock(self: &Arc<Self>) -> Result<()> {
        let period = {
            let core = lock(&self.core);
            std::time::Duration::from_micros(core.bridge.format().frame_usec())
        };
        let weak = Arc::downgrade(self);
        let clock = MediaClock::start("ferrosip-media-clock", period, move || {
            if let Some(shared) = weak.upgrade() {
                shared.tick(Instant::now());
            }
        })
        .map_err(|e| Error::io("Endpoint::libInit()", &e))?;
        *lock(&self.clock) = Some(clock);
        *lock(&self.sender) =
            PacketSender::start().map_err(|e| Error::io("Endpoint::libInit()", &e))?;
        lock(&self.core).rtp.start(Arc::downgrade(self))?;
        Ok(())
    }

    /// Stops the clock and the RTP thread, and removes every port
    /// (recorders complete their files).
    pub(crate) fn shutdown(&self) {
        if let Some(mut clock) = lock(&self.clock).take() {
            clock.stop();
        }
        // The sending thread ends once it has sent what it holds.
        drop(std::mem::replace(
            &mut *lock(&self.sender),
            PacketSender::inline(),
        ));
        let mut core = lock(&self.core);
        core.rtp.stop();
        let ids: Vec<PortId> = core.bridge.ports();
        for id in ids {
            core.remove_port(id);
        }
    }

    /// One media frame: mixes under the lock, then sends the packets made
    /// and hands the events over.
    pub(crate) fn tick(&self, now: Instant) {
        let deferred = std::mem::take(&mut *lock(&self.deferred));
        let mut outbox = lock(&self.sender).empty_batch();
        let events = {
            let _inside = TickGuard::enter();
            let mut core = lock(&self.core);
            for port in deferred {
                core.remove_port(port);
            }
            core.tick(now);
            core.rtp.take_outbox(&mut outbox);
            std::mem::take(&mut core.events)
        };
        lock(&self.sender).send(outbox);
        if !events.is_empty() {
            (self.sink)(events);
        }
    }

    /// Hands events reported outside a tick (by the RTP thread) over.
    pub(crate) fn emit(&self, events: Vec<MediaEvent>) {
        if !events.is_empty() {
            (self.sink)(events);
        }
    }

    /// Runs `f` on the core, unless called from inside a media tick (a
    /// frame callback), which would deadlock.
    pub(crate) fn with_core<R>(
        &self,
        title: &str,
        f: impl FnOnce(&mut MediaCore) -> R,
    ) -> Result<R> {
        if IN_TICK.with(Cell::get) {
            return Err(Error::new(
                status::PJ_EINVALIDOP,
                title,
                "the media API cannot be called from onFrameRequested/onFrameReceived",
            ));
        }
        let mut core = lock(&self.core);
        Ok(f(&mut core))
    }

    /// Removes a port whose owner is gone; from inside a tick (a frame
    /// callback dropped it) the removal waits for the next tick.
    pub(crate) fn remove_port(&self, port: PortId) {
        lock(&self.players).remove(&port);
        if IN_TICK.with(Cell::get) {
            lock(&self.deferred).push(port);
        } else {
            lock(&self.core).remove_port(port);
        }
    }

    /// Files a player's handler.
    pub(crate) fn set_player_handler(&self, port: PortId, handler: SharedPlayerHandler) {
        lock(&self.players).insert(port, handler);
    }

    /// A player's handler.
    pub(crate) fn player_handler(&self, port: PortId) -> Option<SharedPlayerHandler> {
        lock(&self.players).get(&port).cloned()
    }

    /// The core, for the RTP thread (never inside a tick).
    pub(crate) fn core(&self) -> std::sync::MutexGuard<'_, MediaCore> {
        lock(&self.core)
    }
}

/// Delivers a media event to its handler (on the endpoint's dispatcher,
/// outside every lock).
pub(crate) fn deliver(media: &Arc<MediaShared>, event: MediaEvent) {
    match event {
        MediaEvent::PlayerEof(port) => {
            if let Some(handler) = media.player_handler(port) {
                let player = super::AudioMedia::new(media, port);
                lock(&handler).on_eof2(&player);
            }
        }
        MediaEvent::Recorder(port, e) => {
            tracing::warn!(target: "media", "recorder #{}: {e:?}", port.slot());
        }
        // Calls take their streams' events; a call-less stream's are
        // logged.
        MediaEvent::Stream(port, e) => {
            tracing::debug!(target: "media", "stream #{}: {e:?}", port.slot());
        }
    }
}
