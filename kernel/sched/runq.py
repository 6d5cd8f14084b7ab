# Run queues: FIFOs by priority with a bitmask of the non-empty ones.
#
# In the kernel this is C (kern.RunQueue, cstubs/modkern_sched.c): the
# mechanics of a queue -- append, take the head of the highest non-empty
# one, the mask, the count -- cost a few dozen instructions there and
# thousands in Python.  Which queue a thread goes to, and when, stays the
# policy's decision.  The queue also keeps the bookkeeping that goes with
# queueing and running, in each thread's t.sched (base.State): `queued`,
# and for the thread it hands out to run, `running_since` and `slice_end`;
# a run that ends is added to `ran`.  So the switch of a policy that is
# only "back of the line, head of the highest queue runs" (round robin,
# Plan 9) is one C call with no Python in between (requeue).
#
# Under CPython (the host tests) the class below does the same in Python;
# it is also the C type's specification.
#
#   RunQueue(npri, capacity)   npri queues (0..npri-1, higher runs first),
#                              holding at most `capacity` threads in all
#   quantum                    the slice take/requeue give, in time cycles
#   accounting                 whether take/requeue/stop keep running_since
#                              and ran (True; round robin needs neither)
#   running                    the thread take/requeue handed out last, or
#                              None (after stop, or take found nobody)
#   put(t, pri)                t to the back of queue pri; t.sched.queued
#   get()                      the head of the highest non-empty queue,
#                              removed (no longer queued); None if empty
#   enqueue(t, why, now)       put(t, t.sched.pri) (0 with one queue), and
#                              False: round robin's enqueue hook
#   take(now)                  get(), handed out to run: its running_since
#                              is now, its slice_end now + quantum
#   requeue(t, why, now)       the running thread t's run (since its
#                              running_since) is added to its ran, it goes
#                              to the back of queue t.sched.pri (0 with one
#                              queue) and take(now) -- or t runs on with a
#                              new slice, never queued, if no queue at its
#                              priority or above holds anyone
#   stop(t, now)               the running t blocks: its run is added to its
#                              ran; nobody is running
#   remove(t, pri)             True if t was in queue pri (no longer queued;
#                              the rest keep their order)
#   highest()                  the highest non-empty priority, or -1
#   items(pri)                 a new list of queue pri, first to run first
#   len(q), bool(q)            threads queued, in all queues
try:
    from kern import RunQueue
except ImportError:            # CPython: the host tests
    from collections import deque

    class RunQueue:
        def __init__(self, npri, capacity):
            if not (1 <= npri <= 32 and 1 <= capacity < 0xFFFF):
                raise ValueError("1..32 priorities, 1..65534 threads")
            self.queues = [deque() for _ in range(npri)]
            self.capacity = capacity
            self.quantum = 0
            self.accounting = True
            self.running = None

        def put(self, t, pri):
            q = self.queues[pri]
            if len(self) >= self.capacity:
                raise OverflowError("run queue full")
            t.sched.queued = True
            q.append(t)

        def get(self):
            pri = self.highest()
            if pri < 0:
                return None
            t = self.queues[pri].popleft()
            t.sched.queued = False
            return t

        def enqueue(self, t, why, now):
            self.put(t, t.sched.pri if len(self.queues) > 1 else 0)
            return False

        def _hand_out(self, t, now):
            if self.accounting:
                t.sched.running_since = now
            t.sched.slice_end = now + self.quantum
            self.running = t
            return t

        def take(self, now):
            t = self.get()
            if t is None:
                self.running = None
                return None
            return self._hand_out(t, now)

        def requeue(self, t, why, now):
            st = t.sched
            if self.accounting:
                st.ran += now - st.running_since
            pri = st.pri if len(self.queues) > 1 else 0
            if self.highest() < pri:
                return self._hand_out(t, now)
            self.put(t, pri)
            return self._hand_out(self.get(), now)

        def stop(self, t, now):
            if self.accounting:
                t.sched.ran += now - t.sched.running_since
            self.running = None

        def remove(self, t, pri):
            q = self.queues[pri]
            for i, x in enumerate(q):
                if x is t:
                    del q[i]
                    t.sched.queued = False
                    return True
            return False

        def highest(self):
            for pri in range(len(self.queues) - 1, -1, -1):
                if self.queues[pri]:
                    return pri
            return -1

        def items(self, pri):
            return list(self.queues[pri])

        def __len__(self):
            return sum(len(q) for q in self.queues)
