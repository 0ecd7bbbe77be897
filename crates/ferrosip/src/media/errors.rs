//! The media crate's errors as [`Error`]s with PJSIP's status numbers.

use media::bridge::BridgeError;
use media::codec::CodecError;
use media::tone::ToneError;
use media::wav::{PlayerError, RecorderError, WavError};

use crate::error::{Error, status};

fn wav_status(e: &WavError) -> i32 {
    match e {
        WavError::Io(io) => io.raw_os_error().map_or(status::PJ_EUNKNOWN, |n| {
            if n == 2 {
                // ENOENT: PJSUA2 reports a missing file as "Not found".
                status::PJ_ENOTFOUND
            } else {
                status::PJ_ERRNO_START_SYS + n
            }
        }),
        WavError::UnsupportedEncoding(_)
        | WavError::UnsupportedBits { .. }
        | WavError::BadChannels(_)
        | WavError::BadRate(_) => status::PJMEDIA_EWAVEUNSUPP,
        _ => status::PJMEDIA_ENOTVALIDWAVE,
    }
}

/// A player that cannot be made or moved.
pub(crate) fn player(title: &str, e: &PlayerError) -> Error {
    let code = match e {
        PlayerError::Open { source, .. } => wav_status(source),
        PlayerError::PositionOutOfRange { .. } | PlayerError::EmptyPlaylist => status::PJ_EINVAL,
        _ => status::PJ_EINVAL,
    };
    Error::new(code, title, e.to_string())
}

/// A recorder that cannot be made.
pub(crate) fn recorder(title: &str, e: &RecorderError) -> Error {
    let code = match e {
        RecorderError::File {
            source: hound::Error::IoError(io),
            ..
        } => io
            .raw_os_error()
            .map_or(status::PJ_EUNKNOWN, |n| status::PJ_ERRNO_START_SYS + n),
        _ => status::PJ_EINVAL,
    };
    Error::new(code, title, e.to_string())
}

/// A tone generator that refused.
pub(crate) fn tone(title: &str, e: &ToneError) -> Error {
    let code = match e {
        ToneError::UnknownDigit(_) => status::PJMEDIA_RTP_EINDTMF,
        ToneError::TooMany { .. } => status::PJ_ETOOMANY,
        _ => status::PJ_EINVAL,
    };
    Error::new(code, title, e.to_string())
}

/// A bridge operation that failed.
pub(crate) fn bridge(title: &str, e: &BridgeError) -> Error {
    let code = match e {
        BridgeError::NoSuchPort(_) => status::PJ_EINVAL,
        _ => status::PJ_EINVAL,
    };
    Error::new(code, title, e.to_string())
}

/// A codec operation that failed.
pub(crate) fn codec(title: &str, e: &CodecError) -> Error {
    let code = match e {
        CodecError::NotFound(_) => status::PJ_ENOTFOUND,
        CodecError::Ambiguous(_) => status::PJ_ETOOMANY,
        _ => status::PJ_EINVAL,
    };
    Error::new(code, title, e.to_string())
}
