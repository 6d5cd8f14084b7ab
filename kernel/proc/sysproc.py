# System calls about processes: fork, exit, wait, kill, exec, sbrk, sleep,
# and the small ones.  Each handler takes the calling process and returns
# its a0; they are registered in the system call table by their names,
# sys_<call>, when this module is imported.
import kern

from kernel.thread import kthread
from kernel.dev import clock
from kernel.syscall import table
from kernel.syscall.args import fetch_path, fetch_argv
from kernel.proc import proc
from kernel.proc import exec as exec_mod     # not to hide the built-in exec()


def sys_fork(p):
    return proc.fork(p)


def sys_exit(p):
    proc.exit(p, kern.arg_int(p.trapframe, 0))


def sys_wait(p):
    addr = kern.arg_addr(p.trapframe, 0)
    pid, status = proc.wait(p)
    if pid > 0 and addr != 0:
        if kern.copyout(p.pagetable, addr, (status & 0xFFFFFFFF).to_bytes(4, "little")) < 0:
            return -1
    return pid


def sys_kill(p):
    return proc.kill(kern.arg_int(p.trapframe, 0))


def sys_getpid(p):
    return p.pid


def sys_getppid(p):
    return p.parent.pid if p.parent is not None else 0


def sys_sbrk(p):
    return proc.grow(p, kern.arg_int(p.trapframe, 0))


def sys_sleep(p):
    n = kern.arg_int(p.trapframe, 0)
    if n <= 0:
        return 0
    target = clock.ticks + n
    while clock.ticks < target:
        if p.killed:
            return -1
        clock.wait_tick()
    return 0


def sys_uptime(p):
    return clock.ticks


def sys_yield(p):
    kthread.yield_()
    return 0


def sys_freepages(p):
    return kern.free_pages()


def sys_busytime(p):
    # Benchmarks time with this, not rdtime: see clock.busy_time().
    return clock.busy_time()


def sys_exec(p):
    path = fetch_path(p, 0)
    if path is None:
        return -1
    argv = fetch_argv(p, 1)
    if argv is None:
        return -1
    return exec_mod.exec_file(p, path, argv)


table.register_handlers(globals())
