//! An account's configuration: [`AccountConfig`] and its parts
//! (registration, SIP, calls, presence, MWI, NAT, media, video, IP change).

mod media;
mod nat;

pub use media::{
    AccountMediaConfig, AccountVideoConfig, RtcpFbCap, RtcpFbConfig, SrtpCrypto, SrtpOpt,
};
pub use nat::AccountNatConfig;

use serde::{Deserialize, Serialize};

use super::auth::AuthCredInfo;
use super::enums::{HoldType, Ipv6Use, PrackUse, SessionTimerUse};
use super::sip::SipHeader;

/// An account: an identity (AOR), how it registers, and how its calls,
/// presence and media behave (PJSUA2's `AccountConfig`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountConfig {
    /// Priority when choosing the account for an outgoing request; higher
    /// wins. Default 0.
    pub priority: i32,
    /// The account's address of record, e.g.
    /// `"Alice" <sip:alice@example.com>`. Default "".
    pub id_uri: String,
    /// Registration.
    pub reg_config: AccountRegConfig,
    /// SIP: credentials, proxies, Contact.
    pub sip_config: AccountSipConfig,
    /// Calls: hold, 100rel, session timers.
    pub call_config: AccountCallConfig,
    /// Presence.
    pub pres_config: AccountPresConfig,
    /// Message waiting indication (RFC 3842).
    pub mwi_config: AccountMwiConfig,
    /// NAT traversal: STUN, ICE, TURN, rewriting.
    pub nat_config: AccountNatConfig,
    /// Media: RTP ports, SRTP, RTCP.
    pub media_config: AccountMediaConfig,
    /// Video.
    pub video_config: AccountVideoConfig,
    /// What to do when the local IP address changes. (Not persisted by
    /// PJSUA2 2.15.1.)
    pub ip_change_config: AccountIpChangeConfig,
}

/// Registration (PJSUA2's `AccountRegConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountRegConfig {
    /// The registrar's URI; empty means the account does not register.
    /// Default "".
    pub registrar_uri: String,
    /// Register when the account is created. Default true.
    pub register_on_add: bool,
    /// Do not re-register when the account is modified. Default false.
    /// (Not persisted by PJSUA2 2.15.1.)
    pub disable_reg_on_modify: bool,
    /// Extra headers of REGISTER requests. Default none.
    pub headers: Vec<SipHeader>,
    /// Parameters appended to the Contact header of REGISTER (e.g.
    /// `;+sip.instance=...`). Default "".
    pub contact_params: String,
    /// Parameters appended to the Contact URI of REGISTER. Default "".
    /// (Not persisted by PJSUA2 2.15.1.)
    pub contact_uri_params: String,
    /// Registration expiry asked for, seconds. Default 300.
    pub timeout_sec: u32,
    /// Wait after a failed registration before retrying, seconds; 0 never
    /// retries. Default 300.
    pub retry_interval_sec: u32,
    /// Wait before the first retry, seconds; 0 means `retry_interval_sec`.
    /// Default 0.
    pub first_retry_interval_sec: u32,
    /// Up to this many seconds are added at random to each retry interval.
    /// Default 10.
    pub random_retry_interval_sec: u32,
    /// Refresh the registration this many seconds before it expires.
    /// Default 5.
    pub delay_before_refresh_sec: u32,
    /// Hang up every call when the registration fails. Default false.
    pub drop_calls_on_fail: bool,
    /// Longest wait for the un-REGISTER's answer at shutdown, ms.
    /// Default 4000.
    pub unreg_wait_msec: u32,
    /// Which proxies REGISTER goes through, a bitmask:
    /// `PJSUA_REG_USE_OUTBOUND_PROXY` 1, `PJSUA_REG_USE_ACC_PROXY` 2.
    /// Default 3 (both).
    pub proxy_use: u32,
}

impl Default for AccountRegConfig {
    fn default() -> Self {
        Self {
            registrar_uri: String::new(),
            register_on_add: true,
            disable_reg_on_modify: false,
            headers: Vec::new(),
            contact_params: String::new(),
            contact_uri_params: String::new(),
            timeout_sec: 300,
            retry_interval_sec: 300,
            first_retry_interval_sec: 0,
            random_retry_interval_sec: 10,
            delay_before_refresh_sec: 5,
            drop_calls_on_fail: false,
            unreg_wait_msec: 4000,
            proxy_use: 3,
        }
    }
}

/// SIP settings: credentials, proxies, Contact (PJSUA2's `AccountSipConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountSipConfig {
    /// Credentials for digest authentication. Default none.
    pub auth_creds: Vec<AuthCredInfo>,
    /// Proxies (route set) of the account's requests, after the
    /// endpoint's outbound proxies. Default none.
    pub proxies: Vec<String>,
    /// A Contact to use instead of the one built from the transport.
    /// Default "".
    pub contact_forced: String,
    /// Parameters appended to the Contact header. Default "".
    pub contact_params: String,
    /// Parameters appended to the Contact URI. Default "".
    pub contact_uri_params: String,
    /// Send an empty Authorization header in the first request.
    /// Default false.
    pub auth_initial_empty: bool,
    /// The algorithm of that empty Authorization header; empty means MD5.
    /// Default "".
    pub auth_initial_algorithm: String,
    /// The transport the account is bound to; -1 means any. Default -1.
    pub transport_id: i32,
    /// Use of IPv6 for SIP. Default [`Ipv6Use::Disabled`]. (Not persisted
    /// by PJSUA2 2.15.1.)
    pub ipv6_use: Ipv6Use,
}

impl Default for AccountSipConfig {
    fn default() -> Self {
        Self {
            auth_creds: Vec::new(),
            proxies: Vec::new(),
            contact_forced: String::new(),
            contact_params: String::new(),
            contact_uri_params: String::new(),
            auth_initial_empty: false,
            auth_initial_algorithm: String::new(),
            transport_id: -1,
            ipv6_use: Ipv6Use::Disabled,
        }
    }
}

/// Call settings (PJSUA2's `AccountCallConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountCallConfig {
    /// How calls are put on hold. Default [`HoldType::Rfc3264`].
    pub hold_type: HoldType,
    /// Use of reliable provisional responses (100rel). Default
    /// [`PrackUse::NotUsed`].
    pub prack_use: PrackUse,
    /// Use of session timers. Default [`SessionTimerUse::Optional`].
    pub timer_use: SessionTimerUse,
    /// Least session interval accepted (Min-SE), seconds. Default 90.
    #[serde(rename = "timerMinSESec")]
    pub timer_min_se_sec: u32,
    /// Session interval asked for (Session-Expires), seconds. Default 1800.
    pub timer_sess_expires_sec: u32,
}

impl Default for AccountCallConfig {
    fn default() -> Self {
        Self {
            hold_type: HoldType::Rfc3264,
            prack_use: PrackUse::NotUsed,
            timer_use: SessionTimerUse::Optional,
            timer_min_se_sec: 90,
            timer_sess_expires_sec: 1800,
        }
    }
}

/// Presence settings (PJSUA2's `AccountPresConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountPresConfig {
    /// Extra headers of SUBSCRIBE and PUBLISH requests. Default none.
    pub headers: Vec<SipHeader>,
    /// PUBLISH the account's presence (RFC 3903). Default false.
    pub publish_enabled: bool,
    /// Queue a PUBLISH while another is pending, rather than fail it.
    /// Default true.
    pub publish_queue: bool,
    /// Longest wait for the un-PUBLISH's answer at shutdown, ms.
    /// Default 2000.
    pub publish_shutdown_wait_msec: u32,
    /// The PIDF tuple id; empty means a random one. Default "".
    pub pidf_tuple_id: String,
}

impl Default for AccountPresConfig {
    fn default() -> Self {
        Self {
            headers: Vec::new(),
            publish_enabled: false,
            publish_queue: true,
            publish_shutdown_wait_msec: 2000,
            pidf_tuple_id: String::new(),
        }
    }
}

/// Message waiting indication, RFC 3842 (PJSUA2's `AccountMwiConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountMwiConfig {
    /// SUBSCRIBE to message-summary. Default false.
    pub enabled: bool,
    /// Subscription expiry asked for, seconds. Default 3600.
    pub expiration_sec: u32,
}

impl Default for AccountMwiConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            expiration_sec: 3600,
        }
    }
}

/// What to do when the local IP address changes (PJSUA2's
/// `AccountIpChangeConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountIpChangeConfig {
    /// Shut the account's transport down (and make a new one). Default true.
    pub shutdown_tp: bool,
    /// Hang up the account's calls rather than re-INVITE them.
    /// Default false.
    pub hangup_calls: bool,
    /// The flags of the re-INVITEs sent, `PJSUA_CALL_*`
    /// (UPDATE_CONTACT 2, REINIT_MEDIA 16, UPDATE_VIA 32, ...). Default 50
    /// (those three).
    pub reinvite_flags: u32,
    /// Send UPDATE rather than re-INVITE (non-zero). Default 0.
    pub reinv_use_update: u32,
}

impl Default for AccountIpChangeConfig {
    fn default() -> Self {
        Self {
            shutdown_tp: true,
            hangup_calls: false,
            reinvite_flags: 50,
            reinv_use_update: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reg_config_defaults_are_pjsua2s() {
        let c = AccountRegConfig::default();
        assert_eq!(c.registrar_uri, "");
        assert!(c.register_on_add);
        assert!(!c.disable_reg_on_modify);
        assert!(c.headers.is_empty());
        assert_eq!(
            (c.contact_params.as_str(), c.contact_uri_params.as_str()),
            ("", "")
        );
        assert_eq!(c.timeout_sec, 300);
        assert_eq!(c.retry_interval_sec, 300);
        assert_eq!(c.first_retry_interval_sec, 0);
        assert_eq!(c.random_retry_interval_sec, 10);
        assert_eq!(c.delay_before_refresh_sec, 5);
        assert!(!c.drop_calls_on_fail);
        assert_eq!(c.unreg_wait_msec, 4000);
        assert_eq!(c.proxy_use, 3);
    }

    #[test]
    fn sip_config_defaults_are_pjsua2s() {
        let c = AccountSipConfig::default();
        assert!(c.auth_creds.is_empty() && c.proxies.is_empty());
        assert_eq!(c.contact_forced, "");
        assert_eq!(c.contact_params, "");
        assert_eq!(c.contact_uri_params, "");
        assert!(!c.auth_initial_empty);
        assert_eq!(c.auth_initial_algorithm, "");
        assert_eq!(c.transport_id, -1);
        assert_eq!(c.ipv6_use, Ipv6Use::Disabled);
    }

    #[test]
    fn call_pres_mwi_ip_change_defaults_are_pjsua2s() {
        let c = AccountCallConfig::default();
        assert_eq!(c.hold_type.as_i32(), 0);
        assert_eq!(c.prack_use.as_i32(), 0);
        assert_eq!(c.timer_use.as_i32(), 1);
        assert_eq!(c.timer_min_se_sec, 90);
        assert_eq!(c.timer_sess_expires_sec, 1800);

        let p = AccountPresConfig::default();
        assert!(p.headers.is_empty());
        assert!(!p.publish_enabled);
        assert!(p.publish_queue);
        assert_eq!(p.publish_shutdown_wait_msec, 2000);
        assert_eq!(p.pidf_tuple_id, "");

        let m = AccountMwiConfig::default();
        assert!(!m.enabled);
        assert_eq!(m.expiration_sec, 3600);

        let i = AccountIpChangeConfig::default();
        assert!(i.shutdown_tp);
        assert!(!i.hangup_calls);
        assert_eq!(i.reinvite_flags, 2 | 16 | 32);
        assert_eq!(i.reinv_use_update, 0);
    }

    #[test]
    fn account_config_defaults_are_pjsua2s() {
        let c = AccountConfig::default();
        assert_eq!(c.priority, 0);
        assert_eq!(c.id_uri, "");
        assert_eq!(c.reg_config, AccountRegConfig::default());
        assert_eq!(c.media_config.transport_config.port, 4000);
        assert_eq!(c.ip_change_config, AccountIpChangeConfig::default());
    }

    #[test]
    fn serde_uses_pjsua2_names() {
        let v = serde_json::to_value(AccountConfig::default()).unwrap();
        assert_eq!(v["callConfig"]["timerMinSESec"], 90);
        assert_eq!(v["regConfig"]["timeoutSec"], 300);
        assert_eq!(v["sipConfig"]["transportId"], -1);
        assert_eq!(v["mediaConfig"]["transportConfig"]["port"], 4000);
        let back: AccountConfig = serde_json::from_value(v).unwrap();
        assert_eq!(back, AccountConfig::default());
    }
}
