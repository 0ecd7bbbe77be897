//! Client and server digest sessions end to end: every algorithm and qop
//! round trip, the header the client writes checked by the independent
//! `digest_auth` crate, and the rules that keep a client from retrying
//! forever.

use digest_auth::{AuthContext, AuthorizationHeader, HttpMethod};
use sip::header::{Authorization, HeaderName, ProxyAuthorization, TypedHeader};
use sip::{Message, StatusCode};
use sip_core::Rng;
use sip_core::auth::{
    Algorithm, AuthError, AuthKind, ClientAuth, Credential, Qop, Secret, ServerChallenge,
    Verification, Verified, verify,
};

const SDP: &[u8] = b"v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.1\r\ns=-\r\n\
c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n";

fn request(method: &str, uri: &str, cseq: u32, body: &[u8]) -> Message {
    let mut text = format!(
        "{method} {uri} SIP/2.0\r\n\
         Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKb{cseq}\r\n\
         Max-Forwards: 70\r\n\
         To: <sip:alice@example.com>\r\n\
         From: <sip:alice@example.com>;tag=ft1\r\n\
         Call-ID: call-1@192.0.2.1\r\n\
         CSeq: {cseq} {method}\r\n"
    );
    if !body.is_empty() {
        text.push_str("Content-Type: application/sdp\r\n");
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(body);
    Message::parse(&bytes).unwrap()
}

fn register(cseq: u32) -> Message {
    request("REGISTER", "sip:example.com", cseq, b"")
}

fn response(to: &Message, code: u16, challenges: &[(AuthKind, &ServerChallenge)]) -> Message {
    let mut r = Message::response_to(to, StatusCode::new(code).unwrap())
        .build()
        .unwrap();
    for (kind, c) in challenges {
        r.push(kind.challenge_header(), c);
    }
    r
}

fn challenge_text(to: &Message, kind: AuthKind, values: &[&str]) -> Message {
    let mut r = Message::response_to(to, StatusCode::new(kind.status_code()).unwrap())
        .build()
        .unwrap();
    for v in values {
        r.push_raw(kind.challenge_header().as_str(), v);
    }
    r
}

fn alice() -> Vec<Credential> {
    vec![Credential::new("example.com", "alice", "wonderland")]
}

fn lookup(user: &str) -> Option<Secret> {
    (user == "alice").then(|| Secret::Plain("wonderland".into()))
}

/// The credentials of `kind` a message carries, as written.
fn credentials(msg: &Message, kind: AuthKind) -> Vec<String> {
    msg.raw_values(kind.credentials_header())
        .map(str::to_owned)
        .collect()
}

/// The oracle's response for the Authorization value `value`, recomputed
/// from the header's own nonce, cnonce, nc and qop.
fn oracle_response(value: &str, password: &str, method: &str, body: &[u8]) -> String {
    let mut header = AuthorizationHeader::parse(value).unwrap();
    let theirs = header.response.clone();
    // digest_auth drops the cnonce of a credential without qop; a -sess
    // HA1 needs it, so put ours back.
    if header.cnonce.is_none() {
        header.cnonce = param_of(value, "cnonce");
    }
    let uri = header.uri.clone();
    let context = AuthContext::new_with_method(
        header.username.clone(),
        password,
        uri,
        Some(body),
        HttpMethod::from(method),
    );
    header.digest(&context);
    assert_ne!(header.response, "", "{theirs}");
    header.response
}

/// A parameter of the credentials `value`, unquoted.
fn param_of(value: &str, name: &str) -> Option<String> {
    Authorization::parse(value)
        .unwrap()
        .get_unquoted(name)
        .map(|v| v.into_owned())
}

/// A registrar (or proxy) holding one current nonce per challenge it made.
struct Server {
    kind: AuthKind,
    realm: String,
    algorithm: Algorithm,
    qop: Vec<Qop>,
    current: Vec<String>,
    /// Whether a right digest with an old nonce gets `stale=true` (a
    /// server that forgot the nonce altogether cannot tell).
    says_stale: bool,
    rng: Rng,
}

impl Server {
    fn new(kind: AuthKind, realm: &str, algorithm: Algorithm, qop: &[Qop]) -> Self {
        Self {
            kind,
            realm: realm.to_owned(),
            algorithm,
            qop: qop.to_vec(),
            current: Vec::new(),
            says_stale: true,
            rng: Rng::from_seed(99),
        }
    }

    fn challenge(&mut self, stale: bool) -> ServerChallenge {
        let mut c = ServerChallenge::new(&self.realm, self.algorithm, &mut self.rng);
        c.qop = self.qop.clone();
        c.opaque = Some("5ccc069c403ebaf9f0171e9517f40e41".into());
        c.stale = stale;
        self.current.push(c.nonce.clone());
        c
    }

    fn verify(&self, request: &Message) -> Verification {
        verify(request, self.kind, &self.realm, lookup, |n| {
            self.current.iter().any(|c| c == n)
        })
    }

    /// Answers 200 to good credentials, else a new challenge (stale when
    /// the digest was right with an old nonce).
    fn handle(&mut self, request: &Message) -> Message {
        match self.verify(request) {
            Verification::Ok(_) => response(request, 200, &[]),
            Verification::Stale(_) => {
                let c = self.challenge(self.says_stale);
                response(request, self.kind.status_code(), &[(self.kind, &c)])
            }
            Verification::Missing | Verification::Wrong { .. } => {
                let c = self.challenge(false);
                response(request, self.kind.status_code(), &[(self.kind, &c)])
            }
        }
    }
}

fn ok(v: Verification) -> Verified {
    match v {
        Verification::Ok(v) => v,
        other => panic!("expected Ok, got {other:?}"),
    }
}

#[test]
fn every_algorithm_and_qop_round_trips() {
    let offers: [&[Qop]; 4] = [
        &[],
        &[Qop::Auth],
        &[Qop::AuthInt],
        &[Qop::Auth, Qop::AuthInt],
    ];
    let mut rng = Rng::from_seed(7);
    let mut cases = 0;
    for algorithm in Algorithm::ALL {
        for offer in offers {
            for prefer_int in [false, true] {
                let mut server = Server::new(AuthKind::Www, "example.com", algorithm, offer);
                let mut client = ClientAuth::new(alice());
                client.set_prefer_auth_int(prefer_int);
                let first = request("INVITE", "sip:bob@example.com;transport=tcp", 1, SDP);
                let challenge = server.handle(&first);
                assert_eq!(challenge.status().unwrap().code(), 401);
                let mut retry = request("INVITE", "sip:bob@example.com;transport=tcp", 2, SDP);
                client
                    .respond(&first, &challenge, &mut retry, &mut rng)
                    .unwrap();
                let v = ok(server.verify(&retry));
                let expected_qop = match (offer, prefer_int) {
                    ([], _) => None,
                    ([Qop::Auth], _) | ([_, _], false) => Some(Qop::Auth),
                    _ => Some(Qop::AuthInt),
                };
                assert_eq!((v.algorithm, v.qop), (algorithm, expected_qop));
                assert_eq!(v.nc, expected_qop.map(|_| 1));
                assert_eq!(v.username, "alice");

                // The header, checked by the oracle.
                let [value] = credentials(&retry, AuthKind::Www).try_into().unwrap();
                assert_eq!(
                    oracle_response(&value, "wonderland", "INVITE", SDP),
                    param_of(&value, "response").unwrap(),
                    "{algorithm} {offer:?} {value}"
                );

                // Pre-emptive credentials for the next two requests.
                for (cseq, nc) in [(3, 2), (4, 3)] {
                    let mut next =
                        request("INVITE", "sip:bob@example.com;transport=tcp", cseq, SDP);
                    assert_eq!(client.authorize(&mut next, &mut rng), 1);
                    let v = ok(server.verify(&next));
                    assert_eq!(v.nc, expected_qop.map(|_| nc));
                    assert_eq!(credentials(&next, AuthKind::Www).len(), 1);
                }
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 48);
}

#[test]
fn the_answer_echoes_the_challenge() {
    let mut rng = Rng::from_seed(1);
    let first = register(1);
    let challenge = challenge_text(
        &first,
        AuthKind::Www,
        &[
            r#"Digest realm="example.com", nonce="abc/+=", opaque="op \"q\"", algorithm=sha-256-SESS, qop="auth-int,auth""#,
        ],
    );
    let mut retry = register(2);
    let mut client = ClientAuth::new(alice());
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    let a = retry.typed::<Authorization<'_>>().unwrap().unwrap();
    assert!(a.is_digest());
    assert_eq!(a.username().as_deref(), Some("alice"));
    assert_eq!(a.realm().as_deref(), Some("example.com"));
    assert_eq!(a.nonce().as_deref(), Some("abc/+="));
    assert_eq!(a.opaque().as_deref(), Some("op \"q\""));
    assert_eq!(a.algorithm().as_deref(), Some("sha-256-SESS"));
    assert_eq!(a.get("algorithm"), Some("sha-256-SESS"));
    assert_eq!(a.uri().as_deref(), Some("sip:example.com"));
    assert_eq!(a.get("qop"), Some("auth"));
    assert_eq!(a.get("nc"), Some("00000001"));
    assert_eq!(a.cnonce().map(|c| c.len()), Some(32));
    assert_eq!(a.response().map(|r| r.len()), Some(64));
    // The retry prints and parses back.
    Message::parse(&retry.to_bytes()).unwrap();

    // No algorithm in the challenge: MD5, said so; no qop: no nc/cnonce.
    let challenge = challenge_text(
        &first,
        AuthKind::Www,
        &[r#"Digest realm="example.com", nonce="n1""#],
    );
    let mut retry = register(2);
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    let a = retry.typed::<Authorization<'_>>().unwrap().unwrap();
    assert_eq!(a.get("algorithm"), Some("MD5"));
    assert_eq!(
        (a.qop(), a.nc(), a.cnonce(), a.opaque()),
        (None, None, None, None)
    );
}

#[test]
fn wrong_password_is_rejected_after_exactly_one_retry() {
    let mut rng = Rng::from_seed(2);
    // A server that keeps its nonce, and one that makes a new one each time.
    for rotate in [false, true] {
        let mut server = Server::new(AuthKind::Www, "example.com", Algorithm::Md5, &[Qop::Auth]);
        let mut client = ClientAuth::new(vec![Credential::new("example.com", "alice", "wrong")]);
        let first = register(1);
        let challenge = server.handle(&first);
        let mut retry = register(2);
        client
            .respond(&first, &challenge, &mut retry, &mut rng)
            .unwrap();
        assert!(
            matches!(server.verify(&retry), Verification::Wrong { username: Some(u) } if u == "alice")
        );
        let again = if rotate {
            server.handle(&retry)
        } else {
            // Same nonce again.
            let c = ServerChallenge {
                nonce: server.current[0].clone(),
                opaque: Some("5ccc069c403ebaf9f0171e9517f40e41".into()),
                ..ServerChallenge::new("example.com", Algorithm::Md5, &mut rng)
            };
            response(&retry, 401, &[(AuthKind::Www, &c)])
        };
        let mut third = register(3);
        let before = third.clone();
        let err = client
            .respond(&retry, &again, &mut third, &mut rng)
            .unwrap_err();
        assert_eq!(
            err,
            AuthError::Rejected {
                realm: "example.com".into()
            }
        );
        assert_eq!(err.pjsip_status(), 171_100);
        assert_eq!(third, before, "the retry is untouched on error");
    }
}

#[test]
fn rfc2069_wrong_password_is_rejected_too() {
    let mut rng = Rng::from_seed(3);
    let mut server = Server::new(AuthKind::Www, "example.com", Algorithm::Md5, &[]);
    let mut client = ClientAuth::new(vec![Credential::new("example.com", "alice", "wrong")]);
    let first = register(1);
    let challenge = server.handle(&first);
    let mut retry = register(2);
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    let again = server.handle(&retry);
    let err = client
        .respond(&retry, &again, &mut register(3), &mut rng)
        .unwrap_err();
    assert!(matches!(err, AuthError::Rejected { .. }));
}

#[test]
fn one_stale_retry_then_stale_exhausted() {
    let mut rng = Rng::from_seed(4);
    let mut server = Server::new(
        AuthKind::Www,
        "example.com",
        Algorithm::Sha256,
        &[Qop::Auth],
    );
    let mut client = ClientAuth::new(alice());
    let first = register(1);
    let challenge = server.handle(&first);
    let mut retry = register(2);
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    ok(server.verify(&retry));

    // The server expires its nonces: the right digest is now stale.
    server.current.clear();
    assert!(matches!(server.verify(&retry), Verification::Stale(_)));
    let stale = server.handle(&retry);
    let mut third = register(3);
    client
        .respond(&retry, &stale, &mut third, &mut rng)
        .unwrap();
    assert_eq!(credentials(&third, AuthKind::Www).len(), 1);
    ok(server.verify(&third));

    // Stale again: the budget is spent.
    server.current.clear();
    let stale = server.handle(&third);
    let err = client
        .respond(&third, &stale, &mut register(4), &mut rng)
        .unwrap_err();
    assert_eq!(
        err,
        AuthError::StaleExhausted {
            realm: "example.com".into()
        }
    );
    assert_eq!(err.pjsip_status(), 171_111);

    // A 401 does not refill the budget; an accepted request does.
    client.accepted(&third, &stale);
    assert!(
        client
            .respond(&third, &stale, &mut register(4), &mut rng)
            .is_err()
    );
    let ok_response = response(&third, 200, &[]);
    client.accepted(&third, &ok_response);
    let mut fifth = register(5);
    client
        .respond(&third, &stale, &mut fifth, &mut rng)
        .unwrap();
    ok(server.verify(&fifth));
}

#[test]
fn preemptive_credentials_skip_the_round_trip() {
    let mut rng = Rng::from_seed(5);
    let mut server = Server::new(
        AuthKind::Www,
        "example.com",
        Algorithm::Md5Sess,
        &[Qop::Auth],
    );
    let mut client = ClientAuth::new(alice());
    let mut first = register(1);
    assert_eq!(
        client.authorize(&mut first, &mut rng),
        0,
        "nothing cached yet"
    );
    let challenge = server.handle(&first);
    let mut retry = register(2);
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    let accepted = server.handle(&retry);
    assert_eq!(accepted.status().unwrap().code(), 200);
    client.accepted(&retry, &accepted);

    // Refreshes: accepted straight away, nc counting up.
    for cseq in 3..6 {
        let mut refresh = register(cseq);
        assert_eq!(client.authorize(&mut refresh, &mut rng), 1);
        let v = ok(server.verify(&refresh));
        assert_eq!(v.nc, Some(cseq - 1));
    }

    // The server forgets the nonce and challenges without stale=true: the
    // pre-emptive credentials were not a password test, so one retry.
    server.current.clear();
    server.says_stale = false;
    let mut refresh = register(6);
    client.authorize(&mut refresh, &mut rng);
    let challenge = server.handle(&refresh);
    assert!(
        !challenge
            .raw_value(HeaderName::WwwAuthenticate)
            .unwrap()
            .contains("stale")
    );
    let mut retry = register(7);
    client
        .respond(&refresh, &challenge, &mut retry, &mut rng)
        .unwrap();
    let v = ok(server.verify(&retry));
    assert_eq!(v.nc, Some(1));
}

#[test]
fn forgotten_nonce_twice_without_acceptance_is_rejected() {
    let mut rng = Rng::from_seed(6);
    let mut server = Server::new(AuthKind::Www, "example.com", Algorithm::Md5, &[Qop::Auth]);
    let mut client = ClientAuth::new(alice());
    let first = register(1);
    let challenge = server.handle(&first);
    let mut retry = register(2);
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    // Two pre-emptive requests both refused with fresh non-stale nonces and
    // no acceptance in between: the second has no budget left.
    server.current.clear();
    server.says_stale = false;
    let mut a = register(3);
    client.authorize(&mut a, &mut rng);
    let mut b = register(4);
    client.authorize(&mut b, &mut rng);
    let ca = server.handle(&a);
    let cb = server.handle(&b);
    client.respond(&a, &ca, &mut register(5), &mut rng).unwrap();
    let err = client
        .respond(&b, &cb, &mut register(6), &mut rng)
        .unwrap_err();
    assert!(matches!(err, AuthError::Rejected { .. }), "{err:?}");
}

#[test]
fn no_credential_for_the_realm() {
    let mut rng = Rng::from_seed(8);
    let first = register(1);
    let challenge = challenge_text(
        &first,
        AuthKind::Www,
        &[r#"Digest realm="elsewhere.net", nonce="n""#],
    );
    let mut client = ClientAuth::new(alice());
    let err = client
        .respond(&first, &challenge, &mut register(2), &mut rng)
        .unwrap_err();
    assert_eq!(
        err,
        AuthError::NoCredential {
            realm: "elsewhere.net".into()
        }
    );
    assert_eq!(err.pjsip_status(), 171_101);
    // No credentials at all.
    let mut empty = ClientAuth::new(Vec::new());
    assert!(matches!(
        empty.respond(&first, &challenge, &mut register(2), &mut rng),
        Err(AuthError::NoCredential { .. })
    ));
}

#[test]
fn wildcard_realm_answers_any_realm() {
    let mut rng = Rng::from_seed(9);
    let mut server = Server::new(
        AuthKind::Www,
        "biloxi.example.com",
        Algorithm::Sha512_256,
        &[Qop::Auth],
    );
    let mut client = ClientAuth::new(vec![
        Credential::new("*", "alice", "wonderland"),
        Credential::new("other.org", "bob", "x"),
    ]);
    let first = register(1);
    let challenge = server.handle(&first);
    let mut retry = register(2);
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    let v = ok(server.verify(&retry));
    assert_eq!(v.username, "alice");
    let a = retry.typed::<Authorization<'_>>().unwrap().unwrap();
    assert_eq!(a.realm().as_deref(), Some("biloxi.example.com"));
}

#[test]
fn two_realms_in_one_407() {
    let mut rng = Rng::from_seed(10);
    let mut p1 = Server::new(
        AuthKind::Proxy,
        "proxy1.example.com",
        Algorithm::Md5,
        &[Qop::Auth],
    );
    let mut p2 = Server::new(
        AuthKind::Proxy,
        "proxy2.example.com",
        Algorithm::Sha256,
        &[Qop::AuthInt],
    );
    let first = request("INVITE", "sip:bob@example.com", 1, SDP);
    let (c1, c2) = (p1.challenge(false), p2.challenge(false));
    let challenge = response(
        &first,
        407,
        &[(AuthKind::Proxy, &c1), (AuthKind::Proxy, &c2)],
    );
    let mut client = ClientAuth::new(vec![
        Credential::new("proxy1.example.com", "alice", "wonderland"),
        Credential::new("proxy2.example.com", "alice", "wonderland"),
    ]);
    let mut retry = request("INVITE", "sip:bob@example.com", 2, SDP);
    // Credentials the caller kept for another realm stay.
    retry.push(
        HeaderName::ProxyAuthorization,
        r#"Digest username="alice", realm="proxy0", nonce="x", uri="sip:bob@example.com", response="00""#,
    );
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    assert_eq!(credentials(&retry, AuthKind::Proxy).len(), 3);
    assert!(credentials(&retry, AuthKind::Www).is_empty());
    ok(p1.verify(&retry));
    let v = ok(p2.verify(&retry));
    assert_eq!(v.qop, Some(Qop::AuthInt));
    let realms: Vec<String> = retry
        .typed_all::<ProxyAuthorization<'_>>()
        .map(|p| p.unwrap().realm().unwrap().into_owned())
        .collect();
    assert_eq!(
        realms,
        ["proxy0", "proxy1.example.com", "proxy2.example.com"]
    );

    // The next request carries both up front.
    let mut next = request("INVITE", "sip:bob@example.com", 3, SDP);
    assert_eq!(client.authorize(&mut next, &mut rng), 2);
    ok(p1.verify(&next));
    ok(p2.verify(&next));

    // One realm without a credential: the other is still answered.
    let mut lone = ClientAuth::new(vec![Credential::new(
        "proxy2.example.com",
        "alice",
        "wonderland",
    )]);
    let mut retry = request("INVITE", "sip:bob@example.com", 2, SDP);
    lone.respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    assert_eq!(credentials(&retry, AuthKind::Proxy).len(), 1);
    ok(p2.verify(&retry));
    assert_eq!(p1.verify(&retry), Verification::Missing);
}

#[test]
fn auth_int_protects_the_body() {
    let mut rng = Rng::from_seed(11);
    let mut server = Server::new(
        AuthKind::Www,
        "example.com",
        Algorithm::Sha256,
        &[Qop::AuthInt],
    );
    let mut client = ClientAuth::new(alice());
    let first = request("MESSAGE", "sip:bob@example.com", 1, b"hello");
    let challenge = server.handle(&first);
    let mut retry = request("MESSAGE", "sip:bob@example.com", 2, b"hello");
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    assert_eq!(ok(server.verify(&retry)).qop, Some(Qop::AuthInt));
    let mut tampered = retry.clone();
    tampered.set_body(Some("text/plain"), &b"jello"[..]);
    assert_eq!(
        server.verify(&tampered),
        Verification::Wrong {
            username: Some("alice".into())
        }
    );
    // With qop=auth the body is not covered.
    let mut server = Server::new(
        AuthKind::Www,
        "example.com",
        Algorithm::Sha256,
        &[Qop::Auth],
    );
    let challenge = server.handle(&first);
    let mut retry = request("MESSAGE", "sip:bob@example.com", 2, b"hello");
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    retry.set_body(Some("text/plain"), &b"jello"[..]);
    ok(server.verify(&retry));
}

#[test]
fn prehashed_ha1_secrets() {
    let mut rng = Rng::from_seed(12);
    let md5_ha1 = Algorithm::Md5.hash_hex(b"alice:example.com:wonderland");
    let sha_ha1 = Algorithm::Sha512_256.hash_hex(b"alice:example.com:wonderland");
    // The server stores the HA1 too.
    let server_lookup =
        |ha1: String| move |user: &str| (user == "alice").then(|| Secret::Ha1(ha1.clone()));
    for (ha1, algorithm, hint) in [
        (md5_ha1.clone(), Algorithm::Md5, None),
        (md5_ha1.to_uppercase(), Algorithm::Md5Sess, None),
        (
            sha_ha1.clone(),
            Algorithm::Sha512_256,
            Some(Algorithm::Sha512_256),
        ),
    ] {
        let mut server = Server::new(AuthKind::Www, "example.com", algorithm, &[Qop::Auth]);
        let mut client = ClientAuth::new(vec![Credential::with_ha1(
            "example.com",
            "alice",
            ha1.clone(),
            hint,
        )]);
        let first = register(1);
        let challenge = server.handle(&first);
        let mut retry = register(2);
        client
            .respond(&first, &challenge, &mut retry, &mut rng)
            .unwrap();
        ok(server.verify(&retry));
        let nonce = server.current[0].clone();
        let v = verify(
            &retry,
            AuthKind::Www,
            "example.com",
            server_lookup(ha1),
            |n| n == nonce,
        );
        ok(v);
    }

    // A registrar offering SHA-256 first and MD5 second: an MD5 HA1 answers
    // the MD5 one (RFC 8760 §2.4: the first one it can).
    let first = register(1);
    let challenge = challenge_text(
        &first,
        AuthKind::Www,
        &[
            r#"Digest realm="example.com", nonce="n256", algorithm=SHA-256, qop="auth""#,
            r#"Digest realm="example.com", nonce="n5", algorithm=MD5, qop="auth""#,
        ],
    );
    let mut client = ClientAuth::new(vec![Credential::with_ha1(
        "example.com",
        "alice",
        md5_ha1.clone(),
        None,
    )]);
    let mut retry = register(2);
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    let [value] = credentials(&retry, AuthKind::Www).try_into().unwrap();
    assert!(
        value.contains(r#"nonce="n5""#) && value.contains("algorithm=MD5"),
        "{value}"
    );
    // A password answers the first one, and only it.
    let mut client = ClientAuth::new(alice());
    let mut retry = register(2);
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    let [value] = credentials(&retry, AuthKind::Www).try_into().unwrap();
    assert!(value.contains("algorithm=SHA-256"), "{value}");
    assert_eq!(
        verify(&retry, AuthKind::Www, "example.com", lookup, |n| n
            == "n256"),
        Verification::Ok(Verified {
            username: "alice".into(),
            nonce: "n256".into(),
            nc: Some(1),
            algorithm: Algorithm::Sha256,
            qop: Some(Qop::Auth),
        })
    );
    // An HA1 for the wrong hash only: nothing to answer with.
    let mut client = ClientAuth::new(vec![Credential::with_ha1(
        "example.com",
        "alice",
        sha_ha1,
        Some(Algorithm::Sha512_256),
    )]);
    assert!(matches!(
        client.respond(&first, &challenge, &mut register(2), &mut rng),
        Err(AuthError::NoCredential { .. })
    ));
}

#[test]
fn unanswerable_challenges_say_why() {
    let mut rng = Rng::from_seed(13);
    let first = register(1);
    let mut client = ClientAuth::new(alice());
    let mut run = |values: &[&str]| {
        let challenge = challenge_text(&first, AuthKind::Www, values);
        client.respond(&first, &challenge, &mut register(2), &mut rng)
    };
    let e = run(&[r#"Digest realm="example.com", nonce="n", algorithm=AKAv1-MD5"#]).unwrap_err();
    assert_eq!(
        (e.pjsip_status(), e.clone()),
        (
            171_102,
            AuthError::UnsupportedAlgorithm {
                algorithm: "AKAv1-MD5".into()
            }
        )
    );
    let e = run(&[r#"Digest realm="example.com", nonce="n", qop="auth-conf""#]).unwrap_err();
    assert_eq!(e.pjsip_status(), 171_103);
    let e = run(&[r#"Basic realm="example.com""#]).unwrap_err();
    assert_eq!(
        e,
        AuthError::UnsupportedScheme {
            scheme: "Basic".into()
        }
    );
    assert_eq!(e.pjsip_status(), 171_104);
    let e = run(&[]).unwrap_err();
    assert_eq!(
        (e.clone(), e.pjsip_status()),
        (AuthError::NoChallenge, 171_114)
    );
    let e = run(&["Digest realm=\"unterminated"]).unwrap_err();
    assert_eq!(e, AuthError::NoChallenge);
    // An unknown scheme or algorithm first does not hide a usable one.
    run(&[
        r#"Basic realm="example.com""#,
        r#"Digest realm="example.com", nonce="n", algorithm=AKAv1-MD5"#,
        r#"Digest realm="example.com", nonce="n", algorithm=md5"#,
    ])
    .unwrap();
    // A missing credential is the most telling reason.
    let e = run(&[
        r#"Digest realm="example.com", nonce="n", algorithm=AKAv1-MD5"#,
        r#"Digest realm="other", nonce="n""#,
    ])
    .unwrap_err();
    assert_eq!(
        e,
        AuthError::NoCredential {
            realm: "other".into()
        }
    );
}

#[test]
fn empty_initial_authorization() {
    let mut rng = Rng::from_seed(14);
    let mut client = ClientAuth::new(vec![
        Credential::new("example.com", "alice", "wonderland"),
        Credential::new("*", "alice", "wonderland"),
    ]);
    let mut first = request("REGISTER", "sip:registrar.example.net", 1, b"");
    assert_eq!(client.add_empty_authorization(&mut first), 2);
    assert_eq!(client.add_empty_authorization(&mut first), 0, "not twice");
    let values = credentials(&first, AuthKind::Www);
    assert_eq!(
        values[0],
        r#"Digest username="alice", realm="example.com", nonce="", uri="sip:registrar.example.net", response="""#
    );
    assert!(values[1].contains(r#"realm="registrar.example.net""#));
    Message::parse(&first.to_bytes()).unwrap();

    // The server challenges; the empty credentials are not an attempt.
    let mut server = Server::new(AuthKind::Www, "example.com", Algorithm::Md5, &[Qop::Auth]);
    assert_eq!(server.verify(&first), Verification::Missing);
    let challenge = server.handle(&first);
    let mut retry = first.clone();
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    let values = credentials(&retry, AuthKind::Www);
    assert_eq!(values.len(), 2, "{values:?}");
    assert!(
        values
            .iter()
            .any(|v| v.contains(r#"realm="registrar.example.net""#))
    );
    ok(server.verify(&retry));
}

#[test]
fn nextnonce_is_used_for_the_next_request() {
    let mut rng = Rng::from_seed(15);
    let mut server = Server::new(AuthKind::Www, "example.com", Algorithm::Md5, &[Qop::Auth]);
    let mut client = ClientAuth::new(alice());
    let first = register(1);
    let challenge = server.handle(&first);
    let mut retry = register(2);
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    ok(server.verify(&retry));
    let mut accepted = response(&retry, 200, &[]);
    accepted.push(HeaderName::AuthenticationInfo, r#"nextnonce="fresh-1""#);
    client.accepted(&retry, &accepted);
    server.current = vec!["fresh-1".into()];
    let mut next = register(3);
    client.authorize(&mut next, &mut rng);
    let v = ok(server.verify(&next));
    assert_eq!((v.nonce.as_str(), v.nc), ("fresh-1", Some(1)));
    // The server then forgets it without stale=true: one retry (the
    // nextnonce was not a challenge to a password).
    server.current.clear();
    server.says_stale = false;
    let challenge = server.handle(&next);
    let mut retry = register(4);
    client
        .respond(&next, &challenge, &mut retry, &mut rng)
        .unwrap();
    ok(server.verify(&retry));
}

#[test]
fn set_credentials_forgets_the_cache() {
    let mut rng = Rng::from_seed(16);
    let mut server = Server::new(AuthKind::Www, "example.com", Algorithm::Md5, &[Qop::Auth]);
    let mut client = ClientAuth::new(alice());
    let first = register(1);
    let challenge = server.handle(&first);
    client
        .respond(&first, &challenge, &mut register(2), &mut rng)
        .unwrap();
    assert_eq!(client.authorize(&mut register(3), &mut rng), 1);
    client.set_credentials(alice());
    assert_eq!(client.authorize(&mut register(4), &mut rng), 0);
    assert_eq!(client.credentials().len(), 1);
    // Debug of the whole session shows no password.
    assert!(!format!("{client:?}").contains("wonderland"));
}

#[test]
fn verify_refuses_what_does_not_match() {
    let mut rng = Rng::from_seed(17);
    let mut server = Server::new(AuthKind::Www, "example.com", Algorithm::Md5, &[Qop::Auth]);
    let mut client = ClientAuth::new(alice());
    let first = register(1);
    let challenge = server.handle(&first);
    let mut retry = register(2);
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    ok(server.verify(&retry));
    // Another realm, another header kind: missing.
    assert_eq!(
        verify(&retry, AuthKind::Www, "other", lookup, |_| true),
        Verification::Missing
    );
    assert_eq!(
        verify(&retry, AuthKind::Proxy, "example.com", lookup, |_| true),
        Verification::Missing
    );
    // Unknown user.
    assert!(matches!(
        verify(&retry, AuthKind::Www, "example.com", |_| None, |_| true),
        Verification::Wrong { .. }
    ));
    // The credentials moved to another Request-URI.
    let value = credentials(&retry, AuthKind::Www).remove(0);
    let mut moved = request("REGISTER", "sip:other.example.com", 2, b"");
    moved.push(HeaderName::Authorization, &value);
    assert!(matches!(server.verify(&moved), Verification::Wrong { .. }));
    // Another method with the same uri.
    let mut options = request("OPTIONS", "sip:example.com", 2, b"");
    options.push(HeaderName::Authorization, &value);
    assert!(matches!(
        server.verify(&options),
        Verification::Wrong { .. }
    ));
    // A tampered nc.
    let mut replayed = register(2);
    replayed.push(
        HeaderName::Authorization,
        value.replace("nc=00000001", "nc=00000002"),
    );
    assert!(matches!(
        server.verify(&replayed),
        Verification::Wrong { .. }
    ));
    // Missing qop parameters.
    let mut bare = register(2);
    bare.push(
        HeaderName::Authorization,
        value.replace(", nc=00000001", ""),
    );
    assert!(matches!(server.verify(&bare), Verification::Wrong { .. }));
}

#[test]
fn a_server_inventing_realms_is_cut_off() {
    let mut rng = Rng::from_seed(18);
    let mut client = ClientAuth::new(vec![Credential::new("*", "alice", "wonderland")]);
    let mut challenged = register(1);
    let mut answered = 0;
    let err = loop {
        let realm = format!("realm-{answered}");
        let challenge = challenge_text(
            &challenged,
            AuthKind::Proxy,
            &[&format!(r#"Digest realm="{realm}", nonce="n""#)],
        );
        let mut retry = challenged.clone();
        match client.respond(&challenged, &challenge, &mut retry, &mut rng) {
            Ok(()) => answered += 1,
            Err(e) => break e,
        }
        challenged = retry;
        assert!(answered <= sip_core::auth::MAX_REALMS, "still answering");
    };
    assert_eq!(answered, sip_core::auth::MAX_REALMS);
    assert!(matches!(err, AuthError::Rejected { .. }));
}

#[test]
fn values_that_cannot_be_echoed_are_refused() {
    // A quoted realm folded over two lines would be echoed with spaces: the
    // credentials would never match it, and each 401 would look new.
    let mut rng = Rng::from_seed(19);
    let first = register(1);
    let challenge = challenge_text(
        &first,
        AuthKind::Www,
        &["Digest realm=\"example\r\n .com\", nonce=\"n\""],
    );
    let mut client = ClientAuth::new(vec![Credential::new("*", "alice", "wonderland")]);
    assert_eq!(
        client.respond(&first, &challenge, &mut register(2), &mut rng),
        Err(AuthError::UnsupportedScheme {
            scheme: "Digest".into()
        })
    );
}

#[test]
fn the_oracle_notices_a_wrong_password() {
    let mut rng = Rng::from_seed(20);
    let mut server = Server::new(
        AuthKind::Www,
        "example.com",
        Algorithm::Sha256,
        &[Qop::Auth],
    );
    let mut client = ClientAuth::new(alice());
    let first = register(1);
    let challenge = server.handle(&first);
    let mut retry = register(2);
    client
        .respond(&first, &challenge, &mut retry, &mut rng)
        .unwrap();
    let [value] = credentials(&retry, AuthKind::Www).try_into().unwrap();
    let ours = param_of(&value, "response").unwrap();
    assert_eq!(oracle_response(&value, "wonderland", "REGISTER", b""), ours);
    assert_ne!(oracle_response(&value, "Wonderland", "REGISTER", b""), ours);
    assert_ne!(oracle_response(&value, "wonderland", "INVITE", b""), ours);
}
