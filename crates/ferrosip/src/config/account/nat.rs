//! NAT traversal settings of an account (PJSUA2's `AccountNatConfig`).

use serde::{Deserialize, Serialize};

use crate::config::enums::{
    IceTrickle, Nat64Opt, StunUse, TurnConnType, TurnPasswordType, UpnpUse,
};

/// NAT traversal: STUN, UPnP, ICE, TURN, and rewriting of addresses from
/// what the server saw (PJSUA2's `AccountNatConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountNatConfig {
    /// STUN for the SIP transport. Default [`StunUse::Default`].
    pub sip_stun_use: StunUse,
    /// STUN for the media transports. Default [`StunUse::RetryOnFailure`].
    pub media_stun_use: StunUse,
    /// UPnP for the SIP transport. Default [`UpnpUse::Default`].
    pub sip_upnp_use: UpnpUse,
    /// UPnP for the media transports. Default [`UpnpUse::Default`].
    pub media_upnp_use: UpnpUse,
    /// NAT64 handling. Default [`Nat64Opt::Disabled`].
    pub nat64_opt: Nat64Opt,
    /// Use ICE (RFC 8445) for media. Default false.
    pub ice_enabled: bool,
    /// Trickle ICE mode. Default [`IceTrickle::Disabled`].
    pub ice_trickle: IceTrickle,
    /// Most host candidates gathered; -1 means no limit. Default -1.
    pub ice_max_host_cands: i32,
    /// Aggressive nomination. Default true.
    pub ice_aggressive_nomination: bool,
    /// With regular nomination, how long the controlling agent waits after
    /// a valid pair before nominating, ms. Default 400.
    pub ice_nominated_check_delay_msec: u32,
    /// How long the controlled agent waits for a nomination after its
    /// checks succeed, ms; -1 forever. Default 10000.
    pub ice_wait_nomination_timeout_msec: i32,
    /// No ICE component for RTCP. Default false.
    pub ice_no_rtcp: bool,
    /// Always send a re-INVITE/UPDATE after ICE negotiation.
    /// Default true.
    pub ice_always_update: bool,
    /// Use TURN relay candidates. Default false.
    pub turn_enabled: bool,
    /// The TURN server, `host[:port]`. Default "".
    pub turn_server: String,
    /// Transport to the TURN server. Default [`TurnConnType::Udp`].
    pub turn_conn_type: TurnConnType,
    /// TURN user name. Default "".
    pub turn_user_name: String,
    /// What `turn_password` holds. Default [`TurnPasswordType::Plain`].
    pub turn_password_type: TurnPasswordType,
    /// TURN password. Default "".
    pub turn_password: String,
    /// Rewrite the Contact with the address the registrar saw (non-zero).
    /// Default 1.
    pub contact_rewrite_use: i32,
    /// How the Contact is rewritten, a bitmask of
    /// `PJSUA_CONTACT_REWRITE_*`: UNREGISTER 1, NO_UNREG 2,
    /// ALWAYS_UPDATE 4. Default 6.
    pub contact_rewrite_method: i32,
    /// Also use the source port the registrar saw in the Contact
    /// (non-zero). Default 1.
    pub contact_use_src_port: i32,
    /// Rewrite the Via sent-by with the address the server saw (non-zero).
    /// Default 1.
    pub via_rewrite_use: i32,
    /// Rewrite the SDP's addresses with the STUN-mapped one (non-zero).
    /// Default 0.
    pub sdp_nat_rewrite_use: i32,
    /// Use SIP outbound, RFC 5626 (non-zero). Default 1.
    pub sip_outbound_use: i32,
    /// The `+sip.instance` of SIP outbound; empty means generated.
    /// Default "".
    pub sip_outbound_instance_id: String,
    /// The `reg-id` of SIP outbound; empty means 1. Default "".
    pub sip_outbound_reg_id: String,
    /// Interval of UDP keep-alives to the registrar, seconds; 0 disables.
    /// Default 15.
    pub udp_ka_interval_sec: u32,
    /// What a UDP keep-alive carries. Default "\r\n".
    pub udp_ka_data: String,
}

impl Default for AccountNatConfig {
    fn default() -> Self {
        Self {
            sip_stun_use: StunUse::Default,
            media_stun_use: StunUse::RetryOnFailure,
            sip_upnp_use: UpnpUse::Default,
            media_upnp_use: UpnpUse::Default,
            nat64_opt: Nat64Opt::Disabled,
            ice_enabled: false,
            ice_trickle: IceTrickle::Disabled,
            ice_max_host_cands: -1,
            ice_aggressive_nomination: true,
            ice_nominated_check_delay_msec: 400,
            ice_wait_nomination_timeout_msec: 10000,
            ice_no_rtcp: false,
            ice_always_update: true,
            turn_enabled: false,
            turn_server: String::new(),
            turn_conn_type: TurnConnType::Udp,
            turn_user_name: String::new(),
            turn_password_type: TurnPasswordType::Plain,
            turn_password: String::new(),
            contact_rewrite_use: 1,
            contact_rewrite_method: 6,
            contact_use_src_port: 1,
            via_rewrite_use: 1,
            sdp_nat_rewrite_use: 0,
            sip_outbound_use: 1,
            sip_outbound_instance_id: String::new(),
            sip_outbound_reg_id: String::new(),
            udp_ka_interval_sec: 15,
            udp_ka_data: "\r\n".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_pjsua2s() {
        let c = AccountNatConfig::default();
        assert_eq!(c.sip_stun_use.as_i32(), 0);
        assert_eq!(c.media_stun_use.as_i32(), 2);
        assert_eq!(c.sip_upnp_use.as_i32(), 0);
        assert_eq!(c.media_upnp_use.as_i32(), 0);
        assert_eq!(c.nat64_opt.as_i32(), 0);
        assert!(!c.ice_enabled);
        assert_eq!(c.ice_trickle.as_i32(), 0);
        assert_eq!(c.ice_max_host_cands, -1);
        assert!(c.ice_aggressive_nomination);
        assert_eq!(c.ice_nominated_check_delay_msec, 400);
        assert_eq!(c.ice_wait_nomination_timeout_msec, 10000);
        assert!(!c.ice_no_rtcp);
        assert!(c.ice_always_update);
        assert!(!c.turn_enabled);
        assert_eq!(c.turn_server, "");
        assert_eq!(c.turn_conn_type.as_i32(), 17);
        assert_eq!(c.turn_user_name, "");
        assert_eq!(c.turn_password_type.as_i32(), 0);
        assert_eq!(c.turn_password, "");
        assert_eq!(c.contact_rewrite_use, 1);
        assert_eq!(c.contact_rewrite_method, 6);
        assert_eq!(c.contact_use_src_port, 1);
        assert_eq!(c.via_rewrite_use, 1);
        assert_eq!(c.sdp_nat_rewrite_use, 0);
        assert_eq!(c.sip_outbound_use, 1);
        assert_eq!(c.sip_outbound_instance_id, "");
        assert_eq!(c.sip_outbound_reg_id, "");
        assert_eq!(c.udp_ka_interval_sec, 15);
        assert_eq!(c.udp_ka_data, "\r\n");
    }
}
