//! The user agent: the SIP stack plus accounts, registrations and timers,
//! as one sans-IO engine.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use sip::header::HeaderName;
use sip::{Message, Method, StatusCode};
use sip_core::rng::Rng;
use sip_core::stack::{ClientTxId, Event, ServerTxId, Stack};
use sip_core::transaction::Termination;

use crate::account::{AccountId, AccountSettings, AccountState};
use crate::call::{CallId, CallState, CallTable};
use crate::contact::{contact_for, transport_for};
use crate::registration::{
    BuildError, Registration, RegistrationError, RegistrationEvent, RegistrationOutcome,
    RegistrationSettings,
};
use crate::select::select_account;
use crate::timers::Timers;

/// How many REGISTERs may be in flight at once by default. A thousand
/// accounts refreshing together (or unregistering at `lib_destroy`) would
/// otherwise send a thousand datagrams at once, and the answers overflow a
/// socket's receive buffer (the registrar's or ours): each lost one costs a
/// retransmission 500 ms later. 32 answers fit the smallest default buffer.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 32;

/// The SIP extensions the user agent implements, which a peer may
/// `Require` (RFC 3891 Replaces, RFC 4028 session timers, RFC 3262
/// 100rel — an account without 100rel refuses it with 420 itself).
pub const SUPPORTED_EXTENSIONS: &[&str] = &["replaces", "timer", "100rel"];

/// What the user agent reports to its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UaEvent {
    /// A REGISTER (or un-REGISTER, `renew == false`) was started.
    RegStarted {
        /// The account.
        account: AccountId,
        /// Registering (true) or unregistering (false).
        renew: bool,
    },
    /// A registration attempt finished.
    RegState {
        /// The account.
        account: AccountId,
        /// How it went.
        outcome: Box<RegistrationOutcome>,
    },
    /// An account given to [`UserAgent::remove_account`] is gone (its
    /// un-REGISTER finished, or its wait ran out).
    AccountRemoved {
        /// The account.
        account: AccountId,
    },
    /// An INVITE arrived and made a call: answer it with
    /// [`UserAgent::answer`] or [`UserAgent::hangup`].
    IncomingCall {
        /// The call.
        call: CallId,
        /// The account it was addressed to.
        account: AccountId,
    },
    /// A call changed state.
    CallState {
        /// The call.
        call: CallId,
        /// Its new state.
        state: CallState,
        /// The last status code sent or received.
        code: u16,
        /// Its reason phrase.
        reason: String,
        /// What made the change (PJSUA2's `OnCallStateParam.e`).
        cause: crate::call::StateCause,
    },
    /// A transaction of a call changed state (PJSUA2's `onCallTsxState`).
    CallTsx {
        /// The call.
        call: CallId,
        /// The transaction's change.
        tsx: Box<crate::call::CallTsx>,
    },
    /// A call whose SDP the application reviews made an offer or answer
    /// (PJSUA2's `onCallSdpCreated`): nothing is sent until
    /// [`UserAgent::sdp_reviewed`] hands back the SDP to send (see
    /// [`UserAgent::set_call_sdp_review`]).
    CallSdpCreated {
        /// The call.
        call: CallId,
        /// The SDP made.
        sdp: Box<sdp::SessionDescription>,
        /// The peer's offer it answers (none when `sdp` is an offer).
        remote: Option<Box<sdp::SessionDescription>>,
    },
    /// An offer/answer exchange of a call completed: the media to run now.
    CallMedia {
        /// The call.
        call: CallId,
        /// What was agreed, line by line.
        session: Box<sdp::neg::NegotiatedSession>,
    },
    /// A call's media was confirmed unchanged: the 2xx repeated the answer
    /// an unreliable 183 carried (PJSUA2 calls `onCallMediaState` again).
    CallMediaRepeated {
        /// The call.
        call: CallId,
    },
    /// A request arrived within a call (INFO, MESSAGE) and was answered
    /// 200.
    CallRequest {
        /// The call.
        call: CallId,
        /// What came.
        request: Box<crate::call::CallRequest>,
    },
    /// A request sent with [`UserAgent::send_in_call`] got its final
    /// answer (or none: 408 after a timeout, 503 after a transport error).
    CallRequestResult {
        /// The call.
        call: CallId,
        /// The request's transaction.
        transaction: ClientTxId,
        /// The request's method (empty when no answer came).
        method: String,
        /// The status code.
        code: u16,
        /// Its reason phrase.
        reason: String,
        /// The response, and where it came from (none without an answer).
        response: Option<(Box<Message>, Option<std::net::SocketAddr>)>,
    },
    /// The peer asks us to call someone else (a REFER): answer with
    /// [`UserAgent::answer_transfer`].
    TransferRequest {
        /// The call the REFER came in.
        call: CallId,
        /// What it asks.
        request: Box<crate::call::TransferRequest>,
    },
    /// How a transfer we asked for goes (the REFER's answer when it is
    /// refused, then each NOTIFY's sipfrag status).
    TransferStatus {
        /// The call we sent the REFER in.
        call: CallId,
        /// The status of the new call (or of the REFER, when refused).
        code: u16,
        /// Its reason phrase.
        reason: String,
        /// Whether this is the last report.
        final_notify: bool,
    },
    /// An outgoing call was redirected (3xx): decide about `target` with
    /// [`UserAgent::process_redirect`].
    CallRedirected {
        /// The call.
        call: CallId,
        /// The target asked about (a Contact of the 3xx, highest q first).
        target: String,
        /// The 3xx status code.
        code: u16,
    },
    /// A timer from [`UserAgent::schedule_timer`] fired.
    Timer {
        /// The timer.
        id: u64,
        /// The token given when it was scheduled.
        token: u64,
    },
}

/// Why an account command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// No such account (never was, or removed).
    #[error("no such account")]
    NotFound,
    /// A setting is not valid.
    #[error(transparent)]
    Invalid(#[from] BuildError),
    /// No transport can carry the account's requests.
    #[error("no transport for the account")]
    NoTransport,
}

/// What [`UserAgent::account_status`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStatus {
    /// The address of record.
    pub uri: String,
    /// Whether it is the default account.
    pub is_default: bool,
    /// Whether it has a registrar.
    pub reg_configured: bool,
    /// Whether a binding is in place.
    pub reg_active: bool,
    /// Seconds left on the binding.
    pub reg_expires: Option<u32>,
    /// The last registration response code (0 before any).
    pub reg_code: u16,
    /// Its reason phrase.
    pub reg_reason: String,
    /// The last registration error.
    pub reg_error: Option<RegistrationError>,
    /// The Contact in use.
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum TimerKey {
    Registration(AccountId),
    CloseDeadline(AccountId),
    User(u64),
}

#[derive(Debug)]
struct Slot {
    generation: u32,
    account: Option<AccountState>,
}

/// The user agent.
#[derive(Debug)]
pub struct UserAgent {
    stack: Stack,
    rng: Rng,
    slots: Vec<Slot>,
    default_account: Option<AccountId>,
    owners: HashMap<ClientTxId, AccountId>,
    current: HashMap<AccountId, ClientTxId>,
    /// REGISTERs waiting for a free place among those in flight.
    waiting: VecDeque<(AccountId, Message)>,
    /// How many REGISTERs may be in flight at once.
    max_in_flight: usize,
    timers: Timers<TimerKey>,
    user_tokens: HashMap<u64, u64>,
    next_timer: u64,
    events: VecDeque<UaEvent>,
    user_agent: Option<String>,
    /// The calls.
    pub(crate) calls: CallTable,
}

impl UserAgent {
    /// A user agent over `stack`; `seed` drives its identifiers and jitter.
    pub fn new(mut stack: Stack, seed: u64) -> Self {
        stack.add_supported_extensions(SUPPORTED_EXTENSIONS);
        Self {
            stack,
            rng: Rng::from_seed(seed),
            slots: Vec::new(),
            default_account: None,
            owners: HashMap::new(),
            current: HashMap::new(),
            waiting: VecDeque::new(),
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            timers: Timers::new(),
            user_tokens: HashMap::new(),
            next_timer: 1,
            events: VecDeque::new(),
            user_agent: None,
            calls: CallTable::default(),
        }
    }

    /// Sets how many REGISTERs may be in flight at once (at least 1); the
    /// others wait their turn, in order.
    pub fn set_max_in_flight(&mut self, max: usize) {
        self.max_in_flight = max.max(1);
    }

    /// Sets the User-Agent header of requests (none when empty).
    pub fn set_user_agent(&mut self, value: Option<String>) {
        self.user_agent = value.filter(|v| !v.is_empty());
    }

    /// The SIP stack.
    pub fn stack(&self) -> &Stack {
        &self.stack
    }

    /// The SIP stack, for commands and inputs.
    pub fn stack_mut(&mut self) -> &mut Stack {
        &mut self.stack
    }

    fn state(&self, id: AccountId) -> Option<&AccountState> {
        let slot = self.slots.get(id.index as usize)?;
        (slot.generation == id.generation).then_some(slot.account.as_ref()?)
    }

    fn state_mut(&mut self, id: AccountId) -> Option<&mut AccountState> {
        let slot = self.slots.get_mut(id.index as usize)?;
        if slot.generation != id.generation {
            return None;
        }
        slot.account.as_mut()
    }

    /// The state of a live account: not being removed.
    fn live_mut(&mut self, id: AccountId) -> Option<&mut AccountState> {
        self.state_mut(id).filter(|s| !s.closing)
    }

    /// Whether `id` names a live account (not one being removed).
    pub fn account_exists(&self, id: AccountId) -> bool {
        self.state(id).is_some_and(|s| !s.closing)
    }

    /// Frees the slot of a removed account, once its owner has handled
    /// [`UaEvent::AccountRemoved`] (until then its status stays readable, for
    /// the callbacks of its last events). No effect on other accounts.
    pub fn release_account(&mut self, id: AccountId) {
        if let Some(slot) = self.slots.get_mut(id.index as usize) {
            if slot.generation == id.generation && slot.account.as_ref().is_some_and(|a| a.closed) {
                slot.account = None;
            }
        }
    }

    /// Every live account, in slot order.
    pub fn accounts(&self) -> impl Iterator<Item = AccountId> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.account
                .as_ref()
                .filter(|a| !a.closing)
                .map(|_| AccountId {
                    index: i as u32,
                    generation: s.generation,
                })
        })
    }

    /// The default account.
    pub fn default_account(&self) -> Option<AccountId> {
        self.default_account.filter(|id| self.account_exists(*id))
    }

    /// Makes `id` the default account.
    pub fn set_default(&mut self, id: AccountId) -> Result<(), AccountError> {
        self.live_mut(id).ok_or(AccountError::NotFound)?;
        self.default_account = Some(id);
        Ok(())
    }

    fn registration_settings(
        &self,
        settings: &AccountSettings,
    ) -> Result<Option<RegistrationSettings>, AccountError> {
        let Some(registrar) = settings.registrar.clone().filter(|r| !r.trim().is_empty()) else {
            return Ok(None);
        };
        let transport = transport_for(&self.stack, settings).ok_or(AccountError::NoTransport)?;
        let contact = contact_for(&self.stack, settings, Some(transport))?;
        Ok(Some(RegistrationSettings {
            registrar,
            aor: settings.id_uri.clone(),
            contact,
            expires: settings.reg_timeout,
            route_set: settings.proxies.clone(),
            headers: settings.reg_headers.clone(),
            user_agent: self.user_agent.clone(),
            retry: settings.retry,
            delay_before_refresh: settings.delay_before_refresh,
            contact_rewrite: settings.contact_rewrite,
            credentials: settings.credentials.clone(),
        }))
    }

    /// Adds an account; registers at once when it has a registrar and
    /// `register_on_add`. The first account, or any with `make_default`,
    /// becomes the default.
    pub fn add_account(
        &mut self,
        now: Instant,
        settings: AccountSettings,
        make_default: bool,
    ) -> Result<AccountId, AccountError> {
        crate::registration::parse_address("account URI", &settings.id_uri)?;
        let reg = self.registration_settings(&settings)?;
        let registration = reg.map(|r| {
            let call_id = self.token(24);
            let tag = self.token(16);
            Registration::new(r, call_id, tag, Rng::from_seed(self.rng.next_u64()))
        });
        let register = settings.register_on_add && registration.is_some();
        let state = AccountState {
            settings,
            registration,
            closing: false,
            closed: false,
        };
        let index = match self.slots.iter().position(|s| s.account.is_none()) {
            Some(i) => i,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    account: None,
                });
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[index];
        slot.generation = slot.generation.wrapping_add(1);
        slot.account = Some(state);
        let id = AccountId {
            index: index as u32,
            generation: slot.generation,
        };
        if make_default || self.default_account().is_none() {
            self.default_account = Some(id);
        }
        if register {
            self.with_registration(now, id, |r, now| r.register(now));
        }
        Ok(id)
    }

    /// A random number from the user agent's generator.
    pub(crate) fn rng_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Queues an event for [`UserAgent::poll_event`].
    pub(crate) fn push_event(&mut self, event: UaEvent) {
        self.events.push_back(event);
    }

    /// The User-Agent header's value, if set.
    pub(crate) fn user_agent_header(&self) -> Option<String> {
        self.user_agent.clone().filter(|a| !a.is_empty())
    }

    pub(crate) fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| ALPHABET[(self.rng.next_u64() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }

    /// Replaces an account's settings (PJSUA2's `Account::modify`): a
    /// registered account registers again with the new settings.
    pub fn modify_account(
        &mut self,
        now: Instant,
        id: AccountId,
        settings: AccountSettings,
    ) -> Result<(), AccountError> {
        self.live_mut(id).ok_or(AccountError::NotFound)?;
        crate::registration::parse_address("account URI", &settings.id_uri)?;
        let reg = self.registration_settings(&settings)?;
        let seed = self.rng.next_u64();
        let call_id = self.token(24);
        let tag = self.token(16);
        let state = self.live_mut(id).ok_or(AccountError::NotFound)?;
        let was_active = state
            .registration
            .as_ref()
            .is_some_and(Registration::is_active);
        let register = match (reg, state.registration.as_mut()) {
            (Some(r), Some(existing)) if existing.settings().registrar == r.registrar => {
                existing.set_settings(r);
                settings.register_on_modify && (was_active || settings.register_on_add)
            }
            (Some(r), _) => {
                state.registration = Some(Registration::new(r, call_id, tag, Rng::from_seed(seed)));
                settings.register_on_modify && settings.register_on_add
            }
            (None, _) => {
                if was_active {
                    // Unbind at the old registrar before forgetting it.
                    self.with_registration(now, id, |r, now| {
                        r.unregister(now);
                    });
                }
                false
            }
        };
        if let Some(state) = self.state_mut(id) {
            state.settings = settings;
        }
        if register {
            self.with_registration(now, id, |r, now| r.register(now));
        }
        Ok(())
    }

    /// Registers again (`renew`) or unregisters (PJSUA2's
    /// `setRegistration`).
    pub fn set_registration(
        &mut self,
        now: Instant,
        id: AccountId,
        renew: bool,
    ) -> Result<(), AccountError> {
        let state = self.live_mut(id).ok_or(AccountError::NotFound)?;
        if state.registration.is_none() {
            return Err(AccountError::Invalid(BuildError {
                what: "registrar URI",
                text: "the account has no registrar".into(),
            }));
        }
        self.with_registration(now, id, |r, now| {
            if renew {
                r.register(now);
            } else {
                r.unregister(now);
            }
        });
        Ok(())
    }

    /// Removes an account: unregisters it if registered, and reports
    /// [`UaEvent::AccountRemoved`] when the un-REGISTER finished or after
    /// `wait`, whichever is first. Its handle is dead at once for commands.
    pub fn remove_account(
        &mut self,
        now: Instant,
        id: AccountId,
        wait: Duration,
    ) -> Result<(), AccountError> {
        let state = self.state_mut(id).ok_or(AccountError::NotFound)?;
        if state.closing {
            return Ok(());
        }
        state.closing = true;
        let pending = state
            .registration
            .as_mut()
            .is_some_and(|r| r.unregister(now));
        if self.default_account == Some(id) {
            self.default_account = None;
        }
        if pending {
            self.timers.set(TimerKey::CloseDeadline(id), now + wait);
            self.flush(now, id);
        } else {
            self.drop_account(id);
        }
        Ok(())
    }

    /// Removes every account (see [`UserAgent::remove_account`]).
    pub fn remove_all_accounts(&mut self, now: Instant, wait: Duration) {
        let ids: Vec<AccountId> = self.accounts().collect();
        for id in ids {
            let _ = self.remove_account(now, id, wait);
        }
    }

    /// Accounts still waiting for their un-REGISTER.
    pub fn closing_accounts(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.account.as_ref().is_some_and(|a| a.closing && !a.closed))
            .count()
    }

    fn drop_account(&mut self, id: AccountId) {
        let Some(slot) = self.slots.get_mut(id.index as usize) else {
            return;
        };
        if slot.generation != id.generation {
            return;
        }
        match slot.account.as_mut() {
            Some(state) if !state.closed => {
                state.closing = true;
                state.closed = true;
            }
            _ => return,
        }
        self.timers.cancel(TimerKey::Registration(id));
        self.timers.cancel(TimerKey::CloseDeadline(id));
        if let Some(tx) = self.current.remove(&id) {
            self.owners.remove(&tx);
        }
        self.waiting.retain(|(a, _)| *a != id);
        if self.default_account == Some(id) {
            self.default_account = None;
        }
        if self.default_account.is_none() {
            let first = self.accounts().next();
            self.default_account = first;
        }
        self.events
            .push_back(UaEvent::AccountRemoved { account: id });
    }

    /// What PJSUA2's `AccountInfo` shows.
    pub fn account_status(&self, now: Instant, id: AccountId) -> Option<AccountStatus> {
        let state = self.state(id)?;
        let reg = state.registration.as_ref();
        let last = reg.and_then(Registration::last_status);
        Some(AccountStatus {
            uri: state.settings.id_uri.clone(),
            is_default: self.default_account() == Some(id),
            reg_configured: reg.is_some(),
            reg_active: reg.is_some_and(Registration::is_active),
            reg_expires: reg.and_then(|r| r.expires_in(now)),
            reg_code: last.map_or(0, |(c, _, _)| c),
            reg_reason: last.map_or_else(String::new, |(_, r, _)| r.to_owned()),
            reg_error: last.and_then(|(_, _, e)| e.cloned()),
            contact: reg.map(|r| r.contact().to_owned()),
        })
    }

    /// The settings of an account.
    pub fn account_settings(&self, id: AccountId) -> Option<&AccountSettings> {
        self.state(id).map(|s| &s.settings)
    }

    /// The account that should take an incoming request.
    pub fn select_account(&self, request: &Message) -> Option<AccountId> {
        let candidates = self.accounts().filter_map(|id| {
            Some((
                id,
                self.state(id)?.settings.id_uri.as_str(),
                self.state(id)?.settings.priority,
            ))
        });
        select_account(request, candidates).or_else(|| self.default_account())
    }

    /// Schedules a timer: [`UaEvent::Timer`] with `token` after `delay`.
    /// Returns its id.
    pub fn schedule_timer(&mut self, now: Instant, delay: Duration, token: u64) -> u64 {
        let id = self.next_timer;
        self.next_timer += 1;
        self.user_tokens.insert(id, token);
        self.timers.set(TimerKey::User(id), now + delay);
        id
    }

    /// Cancels a timer; true if it had not fired.
    pub fn cancel_timer(&mut self, id: u64) -> bool {
        self.user_tokens.remove(&id);
        self.timers.cancel(TimerKey::User(id))
    }

    fn with_registration(
        &mut self,
        now: Instant,
        id: AccountId,
        f: impl FnOnce(&mut Registration, Instant),
    ) {
        if let Some(r) = self.state_mut(id).and_then(|s| s.registration.as_mut()) {
            f(r, now);
        }
        self.flush(now, id);
    }

    /// Sends what an account's registration wants sent, turns its events
    /// into ours and re-arms its timer.
    fn flush(&mut self, now: Instant, id: AccountId) {
        loop {
            let Some(reg) = self.slot_registration(id) else {
                return;
            };
            let Some(request) = reg.poll_request() else {
                break;
            };
            // The request replaces whatever of this account was waiting.
            self.waiting.retain(|(a, _)| *a != id);
            if let Some(old) = self.current.remove(&id) {
                // An answered request's transaction may linger (Timer K);
                // it no longer counts as in flight.
                self.owners.remove(&old);
            }
            self.waiting.push_back((id, request));
        }
        self.pump(now);
        let mut closing_done = false;
        let closing = self.state(id).is_some_and(|s| s.closing);
        if let Some(reg) = self.slot_registration(id) {
            let mut out = Vec::new();
            while let Some(e) = reg.poll_event() {
                out.push(e);
            }
            let deadline = reg.poll_timeout();
            let busy = reg.is_busy();
            match deadline {
                Some(at) if !closing => self.timers.set(TimerKey::Registration(id), at),
                _ => {
                    self.timers.cancel(TimerKey::Registration(id));
                }
            }
            for e in out {
                match e {
                    RegistrationEvent::Started { renew } => {
                        self.events
                            .push_back(UaEvent::RegStarted { account: id, renew });
                    }
                    RegistrationEvent::State(outcome) => {
                        if closing && outcome.unregister && !busy {
                            closing_done = true;
                        }
                        self.events.push_back(UaEvent::RegState {
                            account: id,
                            outcome,
                        });
                    }
                }
            }
            if closing && !busy {
                closing_done = true;
            }
        }
        if closing_done {
            self.drop_account(id);
        }
    }

    /// Sends waiting REGISTERs while there is room in flight.
    fn pump(&mut self, now: Instant) {
        let mut failed = Vec::new();
        while self.owners.len() < self.max_in_flight {
            let Some((id, request)) = self.waiting.pop_front() else {
                break;
            };
            if self.slot_registration(id).is_none() {
                continue;
            }
            match self.stack.send_request_located(now, request) {
                Ok(tx) => {
                    self.current.insert(id, tx);
                    self.owners.insert(tx, id);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "REGISTER could not be sent");
                    if let Some(reg) = self.slot_registration(id) {
                        reg.handle_failure(now, Termination::TransportError);
                    }
                    failed.push(id);
                }
            }
        }
        for id in failed {
            self.flush(now, id);
        }
    }

    fn slot_registration(&mut self, id: AccountId) -> Option<&mut Registration> {
        self.state_mut(id)?.registration.as_mut()
    }

    /// Turns one stack event into what it means for accounts.
    fn on_stack_event(&mut self, now: Instant, event: Event) {
        match event {
            Event::Response {
                transaction,
                response,
                remote,
            } => {
                self.calls.rx_from = Some(remote);
                if self.call_on_response(now, transaction, &response) {
                    return;
                }
                let Some(&id) = self.owners.get(&transaction) else {
                    return;
                };
                if self.current.get(&id) != Some(&transaction) {
                    return;
                }
                if response.status().is_some_and(|s| s.is_final()) {
                    // Answered: no longer in flight, though the transaction
                    // lingers for retransmissions (Timer K).
                    self.owners.remove(&transaction);
                    self.current.remove(&id);
                }
                if let Some(reg) = self.slot_registration(id) {
                    reg.handle_response(now, &response, remote);
                }
                self.flush(now, id);
            }
            Event::ClientTransactionEnded {
                transaction,
                termination,
            } => {
                if self.call_on_client_ended(now, transaction, termination) {
                    return;
                }
                let Some(id) = self.owners.remove(&transaction) else {
                    return;
                };
                if self.current.get(&id) == Some(&transaction) {
                    self.current.remove(&id);
                    if termination != Termination::Completed {
                        if let Some(reg) = self.slot_registration(id) {
                            reg.handle_failure(now, termination);
                        }
                        self.flush(now, id);
                    }
                }
                // A place in flight is free.
                self.pump(now);
            }
            Event::LocationFailed { transaction, error } => {
                tracing::warn!(?transaction, %error, "could not locate the next hop");
            }
            Event::Request {
                transaction,
                request,
                source,
            } => {
                self.calls.rx_from = Some(source.remote);
                if self.call_on_request(now, transaction, &request) {
                    return;
                }
                let Some(tx) = transaction else {
                    return;
                };
                let in_dialog = request
                    .to()
                    .is_some_and(|to| to.0.params.get("tag").is_some());
                if !in_dialog && request.method() == Some(Method::Invite) {
                    self.call_on_invite(now, tx, &request);
                } else {
                    self.on_request(now, tx, &request);
                }
            }
            Event::Cancelled { invite, cancel } => {
                self.call_on_cancelled(now, invite, &cancel);
            }
            Event::StrayResponse { response, .. } => {
                self.call_on_stray(now, &response);
            }
            Event::ServerTransactionEnded { .. } => {}
        }
    }

    /// Answers a request outside what the user agent handles so far.
    fn on_request(&mut self, now: Instant, tx: ServerTxId, request: &Message) {
        let in_dialog = request
            .to()
            .is_some_and(|to| to.0.params.get("tag").is_some());
        let method = request.method();
        let (code, extra): (StatusCode, Option<(HeaderName, &str)>) = if in_dialog {
            (StatusCode::CALL_OR_TRANSACTION_DOES_NOT_EXIST, None)
        } else if method == Some(Method::Options) {
            (
                StatusCode::OK,
                Some((HeaderName::Allow, crate::registration::ALLOW_METHODS)),
            )
        } else {
            (StatusCode::NOT_IMPLEMENTED, None)
        };
        let tag = self.token(10);
        let Some(mut response) = build_response(request, code, &tag) else {
            return;
        };
        if let Some((name, value)) = extra {
            response.push(name, value);
            response.push(
                HeaderName::Accept,
                "application/sdp, application/pidf+xml, message/sipfrag",
            );
        }
        if let Err(e) = self.stack.respond(now, tx, &response) {
            tracing::debug!(error = %e, "response not sent");
        }
    }
}

fn build_response(request: &Message, code: StatusCode, tag: &str) -> Option<Message> {
    Message::response_to(request, code).to_tag(tag).build().ok()
}

impl UserAgent {
    /// Time has come: fires due account and user timers and the stack's.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.stack.poll_timeout().is_some_and(|t| t <= now) {
            self.stack.handle_timeout(now);
        }
        if self.calls.deadline().is_some_and(|t| t <= now) {
            self.call_timeouts(now);
        }
        // Take what is due first: handling a timer may re-arm it, and a
        // deadline that is re-armed in the past must wait for the next call.
        let mut due = Vec::new();
        while let Some(key) = self.timers.pop_due(now) {
            due.push(key);
        }
        for key in due {
            match key {
                TimerKey::Registration(id) => {
                    if let Some(reg) = self.slot_registration(id) {
                        reg.handle_timeout(now);
                    }
                    self.flush(now, id);
                }
                TimerKey::CloseDeadline(id) => {
                    tracing::info!(
                        ?id,
                        "un-REGISTER did not finish in time; removing the account"
                    );
                    self.drop_account(id);
                }
                TimerKey::User(id) => {
                    if let Some(token) = self.user_tokens.remove(&id) {
                        self.events.push_back(UaEvent::Timer { id, token });
                    }
                }
            }
        }
    }

    /// When [`UserAgent::handle_timeout`] should next be called.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        [
            self.stack.poll_timeout(),
            self.timers.next(),
            self.calls.deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The next event, after handling what the stack reported.
    pub fn poll_event(&mut self, now: Instant) -> Option<UaEvent> {
        loop {
            if !self.calls.deferred.is_empty() {
                self.flush_tsx_all();
            }
            if let Some(e) = self.events.pop_front() {
                return Some(e);
            }
            let event = self.stack.poll_event()?;
            self.on_stack_event(now, event);
        }
    }
}
