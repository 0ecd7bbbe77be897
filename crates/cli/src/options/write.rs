//! Writing the options back in pjsua's configuration file format (what
//! pjsua's `f` command saves).

use super::spec::{Group, SPECS};
use super::{AccountOptions, Options};

/// The options that have no place in PJSUA2's configs, saved with a JSON
/// config under `"pjsuaOptions"`.
const APP_ONLY: &[&str] = &[
    "null-audio",
    "add-codec",
    "dis-codec",
    "play-file",
    "play-tone",
    "auto-play",
    "auto-loop",
    "auto-conf",
    "rec-file",
    "auto-rec",
    "auto-answer",
    "duration",
    "norefersub",
    "use-compact-form",
    "accept-redirect",
];

/// Quotes a value for pjsua's tokenizer when it needs it.
fn quote(v: &str) -> String {
    let plain = !v.is_empty()
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\'')
        && !v.starts_with('#');
    if plain {
        v.to_owned()
    } else if !v.contains('"') {
        format!("\"{v}\"")
    } else {
        format!("'{v}'")
    }
}

impl Options {
    /// The values of endpoint option `name` to write: one entry per
    /// occurrence (`None` for a flag); empty when it was neither given nor
    /// changed from its default.
    fn ep_values(&self, name: &str) -> Vec<Option<String>> {
        let v = self.ep_raw(name);
        if self.given.contains(name) || v != Self::default().ep_raw(name) {
            v
        } else {
            Vec::new()
        }
    }

    /// The values of endpoint option `name` as they are.
    fn ep_raw(&self, name: &str) -> Vec<Option<String>> {
        let flag = |on: bool| if on { vec![None] } else { Vec::new() };
        let one = |v: String| vec![Some(v)];
        let many = |v: &[String]| v.iter().cloned().map(Some).collect();
        match name {
            "log-file" => one(self.log_file.clone()),
            "log-level" => one(self.log_level.to_string()),
            "app-log-level" => one(self.app_log_level.to_string()),
            "local-port" => one(self.local_port.to_string()),
            "ip-addr" => one(self.ip_addr.clone()),
            "bound-addr" => one(self.bound_addr.clone()),
            "outbound" => many(&self.outbound),
            "add-codec" => many(&self.add_codec),
            "dis-codec" => many(&self.dis_codec),
            "clock-rate" => one(self.clock_rate.to_string()),
            "snd-clock-rate" => one(self.snd_clock_rate.to_string()),
            "play-file" => many(&self.play_file),
            "play-tone" => self
                .play_tone
                .iter()
                .map(|t| {
                    Some(format!(
                        "{},{},{},{}",
                        t.freq1, t.freq2, t.on_msec, t.off_msec
                    ))
                })
                .collect(),
            "rec-file" => one(self.rec_file.clone()),
            "rtp-port" => one(self.rtp_port.to_string()),
            "quality" => one(self.quality.to_string()),
            "ptime" => one(self.ptime.to_string()),
            "ec-tail" => one(self.ec_tail.to_string()),
            "ilbc-mode" => one(self.ilbc_mode.to_string()),
            "rx-drop-pct" => one(self.rx_drop_pct.to_string()),
            "tx-drop-pct" => one(self.tx_drop_pct.to_string()),
            "jb-max-size" => one(self.jb_max_size.to_string()),
            "snd-auto-close" => one(self.snd_auto_close.to_string()),
            "auto-answer" => one(self.auto_answer.to_string()),
            "max-calls" => one(self.max_calls.to_string()),
            "thread-cnt" => one(self.thread_cnt.to_string()),
            "duration" => self
                .duration
                .map(|d| d.to_string())
                .into_iter()
                .map(Some)
                .collect(),
            "accept-redirect" => one(self.accept_redirect.to_string()),
            "add-buddy" => many(&self.add_buddy),
            "log-append" => flag(self.log_append),
            "no-tcp" => flag(self.no_tcp),
            "no-udp" => flag(self.no_udp),
            "ipv6" => flag(self.ipv6),
            "null-audio" => flag(self.null_audio),
            "auto-play" => flag(self.auto_play),
            "auto-loop" => flag(self.auto_loop),
            "auto-conf" => flag(self.auto_conf),
            "auto-rec" => flag(self.auto_rec),
            "no-vad" => flag(self.no_vad),
            "norefersub" => flag(self.norefersub),
            "use-compact-form" => flag(self.use_compact_form),
            // Not options of the endpoint (help, version, files, accounts).
            _ => Vec::new(),
        }
    }

    /// The values of account option `name` of `a` to write (given or
    /// changed from the default).
    fn acc_values(a: &AccountOptions, name: &str) -> Vec<Option<String>> {
        let v = Self::acc_raw(a, name);
        if a.given.contains(name) || v != Self::acc_raw(&AccountOptions::default(), name) {
            v
        } else {
            Vec::new()
        }
    }

    /// The values of account option `name` of `a` as they are.
    fn acc_raw(a: &AccountOptions, name: &str) -> Vec<Option<String>> {
        let flag = |on: bool| if on { vec![None] } else { Vec::new() };
        let one = |v: String| vec![Some(v)];
        match name {
            "id" => one(a.id.clone()),
            "registrar" => one(a.registrar.clone()),
            "proxy" => a.proxy.iter().cloned().map(Some).collect(),
            "contact" => one(a.contact.clone()),
            "contact-params" => one(a.contact_params.clone()),
            "contact-uri-params" => one(a.contact_uri_params.clone()),
            "reg-timeout" => one(a.reg_timeout.to_string()),
            "rereg-delay" => one(a.rereg_delay.to_string()),
            "reg-use-proxy" => one(a.reg_use_proxy.to_string()),
            "use-timer" => one(a.use_timer.to_string()),
            "timer-se" => one(a.timer_se.to_string()),
            "timer-min-se" => one(a.timer_min_se.to_string()),
            "publish" => flag(a.publish),
            "use-100rel" => flag(a.use_100rel),
            "rtcp-mux" => flag(a.rtcp_mux),
            // Credentials are written apart.
            _ => Vec::new(),
        }
    }

    /// The options in pjsua's configuration file format: one option a
    /// line (`--name value`, quoted when the value has spaces), grouped as
    /// in `--help`, accounts separated by `--next-account` and
    /// credentials by `--next-cred`. Reading it back with `--config-file`
    /// gives the same options. The `--config-file` and `--json-config`
    /// read are not written (their options are, merged); with a JSON
    /// config, a comment names it, as its configs are not in this format
    /// (save them with [`to_json_config`](Self::to_json_config)). A value
    /// holding both kinds of quote or a line break cannot be written so
    /// that it reads back.
    pub fn to_config_file(&self) -> String {
        let mut out = String::from("# ferrosip (pjsua) configuration, one option a line\n");
        if let Some(p) = &self.json_config {
            out.push_str(&format!(
                "# the PJSUA2 configs came from --json-config {} (not written here)\n",
                p.display()
            ));
        }
        let line = |out: &mut String, name: &str, v: &Option<String>| match v {
            Some(v) => out.push_str(&format!("--{name} {}\n", quote(v))),
            None => out.push_str(&format!("--{name}\n")),
        };
        for group in Group::ALL {
            let mut section = String::new();
            if group == Group::Account {
                for (i, a) in self.accounts.iter().enumerate() {
                    if i > 0 {
                        section.push_str("--next-account\n");
                    }
                    for spec in SPECS.iter().filter(|s| s.group == group) {
                        for v in Self::acc_values(a, spec.name) {
                            line(&mut section, spec.name, &v);
                        }
                    }
                    for (k, c) in a.creds.iter().enumerate() {
                        if k > 0 {
                            section.push_str("--next-cred\n");
                        }
                        for (name, v) in [
                            ("realm", &c.realm),
                            ("username", &c.username),
                            ("password", &c.password),
                        ] {
                            if a.given.contains(name) || !v.is_empty() {
                                line(&mut section, name, &Some(v.clone()));
                            }
                        }
                    }
                }
            } else {
                for spec in SPECS.iter().filter(|s| s.group == group) {
                    for v in self.ep_values(spec.name) {
                        line(&mut section, spec.name, &v);
                    }
                }
            }
            if !section.is_empty() {
                out.push_str(&format!("\n# {}\n", group.title()));
                out.push_str(&section);
            }
        }
        if let Some(url) = &self.call_url {
            out.push_str(&format!("\n# the SIP URL to call\n{}\n", quote(url)));
        }
        out
    }

    /// The options PJSUA2's configs have no place for, as arguments.
    pub(super) fn app_only_args(&self) -> Vec<String> {
        let mut out = Vec::new();
        for name in APP_ONLY {
            for v in self.ep_values(name) {
                match v {
                    Some(v) => out.push(format!("--{name}={v}")),
                    None => out.push(format!("--{name}")),
                }
            }
        }
        out
    }
}

impl Options {
    /// Saves [`to_config_file`](Self::to_config_file) to `path` (pjsua's
    /// `f` command).
    pub fn save_config_file(&self, path: &std::path::Path) -> Result<(), super::OptionsError> {
        std::fs::write(path, self.to_config_file()).map_err(|e| super::OptionsError::Save {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    }

    /// Saves [`to_json_config`](Self::to_json_config) to `path`.
    pub fn save_json_config(&self, path: &std::path::Path) -> Result<(), super::OptionsError> {
        let text = self.to_json_config()?;
        std::fs::write(path, text).map_err(|e| super::OptionsError::Save {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    }
}
