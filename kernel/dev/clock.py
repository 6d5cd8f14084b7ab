# The timer tick: Sstc's stimecmp raises an interrupt every TICK_CYCLES.
#
# As in xv6 a tick is 1/10 s (1,000,000 cycles of the 10 MHz timebase), so
# sleep()/uptime() keep xv6's units.
import kern

from kernel.compat import const
from kernel.thread import kthread, events

TICKS_PER_SECOND = const(10)

ticks = 0            # timer ticks since boot
tick_cycles = 0      # timebase cycles per tick
next_deadline = 0


def start():
    global tick_cycles, next_deadline
    tick_cycles = kern.TIMEBASE_HZ // TICKS_PER_SECOND
    next_deadline = kern.time() + tick_cycles
    kern.set_timer(next_deadline)
    events.on_event(kern.EV_TIMER, tick)


def tick():
    global ticks, next_deadline
    ticks += 1
    # Deadlines advance by whole ticks from the first one, so ticks do not
    # drift however late an interrupt is handled; missed ones are skipped.
    now = kern.time()
    next_deadline += tick_cycles
    if next_deadline <= now:
        next_deadline = now + tick_cycles
    kern.set_timer(next_deadline)
    kthread.charge_tick()
    kthread.wakeup(tick)                 # sleepers on the clock (sleep())


def busy_time():
    """`time` ticks since boot not spent idle in wfi.  Under QEMU's -icount
    with sleep=off the clock leaps ahead while the machine idles (say, for
    the disk), so boot and benchmark figures are measured in this."""
    return kern.time() - kern.idle_time()



def wait_tick():
    """Sleep until the next tick (sleep() loops on this, checking for kill)."""
    kthread.sleep(tick)
