//! The codec manager: which codecs there are, in which order of
//! preference, with which parameters (PJSUA2's `codecEnum2`,
//! `codecSetPriority`, `codecGetParam`, `codecSetParam`).

use super::desc::{self, CodecDesc, CodecKind};
use super::g711::{G711, Law};
use super::g722::G722;
use super::l16::L16;
use super::param::CodecParam;
use super::{Codec, CodecError};

/// One codec as `codecEnum2` lists it (PJSUA2's `CodecInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodecInfo {
    /// The id: `"PCMU/8000/1"`.
    pub codec_id: String,
    /// Priority 0–255; 0 is disabled.
    pub priority: u8,
    /// Description (empty, as PJSUA2's audio codecs give).
    pub desc: String,
}

#[derive(Debug, Clone)]
struct Entry {
    desc: CodecDesc,
    priority: u8,
    /// Parameters set with `set_param`; `None` means the defaults.
    param: Option<CodecParam>,
}

/// The list of codecs with their priorities and parameters.
///
/// Priorities behave as PJSIP's: `set_priority` takes an id prefix
/// compared case-insensitively (`"PCMU"`, `"pcmu/8000"`, `""` for all),
/// 0 disables, 255 puts the codecs first (then stored as 254, PJSIP's
/// "next higher"). Codecs are kept sorted by priority with PJSIP's own
/// selection sort, so codecs of equal priority come out in the order
/// PJSUA2 gives them.
#[derive(Debug, Clone)]
pub struct CodecManager {
    entries: Vec<Entry>,
}

impl Default for CodecManager {
    fn default() -> Self {
        Self::new()
    }
}

impl CodecManager {
    /// The highest priority: the codec goes first (PJSIP's
    /// `PJMEDIA_CODEC_PRIO_HIGHEST`).
    pub const PRIO_HIGHEST: u8 = 255;
    /// What [`Self::PRIO_HIGHEST`] becomes once the list is sorted.
    pub const PRIO_NEXT_HIGHER: u8 = 254;
    /// The default priority of a codec.
    pub const PRIO_NORMAL: u8 = 128;
    /// Disabled: never offered nor accepted.
    pub const PRIO_DISABLED: u8 = 0;

    /// Every codec this build has, with PJSUA2's default priorities:
    /// 128 for PCMU, PCMA, G722 and Opus, 0 (disabled) for every L16.
    pub fn new() -> Self {
        let mut manager = Self {
            entries: desc::available()
                .into_iter()
                .map(|desc| Entry {
                    desc,
                    priority: Self::PRIO_NORMAL,
                    param: None,
                })
                .collect(),
        };
        manager.sort();
        // As pjsua_aud_subsys_init does.
        manager
            .set_priority("L16", Self::PRIO_DISABLED)
            .expect("the L16 codecs are always built in");
        manager
    }

    /// The codecs, highest priority first, disabled ones last with
    /// priority 0 (PJSUA2's `codecEnum2`).
    pub fn codec_enum(&self) -> Vec<CodecInfo> {
        self.entries
            .iter()
            .map(|e| CodecInfo {
                codec_id: e.desc.id(),
                priority: e.priority,
                desc: String::new(),
            })
            .collect()
    }

    /// The enabled codecs in order of preference, with their parameters:
    /// what an SDP offer lists.
    pub fn enabled(&self) -> impl Iterator<Item = (CodecDesc, CodecParam)> + '_ {
        self.entries
            .iter()
            .filter(|e| e.priority > Self::PRIO_DISABLED)
            .map(|e| (e.desc, Self::param_of(e)))
    }

    /// Sets the priority of every codec whose id starts with `id_prefix`
    /// (PJSUA2's `codecSetPriority`).
    pub fn set_priority(&mut self, id_prefix: &str, priority: u8) -> Result<(), CodecError> {
        let mut found = false;
        for e in self
            .entries
            .iter_mut()
            .filter(|e| e.desc.matches(id_prefix))
        {
            e.priority = priority;
            found = true;
        }
        if !found {
            return Err(CodecError::NotFound(id_prefix.to_owned()));
        }
        self.sort();
        Ok(())
    }

    /// The description of the first codec (in priority order) whose id
    /// starts with `id_prefix`.
    pub fn find(&self, id_prefix: &str) -> Option<&CodecDesc> {
        self.first(id_prefix).map(|e| &e.desc)
    }

    /// The parameters of the first codec whose id starts with `id_prefix`
    /// (PJSUA2's `codecGetParam`).
    pub fn param(&self, id_prefix: &str) -> Result<CodecParam, CodecError> {
        self.first(id_prefix)
            .map(Self::param_of)
            .ok_or_else(|| CodecError::NotFound(id_prefix.to_owned()))
    }

    /// Sets the parameters of the one codec whose id starts with
    /// `id_prefix` (PJSUA2's `codecSetParam`). A prefix matching several
    /// codecs is an error, as are parameters the codec cannot run with.
    pub fn set_param(&mut self, id_prefix: &str, param: CodecParam) -> Result<(), CodecError> {
        let index = self.only(id_prefix)?;
        param.validate_for(&self.entries[index].desc)?;
        self.entries[index].param = Some(param);
        Ok(())
    }

    /// Puts the parameters of the one codec matching `id_prefix` back to
    /// their defaults.
    pub fn reset_param(&mut self, id_prefix: &str) -> Result<(), CodecError> {
        let index = self.only(id_prefix)?;
        self.entries[index].param = None;
        Ok(())
    }

    /// A new encoder/decoder pair for the first codec whose id starts with
    /// `id_prefix`, with its current parameters.
    pub fn create(&self, id_prefix: &str) -> Result<Box<dyn Codec>, CodecError> {
        let entry = self
            .first(id_prefix)
            .ok_or_else(|| CodecError::NotFound(id_prefix.to_owned()))?;
        Self::create_with(&entry.desc, &Self::param_of(entry))
    }

    /// A new encoder/decoder pair for `desc` with `param` (for example the
    /// parameters negotiated in SDP).
    pub fn create_with(desc: &CodecDesc, param: &CodecParam) -> Result<Box<dyn Codec>, CodecError> {
        param.validate_for(desc)?;
        let ptime = param.ptime_ms();
        let plc = param.setting.plc;
        Ok(match desc.kind {
            CodecKind::Pcmu => Box::new(G711::new(Law::Mu, ptime, plc)),
            CodecKind::Pcma => Box::new(G711::new(Law::A, ptime, plc)),
            CodecKind::G722 => Box::new(G722::new(ptime, plc)),
            CodecKind::L16 => Box::new(L16::new(*desc, ptime, plc)),
            #[cfg(feature = "opus")]
            CodecKind::Opus => Box::new(super::opus::Opus::new(param)?),
            #[cfg(not(feature = "opus"))]
            CodecKind::Opus => return Err(CodecError::NotFound(desc.id())),
        })
    }

    fn param_of(entry: &Entry) -> CodecParam {
        entry
            .param
            .clone()
            .unwrap_or_else(|| CodecParam::default_for(&entry.desc))
    }

    fn first(&self, id_prefix: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.desc.matches(id_prefix))
    }

    fn only(&self, id_prefix: &str) -> Result<usize, CodecError> {
        let mut matching =
            (0..self.entries.len()).filter(|&i| self.entries[i].desc.matches(id_prefix));
        match (matching.next(), matching.next()) {
            (Some(i), None) => Ok(i),
            (Some(_), Some(_)) => Err(CodecError::Ambiguous(id_prefix.to_owned())),
            (None, _) => Err(CodecError::NotFound(id_prefix.to_owned())),
        }
    }

    /// PJSIP's `sort_codecs`: a selection sort by descending priority that
    /// swaps (so it is not stable, and PJSUA2's order among equals is what
    /// it produces), then the highest priority demoted to next-higher.
    fn sort(&mut self) {
        let n = self.entries.len();
        for i in 0..n {
            let mut max = i;
            for j in i + 1..n {
                if self.entries[j].priority > self.entries[max].priority {
                    max = j;
                }
            }
            if max != i {
                self.entries.swap(i, max);
            }
        }
        for e in &mut self.entries {
            if e.priority != Self::PRIO_HIGHEST {
                break;
            }
            e.priority = Self::PRIO_NEXT_HIGHER;
        }
    }
}
