//! The console's commands, executed on the endpoint.

use std::fmt::Write as _;

use ferrosip::call::{Call, RedirectOp};
use ferrosip::config::{
    CallOpParam, CallSendDtmfParam, CallSetting, DtmfMethod, SendInstantMessageParam, SipHeader,
};
use ferrosip::media::AudioMedia;

use super::Softphone;
use super::events::{media_status_name, say};
use crate::console::{Command, Console, Outcome, PromptContext, RedirectChoice, Target};

impl Softphone {
    /// The current call, or why there is none.
    fn current(&self) -> Result<Call, Outcome> {
        let s = self.events.lock();
        s.current
            .and_then(|id| s.calls.get(&id).cloned())
            .ok_or_else(|| Outcome::Failed("No current call".to_owned()))
    }

    /// A URL from a target: a URL, or a buddy of the buddy list.
    fn url_of(&self, target: &Target) -> Result<String, Outcome> {
        match target {
            Target::Url(url) => Ok(url.clone()),
            Target::Buddy(n) => usize::try_from(*n)
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| self.app.buddies.get(i))
                .map(|b| b.uri.clone())
                .ok_or_else(|| Outcome::Failed(format!("No buddy {n}"))),
            Target::CurrentCall | Target::AllBuddies => {
                Err(Outcome::Failed(format!("{target} is not a URL here")))
            }
        }
    }

    /// The call whose remote party is `url`, the current one first.
    fn call_with(&self, url: &str) -> Option<Call> {
        let bare = |u: &str| {
            u.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        };
        let want = bare(url);
        let (mut calls, current) = {
            let s = self.events.lock();
            (s.calls.values().cloned().collect::<Vec<_>>(), s.current)
        };
        calls.sort_by_key(|c| Some(c.id()) != current);
        calls
            .into_iter()
            .find(|c| c.info().is_ok_and(|i| bare(&i.remote_uri) == want))
    }

    /// Makes the next call (or the previous one) current, wrapping round,
    /// and says which it is.
    fn cycle(&self, forward: bool) -> Outcome {
        let mut s = self.events.lock();
        let ids: Vec<i32> = s.calls.keys().copied().collect();
        if ids.is_empty() {
            return Outcome::Failed("No current call".to_owned());
        }
        let pos = s
            .current
            .and_then(|c| ids.iter().position(|i| *i == c))
            .unwrap_or(0);
        let next = if forward {
            (pos + 1) % ids.len()
        } else {
            (pos + ids.len() - 1) % ids.len()
        };
        s.current = Some(ids[next]);
        let call = s.calls.get(&ids[next]).cloned();
        drop(s);
        // pjsua names the dialog ("Current dialog: <remote>").
        let remote = call
            .and_then(|c| c.info().ok())
            .map(|i| format!(" ({} {})", i.state_text, i.remote_uri))
            .unwrap_or_default();
        Outcome::Done(format!("Current call is now call {}{remote}", ids[next]))
    }

    /// pjsua's call list.
    fn call_list(&self) -> String {
        let (calls, current) = {
            let s = self.events.lock();
            (s.calls.values().cloned().collect::<Vec<_>>(), s.current)
        };
        if calls.is_empty() {
            return "No active call".to_owned();
        }
        let mut out = String::new();
        for c in calls {
            let mark = if current == Some(c.id()) { "*" } else { " " };
            match c.info() {
                Ok(i) => {
                    let media = i
                        .media
                        .first()
                        .map(|m| media_status_name(m.status))
                        .unwrap_or("None");
                    let _ = writeln!(
                        out,
                        "{mark}[{:>2}] {} {} (media {media})",
                        c.id(),
                        i.state_text,
                        i.remote_uri
                    );
                }
                Err(e) => {
                    let _ = writeln!(out, "{mark}[{:>2}] ({e})", c.id());
                }
            }
        }
        out.trim_end().to_owned()
    }

    /// "You have 1 active call", as pjsua says it.
    fn call_count(&self) -> String {
        match self.events.lock().calls.len() {
            0 => "You have no active call".to_owned(),
            1 => "You have 1 active call".to_owned(),
            n => format!("You have {n} active calls"),
        }
    }

    /// pjsua's account list.
    fn account_list(&self) -> String {
        let mut out = String::from("Account list:");
        for a in &self.accounts {
            if let Ok(i) = a.info() {
                let def = if i.is_default { "*" } else { " " };
                let reg = if i.reg_is_configured {
                    format!("{} {}", i.reg_status, i.reg_status_text)
                } else {
                    "not registered".to_owned()
                };
                let _ = write!(out, "\n {def}[{:>2}] {}: {reg}", i.id, i.uri);
            }
        }
        out
    }

    /// The conference bridge's ports, as `cl` shows them.
    fn conf_list(&self) -> Result<String, String> {
        let ports = self.ep.media_enum_ports2().map_err(|e| e.to_string())?;
        let mut out = String::from("Conference ports:");
        for p in ports {
            let Ok(i) = p.port_info() else {
                continue;
            };
            let to: Vec<String> = i.listeners.iter().map(|l| format!("#{l}")).collect();
            let _ = write!(
                out,
                "\nPort #{:02}[{}Hz/{}ch] {:<24} transmitting to: {}",
                i.port_id,
                i.format.clock_rate,
                i.format.channel_count,
                i.name,
                to.join(" ")
            );
        }
        Ok(out)
    }

    /// The sound device's levels, as `V` shows them: what the microphone
    /// gives the bridge (port 0's rx adjustment) and what the speaker is
    /// sent (its tx adjustment), 1.0 being the signal unchanged.
    fn volume(&self) -> Result<String, Outcome> {
        let info = self
            .port(0)?
            .port_info()
            .map_err(|e| Outcome::Failed(e.to_string()))?;
        Ok(format!(
            "Mic level: {:.1}x, speaker level: {:.1}x",
            info.rx_level_adj, info.tx_level_adj
        ))
    }

    /// The codecs with their priorities, highest first, as `Cp` lists
    /// them; with `only`, those whose id starts with it (as
    /// `codec_set_priority` matches them, case-insensitive).
    fn codec_list(&self, only: Option<&str>) -> Result<String, Outcome> {
        let codecs = self
            .ep
            .codec_enum2()
            .map_err(|e| Outcome::Failed(e.to_string()))?;
        let mut out = String::from("List of audio codecs:");
        for c in codecs {
            let matches = only.is_none_or(|p| {
                c.codec_id
                    .get(..p.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(p))
            });
            if matches {
                let _ = write!(out, "\n  {:>3}  {}", c.priority, c.codec_id);
            }
        }
        Ok(out)
    }

    fn port(&self, id: u32) -> Result<AudioMedia, Outcome> {
        let id = i32::try_from(id).map_err(|_| Outcome::Failed(format!("No port {id}")))?;
        AudioMedia::from_port_id(&self.ep, id).map_err(|e| Outcome::Failed(e.to_string()))
    }

    fn status_dump(&self, detailed: bool) -> String {
        let mut out = self.account_list();
        out.push('\n');
        out.push_str(&self.call_count());
        out.push('\n');
        out.push_str(&self.call_list());
        if detailed {
            let calls: Vec<Call> = self.events.lock().calls.values().cloned().collect();
            for c in calls {
                if let Ok(d) = c.dump(true, "  ") {
                    out.push('\n');
                    out.push_str(&d);
                }
            }
            if let Ok(conf) = self.conf_list() {
                out.push('\n');
                out.push_str(&conf);
            }
        }
        out
    }

    fn execute_cmd(&mut self, cmd: &Command) -> Result<Outcome, Outcome> {
        let failed = |e: ferrosip::Error| Outcome::Failed(e.to_string());
        let ok = Outcome::done();
        Ok(match cmd {
            Command::MakeCall { target } => {
                let url = self.url_of(target)?;
                let id = self.make_call(&url).map_err(Outcome::Failed)?;
                Outcome::Done(format!("Call {id} to {url} started"))
            }
            Command::MakeCalls { count, target } => {
                let url = self.url_of(target)?;
                let mut made = Vec::new();
                for n in 1..=*count {
                    match self.make_call(&url) {
                        Ok(id) => made.push(format!("Call {id} to {url} started")),
                        Err(e) => {
                            // The calls made so far go on: say which.
                            if !made.is_empty() {
                                say(&made.join("\n"));
                            }
                            return Err(Outcome::Failed(format!("call {n} of {count}: {e}")));
                        }
                    }
                    self.pump.tick();
                }
                Outcome::Done(made.join("\n"))
            }
            Command::Answer { code, contact } => {
                let call = self.current()?;
                let mut prm = CallOpParam {
                    status_code: i32::from(*code),
                    ..CallOpParam::default()
                };
                if let Some(c) = contact {
                    prm.tx_option.headers.push(SipHeader {
                        h_name: "Contact".into(),
                        h_value: format!("<{}>", c.trim_matches(['<', '>'])),
                    });
                }
                call.answer(&prm).map_err(failed)?;
                ok
            }
            Command::Hangup => {
                self.current()?
                    .hangup(&CallOpParam::default())
                    .map_err(failed)?;
                ok
            }
            Command::HangupAll => {
                self.ep.hangup_all_calls();
                ok
            }
            Command::Hold => {
                self.current()?
                    .set_hold(&CallOpParam::default())
                    .map_err(failed)?;
                ok
            }
            Command::Reinvite => {
                let mut prm = CallOpParam::default();
                prm.opt.flag |= CallSetting::UNHOLD;
                self.current()?.reinvite(&prm).map_err(failed)?;
                ok
            }
            Command::Update => {
                self.current()?
                    .update(&CallOpParam::default())
                    .map_err(failed)?;
                ok
            }
            Command::NextCall => self.cycle(true),
            Command::PrevCall => self.cycle(false),
            Command::ListCalls => Outcome::Done(self.call_list()),
            Command::Transfer { target } => {
                let url = self.url_of(target)?;
                self.current()?
                    .xfer(&url, &CallOpParam::default())
                    .map_err(failed)?;
                ok
            }
            Command::TransferReplaces { call } => {
                let current = self.current()?;
                let other = i32::try_from(*call)
                    .ok()
                    .and_then(|id| self.events.lock().calls.get(&id).cloned())
                    .ok_or_else(|| Outcome::Failed(format!("No call {call}")))?;
                if other.id() == current.id() {
                    return Err(Outcome::Failed(format!(
                        "Call {call} is the current call: give another call"
                    )));
                }
                current
                    .xfer_replaces(&other, &CallOpParam::default())
                    .map_err(failed)?;
                ok
            }
            Command::Redirect { choice } => {
                let op = match choice {
                    RedirectChoice::AcceptReplace => RedirectOp::AcceptReplace,
                    RedirectChoice::Accept => RedirectOp::Accept,
                    RedirectChoice::Reject => RedirectOp::Reject,
                    RedirectChoice::Stop => RedirectOp::Stop,
                };
                self.current()?.process_redirect(op).map_err(failed)?;
                ok
            }
            Command::Dtmf2833 { digits } | Command::DtmfInfo { digits } => {
                let method = if matches!(cmd, Command::DtmfInfo { .. }) {
                    DtmfMethod::SipInfo
                } else {
                    DtmfMethod::Rfc2833
                };
                let prm = CallSendDtmfParam {
                    method,
                    digits: digits.clone(),
                    ..CallSendDtmfParam::default()
                };
                self.current()?.send_dtmf(&prm).map_err(failed)?;
                ok
            }
            Command::SendIm { target, text } => {
                let call = match target {
                    Target::CurrentCall => self.current()?,
                    other => {
                        let url = self.url_of(other)?;
                        self.call_with(&url).ok_or_else(|| {
                            Outcome::Failed(format!(
                                "No call with {url}: ferrosip sends instant messages \
                                 within a call only yet (0 is the current call)"
                            ))
                        })?
                    }
                };
                let prm = SendInstantMessageParam {
                    content_type: "text/plain".into(),
                    content: text.clone(),
                    ..SendInstantMessageParam::default()
                };
                call.send_instant_message(&prm).map_err(failed)?;
                ok
            }
            Command::ConfList => Outcome::Done(self.conf_list().map_err(Outcome::Failed)?),
            Command::ConfConnect { src, dst } => {
                self.port(*src)?
                    .start_transmit(&self.port(*dst)?)
                    .map_err(failed)?;
                Outcome::Done(format!("Port {src} connected to port {dst}"))
            }
            Command::ConfDisconnect { src, dst } => {
                self.port(*src)?
                    .stop_transmit(&self.port(*dst)?)
                    .map_err(failed)?;
                Outcome::Done(format!("Port {src} disconnected from port {dst}"))
            }
            Command::AdjustVolume { mic, speaker } => {
                let snd = self.port(0)?;
                if let Some(m) = mic {
                    snd.adjust_rx_level(*m).map_err(failed)?;
                }
                if let Some(s) = speaker {
                    snd.adjust_tx_level(*s).map_err(failed)?;
                }
                Outcome::Done(self.volume()?)
            }
            Command::CodecPriority { codec, priority } => {
                let id = if codec == "*" { "" } else { codec.as_str() };
                self.ep.codec_set_priority(id, *priority).map_err(failed)?;
                Outcome::Done(self.codec_list(Some(id))?)
            }
            Command::DumpCallQuality => {
                Outcome::Done(self.current()?.dump(true, "  ").map_err(failed)?)
            }
            Command::DumpStatus => Outcome::Done(self.status_dump(false)),
            Command::DumpDetailed => Outcome::Done(self.status_dump(true)),
            Command::DumpConfig => Outcome::Done(self.options.to_config_file()),
            Command::SaveConfig { file } => {
                self.options
                    .save_config_file(std::path::Path::new(file))
                    .map_err(|e| Outcome::Failed(e.to_string()))?;
                Outcome::Done(format!("Settings saved to {file}"))
            }
            Command::ReRegister | Command::Unregister => {
                let account = self
                    .accounts
                    .first()
                    .ok_or_else(|| Outcome::Failed("No account".to_owned()))?;
                account
                    .set_registration(matches!(cmd, Command::ReRegister))
                    .map_err(failed)?;
                ok
            }
            Command::ListAccounts => Outcome::Done(self.account_list()),
            Command::Sleep { ms } => {
                self.pump.sleep(*ms);
                ok
            }
            Command::Quit => {
                self.shutdown();
                ok
            }
            _ => Outcome::NotSupported,
        })
    }
}

impl Console for Softphone {
    fn execute(&mut self, cmd: &Command) -> Outcome {
        let out = self.execute_cmd(cmd).unwrap_or_else(|e| e);
        // What the command set off, printed before the next prompt.
        if !matches!(cmd, Command::Quit | Command::Sleep { .. }) {
            self.pump.tick();
        }
        out
    }

    fn context(&mut self, what: PromptContext) -> String {
        match what {
            PromptContext::Buddies => {
                let mut out = String::from("Buddy list:");
                for (i, b) in self.app.buddies.iter().enumerate() {
                    let _ = write!(out, "\n [{:>2}] {}", i + 1, b.uri);
                }
                out
            }
            PromptContext::CallCount | PromptContext::OtherCalls => self.call_list(),
            PromptContext::ConfPorts => self.conf_list().unwrap_or_default(),
            PromptContext::Codecs => self.codec_list(None).unwrap_or_default(),
            PromptContext::Volume => self.volume().unwrap_or_default(),
        }
    }

    fn status(&mut self) -> String {
        format!("{}\n{}", self.account_list(), self.call_count())
    }
}
