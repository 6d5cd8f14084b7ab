# Kernel memory, watched and tested: the heap's figures, and making
# allocations fail on purpose.
#
# cstubs/heapwatch.c sees every allocation of the interpreter's heap and
# every page the page allocator hands out.  It keeps the heap's high-water
# mark, an emergency reserve that lets a system call in progress finish
# when the heap runs out, and a fault-injection switch: "the nth heap (or
# page) allocation of this thread's next system call fails".  Sweeping n
# from 1 up over a call exercises every error path it has; the tests do
# that for every system call (tests/qemu/test_memory.py) and check that
# pages, disk blocks, inodes and the heap come back.
#
# Two system calls reach this from user space (kernel/abi/sysnum.py):
#   failnext(kind, n)   arm the failure for the caller's next call (kind
#                       FAIL_HEAP or FAIL_PAGE); failnext(0, 0) returns 1
#                       if the last armed failure happened, else 0
#   kstat(what)         one of the counters below, for leak checks
# and the monitor has mem() and fail(pid, n, kind).
import gc

import kern

from kernel.compat import const
from kernel.syscall import table
from kernel.fs import bio, inode, file
from kernel.proc import proc

FAIL_HEAP = const(1)      # = kern.FAULT_HEAP
FAIL_PAGE = const(2)      # = kern.FAULT_PAGE

# kstat(what): the counters.
KSTAT_HEAP_USED = const(0)      # bytes of the heap in use (live and garbage)
KSTAT_HEAP_PEAK = const(1)      # the most in use at once since the last reset
KSTAT_HEAP_RESET = const(2)     # collect, restart the peak there; bytes live
KSTAT_HEAP_LARGEST = const(3)   # the largest free block of the heap
KSTAT_INODE_REFS = const(4)     # references to in-memory inodes, all told
KSTAT_OPEN_FILES = const(5)     # open File objects
KSTAT_BUFS_HELD = const(6)      # cached blocks some thread holds locked
KSTAT_PROCS = const(7)          # processes, zombies included
KSTAT_RESERVE = const(8)        # bytes in the heap's emergency reserve
KSTAT_ALLOCS = const(9)         # heap allocations since boot
KSTAT_ALLOC_BYTES = const(10)   # their bytes


def inode_refs():
    total = 0
    for ip in inode.icache.values():
        total += ip.ref
    return total


def bufs_held():
    count = 0
    for b in bio.cache.values():
        if b.locked:
            count += 1
    return count


def kstat(what):
    if what == KSTAT_HEAP_RESET:
        return kern.heap_reset_peak()
    if what == KSTAT_INODE_REFS:
        return inode_refs()
    if what == KSTAT_OPEN_FILES:
        return file.open_files
    if what == KSTAT_BUFS_HELD:
        return bufs_held()
    if what == KSTAT_PROCS:
        return len(proc.procs)
    if what == KSTAT_ALLOCS:
        return kern.heap_allocs()
    if what == KSTAT_ALLOC_BYTES:
        return kern.heap_allocs(True)
    info = kern.heap_info()       # used, free, largest_free, peak, reserve, ...
    if what == KSTAT_HEAP_USED:
        return info[0]
    if what == KSTAT_HEAP_PEAK:
        return info[3]
    if what == KSTAT_HEAP_LARGEST:
        return info[2]
    if what == KSTAT_RESERVE:
        return info[4]
    return -1


def sys_kstat(p):
    return kstat(kern.arg_int(p.trapframe, 0))


def sys_failnext(p):
    kind = kern.arg_int(p.trapframe, 0)
    n = kern.arg_int(p.trapframe, 1)
    if kind == 0 and n == 0:
        return 1 if kern.fail_fired() else 0
    if kind not in (FAIL_HEAP, FAIL_PAGE) or n < 1:
        return -1
    kern.fail_arm(kind, n, p.thread.handle)
    return 0


def fail(pid, n, kind=FAIL_HEAP):
    """At the monitor: make the nth heap (or page) allocation of process
    pid's next system call fail."""
    p = proc.procs.get(pid)
    if p is None or p.thread is None:
        print("no such process")
        return
    kern.fail_arm(kind, n, p.thread.handle)


def mem():
    """The page allocator's and the heap's figures (the monitor's mem())."""
    free, total = kern.free_pages(), kern.total_pages()
    print("pages: %d free of %d (%d KiB free)" % (free, total, free * kern.PGSIZE // 1024))
    used, hfree, largest, peak, reserve, collections, spent, refused = kern.heap_info()
    print("python heap: %d bytes used, %d free, largest free block %d" % (used, hfree, largest))
    print("  high-water mark %d; %d collections; reserve %d bytes (spent %d times, "
          "%d calls refused)" % (peak, collections, reserve, spent, refused))
    gc.collect()
    print("  after a collection: %d bytes live" % kern.heap_info()[0])


table.register_handlers(globals())
