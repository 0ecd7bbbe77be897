//! RFC 3263 §4.1: choosing the transport, and the `maddr` parameter.

use super::*;
use crate::locate::next_hop;

#[test]
fn transport_parameter_wins_and_skips_naptr() {
    let zone = Zone::new()
        .srv("_sip._tcp.example.com", &[(0, 0, 5070, "sip1.example.com")])
        .host("sip1.example.com", &["192.0.2.10"]);
    let run = locate("sip:bob@example.com;transport=TCP", &[Udp, Tcp], &zone);
    assert_eq!(run.strings(), ["TCP 192.0.2.10:5070"]);
    assert_eq!(
        run.asked_strings(),
        ["SRV _sip._tcp.example.com", "AAAA+A sip1.example.com"]
    );
}

#[test]
fn transport_tls_in_a_sip_uri_uses_the_sips_service() {
    let zone = Zone::new()
        .srv("_sips._tcp.example.com", &[(0, 0, 5061, "tls.example.com")])
        .host("tls.example.com", &["192.0.2.11"]);
    let run = locate("sip:example.com;transport=tls", &[Udp, Tls], &zone);
    assert_eq!(run.strings(), ["TLS 192.0.2.11:5061"]);
}

#[test]
fn numeric_host_needs_no_dns() {
    let cases = [
        ("sip:192.0.2.1", "UDP 192.0.2.1:5060"),
        ("sip:192.0.2.1:5070", "UDP 192.0.2.1:5070"),
        ("sip:192.0.2.1;transport=tcp", "TCP 192.0.2.1:5060"),
        ("sips:192.0.2.1", "TLS 192.0.2.1:5061"),
        ("sips:192.0.2.1:5071;transport=tcp", "TLS 192.0.2.1:5071"),
        ("sip:[2001:db8::1]", "UDP [2001:db8::1]:5060"),
        ("sips:bob@[2001:db8::1]:5999", "TLS [2001:db8::1]:5999"),
        ("sip:[2001:db8::1];transport=ws", "WS [2001:db8::1]:80"),
    ];
    for (uri, want) in cases {
        let run = locate(uri, &[Udp, Tcp, Tls, Ws], &Zone::new());
        assert_eq!(run.strings(), [want], "{uri}");
        assert!(run.asked.is_empty(), "{uri}");
    }
}

#[test]
fn numeric_host_without_udp_takes_the_preferred_transport() {
    let run = locate("sip:192.0.2.1", &[Tcp, Tls], &Zone::new());
    assert_eq!(run.strings(), ["TCP 192.0.2.1:5060"]);
}

#[test]
fn explicit_port_means_udp_and_addresses_only() {
    let zone = Zone::new()
        .naptr(
            "example.com",
            &[(10, 10, "SIP+D2T", "_sip._tcp.example.com")],
        )
        .host("example.com", &["192.0.2.5"]);
    let run = locate("sip:example.com:5080", &[Tcp, Udp], &zone);
    assert_eq!(run.strings(), ["UDP 192.0.2.5:5080"]);
    assert_eq!(run.asked_strings(), ["AAAA+A example.com"]);

    let run = locate("sips:example.com:5081", &[Udp, Tcp, Tls], &zone);
    assert_eq!(run.strings(), ["TLS 192.0.2.5:5081"]);

    let run = locate("sip:example.com:5082;transport=tcp", &[Udp, Tcp], &zone);
    assert_eq!(run.strings(), ["TCP 192.0.2.5:5082"]);
    assert_eq!(run.asked_strings(), ["AAAA+A example.com"]);
}

#[test]
fn rfc3263_example_picks_tcp_when_tls_is_not_supported() {
    let run = locate("sip:user@example.com", &[Udp, Tcp], &rfc3263_example());
    let targets = run.targets();
    // TCP first (the most preferred supported service), then UDP.
    assert!(targets[..3].iter().all(|t| t.kind == Tcp), "{targets:?}");
    assert!(targets[3..].iter().all(|t| t.kind == Udp), "{targets:?}");
    assert_eq!(targets.len(), 6);
    assert_eq!(
        run.asked_strings()[..3],
        [
            "NAPTR example.com",
            "SRV _sip._tcp.example.com",
            "SRV _sip._udp.example.com."
        ]
    );
    assert!(!run.asked_strings().iter().any(|q| q.contains("_sips")));
    assert!(!run.asked_strings().iter().any(|q| q.contains("server3")));
    // server2's addresses stay together, in the answer's order.
    let strings = run.strings();
    let v4 = strings
        .iter()
        .position(|s| s == "TCP 192.0.2.2:5060")
        .unwrap();
    assert_eq!(strings[v4 + 1], "TCP [2001:db8::2]:5060");
}

#[test]
fn rfc3263_example_with_tls_prefers_tls_even_for_sip() {
    let run = locate("sip:user@example.com", &[Udp, Tcp, Tls], &rfc3263_example());
    let strings = run.strings();
    assert_eq!(strings[0], "TLS 192.0.2.3:5061");
    assert_eq!(strings.len(), 7);
}

#[test]
fn rfc3263_example_weights_favour_server2() {
    let zone = rfc3263_example();
    let runs = 4000;
    let mut server2_first = 0;
    for seed in 0..runs {
        let run = locate_with(
            "sip:user@example.com",
            &[Udp, Tcp],
            &zone,
            seed,
            LocateLimits::default(),
            Order::Asked,
        );
        if run.targets()[0].addr.ip().to_string() == "192.0.2.2" {
            server2_first += 1;
        }
    }
    // Weights 1 and 2, a draw in 0..=3: server2 wins draws 2 and 3 when
    // shuffled second and 0 to 2 when shuffled first, so 5 chances in 8.
    let share = f64::from(server2_first) / runs as f64;
    assert!((share - 0.625).abs() < 0.05, "{share}");
}

#[test]
fn sips_keeps_only_sips_naptr_services() {
    let run = locate(
        "sips:user@example.com",
        &[Udp, Tcp, Tls],
        &rfc3263_example(),
    );
    assert_eq!(run.strings(), ["TLS 192.0.2.3:5061"]);
    assert!(run.asked_strings().iter().all(|q| !q.contains("_sip.")));
}

#[test]
fn naptr_order_then_preference() {
    let zone = Zone::new()
        .naptr(
            "example.org",
            &[
                (20, 10, "SIP+D2U", "_sip._udp.example.org"),
                (10, 90, "SIP+D2U", "_udp-late.example.org"),
                (10, 20, "SIP+D2T", "_sip._tcp.example.org"),
            ],
        )
        .srv("_sip._udp.example.org", &[(0, 0, 1001, "h.example.org")])
        .srv("_udp-late.example.org", &[(0, 0, 1002, "h.example.org")])
        .srv("_sip._tcp.example.org", &[(0, 0, 1003, "h.example.org")])
        .host("h.example.org", &["192.0.2.7"]);
    let run = locate("sip:example.org", &[Udp, Tcp], &zone);
    assert_eq!(
        run.strings(),
        [
            "TCP 192.0.2.7:1003",
            "UDP 192.0.2.7:1002",
            "UDP 192.0.2.7:1001"
        ]
    );
    // One address query serves every SRV record naming the host.
    assert_eq!(
        run.asked
            .iter()
            .filter(|q| matches!(q, Query::Address(_)))
            .count(),
        1
    );
}

#[test]
fn unusable_naptr_falls_back_to_srv() {
    let zone = Zone::new()
        .naptr(
            "example.com",
            &[(10, 10, "SIP+D2S", "_sip._sctp.example.com")],
        )
        .srv("_sip._udp.example.com", &[(0, 0, 5060, "udp.example.com")])
        .host("udp.example.com", &["192.0.2.20"]);
    let run = locate("sip:example.com", &[Udp, Tcp], &zone);
    assert_eq!(run.strings(), ["UDP 192.0.2.20:5060"]);
    assert_eq!(
        run.asked_strings()[..3],
        [
            "NAPTR example.com",
            "SRV _sip._udp.example.com",
            "SRV _sip._tcp.example.com"
        ]
    );
}

#[test]
fn no_naptr_queries_srv_for_each_supported_transport_in_preference_order() {
    let zone = Zone::new()
        .srv("_sips._tcp.example.com", &[(0, 0, 5061, "h.example.com")])
        .srv("_sip._tcp.example.com", &[(0, 0, 5060, "h.example.com")])
        .srv("_sip._udp.example.com", &[(0, 0, 5060, "h.example.com")])
        .host("h.example.com", &["192.0.2.30"]);
    let run = locate("sip:example.com", &[Tls, Tcp, Udp], &zone);
    assert_eq!(
        run.asked_strings(),
        [
            "NAPTR example.com",
            "SRV _sips._tcp.example.com",
            "SRV _sip._tcp.example.com",
            "SRV _sip._udp.example.com",
            "AAAA+A h.example.com"
        ]
    );
    assert_eq!(
        run.strings(),
        [
            "TLS 192.0.2.30:5061",
            "TCP 192.0.2.30:5060",
            "UDP 192.0.2.30:5060"
        ]
    );

    let run = locate("sip:example.com", &[Udp, Tcp], &zone);
    assert_eq!(
        run.strings(),
        ["UDP 192.0.2.30:5060", "TCP 192.0.2.30:5060"]
    );
    assert!(!run.asked_strings().iter().any(|q| q.contains("_sips")));
}

#[test]
fn no_naptr_sips_asks_only_for_tls() {
    let zone = Zone::new()
        .srv("_sips._tcp.example.com", &[(0, 0, 5061, "h.example.com")])
        .srv("_sip._udp.example.com", &[(0, 0, 5060, "h.example.com")])
        .host("h.example.com", &["192.0.2.31"]);
    let run = locate("sips:example.com", &[Udp, Tcp, Tls, Ws], &zone);
    assert_eq!(run.strings(), ["TLS 192.0.2.31:5061"]);
    assert_eq!(
        run.asked_strings(),
        [
            "NAPTR example.com",
            "SRV _sips._tcp.example.com",
            "AAAA+A h.example.com"
        ]
    );
}

#[test]
fn no_srv_falls_back_to_addresses_at_the_default_port() {
    let zone = Zone::new().host("example.com", &["2001:db8::40", "192.0.2.40"]);
    let run = locate("sip:example.com", &[Udp, Tcp], &zone);
    assert_eq!(
        run.strings(),
        ["UDP [2001:db8::40]:5060", "UDP 192.0.2.40:5060"]
    );
    assert_eq!(
        run.asked.last(),
        Some(&Query::Address("example.com".into()))
    );

    let run = locate("sips:example.com", &[Udp, Tls], &zone);
    assert_eq!(
        run.strings(),
        ["TLS [2001:db8::40]:5061", "TLS 192.0.2.40:5061"]
    );
}

#[test]
fn naptr_without_srv_falls_back_with_the_naptr_transport() {
    let zone = Zone::new()
        .naptr(
            "example.com",
            &[(10, 10, "SIP+D2T", "_sip._tcp.example.com")],
        )
        .host("example.com", &["192.0.2.41"]);
    let run = locate("sip:example.com", &[Udp, Tcp], &zone);
    assert_eq!(run.strings(), ["TCP 192.0.2.41:5060"]);
}

#[test]
fn transport_without_srv_falls_back_to_its_default_port() {
    let zone = Zone::new().host("example.com", &["192.0.2.42"]);
    let run = locate("sip:example.com;transport=tls", &[Tls], &zone);
    assert_eq!(run.strings(), ["TLS 192.0.2.42:5061"]);
    let run = locate("sip:example.com;transport=ws", &[Ws], &zone);
    assert_eq!(run.strings(), ["WS 192.0.2.42:80"]);
    assert_eq!(run.asked_strings()[0], "SRV _sip._ws.example.com");
    let run = locate("sips:example.com;transport=ws", &[Ws, Wss], &zone);
    assert_eq!(run.strings(), ["WSS 192.0.2.42:443"]);
    assert_eq!(run.asked_strings()[0], "SRV _sips._ws.example.com");
}

#[test]
fn websocket_naptr_services() {
    let zone = Zone::new()
        .naptr(
            "example.com",
            &[
                (10, 10, "SIPS+D2W", "_sips._ws.example.com"),
                (20, 10, "SIP+D2W", "_sip._ws.example.com"),
            ],
        )
        .srv("_sips._ws.example.com", &[(0, 0, 443, "ws.example.com")])
        .srv("_sip._ws.example.com", &[(0, 0, 80, "ws.example.com")])
        .host("ws.example.com", &["192.0.2.50"]);
    let run = locate("sip:example.com", &[Ws, Wss], &zone);
    assert_eq!(run.strings(), ["WSS 192.0.2.50:443", "WS 192.0.2.50:80"]);
    let run = locate("sip:example.com", &[Ws], &zone);
    assert_eq!(run.strings(), ["WS 192.0.2.50:80"]);
    let run = locate("sips:example.com", &[Ws, Wss], &zone);
    assert_eq!(run.strings(), ["WSS 192.0.2.50:443"]);
}

#[test]
fn a_websocket_only_stack_without_naptr_uses_the_domain() {
    let zone = Zone::new().host("example.com", &["192.0.2.51"]);
    let run = locate("sip:example.com", &[Ws], &zone);
    assert_eq!(run.strings(), ["WS 192.0.2.51:80"]);
    assert_eq!(
        run.asked_strings(),
        ["NAPTR example.com", "AAAA+A example.com"]
    );
}

#[test]
fn errors_found_before_any_query() {
    let zone = Zone::new();
    let cases: [(&str, &[TransportKind], LocateError); 7] = [
        (
            "tel:+15551234567",
            &[Udp],
            LocateError::NotSip {
                scheme: "tel".into(),
            },
        ),
        ("sip:example.com", &[], LocateError::NoTransport),
        (
            "sips:example.com",
            &[Udp, Tcp, Ws],
            LocateError::NoSecureTransport,
        ),
        (
            "sip:example.com;transport=sctp",
            &[Udp, Tcp],
            LocateError::UnsupportedTransport {
                transport: "sctp".into(),
            },
        ),
        (
            "sip:example.com;transport=tcp",
            &[Udp],
            LocateError::UnsupportedTransport {
                transport: "tcp".into(),
            },
        ),
        (
            "sips:example.com;transport=udp",
            &[Udp, Tls],
            LocateError::InsecureTransport { transport: Udp },
        ),
        (
            "sip:example.com;maddr=not_a_host!",
            &[Udp],
            LocateError::InvalidMaddr {
                maddr: "not_a_host!".into(),
            },
        ),
    ];
    for (uri, kinds, want) in cases {
        let run = locate(uri, kinds, &zone);
        assert_eq!(run.error(), &want, "{uri}");
        assert!(!want.is_transient());
    }
}

#[test]
fn maddr_overrides_the_host() {
    let zone = Zone::new()
        .naptr(
            "proxy.example.net",
            &[(1, 1, "SIP+D2T", "_sip._tcp.proxy.example.net")],
        )
        .srv(
            "_sip._tcp.proxy.example.net",
            &[(0, 0, 5090, "p1.example.net")],
        )
        .host("p1.example.net", &["198.51.100.1"]);
    let cases = [
        ("sip:bob@example.com;maddr=192.0.2.9", "UDP 192.0.2.9:5060"),
        (
            "sip:bob@example.com:5071;maddr=192.0.2.9",
            "UDP 192.0.2.9:5071",
        ),
        (
            "sip:bob@example.com;maddr=[2001:db8::9];transport=tcp",
            "TCP [2001:db8::9]:5060",
        ),
        (
            "sip:bob@example.com;maddr=2001:db8::9",
            "UDP [2001:db8::9]:5060",
        ),
        ("sips:bob@example.com;maddr=192.0.2.9", "TLS 192.0.2.9:5061"),
        (
            "sip:bob@example.com;maddr=proxy.example.net",
            "TCP 198.51.100.1:5090",
        ),
    ];
    for (uri, want) in cases {
        let run = locate(uri, &[Udp, Tcp, Tls], &zone);
        assert_eq!(run.strings(), [want], "{uri}");
        assert!(
            run.asked.iter().all(|q| !q.name().contains("example.com")),
            "{uri}: {:?}",
            run.asked
        );
    }
}

#[test]
fn server_name_is_the_domain_located() {
    let mut rng = Rng::from_seed(1);
    let uri = Uri::parse("sips:bob@Example.com").unwrap();
    let locator = Locator::new(&uri, &[Tls], &mut rng).unwrap();
    assert_eq!(locator.server_name(), Some("Example.com"));
    assert!(locator.is_secure());
    let uri = Uri::parse("sip:bob@example.com;maddr=proxy.example.net").unwrap();
    let locator = Locator::new(&uri, &[Udp], &mut rng).unwrap();
    assert_eq!(locator.server_name(), Some("proxy.example.net"));
    let uri = Uri::parse("sip:bob@192.0.2.1").unwrap();
    let locator = Locator::new(&uri, &[Udp], &mut rng).unwrap();
    assert_eq!(locator.server_name(), None);
    assert!(locator.is_finished());
    assert_eq!(locator.queries_asked(), 0);
}

#[test]
fn next_hop_prefers_a_loose_first_route() {
    let ruri = Uri::parse("sip:bob@example.com").unwrap();
    let loose = Uri::parse("sip:proxy.example.net;lr").unwrap();
    let strict = Uri::parse("sip:proxy.example.net").unwrap();
    let tel = Uri::parse("tel:+15551234567").unwrap();
    assert_eq!(next_hop(&ruri, Some(&loose)), &loose);
    assert_eq!(next_hop(&ruri, Some(&strict)), &ruri);
    assert_eq!(next_hop(&ruri, Some(&tel)), &ruri);
    assert_eq!(next_hop(&ruri, None), &ruri);
}
