//! Properties of the digest client and server: no input makes them panic,
//! and no sequence of challenges keeps a client retrying without end.

use proptest::prelude::*;
use sip::{Message, StatusCode};
use sip_core::Rng;
use sip_core::auth::{AuthKind, ClientAuth, Credential, MAX_STALE_RETRIES, Secret, verify};

fn request(cseq: u32) -> Message {
    Message::parse(
        format!(
            "INVITE sip:bob@example.com SIP/2.0\r\n\
             Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKp{cseq}\r\n\
             Max-Forwards: 70\r\n\
             To: <sip:bob@example.com>\r\n\
             From: <sip:alice@example.com>;tag=1\r\n\
             Call-ID: prop@192.0.2.1\r\n\
             CSeq: {cseq} INVITE\r\n\
             Content-Type: text/plain\r\n\
             Content-Length: 4\r\n\r\nbody"
        )
        .as_bytes(),
    )
    .unwrap()
}

fn challenge(to: &Message, code: u16, headers: &[(AuthKind, String)]) -> Message {
    let mut r = Message::response_to(to, StatusCode::new(code).unwrap())
        .build()
        .unwrap();
    for (kind, value) in headers {
        r.push_raw(kind.challenge_header().as_str(), value);
    }
    r
}

fn client() -> ClientAuth {
    ClientAuth::new(vec![
        Credential::new("*", "alice", "secret"),
        Credential::with_ha1("r1", "bob", "0123456789abcdef0123456789abcdef", None),
        Credential::with_ha1("r2", "carol", "f".repeat(64), None),
    ])
}

fn kind() -> impl Strategy<Value = AuthKind> {
    prop_oneof![Just(AuthKind::Www), Just(AuthKind::Proxy)]
}

/// A parameter value: a token, a quoted string of anything, or garbage.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9.!%*_+`'~-]{0,12}",
        any::<String>().prop_map(|s| format!("\"{}\"", s.replace(['"', '\\'], ""))),
        "\"[ -~]{0,10}\"",
        any::<String>(),
    ]
}

/// A challenge that is mostly well-formed, with realistic names and
/// arbitrary values.
fn digest_like() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("realm"),
        Just("nonce"),
        Just("opaque"),
        Just("stale"),
        Just("algorithm"),
        Just("qop"),
        Just("domain"),
        Just("x-other"),
    ];
    let scheme = prop_oneof![Just("Digest"), Just("digest"), Just("Basic"), Just("AKAv1")];
    (scheme, prop::collection::vec((name, value()), 0..8)).prop_map(|(scheme, params)| {
        let params: Vec<String> = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
        format!("{scheme} {}", params.join(", "))
    })
}

/// A well-formed challenge from a small world of realms, nonces and
/// algorithms, so that sequences of them revisit the same realms.
fn well_formed() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["r1", "r2", "r3", "R1"]),
        prop::sample::select(vec!["n1", "n2", "n3"]),
        any::<bool>(),
        prop::sample::select(vec![
            "",
            ", algorithm=MD5",
            ", algorithm=sha-256",
            ", algorithm=SHA-512-256-sess",
            ", algorithm=MD5-sess",
            ", algorithm=AKAv1-MD5",
        ]),
        prop::sample::select(vec![
            "",
            ", qop=\"auth\"",
            ", qop=\"auth-int,auth\"",
            ", qop=\"auth-conf\"",
        ]),
    )
        .prop_map(|(realm, nonce, stale, algorithm, qop)| {
            let stale = if stale { ", stale=true" } else { "" };
            format!("Digest realm=\"{realm}\", nonce=\"{nonce}\"{stale}{algorithm}{qop}")
        })
}

fn any_challenge() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), digest_like(), well_formed()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// `respond` never panics, whatever the challenge headers say, and on
    /// success the retry still prints as a message that parses.
    #[test]
    fn respond_never_panics(
        headers in prop::collection::vec((kind(), any_challenge()), 0..5),
        code in prop::sample::select(vec![401u16, 407, 200, 403]),
        prefer_int in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut rng = Rng::from_seed(seed);
        let mut auth = client();
        auth.set_prefer_auth_int(prefer_int);
        let first = request(1);
        let response = challenge(&first, code, &headers);
        let mut retry = request(2);
        if auth.respond(&first, &response, &mut retry, &mut rng).is_ok() {
            Message::parse(&retry.to_bytes()).unwrap();
            let mut next = request(3);
            auth.authorize(&mut next, &mut rng);
            Message::parse(&next.to_bytes()).unwrap();
        }
        auth.accepted(&retry, &response);
    }

    /// `verify` never panics on arbitrary credentials.
    #[test]
    fn verify_never_panics(
        values in prop::collection::vec(any_challenge(), 0..4),
        realm in prop::sample::select(vec!["r1", "r2", ""]),
    ) {
        let mut msg = request(1);
        for v in &values {
            msg.push_raw("Authorization", v);
        }
        let lookup = |_: &str| Some(Secret::Ha1("0123456789abcdef0123456789abcdef".into()));
        let _ = verify(&msg, AuthKind::Www, realm, lookup, |_| true);
        let _ = verify(&msg, AuthKind::Www, realm, |_| Some(Secret::Plain("p".into())), |_| false);
    }

    /// Whatever a server keeps answering, a client that is never told a
    /// request was accepted gives up: each realm gets one first answer and
    /// at most MAX_STALE_RETRIES more.
    #[test]
    fn no_endless_retries(
        rounds in prop::collection::vec(
            prop::collection::vec((kind(), well_formed()), 1..4),
            1..40,
        ),
        seed in any::<u64>(),
    ) {
        let mut rng = Rng::from_seed(seed);
        let mut auth = client();
        let mut challenged = request(1);
        let mut answered = 0usize;
        for (i, headers) in rounds.iter().enumerate() {
            let code = if headers[0].0 == AuthKind::Www { 401 } else { 407 };
            let response = challenge(&challenged, code, headers);
            let mut retry = request(i as u32 + 2);
            // The caller copies the credentials it sent (as PJSIP does).
            for kind in AuthKind::ALL {
                let name = kind.credentials_header();
                for v in challenged.raw_values(name) {
                    retry.push_raw(name.as_str(), v);
                }
            }
            match auth.respond(&challenged, &response, &mut retry, &mut rng) {
                Ok(()) => {
                    answered += 1;
                    challenged = retry;
                }
                Err(_) => break,
            }
        }
        // 4 realm spellings × 2 kinds, each answered at most 1 + retries times.
        prop_assert!(answered <= 8 * (1 + usize::from(MAX_STALE_RETRIES)), "{answered}");
    }
}
