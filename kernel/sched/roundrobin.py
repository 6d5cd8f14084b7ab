# Round robin: runnable threads take turns, each for a time slice.
from collections import deque

from kernel.compat import const

QUANTUM_TICKS = const(1)


class RoundRobin:
    """First come, first served, with a time slice of QUANTUM_TICKS.  A
    thread's `sched` attribute holds the ticks left of its slice."""

    name = "round-robin"

    def __init__(self, capacity):
        # A thread is queued at most once, so `capacity` (the most threads
        # that can exist) bounds the queue and it can never overflow.
        self.queue = deque((), capacity)

    def enqueue(self, thread):
        thread.sched = QUANTUM_TICKS
        self.queue.append(thread)

    def pick_next(self):
        if self.queue:
            return self.queue.popleft()
        return None

    def tick(self, thread):
        thread.sched -= 1
        return thread.sched <= 0

    def remove(self, thread):
        # One turn of the queue, keeping everyone but thread in order.
        for _ in range(len(self.queue)):
            t = self.queue.popleft()
            if t is not thread:
                self.queue.append(t)

    def __len__(self):
        return len(self.queue)
