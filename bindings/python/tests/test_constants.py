"""PJSUA2's integer constants, with PJSUA2's values."""


import ferrosip as pj
from ferrosip import _constants
from conftest import run_oracle




def test_every_constant_has_pjsua2s_value():
    theirs = run_oracle("shape")["constants"]
    assert len(theirs) == 606
    ours = {name: getattr(pj, name, None) for name in theirs}
    assert ours == theirs
    assert len(_constants.__all__) == 606


def test_well_known_values():
    assert pj.PJSIP_TRANSPORT_UDP == 1 and pj.PJSIP_TRANSPORT_TCP == 2
    assert pj.PJSIP_TRANSPORT_TLS == 3
    assert pj.PJSIP_SC_OK == 200 and pj.PJSIP_SC_UNAUTHORIZED == 401
    assert pj.PJSIP_INV_STATE_CONFIRMED == 5 and pj.PJSIP_INV_STATE_DISCONNECTED == 6
    assert pj.PJSUA_CALL_MEDIA_ACTIVE == 1
    assert pj.PJSUA_INVALID_ID == -1
    assert pj.PJMEDIA_SRTP_MANDATORY == 2
    assert all(type(getattr(pj, n)) is int for n in _constants.__all__)


def test_constants_agree_with_the_config_enums():
    # The values the config fields take are PJSUA2's constants.
    acfg = pj.AccountConfig()
    acfg.natConfig.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
    acfg.callConfig.timerUse = pj.PJSUA_SIP_TIMER_ALWAYS
    acfg.mediaConfig.srtpUse = pj.PJMEDIA_SRTP_OPTIONAL
    acfg.sipConfig.ipv6Use = pj.PJSUA_IPV6_ENABLED_USE_IPV6_ONLY
    acfg.natConfig.turnConnType = pj.PJ_TURN_TP_TLS
    cred = pj.AuthCredInfo("digest", "*", "u", pj.PJSIP_CRED_DATA_DIGEST, "ha1")
    assert cred.dataType == 1
    tls = pj.TlsConfig()
    tls.method = pj.PJSIP_TLSV1_3_METHOD
    assert tls.method == 34
