//! Opus in a [`Stream`] (feature `opus`): packets of 10 to 60 ms played
//! by a receiver at 20 ms, a lost packet rebuilt from the next one's
//! in-band FEC, and DTX silence taken for silence, not loss.

#![cfg(feature = "opus")]

mod stream_support;

use media::FrameKind;
use media::codec::CodecFmtp;
use media::jitter::DiscardAlgorithm;
use media::stream::StreamConfig;
use stream_support::{Heard, Setup, measure, run};

/// A sweep from 300 Hz rising at 2.7 kHz/s (as the codec's FEC test
/// uses), which no extrapolation can guess.
fn sweep(n: u64, rate: u32) -> i16 {
    let t = (n % u64::from(rate)) as f64 / f64::from(rate);
    (8000.0 * (std::f64::consts::TAU * (300.0 * t + 1350.0 * t * t)).sin()) as i16
}

/// A's encoder: FEC for 20 % loss at 32 kbit/s.
fn fec_encoder(c: &mut StreamConfig) {
    c.param.setting.packet_loss = 20;
    c.param
        .setting
        .enc_fmtp
        .push(CodecFmtp::new("maxaveragebitrate", "32000"));
}

/// B holds 40 ms, so the packet after a lost one is there in time, and
/// never discards, so that runs with and without loss play in step.
fn prefetch(c: &mut StreamConfig) {
    c.jb_init = 40;
    c.jb_discard_algo = DiscardAlgorithm::None;
}

fn prefetch_without_fec(c: &mut StreamConfig) {
    prefetch(c);
    c.param.setting.plc = false;
}

/// SNR in dB of each of `heard`'s frames `frames` against `reference`'s.
fn snr_of_frames(heard: &Heard, reference: &Heard, frames: &[usize]) -> Vec<f64> {
    frames
        .iter()
        .map(|&i| {
            let (x, r) = (&heard.frames[i].1, &reference.frames[i].1);
            let signal: f64 = r.iter().map(|&v| f64::from(v).powi(2)).sum();
            let error: f64 = x
                .iter()
                .zip(r)
                .map(|(&u, &v)| (f64::from(u) - f64::from(v)).powi(2))
                .sum();
            10.0 * (signal / error.max(1e-9)).log10()
        })
        .collect()
}

/// A lost packet in a sweep, where no extrapolation can guess the
/// waveform: B plays it rebuilt from the FEC in the next packet, close to
/// what the packet itself gives (the reference: a run without loss, which
/// plays in step), where plain concealment (B with `plc` off) is no closer
/// than the signal's own level. As the codec's own FEC test, with the
/// network, the jitter buffer and the 10 ms units in between.
#[test]
fn a_lost_packet_is_rebuilt_from_the_next_ones_fec() {
    let mut setup = Setup::new("opus");
    setup.secs = 3;
    setup.signal = sweep;
    setup.tweak_a = fec_encoder;
    setup.tweak_b = prefetch;
    let reference = run(&setup);
    assert_eq!(reference.stats.jbuf.lost, 0);
    let lost = [30, 50, 70, 90, 110, 130];
    setup.drop_rtp = lost.to_vec();
    let with_fec = run(&setup);
    setup.tweak_b = prefetch_without_fec;
    let concealed = run(&setup);
    assert_eq!(with_fec.stats.rtcp.rx_stat.loss, 6);
    assert_eq!(with_fec.stats.jbuf.lost, 12, "two units per packet");
    // B plays A's packet k in its frame k + 1 (the first packet was on
    // probation, and the prefetch lasts two frames).
    let first = with_fec
        .frames
        .iter()
        .zip(&reference.frames)
        .position(|(x, r)| x != r)
        .unwrap();
    assert_eq!(first, 31);
    let frames: Vec<usize> = lost.iter().map(|k| k + 1).collect();
    let fec = snr_of_frames(&with_fec, &reference, &frames);
    let plc = snr_of_frames(&concealed, &reference, &frames);
    println!("lost frame  FEC dB  concealment dB");
    for ((k, f), p) in lost.iter().zip(&fec).zip(&plc) {
        println!("{k:>10}  {f:>6.1}  {p:>14.1}");
    }
    // libopus codes FEC data for the frames its encoder chooses (not for
    // every one: here not for the sweep's restart at 1 s, packet 50, nor
    // for packet 130), so: never worse than concealment, and well above
    // it for most packets.
    for ((k, f), p) in lost.iter().zip(&fec).zip(&plc) {
        assert!(*p < 6.0, "packet {k}: concealment at {p:.1} dB");
        assert!(
            *f > *p - 0.5,
            "packet {k}: FEC {f:.1} dB, concealment {p:.1} dB"
        );
    }
    let rebuilt = fec.iter().filter(|&&f| f > 15.0).count();
    assert!(rebuilt >= 4, "{rebuilt} of 6 packets rebuilt");
}

#[test]
fn a_receiver_at_20_ms_plays_every_opus_packet_time() {
    println!("ptime  SNR dB  silent  lost");
    for ptime in [20, 10, 40, 60] {
        let mut setup = Setup::new("opus");
        setup.ptime_a = ptime;
        setup.secs = 4;
        let heard = run(&setup);
        let q = measure(&heard, 50);
        println!(
            "{ptime:>2} ms  {:>6.1}  {:>6}  {}",
            q.snr_db, q.silent, heard.stats.jbuf.lost
        );
        // Opus keeps what is heard, not the waveform: the tone at 1 kHz,
        // well above the rest, with no gap.
        assert!(q.is_at_1khz(), "{ptime} ms");
        assert!(q.snr_db > 15.0, "{ptime} ms: {:.1} dB", q.snr_db);
        assert_eq!((q.silent, heard.stats.jbuf.lost), (0, 0), "{ptime} ms");
        // The packets went out at A's packet time: 48 ticks per ms.
        let step = heard.sent[2]
            .timestamp
            .wrapping_sub(heard.sent[1].timestamp);
        assert_eq!(step, 48 * ptime);
    }
}

#[test]
fn dtx_silence_is_silence_not_loss() {
    // A talks 1 s, is silent 3 s, talks 1 s, with DTX (Opus's own VAD).
    let mut setup = Setup::new("opus");
    setup.secs = 5;
    setup.signal = |n, rate| {
        let ms = n * 1000 / u64::from(rate);
        if (1000..4000).contains(&ms) {
            0
        } else {
            stream_support::tone(n, rate)
        }
    };
    setup.tweak_a = |c| {
        c.param.setting.vad = true;
        // The stream's own VAD stays out of the way of Opus's.
        c.vad = true;
    };
    let mut config = StreamConfig::new("opus", stream_support::addr(stream_support::B)).unwrap();
    (setup.tweak_a)(&mut config);
    let a = media::stream::Stream::new(config, stream_support::epoch()).unwrap();
    assert!(a.vad().is_none(), "Opus's DTX is its VAD");
    let heard = run(&setup);
    let silent_packets = heard
        .sent
        .iter()
        .filter(|p| (1100..4000).contains(&p.at_ms))
        .count();
    assert!(
        silent_packets < 20,
        "{silent_packets} packets in 2.9 s of silence"
    );
    // The talkspurt after the silence is marked.
    let resumed = heard.sent.iter().find(|p| p.at_ms >= 4000).unwrap();
    assert!(resumed.marker);
    assert_eq!(heard.stats.rtcp.rx_stat.loss, 0);
    assert_eq!(heard.stats.jbuf.lost, 0, "DTX gaps are not loss");
    let quiet = heard.frames[60..195]
        .iter()
        .all(|(k, f)| *k == FrameKind::None || f.iter().all(|&s| s.abs() < 500));
    assert!(quiet, "the silence plays quietly");
    let q = measure(&heard, 205);
    assert!(q.is_at_1khz() && q.snr_db > 15.0, "{:.1} dB", q.snr_db);
}
