//! [`OptionsError`]: what was wrong with the options, naming the option.

use std::fmt;
use std::path::PathBuf;

/// A bad command line, configuration file or JSON config. Each message
/// names the option and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionsError {
    /// An option no one knows (`suggestion`: the closest supported one).
    Unknown {
        /// The argument as given.
        arg: String,
        /// A supported option with a similar name.
        suggestion: Option<&'static str>,
    },
    /// A prefix of several options' names.
    Ambiguous {
        /// The argument as given.
        arg: String,
        /// The options it could stand for.
        candidates: Vec<&'static str>,
    },
    /// One of pjsua's options for a feature ferrosip does not have yet.
    NotSupported {
        /// The option's name.
        option: &'static str,
        /// The feature.
        feature: &'static str,
    },
    /// An option that takes a value was given none.
    MissingValue {
        /// The option's name.
        option: &'static str,
    },
    /// A flag was given a value (`--no-tcp=1`).
    UnexpectedValue {
        /// The option's name.
        option: &'static str,
        /// The value.
        value: String,
    },
    /// A value is not what the option takes (not a number, out of range,
    /// not a SIP URL, ...).
    BadValue {
        /// The option's name.
        option: &'static str,
        /// The value.
        value: String,
        /// What the option expects.
        expected: String,
    },
    /// Options that contradict each other.
    Conflict(String),
    /// A second positional argument (only one SIP URL can be called).
    ExtraArgument {
        /// The argument.
        arg: String,
        /// The SIP URL already given.
        url: String,
    },
    /// A configuration file that cannot be read.
    Io {
        /// The option (`config-file` or `json-config`).
        option: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A configuration file that cannot be saved.
    Save {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Configuration files nested too deep (or including themselves).
    TooDeep {
        /// The file that would have been read.
        path: PathBuf,
    },
    /// Too many arguments (with configuration files included).
    TooManyArguments,
    /// A JSON config that could not be loaded or saved.
    Json {
        /// The file (empty when saving to a string).
        path: PathBuf,
        /// ferrosip's error.
        reason: String,
    },
    /// An account option without the account's `--id`.
    AccountWithoutId {
        /// The account's number, from 1.
        account: usize,
        /// One of the options given for it.
        option: &'static str,
    },
    /// `--help` or `--version` where only options were expected.
    HelpRequested,
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown { arg, suggestion } => {
                write!(f, "unknown option {arg}")?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean --{s}?)")?;
                }
                write!(f, "; see --help")
            }
            Self::Ambiguous { arg, candidates } => write!(
                f,
                "option {arg} is ambiguous: it could be --{}",
                candidates.join(", --")
            ),
            Self::NotSupported { option, feature } => write!(
                f,
                "option --{option} is not supported yet ({feature} is not in ferrosip yet)"
            ),
            Self::MissingValue { option } => write!(f, "option --{option} needs a value"),
            Self::UnexpectedValue { option, value } => {
                write!(f, "option --{option} takes no value (got {value:?})")
            }
            Self::BadValue {
                option,
                value,
                expected,
            } => write!(
                f,
                "invalid value {value:?} for --{option}: expecting {expected}"
            ),
            Self::Conflict(why) => write!(f, "{why}"),
            Self::ExtraArgument { arg, url } => write!(
                f,
                "unexpected argument {arg:?}: only one SIP URL to call can be given (already {url:?})"
            ),
            Self::Io {
                option,
                path,
                reason,
            } => write!(f, "--{option}: cannot read {}: {reason}", path.display()),
            Self::Save { path, reason } => {
                write!(
                    f,
                    "cannot save the settings to {}: {reason}",
                    path.display()
                )
            }
            Self::TooDeep { path } => write!(
                f,
                "--config-file {}: configuration files nested too deep (does one include itself?)",
                path.display()
            ),
            Self::TooManyArguments => {
                write!(f, "too many arguments (with configuration files)")
            }
            Self::Json { path, reason } => {
                if path.as_os_str().is_empty() {
                    write!(f, "--json-config: {reason}")
                } else {
                    write!(f, "--json-config {}: {reason}", path.display())
                }
            }
            Self::AccountWithoutId { account, option } => write!(
                f,
                "account {account}: --{option} given but no --id (each --next-account needs its own --id)"
            ),
            Self::HelpRequested => write!(f, "--help or --version given"),
        }
    }
}

impl std::error::Error for OptionsError {}
