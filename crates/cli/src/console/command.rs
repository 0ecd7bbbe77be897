//! The commands of the console, as values: what [`parse`](super::parse)
//! and the [`Prompter`](super::Prompter) produce and a
//! [`Console`](super::Console) executes.

use std::fmt;

/// Where a command goes: pjsua's `ui_input_url` answer, which is a URL or
/// a number (an index in the buddy list, `0` for the current call, `-1`
/// for every buddy). Which of these a command takes is checked when it is
/// parsed (a call cannot be made to "all buddies").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A SIP (or `sips:`, `tel:`) URL, as typed (`sip:bob@host`,
    /// `<sip:bob@host;transport=tcp>`).
    Url(String),
    /// Buddy number `N` of the buddy list, counted from 1 as pjsua shows it.
    Buddy(u32),
    /// `0`: the current call (its dialog).
    CurrentCall,
    /// `-1`: every buddy in the buddy list.
    AllBuddies,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Url(url) => f.write_str(url),
            Self::Buddy(n) => write!(f, "{n}"),
            Self::CurrentCall => f.write_str("0"),
            Self::AllBuddies => f.write_str("-1"),
        }
    }
}

/// What `R` does with the redirection target the current call was given
/// by a 3xx (pjsua's `R` + one letter; `call redirect 0..3` in the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RedirectChoice {
    /// `Ra` / `0`: call the target and make it the call's remote URI
    /// (`PJSIP_REDIRECT_ACCEPT_REPLACE`).
    AcceptReplace,
    /// `RA` / `1`: call the target (`PJSIP_REDIRECT_ACCEPT`).
    Accept,
    /// `Rr` / `2`: skip this target, ask about the next one
    /// (`PJSIP_REDIRECT_REJECT`).
    Reject,
    /// `Rs` / `3`: give up; the call ends with the 3xx
    /// (`PJSIP_REDIRECT_STOP`).
    Stop,
}

impl RedirectChoice {
    /// The letter pjsua reads after `R`.
    pub fn letter(self) -> char {
        match self {
            Self::AcceptReplace => 'a',
            Self::Accept => 'A',
            Self::Reject => 'r',
            Self::Stop => 's',
        }
    }
}

/// The choices of `T` (pjsua's `ui_change_online_status`, numbered from 1
/// as it lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnlineStatus {
    /// 1: online, no activity.
    Available,
    /// 2: busy.
    Busy,
    /// 3: busy, note "On the phone".
    OnThePhone,
    /// 4: idle.
    Idle,
    /// 5: away.
    Away,
    /// 6: away for a moment, note "Be right back".
    BeRightBack,
    /// 7: offline.
    Offline,
}

impl OnlineStatus {
    /// All of them, in pjsua's order (number `i + 1`).
    pub const ALL: [Self; 7] = [
        Self::Available,
        Self::Busy,
        Self::OnThePhone,
        Self::Idle,
        Self::Away,
        Self::BeRightBack,
        Self::Offline,
    ];

    /// The number pjsua shows for it (1 to 7).
    pub fn number(self) -> u8 {
        match self {
            Self::Available => 1,
            Self::Busy => 2,
            Self::OnThePhone => 3,
            Self::Idle => 4,
            Self::Away => 5,
            Self::BeRightBack => 6,
            Self::Offline => 7,
        }
    }

    /// The status with that number, if 1 to 7.
    pub fn from_number(n: u64) -> Option<Self> {
        let i = usize::try_from(n.checked_sub(1)?).ok()?;
        Self::ALL.get(i).copied()
    }

    /// Its name, as pjsua lists it ("On the phone").
    pub fn text(self) -> &'static str {
        match self {
            Self::Available => "Available",
            Self::Busy => "Busy",
            Self::OnThePhone => "On the phone",
            Self::Idle => "Idle",
            Self::Away => "Away",
            Self::BeRightBack => "Be right back",
            Self::Offline => "Offline",
        }
    }
}

/// `echo`'s argument: pjsua's `echo [0|1|txt]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EchoArg {
    /// `echo 1` (or `on`): print every command line read, as pjsua does,
    /// so that a transcript of a piped session shows its input.
    On,
    /// `echo 0` (or `off`): stop that.
    Off,
    /// `echo some text`: print the text (markers in scripts' output).
    Text(String),
}

/// One console command: pjsua's menu keys for what ferrosip has, with
/// their arguments. [`Command::key`] is the menu key; `Display` writes the
/// command back as one line [`parse`](super::parse) reads (`m sip:bob@host`).
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `m URL`: make a call (`call new`).
    MakeCall {
        /// Who to call: a URL or a buddy number.
        target: Target,
    },
    /// `M COUNT URL`: make `count` calls to the same target (`call multi`).
    MakeCalls {
        /// How many calls, at least 1.
        count: u32,
        /// Who to call: a URL or a buddy number.
        target: Target,
    },
    /// `a CODE [CONTACT]`: answer the current (incoming) call with a
    /// status code 100-699; a 3xx also takes the URL put in its Contact
    /// (`call answer`).
    Answer {
        /// The status code.
        code: u16,
        /// The redirection target of a 3xx.
        contact: Option<String>,
    },
    /// `h`: hang up the current call (`call hangup`).
    Hangup,
    /// `ha`: hang up all calls (`call hangup_all`).
    HangupAll,
    /// `H`: put the current call on hold (`call hold`).
    Hold,
    /// `v`: re-INVITE, releasing hold (`call reinvite`).
    Reinvite,
    /// `U`: send UPDATE (`call update`).
    Update,
    /// `]`: make the next call current (`call next`).
    NextCall,
    /// `[`: make the previous call current (`call previous`).
    PrevCall,
    /// `call list`: show the calls.
    ListCalls,
    /// `x URL`: transfer the current call (REFER) (`call transfer`).
    Transfer {
        /// Where to: a URL or a buddy number.
        target: Target,
    },
    /// `X CALL`: attended transfer: the current call is transferred to the
    /// remote party of call `call`, with Replaces
    /// (`call transfer_replaces`).
    TransferReplaces {
        /// The call to be replaced.
        call: u32,
    },
    /// `R a|A|r|s` (or `Ra`, `RA`, `Rr`, `Rs`): decide about the current
    /// call's redirection target (`call redirect 0..3`).
    Redirect {
        /// The decision.
        choice: RedirectChoice,
    },
    /// `# DIGITS`: send DTMF as RFC 2833 events (`call d_2833`).
    Dtmf2833 {
        /// 0-9, `*`, `#`, A-D.
        digits: String,
    },
    /// `* DIGITS`: send DTMF with SIP INFO (`call d_info`).
    DtmfInfo {
        /// 0-9, `*`, `#`, A-D.
        digits: String,
    },
    /// `i URL TEXT`: send an instant message (MESSAGE), to a URL, a buddy
    /// or (`0`) within the current call (`im send_im`).
    SendIm {
        /// To whom.
        target: Target,
        /// The message: the rest of the line.
        text: String,
    },
    /// `+b URL`: add a buddy (`im add_b`).
    AddBuddy {
        /// The buddy's URI.
        uri: String,
    },
    /// `-b N`: delete buddy number `n` (`im del_b`).
    DeleteBuddy {
        /// The buddy's number, from 1.
        buddy: u32,
    },
    /// `bl`: show the buddy list (`im bud_list`).
    ListBuddies,
    /// `s N|-1`: subscribe to a buddy's presence (or all of theirs)
    /// (`im sub_pre`).
    Subscribe {
        /// A buddy number or all buddies.
        target: Target,
    },
    /// `u N|-1`: unsubscribe (`im unsub_pre`).
    Unsubscribe {
        /// A buddy number or all buddies.
        target: Target,
    },
    /// `t`: toggle the account's online status (`im tog_state`).
    ToggleOnline,
    /// `T 1..7`: set the online status (`im pre_text`).
    SetOnlineStatus {
        /// The status.
        status: OnlineStatus,
    },
    /// `cl`: list the conference bridge's ports (`audio list`).
    ConfList,
    /// `cc P Q`: connect port `src` to port `dst` (`audio conf_con`).
    ConfConnect {
        /// The source port.
        src: u32,
        /// The destination port.
        dst: u32,
    },
    /// `cd P Q`: disconnect them (`audio conf_dis`).
    ConfDisconnect {
        /// The source port.
        src: u32,
        /// The destination port.
        dst: u32,
    },
    /// `V MIC SPEAKER`: set the microphone and speaker levels (1.0 is
    /// unchanged signal; `-` or an empty answer keeps a level)
    /// (`audio adjust_vol`).
    AdjustVolume {
        /// The new microphone (capture) level.
        mic: Option<f32>,
        /// The new speaker (playback) level.
        speaker: Option<f32>,
    },
    /// `Cp CODEC PRIO`: set a codec's priority, 0-255, 0 disabling it;
    /// `*` for all codecs (`audio codec_prio`).
    CodecPriority {
        /// The codec id or prefix (`PCMU`, `speex/16000`, `*`).
        codec: String,
        /// The priority.
        priority: u8,
    },
    /// `dq`: dump the current call's quality (statistics) (`call dump_q`).
    DumpCallQuality,
    /// `d`: dump the status (`stat dump_stat`).
    DumpStatus,
    /// `dd`: dump the status in detail (`stat dump_detail`).
    DumpDetailed,
    /// `dc`: dump the configuration, as `f` would write it
    /// (`stat dump_conf`).
    DumpConfig,
    /// `f FILE`: save the configuration in pjsua's `--config-file` format
    /// (`stat write_setting`).
    SaveConfig {
        /// Where to.
        file: String,
    },
    /// `rr`: (re-)register the current account (`acc reg`).
    ReRegister,
    /// `ru`: unregister it (`acc unreg`).
    Unregister,
    /// `l`: list the accounts (`acc show`).
    ListAccounts,
    /// `sleep MS`: wait (scripts).
    Sleep {
        /// Milliseconds.
        ms: u64,
    },
    /// `echo 0|1|TEXT`: command echo off/on, or print a text. The console
    /// loop handles it; executors never see it.
    Echo(EchoArg),
    /// `?` or `help`: print the menu. The console loop handles it.
    Help,
    /// `q` (`shutdown`): quit. The loop gives it to the executor (to hang
    /// up and shut down), then stops.
    Quit,
}

impl Command {
    /// pjsua's menu key of the command (`m`, `ha`, `#`, `sleep`…).
    pub fn key(&self) -> &'static str {
        match self {
            Self::MakeCall { .. } => "m",
            Self::MakeCalls { .. } => "M",
            Self::Answer { .. } => "a",
            Self::Hangup => "h",
            Self::HangupAll => "ha",
            Self::Hold => "H",
            Self::Reinvite => "v",
            Self::Update => "U",
            Self::NextCall => "]",
            Self::PrevCall => "[",
            Self::ListCalls => "call list",
            Self::Transfer { .. } => "x",
            Self::TransferReplaces { .. } => "X",
            Self::Redirect { .. } => "R",
            Self::Dtmf2833 { .. } => "#",
            Self::DtmfInfo { .. } => "*",
            Self::SendIm { .. } => "i",
            Self::AddBuddy { .. } => "+b",
            Self::DeleteBuddy { .. } => "-b",
            Self::ListBuddies => "bl",
            Self::Subscribe { .. } => "s",
            Self::Unsubscribe { .. } => "u",
            Self::ToggleOnline => "t",
            Self::SetOnlineStatus { .. } => "T",
            Self::ConfList => "cl",
            Self::ConfConnect { .. } => "cc",
            Self::ConfDisconnect { .. } => "cd",
            Self::AdjustVolume { .. } => "V",
            Self::CodecPriority { .. } => "Cp",
            Self::DumpCallQuality => "dq",
            Self::DumpStatus => "d",
            Self::DumpDetailed => "dd",
            Self::DumpConfig => "dc",
            Self::SaveConfig { .. } => "f",
            Self::ReRegister => "rr",
            Self::Unregister => "ru",
            Self::ListAccounts => "l",
            Self::Sleep { .. } => "sleep",
            Self::Echo(_) => "echo",
            Self::Help => "?",
            Self::Quit => "q",
        }
    }

    /// What the command does, in a few words ("make call").
    pub fn name(&self) -> &'static str {
        super::parse::spec_name(self.key())
    }

    /// Whether ferrosip can do it today. The others (presence and
    /// buddies) parse, and the executor answers
    /// [`Outcome::NotSupported`](super::Outcome::NotSupported); the menu
    /// marks them.
    pub fn supported(&self) -> bool {
        super::parse::spec_supported(self.key())
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.key();
        match self {
            Self::MakeCall { target }
            | Self::Transfer { target }
            | Self::Subscribe { target }
            | Self::Unsubscribe { target } => write!(f, "{key} {target}"),
            Self::MakeCalls { count, target } => write!(f, "{key} {count} {target}"),
            Self::Answer { code, contact } => match contact {
                Some(contact) => write!(f, "{key} {code} {contact}"),
                None => write!(f, "{key} {code}"),
            },
            Self::TransferReplaces { call } => write!(f, "{key} {call}"),
            Self::Redirect { choice } => write!(f, "{key} {}", choice.letter()),
            Self::Dtmf2833 { digits } | Self::DtmfInfo { digits } => {
                write!(f, "{key} {digits}")
            }
            Self::SendIm { target, text } => write!(f, "{key} {target} {text}"),
            Self::AddBuddy { uri } => write!(f, "{key} {uri}"),
            Self::DeleteBuddy { buddy } => write!(f, "{key} {buddy}"),
            Self::SetOnlineStatus { status } => write!(f, "{key} {}", status.number()),
            Self::ConfConnect { src, dst } | Self::ConfDisconnect { src, dst } => {
                write!(f, "{key} {src} {dst}")
            }
            Self::AdjustVolume { mic, speaker } => {
                let level = |l: &Option<f32>| l.map_or_else(|| "-".to_owned(), |l| l.to_string());
                write!(f, "{key} {} {}", level(mic), level(speaker))
            }
            Self::CodecPriority { codec, priority } => write!(f, "{key} {codec} {priority}"),
            Self::SaveConfig { file } => write!(f, "{key} {file}"),
            Self::Sleep { ms } => write!(f, "{key} {ms}"),
            Self::Echo(arg) => match arg {
                EchoArg::On => write!(f, "{key} 1"),
                EchoArg::Off => write!(f, "{key} 0"),
                EchoArg::Text(text) => write!(f, "{key} {text}"),
            },
            _ => f.write_str(key),
        }
    }
}
