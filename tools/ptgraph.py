#!/usr/bin/env python3
"""ptgraph.py - draw the page-table trees of several cowl processes as one
graph (Graphviz DOT), from the lines `ptdump` prints.

    tools/ptgraph.py FILE [--out DIR]     read ptdump output (e.g. a serial log)
    tools/ptgraph.py --boot [--out DIR]   boot cowl, run the `ptdump -demo`s
                                          (DEMOS below) and draw them
                                          (what `make pt-graph` does)

Every `ptdump begin NAME` ... `ptdump end` block becomes DIR/NAME.dot, and
DIR/NAME.svg when Graphviz's `dot` is installed.

How the picture is built: a table is named by its physical address, so a
table that several processes share (fork shares them) is one node, with an
edge from every table that points to it.  Private tables are drawn in the
colour of their process; shared ones (refcount > 1) in orange, and tables
that are private to a shared table (so every sharer reaches them) in light
orange.  A dashed edge is an entry marked COW_TABLE (read-only: the first write below
it unshares); a solid edge is a private, writable entry.

The trees may be processes' (`ptdump proc pid=P`) or VMs' nested tables
(`ptdump vm vm=N`, from `-demo vmfork` and `-demo vmwrite`); a VM's tables
cover guest-physical addresses, so their nodes say gpa instead of va.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import qemu  # noqa: E402  tests/qemu.py: the QEMU command line, the serial port
LEVEL_NAME = {4: "PML4", 3: "PDPT", 2: "PD", 1: "PT"}
PROC_COLOURS = ["#cfe2ff", "#d1f0d1", "#f3d9fa", "#fff3bf", "#d0ebff", "#e9ecef"]
SHARED_COLOUR = "#ffc078"        # refcount > 1: shared by fork
BELOW_SHARED_COLOUR = "#ffe8cc"  # refcount 1, but under a shared table

DEMOS = ["fork", "write", "tree", "vmfork", "vmwrite"]  # what --boot runs

FIELD = re.compile(r"(\w+)=(\S+)")
OWNER = re.compile(r"(pid|vm)=(\d+) label=(.*)")


def parse(text):
    """{name: {"procs": [(owner, label)], "tables": [dict]}} in file order.
    An owner is "pid P" (a process) or "vm N" (a VM); each table record has
    its owner in t["owner"] (and t["pid"] or t["vm"])."""
    blocks, cur = {}, None
    for line in text.splitlines():
        line = line.strip().replace("\r", "")
        if not line.startswith("ptdump "):
            continue
        words = line.split(" ", 2)
        kind = words[1]
        if kind == "begin":
            cur = blocks.setdefault(words[2], {"procs": [], "tables": []})
        elif kind == "end":
            cur = None
        elif kind in ("proc", "vm") and cur is not None:
            m = OWNER.match(words[2])
            cur["procs"].append(("%s %s" % (m.group(1), m.group(2)), m.group(3)))
        elif kind == "table" and cur is not None:
            t = dict(FIELD.findall(words[2]))
            key = "pid" if "pid" in t else "vm"
            t["owner"] = "%s %s" % (key, t[key])
            for k in (key, "level", "index", "refcount", "entries", "shared", "writable"):
                t[k] = int(t[k])
            for k in ("table", "parent", "va"):
                t[k] = int(t[k], 16)
            cur["tables"].append(t)
    return blocks


def node_id(addr):
    return "t%x" % addr


def owner_id(owner):
    """The node of a process ("pid 5" -> p5) or of a VM ("vm 1" -> vm1)."""
    kind, num = owner.split()
    return ("p" if kind == "pid" else kind) + num


def to_dot(name, block):
    """One graph: processes on top, then one rank per table level."""
    procs, tables = block["procs"], block["tables"]
    colour = {o: PROC_COLOURS[i % len(PROC_COLOURS)] for i, (o, _) in enumerate(procs)}
    nodes, edges, users = {}, {}, {}
    for t in tables:  # the last record of a table wins (they agree anyway)
        nodes[t["table"]] = t
        users.setdefault(t["table"], set()).add(t["owner"])
        src = owner_id(t["owner"]) if t["level"] == 4 else node_id(t["parent"])
        edges[(src, node_id(t["table"]))] = t
    out = ["digraph %s {" % re.sub(r"\W", "_", name),
           '  graph [rankdir=TB, nodesep=0.25, ranksep=0.5, fontname="Helvetica", '
           'label="%s", labelloc=t];' % name,
           '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.6];']
    out.append("  { rank=same;")
    for owner, label in procs:
        out.append('    %s [label="%s\\n%s", shape=ellipse, fillcolor="%s"];'
                   % (owner_id(owner), owner, label.replace('"', "'"), colour[owner]))
    out.append("  }")
    for level in (4, 3, 2, 1):
        out.append("  { rank=same;")
        for addr, t in sorted(nodes.items(), key=lambda kv: (kv[1]["va"], kv[0])):
            if t["level"] != level:
                continue
            shared = t["refcount"] > 1
            space = "gpa" if "vm" in t else "va"  # a VM's tables map guest-physical
            text = "%s %#x\\n%s %#x\\nrefcount %d" % (LEVEL_NAME[level], addr, space, t["va"],
                                                     t["refcount"])
            if level == 1:
                text += "\\n%d pages, %d shared" % (t["entries"], t["shared"])
            if shared:
                fill = SHARED_COLOUR
            elif len(users[addr]) > 1:  # private to a table that is shared
                fill = BELOW_SHARED_COLOUR
            else:
                fill = colour.get(t["owner"], "white")
            out.append('    %s [label="%s", fillcolor="%s"%s];'
                       % (node_id(addr), text, fill, ", penwidth=2" if shared else ""))
        out.append("  }")
    for (src, dst), t in edges.items():
        if t["level"] == 4:  # from the process or VM
            out.append("  %s -> %s;" % (src, dst))
            continue
        cow = ",cow" in t["flags"]
        out.append('  %s -> %s [label="[%d]%s"%s];'
                   % (src, dst, t["index"], " cow" if cow else "",
                      ", style=dashed" if cow else ""))
    out.append("}")
    return "\n".join(out) + "\n"


def write_graphs(blocks, outdir):
    os.makedirs(outdir, exist_ok=True)
    have_dot = shutil.which("dot") is not None
    for name, block in blocks.items():
        path = os.path.join(outdir, name + ".dot")
        with open(path, "w") as f:
            f.write(to_dot(name, block))
        made = [path]
        if have_dot:
            svg = os.path.join(outdir, name + ".svg")
            subprocess.run(["dot", "-Tsvg", path, "-o", svg], check=True)
            made.append(svg)
        print("ptgraph: %s: %d processes or VMs, %d table records -> %s"
              % (name, len(block["procs"]), len(block["tables"]), ", ".join(made)))
    if not have_dot:
        print("ptgraph: Graphviz's `dot` is not installed; render with `dot -Tsvg FILE.dot`")


def boot_and_dump(kernel, initrd, qemu_binary, demos, timeout=120):
    """Boot cowl to its shell, type the ptdump demos, return the output."""
    cmd = qemu.command(kernel, initrd=initrd, append="loglevel=1", qemu=qemu_binary,
                       debug_exit=False)  # poweroff ends QEMU
    with qemu.Qemu(cmd, stdin=True) as q:
        if q.wait_for(qemu.SHELL_PROMPT, timeout):
            q.send("".join("ptdump -demo %s\n" % d for d in demos) + "poweroff\n")
            q.wait_exit(timeout - q.elapsed())
    return q.text()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", nargs="?", help="ptdump output to draw ('-' for stdin)")
    ap.add_argument("--boot", action="store_true", help="boot cowl and run the demos")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "pt-graph"))
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build", "cowl.elf"))
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build", "initrd.cpio"))
    ap.add_argument("--qemu", default=qemu.QEMU)
    args = ap.parse_args()
    if args.boot:
        text = boot_and_dump(args.kernel, args.initrd, args.qemu, DEMOS)
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "ptdump.log"), "w") as f:
            f.write(text)
    elif args.file:
        text = sys.stdin.read() if args.file == "-" else open(args.file).read()
    else:
        ap.error("give a FILE or --boot")
    blocks = parse(text)
    if not blocks:
        print("ptgraph: no `ptdump begin` blocks found", file=sys.stderr)
        return 1
    write_graphs(blocks, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
