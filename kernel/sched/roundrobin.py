# Round robin: runnable threads take turns, each for one quantum.
from collections import deque

from kernel.sched.base import NEVER, MS


class RoundRobin:
    """First come, first served, with a time slice of `quantum` time
    cycles (10 ms by default).  A thread that wakes, is preempted or yields
    goes to the back of the one queue; nobody is ever preempted early."""

    name = "rr"

    def __init__(self, capacity, quantum=10 * MS):
        # A thread is queued at most once, so `capacity` (the most threads
        # that can exist) bounds the queue and it can never overflow.
        self.queue = deque((), capacity)
        self.quantum = quantum
        self.rearm = False

    def reset(self, quantum):
        self.quantum = quantum
        self.rearm = False

    # Round robin never preempts early and keeps no running thread: the
    # two methods below run at every switch and do as little as they can.

    def enqueue(self, thread, why, now):
        thread.sched.queued = True
        self.queue.append(thread)
        return False

    def pick_next(self, now):
        if not self.queue:
            return None
        thread = self.queue.popleft()
        st = thread.sched
        st.queued = False
        st.slice_end = now + self.quantum
        return thread

    def blocked(self, thread, now):
        pass

    exited = blocked

    def tick(self, thread, now):
        if thread is None:
            return False
        st = thread.sched
        if now < st.slice_end:
            return False
        if self.queue:
            return True
        st.slice_end = now + self.quantum     # alone: another slice
        return False

    def next_timer(self, thread, now):
        return NEVER if thread is None else thread.sched.slice_end

    def remove(self, thread):
        if not thread.sched.queued:
            return
        thread.sched.queued = False
        # One turn of the queue, keeping everyone but thread in order.
        for _ in range(len(self.queue)):
            t = self.queue.popleft()
            if t is not thread:
                self.queue.append(t)

    def threads(self):
        return list(self.queue)

    def describe(self, thread):
        return "rr"

    def show(self):
        print("round robin, quantum %d us: %s" % (
            self.quantum // 10, " ".join(t.name for t in self.queue) or "(empty)"))

    def __len__(self):
        return len(self.queue)
