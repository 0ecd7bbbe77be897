//! The bridge's bookkeeping: ids and generations, connections, levels,
//! typed access to ports, who is read and who is written, frame sizes.

#[path = "wav_fixtures.rs"]
mod fixtures;

use std::sync::{Arc, Mutex};

use fixtures::*;
use media::bridge::{AudioPortHandler, Bridge, BridgeError, CustomPort, signal_level};
use media::tone::{ToneDesc, ToneGenerator};
use media::wav::{PlayerOptions, WavPlayer};
use media::{AudioFormat, FrameKind, MediaPort};

const BRIDGE: AudioFormat = AudioFormat::new(16000, 1, 20);

/// A port that counts and keeps what it is given, and gives a ramp.
#[derive(Default)]
struct Probe {
    received: Vec<Vec<i16>>,
    requested: usize,
    next: i16,
}

impl AudioPortHandler for Probe {
    fn on_frame_requested(&mut self, frame: &mut [i16]) -> FrameKind {
        self.requested += 1;
        for s in frame.iter_mut() {
            *s = self.next;
            self.next = self.next.wrapping_add(1);
        }
        FrameKind::Audio
    }

    fn on_frame_received(&mut self, frame: &[i16]) {
        self.received.push(frame.to_vec());
    }
}

/// A probe whose state the test keeps a handle on.
fn shared_probe(format: AudioFormat) -> (CustomPort, Arc<Mutex<Probe>>) {
    let probe = Arc::new(Mutex::new(Probe::default()));
    let (a, b) = (probe.clone(), probe.clone());
    let port = CustomPort::from_fns(
        format,
        move |f| a.lock().unwrap().on_frame_requested(f),
        move |f| b.lock().unwrap().on_frame_received(f),
    );
    (port, probe)
}

fn silent(format: AudioFormat) -> Box<dyn MediaPort> {
    Box::new(CustomPort::from_fns(
        format,
        |f| {
            f.fill(0);
            FrameKind::None
        },
        |_| {},
    ))
}

#[test]
fn ids_are_slots_with_generations() {
    let mut b = Bridge::new(BRIDGE);
    let p0 = b.add_port(silent(BRIDGE), "zero").unwrap();
    let p1 = b.add_port(silent(BRIDGE), "one").unwrap();
    let p2 = b.add_port(silent(BRIDGE), "two").unwrap();
    assert_eq!((p0.slot(), p1.slot(), p2.slot()), (0, 1, 2));
    assert_eq!(b.ports(), vec![p0, p1, p2]);
    b.remove_port(p1).unwrap();
    assert_eq!(b.port_count(), 2);
    assert_eq!(b.remove_port(p1), Err(BridgeError::NoSuchPort(p1)));
    assert_eq!(b.connect(p0, p1, 1.0), Err(BridgeError::NoSuchPort(p1)));
    assert_eq!(b.rx_level(p1), Err(BridgeError::NoSuchPort(p1)));
    // The slot is reused, under a new generation: the old id stays dead.
    let again = b.add_port(silent(BRIDGE), "again").unwrap();
    assert_eq!((again.slot(), again.generation()), (1, 1));
    assert_ne!(again, p1);
    assert!(b.port_info(p1).is_err());
    assert_eq!(b.port_info(again).unwrap().name, "again");
    assert_eq!(again.to_string(), "#1/1");
    // No fixed limit.
    for i in 0..300 {
        b.add_port(silent(BRIDGE), format!("p{i}")).unwrap();
    }
    assert_eq!(b.port_count(), 303);
}

#[test]
fn connections_any_to_any() {
    let mut b = Bridge::new(BRIDGE);
    let a = b.add_port(silent(BRIDGE), "a").unwrap();
    let c = b.add_port(silent(BRIDGE), "c").unwrap();
    let d = b.add_port(silent(BRIDGE), "d").unwrap();
    b.connect(a, c, 1.0).unwrap();
    b.connect(a, d, 0.5).unwrap();
    b.connect(c, d, 1.0).unwrap();
    b.connect(d, d, 1.0).unwrap();
    let info = b.port_info(a).unwrap();
    assert_eq!(info.listeners, vec![c, d]);
    assert_eq!((info.rx_level_adj, info.tx_level_adj), (1.0, 1.0));
    assert_eq!(info.format, BRIDGE);
    assert_eq!(b.connection_level(a, d), Ok(Some(0.5)));
    b.connect(a, d, 2.0).unwrap();
    assert_eq!(b.connection_level(a, d), Ok(Some(2.0)));
    assert_eq!(
        b.port_info(a).unwrap().listeners.len(),
        2,
        "reconnecting adds nothing"
    );
    assert_eq!(b.disconnect(a, c), Ok(true));
    assert_eq!(b.disconnect(a, c), Ok(false));
    assert_eq!(b.connection_level(a, c), Ok(None));
    // Removing d drops every connection to and from it.
    b.remove_port(d).unwrap();
    assert!(b.port_info(a).unwrap().listeners.is_empty());
    assert!(b.port_info(c).unwrap().listeners.is_empty());
    for bad in [-0.1, f32::NAN, f32::INFINITY] {
        assert!(matches!(
            b.connect(a, c, bad),
            Err(BridgeError::InvalidLevel(_))
        ));
        assert!(matches!(
            b.adjust_rx_level(a, bad),
            Err(BridgeError::InvalidLevel(_))
        ));
        assert!(matches!(
            b.adjust_tx_level(a, bad),
            Err(BridgeError::InvalidLevel(_))
        ));
    }
    b.adjust_rx_level(a, 0.0).unwrap();
    b.adjust_tx_level(a, 3.0).unwrap();
    let info = b.port_info(a).unwrap();
    assert_eq!((info.rx_level_adj, info.tx_level_adj), (0.0, 3.0));
}

#[test]
fn ports_come_back_as_their_own_type() {
    let mut b = Bridge::new(BRIDGE);
    let t = b
        .add_typed_port(ToneGenerator::new(8000, 1).unwrap(), "tone")
        .unwrap();
    let boxed = b.add_port(silent(BRIDGE), "boxed").unwrap();
    b.port_mut::<ToneGenerator>(t)
        .unwrap()
        .play(
            &[ToneDesc {
                freq1: 400,
                on_msec: 100,
                ..Default::default()
            }],
            false,
        )
        .unwrap();
    assert!(matches!(
        b.port_mut::<WavPlayer>(t),
        Err(BridgeError::WrongPortType(_))
    ));
    assert!(matches!(
        b.port_mut::<CustomPort>(boxed),
        Err(BridgeError::WrongPortType(_))
    ));
    assert_eq!(b.port_dyn_mut(boxed).unwrap().format(), BRIDGE);
    assert_eq!(b.port_dyn_mut(t).unwrap().format().clock_rate, 8000);
    assert!(matches!(
        b.take_port::<WavPlayer>(t),
        Err(BridgeError::WrongPortType(_))
    ));
    assert_eq!(b.port_count(), 2, "a wrong type takes nothing");
    let tone = b.take_port::<ToneGenerator>(t).unwrap();
    assert!(tone.is_busy());
    assert_eq!(b.port_count(), 1);
    assert!(matches!(
        b.add_port(
            silent(AudioFormat {
                clock_rate: 8000,
                channels: 1,
                samples_per_frame: 0
            }),
            "x"
        ),
        Err(BridgeError::InvalidFormat(_))
    ));
}

#[test]
fn a_player_nobody_listens_to_does_not_advance() {
    let path = temp_path("bridge-idle-player.wav");
    write_pcm16(&path, 16000, 1, &sine(500.0, 8000.0, 16000, 1, 16000));
    let mut b = Bridge::new(BRIDGE);
    let player = b
        .add_typed_port(
            WavPlayer::open(&path, PlayerOptions::default()).unwrap(),
            "player",
        )
        .unwrap();
    let (sink, probe) = shared_probe(BRIDGE);
    let sink = b.add_typed_port(sink, "sink").unwrap();
    for _ in 0..10 {
        b.tick();
    }
    assert_eq!(b.port_mut::<WavPlayer>(player).unwrap().pos(), 0);
    assert_eq!(b.rx_level(player), Ok(0));
    // The sink has no transmitter: it is not written...
    assert!(probe.lock().unwrap().received.is_empty());
    // ...and, transmitting to nobody, not read.
    assert_eq!(probe.lock().unwrap().requested, 0);
    b.connect(player, sink, 1.0).unwrap();
    for _ in 0..3 {
        b.tick();
    }
    assert_eq!(b.port_mut::<WavPlayer>(player).unwrap().pos(), 960);
    assert_eq!(probe.lock().unwrap().received.len(), 3);
    assert!(b.rx_level(player).unwrap() > 0);
    assert_eq!(b.tx_level(sink), b.rx_level(player));
}

#[test]
fn a_muted_source_still_advances_and_its_sinks_get_silence() {
    let path = temp_path("bridge-muted-player.wav");
    write_pcm16(&path, 16000, 1, &sine(500.0, 8000.0, 16000, 1, 16000));
    let mut b = Bridge::new(BRIDGE);
    let player = b
        .add_typed_port(
            WavPlayer::open(&path, PlayerOptions::default()).unwrap(),
            "player",
        )
        .unwrap();
    let (sink, probe) = shared_probe(BRIDGE);
    let sink = b.add_typed_port(sink, "sink").unwrap();
    b.connect(player, sink, 1.0).unwrap();
    b.adjust_rx_level(player, 0.0).unwrap();
    b.tick();
    b.tick();
    assert_eq!(b.port_mut::<WavPlayer>(player).unwrap().pos(), 640);
    assert_eq!((b.rx_level(player), b.tx_level(sink)), (Ok(0), Ok(0)));
    let probe = probe.lock().unwrap();
    assert_eq!(probe.received.len(), 2);
    assert!(probe.received.iter().flatten().all(|&s| s == 0));
}

#[test]
fn frame_sizes_may_differ_without_losing_a_sample() {
    // A 10 ms source and a 40 ms sink on a 20 ms bridge, same rate.
    let mut b = Bridge::new(BRIDGE);
    let (src, src_probe) = shared_probe(AudioFormat::new(16000, 1, 10));
    let (dst, dst_probe) = shared_probe(AudioFormat::new(16000, 1, 40));
    let src = b.add_typed_port(src, "10ms").unwrap();
    let dst = b.add_typed_port(dst, "40ms").unwrap();
    b.connect(src, dst, 1.0).unwrap();
    for _ in 0..9 {
        b.tick();
    }
    assert_eq!(src_probe.lock().unwrap().requested, 18);
    let received = dst_probe.lock().unwrap().received.concat();
    // Four 40 ms frames so far (the fifth is half full).
    assert_eq!(received.len(), 4 * 640);
    let expected: Vec<i16> = (0..received.len() as i16).collect();
    assert_eq!(received, expected);
}

#[test]
fn levels_are_reported_on_pjsua2_scale() {
    let mut b = Bridge::new(BRIDGE);
    let mut tone = ToneGenerator::new(16000, 1).unwrap();
    tone.play(
        &[ToneDesc {
            freq1: 1000,
            on_msec: 1000,
            volume: 16000,
            ..Default::default()
        }],
        true,
    )
    .unwrap();
    let tone = b.add_typed_port(tone, "tone").unwrap();
    let (sink, probe) = shared_probe(BRIDGE);
    let sink = b.add_typed_port(sink, "sink").unwrap();
    b.connect(tone, sink, 1.0).unwrap();
    b.tick();
    let frame = probe.lock().unwrap().received[0].clone();
    let level = signal_level(&frame);
    // A 16000 sine has a mean magnitude of about 10186: µ-law segment 6.
    assert!((0x60..0x70).contains(&level), "{level:#x}");
    assert_eq!(b.rx_level(tone), Ok(level));
    assert_eq!(b.tx_level(sink), Ok(level));
    b.adjust_tx_level(sink, 0.0).unwrap();
    b.tick();
    assert_eq!(b.tx_level(sink), Ok(0));
    assert_eq!(b.rx_level(tone), Ok(level));
}

#[test]
fn a_custom_port_hears_and_speaks() {
    struct Echo(Vec<i16>);
    impl AudioPortHandler for Echo {
        fn on_frame_requested(&mut self, frame: &mut [i16]) -> FrameKind {
            frame.copy_from_slice(&self.0);
            FrameKind::Audio
        }
        fn on_frame_received(&mut self, frame: &[i16]) {
            self.0 = frame.iter().map(|s| s / 2).collect();
        }
    }
    let mut b = Bridge::new(BRIDGE);
    let echo = b
        .add_typed_port(CustomPort::new(BRIDGE, Echo(vec![0; 320])), "echo")
        .unwrap();
    let (probe_port, probe) = shared_probe(BRIDGE);
    let probe_id = b.add_typed_port(probe_port, "probe").unwrap();
    b.connect(probe_id, echo, 1.0).unwrap();
    b.connect(echo, probe_id, 1.0).unwrap();
    b.tick();
    b.tick();
    // Tick 2: the echo gives back half of what it heard at tick 1.
    let got = probe.lock().unwrap().received[1].clone();
    let expected: Vec<i16> = (0..320).map(|i| i / 2).collect();
    assert_eq!(got, expected);
    assert!(format!("{:?}", b.port_mut::<CustomPort>(echo).unwrap()).contains("CustomPort"));
}

#[test]
fn the_bridge_and_its_ports_can_move_to_the_media_thread() {
    fn send<T: Send>() {}
    send::<Bridge>();
    send::<WavPlayer>();
    send::<media::wav::WavRecorder>();
    send::<ToneGenerator>();
    send::<CustomPort>();
}

#[test]
fn a_port_fed_when_idle_gets_silence_when_nothing_transmits() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut bridge = Bridge::new(AudioFormat::new(16_000, 1, 20));
    let frames = Arc::new(AtomicUsize::new(0));
    let loud = Arc::new(AtomicUsize::new(0));
    let (f, l) = (frames.clone(), loud.clone());
    let sink = CustomPort::from_fns(
        AudioFormat::new(8_000, 1, 20),
        |out| {
            out.fill(0);
            FrameKind::None
        },
        move |frame| {
            f.fetch_add(1, Ordering::SeqCst);
            if frame.iter().any(|s| *s != 0) {
                l.fetch_add(1, Ordering::SeqCst);
            }
        },
    );
    let id = bridge.add_port(Box::new(sink), "stream").unwrap();
    for _ in 0..5 {
        bridge.tick();
    }
    assert_eq!(frames.load(Ordering::SeqCst), 0, "not fed by default");
    bridge.set_fed_when_idle(id, true).unwrap();
    for _ in 0..5 {
        bridge.tick();
    }
    assert_eq!(frames.load(Ordering::SeqCst), 5);
    assert_eq!(loud.load(Ordering::SeqCst), 0, "what it is fed is silence");
    bridge.remove_port(id).unwrap();
    assert!(bridge.set_fed_when_idle(id, false).is_err());
}
