//! The public error: what PJSUA2's `pj::Error` carries — the operation that
//! failed (`title`), a numeric status, a reason, and where it was raised.
//!
//! Status numbers are PJSIP's own (`pj_status_t`), so that an application
//! ported from PJSUA2 that compares `status` against PJSIP's constants keeps
//! working; [`status`] names the ones ferrosip raises. A SIP final response
//! used as a status is `170000 + code` ([`status::from_sip_code`]), as in
//! PJSIP's `PJSIP_ERRNO_FROM_SIP_STATUS`.

use std::fmt;
use std::panic::Location;

/// PJSIP status numbers (`pj_status_t`) that ferrosip raises.
pub mod status {
    /// Success.
    pub const PJ_SUCCESS: i32 = 0;
    /// Unknown error.
    pub const PJ_EUNKNOWN: i32 = 70001;
    /// The operation is pending and completes later.
    pub const PJ_EPENDING: i32 = 70002;
    /// Invalid value or argument.
    pub const PJ_EINVAL: i32 = 70004;
    /// Not found.
    pub const PJ_ENOTFOUND: i32 = 70006;
    /// Operation timed out.
    pub const PJ_ETIMEDOUT: i32 = 70009;
    /// Too many objects.
    pub const PJ_ETOOMANY: i32 = 70010;
    /// Object is busy.
    pub const PJ_EBUSY: i32 = 70011;
    /// Option or operation is not supported.
    pub const PJ_ENOTSUP: i32 = 70012;
    /// Invalid operation (for instance, in the library's current state).
    pub const PJ_EINVALIDOP: i32 = 70013;
    /// Operation cancelled.
    pub const PJ_ECANCELLED: i32 = 70014;
    /// Object already exists.
    pub const PJ_EEXISTS: i32 = 70015;
    /// Host name resolution failed.
    pub const PJ_ERESOLVE: i32 = 70018;
    /// Object is gone (destroyed, or its handle is stale).
    pub const PJ_EGONE: i32 = 70023;
    /// Base of operating-system error numbers (`PJ_ERRNO_START_SYS`):
    /// `errno` N is reported as `120000 + N`.
    pub const PJ_ERRNO_START_SYS: i32 = 120_000;
    /// The SIP stack is shutting down.
    pub const PJSIP_ESHUTDOWN: i32 = 171_003;
    /// Invalid message or syntax error.
    pub const PJSIP_EINVALIDMSG: i32 = 171_020;
    /// Invalid URI.
    pub const PJSIP_EINVALIDURI: i32 = 171_039;
    /// Invalid URI scheme.
    pub const PJSIP_EINVALIDSCHEME: i32 = 171_040;
    /// Unsupported transport.
    pub const PJSIP_EUNSUPTRANSPORT: i32 = 171_060;
    /// Transport not available for use.
    pub const PJSIP_ETPNOTAVAIL: i32 = 171_065;
    /// The credential failed to authenticate.
    pub const PJSIP_EFAILEDCREDENTIAL: i32 = 171_100;
    /// No suitable credential for the challenge.
    pub const PJSIP_ENOCREDENTIAL: i32 = 171_101;
    /// Invalid or unsupported digest algorithm.
    pub const PJSIP_EINVALIDALGORITHM: i32 = 171_102;
    /// Invalid or unsupported digest qop.
    pub const PJSIP_EINVALIDQOP: i32 = 171_103;
    /// Unsupported authentication scheme.
    pub const PJSIP_EINVALIDAUTHSCHEME: i32 = 171_104;
    /// Maximum number of stale retries exceeded.
    pub const PJSIP_EAUTHSTALECOUNT: i32 = 171_111;
    /// JSON parsing or reading failed (`PJLIB_UTIL_EINJSON`).
    pub const PJLIB_UTIL_EINJSON: i32 = 320_030;
    /// Not a valid WAVE file (`PJMEDIA_ENOTVALIDWAVE`).
    pub const PJMEDIA_ENOTVALIDWAVE: i32 = 220_180;
    /// Unsupported WAVE file format (`PJMEDIA_EWAVEUNSUPP`).
    pub const PJMEDIA_EWAVEUNSUPP: i32 = 220_181;
    /// Invalid DTMF digit (`PJMEDIA_RTP_EINDTMF`).
    pub const PJMEDIA_RTP_EINDTMF: i32 = 220_106;
    /// Unspecified audio device error (`PJMEDIA_EAUD_ERR`).
    pub const PJMEDIA_EAUD_ERR: i32 = 420_001;
    /// Unknown error from the audio driver (`PJMEDIA_EAUD_SYSERR`).
    pub const PJMEDIA_EAUD_SYSERR: i32 = 420_002;
    /// Audio subsystem not initialised (`PJMEDIA_EAUD_INIT`).
    pub const PJMEDIA_EAUD_INIT: i32 = 420_003;
    /// Invalid audio device (`PJMEDIA_EAUD_INVDEV`).
    pub const PJMEDIA_EAUD_INVDEV: i32 = 420_004;
    /// No audio device found (`PJMEDIA_EAUD_NODEV`).
    pub const PJMEDIA_EAUD_NODEV: i32 = 420_005;
    /// Unable to find the default audio device (`PJMEDIA_EAUD_NODEFDEV`).
    pub const PJMEDIA_EAUD_NODEFDEV: i32 = 420_006;
    /// Audio device not ready (`PJMEDIA_EAUD_NOTREADY`).
    pub const PJMEDIA_EAUD_NOTREADY: i32 = 420_007;
    /// Invalid or unsupported audio capability (`PJMEDIA_EAUD_INVCAP`).
    pub const PJMEDIA_EAUD_INVCAP: i32 = 420_008;
    /// Invalid or unsupported audio device operation (`PJMEDIA_EAUD_INVOP`).
    pub const PJMEDIA_EAUD_INVOP: i32 = 420_009;
    /// Bad or invalid audio device format (`PJMEDIA_EAUD_BADFORMAT`).
    pub const PJMEDIA_EAUD_BADFORMAT: i32 = 420_010;
    /// Invalid audio device sample format (`PJMEDIA_EAUD_SAMPFORMAT`).
    pub const PJMEDIA_EAUD_SAMPFORMAT: i32 = 420_011;
    /// Bad audio latency setting (`PJMEDIA_EAUD_BADLATENCY`).
    pub const PJMEDIA_EAUD_BADLATENCY: i32 = 420_012;
    /// Base of SIP status codes used as statuses (`PJSIP_ERRNO_START_PJSIP`).
    pub const PJSIP_ERRNO_START_SIP_STATUS: i32 = 170_000;

    /// The status PJSIP reports for a SIP final response `code`
    /// (`PJSIP_ERRNO_FROM_SIP_STATUS`): `170000 + code`.
    pub const fn from_sip_code(code: u16) -> i32 {
        PJSIP_ERRNO_START_SIP_STATUS + code as i32
    }

    /// The SIP code inside a status made by [`from_sip_code`], if it is one.
    pub const fn sip_code(status: i32) -> Option<u16> {
        if status >= PJSIP_ERRNO_START_SIP_STATUS + 100
            && status < PJSIP_ERRNO_START_SIP_STATUS + 700
        {
            Some((status - PJSIP_ERRNO_START_SIP_STATUS) as u16)
        } else {
            None
        }
    }
}

/// The text of a status number (PJSUA2's `utilStrError`).
pub fn describe(code: i32) -> String {
    use status::*;
    let text = match code {
        PJ_SUCCESS => "Success",
        PJ_EUNKNOWN => "Unknown Error (PJ_EUNKNOWN)",
        PJ_EPENDING => "Pending operation (PJ_EPENDING)",
        PJ_EINVAL => "Invalid value or argument (PJ_EINVAL)",
        PJ_ENOTFOUND => "Not found (PJ_ENOTFOUND)",
        PJ_ETIMEDOUT => "Operation timed out (PJ_ETIMEDOUT)",
        PJ_ETOOMANY => "Too many objects of the specified type (PJ_ETOOMANY)",
        PJ_EBUSY => "Object is busy (PJ_EBUSY)",
        PJ_ENOTSUP => "Option/operation is not supported (PJ_ENOTSUP)",
        PJ_EINVALIDOP => "Invalid operation (PJ_EINVALIDOP)",
        PJ_ECANCELLED => "Operation cancelled (PJ_ECANCELLED)",
        PJ_EEXISTS => "Object already exists (PJ_EEXISTS)",
        PJ_ERESOLVE => "gethostbyname() has returned error (PJ_ERESOLVE)",
        PJ_EGONE => "Object has been destroyed (PJ_EGONE)",
        PJSIP_ESHUTDOWN => "SIP stack shutting down (PJSIP_ESHUTDOWN)",
        PJSIP_EINVALIDMSG => "Invalid message/syntax error (PJSIP_EINVALIDMSG)",
        PJSIP_EINVALIDURI => "Invalid URI (PJSIP_EINVALIDURI)",
        PJSIP_EINVALIDSCHEME => "Invalid URI scheme (PJSIP_EINVALIDSCHEME)",
        PJSIP_EUNSUPTRANSPORT => "Unsupported transport (PJSIP_EUNSUPTRANSPORT)",
        PJSIP_ETPNOTAVAIL => "Transport not available for use (PJSIP_ETPNOTAVAIL)",
        PJSIP_EFAILEDCREDENTIAL => "Credential failed to authenticate (PJSIP_EFAILEDCREDENTIAL)",
        PJSIP_ENOCREDENTIAL => "No suitable credential (PJSIP_ENOCREDENTIAL)",
        PJSIP_EINVALIDALGORITHM => "Invalid/unsupported digest algorithm (PJSIP_EINVALIDALGORITHM)",
        PJSIP_EINVALIDQOP => "Invalid/unsupported digest qop (PJSIP_EINVALIDQOP)",
        PJSIP_EINVALIDAUTHSCHEME => "Unsupported authentication scheme (PJSIP_EINVALIDAUTHSCHEME)",
        PJSIP_EAUTHSTALECOUNT => "Maximum number of stale retries exceeded (PJSIP_EAUTHSTALECOUNT)",
        PJLIB_UTIL_EINJSON => "Invalid JSON document (PJLIB_UTIL_EINJSON)",
        PJMEDIA_ENOTVALIDWAVE => "Not a valid WAVE file (PJMEDIA_ENOTVALIDWAVE)",
        PJMEDIA_EWAVEUNSUPP => "Unsupported WAVE file format (PJMEDIA_EWAVEUNSUPP)",
        PJMEDIA_RTP_EINDTMF => "Invalid DTMF digit (PJMEDIA_RTP_EINDTMF)",
        PJMEDIA_EAUD_ERR => "Unspecified audio device error (PJMEDIA_EAUD_ERR)",
        PJMEDIA_EAUD_SYSERR => "Unknown error from audio driver (PJMEDIA_EAUD_SYSERR)",
        PJMEDIA_EAUD_INIT => "Audio subsystem not initialized (PJMEDIA_EAUD_INIT)",
        PJMEDIA_EAUD_INVDEV => "Invalid audio device (PJMEDIA_EAUD_INVDEV)",
        PJMEDIA_EAUD_NODEV => "Found no audio devices (PJMEDIA_EAUD_NODEV)",
        PJMEDIA_EAUD_NODEFDEV => "Unable to find default audio device (PJMEDIA_EAUD_NODEFDEV)",
        PJMEDIA_EAUD_NOTREADY => "Audio device not ready (PJMEDIA_EAUD_NOTREADY)",
        PJMEDIA_EAUD_INVCAP => "Invalid or unsupported audio capability (PJMEDIA_EAUD_INVCAP)",
        PJMEDIA_EAUD_INVOP => "Invalid or unsupported audio device operation (PJMEDIA_EAUD_INVOP)",
        PJMEDIA_EAUD_BADFORMAT => "Bad or invalid audio device format (PJMEDIA_EAUD_BADFORMAT)",
        PJMEDIA_EAUD_SAMPFORMAT => "Invalid audio device sample format (PJMEDIA_EAUD_SAMPFORMAT)",
        PJMEDIA_EAUD_BADLATENCY => "Bad audio latency setting (PJMEDIA_EAUD_BADLATENCY)",
        other => {
            if let Some(code) = sip_code(other) {
                return format!("SIP status {code}");
            }
            if other > PJ_ERRNO_START_SYS && other < PJ_ERRNO_START_SYS + 50_000 {
                return std::io::Error::from_raw_os_error(other - PJ_ERRNO_START_SYS).to_string();
            }
            return format!("Unknown error {other}");
        }
    };
    text.to_owned()
}

/// An error from a ferrosip operation, with PJSUA2's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The status number (PJSIP's numbering; see [`status`]).
    pub status: i32,
    /// The operation that failed, e.g. `"Endpoint::libCreate()"`.
    pub title: String,
    /// Why it failed, in words.
    pub reason: String,
    /// The source file that raised it.
    pub src_file: &'static str,
    /// The line in [`Error::src_file`].
    pub src_line: u32,
}

/// The result of a ferrosip operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error raised here (the caller's file and line are recorded).
    #[track_caller]
    pub fn new(status: i32, title: impl Into<String>, reason: impl Into<String>) -> Self {
        let location = Location::caller();
        Self {
            status,
            title: title.into(),
            reason: reason.into(),
            src_file: location.file(),
            src_line: location.line(),
        }
    }

    /// The same error, reported as raised by `title`.
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// PJSUA2's `Error::info`: one line
    /// (`title error: reason (status=N) [file:line]`), or, with `multi_line`,
    /// four labelled lines.
    pub fn info(&self, multi_line: bool) -> String {
        if multi_line {
            format!(
                "Title:       {}\nCode:        {}\nDescription: {}\nLocation:    {}:{}",
                self.title, self.status, self.reason, self.src_file, self.src_line
            )
        } else {
            let mut out = self.title.clone();
            if !self.reason.is_empty() {
                out.push_str(" error: ");
                out.push_str(&self.reason);
            }
            out.push_str(&format!(
                " (status={}) [{}:{}]",
                self.status, self.src_file, self.src_line
            ));
            out
        }
    }

    /// An operating-system I/O error, with its `errno` mapped as PJSIP does.
    #[track_caller]
    pub fn io(title: impl Into<String>, err: &std::io::Error) -> Self {
        let status = err
            .raw_os_error()
            .map_or(status::PJ_EUNKNOWN, |n| status::PJ_ERRNO_START_SYS + n);
        Self::new(status, title, err.to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.info(false))
    }
}

impl std::error::Error for Error {}

/// Errors of the crates below, as public errors. The title is left empty:
/// the operation that met the error sets it with [`Error::titled`].
mod from_crates {
    use super::{Error, status};

    impl From<sip::ParseError> for Error {
        #[track_caller]
        fn from(e: sip::ParseError) -> Self {
            Self::new(status::PJSIP_EINVALIDMSG, "", e.to_string())
        }
    }

    impl From<sip::SyntaxError> for Error {
        #[track_caller]
        fn from(e: sip::SyntaxError) -> Self {
            Self::new(status::PJSIP_EINVALIDURI, "", e.to_string())
        }
    }

    impl From<sip_core::auth::AuthError> for Error {
        #[track_caller]
        fn from(e: sip_core::auth::AuthError) -> Self {
            Self::new(e.pjsip_status(), "", e.to_string())
        }
    }

    impl From<sip_core::stack::SendError> for Error {
        #[track_caller]
        fn from(e: sip_core::stack::SendError) -> Self {
            let code = match e {
                sip_core::stack::SendError::NoTransport(..) => status::PJSIP_ETPNOTAVAIL,
                _ => status::PJ_EINVALIDOP,
            };
            Self::new(code, "", e.to_string())
        }
    }

    impl From<ua::registration::RegistrationError> for Error {
        #[track_caller]
        fn from(e: ua::registration::RegistrationError) -> Self {
            use ua::registration::RegistrationError as R;
            let code = match &e {
                R::Auth(a) => a.pjsip_status(),
                R::Timeout => status::from_sip_code(408),
                R::Transport => status::PJSIP_ETPNOTAVAIL,
                R::Build(_) => status::PJ_EINVAL,
            };
            Self::new(code, "", e.to_string())
        }
    }

    impl From<ua::AccountError> for Error {
        #[track_caller]
        fn from(e: ua::AccountError) -> Self {
            let code = match &e {
                ua::AccountError::NotFound => status::PJ_EGONE,
                ua::AccountError::Invalid(_) => status::PJ_EINVAL,
                ua::AccountError::NoTransport => status::PJSIP_ETPNOTAVAIL,
            };
            Self::new(code, "", e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_has_pjsua2_shapes() {
        let e = Error::new(
            status::PJ_EEXISTS,
            "Endpoint::libCreate()",
            "Object already exists",
        );
        let one = e.info(false);
        assert!(
            one.starts_with("Endpoint::libCreate() error: Object already exists (status=70015) [")
        );
        assert!(one.ends_with(&format!("error.rs:{}]", e.src_line)));
        let multi = e.info(true);
        assert_eq!(multi.lines().count(), 4);
        assert!(multi.contains("Code:        70015"));
        assert_eq!(e.to_string(), one);
    }

    #[test]
    fn lower_errors_keep_their_pjsip_status() {
        let e: Error = sip::Message::parse(b"garbage").unwrap_err().into();
        assert_eq!(e.status, status::PJSIP_EINVALIDMSG);
        let e = Error::from(ua::AccountError::NotFound).titled("Account::getInfo()");
        assert_eq!(
            (e.status, e.title.as_str()),
            (status::PJ_EGONE, "Account::getInfo()")
        );
        let auth = sip_core::auth::AuthError::Rejected { realm: "r".into() };
        assert_eq!(Error::from(auth).status, status::PJSIP_EFAILEDCREDENTIAL);
        assert!(describe(status::PJ_EINVAL).contains("PJ_EINVAL"));
        assert_eq!(describe(status::from_sip_code(404)), "SIP status 404");
    }

    #[test]
    fn sip_codes_map_both_ways() {
        assert_eq!(status::from_sip_code(401), 170_401);
        assert_eq!(status::sip_code(170_401), Some(401));
        assert_eq!(status::sip_code(status::PJ_EINVAL), None);
    }
}
