# System calls: the dispatch table, argument fetching, and the calls that
# are a few lines each.  The numbers come from kernel/sysnum.py, the one
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
from kernel import proc, clock, console, kthread, exec as exec_mod

MAXPATH = const(128)
MAXARG = const(32)
MAX_IO = const(4096)     # one copy across the boundary moves at most this much


def fetch_str(p, addr, limit):
    """A NUL-terminated user string as str, or None if it is bad."""
    raw = kern.copyinstr(p.pagetable, addr, limit)
    if raw is None:
        return None
    return raw.decode()


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


def sys_exec(p):
    path = fetch_str(p, kern.arg_addr(p.trapframe, 0), MAXPATH)
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
    return exec_mod.exec_program(p, path, argv)


# ---- the console, until the file system brings real descriptors ----

def sys_read(p):
    tf = p.trapframe
    fd, addr, n = kern.arg_int(tf, 0), kern.arg_addr(tf, 1), kern.arg_int(tf, 2)
    if fd < 0 or fd > 2 or n < 0:
        return -1
    if n == 0:
        return 0
    data = console.read(min(n, MAX_IO), p)
    if data is None:
        return -1                         # killed while waiting
    if kern.copyout(p.pagetable, addr, data) < 0:
        return -1
    return len(data)


def sys_write(p):
    tf = p.trapframe
    fd, addr, n = kern.arg_int(tf, 0), kern.arg_addr(tf, 1), kern.arg_int(tf, 2)
    if fd < 0 or fd > 2 or n < 0:
        return -1
    done = 0
    while done < n:
        chunk = min(n - done, MAX_IO)
        data = kern.copyin(p.pagetable, addr + done, chunk)
        if data is None:
            return -1 if done == 0 else done
        kern.console_write(data)
        done += chunk
    return done


def not_yet(p):
    # open, close, dup, pipe, fstat, chdir, mknod, unlink, link, mkdir:
    # they arrive with the file system.
    return -1


def unknown(p):
    n = kern.tf_get(p.trapframe, kern.REG_A7)
    if n >= 1 << 63:
        n -= 1 << 64
    print("pid %d (%s): unknown system call %d" % (p.pid, p.name, n))
    return -1


# The dispatch table: index = system call number.
table = [None] * (kern.SYSCALL_MAX + 1)
for number, name, _ in SYSCALLS:
    table[number] = globals().get("sys_" + name, not_yet)
