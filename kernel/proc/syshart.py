# The hart system calls: which hart runs the caller, how many run, and
# wire(), which ties a process to one hart (Plan 9's procwired).
import kern

from kernel.thread import harts
from kernel.syscall import table
from kernel.proc import proc


def sys_hartid(p):
    return kern.hart()


def sys_nharts(p):
    return kern.nharts()


def sys_wire(p):
    # wire(pid, hart): pid 0 is the caller; hart -1 lets it run anywhere.
    # Every LWP of the process is wired.
    pid = kern.arg_int(p.trapframe, 0)
    hart = kern.arg_int(p.trapframe, 1)
    target = proc.target(p, pid)
    if target is None:
        return -1
    if hart < -1 or hart >= kern.nharts():
        return -1
    if target.thread.sched.admitted:
        return -1                 # an EDF task's reservation is on its own hart
    if target.lwps is None:
        harts.wire(target.thread, hart)
    else:
        for one in target.lwps.table.values():
            if one.thread is not None:
                harts.wire(one.thread, hart)
    return 0


table.register_handlers(globals())
