//! Sound devices: the conference bridge's port 0 (PJSUA's "Master/sound"),
//! the device manager (PJSUA2's `AudDevManager`) and second devices
//! (`ExtraAudioDevice`).
//!
//! ferrosip always clocks the bridge with its own media clock thread (the
//! null device's clock, PJSUA's `sndUseSwClock`). A sound device, when one
//! is open, is a source and sink of port 0 like any other: its callbacks
//! (cpal's thread) and the media tick meet in lock-free ring buffers, at
//! the device's own rate and channels (the bridge converts), which absorb
//! the drift between the two clocks — silence when the device is ahead,
//! the oldest samples dropped when it is behind, both counted
//! ([`AudDevManager::snd_stats`]).
//!
//! - Without the feature `sound-device`, no device is listed and port 0 is
//!   the null device: it gives silence and drops what it is sent.
//! - With it (cpal: ALSA on Linux), devices are listed with PJSUA2's
//!   numbering and fields; the chosen pair (by default the system's default
//!   capture and playback devices) opens at `libStart`, and again at each
//!   `setCaptureDev`/`setPlaybackDev` after it; `setNullDev`, `setNoDev`
//!   and `libDestroy` close it. A device that cannot open at `libStart`,
//!   or fails while running (unplugged), is logged and port 0 falls back to
//!   the null device; one chosen later that cannot open is an error
//!   (`PJMEDIA_EAUD_*`) and the previous choice stays.
//! - `MediaConfig.sndClockRate` (else `clockRate`) and `channelCount` are
//!   asked of the device (its default format when it has not them);
//!   `sndRecLatency` and `sndPlayLatency` set the device's buffer size
//!   (half the latency per callback, as the device double-buffers).
//! - With the feature `echo-cancel` too, what the device captures has the
//!   echo of what it played removed (speex, `ecTailLen` ms, `ecOptions`;
//!   `setEcOptions` applies at once).

#[cfg(feature = "sound-device")]
use media::echo::EchoCanceller;
use media::{AudioFormat, FrameKind, MediaPort};

use super::engine::{MediaCore, MediaShared, PortRole};
use super::{AudioDevInfo, AudioMedia};
use crate::config::MediaConfig;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, status};

#[cfg(feature = "sound-device")]
mod ring;
#[cfg(feature = "sound-device")]
mod sound;

/// `PJSUA_SND_DEFAULT_CAPTURE_DEV`: the system's default capture device.
pub const PJSUA_SND_DEFAULT_CAPTURE_DEV: i32 = -1;
/// `PJSUA_SND_DEFAULT_PLAYBACK_DEV`: the system's default playback device.
pub const PJSUA_SND_DEFAULT_PLAYBACK_DEV: i32 = -2;
/// `PJSUA_SND_NO_DEV`: no device and no clock of its own.
pub const PJSUA_SND_NO_DEV: i32 = -3;
/// `PJSUA_SND_NULL_DEV`: the null device, a clock with no sound.
pub const PJSUA_SND_NULL_DEV: i32 = -99;

/// The frame shape the bridge mixes, from `MediaConfig`.
pub(crate) fn bridge_format(config: &MediaConfig) -> Option<AudioFormat> {
    let channels = u16::try_from(config.channel_count).ok()?;
    let ptime = if config.audio_frame_ptime == 0 {
        20
    } else {
        config.audio_frame_ptime
    };
    if !(8_000..=192_000).contains(&config.clock_rate)
        || !(1..=8).contains(&channels)
        || ptime > 1000
    {
        return None;
    }
    let format = AudioFormat::new(config.clock_rate, channels, ptime);
    (format.samples_per_frame > 0).then_some(format)
}

/// Which devices the application chose, and the echo canceller's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeviceState {
    pub(crate) capture: i32,
    pub(crate) playback: i32,
    pub(crate) ec_tail_ms: u32,
    pub(crate) ec_options: u32,
    /// `libStart` was called: choices open devices at once.
    pub(crate) started: bool,
}

impl DeviceState {
    pub(crate) fn new(config: &MediaConfig) -> Self {
        Self {
            capture: PJSUA_SND_DEFAULT_CAPTURE_DEV,
            playback: PJSUA_SND_DEFAULT_PLAYBACK_DEV,
            ec_tail_ms: config.ec_tail_len,
            ec_options: config.ec_options,
            started: false,
        }
    }
}

/// The sound devices this build can open (none without a sound backend).
fn devices() -> Vec<AudioDevInfo> {
    #[cfg(feature = "sound-device")]
    {
        sound::devices()
    }
    #[cfg(not(feature = "sound-device"))]
    {
        Vec::new()
    }
}

/// Counters of a sound device port (a ferrosip addition to PJSUA2): what
/// moved between the device and the media clock, and what the drift
/// between their clocks cost. Samples count every channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SoundDeviceStats {
    /// A real device is open (not the null device).
    pub active: bool,
    /// The devices' rate, Hz (0 with the null device).
    pub clock_rate: u32,
    /// The devices' channels (0 with the null device).
    pub channels: u16,
    /// Samples the capture device delivered.
    pub captured: u64,
    /// Samples the media clock took from the capture device.
    pub capture_read: u64,
    /// Samples of silence the media clock got when the capture device was
    /// behind (underflow).
    pub capture_underflow: u64,
    /// Captured samples dropped, the oldest first, when the capture device
    /// was ahead (overflow).
    pub capture_overflow: u64,
    /// Samples the media clock sent to the playback device.
    pub playback_written: u64,
    /// Samples the playback device took.
    pub played: u64,
    /// Samples of silence the playback device played when the media clock
    /// was behind (underflow).
    pub playback_underflow: u64,
    /// Samples dropped, the oldest first, when the media clock was ahead of
    /// the playback device (overflow).
    pub playback_overflow: u64,
    /// Glitches the host reported (xruns).
    pub glitches: u64,
    /// Frames the echo canceller cleaned (0: no echo canceller).
    pub echo_frames: u64,
}

/// A sound device as a bridge port: the null device (silence out, nothing
/// kept in), or open devices with, maybe, an echo canceller.
#[derive(Debug)]
pub(crate) struct DevicePort {
    format: AudioFormat,
    #[cfg(feature = "sound-device")]
    io: Option<sound::SoundIo>,
    #[cfg(feature = "sound-device")]
    echo: Option<EchoPath>,
}

/// The echo canceller of a device port and the frame last played, handed
/// to it just before the next capture, so the two directions stay in step
/// whichever of them the bridge asks for in a tick.
#[cfg(feature = "sound-device")]
struct EchoPath {
    canceller: Box<dyn EchoCanceller>,
    far: Vec<i16>,
    far_pending: bool,
}

#[cfg(feature = "sound-device")]
impl std::fmt::Debug for EchoPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EchoPath")
            .field("stats", &self.canceller.stats())
            .finish_non_exhaustive()
    }
}

/// The echo canceller for frames of `format`, if echo cancellation is on
/// and built in.
#[cfg(feature = "sound-device")]
fn make_echo(format: AudioFormat, tail_ms: u32, options: u32) -> Option<Box<dyn EchoCanceller>> {
    let config = media::echo::EchoConfig {
        clock_rate: format.clock_rate,
        channels: format.channels,
        samples_per_frame: format.samples_per_frame,
        tail_ms,
        options,
    };
    match media::echo::create(&config) {
        Ok(ec) => Some(ec),
        Err(media::echo::EchoError::Disabled) => None,
        Err(e @ media::echo::EchoError::Unavailable) => {
            tracing::debug!(target: "media", "echo cancellation: {e}");
            None
        }
        Err(e) => {
            tracing::warn!(target: "media", "echo cancellation: {e}");
            None
        }
    }
}

impl DevicePort {
    /// The null device at `format`.
    pub(crate) fn null(format: AudioFormat) -> Self {
        Self {
            format,
            #[cfg(feature = "sound-device")]
            io: None,
            #[cfg(feature = "sound-device")]
            echo: None,
        }
    }

    /// Open devices, with an echo canceller when both directions are open
    /// and `ec_tail_ms` is above 0.
    #[cfg(feature = "sound-device")]
    fn with_io(io: sound::SoundIo, ec_tail_ms: u32, ec_options: u32) -> Self {
        let format = io.format();
        let mut port = Self {
            format,
            io: Some(io),
            echo: None,
        };
        port.set_ec(ec_tail_ms, ec_options);
        port
    }

    /// Sets the echo canceller anew (`tail_ms` 0: none).
    pub(crate) fn set_ec(&mut self, tail_ms: u32, options: u32) {
        #[cfg(feature = "sound-device")]
        {
            let both = self
                .io
                .as_ref()
                .is_some_and(|io| io.captures() && io.plays());
            self.echo = if both {
                make_echo(self.format, tail_ms, options).map(|canceller| EchoPath {
                    canceller,
                    far: vec![0; self.format.frame_len()],
                    far_pending: false,
                })
            } else {
                None
            };
        }
        #[cfg(not(feature = "sound-device"))]
        let _ = (tail_ms, options);
    }

    /// Its counters.
    pub(crate) fn stats(&self) -> SoundDeviceStats {
        #[cfg(feature = "sound-device")]
        if let Some(io) = &self.io {
            let (cap, play, glitches) = io.counters();
            let (cap, play) = (cap.unwrap_or_default(), play.unwrap_or_default());
            return SoundDeviceStats {
                active: true,
                clock_rate: self.format.clock_rate,
                channels: self.format.channels,
                captured: cap.pushed,
                capture_read: cap.popped,
                capture_underflow: cap.underflow,
                capture_overflow: cap.overflow,
                playback_written: play.pushed,
                played: play.popped,
                playback_underflow: play.underflow,
                playback_overflow: play.overflow,
                glitches,
                echo_frames: self
                    .echo
                    .as_ref()
                    .map_or(0, |e| e.canceller.stats().captured),
            };
        }
        SoundDeviceStats::default()
    }

    /// After a stream failed (unplugged device): logs it and becomes the
    /// null device.
    #[cfg(feature = "sound-device")]
    fn check_failure(&mut self) {
        let failure = self.io.as_ref().and_then(sound::SoundIo::take_failure);
        if let (Some(e), Some(io)) = (failure, self.io.as_ref()) {
            tracing::error!(
                target: "media",
                "sound device ({}) failed: {} ({}); the null device takes its place",
                io.names(),
                e.reason,
                crate::error::describe(e.status)
            );
            self.io = None;
            self.echo = None;
        }
    }
}

impl MediaPort for DevicePort {
    fn format(&self) -> AudioFormat {
        self.format
    }

    fn get_frame(&mut self, out: &mut [i16]) -> FrameKind {
        #[cfg(feature = "sound-device")]
        {
            self.check_failure();
            if let Some(io) = self.io.as_mut() {
                if io.read(out) {
                    if let Some(echo) = self.echo.as_mut() {
                        if !echo.far_pending {
                            // Nothing was sent to the speaker since the last
                            // capture: it played silence.
                            echo.far.fill(0);
                        }
                        echo.far_pending = false;
                        echo.canceller.playback(&echo.far);
                        echo.canceller.capture(out);
                    }
                    return FrameKind::Audio;
                }
                return FrameKind::None;
            }
        }
        out.fill(0);
        FrameKind::None
    }

    fn put_frame(&mut self, frame: &[i16]) {
        #[cfg(feature = "sound-device")]
        {
            self.check_failure();
            if let Some(io) = self.io.as_mut() {
                io.write(frame);
                if let Some(echo) = self.echo.as_mut() {
                    if echo.far.len() == frame.len() {
                        echo.far.copy_from_slice(frame);
                        echo.far_pending = true;
                    }
                }
            }
        }
        #[cfg(not(feature = "sound-device"))]
        let _ = frame;
    }
}

/// The id of a direction: `None` for no device (`NO_DEV`, `NULL_DEV`).
fn direction(id: i32) -> Option<i32> {
    (!matches!(id, PJSUA_SND_NO_DEV | PJSUA_SND_NULL_DEV)).then_some(id)
}

/// A device port for the pair `capture`/`playback` (the null device when
/// neither is a device).
fn build_port(
    core: &MediaCore,
    capture: i32,
    playback: i32,
) -> std::result::Result<DevicePort, (i32, String)> {
    let bridge = core.bridge.format();
    let (capture, playback) = (direction(capture), direction(playback));
    if capture.is_none() && playback.is_none() {
        return Ok(DevicePort::null(bridge));
    }
    #[cfg(feature = "sound-device")]
    {
        let config = &core.config;
        let params = sound::SoundParams {
            clock_rate: if config.snd_clock_rate == 0 {
                bridge.clock_rate
            } else {
                config.snd_clock_rate
            },
            channels: bridge.channels,
            ptime_ms: u32::try_from(bridge.frame_usec() / 1000).unwrap_or(20),
            rec_latency_ms: config.snd_rec_latency,
            play_latency_ms: config.snd_play_latency,
        };
        let io = sound::open(capture, playback, &params).map_err(|e| (e.status, e.reason))?;
        Ok(DevicePort::with_io(
            io,
            core.device.ec_tail_ms,
            core.device.ec_options,
        ))
    }
    #[cfg(not(feature = "sound-device"))]
    Err((
        status::PJMEDIA_EAUD_NODEFDEV,
        "no sound device in this build (feature sound-device)".to_owned(),
    ))
}

/// Port 0 (the first port added, always there while the media runs).
fn master(core: &MediaCore) -> Option<media::bridge::PortId> {
    core.bridge.ports().first().copied()
}

/// Puts a port for `capture`/`playback` in place of port 0.
fn reopen_master(
    core: &mut MediaCore,
    capture: i32,
    playback: i32,
) -> std::result::Result<(), (i32, String)> {
    let port = build_port(core, capture, playback)?;
    let id = master(core).ok_or((status::PJ_EINVALIDOP, "no sound device port".to_owned()))?;
    core.bridge
        .replace_typed_port(id, port)
        .map_err(|e| (status::PJ_EINVALIDOP, e.to_string()))
}

/// `libStart`: opens the devices chosen; if they cannot open, logs why and
/// keeps the null device.
pub(crate) fn start_sound_device(media: &MediaShared) {
    let title = "Endpoint::libStart()";
    let _ = media.with_core(title, |core| {
        core.device.started = true;
        let (capture, playback) = (core.device.capture, core.device.playback);
        if !cfg!(feature = "sound-device") || (direction(capture).is_none() && direction(playback).is_none()) {
            return;
        }
        if let Err((status, reason)) = reopen_master(core, capture, playback) {
            tracing::warn!(
                target: "media",
                "cannot open the sound device (capture {capture}, playback {playback}): {reason} ({}); using the null device",
                crate::error::describe(status)
            );
        }
    });
}

/// PJSUA2's `AudDevManager`: which sound devices the bridge uses. Get it
/// from [`Endpoint::aud_dev_manager`].
#[derive(Debug, Clone)]
pub struct AudDevManager {
    ep: Endpoint,
}

fn invalid_device(title: &str, id: i32) -> Error {
    Error::new(
        status::PJMEDIA_EAUD_INVDEV,
        title,
        format!(
            "no audio device {id} (this build has {} device(s))",
            devices().len()
        ),
    )
}

/// Whether `id` names a device for capture (`input`) or playback.
fn known(id: i32, input: bool) -> bool {
    matches!(
        id,
        PJSUA_SND_DEFAULT_CAPTURE_DEV
            | PJSUA_SND_DEFAULT_PLAYBACK_DEV
            | PJSUA_SND_NO_DEV
            | PJSUA_SND_NULL_DEV
    ) || devices().iter().any(|d| {
        d.id == id
            && if input {
                d.input_count > 0
            } else {
                d.output_count > 0
            }
    })
}

impl AudDevManager {
    pub(crate) fn new(ep: &Endpoint) -> Self {
        Self { ep: ep.clone() }
    }

    fn port0(&self, title: &str) -> Result<AudioMedia> {
        let media = self.ep.media(title)?;
        let id = media.with_core(title, |core| master(core))?;
        let id =
            id.ok_or_else(|| Error::new(status::PJ_EINVALIDOP, title, "no sound device port"))?;
        Ok(AudioMedia::new(&media, id))
    }

    /// The bridge port of the capture device (port 0; PJSUA2's
    /// `getCaptureDevMedia`).
    pub fn get_capture_dev_media(&self) -> Result<AudioMedia> {
        self.port0("AudDevManager::getCaptureDevMedia()")
    }

    /// The bridge port of the playback device (port 0; PJSUA2's
    /// `getPlaybackDevMedia`).
    pub fn get_playback_dev_media(&self) -> Result<AudioMedia> {
        self.port0("AudDevManager::getPlaybackDevMedia()")
    }

    fn set_devices(&self, title: &str, capture: Option<i32>, playback: Option<i32>) -> Result<()> {
        if let Some(id) = capture.filter(|&id| !known(id, true)) {
            return Err(invalid_device(title, id));
        }
        if let Some(id) = playback.filter(|&id| !known(id, false)) {
            return Err(invalid_device(title, id));
        }
        let media = self.ep.media(title)?;
        media.with_core(title, |core| {
            let c = capture.unwrap_or(core.device.capture);
            let p = playback.unwrap_or(core.device.playback);
            if core.device.started {
                reopen_master(core, c, p).map_err(|(s, reason)| Error::new(s, title, reason))?;
            }
            core.device.capture = c;
            core.device.playback = p;
            Ok(())
        })?
    }

    /// Uses the null device: the bridge keeps its clock, with no sound
    /// (PJSUA2's `setNullDev`). Closes the devices that were open.
    pub fn set_null_dev(&self) -> Result<()> {
        self.set_devices(
            "AudDevManager::setNullDev()",
            Some(PJSUA_SND_NULL_DEV),
            Some(PJSUA_SND_NULL_DEV),
        )
    }

    /// Uses no device (PJSUA2's `setNoDev`). ferrosip's bridge keeps its
    /// own clock, so media still flows between calls, players and
    /// recorders.
    pub fn set_no_dev(&self) -> Result<()> {
        self.set_devices(
            "AudDevManager::setNoDev()",
            Some(PJSUA_SND_NO_DEV),
            Some(PJSUA_SND_NO_DEV),
        )
    }

    /// Chooses the capture device (PJSUA2's `setCaptureDev`): an id from
    /// [`AudDevManager::enum_dev2`] or one of the `PJSUA_SND_*` ids. After
    /// `libStart` the device opens at once, and an error leaves the
    /// previous choice in place.
    pub fn set_capture_dev(&self, id: i32) -> Result<()> {
        self.set_devices("AudDevManager::setCaptureDev()", Some(id), None)
    }

    /// Chooses the playback device (PJSUA2's `setPlaybackDev`), as
    /// [`AudDevManager::set_capture_dev`] does the capture device.
    pub fn set_playback_dev(&self, id: i32) -> Result<()> {
        self.set_devices("AudDevManager::setPlaybackDev()", None, Some(id))
    }

    /// The capture device chosen (PJSUA2's `getCaptureDev`).
    pub fn get_capture_dev(&self) -> Result<i32> {
        let title = "AudDevManager::getCaptureDev()";
        self.ep
            .media(title)?
            .with_core(title, |core| core.device.capture)
    }

    /// The playback device chosen (PJSUA2's `getPlaybackDev`).
    pub fn get_playback_dev(&self) -> Result<i32> {
        let title = "AudDevManager::getPlaybackDev()";
        self.ep
            .media(title)?
            .with_core(title, |core| core.device.playback)
    }

    /// How many sound devices there are (PJSUA2's `getDevCount`).
    pub fn get_dev_count(&self) -> u32 {
        u32::try_from(devices().len()).unwrap_or(u32::MAX)
    }

    /// The sound devices, numbered from 0 (PJSUA2's `enumDev2`). With
    /// ALSA, a device's `name` is its PCM name (`default`, `null`,
    /// `hw:CARD=0,DEV=0`, …) and its `driver` is `"ALSA"`.
    pub fn enum_dev2(&self) -> Vec<AudioDevInfo> {
        devices()
    }

    /// One device's description (PJSUA2's `getDevInfo`); -1 and -2 name
    /// the default capture and playback devices.
    pub fn get_dev_info(&self, id: i32) -> Result<AudioDevInfo> {
        let title = "AudDevManager::getDevInfo()";
        #[cfg(feature = "sound-device")]
        let id = match id {
            PJSUA_SND_DEFAULT_CAPTURE_DEV | PJSUA_SND_DEFAULT_PLAYBACK_DEV => {
                sound::default_id(id == PJSUA_SND_DEFAULT_CAPTURE_DEV).ok_or_else(|| {
                    Error::new(
                        status::PJMEDIA_EAUD_NODEFDEV,
                        title,
                        "the default device is not listed",
                    )
                })?
            }
            other => other,
        };
        devices()
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| invalid_device(title, id))
    }

    /// The id of the device `name` of driver `drv` (PJSUA2's `lookupDev`).
    pub fn lookup_dev(&self, drv: &str, name: &str) -> Result<i32> {
        devices()
            .into_iter()
            .find(|d| d.driver == drv && d.name == name)
            .map(|d| d.id)
            .ok_or_else(|| {
                // PJSUA2 reports "not found" here, not an invalid device.
                Error::new(
                    status::PJ_ENOTFOUND,
                    "AudDevManager::lookupDev()",
                    format!("no device {name:?} of driver {drv:?}"),
                )
            })
    }

    /// Lists the devices again (PJSUA2's `refreshDevs`); the ids of
    /// [`AudDevManager::enum_dev2`] may change.
    pub fn refresh_devs(&self) -> Result<()> {
        #[cfg(feature = "sound-device")]
        sound::refresh();
        Ok(())
    }

    /// Whether a sound device is open (PJSUA2's `sndIsActive`): never with
    /// the null device.
    pub fn snd_is_active(&self) -> bool {
        self.snd_stats().is_ok_and(|s| s.active)
    }

    /// Counters of port 0's sound device (a ferrosip addition): samples
    /// moved, and the underflows and overflows the drift between the
    /// device's clock and the media clock caused.
    pub fn snd_stats(&self) -> Result<SoundDeviceStats> {
        let title = "AudDevManager::sndStats()";
        self.ep.media(title)?.with_core(title, |core| {
            master(core)
                .and_then(|id| core.bridge.port_mut::<DevicePort>(id).ok())
                .map(|p| p.stats())
                .unwrap_or_default()
        })
    }

    /// Sets the echo canceller's tail (ms, 0 disables it) and options
    /// (PJSUA2's `setEcOptions`); an open device takes them at once (its
    /// canceller starts learning anew).
    pub fn set_ec_options(&self, tail_msec: u32, options: u32) -> Result<()> {
        let title = "AudDevManager::setEcOptions()";
        self.ep.media(title)?.with_core(title, |core| {
            core.device.ec_tail_ms = tail_msec;
            core.device.ec_options = options;
            if let Some(port) =
                master(core).and_then(|id| core.bridge.port_mut::<DevicePort>(id).ok())
            {
                port.set_ec(tail_msec, options);
            }
        })
    }

    /// The echo canceller's tail, ms (PJSUA2's `getEcTail`).
    pub fn get_ec_tail(&self) -> Result<u32> {
        let title = "AudDevManager::getEcTail()";
        self.ep
            .media(title)?
            .with_core(title, |core| core.device.ec_tail_ms)
    }

    /// The name of a `PJMEDIA_AUD_DEV_CAP_*` capability (PJSUA2's
    /// `capName`, pjmedia's names); `"??"` for anything else.
    pub fn cap_name(&self, cap: u32) -> String {
        const NAMES: [&str; 14] = [
            "ext-fmt",
            "latency-in",
            "latency-out",
            "vol-in",
            "vol-out",
            "meter-in",
            "meter-out",
            "route-in",
            "route-out",
            "aec",
            "aec-tail",
            "vad",
            "cng",
            "plg",
        ];
        if cap.count_ones() != 1 {
            return "??".to_owned();
        }
        NAMES
            .get(cap.trailing_zeros() as usize)
            .map_or("??", |n| n)
            .to_owned()
    }
}

/// PJSUA2's `ExtraAudioDevice`: a second sound device pair as a bridge
/// port of its own. The null device (`PJSUA_SND_NULL_DEV` for both ids)
/// opens anywhere; a real one needs the feature `sound-device`. It has its
/// own echo canceller, with the settings of `setEcOptions` when it opens.
#[derive(Debug)]
pub struct ExtraAudioDevice {
    ep: Endpoint,
    play_dev: i32,
    rec_dev: i32,
    media: AudioMedia,
}

impl ExtraAudioDevice {
    /// A device pair, not open yet.
    pub fn new(ep: &Endpoint, play_dev: i32, rec_dev: i32) -> Self {
        Self {
            ep: ep.clone(),
            play_dev,
            rec_dev,
            media: AudioMedia::default(),
        }
    }

    /// Opens the devices and adds their port to the bridge (PJSUA2's
    /// `open`).
    pub fn open(&mut self) -> Result<()> {
        let title = "ExtraAudioDevice::open()";
        if self.is_opened() {
            return Ok(());
        }
        if !known(self.play_dev, false) {
            return Err(invalid_device(title, self.play_dev));
        }
        if !known(self.rec_dev, true) {
            return Err(invalid_device(title, self.rec_dev));
        }
        let media = self.ep.media(title)?;
        let (play, rec) = (self.play_dev, self.rec_dev);
        let id = media.with_core(title, |core| {
            let port = build_port(core, rec, play).map_err(|(s, r)| Error::new(s, title, r))?;
            core.add_port(port, "Extra audio device", PortRole::Plain)
                .map_err(|e| super::errors::bridge(title, &e))
        })??;
        self.media = AudioMedia::new(&media, id);
        Ok(())
    }

    /// Whether it is open (PJSUA2's `isOpened`).
    pub fn is_opened(&self) -> bool {
        self.media.port_info().is_ok()
    }

    /// Counters of its devices (a ferrosip addition; see
    /// [`AudDevManager::snd_stats`]).
    pub fn stats(&self) -> Result<SoundDeviceStats> {
        let title = "ExtraAudioDevice::stats()";
        let (media, id) = self.media.resolve(title)?;
        media.with_core(title, |core| {
            core.bridge
                .port_mut::<DevicePort>(id)
                .map(|p| p.stats())
                .unwrap_or_default()
        })
    }

    /// Closes it and removes its port (PJSUA2's `close`).
    pub fn close(&mut self) {
        self.media.remove_from_bridge();
        self.media = AudioMedia::default();
    }
}

impl std::ops::Deref for ExtraAudioDevice {
    type Target = AudioMedia;
    fn deref(&self) -> &AudioMedia {
        &self.media
    }
}

impl Drop for ExtraAudioDevice {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(all(test, feature = "sound-device"))]
mod tests {
    use super::ring::Reader;
    use super::*;

    const FORMAT: AudioFormat = AudioFormat::new(16_000, 1, 20);

    /// xorshift: seeded noise in [-1, 1).
    fn noise(state: &mut u64) -> f32 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        (*state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    #[test]
    fn a_failed_stream_falls_back_to_the_null_device() {
        let (io, capture, _playback) = sound::SoundIo::virtual_pair(FORMAT);
        io.inject_failure(cpal::ErrorKind::Xrun);
        let mut port = DevicePort::with_io(io, 0, 0);
        capture.push(&[100; 320]);
        let mut out = vec![0i16; 320];
        // A glitch is counted, not fatal.
        assert_eq!(port.get_frame(&mut out), FrameKind::Audio);
        assert_eq!(port.stats().glitches, 1);
        assert!(port.stats().active);
        if let Some(io) = port.io.as_ref() {
            io.inject_failure(cpal::ErrorKind::DeviceNotAvailable);
        }
        capture.push(&[100; 320]);
        assert_eq!(port.get_frame(&mut out), FrameKind::None);
        assert_eq!(out, vec![0; 320]);
        assert!(!port.stats().active);
        port.put_frame(&[1; 320]);
    }

    #[test]
    fn the_device_port_moves_frames_both_ways_and_counts_drift() {
        let (io, capture, playback) = sound::SoundIo::virtual_pair(FORMAT);
        let mut port = DevicePort::with_io(io, 0, 0);
        let mut out = vec![0i16; 320];
        // Nothing captured yet: silence, an underflow.
        assert_eq!(port.get_frame(&mut out), FrameKind::None);
        capture.push(&[7; 320]);
        assert_eq!(port.get_frame(&mut out), FrameKind::Audio);
        assert_eq!(out, vec![7; 320]);
        // The device ran ahead by far: the oldest are dropped.
        for v in 0..10 {
            capture.push(&[v; 320]);
        }
        assert_eq!(port.get_frame(&mut out), FrameKind::Audio);
        assert_eq!(out, vec![9; 320]);
        port.put_frame(&[5; 320]);
        let mut played = vec![0i16; 320];
        assert!(Reader::new(0, usize::MAX).read(&playback, &mut played));
        assert_eq!(played, vec![5; 320]);
        let s = port.stats();
        assert!(s.active);
        assert_eq!((s.clock_rate, s.channels), (16_000, 1));
        assert_eq!(s.capture_underflow, 320);
        assert!(s.capture_overflow >= 320 * 8, "{s:?}");
        assert_eq!((s.playback_written, s.played), (320, 320));
        assert_eq!(s.echo_frames, 0);
    }

    /// The device port with an echo canceller, on a virtual device whose
    /// microphone hears what its speaker played 40 ms earlier (attenuated)
    /// plus a near-end tone: what reaches the bridge has the echo removed.
    #[cfg(feature = "echo-cancel")]
    #[test]
    fn what_the_port_captures_has_the_echo_of_what_it_played_removed() {
        let (io, capture, playback) = sound::SoundIo::virtual_pair(FORMAT);
        let mut port = DevicePort::with_io(io, 200, 0);
        let mut device_reader = Reader::new(0, usize::MAX);
        let delay = 640; // 40 ms at 16 kHz
        let mut spoken: Vec<f32> = vec![0.0; delay];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let (mut echo_energy, mut left_energy) = (0.0f64, 0.0f64);
        let mut out = vec![0i16; 320];
        let mut played = vec![0i16; 320];
        let ticks = 500; // 10 s
        for tick in 0..ticks {
            // The device: its microphone hears the echo of what it played
            // 40 ms ago; its speaker plays what the bridge sent.
            let from = spoken.len() - delay;
            let echo: Vec<f32> = spoken[from..from + 320].iter().map(|v| 0.4 * v).collect();
            let mic: Vec<i16> = echo.iter().map(|v| v.round() as i16).collect();
            capture.push(&mic);
            // The media tick: capture, then playback.
            let kind = port.get_frame(&mut out);
            assert_eq!(kind, FrameKind::Audio);
            if tick >= ticks - 150 {
                echo_energy += echo.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>();
                left_energy += out.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>();
            }
            let far: Vec<i16> = (0..320)
                .map(|_| (noise(&mut seed) * 8_000.0) as i16)
                .collect();
            port.put_frame(&far);
            assert!(device_reader.read(&playback, &mut played));
            spoken.extend(played.iter().map(|&v| f32::from(v)));
        }
        let erle = 10.0 * (echo_energy / left_energy.max(1.0)).log10();
        eprintln!("device port, echo at 40 ms: ERLE {erle:.1} dB");
        assert!(erle > 15.0, "ERLE {erle:.1} dB");
        assert_eq!(port.stats().echo_frames, ticks);
        // setEcOptions(0, …) turns it off.
        port.set_ec(0, 0);
        assert_eq!(port.stats().echo_frames, 0);
    }
}
