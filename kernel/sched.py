# Scheduling policy: which runnable thread runs next.
#
# A policy is a small object with four methods; the mechanism around it
# (kernel/kthread.py) never looks inside.  Swapping the policy means
# writing one more class like RoundRobin and passing it to kthread.init():
#
#   enqueue(t)    t became runnable (new, woken, or preempted)
#   pick_next()   remove and return the thread to run next, or None
#   tick(t)       a timer tick charged to running thread t; return True
#                 if t should give up the CPU
#   __len__()     how many threads are waiting to run
from collections import deque

from kernel.compat import const

QUANTUM_TICKS = const(1)


class RoundRobin:
    """First come, first served, with a time slice of QUANTUM_TICKS."""

    name = "round-robin"

    def __init__(self, capacity):
        # A thread is queued at most once, so `capacity` (the most threads
        # that can exist) bounds the queue and it can never overflow.
        self.queue = deque((), capacity)

    def enqueue(self, thread):
        thread.slice_left = QUANTUM_TICKS
        self.queue.append(thread)

    def pick_next(self):
        if self.queue:
            return self.queue.popleft()
        return None

    def tick(self, thread):
        thread.slice_left -= 1
        return thread.slice_left <= 0

    def __len__(self):
        return len(self.queue)
