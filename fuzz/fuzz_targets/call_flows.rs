//! Fuzzes calls between two sans-IO user agents (`ua::UserAgent`): every
//! call command on either side (make, answer with any code, hang up,
//! re-offer by re-INVITE or UPDATE, INFO/MESSAGE, transfer and its answer,
//! redirect decisions) interleaved with a network the fuzzer controls —
//! deliver, drop, duplicate or hold back each datagram, inject a mutated
//! copy of one — and time moving by chosen amounts or to the next
//! deadline. Session timers and 100rel are switched on by the input.
//!
//! The input is a configuration byte, then records: an opcode byte (its
//! low bit picks the side) and its fields (missing bytes read as 0).
//!
//! Checked after every record: nothing panics; until a datagram was
//! mutated, every datagram a stack sends parses (after one, a 400 may echo
//! the broken header it refuses); once `handle_timeout(now)` ran, no
//! deadline is still due (a deadline that stays due would spin the
//! runtime).

#![no_main]

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sdp::neg::{Capabilities, Codec, LocalMedia};
use sip::{Limits, Message};
use sip_core::stack::{Stack, StackConfig, Transmit};
use sip_core::transport::{TransportId, TransportKind};
use ua::{
    AccountId, AccountSettings, CallId, PrackUse, RedirectOp, Reoffer, ReofferMethod,
    SessionTimerSettings, TimerUse, UaEvent, UserAgent,
};

const ADDRS: [&str; 2] = ["192.0.2.1:5060", "192.0.2.2:5060"];

fn addr(i: usize) -> SocketAddr {
    ADDRS[i].parse().expect("a socket address")
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }
    fn done(&self) -> bool {
        self.0.is_empty()
    }
}

struct Side {
    ua: UserAgent,
    account: AccountId,
    calls: Vec<CallId>,
}

fn caps(i: usize, port: u16) -> Capabilities {
    let ip: IpAddr = addr(i).ip();
    Capabilities::new(
        ip,
        vec![LocalMedia::audio(
            ip,
            port,
            vec![Codec::new(0, "PCMU", 8000), Codec::new(8, "PCMA", 8000)],
        )],
    )
}

fn side(i: usize, config: u8, now: Instant) -> Side {
    let mut sc = StackConfig::default();
    sc.seed = 1 + i as u64;
    let mut stack = Stack::new(sc);
    stack.add_transport(TransportKind::Udp, addr(i));
    let mut ua = UserAgent::new(stack, 7 + i as u64);
    let settings = AccountSettings {
        id_uri: format!("sip:user{i}@{}", addr(i).ip()),
        session_timer: SessionTimerSettings {
            timer_use: match (config >> (2 * i)) & 3 {
                0 => TimerUse::Inactive,
                1 => TimerUse::Optional,
                2 => TimerUse::Required,
                _ => TimerUse::Always,
            },
            session_expires: 90 + u32::from(config >> 4) * 30,
            min_se: 90,
        },
        prack: match (config >> (4 + i)) & 1 {
            0 => PrackUse::NotUsed,
            _ => PrackUse::Optional,
        },
        ..AccountSettings::default()
    };
    let account = ua.add_account(now, settings, true).expect("a local account");
    Side {
        ua,
        account,
        calls: Vec::new(),
    }
}

/// A datagram in flight.
struct Packet {
    to: usize,
    from: SocketAddr,
    payload: Vec<u8>,
}

fn pick(calls: &[CallId], b: u8) -> Option<CallId> {
    (!calls.is_empty()).then(|| calls[usize::from(b) % calls.len()])
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader(data);
    let config = r.byte();
    #[allow(clippy::disallowed_methods)]
    let mut now = Instant::now();
    let mut sides = [side(0, config, now), side(1, config, now)];
    let mut wire: VecDeque<Packet> = VecDeque::new();
    let mut mutated = false;
    let mut steps = 0;
    while !r.done() && steps < 400 {
        steps += 1;
        let op = r.byte();
        let me = usize::from(op & 1);
        let other = 1 - me;
        match (op >> 1) % 12 {
            0 => {
                let port = 4000 + 2 * u16::from(r.byte());
                let s = &mut sides[me];
                let dst = format!("sip:user{other}@{}", addr(other));
                if let Ok(c) = s.ua.make_call(now, s.account, &dst, caps(me, port)) {
                    s.calls.push(c);
                }
            }
            1 => {
                let (b, code) = (r.byte(), r.u16());
                let s = &mut sides[me];
                if let Some(c) = pick(&s.calls, b) {
                    let _ = s.ua.answer(now, c, 100 + code % 600, None, Some(caps(me, 5000)));
                }
            }
            2 => {
                let (b, code) = (r.byte(), r.u16());
                let s = &mut sides[me];
                if let Some(c) = pick(&s.calls, b) {
                    let _ = s.ua.hangup(now, c, if code % 3 == 0 { 0 } else { 300 + code % 400 });
                }
            }
            3 => {
                let (b, what) = (r.byte(), r.byte());
                let s = &mut sides[me];
                if let Some(c) = pick(&s.calls, b) {
                    let reoffer = [Reoffer::Refresh, Reoffer::Hold, Reoffer::Unhold][usize::from(what % 3)];
                    let method = if what & 4 == 0 { ReofferMethod::Invite } else { ReofferMethod::Update };
                    let _ = s.ua.reoffer(now, c, reoffer, method);
                }
            }
            4 => {
                let (b, m) = (r.byte(), r.byte());
                let s = &mut sides[me];
                if let Some(c) = pick(&s.calls, b) {
                    let method = ["INFO", "MESSAGE", "OPTIONS", "FOO"][usize::from(m % 4)];
                    let _ = s.ua.send_in_call(now, c, method, Some(("text/plain", b"x")), &[]);
                }
            }
            5 => {
                let (b, b2) = (r.byte(), r.byte());
                let s = &mut sides[me];
                if let Some(c) = pick(&s.calls, b) {
                    let replaces = if b2 & 1 == 0 { None } else { pick(&s.calls, b2 >> 1) };
                    let dst = format!("sip:user{other}@{}", addr(other));
                    let _ = s.ua.transfer(now, c, &dst, replaces);
                }
            }
            6 => {
                let (b, code) = (r.byte(), r.u16());
                let s = &mut sides[me];
                if let Some(c) = pick(&s.calls, b) {
                    let _ = s.ua.answer_transfer(now, c, 200 + code % 500);
                    let _ = s.ua.notify_transfer(now, c, 100 + code % 600, "x", code & 1 == 0);
                    let op = [RedirectOp::Accept, RedirectOp::Reject, RedirectOp::Stop][usize::from(code % 3)];
                    let _ = s.ua.process_redirect(now, c, op);
                }
            }
            // The network: deliver, drop, duplicate, reorder, mutate.
            7 | 8 => {
                let how = r.byte();
                if let Some(p) = wire.pop_front() {
                    match how % 5 {
                        0 => {}
                        1 => {
                            let copy = Packet {
                                to: p.to,
                                from: p.from,
                                payload: p.payload.clone(),
                            };
                            wire.push_back(copy);
                            deliver(&mut sides, now, &p);
                        }
                        2 => wire.push_back(p),
                        3 => {
                            mutated = true;
                            let mut payload = p.payload.clone();
                            if !payload.is_empty() {
                                let at = usize::from(r.u16()) % payload.len();
                                payload[at] = r.byte();
                            }
                            deliver(&mut sides, now, &Packet { payload, ..p });
                        }
                        _ => deliver(&mut sides, now, &p),
                    }
                }
            }
            9 => {
                // Deliver everything in flight.
                while let Some(p) = wire.pop_front() {
                    deliver(&mut sides, now, &p);
                }
            }
            10 => {
                now += Duration::from_millis(u64::from(r.u16()) * (1 + u64::from(op >> 5)));
                for s in &mut sides {
                    s.ua.handle_timeout(now);
                }
            }
            _ => {
                let next = sides.iter_mut().filter_map(|s| s.ua.poll_timeout()).min();
                if let Some(t) = next {
                    now = now.max(t);
                }
                for s in &mut sides {
                    s.ua.handle_timeout(now);
                }
            }
        }
        // Drain both sides: events (learn incoming calls), then datagrams.
        for (i, s) in sides.iter_mut().enumerate() {
            while let Some(e) = s.ua.poll_event(now) {
                if let UaEvent::IncomingCall { call, .. } = e {
                    s.calls.push(call);
                }
            }
            while let Some(t) = s.ua.stack_mut().poll_transmit() {
                if let Transmit::Datagram {
                    destination,
                    payload,
                    ..
                } = t
                {
                    assert!(
                        mutated || Message::parse_with(&payload, &Limits::default()).is_ok(),
                        "a stack sent what does not parse: {}",
                        String::from_utf8_lossy(&payload)
                    );
                    let to = usize::from(destination == addr(1));
                    if destination == addr(to) && wire.len() < 64 {
                        wire.push_back(Packet {
                            to,
                            from: addr(i),
                            payload: payload.to_vec(),
                        });
                    }
                }
            }
            s.calls.retain(|c| s.ua.call_status(*c).is_some());
            if s.calls.len() > 16 {
                let old = s.calls.remove(0);
                s.ua.release_call(now, old);
            }
        }
        for s in &mut sides {
            s.ua.handle_timeout(now);
            if let Some(t) = s.ua.poll_timeout() {
                assert!(t > now, "a deadline stayed due");
            }
        }
    }
});

fn deliver(sides: &mut [Side; 2], now: Instant, p: &Packet) {
    let s = &mut sides[p.to];
    s.ua.stack_mut()
        .handle_datagram(now, TransportId(0), p.from, &p.payload);
}
