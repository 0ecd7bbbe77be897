//! Two runtimes in one process exchange OPTIONS over real loopback sockets:
//! UDP and TCP, IPv4 and IPv6; one answers from a worker thread, the other
//! drives itself with `run_once` on the test's thread (PJSUA2's
//! `libHandleEvents` model).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ferrosip::runtime::Runtime;
use sip::uri::Uri;
use sip::{Address, Message, Method, StatusCode};
use sip_core::stack::{Event, StackConfig};
use sip_core::transaction::Termination;
use sip_core::transport::{Target, TransportKind};

/// A runtime answering 200 OK to every request from a worker thread.
struct Answerer {
    runtime: Runtime,
    stop: Arc<AtomicBool>,
    worker: Option<thread::JoinHandle<usize>>,
}

impl Answerer {
    fn start(kind: TransportKind, bind: &str) -> (Self, SocketAddr) {
        let mut config = StackConfig::default();
        config.seed = 2;
        let runtime = Runtime::new(config).unwrap();
        let (_, local) = runtime.add_transport(kind, bind.parse().unwrap()).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let runtime = runtime.clone();
            let stop = stop.clone();
            thread::spawn(move || {
                let mut answered = 0;
                while !stop.load(Ordering::Relaxed) {
                    for event in runtime.run_once(Duration::from_millis(20)) {
                        if let Event::Request {
                            transaction: Some(tx),
                            request,
                            ..
                        } = event
                        {
                            let ok = Message::response_to(&request, StatusCode::OK)
                                .to_tag("answerer")
                                .build()
                                .unwrap();
                            runtime
                                .with_stack(|stack, now| stack.respond(now, tx, &ok))
                                .unwrap();
                            answered += 1;
                        }
                    }
                }
                answered
            })
        };
        (
            Self {
                runtime,
                stop,
                worker: Some(worker),
            },
            local,
        )
    }

    fn stop(mut self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        let answered = self.worker.take().unwrap().join().unwrap();
        drop(self.runtime);
        answered
    }
}

fn options(to: SocketAddr, n: usize) -> Message {
    let text = format!("sip:bob@{to}");
    let uri = Uri::parse(&text).unwrap();
    let mut from = Address::parse("<sip:alice@localhost>").unwrap();
    from.params.push("tag", Some("a1"));
    Message::request(Method::Options, &uri)
        .from(&from)
        .to(&Address::new(uri.clone()))
        .call_id(&format!("loopback-{n}@localhost"))
        .cseq(1)
        .build()
        .unwrap()
}

/// Sends `count` OPTIONS from a fresh runtime and waits for every 200.
fn exchange(kind: TransportKind, bind: &str, count: usize) {
    let (answerer, remote) = Answerer::start(kind, bind);
    let mut config = StackConfig::default();
    config.seed = 1;
    let caller = Runtime::new(config).unwrap();
    caller.add_transport(kind, bind.parse().unwrap()).unwrap();
    let target = Target { kind, addr: remote };
    for n in 0..count {
        caller
            .with_stack(|stack, now| stack.send_request(now, options(remote, n), target))
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let (mut ok, mut ended) = (0, 0);
    while ended < count && Instant::now() < deadline {
        for event in caller.run_once(Duration::from_millis(50)) {
            match event {
                Event::Response { response, .. } => {
                    assert_eq!(response.status(), Some(StatusCode::OK));
                    ok += 1;
                }
                Event::ClientTransactionEnded { termination, .. } => {
                    assert_eq!(termination, Termination::Completed);
                    ended += 1;
                }
                other => panic!("unexpected {other:?}"),
            }
            // Over UDP the client transaction lingers for Timer K (T4); the
            // test only needs the responses.
            if kind == TransportKind::Udp && ok == count {
                ended = count;
            }
        }
    }
    assert_eq!(ok, count, "{kind} responses");
    assert_eq!(answerer.stop(), count);
}

#[test]
fn options_over_udp_ipv4() {
    exchange(TransportKind::Udp, "127.0.0.1:0", 20);
}

#[test]
fn options_over_tcp_ipv4() {
    exchange(TransportKind::Tcp, "127.0.0.1:0", 20);
}

#[test]
fn options_over_udp_ipv6() {
    if std::net::UdpSocket::bind("[::1]:0").is_err() {
        // No IPv6 loopback on this host; under CI it must exist.
        assert!(
            std::env::var("CI").is_err(),
            "IPv6 loopback missing under CI"
        );
        return;
    }
    exchange(TransportKind::Udp, "[::1]:0", 5);
}

#[test]
fn options_over_tcp_ipv6() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        assert!(
            std::env::var("CI").is_err(),
            "IPv6 loopback missing under CI"
        );
        return;
    }
    exchange(TransportKind::Tcp, "[::1]:0", 5);
}

#[test]
fn unreachable_tcp_peer_is_a_transport_error() {
    // A port nobody listens on: the connect is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let remote = closed.local_addr().unwrap();
    drop(closed);
    let caller = Runtime::new(StackConfig::default()).unwrap();
    caller
        .add_transport(TransportKind::Tcp, "127.0.0.1:0".parse().unwrap())
        .unwrap();
    let target = Target {
        kind: TransportKind::Tcp,
        addr: remote,
    };
    caller
        .with_stack(|stack, now| stack.send_request(now, options(remote, 0), target))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut result = None;
    while result.is_none() && Instant::now() < deadline {
        for event in caller.run_once(Duration::from_millis(50)) {
            if let Event::ClientTransactionEnded { termination, .. } = event {
                result = Some(termination);
            }
        }
    }
    assert_eq!(result, Some(Termination::TransportError));
}

/// A request to a name: the stack asks DNS (here the hosts file says what
/// `localhost` is) through the runtime's resolver thread, then sends.
#[test]
fn request_to_a_name_is_located_through_dns() {
    let (answerer, remote) = Answerer::start(TransportKind::Udp, "127.0.0.1:0");
    let caller = Runtime::new(StackConfig::default()).unwrap();
    caller
        .add_transport(TransportKind::Udp, "127.0.0.1:0".parse().unwrap())
        .unwrap();
    let text = format!("sip:bob@localhost:{}", remote.port());
    let uri = Uri::parse(&text).unwrap();
    let mut from = Address::parse("<sip:alice@localhost>").unwrap();
    from.params.push("tag", Some("a2"));
    let request = Message::request(Method::Options, &uri)
        .from(&from)
        .to(&Address::new(uri.clone()))
        .call_id("located@localhost")
        .cseq(1)
        .build()
        .unwrap();
    caller
        .with_stack(|stack, now| stack.send_request_located(now, request))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut status = None;
    while status.is_none() && Instant::now() < deadline {
        for event in caller.run_once(Duration::from_millis(50)) {
            match event {
                Event::Response { response, .. } => status = response.status(),
                Event::LocationFailed { error, .. } => panic!("location failed: {error}"),
                _ => {}
            }
        }
    }
    assert_eq!(status, Some(StatusCode::OK));
    assert_eq!(answerer.stop(), 1);
}
