//! The digest computation against the RFCs' worked examples, against hashes
//! built by hand from `md-5` and `sha2`, and against the independent
//! `digest_auth` crate for every algorithm and qop.

use digest_auth::{AuthContext, HttpMethod};
use sha2::{Digest, Sha512_256};
use sip_core::auth::compute::{self, DigestInput};
use sip_core::auth::{Algorithm, Qop, Secret};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn plain(password: &str) -> Secret {
    Secret::Plain(password.to_owned())
}

#[test]
fn rfc2617_section_3_5() {
    let input = DigestInput {
        algorithm: Algorithm::Md5,
        username: "Mufasa",
        realm: "testrealm@host.com",
        nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        cnonce: "0a4f113b",
        nc: 1,
        qop: Some(Qop::Auth),
        method: "GET",
        uri: "/dir/index.html",
        body: b"",
    };
    assert_eq!(
        compute::response(&input, &plain("Circle Of Life")).unwrap(),
        "6629fae49393a05397450978507c4ef1"
    );
}

fn rfc7616(algorithm: Algorithm) -> DigestInput<'static> {
    DigestInput {
        algorithm,
        username: "Mufasa",
        realm: "http-auth@example.org",
        nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        nc: 1,
        qop: Some(Qop::Auth),
        method: "GET",
        uri: "/dir/index.html",
        body: b"",
    }
}

#[test]
fn rfc7616_section_3_9_1_md5() {
    // The password is "Circle of Life" here (RFC 7616 erratum 4495).
    assert_eq!(
        compute::response(&rfc7616(Algorithm::Md5), &plain("Circle of Life")).unwrap(),
        "8ca523f5e9506fed4657c9700eebdbec"
    );
}

#[test]
fn rfc7616_section_3_9_1_sha256() {
    assert_eq!(
        compute::response(&rfc7616(Algorithm::Sha256), &plain("Circle of Life")).unwrap(),
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    );
}

/// RFC 8760 gives no worked example for SHA-512-256 (and RFC 7616 §3.9.2's
/// is reported wrong, erratum 4897, and uses userhash), so the digest is
/// spelled out here from `sha2::Sha512_256` step by step.
#[test]
fn rfc8760_sha512_256_by_hand() {
    let h = |s: &str| hex(&Sha512_256::digest(s.as_bytes()));
    let input = DigestInput {
        algorithm: Algorithm::Sha512_256,
        username: "bob",
        realm: "biloxi.example.com",
        nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        cnonce: "0a4f113b",
        nc: 7,
        qop: Some(Qop::Auth),
        method: "REGISTER",
        uri: "sip:biloxi.example.com",
        body: b"",
    };
    let ha1 = h("bob:biloxi.example.com:zanzibar");
    let ha2 = h("REGISTER:sip:biloxi.example.com");
    let expected = h(&format!(
        "{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000007:0a4f113b:auth:{ha2}"
    ));
    assert_eq!(expected.len(), 64);
    assert_eq!(
        compute::response(&input, &plain("zanzibar")).unwrap(),
        expected
    );

    // -sess and auth-int, spelled out too.
    let body = b"v=0\r\no=bob 1 1 IN IP4 192.0.2.4\r\n";
    let sess = DigestInput {
        algorithm: Algorithm::Sha512_256Sess,
        qop: Some(Qop::AuthInt),
        body,
        ..input
    };
    let sess_ha1 = h(&format!(
        "{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:0a4f113b"
    ));
    let body_hash = hex(&Sha512_256::digest(body));
    let ha2 = h(&format!("REGISTER:sip:biloxi.example.com:{body_hash}"));
    let expected = h(&format!(
        "{sess_ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000007:0a4f113b:auth-int:{ha2}"
    ));
    assert_eq!(
        compute::response(&sess, &plain("zanzibar")).unwrap(),
        expected
    );
    // With the HA1 instead of the password.
    assert_eq!(
        compute::response(&sess, &Secret::Ha1(ha1)).unwrap(),
        expected
    );
}

/// RFC 2069: no qop, no nc, no cnonce (the values given are ignored).
#[test]
fn rfc2069_without_qop_by_hand() {
    let h = |s: &str| hex(&md5::Md5::digest(s.as_bytes()));
    let input = DigestInput {
        qop: None,
        nc: 99,
        cnonce: "ignored",
        ..rfc7616(Algorithm::Md5)
    };
    let ha1 = h("Mufasa:http-auth@example.org:Circle of Life");
    let ha2 = h("GET:/dir/index.html");
    let expected = h(&format!(
        "{ha1}:7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v:{ha2}"
    ));
    assert_eq!(
        compute::response(&input, &plain("Circle of Life")).unwrap(),
        expected
    );
}

fn oracle_algorithm(a: Algorithm) -> &'static str {
    // digest_auth spells the names exactly as registered (and only so).
    a.name()
}

/// The `digest_auth` crate's answer to a challenge with one qop (it prefers
/// auth-int whenever offered, so each case offers only the one wanted).
fn oracle(a: Algorithm, qop: Option<Qop>, method: &str, uri: &str, body: &[u8], nc: u32) -> String {
    let qop_param = qop.map_or(String::new(), |q| format!(", qop=\"{q}\""));
    let challenge = format!(
        "Digest realm=\"atlanta.example.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\", \
         algorithm={}{qop_param}, opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        oracle_algorithm(a)
    );
    let mut prompt = digest_auth::parse(&challenge).unwrap();
    let mut context = AuthContext::new_with_method(
        "alice",
        "s3cr\u{e9}t pass",
        uri,
        Some(body),
        HttpMethod::from(method),
    );
    context.set_custom_cnonce("0a4f113b");
    let mut answer = None;
    for _ in 0..nc {
        answer = Some(prompt.respond(&context).unwrap());
    }
    let answer = answer.unwrap();
    assert_eq!(answer.nc, nc);
    assert_eq!(
        answer.qop.map(|q| q.to_string()),
        qop.map(|q| q.to_string())
    );
    answer.response
}

#[test]
fn every_algorithm_and_qop_against_digest_auth() {
    let body = b"v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n";
    let mut checked = 0;
    for algorithm in Algorithm::ALL {
        for qop in [None, Some(Qop::Auth), Some(Qop::AuthInt)] {
            for (method, body, nc) in [("REGISTER", &b""[..], 1), ("INVITE", &body[..], 3)] {
                let uri = "sip:bob@biloxi.example.com;transport=tcp";
                let input = DigestInput {
                    algorithm,
                    username: "alice",
                    realm: "atlanta.example.com",
                    nonce: "84a4cc6f3082121f32b42a2187831a9e",
                    cnonce: "0a4f113b",
                    nc,
                    qop,
                    method,
                    uri,
                    body,
                };
                let ours = compute::response(&input, &plain("s3cr\u{e9}t pass")).unwrap();
                let theirs = oracle(algorithm, qop, method, uri, body, nc);
                assert_eq!(ours, theirs, "{algorithm} {qop:?} {method}");
                assert_eq!(ours.len(), algorithm.hex_len());
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 36);
}
