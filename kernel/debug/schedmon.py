# The monitor's `sched`: look at and change the scheduler while programs run.
#
#   sched.show()            the policy, its parameters and its queues
#   sched.use("plan9")      switch every thread to another policy: "rr",
#                           "plan9", "edf" (over the current time-sharing
#                           policy), "edf+rr", "edf+plan9"
#   sched.use("rr", 5000)   ... with a quantum of 5000 microseconds
#   sched.policy()          the policy object itself (kthread.policy)
#   sched.check()           [] if every runnable thread is queued exactly once
#   sched.heap_growth(n)    bytes the heap grows over n switch and wakeup
#                           round trips (the same for any n: they allocate nothing)
import kern

from kernel.sched.base import US
from kernel.thread import kthread


def show():
    kthread.policy.show()
    print("load average %d.%03d (runnable threads, 1 s decay)" % (kthread.load // 1000,
                                                                 kthread.load % 1000))


def use(name, quantum_us=0):
    kthread.use(name, quantum_us * US)
    print("sched: now %s" % kthread.policy.name)


def policy():
    return kthread.policy


def check():
    """The scheduler's invariant on the live kernel: every runnable thread
    but the running one is queued exactly once, and nothing else is.
    Returns the problems found (an empty list when all is well)."""
    problems = []
    queued = kthread.policy.threads()
    for t in kthread.threads.values():
        n = 0
        for q in queued:
            if q is t:
                n += 1
        should = 1 if (t.state == kthread.RUNNABLE and t is not kthread.current
                       and t is not kthread.idle_thread) else 0
        if n != should:
            problems.append("%r queued %d times" % (t, n))
    if len(queued) != len(kthread.policy):
        problems.append("%d queued, the policy counts %d" % (len(queued), len(kthread.policy)))
    return problems


def bench_tick(n=200):
    """The cost of one scheduling timer event under the current policy (the
    policy's tick and next_timer, arming the timer), measured from the
    monitor: SCHED {"tick_centiticks": hundredths of a `time` tick}."""
    now = kern.time
    t0 = now()
    for _ in range(n):
        kthread.sched_timer(now())
    t = now() - t0
    kthread.need_resched = False
    print('SCHED {"tick_centiticks": %d}' % (t * 100 // n))


_PING = "sched.ping"      # the channels heap_growth's two threads sleep on
_PONG = "sched.pong"


def _partner(rounds):
    for _ in range(rounds):
        kthread.yield_()
        kthread.sleep(_PING)
        kthread.wakeup(_PONG)


def heap_growth(rounds):
    """How many bytes the heap's peak rises while this thread and another
    do `rounds` round trips of a yield each way and a sleep/wakeup each
    way, under the current policy.  Switching, sleeping, waking and the
    policy's hooks allocate nothing, so this does not grow with rounds."""
    partner = kthread.spawn("heapping", _partner, rounds + 1)
    kthread.yield_()                       # it starts, and yields back
    base = kern.heap_reset_peak()
    for _ in range(rounds):
        kthread.yield_()
        kthread.wakeup(_PING)
        kthread.sleep(_PONG)
    grown = kern.heap_info()[3] - base
    kthread.yield_()
    kthread.wakeup(_PING)
    kthread.join(partner)
    return grown
