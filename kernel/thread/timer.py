# One-shot timers on the one Sstc comparator: the scheduler's and the clock's.
#
# stimecmp holds one deadline; this module shares it between a few fixed
# slots (SCHED: the policy's quantum, budget or release; TICK: the next
# 100 ms tick someone sleeps for), programming the earliest.  Nothing is
# programmed when no slot has a deadline, so an idle machine with nobody
# to wake takes no timer interrupts at all.  The C side silences the
# comparator when it fires (cstubs/trap.c) and sets EV_TIMER; fired() then
# runs every slot whose time has come, and programs the next.
import kern

from kernel.compat import const
from kernel.sched.base import NEVER

SCHED = const(0)
TICK = const(1)
NSLOTS = const(2)

deadlines = [NEVER] * NSLOTS
handlers = [None] * NSLOTS       # slot -> handler(now)
programmed = NEVER               # what stimecmp holds now
fires = 0                        # timer interrupts handled (bench, tests)


def on_timer(slot, handler):
    handlers[slot] = handler


def _program():
    global programmed
    d = deadlines[0] if deadlines[0] < deadlines[1] else deadlines[1]
    if d != programmed:
        programmed = d
        kern.set_timer(-1 if d == NEVER else d)


def arm(slot, when):
    """Call the slot's handler at time `when` (NEVER cancels)."""
    deadlines[slot] = when
    _program()


def fired():
    """EV_TIMER: run the handlers whose time has come; program the next."""
    global programmed, fires
    fires += 1
    programmed = NEVER            # the C side silenced the comparator
    now = kern.time()
    for slot in range(NSLOTS):
        if deadlines[slot] <= now:
            deadlines[slot] = NEVER
            handlers[slot](now)
    _program()
