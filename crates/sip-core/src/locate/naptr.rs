//! NAPTR selection (RFC 3263 §4.1, RFC 3403) and the SRV names of each
//! transport.

use crate::transport::TransportKind;

use super::dns::{NaptrRecord, is_domain_name, is_root, name_key};

/// The most NAPTR records of one answer we look at; the rest are ignored.
pub(crate) const MAX_NAPTR_RECORDS: usize = 64;

/// The transport a NAPTR service field names (RFC 3263 §4.1, RFC 7118), or
/// `None` for services SIP does not define or we do not implement (SCTP's
/// `D2S`, and anything else).
pub(crate) fn service_kind(services: &str) -> Option<TransportKind> {
    const SERVICES: [(&str, TransportKind); 5] = [
        ("SIP+D2U", TransportKind::Udp),
        ("SIP+D2T", TransportKind::Tcp),
        ("SIPS+D2T", TransportKind::Tls),
        ("SIP+D2W", TransportKind::Ws),
        ("SIPS+D2W", TransportKind::Wss),
    ];
    SERVICES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(services))
        .map(|&(_, kind)| kind)
}

/// The usable records of a NAPTR answer, most preferred first, as
/// `(transport, SRV name)` pairs.
///
/// A record is usable when its flag is `s` (the replacement is an SRV name),
/// its replacement is a domain name, and its service names a transport in
/// `allowed`. For a `sips:` URI, `allowed` holds only secure transports, so
/// every `SIP+…` record is discarded as RFC 3263 §4.1 requires; for a `sip:`
/// URI, `SIPS+D2T` is kept when TLS is allowed. Records are ordered by order,
/// then preference (RFC 3403 §4.1); records equal in both keep the answer's
/// order. A record repeating an earlier transport and name is dropped.
///
/// Non-terminal records (empty flags), `a`/`u`/`p` flags and regular
/// expressions are not used by SIP and are ignored; so are records past
/// [`MAX_NAPTR_RECORDS`].
pub(crate) fn usable_services(
    records: &[NaptrRecord],
    allowed: &[TransportKind],
) -> Vec<(TransportKind, String)> {
    let mut usable: Vec<(u16, u16, TransportKind, &str)> = records
        .iter()
        .take(MAX_NAPTR_RECORDS)
        .filter(|r| r.flags.eq_ignore_ascii_case("s"))
        .filter(|r| !is_root(&r.replacement) && is_domain_name(&r.replacement))
        .filter_map(|r| {
            let kind = service_kind(&r.services)?;
            allowed
                .contains(&kind)
                .then_some((r.order, r.preference, kind, r.replacement.as_str()))
        })
        .collect();
    usable.sort_by_key(|&(order, preference, _, _)| (order, preference));
    let mut out: Vec<(TransportKind, String)> = Vec::with_capacity(usable.len());
    for (_, _, kind, name) in usable {
        let key = name_key(name);
        if !out.iter().any(|(k, n)| *k == kind && name_key(n) == key) {
            out.push((kind, name.to_owned()));
        }
    }
    out
}

/// The SRV name of a transport at `domain` (RFC 3263 §4.1, §4.2):
/// `_sip._udp`, `_sip._tcp`, `_sips._tcp` for TLS, and by the same pattern
/// `_sip._ws` and `_sips._ws` for the WebSocket transports of RFC 7118.
pub(crate) fn srv_name(kind: TransportKind, domain: &str) -> String {
    let prefix = match kind {
        TransportKind::Udp => "_sip._udp",
        TransportKind::Tcp => "_sip._tcp",
        TransportKind::Tls => "_sips._tcp",
        TransportKind::Ws => "_sip._ws",
        TransportKind::Wss => "_sips._ws",
    };
    format!("{prefix}.{domain}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use TransportKind::*;

    fn naptr(order: u16, pref: u16, flags: &str, service: &str, repl: &str) -> NaptrRecord {
        NaptrRecord {
            order,
            preference: pref,
            flags: flags.into(),
            services: service.into(),
            regexp: String::new(),
            replacement: repl.into(),
        }
    }

    #[test]
    fn services_map_to_transports() {
        assert_eq!(service_kind("sip+d2u"), Some(Udp));
        assert_eq!(service_kind("SIPS+D2T"), Some(Tls));
        assert_eq!(service_kind("SIPS+D2W"), Some(Wss));
        assert_eq!(service_kind("SIP+D2S"), None);
        assert_eq!(service_kind("E2U+sip"), None);
    }

    #[test]
    fn selection_orders_and_filters() {
        let records = [
            naptr(100, 50, "s", "SIP+D2U", "_sip._udp.example.com."),
            naptr(50, 50, "s", "SIPS+D2T", "_sips._tcp.example.com."),
            naptr(90, 60, "S", "SIP+D2T", "_sip._tcp.example.com"),
            naptr(90, 50, "s", "SIP+D2S", "_sip._sctp.example.com"),
            naptr(10, 10, "", "SIP+D2T", "example.com"),
            naptr(10, 10, "a", "SIP+D2T", "example.com"),
            naptr(10, 10, "s", "SIP+D2T", "."),
            naptr(10, 10, "s", "SIP+D2T", "bad name"),
            naptr(95, 10, "s", "SIP+D2T", "_SIP._TCP.example.com."),
        ];
        assert_eq!(
            usable_services(&records, &[Udp, Tcp]),
            vec![
                (Tcp, "_sip._tcp.example.com".to_owned()),
                (Udp, "_sip._udp.example.com.".to_owned()),
            ]
        );
        assert_eq!(usable_services(&records, &[Tls]).len(), 1);
        assert!(usable_services(&records, &[Ws]).is_empty());
    }

    #[test]
    fn srv_names() {
        assert_eq!(srv_name(Tls, "example.com"), "_sips._tcp.example.com");
        assert_eq!(srv_name(Udp, "example.com."), "_sip._udp.example.com.");
        assert_eq!(srv_name(Wss, "example.com"), "_sips._ws.example.com");
    }
}
