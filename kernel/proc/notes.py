# Notes: Plan 9's software interrupts, posted to a process as short texts.
#
# A note ("interrupt", "alarm", anything another process posts) waits in
# its process's queue, at most NNOTE of them (one more kills the process,
# as in Plan 9).  post() also wakes the process out of any sleep: the
# loops of the calls that block (sleep, wait, pipe and console reads and
# writes) see `note_pending`, as they see `killed`, and return -1.  Before
# the process next returns to user mode, its user loop calls deliver():
#
#   no handler         the default action: the process dies, and says so
#                      with the note's text
#   a handler          user mode resumes in handler(ureg, text) instead,
#                      on the same stack: kern.note_enter keeps the
#                      interrupted registers in the trapframe page and
#                      pushes the text and a copy of them (cstubs/modkern_notes.c)
#
# While the handler runs (`notified`) further notes wait their turn; it
# ends with noted(NCONT), which restores the registers, so the process
# goes on exactly where the note found it (a call the note interrupted
# returns -1), or with noted(NDFLT), the default action.  A process's
# `note_pending` is True exactly when a note waits and no handler runs:
# the one thing the user loop checks on every turn.
#
# (The user loop calls deliver() through its hook, userloop.deliver_note.)
#
# alarm(n) posts "alarm" n ticks from now, on the clock's tick timer
# (clock.arm_tick and its tick_hooks), so no thread waits for it.
#
# Notes belong to the process; they are delivered to its thread on the
# way back to user mode.
import kern

from kernel.abi.notes import ERRMAX, NNOTE, NCONT, NDFLT
from kernel.thread import kthread
from kernel.dev import clock
from kernel.proc import userloop

alarmed = []          # processes with an alarm set (alarm_at > 0), each once


def post(p, text):
    """Queue note `text` (bytes) for process p: 0, or -1 if p cannot take
    it (it is not running, or its queue was full: then p is killed)."""
    if p.thread is None or p.pagetable == 0 or p.killed:
        return -1                         # not started, exited, or dying
    if p.notes is None:
        p.notes = []
    elif len(p.notes) >= NNOTE:
        print("pid %d (%s): too many notes: killed" % (p.pid, p.name))
        p.killed = True
        kthread.wake(p.thread)
        return -1
    if len(text) >= ERRMAX:
        text = text[:ERRMAX - 1]
    p.notes.append(text)
    if not p.notified:
        p.note_pending = True
        kthread.wake(p.thread)            # out of any sleep, to notice
    return 0


def deliver(p, a0):
    """p, about to return to user mode with a0 (None: as it is), has a note
    pending: set up its handler.  False if p must die instead (no handler,
    no room on its stack), with the message said."""
    p.note_pending = False
    text = p.notes[0]
    if p.notify == 0:
        return die(p, text)
    # a0, the interrupted call's result, is kept with the other registers.
    if kern.note_enter(p.trapframe, p.pagetable, p.notify, text, a0) < 0:
        print("pid %d (%s): no room on the stack for note: %s" % (p.pid, p.name, readable(text)))
        return False
    p.notified = True
    return True


def die(p, text):
    print("pid %d (%s): %s" % (p.pid, p.name, readable(text)))
    return False


def readable(text):
    # A note is any bytes a program posted; say it as text if it is.
    try:
        return text.decode()
    except UnicodeError:
        return repr(text)


def noted(p, how):
    """The handler is done: NCONT resumes the interrupted code (None: the
    restored a0 stays), NDFLT kills p; -1 if no handler runs or `how` is
    neither."""
    if not p.notified or (how != NCONT and how != NDFLT):
        return -1
    text = p.notes.pop(0)
    p.notified = False
    if how == NDFLT:
        die(p, text)
        p.killed = True
        return -1
    kern.note_return(p.trapframe)
    if p.notes:
        p.note_pending = True
    return None


def set_alarm(p, ticks):
    """alarm(ticks): post "alarm" to p that many ticks from now (0 or less:
    no alarm).  The ticks the previous alarm had left, 0 if none."""
    now = clock.uptime()
    left = p.alarm_at - now if p.alarm_at > now else 0
    if ticks <= 0:
        cancel_alarm(p)
        return left
    if p.alarm_at == 0:
        alarmed.append(p)                 # first: it may fail, changing nothing
    p.alarm_at = now + ticks
    clock.arm_tick(p.alarm_at)
    return left


def cancel_alarm(p):
    """No alarm for p (alarm(0), exit)."""
    if p.alarm_at:
        p.alarm_at = 0
        alarmed.remove(p)


def alarms_due(ticks):
    """A tick came (clock.tick_hooks): post the alarms due, and have the
    timer come back for the next one."""
    if not alarmed:
        return
    earliest = 0
    i = len(alarmed)
    while i > 0:                          # backwards: entries are removed
        i -= 1
        p = alarmed[i]
        if p.alarm_at <= ticks:
            p.alarm_at = 0
            alarmed.pop(i)
            post(p, b"alarm")
        elif earliest == 0 or p.alarm_at < earliest:
            earliest = p.alarm_at
    if earliest:
        clock.arm_tick(earliest)


def exec_done(p):
    """A new program has no handler (the old one's address means nothing
    now): notes that come take the default action.  A note being handled
    is done with.  (exec is past its point of no return: this allocates
    nothing, storing only into attributes p already has.)"""
    if p.notified:
        p.notes.pop(0)
        p.notified = False
    if p.notify:
        p.notify = 0
    p.note_pending = bool(p.notes)


clock.tick_hooks.append(alarms_due)
userloop.deliver_note = deliver
