"""check.py - what a host-side check is, and the helpers checks share.

A check is a function of the run's settings (tests/run.py's args) that
returns (ok, reason) and raises AssertionError (through expect()) when
something is wrong.  run() turns either into a tap.Result; a check that
crashes fails, with the exception as its reason.  tests/harness_selftest.py
and tests/host_checks.py hold the checks.
"""
import time

from boots import UBSAN_RE
from tap import Result


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def by_name(results, suffix):
    """The one result whose name ends with `suffix`."""
    for r in results:
        if r.name.endswith(suffix):
            return r
    raise AssertionError("no result named *%s in %s" % (suffix, [r.name for r in results]))


def no_ubsan(log, where):
    """A sanitized kernel must not report undefined behaviour on the paths
    only these checks reach (a panic, a fault, the shell) either."""
    reports = [m.group(0) for m in UBSAN_RE.finditer(log)]
    expect(not reports, "%s: undefined behaviour: %s" % (where, "; ".join(reports)))


def run(name, fn):
    """Run a check: fn() returns (ok, reason)."""
    start = time.monotonic()
    try:
        ok, reason = fn()
    except Exception as e:  # a crash in a check is a failure of that check
        ok, reason = False, "check raised %s: %s" % (type(e).__name__, e)
    return Result(name, ok, reason, seconds=time.monotonic() - start)
