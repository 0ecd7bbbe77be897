//! Accounts: an identity (address of record) with an optional registration.

use sip_core::transport::TransportId;

use crate::registration::{ContactRewrite, Registration, RetryPolicy};

/// An account, as the user agent names it: a slot index and the generation
/// of the slot, so that the handle of a removed account never reaches the
/// account that later takes its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId {
    /// The slot (PJSUA2's account id).
    pub index: u32,
    /// The slot's generation when the account was added.
    pub generation: u32,
}

/// What an account is: identity, registration and how to reach the network.
#[derive(Clone)]
pub struct AccountSettings {
    /// The address of record (PJSUA2's `idUri`), e.g. `"Alice" <sip:alice@example.com>`.
    pub id_uri: String,
    /// Priority when several accounts could take an incoming request (higher wins).
    pub priority: i32,
    /// The registrar; `None` for an account that never registers.
    pub registrar: Option<String>,
    /// Register as soon as the account is added.
    pub register_on_add: bool,
    /// Register again when the account is modified (PJSUA2's
    /// `!disableRegOnModify`).
    pub register_on_modify: bool,
    /// Seconds of registration to ask for.
    pub reg_timeout: u32,
    /// Retrying a failed registration.
    pub retry: RetryPolicy,
    /// Refresh this many seconds before the binding runs out.
    pub delay_before_refresh: u32,
    /// Extra headers for REGISTER.
    pub reg_headers: Vec<(String, String)>,
    /// Route set for requests of this account (outbound proxies), in order.
    pub proxies: Vec<String>,
    /// Digest credentials.
    pub credentials: Vec<sip_core::auth::Credential>,
    /// A Contact to use as given instead of the one built from the transport.
    pub contact_forced: Option<String>,
    /// Header parameters appended to the Contact (`;+sip.instance=...`),
    /// with their leading `;`.
    pub contact_params: String,
    /// URI parameters appended inside the Contact URI, with their leading `;`.
    pub contact_uri_params: String,
    /// Rewriting the Contact when the registrar sees another address.
    pub contact_rewrite: ContactRewrite,
    /// Use only this transport; `None` chooses by the registrar's URI.
    pub transport: Option<TransportId>,
    /// How the account's calls use session timers (RFC 4028).
    pub session_timer: crate::call::SessionTimerSettings,
    /// Whether the account's calls use reliable provisional responses
    /// (RFC 3262 100rel/PRACK).
    pub prack: crate::call::PrackUse,
}

impl std::fmt::Debug for AccountSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountSettings")
            .field("id_uri", &self.id_uri)
            .field("priority", &self.priority)
            .field("registrar", &self.registrar)
            .field("register_on_add", &self.register_on_add)
            .field("reg_timeout", &self.reg_timeout)
            .field("proxies", &self.proxies)
            .field("credentials", &self.credentials.len())
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl Default for AccountSettings {
    /// PJSUA2's defaults: register on add, 300 s, refresh 5 s early, retry
    /// every 300 s ± 10 s, Contact rewriting on.
    fn default() -> Self {
        Self {
            id_uri: String::new(),
            priority: 0,
            registrar: None,
            register_on_add: true,
            register_on_modify: true,
            reg_timeout: 300,
            retry: RetryPolicy::default(),
            delay_before_refresh: 5,
            reg_headers: Vec::new(),
            proxies: Vec::new(),
            credentials: Vec::new(),
            contact_forced: None,
            contact_params: String::new(),
            contact_uri_params: String::new(),
            contact_rewrite: ContactRewrite {
                enabled: true,
                unregister_old: false,
                always_update: true,
            },
            transport: None,
            session_timer: crate::call::SessionTimerSettings::default(),
            prack: crate::call::PrackUse::NotUsed,
        }
    }
}

/// The state the user agent keeps for an account.
#[derive(Debug)]
pub(crate) struct AccountState {
    pub(crate) settings: AccountSettings,
    pub(crate) registration: Option<Registration>,
    /// Being removed: waiting for the un-REGISTER to finish.
    pub(crate) closing: bool,
    /// Removed: [`crate::UaEvent::AccountRemoved`] was reported; the state
    /// stays readable until the owner releases the slot.
    pub(crate) closed: bool,
}
