#!/usr/bin/env python3
"""bench.py - cowl's benchmarks (`make bench`; the contract is in docs/bench.md,
"What make bench prints").

Runs the seed program forktime, built from the one source user/bin/forktime.c,
on the host Linux (mode=linux) and inside cowl in each fork mode
(share, copy, eager), in one invocation, then forkcost, mallocbench (the
user heap; also on the host, libc=glibc), smpbench, vmbench (the
hypervisor), vmforkbench (forking a VM) and the fork server inside the
same boot.  Prints one line per measurement and
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import qemu  # noqa: E402  tests/qemu.py: the QEMU command line, the serial port
SIZES = [1000, 10000, 100000, 262144]
MODES = ["share", "copy", "eager"]
LINE = re.compile(r"^(forktime|cowtime|forkcost|smpbench|vmbench|vmfork|mallocbench) (\S+=.*|\w+ .*)$")
MALLOC_LIVE = [1000, 100000]  # mallocbench: blocks held while timing
MALLOC_OPS = 200000  # mallocs and frees timed per run
MALLOC_ROUNDS = 49  # short rounds (about 1 ms at 100,000 live on TCG): most run unpreempted
SMP = 4  # CPUs cowl gets for the run (smpbench needs several)
VM_HYPERCALLS = 10000  # per vmbench hypercall run; 9 runs of each kind take about 5 s on TCG
VM_LINES = 6  # vmbench: two hypercall, two fault and two write lines
NO_HYPERVISOR = "vmbench: no hypervisor"  # its line where the CPU has no SVM: no measurements
# vmforkbench: guests of 16, 256, 1024 and 2048 MiB, each forked in three
# modes, plus one first-write line per size.  The 2048 MiB guest needs 2 GiB
# of cowl's 3 GiB (--mem), which fits; eager mode at 2048 MiB would need
# 4 GiB and is skipped (a "skipped" line instead of a measurement), so the
# boot's memory stays at 3 GiB.  About 60 s of the boot on TCG, most of it
# the guests touching their pages and the eager forks (2 at 1024 MiB).
VMFORK_LINES = 4 * 3 + 4
VMFORK_SKIPPED = "vmforkbench: eager at"  # its line for a size that did not fit


# vmm's fork server (vmm -f) reports its rate in words; bench.py turns that
# line into a measurement line of vmfork's shape.
FSRV_IMAGE = "/guests/fuzzme.bin"
FSRV_RUNS = 2000
FSRV = re.compile(r"^vmm: fork server: (\d+) executions in \S+ s \((\d+) exec/s\), (\d+) crashes")


def fork_server_line(line):
    m = FSRV.match(line.strip())
    if not m:
        return None
    return "vmfork server image=fuzzme executions=%s exec_per_s=%s crashes=%s" % m.groups()


# vmm's test server (vmm -t, docs/virt.md "Boot once, fork per test") runs
# the user tests in a guest cowl twice: forking the booted guest per test,
# and (-b) booting a guest per test.  Its timing line, in words, becomes a
# measurement line too.
TSRV_PATTERN = "user/*"
TSRV_GUEST_MIB = 384  # as make test's guest boots (tests/boots.py GUEST_MIB)
TSRV = re.compile(r"^# vmm: (fork|boot) per test: (\d+) tests in (\d+) ms \(boot to the first "
                  r"test (\d+) ms\)(?:; a clone costs (\d+) us to fork and close)?; per test: "
                  r"(\d+) nested faults \((\d+) copy-on-write\), (\d+) exits to vmm")


def test_server_line(line):
    m = TSRV.match(line.strip())
    if not m:
        return None
    per, tests, total, boot, clone, faults, cow, exits = m.groups()
    return ("vmfork testsuite per=%s tests=%s total_ms=%s boot_ms=%s clone_us=%s "
            "nested_faults_per_test=%s cow_faults_per_test=%s exits_per_test=%s" %
            (per, tests, total, boot, clone or "0", faults, cow, exits))


def parse(line):
    m = LINE.match(line.strip())
    if not m:
        return None
    rec = {"bench": m.group(1)}
    fields = m.group(2).split()
    if fields and "=" not in fields[0]:  # "smpbench shootdown k=v ...": a kind first
        rec["kind"] = fields.pop(0)
    for kv in fields:
        k, _, v = kv.partition("=")
        try:
            rec[k] = float(v) if "." in v else int(v)
        except ValueError:
            rec[k] = v
    return rec


def host_program(build, name):
    """user/bin/NAME.c built with the host's gcc and glibc."""
    exe = os.path.join(build, "host", name)
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    subprocess.run(["gcc", "-O2", "-o", exe, os.path.join(ROOT, "user/bin/%s.c" % name)],
                   check=True)
    return exe


def host_runs(build, forks):
    exe = host_program(build, "forktime")
    out = []
    for pages in SIZES:
        r = subprocess.run([exe, "-n", str(forks), "-m", str(pages)], capture_output=True, text=True)
        out += [l for l in r.stdout.splitlines() if l.startswith("forktime ")]
    exe = host_program(build, "mallocbench")
    for live in MALLOC_LIVE:
        r = subprocess.run([exe, "-l", str(live), "-n", str(MALLOC_OPS), "-r", str(MALLOC_ROUNDS)],
                           capture_output=True, text=True)
        out += [l + " libc=glibc" for l in r.stdout.splitlines() if l.startswith("mallocbench ")]
    return out


def bench_script(forks):
    """The commands cowl runs (user/etc/bench.sh is generated from this)."""
    script = []
    for mode in MODES:
        for pages in SIZES:
            script.append("forktime -M %s -n %d -m %d" % (mode, forks, pages))
    for mode in MODES:
        for pages in (1000, 262144):
            script.append("forkcost -M %s -m %d" % (mode, pages))
    script.append("forkcost -s -M share -m 262144")  # one fork taken apart
    for live in MALLOC_LIVE:
        script.append("mallocbench -l %d -n %d -r %d" % (live, MALLOC_OPS, MALLOC_ROUNDS))
    script.append("smpbench all")
    script.append("vmbench -n %d all" % VM_HYPERCALLS)
    script.append("vmforkbench -n %d" % forks)
    script.append("vmm -q -f %d %s" % (FSRV_RUNS, FSRV_IMAGE))
    for boot_each in ("", "-b "):
        script.append("vmm -q -m %d -t %s-a test=%s -a testfork /boot/cowl.elf" % (
            TSRV_GUEST_MIB, boot_each, TSRV_PATTERN))
    return script


def expected_count(forks, hypervisor=True, vmfork_skipped=0):
    """Measurement lines the script prints: one per command, smpbench,
    vmbench and vmforkbench more (the last two none where cowl found no
    hypervisor; vmforkbench one fewer per size that did not fit)."""
    smp_lines = min(SMP, 4) + min(SMP, 4) + len({1, min(SMP, 2), min(SMP, 4)})
    vm_lines = VM_LINES + VMFORK_LINES - vmfork_skipped + 1 if hypervisor else 0
    return len(bench_script(forks)) - 6 + smp_lines + vm_lines + (2 if hypervisor else 0)


def cowl_runs(args):
    """Boot cowl, run the script, return its output lines and the seconds
    the boot took.  No isa-debug-exit: the script's poweroff ends QEMU."""
    # Only two short lines go through the console; the script is a file in
    # the initrd (tools/bench.py --write-script, run by the Makefile).
    cmd = qemu.command(args.kernel, initrd=args.initrd, append="loglevel=1", smp=SMP,
                       mem=args.mem, accel=args.accel, qemu=args.qemu, debug_exit=False)
    with qemu.Qemu(cmd, os.path.join(args.build, "bench.log"), stdin=True) as q:
        q.send("sh /etc/bench.sh\npoweroff\n")
        if not q.wait_exit(args.timeout):
            print("bench: cowl still ran after %ds; stopped it" % args.timeout)
    return q.text().replace("\r", "").splitlines(), q.elapsed()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build/cowl.elf"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build/initrd.cpio"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--mem", default="3G")
    ap.add_argument("--forks", type=int, default=20)
    ap.add_argument("--qemu", default=qemu.QEMU)
    ap.add_argument("--timeout", type=int, default=3000)
    ap.add_argument("--write-script", metavar="FILE", help="write the cowl-side script and exit")
    args = ap.parse_args()
    if args.write_script:
        with open(args.write_script, "w") as f:
            f.write("# generated by tools/bench.py: what `make bench` runs inside cowl\n")
            f.write("\n".join(bench_script(args.forks)) + "\n")
        return


    print("bench: cowl under QEMU accel=%s, memory %s; host Linux %s" %
          (args.accel, args.mem, os.uname().release), flush=True)
    records = []
    for line in host_runs(args.build, args.forks):
        print(line, flush=True)
        records.append(parse(line))
    lines, seconds = cowl_runs(args)
    lines = [fork_server_line(l) or test_server_line(l) or l for l in lines]
    for line in lines:
        rec = parse(line)
        if rec:
            rec["accel"] = args.accel
            print(line.strip() + " accel=" + args.accel, flush=True)
            records.append(rec)
    for line in lines:  # their own complaints: a guest that misbehaved, no SVM, no room
        if line.startswith("vmbench: ") or line.startswith("vmforkbench: "):
            print("bench: " + line.strip(), flush=True)
    no_hv = any(l.strip() == NO_HYPERVISOR for l in lines)
    skipped = sum(1 for l in lines if l.startswith(VMFORK_SKIPPED))
    expected = expected_count(args.forks, hypervisor=not no_hv, vmfork_skipped=skipped)
    got = sum(1 for r in records if r.get("accel"))
    if got != expected:
        print("bench: WARNING: %d of %d cowl measurements arrived (see %s)" %
              (got, expected, os.path.join(args.build, "bench.log")))
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
    smp = {(r.get("kind"), r.get("remote", r.get("threads"))): r
           for r in records if r["bench"] == "smpbench"}
    def get(kind, n, key):
        r = smp.get((kind, n))
        return r.get(key) if r else None
    smp_ratios = [
        ("faults_4_threads_over_1", get("faults", 4, "faults_per_s"), get("faults", 1, "faults_per_s")),
        ("shootdown_1_remote_over_0", get("shootdown", 1, "median_ns"), get("shootdown", 0, "median_ns")),
        ("shootdown_2_remote_over_0", get("shootdown", 2, "median_ns"), get("shootdown", 0, "median_ns")),
        ("shootdown_3_remote_over_0", get("shootdown", 3, "median_ns"), get("shootdown", 0, "median_ns")),
        ("shootdown_3_remote_over_1", get("shootdown", 3, "median_ns"), get("shootdown", 1, "median_ns")),
        ("fork_2_threads_over_1", get("fork", 2, "median_us"), get("fork", 1, "median_us")),
        ("fork_4_threads_over_1_goal_at_most_3", get("fork", 4, "median_us"), get("fork", 1, "median_us")),
        # how much of the 4-thread fork is its flush (waiting for the others)
        ("fork_4_threads_flush_over_kernel", get("fork", 4, "flush_us"), get("fork", 4, "kernel_us")),
    ]
    for name, a, b in smp_ratios:
        if a and b:
            print("ratio %s = %.2f" % (name, a / b))
    for remote in (1, 2, 3):  # 1.0 each: one IPI per other CPU, nothing more
        r = smp.get(("shootdown", remote))
        if r and "ipis_per_flush" in r:
            print("ratio shootdown_%d_remote_ipis_per_flush_per_cpu = %.2f" %
                  (remote, float(r["ipis_per_flush"]) / remote))
    forks = [r for (kind, _), r in smp.items() if kind == "fork" and r.get("threads", 1) > 1]
    for r in forks:  # the fork's flush, a write while the child lives; wake-ups counted too
        ipis = float(r["ipis_per_fork"]) + float(r.get("wake_ipis_per_fork", 0))
        print("ratio fork_%d_threads_ipis_per_fork_per_other_cpu_goal_at_most_2 = %.2f" %
              (r["threads"], ipis / (r["threads"] - 1)))
    fork_steps(records)
    vm = {(r.get("kind"), r.get("where")): r for r in records if r["bench"] == "vmbench"}
    def vget(kind, where, key):
        r = vm.get((kind, where))
        return r.get(key) if r else None
    vm_ratios = [  # above 1.0: the first costs more (times) or writes faster (mbps)
        ("vmbench_hypercall_monitor_over_kernel", vget("hypercall", "monitor", "median_ns"),
         vget("hypercall", "kernel", "median_ns")),
        ("vmbench_fault_guest_over_process", vget("fault", "guest", "median_ns"),
         vget("fault", "process", "median_ns")),
        ("vmbench_write_guest_over_process", vget("write", "guest", "mbps"),
         vget("write", "process", "mbps")),
    ]
    for name, a, b in vm_ratios:
        if a and b:
            print("ratio %s = %.2f" % (name, a / b))
    vmfork_ratios(records, mean)
    ts = {r.get("per"): r for r in records if r["bench"] == "vmfork" and r.get("kind") == "testsuite"}
    if ts.get("boot") and ts.get("fork") and ts["fork"]["total_ms"]:
        print("ratio testsuite_boot_per_test_over_fork_per_test = %.2f" %
              (ts["boot"]["total_ms"] / ts["fork"]["total_ms"]))
    mb = {(r.get("libc", "cowl"), r.get("live")): r for r in records if r["bench"] == "mallocbench"}
    # Flat is 1.0: malloc's cost does not grow with live blocks.  The whole
    # loop's ratio includes the program's own touches of a random block
    # (the baseline); the net one is what malloc and free add, the goal's
    # figure (docs/bench.md, "The user heap").
    for libc in ("cowl", "glibc"):
        a, b = mb.get((libc, MALLOC_LIVE[-1])), mb.get((libc, MALLOC_LIVE[0]))
        for key, what in (("ns_per_op", ""), ("net_ns_per_op", "net_")):
            if a and b and b.get(key) and a.get(key) is not None:
                print("ratio mallocbench_%s_%s%d_over_%d_live = %.2f" % (
                    libc, what, MALLOC_LIVE[-1], MALLOC_LIVE[0], a[key] / b[key]))
    pt = [r["ptpages"] for (mode, _), r in ft.items() if mode == "share"]
    if pt:
        print("ratio share_ptpages_per_fork_max = %d" % max(pt))


def fork_steps(records):
    """forkcost -s: each step's share of one share-mode fork as the parent
    sees it (fork_ns), so that where the time goes reads off one run."""
    for r in records:
        if r["bench"] != "forkcost" or r.get("kind") != "steps" or not r.get("fork_ns"):
            continue
        for key in sorted(k for k in r if k.endswith("_ns") and k != "fork_ns"):
            print("ratio forkcost_steps_%s_share_of_fork = %.3f" % (key[:-3], r[key] / r["fork_ns"]))


def vmfork_ratios(records, forktime_mean):
    """vmfork's: flat in the guest's size, against eager, against a process
    fork of the same memory (forktime share at 262144 pages = 1 GiB).  On
    means, and on minimums (the first fork of a run can be slow)."""
    vf = {(r.get("mode"), r.get("guest_mib")): r for r in records
          if r["bench"] == "vmfork" and "kind" not in r and "guest_mib" in r}
    fork_1g = [r for r in records if r["bench"] == "forktime" and r.get("mode") == "share"
               and r.get("pages") == 262144 and r.get("accel")]
    for key in ("mean_us", "min_us"):
        def get(mode, mib):
            r = vf.get((mode, mib))
            return r[key] if r else None
        on = "" if key == "mean_us" else "_on_min"
        pairs = [
            ("vmfork_share_2048_over_16_goal_at_most_1.5", get("share", 2048), get("share", 16)),
            ("vmfork_share_over_eager_1024", get("share", 1024), get("eager", 1024)),
            ("vmfork_share_1024_over_process_fork_share_1GiB_goal_at_most_2", get("share", 1024),
             fork_1g[0][key] if fork_1g else None),
        ]
        for name, a, b in pairs:
            if a and b:  # share over eager is tiny: keep its digits
                print("ratio %s%s = %s" % (name, on, "%.2f" % (a / b) if a / b >= 0.01 else
                                          "%.2e" % (a / b)))


if __name__ == "__main__":
    main()
