//! What a registration needs to know: where, as whom, how long, and how to
//! behave when things fail.

use sip_core::auth::Credential;

/// How long to wait before trying again after a failed registration
/// (PJSUA2's `retryIntervalSec`, `firstRetryIntervalSec`,
/// `randomRetryIntervalSec`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Seconds between retries; 0 disables retrying.
    pub interval: u32,
    /// Seconds before the first retry; 0 means use `interval`.
    pub first_interval: u32,
    /// The retry delay moves by a random amount of up to this many seconds
    /// either way (never below zero).
    pub random_interval: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            interval: 300,
            first_interval: 0,
            random_interval: 10,
        }
    }
}

/// Rewriting the Contact when the registrar sees us at another address
/// (PJSUA2's `contactRewriteUse` and `contactRewriteMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContactRewrite {
    /// Rewrite at all (from the `received`/`rport` of the response's Via).
    pub enabled: bool,
    /// Remove the old binding (REGISTER with expires 0) before adding the
    /// new one (method bit 1); otherwise register the new one at once.
    pub unregister_old: bool,
    /// Rewrite on any final response, not only 2xx (method bit 4): a
    /// challenge already shows where the registrar sees us, so the
    /// authenticated retry carries the right Contact.
    pub always_update: bool,
}

/// The settings of one registration (RFC 3261 §10.2).
#[derive(Clone)]
pub struct RegistrationSettings {
    /// The Request-URI: the registrar (`sip:example.com`).
    pub registrar: String,
    /// The address of record, for From and To (name-addr or URI).
    pub aor: String,
    /// The Contact to bind, as an address (`<sip:alice@192.0.2.1:5060>`),
    /// with any header parameters; `expires` is added per request.
    pub contact: String,
    /// Seconds asked for (`timeoutSec`).
    pub expires: u32,
    /// Route headers, in order (outbound proxies), as URIs or name-addrs.
    pub route_set: Vec<String>,
    /// Extra headers for every REGISTER, as (name, value).
    pub headers: Vec<(String, String)>,
    /// The User-Agent header, if any.
    pub user_agent: Option<String>,
    /// Retrying after a failure.
    pub retry: RetryPolicy,
    /// Refresh this many seconds before the binding expires
    /// (`delayBeforeRefreshSec`).
    pub delay_before_refresh: u32,
    /// Contact rewriting.
    pub contact_rewrite: ContactRewrite,
    /// Digest credentials.
    pub credentials: Vec<Credential>,
}

impl std::fmt::Debug for RegistrationSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrationSettings")
            .field("registrar", &self.registrar)
            .field("aor", &self.aor)
            .field("contact", &self.contact)
            .field("expires", &self.expires)
            .field("route_set", &self.route_set)
            .field("headers", &self.headers)
            .field("retry", &self.retry)
            .field("delay_before_refresh", &self.delay_before_refresh)
            .field("contact_rewrite", &self.contact_rewrite)
            .field("credentials", &self.credentials.len())
            .finish_non_exhaustive()
    }
}
