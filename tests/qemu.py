"""qemu.py - booting cowl under QEMU, for every host-side script.

The one place that knows:
  - the QEMU command line (command()): PVH `-kernel` or a GRUB ISO, machine
    kind, CPUs, memory, accelerator, kernel command line, initrd, the
    isa-debug-exit device, gdb stub;
  - how to read the serial port of a running QEMU with a timeout, and type
    into it (class Qemu);
  - the exit codes the kernel leaves QEMU with (EXIT_*);
  - how to attach gdb to QEMU's stub (free_port(), gdb_batch()).

Used by tests/run.py and its checks, tests/soak.py, tools/bench.py and
tools/ptgraph.py.  The Makefile's QEMU_BASE (`make run`, `make debug`) is
the same machine typed by hand: keep base_flags() and it in step
(host/qemu/make_run_flags checks that they are).
"""
import os
import re
import select
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU = "qemu-system-x86_64"

# isa-debug-exit: when the kernel writes v to port 0xf4, QEMU exits with
# status (v << 1) | 1 (kernel/ktest.h, KTEST_EXIT_*).  A plain poweroff
# exits with 0, which the test runner treats as "did not say how it ended".
DEBUG_EXIT_DEVICE = "isa-debug-exit,iobase=0xf4,iosize=0x04"
EXIT_PASS, EXIT_FAIL, EXIT_PANIC = 33, 35, 37
EXIT_MEANING = {EXIT_PASS: "all passed", EXIT_FAIL: "some failed", EXIT_PANIC: "kernel panic"}

# The shell's prompt at the start of a line: the system is up and reads input.
SHELL_PROMPT = re.compile(rb"(?m)^\$ ")


def exit_meaning(status):
    """What QEMU's exit status says about how the kernel ended."""
    if status in EXIT_MEANING:
        return EXIT_MEANING[status]
    return "QEMU exit status %s (not through isa-debug-exit)" % status


# --------------------------------------------------------------------------
# The command line


def base_flags(accel="tcg", mem="512M", smp=1):
    """The machine every boot shares.  Makefile: QEMU_BASE has the same flags."""
    return ["-accel", accel, "-cpu", "max", "-m", mem, "-smp", str(smp),
            "-display", "none", "-no-reboot"]


def command(kernel=None, *, iso=None, initrd=None, append="", machine="pc", smp=1,
            mem="512M", accel="tcg", qemu=QEMU, serial="stdio", debug_exit=True,
            gdb_port=None, paused=False):
    """The argument list that boots `kernel` by PVH (or `iso` by GRUB).

    serial: "stdio" (this process reads it: class Qemu) or "file:PATH".
    debug_exit: add isa-debug-exit, so the kernel can say how it ended;
    without it, `poweroff` ends QEMU with status 0 as in `make run`.
    gdb_port: QEMU's gdb stub on 127.0.0.1:PORT; paused: wait for gdb (-S).
    """
    cmd = [qemu] + base_flags(accel, mem, smp)
    # Serial only; QEMU's monitor would otherwise share a terminal with it.
    cmd += ["-serial", serial, "-monitor", "none"]
    if machine != "pc":
        cmd += ["-machine", machine]
    if debug_exit:
        cmd += ["-device", DEBUG_EXIT_DEVICE]
    if gdb_port is not None:
        cmd += ["-gdb", "tcp:127.0.0.1:%d" % gdb_port]
    if paused:
        cmd += ["-S"]
    if iso:
        cmd += ["-cdrom", iso, "-boot", "d"]  # the ISO carries its command line
    else:
        cmd += ["-kernel", kernel, "-append", append]
        if initrd:
            cmd += ["-initrd", initrd]
    return cmd


# --------------------------------------------------------------------------
# A running QEMU and its serial port


class Qemu:
    """QEMU started with `-serial stdio`: its output is read here, as it
    comes, into .output (and a log file); input can be typed with send().

        with Qemu(cmd, log_path="x.log", stdin=True) as q:
            if q.wait_for(SHELL_PROMPT, 60):
                q.send("poweroff\\n")
            q.wait_exit(60)       # False: still running at the timeout
        q.text(), q.status

    Leaving the `with` block kills QEMU if it still runs.  QEMU's own
    stderr (warnings) is mixed into the output, so it lands in the log."""

    def __init__(self, cmd, log_path=None, stdin=False):
        self.start = time.monotonic()
        self.output = b""
        self.log = open(log_path, "wb") if log_path else None
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.PIPE if stdin else subprocess.DEVNULL)
        self._eof = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()

    def elapsed(self):
        return time.monotonic() - self.start

    @property
    def status(self):
        """QEMU's exit status; None while it runs."""
        return self.proc.returncode

    def _read(self, wait):
        """Take what QEMU printed, waiting up to `wait` seconds for some."""
        if self._eof:
            time.sleep(min(wait, 0.02))
            return
        fd = self.proc.stdout.fileno()
        if select.select([fd], [], [], max(wait, 0))[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                self._eof = True  # QEMU closed its output: it is ending
                return
            self.output += chunk
            if self.log:
                self.log.write(chunk)
                self.log.flush()

    def wait_for(self, pattern, timeout):
        """Read until `pattern` (a bytes regex) appears anywhere in the output;
        returns the match, or None if QEMU ended or `timeout` seconds (from
        now) passed first."""
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(self.output)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0 or (self._eof and self.proc.poll() is not None):
                return None
            self._read(min(left, 0.1))

    def wait_exit(self, timeout):
        """Read until QEMU exits; False if it still runs after `timeout`
        seconds (it is left running: the caller may want to look at it)."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None or not self._eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return self.proc.poll() is not None
            self._read(min(left, 0.1))
        return True

    def send(self, text):
        """Type `text` on the serial port (QEMU was started with stdin=True)."""
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # QEMU already gone: its output says why

    def kill(self):
        """Stop QEMU if it still runs, and keep whatever it printed last."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        while not self._eof:
            self._read(1)
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        self.proc.stdout.close()
        if self.log:
            self.log.close()
            self.log = None

    def text(self):
        """The output so far, as text."""
        return self.output.decode("utf-8", "replace")


# --------------------------------------------------------------------------
# gdb on QEMU's stub


def free_port():
    """A TCP port nobody listens on now, for QEMU's gdb stub.  (Another
    program could take it before QEMU does; on a test machine, rarely.)"""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gdb_batch(kernel, port, gdb_args, timeout, gdb="gdb"):
    """Run gdb in batch mode with tools/gdbinit, attached to the stub on
    `port` (cowl-attach), with the kernel's symbols; `gdb_args` are more
    options, e.g. ["-ex", "cowl-ps"].  Returns what gdb printed; on a
    timeout, what it printed so far and a line saying so.  gdb runs from the
    top of the repository, where tools/gdbinit finds tools/gdb/cowl.py."""
    cmd = [gdb, "-nx", "-batch", "-x", os.path.join(ROOT, "tools", "gdbinit"),
           "-ex", "cowl-attach %d" % port] + list(gdb_args) + [kernel]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        return r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        out = e.stdout or b""
        out = out.decode(errors="replace") if isinstance(out, bytes) else out
        return out + "\n(gdb timed out after %ds)\n" % timeout
