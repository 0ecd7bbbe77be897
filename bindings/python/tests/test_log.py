"""pj.LogWriter installed through ep_cfg.logConfig.writer."""

import gc
import sys
import threading

import ferrosip as pj
from peers import (  # noqa: F401  (fixtures)
    account_config,
    kamailio,
    no_endpoint_left,
    start_endpoint,
    wait_for,
)


class Collect(pj.LogWriter):
    def __init__(self, sink):
        super().__init__()
        self.sink = sink

    def write(self, entry):
        self.sink.append(entry)


def test_writer_gets_entries_with_pjsua2_fields():
    entries = []
    ep = start_endpoint(pj, writer=Collect(entries))
    ep.utilLogWrite(2, "mytest", "a warning from Python")
    t = threading.Thread(target=ep.utilLogWrite, args=(3, "mytest", "from a thread"), name="t1")
    t.start()
    t.join()
    ep.libDestroy()
    mine = [e for e in entries if "a warning from Python" in e.msg]
    assert len(mine) == 1
    e = mine[0]
    assert e.level == 2
    assert "mytest" in e.msg  # decor has the sender by default
    assert e.msg.endswith("\n")  # and a newline
    assert e.threadName == threading.current_thread().name
    other = [e for e in entries if "from a thread" in e.msg]
    assert [e.threadName for e in other] == ["t1"]
    assert isinstance(e.threadId, int) and other[0].threadId != e.threadId


def test_lines_from_worker_threads_carry_their_names(kamailio):
    entries = []
    ep = start_endpoint(pj, thread_cnt=1, writer=Collect(entries))
    acc = pj.Account()
    acc.create(account_config(pj, kamailio, "alice"))
    assert wait_for(lambda: any("SIP/2.0 200" in e.msg for e in entries))
    ep.libDestroy()
    names = {e.threadName for e in entries if "SIP/2.0 200" in e.msg}
    assert any(n.startswith("ferrosip-worker") for n in names), names


def test_writer_without_a_kept_reference_keeps_working():
    entries = []
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.logConfig.consoleLevel = 6  # the writer takes the console's place
    cfg.logConfig.writer = Collect(entries)  # the only reference
    ep.libInit(cfg)
    del cfg
    gc.collect()
    ep.utilLogWrite(3, "test", "still here")
    ep.libDestroy()
    assert any("still here" in e.msg for e in entries)


def test_writer_level_and_a_new_lib_init_replaces_the_writer():
    first, second = [], []
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.logConfig.consoleLevel = 6  # the writer takes the console's place
    cfg.logConfig.level = 2
    cfg.logConfig.writer = Collect(first)
    ep.libInit(cfg)
    ep.utilLogWrite(3, "test", "too verbose")
    ep.utilLogWrite(1, "test", "an error")
    ep.libDestroy()
    assert [e.level for e in first if "test" in e.msg] == [1]
    ep.libCreate()
    cfg.logConfig.level = 5
    cfg.logConfig.writer = Collect(second)
    ep.libInit(cfg)
    ep.utilLogWrite(3, "test", "to the second")
    ep.libDestroy()
    assert not any("to the second" in e.msg for e in first)
    assert any("to the second" in e.msg for e in second)


def test_exception_in_write_is_printed_not_fatal(monkeypatch):
    hooked = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: hooked.append(exc))

    class Broken(pj.LogWriter):
        def write(self, entry):
            raise RuntimeError("writer is broken")

    ep = start_endpoint(pj, writer=Broken())
    ep.utilLogWrite(3, "test", "one")
    ep.utilLogWrite(3, "test", "two")
    ep.libDestroy()
    assert len(hooked) >= 2
    kind, value, tb = hooked[0]
    assert kind is RuntimeError and str(value) == "writer is broken"
    assert tb is not None


def test_base_writer_and_entry():
    pj.LogWriter().write(pj.LogEntry())  # the base class ignores it
    e = pj.LogEntry()
    assert (e.level, e.msg, e.threadId, e.threadName) == (0, "", 0, "")
