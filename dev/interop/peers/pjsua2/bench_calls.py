"""Call benchmark for the real PJSUA2, the twin of ferrosip's
`crates/ferrosip/examples/bench_calls.rs` (same commands, options and
`RESULT key=value ...` line; `scripts/bench-calls` runs both and compares
them; see BENCHMARKS.md, "Calls: side by side with PJSUA2").

    python bench_calls.py setup      [--seconds T | --calls N] [--inflight M] [--rate R]
                                     [--audio connect|none] [--linger S] [--files DIR]
    python bench_calls.py concurrent --count N [--seconds T] [--warmup S]
                                     [--inflight M] [--files DIR]

setup: a caller account calls a callee account in the same endpoint (two
UDP transports on 127.0.0.1); the callee answers 200 at once in
onIncomingCall (no 180), the caller hangs up as soon as the call is
CONFIRMED; back to back with up to M calls in flight, for T seconds or N
calls. concurrent: N calls set up (not measured), then T seconds measured
after the warmup: one looping player (speech8k_a.wav) transmits to every
call's audio on both sides and every call's audio to port 0 (null device);
PCMU only, 20 ms, VAD off.

This wheel holds at most 4 calls per process (PJSUA_MAX_CALLS; a call to
itself takes two), so M <= 2 and N <= 2 here. threadCnt = 0 with
libHandleEvents polled here; logging off. CPU time is getrusage(RUSAGE_SELF)
user + system (schedstat alongside). --module ferrosip runs the same through
ferrosip's Python package (once it has Call).
"""
import argparse
import importlib
import os
import random
import resource
import sys
import time

MODULE = sys.argv[sys.argv.index("--module") + 1] if "--module" in sys.argv[:-1] else "pjsua2"
pj = importlib.import_module(MODULE)
MAX_CALLS = 4


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    ns = 0
    threads = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open("/proc/self/task/%s/schedstat" % task) as f:
                ns += int(f.read().split()[0])
                threads += 1
        except OSError:
            pass
    return r.ru_utime + r.ru_stime, ns / 1e9, threads


def fds():
    return len(os.listdir("/proc/self/fd"))


class State:
    def __init__(self, connect):
        self.made = 0
        self.confirmed = 0
        self.caller_done = 0
        self.callee_done = 0
        self.failures = 0
        self.first_failure = None
        self.media_up = 0
        self.calls = []
        self.hangup_on_confirm = False
        self.connect = connect
        self.player = None
        self.speaker = None

    def fail(self, what):
        self.failures += 1
        if self.first_failure is None:
            self.first_failure = what


class Side(pj.Call):
    def __init__(self, st, acc, caller, call_id=pj.PJSUA_INVALID_ID):
        super().__init__(acc, call_id)
        self.st = st
        self.caller = caller
        self.confirmed = False

    def onCallState(self, prm):
        st = self.st
        ci = self.getInfo()
        if ci.state == pj.PJSIP_INV_STATE_CONFIRMED and not self.confirmed:
            self.confirmed = True
            if self.caller:
                st.confirmed += 1
                if st.hangup_on_confirm:
                    try:
                        self.hangup(pj.CallOpParam())
                    except pj.Error as e:
                        st.fail("hangup: %s" % e.reason)
        elif ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            if self.caller:
                st.caller_done += 1
            else:
                st.callee_done += 1
            if not self.confirmed or not st.hangup_on_confirm:
                st.fail("%s call ended %d %s (confirmed: %s)" % (
                    "caller" if self.caller else "callee", ci.lastStatusCode, ci.lastReason,
                    self.confirmed))
            # Dropped after the callback returns (the main loop sweeps).
            st.ended.append(self)

    def onCallMediaState(self, prm):
        st = self.st
        st.media_up += 1
        if not st.connect:
            return
        ci = self.getInfo()
        for i, mi in enumerate(ci.media):
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                am = self.getAudioMedia(i)
                st.player.startTransmit(am)
                am.startTransmit(st.speaker)


class Callee(pj.Account):
    def __init__(self, st):
        super().__init__()
        self.st = st

    def onIncomingCall(self, prm):
        c = Side(self.st, self, False, prm.callId)
        self.st.calls.append(c)
        op = pj.CallOpParam()
        op.statusCode = 200
        try:
            c.answer(op)
        except pj.Error as e:
            self.st.fail("answer: %s" % e.reason)


class Bench:
    def __init__(self, args, max_calls):
        self.args = args
        ep = pj.Endpoint()
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = max_calls
        cfg.medConfig.noVad = True
        cfg.logConfig.level = int(os.environ.get("BENCH_CALLS_PJ_LOG", "0"))
        cfg.logConfig.consoleLevel = cfg.logConfig.level
        ep.libInit(cfg)
        tids = []
        for _ in range(2):
            tcfg = pj.TransportConfig()
            tcfg.port = 0
            tcfg.boundAddress = "127.0.0.1"
            tids.append(ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg))
        ep.libStart()
        ep.audDevManager().setNullDev()
        for c in ep.codecEnum2():
            ep.codecSetPriority(c.codecId, 255 if c.codecId.startswith("PCMU/") else 0)
        self.ep = ep
        self.st = State(args.audio == "connect")
        self.st.ended = []
        addrs = [ep.transportGetInfo(t).localName for t in tids]

        def acfg(user, addr, tid):
            c = pj.AccountConfig()
            c.idUri = "sip:%s@%s" % (user, addr)
            c.sipConfig.transportId = tid
            c.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
            # RTP from a random even port with a wide range: PJSUA's 4000 + 100
            # pairs runs out when other programs hold those ports.
            c.mediaConfig.transportConfig.port = 20000 + 2 * random.randrange(10000)
            c.mediaConfig.transportConfig.portRange = 2000
            return c

        self.caller = pj.Account()
        self.caller.create(acfg("caller", addrs[0], tids[0]))
        self.callee = Callee(self.st)
        self.callee.create(acfg("callee", addrs[1], tids[1]))
        self.target = "sip:callee@%s" % addrs[1]

    def make_call(self):
        st = self.st
        c = Side(st, self.caller, True)
        st.made += 1
        try:
            c.makeCall(self.target, pj.CallOpParam(True))
        except pj.Error as e:
            st.made -= 1
            raise RuntimeError("makeCall #%d: %s (status %d)" % (st.made + 1, e.reason, e.status))
        st.calls.append(c)

    def in_flight(self):
        st = self.st
        return st.made - min(st.caller_done, st.callee_done)

    def pump(self, ms):
        self.ep.libHandleEvents(ms)
        st = self.st
        if st.ended:
            gone = set(id(c) for c in st.ended)
            st.calls = [c for c in st.calls if id(c) not in gone]
            st.ended.clear()

    def check(self):
        if self.st.first_failure:
            raise RuntimeError(self.st.first_failure)

    def attach_media(self):
        st = self.st
        path = os.path.join(self.args.files, "speech8k_a.wav")
        if not os.path.exists(path):
            raise RuntimeError("%s is missing: run `bench_media files --files %s` first"
                               % (path, self.args.files))
        st.speaker = self.ep.audDevManager().getPlaybackDevMedia()
        st.player = pj.AudioMediaPlayer()
        st.player.createPlayer(path, 0)

    def finish(self):
        st = self.st
        self.ep.hangupAllCalls()
        deadline = time.monotonic() + 5
        while self.in_flight() > 0 and time.monotonic() < deadline:
            self.pump(10)
        time.sleep(0.1)
        self.pump(10)
        # Every PJSUA2 object goes before libDestroy (after it, their
        # destructors assert).
        st.calls.clear()
        st.ended.clear()
        st.player = None
        st.speaker = None
        self.caller.shutdown()
        self.callee.shutdown()
        self.caller = None
        self.callee = None
        self.ep.libDestroy()


def setup(args):
    if 2 * args.inflight > MAX_CALLS and MODULE == "pjsua2":
        raise RuntimeError("this PJSUA2 holds %d calls per process: --inflight %d needs %d"
                           % (MAX_CALLS, args.inflight, 2 * args.inflight))
    b = Bench(args, max(MAX_CALLS, 2 * args.inflight + 8) if MODULE != "pjsua2" else MAX_CALLS)
    st = b.st
    st.hangup_on_confirm = True
    if st.connect:
        b.attach_media()
    b.make_call()
    deadline = time.monotonic() + 10
    while b.in_flight() > 0 and time.monotonic() < deadline:
        b.pump(5)
    b.check()
    warm = st.made
    # The idle process's CPU (the media clock, the poll), for the net
    # figure at a paced rate: 1 s polled as the loop below polls.
    i0 = cpu()[0]
    ti = time.monotonic()
    while time.monotonic() - ti < 1.0:
        b.pump(10)
    idle_cpu_per_s = (cpu()[0] - i0) / (time.monotonic() - ti)
    rss_before = rss_kib()
    c0, n0, _ = cpu()
    t0 = time.monotonic()
    max_fds = 0
    next_sample = 0.0
    while True:
        made = st.made - warm
        now = time.monotonic() - t0
        more = made < args.calls if args.calls else now < args.seconds
        if not more and b.in_flight() == 0:
            break
        due = made / args.rate if args.rate > 0 else 0.0
        if more and now >= due and b.in_flight() < args.inflight:
            b.make_call()
            continue
        # Wait for an event (the poll returns when one is handled), or
        # until the next paced call is due.
        wait = due - now if more and now < due else 0.010
        b.pump(max(1, min(10, int(wait * 1000))))
        if now >= next_sample:
            max_fds = max(max_fds, fds())
            if int(now * 1000) % 5000 < 100:
                print("t=%.1f calls=%d rss_kib=%d" % (now, made, rss_kib()), file=sys.stderr)
            next_sample = now + 0.1
        if now > args.seconds + 30 and not args.calls:
            raise RuntimeError("%d calls still in flight 30 s after the end" % b.in_flight())
    wall = time.monotonic() - t0
    c1, n1, threads = cpu()
    rss_after = rss_kib()
    end = time.monotonic() + args.linger
    while time.monotonic() < end:
        b.pump(20)
    rss_linger = rss_kib()
    cpu_to_linger_s = cpu()[0] - c0
    made, confirmed = st.made - warm, st.confirmed - warm
    failures, media_up = st.failures, st.media_up
    if st.first_failure:
        print("setup: first failure: %s" % st.first_failure, file=sys.stderr)
    b.finish()
    cpu_s = c1 - c0
    return ("inflight=%d rate=%s audio=%s wall_s=%.6f cpu_s=%.6f schedstat_s=%.6f threads=%d calls=%d "
            "completed=%d failures=%d media_up=%d setups_per_s=%.1f cpu_us_per_call=%.1f "
            "idle_cpu_per_s=%.6f net_cpu_us_per_call=%.1f rss_before_kib=%d rss_after_kib=%d rss_linger_kib=%d linger_s=%s cpu_to_linger_s=%.6f max_fds=%d procs=1"
            % (args.inflight, args.rate, args.audio, wall, cpu_s, n1 - n0, threads, made, confirmed,
               failures, media_up, confirmed / wall, cpu_s * 1e6 / max(1, confirmed),
               idle_cpu_per_s, (cpu_s - idle_cpu_per_s * wall) * 1e6 / max(1, confirmed),
               rss_before, rss_after, rss_linger, args.linger, cpu_to_linger_s, max_fds))


def packets(calls):
    tx = rx = loss = streams = 0
    for c in calls:
        try:
            s = c.getStreamStat(0)
        except pj.Error:
            continue
        tx += s.rtcp.txStat.pkt
        rx += s.rtcp.rxStat.pkt
        loss += s.rtcp.rxStat.loss
        streams += 1
    return tx, rx, loss, streams


def concurrent(args):
    n = args.count
    if 2 * n > MAX_CALLS and MODULE == "pjsua2":
        raise RuntimeError("this PJSUA2 holds %d calls per process: N = %d needs %d"
                           % (MAX_CALLS, n, 2 * n))
    b = Bench(args, MAX_CALLS if MODULE == "pjsua2" else 2 * n + 8)
    st = b.st
    st.connect = True
    b.attach_media()
    b.pump(0)
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        b.pump(20)
    rss_before = rss_kib()
    fds_before = fds()
    t_setup = time.monotonic()
    while st.made < n:
        if st.made * 2 - st.media_up < 2 * args.inflight:
            b.make_call()
        else:
            b.pump(1)
        b.check()
        if time.monotonic() - t_setup > 120:
            raise RuntimeError("setting the calls up took over 120 s")
    while st.media_up < 2 * n:
        b.pump(5)
        b.check()
        if time.monotonic() - t_setup > 120:
            raise RuntimeError("setting the calls up took over 120 s")
    setup_s = time.monotonic() - t_setup
    fds_after = fds()
    end = time.monotonic() + args.warmup
    while time.monotonic() < end:
        b.pump(20)
    calls = list(st.calls)
    p0 = packets(calls)
    c0, n0, _ = cpu()
    t0 = time.monotonic()
    while True:
        left = args.seconds - (time.monotonic() - t0)
        if left <= 0:
            break
        b.pump(max(1, min(50, int(left * 1000))))
    wall = time.monotonic() - t0
    c1, n1, threads = cpu()
    p1 = packets(calls)
    rss_after = rss_kib()
    b.check()
    calls = None
    st.hangup_on_confirm = True
    b.finish()
    return ("wall_s=%.6f cpu_s=%.6f schedstat_s=%.6f threads=%d calls=%d streams=%d tx_pkt=%d "
            "rx_pkt=%d loss=%d rss_before_kib=%d rss_after_kib=%d fds_before=%d fds_after=%d "
            "setup_s=%.3f procs=1"
            % (wall, c1 - c0, n1 - n0, threads, n, p1[3], p1[0] - p0[0], p1[1] - p0[1],
               p1[2] - p0[2], rss_before, rss_after, fds_before, fds_after, setup_s))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["setup", "concurrent"])
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--calls", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--inflight", type=int, default=1)
    ap.add_argument("--audio", choices=["connect", "none"], default="connect")
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--rate", type=float, default=0.0)
    ap.add_argument("--linger", type=float, default=0.0)
    ap.add_argument("--files", default="target/bench-media/wav")
    ap.add_argument("--module", default="pjsua2")
    args = ap.parse_args()
    args.inflight = max(1, args.inflight)
    impl = MODULE
    try:
        fields = setup(args) if args.command == "setup" else concurrent(args)
    except (pj.Error, RuntimeError) as e:
        what = "%s (status %d) in %s" % (e.reason, e.status, e.title) if isinstance(e, pj.Error) else str(e)
        print("%s: %s" % (args.command, what), file=sys.stderr, flush=True)
        print("RESULT impl=%s scenario=%s count=%d error=1" % (impl, args.command, args.count),
              flush=True)
        sys.stdout.flush()
        os._exit(1)
    print("RESULT impl=%s scenario=%s count=%d seconds=%s %s"
          % (impl, args.command, args.count, args.seconds, fields), flush=True)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
