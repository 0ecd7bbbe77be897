//! Parse and print throughput on four typical messages (`corpus/`): an INVITE
//! with SDP of about 800 bytes, the 200 OK that answers it, a REGISTER with
//! Digest credentials and a NOTIFY with a PIDF body.
//!
//! Per message: (a) `Message::parse` (strict: framing and every known header
//! checked), (b) `Message::parse_lazy` (framing only), (c) `parse_lazy` and
//! then every header read typed, as a user agent does with a message it
//! handles, (d) printing with `write_to` into a reused buffer.
//!
//! `cargo bench -p ferrosip-sip --bench parse`; see BENCHMARKS.md at the root.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sip::header::{
    Allow, Authorization, CSeq, CallId, Contact, ContentType, Event, Expires, FromHeader,
    MaxForwards, RecordRoute, SessionExpires, SubscriptionState, Supported, ToHeader, UserAgent,
    Via,
};
use sip::{Limits, Message};

/// The messages, by name.
const CORPUS: &[(&str, &[u8])] = &[
    ("invite_sdp", include_bytes!("corpus/invite.sip")),
    ("ok_sdp", include_bytes!("corpus/ok.sip")),
    ("register_auth", include_bytes!("corpus/register.sip")),
    ("notify_pidf", include_bytes!("corpus/notify.sip")),
];

/// Reads every header of the message typed and returns a number that depends
/// on all of them, so that nothing is optimised away.
fn access_typed(m: &Message) -> usize {
    let mut n = 0;
    for via in m.typed_all::<Via<'_>>() {
        let via = via.expect("Via");
        n += via.branch().map_or(0, str::len) + usize::from(via.port.unwrap_or(0));
    }
    n += m.from().expect("From").tag().map_or(0, str::len);
    n += m.to().expect("To").tag().map_or(0, str::len);
    n += m.cseq().expect("CSeq").seq as usize;
    n += m.call_id().expect("Call-ID").as_str().len();
    for c in m.contacts() {
        n += c.expires().unwrap_or(0) as usize;
    }
    n += m.content_type().map_or(0, |c| c.subtype.len());
    n += m
        .typed::<MaxForwards>()
        .map_or(0, |v| v.expect("Max-Forwards").0 as usize);
    // Whatever else these messages carry.
    for r in m.typed_all::<RecordRoute<'_>>() {
        n += r.expect("Record-Route").uri.scheme().len();
    }
    for a in m.typed_all::<Allow<'_>>() {
        n += a.expect("Allow").0.as_str().len();
    }
    for s in m.typed_all::<Supported<'_>>() {
        n += s.expect("Supported").as_str().len();
    }
    if let Some(ua) = m.typed::<UserAgent<'_>>() {
        n += ua.expect("User-Agent").as_str().len();
    }
    if let Some(se) = m.typed::<SessionExpires<'_>>() {
        let se = se.expect("Session-Expires");
        n += se.delta as usize + usize::from(se.refresher().is_some());
    }
    if let Some(auth) = m.typed::<Authorization<'_>>() {
        let auth = auth.expect("Authorization");
        n += auth.params.username().map_or(0, |u| u.len())
            + auth.params.response().map_or(0, |r| r.len());
    }
    if let Some(e) = m.typed::<Expires>() {
        n += e.expect("Expires").0 as usize;
    }
    if let Some(e) = m.typed::<Event<'_>>() {
        n += e.expect("Event").package().len();
    }
    if let Some(s) = m.typed::<SubscriptionState<'_>>() {
        n += s.expect("Subscription-State").expires().unwrap_or(0) as usize;
    }
    n + m.body().len()
}

fn parse(c: &mut Criterion) {
    let limits = Limits::default();
    for &(name, raw) in CORPUS {
        // Each message must parse strictly and read typed in full, or the
        // figures would measure an early error.
        let msg = Message::parse(raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        access_typed(&msg);
        let _: Option<CSeq<'_>> = msg.cseq();
        let _: Option<CallId<'_>> = msg.call_id();
        let _: Option<FromHeader<'_>> = msg.from();
        let _: Option<ToHeader<'_>> = msg.to();
        let _: Vec<Contact<'_>> = msg.contacts().collect();
        let _: Option<ContentType<'_>> = msg.content_type();

        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(raw.len() as u64));
        group.bench_function("parse_strict", |b| {
            b.iter(|| Message::parse(black_box(raw)).unwrap())
        });
        group.bench_function("parse_lazy", |b| {
            b.iter(|| Message::parse_lazy(black_box(raw), &limits).unwrap())
        });
        group.bench_function("parse_lazy_typed", |b| {
            b.iter(|| {
                let m = Message::parse_lazy(black_box(raw), &limits).unwrap();
                access_typed(&m)
            })
        });
        let mut out = Vec::with_capacity(4096);
        group.bench_function("print", |b| {
            b.iter(|| {
                out.clear();
                black_box(&msg).write_to(&mut out);
                out.len()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
