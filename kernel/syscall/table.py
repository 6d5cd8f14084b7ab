# The system call table: call number -> handler.
#
# The numbers come from kernel/abi/sysnum.py, the one table that the user
# library's stubs are generated from too.  A handler takes the calling
# process and returns the value for its a0 (None leaves a0 alone).
# Arguments are read from the trapframe with kern.arg_int (a C int) and
# kern.arg_addr (a user address); every user pointer goes through
# kern.copyin/copyout, which return None/-1 rather than fault, so a bad
# pointer is a -1 result, never a kernel crash.
import kern

from kernel.abi.sysnum import SYSCALLS

NUMBERS = {}                  # name -> number
for _number, _name, _ in SYSCALLS:
    NUMBERS[_name] = _number

# Index = call number; a7 outside the table comes back from kern.run_user
# as SYSCALL_MAX, whose entry stays None (unknown).
handlers = [None] * (kern.SYSCALL_MAX + 1)


def register(name, handler):
    """Make handler serve the call named `name` (a name in sysnum.SYSCALLS)."""
    number = NUMBERS.get(name)
    if number is None:
        raise ValueError("no system call %r in kernel/abi/sysnum.py" % name)
    handlers[number] = handler


def register_handlers(namespace):
    """Register every function named sys_<call> in namespace (a module's
    globals()) for the call of that name."""
    for name in NUMBERS:
        handler = namespace.get("sys_" + name)
        if handler is not None:
            register(name, handler)


def missing():
    """Names of calls in sysnum.SYSCALLS that have no handler yet."""
    return [name for name, number in NUMBERS.items() if handlers[number] is None]


def unknown(p):
    """A call number with no handler: say so, and return -1."""
    n = kern.tf_get(p.trapframe, kern.REG_A7)
    if n >= 1 << 63:
        n -= 1 << 64
    print("pid %d (%s): unknown system call %d" % (p.pid, p.name, n))
    return -1
