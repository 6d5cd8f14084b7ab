# Run queues: FIFOs by priority with a bitmask of the non-empty ones.
#
# In the kernel this is C (kern.RunQueue, cstubs/modkern_sched.c): the
# mechanics of a queue -- append, take the head of the highest non-empty
# one, the mask, the count -- cost a few dozen instructions there and
# thousands in Python.  Which queue a thread goes to, and when, stays the
# policy's decision.  Under CPython (the host tests) the class below does
# the same in Python; it is also the C type's specification.
#
#   RunQueue(npri, capacity)   npri queues (0..npri-1, higher runs first),
#                              each holding at most `capacity` threads
#   put(t, pri)                t to the back of queue pri
#   get()                      the head of the highest non-empty queue,
#                              removed; None if all are empty
#   swap(t, pri)               put(t, pri) then get(), in one call; t
#                              itself (never queued) if no queue at pri or
#                              above holds anyone
#   remove(t, pri)             True if t was in queue pri (the rest keep
#                              their order)
#   highest()                  the highest non-empty priority, or -1
#   items(pri)                 a new list of queue pri, first to run first
#   len(q), bool(q)            threads queued, in all queues
try:
    from kern import RunQueue
except ImportError:            # CPython: the host tests
    from collections import deque

    class RunQueue:
        def __init__(self, npri, capacity):
            if not (1 <= npri <= 32 and 1 <= capacity <= 4096):
                raise ValueError("1..32 priorities, 1..4096 threads")
            self.queues = [deque() for _ in range(npri)]
            self.capacity = capacity

        def put(self, t, pri):
            q = self.queues[pri]
            if len(q) >= self.capacity:
                raise OverflowError("run queue full")
            q.append(t)

        def get(self):
            pri = self.highest()
            return None if pri < 0 else self.queues[pri].popleft()

        def swap(self, t, pri):
            if self.highest() < pri:
                return t
            self.put(t, pri)
            return self.get()

        def remove(self, t, pri):
            q = self.queues[pri]
            for i, x in enumerate(q):
                if x is t:
                    del q[i]
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
