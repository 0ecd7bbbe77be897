//! Session timers (RFC 4028): a call is kept alive by refreshes (re-INVITE)
//! every half interval from the side named refresher; the other side ends
//! it with BYE when no refresh came in time.

use std::time::{Duration, Instant};

use sip::Message;
use sip::header::HeaderName;

/// Whether an account's calls use session timers (PJSUA2's
/// `AccountCallConfig.timerUse`, `pjsua_sip_timer_use`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimerUse {
    /// Never (`PJSUA_SIP_TIMER_INACTIVE`).
    Inactive,
    /// When the peer supports them (`PJSUA_SIP_TIMER_OPTIONAL`, the
    /// default).
    #[default]
    Optional,
    /// Required of the peer: `Require: timer` (`PJSUA_SIP_TIMER_REQUIRED`).
    Required,
    /// Always, refreshing ourselves if the peer does not
    /// (`PJSUA_SIP_TIMER_ALWAYS`).
    Always,
}

/// An account's session timer settings (PJSUA2's `timerUse`,
/// `timerSessExpiresSec`, `timerMinSESec`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimerSettings {
    /// Whether timers are used.
    pub timer_use: TimerUse,
    /// The session interval asked for, seconds (default 1800).
    pub session_expires: u32,
    /// The least interval accepted, seconds (default 90; RFC 4028's floor).
    pub min_se: u32,
}

impl Default for SessionTimerSettings {
    fn default() -> Self {
        Self {
            timer_use: TimerUse::Optional,
            session_expires: 1800,
            min_se: 90,
        }
    }
}

/// RFC 4028's floor for Min-SE.
pub(crate) const MIN_SE_FLOOR: u32 = 90;

/// A Session-Expires value: the interval and who refreshes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionExpires {
    pub(crate) interval: u32,
    /// `Some(true)`: `refresher=uac`, `Some(false)`: `uas`.
    pub(crate) refresher_uac: Option<bool>,
}

/// Reads Session-Expires (`x` in compact form) of a message.
pub(crate) fn session_expires(message: &Message) -> Option<SessionExpires> {
    let value = message.raw_value(HeaderName::SessionExpires)?;
    let mut parts = value.split(';');
    let interval: u32 = parts.next()?.trim().parse().ok()?;
    let mut refresher_uac = None;
    for p in parts {
        if let Some((name, v)) = p.split_once('=') {
            if name.trim().eq_ignore_ascii_case("refresher") {
                refresher_uac = match v.trim().to_ascii_lowercase().as_str() {
                    "uac" => Some(true),
                    "uas" => Some(false),
                    _ => None,
                };
            }
        }
    }
    (interval > 0).then_some(SessionExpires {
        interval,
        refresher_uac,
    })
}

/// Reads Min-SE.
pub(crate) fn min_se(message: &Message) -> Option<u32> {
    message
        .raw_value(HeaderName::MinSe)?
        .split(';')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// Whether an option tag is in a message's Supported (or Require).
pub(crate) fn has_option(message: &Message, tag: &str) -> bool {
    [HeaderName::Supported, HeaderName::Require]
        .into_iter()
        .flat_map(|name| message.raw_values(name).collect::<Vec<_>>())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(tag))
}

/// The running session timer of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionTimer {
    /// The interval agreed, seconds.
    pub(crate) interval: u32,
    /// Whether we send the refreshes.
    pub(crate) we_refresh: bool,
    /// When to refresh (we refresh) or to give up (the peer does).
    pub(crate) deadline: Instant,
}

impl SessionTimer {
    /// A timer for `interval` seconds, starting `now`.
    pub(crate) fn start(now: Instant, interval: u32, we_refresh: bool) -> Self {
        let secs = u64::from(interval.max(1));
        let after = if we_refresh {
            // RFC 4028 §10: refresh at half the interval.
            Duration::from_secs(secs) / 2
        } else {
            // RFC 4028 §10: BYE when nothing came by the interval minus
            // the lesser of 32 s and a third of it.
            Duration::from_secs(secs) - Duration::from_secs(32.min(secs / 3))
        };
        Self {
            interval,
            we_refresh,
            deadline: now + after,
        }
    }

    /// The Session-Expires header value for our requests and responses,
    /// given whether the message is sent as UAC of its transaction.
    pub(crate) fn header(&self, as_uac: bool) -> String {
        let refresher = if self.we_refresh == as_uac {
            "uac"
        } else {
            "uas"
        };
        format!("{};refresher={refresher}", self.interval)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(extra: &str) -> Message {
        let text = format!(
            "INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n{extra}Content-Length: 0\r\n\r\n"
        );
        match Message::parse(text.as_bytes()) {
            Ok(m) => m,
            Err(e) => panic!("{e}: {text}"),
        }
    }

    #[test]
    fn headers_are_read() {
        let m = msg(
            "Session-Expires: 1800;refresher=uas\r\nMin-SE: 120\r\nSupported: replaces, timer\r\n",
        );
        assert_eq!(
            session_expires(&m),
            Some(SessionExpires {
                interval: 1800,
                refresher_uac: Some(false)
            })
        );
        assert_eq!(min_se(&m), Some(120));
        assert!(has_option(&m, "timer"));
        assert!(!has_option(&m, "100rel"));
        let compact = msg("x: 90\r\n");
        assert_eq!(session_expires(&compact).map(|s| s.interval), Some(90));
        // A malformed Session-Expires does not even parse: the stack
        // answers such a request 400 before a call sees it.
        assert!(
            Message::parse(b"INVITE sip:b@h SIP/2.0\r\nSession-Expires: soon\r\n\r\n").is_err()
        );
    }

    #[test]
    #[allow(clippy::disallowed_methods)]
    fn deadlines_follow_rfc_4028() {
        let t0 = Instant::now();
        let ours = SessionTimer::start(t0, 1800, true);
        assert_eq!(ours.deadline - t0, Duration::from_secs(900));
        let theirs = SessionTimer::start(t0, 1800, false);
        assert_eq!(theirs.deadline - t0, Duration::from_secs(1768));
        let short = SessionTimer::start(t0, 90, false);
        assert_eq!(short.deadline - t0, Duration::from_secs(60));
        assert_eq!(ours.header(true), "1800;refresher=uac");
        assert_eq!(ours.header(false), "1800;refresher=uas");
    }
}
