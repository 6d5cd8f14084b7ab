"""The LWP bookkeeping (kernel/proc/lwp.py) under CPython with the fake
`kern`: what needs no thread to really run -- creating LWPs and their
limits, unpark before park, suspend and continue flags, lwp_wait's
refusals, what ps says -- and that a thread whose scheduling fails half-way
is undone (kthread.spawn_at).  The booted kernel runs the rest
(tests/qemu/test_lwp.py, user/lwptests.c)."""

import pytest

from tests.host.test_kernel import kern, kthread, spawn_and_run   # noqa: F401 (fixtures)


class FakeProc:
    """What lwp.py reads of a process."""

    def __init__(self, kern, thread):
        self.pid = 7
        self.name = "p"
        self.size = 64 * 1024
        self.killed = False
        self.note_pending = False
        self.lwp_cpu = 0
        self.thread = thread
        self.trapframe = kern.kalloc()
        self.pagetable = kern.kalloc()
        self.lwps = None


@pytest.fixture
def lwp(kern):
    from kernel.proc import lwp
    return lwp


@pytest.fixture
def proc(kern, kthread):
    return FakeProc(kern, spawn_and_run(kthread, "p"))


def body(p, new):
    pass


def test_create_makes_lid_1_of_the_caller_and_a_new_lwp(kern, kthread, lwp, proc):
    tf = proc.trapframe
    lid = lwp.create(proc, body, 0x100, 42, 0x8000, 0)
    assert lid == 2
    ls = proc.lwps
    assert sorted(ls.table) == [1, 2] and ls.live == 2
    first, new = ls.table[1], ls.table[2]
    assert first.trapframe == tf and first.thread is proc.thread
    assert proc.trapframe == 0                        # "the running LWP's"
    assert lwp.current(proc) is first
    assert kern.tf_get(new.trapframe, kern.FIELD_EPC) == 0x100
    assert kern.tf_get(new.trapframe, kern.REG_SP) == 0x8000
    assert kern.tf_get(new.trapframe, kern.REG_A0) == 42
    assert kern.tf_get(new.trapframe, kern.FIELD_HOLD) == 0
    assert kern.processes[new.thread.handle] == (7, new.trapframe)
    assert new.thread.state == kthread.RUNNABLE and new.thread.args == (proc, new)
    assert lwp.started(proc, new)
    assert lwp.state_name(new) == ("runnable", "")


def test_create_refuses_bad_arguments_and_past_the_limit(kern, lwp, proc, monkeypatch):
    assert lwp.create(proc, body, 0x100, 0, 0x8000, 0x1) == -1          # flags
    assert lwp.create(proc, body, proc.size, 0, 0x8000, 0) == -1        # entry
    assert lwp.create(proc, body, 0x100, 0, proc.size + 16, 0) == -1    # stack
    assert lwp.create(proc, body, 0x100, 0, 0, 0) == -1
    monkeypatch.setattr(lwp, "MAX_LWPS", 3)
    assert lwp.create(proc, body, 0, 0, 0x8000, 0) == 2                 # entry 0 is text
    assert lwp.create(proc, body, 0, 0, 0x8000, 0) == 3
    assert lwp.create(proc, body, 0, 0, 0x8000, 0) == -1
    free = kern.free
    kern.free = 0                                                       # no page for a trapframe
    monkeypatch.setattr(lwp, "MAX_LWPS", 10)
    assert lwp.create(proc, body, 0, 0, 0x8000, 0) == -1
    kern.free = free
    assert sorted(proc.lwps.table) == [1, 2, 3]


def test_create_suspended_holds_the_trapframe(kern, lwp, proc):
    lid = lwp.create(proc, body, 0x100, 0, 0x8000, lwp.LWP_SUSPENDED | lwp.LWP_DETACHED)
    new = proc.lwps.table[lid]
    assert kern.tf_get(new.trapframe, kern.FIELD_HOLD) == 1 and new.detached
    assert lwp.state_name(new) == ("runnable", "(suspending)")


def test_unpark_before_park_is_not_lost(kern, kthread, lwp, proc):
    me = lwp.lwps_of(proc).table[1]
    assert lwp.unpark(me) == 0 and me.unparked
    switches = list(kern.switches)
    assert lwp.park(proc, me, 0) == 0                 # at once: no sleep
    assert kern.switches == switches and not me.unparked and not me.parked
    assert lwp.park(proc, me, -1) == -1
    assert lwp.unpark(None) == -1


def test_park_sleeps_on_the_lwp_and_unpark_wakes_it(kern, kthread, lwp, proc, monkeypatch):
    lid = lwp.create(proc, body, 0x100, 0, 0x8000, 0)
    me, other = proc.lwps.table[1], proc.lwps.table[lid]
    slept = []

    def sleep(chan):                                  # an unpark comes meanwhile
        slept.append((chan, me.parked))
        me.unparked = True
    monkeypatch.setattr(kthread, "sleep", sleep)
    assert lwp.park(proc, me, 0) == 0
    assert slept == [(me, lwp.PARKED)] and not me.parked and not me.unparked
    monkeypatch.undo()
    # other asleep in its park: unpark makes its thread runnable.
    other.parked = lwp.PARKED
    other.thread.state = kthread.SLEEPING
    other.thread.chan = other
    kthread.sleepers[other] = other.thread
    assert lwp.state_name(other) == ("sleeping", "lwp_park")
    assert lwp.unpark(other) == 0
    assert other.unparked and other.thread.state == kthread.RUNNABLE
    assert other not in kthread.sleepers


def test_suspend_and_continue(kern, lwp, proc):
    lid = lwp.create(proc, body, 0x100, 0, 0x8000, 0)
    other = proc.lwps.table[lid]
    assert lwp.suspend(proc, lid) == 0
    assert kern.tf_get(other.trapframe, kern.FIELD_HOLD) == 1
    assert lwp.suspend(proc, 1) == -1                 # the only one not suspended
    assert lwp.continue_(proc, lid) == 0
    assert kern.tf_get(other.trapframe, kern.FIELD_HOLD) == 0
    assert lwp.suspend(proc, 1) == 0                  # now another could continue it
    assert lwp.suspend(proc, 99) == -1 and lwp.continue_(proc, 99) == -1


def test_wait_refusals(kern, lwp, proc):
    assert lwp.wait(proc, 0) == -1                    # no LWPs at all
    lid = lwp.create(proc, body, 0x100, 0, 0x8000, lwp.LWP_DETACHED)
    assert lwp.wait(proc, 1) == -1                    # itself
    assert lwp.wait(proc, 99) == -1                   # unknown
    assert lwp.wait(proc, lid) == -1                  # detached
    proc.lwps.waiters = 1                             # the other LWP waits too
    assert lwp.wait(proc, 0) == -1                    # a deadlock


def test_a_zombie_is_collected_once(kern, lwp, proc):
    lid = lwp.create(proc, body, 0x100, 0, 0x8000, 0)
    proc.lwps.table[lid].state = lwp.ZOMB
    proc.lwps.table[lid].thread = None
    proc.lwps.live = 1
    assert lwp.wait(proc, 0) == lid
    assert lwp.wait(proc, lid) == -1 and lid not in proc.lwps.table


def test_spawn_undoes_a_thread_whose_scheduling_fails(kern, kthread, monkeypatch):
    def no_memory(thread, why, now):
        raise MemoryError
    monkeypatch.setattr(kthread, "_enqueue", no_memory)
    before = dict(kthread.threads)
    with pytest.raises(MemoryError):
        kthread.spawn("x", print)
    assert kthread.threads == before and len(kern.freed_threads) == 1
