"""The scheduling policies' pure logic under CPython (kernel/sched/): round
robin, Plan 9 priorities and EDF, each driven by hand for its promises and
by long random event sequences for the invariant every policy keeps: every
runnable thread but the running one is queued exactly once."""

import random

import pytest

from kernel import sched
from kernel.sched import base
from kernel.sched.base import NEW, WOKEN, PREEMPTED, YIELDED, MS, NEVER, State
from kernel.sched.roundrobin import RoundRobin
from kernel.sched.plan9 import Plan9
from tests.host.test_kernel import kern, kthread, spawn_and_run   # noqa: F401 (fixtures)

SECOND = base.TIMEBASE_HZ


class T:
    def __init__(self, name, kernel=False):
        self.name = name
        self.sched = State(kernel)

    def __repr__(self):
        return "<T %s>" % self.name


def make(name):
    return sched.make(name, 64)


# ---- round robin ----

def test_round_robin_is_fifo():
    rr = RoundRobin(8)
    assert len(rr) == 0 and rr.pick_next(0) is None
    a, b, c = T("a"), T("b"), T("c")
    for t in (a, b, c):
        assert rr.enqueue(t, NEW, 0) is False        # round robin never preempts early
    assert len(rr) == 3
    assert rr.pick_next(0) is a
    rr.enqueue(a, YIELDED, 0)                        # back of the line
    assert [rr.pick_next(0) for _ in range(3)] == [b, c, a]
    assert rr.pick_next(0) is None and len(rr) == 0


def test_round_robin_quantum_is_a_parameter():
    rr = RoundRobin(4, quantum=3 * MS)
    a, b = T("a"), T("b")
    rr.enqueue(a, NEW, 0)
    assert rr.pick_next(100) is a
    assert rr.next_timer(a, 100) == 100 + 3 * MS
    assert rr.next_timer(None, 100) == NEVER           # idle: no timer at all
    assert rr.tick(a, 100 + 3 * MS) is False           # alone: another slice
    assert rr.next_timer(a, 0) == 100 + 6 * MS
    rr.enqueue(b, WOKEN, 200)
    assert rr.tick(a, 100 + 5 * MS) is False           # slice not over
    assert rr.tick(a, 100 + 6 * MS) is True            # over, and b waits


def test_round_robin_remove_keeps_order():
    rr = RoundRobin(8)
    ts = [T(i) for i in range(5)]
    for t in ts:
        rr.enqueue(t, NEW, 0)
    rr.remove(ts[2])
    rr.remove(ts[2])                                   # harmless twice
    assert rr.threads() == [ts[0], ts[1], ts[3], ts[4]]
    assert not ts[2].sched.queued


# ---- Plan 9 ----

def test_highest_bit():
    for v in range(1, 1 << 12):
        assert base.highest_bit(v) == v.bit_length() - 1
    assert base.highest_bit(1 << 19) == 19


def test_plan9_runs_the_highest_priority_first_fifo_within():
    p9 = Plan9(16)
    low, hi1, hi2 = T("low"), T("hi1"), T("hi2")
    low.sched.base = 3
    for t in (low, hi1, hi2):
        p9.enqueue(t, NEW, 0)
    assert p9.runq.highest() == 10 and p9.runq.items(3) == [low]
    assert [p9.pick_next(0) for _ in range(3)] == [hi1, hi2, low]
    assert p9.runq.highest() == -1 and len(p9) == 0


def test_plan9_hog_sinks_and_sleeper_earns_its_priority_back():
    p9 = Plan9(16)
    hog, other = T("hog"), T("other")
    p9.enqueue(hog, NEW, 0)
    p9.enqueue(other, NEW, 0)
    now = 0
    assert p9.pick_next(now) is hog
    # The hog runs for a second, quantum after quantum; `other` sleeps.
    p9.remove(other)
    while now < SECOND:
        now += 10 * MS
        p9.tick(hog, now)
    assert hog.sched.cpu > 400 and hog.sched.pri < 10
    # Asleep for two windows, its cpu decays: back at its base priority.
    p9.blocked(hog, now)
    now += 2 * p9.window
    p9.enqueue(hog, WOKEN, now)
    assert hog.sched.cpu == 0 and hog.sched.pri == hog.sched.base


def test_plan9_wakeup_of_a_higher_priority_preempts():
    p9 = Plan9(16)
    hog, sleeper = T("hog"), T("sleeper")
    p9.enqueue(hog, NEW, 0)
    assert p9.pick_next(0) is hog
    now = 0
    while now < SECOND:
        now += 10 * MS
        p9.tick(hog, now)
    assert p9.enqueue(sleeper, WOKEN, now) is True     # sleeper: 10, hog: sunk
    assert p9.tick(hog, now) is True                   # anyhigher()


def test_plan9_fixed_priority_never_decays():
    p9 = Plan9(16)
    k = T("kproc", kernel=True)
    other = T("other")
    p9.enqueue(k, NEW, 0)
    assert p9.pick_next(0) is k
    p9.enqueue(other, NEW, 0)
    now = 0
    for _ in range(300):
        now += 10 * MS
        assert p9.tick(k, now) is False                # fixed: keeps the CPU
    assert k.sched.pri == base.PRI_KPROC


def test_plan9_no_starvation_within_the_window():
    # Two hogs, bases 10 and 2: the low one gets the CPU within a window.
    p9 = Plan9(16)
    high, low = T("high"), T("low")
    low.sched.base = 2
    ran = {high: 0, low: 0}
    p9.enqueue(high, NEW, 0)
    p9.enqueue(low, NEW, 0)
    now = 0
    running = p9.pick_next(now)
    while now < 3 * SECOND:
        now += 10 * MS
        ran[running] += 1
        if p9.tick(running, now):
            p9.enqueue(running, PREEMPTED, now)
            running = p9.pick_next(now)
    assert ran[low] > 0 and ran[high] > ran[low]


# ---- EDF ----

def edf_over(inner="rr"):
    return sched.make("edf+" + inner, 64)


def test_make_names_and_rejects():
    assert make("rr").name == "rr" and make("plan9").name == "plan9"
    e = make("edf+plan9")
    assert e.name == "edf" and e.inner.name == "plan9"
    with pytest.raises(ValueError):
        make("nosuch")
    with pytest.raises(ValueError):
        make("edf+edf")


def test_edf_admission_control():
    e = edf_over()
    a, b, c = T("a"), T("b"), T("c")
    assert e.admit(a, 100 * MS, 100 * MS, 50 * MS, 0)          # 50%
    assert e.admit(b, 40 * MS, 40 * MS, 16 * MS, 0)            # +40%
    assert not e.admit(c, 10 * MS, 10 * MS, 1 * MS, 0)         # +10% > 95%: refused
    assert not c.sched.admitted and e.tasks == [a, b]          # and nothing changed
    assert not e.admit(c, 10 * MS, 20 * MS, 1 * MS, 0)         # deadline > period
    assert not e.admit(c, 10 * MS, 10 * MS, 0, 0)              # no cost
    assert e.admit(a, 100 * MS, 100 * MS, 40 * MS, 0)          # a shrinks its own share
    assert e.admit(c, 10 * MS, 10 * MS, 1 * MS, 0)             # now it fits
    e.withdraw(b, 0)
    assert e.tasks == [a, c] and not b.sched.admitted


def test_edf_runs_before_time_sharing_earliest_deadline_first():
    e = edf_over()
    ts, late, early = T("ts"), T("late"), T("early")
    e.enqueue(ts, NEW, 0)
    for t, d in ((late, 50), (early, 20)):
        e.admit(t, 100 * MS, d * MS, 5 * MS, 0)
        e.enqueue(t, YIELDED, 0)         # admitted while running; back in line
    assert [e.pick_next(0) for _ in range(3)] == [early, late, ts]


def test_edf_release_preempts_time_sharing():
    e = edf_over()
    ts, rt = T("ts"), T("rt")
    e.admit(rt, 100 * MS, 100 * MS, 10 * MS, 0)
    e.job_done(rt, 1 * MS)
    e.enqueue(rt, YIELDED, 1 * MS)
    assert rt.sched.held
    e.enqueue(ts, NEW, 1 * MS)
    assert e.pick_next(1 * MS) is ts
    assert e.next_timer(ts, 1 * MS) == min(100 * MS, 1 * MS + 10 * MS)
    assert e.tick(ts, 100 * MS) is True          # released: it preempts
    e.enqueue(ts, PREEMPTED, 100 * MS)
    assert e.pick_next(100 * MS) is rt and rt.sched.budget == 10 * MS
    assert rt.sched.misses == 0


def test_edf_budget_spent_holds_until_release_and_counts_a_miss():
    e = edf_over()
    rt, ts = T("rt"), T("ts")
    e.admit(rt, 100 * MS, 100 * MS, 10 * MS, 0)
    e.enqueue(ts, NEW, 0)
    assert e.next_timer(rt, 0) == 10 * MS        # the budget's end
    assert e.tick(rt, 10 * MS) is True           # spent
    e.enqueue(rt, PREEMPTED, 10 * MS)
    assert rt.sched.held
    assert e.pick_next(10 * MS) is ts            # held back: time-sharing runs
    assert e.pick_next(50 * MS) is None
    e.enqueue(ts, PREEMPTED, 100 * MS)
    assert e.pick_next(100 * MS) is rt           # released at its next period
    assert rt.sched.misses == 1                  # its job was never done


def test_edf_late_completion_is_a_miss():
    e = edf_over()
    rt = T("rt")
    assert e.admit(rt, 100 * MS, 30 * MS, 20 * MS, 0)
    e.job_done(rt, 31 * MS)                      # done, but after its deadline
    assert rt.sched.misses == 1
    e.enqueue(rt, YIELDED, 31 * MS)
    assert e.pick_next(99 * MS) is None
    assert e.pick_next(100 * MS) is rt and rt.sched.misses == 1


def test_edf_simulated_set_at_90_percent_meets_every_deadline():
    # Three periodic tasks (90% of the CPU) beside two hogs, simulated in
    # 1 ms steps: each works its cost then rtwaits; no deadline is missed.
    e = edf_over("plan9")
    tasks = [(T("a"), 20, 6), (T("b"), 50, 15), (T("c"), 100, 30)]   # 30% each
    work = {}
    for t, period, cost in tasks:
        assert e.admit(t, period * MS, period * MS, cost * MS, 0)
        e.enqueue(t, YIELDED, 0)
        work[t] = cost * MS
    costs = {t: cost * MS for t, _, cost in tasks}
    for h in (T("h1"), T("h2")):
        e.enqueue(h, NEW, 0)
    now = 0
    running = e.pick_next(now)
    while now < 2 * SECOND:
        step = 1 * MS // 2
        now += step
        if running.sched.admitted:
            work[running] -= step
            if work[running] <= 0:
                e.job_done(running, now)
                work[running] = costs[running]
                e.enqueue(running, YIELDED, now)
                running = e.pick_next(now)
                continue
        if e.tick(running, now):
            e.enqueue(running, PREEMPTED, now)
            running = e.pick_next(now)
    assert [t.sched.misses for t, _, _ in tasks] == [0, 0, 0]


# ---- every policy: random event sequences ----

POLICY_NAMES = ["rr", "plan9", "edf+rr", "edf+plan9"]


def check_invariant(policy, threads, running):
    queued = policy.threads()
    for t in threads:
        n = sum(1 for q in queued if q is t)
        if t.state == "runnable" and t is not running:
            assert n == 1 and t.sched.queued, (t, n)
        else:
            assert n == 0 and not t.sched.queued, (t, t.state, n)
    assert len(policy) == len(queued)


@pytest.mark.parametrize("name", POLICY_NAMES)
@pytest.mark.parametrize("seed", range(25))
def test_random_events_keep_every_runnable_thread_queued_once(name, seed):
    rng = random.Random(seed)
    policy = make(name)
    threads = []
    running = None
    now = 0

    def run_next():
        nonlocal running
        running = policy.pick_next(now)
        if running is not None:
            assert running.state == "runnable"

    for step in range(400):
        now += rng.randrange(0, 3 * MS)
        action = rng.randrange(9)
        if action == 0 and len(threads) < 40:                 # spawn
            t = T("t%d" % len(threads), kernel=rng.random() < 0.2)
            t.state = "runnable"
            threads.append(t)
            policy.enqueue(t, NEW, now)
        elif action == 1 and running is not None:              # sleep
            policy.blocked(running, now)
            running.state = "sleeping"
            run_next()
        elif action == 2:                                      # wakeup
            sleepers = [t for t in threads if t.state == "sleeping"]
            if sleepers:
                t = rng.choice(sleepers)
                t.state = "runnable"
                policy.enqueue(t, WOKEN, now)
        elif action == 3 and running is not None:              # yield / preempt
            why = rng.choice((YIELDED, PREEMPTED))
            if rng.random() < 0.5:                             # in one call
                running = policy.requeue(running, why, now)
                assert running is None or running.state == "runnable"
            else:
                policy.enqueue(running, why, now)
                run_next()
        elif action == 4 and running is not None:              # exit
            policy.exited(running, now)
            running.state = "exited"
            run_next()
        elif action == 5:                                      # the timer
            if policy.tick(running, now) and running is not None:
                policy.enqueue(running, PREEMPTED, now)
                run_next()
            policy.next_timer(running, now)
        elif action == 6 and running is None:                  # idle picks
            run_next()
        elif action == 7 and name.startswith("edf") and running is not None:
            if rng.random() < 0.5:                             # real-time terms
                period = rng.randrange(5, 50) * MS
                policy.admit(running, period, period, rng.randrange(1, 5) * MS, now)
            elif running.sched.admitted:
                policy.job_done(running, now)
                policy.enqueue(running, YIELDED, now)
                run_next()
        elif action == 8:                                      # remove (moved away)
            candidates = [t for t in threads if t.state == "runnable" and t is not running]
            if candidates:
                t = rng.choice(candidates)
                policy.remove(t)
                t.state = "gone"
        check_invariant(policy, threads, running)
        assert policy.next_timer(running, now) >= 0


# ---- the thread layer with each policy: switching, the boot argument, the timer ----

def test_boot_argument_chooses_the_policy_and_quantum(kern):
    from kernel.thread import kthread
    kern.bootargs_text = "sched=edf+plan9 quantum=5000"
    kthread.init()
    assert kthread.policy.name == "edf" and kthread.policy.inner.name == "plan9"
    assert kthread.policy.inner.quantum == 5000 * base.US


def test_a_bad_boot_argument_falls_back_to_round_robin(kern, capsys):
    from kernel.thread import kthread
    kern.bootargs_text = "sched=nosuch"
    kthread.init()
    assert kthread.policy.name == "rr"
    assert "no scheduling policy 'nosuch'" in capsys.readouterr().out


def test_switching_policy_loses_no_thread(kern, kthread):
    me = spawn_and_run(kthread, "monitor")
    ts = [kthread.spawn("p%d" % i, print) for i in range(20)]
    sleeper = ts[7]
    kthread.policy.remove(sleeper)
    sleeper.state = kthread.SLEEPING
    for name in ("plan9", "edf", "rr", "edf+rr", "plan9", "rr"):
        kthread.current = me
        me.state = kthread.RUNNING
        kthread.use(name)
        queued = kthread.policy.threads()
        runnable = [t for t in ts if t.state == kthread.RUNNABLE] + [me]
        running = kthread.current
        expect = sorted((t.handle for t in runnable if t is not running))
        assert sorted(t.handle for t in queued) == expect, name
    assert kthread.policy.name == "rr"
    kthread.wake(sleeper)                            # woken into the new policy
    assert sleeper in kthread.policy.threads()


def test_no_timer_while_idle_and_one_per_quantum_while_busy(kern, kthread):
    from kernel.thread import timer
    assert kern.timer is None                        # idle, nobody sleeps: nothing armed
    kern.now = 1000
    a = kthread.spawn("a", print)
    kthread.run_next()
    assert kthread.current is a
    assert kern.timer == 1000 + sched.QUANTUM        # the quantum's end
    kthread.sleep("chan")                            # back to idle
    assert kern.timer == -1 and timer.deadline(timer.SCHED) == NEVER


def test_cpu_time_is_charged_at_switches(kern, kthread):
    kern.now = 0
    a = kthread.spawn("a", print)
    kthread.run_next()
    kern.now = 5 * MS
    assert kthread.cpu_time(a) == 5 * MS
    kthread.sleep("x")
    kern.now = 9 * MS
    assert kthread.cpu_time(a) == 5 * MS


def test_load_average_follows_the_runnable_threads(kern, kthread):
    kern.now = 0
    kthread.account_load(0)
    a = kthread.spawn("a", print)
    kthread.spawn("b", print)
    kthread.run_next()                              # a runs, b waits: two runnable
    assert kthread.current is a
    for step in range(1, 51):
        kthread.account_load(step * base.TIMEBASE_HZ // 10)
    assert 1980 <= kthread.load <= 2000
    kthread.sleep("x")                              # b runs alone now
    kthread.account_load(6 * base.TIMEBASE_HZ)      # a second later: about one
    assert kthread.load == 1000


def test_run_queue_is_fifo_by_priority():
    # The Python model of kern.RunQueue (kernel/sched/runq.py); the C one
    # runs every switch in the QEMU tests.
    from kernel.sched.runq import RunQueue
    q = RunQueue(20, 4)
    q.quantum = 7
    a, b, c, d = T("a"), T("b"), T("c"), T("d")
    assert q.get() is None and q.highest() == -1 and not q
    q.put(a, 3)
    q.put(b, 10)
    q.put(c, 10)
    assert a.sched.queued and len(q) == 3 and q.highest() == 10 and q.items(10) == [b, c]
    assert q.take(100) is b and q.running is b and not b.sched.queued
    assert b.sched.running_since == 100 and b.sched.slice_end == 107
    d.sched.pri = 2
    d.sched.running_since = 90
    assert q.requeue(d, YIELDED, 100) is c        # d queued behind; the highest head runs
    assert d.sched.ran == 10 and d.sched.queued and q.running is c
    c.sched.pri = 19
    assert q.requeue(c, YIELDED, 105) is c        # nobody at 19 or above: c runs on
    assert c.sched.slice_end == 112 and not c.sched.queued and c.sched.ran == 5
    q.stop(c, 110)
    assert q.running is None and c.sched.ran == 10
    assert q.remove(a, 3) and not q.remove(a, 3) and not a.sched.queued
    assert [q.get() for _ in range(2)] == [d, None]
    for t in (a, b, c, d):
        q.put(t, 0)
    with pytest.raises(OverflowError):
        q.put(T("e"), 0)


@pytest.mark.parametrize("name", POLICY_NAMES)
def test_requeue_is_enqueue_then_pick_next(name):
    one, two = make(name), make(name)
    for policy in (one, two):
        ts = [T("t%d" % i) for i in range(4)]
        for t in ts:
            policy.enqueue(t, NEW, 0)
        policy.tick(None, 0)
        policy.running_thread = policy.pick_next(0)
    a, b = one.running_thread, two.running_thread
    one.enqueue(a, YIELDED, 5)
    got = [one.pick_next(5)]
    got2 = [two.requeue(b, YIELDED, 5)]
    assert [t.name for t in got] == [t.name for t in got2]
    assert [t.name for t in one.threads()] == [t.name for t in two.threads()]


class HooksOnly:
    """A policy with only the interface's required hooks (no requeue, no
    slice_timer), as a course lab writes one: the thread layer must drive
    it through enqueue and pick_next alone."""

    name = "hooks-only"

    def __init__(self):
        self.queue = []
        self.rearm = False

    def enqueue(self, thread, why, now):
        thread.sched.queued = True
        self.queue.append(thread)
        return False

    def pick_next(self, now):
        if not self.queue:
            return None
        thread = self.queue.pop(0)
        thread.sched.queued = False
        return thread

    def blocked(self, thread, now):
        pass

    exited = blocked

    def tick(self, thread, now):
        return False

    def next_timer(self, thread, now):
        return NEVER if thread is None else now + 7 * MS

    def remove(self, thread):
        if thread.sched.queued:
            thread.sched.queued = False
            self.queue.remove(thread)

    def threads(self):
        return list(self.queue)

    def reset(self, quantum):
        pass

    def __len__(self):
        return len(self.queue)


def test_a_policy_with_the_required_hooks_alone_schedules(kern, kthread):
    from tests.host.test_kernel import spawn_and_run
    kthread._install(HooksOnly())
    a = spawn_and_run(kthread, "a")
    b = kthread.spawn("b", print)
    kern.now = 100
    kthread.yield_()                                   # enqueue(a) + pick_next: b runs
    assert kthread.current is b and kern.switches[-1] == b.handle
    assert kern.timer == 100 + 7 * MS                  # its next_timer, asked at the switch
    assert kthread.policy.threads() == [a] and a.state == kthread.RUNNABLE
    kthread.sleep("x")                                 # b blocks: a runs again
    assert kthread.current is a and kthread.sleeping_on("x") == [b]
    kthread.wakeup("x")
    kthread.yield_()
    assert kthread.current is b and kthread.policy.threads() == [a]
