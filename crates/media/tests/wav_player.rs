//! WavPlayer and WavReader: every encoding, looping and once, positions,
//! playlists, and clear errors (never panics) for corrupt and truncated
//! files.

#[path = "wav_fixtures.rs"]
mod fixtures;

use std::io::Cursor;

use fixtures::*;
use media::tone::tone_amplitude;
use media::wav::{
    FORMAT_ID_L16, FORMAT_ID_PCMA, FORMAT_ID_PCMU, PLAYER_NO_LOOP, PlayerError, PlayerEvent,
    PlayerOptions, WavEncoding, WavError, WavPlayer, WavReader,
};
use media::{FrameKind, MediaPort};
use proptest::prelude::*;

fn once() -> PlayerOptions {
    PlayerOptions::from_flags(PLAYER_NO_LOOP)
}

/// Frames from `player` until it reports Eof (inclusive), at most `max`.
fn play_to_eof(player: &mut WavPlayer, max: usize) -> (Vec<i16>, usize) {
    let mut all = Vec::new();
    let mut frame = vec![0i16; player.format().frame_len()];
    for n in 1..=max {
        assert_eq!(player.get_frame(&mut frame), FrameKind::Audio);
        all.extend_from_slice(&frame);
        if let Some(e) = player.poll_event() {
            assert_eq!(e, PlayerEvent::Eof);
            return (all, n);
        }
    }
    panic!("no Eof after {max} frames");
}

fn ramp(n: usize) -> Vec<i16> {
    (0..n).map(|i| (i as i16).wrapping_mul(7)).collect()
}

#[test]
fn plays_every_sample_once_then_falls_silent() {
    let path = temp_path("once.wav");
    let samples = ramp(1000);
    write_pcm16(&path, 8000, 1, &samples);
    let mut p = WavPlayer::open(&path, once()).unwrap();
    assert_eq!(p.format().samples_per_frame, 160);
    let (out, frames) = play_to_eof(&mut p, 100);
    // 1000 samples: 6 whole frames and 40 samples, padded with silence;
    // Eof comes with the frame holding the last sample.
    assert_eq!(frames, 7);
    assert_eq!(&out[..1000], &samples[..]);
    assert!(out[1000..].iter().all(|&s| s == 0));
    assert!(p.is_finished());
    let mut frame = vec![1i16; 160];
    assert_eq!(p.get_frame(&mut frame), FrameKind::None);
    assert!(frame.iter().all(|&s| s == 0));
    assert_eq!(p.poll_event(), None);
}

#[test]
fn loops_seamlessly_and_reports_each_pass() {
    let path = temp_path("loop.wav");
    let samples = ramp(250);
    write_pcm16(&path, 8000, 1, &samples);
    let mut p = WavPlayer::open(&path, PlayerOptions::default()).unwrap();
    let mut frame = vec![0i16; 160];
    let mut out = Vec::new();
    let mut eofs = 0;
    for _ in 0..5 {
        p.get_frame(&mut frame);
        out.extend_from_slice(&frame);
        while p.poll_event() == Some(PlayerEvent::Eof) {
            eofs += 1;
        }
    }
    // 800 samples = 3.2 passes of 250.
    assert_eq!(eofs, 3);
    for (i, &s) in out.iter().enumerate() {
        assert_eq!(s, samples[i % 250], "sample {i}");
    }
    assert!(!p.is_finished());
}

#[test]
fn reports_pcm_info_and_moves() {
    let path = temp_path("info.wav");
    write_pcm16(&path, 16000, 2, &sine(440.0, 1000.0, 16000, 2, 8000));
    let mut p = WavPlayer::open(&path, once()).unwrap();
    let info = p.info();
    assert_eq!(info.format_id, FORMAT_ID_L16);
    assert_eq!(info.payload_bits_per_sample, 16);
    assert_eq!(info.size_bytes, 32000);
    assert_eq!(info.size_samples, 16000);
    assert_eq!(p.pos(), 0);
    let mut frame = vec![0i16; p.format().frame_len()];
    p.get_frame(&mut frame);
    // Positions count every channel, as PJSUA2's do.
    assert_eq!(p.pos(), 640);
    p.set_pos(1001).unwrap();
    assert_eq!(p.pos(), 1000, "rounded down to a whole frame");
    assert!(matches!(
        p.set_pos(16001),
        Err(PlayerError::PositionOutOfRange {
            pos: 16001,
            len: 16000
        })
    ));
    // Played to the end, then moved back: plays again.
    p.set_pos(16000).unwrap();
    assert_eq!(p.get_frame(&mut frame), FrameKind::None);
    assert_eq!(p.poll_event(), Some(PlayerEvent::Eof));
    assert!(p.is_finished());
    p.set_pos(0).unwrap();
    assert!(!p.is_finished());
    assert_eq!(p.get_frame(&mut frame), FrameKind::Audio);
}

#[test]
fn decodes_8_bit_pcm_in_stereo() {
    let path = temp_path("pcm8.wav");
    let samples: Vec<i16> = (0..400).map(|i| ((i % 256) as i16 - 128) << 8).collect();
    write_pcm8(&path, 8000, 2, &samples);
    let mut p = WavPlayer::open(&path, once()).unwrap();
    assert_eq!(p.format().channels, 2);
    assert_eq!(p.info().payload_bits_per_sample, 8);
    let (out, _) = play_to_eof(&mut p, 10);
    assert_eq!(&out[..400], &samples[..]);
}

#[test]
fn plays_g711_wav_files() {
    let tone = sine(1000.0, 16000.0, 8000, 1, 8000);
    for (law, id) in [(Law::A, FORMAT_ID_PCMA), (Law::Mu, FORMAT_ID_PCMU)] {
        let path = temp_path(&format!("g711-{law:?}.wav"));
        std::fs::write(&path, g711_wav(law, 8000, 1, &tone)).unwrap();
        let mut p = WavPlayer::open(&path, once()).unwrap();
        let info = p.info();
        assert_eq!(info.format_id, id);
        assert_eq!(info.payload_bits_per_sample, 8);
        assert_eq!((info.size_bytes, info.size_samples), (8000, 8000));
        let (out, frames) = play_to_eof(&mut p, 100);
        assert_eq!(frames, 50);
        let a = tone_amplitude(&out, 8000, 1000.0);
        // G.711 steps near 16000 are 512 (µ-law) to 1024 (A-law) wide.
        assert!((a - 16000.0).abs() < 320.0, "{law:?}: amplitude {a}");
        assert!(tone_amplitude(&out, 8000, 1500.0) < 100.0);
    }
    assert_eq!(FORMAT_ID_PCMA, 0x5741_4c41);
    assert_eq!(FORMAT_ID_PCMU, 0x5741_4c75);
}

#[test]
fn reads_wave_format_extensible() {
    // hound writes WAVEFORMATEXTENSIBLE for more than two channels.
    let path = temp_path("extensible.wav");
    let samples = ramp(300);
    write_pcm16(&path, 22050, 3, &samples);
    let r = WavReader::open(&path).unwrap();
    assert_eq!(r.header().encoding, WavEncoding::Pcm16);
    assert_eq!((r.header().channels, r.header().sample_rate), (3, 22050));
    let mut p = WavPlayer::open(&path, once()).unwrap();
    let (out, _) = play_to_eof(&mut p, 10);
    assert_eq!(&out[..300], &samples[..]);
}

#[test]
fn playlists_play_in_order_and_report_the_end_once() {
    let a = temp_path("list-a.wav");
    let b = temp_path("list-b.wav");
    write_pcm16(&a, 8000, 1, &[100; 200]);
    std::fs::write(&b, g711_wav(Law::Mu, 8000, 1, &[-1000; 100])).unwrap();
    let mut p = WavPlayer::open_playlist(&[&a, &b], once()).unwrap();
    let (out, frames) = play_to_eof(&mut p, 10);
    assert_eq!(frames, 2);
    assert!(out[..200].iter().all(|&s| s == 100));
    assert!(out[200..300].iter().all(|&s| (s + 1000).abs() < 40));
    assert_eq!(p.track_index(), 1);
    assert_eq!(p.path(), b.as_path());

    let c = temp_path("list-c.wav");
    write_pcm16(&c, 16000, 1, &[1; 10]);
    let err = WavPlayer::open_playlist(&[&a, &c], once()).unwrap_err();
    assert!(
        matches!(
            err,
            PlayerError::FormatMismatch {
                found_rate: 16000,
                ..
            }
        ),
        "{err}"
    );
    let none: [&std::path::Path; 0] = [];
    assert!(matches!(
        WavPlayer::open_playlist(&none, once()),
        Err(PlayerError::EmptyPlaylist)
    ));
}

/// Whether an error is the one a case expects.
type Expect = fn(&WavError) -> bool;

/// The reader's verdict on `bytes`.
fn parse(bytes: Vec<u8>) -> Result<WavReader<Cursor<Vec<u8>>>, WavError> {
    WavReader::new(Cursor::new(bytes))
}

#[test]
fn corrupt_files_are_refused_with_the_reason() {
    let pcm = fmt_chunk(1, 1, 8000, 16);
    let data = vec![0u8; 320];
    let good = riff(&pcm, &[], &data);
    assert!(parse(good.clone()).is_ok());

    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("empty", vec![], |e| matches!(e, WavError::NotWave { .. })),
        ("text", b"hello, world, not a wave".to_vec(), |e| {
            matches!(e, WavError::NotWave { .. })
        }),
        (
            "RIFF but AVI",
            {
                let mut b = good.clone();
                b[8..12].copy_from_slice(b"AVI ");
                b
            },
            |e| matches!(e, WavError::NotWave { .. }),
        ),
        ("no fmt", riff_without_fmt(&data), |e| {
            matches!(e, WavError::MissingFormat)
        }),
        ("short fmt", riff(&pcm[..14], &[], &data), |e| {
            matches!(e, WavError::ShortFormat(14))
        }),
        ("float", riff(&fmt_chunk(3, 1, 8000, 32), &[], &data), |e| {
            matches!(e, WavError::UnsupportedEncoding(3))
        }),
        (
            "24-bit",
            riff(&fmt_chunk(1, 1, 8000, 24), &[], &data),
            |e| matches!(e, WavError::UnsupportedBits { bits: 24, .. }),
        ),
        (
            "16-bit A-law",
            riff(&fmt_chunk(6, 1, 8000, 16), &[], &data),
            |e| matches!(e, WavError::UnsupportedBits { bits: 16, .. }),
        ),
        (
            "no channel",
            riff(&fmt_chunk(1, 0, 8000, 16), &[], &data),
            |e| matches!(e, WavError::BadChannels(0)),
        ),
        ("rate 0", riff(&fmt_chunk(1, 1, 0, 16), &[], &data), |e| {
            matches!(e, WavError::BadRate(0))
        }),
        (
            "block align",
            {
                let mut f = pcm.clone();
                f[12] = 3;
                riff(&f, &[], &data)
            },
            |e| matches!(e, WavError::BadBlockAlign { found: 3, .. }),
        ),
        (
            "no data",
            {
                let mut b = good.clone();
                b.truncate(12 + 8 + 16);
                b
            },
            |e| matches!(e, WavError::MissingData),
        ),
        ("empty data", riff(&pcm, &[], &[]), |e| {
            matches!(e, WavError::NoAudio(0))
        }),
        ("one byte of 16-bit", riff(&pcm, &[], &[7]), |e| {
            matches!(e, WavError::NoAudio(1))
        }),
        (
            "chunk past the end",
            {
                let mut b = riff(&pcm, &[(b"LIST", &[0u8; 10])], &data);
                b.truncate(12 + 24 + 12);
                b
            },
            |e| matches!(e, WavError::TruncatedChunk { chunk, .. } if chunk == "LIST"),
        ),
    ];
    for (what, bytes, expected) in cases {
        let err = parse(bytes).expect_err(what);
        assert!(expected(&err), "{what}: unexpected error {err:?}");
        assert!(!err.to_string().is_empty());
    }
}

fn riff_without_fmt(data: &[u8]) -> Vec<u8> {
    let mut b = b"RIFF\0\0\0\0WAVEdata".to_vec();
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data);
    b
}

#[test]
fn a_truncated_file_is_refused_at_open() {
    let path = temp_path("truncated.wav");
    write_pcm16(&path, 8000, 1, &ramp(8000));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = WavPlayer::open(&path, once()).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(
            &err,
            PlayerError::Open {
                source: WavError::TruncatedData {
                    declared: 16000,
                    ..
                },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        text.contains("truncated") && text.contains("truncated.wav"),
        "{text}"
    );

    let missing = temp_path("missing.wav");
    assert!(matches!(
        WavPlayer::open(&missing, once()),
        Err(PlayerError::Open {
            source: WavError::Io(_),
            ..
        })
    ));
}

#[test]
fn a_file_truncated_while_playing_ends_cleanly() {
    let path = temp_path("cut-while-playing.wav");
    for no_loop in [true, false] {
        let samples = ramp(40_000);
        write_pcm16(&path, 8000, 1, &samples);
        let options = PlayerOptions {
            no_loop,
            ..PlayerOptions::default()
        };
        let mut p = WavPlayer::open(&path, options).unwrap();
        let mut frame = vec![0i16; 160];
        p.get_frame(&mut frame);
        // The player has read its first 4 KiB (2048 samples). Cut the file
        // to the header and 1001 samples and a half.
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(44 + 2003).unwrap();
        let mut out = frame.clone();
        let mut frames = 1;
        while p.poll_event().is_none() {
            assert_eq!(p.get_frame(&mut frame), FrameKind::Audio);
            out.extend_from_slice(&frame);
            frames += 1;
            assert!(frames < 100, "no end reported");
        }
        // What was read before the cut plays, then the audio ends.
        assert_eq!(frames, 13);
        assert_eq!(&out[..2048], &samples[..2048]);
        if no_loop {
            assert!(out[2048..].iter().all(|&s| s == 0));
            assert_eq!(p.get_frame(&mut frame), FrameKind::None);
        } else {
            // Starting over, the file holds its 1001 whole samples.
            assert_eq!(&out[2048..], &samples[..out.len() - 2048]);
            let mut eofs = 0;
            let mut more = Vec::new();
            for _ in 0..25 {
                assert_eq!(p.get_frame(&mut frame), FrameKind::Audio);
                more.extend_from_slice(&frame);
                eofs += usize::from(p.poll_event().is_some());
            }
            let before = out.len() - 2048;
            for (i, &s) in more.iter().enumerate() {
                assert_eq!(s, samples[(before + i) % 1001], "sample {i} after the cut");
            }
            assert_eq!(eofs, (before + more.len()) / 1001);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        exercise(bytes);
    }

    #[test]
    fn damaged_wav_files_never_panic(
        cut in 0usize..400,
        edits in proptest::collection::vec((0usize..400, any::<u8>()), 0..8),
        law in 0u8..3,
    ) {
        let tone = sine(700.0, 9000.0, 8000, 2, 80);
        let mut bytes = match law {
            0 => g711_wav(Law::A, 8000, 2, &tone),
            1 => g711_wav(Law::Mu, 8000, 2, &tone),
            _ => riff(&fmt_chunk(1, 2, 8000, 16), &[], &tone.iter().flat_map(|s| s.to_le_bytes()).collect::<Vec<_>>()),
        };
        for (at, value) in edits {
            if let Some(b) = bytes.get_mut(at) {
                *b = value;
            }
        }
        bytes.truncate(cut.max(1) * 2);
        exercise(bytes);
    }
}

/// Parses, and if that works reads everything, seeks about, and reads again.
fn exercise(bytes: Vec<u8>) {
    let len = bytes.len() as u64;
    let Ok(mut r) = WavReader::new(Cursor::new(bytes)) else {
        return;
    };
    let h = *r.header();
    assert!(h.data_offset + h.data_len <= len);
    assert!(h.data_len > 0 && h.data_len % u64::from(h.block_align()) == 0);
    let mut out = vec![0i16; 96 * usize::from(h.channels)];
    let mut total = 0u64;
    loop {
        let n = r.read(&mut out);
        total += n as u64;
        if n == 0 {
            break;
        }
    }
    assert_eq!(total, h.samples());
    assert!(r.at_end() && !r.ended_early());
    r.seek(h.samples() / 2 + 1).unwrap();
    r.read(&mut out);
    r.seek(u64::MAX).unwrap();
    assert_eq!(r.read(&mut out), 0);
}

#[test]
fn g711_encoders_round_trip_through_the_reader() {
    let samples = sine(440.0, 20000.0, 8000, 1, 400);
    for law in [Law::A, Law::Mu] {
        let path = temp_path(&format!("fixture-{law:?}.wav"));
        std::fs::write(&path, g711_wav(law, 8000, 1, &samples)).unwrap();
        let mut r = WavReader::open(&path).unwrap();
        let mut out = vec![0i16; 400];
        assert_eq!(r.read(&mut out), 400);
        for (a, b) in samples.iter().zip(&out) {
            // G.711 keeps about 12 bits (and A-law has no zero): the error
            // grows with the level.
            assert!(
                (a - b).abs() <= 8 + a.abs() / 16,
                "{law:?}: {a} came back {b}"
            );
        }
        std::fs::remove_file(path).unwrap();
    }
}

#[test]
fn signal_helpers_measure_a_sine() {
    let s = sine(1000.0, 10000.0, 16000, 1, 16000);
    assert!((zero_crossing_frequency(&s, 16000) - 1000.0).abs() < 0.5);
    assert_eq!(loud_span(&s, 5000).map(|(a, _)| a < 4), Some(true));
}
