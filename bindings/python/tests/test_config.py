"""The config classes: PJSUA2's names, defaults and behaviour.

Defaults and assignment rules are compared with the real PJSUA2, run in a
subprocess (tests/data/pjsua2_oracle.py)."""

import copy
import functools
import importlib.util
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import ferrosip as pj
from ferrosip import _config
from conftest import require, run_oracle

ORACLE = Path(__file__).parent / "data" / "pjsua2_oracle.py"



@functools.lru_cache(maxsize=None)
def pjsua2_defaults():
    return run_oracle("defaults")


def plain(value):
    """A ferrosip value in the oracle's shape."""
    if isinstance(value, _config._Config):
        return {name: plain(value._d[name]) for name in type(value)._fields}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


# What cannot be compared, on purpose: PJSUA2's MediaConfig.jbDiscardAlgo and
# AudioDevInfo.id are raw SWIG pointers (their types have no wrapper; the
# id is 0 in ferrosip), SdpSession.pjSdpSession is a C pointer, ferrosip's
# AudioDevInfo has no extFmt yet (no device reports encoded formats), and
# SockOpt.optVal is a void* that PJSUA2 does not expose (it has
# setOptValInt() instead).
UNREPRESENTABLE = {"MediaConfig.jbDiscardAlgo", "AudioDevInfo.id"}
ONLY_PJSUA2 = {"SdpSession.pjSdpSession", "AudioDevInfo.extFmt"}
ONLY_FERROSIP = {"SockOpt.optVal"}


def compare(ours, theirs, path, problems, skipped):
    """Compares a ferrosip object with PJSUA2's dump, field by field:
    problems get (path, ferrosip value, PJSUA2 value)."""
    cls = type(ours)
    cls_name = cls._pj_class
    for name in sorted(set(cls._fields) | set(theirs)):
        where = f"{cls_name}.{name}"
        at = f"{path}.{name}"
        if name not in cls._fields:
            skipped.add(where) if where in ONLY_PJSUA2 else problems.append((at, None, theirs[name]))
            continue
        if name not in theirs:
            skipped.add(where) if where in ONLY_FERROSIP else problems.append((at, plain(ours._d[name]), None))
            continue
        mine, other = ours._d[name], theirs[name]
        if isinstance(other, dict) and "__swig__" in other:
            skipped.add(where) if where in UNREPRESENTABLE else problems.append((at, mine, other))
            continue
        if isinstance(cls._fields[name].kind, _config._Struct):
            compare(mine, other, at, problems, skipped)
        elif plain(mine) != other:
            problems.append((at, plain(mine), other))


def test_every_class_has_pjsua2s_defaults():
    defaults = pjsua2_defaults()
    problems, skipped = [], set()
    classes = _config.classes()
    assert len(classes) == 53
    for name in classes:
        assert name in defaults, f"the oracle does not know {name}"
        compare(getattr(pj, name)(), defaults[name], name, problems, skipped)
    compare(pj.CallSetting(True), defaults["CallSetting(True)"], "CallSetting(True)", problems, skipped)
    compare(pj.CallOpParam(True), defaults["CallOpParam(True)"], "CallOpParam(True)", problems, skipped)
    assert skipped == UNREPRESENTABLE | ONLY_PJSUA2 | ONLY_FERROSIP

    # PJSUA2's account sub-configs made on their own (pj.AccountRegConfig())
    # are zero-initialised or have their C++ constructor's values; only
    # AccountConfig() gives them PJSUA's defaults (pjsua_acc_config_default).
    # ferrosip's always have the defaults AccountConfig() gives them.
    nested = {
        f.kind.class_name: name
        for name, f in pj.AccountConfig._fields.items()
        if isinstance(f.kind, _config._Struct)
    }
    unexplained = []
    for path, mine, theirs in problems:
        cls_name, *rest = path.split(".")
        inside = defaults["AccountConfig"].get(nested.get(cls_name, ""))
        for key in rest:
            inside = inside.get(key) if isinstance(inside, dict) else None
        if cls_name not in nested or inside != mine:
            unexplained.append((path, mine, theirs))
    assert unexplained == []
    assert {p for p, _, _ in problems} >= {
        "AccountRegConfig.timeoutSec",
        "AccountMediaConfig.transportConfig.port",
        "AccountVideoConfig.startKeyframeCount",
    }


def test_nested_configs_in_account_media_differ_from_their_class():
    acfg = pj.AccountConfig()
    assert acfg.mediaConfig.transportConfig.port == 4000
    assert pj.TransportConfig().port == 0
    assert pj.CallSetting(True).audioCount == 1 and pj.CallSetting().audioCount == 0
    assert pj.CallOpParam(True).opt.flag == pj.PJSUA_CALL_INCLUDE_DISABLED_MEDIA


def test_nested_mutation_is_in_place():
    ep_cfg = pj.EpConfig()
    ua = ep_cfg.uaConfig
    ep_cfg.uaConfig.threadCnt = 0
    assert ua.threadCnt == 0 and ep_cfg.uaConfig is ua
    acfg = pj.AccountConfig()
    acfg.regConfig.registrarUri = "sip:example.com"
    acfg.mediaConfig.transportConfig.tlsConfig.qosParams.dscp_val = 46
    assert acfg.regConfig.registrarUri == "sip:example.com"
    assert acfg.mediaConfig.transportConfig.tlsConfig.qosParams.dscp_val == 46
    assert type(acfg.mediaConfig.transportConfig.qosParams) is pj.pj_qos_params


def test_assigning_a_nested_config_copies_its_values():
    ep_cfg = pj.EpConfig()
    held = ep_cfg.uaConfig
    ua = pj.UaConfig(maxCalls=10, nameserver=["10.0.0.1"])
    ep_cfg.uaConfig = ua
    assert ep_cfg.uaConfig is held, "the field keeps its object, as PJSUA2's C++ member"
    assert held.maxCalls == 10 and list(held.nameserver) == ["10.0.0.1"]
    ua.maxCalls = 11
    ua.nameserver.append("10.0.0.2")
    assert held.maxCalls == 10 and list(held.nameserver) == ["10.0.0.1"]
    with pytest.raises(TypeError, match="EpConfig.uaConfig: expected UaConfig"):
        ep_cfg.uaConfig = pj.LogConfig()
    ep_cfg.uaConfig = ep_cfg.uaConfig  # assigning itself changes nothing
    assert held.maxCalls == 10


def test_positional_constructors_as_pjsua2():
    cred = pj.AuthCredInfo("digest", "*", "test", 0, "pwtest")
    assert (cred.scheme, cred.realm, cred.username, cred.dataType, cred.data) == (
        "digest",
        "*",
        "test",
        0,
        "pwtest",
    )
    assert cred.algoType == 0 and cred.akaK == ""
    with pytest.raises(TypeError, match="0 or 5 positional arguments"):
        pj.AuthCredInfo("digest", "*")
    opt = pj.SockOpt(1, 8, 65536)
    assert (opt.level, opt.optName, opt.optVal) == (1, 8, 65536)
    opt.setOptValInt(5)
    assert opt.optVal == 5
    with pytest.raises(TypeError):
        pj.SockOpt(1, 2)
    assert pj.CallSetting(useDefaultValues=True) == pj.CallSetting(True)
    assert pj.CallOpParam(useDefaultCallSetting=True).opt.audioCount == 1
    with pytest.raises(TypeError, match="must be a bool"):
        pj.CallSetting(1)
    with pytest.raises(TypeError, match="takes no positional arguments"):
        pj.UaConfig(4)
    with pytest.raises(TypeError, match="unexpected keyword argument 'maxcalls'"):
        pj.UaConfig(maxcalls=4)
    assert pj.SipHeader(hName="X-A", hValue="1").hName == "X-A"


def test_fields_are_fixed():
    cfg = pj.UaConfig()
    with pytest.raises(AttributeError, match="did you mean 'maxCalls'"):
        cfg.maxcalls = 3
    with pytest.raises(AttributeError, match="no field 'bogus'"):
        cfg.bogus = 1
    with pytest.raises(AttributeError):
        del cfg.maxCalls

    class Mine(pj.UaConfig):
        pass

    mine = Mine()
    mine.note = "subclasses may add attributes"
    assert mine.note and mine.maxCalls == 4
    assert copy.deepcopy(mine).note == mine.note


# Assignments tried on both PJSUA2 and ferrosip: (class, field, value).
ASSIGNMENTS = [
    ("UaConfig", "mainThreadOnly", True),
    ("UaConfig", "mainThreadOnly", 1),
    ("UaConfig", "mainThreadOnly", 0),
    ("UaConfig", "mainThreadOnly", "yes"),
    ("UaConfig", "mainThreadOnly", None),
    ("UaConfig", "maxCalls", 8),
    ("UaConfig", "maxCalls", True),
    ("UaConfig", "maxCalls", -1),
    ("UaConfig", "maxCalls", 2**32),
    ("UaConfig", "maxCalls", 2**32 - 1),
    ("UaConfig", "maxCalls", 3.0),
    ("UaConfig", "maxCalls", "4"),
    ("UaConfig", "natTypeInSdp", -(2**31)),
    ("UaConfig", "natTypeInSdp", 2**31),
    ("UaConfig", "userAgent", "ferrosip"),
    ("UaConfig", "userAgent", 5),
    ("UaConfig", "userAgent", None),
    ("pj_qos_params", "flags", 255),
    ("pj_qos_params", "flags", 256),
    ("pj_qos_params", "flags", -1),
    ("AudioMediaTransmitParam", "level", 2),
    ("AudioMediaTransmitParam", "level", 0.1),
    ("AudioMediaTransmitParam", "level", True),
    ("AudioMediaTransmitParam", "level", "x"),
    ("AccountSipConfig", "transportId", 3),
    ("AccountCallConfig", "holdType", 1),
    ("AccountCallConfig", "timerMinSESec", 120),
    ("AccountNatConfig", "turnConnType", 6),
    ("TlsConfig", "method", 33),
    ("SendInstantMessageParam", "userData", None),
]


def test_assignment_rules_are_pjsua2s():
    cases = json.dumps(ASSIGNMENTS)
    theirs = run_oracle("assign", cases)
    for (cls, field, value), expected in zip(ASSIGNMENTS, theirs):
        obj = getattr(pj, cls)()
        try:
            setattr(obj, field, value)
            got = {"ok": plain(getattr(obj, field))}
        except Exception as e:  # noqa: BLE001 - the exception's type is compared
            got = {"raises": type(e).__name__}
        assert got == expected, f"{cls}.{field} = {value!r}"


def test_deliberate_differences_in_assignment():
    # Lists (and tuples) are accepted where PJSUA2 wants its vector type.
    u = pj.UaConfig()
    u.nameserver = ("8.8.8.8", "1.1.1.1")
    assert u.nameserver == ["8.8.8.8", "1.1.1.1"] and type(u.nameserver) is pj.StringVector
    with pytest.raises(TypeError):
        u.nameserver = "8.8.8.8"  # a str is not a list of str
    with pytest.raises(TypeError, match="StringVector item: expected str, got int"):
        u.nameserver = [1]
    # An undefined value of a PJSIP enum is refused (PJSUA2 takes any int).
    call = pj.AccountCallConfig()
    with pytest.raises(ValueError, match="5 is not a HoldType"):
        call.holdType = 5
    with pytest.raises(ValueError, match="not a QosWmmPrio"):
        pj.TransportConfig().qosParams.wmm_prio = 9
    # Floats must be finite.
    with pytest.raises(ValueError):
        pj.AudioMediaTransmitParam().level = float("nan")
    with pytest.raises(OverflowError):
        pj.AudioMediaTransmitParam().level = 1e300
    # Text must be encodable as UTF-8.
    with pytest.raises(ValueError, match="UTF-8"):
        u.userAgent = "\ud800"
    u.userAgent = "é ✓"
    assert u.userAgent == "é ✓"


def test_equality_repr_copy_pickle():
    a = pj.AccountConfig()
    a.idUri = "sip:alice@example.com"
    a.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", "alice", 0, "secret"))
    a.mediaConfig.transportConfig.boundAddress = "10.0.0.1"
    b = pj.AccountConfig()
    assert a != b and pj.AccountConfig() == b
    assert pj.UaConfig() != pj.LogConfig()
    assert (pj.UaConfig() == 1) is False

    text = repr(a)
    assert text.startswith("AccountConfig(idUri='sip:alice@example.com'")
    assert "secret" not in text and "data=<hidden>" in text
    assert "TransportConfig(port=4000, boundAddress='10.0.0.1')" in text
    assert repr(pj.UaConfig()) == "UaConfig()"
    assert eval(repr(pj.UaConfig(maxCalls=2, nameserver=["a"])), vars(pj)) == pj.UaConfig(
        maxCalls=2, nameserver=["a"]
    )

    for c in (copy.copy(a), copy.deepcopy(a), pickle.loads(pickle.dumps(a))):
        assert c == a and c is not a
        assert c.sipConfig is not a.sipConfig
        c.sipConfig.authCreds[0].username = "bob"
        c.mediaConfig.transportConfig.port = 5000
        assert a.sipConfig.authCreds[0].username == "alice"
        assert a.mediaConfig.transportConfig.port == 4000
    with pytest.raises(TypeError):
        hash(a)


def test_log_config_writer_is_python_only():
    class Writer:
        def write(self, entry):
            pass

    log = pj.LogConfig()
    assert log.writer is None
    w = Writer()
    log.writer = w
    assert log.writer is w
    assert "writer" not in json.loads(log._to_json())
    assert copy.deepcopy(log).writer is w, "a copy shares the writer"
    ep = pj.EpConfig()
    ep.logConfig = log
    assert ep.logConfig.writer is w
    with pytest.raises(TypeError, match="LogWriter"):
        log.writer = 5
    log.writer = None


def test_is_empty():
    assert pj.SipTxOption().isEmpty()
    tx = pj.SipTxOption()
    tx.headers.append(pj.SipHeader(hName="X-A", hValue="1"))
    assert not tx.isEmpty()
    assert pj.CallSetting().isEmpty() and not pj.CallSetting(True).isEmpty()
    only_dir = pj.CallSetting(mediaDir=[3])
    assert only_dir.isEmpty(), "isEmpty() looks at the four numbers only, as PJSUA2's"


def test_json_contract_with_rust():
    a = pj.AccountConfig(idUri="sip:a@b")
    a.regConfig.headers.append(pj.SipHeader(hName="X", hValue="1"))
    text = a._to_json()
    data = json.loads(text)
    assert data["regConfig"]["headers"] == [{"hName": "X", "hValue": "1"}]
    assert data["callConfig"]["timerMinSESec"] == 90
    back = _config.from_json("AccountConfig", text)
    assert back == a and type(back) is pj.AccountConfig
    # _set_json updates in place, nested objects and vectors stay the same.
    reg, headers = a.regConfig, a.regConfig.headers
    a._set_json(pj.AccountConfig()._to_json())
    assert a == pj.AccountConfig() and a.regConfig is reg and a.regConfig.headers is headers
    # Tokens cross as integers: None is 0.
    p = pj.SendRequestParam()
    assert json.loads(p._to_json())["userData"] == 0
    p.userData = 7
    assert _config.from_json("SendRequestParam", p._to_json()).userData == 7


def test_docstrings_come_from_rust():
    assert "PJSUA2's `UaConfig`" in pj.UaConfig.__doc__
    doc = pj.UaConfig.maxCalls.__doc__
    assert "Most calls at once" in doc and "unsigned 32-bit" in doc
    doc = pj.AccountNatConfig.sipStunUse.__doc__
    assert "0 Default, 1 Disabled, 2 RetryOnFailure" in doc
    for name, cls in _config.classes().items():
        assert cls.__doc__, name
        for field_name, field in cls._fields.items():
            assert field.__doc__ and "Type:" in field.__doc__, f"{name}.{field_name}"
            prose = field.__doc__.split("\n\nType:")[0]
            assert prose and not prose.startswith("Type:"), f"{name}.{field_name} has no prose"
    assert pj.UaConfig.__module__ == "ferrosip"


def test_persistent_classes_are_pjsua2s():
    persistent = {
        n for n, c in _config.classes().items() if issubclass(c, pj.PersistentObject)
    }
    assert persistent == {
        "EpConfig", "UaConfig", "LogConfig", "MediaConfig", "TransportConfig", "TlsConfig",
        "SockOptParams", "AccountConfig", "AccountRegConfig", "AccountSipConfig",
        "AccountCallConfig", "AccountPresConfig", "AccountMwiConfig", "AccountNatConfig",
        "AccountMediaConfig", "AccountVideoConfig", "AccountIpChangeConfig", "SrtpOpt",
        "RtcpFbConfig", "AuthCredInfo", "BuddyConfig",
    }  # fmt: skip
    assert not hasattr(pj.SipHeader, "readObject")
