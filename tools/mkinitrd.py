#!/usr/bin/env python3
"""mkinitrd.py - write a cpio "newc" archive (what cowl's initrd is).

Usage: mkinitrd.py OUT.cpio DEST=SOURCE [DEST=SOURCE ...]
  DEST is the path inside the archive (e.g. bin/sh); parent directories are
  added automatically.  Each entry: a 110-byte ASCII header "070701" + 13
  eight-digit hex fields, the NUL-terminated name, padding to 4 bytes, the
  data, padding to 4 bytes.  The archive ends with the entry "TRAILER!!!".
"""
import os
import sys

S_IFDIR, S_IFREG = 0o040000, 0o100000


def entry(ino, name, mode, data):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main():
    out, pairs = sys.argv[1], sys.argv[2:]
    files = sorted(tuple(p.split("=", 1)) for p in pairs)
    dirs = set()
    for dest, _ in files:
        parts = dest.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    blob, ino = b"", 1
    for d in sorted(dirs):
        blob += entry(ino, d, S_IFDIR | 0o755, b"")
        ino += 1
    for dest, src in files:
        mode = 0o755 if os.access(src, os.X_OK) else 0o644
        blob += entry(ino, dest, S_IFREG | mode, open(src, "rb").read())
        ino += 1
    blob += entry(0, "TRAILER!!!", 0, b"")
    with open(out, "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
