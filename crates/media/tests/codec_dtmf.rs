//! RFC 4733: digits from a sender, through a channel that loses,
//! duplicates and reorders packets, come out of the receiver exactly once
//! each, in order, with their durations.

mod codec_support;

use codec_support::Rng;
use media::codec::telephone_event::{DtmfEvent, DtmfPacket, DtmfReceiver, DtmfSender};

const DIGITS: &str = "0123456789*#ABCD19#";

/// Runs `digits` through a channel losing `loss` of the packets and
/// duplicating `dup` of them, swapping neighbours now and then; returns
/// the receiver's events.
fn through_channel(
    digits: &str,
    duration_ms: u32,
    loss: f64,
    dup: f64,
    seed: u64,
) -> Vec<DtmfEvent> {
    let mut sender = DtmfSender::new(8000);
    sender.send_digits(digits, duration_ms).unwrap();
    let mut receiver = DtmfReceiver::new(8000);
    let mut rng = Rng(seed);
    let mut ts = 1_000_000u32;
    let mut in_flight: Vec<DtmfPacket> = Vec::new();
    let mut events = Vec::new();
    for _ in 0..2000 {
        if let Some(p) = sender.poll_packet(ts, 160) {
            if f64::from(rng.next_u32()) / f64::from(u32::MAX) >= loss {
                in_flight.push(p);
                if f64::from(rng.next_u32()) / f64::from(u32::MAX) < dup {
                    in_flight.push(p);
                }
            }
        }
        if in_flight.len() >= 2 && rng.next_u32() % 4 == 0 {
            let n = in_flight.len();
            in_flight.swap(n - 1, n - 2);
        }
        // Deliver all but the newest, which may still be overtaken.
        let keep = in_flight.len().min(1);
        for p in in_flight.drain(..in_flight.len() - keep) {
            receiver.handle_packet(p.timestamp, &p.payload()).unwrap();
        }
        receiver.handle_time(ts);
        events.extend(std::iter::from_fn(|| receiver.poll_event()));
        ts = ts.wrapping_add(160);
    }
    events
}

fn ended(events: &[DtmfEvent]) -> Vec<(char, u32)> {
    events
        .iter()
        .filter_map(|e| match *e {
            DtmfEvent::Ended {
                digit, duration_ms, ..
            } => Some((digit, duration_ms)),
            DtmfEvent::Started { .. } => None,
        })
        .collect()
}

fn started(events: &[DtmfEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match *e {
            DtmfEvent::Started { digit, .. } => Some(digit),
            DtmfEvent::Ended { .. } => None,
        })
        .collect()
}

#[test]
fn a_clean_channel_gives_every_digit_once_with_its_duration() {
    let events = through_channel(DIGITS, 160, 0.0, 0.0, 1);
    assert_eq!(started(&events), DIGITS);
    let ends = ended(&events);
    assert_eq!(ends.iter().map(|e| e.0).collect::<String>(), DIGITS);
    assert!(ends.iter().all(|&(_, ms)| ms == 160), "{ends:?}");
    // Each start comes before its end.
    for pair in events.chunks(2) {
        assert!(matches!(pair[0], DtmfEvent::Started { .. }));
        assert!(matches!(pair[1], DtmfEvent::Ended { .. }));
    }
}

#[test]
fn lossy_duplicating_reordering_channels_give_every_digit_once() {
    for seed in 1..=20 {
        let events = through_channel(DIGITS, 200, 0.2, 0.3, seed);
        assert_eq!(started(&events), DIGITS, "seed {seed}");
        let ends = ended(&events);
        assert_eq!(
            ends.iter().map(|e| e.0).collect::<String>(),
            DIGITS,
            "seed {seed}"
        );
        // A duration is what the last packet heard said: at most the
        // digit's, and with 20 % loss rarely more than a few ticks short.
        for &(d, ms) in &ends {
            assert!((100..=200).contains(&ms), "seed {seed}: {d} lasted {ms} ms");
        }
    }
}

#[test]
fn an_event_whose_end_is_lost_ends_on_timeout() {
    let mut receiver = DtmfReceiver::new(8000);
    // Digit 5 at timestamp 0: two packets, no end.
    receiver.handle_packet(0, &[5, 10, 0, 160]).unwrap();
    receiver.handle_packet(0, &[5, 10, 1, 64]).unwrap();
    receiver.handle_time(320 + 1000);
    assert!(receiver.is_active());
    receiver.handle_time(320 + 1601);
    assert!(!receiver.is_active());
    let events: Vec<_> = std::iter::from_fn(|| receiver.poll_event()).collect();
    assert_eq!(events.len(), 2);
    assert!(matches!(
        events[1],
        DtmfEvent::Ended {
            digit: '5',
            duration: 320,
            ..
        }
    ));
    // Its late end packets change nothing.
    receiver.handle_packet(0, &[5, 0x8A, 1, 224]).unwrap();
    assert_eq!(receiver.poll_event(), None);
}

#[test]
fn malformed_payloads_are_refused() {
    let mut receiver = DtmfReceiver::new(8000);
    assert!(receiver.handle_packet(0, &[1, 2]).is_err());
    assert_eq!(receiver.poll_event(), None);
}

#[test]
fn only_dtmf_digits_are_sent() {
    let mut sender = DtmfSender::new(8000);
    assert!(sender.send_digits("12x", 100).is_err());
    assert!(!sender.is_busy());
}
