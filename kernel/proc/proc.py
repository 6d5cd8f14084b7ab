# Processes: the process table, fork, exit, wait, kill, and growing memory.
#
# A process is a kernel thread (kernel/thread/kthread.py: its stack, its
# place in the scheduler) plus a user address space and a trapframe --
# or several threads and trapframes, its LWPs (kernel/proc/lwp.py).  The
# thread's body is run(): user_loop() (userloop.py) enters user mode, and
# each trap brings it back to the next turn of that loop, until the process
# exits.
#
# Process states, on top of its thread's own (runnable, running, sleeping):
#
#   EMBRYO  -- fork() has set up memory and trapframe; thread not started
#   ALIVE   -- its thread runs, waits to run, or sleeps
#   ZOMBIE  -- exit() freed its memory and thread; the parent has not
#              wait()ed for its status yet.  wait() removes it for good.
#
# Orphans are handed to init, which wait()s for everything.  fork() past
# NPROC processes (kernel/abi/limits.py) returns -1.
import kern

from kernel.compat import const
from kernel.abi.limits import NPROC, NOFILE
from kernel.sched.base import PRI_NORMAL, US
from kernel.thread import kthread, trace
from kernel.dev import clock
from kernel.mm import uvm
from kernel.fs import file, inode, log
from kernel.proc import lwp, userloop, notes

EMBRYO = const(0)
ALIVE = const(1)
ZOMBIE = const(2)
PROC_STATE_NAMES = ("embryo", "alive", "zombie")


class Proc:
    # Notes (notes.py), read far more seldom than they exist, so these
    # class-level defaults stand in until a process first sets its own
    # (fork and exit stay as cheap as before): the note handler's user
    # address (0: none) and whether it runs; the notes posted and not yet
    # handled (a list once there are any: text bytes, the one being
    # handled first); the tick of its alarm (0: none); its process group,
    # which ^C reaches.  note_pending, checked before every return to user
    # mode, is the instance's own: True when a note waits and no handler runs.
    notify = 0
    notified = False
    notes = None
    alarm_at = 0
    pgrp = 0
    # LWPs (lwp.py): the CPU time of the exited ones, once a process has
    # had several (a class-level default too, until then).
    lwp_cpu = 0

    def __init__(self, pid, name):
        self.pid = pid
        self.name = name
        self.state = EMBRYO
        self.parent = None
        self.children = set()
        self.zombies = []         # children that exited, waiting for wait()
        self.thread = None
        self.lwps = None          # its LWPs (lwp.LwpSet) once it has asked for a second
        self.trapframe = 0        # kernel address of its trapframe page
        self.pagetable = 0        # kernel address of its page-table root
        self.size = 0             # user memory is [0, size): the break
        self.heap_start = 0       # sbrk may not shrink below this
        self.exit_status = 0
        self.killed = False
        self.note_pending = False  # a note waits, no handler runs (notes.py)
        self.start_ticks = 0
        self.utime = 0            # `time` cycles in user mode, once it exited (else in the trapframe)
        self.child_utime = 0      # ... and its reaped children's, added at wait
        self.child_stime = 0
        self.ofile = [None] * NOFILE   # descriptor -> open File
        self.cwd = None                      # current directory (an Inode)

    def __repr__(self):
        return "<Proc %d %s>" % (self.pid, self.name)


procs = {}        # pid -> Proc, every process that exists (zombies too)
next_pid = 1
init_proc = None


def alloc_proc(name):
    """A new process with a trapframe and an empty address space, or None."""
    global next_pid
    if len(procs) >= NPROC:
        return None
    p = Proc(next_pid, name)          # the Python objects first: they may
    procs[p.pid] = p                  # fail, and then no page is taken
    tf = kern.kalloc()
    pt = uvm.create(tf) if tf != 0 else 0
    if pt == 0:
        if tf != 0:
            kern.kfree(tf)
        del procs[p.pid]
        return None
    next_pid += 1
    p.trapframe = tf
    p.pagetable = pt
    return p


def free_memory(p):
    """Give back the address space and the trapframe (exit, failed fork)."""
    uvm.destroy(p.pagetable, p.size)
    kern.kfree(p.trapframe)
    p.pagetable = 0
    p.trapframe = 0


def start(p, body, *args):
    """Start p's kernel thread running body(p, *args) at its parent's base
    priority (a process's decays, kernel/sched/plan9.py; init's is
    normal); False if out of memory."""
    p.start_ticks = clock.uptime()
    p.state = ALIVE
    base, fixed = PRI_NORMAL, False
    if p.parent is not None and p.parent is not p and p.parent.thread is not None:
        base, fixed = p.parent.thread.sched.base, p.parent.thread.sched.fixed
    p.thread = kthread.spawn_at(base, fixed, p.name, body, p, *args)
    if p.thread is None:
        return False
    kern.thread_set_process(p.thread.handle, p.pid, p.trapframe)
    return True


def run(p, a0):
    """The body of a process's thread: user code, entered with a0 in a0,
    until the process exits or is killed."""
    exit(p, userloop.user_loop(p, a0))


def start_init(body):
    """The first process, "init", running body(p) on its thread: body sets
    up what init needs (the file system, its program) and then run()s it."""
    global init_proc
    p = alloc_proc("init")
    if p is None:
        raise RuntimeError("no memory for init")
    init_proc = p
    p.parent = p                     # init is its own parent: orphans stop here
    if not start(p, body):
        raise RuntimeError("no memory for init's thread")
    return p


def fork(parent):
    child = alloc_proc(parent.name)
    if child is None:
        return -1
    try:
        if uvm.copy(parent.pagetable, child.pagetable, parent.size) < 0:
            _unfork(parent, child)
            return -1
        child.size = parent.size
        child.heap_start = parent.heap_start
        kern.tf_copy(child.trapframe, parent.trapframe)
        kern.tf_set(child.trapframe, kern.FIELD_UTIME, 0)     # its own user time starts now
        child.parent = parent
        parent.children.add(child)
        if parent.notify or parent.pgrp:  # its handler and process group (notes.py)
            child.notify = parent.notify
            child.pgrp = parent.pgrp
        # The child sees fork() return 0, and starts at its parent's priority.
        if not start(child, run, 0):
            _unfork(parent, child)
            return -1
    except BaseException:
        _unfork(parent, child)            # out of kernel memory half-way
        raise
    # Descriptors and the current directory are shared with the parent.
    # (The child cannot run before this is done: the kernel is not
    # preemptive, and the parent does not sleep or yield in between.)  This
    # loop allocates nothing (no enumerate()), so it cannot fail half-way
    # once the child is running.
    for fd in range(NOFILE):
        f = parent.ofile[fd]
        if f is not None:
            child.ofile[fd] = file.dup(f)
    if parent.cwd is not None:
        child.cwd = inode.idup(parent.cwd)
    if trace.on:
        trace.record(trace.FORK, parent.pid, child.pid)
        trace.record(trace.NAME, child.thread.handle, child.pid, child.name)
    return child.pid


def _unfork(parent, child):
    # Undo a fork that failed before the child's thread started.
    parent.children.discard(child)
    free_memory(child)
    del procs[child.pid]


def exit(p, status):
    """End process p (the running one) with status.  Never returns."""
    if p is init_proc:
        raise RuntimeError("init exited with status %d" % status)
    if p.lwps is not None:
        status = lwp.leave(p, status)     # only the last LWP out comes back
    # exit cannot fail half-way and return: the tests' made-up allocation
    # failures are held off while it runs.
    held = kern.fail_hold(True)
    if p.alarm_at:
        notes.cancel_alarm(p)
    for fd, f in enumerate(p.ofile):
        if f is not None:
            p.ofile[fd] = None
            file.close(f)
    if p.cwd is not None:
        log.begin_op()
        inode.iput(p.cwd)
        log.end_op()
        p.cwd = None
    # Children go to init; zombies among them wake init to be reaped.
    if p.children:
        for child in p.children:
            child.parent = init_proc
            init_proc.children.add(child)
        init_proc.zombies.extend(p.zombies)
        p.children = set()
        p.zombies = []
        kthread.wakeup(init_proc)
    kern.thread_set_process(p.thread.handle, 0, 0)    # the trapframe goes now
    p.utime = kern.tf_get(p.trapframe, kern.FIELD_UTIME)
    free_memory(p)
    p.exit_status = status
    p.state = ZOMBIE
    if trace.on:
        trace.record(trace.EXIT, p.thread.handle, p.pid)
    parent = p.parent
    parent.zombies.append(p)
    kthread.wakeup(parent)                # a parent waits on itself
    kern.fail_hold(held)
    kthread.exit_thread()


def wait_child(p):
    """Reap one exited child and return it, its times added to p's
    children's totals; None if there are none or p was killed or got a
    note waiting."""
    while True:
        if p.zombies:
            child = p.zombies.pop(0)
            p.children.discard(child)
            del procs[child.pid]
            user, system = times(child)[:2]
            p.child_utime += user + child.child_utime
            p.child_stime += system + child.child_stime
            return child
        if not p.children or p.killed or p.note_pending:
            return None
        kthread.sleep(p)


def wait(p):
    """Reap one exited child: (pid, status); (-1, 0) if there are none or
    p was killed while waiting."""
    child = wait_child(p)
    if child is None:
        return -1, 0
    return child.pid, child.exit_status


def times(p):
    """(user, system, children's user, children's system) in `time`
    cycles: user time is measured where user mode is entered and left
    (kern.run_user sums it in the trapframe), system time is the rest of
    the thread's CPU time."""
    if p.lwps is not None:
        cpu, user = lwp.times(p)
    else:
        cpu = (kthread.cpu_time(p.thread) if p.thread is not None else 0) + p.lwp_cpu
        user = kern.tf_get(p.trapframe, kern.FIELD_UTIME) if p.trapframe else p.utime
    system = cpu - user
    return user, (system if system > 0 else 0), p.child_utime, p.child_stime


def sched_name(p):
    """What ps shows of p's scheduling: its priority or real-time misses."""
    if p.state != ALIVE or p.thread is None:
        return "-"
    return kthread.policy.describe(p.thread)


def target(p, pid):
    """The process a call names by pid, for calls that act on a live
    process's thread (setpri, wire): p itself for pid 0, else the process
    pid if it is alive and has its thread; None if there is none."""
    t = p if pid == 0 else procs.get(pid)
    if t is None or t.state != ALIVE or t.thread is None:
        return None
    return t


def kill(pid):
    p = procs.get(pid)
    # init may not be killed: with it would go the machine (xv6 panics).
    if p is None or p.state != ALIVE or p is init_proc:
        return -1
    p.killed = True
    kthread.wake(p.thread)                # out of any sleep, to notice
    if p.lwps is not None:
        lwp.kill_all(p)                   # and every other LWP
    return 0


def grow(p, n):
    """sbrk: move the break by n bytes; the old break, or -1."""
    old = p.size
    if old + n < p.heap_start:
        return -1                         # not into the program or its stack
    new = uvm.grow(p.pagetable, old, n)
    if new < 0:
        return -1
    p.size = new
    return old


def state_name(p):
    """What ps shows: a live process's thread state, else the process's."""
    if p.state == ALIVE and p.thread is not None:
        return kthread.THREAD_STATE_NAMES[p.thread.state]
    return PROC_STATE_NAMES[p.state]


def hart_name(thread):
    """The hart a thread belongs to, for ps: "2", "2w" if it is wired
    there, "-" for none (a zombie's)."""
    if thread is None or thread.cpu is None:
        return "-"
    return "%d%s" % (thread.cpu.hart, "w" if thread.wired >= 0 else "")


def ps(long=False):
    """Print the process table (the console's ^P; the monitor's ps() is
    long: user and system time in milliseconds, the hart, and the scheduling, a
    line for each LWP of a process that has several, and its pending
    notes)."""
    if long:
        print("%5s %5s  %-9s %8s %6s %8s %8s %4s  %-10s %s" % (
            "PID", "PPID", "STATE", "SIZE", "TICKS", "USER_MS", "SYS_MS", "HART", "SCHED", "NAME"))
    else:
        print("%5s %5s  %-9s %8s %6s  %s" % ("PID", "PPID", "STATE", "SIZE", "TICKS", "NAME"))
    for pid in sorted(procs):
        p = procs[pid]
        ppid = p.parent.pid if p.parent is not None else 0
        user, system = times(p)[:2]
        ticks = (user + system) // clock.tick_cycles
        if long:
            print("%5d %5d  %-9s %8d %6d %8d %8d %4s  %-10s %s" % (
                pid, ppid, state_name(p), p.size, ticks, user // (1000 * US),
                system // (1000 * US), hart_name(p.thread), sched_name(p), p.name))
            if p.lwps is not None:
                lwp.ps(p)
            if p.notes:
                print("%13s notes pending: %s" % ("", " ".join(repr(t) for t in p.notes)))
        else:
            print("%5d %5d  %-9s %8d %6d  %s" % (pid, ppid, state_name(p), p.size, ticks, p.name))
