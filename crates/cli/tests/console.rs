//! The console through the crate's public API only, as the softphone will
//! use it: an executor written outside the crate, driven by a script on
//! "stdin".

use std::io::Cursor;

use ferrosip_cli::console::{
    Command, Console, ConsoleOptions, Outcome, PromptContext, Target, parse, run_console,
    run_console_with,
};

/// A pretend softphone: one call at a time, a conference bridge with
/// three ports.
#[derive(Default)]
struct Phone {
    call: Option<String>,
    held: bool,
    connections: Vec<(u32, u32)>,
    log: Vec<String>,
}

impl Console for Phone {
    fn execute(&mut self, cmd: &Command) -> Outcome {
        self.log.push(cmd.to_string());
        match cmd {
            Command::MakeCall {
                target: Target::Url(url),
            } => {
                self.call = Some(url.clone());
                Outcome::Done(format!("calling {url}"))
            }
            Command::Hold | Command::Reinvite | Command::Dtmf2833 { .. } if self.call.is_none() => {
                Outcome::Failed("No current call".to_owned())
            }
            Command::Hold => {
                self.held = true;
                Outcome::done()
            }
            Command::Reinvite => {
                self.held = false;
                Outcome::done()
            }
            Command::ConfConnect { src, dst } if *src < 3 && *dst < 3 => {
                self.connections.push((*src, *dst));
                Outcome::Done("Success".to_owned())
            }
            Command::ConfConnect { .. } => Outcome::Failed("ERROR!! no such port".to_owned()),
            Command::Hangup => match self.call.take() {
                Some(url) => Outcome::Done(format!("hung up {url}")),
                None => Outcome::Failed("No current call".to_owned()),
            },
            c if !c.supported() => Outcome::NotSupported,
            _ => Outcome::done(),
        }
    }

    fn context(&mut self, what: PromptContext) -> String {
        match what {
            PromptContext::Buddies => "Buddy list:\n -none-".to_owned(),
            PromptContext::ConfPorts => {
                "Conference ports:\nPort #00 sound\nPort #01 call\nPort #02 player".to_owned()
            }
            _ => String::new(),
        }
    }

    fn status(&mut self) -> String {
        let n = usize::from(self.call.is_some());
        format!("You have {n} active call{}", if n == 1 { "" } else { "s" })
    }
}

#[test]
fn a_scripted_session_drives_the_phone() {
    let script = "\
H
m
sip:bob@127.0.0.1:5070
H
v
# 1234
cc
2
1
cc 7 1
+b sip:carol@host
?
h
q
d
";
    let mut phone = Phone::default();
    let mut out = Vec::new();
    let options = ConsoleOptions {
        show_menu: false,
        ..ConsoleOptions::default()
    };
    let end = run_console_with(Cursor::new(script), &mut out, &mut phone, &options).unwrap();
    let out = String::from_utf8(out).unwrap();

    assert!(end.quit);
    assert_eq!(end.errors, 2, "{out}");
    assert_eq!(
        phone.log,
        [
            "H",
            "m sip:bob@127.0.0.1:5070",
            "H",
            "v",
            "# 1234",
            "cc 2 1",
            "cc 7 1",
            "+b sip:carol@host",
            "h",
            "q"
        ]
    );
    assert_eq!(phone.connections, [(2, 1)]);
    assert!(!phone.held);
    assert!(
        out.contains("error: H (hold call): No current call"),
        "{out}"
    );
    assert!(out.contains("Buddy list:\n -none-\nChoices:"), "{out}");
    assert!(
        out.contains("Make call: calling sip:bob@127.0.0.1:5070"),
        "{out}"
    );
    assert!(out.contains("Port #02 player\nConnect src port #"), "{out}");
    assert!(
        out.contains("error: cc (connect conference ports): ERROR!! no such port"),
        "{out}"
    );
    assert!(out.contains("+b (add buddy): not supported yet"), "{out}");
    assert!(out.contains("You have 1 active call\n"), "{out}");
    assert!(out.contains("hung up sip:bob@127.0.0.1:5070"), "{out}");
}

#[test]
fn run_console_prints_the_menu_and_ends_at_eof() {
    let mut phone = Phone::default();
    let mut out = Vec::new();
    let end = run_console(&b"l\n"[..], &mut out, &mut phone).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(!end.quit);
    assert_eq!(end.executed, 1);
    assert!(out.starts_with(&ferrosip_cli::console::menu()), "{out}");
    assert!(out.contains("You have 0 active calls"), "{out}");
}

#[test]
fn parse_is_usable_alone() {
    assert_eq!(parse("call hangup").unwrap(), Command::Hangup);
    let e = parse("m bob").unwrap_err();
    assert_eq!(
        e.to_string(),
        "m (make call): bad URL \"bob\": not a URL (sip:user@host)"
    );
}
