#!/usr/bin/env python3
"""mkinitrd.py - write a cpio "newc" archive (what cowl's initrd is).

Usage: mkinitrd.py [--strip-debug] OUT.cpio DEST=SOURCE [DEST=SOURCE ...]
  --strip-debug: ELF files go in without their debug information (objcopy
  --strip-debug), as for the initrd of a cowl inside cowl, whose files must
  fit in cowl's file size limit (FILE_MAX_SIZE, fs/ramfs.h).
  DEST is the path inside the archive (e.g. bin/sh); parent directories are
  added automatically.  Each entry: a 110-byte ASCII header "070701" + 13
  eight-digit hex fields, the NUL-terminated name, padding to 4 bytes, the
  data, padding to 4 bytes.  The archive ends with the entry "TRAILER!!!".
"""
import os
import subprocess
import sys
import tempfile

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


def contents(src, strip):
    data = open(src, "rb").read()
    if not strip or not data.startswith(b"\x7fELF"):
        return data
    with tempfile.NamedTemporaryFile() as tmp:
        subprocess.run(["objcopy", "--strip-debug", src, tmp.name], check=True)
        return open(tmp.name, "rb").read()


def main():
    strip = sys.argv[1] == "--strip-debug"
    out, pairs = sys.argv[1 + strip], sys.argv[2 + strip:]
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
        blob += entry(ino, dest, S_IFREG | mode, contents(src, strip))
        ino += 1
    blob += entry(0, "TRAILER!!!", 0, b"")
    with open(out, "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
