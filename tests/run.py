#!/usr/bin/env python3
"""run.py - cowl's host-side test runner (`make test`; the contract is in
docs/testing.md, "The output is a contract").

It boots the kernel headless under QEMU in several configurations ("boots"),
each with a timeout, reads the TAP lines the kernel prints on its serial port,
and compares them with the tests the kernel image says it contains (the
.ktests section of build/cowl.elf, and the initrd's tests/).  A test that
fails, a kernel panic, a hang past the timeout, a wrong exit status or a test
that never reported are all failures, reported by name.  Host-side checks
(the harness's own tests, gdb, the shell, ...) report the same way.

This file chooses what runs and prints it; the parts are:
  qemu.py              the QEMU command line, serial port, exit codes, gdb
  image.py             the tests the kernel image and initrd contain
  boots.py             one test boot: run it, judge its serial log
  tap.py               results: TAP lines, the summary line, JUnit XML
  check.py             what a host check is
  harness_selftest.py  the harness's tests of itself (host/harness/*)
  host_checks.py       the other host checks (host/gdb/*, host/shell/*, ...)

Output: one TAP line per result, build/test-results.xml (JUnit), one serial
log per boot in build/test-logs/, and as the very last line
"N passed, N failed[, N skipped]".  Exit status 0 only if nothing failed.
"""
import argparse
import concurrent.futures
import fnmatch
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/*.py

import check  # noqa: E402  (after the path is set)
import harness_selftest  # noqa: E402
import host_checks  # noqa: E402
import image  # noqa: E402
import tap  # noqa: E402
from boots import Boot, run_boot  # noqa: E402
from qemu import QEMU, ROOT  # noqa: E402


# --------------------------------------------------------------------------
# What to run


def kernel_selects(patterns, name, flags):
    """The kernel's own rule (kernel/ktest.c): anchored globs; hidden tests
    only when the pattern starts with their suite; a glob after '!' leaves
    out what it matches."""
    suite = name.split("/")[0]
    hit = False
    for pat in patterns.split(","):
        if pat.startswith("!") and fnmatch.fnmatchcase(name, pat[1:]):
            return False
        if pat and not pat.startswith("!") and fnmatch.fnmatchcase(name, pat):
            if not flags & image.KTEST_HIDDEN or pat.startswith(suite + "/"):
                hit = True
    return hit


def user_matches(filters, name):
    """make test T=...: globs, or substrings when there is no wildcard."""
    if not filters:
        return True
    for f in filters.split(","):
        if any(c in f for c in "*?["):
            if fnmatch.fnmatchcase(name, f) or fnmatch.fnmatchcase(name.split("/", 1)[-1], f):
                return True
        elif f in name:
            return True
    return False


# The tests that run guests (cowl's hypervisor, a vmm): on several CPUs
# they run in their own boot under single-threaded TCG (docs/testing.md,
# "Guests on several CPUs").
GUEST_TESTS = "virt/*,user/vm,user/vmbad,user/vmcowl,user/vmfork,user/vmfsrv,user/vmkill"
NO_GUEST_TESTS = ",".join("!" + t for t in GUEST_TESTS.split(","))


def standard_boots():
    """Every boot of the normal suite.  Each runs all (non-hidden) tests."""
    return [
        Boot("pvh", "*", "pvh"),
        Boot("iso", "*", "multiboot2", iso=True),
        Boot("microvm", "*", "pvh", machine="microvm"),
        # Every test on four CPUs, in each fork mode: threads of one
        # process really run at once, so a missed TLB shootdown shows.
        # The guests' tests apart: they run on four CPUs in smp4-vm,
        # copy-vm and eager-vm, under single-threaded TCG.
        Boot("smp4", "*," + NO_GUEST_TESTS, "pvh", smp=4),
        Boot("copy", "*," + NO_GUEST_TESTS, "pvh", smp=4, extra_args="fork=copy"),
        Boot("eager", "*," + NO_GUEST_TESTS, "pvh", smp=4, extra_args="fork=eager"),
        Boot("smp4-vm", GUEST_TESTS, "pvh", smp=4, tcg_single=True),
        Boot("copy-vm", GUEST_TESTS, "pvh", smp=4, extra_args="fork=copy", tcg_single=True),
        Boot("eager-vm", GUEST_TESTS, "pvh", smp=4, extra_args="fork=eager", tcg_single=True),
        # The most CPUs cowl takes (MAX_CPUS): the SMP and thread tests.
        Boot("smp8", "smp/*,sched/*,user/threads,user/shootdown,user/mtstress", "pvh", smp=8),
        # cowl inside cowl (docs/virt.md section 18): every test in a guest
        # cowl that the host's hypervisor boots; one vCPU, no SVM inside.
        Boot("guest", "*", "pvh", mem="1G", timeout=400, guest=True),
        # The same guest booted once and forked for every test (vmm -t):
        # each test runs alone in a clone of the booted guest.
        Boot("guestfork", "*", "pvh", mem="1G", timeout=400, guest=True, testfork=True),
        # The course exercises (exercises/, docs/exercises.md): hidden from
        # "*", run here once; each SKIPs until its exercise is solved.
        Boot("exercises", "exercise/*", "pvh", smp=2),
    ]


def ubsan_selftest_boot():
    """For a sanitized kernel: the hidden test ubsan/selftest breaks one rule
    on purpose, at the line marked UBSAN-SELFTEST in its source; the boot
    must report it there and nowhere else, or the runtime is not working."""
    src = "tests/kernel/test_ubsan.c"
    with open(os.path.join(ROOT, src)) as f:
        lines = [n for n, text in enumerate(f, 1) if "UBSAN-SELFTEST" in text]
    if len(lines) != 1:
        raise SystemExit("run.py: %s must mark exactly one line UBSAN-SELFTEST" % src)
    return Boot("ubsan-selftest", "ubsan/selftest", "pvh", ubsan=["%s:%d" % (src, lines[0])])


def selection_for(boot, tests, filters):
    """The kernel tests `boot` runs that the filter (make test T=) keeps;
    narrows the boot's own patterns to them when the filter drops some."""
    names = [n for n, f in tests if kernel_selects(boot.patterns, n, f)]
    chosen = [n for n in names if user_matches(filters, "%s/%s" % (boot.name, n))]
    if filters and chosen and len(chosen) < len(names):
        boot.patterns = ",".join(chosen)  # exact names are anchored globs
    return chosen


def all_checks(args):
    """Every host check, as (name, fn() -> (ok, reason))."""
    checks = harness_selftest.CHECKS + host_checks.CHECKS
    return [(name, lambda fn=fn: fn(args)) for name, fn in checks]


def plan(args, tests):
    """The work, in report order: ("boot", Boot, expected) and
    ("host", name, fn) items that the filter selects."""
    work = []
    for boot in standard_boots() + ([ubsan_selftest_boot()] if args.sanitized else []):
        expected = selection_for(boot, tests, args.filter)
        if expected:
            work.append(("boot", boot, expected))
    for name, fn in all_checks(args):
        if user_matches(args.filter, name):
            work.append(("host", name, fn))
    return work


def run_all(args, work):
    """Run the work on args.jobs threads (each boot is one QEMU process);
    print every result as a TAP line as soon as its turn comes."""
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = []
        for kind, a, b in work:
            if kind == "boot":
                futures.append(pool.submit(lambda bt=a, ex=b: run_boot(args, bt, ex)[0]))
            else:
                futures.append(pool.submit(lambda n=a, f=b: [check.run(n, f)]))
        for fut in futures:  # report in a stable order
            for r in fut.result():
                results.append(r)
                print("\n".join(tap.tap_lines(len(results), r)), flush=True)
    return results


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build", "cowl.elf"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build", "initrd.cpio"),
                    help="boot module for every test boot")
    ap.add_argument("--filter", default=os.environ.get("T", ""),
                    help="comma-separated globs or substrings of test names")
    ap.add_argument("--qemu", default=QEMU)
    ap.add_argument("--accel", default=os.environ.get("ACCEL", "tcg"))
    ap.add_argument("--jobs", type=int, default=2)
    return ap.parse_args()


def main():
    args = parse_args()
    args.logs = os.path.join(args.build, "test-logs")
    shutil.rmtree(args.logs, ignore_errors=True)
    os.makedirs(args.logs)
    tests = image.kernel_tests(args.kernel) + image.initrd_tests(args.initrd)
    args.sanitized = image.sanitized(image.symbol_table(args.kernel))

    wall = time.monotonic()
    results = run_all(args, plan(args, tests))
    if not results:
        print("run.py: no test matches %r" % args.filter)
    junit = os.path.join(args.build, "test-results.xml")
    tap.write_junit(results, junit)
    print("# wall time %.1fs; logs in %s; JUnit in %s" % (time.monotonic() - wall, args.logs,
                                                          junit))
    print(tap.summary(results))
    sys.exit(1 if any(not r.ok for r in results) or not results else 0)


if __name__ == "__main__":
    main()
