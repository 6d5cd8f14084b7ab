# The kernel's own checks, run from the monitor (and by tests/ through it).
#
# They exercise what cannot be tested from outside the kernel: kernel
# threads switching with allocation churn and garbage collections between
# them, and the physical page allocator run dry and refilled.
import gc

import kern

from kernel.thread import kthread

_results = []   # module globals: reachable from the GC's roots whatever happens


def _churn_worker(index, rounds):
    # `mine` is referenced only by this frame, on this thread's stack.  When
    # the thread is suspended, only the GC's scan of suspended stacks keeps
    # it alive; if that scan were skipped, churn in the other threads would
    # reuse its memory and the checks below would see it change.
    mine = [index * 1000 + k for k in range(64)]
    label = "worker-%d" % index
    expected_sum = sum(mine)
    corrupted = 0
    for r in range(rounds):
        junk = [bytearray(48) for _ in range(6)]   # allocation churn
        junk.append(str(r))
        if r % 25 == index % 25:
            gc.collect()
        kthread.yield_()
        if sum(mine) != expected_sum or mine[0] != index * 1000 or label != "worker-%d" % index:
            corrupted += 1
    _results.append((index, corrupted))
    return corrupted


def threads(nthreads=4, rounds=1000, scan_suspended=True):
    """Switch nthreads threads rounds times each with GC churn; report and
    return the number of corrupted checks (0 means the GC kept every
    suspended thread's objects alive)."""
    del _results[:]
    kern.gc_scan_suspended(scan_suspended)
    try:
        workers = []
        for i in range(nthreads):
            t = kthread.spawn("churn-%d" % i, _churn_worker, i, rounds)
            if t is None:
                print("threads: could not start worker %d (out of memory)" % i)
                return -1
            workers.append(t)
        for t in workers:
            kthread.join(t)
    finally:
        kern.gc_scan_suspended(True)
    corrupted = sum(c for _, c in _results)
    switches = sum(kthread.switches(t) for t in workers)
    verdict = "ok" if corrupted == 0 else "CORRUPTED"
    print("selftest threads: %s: %d threads, %d rounds each, %d corrupted checks, "
          "%d switches" % (verdict, nthreads, rounds, corrupted, switches))
    return corrupted


def pages():
    """Take every free page, check the allocator says no, give them all back."""
    start = kern.free_pages()
    taken = []
    pa = kern.kalloc()
    while pa != 0:
        taken.append(pa)
        pa = kern.kalloc()
    when_empty = kern.free_pages()
    extra = kern.kalloc()                      # beyond RAM: must fail cleanly
    no_thread = kthread.spawn("no-memory", lambda: None)
    distinct = len(set(taken))
    for pa in taken:
        kern.kfree(pa)
    end = kern.free_pages()
    ok = (len(taken) == start and distinct == start and when_empty == 0 and extra == 0
          and no_thread is None and end == start)
    print("selftest pages: %s: start %d, allocated %d (%d distinct), free when empty %d, "
          "extra alloc %d, thread when empty %s, end %d" % (
              "ok" if ok else "FAILED", start, len(taken), distinct, when_empty, extra,
              "refused" if no_thread is None else "started", end))
    return ok


def _ping(n):
    for _ in range(n):
        kthread.yield_()


def switch_roundtrip_centiticks(n=2000):
    """Hundredths of a timer tick per round trip between two threads."""
    partner = kthread.spawn("ping", _ping, n + 1)
    kthread.yield_()                      # let it start
    t0 = kern.time()
    for _ in range(n):
        kthread.yield_()
    elapsed = kern.time() - t0
    kthread.join(partner)
    return elapsed * 100 // n
