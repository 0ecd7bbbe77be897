#!/usr/bin/env python3
"""Side by side, ferrosip and the real PJSUA2 on the same work, each in fresh
processes: the library's life from Python.

- `libCreate` → `libStart` (with a UDP transport on 127.0.0.1): wall time,
  and the process's resident memory after it, minus before the import;
- `libDestroy` with no account, and with one account registered at a local
  kamailio (PJSUA2 un-REGISTERs and waits a fixed ~1 s; ferrosip waits only
  for the answer).

Run with the venv of scripts/python-env (which has both modules):

    target/python-venv/bin/python bindings/python/bench/lifecycle.py [--runs N]

The registrar is the kamailio example of dev/interop (built with cargo).
Prints a Markdown table with medians and ratios (PJSUA2 / ferrosip).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

WORKSPACE = Path(__file__).resolve().parents[3]

PROGRAM = textwrap.dedent(
    """
    import json, os, time

    def rss_kib():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])

    before = rss_kib()
    t0 = time.perf_counter()
    import {module} as pj
    t_import = time.perf_counter() - t0

    class Acc(pj.Account):
        def onRegState(self, prm):
            self.code = prm.code

    t0 = time.perf_counter()
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
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    ep.libStart()
    t_start = time.perf_counter() - t0
    rss = rss_kib() - before

    registrar = "{registrar}"
    acc = None
    if registrar:
        acfg = pj.AccountConfig()
        acfg.idUri = "sip:alice@127.0.0.1"
        acfg.regConfig.registrarUri = "sip:" + registrar
        acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", "alice", 0, "alicepw"))
        acc = Acc()
        acc.create(acfg)
        deadline = time.time() + 5
        while not acc.getInfo().regIsActive and time.time() < deadline:
            ep.libHandleEvents(10)
        assert acc.getInfo().regIsActive, "not registered"

    t0 = time.perf_counter()
    ep.libDestroy()
    t_destroy = time.perf_counter() - t0
    print("RESULT " + json.dumps(dict(imp=t_import, start=t_start, rss=rss, destroy=t_destroy)))
    os._exit(0)
    """
)


def run(module, registrar):
    source = PROGRAM.replace("{module}", module).replace("{registrar}", registrar or "")
    out = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, timeout=60
    )
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{module} failed:\n{out.stdout}\n{out.stderr[-2000:]}")


def start_registrar():
    subprocess.run(
        ["cargo", "build", "-q", "-p", "ferrosip-interop", "--example", "kamailio"],
        cwd=WORKSPACE,
        check=True,
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR", WORKSPACE / "target"))
    proc = subprocess.Popen(
        [str(target / "debug" / "examples" / "kamailio")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("READY "):
        raise RuntimeError("kamailio did not start: " + line)
    return proc, line.split()[1]


def median(results, key):
    return statistics.median(r[key] for r in results)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    proc, registrar = start_registrar()
    try:
        rows = {}
        for module in ("pjsua2", "ferrosip"):
            bare = [run(module, None) for _ in range(args.runs)]
            registered = [run(module, registrar) for _ in range(args.runs)]
            rows[module] = dict(
                imp=median(bare, "imp"),
                start=median(bare, "start"),
                rss=median(bare, "rss"),
                destroy=median(bare, "destroy"),
                destroy_reg=median(registered, "destroy"),
            )
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    p, f = rows["pjsua2"], rows["ferrosip"]

    def ms(x):
        return f"{x * 1000:.1f} ms" if x >= 0.001 else f"{x * 1e6:.0f} µs"

    print(f"medians of {args.runs} fresh processes each\n")
    print("| measure | PJSUA2 2.15.1 | ferrosip | PJSUA2 / ferrosip |")
    print("|---|---|---|---|")
    print(f"| `import` | {ms(p['imp'])} | {ms(f['imp'])} | {p['imp'] / f['imp']:.1f}× |")
    print(
        f"| `libCreate` → `libStart` (UDP transport) | {ms(p['start'])} | {ms(f['start'])} "
        f"| {p['start'] / f['start']:.1f}× |"
    )
    print(
        f"| RSS growth: import + start | {p['rss'] / 1024:.1f} MiB | {f['rss'] / 1024:.1f} MiB "
        f"| {p['rss'] / f['rss']:.1f}× |"
    )
    print(
        f"| `libDestroy`, no account | {ms(p['destroy'])} | {ms(f['destroy'])} "
        f"| {p['destroy'] / f['destroy']:.0f}× |"
    )
    print(
        f"| `libDestroy`, one registered account | {ms(p['destroy_reg'])} | {ms(f['destroy_reg'])} "
        f"| {p['destroy_reg'] / f['destroy_reg']:.0f}× |"
    )


if __name__ == "__main__":
    main()
