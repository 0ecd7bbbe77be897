//! Fuzzes `Message::parse` (strict) and `Message::parse_lazy`.
//!
//! Neither may panic. A message that parses must print to bytes that parse
//! again (strictly, if it was parsed strictly) and print identically: print ∘
//! parse ∘ print = print. Every typed accessor runs over what parsed, and
//! every typed value that parses must print to text that parses again and
//! prints identically.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::header::*;
use sip::{Limits, Message};

/// Checks one typed header across the message: each value that parses prints
/// to a fixed point.
macro_rules! typed_round_trip {
    ($m:expr; $($ty:ident $(<$lt:lifetime>)?),* $(,)?) => {$(
        for value in $m.typed_all::<$ty $(<$lt>)?>() {
            let Ok(value) = value else { continue };
            let printed = value.to_string();
            match <$ty $(<$lt>)? as TypedHeader<'_>>::parse(&printed) {
                Ok(again) => assert_eq!(
                    again.to_string(),
                    printed,
                    concat!(stringify!($ty), " print is not a fixed point")
                ),
                Err(e) => panic!(
                    "{} value {:?} printed as {:?} does not reparse: {}",
                    stringify!($ty),
                    value.to_string(),
                    printed,
                    e
                ),
            }
        }
    )*};
}

/// Runs every accessor over a parsed message; none may panic.
fn exercise(m: &Message) {
    let _ = (
        m.is_request(),
        m.method(),
        m.request_uri(),
        m.status(),
        m.reason(),
    );
    let _ = (m.body().len(), m.header_count(), m.repeated_single_header());
    if let Some(v) = m.via() {
        let _ = (v.branch(), v.received(), v.rport(), v.maddr(), v.ttl());
        let _ = v.has_rfc3261_branch();
    }
    let _ = m.from().map(|f| f.tag().map(str::len));
    let _ = m.to().map(|t| t.tag().map(str::len));
    let _ = m.call_id().map(|c| c.as_str().len());
    let _ = m.cseq().map(|c| c.seq);
    for c in m.contacts() {
        let _ = (c.q(), c.expires(), c.address().map(|a| a.tag().is_some()));
    }
    let _ = m.content_type().map(|c| c.is("application", "sdp"));
    for h in m.headers() {
        let _ = m.raw_values_named(h.name).count();
    }
    let _ = m.multipart();
    let _ = m.sdp_body();
    typed_round_trip!(m;
        Via<'_>, FromHeader<'_>, ToHeader<'_>, CallId<'_>, CSeq<'_>, Contact<'_>,
        ContentType<'_>, Accept<'_>, Route<'_>, RecordRoute<'_>, Path<'_>,
        ServiceRoute<'_>, ReferTo<'_>, ReferredBy<'_>, ReplyTo<'_>,
        PAssertedIdentity<'_>, PPreferredIdentity<'_>,
        ContentLength, MaxForwards, Expires, MinExpires, RSeq, Date,
        Authorization<'_>, ProxyAuthorization<'_>, WwwAuthenticate<'_>,
        ProxyAuthenticate<'_>, AuthenticationInfo<'_>,
        Event<'_>, SubscriptionState<'_>, RAck<'_>, Reason<'_>, Replaces<'_>,
        RetryAfter<'_>, SessionExpires<'_>, MinSe<'_>,
        ContentDisposition<'_>, Organization<'_>, Server<'_>, SipETag<'_>,
        SipIfMatch<'_>, Subject<'_>, UserAgent<'_>,
        AcceptEncoding<'_>, AcceptLanguage<'_>, Allow<'_>, AllowEvents<'_>,
        ContentEncoding<'_>, ContentLanguage<'_>, Priority<'_>, ProxyRequire<'_>,
        Require<'_>, Supported<'_>, Unsupported<'_>, Warning<'_>,
    );
}

fn reprint_is_stable(m: &Message, strict: bool) {
    let printed = m.to_bytes();
    let again = if strict {
        Message::parse(&printed)
    } else {
        Message::parse_lazy(&printed, &Limits::default())
    };
    let again = again.unwrap_or_else(|e| {
        panic!(
            "printed message does not reparse ({e}):\n{}",
            String::from_utf8_lossy(&printed)
        )
    });
    let reprinted = again.to_bytes();
    assert!(
        reprinted == printed,
        "print ∘ parse ∘ print differs from print:\n--- print\n{}\n--- reprint\n{}",
        String::from_utf8_lossy(&printed),
        String::from_utf8_lossy(&reprinted)
    );
    // write_to into a used buffer appends the same bytes.
    let mut buf = b"junk".to_vec();
    again.write_to(&mut buf);
    assert_eq!(&buf[4..], &printed[..]);
    exercise(&again);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Message::parse(data) {
        exercise(&m);
        reprint_is_stable(&m, true);
    }
    if let Ok(m) = Message::parse_lazy(data, &Limits::default()) {
        exercise(&m);
        let _ = m.validate();
        reprint_is_stable(&m, false);
    }
});
