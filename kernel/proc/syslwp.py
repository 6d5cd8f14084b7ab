# The LWP system calls (NetBSD's _lwp_*), registered in the system call
# table by their names; the machinery is kernel/proc/lwp.py.
import kern

from kernel.thread import kthread
from kernel.syscall import table
from kernel.proc import lwp, proc, userloop


def lwp_main(p, new):
    """The body of a created LWP's kernel thread: user code from the entry
    lwp_create gave, until the LWP or its process ends."""
    if not lwp.started(p, new):
        return
    proc.exit(p, userloop.user_loop(p, None))


def sys_lwp_create(p):
    # lwp_create(entry, arg, stack top, flags) -> lid
    tf = p.trapframe
    return lwp.create(p, lwp_main, kern.arg_addr(tf, 0), kern.arg_addr(tf, 1),
                      kern.arg_addr(tf, 2), kern.arg_int(tf, 3))


def sys_lwp_exit(p):
    if lwp.exit_self(p):
        proc.exit(p, 0)                   # the last LWP: the process ends


def sys_lwp_wait(p):
    # lwp_wait(lid, &departed) -> 0, or -1
    lid = kern.arg_int(p.trapframe, 0)
    addr = kern.arg_addr(p.trapframe, 1)
    departed = lwp.wait(p, lid)
    if departed < 0:
        return -1
    if addr != 0 and kern.copyout(p.pagetable, addr, departed.to_bytes(4, "little")) < 0:
        return -1
    return 0


def sys_lwp_self(p):
    return lwp.self_lid(p)


def sys_lwp_park(p):
    # lwp.current(p) by hand: park and unpark are the thread library's hot path.
    ls = p.lwps
    if ls is None:
        ls = lwp.lwps_of(p)
    return lwp.park(p, ls.by_thread[kthread.current.handle], kern.arg_int(p.trapframe, 0))


def sys_lwp_unpark(p):
    ls = p.lwps
    if ls is None:
        ls = lwp.lwps_of(p)
    return lwp.unpark(ls.table.get(kern.arg_int(p.trapframe, 0)))


def sys_lwp_suspend(p):
    return lwp.suspend(p, kern.arg_int(p.trapframe, 0))


def sys_lwp_continue(p):
    return lwp.continue_(p, kern.arg_int(p.trapframe, 0))


table.register_handlers(globals())
