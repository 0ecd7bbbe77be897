//! [`Options::to_app_config`]: the options as ferrosip's configs.

use std::path::PathBuf;

use ferrosip::TransportType;
use ferrosip::config::{
    AccountConfig, AuthCredInfo, BuddyConfig, CredDataType, EpConfig, Ipv6Use, PrackUse,
    SessionTimerUse, TransportConfig,
};

use super::{AccountOptions, Options, OptionsError, Tone};

/// `PJ_O_APPEND`, the log file flag `--log-append` sets.
pub const PJ_O_APPEND: u32 = 4360;

/// A SIP transport to create (pygui's `SipTransport`: a type, whether it
/// is enabled, and its config).
#[derive(Debug, Clone, PartialEq)]
pub struct SipTransport {
    /// UDP, TCP, ... (IPv4 or IPv6).
    pub type_: TransportType,
    /// Create it (a disabled one is kept only to be saved back).
    pub enabled: bool,
    /// Its port and addresses.
    pub config: TransportConfig,
}

/// The application's media behaviour (pjsua's, not a PJSUA2 config).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppMediaOptions {
    /// `--null-audio`: no sound device.
    pub null_audio: bool,
    /// `--add-codec`: codecs to raise above the others. pjsua gives the
    /// i-th one given priority `PJMEDIA_CODEC_PRIO_NORMAL + 9 + i` (128 +
    /// 9 + i), so the last one given is preferred.
    pub add_codecs: Vec<String>,
    /// `--dis-codec`: codecs to disable (priority 0).
    pub dis_codecs: Vec<String>,
    /// `--play-file`: WAV files to open as players.
    pub play_files: Vec<PathBuf>,
    /// `--play-tone`: tones to generate.
    pub play_tones: Vec<Tone>,
    /// `--auto-play`: connect the first player (file, else tone) to each
    /// call once it has media.
    pub auto_play: bool,
    /// `--auto-loop`: connect each call's audio back to itself.
    pub auto_loop: bool,
    /// `--auto-conf`: connect each call to every other call (and the
    /// sound device).
    pub auto_conf: bool,
    /// `--rec-file`: a WAV recorder to open.
    pub rec_file: Option<PathBuf>,
    /// `--auto-rec`: connect each call to the recorder once it has media.
    pub auto_rec: bool,
}

/// The application's call behaviour (pjsua's, not a PJSUA2 config).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppCallOptions {
    /// `--auto-answer`: answer each incoming call at once with this code.
    pub auto_answer: Option<u16>,
    /// `--duration`: hang each call up after this many seconds once
    /// confirmed.
    pub duration: Option<u32>,
    /// `--accept-redirect`: 0 reject, 1 follow, 2 follow replacing the To
    /// URI, 3 ask, 4 stop (`pjsip_redirect_op`).
    pub accept_redirect: u32,
    /// `--norefersub`: transfer without the implicit subscription.
    pub norefersub: bool,
    /// `--use-compact-form`: compact header names.
    pub use_compact_form: bool,
    /// The positional `sip-url`: call it at once.
    pub call_url: Option<String>,
}

/// Everything the softphone needs to start: ferrosip's configs, and the
/// behaviour pjsua adds on top.
#[derive(Debug, Clone, PartialEq)]
pub struct AppConfig {
    /// For `Endpoint::lib_init`. Its `userAgent` is `ferrosip v<version>`
    /// unless a JSON config sets one (pjsua names itself too).
    pub ep_config: EpConfig,
    /// For `Endpoint::transport_create`, in order (skip the disabled).
    pub transports: Vec<SipTransport>,
    /// For `Account::create`, in order; the first is the default account.
    /// Empty: no account of its own (calls go out from the transport's
    /// address).
    pub accounts: Vec<AccountConfig>,
    /// The buddy list (`--add-buddy`, and the `sip-url` to call, as pjsua
    /// adds it), for the default account.
    pub buddies: Vec<BuddyConfig>,
    /// Players, recorder and the automatic connections.
    pub media: AppMediaOptions,
    /// Auto-answer, duration, redirects, the call to make.
    pub call: AppCallOptions,
}

impl Options {
    /// The options as ferrosip's configs (the softphone's starting point).
    ///
    /// With `--json-config`, the document's configs are the base and only
    /// the options given change them; an account given on the command
    /// line whose `--id` is a document account's changes that account, and
    /// other accounts are added after the document's.
    pub fn to_app_config(&self) -> Result<AppConfig, OptionsError> {
        let json = self.json.as_ref();
        let base = json.is_none();
        let set = |name: &str| base || self.given.contains(name);

        let mut ep = json.and_then(|j| j.ep_config.clone()).unwrap_or_default();
        if ep.ua_config.user_agent.is_empty() {
            // pjsua names itself in User-Agent ("PJSUA v2.x ..."); so does
            // the softphone.
            ep.ua_config.user_agent = format!("ferrosip v{}", env!("CARGO_PKG_VERSION"));
        }
        self.apply_ep(&mut ep, &set);

        let mut transports = match json {
            Some(j) if !j.transports.is_empty() => j.transports.clone(),
            _ => self.default_transports(),
        };
        for t in &mut transports {
            if set("local-port") {
                t.config.port = u32::from(self.local_port);
            }
            if set("ip-addr") {
                t.config.public_address.clone_from(&self.ip_addr);
            }
            if set("bound-addr") {
                t.config.bound_address.clone_from(&self.bound_addr);
            }
            let udp = matches!(t.type_, TransportType::Udp | TransportType::Udp6);
            let tcp = matches!(t.type_, TransportType::Tcp | TransportType::Tcp6);
            if (udp && self.no_udp) || (tcp && self.no_tcp) {
                t.enabled = false;
            }
        }

        let mut accounts: Vec<AccountConfig> = json.map(|j| j.accounts.clone()).unwrap_or_default();
        for (i, a) in self.accounts.iter().enumerate() {
            if a.id.is_empty() {
                if let Some(option) = a.given.iter().next() {
                    return Err(OptionsError::AccountWithoutId {
                        account: i + 1,
                        option,
                    });
                }
                continue;
            }
            let existing = accounts.iter().position(|c| c.id_uri == a.id);
            let mut cfg = existing.map(|k| accounts[k].clone()).unwrap_or_default();
            let all = existing.is_none();
            self.apply_account(a, &mut cfg, all);
            match existing {
                Some(k) => accounts[k] = cfg,
                None => accounts.push(cfg),
            }
        }
        if set("ipv6") && self.ipv6 {
            for a in &mut accounts {
                a.media_config.ipv6_use = Ipv6Use::Enabled;
            }
        }
        for a in &mut accounts {
            if set("rtp-port") {
                a.media_config.transport_config.port = u32::from(self.rtp_port);
            }
            if set("ip-addr") {
                a.media_config
                    .transport_config
                    .public_address
                    .clone_from(&self.ip_addr);
            }
            if set("bound-addr") {
                a.media_config
                    .transport_config
                    .bound_address
                    .clone_from(&self.bound_addr);
            }
        }

        let mut buddies: Vec<BuddyConfig> = json.map(|j| j.buddies.clone()).unwrap_or_default();
        let mut add_buddy = |uri: &str| {
            if !buddies.iter().any(|b| b.uri.eq_ignore_ascii_case(uri)) {
                // Not subscribed at once, as in pjsua (whose buddy configs
                // start zeroed): the console's `s` subscribes.
                buddies.push(BuddyConfig {
                    uri: uri.to_owned(),
                    subscribe: false,
                });
            }
        };
        for b in &self.add_buddy {
            add_buddy(b);
        }
        if let Some(url) = &self.call_url {
            add_buddy(url);
        }

        Ok(AppConfig {
            ep_config: ep,
            transports,
            accounts,
            buddies,
            media: AppMediaOptions {
                null_audio: self.null_audio,
                add_codecs: self.add_codec.clone(),
                dis_codecs: self.dis_codec.clone(),
                play_files: self.play_file.iter().map(PathBuf::from).collect(),
                play_tones: self.play_tone.clone(),
                auto_play: self.auto_play,
                auto_loop: self.auto_loop,
                auto_conf: self.auto_conf,
                rec_file: (!self.rec_file.is_empty()).then(|| PathBuf::from(&self.rec_file)),
                auto_rec: self.auto_rec,
            },
            call: AppCallOptions {
                auto_answer: (self.auto_answer != 0).then_some(self.auto_answer),
                duration: self.duration,
                accept_redirect: self.accept_redirect,
                norefersub: self.norefersub,
                use_compact_form: self.use_compact_form,
                call_url: self.call_url.clone(),
            },
        })
    }

    /// pjsua's transports: UDP and TCP on `--local-port` (IPv6 ones too
    /// with `--ipv6`), less those `--no-udp`/`--no-tcp` remove.
    fn default_transports(&self) -> Vec<SipTransport> {
        let mut types = vec![TransportType::Udp, TransportType::Tcp];
        if self.ipv6 {
            types.extend([TransportType::Udp6, TransportType::Tcp6]);
        }
        types
            .into_iter()
            .map(|type_| SipTransport {
                type_,
                enabled: true,
                config: TransportConfig::default(),
            })
            .collect()
    }

    fn apply_ep(&self, ep: &mut EpConfig, set: &dyn Fn(&str) -> bool) {
        let ua = &mut ep.ua_config;
        if set("max-calls") {
            ua.max_calls = self.max_calls;
        }
        if set("thread-cnt") {
            ua.thread_cnt = self.thread_cnt;
        }
        if set("outbound") {
            ua.outbound_proxies.clone_from(&self.outbound);
        }
        let log = &mut ep.log_config;
        if set("log-file") {
            log.filename.clone_from(&self.log_file);
        }
        if set("log-level") {
            log.level = self.log_level;
        }
        if set("app-log-level") {
            log.console_level = self.app_log_level;
        }
        if set("log-append") {
            log.file_flags = if self.log_append { PJ_O_APPEND } else { 0 };
        }
        let med = &mut ep.med_config;
        if set("clock-rate") {
            med.clock_rate = self.clock_rate;
        }
        if set("snd-clock-rate") {
            med.snd_clock_rate = self.snd_clock_rate;
        }
        if set("quality") {
            med.quality = self.quality;
        }
        if set("ptime") {
            med.ptime = self.ptime;
        }
        if set("no-vad") {
            med.no_vad = self.no_vad;
        }
        if set("ec-tail") {
            med.ec_tail_len = self.ec_tail;
        }
        if set("ilbc-mode") {
            med.ilbc_mode = self.ilbc_mode;
        }
        if set("rx-drop-pct") {
            med.rx_drop_pct = self.rx_drop_pct;
        }
        if set("tx-drop-pct") {
            med.tx_drop_pct = self.tx_drop_pct;
        }
        if set("jb-max-size") {
            med.jb_max = self.jb_max_size;
        }
        if set("snd-auto-close") {
            med.snd_auto_close_time = self.snd_auto_close;
        }
    }

    /// Applies an account's options onto `cfg`: all of them (`all`), or
    /// only those given.
    fn apply_account(&self, a: &AccountOptions, cfg: &mut AccountConfig, all: bool) {
        let set = |name: &str| all || a.given.contains(name);
        cfg.id_uri.clone_from(&a.id);
        if set("registrar") {
            cfg.reg_config.registrar_uri.clone_from(&a.registrar);
        }
        if set("reg-timeout") {
            cfg.reg_config.timeout_sec = a.reg_timeout;
        }
        if set("rereg-delay") {
            cfg.reg_config.retry_interval_sec = a.rereg_delay;
        }
        if set("reg-use-proxy") {
            cfg.reg_config.proxy_use = a.reg_use_proxy;
        }
        if set("contact-params") {
            cfg.reg_config.contact_params.clone_from(&a.contact_params);
            cfg.sip_config.contact_params.clone_from(&a.contact_params);
        }
        if set("contact-uri-params") {
            cfg.reg_config
                .contact_uri_params
                .clone_from(&a.contact_uri_params);
            cfg.sip_config
                .contact_uri_params
                .clone_from(&a.contact_uri_params);
        }
        if set("proxy") {
            cfg.sip_config.proxies.clone_from(&a.proxy);
        }
        if set("contact") {
            cfg.sip_config.contact_forced.clone_from(&a.contact);
        }
        if set("username") || set("realm") || set("password") || set("next-cred") {
            cfg.sip_config.auth_creds = a
                .creds
                .iter()
                .filter(|c| !c.username.is_empty())
                .map(|c| {
                    let realm = if c.realm.is_empty() { "*" } else { &c.realm };
                    AuthCredInfo::new(
                        "digest",
                        realm,
                        &c.username,
                        CredDataType::PlainPasswd,
                        &c.password,
                    )
                })
                .collect();
        }
        if set("publish") {
            cfg.pres_config.publish_enabled = a.publish;
        }
        if set("use-100rel") {
            cfg.call_config.prack_use = if a.use_100rel {
                PrackUse::Mandatory
            } else {
                PrackUse::NotUsed
            };
        }
        if set("use-timer") {
            cfg.call_config.timer_use = match a.use_timer {
                0 => SessionTimerUse::Inactive,
                2 => SessionTimerUse::Required,
                3 => SessionTimerUse::Always,
                _ => SessionTimerUse::Optional,
            };
        }
        if set("timer-se") {
            cfg.call_config.timer_sess_expires_sec = a.timer_se;
        }
        if set("timer-min-se") {
            cfg.call_config.timer_min_se_sec = a.timer_min_se;
        }
        if set("rtcp-mux") {
            cfg.media_config.rtcp_mux_enabled = a.rtcp_mux;
        }
    }

    /// The options as a PJSUA2 JSON document (what `--json-config` loads):
    /// the configs of [`to_app_config`](Self::to_app_config), and pjsua's
    /// own options (auto-answer, players, ...) under `"pjsuaOptions"`.
    pub fn to_json_config(&self) -> Result<String, OptionsError> {
        let app = self.to_app_config()?;
        let settings = super::JsonSettings {
            ep_config: Some(app.ep_config),
            transports: app.transports,
            accounts: app.accounts,
            buddies: app.buddies,
        };
        let extra = self.app_only_args();
        settings.to_json_string(&extra)
    }
}
