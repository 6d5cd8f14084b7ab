# The life of a process's kernel thread: run user code, handle its traps.
#
# kern.run_user() enters user mode and returns at the process's next trap
# (cstubs/trampoline.S) with what happened: a system call number, an
# interrupt, or a fault.  Everything after that is decided here.
import kern

from kernel import kthread, proc, syscall

TRAP_INTERRUPT = kern.TRAP_INTERRUPT
TRAP_FAULT = kern.TRAP_FAULT


def user_loop(p, a0):
    """The body of process p's kernel thread, for as long as p lives."""
    table = syscall.table
    run_user = kern.run_user
    while True:
        if p.killed:
            proc.exit(p, -1)
        code = run_user(p.trapframe, p.pagetable, a0)
        if code >= 0:
            handler = table[code]
            a0 = handler(p) if handler is not None else syscall.unknown(p)
        elif code == TRAP_INTERRUPT:
            a0 = None
            interrupt()
        else:
            a0 = None
            fault(p)


def interrupt():
    kthread.poll_events()
    if kthread.need_resched:
        kthread.need_resched = False
        kthread.yield_()


def fault(p):
    """A user exception (bad access, illegal instruction): kill p, say why."""
    tf = p.trapframe
    scause = kern.tf_get(tf, kern.TF_SCAUSE)
    print("pid %d (%s): killed by %s: scause=0x%x sepc=0x%x stval=0x%x" % (
        p.pid, p.name, kern.cause_name(scause), scause,
        kern.tf_get(tf, kern.TF_EPC), kern.tf_get(tf, kern.TF_STVAL)))
    proc.exit(p, -1)
