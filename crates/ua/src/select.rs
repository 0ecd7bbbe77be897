//! Choosing the account for an incoming request (PJSUA's rules): the
//! account whose address of record matches the Request-URI's user and host
//! best, then the To header's; ties go to the higher priority, then the
//! older account.

use sip::Message;
use sip::uri::Uri;

use crate::account::AccountId;
use crate::registration::parse_address;

/// How well an account's URI matches a target URI.
fn score(account: &Uri<'_>, target: &Uri<'_>) -> u8 {
    let (Uri::Sip(a), Uri::Sip(t)) = (account, target) else {
        return 0;
    };
    let user_match = match (a.user.as_deref(), t.user.as_deref()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    };
    let host_match = a.host.equivalent(&t.host);
    let base = match (user_match, host_match) {
        (true, true) => 3,
        (true, false) => 2,
        (false, true) => 1,
        (false, false) => return 0,
    };
    // Between accounts that match as well, one whose URI names the port
    // the request was sent to wins (two local accounts on one address, on
    // two transports).
    let port_match = host_match && a.port.is_some() && a.port == t.port;
    base * 2 + u8::from(port_match)
}

/// The best account for `request` among `(id, id_uri, priority)`, or
/// `None` when none matches user or host.
pub(crate) fn select_account<'a>(
    request: &Message,
    accounts: impl Iterator<Item = (AccountId, &'a str, i32)>,
) -> Option<AccountId> {
    let request_uri = request.request_uri();
    let to_uri = request.to().map(|t| t.0.uri);
    let mut best: Option<(u8, i32, AccountId)> = None;
    for (id, uri, priority) in accounts {
        let Ok(address) = parse_address("account URI", uri) else {
            continue;
        };
        let by_ruri = request_uri.as_ref().map_or(0, |r| score(&address.uri, r));
        let by_to = to_uri.as_ref().map_or(0, |t| score(&address.uri, t));
        let s = by_ruri.max(by_to);
        if s == 0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((bs, bp, _)) => (s, priority) > (bs, bp),
        };
        if better {
            best = Some((s, priority, id));
        }
    }
    best.map(|(_, _, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(i: u32) -> AccountId {
        AccountId {
            index: i,
            generation: 1,
        }
    }

    fn options(ruri: &str, to: &str) -> Message {
        let text = format!(
            "OPTIONS {ruri} SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <{to}>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        );
        Message::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn user_and_host_beat_host_alone_and_priority_breaks_ties() {
        let accounts = [
            (id(0), "sip:127.0.0.1", 0),
            (id(1), "\"Alice\" <sip:alice@example.com>", 0),
            (id(2), "sip:bob@example.com", 0),
            (id(3), "sip:bob@example.com", 5),
        ];
        let pick = |m: &Message| select_account(m, accounts.iter().map(|(i, u, p)| (*i, *u, *p)));
        assert_eq!(
            pick(&options("sip:alice@example.com", "sip:alice@example.com")),
            Some(id(1))
        );
        assert_eq!(
            pick(&options("sip:bob@example.com", "sip:bob@example.com")),
            Some(id(3))
        );
        assert_eq!(
            pick(&options("sip:carol@127.0.0.1:5060", "sip:carol@127.0.0.1")),
            Some(id(0))
        );
        // The Request-URI is a contact address; To still names Alice.
        assert_eq!(
            pick(&options(
                "sip:alice@192.0.2.1:5070",
                "sip:alice@example.com"
            )),
            Some(id(1))
        );
        assert_eq!(
            pick(&options(
                "sip:nobody@elsewhere.test",
                "sip:nobody@elsewhere.test"
            )),
            None
        );
    }

    #[test]
    fn local_accounts_on_one_address_are_told_apart_by_port() {
        let accounts = [
            (id(0), "<sip:127.0.0.1:5060>", 0),
            (id(1), "<sip:127.0.0.1:5062>", 0),
        ];
        let pick = |m: &Message| select_account(m, accounts.iter().map(|(i, u, p)| (*i, *u, *p)));
        assert_eq!(
            pick(&options("sip:127.0.0.1:5062", "sip:127.0.0.1:5062")),
            Some(id(1))
        );
        assert_eq!(
            pick(&options("sip:127.0.0.1:5060", "sip:127.0.0.1:5060")),
            Some(id(0))
        );
        // No port: the older one, as before.
        assert_eq!(
            pick(&options("sip:127.0.0.1", "sip:127.0.0.1")),
            Some(id(0))
        );
    }
}
