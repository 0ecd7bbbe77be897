"""Registration benchmark for the real PJSUA2, the twin of ferrosip's
`crates/ferrosip/examples/bench_register.rs` (same commands, options and
`RESULT key=value ...` line; `scripts/bench-register` runs both against the
same kamailio and compares them; see BENCHMARKS.md, "Registration").

    python bench_register.py register --registrar IP:PORT [--kamailio-log PATH]
                             [--accounts N] [--rounds K] [--threads T] [--batch B]
                             [--cycles C]
    python bench_register.py memory   --registrar IP:PORT [--kamailio-log PATH]
                             [--accounts N] [--threads T]
    python bench_register.py ninth    [--registrar IP:PORT]

register: N accounts (at most 8: PJSUA_MAX_ACC in the pjsua2-python wheel)
register at once (401, then 200); then K rounds of setRegistration(True) on
each (credentials sent up front: 200 at once), each round waiting for every
200; then libDestroy, timed (it unregisters every account). With --cycles C
the initial registration is measured C times, the accounts shut down and
created again in between.

memory: VmRSS (after 0.3 s of idling) before and after creating N accounts with registerOnAdd =
False, after registering them all, 6 s later (past Timer K), and after one
more round; then libDestroy, timed.

ninth: creates accounts one by one, printing `created <n> <VmRSS>`, until
PJSUA2 refuses one; with the wheel's PJSUA_MAX_ACC of 8 the 9th aborts the
process (an assertion in pjsua_acc_add), which the caller sees as SIGABRT.

Users are u0000, u0001, ... with passwords u0000pw, ... in domain 127.0.0.1
(`bench_register kamailio` starts such a kamailio). CPU time is
getrusage(RUSAGE_SELF) user + system of this process. PJSUA2 runs with
threadCnt = 0 and libHandleEvents() polled here (or threadCnt = 1), logging
off (level 0), the null sound device, and every Account proxy referenced.
"""
import argparse
import os
import resource
import sys
import threading
import time

import pjsua2 as pj

DOMAIN = "127.0.0.1"
PHASE_LIMIT = 120.0
SETTLE = 6.0


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def udp_drops(port):
    local = "0100007F:%04X" % port
    total = 0
    with open("/proc/net/udp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if len(fields) > 12 and fields[1] == local:
                total += int(fields[12])
    return total


def log_mark(log):
    """Where kamailio's log ends now (its length), to count from there later."""
    try:
        return os.path.getsize(log) if log else None
    except OSError:
        return None


def kamailio_counts(log, mark):
    """(REGISTERs received, REGISTERs challenged) that kamailio logged since
    mark. Reads only what was added, a line at a time, so that counting
    neither grows the heap nor sweeps the caches (the log reaches megabytes)."""
    if not log or mark is None:
        return None
    registers = challenged = 0
    try:
        with open(log, "rb") as f:
            f.seek(mark)
            for line in f:
                if b"REQUEST REGISTER " in line:
                    registers += 1
                elif b"AUTH: REGISTER " in line and b"challenge" in line:
                    challenged += 1
    except OSError:
        return None
    return registers, challenged


def user(i):
    return "u%04d" % i


class Progress:
    def __init__(self):
        self.ok = 0
        self.failed = 0
        self.registers = 0
        self.first_failure = None
        self.cond = threading.Condition()


class Account(pj.Account):
    def __init__(self, progress):
        super().__init__()
        self.progress = progress
        self.last_cseq = None
        self.active = True

    def onRegState(self, prm):
        if not self.active:
            return
        p = self.progress
        with p.cond:
            info = prm.rdata.info
            i = info.find("cseq=")
            if i >= 0:
                digits = ""
                for c in info[i + 5:]:
                    if not c.isdigit():
                        break
                    digits += c
                if digits:
                    cseq = int(digits)
                    if self.last_cseq is not None:
                        p.registers += cseq - self.last_cseq
                    self.last_cseq = cseq
            if 200 <= prm.code < 300:
                p.ok += 1
            else:
                p.failed += 1
                if p.first_failure is None:
                    p.first_failure = "%d %s (status %d)" % (prm.code, prm.reason, prm.status)
            p.cond.notify_all()


class Bench:
    def __init__(self, args):
        self.args = args
        self.progress = Progress()
        ep = pj.Endpoint()
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = args.threads
        cfg.uaConfig.mainThreadOnly = args.threads == 0
        cfg.logConfig.level = 0
        cfg.logConfig.consoleLevel = 0
        ep.libInit(cfg)
        ep.audDevManager().setNullDev()
        tcfg = pj.TransportConfig()
        tcfg.port = 0
        tcfg.boundAddress = "127.0.0.1"
        tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
        ep.libStart()
        self.ep = ep
        self.ours = int(ep.transportGetInfo(tid).localName.rsplit(":", 1)[1])
        self.registrar_port = int(args.registrar.rsplit(":", 1)[1]) if args.registrar else 0

    def account_config(self, name, register_on_add):
        acfg = pj.AccountConfig()
        acfg.idUri = "sip:%s@%s" % (name, DOMAIN)
        if self.args.registrar:
            acfg.regConfig.registrarUri = "sip:%s" % self.args.registrar
        acfg.regConfig.timeoutSec = 300
        acfg.regConfig.registerOnAdd = register_on_add
        acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", name, 0, name + "pw"))
        return acfg

    def new_account(self, name, register_on_add):
        acc = Account(self.progress)
        acc.create(self.account_config(name, register_on_add))
        return acc

    def wait_for(self, target):
        p = self.progress
        deadline = time.monotonic() + PHASE_LIMIT
        while True:
            with p.cond:
                if p.failed or p.ok >= target:
                    return not p.failed
                if self.args.threads:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    p.cond.wait(min(left, 0.1))
                    continue
            if time.monotonic() >= deadline:
                return False
            self.ep.libHandleEvents(10)

    def idle(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.args.threads:
                time.sleep(0.05)
            else:
                self.ep.libHandleEvents(50)

    def meter(self):
        # The log and the drop counters first, the clocks last: reading the
        # log is not part of the phase.
        mark = log_mark(self.args.kamailio_log)
        d, r = udp_drops(self.ours), udp_drops(self.registrar_port)
        c = cpu_s()
        return time.monotonic(), c, mark, d, r

    def phase(self, start, registers_by_cseq):
        t0, c0, mark, d0, r0 = start
        # The clocks first, then the log and the drop counters.
        t1 = time.monotonic()
        c1 = cpu_s()
        k = kamailio_counts(self.args.kamailio_log, mark)
        d1, r1 = udp_drops(self.ours), udp_drops(self.registrar_port)
        if k:
            registers, challenged = k
        else:
            registers, challenged = registers_by_cseq, None
        return {"registers": registers, "wall_s": t1 - t0, "cpu_s": c1 - c0,
                "challenged": challenged, "drops_ours": d1 - d0, "drops_registrar": r1 - r0}

    def destroy(self):
        mark = log_mark(self.args.kamailio_log)
        t0 = time.monotonic()
        self.ep.libDestroy()
        took = time.monotonic() - t0
        k = kamailio_counts(self.args.kamailio_log, mark)
        return took, k[0] if k else -1

    def fail(self, what):
        p = self.progress
        print("%s: %d ok, %d failed; first failure: %s"
              % (what, p.ok, p.failed, p.first_failure or "none (timed out)"),
              file=sys.stderr, flush=True)
        print("RESULT impl=pjsua2 error=1", flush=True)
        sys.stdout.flush()
        os._exit(1)


def fields(name, ph):
    s = "%s_registers=%d %s_wall_s=%.6f %s_cpu_s=%.6f %s_drops_ours=%d %s_drops_registrar=%d" % (
        name, ph["registers"], name, ph["wall_s"], name, ph["cpu_s"], name, ph["drops_ours"],
        name, ph["drops_registrar"])
    if ph["challenged"] is not None:
        s += " %s_challenged=%d" % (name, ph["challenged"])
    return s


def describe(name, ph):
    n = max(ph["registers"], 1)
    ch = "" if ph["challenged"] is None else " (%d challenged 401)" % ph["challenged"]
    print("%9s: %d REGISTER transactions%s in %.3f s = %.0f/s; CPU %.3f s = %.1f us per REGISTER; "
          "UDP drops: %d here, %d at kamailio"
          % (name, ph["registers"], ch, ph["wall_s"], ph["registers"] / ph["wall_s"], ph["cpu_s"],
             ph["cpu_s"] * 1e6 / n, ph["drops_ours"], ph["drops_registrar"]),
          file=sys.stderr, flush=True)


def add_phase(total, ph):
    if total is None:
        return dict(ph)
    out = {k: total[k] + ph[k] for k in ("registers", "wall_s", "cpu_s", "drops_ours",
                                         "drops_registrar")}
    both = total["challenged"] is not None and ph["challenged"] is not None
    out["challenged"] = total["challenged"] + ph["challenged"] if both else None
    return out


def chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def register(args):
    b = Bench(args)
    batch = args.batch or args.accounts
    names = [user(i) for i in range(args.first, args.first + args.accounts)]
    # With --cycles C, C times over: the accounts are shut down (their
    # un-REGISTERs are not measured) and created again.
    initial = None
    accounts = []
    retired = []
    for cycle in range(max(args.cycles, 1)):
        if cycle:
            for acc in accounts:
                acc.active = False
                acc.shutdown()
            retired.extend(accounts)
            accounts = []
            b.idle(0.05)
        with b.progress.cond:
            base = b.progress.ok
        start = b.meter()
        for chunk in chunks(names, batch):
            for name in chunk:
                accounts.append(b.new_account(name, True))
            if not b.wait_for(base + len(accounts)):
                b.fail("initial registration")
        # The first final response of each account sets its CSeq base: the
        # initial phase counts 2 per account (401, 200) unless kamailio's log
        # says otherwise.
        initial = add_phase(initial, b.phase(start, 2 * args.accounts))
    describe("initial", initial)

    with b.progress.cond:
        base = b.progress.ok
        before = b.progress.registers
    start = b.meter()
    for rnd in range(1, args.rounds + 1):
        target = base + args.accounts * (rnd - 1)
        for chunk in chunks(accounts, batch):
            for acc in chunk:
                acc.setRegistration(True)
            target += len(chunk)
            if not b.wait_for(target):
                b.fail("round %d" % rnd)
    with b.progress.cond:
        sent = b.progress.registers - before
    rounds = b.phase(start, sent)
    describe("rounds", rounds)

    active = sum(1 for a in accounts if a.getInfo().regIsActive)
    destroy, unregisters = b.destroy()
    print("  destroy: libDestroy with %d registered accounts took %.3f s "
          "(%d un-REGISTERs reached kamailio)" % (active, destroy, unregisters),
          file=sys.stderr, flush=True)
    print("RESULT impl=pjsua2 mode=register threads=%d accounts=%d rounds=%d batch=%d cycles=%d "
          "%s %s destroy_s=%.6f destroy_accounts=%d destroy_registers=%d"
          % (args.threads, args.accounts, args.rounds, batch, max(args.cycles, 1),
             fields("initial", initial),
             fields("rounds", rounds), destroy, active, unregisters), flush=True)
    sys.stdout.flush()
    os._exit(0)


def memory(args):
    b = Bench(args)
    batch = args.batch or args.accounts
    accounts = []
    b.idle(0.3)
    before = rss_kib()
    t0 = time.monotonic()
    for i in range(args.first, args.first + args.accounts):
        accounts.append(b.new_account(user(i), False))
    create = time.monotonic() - t0
    created = rss_kib()
    start = b.meter()
    target = 0
    for chunk in chunks(accounts, batch):
        for acc in chunk:
            acc.setRegistration(True)
        target += len(chunk)
        if not b.wait_for(target):
            b.fail("registration")
    registering = b.phase(start, 2 * args.accounts)
    registered = rss_kib()
    b.idle(SETTLE)
    settled = rss_kib()
    target = args.accounts
    for chunk in chunks(accounts, batch):
        for acc in chunk:
            acc.setRegistration(True)
        target += len(chunk)
        if not b.wait_for(target):
            b.fail("re-registration")
    reregistered = rss_kib()
    n = float(args.accounts)

    def each(kib):
        return (kib - before) / n

    print("   memory: VmRSS %d KiB before, %d KiB with %d accounts (%.2f KiB each), %d KiB once "
          "registered (%.2f KiB each; registering took %.3f s), %d KiB %d s later (%.2f KiB each), "
          "%d KiB after one more registration round (%.2f KiB each)"
          % (before, created, args.accounts, each(created), registered, each(registered),
             registering["wall_s"], settled, SETTLE, each(settled), reregistered,
             each(reregistered)), file=sys.stderr, flush=True)
    describe("register", registering)
    destroy, unregisters = b.destroy()
    print("  destroy: libDestroy with %d registered accounts took %.3f s "
          "(%d un-REGISTERs reached kamailio)" % (args.accounts, destroy, unregisters),
          file=sys.stderr, flush=True)
    print("RESULT impl=pjsua2 mode=memory threads=%d accounts=%d batch=%d rss_before_kib=%d "
          "rss_created_kib=%d rss_registered_kib=%d rss_settled_kib=%d rss_reregistered_kib=%d "
          "create_s=%.6f %s destroy_s=%.6f destroy_accounts=%d destroy_registers=%d"
          % (args.threads, args.accounts, batch, before, created, registered, settled,
             reregistered, create, fields("register", registering), destroy, args.accounts,
             unregisters), flush=True)
    sys.stdout.flush()
    os._exit(0)


def ninth(args):
    b = Bench(args)
    accounts = []
    print("created 0 %d" % rss_kib(), flush=True)
    for i in range(args.first, args.first + max(args.accounts, 9)):
        try:
            accounts.append(b.new_account(user(i), False))
        except pj.Error as e:
            print("refused %d %s" % (len(accounts) + 1, e.info().replace("\n", " ")), flush=True)
            os._exit(1)
        print("created %d %d" % (len(accounts), rss_kib()), flush=True)
    os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", nargs="?", default="register",
                    choices=["register", "memory", "ninth"])
    ap.add_argument("--accounts", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=250)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--registrar")
    ap.add_argument("--kamailio-log")
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--cycles", type=int, default=1)
    args = ap.parse_args()
    if args.command != "ninth" and not args.registrar:
        ap.error("--registrar IP:PORT is needed (start one with `bench_register kamailio`)")
    {"register": register, "memory": memory, "ninth": ninth}[args.command](args)


if __name__ == "__main__":
    main()
