# Plan 9's time-sharing priorities: a hog sinks, an interactive thread stays high.
#
# There are NPRIQ (20) priorities, higher running first, each with a FIFO
# run queue; the queues and the bitmask of the non-empty ones are C
# (kern.RunQueue, kernel/sched/runq.py): picking the next thread is
# finding the highest set bit, never a scan of the queues.
#
# Every thread has a base priority (10 for processes, 13 for kernel
# threads; `setpri` and `nice` change a process's) and a measure of how
# much CPU it has used lately, `cpu`, from 0 to 1000 (1.0 = all of a CPU).
# `cpu` is a decaying average over a window of `window` time cycles (two
# seconds here; Plan 9's schedgain is 30 s, too slow to watch): while a
# thread runs its cpu climbs towards 1000, while it waits or sleeps it
# decays towards 0.  A quick job that gets in and out is not penalised;
# one that keeps the CPU for about a window ends up with cpu near 1000.
#
# When a thread wakes (Plan 9's ready()) and at every quantum of the
# running thread, its priority is recomputed (reprioritize): its fair
# share of the CPU is 1/load, where load is the decaying average number of
# runnable threads, and its priority is
#
#       fair share / cpu     (never above its base)
#
# so a thread that uses less than its share sits at its base priority and
# one that uses more sinks, further the more it takes.  The boost is
# earned back by sleeping: cpu decays while it is off the CPU, and its
# priority climbs back to the base.  Threads with a fixed priority (kernel
# threads, processes that ask) keep their base priority always.
#
# A thread runs until it blocks or yields, until a thread of a higher
# priority becomes runnable (it is then preempted at once), or until its
# quantum ends and any other thread is ready (then it goes to the back of
# the queue of its new priority).  Once a second the queued threads are
# reprioritized too (rebalance), so that a thread waiting behind others
# rises as its cpu decays and nobody starves.
from kernel.compat import const
from kernel.sched.base import NEVER, MS, TIMEBASE_HZ, NPRIQ
from kernel.sched.runq import RunQueue

LOAD_STEP = const(10000)     # the load average is brought up to date at most each ms


class Plan9:
    name = "plan9"
    slice_timer = True     # next_timer(t) is t.sched.slice_end (kthread reads it)

    def __init__(self, capacity, quantum=10 * MS, window=2 * TIMEBASE_HZ):
        self.runq = RunQueue(NPRIQ, capacity)
        self.runq.quantum = quantum
        self.quantum = quantum
        self.window = window       # the cpu average's window (Plan 9's schedgain)
        self.load = 0              # runnable threads, decaying average, * 1000
        self.fairshare = 0         # 1000 * 1000 // load, kept with load
        self.load_time = 0
        self.balance_time = 0
        self.rearm = False
        # The hooks that run at every switch are the run queue's own, in C
        # (kernel/sched/runq.py says exactly what they do): pick_next(now)
        # takes the head of the highest queue and starts its slice;
        # requeue(t, why, now) adds the time t ran to t.sched.ran, puts it
        # at the back of its priority's queue and takes the head -- a
        # preempted or yielding thread keeps its priority (tick() keeps the
        # running thread's up to date every quantum); blocked(t, now) adds
        # the time t ran.  runq.running is the thread running now.
        self.pick_next = self.runq.take
        self.requeue = self.runq.requeue
        self.blocked = self.runq.stop

    # -- the cpu average and the priority it gives --

    def updatecpu(self, st, now):
        """Bring st.cpu up to now: of the time since the last update, st.ran
        was spent running (cpu climbs towards 1000) and the rest waiting or
        asleep (cpu decays towards 0).  Plan 9's filter, cpu * (D-n)/D."""
        n = now - st.lastupdate
        if n <= 0:
            return
        st.lastupdate = now
        d = self.window
        ran = st.ran
        st.ran = 0
        if ran > n:
            ran = n
        cpu = st.cpu
        wait = n - ran
        if wait > 0:
            cpu = cpu * (d - wait) // d if wait < d else 0
        if ran > 0:
            cpu = 1000 - (1000 - cpu) * (d - ran) // d if ran < d else 1000
        st.cpu = cpu

    def reprioritize(self, st):
        if st.fixed or self.load == 0:
            return st.base
        n = st.cpu if st.cpu > 0 else 1
        ratio = (self.fairshare + n // 2) // n
        return st.base if ratio > st.base else ratio

    def account_load(self, now):
        """Plan 9's accounttime: load decays towards the number of threads
        that are runnable, with a time constant of one second."""
        n = now - self.load_time
        if n <= 0:
            return
        self.load_time = now
        if n > TIMEBASE_HZ:
            n = TIMEBASE_HZ
        runq = self.runq
        nrun = len(runq) + (1 if runq.running is not None else 0)
        self.load = (self.load * (TIMEBASE_HZ - n) + nrun * 1000 * n) // TIMEBASE_HZ
        self.fairshare = 1000 * 1000 // self.load if self.load else 0

    # -- the run queues --

    def reset(self, quantum):
        self.quantum = self.runq.quantum = quantum
        self.runq.running = None
        self.rearm = False

    # A thread that woke or is new has its cpu brought up to date and its
    # priority recomputed, as Plan 9's ready(); one that was preempted or
    # yielded keeps its priority (requeue, above).

    def enqueue(self, thread, why, now):
        st = thread.sched
        runq = self.runq
        running = runq.running
        if thread is running:                    # preempted or yielded
            runq.stop(thread, now)
            running = None
            pri = st.pri
        else:                                    # woke or new
            self.updatecpu(st, now)
            pri = st.pri = self.reprioritize(st)
        runq.put(thread, pri)
        return running is not None and pri > running.sched.pri   # anyhigher()

    def exited(self, thread, now):
        self.runq.running = None

    def tick(self, thread, now):
        rebalanced = False
        if now - self.load_time >= LOAD_STEP:
            self.account_load(now)
            if now - self.balance_time >= TIMEBASE_HZ:
                self.balance_time = now
                self.rebalance(now)
                rebalanced = True
        if thread is None:
            return False
        st = thread.sched
        if st.fixed:
            # A fixed priority never changes and no quantum ends it: only a
            # higher thread takes the CPU, and a queued thread can become
            # higher only here, at a rebalance (enqueue tests its own).
            if now >= st.slice_end:
                st.slice_end = now + self.quantum
            return rebalanced and self.runq.highest() > st.pri   # anyhigher()
        st.ran += now - st.running_since
        st.running_since = now
        self.updatecpu(st, now)
        pri = st.pri = self.reprioritize(st)
        runq = self.runq
        if runq.highest() > pri:                     # anyhigher()
            return True
        if now >= st.slice_end:
            if runq:                                 # anyready()
                return True
            st.slice_end = now + self.quantum
        return False

    def rebalance(self, now):
        """Once a second: queued threads whose cpu has decayed move up."""
        runq = self.runq
        for pri in range(NPRIQ):
            for thread in runq.items(pri):
                st = thread.sched
                self.updatecpu(st, now)
                npri = self.reprioritize(st)
                if npri != pri:
                    runq.remove(thread, pri)
                    st.pri = npri
                    runq.put(thread, npri)

    def next_timer(self, thread, now):
        return NEVER if thread is None else thread.sched.slice_end

    def remove(self, thread):
        if thread is self.runq.running:
            self.runq.running = None
        st = thread.sched
        if st.queued:
            self.runq.remove(thread, st.pri)

    def threads(self):
        out = []
        for pri in range(NPRIQ - 1, -1, -1):
            out.extend(self.runq.items(pri))
        return out

    def describe(self, thread):
        st = thread.sched
        return "p%d/%d%s" % (st.pri, st.base, "F" if st.fixed else "")

    def show(self):
        print("plan9, quantum %d us, window %d ms, load %d.%03d" % (
            self.quantum // 10, self.window // MS, self.load // 1000, self.load % 1000))
        for pri in range(NPRIQ - 1, -1, -1):
            queued = self.runq.items(pri)
            if queued:
                print("  pri %2d: %s" % (pri, " ".join(
                    "%s(cpu %d)" % (t.name, t.sched.cpu) for t in queued)))

    def __len__(self):
        return len(self.runq)
