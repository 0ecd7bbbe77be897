//! From PJSUA2's `AccountConfig` to the user agent's account settings.

use sip_core::auth::{Algorithm, Credential, Secret};
use sip_core::transport::TransportId;
use ua::AccountSettings;
use ua::registration::{ContactRewrite, RetryPolicy};

use crate::config::{
    AccountConfig, AuthCredInfo, CredDataType, DigestAlgorithm, PrackUse, SessionTimerUse, UaConfig,
};
use crate::error::{Error, Result, status};

/// `proxyUse` bits: the endpoint's outbound proxies, the account's proxies.
const PROXY_USE_OUTBOUND: u32 = 1;
const PROXY_USE_ACC: u32 = 2;
/// `contactRewriteMethod` bit: unregister the old Contact first.
const REWRITE_UNREGISTER: i32 = 1;
/// `contactRewriteMethod` bit: rewrite on any final response.
const REWRITE_ALWAYS_UPDATE: i32 = 4;

fn credential(cred: &AuthCredInfo, title: &str) -> Result<Credential> {
    if !cred.scheme.is_empty() && !cred.scheme.eq_ignore_ascii_case("digest") {
        return Err(Error::new(
            status::PJSIP_EINVALIDAUTHSCHEME,
            title,
            format!(
                "authCreds: scheme {:?} is not supported (only \"digest\")",
                cred.scheme
            ),
        ));
    }
    let algorithm = match cred.algo_type {
        DigestAlgorithm::NotSet => None,
        DigestAlgorithm::Md5 => Some(Algorithm::Md5),
        DigestAlgorithm::Sha256 => Some(Algorithm::Sha256),
        DigestAlgorithm::Sha512_256 => Some(Algorithm::Sha512_256),
        other => {
            return Err(Error::new(
                status::PJSIP_EINVALIDALGORITHM,
                title,
                format!("authCreds: algorithm {other:?} is not supported"),
            ));
        }
    };
    let realm = if cred.realm.is_empty() {
        "*".to_owned()
    } else {
        cred.realm.clone()
    };
    let secret = match cred.data_type {
        CredDataType::PlainPasswd => Secret::Plain(cred.data.clone()),
        CredDataType::Digest => {
            let hex = cred.data.trim().to_ascii_lowercase();
            if hex.is_empty()
                || !hex.bytes().all(|b| b.is_ascii_hexdigit())
                || !matches!(hex.len(), 32 | 64)
            {
                return Err(Error::new(
                    status::PJ_EINVAL,
                    title,
                    "authCreds: a digest (HA1) secret must be 32 or 64 hex digits",
                ));
            }
            Secret::Ha1(hex)
        }
        other => {
            return Err(Error::new(
                status::PJ_ENOTSUP,
                title,
                format!("authCreds: dataType {other:?} (AKA) is not supported"),
            ));
        }
    };
    Ok(Credential {
        realm,
        username: cred.username.clone(),
        secret,
        algorithm,
    })
}

/// The user agent's settings for `cfg`; `ua_cfg` gives the endpoint's
/// outbound proxies.
pub(crate) fn account_settings(
    cfg: &AccountConfig,
    ua_cfg: &UaConfig,
    title: &str,
) -> Result<AccountSettings> {
    let reg = &cfg.reg_config;
    let sip = &cfg.sip_config;
    let mut proxies = Vec::new();
    if reg.proxy_use & PROXY_USE_OUTBOUND != 0 {
        proxies.extend(ua_cfg.outbound_proxies.iter().cloned());
    }
    if reg.proxy_use & PROXY_USE_ACC != 0 {
        proxies.extend(sip.proxies.iter().cloned());
    }
    proxies.retain(|p| !p.trim().is_empty());
    let credentials = sip
        .auth_creds
        .iter()
        .map(|c| credential(c, title))
        .collect::<Result<Vec<_>>>()?;
    let transport = match sip.transport_id {
        n if n < 0 => None,
        n => Some(TransportId(n as u32)),
    };
    let registrar = Some(reg.registrar_uri.trim().to_owned()).filter(|r| !r.is_empty());
    Ok(AccountSettings {
        id_uri: cfg.id_uri.clone(),
        priority: cfg.priority,
        registrar,
        register_on_add: reg.register_on_add,
        register_on_modify: !reg.disable_reg_on_modify,
        reg_timeout: reg.timeout_sec,
        retry: RetryPolicy {
            interval: reg.retry_interval_sec,
            first_interval: reg.first_retry_interval_sec,
            random_interval: reg.random_retry_interval_sec,
        },
        delay_before_refresh: reg.delay_before_refresh_sec,
        reg_headers: reg
            .headers
            .iter()
            .map(|h| (h.h_name.clone(), h.h_value.clone()))
            .collect(),
        proxies,
        credentials,
        contact_forced: Some(sip.contact_forced.clone()).filter(|c| !c.trim().is_empty()),
        contact_params: format!("{}{}", sip.contact_params, reg.contact_params),
        contact_uri_params: format!("{}{}", sip.contact_uri_params, reg.contact_uri_params),
        contact_rewrite: ContactRewrite {
            enabled: cfg.nat_config.contact_rewrite_use != 0,
            unregister_old: cfg.nat_config.contact_rewrite_method & REWRITE_UNREGISTER != 0,
            always_update: cfg.nat_config.contact_rewrite_method & REWRITE_ALWAYS_UPDATE != 0,
        },
        transport,
        session_timer: ua::SessionTimerSettings {
            timer_use: match cfg.call_config.timer_use {
                SessionTimerUse::Inactive => ua::TimerUse::Inactive,
                SessionTimerUse::Optional => ua::TimerUse::Optional,
                SessionTimerUse::Required => ua::TimerUse::Required,
                SessionTimerUse::Always => ua::TimerUse::Always,
            },
            session_expires: cfg.call_config.timer_sess_expires_sec,
            min_se: cfg.call_config.timer_min_se_sec,
        },
        prack: match cfg.call_config.prack_use {
            PrackUse::NotUsed => ua::PrackUse::NotUsed,
            PrackUse::Mandatory => ua::PrackUse::Mandatory,
            PrackUse::Optional => ua::PrackUse::Optional,
        },
    })
}
