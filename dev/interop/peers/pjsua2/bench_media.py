"""Media benchmark for the real PJSUA2, the twin of ferrosip's
`crates/ferrosip/examples/bench_media.rs` (same commands, options and
`RESULT key=value ...` line; `scripts/bench-media` runs both and compares
them; see BENCHMARKS.md, "Media engine: side by side with PJSUA2").

    python bench_media.py players --count K [--seconds T] [--warmup S] [--files DIR]
                                  [--out DIR] [--keep] [--module pjsua2|ferrosip]
    python bench_media.py calls   --count N [--seconds T] [--warmup S] [--files DIR]
                                  [--vad] [--role auto|both|split|caller|callee]
                                  [--calls-per-process C] [--max-calls M] [--peer PORT]

players: K looping players (player i plays file i mod 4 of the files that
`bench_media files` writes) all transmitting to one WAV recorder; measures
--seconds of wall time after --warmup, then closes the recording and checks
its length and loudness. --module ferrosip runs the same with ferrosip's
Python package.

calls (alias streams): PJSUA2 has no call-less streams, so N calls over SIP
on 127.0.0.1, each call two PJSUA calls (the caller's and the callee's) and
two streams: PCMU only (every other codec's priority 0), 20 ms, voice
activity detection off (noVad; --vad keeps it); one looping player
(speech8k_a.wav) transmits to every call's audio, and every call's audio
transmits to the sound device port (port 0, the null device), both ways as
ferrosip's `streams` does with its stream pairs.

This wheel holds at most 4 calls per process (its PJSUA_MAX_CALLS: libInit
accepts a larger uaConfig.maxCalls, but the fifth makeCall raises
PJ_ETOOMANY), so with --role auto (the default) N <= 2 calls run in one
process (--role both: the endpoint's one account calls itself), and larger
N over ceil(N / 4) pairs of processes (--role split: a callee process that
answers, and a caller process that calls it, each with up to 4 calls). The
processes set their calls up, then all measure at once when this one says
GO; the RESULT line sums their figures (`procs=` says how many; this
process only waits). Setup and teardown are not measured.

The bridge is PJSUA2's default: 16 kHz mono, 20 ms frames, the null sound
device (setNullDev), threadCnt = 0 with libHandleEvents(50) polled here
during the measurement, logging off. CPU time is getrusage(RUSAGE_SELF)
user + system of the process (the sum of /proc/self/task/*/schedstat is
printed alongside, as ferrosip measures it).
"""
import argparse
import importlib
import math
import os
import random
import resource
import select
import subprocess
import sys
import tempfile
import time
import wave

# --module ferrosip runs the players with ferrosip's Python package, whose
# API is PJSUA2's (the "ferrosip from Python" column).
MODULE = sys.argv[sys.argv.index("--module") + 1] if "--module" in sys.argv[:-1] else "pjsua2"
pj = importlib.import_module(MODULE)

FILES = ["speech8k_a.wav", "speech16k_a.wav", "speech8k_b.wav", "speech16k_b.wav"]
SETUP_LIMIT = 60.0
# Calls one PJSUA2 process can hold: the wheel's PJSUA_MAX_CALLS. A larger
# uaConfig.maxCalls is accepted by libInit but the fifth makeCall raises
# PJ_ETOOMANY (see BENCHMARKS.md).
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
    return r.ru_utime, r.ru_stime, ns / 1e9, threads


class Bench:
    def __init__(self, args, max_calls=None, transport=False):
        self.args = args
        ep = pj.Endpoint()
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        if max_calls:
            cfg.uaConfig.maxCalls = max_calls
        cfg.medConfig.noVad = not getattr(args, "vad", True)
        cfg.logConfig.level = int(os.environ.get("BENCH_MEDIA_PJ_LOG", "0"))
        cfg.logConfig.consoleLevel = cfg.logConfig.level
        assert cfg.medConfig.clockRate == 16000 and cfg.medConfig.audioFramePtime == 20
        ep.libInit(cfg)
        ep.audDevManager().setNullDev()
        self.port = None
        if transport:
            tcfg = pj.TransportConfig()
            tcfg.port = 0
            tcfg.boundAddress = "127.0.0.1"
            tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
            self.port = int(ep.transportGetInfo(tid).localName.rsplit(":", 1)[1])
        ep.libStart()
        self.ep = ep

    def file(self, i):
        path = os.path.join(self.args.files, FILES[i % len(FILES)])
        if not os.path.exists(path):
            sys.exit("%s is missing: run `bench_media files --files %s` first"
                     % (path, self.args.files))
        return path

    def idle(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.ep.libHandleEvents(20)

    def measure(self, seconds):
        u0, s0, n0, _ = cpu()
        t0 = time.monotonic()
        while True:
            left = seconds - (time.monotonic() - t0)
            if left <= 0:
                break
            self.ep.libHandleEvents(max(1, min(50, int(left * 1000))))
        wall = time.monotonic() - t0
        u1, s1, n1, threads = cpu()
        return {"wall_s": wall, "cpu_s": (u1 - u0) + (s1 - s0), "user_s": u1 - u0,
                "sys_s": s1 - s0, "schedstat_s": n1 - n0, "threads": threads}


def window_fields(w):
    return ("wall_s=%.6f cpu_s=%.6f user_s=%.6f sys_s=%.6f schedstat_s=%.6f threads=%d"
            % (w["wall_s"], w["cpu_s"], w["user_s"], w["sys_s"], w["schedstat_s"], w["threads"]))


def read_recording(path):
    """(seconds of audio, seconds of 20 ms frames louder than 100 RMS, RMS)."""
    try:
        w = wave.open(path, "rb")
    except (OSError, EOFError, wave.Error):
        return 0.0, 0.0, 0.0
    with w:
        rate = w.getframerate() * w.getnchannels()
        data = w.readframes(w.getnframes())
    import array
    samples = array.array("h")
    samples.frombytes(data[:len(data) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    frame = max(1, rate // 50)
    loud = 0
    total = 0.0
    for i in range(0, len(samples), frame):
        chunk = samples[i:i + frame]
        e = sum(x * x for x in chunk)
        total += e
        if math.sqrt(e / len(chunk)) > 100:
            loud += 1
    n = len(samples)
    return n / rate, loud * frame / rate, math.sqrt(total / n) if n else 0.0


def players(args):
    b = Bench(args)
    ep = b.ep
    temporary = args.out is None
    out = args.out or tempfile.mkdtemp(prefix="bench-media-pj-")
    os.makedirs(out, exist_ok=True)
    rec_path = os.path.join(out, "pjsua2-players-%d.wav" % args.count)
    b.idle(0.3)
    rss_before = rss_kib()
    recorder = pj.AudioMediaRecorder()
    recorder.createRecorder(rec_path)
    plist = []
    for i in range(args.count):
        plist.append(pj.AudioMediaPlayer())
        plist[-1].createPlayer(b.file(i), 0)
    connected = time.monotonic()
    for i in range(len(plist)):
        plist[i].startTransmit(recorder)
    b.idle(args.warmup)
    w = b.measure(args.seconds)
    rss_after = rss_kib()
    level = recorder.getTxLevel()
    # Destroying the recorder completes the file, in the media clock's
    # next tick: PJSUA 2.14 and later queue conference operations.
    del recorder
    recorded_for = time.monotonic() - connected
    b.idle(0.2)
    # Every PJSUA2 object goes before libDestroy (after it, their
    # destructors assert).
    plist.clear()
    rec_s, loud_s, rms = read_recording(rec_path)
    ep.libDestroy()
    if not args.keep:
        try:
            os.remove(rec_path)
            if temporary:
                os.rmdir(out)
        except OSError:
            pass
    return ("%s rss_before_kib=%d rss_after_kib=%d rec_s=%.3f rec_expected_s=%.3f "
            "rec_loud_s=%.3f rec_rms=%.0f tx_level=%d"
            % (window_fields(w), rss_before, rss_after, rec_s, recorded_for, loud_s, rms, level))


class Call(pj.Call if hasattr(pj, "Call") else object):
    def __init__(self, bench, acc, call_id=pj.PJSUA_INVALID_ID):
        super().__init__(acc, call_id)
        self.bench = bench
        self.media = None
        self.confirmed = False

    def onCallState(self, prm):
        ci = self.getInfo()
        if ci.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.confirmed = True
        elif ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.bench.ended += 1
            if not self.bench.failure and not self.bench.hanging_up:
                self.bench.failure = "call ended: %d %s" % (ci.lastStatusCode, ci.lastReason)

    def onCallMediaState(self, prm):
        ci = self.getInfo()
        for i, mi in enumerate(ci.media):
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                am = self.getAudioMedia(i)
                # Both ways, as every side of ferrosip's stream pairs.
                self.bench.player.startTransmit(am)
                am.startTransmit(self.bench.speaker)
                self.media = am


class Acc(pj.Account if hasattr(pj, "Account") else object):
    def __init__(self, bench):
        super().__init__()
        self.bench = bench

    def onIncomingCall(self, prm):
        c = Call(self.bench, self, prm.callId)
        self.bench.calls.append(c)
        op = pj.CallOpParam()
        op.statusCode = 200
        c.answer(op)


def packets(calls):
    tx = rx = loss = 0
    for c in calls:
        try:
            st = c.getStreamStat(0)
        except pj.Error:
            continue
        tx += st.rtcp.txStat.pkt
        rx += st.rtcp.rxStat.pkt
        loss += st.rtcp.rxStat.loss
    return tx, rx, loss


def fail(b, what, made):
    print("calls: %s (%d calls set up here, maxCalls %d)" % (what, made, b.max_calls),
          file=sys.stderr, flush=True)
    print("RESULT impl=pjsua2 scenario=calls count=%d error=1 calls_up=%d max_calls=%d"
          % (b.args.count, made, b.max_calls), flush=True)
    sys.stdout.flush()
    os._exit(1)


def wait_line(b, expected):
    """Polls PJSUA2 until `expected` arrives on stdin (from the parent)."""
    while True:
        b.ep.libHandleEvents(10)
        if select.select([sys.stdin], [], [], 0)[0]:
            line = sys.stdin.readline()
            if not line or line.strip() == expected:
                return
        if b.failure:
            fail(b, b.failure, len(b.calls))


def calls(args):
    """N calls in this process: --role both (caller and callee here: 2 N
    PJSUA calls), caller (N calls to --peer), or callee (answers N)."""
    n = args.count
    role = args.role
    slots = n if role != "both" else 2 * n
    max_calls = args.max_calls or max(4, slots)
    b = Bench(args, max_calls=max_calls, transport=True)
    b.max_calls = max_calls
    ep = b.ep
    for c in ep.codecEnum2():
        ep.codecSetPriority(c.codecId, 255 if c.codecId.startswith("PCMU/") else 0)
    b.failure = None
    b.hanging_up = False
    b.ended = 0
    b.calls = []
    b.speaker = ep.audDevManager().getPlaybackDevMedia()
    acfg = pj.AccountConfig()
    acfg.idUri = "sip:bench@127.0.0.1:%d" % b.port
    acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    # RTP from a random even port with a wide range: PJSUA's 4000 + 100
    # pairs runs out when other programs hold those ports.
    acfg.mediaConfig.transportConfig.port = 20000 + 2 * random.randrange(10000)
    acfg.mediaConfig.transportConfig.portRange = 2000
    acc = Acc(b)
    acc.create(acfg)
    b.idle(0.3)
    rss_before = rss_kib()
    b.player = pj.AudioMediaPlayer()
    b.player.createPlayer(b.file(0), 0)
    if role == "callee":
        print("LISTEN %d" % b.port, flush=True)
    target = "sip:bench@127.0.0.1:%d" % (args.peer or b.port)
    made = 0
    if role != "callee":
        for i in range(n):
            b.calls.append(Call(b, acc))
            try:
                b.calls[-1].makeCall(target, pj.CallOpParam(True))
            except pj.Error as e:
                b.calls.pop()
                fail(b, "call %d of %d refused: %s (status %d)" % (i + 1, n, e.reason, e.status),
                     made)
            made += 1
            # One at a time: each answered before the next.
            deadline = time.monotonic() + SETUP_LIMIT
            while not (b.calls[-1].confirmed and b.calls[-1].media is not None):
                if b.failure or time.monotonic() > deadline:
                    fail(b, b.failure or "call %d not set up" % (i + 1), made)
                ep.libHandleEvents(10)
    # Every call of this process (both sides with --role both) up.
    deadline = time.monotonic() + SETUP_LIMIT
    while sum(1 for c in b.calls if c.media is not None) < slots:
        if b.failure or time.monotonic() > deadline:
            fail(b, b.failure or "%d of %d calls with active media"
                 % (sum(1 for c in b.calls if c.media is not None), slots), len(b.calls))
        ep.libHandleEvents(10)
    if role != "both":
        print("READY", flush=True)
        wait_line(b, "GO")
    b.idle(args.warmup)
    p0 = packets(b.calls)
    w = b.measure(args.seconds)
    p1 = packets(b.calls)
    rss_after = rss_kib()
    codecs = set()
    for i in range(len(b.calls)):
        try:
            codecs.add(b.calls[i].getStreamInfo(0).codecName)
        except pj.Error:
            pass
    result = ("%s rss_before_kib=%d rss_after_kib=%d streams=%d tx_pkt=%d rx_pkt=%d loss=%d "
              "max_calls=%d role=%s codec=%s"
              % (window_fields(w), rss_before, rss_after, len(b.calls), p1[0] - p0[0],
                 p1[1] - p0[1], p1[2] - p0[2], max_calls, role, ",".join(sorted(codecs)) or "-"))
    b.hanging_up = True
    if role != "both":
        print("RESULT impl=pjsua2 scenario=calls count=%d seconds=%s %s"
              % (n, args.seconds, result), flush=True)
        wait_line(b, "END")
    if role != "callee":
        ep.hangupAllCalls()
    deadline = time.monotonic() + 5
    while b.ended < len(b.calls) and time.monotonic() < deadline:
        ep.libHandleEvents(10)
    # Every PJSUA2 object goes before libDestroy (after it, their
    # destructors assert).
    b.calls.clear()
    b.player = None
    b.speaker = None
    acc.shutdown()
    del acc
    ep.libDestroy()
    if role != "both":
        sys.stdout.flush()
        os._exit(0)
    return result


def spread(args):
    """N calls over process pairs (a caller and a callee process, each with
    at most --calls-per-process calls), measured together: every process
    sets its calls up and says READY; then all start measuring at once. The
    figures are the sums over the processes (this one only waits)."""
    n = args.count
    per = args.calls_per_process
    pairs = (n + per - 1) // per
    me = os.path.abspath(__file__)
    common = ["--seconds", str(args.seconds), "--warmup", str(args.warmup), "--files", args.files]
    if args.vad:
        common.append("--vad")
    # PJSUA2 prints its first log lines to stdout whatever the level.
    def read(p, prefix):
        while True:
            line = p.stdout.readline()
            if not line:
                return None
            if line.startswith(prefix):
                return line

    procs = []
    left = n
    for _ in range(pairs):
        k = min(per, left)
        left -= k
        callee = subprocess.Popen([sys.executable, me, "calls", "--role", "callee", "--count",
                                   str(k)] + common, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        line = (read(callee, "LISTEN ") or "").split()
        if len(line) != 2:
            sys.exit("callee did not start")
        caller = subprocess.Popen([sys.executable, me, "calls", "--role", "caller", "--count",
                                   str(k), "--peer", line[1]] + common, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        procs += [callee, caller]

    if not all(read(p, "READY") for p in procs):
        for p in procs:
            p.kill()
        sys.exit("a process failed to set its calls up")
    for p in procs:
        p.stdin.write("GO\n")
        p.stdin.flush()
    results = [read(p, "RESULT") for p in procs]
    for p in procs:
        try:
            p.stdin.write("END\n")
            p.stdin.flush()
        except OSError:
            pass
    for p in procs:
        p.wait()
    if not all(results) or any("error=1" in r for r in results):
        sys.exit("a process failed: %s" % results)
    kv = [dict(f.split("=", 1) for f in r.split()[1:] if "=" in f) for r in results]
    total = {k: sum(float(d[k]) for d in kv) for k in
             ("cpu_s", "user_s", "sys_s", "schedstat_s", "threads", "rss_before_kib",
              "rss_after_kib", "streams", "tx_pkt", "rx_pkt", "loss")}
    wall = max(float(d["wall_s"]) for d in kv)
    return ("wall_s=%.6f cpu_s=%.6f user_s=%.6f sys_s=%.6f schedstat_s=%.6f threads=%d "
            "rss_before_kib=%d rss_after_kib=%d streams=%d tx_pkt=%d rx_pkt=%d loss=%d "
            "procs=%d calls_per_process=%d codec=%s"
            % (wall, total["cpu_s"], total["user_s"], total["sys_s"], total["schedstat_s"],
               total["threads"], total["rss_before_kib"], total["rss_after_kib"],
               total["streams"], total["tx_pkt"], total["rx_pkt"], total["loss"], len(procs), per,
               kv[0].get("codec", "-")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["players", "calls", "streams"])
    ap.add_argument("--count", "--players", "--pairs", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--files", default="target/bench-media/wav")
    ap.add_argument("--out")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--max-calls", type=int, default=0)
    ap.add_argument("--vad", action="store_true",
                    help="calls: keep PJSUA2's voice activity detection (off by default)")
    ap.add_argument("--role", choices=["auto", "both", "caller", "callee", "split"],
                    default="auto")
    ap.add_argument("--peer", type=int, default=0, help="caller: the callee's SIP port")
    ap.add_argument("--calls-per-process", type=int, default=MAX_CALLS)
    ap.add_argument("--module", default="pjsua2", help="players: the module to run (pjsua2)")
    args = ap.parse_args()
    command = "calls" if args.command == "streams" else args.command
    if command == "calls" and args.role == "auto":
        args.role = "both" if 2 * args.count <= args.calls_per_process else "split"
    try:
        if command == "players":
            fields = players(args)
        elif args.role == "split":
            fields = spread(args)
        else:
            fields = calls(args)
            if args.role == "both":
                fields += " procs=1 calls_per_process=%d" % args.calls_per_process
    except pj.Error as e:
        print("%s: %s (status %d) in %s" % (command, e.reason, e.status, e.title),
              file=sys.stderr, flush=True)
        print("RESULT impl=%s scenario=%s count=%d error=1" % (MODULE, command, args.count),
              flush=True)
        sys.stdout.flush()
        os._exit(1)
    print("RESULT impl=%s scenario=%s count=%d seconds=%s %s"
          % (MODULE, command, args.count, args.seconds, fields), flush=True)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
