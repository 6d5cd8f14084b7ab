# System call arguments that live in user memory: paths.
#
# Integers and addresses come straight from the trapframe (kern.arg_int,
# kern.arg_addr).  What they point at is copied in C, which never faults:
# a bad pointer or a missing NUL makes these return None, and the call
# returns -1.  (exec's argv never becomes Python objects: it is gathered
# in C, kern.args_gather, see kernel/proc/exec.py.)
import kern

from kernel.abi.limits import MAXPATH


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
