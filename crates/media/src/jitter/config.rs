//! The jitter buffer's settings: PJSUA2's `MediaConfig.jb*` fields, in
//! milliseconds with −1 for the library default, resolved into frames.

use std::fmt;

/// Forward jump, in frames, beyond which a frame means the sender restarted
/// (60 s of 20 ms frames): the buffer starts over from it.
pub(crate) const MAX_DROPOUT: i64 = 3000;

/// Backward jump, in frames, beyond which a frame means the sender restarted
/// rather than arrived late.
pub(crate) const MAX_MISORDER: i64 = 100;

/// The default `jb_max`, in milliseconds (pjmedia's stream default).
pub const DEFAULT_MAX_MSEC: u32 = 500;

/// How the buffer drops frames to bring its delay back down
/// (`pjmedia_jb_discard_algo`; PJSUA2's `MediaConfig.jbDiscardAlgo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DiscardAlgorithm {
    /// Never drop a frame to shorten the delay; only a full buffer
    /// (`jb_max`) drops its oldest frames (`PJMEDIA_JB_DISCARD_NONE`, 0).
    None,
    /// Drop one frame per 200 ms while the buffer holds more than twice the
    /// burst level (`PJMEDIA_JB_DISCARD_STATIC`, 1).
    Static,
    /// Drop frames while the buffer holds more than the burst level, the
    /// faster the further above it: one frame per 2 s (small bursts) to 10 s
    /// (large bursts) divided by the excess, at most one per 200 ms
    /// (`PJMEDIA_JB_DISCARD_PROGRESSIVE`, 2; the default).
    #[default]
    Progressive,
}

impl DiscardAlgorithm {
    /// The algorithm with PJSUA2's number (0 none, 1 static, 2 progressive).
    pub const fn from_pj(value: i32) -> Option<Self> {
        match value {
            0 => Some(Self::None),
            1 => Some(Self::Static),
            2 => Some(Self::Progressive),
            _ => None,
        }
    }

    /// PJSUA2's number for the algorithm.
    pub const fn to_pj(self) -> i32 {
        match self {
            Self::None => 0,
            Self::Static => 1,
            Self::Progressive => 2,
        }
    }
}

/// How to build a [`super::JitterBuffer`]: the frame's shape, and PJSUA2's
/// `jb*` settings with their meaning and defaults.
///
/// The `jb_*` fields are milliseconds, as in PJSUA2's `MediaConfig`; a value
/// below one frame (−1 in particular) asks for the library default:
///
/// | field | default |
/// | --- | --- |
/// | `jb_init` | 0: no prefetch, and the prefetch never adapts |
/// | `jb_min_pre` | one frame |
/// | `jb_max_pre` | four fifths of `jb_max` |
/// | `jb_max` | 500 ms |
/// | `jb_discard_algo` | progressive |
///
/// A `jb_init` of one frame or more turns adaptive prefetch on: after the
/// buffer runs dry, and at the start of a talkspurt, it waits for `prefetch`
/// frames before playing again, and `prefetch` follows the burst level
/// between `jb_min_pre` and `jb_max_pre`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JitterConfig {
    /// Duration of one frame in milliseconds (the codec's frame time, not
    /// the packet time: a 40 ms packet of 20 ms G.729 frames has 20).
    pub frame_ptime_ms: u32,
    /// RTP timestamp units per frame (160 for 20 ms at 8 kHz; 960 for 20 ms
    /// of Opus, whose RTP clock is 48 kHz; 160 for 20 ms of G.722).
    pub frame_ts_span: u32,
    /// Largest payload of one frame, in bytes; longer ones are refused
    /// (and counted as discarded). Memory is reserved for `jb_max` frames of
    /// this size, lazily.
    pub max_frame_size: usize,
    /// Initial prefetch, ms (`MediaConfig.jbInit`); −1 for the default.
    pub jb_init: i32,
    /// Least prefetch, ms (`MediaConfig.jbMinPre`); −1 for the default.
    pub jb_min_pre: i32,
    /// Most prefetch, ms (`MediaConfig.jbMaxPre`); −1 for the default.
    pub jb_max_pre: i32,
    /// Most delay the buffer holds, ms (`MediaConfig.jbMax`); −1 for the
    /// default.
    pub jb_max: i32,
    /// How the buffer shortens its delay (`MediaConfig.jbDiscardAlgo`).
    pub jb_discard_algo: DiscardAlgorithm,
}

impl JitterConfig {
    /// Frames of `frame_ptime_ms` spanning `frame_ts_span` timestamp units,
    /// up to 1500 bytes each, with PJSUA2's default `jb*` settings.
    pub const fn new(frame_ptime_ms: u32, frame_ts_span: u32) -> Self {
        Self {
            frame_ptime_ms,
            frame_ts_span,
            max_frame_size: 1500,
            jb_init: -1,
            jb_min_pre: -1,
            jb_max_pre: -1,
            jb_max: -1,
            jb_discard_algo: DiscardAlgorithm::Progressive,
        }
    }

    /// Frames of `ptime_ms` at `clock_rate` (RTP timestamp units per
    /// second), with the default `jb*` settings.
    pub const fn for_clock(clock_rate: u32, ptime_ms: u32) -> Self {
        let span = clock_rate as u64 * ptime_ms as u64 / 1000;
        Self::new(
            ptime_ms,
            if span > u32::MAX as u64 {
                u32::MAX
            } else {
                span as u32
            },
        )
    }

    /// Resolves the defaults and checks the settings against each other.
    pub(crate) fn resolve(&self) -> Result<Resolved, ConfigError> {
        let ptime = self.frame_ptime_ms;
        if ptime == 0 {
            return Err(ConfigError::Zero("frame_ptime_ms"));
        }
        if self.frame_ts_span == 0 {
            return Err(ConfigError::Zero("frame_ts_span"));
        }
        if self.max_frame_size == 0 {
            return Err(ConfigError::Zero("max_frame_size"));
        }
        // A setting counts when it is at least one frame long.
        let given = |ms: i32| u32::try_from(ms).ok().filter(|&ms| ms >= ptime);
        let max_count = match given(self.jb_max) {
            Some(ms) => ms.div_ceil(ptime),
            None => (DEFAULT_MAX_MSEC / ptime).max(1),
        };
        let min_prefetch = given(self.jb_min_pre).map_or(1, |ms| ms / ptime);
        let max_prefetch =
            given(self.jb_max_pre).map_or((max_count * 4 / 5).max(1), |ms| ms / ptime);
        let init_prefetch = given(self.jb_init).map_or(0, |ms| ms / ptime);
        let check = |ok: bool, what: &'static str| if ok { Ok(()) } else { Err(what) };
        check(
            max_prefetch <= max_count,
            "jb_max_pre must not exceed jb_max",
        )
        .and_then(|()| {
            check(
                min_prefetch <= max_prefetch,
                "jb_min_pre must not exceed jb_max_pre",
            )
        })
        .and_then(|()| {
            check(
                init_prefetch <= max_prefetch,
                "jb_init must not exceed jb_max_pre",
            )
        })
        .map_err(|what| ConfigError::Inconsistent {
            what,
            min_prefetch,
            max_prefetch,
            init_prefetch,
            max_count,
        })?;
        Ok(Resolved {
            ptime,
            ts_span: self.frame_ts_span,
            max_frame_size: self.max_frame_size,
            max_count,
            min_prefetch,
            max_prefetch,
            init_prefetch,
            discard: self.jb_discard_algo,
        })
    }
}

impl Default for JitterConfig {
    /// 20 ms frames at 8 kHz (G.711), default settings.
    fn default() -> Self {
        Self::new(20, 160)
    }
}

/// The settings in frames, defaults applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) ptime: u32,
    pub(crate) ts_span: u32,
    pub(crate) max_frame_size: usize,
    pub(crate) max_count: u32,
    pub(crate) min_prefetch: u32,
    pub(crate) max_prefetch: u32,
    pub(crate) init_prefetch: u32,
    pub(crate) discard: DiscardAlgorithm,
}

/// Settings a jitter buffer cannot be built with: a misuse of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A field that must be positive is zero.
    Zero(&'static str),
    /// The prefetch bounds contradict each other or the buffer's size
    /// (values in frames, defaults applied).
    Inconsistent {
        /// Which rule is broken.
        what: &'static str,
        /// `jb_min_pre` in frames.
        min_prefetch: u32,
        /// `jb_max_pre` in frames.
        max_prefetch: u32,
        /// `jb_init` in frames.
        init_prefetch: u32,
        /// `jb_max` in frames.
        max_count: u32,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Zero(field) => write!(f, "jitter buffer: {field} must be positive"),
            Self::Inconsistent {
                what,
                min_prefetch,
                max_prefetch,
                init_prefetch,
                max_count,
            } => write!(
                f,
                "jitter buffer: {what} (in frames: jb_init {init_prefetch}, jb_min_pre \
                 {min_prefetch}, jb_max_pre {max_prefetch}, jb_max {max_count})"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_pjsua2s() {
        let r = JitterConfig::default().resolve().unwrap();
        assert_eq!(
            (r.max_count, r.min_prefetch, r.max_prefetch, r.init_prefetch),
            (25, 1, 20, 0)
        );
        assert_eq!(r.discard, DiscardAlgorithm::Progressive);
        let r = JitterConfig::for_clock(48_000, 10).resolve().unwrap();
        assert_eq!((r.ts_span, r.max_count, r.max_prefetch), (480, 50, 40));
        assert_eq!(JitterConfig::for_clock(44_100, 20).frame_ts_span, 882);
    }

    #[test]
    fn milliseconds_become_frames() {
        let cfg = JitterConfig {
            jb_init: 100,
            jb_min_pre: 45, // rounds down
            jb_max_pre: 200,
            jb_max: 310, // rounds up
            ..JitterConfig::default()
        };
        let r = cfg.resolve().unwrap();
        assert_eq!(
            (r.init_prefetch, r.min_prefetch, r.max_prefetch, r.max_count),
            (5, 2, 10, 16)
        );
        // Below one frame is "default", as in pjmedia.
        let small = JitterConfig {
            jb_max: 19,
            jb_init: 10,
            ..JitterConfig::default()
        };
        assert_eq!(small.resolve().unwrap().max_count, 25);
        assert_eq!(small.resolve().unwrap().init_prefetch, 0);
        // A tiny buffer still has a prefetch range.
        let tiny = JitterConfig {
            jb_max: 20,
            ..JitterConfig::default()
        };
        let r = tiny.resolve().unwrap();
        assert_eq!((r.max_count, r.min_prefetch, r.max_prefetch), (1, 1, 1));
    }

    #[test]
    fn contradictions_are_errors() {
        let bad = JitterConfig {
            jb_max_pre: 600,
            ..JitterConfig::default()
        };
        let err = bad.resolve().unwrap_err();
        assert!(
            err.to_string()
                .contains("jb_max_pre must not exceed jb_max"),
            "{err}"
        );
        let bad = JitterConfig {
            jb_init: 300,
            jb_max_pre: 200,
            ..JitterConfig::default()
        };
        assert!(bad.resolve().unwrap_err().to_string().contains("jb_init"));
        let bad = JitterConfig {
            jb_min_pre: 300,
            jb_max_pre: 200,
            ..JitterConfig::default()
        };
        assert!(
            bad.resolve()
                .unwrap_err()
                .to_string()
                .contains("jb_min_pre")
        );
        assert_eq!(
            JitterConfig::new(0, 160).resolve(),
            Err(ConfigError::Zero("frame_ptime_ms"))
        );
        assert_eq!(
            JitterConfig::new(20, 0).resolve(),
            Err(ConfigError::Zero("frame_ts_span"))
        );
    }

    #[test]
    fn algorithm_numbers_are_pjsua2s() {
        for algo in [
            DiscardAlgorithm::None,
            DiscardAlgorithm::Static,
            DiscardAlgorithm::Progressive,
        ] {
            assert_eq!(DiscardAlgorithm::from_pj(algo.to_pj()), Some(algo));
        }
        assert_eq!(DiscardAlgorithm::from_pj(3), None);
        assert_eq!(DiscardAlgorithm::default().to_pj(), 2);
    }
}
