//! Failures at each step, and which error is reported.

use super::*;

fn naptr_q() -> Query {
    Query::Naptr("example.com".into())
}

#[test]
fn naptr_nxdomain_ends_at_once() {
    let zone = Zone::new().fail(naptr_q(), ResolveError::NoSuchName);
    let run = locate("sip:example.com", &[Udp, Tcp], &zone);
    assert_eq!(run.error(), &LocateError::Dns(ResolveError::NoSuchName));
    assert_eq!(run.asked, [naptr_q()]);
}

#[test]
fn naptr_server_failure_or_timeout_goes_on_to_srv() {
    for error in [ResolveError::ServerFailure, ResolveError::Timeout] {
        let zone = Zone::new()
            .fail(naptr_q(), error)
            .srv("_sip._udp.example.com", &[(0, 0, 5060, "h.example.com")])
            .host("h.example.com", &["192.0.2.1"]);
        let run = locate("sip:example.com", &[Udp], &zone);
        assert_eq!(run.strings(), ["UDP 192.0.2.1:5060"], "{error}");
    }
}

#[test]
fn srv_failures_go_on_to_addresses() {
    let zone = Zone::new()
        .fail(
            Query::Srv("_sip._udp.example.com".into()),
            ResolveError::ServerFailure,
        )
        .fail(
            Query::Srv("_sip._tcp.example.com".into()),
            ResolveError::Timeout,
        )
        .host("example.com", &["192.0.2.2"]);
    let run = locate("sip:example.com", &[Udp, Tcp], &zone);
    assert_eq!(run.strings(), ["UDP 192.0.2.2:5060"]);
}

#[test]
fn nothing_anywhere_reports_the_address_lookup() {
    let zone = Zone::new().fail(
        Query::Address("example.com".into()),
        ResolveError::NoSuchName,
    );
    let run = locate("sip:example.com", &[Udp, Tcp], &zone);
    assert_eq!(run.error(), &LocateError::Dns(ResolveError::NoSuchName));
    assert_eq!(
        run.asked_strings(),
        [
            "NAPTR example.com",
            "SRV _sip._udp.example.com",
            "SRV _sip._tcp.example.com",
            "AAAA+A example.com"
        ]
    );
    // No records at all, anywhere.
    let run = locate("sip:example.com", &[Udp], &Zone::new());
    assert_eq!(run.error(), &LocateError::Dns(ResolveError::NoRecords));
}

#[test]
fn timeouts_everywhere_are_transient() {
    let zone = Zone::new()
        .fail(naptr_q(), ResolveError::Timeout)
        .fail(
            Query::Srv("_sip._udp.example.com".into()),
            ResolveError::Timeout,
        )
        .fail(Query::Address("example.com".into()), ResolveError::Timeout);
    let run = locate("sip:example.com", &[Udp], &zone);
    assert_eq!(run.error(), &LocateError::Dns(ResolveError::Timeout));
    assert!(run.error().is_transient());
}

#[test]
fn a_failed_srv_host_leaves_the_others() {
    let zone = Zone::new()
        .srv(
            "_sip._udp.example.com",
            &[
                (0, 0, 5060, "dead.example.com"),
                (1, 0, 5060, "live.example.com"),
            ],
        )
        .fail(
            Query::Address("dead.example.com".into()),
            ResolveError::NoSuchName,
        )
        .host("live.example.com", &["192.0.2.3"]);
    let run = locate("sip:example.com;transport=udp", &[Udp], &zone);
    assert_eq!(run.strings(), ["UDP 192.0.2.3:5060"]);
}

#[test]
fn failed_srv_hosts_report_the_most_transient_error_and_no_fallback() {
    let zone = Zone::new()
        .srv(
            "_sip._udp.example.com",
            &[(0, 0, 5060, "a.example.com"), (1, 0, 5060, "b.example.com")],
        )
        .fail(
            Query::Address("a.example.com".into()),
            ResolveError::NoSuchName,
        )
        .fail(
            Query::Address("b.example.com".into()),
            ResolveError::ServerFailure,
        )
        .host("example.com", &["192.0.2.4"]);
    let run = locate("sip:example.com;transport=udp", &[Udp], &zone);
    assert_eq!(run.error(), &LocateError::Dns(ResolveError::ServerFailure));
    // SRV records were found, so the domain's own addresses are not used.
    assert!(!run.asked.contains(&Query::Address("example.com".into())));
}

#[test]
fn port_given_and_no_address() {
    let zone = Zone::new().fail(
        Query::Address("example.com".into()),
        ResolveError::ServerFailure,
    );
    let run = locate("sip:example.com:5060", &[Udp], &zone);
    assert_eq!(run.error(), &LocateError::Dns(ResolveError::ServerFailure));
    assert_eq!(run.asked.len(), 1);
}

#[test]
fn answers_of_the_wrong_kind_or_empty_count_as_no_records() {
    let zone = Zone::new()
        .answer(
            naptr_q(),
            Ok(Answer::Addresses(vec!["192.0.2.9".parse().unwrap()])),
        )
        .answer(
            Query::Srv("_sip._udp.example.com".into()),
            Ok(Answer::Naptr(Vec::new())),
        )
        .answer(
            Query::Address("example.com".into()),
            Ok(Answer::Addresses(Vec::new())),
        );
    let run = locate("sip:example.com", &[Udp], &zone);
    assert_eq!(run.error(), &LocateError::Dns(ResolveError::NoRecords));
    assert_eq!(run.asked.len(), 3);
}

#[test]
fn srv_with_only_unusable_targets_falls_back() {
    let zone = Zone::new()
        .srv("_sip._udp.example.com", &[(0, 0, 5060, "not a host")])
        .host("example.com", &["192.0.2.5"]);
    let run = locate("sip:example.com;transport=udp", &[Udp], &zone);
    assert_eq!(run.strings(), ["UDP 192.0.2.5:5060"]);
}

#[test]
fn unknown_repeated_and_late_answers_are_ignored() {
    let uri = Uri::parse("sip:example.com:5060").unwrap();
    let mut locator = Locator::new(&uri, &[Udp], &mut Rng::from_seed(1)).unwrap();
    let (id, _) = locator.poll_query().unwrap();
    locator.handle_answer(
        super::super::QueryId(id.0 + 1000),
        Err(ResolveError::Timeout),
    );
    locator.handle_answer(super::super::QueryId(u64::MAX), Err(ResolveError::Timeout));
    assert!(!locator.is_finished());
    let addrs = vec!["192.0.2.6".parse().unwrap()];
    locator.handle_answer(id, Ok(Answer::Addresses(addrs)));
    assert!(locator.is_finished());
    locator.handle_answer(id, Err(ResolveError::Timeout));
    let targets = locator.poll_outcome().unwrap().unwrap();
    assert_eq!(targets.as_slice(), [target(Udp, "192.0.2.6:5060")]);
    assert!(locator.poll_outcome().is_none());
}

#[test]
fn an_answer_before_its_query_is_polled_is_taken() {
    let uri = Uri::parse("sip:example.com:5060").unwrap();
    let mut locator = Locator::new(&uri, &[Udp], &mut Rng::from_seed(1)).unwrap();
    let id = super::super::QueryId(0);
    locator.handle_answer(
        id,
        Ok(Answer::Addresses(vec!["192.0.2.7".parse().unwrap()])),
    );
    assert!(locator.is_finished());
    assert_eq!(locator.poll_query(), None);
    assert!(locator.poll_outcome().unwrap().is_ok());
}
