"""`make qemu-gdb`: QEMU starts halted with a gdb stub, and the .gdbinit it
writes lets gdb-multiarch connect, break in C and see a backtrace.

The make target is run with QEMU=echo, which shows its command line and
writes .gdbinit without starting anything; then that command line boots
for real with the stub on a unix socket in the test's directory instead
of a TCP port (which another program could take between our choosing it
and QEMU binding it), and gdb-multiarch connects through that socket with
the rest of the generated .gdbinit."""

import re
import shlex
import shutil
import subprocess

import pytest

from tests.qemu.machine import REPO, qemu_command, scaled
from tests.qemu.shell import SHELL, power_off

GDB = shutil.which("gdb-multiarch")
PORT = 26000            # only written into .gdbinit and the command line: never bound


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


def test_qemu_gdb(boot, kernel_elf, fs_image, saved_gdbinit, tmp_path):
    if GDB is None:
        pytest.fail("gdb-multiarch is not installed: run tools/setup.sh (it installs it)",
                    pytrace=False)
    disk = tmp_path / "fs.img"            # a private copy, like every other machine's
    shutil.copyfile(fs_image, disk)
    made = subprocess.run(
        ["make", "-s", "--no-print-directory", "qemu-gdb", "QEMU=echo", "GDBPORT=%d" % PORT,
         "KERNEL=%s" % kernel_elf, "FSIMG=%s" % disk],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=scaled(120))
    assert made.returncode == 0, made.stdout
    lines = [l for l in made.stdout.splitlines() if "-gdb" in l]
    assert len(lines) == 1, made.stdout
    args = shlex.split(lines[0])
    # Halted (-S) with the stub on the port .gdbinit names.
    assert args[-3:] == ["-S", "-gdb", "tcp::%d" % PORT], args
    assert args[args.index("-kernel") + 1] == str(kernel_elf)
    text = saved_gdbinit.read_text()
    assert "target remote 127.0.0.1:%d\n" % PORT in text, text
    assert "set architecture riscv:rv64\n" in text
    assert "file %s\n" % kernel_elf in text

    sock = tmp_path / "gdb.sock"
    args[-1] = "unix:%s,server=on,wait=off" % sock
    m = boot(command=[qemu_command(kernel_elf)[0]] + args, wait_prompt=False)
    # Halted: the CPU has not run an instruction, so nothing is printed.
    status = m.qmp("query-status")
    assert (status["status"], status["running"]) == ("prelaunch", False), status
    assert "Pyrite" not in m.transcript
    gdbinit = tmp_path / "gdbinit"
    gdbinit.write_text(text.replace("target remote 127.0.0.1:%d" % PORT, "target remote %s" % sock))
    gdb = subprocess.run(
        [GDB, "-batch", "-nx", "-x", str(gdbinit),
         "-ex", "break kmain", "-ex", "continue", "-ex", "bt", "-ex", "info registers pc"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=scaled(60))
    out = gdb.stdout
    m.note("gdb-multiarch (exit %d):\n%s" % (gdb.returncode, out))
    assert gdb.returncode == 0, out
    assert re.search(r"^0x0*1000 in \?\? \(\)", out, re.M), out     # halted at the reset vector
    assert "Breakpoint 1, kmain" in out, out
    assert "#0  kmain" in out, out
    assert "<kmain>" in out, out
    # gdb detached at the end of its batch: the kernel boots on, to the shell.
    m.expect(r"Pyrite \S+ on MicroPython", 20)
    m.expect_exact(SHELL, 20)
    power_off(m)
