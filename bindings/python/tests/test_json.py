"""JsonDocument, ContainerNode and readObject/writeObject from Python."""

import json

import pytest

import ferrosip as pj

PJLIB_UTIL_EINJSON = 320030
PJ_ENOTFOUND = 70006


def sample_account():
    acfg = pj.AccountConfig()
    acfg.idUri = "sip:alice@example.com"
    acfg.regConfig.registrarUri = "sip:example.com"
    acfg.regConfig.headers.append(pj.SipHeader(hName="X-Test", hValue="1"))
    acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", "alice", 0, "secret"))
    acfg.sipConfig.proxies.append("sip:proxy.example.com;lr")
    acfg.mediaConfig.srtpOpt.keyings = [1, 0]
    acfg.mediaConfig.transportConfig.sockOptParams.sockOpts.append(pj.SockOpt(1, 8, 65536))
    return acfg


def test_round_trip_through_text():
    ep_cfg = pj.EpConfig()
    ep_cfg.uaConfig.maxCalls = 8
    ep_cfg.uaConfig.nameserver = ["8.8.8.8"]
    ep_cfg.medConfig.jbInit = 5
    acfg = sample_account()
    tp = pj.TransportConfig(port=5060)
    buddy = pj.BuddyConfig(uri="sip:bob@example.com", subscribe=True)

    doc = pj.JsonDocument()
    for obj in (ep_cfg, acfg, tp, buddy):
        doc.writeObject(obj)
    text = doc.saveString()
    assert text.startswith('{ \n   "EpConfig":             { \n      "UaConfig":')
    assert '"maxCalls":             8,' in text
    assert '"qos.dscp_val":         0' in text

    doc = pj.JsonDocument()
    doc.loadString(text)
    back = [pj.EpConfig(), pj.AccountConfig(), pj.TransportConfig(), pj.BuddyConfig()]
    for obj in back:
        doc.readObject(obj)
    assert back == [ep_cfg, acfg, tp, buddy]


def test_persistent_object_methods_on_the_root_container(tmp_path):
    cfg = pj.UaConfig(userAgent="ferrosip-test")
    doc = pj.JsonDocument()
    cfg.writeObject(doc.getRootContainer())
    path = tmp_path / "ua.json"
    doc.saveFile(str(path))
    assert json.loads(path.read_text())["UaConfig"]["userAgent"] == "ferrosip-test"

    doc = pj.JsonDocument()
    doc.loadFile(str(path))
    back = pj.UaConfig()
    back.readObject(doc.getRootContainer())
    assert back == cfg
    # A document is also accepted where a node is expected (its root).
    other = pj.UaConfig()
    doc2 = pj.JsonDocument()
    doc2.loadFile(path)  # a pathlib.Path works too
    other.readObject(doc2)
    assert other == cfg


def test_reading_updates_in_place_and_keeps_what_is_not_in_the_file():
    doc = pj.JsonDocument()
    doc.loadString('{ "AccountConfig": { "idUri": "sip:x@y", "AccountRegConfig": { "timeoutSec": 60 } } }')
    acfg = pj.AccountConfig()
    acfg.priority = 7
    acfg.regConfig.disableRegOnModify = True  # not persisted by PJSUA2
    reg = acfg.regConfig
    doc.readObject(acfg)
    assert acfg.idUri == "sip:x@y"
    assert acfg.regConfig is reg and reg.timeoutSec == 60
    assert acfg.priority == 7 and reg.disableRegOnModify is True


def test_log_writer_survives_a_read():
    class Writer:
        def write(self, entry):
            pass

    w = Writer()
    ep_cfg = pj.EpConfig()
    ep_cfg.logConfig.writer = w
    doc = pj.JsonDocument()
    doc.writeObject(pj.EpConfig())
    doc2 = pj.JsonDocument()
    doc2.loadString(doc.saveString())
    doc2.readObject(ep_cfg)
    assert ep_cfg.logConfig.writer is w


def test_container_node_api():
    doc = pj.JsonDocument()
    root = doc.getRootContainer()
    node = root.writeNewContainer("App")
    node.writeInt("count", -3)
    node.writeNumber("ratio", 0.5)
    node.writeBool("enabled", True)
    node.writeString("name", "ferrosip")
    node.writeStringVector("tags", pj.StringVector(["a", "b"]))
    node.writeStringVector("more", ("c",))
    arr = node.writeNewArray("items")
    arr.writeInt("", 1)
    arr.writeString("", "two")
    inner = arr.writeNewContainer("x")
    inner.writeBool("ok", False)
    doc.writeInt("top", 42)  # the document writes into its root

    loaded = pj.JsonDocument()
    loaded.loadString(doc.saveString())
    assert loaded.hasUnread() and loaded.unreadName() == "App"
    app = loaded.readContainer("App")
    assert repr(app) == "<ContainerNode App object>"
    # Keys are found wherever they are.
    assert app.readString("name") == "ferrosip"
    assert app.readInt("count") == -3
    assert app.readNumber("ratio") == 0.5
    assert app.readBool("enabled") is True
    tags = app.readStringVector("tags")
    assert tags == ["a", "b"] and type(tags) is pj.StringVector
    assert app.readStringVector("more") == ["c"]
    items = app.readArray("items")
    assert items.hasUnread() and items.unreadName() == ""
    assert items.readInt() == 1
    assert items.readString() == "two"
    assert items.readContainer().readBool("ok") is False
    assert not items.hasUnread()
    assert not app.hasUnread()
    assert loaded.readInt("top") == 42
    assert not loaded.hasUnread()
    assert loaded.getRootContainer().readInt("top") == 42, "reading a key again finds it"


def test_errors_are_pj_errors_naming_the_key():
    doc = pj.JsonDocument()
    doc.loadString('{ "EpConfig": { "UaConfig": { "maxCalls": "four" } } }')
    with pytest.raises(pj.Error) as err:
        doc.readObject(pj.EpConfig())
    assert err.value.status == PJLIB_UTIL_EINJSON
    assert "EpConfig.UaConfig.maxCalls" in err.value.reason
    assert "expected a number, got a string" in err.value.reason

    with pytest.raises(pj.Error) as err:
        pj.JsonDocument().loadString('{ "a": [1, 2 }')
    assert err.value.status == PJLIB_UTIL_EINJSON
    assert err.value.title == "loadString()"
    assert "line 1 column" in err.value.reason

    node = pj.JsonDocument()
    node.loadString('{ "a": 1 }')
    with pytest.raises(pj.Error) as err:
        node.readString("a")
    assert err.value.status == PJLIB_UTIL_EINJSON and "a: expected a string" in err.value.reason
    with pytest.raises(pj.Error, match="not found"):
        node.readInt("missing")
    with pytest.raises(pj.Error) as err:
        pj.JsonDocument().loadFile("/nonexistent/ferrosip.json")
    assert err.value.status == PJ_ENOTFOUND

    # An enum value PJSIP does not define.
    doc = pj.JsonDocument()
    doc.loadString('{ "AccountCallConfig": { "holdType": 7 } }')
    with pytest.raises(pj.Error, match="AccountCallConfig.holdType"):
        doc.readObject(pj.AccountCallConfig())


def test_only_whole_reads_change_a_config():
    doc = pj.JsonDocument()
    doc.loadString('{ "UaConfig": { "maxCalls": 9, "threadCnt": "x" } }')
    cfg = pj.UaConfig()
    with pytest.raises(pj.Error):
        doc.readObject(cfg)
    assert cfg == pj.UaConfig()


class SipTransport(pj.PersistentObject):
    """pygui's way: an application class that persists itself."""

    def __init__(self, type_=pj.PJSIP_TRANSPORT_UDP, enabled=True):
        self.type = type_
        self.enabled = enabled
        self.config = pj.TransportConfig()

    def readObject(self, node):
        c = node.readContainer("SipTransport")
        self.type = c.readInt("type")
        self.enabled = c.readBool("enabled")
        self.config.readObject(c)

    def writeObject(self, node):
        c = node.writeNewContainer("SipTransport")
        c.writeInt("type", self.type)
        c.writeBool("enabled", self.enabled)
        self.config.writeObject(c)


class Settings:
    """Duck-typed, not derived from PersistentObject."""

    def __init__(self):
        self.ep_cfg = pj.EpConfig()
        self.transports = []

    def writeObject(self, node):
        node.writeObject(self.ep_cfg)
        arr = node.writeNewArray("transports")
        for t in self.transports:
            t.writeObject(arr)

    def readObject(self, node):
        node.readObject(self.ep_cfg)
        arr = node.readArray("transports")
        self.transports = []
        while arr.hasUnread():
            t = SipTransport()
            t.readObject(arr)
            self.transports.append(t)


def test_duck_typed_persistent_objects():
    settings = Settings()
    settings.ep_cfg.uaConfig.userAgent = "pygui"
    tcp = SipTransport(pj.PJSIP_TRANSPORT_TCP, False)
    tcp.config.port = 5080
    settings.transports = [SipTransport(), tcp]

    doc = pj.JsonDocument()
    doc.writeObject(settings)
    text = doc.saveString()
    data = json.loads(text)
    # Items of an array are anonymous, as in PJSUA2.
    assert [t["type"] for t in data["transports"]] == [1, 2]

    doc = pj.JsonDocument()
    doc.loadString(text)
    back = Settings()
    doc.readObject(back)
    assert back.ep_cfg == settings.ep_cfg
    assert [(t.type, t.enabled, t.config.port) for t in back.transports] == [
        (1, True, 0),
        (2, False, 5080),
    ]

    with pytest.raises(TypeError, match="needs a PersistentObject"):
        pj.JsonDocument().writeObject(42)
    with pytest.raises(NotImplementedError):
        pj.JsonDocument().writeObject(pj.PersistentObject())


def test_config_subclass_overriding_write_object():
    class Tagged(pj.BuddyConfig):
        def writeObject(self, node):
            node.writeString("tag", "mine")
            super().writeObject(node)

    doc = pj.JsonDocument()
    doc.writeObject(Tagged(uri="sip:carol@example.com"))
    data = json.loads(doc.saveString())
    assert data == {"tag": "mine", "BuddyConfig": {"uri": "sip:carol@example.com", "subscribe": False}}


def test_unpersisted_fields_are_pjsua2s():
    ua = pj.UaConfig(outboundProxies=["sip:out.example.com"])
    tls = pj.TlsConfig(proto=32, enableRenegotiation=False)
    cred = pj.AuthCredInfo("digest", "*", "a", 0, "p")
    cred.algoType = 2
    doc = pj.JsonDocument()
    for obj in (ua, tls, cred):
        doc.writeObject(obj)
    data = json.loads(doc.saveString())
    assert "outboundProxies" not in data["UaConfig"]
    assert "proto" not in data["TlsConfig"] and "enableRenegotiation" not in data["TlsConfig"]
    assert "algoType" not in data["AuthCredInfo"]


def test_documents():
    with pytest.raises(TypeError):
        pj.PersistentDocument()
    doc = pj.JsonDocument()
    assert isinstance(doc, pj.PersistentDocument)
    assert doc.saveString() == "{ }"
    assert not doc.hasUnread()
    assert isinstance(doc.getRootContainer(), pj.ContainerNode)
    assert isinstance(pj.EpConfig(), pj.PersistentObject)


def test_every_persistent_config_round_trips():
    from ferrosip import _config

    for name, cls in _config.classes().items():
        if not issubclass(cls, pj.PersistentObject):
            continue
        doc = pj.JsonDocument()
        doc.writeObject(cls())
        loaded = pj.JsonDocument()
        loaded.loadString(doc.saveString())
        obj = cls()
        loaded.readObject(obj)
        assert obj == cls(), name
