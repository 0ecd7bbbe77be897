//! The console loop and the executor interface the softphone implements.

use std::io::{self, BufRead, Write};

use super::command::{Command, EchoArg};
use super::menu::menu;
use super::parse::{PromptContext, Prompter, Step};

/// What executing a command gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done; the text (if not empty) is printed.
    Done(String),
    /// It failed; the reason is printed as an error and counted.
    Failed(String),
    /// ferrosip cannot do it yet (presence, buddies); the console says so.
    NotSupported,
}

impl Outcome {
    /// Done, nothing to print.
    pub fn done() -> Self {
        Self::Done(String::new())
    }
}

/// Executes console commands: the softphone implements it; tests use a
/// fake that records what it is given.
pub trait Console {
    /// Executes one command. The loop handles [`Command::Help`] and
    /// [`Command::Echo`] itself and never passes them; [`Command::Quit`]
    /// is passed (to hang up and shut down), then the loop ends whatever
    /// the outcome. [`Command::Sleep`] is the executor's, so that it keeps
    /// handling events while it waits.
    fn execute(&mut self, cmd: &Command) -> Outcome;

    /// What to show before a prompt (the buddy list before a URL is asked
    /// for, the ports before `cc`'s…). Nothing by default.
    fn context(&mut self, what: PromptContext) -> String {
        let _ = what;
        String::new()
    }

    /// The state shown with the menu (pjsua's account list before it,
    /// "You have 1 active call" after). Nothing by default.
    fn status(&mut self) -> String {
        String::new()
    }
}

impl<C: Console + ?Sized> Console for &mut C {
    fn execute(&mut self, cmd: &Command) -> Outcome {
        (**self).execute(cmd)
    }
    fn context(&mut self, what: PromptContext) -> String {
        (**self).context(what)
    }
    fn status(&mut self) -> String {
        (**self).status()
    }
}

/// How [`run_console_with`] behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleOptions {
    /// Print the menu when starting (pjsua does).
    pub show_menu: bool,
    /// Print each line read (pjsua's `echo 1`), for transcripts of piped
    /// input.
    pub echo: bool,
    /// Printed before each command is read.
    pub prompt: String,
}

impl Default for ConsoleOptions {
    fn default() -> Self {
        Self {
            show_menu: true,
            echo: false,
            prompt: ">>> ".to_owned(),
        }
    }
}

/// How a console session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConsoleEnd {
    /// By `q` (otherwise by the end of the input).
    pub quit: bool,
    /// Commands given to the executor (`q` included).
    pub executed: usize,
    /// Lines that were no command plus commands that failed.
    pub errors: usize,
}

/// Runs the console with the default [`ConsoleOptions`]: reads commands
/// from `input`, one a line, asks for missing arguments, executes them with
/// `exec`, writes prompts and results to `output`; stops at `q` or at the
/// end of the input. No terminal needed: stdin may be a pipe or a file.
pub fn run_console<R: BufRead, W: Write, C: Console + ?Sized>(
    input: R,
    output: W,
    exec: &mut C,
) -> io::Result<ConsoleEnd> {
    run_console_with(input, output, exec, &ConsoleOptions::default())
}

/// [`run_console`] with options.
pub fn run_console_with<R: BufRead, W: Write, C: Console + ?Sized>(
    mut input: R,
    mut out: W,
    exec: &mut C,
    options: &ConsoleOptions,
) -> io::Result<ConsoleEnd> {
    let mut end = ConsoleEnd::default();
    let mut echo = options.echo;
    let mut prompter = Prompter::new();
    if options.show_menu {
        show_menu(&mut out, exec)?;
    }
    let mut buf = Vec::new();
    loop {
        if !prompter.is_waiting() {
            write!(out, "{}", options.prompt)?;
        }
        out.flush()?;
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            if let Some(key) = prompter.cancel() {
                writeln!(out)?;
                writeln!(out, "{key}: cancelled (end of input)")?;
            }
            break;
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\n', '\r']);
        if echo {
            writeln!(out, "{line}")?;
        }
        match prompter.feed(line) {
            Step::Idle => {}
            Step::Prompt(prompt) => {
                if let Some(what) = prompt.context {
                    write_block(&mut out, &exec.context(what))?;
                }
                if let Some(help) = prompt.help {
                    write_block(&mut out, help)?;
                }
                write!(out, "{}", prompt.text)?;
            }
            Step::Cancelled { command } => writeln!(out, "{command}: cancelled")?,
            Step::Error(e) => {
                end.errors += 1;
                writeln!(out, "error: {e}")?;
            }
            Step::Command(Command::Help) => show_menu(&mut out, exec)?,
            Step::Command(Command::Echo(arg)) => match arg {
                EchoArg::On => echo = true,
                EchoArg::Off => echo = false,
                EchoArg::Text(text) => writeln!(out, "{text}")?,
            },
            Step::Command(cmd) => {
                end.executed += 1;
                match exec.execute(&cmd) {
                    Outcome::Done(text) => write_block(&mut out, &text)?,
                    Outcome::Failed(why) => {
                        end.errors += 1;
                        writeln!(out, "error: {} ({}): {why}", cmd.key(), cmd.name())?;
                    }
                    Outcome::NotSupported => {
                        writeln!(out, "{} ({}): not supported yet", cmd.key(), cmd.name())?
                    }
                }
                if cmd == Command::Quit {
                    end.quit = true;
                    break;
                }
            }
        }
    }
    out.flush()?;
    Ok(end)
}

fn show_menu<W: Write, C: Console + ?Sized>(out: &mut W, exec: &mut C) -> io::Result<()> {
    write!(out, "{}", menu())?;
    write_block(out, &exec.status())
}

/// Writes a text ending it with a newline, or nothing if it is empty.
fn write_block<W: Write>(out: &mut W, text: &str) -> io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    Ok(())
}
