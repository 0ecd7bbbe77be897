//! `--help` and `--version`.

use std::sync::OnceLock;

use super::spec::{Group, SPECS, UNSUPPORTED};

/// pjsua-style help: usage, then every supported option by group, and
/// the pjsua options not supported yet.
pub fn help() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(build_help)
}

fn build_help() -> String {
    let mut s = String::new();
    s.push_str("Usage:\n");
    s.push_str("  ferrosip [options] [SIP URL to call]\n");
    s.push_str("  ferrosip demo\n\n");
    s.push_str("Options take a value as --opt=value or --opt value; a unique prefix of a\n");
    s.push_str("name works too (--auto-ans 200). Options also come from --config-file\n");
    s.push_str("(pjsua's format: options separated by white space, one a line by\n");
    s.push_str("convention, \"quotes\" for values with spaces, # comments).\n");
    for group in Group::ALL {
        s.push('\n');
        s.push_str(group.title());
        s.push_str(":\n");
        for spec in SPECS.iter().filter(|x| x.group == group) {
            let head = match spec.arg {
                Some(arg) => format!("--{}={}", spec.name, arg),
                None => format!("--{}", spec.name),
            };
            wrap(&mut s, &head, spec.help);
        }
    }
    s.push_str("\nNot supported yet (refused with an error): ");
    let names: Vec<String> = UNSUPPORTED
        .iter()
        .map(|u| format!("--{}{}", u.name, if u.takes_value { "=.." } else { "" }))
        .collect();
    let mut col = 42;
    for (i, n) in names.iter().enumerate() {
        let piece = if i + 1 == names.len() {
            format!("{n}.")
        } else {
            format!("{n}, ")
        };
        if col + piece.len() > 78 {
            s.truncate(s.trim_end().len());
            s.push_str("\n  ");
            col = 2;
        }
        s.push_str(&piece);
        col += piece.len();
    }
    s.push('\n');
    s
}

/// Writes `  head  text`, the text wrapped at 78 columns under column 26.
fn wrap(s: &mut String, head: &str, text: &str) {
    const INDENT: usize = 26;
    let mut line = format!("  {head}");
    if line.len() + 1 >= INDENT {
        s.push_str(&line);
        s.push('\n');
        line = String::new();
    }
    for word in text.split_whitespace() {
        if line.len() < INDENT {
            line.push_str(&" ".repeat(INDENT - line.len()));
        } else if line.len() + 1 + word.len() > 78 {
            s.push_str(&line);
            s.push('\n');
            line = " ".repeat(INDENT);
        } else {
            line.push(' ');
        }
        line.push_str(word);
    }
    s.push_str(&line);
    s.push('\n');
}

/// `--version`: the program, its version, and the PJSUA2 API it follows.
pub fn version() -> String {
    format!(
        "ferrosip {} (a Rust rebuild of PJSIP's PJSUA2 API; pjsua's options and console)",
        env!("CARGO_PKG_VERSION")
    )
}
