"""A PJSUA2 sample program: two accounts of one endpoint (threadCnt=0), alice
calls bob, bob rings then answers (or is busy), alice plays a WAV into the
call, bob records it, one side hangs up. It runs unchanged on PJSUA2 and on
ferrosip; only the module it imports differs:

    python call_sample.py pjsua2|ferrosip SCENARIO WORKDIR [RTP_PORT]

SCENARIO: answer (alice hangs up), callee_hangup, busy (486), cancel
(alice hangs up while it rings), midcall (alice holds and unholds, sends
DTMF both ways and a message, then hangs up). Prints one JSON object: the calls' states
as each side's onCallState saw them through getInfo(), and what the calls
said afterwards.
"""

import importlib
import json
import os
import sys
import time

pj = importlib.import_module(sys.argv[1])
SCENARIO = sys.argv[2]
WORKDIR = sys.argv[3]
TONE_WAV = os.path.join(WORKDIR, "tone.wav")
RECORDED_WAV = os.path.join(WORKDIR, "recorded.wav")
RTP_PORT = int(sys.argv[4]) if len(sys.argv) > 4 else 4000

events = []
calls = {}


class MyCall(pj.Call):
    def __init__(self, acc, who, call_id=pj.PJSUA_INVALID_ID):
        pj.Call.__init__(self, acc, call_id)
        self.who = who
        self.player = None
        self.recorder = None
        self.states = []
        self.media_states = 0

    def onCallState(self, prm):
        ci = self.getInfo()
        self.states.append(ci.state)
        events.append([self.who, ci.stateText, ci.lastStatusCode, ci.role])
        if ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.final = {
                "lastReason": ci.lastReason,
                "connected": ci.connectDuration.sec * 1000 + ci.connectDuration.msec > 0,
            }

    def onCallMediaState(self, prm):
        self.media_states += 1
        ci = self.getInfo()
        self.media_status = [mi.status for mi in ci.media]
        events.append([self.who, "media", self.media_status])
        for mi in ci.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                am = self.getAudioMedia(mi.index)
                if self.who == "alice" and self.player is None:
                    self.player = pj.AudioMediaPlayer()
                    self.player.createPlayer(TONE_WAV)
                    self.player.startTransmit(am)
                elif self.who == "bob" and self.recorder is None:
                    self.recorder = pj.AudioMediaRecorder()
                    self.recorder.createRecorder(RECORDED_WAV)
                    am.startTransmit(self.recorder)


    def onDtmfDigit(self, prm):
        events.append([self.who, "dtmf", prm.digit, prm.method])

    def onInstantMessage(self, prm):
        events.append([self.who, "im", prm.msgBody, prm.contentType])

    def onInstantMessageStatus(self, prm):
        events.append([self.who, "im-status", prm.code, prm.reason, prm.msgBody])


class MyAccount(pj.Account):
    def __init__(self, who):
        pj.Account.__init__(self)
        self.who = who

    def onIncomingCall(self, prm):
        call = MyCall(self, "bob", prm.callId)
        calls["bob"] = call
        ci = call.getInfo()
        events.append(["bob", "incoming", ci.stateText, ci.role])
        op = pj.CallOpParam(True)
        op.statusCode = 486 if SCENARIO == "busy" else 180
        call.answer(op)


def handle(ep, seconds, until=lambda: False):
    deadline = time.time() + seconds
    while time.time() < deadline and not until():
        ep.libHandleEvents(10)


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
    for who, tid in (("alice", t_alice), ("bob", t_bob)):
        acfg = pj.AccountConfig()
        acfg.idUri = f"sip:{who}@{ep.transportGetInfo(tid).localName}"
        acfg.sipConfig.transportId = tid
        acfg.mediaConfig.transportConfig.port = RTP_PORT
        acc = MyAccount(who)
        acc.create(acfg)
        accounts[who] = acc

    alice = MyCall(accounts["alice"], "alice")
    calls["alice"] = alice
    out = {"idBefore": alice.getId(), "activeBefore": alice.isActive()}
    bob_uri = f"sip:bob@{ep.transportGetInfo(t_bob).localName}"
    alice.makeCall(bob_uri, pj.CallOpParam(True))
    out["idAfterMake"] = alice.getId()

    def state_of(who):
        call = calls.get(who)
        return call.states[-1] if call is not None and call.states else None

    EARLY, CONFIRMED = pj.PJSIP_INV_STATE_EARLY, pj.PJSIP_INV_STATE_CONFIRMED
    DISCONNECTED = pj.PJSIP_INV_STATE_DISCONNECTED
    handle(ep, 5, lambda: state_of("alice") in (EARLY, DISCONNECTED))
    if SCENARIO == "cancel":
        alice.hangup(pj.CallOpParam(True))
    elif SCENARIO != "busy":
        op = pj.CallOpParam(True)
        op.statusCode = 200
        calls["bob"].answer(op)
        handle(ep, 5, lambda: state_of("alice") == CONFIRMED and state_of("bob") == CONFIRMED)
        handle(ep, 0.5, lambda: alice.player is not None and calls["bob"].recorder is not None)
        out["hasMedia"] = [alice.hasMedia(), calls["bob"].hasMedia()]
        out["lookup"] = pj.Call.lookup(alice.getId()) is alice
        si = alice.getStreamInfo(0)
        out["streamInfo"] = [si.codecName, si.codecClockRate, si.txPt, si.dir]
        handle(ep, 2.0)
        stat = alice.getStreamStat(0)
        out["txPkt"] = stat.rtcp.txStat.pkt
        out["rxPktBob"] = calls["bob"].getStreamStat(0).rtcp.rxStat.pkt
        out["dump"] = alice.dump(True, "  ").splitlines()[0]
        ci = alice.getInfo()
        out["infoConfirmed"] = {
            "state": ci.state,
            "role": ci.role,
            "media": [[m.index, m.type, m.dir, m.status] for m in ci.media],
            "connectDuration": type(ci.connectDuration).__name__,
            "remOfferer": ci.remOfferer,
            "remAudioCount": ci.remAudioCount,
        }
        if SCENARIO == "midcall":
            bob = calls["bob"]
            alice.setHold(pj.CallOpParam(True))
            hold = [pj.PJSUA_CALL_MEDIA_LOCAL_HOLD]
            handle(ep, 5, lambda: alice.media_status == hold)
            op = pj.CallOpParam(True)
            op.opt.flag = pj.PJSUA_CALL_UNHOLD
            alice.reinvite(op)
            active = [pj.PJSUA_CALL_MEDIA_ACTIVE]
            handle(ep, 5, lambda: alice.media_status == active and bob.media_status == active)
            alice.dialDtmf("12")
            handle(ep, 3, lambda: sum(e[1] == "dtmf" for e in events) >= 2)
            dtmf = pj.CallSendDtmfParam()
            dtmf.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
            dtmf.digits = "#"
            bob.sendDtmf(dtmf)
            handle(ep, 3, lambda: sum(e[1] == "dtmf" for e in events) >= 3)
            im = pj.SendInstantMessageParam()
            im.content = "hi bob"
            alice.sendInstantMessage(im)
            handle(ep, 3, lambda: any(e[1] == "im-status" for e in events))
        who = "bob" if SCENARIO == "callee_hangup" else "alice"
        calls[who].hangup(pj.CallOpParam(True))
    handle(ep, 5, lambda: state_of("alice") == DISCONNECTED and state_of("bob") in (None, DISCONNECTED))
    handle(ep, 0.3)
    out["idAfterEnd"] = alice.getId()
    out["activeAfterEnd"] = alice.isActive()
    out["final"] = {who: getattr(call, "final", None) for who, call in calls.items()}
    out["mediaStates"] = {who: call.media_states > 0 for who, call in calls.items()}
    out["events"] = events
    print(json.dumps(out), flush=True)
    ep.libDestroy()


main()
