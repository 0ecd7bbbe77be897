//! Sound devices: the conference bridge's port 0 (PJSUA's "Master/sound"),
//! the device manager (PJSUA2's `AudDevManager`) and second devices
//! (`ExtraAudioDevice`).
//!
//! ferrosip always clocks the bridge with its own media clock thread (the
//! null device, PJSUA's `sndUseSwClock`). Without a sound backend compiled
//! in, no device is listed and port 0 is the null device: it gives silence
//! and drops what it is sent.

use media::{AudioFormat, FrameKind, MediaPort};

use super::engine::PortRole;
use super::{AudioDevInfo, AudioMedia};
use crate::config::MediaConfig;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, status};

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
}

impl DeviceState {
    pub(crate) fn new(config: &MediaConfig) -> Self {
        Self {
            capture: PJSUA_SND_DEFAULT_CAPTURE_DEV,
            playback: PJSUA_SND_DEFAULT_PLAYBACK_DEV,
            ec_tail_ms: config.ec_tail_len,
            ec_options: config.ec_options,
        }
    }
}

/// The sound devices this build can open (none without a sound backend).
fn devices() -> Vec<AudioDevInfo> {
    Vec::new()
}

/// A sound device as a bridge port. Today only the null device: silence
/// out, nothing kept in.
#[derive(Debug)]
pub(crate) struct DevicePort {
    format: AudioFormat,
}

impl DevicePort {
    /// The null device at `format`.
    pub(crate) fn null(format: AudioFormat) -> Self {
        Self { format }
    }
}

impl MediaPort for DevicePort {
    fn format(&self) -> AudioFormat {
        self.format
    }

    fn get_frame(&mut self, out: &mut [i16]) -> FrameKind {
        out.fill(0);
        FrameKind::None
    }

    fn put_frame(&mut self, _frame: &[i16]) {}
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

impl AudDevManager {
    pub(crate) fn new(ep: &Endpoint) -> Self {
        Self { ep: ep.clone() }
    }

    fn port0(&self, title: &str) -> Result<AudioMedia> {
        let media = self.ep.media(title)?;
        let id = media.with_core(title, |core| core.bridge.ports().first().copied())?;
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
        let known = |id: i32| {
            matches!(
                id,
                PJSUA_SND_DEFAULT_CAPTURE_DEV
                    | PJSUA_SND_DEFAULT_PLAYBACK_DEV
                    | PJSUA_SND_NO_DEV
                    | PJSUA_SND_NULL_DEV
            ) || devices().iter().any(|d| d.id == id)
        };
        for id in capture.into_iter().chain(playback) {
            if !known(id) {
                return Err(invalid_device(title, id));
            }
        }
        let media = self.ep.media(title)?;
        media.with_core(title, |core| {
            if let Some(c) = capture {
                core.device.capture = c;
            }
            if let Some(p) = playback {
                core.device.playback = p;
            }
        })
    }

    /// Uses the null device: the bridge keeps its clock, with no sound
    /// (PJSUA2's `setNullDev`).
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

    /// Chooses the capture device (PJSUA2's `setCaptureDev`).
    pub fn set_capture_dev(&self, id: i32) -> Result<()> {
        self.set_devices("AudDevManager::setCaptureDev()", Some(id), None)
    }

    /// Chooses the playback device (PJSUA2's `setPlaybackDev`).
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

    /// The sound devices (PJSUA2's `enumDev2`).
    pub fn enum_dev2(&self) -> Vec<AudioDevInfo> {
        devices()
    }

    /// One device's description (PJSUA2's `getDevInfo`).
    pub fn get_dev_info(&self, id: i32) -> Result<AudioDevInfo> {
        devices()
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| invalid_device("AudDevManager::getDevInfo()", id))
    }

    /// The id of the device `name` of driver `drv` (PJSUA2's `lookupDev`).
    pub fn lookup_dev(&self, drv: &str, name: &str) -> Result<i32> {
        devices()
            .into_iter()
            .find(|d| d.driver == drv && d.name == name)
            .map(|d| d.id)
            .ok_or_else(|| {
                Error::new(
                    status::PJMEDIA_EAUD_INVDEV,
                    "AudDevManager::lookupDev()",
                    format!("no device {name:?} of driver {drv:?}"),
                )
            })
    }

    /// Lists the devices again (PJSUA2's `refreshDevs`).
    pub fn refresh_devs(&self) -> Result<()> {
        Ok(())
    }

    /// Whether a sound device is open (PJSUA2's `sndIsActive`): never with
    /// the null device.
    pub fn snd_is_active(&self) -> bool {
        false
    }

    /// Sets the echo canceller's tail (ms, 0 disables it) and options
    /// (PJSUA2's `setEcOptions`).
    pub fn set_ec_options(&self, tail_msec: u32, options: u32) -> Result<()> {
        let title = "AudDevManager::setEcOptions()";
        self.ep.media(title)?.with_core(title, |core| {
            core.device.ec_tail_ms = tail_msec;
            core.device.ec_options = options;
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

/// PJSUA2's `ExtraAudioDevice`: a second sound device as a bridge port.
/// The null device (`PJSUA_SND_NULL_DEV` for both ids) opens anywhere; a
/// real one needs a sound backend.
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
        for id in [self.play_dev, self.rec_dev] {
            if id != PJSUA_SND_NULL_DEV && !devices().iter().any(|d| d.id == id) {
                return Err(invalid_device(title, id));
            }
        }
        let media = self.ep.media(title)?;
        let id = media.with_core(title, |core| {
            let format = core.bridge.format();
            core.add_port(
                DevicePort::null(format),
                "Extra audio device",
                PortRole::Plain,
            )
        })?;
        let id = id.map_err(|e| super::errors::bridge(title, &e))?;
        self.media = AudioMedia::new(&media, id);
        Ok(())
    }

    /// Whether it is open (PJSUA2's `isOpened`).
    pub fn is_opened(&self) -> bool {
        self.media.port_info().is_ok()
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
