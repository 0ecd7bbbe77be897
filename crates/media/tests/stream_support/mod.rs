//! A pair of [`Stream`]s over a simulated network in virtual time, shared
//! by the stream tests: A sends a signal at its packet time, B plays it at
//! its own; what B heard, what A sent and how B's jitter buffer filled
//! come back for measuring.

#![allow(dead_code)]

use std::f64::consts::TAU;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::rtp::RtpPacketView;
use media::stream::{Stream, StreamConfig, StreamStat};
use media::tone::tone_amplitude;
use media::{FrameKind, MediaPort};

#[allow(clippy::disallowed_methods)]
pub(crate) fn epoch() -> Instant {
    Instant::now()
}

pub(crate) const A: &str = "192.0.2.1:4000";
pub(crate) const B: &str = "192.0.2.2:5000";

pub(crate) fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A seeded network: each datagram is lost with probability `loss`, else
/// arrives after 10 ms plus a uniformly random 0–`jitter_ms` ms, in
/// arrival order (so packets overtake each other).
pub(crate) struct Net {
    rng: u64,
    loss: f64,
    jitter_ms: f64,
    /// (arrival, order sent, source, destination, bytes)
    flight: Vec<(Instant, u64, SocketAddr, SocketAddr, Vec<u8>)>,
    sent: u64,
    /// Indices (order sent, from 1) of the datagrams to lose for sure.
    pub(crate) drop: Vec<u64>,
}

impl Net {
    pub(crate) fn new(seed: u64, loss: f64, jitter_ms: f64) -> Self {
        Self {
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            loss,
            jitter_ms,
            flight: Vec::new(),
            sent: 0,
            drop: Vec::new(),
        }
    }

    fn uniform(&mut self) -> f64 {
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Puts a datagram on the wire.
    pub(crate) fn carry(&mut self, now: Instant, from: SocketAddr, to: SocketAddr, bytes: Vec<u8>) {
        self.sent += 1;
        if self.uniform() < self.loss || self.drop.contains(&self.sent) {
            return;
        }
        let delay = 10.0 + self.uniform() * self.jitter_ms;
        let at = now + Duration::from_secs_f64(delay / 1000.0);
        self.flight.push((at, self.sent, from, to, bytes));
    }

    /// Delivers what has arrived by `now`, in arrival order, to `deliver`.
    pub(crate) fn deliver(
        &mut self,
        now: Instant,
        mut deliver: impl FnMut(Instant, SocketAddr, SocketAddr, &[u8]),
    ) {
        self.flight.sort_by_key(|p| (p.0, p.1));
        let due = self.flight.partition_point(|p| p.0 <= now);
        for (at, _, from, to, bytes) in self.flight.drain(..due) {
            deliver(at, from, to, &bytes);
        }
    }
}

/// An RTP packet A sent, as it went out.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    /// Milliseconds after the start.
    pub(crate) at_ms: u64,
    pub(crate) payload_type: u8,
    pub(crate) marker: bool,
    pub(crate) sequence: u16,
    pub(crate) timestamp: u32,
    pub(crate) payload: Vec<u8>,
}

/// How a run goes.
#[derive(Clone)]
pub(crate) struct Setup {
    pub(crate) codec: &'static str,
    /// A's and B's packet times, ms.
    pub(crate) ptime_a: u32,
    pub(crate) ptime_b: u32,
    pub(crate) vad_a: bool,
    pub(crate) loss: f64,
    pub(crate) jitter_ms: f64,
    pub(crate) seed: u64,
    pub(crate) secs: u64,
    /// A's signal, sample `n` at A's clock rate.
    pub(crate) signal: fn(u64, u32) -> i16,
    /// Changes A's and B's configurations before they are built.
    pub(crate) tweak_a: fn(&mut StreamConfig),
    pub(crate) tweak_b: fn(&mut StreamConfig),
    /// A's RTP packets (counted from 0) that the network loses.
    pub(crate) drop_rtp: Vec<usize>,
}

pub(crate) const AMPLITUDE: f64 = 8000.0;
pub(crate) const TONE_HZ: f64 = 1000.0;

/// A 1 kHz tone at −12 dBFS.
pub(crate) fn tone(n: u64, rate: u32) -> i16 {
    let t = n as f64 / f64::from(rate);
    (AMPLITUDE * (TAU * TONE_HZ * t).sin()).round() as i16
}

impl Setup {
    pub(crate) fn new(codec: &'static str) -> Self {
        Self {
            codec,
            ptime_a: 20,
            ptime_b: 20,
            vad_a: false,
            loss: 0.0,
            jitter_ms: 0.0,
            seed: 1,
            secs: 5,
            signal: tone,
            tweak_a: |_| {},
            tweak_b: |_| {},
            drop_rtp: Vec::new(),
        }
    }
}

/// What a run gave.
pub(crate) struct Heard {
    /// B's frames, one per tick of B.
    pub(crate) frames: Vec<(FrameKind, Vec<i16>)>,
    pub(crate) clock_rate: u32,
    /// B's jitter buffer size (units held) after each of its ticks.
    pub(crate) jb_size: Vec<u32>,
    /// The RTP packets A sent.
    pub(crate) sent: Vec<Sent>,
    /// B's statistics at the end.
    pub(crate) stats: StreamStat,
}

fn config(setup: &Setup, remote: &str, ptime: u32, seed: u64) -> StreamConfig {
    let mut c = StreamConfig::new(setup.codec, addr(remote)).unwrap();
    c.seed = seed;
    c.ptime_ms = ptime;
    c.vad = false;
    c
}

/// Runs A → B: A puts a frame of the signal every `ptime_a` ms, B gets one
/// every `ptime_b` ms, 10 ms after A's first.
pub(crate) fn run(setup: &Setup) -> Heard {
    let start = epoch();
    let mut ca = config(setup, B, setup.ptime_a, setup.seed);
    ca.vad = setup.vad_a;
    (setup.tweak_a)(&mut ca);
    let mut cb = config(setup, A, setup.ptime_b, setup.seed + 1);
    (setup.tweak_b)(&mut cb);
    let mut a = Stream::new(ca, start).unwrap();
    let mut b = Stream::new(cb, start).unwrap();
    let mut net = Net::new(setup.seed, setup.loss, setup.jitter_ms);
    let rate = a.format().clock_rate;
    let (na, nb) = (a.format().frame_len(), b.format().frame_len());
    let channels = u64::from(a.format().channels);
    let mut phase = 0u64;
    let mut heard = Heard {
        frames: Vec::new(),
        clock_rate: b.format().clock_rate,
        jb_size: Vec::new(),
        sent: Vec::new(),
        stats: b.stats(),
    };
    let mut out = vec![0i16; nb];
    for ms in 0..setup.secs * 1000 {
        let now = start + Duration::from_millis(ms);
        net.deliver(now, |at, from, to, bytes| {
            let target = if to.ip() == addr(A).ip() {
                &mut a
            } else {
                &mut b
            };
            let _ = target.handle_datagram(at, from, bytes);
        });
        for s in [&mut a, &mut b] {
            if s.poll_timeout().is_some_and(|t| t <= now) {
                s.handle_timeout(now);
            }
        }
        if ms % u64::from(setup.ptime_a) == 0 {
            let frame: Vec<i16> = (0..na as u64)
                .map(|i| (setup.signal)(phase + i / channels, rate))
                .collect();
            phase += na as u64 / channels;
            a.set_now(now);
            a.put_frame(&frame);
        }
        if ms >= 10 && (ms - 10) % u64::from(setup.ptime_b) == 0 {
            b.set_now(now);
            let kind = b.get_frame(&mut out);
            heard.frames.push((kind, out.clone()));
            heard.jb_size.push(b.stats().jbuf.size);
        }
        while let Some(t) = a.poll_transmit() {
            if let Ok(view) = RtpPacketView::parse(&t.payload)
                && t.destination == addr(B)
            {
                let lost = setup.drop_rtp.contains(&heard.sent.len());
                heard.sent.push(Sent {
                    at_ms: ms,
                    payload_type: view.payload_type(),
                    marker: view.marker(),
                    sequence: view.sequence_number(),
                    timestamp: view.timestamp(),
                    payload: view.payload().to_vec(),
                });
                if lost {
                    continue;
                }
            }
            net.carry(now, addr(A), t.destination, t.payload);
        }
        while let Some(t) = b.poll_transmit() {
            net.carry(now, addr(B), t.destination, t.payload);
        }
        while b.poll_event().is_some() {}
        while a.poll_event().is_some() {}
    }
    heard.stats = b.stats();
    heard
}

/// The tone's quality in what B heard, over frames `skip..`: per frame
/// (a whole number of periods of 800, 1000 and 1200 Hz, so the three are
/// orthogonal) the tone's power and the rest; a silent frame counts as
/// noise of the tone's power.
pub(crate) struct Quality {
    pub(crate) snr_db: f64,
    pub(crate) power_800: f64,
    pub(crate) power_1000: f64,
    pub(crate) power_1200: f64,
    pub(crate) silent: usize,
}

impl Quality {
    /// Whether the tone came out at 1 kHz: 20 dB above its neighbours.
    pub(crate) fn is_at_1khz(&self) -> bool {
        self.power_1000 > 100.0 * self.power_800 && self.power_1000 > 100.0 * self.power_1200
    }
}

pub(crate) fn measure(heard: &Heard, skip: usize) -> Quality {
    let (mut tone, mut noise) = (0.0, 0.0);
    let (mut p800, mut p1200) = (0.0, 0.0);
    let mut silent = 0;
    let expected = AMPLITUDE * AMPLITUDE / 2.0;
    for (kind, frame) in &heard.frames[skip.min(heard.frames.len())..] {
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
