//! The RFC 3263 §4 state machine: from a next-hop URI to an ordered list of
//! targets, one DNS question at a time.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use sip::uri::{Host, Uri};

use crate::Rng;
use crate::transport::{Target, TransportKind};

use super::dns::{Answer, Query, QueryId, ResolveError, name_key};
use super::error::LocateError;
use super::naptr;
use super::srv::{self, SrvHost, SrvOutcome};
use super::targets::Targets;

/// Bounds on the work of one location, so that no DNS answer — however
/// large, deep or hostile — can make it run long or grow without end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocateLimits {
    /// The most queries one location may ask, NAPTR, SRV and address lookups
    /// together (default 32; at least 1). Queries are spent most preferred
    /// first, so the bound cuts off the least preferred targets. When it cuts
    /// off everything, the location fails with [`LocateError::QueryLimit`].
    pub max_queries: usize,
    /// The most targets in the result (default 32; at least 1); also the most
    /// addresses taken from one address answer.
    pub max_targets: usize,
}

impl Default for LocateLimits {
    fn default() -> Self {
        Self {
            max_queries: 32,
            max_targets: 32,
        }
    }
}

/// Spreads lookup indices over the seed space (the 64-bit golden ratio).
const SEED_MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// Which step of RFC 3263 a lookup belongs to, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Stage {
    Naptr,
    Srv,
    Address,
}

impl Stage {
    /// The stage a query belongs to.
    fn of(query: &Query) -> Self {
        match query {
            Query::Naptr(_) => Self::Naptr,
            Query::Srv(_) => Self::Srv,
            Query::Address(_) => Self::Address,
        }
    }
}

/// What is known of one query.
#[derive(Debug, Clone)]
enum LookupState {
    /// Asked (or about to be), not answered.
    Pending,
    /// The usable NAPTR services, most preferred first (maybe none).
    Naptr(Vec<(TransportKind, String)>),
    /// Ordered SRV hosts, or the service is unavailable (never `Unusable`:
    /// that is stored as a failure).
    Srv(SrvOutcome),
    /// Addresses, in the answer's order (never empty).
    Addresses(Vec<IpAddr>),
    /// No answer, and why.
    Failed(ResolveError),
}

/// One query and what came of it. Its index in `Locator::lookups` is its
/// [`QueryId`].
#[derive(Debug, Clone)]
struct Lookup {
    query: Query,
    state: LookupState,
}

/// One way to reach the destination: a transport and where its hosts come from.
#[derive(Debug, Clone, Copy)]
struct Service {
    kind: TransportKind,
    source: Source,
}

#[derive(Debug, Clone, Copy)]
enum Source {
    /// The hosts and ports of an SRV lookup (its index).
    Srv(usize),
    /// The addresses of an address lookup (its index), at a fixed port.
    Host { lookup: usize, port: u16 },
}

#[derive(Debug, Clone)]
enum Plan {
    /// Waiting for the NAPTR answer (the lookup's index) to choose services.
    Naptr(usize),
    /// The services to use, most preferred first.
    Services(Vec<Service>),
}

/// Client-side server location (RFC 3263 §4) for one request, as a sans-IO
/// state machine: it asks DNS questions and takes their answers, and ends with
/// an ordered list of [`Target`]s or a [`LocateError`].
///
/// # The next hop
///
/// Create it from the URI of the next hop: the first Route URI when that is a
/// loose router (it has `lr`), otherwise the Request-URI — which, when the
/// first route is a strict router, RFC 3261 §12.2.1.1 has already replaced by
/// that router's URI. An outbound proxy is a first Route. [`next_hop`]
/// picks between the two.
///
/// # Driving it
///
/// 1. [`poll_query`](Self::poll_query) until it returns `None`, asking DNS each
///    query; several may be outstanding at once.
/// 2. Hand each result to [`handle_answer`](Self::handle_answer) with its
///    [`QueryId`], in any order. Answers to unknown ids, repeated answers and
///    answers after the end are ignored. The runtime owns timeouts: a query
///    that gets no reply in time is answered with [`ResolveError::Timeout`].
/// 3. After each answer, poll for new queries again, until
///    [`poll_outcome`](Self::poll_outcome) gives the result.
///
/// Nothing here blocks, sleeps or reads a clock.
///
/// ```
/// use sip::uri::Uri;
/// use sip_core::Rng;
/// use sip_core::locate::{Answer, Locator, Query, SrvRecord};
/// use sip_core::transport::TransportKind;
///
/// let uri = Uri::parse("sip:bob@example.com;transport=tcp").unwrap();
/// let mut rng = Rng::from_seed(1);
/// let mut locator = Locator::new(&uri, &[TransportKind::Udp, TransportKind::Tcp], &mut rng).unwrap();
///
/// // No port, so the transport's SRV records come first (RFC 3263 §4.2).
/// let (id, query) = locator.poll_query().unwrap();
/// assert_eq!(query, Query::Srv("_sip._tcp.example.com".into()));
/// let srv = SrvRecord { priority: 0, weight: 0, port: 5070, target: "sip1.example.com".into() };
/// locator.handle_answer(id, Ok(Answer::Srv(vec![srv])));
///
/// let (id, query) = locator.poll_query().unwrap();
/// assert_eq!(query, Query::Address("sip1.example.com".into()));
/// locator.handle_answer(id, Ok(Answer::Addresses(vec!["2001:db8::5".parse().unwrap()])));
///
/// let mut targets = locator.poll_outcome().unwrap().unwrap();
/// let first = targets.next_target().unwrap();
/// assert_eq!(first.kind, TransportKind::Tcp);
/// assert_eq!(first.addr, "[2001:db8::5]:5070".parse().unwrap());
/// ```
///
/// # What it does (RFC 3263 §4.1, §4.2)
///
/// The target host is the `maddr` parameter if present, else the URI's host.
///
/// - A `transport` parameter chooses the transport (for `sips:`, `tcp` and
///   `tls` mean TLS and `ws`/`wss` mean WSS; `udp` is refused).
/// - A numeric IP host is used as it is, at the URI's port or the
///   transport's default port, over the parameter's transport or else UDP
///   (TLS for `sips:`). IPv6 hosts are written in brackets (`[2001:db8::1]`).
/// - A host name with a port: its addresses (AAAA and A) at that port, over
///   the parameter's transport or else UDP (TLS for `sips:`).
/// - A host name without port but with a transport: SRV records of that
///   transport (`_sip._udp`, `_sip._tcp`, `_sips._tcp`, `_sip._ws`,
///   `_sips._ws`), else the addresses at the default port.
/// - A host name with neither: NAPTR records of the domain, keeping the
///   services of the allowed transports (`SIP+D2U`, `SIP+D2T`, `SIPS+D2T`,
///   `SIP+D2W`, `SIPS+D2W`) whose flag is `s`, by order then preference; each
///   kept record's replacement is looked up as SRV. If no NAPTR record is
///   usable, SRV records are looked up for each allowed transport among UDP,
///   TCP and TLS, in the caller's order of preference. If no SRV record is
///   found at all, the domain's addresses at the default port of the
///   most preferred NAPTR transport, or else UDP (TLS for `sips:`).
/// - SRV records are ordered per RFC 2782 (priority, then weighted random
///   choice) and each target host is resolved to its addresses; a target of
///   `.` says the service is unavailable (and no address fallback is made).
///
/// The result lists every target found: services in NAPTR order, then SRV
/// order within a service, then addresses in the answer's order, without
/// repeats. Later NAPTR services are kept as further failover targets
/// (RFC 3263 §4.3) rather than dropped as a strict reading of RFC 3403's
/// "order" rule would; callers wanting only the most preferred transport can
/// keep the targets of the first target's kind. For a `sips:` URI every
/// target is secure (TLS or WSS), whatever DNS says.
///
/// Choices where the RFCs leave room: a NAPTR answer of NXDOMAIN ends the
/// location at once (RFC 8020: nothing exists below a name that does not
/// exist); any other NAPTR or SRV failure (no records, server failure,
/// timeout) counts as "not found" and the next step is taken, since
/// resolvers and middleboxes often mishandle NAPTR. Host lookups of a
/// service start once every more preferred service's SRV answer is in, so
/// the query bound always cuts the least preferred hosts.
#[derive(Debug, Clone)]
pub struct Locator {
    secure: bool,
    /// The domain DNS resolution starts from (empty for a numeric host).
    domain: String,
    /// The transports the stack runs that this URI may use, in the caller's
    /// order of preference (only secure ones for `sips:`); never empty.
    allowed: Vec<TransportKind>,
    limits: LocateLimits,
    /// Seeds the weighted SRV draw of each SRV lookup (mixed with its index,
    /// so that the order of answers does not change the result).
    seed: u64,
    /// Every query asked, its index being its id. The vector only grows, so
    /// the indices held in `plan`, `queue` and `by_query` — all returned by
    /// `ensure` — always point into it; that is why indexing it cannot panic.
    lookups: Vec<Lookup>,
    /// Each query's index in `lookups`, by stage (record type) and name key.
    by_query: HashMap<(Stage, String), usize>,
    /// Indices of lookups not yet handed out by `poll_query`.
    queue: VecDeque<usize>,
    plan: Plan,
    /// The transport of the address fallback when no SRV record is found.
    fallback_kind: TransportKind,
    /// Whether the address fallback has been made (or is not to be made).
    fallback_done: bool,
    /// Whether a query was refused because of `limits.max_queries`.
    budget_exhausted: bool,
    /// The failure of the latest stage, most transient first.
    worst: Option<(Stage, ResolveError)>,
    finished: bool,
    outcome: Option<Result<Targets, LocateError>>,
}

impl Locator {
    /// Starts locating `next_hop` with the default [`LocateLimits`].
    ///
    /// `supported` lists the transports the stack runs, most preferred first
    /// (the preference orders the SRV lookups made when the domain has no
    /// usable NAPTR records, and picks the transport when the RFC's default —
    /// UDP, or TLS for `sips:` — is not supported). `rng` seeds the weighted
    /// SRV choice; one value is drawn from it.
    ///
    /// Fails at once when the URI cannot be located with these transports
    /// (see [`LocateError`]); for a numeric IP host the outcome is ready at
    /// once and no query is asked.
    pub fn new(
        next_hop: &Uri<'_>,
        supported: &[TransportKind],
        rng: &mut Rng,
    ) -> Result<Self, LocateError> {
        Self::with_limits(next_hop, supported, LocateLimits::default(), rng)
    }

    /// As [`Locator::new`], with explicit limits.
    pub fn with_limits(
        next_hop: &Uri<'_>,
        supported: &[TransportKind],
        limits: LocateLimits,
        rng: &mut Rng,
    ) -> Result<Self, LocateError> {
        let Uri::Sip(uri) = next_hop else {
            return Err(LocateError::NotSip {
                scheme: next_hop.scheme().to_owned(),
            });
        };
        let secure = uri.secure;
        if supported.is_empty() {
            return Err(LocateError::NoTransport);
        }
        let mut allowed = Vec::with_capacity(supported.len());
        for &kind in supported {
            if (!secure || kind.is_secure()) && !allowed.contains(&kind) {
                allowed.push(kind);
            }
        }
        let Some(&first_allowed) = allowed.first() else {
            return Err(LocateError::NoSecureTransport);
        };
        let transport = uri
            .transport()
            .map(|name| param_transport(name, secure, &allowed))
            .transpose()?;
        let host = match uri.maddr() {
            Some(maddr) => parse_maddr(maddr)?,
            None => uri.host.clone(),
        };
        let rfc_default = if secure {
            TransportKind::Tls
        } else {
            TransportKind::Udp
        };
        let default_kind = if allowed.contains(&rfc_default) {
            rfc_default
        } else {
            first_allowed
        };
        let kind = transport.unwrap_or(default_kind);
        let mut locator = Self {
            secure,
            domain: String::new(),
            allowed,
            limits: LocateLimits {
                max_queries: limits.max_queries.max(1),
                max_targets: limits.max_targets.max(1),
            },
            seed: rng.next_u64(),
            lookups: Vec::new(),
            by_query: HashMap::new(),
            queue: VecDeque::new(),
            plan: Plan::Services(Vec::new()),
            fallback_kind: kind,
            fallback_done: false,
            budget_exhausted: false,
            worst: None,
            finished: false,
            outcome: None,
        };
        let domain = match host {
            Host::Name(name) => name.into_owned(),
            Host::Ipv4(ip) => return Ok(locator.numeric(IpAddr::V4(ip), kind, uri.port)),
            Host::Ipv6(ip) => return Ok(locator.numeric(IpAddr::V6(ip), kind, uri.port)),
        };
        locator.domain = domain.clone();
        locator.plan = match (transport, uri.port) {
            // §4.2: a port given means no SRV, only the host's addresses.
            (_, Some(port)) => {
                locator.fallback_done = true;
                let services = locator
                    .ensure(Query::Address(domain))
                    .map(|lookup| Service {
                        kind,
                        source: Source::Host { lookup, port },
                    });
                Plan::Services(services.into_iter().collect())
            }
            // §4.2: a transport given, no port: that transport's SRV records.
            (Some(kind), None) => {
                let services = locator
                    .ensure(Query::Srv(naptr::srv_name(kind, &domain)))
                    .map(|lookup| Service {
                        kind,
                        source: Source::Srv(lookup),
                    });
                Plan::Services(services.into_iter().collect())
            }
            // §4.1: neither: NAPTR.
            (None, None) => match locator.ensure(Query::Naptr(domain)) {
                Some(lookup) => Plan::Naptr(lookup),
                None => Plan::Services(Vec::new()),
            },
        };
        locator.advance();
        Ok(locator)
    }

    /// Finishes at once for a numeric host (RFC 3263 §4.2).
    fn numeric(mut self, ip: IpAddr, kind: TransportKind, port: Option<u16>) -> Self {
        let addr = SocketAddr::new(ip, port.unwrap_or(kind.default_port()));
        self.finished = true;
        self.outcome = Some(Ok(Targets::new(vec![Target { kind, addr }])));
        self
    }

    /// The next query to ask DNS, or `None` when none is waiting to be asked
    /// (answers may still be outstanding).
    pub fn poll_query(&mut self) -> Option<(QueryId, Query)> {
        while let Some(index) = self.queue.pop_front() {
            match self.lookups.get(index) {
                Some(lookup) if matches!(lookup.state, LookupState::Pending) => {
                    return Some((QueryId(index as u64), lookup.query.clone()));
                }
                _ => {}
            }
        }
        None
    }

    /// Takes the result of query `id`. Unknown ids, repeated answers and
    /// answers after the end are ignored; an answer of the wrong record type
    /// counts as [`ResolveError::NoRecords`]. Never panics, whatever the
    /// answer holds.
    pub fn handle_answer(&mut self, id: QueryId, answer: Result<Answer, ResolveError>) {
        if self.finished {
            return;
        }
        let Some(index) = usize::try_from(id.0).ok() else {
            return;
        };
        let Some(lookup) = self.lookups.get(index) else {
            return;
        };
        if !matches!(lookup.state, LookupState::Pending) {
            return;
        }
        let stage = Stage::of(&lookup.query);
        let state = match (stage, answer) {
            (_, Err(error)) => LookupState::Failed(error),
            (Stage::Naptr, Ok(Answer::Naptr(records))) => {
                LookupState::Naptr(naptr::usable_services(&records, &self.allowed))
            }
            (Stage::Srv, Ok(Answer::Srv(records))) => {
                let mut rng = Rng::from_seed(self.seed ^ (index as u64).wrapping_mul(SEED_MIX));
                match srv::order(&records, &mut rng) {
                    SrvOutcome::Unusable => LookupState::Failed(ResolveError::NoRecords),
                    outcome => LookupState::Srv(outcome),
                }
            }
            (Stage::Address, Ok(Answer::Addresses(mut addrs))) if !addrs.is_empty() => {
                addrs.truncate(self.limits.max_targets);
                LookupState::Addresses(addrs)
            }
            _ => LookupState::Failed(ResolveError::NoRecords),
        };
        if let LookupState::Failed(error) = state {
            self.note_failure(stage, error);
        }
        self.lookups[index].state = state;
        self.advance();
    }

    /// The result, once: `Some` the first time it is asked after the location
    /// has ended, `None` before and after.
    pub fn poll_outcome(&mut self) -> Option<Result<Targets, LocateError>> {
        self.outcome.take()
    }

    /// Whether the location has ended (its outcome may have been taken).
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The domain name resolution started from — the URI's host, or its
    /// `maddr` — or `None` for a numeric host. A TLS target must present a
    /// certificate for this name, not for the host names SRV records led to
    /// (RFC 5922 §4).
    pub fn server_name(&self) -> Option<&str> {
        (!self.domain.is_empty()).then_some(self.domain.as_str())
    }

    /// Whether the URI is `sips:`, so that every target is secure.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// How many queries have been asked (or queued) so far.
    pub fn queries_asked(&self) -> usize {
        self.lookups.len()
    }

    /// The lookup for `query`, queued if new; `None` if the query bound is
    /// reached.
    fn ensure(&mut self, query: Query) -> Option<usize> {
        let key = (Stage::of(&query), name_key(query.name()));
        if let Some(&index) = self.by_query.get(&key) {
            return Some(index);
        }
        if self.lookups.len() >= self.limits.max_queries {
            self.budget_exhausted = true;
            return None;
        }
        let index = self.lookups.len();
        self.lookups.push(Lookup {
            query,
            state: LookupState::Pending,
        });
        self.by_query.insert(key, index);
        self.queue.push_back(index);
        Some(index)
    }

    fn note_failure(&mut self, stage: Stage, error: ResolveError) {
        let worse = match self.worst {
            None => true,
            Some((s, e)) => (stage, error.rank()) > (s, e.rank()),
        };
        if worse {
            self.worst = Some((stage, error));
        }
    }

    /// Takes every step the answers so far allow, and ends the location when
    /// no query is outstanding.
    fn advance(&mut self) {
        if self.finished {
            return;
        }
        if let Plan::Naptr(index) = self.plan {
            let services = match &self.lookups[index].state {
                LookupState::Pending => return,
                LookupState::Failed(ResolveError::NoSuchName) => {
                    self.finish();
                    return;
                }
                LookupState::Naptr(services) => services.clone(),
                _ => Vec::new(),
            };
            self.plan = Plan::Services(self.services_after_naptr(services));
        }
        self.resolve_hosts();
        if !self
            .lookups
            .iter()
            .any(|l| matches!(l.state, LookupState::Pending))
        {
            self.finish();
        }
    }

    /// The SRV services to look up once the NAPTR answer is in (RFC 3263
    /// §4.1): the usable NAPTR services, or else one per allowed transport
    /// among UDP, TCP and TLS.
    fn services_after_naptr(&mut self, naptr: Vec<(TransportKind, String)>) -> Vec<Service> {
        let wanted = if let Some(&(kind, _)) = naptr.first() {
            self.fallback_kind = kind;
            naptr
        } else {
            self.allowed
                .iter()
                .filter(|k| k.is_stream() || **k == TransportKind::Udp)
                .map(|&kind| (kind, naptr::srv_name(kind, &self.domain)))
                .collect()
        };
        wanted
            .into_iter()
            .filter_map(|(kind, name)| {
                let lookup = self.ensure(Query::Srv(name))?;
                Some(Service {
                    kind,
                    source: Source::Srv(lookup),
                })
            })
            .collect()
    }

    /// Asks for the addresses of the SRV hosts of every service whose SRV
    /// answer is in and comes after no pending one, and for the domain's
    /// addresses when no SRV record was found (RFC 3263 §4.2).
    fn resolve_hosts(&mut self) {
        let Plan::Services(services) = &self.plan else {
            return;
        };
        let mut hosts = Vec::new();
        let mut all_answered = true;
        let mut any_records = false;
        for service in services {
            let Source::Srv(index) = service.source else {
                continue;
            };
            match &self.lookups[index].state {
                LookupState::Pending => all_answered = false,
                LookupState::Srv(SrvOutcome::Hosts(list)) => {
                    any_records = true;
                    if all_answered {
                        hosts.extend(list.iter().filter_map(|(_, host)| match host {
                            SrvHost::Name(name) => Some(name.clone()),
                            SrvHost::Literal(_) => None,
                        }));
                    }
                }
                LookupState::Srv(_) => any_records = true,
                _ => {}
            }
        }
        for host in hosts {
            self.ensure(Query::Address(host));
        }
        if all_answered && !any_records && !self.fallback_done {
            self.fallback_done = true;
            let kind = self.fallback_kind;
            let lookup = self.ensure(Query::Address(self.domain.clone()));
            if let (Some(lookup), Plan::Services(services)) = (lookup, &mut self.plan) {
                services.push(Service {
                    kind,
                    source: Source::Host {
                        lookup,
                        port: kind.default_port(),
                    },
                });
            }
        }
    }

    /// The addresses found for a host name, if any.
    fn addresses_of(&self, host: &str) -> &[IpAddr] {
        let key = (Stage::Address, name_key(host));
        match self.by_query.get(&key).map(|&i| &self.lookups[i].state) {
            Some(LookupState::Addresses(addrs)) => addrs,
            _ => &[],
        }
    }

    /// Ends the location: gathers the targets, or says why there are none.
    fn finish(&mut self) {
        self.finished = true;
        self.queue.clear();
        let mut list: Vec<Target> = Vec::new();
        let mut unavailable = false;
        if let Plan::Services(services) = &self.plan {
            for service in services {
                let mut add = |ip: IpAddr, port: u16| {
                    let target = Target {
                        kind: service.kind,
                        addr: SocketAddr::new(ip, port),
                    };
                    // Every kind comes from `allowed`; checking again keeps a
                    // `sips:` location secure whatever happens above.
                    if list.len() < self.limits.max_targets
                        && self.allowed.contains(&target.kind)
                        && !list.contains(&target)
                    {
                        list.push(target);
                    }
                };
                match service.source {
                    Source::Srv(index) => match &self.lookups[index].state {
                        LookupState::Srv(SrvOutcome::Hosts(hosts)) => {
                            for (port, host) in hosts {
                                match host {
                                    SrvHost::Literal(ip) => add(*ip, *port),
                                    SrvHost::Name(name) => {
                                        for &ip in self.addresses_of(name) {
                                            add(ip, *port);
                                        }
                                    }
                                }
                            }
                        }
                        LookupState::Srv(_) => unavailable = true,
                        _ => {}
                    },
                    Source::Host { lookup, port } => {
                        if let LookupState::Addresses(addrs) = &self.lookups[lookup].state {
                            for &ip in addrs {
                                add(ip, port);
                            }
                        }
                    }
                }
            }
        }
        self.outcome = Some(if list.is_empty() {
            Err(self.failure(unavailable))
        } else {
            Ok(Targets::new(list))
        });
    }

    /// Why no target was found.
    fn failure(&self, unavailable: bool) -> LocateError {
        if self.budget_exhausted {
            return LocateError::QueryLimit;
        }
        match self.worst {
            Some((Stage::Address, error)) => LocateError::Dns(error),
            _ if unavailable => LocateError::ServiceUnavailable,
            Some((_, error)) => LocateError::Dns(error),
            None => LocateError::Dns(ResolveError::NoRecords),
        }
    }
}

/// The transport a `transport` parameter names, for this URI and stack.
fn param_transport(
    name: &str,
    secure: bool,
    allowed: &[TransportKind],
) -> Result<TransportKind, LocateError> {
    let unsupported = || LocateError::UnsupportedTransport {
        transport: name.to_owned(),
    };
    let named = TransportKind::from_name(name).ok_or_else(unsupported)?;
    // In a sips: URI the parameter names the layer under TLS (RFC 5630
    // deprecates transport=tls): tcp means TLS, ws means WSS.
    let kind = if secure {
        match named {
            TransportKind::Udp => {
                return Err(LocateError::InsecureTransport { transport: named });
            }
            TransportKind::Tcp | TransportKind::Tls => TransportKind::Tls,
            TransportKind::Ws | TransportKind::Wss => TransportKind::Wss,
        }
    } else {
        named
    };
    if allowed.contains(&kind) {
        Ok(kind)
    } else {
        Err(unsupported())
    }
}

/// The host a `maddr` parameter names (RFC 3261 §19.1.1): a host name, an
/// IPv4 address or a bracketed IPv6 reference — or, leniently, a bare IPv6
/// address.
fn parse_maddr(value: &str) -> Result<Host<'static>, LocateError> {
    if let Ok(host) = Host::parse_str(value) {
        return Ok(host.into_owned());
    }
    if let Ok(ip) = value.parse::<Ipv6Addr>() {
        return Ok(Host::Ipv6(ip));
    }
    Err(LocateError::InvalidMaddr {
        maddr: value.to_owned(),
    })
}

/// The URI of the next hop of a request (RFC 3261 §8.1.2, §12.2.1.1): the
/// first Route URI if it is a loose router (`lr`), else the Request-URI. With
/// a strict router first, RFC 3261 §12.2.1.1 has the Request-URI replaced by
/// the router's URI before sending, so the Request-URI is again the answer.
pub fn next_hop<'r, 'u>(request_uri: &'r Uri<'u>, first_route: Option<&'r Uri<'u>>) -> &'r Uri<'u> {
    match first_route {
        Some(route @ Uri::Sip(sip)) if sip.is_loose_router() => route,
        _ => request_uri,
    }
}
