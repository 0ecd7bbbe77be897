//! Two SIP stacks in one process, on loopback: one sends OPTIONS over UDP and
//! over TCP, the other answers 200 OK from a worker thread. Prints the flow as
//! it happens and exits non-zero if an answer is missing.
//!
//! ```text
//! cargo run -p ferrosip --example options_ping
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ferrosip::runtime::Runtime;
use sip::uri::Uri;
use sip::{Address, Message, Method, StatusCode};
use sip_core::stack::{Event, StackConfig};
use sip_core::transport::{Target, TransportKind};

fn first_line(message: &Message) -> String {
    match (message.method(), message.status()) {
        (Some(m), _) => format!("{m} {}", message.request_uri_str().unwrap_or("")),
        (None, Some(s)) => format!("{s} {}", message.reason().unwrap_or("")),
        (None, None) => String::new(),
    }
}

fn main() {
    let start = Instant::now();
    let stamp = move || format!("{:>7.3} ms", start.elapsed().as_secs_f64() * 1000.0);

    let bob = Runtime::new(StackConfig::default()).expect("a runtime");
    let mut ports = Vec::new();
    for kind in [TransportKind::Udp, TransportKind::Tcp] {
        let (_, addr) = bob
            .add_transport(kind, "127.0.0.1:0".parse().expect("an address"))
            .expect("a loopback socket");
        println!("bob listens on {kind} {addr}");
        ports.push((kind, addr));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let bob = bob.clone();
        let stop = stop.clone();
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for event in bob.run_once(Duration::from_millis(20)) {
                    if let Event::Request {
                        transaction: Some(tx),
                        request,
                        source,
                    } = event
                    {
                        println!(
                            "{}  bob   <- {} ({} from {})",
                            stamp(),
                            first_line(&request),
                            source.kind,
                            source.remote
                        );
                        let ok = Message::response_to(&request, StatusCode::OK)
                            .to_tag("bob-tag")
                            .header(
                                sip::header::HeaderName::Allow,
                                "INVITE, ACK, CANCEL, BYE, OPTIONS",
                            )
                            .build()
                            .expect("a response");
                        println!("{}  bob   -> 200 OK", stamp());
                        bob.with_stack(|stack, now| stack.respond(now, tx, &ok))
                            .expect("the transaction exists");
                    }
                }
            }
        })
    };

    let alice = Runtime::new(StackConfig::default()).expect("a runtime");
    for kind in [TransportKind::Udp, TransportKind::Tcp] {
        alice
            .add_transport(kind, "127.0.0.1:0".parse().expect("an address"))
            .expect("a loopback socket");
    }
    let mut answered = 0;
    for (n, (kind, addr)) in ports.iter().enumerate() {
        let text = format!(
            "sip:bob@{addr};transport={}",
            kind.via_name().to_lowercase()
        );
        let uri = Uri::parse(&text).expect("a URI");
        let mut from = Address::parse("\"Alice\" <sip:alice@127.0.0.1>").expect("an address");
        from.params.push("tag", Some("alice-tag"));
        let options = Message::request(Method::Options, &uri)
            .from(&from)
            .to(&Address::new(uri.clone()))
            .call_id(&format!("options-ping-{n}@127.0.0.1"))
            .cseq(1)
            .build()
            .expect("a request");
        println!("{}  alice -> {} over {kind}", stamp(), first_line(&options));
        let target = Target {
            kind: *kind,
            addr: *addr,
        };
        alice
            .with_stack(|stack, now| stack.send_request(now, options, target))
            .expect("a transport");
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut got = false;
        while !got && Instant::now() < deadline {
            for event in alice.run_once(Duration::from_millis(20)) {
                if let Event::Response { response, .. } = event {
                    println!("{}  alice <- {}", stamp(), first_line(&response));
                    got = response.status() == Some(StatusCode::OK);
                }
            }
        }
        answered += usize::from(got);
    }
    stop.store(true, Ordering::Relaxed);
    let _ = worker.join();
    println!("{answered} of {} OPTIONS answered", ports.len());
    if answered != ports.len() {
        std::process::exit(1);
    }
}
