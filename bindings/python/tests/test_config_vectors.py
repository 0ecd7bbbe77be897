"""Vector fields and vector classes behave as Python lists of checked items."""

import copy
import pickle

import pytest

import ferrosip as pj


def test_auth_creds_append_as_in_the_pjsua2_sample():
    acfg = pj.AccountConfig()
    cred = pj.AuthCredInfo("digest", "*", "test", 0, "pwtest")
    acfg.sipConfig.authCreds.append(cred)
    assert len(acfg.sipConfig.authCreds) == 1
    assert isinstance(acfg.sipConfig.authCreds, list)
    assert type(acfg.sipConfig.authCreds) is pj.AuthCredInfoVector
    # Appending copies, as PJSUA2's C++ vector does ...
    cred.username = "changed"
    assert acfg.sipConfig.authCreds[0].username == "test"
    # ... and an item got back is the one inside, as in PJSUA2.
    acfg.sipConfig.authCreds[0].username = "inside"
    item = acfg.sipConfig.authCreds[0]
    item.data = "pw2"
    assert acfg.sipConfig.authCreds[0].username == "inside"
    assert acfg.sipConfig.authCreds[0].data == "pw2"


def test_reusing_one_header_object_gives_distinct_items():
    headers = pj.SipHeaderVector()
    h = pj.SipHeader()
    for value in ("1", "2", "3"):
        h.hName, h.hValue = "X-N", value
        headers.append(h)
    assert [x.hValue for x in headers] == ["1", "2", "3"]


def test_list_operations():
    u = pj.UaConfig()
    ns = u.nameserver
    ns.append("8.8.8.8")
    ns.extend(["1.1.1.1", "9.9.9.9"])
    ns.insert(0, "127.0.0.53")
    ns += ("10.0.0.1",)
    assert u.nameserver == ["127.0.0.53", "8.8.8.8", "1.1.1.1", "9.9.9.9", "10.0.0.1"]
    assert ns[1] == "8.8.8.8" and ns[-1] == "10.0.0.1"
    assert type(ns[1:3]) is pj.StringVector and ns[1:3] == ["8.8.8.8", "1.1.1.1"]
    ns[0] = "127.0.0.1"
    ns[1:3] = ["a", "b", "c"]
    del ns[2]
    assert ns.pop() == "10.0.0.1"
    ns.remove("a")
    ns.sort()
    assert list(ns) == ["127.0.0.1", "9.9.9.9", "c"]
    assert "c" in ns and ns.index("c") == 2 and ns.count("c") == 1
    assert u.nameserver is ns, "mutations happen in place"
    u.nameserver = ["x"]
    assert u.nameserver is ns and ns == ["x"], "assignment copies into the field's vector"


def test_items_are_checked_everywhere():
    ns = pj.StringVector()
    for bad in (
        lambda: ns.append(1),
        lambda: ns.extend([b"x"]),
        lambda: ns.insert(0, None),
        lambda: ns.__setitem__(slice(0, 0), [1]),
        lambda: pj.StringVector(["a", 2]),
        lambda: pj.AuthCredInfoVector([pj.SipHeader()]),
    ):
        with pytest.raises(TypeError):
            bad()
    ns.append("a")
    with pytest.raises(TypeError):
        ns[0] = 5
    assert ns == ["a"]
    with pytest.raises(OverflowError):
        pj.IntVector([2**31])
    with pytest.raises(TypeError):
        pj.IntVector([1.5])
    with pytest.raises(OverflowError):
        pj.ByteVector([256])
    assert pj.ByteVector(b"\x01\x02") == [1, 2]
    with pytest.raises(TypeError):
        pj.StringVector("abc")
    cfg = pj.TlsConfig()
    cfg.ciphers = [0x002F, 0x0035]
    assert cfg.ciphers == [47, 53] and type(cfg.ciphers) is pj.IntVector
    with pytest.raises(TypeError):
        cfg.ciphers = 5


def test_constructors_as_pjsua2s():
    assert pj.StringVector() == []
    assert pj.StringVector(["a", "b"]) == ["a", "b"]
    assert pj.StringVector(pj.StringVector(["a"])) == ["a"]
    assert pj.StringVector(2) == ["", ""]
    assert pj.StringVector(2, "x") == ["x", "x"]
    assert pj.IntVector(3) == [0, 0, 0]
    hv = pj.SipHeaderVector(2)
    assert len(hv) == 2 and hv[0] is not hv[1] and hv[0] == pj.SipHeader()
    assert repr(pj.StringVector(["a"])) == "StringVector(['a'])"


def test_std_vector_methods():
    v = pj.IntVector([1, 2, 3])
    v.push_back(4)
    assert v.size() == 4 and v.back() == 4 and v.front() == 1 and not v.empty()
    v.pop_back()
    assert v == [1, 2, 3]
    v.resize(5)
    assert v == [1, 2, 3, 0, 0]
    v.resize(2)
    assert v == [1, 2]
    v.resize(3, 9)
    assert v == [1, 2, 9]
    v.reserve(100)
    assert v.capacity() >= v.size()
    v.assign(2, 7)
    assert v == [7, 7]
    w = pj.IntVector([1])
    v.swap(w)
    assert v == [1] and w == [7, 7]
    assert list(v.iterator()) == [1]
    v.clear()
    assert v.empty()
    with pytest.raises(IndexError):
        v.back()
    with pytest.raises(IndexError):
        v.pop_back()
    with pytest.raises(TypeError):
        v.swap(pj.StringVector())


def test_copies_are_independent():
    creds = pj.AuthCredInfoVector([pj.AuthCredInfo("digest", "*", "a", 0, "p")])
    for c in (creds.copy(), copy.copy(creds), copy.deepcopy(creds), creds[:],
              pickle.loads(pickle.dumps(creds))):  # fmt: skip
        assert c == creds and type(c) is pj.AuthCredInfoVector
        c[0].username = "b"
        assert creds[0].username == "a"
    doubled = pj.AuthCredInfoVector(creds)
    doubled *= 2
    doubled[0].username = "z"
    assert doubled[1].username == "a"


def test_every_vector_field_has_pjsua2s_vector_type():
    acfg = pj.AccountConfig()
    assert type(acfg.regConfig.headers) is pj.SipHeaderVector
    assert type(acfg.presConfig.headers) is pj.SipHeaderVector
    assert type(acfg.sipConfig.proxies) is pj.StringVector
    assert type(acfg.mediaConfig.srtpOpt.cryptos) is pj.SrtpCryptoVector
    assert type(acfg.mediaConfig.srtpOpt.keyings) is pj.IntVector
    assert type(acfg.mediaConfig.rtcpFbConfig.caps) is pj.RtcpFbCapVector
    assert type(pj.TransportConfig().sockOptParams.sockOpts) is pj.SockOptVector
    assert type(pj.SipTxOption().multipartParts) is pj.SipMultipartPartVector
    assert type(pj.CallSetting().mediaDir) is pj.IntVector
