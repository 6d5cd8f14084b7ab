# The life of a process's kernel thread: run user code, handle its traps.
#
# kern.run_user() enters user mode and returns at the process's next trap
# (cstubs/trampoline.S) with what happened: a system call number, an
# interrupt, or a fault.  Everything after that is decided here.  A system
# call is one turn of the loop: the handler's result goes back to user
# mode in a0 with the next run_user().
import kern

from kernel.thread import kthread, events
from kernel.syscall import table

TRAP_INTERRUPT = kern.TRAP_INTERRUPT
TRAP_FAULT = kern.TRAP_FAULT


def user_loop(p, a0):
    """Run process p's user code until it must exit: returns the exit
    status when p was killed or faulted.  (The exit() system call ends the
    thread inside its handler and never comes back here.)"""
    handlers = table.handlers
    run_user = kern.run_user
    now = kern.time
    while True:
        if p.killed:
            return -1
        entered = now()
        code = run_user(p.trapframe, p.pagetable, a0)
        p.utime += now() - entered       # user time, at the boundary itself
        if code >= 0:
            handler = handlers[code]
            a0 = handler(p) if handler is not None else table.unknown(p)
        elif code == TRAP_INTERRUPT:
            a0 = None
            interrupt()
        else:
            a0 = None
            fault(p)
            return -1


def interrupt():
    events.poll()
    kthread.yield_if_asked()


def fault(p):
    """A user exception (bad access, illegal instruction): say why p dies."""
    tf = p.trapframe
    scause = kern.tf_get(tf, kern.FIELD_SCAUSE)
    print("pid %d (%s): killed by %s: scause=0x%x sepc=0x%x stval=0x%x" % (
        p.pid, p.name, kern.cause_name(scause), scause,
        kern.tf_get(tf, kern.FIELD_EPC), kern.tf_get(tf, kern.FIELD_STVAL)))
