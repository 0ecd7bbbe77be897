//! Real sound devices through cpal (the feature `sound-device`): the list
//! of devices with PJSUA2's numbering, and a capture/playback pair opened
//! as streams that feed [`Ring`]s.
//!
//! The devices are numbered as pjmedia numbers them: 0, 1, … in the order
//! the host lists them, the list taken once and kept until
//! [`refresh`]. A device's `name` is the host's identifier of it (ALSA's
//! PCM name: `default`, `null`, `hw:CARD=0,DEV=0`, …) and its `driver` the
//! host's name (`ALSA`), as pjmedia's ALSA driver reports them.
//!
//! A stream runs on cpal's thread and touches nothing but its ring and the
//! fault flag, so a device never blocks the media clock, and the media
//! clock (ferrosip's own, PJSUA's `sndUseSwClock`) never waits for a
//! device.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{BufferSize, SampleFormat, SupportedBufferSize};
use media::AudioFormat;

use super::ring::{Reader, Ring, RingCounters};
use crate::error::status;
use crate::media::AudioDevInfo;

/// `PJMEDIA_AUD_DEV_CAP_INPUT_LATENCY`.
const CAP_INPUT_LATENCY: u32 = 2;
/// `PJMEDIA_AUD_DEV_CAP_OUTPUT_LATENCY`.
const CAP_OUTPUT_LATENCY: u32 = 4;

/// Why a device could not be listed, opened or kept open: a PJSIP status
/// (`PJMEDIA_EAUD_*`) and the host's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeviceError {
    pub(crate) status: i32,
    pub(crate) reason: String,
}

impl DeviceError {
    fn new(status: i32, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
        }
    }
}

/// The PJSIP status of a cpal error.
fn status_of(kind: cpal::ErrorKind) -> i32 {
    use cpal::ErrorKind as K;
    match kind {
        K::DeviceNotAvailable => status::PJMEDIA_EAUD_INVDEV,
        K::HostUnavailable => status::PJMEDIA_EAUD_INIT,
        K::DeviceBusy => status::PJMEDIA_EAUD_NOTREADY,
        K::UnsupportedConfig | K::InvalidInput => status::PJMEDIA_EAUD_BADFORMAT,
        K::UnsupportedOperation => status::PJMEDIA_EAUD_INVOP,
        _ => status::PJMEDIA_EAUD_SYSERR,
    }
}

fn from_cpal(what: &str, e: &cpal::Error) -> DeviceError {
    DeviceError::new(status_of(e.kind()), format!("{what}: {e}"))
}

/// A listed device.
struct Listed {
    device: cpal::Device,
    info: AudioDevInfo,
}

/// The devices as last listed (`None`: not listed yet).
static CATALOG: Mutex<Option<Vec<Listed>>> = Mutex::new(None);

fn describe(index: usize, device: &cpal::Device) -> Option<AudioDevInfo> {
    let id = device.id().ok()?;
    let channels = |c: Result<cpal::SupportedStreamConfig, cpal::Error>| {
        c.map_or((0, 0), |c| (u32::from(c.channels()), c.sample_rate()))
    };
    let (input_count, in_rate) = if device.supports_input() {
        channels(device.default_input_config())
    } else {
        (0, 0)
    };
    let (output_count, out_rate) = if device.supports_output() {
        channels(device.default_output_config())
    } else {
        (0, 0)
    };
    let mut caps = 0;
    if input_count > 0 {
        caps |= CAP_INPUT_LATENCY;
    }
    if output_count > 0 {
        caps |= CAP_OUTPUT_LATENCY;
    }
    // The fields PJSUA2 lists; any other (`extFmt`) keeps its default.
    #[allow(clippy::needless_update)]
    Some(AudioDevInfo {
        id: i32::try_from(index).ok()?,
        name: id.id().to_owned(),
        input_count,
        output_count,
        default_samples_per_sec: if out_rate > 0 { out_rate } else { in_rate },
        driver: id.host().name().to_owned(),
        caps,
        routes: 0,
        ..AudioDevInfo::default()
    })
}

fn enumerate() -> Vec<Listed> {
    let host = cpal::default_host();
    let Ok(devices) = host.devices() else {
        return Vec::new();
    };
    let mut listed = Vec::new();
    for device in devices {
        if let Some(info) = describe(listed.len(), &device) {
            listed.push(Listed { device, info });
        }
    }
    listed
}

fn with_catalog<R>(f: impl FnOnce(&[Listed]) -> R) -> R {
    let mut catalog = CATALOG.lock().unwrap_or_else(PoisonError::into_inner);
    let listed = catalog.get_or_insert_with(enumerate);
    f(listed)
}

/// The devices, numbered from 0 (PJSUA2's `enumDev2`).
pub(crate) fn devices() -> Vec<AudioDevInfo> {
    with_catalog(|c| c.iter().map(|l| l.info.clone()).collect())
}

/// Lists the devices again (PJSUA2's `refreshDevs`): ids may change.
pub(crate) fn refresh() {
    let fresh = enumerate();
    *CATALOG.lock().unwrap_or_else(PoisonError::into_inner) = Some(fresh);
}

/// The listed id of the host's default capture (`input`) or playback
/// device, if it is listed.
pub(crate) fn default_id(input: bool) -> Option<i32> {
    let host = cpal::default_host();
    let device = if input {
        host.default_input_device()
    } else {
        host.default_output_device()
    }?;
    let id = device.id().ok()?;
    with_catalog(|c| {
        c.iter()
            .find(|l| l.device.id().ok().as_ref() == Some(&id))
            .map(|l| l.info.id)
    })
}

/// The device `id` for capture (`input`) or playback: a listed index, or
/// PJSUA2's defaults (-1 capture, -2 playback: the host's default device
/// of the direction asked for).
fn resolve(id: i32, input: bool) -> Result<cpal::Device, DeviceError> {
    if id == super::PJSUA_SND_DEFAULT_CAPTURE_DEV || id == super::PJSUA_SND_DEFAULT_PLAYBACK_DEV {
        let host = cpal::default_host();
        let device = if input {
            host.default_input_device()
        } else {
            host.default_output_device()
        };
        return device.ok_or_else(|| {
            DeviceError::new(
                status::PJMEDIA_EAUD_NODEFDEV,
                format!(
                    "no default {} device",
                    if input { "capture" } else { "playback" }
                ),
            )
        });
    }
    with_catalog(|c| {
        let listed = usize::try_from(id).ok().and_then(|i| c.get(i));
        match listed {
            Some(l) if (input && l.info.input_count > 0) || (!input && l.info.output_count > 0) => {
                Ok(l.device.clone())
            }
            Some(l) => Err(DeviceError::new(
                status::PJMEDIA_EAUD_INVDEV,
                format!(
                    "device {id} ({}) cannot {}",
                    l.info.name,
                    if input { "capture" } else { "play" }
                ),
            )),
            None => Err(DeviceError::new(
                status::PJMEDIA_EAUD_INVDEV,
                format!("no audio device {id} ({} listed)", c.len()),
            )),
        }
    })
}

/// What the media configuration asks of a device.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SoundParams {
    /// The rate wanted (`sndClockRate`, or the bridge's `clockRate`).
    pub(crate) clock_rate: u32,
    /// The channels wanted (the bridge's `channelCount`).
    pub(crate) channels: u16,
    /// The frame duration of the media clock, ms.
    pub(crate) ptime_ms: u32,
    /// `sndRecLatency`, ms.
    pub(crate) rec_latency_ms: u32,
    /// `sndPlayLatency`, ms.
    pub(crate) play_latency_ms: u32,
}

/// The stream configuration chosen for one direction.
#[derive(Debug, Clone, Copy)]
struct Chosen {
    clock_rate: u32,
    channels: u16,
    format: SampleFormat,
    buffer: SupportedBufferSize,
}

/// The configuration for `device`: the rate and channels wanted if it
/// supports them (16-bit or float samples), else its default.
fn choose(device: &cpal::Device, input: bool, want: (u32, u16)) -> Result<Chosen, DeviceError> {
    let what = if input { "capture" } else { "playback" };
    let ranges: Vec<cpal::SupportedStreamConfigRange> = if input {
        device.supported_input_configs().map(Iterator::collect)
    } else {
        device.supported_output_configs().map(Iterator::collect)
    }
    .map_err(|e| from_cpal(what, &e))?;
    for format in [SampleFormat::I16, SampleFormat::F32] {
        if let Some(r) = ranges.iter().find(|r| {
            r.channels() == want.1
                && r.sample_format() == format
                && (r.min_sample_rate()..=r.max_sample_rate()).contains(&want.0)
        }) {
            return Ok(Chosen {
                clock_rate: want.0,
                channels: want.1,
                format,
                buffer: *r.buffer_size(),
            });
        }
    }
    let default = if input {
        device.default_input_config()
    } else {
        device.default_output_config()
    }
    .map_err(|e| from_cpal(what, &e))?;
    if matches!(
        default.sample_format(),
        SampleFormat::I16 | SampleFormat::F32
    ) {
        return Ok(Chosen {
            clock_rate: default.sample_rate(),
            channels: default.channels(),
            format: default.sample_format(),
            buffer: *default.buffer_size(),
        });
    }
    Err(DeviceError::new(
        status::PJMEDIA_EAUD_SAMPFORMAT,
        format!(
            "{what}: the device takes {:?} samples, neither 16-bit nor float",
            default.sample_format()
        ),
    ))
}

/// The callback size (frames) for a latency: the device double-buffers,
/// so half the latency per callback, within what the device allows.
fn period_frames(rate: u32, latency_ms: u32, range: &SupportedBufferSize) -> u32 {
    let frames = (u64::from(rate) * u64::from(latency_ms.max(2)) / 2000).max(1);
    let frames = u32::try_from(frames).unwrap_or(u32::MAX);
    match range {
        SupportedBufferSize::Range { min, max } => frames.clamp(*min, (*max).max(*min)),
        SupportedBufferSize::Unknown => frames,
    }
}

/// Errors a stream reported from cpal's thread.
#[derive(Debug, Default)]
pub(crate) struct Fault {
    failed: AtomicBool,
    reason: Mutex<Option<DeviceError>>,
    /// Glitches the host reported (xruns, route changes): counted, not
    /// fatal.
    glitches: AtomicU64,
}

impl Fault {
    fn report(&self, what: &str, e: &cpal::Error) {
        use cpal::ErrorKind as K;
        if matches!(e.kind(), K::Xrun | K::DeviceChanged | K::RealtimeDenied) {
            self.glitches.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut reason = self.reason.lock().unwrap_or_else(PoisonError::into_inner);
        if reason.is_none() {
            *reason = Some(from_cpal(what, e));
        }
        self.failed.store(true, Ordering::Release);
    }

    /// The error that stopped a stream, once.
    pub(crate) fn take_failure(&self) -> Option<DeviceError> {
        if !self.failed.load(Ordering::Acquire) {
            return None;
        }
        self.reason
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .or_else(|| {
                Some(DeviceError::new(
                    status::PJMEDIA_EAUD_SYSERR,
                    "the stream stopped",
                ))
            })
    }

    /// Glitches reported so far.
    pub(crate) fn glitches(&self) -> u64 {
        self.glitches.load(Ordering::Relaxed)
    }
}

fn to_i16(v: f32) -> i16 {
    // In range after the clamp; the cast only drops the fraction.
    (v * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}

/// A capture stream and the tick's side of its ring.
struct Capture {
    /// `None` only for the virtual devices of tests.
    _stream: Option<cpal::Stream>,
    ring: Arc<Ring>,
    reader: Reader,
}

/// A playback stream and the tick's side of its ring.
struct Playback {
    /// `None` only for the virtual devices of tests.
    _stream: Option<cpal::Stream>,
    ring: Arc<Ring>,
}

/// An open capture/playback pair (either may be absent).
pub(crate) struct SoundIo {
    format: AudioFormat,
    capture: Option<Capture>,
    playback: Option<Playback>,
    fault: Arc<Fault>,
    names: String,
}

impl std::fmt::Debug for SoundIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoundIo")
            .field("format", &self.format)
            .field("devices", &self.names)
            .finish_non_exhaustive()
    }
}

/// Opens the capture device `capture` and the playback device `playback`
/// (at least one), at one format for both.
pub(crate) fn open(
    capture: Option<i32>,
    playback: Option<i32>,
    params: &SoundParams,
) -> Result<SoundIo, DeviceError> {
    let cap_dev = capture.map(|id| resolve(id, true)).transpose()?;
    let play_dev = playback.map(|id| resolve(id, false)).transpose()?;
    let want = (params.clock_rate, params.channels);
    let play_cfg = play_dev
        .as_ref()
        .map(|d| choose(d, false, want))
        .transpose()?;
    let want = play_cfg
        .as_ref()
        .map_or(want, |c| (c.clock_rate, c.channels));
    let cap_cfg = cap_dev
        .as_ref()
        .map(|d| choose(d, true, want))
        .transpose()?;
    let shape = match (&cap_cfg, &play_cfg) {
        (Some(c), Some(p)) if (c.clock_rate, c.channels) != (p.clock_rate, p.channels) => {
            return Err(DeviceError::new(
                status::PJMEDIA_EAUD_BADFORMAT,
                format!(
                    "capture at {} Hz x{} and playback at {} Hz x{}: the two devices share no format",
                    c.clock_rate, c.channels, p.clock_rate, p.channels
                ),
            ));
        }
        (_, Some(c)) | (Some(c), None) => (c.clock_rate, c.channels),
        (None, None) => {
            return Err(DeviceError::new(
                status::PJMEDIA_EAUD_INVOP,
                "neither a capture nor a playback device",
            ));
        }
    };
    let format = AudioFormat::new(shape.0, shape.1, params.ptime_ms.max(1));
    if format.samples_per_frame == 0 {
        return Err(DeviceError::new(
            status::PJMEDIA_EAUD_BADFORMAT,
            format!("{} Hz gives no sample in a frame", shape.0),
        ));
    }
    let fault = Arc::new(Fault::default());
    let name = |d: &Option<cpal::Device>| {
        d.as_ref()
            .and_then(|d| d.id().ok())
            .map_or_else(|| "-".to_owned(), |id| id.id().to_owned())
    };
    let names = format!("capture {}, playback {}", name(&cap_dev), name(&play_dev));
    let capture = match (cap_dev, cap_cfg) {
        (Some(d), Some(c)) => Some(open_capture(&d, &c, format, params, &fault)?),
        _ => None,
    };
    let playback = match (play_dev, play_cfg) {
        (Some(d), Some(c)) => Some(open_playback(&d, &c, format, params, &fault)?),
        _ => None,
    };
    Ok(SoundIo {
        format,
        capture,
        playback,
        fault,
        names,
    })
}

/// Builds a stream with a fixed buffer size for the latency, or with the
/// host's default if that one is refused.
fn build<S>(
    rate: u32,
    channels: u16,
    period: u32,
    mut make: impl FnMut(cpal::StreamConfig) -> Result<S, cpal::Error>,
) -> Result<S, cpal::Error> {
    let config = |buffer_size| cpal::StreamConfig {
        channels,
        sample_rate: rate,
        buffer_size,
    };
    make(config(BufferSize::Fixed(period))).or_else(|_| make(config(BufferSize::Default)))
}

fn open_capture(
    device: &cpal::Device,
    chosen: &Chosen,
    format: AudioFormat,
    params: &SoundParams,
    fault: &Arc<Fault>,
) -> Result<Capture, DeviceError> {
    let frame = format.frame_len();
    let ch = usize::from(format.channels);
    let period = period_frames(format.clock_rate, params.rec_latency_ms, &chosen.buffer);
    let period_len = period as usize * ch;
    let ring = Arc::new(Ring::new(8 * (frame + period_len), ch));
    let stream = build(format.clock_rate, format.channels, period, |config| {
        let (ring, f) = (ring.clone(), fault.clone());
        let on_error = move |e: cpal::Error| f.report("capture", &e);
        match chosen.format {
            SampleFormat::F32 => {
                let mut scratch: Vec<i16> = Vec::new();
                device.build_input_stream::<f32, _, _>(
                    config,
                    move |data: &[f32], _: &cpal::InputCallbackInfo| {
                        scratch.clear();
                        scratch.extend(data.iter().map(|&v| to_i16(v)));
                        ring.push(&scratch);
                    },
                    on_error,
                    None,
                )
            }
            _ => device.build_input_stream::<i16, _, _>(
                config,
                move |data: &[i16], _: &cpal::InputCallbackInfo| ring.push(data),
                on_error,
                None,
            ),
        }
    })
    .map_err(|e| from_cpal("capture", &e))?;
    stream.play().map_err(|e| from_cpal("capture", &e))?;
    let period_len = stream.buffer_size().map_or(period_len, |n| n as usize * ch);
    let target = frame + period_len;
    Ok(Capture {
        _stream: Some(stream),
        ring,
        reader: Reader::new(target, target + 2 * frame.max(period_len)),
    })
}

fn open_playback(
    device: &cpal::Device,
    chosen: &Chosen,
    format: AudioFormat,
    params: &SoundParams,
    fault: &Arc<Fault>,
) -> Result<Playback, DeviceError> {
    let frame = format.frame_len();
    let ch = usize::from(format.channels);
    let period = period_frames(format.clock_rate, params.play_latency_ms, &chosen.buffer);
    let period_len = period as usize * ch;
    let ring = Arc::new(Ring::new(8 * (frame + period_len), ch));
    // The callback's reader aims at one tick's frame plus one callback's
    // worth, learnt at its first call.
    let reader_for = move |asked: usize| {
        let target = frame + asked;
        Reader::new(target, target + 2 * frame.max(asked))
    };
    let stream = build(format.clock_rate, format.channels, period, |config| {
        let (ring, f) = (ring.clone(), fault.clone());
        let on_error = move |e: cpal::Error| f.report("playback", &e);
        let mut reader: Option<Reader> = None;
        match chosen.format {
            SampleFormat::F32 => {
                let mut scratch: Vec<i16> = Vec::new();
                device.build_output_stream::<f32, _, _>(
                    config,
                    move |out: &mut [f32], _: &cpal::OutputCallbackInfo| {
                        scratch.resize(out.len(), 0);
                        let r = reader.get_or_insert_with(|| reader_for(out.len()));
                        r.read(&ring, &mut scratch);
                        for (o, s) in out.iter_mut().zip(&scratch) {
                            *o = f32::from(*s) / 32768.0;
                        }
                    },
                    on_error,
                    None,
                )
            }
            _ => device.build_output_stream::<i16, _, _>(
                config,
                move |out: &mut [i16], _: &cpal::OutputCallbackInfo| {
                    let r = reader.get_or_insert_with(|| reader_for(out.len()));
                    r.read(&ring, out);
                },
                on_error,
                None,
            ),
        }
    })
    .map_err(|e| from_cpal("playback", &e))?;
    stream.play().map_err(|e| from_cpal("playback", &e))?;
    Ok(Playback {
        _stream: Some(stream),
        ring,
    })
}

impl SoundIo {
    /// The frame shape of the devices (their rate and channels, the media
    /// clock's frame duration).
    pub(crate) fn format(&self) -> AudioFormat {
        self.format
    }

    /// Which devices, for logs.
    pub(crate) fn names(&self) -> &str {
        &self.names
    }

    /// Whether it captures.
    pub(crate) fn captures(&self) -> bool {
        self.capture.is_some()
    }

    /// Whether it plays.
    pub(crate) fn plays(&self) -> bool {
        self.playback.is_some()
    }

    /// The next captured frame: true with audio, false with silence (no
    /// capture device, or none captured in time).
    pub(crate) fn read(&mut self, out: &mut [i16]) -> bool {
        match self.capture.as_mut() {
            Some(c) => c.reader.read(&c.ring, out),
            None => {
                out.fill(0);
                false
            }
        }
    }

    /// Queues a frame for the playback device.
    pub(crate) fn write(&mut self, frame: &[i16]) {
        if let Some(p) = &self.playback {
            p.ring.push(frame);
        }
    }

    /// The error that stopped a stream, once.
    pub(crate) fn take_failure(&self) -> Option<DeviceError> {
        self.fault.take_failure()
    }

    /// Counters of the capture ring, the playback ring, and glitches.
    pub(crate) fn counters(&self) -> (Option<RingCounters>, Option<RingCounters>, u64) {
        (
            self.capture.as_ref().map(|c| c.ring.counters()),
            self.playback.as_ref().map(|p| p.ring.counters()),
            self.fault.glitches(),
        )
    }

    /// A capture/playback pair with no device behind: the test plays the
    /// device's part through the two rings it gets back (capture, then
    /// playback).
    #[cfg(test)]
    pub(crate) fn virtual_pair(format: AudioFormat) -> (Self, Arc<Ring>, Arc<Ring>) {
        let frame = format.frame_len();
        let ch = usize::from(format.channels);
        let capture = Arc::new(Ring::new(16 * frame, ch));
        let playback = Arc::new(Ring::new(16 * frame, ch));
        let io = Self {
            format,
            capture: Some(Capture {
                _stream: None,
                ring: capture.clone(),
                reader: Reader::new(frame, 4 * frame),
            }),
            playback: Some(Playback {
                _stream: None,
                ring: playback.clone(),
            }),
            fault: Arc::new(Fault::default()),
            names: "virtual".to_owned(),
        };
        (io, capture, playback)
    }

    /// Marks the streams failed, as cpal's thread would (tests).
    #[cfg(test)]
    pub(crate) fn inject_failure(&self, e: cpal::ErrorKind) {
        self.fault.report("test", &cpal::Error::new(e));
    }
}
