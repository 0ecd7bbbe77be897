//! Accounts: PJSUA2's `Account`, an identity that may register, and the
//! callbacks it receives.
//!
//! ```no_run
//! use ferrosip::config::{AccountConfig, AuthCredInfo, CredDataType};
//! use ferrosip::{Account, AccountHandler, Endpoint, OnRegStateParam};
//!
//! struct Printer;
//! impl AccountHandler for Printer {
//!     fn on_reg_state(&mut self, _acc: &Account, prm: &OnRegStateParam) {
//!         println!("registration: {} {}", prm.code, prm.reason);
//!     }
//! }
//!
//! # fn run(ep: &Endpoint) -> ferrosip::Result<()> {
//! let mut cfg = AccountConfig::default();
//! cfg.id_uri = "sip:alice@example.com".into();
//! cfg.reg_config.registrar_uri = "sip:example.com".into();
//! cfg.sip_config.auth_creds.push(AuthCredInfo::new("digest", "*", "alice", CredDataType::PlainPasswd, "secret"));
//! let acc = Account::create(ep, &cfg, true, Printer)?;
//! println!("{:?}", acc.info()?);
//! # Ok(()) }
//! ```

mod handler;
mod settings;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ua::{AccountId, UaEvent, UserAgent};

pub use self::handler::{
    AccountHandler, NoAccountHandler, OnRegStartedParam, OnRegStateParam, SipRxData,
};
use crate::config::AccountConfig;
use crate::endpoint::{Endpoint, lock};
use crate::error::{Error, Result, status};
use crate::runtime::Runtime;

/// What the endpoint keeps for a live account.
pub(crate) struct AccountSlot {
    handler: Arc<Mutex<Box<dyn AccountHandler>>>,
    config: AccountConfig,
}

/// PJSUA2's `AccountInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    /// The account id.
    pub id: i32,
    /// Whether it is the default account.
    pub is_default: bool,
    /// The address of record.
    pub uri: String,
    /// Whether it has a registrar.
    pub reg_is_configured: bool,
    /// Whether a registration is in place.
    pub reg_is_active: bool,
    /// Seconds left on the registration; `u32::MAX` when the account does
    /// not register (PJSIP's "not specified").
    pub reg_expires_sec: u32,
    /// The last registration status code (100 while the first is in
    /// progress, 0 for an account that does not register).
    pub reg_status: i32,
    /// Its text (`"does not register"`, `"In Progress"`, the reason phrase).
    pub reg_status_text: String,
    /// The last registration error (PJSIP numbering; 0 if none).
    pub reg_last_err: i32,
    /// Whether the account publishes itself as online.
    pub online_status: bool,
    /// Its text.
    pub online_status_text: String,
}

/// PJSUA2's `Account`: a handle to an account of the endpoint. Clones name
/// the same account; after [`Account::shutdown`] (or `lib_destroy`) every
/// method returns an error rather than touching another account.
#[derive(Debug, Clone)]
pub struct Account {
    ep: Endpoint,
    id: AccountId,
    /// The endpoint's life the account belongs to.
    life: u64,
}

fn gone(title: &str) -> Error {
    Error::new(status::PJ_EGONE, title, "the account has been shut down")
}

fn map_err(title: &str, e: ua::AccountError) -> Error {
    match e {
        ua::AccountError::NoTransport => Error::new(
            status::PJSIP_ETPNOTAVAIL,
            title,
            "no transport can carry the account's requests (create one first)",
        ),
        ua::AccountError::NotFound => gone(title),
        other => Error::from(other).titled(title),
    }
}

impl Account {
    /// Creates an account (PJSUA2's `Account::create`): registers at once
    /// when `cfg` has a registrar and `registerOnAdd`. Callbacks go to
    /// `handler`. There is no limit on the number of accounts.
    pub fn create(
        ep: &Endpoint,
        cfg: &AccountConfig,
        make_default: bool,
        handler: impl AccountHandler + 'static,
    ) -> Result<Self> {
        let title = "Account::create()";
        let runtime = ep.runtime(title)?;
        if ep.lib_get_state() < crate::LibState::Init {
            return Err(Error::new(
                status::PJ_EINVALIDOP,
                title,
                "call libInit() first",
            ));
        }
        let settings = settings::account_settings(cfg, &ep.config().ua_config, title)?;
        let slot = AccountSlot {
            handler: Arc::new(Mutex::new(Box::new(handler))),
            config: cfg.clone(),
        };
        let accounts = &ep.inner.accounts;
        let id = runtime
            .with_engine(|ua, now| {
                // The handler is filed under the engine's lock, so that no
                // event of the new account can be delivered before it.
                let id = ua.add_account(now, settings, make_default)?;
                lock(accounts).insert(id, slot);
                Ok(id)
            })
            .map_err(|e| map_err(title, e))?;
        Ok(Self::handle(ep, id))
    }

    pub(crate) fn handle(ep: &Endpoint, id: AccountId) -> Self {
        Self {
            ep: ep.clone(),
            id,
            life: ep.inner.life.load(Ordering::SeqCst),
        }
    }

    /// Creates a local account for a transport (PJSUA-LIB's
    /// `pjsua_acc_add_local`): its address of record is the transport's
    /// published address (`sip:192.0.2.1:5060`, with `;transport=tcp` for
    /// TCP), it never registers, and it is bound to that transport — the
    /// identity for calls without a registrar.
    pub fn create_local(
        ep: &Endpoint,
        transport_id: i32,
        make_default: bool,
        handler: impl AccountHandler + 'static,
    ) -> Result<Self> {
        let title = "Account::createLocal()";
        let info = ep
            .transport_get_info(transport_id)
            .map_err(|e| e.titled(title))?;
        let scheme = if info.type_.kind() == sip_core::transport::TransportKind::Tls {
            "sips"
        } else {
            "sip"
        };
        let param = match info.type_.kind() {
            sip_core::transport::TransportKind::Udp | sip_core::transport::TransportKind::Tls => "",
            _ => ";transport=tcp",
        };
        let mut cfg = AccountConfig {
            id_uri: format!("<{scheme}:{}{param}>", info.local_name),
            ..AccountConfig::default()
        };
        cfg.sip_config.transport_id = transport_id;
        Self::create(ep, &cfg, make_default, handler)
    }

    /// The account with PJSUA2 id `id`, if live (PJSUA2's `Account::lookup`).
    pub fn lookup(ep: &Endpoint, id: i32) -> Option<Self> {
        let accounts = lock(&ep.inner.accounts);
        accounts
            .keys()
            .find(|a| a.index as i32 == id)
            .map(|&id| Self::handle(ep, id))
    }

    /// Every live account of the endpoint, in id order.
    pub fn enumerate(ep: &Endpoint) -> Vec<Self> {
        let mut ids: Vec<AccountId> = lock(&ep.inner.accounts).keys().copied().collect();
        ids.sort();
        ids.into_iter().map(|id| Self::handle(ep, id)).collect()
    }

    /// The PJSUA2 account id.
    pub fn id(&self) -> i32 {
        self.id.index as i32
    }

    /// The user agent's id of the account.
    pub(crate) fn ua_id(&self) -> AccountId {
        self.id
    }

    /// Whether the account is still live (PJSUA2's `isValid`).
    pub fn is_valid(&self) -> bool {
        self.life == self.ep.inner.life.load(Ordering::SeqCst)
            && lock(&self.ep.inner.accounts).contains_key(&self.id)
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    fn runtime(&self, title: &str) -> Result<Runtime<UserAgent>> {
        if !self.is_valid() {
            return Err(gone(title));
        }
        self.ep.runtime(title)
    }

    /// Replaces the account's configuration (PJSUA2's `modify`); a
    /// registered account registers again with it.
    pub fn modify(&self, cfg: &AccountConfig) -> Result<()> {
        let title = "Account::modify()";
        let runtime = self.runtime(title)?;
        let settings = settings::account_settings(cfg, &self.ep.config().ua_config, title)?;
        let id = self.id;
        runtime
            .with_engine(|ua, now| ua.modify_account(now, id, settings))
            .map_err(|e| map_err(title, e))?;
        if let Some(slot) = lock(&self.ep.inner.accounts).get_mut(&self.id) {
            slot.config = cfg.clone();
        }
        Ok(())
    }

    /// The configuration the account was created or last modified with.
    pub fn config(&self) -> Result<AccountConfig> {
        lock(&self.ep.inner.accounts)
            .get(&self.id)
            .map(|s| s.config.clone())
            .ok_or_else(|| gone("Account::config()"))
    }

    /// Registers again (`renew`) or unregisters (PJSUA2's
    /// `setRegistration`).
    pub fn set_registration(&self, renew: bool) -> Result<()> {
        let title = "Account::setRegistration()";
        let runtime = self.runtime(title)?;
        let id = self.id;
        runtime
            .with_engine(|ua, now| ua.set_registration(now, id, renew))
            .map_err(|e| map_err(title, e))
    }

    /// Makes this the default account (PJSUA2's `setDefault`).
    pub fn set_default(&self) -> Result<()> {
        let title = "Account::setDefault()";
        let runtime = self.runtime(title)?;
        let id = self.id;
        runtime
            .with_engine(|ua, _| ua.set_default(id))
            .map_err(|e| map_err(title, e))
    }

    /// Whether this is the default account (PJSUA2's `isDefault`).
    pub fn is_default(&self) -> bool {
        self.runtime("Account::isDefault()")
            .is_ok_and(|rt| rt.with_engine(|ua, _| ua.default_account() == Some(self.id)))
    }

    /// The account's state (PJSUA2's `getInfo`).
    pub fn info(&self) -> Result<AccountInfo> {
        let title = "Account::getInfo()";
        let runtime = self.runtime(title)?;
        let id = self.id;
        let s = runtime
            .with_engine(|ua, now| ua.account_status(now, id))
            .ok_or_else(|| gone(title))?;
        let (reg_status, reg_status_text) = if !s.reg_configured {
            (0, "does not register".to_owned())
        } else if s.reg_code == 0 {
            (100, "In Progress".to_owned())
        } else {
            (i32::from(s.reg_code), s.reg_reason.clone())
        };
        Ok(AccountInfo {
            id: self.id(),
            is_default: s.is_default,
            uri: s.uri,
            reg_is_configured: s.reg_configured,
            reg_is_active: s.reg_active,
            reg_expires_sec: if s.reg_configured {
                s.reg_expires.unwrap_or(0)
            } else {
                u32::MAX
            },
            reg_status,
            reg_status_text,
            reg_last_err: s.reg_error.as_ref().map_or(0, registration_status),
            online_status: false,
            online_status_text: "Offline".to_owned(),
        })
    }

    /// Removes the account (PJSUA2's `shutdown`): it is invalid at once and
    /// gets no more callbacks; if it was registered, the un-REGISTER goes
    /// on in the background for at most `unregWaitMsec` (and
    /// `lib_destroy` waits for it).
    pub fn shutdown(&self) -> Result<()> {
        let title = "Account::shutdown()";
        let runtime = self.runtime(title)?;
        let Some(slot) = lock(&self.ep.inner.accounts).remove(&self.id) else {
            return Err(gone(title));
        };
        let wait = Duration::from_millis(slot.config.reg_config.unreg_wait_msec.into());
        let id = self.id;
        runtime
            .with_engine(|ua, now| ua.remove_account(now, id, wait))
            .map_err(|e| map_err(title, e))
    }
}

impl PartialEq for Account {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && Arc::ptr_eq(&self.ep.inner, &other.ep.inner)
    }
}

/// The PJSIP status of a registration error.
fn registration_status(e: &ua::registration::RegistrationError) -> i32 {
    Error::from(e.clone()).status
}

fn rx_data(response: Option<&sip::Message>, from: Option<std::net::SocketAddr>) -> SipRxData {
    let Some(m) = response else {
        return SipRxData::default();
    };
    let code = m.status().map_or(0, |s| s.code());
    let (seq, method) = m.cseq().map_or((0, String::new()), |c| {
        (c.seq, c.method.as_str().to_owned())
    });
    SipRxData {
        info: format!("Response msg {code}/{method}/cseq={seq}"),
        whole_msg: crate::log::redact_message(&String::from_utf8_lossy(&m.to_bytes())),
        src_address: from.map(|a| a.to_string()).unwrap_or_default(),
    }
}

/// A callback to run on an account's handler.
type Call = Box<dyn FnOnce(&mut dyn AccountHandler, &Account)>;

/// Delivers an account event to its handler.
pub(crate) fn deliver(ep: &Endpoint, event: UaEvent) {
    let (id, call): (AccountId, Call) = match event {
        UaEvent::RegStarted { account, renew } => (
            account,
            Box::new(move |h, a| h.on_reg_started(a, &OnRegStartedParam { renew })),
        ),
        UaEvent::RegState { account, outcome } => {
            let prm = OnRegStateParam {
                status: outcome
                    .error
                    .as_ref()
                    .map_or(status::PJ_SUCCESS, registration_status),
                code: i32::from(outcome.code),
                reason: outcome.reason.clone(),
                rdata: rx_data(outcome.response.as_ref(), outcome.remote),
                expiration: outcome.expiration,
            };
            (account, Box::new(move |h, a| h.on_reg_state(a, &prm)))
        }
        UaEvent::AccountRemoved { account } => {
            lock(&ep.inner.accounts).remove(&account);
            if let Ok(runtime) = ep.runtime("Account") {
                runtime.with_engine(|ua, _| ua.release_account(account));
            }
            return;
        }
        UaEvent::Timer { .. } => return,
        // Everything else concerns a call.
        event => {
            crate::call::deliver(ep, event);
            return;
        }
    };
    let handler = lock(&ep.inner.accounts).get(&id).map(|s| s.handler.clone());
    if let Some(handler) = handler {
        let account = Account::handle(ep, id);
        let mut h = lock(&handler);
        call(h.as_mut(), &account);
    }
}

/// An account's handler, if the account is live.
pub(crate) fn handler_of(
    ep: &Endpoint,
    id: AccountId,
) -> Option<Arc<Mutex<Box<dyn AccountHandler>>>> {
    lock(&ep.inner.accounts).get(&id).map(|s| s.handler.clone())
}

/// Starts removing every account (for `lib_destroy`); returns the longest
/// wait any of them asked for.
pub(crate) fn unregister_all(ep: &Endpoint, runtime: &Runtime<UserAgent>) -> Duration {
    let waits: Vec<(AccountId, Duration)> = lock(&ep.inner.accounts)
        .iter()
        .map(|(id, s)| {
            (
                *id,
                Duration::from_millis(s.config.reg_config.unreg_wait_msec.into()),
            )
        })
        .collect();
    let longest = waits.iter().map(|(_, w)| *w).max().unwrap_or_default();
    runtime.with_engine(|ua, now| {
        for (id, wait) in waits {
            let _ = ua.remove_account(now, id, wait);
        }
    });
    longest
}
