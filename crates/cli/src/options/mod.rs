//! pjsua's command-line options: `ferrosip [options] [sip-url]`.
//!
//! [`Options::parse`] reads the arguments as PJSIP's `pjsua` reads them:
//! long options only, `--opt=value` or `--opt value`, a unique prefix of
//! an option's name standing for it (`--auto-ans 200`, as getopt allows),
//! and at most one positional argument, the SIP URL to call at once.
//! `--config-file FILE` inserts the options of a pjsua configuration file
//! (whitespace-separated, quotes for values with spaces, `#` comments) in
//! place, so that later options override; `--json-config FILE` loads a
//! PJSUA2 JSON document (an `EpConfig`, SIP transports and accounts).
//!
//! Every option keeps pjsua's name, meaning and default; [`help`] lists
//! them. pjsua's options for features ferrosip does not have yet (NAT
//! traversal, TLS, SRTP, video, ...) are refused with an
//! [`OptionsError::NotSupported`], never ignored.
//!
//! [`Options::to_app_config`] turns the options into ferrosip's configs
//! ([`AppConfig`]: an `EpConfig`, the SIP transports, the accounts, the
//! buddies and the application's media and call behaviour);
//! [`Options::to_config_file`] writes them back in pjsua's format (what
//! pjsua's `f` command saves) and [`Options::to_json_config`] as a PJSUA2
//! JSON document.
//!
//! ```
//! use ferrosip_cli::options::{Options, Parsed};
//!
//! let args = ["--id", "sip:alice@example.com", "--auto-answer=200", "--null-audio"];
//! let Parsed::Run(opts) = Options::parse(args)? else { unreachable!() };
//! let app = opts.to_app_config()?;
//! assert_eq!(app.accounts[0].id_uri, "sip:alice@example.com");
//! assert_eq!(app.call.auto_answer, Some(200));
//! assert!(app.media.null_audio);
//! # Ok::<(), ferrosip_cli::options::OptionsError>(())
//! ```

mod app;
mod error;
mod help;
mod json;
mod parse;
mod spec;
mod write;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::path::PathBuf;

pub use app::{AppCallOptions, AppConfig, AppMediaOptions, PJ_O_APPEND, SipTransport};
pub use error::OptionsError;
pub use help::{help, version};
pub use json::JsonSettings;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Run the softphone with these options.
    Run(Box<Options>),
    /// `--help` (or `-h`): print [`help`] and exit.
    Help,
    /// `--version`: print [`version`] and exit.
    Version,
}

/// A tone to play (`--play-tone F1,F2,ON,OFF`): two frequencies mixed,
/// on for `on_msec`, then silent for `off_msec`, repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tone {
    /// First frequency, Hz.
    pub freq1: u16,
    /// Second frequency, Hz (0 for a single frequency).
    pub freq2: u16,
    /// How long the tone sounds, ms.
    pub on_msec: u16,
    /// The silence after it, ms.
    pub off_msec: u16,
}

/// One credential of an account (`--realm`, `--username`, `--password`;
/// `--next-cred` starts the next one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredOptions {
    /// `--realm`: the realm the credential is for; empty means any (`*`).
    pub realm: String,
    /// `--username`: the user name to authenticate with. A credential
    /// without one is not used.
    pub username: String,
    /// `--password`: the plain-text password.
    pub password: String,
}

/// One account's options (`--next-account` starts the next one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountOptions {
    /// `--id`: the account's URI (its AOR), e.g. `sip:alice@example.com`.
    pub id: String,
    /// `--registrar`: the registrar's URI; empty means no registration.
    pub registrar: String,
    /// `--proxy` (repeatable): the account's proxies, in order.
    pub proxy: Vec<String>,
    /// `--reg-timeout`: registration expiry, seconds (1–3600). Default 300.
    pub reg_timeout: u32,
    /// `--rereg-delay`: wait before retrying a failed registration,
    /// seconds. Default 300.
    pub rereg_delay: u32,
    /// `--reg-use-proxy`: which proxies REGISTER goes through (0 none,
    /// 1 outbound, 2 the account's, 3 both). Default 3.
    pub reg_use_proxy: u32,
    /// `--contact`: a Contact URI to use instead of the transport's.
    pub contact: String,
    /// `--contact-params`: parameters added to the Contact header.
    pub contact_params: String,
    /// `--contact-uri-params`: parameters added to the Contact URI.
    pub contact_uri_params: String,
    /// `--publish`: PUBLISH the account's presence.
    pub publish: bool,
    /// `--use-100rel`: require reliable provisional responses (100rel).
    pub use_100rel: bool,
    /// `--use-timer`: session timers, 0 inactive, 1 optional, 2 required,
    /// 3 always. Default 1.
    pub use_timer: u32,
    /// `--timer-se`: session expiry asked for, seconds (≥ 90). Default
    /// 1800.
    pub timer_se: u32,
    /// `--timer-min-se`: least session expiry accepted, seconds (≥ 90).
    /// Default 90.
    pub timer_min_se: u32,
    /// `--rtcp-mux`: offer RTP and RTCP on one port (RFC 5761).
    pub rtcp_mux: bool,
    /// The credentials; the last one is the one `--realm`, `--username`
    /// and `--password` fill in. Never empty.
    pub creds: Vec<CredOptions>,
    /// The options given for this account (by name), so that a JSON
    /// config's account keeps what the command line does not change.
    given: BTreeSet<&'static str>,
}

impl Default for AccountOptions {
    fn default() -> Self {
        Self {
            id: String::new(),
            registrar: String::new(),
            proxy: Vec::new(),
            reg_timeout: 300,
            rereg_delay: 300,
            reg_use_proxy: 3,
            contact: String::new(),
            contact_params: String::new(),
            contact_uri_params: String::new(),
            publish: false,
            use_100rel: false,
            use_timer: 1,
            timer_se: 1800,
            timer_min_se: 90,
            rtcp_mux: false,
            creds: vec![CredOptions::default()],
            given: BTreeSet::new(),
        }
    }
}

impl AccountOptions {
    /// True when the option `name` (without `--`) was given for this
    /// account.
    pub fn is_given(&self, name: &str) -> bool {
        self.given.contains(name)
    }

    /// True when nothing was given for this account.
    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }
}

/// pjsua's options, with pjsua's names (in snake case), meanings and
/// defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// `--config-file`: the configuration files read, in order.
    pub config_file: Vec<PathBuf>,
    /// `--json-config`: the PJSUA2 JSON document loaded, if any.
    pub json_config: Option<PathBuf>,
    /// What `--json-config` loaded (the base that options change).
    pub json: Option<JsonSettings>,

    /// `--log-file`: a file to log to as well; empty means none.
    pub log_file: String,
    /// `--log-level`: most verbose level logged, 0–6. Default 5.
    pub log_level: u32,
    /// `--app-log-level`: most verbose level shown on the console, 0–6.
    /// Default 4.
    pub app_log_level: u32,
    /// `--log-append`: append to the log file rather than truncate it.
    pub log_append: bool,

    /// The accounts (`--next-account` starts the next one); the last is
    /// the one account options apply to. Never empty.
    pub accounts: Vec<AccountOptions>,

    /// `--local-port`: the SIP port, for UDP and TCP (0 any). Default 5060.
    pub local_port: u16,
    /// `--ip-addr`: the address to advertise (SIP and RTP) instead of the
    /// local one.
    pub ip_addr: String,
    /// `--bound-addr`: the local address to bind (SIP and RTP).
    pub bound_addr: String,
    /// `--no-tcp`: no TCP transport.
    pub no_tcp: bool,
    /// `--no-udp`: no UDP transport.
    pub no_udp: bool,
    /// `--ipv6`: IPv6 transports too (and IPv6 media).
    pub ipv6: bool,
    /// `--outbound` (repeatable): proxies every request goes through.
    pub outbound: Vec<String>,

    /// `--null-audio`: no sound device (a null one clocks the bridge).
    pub null_audio: bool,
    /// `--add-codec` (repeatable): codecs to raise above the others (the
    /// last one given highest, as in pjsua).
    pub add_codec: Vec<String>,
    /// `--dis-codec` (repeatable): codecs to disable.
    pub dis_codec: Vec<String>,
    /// `--clock-rate`: the conference bridge's clock rate, Hz
    /// (8000–192000). Default 16000.
    pub clock_rate: u32,
    /// `--snd-clock-rate`: the sound device's clock rate, Hz (8000–192000);
    /// 0 means `clock_rate`. Default 0.
    pub snd_clock_rate: u32,
    /// `--play-file` (repeatable): WAV files to play.
    pub play_file: Vec<String>,
    /// `--play-tone` (repeatable): tones to play.
    pub play_tone: Vec<Tone>,
    /// `--auto-play`: play the file (or tone) to each call once answered.
    pub auto_play: bool,
    /// `--auto-loop`: loop each call's incoming audio back to it.
    pub auto_loop: bool,
    /// `--auto-conf`: connect every call to every other (a conference).
    pub auto_conf: bool,
    /// `--rec-file`: a WAV file to record to.
    pub rec_file: String,
    /// `--auto-rec`: record each call to `rec_file` once answered.
    pub auto_rec: bool,
    /// `--rtp-port`: the first RTP port. Default 4000.
    pub rtp_port: u16,
    /// `--no-vad`: no voice activity detection.
    pub no_vad: bool,
    /// `--ptime`: packet time, ms (10–1000); 0 means each codec's own.
    /// Default 0.
    pub ptime: u32,
    /// `--quality`: media quality, 0–10. Default 8.
    pub quality: u32,
    /// `--ec-tail`: echo canceller tail, ms (0–1000; 0 disables).
    /// Default 200.
    pub ec_tail: u32,
    /// `--ilbc-mode`: iLBC mode, 20 or 30. Default 30.
    pub ilbc_mode: u32,
    /// `--rx-drop-pct`: drop this percentage of incoming RTP packets.
    pub rx_drop_pct: u32,
    /// `--tx-drop-pct`: drop this percentage of outgoing RTP packets.
    pub tx_drop_pct: u32,
    /// `--jb-max-size`: most delay the jitter buffer holds, ms; -1 means
    /// the default. Default -1.
    pub jb_max_size: i32,
    /// `--snd-auto-close`: seconds of silence before the idle sound device
    /// closes; -1 never. Default 1.
    pub snd_auto_close: i32,

    /// `--auto-answer`: answer incoming calls at once with this code
    /// (100–699); 0 means do not.
    pub auto_answer: u16,
    /// `--max-calls`: most calls at once, from 1 (pjsua stops at 32; ferrosip
    /// has no compile-time limit). Default 4.
    pub max_calls: u32,
    /// `--duration`: hang each call up after this many seconds; `None`
    /// means no limit.
    pub duration: Option<u32>,
    /// `--thread-cnt`: SIP worker threads, 0–128. Default 1.
    pub thread_cnt: u32,
    /// `--norefersub`: no implicit subscription with REFER (`Refer-Sub:
    /// false`).
    pub norefersub: bool,
    /// `--use-compact-form`: compact SIP header names.
    pub use_compact_form: bool,
    /// `--accept-redirect`: what to do with a 3xx: 0 reject, 1 follow,
    /// 2 follow replacing the To URI, 3 ask (pending), 4 stop. Default 2.
    pub accept_redirect: u32,
    /// `--add-buddy` (repeatable): buddies' URIs.
    pub add_buddy: Vec<String>,

    /// The positional `sip-url`: a call to make at once.
    pub call_url: Option<String>,

    /// The endpoint-level options given (by name).
    given: BTreeSet<&'static str>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            config_file: Vec::new(),
            json_config: None,
            json: None,
            log_file: String::new(),
            log_level: 5,
            app_log_level: 4,
            log_append: false,
            accounts: vec![AccountOptions::default()],
            local_port: 5060,
            ip_addr: String::new(),
            bound_addr: String::new(),
            no_tcp: false,
            no_udp: false,
            ipv6: false,
            outbound: Vec::new(),
            null_audio: false,
            add_codec: Vec::new(),
            dis_codec: Vec::new(),
            clock_rate: 16000,
            snd_clock_rate: 0,
            play_file: Vec::new(),
            play_tone: Vec::new(),
            auto_play: false,
            auto_loop: false,
            auto_conf: false,
            rec_file: String::new(),
            auto_rec: false,
            rtp_port: 4000,
            no_vad: false,
            ptime: 0,
            quality: 8,
            ec_tail: 200,
            ilbc_mode: 30,
            rx_drop_pct: 0,
            tx_drop_pct: 0,
            jb_max_size: -1,
            snd_auto_close: 1,
            auto_answer: 0,
            max_calls: 4,
            duration: None,
            thread_cnt: 1,
            norefersub: false,
            use_compact_form: false,
            accept_redirect: 2,
            add_buddy: Vec::new(),
            call_url: None,
            given: BTreeSet::new(),
        }
    }
}

impl Options {
    /// Parses the arguments (without the program name); see the module
    /// documentation. `--help` and `--version` win over everything else
    /// given with them (pjsua stops at them too).
    pub fn parse<I, S>(args: I) -> Result<Parsed, OptionsError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        parse::parse(args.into_iter().map(Into::into).collect())
    }

    /// Parses the arguments, where `--help` and `--version` are errors
    /// ([`OptionsError::HelpRequested`]): for callers that only want
    /// options.
    pub fn from_args<I, S>(args: I) -> Result<Self, OptionsError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        match Self::parse(args)? {
            Parsed::Run(o) => Ok(*o),
            Parsed::Help | Parsed::Version => Err(OptionsError::HelpRequested),
        }
    }

    /// True when the endpoint-level option `name` (without `--`) was
    /// given.
    pub fn is_given(&self, name: &str) -> bool {
        self.given.contains(name)
    }

    /// The account the account options apply to now (the last one).
    pub(crate) fn cur_acc(&mut self) -> &mut AccountOptions {
        if self.accounts.is_empty() {
            self.accounts.push(AccountOptions::default());
        }
        let last = self.accounts.len() - 1;
        &mut self.accounts[last]
    }
}
