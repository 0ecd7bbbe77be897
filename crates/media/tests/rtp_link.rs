//! Two RTP sessions exchanging 20 ms packets over testkit's simulated
//! network in virtual time: what each session measures (loss, jitter,
//! round-trip time) against what the link did, and when RTCP goes.
//!
//! # The link, and why the tolerances are what they are
//!
//! Each direction delays every datagram by 40 ms plus a uniform draw in
//! `[0, 60 ms]`; the kit's jitter never reorders (a datagram is held until
//! the one before it arrived), so transit times lie in `[40, 100] ms` and
//! the packets come in order. Losses are independent, at 0, 5 or 10 %.
//!
//! - **Loss** is checked exactly: the session counts expected minus
//!   received from the first packet it accepted to the highest (RFC 3550
//!   A.3), and the test counts the same span in what the link delivered.
//!   It also equals the link's own count of losses once the packets lost
//!   outside that span (before the source was validated, after the last
//!   delivered one) are set aside. Against the configured probability it
//!   is within 4 standard deviations of the binomial (15,000 packets:
//!   σ = 0.18 % at 5 %), which a correct session misses with probability
//!   6e-5.
//! - **Jitter** is checked twice. Exactly: RFC 3550 A.8 recomputed in
//!   floating point from the arrival times and timestamps of the packets
//!   the session accepted must match the session's fixed-point estimate
//!   within 2 timestamp units (250 µs at 8 kHz): the session converts
//!   arrival times to whole timestamp units, an error below one unit per
//!   difference, which the 1/16 smoothing keeps below one unit, plus the
//!   fixed point's rounding. And against the link: the mean of the
//!   session's per-packet |D| (`rx_raw_jitter_usec`) must equal the mean
//!   of |transit(i) − transit(i−1)| computed from the send and arrival
//!   times within 125 µs (one timestamp unit), and the smoothed jitter
//!   sampled at each report must average within 20 % of that mean: A.8's
//!   estimator is an exponential average of |D| with gain 1/16, so its
//!   expectation is E|D|; sampled ~70 times, 16 packets' memory each, the
//!   samples' mean has a relative standard error of a few per cent.
//! - **RTT** is A − LSR − DLSR in 1/65536 s units: on a link without
//!   jitter it equals twice the 40 ms delay within 46 µs (three values
//!   truncated to 15.26 µs each); with jitter each sample lies between
//!   twice the smallest and twice the largest transit time.
//! - **RTCP intervals** are RFC 3550 A.7's: with two members the 5 s
//!   minimum rules, randomised in `[0.5, 1.5]` and divided by `e − 3/2`, so
//!   every gap lies in `[2.05, 6.16] s` and the first report in
//!   `[1.03, 3.08] s` (half the minimum). Timer reconsideration moves a
//!   report later when a new draw says so (never past the bound).

mod rtp_support;

use std::time::Duration;

use media::rtp::RtcpPacket;
use rtp_support::{Peer, pair};
use testkit::{LinkConfig, World};

/// How long each exchange runs.
const RUN: Duration = Duration::from_secs(300);
const DELAY: Duration = Duration::from_millis(40);
const JITTER: Duration = Duration::from_millis(60);
/// `e − 3/2`.
const COMPENSATION: f64 = std::f64::consts::E - 1.5;

fn link(loss: f64) -> LinkConfig {
    LinkConfig::default()
        .with_delay(DELAY)
        .with_jitter(JITTER)
        .with_loss(loss)
}

/// What one direction of an exchange measured and what its link did.
#[derive(Debug)]
struct Direction {
    loss: u64,
    expected: u64,
    /// Lost or still in flight on the link.
    link_lost: u64,
    /// Packets that never arrived before the first accepted one (probation)
    /// or after the last that arrived.
    lost_outside: u64,
    jitter_units: u32,
    reference_jitter_units: f64,
    raw_jitter_mean_usec: f64,
    link_mean_d_usec: f64,
    jitter_samples_mean_usec: f64,
    jitter_samples: u64,
}

/// Measures the direction from `tx` to `rx`.
fn direction(world: &World<Peer>, tx: usize, rx: usize) -> Direction {
    let (sender, receiver) = (world.agent(tx), world.agent(rx));
    let stats = receiver.session.stats();
    let accepted = &receiver.accepted;
    let first = accepted.first().expect("packets accepted").extended;
    let highest = accepted.iter().map(|a| a.extended).max().unwrap();
    let expected = highest - first + 1;
    let delivered_in_span = accepted.len() as u64;
    assert_eq!(
        stats.rx_stat.loss,
        expected - delivered_in_span,
        "loss is expected minus received over the accepted span"
    );
    // Transit times of what arrived, from the sender's log.
    let start_seq = sender.sent[0].sequence;
    let ext = |seq: u16| u64::from(seq.wrapping_sub(start_seq));
    let first_sent_ext = ext(accepted[0].sequence);
    let sent_ext_of = |a: &rtp_support::Accepted| ext(a.sequence);
    let received: std::collections::BTreeSet<u64> = receiver
        .rtp_arrivals
        .iter()
        .map(|&(_, _, seq)| ext(seq))
        .collect();
    let last_received = received.iter().max().copied().unwrap();
    let lost_outside = sender
        .sent
        .iter()
        .map(|s| ext(s.sequence))
        .filter(|e| !received.contains(e) && (*e < first_sent_ext || *e > last_received))
        .count() as u64;
    let link = world.network().stats(sender.rtp_addr, receiver.rtp_addr);
    // What was lost, and what is still on its way (sent in the last 100 ms):
    // neither arrived.
    let link_lost = link.lost + link.in_flight();
    let mut previous_transit: Option<f64> = None;
    let mut sum_d = 0.0;
    let mut n_d = 0u32;
    for a in accepted {
        let sent_at = sender.sent[sent_ext_of(a) as usize].at;
        let transit = (a.at - sent_at).as_secs_f64() * 1e6;
        if let Some(p) = previous_transit {
            sum_d += (transit - p).abs();
            n_d += 1;
        }
        previous_transit = Some(transit);
    }
    Direction {
        loss: stats.rx_stat.loss,
        expected,
        link_lost,
        lost_outside,
        jitter_units: receiver.session.jitter(),
        reference_jitter_units: rtp_support::reference_jitter(accepted, 8000.0),
        raw_jitter_mean_usec: stats.rx_raw_jitter_usec.exact_mean(),
        link_mean_d_usec: sum_d / f64::from(n_d),
        jitter_samples_mean_usec: stats.rx_stat.jitter_usec.exact_mean(),
        jitter_samples: stats.rx_stat.jitter_usec.n,
    }
}

fn exchange(seed: u64, loss: f64) {
    let (mut world, alice, bob) = pair(seed, |c| c);
    world.network_mut().set_default_link(link(loss));
    world.run_for(RUN);
    for (tx, rx, name) in [(alice, bob, "alice→bob"), (bob, alice, "bob→alice")] {
        let d = direction(&world, tx, rx);
        eprintln!("{loss:.2} {name}: {d:?}");
        // Loss: exactly what the link did.
        assert_eq!(d.loss + d.lost_outside, d.link_lost, "{name}");
        let measured = d.loss as f64 / d.expected as f64;
        let sigma = (loss * (1.0 - loss) / d.expected as f64).sqrt();
        assert!(
            (measured - loss).abs() <= 4.0 * sigma + 1e-12,
            "{name}: loss {measured} against {loss} (σ {sigma})"
        );
        // Jitter: the session's estimate is RFC 3550 A.8's.
        assert!(
            (f64::from(d.jitter_units) - d.reference_jitter_units).abs() <= 2.0,
            "{name}: {} against {}",
            d.jitter_units,
            d.reference_jitter_units
        );
        assert!(
            (d.raw_jitter_mean_usec - d.link_mean_d_usec).abs() <= 125.0,
            "{name}: |D| {} against the link's {}",
            d.raw_jitter_mean_usec,
            d.link_mean_d_usec
        );
        assert!(
            d.jitter_samples >= 50,
            "{name}: {} samples",
            d.jitter_samples
        );
        let ratio = d.jitter_samples_mean_usec / d.link_mean_d_usec;
        assert!(
            (0.8..=1.2).contains(&ratio),
            "{name}: smoothed jitter {} against mean |D| {}",
            d.jitter_samples_mean_usec,
            d.link_mean_d_usec
        );
        // Round-trip times within what the link's transit times allow.
        let (min, max) = world.agent(tx).rtt_range();
        let (lo, hi) = (
            2 * DELAY.as_micros() as i64,
            2 * (DELAY + JITTER).as_micros() as i64,
        );
        assert!(
            min >= lo - 46 && max <= hi + 46,
            "{name}: RTT {min}..{max} µs outside {lo}..{hi}"
        );
        assert!(world.agent(tx).session.stats().rtt_usec.n >= 30);
        check_rtcp_intervals(world.agent(tx), name);
    }
}

/// Every report gap within RFC 3550's bounds, the first within half.
fn check_rtcp_intervals(peer: &Peer, name: &str) {
    let times = peer.rtcp_times();
    let start = peer.session.stats().start;
    let first = (times[0] - start).as_secs_f64();
    assert!(
        (1.25 / COMPENSATION..=3.75 / COMPENSATION).contains(&first),
        "{name}: first report at {first} s"
    );
    let gaps: Vec<f64> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64())
        .collect();
    for gap in &gaps {
        assert!(
            (2.5 / COMPENSATION - 1e-9..=7.5 / COMPENSATION + 1e-9).contains(gap),
            "{name}: a report gap of {gap} s"
        );
    }
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    eprintln!(
        "{name}: {} reports, first {first:.3} s, mean gap {mean:.3} s",
        times.len()
    );
}

#[test]
fn no_loss_and_60ms_jitter() {
    exchange(11, 0.0);
}

#[test]
fn five_percent_loss_and_60ms_jitter() {
    exchange(12, 0.05);
}

#[test]
fn ten_percent_loss_and_60ms_jitter() {
    exchange(13, 0.10);
}

#[test]
fn rtt_is_twice_the_link_delay() {
    let (mut world, alice, bob) = pair(5, |c| c);
    world
        .network_mut()
        .set_default_link(LinkConfig::with_delay_only(DELAY));
    world.run_for(Duration::from_secs(120));
    for peer in [alice, bob] {
        let rtt = world.agent(peer).session.stats().rtt_usec;
        let expected = 2 * DELAY.as_micros() as i64;
        eprintln!("RTT {rtt:?}");
        assert!(rtt.n >= 20, "{rtt:?}");
        assert!(
            (rtt.min - expected).abs() <= 46 && (rtt.max - expected).abs() <= 46,
            "{rtt:?} against {expected} µs"
        );
        // Both sent: every report is an SR with a block about the other.
        for (_, _, packets) in &world.agent(peer).rtcp_sent[1..] {
            assert!(
                matches!(&packets[0], RtcpPacket::SenderReport(sr) if sr.reports.len() == 1),
                "{packets:?}"
            );
        }
    }
}

#[test]
fn reduced_minimum_interval() {
    // 1 Mbit/s: RFC 3550 §6.2's reduced minimum is 360 / 1000 = 0.36 s.
    let (mut world, alice, _bob) = pair(6, |mut c| {
        c.session_bandwidth = 1_000_000;
        c.rtcp_reduced_minimum = true;
        c
    });
    world.run_for(Duration::from_secs(60));
    let times = world.agent(alice).rtcp_times();
    let gaps: Vec<f64> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64())
        .collect();
    let (lo, hi) = (0.18 / COMPENSATION, 0.54 / COMPENSATION);
    assert!(
        gaps.iter().all(|g| (lo - 1e-9..=hi + 1e-9).contains(g)),
        "{gaps:?}"
    );
    assert!(times.len() > 100, "{} reports in 60 s", times.len());
}

#[test]
fn low_bandwidth_stretches_the_interval() {
    // 4 kbit/s: RTCP gets 25 octets/s; two members sending ~80-octet
    // reports (with UDP/IP) make T = 2 × 80 / 25 ≈ 6.4 s, above 5 s.
    let (mut world, alice, _bob) = pair(7, |mut c| {
        c.session_bandwidth = 4_000;
        c
    });
    world.run_for(Duration::from_secs(600));
    let times = world.agent(alice).rtcp_times();
    let gaps: Vec<f64> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64())
        .collect();
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    eprintln!(
        "mean gap at 4 kbit/s: {mean:.2} s over {} reports",
        gaps.len()
    );
    assert!(gaps.iter().all(|&g| g >= 2.5 / COMPENSATION), "{gaps:?}");
    assert!(
        mean > 5.5,
        "the bandwidth share, not the minimum, sets the pace: {mean}"
    );
}
