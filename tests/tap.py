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


def tap_line(n, r):
    """`ok N - name # reason`; a failure also points at its serial log."""
    line = "%s %d - %s" % ("ok" if r.ok else "not ok", n, r.name)
    if r.reason:
        line += " # " + r.reason.replace("\n", " ")
    if not r.ok and r.log:
        line += " (log: %s)" % os.path.relpath(r.log)
    return line


def summary(results):
    """The closing line, `N passed, N failed`, with `, N skipped` if any.
    CI and people read this line; a skip counts as neither."""
    failed = sum(not r.ok for r in results)
    skipped = sum(r.skipped for r in results)
    line = "%d passed, %d failed" % (len(results) - failed - skipped, failed)
    return line + (", %d skipped" % skipped if skipped else "")


def write_junit(results, path):
    """One <testsuite> per first name component (pvh, smp4, host, ...)."""
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
