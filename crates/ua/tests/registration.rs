//! Registration in virtual time: a user agent and a scripted registrar on
//! testkit's simulated network. Refresh timing, the retry cadence with a
//! registrar that is down then up, 423, 401 → 200, a stale nonce, a wrong
//! password, un-REGISTER on removal, loss on the network.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::header::{HeaderName, MinExpires};
use sip::{Message, StatusCode};
use sip_core::auth::{Algorithm, AuthKind, Credential, Secret};
use sip_core::auth::{ServerChallenge, Verification, verify};
use sip_core::rng::Rng;
use sip_core::stack::{Event, ServerTxId, Stack, StackConfig, Transmit as StackTransmit};
use sip_core::transport::{TransportId, TransportKind};
use testkit::{Agent, LinkConfig, Transmit, World};
use ua::registration::RetryPolicy;
use ua::{AccountId, AccountSettings, UaEvent, UserAgent};

const PHONE: &str = "192.0.2.1:5060";
const REGISTRAR: &str = "192.0.2.10:5060";
const UDP: TransportId = TransportId(0);

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn stack(local: SocketAddr, seed: u64) -> Stack {
    let mut config = StackConfig::default();
    config.seed = seed;
    config.policy.methods.push("REGISTER".into());
    let mut stack = Stack::new(config);
    stack.add_transport(TransportKind::Udp, local);
    stack
}

/// The phone: a user agent on one UDP transport, recording its events.
#[derive(Debug)]
struct Phone {
    ua: UserAgent,
    start: Instant,
    events: Vec<(Duration, UaEvent)>,
}

impl Phone {
    fn drain(&mut self, now: Instant) {
        while let Some(e) = self.ua.poll_event(now) {
            self.events.push((now - self.start, e));
        }
    }

    /// The registration outcomes: (time, code, expiration, unregister).
    fn outcomes(&self) -> Vec<(Duration, u16, u32, bool)> {
        self.events
            .iter()
            .filter_map(|(at, e)| match e {
                UaEvent::RegState { outcome, .. } => {
                    Some((*at, outcome.code, outcome.expiration, outcome.unregister))
                }
                _ => None,
            })
            .collect()
    }
}

impl Agent for Phone {
    fn addresses(&self) -> Vec<SocketAddr> {
        vec![addr(PHONE)]
    }
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, _to: SocketAddr, payload: &[u8]) {
        self.ua.stack_mut().handle_datagram(now, UDP, from, payload);
        self.drain(now);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.ua.handle_timeout(now);
        self.drain(now);
    }
    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        self.drain(now);
        loop {
            match self.ua.stack_mut().poll_transmit()? {
                StackTransmit::Datagram {
                    destination,
                    payload,
                    ..
                } => {
                    return Some(Transmit {
                        from: addr(PHONE),
                        to: destination,
                        payload: payload.to_vec(),
                    });
                }
                _ => continue,
            }
        }
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        self.ua.poll_timeout()
    }
}

/// One REGISTER the registrar answered (or ignored).
#[derive(Debug, Clone)]
struct Seen {
    at: Duration,
    expires: u32,
    cseq: u32,
    call_id: String,
    authorized: bool,
    answered: Option<u16>,
    contact: String,
}

/// A registrar with a script: down for a while, a Min-Expires, digest
/// authentication (optionally answering the next good credentials with a
/// stale challenge), a cap on what it grants.
#[derive(Debug)]
struct Registrar {
    stack: Stack,
    start: Instant,
    rng: Rng,
    down_until: Duration,
    min_expires: Option<u32>,
    max_grant: Option<u32>,
    realm: Option<String>,
    users: HashMap<String, String>,
    nonces: HashSet<String>,
    stale_next: bool,
    seen: Vec<Seen>,
    /// Bound contacts (URI text) and their expiry in seconds.
    bindings: HashMap<String, u32>,
}

impl Registrar {
    fn new(start: Instant) -> Self {
        Self {
            stack: stack(addr(REGISTRAR), 99),
            start,
            rng: Rng::from_seed(7),
            down_until: Duration::ZERO,
            min_expires: None,
            max_grant: None,
            realm: None,
            users: HashMap::new(),
            nonces: HashSet::new(),
            stale_next: false,
            seen: Vec::new(),
            bindings: HashMap::new(),
        }
    }

    fn with_auth(mut self, user: &str, password: &str) -> Self {
        self.realm = Some("example.test".into());
        self.users.insert(user.into(), password.into());
        self
    }

    fn challenge(&mut self, request: &Message, stale: bool) -> Message {
        let mut c =
            ServerChallenge::new(self.realm.clone().unwrap(), Algorithm::Md5, &mut self.rng);
        c.stale = stale;
        self.nonces.insert(c.nonce.clone());
        let mut r = Message::response_to(request, StatusCode::UNAUTHORIZED)
            .to_tag("reg")
            .build()
            .unwrap();
        r.push(HeaderName::WwwAuthenticate, c);
        r
    }

    fn answer(&mut self, now: Instant, tx: ServerTxId, request: &Message) {
        let at = now - self.start;
        let contact = request
            .contacts()
            .next()
            .and_then(|c| c.address().map(|a| a.uri.to_string()));
        let expires = request
            .contacts()
            .next()
            .and_then(|c| c.expires())
            .or_else(|| {
                request
                    .raw_value(HeaderName::Expires)
                    .and_then(|v| v.trim().parse().ok())
            })
            .unwrap_or(3600);
        let mut seen = Seen {
            at,
            expires,
            cseq: request.cseq().map_or(0, |c| c.seq),
            call_id: request
                .call_id()
                .map(|c| c.0.to_string())
                .unwrap_or_default(),
            authorized: request.raw_value(HeaderName::Authorization).is_some(),
            answered: None,
            contact: contact.clone().unwrap_or_default(),
        };
        if at < self.down_until {
            self.seen.push(seen);
            return;
        }
        let response = match self.realm.clone() {
            Some(realm) => {
                let users = self.users.clone();
                let nonces = self.nonces.clone();
                match verify(
                    request,
                    AuthKind::Www,
                    &realm,
                    |u| users.get(u).map(|p| Secret::Plain(p.clone())),
                    |n| nonces.contains(n),
                ) {
                    Verification::Ok(v) if self.stale_next => {
                        self.stale_next = false;
                        self.nonces.remove(&v.nonce);
                        Some(self.challenge(request, true))
                    }
                    Verification::Ok(_) => None,
                    Verification::Stale(_) => Some(self.challenge(request, true)),
                    Verification::Missing | Verification::Wrong { .. } => {
                        Some(self.challenge(request, false))
                    }
                }
            }
            None => None,
        };
        let response = response.unwrap_or_else(|| match self.min_expires {
            Some(min) if expires != 0 && expires < min => {
                let mut r = Message::response_to(request, StatusCode::new(423).unwrap())
                    .to_tag("reg")
                    .build()
                    .unwrap();
                r.push(HeaderName::MinExpires, MinExpires(min).0);
                r
            }
            _ => {
                let header_expires = request
                    .raw_value(HeaderName::Expires)
                    .and_then(|v| v.trim().parse::<u32>().ok());
                for c in request.contacts() {
                    let Some(a) = c.address() else { continue };
                    let e = c.expires().or(header_expires).unwrap_or(3600);
                    if e == 0 {
                        self.bindings.remove(&a.uri.to_string());
                    } else {
                        self.bindings.insert(a.uri.to_string(), e);
                    }
                }
                let grant = self.max_grant.map_or(expires, |m| expires.min(m));
                let mut r = Message::response_to(request, StatusCode::OK)
                    .to_tag("reg")
                    .build()
                    .unwrap();
                if grant > 0 {
                    if let Some(c) = &contact {
                        r.push(HeaderName::Contact, format!("<{c}>;expires={grant}"));
                    }
                }
                r
            }
        });
        seen.answered = response.status().map(|s| s.code());
        self.seen.push(seen);
        self.stack.respond(now, tx, &response).unwrap();
    }

    fn drain(&mut self, now: Instant) {
        while let Some(e) = self.stack.poll_event() {
            if let Event::Request {
                transaction: Some(tx),
                request,
                ..
            } = e
            {
                self.answer(now, tx, &request);
            }
        }
    }
}

impl Agent for Registrar {
    fn addresses(&self) -> Vec<SocketAddr> {
        vec![addr(REGISTRAR)]
    }
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, _to: SocketAddr, payload: &[u8]) {
        self.stack.handle_datagram(now, UDP, from, payload);
        self.drain(now);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.stack.handle_timeout(now);
        self.drain(now);
    }
    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        loop {
            if let StackTransmit::Datagram {
                destination,
                payload,
                ..
            } = self.stack.poll_transmit()?
            {
                return Some(Transmit {
                    from: addr(REGISTRAR),
                    to: destination,
                    payload: payload.to_vec(),
                });
            }
        }
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        self.stack.poll_timeout()
    }
}

fn settings() -> AccountSettings {
    AccountSettings {
        id_uri: "sip:alice@example.test".into(),
        registrar: Some(format!("sip:{REGISTRAR}")),
        ..AccountSettings::default()
    }
}

/// A world with the phone (agent 0) and `registrar` (agent 1); the account
/// is added with `settings` at time zero.
fn world(
    seed: u64,
    link: LinkConfig,
    settings: AccountSettings,
    registrar: impl FnOnce(Registrar) -> Registrar,
) -> (World<Box<dyn Agent>>, AccountId) {
    let mut world: World<Box<dyn Agent>> = World::new(seed);
    world.network_mut().set_default_link(link);
    let start = world.clock().base();
    let mut ua = UserAgent::new(stack(addr(PHONE), seed), seed);
    let account = ua.add_account(start, settings, true).unwrap();
    world.add_agent(Box::new(Phone {
        ua,
        start,
        events: Vec::new(),
    }));
    world.add_agent(Box::new(registrar(Registrar::new(start))));
    (world, account)
}

fn phone(w: &World<Box<dyn Agent>>) -> &Phone {
    w.downcast::<Phone>(0)
}

fn registrar(w: &World<Box<dyn Agent>>) -> &Registrar {
    w.downcast::<Registrar>(1)
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn clean() -> LinkConfig {
    LinkConfig::default()
}

#[test]
fn registers_and_refreshes_before_expiry() {
    let mut s = settings();
    s.reg_timeout = 60;
    s.delay_before_refresh = 5;
    let (mut w, _) = world(1, clean(), s, |r| r);
    w.run_for(secs(200));
    let seen = &registrar(&w).seen;
    // At 0, then every 55 s: 0, 55, 110, 165.
    let times: Vec<u64> = seen.iter().map(|s| s.at.as_secs()).collect();
    assert_eq!(times, vec![0, 55, 110, 165], "{seen:?}");
    assert!(seen.iter().all(|s| s.expires == 60));
    // One Call-ID, CSeq up by one each time.
    assert!(seen.iter().all(|s| s.call_id == seen[0].call_id));
    let cseqs: Vec<u32> = seen.iter().map(|s| s.cseq).collect();
    assert_eq!(cseqs, vec![1, 2, 3, 4]);
    let outcomes = phone(&w).outcomes();
    assert_eq!(outcomes.len(), 4);
    assert!(outcomes.iter().all(|o| o.1 == 200 && o.2 == 60));
    let started = phone(&w)
        .events
        .iter()
        .filter(|(_, e)| matches!(e, UaEvent::RegStarted { renew: true, .. }))
        .count();
    assert_eq!(started, 4);
}

#[test]
fn honours_a_shorter_grant_from_the_registrar() {
    let mut s = settings();
    s.reg_timeout = 3600;
    let (mut w, _) = world(2, clean(), s, |mut r| {
        r.max_grant = Some(30);
        r
    });
    w.run_for(secs(80));
    let times: Vec<u64> = registrar(&w).seen.iter().map(|s| s.at.as_secs()).collect();
    // Granted 30: refreshed 5 s early, at 25 and 50 and 75.
    assert_eq!(times, vec![0, 25, 50, 75]);
    assert_eq!(phone(&w).outcomes()[0].2, 30);
}

#[test]
fn answers_423_with_min_expires() {
    let mut s = settings();
    s.reg_timeout = 60;
    let (mut w, account) = world(3, clean(), s, |mut r| {
        r.min_expires = Some(120);
        r
    });
    w.run_for(secs(10));
    let seen = &registrar(&w).seen;
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!((seen[0].expires, seen[0].answered), (60, Some(423)));
    assert_eq!((seen[1].expires, seen[1].answered), (120, Some(200)));
    assert_eq!(seen[1].cseq, seen[0].cseq + 1);
    let outcomes = phone(&w).outcomes();
    assert_eq!(outcomes.len(), 1);
    assert_eq!((outcomes[0].1, outcomes[0].2), (200, 120));
    let status = phone(&w).ua.account_status(w.now(), account).unwrap();
    assert!(status.reg_active);
}

#[test]
fn retries_while_the_registrar_is_down_then_registers() {
    let mut s = settings();
    s.retry = RetryPolicy {
        interval: 60,
        first_interval: 10,
        random_interval: 0,
    };
    let (mut w, _) = world(4, clean(), s, |mut r| {
        r.down_until = secs(100);
        r
    });
    w.run_for(secs(400));
    let outcomes = phone(&w).outcomes();
    // Timeout after 32 s (Timer F), retry 10 s later, then every 60 s
    // after each timeout, until the registrar answers.
    let codes: Vec<u16> = outcomes.iter().map(|o| o.1).collect();
    assert_eq!(codes, vec![408, 408, 200], "{outcomes:?}");
    let starts: Vec<u64> = registrar(&w)
        .seen
        .iter()
        .map(|s| s.at.as_secs())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    // First tries: 0 (timeout at 32), 42 (timeout at 74), 134: answered.
    assert!(
        starts.contains(&0) && starts.contains(&42) && starts.contains(&134),
        "{starts:?}"
    );
    assert_eq!(outcomes[0].0.as_secs(), 32);
    assert_eq!(outcomes[2].0.as_secs(), 134);
}

#[test]
fn retry_delay_moves_within_the_random_interval() {
    let mut s = settings();
    s.retry = RetryPolicy {
        interval: 60,
        first_interval: 0,
        random_interval: 10,
    };
    let (mut w, _) = world(5, clean(), s, |mut r| {
        r.down_until = secs(10_000);
        r
    });
    w.run_for(secs(1000));
    let outcomes = phone(&w).outcomes();
    assert!(outcomes.len() >= 8);
    let mut gaps = HashSet::new();
    for pair in outcomes.windows(2) {
        // From one timeout to the next: the retry delay plus Timer F (32 s).
        let gap = (pair[1].0 - pair[0].0).as_millis() as i64 - 32_000;
        assert!((50_000..=70_000).contains(&gap), "gap {gap} ms");
        gaps.insert(gap / 1000);
    }
    assert!(gaps.len() > 1, "the delay never moved: {gaps:?}");
}

#[test]
fn authenticates_after_401_and_reuses_the_nonce_on_refresh() {
    let mut s = settings();
    s.reg_timeout = 60;
    s.credentials = vec![Credential::new("*", "alice", "secret")];
    let (mut w, _) = world(6, clean(), s, |r| r.with_auth("alice", "secret"));
    w.run_for(secs(70));
    let seen = &registrar(&w).seen;
    let answers: Vec<(u64, bool, Option<u16>)> = seen
        .iter()
        .map(|s| (s.at.as_secs(), s.authorized, s.answered))
        .collect();
    // 401, then 200 with credentials; the refresh at 55 s carries them
    // from the start and is accepted with no new challenge.
    assert_eq!(
        answers,
        vec![
            (0, false, Some(401)),
            (0, true, Some(200)),
            (55, true, Some(200))
        ]
    );
    let codes: Vec<u16> = phone(&w).outcomes().iter().map(|o| o.1).collect();
    assert_eq!(codes, vec![200, 200]);
}

#[test]
fn retries_once_with_a_stale_nonce() {
    let mut s = settings();
    s.credentials = vec![Credential::new("*", "alice", "secret")];
    let (mut w, _) = world(7, clean(), s, |mut r| {
        r.stale_next = true;
        r.with_auth("alice", "secret")
    });
    w.run_for(secs(5));
    let answers: Vec<Option<u16>> = registrar(&w).seen.iter().map(|s| s.answered).collect();
    assert_eq!(answers, vec![Some(401), Some(401), Some(200)]);
    let codes: Vec<u16> = phone(&w).outcomes().iter().map(|o| o.1).collect();
    assert_eq!(codes, vec![200]);
}

#[test]
fn a_wrong_password_is_reported_not_retried() {
    let mut s = settings();
    s.credentials = vec![Credential::new("*", "alice", "wrong")];
    let (mut w, account) = world(8, clean(), s, |r| r.with_auth("alice", "secret"));
    w.run_for(secs(1000));
    // The challenge, one answer refused, and nothing more: not a loop,
    // and no retry timer for an authentication failure.
    assert_eq!(registrar(&w).seen.len(), 2);
    let outcomes = phone(&w).outcomes();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].1, 401);
    let status = phone(&w).ua.account_status(w.now(), account).unwrap();
    assert!(!status.reg_active);
    assert!(matches!(
        status.reg_error,
        Some(ua::registration::RegistrationError::Auth(
            sip_core::auth::AuthError::Rejected { .. }
        ))
    ));
}

#[test]
fn missing_credentials_are_reported() {
    let (mut w, _) = world(9, clean(), settings(), |r| r.with_auth("alice", "secret"));
    w.run_for(secs(10));
    assert_eq!(registrar(&w).seen.len(), 1);
    let e = phone(&w).events.iter().find_map(|(_, e)| match e {
        UaEvent::RegState { outcome, .. } => outcome.error.clone(),
        _ => None,
    });
    assert!(matches!(
        e,
        Some(ua::registration::RegistrationError::Auth(
            sip_core::auth::AuthError::NoCredential { .. }
        ))
    ));
}

#[test]
fn removing_the_account_unregisters_then_reports_removal() {
    let (mut w, account) = world(10, clean(), settings(), |r| r);
    w.run_for(secs(5));
    let now = w.now();
    w.downcast_mut::<Phone>(0)
        .ua
        .remove_account(now, account, secs(4))
        .unwrap();
    w.run_for(secs(5));
    let seen = &registrar(&w).seen;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].expires, 0);
    assert_eq!(seen[1].contact, seen[0].contact);
    let events = &phone(&w).events;
    let tail: Vec<&UaEvent> = events.iter().rev().take(3).rev().map(|(_, e)| e).collect();
    assert!(matches!(tail[0], UaEvent::RegStarted { renew: false, .. }));
    assert!(
        matches!(tail[1], UaEvent::RegState { outcome, .. } if outcome.unregister && outcome.code == 200)
    );
    assert!(matches!(tail[2], UaEvent::AccountRemoved { .. }));
    assert!(!phone(&w).ua.account_exists(account));
    assert_eq!(phone(&w).ua.closing_accounts(), 0);
}

#[test]
fn removal_gives_up_waiting_after_the_unregister_wait() {
    let (mut w, account) = world(11, clean(), settings(), |r| r);
    w.run_for(secs(5));
    // The registrar goes silent.
    w.downcast_mut::<Registrar>(1).down_until = secs(100_000);
    let now = w.now();
    w.downcast_mut::<Phone>(0)
        .ua
        .remove_account(now, account, Duration::from_millis(1500))
        .unwrap();
    w.run_for(secs(3));
    let removed_at = phone(&w)
        .events
        .iter()
        .find(|(_, e)| matches!(e, UaEvent::AccountRemoved { .. }))
        .map(|(at, _)| *at)
        .expect("removed");
    assert_eq!(removed_at.as_millis(), 6500);
}

#[test]
fn registers_through_a_lossy_network() {
    for seed in 20..30 {
        let link = LinkConfig {
            loss: 0.3,
            ..LinkConfig::default()
        };
        let mut s = settings();
        s.credentials = vec![Credential::new("*", "alice", "secret")];
        s.reg_timeout = 120;
        let (mut w, account) = world(seed, link, s, |r| r.with_auth("alice", "secret"));
        w.run_for(secs(600));
        let status = phone(&w).ua.account_status(w.now(), account).unwrap();
        let outcomes = phone(&w).outcomes();
        // Refreshed every ~115 s through the loss (a refresh that times
        // out is retried), never giving up.
        let ok = outcomes.iter().filter(|o| o.1 == 200).count();
        assert!(ok >= 3, "seed {seed}: {outcomes:?}");
        if status.reg_active {
            assert_eq!(outcomes.last().unwrap().1, 200, "seed {seed}");
        }
        assert!(
            outcomes.iter().all(|o| matches!(o.1, 200 | 408)),
            "seed {seed}: {outcomes:?}"
        );
    }
}

#[test]
fn registers_only_when_asked_without_register_on_add() {
    let mut s = settings();
    s.register_on_add = false;
    let (mut w, account) = world(12, clean(), s.clone(), |r| r);
    w.run_for(secs(30));
    assert!(registrar(&w).seen.is_empty());
    let now = w.now();
    w.downcast_mut::<Phone>(0)
        .ua
        .set_registration(now, account, true)
        .unwrap();
    w.run_for(secs(1));
    assert_eq!(registrar(&w).seen.len(), 1);
    // Modifying re-registers, unless told not to.
    let mut changed = s.clone();
    changed.reg_timeout = 90;
    let now = w.now();
    w.downcast_mut::<Phone>(0)
        .ua
        .modify_account(now, account, changed.clone())
        .unwrap();
    w.run_for(secs(1));
    assert_eq!(registrar(&w).seen.len(), 2);
    assert_eq!(registrar(&w).seen[1].expires, 90);
    changed.register_on_modify = false;
    changed.reg_timeout = 120;
    let now = w.now();
    w.downcast_mut::<Phone>(0)
        .ua
        .modify_account(now, account, changed)
        .unwrap();
    w.run_for(secs(1));
    assert_eq!(registrar(&w).seen.len(), 2);
}

#[test]
fn rewrites_the_contact_in_one_register_that_removes_the_old_binding() {
    let mut w: World<Box<dyn Agent>> = World::new(13);
    let start = w.clock().base();
    let mut stack = stack(addr(PHONE), 13);
    // The phone thinks it is 10.0.0.1 (behind a NAT); the registrar sees
    // 192.0.2.1.
    stack.set_sent_by(UDP, "10.0.0.1", 5060);
    let mut ua = UserAgent::new(stack, 13);
    let account = ua.add_account(start, settings(), true).unwrap();
    w.add_agent(Box::new(Phone {
        ua,
        start,
        events: Vec::new(),
    }));
    w.add_agent(Box::new(Registrar::new(start)));
    w.run_for(secs(5));
    let seen = &registrar(&w).seen;
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].contact, "sip:alice@10.0.0.1:5060");
    assert_eq!(seen[1].contact, "sip:alice@192.0.2.1:5060");
    let bindings: Vec<&String> = registrar(&w).bindings.keys().collect();
    assert_eq!(bindings, vec!["sip:alice@192.0.2.1:5060"]);
    // The application hears once, of the binding that works.
    let outcomes = phone(&w).outcomes();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].1, 200);
    let status = phone(&w).ua.account_status(w.now(), account).unwrap();
    assert_eq!(
        status.contact.as_deref(),
        Some("<sip:alice@192.0.2.1:5060>")
    );
    // Unregistering leaves nothing behind.
    let now = w.now();
    w.downcast_mut::<Phone>(0)
        .ua
        .set_registration(now, account, false)
        .unwrap();
    w.run_for(secs(5));
    assert!(registrar(&w).bindings.is_empty());
}

#[test]
fn a_burst_of_registrations_is_paced() {
    let link = LinkConfig {
        delay: Duration::from_millis(20),
        ..LinkConfig::default()
    };
    let mut w: World<Box<dyn Agent>> = World::new(14);
    w.network_mut().set_default_link(link);
    let start = w.clock().base();
    let mut ua = UserAgent::new(stack(addr(PHONE), 14), 14);
    let accounts: Vec<AccountId> = (0..100)
        .map(|n| {
            let s = AccountSettings {
                id_uri: format!("sip:user{n}@example.test"),
                ..settings()
            };
            ua.add_account(start, s, false).unwrap()
        })
        .collect();
    w.add_agent(Box::new(Phone {
        ua,
        start,
        events: Vec::new(),
    }));
    w.add_agent(Box::new(Registrar::new(start)));
    w.run_for(secs(2));
    let seen = &registrar(&w).seen;
    assert_eq!(seen.len(), 100);
    let first_wave = seen
        .iter()
        .filter(|s| s.at == Duration::from_millis(20))
        .count();
    assert_eq!(first_wave, ua::DEFAULT_MAX_IN_FLIGHT);
    // The rest went out as answers came back (20 ms there, 20 ms back).
    assert!(
        seen[ua::DEFAULT_MAX_IN_FLIGHT..]
            .iter()
            .all(|s| s.at >= Duration::from_millis(60))
    );
    let now = w.now();
    for a in &accounts {
        assert!(phone(&w).ua.account_status(now, *a).unwrap().reg_active);
    }
    // All of them unregistering at once are paced too, and all succeed.
    let now = w.now();
    let phone_mut = w.downcast_mut::<Phone>(0);
    phone_mut.ua.remove_all_accounts(now, secs(4));
    w.run_for(secs(2));
    assert_eq!(phone(&w).ua.closing_accounts(), 0);
    let unregistered = registrar(&w).seen.iter().filter(|s| s.expires == 0).count();
    assert_eq!(unregistered, 100);
}

#[test]
fn a_challenge_already_rewrites_the_contact_of_the_authenticated_retry() {
    let mut w: World<Box<dyn Agent>> = World::new(15);
    let start = w.clock().base();
    let mut stack = stack(addr(PHONE), 15);
    stack.set_sent_by(UDP, "10.0.0.1", 5060);
    let mut ua = UserAgent::new(stack, 15);
    let mut s = settings();
    s.credentials = vec![Credential::new("*", "alice", "secret")];
    ua.add_account(start, s, true).unwrap();
    w.add_agent(Box::new(Phone {
        ua,
        start,
        events: Vec::new(),
    }));
    w.add_agent(Box::new(Registrar::new(start).with_auth("alice", "secret")));
    w.run_for(secs(5));
    let seen = &registrar(&w).seen;
    let flow: Vec<(&str, Option<u16>)> = seen
        .iter()
        .map(|s| (s.contact.as_str(), s.answered))
        .collect();
    assert_eq!(
        flow,
        vec![
            ("sip:alice@10.0.0.1:5060", Some(401)),
            ("sip:alice@192.0.2.1:5060", Some(200)),
        ]
    );
    let bindings: Vec<&String> = registrar(&w).bindings.keys().collect();
    assert_eq!(bindings, vec!["sip:alice@192.0.2.1:5060"]);
    assert_eq!(phone(&w).outcomes().len(), 1);
}
