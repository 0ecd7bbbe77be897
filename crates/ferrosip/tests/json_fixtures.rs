//! Fixtures shared by the JSON tests (`json_roundtrip.rs`, `json_pjsua2.rs`
//! include this file as a module): configs with non-default values in
//! every field, the objects of PJSUA2's sample documents, and a field by
//! field comparison of a config with PJSUA2's view of it.
//!
//! Built on its own, it checks that the fixtures do set every field.

#![allow(dead_code)]

use std::path::PathBuf;

use ferrosip::config::*;
use ferrosip::json::{JsonDocument, PersistentObject};
use serde_json::Value;

/// One config of any persisted class.
// Test data, built a few dozen times: boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Obj {
    Ep(EpConfig),
    Transport(TransportConfig),
    Account(AccountConfig),
    Buddy(BuddyConfig),
    Cred(AuthCredInfo),
    Tls(TlsConfig),
    Srtp(SrtpOpt),
    RtcpFb(RtcpFbConfig),
    SockOpts(SockOptParams),
}

impl Obj {
    /// PJSUA2's class name.
    pub(crate) fn class(&self) -> &'static str {
        match self {
            Self::Ep(_) => "EpConfig",
            Self::Transport(_) => "TransportConfig",
            Self::Account(_) => "AccountConfig",
            Self::Buddy(_) => "BuddyConfig",
            Self::Cred(_) => "AuthCredInfo",
            Self::Tls(_) => "TlsConfig",
            Self::Srtp(_) => "SrtpOpt",
            Self::RtcpFb(_) => "RtcpFbConfig",
            Self::SockOpts(_) => "SockOptParams",
        }
    }

    /// A default config of PJSUA2's class `class`.
    pub(crate) fn default_of(class: &str) -> Self {
        match class {
            "EpConfig" => Self::Ep(Default::default()),
            "TransportConfig" => Self::Transport(Default::default()),
            "AccountConfig" => Self::Account(Default::default()),
            "BuddyConfig" => Self::Buddy(Default::default()),
            "AuthCredInfo" => Self::Cred(Default::default()),
            "TlsConfig" => Self::Tls(Default::default()),
            "SrtpOpt" => Self::Srtp(Default::default()),
            "RtcpFbConfig" => Self::RtcpFb(Default::default()),
            "SockOptParams" => Self::SockOpts(Default::default()),
            other => panic!("no such class in the fixtures: {other}"),
        }
    }

    pub(crate) fn persistent(&self) -> &dyn PersistentObject {
        match self {
            Self::Ep(o) => o,
            Self::Transport(o) => o,
            Self::Account(o) => o,
            Self::Buddy(o) => o,
            Self::Cred(o) => o,
            Self::Tls(o) => o,
            Self::Srtp(o) => o,
            Self::RtcpFb(o) => o,
            Self::SockOpts(o) => o,
        }
    }

    pub(crate) fn persistent_mut(&mut self) -> &mut dyn PersistentObject {
        match self {
            Self::Ep(o) => o,
            Self::Transport(o) => o,
            Self::Account(o) => o,
            Self::Buddy(o) => o,
            Self::Cred(o) => o,
            Self::Tls(o) => o,
            Self::Srtp(o) => o,
            Self::RtcpFb(o) => o,
            Self::SockOpts(o) => o,
        }
    }

    /// The config under PJSUA2's field names (serde).
    pub(crate) fn to_value(&self) -> Value {
        let v = match self {
            Self::Ep(o) => serde_json::to_value(o),
            Self::Transport(o) => serde_json::to_value(o),
            Self::Account(o) => serde_json::to_value(o),
            Self::Buddy(o) => serde_json::to_value(o),
            Self::Cred(o) => serde_json::to_value(o),
            Self::Tls(o) => serde_json::to_value(o),
            Self::Srtp(o) => serde_json::to_value(o),
            Self::RtcpFb(o) => serde_json::to_value(o),
            Self::SockOpts(o) => serde_json::to_value(o),
        };
        v.expect("configs serialize")
    }

    /// The same config with the fields PJSUA2 2.15.1 does not persist
    /// reset to their defaults: what a save and load gives back.
    pub(crate) fn stripped(&self) -> Self {
        match self {
            Self::Ep(o) => Self::Ep(strip_ep(o)),
            Self::Transport(o) => Self::Transport(strip_transport(o)),
            Self::Account(o) => Self::Account(strip_account(o)),
            Self::Cred(o) => Self::Cred(strip_cred(o)),
            Self::Tls(o) => Self::Tls(strip_tls(o)),
            other => other.clone(),
        }
    }
}

pub(crate) fn strip_ep(o: &EpConfig) -> EpConfig {
    let mut o = o.clone();
    o.ua_config.outbound_proxies = Vec::new();
    o
}

pub(crate) fn strip_tls(o: &TlsConfig) -> TlsConfig {
    let d = TlsConfig::default();
    TlsConfig {
        proto: d.proto,
        enable_renegotiation: d.enable_renegotiation,
        ..o.clone()
    }
}

pub(crate) fn strip_transport(o: &TransportConfig) -> TransportConfig {
    TransportConfig {
        randomize_port: false,
        tls_config: strip_tls(&o.tls_config),
        ..o.clone()
    }
}

pub(crate) fn strip_cred(o: &AuthCredInfo) -> AuthCredInfo {
    AuthCredInfo {
        algo_type: DigestAlgorithm::NotSet,
        ..o.clone()
    }
}

pub(crate) fn strip_account(o: &AccountConfig) -> AccountConfig {
    let mut o = o.clone();
    o.reg_config.disable_reg_on_modify = false;
    o.reg_config.contact_uri_params = String::new();
    o.sip_config.ipv6_use = Ipv6Use::Disabled;
    o.sip_config.auth_creds = o.sip_config.auth_creds.iter().map(strip_cred).collect();
    o.ip_change_config = AccountIpChangeConfig::default();
    o.media_config.rtcp_fb_config = RtcpFbConfig::default();
    o.media_config.transport_config = strip_transport(&o.media_config.transport_config);
    o
}

/// Writes `objects` into a new document, in order.
pub(crate) fn document_of(objects: &[Obj]) -> JsonDocument {
    let mut doc = JsonDocument::new();
    for o in objects {
        doc.write_object(o.persistent()).expect("write_object");
    }
    doc
}

/// Reads one config of each class in `classes` from `doc`, in order.
pub(crate) fn read_all(doc: &JsonDocument, classes: &[&str]) -> Vec<Obj> {
    classes
        .iter()
        .map(|class| {
            let mut o = Obj::default_of(class);
            doc.read_object(o.persistent_mut())
                .unwrap_or_else(|e| panic!("reading {class}: {e}"));
            o
        })
        .collect()
}

/// `crates/ferrosip/tests/data/json/<name>`.
pub(crate) fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/json")
        .join(name)
}

pub(crate) fn data_text(name: &str) -> String {
    std::fs::read_to_string(data_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// PJSUA2's default objects, in the order `json_write.py` writes them.
pub(crate) fn default_objects() -> Vec<Obj> {
    [
        "EpConfig",
        "TransportConfig",
        "AccountConfig",
        "BuddyConfig",
        "AuthCredInfo",
        "TlsConfig",
        "SrtpOpt",
        "RtcpFbConfig",
        "SockOptParams",
    ]
    .iter()
    .map(|c| Obj::default_of(c))
    .collect()
}

/// The objects of the sample document in pjsua2-api.md §3.
pub(crate) fn sample_objects() -> Vec<Obj> {
    let acc = AccountConfig {
        id_uri: "sip:alice@example.com".into(),
        reg_config: AccountRegConfig {
            registrar_uri: "sip:example.com".into(),
            headers: vec![SipHeader::new("X-Test", "1")],
            ..AccountRegConfig::default()
        },
        sip_config: AccountSipConfig {
            auth_creds: vec![AuthCredInfo::new(
                "digest",
                "*",
                "alice",
                CredDataType::PlainPasswd,
                "secret",
            )],
            proxies: vec!["sip:proxy.example.com;lr".into()],
            ..AccountSipConfig::default()
        },
        ..AccountConfig::default()
    };
    let tp = TransportConfig {
        port: 5060,
        ..TransportConfig::default()
    };
    let buddy = BuddyConfig {
        uri: "sip:bob@example.com".into(),
        subscribe: true,
    };
    vec![
        Obj::Ep(EpConfig::default()),
        Obj::Account(acc),
        Obj::Transport(tp),
        Obj::Buddy(buddy),
    ]
}

pub(crate) fn custom_tls() -> TlsConfig {
    TlsConfig {
        ca_list_file: "/etc/ssl/ca-ü.pem".into(),
        cert_file: "/etc/ssl/cert.pem".into(),
        priv_key_file: "/etc/ssl/key.pem".into(),
        password: "pässwörd \"quoted\" \\ back".into(),
        ca_buf: "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n".into(),
        cert_buf: "cert\tbuf".into(),
        priv_key_buf: "key-buf".into(),
        cert_lookup_type: SslCertLookupType::Subject,
        cert_lookup_keyword: "CN=Ålice".into(),
        method: SslMethod::TlsV1_3,
        proto: 32,
        ciphers: vec![49199, 4866],
        verify_server: true,
        verify_client: true,
        require_client_cert: true,
        msec_timeout: 3000,
        qos_type: QosType::Control,
        qos_params: QosParams {
            flags: 3,
            dscp_val: 24,
            so_prio: 2,
            wmm_prio: QosWmmPrio::Video,
        },
        qos_ignore_error: false,
        sock_opt_params: SockOptParams {
            sock_opts: vec![SockOpt::new(1, 8, 262144)],
        },
        sock_opt_ignore_error: false,
        enable_renegotiation: false,
    }
}

pub(crate) fn custom_transport() -> TransportConfig {
    TransportConfig {
        port: 5070,
        port_range: 20,
        randomize_port: true,
        public_address: "sip.example.net".into(),
        bound_address: "198.51.100.7".into(),
        qos_type: QosType::Signalling,
        qos_params: QosParams {
            flags: 1,
            dscp_val: 26,
            so_prio: 4,
            wmm_prio: QosWmmPrio::Voice,
        },
        sock_opt_params: SockOptParams {
            sock_opts: vec![SockOpt::new(1, 7, 131072), SockOpt::new(6, 1, 1)],
        },
        tls_config: custom_tls(),
    }
}

pub(crate) fn custom_ep() -> EpConfig {
    EpConfig {
        ua_config: UaConfig {
            max_calls: 16,
            thread_cnt: 0,
            main_thread_only: true,
            nameserver: vec!["9.9.9.9".into(), "2620:fe::fe".into()],
            outbound_proxies: vec!["sip:edge.example.net;lr".into()],
            user_agent: "ferrosip/0.1 «test» ☎ 😀".into(),
            stun_server: vec!["stün.example.net".into(), "stun.example.org:3479".into()],
            stun_try_ipv6: true,
            stun_ignore_failure: false,
            nat_type_in_sdp: 0,
            mwi_unsolicited_enabled: false,
            enable_upnp: true,
            upnp_if_name: "wlan0".into(),
        },
        log_config: LogConfig {
            msg_logging: 0,
            level: 6,
            console_level: 1,
            decor: 16 | 128,
            filename: "/tmp/fërrosip.log".into(),
            file_flags: 4360,
            writer: None,
        },
        med_config: MediaConfig {
            clock_rate: 48000,
            snd_clock_rate: 44100,
            channel_count: 2,
            audio_frame_ptime: 10,
            max_media_ports: 64,
            has_ioqueue: false,
            thread_cnt: 3,
            quality: 10,
            ptime: 40,
            no_vad: true,
            ilbc_mode: 20,
            tx_drop_pct: 1,
            rx_drop_pct: 2,
            ec_options: 4,
            ec_tail_len: 0,
            snd_rec_latency: 75,
            snd_play_latency: 90,
            jb_init: 3,
            jb_min_pre: 2,
            jb_max_pre: 9,
            jb_max: 25,
            jb_discard_algo: JbDiscardAlgo::Static,
            snd_auto_close_time: 5,
            vid_preview_enable_native: false,
            snd_use_sw_clock: true,
        },
    }
}

pub(crate) fn custom_account() -> AccountConfig {
    let mut aka = AuthCredInfo::new(
        "Digest",
        "ims.example.net",
        "bob@ims",
        CredDataType::ExtAka,
        "aka",
    );
    aka.aka_k = "465b5ce8b199b49faa5f0a2ee238a6bc".into();
    aka.aka_op = "cdc202d5123e20f62b6d676ac72cb318".into();
    aka.aka_amf = "b9b9".into();
    let mut ha1 = AuthCredInfo::new(
        "digest",
        "*",
        "bob",
        CredDataType::Digest,
        "5f4dcc3b5aa765d61d8327deb882cf99",
    );
    ha1.algo_type = DigestAlgorithm::Md5;
    AccountConfig {
        priority: -3,
        id_uri: "\"Bøb Ünicode\" <sip:bob@example.net>".into(),
        reg_config: AccountRegConfig {
            registrar_uri: "sips:registrar.example.net".into(),
            register_on_add: false,
            disable_reg_on_modify: true,
            headers: vec![
                SipHeader::new("X-Ünï", "välue"),
                SipHeader::new("X-Q", "a=\"b\""),
            ],
            contact_params: ";reg-id=1".into(),
            contact_uri_params: ";ob".into(),
            timeout_sec: 3600,
            retry_interval_sec: 60,
            first_retry_interval_sec: 15,
            random_retry_interval_sec: 0,
            delay_before_refresh_sec: 30,
            drop_calls_on_fail: true,
            unreg_wait_msec: 1000,
            proxy_use: 2,
        },
        sip_config: AccountSipConfig {
            auth_creds: vec![
                AuthCredInfo::new(
                    "digest",
                    "example.net",
                    "bob",
                    CredDataType::PlainPasswd,
                    "sëcret",
                ),
                ha1,
                aka,
            ],
            proxies: vec![
                "sip:prøxy.example.net;lr".into(),
                "sip:10.0.0.1:5080;transport=tcp;lr".into(),
            ],
            contact_forced: "<sip:bob@203.0.113.9:5070;transport=tls>".into(),
            contact_params: ";+g.oma.sip-im".into(),
            contact_uri_params: ";line=xyz".into(),
            auth_initial_empty: true,
            auth_initial_algorithm: "SHA-512-256".into(),
            transport_id: 1,
            ipv6_use: Ipv6Use::PreferIpv4,
        },
        call_config: AccountCallConfig {
            hold_type: HoldType::Rfc2543,
            prack_use: PrackUse::Mandatory,
            timer_use: SessionTimerUse::Required,
            timer_min_se_sec: 100,
            timer_sess_expires_sec: 600,
        },
        pres_config: AccountPresConfig {
            headers: vec![SipHeader::new("X-Presence", "ö")],
            publish_enabled: true,
            publish_queue: false,
            publish_shutdown_wait_msec: 750,
            pidf_tuple_id: "tüple".into(),
        },
        mwi_config: AccountMwiConfig {
            enabled: true,
            expiration_sec: 600,
        },
        nat_config: AccountNatConfig {
            sip_stun_use: StunUse::RetryOnFailure,
            media_stun_use: StunUse::Disabled,
            sip_upnp_use: UpnpUse::Disabled,
            media_upnp_use: UpnpUse::Disabled,
            nat64_opt: Nat64Opt::Enabled,
            ice_enabled: true,
            ice_trickle: IceTrickle::Half,
            ice_max_host_cands: 2,
            ice_aggressive_nomination: false,
            ice_nominated_check_delay_msec: 100,
            ice_wait_nomination_timeout_msec: 5000,
            ice_no_rtcp: true,
            ice_always_update: false,
            turn_enabled: true,
            turn_server: "turn.example.net".into(),
            turn_conn_type: TurnConnType::Tls,
            turn_user_name: "türn".into(),
            turn_password_type: TurnPasswordType::Hashed,
            turn_password: "0123abcd".into(),
            contact_rewrite_use: 0,
            contact_rewrite_method: 5,
            contact_use_src_port: 0,
            via_rewrite_use: 0,
            sdp_nat_rewrite_use: 1,
            sip_outbound_use: 0,
            sip_outbound_instance_id: "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>".into(),
            sip_outbound_reg_id: "3".into(),
            udp_ka_interval_sec: 0,
            udp_ka_data: "\r\n\r\n".into(),
        },
        media_config: AccountMediaConfig {
            transport_config: TransportConfig {
                port: 10000,
                port_range: 2000,
                public_address: "203.0.113.10".into(),
                qos_type: QosType::Video,
                ..TransportConfig::default()
            },
            lock_codec_enabled: false,
            stream_ka_enabled: true,
            srtp_use: SrtpUse::Optional,
            srtp_secure_signaling: SrtpSecureSignaling::None,
            srtp_opt: SrtpOpt {
                cryptos: vec![
                    SrtpCrypto {
                        key: "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz".into(),
                        name: "AES_CM_128_HMAC_SHA1_80".into(),
                        flags: 0,
                    },
                    SrtpCrypto {
                        key: "këy".into(),
                        name: "AES_256_CM_HMAC_SHA1_32".into(),
                        flags: 2,
                    },
                ],
                keyings: vec![SrtpKeying::DtlsSrtp.as_i32(), SrtpKeying::Sdes.as_i32()],
            },
            ipv6_use: Ipv6Use::Ipv6Only,
            rtcp_mux_enabled: true,
            rtcp_fb_config: RtcpFbConfig {
                dont_use_avpf: false,
                caps: vec![RtcpFbCap {
                    codec_id: "*".into(),
                    type_: RtcpFbType::Nack,
                    type_name: String::new(),
                    param: "pli".into(),
                }],
            },
            rtcp_xr_enabled: true,
            use_loop_med_tp: true,
            enable_loopback: true,
        },
        video_config: AccountVideoConfig {
            auto_show_incoming: true,
            auto_transmit_outgoing: true,
            window_flags: 1,
            default_capture_device: 0,
            default_render_device: 1,
            rate_control_method: RateControlMethod::SimpleBlocking,
            rate_control_bandwidth: 512000,
            start_keyframe_count: 3,
            start_keyframe_interval: 500,
        },
        ip_change_config: AccountIpChangeConfig {
            shutdown_tp: false,
            hangup_calls: true,
            reinvite_flags: 16,
            reinv_use_update: 1,
        },
    }
}

/// A second, mostly default account (documents with two accounts).
pub(crate) fn second_account() -> AccountConfig {
    AccountConfig {
        id_uri: "sip:carol@example.org".into(),
        reg_config: AccountRegConfig {
            registrar_uri: "sip:example.org".into(),
            ..AccountRegConfig::default()
        },
        sip_config: AccountSipConfig {
            auth_creds: vec![AuthCredInfo::new(
                "digest",
                "example.org",
                "carol",
                CredDataType::PlainPasswd,
                "pw",
            )],
            ..AccountSipConfig::default()
        },
        ..AccountConfig::default()
    }
}

/// Every persisted class with non-default values, two accounts.
pub(crate) fn custom_objects() -> Vec<Obj> {
    let mut cred = AuthCredInfo::new("Digest", "réalm", "dave", CredDataType::Digest, "ha1");
    cred.algo_type = DigestAlgorithm::Sha256;
    cred.aka_k = "K".into();
    cred.aka_op = "OP".into();
    cred.aka_amf = "AMF".into();
    vec![
        Obj::Ep(custom_ep()),
        Obj::Transport(custom_transport()),
        Obj::Account(custom_account()),
        Obj::Account(second_account()),
        Obj::Buddy(BuddyConfig {
            uri: "sip:ëve@example.net".into(),
            subscribe: true,
        }),
        Obj::Cred(cred),
        Obj::Tls(custom_tls()),
        Obj::Srtp(SrtpOpt {
            cryptos: vec![SrtpCrypto {
                key: "K2".into(),
                name: "AES_256_CM_HMAC_SHA1_80".into(),
                flags: 1,
            }],
            keyings: vec![0],
        }),
        Obj::RtcpFb(RtcpFbConfig {
            dont_use_avpf: false,
            caps: vec![
                RtcpFbCap {
                    codec_id: "H264/90000".into(),
                    type_: RtcpFbType::Ack,
                    // Not empty: PJSUA2 cannot load an empty string in an array.
                    type_name: "ack".into(),
                    param: "rpsi".into(),
                },
                RtcpFbCap {
                    codec_id: "*".into(),
                    type_: RtcpFbType::Other,
                    type_name: "ccm".into(),
                    param: "fir".into(),
                },
            ],
        }),
        Obj::SockOpts(SockOptParams {
            sock_opts: vec![SockOpt::new(1, 9, 1), SockOpt::new(0, 1, 64)],
        }),
    ]
}

/// The classes of `objects`, in order.
pub(crate) fn classes_of(objects: &[Obj]) -> Vec<&'static str> {
    objects.iter().map(Obj::class).collect()
}

/// True for a field PJSUA2 2.15.1 does not persist: `key` inside the
/// object reached by `parent` (a field name, a class name or an index).
pub(crate) fn not_persisted(parent: &str, key: &str) -> bool {
    match key {
        "outboundProxies" | "randomizePort" | "algoType" => true,
        "proto" | "enableRenegotiation" => matches!(parent, "tlsConfig" | "TlsConfig"),
        "disableRegOnModify" | "contactUriParams" => parent == "regConfig",
        "ipv6Use" => parent == "sipConfig",
        "ipChangeConfig" => parent == "AccountConfig",
        "rtcpFbConfig" => parent == "mediaConfig",
        _ => false,
    }
}

/// Which side loaded the document whose values are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loader {
    /// ferrosip loaded what PJSUA2 wrote: `ours` was loaded.
    Ferrosip,
    /// PJSUA2 loaded what ferrosip wrote: `theirs` was loaded.
    Pjsua2,
    /// Nothing was loaded: every field must be equal.
    Neither,
}

/// Compares PJSUA2's view of an object (`theirs`, from `json_common.dump`)
/// with ferrosip's (`ours`, serde) field by field, and lists the
/// differences. Fields only one side has are skipped (ferrosip's `optVal`
/// of a socket option, PJSUA2's `jbDiscardAlgo` it cannot read). For a
/// field PJSUA2 does not persist, the side that loaded must hold the
/// default (`defaults`, ferrosip's default object) instead.
pub(crate) fn compare(
    theirs: &Value,
    ours: &Value,
    defaults: Option<&Value>,
    loader: Loader,
    path: &str,
    diffs: &mut Vec<String>,
) {
    match (theirs, ours) {
        (Value::Object(t), Value::Object(o)) => {
            // The last step of the path: a field, an index, or `Class#n`.
            let last = path.rsplit(['.', '[']).next().unwrap_or("");
            let parent = last.split('#').next().unwrap_or("").trim_end_matches(']');
            for (key, t_value) in t {
                let at = format!("{path}.{key}");
                let Some(o_value) = o.get(key) else {
                    diffs.push(format!("{at}: PJSUA2 has it, ferrosip has no such field"));
                    continue;
                };
                let default = defaults.and_then(|d| d.get(key));
                if loader != Loader::Neither && not_persisted(parent, key) {
                    let loaded = if loader == Loader::Ferrosip {
                        o_value
                    } else {
                        t_value
                    };
                    let expected = default.cloned().or_else(|| list_element_default(key));
                    if Some(loaded) != expected.as_ref() {
                        diffs.push(format!("{at}: not persisted, so the loader should hold the default {expected:?}, holds {loaded}"));
                    }
                    continue;
                }
                compare(t_value, o_value, default, loader, &at, diffs);
            }
        }
        (Value::Array(t), Value::Array(o)) => {
            if t.len() != o.len() {
                diffs.push(format!(
                    "{path}: PJSUA2 has {} elements, ferrosip {}",
                    t.len(),
                    o.len()
                ));
                return;
            }
            for (i, (t_item, o_item)) in t.iter().zip(o).enumerate() {
                compare(t_item, o_item, None, loader, &format!("{path}[{i}]"), diffs);
            }
        }
        (Value::Number(t), Value::Number(o)) => {
            if t.as_f64() != o.as_f64() {
                diffs.push(format!("{path}: PJSUA2 {t}, ferrosip {o}"));
            }
        }
        _ => {
            if theirs != ours {
                diffs.push(format!("{path}: PJSUA2 {theirs}, ferrosip {ours}"));
            }
        }
    }
}

/// Defaults of non-persisted fields of list elements (no default object
/// reaches inside a list).
fn list_element_default(key: &str) -> Option<Value> {
    (key == "algoType").then(|| Value::from(0))
}

/// Compares a PJSUA2 dump file (`[[class, fields], ...]`) with `objects`.
pub(crate) fn compare_with_dump(dump: &Value, objects: &[Obj], loader: Loader) -> Vec<String> {
    let entries = dump.as_array().expect("a dump is an array");
    let mut diffs = Vec::new();
    if entries.len() != objects.len() {
        diffs.push(format!(
            "{} objects in the dump, {} here",
            entries.len(),
            objects.len()
        ));
    }
    for (i, (entry, obj)) in entries.iter().zip(objects).enumerate() {
        let class = entry[0].as_str().unwrap_or("?");
        if class != obj.class() {
            diffs.push(format!(
                "object {i}: PJSUA2 has a {class}, ferrosip a {}",
                obj.class()
            ));
            continue;
        }
        let defaults = Obj::default_of(class).to_value();
        compare(
            &entry[1],
            &obj.to_value(),
            Some(&defaults),
            loader,
            &format!("{class}#{i}"),
            &mut diffs,
        );
    }
    diffs
}

/// PJSUA2's text for ferrosip's: strings inside arrays with PJSUA2's
/// per-byte escapes (non-ASCII as `\u00XX` per UTF-8 byte, `/` as `\/`),
/// where ferrosip writes raw UTF-8 so that PJSUA2 can read them. Named
/// string values are already escaped alike, so only raw characters and
/// unescaped slashes change.
pub(crate) fn with_pjsua2_array_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut prev = '\0';
    for c in text.chars() {
        if c == '/' && prev != '\\' {
            out.push_str("\\/");
        } else if !c.is_ascii() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\u00{b:02x}"));
            }
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

/// Leaves of `value` (paths to scalars and empty containers).
fn leaves(value: &Value, path: &str, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                leaves(v, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, v) in a.iter().enumerate() {
                leaves(v, &format!("{path}[{i}]"), out);
            }
        }
        other => out.push((path.to_owned(), other.clone())),
    }
}

/// Paths of the fields of `obj` that still hold their default value.
pub(crate) fn fields_left_default(obj: &Obj) -> Vec<String> {
    let mut ours = Vec::new();
    leaves(&obj.to_value(), "", &mut ours);
    let mut defaults = Vec::new();
    leaves(&Obj::default_of(obj.class()).to_value(), "", &mut defaults);
    defaults
        .into_iter()
        .filter(|d| ours.contains(d))
        .map(|(path, _)| path)
        .collect()
}

#[test]
fn custom_objects_set_every_field() {
    let objects = custom_objects();
    for obj in &objects[..3] {
        let left: Vec<_> = fields_left_default(obj)
            .into_iter()
            // The account's RTP TransportConfig is left partly default on
            // purpose: the full one is tested as a TransportConfig.
            .filter(|p| !p.starts_with(".mediaConfig.transportConfig."))
            .collect();
        assert!(
            left.is_empty(),
            "{} leaves fields at their default: {left:?}",
            obj.class()
        );
    }
    for obj in &objects[4..] {
        let left = fields_left_default(obj);
        assert!(
            left.is_empty(),
            "{} leaves fields at their default: {left:?}",
            obj.class()
        );
    }
}

#[test]
fn stripping_resets_exactly_the_unpersisted_fields() {
    let acc = custom_account();
    let Obj::Account(stripped) = Obj::Account(acc.clone()).stripped() else {
        unreachable!()
    };
    assert_eq!(stripped.ip_change_config, AccountIpChangeConfig::default());
    assert_eq!(
        stripped.sip_config.auth_creds[1].algo_type,
        DigestAlgorithm::NotSet
    );
    assert_eq!(stripped.reg_config.contact_uri_params, "");
    assert_eq!(
        stripped.sip_config.contact_uri_params,
        acc.sip_config.contact_uri_params
    );
    assert_eq!(stripped.media_config.ipv6_use, acc.media_config.ipv6_use);
}

#[test]
fn array_escapes_match_pjsua2s() {
    assert_eq!(
        with_pjsua2_array_escapes("[ \"sip:é/x\"]"),
        "[ \"sip:\\u00c3\\u00a9\\/x\"]"
    );
    assert_eq!(with_pjsua2_array_escapes("\"\\/\""), "\"\\/\"");
}
