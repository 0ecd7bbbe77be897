//! Buddies and presence (PJSUA2's `BuddyConfig`, `PresenceStatus`).

use serde::{Deserialize, Serialize};

use super::enums::{BuddyStatus, RpidActivity};

/// A buddy to add to an account (PJSUA2's `BuddyConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BuddyConfig {
    /// The buddy's URI. Default "".
    pub uri: String,
    /// Subscribe to the buddy's presence at once. Default false.
    pub subscribe: bool,
}

/// A presence status, ours or a buddy's (PJSUA2's `PresenceStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PresenceStatus {
    /// The basic status. Default [`BuddyStatus::Unknown`].
    pub status: BuddyStatus,
    /// Text describing the status, e.g. "Online". Default "".
    pub status_text: String,
    /// The RPID activity. Default [`RpidActivity::Unknown`].
    pub activity: RpidActivity,
    /// A note, e.g. "In a meeting". Default "".
    pub note: String,
    /// The RPID element id; empty means generated. Default "".
    pub rpid_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_pjsua2s() {
        let b = BuddyConfig::default();
        assert_eq!(b.uri, "");
        assert!(!b.subscribe);
        let p = PresenceStatus::default();
        assert_eq!(p.status.as_i32(), 0);
        assert_eq!(p.status_text, "");
        assert_eq!(p.activity.as_i32(), 0);
        assert_eq!(p.note, "");
        assert_eq!(p.rpid_id, "");
    }
}
