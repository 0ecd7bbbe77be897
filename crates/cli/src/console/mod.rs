//! pjsua's console commands, for the `ferrosip` softphone.
//!
//! pjsua's interactive menu (`pjsua_app_legacy.c`): one command a line,
//! named by its menu key (`m` make call, `h` hang up, `#` DTMF, `cc`
//! connect conference ports…; [`menu`] lists them), or by the long form of
//! pjsua's `--use-cli` mode (`call new`, `im send_im`, `audio conf_con`…).
//! pjsua asks for a command's arguments after its key; here they may
//! follow it on the same line (`m sip:bob@127.0.0.1:5070`, `cc 1 2`,
//! `i sip:bob@host hello there`), and what the line leaves out is asked
//! for with pjsua's prompts, the next lines answering ([`Prompter`]). Lines
//! come from any [`BufRead`](std::io::BufRead): a terminal, a pipe, a
//! script, a test.
//!
//! - [`Command`]: the commands, as values; [`parse`] reads one whole line.
//! - [`Prompter`]: reads lines, asking for missing arguments.
//! - [`Console`]: the executor the softphone implements; [`run_console`]
//!   is the loop (prompt, read, ask, execute, print; stops at `q` or at
//!   the end of the input).

mod command;
mod menu;
mod parse;
mod run;

pub use command::{Command, EchoArg, OnlineStatus, RedirectChoice, Target};
pub use menu::{NOT_YET, menu};
pub use parse::{ParseError, Prompt, PromptContext, Prompter, Step, parse};
pub use run::{Console, ConsoleEnd, ConsoleOptions, Outcome, run_console, run_console_with};

#[cfg(test)]
mod tests;
