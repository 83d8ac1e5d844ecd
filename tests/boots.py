"""boots.py - one test boot: start cowl under QEMU with a test selection,
read the TAP lines it prints on its serial port, and judge them.

evaluate() is the judge, and pure (a log in, results out), so the harness's
self-tests (tests/harness_selftest.py) can feed it logs made up to fail in
every way.  run_boot() is one real boot: the command line comes from
tests/qemu.py, the results are tests/tap.py's.
"""
import os
import re
import subprocess

import qemu
from qemu import EXIT_MEANING, EXIT_PANIC, EXIT_PASS
from tap import Result

TAP_RE = re.compile(r"^(not ok|ok) (\d+) - (\S+)(?: # (.*))?$")
FIRST_TAP_RE = re.compile(rb"(?m)^(not )?ok \d+ - ")
# A user test's own TAP (docs/testing.md, "A test that prints its own TAP"):
# between "# running user/X" and the kernel's result line for user/X, any
# "ok"/"not ok" line, indented or not, is a subtest of X and "1..N" its plan.
SUB_TAP_RE = re.compile(r"^\s*(not ok|ok)\b(?:\s+(\d+))?(?:\s*-)?\s*(.*?)(?:\s+#\s*(.*))?$")
SUB_PLAN_RE = re.compile(r"^\s*1\.\.(\d+)\s*(?:#.*)?$")
# kernel/ubsan.c's report; searched anywhere in a line, as a user program's
# unfinished line may precede it on the console.
UBSAN_RE = re.compile(r"UBSAN: (\S+) in (\S+):(\d+):(\d+) .*")


class Boot:
    """One QEMU run: how to start it and which kernel tests it must report.
    timeout: the boot is killed after this many seconds.  A whole boot of
    every test takes about 60 s on a quiet 2-core machine; on a shared one
    (several QEMUs per core) boots that were still making progress took
    over 120 s, so the limit leaves room: it is there to end hangs."""

    def __init__(self, name, patterns, loader, machine="pc", smp=1, mem="512M",
                 timeout=300, iso=False, extra_args="", ubsan=None, guest=False,
                 testfork=False, clone_limit_s=100, tcg_single=False):
        self.name, self.patterns, self.loader = name, patterns, loader
        self.machine, self.smp, self.mem, self.timeout = machine, smp, mem, timeout
        self.iso, self.extra_args = iso, extra_args
        # guest: the tests run in a cowl that cowl's hypervisor boots (vmm,
        # PVH); the host only passes the guest's console and verdict on.
        self.guest = guest
        # testfork (with guest): the host's vmm is a test server (vmm -t):
        # it boots the guest once and forks it for every test (docs/virt.md,
        # "Boot once, fork per test"); a clone fails after clone_limit_s.
        self.testfork, self.clone_limit_s = testfork, clone_limit_s
        # tcg_single: under TCG, run every vCPU in one host thread
        # (-accel tcg,thread=single) instead of one thread each.  For the
        # boots whose tests run guests on several CPUs: QEMU 7.2's
        # multi-threaded TCG corrupts an SVM guest's state now and then
        # (docs/testing.md, "Guests on several CPUs").
        self.tcg_single = tcg_single
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
    extra, reports, subs = [], [], {}
    for line in outcome.log_text.splitlines():
        line = line.rstrip("\r")
        u = UBSAN_RE.search(line)
        if u:
            reports.append((u, running))
        m = TAP_RE.match(line)
        if running and running.startswith("user/") and not (m and m.group(3) == running):
            if collect_subtest(subs.setdefault(running, {"plan": None, "lines": []}), line):
                continue
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
            results.append(with_subtests(Result(full, ok, reason, log=log_path), subs.get(name)))
        elif outcome.timed_out and name == running:
            results.append(Result(full, False, "timeout after %ds: hung in this test"
                                  % outcome.seconds, log=log_path))
        else:
            results.append(Result(full, False, why_missing, log=log_path))
    for name in order:
        if name not in expected:
            extra.append(Result("%s/%s" % (boot_name, name), False,
                                "unexpected: the runner did not select this test"))

    # The kernel's own verdicts: a test it passed but whose TAP said "not ok"
    # fails here (with_subtests), yet the kernel rightly exited with 33.
    all_ok = all(n in seen and seen[n][0] for n in expected) and all(r.ok for r in extra)
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


def collect_subtest(sub, line):
    """One line a user test printed: a TAP result or plan goes into `sub`
    ({"plan": N, "lines": [(ok, number, description, directive)]}); returns
    whether it was one."""
    p = SUB_PLAN_RE.match(line)
    if p:
        sub["plan"] = int(p.group(1))
        return True
    t = SUB_TAP_RE.match(line)
    if not t:
        return False
    sub["lines"].append((t.group(1) == "ok", t.group(2), t.group(3), t.group(4) or ""))
    return True


def with_subtests(parent, sub):
    """Attach a user test's own TAP results to its Result as .subtests,
    named <boot>/user/X/<description>.  The exit status still decides, and
    the TAP must agree with it: a test that exited 0 but printed "not ok"
    (without TODO) or fewer or more results than its plan fails.  A failing
    exit status stays a failure whatever the TAP said."""
    if not sub or (not sub["lines"] and sub["plan"] is None):
        return parent
    failed = []
    for ok, number, desc, directive in sub["lines"]:
        n = len(parent.subtests) + 1
        case = re.sub(r"\s+", "_", desc.strip()) or "case-%s" % (number or n)
        todo = directive.upper().startswith("TODO")
        reason = directive if ok or todo else (directive or "not ok")
        r = Result("%s/%s" % (parent.name, case), ok or todo, reason, log=parent.log)
        parent.subtests.append(r)
        if not r.ok:
            failed.append(case)
    problems = []
    if failed:
        problems.append("its own TAP has %d not ok: %s" % (len(failed), ", ".join(failed[:5])))
    count = len(sub["lines"])
    if sub["plan"] is not None and sub["plan"] != count:
        problems.append("it planned %d results and printed %d" % (sub["plan"], count))
    if problems and parent.ok:
        parent.ok, parent.skipped = False, False
        parent.reason = "exit status 0, but " + "; ".join(problems)
    elif problems:
        parent.reason += "; " + "; ".join(problems)
    return parent


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


def run_qemu(cmd, timeout, log_path):
    """Boot, serial into log_path, until QEMU exits or `timeout` seconds
    pass (then it is killed).  Also notes when the first TAP line came."""
    with qemu.Qemu(cmd, log_path) as q:
        first_line = None
        if q.wait_for(FIRST_TAP_RE, timeout):
            first_line = q.elapsed()
        timed_out = not q.wait_exit(timeout - q.elapsed())
    return BootOutcome(q.text(), q.status, timed_out, q.elapsed(), first_line)


def make_iso(kernel, cmdline, out, module):
    subprocess.run([os.path.join(qemu.ROOT, "tools", "mkiso.sh"), kernel, out, cmdline, module],
                   check=True)


def boot_command(args, boot, cmdline, iso_path=None, initrd=None):
    """The QEMU command line of `boot` with this run's QEMU and accelerator."""
    accel = args.accel + ",thread=single" if boot.tcg_single and args.accel == "tcg" else args.accel
    return qemu.command(args.kernel, iso=iso_path, initrd=initrd, append=cmdline,
                        machine=boot.machine, smp=boot.smp, mem=boot.mem, accel=accel,
                        qemu=args.qemu)


GUEST_MIB = 384  # the guest cowl's RAM; the host boots with boot.mem


def guest_cmdline(boot):
    """The host's command line for a guest boot: init is vmm booting
    /boot/cowl.elf (the same kernel) with the test options as the guest's
    command line, one -a per word since commas separate init's arguments
    (and so the patterns are separated by ';', which ktest also takes);
    initexit=qemu makes the host leave QEMU with the guest's verdict."""
    words = ["test=" + boot.patterns.replace(",", ";"), "expect_loader=pvh",
             "expect_module=1", "expect_cpus=1"]
    args = ["/bin/vmm", "-q", "-m", str(GUEST_MIB)]
    if boot.testfork:
        words.append("testfork")
        args += ["-t", "-w", str(boot.clone_limit_s)]
    for w in words:
        args += ["-a", w]
    return "init=%s initexit=qemu" % ",".join(args + ["/boot/cowl.elf"])


def run_boot(args, boot, expected):
    """Boot once with `expected` (kernel test names) selected; returns
    (results, BootOutcome).  The serial log is args.logs/<boot>.log."""
    log_path = os.path.join(args.logs, boot.name + ".log")
    # QEMU's TCG emulates SVM with nested paging under -cpu max: there the
    # kernel must find it (virt/svm_found_where_expected).
    svm = " expect_svm=1" if args.accel == "tcg" else ""
    cmdline = ("test=%s expect_loader=%s expect_module=1 expect_cpus=%d%s %s" % (
        boot.patterns, boot.loader, boot.smp, svm, boot.extra_args)).strip()
    if boot.guest:
        cmdline = guest_cmdline(boot)
    iso_path = None
    if boot.iso:
        iso_path = os.path.join(args.build, "test-%s.iso" % boot.name)
        make_iso(args.kernel, cmdline, iso_path, args.initrd)
    cmd = boot_command(args, boot, cmdline, iso_path, args.initrd)
    outcome = run_qemu(cmd, boot.timeout, log_path)
    ubsan = boot.ubsan
    if ubsan is None and getattr(args, "sanitized", False):
        ubsan = []  # every boot of a sanitized kernel must be free of reports
    results = evaluate(boot.name, expected, outcome, log_path, ubsan)
    if boot.guest:
        results.append(host_audit_result(boot.name, outcome.log_text, log_path))
    return results, outcome


HOST_AUDIT = re.compile(r"cowl: init exited with status \d+; pages not returned (-?\d+); audit (.*)")


def host_audit_result(boot_name, log_text, log_path):
    """'<boot>/host-audit': after the guest's run, the host's own leak check
    and audit (kernel/main.c run_init) for everything the VM used."""
    m = HOST_AUDIT.search(log_text)
    if not m:
        return Result("%s/host-audit" % boot_name, False, "the host never reported", log=log_path)
    ok = m.group(1) == "0" and m.group(2).strip() == "ok"
    return Result("%s/host-audit" % boot_name, ok,
                  "host: pages not returned %s, audit %s" % (m.group(1), m.group(2).strip()),
                  log=log_path)
