//! The kamailio harness against the real kamailio: it starts, answers OPTIONS,
//! challenges REGISTER, accepts a hand-computed digest over UDP and TCP,
//! enforces the registration lifetimes it was given, relays MESSAGE and
//! proxies INVITE between registered users, and frees its port when dropped.
//!
//! Each test skips (or fails under `CI=true`) when kamailio is not installed:
//! run `scripts/install-peers`.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use interop::{Kamailio, KamailioOptions};
use md5::{Digest, Md5};
use sip::header::{Challenge, MinExpires, ProxyAuthenticate, WwwAuthenticate};
use sip::stream::{StreamFramer, StreamItem};
use sip::{Message, StatusCode};

/// How long to wait for any one message.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Starts kamailio with `options`, or `None` when the test is to be skipped.
fn start(options: KamailioOptions) -> Option<Kamailio> {
    if !interop::require("kamailio", Kamailio::is_installed()) {
        return None;
    }
    Some(options.start().expect("kamailio starts"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Udp,
    Tcp,
}

/// A bare-hands SIP client on one socket: the tests write requests as text.
struct Client {
    transport: Transport,
    udp: Option<UdpSocket>,
    tcp: Option<(TcpStream, StreamFramer)>,
    local: SocketAddr,
    server: SocketAddr,
    next_branch: u32,
}

impl Client {
    fn new(transport: Transport, server: SocketAddr) -> Self {
        let (udp, tcp, local) = match transport {
            Transport::Udp => {
                let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
                socket.set_read_timeout(Some(TIMEOUT)).unwrap();
                let local = socket.local_addr().unwrap();
                (Some(socket), None, local)
            }
            Transport::Tcp => {
                let stream = TcpStream::connect(server).unwrap();
                stream.set_read_timeout(Some(TIMEOUT)).unwrap();
                let local = stream.local_addr().unwrap();
                (None, Some((stream, StreamFramer::new())), local)
            }
        };
        Self {
            transport,
            udp,
            tcp,
            local,
            server,
            next_branch: 0,
        }
    }

    fn proto(&self) -> &'static str {
        match self.transport {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
        }
    }

    /// A Via for a new client transaction.
    fn via(&mut self) -> String {
        self.next_branch += 1;
        format!(
            "SIP/2.0/{} {};branch=z9hG4bK-test-{}-{};rport",
            self.proto(),
            self.local,
            self.local.port(),
            self.next_branch
        )
    }

    /// This client's contact for `user`.
    fn contact(&self, user: &str) -> String {
        match self.transport {
            Transport::Udp => format!("sip:{user}@{}", self.local),
            Transport::Tcp => format!("sip:{user}@{};transport=tcp", self.local),
        }
    }

    fn send(&mut self, message: &[u8]) {
        match (&self.udp, &mut self.tcp) {
            (Some(socket), _) => {
                socket.send_to(message, self.server).unwrap();
            }
            (None, Some((stream, _))) => stream.write_all(message).unwrap(),
            (None, None) => unreachable!(),
        }
    }

    /// The next message, or a panic after [`TIMEOUT`].
    fn recv(&mut self) -> Message {
        let mut buf = vec![0u8; 65536];
        match (&self.udp, &mut self.tcp) {
            (Some(socket), _) => {
                let (len, _) = socket.recv_from(&mut buf).expect("a message within 5 s");
                Message::parse(&buf[..len]).expect("kamailio sends valid SIP")
            }
            (None, Some((stream, framer))) => loop {
                while let Some(item) = framer.poll() {
                    match item.expect("kamailio frames messages correctly") {
                        StreamItem::Message(message) => return message,
                        StreamItem::KeepAlivePing | StreamItem::KeepAlivePong => {}
                        StreamItem::Invalid { error, .. } => panic!("invalid message: {error}"),
                    }
                }
                let len = stream.read(&mut buf).expect("a message within 5 s");
                assert!(len > 0, "kamailio closed the connection");
                framer.push(&buf[..len]);
            },
            (None, None) => unreachable!(),
        }
    }

    /// Panics if a message arrives within `wait` (UDP only).
    fn expect_silence(&mut self, wait: Duration) {
        let socket = self.udp.as_ref().expect("a UDP client");
        socket.set_read_timeout(Some(wait)).unwrap();
        let mut buf = vec![0u8; 65536];
        if let Ok((len, _)) = socket.recv_from(&mut buf) {
            panic!(
                "unexpected message:\n{}",
                String::from_utf8_lossy(&buf[..len])
            );
        }
        socket.set_read_timeout(Some(TIMEOUT)).unwrap();
    }

    /// The next final response (1xx skipped).
    fn recv_final(&mut self) -> Message {
        loop {
            let message = self.recv();
            let status = message.status().expect("a response");
            if status.code() >= 200 {
                return message;
            }
        }
    }
}

/// A REGISTER of `user` binding `contact`, with an optional Expires header and
/// Authorization header value.
fn register(
    client: &mut Client,
    user: &str,
    cseq: u32,
    contact: &str,
    expires: Option<u32>,
    authorization: Option<&str>,
) -> Vec<u8> {
    let via = client.via();
    let mut text = format!(
        "REGISTER sip:127.0.0.1 SIP/2.0\r\n\
         Via: {via}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:{user}@127.0.0.1>;tag=reg-{user}\r\n\
         To: <sip:{user}@127.0.0.1>\r\n\
         Call-ID: reg-{user}-{}@127.0.0.1\r\n\
         CSeq: {cseq} REGISTER\r\n\
         Contact: <{contact}>\r\n\
         User-Agent: ferrosip-interop-test\r\n",
        client.local.port()
    );
    if let Some(expires) = expires {
        text.push_str(&format!("Expires: {expires}\r\n"));
    }
    if let Some(authorization) = authorization {
        text.push_str(&format!("Authorization: {authorization}\r\n"));
    }
    text.push_str("Content-Length: 0\r\n\r\n");
    text.into_bytes()
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Digest credentials (RFC 2617 §3.2.2) answering `challenge`, computed by
/// hand: MD5, with `qop=auth` when the challenge offers it.
fn credentials(
    challenge: &Challenge<'_>,
    user: &str,
    password: &str,
    method: &str,
    uri: &str,
) -> String {
    assert!(challenge.is_digest(), "a Digest challenge: {challenge}");
    let realm = challenge.realm().expect("a realm");
    let nonce = challenge.nonce().expect("a nonce");
    let ha1 = md5_hex(&format!("{user}:{realm}:{password}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let mut value = format!(
        "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm=MD5"
    );
    let qop_auth = challenge
        .qop_options()
        .any(|q| q.eq_ignore_ascii_case("auth"));
    let response = if qop_auth {
        let (nc, cnonce) = ("00000001", "0a4f113b");
        value.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
        md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"))
    } else {
        md5_hex(&format!("{ha1}:{nonce}:{ha2}"))
    };
    value.push_str(&format!(", response=\"{response}\""));
    if let Some(opaque) = challenge.opaque() {
        value.push_str(&format!(", opaque=\"{opaque}\""));
    }
    value
}

fn www_challenge(response: &Message) -> Challenge<'static> {
    let header = response
        .typed::<WwwAuthenticate<'_>>()
        .expect("a WWW-Authenticate header")
        .expect("a valid WWW-Authenticate header");
    header.0.into_owned()
}

fn proxy_challenge(response: &Message) -> Challenge<'static> {
    let header = response
        .typed::<ProxyAuthenticate<'_>>()
        .expect("a Proxy-Authenticate header")
        .expect("a valid Proxy-Authenticate header");
    header.0.into_owned()
}

fn code(message: &Message) -> u16 {
    message.status().expect("a response").code()
}

/// Registers `user` with `password` from `client`: 401, then 200. Returns the
/// 200.
fn register_ok(client: &mut Client, user: &str, password: &str, expires: Option<u32>) -> Message {
    let contact = client.contact(user);
    let request = register(client, user, 1, &contact, expires, None);
    client.send(&request);
    let challenge = client.recv_final();
    assert_eq!(code(&challenge), 401, "{challenge:?}");
    let auth = credentials(
        &www_challenge(&challenge),
        user,
        password,
        "REGISTER",
        "sip:127.0.0.1",
    );
    let request = register(client, user, 2, &contact, expires, Some(&auth));
    client.send(&request);
    let ok = client.recv_final();
    assert_eq!(code(&ok), 200, "{ok:?}");
    ok
}

#[test]
fn answers_options_over_udp() {
    let Some(kamailio) = start(Kamailio::options()) else {
        return;
    };
    assert!(kamailio.addr().ip().is_loopback());
    assert_eq!(kamailio.domain(), "127.0.0.1");
    let mut client = Client::new(Transport::Udp, kamailio.addr());
    let via = client.via();
    let request = format!(
        "OPTIONS sip:{} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\n\
         From: <sip:alice@127.0.0.1>;tag=o1\r\nTo: <sip:127.0.0.1>\r\n\
         Call-ID: options-1@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
        kamailio.addr()
    );
    client.send(request.as_bytes());
    let response = client.recv();
    assert_eq!(response.status(), Some(StatusCode::OK));
    assert_eq!(
        response.call_id().unwrap().to_string(),
        "options-1@127.0.0.1"
    );
    assert!(
        kamailio.log().contains("REQUEST OPTIONS"),
        "{}",
        kamailio.log()
    );
    assert!(kamailio.run_dir().join("kamailio.cfg").is_file());
}

fn registers_with_digest(transport: Transport) {
    let Some(kamailio) = start(Kamailio::options()) else {
        return;
    };
    let mut client = Client::new(transport, kamailio.addr());
    let contact = client.contact("alice");

    // No credentials: a digest challenge for the domain, without qop.
    let request = register(&mut client, "alice", 1, &contact, Some(300), None);
    client.send(&request);
    let response = client.recv_final();
    assert_eq!(code(&response), 401, "{response:?}");
    let challenge = www_challenge(&response);
    assert!(challenge.is_digest());
    assert_eq!(challenge.realm().as_deref(), Some("127.0.0.1"));
    assert!(!challenge.nonce().unwrap_or_default().is_empty());
    assert_eq!(challenge.qop_options().count(), 0, "{challenge}");
    assert!(kamailio.contacts("alice").unwrap().is_empty());

    // A wrong password is refused.
    let wrong = credentials(
        &challenge,
        "alice",
        "not-alicepw",
        "REGISTER",
        "sip:127.0.0.1",
    );
    let request = register(&mut client, "alice", 2, &contact, Some(300), Some(&wrong));
    client.send(&request);
    let response = client.recv_final();
    assert!(matches!(code(&response), 401 | 403), "{response:?}");
    assert!(kamailio.contacts("alice").unwrap().is_empty());

    // The right one registers the contact.
    let right = credentials(&challenge, "alice", "alicepw", "REGISTER", "sip:127.0.0.1");
    let request = register(&mut client, "alice", 3, &contact, Some(300), Some(&right));
    client.send(&request);
    let response = client.recv_final();
    assert_eq!(code(&response), 200, "{response:?}\n{}", kamailio.log());
    let granted: Vec<String> = response.contacts().map(|c| c.to_string()).collect();
    assert_eq!(granted.len(), 1, "{granted:?}");
    assert!(
        granted[0].contains(&contact) && granted[0].contains("expires=300"),
        "{granted:?}"
    );

    assert_eq!(kamailio.contacts("alice").unwrap(), vec![contact.clone()]);
    assert_eq!(
        kamailio.contacts("sip:alice@127.0.0.1").unwrap(),
        vec![contact.clone()]
    );
    let bindings = kamailio.bindings("alice").unwrap();
    let expires = bindings[0].expires.expect("a number of seconds");
    assert!((290..=300).contains(&expires), "{bindings:?}");
    assert_eq!(
        bindings[0].field("User-Agent"),
        Some("ferrosip-interop-test")
    );
    let socket = bindings[0].field("Socket").unwrap();
    assert!(
        socket.starts_with(if transport == Transport::Udp {
            "udp:"
        } else {
            "tcp:"
        }),
        "{socket}"
    );
    assert!(kamailio.contacts("bob").unwrap().is_empty());

    // Expires 0 removes it again.
    let request = register(&mut client, "alice", 4, &contact, Some(0), Some(&right));
    client.send(&request);
    let response = client.recv_final();
    assert_eq!(code(&response), 200, "{response:?}");
    assert!(kamailio.contacts("alice").unwrap().is_empty());
}

#[test]
fn registers_with_digest_over_udp() {
    registers_with_digest(Transport::Udp);
}

#[test]
fn registers_with_digest_over_tcp() {
    registers_with_digest(Transport::Tcp);
}

#[test]
fn enforces_registration_lifetimes() {
    let Some(kamailio) = start(
        Kamailio::options()
            .min_expires(120)
            .max_expires(1800)
            .default_expires(900),
    ) else {
        return;
    };
    let mut client = Client::new(Transport::Udp, kamailio.addr());
    let contact = client.contact("bob");
    let request = register(&mut client, "bob", 1, &contact, Some(30), None);
    client.send(&request);
    let challenge = www_challenge(&client.recv_final());
    let auth = credentials(&challenge, "bob", "bobpw", "REGISTER", "sip:127.0.0.1");

    // Below min_expires: 423 with Min-Expires.
    let request = register(&mut client, "bob", 2, &contact, Some(30), Some(&auth));
    client.send(&request);
    let response = client.recv_final();
    assert_eq!(code(&response), 423, "{response:?}");
    let min = response
        .typed::<MinExpires>()
        .expect("Min-Expires")
        .unwrap();
    assert_eq!(min.0, 120);
    // ... and nothing else: no second final response to the same REGISTER.
    client.expect_silence(Duration::from_millis(300));
    assert!(kamailio.contacts("bob").unwrap().is_empty());

    // No expiry at all: default_expires.
    let request = register(&mut client, "bob", 3, &contact, None, Some(&auth));
    client.send(&request);
    let response = client.recv_final();
    assert_eq!(code(&response), 200, "{response:?}");
    let expires = kamailio.bindings("bob").unwrap()[0].expires.unwrap();
    assert!((890..=900).contains(&expires), "{expires}");

    // Above max_expires: cut down to it.
    let request = register(&mut client, "bob", 4, &contact, Some(7200), Some(&auth));
    client.send(&request);
    let response = client.recv_final();
    assert_eq!(code(&response), 200, "{response:?}");
    let granted = response.contacts().next().unwrap().to_string();
    assert!(granted.contains("expires=1800"), "{granted}");
}

#[test]
fn offers_qop_auth_when_asked() {
    let Some(kamailio) = start(Kamailio::options().qop_auth(true)) else {
        return;
    };
    let mut client = Client::new(Transport::Udp, kamailio.addr());
    let contact = client.contact("carol");
    let request = register(&mut client, "carol", 1, &contact, None, None);
    client.send(&request);
    let challenge = www_challenge(&client.recv_final());
    assert!(challenge.qop_options().any(|q| q == "auth"), "{challenge}");
    let auth = credentials(&challenge, "carol", "carolpw", "REGISTER", "sip:127.0.0.1");
    let request = register(&mut client, "carol", 2, &contact, None, Some(&auth));
    client.send(&request);
    let response = client.recv_final();
    assert_eq!(code(&response), 200, "{response:?}\n{}", kamailio.log());
    assert_eq!(kamailio.contacts("carol").unwrap(), vec![contact]);
}

#[test]
fn keys_bindings_by_domain_when_asked() {
    let Some(kamailio) = start(
        Kamailio::options()
            .use_domain(true)
            .user("frank", "frankpw"),
    ) else {
        return;
    };
    let mut client = Client::new(Transport::Udp, kamailio.addr());
    register_ok(&mut client, "frank", "frankpw", Some(600));
    let contact = client.contact("frank");
    assert_eq!(kamailio.contacts("frank").unwrap(), vec![contact.clone()]);
    assert_eq!(kamailio.contacts("frank@127.0.0.1").unwrap(), vec![contact]);
    let dump = kamailio.rpc(&["ul.dump"]).unwrap();
    assert!(dump.contains("AoR: frank@127.0.0.1"), "{dump}");
}

#[test]
fn relays_message_and_proxies_invite_between_registered_users() {
    let Some(kamailio) = start(Kamailio::options()) else {
        return;
    };
    let mut bob = Client::new(Transport::Udp, kamailio.addr());
    register_ok(&mut bob, "bob", "bobpw", Some(600));
    let mut alice = Client::new(Transport::Tcp, kamailio.addr());
    register_ok(&mut alice, "alice", "alicepw", Some(600));

    let build = |client: &mut Client, method: &str, cseq: u32, auth: Option<&str>, body: &str| {
        let via = client.via();
        let contact = client.contact("alice");
        let (content_type, auth) = (
            if method == "MESSAGE" {
                "text/plain"
            } else {
                "application/sdp"
            },
            auth.map(|a| format!("Proxy-Authorization: {a}\r\n"))
                .unwrap_or_default(),
        );
        format!(
            "{method} sip:bob@127.0.0.1 SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\n\
             From: <sip:alice@127.0.0.1>;tag=a-{method}\r\nTo: <sip:bob@127.0.0.1>\r\n\
             Call-ID: {method}-1@127.0.0.1\r\nCSeq: {cseq} {method}\r\nContact: <{contact}>\r\n\
             {auth}Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };

    // MESSAGE: 407 for alice, then relayed to bob's contact, and bob's 200 back.
    let request = build(&mut alice, "MESSAGE", 1, None, "hello bob");
    alice.send(&request);
    let response = alice.recv_final();
    assert_eq!(code(&response), 407, "{response:?}");
    let auth = credentials(
        &proxy_challenge(&response),
        "alice",
        "alicepw",
        "MESSAGE",
        "sip:bob@127.0.0.1",
    );
    let request = build(&mut alice, "MESSAGE", 2, Some(&auth), "hello bob");
    alice.send(&request);
    let message = bob.recv();
    assert_eq!(message.method().unwrap().as_str(), "MESSAGE");
    assert_eq!(message.request_uri_str(), Some(bob.contact("bob").as_str()));
    assert_eq!(&message.body()[..], b"hello bob");
    assert!(
        message
            .raw_value(sip::header::HeaderName::ProxyAuthorization)
            .is_none()
    );
    let ok = Message::response_to(&message, StatusCode::OK)
        .to_tag("b-msg")
        .build()
        .unwrap();
    bob.send(&ok.to_bytes());
    let response = alice.recv_final();
    assert_eq!(code(&response), 200, "{response:?}");

    // INVITE: 407, then proxied with a Record-Route; bob's 486 comes back.
    let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
               m=audio 40000 RTP/AVP 0\r\n";
    let request = build(&mut alice, "INVITE", 1, None, sdp);
    alice.send(&request);
    let response = alice.recv_final();
    assert_eq!(code(&response), 407, "{response:?}");
    let challenge = proxy_challenge(&response);
    let to = response
        .raw_value(sip::header::HeaderName::To)
        .unwrap()
        .to_owned();
    let ack = format!(
        "ACK sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP {};branch=z9hG4bK-test-{}-{};rport\r\n\
         Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=a-INVITE\r\nTo: {to}\r\n\
         Call-ID: INVITE-1@127.0.0.1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
        alice.local,
        alice.local.port(),
        alice.next_branch
    );
    alice.send(ack.as_bytes());
    let auth = credentials(
        &challenge,
        "alice",
        "alicepw",
        "INVITE",
        "sip:bob@127.0.0.1",
    );
    let request = build(&mut alice, "INVITE", 2, Some(&auth), sdp);
    alice.send(&request);
    let invite = bob.recv();
    assert_eq!(invite.method().unwrap().as_str(), "INVITE");
    let record_route = invite
        .raw_value(sip::header::HeaderName::RecordRoute)
        .expect("a Record-Route");
    assert!(
        record_route.contains(&kamailio.addr().port().to_string()),
        "{record_route}"
    );
    assert_eq!(invite.sdp_body(), Some(sdp.as_bytes()));
    let busy = Message::response_to(&invite, StatusCode::new(486).unwrap())
        .to_tag("b-inv")
        .build()
        .unwrap();
    bob.send(&busy.to_bytes());
    let response = alice.recv_final();
    assert_eq!(code(&response), 486, "{response:?}");
    // kamailio, stateful, acknowledges the 486 towards bob itself.
    let ack = bob.recv();
    assert_eq!(ack.method().unwrap().as_str(), "ACK");

    // Nobody registered as erin: 404.
    let via = alice.via();
    let to_erin = format!(
        "MESSAGE sip:erin@127.0.0.1 SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\n\
         From: <sip:alice@127.0.0.1>;tag=a-erin\r\nTo: <sip:erin@127.0.0.1>\r\n\
         Call-ID: erin-1@127.0.0.1\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n"
    );
    alice.send(to_erin.as_bytes());
    let response = alice.recv_final();
    let auth = credentials(
        &proxy_challenge(&response),
        "alice",
        "alicepw",
        "MESSAGE",
        "sip:erin@127.0.0.1",
    );
    let via = alice.via();
    let to_erin = format!(
        "MESSAGE sip:erin@127.0.0.1 SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\n\
         From: <sip:alice@127.0.0.1>;tag=a-erin\r\nTo: <sip:erin@127.0.0.1>\r\n\
         Call-ID: erin-1@127.0.0.1\r\nCSeq: 2 MESSAGE\r\nProxy-Authorization: {auth}\r\n\
         Content-Length: 0\r\n\r\n"
    );
    alice.send(to_erin.as_bytes());
    let response = alice.recv_final();
    assert_eq!(code(&response), 404, "{response:?}");
}

#[test]
fn runs_the_presence_server_when_asked() {
    if !interop::require(
        "kamailio-presence-modules",
        Kamailio::is_installed() && Kamailio::module_installed("presence"),
    ) {
        return;
    }
    let kamailio = Kamailio::options()
        .presence(true)
        .start()
        .expect("kamailio starts");
    let mut client = Client::new(Transport::Udp, kamailio.addr());
    let via = client.via();
    let publish = format!(
        "PUBLISH sip:alice@127.0.0.1 SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\n\
         From: <sip:alice@127.0.0.1>;tag=p1\r\nTo: <sip:alice@127.0.0.1>\r\n\
         Call-ID: publish-1@127.0.0.1\r\nCSeq: 1 PUBLISH\r\nEvent: presence\r\n\
         Expires: 60\r\nContent-Length: 0\r\n\r\n"
    );
    client.send(publish.as_bytes());
    let response = client.recv_final();
    assert_eq!(code(&response), 407, "{response:?}");
    let auth = credentials(
        &proxy_challenge(&response),
        "alice",
        "alicepw",
        "PUBLISH",
        "sip:alice@127.0.0.1",
    );
    let via = client.via();
    let publish = format!(
        "PUBLISH sip:alice@127.0.0.1 SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\n\
         From: <sip:alice@127.0.0.1>;tag=p1\r\nTo: <sip:alice@127.0.0.1>\r\n\
         Call-ID: publish-1@127.0.0.1\r\nCSeq: 2 PUBLISH\r\nEvent: presence\r\n\
         Expires: 60\r\nProxy-Authorization: {auth}\r\nContent-Length: 0\r\n\r\n"
    );
    client.send(publish.as_bytes());
    // A PUBLISH without a body nor SIP-If-Match is refused by the presence
    // module itself (400), which shows the request reached it.
    let response = client.recv_final();
    assert_eq!(code(&response), 400, "{response:?}\n{}", kamailio.log());
}

#[test]
fn frees_its_port_and_processes_when_dropped() {
    let Some(kamailio) = start(Kamailio::options()) else {
        return;
    };
    let addr = kamailio.addr();
    let pid = kamailio.pid();
    let run_dir = kamailio.run_dir().to_path_buf();
    // A TCP connection open at the time of the drop must not keep it alive.
    let _client = Client::new(Transport::Tcp, addr);
    let started = Instant::now();
    drop(kamailio);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "kamailio {pid} still there"
    );
    UdpSocket::bind(addr).expect("UDP port free after drop");
    TcpListener::bind(addr).expect("TCP port free after drop");
    if std::env::var_os("FERROSIP_KEEP_PEER_RUN").is_none() {
        assert!(!run_dir.exists(), "{} not removed", run_dir.display());
    }
}

#[test]
fn runs_several_at_once() {
    if !interop::require("kamailio", Kamailio::is_installed()) {
        return;
    }
    let servers: Vec<Kamailio> = (0..3)
        .map(|_| thread::spawn(|| Kamailio::start().expect("kamailio starts")))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    let mut ports: Vec<u16> = servers.iter().map(|k| k.addr().port()).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), 3);
    for kamailio in &servers {
        let mut client = Client::new(Transport::Tcp, kamailio.addr());
        register_ok(&mut client, "dave", "davepw", None);
        assert_eq!(
            kamailio.contacts("dave").unwrap(),
            vec![client.contact("dave")]
        );
    }
}
