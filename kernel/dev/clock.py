# Time: xv6's 100 ms ticks for sleep() and uptime(), kept exact, and no
# interrupts for them unless somebody sleeps.
#
# As in xv6 a tick is 1/10 s (1,000,000 cycles of the 10 MHz timebase), so
# sleep()/uptime() keep xv6's units.  But the tick is no longer an
# interrupt that drives everything: uptime is computed from the `time` CSR
# (ticks = whole tick periods since start()), so it is exact however late
# or seldom interrupts come, and the one-shot timer (kernel/thread/timer.py)
# is armed for a tick boundary only while a thread sleeps until one.  The
# scheduler has its own, finer deadlines on the same timer.
import kern

from kernel.compat import const
from kernel.sched.base import NEVER
from kernel.thread import kthread, timer

TICKS_PER_SECOND = const(10)

ticks = 0            # timer ticks since boot, as of the last uptime()
tick_cycles = kern.TIMEBASE_HZ // TICKS_PER_SECOND    # timebase cycles per tick
start_time = 0       # kern.time() at tick 0
wake_at = NEVER      # the earliest tick boundary a sleeper waits for
tick_hooks = []      # hook(ticks) at every tick arm_tick() asked for (alarms: kernel/proc/notes.py)


def start():
    global start_time
    start_time = kern.time()
    timer.on_timer(timer.TICK, tick)


def uptime():
    """Ticks since boot, exact: whole tick periods of the `time` CSR."""
    global ticks
    ticks = (kern.time() - start_time) // tick_cycles
    return ticks


def tick(now):
    """The tick a sleeper waits for has come: wake the clock's sleepers
    (each checks its own target and, if it is not there yet, waits again)."""
    global wake_at
    wake_at = NEVER
    uptime()
    kthread.wakeup(tick)
    for hook in tick_hooks:
        hook(ticks)


def arm_tick(target):
    """Have tick() run when uptime() reaches target (or earlier)."""
    global wake_at
    when = start_time + target * tick_cycles
    if when < wake_at:
        wake_at = when
        timer.arm(timer.TICK, when)


def sleep_until(target):
    """Sleep until uptime() reaches target or someone wakes the thread (the
    caller loops, checking for kill and notes).  Arms the timer for that tick."""
    arm_tick(target)
    kthread.sleep(tick)


def busy_time():
    """`time` ticks since boot not spent idle in wfi.  Under QEMU's -icount
    with sleep=off the clock leaps ahead while the machine idles (say, for
    the disk), so boot and benchmark figures are measured in this."""
    return kern.time() - kern.idle_time()
