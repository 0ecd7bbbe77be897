//! The endpoint's codec operations (PJSUA2's `codecEnum2`,
//! `codecSetPriority`, `codecGetParam`, `codecSetParam`).

use super::types::{CodecInfo, CodecParam};
use crate::endpoint::Endpoint;
use crate::error::Result;

impl Endpoint {
    /// The audio codecs with their priorities, highest first (PJSUA2's
    /// `codecEnum2`).
    pub fn codec_enum2(&self) -> Result<Vec<CodecInfo>> {
        let title = "Endpoint::codecEnum2()";
        self.media(title)?.with_core(title, |core| {
            core.codecs
                .codec_enum()
                .into_iter()
                .map(|c| CodecInfo {
                    codec_id: c.codec_id,
                    priority: c.priority,
                    desc: c.desc,
                })
                .collect()
        })
    }

    /// Sets the priority of every codec whose id starts with `codec_id`
    /// (case-insensitive; `"G"` matches G722 and GSM): 0 disables, higher
    /// is preferred (PJSUA2's `codecSetPriority`).
    pub fn codec_set_priority(&self, codec_id: &str, priority: u8) -> Result<()> {
        let title = "Endpoint::codecSetPriority()";
        self.media(title)?
            .with_core(title, |core| core.codecs.set_priority(codec_id, priority))?
            .map_err(|e| super::errors::codec(title, &e))
    }

    /// A codec's parameters (PJSUA2's `codecGetParam`).
    pub fn codec_get_param(&self, codec_id: &str) -> Result<CodecParam> {
        let title = "Endpoint::codecGetParam()";
        self.media(title)?
            .with_core(title, |core| core.codecs.param(codec_id))?
            .map(|p| CodecParam::from(&p))
            .map_err(|e| super::errors::codec(title, &e))
    }

    /// Changes a codec's parameters for the streams made from now on
    /// (PJSUA2's `codecSetParam`).
    pub fn codec_set_param(&self, codec_id: &str, param: &CodecParam) -> Result<()> {
        let title = "Endpoint::codecSetParam()";
        self.media(title)?
            .with_core(title, |core| {
                let base = core.codecs.param(codec_id)?;
                core.codecs.set_param(codec_id, param.apply_to(&base))
            })?
            .map_err(|e| super::errors::codec(title, &e))
    }
}
