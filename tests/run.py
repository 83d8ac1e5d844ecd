#!/usr/bin/env python3
"""run.py - cowl's host-side test runner (the contract is in TESTING.md).

It boots the kernel headless under QEMU in several configurations ("boots"),
each with a timeout, reads the TAP lines the kernel prints on its serial port,
and compares them with the tests the kernel image says it contains (the
.ktests section of build/cowl.elf).  A test that fails, a kernel panic, a
hang past the timeout, a wrong exit status or a test that never reported are
all failures, reported by name.  Host-side checks (the harness's own tests,
the gdb smoke test) report the same way.

Output: one TAP line per result, build/test-results.xml (JUnit), one serial
log per boot in build/test-logs/, and as the very last line
"N passed, N failed".  Exit status 0 only if nothing failed.
"""
import argparse
import concurrent.futures
import fnmatch
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# isa-debug-exit: the kernel writes v, QEMU exits with (v << 1) | 1.
EXIT_PASS, EXIT_FAIL, EXIT_PANIC = 33, 35, 37
EXIT_MEANING = {EXIT_PASS: "all passed", EXIT_FAIL: "some failed", EXIT_PANIC: "kernel panic"}

TAP_RE = re.compile(r"^(not ok|ok) (\d+) - (\S+)(?: # (.*))?$")
# kernel/ubsan.c's report; searched anywhere in a line, as a user program's
# unfinished line may precede it on the console.
UBSAN_RE = re.compile(r"UBSAN: (\S+) in (\S+):(\d+):(\d+) .*")


# --------------------------------------------------------------------------
# What the kernel image contains: struct ktest entries in .ktests


class Elf:
    """Just enough ELF64 reading to follow pointers inside a kernel image."""

    def __init__(self, path):
        self.data = open(path, "rb").read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2:
            raise SystemExit("run.py: %s is not an ELF64 file" % path)
        shoff, = struct.unpack_from("<Q", d, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3A)
        raw = [struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * shentsize) for i in range(shnum)]
        strtab_off = raw[shstrndx][4]
        self.sections = {}
        for name_off, _typ, _flags, addr, off, size, *_ in raw:
            end = d.index(b"\0", strtab_off + name_off)
            self.sections[d[strtab_off + name_off:end].decode()] = (addr, off, size)

    def read(self, vaddr, size):
        for addr, off, sz in self.sections.values():
            if addr and addr <= vaddr < addr + sz:
                return self.data[off + vaddr - addr: off + vaddr - addr + size]
        raise ValueError("address %x is in no section" % vaddr)

    def cstring(self, vaddr):
        out = b""
        while True:
            chunk = self.read(vaddr + len(out), 64)
            if b"\0" in chunk:
                return (out + chunk[:chunk.index(b"\0")]).decode()
            out += chunk


KTEST_HIDDEN = 1


def kernel_tests(elf_path):
    """[(suite/name, flags)] in the order the kernel runs them."""
    elf = Elf(elf_path)
    if ".rodata" not in elf.sections:
        raise SystemExit("run.py: no .rodata in %s" % elf_path)
    syms = symbol_table(elf_path)
    start, end = syms["__ktests_start"], syms["__ktests_end"]
    tests = []
    for at in range(start, end, 32):  # struct ktest: 3 pointers, u32 flags, pad
        suite, name, _fn, flags = struct.unpack("<QQQI", elf.read(at, 28))
        tests.append(("%s/%s" % (elf.cstring(suite), elf.cstring(name)), flags))
    return tests


def initrd_tests(cpio_path):
    """[("user/<prog>", 0)] for every regular file under tests/ in the initrd
    (the kernel runs each as a user-space test, in archive order)."""
    data, at, out = open(cpio_path, "rb").read(), 0, []
    while at + 110 <= len(data) and data[at:at + 6] == b"070701":
        field = lambda i: int(data[at + 6 + 8 * i: at + 14 + 8 * i], 16)
        mode, size, namesize = field(1), field(6), field(11)
        name = data[at + 110: at + 110 + namesize - 1].decode()
        data_at = at + ((110 + namesize + 3) & ~3)
        if name == "TRAILER!!!":
            break
        if name.startswith("tests/") and mode & 0o170000 == 0o100000:
            out.append(("user/" + name[len("tests/"):], 0))
        at = data_at + ((size + 3) & ~3)
    return out


def symbol_table(elf_path):
    out = subprocess.run(["nm", elf_path], capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return syms


def kernel_selects(patterns, name, flags):
    """The kernel's own rule (kernel/ktest.c): anchored globs; hidden tests
    only when the pattern starts with their suite."""
    suite = name.split("/")[0]
    for pat in patterns.split(","):
        if pat and fnmatch.fnmatchcase(name, pat):
            if not flags & KTEST_HIDDEN or pat.startswith(suite + "/"):
                return True
    return False


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


# --------------------------------------------------------------------------
# Results


class Result:
    def __init__(self, name, ok, reason="", seconds=0.0, log=None):
        self.name, self.ok, self.reason, self.seconds, self.log = name, ok, reason, seconds, log
        self.skipped = ok and reason.startswith("SKIP")


class Boot:
    """One QEMU run: how to start it and which kernel tests it must report."""

    def __init__(self, name, patterns, loader, machine="pc", smp=1, mem="512M",
                 timeout=120, iso=False, extra_args="", ubsan=None):
        self.name, self.patterns, self.loader = name, patterns, loader
        self.machine, self.smp, self.mem, self.timeout = machine, smp, mem, timeout
        self.iso, self.extra_args = iso, extra_args
        # The "file:line" places whose UBSAN reports this boot expects
        # (evaluate()); None until main() knows whether the kernel is sanitized.
        self.ubsan = ubsan


class BootOutcome:
    def __init__(self, log_text, status, timed_out, seconds, first_line_s):
        self.log_text, self.status, self.timed_out = log_text, status, timed_out
        self.seconds, self.first_line_s = seconds, first_line_s


def evaluate(boot_name, expected, outcome, log_path=None, ubsan=None):
    """Turn one boot's serial log into results: one per expected test, plus
    '<boot>/kernel-exit' for how the boot ended, plus '<boot>/ubsan' for
    undefined behaviour (ubsan_result).  Pure: tested on its own."""
    seen, order, running, plan, done = {}, [], None, None, False
    extra, reports = [], []
    for line in outcome.log_text.splitlines():
        line = line.rstrip("\r")
        u = UBSAN_RE.search(line)
        if u:
            reports.append((u, running))
        m = TAP_RE.match(line)
        if m:
            name = m.group(3)
            if name in seen:
                extra.append(Result("%s/%s" % (boot_name, name), False, "reported twice"))
                continue
            seen[name] = (m.group(1) == "ok", m.group(4) or "")
            order.append(name)
            running = None
        elif line.startswith("# running "):
            running = line[len("# running "):].strip()
        elif line.startswith("1.."):
            plan = int(line[3:]) if line[3:].isdigit() else None
        elif line.startswith("# cowl-tests: done"):
            done = True

    if outcome.timed_out:
        why_missing = "timeout: the kernel stopped reporting"
    elif outcome.status == EXIT_PANIC:
        why_missing = "not run: the kernel panicked earlier"
    else:
        why_missing = "missing: the kernel never reported this test"

    results = []
    for name in expected:
        full = "%s/%s" % (boot_name, name)
        if name in seen:
            ok, reason = seen[name]
            results.append(Result(full, ok, reason, log=log_path))
        elif outcome.timed_out and name == running:
            results.append(Result(full, False, "timeout after %ds: hung in this test"
                                  % outcome.seconds, log=log_path))
        else:
            results.append(Result(full, False, why_missing, log=log_path))
    for name in order:
        if name not in expected:
            extra.append(Result("%s/%s" % (boot_name, name), False,
                                "unexpected: the runner did not select this test"))

    all_ok = all(r.ok for r in results + extra)
    problems = []
    if outcome.timed_out:
        problems.append("timed out after %ds" % outcome.seconds)
    elif outcome.status not in EXIT_MEANING:
        problems.append("QEMU exit status %s (the kernel did not exit through "
                        "isa-debug-exit)" % outcome.status)
    elif outcome.status == EXIT_PANIC:
        problems.append("kernel panic (exit status %d)" % EXIT_PANIC)
    elif (outcome.status == EXIT_PASS) != all_ok:
        problems.append("exit status %d disagrees with the TAP results" % outcome.status)
    if plan is not None and plan != len(expected):
        problems.append("kernel planned %d tests, runner expected %d" % (plan, len(expected)))
    if not done and not outcome.timed_out and outcome.status != EXIT_PANIC:
        problems.append("no end-of-tests line")
    reason = "; ".join(problems)
    if not reason and outcome.first_line_s is not None:
        reason = "first test line after %.2fs, boot took %.2fs" % (outcome.first_line_s,
                                                                   outcome.seconds)
    exit_result = Result("%s/kernel-exit" % boot_name, not problems, reason,
                         seconds=outcome.seconds, log=log_path)
    return results + extra + [exit_result] + ubsan_result(boot_name, reports, ubsan, log_path)


def ubsan_result(boot_name, reports, want, log_path):
    """'<boot>/ubsan': the sanitizer's reports (kernel/ubsan.c) against `want`,
    the "file:line" places this boot must report, each exactly once (the
    runtime's self-test), or [] for none.  want=None (the kernel may not be
    sanitized): a result only if there was a report, and then a failure.  A
    normal kernel never prints "UBSAN:", so the check is harmless there."""
    if want is None and not reports:
        return []
    got = ["%s:%s" % (u.group(2), u.group(3)) for u, _ in reports]
    described = ["%s%s" % (u.group(0), " during " + test if test else "") for u, test in reports]
    if sorted(got) == sorted(want or []):
        reason = ("expected report: " + "; ".join(described) if want
                  else "no undefined behaviour reported")
        return [Result("%s/ubsan" % boot_name, True, reason, log=log_path)]
    if want:
        reason = "expected one report at each of %s, got %d: %s" % (
            ", ".join(want), len(reports), "; ".join(described) or "none")
    else:
        reason = "%d undefined-behaviour report(s): %s" % (len(reports), "; ".join(described))
    return [Result("%s/ubsan" % boot_name, False, reason, log=log_path)]


# --------------------------------------------------------------------------
# Running QEMU


def qemu_command(args, boot, kernel, iso_path=None, cmdline="", module=None):
    cmd = [args.qemu, "-accel", args.accel, "-cpu", "max", "-m", boot.mem,
           "-smp", str(boot.smp), "-display", "none", "-serial", "stdio",
           "-monitor", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if boot.machine != "pc":
        cmd += ["-machine", boot.machine]
    if boot.iso:
        cmd += ["-cdrom", iso_path, "-boot", "d"]
    else:
        cmd += ["-kernel", kernel, "-append", cmdline]
        if module:
            cmd += ["-initrd", module]
    return cmd


def run_qemu(cmd, timeout, log_path):
    """Run QEMU with serial on stdout into log_path; kill it at the timeout."""
    start = time.monotonic()
    first_line = None
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        os.set_blocking(proc.stdout.fileno(), False)
        timed_out = False
        buf = b""
        while True:
            chunk = proc.stdout.read()
            if chunk:
                log.write(chunk)
                log.flush()
                buf += chunk
                if first_line is None and re.search(rb"(?m)^(not )?ok \d+ - ", buf):
                    first_line = time.monotonic() - start
            elif proc.poll() is not None:
                break
            else:
                time.sleep(0.02)
            if time.monotonic() - start > timeout:
                proc.kill()
                timed_out = True
                proc.wait()
                log.write(proc.stdout.read() or b"")
                break
    seconds = time.monotonic() - start
    text = open(log_path, "rb").read().decode("utf-8", "replace")
    return BootOutcome(text, proc.returncode, timed_out, seconds, first_line)


def make_iso(kernel, cmdline, out, module):
    subprocess.run([os.path.join(ROOT, "tools", "mkiso.sh"), kernel, out, cmdline, module],
                   check=True)


def run_boot(args, boot, expected):
    log_path = os.path.join(args.logs, boot.name + ".log")
    cmdline = "test=%s expect_loader=%s expect_module=1 expect_cpus=%d %s" % (
        boot.patterns, boot.loader, boot.smp, boot.extra_args)
    module = args.initrd
    iso_path = None
    if boot.iso:
        iso_path = os.path.join(args.build, "test-%s.iso" % boot.name)
        make_iso(args.kernel, cmdline.strip(), iso_path, module)
    cmd = qemu_command(args, boot, args.kernel, iso_path, cmdline.strip(), module)
    outcome = run_qemu(cmd, boot.timeout, log_path)
    ubsan = boot.ubsan
    if ubsan is None and getattr(args, "sanitized", False):
        ubsan = []  # every boot of a sanitized kernel must be free of reports
    return evaluate(boot.name, expected, outcome, log_path, ubsan), outcome


# --------------------------------------------------------------------------
# The suite


def standard_boots():
    """Every boot of the normal suite.  Each runs all (non-hidden) tests."""
    return [
        Boot("pvh", "*", "pvh"),
        Boot("iso", "*", "multiboot2", iso=True),
        Boot("microvm", "*", "pvh", machine="microvm"),
        # Every test on four CPUs, in each fork mode: threads of one
        # process really run at once, so a missed TLB shootdown shows.
        Boot("smp4", "*", "pvh", smp=4),
        Boot("copy", "*", "pvh", smp=4, extra_args="fork=copy"),
        Boot("eager", "*", "pvh", smp=4, extra_args="fork=eager"),
        # The most CPUs cowl takes (MAX_CPUS): the SMP and thread tests.
        Boot("smp8", "smp/*,sched/*,user/threads,user/shootdown,user/mtstress", "pvh", smp=8),
        # The course exercises (exercises/, docs/exercises.md): hidden from
        # "*", run here once; each SKIPs until its exercise is solved.
        Boot("exercises", "exercise/*", "pvh", smp=2),
    ]


def sanitized(syms):
    """Built with make SANITIZE=1?  kernel/ubsan.c defines this symbol then."""
    return "ubsan_instrumented" in syms


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
    names = [n for n, f in tests if kernel_selects(boot.patterns, n, f)]
    chosen = [n for n in names if user_matches(filters, "%s/%s" % (boot.name, n))]
    if filters and chosen and len(chosen) < len(names):
        boot.patterns = ",".join(chosen)  # exact names are anchored globs
    return chosen


def host_check(name, fn):
    """Run a host-side check: fn() returns (ok, reason)."""
    start = time.monotonic()
    try:
        ok, reason = fn()
    except Exception as e:  # a crash in a check is a failure of that check
        ok, reason = False, "check raised %s: %s" % (type(e).__name__, e)
    return Result(name, ok, reason, seconds=time.monotonic() - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build", "cowl.elf"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build", "initrd.cpio"),
                    help="boot module for every test boot")
    ap.add_argument("--filter", default=os.environ.get("T", ""),
                    help="comma-separated globs or substrings of test names")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--accel", default=os.environ.get("ACCEL", "tcg"))
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    args.logs = os.path.join(args.build, "test-logs")
    shutil.rmtree(args.logs, ignore_errors=True)
    os.makedirs(args.logs)

    import harness  # tests/harness.py: the runner's own tests, gdb smoke test
    tests = kernel_tests(args.kernel) + initrd_tests(args.initrd)
    args.sanitized = sanitized(symbol_table(args.kernel))
    work = []
    for boot in standard_boots() + ([ubsan_selftest_boot()] if args.sanitized else []):
        expected = selection_for(boot, tests, args.filter)
        if expected:
            work.append(("boot", boot, expected))
    for name, fn in harness.host_checks(args, tests):
        if user_matches(args.filter, name):
            work.append(("host", name, fn))

    results, number, wall = [], 0, time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = []
        for kind, a, b in work:
            if kind == "boot":
                futures.append(pool.submit(lambda bt=a, ex=b: run_boot(args, bt, ex)[0]))
            else:
                futures.append(pool.submit(lambda n=a, f=b: [host_check(n, f)]))
        for fut in futures:  # report in a stable order
            for r in fut.result():
                number += 1
                print(tap_line(number, r), flush=True)
                results.append(r)
    if not results:
        print("run.py: no test matches %r" % args.filter)
    write_junit(results, os.path.join(args.build, "test-results.xml"))
    failed = sum(not r.ok for r in results)
    skipped = sum(r.skipped for r in results)
    print("# wall time %.1fs; logs in %s; JUnit in %s" % (
        time.monotonic() - wall, args.logs, os.path.join(args.build, "test-results.xml")))
    summary = "%d passed, %d failed" % (len(results) - failed - skipped, failed)
    print(summary + (", %d skipped" % skipped if skipped else ""))
    sys.exit(1 if failed or not results else 0)


def tap_line(n, r):
    line = "%s %d - %s" % ("ok" if r.ok else "not ok", n, r.name)
    if r.reason:
        line += " # " + r.reason.replace("\n", " ")
    if not r.ok and r.log:
        line += " (log: %s)" % os.path.relpath(r.log)
    return line


def write_junit(results, path):
    suites = {}
    for r in results:
        suites.setdefault(r.name.split("/")[0], []).append(r)
    root = ET.Element("testsuites", tests=str(len(results)),
                      failures=str(sum(not r.ok for r in results)),
                      skipped=str(sum(r.skipped for r in results)))
    for sname, rs in suites.items():
        s = ET.SubElement(root, "testsuite", name=sname, tests=str(len(rs)),
                          failures=str(sum(not r.ok for r in rs)))
        for r in rs:
            cls, _, case = r.name.rpartition("/")
            c = ET.SubElement(s, "testcase", classname=cls.replace("/", "."), name=case,
                              time="%.3f" % r.seconds)
            if not r.ok:
                f = ET.SubElement(c, "failure", message=r.reason or "failed")
                f.text = r.reason
            elif r.skipped:
                ET.SubElement(c, "skipped", message=r.reason)
            if r.log:
                ET.SubElement(c, "system-out").text = "serial log: %s" % r.log
    ET.ElementTree(root).write(path, encoding="unicode", xml_declaration=True)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
