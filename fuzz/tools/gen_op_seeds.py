#!/usr/bin/env python3
"""Writes the seed corpora of the transactions, dialogs and stack_input fuzz
targets: op sequences encoded as `arbitrary` 1.5 decodes them.

    python3 fuzz/tools/gen_op_seeds.py fuzz/seeds

Keep it in step with the `Op` enums of those targets: when one changes, edit
the matching encoder here and regenerate."""
import os, struct, sys, glob

ROOT = sys.argv[1]

def u8(v): return bytes([v & 0xff])
def u16(v): return struct.pack('<H', v & 0xffff)
def u32(v): return struct.pack('<I', v & 0xffffffff)
def boolean(b): return b'\x01' if b else b'\x00'
def variant(idx, count):
    v = -(-(idx << 32) // count)
    assert (v * count) >> 32 == idx, (idx, count)
    return u32(v)
def opt(x, enc): return b'\x00' if x is None else b'\x01' + enc(x)
def vec(items, enc):  # inner Vec: continue byte per element, then a stop byte
    return b''.join(b'\x01' + enc(i) for i in items) + b'\x00'
def rest(items):  # take-rest Vec of already-encoded elements
    return b''.join(b'\x01' + i for i in items)

def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)

# ---------------- transactions
N = 10
def Create(kind, request, reliable): return variant(0, N) + u8(kind) + u8(request) + boolean(reliable)
def Respond(tx, code, tag=1): return variant(1, N) + u8(tx) + u16(code - 100) + u8(tag)
def Retransmit(tx): return variant(2, N) + u8(tx)
def Ack(tx): return variant(3, N) + u8(tx)
def Advance(ms): return variant(4, N) + u16(ms)
def AdvanceT1(p): return variant(5, N) + u8(p)
def NextTimer(tx): return variant(6, N) + u8(tx)
def Spurious(tx): return variant(7, N) + u8(tx)
def TErr(tx): return variant(8, N) + u8(tx)
def CancelSent(tx): return variant(9, N) + u8(tx)
def scenario(timers, ops): return u8(timers) + rest(ops)
CI, CN, SI, SN = 0, 1, 2, 3
INVITE, OPTIONS, BYE, CANCEL, OLD, NOVIA, NOCSEQ, EXT = range(8)
T = 'transactions'
write(T, 'client-non-invite-udp-200', scenario(0, [Create(CN, OPTIONS, False), Advance(500), Advance(1000), Respond(0, 180), Respond(0, 200), Respond(0, 200), AdvanceT1(20)]))
write(T, 'client-non-invite-tcp-timeout', scenario(0, [Create(CN, BYE, True), AdvanceT1(64), AdvanceT1(1)]))
write(T, 'client-non-invite-udp-timeout', scenario(0, [Create(CN, OPTIONS, False)] + [NextTimer(0)] * 12))
write(T, 'client-invite-udp-486', scenario(0, [Create(CI, INVITE, False), Advance(400), Respond(0, 100, 0), Respond(0, 180), Respond(0, 486), Respond(0, 486), Respond(0, 200), AdvanceT1(100)]))
write(T, 'client-invite-udp-200-retransmitted', scenario(0, [Create(CI, INVITE, False), Respond(0, 183), Respond(0, 200), Respond(0, 200, 3), NextTimer(0)]))
write(T, 'client-invite-timeout-no-via', scenario(1, [Create(CI, NOVIA, False), Respond(0, 603), AdvanceT1(70)]))
write(T, 'server-invite-udp-486-ack', scenario(0, [Create(SI, INVITE, False), Advance(250), Retransmit(0), Respond(0, 180), Respond(0, 486), Advance(500), Retransmit(0), Ack(0), Ack(0), NextTimer(0)]))
write(T, 'server-invite-tcp-200', scenario(0, [Create(SI, INVITE, True), Respond(0, 200), Respond(0, 200), Retransmit(0), Ack(0), AdvanceT1(64)]))
write(T, 'server-invite-no-ack', scenario(2, [Create(SI, OLD, False), Respond(0, 404)] + [NextTimer(0)] * 10))
write(T, 'server-non-invite', scenario(0, [Create(SN, OPTIONS, False), Retransmit(0), Respond(0, 100), Retransmit(0), Respond(0, 200), Retransmit(0), Respond(0, 500), AdvanceT1(64)]))
write(T, 'server-non-invite-unanswerable', scenario(3, [Create(SN, NOCSEQ, True), Respond(0, 200), Spurious(0)]))
write(T, 'transport-errors', scenario(0, [Create(CI, INVITE, False), Create(CN, EXT, True), Create(SI, CANCEL, False), Create(SN, BYE, False), Respond(2, 200), TErr(0), TErr(1), TErr(2), TErr(3), TErr(0), Spurious(1), Advance(65535)]))
write(T, 'client-invite-cancelled', scenario(0, [Create(CI, INVITE, False), Respond(0, 180), CancelSent(0), Advance(20000), Respond(0, 487), CancelSent(0), AdvanceT1(70)]))
write(T, 'short-timers-mixed', scenario(1, [Create(CI, INVITE, False), Create(SI, INVITE, False), Create(CN, OPTIONS, False), Create(SN, OPTIONS, True), Advance(3), Respond(0, 180), Respond(1, 302), Respond(2, 408), Respond(3, 202), Advance(20), Ack(1), Advance(100)]))

# ---------------- dialogs
D = 18
def Req(method, from_tag=0, to_tag=None, contact=0, rr=(), cseq=1, ruri=0, call_id=0):
    return u8(method) + u8(ruri) + u8(call_id) + opt(from_tag, u8) + opt(to_tag, u8) + opt(contact, u8) + vec(rr, u8) + u32(cseq)
def Resp(code, to_tag=None, contact=None, rr=(), mismatch=0):
    return u16(code - 100) + opt(to_tag, u8) + opt(contact, u8) + vec(rr, u8) + u8(mismatch)
def Above(d): return variant(0, 3) + u16(d)
def Below(d): return variant(1, 3) + u16(d)
def Absolute(n): return variant(2, 3) + u32(n)
def Uas(req, local_tag=0, contact=0, tls=False): return variant(0, D) + req + u8(local_tag) + u8(contact) + boolean(tls)
def UacSet(req, tls=False): return variant(1, D) + req + boolean(tls)
def SetResponse(s, resp): return variant(2, D) + u8(s) + resp
def TakeFromSet(s, tag): return variant(3, D) + u8(s) + u8(tag)
def TerminateEarly(s): return variant(4, D) + u8(s)
def Uac(req, resp, tls=False): return variant(5, D) + req + resp + boolean(tls)
def Send(d, m): return variant(6, D) + u8(d) + u8(m)
def DAck(d, seq): return variant(7, D) + u8(d) + seq
def DCancel(d, seq): return variant(8, D) + u8(d) + seq
def Bye(d): return variant(9, D) + u8(d)
def RecvReq(d, m, seq, contact=None, tags=0): return variant(10, D) + u8(d) + u8(m) + seq + opt(contact, u8) + u8(tags)
def RecvResp(d, m, code, seq, contact=None, rr=()): return variant(11, D) + u8(d) + u8(m) + u16(code - 100) + seq + opt(contact, u8) + vec(rr, u8)
def Answer(d, code): return variant(12, D) + u8(d) + u16(code - 100)
def Confirm(d): return variant(13, D) + u8(d)
def Terminate(d): return variant(14, D) + u8(d)
def FirstSeq(d, n): return variant(15, D) + u8(d) + u32(n)
def LocalContact(d, c): return variant(16, D) + u8(d) + u8(c)
def Unmatched(req): return variant(17, D) + req
M_INVITE, M_SUBSCRIBE, M_REFER, M_OPTIONS, M_BYE, M_NOTIFY, M_UPDATE, M_INFO, M_PRACK, M_ACK, M_CANCEL, M_MESSAGE, M_FOO = range(13)
G = 'dialogs'
write(G, 'uas-call-flow', rest([
    Uas(Req(M_INVITE, rr=(0, 1), cseq=314159)), Answer(0, 180), Answer(0, 200), Confirm(0),
    RecvReq(0, M_ACK, Above(0)), Send(0, M_INVITE), RecvResp(0, M_INVITE, 200, Above(0), contact=2),
    DAck(0, Above(0)), RecvReq(0, M_BYE, Above(1)), Answer(0, 200), Bye(0), Send(0, M_INFO)]))
write(G, 'uac-forking', rest([
    UacSet(Req(M_INVITE, cseq=1)), SetResponse(0, Resp(180, to_tag=1, contact=0, rr=(0,))),
    SetResponse(0, Resp(180, to_tag=5, contact=1)), SetResponse(0, Resp(200, to_tag=1, contact=0, rr=(0, 1))),
    SetResponse(0, Resp(200, to_tag=5, contact=2)), SetResponse(0, Resp(200, to_tag=5, contact=2)),
    SetResponse(0, Resp(486, to_tag=2)), TakeFromSet(0, 1), Send(0, M_UPDATE), DCancel(0, Below(1)),
    RecvReq(0, M_INFO, Above(7), tags=6), Bye(0), TerminateEarly(0), TakeFromSet(0, 5)]))
write(G, 'uac-strict-route', rest([
    Uac(Req(M_INVITE, cseq=0x7fffffff), Resp(200, to_tag=0, contact=0, rr=(1, 0, 7))),
    Send(0, M_INFO), Send(0, M_INVITE), RecvReq(0, M_NOTIFY, Above(5), contact=6),
    RecvReq(0, M_INFO, Below(1)), RecvResp(0, M_INVITE, 200, Above(0), contact=9, rr=(3,)),
    LocalContact(0, 1), Send(0, M_REFER), RecvResp(0, M_REFER, 481, Above(0)), Terminate(0), Send(0, M_BYE)]))
write(G, 'uas-subscribe-refer', rest([
    Uas(Req(M_SUBSCRIBE, from_tag=3, contact=1, rr=(2, 6), ruri=1), local_tag=1, contact=1, tls=True),
    Uas(Req(M_REFER, from_tag=5, contact=4), local_tag=0),
    Uas(Req(M_REFER, from_tag=5, contact=10, call_id=3), local_tag=5, contact=9),
    FirstSeq(0, 0xffffffff), Send(0, M_NOTIFY), Send(0, M_NOTIFY), RecvReq(0, M_SUBSCRIBE, Above(1), contact=5),
    Answer(0, 202), Send(1, M_NOTIFY), FirstSeq(1, 0xfffffffe), Unmatched(Req(M_BYE)), Unmatched(Req(M_ACK)),
    Unmatched(Req(M_OPTIONS, to_tag=1)), Unmatched(Req(M_CANCEL, to_tag=1))]))
write(G, 'bad-messages', rest([
    Uas(Req(M_INVITE, from_tag=None)), Uas(Req(M_INVITE, from_tag=4)), Uas(Req(M_INVITE, contact=None)),
    Uas(Req(M_INVITE, contact=3)), Uas(Req(M_INVITE, contact=4)), Uas(Req(M_INVITE, contact=5)),
    Uas(Req(M_INVITE, rr=(4,))), Uas(Req(M_INVITE, rr=(5,))), Uas(Req(M_INVITE, to_tag=0)),
    Uas(Req(M_INVITE), local_tag=3), Uas(Req(M_OPTIONS)),
    Uac(Req(M_INVITE), Resp(200)), Uac(Req(M_INVITE), Resp(200, to_tag=1, contact=None)),
    Uac(Req(M_INVITE), Resp(183, to_tag=1, contact=None)), Uac(Req(M_INVITE), Resp(200, to_tag=1, contact=0, mismatch=6)),
    Uac(Req(M_OPTIONS), Resp(200, to_tag=1, contact=0)), Uac(Req(M_SUBSCRIBE), Resp(180, to_tag=1, contact=0)),
    UacSet(Req(M_INVITE)), SetResponse(0, Resp(200, contact=0)), SetResponse(0, Resp(200, to_tag=1, contact=0, mismatch=7)),
    SetResponse(0, Resp(183, to_tag=2, contact=7))]))

# ---------------- stack_input
S = 'stack_input'
def datagram(payload, remote=0): return u8((remote << 3) | 0) + u16(len(payload)) + payload
def stream(payload, conn=0): return u8((conn << 3) | 2) + u16(len(payload)) + payload
def advance(ms, shift=0): return u8((shift << 3) | 3) + u16(ms)
def conn_op(kind, which=0): return u8((((which * 4) + kind) << 3) | 4)
def respond(code, tx=0): return u8((tx << 3) | 5) + u16(code - 100)
def send(which, tcp, remote=0): return u8((((which * 8) + (4 if tcp else 0) + remote) << 3) | 6)
def echo(code): return u8(7) + u16(code - 100)

def crlf(s): return s.replace('\n', '\r\n').encode()
INVITE_MSG = crlf("""INVITE sip:bob@192.0.2.1 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK776asdhds;rport
Max-Forwards: 70
To: Bob <sip:bob@192.0.2.1>
From: Alice <sip:alice@192.0.2.2>;tag=1928301774
Call-ID: a84b4c76e66710@192.0.2.2
CSeq: 314159 INVITE
Contact: <sip:alice@192.0.2.2>
Content-Type: application/sdp
Content-Length: 4

v=0
""")
ACK_MSG = crlf("""ACK sip:bob@192.0.2.1 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK776asdhds;rport
Max-Forwards: 70
To: Bob <sip:bob@192.0.2.1>;tag=fz
From: Alice <sip:alice@192.0.2.2>;tag=1928301774
Call-ID: a84b4c76e66710@192.0.2.2
CSeq: 314159 ACK
Content-Length: 0

""")
CANCEL_MSG = crlf("""CANCEL sip:bob@192.0.2.1 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK776asdhds;rport
Max-Forwards: 70
To: Bob <sip:bob@192.0.2.1>
From: Alice <sip:alice@192.0.2.2>;tag=1928301774
Call-ID: a84b4c76e66710@192.0.2.2
CSeq: 314159 CANCEL
Content-Length: 0

""")
OPTIONS_MSG = crlf("""OPTIONS sip:bob@192.0.2.1 SIP/2.0
Via: SIP/2.0/TCP 192.0.2.3:5070;branch=z9hG4bKopt1
Max-Forwards: 70
To: <sip:bob@192.0.2.1>
From: <sip:carol@192.0.2.3>;tag=c1
Call-ID: opt1@192.0.2.3
CSeq: 1 OPTIONS
Content-Length: 0

""")
RESPONSE_MSG = crlf("""SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKstray;rport=5060
To: <sip:bob@192.0.2.2>;tag=b
From: <sip:alice@192.0.2.1>;tag=fz
Call-ID: stray@192.0.2.1
CSeq: 1 INVITE
Contact: <sip:bob@192.0.2.2>
Content-Length: 0

""")
write(S, 'invite-486-ack', datagram(INVITE_MSG) + advance(250) + datagram(INVITE_MSG) + respond(180) + respond(486) + advance(500) + datagram(INVITE_MSG) + datagram(ACK_MSG) + advance(6000))
write(S, 'invite-200-ack', datagram(INVITE_MSG) + respond(200) + datagram(ACK_MSG) + datagram(INVITE_MSG) + advance(40000))
write(S, 'invite-cancel', datagram(INVITE_MSG) + respond(180) + datagram(CANCEL_MSG) + respond(487) + datagram(ACK_MSG) + advance(65535, 2))
write(S, 'options-over-tcp-split', conn_op(0) + stream(OPTIONS_MSG[:37]) + stream(OPTIONS_MSG[37:] + b'\r\n\r\n') + respond(200) + stream(OPTIONS_MSG) + conn_op(1) + advance(40000))
write(S, 'keepalive-and-stray', datagram(b'\r\n\r\n') + datagram(RESPONSE_MSG, 1) + datagram(RESPONSE_MSG.replace(b'INVITE', b'BYE'), 3) + conn_op(0) + stream(b'\r\n\r\n') + stream(b'\r\n') + advance(65535, 3))
write(S, 'uac-options-udp', send(0, False) + advance(500) + echo(100) + echo(200) + echo(200) + advance(10000))
write(S, 'uac-invite-tcp', send(1, True) + conn_op(2) + echo(180) + echo(486) + advance(40000) + send(1, True, 1) + send(2, False) + conn_op(1) + advance(65535, 1))
write(S, 'uac-invite-udp-cancel', send(1, False, 3) + echo(180) + send(2, False) + echo(200) + echo(487) + advance(65535))
write(S, 'server-response-over-closed-connection', conn_op(0) + stream(OPTIONS_MSG) + conn_op(1) + respond(200) + conn_op(2) + advance(40000))
# RFC 4475 torture messages as datagrams, several per seed.
torture = sorted(glob.glob(os.path.join(ROOT, 'parse_message', '*.dat')))
for i in range(0, len(torture), 6):
    data = b''
    for j, p in enumerate(torture[i:i + 6]):
        body = open(p, 'rb').read()[:65535]
        data += datagram(body, j % 4) + respond(200 + j)
    write(S, f'rfc4475-{i // 6:02}', data)
