//! Transport settings: [`TransportConfig`] (for SIP transports, and for RTP
//! inside [`AccountMediaConfig`](crate::config::AccountMediaConfig)), its
//! [`TlsConfig`], socket QoS ([`QosParams`]) and socket options
//! ([`SockOptParams`]).

use serde::{Deserialize, Serialize};

use super::enums::{QosType, QosWmmPrio, SslCertLookupType, SslMethod};

/// A SIP transport's settings, or an account's RTP ports (PJSUA2's
/// `TransportConfig`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TransportConfig {
    /// Local port to bind; 0 means any. Default 0 (4000 for RTP, in
    /// [`AccountMediaConfig`](crate::config::AccountMediaConfig)).
    pub port: u32,
    /// How many ports above `port` to try if it is taken; 0 means only
    /// `port`. Default 0.
    pub port_range: u32,
    /// Pick the port at random within the range. Default false. (Not
    /// persisted by PJSUA2 2.15.1.)
    pub randomize_port: bool,
    /// The address to advertise in Via/Contact/SDP instead of the local one
    /// (a host name or IP). Default "".
    pub public_address: String,
    /// The local address to bind; empty means all interfaces. Default "".
    pub bound_address: String,
    /// Traffic class of the sockets. Default [`QosType::BestEffort`].
    pub qos_type: QosType,
    /// Low-level QoS settings, applied after `qos_type`. Default all zero.
    pub qos_params: QosParams,
    /// Socket options set on the transport's sockets. Default none.
    pub sock_opt_params: SockOptParams,
    /// TLS settings, for a TLS transport. Default [`TlsConfig::default`].
    pub tls_config: TlsConfig,
}

/// Low-level QoS settings of a socket (PJLIB's `pj_qos_params`; PJSUA2
/// persists the fields as `qos.flags`, `qos.dscp_val`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct QosParams {
    /// Which of the other fields apply: `PJ_QOS_PARAM_HAS_DSCP` 1,
    /// `PJ_QOS_PARAM_HAS_SO_PRIO` 2, `PJ_QOS_PARAM_HAS_WMM` 4. Default 0.
    pub flags: u8,
    /// DSCP value (6 bits). Default 0.
    pub dscp_val: u8,
    /// `SO_PRIORITY` value. Default 0.
    pub so_prio: u8,
    /// WMM priority. Default [`QosWmmPrio::BulkEffort`].
    pub wmm_prio: QosWmmPrio,
}

/// Socket options to set (PJSUA2's `SockOptParams`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SockOptParams {
    /// The options, set in order. Default none.
    pub sock_opts: Vec<SockOpt>,
}

/// One integer socket option, as for `setsockopt(2)` (PJSUA2's `SockOpt`
/// with an integer value, the only kind PJSUA2 persists).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SockOpt {
    /// Protocol level, e.g. `SOL_SOCKET` (1 on Linux). Default 0.
    pub level: i32,
    /// Option name, e.g. `SO_RCVBUF` (8 on Linux). Default 0.
    pub opt_name: i32,
    /// The option's integer value. Default 0.
    pub opt_val: i32,
}

impl SockOpt {
    /// An integer option (PJSUA2's `SockOpt(level, optName, optVal)`).
    pub fn new(level: i32, opt_name: i32, opt_val: i32) -> Self {
        Self {
            level,
            opt_name,
            opt_val,
        }
    }
}

/// TLS settings of a TLS transport (PJSUA2's `TlsConfig`).
///
/// Certificates come from files (`ca_list_file`, `cert_file`,
/// `priv_key_file`), from PEM text (`ca_buf`, `cert_buf`, `priv_key_buf`),
/// or from the OS store (`cert_lookup_type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TlsConfig {
    /// File of trusted CA certificates (PEM). Default "".
    #[serde(rename = "CaListFile")]
    pub ca_list_file: String,
    /// File of this side's certificate (PEM). Default "".
    pub cert_file: String,
    /// File of this side's private key (PEM). Default "".
    pub priv_key_file: String,
    /// Password of the private key. Default "".
    pub password: String,
    /// Trusted CA certificates as PEM text. Default "".
    #[serde(rename = "CaBuf")]
    pub ca_buf: String,
    /// This side's certificate as PEM text. Default "".
    pub cert_buf: String,
    /// This side's private key as PEM text. Default "".
    pub priv_key_buf: String,
    /// Look the certificate up in the OS store, by this kind of key.
    /// Default [`SslCertLookupType::None`].
    pub cert_lookup_type: SslCertLookupType,
    /// The key of that lookup (subject, fingerprint or friendly name).
    /// Default "".
    pub cert_lookup_keyword: String,
    /// The SSL/TLS method; unspecified means `proto` decides. Default
    /// [`SslMethod::Unspecified`].
    pub method: SslMethod,
    /// Protocol versions allowed, a bitmask of `PJ_SSL_SOCK_PROTO_*`
    /// (TLS1 4, TLS1_1 8, TLS1_2 16, TLS1_3 32). Default 28 (TLS 1.0–1.2).
    /// (Not persisted by PJSUA2 2.15.1.)
    pub proto: u32,
    /// Allowed cipher suites, by IANA number; empty means all. Default
    /// empty.
    pub ciphers: Vec<i32>,
    /// Check the server's certificate (as a client). Default false.
    pub verify_server: bool,
    /// Check the client's certificate (as a server). Default false.
    pub verify_client: bool,
    /// Refuse clients without a certificate (as a server). Default false.
    pub require_client_cert: bool,
    /// TLS handshake timeout, ms; 0 means none. Default 0.
    pub msec_timeout: u32,
    /// Traffic class of the TLS sockets. Default [`QosType::BestEffort`].
    pub qos_type: QosType,
    /// Low-level QoS settings of the TLS sockets. Default all zero.
    pub qos_params: QosParams,
    /// Carry on if the QoS settings cannot be applied. Default true.
    pub qos_ignore_error: bool,
    /// Socket options of the TLS sockets. Default none.
    pub sock_opt_params: SockOptParams,
    /// Carry on if a socket option cannot be set. Default true.
    pub sock_opt_ignore_error: bool,
    /// Allow TLS renegotiation. Default true. (Not persisted by PJSUA2
    /// 2.15.1.)
    pub enable_renegotiation: bool,
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            ca_list_file: String::new(),
            cert_file: String::new(),
            priv_key_file: String::new(),
            password: String::new(),
            ca_buf: String::new(),
            cert_buf: String::new(),
            priv_key_buf: String::new(),
            cert_lookup_type: SslCertLookupType::None,
            cert_lookup_keyword: String::new(),
            method: SslMethod::Unspecified,
            proto: 28,
            ciphers: Vec::new(),
            verify_server: false,
            verify_client: false,
            require_client_cert: false,
            msec_timeout: 0,
            qos_type: QosType::BestEffort,
            qos_params: QosParams::default(),
            qos_ignore_error: true,
            sock_opt_params: SockOptParams::default(),
            sock_opt_ignore_error: true,
            enable_renegotiation: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_config_defaults_are_pjsua2s() {
        let c = TransportConfig::default();
        assert_eq!(c.port, 0);
        assert_eq!(c.port_range, 0);
        assert!(!c.randomize_port);
        assert_eq!(c.public_address, "");
        assert_eq!(c.bound_address, "");
        assert_eq!(c.qos_type, QosType::BestEffort);
        assert_eq!(c.qos_params, QosParams::default());
        assert_eq!(
            (
                c.qos_params.flags,
                c.qos_params.dscp_val,
                c.qos_params.so_prio
            ),
            (0, 0, 0)
        );
        assert_eq!(c.qos_params.wmm_prio.as_i32(), 0);
        assert!(c.sock_opt_params.sock_opts.is_empty());
        assert_eq!(c.tls_config, TlsConfig::default());
    }

    #[test]
    fn tls_config_defaults_are_pjsua2s() {
        let c = TlsConfig::default();
        for s in [
            &c.ca_list_file,
            &c.cert_file,
            &c.priv_key_file,
            &c.password,
            &c.ca_buf,
            &c.cert_buf,
            &c.priv_key_buf,
            &c.cert_lookup_keyword,
        ] {
            assert_eq!(s, "");
        }
        assert_eq!(c.cert_lookup_type.as_i32(), 0);
        assert_eq!(c.method.as_i32(), 0);
        assert_eq!(c.proto, 4 | 8 | 16);
        assert!(c.ciphers.is_empty());
        assert!(!c.verify_server && !c.verify_client && !c.require_client_cert);
        assert_eq!(c.msec_timeout, 0);
        assert_eq!(c.qos_type.as_i32(), 0);
        assert!(c.qos_ignore_error);
        assert!(c.sock_opt_params.sock_opts.is_empty());
        assert!(c.sock_opt_ignore_error);
        assert!(c.enable_renegotiation);
    }

    #[test]
    fn serde_keeps_pjsua2s_odd_names() {
        let v = serde_json::to_value(TlsConfig::default()).unwrap();
        assert!(v.get("CaListFile").is_some());
        assert!(v.get("CaBuf").is_some());
        assert!(v.get("privKeyFile").is_some());
        let q = serde_json::to_value(QosParams::default()).unwrap();
        assert!(q.get("dscp_val").is_some());
        let o = serde_json::to_value(SockOpt::new(1, 8, 65536)).unwrap();
        assert_eq!(o["optName"], 8);
        assert_eq!(o["optVal"], 65536);
    }
}
