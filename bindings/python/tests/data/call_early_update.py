"""A PJSUA2 program: alice calls bob, bob answers 183 with early media
(inside onIncomingCall); during early media alice tries reinvite() (not
allowed before CONFIRMED) and update(), then bob update()s, then bob
answers 200 and alice hangs up. It records each side's onCallState,
onCallMediaState and the UPDATE transactions of onCallTsxState, and what
each operation returned. It runs unchanged on PJSUA2 and on ferrosip:

    python call_early_update.py pjsua2|ferrosip RTP_PORT

Prints one JSON object.
"""

import importlib
import json
import sys

import pj_pair
from pj_pair import handle

pj = importlib.import_module(sys.argv[1])
RTP_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
events = []
results = {}
calls = {}


class MyCall(pj.Call):
    def __init__(self, acc, who, call_id=pj.PJSUA_INVALID_ID):
        pj.Call.__init__(self, acc, call_id)
        self.who = who
        self.last = None
        self.media = 0

    def onCallState(self, prm):
        self.last = self.getInfo().state
        events.append([self.who, "state", self.getInfo().stateText])

    def onCallMediaState(self, prm):
        self.media += 1
        events.append([self.who, "media"])

    def onCallTsxState(self, prm):
        tsx = prm.e.body.tsxState.tsx
        if tsx.method == "UPDATE":
            events.append([self.who, "tsx", tsx.method, tsx.role, tsx.state, tsx.statusCode])


class MyAccount(pj.Account):
    def onIncomingCall(self, prm):
        call = MyCall(self, "bob", prm.callId)
        calls["bob"] = call
        op = pj.CallOpParam(True)
        op.statusCode = 183
        call.answer(op)


def attempt(name, fn):
    try:
        fn()
        results[name] = "ok"
    except Exception as e:  # noqa: BLE001 - the status is what is compared
        results[name] = getattr(e, "status", "error")


def main():
    ep, accounts, bob_uri = pj_pair.start(pj, lambda who: MyAccount(), RTP_PORT)
    alice = MyCall(accounts["alice"], "alice")
    calls["alice"] = alice
    alice.makeCall(bob_uri, pj.CallOpParam(True))
    handle(ep, 5, lambda: alice.last == pj.PJSIP_INV_STATE_EARLY and alice.media >= 1)
    attempt("alice reinvite", lambda: alice.reinvite(pj.CallOpParam(True)))
    attempt("alice update", lambda: alice.update(pj.CallOpParam(True)))
    handle(ep, 3, lambda: alice.media >= 2 and calls["bob"].media >= 2)
    attempt("bob update", lambda: calls["bob"].update(pj.CallOpParam(True)))
    handle(ep, 3, lambda: alice.media >= 3 and calls["bob"].media >= 3)
    op = pj.CallOpParam(True)
    op.statusCode = 200
    calls["bob"].answer(op)
    handle(ep, 5, lambda: alice.last == pj.PJSIP_INV_STATE_CONFIRMED
           and calls["bob"].last == pj.PJSIP_INV_STATE_CONFIRMED)
    handle(ep, 0.3)
    events.append(["alice", "hangup"])
    alice.hangup(pj.CallOpParam(True))
    handle(ep, 5, lambda: calls["bob"].last == pj.PJSIP_INV_STATE_DISCONNECTED)
    print(json.dumps({"events": events, "results": results}), flush=True)
    ep.libDestroy()


main()
