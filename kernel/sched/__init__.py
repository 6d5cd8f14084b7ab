# Scheduling policy: which runnable kernel thread runs next, and for how long.
#
# The mechanism (kernel/thread/kthread.py) keeps thread states, does the
# switching and owns the one timer; a policy only orders the runnable
# threads and says when the running one should give up the CPU.  Times are
# absolute values of the `time` CSR (10 MHz: base.MS cycles a millisecond).
# A policy is an object with these methods, and the thread layer calls
# nothing else:
#
#   name                    a short name, the key in POLICIES
#   enqueue(t, why, now)    t became runnable: why is base.NEW (spawned, or
#                           moved here from another policy), WOKEN (from a
#                           sleep), PREEMPTED (the policy or a wakeup took the
#                           CPU from it) or YIELDED (gave it up itself).  t is
#                           not queued.  True if t should take the CPU from the
#                           thread the policy last picked (kthread then
#                           preempts that one at its next safe point)
#   pick_next(now)          remove and return the thread to run next, or
#                           None (the idle thread runs).  The returned thread
#                           is "running" for the policy until it comes back
#                           through enqueue, blocked, exited or remove
#   blocked(t, now)         the running thread t goes to sleep
#   exited(t, now)          the running thread t ended
#   tick(t, now)            the policy's timer fired (next_timer's time came)
#                           while t ran, or None if the idle thread ran.
#                           True if t should give up the CPU now
#   next_timer(t, now)      when tick() should next be called, t running (or
#                           None for idle): the end of t's quantum or budget,
#                           the next real-time release; base.NEVER for never.
#                           kthread asks after every switch and tick, and
#                           again after an enqueue that set `rearm`
#   remove(t)               take t out of the policy (killed while queued,
#                           moved to another policy); harmless if not queued
#   threads()               the queued threads, in the order they would run
#   describe(t)             a few characters for ps (priority, misses)
#   show()                  print the policy and its queues (sched.show())
#   reset(quantum)          forget everything (no thread is queued): the
#                           policy object is about to be used afresh
#   __len__()               how many threads are queued
#
# Two more a policy may offer, for speed (kthread looks for them):
#
#   requeue(t, why, now)    enqueue(t, why, now) then pick_next(now), in one
#                           call, for the running thread t giving up the CPU
#                           (why: PREEMPTED or YIELDED): the thread to run
#                           next, t itself, or None.  Without it kthread
#                           calls the two hooks
#   slice_timer             True if next_timer(t, now) for a running t is
#                           always t.sched.slice_end: kthread then reads that
#                           itself when it switches
#
# A hook may be any callable attribute, not only a method: round robin's
# and Plan 9's hot hooks are the C run queue's own (kernel/sched/runq.py,
# kern.RunQueue), and EDF with no task admitted hands out the time-sharing
# policy's.  kthread binds the hooks when a policy is installed and again
# at rearm().
#
# What each hook may rely on: every RUNNABLE thread except the running one
# is queued exactly once (t.sched.queued says so); hooks are never called
# for the idle thread; a thread passed to blocked/exited/tick is the one
# the policy's last pick_next returned (or the thread that was running
# when the policy was installed); `now` never goes backwards.
#
# Per-thread state lives in one object, t.sched (base.State), which only
# policies read or write: the terms a thread asked for (base priority,
# fixed priority, real-time period, deadline, cost), which survive a
# change of policy, and the working state of the policy holding it now,
# which State.reset() clears when it moves.
#
# Offers: POLICIES, DEFAULT, make(name, capacity, quantum), and base's
# names.  Uses: kernel.compat, kern (the run queues).
from kernel.sched.base import MS, US
from kernel.sched.roundrobin import RoundRobin
from kernel.sched.plan9 import Plan9
from kernel.sched.edf import EDF

POLICIES = {RoundRobin.name: RoundRobin, Plan9.name: Plan9, EDF.name: EDF}
DEFAULT = RoundRobin.name
TIME_SHARING = (RoundRobin.name, Plan9.name)
QUANTUM = 10 * MS


def make(name, capacity, quantum=QUANTUM, inner="rr"):
    """A new policy object for at most `capacity` threads.  "edf" runs over
    the time-sharing policy `inner`; "edf+plan9" names both at once."""
    if "+" in name:
        name, inner = name.split("+", 1)
    if name not in POLICIES:
        raise ValueError("no scheduling policy %r (there are %s)" % (
            name, ", ".join(sorted(POLICIES))))
    if name == EDF.name:
        if inner not in POLICIES or inner == EDF.name:
            raise ValueError("edf runs over rr or plan9, not %r" % inner)
        return EDF(POLICIES[inner](capacity, quantum))
    return POLICIES[name](capacity, quantum)
