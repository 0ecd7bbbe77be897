//! L16: every variant carries PCM exactly, in network byte order.

mod codec_support;

use codec_support::{Rng, interleave, snr_db, tone};
use media::codec::{CodecError, CodecManager};

const VARIANTS: [&str; 8] = [
    "L16/8000/1",
    "L16/8000/2",
    "L16/16000/1",
    "L16/16000/2",
    "L16/44100/1",
    "L16/44100/2",
    "L16/48000/1",
    "L16/48000/2",
];

#[test]
fn every_variant_round_trips_exactly() {
    let manager = CodecManager::new();
    let mut rng = Rng(99);
    for id in VARIANTS {
        let mut codec = manager.create(id).unwrap();
        let format = codec.format();
        assert_eq!(codec.desc().id(), id);
        let channels = usize::from(format.channels);
        let mono = tone(
            1000.0,
            format.clock_rate,
            20_000.0,
            format.samples_per_frame as usize,
            0,
        );
        let mut pcm = interleave(&mono, channels);
        // Extremes and noise too.
        pcm[0] = i16::MIN;
        pcm[1] = i16::MAX;
        for s in pcm.iter_mut().skip(2).step_by(7) {
            *s = rng.next_u32() as i16;
        }
        let mut payload = Vec::new();
        assert_eq!(codec.encode(&pcm, &mut payload).unwrap(), pcm.len() * 2);
        assert_eq!(&payload[..4], &[0x80, 0x00, 0x7F, 0xFF], "{id}: big-endian");
        let mut out = vec![0; pcm.len()];
        assert_eq!(codec.decode(&payload, &mut out).unwrap(), pcm.len());
        assert_eq!(out, pcm, "{id}");
    }
}

#[test]
fn a_tone_is_exact_and_stereo_channels_stay_apart() {
    let mut codec = CodecManager::new().create("L16/48000/2").unwrap();
    let n = 4800;
    let left = tone(1000.0, 48_000, 10_000.0, n, 0);
    let right = tone(3000.0, 48_000, 10_000.0, n, 0);
    let pcm: Vec<i16> = left
        .iter()
        .zip(&right)
        .flat_map(|(&l, &r)| [l, r])
        .collect();
    let mut payload = Vec::new();
    codec.encode(&pcm, &mut payload).unwrap();
    let mut out = vec![0; pcm.len()];
    codec.decode(&payload, &mut out).unwrap();
    let l: Vec<i16> = out.iter().step_by(2).copied().collect();
    let r: Vec<i16> = out.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(l, left);
    assert_eq!(r, right);
    assert!(snr_db(&l, 1000.0, 48_000) > 80.0);
}

#[test]
fn partial_sample_frames_are_refused() {
    let mut codec = CodecManager::new().create("L16/44100/2").unwrap();
    let mut out = [0i16; 16];
    assert!(matches!(
        codec.decode(&[1, 2, 3, 4, 5, 6], &mut out),
        Err(CodecError::MalformedPayload(_))
    ));
    assert!(codec.encode(&[1, 2, 3], &mut Vec::new()).is_err());
    assert!(matches!(
        codec.decode(&[0; 64], &mut out),
        Err(CodecError::OutputTooSmall {
            needed: 32,
            available: 16
        })
    ));
}
