//! The speex echo canceller: libspeexdsp's MDF adaptive filter through the
//! `speexdsp` crate, linked to the system's `libspeexdsp`.
//!
//! The speex states are C objects behind raw pointers, which Rust does not
//! let cross threads, while a bridge port must be `Send` (it is built on an
//! API thread and used on the media clock's). This crate forbids `unsafe`,
//! so the states never cross threads instead: each lives in a table local
//! to the thread that uses it, and [`SpeexEchoCanceller`] holds only its
//! key. Used from another thread, the canceller starts a fresh state there
//! (and forgets the old one, which that thread frees at its next use of any
//! canceller, or when it ends). The media clock is one thread, so in
//! practice the state is made once and kept.
//!
//! The `speexdsp` crate's preprocessor cannot take the echo state (its
//! `SPEEX_PREPROCESS_SET_ECHO_STATE` frees the state it is given), so the
//! residual-echo suppressor pjmedia adds after speex's filter is not used;
//! the noise suppressor is (`PJMEDIA_ECHO_USE_NOISE_SUPPRESSOR`, mono).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread::ThreadId;

use speexdsp::echo::{SpeexEcho, SpeexEchoConst};
use speexdsp::preprocess::{SpeexPreprocess, SpeexPreprocessConst};

use super::{
    EchoCanceller, EchoConfig, EchoError, EchoStats, FarQueue, PJMEDIA_ECHO_USE_NOISE_SUPPRESSOR,
};

/// How many played frames may wait for their captured frames. Beyond that
/// the capture side has stopped, and the oldest go.
const MAX_FAR_FRAMES: usize = 16;

/// One thread's speex objects for one canceller.
struct SpeexState {
    echo: SpeexEcho,
    denoise: Option<SpeexPreprocess>,
    out: Vec<i16>,
}

impl SpeexState {
    /// Speex's objects for `config`, or `None` if libspeexdsp refuses.
    fn new(config: &EchoConfig) -> Option<Self> {
        let frame = config.samples_per_frame as usize;
        let channels = usize::from(config.channels);
        let mut echo =
            SpeexEcho::echo_init(frame, config.tail_samples() as usize, channels, channels).ok()?;
        let rate = i32::try_from(config.clock_rate).ok()?;
        // The crate passes this argument to `speex_echo_ctl` as the `void*`
        // it is, so it takes the address of the rate, not the rate.
        echo.echo_ctl(
            SpeexEchoConst::SPEEX_ECHO_SET_SAMPLING_RATE,
            std::ptr::from_ref(&rate) as usize,
        )
        .ok()?;
        let denoise = if config.options & PJMEDIA_ECHO_USE_NOISE_SUPPRESSOR != 0 && channels == 1 {
            let mut pre = SpeexPreprocess::new(frame, config.clock_rate as usize).ok()?;
            // Denoise only: no gain control, no voice detection, no
            // dereverberation (what pjmedia's speex canceller sets).
            for (request, value) in [
                (SpeexPreprocessConst::SPEEX_PREPROCESS_SET_DENOISE, 1u32),
                (SpeexPreprocessConst::SPEEX_PREPROCESS_SET_AGC, 0),
                (SpeexPreprocessConst::SPEEX_PREPROCESS_SET_VAD, 0),
                (SpeexPreprocessConst::SPEEX_PREPROCESS_SET_DEREVERB, 0),
            ] {
                pre.preprocess_ctl(request, value).ok()?;
            }
            Some(pre)
        } else {
            None
        };
        Some(Self {
            echo,
            denoise,
            out: vec![0; config.frame_len()],
        })
    }
}

thread_local! {
    /// The speex states used on this thread, by canceller key.
    static STATES: RefCell<HashMap<u64, SpeexState>> = RefCell::new(HashMap::new());
}

/// Keys of cancellers.
static NEXT_KEY: AtomicU64 = AtomicU64::new(1);
/// States whose canceller moved on or was dropped elsewhere: the thread
/// holding each, and its key. That thread frees them.
static ORPHANS: Mutex<Vec<(ThreadId, u64)>> = Mutex::new(Vec::new());
/// How many orphans wait (to skip the lock when none does).
static ORPHAN_COUNT: AtomicUsize = AtomicUsize::new(0);

fn orphan(thread: ThreadId, key: u64) {
    let mut orphans = ORPHANS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    orphans.push((thread, key));
    ORPHAN_COUNT.store(orphans.len(), Ordering::Release);
}

/// Frees this thread's orphaned states.
fn sweep_orphans(me: ThreadId) {
    if ORPHAN_COUNT.load(Ordering::Acquire) == 0 {
        return;
    }
    let mine: Vec<u64> = {
        let mut orphans = ORPHANS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut mine = Vec::new();
        orphans.retain(|&(t, k)| {
            let keep = t != me;
            if !keep {
                mine.push(k);
            }
            keep
        });
        ORPHAN_COUNT.store(orphans.len(), Ordering::Release);
        mine
    };
    let _ = STATES.try_with(|s| {
        let mut s = s.borrow_mut();
        for k in mine {
            s.remove(&k);
        }
    });
}

/// Speex's echo canceller (pjmedia's `PJMEDIA_ECHO_SPEEX`, its default).
#[derive(Debug)]
pub struct SpeexEchoCanceller {
    config: EchoConfig,
    key: u64,
    /// The thread whose table holds the state, once there is one.
    home: Option<ThreadId>,
    /// libspeexdsp refused to make a state: frames pass unchanged.
    failed: bool,
    far: FarQueue,
    far_frame: Vec<i16>,
    stats: EchoStats,
}

impl SpeexEchoCanceller {
    /// A canceller for `config` (a tail above 0). The speex state is made
    /// at the first captured frame, on the thread that captures.
    pub fn new(config: &EchoConfig) -> Result<Self, EchoError> {
        if config.tail_ms == 0 {
            return Err(EchoError::Disabled);
        }
        if config.clock_rate == 0
            || i32::try_from(config.clock_rate).is_err()
            || config.channels == 0
            || config.samples_per_frame == 0
            || config.tail_samples() == 0
            || i32::try_from(config.tail_samples()).is_err()
        {
            return Err(EchoError::InvalidConfig(*config));
        }
        Ok(Self {
            config: *config,
            key: NEXT_KEY.fetch_add(1, Ordering::Relaxed),
            home: None,
            failed: false,
            far: FarQueue::new(MAX_FAR_FRAMES),
            far_frame: vec![0; config.frame_len()],
            stats: EchoStats::default(),
        })
    }

    /// The configuration it was made for.
    pub fn config(&self) -> &EchoConfig {
        &self.config
    }

    /// Whether libspeexdsp refused to make a state (frames then pass
    /// unchanged).
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Leaves the state on its thread for that thread to free.
    fn let_go(&mut self) {
        if let Some(home) = self.home.take() {
            if home == std::thread::current().id() {
                let key = self.key;
                let _ = STATES.try_with(|s| s.borrow_mut().remove(&key));
            } else {
                orphan(home, self.key);
            }
        }
        self.key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
    }
}

impl EchoCanceller for SpeexEchoCanceller {
    fn playback(&mut self, frame: &[i16]) {
        if frame.len() != self.config.frame_len() {
            return;
        }
        self.stats.played += 1;
        if self.far.push(frame) {
            self.stats.far_overflows += 1;
        }
    }

    fn capture(&mut self, frame: &mut [i16]) {
        if frame.len() != self.config.frame_len() {
            return;
        }
        self.stats.captured += 1;
        if !self.far.pop_into(&mut self.far_frame) {
            self.stats.far_underflows += 1;
        }
        if self.failed {
            return;
        }
        let me = std::thread::current().id();
        if self.home != Some(me) {
            self.let_go();
            self.home = Some(me);
        }
        sweep_orphans(me);
        let (key, config, far) = (self.key, &self.config, &self.far_frame);
        let done = STATES.try_with(|s| {
            let mut states = s.borrow_mut();
            let state = match states.entry(key) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => match SpeexState::new(config) {
                    Some(st) => v.insert(st),
                    None => return false,
                },
            };
            state.echo.echo_cancellation(frame, far, &mut state.out);
            if let Some(pre) = state.denoise.as_mut() {
                pre.preprocess_run(&mut state.out);
            }
            frame.copy_from_slice(&state.out);
            true
        });
        if done != Ok(true) {
            self.failed = true;
        }
    }

    fn reset(&mut self) {
        self.far.clear();
        // A new key: the next capture starts from a fresh state.
        self.let_go();
        self.failed = false;
    }

    fn stats(&self) -> EchoStats {
        self.stats
    }
}

impl Drop for SpeexEchoCanceller {
    fn drop(&mut self) {
        self.let_go();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> EchoConfig {
        EchoConfig {
            clock_rate: 8_000,
            channels: 1,
            samples_per_frame: 80,
            tail_ms: 50,
            options: PJMEDIA_ECHO_USE_NOISE_SUPPRESSOR,
        }
    }

    fn states_here() -> usize {
        STATES.with(|s| s.borrow().len())
    }

    // Threads here are what is tested: the canceller used across them.
    #[allow(clippy::disallowed_methods)]
    #[test]
    fn the_state_lives_on_the_capturing_thread_and_is_freed_there() {
        let mut ec = SpeexEchoCanceller::new(&config()).expect("a valid config");
        // Made here, used on another thread, dropped on a third.
        let before = states_here();
        let ec = std::thread::spawn(move || {
            let mut frame = vec![100i16; 80];
            ec.playback(&frame);
            ec.capture(&mut frame);
            assert_eq!(STATES.with(|s| s.borrow().len()), 1);
            ec
        })
        .join()
        .expect("the capturing thread ends normally");
        assert_eq!(states_here(), before);
        assert!(!ec.failed());
        assert_eq!(ec.stats().captured, 1);
        drop(ec);
        // Used here then dropped here: nothing stays behind.
        let mut ec = SpeexEchoCanceller::new(&config()).expect("a valid config");
        let mut frame = vec![0i16; 80];
        ec.capture(&mut frame);
        assert_eq!(states_here(), before + 1);
        ec.reset();
        assert_eq!(states_here(), before);
        ec.capture(&mut frame);
        assert_eq!(states_here(), before + 1);
        drop(ec);
        assert_eq!(states_here(), before);
    }

    // Threads here are what is tested: the canceller dropped on another.
    #[allow(clippy::disallowed_methods)]
    #[test]
    fn an_orphan_is_freed_by_its_thread() {
        let mut ec = SpeexEchoCanceller::new(&config()).expect("a valid config");
        let mut frame = vec![0i16; 80];
        ec.capture(&mut frame);
        let before = states_here();
        // Dropped on another thread: orphaned, freed here at the next use.
        std::thread::spawn(move || drop(ec))
            .join()
            .expect("the dropping thread ends normally");
        assert_eq!(states_here(), before);
        let mut other = SpeexEchoCanceller::new(&config()).expect("a valid config");
        other.capture(&mut frame);
        assert_eq!(states_here(), before);
    }

    #[test]
    fn wrong_frame_sizes_are_ignored_and_counters_move() {
        let mut ec = SpeexEchoCanceller::new(&config()).expect("a valid config");
        let mut short = vec![5i16; 10];
        ec.capture(&mut short);
        ec.playback(&short);
        assert_eq!(short, vec![5; 10]);
        assert_eq!(ec.stats(), EchoStats::default());
        let mut frame = vec![0i16; 80];
        ec.capture(&mut frame);
        for _ in 0..(MAX_FAR_FRAMES + 2) {
            ec.playback(&frame);
        }
        let s = ec.stats();
        assert_eq!((s.far_underflows, s.far_overflows), (1, 2));
    }
}
