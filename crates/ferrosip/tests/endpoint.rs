//! The endpoint's life cycle, transports, timers and threads, through real
//! sockets on loopback. The endpoint is one per process, so these tests
//! take turns.

use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use ferrosip::config::{EpConfig, TransportConfig};
use ferrosip::endpoint::OnTimerParam;
use ferrosip::error::status;
use ferrosip::{Endpoint, EndpointHandler, LibState, TransportType};

fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

fn config(threads: u32) -> EpConfig {
    let mut cfg = EpConfig::default();
    cfg.ua_config.thread_cnt = threads;
    cfg.log_config.console_level = 0;
    cfg.log_config.level = 0;
    cfg
}

fn loopback() -> TransportConfig {
    TransportConfig {
        bound_address: "127.0.0.1".into(),
        ..TransportConfig::default()
    }
}

#[test]
fn life_cycle_follows_pjsua2_states() {
    let _turn = serial();
    let ep = Endpoint::new();
    assert_eq!(ep.lib_get_state(), LibState::Null);
    assert!(Endpoint::instance().is_err());
    ep.lib_create().unwrap();
    assert_eq!(ep.lib_get_state(), LibState::Created);
    // A second endpoint is refused, as in PJSUA2 (which aborts instead).
    let other = Endpoint::new();
    let e = other.lib_create().unwrap_err();
    assert_eq!(e.status, status::PJ_EEXISTS);
    assert_eq!(e.title, "Endpoint::libCreate()");
    // libStart before libInit is misuse.
    assert_eq!(ep.lib_start().unwrap_err().status, status::PJ_EINVALIDOP);
    ep.lib_init(&config(0)).unwrap();
    assert_eq!(ep.lib_get_state(), LibState::Init);
    ep.lib_start().unwrap();
    assert_eq!(ep.lib_get_state(), LibState::Running);
    assert!(Endpoint::instance().is_ok());
    let v = ep.lib_version();
    assert_eq!(v.full, env!("CARGO_PKG_VERSION"));
    assert_eq!(ep.util_verify_sip_uri("sip:alice@example.com"), 0);
    assert_eq!(
        ep.util_verify_sip_uri("tel:+123"),
        status::PJSIP_EINVALIDURI
    );
    assert_eq!(ep.util_verify_uri("tel:+123"), 0);
    assert_eq!(
        ep.util_verify_sip_uri("not a uri"),
        status::PJSIP_EINVALIDURI
    );
    ep.lib_destroy().unwrap();
    assert_eq!(ep.lib_get_state(), LibState::Null);
    assert!(Endpoint::instance().is_err());
    // After destroy another endpoint may be created.
    other.lib_create().unwrap();
    other.lib_destroy().unwrap();
}

#[test]
fn transports_are_created_listed_described_and_closed() {
    let _turn = serial();
    let ep = Endpoint::new();
    ep.lib_create().unwrap();
    // Before libInit, transports are refused.
    assert!(
        ep.transport_create(TransportType::Udp, &loopback())
            .is_err()
    );
    ep.lib_init(&config(0)).unwrap();
    let udp = ep
        .transport_create(TransportType::Udp, &loopback())
        .unwrap();
    let tcp = ep
        .transport_create(TransportType::Tcp, &loopback())
        .unwrap();
    assert_eq!(ep.transport_enum(), vec![udp, tcp]);
    let info = ep.transport_get_info(udp).unwrap();
    assert_eq!(info.type_, TransportType::Udp);
    assert_eq!(info.type_name, "UDP");
    assert_eq!(info.flags, 4);
    assert!(info.local_address.starts_with("127.0.0.1:"));
    assert_eq!(info.local_name, info.local_address);
    assert_eq!(info.info, format!("udp {}", info.local_address));
    let tcp_info = ep.transport_get_info(tcp).unwrap();
    assert_eq!((tcp_info.type_name.as_str(), tcp_info.flags), ("TCP", 1));
    // A taken port is an error naming the OS reason.
    let mut taken = loopback();
    taken.port = info
        .local_address
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let e = ep.transport_create(TransportType::Udp, &taken).unwrap_err();
    assert!(e.status > status::PJ_ERRNO_START_SYS, "{e}");
    // With a port range, the next free port is taken.
    taken.port_range = 10;
    let next = ep.transport_create(TransportType::Udp, &taken).unwrap();
    assert_ne!(
        ep.transport_get_info(next).unwrap().local_address,
        info.local_address
    );
    // A published address shows in the description.
    let mut public = loopback();
    public.public_address = "203.0.113.5".into();
    let p = ep.transport_create(TransportType::Udp, &public).unwrap();
    let pi = ep.transport_get_info(p).unwrap();
    assert!(pi.local_name.starts_with("203.0.113.5:"));
    assert!(
        pi.info.contains("[published as 203.0.113.5:"),
        "{}",
        pi.info
    );
    // A bad bound address and TLS (not yet) are clear errors.
    let mut bad = loopback();
    bad.bound_address = "not-an-ip".into();
    assert_eq!(
        ep.transport_create(TransportType::Udp, &bad)
            .unwrap_err()
            .status,
        status::PJ_EINVAL
    );
    assert_eq!(
        ep.transport_create(TransportType::Tls, &loopback())
            .unwrap_err()
            .status,
        status::PJSIP_EUNSUPTRANSPORT
    );
    ep.transport_close(udp).unwrap();
    assert!(!ep.transport_enum().contains(&udp));
    assert_eq!(
        ep.transport_close(udp).unwrap_err().status,
        status::PJ_ENOTFOUND
    );
    assert_eq!(
        ep.transport_get_info(udp).unwrap_err().status,
        status::PJ_ENOTFOUND
    );
    ep.lib_destroy().unwrap();
}

#[derive(Clone, Default)]
struct TimerLog(Arc<Mutex<Vec<(OnTimerParam, ThreadId, Instant)>>>);

impl EndpointHandler for TimerLog {
    fn on_timer(&mut self, _ep: &Endpoint, prm: &OnTimerParam) {
        self.0
            .lock()
            .unwrap()
            .push((*prm, std::thread::current().id(), Instant::now()));
    }
}

#[test]
fn timers_fire_inside_handle_events_on_the_calling_thread() {
    let _turn = serial();
    let log = TimerLog::default();
    let ep = Endpoint::with_handler(log.clone());
    ep.lib_create().unwrap();
    ep.lib_init(&config(0)).unwrap();
    ep.lib_start().unwrap();
    let start = Instant::now();
    ep.util_timer_schedule(60, 7).unwrap();
    ep.util_timer_schedule(20, 5).unwrap();
    let cancelled = ep.util_timer_schedule(40, 6).unwrap();
    ep.util_timer_cancel(cancelled);
    let mut handled = 0;
    while start.elapsed() < Duration::from_millis(300) {
        handled += ep.lib_handle_events(10).unwrap();
    }
    let fired = log.0.lock().unwrap().clone();
    let order: Vec<u64> = fired.iter().map(|f| f.0.user_data).collect();
    assert_eq!(order, vec![5, 7]);
    assert_eq!(fired[0].0.msec_delay, 20);
    assert!(fired.iter().all(|f| f.1 == std::thread::current().id()));
    assert!(fired[1].2 - start >= Duration::from_millis(60));
    assert!(handled >= 2);
    ep.lib_destroy().unwrap();
}

#[test]
fn worker_threads_run_callbacks_without_the_application_polling() {
    let _turn = serial();
    let log = TimerLog::default();
    let ep = Endpoint::with_handler(log.clone());
    ep.lib_create().unwrap();
    ep.lib_init(&config(2)).unwrap();
    ep.lib_start().unwrap();
    for i in 0..20 {
        ep.util_timer_schedule(5 + i, u64::from(i)).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while log.0.lock().unwrap().len() < 20 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let fired = log.0.lock().unwrap().clone();
    assert_eq!(fired.len(), 20);
    let order: Vec<u64> = fired.iter().map(|f| f.0.user_data).collect();
    assert_eq!(order, (0..20).collect::<Vec<_>>());
    assert!(fired.iter().all(|f| f.1 != std::thread::current().id()));
    ep.lib_destroy().unwrap();
}

#[test]
fn library_calls_before_create_are_errors_not_crashes() {
    let _turn = serial();
    let ep = Endpoint::new();
    assert_eq!(
        ep.lib_handle_events(1).unwrap_err().status,
        status::PJ_EINVALIDOP
    );
    assert!(ep.util_timer_schedule(1, 1).is_err());
    assert!(ep.lib_init(&config(0)).is_err());
    ep.lib_destroy().unwrap();
}

#[test]
fn local_accounts_take_the_transport_address_and_never_register() {
    let _turn = serial();
    let ep = Endpoint::new();
    ep.lib_create().unwrap();
    ep.lib_init(&config(0)).unwrap();
    let udp = ep
        .transport_create(TransportType::Udp, &loopback())
        .unwrap();
    let tcp = ep
        .transport_create(TransportType::Tcp, &loopback())
        .unwrap();
    let a = ferrosip::Account::create_local(&ep, udp, true, ferrosip::account::NoAccountHandler)
        .unwrap();
    let b = ferrosip::Account::create_local(&ep, tcp, false, ferrosip::account::NoAccountHandler)
        .unwrap();
    let udp_name = ep.transport_get_info(udp).unwrap().local_name;
    let tcp_name = ep.transport_get_info(tcp).unwrap().local_name;
    let ia = a.info().unwrap();
    assert_eq!(ia.uri, format!("<sip:{udp_name}>"));
    assert!(ia.is_default && !ia.reg_is_configured);
    assert_eq!(
        (ia.reg_status, ia.reg_status_text.as_str()),
        (0, "does not register")
    );
    assert_eq!(ia.reg_expires_sec, u32::MAX);
    assert_eq!(
        b.info().unwrap().uri,
        format!("<sip:{tcp_name};transport=tcp>")
    );
    assert!(!b.is_default());
    b.set_default().unwrap();
    assert!(b.is_default() && !a.is_default());
    assert_eq!(ferrosip::Account::lookup(&ep, a.id()), Some(a.clone()));
    assert_eq!(ferrosip::Account::enumerate(&ep).len(), 2);
    // No registrar: set_registration is misuse.
    assert_eq!(
        a.set_registration(true).unwrap_err().status,
        status::PJ_EINVAL
    );
    assert!(
        ferrosip::Account::create_local(&ep, 99, false, ferrosip::account::NoAccountHandler)
            .is_err()
    );
    a.shutdown().unwrap();
    assert!(!a.is_valid());
    assert_eq!(a.shutdown().unwrap_err().status, status::PJ_EGONE);
    ep.lib_destroy().unwrap();
    assert!(!b.is_valid());
}

#[test]
fn a_handle_from_an_earlier_life_never_reaches_a_new_account() {
    let _turn = serial();
    let ep = Endpoint::new();
    ep.lib_create().unwrap();
    ep.lib_init(&config(0)).unwrap();
    let udp = ep
        .transport_create(TransportType::Udp, &loopback())
        .unwrap();
    let old = ferrosip::Account::create_local(&ep, udp, true, ferrosip::account::NoAccountHandler)
        .unwrap();
    ep.lib_destroy().unwrap();
    ep.lib_create().unwrap();
    ep.lib_init(&config(0)).unwrap();
    let udp = ep
        .transport_create(TransportType::Udp, &loopback())
        .unwrap();
    let new = ferrosip::Account::create_local(&ep, udp, true, ferrosip::account::NoAccountHandler)
        .unwrap();
    assert_eq!(old.id(), new.id());
    assert!(!old.is_valid());
    assert_eq!(old.info().unwrap_err().status, status::PJ_EGONE);
    assert_eq!(old.shutdown().unwrap_err().status, status::PJ_EGONE);
    assert!(new.is_valid());
    ep.lib_destroy().unwrap();
}
