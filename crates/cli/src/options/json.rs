//! `--json-config`: PJSUA2 JSON documents, in the shape PJSUA2's own
//! applications write (pygui: an `EpConfig`, an array `"transports"` of
//! `{"SipTransport": {type, enabled, TransportConfig}}`, an array
//! `"accounts"` of `{"Account": {enabled, AccountConfig, "buddies": [...]}}`)
//! or as `JsonDocument.writeObject` leaves sibling configs
//! (`{"EpConfig": ..., "AccountConfig": ..., "TransportConfig": ...}`).

use std::path::Path;

use ferrosip::TransportType;
use ferrosip::config::{AccountConfig, BuddyConfig, EpConfig, TransportConfig};
use ferrosip::json::{ContainerNode, JsonDocument};

use super::OptionsError;
use super::app::SipTransport;

/// Most bytes of a JSON config read.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// The key of the string array holding the options PJSUA2's configs have
/// no place for (`--auto-answer`, `--play-file`, ...), in pjsua's syntax.
pub(super) const OPTIONS_KEY: &str = "pjsuaOptions";

/// What a PJSUA2 JSON document holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonSettings {
    /// The endpoint's config (`"EpConfig"`), if the document has one.
    pub ep_config: Option<EpConfig>,
    /// The SIP transports (`"transports"`, or each `"TransportConfig"` as
    /// a UDP transport).
    pub transports: Vec<SipTransport>,
    /// The enabled accounts (`"accounts"`, or each `"AccountConfig"`).
    pub accounts: Vec<AccountConfig>,
    /// The buddies (of every account, or each `"BuddyConfig"`).
    pub buddies: Vec<BuddyConfig>,
}

fn json_err(path: &Path, e: impl std::fmt::Display) -> OptionsError {
    OptionsError::Json {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

impl JsonSettings {
    /// Loads a document from `path`; also returns the options stored under
    /// `"pjsuaOptions"`.
    pub fn load_file(path: &Path) -> Result<(Self, Vec<String>), OptionsError> {
        let io = |reason: String| OptionsError::Io {
            option: "json-config",
            path: path.to_owned(),
            reason,
        };
        let meta = std::fs::metadata(path).map_err(|e| io(e.to_string()))?;
        if !meta.is_file() {
            return Err(io("not a regular file".into()));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(io(format!("larger than {MAX_FILE_BYTES} bytes")));
        }
        let bytes = std::fs::read(path).map_err(|e| io(e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|_| io("not UTF-8 text".into()))?;
        Self::load_str(&text).map_err(|e| match e {
            OptionsError::Json { reason, .. } => json_err(path, reason),
            other => other,
        })
    }

    /// Loads a document from its text; also returns the options stored
    /// under `"pjsuaOptions"`.
    pub fn load_str(text: &str) -> Result<(Self, Vec<String>), OptionsError> {
        let p = Path::new("");
        let mut doc = JsonDocument::new();
        doc.load_string(text).map_err(|e| json_err(p, e))?;
        let root = doc.root_container();
        if root.is_array() {
            return Err(json_err(p, "the document is an array, not an object"));
        }
        let mut s = Self::default();
        let mut extra = Vec::new();
        while root.has_unread() {
            let name = root.unread_name().map_err(|e| json_err(p, e))?;
            match name.as_str() {
                "EpConfig" => {
                    let mut ep = EpConfig::default();
                    root.read_object(&mut ep).map_err(|e| json_err(p, e))?;
                    s.ep_config = Some(ep);
                }
                "AccountConfig" => {
                    let mut acc = AccountConfig::default();
                    root.read_object(&mut acc).map_err(|e| json_err(p, e))?;
                    s.accounts.push(acc);
                }
                "TransportConfig" => {
                    let mut config = TransportConfig::default();
                    root.read_object(&mut config).map_err(|e| json_err(p, e))?;
                    s.transports.push(SipTransport {
                        type_: TransportType::Udp,
                        enabled: true,
                        config,
                    });
                }
                "BuddyConfig" => {
                    let mut b = BuddyConfig::default();
                    root.read_object(&mut b).map_err(|e| json_err(p, e))?;
                    s.buddies.push(b);
                }
                "transports" => {
                    let arr = root.read_array("transports").map_err(|e| json_err(p, e))?;
                    while arr.has_unread() {
                        s.transports
                            .push(read_transport(&arr).map_err(|e| json_err(p, e))?);
                    }
                }
                "accounts" => {
                    let arr = root.read_array("accounts").map_err(|e| json_err(p, e))?;
                    while arr.has_unread() {
                        read_account(&arr, &mut s).map_err(|e| json_err(p, e))?;
                    }
                }
                OPTIONS_KEY => {
                    extra = root
                        .read_string_vector(OPTIONS_KEY)
                        .map_err(|e| json_err(p, e))?;
                }
                _ => {
                    // Something of the application's own: skip it.
                    if root.read_container(&name).is_err() {
                        let _ = root.read_number(&name);
                    }
                }
            }
        }
        Ok((s, extra))
    }

    /// The document, in pygui's shape, with `options` (in pjsua's syntax)
    /// under `"pjsuaOptions"`.
    pub fn to_json_string(&self, options: &[String]) -> Result<String, OptionsError> {
        let p = Path::new("");
        let mut doc = JsonDocument::new();
        let err = |e: ferrosip::Error| json_err(p, e);
        if let Some(ep) = &self.ep_config {
            doc.write_object(ep).map_err(err)?;
        }
        let mut root = doc.root_container();
        let mut arr = root.write_new_array("transports").map_err(err)?;
        for t in &self.transports {
            let mut c = arr.write_new_container("SipTransport").map_err(err)?;
            c.write_int("type", t.type_.as_i32()).map_err(err)?;
            c.write_bool("enabled", t.enabled).map_err(err)?;
            c.write_object(&t.config).map_err(err)?;
        }
        let mut arr = root.write_new_array("accounts").map_err(err)?;
        for (i, a) in self.accounts.iter().enumerate() {
            let mut c = arr.write_new_container("Account").map_err(err)?;
            c.write_bool("enabled", true).map_err(err)?;
            c.write_object(a).map_err(err)?;
            let mut b = c.write_new_array("buddies").map_err(err)?;
            if i == 0 {
                for buddy in &self.buddies {
                    b.write_object(buddy).map_err(err)?;
                }
            }
        }
        if !options.is_empty() {
            root.write_string_vector(OPTIONS_KEY, options)
                .map_err(err)?;
        }
        doc.save_string().map_err(err)
    }
}

fn read_transport(arr: &ContainerNode) -> ferrosip::Result<SipTransport> {
    let c = arr.read_container("SipTransport")?;
    let n = c.read_int("type")?;
    let type_ = TransportType::from_i32(n).ok_or_else(|| {
        ferrosip::Error::new(
            ferrosip::error::status::PJ_EINVAL,
            "readObject()",
            format!("{}.type: unknown transport type {n}", c.path()),
        )
    })?;
    let enabled = if c.contains("enabled") {
        c.read_bool("enabled")?
    } else {
        true
    };
    let mut config = TransportConfig::default();
    if c.contains("TransportConfig") {
        c.read_object(&mut config)?;
    }
    Ok(SipTransport {
        type_,
        enabled,
        config,
    })
}

fn read_account(arr: &ContainerNode, s: &mut JsonSettings) -> ferrosip::Result<()> {
    let c = arr.read_container("Account")?;
    let enabled = if c.contains("enabled") {
        c.read_bool("enabled")?
    } else {
        true
    };
    let mut acc = AccountConfig::default();
    c.read_object(&mut acc)?;
    if c.contains("buddies") {
        let b = c.read_array("buddies")?;
        while b.has_unread() {
            let mut buddy = BuddyConfig::default();
            b.read_object(&mut buddy)?;
            if enabled {
                s.buddies.push(buddy);
            }
        }
    }
    if enabled {
        s.accounts.push(acc);
    }
    Ok(())
}
