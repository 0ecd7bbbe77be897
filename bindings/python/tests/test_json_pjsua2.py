"""Settings files move both ways between PJSUA2 and ferrosip.

The real PJSUA2 runs in a subprocess (tests/data/pjsua2_oracle.py)."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import ferrosip as pj
from ferrosip import _config
from conftest import require, run_oracle

ORACLE = Path(__file__).parent / "data" / "pjsua2_oracle.py"



# Non-default values in every persisted part (ASCII text, integers that a
# C float holds exactly). SockOpt is left out: PJSUA2's Python SockOpt has
# no optVal attribute to set.
SPEC = {
    "EpConfig": {
        "uaConfig": {
            "maxCalls": 8,
            "threadCnt": 0,
            "mainThreadOnly": True,
            "nameserver": ["8.8.8.8", "1.1.1.1"],
            "userAgent": "interop/1.0",
            "stunServer": ["stun.example.com:3478"],
            "stunIgnoreFailure": False,
            "natTypeInSdp": 2,
            "mwiUnsolicitedEnabled": False,
        },
        "logConfig": {"level": 3, "consoleLevel": 2, "filename": "pj.log", "msgLogging": 0},
        "medConfig": {"clockRate": 8000, "ecTailLen": 0, "jbInit": 5, "noVad": True, "sndAutoCloseTime": -1},
    },
    "AccountConfig": {
        "priority": 2,
        "idUri": '"Alice" <sip:alice@example.com>',
        "regConfig": {
            "registrarUri": "sip:example.com;transport=tcp",
            "timeoutSec": 600,
            "headers": [{"hName": "X-A", "hValue": "1"}, {"hName": "X-B", "hValue": "two"}],
            "contactParams": ";expires=30",
            "proxyUse": 1,
            "dropCallsOnFail": True,
        },
        "sipConfig": {
            "authCreds": [
                {"scheme": "digest", "realm": "*", "username": "alice", "dataType": 0, "data": "secret"},
                {"realm": "example.com", "username": "al", "dataType": 1, "data": "0123abcd"},
            ],
            "proxies": ["sip:proxy.example.com;lr"],
            "contactForced": "<sip:alice@192.0.2.1>",
            "transportId": 2,
        },
        "callConfig": {"prackUse": 2, "timerUse": 2, "timerMinSESec": 120, "holdType": 1},
        "presConfig": {"publishEnabled": True, "pidfTupleId": "tuple1", "headers": [{"hName": "X-P", "hValue": "p"}]},
        "mwiConfig": {"enabled": True, "expirationSec": 1800},
        "natConfig": {
            "iceEnabled": True,
            "iceMaxHostCands": 3,
            "turnEnabled": True,
            "turnServer": "turn.example.com",
            "turnConnType": 6,
            "turnUserName": "t",
            "udpKaIntervalSec": 30,
            "sipOutboundUse": 0,
            "contactRewriteMethod": 1,
            "udpKaData": "ka",
        },
        "mediaConfig": {
            "transportConfig": {"port": 40000, "portRange": 100, "publicAddress": "203.0.113.1"},
            "srtpUse": 1,
            "srtpSecureSignaling": 0,
            "srtpOpt": {"keyings": [1, 0]},
            "rtcpMuxEnabled": True,
            "ipv6Use": 1,
        },
        "videoConfig": {"autoShowIncoming": True, "defaultCaptureDevice": 2, "windowFlags": 3},
    },
    "TransportConfig": {
        "port": 5060,
        "boundAddress": "127.0.0.1",
        "qosType": 3,
        "qosParams": {"flags": 1, "dscp_val": 46},
        "tlsConfig": {
            "CaListFile": "/etc/ca.pem",
            "method": 33,
            "ciphers": [47, 53],
            "verifyServer": True,
            "msecTimeout": 5000,
            "certLookupType": 1,
            "certLookupKeyword": "alice",
        },
    },
    "BuddyConfig": {"uri": "sip:bob@example.com", "subscribe": True},
}


def build(cls, spec):
    obj = cls()
    apply(obj, spec)
    return obj


def apply(obj, spec):
    """Sets the fields of a spec on a ferrosip object."""
    for name, value in spec.items():
        if isinstance(value, dict):
            apply(getattr(obj, name), value)
        elif isinstance(value, list):
            vector = getattr(obj, name)
            item_kind = type(obj)._fields[name].kind.item
            if isinstance(item_kind, _config._Struct):
                value = [build(item_kind.cls, v) for v in value]
            setattr(obj, name, value)
        else:
            setattr(obj, name, value)


def plain(value):
    if isinstance(value, _config._Config):
        return {name: plain(value._d[name]) for name in type(value)._fields}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def same(ours, theirs, path=""):
    """The differences between two dumps, on the fields both have (PJSUA2's
    raw SWIG pointers, MediaConfig.jbDiscardAlgo, cannot be compared)."""
    if isinstance(theirs, dict) and "__swig__" in theirs:
        return []
    if isinstance(ours, dict) and isinstance(theirs, dict):
        diffs = []
        for key in sorted(set(ours) & set(theirs)):
            diffs += same(ours[key], theirs[key], f"{path}.{key}")
        return diffs
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        diffs = []
        for i, (a, b) in enumerate(zip(ours, theirs)):
            diffs += same(a, b, f"{path}[{i}]")
        return diffs
    return [] if ours == theirs else [(path, ours, theirs)]


def ferrosip_objects():
    return [build(getattr(pj, name), values) for name, values in SPEC.items()]


def test_a_file_saved_by_pjsua2_loads_in_ferrosip(tmp_path):
    path = tmp_path / "pjsua2.json"
    run_oracle("save", json.dumps(SPEC), str(path))
    pjsua2_read = run_oracle("load", json.dumps(SPEC), str(path))

    doc = pj.JsonDocument()
    doc.loadFile(str(path))
    for name, expected in zip(SPEC, ferrosip_objects()):
        obj = getattr(pj, name)()
        doc.readObject(obj)
        # What PJSUA2 reads back from its own file, ferrosip reads too ...
        assert same(plain(obj), pjsua2_read[name]) == [], name
        # ... and that is the spec, where PJSUA2 persists the field.
        assert same(plain(obj), plain(expected)) == [], name


def test_a_file_saved_by_ferrosip_loads_in_pjsua2(tmp_path):
    path = tmp_path / "ferrosip.json"
    doc = pj.JsonDocument()
    objects = ferrosip_objects()
    for obj in objects:
        doc.writeObject(obj)
    doc.saveFile(str(path))
    # PJSUA2's reader is strict (keys in its order, none missing): it reads
    # the whole file back.
    pjsua2_read = run_oracle("load", json.dumps(SPEC), str(path))
    for name, obj in zip(SPEC, objects):
        assert same(plain(obj), pjsua2_read[name]) == [], name


def test_saved_text_is_byte_for_byte_pjsua2s(tmp_path):
    pjsua2_text = run_oracle("save", json.dumps(SPEC), str(tmp_path / "p.json"))
    doc = pj.JsonDocument()
    for obj in ferrosip_objects():
        doc.writeObject(obj)
    assert doc.saveString() == pjsua2_text
    assert (tmp_path / "p.json").read_text() == pjsua2_text


def test_defaults_save_as_pjsua2s(tmp_path):
    spec = {name: {} for name in ("EpConfig", "AccountConfig", "TransportConfig", "BuddyConfig")}
    pjsua2_text = run_oracle("save", json.dumps(spec), str(tmp_path / "d.json"))
    doc = pj.JsonDocument()
    for name in spec:
        doc.writeObject(getattr(pj, name)())
    assert doc.saveString() == pjsua2_text


def test_a_pygui_like_document_written_by_ferrosip_reads_in_pjsua2(tmp_path):
    ep_cfg = build(pj.EpConfig, SPEC["EpConfig"])
    doc = pj.JsonDocument()
    doc.writeObject(ep_cfg)
    arr = doc.writeNewArray("transports")
    for type_, enabled, port in ((pj.PJSIP_TRANSPORT_UDP, True, 5060), (pj.PJSIP_TRANSPORT_TCP, False, 5080)):
        node = arr.writeNewContainer("SipTransport")
        node.writeInt("type", type_)
        node.writeBool("enabled", enabled)
        pj.TransportConfig(port=port).writeObject(node)
    path = tmp_path / "pygui.json"
    doc.saveFile(str(path))

    read = run_oracle("pygui", str(path))
    assert same(plain(ep_cfg), read["EpConfig"]) == []
    assert [(t["type"], t["enabled"], t["config"]["port"]) for t in read["transports"]] == [
        (1, True, 5060),
        (2, False, 5080),
    ]
