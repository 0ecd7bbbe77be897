"""The seed's Python sample ("Using in Python Application" in PJSUA2's
documentation) and the registration part of the reference's "Minimal Python
usage pattern", run with `import ferrosip as pj` instead of
`import pjsua2 as pj` against a local kamailio — and with the real PJSUA2
as the oracle, which must print the same.

Only the lines that point the programs at the local registrar change (each
replacement below must apply exactly once): the account (alice/alicepw at
127.0.0.1 instead of test/pwtest at pjsip.org), the local SIP port (a free
one instead of 5060, which the machine may be using), and the sample's
10-second sleep (shortened to 3: registering on loopback takes
milliseconds). The sample's `print "..."` is Python 2; the documentation's
current version, used here, has `print(...)`.
"""

import socket

from peers import kamailio, pjsua2, run_program  # noqa: F401  (fixtures)

# PJSUA2 documentation, "Using in Python Application" (the seed's text,
# with the lines the seed's excerpt elides restored from the documentation).
SEED_SAMPLE = """\
import pjsua2 as pj
import time

# Subclass to extend the Account and get notifications etc.
class Account(pj.Account):
  def onRegState(self, prm):
      print("***OnRegState: " + prm.reason)

# pjsua2 test function
def pjsua2_test():
  # Create and initialize the library
  ep_cfg = pj.EpConfig()
  ep = pj.Endpoint()
  ep.libCreate()
  ep.libInit(ep_cfg)

  # Create SIP transport. Error handling sample is shown
  sipTpConfig = pj.TransportConfig();
  sipTpConfig.port = 5060;
  ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, sipTpConfig);
  # Start the library
  ep.libStart();

  acfg = pj.AccountConfig();
  acfg.idUri = "sip:test@pjsip.org";
  acfg.regConfig.registrarUri = "sip:pjsip.org";
  cred = pj.AuthCredInfo("digest", "*", "test", 0, "pwtest");
  acfg.sipConfig.authCreds.append( cred );
  # Create the account
  acc = Account();
  acc.create(acfg);
  # Here we don't have anything else to do..
  time.sleep(10);

  # Destroy the library
  ep.libDestroy()

#
# main()
#
if __name__ == "__main__":
  pjsua2_test()
"""

# The reference's "Minimal Python usage pattern" (§8), its registration
# part: the Call class and the call are left out, `running` is defined.
MINIMAL_PATTERN = """\
import pjsua2 as pj
import time
class Acc(pj.Account):
    def onRegState(self, prm): print(prm.code, prm.reason)
ep = pj.Endpoint(); ep.libCreate()
cfg = pj.EpConfig(); cfg.uaConfig.threadCnt = 0; cfg.uaConfig.mainThreadOnly = True
ep.libInit(cfg)
tc = pj.TransportConfig(); tc.port = 5060; ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
ep.libStart()
acfg = pj.AccountConfig(); acfg.idUri = "sip:alice@example.com"
acfg.regConfig.registrarUri = "sip:example.com"
acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", "alice", 0, "secret"))
acc = Acc(); acc.create(acfg)
deadline = time.time() + 3
running = lambda: not acc.getInfo().regIsActive and time.time() < deadline
while running(): ep.libHandleEvents(20)
acc.shutdown(); ep.libDestroy()
"""


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rewrite(text, module, replacements):
    """`text` with the import changed to `module` and each replacement
    applied (each must occur exactly once)."""
    out = text.replace("import pjsua2 as pj", "import {MODULE} as pj")
    for old, new in replacements:
        assert out.count(old) == 1, old
        out = out.replace(old, new)
    assert out.count("import {MODULE} as pj") == 1
    return out


def seed_replacements(kamailio):
    return [
        ('"sip:test@pjsip.org"', '"sip:alice@127.0.0.1"'),
        ('"sip:pjsip.org"', f'"sip:{kamailio.addr}"'),
        ('"test", 0, "pwtest"', '"alice", 0, "alicepw"'),
        ("sipTpConfig.port = 5060", f"sipTpConfig.port = {free_udp_port()}"),
        ("time.sleep(10)", "time.sleep(3)"),
    ]


def test_seed_sample_registers_and_prints_the_callback(kamailio):
    program = rewrite(SEED_SAMPLE, "ferrosip", seed_replacements(kamailio))
    ours = run_program(program, "ferrosip")
    assert ours.returncode == 0, ours
    # Registered (threadCnt is 1 by default: the callback ran on a worker
    # thread, taking the GIL itself), then unregistered by libDestroy. The
    # transport is bound to 0.0.0.0, so the Contact carries the machine's
    # address; where kamailio sees 127.0.0.1 instead, the Contact is
    # rewritten in a REGISTER that also removes the first binding (see
    # test_account.py's test_contact_rewrite_leaves_no_binding_behind).
    lines = ours.lines("***")
    assert len(lines) >= 2 and set(lines) == {"***OnRegState: OK"}, ours


def test_seed_sample_prints_the_same_as_pjsua2(kamailio, pjsua2):
    program = rewrite(SEED_SAMPLE, "pjsua2", seed_replacements(kamailio))
    real = run_program(program, "pjsua2")
    ours = run_program(program, "ferrosip")
    assert real.returncode == 0, real
    assert ours.returncode == 0, ours
    assert real.lines("***") == ["***OnRegState: OK"] * 2  # registered, unregistered
    assert set(ours.lines("***")) == set(real.lines("***"))


def minimal_replacements(kamailio):
    return [
        ('"sip:alice@example.com"', '"sip:alice@127.0.0.1"'),
        ('"sip:example.com"', f'"sip:{kamailio.addr}"'),
        ('"alice", 0, "secret"', '"alice", 0, "alicepw"'),
        ("tc.port = 5060", f"tc.port = {free_udp_port()}"),
    ]


def test_minimal_pattern_registers_with_200(kamailio):
    program = rewrite(MINIMAL_PATTERN, "ferrosip", minimal_replacements(kamailio))
    ours = run_program(program, "ferrosip")
    assert ours.returncode == 0, ours
    # After shutdown() the account gets no more callbacks, as in PJSUA2.
    assert ours.lines("200") == ["200 OK"], ours


def test_minimal_pattern_prints_the_same_as_pjsua2(kamailio, pjsua2):
    program = rewrite(MINIMAL_PATTERN, "pjsua2", minimal_replacements(kamailio))
    real = run_program(program, "pjsua2")
    ours = run_program(program, "ferrosip")
    assert real.returncode == 0, real
    assert ours.returncode == 0, ours
    assert real.lines("200") == ours.lines("200") == ["200 OK"]
