# System call arguments that live in user memory: paths and argv vectors.
#
# Integers and addresses come straight from the trapframe (kern.arg_int,
# kern.arg_addr).  What they point at is copied in C, which never faults:
# a bad pointer, a missing NUL or too many arguments makes these return
# None, and the call returns -1.
import kern

from kernel.abi.limits import MAXARG, MAXPATH, PGSIZE


def fetch_path(p, n):
    """Argument n as a path string, or None if it is a bad pointer, has no
    NUL within MAXPATH bytes, or is empty."""
    raw = kern.copyinstr(p.pagetable, kern.arg_addr(p.trapframe, n), MAXPATH)
    if not raw:
        return None
    try:
        return raw.decode()
    except UnicodeError:
        return None


def fetch_argv(p, n):
    """Argument n as exec's argv: a list of at most MAXARG byte strings
    (each shorter than a page), or None."""
    uargv = kern.arg_addr(p.trapframe, n)
    argv = []
    while True:
        raw = kern.copyin(p.pagetable, uargv + 8 * len(argv), 8)
        if raw is None:
            return None
        addr = int.from_bytes(raw, "little")
        if addr == 0:
            return argv
        if len(argv) >= MAXARG:
            return None
        arg = kern.copyinstr(p.pagetable, addr, PGSIZE)
        if arg is None:
            return None
        argv.append(arg)
