"""Registers one account with the real PJSUA2 and holds the binding.

    python register.py REGISTRAR_PORT USER PASSWORD udp|tcp

Prints `REGSTATE <code> <reason> <expires>` on every registration state change
and `REGISTERED <code>` once the first REGISTER transaction ends (or
`REGISTERED timeout`). Then keeps the registration up until stdin closes,
unregisters, prints `UNREGISTERED <code>` and exits.

PJSUA2 from Python: threadCnt=0 with libHandleEvents() polled here, every
Account proxy kept referenced, and os._exit() instead of libDestroy() (which
would also wait about a second).
"""
import os
import select
import sys
import time

import pjsua2 as pj

port, user, password, proto = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


class Account(pj.Account):
    def __init__(self):
        super().__init__()
        self.code = None
        self.expires = None

    def onRegState(self, prm):
        info = self.getInfo()
        self.code = prm.code
        self.expires = info.regExpiresSec
        print("REGSTATE", prm.code, prm.reason.replace(" ", "_"), info.regExpiresSec, flush=True)


def poll_until(done, seconds):
    deadline = time.time() + seconds
    while not done() and time.time() < deadline:
        ep.libHandleEvents(20)
    return done()


ep = pj.Endpoint()
ep.libCreate()
cfg = pj.EpConfig()
cfg.uaConfig.threadCnt = 0
cfg.uaConfig.mainThreadOnly = True
cfg.logConfig.level = 4
cfg.logConfig.consoleLevel = 0
ep.libInit(cfg)
ep.audDevManager().setNullDev()
tcfg = pj.TransportConfig()
tcfg.port = 0
tcfg.boundAddress = "127.0.0.1"
kind = pj.PJSIP_TRANSPORT_TCP if proto == "tcp" else pj.PJSIP_TRANSPORT_UDP
ep.transportCreate(kind, tcfg)
ep.libStart()

acfg = pj.AccountConfig()
acfg.idUri = f"sip:{user}@127.0.0.1"
acfg.regConfig.registrarUri = f"sip:127.0.0.1:{port};transport={proto}"
acfg.regConfig.timeoutSec = 300
acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, password))
acc = Account()
acc.create(acfg)

ok = poll_until(lambda: acc.code is not None and acc.code >= 200, 10)
print("REGISTERED", acc.code if ok else "timeout", flush=True)

while True:
    ep.libHandleEvents(20)
    readable, _, _ = select.select([sys.stdin], [], [], 0)
    if readable and not sys.stdin.readline():
        break

acc.code = None
acc.setRegistration(False)
ok = poll_until(lambda: acc.code is not None and acc.code >= 200, 5)
print("UNREGISTERED", acc.code if ok else "timeout", flush=True)
sys.stdout.flush()
os._exit(0)
