# The monitor's `sched`: look at and change the scheduler while programs run.
#
#   sched.show()            the policy, its parameters and its queues
#   sched.use("plan9")      switch every thread to another policy: "rr",
#                           "plan9", "edf" (over the current time-sharing
#                           policy), "edf+rr", "edf+plan9"
#   sched.use("rr", 5000)   ... with a quantum of 5000 microseconds
#   sched.policy()          the policy object itself (kthread.policy)
from kernel.sched.base import US
from kernel.thread import kthread


def show():
    kthread.policy.show()


def use(name, quantum_us=0):
    kthread.use(name, quantum_us * US)
    print("sched: now %s" % kthread.policy.name)


def policy():
    return kthread.policy
