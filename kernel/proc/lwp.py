# LWPs: the threads inside a process, NetBSD's light-weight processes.
#
# A process starts with one LWP: the kernel thread fork() gave it.
# lwp_create adds more.  Each LWP has its own kernel thread (stack, and
# scheduling state: the scheduler schedules LWPs as it schedules any
# kernel thread), its own trapframe page (user registers, pc, the `tp`
# that points at its thread-local data), and the user stack its creator
# handed it.  The address space, descriptors, current directory, pid and
# parent stay the process's.  A process that never calls lwp_create (or
# park or unpark) has no LwpSet at all (p.lwps is None): LWPs cost it
# nothing.  Its LWPs down to one again, a process drops its LwpSet.
#
# LWP states (NetBSD's names; RUN, ONPROC and SLEEP are its kernel
# thread's own states):
#
#   IDL        -- lwp_create() has set it up --------------> RUN (or SUSPENDED
#                                                            with LWP_SUSPENDED)
#   RUN        -- picked by the scheduler ------------------> ONPROC
#   ONPROC     -- preempted, or yields --------------------> RUN
#   ONPROC     -- sleeps (a system call, park, lwp_wait) --> SLEEP
#   SLEEP      -- woken, unparked, the process ending -----> RUN
#   RUN        -- lwp_suspend()ed: at its next return to user
#                 mode, the safe point ---------------------> SUSPENDED
#   SUSPENDED  -- lwp_continue(), or the process ending ---> RUN
#   ONPROC     -- lwp_exit(), or it leaves because the process
#                 ends or execs ---------------------------> ZOMB (gone at
#                                                            once if detached
#                                                            or not needed)
#   ZOMB       -- lwp_wait() collects it -------------------> gone
#
# Whole-process events reach every LWP through p.killed, which each LWP
# checks at its safe point (the top of the user loop) and which makes the
# sleeps of system calls give up, as for xv6's kill:
#   exit(), kill, a fault -- the status is recorded (the first one wins),
#       p.killed is set and every other LWP woken; each leaves at its safe
#       point (leave()), and the last one out ends the process.
#   exec -- single(): the same, but the caller waits until it is the only
#       LWP, then clears p.killed and carries on alone.
#
# Trapframes: each hart has its own trapframe slot in the page table (a
# page below the trampoline, cstubs/memlayout.h), and kern.run_user points
# the running hart's slot at the entering LWP's own page before it enters
# user mode (cstubs/modkern_user.c), for one LWP as for many.  So two LWPs
# of a process may be in user mode at once on two harts, and the number
# of LWPs takes nothing from the address space.  A multi-LWP process keeps
# p.trapframe = 0, which the kern functions take to mean "the running
# thread's trapframe": system call handlers reach their caller's
# registers even after sleeping while another LWP of the process ran.
import kern

from kernel.compat import const
from kernel.abi.limits import MAX_LWPS, LWP_DETACHED, LWP_SUSPENDED
from kernel.thread import kthread
from kernel.dev import clock

IDL = const(0)
LIVE = const(1)          # RUN, ONPROC, SLEEP or SUSPENDED: its thread tells
ZOMB = const(2)


class Lwp:
    def __init__(self, lid, flags):
        self.lid = lid
        self.state = IDL
        self.detached = (flags & LWP_DETACHED) != 0
        self.thread = None
        self.trapframe = 0        # kernel address of its own trapframe page
        self.unparked = False     # an unpark came: the next park returns at once
        self.parked = 0           # sleeping in lwp_park: PARKED, PARKED_TIMED
        self.held = False         # sleeping at its safe point, suspended

    def __repr__(self):
        return "<Lwp %d>" % self.lid


class LwpSet:
    """The LWPs of one process (p.lwps); also the channel lwp_wait and
    exec's single() sleep on."""

    def __init__(self):
        self.table = {}           # lid -> Lwp, live ones and zombies
        self.by_thread = {}       # kernel thread handle -> its live Lwp (ints hash fast)
        self.next_lid = 2
        self.live = 0             # LWPs not yet exited
        self.waiters = 0          # LWPs sleeping in lwp_wait
        self.status = None        # once the process is ending: its exit status
        self.singler = None       # the LWP exec makes the only one
        self.cpu_done = 0         # `time` cycles of the exited LWPs
        self.utime_done = 0       # ... of which in user mode


def current(p):
    """The running LWP of p."""
    return p.lwps.by_thread[kthread.current.handle]


def lwps_of(p):
    """p's LwpSet, made (with the running thread as lid 1) if p had none."""
    ls = p.lwps
    if ls is not None:
        return ls
    ls = LwpSet()
    first = Lwp(1, 0)
    first.thread = p.thread
    first.trapframe = p.trapframe
    first.state = LIVE
    ls.table[1] = first
    ls.by_thread[p.thread.handle] = first
    ls.live = 1
    p.lwp_cpu = p.lwp_cpu         # its own, now: _alone() adds to it allocating nothing
    p.lwps = ls                   # nothing below allocates
    p.trapframe = 0               # "the running LWP's": see the top
    return ls


def label(p):
    """" lwp N" for messages about a multi-LWP process's running LWP."""
    if p.lwps is None:
        return ""
    return " lwp %d" % current(p).lid


# ---- lwp_create, lwp_exit, lwp_wait ----

def create(p, body, entry, arg, stack, flags):
    """A new LWP of p starting in user mode at entry(arg) on stack, its
    kernel thread running body(p, lwp); its lid, or -1."""
    if flags & ~(LWP_DETACHED | LWP_SUSPENDED):
        return -1
    if not (entry < p.size and 0 < stack <= p.size):     # (text starts at 0)
        return -1
    ls = lwps_of(p)
    if len(ls.table) >= MAX_LWPS:
        return -1
    lid = ls.next_lid
    lwp = Lwp(lid, flags)
    ls.table[lid] = lwp
    tf = kern.kalloc()
    if tf == 0:
        del ls.table[lid]
        return -1
    try:
        kern.tf_set(tf, kern.FIELD_EPC, entry)
        kern.tf_set(tf, kern.REG_SP, stack)
        kern.tf_set(tf, kern.REG_A0, arg)
        if flags & LWP_SUSPENDED:
            kern.tf_set(tf, kern.FIELD_HOLD, 1)
        me = kthread.current
        thread = kthread.spawn_at(me.sched.base, me.sched.fixed, p.name, body, p, lwp)
        if thread is None:
            kern.kfree(tf)
            del ls.table[lid]
            return -1
        # The new thread cannot run before this call returns (the kernel
        # is not preemptive).  If what follows fails, it finds no
        # lwp.thread when it starts, and ends at once (started()).
        ls.by_thread[thread.handle] = lwp
    except BaseException:                 # out of kernel memory half-way
        kern.kfree(tf)
        del ls.table[lid]
        raise
    kern.thread_set_process(thread.handle, p.pid, tf)
    lwp.trapframe = tf
    lwp.thread = thread
    lwp.state = LIVE
    ls.live += 1
    ls.next_lid = lid + 1
    return lid


def started(p, lwp):
    """First thing an LWP's thread does: False if create() failed half-way
    (the thread then just returns, and ends)."""
    return lwp.thread is not None


def exit_self(p):
    """lwp_exit: the running LWP ends.  True if it is the last one (the
    caller then ends the process, status 0); else never returns."""
    ls = p.lwps
    if ls is None or ls.live == 1:
        return True
    me = current(p)
    _finish(p, ls, me, not me.detached)
    return False


def _finish(p, ls, me, keep):
    # The running LWP gives back its trapframe and ends its thread; a
    # joinable one stays as a zombie for lwp_wait.
    held = kern.fail_hold(True)
    thread = me.thread
    ls.live -= 1
    del ls.by_thread[thread.handle]
    ls.cpu_done += kthread.cpu_time(thread)
    ls.utime_done += kern.tf_get(me.trapframe, kern.FIELD_UTIME)
    kern.thread_set_process(thread.handle, 0, 0)
    kern.kfree(me.trapframe)
    me.trapframe = 0
    me.thread = None
    if keep:
        me.state = ZOMB
    else:
        del ls.table[me.lid]
    if p.thread is thread:            # p.thread: any live LWP's (ps, priority)
        for other in ls.table.values():
            if other.thread is not None:
                p.thread = other.thread
                break
    kthread.wakeup(ls)                # lwp_wait, single()
    kern.fail_hold(held)
    kthread.exit_thread()


def wait(p, lid):
    """lwp_wait: collect LWP lid's exit (any LWP's if lid is 0); its lid,
    or -1 for an unknown, detached or own lid, when every other LWP waits
    too (a deadlock), when a note came (it is taken on the way back to
    user mode), or when the process is ending."""
    ls = p.lwps
    if ls is None:
        return -1
    me = current(p)
    if lid == me.lid:
        return -1
    if lid != 0:
        target = ls.table.get(lid)
        if target is None or target.detached:
            return -1
    while True:
        if lid != 0:
            if ls.table.get(lid) is not target:
                return -1                 # another LWP collected it
            if target.state == ZOMB:
                del ls.table[lid]
                return lid
        else:
            for other in ls.table.values():
                if other.state == ZOMB and not other.detached:
                    del ls.table[other.lid]
                    return other.lid
        if ls.waiters >= ls.live - 1 or p.killed or p.note_pending:
            return -1                     # nobody left who could exit, or a note came
        ls.waiters += 1
        try:
            kthread.sleep(ls)
        finally:
            ls.waiters -= 1


def self_lid(p):
    return 1 if p.lwps is None else current(p).lid


# ---- park and unpark ----
#
# An unpark sets the target's `unparked`; its park (or its next one)
# clears it and returns at once, so an unpark that comes first is never
# lost.  These are the thread library's lock and condition-variable
# hand-offs, so they are written for speed: their handlers look the LWPs
# up by hand (kernel/proc/syslwp.py), and an LWP parked without a time
# limit sleeps on itself, so that unpark is one wakeup().

PARKED = const(1)         # Lwp.parked: asleep on the Lwp itself
PARKED_TIMED = const(2)   # ... asleep on the clock, until a tick


def park(p, me, ticks):
    """lwp_park for LWP me: sleep until unparked (at once if an unpark
    came first) or `ticks` clock ticks pass (0: no limit).  0 if unparked,
    -1 if the time ran out, a note came or the process is ending."""
    if ticks < 0:
        return -1
    if me.unparked:
        me.unparked = False
        return 0
    if ticks > 0:
        return _park_timed(p, me, clock.uptime() + ticks)
    me.parked = PARKED
    while not me.unparked:
        if p.killed or p.note_pending:    # (a note is taken at the return to user mode)
            me.parked = 0
            return -1
        kthread.sleep(me)
    me.parked = 0
    me.unparked = False
    return 0


def _park_timed(p, me, target):
    me.parked = PARKED_TIMED
    while not me.unparked:
        if p.killed or p.note_pending or clock.uptime() >= target:
            me.parked = 0
            return -1
        clock.sleep_until(target)         # an unpark wakes the thread itself
    me.parked = 0
    me.unparked = False
    return 0


def unpark(target):
    """lwp_unpark of target (an Lwp of the caller's process, or None)."""
    if target is None or target.thread is None:
        return -1
    target.unparked = True
    if target.parked == PARKED:
        kthread.wakeup(target)
    elif target.parked:
        kthread.wake(target.thread)
    return 0


# ---- suspend and continue ----

def suspend(p, lid):
    """lwp_suspend: LWP lid runs no more user code until continued; it
    stops at its next return to user mode.  -1 for an unknown LWP, or if
    the caller would suspend itself while all the others are suspended."""
    ls = p.lwps
    if ls is None:
        return -1                         # the only LWP: it would never wake
    target = ls.table.get(lid)
    if target is None or target.state != LIVE:
        return -1
    if target is current(p):
        for other in ls.table.values():
            if (other.state == LIVE and other is not target
                    and not kern.tf_get(other.trapframe, kern.FIELD_HOLD)):
                break
        else:
            return -1                     # a deadlock: no one left to continue it
    kern.tf_set(target.trapframe, kern.FIELD_HOLD, 1)
    if target.thread is not None:
        kthread.stop(target.thread)       # running on another hart: it has stopped on return
    return 0


def continue_(p, lid):
    """lwp_continue: undo lwp_suspend."""
    ls = p.lwps
    target = ls.table.get(lid) if ls is not None else None
    if target is None or target.state != LIVE:
        return -1
    kern.tf_set(target.trapframe, kern.FIELD_HOLD, 0)
    if target.held:
        kthread.wake(target.thread)
    return 0


def hold(p):
    """kern.run_user said TRAP_HOLD: the running LWP is suspended.  Sleep
    until continued or the process ends (the caller's loop then sees
    p.killed)."""
    me = current(p)
    me.held = True
    try:
        while kern.tf_get(me.trapframe, kern.FIELD_HOLD) and not p.killed:
            kthread.sleep(me)
    finally:
        me.held = False


# ---- the whole process: exit, kill, exec ----

def wake_all(p, ls, skip):
    """Wake every live LWP but skip out of whatever it sleeps in: it finds
    p.killed and leaves the kernel."""
    for other in ls.table.values():
        if other is not skip and other.thread is not None:
            kthread.wake(other.thread)


def kill_all(p):
    """kill: the process ends with -1 (unless an exit already set a status)."""
    ls = p.lwps
    if ls.status is None:
        ls.status = -1
    wake_all(p, ls, None)


def leave(p, status):
    """The running LWP leaves the process for good: the process ends
    (exit, kill, a fault: status) or exec ends the others.  The last LWP
    out gets the process's exit status back, as the only LWP, and the
    caller (proc.exit) ends the process; the others never return."""
    ls = p.lwps
    me = current(p)
    if ls.singler is not None and ls.status is None and ls.singler is not me:
        _finish(p, ls, me, False)         # exec's doing: just go
    if ls.status is None:
        ls.status = status
        p.killed = True
        wake_all(p, ls, me)
    if ls.live > 1:
        _finish(p, ls, me, False)
    status = ls.status
    _alone(p, ls, me)
    return status


def _alone(p, ls, me):
    # me is the last LWP: the process becomes an ordinary one again, its
    # trapframe and p.lwp_cpu carrying the departed LWPs' times.
    p.lwp_cpu += ls.cpu_done
    utime = kern.tf_get(me.trapframe, kern.FIELD_UTIME)
    kern.tf_set(me.trapframe, kern.FIELD_UTIME, utime + ls.utime_done)
    p.thread = me.thread
    p.trapframe = me.trapframe
    p.lwps = None


def single(p):
    """exec: end every other LWP, waiting until each has left the kernel;
    True with the caller the process's only LWP, False if the process is
    ending meanwhile (exit or kill: p.killed stays set)."""
    ls = p.lwps
    if p.killed:
        return False
    me = current(p)
    if ls.live > 1:
        ls.singler = me
        p.killed = True
        wake_all(p, ls, me)
        while ls.live > 1:
            kthread.sleep(ls)
        ls.singler = None
        if ls.status is not None:
            return False
        p.killed = False
    _alone(p, ls, me)
    return True


# ---- what ps and times show ----

def times(p):
    """(cpu, user) `time` cycles of all p's LWPs, the exited ones too."""
    ls = p.lwps
    cpu, user = ls.cpu_done + p.lwp_cpu, ls.utime_done
    for lwp in ls.table.values():
        if lwp.thread is not None:
            cpu += kthread.cpu_time(lwp.thread)
            user += kern.tf_get(lwp.trapframe, kern.FIELD_UTIME)
    return cpu, user


def state_name(lwp):
    """What ps says of an LWP: its state, and what it waits for."""
    if lwp.state == ZOMB:
        return "zombie", ""
    if lwp.state == IDL:
        return "idl", ""
    thread = lwp.thread
    name = kthread.THREAD_STATE_NAMES[thread.state]
    if lwp.held:
        return "suspended", "lwp_continue"
    if thread.state != kthread.SLEEPING:
        if kern.tf_get(lwp.trapframe, kern.FIELD_HOLD):
            return name, "(suspending)"
        return name, ""
    if lwp.parked:
        return name, "lwp_park"
    chan = thread.chan
    if isinstance(chan, LwpSet):
        return name, "lwp_wait"
    what = repr(chan)
    if " object at " in what:              # <Channel object at 80...>: the kind
        what = what[1:what.index(" object at ")]
    return name, what[:24]


def ps(p):
    """The monitor's ps(): a line for each of p's LWPs."""
    for lid in sorted(p.lwps.table):
        lwp = p.lwps.table[lid]
        state, waits = state_name(lwp)
        hart = "-" if lwp.thread is None or lwp.thread.cpu is None else lwp.thread.cpu.hart
        print("%5s %5s    lwp %3d hart %s %-9s %s" % ("", "", lid, hart, state, waits))
