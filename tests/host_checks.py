"""host_checks.py - checks run on the host, beside the kernel's own tests.

Each boots cowl in a way a test boot does not, or looks at it from outside:
  host/isolation  the kernel names a user stack overflow (guard-page kills)
  host/gdb        gdb on QEMU's stub: breakpoints, the cowl-* commands of
                  tools/gdb/cowl.py, stepping from user fork() into sys_fork
  host/ptgraph    tools/ptgraph.py's pictures of page-table sharing
  host/shell      a script typed into the shell, ended by poweroff
  host/linux      the POSIX user tests on this Linux (tests/test_linux.py)
  host/failalloc  the failalloc_nth= boot option: no panic, no lost page
  host/qemu       the Makefile's `make run` machine is tests/qemu.py's
The harness's tests of itself are in tests/harness_selftest.py.
"""
import os
import re
import subprocess
import sys
import time

import qemu
import test_linux
from boots import Boot, run_boot, run_qemu
from check import by_name, expect, no_ubsan

sys.path.insert(0, os.path.join(qemu.ROOT, "tools"))  # for ptgraph


def check_guard_page_kills(args):
    """user/isolation overflows its main stack and a thread's on purpose; the
    kernel must kill each at its guard page and say so, at the right page."""
    boot = Boot("host-isolation", "user/isolation", "pvh", timeout=60)
    results, outcome = run_boot(args, boot, ["user/isolation"])
    expect(by_name(results, "/user/isolation").ok, "user/isolation failed")
    kills = re.findall(r"killed: stack overflow into the stack guard page at ([0-9a-f]+)",
                       outcome.log_text)
    expect(len(kills) == 2, "want 2 guard-page kills (main stack, thread), saw %s" % kills)
    # The main stack's guard is the page right below its 8 MiB (mm/vm.h).
    main_guard = 0x00007ffffffff000 - (8 << 20) - 4096
    expect(int(kills[0], 16) >> 12 == main_guard >> 12,
           "main stack overflow at %s, not in the page below the stack" % kills[0])
    return True, "the kernel names both overflows: %s" % ", ".join(kills)


SHELL_SCRIPT = """echo hello from cowl
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
    # The shell must work on any CPU count; no isa-debug-exit: a plain
    # machine, where poweroff ends QEMU with status 0.
    cmd = qemu.command(args.kernel, initrd=args.initrd, append="loglevel=1", smp=4,
                       accel=args.accel, qemu=args.qemu, debug_exit=False)
    with qemu.Qemu(cmd, os.path.join(args.logs, "shell.log"), stdin=True) as q:
        # The script goes in once the shell prompts, as typing would: input
        # that arrives during boot is drained by the timer's polling before
        # the serial interrupt is routed, and could not show that it works.
        expect(q.wait_for(qemu.SHELL_PROMPT, 60), "no shell prompt (see shell.log)")
        q.send(SHELL_SCRIPT)
        ended = q.wait_exit(60)
    out = q.text().replace("\r", "")
    for piece in ("$ echo hello from cowl\nhello from cowl", "sh\n", "Welcome to cowl",
                  "sh: nosuch: no such file or directory", "status 127", "PID  PPID S NAME",
                  "cowl: power off"):
        expect(piece in out, "shell transcript lacks %r (see shell.log)" % piece)
    expect(ended, "QEMU still ran 60 s after poweroff (see shell.log)")
    expect(q.status == 0, "QEMU exit status %s after poweroff" % q.status)
    no_ubsan(out, "shell")
    # cpustat's row for CPU 0: input came by interrupt, not only by polling.
    row = re.search(r"^\s*0\s+(\d+(\s+\d+){7})\s*$", out, re.M)
    expect(row is not None, "no cpustat row for CPU 0 (see shell.log)")
    serial_irqs = int(row.group(1).split()[-1])
    expect(serial_irqs > 0, "no serial interrupts on CPU 0: input was only polled")
    return True, ("piped script on 4 CPUs: pipes, redirection, cd, $?, &, ps, cpustat "
                  "(%d serial IRQs); poweroff ended QEMU" % serial_irqs)


def _gdb_session(args, name, gdb_args, cmdline="loglevel=1", smp=1):
    """Boot QEMU paused with its gdb stub, run gdb (tools/gdbinit) in batch
    mode on it; its output, kept in the logs as NAME.log (the serial port's
    in NAME-serial.log)."""
    port = qemu.free_port()
    serial = os.path.join(args.logs, name + "-serial.log")
    cmd = qemu.command(args.kernel, initrd=args.initrd, append=cmdline, smp=smp,
                       accel=args.accel, qemu=args.qemu, serial="file:" + serial,
                       gdb_port=port, paused=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.5)  # QEMU listens on the port before gdb connects
        out = qemu.gdb_batch(args.kernel, port, gdb_args, timeout=90)
    finally:
        proc.kill()
        proc.wait()
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
    expect("Breakpoint 1, " in out and "long_mode_high" in out,
           "did not stop at the first 64-bit instruction")
    expect("Breakpoint 2, kmain" in out, "breakpoint at kmain not hit")
    expect("#0  kmain" in out and "arch_boot" in out, "backtrace does not name kmain")
    return True, "stopped at long_mode_high, then kmain; backtrace names kmain <- arch_boot"


def _walk_target(out, marker):
    """The physical page a cowl-walk printed after `marker`."""
    m = re.search(re.escape(marker) + r".*?-> phys (0x[0-9a-f]+)", out, re.S)
    expect(m is not None, "cowl-walk after %r did not reach a page" % marker)
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
    expect("hit Breakpoint 2, forkdemo_ready" in out, "did not stop in forkdemo_ready: " +
           out[-300:])
    ps = out.split("==ps==")[1].split("==vm==")[0]
    expect(re.search(r"\*\s+(\d+)\s+\1\s+running\s+\d\s+forkdemo", ps) is not None,
           "cowl-ps does not mark the running forkdemo: " + ps)
    expect("forkdemo (thread)" in ps, "cowl-ps shows no thread")
    expect(len(re.findall(r"forkdemo\n", ps)) >= 2, "cowl-ps shows no child process")
    expect("cpu 0:" in ps and "cpu 1:" in ps, "cowl-ps does not list both CPUs")
    vm = out.split("==vm==")[1].split("==walk-parent==")[0]
    expect("PML4 at phys" in vm and "r-x" in vm and "rw-" in vm, "cowl-vm shows no regions")
    parent = out.split("==walk-parent==")[1].split("==page==")[0]
    child = out.split("==walk-child==")[1].split("==bt==")[0]
    bt = out.split("==bt==")[1].split("==dmesg==")[0]
    expect("pipe_read" in bt and "sys_read" in bt and "syscall_dispatch" in bt,
           "cowl-bt: the child is not seen sleeping in read(): " + bt)
    for level in ("PML4 at", "PDPT at", "PD   at", "PT   at"):
        expect(level in parent and level in child, "cowl-walk misses the %s level" % level)
    expect("COW_TABLE" in parent and "read-only" in parent,
           "the parent's path is not marked COW_TABLE / read-only: " + parent)
    expect("COW_TABLE" not in child and "writable" in child,
           "the child's path is not private and writable: " + child)
    ppage, cpage = _walk_target(parent, "PT   at"), _walk_target(child, "PT   at")
    expect(ppage != cpage, "parent and child map the same page after the child's write")
    page_out = out.split("==page==")[1].split("==walk-parent-end==")[0]
    expect("kind user, refcount 1" in page_out, "cowl-page: the page is not a user page")
    expect("PML4 (level 4)" in page_out and "live on CPUs" in page_out,
           "cowl-page: the PML4 is not shown as one")
    expect("kind reserved" in page_out, "cowl-page: the kernel image is not reserved")
    dmesg = out.split("==dmesg==")[1].split("==help==")[0]
    expect("initrd:" in dmesg and "smp:" in dmesg, "cowl-dmesg does not show the boot log")
    helps = out.split("==help==")[1]
    for c in ("cowl-ps", "cowl-bt", "cowl-vm", "cowl-walk", "cowl-page", "cowl-dmesg",
              "cowl-user"):
        expect(c in helps, "help cowl does not list " + c)
    expect(helps.count("Usage: cowl-") == 7, "a command has no help with its usage")
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
    expect("Breakpoint 2, fork ()" in out, "no stop at the user fork()")
    expect(re.search(r"#1 .* in main \(\) at user/bin/forkdemo.c", out) is not None,
           "the user backtrace does not name main")
    expect("Breakpoint 3, sys_fork ()" in out and "syscall_dispatch" in out,
           "did not reach the kernel's sys_fork from the system call")
    m = re.search(r"Value returned is \$1 = (\d+)", out)
    expect(m is not None and int(m.group(1)) > 0, "sys_fork returned no pid")
    back = out.split("==back==")[-1]
    expect(re.search(r"#0 .* in main \(\) at user/bin/forkdemo.c", back) is not None,
           "did not come back to main")
    r = re.search(r"\$2 = (-?\d+)", back)
    expect(r is not None and int(r.group(1)) in (0, int(m.group(1))),
           "rax in main is neither the child's pid nor 0")
    return True, "user fork() -> sys_fork (pid %s) -> back in main" % m.group(1)


def check_ptgraph(args):
    """make pt-graph's path: boot, run the three ptdump demos, draw them.  In
    every picture each table is one node; after fork a shared PDPT has an
    edge from both PML4s; after the child's write the data region has two
    PDPTs (one each) while a shared table remains; the tree shows 4
    processes."""
    import ptgraph  # tools/ptgraph.py (on sys.path: see the top of this file)
    text = ptgraph.boot_and_dump(args.kernel, args.initrd, args.qemu, ["fork", "write", "tree"])
    with open(os.path.join(args.logs, "ptgraph.log"), "w") as f:
        f.write(text)
    no_ubsan(text, "ptgraph")
    blocks = ptgraph.parse(text)
    expect(sorted(blocks) == ["fork", "tree", "write"], "demos missing: %s" % sorted(blocks))
    for name, block in blocks.items():
        dot = ptgraph.to_dot(name, block)
        ids = re.findall(r"^\s+(t[0-9a-f]+) \[", dot, re.M)
        expect(len(ids) == len(set(ids)), "%s: a table is drawn twice" % name)
        expect(len(ids) == len({t["table"] for t in block["tables"]}), "%s: tables lost" % name)
        edges = re.findall(r"^\s+(\w+) -> (t[0-9a-f]+)", dot, re.M)
        parents = {}
        for src, dst in edges:
            parents.setdefault(dst, set()).add(src)
        shared = {ptgraph.node_id(t["table"]) for t in block["tables"] if t["refcount"] > 1}
        for t in shared:
            expect(len(parents.get(t, ())) >= 2, "%s: shared table %s has one parent" % (name, t))
        block["shared"] = shared
    expect(len(blocks["fork"]["procs"]) == 2 and blocks["fork"]["shared"],
           "fork: not two processes sharing tables")
    data_pdpts = [t for t in blocks["write"]["tables"] if t["level"] == 3 and t["va"] == 1 << 44]
    expect(len({t["table"] for t in data_pdpts}) == 2, "write: the data PDPT was not unshared")
    expect(blocks["write"]["shared"], "write: nothing shared any more")
    expect(len(blocks["tree"]["procs"]) == 4, "tree: not 4 processes")
    return True, "fork/write/tree drawn: %d/%d/%d shared tables, one node each" % tuple(
        len(blocks[n]["shared"]) for n in ("fork", "write", "tree"))


def check_linux(args):
    """make test-linux inside make test: the POSIX user tests, built with
    the host gcc and run on this Linux, all pass (tests/test_linux.py)."""
    if not sys.platform.startswith("linux"):
        return True, "SKIP not a Linux host"
    if not test_linux.host_compiler():
        return True, "SKIP no host C compiler (gcc) to build the POSIX tests with"
    results = test_linux.run_all(os.path.join(args.build, "linux"))
    expect(results, "no user test is marked as POSIX")
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
    hurt = 0
    for n in FAILALLOC_POINTS:
        cmdline = "init=/tests/pipe failalloc_nth=%d loglevel=1" % n
        cmd = qemu.command(args.kernel, initrd=args.initrd, append=cmdline, smp=2,
                           accel=args.accel, qemu=args.qemu)
        log = os.path.join(args.logs, "failalloc-boot-%d.log" % n)
        out = run_qemu(cmd, 60, log)
        expect(not out.timed_out, "failalloc_nth=%d: no end after 60 s (%s)" % (n, log))
        expect(out.status != qemu.EXIT_PANIC and "kernel panic" not in out.log_text
               and "kernel exception" not in out.log_text,
               "failalloc_nth=%d: the kernel panicked (%s)" % (n, log))
        no_ubsan(out.log_text, "failalloc_nth=%d" % n)
        end = re.search(r"init exited with status (\d+); pages not returned (-?\d+); audit (.*)",
                        out.log_text)
        stats = re.search(r"failalloc: init and its children made (\d+) allocations, (\d+) failed",
                          out.log_text)
        expect(end and stats, "failalloc_nth=%d: no final report (%s)" % (n, log))
        expect(end.group(2) == "0", "failalloc_nth=%d: %s pages not returned" % (n, end.group(2)))
        expect(end.group(3).strip() == "ok", "failalloc_nth=%d: audit: %s" % (n, end.group(3)))
        expect(int(stats.group(2)) == (1 if int(stats.group(1)) >= n else 0),
               "failalloc_nth=%d: %s allocations but %s failures" % (n, stats.group(1),
                                                                     stats.group(2)))
        hurt += end.group(1) != "0"
    expect(hurt > 0, "no injected failure changed how init ended")
    return True, ("failalloc_nth=%s: no panic, every page back, audit clean; init failed or "
                  "was killed in %d of %d" % (",".join(map(str, FAILALLOC_POINTS)), hurt,
                                              len(FAILALLOC_POINTS)))


def check_make_run_flags(args):
    """`make run` types its QEMU command by hand (the Makefile's QEMU_BASE);
    it must be the machine the tests boot (qemu.base_flags), or what a
    person sees on `make run` is not what was tested."""
    knobs = {"QEMU": args.qemu, "ACCEL": args.accel, "MEM": "512M", "SMP": "1"}
    # Not the calling make's flags and variables (make test passes them down).
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    r = subprocess.run(["make", "-s", "--no-print-directory", "-C", qemu.ROOT]
                       + ["%s=%s" % kv for kv in knobs.items()]
                       + ["--eval", "cowl-print-qemu-base: ; @echo $(QEMU_BASE)",
                          "cowl-print-qemu-base"],
                       capture_output=True, text=True, timeout=60, env=env)
    expect(r.returncode == 0, "make could not print QEMU_BASE: " + r.stderr.strip())
    make_cmd = r.stdout.split()
    ours = [args.qemu] + qemu.base_flags(args.accel, "512M", 1)
    expect(make_cmd == ours, "Makefile QEMU_BASE is %s, tests/qemu.py base_flags() %s"
          % (" ".join(make_cmd), " ".join(ours)))
    return True, "QEMU_BASE = " + " ".join(make_cmd)


CHECKS = [
    ("host/isolation/guard_page_kills_are_named", check_guard_page_kills),
    ("host/gdb/break_at_kmain", check_gdb),
    ("host/gdb/commands", check_gdb_commands),
    ("host/gdb/step_user_fork", check_gdb_step_fork),
    ("host/ptgraph/demos", check_ptgraph),
    ("host/shell/piped_script", check_shell),
    ("host/linux/posix", check_linux),
    ("host/failalloc/boot_option", check_failalloc_boot),
    ("host/qemu/make_run_flags", check_make_run_flags),
]
