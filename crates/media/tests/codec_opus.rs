//! Opus (feature `opus`): a tone through it, the `fmtp` parameters
//! honoured, FEC rebuilding a lost packet from the next one, and DTX.

#![cfg(feature = "opus")]

mod codec_support;

use codec_support::{power, tone, tone_power};
use media::codec::{Codec, CodecFmtp, CodecManager, CodecParam};

fn opus(setup: impl FnOnce(&mut CodecParam)) -> Box<dyn Codec> {
    let m = CodecManager::new();
    let mut p = m.param("opus").unwrap();
    setup(&mut p);
    CodecManager::create_with(m.find("opus").unwrap(), &p).unwrap()
}

/// Encodes and decodes `pcm` in 20 ms packets; returns the payloads and
/// the decoded signal.
fn run(codec: &mut dyn Codec, pcm: &[i16]) -> (Vec<Vec<u8>>, Vec<i16>) {
    let frame = codec.format().frame_len();
    let mut payloads = Vec::new();
    let mut decoded = Vec::new();
    for chunk in pcm.chunks(frame) {
        let mut payload = Vec::new();
        codec.encode(chunk, &mut payload).unwrap();
        let mut out = vec![0; frame];
        if payload.is_empty() {
            codec.conceal(&mut out);
        } else {
            assert_eq!(codec.decode(&payload, &mut out).unwrap(), frame);
        }
        payloads.push(payload);
        decoded.extend_from_slice(&out);
    }
    (payloads, decoded)
}

/// Opus is a perceptual codec: it keeps what is heard, not the waveform,
/// so the measure is that the tone comes back as the tone — nearly all the
/// power at its frequency (over 99 %, i.e. 20 dB above the rest) and at
/// its level (within 1 dB).
#[test]
fn a_tone_comes_back() {
    let mut codec = opus(|_| {});
    assert_eq!(codec.desc().id(), "opus/48000/2");
    assert_eq!(codec.format().frame_len(), 960);
    let input = tone(1000.0, 48_000, 10_000.0, 48_000, 0);
    let (_, decoded) = run(codec.as_mut(), &input);
    let steady = &decoded[9600..];
    let share = tone_power(steady, 1000.0, 48_000) / power(steady);
    assert!(share > 0.99, "tone holds {share:.4} of the power");
    let db = 10.0 * (power(steady) / power(&input[9600..])).log10();
    assert!(db.abs() < 1.0, "level off by {db:.2} dB");
}

#[test]
fn fmtp_parameters_are_honoured() {
    let pcm: Vec<i16> = tone(1000.0, 48_000, 8000.0, 48_000, 0)
        .iter()
        .flat_map(|&s| [s, s / 2])
        .collect();
    // Stereo only when the receiver asks for it (RFC 7587).
    for (stereo, expected) in [(None, false), (Some("1"), true)] {
        let mut codec = opus(|p| {
            p.info.channel_cnt = 2;
            if let Some(v) = stereo {
                p.setting.enc_fmtp.push(CodecFmtp::new("stereo", v));
            }
        });
        let (payloads, _) = run(codec.as_mut(), &pcm);
        // The TOC byte's s bit says whether a packet is stereo.
        let coded_stereo = payloads[10][0] & 0x04 != 0;
        assert_eq!(coded_stereo, expected, "stereo={stereo:?}");
    }
    // maxplaybackrate=8000: narrowband only (TOC configurations 0-3 are
    // SILK narrowband).
    let mono = tone(1000.0, 48_000, 8000.0, 48_000, 0);
    let mut codec = opus(|p| {
        p.setting
            .enc_fmtp
            .push(CodecFmtp::new("maxplaybackrate", "8000"))
    });
    let (payloads, _) = run(codec.as_mut(), &mono);
    assert!(
        payloads[5..].iter().all(|p| p[0] >> 3 <= 3),
        "not narrowband"
    );
    // maxaveragebitrate caps the bit rate: 12 kbit/s is 30 bytes per 20 ms.
    let mut codec = opus(|p| {
        p.setting
            .enc_fmtp
            .push(CodecFmtp::new("maxaveragebitrate", "12000"))
    });
    let (payloads, _) = run(codec.as_mut(), &mono);
    let mean = payloads.iter().map(Vec::len).sum::<usize>() as f64 / payloads.len() as f64;
    assert!(mean < 36.0, "{mean} bytes per packet");
}

/// A lost packet in a sweep (300 Hz rising at 2.7 kHz/s), where no
/// extrapolation can guess the waveform: rebuilt from the FEC in the next
/// packet, it matches what the decoder makes of the packet itself (the
/// reference, which has the same delay) within 15 dB, where plain
/// concealment is no closer than the signal's own level (about 0 dB).
#[test]
fn fec_rebuilds_a_lost_packet_from_the_next() {
    for (rate, bitrate) in [(16_000u32, "24000"), (48_000, "32000")] {
        let setup = |p: &mut CodecParam| {
            p.info.clock_rate = rate;
            p.setting.packet_loss = 20;
            p.setting.enc_fmtp.push(CodecFmtp::new("useinbandfec", "1"));
            p.setting
                .enc_fmtp
                .push(CodecFmtp::new("maxaveragebitrate", bitrate));
        };
        let n = (rate / 50) as usize;
        let pcm: Vec<i16> = (0..50 * n)
            .map(|i| {
                let t = i as f64 / f64::from(rate);
                let phase = 2.0 * std::f64::consts::PI * (300.0 * t + 1350.0 * t * t);
                (8000.0 * phase.sin()) as i16
            })
            .collect();
        let mut sender = opus(setup);
        let payloads: Vec<Vec<u8>> = pcm
            .chunks(n)
            .map(|c| {
                let mut p = Vec::new();
                sender.encode(c, &mut p).unwrap();
                p
            })
            .collect();
        let mut reference = opus(setup);
        let decoded: Vec<Vec<i16>> = payloads
            .iter()
            .map(|p| {
                let mut o = vec![0; n];
                reference.decode(p, &mut o).unwrap();
                o
            })
            .collect();
        for lost in [10, 20, 30, 40] {
            let mut with_fec = opus(setup);
            let mut without = opus(setup);
            assert!(with_fec.has_fec());
            let (mut a, mut b) = (vec![0; n], vec![0; n]);
            for p in &payloads[..lost] {
                with_fec.decode(p, &mut a).unwrap();
                without.decode(p, &mut b).unwrap();
            }
            with_fec.recover(&payloads[lost + 1], &mut a);
            without.conceal(&mut b);
            let target = &decoded[lost];
            let snr = |x: &[i16]| {
                let error: f64 = x
                    .iter()
                    .zip(target)
                    .map(|(&u, &v)| (f64::from(u) - f64::from(v)).powi(2))
                    .sum();
                10.0 * (power(target) * x.len() as f64 / error).log10()
            };
            let (fec, plc) = (snr(&a), snr(&b));
            assert!(fec > 15.0, "{rate} Hz, packet {lost}: FEC at {fec:.1} dB");
            assert!(
                plc < 6.0,
                "{rate} Hz, packet {lost}: concealment at {plc:.1} dB"
            );
        }
    }
}

/// With DTX, silence is not sent: the encoder returns no payload for most
/// silent packets, and the decoder's concealment fills the gaps quietly.
#[test]
fn dtx_sends_nothing_in_silence() {
    let mut codec = opus(|p| p.setting.enc_fmtp.push(CodecFmtp::new("usedtx", "1")));
    let mut pcm = tone(1000.0, 48_000, 8000.0, 9600, 0);
    pcm.extend(vec![0; 48_000]);
    let (payloads, decoded) = run(codec.as_mut(), &pcm);
    assert!(payloads[..10].iter().all(|p| !p.is_empty()));
    let skipped = payloads[10..].iter().filter(|p| p.is_empty()).count();
    assert!(skipped > 30, "only {skipped} of 50 silent packets skipped");
    assert!(power(&decoded[30_000..]) < 100.0);
    // Without DTX every packet is sent.
    let mut codec = opus(|p| p.setting.vad = false);
    let (payloads, _) = run(codec.as_mut(), &pcm);
    assert!(payloads.iter().all(|p| !p.is_empty()));
}
