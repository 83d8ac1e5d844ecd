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
    results, outcome = R.run_boot(args, boot, ["harness/" + test])
    _no_ubsan(outcome.log_text, boot.name)
    return results, outcome


def _no_ubsan(log, where):
    """A sanitized kernel must not report undefined behaviour on the paths
    only these checks reach (a panic, a fault, the shell) either."""
    reports = [m.group(0) for m in R.UBSAN_RE.finditer(log)]
    _expect(not reports, "%s: undefined behaviour: %s" % (where, "; ".join(reports)))


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


def check_smap_report(args):
    results, outcome = _boot(args, "smap_violation")
    _expect(not _by_name(results, "/harness/smap_violation").ok, "an SMAP violation passed")
    _expect(outcome.status == R.EXIT_PANIC, "exit status %s, want 37" % outcome.status)
    log = outcome.log_text
    for piece in ("*** SMAP violation: kernel read of user address 400010 at RIP",
                  "protection violation on read in kernel mode", "harness_smap_read"):
        _expect(piece in log, "SMAP report lacks %r" % piece)
    return True, "a kernel read of a user page without STAC panics, named as SMAP"


def check_guard_page_kills(args):
    boot = R.Boot("host-isolation", "user/isolation", "pvh", timeout=60)
    results, outcome = R.run_boot(args, boot, ["user/isolation"])
    _expect(_by_name(results, "/user/isolation").ok, "user/isolation failed")
    kills = re.findall(r"killed: stack overflow into the stack guard page at ([0-9a-f]+)",
                       outcome.log_text)
    _expect(len(kills) == 2, "want 2 guard-page kills (main stack, thread), saw %s" % kills)
    # The main stack's guard is the page right below its 8 MiB (mm/vm.h).
    main_guard = 0x00007ffffffff000 - (8 << 20) - 4096
    _expect(int(kills[0], 16) >> 12 == main_guard >> 12,
            "main stack overflow at %s, not in the page below the stack" % kills[0])
    return True, "the kernel names both overflows: %s" % ", ".join(kills)


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
    _check_ubsan_evaluation(good)
    return True, ("duplicate, unexpected, lying exit status, no debug-exit, hang attribution, "
                  "UBSAN reports")


def _check_ubsan_evaluation(good):
    """A "UBSAN:" line fails the boot as <boot>/ubsan, named and attributed to
    the running test; the self-test boot passes only with exactly its one
    expected report."""
    line = ("UBSAN: shift-out-of-bounds in mm/x.c:12:9 (shift exponent 64 is too large for "
            "64-bit type 'long unsigned int')")
    bad = good.replace("ok 2 - a/y", "# running a/y\n" + line + "\nok 2 - a/y")
    for want in (None, []):
        r = _by_name(R.evaluate("b", ["a/x", "a/y"], _synthetic(bad), ubsan=want), "b/ubsan")
        _expect(not r.ok and "mm/x.c:12:9" in r.reason and "during a/y" in r.reason,
                "a UBSAN report was not failed with its place and test: %r" % r.reason)
    # The kernel's exit status stays about the tests; the report is the ubsan result's.
    _expect(_by_name(R.evaluate("b", ["a/x", "a/y"], _synthetic(bad)), "/kernel-exit").ok,
            "a UBSAN report was blamed on the exit status")
    _expect(not any(r.name == "b/ubsan" for r in R.evaluate("b", ["a/x", "a/y"],
                                                            _synthetic(good))),
            "a clean log of a kernel not known to be sanitized got a ubsan result")
    clean = _by_name(R.evaluate("b", ["a/x", "a/y"], _synthetic(good), ubsan=[]), "b/ubsan")
    _expect(clean.ok, "a clean sanitized boot failed: %r" % clean.reason)
    judged = {}
    for name, text, want in (("right", bad, ["mm/x.c:12"]), ("missing", good, ["mm/x.c:12"]),
                             ("elsewhere", bad, ["mm/x.c:13"]),
                             ("twice", bad.replace(line, line + "\n" + line), ["mm/x.c:12"])):
        judged[name] = _by_name(R.evaluate("b", ["a/x", "a/y"], _synthetic(text), ubsan=want),
                                "b/ubsan").ok
    _expect(judged == {"right": True, "missing": False, "elsewhere": False, "twice": False},
            "the self-test's expectation is judged wrongly: %s" % judged)


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
    _no_ubsan(out, "shell")
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


def _gdb_session(args, name, gdb_args, cmdline="loglevel=1", smp=1):
    """Boot QEMU paused with its gdb stub, run gdb (with tools/gdbinit, from
    the top of the repository) in batch mode; its output, kept in the logs."""
    port = _free_port()
    boot = R.Boot("gdb", "none", "pvh", smp=smp)
    cmd = R.qemu_command(args, boot, args.kernel, cmdline=cmdline) + [
        "-S", "-gdb", "tcp:127.0.0.1:%d" % port]
    if args.initrd:
        cmd += ["-initrd", args.initrd]
    qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        gdb = subprocess.run(
            ["gdb", "-nx", "-batch", "-x", os.path.join(R.ROOT, "tools", "gdbinit"),
             "-ex", "cowl-attach %d" % port] + gdb_args + [args.kernel],
            capture_output=True, text=True, timeout=90, cwd=R.ROOT)
        out = gdb.stdout + gdb.stderr
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") + "\n(gdb timed out)"
    finally:
        qemu.kill()
        qemu.wait()
    with open(os.path.join(args.logs, name + ".log"), "w") as f:
        f.write(out)
    return out


def _ex(*commands):
    return [a for c in commands for a in ("-ex", c)]


def check_gdb(args):
    """QEMU paused with its gdb stub; gdb with tools/gdbinit attaches, stops
    at the first 64-bit instruction and then at kmain, and the backtrace
    names kmain and its caller."""
    out = _gdb_session(args, "gdb", _ex("hbreak long_mode_high", "hbreak kmain", "continue",
                                        "continue", "bt"))
    _expect("Breakpoint 1, " in out and "long_mode_high" in out,
            "did not stop at the first 64-bit instruction")
    _expect("Breakpoint 2, kmain" in out, "breakpoint at kmain not hit")
    _expect("#0  kmain" in out and "arch_boot" in out, "backtrace does not name kmain")
    return True, "stopped at long_mode_high, then kmain; backtrace names kmain <- arch_boot"


def _walk_target(out, marker):
    """The physical page a cowl-walk printed after `marker`."""
    m = re.search(re.escape(marker) + r".*?-> phys (0x[0-9a-f]+)", out, re.S)
    _expect(m is not None, "cowl-walk after %r did not reach a page" % marker)
    return int(m.group(1), 16)


def check_gdb_commands(args):
    """forkdemo runs as init on 2 CPUs; stopped in it after its child wrote
    the shared page, every cowl-* command shows what it should: the
    processes and the thread, the child's kernel stack asleep in read(),
    the regions, both walks (the parent's path
    still marked COW_TABLE, the child's private and writable, on different
    pages), struct page of a page and of a PML4, the log, and help."""
    cmds = ["hbreak kmain", "continue", "cowl-user forkdemo", "hbreak forkdemo_ready",
            "continue", "echo ==ps==\\n", "cowl-ps", "echo ==vm==\\n", "cowl-vm",
            "echo ==walk-parent==\\n", "cowl-walk &forkdemo_page",
            "echo ==page==\\n", "cowl-page $cowl_page", "cowl-page $cowl_pml4",
            "cowl-page &log_buf", "echo ==walk-parent-end==\\n",
            "echo ==walk-child==\\n", "cowl-walk &forkdemo_page $rdi",
            "echo ==bt==\\n", "cowl-bt $rdi",
            "echo ==dmesg==\\n", "cowl-dmesg 40", "echo ==help==\\n", "help cowl"]
    cmds += ["help " + c for c in ("cowl-ps", "cowl-bt", "cowl-vm", "cowl-walk", "cowl-page",
                                   "cowl-dmesg", "cowl-user")]
    out = _gdb_session(args, "gdb-commands", _ex(*cmds), cmdline="init=/bin/forkdemo", smp=2)
    _expect("hit Breakpoint 2, forkdemo_ready" in out, "did not stop in forkdemo_ready: " +
            out[-300:])
    ps = out.split("==ps==")[1].split("==vm==")[0]
    _expect(re.search(r"\*\s+(\d+)\s+\1\s+running\s+\d\s+forkdemo", ps) is not None,
            "cowl-ps does not mark the running forkdemo: " + ps)
    _expect("forkdemo (thread)" in ps, "cowl-ps shows no thread")
    _expect(len(re.findall(r"forkdemo\n", ps)) >= 2, "cowl-ps shows no child process")
    _expect("cpu 0:" in ps and "cpu 1:" in ps, "cowl-ps does not list both CPUs")
    vm = out.split("==vm==")[1].split("==walk-parent==")[0]
    _expect("PML4 at phys" in vm and "r-x" in vm and "rw-" in vm, "cowl-vm shows no regions")
    parent = out.split("==walk-parent==")[1].split("==page==")[0]
    child = out.split("==walk-child==")[1].split("==bt==")[0]
    bt = out.split("==bt==")[1].split("==dmesg==")[0]
    _expect("pipe_read" in bt and "sys_read" in bt and "syscall_dispatch" in bt,
            "cowl-bt: the child is not seen sleeping in read(): " + bt)
    for level in ("PML4 at", "PDPT at", "PD   at", "PT   at"):
        _expect(level in parent and level in child, "cowl-walk misses the %s level" % level)
    _expect("COW_TABLE" in parent and "read-only" in parent,
            "the parent's path is not marked COW_TABLE / read-only: " + parent)
    _expect("COW_TABLE" not in child and "writable" in child,
            "the child's path is not private and writable: " + child)
    ppage, cpage = _walk_target(parent, "PT   at"), _walk_target(child, "PT   at")
    _expect(ppage != cpage, "parent and child map the same page after the child's write")
    page_out = out.split("==page==")[1].split("==walk-parent-end==")[0]
    _expect("kind user, refcount 1" in page_out, "cowl-page: the page is not a user page")
    _expect("PML4 (level 4)" in page_out and "live on CPUs" in page_out,
            "cowl-page: the PML4 is not shown as one")
    _expect("kind reserved" in page_out, "cowl-page: the kernel image is not reserved")
    dmesg = out.split("==dmesg==")[1].split("==help==")[0]
    _expect("initrd:" in dmesg and "smp:" in dmesg, "cowl-dmesg does not show the boot log")
    helps = out.split("==help==")[1]
    for c in ("cowl-ps", "cowl-bt", "cowl-vm", "cowl-walk", "cowl-page", "cowl-dmesg",
              "cowl-user"):
        _expect(c in helps, "help cowl does not list " + c)
    _expect(helps.count("Usage: cowl-") == 7, "a command has no help with its usage")
    return True, ("cowl-ps/vm/walk/page/dmesg/user on forkdemo (2 CPUs): parent page %#x "
                  "(COW_TABLE path), child page %#x (private)" % (ppage, cpage))


def check_gdb_step_fork(args):
    """A breakpoint in a user program (symbols by cowl-user) stops in libc's
    fork(); from there into the kernel's sys_fork (the backtrace crosses
    syscall_dispatch) and back to the user caller with the child's pid."""
    out = _gdb_session(args, "gdb-step-fork", _ex(
        "hbreak kmain", "continue", "cowl-user forkdemo", "hbreak fork", "continue", "bt 2",
        "set $back = *(unsigned long *)$rsp", "delete", "hbreak sys_fork", "continue", "bt",
        "delete", "finish", "hbreak *$back", "continue", "echo ==back==\\n", "bt 1",
        "print $rax"), cmdline="init=/bin/forkdemo")
    _expect("Breakpoint 2, fork ()" in out, "no stop at the user fork()")
    _expect(re.search(r"#1 .* in main \(\) at user/bin/forkdemo.c", out) is not None,
            "the user backtrace does not name main")
    _expect("Breakpoint 3, sys_fork ()" in out and "syscall_dispatch" in out,
            "did not reach the kernel's sys_fork from the system call")
    m = re.search(r"Value returned is \$1 = (\d+)", out)
    _expect(m is not None and int(m.group(1)) > 0, "sys_fork returned no pid")
    back = out.split("==back==")[-1]
    _expect(re.search(r"#0 .* in main \(\) at user/bin/forkdemo.c", back) is not None,
            "did not come back to main")
    r = re.search(r"\$2 = (-?\d+)", back)
    _expect(r is not None and int(r.group(1)) in (0, int(m.group(1))),
            "rax in main is neither the child's pid nor 0")
    return True, "user fork() -> sys_fork (pid %s) -> back in main" % m.group(1)


def check_ptgraph(args):
    """make pt-graph's path: boot, run the three ptdump demos, draw them.  In
    every picture each table is one node; after fork a shared PDPT has an
    edge from both PML4s; after the child's write the data region has two
    PDPTs (one each) while a shared table remains; the tree shows 4
    processes."""
    import sys
    sys.path.insert(0, os.path.join(R.ROOT, "tools"))
    import ptgraph
    text = ptgraph.boot_and_dump(args.kernel, args.initrd, args.qemu, ["fork", "write", "tree"])
    with open(os.path.join(args.logs, "ptgraph.log"), "w") as f:
        f.write(text)
    _no_ubsan(text, "ptgraph")
    blocks = ptgraph.parse(text)
    _expect(sorted(blocks) == ["fork", "tree", "write"], "demos missing: %s" % sorted(blocks))
    for name, block in blocks.items():
        dot = ptgraph.to_dot(name, block)
        ids = re.findall(r"^\s+(t[0-9a-f]+) \[", dot, re.M)
        _expect(len(ids) == len(set(ids)), "%s: a table is drawn twice" % name)
        _expect(len(ids) == len({t["table"] for t in block["tables"]}), "%s: tables lost" % name)
        edges = re.findall(r"^\s+(\w+) -> (t[0-9a-f]+)", dot, re.M)
        parents = {}
        for src, dst in edges:
            parents.setdefault(dst, set()).add(src)
        shared = {ptgraph.node_id(t["table"]) for t in block["tables"] if t["refcount"] > 1}
        for t in shared:
            _expect(len(parents.get(t, ())) >= 2, "%s: shared table %s has one parent" % (name, t))
        block["shared"] = shared
    _expect(len(blocks["fork"]["procs"]) == 2 and blocks["fork"]["shared"],
            "fork: not two processes sharing tables")
    data_pdpts = [t for t in blocks["write"]["tables"] if t["level"] == 3 and t["va"] == 1 << 44]
    _expect(len({t["table"] for t in data_pdpts}) == 2, "write: the data PDPT was not unshared")
    _expect(blocks["write"]["shared"], "write: nothing shared any more")
    _expect(len(blocks["tree"]["procs"]) == 4, "tree: not 4 processes")
    return True, "fork/write/tree drawn: %d/%d/%d shared tables, one node each" % tuple(
        len(blocks[n]["shared"]) for n in ("fork", "write", "tree"))


def check_linux(args):
    """make test-linux inside make test: the POSIX user tests, built with
    the host gcc and run on this Linux, all pass (tools/test_linux.py)."""
    import sys
    sys.path.insert(0, os.path.join(R.ROOT, "tools"))
    import test_linux
    if not sys.platform.startswith("linux"):
        return True, "SKIP not a Linux host"
    if not test_linux.host_compiler():
        return True, "SKIP no host C compiler (gcc) to build the POSIX tests with"
    results = test_linux.run_all(os.path.join(args.build, "linux"))
    _expect(results, "no user test is marked as POSIX")
    failed = ["linux/%s: %s" % (name, reason) for name, ok, reason in results if not ok]
    if failed:
        return False, "; ".join(failed) + " (logs: build/linux/NAME.log)"
    return True, "%d user tests pass on Linux too (%d cowl-only ones excluded)" % (
        len(results), len(test_linux.EXCLUDED))


FAILALLOC_POINTS = (1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233)


def check_failalloc_boot(args):
    """The boot option failalloc_nth=N (mm/failalloc.c): init (user/tests/pipe,
    which forks, pipes and execs nothing) and its children get their N-th
    allocation refused, from the first one its start needs.  Whatever init
    makes of that, the kernel must not panic, and once init is gone every
    page must be back and the audit clean (kernel/main.c, run_init)."""
    boot = R.Boot("failalloc-boot", "", "pvh", smp=2)
    hurt = 0
    for n in FAILALLOC_POINTS:
        cmdline = "init=/tests/pipe failalloc_nth=%d loglevel=1" % n
        cmd = R.qemu_command(args, boot, args.kernel, cmdline=cmdline, module=args.initrd)
        log = os.path.join(args.logs, "failalloc-boot-%d.log" % n)
        out = R.run_qemu(cmd, 60, log)
        _expect(not out.timed_out, "failalloc_nth=%d: no end after 60 s (%s)" % (n, log))
        _expect(out.status != R.EXIT_PANIC and "kernel panic" not in out.log_text
                and "kernel exception" not in out.log_text,
                "failalloc_nth=%d: the kernel panicked (%s)" % (n, log))
        _no_ubsan(out.log_text, "failalloc_nth=%d" % n)
        end = re.search(r"init exited with status (\d+); pages not returned (-?\d+); audit (.*)",
                        out.log_text)
        stats = re.search(r"failalloc: init and its children made (\d+) allocations, (\d+) failed",
                          out.log_text)
        _expect(end and stats, "failalloc_nth=%d: no final report (%s)" % (n, log))
        _expect(end.group(2) == "0", "failalloc_nth=%d: %s pages not returned" % (n, end.group(2)))
        _expect(end.group(3).strip() == "ok", "failalloc_nth=%d: audit: %s" % (n, end.group(3)))
        _expect(int(stats.group(2)) == (1 if int(stats.group(1)) >= n else 0),
                "failalloc_nth=%d: %s allocations but %s failures" % (n, stats.group(1),
                                                                     stats.group(2)))
        hurt += end.group(1) != "0"
    _expect(hurt > 0, "no injected failure changed how init ended")
    return True, ("failalloc_nth=%s: no panic, every page back, audit clean; init failed or "
                  "was killed in %d of %d" % (",".join(map(str, FAILALLOC_POINTS)), hurt,
                                              len(FAILALLOC_POINTS)))


def host_checks(args, tests):
    del tests
    checks = [
        ("host/harness/failure_is_reported", check_failure),
        ("host/harness/panic_is_reported", check_panic),
        ("host/harness/fault_report", check_fault_report),
        ("host/harness/smap_violation_is_named", check_smap_report),
        ("host/harness/double_fault_on_ist", check_double_fault),
        ("host/isolation/guard_page_kills_are_named", check_guard_page_kills),
        ("host/harness/hang_is_reported", check_hang),
        ("host/harness/leak_is_reported", check_leak),
        ("host/harness/audit_is_reported", check_audit),
        ("host/harness/table_audit_is_reported", check_table_audit),
        ("host/harness/control_and_missing", check_pass_and_missing),
        ("host/harness/parser", check_parser),
        ("host/gdb/break_at_kmain", check_gdb),
        ("host/gdb/commands", check_gdb_commands),
        ("host/gdb/step_user_fork", check_gdb_step_fork),
        ("host/ptgraph/demos", check_ptgraph),
        ("host/shell/piped_script", check_shell),
        ("host/linux/posix", check_linux),
        ("host/failalloc/boot_option", check_failalloc_boot),
    ]
    return [(name, lambda fn=fn: fn(args)) for name, fn in checks]
