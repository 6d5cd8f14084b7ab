"""Boot Pyrite under QEMU and drive it: the console through pexpect, the
machine through QMP (qemu.qmp).  The one console driver: the QEMU tests and
tools/bench.py both use it.

    from tests.qemu.machine import Machine, build_kernel

    elf = build_kernel()                  # `make kernel`, once
    with Machine(elf) as m:               # boots to the first `pyrite> `
        print(m.run("6*7"))               # -> "42"
        m.qmp("query-status")             # -> {"status": "running", ...}
        m.send_line("poweroff(3)")
        assert m.wait_exit() == 3

The QEMU command line is always the Makefile's (`make -s print-qemu-cmd`),
with a QMP socket, `-append monitor` (bootargs: a kernel that runs programs
boots to the monitor instead; bootargs=None boots to the shell) and the
caller's extra arguments appended; or, with command=, a whole command line
the caller made (tools/bench.py's, with -icount).  Each machine boots a
private copy of a disk image: disk=path (tests/qemu/conftest.py passes the
image it made fresh for the session), else one made for this machine by
make_fs_image(), unless make_vars names the disk (FSIMG=path, FSIMG="" for
none, or FSDRIVE: see the Makefile).  cpus=N boots N harts (the
Makefile's CPUS; default 1).  Never build/fs.img: that is the
image `make qemu` boots and a person changes.  Every timeout is multiplied
by the environment variable PYRITE_TIMEOUT_SCALE (default 1), for slow
machines.  Everything QEMU prints is kept in `Machine.transcript`;
tests/qemu/conftest.py saves it for a failing test.

This module is `tests.qemu` (tests/ is a package) rather than a top-level
`qemu`, which would hide the `qemu.qmp` package it uses.
"""

import atexit
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pexpect
from qemu.qmp import QMPError
from qemu.qmp.legacy import QEMUMonitorProtocol

REPO = Path(__file__).resolve().parents[2]
KERNEL_ELF = REPO / "build" / "kernel" / "kernel.elf"
# The Makefile's rule for the disk image, whose recipe make_fs_image() runs.
FS_IMG_RULE = "build/fs.img"

PROMPT = "pyrite> "
CONTINUE = "...     "


class MachineError(AssertionError):
    """The machine did not do what a test expected (a timeout, an early exit)."""


class MachineTimeout(MachineError):
    """What was awaited did not come in time."""


class MachineExited(MachineError):
    """QEMU exited while something was awaited."""


def timeout_scale(environ=None):
    """PYRITE_TIMEOUT_SCALE (from environ, default os.environ) as a positive
    float; unset or empty is 1.  Raises ValueError for anything else."""
    env = os.environ if environ is None else environ
    text = env.get("PYRITE_TIMEOUT_SCALE", "").strip()
    if not text:
        return 1.0
    try:
        scale = float(text)
    except ValueError:
        raise ValueError("PYRITE_TIMEOUT_SCALE must be a number, not %r" % text) from None
    if not 0 < scale < float("inf"):
        raise ValueError("PYRITE_TIMEOUT_SCALE must be a positive number, not %r" % text)
    return scale


def scaled(seconds):
    """A timeout in seconds, stretched by PYRITE_TIMEOUT_SCALE."""
    return seconds * timeout_scale()


def build_kernel(copy_to=None):
    """Run `make kernel`; raise with its output if it fails.

    With copy_to (a directory), the freshly built ELF is copied there and the
    copy's path returned: a test session then boots and symbolizes one fixed
    image even if someone rebuilds build/kernel meanwhile."""
    proc = subprocess.run(["make", "kernel"], cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise RuntimeError("`make kernel` failed (exit %d):\n%s" % (proc.returncode, proc.stdout))
    if not KERNEL_ELF.exists():
        raise RuntimeError("`make kernel` succeeded but %s is missing:\n%s" % (KERNEL_ELF, proc.stdout))
    if copy_to is None:
        return KERNEL_ELF
    dest = Path(copy_to) / "kernel.elf"
    shutil.copy2(KERNEL_ELF, dest)
    return dest


def qemu_command(kernel=None, make_vars=None):
    """The Makefile's QEMU command line, as a list; make_vars override its
    variables (e.g. {"MEM": "256M"}); kernel replaces the image it boots.
    One hart unless make_vars says CPUS: the tests, the benchmarks and the
    graders do not change with `make qemu`'s default."""
    args = ["make", "-s", "--no-print-directory", "print-qemu-cmd"]
    if kernel is not None:
        args.append("KERNEL=%s" % kernel)
    make_vars = dict(make_vars or {})
    make_vars.setdefault("CPUS", "1")
    for name, value in make_vars.items():
        args.append("%s=%s" % (name, value))
    out = subprocess.run(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    if out.returncode != 0:
        raise RuntimeError("`%s` failed:\n%s" % (" ".join(args), out.stdout))
    return shlex.split(out.stdout.strip())


def make_fs_image(dest):
    """Make a fresh disk image at dest, exactly as the Makefile makes
    build/fs.img (its recipe, asked of `make -n`, with only the output file
    changed): mkfs, the README and the user programs of the last build
    (`make kernel` first).  Raises RuntimeError if that fails."""
    # -B: as if out of date, so that make prints the rule's recipe even when
    # build/fs.img is up to date; -n: print it, run nothing.
    args = ["make", "-s", "--no-print-directory", "-n", "-B", FS_IMG_RULE]
    out = subprocess.run(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    lines = [l for l in out.stdout.splitlines() if "tools.mkfs" in l]
    if out.returncode != 0 or len(lines) != 1:
        raise RuntimeError("`%s` did not print one mkfs command:\n%s" % (" ".join(args), out.stdout))
    # The shell splits the line into words (it holds `$(cat build/user/fsfiles)`).
    words = subprocess.run(["sh", "-c", 'set -- %s; printf "%%s\\0" "$@"' % lines[0]], cwd=REPO,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    argv = words.stdout.split("\0")[:-1]
    if words.returncode != 0 or "tools.mkfs" not in argv[:-1]:
        raise RuntimeError("cannot run the mkfs command %r: %s" % (lines[0], words.stderr))
    argv[argv.index("tools.mkfs") + 1] = str(dest)         # the image it writes
    made = subprocess.run(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if made.returncode != 0:
        raise RuntimeError("`%s` failed (exit %d):\n%s" % (" ".join(argv), made.returncode,
                                                             made.stdout))
    return Path(dest)


# Machines not closed yet: closed at interpreter exit whatever happened.
_live = set()


@atexit.register
def _close_all():
    for m in list(_live):
        m.close()


class _Transcript:
    """pexpect's logfile_read: keeps everything QEMU printed."""

    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(data)

    def flush(self):
        pass

    def text(self):
        return "".join(self.parts)


class Machine:
    """One QEMU running Pyrite.  Booted (to the first prompt, unless
    wait_prompt=False) by the constructor; close() always ends QEMU.

    disk: an image to boot a private copy of (default: a fresh one);
    command: a whole command line instead of the Makefile's (kernel, disk,
    make_vars and bootargs are then unused; QMP is added unless qmp=False,
    for a console that is not QEMU's); scale: the timeout scale (default
    PYRITE_TIMEOUT_SCALE); cpus: how many harts (the Makefile's CPUS)."""

    def __init__(self, kernel=None, extra_args=(), make_vars=None, name="qemu",
                 boot_timeout=20, wait_prompt=True, registry=None, bootargs="monitor",
                 disk=None, command=None, qmp=True, scale=None, cpus=None):
        self.name = name
        self.cpus = cpus
        self.kernel = Path(kernel) if kernel is not None else None
        self.scale = timeout_scale() if scale is None else scale
        self.child = None
        self._qmp = None
        self._qmp_closed = False
        self.exitstatus = None
        self.banner = ""
        self._log = _Transcript()
        self._tmpdir = tempfile.mkdtemp(prefix="pyrite-qemu-")
        self.qmp_socket = os.path.join(self._tmpdir, "qmp.sock") if qmp else None
        # wait=on: QEMU starts the guest only once QMP is connected, so a
        # kernel that panics at once (a disk that fails at boot) cannot exit
        # before the harness is there to see it.
        qmp_args = ["-qmp", "unix:%s,server=on,wait=on" % self.qmp_socket] if qmp else []
        # bootargs (the device tree's /chosen/bootargs, QEMU's -append):
        # "monitor" asks a kernel that runs user programs to boot to the
        # monitor instead; a kernel without processes ignores it.
        boot = ["-append", bootargs] if bootargs is not None else []
        try:
            if command is not None:
                self.fsimg = ""
                self.command = list(command) + qmp_args + list(extra_args)
            else:
                make_vars = self._private_disk(make_vars, disk)
                if cpus is not None:            # make_vars' own CPUS wins
                    make_vars.setdefault("CPUS", str(cpus))
                # The disk this machine boots ("" for none): tests fsck it after poweroff.
                self.fsimg = make_vars.get("FSIMG", "")
                self.command = (qemu_command(self.kernel, make_vars) + qmp_args + boot
                                + list(extra_args))
        except BaseException:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            raise
        # registry: a list this machine adds itself to before booting, so that
        # a harness can save the console log even of a boot that failed.
        if registry is not None:
            registry.append(self)
        _live.add(self)
        try:
            self._start()
            if wait_prompt:
                self.banner = self.prompt(boot_timeout)
        except BaseException:
            self.close()
            raise

    def scaled(self, seconds):
        """A timeout in seconds, stretched by this machine's scale."""
        return seconds * self.scale

    def _private_disk(self, make_vars, disk):
        # Unless the caller chose a disk (FSIMG, or FSDRIVE), boot a private
        # copy of `disk`, or of an image made fresh here: a machine never
        # writes a shared image (QEMU's image lock stops two machines opening
        # one file anyway), and never boots build/fs.img, which holds
        # whatever a person left there with `make qemu`.
        make_vars = dict(make_vars or {})
        if "FSIMG" not in make_vars and "FSDRIVE" not in make_vars:
            copy = os.path.join(self._tmpdir, "fs.img")
            if disk is not None:
                shutil.copyfile(disk, copy)
            else:
                make_fs_image(copy)
            make_vars["FSIMG"] = copy
        return make_vars

    # ---- start and stop ----

    def _start(self):
        self.note("$ " + " ".join(shlex.quote(a) for a in self.command))
        self.child = pexpect.spawn(self.command[0], self.command[1:], cwd=str(REPO),
                                   encoding="utf-8", codec_errors="replace",
                                   timeout=self.scaled(10), echo=False, dimensions=(50, 200))
        self.child.logfile_read = self._log
        # ptyprocess waits 0.1 s after closing a child (and between the
        # signals that end it) to let it die: over the crash tests' hundred
        # machines that adds up.  close() kills whatever outlives the short waits.
        self.child.ptyproc.delayafterclose = 0.01
        self.child.ptyproc.delayafterterminate = 0.01
        if self.qmp_socket is not None:
            self._connect_qmp()

    def _connect_qmp(self):
        # The socket file appears when QEMU binds it, a moment before it
        # listens: a connection refused then is retried, not an error.
        deadline = time.monotonic() + self.scaled(10)
        while True:
            error = None
            if os.path.exists(self.qmp_socket):
                qmp = QEMUMonitorProtocol(self.qmp_socket, nickname=self.name)
                qmp.settimeout(self.scaled(10))
                try:
                    qmp.connect(negotiate=True)
                    self._qmp = qmp
                    return
                except (QMPError, OSError) as exc:
                    error = exc
                    try:
                        qmp.close()
                    except Exception:
                        pass
            if not self.child.isalive():
                self._drain()
                raise MachineError("QEMU exited before QMP was up:\n" + self.tail())
            if time.monotonic() > deadline:
                raise MachineError("no QMP connection to %s: %s" % (self.qmp_socket, error))
            time.sleep(0.02)

    def close(self):
        """End QEMU (if it still runs) and the QMP connection; idempotent."""
        _live.discard(self)
        if self._qmp is not None:
            qmp, self._qmp = self._qmp, None
            try:
                qmp.close()
            except Exception:       # QEMU already gone: EOF on the socket
                pass
        if self.child is not None:
            child = self.child
            if child.isalive():
                self._drain()
                if self.exitstatus is None:
                    self.note("QEMU killed by the test harness")
            try:
                child.close(force=True)   # SIGHUP, SIGINT, then SIGKILL
            except Exception:             # not dead within ptyprocess's short waits
                pass
            if child.isalive():           # belt and braces: never leave QEMU running
                try:
                    os.kill(child.pid, signal.SIGKILL)
                    child.wait()
                except Exception:
                    pass
        shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- the console ----

    @property
    def transcript(self):
        """Everything QEMU printed so far (and the harness's `###` notes)."""
        return self._log.text()

    def note(self, text):
        """Put a harness remark in the transcript, on a line of its own."""
        self._log.write("\n### %s\n" % text)

    def tail(self, nchars=2000):
        return self.transcript[-nchars:]

    def _drain(self):
        # Pull whatever QEMU printed last into the transcript.
        try:
            while True:
                self.child.read_nonblocking(65536, timeout=0)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError, ValueError):
            pass

    def expect(self, pattern, timeout=10):
        """Wait for a regular expression (or a list of them) in the console
        output; return the match (re.Match).  Raises MachineError on timeout
        or if QEMU exits first.  End a pattern on a delimiter (\\s, a word):
        one that ends in `[0-9a-f]+` can match half a number still arriving.
        pexpect compiles str patterns with re.DOTALL: `.*` crosses lines."""
        patterns = pattern if isinstance(pattern, list) else [pattern]
        try:
            self.child.expect(patterns, timeout=self.scaled(timeout))
        except pexpect.TIMEOUT:
            raise MachineTimeout("timed out after %gs waiting for %r; last output:\n%s"
                               % (self.scaled(timeout), pattern, self.tail())) from None
        except pexpect.EOF:
            raise MachineExited("QEMU exited while waiting for %r; last output:\n%s"
                               % (pattern, self.tail())) from None
        return self.child.match

    def expect_exact(self, text, timeout=10):
        """Wait for a literal string (a newline in it also matches CR LF);
        return the output before it (\\r removed)."""
        pattern = re.compile(re.escape(text).replace("\\\n", "\r*\n"))
        try:
            self.child.expect(pattern, timeout=self.scaled(timeout))
        except pexpect.TIMEOUT:
            raise MachineTimeout("timed out after %gs waiting for %r; last output:\n%s"
                               % (self.scaled(timeout), text, self.tail())) from None
        except pexpect.EOF:
            raise MachineExited("QEMU exited while waiting for %r; last output:\n%s"
                               % (text, self.tail())) from None
        return self.child.before.replace("\r", "")

    @property
    def before(self):
        """Output between the previous match and the last one (\\r removed)."""
        return self.child.before.replace("\r", "")

    def prompt(self, timeout=10):
        """Wait for `pyrite> `; return what was printed before it."""
        return self.expect_exact(PROMPT, timeout)

    def send_raw(self, data):
        """Type bytes (or a str) exactly as given: no Enter added."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        os.write(self.child.child_fd, data)

    def send_line(self, line):
        """Type a line and Enter (the terminal sends CR)."""
        self.send_raw(line + "\r")

    def run(self, cmd, timeout=10):
        """Type one line at the prompt (already printed) and return its output:
        what came between the echoed line and the next prompt, without \\r and
        the final newline."""
        if "\n" in cmd or "\r" in cmd:
            raise ValueError("run() takes one line; use run_block() for blocks")
        self.send_line(cmd)
        out = self.prompt(timeout)
        echo = cmd + "\n"
        if not out.startswith(echo):
            raise MachineError("the console did not echo %r; got %r" % (cmd, out[:200]))
        return out[len(echo):].rstrip("\n")

    def run_block(self, text, timeout=10):
        """Type a block (a first line ending in ':' and its indented body, no
        blank lines inside), each line after its `...     ` prompt, end it
        with an empty line, and return the output before the next prompt."""
        lines = text.strip("\n").split("\n")
        if not lines[0].rstrip().endswith(":") or any(not l.strip() for l in lines):
            raise ValueError("a block starts with a line ending in ':' and has no blank lines")
        for line in lines:
            self.send_line(line)
            self.expect_exact(line + "\n", timeout)
            self.expect_exact(CONTINUE, timeout)
        self.send_line("")
        out = self.prompt(timeout)
        if not out.startswith("\n"):
            raise MachineError("the console did not echo the empty line; got %r" % out[:200])
        return out[1:].rstrip("\n")

    def value(self, expr, timeout=10):
        """Evaluate an expression in the monitor and return its output parsed
        as a Python literal (int, tuple, list, str, True...)."""
        import ast
        out = self.run(expr, timeout)
        try:
            return ast.literal_eval(out.strip())
        except (ValueError, SyntaxError):
            raise MachineError("%r printed %r, not a Python literal" % (expr, out)) from None

    # ---- the machine ----

    def qmp(self, cmd, **args):
        """Run a QMP command; return its result (raises on a QMP error)."""
        if self._qmp is None:
            raise MachineError("no QMP connection")
        return self._qmp.cmd(cmd, **args)

    def hmp(self, command_line):
        """Run a human-monitor command through QMP; return its text."""
        return self.qmp("human-monitor-command", **{"command-line": command_line})

    def qmp_events(self):
        """QMP events received so far (and not returned before)."""
        if self._qmp is None or self._qmp_closed:
            return []
        try:
            return self._qmp.get_events(wait=False)
        except Exception:
            return []

    def watch_qmp_stop(self, timeout=10):
        """Watch QMP until it says the guest stopped.  Returns (how, detail):
        ("event", SHUTDOWN/STOP event) if QEMU sent one, ("status", status)
        if query-status stops saying "running", or ("disconnected", error)
        when QEMU closes the QMP connection because it exited.  Raises
        MachineError if none of these happens in time.

        What is real with QEMU 7.2: the SiFive test device calls exit() at
        once, so no SHUTDOWN event is sent; QMP only sees the connection
        close (EOF).  Later QEMUs send SHUTDOWN (reason guest-shutdown)."""
        deadline = time.monotonic() + self.scaled(timeout)
        while time.monotonic() < deadline:
            for event in self.qmp_events():
                if event.get("event") in ("SHUTDOWN", "STOP", "GUEST_PANICKED"):
                    self.note("QMP event: %s" % event)
                    return ("event", event)
            try:
                status = self.qmp("query-status")
            except Exception as exc:   # EOFError, StateError, ConnectionResetError...
                self._qmp_closed = True
                self.note("QMP connection closed: %s %s" % (type(exc).__name__, exc))
                return ("disconnected", exc)
            if status.get("status") != "running":
                self.note("QMP status: %s" % status)
                return ("status", status)
            time.sleep(0.05)
        raise MachineError("QMP did not see the guest stop within %gs" % self.scaled(timeout))

    def wait_exit(self, timeout=10):
        """Wait for QEMU to exit by itself; return its exit status (or
        -signal if a signal ended it)."""
        try:
            self.child.expect(pexpect.EOF, timeout=self.scaled(timeout))
        except pexpect.TIMEOUT:
            raise MachineTimeout("QEMU did not exit within %gs; last output:\n%s"
                               % (self.scaled(timeout), self.tail())) from None
        self.child.close()
        if self.child.signalstatus is not None:
            self.exitstatus = -self.child.signalstatus
        else:
            self.exitstatus = self.child.exitstatus
        self.note("QEMU exited with status %s" % self.exitstatus)
        return self.exitstatus

    def alive(self):
        return self.child is not None and self.child.isalive()


def parse_banner(text):
    """The boot banner's figures as a dict (missing lines raise MachineError)."""
    fields = {}
    patterns = {
        "version": r"Pyrite (\S+) on MicroPython (\d+\.\d+\.\d+), RISC-V qemu-virt",
        "ram": r"RAM (\d+) MiB at (0x[0-9a-f]+); kernel image (\d+) KiB; Python heap (\d+) KiB",
        "pages": r"pages: (\d+) free of (\d+) \(4 KiB each\)",
    }
    for key, pattern in patterns.items():
        m = re.search(pattern, text)
        if m is None:
            raise MachineError("banner line %r missing from:\n%s" % (pattern, text))
        fields[key] = m.groups()
    return {
        "pyrite": fields["version"][0],
        "micropython": fields["version"][1],
        "ram_mib": int(fields["ram"][0]),
        "ram_base": int(fields["ram"][1], 16),
        "image_kib": int(fields["ram"][2]),
        "heap_kib": int(fields["ram"][3]),
        "free_pages": int(fields["pages"][0]),
        "total_pages": int(fields["pages"][1]),
    }
