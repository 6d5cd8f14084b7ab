"""Kernel memory on a booted kernel: user bytes never pass through the
Python heap, and the hot paths make no garbage.

`memtest peak` measures how much the heap grows during a small and a big
read, write, pipe transfer and exec (kstat: the high-water mark since a
collection); the growth must stay under a fixed bound whatever the size.
`memtest allocs` counts heap allocations and the garbage left per call on
the hot paths.  Both are user/memtest.c; the counters are
kernel/debug/faults.py's kstat()."""

import os

from tests.qemu.shell import boot_shell, sh, power_off, to_monitor, poweroff
from tools import fsck

# The bound on the heap's growth during one call, in bytes.  A 64 KiB read
# or write, a 64 KiB pipe transfer, the exec of the biggest program
# (memtest itself: 400 KiB), an exec with 30 arguments of 60 bytes and a
# lookup in a directory of 150 entries must all stay under it: the bytes
# move in C.
PEAK_BOUND = 8 * 1024


def figures(out, prefix):
    """{name: [numbers]} from lines "<prefix> name n1 n2 ..." (sweep lines,
    "sweep NAME heap N" and "sweep NAME page N", keep both counts)."""
    table = {}
    for line in out.splitlines():
        words = line.split()
        if len(words) >= 3 and words[0] == prefix:
            numbers = [float(w) if "." in w else int(w) for w in words[2:]
                       if w.replace(".", "").isdigit()]
            table.setdefault(words[1], []).extend(numbers)
    return table


def test_heap_growth_is_bounded_whatever_the_size(boot, fs_image):
    m = boot_shell(boot)
    out = sh(m, "memtest peak", 120)
    peak = figures(out, "peak")
    for name in ("read", "write", "pipe", "exec", "execargs", "lookup"):
        assert name in peak, out
        small, big = peak[name]
        # 1 KiB against 64 KiB (exec: a small program against the biggest;
        # execargs: 1 argument against 30; lookup: 2 entries against 150).
        assert big < PEAK_BOUND, (name, small, big)
        assert small < PEAK_BOUND, (name, small, big)
    power_off(m)
    assert fsck.check(m.fsimg) == []


def test_hot_paths_leave_no_garbage(boot):
    m = boot_shell(boot)
    out = sh(m, "memtest allocs", 120)
    allocs = figures(out, "allocs")
    # Per call: (allocations, bytes of garbage left).  A system call's
    # trip in and out, a switch, a cached read and a pipe round trip make
    # none; a write commits a log transaction and leaves a few bytes.
    # (Bytes per call, averaged over 100 calls: a timer event that lands
    # in the window may leave a few.)
    for name in ("getpid", "sleep0", "yield", "read4k-again", "pipe-roundtrip"):
        assert name in allocs, out
        assert allocs[name][-1] < 64, (name, allocs[name], out)
    for name in ("getpid", "sleep0", "yield"):
        assert allocs[name][0] == 0, (name, allocs[name], out)
    assert allocs["write4k"][-1] < 512, out
    assert allocs["read4k"][-1] < 64, out
    power_off(m)


def test_every_allocation_of_every_call_may_fail(boot):
    """memtest sweep: for each system call, make its 1st, 2nd, ... heap
    allocation (and page allocation) fail, until the call makes fewer
    than that; after every failure the free pages, blocks and inodes, the
    inode references, open files, held buffers and processes are where
    they were, and the heap too after each call's sweep.  Then fsck."""
    m = boot_shell(boot)
    out = sh(m, "memtest sweep", 600)
    assert "memtest: sweep ok" in out, out
    swept = figures(out, "sweep")
    assert len(swept) >= 20, out                 # every scenario ran
    assert swept["open-create"][0] > 10, out     # and failed its allocations one by one
    assert swept["fork"][0] > 0, out
    power_off(m)
    assert fsck.check(m.fsimg) == []


def test_torture(boot):
    """user/torture.c: rounds of a big directory, the disk out of inodes
    and then out of blocks, many execs of the biggest program alive at
    once, a 20-process pipeline and a 40-deep process tree, on one boot.
    Every round gives back its pages, blocks and inodes, and the heap's
    live bytes; the monitor's mem() shows the high-water mark and the
    largest free block.  `make torture` runs a longer version
    (PYRITE_TORTURE_ROUNDS, PYRITE_TORTURE_EXECS)."""
    rounds = int(os.environ.get("PYRITE_TORTURE_ROUNDS", "1"))
    execs = int(os.environ.get("PYRITE_TORTURE_EXECS", "60"))
    m = boot_shell(boot)
    out = sh(m, "torture %d %d" % (rounds, execs), 300 * (rounds + 1))
    assert "torture: %d rounds ok" % rounds in out, out
    reports = [line for line in out.splitlines() if line.startswith("torture round")]
    assert len(reports) == rounds, out
    for line in reports:
        assert "%d of %d execs ran" % (execs, execs) in line, line
    to_monitor(m)
    shown = m.run("mem()", 30)
    assert "high-water mark" in shown and "largest free block" in shown, shown
    poweroff(m)
    assert fsck.check(m.fsimg) == []
