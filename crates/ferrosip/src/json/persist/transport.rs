//! Persistence of [`TransportConfig`], [`TlsConfig`], [`SockOptParams`]
//! and the `qosParams` they share.

use super::write_int_vector;
use crate::config::{QosParams, SockOpt, SockOptParams, TlsConfig, TransportConfig};
use crate::error::Result;
use crate::json::{ContainerNode, PersistentObject};

/// The `optLen` PJSUA2 writes for an integer socket option.
const INT_OPT_LEN: i32 = 4;

impl PersistentObject for TransportConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("TransportConfig")?;
        let mut v = self.clone();
        this.get("port", &mut v.port)?;
        this.get("portRange", &mut v.port_range)?;
        this.get("randomizePort", &mut v.randomize_port)?;
        this.get("publicAddress", &mut v.public_address)?;
        this.get("boundAddress", &mut v.bound_address)?;
        this.get("qosType", &mut v.qos_type)?;
        read_qos_params(&this, &mut v.qos_params)?;
        this.get_object("TlsConfig", &mut v.tls_config)?;
        this.get_object("sockOptParams", &mut v.sock_opt_params)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("TransportConfig")?;
        this.write_uint("port", self.port)?;
        this.write_uint("portRange", self.port_range)?;
        this.write_string("publicAddress", &self.public_address)?;
        this.write_string("boundAddress", &self.bound_address)?;
        this.write_enum("qosType", self.qos_type)?;
        write_qos_params(&mut this, &self.qos_params)?;
        this.write_object(&self.tls_config)?;
        this.write_object(&self.sock_opt_params)
    }
}

impl PersistentObject for TlsConfig {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let this = node.read_container("TlsConfig")?;
        let mut v = self.clone();
        this.get("CaListFile", &mut v.ca_list_file)?;
        this.get("certFile", &mut v.cert_file)?;
        this.get("privKeyFile", &mut v.priv_key_file)?;
        this.get("password", &mut v.password)?;
        this.get("CaBuf", &mut v.ca_buf)?;
        this.get("certBuf", &mut v.cert_buf)?;
        this.get("privKeyBuf", &mut v.priv_key_buf)?;
        this.get("method", &mut v.method)?;
        this.get("proto", &mut v.proto)?;
        this.get("ciphers", &mut v.ciphers)?;
        this.get("verifyServer", &mut v.verify_server)?;
        this.get("verifyClient", &mut v.verify_client)?;
        this.get("requireClientCert", &mut v.require_client_cert)?;
        this.get("msecTimeout", &mut v.msec_timeout)?;
        this.get("qosType", &mut v.qos_type)?;
        read_qos_params(&this, &mut v.qos_params)?;
        this.get("qosIgnoreError", &mut v.qos_ignore_error)?;
        this.get_object("sockOptParams", &mut v.sock_opt_params)?;
        this.get("sockOptIgnoreError", &mut v.sock_opt_ignore_error)?;
        this.get("certLookupType", &mut v.cert_lookup_type)?;
        this.get("certLookupKeyword", &mut v.cert_lookup_keyword)?;
        this.get("enableRenegotiation", &mut v.enable_renegotiation)?;
        *self = v;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut this = node.write_new_container("TlsConfig")?;
        this.write_string("CaListFile", &self.ca_list_file)?;
        this.write_string("certFile", &self.cert_file)?;
        this.write_string("privKeyFile", &self.priv_key_file)?;
        this.write_string("password", &self.password)?;
        this.write_string("CaBuf", &self.ca_buf)?;
        this.write_string("certBuf", &self.cert_buf)?;
        this.write_string("privKeyBuf", &self.priv_key_buf)?;
        this.write_enum("method", self.method)?;
        write_int_vector(&mut this, "ciphers", &self.ciphers)?;
        this.write_bool("verifyServer", self.verify_server)?;
        this.write_bool("verifyClient", self.verify_client)?;
        this.write_bool("requireClientCert", self.require_client_cert)?;
        this.write_uint("msecTimeout", self.msec_timeout)?;
        this.write_enum("qosType", self.qos_type)?;
        write_qos_params(&mut this, &self.qos_params)?;
        this.write_bool("qosIgnoreError", self.qos_ignore_error)?;
        this.write_object(&self.sock_opt_params)?;
        this.write_bool("sockOptIgnoreError", self.sock_opt_ignore_error)?;
        this.write_enum("certLookupType", self.cert_lookup_type)?;
        this.write_string("certLookupKeyword", &self.cert_lookup_keyword)
    }
}

/// `"sockOptParams": [ {level, optName, optLen, optVal}, ... ]`: an array
/// written straight into the parent, with no container of its own.
impl PersistentObject for SockOptParams {
    fn read_object(&mut self, node: &ContainerNode) -> Result<()> {
        let array = node.read_array("sockOptParams")?;
        let mut opts = Vec::new();
        while array.has_unread() {
            let item = array.read_container("")?;
            let mut opt = SockOpt::default();
            item.get("level", &mut opt.level)?;
            item.get("optName", &mut opt.opt_name)?;
            item.get("optVal", &mut opt.opt_val)?;
            opts.push(opt);
        }
        self.sock_opts = opts;
        Ok(())
    }

    fn write_object(&self, node: &mut ContainerNode) -> Result<()> {
        let mut array = node.write_new_array("sockOptParams")?;
        for opt in &self.sock_opts {
            let mut item = array.write_new_container("SockOpt")?;
            item.write_int("level", opt.level)?;
            item.write_int("optName", opt.opt_name)?;
            item.write_int("optLen", INT_OPT_LEN)?;
            item.write_int("optVal", opt.opt_val)?;
        }
        Ok(())
    }
}

fn read_qos_params(node: &ContainerNode, qos: &mut QosParams) -> Result<()> {
    if let Some(this) = node.get_container("qosParams")? {
        this.get("qos.flags", &mut qos.flags)?;
        this.get("qos.dscp_val", &mut qos.dscp_val)?;
        this.get("qos.so_prio", &mut qos.so_prio)?;
        this.get("qos.wmm_prio", &mut qos.wmm_prio)?;
    }
    Ok(())
}

fn write_qos_params(node: &mut ContainerNode, qos: &QosParams) -> Result<()> {
    let mut this = node.write_new_container("qosParams")?;
    this.write_uint("qos.flags", u32::from(qos.flags))?;
    this.write_uint("qos.dscp_val", u32::from(qos.dscp_val))?;
    this.write_uint("qos.so_prio", u32::from(qos.so_prio))?;
    this.write_enum("qos.wmm_prio", qos.wmm_prio)
}
