"""A PJSUA2 program recording what a call's callbacks get: two accounts of
one endpoint (threadCnt=0), alice calls bob, bob rings (inside
onIncomingCall) then answers, alice holds, then alice hangs up. Every
onCallState (with getInfo()'s state and status), onCallMediaState and
onCallTsxState is recorded with its SipEvent (the transaction's method,
role, state, previous state, status, the kind of cause and the first
lines of the messages), and both calls' CallInfo once confirmed. It runs
unchanged on PJSUA2 and on ferrosip. Each operation adds a header
(``X-Op: <operation>``, CallOpParam.txOption.headers): the events record
the X-Op of each message received, so the two libraries are compared on
where the headers arrive too:

    python call_events.py pjsua2|ferrosip RTP_PORT [cancel]

With "cancel", alice hangs up while bob's phone rings (a CANCEL) instead.

Prints one JSON object.
"""

import importlib
import json
import re
import sys
import time

pj = importlib.import_module(sys.argv[1])
RTP_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
CANCEL = len(sys.argv) > 3 and sys.argv[3] == "cancel"
events = []
calls = {}


def first(text):
    return str(text).split("\r\n")[0]


def x_op(text):
    """The X-Op headers of a message, comma-separated ("" for none)."""
    return ",".join(re.findall(r"\r\nX-Op: *([^\r]*)(?=\r\n)", str(text)))


def op(status=0, name=""):
    """A CallOpParam with `status` and the header X-Op: `name`."""
    prm = pj.CallOpParam(True)
    prm.statusCode = status
    if name:
        h = pj.SipHeader()
        h.hName = "X-Op"
        h.hValue = name
        prm.txOption.headers.append(h)
    return prm


def event(e):
    out = {"type": e.type}
    if e.type == pj.PJSIP_EVENT_TSX_STATE:
        ts = e.body.tsxState
        out.update(
            method=ts.tsx.method,
            role=ts.tsx.role,
            state=ts.tsx.state,
            prevState=ts.prevState,
            status=ts.tsx.statusCode,
            statusText=ts.tsx.statusText,
            cause=ts.type,
            rdata=[ts.src.rdata.info, first(ts.src.rdata.wholeMsg), ts.src.rdata.srcAddress != "",
                   x_op(ts.src.rdata.wholeMsg)],
            tdata=[ts.src.tdata.info, first(ts.src.tdata.wholeMsg)],
            lastTx=first(ts.tsx.lastTx.wholeMsg),
        )
    elif e.type == pj.PJSIP_EVENT_TX_MSG:
        out["tdata"] = [e.body.txMsg.tdata.info, first(e.body.txMsg.tdata.wholeMsg)]
    elif e.type == pj.PJSIP_EVENT_RX_MSG:
        out["rdata"] = [e.body.rxMsg.rdata.info, first(e.body.rxMsg.rdata.wholeMsg),
                        x_op(e.body.rxMsg.rdata.wholeMsg)]
    return out


class MyCall(pj.Call):
    def __init__(self, acc, who, call_id=pj.PJSUA_INVALID_ID):
        pj.Call.__init__(self, acc, call_id)
        self.who = who
        self.last = None

    def onCallState(self, prm):
        ci = self.getInfo()
        self.last = ci.state
        events.append([self.who, "state", ci.stateText, ci.lastStatusCode, event(prm.e)])

    def onCallMediaState(self, prm):
        # Only when: PJSUA2's getInfo().media inside the callee's first one
        # (during answer(200)) may hold an uninitialised status.
        events.append([self.who, "media"])

    def onCallTsxState(self, prm):
        events.append([self.who, "tsx", event(prm.e)])


class MyAccount(pj.Account):
    def onIncomingCall(self, prm):
        events.append(["bob", "incoming", prm.rdata.info, first(prm.rdata.wholeMsg),
                       prm.rdata.srcAddress != ""])
        call = MyCall(self, "bob", prm.callId)
        calls["bob"] = call
        call.answer(op(180, "ring"))


def handle(ep, seconds, until=lambda: False):
    deadline = time.time() + seconds
    while time.time() < deadline and not until():
        ep.libHandleEvents(10)


def info(call):
    ci = call.getInfo()
    return {
        "role": ci.role,
        "localUri": ci.localUri,
        "remoteUri": ci.remoteUri,
        "localContact": ci.localContact,
        "remoteContact": ci.remoteContact,
        "lastStatusCode": ci.lastStatusCode,
        "lastReason": ci.lastReason,
        "remOfferer": ci.remOfferer,
        "remAudioCount": ci.remAudioCount,
        "remVideoCount": ci.remVideoCount,
        "media": [[m.index, m.type, m.dir, m.status] for m in ci.media],
        "provMedia": [[m.index, m.type, m.dir, m.status] for m in ci.provMedia],
    }


def main():
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = 0
    cfg.logConfig.consoleLevel = 0
    ep.libInit(cfg)
    tc = pj.TransportConfig()
    tc.port = 0
    tc.boundAddress = "127.0.0.1"
    t_alice = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    t_bob = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    ep.libStart()
    ep.audDevManager().setNullDev()
    accounts = {}
    for n, (who, tid) in enumerate((("alice", t_alice), ("bob", t_bob))):
        acfg = pj.AccountConfig()
        acfg.idUri = f"sip:{who}@{ep.transportGetInfo(tid).localName}"
        acfg.sipConfig.transportId = tid
        acfg.mediaConfig.transportConfig.port = RTP_PORT + 8 * n
        acc = MyAccount()
        acc.create(acfg)
        accounts[who] = acc
    alice = MyCall(accounts["alice"], "alice")
    calls["alice"] = alice
    alice.makeCall(f"sip:bob@{ep.transportGetInfo(t_bob).localName}", pj.CallOpParam(True))
    CONFIRMED = pj.PJSIP_INV_STATE_CONFIRMED
    DISCONNECTED = pj.PJSIP_INV_STATE_DISCONNECTED
    handle(ep, 5, lambda: alice.last in (pj.PJSIP_INV_STATE_EARLY, DISCONNECTED))
    if CANCEL:
        events.append(["alice", "hangup"])
        alice.hangup(op(0, "cancel"))
        handle(ep, 5, lambda: calls["bob"].last == DISCONNECTED)
        handle(ep, 0.3)
        print(json.dumps({"events": events, "info": {}}), flush=True)
        ep.libDestroy()
        return
    calls["bob"].answer(op(200, "answer"))
    handle(ep, 5, lambda: alice.last == CONFIRMED and calls["bob"].last == CONFIRMED)
    handle(ep, 0.3)
    out = {"info": {"alice": info(alice), "bob": info(calls["bob"])}}
    alice.setHold(op(0, "hold"))
    handle(ep, 1.5)
    events.append(["alice", "hangup"])
    alice.hangup(op(0, "hangup"))
    handle(ep, 5, lambda: alice.last == DISCONNECTED and calls["bob"].last == DISCONNECTED)
    handle(ep, 0.3)
    out["events"] = events
    print(json.dumps(out), flush=True)
    ep.libDestroy()


main()
