//! Reading the arguments (and configuration files) into [`Options`].

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use super::json::JsonSettings;
use super::spec::{self, Lookup};
use super::{AccountOptions, CredOptions, Options, OptionsError, Parsed, Tone};

/// How deep configuration files may include each other.
pub(super) const MAX_DEPTH: usize = 8;
/// Most arguments, with configuration files included.
pub(super) const MAX_ARGS: usize = 100_000;
/// Largest configuration file read.
const MAX_FILE_BYTES: u64 = 4 << 20;

type Result<T> = std::result::Result<T, OptionsError>;

/// One argument, and how many configuration files deep it comes from.
struct Arg {
    text: String,
    depth: usize,
}

pub(super) fn parse(args: Vec<String>) -> Result<Parsed> {
    if args.len() > MAX_ARGS {
        return Err(OptionsError::TooManyArguments);
    }
    let mut queue: VecDeque<Arg> = args
        .into_iter()
        .map(|text| Arg { text, depth: 0 })
        .collect();
    let mut seen = queue.len();
    let mut o = Options::default();
    let mut only_positional = false;

    while let Some(arg) = queue.pop_front() {
        let text = arg.text;
        if only_positional || text == "-" || !text.starts_with('-') {
            positional(&mut o, text)?;
            continue;
        }
        if text == "--" {
            only_positional = true;
            continue;
        }
        if text == "-h" {
            return Ok(Parsed::Help);
        }
        let Some(body) = text.strip_prefix("--") else {
            return Err(OptionsError::Unknown {
                suggestion: suggest(text.trim_start_matches('-')),
                arg: text,
            });
        };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (body, None),
        };
        let spec = match spec::lookup(name) {
            Lookup::Known(s) => s,
            Lookup::Unsupported(u) => {
                return Err(OptionsError::NotSupported {
                    option: u.name,
                    feature: u.feature,
                });
            }
            Lookup::Ambiguous(candidates) => {
                return Err(OptionsError::Ambiguous {
                    arg: text.clone(),
                    candidates,
                });
            }
            Lookup::Unknown => {
                return Err(OptionsError::Unknown {
                    suggestion: suggest(name),
                    arg: text.clone(),
                });
            }
        };
        let value = if spec.arg.is_some() {
            match inline {
                Some(v) => Some(v),
                None => match queue.pop_front() {
                    Some(next) => Some(next.text),
                    None => return Err(OptionsError::MissingValue { option: spec.name }),
                },
            }
        } else if let Some(v) = inline {
            return Err(OptionsError::UnexpectedValue {
                option: spec.name,
                value: v,
            });
        } else {
            None
        };
        match spec.name {
            "help" => return Ok(Parsed::Help),
            "version" => return Ok(Parsed::Version),
            "config-file" => {
                let path = PathBuf::from(value.unwrap_or_default());
                if arg.depth + 1 > MAX_DEPTH {
                    return Err(OptionsError::TooDeep { path });
                }
                let tokens = read_config_file(&path)?;
                seen += tokens.len();
                if seen > MAX_ARGS {
                    return Err(OptionsError::TooManyArguments);
                }
                for t in tokens.into_iter().rev() {
                    queue.push_front(Arg {
                        text: t,
                        depth: arg.depth + 1,
                    });
                }
                o.config_file.push(path);
            }
            "json-config" => {
                let path = PathBuf::from(value.unwrap_or_default());
                if arg.depth + 1 > MAX_DEPTH {
                    return Err(OptionsError::TooDeep { path });
                }
                let (settings, extra) = JsonSettings::load_file(&path)?;
                seen += extra.len();
                if seen > MAX_ARGS {
                    return Err(OptionsError::TooManyArguments);
                }
                for t in extra.into_iter().rev() {
                    queue.push_front(Arg {
                        text: t,
                        depth: arg.depth + 1,
                    });
                }
                o.json = Some(settings);
                o.json_config = Some(path);
            }
            name => apply(&mut o, name, value.unwrap_or_default())?,
        }
    }
    check(&o)?;
    Ok(Parsed::Run(Box::new(o)))
}

fn suggest(name: &str) -> Option<&'static str> {
    if name.len() > 64 {
        None
    } else {
        spec::suggest(name)
    }
}

fn positional(o: &mut Options, text: String) -> Result<()> {
    if let Some(url) = &o.call_url {
        return Err(OptionsError::ExtraArgument {
            arg: text,
            url: url.clone(),
        });
    }
    if !is_uri(&text, false) {
        return Err(OptionsError::BadValue {
            option: "sip-url",
            value: text,
            expected: "a SIP URL to call, e.g. sip:bob@example.com".into(),
        });
    }
    o.call_url = Some(text);
    Ok(())
}

/// Consistency checks over the whole command line.
fn check(o: &Options) -> Result<()> {
    if o.no_udp && o.no_tcp {
        return Err(OptionsError::Conflict(
            "--no-udp and --no-tcp: cannot disable both TCP and UDP".into(),
        ));
    }
    for a in &o.accounts {
        if a.timer_min_se > a.timer_se {
            return Err(OptionsError::Conflict(format!(
                "--timer-min-se {} is above --timer-se {}",
                a.timer_min_se, a.timer_se
            )));
        }
    }
    Ok(())
}

/// True when `s` is a URI ferrosip can use: `sip:`/`sips:` (and `tel:`
/// unless `sip_only`), bare or in a name-addr (`"Bob" <sip:bob@host>`).
pub(super) fn is_uri(s: &str, sip_only: bool) -> bool {
    let inner = match (s.find('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        (None, None) => s,
        _ => return false,
    };
    let Some((scheme, rest)) = inner.split_once(':') else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    let ok_scheme = scheme == "sip" || scheme == "sips" || (!sip_only && scheme == "tel");
    ok_scheme && !rest.is_empty() && !inner.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn uri(option: &'static str, value: String, sip_only: bool) -> Result<String> {
    if is_uri(&value, sip_only) {
        Ok(value)
    } else {
        Err(OptionsError::BadValue {
            option,
            value,
            expected: if sip_only {
                "a SIP URL (sip:... or sips:...)".into()
            } else {
                "a URL (sip:..., sips:... or tel:...)".into()
            },
        })
    }
}

/// A decimal number in `min..=max`.
fn num(option: &'static str, value: &str, min: i64, max: i64) -> Result<i64> {
    let bad = |expected: String| OptionsError::BadValue {
        option,
        value: value.to_owned(),
        expected,
    };
    let digits = value.strip_prefix('-').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!("an integer {min}-{max}")));
    }
    match value.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(bad(format!("an integer {min}-{max}"))),
    }
}

fn unum(option: &'static str, value: &str, min: u32, max: u32) -> Result<u32> {
    num(option, value, i64::from(min), i64::from(max)).map(|n| n as u32)
}

fn tone(value: &str) -> Result<Tone> {
    let bad = || OptionsError::BadValue {
        option: "play-tone",
        value: value.to_owned(),
        expected:
            "F1,F2,ON,OFF (four integers 0-32767: two frequencies in Hz, on and off times in ms)"
                .into(),
    };
    let parts: Vec<&str> = value.split(',').map(str::trim).collect();
    let [f1, f2, on, off] = parts.as_slice() else {
        return Err(bad());
    };
    let n = |s: &str| {
        num("play-tone", s, 0, 32767)
            .map(|v| v as u16)
            .map_err(|_| bad())
    };
    Ok(Tone {
        freq1: n(f1)?,
        freq2: n(f2)?,
        on_msec: n(on)?,
        off_msec: n(off)?,
    })
}

/// Applies one supported option (other than `config-file`, `json-config`,
/// `help` and `version`).
fn apply(o: &mut Options, name: &'static str, v: String) -> Result<()> {
    if apply_account(o, name, &v)? {
        if name != "next-account" {
            o.cur_acc().given.insert(name);
        }
        return Ok(());
    }
    match name {
        "log-file" => o.log_file = v,
        "log-level" => o.log_level = unum(name, &v, 0, 6)?,
        "app-log-level" => o.app_log_level = unum(name, &v, 0, 6)?,
        "log-append" => o.log_append = true,
        "local-port" => o.local_port = unum(name, &v, 0, 65535)? as u16,
        "ip-addr" => o.ip_addr = v,
        "bound-addr" => o.bound_addr = v,
        "no-tcp" => o.no_tcp = true,
        "no-udp" => o.no_udp = true,
        "ipv6" => o.ipv6 = true,
        "outbound" => o.outbound.push(uri(name, v, true)?),
        "null-audio" => o.null_audio = true,
        "add-codec" => o.add_codec.push(nonempty(name, v)?),
        "dis-codec" => o.dis_codec.push(nonempty(name, v)?),
        "clock-rate" => o.clock_rate = unum(name, &v, 8000, 192_000)?,
        "snd-clock-rate" => {
            o.snd_clock_rate = if v == "0" {
                0
            } else {
                unum(name, &v, 8000, 192_000)?
            }
        }
        "play-file" => o.play_file.push(nonempty(name, v)?),
        "play-tone" => o.play_tone.push(tone(&v)?),
        "auto-play" => o.auto_play = true,
        "auto-loop" => o.auto_loop = true,
        "auto-conf" => o.auto_conf = true,
        "rec-file" => o.rec_file = nonempty(name, v)?,
        "auto-rec" => o.auto_rec = true,
        "rtp-port" => {
            let p = unum(name, &v, 0, 65535)?;
            // pjsua: 0 picks an even port at random above 4000.
            o.rtp_port = if p == 0 { random_rtp_port() } else { p as u16 };
        }
        "quality" => o.quality = unum(name, &v, 0, 10)?,
        "ptime" => {
            o.ptime = if v == "0" {
                0
            } else {
                unum(name, &v, 10, 1000)?
            }
        }
        "no-vad" => o.no_vad = true,
        "ec-tail" => o.ec_tail = unum(name, &v, 0, 1000)?,
        "ilbc-mode" => {
            o.ilbc_mode = unum(name, &v, 20, 30)?;
            if o.ilbc_mode != 20 && o.ilbc_mode != 30 {
                return Err(OptionsError::BadValue {
                    option: name,
                    value: v,
                    expected: "20 or 30".into(),
                });
            }
        }
        "rx-drop-pct" => o.rx_drop_pct = unum(name, &v, 0, 100)?,
        "tx-drop-pct" => o.tx_drop_pct = unum(name, &v, 0, 100)?,
        "jb-max-size" => o.jb_max_size = num(name, &v, -1, 60_000)? as i32,
        "snd-auto-close" => o.snd_auto_close = num(name, &v, -1, 86_400)? as i32,
        "auto-answer" => o.auto_answer = unum(name, &v, 100, 699)? as u16,
        "max-calls" => o.max_calls = unum(name, &v, 1, 1_000_000)?,
        "thread-cnt" => o.thread_cnt = unum(name, &v, 0, 128)?,
        "duration" => o.duration = Some(unum(name, &v, 0, u32::MAX)?),
        "norefersub" => o.norefersub = true,
        "use-compact-form" => o.use_compact_form = true,
        "accept-redirect" => o.accept_redirect = unum(name, &v, 0, 4)?,
        "add-buddy" => o.add_buddy.push(uri(name, v, false)?),
        _ => {
            return Err(OptionsError::Unknown {
                arg: format!("--{name}"),
                suggestion: None,
            });
        }
    }
    o.given.insert(name);
    Ok(())
}

/// Applies an account option to the current account; false when `name`
/// is not one.
fn apply_account(o: &mut Options, name: &'static str, v: &str) -> Result<bool> {
    if name == "next-account" {
        o.accounts.push(AccountOptions::default());
        return Ok(true);
    }
    let acc = o.cur_acc();
    match name {
        "id" => acc.id = uri(name, v.to_owned(), false)?,
        "registrar" => acc.registrar = uri(name, v.to_owned(), true)?,
        "realm" => cred(acc).realm = v.to_owned(),
        "username" => cred(acc).username = v.to_owned(),
        "password" => cred(acc).password = v.to_owned(),
        "next-cred" => acc.creds.push(CredOptions::default()),
        "proxy" => acc.proxy.push(uri(name, v.to_owned(), true)?),
        "contact" => acc.contact = uri(name, v.to_owned(), true)?,
        "contact-params" => acc.contact_params = v.to_owned(),
        "contact-uri-params" => acc.contact_uri_params = v.to_owned(),
        "reg-timeout" => acc.reg_timeout = unum(name, v, 1, 3600)?,
        "rereg-delay" => acc.rereg_delay = unum(name, v, 0, u32::MAX)?,
        "reg-use-proxy" => acc.reg_use_proxy = unum(name, v, 0, 3)?,
        "publish" => acc.publish = true,
        "use-100rel" => acc.use_100rel = true,
        "use-timer" => acc.use_timer = unum(name, v, 0, 3)?,
        "timer-se" => acc.timer_se = unum(name, v, 90, u32::MAX)?,
        "timer-min-se" => acc.timer_min_se = unum(name, v, 90, u32::MAX)?,
        "rtcp-mux" => acc.rtcp_mux = true,
        _ => return Ok(false),
    }
    Ok(true)
}

/// The credential `--realm`, `--username` and `--password` fill in.
fn cred(acc: &mut AccountOptions) -> &mut CredOptions {
    if acc.creds.is_empty() {
        acc.creds.push(CredOptions::default());
    }
    let last = acc.creds.len() - 1;
    &mut acc.creds[last]
}

fn nonempty(option: &'static str, v: String) -> Result<String> {
    if v.is_empty() {
        Err(OptionsError::BadValue {
            option,
            value: v,
            expected: "a non-empty value".into(),
        })
    } else {
        Ok(v)
    }
}

/// An even port from 4000 up, as pjsua picks for `--rtp-port 0`.
fn random_rtp_port() -> u16 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0);
    let range = 65535 - 4000 - 32 * 2;
    (4000 + ((h.finish() % range) & !1)) as u16
}

/// Reads a pjsua configuration file into its arguments.
fn read_config_file(path: &Path) -> Result<Vec<String>> {
    let io = |reason: String| OptionsError::Io {
        option: "config-file",
        path: path.to_owned(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| io(e.to_string()))?;
    if !meta.is_file() {
        return Err(io("not a regular file".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(io(format!("larger than {MAX_FILE_BYTES} bytes")));
    }
    let bytes = std::fs::read(path).map_err(|e| io(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| io("not UTF-8 text".into()))?;
    Ok(tokenize(&text))
}

/// Splits a configuration file as pjsua does: tokens are separated by
/// white space; a token starting with `"` or `'` runs to the same quote
/// (or the line's end) and may hold spaces; a token starting with `#`
/// ends the line. Unlike pjsua, an empty quoted token (`""`) is kept, as
/// an empty value.
pub(super) fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut chars = line.chars().peekable();
        loop {
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            let Some(&first) = chars.peek() else {
                break;
            };
            if first == '#' {
                break;
            }
            let mut token = String::new();
            if first == '"' || first == '\'' {
                chars.next();
                for c in chars.by_ref() {
                    if c == first {
                        break;
                    }
                    token.push(c);
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    token.push(c);
                    chars.next();
                }
            }
            out.push(token);
        }
    }
    out
}
