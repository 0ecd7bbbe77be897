//! The closed enumerations of PJSUA2's configs, each with PJSIP's integer
//! values (what PJSUA2 persists and what its Python module shows).
//!
//! Every enum has [`as_i32`](StunUse::as_i32), `TryFrom<i32>` (an undefined
//! value is an [`Error`] with status [`status::PJ_EINVAL`]), `Default` (the
//! value PJSUA2's configs start with), `ALL` (every value), and serde
//! support as its integer.

use crate::error::{Error, status};

/// Declares a PJSIP enumeration: variants with fixed integer values, the
/// default, conversions to and from `i32`, and serde as the integer.
macro_rules! pj_enum {
    (
        $(#[$meta:meta])*
        $name:ident, default $default:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $value, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The integer PJSIP uses for this value.
            pub const fn as_i32(self) -> i32 {
                self as i32
            }

            /// The defined integers, for error messages: `0, 1, 2`.
            pub(crate) fn defined_values() -> String {
                let all: &[i32] = &[$($value),+];
                all.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::$default
            }
        }

        impl From<$name> for i32 {
            fn from(value: $name) -> i32 {
                value.as_i32()
            }
        }

        impl TryFrom<i32> for $name {
            type Error = Error;

            fn try_from(value: i32) -> Result<Self, Error> {
                match value {
                    $( $value => Ok(Self::$variant), )+
                    _ => Err(Error::new(
                        status::PJ_EINVAL,
                        concat!(stringify!($name), "::try_from()"),
                        format!(
                            concat!("{} is not a ", stringify!($name), " (one of {})"),
                            value,
                            Self::defined_values()
                        ),
                    )),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i32(self.as_i32())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <i32 as serde::Deserialize>::deserialize(deserializer)?;
                Self::try_from(value).map_err(|e| serde::de::Error::custom(e.reason))
            }
        }
    };
}

pub(crate) use pj_enum;

/// Calls the macro `$m` with the name of every config enum, for code that
/// is written once per enum (the JSON reader here, the Python binding's
/// field tables). The names must be in scope where `$m` expands.
#[doc(hidden)]
#[macro_export]
macro_rules! for_each_config_enum {
    ($m:ident) => {
        $m!(
            BuddyStatus,
            CredDataType,
            DigestAlgorithm,
            DtmfMethod,
            HoldType,
            IceTrickle,
            Ipv6Use,
            JbDiscardAlgo,
            Nat64Opt,
            PrackUse,
            QosType,
            QosWmmPrio,
            RateControlMethod,
            RpidActivity,
            RtcpFbType,
            SessionTimerUse,
            SrtpKeying,
            SrtpSecureSignaling,
            SrtpUse,
            SslCertLookupType,
            SslMethod,
            StunUse,
            TurnConnType,
            TurnPasswordType,
            UpnpUse,
        );
    };
}

pj_enum! {
    /// How STUN is used for SIP or media (`pjsua_stun_use`).
    StunUse, default Default {
        /// Follow the endpoint's STUN settings (`PJSUA_STUN_USE_DEFAULT`).
        Default = 0,
        /// Do not use STUN (`PJSUA_STUN_USE_DISABLED`).
        Disabled = 1,
        /// Retry the other STUN servers on failure, then carry on without
        /// (`PJSUA_STUN_RETRY_ON_FAILURE`).
        RetryOnFailure = 2,
    }
}

pj_enum! {
    /// Use of reliable provisional responses, RFC 3262 100rel/PRACK
    /// (`pjsua_100rel_use`).
    PrackUse, default NotUsed {
        /// Not used (`PJSUA_100REL_NOT_USED`).
        NotUsed = 0,
        /// Required of the peer (`PJSUA_100REL_MANDATORY`).
        Mandatory = 1,
        /// Used when the peer supports it (`PJSUA_100REL_OPTIONAL`).
        Optional = 2,
    }
}

pj_enum! {
    /// Use of RFC 4028 session timers (`pjsua_sip_timer_use`).
    SessionTimerUse, default Optional {
        /// Never used (`PJSUA_SIP_TIMER_INACTIVE`).
        Inactive = 0,
        /// Used when the peer supports it (`PJSUA_SIP_TIMER_OPTIONAL`).
        Optional = 1,
        /// Required of the peer (`PJSUA_SIP_TIMER_REQUIRED`).
        Required = 2,
        /// Always used, even if the peer does not say it supports it
        /// (`PJSUA_SIP_TIMER_ALWAYS`).
        Always = 3,
    }
}

pj_enum! {
    /// How a call is put on hold (`pjsua_call_hold_type`).
    HoldType, default Rfc3264 {
        /// `a=sendonly` / `a=inactive` (`PJSUA_CALL_HOLD_TYPE_RFC3264`).
        Rfc3264 = 0,
        /// The old RFC 2543 way: connection address 0.0.0.0
        /// (`PJSUA_CALL_HOLD_TYPE_RFC2543`).
        Rfc2543 = 1,
    }
}

pj_enum! {
    /// Use of SRTP (`pjmedia_srtp_use`).
    SrtpUse, default Disabled {
        /// Plain RTP only (`PJMEDIA_SRTP_DISABLED`).
        Disabled = 0,
        /// SRTP offered, plain RTP accepted (`PJMEDIA_SRTP_OPTIONAL`).
        Optional = 1,
        /// SRTP required (`PJMEDIA_SRTP_MANDATORY`).
        Mandatory = 2,
    }
}

pj_enum! {
    /// What SIP signalling security SDES-SRTP requires
    /// (`AccountMediaConfig::srtpSecureSignaling`).
    SrtpSecureSignaling, default Tls {
        /// No requirement.
        None = 0,
        /// The hop must use TLS.
        Tls = 1,
        /// The whole path must be secure (a `sips:` URI).
        Sips = 2,
    }
}

pj_enum! {
    /// Keying method for SRTP (`pjmedia_srtp_keying_method`), the values of
    /// [`SrtpOpt::keyings`](crate::config::SrtpOpt::keyings).
    SrtpKeying, default Sdes {
        /// SDES, RFC 4568 (`PJMEDIA_SRTP_KEYING_SDES`).
        Sdes = 0,
        /// DTLS-SRTP, RFC 5763/5764 (`PJMEDIA_SRTP_KEYING_DTLS_SRTP`).
        DtlsSrtp = 1,
    }
}

pj_enum! {
    /// Use of IPv6 for SIP or media (`pjsua_ipv6_use`).
    Ipv6Use, default Disabled {
        /// IPv4 only (`PJSUA_IPV6_DISABLED`).
        Disabled = 0,
        /// IPv6 enabled, no preference (`PJSUA_IPV6_ENABLED_NO_PREFERENCE`,
        /// also `PJSUA_IPV6_ENABLED`).
        Enabled = 1,
        /// IPv6 enabled, IPv4 preferred (`PJSUA_IPV6_ENABLED_PREFER_IPV4`).
        PreferIpv4 = 2,
        /// IPv6 enabled and preferred (`PJSUA_IPV6_ENABLED_PREFER_IPV6`).
        PreferIpv6 = 3,
        /// IPv6 only (`PJSUA_IPV6_ENABLED_USE_IPV6_ONLY`).
        Ipv6Only = 4,
    }
}

pj_enum! {
    /// What [`AuthCredInfo::data`](crate::config::AuthCredInfo::data) holds
    /// (`pjsip_cred_data_type`).
    CredDataType, default PlainPasswd {
        /// The password in clear (`PJSIP_CRED_DATA_PLAIN_PASSWD`).
        PlainPasswd = 0,
        /// The hashed digest HA1 (`PJSIP_CRED_DATA_DIGEST`).
        Digest = 1,
        /// The password for IMS AKA authentication, with the `aka*` fields
        /// (`PJSIP_CRED_DATA_EXT_AKA`).
        ExtAka = 16,
    }
}

pj_enum! {
    /// Digest algorithm of a credential (`pjsip_auth_algorithm_type`).
    DigestAlgorithm, default NotSet {
        /// Any algorithm the challenge asks for (`PJSIP_AUTH_ALGORITHM_NOT_SET`).
        NotSet = 0,
        /// MD5 (`PJSIP_AUTH_ALGORITHM_MD5`).
        Md5 = 1,
        /// SHA-256, RFC 7616 (`PJSIP_AUTH_ALGORITHM_SHA256`).
        Sha256 = 2,
        /// SHA-512/256, RFC 7616 (`PJSIP_AUTH_ALGORITHM_SHA512_256`).
        Sha512_256 = 3,
        /// AKAv1-MD5, RFC 3310 (`PJSIP_AUTH_ALGORITHM_AKAV1_MD5`).
        AkaV1Md5 = 4,
        /// AKAv2-MD5, RFC 4169 (`PJSIP_AUTH_ALGORITHM_AKAV2_MD5`).
        AkaV2Md5 = 5,
    }
}

pj_enum! {
    /// Transport to the TURN server (`pj_turn_tp_type`; the values are IP
    /// protocol numbers, TLS being PJNATH's own).
    TurnConnType, default Udp {
        /// UDP (`PJ_TURN_TP_UDP`).
        Udp = 17,
        /// TCP, RFC 6062 (`PJ_TURN_TP_TCP`).
        Tcp = 6,
        /// TLS (`PJ_TURN_TP_TLS`).
        Tls = 56,
    }
}

pj_enum! {
    /// What the TURN password holds (`pj_stun_passwd_type`).
    TurnPasswordType, default Plain {
        /// The password in clear (`PJ_STUN_PASSWD_PLAIN`).
        Plain = 0,
        /// The hashed long-term key (`PJ_STUN_PASSWD_HASHED`).
        Hashed = 1,
    }
}

pj_enum! {
    /// Trickle ICE mode, RFC 8838 (`pj_ice_sess_trickle`).
    IceTrickle, default Disabled {
        /// No trickle ICE (`PJ_ICE_SESS_TRICKLE_DISABLED`).
        Disabled = 0,
        /// Half trickle: full candidates in the offer, trickled answer
        /// (`PJ_ICE_SESS_TRICKLE_HALF`).
        Half = 1,
        /// Full trickle (`PJ_ICE_SESS_TRICKLE_FULL`).
        Full = 2,
    }
}

pj_enum! {
    /// Use of UPnP for SIP or media (`pjsua_upnp_use`).
    UpnpUse, default Default {
        /// Follow the endpoint's UPnP setting (`PJSUA_UPNP_USE_DEFAULT`).
        Default = 0,
        /// Do not use UPnP (`PJSUA_UPNP_USE_DISABLED`).
        Disabled = 1,
    }
}

pj_enum! {
    /// NAT64 handling (`pjsua_nat64_opt`).
    Nat64Opt, default Disabled {
        /// No NAT64 handling (`PJSUA_NAT64_DISABLED`).
        Disabled = 0,
        /// Rewrite IPv4 addresses behind a NAT64 (`PJSUA_NAT64_ENABLED`).
        Enabled = 1,
    }
}

pj_enum! {
    /// How the jitter buffer discards frames (`pjmedia_jb_discard_algo`).
    JbDiscardAlgo, default Progressive {
        /// Never discard (`PJMEDIA_JB_DISCARD_NONE`).
        None = 0,
        /// Discard at a fixed rate while too long (`PJMEDIA_JB_DISCARD_STATIC`).
        Static = 1,
        /// Discard faster the longer it is (`PJMEDIA_JB_DISCARD_PROGRESSIVE`).
        Progressive = 2,
    }
}

pj_enum! {
    /// Traffic class of a socket (`pj_qos_type`).
    QosType, default BestEffort {
        /// Best effort (`PJ_QOS_TYPE_BEST_EFFORT`).
        BestEffort = 0,
        /// Background (`PJ_QOS_TYPE_BACKGROUND`).
        Background = 1,
        /// Video (`PJ_QOS_TYPE_VIDEO`).
        Video = 2,
        /// Voice (`PJ_QOS_TYPE_VOICE`).
        Voice = 3,
        /// Control (`PJ_QOS_TYPE_CONTROL`).
        Control = 4,
        /// Signalling (`PJ_QOS_TYPE_SIGNALLING`).
        Signalling = 5,
    }
}

pj_enum! {
    /// WMM priority of a socket (`pj_qos_wmm_prio`).
    QosWmmPrio, default BulkEffort {
        /// Bulk effort (`PJ_QOS_WMM_PRIO_BULK_EFFORT`).
        BulkEffort = 0,
        /// Bulk (`PJ_QOS_WMM_PRIO_BULK`).
        Bulk = 1,
        /// Video (`PJ_QOS_WMM_PRIO_VIDEO`).
        Video = 2,
        /// Voice (`PJ_QOS_WMM_PRIO_VOICE`).
        Voice = 3,
    }
}

pj_enum! {
    /// SSL/TLS method of a TLS transport (`pjsip_ssl_method`).
    SslMethod, default Unspecified {
        /// The library's default (`PJSIP_SSL_UNSPECIFIED_METHOD`).
        Unspecified = 0,
        /// TLS 1.0 (`PJSIP_TLSV1_METHOD`).
        TlsV1 = 31,
        /// TLS 1.1 (`PJSIP_TLSV1_1_METHOD`).
        TlsV1_1 = 32,
        /// TLS 1.2 (`PJSIP_TLSV1_2_METHOD`).
        TlsV1_2 = 33,
        /// TLS 1.3 (`PJSIP_TLSV1_3_METHOD`).
        TlsV1_3 = 34,
        /// SSL 2 (`PJSIP_SSLV2_METHOD`).
        SslV2 = 20,
        /// SSL 3 (`PJSIP_SSLV3_METHOD`).
        SslV3 = 30,
        /// SSL 2/3 compatible (`PJSIP_SSLV23_METHOD`).
        SslV23 = 23,
    }
}

pj_enum! {
    /// How a TLS certificate is looked up in the OS store
    /// (`pj_ssl_cert_lookup_type`).
    SslCertLookupType, default None {
        /// No lookup: use the files or buffers (`PJ_SSL_CERT_LOOKUP_NONE`).
        None = 0,
        /// By subject (`PJ_SSL_CERT_LOOKUP_SUBJECT`).
        Subject = 1,
        /// By SHA-1 fingerprint (`PJ_SSL_CERT_LOOKUP_FINGERPRINT`).
        Fingerprint = 2,
        /// By friendly name (`PJ_SSL_CERT_LOOKUP_FRIENDLY_NAME`).
        FriendlyName = 3,
    }
}

pj_enum! {
    /// Rate control of a video stream (`pjmedia_vid_stream_rc_method`).
    RateControlMethod, default None {
        /// No rate control (`PJMEDIA_VID_STREAM_RC_NONE`).
        None = 0,
        /// Block the sender until the bandwidth allows
        /// (`PJMEDIA_VID_STREAM_RC_SIMPLE_BLOCKING`).
        SimpleBlocking = 1,
    }
}

pj_enum! {
    /// Type of an RTCP feedback capability, RFC 4585 (`pjmedia_rtcp_fb_type`).
    RtcpFbType, default Other {
        /// `ack` (`PJMEDIA_RTCP_FB_ACK`).
        Ack = 0,
        /// `nack` (`PJMEDIA_RTCP_FB_NACK`).
        Nack = 1,
        /// `trr-int` (`PJMEDIA_RTCP_FB_TRR_INT`).
        TrrInt = 2,
        /// Any other type, named by `type_name` (`PJMEDIA_RTCP_FB_OTHER`).
        Other = 3,
    }
}

pj_enum! {
    /// How DTMF digits are sent (`pjsua_dtmf_method`).
    DtmfMethod, default Rfc2833 {
        /// RTP telephone-event, RFC 2833/4733 (`PJSUA_DTMF_METHOD_RFC2833`).
        Rfc2833 = 0,
        /// SIP INFO with `application/dtmf-relay` (`PJSUA_DTMF_METHOD_SIP_INFO`).
        SipInfo = 1,
    }
}

pj_enum! {
    /// Basic presence status (`pjsua_buddy_status`).
    BuddyStatus, default Unknown {
        /// Unknown (`PJSUA_BUDDY_STATUS_UNKNOWN`).
        Unknown = 0,
        /// Online (`PJSUA_BUDDY_STATUS_ONLINE`).
        Online = 1,
        /// Offline (`PJSUA_BUDDY_STATUS_OFFLINE`).
        Offline = 2,
    }
}

pj_enum! {
    /// RPID activity, RFC 4480 subset (`pjrpid_activity`).
    RpidActivity, default Unknown {
        /// Unknown (`PJRPID_ACTIVITY_UNKNOWN`).
        Unknown = 0,
        /// Away (`PJRPID_ACTIVITY_AWAY`).
        Away = 1,
        /// Busy (`PJRPID_ACTIVITY_BUSY`).
        Busy = 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_pjsips() {
        assert_eq!(StunUse::RetryOnFailure.as_i32(), 2);
        assert_eq!(CredDataType::ExtAka.as_i32(), 16);
        assert_eq!(TurnConnType::Tls.as_i32(), 56);
        assert_eq!(TurnConnType::Tcp.as_i32(), 6);
        assert_eq!(SslMethod::TlsV1_3.as_i32(), 34);
        assert_eq!(Ipv6Use::Ipv6Only.as_i32(), 4);
        assert_eq!(i32::from(JbDiscardAlgo::Progressive), 2);
    }

    #[test]
    fn every_value_converts_back() {
        for v in TurnConnType::ALL {
            assert_eq!(TurnConnType::try_from(v.as_i32()).unwrap(), *v);
        }
        for v in SslMethod::ALL {
            assert_eq!(SslMethod::try_from(v.as_i32()).unwrap(), *v);
        }
        for v in DigestAlgorithm::ALL {
            assert_eq!(DigestAlgorithm::try_from(v.as_i32()).unwrap(), *v);
        }
    }

    #[test]
    fn undefined_values_are_errors() {
        let e = TurnConnType::try_from(18).unwrap_err();
        assert_eq!(e.status, status::PJ_EINVAL);
        assert_eq!(e.reason, "18 is not a TurnConnType (one of 17, 6, 56)");
        assert!(CredDataType::try_from(2).is_err());
        assert!(StunUse::try_from(-1).is_err());
    }

    #[test]
    fn serde_uses_the_integer() {
        assert_eq!(serde_json::to_string(&TurnConnType::Tcp).unwrap(), "6");
        let v: SrtpUse = serde_json::from_str("2").unwrap();
        assert_eq!(v, SrtpUse::Mandatory);
        assert!(serde_json::from_str::<SrtpUse>("9").is_err());
    }
}
