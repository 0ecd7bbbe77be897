//! Voice activity detection and silence suppression in a [`Stream`], as
//! PJSUA2 does it with VAD on: no RTP in silence (after the first 600 ms),
//! a keep-alive every 5 s of silence, the marker bit on the first packet
//! of a talkspurt, timestamps moving on through silence — and a receiver
//! that takes the gaps for silence, not loss.

mod stream_support;

use std::time::Duration;

use media::codec::cn;
use media::codec::g711::linear_to_ulaw;
use media::stream::{MAX_SILENCE_PERIOD, Stream, StreamConfig, VAD_SUSPEND};
use media::vad::{DEFAULT_HANGOVER, SilenceDetector};
use media::{AudioFormat, FrameKind, MediaPort};
use stream_support::{A, B, Heard, Sent, Setup, addr, epoch, measure, run, tone};

/// Frames of 20 ms in the hangover: quiet frames still sent after voice.
const HANGOVER_FRAMES: usize = (DEFAULT_HANGOVER.as_millis() / 20) as usize;

/// The tone for the first `talk_ms`, silence until `resume_ms`, then the
/// tone again.
fn talk_silence_talk(talk_ms: u64, resume_ms: u64) -> fn(u64, u32) -> i16 {
    // Plain functions for the harness: pick the pattern by its numbers.
    match (talk_ms, resume_ms) {
        (2000, 4000) => |n, rate| gated(n, rate, 2000, 4000),
        (1000, 12_000) => |n, rate| gated(n, rate, 1000, 12_000),
        (1000, u64::MAX) => |n, rate| gated(n, rate, 1000, u64::MAX),
        (0, 2000) => |n, rate| gated(n, rate, 0, 2000),
        _ => unreachable!("no such pattern in these tests"),
    }
}

fn gated(n: u64, rate: u32, talk_ms: u64, resume_ms: u64) -> i16 {
    let ms = n * 1000 / u64::from(rate);
    if ms < talk_ms || ms >= resume_ms {
        tone(n, rate)
    } else {
        0
    }
}

/// A's audio packets (not RTCP, not comfort noise) by frame index.
fn frame_index(sent: &Sent) -> usize {
    (sent.at_ms / 20) as usize
}

fn audio(heard: &Heard) -> Vec<&Sent> {
    heard.sent.iter().filter(|p| p.payload_type == 0).collect()
}

/// Timestamps move on by 160 per frame whether or not frames were sent,
/// and sequence numbers by one per packet.
fn assert_continuous(sent: &[Sent]) {
    let (ts0, seq0, at0) = (sent[0].timestamp, sent[0].sequence, sent[0].at_ms);
    for (i, p) in sent.iter().enumerate() {
        let frames = (p.at_ms - at0) / 20;
        assert_eq!(
            p.timestamp.wrapping_sub(ts0),
            160 * frames as u32,
            "timestamp of packet {i}"
        );
        assert_eq!(
            p.sequence.wrapping_sub(seq0),
            i as u16,
            "sequence of packet {i}"
        );
    }
}

#[test]
fn the_detector_tells_tone_from_silence_and_low_noise() {
    let mut vad = SilenceDetector::for_format(AudioFormat::new(8000, 1, 20));
    let tone_frame: Vec<i16> = (0..160).map(|n| tone(n, 8000)).collect();
    let mut seed = 0x1234_5678u32;
    let mut low_noise = || -> Vec<i16> {
        (0..160)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (seed % 161) as i16 - 80 // ±80: −52 dBFS
            })
            .collect()
    };
    assert!(vad.detect(&[0; 160]), "digital silence");
    for _ in 0..50 {
        assert!(vad.detect(&low_noise()), "low noise");
    }
    assert!(!vad.detect(&tone_frame), "tone");
    assert!(vad.level() > vad.threshold());
    // The tone's end is kept for the hangover, then the noise is silence.
    let after: Vec<bool> = (0..HANGOVER_FRAMES + 1)
        .map(|_| vad.detect(&low_noise()))
        .collect();
    assert!(!after[..HANGOVER_FRAMES].iter().any(|&s| s));
    assert!(after[HANGOVER_FRAMES]);
}

#[test]
fn constructors_take_vad_from_the_codec_setting() {
    let config = StreamConfig::new("PCMU", addr(B)).unwrap();
    assert!(config.vad, "PJSIP's default for G.711");
    assert_eq!(config.comfort_noise_pt, None);
    let stream = Stream::new(config.clone(), epoch()).unwrap();
    assert!(stream.vad().is_some());
    let mut param = config.param.clone();
    param.setting.vad = false;
    let off = StreamConfig::with_desc(config.codec, param, addr(B));
    assert!(!off.vad);
    assert!(Stream::new(off, epoch()).unwrap().vad().is_none());
}

#[test]
fn talk_silence_talk_sends_nothing_in_the_silence() {
    let mut setup = Setup::new("PCMU");
    setup.vad_a = true;
    setup.secs = 6;
    setup.signal = talk_silence_talk(2000, 4000);
    let heard = run(&setup);
    let sent = audio(&heard);
    // 100 frames of tone, the hangover's quiet frames, nothing for the
    // rest of the silence, 100 frames of tone.
    let frames: Vec<usize> = sent.iter().map(|p| frame_index(p)).collect();
    let expected: Vec<usize> = (0..100 + HANGOVER_FRAMES).chain(200..300).collect();
    assert_eq!(frames, expected);
    assert_eq!(heard.sent.len(), sent.len(), "nothing but audio");
    // The marker bit: on the first packet, and on the talkspurt's.
    let marked: Vec<usize> = sent
        .iter()
        .filter(|p| p.marker)
        .map(|p| frame_index(p))
        .collect();
    assert_eq!(marked, [0, 200]);
    let owned: Vec<Sent> = sent.into_iter().cloned().collect();
    assert_continuous(&owned);
    // The receiver: no loss counted, the silence played as silence, the
    // tone on both sides of it.
    assert_eq!(heard.stats.rtcp.rx_stat.loss, 0);
    assert_eq!(heard.stats.jbuf.lost, 0);
    let silent = heard.frames[130..195]
        .iter()
        .all(|(kind, f)| *kind == FrameKind::None && f.iter().all(|&s| s == 0));
    assert!(silent, "silence plays as silence");
    for range in [25..99, 201..299] {
        let q = measure(
            &Heard {
                frames: heard.frames[range.clone()].to_vec(),
                clock_rate: 8000,
                jb_size: Vec::new(),
                sent: Vec::new(),
                stats: heard.stats.clone(),
            },
            0,
        );
        assert!(
            q.snr_db > 35.0 && q.silent == 0,
            "{range:?}: {:.1} dB",
            q.snr_db
        );
    }
}

#[test]
fn vad_waits_600_ms_after_the_start() {
    assert_eq!(VAD_SUSPEND, Duration::from_millis(600));
    let mut setup = Setup::new("PCMU");
    setup.vad_a = true;
    setup.secs = 3;
    setup.signal = talk_silence_talk(0, 2000);
    let heard = run(&setup);
    let frames: Vec<usize> = audio(&heard).iter().map(|p| frame_index(p)).collect();
    // Silence from the start: the first 30 frames (600 ms) go anyway,
    // then nothing until the tone at 2 s, which starts a talkspurt.
    let expected: Vec<usize> = (0..30).chain(100..150).collect();
    assert_eq!(frames, expected);
    assert!(audio(&heard)[30].marker);
    // Without VAD every frame goes.
    setup.vad_a = false;
    assert_eq!(audio(&run(&setup)).len(), 150);
}

#[test]
fn a_keep_alive_goes_every_5_s_of_silence() {
    assert_eq!(MAX_SILENCE_PERIOD, Duration::from_secs(5));
    let mut setup = Setup::new("PCMU");
    setup.vad_a = true;
    setup.secs = 17;
    setup.signal = talk_silence_talk(1000, u64::MAX);
    let heard = run(&setup);
    let sent = audio(&heard);
    let frames: Vec<usize> = sent.iter().map(|p| frame_index(p)).collect();
    // The last frame of the hangover is 69; then one every 250 frames.
    let last = 50 + HANGOVER_FRAMES - 1;
    let expected: Vec<usize> = (0..=last)
        .chain([last + 250, last + 500, last + 750])
        .collect();
    assert_eq!(frames, expected);
    // Without CN, a keep-alive is the silent frame encoded, starting a
    // (one-packet) talkspurt.
    for p in &sent[last + 1..] {
        assert!(p.marker);
        assert!(p.payload.iter().all(|&b| b == linear_to_ulaw(0)));
    }
    let owned: Vec<Sent> = sent.into_iter().cloned().collect();
    assert_continuous(&owned);
    assert_eq!(heard.stats.rtcp.rx_stat.loss, 0);
    assert_eq!(heard.stats.jbuf.lost, 0);
    // The receiver's RTP timeout (if any) would be fed by them.
    assert_eq!(heard.stats.rtcp.rx_stat.pkt as usize, heard.sent.len() - 1);
}

#[test]
fn keep_alives_are_comfort_noise_when_cn_is_negotiated() {
    let mut setup = Setup::new("PCMU");
    setup.vad_a = true;
    setup.secs = 13;
    setup.signal = talk_silence_talk(1000, 12_000);
    setup.tweak_a = |c| c.comfort_noise_pt = Some(cn::PAYLOAD_TYPE);
    let heard = run(&setup);
    let last = 50 + HANGOVER_FRAMES - 1;
    let noise: Vec<&Sent> = heard
        .sent
        .iter()
        .filter(|p| p.payload_type == cn::PAYLOAD_TYPE)
        .collect();
    let frames: Vec<usize> = noise.iter().map(|p| frame_index(p)).collect();
    assert_eq!(frames, [last + 250, last + 500]);
    for p in &noise {
        // Digital silence: the lowest level, no spectrum; no marker.
        assert_eq!(p.payload, [127]);
        assert!(!p.marker);
    }
    let sent = audio(&heard);
    assert_eq!(sent.len(), 50 + HANGOVER_FRAMES + 50);
    let resumed = sent[50 + HANGOVER_FRAMES];
    assert_eq!(frame_index(resumed), 600);
    assert!(resumed.marker);
    // Sequence numbers count every packet, CN included; timestamps go on.
    assert_continuous(&heard.sent);
    assert_eq!(heard.stats.rtcp.rx_stat.loss, 0);
    assert_eq!(heard.stats.jbuf.lost, 0);
    let tail = measure(&heard, 605);
    assert!(tail.snr_db > 35.0, "{:.1} dB", tail.snr_db);
}

/// An RTP packet of PCMU tone from a peer that suppresses silence without
/// setting the marker bit: frame `frame` (20 ms each) as packet `index`.
fn unmarked_packet(index: u16, frame: u64) -> Vec<u8> {
    let mut p = vec![0x80, 0, 0, 0, 0, 0, 0, 0, 0xCA, 0xFE, 0xBA, 0xBE];
    p[2..4].copy_from_slice(&(1000 + index).to_be_bytes());
    p[4..8].copy_from_slice(&(7000 + 160 * frame as u32).to_be_bytes());
    p.extend((0..160).map(|i| linear_to_ulaw(tone(160 * frame + i, 8000))));
    p
}

/// Feeds B the packets of `frames` (each at its tick, or all at once at
/// the start) and plays `ticks` frames.
fn play_unmarked(frames: &[u64], all_at_once: bool, ticks: u64) -> (Stream, Vec<FrameKind>) {
    let start = epoch();
    let mut config = StreamConfig::new("PCMU", addr(A)).unwrap();
    config.seed = 9;
    let mut b = Stream::new(config, start).unwrap();
    let mut out = vec![0i16; 160];
    let mut kinds = Vec::new();
    for tick in 0..ticks {
        let now = start + Duration::from_millis(20 * tick);
        for (index, &frame) in frames.iter().enumerate() {
            if (all_at_once && tick == 0) || (!all_at_once && frame == tick) {
                let _ = b.handle_datagram(now, addr(B), &unmarked_packet(index as u16, frame));
            }
        }
        b.set_now(now);
        kinds.push(b.get_frame(&mut out));
    }
    (b, kinds)
}

#[test]
fn a_timestamp_jump_without_a_sequence_gap_is_a_talkspurt() {
    // A gap of 60 ms while the buffer still holds the talkspurt before
    // it: silence, where a sequence gap would have been three lost frames.
    let frames: Vec<u64> = (0..10).chain(13..23).collect();
    let (b, kinds) = play_unmarked(&frames, true, 30);
    let stats = b.stats();
    assert_eq!(stats.rtcp.rx_stat.loss, 0);
    assert_eq!(stats.jbuf.lost, 0, "the gap is not loss");
    // The first packet is on probation (RFC 3550 A.1): frames 1–9 play
    // at ticks 0–8, the gap at 9–11, frames 13–22 at 12–21.
    assert_eq!(kinds[..9], [FrameKind::Audio; 9]);
    assert_eq!(kinds[9..12], [FrameKind::None; 3]);
    assert_eq!(kinds[12..22], [FrameKind::Audio; 10]);
    // A gap of 2 s in real time: silence too, and the tone after it.
    let frames: Vec<u64> = (0..50).chain(150..200).collect();
    let (b, kinds) = play_unmarked(&frames, false, 220);
    assert_eq!((b.stats().rtcp.rx_stat.loss, b.stats().jbuf.lost), (0, 0));
    assert!(kinds[55..145].iter().all(|&k| k == FrameKind::None));
    assert!(kinds[151..200].iter().all(|&k| k == FrameKind::Audio));
}

#[test]
fn vad_keeps_the_tone_quality_through_loss_and_jitter() {
    println!("codec        loss  VAD  SNR dB  packets");
    for codec in ["PCMU/8000", "G722/16000"] {
        for (loss, seed) in [(0.0, 100), (0.05, 105)] {
            let mut results = Vec::new();
            for vad in [false, true] {
                let mut setup = Setup::new(codec);
                setup.loss = loss;
                setup.jitter_ms = 60.0;
                setup.seed = seed;
                setup.vad_a = vad;
                let heard = run(&setup);
                let q = measure(&heard, 25);
                println!(
                    "{codec:<12} {:>3.0} %  {:>3}  {:>6.1}  {}",
                    loss * 100.0,
                    if vad { "on" } else { "off" },
                    q.snr_db,
                    heard.sent.len()
                );
                assert!(q.is_at_1khz());
                results.push((q.snr_db, heard.sent.len()));
            }
            // A tone is voice throughout: the same packets, the same sound.
            assert_eq!(results[0].1, results[1].1, "{codec} at {loss}");
            assert!(
                (results[0].0 - results[1].0).abs() < 0.05,
                "{codec} at {loss}: {results:?}"
            );
        }
    }
}
