#!/usr/bin/env python3
"""soak.py - a long run of the system-call fuzzer (what `make soak` does).

    tools/soak.py [--duration SECONDS] [--seed N] [--procs P] [--threads T] [--smp N]

Boots cowl with sysfuzz as its first process (init=/bin/sysfuzz,...), on
several CPUs, for DURATION seconds of fuzzing.  When sysfuzz ends, the
kernel reports whether every page came back and whether the
reference-count auditor passes (kernel/main.c, run_init).  Passes when the
kernel neither panicked nor hung, every worker ended normally, no page is
missing, the audit is clean and (for a make SANITIZE=1 kernel) nothing
was reported as undefined behaviour.  Prints the seed (rerun with --seed to
replay), the calls made and calls per second; the serial log is kept in
build/soak.log.
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--smp", type=int, default=4)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build", "cowl.elf"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build", "initrd.cpio"))
    ap.add_argument("--log", default=os.path.join(ROOT, "build", "soak.log"))
    args = ap.parse_args()
    init = ["/bin/sysfuzz", "-d", str(args.duration), "-p", str(args.procs),
            "-t", str(args.threads)]
    if args.seed is not None:
        init += ["-s", str(args.seed)]
    cmd = [args.qemu, "-accel", "tcg", "-cpu", "max", "-m", args.mem, "-smp", str(args.smp),
           "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
           "-kernel", args.kernel, "-initrd", args.initrd,
           "-append", "init=%s loglevel=1" % ",".join(init)]
    timeout = args.duration + 180
    try:
        run = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        out, hung = run.stdout.decode(errors="replace"), False
    except subprocess.TimeoutExpired as e:
        out, hung = (e.stdout or b"").decode(errors="replace"), True
    with open(args.log, "w") as f:
        f.write(out)
    seed = re.search(r"sysfuzz: seed=(\d+)", out)
    calls = sum(int(n) for n in re.findall(r"sysfuzz: worker \d+: (\d+) calls", out))
    done = re.search(r"sysfuzz: done seed=\d+ elapsed_ms=(\d+) (.*)", out)
    end = re.search(r"init exited with status (\d+); pages not returned (-?\d+); audit (.*)", out)
    problems = []
    if hung:
        problems.append("no end after %d s (hang?)" % timeout)
    if "panic" in out.lower():
        problems.append("kernel panic")
    ubsan = re.findall(r"UBSAN: .*", out)  # only a make SANITIZE=1 kernel prints these
    if ubsan:
        problems.append("%d undefined-behaviour report(s): %s" % (len(ubsan), "; ".join(ubsan)))
    if not done or done.group(2).strip() != "ok":
        problems.append("sysfuzz did not finish cleanly")
    if not end:
        problems.append("no final report from the kernel")
    else:
        if end.group(1) != "0":
            problems.append("sysfuzz exit status %s" % end.group(1))
        if end.group(2) != "0":
            problems.append("%s pages not returned" % end.group(2))
        if end.group(3).strip() != "ok":
            problems.append("audit: " + end.group(3).strip())
    ms = int(done.group(1)) if done else 0
    rate = calls * 1000 // ms if ms else 0
    print("soak: seed=%s duration_s=%d cpus=%d procs=%d threads=%d calls=%d calls_per_s=%d %s"
          % (seed.group(1) if seed else "?", args.duration, args.smp, args.procs,
             args.threads, calls, rate, "ok" if not problems else "FAILED: " + "; ".join(problems)))
    print("soak: serial log in %s" % os.path.relpath(args.log, ROOT))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
