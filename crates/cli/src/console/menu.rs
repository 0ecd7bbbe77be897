//! The menu the console prints (pjsua's `keystroke_help`).

/// Marks, in the menu, what ferrosip does not do yet.
pub const NOT_YET: &str = "(n/a)";

/// A menu entry: key, text, and whether ferrosip has it.
type Entry = (&'static str, &'static str, bool);

const CALLS: &[Entry] = &[
    ("m", "Make new call", true),
    ("M", "Make multiple calls", true),
    ("a", "Answer call", true),
    ("h", "Hangup call  (ha=all)", true),
    ("H", "Hold call", true),
    ("v", "re-inVite (unhold)", true),
    ("U", "send UPDATE", true),
    ("],[", "Select next/prev call", true),
    ("x", "Xfer call", true),
    ("X", "Xfer with Replaces", true),
    ("R", "Redirect (a/A/r/s)", true),
    ("#", "Send RFC 2833 DTMF", true),
    ("*", "Send DTMF with INFO", true),
    ("dq", "Dump call quality", true),
];

const BUDDIES: &[Entry] = &[
    ("+b", "Add new buddy", false),
    ("-b", "Delete buddy", false),
    ("i", "Send IM", true),
    ("s", "Subscribe pres.", false),
    ("u", "Unsubscribe pres.", false),
    ("t", "ToGgle online", false),
    ("T", "Set status text", false),
    ("bl", "Buddy list", false),
];

const MEDIA: &[Entry] = &[
    ("cl", "List ports", true),
    ("cc", "Connect port", true),
    ("cd", "Disconnect port", true),
    ("V", "Adjust audio Volume", true),
    ("Cp", "Codec priorities", true),
];

const ACCOUNTS: &[Entry] = &[
    ("rr", "(Re-)register", true),
    ("ru", "Unregister", true),
    ("l", "List accounts", true),
];

const STATUS: &[Entry] = &[
    ("d", "Dump status", true),
    ("dd", "Dump detailed", true),
    ("dc", "Dump config", true),
    ("f", "Save config", true),
];

fn entry(&(key, text, supported): &Entry) -> String {
    let mark = if supported {
        String::new()
    } else {
        format!(" {NOT_YET}")
    };
    format!("{key:>3}  {text}{mark}")
}

/// One column: a heading, a blank line, the entries; then maybe another
/// section below.
fn column(sections: &[(&str, &[Entry])]) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, (heading, entries)) in sections.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        lines.push(format!(" {heading}"));
        lines.push(String::new());
        lines.extend(entries.iter().map(entry));
    }
    lines
}

/// The menu: pjsua's keys grouped as pjsua shows them (calls; buddy, IM
/// and presence; account; media; status and config), those ferrosip does
/// not have yet marked [`NOT_YET`], and how to give arguments.
pub fn menu() -> String {
    let columns = [
        column(&[("Call Commands:", CALLS)]),
        column(&[
            ("Buddy, IM & Presence:", BUDDIES),
            ("Media Commands:", MEDIA),
        ]),
        column(&[("Account:", ACCOUNTS), ("Status & Config:", STATUS)]),
    ];
    let widths: Vec<usize> = columns
        .iter()
        .map(|c| c.iter().map(|l| l.chars().count()).max().unwrap_or(0) + 1)
        .collect();
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
    let inner: usize = widths.iter().sum::<usize>() + widths.len() - 1;
    let rule = |c: char| format!("+{}+\n", c.to_string().repeat(inner));
    let boxed = |text: &str| {
        let pad = inner.saturating_sub(text.chars().count());
        format!("|{text}{}|\n", " ".repeat(pad))
    };

    let mut out = String::new();
    out.push_str(&rule('='));
    for row in 0..rows {
        let cells: Vec<String> = columns
            .iter()
            .zip(&widths)
            .map(|(col, &w)| {
                let text = col.get(row).map_or("", String::as_str);
                let pad = w.saturating_sub(text.chars().count());
                format!("{text}{}", " ".repeat(pad))
            })
            .collect();
        out.push('|');
        out.push_str(&cells.join("|"));
        out.push_str("|\n");
    }
    out.push_str(&rule('-'));
    out.push_str(&boxed(
        "   q  QUIT   sleep MS   echo [0|1|txt]   ?  this menu",
    ));
    out.push_str(&boxed(&format!(
        " {NOT_YET}: pjsua has it, ferrosip not yet; also S (arbitrary request),"
    )));
    out.push_str(&boxed(
        " +a/-a/!a (add/del/modify account), >/< (cycle account), o, D, L, I, n, vid",
    ));
    out.push_str(&rule('-'));
    for line in [
        " Arguments may follow the key (m sip:bob@host, # 123, cc 1 2, i URL hello);",
        " if not, they are asked for. One command a line: scripts can pipe them in.",
        " pjsua's --use-cli forms work too: call new URL, call hangup, call d_2833 1,",
        " im send_im URL TEXT, audio conf_con 1 2, stat dump_stat, shutdown...",
    ] {
        out.push_str(&boxed(line));
    }
    out.push_str(&rule('='));
    out
}

/// Every menu key listed, with whether it is marked supported (tests).
#[cfg(test)]
pub(super) fn entries() -> impl Iterator<Item = &'static Entry> {
    CALLS
        .iter()
        .chain(BUDDIES)
        .chain(MEDIA)
        .chain(ACCOUNTS)
        .chain(STATUS)
}
