//! Packets of any duration: a receiver at 20 ms plays what senders at 10,
//! 20, 30, 40 and 60 ms send, and packet times that change in mid-stream;
//! a sender at 30, 40 and 60 ms sends packets of that length.

mod stream_support;

use std::time::Duration;

use media::codec::g711::linear_to_ulaw;
use media::codec::{CodecManager, CodecParam};
use media::jitter::DiscardAlgorithm;
use media::stream::{Stream, StreamConfig};
use media::{FrameKind, MediaPort};
use stream_support::{A, B, Heard, Setup, addr, epoch, measure, run};

/// The mean jitter buffer size (units) over B's ticks `range`.
fn mean_size(heard: &Heard, range: std::ops::Range<usize>) -> f64 {
    let sizes = &heard.jb_size[range];
    sizes.iter().map(|&s| f64::from(s)).sum::<f64>() / sizes.len() as f64
}

#[test]
fn a_receiver_at_20_ms_plays_every_sender_ptime() {
    // The same-ptime case sets the bar: SNR within 3 dB of it, the tone at
    // 1 kHz, no silent frame after the first second, and a buffer whose
    // level does not drift over 10 s (first seconds against last).
    println!("codec         jitter  ptime  SNR dB  silent  buffer 2-4 s  8-10 s  lost");
    let mut failures = Vec::new();
    for codec in ["PCMU/8000", "G722/16000", "L16/16000/1"] {
        for jitter in [0.0, 40.0] {
            let mut bar = None;
            for ptime in [20, 10, 30, 40, 60] {
                let mut setup = Setup::new(codec);
                setup.ptime_a = ptime;
                setup.jitter_ms = jitter;
                setup.secs = 10;
                setup.seed = 7;
                let heard = run(&setup);
                let q = measure(&heard, 50);
                let (early, late) = (mean_size(&heard, 100..200), mean_size(&heard, 400..499));
                println!(
                    "{codec:<12} {jitter:>4.0} ms  {ptime:>2} ms  {:>6.1}  {:>6}  {early:>12.1}  {late:>6.1}  {}",
                    q.snr_db, q.silent, heard.stats.jbuf.lost
                );
                let bar = *bar.get_or_insert(q.snr_db);
                let case = format!("{codec} at {ptime} ms, {jitter} ms jitter");
                if !q.is_at_1khz() {
                    failures.push(format!("{case}: not at 1 kHz"));
                }
                if q.snr_db < bar - 3.0 {
                    failures.push(format!("{case}: {:.1} dB, {bar:.1} at 20 ms", q.snr_db));
                }
                if jitter == 0.0 && (q.silent > 0 || heard.stats.jbuf.lost > 0) {
                    failures.push(format!("{case}: gaps on a perfect network"));
                }
                // At most one packet's worth of drift.
                if (late - early).abs() > f64::from(ptime / 10) {
                    failures.push(format!("{case}: buffer {early:.1} → {late:.1} units"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_sender_sends_the_packet_time_it_is_asked_for() {
    for (codec, bytes_per_ms) in [("PCMU", 8), ("G722", 8), ("L16/16000/1", 32)] {
        for ptime in [10u32, 20, 30, 40, 60] {
            let mut setup = Setup::new(codec);
            setup.ptime_a = ptime;
            setup.secs = 1;
            let heard = run(&setup);
            let rtp_clock = if codec == "L16/16000/1" { 16 } else { 8 };
            assert_eq!(
                heard.sent.len() as u32,
                1000_u32.div_ceil(ptime),
                "{codec} {ptime}"
            );
            for pair in heard.sent.windows(2) {
                assert_eq!(pair[0].payload.len() as u32, bytes_per_ms * ptime);
                assert_eq!(
                    pair[1].timestamp.wrapping_sub(pair[0].timestamp),
                    rtp_clock * ptime,
                    "{codec} {ptime}"
                );
                assert_eq!(pair[1].sequence.wrapping_sub(pair[0].sequence), 1);
            }
        }
    }
}

#[test]
fn frames_per_packet_make_the_packet_time() {
    // PCMU's 10 ms frames, four to a packet: 40 ms packets.
    let manager = CodecManager::new();
    let desc = *manager.find("PCMU").unwrap();
    let mut param = CodecParam::default_for(&desc);
    assert_eq!((param.info.frame_len, param.setting.frm_per_pkt), (10, 2));
    param.setting.frm_per_pkt = 4;
    let config = StreamConfig::with_desc(desc, param, addr(B));
    assert_eq!(config.ptime_ms, 40);
    let mut a = Stream::new(config, epoch()).unwrap();
    assert_eq!(a.format().frame_len(), 320);
    a.put_frame(&[0; 320]);
    let sent = a.poll_transmit().unwrap();
    assert_eq!(sent.payload.len(), 12 + 320);
}

/// A sweep from 300 Hz rising at 200 Hz/s, at 8 kHz: no stretch of it
/// repeats, so a unit played twice or skipped shows.
fn sweep(n: u64) -> i16 {
    let t = n as f64 / 8000.0;
    (8000.0 * (std::f64::consts::TAU * (300.0 * t + 100.0 * t * t)).sin()).round() as i16
}

/// A PCMU packet of the sweep's samples `from..to`, sequence `seq`.
fn pcmu(seq: u16, from: u64, to: u64) -> Vec<u8> {
    let mut p = vec![0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78];
    p[2..4].copy_from_slice(&seq.to_be_bytes());
    p[4..8].copy_from_slice(&(0xFFFF_F000u32.wrapping_add(from as u32)).to_be_bytes());
    p.extend((from..to).map(|n| linear_to_ulaw(sweep(n))));
    p
}

#[test]
fn packet_times_may_change_in_mid_stream() {
    // 2 s each of 20, 30, 10, 60, 40 ms packets, then 5 and 25 ms ones
    // (off the 10 ms grid), timestamps wrapping on the way; each packet
    // sent when its first sample is due, arriving 10 ms later. B plays
    // every 20 ms, 60 ms behind (an initial prefetch, and no discards, so
    // that what is measured is the framing, not the delay adapting: a
    // buffer playing with no delay runs dry for a unit when the packets
    // get longer, and grows by it).
    let mut schedule = Vec::new();
    let mut at = 0u64;
    for ptime in [20u64, 30, 10, 60, 40, 5, 25, 20] {
        let end = at + 2000;
        while at < end {
            schedule.push((at, ptime));
            at += ptime;
        }
    }
    let start = epoch();
    let mut config = StreamConfig::new("PCMU", addr(A)).unwrap();
    config.seed = 3;
    config.jb_init = 60;
    config.jb_discard_algo = DiscardAlgorithm::None;
    let mut b = Stream::new(config, start).unwrap();
    let mut out = vec![0i16; 160];
    let mut frames = Vec::new();
    let mut next = 0;
    for ms in 0..at {
        let now = start + Duration::from_millis(ms);
        while let Some(&(send_ms, ptime)) = schedule.get(next) {
            if send_ms + 10 > ms {
                break;
            }
            let packet = pcmu(next as u16, send_ms * 8, (send_ms + ptime) * 8);
            b.handle_datagram(now, addr(B), &packet).unwrap_or_default();
            next += 1;
        }
        if ms % 20 == 10 {
            b.set_now(now);
            let kind = b.get_frame(&mut out);
            frames.push((kind, out.clone()));
        }
    }
    let stats = b.stats();
    assert_eq!(stats.rtcp.rx_stat.loss, 0);
    assert_eq!(stats.jbuf.lost, 0, "{:?}", stats.jbuf);
    let first = frames.iter().position(|f| f.0 == FrameKind::Audio).unwrap();
    assert!(first <= 5, "playing from frame {first}");
    assert!(
        frames[first..frames.len() - 5]
            .iter()
            .all(|f| f.0 == FrameKind::Audio)
    );
    // Every sample is the sweep's, with one fixed delay: no gap, no
    // repeat, no skip, across every change of packet time.
    let played: Vec<i16> = frames[first..frames.len() - 5]
        .iter()
        .flat_map(|(_, f)| f.clone())
        .collect();
    let error_at = |offset: u64, n: usize| {
        played[..n]
            .iter()
            .enumerate()
            .map(|(i, &s)| (f64::from(s) - f64::from(sweep(offset + i as u64))).abs())
            .fold(0.0, f64::max)
    };
    let offset = (0..4000).min_by_key(|&o| error_at(o, 800) as i64).unwrap();
    let error = error_at(offset, played.len());
    println!(
        "{} samples off the sweep by at most {error} (offset {offset})",
        played.len()
    );
    assert!(error < 400.0, "off the sweep by {error}");
}

#[test]
fn odd_and_hostile_payloads_are_taken_or_dropped_without_harm() {
    let start = epoch();
    for codec in ["PCMU", "G722", "L16/16000/2", "L16/44100/1", "L16/48000/2"] {
        let mut config = StreamConfig::new(codec, addr(A)).unwrap();
        config.seed = 11;
        let mut b = Stream::new(config, start).unwrap();
        let pt = b.session().config().payload_type;
        let mut out = vec![0i16; b.format().frame_len()];
        let mut seed = 0x9E37_79B9u32;
        for i in 0..400u32 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let len =
                [0, 1, 2, 3, 7, 79, 80, 81, 160, 161, 1199, 1600, 1920, 3000][i as usize % 14];
            let mut p = vec![0x80, pt, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD, 0xEF, 0x01];
            p[2..4].copy_from_slice(&(i as u16).to_be_bytes());
            // Timestamps mostly in step, sometimes anywhere.
            let ts = if seed % 7 == 0 {
                seed
            } else {
                160 * i + seed % 3
            };
            p[4..8].copy_from_slice(&ts.to_be_bytes());
            p[1] |= if seed % 5 == 0 { 0x80 } else { 0 };
            p.extend((0..len).map(|k| (seed >> (k % 24)) as u8));
            let now = start + Duration::from_millis(20 * u64::from(i));
            let _ = b.handle_datagram(now, addr(B), &p);
            b.set_now(now);
            b.get_frame(&mut out);
            // A short buffer too: it gets the start of the frame.
            b.get_frame(&mut out[..7]);
        }
    }
    // A 200 ms PCMU packet plays; a longer one is refused.
    for (ms, plays) in [(200u64, true), (250, false)] {
        let mut config = StreamConfig::new("PCMU", addr(A)).unwrap();
        config.seed = 12;
        let mut b = Stream::new(config, start).unwrap();
        let mut out = vec![0i16; 160];
        for k in 0..3u64 {
            let n = ms * 8;
            let p = pcmu(k as u16, k * n, (k + 1) * n);
            let now = start + Duration::from_millis(k * ms);
            let _ = b.handle_datagram(now, addr(B), &p);
        }
        // The first packet was on probation: the second plays.
        assert_eq!(b.get_frame(&mut out) == FrameKind::Audio, plays, "{ms} ms");
    }
}
