"""tap.py - results and how they are reported (the contract in docs/testing.md).

A Result is one named outcome: passed, failed (with a reason) or skipped
(passed, with a reason that starts with SKIP).  This module writes them as
TAP lines, as the closing `N passed, N failed[, N skipped]` line and as
JUnit XML (build/test-results.xml); tests/run.py and tests/test_linux.py
print through it, so their output has one format.
"""
import os
import xml.etree.ElementTree as ET


class Result:
    def __init__(self, name, ok, reason="", seconds=0.0, log=None):
        self.name, self.ok, self.reason, self.seconds, self.log = name, ok, reason, seconds, log
        self.skipped = ok and reason.startswith("SKIP")
        # A user test's own TAP results (boots.with_subtests), each a Result
        # named <parent>/<case>; shown indented before the parent's line.
        self.subtests = []


def tap_line(n, r):
    """`ok N - name # reason`; a failure also points at its serial log."""
    line = "%s %d - %s" % ("ok" if r.ok else "not ok", n, r.name)
    if r.reason:
        line += " # " + r.reason.replace("\n", " ")
    if not r.ok and r.log:
        line += " (log: %s)" % os.path.relpath(r.log)
    return line


def tap_lines(n, r):
    """A result's line, after its subtests as TAP 14 nests them: indented
    four spaces, numbered from 1, with their plan."""
    if not r.subtests:
        return [tap_line(n, r)]
    lines = ["    # Subtest: " + r.name]
    for i, s in enumerate(r.subtests, 1):
        line = "%s %d - %s" % ("ok" if s.ok else "not ok", i, s.name.rsplit("/", 1)[-1])
        lines.append("    " + line + (" # " + s.reason if s.reason else ""))
    lines.append("    1..%d" % len(r.subtests))
    return lines + [tap_line(n, r)]


def with_subtests(results):
    """Every result followed by its subtests (for JUnit)."""
    return [x for r in results for x in [r] + r.subtests]


def summary(results):
    """The closing line, `N passed, N failed`, with `, N skipped` if any.
    CI and people read this line; a skip counts as neither."""
    failed = sum(not r.ok for r in results)
    skipped = sum(r.skipped for r in results)
    line = "%d passed, %d failed" % (len(results) - failed - skipped, failed)
    return line + (", %d skipped" % skipped if skipped else "")


def write_junit(results, path):
    """One <testsuite> per first name component (pvh, smp4, host, ...);
    a user test's own TAP results are test cases of their own."""
    results = with_subtests(results)
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
