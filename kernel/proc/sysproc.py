# System calls about processes: fork, exit, wait, kill, exec, sbrk, sleep,
# and the small ones.  Each handler takes the calling process and returns
# its a0; they are registered in the system call table by their names,
# sys_<call>, when this module is imported.
import kern

from kernel.sched.base import NPRIQ, US, YIELDED
from kernel.thread import kthread, trace
from kernel.dev import clock
from kernel.syscall import table
from kernel.syscall.args import fetch_path
from kernel.proc import lwp, proc
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
    target = clock.uptime() + n
    while clock.uptime() < target:
        if p.killed or p.note_pending:
            return -1
        clock.sleep_until(target)
    return 0


def sys_uptime(p):
    return clock.uptime()


_yield = kthread.yield_      # looked up once: this call is the switch benchmark's path


def sys_yield(p):
    _yield()
    return 0


def sys_freepages(p):
    return kern.free_pages()


def sys_busytime(p):
    # Benchmarks time with this, not rdtime: see clock.busy_time().
    return clock.busy_time()


def sys_setpri(p):
    # setpri(pid, base, fixed): pid 0 is the caller; base -1 only reads.
    pid = kern.arg_int(p.trapframe, 0)
    base = kern.arg_int(p.trapframe, 1)
    target = proc.target(p, pid)
    if target is None:
        return -1
    if base < -1 or base >= NPRIQ:
        return -1
    st = target.thread.sched
    old = st.base
    if base >= 0:
        kthread.set_priority(target.thread, base, kern.arg_int(p.trapframe, 2) != 0)
    return old


MAX_PERIOD_US = 10000000          # ten seconds: longer terms are refused


def sys_rtset(p):
    # rtset(period, deadline, cost), microseconds: admit the caller as a
    # real-time task under EDF, or -1 and nothing changed; period 0 leaves.
    period = kern.arg_int(p.trapframe, 0)
    deadline = kern.arg_int(p.trapframe, 1)
    cost = kern.arg_int(p.trapframe, 2)
    policy = kthread.policy
    if not hasattr(policy, "admit"):
        return -1                         # not running EDF
    now = kern.time()
    if period == 0:
        policy.withdraw(p.thread, now)
        kthread.rearm()
        return 0
    if not (0 < cost <= deadline <= period <= MAX_PERIOD_US):
        return -1
    if not policy.admit(p.thread, period * US, deadline * US, cost * US, now):
        return -1
    kthread.rearm()
    return 0


def sys_rtwait(p):
    # The caller's job for this period is done: wait for the next release.
    st = p.thread.sched
    if not st.admitted:
        return -1
    before = st.misses
    kthread.policy.job_done(p.thread, kern.time())
    if trace.on and st.misses != before:
        trace.record(trace.MISS, p.thread.handle, st.misses)
    kthread.yield_(YIELDED)
    return st.misses


def _put_times(p, addr, values):
    data = b"".join((v // US).to_bytes(8, "little") for v in values)
    return kern.copyout(p.pagetable, addr, data)


def sys_times(p):
    # times(uint64 t[4]): user, system, children's user, children's system, us.
    addr = kern.arg_addr(p.trapframe, 0)
    return 0 if _put_times(p, addr, proc.times(p)) >= 0 else -1


def sys_waitx(p):
    # waitx(int *status, uint64 t[2]): wait, and the child's user and
    # system time (with its own reaped children's), us.
    status_addr = kern.arg_addr(p.trapframe, 0)
    times_addr = kern.arg_addr(p.trapframe, 1)
    child = proc.wait_child(p)
    if child is None:
        return -1
    user, system = proc.times(child)[:2]
    if status_addr != 0 and kern.copyout(
            p.pagetable, status_addr, (child.exit_status & 0xFFFFFFFF).to_bytes(4, "little")) < 0:
        return -1
    if times_addr != 0 and _put_times(
            p, times_addr, (user + child.child_utime, system + child.child_stime)) < 0:
        return -1
    return child.pid


PROCINFO_NAME = 16


def _text(s, n):
    raw = s.encode()[:n - 1]
    return raw + bytes(n - len(raw))


def _hart_of(q):
    """(hart, wired) for procinfo: -1 where there is none."""
    t = q.thread
    if t is None or t.cpu is None:
        return (-1, -1)
    return (t.cpu.hart, t.wired)


def sys_procinfo(p):
    # procinfo(after, struct procinfo *): the process with the least pid
    # above `after` -> its pid (0: no more).  struct procinfo (user/sched.h):
    # int pid, ppid, pri, base; uint64 size, user_us, sys_us;
    # char state[16], sched[16], name[16]; int hart, wired.
    after = kern.arg_int(p.trapframe, 0)
    addr = kern.arg_addr(p.trapframe, 1)
    best = 0
    for pid in proc.procs:
        if pid > after and (best == 0 or pid < best):
            best = pid
    if best == 0:
        return 0
    q = proc.procs[best]
    user, system = proc.times(q)[:2]
    ppid = q.parent.pid if q.parent is not None else 0
    st = q.thread.sched if q.thread is not None else None
    pri = st.pri if st is not None else 0
    base = st.base if st is not None else 0
    data = b"".join((
        b"".join(v.to_bytes(4, "little") for v in (q.pid, ppid, pri, base)),
        b"".join(v.to_bytes(8, "little") for v in (q.size, user // US, system // US)),
        _text(proc.state_name(q), PROCINFO_NAME), _text(proc.sched_name(q), PROCINFO_NAME),
        _text(q.name, PROCINFO_NAME),
        b"".join((v & 0xffffffff).to_bytes(4, "little") for v in _hart_of(q))))
    if kern.copyout(p.pagetable, addr, data) < 0:
        return -1
    return best


def sys_schedtrace(p):
    # schedtrace(on): start (1) or stop (0) the scheduler trace -> was it on.
    if kern.arg_int(p.trapframe, 0) == 0:
        return trace.enable(False)
    was = trace.enable(True, kthread.threads.values())
    if not was:
        for q in proc.procs.values():
            if q.state == proc.ALIVE and q.thread is not None:
                trace.record(trace.NAME, q.thread.handle, q.pid, q.name)
    return was


def sys_exec(p):
    if p.lwps is not None and not lwp.single(p):
        return -1                         # the process is ending
    path = fetch_path(p, 0)
    if path is None:
        return -1
    # The arguments go from the old address space to a kernel page in C,
    # and from there to the new stack (kernel/proc/exec.py).
    args = kern.kalloc()
    if args == 0:
        return -1
    try:
        argc = kern.args_gather(p.pagetable, kern.arg_addr(p.trapframe, 1), args)
        if argc < 0:
            return -1
        return exec_mod.exec_file(p, path, args, argc)
    finally:
        kern.kfree(args)


table.register_handlers(globals())
