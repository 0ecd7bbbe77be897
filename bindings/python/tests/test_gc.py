"""The garbage-collection problems of PJSUA2's documentation ("Problems with
Garbage Collection"), one test each: the same program runs in a subprocess
with the real `pjsua2`, where it crashes or misbehaves, and with ferrosip,
where it works.

1. premature destruction of objects handed to the library without a kept
   reference (an Account, a LogWriter);
2. delayed destruction, so that destructors run out of order: objects used
   or deleted after libDestroy, and a collected proxy acting on whichever
   account reused its id (PJSUA2 issue #3856);
3. destruction on a thread the library does not know (pjlib asserts).
"""

import gc
import itertools
import threading

import ferrosip as pj
from peers import (  # noqa: F401  (fixtures)
    account_config,
    kamailio,
    no_endpoint_left,
    pjsua2,
    poll,
    run_interactive,
    run_program,
    start_endpoint,
)

PRELUDE = """
import gc, threading, time
import {MODULE} as pj

class Acc(pj.Account):
    def __init__(self, name="alice"):
        super().__init__()
        self.name = name
    def onRegState(self, prm):
        print("REGSTATE", self.name, prm.code, flush=True)

def start(writer=None):
    ep = pj.Endpoint(); ep.libCreate()
    cfg = pj.EpConfig(); cfg.uaConfig.threadCnt = 0
    cfg.logConfig.consoleLevel = 0
    if writer is not None:
        cfg.logConfig.consoleLevel = 4; cfg.logConfig.level = 4
        cfg.logConfig.writer = writer
    ep.libInit(cfg)
    tc = pj.TransportConfig(); tc.port = 0; tc.boundAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    ep.libStart()
    return ep

def config(user):
    acfg = pj.AccountConfig(); acfg.idUri = "sip:%s@127.0.0.1" % user
    acfg.regConfig.registrarUri = "sip:127.0.0.1:{PORT}"
    acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, user + "pw"))
    return acfg

def poll(ep, seconds):
    end = time.time() + seconds
    while time.time() < end:
        ep.libHandleEvents(20)
"""


def run_both(program, kamailio):
    """(pjsua2's outcome, ferrosip's outcome) of `program`."""
    source = PRELUDE + program
    return (
        run_program(source, "pjsua2", PORT=kamailio.port),
        run_program(source, "ferrosip", PORT=kamailio.port),
    )


ACCOUNT_WITHOUT_REFERENCE = """
ep = start()
Acc("{USER}").create(config("{USER}"))   # no reference kept
gc.collect()
poll(ep, 1.5)
print("CHECK", flush=True)
input()                                  # the test looks at the registrar
ep.libDestroy()
print("DONE", flush=True)
"""


def test_1_account_without_a_kept_reference(kamailio, pjsua2):
    """PJSUA2 deletes the account as soon as its proxy is collected, while
    its REGISTER is under way: no onRegState ever comes, and the binding
    stays on the registrar for good. ferrosip keeps the account and its
    object alive: the callback comes, and libDestroy unregisters."""
    source = PRELUDE + ACCOUNT_WITHOUT_REFERENCE
    # A user each: PJSUA2 leaves its binding behind.
    real, during = run_interactive(
        source, "pjsua2", "CHECK", lambda: kamailio.contacts("alice"),
        PORT=kamailio.port, USER="alice",
    )
    assert real.returncode == 0, real
    assert real.lines("REGSTATE") == [], real  # the callback never came
    assert len(during) == 1
    assert kamailio.contacts("alice") == during  # still there after exit

    ours, during = run_interactive(
        source, "ferrosip", "CHECK", lambda: kamailio.contacts("bob"),
        PORT=kamailio.port, USER="bob",
    )
    assert ours.returncode == 0, ours
    assert ours.lines("REGSTATE") == ["REGSTATE bob 200", "REGSTATE bob 200"], ours
    assert len(during) == 1
    assert kamailio.contacts("bob") == []  # unregistered by libDestroy
    assert ours.lines("DONE") == ["DONE"]


LOG_WRITER_WITHOUT_REFERENCE = """
class Writer(pj.LogWriter):
    def write(self, entry):
        if "from the application" in entry.msg:
            print("LOGGED", entry.level, flush=True)

ep = start(writer=Writer())   # the config holds the only reference, briefly
gc.collect()
ep.utilLogWrite(3, "app", "a line from the application")
poll(ep, 0.2)
ep.libDestroy()
print("DONE", flush=True)
"""


def test_1_log_writer_without_a_kept_reference(kamailio, pjsua2):
    """PJSUA2 keeps a bare pointer to the writer: once the config and the
    writer are collected, the next log line calls freed memory."""
    real, ours = run_both(LOG_WRITER_WITHOUT_REFERENCE, kamailio)
    assert real.crashed, real  # SIGSEGV
    assert "DONE" not in real.stdout
    assert ours.returncode == 0, ours
    assert ours.lines("LOGGED") == ["LOGGED 3"]
    assert ours.lines("DONE") == ["DONE"]


USED_AFTER_LIB_DESTROY = """
ep = start()
acc = Acc()
acc.create(config("alice"))
poll(ep, 1)
ep.libDestroy()
print("DESTROYED", flush=True)
try:
    acc.getInfo()
    print("NO-ERROR", flush=True)
except pj.Error as e:
    print("ERROR", e.status, flush=True)
# Then everything dies, in the worst order: the endpoint first.
del ep; gc.collect()
del acc; gc.collect()
print("DONE", flush=True)
"""


def test_2_objects_used_and_collected_after_lib_destroy(kamailio, pjsua2):
    """PJSUA2 asserts (SIGABRT) when an account outliving libDestroy is
    used; ferrosip raises pj.Error and lets everything die in any order."""
    real, ours = run_both(USED_AFTER_LIB_DESTROY, kamailio)
    assert real.crashed, real
    assert "pjsua_acc_get_info: Assertion" in real.stderr
    assert ours.returncode == 0, ours
    assert ours.lines("ERROR") == ["ERROR 70023"]  # PJ_EGONE
    assert ours.lines("DONE") == ["DONE"]


COLLECTED_PROXY_AND_REUSED_ID = """
ep = start()
old = Acc("alice"); old.create(config("alice"))
poll(ep, 0.5)
old.shutdown()
poll(ep, 0.5)
new = Acc("bob"); new.create(config("bob"))   # reuses the old account's id
poll(ep, 0.5)
print("SAME-ID", old.getId() == new.getId(), flush=True)
del old; gc.collect()                          # the old proxy is collected late
poll(ep, 0.5)
print("NEW-VALID", new.isValid(), flush=True)
print("CHECK", flush=True)
input()
ep.libDestroy()
"""


def test_2_collected_proxy_never_touches_the_account_that_reused_its_id(kamailio, pjsua2):
    """PJSUA2 #3856: the collected proxy's destructor deletes whichever
    account now has its id — here bob's, unregistering him."""
    source = PRELUDE + COLLECTED_PROXY_AND_REUSED_ID
    real, bob = run_interactive(
        source, "pjsua2", "CHECK", lambda: kamailio.contacts("bob"), PORT=kamailio.port
    )
    assert real.returncode == 0, real
    assert real.lines("SAME-ID") == ["SAME-ID True"]
    assert real.lines("NEW-VALID") == ["NEW-VALID False"], real  # bob's account deleted
    assert bob == []  # and unregistered

    ours, bob = run_interactive(
        source, "ferrosip", "CHECK", lambda: kamailio.contacts("bob"), PORT=kamailio.port
    )
    assert ours.returncode == 0, ours
    assert ours.lines("SAME-ID") == ["SAME-ID True"]
    assert ours.lines("NEW-VALID") == ["NEW-VALID True"], ours
    assert len(bob) == 1


FINALIZER_ON_ANOTHER_THREAD = """
ep = start()
holder = [Acc()]
holder[0].create(config("alice"))
poll(ep, 1)

def finalize():
    holder.clear()     # the last reference dies on this thread
    gc.collect()

t = threading.Thread(target=finalize); t.start(); t.join()
print("FINALIZED", flush=True)
poll(ep, 0.5)
ep.libDestroy()
print("DONE", flush=True)
"""


def test_3_finalizer_on_an_unregistered_thread(kamailio, pjsua2):
    """PJSUA2's ~Account runs on the thread that drops the last reference,
    calls pjlib there, and pjlib aborts the process."""
    real, ours = run_both(FINALIZER_ON_ANOTHER_THREAD, kamailio)
    assert real.crashed, real
    assert "unknown/external thread" in real.stderr
    assert "FINALIZED" not in real.stdout
    assert ours.returncode == 0, ours
    # The account lived on (the library holds it) and was unregistered by
    # libDestroy: its onRegState came for both.
    assert ours.lines("REGSTATE") == ["REGSTATE alice 200", "REGSTATE alice 200"]
    assert ours.lines("DONE") == ["DONE"]


def test_objects_dying_in_any_order_in_process(kamailio):
    """In this process: endpoint, accounts, writer and config released in
    every order, before and after libDestroy, finalizers on other threads;
    nothing crashes and nothing else is touched."""

    class Writer(pj.LogWriter):
        def write(self, entry):
            pass

    names = ["ep", "acc", "writer", "cfg"]
    for order in itertools.permutations(names):
        for destroy_first in (True, False):
            objects = {"writer": Writer()}
            objects["ep"] = start_endpoint(pj, writer=objects["writer"])
            objects["cfg"] = account_config(pj, kamailio, "alice")
            objects["acc"] = pj.Account()
            objects["acc"].create(objects["cfg"])
            poll(objects["ep"], lambda: len(kamailio.contacts("alice")) == 1)
            if destroy_first:
                pj.Endpoint.instance().libDestroy()
            for name in order:
                t = threading.Thread(target=lambda n=name: (objects.pop(n), gc.collect()))
                t.start()
                t.join()
            if not destroy_first:
                pj.Endpoint.instance().libDestroy()
            assert kamailio.contacts("alice") == []


def test_the_library_keeps_a_live_account_and_lets_go_at_shutdown(kamailio):
    import weakref

    class Acc(pj.Account):
        pass

    ep = start_endpoint(pj)
    acc = Acc()
    acc.create(account_config(pj, kamailio, "alice"))
    ref = weakref.ref(acc)
    del acc
    gc.collect()
    assert ref() is not None  # kept while the account lives
    assert pj.Account.lookup(ref().getId()) is ref()
    ref().shutdown()
    gc.collect()
    assert ref() is None  # and no longer: no leak

    other = Acc()
    other.create(account_config(pj, kamailio, "bob"))
    ref = weakref.ref(other)
    del other
    ep.libDestroy()
    gc.collect()
    assert ref() is None  # libDestroy lets go too


EXIT_WITHOUT_LIB_DESTROY = """
class Ep(pj.Endpoint):
    def onTimer(self, prm):
        self.utilTimerSchedule(1, prm.userData)   # keeps the workers busy

ep = Ep(); ep.libCreate()
cfg = pj.EpConfig(); cfg.uaConfig.threadCnt = 2; cfg.logConfig.consoleLevel = 0
ep.libInit(cfg)
tc = pj.TransportConfig(); tc.port = 0; tc.boundAddress = "127.0.0.1"
ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
ep.libStart()
Acc().create(config("alice"))
for i in range(5):
    ep.utilTimerSchedule(1, i)
time.sleep(0.5)
print("EXIT", flush=True)      # no libDestroy, no del: the interpreter exits
"""


def test_exit_with_busy_worker_threads_and_no_lib_destroy(kamailio):
    """At exit the live endpoint is destroyed (as PJSUA2's ~Endpoint does)
    before the interpreter stops: the workers, busy calling Python, stop
    cleanly and the account is unregistered."""
    ours = run_program(PRELUDE + EXIT_WITHOUT_LIB_DESTROY, "ferrosip", PORT=kamailio.port)
    assert ours.returncode == 0, ours
    assert ours.lines("EXIT") == ["EXIT"]
    assert ours.lines("REGSTATE") == ["REGSTATE alice 200", "REGSTATE alice 200"], ours
    assert kamailio.contacts("alice") == []
