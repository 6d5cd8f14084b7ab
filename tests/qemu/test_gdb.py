"""`make qemu-gdb`: QEMU starts halted with a gdb stub, and the .gdbinit it
writes lets gdb-multiarch connect, break in C and see a backtrace."""

import os
import re
import shutil
import signal
import subprocess
import time

import pexpect
import pytest

from tests.qemu.machine import REPO, free_port, scaled

GDB = shutil.which("gdb-multiarch")
pytestmark = pytest.mark.skipif(GDB is None, reason="gdb-multiarch is not installed "
                                "(Debian: apt-get install gdb-multiarch)")


@pytest.fixture
def saved_gdbinit():
    """`make qemu-gdb` rewrites ./.gdbinit: put back whatever was there."""
    path = REPO / ".gdbinit"
    old = path.read_bytes() if path.exists() else None
    yield path
    if old is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(old)


def kill_group(child):
    # make is the session leader of its pty: end it and QEMU, its child.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not child.isalive():
            break
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 3
        while child.isalive() and time.monotonic() < deadline:
            time.sleep(0.05)
    child.close(force=True)


def test_qemu_gdb(kernel_elf, saved_gdbinit, tmp_path):
    port = free_port()
    # Boot the image this session built (the test's copy), like every other test.
    child = pexpect.spawn("make", ["--no-print-directory", "qemu-gdb", "GDBPORT=%d" % port,
                                   "KERNEL=%s" % kernel_elf],
                          cwd=str(REPO), encoding="utf-8", codec_errors="replace")
    log = []
    child.logfile_read = type("Log", (), {"write": lambda self, s: log.append(s),
                                          "flush": lambda self: None})()
    try:
        # make echoes the QEMU command line just before running it.
        if child.expect_exact(["-gdb tcp::%d" % port, pexpect.EOF], timeout=scaled(60)) == 1:
            child.close()
            pytest.fail("`make qemu-gdb` exited (status %s) without starting QEMU:\n%s"
                        % (child.exitstatus, "".join(log)[-3000:]))
        text = saved_gdbinit.read_text()
        assert "target remote 127.0.0.1:%d" % port in text, text
        assert "set architecture riscv:rv64" in text
        # Halted: nothing boots until gdb says so.
        with pytest.raises(pexpect.TIMEOUT):
            child.expect_exact("Pyrite", timeout=1.0)

        # The generated file names build/kernel/kernel.elf; a copy of it
        # points gdb at the image QEMU really runs (the session's copy).
        gdbinit = tmp_path / "gdbinit"
        gdbinit.write_text(text.replace("build/kernel/kernel.elf", str(kernel_elf)))
        gdb = subprocess.run(
            [GDB, "-batch", "-nx", "-x", str(gdbinit),
             "-ex", "break kmain", "-ex", "continue", "-ex", "bt", "-ex", "info registers pc"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=scaled(60))
        out = gdb.stdout
        assert gdb.returncode == 0, out
        assert re.search(r"^0x0*1000 in \?\? \(\)", out, re.M), out     # halted at the reset vector
        assert "Breakpoint 1, kmain" in out, out
        assert "#0  kmain" in out, out
        assert "<kmain>" in out, out
        # gdb detached at the end of its batch: the kernel boots on.
        child.expect(r"Pyrite \S+ on MicroPython", timeout=scaled(20))
    except BaseException:
        print("".join(log))
        raise
    finally:
        kill_group(child)
    assert not child.isalive()
