//! The media API through the endpoint's real media clock and real UDP
//! sockets on loopback: players, recorders, tone generators, application
//! ports, levels, call-less RTP streams, codecs, devices, and errors.
//!
//! Audio is checked by measuring it (Goertzel amplitudes), never by ear;
//! waits are for events, with generous deadlines, never timed assertions.

mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use support::ear_port;

use ferrosip::Endpoint;
use ferrosip::config::{AudioMediaTransmitParam, EpConfig};
use ferrosip::error::status;
use ferrosip::media::{
    AudioMedia, AudioMediaPlayer, AudioMediaPlayerHandler, AudioMediaPort, AudioMediaPortHandler,
    AudioMediaRecorder, AudioStream, ExtraAudioDevice, MediaFormatAudio, MediaFrame,
    MediaTransport, PJMEDIA_FILE_NO_LOOP, PJMEDIA_FRAME_TYPE_AUDIO, PJSUA_SND_NULL_DEV,
    StreamConfig, ToneDesc, ToneDigit, ToneDigitMapDigit, ToneGenerator,
};
use media::tone::tone_amplitude;

fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running endpoint (no SIP transport needed), destroyed on drop.
struct Lib {
    ep: Endpoint,
    _turn: MutexGuard<'static, ()>,
}

impl Lib {
    fn start() -> Self {
        Self::start_with(|_| {})
    }

    fn start_with(tune: impl FnOnce(&mut EpConfig)) -> Self {
        let turn = serial();
        let ep = Endpoint::new();
        ep.lib_create().unwrap();
        let mut cfg = EpConfig::default();
        cfg.ua_config.thread_cnt = 0;
        cfg.log_config.console_level = 0;
        cfg.log_config.level = 0;
        tune(&mut cfg);
        ep.lib_init(&cfg).unwrap();
        ep.lib_start().unwrap();
        Self { ep, _turn: turn }
    }

    /// Handles events until `done` or `secs` seconds passed; true if done.
    fn pump_until(&self, secs: u64, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            self.ep.lib_handle_events(10).unwrap();
            if done() {
                return true;
            }
        }
        false
    }

    /// Lets the media clock run for about `ms` milliseconds.
    fn run_for(&self, ms: u64) {
        let end = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < end {
            self.ep.lib_handle_events(10).unwrap();
        }
    }
}

impl Drop for Lib {
    fn drop(&mut self) {
        let _ = self.ep.lib_destroy();
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferrosip-media-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `secs` seconds of a `freq` Hz tone of `amplitude`, mono 16-bit.
fn write_tone(path: &Path, rate: u32, freq: f64, secs: f64, amplitude: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let n = (f64::from(rate) * secs) as usize;
    for i in 0..n {
        let t = i as f64 / f64::from(rate);
        w.write_sample((amplitude * (2.0 * std::f64::consts::PI * freq * t).sin()) as i16)
            .unwrap();
    }
    w.finalize().unwrap();
}

fn read_wav(path: &Path) -> (hound::WavSpec, Vec<i16>) {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    let samples = r.samples::<i16>().map(Result::unwrap).collect();
    (spec, samples)
}

/// The stretch from the first to the last sample louder than `threshold`.
fn loud_span(samples: &[i16], threshold: i16) -> Option<(usize, usize)> {
    let first = samples.iter().position(|s| s.abs() > threshold)?;
    let last = samples.iter().rposition(|s| s.abs() > threshold)?;
    Some((first, last + 1))
}

fn tone(freq: i16) -> ToneDesc {
    ToneDesc {
        freq1: freq,
        on_msec: 1000,
        ..ToneDesc::default()
    }
}

#[derive(Clone, Default)]
struct EofCounter(Arc<AtomicUsize>);

impl AudioMediaPlayerHandler for EofCounter {
    fn on_eof2(&mut self, _player: &AudioMedia) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_player_copies_its_file_into_a_recorder_at_the_right_length() {
    let lib = Lib::start();
    let dir = temp_dir("copy");
    let source = dir.join("tone.wav");
    write_tone(&source, 8_000, 1000.0, 1.0, 8000.0);
    let eofs = EofCounter::default();
    let player = AudioMediaPlayer::create_player(&lib.ep, &source, PJMEDIA_FILE_NO_LOOP).unwrap();
    player.set_handler(eofs.clone()).unwrap();
    let info = player.info().unwrap();
    assert_eq!(
        (
            info.size_samples,
            info.size_bytes,
            info.payload_bits_per_sample
        ),
        (8000, 16_000, 16)
    );
    let out = dir.join("copy.wav");
    let recorder = AudioMediaRecorder::create_recorder(&lib.ep, &out, 0, 0, 0).unwrap();
    player.start_transmit(&recorder).unwrap();
    assert!(
        lib.pump_until(30, || eofs.0.load(Ordering::SeqCst) > 0),
        "no end of file"
    );
    lib.run_for(200);
    assert_eq!(
        eofs.0.load(Ordering::SeqCst),
        1,
        "a NO_LOOP player ends once"
    );
    drop(recorder);

    let (spec, samples) = read_wav(&out);
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (16_000, 1, 16)
    );
    let (first, last) = loud_span(&samples, 2000).expect("the tone was recorded");
    let span = last - first;
    // One second at 16 kHz, give or take the resampler's edges.
    assert!(
        (15_900..=16_100).contains(&span),
        "tone lasts {span} samples"
    );
    let tone = &samples[first + 800..last - 800];
    let at_1k = tone_amplitude(tone, 16_000, 1000.0);
    assert!((7000.0..9000.0).contains(&at_1k), "1 kHz at {at_1k}");
    assert!(tone_amplitude(tone, 16_000, 1500.0) < 200.0);
}

#[test]
fn the_header_of_a_recording_matches_its_data() {
    let lib = Lib::start();
    let dir = temp_dir("header");
    let out = dir.join("rec.wav");
    let tonegen = ToneGenerator::create_tone_generator(&lib.ep, 16_000, 1).unwrap();
    tonegen.play(&[tone(440)], true).unwrap();
    let recorder = AudioMediaRecorder::create_recorder(&lib.ep, &out, 0, 0, 0).unwrap();
    tonegen.start_transmit(&recorder).unwrap();
    lib.run_for(500);
    recorder.close().unwrap();
    let bytes = std::fs::read(&out).unwrap();
    let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    let data = u32::from_le_bytes(bytes[40..44].try_into().unwrap()) as usize;
    assert_eq!(riff + 8, bytes.len());
    assert_eq!(data + 44, bytes.len());
    // Whole 20 ms frames of 16 kHz mono.
    assert_eq!(data % 640, 0, "{data} bytes");
    assert!(data >= 640 * 5);
}

#[test]
fn levels_scale_by_the_factor_asked_and_are_metered() {
    let lib = Lib::start();
    let tonegen = ToneGenerator::create_tone_generator(&lib.ep, 16_000, 1).unwrap();
    tonegen.play(&[tone(1000)], true).unwrap();
    let (port, ear) = ear_port(&lib.ep, "ear");
    tonegen.start_transmit(&port).unwrap();
    let measure = || {
        lib.run_for(100);
        ear.take();
        lib.run_for(400);
        let heard = ear.take();
        tone_amplitude(&heard, 16_000, 1000.0)
    };
    let full = measure();
    assert!(full > 5000.0, "{full}");
    assert!(tonegen.rx_level().unwrap() > 0);
    assert!(port.tx_level().unwrap() > 0);
    tonegen.adjust_rx_level(0.5).unwrap();
    let half = measure();
    assert!((half / full - 0.5).abs() < 0.03, "{half} vs {full}");
    tonegen.adjust_rx_level(1.0).unwrap();
    port.adjust_tx_level(0.25).unwrap();
    let quarter = measure();
    assert!((quarter / full - 0.25).abs() < 0.03, "{quarter} vs {full}");
    port.adjust_tx_level(1.0).unwrap();
    // A connection's own level (startTransmit2) multiplies in.
    tonegen
        .start_transmit2(&port, &AudioMediaTransmitParam { level: 2.0 })
        .unwrap();
    let double = measure();
    assert!((double / full - 2.0).abs() < 0.1, "{double} vs {full}");
    // Muted: nothing.
    tonegen.adjust_rx_level(0.0).unwrap();
    let muted = measure();
    assert!(muted < 10.0, "{muted}");
    // Disconnected: nothing either.
    tonegen.adjust_rx_level(1.0).unwrap();
    tonegen.stop_transmit(&port).unwrap();
    assert!(measure() < 10.0);
    assert!(tonegen.port_info().unwrap().listeners.is_empty());
}

#[test]
fn a_mix_of_two_sources_holds_both_and_dtmf_digits_sound_right() {
    let lib = Lib::start();
    let low = ToneGenerator::create_tone_generator(&lib.ep, 8_000, 1).unwrap();
    let high = ToneGenerator::create_tone_generator(&lib.ep, 48_000, 2).unwrap();
    low.play(&[tone(700)], true).unwrap();
    high.play(&[tone(1900)], true).unwrap();
    let (port, ear) = ear_port(&lib.ep, "ear");
    low.start_transmit(&port).unwrap();
    high.start_transmit(&port).unwrap();
    lib.run_for(100);
    ear.take();
    lib.run_for(500);
    let heard = ear.take();
    let (a, b) = (
        tone_amplitude(&heard, 16_000, 700.0),
        tone_amplitude(&heard, 16_000, 1900.0),
    );
    assert!(a > 5000.0 && b > 5000.0, "700 Hz {a}, 1900 Hz {b}");
    assert!(tone_amplitude(&heard, 16_000, 1300.0) < 300.0);
    low.stop_transmit(&port).unwrap();
    high.stop_transmit(&port).unwrap();

    // A DTMF digit is its two frequencies.
    let digits = ToneGenerator::create_tone_generator(&lib.ep, 16_000, 1).unwrap();
    digits.start_transmit(&port).unwrap();
    lib.run_for(60);
    ear.take();
    digits
        .play_digits(
            &[ToneDigit {
                digit: '5',
                on_msec: 400,
                off_msec: 100,
                volume: 0,
            }],
            false,
        )
        .unwrap();
    assert!(digits.is_busy());
    lib.run_for(450);
    let heard = ear.take();
    let (row, col) = (
        tone_amplitude(&heard, 16_000, 770.0),
        tone_amplitude(&heard, 16_000, 1336.0),
    );
    assert!(row > 2000.0 && col > 2000.0, "770 Hz {row}, 1336 Hz {col}");
    let bad = digits.play_digits(
        &[ToneDigit {
            digit: 'x',
            on_msec: 100,
            off_msec: 0,
            volume: 0,
        }],
        false,
    );
    assert_eq!(bad.unwrap_err().status, status::PJMEDIA_RTP_EINDTMF);
    let map = digits.digit_map().unwrap();
    assert_eq!(map.len(), 16);
    assert!(map.contains(&ToneDigitMapDigit {
        digit: "1".into(),
        freq1: 697,
        freq2: 1209
    }));
}

#[test]
fn a_call_less_stream_over_loopback_carries_a_file_into_a_recording() {
    let lib = Lib::start();
    let dir = temp_dir("stream");
    let source = dir.join("tone.wav");
    write_tone(&source, 8_000, 1000.0, 1.0, 8000.0);
    let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let ta = MediaTransport::bind(localhost, 0, 0, false).unwrap();
    let tb = MediaTransport::bind(localhost, 0, 0, false).unwrap();
    let (a_rtp, b_rtp) = (ta.local_rtp().unwrap(), tb.local_rtp().unwrap());
    assert_eq!(a_rtp.port() % 2, 0);
    assert_eq!(ta.local_rtcp().unwrap().port(), a_rtp.port() + 1);
    let a = AudioStream::create(&lib.ep, ta, StreamConfig::new("PCMU", b_rtp).unwrap()).unwrap();
    let mut cb = StreamConfig::new("PCMU", a_rtp).unwrap();
    cb.seed = 99;
    let b = AudioStream::create(&lib.ep, tb, cb).unwrap();

    let eofs = EofCounter::default();
    let player = AudioMediaPlayer::create_player(&lib.ep, &source, PJMEDIA_FILE_NO_LOOP).unwrap();
    player.set_handler(eofs.clone()).unwrap();
    let out = dir.join("received.wav");
    let recorder = AudioMediaRecorder::create_recorder(&lib.ep, &out, 0, 0, 0).unwrap();
    b.start_transmit(&recorder).unwrap();
    // Let the streams settle before the tone starts.
    lib.run_for(300);
    player.start_transmit(&a).unwrap();
    assert!(lib.pump_until(30, || eofs.0.load(Ordering::SeqCst) > 0));
    lib.run_for(500);
    drop(recorder);

    let stats = b.stats().unwrap();
    assert!(stats.rtcp.rx_stat.pkt >= 60, "{:?}", stats.rtcp.rx_stat);
    assert_eq!(stats.rtcp.rx_stat.loss, 0);
    assert!(a.stats().unwrap().rtcp.tx_stat.pkt >= 60);

    let (spec, samples) = read_wav(&out);
    assert_eq!((spec.sample_rate, spec.channels), (16_000, 1));
    let (first, last) = loud_span(&samples, 2000).expect("the tone crossed the stream");
    let span = last - first;
    // One second, give or take a frame the jitter buffer may stretch or drop.
    assert!(
        (15_300..=16_700).contains(&span),
        "tone lasts {span} samples"
    );
    let tone = &samples[first + 1600..last - 1600];
    let at_1k = tone_amplitude(tone, 16_000, 1000.0);
    assert!((6500.0..9500.0).contains(&at_1k), "1 kHz at {at_1k}");
    // µ-law and two resamplings keep the tone well above what is left.
    let rms = (tone.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / tone.len() as f64).sqrt();
    let tone_rms = at_1k / std::f64::consts::SQRT_2;
    let noise = (rms.powi(2) - tone_rms.powi(2)).max(1.0).sqrt();
    let snr = 20.0 * (tone_rms / noise).log10();
    assert!(snr > 25.0, "SNR {snr:.1} dB");
}

#[test]
fn errors_are_clear_and_nothing_crashes() {
    let lib = Lib::start();
    let dir = temp_dir("errors");
    let e = AudioMediaPlayer::create_player(&lib.ep, dir.join("missing.wav"), 0).unwrap_err();
    assert_eq!(e.status, status::PJ_ENOTFOUND);
    assert_eq!(e.title, "AudioMediaPlayer::createPlayer()");
    let corrupt = dir.join("corrupt.wav");
    std::fs::write(&corrupt, b"RIFF\x10\x00\x00\x00WAVEfmt junkjunkjunk").unwrap();
    let e = AudioMediaPlayer::create_player(&lib.ep, &corrupt, 0).unwrap_err();
    assert_eq!(e.status, status::PJMEDIA_ENOTVALIDWAVE, "{e}");
    // A file cut in the middle of its header.
    let good = dir.join("good.wav");
    write_tone(&good, 8_000, 440.0, 0.1, 1000.0);
    let truncated = dir.join("truncated.wav");
    std::fs::write(&truncated, &std::fs::read(&good).unwrap()[..30]).unwrap();
    let e = AudioMediaPlayer::create_player(&lib.ep, &truncated, 0).unwrap_err();
    assert_eq!(e.status, status::PJMEDIA_ENOTVALIDWAVE, "{e}");
    assert!(e.reason.contains("truncated.wav"), "{}", e.reason);
    let e = AudioMediaRecorder::create_recorder(&lib.ep, dir.join("x.mp3"), 0, 0, 0).unwrap_err();
    assert_eq!(e.status, status::PJ_ENOTSUP);
    let e = AudioMediaRecorder::create_recorder(&lib.ep, dir.join("no/such/dir/x.wav"), 0, 0, 0)
        .unwrap_err();
    assert_eq!(e.status, status::PJ_ERRNO_START_SYS + 2);
    // An empty AudioMedia (PJSUA2 aborts the process here).
    let empty = AudioMedia::default();
    assert_eq!(empty.port_id(), -1);
    let tonegen = ToneGenerator::create_tone_generator(&lib.ep, 16_000, 1).unwrap();
    assert_eq!(
        empty.start_transmit(&tonegen).unwrap_err().status,
        status::PJ_EINVAL
    );
    assert_eq!(
        tonegen.start_transmit(&empty).unwrap_err().status,
        status::PJ_EINVAL
    );
    // A stale handle does not reach the port that took its slot.
    let handle: AudioMedia = (*tonegen).clone();
    let slot = handle.port_id();
    drop(tonegen);
    let newcomer = ToneGenerator::create_tone_generator(&lib.ep, 16_000, 1).unwrap();
    assert_eq!(newcomer.port_id(), slot);
    assert!(handle.port_info().is_err());
    assert!(handle.adjust_rx_level(0.0).is_err());
    assert_eq!(newcomer.port_info().unwrap().rx_level_adj, 1.0);
    // Levels must be finite and not negative.
    assert_eq!(
        newcomer.adjust_tx_level(-1.0).unwrap_err().status,
        status::PJ_EINVAL
    );
    assert!(newcomer.adjust_tx_level(f32::NAN).is_err());
    // Devices.
    let adm = lib.ep.aud_dev_manager();
    assert_eq!(
        adm.set_capture_dev(5).unwrap_err().status,
        status::PJMEDIA_EAUD_INVDEV
    );
    // After destruction, every handle reports an error.
    let keep: AudioMedia = (*newcomer).clone();
    lib.ep.lib_destroy().unwrap();
    assert!(keep.port_info().is_err());
    assert!(!newcomer.is_busy());
    assert!(AudioMediaPlayer::create_player(&lib.ep, &good, 0).is_err());
}

#[test]
fn ports_are_named_numbered_and_enumerated_as_in_pjsua2() {
    let lib = Lib::start();
    let dir = temp_dir("ports");
    let file = dir.join("t.wav");
    write_tone(&file, 8_000, 440.0, 0.2, 1000.0);
    let adm = lib.ep.aud_dev_manager();
    let master = adm.get_playback_dev_media().unwrap();
    assert_eq!(master.port_id(), 0);
    assert_eq!(adm.get_capture_dev_media().unwrap().port_id(), 0);
    assert_eq!(master.port_info().unwrap().name, "Master/sound");
    assert_eq!(lib.ep.media_active_ports().unwrap(), 1);
    let player = AudioMediaPlayer::create_player(&lib.ep, &file, 0).unwrap();
    let info = player.port_info().unwrap();
    assert_eq!(
        (info.port_id, info.name.as_str()),
        (1, file.to_str().unwrap())
    );
    assert_eq!(
        (
            info.format.clock_rate,
            info.format.channel_count,
            info.format.frame_time_usec
        ),
        (8000, 1, 20_000)
    );
    assert_eq!((info.format.avg_bps, info.format.type_), (128_000, 1));
    let tonegen = ToneGenerator::create_tone_generator(&lib.ep, 16_000, 1).unwrap();
    assert_eq!(tonegen.port_info().unwrap().name, "tonegen");
    player.start_transmit(&master).unwrap();
    player.start_transmit(&tonegen).unwrap();
    assert_eq!(player.port_info().unwrap().listeners, vec![0, 2]);
    let all: Vec<i32> = lib
        .ep
        .media_enum_ports2()
        .unwrap()
        .iter()
        .map(AudioMedia::port_id)
        .collect();
    assert_eq!(all, vec![0, 1, 2]);
    assert_eq!(
        AudioMedia::port_info_from_id(&lib.ep, 2).unwrap().name,
        "tonegen"
    );
    assert_eq!(
        AudioMedia::port_info_from_id(&lib.ep, 77)
            .unwrap_err()
            .status,
        status::PJ_EINVAL
    );
    assert!(lib.ep.media_max_ports().unwrap() >= 254);
    // Position and seeking.
    player.set_pos(800).unwrap();
    assert!(player.pos().unwrap() >= 800);
    assert!(player.set_pos(1_000_000).is_err());
    // Dropping the owner removes the port and its connections.
    drop(tonegen);
    assert_eq!(player.port_info().unwrap().listeners, vec![0]);
    assert_eq!(lib.ep.media_active_ports().unwrap(), 2);
    // Devices: none listed without a sound backend; the null device.
    assert_eq!(adm.get_dev_count(), 0);
    assert!(adm.enum_dev2().is_empty());
    adm.set_null_dev().unwrap();
    assert_eq!(adm.get_capture_dev().unwrap(), PJSUA_SND_NULL_DEV);
    assert_eq!(adm.get_playback_dev().unwrap(), PJSUA_SND_NULL_DEV);
    assert!(!adm.snd_is_active());
    assert_eq!(adm.get_ec_tail().unwrap(), 200);
    adm.set_ec_options(100, 0).unwrap();
    assert_eq!(adm.get_ec_tail().unwrap(), 100);
    let mut extra = ExtraAudioDevice::new(&lib.ep, PJSUA_SND_NULL_DEV, PJSUA_SND_NULL_DEV);
    assert!(!extra.is_opened());
    extra.open().unwrap();
    assert!(extra.is_opened());
    player.start_transmit(&extra).unwrap();
    extra.close();
    assert!(!extra.is_opened());
    assert_eq!(
        ExtraAudioDevice::new(&lib.ep, 3, 3)
            .open()
            .unwrap_err()
            .status,
        status::PJMEDIA_EAUD_INVDEV
    );
}

#[test]
fn codecs_are_listed_prioritised_and_configured_as_in_pjsua2() {
    let lib = Lib::start();
    let ids: Vec<(String, u8)> = lib
        .ep
        .codec_enum2()
        .unwrap()
        .into_iter()
        .map(|c| (c.codec_id, c.priority))
        .collect();
    let pos = |id: &str| ids.iter().position(|(c, _)| c == id).unwrap();
    assert!(pos("PCMU/8000/1") < pos("PCMA/8000/1"));
    assert!(pos("PCMA/8000/1") < pos("G722/16000/1"));
    assert_eq!(ids[pos("PCMU/8000/1")].1, 128);
    assert_eq!(ids[pos("L16/44100/1")].1, 0);
    // A prefix, case-insensitive, sets every codec it matches.
    lib.ep.codec_set_priority("g722", 201).unwrap();
    lib.ep.codec_set_priority("pcmu", 200).unwrap();
    let ids: Vec<String> = lib
        .ep
        .codec_enum2()
        .unwrap()
        .into_iter()
        .map(|c| c.codec_id)
        .collect();
    assert_eq!(&ids[..2], ["G722/16000/1", "PCMU/8000/1"]);
    assert_eq!(
        lib.ep.codec_set_priority("nonexist", 1).unwrap_err().status,
        status::PJ_ENOTFOUND
    );
    let mut p = lib.ep.codec_get_param("PCMU/8000/1").unwrap();
    assert_eq!(
        (
            p.info.clock_rate,
            p.info.channel_cnt,
            p.info.avg_bps,
            p.info.frame_len
        ),
        (8000, 1, 64_000, 10)
    );
    assert_eq!(
        (
            p.info.pt,
            p.setting.frm_per_pkt,
            p.setting.vad,
            p.setting.plc
        ),
        (0, 2, true, true)
    );
    p.setting.frm_per_pkt = 3;
    p.setting.vad = false;
    lib.ep.codec_set_param("PCMU/8000/1", &p).unwrap();
    let again = lib.ep.codec_get_param("PCMU").unwrap();
    assert_eq!((again.setting.frm_per_pkt, again.setting.vad), (3, false));
    assert_eq!(
        lib.ep.codec_get_param("nonexist").unwrap_err().status,
        status::PJ_ENOTFOUND
    );
}

/// A port whose callback tries to use the media API from inside a tick.
struct Reentrant {
    other: AudioMedia,
    seen: Arc<Mutex<Option<i32>>>,
}

impl AudioMediaPortHandler for Reentrant {
    fn on_frame_requested(&mut self, frame: &mut MediaFrame) {
        let status = self.other.port_info().err().map(|e| e.status);
        *self.seen.lock().unwrap() = status;
        frame.type_ = PJMEDIA_FRAME_TYPE_AUDIO;
        frame.buf.fill(0x10);
    }
}

#[test]
fn the_media_api_refuses_reentry_from_a_frame_callback_instead_of_deadlocking() {
    let lib = Lib::start();
    let other = lib.ep.aud_dev_manager().get_playback_dev_media().unwrap();
    let seen = Arc::new(Mutex::new(None));
    let fmt = MediaFormatAudio {
        clock_rate: 8_000,
        channel_count: 1,
        bits_per_sample: 16,
        ..MediaFormatAudio::default()
    };
    let port = AudioMediaPort::create_port(
        &lib.ep,
        "reentrant",
        &fmt,
        Reentrant {
            other,
            seen: seen.clone(),
        },
    )
    .unwrap();
    let (ear, heard) = ear_port(&lib.ep, "ear");
    port.start_transmit(&ear).unwrap();
    assert!(lib.pump_until(10, || seen.lock().unwrap().is_some()));
    assert_eq!(*seen.lock().unwrap(), Some(status::PJ_EINVALIDOP));
    // The frames it made still reach the bridge: 0x1010 = 4112.
    lib.run_for(200);
    assert!(heard.take().iter().any(|s| (*s - 4112).abs() < 200));
}

#[test]
fn simulated_loss_drops_the_share_of_rtp_asked() {
    // PJSUA2's MediaConfig.rxDropPct: 20 % of the RTP received is dropped.
    let lib = Lib::start_with(|cfg| cfg.med_config.rx_drop_pct = 20);
    let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let ta = MediaTransport::bind(localhost, 0, 0, true).unwrap();
    let tb = MediaTransport::bind(localhost, 0, 0, true).unwrap();
    let (a_rtp, b_rtp) = (ta.local_rtp().unwrap(), tb.local_rtp().unwrap());
    let mut ca = StreamConfig::new("PCMA", b_rtp).unwrap();
    ca.rtcp_mux = true;
    let a = AudioStream::create(&lib.ep, ta, ca).unwrap();
    let mut cb = StreamConfig::new("PCMA", a_rtp).unwrap();
    cb.rtcp_mux = true;
    cb.seed = 7;
    let b = AudioStream::create(&lib.ep, tb, cb).unwrap();
    let tonegen = ToneGenerator::create_tone_generator(&lib.ep, 16_000, 1).unwrap();
    tonegen.play(&[tone(1000)], true).unwrap();
    tonegen.start_transmit(&a).unwrap();
    assert!(lib.pump_until(60, || b.stats().unwrap().rtcp.rx_stat.pkt >= 300));
    let rx = b.stats().unwrap().rtcp.rx_stat;
    let expected = (rx.pkt + rx.loss) as f64;
    let share = rx.loss as f64 / expected;
    // 300+ packets at 20 %: the share is within a few points of it.
    assert!(
        (0.12..0.28).contains(&share),
        "lost {} of {expected}",
        rx.loss
    );
    drop(b);
}

#[test]
fn a_playlist_plays_its_files_in_turn_and_ends_once() {
    let lib = Lib::start();
    let dir = temp_dir("playlist");
    let (one, two) = (dir.join("one.wav"), dir.join("two.wav"));
    write_tone(&one, 16_000, 600.0, 0.4, 8000.0);
    write_tone(&two, 16_000, 1800.0, 0.4, 8000.0);
    let eofs = EofCounter::default();
    let list = AudioMediaPlayer::create_playlist(&lib.ep, &[&one, &two], "", PJMEDIA_FILE_NO_LOOP)
        .unwrap();
    assert_eq!(list.port_info().unwrap().name, "WAV playlist");
    list.set_handler(eofs.clone()).unwrap();
    let (port, ear) = ear_port(&lib.ep, "ear");
    list.start_transmit(&port).unwrap();
    assert!(lib.pump_until(30, || eofs.0.load(Ordering::SeqCst) > 0));
    lib.run_for(100);
    let heard = ear.take();
    let (first, last) = loud_span(&heard, 2000).expect("the playlist played");
    let mid = first + (last - first) / 2;
    let (a, b) = (
        &heard[first + 800..mid - 800],
        &heard[mid + 800..last - 800],
    );
    assert!(tone_amplitude(a, 16_000, 600.0) > 7000.0);
    assert!(tone_amplitude(b, 16_000, 1800.0) > 7000.0);
    assert!(tone_amplitude(a, 16_000, 1800.0) < 200.0);
    assert!(
        (12_600..=13_000).contains(&(last - first)),
        "{}",
        last - first
    );
    assert_eq!(eofs.0.load(Ordering::SeqCst), 1);
    // Files of different rates cannot share a playlist.
    let odd = dir.join("odd.wav");
    write_tone(&odd, 8_000, 600.0, 0.1, 8000.0);
    assert!(AudioMediaPlayer::create_playlist(&lib.ep, &[&one, &odd], "x", 0).is_err());
}

/// Set in the child process of the test below: where to record.
const RECORD_CHILD: &str = "FERROSIP_TEST_RECORD_CHILD";

#[test]
fn a_recording_survives_the_process_being_killed() {
    if let Ok(path) = std::env::var(RECORD_CHILD) {
        // The child: record a tone until killed.
        let lib = Lib::start();
        let tonegen = ToneGenerator::create_tone_generator(&lib.ep, 16_000, 1).unwrap();
        tonegen.play(&[tone(1000)], true).unwrap();
        let recorder = AudioMediaRecorder::create_recorder(&lib.ep, &path, 0, 0, 0).unwrap();
        tonegen.start_transmit(&recorder).unwrap();
        loop {
            lib.run_for(100);
        }
    }
    let dir = temp_dir("killed");
    let path = dir.join("killed.wav");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "a_recording_survives_the_process_being_killed",
            "--exact",
            "--test-threads=1",
        ])
        .env(RECORD_CHILD, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for two seconds of audio (64 kB at 16 kHz mono), then kill -9.
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&path).map_or(0, |m| m.len()) < 44 + 64_000 {
        assert!(Instant::now() < deadline, "the child recorded nothing");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let len = std::fs::metadata(&path).unwrap().len();
    // The header was brought up to date at least a second ago: the file is
    // valid, holds at least a second, and claims no more than it has.
    let (spec, samples) = read_wav(&path);
    assert_eq!((spec.sample_rate, spec.channels), (16_000, 1));
    assert!(samples.len() >= 16_000, "{} samples", samples.len());
    assert!(44 + 2 * samples.len() as u64 <= len);
    assert!(tone_amplitude(&samples[8_000..16_000], 16_000, 1000.0) > 5000.0);
}

/// The SNR (dB) of a `freq` tone in `samples` at 16 kHz, over 20 ms
/// windows overlapping by half (so every frame boundary lies inside one):
/// each window is fitted by least squares with a sine and a cosine of
/// `freq` (any amplitude and phase); the fit is the tone, the residue the
/// noise. A concealed frame counts by how well it continues the tone, a
/// phase jump where frames meet counts as noise, and a frequency with a
/// fractional number of cycles per window is measured without leakage.
fn snr_db(samples: &[i16], freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / 16_000.0;
    let (mut tone, mut noise) = (0.0, 0.0);
    let mut start = 0;
    while start + 320 <= samples.len() {
        let window = &samples[start..start + 320];
        start += 160;
        let (mut ss, mut cc, mut sc, mut xs, mut xc) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (n, x) in window.iter().enumerate() {
            let (s, c, x) = ((w * n as f64).sin(), (w * n as f64).cos(), f64::from(*x));
            ss += s * s;
            cc += c * c;
            sc += s * c;
            xs += x * s;
            xc += x * c;
        }
        let det = ss * cc - sc * sc;
        let (a, b) = ((xs * cc - xc * sc) / det, (xc * ss - xs * sc) / det);
        for (n, x) in window.iter().enumerate() {
            let fit = a * (w * n as f64).sin() + b * (w * n as f64).cos();
            tone += fit * fit;
            noise += (f64::from(*x) - fit).powi(2);
        }
    }
    10.0 * (tone / noise.max(1e-9)).log10()
}

/// A 1020 Hz tone (not a divisor of the frame rate, so repeating a frame
/// is no perfect concealment) through a pair of streams of `codec` over loopback with
/// `rx_drop_pct` % of RTP dropped: its SNR at the far side.
fn tone_through(codec: &str, rx_drop_pct: u32) -> f64 {
    let lib = Lib::start_with(|cfg| cfg.med_config.rx_drop_pct = rx_drop_pct);
    let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let ta = MediaTransport::bind(localhost, 0, 0, false).unwrap();
    let tb = MediaTransport::bind(localhost, 0, 0, false).unwrap();
    let (a_rtp, b_rtp) = (ta.local_rtp().unwrap(), tb.local_rtp().unwrap());
    let a = AudioStream::create(&lib.ep, ta, StreamConfig::new(codec, b_rtp).unwrap()).unwrap();
    let mut cb = StreamConfig::new(codec, a_rtp).unwrap();
    cb.seed = 3;
    let b = AudioStream::create(&lib.ep, tb, cb).unwrap();
    let tonegen = ToneGenerator::create_tone_generator(&lib.ep, 16_000, 1).unwrap();
    tonegen
        .play(
            &[ToneDesc {
                freq1: 1020,
                on_msec: 1000,
                volume: 8000,
                ..ToneDesc::default()
            }],
            true,
        )
        .unwrap();
    tonegen.start_transmit(&a).unwrap();
    let (port, ear) = ear_port(&lib.ep, "ear");
    b.start_transmit(&port).unwrap();
    // Settle (the jitter buffer's prefetch), then listen for 3 s.
    lib.run_for(500);
    ear.take();
    lib.run_for(3000);
    let heard = ear.take();
    let rx = b.stats().unwrap().rtcp.rx_stat;
    eprintln!(
        "{codec}, {rx_drop_pct} % dropped: {} packets, {} lost",
        rx.pkt, rx.loss
    );
    if rx_drop_pct > 0 {
        assert!(rx.loss > 0, "{codec}: nothing was dropped");
    }
    snr_db(&heard, 1020.0)
}

#[test]
fn every_codec_carries_a_tone_over_loopback_with_and_without_loss() {
    // Floors well under what this machine measures when quiet (PCMU and
    // PCMA ~40 dB clean and 12-14 dB at 10 % loss, G.722 ~47 / ~17 dB,
    // L16 higher still): the streams run in real time on a shared
    // machine, and one frame the jitter buffer drops or stretches while
    // the clock catches up costs a 3 s measurement about 22 dB. The
    // codecs' own quality is pinned, deterministically, by the media
    // crate's virtual-time tests (`stream_quality.rs`).
    for (codec, clean, lossy) in [
        ("PCMU", 18.0, 7.0),
        ("PCMA", 18.0, 7.0),
        ("G722", 18.0, 7.0),
        ("L16/16000/1", 18.0, 7.0),
    ] {
        let at_0 = tone_through(codec, 0);
        let at_10 = tone_through(codec, 10);
        eprintln!("{codec}: SNR {at_0:.1} dB without loss, {at_10:.1} dB at 10 % loss");
        assert!(at_0 > clean, "{codec}: {at_0:.1} dB without loss");
        assert!(at_10 > lossy, "{codec}: {at_10:.1} dB at 10 % loss");
        assert!(at_0 > at_10 + 3.0, "{codec}: loss made no difference");
    }
}

/// RTP packets a stream sends in about two seconds of silence.
fn packets_sent_in_silence(no_vad: bool) -> u64 {
    let lib = Lib::start_with(|cfg| cfg.med_config.no_vad = no_vad);
    let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let ta = MediaTransport::bind(localhost, 0, 0, true).unwrap();
    let tb = MediaTransport::bind(localhost, 0, 0, true).unwrap();
    let mut ca = StreamConfig::new("PCMU", tb.local_rtp().unwrap()).unwrap();
    ca.rtcp_mux = true;
    // Nothing transmits to the stream: the bridge still gives it silence,
    // as pjmedia's conference does.
    let a = AudioStream::create(&lib.ep, ta, ca).unwrap();
    drop(tb);
    lib.run_for(2000);
    a.stats().unwrap().rtcp.tx_stat.pkt
}

#[test]
fn silence_is_suppressed_unless_no_vad() {
    // With VAD (PJSUA2's default), a silent stream sends only during its
    // first 600 ms; with MediaConfig.noVad every frame goes out.
    let suppressed = packets_sent_in_silence(false);
    let all = packets_sent_in_silence(true);
    assert!(suppressed <= 40, "{suppressed} packets with VAD");
    assert!(all >= 80, "{all} packets without VAD");
}
