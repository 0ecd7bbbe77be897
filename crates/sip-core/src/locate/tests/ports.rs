//! RFC 3263 §4.2: ports and addresses, SRV ordering, IPv6.

use super::*;

#[test]
fn srv_priority_orders_hosts_and_sets_ports() {
    let zone = Zone::new()
        .srv(
            "_sip._udp.example.com",
            &[
                (30, 10, 5063, "c.example.com"),
                (10, 10, 5061, "a.example.com"),
                (20, 10, 5062, "b.example.com"),
            ],
        )
        .host("a.example.com", &["192.0.2.1"])
        .host("b.example.com", &["192.0.2.2"])
        .host("c.example.com", &["192.0.2.3"]);
    let run = locate("sip:example.com;transport=udp", &[Udp], &zone);
    assert_eq!(
        run.strings(),
        [
            "UDP 192.0.2.1:5061",
            "UDP 192.0.2.2:5062",
            "UDP 192.0.2.3:5063"
        ]
    );
    // Host lookups are asked together, in SRV order.
    assert_eq!(
        run.asked_strings()[1..],
        [
            "AAAA+A a.example.com",
            "AAAA+A b.example.com",
            "AAAA+A c.example.com"
        ]
    );
}

#[test]
fn srv_weights_decide_who_goes_first_within_a_priority() {
    let zone = Zone::new()
        .srv(
            "_sip._udp.example.com",
            &[
                (0, 10, 5060, "light.example.com"),
                (0, 90, 5060, "heavy.example.com"),
                (0, 0, 5060, "zero.example.com"),
                (1, 1000, 5060, "backup.example.com"),
            ],
        )
        .host("light.example.com", &["192.0.2.1"])
        .host("heavy.example.com", &["192.0.2.2"])
        .host("zero.example.com", &["192.0.2.3"])
        .host("backup.example.com", &["192.0.2.4"]);
    let runs = 5000u64;
    let mut first = HashMap::new();
    for seed in 0..runs {
        let run = locate_with(
            "sip:example.com;transport=udp",
            &[Udp],
            &zone,
            seed,
            LocateLimits::default(),
            Order::Asked,
        );
        let targets = run.targets();
        assert_eq!(targets.len(), 4);
        // The lower priority always comes last, whatever its weight.
        assert_eq!(targets[3].addr.to_string(), "192.0.2.4:5060");
        *first.entry(targets[0].addr.to_string()).or_insert(0u64) += 1;
    }
    let share = |addr: &str| first.get(addr).copied().unwrap_or(0) as f64 / runs as f64;
    // A draw in 0..=100; weight 0 sits first and wins only a draw of 0.
    assert!((share("192.0.2.1:5060") - 0.10).abs() < 0.03);
    assert!((share("192.0.2.2:5060") - 0.89).abs() < 0.03);
    assert!(share("192.0.2.3:5060") < 0.03);
}

#[test]
fn the_order_of_answers_does_not_change_the_result() {
    let zone = rfc3263_example();
    for seed in 0..50 {
        let a = locate_with(
            "sip:example.com",
            &[Udp, Tcp, Tls],
            &zone,
            seed,
            LocateLimits::default(),
            Order::Asked,
        );
        let b = locate_with(
            "sip:example.com",
            &[Udp, Tcp, Tls],
            &zone,
            seed,
            LocateLimits::default(),
            Order::Reversed,
        );
        assert_eq!(a.targets(), b.targets());
    }
}

#[test]
fn ipv6_and_ipv4_addresses_keep_the_answer_order() {
    let zone = Zone::new()
        .srv(
            "_sip._tcp.example.com",
            &[(0, 0, 5060, "a.example.com"), (1, 0, 5070, "b.example.com")],
        )
        .host("a.example.com", &["2001:db8::a", "192.0.2.10"])
        .host("b.example.com", &["192.0.2.11", "2001:db8::b"]);
    let run = locate("sip:example.com;transport=tcp", &[Tcp], &zone);
    assert_eq!(
        run.strings(),
        [
            "TCP [2001:db8::a]:5060",
            "TCP 192.0.2.10:5060",
            "TCP 192.0.2.11:5070",
            "TCP [2001:db8::b]:5070"
        ]
    );
}

#[test]
fn srv_root_target_means_unavailable_without_address_fallback() {
    let zone = Zone::new()
        .srv("_sip._udp.example.com", &[(0, 0, 0, ".")])
        .host("example.com", &["192.0.2.1"]);
    let run = locate("sip:example.com;transport=udp", &[Udp], &zone);
    assert_eq!(run.error(), &LocateError::ServiceUnavailable);
    assert_eq!(run.asked_strings(), ["SRV _sip._udp.example.com"]);
}

#[test]
fn an_unavailable_service_leaves_the_others() {
    let zone = Zone::new()
        .srv("_sip._tcp.example.com", &[(0, 0, 0, ".")])
        .srv("_sip._udp.example.com", &[(0, 0, 5060, "udp.example.com")])
        .host("udp.example.com", &["192.0.2.60"]);
    let run = locate("sip:example.com", &[Tcp, Udp], &zone);
    assert_eq!(run.strings(), ["UDP 192.0.2.60:5060"]);
}

#[test]
fn srv_literal_targets_and_repeated_targets() {
    let zone = Zone::new()
        .srv(
            "_sip._udp.example.com",
            &[
                (0, 0, 5060, "192.0.2.70"),
                (1, 0, 5060, "h.example.com"),
                (2, 0, 5060, "H.Example.COM."),
                (3, 0, 5060, "[2001:db8::70]"),
            ],
        )
        .host("h.example.com", &["192.0.2.70", "192.0.2.71"]);
    let run = locate("sip:example.com;transport=udp", &[Udp], &zone);
    // The literal needs no query; the same address and port appear once; a
    // bracketed target is not a host name and is dropped.
    assert_eq!(
        run.strings(),
        ["UDP 192.0.2.70:5060", "UDP 192.0.2.71:5060"]
    );
    assert_eq!(
        run.asked_strings(),
        ["SRV _sip._udp.example.com", "AAAA+A h.example.com"]
    );
}

#[test]
fn same_address_over_two_transports_is_two_targets() {
    let zone = Zone::new()
        .srv("_sip._udp.example.com", &[(0, 0, 5060, "h.example.com")])
        .srv("_sip._tcp.example.com", &[(0, 0, 5060, "h.example.com")])
        .host("h.example.com", &["192.0.2.80"]);
    let run = locate("sip:example.com", &[Udp, Tcp], &zone);
    assert_eq!(
        run.strings(),
        ["UDP 192.0.2.80:5060", "TCP 192.0.2.80:5060"]
    );
}

#[test]
fn later_service_hosts_wait_for_earlier_srv_answers() {
    // Answer the UDP SRV query (asked second) first: no host of UDP may be
    // asked before the TCP SRV answer is in.
    let uri = Uri::parse("sip:example.com").unwrap();
    let mut locator = Locator::new(&uri, &[Tcp, Udp], &mut Rng::from_seed(5)).unwrap();
    let (naptr, _) = locator.poll_query().unwrap();
    locator.handle_answer(naptr, Err(ResolveError::NoRecords));
    let (tcp, q1) = locator.poll_query().unwrap();
    let (udp, q2) = locator.poll_query().unwrap();
    assert_eq!(q1, Query::Srv("_sip._tcp.example.com".into()));
    assert_eq!(q2, Query::Srv("_sip._udp.example.com".into()));
    let records = |target: &str| {
        Ok(Answer::Srv(vec![SrvRecord {
            priority: 0,
            weight: 0,
            port: 5060,
            target: target.into(),
        }]))
    };
    locator.handle_answer(udp, records("udp.example.com"));
    assert_eq!(locator.poll_query(), None);
    locator.handle_answer(tcp, records("tcp.example.com"));
    let asked: Vec<Query> = std::iter::from_fn(|| locator.poll_query())
        .map(|(_, q)| q)
        .collect();
    assert_eq!(
        asked,
        [
            Query::Address("tcp.example.com".into()),
            Query::Address("udp.example.com".into())
        ]
    );
}

#[test]
fn sips_yields_only_secure_targets_even_when_dns_offers_others() {
    // DNS that lists only insecure services for the sips: domain.
    let zone = Zone::new()
        .naptr(
            "example.com",
            &[
                (10, 10, "SIP+D2U", "_sip._udp.example.com"),
                (20, 10, "SIP+D2T", "_sip._tcp.example.com"),
            ],
        )
        .srv("_sip._udp.example.com", &[(0, 0, 5060, "h.example.com")])
        .srv("_sip._tcp.example.com", &[(0, 0, 5060, "h.example.com")])
        .host("h.example.com", &["192.0.2.90"])
        .host("example.com", &["192.0.2.91"]);
    let run = locate("sips:example.com", &[Udp, Tcp, Tls], &zone);
    assert_eq!(run.strings(), ["TLS 192.0.2.91:5061"]);
    assert!(!run.asked_strings().iter().any(|q| q.contains("_sip.")));
}
