"""pj.Account against a real kamailio registrar: registration and its
callbacks, getInfo, modify, default account, lookup, shutdown, stale objects,
and libDestroy's un-REGISTER."""

import time

import pytest

import ferrosip as pj
from peers import (  # noqa: F401  (fixtures)
    account_config,
    kamailio,
    no_endpoint_left,
    poll,
    start_endpoint,
)

PJ_EGONE = 70023
PJ_EINVALIDOP = 70013


class Acc(pj.Account):
    """Records its callbacks."""

    def __init__(self):
        super().__init__()
        self.events = []

    def onRegStarted(self, prm):
        self.events.append(("started", prm.renew))

    def onRegState(self, prm):
        self.events.append(("state", prm.code, prm.reason, prm.status, prm.expiration, prm.rdata))

    def codes(self):
        return [e[1] for e in self.events if e[0] == "state"]

    def wait_code(self, ep, code, timeout=5.0):
        return poll(ep, lambda: code in self.codes(), timeout)


def test_registers_and_reports_like_pjsua2(kamailio):
    ep = start_endpoint(pj)
    acc = Acc()
    assert acc.getId() == -1 and not acc.isValid()
    acc.create(account_config(pj, kamailio, "alice"), True)
    assert acc.isValid()
    info = acc.getInfo()
    assert (info.id, info.isDefault, info.uri) == (acc.getId(), True, "sip:alice@127.0.0.1")
    assert info.regIsConfigured and not info.regIsActive
    assert (info.regStatus, info.regStatusText) == (100, "In Progress")
    assert acc.wait_code(ep, 200)
    assert acc.events[0] == ("started", True)
    _, code, reason, status, expiration, rdata = acc.events[-1]
    assert (code, reason, status) == (200, "OK", 0)
    assert 60 <= expiration <= 3600
    assert rdata.info.startswith("Response msg 200/REGISTER/cseq=")
    assert rdata.wholeMsg.startswith("SIP/2.0 200 OK")
    info = acc.getInfo()
    assert info.regIsActive and info.regStatus == 200 and info.regStatusText == "OK"
    assert 0 < info.regExpiresSec <= expiration
    assert info.regLastErr == 0
    assert (info.onlineStatus, info.onlineStatusText) == (False, "Offline")
    assert len(kamailio.contacts("alice")) == 1

    acc.setRegistration(False)
    assert poll(ep, lambda: acc.events[-1][0] == "state" and acc.events[-1][4] == 0)
    assert ("started", False) in acc.events
    assert kamailio.contacts("alice") == []
    assert not acc.getInfo().regIsActive
    acc.setRegistration(True)
    assert poll(ep, lambda: len(kamailio.contacts("alice")) == 1)
    ep.libDestroy()


def test_wrong_password_gives_401(kamailio):
    ep = start_endpoint(pj)
    acc = Acc()
    acc.create(account_config(pj, kamailio, "alice", "wrong"))
    assert acc.wait_code(ep, 401)
    _, code, reason, status, expiration, _ = acc.events[-1]
    assert code == 401 and expiration == 0 and status != 0
    info = acc.getInfo()
    assert not info.regIsActive and info.regStatus == 401
    assert kamailio.contacts("alice") == []
    ep.libDestroy()


def test_modify_default_and_lookup(kamailio):
    ep = start_endpoint(pj)
    alice, bob = Acc(), Acc()
    alice.create(account_config(pj, kamailio, "alice"))
    bob.create(account_config(pj, kamailio, "bob"), make_default=False)
    assert alice.wait_code(ep, 200) and bob.wait_code(ep, 200)
    assert pj.Account.lookup(alice.getId()) is alice
    assert pj.Account.lookup(bob.getId()) is bob
    assert pj.Account.lookup(999) is None
    bob.setDefault()
    assert bob.isDefault() and not alice.isDefault()
    # modify: bob becomes carol's identity and registers as carol.
    bob.modify(account_config(pj, kamailio, "carol"))
    assert poll(ep, lambda: len(kamailio.contacts("carol")) == 1)
    assert bob.getInfo().uri == "sip:carol@127.0.0.1"
    ep.libDestroy()


def test_shutdown_unregisters_and_leaves_a_stale_object(kamailio):
    ep = start_endpoint(pj)
    acc = Acc()
    acc.create(account_config(pj, kamailio, "alice"))
    assert acc.wait_code(ep, 200)
    account_id = acc.getId()
    acc.shutdown()
    assert not acc.isValid() and not acc.isDefault()
    assert acc.getId() == account_id
    assert pj.Account.lookup(account_id) is None
    assert poll(ep, lambda: kamailio.contacts("alice") == [])
    for call in (
        acc.getInfo,
        lambda: acc.setRegistration(True),
        acc.setDefault,
        lambda: acc.modify(account_config(pj, kamailio, "alice")),
    ):
        with pytest.raises(pj.Error) as raised:
            call()
        assert raised.value.status == PJ_EGONE
        assert raised.value.title.startswith("Account::")
    acc.shutdown()  # again: nothing happens
    # The object may create a new account.
    acc.create(account_config(pj, kamailio, "bob"))
    assert poll(ep, lambda: len(kamailio.contacts("bob")) == 1)
    ep.libDestroy()


def test_account_not_created_raises_pj_error():
    acc = pj.Account()
    with pytest.raises(pj.Error) as raised:
        acc.getInfo()
    assert raised.value.status == PJ_EINVALIDOP
    acc.shutdown()  # harmless, as in PJSUA2
    # Without a created endpoint, create() raises.
    with pytest.raises(pj.Error):
        acc.create(pj.AccountConfig())


def test_create_twice_raises(kamailio):
    ep = start_endpoint(pj)
    acc = pj.Account()
    acc.create(account_config(pj, kamailio, "alice"))
    with pytest.raises(pj.Error) as raised:
        acc.create(account_config(pj, kamailio, "bob"))
    assert raised.value.status == 70015  # PJ_EEXISTS
    ep.libDestroy()


def test_stale_after_lib_destroy_never_touches_a_new_account(kamailio):
    ep = start_endpoint(pj)
    old = Acc()
    old.create(account_config(pj, kamailio, "alice"))
    assert old.wait_code(ep, 200)
    ep.libDestroy()
    assert not old.isValid()
    with pytest.raises(pj.Error) as raised:
        old.getInfo()
    assert raised.value.status == PJ_EGONE
    # A new life of the library: the new account gets the old one's id.
    ep = start_endpoint(pj)
    new = Acc()
    new.create(account_config(pj, kamailio, "bob"))
    assert new.getId() == old.getId()
    assert new.wait_code(ep, 200)
    with pytest.raises(pj.Error):
        old.setRegistration(False)
    old.shutdown()
    del old
    assert new.isValid() and new.getInfo().regIsActive
    assert pj.Account.lookup(new.getId()) is new
    assert len(kamailio.contacts("bob")) == 1
    ep.libDestroy()


def test_lib_destroy_unregisters_quickly(kamailio):
    ep = start_endpoint(pj)
    accounts = [Acc() for _ in range(3)]
    for acc, user in zip(accounts, ["alice", "bob", "carol"]):
        acc.create(account_config(pj, kamailio, user))
    assert all(acc.wait_code(ep, 200) for acc in accounts)
    assert all(len(kamailio.contacts(u)) == 1 for u in ["alice", "bob", "carol"])
    started = time.monotonic()
    ep.libDestroy()
    took = time.monotonic() - started
    assert all(kamailio.contacts(u) == [] for u in ["alice", "bob", "carol"])
    # The un-REGISTERs were answered: their onRegState came, inside libDestroy.
    assert all(acc.events[-1][0] == "state" and acc.events[-1][1] == 200 for acc in accounts)
    assert all(acc.events[-1][4] == 0 for acc in accounts)
    # PJSUA2 waits about a second whatever happens; ferrosip only as long
    # as the registrar takes.
    assert took < 0.5, took


def test_base_callbacks_exist_and_do_nothing():
    acc = pj.Account()
    for name in (
        "onIncomingCall",
        "onRegStarted",
        "onRegState",
        "onIncomingSubscribe",
        "onInstantMessage",
        "onInstantMessageStatus",
        "onTypingIndication",
        "onSendRequest",
        "onMwiInfo",
    ):
        assert getattr(acc, name)(None) is None

    class Sub(pj.Account):
        def onRegState(self, prm):
            return super().onRegState(prm)

    assert Sub().onRegState(pj.OnRegStateParam()) is None
    prm = pj.OnRegStateParam()
    assert (prm.code, prm.reason, prm.status, prm.expiration) == (0, "", 0, 0)
    assert prm.rdata.wholeMsg == ""
    assert pj.OnRegStartedParam().renew is False
    assert pj.AccountInfo().uri == ""


def test_contact_rewrite_leaves_no_binding_behind(kamailio):
    ep = start_endpoint(pj, transport=False)
    tc = pj.TransportConfig()
    tc.port = 0
    tc.boundAddress = "127.0.0.1"
    tc.publicAddress = "192.0.2.99"  # kamailio sees us at 127.0.0.1: rewrite
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    acc = Acc()
    acc.create(account_config(pj, kamailio, "alice"))
    assert poll(ep, lambda: any("127.0.0.1" in c for c in kamailio.contacts("alice")))
    poll(ep, lambda: False, timeout=0.3)
    contacts = kamailio.contacts("alice")
    codes = acc.codes()
    ep.libDestroy()
    left = kamailio.contacts("alice")
    assert codes == [200], codes
    assert len(contacts) == 1, contacts
    assert left == [], left


def test_get_info_works_in_the_on_reg_state_of_lib_destroy(kamailio):
    class Informed(pj.Account):
        def __init__(self):
            super().__init__()
            self.seen = []

        def onRegState(self, prm):
            try:
                self.seen.append((prm.code, self.getInfo().regIsActive))
            except pj.Error as e:
                self.seen.append((prm.code, e.status))

    ep = start_endpoint(pj)
    acc = Informed()
    acc.create(account_config(pj, kamailio, "alice"))
    assert poll(ep, lambda: acc.seen)
    ep.libDestroy()
    assert acc.seen == [(200, True), (200, False)]
