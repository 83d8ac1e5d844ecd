"""harness.py - tests of the test harness itself, and the gdb smoke test.

A harness that reports a broken test as passing is worse than none, so every
kind of failure the runner claims to catch is produced here for real: a failed
check, a panic, a kernel page fault, a hang, a leak, and a test that never
reports.  Each check passes only if run.py's evaluation calls it a failure,
with the right name and reason.  One control (harness/pass) must pass, so a
runner that fails everything is caught too.
"""
import os
import re
import socket
import subprocess
import time

import run as R

HANG_TIMEOUT = 8  # seconds; a TCG boot reaches the tests in well under one


def _boot(args, test, timeout=60):
    boot = R.Boot("harness-" + test, "harness/" + test, "pvh", timeout=timeout)
    return R.run_boot(args, boot, ["harness/" + test])


def _by_name(results, suffix):
    for r in results:
        if r.name.endswith(suffix):
            return r
    raise AssertionError("no result named *%s in %s" % (suffix, [r.name for r in results]))


def _expect(cond, what):
    if not cond:
        raise AssertionError(what)


def check_failure(args):
    results, _ = _boot(args, "fail")
    r = _by_name(results, "/harness/fail")
    _expect(not r.ok, "a failing EXPECT was reported as passing")
    _expect("1 + 1 == 3" in r.reason, "reason lacks the failed expression: %r" % r.reason)
    _expect(_by_name(results, "/kernel-exit").ok, "a clean failing run should exit with 35")
    return True, "failure caught: " + r.reason


def check_panic(args):
    results, outcome = _boot(args, "panic")
    r = _by_name(results, "/harness/panic")
    _expect(not r.ok, "a panicking test was reported as passing")
    _expect(outcome.status == R.EXIT_PANIC, "exit status %s, want 37" % outcome.status)
    _expect(not _by_name(results, "/kernel-exit").ok, "a panicked boot was called clean")
    _expect("ktest_fn_harness_panic" in outcome.log_text, "panic backtrace lacks the test")
    return True, "panic caught: " + r.reason


def check_fault_report(args):
    results, outcome = _boot(args, "pagefault")
    _expect(not _by_name(results, "/harness/pagefault").ok, "a faulting test passed")
    log = outcome.log_text
    for piece in ("kernel exception 14: page fault", "cr2=000000000dead000",
                  "not-present page on write in kernel mode", "rip=", "r15=",
                  "harness_bad_write", "ktest_fn_harness_pagefault", "ktest_run"):
        _expect(piece in log, "exception report lacks %r" % piece)
    return True, "page fault report has name, decoded error, CR2, registers, backtrace"


def check_double_fault(args):
    results, outcome = _boot(args, "stack_overflow")
    _expect(not _by_name(results, "/harness/stack_overflow").ok, "a stack overflow passed")
    log = outcome.log_text
    for piece in ("kernel exception 8: double fault", "guard page below the boot stack",
                  "recurse_forever", "more times"):
        _expect(piece in log, "double-fault report lacks %r" % piece)
    _expect("while reporting" not in log, "the report itself faulted")
    return True, "stack overflow -> double fault on its IST stack, reported with a backtrace"


def check_hang(args):
    results, outcome = _boot(args, "hang", timeout=HANG_TIMEOUT)
    r = _by_name(results, "/harness/hang")
    _expect(outcome.timed_out, "the hanging boot was not stopped by the timeout")
    _expect(not r.ok and "hung in this test" in r.reason, "hang not named: %r" % r.reason)
    return True, "hang caught after %.1fs" % outcome.seconds


def check_leak(args):
    results, _ = _boot(args, "leak")
    r = _by_name(results, "/harness/leak")
    _expect(not r.ok and "leak check" in r.reason, "a leaking test passed: %r" % r.reason)
    return True, "leak caught: " + r.reason


def check_audit(args):
    results, _ = _boot(args, "audit")
    r = _by_name(results, "/harness/audit")
    _expect(not r.ok and "page audit" in r.reason and "7 references" in r.reason,
            "a corrupted free page passed the audit: %r" % r.reason)
    return True, "audit caught: " + r.reason


def check_table_audit(args):
    reasons = []
    for test, piece in (("audit_table_refcount", "refcount 0 but 1 entries"),
                        ("audit_invariant_w", "invariant W")):
        results, _ = _boot(args, test)
        r = _by_name(results, "/harness/" + test)
        _expect(not r.ok and "table audit" in r.reason and piece in r.reason,
                "%s not caught by the table audit: %r" % (test, r.reason))
        reasons.append(r.reason)
    return True, "; ".join(reasons)


def check_pass_and_missing(args):
    results, outcome = _boot(args, "pass")
    _expect(all(r.ok for r in results), "the control test did not pass: %s"
            % [(r.name, r.reason) for r in results if not r.ok])
    # The same log, judged against a list with one more test: it is missing.
    judged = R.evaluate("x", ["harness/pass", "harness/ghost"], outcome)
    ghost = _by_name(judged, "/harness/ghost")
    _expect(not ghost.ok and "missing" in ghost.reason, "a missing test was not reported")
    _expect(not _by_name(judged, "/kernel-exit").ok, "plan mismatch not reported")
    return True, "control passes; a test that never reports is a failure"


def _synthetic(text, status=R.EXIT_PASS, timed_out=False):
    return R.BootOutcome(text, status, timed_out, 1.0, 0.1)


def check_parser(args):
    del args
    good = "TAP version 13\n1..2\nok 1 - a/x\nok 2 - a/y\n# cowl-tests: done passed=2 failed=0\n"
    _expect(all(r.ok for r in R.evaluate("b", ["a/x", "a/y"], _synthetic(good))), "good log")
    dup = good.replace("ok 2 - a/y", "ok 2 - a/x")
    _expect(not all(r.ok for r in R.evaluate("b", ["a/x", "a/y"], _synthetic(dup))),
            "a duplicated result hid a missing one")
    _expect(not all(r.ok for r in R.evaluate("b", ["a/x"], _synthetic(good.replace("1..2", "1..1")))),
            "an unexpected test was ignored")
    liar = good.replace("ok 2 - a/y", "not ok 2 - a/y # broken")
    res = R.evaluate("b", ["a/x", "a/y"], _synthetic(liar, status=R.EXIT_PASS))
    _expect(not _by_name(res, "/kernel-exit").ok, "exit 33 with a failed test was accepted")
    res = R.evaluate("b", ["a/x", "a/y"], _synthetic(good, status=0))
    _expect(not _by_name(res, "/kernel-exit").ok, "exit without isa-debug-exit was accepted")
    cut = "1..2\nok 1 - a/x\n# running a/y\n"
    res = R.evaluate("b", ["a/x", "a/y"], _synthetic(cut, status=None, timed_out=True))
    _expect("hung in this test" in _by_name(res, "/a/y").reason, "hang not attributed")
    return True, "duplicate, unexpected, lying exit status, no debug-exit, hang attribution"


SHELL_SCRIPT = b"""echo hello from cowl
ls /bin | cat
cd /etc
cat motd | cat > /copy
cat /copy
nosuch
echo status $?
sleep 0.1 &
ps
cpustat
poweroff
"""


def check_shell(args):
    """What `make run` does, with a script piped in instead of a person:
    boot to init and the shell, run the commands, and `poweroff` ends QEMU."""
    boot = R.Boot("shell", "", "pvh", smp=4)  # the shell must work on any CPU count
    cmd = R.qemu_command(args, boot, args.kernel, cmdline="loglevel=1", module=args.initrd)
    cmd = [c for c in cmd if not c.startswith("isa-debug-exit")]  # a plain machine
    cmd.remove("-device")
    # The script goes in once the kernel is up, as typing would: input that
    # arrives during boot is drained by the timer's polling before the
    # serial interrupt is routed, and could not show that it works.
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    time.sleep(2)
    stdout, _ = proc.communicate(SHELL_SCRIPT, timeout=60)
    out = stdout.decode("utf-8", "replace").replace("\r", "")
    with open(os.path.join(args.logs, "shell.log"), "w") as f:
        f.write(out)
    for piece in ("$ echo hello from cowl\nhello from cowl", "sh\n", "Welcome to cowl",
                  "sh: nosuch: no such file or directory", "status 127", "PID  PPID S NAME",
                  "cowl: power off"):
        _expect(piece in out, "shell transcript lacks %r (see shell.log)" % piece)
    _expect(proc.returncode == 0, "QEMU exit status %d after poweroff" % proc.returncode)
    # cpustat's row for CPU 0: input came by interrupt, not only by polling.
    row = re.search(r"^\s*0\s+(\d+(\s+\d+){7})\s*$", out, re.M)
    _expect(row is not None, "no cpustat row for CPU 0 (see shell.log)")
    serial_irqs = int(row.group(1).split()[-1])
    _expect(serial_irqs > 0, "no serial interrupts on CPU 0: input was only polled")
    return True, ("piped script on 4 CPUs: pipes, redirection, cd, $?, &, ps, cpustat "
                  "(%d serial IRQs); poweroff ended QEMU" % serial_irqs)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_gdb(args):
    """QEMU paused with its gdb stub; gdb with tools/gdbinit attaches, stops
    at the first 64-bit instruction and then at kmain, and the backtrace
    names kmain and its caller."""
    port = _free_port()
    boot = R.Boot("gdb", "none", "pvh")
    cmd = R.qemu_command(args, boot, args.kernel, cmdline="loglevel=1") + [
        "-S", "-gdb", "tcp:127.0.0.1:%d" % port]
    qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        gdb = subprocess.run(
            ["gdb", "-nx", "-batch", "-x", os.path.join(R.ROOT, "tools", "gdbinit"),
             "-ex", "cowl-attach %d" % port, "-ex", "hbreak long_mode_high",
             "-ex", "hbreak kmain", "-ex", "continue", "-ex", "continue",
             "-ex", "bt", args.kernel],
            capture_output=True, text=True, timeout=60)
    finally:
        qemu.kill()
        qemu.wait()
    out = gdb.stdout + gdb.stderr
    with open(os.path.join(args.logs, "gdb.log"), "w") as f:
        f.write(out)
    _expect("Breakpoint 1, " in out and "long_mode_high" in out,
            "did not stop at the first 64-bit instruction")
    _expect("Breakpoint 2, kmain" in out, "breakpoint at kmain not hit")
    _expect("#0  kmain" in out and "arch_boot" in out, "backtrace does not name kmain")
    return True, "stopped at long_mode_high, then kmain; backtrace names kmain <- arch_boot"


def host_checks(args, tests):
    del tests
    checks = [
        ("host/harness/failure_is_reported", check_failure),
        ("host/harness/panic_is_reported", check_panic),
        ("host/harness/fault_report", check_fault_report),
        ("host/harness/double_fault_on_ist", check_double_fault),
        ("host/harness/hang_is_reported", check_hang),
        ("host/harness/leak_is_reported", check_leak),
        ("host/harness/audit_is_reported", check_audit),
        ("host/harness/table_audit_is_reported", check_table_audit),
        ("host/harness/control_and_missing", check_pass_and_missing),
        ("host/harness/parser", check_parser),
        ("host/gdb/break_at_kmain", check_gdb),
        ("host/shell/piped_script", check_shell),
    ]
    return [(name, lambda fn=fn: fn(args)) for name, fn in checks]
