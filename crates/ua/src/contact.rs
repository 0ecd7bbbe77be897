//! The Contact an account puts in its requests, built from the transport
//! that carries them.

use sip::uri::Uri;
use sip_core::stack::Stack;
use sip_core::transport::{TransportId, TransportKind};

use crate::account::AccountSettings;
use crate::registration::{BuildError, parse_address};

/// The transport kind a request to `uri` travels by: its `transport`
/// parameter, TLS for `sips:`, else UDP.
pub(crate) fn kind_for(uri: &str) -> TransportKind {
    match Uri::parse(uri.trim()) {
        Ok(Uri::Sip(s)) if s.secure => TransportKind::Tls,
        Ok(Uri::Sip(s)) => s
            .transport()
            .and_then(TransportKind::from_name)
            .unwrap_or(TransportKind::Udp),
        _ => TransportKind::Udp,
    }
}

/// Whether `uri`'s host is an IPv6 address.
fn wants_ipv6(uri: &str) -> bool {
    matches!(Uri::parse(uri.trim()), Ok(Uri::Sip(s)) if matches!(s.host, sip::uri::Host::Ipv6(_)))
}

/// The transport an account's requests leave by: the one it is bound to, or
/// the first of the kind (and address family) its registrar or first proxy
/// asks for.
pub(crate) fn transport_for(stack: &Stack, settings: &AccountSettings) -> Option<TransportId> {
    if let Some(t) = settings.transport {
        return stack.transport(t).map(|_| t);
    }
    let next_hop = settings
        .proxies
        .first()
        .map(|p| {
            parse_address("proxy", p)
                .map(|a| a.uri.to_string())
                .unwrap_or_else(|_| p.clone())
        })
        .or_else(|| settings.registrar.clone());
    let (kind, v6) = match &next_hop {
        Some(uri) => (kind_for(uri), wants_ipv6(uri)),
        None => (TransportKind::Udp, false),
    };
    let mut fallback = None;
    for (id, k, addr) in stack.transports() {
        if k != kind {
            continue;
        }
        if addr.is_ipv6() == v6 {
            return Some(id);
        }
        fallback.get_or_insert(id);
    }
    fallback.or_else(|| stack.transports().next().map(|(id, _, _)| id))
}

/// The Contact for an account on `transport`: `contact_forced` if set, else
/// `<sip:user@sent-by;transport=..;uri-params>;params`.
pub(crate) fn contact_for(
    stack: &Stack,
    settings: &AccountSettings,
    transport: Option<TransportId>,
) -> Result<String, BuildError> {
    if let Some(forced) = settings
        .contact_forced
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    {
        let address = parse_address("contactForced", forced)?;
        return Ok(format!("{address}{}", settings.contact_params));
    }
    let aor = parse_address("account URI", &settings.id_uri)?;
    let user = match &aor.uri {
        Uri::Sip(s) => s.user.as_deref().map(str::to_owned),
        _ => None,
    };
    let (host, port, kind) = transport
        .and_then(|t| {
            let (kind, _) = stack.transport(t)?;
            let (host, port) = stack.sent_by(t)?;
            Some((host.to_owned(), port, kind))
        })
        .ok_or_else(|| BuildError {
            what: "transport",
            text: "no transport for the account".into(),
        })?;
    let mut uri = String::from(if kind == TransportKind::Tls {
        "sips:"
    } else {
        "sip:"
    });
    if let Some(user) = user {
        uri.push_str(&user);
        uri.push('@');
    }
    uri.push_str(&host);
    uri.push(':');
    uri.push_str(&port.to_string());
    if kind != TransportKind::Udp && kind != TransportKind::Tls {
        uri.push_str(";transport=");
        uri.push_str(&kind.via_name().to_ascii_lowercase());
    }
    uri.push_str(&settings.contact_uri_params);
    let text = format!("<{uri}>{}", settings.contact_params);
    // Check that what the user's parameters made is still an address.
    parse_address("Contact", &text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sip_core::stack::StackConfig;

    fn stack() -> Stack {
        let mut s = Stack::new(StackConfig::default());
        s.add_transport(TransportKind::Udp, "192.0.2.1:5060".parse().unwrap());
        s.add_transport(TransportKind::Tcp, "192.0.2.1:5070".parse().unwrap());
        s.add_transport(TransportKind::Udp, "[2001:db8::1]:5060".parse().unwrap());
        s
    }

    fn account(registrar: &str) -> AccountSettings {
        AccountSettings {
            id_uri: "\"Alice\" <sip:alice@example.test>".into(),
            registrar: Some(registrar.into()),
            ..AccountSettings::default()
        }
    }

    #[test]
    fn picks_the_transport_the_registrar_asks_for() {
        let s = stack();
        assert_eq!(
            transport_for(&s, &account("sip:example.test")),
            Some(TransportId(0))
        );
        assert_eq!(
            transport_for(&s, &account("sip:example.test;transport=tcp")),
            Some(TransportId(1))
        );
        assert_eq!(
            transport_for(&s, &account("sip:[2001:db8::9]")),
            Some(TransportId(2))
        );
        let mut via_proxy = account("sip:example.test");
        via_proxy.proxies = vec!["<sip:proxy.example.test;transport=tcp;lr>".into()];
        assert_eq!(transport_for(&s, &via_proxy), Some(TransportId(1)));
    }

    #[test]
    fn builds_the_contact_with_the_users_parameters() {
        let s = stack();
        let mut a = account("sip:example.test");
        a.contact_uri_params = ";ob".into();
        a.contact_params = ";+sip.instance=\"<urn:uuid:1>\"".into();
        assert_eq!(
            contact_for(&s, &a, Some(TransportId(0))).unwrap(),
            "<sip:alice@192.0.2.1:5060;ob>;+sip.instance=\"<urn:uuid:1>\""
        );
        let bad = AccountSettings {
            id_uri: "not a uri".into(),
            ..account("sip:example.test")
        };
        assert_eq!(
            contact_for(&s, &bad, Some(TransportId(1)))
                .unwrap_err()
                .what,
            "account URI"
        );
        let tcp = contact_for(&s, &account("sip:example.test"), Some(TransportId(1))).unwrap();
        assert_eq!(tcp, "<sip:alice@192.0.2.1:5070;transport=tcp>");
        let v6 = contact_for(&s, &account("sip:example.test"), Some(TransportId(2))).unwrap();
        assert_eq!(v6, "<sip:alice@[2001:db8::1]:5060>");
        a.contact_forced = Some("sip:alice@198.51.100.1:7000".into());
        assert_eq!(
            contact_for(&s, &a, Some(TransportId(0))).unwrap(),
            "<sip:alice@198.51.100.1:7000>;+sip.instance=\"<urn:uuid:1>\""
        );
        // Parameters that break the address are refused.
        a.contact_forced = None;
        a.contact_uri_params = ">broken".into();
        assert!(contact_for(&s, &a, Some(TransportId(0))).is_err());
    }
}
