#!/usr/bin/env python3
"""bench.py - cowl's benchmarks (`make bench`; the contract is in TESTING.md).

Runs the seed program forktime, built from the one source user/bin/forktime.c,
on the host Linux (mode=linux) and inside cowl in each fork mode
(share, copy, eager), in one invocation.  Prints one line per measurement and
writes them all to build/bench.json.  Measurements, not tests: nothing here
fails on a threshold.  Compare ratios from one run; absolute times from
different runs (or machines, or TCG vs KVM) are not comparable.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = [1000, 10000, 100000, 262144]
MODES = ["share", "copy", "eager"]
LINE = re.compile(r"^(forktime|cowtime|forkcost) (.*)$")


def parse(line):
    m = LINE.match(line.strip())
    if not m:
        return None
    rec = {"bench": m.group(1)}
    for kv in m.group(2).split():
        k, _, v = kv.partition("=")
        try:
            rec[k] = float(v) if "." in v else int(v)
        except ValueError:
            rec[k] = v
    return rec


def host_runs(build, forks):
    exe = os.path.join(build, "host", "forktime")
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    subprocess.run(["gcc", "-O2", "-o", exe, os.path.join(ROOT, "user/bin/forktime.c")], check=True)
    out = []
    for pages in SIZES:
        r = subprocess.run([exe, "-n", str(forks), "-m", str(pages)], capture_output=True, text=True)
        out += [l for l in r.stdout.splitlines() if l.startswith("forktime ")]
    return out


def cowl_runs(args):
    script = []
    for mode in MODES:
        for pages in SIZES:
            script.append("forktime -M %s -n %d -m %d" % (mode, args.forks, pages))
    for mode in MODES:
        for pages in (1000, 262144):
            script.append("forkcost -M %s -m %d" % (mode, pages))
    script.append("poweroff")
    cmd = [args.qemu, "-accel", args.accel, "-cpu", "max", "-m", args.mem, "-display", "none",
           "-serial", "stdio", "-monitor", "none", "-no-reboot",
           "-kernel", args.kernel, "-initrd", args.initrd, "-append", "loglevel=1"]
    start = time.monotonic()
    r = subprocess.run(cmd, input="\n".join(script) + "\n", capture_output=True, text=True,
                       timeout=args.timeout)
    log = os.path.join(args.build, "bench.log")
    with open(log, "w") as f:
        f.write(r.stdout)
    return r.stdout.replace("\r", "").splitlines(), time.monotonic() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build/cowl.elf"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build/initrd.cpio"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--mem", default="3G")
    ap.add_argument("--forks", type=int, default=20)
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--timeout", type=int, default=3000)
    args = ap.parse_args()

    print("bench: cowl under QEMU accel=%s, memory %s; host Linux %s" %
          (args.accel, args.mem, os.uname().release), flush=True)
    records = []
    for line in host_runs(args.build, args.forks):
        print(line, flush=True)
        records.append(parse(line))
    lines, seconds = cowl_runs(args)
    for line in lines:
        rec = parse(line)
        if rec:
            rec["accel"] = args.accel
            print(line.strip() + " accel=" + args.accel, flush=True)
            records.append(rec)
    summarize(records)
    with open(os.path.join(args.build, "bench.json"), "w") as f:
        json.dump({"accel": args.accel, "host": os.uname().release, "cowl_seconds": round(seconds, 1),
                   "results": records}, f, indent=1)
    print("bench: %d measurements in build/bench.json (cowl boot took %.0fs)" % (len(records), seconds))


def summarize(records):
    """The ratios the design is judged by, all from this one run."""
    ft = {(r.get("mode"), r.get("pages")): r for r in records if r["bench"] == "forktime"}
    def mean(mode, pages):
        r = ft.get((mode, pages))
        return r["mean_us"] if r else None
    ratios = [
        ("share 262144 / share 1000 (flat is 1.0)", mean("share", 262144), mean("share", 1000)),
        ("linux 262144 / share 262144", mean("linux", 262144), mean("share", 262144)),
        ("copy 262144 / share 262144", mean("copy", 262144), mean("share", 262144)),
        ("eager 262144 / share 262144", mean("eager", 262144), mean("share", 262144)),
    ]
    for name, a, b in ratios:
        if a and b:
            print("ratio %s = %.2f" % (name.replace(" ", "_").replace("/", "over").replace("(", "").replace(")", ""), a / b))
    pt = [r["ptpages"] for (mode, _), r in ft.items() if mode == "share"]
    if pt:
        print("ratio share_ptpages_per_fork_max = %d" % max(pt))


if __name__ == "__main__":
    main()
