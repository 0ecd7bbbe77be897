//! Fuzzes the jitter buffer (`media::jitter::JitterBuffer`) with sequences
//! of operations: frames put near the stream or anywhere, with any payload
//! length and marker bit, packets of several frames, gets, runs of gets and
//! resets, under any settings (frame span, `jb_init`, `jb_min_pre`,
//! `jb_max_pre`, `jb_max`, discard algorithm, maximum frame size).
//!
//! Checked after every operation:
//! - nothing panics (contradictory settings are an error, not a panic);
//! - between two restarts or resets, frames are played or concealed in
//!   strictly increasing timestamp order, none twice, and a frame played is
//!   the payload last stored with its timestamp (never one refused);
//! - every put is stored or refused for exactly one reason, every get gives
//!   exactly one kind of frame, as the counters say;
//! - the buffer never holds more than `jb_max` frames, and the prefetch
//!   stays within its bounds.

#![no_main]

use std::collections::{HashMap, HashSet};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use media::jitter::{DiscardAlgorithm, Frame, JitterBuffer, JitterConfig, PutOutcome};

#[derive(Debug, Arbitrary)]
struct Input {
    span: Span,
    jb_init: i16,
    jb_min_pre: i16,
    jb_max_pre: i16,
    jb_max: i16,
    algo: u8,
    max_frame_size: u8,
    ops: Vec<Op>,
}

#[derive(Debug, Clone, Copy, Arbitrary)]
enum Span {
    G711,
    Opus,
    One,
    Odd,
}

#[derive(Debug, Arbitrary)]
enum Op {
    /// A frame `step` frames from the last timestamp put, `skew` units off.
    Near {
        step: i8,
        skew: u8,
        len: u8,
        marker: bool,
    },
    /// A frame far from the stream: `step` thousand frames away.
    Far {
        step: i8,
        marker: bool,
    },
    /// A frame at any timestamp.
    Anywhere {
        ts: u32,
        marker: bool,
    },
    /// A packet of `frames % 8` frames, the first `step` frames on.
    Packet {
        step: i8,
        frames: u8,
        marker: bool,
    },
    Get,
    /// `n % 64` gets in a row.
    Gets(u8),
    Reset,
}

/// What the target remembers of the epoch under way.
#[derive(Default)]
struct Model {
    stored: HashMap<u32, Vec<u8>>,
    played: HashSet<u32>,
    last_played: Option<u32>,
}

fuzz_target!(|input: Input| {
    let span = match input.span {
        Span::G711 => 160,
        Span::Opus => 960,
        Span::One => 1,
        Span::Odd => 7,
    };
    let config = JitterConfig {
        frame_ts_span: span,
        max_frame_size: usize::from(input.max_frame_size),
        jb_init: i32::from(input.jb_init),
        jb_min_pre: i32::from(input.jb_min_pre),
        jb_max_pre: i32::from(input.jb_max_pre),
        jb_max: i32::from(input.jb_max),
        jb_discard_algo: DiscardAlgorithm::from_pj(i32::from(input.algo % 3)).unwrap(),
        ..JitterConfig::new(20, span)
    };
    let Ok(mut jb) = JitterBuffer::new(&config) else {
        return;
    };
    let initial_prefetch = jb.state().prefetch;
    let mut model = Model::default();
    let mut cursor = 0xffff_0000u32;
    let mut serial = 0u32;
    let (mut puts, mut gets, mut restarts) = (0u64, 0u64, 0u64);

    for op in input.ops.iter().take(4096) {
        let mut frames: Vec<(u32, bool)> = Vec::new();
        let mut get_count = 0;
        match *op {
            Op::Near {
                step,
                skew,
                len: _,
                marker,
            } => frames.push((
                cursor
                    .wrapping_add((i32::from(step) * span as i32) as u32)
                    .wrapping_add(u32::from(skew)),
                marker,
            )),
            Op::Far { step, marker } => frames.push((
                cursor.wrapping_add((i32::from(step) * 1000 * span as i32) as u32),
                marker,
            )),
            Op::Anywhere { ts, marker } => frames.push((ts, marker)),
            Op::Packet {
                step,
                frames: n,
                marker,
            } => {
                let first = cursor.wrapping_add((i32::from(step) * span as i32) as u32);
                for i in 0..u32::from(n % 8) {
                    frames.push((first.wrapping_add(i * span), marker && i == 0));
                }
            }
            Op::Get => get_count = 1,
            Op::Gets(n) => get_count = n % 64,
            Op::Reset => {
                jb.reset();
                model = Model::default();
            }
        }
        let len = match *op {
            Op::Near { len, .. } => usize::from(len % 48),
            _ => 8,
        };

        for (ts, marker) in frames {
            cursor = ts;
            puts += 1;
            serial = serial.wrapping_add(1);
            let mut payload = serial.to_be_bytes().repeat(len.div_ceil(4));
            payload.truncate(len);
            let outcome = jb.put(ts, &payload, marker);
            let now_restarts = jb.counters().restarts;
            if now_restarts != restarts {
                assert_eq!(outcome, PutOutcome::Restarted);
                restarts = now_restarts;
                model = Model::default();
            }
            match outcome {
                PutOutcome::Stored | PutOutcome::Restarted => {
                    assert!(!model.played.contains(&ts), "{ts} stored after playing");
                    model.stored.insert(ts, payload);
                }
                PutOutcome::Oversized => assert!(payload.len() > config.max_frame_size),
                PutOutcome::Duplicate | PutOutcome::Late => {}
            }
        }

        for _ in 0..get_count {
            gets += 1;
            let frame = jb.get();
            if let Some(ts) = frame.timestamp() {
                if let Some(last) = model.last_played {
                    let ahead = ts.wrapping_sub(last) as i32;
                    assert!(ahead > 0, "{ts} played after {last}: {frame:?}");
                }
                assert!(model.played.insert(ts), "{ts} played twice");
                model.last_played = Some(ts);
            }
            if let Frame::Normal { timestamp, payload } = frame {
                let stored = model.stored.get(&timestamp).expect("played, never stored");
                assert_eq!(payload, &stored[..], "payload of {timestamp}");
            }
        }

        let c = jb.counters();
        assert_eq!(c.put, puts);
        assert_eq!(
            c.stored + c.duplicate + c.late + c.oversized,
            c.put,
            "{c:?}"
        );
        assert_eq!(
            c.normal + c.missing + c.discarded + c.prefetching + c.empty,
            gets,
            "{c:?}"
        );
        let s = jb.state();
        assert!(s.size <= jb.capacity(), "{s:?}");
        assert!(s.prefetch <= s.max_prefetch, "{s:?}");
        assert!(
            s.prefetch == initial_prefetch || s.prefetch >= s.min_prefetch,
            "{s:?}"
        );
        assert!(s.min_delay_msec <= s.avg_delay_msec && s.avg_delay_msec <= s.max_delay_msec);
        assert!(jb.is_empty() || jb.len() > 0, "frames held in no slot");
    }
});
