# Scheduling policy: which runnable kernel thread runs next.
#
# The mechanism (kernel/thread/kthread.py) keeps thread states and does the
# switching; a policy only orders the runnable threads.  A policy is an
# object with these methods, and the thread layer calls nothing else:
#
#   name            a short name, the key in POLICIES
#   enqueue(t)      t became runnable (new, woken, or preempted); t is not
#                   queued already
#   pick_next()     remove and return the thread to run next, or None.  It
#                   may return a thread that stopped being runnable while
#                   queued (the caller skips it)
#   tick(t)         the running thread t used a timer tick; True if t
#                   should give up the CPU now
#   remove(t)       take t out of the queue if it is there
#   __len__()       how many threads are queued
#
# Policies keep their per-thread state on the thread's `sched` attribute,
# which the thread layer never reads.  A new policy is one more module
# here and one more entry in POLICIES; kthread.init() takes the name.
#
# Offers: POLICIES, DEFAULT, make(name, capacity).  Uses: kernel.compat.
from kernel.sched.roundrobin import RoundRobin

POLICIES = {RoundRobin.name: RoundRobin}
DEFAULT = RoundRobin.name


def make(name, capacity):
    """A new policy object for at most `capacity` threads."""
    return POLICIES[name](capacity)
