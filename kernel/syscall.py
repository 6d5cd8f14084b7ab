# System calls: the dispatch table, and the calls about processes (those
# about files are in kernel/sysfile.py).  The numbers come from kernel/sysnum.py, the one
# table the user library's stubs are generated from too.
#
# A handler takes the calling process and returns the value for its a0
# (None leaves a0 alone).  Arguments are read from the trapframe with
# kern.arg_int (a C int) and kern.arg_addr (a user address); every
# user pointer goes through kern.copyin/copyout, which return None/-1
# rather than fault, so bad pointers become -1 here.
import kern

from kernel.compat import const
from kernel.sysnum import SYSCALLS
from kernel import proc, clock, kthread, sysfile, exec as exec_mod

MAXARG = const(32)


# ---- processes ----

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
        kthread.sleep(clock.tick)
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
    path = sysfile.fetch_path(p, 0)
    uargv = kern.arg_addr(p.trapframe, 1)
    if path is None:
        return -1
    argv = []
    while True:
        raw = kern.copyin(p.pagetable, uargv + 8 * len(argv), 8)
        if raw is None:
            return -1
        addr = int.from_bytes(raw, "little")
        if addr == 0:
            break
        if len(argv) >= MAXARG:
            return -1
        arg = kern.copyinstr(p.pagetable, addr, kern.PGSIZE)
        if arg is None:
            return -1
        argv.append(arg)
    image = sysfile.read_program(p, path)
    if image is None:
        return -1
    return exec_mod.exec_program(p, path, argv, image)


def unknown(p):
    n = kern.tf_get(p.trapframe, kern.REG_A7)
    if n >= 1 << 63:
        n -= 1 << 64
    print("pid %d (%s): unknown system call %d" % (p.pid, p.name, n))
    return -1


# The dispatch table: index = system call number.  Handlers are found by
# name here (processes) or in kernel/sysfile.py (files).
table = [None] * (kern.SYSCALL_MAX + 1)
for number, name, _ in SYSCALLS:
    handler = globals().get("sys_" + name) or getattr(sysfile, "sys_" + name, None)
    if handler is None:
        raise RuntimeError("no handler for system call %d (%s)" % (number, name))
    table[number] = handler
