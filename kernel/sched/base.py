# What every scheduling policy shares: why a thread became runnable, the
# per-thread scheduling state, and time in units of the `time` CSR.
from kernel.compat import const

# Why a thread is handed to a policy's enqueue().
NEW = const(0)          # just spawned (or moved here from another policy)
WOKEN = const(1)        # woke from a sleep
PREEMPTED = const(2)    # the policy (or a higher-priority wakeup) took the CPU away
YIELDED = const(3)      # gave up the CPU itself (yield, or an EDF task's job done)
WHY_NAMES = ("new", "woken", "preempted", "yielded")

NEVER = const(1 << 60)  # a deadline that never comes (still a small int)

TIMEBASE_HZ = const(10000000)   # `time` counts 10 MHz on QEMU virt
US = const(10)                  # timebase cycles per microsecond
MS = const(10000)               # ... per millisecond

# Plan 9's priorities (higher runs first); kept here because a thread's
# base priority outlives any one policy.
NPRIQ = const(20)
PRI_NORMAL = const(10)
PRI_KPROC = const(13)


class State:
    """A thread's scheduling state: the one object a policy reads and
    writes for it (kthread never looks inside).  The first group is what
    the thread asked for, and survives a change of policy; the rest is the
    working state of whichever policy holds the thread now, reset by
    reset() when the thread moves to another."""

    def __init__(self, kernel):
        # Asked for: base priority, whether it is fixed, real-time terms.
        self.base = PRI_KPROC if kernel else PRI_NORMAL
        self.fixed = kernel        # kernel threads do not decay (Plan 9's kprocs)
        self.period = 0            # EDF terms in time cycles; 0 = time-sharing
        self.deadline = 0
        self.cost = 0
        self.misses = 0            # EDF deadline misses, counted for ever
        self.reset()

    def reset(self):
        self.queued = False        # in the policy's run queue (or EDF's held list)
        self.running_since = 0     # when the policy last charged it CPU
        self.slice_end = NEVER     # when its quantum ends, while it runs
        self.pri = self.base       # Plan 9: current priority
        self.cpu = 0               # Plan 9: recent CPU use, 0..1000
        self.lastupdate = 0        # Plan 9: when cpu was last brought up to date
        self.ran = 0               # Plan 9: time run since then, not yet in cpu
        self.admitted = False      # EDF: in the admitted task set
        self.release = 0           # EDF: start of the current period
        self.job_deadline = 0      # EDF: absolute deadline of the current job
        self.budget = 0            # EDF: cost left in this period
        self.done = False          # EDF: this period's job finished (rtwait)
        self.held = False          # EDF: runnable but waiting for its release


def highest_bit(v):
    """The index of the highest set bit of 0 < v < 2**32, by halving (a
    handful of comparisons: the run queue bitmask is never scanned)."""
    n = 0
    if v >= 1 << 16:
        v >>= 16
        n += 16
    if v >= 1 << 8:
        v >>= 8
        n += 8
    if v >= 1 << 4:
        v >>= 4
        n += 4
    if v >= 1 << 2:
        v >>= 2
        n += 2
    if v >= 1 << 1:
        n += 1
    return n
