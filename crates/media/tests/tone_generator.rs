//! ToneGenerator: frequencies, durations and levels measured by Goertzel;
//! DTMF digit sequences detected back; looping, stop, rewind and the queue.

#[path = "wav_fixtures.rs"]
mod fixtures;

use std::f64::consts::TAU;

use fixtures::{channel, zero_crossing_frequency};
use media::tone::{
    DEFAULT_VOLUME, MAX_TONES, ToneDesc, ToneDigit, ToneDigitMapDigit, ToneError, ToneGenerator,
    tone_amplitude,
};
use media::{AudioFormat, FrameKind, MediaPort};

/// Frames from `tones` until it returns None (exclusive), at most `max`.
fn run(tones: &mut ToneGenerator, max: usize) -> Vec<i16> {
    let mut out = Vec::new();
    let mut frame = vec![0i16; tones.format().frame_len()];
    for _ in 0..max {
        if tones.get_frame(&mut frame) == FrameKind::None {
            return out;
        }
        out.extend_from_slice(&frame);
    }
    out
}

fn tone(freq1: u16, freq2: u16, on_msec: u16, off_msec: u16) -> ToneDesc {
    ToneDesc {
        freq1,
        freq2,
        on_msec,
        off_msec,
        ..ToneDesc::default()
    }
}

#[test]
fn a_tone_has_its_frequency_duration_and_level_at_any_rate() {
    for rate in [8000, 16000, 32000, 44100, 48000] {
        let mut g = ToneGenerator::new(rate, 1).unwrap();
        assert!(!g.is_busy());
        g.play(&[tone(1000, 0, 200, 100)], false).unwrap();
        assert!(g.is_busy());
        let out = run(&mut g, 100);
        assert!(!g.is_busy());
        let on = rate as usize / 5;
        let off = rate as usize / 10;
        // Whole frames: the last one is padded.
        assert!(out.len() >= on + off && out.len() < on + off + g.format().frame_len());
        assert!(
            out[on..].iter().all(|&s| s == 0),
            "{rate}: silence after the tone"
        );
        let body = &out[rate as usize / 100..on - rate as usize / 100];
        let amplitude = tone_amplitude(body, rate, 1000.0);
        assert!(
            (amplitude - f64::from(DEFAULT_VOLUME)).abs() < 30.0,
            "{rate}: amplitude {amplitude}"
        );
        let f = zero_crossing_frequency(body, rate);
        assert!((f - 1000.0).abs() < 1.0, "{rate}: frequency {f}");
    }
}

#[test]
fn a_dual_tone_gives_each_frequency_half_the_volume() {
    let mut g = ToneGenerator::new(16000, 1).unwrap();
    g.play(
        &[ToneDesc {
            volume: 20000,
            ..tone(440, 1800, 500, 0)
        }],
        false,
    )
    .unwrap();
    let out = run(&mut g, 100);
    for f in [440.0, 1800.0] {
        let a = tone_amplitude(&out, 16000, f);
        assert!((a - 10000.0).abs() < 30.0, "{f} Hz: {a}");
    }
    assert!(tone_amplitude(&out, 16000, 1000.0) < 50.0);
}

#[test]
fn every_channel_carries_the_tone() {
    let mut g = ToneGenerator::with_format(AudioFormat::new(48000, 2, 10)).unwrap();
    g.play(&[tone(600, 0, 100, 0)], false).unwrap();
    let out = run(&mut g, 100);
    assert_eq!(out.len(), 2 * 4800);
    assert_eq!(channel(&out, 2, 0), channel(&out, 2, 1));
}

/// The DTMF digit whose row and column frequencies dominate `block`.
fn detect_digit(block: &[i16], rate: u32) -> char {
    const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
    const COLUMNS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
    const KEYS: [[char; 4]; 4] = [
        ['1', '2', '3', 'a'],
        ['4', '5', '6', 'b'],
        ['7', '8', '9', 'c'],
        ['*', '0', '#', 'd'],
    ];
    let strongest = |freqs: &[f64; 4]| {
        let a: Vec<f64> = freqs
            .iter()
            .map(|&f| tone_amplitude(block, rate, f))
            .collect();
        let best = (0..4).max_by(|&i, &j| a[i].total_cmp(&a[j])).unwrap();
        // Clearly above the others, and at about half the default volume.
        for (i, &v) in a.iter().enumerate() {
            assert!(i == best || v < a[best] / 5.0, "ambiguous: {a:?}");
        }
        assert!(
            (a[best] - f64::from(DEFAULT_VOLUME) / 2.0).abs() < 300.0,
            "{a:?}"
        );
        best
    };
    KEYS[strongest(&ROWS)][strongest(&COLUMNS)]
}

#[test]
fn digit_sequences_are_detected_back() {
    for rate in [8000, 16000] {
        let mut g = ToneGenerator::new(rate, 1).unwrap();
        let text = "159#*0ad";
        let digits: Vec<ToneDigit> = text
            .chars()
            .map(|digit| ToneDigit {
                digit,
                on_msec: 80,
                off_msec: 40,
                volume: 0,
            })
            .collect();
        g.play_digits(&digits, false).unwrap();
        let out = run(&mut g, 1000);
        let (on, period) = (rate as usize * 80 / 1000, rate as usize * 120 / 1000);
        let mut heard = String::new();
        for chunk in out.chunks(period) {
            if chunk.len() < on {
                break;
            }
            assert!(chunk[on..].iter().all(|&s| s == 0), "gap between digits");
            heard.push(detect_digit(&chunk[rate as usize / 100..on], rate));
        }
        assert_eq!(heard, text, "at {rate} Hz");
    }
}

#[test]
fn digits_are_matched_without_case_and_through_the_map_set() {
    let mut g = ToneGenerator::new(8000, 1).unwrap();
    assert_eq!(g.digit_map().len(), 16);
    let d = |digit| ToneDigit {
        digit,
        on_msec: 100,
        off_msec: 0,
        volume: 0,
    };
    g.play_digits(&[d('A')], false).unwrap();
    let out = run(&mut g, 100);
    assert_eq!(detect_digit(&out, 8000), 'a');

    assert_eq!(
        g.play_digits(&[d('1'), d('x')], false),
        Err(ToneError::UnknownDigit('x'))
    );
    assert!(!g.is_busy(), "nothing queued when a digit is unknown");

    g.set_digit_map(vec![ToneDigitMapDigit {
        digit: 'x',
        freq1: 500,
        freq2: 2000,
    }]);
    g.play_digits(&[d('x')], false).unwrap();
    let out = run(&mut g, 100);
    assert!(tone_amplitude(&out, 8000, 500.0) > 6000.0);
    assert!(tone_amplitude(&out, 8000, 2000.0) > 6000.0);
    assert_eq!(
        g.play_digits(&[d('1')], false),
        Err(ToneError::UnknownDigit('1'))
    );
}

#[test]
fn looping_stop_and_rewind() {
    let mut g = ToneGenerator::new(8000, 1).unwrap();
    g.play(&[tone(500, 0, 40, 0), tone(1500, 0, 40, 0)], true)
        .unwrap();
    let mut frame = vec![0i16; 160];
    // 80 ms a pass; after 10 frames (200 ms) it still plays.
    for _ in 0..10 {
        assert_eq!(g.get_frame(&mut frame), FrameKind::Audio);
    }
    assert!(g.is_busy());
    // 200 ms is 2.5 passes: the next frame is the second tone's end and the
    // first tone's beginning.
    g.get_frame(&mut frame);
    assert!(tone_amplitude(&frame[..160], 8000, 1500.0) > 3000.0);
    g.rewind();
    g.get_frame(&mut frame);
    assert!(
        tone_amplitude(&frame, 8000, 500.0) > 10000.0,
        "rewound to the first tone"
    );
    g.stop();
    assert!(!g.is_busy());
    assert_eq!(g.get_frame(&mut frame), FrameKind::None);
}

#[test]
fn a_continuous_looping_tone_has_no_seam() {
    // 1050 Hz for 10 ms is 10.5 periods: restarting the phase each pass
    // would be heard.
    let mut g = ToneGenerator::new(8000, 1).unwrap();
    g.play(&[tone(1050, 0, 10, 0)], true).unwrap();
    let out = run(&mut g, 10);
    for (i, &s) in out.iter().enumerate() {
        let ideal = f64::from(DEFAULT_VOLUME) * (TAU * 1050.0 * i as f64 / 8000.0).sin();
        assert!(
            (f64::from(s) - ideal).abs() < 2.0,
            "sample {i}: {s} against {ideal}"
        );
    }
}

#[test]
fn tones_with_an_off_time_fade_in_and_out() {
    let mut g = ToneGenerator::new(16000, 1).unwrap();
    g.play(&[tone(2000, 0, 100, 100)], false).unwrap();
    let out = run(&mut g, 100);
    // 1 ms (16 samples) fade in, 2 ms (32 samples) fade out.
    let peak = |s: &[i16]| s.iter().map(|v| v.unsigned_abs()).max().unwrap();
    assert!(peak(&out[..4]) < 3000);
    assert!(peak(&out[16..48]) > 12000);
    assert!(peak(&out[1600 - 4..1600]) < 3000);
    assert!(peak(&out[1600..]) == 0);
}

#[test]
fn the_queue_holds_at_most_32_tones() {
    let mut g = ToneGenerator::new(8000, 1).unwrap();
    assert_eq!(g.play(&[], false), Err(ToneError::Empty));
    let many = vec![tone(400, 0, 10, 10); MAX_TONES - 2];
    g.play(&many, false).unwrap();
    assert_eq!(
        g.play(&[tone(400, 0, 10, 10); 3], false),
        Err(ToneError::TooMany {
            queued: 30,
            asked: 3
        })
    );
    g.play(&[tone(400, 0, 10, 10); 2], false).unwrap();
    // 32 tones of 20 ms.
    assert_eq!(run(&mut g, 100).len(), 32 * 160);
    assert!(matches!(
        ToneGenerator::new(0, 1),
        Err(ToneError::BadFormat(_))
    ));
}

#[test]
fn volumes_are_taken_as_magnitudes() {
    let mut g = ToneGenerator::new(8000, 1).unwrap();
    g.play(
        &[ToneDesc {
            volume: -4000,
            ..tone(1000, 0, 100, 0)
        }],
        false,
    )
    .unwrap();
    let out = run(&mut g, 10);
    assert!((tone_amplitude(&out, 8000, 1000.0) - 4000.0).abs() < 10.0);
}
