//! Media benchmark: what the media engine costs in CPU and memory while it
//! runs in real time, measured over the whole process. The same
//! measurements for the real PJSUA2 are in
//! `dev/interop/peers/pjsua2/bench_media.py`; `scripts/bench-media` runs
//! both, several times each, and prints them side by side (see
//! BENCHMARKS.md, "Media engine: side by side with PJSUA2").
//!
//! ```text
//! cargo run --release -p ferrosip --example bench_media -- COMMAND [OPTIONS]
//!
//! COMMAND
//!   files     write the WAV files both sides play into --files DIR:
//!             speech-like (a voiced harmonic series with a gliding pitch
//!             and a syllable-rate envelope that never falls silent), mono
//!             16-bit, two at 8 kHz and two at 16 kHz, 2.7 to 3.6 s long
//!   players   K looping players (player i plays file i mod 4) all
//!             transmitting to one WAV recorder; measures --seconds of wall
//!             time after --warmup, then closes the recording and checks
//!             its length and loudness
//!   streams   N pairs of PCMU RTP streams (20 ms) over 127.0.0.1 (2 N
//!             streams), both ways as in a call: one looping player
//!             (speech8k_a.wav) transmits to every stream, and every stream
//!             transmits to the sound device port (port 0, the null
//!             device); silence suppression off (see --vad)
//!
//! OPTIONS
//!   --count K|N     players (players) or stream pairs (streams); 0 is the
//!                   baseline: the same process with nothing mixing
//!   --seconds T     measured wall time (default 10)
//!   --warmup S      seconds between connecting and measuring (default 1)
//!   --files DIR     where the WAV files are (default target/bench-media/wav)
//!   --out DIR       where the recording goes (default: a temporary
//!                   directory); it is removed unless --keep
//!   --keep          keep the recording
//!   --vad           streams: suppress silence (`MediaConfig.noVad = false`
//!                   and the codec parameters' VAD setting); off by default
//! ```
//!
//! The bridge is PJSUA2's default: 16 kHz mono, 20 ms frames, the null
//! sound device, `threadCnt = 0` with `lib_handle_events(50)` polled here
//! during the measurement. Each run ends with one line
//! `RESULT impl=ferrosip scenario=… count=… key=value …`, read by the
//! script. CPU time is the process's user + system time: the sum over its
//! threads of `/proc/self/task/*/schedstat` (the nanosecond total behind
//! getrusage(RUSAGE_SELF); no thread exits during a measurement), with
//! `/proc/self/stat`'s utime and stime (clock ticks) for the split.

#[path = "bench_support/mod.rs"]
mod bench_support;

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ferrosip::Endpoint;
use ferrosip::config::EpConfig;
use ferrosip::media::{
    AudioMedia, AudioMediaPlayer, AudioMediaRecorder, AudioStream, MediaTransport, StreamConfig,
};

/// The files of `files`: (name, sample rate, seconds, fundamental Hz).
const FILES: [(&str, u32, f64, f64); 4] = [
    ("speech8k_a.wav", 8_000, 3.0, 140.0),
    ("speech16k_a.wav", 16_000, 3.3, 210.0),
    ("speech8k_b.wav", 8_000, 2.7, 115.0),
    ("speech16k_b.wav", 16_000, 3.6, 180.0),
];

/// The bridge's rate (PJSUA2's default `clockRate`).
const BRIDGE_RATE: u32 = 16_000;

#[derive(Debug, Clone)]
struct Options {
    command: String,
    count: usize,
    seconds: f64,
    warmup: f64,
    files: PathBuf,
    out: Option<PathBuf>,
    keep: bool,
    vad: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: bench_media files|players|streams [--count N] [--seconds T] [--warmup S] \
         [--files DIR] [--out DIR] [--keep] [--vad]"
    );
    std::process::exit(2);
}

fn parse_options() -> Options {
    let mut args = std::env::args().skip(1);
    let command = match args.next().as_deref() {
        Some(c @ ("files" | "players" | "streams")) => c.to_owned(),
        _ => usage(),
    };
    let mut o = Options {
        command,
        count: 1,
        seconds: 10.0,
        warmup: 1.0,
        files: PathBuf::from("target/bench-media/wav"),
        out: None,
        keep: false,
        vad: false,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        let seconds = |v: String| {
            v.parse::<f64>()
                .ok()
                .filter(|s| *s >= 0.0)
                .unwrap_or_else(|| usage())
        };
        match flag.as_str() {
            "--count" | "--players" | "--pairs" => {
                o.count = value().parse().unwrap_or_else(|_| usage());
            }
            "--seconds" => o.seconds = seconds(value()),
            "--warmup" => o.warmup = seconds(value()),
            "--files" => o.files = PathBuf::from(value()),
            "--out" => o.out = Some(PathBuf::from(value())),
            "--keep" => o.keep = true,
            "--vad" => o.vad = true,
            _ => usage(),
        }
    }
    o
}

// Measurements -------------------------------------------------------------

use bench_support::{report, rss_kib, thread_cpu};

/// The process's CPU time so far.
#[derive(Debug, Clone, Copy, Default)]
struct Cpu {
    /// Sum over the live threads of `schedstat`'s on-CPU nanoseconds.
    total: Duration,
    /// utime of `/proc/self/stat` (clock ticks).
    user_ticks: Duration,
    /// stime of `/proc/self/stat` (clock ticks).
    sys_ticks: Duration,
    /// Threads of the process.
    threads: usize,
}

fn cpu() -> Cpu {
    let (total, threads) = thread_cpu();
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (in parentheses): utime is field 14,
    // stime 15, i.e. the 12th and 13th after the ')'.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        let t: u64 = fields.get(i).and_then(|v| v.parse().ok()).unwrap_or(0);
        Duration::from_millis(t * 1000 / clock_ticks())
    };
    Cpu {
        total,
        user_ticks: ticks(11),
        sys_ticks: ticks(12),
        threads,
    }
}

/// `getconf CLK_TCK` (100 on Linux).
fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|&t| t > 0)
            .unwrap_or(100)
    })
}

/// The measured window: wall time and the CPU spent in it.
#[derive(Debug, Clone, Copy)]
struct Window {
    wall: Duration,
    cpu: Cpu,
}

/// Polls the endpoint for `seconds` of wall time and measures the window.
fn measure(ep: &Endpoint, seconds: f64) -> Window {
    let length = Duration::from_secs_f64(seconds);
    let c0 = cpu();
    let t0 = Instant::now();
    while t0.elapsed() < length {
        let left = length.saturating_sub(t0.elapsed());
        let ms = u32::try_from(left.as_millis()).unwrap_or(50).clamp(1, 50);
        ep.lib_handle_events(ms).expect("lib_handle_events");
    }
    let wall = t0.elapsed();
    let c1 = cpu();
    Window {
        wall,
        cpu: Cpu {
            total: c1.total.saturating_sub(c0.total),
            user_ticks: c1.user_ticks.saturating_sub(c0.user_ticks),
            sys_ticks: c1.sys_ticks.saturating_sub(c0.sys_ticks),
            threads: c1.threads,
        },
    }
}

/// Lets the media run for `seconds` (not measured).
fn idle(ep: &Endpoint, seconds: f64) {
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    while Instant::now() < end {
        ep.lib_handle_events(20).expect("lib_handle_events");
    }
}

fn window_fields(w: &Window) -> String {
    format!(
        "wall_s={:.6} cpu_s={:.6} user_s={:.3} sys_s={:.3} threads={}",
        w.wall.as_secs_f64(),
        w.cpu.total.as_secs_f64(),
        w.cpu.user_ticks.as_secs_f64(),
        w.cpu.sys_ticks.as_secs_f64(),
        w.cpu.threads
    )
}

// The endpoint ---------------------------------------------------------------

/// A started endpoint with PJSUA2's default media settings (but
/// `noVad = !vad`) and the null sound device; no SIP transport (no calls
/// here).
fn endpoint(vad: bool) -> Endpoint {
    let ep = Endpoint::new();
    ep.lib_create().expect("lib_create");
    let mut cfg = EpConfig::default();
    cfg.ua_config.thread_cnt = 0;
    cfg.med_config.no_vad = !vad;
    cfg.log_config.level = 0;
    cfg.log_config.console_level = 0;
    assert_eq!(cfg.med_config.clock_rate, BRIDGE_RATE);
    assert_eq!(cfg.med_config.audio_frame_ptime, 20);
    ep.lib_init(&cfg).expect("lib_init");
    ep.lib_start().expect("lib_start");
    ep.aud_dev_manager().set_null_dev().expect("set_null_dev");
    ep
}

// The files ------------------------------------------------------------------

/// Speech-like audio: a harmonic series (1/h amplitudes, up to 3.4 kHz) on
/// a pitch that glides ±10 % at 0.7 Hz, under an envelope at the syllable
/// rate (4 Hz) between 0.3 and 1.0 of the peak; never silent, so that no
/// silence detector takes a frame for silence.
fn speech_like(rate: u32, seconds: f64, f0: f64, peak: f64) -> Vec<i16> {
    use std::f64::consts::TAU;
    let n = (f64::from(rate) * seconds) as usize;
    let harmonics = ((3400.0 / (f0 * 1.1)) as usize).clamp(1, 12);
    let norm: f64 = (1..=harmonics).map(|h| 1.0 / h as f64).sum();
    let mut phase = 0.0f64;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / f64::from(rate);
        let pitch = f0 * (1.0 + 0.1 * (TAU * 0.7 * t).sin());
        phase = (phase + TAU * pitch / f64::from(rate)) % (TAU * 1000.0);
        let env = 0.65 + 0.35 * (TAU * 4.0 * t).sin();
        let voice: f64 = (1..=harmonics)
            .map(|h| (h as f64 * phase).sin() / h as f64)
            .sum::<f64>()
            / norm;
        out.push((peak * env * voice).round() as i16);
    }
    out
}

fn write_files(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, rate, seconds, f0) in FILES {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let path = dir.join(name);
        let mut w = hound::WavWriter::create(&path, spec).map_err(std::io::Error::other)?;
        for s in speech_like(rate, seconds, f0, 4000.0) {
            w.write_sample(s).map_err(std::io::Error::other)?;
        }
        w.finalize().map_err(std::io::Error::other)?;
        println!("{}", path.display());
    }
    Ok(())
}

fn file(o: &Options, i: usize) -> PathBuf {
    let path = o.files.join(FILES[i % FILES.len()].0);
    if !path.exists() {
        eprintln!(
            "{} is missing: run `bench_media files --files {}` first",
            path.display(),
            o.files.display()
        );
        std::process::exit(1);
    }
    path
}

// Players into one recorder --------------------------------------------------

/// What a finished recording holds.
#[derive(Debug, Default)]
struct Recording {
    /// Seconds of audio in the file.
    seconds: f64,
    /// Seconds of 20 ms frames louder than 100 RMS.
    loud_seconds: f64,
    /// RMS over the whole file.
    rms: f64,
}

fn read_recording(path: &Path) -> Recording {
    let Ok(mut r) = hound::WavReader::open(path) else {
        return Recording::default();
    };
    let spec = r.spec();
    let samples: Vec<i16> = r.samples::<i16>().map_while(Result::ok).collect();
    let rate = f64::from(spec.sample_rate) * f64::from(spec.channels);
    let frame = (rate / 50.0) as usize;
    let energy = |s: &[i16]| s.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>();
    let loud = samples
        .chunks(frame.max(1))
        .filter(|c| (energy(c) / c.len() as f64).sqrt() > 100.0)
        .count();
    Recording {
        seconds: samples.len() as f64 / rate,
        loud_seconds: loud as f64 * frame as f64 / rate,
        rms: if samples.is_empty() {
            0.0
        } else {
            (energy(&samples) / samples.len() as f64).sqrt()
        },
    }
}

fn players(o: &Options) -> Result<String, String> {
    let ep = endpoint(o.vad);
    let (dir, temporary) = match &o.out {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("bench-media-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let rec_path = dir.join(format!("ferrosip-players-{}.wav", o.count));
    idle(&ep, 0.3);
    let rss_before = rss_kib();
    let recorder = AudioMediaRecorder::create_recorder(&ep, &rec_path, 0, 0, 0)
        .map_err(|e| format!("create_recorder: {e}"))?;
    let mut list = Vec::with_capacity(o.count);
    for i in 0..o.count {
        let p = AudioMediaPlayer::create_player(&ep, file(o, i), 0)
            .map_err(|e| format!("create_player: {e}"))?;
        list.push(p);
    }
    let connected = Instant::now();
    for p in &list {
        p.start_transmit(&recorder)
            .map_err(|e| format!("start_transmit: {e}"))?;
    }
    idle(&ep, o.warmup);
    let window = measure(&ep, o.seconds);
    let rss_after = rss_kib();
    let level = recorder.tx_level().unwrap_or(0);
    recorder.close().map_err(|e| format!("close: {e}"))?;
    let recorded_for = connected.elapsed().as_secs_f64();
    drop(list);
    let rec = read_recording(&rec_path);
    ep.lib_destroy().map_err(|e| format!("lib_destroy: {e}"))?;
    if !o.keep {
        let _ = std::fs::remove_file(&rec_path);
        if temporary {
            let _ = std::fs::remove_dir(&dir);
        }
    }
    Ok(format!(
        "{} rss_before_kib={rss_before} rss_after_kib={rss_after} rec_s={:.3} \
         rec_expected_s={recorded_for:.3} rec_loud_s={:.3} rec_rms={:.0} tx_level={level}",
        window_fields(&window),
        rec.seconds,
        rec.loud_seconds,
        rec.rms
    ))
}

// Stream pairs ----------------------------------------------------------------

/// Packets counted over every stream.
#[derive(Debug, Default, Clone, Copy)]
struct Packets {
    /// RTP packets sent.
    tx: u64,
    /// RTP packets received.
    rx: u64,
    /// Packets counted lost.
    loss: u64,
}

fn packets(streams: &[AudioStream]) -> Packets {
    let mut p = Packets::default();
    for s in streams {
        let stat = s.stats().expect("stats");
        p.tx += stat.rtcp.tx_stat.pkt;
        p.rx += stat.rtcp.rx_stat.pkt;
        p.loss += stat.rtcp.rx_stat.loss;
    }
    p
}

fn streams(o: &Options) -> Result<String, String> {
    let ep = endpoint(o.vad);
    let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let speaker: AudioMedia = ep
        .aud_dev_manager()
        .get_playback_dev_media()
        .map_err(|e| format!("get_playback_dev_media: {e}"))?;
    idle(&ep, 0.3);
    let rss_before = rss_kib();
    let player = AudioMediaPlayer::create_player(&ep, file(o, 0), 0)
        .map_err(|e| format!("create_player: {e}"))?;
    let mut list = Vec::with_capacity(2 * o.count);
    for i in 0..o.count {
        let bind =
            || MediaTransport::bind(localhost, 0, 0, false).map_err(|e| format!("bind: {e}"));
        let (ta, tb) = (bind()?, bind()?);
        let a_rtp = ta.local_rtp().map_err(|e| e.to_string())?;
        let b_rtp = tb.local_rtp().map_err(|e| e.to_string())?;
        for (k, (transport, remote)) in [(ta, b_rtp), (tb, a_rtp)].into_iter().enumerate() {
            // Silence suppression comes from the codec parameters' VAD
            // setting, as when SDP negotiated them (and MediaConfig.noVad).
            let pcmu = StreamConfig::new("PCMU", remote).map_err(|e| e.to_string())?;
            let mut param = pcmu.param.clone();
            param.setting.vad = o.vad;
            let mut config = StreamConfig::with_desc(pcmu.codec, param, remote);
            config.seed = (2 * i + k) as u64 + 1;
            let stream =
                AudioStream::create(&ep, transport, config).map_err(|e| format!("stream: {e}"))?;
            list.push(stream);
        }
    }
    // Both ways, as in a call: the player into every stream, every stream
    // to the sound device port.
    for s in &list {
        player
            .start_transmit(s)
            .map_err(|e| format!("start_transmit: {e}"))?;
        s.start_transmit(&speaker)
            .map_err(|e| format!("start_transmit: {e}"))?;
    }
    idle(&ep, o.warmup);
    let p0 = packets(&list);
    let window = measure(&ep, o.seconds);
    let p1 = packets(&list);
    let rss_after = rss_kib();
    let quiet = list
        .iter()
        .filter(|s| s.rx_level().unwrap_or(0) == 0)
        .count();
    let n = list.len();
    drop(list);
    drop(player);
    ep.lib_destroy().map_err(|e| format!("lib_destroy: {e}"))?;
    Ok(format!(
        "{} rss_before_kib={rss_before} rss_after_kib={rss_after} streams={n} tx_pkt={} \
         rx_pkt={} loss={} quiet={quiet} procs=1",
        window_fields(&window),
        p1.tx - p0.tx,
        p1.rx - p0.rx,
        p1.loss - p0.loss,
    ))
}

fn main() -> ExitCode {
    let o = parse_options();
    let result = match o.command.as_str() {
        "files" => {
            return match write_files(&o.files) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("files: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        "players" => players(&o),
        _ => streams(&o),
    };
    report(&o.command, o.count, o.seconds, result)
}
