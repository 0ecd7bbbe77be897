//! Unit tests of the buffer's rules, one situation each.

use super::*;

const SPAN: u32 = 160;

fn jb() -> JitterBuffer {
    JitterBuffer::new(&JitterConfig::for_clock(8000, 20)).unwrap()
}

fn ts(frame: u32) -> u32 {
    frame.wrapping_mul(SPAN)
}

/// What `get` gave, owned.
#[derive(Debug, PartialEq, Eq)]
enum Got {
    N(u32),
    M(u32),
    D(u32),
    P,
    E,
}

fn got(jb: &mut JitterBuffer) -> Got {
    match jb.get() {
        Frame::Normal { timestamp, payload } => {
            assert_eq!(payload, timestamp.to_be_bytes(), "payload of {timestamp}");
            Got::N(timestamp / SPAN)
        }
        Frame::Missing { timestamp } => Got::M(timestamp / SPAN),
        Frame::Discarded { timestamp } => Got::D(timestamp / SPAN),
        Frame::Prefetching => Got::P,
        Frame::Empty => Got::E,
    }
}

fn put(jb: &mut JitterBuffer, frame: u32) -> PutOutcome {
    jb.put(ts(frame), &ts(frame).to_be_bytes(), false)
}

#[test]
fn plays_in_order_what_came_out_of_order() {
    let mut jb = jb();
    assert_eq!(got(&mut jb), Got::E, "nothing yet, no prefetch by default");
    for f in [10, 12, 11, 14] {
        assert_eq!(put(&mut jb, f), PutOutcome::Stored);
    }
    assert_eq!(jb.len(), 5);
    let out: Vec<Got> = (0..6).map(|_| got(&mut jb)).collect();
    assert_eq!(
        out,
        [
            Got::N(10),
            Got::N(11),
            Got::N(12),
            Got::M(13),
            Got::N(14),
            Got::E
        ]
    );
    let s = jb.state();
    assert_eq!((s.lost, s.empty, s.discard, s.size), (1, 2, 0, 0));
}

#[test]
fn duplicates_and_late_frames_are_dropped_and_counted() {
    let mut jb = jb();
    put(&mut jb, 1);
    put(&mut jb, 3);
    assert_eq!(put(&mut jb, 3), PutOutcome::Duplicate, "held");
    assert_eq!(got(&mut jb), Got::N(1));
    assert_eq!(put(&mut jb, 1), PutOutcome::Duplicate, "already played");
    assert_eq!(got(&mut jb), Got::M(2));
    assert_eq!(put(&mut jb, 2), PutOutcome::Late, "its turn has passed");
    assert_eq!(got(&mut jb), Got::N(3));
    let c = jb.counters();
    assert_eq!((c.duplicate, c.late, c.stored, c.put), (2, 1, 2, 5));
    assert_eq!(jb.state().discard, 3);
}

#[test]
fn oversized_frames_are_refused() {
    let mut jb = JitterBuffer::new(&JitterConfig {
        max_frame_size: 4,
        ..JitterConfig::default()
    })
    .unwrap();
    assert_eq!(jb.put(0, &[0; 5], false), PutOutcome::Oversized);
    assert_eq!(jb.put(0, &[0; 4], false), PutOutcome::Stored);
    assert_eq!(jb.state().frame_size, 4);
}

#[test]
fn timestamps_wrap() {
    let mut jb = jb();
    let first = u32::MAX / SPAN - 2; // the last frames before 2^32
    for f in 0..8 {
        let t = ts(first).wrapping_add(f * SPAN);
        assert_eq!(jb.put(t, &t.to_be_bytes(), false), PutOutcome::Stored);
    }
    for f in 0..8 {
        match jb.get() {
            Frame::Normal { timestamp, .. } => {
                assert_eq!(timestamp, ts(first).wrapping_add(f * SPAN));
            }
            other => panic!("frame {f}: {other:?}"),
        }
    }
    assert_eq!(jb.counters().restarts, 0);
}

#[test]
fn a_far_jump_restarts() {
    let mut jb = jb();
    put(&mut jb, 100);
    put(&mut jb, 101);
    assert_eq!(got(&mut jb), Got::N(100));
    // Far ahead: the old frame is dropped.
    assert_eq!(put(&mut jb, 100_000), PutOutcome::Restarted);
    assert_eq!(got(&mut jb), Got::N(100_000));
    // A straggler of the old stream is late, not another restart.
    assert_eq!(put(&mut jb, 99), PutOutcome::Late);
    // Far behind, elsewhere: a restart too, not a late frame.
    assert_eq!(put(&mut jb, 50_000), PutOutcome::Restarted);
    assert_eq!(put(&mut jb, 50_001), PutOutcome::Stored);
    assert_eq!(
        (got(&mut jb), got(&mut jb)),
        (Got::N(50_000), Got::N(50_001))
    );
    let c = jb.counters();
    assert_eq!((c.restarts, c.restart_dropped, c.late), (2, 1, 1));
}

#[test]
fn a_lost_frame_after_running_dry_is_not_waited_for() {
    let mut jb = jb();
    put(&mut jb, 1);
    assert_eq!(got(&mut jb), Got::N(1));
    // Frame 2 is lost; its tick finds nothing. Frame 3 then plays at once.
    assert_eq!(got(&mut jb), Got::E);
    put(&mut jb, 3);
    assert_eq!(got(&mut jb), Got::N(3));
    // Frame 4 is late by one tick: the delay grows by one frame.
    assert_eq!(got(&mut jb), Got::E);
    put(&mut jb, 4);
    put(&mut jb, 5);
    assert_eq!((got(&mut jb), got(&mut jb)), (Got::N(4), Got::N(5)));
    // Frame 7 arrives before frame 6's turn: 6 keeps its slot.
    put(&mut jb, 7);
    assert_eq!((got(&mut jb), got(&mut jb)), (Got::M(6), Got::N(7)));
}

#[test]
fn dtx_gap_with_marker_is_silence_not_loss() {
    let mut jb = jb();
    for f in 0..3 {
        put(&mut jb, f);
    }
    // A new talkspurt 20 frames on, before the old one finished playing.
    assert_eq!(
        jb.put(ts(23), &ts(23).to_be_bytes(), true),
        PutOutcome::Stored
    );
    // A late frame of the old talkspurt still finds its slot.
    assert_eq!(put(&mut jb, 3), PutOutcome::Stored);
    let out: Vec<Got> = (0..24).map(|_| got(&mut jb)).collect();
    assert_eq!(out[..4], [Got::N(0), Got::N(1), Got::N(2), Got::N(3)]);
    assert!(out[4..23].iter().all(|g| *g == Got::E), "{out:?}");
    assert_eq!(out[23], Got::N(23));
    assert_eq!(jb.state().lost, 0);
    // After running dry, a talkspurt far on plays at once.
    assert_eq!(got(&mut jb), Got::E);
    jb.put(ts(500), &ts(500).to_be_bytes(), true);
    assert_eq!(got(&mut jb), Got::N(500));
    assert_eq!((jb.state().lost, jb.counters().restarts), (0, 0));
}

#[test]
fn a_silence_gap_is_not_a_burst() {
    let mut jb = jb();
    put(&mut jb, 0);
    for f in 1..40 {
        put(&mut jb, f);
        got(&mut jb);
    }
    assert_eq!(jb.state().burst, 1);
    jb.put(ts(60), &ts(60).to_be_bytes(), true);
    got(&mut jb);
    assert_eq!(jb.state().burst, 1, "{:?}", jb.state());
}

#[test]
fn dtx_gap_without_marker_after_running_dry_is_not_loss() {
    let mut jb = jb();
    put(&mut jb, 0);
    assert_eq!(got(&mut jb), Got::N(0));
    for _ in 0..40 {
        assert_eq!(got(&mut jb), Got::E);
    }
    put(&mut jb, 41);
    assert_eq!(got(&mut jb), Got::N(41));
    assert_eq!(jb.state().lost, 0);
}

#[test]
fn prefetch_waits_and_talkspurts_rearm_it() {
    let cfg = JitterConfig {
        jb_init: 60,
        ..JitterConfig::default()
    };
    let mut jb = JitterBuffer::new(&cfg).unwrap();
    assert!(jb.is_prefetching());
    assert_eq!(got(&mut jb), Got::P);
    put(&mut jb, 10);
    put(&mut jb, 11);
    assert_eq!(got(&mut jb), Got::P);
    put(&mut jb, 12);
    assert!(!jb.is_prefetching());
    let out: Vec<Got> = (0..4).map(|_| got(&mut jb)).collect();
    assert_eq!(out, [Got::N(10), Got::N(11), Got::N(12), Got::E]);
    // Ran dry: prefetching again.
    assert_eq!(got(&mut jb), Got::P);
    // A frame that arrives out of order while prefetching is taken.
    put(&mut jb, 15);
    put(&mut jb, 14);
    put(&mut jb, 13);
    let out: Vec<Got> = (0..3).map(|_| got(&mut jb)).collect();
    assert_eq!(out, [Got::N(13), Got::N(14), Got::N(15)]);
    // A marker re-arms the prefetch even when the buffer ran dry on time.
    assert_eq!(got(&mut jb), Got::E);
    jb.put(ts(30), &ts(30).to_be_bytes(), true);
    assert_eq!(got(&mut jb), Got::P);
    assert_eq!(jb.state().prefetch, 3);
}

#[test]
fn packets_of_several_frames() {
    let mut jb = jb();
    let frames: Vec<[u8; 4]> = (0..3).map(|f| ts(20 + f).to_be_bytes()).collect();
    assert_eq!(
        jb.put_frames(ts(20), frames.iter().map(|f| &f[..]), true),
        3
    );
    let out: Vec<Got> = (0..3).map(|_| got(&mut jb)).collect();
    assert_eq!(out, [Got::N(20), Got::N(21), Got::N(22)]);
}

#[test]
fn a_full_buffer_drops_its_oldest() {
    let mut jb = jb(); // 25 frames
    for f in 0..30 {
        put(&mut jb, f);
    }
    assert_eq!(jb.len(), 25);
    assert_eq!(jb.counters().overflow_dropped, 5);
    // The splice after the drop is concealed.
    assert_eq!(got(&mut jb), Got::D(5));
    assert_eq!(got(&mut jb), Got::N(6));
    assert_eq!(jb.state().discard, 6);
}

#[test]
fn missing_frames_get_the_timestamps_of_their_slots() {
    let mut jb = jb();
    // Timestamps not on a multiple of the span still index consistently.
    let base = 1234;
    jb.put(base, &[1], false);
    jb.put(base + 2 * SPAN, &[3], false);
    assert_eq!(
        jb.get(),
        Frame::Normal {
            timestamp: base,
            payload: &[1]
        }
    );
    assert_eq!(
        jb.get(),
        Frame::Missing {
            timestamp: base + SPAN
        }
    );
    assert_eq!(
        jb.get(),
        Frame::Normal {
            timestamp: base + 2 * SPAN,
            payload: &[3]
        }
    );
}

#[test]
fn reset_starts_over_and_keeps_statistics() {
    let mut jb = jb();
    put(&mut jb, 1);
    put(&mut jb, 3);
    got(&mut jb);
    got(&mut jb);
    jb.reset();
    assert!(jb.is_empty());
    put(&mut jb, 9000);
    assert_eq!(got(&mut jb), Got::N(9000));
    assert_eq!(jb.state().lost, 1);
    assert_eq!(jb.counters().restarts, 0);
}
