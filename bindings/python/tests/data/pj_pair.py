"""What the two-party PJSUA2 programs in this directory share (they run
unchanged on PJSUA2 and on ferrosip, `pj` being either module): an
endpoint polled by the program (threadCnt 0, no sound device, no log),
alice and bob each an account on its own UDP transport of 127.0.0.1, their
RTP from `rtp_port` (alice) and `rtp_port + 8` (bob)."""

import time


def start(pj, make_account, rtp_port):
    """Starts the endpoint and the two accounts (`make_account(who)` makes
    each `pj.Account`); returns (endpoint, {who: account}, bob's URI)."""
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
    transports = {who: ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc) for who in ("alice", "bob")}
    ep.libStart()
    ep.audDevManager().setNullDev()
    accounts = {}
    for n, (who, tid) in enumerate(transports.items()):
        acfg = pj.AccountConfig()
        acfg.idUri = f"sip:{who}@{ep.transportGetInfo(tid).localName}"
        acfg.sipConfig.transportId = tid
        acfg.mediaConfig.transportConfig.port = rtp_port + 8 * n
        acc = make_account(who)
        acc.create(acfg)
        accounts[who] = acc
    return ep, accounts, f"sip:bob@{ep.transportGetInfo(transports['bob']).localName}"


def handle(ep, seconds, until=lambda: False):
    """Polls the endpoint for `seconds`, or until `until()`."""
    deadline = time.time() + seconds
    while time.time() < deadline and not until():
        ep.libHandleEvents(10)
