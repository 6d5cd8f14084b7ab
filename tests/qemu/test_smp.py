"""Several harts on the booted kernel: nharts() is the machine's hart count,
spinning processes run on more than one hart, wire() keeps a process on
its hart and refuses a bad hart or pid, and user/smpstress's processes and
LWPs wake each other across harts for a while without losing a wake-up,
a token, a child, a page, a block or a heap byte.  Each test runs on one
hart and on four; on one, everything must happen on hart 0."""

import re

import pytest

from tools import fsck
from tests.qemu.machine import MachineError, MachineTimeout
from tests.qemu.shell import sh, to_monitor, poweroff

ONE_AND_FOUR = pytest.mark.parametrize("cpus", [1, 4], indirect=True, ids=["cpus1", "cpus4"])
SPUN = re.compile(r"^smpstress spin: (process \d|all) ran on harts((?: \d)+)$", re.M)


def harts_of(out):
    """{who: set of harts} from `smpstress spin`'s lines."""
    return {who: {int(h) for h in harts.split()} for who, harts in SPUN.findall(out)}


@ONE_AND_FOUR
def test_spinning_processes_run_on_several_harts(shell, cpus):
    out = sh(shell, "smpstress spin 4", 60)
    assert out.splitlines()[0] == "smpstress spin: 4 processes on %d harts" % cpus, out
    seen = harts_of(out)
    assert sorted(seen) == ["all"] + ["process %d" % i for i in range(4)], out
    assert seen["all"] == set().union(*seen.values()), out
    assert seen["all"] <= set(range(cpus)), out
    if cpus == 1:
        assert seen["all"] == {0}, out
    else:
        assert len(seen["all"]) >= 2, out


@ONE_AND_FOUR
def test_wire_keeps_a_process_on_its_hart(shell, cpus):
    # Each yield goes through the scheduler, which could move the process:
    # wired, it comes back on hart h every time.
    for hart in range(cpus):
        assert sh(shell, "smpstress wire %d 200" % hart, 60) == \
            "smpstress wire: 200 of 200 on hart %d; unwire 0" % hart
    assert sh(shell, "smpstress wire %d 1" % cpus) == \
        "smpstress wire: wire(0, %d) failed" % cpus


@ONE_AND_FOUR
def test_wire_of_a_bad_hart_or_pid_is_refused(shell, cpus):
    assert sh(shell, "smpstress wirebad", 60) == "smpstress wirebad: ok"


def sh_or_show(m, line, timeout):
    """sh(), but if the line hangs (a lost wake-up), put the monitor's
    process and thread lists in the console log before failing."""
    try:
        return sh(m, line, timeout)
    except MachineTimeout:
        try:
            to_monitor(m)
            m.run("ps()", 20)
            m.run("threads()", 20)
        except MachineError:
            pass                # the kernel itself is stuck: the log says so
        raise


@ONE_AND_FOUR
def test_cross_hart_wakeups_lose_nothing(shell, cpus):
    # A warm-up round and three more (a few seconds on four harts).
    out = sh_or_show(shell, "smpstress 3", 300)
    lines = out.splitlines()
    assert lines[0] == "smpstress: %d harts, 3 rounds after a warm-up" % cpus, out
    assert lines[-1] == "smpstress: 3 rounds ok", out
    assert "FAILED" not in out and "lost" not in out.replace(" 0 lost", ""), out
    # Each round after the warm-up left the kernel heap where it was, give
    # or take its own bookkeeping (smpstress checks, as torture does).
    assert re.findall(r"^smpstress: round (\d): kernel heap live \d+ \([-+]\d+\)$", out, re.M) \
        == ["1", "2", "3"], out
    # Every token sent arrived (the program checks the exact counts).
    for job in ("ring", "lwps", "churn"):
        sent, received, lost = map(int, re.search(
            r"^smpstress: %s: (\d+) sent, (\d+) received, (\d+) lost$" % job, out, re.M).groups())
        assert sent == received > 0 and lost == 0, (job, out)
    # A line per hart, and work done on more than one of several.
    per_hart = re.findall(r"^smpstress: hart (\d): (\d+) ring tokens, (\d+) lwp tokens, "
                          r"(\d+) churn exits$", out, re.M)
    assert [int(h) for h, *_ in per_hart] == list(range(cpus)), out
    used = int(re.search(r"^smpstress: ran on (\d) of %d harts$" % cpus, out, re.M).group(1))
    assert used == sum(1 for _, *counts in per_hart if any(int(c) for c in counts))
    assert used == 1 if cpus == 1 else used >= 2, out
    # The kernel is fine after it: nothing left behind, the disk clean.
    assert sh(shell, "hello") == "hello, world"
    to_monitor(shell)
    assert shell.value("len(proc.procs)") == 2
    poweroff(shell)
    assert fsck.check(shell.fsimg) == []
