//! The bounds on queries and targets against hostile answers.

use super::*;

fn many_naptr(n: u16) -> Vec<(u16, u16, String, String)> {
    (0..n)
        .map(|i| {
            (
                i,
                0,
                "SIP+D2U".to_owned(),
                format!("_sip._udp{i}.example.com"),
            )
        })
        .collect()
}

#[test]
fn a_flood_of_naptr_records_is_bounded() {
    let records = many_naptr(1000);
    let borrowed: Vec<(u16, u16, &str, &str)> = records
        .iter()
        .map(|(o, p, s, r)| (*o, *p, s.as_str(), r.as_str()))
        .collect();
    let zone = Zone::new().naptr("example.com", &borrowed);
    let limits = LocateLimits::default();
    let run = locate("sip:example.com", &[Udp], &zone);
    assert!(run.asked.len() <= limits.max_queries);
    // Every SRV name is empty, and the budget is spent before the fallback.
    assert_eq!(run.error(), &LocateError::QueryLimit);
}

#[test]
fn a_flood_of_srv_records_is_bounded() {
    let records: Vec<(u16, u16, u16, String)> = (0..1000)
        .map(|i| (i % 3, i, 5060, format!("h{i}.example.com")))
        .collect();
    let borrowed: Vec<(u16, u16, u16, &str)> = records
        .iter()
        .map(|(p, w, port, t)| (*p, *w, *port, t.as_str()))
        .collect();
    let mut zone = Zone::new().srv("_sip._udp.example.com", &borrowed);
    for i in 0..1000 {
        zone = zone.host(
            &format!("h{i}.example.com"),
            &[&format!("10.0.{}.{}", i / 256, i % 256)],
        );
    }
    let limits = LocateLimits {
        max_queries: 10,
        max_targets: 5,
    };
    let run = locate_with(
        "sip:example.com;transport=udp",
        &[Udp],
        &zone,
        1,
        limits,
        Order::Asked,
    );
    assert_eq!(run.asked.len(), 10);
    assert_eq!(run.targets().len(), 5);
}

#[test]
fn a_flood_of_addresses_is_bounded() {
    let addrs: Vec<String> = (0..2000)
        .map(|i| format!("10.1.{}.{}", i / 256, i % 256))
        .collect();
    let borrowed: Vec<&str> = addrs.iter().map(String::as_str).collect();
    let zone = Zone::new().host("example.com", &borrowed);
    let run = locate("sip:example.com:5060", &[Udp], &zone);
    assert_eq!(run.targets().len(), LocateLimits::default().max_targets);
    assert_eq!(run.strings()[0], "UDP 10.1.0.0:5060");
}

#[test]
fn the_query_bound_cuts_the_least_preferred_first() {
    let zone = rfc3263_example();
    // NAPTR, two SRV, then room for one host: server1 or server2 of TCP.
    let limits = LocateLimits {
        max_queries: 4,
        max_targets: 32,
    };
    let run = locate_with(
        "sip:example.com",
        &[Udp, Tcp],
        &zone,
        3,
        limits,
        Order::Asked,
    );
    assert_eq!(run.asked.len(), 4);
    let hosts = run.asked.iter().filter(|q| matches!(q, Query::Address(_)));
    assert_eq!(hosts.count(), 1);
    assert_eq!(run.targets()[0].kind, Tcp);
}

#[test]
fn a_bound_of_zero_counts_as_one() {
    let limits = LocateLimits {
        max_queries: 0,
        max_targets: 0,
    };
    let zone = Zone::new().host("example.com", &["192.0.2.1", "192.0.2.2"]);
    let run = locate_with(
        "sip:example.com:5060",
        &[Udp],
        &zone,
        1,
        limits,
        Order::Asked,
    );
    assert_eq!(run.strings(), ["UDP 192.0.2.1:5060"]);
    let run = locate_with("sip:example.com", &[Udp], &zone, 1, limits, Order::Asked);
    assert_eq!(run.error(), &LocateError::QueryLimit);
    assert_eq!(run.asked.len(), 1);
}
