# Earliest deadline first, for real-time tasks, in front of a time-sharing policy.
#
# A real-time task declares a period, a relative deadline and a cost (the
# CPU it needs each period), all in time cycles.  Admission control keeps
# the set feasible: the sum over admitted tasks of cost / min(deadline,
# period) may not pass `bound` (parts per million; EDF meets every
# deadline up to 1.0 on one CPU, less the kernel's own overhead).  A task
# that does not fit is refused and nothing changes.
#
# Every period a task is released: it gets a new job whose deadline is
# release + deadline, and a fresh budget of `cost`.  Released tasks with
# budget left run before every time-sharing thread, the earliest deadline
# first, preempting whatever runs when a task with an earlier deadline is
# released.  A task that says its job is done (the rtwait call), or has
# spent its budget, is held back -- runnable, but not run -- until its next
# release.  A job not done by the time its period ends, or finished after
# its deadline, is a deadline miss, counted per task.
#
# Everything that is not an admitted task goes to the time-sharing policy
# underneath (`inner`: round robin or Plan 9), which runs when no released
# task wants the CPU.  While no task is admitted, EDF's hot hooks (HOT)
# are the inner policy's own bound methods, so a switch costs what it
# costs under the time-sharing policy alone; admitting the first task
# binds EDF's (_bind), and kthread.rearm() picks the change up.
from kernel.compat import const
from kernel.sched.base import NEVER

MAX_TASKS = const(16)          # admitted tasks at most
HOT = ("enqueue", "requeue", "pick_next", "blocked", "tick", "next_timer")
BOUND_PPM = const(950000)      # utilisation bound, parts per million


class EDF:
    name = "edf"

    def __init__(self, inner, bound=BOUND_PPM):
        self.inner = inner
        self.bound = bound
        self.tasks = []        # admitted threads, whatever their state
        self.ready = []        # released tasks with budget, earliest deadline first
        self.held = []         # runnable tasks waiting for their next release
        self.running = None    # the thread this policy last picked
        self.rearm = False     # a release was added: kthread re-arms the timer
        self._bind()

    def _bind(self):
        # The hot hooks: the inner policy's while no task is admitted, else
        # EDF's own (the methods named with _rt).
        rt = bool(self.tasks)
        for name in HOT:
            setattr(self, name, getattr(self, "_" + name + "_rt") if rt else getattr(self.inner, name))
        self.slice_timer = False if rt else getattr(self.inner, "slice_timer", False)

    # -- admission --

    def utilisation(self, skip=None):
        total = 0
        for t in self.tasks:
            if t is not skip:
                st = t.sched
                total += st.cost * 1000000 // min(st.deadline, st.period)
        return total

    def admit(self, thread, period, deadline, cost, now):
        """Make the running thread a real-time task (or change its terms);
        False, changing nothing, if the set would not be feasible."""
        if not (0 < cost <= deadline <= period):
            return False
        st = thread.sched
        if not st.admitted and len(self.tasks) >= MAX_TASKS:
            return False
        if self.utilisation(thread) + cost * 1000000 // deadline > self.bound:
            return False
        if not st.admitted:
            self.inner.remove(thread)
            self.tasks.append(thread)
            if len(self.tasks) == 1:
                self._bind()
        st.period, st.deadline, st.cost = period, deadline, cost
        st.admitted = True
        self._new_job(st, now)
        st.running_since = now
        self.running = thread
        self.rearm = True
        return True

    def withdraw(self, thread, now):
        """The running task goes back to time-sharing."""
        st = thread.sched
        if st.admitted:
            self.tasks.remove(thread)
            if not self.tasks:
                self._bind()
                self.rearm = True          # kthread binds the inner hooks again
            st.admitted = False
            st.period = st.deadline = st.cost = 0
            if self.running is thread:
                self.running = None

    def job_done(self, thread, now):
        """The running task finished this period's job (rtwait); it is held
        until its next release when the caller yields."""
        st = thread.sched
        if not st.admitted:
            return
        self._charge(st, now)
        if now > st.job_deadline and not st.done:
            st.misses += 1
        st.done = True

    # -- jobs and budgets --

    def _new_job(self, st, release):
        st.release = release
        st.job_deadline = release + st.deadline
        st.budget = st.cost
        st.done = False

    def _catch_up(self, st, now):
        # Periods that ended while the task slept, waited or ran: a job
        # left undone at the end of its period is a miss.
        end = st.release + st.period
        if now < end:
            return
        if not st.done:
            st.misses += 1
        periods = (now - st.release) // st.period
        self._new_job(st, st.release + periods * st.period)

    def _charge(self, st, now):
        st.budget -= now - st.running_since
        st.running_since = now

    def _insert_ready(self, thread):
        dl = thread.sched.job_deadline
        i = 0
        ready = self.ready
        while i < len(ready) and ready[i].sched.job_deadline <= dl:
            i += 1
        ready.insert(i, thread)

    def _release(self, now):
        """Move held tasks whose new period has begun to the ready list."""
        released = False
        i = 0
        held = self.held
        while i < len(held):
            t = held[i]
            st = t.sched
            if now >= st.release + st.period:
                held.pop(i)
                self._catch_up(st, now)
                st.held = False
                self._insert_ready(t)
                released = True
            else:
                i += 1
        return released

    def _preempts(self, thread):
        # Does newly ready real-time `thread` take the CPU from the running one?
        running = self.running
        if running is None:
            return False
        rst = running.sched
        return not rst.admitted or thread.sched.job_deadline < rst.job_deadline

    # -- the policy interface --

    def reset(self, quantum):
        self.inner.reset(quantum)
        self.running = None
        self.rearm = False

    def _enqueue_rt(self, thread, why, now):
        if not self.tasks:                       # no real-time task: time-sharing alone
            self.running = None                  # (only matters once a task is admitted,
            return self.inner.enqueue(thread, why, now)   # and admit() sets it)
        st = thread.sched
        if not st.admitted:                      # time-sharing
            running = self.running
            if thread is running:
                self.running = None
                return self.inner.enqueue(thread, why, now)
            return self.inner.enqueue(thread, why, now) and (
                running is None or not running.sched.admitted)
        if thread is self.running:
            self._charge(st, now)
            self.running = None
        self._catch_up(st, now)
        st.queued = True
        if st.done or st.budget <= 0:
            st.held = True
            self.held.append(thread)
            self.rearm = True
            return False
        self._insert_ready(thread)
        return self._preempts(thread)

    def _requeue_rt(self, thread, why, now):
        # enqueue + pick_next in one: with no real-time task, the
        # time-sharing policy's own (one layer, not two).
        if not self.tasks:
            thread = self.running = self.inner.requeue(thread, why, now)
            return thread
        self._enqueue_rt(thread, why, now)
        return self._pick_next_rt(now)

    def _pick_next_rt(self, now):
        if self.tasks:
            if self.held:
                self._release(now)
            if self.ready:
                thread = self.ready.pop(0)
                st = thread.sched
                st.queued = False
                st.running_since = now
                self.running = thread
                return thread
        thread = self.running = self.inner.pick_next(now)
        return thread

    def _blocked_rt(self, thread, now):
        st = thread.sched
        if st.admitted:
            self._charge(st, now)
        else:
            self.inner.blocked(thread, now)
        self.running = None

    def exited(self, thread, now):
        if thread.sched.admitted:
            self.withdraw(thread, now)
        else:
            self.inner.exited(thread, now)
        self.running = None

    def _tick_rt(self, thread, now):
        released = self._release(now) if self.held else False
        if thread is None:
            self.inner.tick(None, now)
            return released
        st = thread.sched
        if not st.admitted:
            if self.ready:
                return True                      # real-time work waits
            return self.inner.tick(thread, now)
        self._charge(st, now)
        if now >= st.release + st.period:
            self._catch_up(st, now)              # overran its period: a miss
        if st.budget <= 0:
            return True                          # spent: held till its release
        return bool(self.ready) and self.ready[0].sched.job_deadline < st.job_deadline

    def _next_timer_rt(self, thread, now):
        when = NEVER
        for t in self.held:
            st = t.sched
            if st.release + st.period < when:
                when = st.release + st.period
        if thread is None or not thread.sched.admitted:
            inner = self.inner.next_timer(thread, now)
            return inner if inner < when else when
        st = thread.sched
        end = st.running_since + st.budget
        if end < when:
            when = end
        end = st.release + st.period
        return end if end < when else when

    def remove(self, thread):
        st = thread.sched
        if thread is self.running:
            self.running = None
        if not st.admitted:
            self.inner.remove(thread)
            return
        if st.queued:
            st.queued = False
            if st.held:
                self.held.remove(thread)
                st.held = False
            else:
                self.ready.remove(thread)

    def threads(self):
        return self.ready + self.held + self.inner.threads()

    def describe(self, thread):
        st = thread.sched
        if st.admitted:
            return "edf:%dmiss" % st.misses
        return self.inner.describe(thread)

    def show(self):
        used = self.utilisation()
        print("edf over %s, utilisation %d.%d%% of a bound of %d%%" % (
            self.inner.name, used // 10000, used // 1000 % 10, self.bound // 10000))
        for t in self.tasks:
            st = t.sched
            print("  %-12s period %d us, deadline %d us, cost %d us, misses %d%s" % (
                t.name, st.period // 10, st.deadline // 10, st.cost // 10, st.misses,
                " (held)" if st.held else ""))
        if self.ready:
            print("  ready: %s" % " ".join(t.name for t in self.ready))
        self.inner.show()

    def __len__(self):
        return len(self.ready) + len(self.held) + len(self.inner)
