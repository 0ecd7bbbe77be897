//! Reading command lines: the table of commands (menu key, CLI long forms,
//! arguments), [`parse`] for whole lines and the [`Prompter`] that asks
//! for the arguments a line left out, as pjsua's menu does.

use std::fmt;

use super::command::{Command, EchoArg, OnlineStatus, RedirectChoice, Target};

/// Why a line is no command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Nothing on the line.
    Empty,
    /// A first word that is no command.
    Unknown {
        /// What was typed (shortened).
        input: String,
    },
    /// A pjsua command ferrosip does not have (yet).
    NotSupported {
        /// The command as typed.
        command: String,
        /// What it does in pjsua.
        what: &'static str,
    },
    /// A CLI group (`call`, `im`…) without a known subcommand.
    Subcommand {
        /// The group.
        group: &'static str,
        /// What followed it, if anything.
        input: Option<String>,
        /// Its subcommands.
        choices: String,
    },
    /// An argument the line did not give (and that [`parse`] cannot ask for).
    Missing {
        /// The command: key and name, `m (make call)`.
        command: String,
        /// The argument.
        arg: &'static str,
    },
    /// An argument that is wrong.
    Invalid {
        /// The command: key and name.
        command: String,
        /// The argument.
        arg: &'static str,
        /// Its value (shortened).
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// More on the line than the command takes.
    Unexpected {
        /// The command: key and name.
        command: String,
        /// The first word too many (shortened).
        value: String,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty line"),
            Self::Unknown { input } => {
                write!(f, "unknown command {input:?} (\"?\" shows the menu)")
            }
            Self::NotSupported { command, what } => {
                write!(f, "{command} ({what}): not supported by ferrosip yet")
            }
            Self::Subcommand {
                group,
                input: None,
                choices,
            } => write!(f, "{group}: missing subcommand (one of: {choices})"),
            Self::Subcommand {
                group,
                input: Some(input),
                choices,
            } => write!(
                f,
                "{group}: unknown subcommand {input:?} (one of: {choices})"
            ),
            Self::Missing { command, arg } => write!(f, "{command}: missing {arg}"),
            Self::Invalid {
                command,
                arg,
                value,
                reason,
            } => write!(f, "{command}: bad {arg} {value:?}: {reason}"),
            Self::Unexpected { command, value } => {
                write!(f, "{command}: unexpected argument {value:?}")
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// What the executor is asked to show before a prompt (pjsua prints the
/// buddy list before asking for a URL, the ports before `cc`'s…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PromptContext {
    /// The buddy list, before a URL or buddy number is asked for.
    Buddies,
    /// How many calls there are ("(You currently have 2 calls)").
    CallCount,
    /// The calls other than the current one (`X`).
    OtherCalls,
    /// The conference bridge's ports (`cc`, `cd`).
    ConfPorts,
    /// The codecs and their priorities (`Cp`).
    Codecs,
    /// The current microphone and speaker levels (`V`).
    Volume,
}

/// A question the console asks for a missing argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// The command's key (`m`).
    pub command: &'static str,
    /// The argument asked for (`URL`).
    pub arg: &'static str,
    /// What to show first, from the executor.
    pub context: Option<PromptContext>,
    /// Fixed lines shown before the question (pjsua's "Choices:").
    pub help: Option<&'static str>,
    /// The question, ending in ": " ("Make call: ").
    pub text: String,
}

/// What a line fed to the [`Prompter`] gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A complete command.
    Command(Command),
    /// An argument is missing: show this, the next line answers it.
    Prompt(Prompt),
    /// A prompt was answered with an empty line (or `q`): the command is
    /// dropped, as pjsua does.
    Cancelled {
        /// The command's key.
        command: &'static str,
    },
    /// The line is wrong; nothing is pending.
    Error(ParseError),
    /// An empty line with nothing pending.
    Idle,
}

/// Reads commands line by line: a line with a whole command gives it; a
/// command missing arguments gives a [`Prompt`], and the following lines
/// answer the prompts (an answer may hold several arguments: `1 2` to
/// `cc`'s first prompt). So `m` then `sip:bob@host` is `m sip:bob@host`.
#[derive(Debug, Default)]
pub struct Prompter {
    pending: Option<Pending>,
    batch: bool,
}

#[derive(Debug)]
struct Pending {
    spec: &'static Spec,
    label: String,
    values: Vec<Value>,
}

/// Parses one whole line into a command: every argument it needs must be
/// on the line (`m sip:bob@host`, `cc 1 2`, `i 2 hello there`,
/// `call new sip:bob@host`).
pub fn parse(line: &str) -> Result<Command, ParseError> {
    let mut prompter = Prompter {
        pending: None,
        batch: true,
    };
    match prompter.feed(line) {
        Step::Command(cmd) => Ok(cmd),
        Step::Error(e) => Err(e),
        Step::Idle => Err(ParseError::Empty),
        // Not reached: a batch prompter never prompts nor cancels.
        Step::Prompt(p) => Err(ParseError::Missing {
            command: p.command.to_owned(),
            arg: p.arg,
        }),
        Step::Cancelled { command } => Err(ParseError::Missing {
            command: command.to_owned(),
            arg: "argument",
        }),
    }
}

impl Prompter {
    /// A prompter with nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// The prompt waiting for an answer, if any.
    pub fn prompt(&self) -> Option<Prompt> {
        let p = self.pending.as_ref()?;
        p.next_arg().map(|arg| p.prompt_for(arg))
    }

    /// Whether a prompt waits for an answer.
    pub fn is_waiting(&self) -> bool {
        self.pending.is_some()
    }

    /// Drops the command being asked about, if any; returns its key.
    pub fn cancel(&mut self) -> Option<&'static str> {
        self.pending.take().map(|p| p.spec.key)
    }

    /// Reads one line: a command, or the answer to the pending prompt.
    pub fn feed(&mut self, line: &str) -> Step {
        let line = line.trim();
        if let Some(pending) = self.pending.take() {
            return self.answer(pending, line);
        }
        if line.is_empty() {
            return Step::Idle;
        }
        let mut cur = Cursor::new(line);
        let Some(first) = cur.token() else {
            return Step::Idle;
        };
        let (spec, label, preset) = match resolve(first, &mut cur) {
            Ok(found) => found,
            Err(e) => return Step::Error(e),
        };
        let mut pending = Pending {
            spec,
            label,
            values: Vec::new(),
        };
        pending.values.extend(preset);
        let inline = !cur.is_empty();
        self.fill(pending, cur, inline)
    }

    fn answer(&mut self, pending: Pending, line: &str) -> Step {
        let Some(arg) = pending.next_arg() else {
            // Not reached: a command is pending only while an argument is.
            return self.fill(pending, Cursor::new(""), false);
        };
        let cancel = line.is_empty() || (matches!(arg.ty, ArgType::Target(_)) && line == "q");
        if cancel {
            if arg.optional {
                let mut pending = pending;
                pending.values.push(Value::Absent);
                return self.fill(pending, Cursor::new(""), false);
            }
            return Step::Cancelled {
                command: pending.spec.key,
            };
        }
        self.fill(pending, Cursor::new(line), false)
    }

    /// Takes the arguments still needed from `cur`, then prompts for the
    /// next missing one or builds the command. `inline`: the command line
    /// had arguments, so missing optional ones keep their default rather
    /// than being asked for.
    fn fill(&mut self, mut p: Pending, mut cur: Cursor<'_>, inline: bool) -> Step {
        loop {
            let Some(arg) = p.next_arg() else {
                if let Some(extra) = cur.token() {
                    return Step::Error(ParseError::Unexpected {
                        command: p.label,
                        value: shorten(extra),
                    });
                }
                return match (p.spec.build)(&mut Values(p.values.into_iter())) {
                    Some(cmd) => Step::Command(cmd),
                    None => Step::Error(ParseError::Invalid {
                        command: p.label,
                        arg: "arguments",
                        value: String::new(),
                        reason: "internal error: arguments do not fit".to_owned(),
                    }),
                };
            };
            let raw = if arg.ty.takes_rest() {
                cur.rest()
            } else {
                cur.token()
            };
            match raw {
                Some(raw) => match arg.ty.check(raw) {
                    Ok(value) => p.values.push(value),
                    Err(reason) => {
                        return Step::Error(ParseError::Invalid {
                            command: p.label,
                            arg: arg.name,
                            value: shorten(raw),
                            reason,
                        });
                    }
                },
                None if arg.optional && inline => p.values.push(Value::Absent),
                None if self.batch => {
                    return Step::Error(ParseError::Missing {
                        command: p.label,
                        arg: arg.name,
                    });
                }
                None => {
                    let prompt = p.prompt_for(arg);
                    self.pending = Some(p);
                    return Step::Prompt(prompt);
                }
            }
        }
    }
}

impl Pending {
    fn next_arg(&self) -> Option<&'static ArgSpec> {
        let arg = self.spec.args.get(self.values.len())?;
        match arg.when {
            Some(when) if !when(&self.values) => None,
            _ => Some(arg),
        }
    }

    fn prompt_for(&self, arg: &'static ArgSpec) -> Prompt {
        let text = if matches!(arg.ty, ArgType::Target(_)) {
            format!("{}: ", arg.title)
        } else if arg.optional {
            format!("{} (empty to keep): ", arg.title)
        } else {
            format!("{} (empty to cancel): ", arg.title)
        };
        Prompt {
            command: self.spec.key,
            arg: arg.name,
            context: arg.context,
            help: arg.help,
            text,
        }
    }
}

/// Shortens what is quoted in an error message.
fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

/// Whitespace-separated words of a line, with the rest of it at hand.
#[derive(Debug)]
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn new(line: &'a str) -> Self {
        Self { rest: line.trim() }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn token(&mut self) -> Option<&'a str> {
        let s = self.rest.trim_start();
        if s.is_empty() {
            self.rest = s;
            return None;
        }
        let end = s.find(char::is_whitespace).unwrap_or(s.len());
        let (word, rest) = s.split_at(end);
        self.rest = rest.trim_start();
        Some(word)
    }

    fn rest(&mut self) -> Option<&'a str> {
        let s = self.rest.trim();
        self.rest = "";
        (!s.is_empty()).then_some(s)
    }
}

// ---------------------------------------------------------------------
// Arguments.

/// Which answers a target argument takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Targets {
    url: bool,
    buddy: bool,
    current: bool,
    all: bool,
    /// Completes "You can't do that with …" (pjsua's words).
    what: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArgType {
    Target(Targets),
    Url,
    /// A number at least `min`.
    Number {
        min: u64,
        max: u64,
    },
    StatusCode,
    Digits,
    /// One word.
    Word,
    /// The rest of the line.
    Text,
    Level,
    Online,
    Redirect,
    Echo,
}

#[derive(Debug)]
enum Value {
    Target(Target),
    Number(u64),
    Str(String),
    Level(f32),
    Online(OnlineStatus),
    Redirect(RedirectChoice),
    Echo(EchoArg),
    Absent,
}

impl ArgType {
    /// Takes the rest of the line rather than one word.
    fn takes_rest(self) -> bool {
        matches!(self, Self::Text | Self::Echo)
    }

    fn check(self, raw: &str) -> Result<Value, String> {
        match self {
            Self::Target(targets) => check_target(raw, targets).map(Value::Target),
            Self::Url => check_url(raw).map(|()| Value::Str(raw.to_owned())),
            Self::Number { min, max } => {
                let n = number(raw)?;
                if n < min || n > max {
                    Err(format!("must be {min} to {max}"))
                } else {
                    Ok(Value::Number(n))
                }
            }
            Self::StatusCode => match number(raw)? {
                n @ 100..=699 => Ok(Value::Number(n)),
                _ => Err("a status code is 100 to 699".to_owned()),
            },
            Self::Digits => {
                if raw
                    .chars()
                    .all(|c| c.is_ascii_digit() || "*#ABCDabcd".contains(c))
                {
                    Ok(Value::Str(raw.to_owned()))
                } else {
                    Err("DTMF digits are 0-9, *, #, A-D".to_owned())
                }
            }
            Self::Word | Self::Text => Ok(Value::Str(raw.to_owned())),
            Self::Level => {
                if raw == "-" {
                    return Ok(Value::Absent);
                }
                match raw.parse::<f32>() {
                    Ok(l) if l.is_finite() && l >= 0.0 => Ok(Value::Level(l)),
                    _ => Err(
                        "a level is a number, 0 or more (1.0: unchanged), or - to keep it"
                            .to_owned(),
                    ),
                }
            }
            Self::Online => OnlineStatus::from_number(number(raw)?)
                .map(Value::Online)
                .ok_or_else(|| "choose 1 to 7".to_owned()),
            Self::Redirect => match raw {
                "a" | "0" => Ok(RedirectChoice::AcceptReplace),
                "A" | "1" => Ok(RedirectChoice::Accept),
                "r" | "2" => Ok(RedirectChoice::Reject),
                "s" | "3" => Ok(RedirectChoice::Stop),
                _ => {
                    Err("choose a (accept, replace), A (accept), r (reject) or s (stop)".to_owned())
                }
            }
            .map(Value::Redirect),
            Self::Echo => Ok(Value::Echo(match raw {
                "1" | "on" => EchoArg::On,
                "0" | "off" => EchoArg::Off,
                text => EchoArg::Text(text.to_owned()),
            })),
        }
    }
}

fn number(raw: &str) -> Result<u64, String> {
    if raw.starts_with('-') && raw.len() > 1 && raw[1..].bytes().all(|b| b.is_ascii_digit()) {
        return Err("must not be negative".to_owned());
    }
    raw.parse::<u64>().map_err(|_| "not a number".to_owned())
}

fn check_target(raw: &str, t: Targets) -> Result<Target, String> {
    let numeric = raw.starts_with('-') || raw.starts_with(|c: char| c.is_ascii_digit());
    if numeric {
        let n: i64 = raw
            .parse()
            .map_err(|_| "neither a URL nor a buddy number".to_owned())?;
        let target = match n {
            -1 => Target::AllBuddies,
            0 => Target::CurrentCall,
            n if n > 0 => {
                Target::Buddy(u32::try_from(n).map_err(|_| "no such buddy number".to_owned())?)
            }
            _ => return Err("a buddy number is 1 or more (0: current call, -1: all)".to_owned()),
        };
        let allowed = match target {
            Target::AllBuddies => t.all,
            Target::CurrentCall => t.current,
            Target::Buddy(_) => t.buddy,
            Target::Url(_) => t.url,
        };
        if allowed {
            Ok(target)
        } else {
            Err(format!("you can't do that with {}", t.what))
        }
    } else {
        check_url(raw)?;
        if t.url {
            Ok(Target::Url(raw.to_owned()))
        } else {
            Err(format!(
                "{} takes buddy numbers only, not a URL (add it with +b)",
                t.what
            ))
        }
    }
}

/// pjsua's `pjsua_verify_url`, roughly: a `sip:`, `sips:` or `tel:` URI,
/// maybe in angle brackets, with something after the scheme.
fn check_url(raw: &str) -> Result<(), String> {
    let uri = match raw.strip_prefix('<') {
        Some(inner) => inner
            .strip_suffix('>')
            .ok_or_else(|| "no closing '>'".to_owned())?,
        None => raw,
    };
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Err("not a URL (sip:user@host)".to_owned());
    };
    if !["sip", "sips", "tel"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
    {
        return Err(format!("URL scheme {scheme:?} is not sip:, sips: or tel:"));
    }
    if rest.is_empty() || rest.starts_with('@') || rest.ends_with('@') {
        return Err("no host in the URL".to_owned());
    }
    if rest
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
    {
        return Err("invalid character in the URL".to_owned());
    }
    Ok(())
}

#[derive(Debug)]
struct ArgSpec {
    /// Named in error messages: "missing URL".
    name: &'static str,
    /// pjsua's question.
    title: &'static str,
    ty: ArgType,
    /// An empty answer (or `-`) keeps the current value.
    optional: bool,
    /// Asked only if this holds of the values before it.
    when: Option<fn(&[Value]) -> bool>,
    context: Option<PromptContext>,
    help: Option<&'static str>,
}

const fn arg(name: &'static str, title: &'static str, ty: ArgType) -> ArgSpec {
    ArgSpec {
        name,
        title,
        ty,
        optional: false,
        when: None,
        context: None,
        help: None,
    }
}

const fn target_arg(
    name: &'static str,
    title: &'static str,
    targets: Targets,
    help: &'static str,
) -> ArgSpec {
    ArgSpec {
        context: Some(PromptContext::Buddies),
        help: Some(help),
        ..arg(name, title, ArgType::Target(targets))
    }
}

const URL_CHOICES: &str = "Choices:\n   0         For current dialog.\n  -1         All buddies in buddy list\n  [1 -N]     Select from buddy list\n  URL        An URL\n  <Enter>    Empty input (or 'q') to cancel";

const CALL_TARGETS: Targets = Targets {
    url: true,
    buddy: true,
    current: false,
    all: false,
    what: "make call",
};
const XFER_TARGETS: Targets = Targets {
    what: "transfer call",
    ..CALL_TARGETS
};
const IM_TARGETS: Targets = Targets {
    current: true,
    what: "send IM",
    ..CALL_TARGETS
};
const PRES_TARGETS: Targets = Targets {
    url: false,
    buddy: true,
    current: false,
    all: true,
    what: "presence subscription",
};

fn is_3xx(values: &[Value]) -> bool {
    matches!(values.first(), Some(Value::Number(300..=399)))
}

const STATUS_CHOICES: &str = "Choices:\n  1  Available\n  2  Busy\n  3  On the phone\n  4  Idle\n  5  Away\n  6  Be right back\n  7  Offline";
const REDIRECT_CHOICES: &str = "Choices:\n  a  Accept the target and replace the call's URI\n  A  Accept the target\n  r  Reject it, try the next one\n  s  Stop: end the call";

const PORT: ArgType = ArgType::Number {
    min: 0,
    max: u32::MAX as u64,
};

// ---------------------------------------------------------------------
// The commands.

struct Values(std::vec::IntoIter<Value>);

impl Values {
    fn target(&mut self) -> Option<Target> {
        match self.0.next()? {
            Value::Target(t) => Some(t),
            _ => None,
        }
    }
    fn number(&mut self) -> Option<u64> {
        match self.0.next()? {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.number()?).ok()
    }
    fn string(&mut self) -> Option<String> {
        match self.0.next()? {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    fn opt_string(&mut self) -> Option<Option<String>> {
        match self.0.next() {
            None | Some(Value::Absent) => Some(None),
            Some(Value::Str(s)) => Some(Some(s)),
            Some(_) => None,
        }
    }
    fn level(&mut self) -> Option<Option<f32>> {
        match self.0.next()? {
            Value::Level(l) => Some(Some(l)),
            Value::Absent => Some(None),
            _ => None,
        }
    }
}

struct Spec {
    /// pjsua's menu key.
    key: &'static str,
    /// Other words for it (`hA`, `shutdown`).
    aliases: &'static [&'static str],
    /// pjsua's CLI (`--use-cli`) forms: "call new".
    cli: &'static [&'static str],
    name: &'static str,
    /// In ferrosip today.
    supported: bool,
    args: &'static [ArgSpec],
    build: fn(&mut Values) -> Option<Command>,
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spec").field("key", &self.key).finish()
    }
}

const fn spec(
    key: &'static str,
    cli: &'static [&'static str],
    name: &'static str,
    args: &'static [ArgSpec],
    build: fn(&mut Values) -> Option<Command>,
) -> Spec {
    Spec {
        key,
        aliases: &[],
        cli,
        name,
        supported: true,
        args,
        build,
    }
}

const fn simple(
    key: &'static str,
    cli: &'static [&'static str],
    name: &'static str,
    build: fn(&mut Values) -> Option<Command>,
) -> Spec {
    spec(key, cli, name, &[], build)
}

static SPECS: &[Spec] = &[
    spec(
        "m",
        &["call new"],
        "make call",
        &[target_arg("URL", "Make call", CALL_TARGETS, URL_CHOICES)],
        |v| {
            Some(Command::MakeCall {
                target: v.target()?,
            })
        },
    ),
    spec(
        "M",
        &["call multi"],
        "make multiple calls",
        &[
            ArgSpec {
                context: Some(PromptContext::CallCount),
                ..arg(
                    "number of calls",
                    "Number of calls",
                    ArgType::Number {
                        min: 1,
                        max: 10_000,
                    },
                )
            },
            target_arg("URL", "Make call", CALL_TARGETS, URL_CHOICES),
        ],
        |v| {
            Some(Command::MakeCalls {
                count: v.u32()?,
                target: v.target()?,
            })
        },
    ),
    spec(
        "a",
        &["call answer"],
        "answer call",
        &[
            arg("code", "Answer with code (100-699)", ArgType::StatusCode),
            ArgSpec {
                when: Some(is_3xx),
                ..arg(
                    "contact URL",
                    "Enter URL to be put in Contact",
                    ArgType::Url,
                )
            },
        ],
        |v| {
            Some(Command::Answer {
                code: u16::try_from(v.number()?).ok()?,
                contact: v.opt_string()?,
            })
        },
    ),
    simple("h", &["call hangup"], "hang up call", |_| {
        Some(Command::Hangup)
    }),
    Spec {
        aliases: &["hA"],
        ..simple("ha", &["call hangup_all"], "hang up all calls", |_| {
            Some(Command::HangupAll)
        })
    },
    simple("H", &["call hold"], "hold call", |_| Some(Command::Hold)),
    simple("v", &["call reinvite"], "re-INVITE (release hold)", |_| {
        Some(Command::Reinvite)
    }),
    simple("U", &["call update"], "send UPDATE", |_| {
        Some(Command::Update)
    }),
    simple("]", &["call next"], "select next call", |_| {
        Some(Command::NextCall)
    }),
    simple("[", &["call previous"], "select previous call", |_| {
        Some(Command::PrevCall)
    }),
    simple("call list", &["call list"], "show calls", |_| {
        Some(Command::ListCalls)
    }),
    spec(
        "x",
        &["call transfer"],
        "transfer call",
        &[target_arg(
            "URL",
            "Transfer to URL",
            XFER_TARGETS,
            URL_CHOICES,
        )],
        |v| {
            Some(Command::Transfer {
                target: v.target()?,
            })
        },
    ),
    spec(
        "X",
        &["call transfer_replaces"],
        "transfer with Replaces",
        &[ArgSpec {
            context: Some(PromptContext::OtherCalls),
            ..arg("call id", "Enter call number to be replaced", PORT)
        }],
        |v| Some(Command::TransferReplaces { call: v.u32()? }),
    ),
    spec(
        "R",
        &["call redirect"],
        "redirect call",
        &[ArgSpec {
            help: Some(REDIRECT_CHOICES),
            ..arg("redirect option", "Redirect option", ArgType::Redirect)
        }],
        |v| match v.0.next()? {
            Value::Redirect(choice) => Some(Command::Redirect { choice }),
            _ => None,
        },
    ),
    spec(
        "#",
        &["call d_2833"],
        "send RFC 2833 DTMF",
        &[arg(
            "digits",
            "DTMF strings to send (0-9*#A-D)",
            ArgType::Digits,
        )],
        |v| {
            Some(Command::Dtmf2833 {
                digits: v.string()?,
            })
        },
    ),
    spec(
        "*",
        &["call d_info"],
        "send DTMF with INFO",
        &[arg(
            "digits",
            "DTMF strings to send (0-9*#A-D)",
            ArgType::Digits,
        )],
        |v| {
            Some(Command::DtmfInfo {
                digits: v.string()?,
            })
        },
    ),
    spec(
        "i",
        &["im send_im"],
        "send IM",
        &[
            target_arg("URL", "Send IM to", IM_TARGETS, URL_CHOICES),
            arg("message", "Message", ArgType::Text),
        ],
        |v| {
            Some(Command::SendIm {
                target: v.target()?,
                text: v.string()?,
            })
        },
    ),
    Spec {
        supported: false,
        ..spec(
            "+b",
            &["im add_b"],
            "add buddy",
            &[arg("buddy URI", "Enter buddy's URI", ArgType::Url)],
            |v| Some(Command::AddBuddy { uri: v.string()? }),
        )
    },
    Spec {
        supported: false,
        ..spec(
            "-b",
            &["im del_b"],
            "delete buddy",
            &[ArgSpec {
                context: Some(PromptContext::Buddies),
                ..arg(
                    "buddy number",
                    "Enter buddy ID to delete",
                    ArgType::Number {
                        min: 1,
                        max: u32::MAX as u64,
                    },
                )
            }],
            |v| Some(Command::DeleteBuddy { buddy: v.u32()? }),
        )
    },
    Spec {
        supported: false,
        ..simple("bl", &["im bud_list"], "show buddy list", |_| {
            Some(Command::ListBuddies)
        })
    },
    Spec {
        supported: false,
        ..spec(
            "s",
            &["im sub_pre"],
            "subscribe presence",
            &[target_arg(
                "buddy",
                "(un)Subscribe presence of",
                PRES_TARGETS,
                URL_CHOICES,
            )],
            |v| {
                Some(Command::Subscribe {
                    target: v.target()?,
                })
            },
        )
    },
    Spec {
        supported: false,
        ..spec(
            "u",
            &["im unsub_pre"],
            "unsubscribe presence",
            &[target_arg(
                "buddy",
                "(un)Subscribe presence of",
                PRES_TARGETS,
                URL_CHOICES,
            )],
            |v| {
                Some(Command::Unsubscribe {
                    target: v.target()?,
                })
            },
        )
    },
    Spec {
        supported: false,
        ..simple("t", &["im tog_state"], "toggle online status", |_| {
            Some(Command::ToggleOnline)
        })
    },
    Spec {
        supported: false,
        ..spec(
            "T",
            &["im pre_text"],
            "set online status",
            &[ArgSpec {
                help: Some(STATUS_CHOICES),
                ..arg("status", "Select status", ArgType::Online)
            }],
            |v| match v.0.next()? {
                Value::Online(status) => Some(Command::SetOnlineStatus { status }),
                _ => None,
            },
        )
    },
    simple("cl", &["audio list"], "list conference ports", |_| {
        Some(Command::ConfList)
    }),
    spec(
        "cc",
        &["audio conf_con"],
        "connect conference ports",
        &[
            ArgSpec {
                context: Some(PromptContext::ConfPorts),
                ..arg("source port", "Connect src port #", PORT)
            },
            arg("destination port", "To dst port #", PORT),
        ],
        |v| {
            Some(Command::ConfConnect {
                src: v.u32()?,
                dst: v.u32()?,
            })
        },
    ),
    spec(
        "cd",
        &["audio conf_dis"],
        "disconnect conference ports",
        &[
            ArgSpec {
                context: Some(PromptContext::ConfPorts),
                ..arg("source port", "Disconnect src port #", PORT)
            },
            arg("destination port", "From dst port #", PORT),
        ],
        |v| {
            Some(Command::ConfDisconnect {
                src: v.u32()?,
                dst: v.u32()?,
            })
        },
    ),
    spec(
        "V",
        &["audio adjust_vol"],
        "adjust audio volume",
        &[
            ArgSpec {
                optional: true,
                context: Some(PromptContext::Volume),
                ..arg("mic level", "Adjust mic level", ArgType::Level)
            },
            ArgSpec {
                optional: true,
                ..arg("speaker level", "Adjust speaker level", ArgType::Level)
            },
        ],
        |v| {
            Some(Command::AdjustVolume {
                mic: v.level()?,
                speaker: v.level()?,
            })
        },
    ),
    spec(
        "Cp",
        &["audio codec_prio"],
        "codec priorities",
        &[
            ArgSpec {
                context: Some(PromptContext::Codecs),
                ..arg("codec", "Codec name (\"*\" for all)", ArgType::Word)
            },
            arg(
                "priority",
                "Priority (0-255, 0 disables)",
                ArgType::Number { min: 0, max: 255 },
            ),
        ],
        |v| {
            Some(Command::CodecPriority {
                codec: v.string()?,
                priority: u8::try_from(v.number()?).ok()?,
            })
        },
    ),
    simple("dq", &["call dump_q"], "dump call quality", |_| {
        Some(Command::DumpCallQuality)
    }),
    Spec {
        aliases: &["ds"],
        ..simple("d", &["stat dump_stat"], "dump status", |_| {
            Some(Command::DumpStatus)
        })
    },
    simple("dd", &["stat dump_detail"], "dump detailed status", |_| {
        Some(Command::DumpDetailed)
    }),
    simple("dc", &["stat dump_conf"], "dump config", |_| {
        Some(Command::DumpConfig)
    }),
    spec(
        "f",
        &["stat write_setting"],
        "save config",
        &[arg("file name", "Enter output filename", ArgType::Text)],
        |v| Some(Command::SaveConfig { file: v.string()? }),
    ),
    simple("rr", &["acc reg"], "(re-)register", |_| {
        Some(Command::ReRegister)
    }),
    simple("ru", &["acc unreg"], "unregister", |_| {
        Some(Command::Unregister)
    }),
    simple("l", &["acc show"], "list accounts", |_| {
        Some(Command::ListAccounts)
    }),
    spec(
        "sleep",
        &["sleep"],
        "sleep",
        &[arg(
            "milliseconds",
            "Sleep (ms)",
            ArgType::Number {
                min: 0,
                max: u64::MAX,
            },
        )],
        |v| Some(Command::Sleep { ms: v.number()? }),
    ),
    spec(
        "echo",
        &[],
        "echo",
        &[arg("0|1|text", "Echo (0|1|text)", ArgType::Echo)],
        |v| match v.0.next()? {
            Value::Echo(e) => Some(Command::Echo(e)),
            _ => None,
        },
    ),
    Spec {
        aliases: &["help"],
        ..simple("?", &[], "show the menu", |_| Some(Command::Help))
    },
    Spec {
        aliases: &["quit"],
        ..simple("q", &["shutdown"], "quit", |_| Some(Command::Quit))
    },
];

/// pjsua commands ferrosip has not got (menu keys and CLI forms).
static UNSUPPORTED: &[(&str, &str)] = &[
    ("o", "toggle SDP offer in the next re-INVITE"),
    ("toggle_sdp_offer", "toggle SDP offer in the next re-INVITE"),
    ("S", "send arbitrary request"),
    ("call send_arb", "send arbitrary request"),
    ("D", "dialog event subscribe"),
    ("Du", "dialog event unsubscribe"),
    ("+a", "add account"),
    ("acc add", "add account"),
    ("-a", "delete account"),
    ("acc del", "delete account"),
    ("!a", "modify account"),
    ("acc mod", "modify account"),
    (">", "cycle next account"),
    ("acc next", "cycle next account"),
    ("<", "cycle previous account"),
    ("acc prev", "cycle previous account"),
    ("L", "reload"),
    ("restart", "reload"),
    ("I", "IP change"),
    ("ip_change", "IP change"),
    ("n", "detect NAT type"),
    ("network", "detect NAT type"),
    ("vid", "video"),
    ("video", "video"),
    ("audio speakertog", "toggle audio output route"),
];

/// The CLI groups, whose first word is followed by a subcommand.
static GROUPS: &[&str] = &["call", "im", "acc", "audio", "stat", "video"];

fn resolve(
    first: &str,
    cur: &mut Cursor<'_>,
) -> Result<(&'static Spec, String, Option<Value>), ParseError> {
    let label = |spec: &Spec, typed: &str| format!("{typed} ({})", spec.name);
    if let Some(group) = GROUPS.iter().copied().find(|g| *g == first) {
        if group == "video" {
            return Err(ParseError::NotSupported {
                command: group.to_owned(),
                what: "video",
            });
        }
        let sub = cur.token();
        if let Some(sub) = sub {
            let typed = format!("{group} {sub}");
            if let Some(spec) = SPECS.iter().find(|s| s.cli.contains(&typed.as_str())) {
                return Ok((spec, label(spec, &typed), None));
            }
            if let Some((_, what)) = UNSUPPORTED.iter().find(|(k, _)| *k == typed) {
                return Err(ParseError::NotSupported {
                    command: typed,
                    what,
                });
            }
        }
        let prefix = format!("{group} ");
        let mut choices: Vec<&str> = SPECS
            .iter()
            .flat_map(|s| s.cli.iter())
            .chain(UNSUPPORTED.iter().map(|(k, _)| k))
            .filter_map(|c| c.strip_prefix(prefix.as_str()))
            .collect();
        choices.dedup();
        return Err(ParseError::Subcommand {
            group,
            input: sub.map(shorten),
            choices: choices.join(", "),
        });
    }
    if let Some(spec) = SPECS
        .iter()
        .find(|s| s.key == first || s.aliases.contains(&first) || s.cli.contains(&first))
    {
        return Ok((spec, label(spec, first), None));
    }
    // pjsua's R takes its option as the key's second letter.
    let redirect = first
        .strip_prefix('R')
        .and_then(|letter| ArgType::Redirect.check(letter).ok())
        .zip(SPECS.iter().find(|s| s.key == "R"));
    if let Some((value, spec)) = redirect {
        return Ok((spec, label(spec, first), Some(value)));
    }
    if let Some((_, what)) = UNSUPPORTED.iter().find(|(k, _)| *k == first) {
        return Err(ParseError::NotSupported {
            command: first.to_owned(),
            what,
        });
    }
    Err(ParseError::Unknown {
        input: shorten(first),
    })
}

pub(super) fn spec_name(key: &str) -> &'static str {
    SPECS.iter().find(|s| s.key == key).map_or("", |s| s.name)
}

pub(super) fn spec_supported(key: &str) -> bool {
    SPECS.iter().any(|s| s.key == key && s.supported)
}

/// The menu keys of the commands, with their names and whether ferrosip
/// has them (tests).
#[cfg(test)]
pub(super) fn specs() -> impl Iterator<Item = (&'static str, &'static str, bool)> {
    SPECS.iter().map(|s| (s.key, s.name, s.supported))
}

/// Every CLI long form with the key it stands for (tests).
#[cfg(test)]
pub(super) fn cli_forms() -> impl Iterator<Item = (&'static str, &'static str)> {
    SPECS
        .iter()
        .flat_map(|s| s.cli.iter().map(move |c| (*c, s.key)))
}
