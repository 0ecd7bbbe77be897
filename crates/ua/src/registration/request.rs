//! Building REGISTER requests and reading what the registrar granted.

use std::net::IpAddr;

use sip::header::{Expires, HeaderName};
use sip::uri::{Host, Uri};
use sip::{Address, Message, Method};

/// Why a REGISTER could not be built: a setting is not valid SIP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} is not valid: {text:?}")]
pub struct BuildError {
    /// Which setting.
    pub what: &'static str,
    /// Its text.
    pub text: String,
}

fn invalid(what: &'static str, text: &str) -> BuildError {
    BuildError {
        what,
        text: text.to_owned(),
    }
}

/// Parses a URI or name-addr as an address.
pub(crate) fn parse_address(
    what: &'static str,
    text: &str,
) -> Result<Address<'static>, BuildError> {
    let text = text.trim();
    if let Ok(a) = Address::parse(text) {
        return Ok(a.into_owned());
    }
    Uri::parse(text)
        .map(|u| Address::new(u.into_owned()))
        .map_err(|_| invalid(what, text))
}

/// The parts of a REGISTER that stay the same from one request to the next.
#[derive(Debug, Clone)]
pub(crate) struct RegisterTemplate<'s> {
    pub(crate) registrar: &'s str,
    pub(crate) aor: &'s str,
    pub(crate) from_tag: &'s str,
    pub(crate) call_id: &'s str,
    pub(crate) route_set: &'s [String],
    pub(crate) headers: &'s [(String, String)],
    pub(crate) user_agent: Option<&'s str>,
}

impl RegisterTemplate<'_> {
    /// A REGISTER binding `contact` for `expires` seconds (0 removes it),
    /// without Via (the transaction layer adds it).
    /// `stale`, if given, is a Contact bound before that this request
    /// removes (`expires=0`) in the same REGISTER.
    pub(crate) fn build(
        &self,
        cseq: u32,
        contact: &str,
        expires: u32,
        stale: Option<&str>,
    ) -> Result<Message, BuildError> {
        let registrar = Uri::parse(self.registrar.trim())
            .map_err(|_| invalid("registrar URI", self.registrar))?;
        if !matches!(registrar, Uri::Sip(_)) {
            return Err(invalid(
                "registrar URI (sip: or sips: needed)",
                self.registrar,
            ));
        }
        let aor = parse_address("account URI", self.aor)?;
        let mut from = aor.clone();
        from.params.set("tag", Some(self.from_tag));
        let mut to = aor;
        to.params = sip::Params::new();
        let mut contact = parse_address("Contact", contact)?;
        contact.params.set("expires", Some(&expires.to_string()));
        let mut builder = Message::request(Method::Register, &registrar)
            .from(&from)
            .to(&to)
            .call_id(self.call_id)
            .cseq(cseq);
        for route in self.route_set {
            let mut route = parse_address("proxy", route)?;
            // A proxy given as a bare URI is a loose router (RFC 3261 §16.12).
            if let Uri::Sip(s) = &mut route.uri {
                if !s.params.contains("lr") {
                    s.params.push("lr", None);
                }
            }
            builder = builder.route(&route);
        }
        builder = builder.contact(&contact);
        if let Some(stale) = stale {
            let mut old = parse_address("Contact", stale)?;
            old.params.set("expires", Some("0"));
            builder = builder.contact(&old);
        }
        builder = builder.typed(&Expires(expires));
        if let Some(agent) = self.user_agent.filter(|a| !a.is_empty()) {
            builder = builder.header(HeaderName::UserAgent, agent);
        }
        for (name, value) in self.headers {
            if name.trim().is_empty() {
                continue;
            }
            builder = builder.raw_header(name.trim(), value.trim());
        }
        builder
            .header(HeaderName::Allow, ALLOW_METHODS)
            .build()
            .map_err(|e| invalid("REGISTER", &e.to_string()))
    }
}

/// The methods a user agent accepts, for Allow.
pub(crate) const ALLOW_METHODS: &str =
    "PRACK, INVITE, ACK, BYE, CANCEL, UPDATE, INFO, SUBSCRIBE, NOTIFY, REFER, MESSAGE, OPTIONS";

/// What a 2xx to a REGISTER granted for `contact`: the `expires` of the
/// matching Contact, else the Expires header, else what was asked.
pub(crate) fn granted_expiry(response: &Message, contact: &str, asked: u32) -> u32 {
    let ours = parse_address("Contact", contact).ok();
    for c in response.contacts() {
        let Some(address) = c.address() else { continue };
        let matches = ours
            .as_ref()
            .is_some_and(|o| same_uri(&o.uri, &address.uri));
        if matches {
            if let Some(e) = c.expires() {
                return e;
            }
        }
    }
    match response.typed::<Expires>() {
        Some(Ok(Expires(e))) => e,
        _ => asked,
    }
}

fn same_uri(a: &Uri<'_>, b: &Uri<'_>) -> bool {
    match (a, b) {
        (Uri::Sip(x), Uri::Sip(y)) => x.equivalent(y),
        _ => a == b,
    }
}

/// Where the registrar saw the request come from (`received` and `rport` of
/// the response's top Via), when that differs from the Contact's host and
/// port: the Contact to register instead.
pub(crate) fn rewritten_contact(response: &Message, contact: &str) -> Option<String> {
    let via = response.via()?;
    let received = via.received();
    let rport = via.rport().flatten();
    if received.is_none() && rport.is_none() {
        return None;
    }
    let mut address = parse_address("Contact", contact).ok()?;
    let Uri::Sip(uri) = &mut address.uri else {
        return None;
    };
    let current_ip: Option<IpAddr> = match &uri.host {
        Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
        Host::Name(_) => None,
    };
    let current_port = uri.port.unwrap_or(if uri.secure { 5061 } else { 5060 });
    let new_ip = received.or(current_ip);
    // Over a connection the registrar sees the connection's ephemeral
    // port, not the port we listen on: only a different address counts.
    let reliable = uri.secure
        || uri
            .transport()
            .is_some_and(|t| !t.eq_ignore_ascii_case("udp"));
    let new_port = if reliable {
        current_port
    } else {
        rport.unwrap_or(current_port)
    };
    if new_ip == current_ip && new_port == current_port {
        return None;
    }
    let new_ip = new_ip?;
    uri.host = match new_ip {
        IpAddr::V4(v4) => Host::Ipv4(v4),
        IpAddr::V6(v6) => Host::Ipv6(v6),
    };
    uri.port = Some(new_port);
    Some(address.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> (String, String) {
        (
            "sip:example.com".into(),
            "\"Alice\" <sip:alice@example.com>".into(),
        )
    }

    #[test]
    fn builds_a_register_with_every_setting() {
        let (registrar, aor) = template();
        let routes = vec!["sip:proxy.example.com".to_owned()];
        let headers = vec![("X-Test".to_owned(), "1".to_owned())];
        let t = RegisterTemplate {
            registrar: &registrar,
            aor: &aor,
            from_tag: "ftag",
            call_id: "cid@x",
            route_set: &routes,
            headers: &headers,
            user_agent: Some("ferrosip-test"),
        };
        let m = t
            .build(
                7,
                "<sip:alice@192.0.2.1:5070>;+sip.instance=\"<urn:x>\"",
                300,
                None,
            )
            .unwrap();
        let text = String::from_utf8(m.to_bytes()).unwrap();
        assert!(
            text.starts_with("REGISTER sip:example.com SIP/2.0\r\n"),
            "{text}"
        );
        assert!(
            text.contains("Route: <sip:proxy.example.com;lr>\r\n"),
            "{text}"
        );
        assert!(text.contains("CSeq: 7 REGISTER\r\n"));
        assert!(text.contains(";tag=ftag"));
        assert!(text.contains("Expires: 300\r\n"));
        assert!(text.contains("expires=300"));
        assert!(text.contains("X-Test: 1\r\n"));
        assert!(text.contains("User-Agent: ferrosip-test\r\n"));
        let to = m.to().unwrap();
        assert!(to.0.params.get("tag").is_none());
        // A stale binding is removed in the same request.
        let m = t
            .build(
                8,
                "<sip:alice@198.51.100.1:5070>",
                300,
                Some("<sip:alice@192.0.2.1:5070>"),
            )
            .unwrap();
        let contacts: Vec<String> = m.contacts().map(|c| c.to_string()).collect();
        assert_eq!(
            contacts,
            vec![
                "<sip:alice@198.51.100.1:5070>;expires=300".to_owned(),
                "<sip:alice@192.0.2.1:5070>;expires=0".to_owned()
            ]
        );
    }

    #[test]
    fn refuses_bad_settings() {
        let t = RegisterTemplate {
            registrar: "not a uri",
            aor: "sip:a@b",
            from_tag: "t",
            call_id: "c",
            route_set: &[],
            headers: &[],
            user_agent: None,
        };
        assert!(t.build(1, "<sip:a@127.0.0.1>", 60, None).is_err());
        let t = RegisterTemplate {
            registrar: "tel:+123",
            ..t
        };
        assert!(t.build(1, "<sip:a@127.0.0.1>", 60, None).is_err());
    }

    fn response(text: &str) -> Message {
        Message::parse(text.replace('\n', "\r\n").as_bytes()).unwrap()
    }

    #[test]
    fn reads_the_granted_expiry() {
        let r = response(
            "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKx\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: c\nCSeq: 1 REGISTER\nContact: <sip:other@192.0.2.9>;expires=99, <sip:alice@192.0.2.1:5070>;expires=120\nExpires: 600\nContent-Length: 0\n\n",
        );
        assert_eq!(granted_expiry(&r, "<sip:alice@192.0.2.1:5070>", 300), 120);
        assert_eq!(granted_expiry(&r, "<sip:alice@192.0.2.1:5071>", 300), 600);
        let r = response(
            "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKx\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: c\nCSeq: 1 REGISTER\nContent-Length: 0\n\n",
        );
        assert_eq!(granted_expiry(&r, "<sip:alice@192.0.2.1:5070>", 300), 300);
    }

    #[test]
    fn rewrites_contact_only_when_seen_elsewhere() {
        let r = response(
            "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKx;received=203.0.113.7;rport=40000\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: c\nCSeq: 1 REGISTER\nContent-Length: 0\n\n",
        );
        let new = rewritten_contact(&r, "<sip:alice@10.0.0.1:5070;transport=udp>;q=0.5").unwrap();
        assert_eq!(new, "<sip:alice@203.0.113.7:40000;transport=udp>;q=0.5");
        assert_eq!(rewritten_contact(&r, &new), None);
        let same = response(
            "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKx;received=10.0.0.1;rport=5070\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: c\nCSeq: 1 REGISTER\nContent-Length: 0\n\n",
        );
        assert_eq!(rewritten_contact(&same, "<sip:alice@10.0.0.1:5070>"), None);
        // Over TCP the source port is the connection's: not a reason.
        let tcp = response(
            "SIP/2.0 200 OK\nVia: SIP/2.0/TCP 10.0.0.1:5070;branch=z9hG4bKx;received=10.0.0.1;rport=40001\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: c\nCSeq: 1 REGISTER\nContent-Length: 0\n\n",
        );
        assert_eq!(
            rewritten_contact(&tcp, "<sip:alice@10.0.0.1:5070;transport=tcp>"),
            None
        );
        assert_eq!(
            rewritten_contact(&r, "<sip:alice@10.0.0.1:5070;transport=tcp>").as_deref(),
            Some("<sip:alice@203.0.113.7:5070;transport=tcp>")
        );
    }
}
