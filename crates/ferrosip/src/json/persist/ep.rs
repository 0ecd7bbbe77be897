//! Persistence of [`EpConfig`] and its parts.

use crate::config::{EpConfig, LogConfig, MediaConfig, UaConfig};
use crate::error::Result;
use crate::json::{ContainerNode, PersistentObject};

impl PersistentObject for EpConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("EpConfig")?;
        let mut v = self.clone();
        this.get_object("UaConfig", &mut v.ua_config)?;
        this.get_object("LogConfig", &mut v.log_config)?;
        this.get_object("MediaConfig", &mut v.med_config)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("EpConfig")?;
        this.write_object(&self.ua_config)?;
        this.write_object(&self.log_config)?;
        this.write_object(&self.med_config)
    }
}

impl PersistentObject for UaConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("UaConfig")?;
        let mut v = self.clone();
        this.get("maxCalls", &mut v.max_calls)?;
        this.get("threadCnt", &mut v.thread_cnt)?;
        this.get("mainThreadOnly", &mut v.main_thread_only)?;
        this.get("nameserver", &mut v.nameserver)?;
        this.get("outboundProxies", &mut v.outbound_proxies)?;
        this.get("userAgent", &mut v.user_agent)?;
        this.get("stunServer", &mut v.stun_server)?;
        this.get("stunTryIpv6", &mut v.stun_try_ipv6)?;
        this.get("stunIgnoreFailure", &mut v.stun_ignore_failure)?;
        this.get("natTypeInSdp", &mut v.nat_type_in_sdp)?;
        this.get("mwiUnsolicitedEnabled", &mut v.mwi_unsolicited_enabled)?;
        this.get("enableUpnp", &mut v.enable_upnp)?;
        this.get("upnpIfName", &mut v.upnp_if_name)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("UaConfig")?;
        this.write_uint("maxCalls", self.max_calls)?;
        this.write_uint("threadCnt", self.thread_cnt)?;
        this.write_bool("mainThreadOnly", self.main_thread_only)?;
        this.write_string_vector("nameserver", &self.nameserver)?;
        this.write_string("userAgent", &self.user_agent)?;
        this.write_string_vector("stunServer", &self.stun_server)?;
        this.write_bool("stunTryIpv6", self.stun_try_ipv6)?;
        this.write_bool("stunIgnoreFailure", self.stun_ignore_failure)?;
        this.write_int("natTypeInSdp", self.nat_type_in_sdp)?;
        this.write_bool("mwiUnsolicitedEnabled", self.mwi_unsolicited_enabled)?;
        this.write_bool("enableUpnp", self.enable_upnp)?;
        this.write_string("upnpIfName", &self.upnp_if_name)
    }
}

impl PersistentObject for LogConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("LogConfig")?;
        let mut v = self.clone();
        this.get("msgLogging", &mut v.msg_logging)?;
        this.get("level", &mut v.level)?;
        this.get("consoleLevel", &mut v.console_level)?;
        this.get("decor", &mut v.decor)?;
        this.get("filename", &mut v.filename)?;
        this.get("fileFlags", &mut v.file_flags)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("LogConfig")?;
        this.write_uint("msgLogging", self.msg_logging)?;
        this.write_uint("level", self.level)?;
        this.write_uint("consoleLevel", self.console_level)?;
        this.write_uint("decor", self.decor)?;
        this.write_string("filename", &self.filename)?;
        this.write_uint("fileFlags", self.file_flags)
    }
}

impl PersistentObject for MediaConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("MediaConfig")?;
        let mut v = self.clone();
        this.get("clockRate", &mut v.clock_rate)?;
        this.get("sndClockRate", &mut v.snd_clock_rate)?;
        this.get("channelCount", &mut v.channel_count)?;
        this.get("audioFramePtime", &mut v.audio_frame_ptime)?;
        this.get("maxMediaPorts", &mut v.max_media_ports)?;
        this.get("hasIoqueue", &mut v.has_ioqueue)?;
        this.get("threadCnt", &mut v.thread_cnt)?;
        this.get("quality", &mut v.quality)?;
        this.get("ptime", &mut v.ptime)?;
        this.get("noVad", &mut v.no_vad)?;
        this.get("ilbcMode", &mut v.ilbc_mode)?;
        this.get("txDropPct", &mut v.tx_drop_pct)?;
        this.get("rxDropPct", &mut v.rx_drop_pct)?;
        this.get("ecOptions", &mut v.ec_options)?;
        this.get("ecTailLen", &mut v.ec_tail_len)?;
        this.get("sndRecLatency", &mut v.snd_rec_latency)?;
        this.get("sndPlayLatency", &mut v.snd_play_latency)?;
        this.get("jbInit", &mut v.jb_init)?;
        this.get("jbMinPre", &mut v.jb_min_pre)?;
        this.get("jbMaxPre", &mut v.jb_max_pre)?;
        this.get("jbMax", &mut v.jb_max)?;
        this.get("jbDiscardAlgo", &mut v.jb_discard_algo)?;
        this.get("sndAutoCloseTime", &mut v.snd_auto_close_time)?;
        this.get("vidPreviewEnableNative", &mut v.vid_preview_enable_native)?;
        this.get("sndUseSwClock", &mut v.snd_use_sw_clock)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("MediaConfig")?;
        this.write_uint("clockRate", self.clock_rate)?;
        this.write_uint("sndClockRate", self.snd_clock_rate)?;
        this.write_uint("channelCount", self.channel_count)?;
        this.write_uint("audioFramePtime", self.audio_frame_ptime)?;
        this.write_uint("maxMediaPorts", self.max_media_ports)?;
        this.write_bool("hasIoqueue", self.has_ioqueue)?;
        this.write_uint("threadCnt", self.thread_cnt)?;
        this.write_uint("quality", self.quality)?;
        this.write_uint("ptime", self.ptime)?;
        this.write_bool("noVad", self.no_vad)?;
        this.write_uint("ilbcMode", self.ilbc_mode)?;
        this.write_uint("txDropPct", self.tx_drop_pct)?;
        this.write_uint("rxDropPct", self.rx_drop_pct)?;
        this.write_uint("ecOptions", self.ec_options)?;
        this.write_uint("ecTailLen", self.ec_tail_len)?;
        this.write_uint("sndRecLatency", self.snd_rec_latency)?;
        this.write_uint("sndPlayLatency", self.snd_play_latency)?;
        this.write_int("jbInit", self.jb_init)?;
        this.write_int("jbMinPre", self.jb_min_pre)?;
        this.write_int("jbMaxPre", self.jb_max_pre)?;
        this.write_int("jbMax", self.jb_max)?;
        this.write_enum("jbDiscardAlgo", self.jb_discard_algo)?;
        this.write_int("sndAutoCloseTime", self.snd_auto_close_time)?;
        this.write_bool("vidPreviewEnableNative", self.vid_preview_enable_native)?;
        this.write_bool("sndUseSwClock", self.snd_use_sw_clock)
    }
}
