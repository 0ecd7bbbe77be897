"""PJSUA2 writes the documents ferrosip's interop tests load.

Usage: json_write.py OUT_DIR

Writes, with PJSUA2's JsonDocument:
- defaults.json: default EpConfig, TransportConfig, AccountConfig,
  BuddyConfig, AuthCredInfo, TlsConfig, SrtpOpt, RtcpFbConfig and
  SockOptParams, in that order (ferrosip must write the same bytes);
- sample.json: the document of pjsua2-api.md section 3;
- custom.json: every config with non-default values in (nearly) every
  field, several credentials, headers and proxies, non-ASCII text;
and, with Python's json module, defaults.expected.json and
custom.expected.json: [[class, fields], ...] for the objects written, in
order, as dump() sees them.
"""

import os
import sys

import pjsua2 as pj

from json_common import dump, finish, start, write_json, write_text


def header(name, value):
    h = pj.SipHeader()
    h.hName = name
    h.hValue = value
    return h


def sock_opt(level, name, value):
    o = pj.SockOpt()
    o.level = level
    o.optName = name
    o.setOptValInt(value)
    return o


def crypto(key, name, flags):
    c = pj.SrtpCrypto()
    c.key = key
    c.name = name
    c.flags = flags
    return c


def fb_cap(codec_id, type_, type_name, param):
    c = pj.RtcpFbCap()
    c.codecId = codec_id
    c.type = type_
    c.typeName = type_name
    c.param = param
    return c


def defaults():
    return [pj.EpConfig(), pj.TransportConfig(), pj.AccountConfig(), pj.BuddyConfig(),
            pj.AuthCredInfo(), pj.TlsConfig(), pj.SrtpOpt(), pj.RtcpFbConfig(),
            pj.SockOptParams()]


def sample():
    ep = pj.EpConfig()
    acc = pj.AccountConfig()
    acc.idUri = "sip:alice@example.com"
    acc.regConfig.registrarUri = "sip:example.com"
    acc.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", "alice", 0, "secret"))
    acc.sipConfig.proxies.append("sip:proxy.example.com;lr")
    acc.regConfig.headers.append(header("X-Test", "1"))
    tp = pj.TransportConfig()
    tp.port = 5060
    buddy = pj.BuddyConfig()
    buddy.uri = "sip:bob@example.com"
    buddy.subscribe = True
    return [ep, acc, tp, buddy]


def custom_tls(tls):
    tls.CaListFile = "/etc/ssl/c\u00e4.pem"
    tls.certFile = "/etc/ssl/cert.pem"
    tls.privKeyFile = "/etc/ssl/key.pem"
    tls.password = "p\u00e4ssword"
    tls.CaBuf = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    tls.certBuf = "cert-buf"
    tls.privKeyBuf = "key-buf"
    tls.certLookupType = pj.PJ_SSL_CERT_LOOKUP_FINGERPRINT
    tls.certLookupKeyword = "ab:cd:ef"
    tls.method = pj.PJSIP_TLSV1_2_METHOD
    tls.proto = 48
    tls.ciphers.append(49199)
    tls.ciphers.append(4865)
    tls.ciphers.append(47)
    tls.verifyServer = True
    tls.verifyClient = True
    tls.requireClientCert = True
    tls.msecTimeout = 2500
    tls.qosType = pj.PJ_QOS_TYPE_SIGNALLING
    tls.qosParams.flags = 1
    tls.qosParams.dscp_val = 40
    tls.qosIgnoreError = False
    tls.sockOptParams.sockOpts.append(sock_opt(1, 8, 131072))
    tls.sockOptIgnoreError = False
    tls.enableRenegotiation = False


def custom_transport():
    tp = pj.TransportConfig()
    tp.port = 5062
    tp.portRange = 10
    tp.randomizePort = True
    tp.publicAddress = "pub.example.com"
    tp.boundAddress = "192.0.2.1"
    tp.qosType = pj.PJ_QOS_TYPE_VOICE
    tp.qosParams.flags = 7
    tp.qosParams.dscp_val = 46
    tp.qosParams.so_prio = 5
    tp.qosParams.wmm_prio = pj.PJ_QOS_WMM_PRIO_VOICE
    tp.sockOptParams.sockOpts.append(sock_opt(1, 7, 65536))
    tp.sockOptParams.sockOpts.append(sock_opt(6, 1, 1))
    custom_tls(tp.tlsConfig)
    return tp


def custom_ep():
    ep = pj.EpConfig()
    ua = ep.uaConfig
    ua.maxCalls = 12
    ua.threadCnt = 0
    ua.mainThreadOnly = True
    ua.nameserver.append("8.8.8.8")
    ua.nameserver.append("1.1.1.1")
    ua.outboundProxies.append("sip:out.example.com;lr")
    ua.userAgent = "F\u00ebrr\u00f8 \u260e \U0001f600 /\"q\" \\ end"
    ua.stunServer.append("st\u00fcn.example.com:3478")
    ua.stunServer.append("stun2.example.com")
    ua.stunTryIpv6 = True
    ua.stunIgnoreFailure = False
    ua.natTypeInSdp = 2
    ua.mwiUnsolicitedEnabled = False
    ua.enableUpnp = True
    ua.upnpIfName = "eth0"
    log = ep.logConfig
    log.msgLogging = 0
    log.level = 3
    log.consoleLevel = 2
    log.decor = 16 | 64
    log.filename = "/var/log/pjs\u00fca.log"
    log.fileFlags = pj.PJ_O_APPEND
    med = ep.medConfig
    med.clockRate = 8000
    med.sndClockRate = 44100
    med.channelCount = 2
    med.audioFramePtime = 10
    med.maxMediaPorts = 100
    med.hasIoqueue = False
    med.threadCnt = 2
    med.quality = 4
    med.ptime = 30
    med.noVad = True
    med.ilbcMode = 20
    med.txDropPct = 5
    med.rxDropPct = 7
    med.ecOptions = 3
    med.ecTailLen = 100
    med.sndRecLatency = 50
    med.sndPlayLatency = 60
    med.jbInit = 2
    med.jbMinPre = 1
    med.jbMaxPre = 8
    med.jbMax = 20
    # jbDiscardAlgo is not settable from Python (an unwrapped enum pointer).
    med.sndAutoCloseTime = -1
    med.vidPreviewEnableNative = False
    med.sndUseSwClock = True
    return ep


def custom_account():
    acc = pj.AccountConfig()
    acc.priority = 5
    acc.idUri = "\"\u00c5lice \u00dcn\u00efcode\" <sip:alice@example.com>"
    reg = acc.regConfig
    reg.registrarUri = "sip:registrar.example.com;transport=tcp"
    reg.registerOnAdd = False
    reg.disableRegOnModify = True
    reg.headers.append(header("X-\u00c9\u00e9n", "1"))
    reg.headers.append(header("X-Two", "v=2;q=\"x\""))
    reg.contactParams = ";+sip.instance=\"<urn:uuid:1>\""
    reg.contactUriParams = ";ob"
    reg.timeoutSec = 600
    reg.retryIntervalSec = 120
    reg.firstRetryIntervalSec = 30
    reg.randomRetryIntervalSec = 5
    reg.delayBeforeRefreshSec = 10
    reg.dropCallsOnFail = True
    reg.unregWaitMsec = 2000
    reg.proxyUse = 1
    sip = acc.sipConfig
    sip.authCreds.append(pj.AuthCredInfo("digest", "example.com", "alice", 0, "s\u00e9cret"))
    ha1 = pj.AuthCredInfo("digest", "*", "alice-ha1", 1, "0123456789abcdef0123456789abcdef")
    ha1.algoType = pj.PJSIP_AUTH_ALGORITHM_SHA256
    sip.authCreds.append(ha1)
    aka = pj.AuthCredInfo("Digest", "ims.example.com", "alice@ims", 16, "aka-pw")
    aka.akaK = "k-value"
    aka.akaOp = "op-value"
    aka.akaAmf = "amf"
    sip.authCreds.append(aka)
    sip.proxies.append("sip:pr\u00f8xy1.example.com;lr")
    sip.proxies.append("sip:proxy2.example.com;lr")
    sip.contactForced = "<sip:alice@198.51.100.1:5070>"
    sip.contactParams = ";expires=60"
    sip.contactUriParams = ";line=abc"
    sip.authInitialEmpty = True
    sip.authInitialAlgorithm = "SHA-256"
    sip.transportId = 2
    sip.ipv6Use = pj.PJSUA_IPV6_ENABLED_PREFER_IPV6
    call = acc.callConfig
    call.holdType = pj.PJSUA_CALL_HOLD_TYPE_RFC2543
    call.prackUse = pj.PJSUA_100REL_OPTIONAL
    call.timerUse = pj.PJSUA_SIP_TIMER_ALWAYS
    call.timerMinSESec = 120
    call.timerSessExpiresSec = 900
    pres = acc.presConfig
    pres.headers.append(header("X-Pres", "\u00fc"))
    pres.publishEnabled = True
    pres.publishQueue = False
    pres.publishShutdownWaitMsec = 500
    pres.pidfTupleId = "tuple-\u00e9"
    acc.mwiConfig.enabled = True
    acc.mwiConfig.expirationSec = 1800
    nat = acc.natConfig
    nat.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
    nat.mediaStunUse = pj.PJSUA_STUN_USE_DEFAULT
    nat.sipUpnpUse = pj.PJSUA_UPNP_USE_DISABLED
    nat.mediaUpnpUse = pj.PJSUA_UPNP_USE_DISABLED
    nat.nat64Opt = pj.PJSUA_NAT64_ENABLED
    nat.iceEnabled = True
    nat.iceTrickle = pj.PJ_ICE_SESS_TRICKLE_FULL
    nat.iceMaxHostCands = 3
    nat.iceAggressiveNomination = False
    nat.iceNominatedCheckDelayMsec = 200
    nat.iceWaitNominationTimeoutMsec = -1
    nat.iceNoRtcp = True
    nat.iceAlwaysUpdate = False
    nat.turnEnabled = True
    nat.turnServer = "turn.example.com:3478"
    nat.turnConnType = pj.PJ_TURN_TP_TCP
    nat.turnUserName = "t\u00f9rn"
    nat.turnPasswordType = 1
    nat.turnPassword = "tp"
    nat.contactRewriteUse = 0
    nat.contactRewriteMethod = 1
    nat.contactUseSrcPort = 0
    nat.viaRewriteUse = 0
    nat.sdpNatRewriteUse = 1
    nat.sipOutboundUse = 0
    nat.sipOutboundInstanceId = "<urn:uuid:00000000-0000-0000-0000-000000000001>"
    nat.sipOutboundRegId = "2"
    nat.udpKaIntervalSec = 30
    nat.udpKaData = "ping"
    med = acc.mediaConfig
    med.transportConfig.port = 5000
    med.transportConfig.portRange = 100
    med.transportConfig.publicAddress = "203.0.113.5"
    med.transportConfig.qosType = pj.PJ_QOS_TYPE_VOICE
    med.lockCodecEnabled = False
    med.streamKaEnabled = True
    med.srtpUse = pj.PJMEDIA_SRTP_MANDATORY
    med.srtpSecureSignaling = 2
    # An empty key: PJSUA2 writes it but cannot load it back; ferrosip can.
    med.srtpOpt.cryptos.append(crypto("", "AES_CM_128_HMAC_SHA1_80", 0))
    med.srtpOpt.cryptos.append(crypto("k\u00e9y2", "AES_256_CM_HMAC_SHA1_32", 3))
    med.srtpOpt.keyings.append(1)
    med.srtpOpt.keyings.append(0)
    med.ipv6Use = pj.PJSUA_IPV6_ENABLED_NO_PREFERENCE
    med.rtcpMuxEnabled = True
    med.rtcpFbConfig.dontUseAvpf = False
    med.rtcpFbConfig.caps.append(fb_cap("*", pj.PJMEDIA_RTCP_FB_NACK, "", "pli"))
    med.rtcpXrEnabled = True
    med.useLoopMedTp = True
    med.enableLoopback = True
    vid = acc.videoConfig
    vid.autoShowIncoming = True
    vid.autoTransmitOutgoing = True
    vid.windowFlags = 3
    vid.defaultCaptureDevice = 1
    vid.defaultRenderDevice = 2
    vid.rateControlMethod = pj.PJMEDIA_VID_STREAM_RC_SIMPLE_BLOCKING
    vid.rateControlBandwidth = 256000
    vid.startKeyframeCount = 5
    vid.startKeyframeInterval = 1000
    ipc = acc.ipChangeConfig
    ipc.shutdownTp = False
    ipc.hangupCalls = True
    ipc.reinviteFlags = 2
    ipc.reinvUseUpdate = 1
    return acc


def second_account():
    acc = pj.AccountConfig()
    acc.idUri = "sip:bob@example.org"
    acc.regConfig.registrarUri = "sip:example.org"
    acc.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "example.org", "bob", 0, "pw"))
    return acc


def custom():
    buddy = pj.BuddyConfig()
    buddy.uri = "sip:b\u00f8b@example.com"
    buddy.subscribe = True
    cred = pj.AuthCredInfo("digest", "r\u00e9alm", "user", 1, "ha1")
    cred.akaK = "K"
    cred.akaOp = "OP"
    cred.akaAmf = "AMF"
    tls = pj.TlsConfig()
    custom_tls(tls)
    srtp = pj.SrtpOpt()
    srtp.cryptos.append(crypto("K1", "AES_CM_128_HMAC_SHA1_32", 1))
    srtp.keyings.append(0)
    fb = pj.RtcpFbConfig()
    fb.dontUseAvpf = False
    fb.caps.append(fb_cap("VP8/90000", pj.PJMEDIA_RTCP_FB_NACK, "", "pli"))
    fb.caps.append(fb_cap("*", pj.PJMEDIA_RTCP_FB_OTHER, "goog-remb", ""))
    sock = pj.SockOptParams()
    sock.sockOpts.append(sock_opt(1, 9, 1))
    return [custom_ep(), custom_transport(), custom_account(), second_account(), buddy, cred,
            tls, srtp, fb, sock]


def save(out_dir, stem, objects):
    doc = pj.JsonDocument()
    for obj in objects:
        doc.writeObject(obj)
    write_text(os.path.join(out_dir, stem + ".json"), doc.saveString())
    del doc
    write_json(os.path.join(out_dir, stem + ".expected.json"),
               [[type(obj).__name__, dump(obj)] for obj in objects])


def main():
    out_dir = sys.argv[1]
    ep = start()
    save(out_dir, "defaults", defaults())
    save(out_dir, "sample", sample())
    save(out_dir, "custom", custom())
    del ep
    finish(0)


if __name__ == "__main__":
    main()
