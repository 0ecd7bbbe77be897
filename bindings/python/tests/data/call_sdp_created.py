"""A PJSUA2 program: when does onCallSdpCreated come, with what, and does
a change the application makes reach the peer (and which re-offers
rebuild a stream)? alice calls bob (bob
answers 200 inside onIncomingCall), alice holds, bob re-INVITEs, bob
holds by UPDATE, then alice hangs up. Each side's onCallSdpCreated adds
an attribute (`a=x-who-N`) to the SDP it is given; the peer's received
SDP (from the requests and responses in onCallTsxState and the INVITE in
onIncomingCall) shows which changes were sent. It runs unchanged on
PJSUA2 and on ferrosip:

    python call_sdp_created.py pjsua2|ferrosip RTP_PORT

Prints one JSON object.
"""

import importlib
import json
import re
import sys

import pj_pair
from pj_pair import handle

pj = importlib.import_module(sys.argv[1])
RTP_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
events = []
calls = {}


def brief(sdp):
    """What an SDP says, for comparing: o= version, directions, marks."""
    version = re.search(r"^o=\S+ \S+ (\d+)", sdp, re.M)
    return {
        "version_step": None if not version else int(version.group(1)) % 1000,
        "dirs": re.findall(r"^a=(sendrecv|sendonly|recvonly|inactive)", sdp, re.M),
        "marks": re.findall(r"^a=(x-\w+-\d+)", sdp, re.M),
    }


def body_of(msg):
    return msg.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in msg else ""


class MyCall(pj.Call):
    def __init__(self, acc, who, call_id=pj.PJSUA_INVALID_ID):
        pj.Call.__init__(self, acc, call_id)
        self.who = who
        self.last = None
        self.media = 0
        self.created = 0

    def onCallState(self, prm):
        self.last = self.getInfo().state
        events.append([self.who, "state", self.getInfo().stateText])

    def onCallMediaState(self, prm):
        self.media += 1
        events.append([self.who, "media"])

    def onStreamCreated(self, prm):
        events.append([self.who, "stream created", prm.streamIdx])

    def onStreamDestroyed(self, prm):
        events.append([self.who, "stream destroyed", prm.streamIdx])

    def onCallSdpCreated(self, prm):
        self.created += 1
        mark = f"x-{self.who}-{self.created}"
        sdp = prm.sdp.wholeSdp
        events.append([self.who, "sdp created", "answer" if prm.remSdp.wholeSdp else "offer",
                       brief(sdp)["dirs"], brief(prm.remSdp.wholeSdp)["marks"]])
        # The attribute goes at the end of the session part (before m=).
        head, sep, rest = sdp.partition("m=")
        prm.sdp.wholeSdp = head + f"a={mark}\r\n" + sep + rest

    def onCallTsxState(self, prm):
        tsx = prm.e.body.tsxState.tsx
        if prm.e.body.tsxState.type != pj.PJSIP_EVENT_RX_MSG:
            return
        msg = prm.e.body.tsxState.src.rdata.wholeMsg
        body = body_of(msg)
        if "v=0" in body:
            first = msg.split("\r\n", 1)[0]
            kind = "response" if first.startswith("SIP/2.0") else "request"
            events.append([self.who, "received", tsx.method, kind, brief(body)["marks"]])


class MyAccount(pj.Account):
    def __init__(self, who):
        pj.Account.__init__(self)
        self.who = who

    def onIncomingCall(self, prm):
        events.append([self.who, "incoming", brief(body_of(prm.rdata.wholeMsg))["marks"]])
        call = MyCall(self, "bob", prm.callId)
        calls["bob"] = call
        op = pj.CallOpParam(True)
        op.statusCode = 200
        call.answer(op)


def main():
    ep, accounts, bob_uri = pj_pair.start(pj, MyAccount, RTP_PORT)
    alice = MyCall(accounts["alice"], "alice")
    calls["alice"] = alice
    alice.makeCall(bob_uri, pj.CallOpParam(True))
    handle(ep, 5, lambda: alice.last == pj.PJSIP_INV_STATE_CONFIRMED
           and "bob" in calls and calls["bob"].last == pj.PJSIP_INV_STATE_CONFIRMED)
    bob = calls["bob"]
    for step, who, action in (
        ("alice holds", "alice", lambda: alice.setHold(pj.CallOpParam(True))),
        ("bob re-INVITEs", "bob", lambda: bob.reinvite(pj.CallOpParam(True))),
        ("bob updates", "bob", lambda: bob.update(pj.CallOpParam(True))),
    ):
        handle(ep, 0.2)
        events.append([who, step])
        media = (alice.media, bob.media)
        action()
        handle(ep, 3, lambda: alice.media > media[0] and bob.media > media[1])
    handle(ep, 0.2)
    events.append(["alice", "hangup"])
    alice.hangup(pj.CallOpParam(True))
    handle(ep, 5, lambda: bob.last == pj.PJSIP_INV_STATE_DISCONNECTED)
    print(json.dumps({"events": events}), flush=True)
    ep.libDestroy()


main()
