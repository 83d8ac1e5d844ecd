"""harness_selftest.py - tests of the test harness itself.

A harness that reports a broken test as passing is worse than none, so every
kind of failure the runner claims to catch is produced here for real: a failed
check, a panic, a kernel page fault, an SMAP violation, a double fault, a
hang, a leak, a corrupted page or table, and a test that never reports.  Each
check passes only if the runner's judge (boots.evaluate) calls it a failure,
with the right name and reason.  One control (harness/pass) must pass, so a
runner that fails everything is caught too.  check_parser feeds the judge
made-up logs.  `make test-harness` runs only these.
"""

from boots import Boot, BootOutcome, evaluate, run_boot
from check import by_name, expect, no_ubsan
from tap import with_subtests
from qemu import EXIT_FAIL, EXIT_PANIC, EXIT_PASS

HANG_TIMEOUT = 8  # seconds; a TCG boot reaches the tests in well under one


def _boot(args, test, timeout=60):
    """Boot with only the hidden test harness/TEST selected."""
    boot = Boot("harness-" + test, "harness/" + test, "pvh", timeout=timeout)
    results, outcome = run_boot(args, boot, ["harness/" + test])
    no_ubsan(outcome.log_text, boot.name)
    return results, outcome


def check_failure(args):
    results, _ = _boot(args, "fail")
    r = by_name(results, "/harness/fail")
    expect(not r.ok, "a failing EXPECT was reported as passing")
    expect("1 + 1 == 3" in r.reason, "reason lacks the failed expression: %r" % r.reason)
    expect(by_name(results, "/kernel-exit").ok, "a clean failing run should exit with 35")
    return True, "failure caught: " + r.reason


def check_panic(args):
    results, outcome = _boot(args, "panic")
    r = by_name(results, "/harness/panic")
    expect(not r.ok, "a panicking test was reported as passing")
    expect(outcome.status == EXIT_PANIC, "exit status %s, want 37" % outcome.status)
    expect(not by_name(results, "/kernel-exit").ok, "a panicked boot was called clean")
    expect("ktest_fn_harness_panic" in outcome.log_text, "panic backtrace lacks the test")
    return True, "panic caught: " + r.reason


def check_fault_report(args):
    results, outcome = _boot(args, "pagefault")
    expect(not by_name(results, "/harness/pagefault").ok, "a faulting test passed")
    log = outcome.log_text
    for piece in ("kernel exception 14: page fault", "cr2=000000000dead000",
                  "not-present page on write in kernel mode", "rip=", "r15=",
                  "harness_bad_write", "ktest_fn_harness_pagefault", "ktest_run"):
        expect(piece in log, "exception report lacks %r" % piece)
    return True, "page fault report has name, decoded error, CR2, registers, backtrace"


def check_smap_report(args):
    results, outcome = _boot(args, "smap_violation")
    expect(not by_name(results, "/harness/smap_violation").ok, "an SMAP violation passed")
    expect(outcome.status == EXIT_PANIC, "exit status %s, want 37" % outcome.status)
    log = outcome.log_text
    for piece in ("*** SMAP violation: kernel read of user address 400010 at RIP",
                  "protection violation on read in kernel mode", "harness_smap_read"):
        expect(piece in log, "SMAP report lacks %r" % piece)
    return True, "a kernel read of a user page without STAC panics, named as SMAP"


def check_double_fault(args):
    results, outcome = _boot(args, "stack_overflow")
    expect(not by_name(results, "/harness/stack_overflow").ok, "a stack overflow passed")
    log = outcome.log_text
    for piece in ("kernel exception 8: double fault", "guard page below the boot stack",
                  "recurse_forever", "more times"):
        expect(piece in log, "double-fault report lacks %r" % piece)
    expect("while reporting" not in log, "the report itself faulted")
    return True, "stack overflow -> double fault on its IST stack, reported with a backtrace"


def check_hang(args):
    results, outcome = _boot(args, "hang", timeout=HANG_TIMEOUT)
    r = by_name(results, "/harness/hang")
    expect(outcome.timed_out, "the hanging boot was not stopped by the timeout")
    expect(not r.ok and "hung in this test" in r.reason, "hang not named: %r" % r.reason)
    return True, "hang caught after %.1fs" % outcome.seconds


def check_leak(args):
    results, _ = _boot(args, "leak")
    r = by_name(results, "/harness/leak")
    expect(not r.ok and "leak check" in r.reason, "a leaking test passed: %r" % r.reason)
    return True, "leak caught: " + r.reason


def check_audit(args):
    results, _ = _boot(args, "audit")
    r = by_name(results, "/harness/audit")
    expect(not r.ok and "page audit" in r.reason and "7 references" in r.reason,
           "a corrupted free page passed the audit: %r" % r.reason)
    return True, "audit caught: " + r.reason


def check_table_audit(args):
    reasons = []
    for test, piece in (("audit_table_refcount", "refcount 0 but 1 entries"),
                        ("audit_invariant_w", "invariant W")):
        results, _ = _boot(args, test)
        r = by_name(results, "/harness/" + test)
        expect(not r.ok and "table audit" in r.reason and piece in r.reason,
               "%s not caught by the table audit: %r" % (test, r.reason))
        reasons.append(r.reason)
    return True, "; ".join(reasons)


def check_pass_and_missing(args):
    results, outcome = _boot(args, "pass")
    expect(all(r.ok for r in results), "the control test did not pass: %s"
           % [(r.name, r.reason) for r in results if not r.ok])
    # The same log, judged against a list with one more test: it is missing.
    judged = evaluate("x", ["harness/pass", "harness/ghost"], outcome)
    ghost = by_name(judged, "/harness/ghost")
    expect(not ghost.ok and "missing" in ghost.reason, "a missing test was not reported")
    expect(not by_name(judged, "/kernel-exit").ok, "plan mismatch not reported")
    return True, "control passes; a test that never reports is a failure"


def _synthetic(text, status=EXIT_PASS, timed_out=False):
    return BootOutcome(text, status, timed_out, 1.0, 0.1)


def check_parser(args):
    del args
    good = "TAP version 13\n1..2\nok 1 - a/x\nok 2 - a/y\n# cowl-tests: done passed=2 failed=0\n"
    expect(all(r.ok for r in evaluate("b", ["a/x", "a/y"], _synthetic(good))), "good log")
    dup = good.replace("ok 2 - a/y", "ok 2 - a/x")
    expect(not all(r.ok for r in evaluate("b", ["a/x", "a/y"], _synthetic(dup))),
           "a duplicated result hid a missing one")
    expect(not all(r.ok for r in evaluate("b", ["a/x"], _synthetic(good.replace("1..2", "1..1")))),
           "an unexpected test was ignored")
    liar = good.replace("ok 2 - a/y", "not ok 2 - a/y # broken")
    res = evaluate("b", ["a/x", "a/y"], _synthetic(liar, status=EXIT_PASS))
    expect(not by_name(res, "/kernel-exit").ok, "exit 33 with a failed test was accepted")
    res = evaluate("b", ["a/x", "a/y"], _synthetic(good, status=0))
    expect(not by_name(res, "/kernel-exit").ok, "exit without isa-debug-exit was accepted")
    cut = "1..2\nok 1 - a/x\n# running a/y\n"
    res = evaluate("b", ["a/x", "a/y"], _synthetic(cut, status=None, timed_out=True))
    expect("hung in this test" in by_name(res, "/a/y").reason, "hang not attributed")
    _check_ubsan_evaluation(good)
    _check_nested_tap()
    return True, ("duplicate, unexpected, lying exit status, no debug-exit, hang attribution, "
                  "UBSAN reports, a user test's own TAP")


def _check_nested_tap():
    """A user test's own TAP lines nest under it as subtests; a "not ok" or
    a wrong count fails it even when it exited 0; its exit status still
    decides when its TAP is all ok."""
    def log(sub, verdict="ok 2 - user/t"):
        return ("1..2\n# running a/x\nok 1 - a/x\n# running user/t\n" + sub + verdict +
                "\n# cowl-tests: done passed=2 failed=0\n")
    passing = "1..3\nok 1 - one\n    ok 2 - two words\nok 3 - three # SKIP why\n"
    res = evaluate("b", ["a/x", "user/t"], _synthetic(log(passing)))
    expect(all(r.ok for r in res), "a passing nested TAP failed: %s" % [r.reason for r in res])
    t = by_name(res, "/user/t")
    expect([s.name for s in t.subtests] == ["b/user/t/one", "b/user/t/two_words",
                                            "b/user/t/three"], "subtest names")
    liar = passing.replace("ok 2 - two", "not ok 2 - two")
    res = evaluate("b", ["a/x", "user/t"], _synthetic(log(liar)))
    expect(not by_name(res, "/user/t").ok, "exit 0 with a not ok subtest passed")
    expect(not by_name(with_subtests(res), "/user/t/two_words").ok, "the not ok subtest passed")
    expect(by_name(res, "/kernel-exit").ok, "the kernel's exit 33 was blamed")
    res = evaluate("b", ["a/x", "user/t"], _synthetic(log(passing.replace("1..3", "1..4"))))
    expect(not by_name(res, "/user/t").ok, "a nested plan of 4 with 3 results passed")
    res = evaluate("b", ["a/x", "user/t"],
                   _synthetic(log(passing, "not ok 2 - user/t # exit status 1").replace(
                       "passed=2 failed=0", "passed=1 failed=1"), status=EXIT_FAIL))
    expect(not by_name(res, "/user/t").ok, "exit status 1 with an all-ok TAP passed")


def _check_ubsan_evaluation(good):
    """A "UBSAN:" line fails the boot as <boot>/ubsan, named and attributed to
    the running test; the self-test boot passes only with exactly its one
    expected report."""
    line = ("UBSAN: shift-out-of-bounds in mm/x.c:12:9 (shift exponent 64 is too large for "
            "64-bit type 'long unsigned int')")
    bad = good.replace("ok 2 - a/y", "# running a/y\n" + line + "\nok 2 - a/y")
    for want in (None, []):
        r = by_name(evaluate("b", ["a/x", "a/y"], _synthetic(bad), ubsan=want), "b/ubsan")
        expect(not r.ok and "mm/x.c:12:9" in r.reason and "during a/y" in r.reason,
               "a UBSAN report was not failed with its place and test: %r" % r.reason)
    # The kernel's exit status stays about the tests; the report is the ubsan result's.
    expect(by_name(evaluate("b", ["a/x", "a/y"], _synthetic(bad)), "/kernel-exit").ok,
           "a UBSAN report was blamed on the exit status")
    expect(not any(r.name == "b/ubsan" for r in evaluate("b", ["a/x", "a/y"],
                                                         _synthetic(good))),
           "a clean log of a kernel not known to be sanitized got a ubsan result")
    clean = by_name(evaluate("b", ["a/x", "a/y"], _synthetic(good), ubsan=[]), "b/ubsan")
    expect(clean.ok, "a clean sanitized boot failed: %r" % clean.reason)
    judged = {}
    for name, text, want in (("right", bad, ["mm/x.c:12"]), ("missing", good, ["mm/x.c:12"]),
                             ("elsewhere", bad, ["mm/x.c:13"]),
                             ("twice", bad.replace(line, line + "\n" + line), ["mm/x.c:12"])):
        judged[name] = by_name(evaluate("b", ["a/x", "a/y"], _synthetic(text), ubsan=want),
                               "b/ubsan").ok
    expect(judged == {"right": True, "missing": False, "elsewhere": False, "twice": False},
           "the self-test's expectation is judged wrongly: %s" % judged)


CHECKS = [
    ("host/harness/failure_is_reported", check_failure),
    ("host/harness/panic_is_reported", check_panic),
    ("host/harness/fault_report", check_fault_report),
    ("host/harness/smap_violation_is_named", check_smap_report),
    ("host/harness/double_fault_on_ist", check_double_fault),
    ("host/harness/hang_is_reported", check_hang),
    ("host/harness/leak_is_reported", check_leak),
    ("host/harness/audit_is_reported", check_audit),
    ("host/harness/table_audit_is_reported", check_table_audit),
    ("host/harness/control_and_missing", check_pass_and_missing),
    ("host/harness/parser", check_parser),
]
