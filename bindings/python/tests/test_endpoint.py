"""pj.Endpoint: life cycle, transports, utilities and timers, as PJSUA2's."""

import threading
import time

import pytest

import ferrosip as pj
from peers import no_endpoint_left, start_endpoint  # noqa: F401  (fixture)

PJSUA_STATE_NULL, PJSUA_STATE_CREATED, PJSUA_STATE_INIT, PJSUA_STATE_RUNNING = 0, 1, 2, 4


def test_life_cycle_states_and_instance():
    class MyEndpoint(pj.Endpoint):
        def __init__(self, name):
            super().__init__()
            self.name = name

    ep = MyEndpoint("mine")
    assert ep.libGetState() == PJSUA_STATE_NULL
    with pytest.raises(pj.Error):
        pj.Endpoint.instance()
    ep.libCreate()
    assert ep.libGetState() == PJSUA_STATE_CREATED
    # instance() is the very object, subclass and attributes included.
    assert pj.Endpoint.instance() is ep
    assert pj.Endpoint.instance().name == "mine"
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.logConfig.consoleLevel = 0
    ep.libInit(cfg)
    assert ep.libGetState() == PJSUA_STATE_INIT
    ep.libStart()
    assert ep.libGetState() == PJSUA_STATE_RUNNING
    assert isinstance(ep.libHandleEvents(10), int)
    ep.libDestroy()
    assert ep.libGetState() == PJSUA_STATE_NULL
    with pytest.raises(pj.Error):
        pj.Endpoint.instance()
    ep.libDestroy()  # a second time does nothing
    # The same object can create the library again.
    ep.libCreate()
    assert pj.Endpoint.instance() is ep
    ep.libDestroy()


def test_second_endpoint_is_refused_with_pj_error():
    ep = pj.Endpoint()
    ep.libCreate()
    other = pj.Endpoint()  # constructing is harmless (PJSUA2 aborts here)
    with pytest.raises(pj.Error) as raised:
        other.libCreate()
    assert raised.value.status == 70015  # PJ_EEXISTS
    assert "libCreate" in raised.value.title
    ep.libDestroy()
    other.libCreate()
    other.libDestroy()


def test_calls_out_of_order_raise_pj_error():
    ep = pj.Endpoint()
    with pytest.raises(pj.Error):
        ep.libHandleEvents(0)
    with pytest.raises(pj.Error):
        ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, pj.TransportConfig())
    ep.libCreate()
    with pytest.raises(pj.Error):
        ep.libStart()  # before libInit
    ep.libDestroy()
    with pytest.raises(pj.Error):
        ep.utilTimerSchedule(10, None)


def test_version():
    v = pj.Endpoint().libVersion()
    assert v.full == pj.__version__
    assert (v.major, v.minor, v.rev) == tuple(int(x) for x in v.full.split("-")[0].split("."))
    assert v.numeric == (v.major << 24) | (v.minor << 16) | (v.rev << 8)
    assert isinstance(v.suffix, str)


def test_threads_need_no_registering():
    ep = pj.Endpoint()
    ep.libRegisterThread("anything")
    assert ep.libIsThreadRegistered() is True
    seen = []
    t = threading.Thread(target=lambda: seen.append(ep.libIsThreadRegistered()))
    t.start()
    t.join()
    assert seen == [True]


def test_transports_create_enum_info_enable_close():
    ep = start_endpoint(pj, transport=False)
    tc = pj.TransportConfig()
    tc.port = 0
    tc.boundAddress = "127.0.0.1"
    udp = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    tcp = ep.transportCreate(pj.PJSIP_TRANSPORT_TCP, tc)
    assert list(ep.transportEnum()) == sorted([udp, tcp])
    info = ep.transportGetInfo(udp)
    assert info.id == udp
    assert info.type == pj.PJSIP_TRANSPORT_UDP
    assert info.typeName == "UDP"
    assert info.localAddress.startswith("127.0.0.1:")
    assert info.localName == info.localAddress
    assert info.info.startswith("udp 127.0.0.1:")
    assert info.flags == 4  # datagram
    assert info.usageCount == 1
    assert ep.transportGetInfo(tcp).typeName == "TCP"
    ep.transportSetEnable(udp, False)
    ep.transportSetEnable(udp, True)
    ep.transportClose(tcp)
    assert list(ep.transportEnum()) == [udp]
    with pytest.raises(pj.Error) as raised:
        ep.transportGetInfo(tcp)
    assert raised.value.status == 70006  # PJ_ENOTFOUND
    with pytest.raises(pj.Error):
        ep.transportCreate(12345, tc)
    ep.libDestroy()


def test_utilities():
    ep = pj.Endpoint()
    assert ep.utilVerifySipUri("sip:alice@example.com") == 0
    assert ep.utilVerifySipUri("not a uri") == 171039  # PJSIP_EINVALIDURI
    assert ep.utilVerifySipUri("tel:+1234") == 171039
    assert ep.utilVerifyUri("tel:+1234") == 0
    assert "PJ_EINVAL" in ep.utilStrError(70004)


def test_util_log_write_reaches_the_writer_in_both_forms():
    lines = []

    class Writer(pj.LogWriter):
        def write(self, entry):
            lines.append((entry.level, entry.msg))

    ep = start_endpoint(pj, writer=Writer())
    ep.utilLogWrite(3, "sender", "three arguments")
    entry = pj.LogEntry()
    entry.level = 2
    entry.msg = "an entry"
    ep.utilLogWrite(entry)
    ep.libDestroy()
    assert any(level == 3 and "three arguments" in msg for level, msg in lines)
    assert any(level == 2 and "an entry" in msg for level, msg in lines)


class TimerEndpoint(pj.Endpoint):
    def __init__(self):
        super().__init__()
        self.fired = []

    def onTimer(self, prm):
        self.fired.append((prm.userData, prm.msecDelay, threading.get_ident()))


def test_timer_hands_back_the_same_python_object():
    ep = start_endpoint(pj, endpoint_class=TimerEndpoint)
    token_object = {"any": ["python", "object"]}
    token = ep.utilTimerSchedule(20, token_object)
    assert isinstance(token, int)
    ep.utilTimerSchedule(30, None)
    deadline = time.monotonic() + 3
    while len(ep.fired) < 2 and time.monotonic() < deadline:
        ep.libHandleEvents(10)
    assert [f[0] for f in ep.fired] == [token_object, None]
    assert ep.fired[0][0] is token_object
    assert ep.fired[0][1] == 20
    assert ep.fired[0][2] == threading.get_ident()  # threadCnt=0: this thread
    ep.libDestroy()


def test_cancelled_timer_does_not_fire():
    ep = start_endpoint(pj, endpoint_class=TimerEndpoint)
    token = ep.utilTimerSchedule(30, "cancelled")
    ep.utilTimerSchedule(60, "kept")
    ep.utilTimerCancel(token)
    ep.utilTimerCancel(token)  # twice is harmless
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        ep.libHandleEvents(10)
    assert [f[0] for f in ep.fired] == ["kept"]
    ep.libDestroy()


def test_timer_on_worker_thread_and_pending_timers_dropped_at_destroy():
    ep = start_endpoint(pj, thread_cnt=1, endpoint_class=TimerEndpoint)
    ep.utilTimerSchedule(10, "worker")
    ep.utilTimerSchedule(60_000, "never")
    deadline = time.monotonic() + 3
    while not ep.fired and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [f[0] for f in ep.fired] == ["worker"]
    assert ep.fired[0][2] != threading.get_ident()
    ep.libDestroy()
    assert [f[0] for f in ep.fired] == ["worker"]


def test_base_callbacks_exist_and_do_nothing():
    ep = pj.Endpoint()
    ep.onTimer(pj.OnTimerParam())
    ep.onTransportState(pj.OnTransportStateParam())
    prm = pj.OnTimerParam()
    assert prm.userData is None and prm.msecDelay == 0
    prm.userData = object
    assert prm.userData is object


def test_stubs_cover_endpoint_account_and_log_classes():
    import ast
    from pathlib import Path

    stubs = Path(pj.__file__).with_name("__init__.pyi").read_text()
    tree = ast.parse(stubs)
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    for name in (
        "Endpoint", "Version", "TransportInfo", "OnTimerParam", "OnTransportStateParam",
        "Account", "AccountInfo", "SipRxData", "OnRegStartedParam", "OnRegStateParam",
        "LogWriter", "LogEntry",
    ):  # fmt: skip
        assert name in classes, name
        declared = set()
        for node in classes[name].body:
            if isinstance(node, ast.FunctionDef):
                declared.add(node.name)
            elif isinstance(node, ast.AnnAssign):
                declared.add(node.target.id)
        public = {a for a in dir(getattr(pj, name)) if not a.startswith("_")}
        assert public <= declared, (name, public - declared)
        assert getattr(pj, name).__doc__, name
