//! The endpoint: PJSUA2's `Endpoint`, the library's one instance per
//! process. It owns the SIP user agent, its transports and threads, and
//! delivers every callback.
//!
//! ```no_run
//! use ferrosip::config::{EpConfig, TransportConfig};
//! use ferrosip::endpoint::{Endpoint, TransportType};
//!
//! let ep = Endpoint::new();
//! ep.lib_create()?;
//! let mut cfg = EpConfig::default();
//! cfg.ua_config.thread_cnt = 0; // callbacks run inside lib_handle_events
//! ep.lib_init(&cfg)?;
//! let mut tc = TransportConfig::default();
//! tc.port = 5060;
//! ep.transport_create(TransportType::Udp, &tc)?;
//! ep.lib_start()?;
//! for _ in 0..10 {
//!     ep.lib_handle_events(20)?;
//! }
//! ep.lib_destroy()?;
//! # Ok::<(), ferrosip::Error>(())
//! ```

mod dispatch;
pub mod handler;
pub mod transport;
mod version;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::thread::{JoinHandle, ThreadId};
use std::time::{Duration, Instant};

use sip::uri::Uri;
use sip_core::stack::{Stack, StackConfig};
use sip_core::transport::TransportId;
use ua::{UaEvent, UserAgent};

use self::dispatch::Dispatcher;
pub use self::handler::{EndpointHandler, NoEndpointHandler, OnTimerParam, OnTransportStateParam};
pub use self::transport::{TransportInfo, TransportType};
pub use self::version::Version;
use crate::account::{self, AccountSlot};
use crate::config::{EpConfig, TransportConfig};
use crate::error::{Error, Result, status};
use crate::media::{MediaEvent, MediaShared};
use crate::runtime::Runtime;

/// Locks a mutex, recovering it if a thread panicked while holding it.
pub(crate) fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

crate::config::enums::pj_enum! {
    /// PJSUA2's `pjsua_state`: where the library is in its life.
    LibState, default Null {
        /// Not created (`PJSUA_STATE_NULL`).
        Null = 0,
        /// `lib_create` done.
        Created = 1,
        /// `lib_init` done.
        Init = 2,
        /// `lib_start` running.
        Starting = 3,
        /// Started.
        Running = 4,
        /// `lib_destroy` running.
        Closing = 5,
    }
}

impl PartialOrd for LibState {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LibState {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_i32().cmp(&other.as_i32())
    }
}

/// A transport as the endpoint remembers it.
#[derive(Debug, Clone)]
struct TransportRecord {
    type_: TransportType,
    local: std::net::SocketAddr,
    published: String,
}

#[derive(Debug)]
struct Lib {
    state: LibState,
    config: EpConfig,
    runtime: Option<Runtime<UserAgent>>,
    workers: Vec<JoinHandle<()>>,
    worker_ids: Vec<ThreadId>,
    transports: BTreeMap<i32, TransportRecord>,
    main_thread: Option<ThreadId>,
    /// The media engine, from `lib_init` to `lib_destroy`.
    media: Option<Arc<MediaShared>>,
}

/// What the dispatcher delivers: the SIP engine's events and the media
/// engine's.
#[derive(Debug)]
pub(crate) enum EpEvent {
    Ua(UaEvent),
    Media(MediaEvent),
}

/// What the endpoint shares with its handles, threads and accounts.
pub(crate) struct Inner {
    lib: Mutex<Lib>,
    dispatcher: Dispatcher<EpEvent>,
    /// The handler, behind its own lock so that a callback may replace it.
    handler: Mutex<Arc<Mutex<Box<dyn EndpointHandler>>>>,
    /// Which life of the library this is: counts `lib_create` calls, so a
    /// handle from an earlier life never reaches an object of a later one.
    pub(crate) life: std::sync::atomic::AtomicU64,
    pub(crate) accounts: Mutex<HashMap<ua::AccountId, AccountSlot>>,
    /// The calls the application holds.
    pub(crate) calls: Mutex<crate::call::CallTable>,
    timers: Mutex<HashMap<u64, OnTimerParam>>,
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("state", &lock(&self.lib).state)
            .finish_non_exhaustive()
    }
}

/// The one live endpoint of the process.
static INSTANCE: Mutex<Option<Weak<Inner>>> = Mutex::new(None);

/// PJSUA2's `Endpoint`. A cheap handle: clones name the same endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub(crate) inner: Arc<Inner>,
}

impl Default for Endpoint {
    fn default() -> Self {
        Self::new()
    }
}

fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    h.finish()
}

impl Endpoint {
    /// An endpoint that does nothing until [`Endpoint::lib_create`].
    pub fn new() -> Self {
        Self::with_handler(NoEndpointHandler)
    }

    /// An endpoint whose callbacks go to `handler`.
    pub fn with_handler(handler: impl EndpointHandler + 'static) -> Self {
        Self {
            inner: Arc::new(Inner {
                lib: Mutex::new(Lib {
                    state: LibState::Null,
                    config: EpConfig::default(),
                    runtime: None,
                    workers: Vec::new(),
                    worker_ids: Vec::new(),
                    transports: BTreeMap::new(),
                    main_thread: None,
                    media: None,
                }),
                dispatcher: Dispatcher::new(),
                handler: Mutex::new(Arc::new(Mutex::new(Box::new(handler)))),
                life: std::sync::atomic::AtomicU64::new(0),
                accounts: Mutex::new(HashMap::new()),
                calls: Mutex::new(crate::call::CallTable::default()),
                timers: Mutex::new(HashMap::new()),
                stop: Arc::new(AtomicBool::new(false)),
            }),
        }
    }

    /// Replaces the endpoint's callbacks.
    pub fn set_handler(&self, handler: impl EndpointHandler + 'static) {
        *lock(&self.inner.handler) = Arc::new(Mutex::new(Box::new(handler)));
    }

    /// The live endpoint (PJSUA2's `Endpoint::instance()`).
    pub fn instance() -> Result<Self> {
        lock(&INSTANCE)
            .as_ref()
            .and_then(Weak::upgrade)
            .map(|inner| Self { inner })
            .ok_or_else(|| {
                Error::new(
                    status::PJ_ENOTFOUND,
                    "Endpoint::instance()",
                    "no endpoint has been created",
                )
            })
    }

    /// Creates the library (PJSUA2's `libCreate`). A second live endpoint
    /// in the process is refused with `PJ_EEXISTS`.
    pub fn lib_create(&self) -> Result<()> {
        let title = "Endpoint::libCreate()";
        let mut instance = lock(&INSTANCE);
        if let Some(other) = instance.as_ref().and_then(Weak::upgrade) {
            if !Arc::ptr_eq(&other, &self.inner) || lock(&self.inner.lib).state != LibState::Null {
                return Err(Error::new(
                    status::PJ_EEXISTS,
                    title,
                    "Object already exists",
                ));
            }
        }
        let mut lib = lock(&self.inner.lib);
        let mut config = StackConfig::default();
        config.seed = seed();
        let engine = UserAgent::new(Stack::new(config), seed());
        let runtime = Runtime::from_engine(engine).map_err(|e| Error::io(title, &e))?;
        lib.runtime = Some(runtime);
        lib.state = LibState::Created;
        self.inner.life.fetch_add(1, Ordering::SeqCst);
        lib.main_thread = Some(std::thread::current().id());
        self.inner.stop.store(false, Ordering::SeqCst);
        *instance = Some(Arc::downgrade(&self.inner));
        Ok(())
    }

    /// Initialises the library with `cfg` (PJSUA2's `libInit`): the user
    /// agent settings, logging, and `uaConfig.threadCnt` worker threads.
    pub fn lib_init(&self, cfg: &EpConfig) -> Result<()> {
        let title = "Endpoint::libInit()";
        let mut lib = lock(&self.inner.lib);
        if lib.state != LibState::Created {
            return Err(Error::new(
                status::PJ_EINVALIDOP,
                title,
                format!("the library is {:?}, not created", lib.state),
            ));
        }
        crate::log::init(&cfg.log_config).map_err(|e| e.titled(title))?;
        let runtime = lib.runtime.clone().ok_or_else(|| not_created(title))?;
        let agent = cfg.ua_config.user_agent.clone();
        runtime.with_engine(|ua, _| ua.set_user_agent(Some(agent)));
        let media = {
            let weak = Arc::downgrade(&self.inner);
            let rt = runtime.clone();
            let sink = Box::new(move |events: Vec<MediaEvent>| {
                if let Some(inner) = weak.upgrade() {
                    inner
                        .dispatcher
                        .push(events.into_iter().map(EpEvent::Media));
                    rt.wake();
                }
            });
            MediaShared::new(&cfg.med_config, sink).map_err(|e| e.titled(title))?
        };
        media.start_clock()?;
        lib.media = Some(media);
        lib.config = cfg.clone();
        for n in 0..cfg.ua_config.thread_cnt {
            let weak = Arc::downgrade(&self.inner);
            let stop = self.inner.stop.clone();
            let rt = runtime.clone();
            let handle = std::thread::Builder::new()
                .name(format!("ferrosip-worker-{n}"))
                .spawn(move || worker(&weak, &stop, &rt))
                .map_err(|e| Error::io(title, &e))?;
            lib.worker_ids.push(handle.thread().id());
            lib.workers.push(handle);
        }
        lib.state = LibState::Init;
        Ok(())
    }

    /// Starts the library (PJSUA2's `libStart`).
    pub fn lib_start(&self) -> Result<()> {
        let mut lib = lock(&self.inner.lib);
        if lib.state != LibState::Init {
            return Err(Error::new(
                status::PJ_EINVALIDOP,
                "Endpoint::libStart()",
                format!("the library is {:?}, not initialised", lib.state),
            ));
        }
        lib.state = LibState::Running;
        let media = lib.media.clone();
        drop(lib);
        if let Some(media) = media {
            crate::media::start_sound_device(&media);
        }
        Ok(())
    }

    /// Where the library is in its life (PJSUA2's `libGetState`).
    pub fn lib_get_state(&self) -> LibState {
        lock(&self.inner.lib).state
    }

    /// The library's version (PJSUA2's `libVersion`).
    pub fn lib_version(&self) -> Version {
        Version::current()
    }

    /// Kept for PJSUA2 compatibility: any thread may call ferrosip, so
    /// there is nothing to register.
    pub fn lib_register_thread(&self, name: &str) -> Result<()> {
        let _ = name;
        Ok(())
    }

    /// Always true: every thread may call ferrosip.
    pub fn lib_is_thread_registered(&self) -> bool {
        true
    }

    pub(crate) fn runtime(&self, title: &str) -> Result<Runtime<UserAgent>> {
        lock(&self.inner.lib)
            .runtime
            .clone()
            .ok_or_else(|| not_created(title))
    }

    /// Waits at most `msec` milliseconds for network events and timers,
    /// handles them and runs their callbacks on this thread (PJSUA2's
    /// `libHandleEvents`). Returns the number of events handled.
    pub fn lib_handle_events(&self, msec: u32) -> Result<u32> {
        let runtime = self.runtime("Endpoint::libHandleEvents()")?;
        let n = runtime.run_once_with(Duration::from_millis(msec.into()), |events| {
            let n = events.len();
            self.inner
                .dispatcher
                .push(events.into_iter().map(EpEvent::Ua));
            n
        });
        let delivered = self.deliver();
        Ok(n.max(delivered) as u32)
    }

    /// Delivers queued events unless another thread is delivering.
    fn deliver(&self) -> usize {
        self.inner
            .dispatcher
            .deliver(|event| self.deliver_one(event))
    }

    fn deliver_one(&self, event: EpEvent) {
        let event = match event {
            EpEvent::Ua(e) => e,
            EpEvent::Media(e) => {
                // A stream's DTMF goes to the call owning the stream.
                let e = match e {
                    MediaEvent::Stream(port, se) => {
                        match crate::call::stream_event(self, port, se) {
                            Some(se) => MediaEvent::Stream(port, se),
                            None => return,
                        }
                    }
                    other => other,
                };
                let media = lock(&self.inner.lib).media.clone();
                if let Some(media) = media {
                    crate::media::deliver(&media, e);
                }
                return;
            }
        };
        match event {
            UaEvent::Timer { id, .. } => {
                let param = lock(&self.inner.timers).remove(&id);
                if let Some(param) = param {
                    let handler = lock(&self.inner.handler).clone();
                    lock(&handler).on_timer(self, &param);
                }
            }
            other => account::deliver(self, other),
        }
    }

    /// Shuts the library down (PJSUA2's `libDestroy`): unregisters every
    /// account, waiting for the registrars at most each account's
    /// `unregWaitMsec` (and no longer than needed), stops the worker
    /// threads and closes the transports. The endpoint can be created
    /// again afterwards.
    pub fn lib_destroy(&self) -> Result<()> {
        let (runtime, workers) = {
            let mut lib = lock(&self.inner.lib);
            if lib.state == LibState::Null {
                return Ok(());
            }
            lib.state = LibState::Closing;
            let me = std::thread::current().id();
            let workers: Vec<JoinHandle<()>> = lib.workers.drain(..).collect();
            lib.worker_ids.clear();
            (lib.runtime.clone(), (workers, me))
        };
        if let Some(runtime) = &runtime {
            // As PJSUA does: every call is hung up, and the BYEs and
            // CANCELs get a little time to be answered.
            let calls = crate::call::hangup_all(self);
            let waits = account::unregister_all(self, runtime);
            let waits = if calls {
                waits.max(crate::call::HANGUP_WAIT)
            } else {
                waits
            };
            self.inner.stop.store(true, Ordering::SeqCst);
            runtime.wake();
            let (workers, me) = workers;
            for w in workers {
                if w.thread().id() != me {
                    let _ = w.join();
                }
            }
            let deadline = Instant::now() + waits + Duration::from_millis(100);
            loop {
                let closing = runtime
                    .with_engine(|ua, _| ua.closing_accounts() + crate::call::unfinished(ua));
                if closing == 0 {
                    break;
                }
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                runtime.run_once_with((deadline - now).min(Duration::from_millis(50)), |events| {
                    self.inner
                        .dispatcher
                        .push(events.into_iter().map(EpEvent::Ua));
                });
                self.deliver();
            }
            runtime.run_once_with(Duration::ZERO, |events| {
                self.inner
                    .dispatcher
                    .push(events.into_iter().map(EpEvent::Ua));
            });
            self.deliver();
        }
        // The calls' streams leave the bridge before the media engine stops.
        crate::call::clear(self);
        let media = lock(&self.inner.lib).media.take();
        if let Some(media) = media {
            media.shutdown();
        }
        lock(&self.inner.accounts).clear();
        lock(&self.inner.timers).clear();
        {
            let mut lib = lock(&self.inner.lib);
            lib.runtime = None;
            lib.transports.clear();
            lib.state = LibState::Null;
        }
        let mut instance = lock(&INSTANCE);
        if instance
            .as_ref()
            .and_then(Weak::upgrade)
            .is_some_and(|i| Arc::ptr_eq(&i, &self.inner))
        {
            *instance = None;
        }
        Ok(())
    }

    /// Hangs up every call (PJSUA2's `hangupAllCalls`): CANCEL or BYE for
    /// the calls that were made, a final response for those not answered
    /// (603, as for `Call::hangup` with no status code), each ending in
    /// `on_call_state(DISCONNECTED)` as usual.
    pub fn hangup_all_calls(&self) {
        crate::call::hangup_all(self);
    }

    /// Schedules [`EndpointHandler::on_timer`] after `msec` milliseconds
    /// with `user_data` (PJSUA2's `utilTimerSchedule`). Returns the timer's
    /// token for [`Endpoint::util_timer_cancel`].
    pub fn util_timer_schedule(&self, msec: u32, user_data: u64) -> Result<u64> {
        let runtime = self.runtime("Endpoint::utilTimerSchedule()")?;
        let timers = &self.inner.timers;
        Ok(runtime.with_engine(|ua, now| {
            let id = ua.schedule_timer(now, Duration::from_millis(msec.into()), user_data);
            lock(timers).insert(
                id,
                OnTimerParam {
                    user_data,
                    msec_delay: msec,
                },
            );
            id
        }))
    }

    /// Cancels a timer (PJSUA2's `utilTimerCancel`); nothing happens if it
    /// already fired.
    pub fn util_timer_cancel(&self, token: u64) {
        if let Ok(runtime) = self.runtime("Endpoint::utilTimerCancel()") {
            runtime.with_engine(|ua, _| ua.cancel_timer(token));
        }
        lock(&self.inner.timers).remove(&token);
    }

    /// 0 (`PJ_SUCCESS`) if `uri` is a valid `sip:` or `sips:` URI, else
    /// `PJSIP_EINVALIDURI` (PJSUA2's `utilVerifySipUri`).
    pub fn util_verify_sip_uri(&self, uri: &str) -> i32 {
        match Uri::parse(uri.trim()) {
            Ok(Uri::Sip(_)) => status::PJ_SUCCESS,
            _ => status::PJSIP_EINVALIDURI,
        }
    }

    /// 0 (`PJ_SUCCESS`) if `uri` is a valid URI of any scheme ferrosip
    /// knows (`sip:`, `sips:`, `tel:`), else `PJSIP_EINVALIDURI` (PJSUA2's
    /// `utilVerifyUri`).
    pub fn util_verify_uri(&self, uri: &str) -> i32 {
        match Uri::parse(uri.trim()) {
            Ok(Uri::Sip(_) | Uri::Tel(_)) => status::PJ_SUCCESS,
            _ => status::PJSIP_EINVALIDURI,
        }
    }

    /// Creates a SIP transport (PJSUA2's `transportCreate`): binds
    /// `cfg.boundAddress` (or any address) on `cfg.port` (0 picks a free
    /// one; with `portRange`, the first free port of the range). Returns
    /// its id.
    pub fn transport_create(&self, type_: TransportType, cfg: &TransportConfig) -> Result<i32> {
        let title = "Endpoint::transportCreate()";
        let runtime = self.runtime(title)?;
        if self.lib_get_state() < LibState::Init {
            return Err(Error::new(
                status::PJ_EINVALIDOP,
                title,
                "call libInit() first",
            ));
        }
        if type_.kind() == sip_core::transport::TransportKind::Tls {
            return Err(Error::new(
                status::PJSIP_EUNSUPTRANSPORT,
                title,
                "TLS transports are not available yet",
            ));
        }
        let first = u16::try_from(cfg.port).map_err(|_| {
            Error::new(
                status::PJ_EINVAL,
                title,
                format!("port {} is out of range", cfg.port),
            )
        })?;
        let range = if first == 0 {
            0
        } else {
            cfg.port_range.min(u32::from(u16::MAX - first)) as u16
        };
        let mut last_error = None;
        for port in first..=first.saturating_add(range) {
            let bind = transport::bind_address(type_, cfg, port)?;
            match runtime.add_transport(type_.kind(), bind) {
                Ok((id, local)) => {
                    let published = transport::published_host(cfg, local);
                    runtime.with_stack(|stack, _| stack.set_sent_by(id, &published, local.port()));
                    let number = id.0 as i32;
                    lock(&self.inner.lib).transports.insert(
                        number,
                        TransportRecord {
                            type_,
                            local,
                            published: format!("{published}:{}", local.port()),
                        },
                    );
                    return Ok(number);
                }
                Err(e) => last_error = Some(e),
            }
        }
        let e = last_error.unwrap_or_else(|| std::io::Error::other("no port to try"));
        Err(Error::io(title, &e))
    }

    /// The ids of the open transports (PJSUA2's `transportEnum`).
    pub fn transport_enum(&self) -> Vec<i32> {
        lock(&self.inner.lib).transports.keys().copied().collect()
    }

    /// A transport's description (PJSUA2's `transportGetInfo`).
    pub fn transport_get_info(&self, id: i32) -> Result<TransportInfo> {
        let lib = lock(&self.inner.lib);
        let t = lib.transports.get(&id).ok_or_else(|| {
            Error::new(
                status::PJ_ENOTFOUND,
                "Endpoint::transportGetInfo()",
                format!("no transport {id}"),
            )
        })?;
        let local = t.local.to_string();
        let kind = t.type_.kind().via_name().to_ascii_lowercase();
        let info = if t.published == local {
            format!("{kind} {local}")
        } else {
            format!("{kind} {local} [published as {}]", t.published)
        };
        Ok(TransportInfo {
            id,
            type_: t.type_,
            type_name: t.type_.name().to_owned(),
            info,
            flags: t.type_.flags(),
            local_address: local,
            local_name: t.published.clone(),
            usage_count: 1,
        })
    }

    /// Lets new requests leave by a transport, or not (PJSUA2's
    /// `transportSetEnable`).
    pub fn transport_set_enable(&self, id: i32, enabled: bool) -> Result<()> {
        let title = "Endpoint::transportSetEnable()";
        let runtime = self.runtime(title)?;
        if !lock(&self.inner.lib).transports.contains_key(&id) {
            return Err(Error::new(
                status::PJ_ENOTFOUND,
                title,
                format!("no transport {id}"),
            ));
        }
        let tid = TransportId(id as u32);
        runtime.with_stack(|stack, _| stack.set_transport_enabled(tid, enabled));
        Ok(())
    }

    /// Closes a transport (PJSUA2's `transportClose`).
    pub fn transport_close(&self, id: i32) -> Result<()> {
        let title = "Endpoint::transportClose()";
        let runtime = self.runtime(title)?;
        if lock(&self.inner.lib).transports.remove(&id).is_none() {
            return Err(Error::new(
                status::PJ_ENOTFOUND,
                title,
                format!("no transport {id}"),
            ));
        }
        runtime.close_transport(TransportId(id as u32));
        Ok(())
    }

    /// Writes a line to the log at PJSUA2 `level` (PJSUA2's
    /// `utilLogWrite`).
    pub fn util_log_write(&self, level: i32, sender: &str, msg: &str) {
        crate::log::write(level, sender, msg);
    }

    /// PJSUA2's `utilStrError`: the text of a status number.
    pub fn util_str_error(&self, status_code: i32) -> String {
        crate::error::describe(status_code)
    }

    /// The media engine (from `lib_init` to `lib_destroy`).
    pub(crate) fn media(&self, title: &str) -> Result<Arc<MediaShared>> {
        lock(&self.inner.lib).media.clone().ok_or_else(|| {
            Error::new(
                status::PJ_EINVALIDOP,
                title,
                "the media engine is not running (call libInit() first)",
            )
        })
    }

    /// The sound device manager (PJSUA2's `audDevManager`).
    pub fn aud_dev_manager(&self) -> crate::media::AudDevManager {
        crate::media::AudDevManager::new(self)
    }

    /// Every port of the conference bridge (PJSUA2's `mediaEnumPorts2`).
    pub fn media_enum_ports2(&self) -> Result<Vec<crate::media::AudioMedia>> {
        let title = "Endpoint::mediaEnumPorts2()";
        let media = self.media(title)?;
        let ports = media.with_core(title, |core| core.bridge.ports())?;
        Ok(ports
            .into_iter()
            .map(|p| crate::media::AudioMedia::new(&media, p))
            .collect())
    }

    /// How many ports the bridge holds (PJSUA2's `mediaActivePorts`).
    pub fn media_active_ports(&self) -> Result<u32> {
        let title = "Endpoint::mediaActivePorts()";
        let n = self
            .media(title)?
            .with_core(title, |core| core.bridge.port_count())?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// `MediaConfig.maxMediaPorts` (PJSUA2's `mediaMaxPorts`). ferrosip's
    /// bridge has no fixed size: it holds more when asked, and this never
    /// reports fewer than the ports it holds.
    pub fn media_max_ports(&self) -> Result<u32> {
        let title = "Endpoint::mediaMaxPorts()";
        let configured = self.config().med_config.max_media_ports;
        Ok(configured.max(self.media_active_ports().map_err(|e| e.titled(title))?))
    }

    /// The configuration given to [`Endpoint::lib_init`].
    pub fn config(&self) -> EpConfig {
        lock(&self.inner.lib).config.clone()
    }
}

fn not_created(title: &str) -> Error {
    Error::new(
        status::PJ_EINVALIDOP,
        title,
        "the library is not created (call libCreate() first)",
    )
}

/// A worker thread: poll, then deliver, until told to stop or the endpoint
/// is gone.
fn worker(weak: &Weak<Inner>, stop: &AtomicBool, runtime: &Runtime<UserAgent>) {
    while !stop.load(Ordering::SeqCst) {
        let taken = runtime.run_once_with(Duration::from_millis(50), |events| {
            let inner = weak.upgrade()?;
            inner.dispatcher.push(events.into_iter().map(EpEvent::Ua));
            Some(Endpoint { inner })
        });
        let Some(ep) = taken else {
            return;
        };
        ep.deliver();
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}
