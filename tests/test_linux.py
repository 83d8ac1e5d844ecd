#!/usr/bin/env python3
"""test_linux.py - cowl's POSIX user tests, built and run on the host Linux
(what `make test-linux` does).

cowl claims to follow POSIX where it has POSIX names.  The user tests in
user/tests/ that only use POSIX calls are compiled a second time, with the
host gcc against glibc, and run on this Linux: a check that passes on cowl
but fails here means cowl (or the test) has its own idea of POSIX.  The few
cowl-only checks inside those tests sit under `#ifdef __cowl__` (the cowl
build defines __cowl__); tests that are about cowl itself are listed in
EXCLUDED below, each with its reason.

Each test runs the way cowl runs it: argv[0] is /tests/NAME, the environment
has PATH, standard input is an empty pipe (like cowl's console, it cannot
seek), and the working directory is a fresh scratch directory under
build/linux/run/ (on cowl it is "/"; the tests use relative file names).
Core dumps are off: several tests kill children with SIGSEGV on purpose.

Output (the contract in docs/testing.md, "The output is a contract"): one
TAP line per test, `ok N - linux/NAME` or `not ok N - linux/NAME # reason`,
and as the very last line `N passed, N failed`.  Exit status 0 only if all
passed.
"""
import argparse
import concurrent.futures
import glob
import os
import resource
import shutil
import signal
import subprocess
import sys

import tap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Tests that do not run on Linux, and why.  Every other user/tests/*.c does.
EXCLUDED = {
    "failalloc": "cowl's fault injection (cowl_failalloc) makes its allocations fail",
    "sysfuzz": "runs cowl's fuzzer /bin/sysfuzz, which calls cowl-only system calls",
    "elfbad": "cowl's ELF loader on its own static image; Linux runs #! scripts and "
              "kills the caller for errors found after the point of no return",
    "oom": "runs cowl out of memory on purpose (its hogs would meet Linux's OOM killer, which "
           "may choose another victim) and checks cowl's own counts: cowl_vmstat, "
           "cowl_fork_mode, and CHILD_MAX as cowl's process limit",
    "pressure": "fork cost under memory pressure, sized and measured with cowl_memstat "
                "and cowl_fork_tables",
    "ptdump": "cowl's page-table tree (cowl_ptdump)",
    "vmstat": "cowl's fault, copy-on-write and unshare counters (cowl_vmstat)",
    "vm": "runs cowl's hypervisor monitor /bin/vmm and its guests",
    "vmbad": "cowl's virtual-machine system calls (cowl_vm_create, cowl_vcpu_run, ...)",
    "vmkill": "cowl's virtual-machine system calls and counts (cowl_vm_create, cowl_vmstat)",
    "vmfork": "cowl's vmfork (cowl_vm_fork, cowl_vcpu_fork) and fault injection (cowl_failalloc)",
    "vmfsrv": "runs cowl's hypervisor monitor /bin/vmm as a fork server (cowl_vm_fork)",
    "vmcowl": "runs cowl.s hypervisor monitor /bin/vmm on cowl.s own kernel, /boot/cowl.elf",
}

# -fno-delete-null-pointer-checks: badargs passes NULL on purpose where
# glibc's headers say nonnull; without it gcc concludes the pointer cannot
# be NULL afterwards and drops the test's own `if (p)`.
CFLAGS = ["-std=gnu11", "-O2", "-g", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE", "-pthread",
          "-fno-delete-null-pointer-checks"]
# Tests built with outside code (third_party/README.md): the extra gcc
# arguments, as the Makefile's ZLIB_FLAGS and libz.a (its sources here).
OUTSIDE = {
    "zlib": ["-Ithird_party/zlib", "-DHAVE_UNISTD_H", "-DHAVE_STDARG_H"]
            + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "third_party/zlib/*.c"))),
}
TIMEOUT = 60  # seconds per test; they take well under one on the host


def selected_tests(pattern=""):
    """Names of the tests that run on Linux, sorted; pattern: substrings,
    comma-separated, as in make test T=."""
    names = sorted(os.path.basename(p)[:-2] for p in glob.glob(os.path.join(ROOT, "user/tests/*.c")))
    names = [n for n in names if n not in EXCLUDED]
    if pattern:
        names = [n for n in names if any(p in "linux/" + n for p in pattern.split(","))]
    return names


def compile_test(cc, name, out_dir):
    """Build user/tests/NAME.c for the host; returns (ok, reason)."""
    src = os.path.join("user/tests", name + ".c")  # FAIL lines name it as cowl's build does
    exe = os.path.join(out_dir, name)
    r = subprocess.run([cc] + CFLAGS + ["-o", exe, src] + OUTSIDE.get(name, []), cwd=ROOT, capture_output=True, text=True)
    if r.returncode:
        errors = [ln for ln in r.stderr.splitlines() if "error" in ln] or r.stderr.splitlines()
        return False, "compile failed: " + (errors[0] if errors else "status %d" % r.returncode)
    return True, ""


def _no_core_dumps():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_test(name, out_dir, timeout=TIMEOUT):
    """Run one built test as cowl would; returns (ok, reason, output)."""
    work = os.path.join(out_dir, "run", name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    p = subprocess.Popen(["/tests/" + name], executable=os.path.join(out_dir, name), cwd=work,
                         env={"PATH": "/usr/bin:/bin", "HOME": "/"}, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         preexec_fn=_no_core_dumps, start_new_session=True)
    try:  # communicate() closes stdin at once: an empty pipe
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # the test and any children it left
        out, _ = p.communicate()
        return False, "timeout after %ds" % timeout, out.decode(errors="replace")
    try:
        os.killpg(p.pid, signal.SIGKILL)  # orphans still running (none expected)
    except ProcessLookupError:
        pass
    out = out.decode(errors="replace")
    if p.returncode == 0:
        shutil.rmtree(work, ignore_errors=True)
        return True, "", out
    how = ("killed by signal %d" % -p.returncode if p.returncode < 0
           else "exit status %d" % p.returncode)
    fails = [ln for ln in out.splitlines() if "FAIL" in ln]  # check.h prints FAIL file:line
    return False, how + (": " + fails[0] if fails else ""), out


def build_and_run(name, out_dir, cc):
    """(ok, reason, output) for one test; output is kept in out_dir/NAME.log."""
    out = ""
    try:
        ok, reason = compile_test(cc, name, out_dir)
        if ok:
            ok, reason, out = run_test(name, out_dir)
    except OSError as e:  # a runner that cannot run a test fails that test
        ok, reason = False, "could not run: %s" % e
    with open(os.path.join(out_dir, name + ".log"), "w") as f:
        f.write(out if ok or out else reason + "\n")
    return ok, reason, out


def run_all(out_dir, cc="gcc", pattern="", jobs=2, report=None):
    """Build and run every selected test; report(n, name, ok, reason, output)
    is called in order.  Returns the list of (name, ok, reason)."""
    out_dir = os.path.abspath(out_dir)  # the tests run in their own directories
    os.makedirs(out_dir, exist_ok=True)
    names = selected_tests(pattern)
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(build_and_run, n, out_dir, cc) for n in names]
        for n, (name, fut) in enumerate(zip(names, futures), 1):
            ok, reason, out = fut.result()
            results.append((name, ok, reason))
            if report:
                report(n, name, ok, reason, out)
    return results


def host_compiler(cc="gcc"):
    return shutil.which(cc)


def _print_tap(n, name, ok, reason, out):
    if not ok:  # what the test printed, as TAP comments, to see why
        for line in out.splitlines()[-10:]:
            print("#   " + line)
    print(tap.tap_line(n, tap.Result("linux/" + name, ok, reason)), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--filter", default=os.environ.get("T", ""),
                    help="comma-separated substrings of linux/NAME")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if not host_compiler(args.cc):
        print("test-linux: no host C compiler %r" % args.cc)
        print("0 passed, 1 failed")
        sys.exit(1)
    for name, why in sorted(EXCLUDED.items()):
        print("# excluded linux/%s: %s" % (name, why))
    results = run_all(os.path.join(args.build, "linux"), args.cc, args.filter, args.jobs,
                      _print_tap)
    if not results:
        print("test-linux: no test matches %r" % args.filter)
    print(tap.summary([tap.Result(name, ok, reason) for name, ok, reason in results]))
    sys.exit(1 if not results or not all(ok for _, ok, _ in results) else 0)


if __name__ == "__main__":
    main()
