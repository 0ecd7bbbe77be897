//! Real sound devices through cpal (feature `sound-device`), on ALSA's
//! `null` PCM, which alsa-lib's default configuration always has, so this
//! runs on machines without a sound card: the devices are listed with
//! PJSUA2's numbering and fields, the null PCM is chosen by name, a tone is
//! played into port 0 and port 0's capture is heard, the ring buffers'
//! counters move, errors carry PJSIP's statuses, and nothing crashes.
//!
//! ALSA's null PCM has no clock: it takes and gives samples as fast as it
//! is asked, so the playback ring always runs dry (underflows) and the
//! capture ring always overflows — which is what the counters must show.
//! Waits are for counters, with generous deadlines, never timed
//! assertions.
#![cfg(feature = "sound-device")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ferrosip::Endpoint;
use ferrosip::config::EpConfig;
use ferrosip::error::status;
use ferrosip::media::{
    AudioMediaPort, AudioMediaPortHandler, ExtraAudioDevice, MediaFormatAudio, MediaFrame,
    PJSUA_SND_DEFAULT_CAPTURE_DEV, PJSUA_SND_DEFAULT_PLAYBACK_DEV, PJSUA_SND_NULL_DEV,
    SoundDeviceStats, ToneDesc, ToneGenerator,
};

fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// An initialised endpoint (not started), destroyed on drop.
struct Lib {
    ep: Endpoint,
    _turn: MutexGuard<'static, ()>,
}

impl Lib {
    fn init() -> Self {
        let turn = serial();
        let ep = Endpoint::new();
        ep.lib_create().unwrap();
        let mut cfg = EpConfig::default();
        cfg.ua_config.thread_cnt = 0;
        cfg.log_config.console_level = 0;
        cfg.log_config.level = 0;
        ep.lib_init(&cfg).unwrap();
        Self { ep, _turn: turn }
    }

    /// Handles events until `done` or 30 s passed (a guard against a
    /// hang, not a timing requirement); true if done.
    fn pump_until(&self, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            self.ep.lib_handle_events(10).unwrap();
            if done() {
                return true;
            }
        }
        false
    }
}

impl Drop for Lib {
    fn drop(&mut self) {
        let _ = self.ep.lib_destroy();
    }
}

/// The id of ALSA's null PCM, found by name.
fn null_pcm(lib: &Lib) -> i32 {
    let adm = lib.ep.aud_dev_manager();
    let devs = adm.enum_dev2();
    let null = devs
        .iter()
        .find(|d| d.name == "null" && d.driver == "ALSA")
        .unwrap_or_else(|| panic!("ALSA's null PCM is listed: {devs:?}"));
    null.id
}

/// Counts the frames the bridge gives an application port.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl AudioMediaPortHandler for Counter {
    fn on_frame_received(&mut self, _frame: &MediaFrame) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn devices_are_listed_with_pjsua2_numbering_and_fields() {
    let lib = Lib::init();
    let adm = lib.ep.aud_dev_manager();
    let devs = adm.enum_dev2();
    assert_eq!(adm.get_dev_count() as usize, devs.len());
    for (i, d) in devs.iter().enumerate() {
        assert_eq!(d.id, i as i32, "numbered from 0 in order: {d:?}");
        assert_eq!(adm.get_dev_info(d.id).unwrap(), *d);
        assert!(d.input_count > 0 || d.output_count > 0, "{d:?}");
    }
    let id = null_pcm(&lib);
    let null = adm.get_dev_info(id).unwrap();
    assert!(null.input_count > 0 && null.output_count > 0, "{null:?}");
    assert!(null.default_samples_per_sec > 0, "{null:?}");
    // PJMEDIA_AUD_DEV_CAP_INPUT_LATENCY | OUTPUT_LATENCY.
    assert_eq!(null.caps & 6, 6, "{null:?}");
    assert_eq!(adm.lookup_dev("ALSA", "null").unwrap(), id);
    // PJSUA2 reports an unknown name as "not found".
    assert_eq!(
        adm.lookup_dev("ALSA", "no-such-pcm").unwrap_err().status,
        status::PJ_ENOTFOUND
    );
    let count = devs.len() as i32;
    assert_eq!(
        adm.get_dev_info(count).unwrap_err().status,
        status::PJMEDIA_EAUD_INVDEV
    );
    adm.refresh_devs().unwrap();
    assert_eq!(adm.lookup_dev("ALSA", "null").unwrap(), null_pcm(&lib));
    // The defaults until chosen otherwise.
    assert_eq!(
        adm.get_capture_dev().unwrap(),
        PJSUA_SND_DEFAULT_CAPTURE_DEV
    );
    assert_eq!(
        adm.get_playback_dev().unwrap(),
        PJSUA_SND_DEFAULT_PLAYBACK_DEV
    );
}

fn wait_for_traffic(lib: &Lib, stats: impl Fn() -> SoundDeviceStats) -> SoundDeviceStats {
    let mut last = SoundDeviceStats::default();
    let moved = lib.pump_until(|| {
        last = stats();
        last.playback_written > 0
            && last.played > 0
            && last.playback_underflow > 0
            && last.captured > 0
            && last.capture_read > 0
            && last.capture_overflow > 0
    });
    assert!(moved, "the rings' counters did not move: {last:?}");
    last
}

#[test]
fn a_tone_plays_into_port_0_and_port_0_captures_on_the_null_pcm() {
    let lib = Lib::init();
    let adm = lib.ep.aud_dev_manager();
    let id = null_pcm(&lib);
    // Chosen before libStart: stored, opened by libStart.
    adm.set_capture_dev(id).unwrap();
    adm.set_playback_dev(id).unwrap();
    assert_eq!(
        (
            adm.get_capture_dev().unwrap(),
            adm.get_playback_dev().unwrap()
        ),
        (id, id)
    );
    assert!(!adm.snd_is_active());
    lib.ep.lib_start().unwrap();
    assert!(adm.snd_is_active());
    let stats = adm.snd_stats().unwrap();
    // Opened at the bridge's rate and channels, which the null PCM takes.
    assert_eq!((stats.clock_rate, stats.channels), (16_000, 1));

    let master = adm.get_playback_dev_media().unwrap();
    let tone = ToneGenerator::create_tone_generator(&lib.ep, 16_000, 1).unwrap();
    tone.play(
        &[ToneDesc {
            freq1: 440,
            on_msec: 1000,
            ..ToneDesc::default()
        }],
        true,
    )
    .unwrap();
    tone.start_transmit(&master).unwrap();
    let heard = Counter::default();
    let fmt = MediaFormatAudio {
        clock_rate: 16_000,
        channel_count: 1,
        bits_per_sample: 16,
        ..MediaFormatAudio::default()
    };
    let ear = AudioMediaPort::create_port(&lib.ep, "ear", &fmt, heard.clone()).unwrap();
    adm.get_capture_dev_media()
        .unwrap()
        .start_transmit(&ear)
        .unwrap();
    let s = wait_for_traffic(&lib, || adm.snd_stats().unwrap());
    assert!(lib.pump_until(|| heard.0.load(Ordering::SeqCst) > 10));
    assert!(s.active);

    // An id that names no device: PJMEDIA_EAUD_INVDEV, and nothing changes.
    let err = adm.set_capture_dev(10_000).unwrap_err();
    assert_eq!(err.status, status::PJMEDIA_EAUD_INVDEV);
    assert_eq!(adm.get_capture_dev().unwrap(), id);
    assert!(adm.snd_is_active());

    // setEcOptions takes effect on the open device (and does not break it).
    adm.set_ec_options(100, 0).unwrap();
    assert_eq!(adm.get_ec_tail().unwrap(), 100);
    wait_for_traffic(&lib, || adm.snd_stats().unwrap());

    // The null device: closed, port 0 still there and still ticking.
    adm.set_null_dev().unwrap();
    assert!(!adm.snd_is_active());
    assert_eq!(adm.get_capture_dev().unwrap(), PJSUA_SND_NULL_DEV);
    assert_eq!(adm.snd_stats().unwrap(), SoundDeviceStats::default());
    let before = heard.0.load(Ordering::SeqCst);
    assert!(lib.pump_until(|| heard.0.load(Ordering::SeqCst) > before + 5));

    // And back to the device, opened at once now that the library runs.
    adm.set_playback_dev(id).unwrap();
    assert!(adm.snd_is_active());
    let s = adm.snd_stats().unwrap();
    assert_eq!(s.captured, 0, "playback only: {s:?}");
    lib.pump_until(|| adm.snd_stats().unwrap().played > 0);
}

#[test]
fn an_extra_audio_device_opens_the_null_pcm_as_a_port_of_its_own() {
    let lib = Lib::init();
    let id = null_pcm(&lib);
    lib.ep.aud_dev_manager().set_null_dev().unwrap();
    lib.ep.lib_start().unwrap();
    let mut extra = ExtraAudioDevice::new(&lib.ep, id, id);
    assert!(!extra.is_opened());
    extra.open().unwrap();
    assert!(extra.is_opened());
    assert_ne!(extra.port_id(), 0);
    assert!(!lib.ep.aud_dev_manager().snd_is_active());
    let tone = ToneGenerator::create_tone_generator(&lib.ep, 8_000, 1).unwrap();
    tone.play(
        &[ToneDesc {
            freq1: 1000,
            on_msec: 1000,
            ..ToneDesc::default()
        }],
        true,
    )
    .unwrap();
    tone.start_transmit(&extra).unwrap();
    extra
        .start_transmit(&lib.ep.aud_dev_manager().get_playback_dev_media().unwrap())
        .unwrap();
    let s = wait_for_traffic(&lib, || extra.stats().unwrap());
    assert!(s.active);
    extra.close();
    assert!(!extra.is_opened());
    assert_eq!(
        ExtraAudioDevice::new(&lib.ep, 10_000, id)
            .open()
            .unwrap_err()
            .status,
        status::PJMEDIA_EAUD_INVDEV
    );
}

#[test]
fn the_default_devices_open_or_fail_with_a_pjsip_status_never_a_panic() {
    // On a machine without a sound card (CI), ALSA's "default" cannot
    // open: libStart logs it and keeps the null device, and choosing it
    // afterwards is an error with a PJMEDIA_EAUD_* status. With a card, it
    // opens. Either way the media clock keeps going.
    let lib = Lib::init();
    lib.ep.lib_start().unwrap();
    let adm = lib.ep.aud_dev_manager();
    let active_at_start = adm.snd_is_active();
    match adm.set_capture_dev(PJSUA_SND_DEFAULT_CAPTURE_DEV) {
        Ok(()) => assert!(adm.snd_is_active()),
        Err(e) => {
            assert!(
                (status::PJMEDIA_EAUD_ERR..=status::PJMEDIA_EAUD_BADLATENCY).contains(&e.status),
                "{e:?}"
            );
            assert_eq!(adm.snd_is_active(), active_at_start);
        }
    }
    let heard = Counter::default();
    let fmt = MediaFormatAudio {
        clock_rate: 8_000,
        channel_count: 1,
        bits_per_sample: 16,
        ..MediaFormatAudio::default()
    };
    let ear = AudioMediaPort::create_port(&lib.ep, "ear", &fmt, heard.clone()).unwrap();
    let tone = ToneGenerator::create_tone_generator(&lib.ep, 8_000, 1).unwrap();
    tone.start_transmit(&ear).unwrap();
    assert!(lib.pump_until(|| heard.0.load(Ordering::SeqCst) > 5));
}
