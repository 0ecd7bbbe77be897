//! Client registration (RFC 3261 §10.2) as a sans-IO state machine.
//!
//! A [`Registration`] builds the REGISTER requests of one account and reads
//! their responses; it never sends anything itself. The owner sends what
//! [`Registration::poll_request`] gives in a client transaction, and feeds
//! back the final response ([`Registration::handle_response`]) or the
//! transaction's failure ([`Registration::handle_failure`]), and calls
//! [`Registration::handle_timeout`] at [`Registration::poll_timeout`].
//!
//! What it does, with PJSUA2's behaviour as the reference:
//! - one Call-ID for every REGISTER of the account, CSeq increasing by one
//!   per request (RFC 3261 §10.2.4);
//! - 401/407 answered with digest credentials; a credential the registrar
//!   refuses is reported, not retried;
//! - 423 answered by asking again with the registrar's Min-Expires;
//! - the granted expiry read from our Contact's `expires`, else Expires;
//!   refreshed `delay_before_refresh` seconds before it runs out;
//! - after a timeout, a transport error, 408, 480, 5xx or 6xx, another try
//!   after the retry interval (first interval, then interval, each moved by
//!   a random amount);
//! - the Contact rewritten when the registrar saw another address;
//! - at most one REGISTER in flight: a command that arrives meanwhile is
//!   carried out when the response comes.

mod request;
mod settings;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::Message;
use sip::header::MinExpires;
use sip_core::auth::{AuthError, ClientAuth};
use sip_core::rng::Rng;
use sip_core::transaction::Termination;

pub use self::request::BuildError;
pub(crate) use self::request::{ALLOW_METHODS, parse_address};
use self::request::{RegisterTemplate, granted_expiry, rewritten_contact};
pub use self::settings::{ContactRewrite, RegistrationSettings, RetryPolicy};

/// Why a registration attempt failed without a usable response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    /// Digest authentication could not go on.
    #[error("authentication failed: {0}")]
    Auth(#[from] AuthError),
    /// No final response came in time.
    #[error("request timed out")]
    Timeout,
    /// The transport could not send the request (or the registrar could not
    /// be located).
    #[error("transport error")]
    Transport,
    /// A setting is not valid SIP.
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// The result of one registration or unregistration attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationOutcome {
    /// The SIP status code of the final response (408 after a timeout, 503
    /// after a transport error, as PJSIP reports them).
    pub code: u16,
    /// Its reason phrase.
    pub reason: String,
    /// Seconds granted (0 when unregistered or failed).
    pub expiration: u32,
    /// What went wrong, when the outcome is not a plain response.
    pub error: Option<RegistrationError>,
    /// The final response, when one came.
    pub response: Option<Message>,
    /// Where the final response came from (the registrar or proxy the
    /// request went to), when one came.
    pub remote: Option<SocketAddr>,
    /// Whether this was an unregistration.
    pub unregister: bool,
}

/// What a registration reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationEvent {
    /// A REGISTER was started (not counting authentication retries):
    /// `renew` is false for an unregistration.
    Started {
        /// Registering (true) or unregistering (false).
        renew: bool,
    },
    /// An attempt finished.
    State(Box<RegistrationOutcome>),
}

/// What the owner asked for last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    Register,
    Unregister,
}

#[derive(Debug)]
struct InFlight {
    request: Message,
    unregister: bool,
    /// It also removes the stale Contact.
    removes_stale: bool,
    /// Credentials were already given once for a 423 round: limits loops.
    interval_retries: u8,
}

/// One account's registration.
#[derive(Debug)]
pub struct Registration {
    settings: RegistrationSettings,
    contact: String,
    expires: u32,
    call_id: String,
    from_tag: String,
    cseq: u32,
    auth: ClientAuth,
    rng: Rng,
    in_flight: Option<InFlight>,
    queued: Option<Intent>,
    /// The binding: seconds granted and when they run out.
    granted: Option<(u32, Instant)>,
    /// When to act next, and what to do.
    wake: Option<(Instant, Intent)>,
    failures: u32,
    /// The rewritten Contact to use once the old binding is removed.
    contact_after_unregister: Option<String>,
    /// A Contact bound before a rewrite, removed by the next REGISTER.
    stale_contact: Option<String>,
    /// Where the last response came from.
    last_remote: Option<SocketAddr>,
    last: Option<(u16, String, Option<RegistrationError>)>,
    outbox: VecDeque<Message>,
    events: VecDeque<RegistrationEvent>,
}

impl Registration {
    /// A registration that has sent nothing yet. `call_id` and `from_tag`
    /// stay the same for its whole life; `rng` gives cnonces and retry jitter.
    pub fn new(
        settings: RegistrationSettings,
        call_id: String,
        from_tag: String,
        rng: Rng,
    ) -> Self {
        let auth = ClientAuth::new(settings.credentials.clone());
        Self {
            contact: settings.contact.clone(),
            expires: settings.expires,
            settings,
            call_id,
            from_tag,
            cseq: 0,
            auth,
            rng,
            in_flight: None,
            queued: None,
            granted: None,
            wake: None,
            failures: 0,
            contact_after_unregister: None,
            stale_contact: None,
            last_remote: None,
            last: None,
            outbox: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &RegistrationSettings {
        &self.settings
    }

    /// Replaces the settings (PJSUA2's `Account::modify`); takes effect with
    /// the next REGISTER.
    pub fn set_settings(&mut self, settings: RegistrationSettings) {
        self.auth.set_credentials(settings.credentials.clone());
        self.contact = settings.contact.clone();
        self.expires = settings.expires;
        self.settings = settings;
    }

    /// The Contact bound now (after any rewrite).
    pub fn contact(&self) -> &str {
        &self.contact
    }

    /// Registers, or refreshes the binding now.
    pub fn register(&mut self, now: Instant) {
        self.command(now, Intent::Register);
    }

    /// Removes the binding. Returns false when there is nothing to remove
    /// (never registered and nothing in flight), in which case nothing is
    /// sent and no event follows.
    pub fn unregister(&mut self, now: Instant) -> bool {
        if self.granted.is_none() && self.in_flight.is_none() {
            self.wake = None;
            self.queued = None;
            return false;
        }
        self.command(now, Intent::Unregister);
        true
    }

    fn command(&mut self, now: Instant, intent: Intent) {
        self.wake = None;
        if self.in_flight.is_some() {
            self.queued = Some(intent);
        } else {
            self.start(now, intent);
        }
    }

    /// Whether a REGISTER is waiting for its final response.
    pub fn is_busy(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Whether a binding is in place (registered with a non-zero expiry).
    pub fn is_active(&self) -> bool {
        self.granted.is_some_and(|(secs, _)| secs > 0)
    }

    /// Seconds left on the binding at `now`, if registered.
    pub fn expires_in(&self, now: Instant) -> Option<u32> {
        self.granted
            .map(|(_, until)| until.saturating_duration_since(now).as_secs() as u32)
    }

    /// The last outcome: code, reason and error.
    pub fn last_status(&self) -> Option<(u16, &str, Option<&RegistrationError>)> {
        self.last
            .as_ref()
            .map(|(c, r, e)| (*c, r.as_str(), e.as_ref()))
    }

    fn start(&mut self, now: Instant, intent: Intent) {
        let unregister = intent == Intent::Unregister;
        self.events
            .push_back(RegistrationEvent::Started { renew: !unregister });
        let expires = if unregister { 0 } else { self.expires };
        match self.build(expires) {
            Ok(mut request) => {
                let _ = self.auth.authorize(&mut request, &mut self.rng);
                self.outbox.push_back(request.clone());
                self.in_flight = Some(InFlight {
                    request,
                    unregister,
                    removes_stale: self.stale_contact.is_some(),
                    interval_retries: 0,
                });
            }
            Err(e) => self.finish(now, unregister, 0, String::new(), Some(e.into()), None),
        }
    }

    fn build(&mut self, expires: u32) -> Result<Message, BuildError> {
        self.cseq += 1;
        RegisterTemplate {
            registrar: &self.settings.registrar,
            aor: &self.settings.aor,
            from_tag: &self.from_tag,
            call_id: &self.call_id,
            route_set: &self.settings.route_set,
            headers: &self.settings.headers,
            user_agent: self.settings.user_agent.as_deref(),
        }
        .build(
            self.cseq,
            &self.contact,
            expires,
            self.stale_contact.as_deref(),
        )
    }

    /// The same request again with the next CSeq (and no Via), for an
    /// authentication or interval retry.
    fn resend(&mut self, expires: u32) -> Result<Message, BuildError> {
        self.build(expires)
    }

    /// A final (or provisional, ignored) response to the REGISTER in flight,
    /// from `remote`.
    pub fn handle_response(&mut self, now: Instant, response: &Message, remote: SocketAddr) {
        self.last_remote = Some(remote);
        let Some(code) = response.status().map(|s| s.code()) else {
            return;
        };
        if code < 200 {
            return;
        }
        let Some(flight) = self.in_flight.take() else {
            return;
        };
        let reason = response.reason().unwrap_or_default().to_owned();
        match code {
            200..=299 => self.accepted(now, flight, response, code, reason),
            401 | 407 => {
                let rewrite = self.settings.contact_rewrite;
                if rewrite.enabled && rewrite.always_update && !flight.unregister {
                    if let Some(contact) = rewritten_contact(response, &self.contact) {
                        tracing::info!(old = %self.contact, new = %contact, "registrar sees another address; the retry carries the rewritten Contact");
                        let old = std::mem::replace(&mut self.contact, contact);
                        if self.granted.is_some() {
                            self.stale_contact = Some(old);
                        }
                    }
                }
                let expires = if flight.unregister { 0 } else { self.expires };
                let result = self
                    .resend(expires)
                    .map_err(RegistrationError::from)
                    .and_then(|mut retry| {
                        self.auth
                            .respond(&flight.request, response, &mut retry, &mut self.rng)
                            .map(|()| retry)
                            .map_err(RegistrationError::from)
                    });
                match result {
                    Ok(retry) => self.send_again(flight, retry),
                    Err(e) => self.finish(
                        now,
                        flight.unregister,
                        code,
                        reason,
                        Some(e),
                        Some(response),
                    ),
                }
            }
            423 if !flight.unregister && flight.interval_retries < 3 => {
                match response.typed::<MinExpires>() {
                    Some(Ok(MinExpires(min))) if min > self.expires => {
                        self.expires = min;
                        match self.resend(min) {
                            Ok(mut retry) => {
                                let _ = self.auth.authorize(&mut retry, &mut self.rng);
                                let flight = InFlight {
                                    interval_retries: flight.interval_retries + 1,
                                    ..flight
                                };
                                self.send_again(flight, retry);
                            }
                            Err(e) => self.finish(now, false, code, reason, Some(e.into()), None),
                        }
                    }
                    _ => self.finish(now, false, code, reason, None, Some(response)),
                }
            }
            _ => self.finish(now, flight.unregister, code, reason, None, Some(response)),
        }
    }

    fn send_again(&mut self, flight: InFlight, retry: Message) {
        self.outbox.push_back(retry.clone());
        self.in_flight = Some(InFlight {
            request: retry,
            ..flight
        });
    }

    fn accepted(
        &mut self,
        now: Instant,
        flight: InFlight,
        response: &Message,
        code: u16,
        reason: String,
    ) {
        self.auth.accepted(&flight.request, response);
        if flight.removes_stale {
            self.stale_contact = None;
        }
        if flight.unregister {
            self.finish(now, true, code, reason, None, Some(response));
            return;
        }
        let granted = granted_expiry(response, &self.contact, self.expires);
        let rewrite = self.settings.contact_rewrite;
        let new_contact = if rewrite.enabled {
            rewritten_contact(response, &self.contact)
        } else {
            None
        };
        self.failures = 0;
        if let Some(contact) = new_contact {
            // As PJSUA2: the registration counts (and the application hears
            // of it) once it holds the Contact the registrar can reach.
            tracing::info!(old = %self.contact, new = %contact, "registrar sees another address; rewriting Contact");
            if rewrite.unregister_old {
                // Remove the old binding, then register the new Contact.
                self.queued = Some(Intent::Register);
                self.contact_after_unregister = Some(contact);
                self.start(now, Intent::Unregister);
            } else {
                // One REGISTER removes the old binding and adds the new one.
                self.stale_contact = Some(std::mem::replace(&mut self.contact, contact));
                self.start(now, Intent::Register);
            }
            return;
        }
        self.granted = (granted > 0).then(|| (granted, now + Duration::from_secs(granted.into())));
        self.last = Some((code, reason.clone(), None));
        self.events
            .push_back(RegistrationEvent::State(Box::new(RegistrationOutcome {
                code,
                reason,
                expiration: granted,
                error: None,
                response: Some(response.clone()),
                remote: self.last_remote,
                unregister: false,
            })));
        if let Some(intent) = self.queued.take() {
            self.start(now, intent);
            return;
        }
        if granted > 0 {
            let delay = self.settings.delay_before_refresh;
            let refresh_in = if granted > delay {
                granted - delay
            } else {
                granted / 2
            };
            self.wake = Some((
                now + Duration::from_secs(refresh_in.max(1).into()),
                Intent::Register,
            ));
        }
    }

    /// The REGISTER in flight got no final response: its transaction timed
    /// out, or the transport failed (including failing to locate the
    /// registrar).
    pub fn handle_failure(&mut self, now: Instant, termination: Termination) {
        let Some(flight) = self.in_flight.take() else {
            return;
        };
        let (code, reason, error) = match termination {
            Termination::Timeout => (408, "Request Timeout", RegistrationError::Timeout),
            _ => (503, "Service Unavailable", RegistrationError::Transport),
        };
        self.finish(
            now,
            flight.unregister,
            code,
            reason.to_owned(),
            Some(error),
            None,
        );
    }

    fn finish(
        &mut self,
        now: Instant,
        unregister: bool,
        code: u16,
        reason: String,
        error: Option<RegistrationError>,
        response: Option<&Message>,
    ) {
        self.granted = None;
        self.last = Some((code, reason.clone(), error.clone()));
        let transient = matches!(
            error,
            Some(RegistrationError::Timeout | RegistrationError::Transport)
        ) || matches!(code, 408 | 480 | 500 | 502 | 503 | 504 | 600..=699);
        self.events
            .push_back(RegistrationEvent::State(Box::new(RegistrationOutcome {
                code,
                reason,
                expiration: 0,
                error,
                remote: response.and(self.last_remote),
                response: response.cloned(),
                unregister,
            })));
        if unregister {
            if let Some(contact) = self.contact_after_unregister.take() {
                self.contact = contact;
            }
        } else {
            self.failures = self.failures.saturating_add(1);
        }
        if let Some(intent) = self.queued.take() {
            self.start(now, intent);
            return;
        }
        if !unregister && transient {
            if let Some(delay) = self.retry_delay() {
                self.wake = Some((now + delay, Intent::Register));
            }
        }
    }

    /// How long to wait before the next retry, or `None` when retrying is
    /// off.
    fn retry_delay(&mut self) -> Option<Duration> {
        let policy = self.settings.retry;
        if policy.interval == 0 {
            return None;
        }
        let base = if self.failures <= 1 && policy.first_interval > 0 {
            policy.first_interval
        } else {
            policy.interval
        };
        let base_ms = i64::from(base) * 1000;
        let spread = i64::from(policy.random_interval) * 1000;
        let jitter = if spread > 0 {
            (self.rng.next_u64() % (2 * spread as u64 + 1)) as i64 - spread
        } else {
            0
        };
        Some(Duration::from_millis((base_ms + jitter).max(0) as u64))
    }

    /// Time has come (see [`Registration::poll_timeout`]).
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.wake {
            Some((at, intent)) if at <= now => {
                self.wake = None;
                if self.in_flight.is_none() {
                    self.start(now, intent);
                }
            }
            _ => {}
        }
        if let Some((_, until)) = self.granted {
            if until <= now {
                // The binding ran out (a refresh in flight may renew it).
                self.granted = None;
            }
        }
    }

    /// When [`Registration::handle_timeout`] should be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let expiry = self.granted.map(|(_, until)| until);
        match (self.wake.map(|(at, _)| at), expiry) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The next REGISTER to send (without Via).
    pub fn poll_request(&mut self) -> Option<Message> {
        self.outbox.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<RegistrationEvent> {
        self.events.pop_front()
    }
}
