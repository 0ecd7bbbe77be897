//! Properties of the jitter buffer under any sequence of puts and gets.
//!
//! Whatever the timestamps (near the stream, far from it, wrapping, random),
//! payload sizes, markers, resets and settings:
//! - nothing panics;
//! - between two restarts (or resets), the frames played or concealed come
//!   in strictly increasing timestamp order, none twice;
//! - a frame played is the payload first stored with its timestamp;
//! - the counters add up: every put is stored or refused for one reason,
//!   every get gives one kind of frame; the size never passes `jb_max`; the
//!   prefetch stays within its bounds.

use std::collections::{HashMap, HashSet};

use media::jitter::{DiscardAlgorithm, Frame, JitterBuffer, JitterConfig, PutOutcome};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// A frame `step` frames from the last timestamp put (plus `skew`
    /// timestamp units), with a payload of `len` bytes.
    Near {
        step: i16,
        skew: u8,
        len: u8,
        marker: bool,
    },
    /// A frame at any timestamp.
    Anywhere {
        ts: u32,
        marker: bool,
    },
    /// A packet of several frames.
    Packet {
        step: i8,
        frames: u8,
    },
    Get,
    Reset,
}

fn op() -> BoxedStrategy<Op> {
    prop_oneof![
        10 => (-8i16..12, 0u8..3, 0u8..20, prop::bool::weighted(0.1))
            .prop_map(|(step, skew, len, marker)| Op::Near { step, skew, len, marker }),
        1 => (-4000i16..4000, Just(0u8), Just(4u8), prop::bool::weighted(0.1))
            .prop_map(|(step, skew, len, marker)| Op::Near { step, skew, len, marker }),
        1 => (any::<u32>(), any::<bool>()).prop_map(|(ts, marker)| Op::Anywhere { ts, marker }),
        1 => (-2i8..6, 1u8..5).prop_map(|(step, frames)| Op::Packet { step, frames }),
        10 => Just(Op::Get),
        1 => Just(Op::Reset),
    ]
    .boxed()
}

fn config() -> impl Strategy<Value = JitterConfig> {
    (
        prop_oneof![Just(160u32), Just(1), Just(960)],
        prop_oneof![Just(-1i32), Just(20), Just(60)],
        prop_oneof![Just(-1i32), Just(20), Just(100), Just(200)],
        0i32..3,
    )
        .prop_map(|(span, jb_init, jb_max, algo)| JitterConfig {
            frame_ts_span: span,
            jb_init,
            jb_max,
            max_frame_size: 20,
            jb_discard_algo: DiscardAlgorithm::from_pj(algo).unwrap(),
            ..JitterConfig::new(20, span)
        })
}

/// Replays `ops`, checking the properties after every step.
fn check(config: &JitterConfig, ops: &[Op]) {
    let Ok(mut jb) = JitterBuffer::new(config) else {
        return; // contradictory settings (jb_max 20 ms with jb_init 60 ms)
    };
    let span = config.frame_ts_span;
    let state0 = jb.state();
    let mut last_ts = 0x8000_0000u32;
    // This epoch's frames: what was stored, and what was played.
    let mut stored: HashMap<u32, Vec<u8>> = HashMap::new();
    let mut played: HashSet<u32> = HashSet::new();
    let mut last_played: Option<u32> = None;
    let mut restarts = 0;
    let (mut puts, mut gets) = (0u64, 0u64);
    let mut serial = 0u8;

    let new_epoch =
        |stored: &mut HashMap<u32, Vec<u8>>, played: &mut HashSet<u32>, last: &mut Option<u32>| {
            stored.clear();
            played.clear();
            *last = None;
        };

    for op in ops {
        let mut frames: Vec<(u32, Vec<u8>, bool)> = Vec::new();
        match *op {
            Op::Near {
                step,
                skew,
                len,
                marker,
            } => {
                let ts = last_ts
                    .wrapping_add((i32::from(step) * span as i32) as u32)
                    .wrapping_add(u32::from(skew));
                serial = serial.wrapping_add(1);
                let mut payload = vec![serial; usize::from(len)];
                payload.extend_from_slice(&ts.to_be_bytes());
                frames.push((ts, payload, marker));
            }
            Op::Anywhere { ts, marker } => frames.push((ts, ts.to_be_bytes().to_vec(), marker)),
            Op::Packet { step, frames: n } => {
                let first = last_ts.wrapping_add((i32::from(step) * span as i32) as u32);
                for i in 0..u32::from(n) {
                    let ts = first.wrapping_add(i * span);
                    frames.push((ts, ts.to_be_bytes().to_vec(), i == 0));
                }
            }
            Op::Get => {
                gets += 1;
                let frame = jb.get();
                if let Some(ts) = frame.timestamp() {
                    if let Some(last) = last_played {
                        let ahead = ts.wrapping_sub(last) as i32;
                        assert!(ahead > 0, "{ts} played after {last}: {frame:?}");
                    }
                    assert!(played.insert(ts), "{ts} played twice");
                    last_played = Some(ts);
                }
                if let Frame::Normal { timestamp, payload } = frame {
                    let expected = stored
                        .get(&timestamp)
                        .expect("played what was never stored");
                    assert_eq!(payload, &expected[..], "payload of {timestamp}");
                }
            }
            Op::Reset => {
                jb.reset();
                new_epoch(&mut stored, &mut played, &mut last_played);
            }
        }
        for (ts, payload, marker) in frames {
            last_ts = ts;
            puts += 1;
            let outcome = jb.put(ts, &payload, marker);
            let now_restarts = jb.counters().restarts;
            if now_restarts != restarts {
                assert_eq!(outcome, PutOutcome::Restarted);
                restarts = now_restarts;
                new_epoch(&mut stored, &mut played, &mut last_played);
            }
            match outcome {
                PutOutcome::Stored | PutOutcome::Restarted => {
                    // (A frame dropped unplayed may be stored again by a
                    // later copy: the latest is what plays.)
                    assert!(!played.contains(&ts), "{ts} stored again after playing");
                    stored.insert(ts, payload);
                }
                PutOutcome::Oversized => assert!(payload.len() > 20),
                PutOutcome::Duplicate | PutOutcome::Late => {}
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
            s.prefetch == state0.prefetch || s.prefetch >= s.min_prefetch,
            "{s:?}"
        );
        assert!(s.min_delay_msec <= s.avg_delay_msec && s.avg_delay_msec <= s.max_delay_msec);
        assert!(s.max_delay_msec <= jb.capacity() * 20 + 20, "{s:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_keeps_order_and_counts(
        config in config(),
        ops in prop::collection::vec(op(), 0..400),
    ) {
        check(&config, &ops);
    }
}

/// A long, mostly well-behaved stream: the same checks over thousands of
/// steps, where the adaptive state (burst level, discards) has time to act.
#[test]
fn long_streams_keep_order() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 32,
        ..ProptestConfig::default()
    });
    let ops = prop::collection::vec(
        prop_oneof![
            8 => (-3i16..5, Just(0u8), 0u8..8, prop::bool::weighted(0.02))
                .prop_map(|(step, skew, len, marker)| Op::Near { step, skew, len, marker }),
            8 => Just(Op::Get),
            1 => (1i8..3, 2u8..4).prop_map(|(step, frames)| Op::Packet { step, frames }),
        ],
        5000..6000,
    );
    runner
        .run(&(config(), ops), |(config, ops)| {
            check(&config, &ops);
            Ok(())
        })
        .unwrap();
}
