"""image.py - what a kernel image and an initrd say they contain.

The kernel's tests are struct ktest entries in its .ktests section
(kernel/ktest.h); the user tests are the files under tests/ in the initrd.
tests/run.py expects one result for each, in the order the kernel runs
them, so a test that never reports is a failure, not a silence.  Also: was
the kernel built with make SANITIZE=1.
"""
import struct
import subprocess


class Elf:
    """Just enough ELF64 reading to follow pointers inside a kernel image."""

    def __init__(self, path):
        self.data = open(path, "rb").read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2:
            raise SystemExit("image.py: %s is not an ELF64 file" % path)
        shoff, = struct.unpack_from("<Q", d, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3A)
        raw = [struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * shentsize) for i in range(shnum)]
        strtab_off = raw[shstrndx][4]
        self.sections = {}
        for name_off, _typ, _flags, addr, off, size, *_ in raw:
            end = d.index(b"\0", strtab_off + name_off)
            self.sections[d[strtab_off + name_off:end].decode()] = (addr, off, size)

    def read(self, vaddr, size):
        for addr, off, sz in self.sections.values():
            if addr and addr <= vaddr < addr + sz:
                return self.data[off + vaddr - addr: off + vaddr - addr + size]
        raise ValueError("address %x is in no section" % vaddr)

    def cstring(self, vaddr):
        out = b""
        while True:
            chunk = self.read(vaddr + len(out), 64)
            if b"\0" in chunk:
                return (out + chunk[:chunk.index(b"\0")]).decode()
            out += chunk


KTEST_HIDDEN = 1


def kernel_tests(elf_path):
    """[(suite/name, flags)] in the order the kernel runs them."""
    elf = Elf(elf_path)
    if ".rodata" not in elf.sections:
        raise SystemExit("image.py: no .rodata in %s" % elf_path)
    syms = symbol_table(elf_path)
    start, end = syms["__ktests_start"], syms["__ktests_end"]
    tests = []
    for at in range(start, end, 32):  # struct ktest: 3 pointers, u32 flags, pad
        suite, name, _fn, flags = struct.unpack("<QQQI", elf.read(at, 28))
        tests.append(("%s/%s" % (elf.cstring(suite), elf.cstring(name)), flags))
    return tests


def initrd_tests(cpio_path):
    """[("user/<prog>", 0)] for every regular file under tests/ in the initrd
    (the kernel runs each as a user-space test, in archive order)."""
    data, at, out = open(cpio_path, "rb").read(), 0, []
    while at + 110 <= len(data) and data[at:at + 6] == b"070701":
        field = lambda i: int(data[at + 6 + 8 * i: at + 14 + 8 * i], 16)
        mode, size, namesize = field(1), field(6), field(11)
        name = data[at + 110: at + 110 + namesize - 1].decode()
        data_at = at + ((110 + namesize + 3) & ~3)
        if name == "TRAILER!!!":
            break
        if name.startswith("tests/") and mode & 0o170000 == 0o100000:
            out.append(("user/" + name[len("tests/"):], 0))
        at = data_at + ((size + 3) & ~3)
    return out


def symbol_table(elf_path):
    out = subprocess.run(["nm", elf_path], capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return syms


def sanitized(syms):
    """Built with make SANITIZE=1?  kernel/ubsan.c defines this symbol then."""
    return "ubsan_instrumented" in syms
