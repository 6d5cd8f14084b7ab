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
#
# The policy is told of every change (kernel/sched/__init__.py lists its
# hooks) and says when it wants the CPU back: kthread arms the scheduling
# timer (timer.SCHED) for the policy's next_timer() after every switch,
# and when it fires asks policy.tick() whether the running thread's turn
# is over.  The kernel is not preemptive: a thread told to give up the CPU
# does so at its next safe point (yield_if_asked, on its way back to user
# mode).  CPU time is charged to threads at every switch, in `time` cycles,
# by the C switch itself (kern.thread_cpu reads it).
#
# The switch path is the kernel's hottest Python, and each attribute load
# or call costs hundreds of instructions, so it is written for speed: the
# policy's hot hooks are bound once (_install), a policy that offers
# requeue() has its enqueue + pick_next pair done in one call, and the C
# switch sets the policy's next timer deadline and charges the CPU time in
# the same call as it switches.
import kern

from kernel.compat import const
from kernel.abi.limits import MAX_THREADS, NCPU
from kernel import sched
from kernel.sched.base import State, NEW, WOKEN, PREEMPTED, YIELDED, NEVER, PRI_KPROC
from kernel.thread import events, timer, trace

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
        # What it ran (`time` cycles) and how often it was switched to,
        # copied here when its C thread is freed; until then C counts
        # (cpu_time() and switches() read it there).  Set now, so that the
        # copy at exit allocates nothing.
        self.cpu = 0
        self.switches = 0
        self.sched = State(True)  # the scheduling policy's state for it
        self.result = None        # what its function returned
        self.done = False
        self.wired = -1           # the hart it must run on, or -1: any (wire())
        self.cpu = None           # the Cpu (hart) whose scheduler holds it

    def __repr__(self):
        return "<Thread %d %s %s>" % (self.handle, self.name, THREAD_STATE_NAMES[self.state])


policy = None
quantum = sched.QUANTUM   # the time-sharing quantum, time cycles
current = None        # the running Thread
load = 0              # runnable threads, decaying over LOAD_WINDOW, x1000
load_time = 0
LOAD_WINDOW = const(10000000)   # one second of `time`
LOAD_STEP = const(10000)        # the load is brought up to date at most each ms
# The policy's hooks that run at every switch, bound once by _install:
# a call through them skips looking the method up each time.
_enqueue = None
_pick_next = None
_next_timer = None
_blocked = None
_requeue = None       # policy.requeue, or _requeue_by_hooks: enqueue + pick_next in one
_slice_timer = False  # policy.slice_timer: next_timer(t) is t.sched.slice_end
_tracing = False      # trace.on, copied (trace.watchers): a global is cheaper to test
idle_thread = None    # the boot thread, run when nothing else can be
threads = {}          # handle -> Thread, every live thread
sleepers = {}         # channel -> Thread or [Thread], the wait queues
exited = []           # exited threads whose stacks are not freed yet
need_resched = False  # the policy wants the running thread off the CPU

# ---- Harts ----
#
# Each hart has a scheduler of its own, as in DragonFly's LWKT: its own
# idle thread, its own instance of the policy and run queue, its own timer
# slots (in C).  The globals above from `policy` to `need_resched`, with
# `load`, are the state of ONE hart: the one that holds the interpreter
# lock (cstubs/pylock.h) and so runs this Python now, `here`.  When another
# hart takes the lock, the C side calls enter_hart(), which saves them in
# the Cpu of the hart that ran Python last and loads the newcomer's.  So
# the scheduling code reads as if there were one CPU, and on one hart the
# swap never happens.
#
# A hart never touches another hart's run queue.  Work for another hart
# -- a thread it should run, a request for work, a wiring, a new policy --
# goes into that hart's mailbox with an inter-processor interrupt
# (cstubs/ipi.c) to get its attention, and the hart reads its mail at its
# next safe point (EV_IPI: kernel/thread/harts.py).  A thread's `cpu` is
# the hart whose scheduler holds it: only that hart queues it, and a
# thread moves to another hart only by being sent there.

MAIL_STEAL = const(10)     # payload: the idle Cpu asking for a thread
MAIL_WIRE = const(11)      # payload: a thread of ours now wired elsewhere
MAIL_POLICY = const(12)    # payload: the name of the policy to use
MAIL_REQUEUE = const(13)   # payload: a thread whose priority changed
# (A mail whose kind is a `why` -- NEW, WOKEN, ... -- hands the hart a
# runnable thread to queue.)


class Cpu:
    """One hart's scheduler: its idle thread, policy objects and mailbox,
    and its share of the globals above while another hart runs Python."""

    def __init__(self, hart, idle):
        self.hart = hart
        self.idle_thread = idle
        # kind, payload, kind, payload, ... (MAIL_* or a why).  Made with
        # room for 128 messages, so that sending seldom grows it (a
        # cleared list keeps its room).
        self.mail = [None] * 256
        del self.mail[:]
        self.made = {}           # its time-sharing policy objects, by name
        self.asked = None        # the hart it asked for work, until it runs something
        self.asked_at = 0        # ... and when
        self.moved_in = 0        # threads sent here from other harts, for ever
        self.moved_out = 0       # threads this hart sent away
        # The per-hart globals, saved here while another hart runs Python.
        self.current = idle
        self.policy = None
        # (policy, enqueue, pick_next, next_timer, blocked, requeue,
        # slice_timer): what _install bound for this hart.
        self.hooks = (None, None, None, None, None, None, False)
        self.need_resched = False
        self.load = 0
        self.load_time = 0


here = None           # the Cpu of the hart running this Python
cpus = [None] * NCPU  # hart id -> its Cpu, once it is online
online = []           # the Cpus of the online harts, in the order they came
idle_harts = [None] * NCPU   # Cpus of harts waiting in wfi with nothing to run
del idle_harts[:]             # (room for all of them made now: it never grows)
several = False       # more than one hart is online (the hot paths test this first)


def boot_choice():
    """The policy and quantum the boot arguments name: `sched=plan9`,
    `sched=edf+plan9`, `quantum=5000` (microseconds); else the defaults.
    `idlewake=1000` (microseconds; make bench) wakes an idle hart that often
    when no timer is set, which QEMU's -icount sleep=off needs to notice
    device interrupts (cstubs/trap.c)."""
    name, quantum_us = sched.DEFAULT, 0
    for arg in kern.bootargs().split():
        if arg.startswith("sched="):
            name = arg[6:]
        elif arg.startswith("quantum=") and arg[8:].isdigit():
            quantum_us = int(arg[8:])
        elif arg.startswith("idlewake=") and arg[9:].isdigit():
            kern.set_idle_backstop(int(arg[9:]) * sched.US)
    return name, quantum_us


def init(policy_name=None):
    """Adopt the running boot thread as the idle thread; schedule the
    others with the named policy (a key of sched.POLICIES; by default
    what the boot arguments say)."""
    global current, idle_thread, quantum, here, _made
    if policy_name is None:
        policy_name, quantum_us = boot_choice()
        if quantum_us > 0:
            quantum = quantum_us * sched.US
    idle_thread = Thread("idle", None, ())
    here = Cpu(kern.hart(), idle_thread)
    idle_thread.cpu = here
    _made = here.made
    try:
        _install(_make(policy_name, sched.DEFAULT))
    except ValueError as exc:
        print("sched: %s; using %s" % (exc.args[0], sched.DEFAULT))
        _install(_make(sched.DEFAULT, sched.DEFAULT))
    timer.on_timer(timer.SCHED, sched_timer)
    events.on_event(kern.EV_TIMER, timer.fired)
    trace.watchers.append(_trace_changed)
    idle_thread.handle = kern.thread_current()
    idle_thread.state = RUNNING
    threads[idle_thread.handle] = idle_thread
    current = idle_thread
    kern.thread_set_name(idle_thread.handle, "idle")
    cpus[here.hart] = here
    online.append(here)
    kern.set_hart_hook(enter_hart)


def save_hart(c):
    """Keep the per-hart globals in c, the Cpu of the hart that ran
    Python until now.  (The policy and its hooks are kept by _install.)"""
    c.current = current
    c.need_resched = need_resched
    c.load = load
    c.load_time = load_time


def load_hart(c):
    """Make c's per-hart state the globals: c's hart runs Python now."""
    global here, current, idle_thread, policy, _enqueue, _pick_next, _next_timer, _blocked
    global _requeue, _slice_timer, need_resched, load, load_time, _made
    here = c
    policy, _enqueue, _pick_next, _next_timer, _blocked, _requeue, _slice_timer = c.hooks
    current = c.current
    idle_thread = c.idle_thread
    need_resched = c.need_resched
    load = c.load
    load_time = c.load_time
    _made = c.made


def enter_hart(hart):
    """A hart took the interpreter lock after another hart held it
    (called by the lock itself, cstubs/pylock.c): swap the per-hart state."""
    c = cpus[hart]
    if c is not here and c is not None:
        save_hart(here)
        load_hart(c)


def send(c, kind, payload):
    """Mail to the hart of Cpu c (never this one), and an IPI if its
    mailbox was empty: a hart empties all of it when it looks."""
    mail = c.mail
    first = not mail
    mail.append(kind)
    mail.append(payload)
    if kind <= YIELDED and c in idle_harts:
        idle_harts.remove(c)      # a thread is on its way: it is idle no more
    if first:
        kern.ipi(c.hart)


def migrate(thread, c):
    """thread, queued nowhere, belongs to hart c from now on (its
    policy state starts afresh there)."""
    here.moved_out += 1
    c.moved_in += 1
    thread.cpu = c
    thread.sched.reset()


def _send_runnable(thread, why):
    """thread became runnable (state RUNNABLE, queued nowhere): queue it
    here, or send it to the hart that should run it -- its own, or, if
    that one is busy, a hart with nothing to do (not a wired thread or an
    admitted real-time task, whose reservation is on its own hart)."""
    global need_resched
    c = thread.cpu
    if thread.wired >= 0:
        c = cpus[thread.wired]
        if c is not thread.cpu:
            migrate(thread, c)
    elif idle_harts and c not in idle_harts and not thread.sched.admitted:
        c = idle_harts.pop()
        if c is not thread.cpu:
            migrate(thread, c)
    if c is here:
        if _enqueue(thread, why, kern.time()):
            need_resched = True
    else:
        send(c, why, thread)


_made = {}            # time-sharing policy name -> its one object, reused


def _install(new):
    """Make `new` the policy, its hot hooks bound once."""
    global policy, _enqueue, _pick_next, _next_timer, _blocked, _requeue, _slice_timer
    policy = new
    _enqueue = new.enqueue
    _pick_next = new.pick_next
    _next_timer = new.next_timer
    _blocked = new.blocked
    _requeue = new.requeue if hasattr(new, "requeue") else _requeue_by_hooks
    _slice_timer = getattr(new, "slice_timer", False)
    here.policy = new             # this hart's, for the others to read, and for load_hart
    here.hooks = (new, _enqueue, _pick_next, _next_timer, _blocked, _requeue, _slice_timer)


def install_policy(name):
    """This hart schedules with the policy `name`, in objects of its own
    (a hart coming online: kernel/thread/harts.py)."""
    _install(_make(name, sched.DEFAULT))


def _make(name, inner):
    """The policy called `name` ("edf" runs over `inner`, the time-sharing
    policy in use).  Time-sharing policies are made once, at boot, and
    reused: their queues are sized for MAX_THREADS, too big to allocate
    late in a fragmented heap."""
    if not _made:
        for ts in sched.TIME_SHARING:
            _made[ts] = sched.make(ts, MAX_THREADS, quantum)
    if "+" in name:
        name, inner = name.split("+", 1)
    if inner not in _made:
        inner = sched.DEFAULT
    if name == "edf":
        if inner not in _made:
            raise ValueError("edf runs over %s, not %r" % (" or ".join(sched.TIME_SHARING), inner))
        made = sched.EDF(_made[inner])
    elif name in _made:
        made = _made[name]
    else:
        raise ValueError("no scheduling policy %r (there are %s)" % (
            name, ", ".join(sorted(sched.POLICIES))))
    made.reset(quantum)
    return made


def _trace_changed(flag):
    global _tracing
    _tracing = flag


def _requeue_by_hooks(thread, why, now):
    # What requeue() is, for a policy that does not offer it.
    _enqueue(thread, why, now)
    return pick_runnable(now)


def spawn(name, function, *args):
    """Start function(*args) on a new kernel thread; None if out of memory.
    It has a kernel thread's fixed priority (sched.base.PRI_KPROC)."""
    return spawn_at(PRI_KPROC, True, name, function, *args)


def spawn_at(base, fixed, name, function, *args):
    """spawn() at base priority `base`, fixed or decaying (processes)."""
    if len(threads) >= MAX_THREADS:
        return None
    thread = Thread(name, function, args)
    thread.sched.base = thread.sched.pri = base
    thread.sched.fixed = fixed
    thread.cpu = place()
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
    if trace.on:
        trace.record(trace.NAME, handle, 0, name)
    try:
        make_runnable(thread, NEW)
    except BaseException:
        # Out of memory half-way (a call's frame may come from the heap):
        # no thread after all, rather than one never scheduled.
        if thread.sched.queued and thread.cpu is here:
            policy.remove(thread)
        del threads[handle]
        kern.thread_free(handle)
        raise
    return thread


def rename(thread, name):
    """Give thread a new name (exec does: the thread takes the program's)."""
    thread.name = name
    kern.thread_set_name(thread.handle, name)
    if trace.on:
        trace.record(trace.NAME, thread.handle, 0, name)


def _thread_main(thread):
    # The first Python a new thread runs, on its own stack.
    if exited:
        finish_switch()
    thread.result = thread.function(*thread.args)
    exit_thread()


def exit_thread():
    """End the running thread.  Never returns."""
    me = current
    policy.exited(me, kern.time())
    if policy.rearm:
        rearm()
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


def make_runnable(thread, why=WOKEN):
    global need_resched
    if _tracing and why == WOKEN:
        trace.record(trace.WAKEUP, current.handle, thread.handle)
    thread.state = RUNNABLE
    thread.chan = None
    if several and (thread.cpu is not here or idle_harts):
        _send_runnable(thread, why)
    elif _enqueue(thread, why, kern.time()):
        need_resched = True
    if policy.rearm:
        rearm()


def rearm():
    """Arm the timer for the policy's next moment, its hooks bound afresh
    (EDF changes its hooks when the first task is admitted)."""
    policy.rearm = False
    _install(policy)
    running = None if current is idle_thread else current
    kern.timer_arm(timer.SCHED, _next_timer(running, kern.time()))


def yield_(why=YIELDED):
    """Give up the CPU (why: YIELDED, or PREEMPTED): the policy decides who
    runs next, which may be this thread again (round robin: every other
    runnable thread runs first)."""
    global current, need_resched
    happened = kern.events()        # a safe point: collect interrupts
    if happened:                    # (events.poll(), by hand: this path is hot)
        events.dispatch(happened)
    me = current
    now = kern.time()
    if me is idle_thread:
        nxt = pick_runnable(now)
        if nxt is not None:
            switch_to(nxt, now)
        return
    me.state = RUNNABLE            # (the trace's switch event shows it left runnable)
    nxt = _requeue(me, why, now)
    if nxt is me or nxt is None:
        switch_to(idle_thread if nxt is None else nxt, now)
        return
    # Another thread runs: switch_to(nxt, now), by hand (this path is hot).
    need_resched = False
    current = nxt
    nxt.state = RUNNING
    if _tracing:
        _trace_switch(me, nxt)
    if _slice_timer:
        kern.thread_run(nxt)       # to nxt, the timer at its slice's end
    else:
        kern.thread_switch(nxt.handle, _next_timer(nxt, now))
    if exited:
        finish_switch()


def yield_if_asked():
    """Yield if the policy asked for the CPU back (a preemption point)."""
    global need_resched
    if need_resched:
        need_resched = False
        if trace.on:
            trace.record(trace.PREEMPT, current.handle, 0)
        me = current
        if several and me.wired >= 0 and cpus[me.wired] is not here:
            move_to(me, cpus[me.wired])   # wired to another hart while it ran here
        else:
            yield_(PREEMPTED)


def move_to(me, c):
    """The running thread leaves this hart for hart c (it was wired
    there): it is sent there, runnable, and this hart runs another."""
    now = kern.time()
    me.state = RUNNABLE
    _blocked(me, now)
    migrate(me, c)
    send(c, NEW, me)
    run_next()


def sleep(chan):
    """Block the running thread until someone calls wakeup(chan)."""
    # (Few locals, and the trace's calls in helpers: a function whose
    # locals and stack pass 11 words gets its frame from the heap at every
    # call, which costs more than the lines it would save.)
    global current, need_resched
    me = current
    if me is idle_thread:
        raise RuntimeError("the idle thread must never sleep")
    # Join the wait queue first: that may allocate, and if it fails the
    # thread must still be running, unchanged.  (The trace's record, which
    # allocates too, is made first.)  A channel with one sleeper (nearly
    # all of them) holds the thread itself, not a list: sleeping then
    # allocates nothing.
    if _tracing:
        _trace_sleep(me, chan)
    waiting = sleepers.setdefault(chan, me)
    if waiting is not me:
        if type(waiting) is list:
            waiting.append(me)
        else:
            sleepers[chan] = [waiting, me]
    me.state = SLEEPING
    me.chan = chan
    now = kern.time()
    _blocked(me, now)
    waiting = _pick_next(now)          # run_next(), by hand: this path is hot
    if waiting is None or waiting.state != RUNNABLE:
        waiting = pick_runnable(now)
        switch_to(idle_thread if waiting is None else waiting, now)
        return
    # switch_to(waiting, now), by hand.
    need_resched = False
    current = waiting
    waiting.state = RUNNING
    if _tracing:
        _trace_switch(me, waiting)
    if _slice_timer:
        kern.thread_run(waiting)
    else:
        kern.thread_switch(waiting.handle, _next_timer(waiting, now))
    if exited:
        finish_switch()


def _trace_sleep(me, chan):
    trace.record(trace.SLEEP, me.handle, 0, repr(chan)[:11])


def _trace_switch(old, new):
    trace.record(trace.SWITCH, old.handle, new.handle, new.name)


def kick(thread):
    """If thread runs on another hart, interrupt that hart, so that the
    thread comes back into the kernel and looks at what changed (kill,
    a note, a suspension) now, not at its next timer tick."""
    if thread.state == RUNNING and thread.cpu is not here:
        kern.kick(thread.cpu.hart)


def stop(thread):
    """kick(), and return only once the thread has left user mode (it
    then waits for the interpreter lock, which we hold)."""
    if thread.state == RUNNING and thread.cpu is not here:
        kern.stop_user(thread.cpu.hart)


def wake(thread):
    """Make one sleeping thread runnable, whatever it sleeps on (kill uses
    this; the woken thread re-checks why it slept and sees it was killed)."""
    if thread.state != SLEEPING:
        kick(thread)                      # it may run on another hart: make it look now
        return
    waiting = sleepers.get(thread.chan)
    if waiting is thread:
        del sleepers[thread.chan]
    elif waiting is not None:
        waiting.remove(thread)
        if not waiting:
            del sleepers[thread.chan]
    make_runnable(thread)


def wakeup(chan):
    """Make every thread sleeping on chan runnable."""
    global need_resched
    waiting = sleepers.pop(chan, None)
    if waiting is None:
        return
    if type(waiting) is list:
        _wake_all(waiting)
    else:                                  # one sleeper: the thread itself
        if _tracing:                       # (_woken(waiting, now), by hand)
            trace.record(trace.WAKEUP, current.handle, waiting.handle)
        waiting.state = RUNNABLE
        waiting.chan = None
        if several and (waiting.cpu is not here or idle_harts):
            _send_runnable(waiting, WOKEN)
        elif _enqueue(waiting, WOKEN, kern.time()):
            need_resched = True
    if policy.rearm:
        rearm()


def _wake_all(waiting):
    now = kern.time()
    for thread in waiting:
        _woken(thread, now)


def _woken(thread, now):
    global need_resched
    if _tracing:
        trace.record(trace.WAKEUP, current.handle, thread.handle)
    thread.state = RUNNABLE                # make_runnable(), by hand
    thread.chan = None
    if several and (thread.cpu is not here or idle_harts):
        _send_runnable(thread, WOKEN)
    elif _enqueue(thread, WOKEN, now):
        need_resched = True


def sleeping_on(chan):
    """The threads sleeping on chan, in the order they went to sleep."""
    waiting = sleepers.get(chan)
    if waiting is None:
        return []
    return list(waiting) if type(waiting) is list else [waiting]


def pick_runnable(now):
    """The policy's next choice that is still runnable, or None."""
    nxt = _pick_next(now)
    while nxt is not None and nxt.state != RUNNABLE:
        nxt = _pick_next(now)          # no longer runnable: skip it
    return nxt


def run_next():
    """Switch to the next runnable thread, or to the idle thread."""
    now = kern.time()
    nxt = pick_runnable(now)
    switch_to(idle_thread if nxt is None else nxt, now)


def switch_to(thread, now):
    global current, need_resched
    need_resched = False
    # The policy's next moment goes to the timer in the same C call that
    # switches (kern.thread_switch), which also charges the CPU time.
    if thread is idle_thread:
        when = _next_timer(None, now)
    else:
        when = _next_timer(thread, now)
    if thread is current:
        kern.timer_arm(timer.SCHED, when)
        thread.state = RUNNING
        return
    old = current
    if old is idle_thread:
        old.state = RUNNABLE             # waiting in idle_loop, never queued
    current = thread
    thread.state = RUNNING
    if _tracing:
        trace.record(trace.SWITCH, old.handle, thread.handle, thread.name)
    kern.thread_switch(thread.handle, when)
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
        dead.cpu = kern.thread_cpu(dead.handle)
        dead.switches = kern.thread_switches(dead.handle)
        kern.thread_free(dead.handle)
        del threads[dead.handle]


def account_load(now):
    """The load average: Plan 9's accounttime, the number of runnable
    threads (the running one too) decaying with a one-second time constant.
    Brought up to date at every scheduling timer and around idle waits."""
    global load, load_time
    n = now - load_time
    if n < LOAD_STEP:
        return
    load_time = now
    if n > LOAD_WINDOW:
        n = LOAD_WINDOW
    nrun = len(policy) + (0 if current is idle_thread else 1)
    load = (load * (LOAD_WINDOW - n) + nrun * 1000 * n) // LOAD_WINDOW


def sched_timer(now):
    """The policy's timer fired: ask it whether the running thread's turn
    is over (acted on before the thread returns to user mode, or at its
    next yield), and arm the timer for the policy's next moment."""
    global need_resched
    running = None if current is idle_thread else current
    account_load(now)
    if policy.tick(running, now):
        need_resched = True
    if idle_harts:
        rebalance()
    kern.timer_arm(timer.SCHED, _next_timer(running, now))


def cpu_time(thread):
    """`time` cycles thread has run, counting the running one's turn so far."""
    if threads.get(thread.handle) is thread:
        return kern.thread_cpu(thread.handle)
    return thread.cpu                  # its C thread is gone: what it ran


def switches(thread):
    """How many times thread was switched to."""
    if threads.get(thread.handle) is thread:
        return kern.thread_switches(thread.handle)
    return thread.switches


def set_priority(thread, base, fixed):
    """Give thread a new base priority (and fixed or not), requeueing it."""
    st = thread.sched
    st.base = base
    st.fixed = fixed
    if thread.cpu is not here:
        send(thread.cpu, MAIL_REQUEUE, thread)    # its hart requeues it
    elif st.queued:
        policy.remove(thread)
        _enqueue(thread, NEW, kern.time())


def use(name, new_quantum=0):
    """Switch every thread to the policy `name` (a key of sched.POLICIES,
    or "edf+rr" / "edf+plan9"; plain "edf" runs over the current time-sharing
    policy).  Runnable threads move across in their old policy's order;
    nobody is lost or queued twice.  The running thread yields at the end.
    Other harts switch when they read the mail that says so."""
    global quantum
    if new_quantum > 0:
        quantum = new_quantum
    for c in online:
        if c is not here:
            send(c, MAIL_POLICY, name)
    return use_here(name)


def use_here(name):
    """use(), on this hart alone."""
    new = _make(name, policy.inner.name if hasattr(policy, "inner") else policy.name)
    old = policy
    queued = old.threads()
    for t in queued:
        old.remove(t)
    if current is not idle_thread:
        old.remove(current)
    for t in threads.values():
        if t.cpu is here:
            t.sched.reset()
    _install(new)
    if trace.on:
        trace.record(trace.POLICY, 0, 0, name)
    now = kern.time()
    for t in queued:
        if t.state == RUNNABLE:
            new.enqueue(t, NEW, now)
    if current is not idle_thread:       # a new thread to the new policy
        current.state = RUNNABLE
        _enqueue(current, NEW, now)
        run_next()
    return new


def idle_loop():
    """An idle thread's work for the rest of time: run threads, or wait.
    A hart about to wait asks the busiest other hart for a thread first,
    and counts as idle while it waits, so that threads woken elsewhere
    come to it.  While threads wait elsewhere it asks again each quantum
    (its timer wakes it), in case the answer was nothing it could take."""
    while True:
        nxt = pick_runnable(kern.time())
        if nxt is not None:
            here.asked = None
            switch_to(nxt, kern.time())
        else:
            now = kern.time()
            account_load(now)
            if len(online) > 1 and (here.asked is None or now - here.asked_at >= quantum):
                here.asked = None
                ask_for_work()
                if here.asked is not None:
                    here.asked_at = now
                    kern.timer_arm(timer.SCHED, now + quantum)
            idle_harts.append(here)
            happened = kern.idle()         # may come back with another hart's Python state:
            if here in idle_harts:         # the lock's enter_hart() has swapped it back
                idle_harts.remove(here)
            account_load(kern.time())
            events.dispatch(happened)


def hart_load(c):
    """How busy hart c is: threads queued, running and on their way to it."""
    running = current if c is here else c.current     # (c.policy is always its own)
    return len(c.policy) + (0 if running is c.idle_thread else 1) + len(c.mail) // 2


def place():
    """The hart a new thread should start on: the least loaded (this one
    when it ties).  Plan 9 and DragonFly both start a thread where it was
    made when they can; we prefer spreading, since a new process is most
    often the start of new work."""
    best = here
    if len(online) > 1:
        least = hart_load(here)
        for c in online:
            if c is not here:
                n = hart_load(c)
                if n < least:
                    best, least = c, n
    return best


def movable():
    """A queued thread of this hart that may move to another (the last to
    run here; not wired, not an admitted real-time task), or None."""
    queued = policy.threads()
    i = len(queued) - 1
    while i >= 0:
        t = queued[i]
        if t.wired < 0 and not t.sched.admitted and t.state == RUNNABLE:
            return t
        i -= 1
    return None


def give_work(to):
    """Send one of our queued threads to the hart of Cpu `to`, if one may
    go (a steal request, MAIL_STEAL).  True if one went."""
    t = movable()
    if t is None or to is here:
        return False
    policy.remove(t)
    migrate(t, to)
    send(to, NEW, t)
    return True


def ask_for_work():
    """About to idle: ask the hart with the most queued threads for one."""
    best = None
    most = 0
    for c in online:
        if c is not here:
            n = len(c.policy)
            if n > most:
                best, most = c, n
    if best is not None:
        here.asked = best
        send(best, MAIL_STEAL, here)


def rebalance():
    """Plan 9's rebalance, run at each scheduling timer: a hart with
    threads waiting while another has nothing to do pushes one there."""
    if idle_harts and len(policy) > 0:
        give_work(idle_harts[-1])     # (sending it a thread takes it off idle_harts)


def by_handle(handle):
    return threads.get(handle)
