//! PJSUA2 configuration structs, with PJSUA2's field names and defaults.
//!
//! Every struct is plain data: public fields named as PJSUA2's in
//! snake_case (`max_calls` for `maxCalls`, `ca_list_file` for `CaListFile`),
//! `Default` giving PJSUA2 2.15.1's default values, and serde support under
//! PJSUA2's own (camelCase) names. Closed sets of values are enums with
//! PJSIP's integers ([`StunUse`], [`SrtpUse`], ...); bitmasks stay integers
//! (`proxy_use`, `decor`, `flag`, ...). Features not implemented yet have
//! their fields all the same, so that configs move between ferrosip and
//! PJSUA2 unchanged.
//!
//! [`crate::json`] saves and loads these configs in PJSUA2's JSON shape.
//!
//! ```
//! use ferrosip::config::{AccountConfig, AuthCredInfo, CredDataType, EpConfig};
//!
//! let mut ep = EpConfig::default();
//! ep.ua_config.thread_cnt = 0;
//! ep.ua_config.main_thread_only = true;
//!
//! let mut acc = AccountConfig::default();
//! acc.id_uri = "sip:alice@example.com".into();
//! acc.reg_config.registrar_uri = "sip:example.com".into();
//! acc.sip_config.auth_creds.push(AuthCredInfo::new(
//!     "digest", "*", "alice", CredDataType::PlainPasswd, "secret",
//! ));
//! assert_eq!(acc.reg_config.timeout_sec, 300);
//! assert_eq!(acc.media_config.transport_config.port, 4000);
//! ```

mod account;
mod auth;
mod buddy;
pub(crate) mod enums;
mod ep;
mod params;
mod sip;
mod transport;

pub use account::{
    AccountCallConfig, AccountConfig, AccountIpChangeConfig, AccountMediaConfig, AccountMwiConfig,
    AccountNatConfig, AccountPresConfig, AccountRegConfig, AccountSipConfig, AccountVideoConfig,
    RtcpFbCap, RtcpFbConfig, SrtpCrypto, SrtpOpt,
};
pub use auth::AuthCredInfo;
pub use buddy::{BuddyConfig, PresenceStatus};
pub use enums::{
    BuddyStatus, CredDataType, DigestAlgorithm, DtmfMethod, HoldType, IceTrickle, Ipv6Use,
    JbDiscardAlgo, Nat64Opt, PrackUse, QosType, QosWmmPrio, RateControlMethod, RpidActivity,
    RtcpFbType, SessionTimerUse, SrtpKeying, SrtpSecureSignaling, SrtpUse, SslCertLookupType,
    SslMethod, StunUse, TurnConnType, TurnPasswordType, UpnpUse,
};
pub use ep::{EpConfig, LogConfig, MediaConfig, UaConfig};
pub use params::{
    AudioMediaTransmitParam, CallOpParam, CallSendDtmfParam, CallSendRequestParam, CallSetting,
    IpChangeParam, SdpSession, SendInstantMessageParam, SendRequestParam,
    SendTypingIndicationParam, Token,
};
pub use sip::{SipHeader, SipMediaType, SipMultipartPart, SipTxOption};
pub use transport::{QosParams, SockOpt, SockOptParams, TlsConfig, TransportConfig};
