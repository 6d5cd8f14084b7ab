# Kernel threads: creation, switching, sleep/wakeup, and exit.
#
# Every kernel thread has its own stack and interpreter state in C
# (cstubs/kthread.c); this module decides when each one runs, asking the
# scheduling policy (kernel/sched/) which runnable thread is next.  The
# boot thread becomes the idle thread: it runs only when nothing else can,
# and waits there for interrupts.
#
# Thread states and their transitions:
#
#   NEW       -- spawn() -----------------------------> RUNNABLE
#   RUNNABLE  -- picked by the policy ----------------> RUNNING
#   RUNNING   -- yield_() or preempted ---------------> RUNNABLE
#   RUNNING   -- sleep(chan) -------------------------> SLEEPING
#   SLEEPING  -- wakeup(chan) or wake(t) -------------> RUNNABLE
#   RUNNING   -- exit_thread() or its function returns -> EXITED
#   EXITED    -- the next thread to run frees its stack; gone
#
# A thread switches directly to the next runnable thread (one C switch,
# not two through a scheduler thread as in xv6).  A thread cannot free
# the stack it is running on, so an exiting thread leaves itself on the
# `exited` list, which whoever runs next empties (finish_switch).
import kern

from kernel.compat import const
from kernel.abi.limits import MAX_THREADS
from kernel import sched
from kernel.thread import events

NEW = const(0)
RUNNABLE = const(1)
RUNNING = const(2)
SLEEPING = const(3)
EXITED = const(4)
THREAD_STATE_NAMES = ("new", "runnable", "running", "sleeping", "exited")


class Thread:
    def __init__(self, name, function, args):
        self.name = name
        self.function = function
        self.args = args
        self.state = NEW
        self.handle = -1          # the C thread's handle (0 = the boot thread)
        self.chan = None          # what a SLEEPING thread waits for
        self.switches = 0         # times it was switched to
        self.ticks = 0            # timer ticks charged to it
        self.sched = None         # the scheduling policy's state for it
        self.result = None        # what its function returned
        self.done = False

    def __repr__(self):
        return "<Thread %d %s %s>" % (self.handle, self.name, THREAD_STATE_NAMES[self.state])


policy = None
current = None        # the running Thread
idle_thread = None    # the boot thread, run when nothing else can be
threads = {}          # handle -> Thread, every live thread
sleepers = {}         # channel -> [Thread], the wait queues
exited = []           # exited threads whose stacks are not freed yet
need_resched = False  # the policy wants the running thread off the CPU


def init(policy_name=sched.DEFAULT):
    """Adopt the running boot thread as the idle thread; schedule the
    others with the named policy (a key of sched.POLICIES)."""
    global policy, current, idle_thread
    policy = sched.make(policy_name, MAX_THREADS)
    idle_thread = Thread("idle", None, ())
    idle_thread.handle = kern.thread_current()
    idle_thread.state = RUNNING
    threads[idle_thread.handle] = idle_thread
    current = idle_thread
    kern.thread_set_name(idle_thread.handle, "idle")


def spawn(name, function, *args):
    """Start function(*args) on a new kernel thread; None if out of memory."""
    if len(threads) >= MAX_THREADS:
        return None
    thread = Thread(name, function, args)
    handle = kern.thread_new(_thread_main, thread)
    if handle < 0:
        return None
    thread.handle = handle
    kern.thread_set_name(handle, name)
    try:
        threads[handle] = thread
    except BaseException:
        kern.thread_free(handle)       # out of memory: no thread after all
        raise
    make_runnable(thread)
    return thread


def rename(thread, name):
    """Give thread a new name (exec does: the thread takes the program's)."""
    thread.name = name
    kern.thread_set_name(thread.handle, name)


def _thread_main(thread):
    # The first Python a new thread runs, on its own stack.
    if exited:
        finish_switch()
    thread.result = thread.function(*thread.args)
    exit_thread()


def exit_thread():
    """End the running thread.  Never returns."""
    me = current
    me.state = EXITED
    me.done = True
    exited.append(me)
    wakeup(me)            # anyone join()ing this thread
    run_next()
    raise RuntimeError("an exited thread was switched to")


def join(thread):
    """Sleep until `thread` has exited; return what its function returned."""
    while not thread.done:
        sleep(thread)
    return thread.result


def make_runnable(thread):
    thread.state = RUNNABLE
    thread.chan = None
    policy.enqueue(thread)


def yield_():
    """Let every other runnable thread run once before this one continues."""
    happened = kern.events()        # a safe point: collect interrupts
    if happened:                    # (events.poll(), by hand: this path is hot)
        events.dispatch(happened)
    nxt = pick_runnable()
    if nxt is None:
        return                      # nobody else wants the CPU
    make_runnable(current)
    switch_to(nxt)


def yield_if_asked():
    """Yield if the policy asked for the CPU back (a preemption point)."""
    global need_resched
    if need_resched:
        need_resched = False
        yield_()


def sleep(chan):
    """Block the running thread until someone calls wakeup(chan)."""
    me = current
    if me is idle_thread:
        raise RuntimeError("the idle thread must never sleep")
    # Join the wait queue first: that may allocate, and if it fails the
    # thread must still be running, unchanged.
    waiting = sleepers.get(chan)
    if waiting is None:
        sleepers[chan] = [me]
    else:
        waiting.append(me)
    me.state = SLEEPING
    me.chan = chan
    nxt = pick_runnable()              # run_next(), by hand: this path is hot
    switch_to(idle_thread if nxt is None else nxt)


def wake(thread):
    """Make one sleeping thread runnable, whatever it sleeps on (kill uses
    this; the woken thread re-checks why it slept and sees it was killed)."""
    if thread.state != SLEEPING:
        return
    waiting = sleepers.get(thread.chan)
    if waiting is not None:
        waiting.remove(thread)
        if not waiting:
            del sleepers[thread.chan]
    make_runnable(thread)


def wakeup(chan):
    """Make every thread sleeping on chan runnable."""
    waiting = sleepers.pop(chan, None)
    if waiting:
        enqueue = policy.enqueue
        for thread in waiting:
            thread.state = RUNNABLE        # make_runnable(), by hand
            thread.chan = None
            enqueue(thread)


def pick_runnable():
    """The policy's next choice that is still runnable, or None."""
    nxt = policy.pick_next()
    while nxt is not None and nxt.state != RUNNABLE:
        nxt = policy.pick_next()       # no longer runnable: skip it
    return nxt


def run_next():
    """Switch to the next runnable thread, or to the idle thread."""
    nxt = pick_runnable()
    switch_to(idle_thread if nxt is None else nxt)


def switch_to(thread):
    global current
    if thread is current:
        thread.state = RUNNING
        return
    if current is idle_thread:
        idle_thread.state = RUNNABLE     # waiting in idle_loop, never queued
    current = thread
    thread.state = RUNNING
    thread.switches += 1
    kern.thread_switch(thread.handle)
    # Running again, on our own stack, some time later.
    if exited:
        finish_switch()


def finish_switch():
    # Free the stacks of threads that exited before this switch.
    while exited:
        dead = exited.pop()
        if dead is current:            # cannot happen, but never free our own stack
            exited.append(dead)
            break
        kern.thread_free(dead.handle)
        del threads[dead.handle]


def charge_tick():
    """A timer tick happened: charge it to the running thread, and ask the
    policy whether that thread's turn is over (acted on before the thread
    returns to user mode, or at its next yield)."""
    global need_resched
    running = current
    running.ticks += 1
    if running is not idle_thread and policy.tick(running):
        need_resched = True


def idle_loop():
    """The boot thread's work for the rest of time: run threads, or wait."""
    while True:
        nxt = pick_runnable()
        if nxt is not None:
            switch_to(nxt)
        else:
            events.dispatch(kern.idle())


def by_handle(handle):
    return threads.get(handle)
