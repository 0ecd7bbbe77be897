//! Registration against a real kamailio (started by the test, loopback
//! only) with digest authentication, over UDP and TCP: the contact appears
//! in kamailio's location table, a wrong password is reported, and
//! un-REGISTER (by `set_registration(false)`, `shutdown` and `lib_destroy`)
//! removes it.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ferrosip::config::{AccountConfig, AuthCredInfo, CredDataType, EpConfig, TransportConfig};
use ferrosip::error::status;
use ferrosip::{
    Account, AccountHandler, Endpoint, OnRegStartedParam, OnRegStateParam, TransportType,
};
use interop::Kamailio;

fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl AccountHandler for Log {
    fn on_reg_started(&mut self, _acc: &Account, prm: &OnRegStartedParam) {
        self.0
            .lock()
            .unwrap()
            .push(format!("started renew={}", prm.renew));
    }
    fn on_reg_state(&mut self, _acc: &Account, prm: &OnRegStateParam) {
        self.0.lock().unwrap().push(format!(
            "state {} {} status={} exp={} from={}",
            prm.code, prm.reason, prm.status, prm.expiration, prm.rdata.src_address
        ));
    }
}

fn endpoint(kind: TransportType) -> Endpoint {
    let ep = Endpoint::new();
    ep.lib_create().unwrap();
    let mut cfg = EpConfig::default();
    cfg.ua_config.thread_cnt = 0;
    cfg.log_config.console_level = 0;
    ep.lib_init(&cfg).unwrap();
    let tc = TransportConfig {
        bound_address: "127.0.0.1".into(),
        ..TransportConfig::default()
    };
    ep.transport_create(kind, &tc).unwrap();
    ep.lib_start().unwrap();
    ep
}

fn account_config(k: &Kamailio, tcp: bool, password: &str) -> AccountConfig {
    let mut cfg = AccountConfig {
        id_uri: format!("sip:alice@{}", k.domain()),
        ..AccountConfig::default()
    };
    let transport = if tcp { ";transport=tcp" } else { "" };
    cfg.reg_config.registrar_uri = format!("sip:{}{transport}", k.addr());
    cfg.reg_config.timeout_sec = 300;
    cfg.sip_config.auth_creds.push(AuthCredInfo::new(
        "digest",
        "*",
        "alice",
        CredDataType::PlainPasswd,
        password,
    ));
    cfg
}

fn pump_until(ep: &Endpoint, limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        ep.lib_handle_events(20).unwrap();
        if done() {
            return true;
        }
    }
    false
}

fn registers_and_unregisters(kind: TransportType) {
    let kamailio = Kamailio::start().expect("kamailio starts");
    let ep = endpoint(kind);
    let log = Log::default();
    let acc = Account::create(
        &ep,
        &account_config(&kamailio, kind == TransportType::Tcp, "alicepw"),
        true,
        log.clone(),
    )
    .unwrap();
    assert!(pump_until(&ep, Duration::from_secs(10), || log
        .lines()
        .iter()
        .any(|l| l.starts_with("state 200"))));
    assert_eq!(log.lines()[0], "started renew=true");
    let from = format!("from={}", kamailio.addr());
    assert!(log.lines()[1].ends_with(&from), "{:?}", log.lines());
    let info = acc.info().unwrap();
    assert!(info.reg_is_active, "{info:?}");
    assert_eq!(info.reg_status, 200);
    assert!(
        info.reg_expires_sec > 250 && info.reg_expires_sec <= 300,
        "{info:?}"
    );
    let contacts = kamailio.contacts("alice").unwrap();
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    let local = ep.transport_get_info(0).unwrap().local_name;
    assert!(contacts[0].contains(&local), "{contacts:?} vs {local}");
    if kind == TransportType::Tcp {
        assert!(contacts[0].contains("transport=tcp"), "{contacts:?}");
    }
    // Unregister: the binding goes.
    acc.set_registration(false).unwrap();
    assert!(pump_until(&ep, Duration::from_secs(10), || log
        .lines()
        .iter()
        .any(|l| l.starts_with("state 200") && l.contains("exp=0 "))));
    assert!(kamailio.contacts("alice").unwrap().is_empty());
    assert!(!acc.info().unwrap().reg_is_active);
    // Register again, then destroy the library: it unregisters, and waits
    // only as long as kamailio takes to answer.
    acc.set_registration(true).unwrap();
    assert!(pump_until(&ep, Duration::from_secs(10), || acc
        .info()
        .unwrap()
        .reg_is_active));
    assert_eq!(kamailio.contacts("alice").unwrap().len(), 1);
    let start = Instant::now();
    ep.lib_destroy().unwrap();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(4), "destroy took {took:?}");
    assert!(
        kamailio.contacts("alice").unwrap().is_empty(),
        "destroy left the binding"
    );
    assert_eq!(acc.info().unwrap_err().status, status::PJ_EGONE);
}

#[test]
fn registers_over_udp() {
    let _turn = serial();
    if !interop::require("kamailio", Kamailio::is_installed()) {
        return;
    }
    registers_and_unregisters(TransportType::Udp);
}

#[test]
fn registers_over_tcp() {
    let _turn = serial();
    if !interop::require("kamailio", Kamailio::is_installed()) {
        return;
    }
    registers_and_unregisters(TransportType::Tcp);
}

#[derive(Default)]
struct Capture(Mutex<Vec<(i32, String)>>);

impl ferrosip::log::LogWriter for Capture {
    fn write(&self, entry: &ferrosip::log::LogEntry) {
        self.0
            .lock()
            .unwrap()
            .push((entry.level, entry.msg.clone()));
    }
}

#[test]
fn messages_are_logged_without_credentials() {
    let _turn = serial();
    if !interop::require("kamailio", Kamailio::is_installed()) {
        return;
    }
    let kamailio = Kamailio::start().expect("kamailio starts");
    let capture = Arc::new(Capture::default());
    let ep = Endpoint::new();
    ep.lib_create().unwrap();
    let mut cfg = EpConfig::default();
    cfg.ua_config.thread_cnt = 0;
    cfg.log_config.console_level = 4;
    cfg.log_config.level = 4;
    cfg.log_config.writer = Some(ferrosip::log::LogWriterRef(capture.clone()));
    ep.lib_init(&cfg).unwrap();
    let tc = TransportConfig {
        bound_address: "127.0.0.1".into(),
        ..TransportConfig::default()
    };
    ep.transport_create(TransportType::Udp, &tc).unwrap();
    ep.lib_start().unwrap();
    let acc = Account::create(
        &ep,
        &account_config(&kamailio, false, "alicepw"),
        true,
        Log::default(),
    )
    .unwrap();
    assert!(pump_until(&ep, Duration::from_secs(10), || acc
        .info()
        .unwrap()
        .reg_is_active));
    ep.lib_destroy().unwrap();
    let lines = capture.0.lock().unwrap().clone();
    let tx_register = lines
        .iter()
        .filter(|(_, m)| m.contains("TX ") && m.contains("REGISTER sip:"))
        .count();
    // 401 round trip and unregistration: at least three REGISTERs out.
    assert!(tx_register >= 3, "{lines:#?}");
    assert!(
        lines
            .iter()
            .any(|(_, m)| m.contains("RX ") && m.contains("SIP/2.0 401"))
    );
    assert!(
        lines
            .iter()
            .any(|(_, m)| m.contains("Authorization: Digest <credentials hidden>"))
    );
    for (_, m) in &lines {
        assert!(!m.contains("alicepw"), "password in the log: {m}");
        assert!(!m.contains("response="), "digest response in the log: {m}");
    }
    assert!(lines.iter().all(|(level, _)| *level <= 4));
}

#[test]
fn a_wrong_password_is_reported_once() {
    let _turn = serial();
    if !interop::require("kamailio", Kamailio::is_installed()) {
        return;
    }
    let kamailio = Kamailio::start().expect("kamailio starts");
    let ep = endpoint(TransportType::Udp);
    let log = Log::default();
    let acc = Account::create(
        &ep,
        &account_config(&kamailio, false, "wrong"),
        true,
        log.clone(),
    )
    .unwrap();
    assert!(pump_until(&ep, Duration::from_secs(10), || log
        .lines()
        .iter()
        .any(|l| l.starts_with("state "))));
    // Give it time to (wrongly) loop.
    pump_until(&ep, Duration::from_millis(500), || false);
    let states: Vec<String> = log
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("state"))
        .collect();
    assert_eq!(states.len(), 1, "{states:?}");
    assert!(
        states[0].starts_with("state 401") || states[0].starts_with("state 403"),
        "{states:?}"
    );
    assert!(
        states[0].contains(&format!("status={}", status::PJSIP_EFAILEDCREDENTIAL)),
        "{states:?}"
    );
    let info = acc.info().unwrap();
    assert!(!info.reg_is_active);
    assert_eq!(info.reg_last_err, status::PJSIP_EFAILEDCREDENTIAL);
    assert!(kamailio.contacts("alice").unwrap().is_empty());
    ep.lib_destroy().unwrap();
}

#[test]
fn shutdown_unregisters_one_account_of_several() {
    let _turn = serial();
    if !interop::require("kamailio", Kamailio::is_installed()) {
        return;
    }
    let kamailio = Kamailio::start().expect("kamailio starts");
    let ep = endpoint(TransportType::Udp);
    let mut accounts = Vec::new();
    for (user, pw) in [
        ("alice", "alicepw"),
        ("bob", "bobpw"),
        ("carol", "carolpw"),
        ("dave", "davepw"),
        ("erin", "erinpw"),
    ] {
        let mut cfg = account_config(&kamailio, false, pw);
        cfg.id_uri = format!("sip:{user}@{}", kamailio.domain());
        cfg.sip_config.auth_creds[0].username = user.into();
        accounts.push(Account::create(&ep, &cfg, false, Log::default()).unwrap());
    }
    assert!(pump_until(&ep, Duration::from_secs(10), || accounts
        .iter()
        .all(|a| a.info().unwrap().reg_is_active)));
    for user in ["alice", "bob", "carol", "dave", "erin"] {
        assert_eq!(kamailio.contacts(user).unwrap().len(), 1, "{user}");
    }
    accounts[1].shutdown().unwrap();
    assert!(!accounts[1].is_valid());
    assert_eq!(accounts[1].info().unwrap_err().status, status::PJ_EGONE);
    assert!(pump_until(&ep, Duration::from_secs(10), || kamailio
        .contacts("bob")
        .unwrap()
        .is_empty()));
    assert_eq!(kamailio.contacts("alice").unwrap().len(), 1);
    assert!(accounts[0].info().unwrap().reg_is_active);
    ep.lib_destroy().unwrap();
    for user in ["alice", "carol", "dave", "erin"] {
        assert!(kamailio.contacts(user).unwrap().is_empty(), "{user}");
    }
}
