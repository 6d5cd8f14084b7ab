# Processes: the process table, fork, exit, wait, kill, and growing memory.
#
# A process is a kernel thread (kernel/kthread.py: its stack, its place in
# the scheduler) plus a user address space and a trapframe.  The thread's
# body is user_loop() in kernel/trap.py: it enters user mode, and each trap
# brings it back to the next turn of that loop.
#
# Process states, on top of the thread's own (runnable, running, sleeping):
#
#   EMBRYO  -- fork() has set up memory and trapframe; thread not started
#   ALIVE   -- its thread runs, waits to run, or sleeps
#   ZOMBIE  -- exit() freed its memory and thread; the parent has not
#              wait()ed for its status yet.  wait() removes it for good.
#
# Orphans are handed to init, which wait()s for everything.
import kern

from kernel.compat import const
from kernel import kthread, file, fs, log

EMBRYO = const(0)
ALIVE = const(1)
ZOMBIE = const(2)

# The most processes that may exist at once: configuration, not an array
# size.  fork() past it returns -1.  (Kernel stacks allow ~1000 threads.)
NPROC = const(1000)

PGSIZE = const(4096)


def pgup(n):
    return (n + PGSIZE - 1) & ~(PGSIZE - 1)


class Proc:
    def __init__(self, pid, name):
        self.pid = pid
        self.name = name
        self.state = EMBRYO
        self.parent = None
        self.children = set()
        self.zombies = []         # children that exited, waiting for wait()
        self.thread = None
        self.trapframe = 0        # kernel address of its trapframe page
        self.pagetable = 0        # kernel address of its page-table root
        self.size = 0             # user memory is [0, size): the break
        self.heap_start = 0       # sbrk may not shrink below this
        self.exit_status = 0
        self.killed = False
        self.start_ticks = 0
        self.ofile = [None] * file.NOFILE   # descriptor -> open File
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
    tf = kern.kalloc()
    if tf == 0:
        return None
    pt = kern.uvm_create(tf)
    if pt == 0:
        kern.kfree(tf)
        return None
    p = Proc(next_pid, name)
    next_pid += 1
    p.trapframe = tf
    p.pagetable = pt
    procs[p.pid] = p
    return p


def free_memory(p):
    """Give back the address space and the trapframe (exit, failed fork)."""
    kern.uvm_destroy(p.pagetable, pgup(p.size))
    kern.kfree(p.trapframe)
    p.pagetable = 0
    p.trapframe = 0


def start(p, first_a0):
    """Start p's thread; it enters user mode with a0 = first_a0."""
    from kernel.trap import user_loop     # trap imports proc: import late
    from kernel import clock
    p.start_ticks = clock.ticks
    p.state = ALIVE
    p.thread = kthread.spawn(p.name, user_loop, p, first_a0)
    if p.thread is None:
        return False
    kern.thread_set_process(p.thread.handle, p.pid, p.trapframe)
    return True


def fork(parent):
    child = alloc_proc(parent.name)
    if child is None:
        return -1
    if kern.uvm_copy(parent.pagetable, child.pagetable, pgup(parent.size)) < 0:
        free_memory(child)
        del procs[child.pid]
        return -1
    child.size = parent.size
    child.heap_start = parent.heap_start
    kern.tf_copy(child.trapframe, parent.trapframe)
    child.parent = parent
    if not start(child, 0):               # the child sees fork() return 0
        free_memory(child)
        del procs[child.pid]
        return -1
    # Descriptors and the current directory are shared with the parent.
    # (The child cannot run before this is done: the kernel is not
    # preemptive, and the parent does not sleep or yield in between.)
    for fd, f in enumerate(parent.ofile):
        if f is not None:
            child.ofile[fd] = file.dup(f)
    if parent.cwd is not None:
        child.cwd = fs.idup(parent.cwd)
    parent.children.add(child)
    return child.pid


def exit(p, status):
    """End process p (the running one) with status.  Never returns."""
    if p is init_proc:
        raise RuntimeError("init exited with status %d" % status)
    for fd, f in enumerate(p.ofile):
        if f is not None:
            p.ofile[fd] = None
            file.close(f)
    if p.cwd is not None:
        log.begin_op()
        fs.iput(p.cwd)
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
    free_memory(p)
    p.exit_status = status
    p.state = ZOMBIE
    parent = p.parent
    parent.zombies.append(p)
    kthread.wakeup(parent)                # a parent waits on itself
    kthread.exit()


def wait(p):
    """Reap one exited child: (pid, status); (-1, 0) if there are none or
    p was killed while waiting."""
    while True:
        if p.zombies:
            child = p.zombies.pop(0)
            p.children.discard(child)
            del procs[child.pid]
            return child.pid, child.exit_status
        if not p.children or p.killed:
            return -1, 0
        kthread.sleep(p)


def kill(pid):
    p = procs.get(pid)
    # init may not be killed: with it would go the machine (xv6 panics).
    if p is None or p.state != ALIVE or p is init_proc:
        return -1
    p.killed = True
    kthread.wake(p.thread)                # out of any sleep, to notice
    return 0


def grow(p, n):
    """sbrk: move the break by n bytes; the old break, or -1."""
    old = p.size
    new = old + n
    if n > 0:
        if new > kern.TRAPFRAME or (pgup(new) - pgup(old)) // PGSIZE > kern.free_pages():
            return -1
        if kern.uvm_alloc(p.pagetable, pgup(old), pgup(new), kern.PTE_R | kern.PTE_W) < 0:
            return -1
    elif n < 0:
        if new < p.heap_start:
            return -1
        kern.uvm_dealloc(p.pagetable, pgup(new), pgup(old))
    p.size = new
    return old


STATE_NAMES = ("embryo", "alive", "zombie")


def state_name(p):
    if p.state == ALIVE and p.thread is not None:
        return kthread.STATE_NAMES[p.thread.state]
    return STATE_NAMES[p.state]


def ps():
    """Print the process table (the monitor's ps(), the console's ^P)."""
    print("%5s %5s  %-9s %8s %6s  %s" % ("PID", "PPID", "STATE", "SIZE", "TICKS", "NAME"))
    for pid in sorted(procs):
        p = procs[pid]
        ppid = p.parent.pid if p.parent is not None else 0
        ticks = p.thread.ticks if p.thread is not None else 0
        print("%5d %5d  %-9s %8d %6d  %s" % (pid, ppid, state_name(p), p.size, ticks, p.name))
