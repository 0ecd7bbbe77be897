//! Persistence of [`AccountConfig`] and its parts.

use super::{read_headers, write_headers};
use crate::config::{
    AccountCallConfig, AccountConfig, AccountIpChangeConfig, AccountMediaConfig, AccountMwiConfig,
    AccountNatConfig, AccountPresConfig, AccountRegConfig, AccountSipConfig, AccountVideoConfig,
    AuthCredInfo,
};
use crate::error::Result;
use crate::json::{ContainerNode, PersistentObject};

impl PersistentObject for AccountConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("AccountConfig")?;
        let mut v = self.clone();
        this.get("priority", &mut v.priority)?;
        this.get("idUri", &mut v.id_uri)?;
        this.get_object("AccountRegConfig", &mut v.reg_config)?;
        this.get_object("AccountSipConfig", &mut v.sip_config)?;
        this.get_object("AccountCallConfig", &mut v.call_config)?;
        this.get_object("AccountPresConfig", &mut v.pres_config)?;
        this.get_object("AccountMwiConfig", &mut v.mwi_config)?;
        this.get_object("AccountNatConfig", &mut v.nat_config)?;
        this.get_object("AccountMediaConfig", &mut v.media_config)?;
        this.get_object("AccountVideoConfig", &mut v.video_config)?;
        this.get_object("AccountIpChangeConfig", &mut v.ip_change_config)?;
        *self = v;
        Ok(())
    }

    /// Writes what PJSUA2 2.15.1 writes: everything but `ip_change_config`.
    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("AccountConfig")?;
        this.write_int("priority", self.priority)?;
        this.write_string("idUri", &self.id_uri)?;
        this.write_object(&self.reg_config)?;
        this.write_object(&self.sip_config)?;
        this.write_object(&self.call_config)?;
        this.write_object(&self.pres_config)?;
        this.write_object(&self.mwi_config)?;
        this.write_object(&self.nat_config)?;
        this.write_object(&self.media_config)?;
        this.write_object(&self.video_config)
    }
}

impl PersistentObject for AccountRegConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("AccountRegConfig")?;
        let mut v = self.clone();
        this.get("registrarUri", &mut v.registrar_uri)?;
        this.get("registerOnAdd", &mut v.register_on_add)?;
        this.get("disableRegOnModify", &mut v.disable_reg_on_modify)?;
        this.get("timeoutSec", &mut v.timeout_sec)?;
        this.get("retryIntervalSec", &mut v.retry_interval_sec)?;
        this.get("firstRetryIntervalSec", &mut v.first_retry_interval_sec)?;
        this.get("randomRetryIntervalSec", &mut v.random_retry_interval_sec)?;
        this.get("delayBeforeRefreshSec", &mut v.delay_before_refresh_sec)?;
        this.get("dropCallsOnFail", &mut v.drop_calls_on_fail)?;
        this.get("unregWaitMsec", &mut v.unreg_wait_msec)?;
        this.get("proxyUse", &mut v.proxy_use)?;
        this.get("contactParams", &mut v.contact_params)?;
        this.get("contactUriParams", &mut v.contact_uri_params)?;
        read_headers(&this, "headers", &mut v.headers)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("AccountRegConfig")?;
        this.write_string("registrarUri", &self.registrar_uri)?;
        this.write_bool("registerOnAdd", self.register_on_add)?;
        this.write_uint("timeoutSec", self.timeout_sec)?;
        this.write_uint("retryIntervalSec", self.retry_interval_sec)?;
        this.write_uint("firstRetryIntervalSec", self.first_retry_interval_sec)?;
        this.write_uint("randomRetryIntervalSec", self.random_retry_interval_sec)?;
        this.write_uint("delayBeforeRefreshSec", self.delay_before_refresh_sec)?;
        this.write_bool("dropCallsOnFail", self.drop_calls_on_fail)?;
        this.write_uint("unregWaitMsec", self.unreg_wait_msec)?;
        this.write_uint("proxyUse", self.proxy_use)?;
        this.write_string("contactParams", &self.contact_params)?;
        write_headers(&mut this, "headers", &self.headers)
    }
}

impl PersistentObject for AccountSipConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("AccountSipConfig")?;
        let mut v = self.clone();
        this.get("proxies", &mut v.proxies)?;
        this.get("contactForced", &mut v.contact_forced)?;
        this.get("contactParams", &mut v.contact_params)?;
        this.get("contactUriParams", &mut v.contact_uri_params)?;
        this.get("authInitialEmpty", &mut v.auth_initial_empty)?;
        this.get("authInitialAlgorithm", &mut v.auth_initial_algorithm)?;
        this.get("transportId", &mut v.transport_id)?;
        this.get("ipv6Use", &mut v.ipv6_use)?;
        if let Some(creds) = this.get_array("authCreds")? {
            v.auth_creds.clear();
            while creds.has_unread() {
                let mut cred = AuthCredInfo::default();
                cred.read_object(&creds)?;
                v.auth_creds.push(cred);
            }
        }
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("AccountSipConfig")?;
        this.write_string_vector("proxies", &self.proxies)?;
        this.write_string("contactForced", &self.contact_forced)?;
        this.write_string("contactParams", &self.contact_params)?;
        this.write_string("contactUriParams", &self.contact_uri_params)?;
        this.write_bool("authInitialEmpty", self.auth_initial_empty)?;
        this.write_string("authInitialAlgorithm", &self.auth_initial_algorithm)?;
        this.write_int("transportId", self.transport_id)?;
        let mut creds = this.write_new_array("authCreds")?;
        for cred in &self.auth_creds {
            creds.write_object(cred)?;
        }
        Ok(())
    }
}

impl PersistentObject for AccountCallConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("AccountCallConfig")?;
        let mut v = self.clone();
        this.get("holdType", &mut v.hold_type)?;
        this.get("prackUse", &mut v.prack_use)?;
        this.get("timerUse", &mut v.timer_use)?;
        this.get("timerMinSESec", &mut v.timer_min_se_sec)?;
        this.get("timerSessExpiresSec", &mut v.timer_sess_expires_sec)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("AccountCallConfig")?;
        this.write_enum("holdType", self.hold_type)?;
        this.write_enum("prackUse", self.prack_use)?;
        this.write_enum("timerUse", self.timer_use)?;
        this.write_uint("timerMinSESec", self.timer_min_se_sec)?;
        this.write_uint("timerSessExpiresSec", self.timer_sess_expires_sec)
    }
}

impl PersistentObject for AccountPresConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("AccountPresConfig")?;
        let mut v = self.clone();
        this.get("publishEnabled", &mut v.publish_enabled)?;
        this.get("publishQueue", &mut v.publish_queue)?;
        this.get("publishShutdownWaitMsec", &mut v.publish_shutdown_wait_msec)?;
        this.get("pidfTupleId", &mut v.pidf_tuple_id)?;
        read_headers(&this, "headers", &mut v.headers)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("AccountPresConfig")?;
        this.write_bool("publishEnabled", self.publish_enabled)?;
        this.write_bool("publishQueue", self.publish_queue)?;
        this.write_uint("publishShutdownWaitMsec", self.publish_shutdown_wait_msec)?;
        this.write_string("pidfTupleId", &self.pidf_tuple_id)?;
        write_headers(&mut this, "headers", &self.headers)
    }
}

impl PersistentObject for AccountMwiConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("AccountMwiConfig")?;
        let mut v = self.clone();
        this.get("enabled", &mut v.enabled)?;
        this.get("expirationSec", &mut v.expiration_sec)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("AccountMwiConfig")?;
        this.write_bool("enabled", self.enabled)?;
        this.write_uint("expirationSec", self.expiration_sec)
    }
}

impl PersistentObject for AccountNatConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("AccountNatConfig")?;
        let mut v = self.clone();
        this.get("sipStunUse", &mut v.sip_stun_use)?;
        this.get("mediaStunUse", &mut v.media_stun_use)?;
        this.get("sipUpnpUse", &mut v.sip_upnp_use)?;
        this.get("mediaUpnpUse", &mut v.media_upnp_use)?;
        this.get("nat64Opt", &mut v.nat64_opt)?;
        this.get("iceEnabled", &mut v.ice_enabled)?;
        this.get("iceTrickle", &mut v.ice_trickle)?;
        this.get("iceMaxHostCands", &mut v.ice_max_host_cands)?;
        this.get("iceAggressiveNomination", &mut v.ice_aggressive_nomination)?;
        this.get(
            "iceNominatedCheckDelayMsec",
            &mut v.ice_nominated_check_delay_msec,
        )?;
        this.get(
            "iceWaitNominationTimeoutMsec",
            &mut v.ice_wait_nomination_timeout_msec,
        )?;
        this.get("iceNoRtcp", &mut v.ice_no_rtcp)?;
        this.get("iceAlwaysUpdate", &mut v.ice_always_update)?;
        this.get("turnEnabled", &mut v.turn_enabled)?;
        this.get("turnServer", &mut v.turn_server)?;
        this.get("turnConnType", &mut v.turn_conn_type)?;
        this.get("turnUserName", &mut v.turn_user_name)?;
        this.get("turnPasswordType", &mut v.turn_password_type)?;
        this.get("turnPassword", &mut v.turn_password)?;
        this.get("contactRewriteUse", &mut v.contact_rewrite_use)?;
        this.get("contactRewriteMethod", &mut v.contact_rewrite_method)?;
        this.get("viaRewriteUse", &mut v.via_rewrite_use)?;
        this.get("sdpNatRewriteUse", &mut v.sdp_nat_rewrite_use)?;
        this.get("sipOutboundUse", &mut v.sip_outbound_use)?;
        this.get("sipOutboundInstanceId", &mut v.sip_outbound_instance_id)?;
        this.get("sipOutboundRegId", &mut v.sip_outbound_reg_id)?;
        this.get("udpKaIntervalSec", &mut v.udp_ka_interval_sec)?;
        this.get("udpKaData", &mut v.udp_ka_data)?;
        this.get("contactUseSrcPort", &mut v.contact_use_src_port)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("AccountNatConfig")?;
        this.write_enum("sipStunUse", self.sip_stun_use)?;
        this.write_enum("mediaStunUse", self.media_stun_use)?;
        this.write_enum("sipUpnpUse", self.sip_upnp_use)?;
        this.write_enum("mediaUpnpUse", self.media_upnp_use)?;
        this.write_enum("nat64Opt", self.nat64_opt)?;
        this.write_bool("iceEnabled", self.ice_enabled)?;
        this.write_enum("iceTrickle", self.ice_trickle)?;
        this.write_int("iceMaxHostCands", self.ice_max_host_cands)?;
        this.write_bool("iceAggressiveNomination", self.ice_aggressive_nomination)?;
        this.write_uint(
            "iceNominatedCheckDelayMsec",
            self.ice_nominated_check_delay_msec,
        )?;
        this.write_int(
            "iceWaitNominationTimeoutMsec",
            self.ice_wait_nomination_timeout_msec,
        )?;
        this.write_bool("iceNoRtcp", self.ice_no_rtcp)?;
        this.write_bool("iceAlwaysUpdate", self.ice_always_update)?;
        this.write_bool("turnEnabled", self.turn_enabled)?;
        this.write_string("turnServer", &self.turn_server)?;
        this.write_enum("turnConnType", self.turn_conn_type)?;
        this.write_string("turnUserName", &self.turn_user_name)?;
        this.write_enum("turnPasswordType", self.turn_password_type)?;
        this.write_string("turnPassword", &self.turn_password)?;
        this.write_int("contactRewriteUse", self.contact_rewrite_use)?;
        this.write_int("contactRewriteMethod", self.contact_rewrite_method)?;
        this.write_int("viaRewriteUse", self.via_rewrite_use)?;
        this.write_int("sdpNatRewriteUse", self.sdp_nat_rewrite_use)?;
        this.write_int("sipOutboundUse", self.sip_outbound_use)?;
        this.write_string("sipOutboundInstanceId", &self.sip_outbound_instance_id)?;
        this.write_string("sipOutboundRegId", &self.sip_outbound_reg_id)?;
        this.write_uint("udpKaIntervalSec", self.udp_ka_interval_sec)?;
        this.write_string("udpKaData", &self.udp_ka_data)?;
        this.write_int("contactUseSrcPort", self.contact_use_src_port)
    }
}

impl PersistentObject for AccountMediaConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("AccountMediaConfig")?;
        let mut v = self.clone();
        this.get("lockCodecEnabled", &mut v.lock_codec_enabled)?;
        this.get("streamKaEnabled", &mut v.stream_ka_enabled)?;
        this.get("srtpUse", &mut v.srtp_use)?;
        this.get("srtpSecureSignaling", &mut v.srtp_secure_signaling)?;
        this.get_object("SrtpOpt", &mut v.srtp_opt)?;
        this.get("ipv6Use", &mut v.ipv6_use)?;
        this.get_object("TransportConfig", &mut v.transport_config)?;
        this.get("rtcpMuxEnabled", &mut v.rtcp_mux_enabled)?;
        this.get_object("RtcpFbConfig", &mut v.rtcp_fb_config)?;
        this.get("useLoopMedTp", &mut v.use_loop_med_tp)?;
        this.get("enableLoopback", &mut v.enable_loopback)?;
        this.get("rtcpXrEnabled", &mut v.rtcp_xr_enabled)?;
        *self = v;
        Ok(())
    }

    /// Writes what PJSUA2 2.15.1 writes: everything but `rtcp_fb_config`.
    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("AccountMediaConfig")?;
        this.write_bool("lockCodecEnabled", self.lock_codec_enabled)?;
        this.write_bool("streamKaEnabled", self.stream_ka_enabled)?;
        this.write_enum("srtpUse", self.srtp_use)?;
        this.write_enum("srtpSecureSignaling", self.srtp_secure_signaling)?;
        this.write_object(&self.srtp_opt)?;
        this.write_enum("ipv6Use", self.ipv6_use)?;
        this.write_object(&self.transport_config)?;
        this.write_bool("rtcpMuxEnabled", self.rtcp_mux_enabled)?;
        this.write_bool("useLoopMedTp", self.use_loop_med_tp)?;
        this.write_bool("enableLoopback", self.enable_loopback)?;
        this.write_bool("rtcpXrEnabled", self.rtcp_xr_enabled)
    }
}

impl PersistentObject for AccountVideoConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("AccountVideoConfig")?;
        let mut v = self.clone();
        this.get("autoShowIncoming", &mut v.auto_show_incoming)?;
        this.get("autoTransmitOutgoing", &mut v.auto_transmit_outgoing)?;
        this.get("windowFlags", &mut v.window_flags)?;
        this.get("defaultCaptureDevice", &mut v.default_capture_device)?;
        this.get("defaultRenderDevice", &mut v.default_render_device)?;
        this.get("rateControlMethod", &mut v.rate_control_method)?;
        this.get("rateControlBandwidth", &mut v.rate_control_bandwidth)?;
        this.get("startKeyframeCount", &mut v.start_keyframe_count)?;
        this.get("startKeyframeInterval", &mut v.start_keyframe_interval)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("AccountVideoConfig")?;
        this.write_bool("autoShowIncoming", self.auto_show_incoming)?;
        this.write_bool("autoTransmitOutgoing", self.auto_transmit_outgoing)?;
        this.write_uint("windowFlags", self.window_flags)?;
        this.write_int("defaultCaptureDevice", self.default_capture_device)?;
        this.write_int("defaultRenderDevice", self.default_render_device)?;
        this.write_enum("rateControlMethod", self.rate_control_method)?;
        this.write_uint("rateControlBandwidth", self.rate_control_bandwidth)?;
        this.write_uint("startKeyframeCount", self.start_keyframe_count)?;
        this.write_uint("startKeyframeInterval", self.start_keyframe_interval)
    }
}

/// PJSUA2 has this class's read/write (`shutdownTp`, `hangupCalls`,
/// `reinviteFlags`) but `AccountConfig` never calls them; ferrosip reads an
/// `AccountIpChangeConfig` inside `AccountConfig` when a file has one.
impl PersistentObject for AccountIpChangeConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("AccountIpChangeConfig")?;
        let mut v = self.clone();
        this.get("shutdownTp", &mut v.shutdown_tp)?;
        this.get("hangupCalls", &mut v.hangup_calls)?;
        this.get("reinviteFlags", &mut v.reinvite_flags)?;
        this.get("reinvUseUpdate", &mut v.reinv_use_update)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("AccountIpChangeConfig")?;
        this.write_bool("shutdownTp", self.shutdown_tp)?;
        this.write_bool("hangupCalls", self.hangup_calls)?;
        this.write_uint("reinviteFlags", self.reinvite_flags)
    }
}
