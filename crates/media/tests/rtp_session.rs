//! RTP session behaviour, in virtual time: sending (marker, timestamps,
//! sequence wrap), source validation and restarts, SSRC collision,
//! duplicates and reordering, symmetric RTP, the RTP timeout, rtcp-mux
//! and a=rtcp, SR and RR, and BYE.

mod rtp_support;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::rtp::{
    PacketKind, Received, RtcpPacket, RtpError, RtpEvent, RtpSession, RtpSessionConfig, parse_rtcp,
};
use rtp_support::{ALICE, BOB, Peer, addr, next_port, pair, rtp_packet};
use testkit::{LinkConfig, VirtualClock, World};

fn session(remote: &str, seed: u64, start: Instant) -> RtpSession {
    let mut c = RtpSessionConfig::new(addr(remote), 0, 8000);
    c.seed = seed;
    RtpSession::new(c, start).unwrap()
}

#[test]
fn marker_timestamps_and_sequence_wrap() {
    let start = VirtualClock::new().now();
    let mut alice = session(BOB, 1, start);
    let mut bob = session(ALICE, 2, start);
    let (mut first_seq, mut first_ts) = (None, 0u32);
    let mut wrapped = false;
    let mut last_extended = 0;
    // 66,000 packets cross the 16-bit sequence space whatever the start.
    for i in 0..66_000u32 {
        let now = start + Duration::from_millis(20 * u64::from(i));
        alice.send(now, &[0; 160], 160, false).unwrap();
        let t = alice.poll_transmit().unwrap();
        let view = media::rtp::RtpPacketView::parse(&t.payload).unwrap();
        assert_eq!(view.marker(), i == 0, "the first packet starts a talkspurt");
        let seq = *first_seq.get_or_insert(view.sequence_number());
        assert_eq!(view.sequence_number(), seq.wrapping_add(i as u16));
        if i == 0 {
            first_ts = view.timestamp();
        }
        assert_eq!(view.timestamp(), first_ts.wrapping_add(160 * i));
        wrapped |= view.sequence_number() == 0 && i > 0;
        match bob.handle_rtp(now, addr(ALICE), &t.payload) {
            Ok(v) => {
                assert_eq!(v.extended_sequence_number(), last_extended + 1);
                last_extended = v.extended_sequence_number();
            }
            Err(e) => {
                assert_eq!(i, 0, "only the probation packet is refused: {e}");
                last_extended = u64::from(view.sequence_number());
            }
        }
    }
    assert!(wrapped);
    let rx = bob.stats().rx_stat;
    assert_eq!(
        (rx.pkt, rx.loss, rx.discard, rx.dup, rx.reorder),
        (65_999, 0, 1, 0, 0)
    );
    let tx = alice.stats();
    assert_eq!(tx.tx_stat.pkt, 66_000);
    assert_eq!(tx.tx_stat.bytes, 66_000 * 160);
    assert_eq!(
        tx.rtp_tx_last_seq,
        first_seq.unwrap().wrapping_add((65_999 % 65_536) as u16)
    );
    assert_eq!(tx.rtp_tx_last_ts, first_ts.wrapping_add(160 * 65_999));
    // A talkspurt's first packet carries the marker when asked.
    alice.send(start, &[0; 160], 160, true).unwrap();
    let t = alice.poll_transmit().unwrap();
    assert!(
        media::rtp::RtpPacketView::parse(&t.payload)
            .unwrap()
            .marker()
    );
}

#[test]
fn loss_reordering_and_duplicates_across_the_wrap() {
    let start = VirtualClock::new().now();
    let mut bob = session(ALICE, 2, start);
    let from = addr(ALICE);
    let mut outcomes = Vec::new();
    // 65530..65534, 65535 lost, then 1 before 0, then 0 twice, then 2..5.
    let order: Vec<u16> = vec![65_530, 65_531, 65_532, 65_533, 65_534, 1, 0, 0, 2, 3, 4, 5];
    for (i, &seq) in order.iter().enumerate() {
        let now = start + Duration::from_millis(20 * i as u64);
        let ts = 160 * u32::from(seq.wrapping_sub(65_530));
        let bytes = rtp_packet(0xAB, seq, ts, &[1, 2, 3]);
        outcomes.push(match bob.handle_rtp(now, from, &bytes) {
            Ok(v) => Ok((v.extended_sequence_number(), v.lost_before(), v.is_late())),
            Err(e) => Err(e),
        });
    }
    assert_eq!(outcomes[0], Err(RtpError::Probation { ssrc: 0xAB }));
    assert_eq!(outcomes[4], Ok((65_534, 0, false)));
    assert_eq!(outcomes[5], Ok((65_537, 2, false)), "65535 and 0 missing");
    assert_eq!(outcomes[6], Ok((65_536, 0, true)), "0 arrives late");
    assert_eq!(
        outcomes[7],
        Err(RtpError::Duplicate {
            ssrc: 0xAB,
            sequence: 0
        })
    );
    assert_eq!(outcomes[11], Ok((65_541, 0, false)));
    let rx = bob.stats().rx_stat;
    assert_eq!(
        (rx.pkt, rx.loss, rx.reorder, rx.dup, rx.discard),
        (10, 1, 1, 1, 1)
    );
    assert_eq!(rx.bytes, 30);
    assert!(rx.loss_type.burst && !rx.loss_type.random);
    assert_eq!(rx.loss_period_usec.n, 1);
    assert_eq!(rx.loss_period_usec.last, 40_000, "two 20 ms frames");
    assert_eq!(
        bob.poll_event(),
        Some(RtpEvent::RemoteSource {
            ssrc: 0xAB,
            previous: None
        })
    );
}

#[test]
fn sequence_jump_restarts_after_two_packets() {
    let start = VirtualClock::new().now();
    let mut bob = session(ALICE, 2, start);
    let from = addr(ALICE);
    for seq in [100u16, 101, 102] {
        let _ = bob.handle_rtp(start, from, &rtp_packet(7, seq, 0, &[]));
    }
    assert_eq!(
        bob.handle_rtp(start, from, &rtp_packet(7, 20_000, 0, &[]))
            .unwrap_err(),
        RtpError::BadSequence {
            ssrc: 7,
            sequence: 20_000
        }
    );
    let packet = rtp_packet(7, 20_001, 0, &[]);
    let v = bob.handle_rtp(start, from, &packet).unwrap();
    assert_eq!(v.extended_sequence_number(), 20_001);
    let rx = bob.stats().rx_stat;
    assert_eq!((rx.pkt, rx.discard, rx.loss), (3, 2, 0));
}

#[test]
fn a_new_ssrc_replaces_the_peer_after_probation() {
    let start = VirtualClock::new().now();
    let mut bob = session(ALICE, 2, start);
    let from = addr(ALICE);
    let mut now = start;
    let mut feed = |bob: &mut RtpSession, ssrc: u32, seqs: std::ops::Range<u16>| {
        seqs.map(|seq| {
            now += Duration::from_millis(20);
            bob.handle_rtp(
                now,
                from,
                &rtp_packet(ssrc, seq, u32::from(seq) * 160, &[0; 10]),
            )
            .map(|v| v.ssrc())
        })
        .collect::<Vec<_>>()
    };
    feed(&mut bob, 0x1111, 0..50);
    // 10 lost, then the peer restarts with another SSRC and sequence.
    feed(&mut bob, 0x1111, 60..70);
    let restarted = feed(&mut bob, 0x2222, 9_000..9_003);
    assert_eq!(restarted[0], Err(RtpError::Probation { ssrc: 0x2222 }));
    assert_eq!(restarted[1..], [Ok(0x2222), Ok(0x2222)]);
    // The old source's stragglers are now somebody else's.
    assert!(matches!(
        feed(&mut bob, 0x1111, 70..71)[0],
        Err(RtpError::Probation { .. })
    ));
    let events: Vec<_> = std::iter::from_fn(|| bob.poll_event()).collect();
    assert_eq!(
        events,
        [
            RtpEvent::RemoteSource {
                ssrc: 0x1111,
                previous: None
            },
            RtpEvent::RemoteSource {
                ssrc: 0x2222,
                previous: Some(0x1111)
            }
        ]
    );
    let rx = bob.stats().rx_stat;
    assert_eq!(rx.loss, 10, "the old source's losses are kept");
    assert_eq!(rx.pkt, 49 + 10 + 2);
    assert_eq!(bob.remote_ssrc(), Some(0x2222));
}

#[test]
fn a_configured_remote_ssrc_refuses_others() {
    let start = VirtualClock::new().now();
    let mut c = RtpSessionConfig::new(addr(ALICE), 0, 8000);
    c.remote_ssrc = Some(5);
    c.min_sequential = 1;
    let mut bob = RtpSession::new(c, start).unwrap();
    assert!(
        bob.handle_rtp(start, addr(ALICE), &rtp_packet(5, 1, 0, &[]))
            .is_ok()
    );
    assert_eq!(
        bob.handle_rtp(start, addr(ALICE), &rtp_packet(6, 1, 0, &[]))
            .unwrap_err(),
        RtpError::UnknownSource { ssrc: 6 }
    );
    assert_eq!(bob.stats().rx_stat.discard, 1);
}

#[test]
fn ssrc_collision_sends_bye_and_takes_a_new_ssrc() {
    let (mut world, alice, bob) = pair(21, |mut c| {
        c.local_ssrc = Some(0x1234_5678);
        c
    });
    world.run_for(Duration::from_secs(30));
    for (me, other) in [(alice, bob), (bob, alice)] {
        let peer = world.agent(me);
        let collisions: Vec<_> = peer
            .event_list()
            .into_iter()
            .filter(|e| matches!(e, RtpEvent::SsrcCollision { .. }))
            .collect();
        let new = peer.session.local_ssrc();
        assert_eq!(
            collisions,
            [RtpEvent::SsrcCollision {
                previous: 0x1234_5678,
                ssrc: new
            }]
        );
        // The first RTCP it sent says BYE for the old SSRC.
        let (_, _, first_rtcp) = &peer.rtcp_sent[0];
        assert!(
            first_rtcp.iter().any(|p| matches!(p,
                RtcpPacket::Bye(bye) if bye.sources == [0x1234_5678]
                    && bye.reason.as_deref() == Some("SSRC collision"))),
            "{first_rtcp:?}"
        );
        // Everything after the first packet uses the new SSRC.
        assert!(peer.sent[2..].iter().all(|s| s.ssrc == new));
        assert_eq!(world.agent(other).session.remote_ssrc(), Some(new));
    }
    assert_ne!(
        world.agent(alice).session.local_ssrc(),
        world.agent(bob).session.local_ssrc()
    );
    // Both ended up hearing each other.
    assert!(world.agent(alice).session.stats().rx_stat.pkt > 1_000);
    assert!(world.agent(bob).session.stats().rtt_usec.n > 0);
}

#[test]
fn duplicates_and_reordering_are_counted() {
    let (mut world, alice, bob) = pair(31, |c| c);
    world.network_mut().set_default_link(
        LinkConfig::default()
            .with_duplicate(0.1)
            .with_reorder(0.05, Duration::from_millis(50)),
    );
    world.run_for(Duration::from_secs(120));
    let link = world.network().stats(addr(ALICE), addr(BOB));
    let receiver = world.agent(bob);
    let rx = receiver.session.stats().rx_stat;
    // The same counts, from the arrival log: after the first accepted
    // packet, a sequence number seen before is a duplicate, one below the
    // highest so far is late.
    let first = receiver.accepted[0].sequence;
    let (mut seen, mut highest, mut dup, mut late) = (BTreeSet::new(), 0u64, 0u64, 0u64);
    let start = receiver
        .rtp_arrivals
        .iter()
        .position(|a| a.2 == first)
        .unwrap();
    for &(_, _, seq) in &receiver.rtp_arrivals[start..] {
        let ext = u64::from(seq.wrapping_sub(first));
        if ext > 30_000 {
            continue; // before the first accepted: discarded
        }
        if !seen.insert(ext) {
            dup += 1;
        } else if ext < highest {
            late += 1;
        }
        highest = highest.max(ext);
    }
    eprintln!(
        "link {link:?}; session dup {} reorder {}",
        rx.dup, rx.reorder
    );
    assert_eq!((rx.dup, rx.reorder, rx.loss), (dup, late, 0));
    // And about what the link says it did (packets duplicated or held back
    // before the source was valid, or whose copy came while the original
    // was still held, make the small differences).
    assert!(
        rx.dup.abs_diff(link.duplicated) <= 3,
        "{} vs {}",
        rx.dup,
        link.duplicated
    );
    assert!(
        rx.reorder.abs_diff(link.reordered) <= 3,
        "{} vs {}",
        rx.reorder,
        link.reordered
    );
    assert!(rx.dup > 400 && rx.reorder > 200);
    let _ = alice;
}

/// Bob is known to Alice by an address that is not his (behind a NAT):
/// Alice sends into the void until ten of Bob's packets in a row have come
/// from his real address, then latches to it.
#[test]
fn latching_to_where_the_peer_sends_from() {
    let public = addr("203.0.113.5:6000");
    let mut world = World::new(41);
    let start = world.now();
    let config = |remote: SocketAddr, seed| {
        let mut c = RtpSessionConfig::new(remote, 0, 8000);
        c.seed = seed;
        c
    };
    let alice = world.add_agent(Peer::new(config(public, 1), addr(ALICE), start));
    // Bob's RTCP comes from a port of its own, not RTP's plus one.
    let mut bob_peer = Peer::new(config(addr(ALICE), 2), addr(BOB), start);
    let bob_rtcp = addr("192.0.2.2:7000");
    bob_peer.rtcp_addr = Some(bob_rtcp);
    let bob = world.add_agent(bob_peer);
    world.run_for(Duration::from_secs(30));

    let a = world.agent(alice);
    let latches: Vec<_> = a
        .events
        .iter()
        .filter(|(_, e)| matches!(e, RtpEvent::Latched { .. }))
        .cloned()
        .collect();
    assert_eq!(latches.len(), 2, "{latches:?}");
    let (rtp_at, rtp_latch) = &latches[0];
    assert_eq!(
        *rtp_latch,
        RtpEvent::Latched {
            kind: PacketKind::Rtp,
            previous: public,
            address: addr(BOB)
        }
    );
    // The tenth of Bob's packets: the ninth after his second (the first
    // validated one), 20 ms apart, plus the 10 ms link.
    assert_eq!(*rtp_at - start, Duration::from_millis(9 * 20 + 10));
    // RTCP followed RTP to Bob's port + 1, then latched to where Bob's
    // RTCP really comes from after three compound packets.
    let (_, rtcp_latch) = &latches[1];
    assert_eq!(
        *rtcp_latch,
        RtpEvent::Latched {
            kind: PacketKind::Rtcp,
            previous: next_port(addr(BOB)),
            address: bob_rtcp
        }
    );
    assert_eq!(a.session.remote_rtp(), addr(BOB));
    assert_eq!(a.session.remote_rtcp(), bob_rtcp);
    let b = world.agent(bob);
    assert!(
        b.session.stats().rx_stat.pkt > 1_000,
        "Bob hears Alice once she latched"
    );
    assert!(b.session.stats().rtt_usec.n > 0, "and her reports");
    assert!(
        world.unroutable() > 0,
        "what went to the public address was lost"
    );
    assert!(
        b.event_list()
            .iter()
            .all(|e| !matches!(e, RtpEvent::Latched { .. }))
    );
}

#[test]
fn no_latching_when_disabled() {
    let public = addr("203.0.113.5:6000");
    let mut world = World::new(42);
    let start = world.now();
    let mut c = RtpSessionConfig::new(public, 0, 8000);
    c.latch_after = 0;
    c.latch_rtcp_after = 0;
    let alice = world.add_agent(Peer::new(c, addr(ALICE), start));
    let mut c = RtpSessionConfig::new(addr(ALICE), 0, 8000);
    c.seed = 2;
    world.add_agent(Peer::new(c, addr(BOB), start));
    world.run_for(Duration::from_secs(10));
    assert_eq!(world.agent(alice).session.remote_rtp(), public);
    assert!(
        world
            .agent(alice)
            .events
            .iter()
            .all(|(_, e)| !matches!(e, RtpEvent::Latched { .. }))
    );
}

#[test]
fn rtp_timeout_fires_once_per_silence() {
    let (mut world, alice, bob) = pair(51, |mut c| {
        c.rtp_timeout = Some(Duration::from_secs(2));
        c
    });
    let start = world.now();
    world.run_for(Duration::from_secs(1));
    world.agent_mut(alice).stop_sending();
    world.run_for(Duration::from_secs(9));
    let resume = world.now();
    world.agent_mut(alice).start_sending(resume);
    world.run_for(Duration::from_secs(2));
    world.agent_mut(alice).stop_sending();
    world.run_for(Duration::from_secs(10));

    let b = world.agent(bob);
    let timeouts: Vec<_> = b
        .events
        .iter()
        .filter(|(_, e)| matches!(e, RtpEvent::RtpTimeout { .. }))
        .cloned()
        .collect();
    assert_eq!(timeouts.len(), 2, "{timeouts:?}");
    // Each exactly 2 s after the last packet that arrived before it.
    for (at, event) in &timeouts {
        let last = b
            .rtp_arrivals
            .iter()
            .map(|a| a.0)
            .filter(|t| t < at)
            .max()
            .unwrap();
        assert_eq!(*at - last, Duration::from_secs(2));
        assert_eq!(
            *event,
            RtpEvent::RtpTimeout {
                last_received: Some(last)
            }
        );
    }
    assert!(timeouts[0].0 - start < Duration::from_secs(4));
    assert!(timeouts[1].0 > resume);
    // Alice kept hearing Bob: no timeout there.
    assert!(
        world
            .agent(alice)
            .events
            .iter()
            .all(|(_, e)| !matches!(e, RtpEvent::RtpTimeout { .. }))
    );
}

#[test]
fn rtp_timeout_without_any_packet() {
    let start = VirtualClock::new().now();
    let mut c = RtpSessionConfig::new(addr(ALICE), 0, 8000);
    c.rtp_timeout = Some(Duration::from_secs(3));
    let mut bob = RtpSession::new(c, start).unwrap();
    let mut events = Vec::new();
    let mut now = start;
    while now < start + Duration::from_secs(20) {
        now = bob.poll_timeout().unwrap();
        bob.handle_timeout(now);
        events.extend(std::iter::from_fn(|| bob.poll_event()).map(|e| (now - start, e)));
        while bob.poll_transmit().is_some() {}
    }
    assert_eq!(
        events,
        [(
            Duration::from_secs(3),
            RtpEvent::RtpTimeout {
                last_received: None
            }
        )]
    );
}

/// Both sides multiplex RTCP on the RTP port (RFC 5761): nothing goes to
/// another port, and each side takes the other's reports from the RTP
/// port.
#[test]
fn rtcp_mux_both_ways() {
    let (mut world, alice, bob) = pair(61, |mut c| {
        c.rtcp_mux = true;
        c
    });
    world.run_for(Duration::from_secs(30));
    assert_eq!(world.unroutable(), 0);
    for (me, other) in [(alice, bob), (bob, alice)] {
        let peer = world.agent(me);
        assert_eq!(peer.addresses_owned(), vec![peer.rtp_addr]);
        assert!(
            peer.rtcp_sent
                .iter()
                .all(|(_, to, _)| *to == world.agent(other).rtp_addr)
        );
        let stats = peer.session.stats();
        assert_eq!(stats.peer_sdes.cname, world.agent(other).session.cname());
        assert!(stats.rtt_usec.n >= 3);
        assert_eq!(stats.rx_stat.discard, 1, "the probation packet only");
        assert!(peer.rejected.len() == 1);
    }
}

/// Without rtcp-mux: RTCP goes to the RTP port plus one, or to the address
/// of a=rtcp.
#[test]
fn rtcp_on_its_own_port_and_at_a_given_address() {
    let bob_rtcp = addr("192.0.2.2:7000");
    let mut world = World::new(62);
    let start = world.now();
    let mut c = RtpSessionConfig::new(addr(BOB), 0, 8000);
    c.remote_rtcp = Some(bob_rtcp);
    let alice = world.add_agent(Peer::new(c, addr(ALICE), start));
    let mut c = RtpSessionConfig::new(addr(ALICE), 0, 8000);
    c.seed = 2;
    let mut bob_peer = Peer::new(c, addr(BOB), start);
    bob_peer.rtcp_addr = Some(bob_rtcp);
    let bob = world.add_agent(bob_peer);
    world.run_for(Duration::from_secs(30));
    assert_eq!(world.unroutable(), 0);
    let a = world.agent(alice);
    assert!(a.rtcp_sent.iter().all(|(_, to, _)| *to == bob_rtcp));
    let b = world.agent(bob);
    assert!(
        b.rtcp_sent
            .iter()
            .all(|(_, to, _)| *to == next_port(addr(ALICE)))
    );
    assert!(a.session.stats().rtt_usec.n >= 3 && b.session.stats().rtt_usec.n >= 3);
}

#[test]
fn demultiplexing_and_payload_types() {
    let start = VirtualClock::new().now();
    let mut alice = session(BOB, 1, start);
    let mut c = RtpSessionConfig::new(addr(ALICE), 0, 8000);
    c.min_sequential = 1;
    c.rtcp_mux = true;
    let mut bob = RtpSession::new(c.clone(), start).unwrap();
    alice.send(start, b"x", 160, false).unwrap();
    let rtp = alice.poll_transmit().unwrap().payload;
    alice.close(start, None);
    let rtcp = alice.poll_transmit().unwrap().payload;
    assert!(matches!(
        bob.handle_datagram(start, addr(ALICE), &rtp),
        Ok(Received::Rtp(_))
    ));
    assert!(matches!(
        bob.handle_datagram(start, addr(ALICE), &rtcp),
        Ok(Received::Rtcp)
    ));
    assert_eq!(
        bob.handle_rtp(start, addr(ALICE), &rtcp).unwrap_err(),
        RtpError::NotRtp
    );
    // Payload types 64–95 would look like RTCP on a multiplexed port.
    assert!(matches!(
        bob.send_with_payload_type(start, 72, b"", 0, false),
        Err(RtpError::Misuse(_))
    ));
    assert!(
        bob.send_with_payload_type(start, 101, b"", 0, false)
            .is_ok(),
        "telephone-event"
    );
    c.payload_type = 72;
    assert!(matches!(
        RtpSession::new(c.clone(), start),
        Err(RtpError::Misuse(_))
    ));
    c.rtcp_mux = false;
    assert!(RtpSession::new(c.clone(), start).is_ok());
    c.payload_type = 128;
    assert!(RtpSession::new(c.clone(), start).is_err());
    c.payload_type = 0;
    c.clock_rate = 0;
    assert!(RtpSession::new(c, start).is_err());
}

#[test]
fn senders_report_sr_and_receivers_rr() {
    let (mut world, alice, bob) = pair(71, |c| c);
    world.agent_mut(bob).stop_sending();
    world.run_for(Duration::from_secs(60));
    let a = world.agent(alice);
    let first = a.sent[0];
    for (at, _, packets) in &a.rtcp_sent {
        let RtcpPacket::SenderReport(sr) = &packets[0] else {
            panic!("Alice sends: {packets:?}");
        };
        // The SR's RTP timestamp is the media clock at the report's instant.
        let elapsed = (*at - first.at).as_nanos() * 8000 / 1_000_000_000;
        assert_eq!(
            sr.rtp_timestamp,
            first.timestamp.wrapping_add(elapsed as u32)
        );
        let sent_before = a.sent.iter().filter(|s| s.at <= *at).count() as u32;
        assert_eq!(sr.packet_count, sent_before);
        assert_eq!(sr.octet_count, 160 * sent_before);
        assert!(sr.reports.is_empty(), "Alice hears nothing");
        assert!(matches!(&packets[1], RtcpPacket::Sdes(chunks)
            if chunks[0].items[0].value == a.session.cname()));
    }
    let b = world.agent(bob);
    for (_, _, packets) in &b.rtcp_sent {
        let RtcpPacket::ReceiverReport(rr) = &packets[0] else {
            panic!("Bob only receives: {packets:?}");
        };
        assert_eq!(rr.reports.len(), 1);
        assert_eq!(rr.reports[0].ssrc, a.session.local_ssrc());
    }
    // Alice learns from Bob's reports how her stream fares.
    let tx = a.session.stats().tx_stat;
    assert!(tx.update_count >= 10 && tx.loss == 0);
    assert_eq!(tx.jitter_usec.max, 0, "a link without jitter");
    assert!(a.session.stats().rtt_usec.n >= 10);
    assert_eq!(
        b.session.stats().rtt_usec.n,
        0,
        "RTT needs SRs from the other side"
    );
}

#[test]
fn bye_on_close() {
    let (mut world, alice, bob) = pair(81, |c| c);
    world.run_for(Duration::from_secs(5));
    let now = world.now();
    world.agent_mut(alice).session.close(now, Some("hangup"));
    world.agent_mut(alice).stop_sending();
    world.run_for(Duration::from_secs(5));
    let a = world.agent(alice);
    let (_, _, last) = a.rtcp_sent.last().unwrap();
    assert_eq!(last.len(), 3, "report, SDES, BYE: {last:?}");
    assert!(a.session.is_closed());
    assert_eq!(a.session.poll_timeout(), None);
    let ssrc = a.session.local_ssrc();
    let b = world.agent(bob);
    assert!(b.event_list().contains(&RtpEvent::Bye {
        ssrc,
        reason: Some("hangup".into())
    }));
    let now = world.now();
    let alice = &mut world.agent_mut(alice).session;
    assert_eq!(alice.send(now, b"", 160, false), Err(RtpError::Closed));
    assert_eq!(
        alice
            .handle_rtp(now, addr(BOB), &rtp_packet(1, 1, 1, &[]))
            .unwrap_err(),
        RtpError::Closed
    );
    assert_eq!(
        alice.handle_rtcp(now, addr(BOB), &[]),
        Err(RtpError::Closed)
    );
}

#[test]
fn malformed_rtcp_is_refused_and_harmless() {
    let start = VirtualClock::new().now();
    let mut bob = session(ALICE, 2, start);
    for junk in [
        &[][..],
        &[0x80, 201, 0, 9][..],
        &[0x40, 201, 0, 1, 0, 0, 0, 0][..],
    ] {
        assert!(matches!(
            bob.handle_rtcp(start, addr(ALICE), junk),
            Err(RtpError::Malformed(_))
        ));
    }
    assert!(matches!(
        bob.handle_rtp(start, addr(ALICE), &[0x80, 0]),
        Err(RtpError::Malformed(_))
    ));
    assert_eq!(bob.stats().rx_stat.discard, 1);
    assert!(
        parse_rtcp(&[0x80, 201, 0, 1, 0, 0, 0, 1]).is_ok(),
        "an empty RR"
    );
}
