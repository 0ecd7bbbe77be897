//! Fuzzes `Uri::parse`, `Address::parse` and `Host::parse_str`: none may
//! panic, and what parses prints to text that parses again to an equivalent
//! value and prints identically.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::Address;
use sip::uri::{Host, Uri};

fn check_uri(text: &str) {
    let Ok(u) = Uri::parse(text) else {
        return;
    };
    let printed = u.to_string();
    let again = Uri::parse(&printed)
        .unwrap_or_else(|e| panic!("{text:?} printed as {printed:?} does not reparse: {e}"));
    assert_eq!(again.to_string(), printed, "URI print is not a fixed point");
    assert!(
        u.equivalent(&again) && again.equivalent(&u),
        "{text:?} printed as {printed:?} is not equivalent"
    );
    assert!(u.equivalent(&u), "{text:?} is not equivalent to itself");
    // Accessors must not panic.
    let _ = u.scheme();
    if let Some(s) = u.as_sip() {
        let _ = (
            s.user_decoded(),
            s.transport(),
            s.maddr(),
            s.is_loose_router(),
        );
        let _ = s.header_pairs().count();
        let _ = s.params.iter().count();
        let _ = s.host.ip();
    }
    if let Uri::Tel(t) = &u {
        let _ = (t.is_global(), t.digits());
    }
}

fn check_address(text: &str) {
    let Ok(a) = Address::parse(text) else {
        return;
    };
    let printed = a.to_string();
    let again = Address::parse(&printed)
        .unwrap_or_else(|e| panic!("{text:?} printed as {printed:?} does not reparse: {e}"));
    assert_eq!(
        again.to_string(),
        printed,
        "address print is not a fixed point"
    );
    assert_eq!(again.params, a.params, "address parameters changed");
    assert_eq!(
        again.display_name.as_ref().map(|d| d.text()),
        a.display_name.as_ref().map(|d| d.text()),
        "display name changed"
    );
    assert!(a.uri.equivalent(&again.uri), "{text:?}: URI changed");
    let _ = a.tag();
    for (name, _) in a.params.iter() {
        let _ = a.params.get_unquoted(name);
    }
}

fn check_host(text: &str) {
    let Ok(h) = Host::parse_str(text) else {
        return;
    };
    let printed = h.to_string();
    let again = Host::parse_str(&printed)
        .unwrap_or_else(|e| panic!("host {text:?} printed as {printed:?} does not reparse: {e}"));
    assert!(h.equivalent(&again), "host {text:?} changed");
    assert_eq!(again.to_string(), printed);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_uri(text);
    check_address(text);
    check_host(text);
});
