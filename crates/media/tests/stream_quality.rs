//! Two [`Stream`]s over a simulated lossy, jittery network in virtual time:
//! the quality of a 1 kHz tone sent from A and played at B, per codec and
//! loss rate, and DTMF digits through loss.

use std::f64::consts::TAU;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::codec::telephone_event::DtmfEvent;
use media::stream::{Stream, StreamConfig, StreamEvent};
use media::tone::tone_amplitude;
use media::{FrameKind, MediaPort};

#[allow(clippy::disallowed_methods)]
fn epoch() -> Instant {
    Instant::now()
}

const A: &str = "192.0.2.1:4000";
const B: &str = "192.0.2.2:5000";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A seeded network: each datagram is lost with probability `loss`, else
/// arrives after 10 ms plus a uniformly random 0–`jitter` ms, in arrival
/// order (so packets overtake each other).
struct Net {
    rng: u64,
    loss: f64,
    jitter_ms: f64,
    /// (arrival, order sent, destination, bytes)
    flight: Vec<(Instant, u64, SocketAddr, SocketAddr, Vec<u8>)>,
    sent: u64,
}

impl Net {
    fn new(seed: u64, loss: f64, jitter_ms: f64) -> Self {
        Self {
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            loss,
            jitter_ms,
            flight: Vec::new(),
            sent: 0,
        }
    }

    fn uniform(&mut self) -> f64 {
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn send(&mut self, now: Instant, from: SocketAddr, stream: &mut Stream) {
        while let Some(t) = stream.poll_transmit() {
            self.sent += 1;
            if self.uniform() < self.loss {
                continue;
            }
            let delay = 10.0 + self.uniform() * self.jitter_ms;
            let at = now + Duration::from_secs_f64(delay / 1000.0);
            self.flight
                .push((at, self.sent, from, t.destination, t.payload));
        }
    }

    /// Delivers what has arrived by `now`, in arrival order.
    fn deliver(&mut self, now: Instant, a: &mut Stream, b: &mut Stream) {
        self.flight.sort_by_key(|p| (p.0, p.1));
        let due = self.flight.partition_point(|p| p.0 <= now);
        for (at, _, from, to, bytes) in self.flight.drain(..due) {
            let target = if to.ip() == addr(A).ip() {
                &mut *a
            } else {
                &mut *b
            };
            let _ = target.handle_datagram(at, from, &bytes);
        }
    }
}

/// What B heard.
struct Heard {
    frames: Vec<(FrameKind, Vec<i16>)>,
    clock_rate: u32,
    dtmf: Vec<DtmfEvent>,
}

const AMPLITUDE: f64 = 8000.0;
const TONE_HZ: f64 = 1000.0;

/// Runs A → B for `secs` seconds: A sends a 1 kHz tone (or DTMF digits),
/// B plays every 20 ms, 10 ms after A's ticks.
fn run(codec: &str, loss: f64, jitter_ms: f64, seed: u64, secs: u64, dtmf: Option<&str>) -> Heard {
    let start = epoch();
    let mut ca = StreamConfig::new(codec, addr(B)).unwrap();
    ca.seed = seed;
    let mut cb = StreamConfig::new(codec, addr(A)).unwrap();
    cb.seed = seed + 1;
    let mut a = Stream::new(ca, start).unwrap();
    let mut b = Stream::new(cb, start).unwrap();
    let mut net = Net::new(seed, loss, jitter_ms);
    let format = a.format();
    let clock_rate = format.clock_rate;
    let n = format.frame_len();
    if let Some(digits) = dtmf {
        a.send_dtmf(digits, 100).unwrap();
    }
    let mut phase = 0u64;
    let mut heard = Heard {
        frames: Vec::new(),
        clock_rate,
        dtmf: Vec::new(),
    };
    let mut out = vec![0i16; n];
    for ms in 0..secs * 1000 {
        let now = start + Duration::from_millis(ms);
        net.deliver(now, &mut a, &mut b);
        for s in [&mut a, &mut b] {
            if s.poll_timeout().is_some_and(|t| t <= now) {
                s.handle_timeout(now);
            }
        }
        if ms % 20 == 0 {
            let frame: Vec<i16> = (0..n as u64)
                .map(|i| {
                    let t = (phase + i) as f64 / f64::from(clock_rate);
                    (AMPLITUDE * (TAU * TONE_HZ * t).sin()).round() as i16
                })
                .collect();
            phase += n as u64;
            a.set_now(now);
            a.put_frame(&frame);
        }
        if ms % 20 == 10 {
            b.set_now(now);
            let kind = b.get_frame(&mut out);
            heard.frames.push((kind, out.clone()));
        }
        net.send(now, addr(A), &mut a);
        net.send(now, addr(B), &mut b);
        while let Some(e) = b.poll_event() {
            if let StreamEvent::Dtmf(d) = e {
                heard.dtmf.push(d);
            }
        }
    }
    let stats = b.stats();
    assert!(stats.rtcp.rx_stat.pkt > 0);
    heard
}

/// Per 20 ms frame (an integer number of periods of 800, 1000 and 1200
/// Hz, so the three are orthogonal): the tone's power and the rest, summed
/// over the frames after `skip`. A frame of silence (nothing to play) counts
/// as noise of the tone's power: the tone was missing.
struct Quality {
    snr_db: f64,
    power_800: f64,
    power_1000: f64,
    power_1200: f64,
    silent: usize,
}

fn measure(heard: &Heard, skip: usize) -> Quality {
    let (mut tone, mut noise) = (0.0, 0.0);
    let (mut p800, mut p1200) = (0.0, 0.0);
    let mut silent = 0;
    let expected = AMPLITUDE * AMPLITUDE / 2.0;
    for (kind, frame) in &heard.frames[skip..] {
        let total: f64 = frame
            .iter()
            .map(|&s| f64::from(s) * f64::from(s))
            .sum::<f64>()
            / frame.len() as f64;
        if *kind == FrameKind::None || total == 0.0 {
            silent += 1;
            noise += expected;
            continue;
        }
        let a = tone_amplitude(frame, heard.clock_rate, TONE_HZ);
        let t = a * a / 2.0;
        tone += t;
        noise += (total - t).max(0.0);
        let a8 = tone_amplitude(frame, heard.clock_rate, 800.0);
        let a12 = tone_amplitude(frame, heard.clock_rate, 1200.0);
        p800 += a8 * a8 / 2.0;
        p1200 += a12 * a12 / 2.0;
    }
    Quality {
        snr_db: 10.0 * (tone / noise.max(1e-9)).log10(),
        power_800: p800,
        power_1000: tone,
        power_1200: p1200,
        silent,
    }
}

#[test]
fn tone_quality_through_loss_and_jitter() {
    // Thresholds: the codec's own SNR on a -12 dBFS tone (µ/A-law ≈ 38 dB,
    // G.722 and L16 higher) bounds the lossless case; with loss p each lost
    // frame is concealed by a continuation that drifts in phase and fades,
    // so its error is up to the tone's power: SNR ≈ -10 log10(p) at worst
    // (13 dB at 5 %, 10 dB at 10 %); the frames the jitter buffer
    // discards or waits for while it adapts count against it too.
    // So: 35 dB lossless (below G.711's ≈ 38 dB), 13 dB at 5 % and 10 dB
    // at 10 % loss, with 60 ms of jitter throughout.
    let cases = [(0.0, 35.0), (0.05, 13.0), (0.10, 10.0)];
    let codecs = ["PCMU/8000", "PCMA/8000", "G722/16000", "L16/16000/1"];
    println!("codec        loss  SNR dB  silent frames");
    let mut failures = Vec::new();
    for (ci, codec) in codecs.iter().enumerate() {
        for (loss, threshold) in cases {
            let seed = 100 + ci as u64 * 10 + (loss * 100.0) as u64;
            let heard = run(codec, loss, 60.0, seed, 5, None);
            let q = measure(&heard, 25); // skip the first 0.5 s
            println!(
                "{codec:<12} {:>3.0} %  {:>6.1}  {}",
                loss * 100.0,
                q.snr_db,
                q.silent
            );
            assert!(
                q.power_1000 > 100.0 * q.power_800 && q.power_1000 > 100.0 * q.power_1200,
                "{codec} at {loss}: the tone is not at 1 kHz"
            );
            if q.snr_db < threshold {
                failures.push(format!(
                    "{codec} at {loss}: {:.1} dB < {threshold}",
                    q.snr_db
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn dtmf_digits_arrive_once_through_loss() {
    let digits = "159#*0D";
    for seed in 1..=5 {
        let heard = run("PCMU", 0.05, 60.0, seed, 3, Some(digits));
        let started: String = heard
            .dtmf
            .iter()
            .filter_map(|e| match e {
                DtmfEvent::Started { digit, .. } => Some(*digit),
                DtmfEvent::Ended { .. } => None,
            })
            .collect();
        let ended: String = heard
            .dtmf
            .iter()
            .filter_map(|e| match e {
                DtmfEvent::Ended { digit, .. } => Some(*digit),
                DtmfEvent::Started { .. } => None,
            })
            .collect();
        assert_eq!(started, digits, "seed {seed}");
        assert_eq!(ended, digits, "seed {seed}");
    }
}
