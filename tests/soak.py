#!/usr/bin/env python3
"""soak.py - a long run of the system-call fuzzer (what `make soak` does).

    tests/soak.py [--duration SECONDS] [--seed N] [--procs P] [--threads T] [--smp N]

Boots cowl with sysfuzz as its first process (init=/bin/sysfuzz,...), on
several CPUs, for DURATION seconds of fuzzing.  When sysfuzz ends, the
kernel reports whether every page came back and whether the
reference-count auditor passes (kernel/main.c, run_init).  Passes when the
kernel neither panicked nor hung, every worker ended normally, no page is
missing, the audit is clean and (for a make SANITIZE=1 kernel) nothing
was reported as undefined behaviour.  Prints the seed (rerun with --seed to
replay), the calls made and calls per second; the serial log is kept in
build/soak.log.  On a hang it asks gdb (QEMU's stub) for the thread list
and the kernel backtrace of every sleeping thread, and appends them to the
log.
"""
import argparse
import os
import re
import shutil
import sys

import qemu
from qemu import EXIT_PANIC, ROOT


def hang_report(args, port):
    """cowl-ps and the kernel backtrace of every sleeping thread, from gdb."""
    gdb = shutil.which("gdb")
    if not gdb:
        return "\nsoak: no gdb here: no report of what the threads wait for\n"
    ps = qemu.gdb_batch(args.kernel, port, ["-ex", "cowl-ps"], timeout=120, gdb=gdb)
    sleepers = re.findall(r"^\s*\*?\s*(\d+)\s+\d+\s+sleeping", ps, re.M)
    bts = []
    for pid in sleepers[:16]:
        bts += ["-ex", "echo --- thread %s\\n" % pid, "-ex", "cowl-bt %s" % pid]
    bt = qemu.gdb_batch(args.kernel, port, bts, timeout=300, gdb=gdb) if bts else ""
    return "\n==== soak: hang report (gdb)\n" + ps + bt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--smp", type=int, default=4)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--qemu", default=qemu.QEMU)
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build", "cowl.elf"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build", "initrd.cpio"))
    ap.add_argument("--log", default=os.path.join(ROOT, "build", "soak.log"))
    ap.add_argument("--fail-ppm", type=int, default=0,
                    help="also fail each allocation of the fuzzer with probability PPM/1e6")
    ap.add_argument("--grace", type=int, default=180,
                    help="seconds past DURATION before the run counts as hung")
    args = ap.parse_args()
    init = ["/bin/sysfuzz", "-d", str(args.duration), "-p", str(args.procs),
            "-t", str(args.threads)]
    if args.seed is not None:
        init += ["-s", str(args.seed)]
    if args.fail_ppm:
        init += ["-f", str(args.fail_ppm)]
    port = qemu.free_port()
    # isa-debug-exit: a panic ends QEMU (EXIT_PANIC); the gdb stub is for
    # the hang report.
    cmd = qemu.command(args.kernel, initrd=args.initrd, smp=args.smp, mem=args.mem,
                       qemu=args.qemu, append="init=%s loglevel=1" % ",".join(init),
                       gdb_port=port)
    timeout = args.duration + args.grace
    with qemu.Qemu(cmd) as q:
        hung = not q.wait_exit(timeout)
        if hung:
            # Still running: before killing it, ask gdb what every thread is
            # waiting for (the stub answers even while the guest runs).
            diagnosis = hang_report(args, port)
    out, status = q.text(), q.status
    if hung:
        out += diagnosis
    with open(args.log, "w") as f:
        f.write(out)
    seed = re.search(r"sysfuzz: seed=(\d+)", out)
    calls = sum(int(n) for n in re.findall(r"sysfuzz: worker \d+: (\d+) calls", out))
    done = re.search(r"sysfuzz: done seed=\d+ elapsed_ms=(\d+) (.*)", out)
    end = re.search(r"init exited with status (\d+); pages not returned (-?\d+); audit (.*)", out)
    problems = []
    if hung:
        problems.append("no end after %d s (hang?)" % timeout)
    if "kernel panic" in out or "kernel exception" in out or status == EXIT_PANIC:
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
