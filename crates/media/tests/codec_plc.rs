//! Loss concealment: a lost frame in the middle of a tone keeps the tone
//! going, at its frequency, without a click.

mod codec_support;

use codec_support::{interleave, max_step, power, snr_db, tone, tone_power};
use media::codec::CodecManager;

/// Sends a tone through `id` in 20 ms packets, losing packet `lost`, and
/// returns the decoded signal (mono: the first channel).
fn tone_with_loss(id: &str, freq: f64, amplitude: f64, lost: &[usize]) -> (Vec<i16>, usize) {
    let mut codec = CodecManager::new().create(id).unwrap();
    let format = codec.format();
    let rate = format.clock_rate;
    let channels = usize::from(format.channels);
    let per_packet = (rate / 50) as usize;
    let mut decoded = Vec::new();
    for p in 0..20 {
        let mono = tone(freq, rate, amplitude, per_packet, p * per_packet);
        let pcm = interleave(&mono, channels);
        let mut payload = Vec::new();
        codec.encode(&pcm, &mut payload).unwrap();
        let mut out = vec![0; pcm.len()];
        if lost.contains(&p) {
            codec.conceal(&mut out);
        } else {
            let n = codec.decode(&payload, &mut out).unwrap();
            assert_eq!(n, out.len());
        }
        decoded.extend(out.iter().step_by(channels));
    }
    (decoded, per_packet)
}

/// The largest step a sine of this amplitude and frequency makes between
/// two samples: 2·A·sin(π·f/fs).
fn natural_step(amplitude: f64, freq: f64, rate: u32) -> f64 {
    2.0 * amplitude * (std::f64::consts::PI * freq / f64::from(rate)).sin()
}

/// Across a concealed 20 ms frame and the good frames around it:
/// - the concealed frame is the tone: its 1 kHz component holds more than
///   90 % of its power (the rest is the level fall after 10 ms and the
///   joins);
/// - no step between samples exceeds the tone's own largest step by more
///   than 25 % of it (a click would be a jump of up to twice the
///   amplitude);
/// - the first 10 ms are not attenuated: their power is within 1 dB of the
///   tone's.
#[test]
fn a_lost_frame_keeps_the_tone_without_clicks() {
    for (id, rate) in [
        ("PCMU", 8000),
        ("PCMA", 8000),
        ("G722", 16_000),
        ("L16/16000/1", 16_000),
        ("L16/44100/2", 44_100),
        ("L16/48000/1", 48_000),
    ] {
        for freq in [1000.0, 440.0] {
            let amplitude = 10_000.0;
            let (decoded, n) = tone_with_loss(id, freq, amplitude, &[10]);
            let lost = &decoded[10 * n..11 * n];
            let share = tone_power(lost, freq, rate) / power(lost);
            assert!(
                share > 0.9,
                "{id} {freq} Hz: tone holds {share:.3} of the power"
            );
            // G.722's own noise and delay blur the joins slightly more.
            let margin = if id == "G722" { 1.4 } else { 1.25 };
            let limit = natural_step(amplitude, freq, rate) * margin;
            let around = &decoded[9 * n..13 * n];
            let step = f64::from(max_step(around));
            assert!(step <= limit, "{id} {freq} Hz: step {step} > {limit:.0}");
            let first_half = &lost[..n / 2];
            let db = 10.0 * (power(first_half) / (amplitude * amplitude / 2.0)).log10();
            assert!(db.abs() < 1.0, "{id} {freq} Hz: first 10 ms at {db:.2} dB");
        }
    }
}

/// After a loss, the good frames are the tone again, with the codec's own
/// quality.
#[test]
fn the_signal_recovers_after_losses() {
    let (decoded, n) = tone_with_loss("PCMU", 1000.0, 10_000.0, &[5, 6, 7]);
    let after = &decoded[9 * n..];
    assert!(snr_db(after, 1000.0, 8000) > 35.0);
    // Three lost frames: 60 ms, faded to silence by the end of the loss
    // (the last 2.5 ms under 5 % of the amplitude).
    let tail = &decoded[8 * n - 20..8 * n];
    assert!(tail.iter().all(|s| s.unsigned_abs() < 500), "{tail:?}");
}

#[test]
fn concealment_can_be_switched_off() {
    let mut manager = CodecManager::new();
    let mut param = manager.param("PCMU").unwrap();
    param.setting.plc = false;
    manager.set_param("PCMU", param).unwrap();
    let mut codec = manager.create("PCMU").unwrap();
    let pcm = tone(1000.0, 8000, 10_000.0, 160, 0);
    let mut payload = Vec::new();
    codec.encode(&pcm, &mut payload).unwrap();
    let mut out = vec![0; 160];
    codec.decode(&payload, &mut out).unwrap();
    codec.conceal(&mut out);
    assert!(out.iter().all(|&s| s == 0));
}
