//! The table of options: every pjsua option ferrosip knows, whether it
//! takes a value, and its help.

/// The help groups, in pjsua's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Group {
    General,
    Account,
    Transport,
    Media,
    User,
}

impl Group {
    pub(super) const ALL: [Self; 5] = [
        Self::General,
        Self::Account,
        Self::Transport,
        Self::Media,
        Self::User,
    ];

    pub(super) fn title(self) -> &'static str {
        match self {
            Self::General => "General options",
            Self::Account => "SIP Account options (the last --next-account's)",
            Self::Transport => "Transport options",
            Self::Media => "Media options",
            Self::User => "User Agent options",
        }
    }
}

/// A supported option.
#[derive(Debug)]
pub(super) struct Spec {
    /// The name, without `--`.
    pub(super) name: &'static str,
    /// The value's placeholder in the help; `None` for a flag.
    pub(super) arg: Option<&'static str>,
    pub(super) group: Group,
    pub(super) help: &'static str,
}

const fn opt(
    name: &'static str,
    arg: Option<&'static str>,
    group: Group,
    help: &'static str,
) -> Spec {
    Spec {
        name,
        arg,
        group,
        help,
    }
}

use Group::{Account as A, General as G, Media as M, Transport as T, User as U};

/// Every supported option.
pub(super) const SPECS: &[Spec] = &[
    opt(
        "config-file",
        Some("file"),
        G,
        "Read more options from file, in place (later options override it)",
    ),
    opt(
        "json-config",
        Some("file"),
        G,
        "Start from a PJSUA2 JSON document (EpConfig, transports, accounts); the other options change it",
    ),
    opt(
        "log-file",
        Some("fname"),
        G,
        "Also write the log to this file",
    ),
    opt(
        "log-level",
        Some("N"),
        G,
        "Most verbose level logged, 0 (nothing) to 6 (everything) (default 5)",
    ),
    opt(
        "app-log-level",
        Some("N"),
        G,
        "Most verbose level shown on the console, 0-6 (default 4)",
    ),
    opt(
        "log-append",
        None,
        G,
        "Add to the log file instead of starting it afresh",
    ),
    opt("help", None, G, "Print this help and exit (also -h)"),
    opt("version", None, G, "Print the version and exit"),
    opt(
        "id",
        Some("url"),
        A,
        "This account's address (AOR), sent in From: sip:alice@example.com",
    ),
    opt(
        "registrar",
        Some("url"),
        A,
        "Register at this SIP URL (none: no registration)",
    ),
    opt(
        "realm",
        Some("string"),
        A,
        "Realm of the credential being given (default: any realm)",
    ),
    opt(
        "username",
        Some("string"),
        A,
        "User name of the credential being given",
    ),
    opt(
        "password",
        Some("string"),
        A,
        "Password of the credential being given",
    ),
    opt(
        "next-cred",
        None,
        A,
        "Start another credential for the same account",
    ),
    opt(
        "proxy",
        Some("url"),
        A,
        "Route the account's requests through this SIP URL (repeatable, in order)",
    ),
    opt(
        "contact",
        Some("url"),
        A,
        "Send this Contact URI instead of the transport's address",
    ),
    opt(
        "contact-params",
        Some("S"),
        A,
        "Parameters to add to the Contact header",
    ),
    opt(
        "contact-uri-params",
        Some("S"),
        A,
        "Parameters to add inside the Contact URI",
    ),
    opt(
        "reg-timeout",
        Some("SEC"),
        A,
        "Registration expiry asked for, seconds, 1-3600 (default 300)",
    ),
    opt(
        "rereg-delay",
        Some("SEC"),
        A,
        "Seconds to wait before retrying a failed registration (default 300)",
    ),
    opt(
        "reg-use-proxy",
        Some("N"),
        A,
        "Proxies REGISTER goes through: 0 none, 1 outbound ones, 2 the account's, 3 both (default 3)",
    ),
    opt(
        "publish",
        None,
        A,
        "Publish this account's presence (PUBLISH)",
    ),
    opt(
        "use-100rel",
        None,
        A,
        "Require reliable provisional responses (100rel, PRACK)",
    ),
    opt(
        "use-timer",
        Some("N"),
        A,
        "Session timers: 0 never, 1 if the peer supports them, 2 required, 3 always (default 1)",
    ),
    opt(
        "timer-se",
        Some("N"),
        A,
        "Session expiry asked for, seconds, 90 or more (default 1800)",
    ),
    opt(
        "timer-min-se",
        Some("N"),
        A,
        "Least session expiry accepted, seconds, 90 or more (default 90)",
    ),
    opt("rtcp-mux", None, A, "Offer RTP and RTCP on the same port"),
    opt(
        "next-account",
        None,
        A,
        "Start another account (the options after it are its own)",
    ),
    opt(
        "local-port",
        Some("port"),
        T,
        "SIP port of the UDP and TCP transports, 0 for any (default 5060)",
    ),
    opt(
        "ip-addr",
        Some("IP"),
        T,
        "Address to advertise for SIP and RTP instead of the local one",
    ),
    opt(
        "bound-addr",
        Some("IP"),
        T,
        "Local address to bind SIP and RTP sockets to",
    ),
    opt("no-tcp", None, T, "No TCP transport"),
    opt("no-udp", None, T, "No UDP transport"),
    opt("ipv6", None, T, "IPv6 transports as well, and IPv6 media"),
    opt(
        "outbound",
        Some("url"),
        T,
        "Route every request through this SIP URL (repeatable, in order)",
    ),
    opt(
        "null-audio",
        None,
        M,
        "No sound device (a null one runs the conference bridge)",
    ),
    opt(
        "add-codec",
        Some("name"),
        M,
        "Raise this codec above the others (repeatable; the last one given is preferred)",
    ),
    opt(
        "dis-codec",
        Some("name"),
        M,
        "Disable this codec (repeatable)",
    ),
    opt(
        "clock-rate",
        Some("N"),
        M,
        "Conference bridge clock rate, Hz, 8000-192000 (default 16000)",
    ),
    opt(
        "snd-clock-rate",
        Some("N"),
        M,
        "Sound device clock rate, Hz (default: the bridge's)",
    ),
    opt(
        "play-file",
        Some("file"),
        M,
        "Open this WAV file as a player in the bridge (repeatable)",
    ),
    opt(
        "play-tone",
        Some("FORMAT"),
        M,
        "Add a tone generator to the bridge: FORMAT is F1,F2,ON,OFF, two frequencies in Hz and on/off times in ms (repeatable)",
    ),
    opt(
        "auto-play",
        None,
        M,
        "Play the file (or tone) to each call once it is answered",
    ),
    opt(
        "auto-loop",
        None,
        M,
        "Send each call's received audio back to it",
    ),
    opt(
        "auto-conf",
        None,
        M,
        "Connect every call with every other call (a conference)",
    ),
    opt("rec-file", Some("file"), M, "Record to this WAV file"),
    opt(
        "auto-rec",
        None,
        M,
        "Record each call's audio to the --rec-file",
    ),
    opt(
        "rtp-port",
        Some("N"),
        M,
        "First local RTP port (default 4000; 0 picks one at random)",
    ),
    opt("quality", Some("N"), M, "Media quality, 0-10 (default 8)"),
    opt(
        "ptime",
        Some("MSEC"),
        M,
        "Packet time for outgoing audio, ms, 10-1000 (default: each codec's own)",
    ),
    opt("no-vad", None, M, "Turn voice activity detection off"),
    opt(
        "ec-tail",
        Some("MSEC"),
        M,
        "Echo canceller tail, ms, 0-1000; 0 turns it off (default 200)",
    ),
    opt(
        "ilbc-mode",
        Some("MODE"),
        M,
        "iLBC mode, 20 or 30 (default 30)",
    ),
    opt(
        "rx-drop-pct",
        Some("PCT"),
        M,
        "Drop this percentage of received RTP packets, to simulate loss (default 0)",
    ),
    opt(
        "tx-drop-pct",
        Some("PCT"),
        M,
        "Drop this percentage of sent RTP packets, to simulate loss (default 0)",
    ),
    opt(
        "jb-max-size",
        Some("N"),
        M,
        "Most delay the jitter buffer holds, ms (default -1: the library's)",
    ),
    opt(
        "snd-auto-close",
        Some("N"),
        M,
        "Close the idle sound device after N seconds; -1 never (default 1)",
    ),
    opt(
        "auto-answer",
        Some("code"),
        U,
        "Answer each incoming call at once with this status code, 100-699 (e.g. 200)",
    ),
    opt(
        "max-calls",
        Some("N"),
        U,
        "Most calls at once, 1 or more: no limit of 32 as in pjsua (default 4)",
    ),
    opt(
        "thread-cnt",
        Some("N"),
        U,
        "SIP worker threads, 0-128 (default 1)",
    ),
    opt(
        "duration",
        Some("SEC"),
        U,
        "Hang each call up after this many seconds (default: no limit)",
    ),
    opt(
        "norefersub",
        None,
        U,
        "Transfer calls without the implicit subscription (Refer-Sub: false)",
    ),
    opt(
        "use-compact-form",
        None,
        U,
        "Use SIP's compact header names, for smaller messages",
    ),
    opt(
        "accept-redirect",
        Some("N"),
        U,
        "On a 3xx: 0 reject, 1 follow, 2 follow and replace the To URI (default), 3 ask, 4 stop",
    ),
    opt(
        "add-buddy",
        Some("url"),
        U,
        "Add this URL to the buddy list (repeatable)",
    ),
];

/// What a known but unsupported option is about.
#[derive(Debug)]
pub(super) struct Unsupported {
    pub(super) name: &'static str,
    pub(super) takes_value: bool,
    pub(super) feature: &'static str,
}

const fn no(name: &'static str, takes_value: bool, feature: &'static str) -> Unsupported {
    Unsupported {
        name,
        takes_value,
        feature,
    }
}

const NAT: &str = "NAT traversal (STUN/ICE/TURN/UPnP)";
const TLS: &str = "TLS";
const SRTP: &str = "SRTP";
const VIDEO: &str = "video";
const SOUND: &str = "sound device selection";
const CLI: &str = "pjsua's telnet CLI";
const MISC: &str = "this pjsua option";

/// pjsua's options that ferrosip refuses with "not supported yet".
pub(super) const UNSUPPORTED: &[Unsupported] = &[
    no("color", false, MISC),
    no("no-color", false, MISC),
    no("light-bg", false, MISC),
    no("no-stderr", false, MISC),
    no("stereo", false, MISC),
    no("mwi", false, "message waiting indication"),
    no("use-ims", false, MISC),
    no("auto-update-nat", true, NAT),
    no("disable-stun", false, NAT),
    no("no-force-lr", false, MISC),
    no("aka-op", true, "AKA authentication"),
    no("aka-amf", true, "AKA authentication"),
    no("nameserver", true, "DNS SRV resolution"),
    no("stun-srv", true, NAT),
    no("upnp", true, NAT),
    no("offer-x-ms-msg", false, MISC),
    no("no-presence", false, MISC),
    no("auto-play-hangup", false, MISC),
    no("use-ice", false, NAT),
    no("ice-regular", false, NAT),
    no("ice-trickle", true, NAT),
    no("ice-max-hosts", true, NAT),
    no("ice-no-rtcp", false, NAT),
    no("use-turn", false, NAT),
    no("turn-srv", true, NAT),
    no("turn-tcp", false, NAT),
    no("turn-tls", false, NAT),
    no("turn-tls-ca-file", true, NAT),
    no("turn-tls-cert-file", true, NAT),
    no("turn-tls-privkey-file", true, NAT),
    no("turn-tls-privkey-pwd", true, NAT),
    no("turn-tls-neg-timeout", true, NAT),
    no("turn-tls-cipher", true, NAT),
    no("turn-user", true, NAT),
    no("turn-passwd", true, NAT),
    no("use-srtp", true, SRTP),
    no("srtp-secure", true, SRTP),
    no("srtp-keying", true, SRTP),
    no("complexity", true, MISC),
    no("ec-opt", true, "echo canceller options"),
    no("use-tls", false, TLS),
    no("tls-ca-file", true, TLS),
    no("tls-cert-file", true, TLS),
    no("tls-privkey-file", true, TLS),
    no("tls-password", true, TLS),
    no("tls-verify-server", false, TLS),
    no("tls-verify-client", false, TLS),
    no("tls-neg-timeout", true, TLS),
    no("tls-cipher", true, TLS),
    no("capture-dev", true, SOUND),
    no("playback-dev", true, SOUND),
    no("capture-lat", true, SOUND),
    no("playback-lat", true, SOUND),
    no("stdout-refresh", true, MISC),
    no("stdout-refresh-text", true, MISC),
    no("stdout-no-buf", false, MISC),
    no("no-tones", false, MISC),
    no("set-qos", false, "QoS marking"),
    no("no-mci", false, MISC),
    no("outb-rid", true, "SIP outbound (RFC 5626) options"),
    no("video", false, VIDEO),
    no("text", false, "real-time text"),
    no("text-red", true, "real-time text"),
    no("extra-audio", false, MISC),
    no("vcapture-dev", true, VIDEO),
    no("vrender-dev", true, VIDEO),
    no("play-avi", true, VIDEO),
    no("auto-play-avi", false, VIDEO),
    no("rec-avi", true, VIDEO),
    no("rec-avi-size", true, VIDEO),
    no("rec-avi-audio", false, VIDEO),
    no("auto-rec-avi", false, VIDEO),
    no("use-cli", false, CLI),
    no("cli-telnet-port", true, CLI),
    no("no-cli-console", false, CLI),
];

/// What a name given on the command line stands for.
#[derive(Debug)]
pub(super) enum Lookup {
    Known(&'static Spec),
    Unsupported(&'static Unsupported),
    /// Several options start with the name.
    Ambiguous(Vec<&'static str>),
    Unknown,
}

/// Finds an option by its full name or, as getopt does, by a prefix of
/// one option only.
pub(super) fn lookup(name: &str) -> Lookup {
    if let Some(s) = SPECS.iter().find(|s| s.name == name) {
        return Lookup::Known(s);
    }
    if let Some(u) = UNSUPPORTED.iter().find(|u| u.name == name) {
        return Lookup::Unsupported(u);
    }
    if name.is_empty() {
        return Lookup::Unknown;
    }
    let known: Vec<&'static Spec> = SPECS.iter().filter(|s| s.name.starts_with(name)).collect();
    let unsupported: Vec<&'static Unsupported> = UNSUPPORTED
        .iter()
        .filter(|u| u.name.starts_with(name))
        .collect();
    match (known.as_slice(), unsupported.as_slice()) {
        ([one], []) => Lookup::Known(one),
        ([], [one]) => Lookup::Unsupported(one),
        ([], []) => Lookup::Unknown,
        _ => Lookup::Ambiguous(
            known
                .iter()
                .map(|s| s.name)
                .chain(unsupported.iter().map(|u| u.name))
                .collect(),
        ),
    }
}

/// The supported option closest to `name` (edit distance at most a
/// third of its length, and at most 3), for "did you mean".
pub(super) fn suggest(name: &str) -> Option<&'static str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    SPECS
        .iter()
        .map(|s| (distance(name, s.name), s.name))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

/// Levenshtein distance between two short strings.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
