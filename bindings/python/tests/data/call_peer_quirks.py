"""A PJSUA2 program calling a bare UAS (in this process, on a UDP socket)
that answers with an SDP whose c= line names a host (c=IN IP4 localhost,
RFC 8866) and challenges the BYE (401, realm "test"). It records the
stream's remote address (the name resolved), the call's states and the
BYEs the UAS received (whether each carried valid credentials of the
account, and its CSeq). It runs unchanged on PJSUA2 and on ferrosip:

    python call_peer_quirks.py pjsua2|ferrosip RTP_PORT

Prints one JSON object.
"""

import hashlib
import importlib
import json
import re
import socket
import sys
import time

pj = importlib.import_module(sys.argv[1])
RTP_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
NONCE = "quirky-nonce"
states = []


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def valid_digest(request):
    """Whether `request` carries alice/secret's digest for NONCE (RFC 2617,
    with or without qop=auth)."""
    found = re.search(r"\r\nAuthorization: *Digest ([^\r]*)", request)
    if not found:
        return False
    params = dict(
        (k.strip().lower(), v.strip().strip('"'))
        for k, v in re.findall(r'([A-Za-z-]+)=("[^"]*"|[^,]*)', found.group(1))
    )
    method = request.split(" ", 1)[0]
    ha1 = md5(f"alice:test:secret")
    ha2 = md5(f"{method}:{params.get('uri', '')}")
    if params.get("qop"):
        expected = md5(f"{ha1}:{NONCE}:{params['nc']}:{params['cnonce']}:{params['qop']}:{ha2}")
    else:
        expected = md5(f"{ha1}:{NONCE}:{ha2}")
    return params.get("username") == "alice" and params.get("response") == expected


class Uas:
    def __init__(self):
        self.sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sip.bind(("127.0.0.1", 0))
        self.sip.setblocking(False)
        while True:
            self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.rtp.bind(("127.0.0.1", 0))
            if self.rtp.getsockname()[1] % 2 == 0:
                break
            self.rtp.close()
        self.byes = []

    def uri(self):
        host, port = self.sip.getsockname()
        return f"sip:dave@{host}:{port}"

    def serve(self):
        while True:
            try:
                data, peer = self.sip.recvfrom(65536)
            except BlockingIOError:
                return
            text = data.decode(errors="replace")
            method = text.split(" ", 1)[0]
            if method not in ("INVITE", "BYE"):
                continue
            lines = text.split("\r\n")
            head = []
            for line in lines[1:]:
                if not line:
                    break
                name = line.split(":", 1)[0].strip().lower()
                if name in ("via", "v", "from", "f", "call-id", "i", "cseq"):
                    head.append(line)
                elif name in ("to", "t"):
                    head.append(line if "tag=" in line else line + ";tag=quirk1")
            body = ""
            extra = []
            status = "200 OK"
            if method == "INVITE":
                body = (
                    "v=0\r\no=- 1 1 IN IP4 localhost\r\ns=-\r\nc=IN IP4 localhost\r\nt=0 0\r\n"
                    f"m=audio {self.rtp.getsockname()[1]} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                )
                extra.append("Content-Type: application/sdp")
            else:
                ok = valid_digest(text)
                seq = int(re.search(r"\r\nCSeq: *(\d+)", text).group(1))
                self.byes.append([ok, seq])
                if not ok:
                    status = "401 Unauthorized"
                    extra.append(f'WWW-Authenticate: Digest realm="test", nonce="{NONCE}", algorithm=MD5')
            host, port = self.sip.getsockname()
            response = (
                f"SIP/2.0 {status}\r\n" + "\r\n".join(head)
                + f"\r\nContact: <sip:dave@{host}:{port}>\r\n"
                + "".join(e + "\r\n" for e in extra)
                + f"Content-Length: {len(body)}\r\n\r\n{body}"
            )
            self.sip.sendto(response.encode(), peer)


class MyCall(pj.Call):
    def __init__(self, acc):
        pj.Call.__init__(self, acc)
        self.last = None

    def onCallState(self, prm):
        ci = self.getInfo()
        self.last = ci.state
        states.append([ci.stateText, ci.lastStatusCode])


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
    tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    ep.libStart()
    ep.audDevManager().setNullDev()
    acfg = pj.AccountConfig()
    acfg.idUri = f"sip:alice@{ep.transportGetInfo(tid).localName}"
    acfg.sipConfig.transportId = tid
    acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "test", "alice", 0, "secret"))
    acfg.mediaConfig.transportConfig.port = RTP_PORT
    acc = pj.Account()
    acc.create(acfg)
    uas = Uas()
    call = MyCall(acc)
    call.makeCall(uas.uri(), pj.CallOpParam(True))

    def handle(seconds, until):
        deadline = time.time() + seconds
        while time.time() < deadline and not until():
            ep.libHandleEvents(10)
            uas.serve()

    handle(5, lambda: call.last == pj.PJSIP_INV_STATE_CONFIRMED)
    handle(0.5, lambda: False)
    out = {"remote": call.getStreamInfo(0).remoteRtpAddress if call.hasMedia() else None}
    out["rtpPort"] = uas.rtp.getsockname()[1]
    call.hangup(pj.CallOpParam(True))
    handle(5, lambda: call.last == pj.PJSIP_INV_STATE_DISCONNECTED and len(uas.byes) >= 2)
    handle(0.5, lambda: False)
    out["states"] = states
    first = uas.byes[0][1] if uas.byes else 0
    out["byes"] = [[ok, seq - first] for ok, seq in uas.byes]
    print(json.dumps(out), flush=True)
    ep.libDestroy()


main()
