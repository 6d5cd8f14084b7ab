# Round robin: runnable threads take turns, each for one quantum.
from kernel.sched.base import NEVER, MS
from kernel.sched.runq import RunQueue


class RoundRobin:
    """First come, first served, with a time slice of `quantum` time
    cycles (10 ms by default).  A thread that wakes, is preempted or yields
    goes to the back of the one queue; nobody is ever preempted early."""

    name = "rr"
    slice_timer = True     # next_timer(t) is t.sched.slice_end (kthread reads it)

    def __init__(self, capacity, quantum=10 * MS):
        # A thread is queued at most once, so `capacity` (the most threads
        # that can exist) bounds the queue and it can never overflow.
        self.queue = RunQueue(1, capacity)
        self.quantum = self.queue.quantum = quantum
        self.queue.accounting = False         # no run times: nothing here uses them
        self.rearm = False
        # The hooks that run at every switch and wakeup are the queue's
        # own, in C (kernel/sched/runq.py says exactly what they do):
        # enqueue(t, why, now) puts t at the back and returns False (round
        # robin never preempts early); pick_next(now) takes the head and
        # starts its slice; requeue(t, why, now) puts t at the back and
        # takes the head (t itself, with a new slice, if it is alone);
        # blocked(t, now) does nothing that matters here.
        self.enqueue = self.queue.enqueue
        self.pick_next = self.queue.take
        self.requeue = self.queue.requeue
        self.blocked = self.queue.stop

    def reset(self, quantum):
        self.quantum = self.queue.quantum = quantum
        self.rearm = False

    def exited(self, thread, now):
        pass

    def tick(self, thread, now):
        if thread is None:
            return False
        st = thread.sched
        if now < st.slice_end:
            return False
        if self.queue:
            return True
        st.slice_end = now + self.quantum         # alone: another slice
        return False

    def next_timer(self, thread, now):
        return NEVER if thread is None else thread.sched.slice_end

    def remove(self, thread):
        if thread.sched.queued:
            self.queue.remove(thread, 0)

    def threads(self):
        return self.queue.items(0)

    def describe(self, thread):
        return "rr"

    def show(self):
        print("round robin, quantum %d us: %s" % (
            self.quantum // 10, " ".join(t.name for t in self.queue.items(0)) or "(empty)"))

    def __len__(self):
        return len(self.queue)
