# System calls for notes, alarms and process groups, and ^C at the console.
#
# notify, noted, postnote and alarm are Plan 9's (notes.py does the work).
# Process groups are how ^C finds the foreground job: a process starts in
# its parent's group; the shell puts each job in a group of its own
# (setpgrp: the group is the job's first pid) and names the one in front
# (setfg), and ^C posts "interrupt" to every process of that group.  The
# shell itself stays out of it, so ^C never reaches it.
import kern

from kernel.abi.notes import ERRMAX
from kernel.dev import console
from kernel.syscall import table
from kernel.proc import proc, notes

foreground = 0        # the console's foreground process group (0: none)


def sys_notify(p):
    # notify(handler): the note handler, a user address; 0: none (die).
    p.notify = kern.arg_addr(p.trapframe, 0)
    return 0


def sys_noted(p):
    return notes.noted(p, kern.arg_int(p.trapframe, 0))


def sys_postnote(p):
    # postnote(pid, text): one process; postnote(-group, text): each
    # process of the group.  0, or -1 if nobody took it.
    pid = kern.arg_int(p.trapframe, 0)
    text = kern.copyinstr(p.pagetable, kern.arg_addr(p.trapframe, 1), ERRMAX)
    if text is None:
        return -1                         # a bad pointer, or longer than ERRMAX - 1
    if pid < 0:
        return 0 if post_group(-pid, text) > 0 else -1
    target = proc.procs.get(pid)
    if target is None or target.state != proc.ALIVE or target is proc.init_proc:
        return -1                         # init takes no notes: its death is the machine's
    return notes.post(target, text)


def post_group(group, text):
    """Post text to every live process of group (not init): how many took it."""
    if group <= 0:
        return 0
    n = 0
    for q in proc.procs.values():
        if q.pgrp == group and q.state == proc.ALIVE and q is not proc.init_proc:
            if notes.post(q, text) == 0:
                n += 1
    return n


def sys_alarm(p):
    return notes.set_alarm(p, kern.arg_int(p.trapframe, 0))


def sys_setpgrp(p):
    # setpgrp(pid, group): put process pid (0: the caller; else one of its
    # children) in group (0: a new group numbered pid; -1: change nothing)
    # -> its group, or -1.
    pid = kern.arg_int(p.trapframe, 0)
    group = kern.arg_int(p.trapframe, 1)
    target = p if pid == 0 else proc.procs.get(pid)
    if target is None or target.state == proc.ZOMBIE or (target is not p and target.parent is not p):
        return -1
    if group == 0:
        group = target.pid
    if group > 0:
        target.pgrp = group
    elif group != -1:
        return -1
    return target.pgrp


def sys_setfg(p):
    # setfg(group): the group ^C interrupts (0: none) -> the one before.
    global foreground
    group = kern.arg_int(p.trapframe, 0)
    if group < 0:
        return -1
    old = foreground
    foreground = group
    return old


def interrupt(reader):
    """console.interrupt_hooks: ^C typed for the programs posts "interrupt"
    to the foreground group.  True if some process took it."""
    if reader != console.USER:
        return False
    return post_group(foreground, b"interrupt") > 0


console.interrupt_hooks.append(interrupt)
table.register_handlers(globals())
