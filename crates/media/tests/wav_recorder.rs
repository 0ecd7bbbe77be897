//! WavRecorder: the file is a valid WAV after close, after drop, and (up to
//! the last header update) even if the recorder is never closed; size
//! limits; formats.

#[path = "wav_fixtures.rs"]
mod fixtures;

use fixtures::*;
use media::wav::{RecorderError, RecorderEvent, RecorderOptions, WavRecorder};
use media::{AudioFormat, FrameKind, MediaPort};

fn frames(n: usize, format: AudioFormat) -> Vec<Vec<i16>> {
    (0..n)
        .map(|f| {
            (0..format.frame_len())
                .map(|i| ((f * 1000 + i) % 30000) as i16 - 15000)
                .collect()
        })
        .collect()
}

#[test]
fn the_file_is_valid_after_close() {
    let path = temp_path("rec-close.wav");
    let format = AudioFormat::new(16000, 1, 20);
    let mut rec = WavRecorder::create(&path, format, RecorderOptions::default()).unwrap();
    let input = frames(10, format);
    for f in &input {
        rec.put_frame(f);
    }
    assert_eq!(rec.frames_written(), 3200);
    assert_eq!(rec.data_bytes(), 6400);
    rec.close().unwrap();
    let (spec, samples) = read_wav(&path);
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (16000, 1, 16)
    );
    assert_eq!(samples, input.concat());
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 44 + 6400);
}

#[test]
fn the_file_is_valid_after_drop() {
    let path = temp_path("rec-drop.wav");
    let format = AudioFormat::new(8000, 2, 20);
    let input = frames(7, format);
    {
        let mut rec = WavRecorder::create(&path, format, RecorderOptions::default()).unwrap();
        for f in &input {
            rec.put_frame(f);
        }
    }
    let (spec, samples) = read_wav(&path);
    assert_eq!((spec.sample_rate, spec.channels), (8000, 2));
    assert_eq!(samples, input.concat());
}

#[test]
fn a_recorder_never_closed_leaves_a_file_valid_to_the_last_update() {
    let path = temp_path("rec-killed.wav");
    let format = AudioFormat::new(8000, 1, 20);
    let input = frames(120, format);
    let mut rec = WavRecorder::create(&path, format, RecorderOptions::default()).unwrap();
    for f in &input {
        rec.put_frame(f);
    }
    // As if the process died now: nothing more is written.
    std::mem::forget(rec);
    let (_, samples) = read_wav(&path);
    // The header was last rewritten after frame 100.
    assert_eq!(samples, input[..100].concat());
}

#[test]
fn the_header_can_follow_every_frame() {
    let path = temp_path("rec-every-frame.wav");
    let format = AudioFormat::new(8000, 1, 10);
    let options = RecorderOptions {
        header_update_frames: 1,
        ..RecorderOptions::default()
    };
    let mut rec = WavRecorder::create(&path, format, options).unwrap();
    let input = frames(5, format);
    for (n, f) in input.iter().enumerate() {
        rec.put_frame(f);
        let (_, samples) = read_wav(&path);
        assert_eq!(samples, input[..=n].concat());
    }
}

#[test]
fn recording_stops_at_the_size_limit() {
    let path = temp_path("rec-max.wav");
    let format = AudioFormat::new(8000, 1, 20);
    let options = RecorderOptions {
        max_size: 44 + 1000,
        ..RecorderOptions::default()
    };
    let mut rec = WavRecorder::create(&path, format, options).unwrap();
    let input = frames(6, format);
    for f in &input {
        rec.put_frame(f);
    }
    assert!(rec.is_stopped());
    assert_eq!(rec.poll_event(), Some(RecorderEvent::MaxSizeReached));
    assert_eq!(rec.poll_event(), None);
    rec.close().unwrap();
    let (_, samples) = read_wav(&path);
    // Three 320-byte frames fit in 1000 bytes of data.
    assert_eq!(samples, input[..3].concat());
    assert!(std::fs::metadata(&path).unwrap().len() <= 44 + 1000);
}

#[test]
fn many_channels_use_the_extensible_header() {
    let path = temp_path("rec-4ch.wav");
    let format = AudioFormat::new(48000, 4, 10);
    let input = frames(3, format);
    let mut rec = WavRecorder::create(&path, format, RecorderOptions::default()).unwrap();
    for f in &input {
        rec.put_frame(f);
    }
    rec.close().unwrap();
    let (spec, samples) = read_wav(&path);
    assert_eq!((spec.sample_rate, spec.channels), (48000, 4));
    assert_eq!(samples, input.concat());
    // And our own reader agrees.
    let r = media::wav::WavReader::open(&path).unwrap();
    assert_eq!(r.header().frames(), 3 * 480);
}

#[test]
fn a_recorder_is_a_sink_only_and_refuses_bad_places() {
    let path = temp_path("rec-sink.wav");
    let mut rec = WavRecorder::create(
        &path,
        AudioFormat::new(8000, 1, 20),
        RecorderOptions::default(),
    )
    .unwrap();
    let mut frame = vec![5i16; 160];
    assert_eq!(rec.get_frame(&mut frame), FrameKind::None);
    assert!(frame.iter().all(|&s| s == 0));
    assert_eq!(rec.path(), path.as_path());

    let nowhere = temp_path("no-such-dir").join("x.wav");
    let err = WavRecorder::create(
        &nowhere,
        AudioFormat::new(8000, 1, 20),
        RecorderOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, RecorderError::File { .. }), "{err}");
    assert!(err.to_string().contains("x.wav"));
    let bad = AudioFormat {
        clock_rate: 8000,
        channels: 0,
        samples_per_frame: 160,
    };
    assert!(matches!(
        WavRecorder::create(temp_path("bad.wav"), bad, RecorderOptions::default()),
        Err(RecorderError::BadFormat(_))
    ));
}
