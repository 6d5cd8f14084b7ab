"""Kernel memory on a booted kernel: user bytes never pass through the
Python heap, and the hot paths make no garbage.

`memtest peak` measures how much the heap grows during a small and a big
read, write, pipe transfer and exec (kstat: the high-water mark since a
collection); the growth must stay under a fixed bound whatever the size.
`memtest allocs` counts heap allocations and the garbage left per call on
the hot paths.  Both are user/memtest.c; the counters are
kernel/debug/faults.py's kstat()."""

from tests.qemu.shell import boot_shell, sh, power_off
from tools import fsck

# The bound on the heap's growth during one call, in bytes.  A 64 KiB read
# or write, a 64 KiB pipe transfer and the exec of the biggest program
# (memtest itself: 400 KiB) must all stay under it: the bytes move in C.
PEAK_BOUND = 16 * 1024


def figures(out, prefix):
    """{name: [numbers]} from lines "<prefix> name n1 n2 ..." """
    table = {}
    for line in out.splitlines():
        words = line.split()
        if len(words) >= 3 and words[0] == prefix:
            table[words[1]] = [float(w) if "." in w else int(w) for w in words[2:]
                               if w.replace(".", "").isdigit()]
    return table


def test_heap_growth_is_bounded_whatever_the_size(boot, fs_image):
    m = boot_shell(boot)
    out = sh(m, "memtest peak", 120)
    peak = figures(out, "peak")
    for name in ("read", "write", "pipe", "exec"):
        assert name in peak, out
        small, big = peak[name]
        # 1 KiB against 64 KiB (exec: a small program against the biggest).
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
    for name in ("getpid", "sleep0", "yield", "read4k-again", "pipe-roundtrip"):
        assert name in allocs, out
        assert allocs[name][-1] == 0, (name, allocs[name], out)
    for name in ("getpid", "sleep0", "yield"):
        assert allocs[name][0] == 0, (name, allocs[name], out)
    assert allocs["write4k"][-1] < 512, out
    assert allocs["read4k"][-1] < 64, out
    power_off(m)
