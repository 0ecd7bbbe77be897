"""A scriptable call peer made of the real PJSUA2 (`pjsua2-python`), for
ferrosip's interop tests (`interop::Pjsua2Peer` drives it).

    python call_peer.py '<config JSON>'

The config (every key optional):

    {"user": "peer",                 # the account's user part
     "udp_port": 0,                  # UDP transport on 127.0.0.1 (0: a free port;
                                     #   null: no UDP transport)
     "tcp_port": null,               # TCP transport likewise (0: a free port)
     "registrar": "127.0.0.1:5060",  # register there (e.g. at kamailio), with
     "password": "pw",               #   these credentials, over
     "reg_transport": "udp",         #   udp or tcp; without a registrar the account
                                     #   is local: sip:<user>@127.0.0.1:<udp port>
     "reg_expires": 300,             # the REGISTER's expiry
     "proxy": true,                  # the registrar as outbound proxy too
     "auto_answer": {"code": 200, "delay_ms": 0},   # 180 first when delay_ms > 0
     "prack": "none" | "optional" | "mandatory",    # 100rel (RFC 3262)
     "timer": "inactive" | "optional" | "required" | "always",  # RFC 4028
     "timer_se": 1800, "timer_min_se": 90,
     "hold_type": "rfc3264" | "rfc2543",
     "codecs": ["PCMU", "PCMA"] | {"PCMU/8000": 255, ...},
                                     # a list: those codecs in that order, the
                                     #   others off; an object: priorities as given
     "tone": 440,                    # play this tone into every call once its
                                     #   audio is active
     "record_dir": "/tmp/x",         # record what every call receives into
                                     #   <dir>/call-<id>.wav
     "xfer_code": 202,               # the answer to an incoming REFER
     "replace_code": 200,            # the answer to an INVITE with Replaces
     "redirect": "accept" | "reject" | "stop" | "pending",  # on a 3xx
     "max_calls": 4, "clock_rate": 16000, "vad": false,
     "log_level": 0}                 # PJSUA2's log on stderr (0: off)

Commands come on stdin, one JSON object a line: {"cmd": NAME, "seq": N, ...}.
Each gets one reply on stdout, {"event": "ok", "cmd": NAME, "seq": N, ...} or
{"event": "error", "cmd": NAME, "seq": N, "message": ...}; the asynchronous
events come on stdout too, one JSON object a line, flushed:

    ready            {user, aor, uri, udp, tcp, pid}
    reg_state        {code, reason, expires, active}
    incoming_call    {call, remote_uri, remote_contact, local_uri, call_id,
                      headers: {name: value}, sdp}
    call_state       {call, state, code, reason, role, state_text, remote_uri,
                      duration_ms (DISCONNECTED only)}
    media_state      {call, status, dir, media: [{index, type, status, dir}]}
    dtmf             {call, digit, method, duration}          (onDtmfDigit; the
                      duration is null for RFC 4733, known only at the end)
    dtmf_event       {call, digit, method, duration, flags, end, timestamp}
                      (onDtmfEvent: the start, flags 0, and the end, end true)
    transfer_request {call, dst_uri, code, new_call}
    transfer_status  {call, code, reason, final}
    replace_request  {call, code, new_call}
    replaced         {call, new_call}
    instant_message  {call, from, to, content_type, body}     (call null: out of dialog)
    im_status        {call, code, reason, body}
    typing           {call, from, is_typing}
    redirected       {call, target}
    rx_offer         {call, sdp}
    rx_reinvite      {call, sdp}
    error            {message}

Calls are numbered by this script from 1 up, never reused (not PJSUA call
ids). Commands (with "call": id where they act on a call):

    make_call {uri, headers?}           -> ok {call}
    answer {call, code=200, reason?, headers?}
    hangup {call, code=0, reason?}      (0: PJSUA2 picks: 603/487/BYE)
    hold {call}                         setHold
    unhold {call}                       reinvite with PJSUA_CALL_UNHOLD
    reinvite {call, unhold=false}
    update {call}                       UPDATE with an offer
    xfer {call, dest}                   blind transfer (REFER)
    xfer_replaces {call, other}         attended transfer to call `other`'s peer
    dial_dtmf {call, digits}            RFC 2833/4733
    send_dtmf {call, digits, method: rfc2833|sip_info, duration=160}
    send_im {call, text, content_type="text/plain"}
    typing {call, is_typing=true}
    play_tone {call, freq}  play_file {call, path}  stop_play {call}
    record {call, path}  stop_record {call}   (the WAV is complete once ok)
    stats {call}        -> ok {codec, clock_rate, tx_pkt, rx_pkt, tx_bytes,
                               rx_bytes, rx_loss, rx_discard, jitter_us_mean,
                               rtt_us_mean}
    info {call}         -> ok {state, role, remote_uri, remote_contact, ...}
    register {on=true}  setRegistration
    quit                hangs up, libDestroy, exits (a "bye" event first)

Closing stdin is the same as quit.

PJSUA2 from Python (../../../../shared/peers/README.md): threadCnt=0 and
mainThreadOnly with libHandleEvents() polled here; every Account, Call and
media proxy kept referenced until libDestroy(); os._exit() after it. PJSUA2
writes some lines to file descriptor 1 whatever its log level, so the events
go to a duplicate of the original stdout and fd 1 is pointed at stderr.
"""
import json
import os
import random
import select
import sys
import time
import traceback

# The events' channel: the original stdout. Everything else written to fd 1
# (PJSUA2's early log lines, stray prints) goes to stderr.
_EVENTS = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

import pjsua2 as pj  # noqa: E402

STATE_NAMES = {
    pj.PJSIP_INV_STATE_NULL: "NULL",
    pj.PJSIP_INV_STATE_CALLING: "CALLING",
    pj.PJSIP_INV_STATE_INCOMING: "INCOMING",
    pj.PJSIP_INV_STATE_EARLY: "EARLY",
    pj.PJSIP_INV_STATE_CONNECTING: "CONNECTING",
    pj.PJSIP_INV_STATE_CONFIRMED: "CONFIRMED",
    pj.PJSIP_INV_STATE_DISCONNECTED: "DISCONNECTED",
}
MEDIA_STATUS = {
    pj.PJSUA_CALL_MEDIA_NONE: "none",
    pj.PJSUA_CALL_MEDIA_ACTIVE: "active",
    pj.PJSUA_CALL_MEDIA_LOCAL_HOLD: "local_hold",
    pj.PJSUA_CALL_MEDIA_REMOTE_HOLD: "remote_hold",
    pj.PJSUA_CALL_MEDIA_ERROR: "error",
}
DIRS = {
    pj.PJMEDIA_DIR_NONE: "inactive",
    pj.PJMEDIA_DIR_ENCODING: "sendonly",
    pj.PJMEDIA_DIR_DECODING: "recvonly",
    pj.PJMEDIA_DIR_ENCODING_DECODING: "sendrecv",
}
DTMF_METHODS = {
    pj.PJSUA_DTMF_METHOD_RFC2833: "rfc2833",
    pj.PJSUA_DTMF_METHOD_SIP_INFO: "sip_info",
}
PRACK = {"none": pj.PJSUA_100REL_NOT_USED, "optional": pj.PJSUA_100REL_OPTIONAL,
         "mandatory": pj.PJSUA_100REL_MANDATORY}
TIMER = {"inactive": pj.PJSUA_SIP_TIMER_INACTIVE, "optional": pj.PJSUA_SIP_TIMER_OPTIONAL,
         "required": pj.PJSUA_SIP_TIMER_REQUIRED, "always": pj.PJSUA_SIP_TIMER_ALWAYS}
HOLD = {"rfc3264": pj.PJSUA_CALL_HOLD_TYPE_RFC3264, "rfc2543": pj.PJSUA_CALL_HOLD_TYPE_RFC2543}
REDIRECT = {"accept": pj.PJSIP_REDIRECT_ACCEPT, "reject": pj.PJSIP_REDIRECT_REJECT,
            "stop": pj.PJSIP_REDIRECT_STOP, "pending": pj.PJSIP_REDIRECT_PENDING,
            "accept_replace": pj.PJSIP_REDIRECT_ACCEPT_REPLACE}


def emit(event, **fields):
    fields = dict(event=event, **fields)
    _EVENTS.write(json.dumps(fields) + "\n")
    _EVENTS.flush()


class CommandError(Exception):
    pass


def parse_message(whole):
    """(headers {name: value, repeats joined with ", "}, body) of a SIP
    message's text."""
    head, _, body = whole.replace("\r\n", "\n").partition("\n\n")
    headers = {}
    lines = head.split("\n")[1:]
    unfolded = []
    for line in lines:
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += " " + line.strip()
        elif line:
            unfolded.append(line)
    for line in unfolded:
        name, _, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if name in headers:
            headers[name] += ", " + value
        else:
            headers[name] = value
    return headers, body


class Peer:
    def __init__(self, config):
        self.config = config
        self.calls = {}          # our id -> Call
        self.next_id = 1
        self.keep = []           # every PJSUA2 proxy made, kept until libDestroy
        self.timers = []         # (due monotonic, function)
        self.quitting = False

    # -- calls bookkeeping -------------------------------------------------
    def add_call(self, call):
        call.peer_id = self.next_id
        self.next_id += 1
        self.calls[call.peer_id] = call
        self.keep.append(call)
        return call.peer_id

    def call(self, cmd):
        try:
            return self.calls[int(cmd["call"])]
        except (KeyError, ValueError, TypeError):
            raise CommandError("no call %r" % cmd.get("call"))

    def later(self, seconds, fn):
        self.timers.append((time.monotonic() + seconds, fn))

    def run_timers(self):
        now = time.monotonic()
        due = [t for t in self.timers if t[0] <= now]
        if due:
            self.timers = [t for t in self.timers if t[0] > now]
            for _, fn in due:
                try:
                    fn()
                except pj.Error as e:
                    emit("error", message="%s: %s (status %d)" % (e.title, e.reason, e.status))

    # -- start ---------------------------------------------------------------
    def start(self):
        c = self.config
        ep = pj.Endpoint()
        self.ep = ep
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = int(c.get("max_calls", 4))
        cfg.uaConfig.userAgent = "pjsua2-call-peer"
        level = int(c.get("log_level", 0))
        cfg.logConfig.level = level
        cfg.logConfig.consoleLevel = level
        cfg.medConfig.clockRate = int(c.get("clock_rate", 16000))
        cfg.medConfig.noVad = not c.get("vad", False)
        cfg.medConfig.ecTailLen = 0
        # The null sound device clocks the conference bridge, which clocks
        # every stream's sending (RTP, RFC 4733 digits included). PJSUA
        # closes an idle device after a second (no connection in the
        # bridge), which would stop a call with no tone from sending its
        # DTMF: keep it open.
        cfg.medConfig.sndAutoCloseTime = -1
        ep.libInit(cfg)
        ep.audDevManager().setNullDev()
        self.speaker = ep.audDevManager().getPlaybackDevMedia()

        self.udp = self.tcp = None
        for kind, key in ((pj.PJSIP_TRANSPORT_UDP, "udp_port"), (pj.PJSIP_TRANSPORT_TCP, "tcp_port")):
            port = c.get(key, 0 if key == "udp_port" else None)
            if port is None:
                continue
            tcfg = pj.TransportConfig()
            tcfg.port = int(port)
            tcfg.boundAddress = "127.0.0.1"
            tid = ep.transportCreate(kind, tcfg)
            name = ep.transportGetInfo(tid).localName
            if kind == pj.PJSIP_TRANSPORT_UDP:
                self.udp = name
            else:
                self.tcp = name
        ep.libStart()

        codecs = c.get("codecs")
        if isinstance(codecs, list):
            wanted = [w.upper() for w in codecs]
            for info in ep.codecEnum2():
                cid = info.codecId.upper()
                prio = 0
                for i, w in enumerate(wanted):
                    if cid == w or cid.startswith(w + "/"):
                        prio = max(1, 255 - i)
                        break
                ep.codecSetPriority(info.codecId, prio)
        elif isinstance(codecs, dict):
            for cid, prio in codecs.items():
                ep.codecSetPriority(cid, int(prio))

        user = c.get("user", "peer")
        first = self.udp or self.tcp
        acfg = pj.AccountConfig()
        registrar = c.get("registrar")
        if registrar:
            proto = c.get("reg_transport", "udp")
            acfg.idUri = "sip:%s@%s" % (user, registrar.rsplit(":", 1)[0])
            acfg.regConfig.registrarUri = "sip:%s;transport=%s" % (registrar, proto)
            acfg.regConfig.timeoutSec = int(c.get("reg_expires", 300))
            acfg.sipConfig.authCreds.append(
                pj.AuthCredInfo("digest", "*", user, 0, c.get("password", "")))
            if c.get("proxy", True):
                acfg.sipConfig.proxies.append("sip:%s;transport=%s;lr" % (registrar, proto))
        else:
            transport = "" if self.udp else ";transport=tcp"
            acfg.idUri = "sip:%s@%s%s" % (user, first, transport)
        acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
        # RTP from a random even port with a wide range, not PJSUA's 4000
        # + 100 pairs: several peers and other programs on the machine
        # (ferrosip's own calls start at 4000 too) must not exhaust it.
        rtp_base = int(c.get("rtp_port", 0)) or 20000 + 2 * random.randrange(10000)
        acfg.mediaConfig.transportConfig.port = rtp_base
        acfg.mediaConfig.transportConfig.portRange = 2000
        cc = acfg.callConfig
        if "prack" in c:
            cc.prackUse = PRACK[c["prack"]]
        if "timer" in c:
            cc.timerUse = TIMER[c["timer"]]
        if "timer_se" in c:
            cc.timerSessExpiresSec = int(c["timer_se"])
        if "timer_min_se" in c:
            cc.timerMinSESec = int(c["timer_min_se"])
        if "hold_type" in c:
            cc.holdType = HOLD[c["hold_type"]]
        self.acc = Account(self)
        self.keep.append(self.acc)
        self.acc.create(acfg, True)
        self.aor = acfg.idUri
        self.uri = "sip:%s@%s%s" % (user, first, "" if self.udp else ";transport=tcp")
        emit("ready", user=user, aor=self.aor, uri=self.uri, udp=self.udp, tcp=self.tcp,
             pid=os.getpid())

    # -- media of a call -------------------------------------------------------
    def connect_media(self, call):
        """(Re)connects the call's sources and recorder to its audio: after
        a re-INVITE PJSUA2 may give the call a new conference port."""
        am = call.audio()
        if am is None:
            return
        # As a softphone does: the call to the (null) speaker.
        am.startTransmit(self.speaker)
        if call.source is not None:
            call.source.startTransmit(am)
        if call.recorder is not None:
            am.startTransmit(call.recorder)

    def set_source(self, call, source):
        self.stop_source(call)
        call.source = source
        self.keep.append(source)
        self.connect_media(call)

    def stop_source(self, call):
        if call.source is not None:
            am = call.audio()
            if am is not None:
                try:
                    call.source.stopTransmit(am)
                except pj.Error:
                    pass
            call.source = None

    def tone(self, freq):
        tone = pj.ToneGenerator()
        tone.createToneGenerator(int(self.config.get("clock_rate", 16000)), 1)
        desc = pj.ToneDesc()
        desc.freq1 = int(freq)
        desc.freq2 = 0
        desc.on_msec = 1000
        desc.off_msec = 0
        desc.volume = 0
        tones = pj.ToneDescVector()
        tones.append(desc)
        tone.play(tones, True)
        return tone

    def start_record(self, call, path):
        self.finish_record(call)
        rec = pj.AudioMediaRecorder()
        rec.createRecorder(path)
        call.recorder = rec
        call.record_path = path
        self.connect_media(call)

    def finish_record(self, call):
        rec = call.recorder
        if rec is None:
            return None
        call.recorder = None
        am = call.audio()
        if am is not None:
            try:
                am.stopTransmit(rec)
            except pj.Error:
                pass
        # Deleting the recorder completes the WAV file, in one of the media
        # clock's next ticks (PJSUA 2.14 and later queue conference
        # operations): poll a little before saying it is done.
        del rec
        self.poll(0.2)
        return call.record_path

    def poll(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.ep.libHandleEvents(10)

    # -- commands --------------------------------------------------------------
    def op(self, cmd, code=None):
        prm = pj.CallOpParam(True)
        if code is not None:
            prm.statusCode = int(code)
        if cmd.get("reason"):
            prm.reason = cmd["reason"]
        headers = cmd.get("headers") or {}
        for name, value in headers.items():
            h = pj.SipHeader()
            h.hName = name
            h.hValue = str(value)
            prm.txOption.headers.append(h)
        return prm

    def handle(self, cmd):
        name = cmd.get("cmd")
        fn = getattr(self, "cmd_" + str(name), None)
        if fn is None:
            raise CommandError("unknown command %r" % name)
        return fn(cmd) or {}

    def cmd_make_call(self, cmd):
        call = Call(self, self.acc)
        cid = self.add_call(call)
        call.role = "caller"
        call.makeCall(cmd["uri"], self.op(cmd))
        return {"call": cid}

    def cmd_answer(self, cmd):
        self.call(cmd).answer(self.op(cmd, cmd.get("code", 200)))

    def cmd_hangup(self, cmd):
        self.call(cmd).hangup(self.op(cmd, cmd.get("code", 0)))

    def cmd_hold(self, cmd):
        self.call(cmd).setHold(self.op(cmd))

    def cmd_unhold(self, cmd):
        prm = self.op(cmd)
        prm.opt.flag |= pj.PJSUA_CALL_UNHOLD
        self.call(cmd).reinvite(prm)

    def cmd_reinvite(self, cmd):
        prm = self.op(cmd)
        if cmd.get("unhold"):
            prm.opt.flag |= pj.PJSUA_CALL_UNHOLD
        self.call(cmd).reinvite(prm)

    def cmd_update(self, cmd):
        self.call(cmd).update(self.op(cmd))

    def cmd_xfer(self, cmd):
        self.call(cmd).xfer(cmd["dest"], self.op(cmd))

    def cmd_xfer_replaces(self, cmd):
        other = self.call({"call": cmd.get("other")})
        self.call(cmd).xferReplaces(other, self.op(cmd))

    def cmd_dial_dtmf(self, cmd):
        self.call(cmd).dialDtmf(cmd["digits"])

    def cmd_send_dtmf(self, cmd):
        prm = pj.CallSendDtmfParam()
        prm.digits = cmd["digits"]
        method = cmd.get("method", "rfc2833")
        prm.method = {"rfc2833": pj.PJSUA_DTMF_METHOD_RFC2833,
                      "sip_info": pj.PJSUA_DTMF_METHOD_SIP_INFO}[method]
        if "duration" in cmd:
            prm.duration = int(cmd["duration"])
        self.call(cmd).sendDtmf(prm)

    def cmd_send_im(self, cmd):
        prm = pj.SendInstantMessageParam()
        prm.content = cmd["text"]
        prm.contentType = cmd.get("content_type", "text/plain")
        self.call(cmd).sendInstantMessage(prm)

    def cmd_typing(self, cmd):
        prm = pj.SendTypingIndicationParam()
        prm.isTyping = bool(cmd.get("is_typing", True))
        self.call(cmd).sendTypingIndication(prm)

    def cmd_play_tone(self, cmd):
        self.set_source(self.call(cmd), self.tone(cmd["freq"]))

    def cmd_play_file(self, cmd):
        player = pj.AudioMediaPlayer()
        player.createPlayer(cmd["path"], 0)
        self.set_source(self.call(cmd), player)

    def cmd_stop_play(self, cmd):
        self.stop_source(self.call(cmd))

    def cmd_record(self, cmd):
        self.start_record(self.call(cmd), cmd["path"])
        return {"path": cmd["path"]}

    def cmd_stop_record(self, cmd):
        return {"path": self.finish_record(self.call(cmd))}

    def cmd_stats(self, cmd):
        call = self.call(cmd)
        idx = call.audio_index()
        if idx is None:
            raise CommandError("call %d has no audio stream" % call.peer_id)
        st = call.getStreamStat(idx)
        si = call.getStreamInfo(idx)
        tx, rx = st.rtcp.txStat, st.rtcp.rxStat
        return {"codec": si.codecName, "clock_rate": si.codecClockRate,
                "remote_rtp": si.remoteRtpAddress, "tx_pt": si.txPt, "rx_pt": si.rxPt,
                "dir": DIRS.get(si.dir, str(si.dir)),
                "tx_pkt": tx.pkt, "tx_bytes": tx.bytes, "rx_pkt": rx.pkt, "rx_bytes": rx.bytes,
                "rx_loss": rx.loss, "rx_discard": rx.discard, "rx_dup": rx.dup,
                "rx_reorder": rx.reorder, "jitter_us_mean": rx.jitterUsec.mean,
                "rtt_us_mean": st.rtcp.rttUsec.mean}

    def cmd_info(self, cmd):
        call = self.call(cmd)
        return call.info_fields()

    def cmd_calls(self, cmd):
        return {"calls": [c.info_fields() for c in self.calls.values() if c.alive]}

    def cmd_register(self, cmd):
        self.acc.setRegistration(bool(cmd.get("on", True)))

    def cmd_quit(self, cmd):
        self.quitting = True

    # -- main loop ---------------------------------------------------------------
    def run(self):
        buf = b""
        stdin_open = True
        while not self.quitting:
            self.ep.libHandleEvents(10)
            self.run_timers()
            if not stdin_open:
                break
            while select.select([0], [], [], 0)[0]:
                data = os.read(0, 65536)
                if not data:
                    stdin_open = False
                    break
                buf += data
            while b"\n" in buf and not self.quitting:
                line, buf = buf.split(b"\n", 1)
                line = line.strip()
                if line:
                    self.dispatch(line)
        self.shutdown()

    def dispatch(self, line):
        cmd = {}
        try:
            cmd = json.loads(line)
            reply = self.handle(cmd)
            emit("ok", cmd=cmd.get("cmd"), seq=cmd.get("seq"), **reply)
        except pj.Error as e:
            emit("error", cmd=cmd.get("cmd"), seq=cmd.get("seq"),
                 message="%s: %s (status %d)" % (e.title, e.reason, e.status))
        except Exception as e:  # noqa: BLE001 - reported, the peer goes on
            traceback.print_exc()
            emit("error", cmd=cmd.get("cmd") if isinstance(cmd, dict) else None,
                 seq=cmd.get("seq") if isinstance(cmd, dict) else None,
                 message="%s: %s" % (type(e).__name__, e))

    def shutdown(self):
        try:
            self.ep.hangupAllCalls()
            self.poll(0.3)
            for call in self.calls.values():
                self.finish_record(call)
        except pj.Error:
            pass
        emit("bye")
        _EVENTS.flush()
        # Every proxy goes before libDestroy (after it their destructors
        # assert), the calls first, the account last.
        for call in self.calls.values():
            call.source = None
        self.calls.clear()
        self.speaker = None
        acc = self.acc
        self.keep.clear()
        try:
            acc.shutdown()
        except pj.Error:
            pass
        del acc
        self.acc = None
        self.ep.libDestroy()
        sys.stderr.flush()
        os._exit(0)


class Account(pj.Account):
    def __init__(self, peer):
        super().__init__()
        self.peer = peer

    def onRegState(self, prm):
        info = self.getInfo()
        emit("reg_state", code=prm.code, reason=prm.reason, expires=info.regExpiresSec,
             active=info.regIsActive)

    def onIncomingCall(self, prm):
        peer = self.peer
        call = Call(peer, self, prm.callId)
        cid = peer.add_call(call)
        call.role = "callee"
        ci = call.getInfo()
        headers, body = parse_message(prm.rdata.wholeMsg)
        emit("incoming_call", call=cid, remote_uri=ci.remoteUri, remote_contact=ci.remoteContact,
             local_uri=ci.localUri, call_id=ci.callIdString, headers=headers, sdp=body)
        auto = peer.config.get("auto_answer")
        if auto:
            code = int(auto.get("code", 200))
            delay = float(auto.get("delay_ms", 0)) / 1000.0
            if delay > 0 and code >= 200:
                call.answer(peer.op({}, 180))
                peer.later(delay, lambda: call.alive and call.answer(peer.op({}, code)))
            else:
                call.answer(peer.op({}, code))

    def onInstantMessage(self, prm):
        emit("instant_message", call=None, **{"from": prm.fromUri}, to=prm.toUri,
             content_type=prm.contentType, body=prm.msgBody)

    def onTypingIndication(self, prm):
        emit("typing", call=None, **{"from": prm.fromUri}, is_typing=prm.isTyping)


class Call(pj.Call):
    def __init__(self, peer, acc, call_id=pj.PJSUA_INVALID_ID):
        super().__init__(acc, call_id)
        self.peer = peer
        self.acc = acc
        self.peer_id = None
        self.role = None
        self.alive = True
        self.source = None
        self.recorder = None
        self.record_path = None
        self.auto_started = False

    def audio_index(self):
        try:
            ci = self.getInfo()
        except pj.Error:
            return None
        for mi in ci.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status in (
                    pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_LOCAL_HOLD,
                    pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
                return mi.index
        return None

    def audio(self):
        idx = self.audio_index()
        if idx is None:
            return None
        try:
            am = self.getAudioMedia(idx)
        except pj.Error:
            return None
        self.peer.keep.append(am)
        return am

    def info_fields(self):
        ci = self.getInfo()
        return {"call": self.peer_id, "state": STATE_NAMES.get(ci.state, str(ci.state)),
                "state_text": ci.stateText, "code": ci.lastStatusCode, "reason": ci.lastReason,
                "role": "caller" if ci.role == pj.PJSIP_ROLE_UAC else "callee",
                "remote_uri": ci.remoteUri, "remote_contact": ci.remoteContact,
                "local_uri": ci.localUri, "local_contact": ci.localContact,
                "call_id": ci.callIdString,
                "connect_ms": ci.connectDuration.sec * 1000 + ci.connectDuration.msec,
                "rem_offerer": ci.remOfferer}

    def onCallState(self, prm):
        ci = self.getInfo()
        state = STATE_NAMES.get(ci.state, str(ci.state))
        fields = dict(call=self.peer_id, state=state, code=ci.lastStatusCode,
                      reason=ci.lastReason, role="caller" if ci.role == pj.PJSIP_ROLE_UAC
                      else "callee", state_text=ci.stateText, remote_uri=ci.remoteUri)
        if ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.alive = False
            fields["duration_ms"] = ci.connectDuration.sec * 1000 + ci.connectDuration.msec
            # The recording ends with the call.
            if self.recorder is not None:
                rec, self.recorder = self.recorder, None
                del rec
        emit("call_state", **fields)

    def onCallMediaState(self, prm):
        ci = self.getInfo()
        media = [{"index": mi.index, "type": "audio" if mi.type == pj.PJMEDIA_TYPE_AUDIO
                  else str(mi.type), "status": MEDIA_STATUS.get(mi.status, str(mi.status)),
                  "dir": DIRS.get(mi.dir, str(mi.dir))} for mi in ci.media]
        audio = next((m for m in media if m["type"] == "audio"), None)
        peer = self.peer
        if audio and audio["status"] == "active" and not self.auto_started:
            self.auto_started = True
            if peer.config.get("tone") and self.source is None:
                self.source = peer.tone(peer.config["tone"])
                peer.keep.append(self.source)
            if peer.config.get("record_dir") and self.recorder is None:
                path = os.path.join(peer.config["record_dir"], "call-%d.wav" % self.peer_id)
                rec = pj.AudioMediaRecorder()
                rec.createRecorder(path)
                self.recorder = rec
                self.record_path = path
        peer.connect_media(self)
        emit("media_state", call=self.peer_id, status=audio["status"] if audio else "none",
             dir=audio["dir"] if audio else "inactive", media=media)

    def onDtmfDigit(self, prm):
        # PJSUA2 calls this when a digit starts (RFC 4733: duration unknown,
        # 0xFFFFFFFF, shown as null) or arrives in a SIP INFO.
        duration = None if prm.duration >= 0xFFFFFFFF else prm.duration
        emit("dtmf", call=self.peer_id, digit=prm.digit,
             method=DTMF_METHODS.get(prm.method, str(prm.method)), duration=duration)

    def onDtmfEvent(self, prm):
        # flags: PJMEDIA_STREAM_DTMF_IS_UPDATE (1), PJMEDIA_STREAM_DTMF_IS_END
        # (2). The start (flags 0) and the end are reported, not the updates
        # in between (one every packet).
        end = bool(prm.flags & 2)
        if prm.flags & 1 and not end:
            return
        emit("dtmf_event", call=self.peer_id, digit=prm.digit,
             method=DTMF_METHODS.get(prm.method, str(prm.method)), duration=prm.duration,
             flags=prm.flags, end=end, timestamp=prm.timestamp)

    def onCallTransferRequest(self, prm):
        peer = self.peer
        prm.statusCode = int(peer.config.get("xfer_code", prm.statusCode or 202))
        new_id = None
        if 200 <= prm.statusCode < 300:
            new = Call(peer, self.acc)
            new.role = "caller"
            new_id = peer.add_call(new)
            prm.newCall = new
        emit("transfer_request", call=self.peer_id, dst_uri=prm.dstUri, code=prm.statusCode,
             new_call=new_id)

    def onCallTransferStatus(self, prm):
        emit("transfer_status", call=self.peer_id, code=prm.statusCode, reason=prm.reason,
             final=prm.finalNotify)

    def onCallReplaceRequest(self, prm):
        peer = self.peer
        prm.statusCode = int(peer.config.get("replace_code", prm.statusCode or 200))
        new_id = None
        if 200 <= prm.statusCode < 300:
            new = Call(peer, self.acc)
            new.role = "callee"
            new_id = peer.add_call(new)
            prm.newCall = new
        emit("replace_request", call=self.peer_id, code=prm.statusCode, new_call=new_id)

    def onCallReplaced(self, prm):
        # PJSUA2 2.15 binds the Call made in onCallReplaceRequest (its
        # prm.newCall); older ones expect one made here for prm.newCallId.
        peer = self.peer
        new_id = None
        for cid, c in peer.calls.items():
            if c is not self and c.alive and c.getId() == prm.newCallId:
                new_id = cid
        if new_id is None:
            call = Call(peer, self.acc, prm.newCallId)
            call.role = "callee"
            new_id = peer.add_call(call)
            prm.newCall = call
        emit("replaced", call=self.peer_id, new_call=new_id)

    def onInstantMessage(self, prm):
        emit("instant_message", call=self.peer_id, **{"from": prm.fromUri}, to=prm.toUri,
             content_type=prm.contentType, body=prm.msgBody)

    def onInstantMessageStatus(self, prm):
        emit("im_status", call=self.peer_id, code=prm.code, reason=prm.reason,
             body=prm.msgBody)

    def onTypingIndication(self, prm):
        emit("typing", call=self.peer_id, **{"from": prm.fromUri}, is_typing=prm.isTyping)

    def onCallRedirected(self, prm):
        emit("redirected", call=self.peer_id, target=prm.targetUri)
        return REDIRECT[self.peer.config.get("redirect", "accept")]

    def onCallRxOffer(self, prm):
        emit("rx_offer", call=self.peer_id, sdp=prm.offer.wholeSdp)

    def onCallRxReinvite(self, prm):
        emit("rx_reinvite", call=self.peer_id, sdp=prm.offer.wholeSdp)


def main():
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    peer = Peer(config)
    try:
        peer.start()
    except pj.Error as e:
        emit("error", message="start: %s: %s (status %d)" % (e.title, e.reason, e.status))
        _EVENTS.flush()
        os._exit(2)
    peer.run()


if __name__ == "__main__":
    main()
