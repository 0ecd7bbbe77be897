//! Property tests of the parse ∘ print round trip.
//!
//! The generators write SIP messages as text, the way a peer would: requests
//! and responses, RFC and extension methods, `sip:`/`sips:`/`tel:` URIs with
//! users, passwords, IPv4, IPv6 and host names, ports, URI parameters and
//! headers, display names quoted (with quoted-pairs) and as tokens, several Via
//! hops on one line or many, compact header names, random case in names, folded
//! lines, unknown headers with odd but legal values, and bodies with a correct
//! Content-Length. Each generated message carries what it should parse to.
//!
//! Properties:
//! - a generated message parses ([`Message::parse`], strict) and every header
//!   field, typed value, start line and body is what was generated;
//! - print ∘ parse reaches a fixed point after one step, and the typed
//!   accessors agree between the message and its reprint;
//! - arbitrary bytes, arbitrary text and mutated messages (byte flips,
//!   truncation, insertion, deletion) never make [`Message::parse`],
//!   [`Uri::parse`] or [`Address::parse`] panic, and whatever parses reprints
//!   stably.
//!
//! Case counts are kept small enough for the file to run in well under 20 s in
//! a debug build; raise `PROPTEST_CASES` to search harder.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sip::header::{
    Accept, CSeq, CallId, Contact, ContentLength, ContentType, Expires, FromHeader, MaxForwards,
    MinExpires, PAssertedIdentity, PPreferredIdentity, Path, RSeq, RecordRoute, ReferTo,
    ReferredBy, ReplyTo, Route, ServiceRoute, ToHeader, Via,
};
use sip::uri::Uri;
use sip::{Address, Limits, Message};

// ---------------------------------------------------------------------------
// Small pieces of grammar
// ---------------------------------------------------------------------------

/// `token` (RFC 3261 §25.1).
const TOKEN: &str = r"[A-Za-z0-9.!%*_+`'~-]{1,10}";

/// Linear white space, folded sometimes.
fn lws() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just(" "),
        1 => Just("  "),
        1 => Just("\t"),
        1 => Just("\r\n "),
        1 => Just("\r\n\t"),
        1 => Just(" \r\n  "),
    ]
    .prop_map(str::to_owned)
}

/// Optional linear white space.
fn sws() -> impl Strategy<Value = String> {
    prop_oneof![3 => Just(String::new()), 1 => lws()]
}

/// Flips the case of the letters of `s` chosen by `mask`.
fn recase(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

const METHODS: &[&str] = &[
    "INVITE",
    "ACK",
    "BYE",
    "CANCEL",
    "OPTIONS",
    "REGISTER",
    "SUBSCRIBE",
    "NOTIFY",
    "PUBLISH",
    "REFER",
    "MESSAGE",
    "INFO",
    "PRACK",
    "UPDATE",
];

/// A method: one RFC 3261 and its extensions know, or an extension token
/// (case-sensitive, so `invite` is an extension).
fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(METHODS).prop_map(str::to_owned),
        1 => TOKEN,
    ]
}

fn hostname() -> impl Strategy<Value = String> {
    r"[a-zA-Z]([a-zA-Z0-9_-]{0,6}[a-zA-Z0-9])?(\.[a-zA-Z]([a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?){0,3}\.?"
}

fn ipv4() -> impl Strategy<Value = String> {
    any::<[u8; 4]>().prop_map(|b| std::net::Ipv4Addr::from(b).to_string())
}

/// An IPv6 address without brackets, in canonical, full, or upper-case form.
fn ipv6() -> impl Strategy<Value = String> {
    (any::<[u16; 8]>(), 0..4u8, any::<bool>()).prop_map(|(g, form, zero_run)| {
        let mut g = g;
        if zero_run {
            g[2] = 0;
            g[3] = 0;
            g[4] = 0;
        }
        match form {
            0 => std::net::Ipv6Addr::from(g).to_string(),
            1 => std::net::Ipv6Addr::from(g).to_string().to_uppercase(),
            2 => g
                .iter()
                .map(|x| format!("{x:04x}"))
                .collect::<Vec<_>>()
                .join(":"),
            _ => {
                // IPv4-mapped, written with a dotted quad (RFC 5118 §4.5).
                let [a, b] = g[6].to_be_bytes();
                let [c, d] = g[7].to_be_bytes();
                format!("::ffff:{a}.{b}.{c}.{d}")
            }
        }
    })
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => hostname(),
        1 => ipv4(),
        1 => ipv6().prop_map(|a| format!("[{a}]")),
    ]
}

/// `%HH` escapes mixed into a character class.
fn escaped(class: &str, len: &str) -> proptest::string::RegexGeneratorStrategy<String> {
    proptest::string::string_regex(&format!("({class}|%[0-9A-Fa-f]{{2}}){{{len}}}"))
        .expect("valid regex")
}

/// Where a URI stands, which decides which parts it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// The Request-URI: parameters, no headers.
    RequestLine,
    /// Inside `<` `>`: everything.
    Bracketed,
    /// An addr-spec without brackets: no parameters, no headers, and nothing
    /// that would end the addr-spec early (`;`, `,`).
    Bare,
}

fn sip_uri(ctx: Ctx) -> impl Strategy<Value = String> {
    let user_class = if ctx == Ctx::Bare {
        r"[A-Za-z0-9_.!~*'()&=+$?/-]"
    } else {
        r"[A-Za-z0-9_.!~*'()&=+$,;?/-]"
    };
    let user = escaped(user_class, "1,10");
    let password = escaped(r"[A-Za-z0-9_.!~*'()&=+$-]", "0,6");
    let param_part = || escaped(r"[A-Za-z0-9_.!~*'()\[\]/:&+$-]", "1,8");
    let header_name = escaped(r"[A-Za-z0-9_.!~*'()\[\]/?:+$-]", "1,6");
    let header_value = escaped(r"[A-Za-z0-9_.!~*'()\[\]/?:+$-]", "0,6");
    let param = prop_oneof![
        1 => Just(";lr".to_owned()),
        1 => proptest::sample::select(&["udp", "tcp", "TLS", "sctp", "ws"][..])
            .prop_map(|t| format!(";transport={t}")),
        1 => Just(";user=phone".to_owned()),
        1 => hostname().prop_map(|h| format!(";maddr={h}")),
        3 => (param_part(), proptest::option::of(param_part()))
            .prop_map(|(n, v)| match v {
                Some(v) => format!(";{n}={v}"),
                None => format!(";{n}"),
            }),
    ];
    let headers = vec(
        (header_name, header_value).prop_map(|(n, v)| format!("{n}={v}")),
        1..3,
    )
    .prop_map(|h| format!("?{}", h.join("&")));
    (
        prop_oneof![Just("sip"), Just("sips"), Just("SIP"), Just("Sips")],
        proptest::option::of((user, proptest::option::of(password))),
        host(),
        proptest::option::of(any::<u16>()),
        if ctx == Ctx::Bare {
            Just(Vec::new()).boxed()
        } else {
            vec(param, 0..4).boxed()
        },
        if ctx == Ctx::Bracketed {
            proptest::option::weighted(0.2, headers).boxed()
        } else {
            Just(None).boxed()
        },
    )
        .prop_map(|(scheme, userinfo, host, port, params, headers)| {
            let mut s = format!("{scheme}:");
            if let Some((user, password)) = userinfo {
                s.push_str(&user);
                if let Some(p) = password {
                    s.push(':');
                    s.push_str(&p);
                }
                s.push('@');
            }
            s.push_str(&host);
            if let Some(p) = port {
                s.push_str(&format!(":{p}"));
            }
            for p in params {
                s.push_str(&p);
            }
            if let Some(h) = headers {
                s.push_str(&h);
            }
            s
        })
}

fn tel_uri(ctx: Ctx) -> impl Strategy<Value = String> {
    let global = r"\+[0-9][0-9().-]{0,12}";
    let local = r"[0-9A-Fa-f*#][0-9A-Fa-f*#().-]{0,8}";
    let param = || escaped(r"[A-Za-z0-9_.!~*'()\[\]/:&+$-]", "1,8");
    if ctx == Ctx::Bare {
        // Bare, the parameters would belong to the header: global numbers only.
        global.prop_map(|n| format!("tel:{n}")).boxed()
    } else {
        prop_oneof![
            (global, vec(param(), 0..2)).prop_map(|(n, p)| {
                let p: String = p.iter().map(|p| format!(";{p}")).collect();
                format!("tel:{n}{p}")
            }),
            (
                local,
                prop_oneof![hostname(), r"\+[0-9]{1,8}"],
                vec(param(), 0..2)
            )
                .prop_map(|(n, ctx, p)| {
                    let p: String = p.iter().map(|p| format!(";{p}")).collect();
                    format!("tel:{n};phone-context={ctx}{p}")
                }),
        ]
        .boxed()
    }
}

fn uri(ctx: Ctx) -> impl Strategy<Value = String> {
    prop_oneof![4 => sip_uri(ctx), 1 => tel_uri(ctx)]
}

/// The inside of a quoted string, as written and as meant.
fn quoted_inner() -> impl Strategy<Value = (String, String)> {
    vec(
        prop_oneof![
            8 => r"[ !#-\[\]-~]".prop_map(|c| (c.clone(), c)),
            1 => r"[éüß€日本😀]".prop_map(|c| (c.clone(), c)),
            2 => r"[ -~]".prop_map(|c| (format!("\\{c}"), c)),
            1 => Just(("\r\n ".to_owned(), "\r\n ".to_owned())),
        ],
        0..12,
    )
    .prop_map(|parts| parts.into_iter().unzip())
}

/// A display name followed by the white space before `<`, and its text.
fn display_name() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        (quoted_inner(), sws()).prop_map(|((raw, text), ws)| (format!("\"{raw}\"{ws}"), text)),
        (TOKEN, vec((lws(), TOKEN), 0..3), sws()).prop_map(|(first, rest, ws)| {
            let mut text = first;
            for (sep, t) in rest {
                text.push_str(&sep);
                text.push_str(&t);
            }
            (format!("{text}{ws}"), text)
        }),
    ]
}

fn quoted_string() -> impl Strategy<Value = String> {
    quoted_inner().prop_map(|(raw, _)| format!("\"{raw}\""))
}

/// Names of header parameters the generators set themselves, which random
/// parameters must not shadow.
const RESERVED_PARAMS: &[&str] = &[
    "tag", "q", "expires", "branch", "received", "rport", "ttl", "maddr",
];

/// `SEMI generic-param`, with optional white space around `;` and `=`.
fn generic_param() -> impl Strategy<Value = String> {
    (
        sws(),
        sws(),
        TOKEN.prop_filter("reserved parameter name", |n| {
            !RESERVED_PARAMS.iter().any(|r| r.eq_ignore_ascii_case(n))
        }),
        proptest::option::of((
            sws(),
            sws(),
            prop_oneof![
                3 => TOKEN.boxed(),
                1 => host().boxed(),
                1 => quoted_string().boxed(),
            ],
        )),
    )
        .prop_map(|(a, b, name, value)| match value {
            Some((c, d, v)) => format!("{a};{b}{name}{c}={d}{v}"),
            None => format!("{a};{b}{name}"),
        })
}

fn named_param(
    name: &'static str,
    value: impl Strategy<Value = String> + 'static,
) -> BoxedStrategy<String> {
    (sws(), sws(), value)
        .prop_map(move |(a, b, v)| format!("{a};{b}{name}={v}"))
        .boxed()
}

/// What an address should parse to.
#[derive(Debug, Clone)]
struct AddrExpect {
    uri: String,
    display: Option<String>,
    tag: Option<String>,
}

/// A name-addr or addr-spec with parameters; `extra` adds more parameters.
fn address(
    name_addr_only: bool,
    tag: bool,
    extra: BoxedStrategy<Vec<String>>,
) -> impl Strategy<Value = (String, AddrExpect)> {
    let name_addr =
        (proptest::option::of(display_name()), uri(Ctx::Bracketed)).prop_map(|(dn, uri)| {
            let (prefix, display) = match dn {
                Some((raw, text)) => (raw, Some(text)),
                None => (String::new(), None),
            };
            (format!("{prefix}<{uri}>"), uri, display)
        });
    let addr_spec = uri(Ctx::Bare).prop_map(|uri| (uri.clone(), uri, None));
    let form = if name_addr_only {
        name_addr.boxed()
    } else {
        prop_oneof![3 => name_addr, 1 => addr_spec].boxed()
    };
    let tag = if tag {
        proptest::option::weighted(0.8, TOKEN).boxed()
    } else {
        Just(None).boxed()
    };
    (
        form,
        tag,
        (sws(), sws()),
        vec(generic_param(), 0..3),
        extra,
        any::<prop::sample::Index>(),
    )
        .prop_map(
            |((text, uri, display), tag, (a, b), mut params, extra, at)| {
                params.extend(extra);
                if let Some(t) = &tag {
                    let at = at.index(params.len() + 1);
                    params.insert(at, format!("{a};{b}tag={t}"));
                }
                (
                    format!("{text}{}", params.concat()),
                    AddrExpect { uri, display, tag },
                )
            },
        )
}

fn no_params() -> BoxedStrategy<Vec<String>> {
    Just(Vec::new()).boxed()
}

// ---------------------------------------------------------------------------
// Header lines
// ---------------------------------------------------------------------------

/// What a header line should parse to, where the test checks it typed.
#[derive(Debug, Clone)]
enum Kind {
    Via(Vec<String>),
    From(AddrExpect),
    To(AddrExpect),
    CallId(String),
    CSeq(u32, String),
    MaxForwards(u8),
    Contact(usize),
    ContentType,
    ContentLength,
    Other,
}

/// One header line: the name and value as written, and what they mean.
#[derive(Debug, Clone)]
struct Line {
    name: String,
    value: String,
    kind: Kind,
}

/// A header name: long or compact form, letters in random case.
fn name(long: &'static str, compact: Option<&'static str>) -> impl Strategy<Value = String> {
    (any::<bool>(), any::<u64>(), 0..3u8).prop_map(move |(use_compact, mask, case)| {
        let n = match compact {
            Some(c) if use_compact => c,
            _ => long,
        };
        match case {
            0 => n.to_owned(),
            1 => n.to_ascii_lowercase(),
            _ => recase(n, mask),
        }
    })
}

fn via_hop() -> impl Strategy<Value = (String, String)> {
    let transport = prop_oneof![
        4 => proptest::sample::select(&["UDP", "TCP", "TLS", "SCTP", "WS", "WSS", "udp"][..])
            .prop_map(str::to_owned),
        1 => TOKEN,
    ];
    let maddr = prop_oneof![hostname(), ipv4()];
    let received = prop_oneof![ipv4(), ipv6(), ipv6().prop_map(|a| format!("[{a}]"))];
    let extras = (
        proptest::option::weighted(0.3, named_param("received", received)),
        proptest::option::weighted(
            0.3,
            prop_oneof![
                sws().prop_map(|a| format!("{a};rport")),
                named_param("rport", any::<u16>().prop_map(|p| p.to_string())),
            ],
        ),
        proptest::option::weighted(
            0.1,
            named_param("ttl", any::<u8>().prop_map(|t| t.to_string())),
        ),
        proptest::option::weighted(0.1, named_param("maddr", maddr)),
        vec(generic_param(), 0..2),
    );
    (
        (sws(), sws(), sws(), sws()),
        transport,
        lws(),
        host(),
        proptest::option::of((sws(), sws(), any::<u16>())),
        (sws(), sws(), TOKEN),
        extras,
        any::<prop::sample::Index>(),
    )
        .prop_map(
            |((a, b, c, d), transport, ws, host, port, (e, f, branch), extras, at)| {
                let branch = format!("z9hG4bK{branch}");
                let mut text = format!("SIP{a}/{b}2.0{c}/{d}{transport}{ws}{host}");
                if let Some((x, y, p)) = port {
                    text.push_str(&format!("{x}:{y}{p}"));
                }
                let (received, rport, ttl, maddr, generic) = extras;
                let mut params: Vec<String> = [received, rport, ttl, maddr]
                    .into_iter()
                    .flatten()
                    .chain(generic)
                    .collect();
                params.insert(
                    at.index(params.len() + 1),
                    format!("{e};{f}branch={branch}"),
                );
                text.push_str(&params.concat());
                (text, branch)
            },
        )
}

/// `sws "," sws`, the separator of list elements.
fn comma() -> impl Strategy<Value = String> {
    (sws(), sws()).prop_map(|(a, b)| format!("{a},{b}"))
}

/// Via lines: one to four hops on one to four lines.
fn via_lines() -> impl Strategy<Value = Vec<Line>> {
    vec((via_hop(), any::<bool>(), comma()), 1..5)
        .prop_flat_map(|hops| {
            let lines = hops.len();
            (Just(hops), vec(name("Via", Some("v")), lines))
        })
        .prop_map(|(hops, names)| {
            let mut lines: Vec<Line> = Vec::new();
            for (i, ((text, branch), new_line, sep)) in hops.into_iter().enumerate() {
                match lines.last_mut() {
                    Some(Line {
                        value,
                        kind: Kind::Via(branches),
                        ..
                    }) if !new_line => {
                        value.push_str(&sep);
                        value.push_str(&text);
                        branches.push(branch);
                    }
                    _ => lines.push(Line {
                        name: names[i].clone(),
                        value: text,
                        kind: Kind::Via(vec![branch]),
                    }),
                }
            }
            lines
        })
}

fn from_line() -> impl Strategy<Value = Line> {
    (name("From", Some("f")), address(false, true, no_params())).prop_map(|(name, (value, a))| {
        Line {
            name,
            value,
            kind: Kind::From(a),
        }
    })
}

fn to_line() -> impl Strategy<Value = Line> {
    (name("To", Some("t")), address(false, true, no_params())).prop_map(|(name, (value, a))| Line {
        name,
        value,
        kind: Kind::To(a),
    })
}

fn call_id_line() -> impl Strategy<Value = Line> {
    const WORD: &str = r#"[A-Za-z0-9.!%*_+`'~()<>:\\"/\[\]?{}-]{1,16}"#;
    (
        name("Call-ID", Some("i")),
        WORD,
        proptest::option::of(prop_oneof![WORD.boxed(), host().boxed()]),
    )
        .prop_map(|(name, a, b)| {
            let id = match b {
                Some(b) => format!("{a}@{b}"),
                None => a,
            };
            Line {
                name,
                value: id.clone(),
                kind: Kind::CallId(id),
            }
        })
}

fn cseq_line(method: impl Strategy<Value = String>) -> impl Strategy<Value = Line> {
    (name("CSeq", None), any::<u32>(), lws(), method).prop_map(|(name, seq, ws, method)| Line {
        name,
        value: format!("{seq}{ws}{method}"),
        kind: Kind::CSeq(seq, method),
    })
}

fn max_forwards_line() -> impl Strategy<Value = Line> {
    (name("Max-Forwards", None), any::<u8>()).prop_map(|(name, n)| Line {
        name,
        value: n.to_string(),
        kind: Kind::MaxForwards(n),
    })
}

fn contact_lines() -> impl Strategy<Value = Vec<Line>> {
    let qvalue = prop_oneof![
        Just("1".to_owned()),
        Just("1.000".to_owned()),
        Just("0".to_owned()),
        r"0\.[0-9]{1,3}",
    ];
    let extra = (
        proptest::option::weighted(
            0.3,
            named_param("expires", any::<u32>().prop_map(|e| e.to_string())),
        ),
        proptest::option::weighted(0.3, named_param("q", qvalue)),
    )
        .prop_map(|(e, q)| e.into_iter().chain(q).collect::<Vec<_>>())
        .boxed();
    let line = (
        name("Contact", Some("m")),
        vec((address(false, false, extra), comma()), 1..4),
    )
        .prop_map(|(name, addrs)| {
            let n = addrs.len();
            let mut value = String::new();
            for (i, ((text, _), sep)) in addrs.into_iter().enumerate() {
                if i > 0 {
                    value.push_str(&sep);
                }
                value.push_str(&text);
            }
            Line {
                name,
                value,
                kind: Kind::Contact(n),
            }
        });
    let wildcard = name("Contact", Some("m")).prop_map(|name| Line {
        name,
        value: "*".to_owned(),
        kind: Kind::Contact(1),
    });
    prop_oneof![4 => vec(line, 0..3), 1 => wildcard.prop_map(|l| vec![l])]
}

/// Route-like lines: name-addr lists.
fn route_lines() -> impl Strategy<Value = Vec<Line>> {
    let one = (
        prop_oneof![
            name("Route", None),
            name("Record-Route", None),
            name("Path", None),
            name("Service-Route", None)
        ],
        vec((address(true, false, no_params()), comma()), 1..3),
    )
        .prop_map(|(name, addrs)| {
            let mut value = String::new();
            for (i, ((text, _), sep)) in addrs.into_iter().enumerate() {
                if i > 0 {
                    value.push_str(&sep);
                }
                value.push_str(&text);
            }
            Line {
                name,
                value,
                kind: Kind::Other,
            }
        });
    vec(one, 0..3)
}

/// Headers whose value is an address or a number, besides the core ones.
fn other_typed_lines() -> impl Strategy<Value = Vec<Line>> {
    let address_line = (
        prop_oneof![
            name("Refer-To", Some("r")),
            name("Referred-By", Some("b")),
            name("Reply-To", None),
            name("P-Asserted-Identity", None),
            name("P-Preferred-Identity", None),
        ],
        address(false, false, no_params()),
    )
        .prop_map(|(name, (value, _))| Line {
            name,
            value,
            kind: Kind::Other,
        });
    let number_line = (
        prop_oneof![
            name("Expires", None),
            name("Min-Expires", None),
            name("RSeq", None)
        ],
        any::<u32>(),
    )
        .prop_map(|(name, n)| Line {
            name,
            value: n.to_string(),
            kind: Kind::Other,
        });
    let media_range = (
        prop_oneof![Just("*".to_owned()), TOKEN.boxed()],
        prop_oneof![Just("*".to_owned()), TOKEN.boxed()],
        sws(),
        sws(),
        vec(generic_param(), 0..2),
    )
        .prop_map(|(t, s, a, b, p)| format!("{t}{a}/{b}{s}{}", p.concat()));
    let accept_line =
        (name("Accept", None), vec((media_range, comma()), 1..3)).prop_map(|(name, ranges)| {
            let mut value = String::new();
            for (i, (r, sep)) in ranges.into_iter().enumerate() {
                if i > 0 {
                    value.push_str(&sep);
                }
                value.push_str(&r);
            }
            Line {
                name,
                value,
                kind: Kind::Other,
            }
        });
    vec(prop_oneof![address_line, number_line, accept_line], 0..3)
}

/// Headers of free or simple grammar this crate knows by name.
fn free_lines() -> impl Strategy<Value = Vec<Line>> {
    let subject = (name("Subject", Some("s")), free_text()).prop_map(|(name, value)| Line {
        name,
        value,
        kind: Kind::Other,
    });
    let user_agent = (
        prop_oneof![name("User-Agent", None), name("Server", None)],
        TOKEN,
        proptest::option::of(TOKEN),
        proptest::option::of(r"[A-Za-z0-9 ;.:/_-]{1,12}"),
    )
        .prop_map(|(name, product, version, comment)| {
            let mut value = product;
            if let Some(v) = version {
                value.push('/');
                value.push_str(&v);
            }
            if let Some(c) = comment {
                value.push_str(&format!(" ({})", c.trim()));
            }
            Line {
                name,
                value,
                kind: Kind::Other,
            }
        });
    let options = (
        prop_oneof![
            name("Supported", Some("k")),
            name("Require", None),
            name("Proxy-Require", None),
            name("Unsupported", None)
        ],
        vec((TOKEN, comma()), 1..4),
    )
        .prop_map(|(name, tags)| {
            let mut value = String::new();
            for (i, (t, sep)) in tags.into_iter().enumerate() {
                if i > 0 {
                    value.push_str(&sep);
                }
                value.push_str(&t);
            }
            Line {
                name,
                value,
                kind: Kind::Other,
            }
        });
    let allow = (name("Allow", None), vec((method(), comma()), 1..5)).prop_map(|(name, ms)| {
        let mut value = String::new();
        for (i, (m, sep)) in ms.into_iter().enumerate() {
            if i > 0 {
                value.push_str(&sep);
            }
            value.push_str(&m);
        }
        Line {
            name,
            value,
            kind: Kind::Other,
        }
    });
    vec(prop_oneof![subject, user_agent, options, allow], 0..3)
}

/// TEXT-UTF8 with inner white space and folds, not starting or ending with
/// white space.
fn free_text() -> impl Strategy<Value = String> {
    vec(
        (
            prop_oneof![
                6 => r"[!-~]{1,8}",
                1 => r"[éüß€日本😀]{1,3}",
                1 => quoted_string(),
            ],
            lws(),
            any::<bool>(),
        ),
        1..6,
    )
    .prop_map(|pieces| {
        let n = pieces.len();
        let mut s = String::new();
        for (i, (piece, ws, glue)) in pieces.into_iter().enumerate() {
            s.push_str(&piece);
            if i + 1 < n && !glue {
                s.push_str(&ws);
            }
        }
        s
    })
}

/// An extension header with an odd but legal value (or an empty one).
fn unknown_line() -> impl Strategy<Value = Line> {
    (
        r"[Xx]-[A-Za-z0-9.!%*_+`'~-]{1,12}",
        any::<u64>(),
        prop_oneof![
            1 => Just(String::new()),
            6 => free_text(),
            1 => r#"[()<>@,;:\\"/\[\]?={}]{1,6}"#,
            1 => (address(false, false, no_params()), comma(), address(true, false, no_params()))
                .prop_map(|((a, _), sep, (b, _))| format!("{a}{sep}{b}")),
        ],
    )
        .prop_map(|(name, mask, value)| Line {
            name: recase(&name, mask),
            value,
            kind: Kind::Other,
        })
}

// ---------------------------------------------------------------------------
// Whole messages
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Start {
    Request { method: String, uri: String },
    Response { code: u16, reason: String },
}

fn start_line() -> impl Strategy<Value = Start> {
    prop_oneof![
        (method(), uri(Ctx::RequestLine)).prop_map(|(method, uri)| Start::Request { method, uri }),
        (
            100..700u16,
            prop_oneof![
                4 => r"[A-Za-z][A-Za-z .,/'-]{0,20}",
                1 => Just(String::new()),
                1 => r"[ -~]{0,20}",
                1 => r"[a-zé日本😀 ]{1,10}",
            ]
        )
            .prop_map(|(code, reason)| Start::Response { code, reason }),
    ]
}

fn body() -> impl Strategy<Value = (Option<(String, String, String)>, Vec<u8>)> {
    let sdp = (ipv4(), any::<u32>(), 1024..65000u16).prop_map(|(ip, id, port)| {
        format!(
            "v=0\r\no=- {id} {id} IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
             m=audio {port} RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
        )
        .into_bytes()
    });
    prop_oneof![
        2 => Just((None, Vec::new())),
        2 => sdp.prop_map(|b| (Some(("application".to_owned(), "sdp".to_owned(), String::new())), b)),
        1 => (vec(any::<u8>(), 1..200), vec(generic_param(), 0..2)).prop_map(|(b, p)| {
            (Some(("application".to_owned(), "octet-stream".to_owned(), p.concat())), b)
        }),
        1 => r"[ -~\r\n]{1,100}".prop_map(|t| {
            (Some(("text".to_owned(), "plain".to_owned(), ";charset=UTF-8".to_owned())), t.into_bytes())
        }),
    ]
}

/// How each header line is laid out around its name and value.
#[derive(Debug, Clone)]
struct Layout {
    before_colon: &'static str,
    after_colon: &'static str,
    trailing: &'static str,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        prop_oneof![8 => Just(""), 1 => Just(" "), 1 => Just("\t ")],
        prop_oneof![8 => Just(" "), 1 => Just(""), 1 => Just("   "), 1 => Just("\t"), 1 => Just("\r\n ")],
        prop_oneof![8 => Just(""), 1 => Just(" "), 1 => Just("\t")],
    )
        .prop_map(|(before_colon, after_colon, trailing)| Layout {
            before_colon,
            after_colon,
            trailing,
        })
}

/// A generated message: its text, the header fields it should parse to, and
/// the rest of what it means.
#[derive(Debug, Clone)]
struct Generated {
    text: Vec<u8>,
    start: Start,
    lines: Vec<Line>,
    content_type: Option<(String, String)>,
    body: Vec<u8>,
}

impl Generated {
    fn vias(&self) -> Vec<&str> {
        self.lines
            .iter()
            .flat_map(|l| match &l.kind {
                Kind::Via(b) => b.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    fn find<T>(&self, f: impl Fn(&Kind) -> Option<T>) -> Option<T> {
        self.lines.iter().find_map(|l| f(&l.kind))
    }
}

fn message() -> impl Strategy<Value = Generated> {
    start_line()
        .prop_flat_map(|start| {
            let cseq_method = match &start {
                Start::Request { method, .. } => Just(method.clone()).boxed(),
                Start::Response { .. } => method().boxed(),
            };
            (
                Just(start),
                (
                    via_lines(),
                    from_line(),
                    to_line(),
                    call_id_line(),
                    cseq_line(cseq_method),
                    proptest::option::weighted(0.8, max_forwards_line()),
                    contact_lines(),
                ),
                (
                    route_lines(),
                    other_typed_lines(),
                    free_lines(),
                    vec(unknown_line(), 0..4),
                ),
                body(),
                (
                    name("Content-Type", Some("c")),
                    name("Content-Length", Some("l")),
                    prop_oneof![4 => Just(""), 1 => Just("0"), 1 => Just("00")],
                ),
            )
        })
        .prop_flat_map(
            |(start, core, extra, (ct, body), (ct_name, cl_name, cl_zeros))| {
                let (vias, from, to, call_id, cseq, max_forwards, contacts) = core;
                let (routes, typed, free, unknown) = extra;
                let mut lines = vias;
                lines.extend([from, to, call_id, cseq]);
                lines.extend(max_forwards);
                lines.extend(contacts);
                lines.extend(routes);
                lines.extend(typed);
                lines.extend(free);
                lines.extend(unknown);
                let content_type = ct.map(|(kind, sub, params)| {
                    lines.push(Line {
                        name: ct_name,
                        value: format!("{kind}/{sub}{params}"),
                        kind: Kind::ContentType,
                    });
                    (kind, sub)
                });
                lines.push(Line {
                    name: cl_name,
                    value: format!("{cl_zeros}{}", body.len()),
                    kind: Kind::ContentLength,
                });
                let n = lines.len();
                (
                    Just(start),
                    Just(lines).prop_shuffle(),
                    vec(layout(), n),
                    Just(content_type),
                    Just(body),
                    0..3usize,
                    prop_oneof![6 => Just(false), 1 => Just(true)],
                    prop_oneof![4 => Just("SIP/2.0"), 1 => Just("sip/2.0"), 1 => Just("Sip/2.0")],
                )
            },
        )
        .prop_map(
            |(start, mut lines, layouts, content_type, body, leading, bare_lf, version)| {
                let mut head = "\r\n".repeat(leading);
                match &start {
                    Start::Request { method, uri } => {
                        head.push_str(&format!("{method} {uri} {version}\r\n"))
                    }
                    Start::Response { code, reason } => {
                        head.push_str(&format!("{version} {code} {reason}\r\n"))
                    }
                }
                for (line, layout) in lines.iter().zip(&layouts) {
                    // A value cannot start on a continuation line if it is empty.
                    let after = if line.value.is_empty() && layout.after_colon.contains('\n') {
                        " "
                    } else {
                        layout.after_colon
                    };
                    head.push_str(&format!(
                        "{}{}:{after}{}{}\r\n",
                        line.name, layout.before_colon, line.value, layout.trailing
                    ));
                }
                head.push_str("\r\n");
                if bare_lf {
                    head = head.replace("\r\n", "\n");
                    for l in &mut lines {
                        l.value = l.value.replace("\r\n", "\n");
                        if let Kind::From(a) | Kind::To(a) = &mut l.kind {
                            a.display = a.display.as_ref().map(|d| d.replace("\r\n", "\n"));
                        }
                    }
                }
                let mut text = head.into_bytes();
                text.extend_from_slice(&body);
                Generated {
                    text,
                    start,
                    lines,
                    content_type,
                    body,
                }
            },
        )
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

/// Reads every typed value the crate offers, so that lazy parsing runs over
/// the whole message; returns a description to compare across a round trip.
fn typed_summary(m: &Message) -> String {
    fn all<'a, H: sip::header::TypedHeader<'a> + std::fmt::Debug + 'a>(
        m: &'a Message,
        out: &mut String,
    ) {
        for v in m.typed_all::<H>() {
            out.push_str(&format!("{v:?}\n"));
        }
    }
    let mut out = format!(
        "{:?} {:?} {:?} {:?} {:?}\n",
        m.method(),
        m.request_uri(),
        m.status(),
        m.reason(),
        m.body()
    );
    out.push_str(&format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n",
        m.via(),
        m.from(),
        m.to(),
        m.call_id(),
        m.cseq(),
        m.contacts().collect::<Vec<_>>(),
        m.content_type(),
    ));
    all::<Via<'_>>(m, &mut out);
    all::<FromHeader<'_>>(m, &mut out);
    all::<ToHeader<'_>>(m, &mut out);
    all::<CallId<'_>>(m, &mut out);
    all::<CSeq<'_>>(m, &mut out);
    all::<Contact<'_>>(m, &mut out);
    all::<ContentType<'_>>(m, &mut out);
    all::<ContentLength>(m, &mut out);
    all::<MaxForwards>(m, &mut out);
    all::<Expires>(m, &mut out);
    all::<MinExpires>(m, &mut out);
    all::<RSeq>(m, &mut out);
    all::<Accept<'_>>(m, &mut out);
    all::<Route<'_>>(m, &mut out);
    all::<RecordRoute<'_>>(m, &mut out);
    all::<Path<'_>>(m, &mut out);
    all::<ServiceRoute<'_>>(m, &mut out);
    all::<ReferTo<'_>>(m, &mut out);
    all::<ReferredBy<'_>>(m, &mut out);
    all::<ReplyTo<'_>>(m, &mut out);
    all::<PAssertedIdentity<'_>>(m, &mut out);
    all::<PPreferredIdentity<'_>>(m, &mut out);
    out.push_str(&format!("{:?}\n", m.repeated_single_header()));
    for h in m.headers() {
        out.push_str(&format!("{:?} {:?} {:?}\n", h.kind, h.name, h.value));
    }
    out
}

/// For a message that parsed: its print parses (strictly if `strict`), prints
/// the same again, and reads the same typed.
fn assert_stable_reprint(m: &Message, strict: bool) -> Result<(), TestCaseError> {
    let printed = m.to_bytes();
    let again = if strict {
        Message::parse(&printed)
    } else {
        Message::parse_lazy(&printed, &Limits::default())
    };
    let again = match again {
        Ok(a) => a,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "printed message does not reparse: {e}\n{}",
                String::from_utf8_lossy(&printed)
            )));
        }
    };
    let reprinted = again.to_bytes();
    prop_assert_eq!(
        String::from_utf8_lossy(&reprinted),
        String::from_utf8_lossy(&printed),
        "print ∘ parse ∘ print differs from print"
    );
    prop_assert_eq!(&reprinted, &printed);
    prop_assert_eq!(typed_summary(&again), typed_summary(m));
    Ok(())
}

/// Parsing arbitrary input: no panic, and what parses reprints stably.
fn check_any_input(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(m) = Message::parse(bytes) {
        assert_stable_reprint(&m, true)?;
    }
    if let Ok(m) = Message::parse_lazy(bytes, &Limits::default()) {
        let _ = m.validate();
        assert_stable_reprint(&m, false)?;
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        check_uri_text(text)?;
    }
    Ok(())
}

/// Parsing arbitrary text as a URI or address: no panic, and what parses
/// prints to text that parses to an equivalent value.
fn check_uri_text(text: &str) -> Result<(), TestCaseError> {
    if let Ok(u) = Uri::parse(text) {
        let printed = u.to_string();
        let again = Uri::parse(&printed);
        prop_assert!(
            again.is_ok(),
            "{text:?} printed as {printed:?} does not reparse"
        );
        let again = again.unwrap();
        prop_assert!(
            again.equivalent(&u) && u.equivalent(&again),
            "{text:?} printed as {printed:?} is not equivalent"
        );
        prop_assert_eq!(again.to_string(), printed);
    }
    if let Ok(a) = Address::parse(text) {
        let printed = a.to_string();
        let again = Address::parse(&printed);
        prop_assert!(
            again.is_ok(),
            "{text:?} printed as {printed:?} does not reparse"
        );
        let again = again.unwrap();
        prop_assert!(again.uri.equivalent(&a.uri), "{text:?}: URI changed");
        prop_assert_eq!(again.uri.to_string(), a.uri.to_string());
        prop_assert_eq!(&again.params, &a.params);
        prop_assert_eq!(
            again.display_name.as_ref().map(|d| d.text()),
            a.display_name.as_ref().map(|d| d.text())
        );
        prop_assert_eq!(again.to_string(), printed);
    }
    Ok(())
}

fn check_address(
    what: &str,
    got: Option<&Address<'_>>,
    want: &AddrExpect,
) -> Result<(), TestCaseError> {
    let Some(got) = got else {
        return Err(TestCaseError::fail(format!("{what} missing or malformed")));
    };
    let uri = Uri::parse(&want.uri)
        .map_err(|e| TestCaseError::fail(format!("{what}: generated URI {:?}: {e}", want.uri)))?;
    prop_assert!(
        got.uri.equivalent(&uri),
        "{}: URI {} is not {}",
        what,
        got.uri,
        want.uri
    );
    prop_assert_eq!(got.tag(), want.tag.as_deref(), "{} tag", what);
    prop_assert_eq!(
        got.display_name.as_ref().map(|d| d.text().into_owned()),
        want.display.clone(),
        "{} display name",
        what
    );
    Ok(())
}

/// A parsed message says what the generator meant.
fn check_meaning(m: &Message, g: &Generated) -> Result<(), TestCaseError> {
    let headers: Vec<(&str, &str)> = m.headers().map(|h| (h.name, h.value)).collect();
    let want: Vec<(&str, &str)> = g
        .lines
        .iter()
        .map(|l| (l.name.as_str(), l.value.as_str()))
        .collect();
    prop_assert_eq!(headers, want);

    match &g.start {
        Start::Request { method, uri } => {
            prop_assert_eq!(
                m.method().map(|m| m.as_str().to_owned()),
                Some(method.clone())
            );
            prop_assert_eq!(m.request_uri_str(), Some(uri.as_str()));
            let want = Uri::parse(uri).unwrap();
            prop_assert!(m.request_uri().is_some_and(|u| u.equivalent(&want)));
        }
        Start::Response { code, reason } => {
            prop_assert_eq!(m.status().map(|s| s.code()), Some(*code));
            prop_assert_eq!(m.reason(), Some(reason.as_str()));
        }
    }

    let vias: Vec<String> = m
        .typed_all::<Via<'_>>()
        .map(|v| v.map(|v| v.branch().unwrap_or("").to_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| TestCaseError::fail(format!("Via: {e}")))?;
    prop_assert_eq!(vias, g.vias());
    let top = m.via().and_then(|v| v.branch().map(str::to_owned));
    prop_assert_eq!(top.as_deref(), g.vias().first().copied());

    let from = g.find(|k| match k {
        Kind::From(a) => Some(a.clone()),
        _ => None,
    });
    check_address("From", m.from().as_deref(), &from.unwrap())?;
    let to = g.find(|k| match k {
        Kind::To(a) => Some(a.clone()),
        _ => None,
    });
    check_address("To", m.to().as_deref(), &to.unwrap())?;

    let call_id = g.find(|k| match k {
        Kind::CallId(c) => Some(c.clone()),
        _ => None,
    });
    prop_assert_eq!(m.call_id().map(|c| c.as_str().to_owned()), call_id);

    let cseq = g.find(|k| match k {
        Kind::CSeq(n, m) => Some((*n, m.clone())),
        _ => None,
    });
    prop_assert_eq!(
        m.cseq().map(|c| (c.seq, c.method.as_str().to_owned())),
        cseq
    );

    let max_forwards = g.find(|k| match k {
        Kind::MaxForwards(n) => Some(*n),
        _ => None,
    });
    prop_assert_eq!(
        m.typed::<MaxForwards>().and_then(Result::ok).map(|n| n.0),
        max_forwards
    );

    let contacts: usize = g
        .lines
        .iter()
        .map(|l| match l.kind {
            Kind::Contact(n) => n,
            _ => 0,
        })
        .sum();
    prop_assert_eq!(m.contacts().count(), contacts);
    prop_assert_eq!(m.typed_all::<Contact<'_>>().count(), contacts);

    prop_assert_eq!(
        m.content_type()
            .map(|c| (c.kind.to_string(), c.subtype.to_string())),
        g.content_type.clone()
    );
    prop_assert!(
        g.lines
            .iter()
            .any(|l| matches!(l.kind, Kind::ContentLength))
    );
    prop_assert_eq!(
        m.typed::<ContentLength>()
            .and_then(Result::ok)
            .map(|c| c.0 as usize),
        Some(g.body.len())
    );
    prop_assert_eq!(m.body().as_ref(), g.body.as_slice());
    Ok(())
}

/// One edit to a message's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(prop::sample::Index, u8),
    Set(prop::sample::Index, u8),
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
    Truncate(prop::sample::Index),
    Duplicate(prop::sample::Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        any::<u8>(),
        proptest::sample::select(&b"\r\n \t:;,<>\"\\@%[]=?/0123456789\x00\x80\xc3\xe2\xff"[..]),
    ];
    let inserted = prop_oneof![
        vec(any::<u8>(), 1..4),
        proptest::sample::select(
            [
                &b"\r\n"[..],
                b"\r\n ",
                b"\r\n\r\n",
                b"\n\n",
                b"\"",
                b"<",
                b">",
                b",",
                b";",
                b"%",
                b"\xc3\xa9",
                b"\xe2\x82\xac",
                b"Content-Length: 99999\r\n",
                b"Via: SIP/2.0/UDP h;branch=z9hG4bKx, ",
            ]
            .to_vec()
        )
        .prop_map(<[u8]>::to_vec),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), 1..=255u8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<prop::sample::Index>(), interesting).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<prop::sample::Index>(), inserted).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<prop::sample::Index>(), 1..8usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (any::<prop::sample::Index>(), 1..40usize).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let len = bytes.len();
    match m {
        Mutation::Flip(i, b) => bytes[i.index(len)] ^= b,
        Mutation::Set(i, b) => bytes[i.index(len)] = *b,
        Mutation::Insert(i, b) => {
            let at = i.index(len + 1);
            bytes.splice(at..at, b.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let at = i.index(len);
            bytes.drain(at..(at + n).min(len));
        }
        Mutation::Truncate(i) => bytes.truncate(i.index(len)),
        Mutation::Duplicate(i, n) => {
            let at = i.index(len);
            let piece = bytes[at..(at + n).min(len)].to_vec();
            bytes.splice(at..at, piece);
        }
    }
}

/// `cases` cases, or `PROPTEST_CASES` if set; failures are kept as explicit
/// regression tests below rather than in a persistence file.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs a property on a thread with a large stack: the message strategy is
/// deep, and a debug build of it overflows the test thread's 2 MiB.
fn check<S: Strategy + 'static>(
    cases: u32,
    strategy: impl FnOnce() -> S + Send + 'static,
    property: impl Fn(S::Value) -> Result<(), TestCaseError> + Send + 'static,
) {
    let outcome = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut runner = TestRunner::new(config(cases));
            if let Err(e) = runner.run(&strategy(), property) {
                panic!("{e}");
            }
        })
        .expect("spawn property thread")
        .join();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/// A generated message parses to what it says, reprints to a fixed point, and
/// reads the same typed before and after.
#[test]
fn generated_messages_round_trip() {
    check(384, message, |g| {
        let m = match Message::parse(&g.text) {
            Ok(m) => m,
            Err(e) => {
                return Err(TestCaseError::fail(format!(
                    "generated message refused: {e}\n{}",
                    String::from_utf8_lossy(&g.text)
                )));
            }
        };
        check_meaning(&m, &g)?;
        let lazy = Message::parse_lazy(&g.text, &Limits::default()).unwrap();
        prop_assert_eq!(typed_summary(&lazy), typed_summary(&m));

        let printed = m.to_bytes();
        let again = Message::parse(&printed);
        prop_assert!(again.is_ok(), "reprint refused: {:?}", again.err());
        let again = again.unwrap();
        // The printer normalises only the layout around values (line ends,
        // white space around ':'), so the reprint means the same.
        check_meaning(&again, &g)?;
        prop_assert_eq!(typed_summary(&again), typed_summary(&m));
        prop_assert_eq!(again.via(), m.via());
        prop_assert_eq!(again.from(), m.from());
        prop_assert_eq!(again.to(), m.to());
        prop_assert_eq!(again.cseq(), m.cseq());
        prop_assert_eq!(again.call_id(), m.call_id());
        prop_assert_eq!(
            again.contacts().collect::<Vec<_>>(),
            m.contacts().collect::<Vec<_>>()
        );
        prop_assert_eq!(again.content_type(), m.content_type());
        prop_assert_eq!(again.to_bytes(), printed);
        Ok(())
    });
}

/// Every generated URI parses and prints back to an equivalent URI.
#[test]
fn generated_uris_round_trip() {
    check(
        512,
        || uri(Ctx::Bracketed),
        |text| {
            let u = Uri::parse(&text);
            prop_assert!(u.is_ok(), "{:?} refused: {:?}", text, u.err());
            check_uri_text(&text)
        },
    );
}

/// Every generated address parses, with the parts it was generated with, and
/// prints back to an equivalent address.
#[test]
fn generated_addresses_round_trip() {
    check(
        512,
        || address(false, true, no_params()),
        |(text, want)| {
            let a = Address::parse(&text);
            prop_assert!(a.is_ok(), "{:?} refused: {:?}", text, a.err());
            check_address("address", a.as_ref().ok(), &want)?;
            check_uri_text(&text)
        },
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    check(
        1024,
        || vec(any::<u8>(), 0..512),
        |bytes| check_any_input(&bytes),
    );
}

#[test]
fn arbitrary_text_never_panics() {
    check(1024, any::<String>, |text| check_any_input(text.as_bytes()));
}

/// Text that starts like a SIP message and goes on at random, with multi-byte
/// characters among the ASCII.
#[test]
fn message_like_text_never_panics() {
    check(
        1024,
        || {
            (
                proptest::sample::select(
                    &[
                        "",
                        "SIP/2.0 ",
                        "INVITE sip:a@b SIP/2.0\r\n",
                        "SIP/2.0 200 OK\r\nVia: ",
                        "INVITE ",
                        "sip:",
                        "\"a\" <sip:",
                    ][..],
                ),
                r"([ -~]|[\r\n\t]|[é€日😀]){0,120}",
            )
        },
        |(start, rest)| check_any_input(format!("{start}{rest}").as_bytes()),
    );
}

#[test]
fn arbitrary_uri_text_never_panics() {
    check(
        1024,
        || r"(sips?|tel|SIP|urn|[a-z]{1,3}):([ -~]|[é€]){0,60}",
        |text| check_uri_text(&text),
    );
}

#[test]
fn arbitrary_address_text_never_panics() {
    check(
        1024,
        || r#"("([ -~]|\\.){0,10}"|[A-Za-z ]{0,10})?\s*<?(sips?|tel):([ -~]|[é]){0,50}"#,
        |text| check_uri_text(&text),
    );
}

/// Valid messages with a few bytes flipped, set, inserted, deleted, duplicated
/// or cut off.
#[test]
fn mutated_messages_never_panic() {
    check(
        384,
        || (message(), vec(mutation(), 1..5)),
        |(g, edits)| {
            let mut bytes = g.text.clone();
            for e in &edits {
                mutate(&mut bytes, e);
            }
            check_any_input(&bytes)
        },
    );
}

#[test]
fn mutated_uris_never_panic() {
    check(
        512,
        || (uri(Ctx::Bracketed), vec(mutation(), 1..4)),
        |(text, edits)| {
            let mut bytes = text.into_bytes();
            for e in &edits {
                mutate(&mut bytes, e);
            }
            match std::str::from_utf8(&bytes) {
                Ok(text) => check_uri_text(text),
                Err(_) => Ok(()),
            }
        },
    );
}

#[test]
fn mutated_addresses_never_panic() {
    check(
        512,
        || (address(false, true, no_params()), vec(mutation(), 1..4)),
        |((text, _), edits)| {
            let mut bytes = text.into_bytes();
            for e in &edits {
                mutate(&mut bytes, e);
            }
            match std::str::from_utf8(&bytes) {
                Ok(text) => check_uri_text(text),
                Err(_) => Ok(()),
            }
        },
    );
}

// ---------------------------------------------------------------------------
// Regressions: bugs the properties found (both fixed; kept as tests).
// ---------------------------------------------------------------------------

/// Fixed bug (found by `message_like_text_never_panics`): `parse_start_line` in
/// `src/message/parse.rs` slices `line[..4]` to look for `SIP/`, which
/// panics when byte 4 falls inside a multi-byte UTF-8 character
/// ("end byte index 4 is not a char boundary").
#[test]
fn regression_start_line_multibyte_at_byte_4() {
    for input in [
        "0😀\t\n".as_bytes(),
        "ab€ sip:a@b SIP/2.0\r\n\r\n".as_bytes(),
        "SIP€ 200 OK\r\n\r\n".as_bytes(),
    ] {
        assert!(Message::parse(input).is_err());
        assert!(Message::parse_lazy(input, &Limits::default()).is_err());
    }
}

/// Fixed bug (found by `generated_uris_round_trip`): `SipUri::equivalent` in
/// `src/uri/sip.rs` compares each parameter of one URI with the *first*
/// parameter of that name in the other, so a URI that repeats a parameter
/// with different values is not equivalent to itself.
#[test]
fn regression_uri_with_repeated_parameter_is_equivalent_to_itself() {
    let u = Uri::parse("sip:a;transport=udp;transport=tcp").unwrap();
    assert!(u.equivalent(&u));
}
