//! PJSUA2's media classes for Python: `Media`, `AudioMedia`,
//! `AudioMediaPlayer`, `AudioMediaRecorder`, `ToneGenerator`,
//! `AudioMediaPort`, `ExtraAudioDevice` and `AudDevManager`, over
//! [`ferrosip::media`]. Their plain data (`ConfPortInfo`, `ToneDesc`,
//! `MediaFrame`, …) are config classes (`config.rs`), crossing as JSON.
//!
//! Life: a player, recorder, tone generator, application port or extra
//! device lives in the bridge while its Python object lives (PJSUA2's C++
//! destructor removes it; so does ours, when the object is collected); a
//! recorder's file is completed then. The callbacks the Rust side keeps
//! (`onEof2`, `onFrameRequested`, `onFrameReceived`) reach the Python
//! object through a weak reference, so they never keep it alive: no
//! reference cycle holds a port in the bridge forever. An `AudioMedia`
//! from `mediaEnumPorts2()` or `getPlaybackDevMedia()` is a handle that
//! owns nothing. Every method of an object that was never created, or
//! whose port is gone (removed, or the library destroyed), raises
//! `pj.Error` — PJSUA2 asserts and aborts the process there.
//!
//! Threads: the media clock runs `onFrameRequested`/`onFrameReceived` on
//! its own thread while it holds the media lock, and takes the GIL for
//! them. So every method here that enters the media API releases the GIL
//! first (as does dropping an object that owns a port), and no lock of
//! this module is held while the media lock is awaited. `onEof2` runs where
//! every callback runs (a worker thread, or inside `libHandleEvents`). An
//! exception raised by a callback is reported (`handlers::report`), never
//! propagated into Rust.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ferrosip::config::AudioMediaTransmitParam;
use ferrosip::error::status;
use ferrosip::media::{
    AudDevManager, AudioMedia, AudioMediaPlayer, AudioMediaPlayerHandler, AudioMediaPort,
    AudioMediaPortHandler, AudioMediaRecorder, ExtraAudioDevice, MediaFormatAudio, MediaFrame,
    PJMEDIA_FRAME_TYPE_NONE, PJMEDIA_TYPE_AUDIO, ToneDesc, ToneDigit, ToneDigitMapDigit,
    ToneGenerator,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::type_object::PyTypeInfo;
use pyo3::types::{PyBytes, PyDict, PyInt, PyTuple, PyWeakrefReference};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::convert::{config_from_py, config_to_py};
use crate::endpoint::lock;
use crate::error::{IntoPy as _, to_py};
use crate::handlers;

/// What a Python media object stands for.
#[derive(Debug, Default)]
enum Owner {
    /// Nothing yet (never created), or closed.
    #[default]
    Empty,
    /// A port this object does not own (`mediaEnumPorts2`, the sound
    /// device's port).
    Handle(AudioMedia),
    /// A player this object owns.
    Player(Arc<AudioMediaPlayer>),
    /// A recorder this object owns.
    Recorder(Arc<AudioMediaRecorder>),
    /// A tone generator this object owns.
    Tone(Arc<ToneGenerator>),
    /// An application port this object owns.
    Port(Arc<AudioMediaPort>),
    /// An open extra sound device this object owns.
    Extra(Arc<ExtraAudioDevice>),
}

impl Owner {
    /// The handle of the port (a handle to nothing when empty).
    fn media(&self) -> AudioMedia {
        let media: &AudioMedia = match self {
            Self::Empty => return AudioMedia::default(),
            Self::Handle(h) => h,
            Self::Player(p) => p,
            Self::Recorder(r) => r,
            Self::Tone(t) => t,
            Self::Port(p) => p,
            Self::Extra(e) => e,
        };
        media.clone()
    }

    /// Whether dropping this removes a port from the bridge (which takes
    /// the media lock).
    fn owns_port(&self) -> bool {
        !matches!(self, Self::Empty | Self::Handle(_))
    }
}

/// Drops `owner` with the GIL released when it owns a port: removing the
/// port takes the media lock, which the media clock may hold while it
/// waits for the GIL to run a frame callback.
fn release(owner: Owner) {
    if owner.owns_port() {
        // Without an interpreter to detach from (at its very end), the
        // closure and the owner in it are simply dropped.
        let _ = Python::try_attach(move |py| py.detach(move || drop(owner)));
    }
}

/// `ferrosip.Error` with status `PJ_EINVAL`: the object has no port yet.
fn not_created(title: &str, create: &str) -> PyErr {
    to_py(ferrosip::Error::new(
        status::PJ_EINVAL,
        title,
        format!("the object has not been created (call {create}() first)"),
    ))
}

/// `ferrosip.Error` with status `PJ_EEXISTS`: created twice (as PJSUA2).
fn already_created(title: &str) -> PyErr {
    to_py(ferrosip::Error::new(
        status::PJ_EEXISTS,
        title,
        "this object already has its media (create a new object)",
    ))
}

/// The live endpoint, for a method named `title` (call it detached).
fn endpoint(title: &str) -> ferrosip::Result<ferrosip::Endpoint> {
    ferrosip::Endpoint::instance().map_err(|e| e.titled(title))
}

/// A tuple of config objects of class `class_name` (PJSUA2 returns its
/// vectors as tuples).
fn tuple_of<'py, T: Serialize>(
    py: Python<'py>,
    class_name: &str,
    items: &[T],
) -> PyResult<Bound<'py, PyTuple>> {
    let objects = items
        .iter()
        .map(|item| config_to_py(py, class_name, item))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, objects)
}

/// The Rust values of an iterable of config objects, checked by the
/// vector class `vector_class` (`ToneDescVector`: a `TypeError` for an item
/// of another class).
fn items_from_py<T: DeserializeOwned>(
    items: &Bound<'_, PyAny>,
    vector_class: &str,
    title: &str,
) -> PyResult<Vec<T>> {
    if items.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{title}: expected a {vector_class} or a list, got int"
        )));
    }
    let vector = items
        .py()
        .import("ferrosip")?
        .getattr(vector_class)?
        .call1((items,))?;
    vector
        .try_iter()?
        .map(|item| config_from_py(&item?, title))
        .collect()
}

/// PJSUA2's `Media`: the base of every media object. It has no
/// constructor.
#[pyclass(name = "Media", module = "ferrosip", subclass, frozen)]
#[derive(Debug)]
pub(crate) struct PyMedia;

#[pymethods]
impl PyMedia {
    /// The media type: `PJMEDIA_TYPE_AUDIO` (1).
    #[pyo3(name = "getType")]
    fn get_type(&self) -> u32 {
        PJMEDIA_TYPE_AUDIO
    }
}

/// PJSUA2's `AudioMedia`: a port of the conference bridge. Any port can
/// transmit to any other; a port hears the sum of what transmits to it.
///
/// `AudioMedia()` stands for no port (its methods raise `pj.Error`); the
/// objects `mediaEnumPorts2()` and `AudDevManager.getPlaybackDevMedia()`
/// return stand for a port they do not own.
///
/// No `dict` here: with one at this middle level of the class hierarchy,
/// PyO3 0.30's GC traversal of a subclass instance (`AudioMediaPlayer`)
/// crashed the interpreter in `gc.collect()`. Python subclasses have their
/// own `__dict__` anyway.
#[pyclass(
    name = "AudioMedia",
    module = "ferrosip",
    extends = PyMedia,
    subclass,
    weakref,
    frozen
)]
#[derive(Debug)]
pub(crate) struct PyAudioMedia {
    slot: Mutex<Owner>,
}

impl Drop for PyAudioMedia {
    fn drop(&mut self) {
        let owner = std::mem::take(self.slot.get_mut().unwrap_or_else(|p| p.into_inner()));
        release(owner);
    }
}

impl PyAudioMedia {
    /// The initializer of an object standing for `owner`.
    fn init(owner: Owner) -> PyClassInitializer<Self> {
        PyClassInitializer::from(PyMedia).add_subclass(Self {
            slot: Mutex::new(owner),
        })
    }

    /// A new `AudioMedia` object that stands for the port of `handle`.
    pub(crate) fn handle(py: Python<'_>, handle: AudioMedia) -> PyResult<Py<Self>> {
        Py::new(py, Self::init(Owner::Handle(handle)))
    }

    /// The port's handle (a handle to nothing before creation).
    fn media(&self) -> AudioMedia {
        lock(&self.slot).media()
    }

    /// Stores `owner` if the object has no media yet; otherwise gives it
    /// back (the caller drops it detached and reports `PJ_EEXISTS`).
    fn install(&self, owner: Owner) -> Result<(), Owner> {
        let mut slot = lock(&self.slot);
        if matches!(*slot, Owner::Empty) {
            *slot = owner;
            Ok(())
        } else {
            Err(owner)
        }
    }

    /// Fails with `PJ_EEXISTS` unless the object has no media yet.
    fn check_empty(&self, title: &str) -> PyResult<()> {
        if matches!(*lock(&self.slot), Owner::Empty) {
            Ok(())
        } else {
            Err(already_created(title))
        }
    }

    /// Creates the object's media with `make` (run with the GIL released)
    /// and stores it.
    fn create(
        &self,
        py: Python<'_>,
        title: &str,
        make: impl FnOnce(&ferrosip::Endpoint) -> ferrosip::Result<Owner> + Send,
    ) -> PyResult<()> {
        self.check_empty(title)?;
        let owner = py.detach(|| make(&endpoint(title)?)).py()?;
        self.install(owner).map_err(|owner| {
            release(owner);
            already_created(title)
        })
    }

    /// Runs `f` on the port's handle with the GIL released.
    fn with_media<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&AudioMedia) -> ferrosip::Result<T> + Send,
    ) -> PyResult<T> {
        let media = self.media();
        py.detach(|| f(&media)).py()
    }

    /// The owned object picked by `pick`, or the error for a method named
    /// `title` of an object not created by `create`.
    fn owned<T>(
        &self,
        title: &str,
        create: &str,
        pick: impl FnOnce(&Owner) -> Option<Arc<T>>,
    ) -> PyResult<Arc<T>> {
        pick(&lock(&self.slot)).ok_or_else(|| not_created(title, create))
    }
}

/// The handle of the Python media object `sink` (an `AudioMedia`).
fn sink_of(sink: &Bound<'_, PyAny>, title: &str) -> PyResult<AudioMedia> {
    let sink = sink.cast::<PyAudioMedia>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{title}: the sink must be an AudioMedia, not {}",
            sink.get_type()
                .name()
                .map_or_else(|_| "?".to_owned(), |n| n.to_string())
        ))
    })?;
    Ok(sink.get().media())
}

#[pymethods]
impl PyAudioMedia {
    /// An `AudioMedia` that stands for no port. Any arguments are for a
    /// subclass's `__init__`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        Self::init(Owner::Empty)
    }

    /// The conference port id; -1 when there is no port.
    #[pyo3(name = "getPortId")]
    fn get_port_id(&self) -> i32 {
        self.media().port_id()
    }

    /// What the bridge knows of the port (a `ConfPortInfo`).
    #[pyo3(name = "getPortInfo")]
    fn get_port_info(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let info = self.with_media(py, AudioMedia::port_info)?;
        config_to_py(py, "ConfPortInfo", &info)
    }

    /// The `ConfPortInfo` of conference port `port_id`.
    #[staticmethod]
    #[pyo3(name = "getPortInfoFromId")]
    fn get_port_info_from_id(py: Python<'_>, port_id: i32) -> PyResult<Py<PyAny>> {
        let title = "AudioMedia::getPortInfoFromId()";
        let info = py
            .detach(|| AudioMedia::port_info_from_id(&endpoint(title)?, port_id))
            .py()?;
        config_to_py(py, "ConfPortInfo", &info)
    }

    /// Starts sending this port's audio to `sink` (an `AudioMedia`).
    #[pyo3(name = "startTransmit")]
    fn start_transmit(&self, py: Python<'_>, sink: &Bound<'_, PyAny>) -> PyResult<()> {
        let sink = sink_of(sink, "AudioMedia::startTransmit()")?;
        self.with_media(py, |media| media.start_transmit(&sink))
    }

    /// Starts sending to `sink` at the level of `param` (an
    /// `AudioMediaTransmitParam`); sending again changes the level.
    #[pyo3(name = "startTransmit2")]
    fn start_transmit2(
        &self,
        py: Python<'_>,
        sink: &Bound<'_, PyAny>,
        param: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let title = "AudioMedia::startTransmit2()";
        let sink = sink_of(sink, title)?;
        let param: AudioMediaTransmitParam = config_from_py(param, title)?;
        self.with_media(py, |media| media.start_transmit2(&sink, &param))
    }

    /// Stops sending to `sink`; nothing happens if it was not.
    #[pyo3(name = "stopTransmit")]
    fn stop_transmit(&self, py: Python<'_>, sink: &Bound<'_, PyAny>) -> PyResult<()> {
        let sink = sink_of(sink, "AudioMedia::stopTransmit()")?;
        self.with_media(py, |media| media.stop_transmit(&sink))
    }

    /// Scales what this port gives the bridge: 1.0 unchanged, 0 mute.
    #[pyo3(name = "adjustRxLevel")]
    fn adjust_rx_level(&self, py: Python<'_>, level: f32) -> PyResult<()> {
        self.with_media(py, |media| media.adjust_rx_level(level))
    }

    /// Scales what the bridge sends this port: 1.0 unchanged, 0 mute.
    #[pyo3(name = "adjustTxLevel")]
    fn adjust_tx_level(&self, py: Python<'_>, level: f32) -> PyResult<()> {
        self.with_media(py, |media| media.adjust_tx_level(level))
    }

    /// The level of the last frame this port gave the bridge, 0 to 255.
    #[pyo3(name = "getRxLevel")]
    fn get_rx_level(&self, py: Python<'_>) -> PyResult<u32> {
        self.with_media(py, AudioMedia::rx_level)
    }

    /// The level of the last frame the bridge sent this port, 0 to 255.
    #[pyo3(name = "getTxLevel")]
    fn get_tx_level(&self, py: Python<'_>) -> PyResult<u32> {
        self.with_media(py, AudioMedia::tx_level)
    }

    /// Deprecated in PJSUA2: `media` itself, when it is an `AudioMedia`.
    #[staticmethod]
    #[pyo3(name = "typecastFromMedia")]
    fn typecast_from_media<'py>(media: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        typecast::<Self>(media, "AudioMedia")
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let name = slf.get_type().name()?;
        Ok(format!("<{name} port {}>", slf.get().media().port_id()))
    }
}

/// `media` itself if it is a `T` (PJSUA2's deprecated downcasts).
fn typecast<'py, T: PyTypeInfo>(
    media: &Bound<'py, PyAny>,
    class: &str,
) -> PyResult<Bound<'py, PyAny>> {
    if media.is_instance_of::<T>() {
        Ok(media.clone())
    } else {
        Err(PyTypeError::new_err(format!(
            "expected a {class} (ferrosip has no unchecked casts)"
        )))
    }
}

/// The Rust handler of a player: calls its Python object's `onEof2`
/// through a weak reference.
#[derive(Debug)]
struct PlayerCallbacks {
    target: Py<PyWeakrefReference>,
}

impl AudioMediaPlayerHandler for PlayerCallbacks {
    fn on_eof2(&mut self, _player: &AudioMedia) {
        handlers::invoke_weak(&self.target, "onEof2");
    }
}

/// PJSUA2's `AudioMediaPlayer`: plays WAV files (8- or 16-bit PCM, A-law,
/// µ-law; any rate and channel count) into the bridge. Subclass it and
/// override `onEof2` to learn the end of the file.
#[pyclass(
    name = "AudioMediaPlayer",
    module = "ferrosip",
    extends = PyAudioMedia,
    subclass,
    frozen
)]
#[derive(Debug)]
pub(crate) struct PyAudioMediaPlayer;

impl PyAudioMediaPlayer {
    /// Creates the player with `make` and sends its end of file to
    /// `slf.onEof2`.
    fn create(
        slf: &Bound<'_, Self>,
        title: &str,
        make: impl FnOnce(&ferrosip::Endpoint) -> ferrosip::Result<AudioMediaPlayer> + Send,
    ) -> PyResult<()> {
        let py = slf.py();
        let target = PyWeakrefReference::new(slf.as_any())?.unbind();
        slf.as_super().get().create(py, title, move |ep| {
            let player = make(ep)?;
            player.set_handler(PlayerCallbacks { target })?;
            Ok(Owner::Player(Arc::new(player)))
        })
    }

    fn player(slf: &Bound<'_, Self>, title: &str) -> PyResult<Arc<AudioMediaPlayer>> {
        slf.as_super()
            .get()
            .owned(title, "createPlayer", |o| match o {
                Owner::Player(p) => Some(p.clone()),
                _ => None,
            })
    }
}

#[pymethods]
impl PyAudioMediaPlayer {
    /// A player with no file yet: call `createPlayer` or `createPlaylist`.
    /// Any arguments are for a subclass's `__init__`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyAudioMedia::init(Owner::Empty).add_subclass(Self)
    }

    /// Plays `file_name` into the bridge, in a loop unless `options` has
    /// `PJMEDIA_FILE_NO_LOOP`. A missing file raises `pj.Error` 70006
    /// (`PJ_ENOTFOUND`), an invalid one 220180 (`PJMEDIA_ENOTVALIDWAVE`).
    #[pyo3(name = "createPlayer", signature = (file_name, options = 0))]
    fn create_player(slf: &Bound<'_, Self>, file_name: PathBuf, options: u32) -> PyResult<()> {
        Self::create(slf, "AudioMediaPlayer::createPlayer()", move |ep| {
            AudioMediaPlayer::create_player(ep, &file_name, options)
        })
    }

    /// Plays the files one after the other (same rate and channel count);
    /// the port is named `label` (`"WAV playlist"` when empty).
    #[pyo3(name = "createPlaylist", signature = (file_names, label = String::new(), options = 0))]
    fn create_playlist(
        slf: &Bound<'_, Self>,
        file_names: Vec<PathBuf>,
        label: String,
        options: u32,
    ) -> PyResult<()> {
        Self::create(slf, "AudioMediaPlayer::createPlaylist()", move |ep| {
            AudioMediaPlayer::create_playlist(ep, &file_names, &label, options)
        })
    }

    /// The file's encoding and size (an `AudioMediaPlayerInfo`).
    #[pyo3(name = "getInfo")]
    fn get_info(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let player = Self::player(slf, "AudioMediaPlayer::getInfo()")?;
        let info = py.detach(|| player.info()).py()?;
        config_to_py(py, "AudioMediaPlayerInfo", &info)
    }

    /// The position in the file, in samples (per channel).
    #[pyo3(name = "getPos")]
    fn get_pos(slf: &Bound<'_, Self>) -> PyResult<u32> {
        let player = Self::player(slf, "AudioMediaPlayer::getPos()")?;
        slf.py().detach(|| player.pos()).py()
    }

    /// Moves to sample `samples` of the file.
    #[pyo3(name = "setPos")]
    fn set_pos(slf: &Bound<'_, Self>, samples: u32) -> PyResult<()> {
        let player = Self::player(slf, "AudioMediaPlayer::setPos()")?;
        slf.py().detach(|| player.set_pos(samples)).py()
    }

    /// Deprecated in PJSUA2: `media` itself, when it is an
    /// `AudioMediaPlayer`.
    #[staticmethod]
    #[pyo3(name = "typecastFromAudioMedia")]
    fn typecast_from_audio_media<'py>(media: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        typecast::<Self>(media, "AudioMediaPlayer")
    }

    /// Callback: the end of the file (of the playlist's last file) was
    /// played; a looping player calls it on every pass. The base class does
    /// nothing.
    #[pyo3(name = "onEof2")]
    fn on_eof2(&self) {}
}

/// PJSUA2's `AudioMediaRecorder`: writes what it is sent into a 16-bit PCM
/// WAV file, completed when the object is collected (or the library
/// destroyed).
#[pyclass(
    name = "AudioMediaRecorder",
    module = "ferrosip",
    extends = PyAudioMedia,
    subclass,
    frozen
)]
#[derive(Debug)]
pub(crate) struct PyAudioMediaRecorder;

#[pymethods]
impl PyAudioMediaRecorder {
    /// A recorder with no file yet: call `createRecorder`. Any arguments
    /// are for a subclass's `__init__`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyAudioMedia::init(Owner::Empty).add_subclass(Self)
    }

    /// Creates (or truncates) `file_name`, a `.wav` file (anything else
    /// raises `pj.Error` 70012, `PJ_ENOTSUP`), and records into it.
    /// `enc_type` must be 0; `max_size` in bytes, 0 or -1 for no limit.
    #[pyo3(
        name = "createRecorder",
        signature = (file_name, enc_type = 0, max_size = 0, options = 0)
    )]
    fn create_recorder(
        slf: &Bound<'_, Self>,
        file_name: PathBuf,
        enc_type: u32,
        max_size: i64,
        options: u32,
    ) -> PyResult<()> {
        let title = "AudioMediaRecorder::createRecorder()";
        slf.as_super().get().create(slf.py(), title, move |ep| {
            let recorder =
                AudioMediaRecorder::create_recorder(ep, &file_name, enc_type, max_size, options)?;
            Ok(Owner::Recorder(Arc::new(recorder)))
        })
    }

    /// Deprecated in PJSUA2: `media` itself, when it is an
    /// `AudioMediaRecorder`.
    #[staticmethod]
    #[pyo3(name = "typecastFromAudioMedia")]
    fn typecast_from_audio_media<'py>(media: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        typecast::<Self>(media, "AudioMediaRecorder")
    }
}

/// PJSUA2's `ToneGenerator`: dual-frequency tones and DTMF digits into the
/// bridge (its port is named `"tonegen"`).
#[pyclass(
    name = "ToneGenerator",
    module = "ferrosip",
    extends = PyAudioMedia,
    subclass,
    frozen
)]
#[derive(Debug)]
pub(crate) struct PyToneGenerator;

impl PyToneGenerator {
    fn generator(slf: &Bound<'_, Self>, title: &str) -> PyResult<Arc<ToneGenerator>> {
        slf.as_super()
            .get()
            .owned(title, "createToneGenerator", |o| match o {
                Owner::Tone(t) => Some(t.clone()),
                _ => None,
            })
    }

    /// Runs `f` on the generator with the GIL released.
    fn with<T: Send>(
        slf: &Bound<'_, Self>,
        title: &str,
        f: impl FnOnce(&ToneGenerator) -> ferrosip::Result<T> + Send,
    ) -> PyResult<T> {
        let generator = Self::generator(slf, title)?;
        slf.py().detach(|| f(&generator)).py()
    }
}

#[pymethods]
impl PyToneGenerator {
    /// A generator not created yet: call `createToneGenerator`. Any
    /// arguments are for a subclass's `__init__`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyAudioMedia::init(Owner::Empty).add_subclass(Self)
    }

    /// Adds the generator to the bridge, making `clock_rate` Hz audio with
    /// `channel_count` channels.
    #[pyo3(
        name = "createToneGenerator",
        signature = (clock_rate = 16000, channel_count = 1)
    )]
    fn create_tone_generator(
        slf: &Bound<'_, Self>,
        clock_rate: u32,
        channel_count: u32,
    ) -> PyResult<()> {
        let title = "ToneGenerator::createToneGenerator()";
        slf.as_super().get().create(slf.py(), title, move |ep| {
            let generator = ToneGenerator::create_tone_generator(ep, clock_rate, channel_count)?;
            Ok(Owner::Tone(Arc::new(generator)))
        })
    }

    /// Whether it is playing.
    #[pyo3(name = "isBusy")]
    fn is_busy(slf: &Bound<'_, Self>) -> PyResult<bool> {
        Self::with(slf, "ToneGenerator::isBusy()", |g| Ok(g.is_busy()))
    }

    /// Stops, and forgets what was queued.
    fn stop(slf: &Bound<'_, Self>) -> PyResult<()> {
        Self::with(slf, "ToneGenerator::stop()", ToneGenerator::stop)
    }

    /// Starts the queue again from its first tone.
    fn rewind(slf: &Bound<'_, Self>) -> PyResult<()> {
        Self::with(slf, "ToneGenerator::rewind()", ToneGenerator::rewind)
    }

    /// Queues tones (a `ToneDescVector`, or a list of `ToneDesc`); with
    /// `loop` the queue repeats until `stop()`.
    #[pyo3(signature = (tones, r#loop = false))]
    fn play(slf: &Bound<'_, Self>, tones: &Bound<'_, PyAny>, r#loop: bool) -> PyResult<()> {
        let title = "ToneGenerator::play()";
        let tones: Vec<ToneDesc> = items_from_py(tones, "ToneDescVector", title)?;
        Self::with(slf, title, |g| g.play(&tones, r#loop))
    }

    /// Queues DTMF digits (a `ToneDigitVector`, or a list of `ToneDigit`);
    /// a digit not in the digit map raises `pj.Error` 220106
    /// (`PJMEDIA_RTP_EINDTMF`).
    #[pyo3(name = "playDigits", signature = (digits, r#loop = false))]
    fn play_digits(slf: &Bound<'_, Self>, digits: &Bound<'_, PyAny>, r#loop: bool) -> PyResult<()> {
        let title = "ToneGenerator::playDigits()";
        let digits: Vec<ToneDigit> = items_from_py(digits, "ToneDigitVector", title)?;
        Self::with(slf, title, |g| g.play_digits(&digits, r#loop))
    }

    /// The digits it knows and their frequencies (a tuple of
    /// `ToneDigitMapDigit`).
    #[pyo3(name = "getDigitMap")]
    fn get_digit_map<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let map = Self::with(
            slf,
            "ToneGenerator::getDigitMap()",
            ToneGenerator::digit_map,
        )?;
        tuple_of(slf.py(), "ToneDigitMapDigit", &map)
    }

    /// Replaces the digit map (a `ToneDigitMapVector`, or a list of
    /// `ToneDigitMapDigit`).
    #[pyo3(name = "setDigitMap")]
    fn set_digit_map(slf: &Bound<'_, Self>, digit_map: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "ToneGenerator::setDigitMap()";
        let map: Vec<ToneDigitMapDigit> = items_from_py(digit_map, "ToneDigitMapVector", title)?;
        Self::with(slf, title, |g| g.set_digit_map(&map))
    }
}

/// How often a failing frame callback is reported at most.
const REPORT_EVERY: Duration = Duration::from_secs(1);

/// The Rust handler of an application port: calls its Python object's
/// `onFrameRequested`/`onFrameReceived` through a weak reference, on the
/// media clock's thread.
#[derive(Debug)]
struct PortCallbacks {
    target: Py<PyWeakrefReference>,
    /// When an exception was last reported, and how many were not since.
    last_report: Option<Instant>,
    unreported: u32,
}

impl PortCallbacks {
    /// Reports an exception of a frame callback: once a second at most,
    /// as a callback that fails fails on every frame.
    fn report(&mut self, py: Python<'_>, err: PyErr, what: &str) {
        let now = Instant::now();
        if self
            .last_report
            .is_some_and(|t| now.duration_since(t) < REPORT_EVERY)
        {
            self.unreported += 1;
            return;
        }
        self.last_report = Some(now);
        let what = match std::mem::take(&mut self.unreported) {
            0 => what.to_owned(),
            n => format!("{what} (and {n} more exceptions since the last report)"),
        };
        handlers::report(py, err, &what);
    }

    /// Calls `method(frame)` on the Python object, with `frame` a
    /// `MediaFrame` made from `type_`, `buf` and `size`; returns the frame
    /// as the callback left it. `None` when the object is gone or the
    /// callback raised (reported).
    fn call(
        &mut self,
        method: &str,
        type_: u32,
        buf: &[u8],
        size: u32,
    ) -> Option<(u32, Vec<u8>, u32)> {
        Python::try_attach(|py| {
            let obj = self.target.bind(py).upgrade()?;
            let outcome = (|| -> PyResult<(u32, Vec<u8>, u32)> {
                let helpers = py.import("ferrosip._media")?;
                let frame =
                    helpers.call_method1("_frame_in", (type_, PyBytes::new(py, buf), size))?;
                obj.call_method1(method, (&frame,))?;
                let (type_, bytes, size): (u32, Bound<'_, PyBytes>, u32) =
                    helpers.call_method1("_frame_out", (frame,))?.extract()?;
                Ok((type_, bytes.as_bytes().to_vec(), size))
            })();
            match outcome {
                Ok(frame) => Some(frame),
                Err(err) => {
                    self.report(py, err, method);
                    None
                }
            }
        })
        .flatten()
    }
}

impl AudioMediaPortHandler for PortCallbacks {
    fn on_frame_requested(&mut self, frame: &mut MediaFrame) {
        // As PJSUA2: an empty buffer, `size` its capacity in bytes.
        let capacity = frame.size;
        match self.call("onFrameRequested", PJMEDIA_FRAME_TYPE_NONE, &[], capacity) {
            Some((type_, buf, size)) => {
                frame.type_ = type_;
                frame.buf = buf;
                frame.size = size;
            }
            None => {
                frame.type_ = PJMEDIA_FRAME_TYPE_NONE;
                frame.size = 0;
            }
        }
    }

    fn on_frame_received(&mut self, frame: &MediaFrame) {
        let used = frame.buf.len().min(frame.size as usize);
        let _ = self.call(
            "onFrameReceived",
            frame.type_,
            &frame.buf[..used],
            frame.size,
        );
    }
}

/// PJSUA2's `AudioMediaPort`: a bridge port whose frames the application
/// makes (`onFrameRequested`) and takes (`onFrameReceived`). Subclass it,
/// override those, then call `createPort`.
///
/// Both callbacks run on the media clock's thread, once per frame, while
/// the bridge waits: keep them short. The media API cannot be called from
/// them (it raises `pj.Error`, `PJ_EINVALIDOP`).
#[pyclass(
    name = "AudioMediaPort",
    module = "ferrosip",
    extends = PyAudioMedia,
    subclass,
    frozen
)]
#[derive(Debug)]
pub(crate) struct PyAudioMediaPort;

#[pymethods]
impl PyAudioMediaPort {
    /// A port not created yet: call `createPort`. Any arguments are for a
    /// subclass's `__init__`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyAudioMedia::init(Owner::Empty).add_subclass(Self)
    }

    /// Adds the port to the bridge, named `name`, with frames of `fmt` (a
    /// `MediaFormatAudio`: 16-bit PCM; `frameTimeUsec` 0 for the bridge's
    /// frame time).
    #[pyo3(name = "createPort")]
    fn create_port(slf: &Bound<'_, Self>, name: String, fmt: &Bound<'_, PyAny>) -> PyResult<()> {
        let title = "AudioMediaPort::createPort()";
        let format: MediaFormatAudio = config_from_py(fmt, title)?;
        let handler = PortCallbacks {
            target: PyWeakrefReference::new(slf.as_any())?.unbind(),
            last_report: None,
            unreported: 0,
        };
        slf.as_super().get().create(slf.py(), title, move |ep| {
            let port = AudioMediaPort::create_port(ep, &name, &format, handler)?;
            Ok(Owner::Port(Arc::new(port)))
        })
    }

    /// Callback: the bridge wants a frame. `frame.buf` is empty and
    /// `frame.size` its capacity in bytes: set `frame.type`
    /// (`PJMEDIA_FRAME_TYPE_AUDIO`) and fill `frame.buf` with 16-bit
    /// little-endian samples. The base class leaves the frame empty.
    #[pyo3(name = "onFrameRequested")]
    fn on_frame_requested(&self, frame: &Bound<'_, PyAny>) {
        let _ = frame;
    }

    /// Callback: the bridge gives a frame (`frame.buf`, `frame.size`
    /// bytes of 16-bit little-endian samples). The base class does nothing.
    #[pyo3(name = "onFrameReceived")]
    fn on_frame_received(&self, frame: &Bound<'_, PyAny>) {
        let _ = frame;
    }
}

/// PJSUA2's `ExtraAudioDevice`: a second sound device as a bridge port.
/// The null device (`PJSUA_SND_NULL_DEV` for both ids) opens anywhere.
#[pyclass(
    name = "ExtraAudioDevice",
    module = "ferrosip",
    extends = PyAudioMedia,
    subclass,
    frozen
)]
#[derive(Debug)]
pub(crate) struct PyExtraAudioDevice {
    playdev: i32,
    recdev: i32,
}

#[pymethods]
impl PyExtraAudioDevice {
    /// The devices `playdev` and `recdev`, not open yet. Any further
    /// arguments are for a subclass's `__init__`.
    #[new]
    #[pyo3(signature = (playdev, recdev, *_args, **_kwargs))]
    fn new(
        playdev: i32,
        recdev: i32,
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyAudioMedia::init(Owner::Empty).add_subclass(Self { playdev, recdev })
    }

    /// Opens the devices and adds their port to the bridge; nothing
    /// happens if they are open. An unknown device raises `pj.Error`
    /// 420004 (`PJMEDIA_EAUD_INVDEV`).
    fn open(slf: &Bound<'_, Self>) -> PyResult<()> {
        let title = "ExtraAudioDevice::open()";
        let (playdev, recdev) = (slf.get().playdev, slf.get().recdev);
        let base = slf.as_super().get();
        if Self::opened(slf) {
            return Ok(());
        }
        // A device closed by libDestroy: forget it (outside the slot's lock).
        let stale = std::mem::take(&mut *lock(&base.slot));
        release(stale);
        base.create(slf.py(), title, move |ep| {
            let mut device = ExtraAudioDevice::new(ep, playdev, recdev);
            device.open()?;
            Ok(Owner::Extra(Arc::new(device)))
        })
    }

    /// Closes the devices and removes their port.
    fn close(slf: &Bound<'_, Self>) {
        let owner = std::mem::take(&mut *lock(&slf.as_super().get().slot));
        release(owner);
    }

    /// Whether the devices are open.
    #[pyo3(name = "isOpened")]
    fn is_opened(slf: &Bound<'_, Self>) -> bool {
        Self::opened(slf)
    }
}

impl PyExtraAudioDevice {
    fn opened(slf: &Bound<'_, Self>) -> bool {
        let device = match &*lock(&slf.as_super().get().slot) {
            Owner::Extra(device) => device.clone(),
            _ => return false,
        };
        slf.py().detach(|| device.is_opened())
    }
}

/// PJSUA2's `AudDevManager` (from `Endpoint.audDevManager()`): which sound
/// devices the bridge uses. ferrosip's bridge keeps its own clock; with no
/// sound backend, port 0 is the null device and no device is listed.
#[pyclass(name = "AudDevManager", module = "ferrosip", frozen)]
#[derive(Debug)]
pub(crate) struct PyAudDevManager {
    manager: AudDevManager,
}

impl PyAudDevManager {
    /// The manager of `ep`.
    pub(crate) fn new(ep: &ferrosip::Endpoint) -> Self {
        Self {
            manager: ep.aud_dev_manager(),
        }
    }

    /// Runs `f` on the manager with the GIL released.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&AudDevManager) -> ferrosip::Result<T> + Send,
    ) -> PyResult<T> {
        py.detach(|| f(&self.manager)).py()
    }
}

#[pymethods]
impl PyAudDevManager {
    /// The capture device chosen (`PJSUA_SND_DEFAULT_CAPTURE_DEV`,
    /// `PJSUA_SND_NULL_DEV`, …).
    #[pyo3(name = "getCaptureDev")]
    fn get_capture_dev(&self, py: Python<'_>) -> PyResult<i32> {
        self.with(py, AudDevManager::get_capture_dev)
    }

    /// The bridge port of the capture device (port 0), an `AudioMedia`.
    #[pyo3(name = "getCaptureDevMedia")]
    fn get_capture_dev_media(&self, py: Python<'_>) -> PyResult<Py<PyAudioMedia>> {
        let media = self.with(py, AudDevManager::get_capture_dev_media)?;
        PyAudioMedia::handle(py, media)
    }

    /// The playback device chosen.
    #[pyo3(name = "getPlaybackDev")]
    fn get_playback_dev(&self, py: Python<'_>) -> PyResult<i32> {
        self.with(py, AudDevManager::get_playback_dev)
    }

    /// The bridge port of the playback device (port 0), an `AudioMedia`.
    #[pyo3(name = "getPlaybackDevMedia")]
    fn get_playback_dev_media(&self, py: Python<'_>) -> PyResult<Py<PyAudioMedia>> {
        let media = self.with(py, AudDevManager::get_playback_dev_media)?;
        PyAudioMedia::handle(py, media)
    }

    /// Chooses the capture device; an unknown one raises `pj.Error` 420004
    /// (`PJMEDIA_EAUD_INVDEV`).
    #[pyo3(name = "setCaptureDev")]
    fn set_capture_dev(&self, py: Python<'_>, capture_dev: i32) -> PyResult<()> {
        self.with(py, |m| m.set_capture_dev(capture_dev))
    }

    /// Chooses the playback device; an unknown one raises `pj.Error`
    /// 420004 (`PJMEDIA_EAUD_INVDEV`).
    #[pyo3(name = "setPlaybackDev")]
    fn set_playback_dev(&self, py: Python<'_>, playback_dev: i32) -> PyResult<()> {
        self.with(py, |m| m.set_playback_dev(playback_dev))
    }

    /// The sound devices, a tuple of `AudioDevInfo`.
    #[pyo3(name = "enumDev2")]
    fn enum_dev2<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let devices = self.with(py, |m| Ok(m.enum_dev2()))?;
        tuple_of(py, "AudioDevInfo", &devices)
    }

    /// Uses the null device: the bridge keeps its clock, with no sound.
    #[pyo3(name = "setNullDev")]
    fn set_null_dev(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, AudDevManager::set_null_dev)
    }

    /// Uses no device. Unlike PJSUA's, ferrosip's bridge keeps its own
    /// clock, so media still flows between ports; returns None.
    #[pyo3(name = "setNoDev")]
    fn set_no_dev(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, AudDevManager::set_no_dev)
    }

    /// Sets the echo canceller's tail (ms, 0 disables it) and options.
    #[pyo3(name = "setEcOptions")]
    fn set_ec_options(&self, py: Python<'_>, tail_msec: u32, options: u32) -> PyResult<()> {
        self.with(py, |m| m.set_ec_options(tail_msec, options))
    }

    /// The echo canceller's tail, ms.
    #[pyo3(name = "getEcTail")]
    fn get_ec_tail(&self, py: Python<'_>) -> PyResult<u32> {
        self.with(py, AudDevManager::get_ec_tail)
    }

    /// Whether a sound device is open: never with the null device.
    #[pyo3(name = "sndIsActive")]
    fn snd_is_active(&self, py: Python<'_>) -> PyResult<bool> {
        self.with(py, |m| Ok(m.snd_is_active()))
    }

    /// Lists the devices again.
    #[pyo3(name = "refreshDevs")]
    fn refresh_devs(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, AudDevManager::refresh_devs)
    }

    /// How many sound devices there are.
    #[pyo3(name = "getDevCount")]
    fn get_dev_count(&self, py: Python<'_>) -> PyResult<u32> {
        self.with(py, |m| Ok(m.get_dev_count()))
    }

    /// One device's `AudioDevInfo`; an unknown id raises `pj.Error` 420004.
    #[pyo3(name = "getDevInfo")]
    fn get_dev_info(&self, py: Python<'_>, id: i32) -> PyResult<Py<PyAny>> {
        let info = self.with(py, |m| m.get_dev_info(id))?;
        config_to_py(py, "AudioDevInfo", &info)
    }

    /// The id of the device `dev_name` of the driver `drv_name`.
    #[pyo3(name = "lookupDev")]
    fn lookup_dev(&self, py: Python<'_>, drv_name: &str, dev_name: &str) -> PyResult<i32> {
        self.with(py, |m| m.lookup_dev(drv_name, dev_name))
    }

    /// The name of a `PJMEDIA_AUD_DEV_CAP_*` capability (`"ec"` → `"aec"`);
    /// `"??"` for anything else.
    #[pyo3(name = "capName")]
    fn cap_name(&self, py: Python<'_>, cap: u32) -> PyResult<String> {
        self.with(py, |m| Ok(m.cap_name(cap)))
    }

    fn __repr__(&self) -> &'static str {
        "<AudDevManager>"
    }
}

/// Adds the classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMedia>()?;
    m.add_class::<PyAudioMedia>()?;
    m.add_class::<PyAudioMediaPlayer>()?;
    m.add_class::<PyAudioMediaRecorder>()?;
    m.add_class::<PyToneGenerator>()?;
    m.add_class::<PyAudioMediaPort>()?;
    m.add_class::<PyExtraAudioDevice>()?;
    m.add_class::<PyAudDevManager>()?;
    Ok(())
}
