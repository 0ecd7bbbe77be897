"""Real peers for the Python tests: a kamailio registrar (started through the
interop crate's example binary `dev/interop/examples/kamailio.rs`) and the
real PJSUA2 (`pjsua2`) run in a subprocess as the oracle.

A test module uses them as pytest fixtures::

    from peers import kamailio, run_program  # noqa: F401  (fixtures)

    def test_x(kamailio):
        kamailio.addr            # "127.0.0.1:40123"
        kamailio.contacts("alice")

Missing peers follow `conftest.require`: the test fails under CI=true and is
skipped otherwise.
"""

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from conftest import require

#: The root of the ferrosip workspace.
WORKSPACE = Path(__file__).resolve().parents[3]

_example_lock = threading.Lock()
_example_path = None


def kamailio_example():
    """The kamailio example binary, built once per test session with cargo
    (quick when it is up to date). None when cargo cannot build it."""
    global _example_path
    with _example_lock:
        if _example_path is None:
            target = Path(os.environ.get("CARGO_TARGET_DIR", WORKSPACE / "target"))
            built = subprocess.run(
                ["cargo", "build", "-q", "-p", "ferrosip-interop", "--example", "kamailio"],
                cwd=WORKSPACE,
                env={**os.environ, "CARGO_TARGET_DIR": str(target)},
                capture_output=True,
                text=True,
            )
            if built.returncode != 0:
                pytest.fail("cannot build the kamailio example:\n" + built.stderr)
            _example_path = target / "debug" / "examples" / "kamailio"
        return _example_path


class Kamailio:
    """A running kamailio: `addr` ("127.0.0.1:port"), `domain`, `contacts(user)`,
    `log()`, `stop()`. Accounts alice/alicepw, bob/bobpw, carol/carolpw,
    dave/davepw, erin/erinpw in domain 127.0.0.1."""

    domain = "127.0.0.1"

    def __init__(self, *args):
        self._proc = subprocess.Popen(
            [str(kamailio_example()), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._lock = threading.Lock()
        first = self._proc.stdout.readline().strip()
        if first.startswith("MISSING"):
            self.stop()
            require("kamailio", False)
        if not first.startswith("READY "):
            self.stop()
            pytest.fail(f"kamailio did not start: {first!r}")
        self.addr = first.split()[1]
        self.port = int(self.addr.rsplit(":", 1)[1])

    def _ask(self, command):
        with self._lock:
            self._proc.stdin.write(command + "\n")
            self._proc.stdin.flush()
            return self._proc.stdout.readline().rstrip("\n")

    def contacts(self, user):
        """The contact URIs registered for `user` (empty list: none)."""
        reply = self._ask(f"contacts {user}")
        if not reply.startswith("CONTACTS"):
            raise RuntimeError(reply)
        return reply.split()[1:]

    def wait_contacts(self, user, count, timeout=5.0):
        """Waits until `user` has `count` contacts; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.contacts(user)
            if len(found) == count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def log(self):
        """kamailio's log so far."""
        with self._lock:
            self._proc.stdin.write("log\n")
            self._proc.stdin.flush()
            lines = []
            for line in self._proc.stdout:
                if line.rstrip("\n") == "END":
                    break
                lines.append(line)
            return "".join(lines)

    def stop(self):
        """Stops kamailio (closing the example's stdin)."""
        if self._proc.poll() is None:
            try:
                self._proc.stdin.close()
            except OSError:
                pass
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


@pytest.fixture
def kamailio():
    """A fresh kamailio for the test, stopped after it (and after any
    endpoint the test left created, so that its un-REGISTERs are answered)."""
    k = Kamailio()
    yield k
    destroy_live_endpoint()
    k.stop()


def pjsua2_available():
    """Whether this interpreter imports the real PJSUA2 (`pjsua2`)."""
    probe = subprocess.run(
        [sys.executable, "-c", "import pjsua2"], capture_output=True, text=True
    )
    return probe.returncode == 0


@pytest.fixture(scope="session")
def pjsua2():
    """Requires the real PJSUA2 (fails under CI=true, else skips)."""
    require("pjsua2", pjsua2_available())
    return "pjsua2"


class Outcome:
    """What a program run in a subprocess did."""

    def __init__(self, module, returncode, stdout, stderr, timed_out):
        self.module = module
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out

    @property
    def crashed(self):
        """Killed by a signal (SIGABRT from an assertion, SIGSEGV, ...)."""
        return self.returncode is not None and self.returncode < 0

    def lines(self, prefix):
        """The stdout lines that start with `prefix`."""
        return [l for l in self.stdout.splitlines() if l.startswith(prefix)]

    def __repr__(self):
        return (
            f"<{self.module}: returncode={self.returncode} timed_out={self.timed_out}\n"
            f"--- stdout\n{self.stdout}\n--- stderr (tail)\n{self.stderr[-3000:]}>"
        )


def run_program(source, module, timeout=30, **substitutions):
    """Runs the Python program `source` in a fresh interpreter with `{MODULE}`
    replaced by `module` ("pjsua2" or "ferrosip") and every `{NAME}` by the
    keyword argument NAME. Returns an `Outcome`."""
    text = textwrap.dedent(source).replace("{MODULE}", module)
    for name, value in substitutions.items():
        text = text.replace("{" + name + "}", str(value))
    try:
        done = subprocess.run(
            [sys.executable, "-c", text],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=WORKSPACE,
        )
        return Outcome(module, done.returncode, done.stdout, done.stderr, False)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        return Outcome(module, None, out, err, True)


# ---------------------------------------------------------------------------
# Helpers for tests that drive ferrosip in the test process.


@pytest.fixture(autouse=True)
def no_endpoint_left():
    """After each test, destroys an endpoint the test left created (a failed
    assertion skips the test's own libDestroy), so the next test can create
    its own."""
    yield
    destroy_live_endpoint()


def destroy_live_endpoint():
    """Destroys the created endpoint of this process, if any."""
    import ferrosip as pj

    try:
        ep = pj.Endpoint.instance()
    except pj.Error:
        return
    ep.libDestroy()


def start_endpoint(
    pj, thread_cnt=0, endpoint_class=None, writer=None, transport=True, log_level=None
):
    """A created, initialised and started endpoint with a UDP transport on a
    free port of 127.0.0.1 (no console logging)."""
    ep = (endpoint_class or pj.Endpoint)()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = thread_cnt
    cfg.uaConfig.mainThreadOnly = thread_cnt == 0
    # As in PJSUA2, a writer takes the console's place: it gets the lines up
    # to consoleLevel. Without one, keep the console quiet.
    cfg.logConfig.consoleLevel = 0 if writer is None else 6
    if writer is not None:
        cfg.logConfig.writer = writer
    if log_level is not None:
        cfg.logConfig.level = log_level
    ep.libInit(cfg)
    if transport:
        tc = pj.TransportConfig()
        tc.port = 0
        tc.boundAddress = "127.0.0.1"
        ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    ep.libStart()
    return ep


def account_config(pj, kamailio, user, password=None):
    """An AccountConfig for `user` registering at `kamailio`."""
    acfg = pj.AccountConfig()
    acfg.idUri = f"sip:{user}@{kamailio.domain}"
    acfg.regConfig.registrarUri = f"sip:{kamailio.addr}"
    password = user + "pw" if password is None else password
    acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, password))
    return acfg


def poll(ep, done, timeout=5.0, step=20):
    """Calls ep.libHandleEvents(step) until done() or timeout; returns done()."""
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        ep.libHandleEvents(step)
    return done()


def wait_for(done, timeout=5.0):
    """Sleeps until done() or timeout (callbacks on worker threads); returns
    done()."""
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.01)
    return done()


def run_interactive(source, module, marker, check, timeout=30, **substitutions):
    """Like `run_program`, but when the program prints a line starting with
    `marker` (and waits on `input()`), calls `check()`, then sends it a
    newline to go on. Returns (Outcome, what check() returned, or None if the
    marker never came)."""
    text = textwrap.dedent(source).replace("{MODULE}", module)
    for name, value in substitutions.items():
        text = text.replace("{" + name + "}", str(value))
    proc = subprocess.Popen(
        [sys.executable, "-c", text],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=WORKSPACE,
    )
    seen = []
    checked = None
    for line in proc.stdout:
        seen.append(line)
        if line.startswith(marker):
            checked = check()
            break
    try:
        out, err = proc.communicate("\n", timeout=timeout)
        return Outcome(module, proc.returncode, "".join(seen) + out, err, False), checked
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return Outcome(module, None, "".join(seen) + out, err, True), checked
