"""Helpers for tests (and tools/bench.py) that drive the shell: boot to `$ `,
run a command line, the process list (^P), switch to the kernel monitor with
Ctrl-], power off."""

import re
import time

from tests.qemu.machine import MachineError

SHELL = "$ "
ESCAPE = "\x1d"          # Ctrl-]
CTRL_P = "\x10"          # the console prints the process list
PS_HEADER = re.compile(r"PID\s+PPID\s+STATE\s+SIZE\s+TICKS\s+NAME[ \t]*\r*\n")
PS_ROW = re.compile(r"\s*(\d+)\s+(\d+)\s+(\w+)\s+(\d+)\s+(\d+)\s+(\S+)\s*")


def boot_shell(boot, *extra, **kwargs):
    m = boot(*extra, bootargs=None, wait_prompt=False, **kwargs)
    m.expect_exact("init: starting sh\n", 20)
    m.expect_exact(SHELL, 20)
    return m


def sh(m, line, timeout=20):
    """Run a command line at the shell; its output up to the next prompt."""
    m.send_line(line)
    m.expect_exact(line + "\n", timeout)
    return m.expect_exact(SHELL, timeout).rstrip("\n")


def processes(m, timeout=10):
    """^P at the shell's prompt: the process list, {pid: (ppid, state, name)}.
    A command typed after it marks where the list ends."""
    m.send_raw(CTRL_P)
    m.expect(PS_HEADER, timeout)
    mark = "echo end of the process list"
    m.send_line(mark)
    table = m.expect_exact(mark + "\n", timeout)
    m.expect_exact(SHELL, timeout)
    rows = {}
    for line in table.splitlines():
        row = PS_ROW.fullmatch(line)
        if row is None:
            raise MachineError("not a process-list row: %r in\n%s" % (line, table))
        pid, ppid, state, _, _, name = row.groups()
        rows[int(pid)] = (int(ppid), state, name)
    return rows


def await_process(m, pid, row, timeout=10):
    """Poll the process list until pid's row is (ppid, state, name); the
    table then.  (A job started with `&` runs as a copy of sh until its
    exec, and reaches its first sleep a moment later.)"""
    deadline = time.monotonic() + m.scaled(timeout)
    while True:
        table = processes(m, timeout)
        if table.get(pid) == row:
            return table
        if time.monotonic() > deadline:
            raise MachineError("pid %d is %s, not %s, after %gs" % (
                pid, table.get(pid), row, m.scaled(timeout)))


def to_monitor(m):
    m.send_raw(ESCAPE)
    m.expect_exact("[kernel monitor", 10)
    m.prompt(10)


def poweroff(m, timeout=20):
    """At the monitor's prompt: poweroff(); QEMU must exit with status 0."""
    m.send_line("poweroff()")
    status = m.wait_exit(timeout)
    if status != 0:
        raise MachineError("QEMU exited with status %s after poweroff()" % status)


def power_off(m):
    """Ctrl-] to the monitor, poweroff(): QEMU must exit with status 0."""
    to_monitor(m)
    poweroff(m)
