"""host_checks.py - checks run on the host, beside the kernel's own tests.

Each boots cowl in a way a test boot does not, or looks at it from outside:
  host/isolation  the kernel names a user stack overflow (guard-page kills)
  host/gdb        gdb on QEMU's stub: breakpoints, the cowl-* commands of
                  tools/gdb/cowl.py, stepping from user fork() into sys_fork,
                  a VM's nested page tables (cowl-vms, cowl-nwalk), a guest
                  cowl's vCPU and its two-dimensional walk (cowl-vcpus,
                  cowl-gwalk), a breakpoint inside the guest ($cowl_in_guest)
  host/ptgraph    tools/ptgraph.py's pictures of page-table sharing, of
                  processes and of vmforked VMs' nested tables
  host/shell      a script typed into the shell, ended by poweroff; Ctrl-C
                  and Ctrl-\\ stop a program that loops forever, and the
                  shell prompts again
  host/linux      the POSIX user tests on this Linux (tests/test_linux.py)
  host/failalloc  the failalloc_nth= boot option: no panic, no lost page
  host/qemu       the Makefile's `make run` machine is tests/qemu.py's
  host/testfork   a guest booted once and forked per test (vmm -t): a test
                  that fails, panics, hangs or leaks fails alone
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

DIRECT_MAP_BASE = 0xFFFF800000000000  # arch/x86_64/arch.h: all RAM at phys + this


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


def check_ctrl_c(args):
    """A person at the console: `spin` loops forever until Ctrl-C (0x03);
    the console sends SIGINT to the foreground group, which the shell gave
    to spin's job, so spin ends, the shell (in another group) reports it and
    prompts again, and the next command runs.  Then Ctrl-\\ (0x1c) and
    SIGQUIT the same way.  Two CPUs: spin may run on the CPU the serial
    interrupt does not come to."""
    cmd = qemu.command(args.kernel, initrd=args.initrd, append="loglevel=1", smp=2,
                       accel=args.accel, qemu=args.qemu, debug_exit=False)
    with qemu.Qemu(cmd, os.path.join(args.logs, "ctrl-c.log"), stdin=True) as q:
        expect(q.wait_for(qemu.SHELL_PROMPT, 60), "no shell prompt (see ctrl-c.log)")
        for n, (key, shown, report) in enumerate(((b"\x03", b"^C", b"Interrupt"),
                                                   (b"\x1c", b"^\\", b"Quit"))):
            q.send("spin\n")
            spinning = re.compile(rb"(?s)(?:spin: spinning.*?){%d}" % (n + 1))
            expect(q.wait_for(spinning, 30), "spin #%d did not start (see ctrl-c.log)" % (n + 1))
            time.sleep(0.5)  # let it spin: the key must stop a running program
            q.send(key.decode())
            back = re.compile(re.escape(shown) + rb"\r?\n" + report + rb"\r?\n\$ ")
            expect(q.wait_for(back, 30),
                   "no %r, %s and prompt after the key (see ctrl-c.log)" % (shown, report))
            q.send("echo after %d\n" % n)
            expect(q.wait_for(re.compile(rb"(?m)^after %d\r?$" % n), 30),
                   "the shell ran no command after %s (see ctrl-c.log)" % report)
        q.send("poweroff\n")
        ended = q.wait_exit(60)
    out = q.text().replace("\r", "")
    expect(ended and q.status == 0, "poweroff did not end QEMU (see ctrl-c.log)")
    no_ubsan(out, "ctrl-c")
    return True, "Ctrl-C and Ctrl-\\ stopped spin; the shell reported it and ran on"


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


# Every cowl-* command of tools/gdb/cowl.py: `help cowl` must list each, and
# each must have a help text with its usage.
GDB_COMMANDS = ("cowl-ps", "cowl-bt", "cowl-vm", "cowl-walk", "cowl-vms", "cowl-nwalk",
                "cowl-vcpus", "cowl-gwalk", "cowl-gbt", "cowl-page", "cowl-dmesg", "cowl-user")


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
    cmds += ["help " + c for c in GDB_COMMANDS]
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
    for c in GDB_COMMANDS:
        expect(c in helps, "help cowl does not list " + c)
    expect(helps.count("Usage: cowl-") == len(GDB_COMMANDS),
           "a command has no help with its usage")
    return True, ("cowl-ps/vm/walk/page/dmesg/user on forkdemo (2 CPUs): parent page %#x "
                  "(COW_TABLE path), child page %#x (private)" % (ppage, cpage))


# The kernel test whose VM the gdb check looks at (tests/kernel/test_virt.c):
# 16 MiB of RAM, its code copied to guest-physical 0x8000 before the first
# run, and that code's first bytes (store_code: es: mov byte [0x10], 0x99).
VIRT_TEST = "virt/nested_fault_fills_guest_ram"
VIRT_CODE_GPA = 0x8000
VIRT_CODE_BYTES = "0x26\t0xc6\t0x06\t0x10"


def check_gdb_virt(args):
    """The kernel test VIRT_TEST makes a VM; stopped at its first exit
    (vcpu_handle_exit), cowl-vms lists it with 16 MiB of RAM and its nested
    PML4, and cowl-nwalk walks guest-physical 0x8000 through the nested
    tables to a page at the PT level, U at every level, that holds the
    guest's code; beyond RAM it says MMIO, and a wrong VM id is an error."""
    cmds = ["hbreak vcpu_handle_exit", "continue", "echo ==vms==\\n", "cowl-vms",
            "echo ==nwalk==\\n", "cowl-nwalk %#x" % VIRT_CODE_GPA,
            "echo ==code==\\n", "x/4bx %#x + $cowl_page + %d" % (DIRECT_MAP_BASE,
                                                              VIRT_CODE_GPA & 0xFFF),
            "echo ==mmio==\\n", "cowl-nwalk 0x1100000", "echo ==badid==\\n",
            "cowl-nwalk 0x8000 9999"]
    out = _gdb_session(args, "gdb-virt", _ex(*cmds), cmdline="test=%s" % VIRT_TEST)
    if "Breakpoint 1, vcpu_handle_exit" not in out:
        with open(os.path.join(args.logs, "gdb-virt-serial.log"), errors="replace") as f:
            serial = f.read()
        if "SKIP no SVM" in serial or "virt: no SVM" in serial:
            return True, "SKIP no SVM with nested paging on this CPU (see gdb-virt-serial.log)"
        expect(False, "did not stop at vcpu_handle_exit: " + out[-300:])
    vms = out.split("==vms==")[1].split("==nwalk==")[0]
    row = re.search(r"^\s+(\d+)\s+16 MiB\s+(\d+)\s+(0x[0-9a-f]+)\s+(\d+)\s+0x", vms, re.M)
    expect(row is not None, "cowl-vms lists no VM with 16 MiB of RAM: " + vms)
    expect(int(row.group(2)) > 0, "cowl-vms: the VM has ASID 0, the host's")
    expect(int(row.group(4)) >= 2, "cowl-vms: the VM should be held by the test and a vCPU")
    nwalk = out.split("==nwalk==")[1].split("==code==")[0]
    pml4 = re.search(r"PML4 at (0x[0-9a-f]+)", nwalk)
    expect(pml4 is not None and int(pml4.group(1), 16) == int(row.group(3), 16),
           "cowl-nwalk does not start at the nested PML4 cowl-vms shows: " + nwalk)
    for level in ("PML4 at", "PDPT at", "PD   at", "PT   at"):
        expect(level in nwalk, "cowl-nwalk misses the %s level: %s" % (level, nwalk))
    expect(len(re.findall(r"\] = 0x[0-9a-f]+  P W U", nwalk)) == 4,
           "cowl-nwalk: not every nested entry is present, writable and user: " + nwalk)
    page = re.search(r"page at (0x[0-9a-f]+) \(user, refcount 1\): guest-physical 0x8000 -> "
                     r"host-physical (0x[0-9a-f]+), U at every level, writable", nwalk)
    expect(page is not None, "cowl-nwalk did not reach a user page with U: " + nwalk)
    code = out.split("==code==")[1].split("==mmio==")[0]
    expect(VIRT_CODE_BYTES in code, "the page reached does not hold the guest's code: " + code)
    mmio = out.split("==mmio==")[1].split("==badid==")[0]
    expect("beyond the VM's RAM" in mmio and "MMIO" in mmio,
           "cowl-nwalk beyond RAM does not say MMIO: " + mmio)
    # (gdb's error message goes to stderr, which comes after all of stdout)
    expect("no VM with id 9999" in out, "cowl-nwalk takes a VM id that does not exist")
    return True, ("VM %s: 16 MiB, ASID %s, nested PML4 %s; guest-physical 0x8000 -> "
                  "host-physical %s (U at every level, the guest's code)" % (
                      row.group(1), row.group(2), row.group(3), page.group(2)))


# The host boots a guest cowl (the same cowl.elf) whose init forks.  The
# first stop: an exit of the guest's kernel once it runs on its own page
# tables (kmap_init's, no longer entry.asm's boot_pml4: kernel text in 4 KiB
# pages); $rdi is the vCPU at vcpu_handle_exit's first instruction.
GUEST_CMDLINE = "init=/bin/vmm,-q,-a,init=/bin/forkdemo,/boot/cowl.elf initexit=qemu"
GUEST_EXIT_STOP = ("hbreak *vcpu_handle_exit if ((struct vcpu *)$rdi)->vmcb->save.rip >= "
                   "0xffffffff80000000 && ((struct vcpu *)$rdi)->vmcb->save.cr3 != "
                   "(unsigned long)&boot_pml4")
KERNEL_TEXT = 0xFFFFFFFF80000000


def _gwalk_end(text, what):
    """(guest-physical, host-physical, the 16 bytes) a cowl-gwalk printed."""
    m = re.search(r"guest-virtual 0x[0-9a-f]+ -> guest-physical (0x[0-9a-f]+) -> host-physical "
                  r"(0x[0-9a-f]+)\n  bytes there: ((?:[0-9a-f]{2} ?){16})", text)
    expect(m is not None, "cowl-gwalk %s reached no host-physical page: %s" % (what, text))
    return int(m.group(1), 16), int(m.group(2), 16), m.group(3).split()


def _x_bytes(text):
    """The bytes an x/16bx printed."""
    return [b[2:] for b in re.findall(r"\t(0x[0-9a-f]{2})", text)][:16]


def check_gdb_guest_walk(args):
    """A host cowl runs a guest cowl.  Stopped at an exit of the guest's
    kernel (host side, vcpu_handle_exit): cowl-vcpus shows its vCPU in long
    mode at a kernel RIP with a non-zero CR3, not running; cowl-gwalk of
    kmain walks the guest's 4 levels (each table through the nested ones)
    and the nested ones to a host page holding kmain's bytes (the host's
    own kmain: the same image).  Then `hbreak sys_fork if $cowl_in_guest()`
    stops inside the guest's kernel, where cowl-vcpus and cowl-gwalk use the
    CPU's live registers: the walk of sys_fork ends at its bytes, and
    cowl-gbt reads the guest's stack: sys_fork <- syscall_dispatch."""
    cmds = [GUEST_EXIT_STOP, "continue", "echo ==vcpus==\\n", "cowl-vcpus",
            "echo ==gwalk==\\n", "cowl-gwalk kmain", "echo ==kmain==\\n", "x/16bx kmain",
            "echo ==sys_fork==\\n", "x/16bx sys_fork", "echo ==host==\\n",
            "p $cowl_in_guest()", "delete", "hbreak sys_fork if $cowl_in_guest()", "continue",
            "echo ==guest==\\n", "p $cowl_in_guest()", "p/x $cr3", "cowl-vcpus",
            "echo ==gwalk-guest==\\n", "cowl-gwalk sys_fork", "echo ==gbt==\\n", "cowl-gbt",
            "bt", "echo ==end==\\n"]
    out = _gdb_session(args, "gdb-guest", _ex(*cmds), cmdline=GUEST_CMDLINE)
    if "Breakpoint 1, " not in out:
        with open(os.path.join(args.logs, "gdb-guest-serial.log"), errors="replace") as f:
            serial = f.read()
        if "virt: no SVM" in serial:
            return True, "SKIP no SVM with nested paging on this CPU (see gdb-guest-serial.log)"
        expect(False, "never stopped at an exit of the guest's kernel: " + out[-300:])
    vcpus = out.split("==vcpus==")[1].split("==gwalk==")[0]
    expect("VM 1: 1 vCPU" in vcpus, "cowl-vcpus: not one vCPU: " + vcpus)
    expect("not in the guest (last ran on CPU 0)" in vcpus, "cowl-vcpus: where? " + vcpus)
    expect("long mode (64-bit code), 4-level paging" in vcpus, "not long mode: " + vcpus)
    rip = re.search(r"rip +(0x[0-9a-f]+)", vcpus)
    cr3 = re.search(r"cr3 (0x[0-9a-f]+)", vcpus)
    expect(rip and int(rip.group(1), 16) >= KERNEL_TEXT, "RIP not in the guest's kernel")
    expect(cr3 and int(cr3.group(1), 16) != 0, "the guest's CR3 is 0")
    gwalk = out.split("==gwalk==")[1].split("==kmain==")[0]
    levels = re.findall(r"guest (PML4|PDPT|PD  |PT  ) at guest-physical (0x[0-9a-f]+)\n"
                        r"    nested: guest-physical \2 -> host-physical 0x[0-9a-f]+", gwalk)
    expect(len(levels) == 4, "cowl-gwalk: not 4 guest levels, each through the nested "
           "tables: " + gwalk)
    expect(levels[0][1] == cr3.group(1), "the guest walk does not start at the guest's CR3")
    expect("the guest maps a 4 KiB page" in gwalk, "kmain is not in a 4 KiB guest page")
    gpa, hpa, walked = _gwalk_end(gwalk, "kmain")
    kmain = _x_bytes(out.split("==kmain==")[1].split("==sys_fork==")[0])
    expect(len(kmain) == 16 and walked == kmain, "the host page reached holds %s, kmain is %s"
           % (walked, kmain))
    expect("$1 = 0" in out.split("==host==")[1], "$cowl_in_guest() is not 0 in the host")
    guest = out.split("==guest==")[1].split("==gwalk-guest==")[0]
    expect("$2 = 1" in guest, "hbreak sys_fork if $cowl_in_guest() did not stop in the guest: "
           + out[-400:])
    expect("the selected CPU runs it" in guest and "<sys_fork>" in guest,
           "cowl-vcpus in the guest does not show the live registers: " + guest)
    live_cr3 = re.search(r"\$3 = (0x[0-9a-f]+)", guest)
    gwalk2 = out.split("==gwalk-guest==")[1].split("==gbt==")[0]
    expect(live_cr3 and "guest CR3 %s (live" % live_cr3.group(1) in gwalk2,
           "cowl-gwalk in the guest does not walk from the live CR3: " + gwalk2)
    gbt = out.split("==gbt==")[1].split("==end==")[0]
    expect(re.search(r"#0 +0x[0-9a-f]+ <sys_fork>\n#1 +0x[0-9a-f]+ <syscall_dispatch\+\d+>\n"
                     r"#2 +0x[0-9a-f]+ <syscall_entry", gbt) is not None,
           "cowl-gbt in the guest: not sys_fork <- syscall_dispatch <- syscall_entry: " + gbt)
    _, hpa2, walked2 = _gwalk_end(gwalk2, "sys_fork")
    fork = _x_bytes(out.split("==sys_fork==")[1].split("==host==")[0])
    expect(len(fork) == 16 and walked2 == fork, "in the guest, the page reached holds %s, "
           "sys_fork is %s" % (walked2, fork))
    return True, ("kmain: guest CR3 %s, guest-physical %#x -> host-physical %#x (its bytes); "
                  "in the guest's sys_fork (CR3 %s): -> host-physical %#x" % (
                      cr3.group(1), gpa, hpa, live_cr3.group(1), hpa2))


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


VM_WRITTEN = 4 << 20  # user/bin/ptdump.c VM_WRITE_AT: the page vm 2 writes in -demo vmwrite


def vm_path(block, owner, gpa):
    """The tables owner's walk to gpa goes through, PML4 first, as records."""
    path = []
    for t in block["tables"]:
        span = 1 << (12 + 9 * t["level"])  # what one table of that level covers
        if t["owner"] == owner and t["va"] <= gpa < t["va"] + span:
            path.append(t)
    expect([t["level"] for t in path] == [4, 3, 2, 1], "%s: no walk to %#x" % (owner, gpa))
    return path


def check_vm_pictures(blocks):
    """-demo vmfork: three VMs, three PML4s, one PDPT (refcount 3) reached
    by a COW_TABLE entry of each, one copy of everything below.  -demo
    vmwrite: vm 2's walk to the page it wrote is its own from the PDPT
    down, private and writable; vm 1 and vm 3 still share the old PDPT
    (refcount 2), and the PTs vm 2 did not write are shared by both PDs."""
    fork, write = blocks["vmfork"], blocks["vmwrite"]
    owners = ["vm 1", "vm 2", "vm 3"]
    expect([o for o, _ in fork["procs"]] == owners, "vmfork: not vm 1, 2, 3")
    walks = {o: vm_path(fork, o, VM_WRITTEN) for o in owners}
    expect(len({w[0]["table"] for w in walks.values()}) == 3, "vmfork: a PML4 is shared")
    pdpt = {w[1]["table"] for w in walks.values()}
    expect(len(pdpt) == 1, "vmfork: the VMs have %d PDPTs, not one shared" % len(pdpt))
    expect(all(w[1]["refcount"] == 3 and ",cow" in w[1]["flags"] for w in walks.values()),
           "vmfork: the PDPT is not refcount 3 behind COW_TABLE entries")
    per_vm = len([t for t in fork["tables"] if t["owner"] == "vm 1"])
    expect(len({t["table"] for t in fork["tables"]}) == per_vm + 2,
           "vmfork: more than the two new PML4s were copied")
    expect([o for o, _ in write["procs"]] == owners, "vmwrite: not vm 1, 2, 3")
    walks = {o: vm_path(write, o, VM_WRITTEN) for o in owners}
    child, parent, grand = walks["vm 2"], walks["vm 1"], walks["vm 3"]
    for level in (1, 2, 3):  # PDPT, PD, PT: index 1, 2, 3 of a walk
        expect(child[level]["table"] not in (parent[level]["table"], grand[level]["table"]),
               "vmwrite: vm 2's %s is not its own" % child[level]["name"])
        expect(child[level]["refcount"] == 1 and child[level]["flags"] == "w",
               "vmwrite: vm 2's %s is not private and writable" % child[level]["name"])
    expect(parent[1]["table"] == grand[1]["table"] and parent[1]["refcount"] == 2,
           "vmwrite: vm 1 and vm 3 do not share the old PDPT any more")
    expect(child[3]["shared"] < child[3]["entries"], "vmwrite: vm 2 did not copy its page")
    shared_pts = {t["table"] for t in write["tables"]
                  if t["owner"] == "vm 2" and t["level"] == 1 and t["refcount"] == 2}
    expect(len(shared_pts) == 3, "vmwrite: vm 2 shares %d PTs, not 3" % len(shared_pts))


def check_ptgraph(args):
    """make pt-graph's path: boot, run the ptdump demos, draw them.  In
    every picture each table is one node; after fork a shared PDPT has an
    edge from both PML4s; after the child's write the data region has two
    PDPTs (one each) while a shared table remains; the tree shows 4
    processes; the VM pictures as check_vm_pictures says."""
    import ptgraph  # tools/ptgraph.py (on sys.path: see the top of this file)
    text = ptgraph.boot_and_dump(args.kernel, args.initrd, args.qemu, ptgraph.DEMOS)
    with open(os.path.join(args.logs, "ptgraph.log"), "w") as f:
        f.write(text)
    no_ubsan(text, "ptgraph")
    errors = re.findall(r"^ptdump: [^\r\n]*", text, re.M)  # e.g. "a VM sees another's write"
    expect(not errors, "ptdump complained: %s" % errors)
    blocks = ptgraph.parse(text)
    expect(sorted(blocks) == sorted(ptgraph.DEMOS), "demos missing: %s" % sorted(blocks))
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
    check_vm_pictures(blocks)
    return True, "%s drawn: %s shared tables, one node each" % (
        "/".join(ptgraph.DEMOS), "/".join(str(len(blocks[n]["shared"])) for n in ptgraph.DEMOS))


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


# In the order the guest plans them (kernel tests in link order); each must
# end as said, in a clone of its own, and not disturb the next one.
TESTFORK_CASES = [
    ("harness/fail", False, "1 + 1 == 3"),
    ("harness/panic", False, "kernel panic"),
    ("harness/hang", False, "clone: still running after 5 s"),
    ("harness/leak", False, "leak check: 1 pages not returned"),
    ("harness/pass", True, ""),
    ("pmm/split", True, ""),
]


def check_testfork(args):
    """vmm -t boots a guest cowl once and runs each test in a clone of it:
    a failure, a panic, a hang (stopped by vmm -w) and a leak each fail
    their own test only; the tests after them pass from the same snapshot,
    and the TAP stream ends with the server's count."""
    names = [n for n, _, _ in TESTFORK_CASES]
    boot = Boot("host-testfork", ",".join(names), "pvh", mem="1G", timeout=120, guest=True,
                testfork=True, clone_limit_s=5)
    results, outcome = run_boot(args, boot, names)
    for name, ok, why in TESTFORK_CASES:
        r = by_name(results, "/" + name)
        expect(r.ok == ok and why in r.reason,
               "%s: %s %r, want %s %r" % (name, "ok" if r.ok else "not ok", r.reason,
                                          "ok" if ok else "not ok", why))
    expect(by_name(results, "/kernel-exit").ok, "kernel-exit: %s" % by_name(results, "/kernel-exit").reason)
    expect(by_name(results, "/host-audit").ok, "host: %s" % by_name(results, "/host-audit").reason)
    expect("# cowl-tests: done passed=2 failed=4" in outcome.log_text, "no end line with 2 and 4")
    m = re.search(r"# vmm: fork per test: .*", outcome.log_text)
    expect(m is not None, "no timing line from vmm -t")
    return True, m.group(0)[2:]


CHECKS = [
    ("host/isolation/guard_page_kills_are_named", check_guard_page_kills),
    ("host/gdb/break_at_kmain", check_gdb),
    ("host/gdb/commands", check_gdb_commands),
    ("host/gdb/step_user_fork", check_gdb_step_fork),
    ("host/gdb/nested_walk", check_gdb_virt),
    ("host/gdb/guest_walk", check_gdb_guest_walk),
    ("host/ptgraph/demos", check_ptgraph),
    ("host/shell/piped_script", check_shell),
    ("host/shell/ctrl_c", check_ctrl_c),
    ("host/linux/posix", check_linux),
    ("host/failalloc/boot_option", check_failalloc_boot),
    ("host/qemu/make_run_flags", check_make_run_flags),
    ("host/testfork/one_clone_per_test", check_testfork),
]
