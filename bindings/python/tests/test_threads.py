"""Threads: where callbacks run (threadCnt 0 and 1), the GIL released while
ferrosip waits, any Python thread calling the API, and exceptions raised by
callbacks."""

import sys
import threading
import time

import pytest

import ferrosip as pj
from peers import (  # noqa: F401  (fixtures)
    account_config,
    kamailio,
    no_endpoint_left,
    pjsua2,
    poll,
    run_program,
    start_endpoint,
    wait_for,
)


class Acc(pj.Account):
    def __init__(self):
        super().__init__()
        self.calls = []  # (callback, code, thread ident, inside libHandleEvents)
        self.polling = False

    def onRegStarted(self, prm):
        self.calls.append(("started", None, threading.get_ident(), self.polling))

    def onRegState(self, prm):
        self.calls.append(("state", prm.code, threading.get_ident(), self.polling))


def test_thread_cnt_0_runs_callbacks_on_the_calling_thread_inside_lib_handle_events(kamailio):
    ep = start_endpoint(pj, thread_cnt=0)
    acc = Acc()
    acc.create(account_config(pj, kamailio, "alice"))
    time.sleep(0.3)  # the 200 is back by now, but nothing is delivered
    assert not any(c[0] == "state" for c in acc.calls)
    deadline = time.monotonic() + 5
    while not any(c[1] == 200 for c in acc.calls) and time.monotonic() < deadline:
        acc.polling = True
        ep.libHandleEvents(20)
        acc.polling = False
    assert any(c[1] == 200 for c in acc.calls)
    main = threading.get_ident()
    assert [c[0] for c in acc.calls][:1] == ["started"]
    assert all(c[2] == main for c in acc.calls)
    assert all(c[3] for c in acc.calls)  # all inside libHandleEvents
    ep.libDestroy()


def test_thread_cnt_1_runs_callbacks_on_a_worker_without_polling(kamailio):
    ep = start_endpoint(pj, thread_cnt=1)
    acc = Acc()
    acc.create(account_config(pj, kamailio, "alice"))
    # The main thread only sleeps: the worker takes the GIL for the callback.
    assert wait_for(lambda: any(c[1] == 200 for c in acc.calls))
    state = [c for c in acc.calls if c[0] == "state"]
    assert state and all(c[2] != threading.get_ident() for c in state)
    ep.libDestroy()


def test_lib_handle_events_releases_the_gil():
    ep = start_endpoint(pj)
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    time.sleep(0.05)
    before = len(ticks)
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        ep.libHandleEvents(100)  # nothing happens: it waits the whole 100 ms
    during = len(ticks) - before
    stop.set()
    t.join()
    ep.libDestroy()
    # Held for 100 ms at a time, the GIL would allow a handful of ticks.
    assert during > 50, during


def test_callbacks_and_api_calls_from_many_threads_do_not_deadlock(kamailio):
    """PJSUA2 #3125: libHandleEvents and Call.getInfo on two threads
    deadlock on the GIL against pjsua's lock. Here a worker delivers
    callbacks that call the API while Python threads call it too, and
    every log line, whichever thread writes it, goes to a Python writer."""
    lines = []

    class Writer(pj.LogWriter):
        def write(self, entry):
            lines.append(entry.msg)

    ep = start_endpoint(pj, thread_cnt=2, writer=Writer(), log_level=6)

    class Busy(pj.Account):
        def __init__(self):
            super().__init__()
            self.codes = []

        def onRegState(self, prm):
            self.getInfo()
            self.codes.append(prm.code)

    acc = Busy()
    acc.create(account_config(pj, kamailio, "alice"))
    assert wait_for(lambda: 200 in acc.codes)
    errors = []

    def hammer():
        try:
            for _ in range(50):
                acc.getInfo()
                ep.transportEnum()
                ep.libHandleEvents(1)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(5):
        acc.setRegistration(True)
        time.sleep(0.02)
    for t in threads:
        t.join(timeout=20)
    assert not any(t.is_alive() for t in threads), "deadlock"
    assert not errors
    assert wait_for(lambda: acc.codes.count(200) >= 2)
    ep.libDestroy()
    assert any("REGISTER" in line for line in lines)


UNREGISTERED_THREAD = """
import threading, time
import {MODULE} as pj

class Acc(pj.Account):
    def onRegState(self, prm):
        print("REGSTATE", prm.code, flush=True)

ep = pj.Endpoint(); ep.libCreate()
cfg = pj.EpConfig(); cfg.uaConfig.threadCnt = 0; cfg.logConfig.consoleLevel = 0
ep.libInit(cfg)
tc = pj.TransportConfig(); tc.port = 0; tc.boundAddress = "127.0.0.1"
ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
ep.libStart()
acfg = pj.AccountConfig(); acfg.idUri = "sip:alice@127.0.0.1"
acfg.regConfig.registrarUri = "sip:127.0.0.1:{PORT}"
acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", "alice", 0, "alicepw"))
acc = Acc(); acc.create(acfg)
end = time.time() + 1
while time.time() < end:
    ep.libHandleEvents(20)

def from_a_python_thread():   # never calls libRegisterThread
    print("THREAD", acc.getInfo().regStatus, flush=True)
    acc.setRegistration(False)

t = threading.Thread(target=from_a_python_thread); t.start(); t.join()
end = time.time() + 1
while time.time() < end:
    ep.libHandleEvents(20)
ep.libDestroy()
print("DONE", flush=True)
"""


def test_any_python_thread_may_call_without_registering(kamailio, pjsua2):
    real = run_program(UNREGISTERED_THREAD, "pjsua2", PORT=kamailio.port)
    assert real.crashed, real  # pjlib: "Calling pjlib from unknown/external thread"
    assert "THREAD" not in real.stdout
    assert "unknown/external thread" in real.stderr

    ours = run_program(UNREGISTERED_THREAD, "ferrosip", PORT=kamailio.port)
    assert ours.returncode == 0, ours
    assert ours.lines("THREAD") == ["THREAD 200"]
    assert ours.lines("REGSTATE") == ["REGSTATE 200", "REGSTATE 200"]  # register, unregister
    assert ours.lines("DONE") == ["DONE"]


class Raising(pj.Account):
    def __init__(self):
        super().__init__()
        self.codes = []

    def onRegState(self, prm):
        self.codes.append(prm.code)
        raise ValueError(f"callback failed on {prm.code}")


@pytest.mark.parametrize("thread_cnt", [0, 1])
def test_exception_in_callback_is_reported_with_traceback_and_logged(
    kamailio, monkeypatch, thread_cnt
):
    hooked = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: hooked.append(exc))
    logged = []

    class Writer(pj.LogWriter):
        def write(self, entry):
            logged.append(entry.msg)

    ep = start_endpoint(pj, thread_cnt=thread_cnt, writer=Writer())
    acc = Raising()
    acc.create(account_config(pj, kamailio, "alice"))
    assert poll(ep, lambda: 200 in acc.codes)
    assert wait_for(lambda: len(hooked) >= 1)
    kind, value, tb = hooked[0]
    assert kind is ValueError and str(value) == "callback failed on 200"
    assert tb.tb_frame.f_code.co_name == "onRegState"
    assert any("Python exception in onRegState" in m and "callback failed" in m for m in logged)
    # Not fatal: the account goes on and its next callback comes too.
    acc.setRegistration(False)
    assert poll(ep, lambda: len(acc.codes) >= 2)
    assert wait_for(lambda: len(hooked) >= 2)
    ep.libDestroy()


def test_exception_is_printed_on_stderr_by_default(kamailio, capfd):
    ep = start_endpoint(pj)
    acc = Raising()
    acc.create(account_config(pj, kamailio, "alice"))
    assert poll(ep, lambda: 200 in acc.codes)
    ep.libDestroy()
    err = capfd.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "ValueError: callback failed on 200" in err


def test_keyboard_interrupt_in_a_callback_stops_the_polling_loop(kamailio):
    class Interrupted(pj.Account):
        def onRegState(self, prm):
            if prm.expiration:  # not for the un-REGISTER in libDestroy
                raise KeyboardInterrupt

    ep = start_endpoint(pj)
    acc = Interrupted()
    acc.create(account_config(pj, kamailio, "alice"))
    with pytest.raises(KeyboardInterrupt):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            ep.libHandleEvents(20)
    assert acc.isValid()
    ep.libDestroy()
