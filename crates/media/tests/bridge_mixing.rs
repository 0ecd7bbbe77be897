//! What comes out of the bridge, measured: tones through it keep their
//! frequency and length, mixes hold every source at its level, levels
//! scale by the asked factor, loud mixes saturate, and resampling between
//! any rates and channel counts keeps frequency and duration.

#[path = "wav_fixtures.rs"]
mod fixtures;

use std::sync::{Arc, Mutex};

use fixtures::*;
use media::bridge::{Bridge, CustomPort, PortId};
use media::tone::{ToneDesc, ToneGenerator, rms, tone_amplitude};
use media::wav::{PlayerEvent, PlayerOptions, RecorderOptions, WavPlayer, WavRecorder};
use media::{AudioFormat, FrameKind, MediaPort};

const BRIDGE: AudioFormat = AudioFormat::new(16000, 1, 20);

fn tone_port(rate: u32, freq: u16, volume: i16) -> ToneGenerator {
    let mut g = ToneGenerator::new(rate, 1).unwrap();
    g.play(
        &[ToneDesc {
            freq1: freq,
            on_msec: 60000,
            volume,
            ..ToneDesc::default()
        }],
        true,
    )
    .unwrap();
    g
}

/// A sink that keeps everything it is given.
fn tap(format: AudioFormat) -> (CustomPort, Arc<Mutex<Vec<i16>>>) {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let h = heard.clone();
    let port = CustomPort::from_fns(
        format,
        |f| {
            f.fill(0);
            FrameKind::None
        },
        move |f| h.lock().unwrap().extend_from_slice(f),
    );
    (port, heard)
}

fn ticks(b: &mut Bridge, n: usize) {
    for _ in 0..n {
        b.tick();
    }
}

/// Closes the recorder `id` and reads its file back with hound.
fn finish(b: &mut Bridge, id: PortId) -> (hound::WavSpec, Vec<i16>) {
    let rec = b.take_port::<WavRecorder>(id).unwrap();
    let path = rec.path().to_path_buf();
    rec.close().unwrap();
    read_wav(&path)
}

#[test]
fn a_tone_through_the_bridge_into_a_recorder() {
    let path = temp_path("bridge-tone.wav");
    let mut b = Bridge::new(BRIDGE);
    let mut g = ToneGenerator::new(16000, 1).unwrap();
    g.play(
        &[ToneDesc {
            freq1: 1000,
            on_msec: 1000,
            volume: 10000,
            ..ToneDesc::default()
        }],
        false,
    )
    .unwrap();
    let tone = b.add_typed_port(g, "tone").unwrap();
    let rec = WavRecorder::create(&path, BRIDGE, RecorderOptions::default()).unwrap();
    let rec = b.add_typed_port(rec, "recorder").unwrap();
    b.connect(tone, rec, 1.0).unwrap();
    ticks(&mut b, 60);
    let (spec, samples) = finish(&mut b, rec);
    assert_eq!((spec.sample_rate, spec.channels), (16000, 1));
    // One frame per tick, silence once the tone is over.
    assert_eq!(samples.len(), 60 * 320);
    assert_eq!(loud_span(&samples, 100), Some((1, 16000)));
    let body = &samples[..16000];
    assert!((tone_amplitude(body, 16000, 1000.0) - 10000.0).abs() < 20.0);
    assert!(tone_amplitude(body, 16000, 1100.0) < 50.0);
    assert!((zero_crossing_frequency(body, 16000) - 1000.0).abs() < 0.5);
}

#[test]
fn a_mix_of_two_tones_holds_both_at_their_levels() {
    let mut b = Bridge::new(BRIDGE);
    let low = b
        .add_typed_port(tone_port(16000, 500, 6000), "500 Hz")
        .unwrap();
    let high = b
        .add_typed_port(tone_port(8000, 1300, 12000), "1300 Hz")
        .unwrap();
    let (sink, heard) = tap(BRIDGE);
    let sink = b.add_typed_port(sink, "sink").unwrap();
    b.connect(low, sink, 1.0).unwrap();
    b.connect(high, sink, 1.0).unwrap();
    ticks(&mut b, 50);
    let heard = heard.lock().unwrap();
    let steady = &heard[3200..];
    let a500 = tone_amplitude(steady, 16000, 500.0);
    let a1300 = tone_amplitude(steady, 16000, 1300.0);
    assert!((a500 - 6000.0).abs() < 60.0, "500 Hz at {a500}");
    assert!((a1300 - 12000.0).abs() < 120.0, "1300 Hz at {a1300}");
    assert!(tone_amplitude(steady, 16000, 900.0) < 60.0);
}

/// Sets levels between a source and a sink.
type Setup = dyn Fn(&mut Bridge, PortId, PortId);

/// RMS of what a sink hears from a 1 kHz tone of amplitude 4000, with
/// the levels set by `setup`.
fn heard_rms(setup: impl Fn(&mut Bridge, PortId, PortId)) -> f64 {
    let mut b = Bridge::new(BRIDGE);
    let src = b
        .add_typed_port(tone_port(16000, 1000, 4000), "tone")
        .unwrap();
    let (sink, heard) = tap(BRIDGE);
    let sink = b.add_typed_port(sink, "sink").unwrap();
    b.connect(src, sink, 1.0).unwrap();
    setup(&mut b, src, sink);
    ticks(&mut b, 25);
    rms(&heard.lock().unwrap()[1600..])
}

#[test]
fn levels_scale_by_the_asked_factor() {
    let reference = heard_rms(|_, _, _| {});
    assert!((reference - 4000.0 / 2f64.sqrt()).abs() < 10.0);
    let cases: [(&str, f64, Box<Setup>); 6] = [
        (
            "connection 0.5",
            0.5,
            Box::new(|b, s, d| b.connect(s, d, 0.5).unwrap()),
        ),
        (
            "rx 0.25",
            0.25,
            Box::new(|b, s, _| b.adjust_rx_level(s, 0.25).unwrap()),
        ),
        (
            "tx 2",
            2.0,
            Box::new(|b, _, d| b.adjust_tx_level(d, 2.0).unwrap()),
        ),
        (
            "rx 3 tx 0.5",
            1.5,
            Box::new(|b, s, d| {
                b.adjust_rx_level(s, 3.0).unwrap();
                b.adjust_tx_level(d, 0.5).unwrap();
            }),
        ),
        (
            "connection 1.5 tx 0.1",
            0.15,
            Box::new(|b, s, d| {
                b.connect(s, d, 1.5).unwrap();
                b.adjust_tx_level(d, 0.1).unwrap();
            }),
        ),
        (
            "tx 0 mutes",
            0.0,
            Box::new(|b, _, d| b.adjust_tx_level(d, 0.0).unwrap()),
        ),
    ];
    for (what, factor, setup) in cases {
        let ratio = heard_rms(setup) / reference;
        assert!((ratio - factor).abs() < 0.005, "{what}: ratio {ratio}");
    }
}

#[test]
fn loud_mixes_saturate_instead_of_wrapping() {
    let mut b = Bridge::new(BRIDGE);
    let (sink, heard) = tap(BRIDGE);
    let sink = b.add_typed_port(sink, "sink").unwrap();
    for i in 0..12 {
        // Twelve in-phase tones of 20000: sums up to 240000.
        let t = b
            .add_typed_port(tone_port(16000, 250, 20000), format!("t{i}"))
            .unwrap();
        b.connect(t, sink, 1.0).unwrap();
    }
    ticks(&mut b, 5);
    let heard = heard.lock().unwrap();
    let one = sine(250.0, 20000.0, 16000, 1, heard.len());
    for (i, (&h, &s)) in heard.iter().zip(&one).enumerate() {
        let ideal = 12 * i32::from(s);
        let clipped = ideal.clamp(-32768, 32767);
        assert!(
            (i32::from(h) - clipped).abs() <= 12,
            "sample {i}: {h}, ideal {ideal}"
        );
    }
    assert_eq!(heard.iter().max(), Some(&32767));
    assert_eq!(heard.iter().min(), Some(&-32768));
}

#[test]
fn a_44k_stereo_player_through_a_16k_bridge_into_an_8k_mono_recorder() {
    let song = temp_path("bridge-44k-stereo.wav");
    write_pcm16(&song, 44100, 2, &sine(1000.0, 12000.0, 44100, 2, 44100));
    let path = temp_path("bridge-8k-mono.wav");
    let mut b = Bridge::new(BRIDGE);
    let player = WavPlayer::open(
        &song,
        PlayerOptions {
            no_loop: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(player.format(), AudioFormat::new(44100, 2, 20));
    let player = b.add_typed_port(player, "player").unwrap();
    let rec_format = AudioFormat::new(8000, 1, 20);
    let rec = WavRecorder::create(&path, rec_format, RecorderOptions::default()).unwrap();
    let rec = b.add_typed_port(rec, "recorder").unwrap();
    b.connect(player, rec, 1.0).unwrap();
    let mut ticks_to_eof = 0;
    loop {
        b.tick();
        ticks_to_eof += 1;
        if b.port_mut::<WavPlayer>(player).unwrap().poll_event() == Some(PlayerEvent::Eof) {
            break;
        }
        assert!(ticks_to_eof < 100);
    }
    // One second of audio is 50 bridge frames; the resamplers hold back
    // less than one.
    assert!((50..=51).contains(&ticks_to_eof), "{ticks_to_eof} ticks");
    ticks(&mut b, 10);
    let (spec, samples) = finish(&mut b, rec);
    assert_eq!((spec.sample_rate, spec.channels), (8000, 1));
    assert_eq!(samples.len(), (ticks_to_eof + 10) * 160);
    let (start, end) = loud_span(&samples, 3000).unwrap();
    let duration = end - start;
    assert!(
        duration.abs_diff(8000) <= 160,
        "the tone lasts {duration} samples"
    );
    let body = &samples[start + 80..end - 80];
    let f = zero_crossing_frequency(body, 8000);
    assert!((f - 1000.0).abs() < 1.0, "frequency {f}");
    let a = tone_amplitude(body, 8000, 1000.0);
    assert!((a - 12000.0).abs() < 240.0, "amplitude {a}");
}

#[test]
fn stereo_sources_are_averaged_and_mono_is_spread_to_stereo() {
    // Left 600 Hz, right 1400 Hz, at 48 kHz.
    let left = sine(600.0, 10000.0, 48000, 1, 48000);
    let right = sine(1400.0, 10000.0, 48000, 1, 48000);
    let stereo: Vec<i16> = left
        .iter()
        .zip(&right)
        .flat_map(|(&l, &r)| [l, r])
        .collect();
    let song = temp_path("bridge-48k-lr.wav");
    write_pcm16(&song, 48000, 2, &stereo);
    let mut b = Bridge::new(BRIDGE);
    let player = b
        .add_typed_port(
            WavPlayer::open(&song, PlayerOptions::default()).unwrap(),
            "player",
        )
        .unwrap();
    let stereo_out = AudioFormat::new(32000, 2, 10);
    let (sink, heard) = tap(stereo_out);
    let sink = b.add_typed_port(sink, "sink").unwrap();
    b.connect(player, sink, 1.0).unwrap();
    ticks(&mut b, 30);
    let heard = heard.lock().unwrap();
    let (l, r) = (channel(&heard, 2, 0), channel(&heard, 2, 1));
    assert_eq!(l, r, "the mono mix goes to both channels");
    let steady = &l[3200..];
    for f in [600.0, 1400.0] {
        let a = tone_amplitude(steady, 32000, f);
        assert!((a - 5000.0).abs() < 100.0, "{f} Hz at {a}");
    }
}

#[test]
fn tones_keep_frequency_and_level_between_any_rates() {
    for (from, to) in [
        (8000, 48000),
        (48000, 8000),
        (44100, 16000),
        (22050, 44100),
        (16000, 11025),
    ] {
        let mut b = Bridge::new(BRIDGE);
        let src = b
            .add_typed_port(tone_port(from, 1000, 10000), "tone")
            .unwrap();
        let out = AudioFormat::new(to, 1, 20);
        let (sink, heard) = tap(out);
        let sink = b.add_typed_port(sink, "sink").unwrap();
        b.connect(src, sink, 1.0).unwrap();
        ticks(&mut b, 40);
        let heard = heard.lock().unwrap();
        // A frame per tick, whole: the FIFOs pass every sample on.
        let per_frame = out.samples_per_frame as usize;
        assert!(
            heard.len() >= 38 * per_frame && heard.len() % per_frame == 0,
            "{from}->{to}"
        );
        // After the resamplers' delay, every 20 ms of it is the same clean
        // tone: no gap, no repeat, no click.
        for (i, block) in heard.chunks(per_frame).enumerate().skip(5) {
            let a = tone_amplitude(block, to, 1000.0);
            assert!((a - 10000.0).abs() < 200.0, "{from}->{to}, frame {i}: {a}");
            let residue = rms(block) - a / 2f64.sqrt();
            assert!(
                residue.abs() < 100.0,
                "{from}->{to}, frame {i}: residue {residue}"
            );
        }
    }
}

#[test]
fn a_player_at_the_bridge_format_arrives_bit_exact() {
    let song = temp_path("bridge-exact.wav");
    let samples: Vec<i16> = (0..8000)
        .map(|i| ((i * 37) % 60000 - 30000) as i16)
        .collect();
    write_pcm16(&song, 16000, 1, &samples);
    let path = temp_path("bridge-exact-out.wav");
    let mut b = Bridge::new(BRIDGE);
    let player = b
        .add_typed_port(
            WavPlayer::open(
                &song,
                PlayerOptions {
                    no_loop: true,
                    ..Default::default()
                },
            )
            .unwrap(),
            "player",
        )
        .unwrap();
    let rec = b
        .add_typed_port(
            WavRecorder::create(&path, BRIDGE, RecorderOptions::default()).unwrap(),
            "rec",
        )
        .unwrap();
    b.connect(player, rec, 1.0).unwrap();
    ticks(&mut b, 25);
    let (_, out) = finish(&mut b, rec);
    assert_eq!(&out[..8000], &samples[..]);
}
