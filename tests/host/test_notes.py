"""Host tests of notes (kernel/proc/notes.py, sysnotes.py): the queue, the
handler's entry and return, the default action, alarms on the clock's
tick, exec, and ^C to the foreground group.  The booted kernel's tests are
tests/qemu/test_notes.py (notetests)."""

import pytest

from tests.host.test_kernel import kern, kthread, spawn_and_run, type_keys  # noqa: F401 (fixtures)

TF = 0x8020_0000            # a made-up trapframe address: the fake only records it


@pytest.fixture
def notes(kern, kthread):
    from kernel.proc import notes
    return notes


def make_proc(kthread, pid=5, name="prog"):
    from kernel.proc import proc
    p = proc.Proc(pid, name)
    p.state = proc.ALIVE
    p.thread = kthread.spawn(name, lambda: None)
    p.trapframe = TF
    p.pagetable = TF + 0x1000
    proc.procs[pid] = p
    return p


def put_to_sleep(kthread, p):
    kthread.policy.remove(p.thread)
    kthread.current = p.thread
    p.thread.state = kthread.RUNNING
    kthread.sleep(("some channel", p.pid))     # the fake switch returns at once
    assert p.thread.state == kthread.SLEEPING


def test_a_note_wakes_a_sleeper_and_is_pending(kern, kthread, notes):
    p = make_proc(kthread)
    put_to_sleep(kthread, p)
    assert notes.post(p, b"hello") == 0
    assert p.notes == [b"hello"] and p.note_pending
    assert p.thread.state == kthread.RUNNABLE          # out of its sleep, to notice


def test_a_note_is_cut_to_errmax(kern, kthread, notes):
    from kernel.abi.notes import ERRMAX
    p = make_proc(kthread)
    notes.post(p, b"x" * 500)
    assert p.notes == [b"x" * (ERRMAX - 1)]


def test_no_handler_dies_saying_the_note(kern, kthread, notes, capsys):
    p = make_proc(kthread, 7, "sleep")
    notes.post(p, b"interrupt")
    assert notes.deliver(p, 0) is False
    assert capsys.readouterr().out == "pid 7 (sleep): interrupt\n"


def test_the_handler_runs_and_noted_resumes(kern, kthread, notes):
    from kernel.abi.notes import NCONT
    p = make_proc(kthread)
    p.notify = 0x1234
    notes.post(p, b"one")
    assert notes.deliver(p, 42) is True
    # The interrupted call's result goes with the registers the handler gets.
    assert kern.notes_entered == [(TF, 0x1234, b"one", 42)]
    assert p.notified and not p.note_pending
    # A note while the handler runs waits: nothing pending, nobody woken.
    notes.post(p, b"two")
    assert p.notes == [b"one", b"two"] and not p.note_pending
    assert notes.noted(p, NCONT) is None                # None: the restored a0 stays
    assert kern.notes_returned == [TF]
    assert p.notes == [b"two"] and p.note_pending and not p.notified


def test_noted_refuses_and_ndflt_kills(kern, kthread, notes, capsys):
    from kernel.abi.notes import NCONT, NDFLT
    p = make_proc(kthread)
    assert notes.noted(p, NCONT) == -1                  # no handler runs
    p.notify = 0x1234
    notes.post(p, b"bye")
    notes.deliver(p, None)
    assert kern.notes_entered == [(TF, 0x1234, b"bye", None)]   # a0 None: left as it is
    assert notes.noted(p, 7) == -1 and p.notified       # neither NCONT nor NDFLT
    assert notes.noted(p, NDFLT) == -1
    assert p.killed and capsys.readouterr().out == "pid 5 (prog): bye\n"


def test_the_queue_is_bounded_and_overflow_kills(kern, kthread, notes, capsys):
    from kernel.abi.notes import NNOTE
    p = make_proc(kthread)
    for i in range(NNOTE):
        assert notes.post(p, b"n%d" % i) == 0
    assert notes.post(p, b"one too many") == -1
    assert p.killed and len(p.notes) == NNOTE
    assert capsys.readouterr().out == "pid 5 (prog): too many notes: killed\n"
    assert notes.post(p, b"after") == -1                # a killed process takes none


def test_no_room_on_the_user_stack_kills(kern, kthread, notes, capsys):
    p = make_proc(kthread)
    p.notify = 0x1234
    kern.user_stack_full = True
    notes.post(p, b"alarm")
    assert notes.deliver(p, None) is False
    assert "no room on the stack for note: alarm" in capsys.readouterr().out


def test_alarm_posts_on_the_tick(kern, kthread, notes):
    from kernel.dev import clock
    from kernel.thread import events
    clock.start()
    per_tick = kern.TIMEBASE_HZ // clock.TICKS_PER_SECOND
    p, q = make_proc(kthread, 5), make_proc(kthread, 6)
    assert notes.set_alarm(p, 3) == 0
    assert notes.set_alarm(q, 8) == 0
    assert kern.timer == 3 * per_tick                  # the earlier one is armed
    kern.now = 3 * per_tick
    kern.pending_events = kern.EV_TIMER
    events.poll()
    assert p.notes == [b"alarm"] and p.alarm_at == 0 and not q.notes
    assert kern.timer == 8 * per_tick                  # and then the next
    assert notes.alarmed == [q]
    # alarm(0) cancels, saying what was left; exit cancels too.
    assert notes.set_alarm(q, 0) == 5 and notes.alarmed == []
    notes.set_alarm(p, 2)
    notes.cancel_alarm(p)
    assert notes.alarmed == [] and p.alarm_at == 0


def test_exec_drops_the_handler(kern, kthread, notes):
    from kernel.abi.notes import NCONT
    child = make_proc(kthread, 6)
    child.notify = 0x1234
    notes.post(child, b"handled")
    notes.deliver(child, None)
    notes.post(child, b"waiting")
    notes.exec_done(child)                             # exec inside the handler
    assert child.notify == 0 and not child.notified
    assert child.notes == [b"waiting"] and child.note_pending
    assert notes.noted(child, NCONT) == -1


def test_ctrl_c_posts_interrupt_to_the_foreground_group(kern, kthread, notes):
    from kernel.dev import console
    from kernel.proc import sysnotes, proc
    console.init(console.USER)
    shell, a, b, other = (make_proc(kthread, pid) for pid in (2, 3, 4, 5))
    a.pgrp = b.pgrp = 3
    other.pgrp = 5
    # No foreground group: ^C only drops the line, and the reader gets an
    # empty one in its place.
    type_keys(console, b"ls\x03")
    assert console.queues[console.USER] == [b"\n"] and not a.notes
    console.queues[console.USER].clear()
    sysnotes.foreground = 3
    type_keys(console, b"typed\x03")
    assert a.notes == b.notes == [b"interrupt"] and not other.notes and not shell.notes
    assert console.queues[console.USER] == [] and console.editing == []
    assert sysnotes.interrupt(console.MONITOR) is False
    # init never takes a note, whatever its group.
    proc.init_proc = shell
    shell.pgrp = 3
    assert sysnotes.post_group(3, b"x") == 2 and not shell.notes
