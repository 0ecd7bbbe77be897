//! Tests of server location against canned DNS answers.

mod failures;
mod guards;
mod ports;
mod props;
mod selection;

use std::collections::HashMap;

use sip::uri::Uri;

use super::{
    Answer, LocateError, LocateLimits, Locator, NaptrRecord, Query, ResolveError, SrvRecord,
};
use crate::Rng;
use crate::transport::{Target, TransportKind};

pub(super) use TransportKind::{Tcp, Tls, Udp, Ws, Wss};

/// A DNS zone for one test: answers by query; anything not listed has no
/// records (NOERROR, empty).
#[derive(Debug, Default, Clone)]
pub(super) struct Zone {
    answers: HashMap<Query, Result<Answer, ResolveError>>,
}

impl Zone {
    pub(super) fn new() -> Self {
        Self::default()
    }

    /// NAPTR records `(order, preference, service, replacement)`, flag `s`.
    pub(super) fn naptr(self, domain: &str, records: &[(u16, u16, &str, &str)]) -> Self {
        let records = records
            .iter()
            .map(|&(order, preference, services, replacement)| NaptrRecord {
                order,
                preference,
                flags: "s".into(),
                services: services.into(),
                regexp: String::new(),
                replacement: replacement.into(),
            })
            .collect();
        self.answer(Query::Naptr(domain.into()), Ok(Answer::Naptr(records)))
    }

    /// SRV records `(priority, weight, port, target)`.
    pub(super) fn srv(self, name: &str, records: &[(u16, u16, u16, &str)]) -> Self {
        let records = records
            .iter()
            .map(|&(priority, weight, port, target)| SrvRecord {
                priority,
                weight,
                port,
                target: target.into(),
            })
            .collect();
        self.answer(Query::Srv(name.into()), Ok(Answer::Srv(records)))
    }

    /// Addresses of a host, in order.
    pub(super) fn host(self, name: &str, addrs: &[&str]) -> Self {
        let addrs = addrs.iter().map(|a| a.parse().unwrap()).collect();
        self.answer(Query::Address(name.into()), Ok(Answer::Addresses(addrs)))
    }

    pub(super) fn answer(mut self, query: Query, answer: Result<Answer, ResolveError>) -> Self {
        self.answers.insert(query, answer);
        self
    }

    pub(super) fn fail(self, query: Query, error: ResolveError) -> Self {
        self.answer(query, Err(error))
    }

    fn lookup(&self, query: &Query) -> Result<Answer, ResolveError> {
        self.answers
            .get(query)
            .cloned()
            .unwrap_or(Err(ResolveError::NoRecords))
    }
}

/// What a location did: its result and the queries it asked, in order.
#[derive(Debug)]
pub(super) struct Run {
    pub(super) result: Result<Vec<Target>, LocateError>,
    pub(super) asked: Vec<Query>,
}

impl Run {
    pub(super) fn targets(&self) -> &[Target] {
        match &self.result {
            Ok(t) => t,
            Err(e) => panic!("expected targets, got {e}; asked {:?}", self.asked),
        }
    }

    pub(super) fn error(&self) -> &LocateError {
        match &self.result {
            Err(e) => e,
            Ok(t) => panic!("expected an error, got {t:?}"),
        }
    }

    pub(super) fn strings(&self) -> Vec<String> {
        self.targets().iter().map(ToString::to_string).collect()
    }

    pub(super) fn asked_strings(&self) -> Vec<String> {
        self.asked.iter().map(ToString::to_string).collect()
    }
}

/// How the test runtime answers the queries of one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    /// In the order asked.
    Asked,
    /// Last asked first.
    Reversed,
}

pub(super) fn locate(uri: &str, kinds: &[TransportKind], zone: &Zone) -> Run {
    locate_with(uri, kinds, zone, 1, LocateLimits::default(), Order::Asked)
}

/// Locates `uri`: asks every waiting query, answers the round from `zone` in
/// `order`, and repeats until no query waits.
pub(super) fn locate_with(
    uri: &str,
    kinds: &[TransportKind],
    zone: &Zone,
    seed: u64,
    limits: LocateLimits,
    order: Order,
) -> Run {
    let uri = Uri::parse(uri).unwrap();
    let mut locator = match Locator::with_limits(&uri, kinds, limits, &mut Rng::from_seed(seed)) {
        Ok(l) => l,
        Err(e) => {
            return Run {
                result: Err(e),
                asked: Vec::new(),
            };
        }
    };
    let mut asked = Vec::new();
    loop {
        let mut round: Vec<_> = std::iter::from_fn(|| locator.poll_query()).collect();
        if round.is_empty() {
            break;
        }
        assert!(!locator.is_finished());
        asked.extend(round.iter().map(|(_, q)| q.clone()));
        if order == Order::Reversed {
            round.reverse();
        }
        for (id, query) in round {
            locator.handle_answer(id, zone.lookup(&query));
        }
        assert!(asked.len() <= limits.max_queries.max(1));
    }
    assert!(locator.is_finished(), "no query waits, yet not finished");
    let result = locator.poll_outcome().expect("an outcome once finished");
    assert!(
        locator.poll_outcome().is_none(),
        "the outcome is given once"
    );
    Run {
        result: result.map(super::Targets::into_vec),
        asked,
    }
}

pub(super) fn target(kind: TransportKind, addr: &str) -> Target {
    Target {
        kind,
        addr: addr.parse().unwrap(),
    }
}

/// The zone of the example in RFC 3263 §4.1, with addresses for the hosts:
/// NAPTR for example.com offering TLS, TCP and UDP, each to an SRV name; the
/// TCP SRV name pointing at server1 (weight 1) and server2 (weight 2).
pub(super) fn rfc3263_example() -> Zone {
    Zone::new()
        .naptr(
            "example.com",
            &[
                (50, 50, "SIPS+D2T", "_sips._tcp.example.com."),
                (90, 50, "SIP+D2T", "_sip._tcp.example.com"),
                (100, 50, "SIP+D2U", "_sip._udp.example.com."),
            ],
        )
        .srv(
            "_sip._tcp.example.com",
            &[
                (0, 1, 5060, "server1.example.com"),
                (0, 2, 5060, "server2.example.com"),
            ],
        )
        .srv(
            "_sip._udp.example.com.",
            &[
                (0, 1, 5060, "server1.example.com"),
                (0, 2, 5060, "server2.example.com"),
            ],
        )
        .srv(
            "_sips._tcp.example.com.",
            &[(0, 0, 5061, "server3.example.com")],
        )
        .host("server1.example.com", &["192.0.2.1"])
        .host("server2.example.com", &["192.0.2.2", "2001:db8::2"])
        .host("server3.example.com", &["192.0.2.3"])
}
