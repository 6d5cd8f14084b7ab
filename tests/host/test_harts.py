"""Host tests: several harts' schedulers (kernel/thread/kthread.py's Cpu,
kernel/thread/harts.py), with the fake `kern` playing two harts.  The
interpreter lock's hand-over is played by calling kthread.enter_hart(),
as cstubs/pylock.c does when a different hart takes the lock."""

import pytest

from tests.host.test_kernel import kern, kthread   # noqa: F401 (fixtures)
from kernel.sched.base import NEW, WOKEN


@pytest.fixture
def two(kern, kthread, monkeypatch):
    """Hart 0 booted (kthread.init), then hart 1 joined as harts.hart_main
    does; hart 0 holds the lock again at the end.  -> (kthread, harts, cpu0, cpu1)."""
    from kernel.thread import harts
    kern.harts = 2
    kern.hart_id = 1
    idle1 = kern.thread_new(None, None)
    monkeypatch.setattr(kern, "thread_current", lambda: idle1)
    cpu1 = harts.join(1)
    kern.hart_id = 0
    kthread.enter_hart(0)
    return kthread, harts, kthread.cpus[0], cpu1


def test_joining_gives_each_hart_its_own_scheduler(two):
    kthread, harts, cpu0, cpu1 = two
    assert kthread.several and kthread.online == [cpu0, cpu1]
    assert kthread.here is cpu0 and kthread.current is cpu0.idle_thread
    assert cpu1.idle_thread.name == "idle1" and cpu1.idle_thread.cpu is cpu1
    assert cpu1.policy is not cpu0.policy and cpu1.policy.name == cpu0.policy.name
    assert kthread.policy is cpu0.policy


def test_enter_hart_swaps_the_per_hart_globals(two):
    kthread, harts, cpu0, cpu1 = two
    kthread.need_resched = True
    kthread.enter_hart(1)
    assert kthread.here is cpu1 and kthread.current is cpu1.idle_thread
    assert kthread.policy is cpu1.policy and kthread.need_resched is False
    kthread.enter_hart(0)
    assert kthread.here is cpu0 and kthread.policy is cpu0.policy
    assert kthread.need_resched is True          # hart 0's, kept while hart 1 ran


def test_a_thread_woken_for_another_hart_goes_there_as_mail(kern, two):
    kthread, harts, cpu0, cpu1 = two
    t = kthread.spawn("sleeper", lambda: None)
    kthread.policy.remove(t)                    # (as if it ran, then slept on hart 1)
    kthread.migrate(t, cpu1)
    t.state = kthread.SLEEPING
    kthread.sleepers["chan"] = t
    t.chan = "chan"
    kern.ipis.clear()
    kthread.wakeup("chan")                      # hart 0 wakes it...
    assert t.state == kthread.RUNNABLE and not t.sched.queued
    assert t not in kthread.policy.threads()    # ...but never queues it here
    assert cpu1.mail == [WOKEN, t] and kern.ipis == [1]
    kthread.enter_hart(1)                       # hart 1 takes the lock, reads its mail
    harts.deliver_mail()
    assert cpu1.mail == [] and kthread.policy.threads() == [t] and t.sched.queued


def test_one_ipi_for_a_mailbox_however_full(kern, two):
    kthread, harts, cpu0, cpu1 = two
    a, b = kthread.spawn("a", lambda: None), kthread.spawn("b", lambda: None)
    kern.ipis.clear()
    cpu1.mail.clear()
    for t in (a, b):
        kthread.policy.remove(t)
        t.state = kthread.RUNNABLE
        kthread.migrate(t, cpu1)
        kthread.send(cpu1, NEW, t)
    assert kern.ipis == [1] and cpu1.mail == [NEW, a, NEW, b]


def test_a_new_thread_starts_on_the_least_loaded_hart(two):
    kthread, harts, cpu0, cpu1 = two
    busy = kthread.spawn("busy", lambda: None)   # hart 0 runs it; hart 1 is idle
    kthread.policy.remove(busy)
    kthread.current = busy
    busy.state = kthread.RUNNING
    t = kthread.spawn("worker", lambda: None)
    assert t.cpu is cpu1 and cpu1.mail == [NEW, t]


def test_an_idle_hart_steals_a_queued_thread_but_never_a_wired_one(kern, two):
    kthread, harts, cpu0, cpu1 = two
    wired = kthread.spawn("wired", lambda: None)
    free = kthread.spawn("free", lambda: None)
    for t in (wired, free):
        if t.cpu is not cpu0:                      # placement may have sent it on: bring it back
            cpu1.mail.clear()
            kthread.migrate(t, cpu0)
            kthread.policy.enqueue(t, NEW, kern.now)
    wired.wired = 0
    kthread.give_work(cpu1)                       # hart 1 asked (MAIL_STEAL)
    assert free.cpu is cpu1 and cpu1.mail == [NEW, free]
    assert wired.cpu is cpu0 and kthread.policy.threads() == [wired]
    cpu1.mail.clear()
    kthread.give_work(cpu1)                       # only the wired one is left: it stays
    assert cpu1.mail == [] and wired.cpu is cpu0


def test_wire_moves_a_queued_thread_to_its_hart(kern, two):
    kthread, harts, cpu0, cpu1 = two
    t = kthread.spawn("t", lambda: None)
    if t.cpu is not cpu0:
        cpu1.mail.clear()
        kthread.migrate(t, cpu0)
        kthread.policy.enqueue(t, NEW, kern.now)
    harts.wire(t, 1)
    assert t.wired == 1 and t.cpu is cpu1 and not t.sched.queued
    assert cpu1.mail == [NEW, t]


def test_a_thread_running_on_another_hart_is_kicked_not_woken(kern, two):
    kthread, harts, cpu0, cpu1 = two
    t = kthread.spawn("t", lambda: None)
    kthread.policy.remove(t)
    kthread.migrate(t, cpu1)
    t.state = kthread.RUNNING                     # hart 1 runs it, in user mode
    cpu1.current = t
    kthread.wake(t)                               # kill() does this
    assert kern.kicks == [1] and t.state == kthread.RUNNING
