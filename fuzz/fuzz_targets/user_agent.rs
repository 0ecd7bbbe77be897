//! Fuzzes the sans-IO user agent (`ua::UserAgent`): accounts registering
//! with digest credentials while the registrar's answers, raw datagrams,
//! time and the application's commands come in any order.
//!
//! The input is a sequence of records, each an operation byte `op` and what
//! that operation reads:
//!
//! | `op % 4` | reads | does |
//! | --- | --- | --- |
//! | 0 | length (2 bytes, little-endian), then that many bytes | a raw datagram from the registrar |
//! | 1 | status (2 bytes), length (1 byte), bytes | the registrar answers the last REGISTER with `100 + status % 600`; the bytes become its WWW-Authenticate (401), Proxy-Authenticate (407), Min-Expires (423) or Contact `expires` (2xx) |
//! | 2 | milliseconds (2 bytes) | time moves on by ms × 2^((op >> 2) % 8); due timers fire |
//! | 3 | — | `(op >> 2) % 6`: register, unregister, modify, remove, add an account, schedule a timer |
//!
//! Checked: nothing panics; every datagram the stack sends parses; after
//! `handle_timeout(now)` the next deadline is after `now` (a deadline that
//! stays due would spin the runtime).

#![no_main]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sip::header::HeaderName;
use sip::{Limits, Message, StatusCode};
use sip_core::auth::Credential;
use sip_core::stack::{Stack, StackConfig, Transmit};
use sip_core::transport::{TransportId, TransportKind};
use ua::{AccountId, AccountSettings, UserAgent};

const LOCAL: &str = "192.0.2.1:5060";
const REGISTRAR: &str = "192.0.2.10:5060";

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("a socket address")
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn u16(&mut self) -> u16 {
        let lo = self.byte().unwrap_or(0);
        let hi = self.byte().unwrap_or(0);
        u16::from_le_bytes([lo, hi])
    }
    fn bytes(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }
}

fn settings(n: u8) -> AccountSettings {
    AccountSettings {
        id_uri: format!("sip:user{n}@example.test"),
        registrar: Some(format!("sip:{REGISTRAR}")),
        reg_timeout: 60 + u32::from(n),
        credentials: vec![Credential::new("*", format!("user{n}"), "pw")],
        ..AccountSettings::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let mut config = StackConfig::default();
    config.seed = 1;
    let mut stack = Stack::new(config);
    stack.add_transport(TransportKind::Udp, addr(LOCAL));
    let mut ua = UserAgent::new(stack, 2);
    let mut now = Instant::now();
    let mut accounts: Vec<AccountId> = Vec::new();
    accounts.push(ua.add_account(now, settings(0), true).expect("valid settings"));
    let mut last_register: Option<Message> = None;
    let mut input = Reader(data);
    let limits = Limits::default();
    while let Some(op) = input.byte() {
        match op % 4 {
            0 => {
                let len = usize::from(input.u16());
                let bytes = input.bytes(len).to_vec();
                ua.stack_mut()
                    .handle_datagram(now, TransportId(0), addr(REGISTRAR), &bytes);
            }
            1 => {
                let status = 100 + input.u16() % 600;
                let len = usize::from(input.byte().unwrap_or(0));
                let value = String::from_utf8_lossy(input.bytes(len)).into_owned();
                if let Some(request) = &last_register {
                    if let Some(code) = StatusCode::new(status) {
                        if let Ok(mut response) =
                            Message::response_to(request, code).to_tag("r").build()
                        {
                            let value = value.replace(['\r', '\n'], " ");
                            match status {
                                401 => response.push(HeaderName::WwwAuthenticate, &value),
                                407 => response.push(HeaderName::ProxyAuthenticate, &value),
                                423 => response.push(HeaderName::MinExpires, &value),
                                200..=299 => {
                                    if let Some(c) = request.raw_value(HeaderName::Contact) {
                                        let c = c.split(';').next().unwrap_or(c).to_owned();
                                        response.push(HeaderName::Contact, format!("{c};expires={value}"));
                                    }
                                }
                                _ => {}
                            }
                            let bytes = response.to_bytes();
                            ua.stack_mut()
                                .handle_datagram(now, TransportId(0), addr(REGISTRAR), &bytes);
                        }
                    }
                }
            }
            2 => {
                let ms = u64::from(input.u16()) << ((op >> 2) % 8);
                now += Duration::from_millis(ms);
            }
            _ => {
                let pick = accounts
                    .get(usize::from(op >> 5) % accounts.len().max(1))
                    .copied();
                match (op >> 2) % 6 {
                    0 => {
                        if let Some(a) = pick {
                            let _ = ua.set_registration(now, a, true);
                        }
                    }
                    1 => {
                        if let Some(a) = pick {
                            let _ = ua.set_registration(now, a, false);
                        }
                    }
                    2 => {
                        if let Some(a) = pick {
                            let _ = ua.modify_account(now, a, settings(op));
                        }
                    }
                    3 => {
                        if let Some(a) = pick {
                            let _ = ua.remove_account(now, a, Duration::from_millis(u64::from(op) * 50));
                        }
                    }
                    4 => {
                        if accounts.len() < 16 {
                            if let Ok(a) = ua.add_account(now, settings(op), false) {
                                accounts.push(a);
                            }
                        }
                    }
                    _ => {
                        ua.schedule_timer(now, Duration::from_millis(u64::from(op)), 0);
                    }
                }
            }
        }
        // Fire what is due, then the deadline must be in the future.
        if ua.poll_timeout().is_some_and(|t| t <= now) {
            ua.handle_timeout(now);
        }
        while ua.poll_event(now).is_some() {}
        while let Some(t) = ua.stack_mut().poll_transmit() {
            if let Transmit::Datagram { payload, .. } = t {
                if payload.as_ref() == b"\r\n\r\n" {
                    continue;
                }
                let m = Message::parse_lazy(&payload, &limits).expect("what we send parses");
                if m.method().is_some_and(|m| m.as_str() == "REGISTER") {
                    last_register = Some(m);
                }
            }
        }
        if let Some(next) = ua.poll_timeout() {
            assert!(next > now, "a deadline stayed due after handle_timeout");
        }
    }
});
