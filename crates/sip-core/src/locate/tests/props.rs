//! Property: no sequence of answers — arbitrary records, errors, answers to
//! unknown ids, repeats — makes a location panic, loop or break its bounds.

use std::net::IpAddr;

use proptest::prelude::*;

use super::*;
use crate::Rng;
use crate::locate::QueryId;

const URIS: &[&str] = &[
    "sip:example.com",
    "sips:example.com",
    "sip:example.com:5070",
    "sip:example.com;transport=tcp",
    "sips:example.com;transport=ws",
    "sip:example.com;maddr=proxy.example.net",
    "sip:192.0.2.1",
    "sips:[2001:db8::1]",
    "sip:bob@example.com;transport=udp;maddr=2001:db8::2",
];

const NAMES: &[&str] = &[
    "example.com",
    "_sip._udp.example.com",
    "_sips._tcp.example.com.",
    "h.example.com",
    "H.EXAMPLE.COM.",
    ".",
    "",
    "not a name",
    "192.0.2.5",
    "2001:db8::5",
];

const SERVICES: &[&str] = &[
    "SIP+D2U", "SIP+D2T", "SIPS+D2T", "SIP+D2W", "SIPS+D2W", "SIP+D2S", "sips+d2t", "",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(NAMES).prop_map(str::to_owned),
        "[a-z_.]{0,12}",
        "[a-z]{1,5}\\.example\\.com",
    ]
}

fn naptr_record() -> impl Strategy<Value = NaptrRecord> {
    (
        any::<u16>(),
        any::<u16>(),
        prop::sample::select(&["s", "S", "a", "", "u"][..]),
        prop::sample::select(SERVICES),
        name(),
    )
        .prop_map(
            |(order, preference, flags, services, replacement)| NaptrRecord {
                order: order % 4,
                preference: preference % 4,
                flags: flags.into(),
                services: services.into(),
                regexp: String::new(),
                replacement,
            },
        )
}

fn srv_record() -> impl Strategy<Value = SrvRecord> {
    (any::<u16>(), any::<u16>(), any::<u16>(), name()).prop_map(
        |(priority, weight, port, target)| SrvRecord {
            priority: priority % 3,
            weight: if weight % 3 == 0 { 0 } else { weight },
            port,
            target,
        },
    )
}

fn answer() -> impl Strategy<Value = Result<Answer, ResolveError>> {
    prop_oneof![
        prop::collection::vec(naptr_record(), 0..12).prop_map(|r| Ok(Answer::Naptr(r))),
        prop::collection::vec(srv_record(), 0..12).prop_map(|r| Ok(Answer::Srv(r))),
        prop::collection::vec(any::<IpAddr>(), 0..6).prop_map(|a| Ok(Answer::Addresses(a))),
        prop::sample::select(
            &[
                ResolveError::NoSuchName,
                ResolveError::NoRecords,
                ResolveError::ServerFailure,
                ResolveError::Timeout,
            ][..]
        )
        .prop_map(Err),
    ]
}

/// Which query an event answers.
#[derive(Debug, Clone)]
enum Pick {
    /// One of the queries handed out so far (by position, modulo their number).
    Asked(usize),
    /// Any id at all.
    Any(u64),
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        4 => any::<usize>().prop_map(Pick::Asked),
        1 => any::<u64>().prop_map(Pick::Any),
    ]
}

fn kinds() -> impl Strategy<Value = Vec<TransportKind>> {
    prop::collection::vec(prop::sample::select(&TransportKind::ALL[..]), 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_answers_make_it_panic_loop_or_overflow(
        uri in prop::sample::select(URIS),
        kinds in kinds(),
        seed in any::<u64>(),
        max_queries in 1usize..12,
        max_targets in 1usize..8,
        events in prop::collection::vec((pick(), answer()), 0..40),
    ) {
        let uri = Uri::parse(uri).unwrap();
        let limits = LocateLimits { max_queries, max_targets };
        let Ok(mut locator) = Locator::with_limits(&uri, &kinds, limits, &mut Rng::from_seed(seed)) else {
            return Ok(());
        };
        let mut asked: Vec<QueryId> = Vec::new();
        for (pick, answer) in events {
            asked.extend(std::iter::from_fn(|| locator.poll_query()).map(|(id, _)| id));
            let id = match pick {
                Pick::Asked(i) if !asked.is_empty() => asked[i % asked.len()],
                Pick::Asked(_) => QueryId(0),
                Pick::Any(id) => QueryId(id),
            };
            locator.handle_answer(id, answer);
            prop_assert!(locator.queries_asked() <= max_queries);
        }
        // Time out everything still waiting: the location must end, within
        // as many rounds as it may ask queries.
        for _ in 0..=max_queries {
            asked.extend(std::iter::from_fn(|| locator.poll_query()).map(|(id, _)| id));
            for &id in &asked {
                locator.handle_answer(id, Err(ResolveError::Timeout));
            }
        }
        prop_assert!(locator.is_finished());
        prop_assert!(locator.queries_asked() <= max_queries);
        let outcome = locator.poll_outcome();
        prop_assert!(outcome.is_some());
        if let Some(Ok(targets)) = outcome {
            prop_assert!(!targets.is_empty() && targets.len() <= max_targets);
            for t in targets.as_slice() {
                prop_assert!(kinds.contains(&t.kind));
                if locator.is_secure() {
                    prop_assert!(t.kind.is_secure(), "{t} for a sips: URI");
                }
            }
        }
    }

    #[test]
    fn every_location_ends_once_all_queries_are_answered(
        uri in prop::sample::select(URIS),
        kinds in kinds(),
        seed in any::<u64>(),
        answers in prop::collection::vec(answer(), 1..8),
    ) {
        // Answer each query, as it comes, with the next canned answer
        // (cycling): the location ends after at most max_queries answers.
        let uri = Uri::parse(uri).unwrap();
        let Ok(mut locator) = Locator::new(&uri, &kinds, &mut Rng::from_seed(seed)) else {
            return Ok(());
        };
        let mut answered = 0;
        while let Some((id, _)) = locator.poll_query() {
            locator.handle_answer(id, answers[answered % answers.len()].clone());
            answered += 1;
            prop_assert!(answered <= LocateLimits::default().max_queries);
        }
        prop_assert!(locator.is_finished());
        prop_assert!(locator.poll_outcome().is_some());
    }
}
