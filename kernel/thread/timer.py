# One-shot timers on the one Sstc comparator: the scheduler's and the clock's.
#
# stimecmp holds one deadline; a few fixed slots share it (SCHED: the
# policy's quantum, budget or release; TICK: the next 100 ms tick someone
# sleeps for), and the earliest is programmed.  The slots themselves live
# in C (cstubs/modkern_sched.c), so that a switch sets the scheduler's
# deadline in the same call (kern.thread_switch).  Nothing is programmed
# when no slot has a deadline, so an idle machine with nobody to wake takes
# no timer interrupts at all.  The C side silences the comparator when it
# fires (cstubs/trap.c) and sets EV_TIMER; fired() then runs every slot
# whose time has come.
import kern

from kernel.compat import const

SCHED = const(0)
TICK = const(1)
NSLOTS = const(2)

handlers = [None] * NSLOTS       # slot -> handler(now)
fires = 0                        # timer interrupts handled (bench, tests)


def on_timer(slot, handler):
    handlers[slot] = handler


def arm(slot, when):
    """Call the slot's handler at time `when` (NEVER cancels)."""
    kern.timer_arm(slot, when)


def deadline(slot):
    """The slot's deadline, NEVER if none."""
    return kern.timer_deadline(slot)


def fired():
    """EV_TIMER: run the handlers whose time has come (they arm again)."""
    global fires
    fires += 1
    now = kern.time()
    due = kern.timer_due(now)
    if due & 1:
        handlers[SCHED](now)
    if due & 2:
        handlers[TICK](now)
