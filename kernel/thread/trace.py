# The scheduler trace: switches, wakeups, sleeps, preemptions and the
# rest, recorded in a fixed ring buffer in C (cstubs/modkern_trace.c)
# with the `time` CSR and the hart.
#
# Off by default; on and off at the monitor (trace.enable(True)) and by
# the schedtrace system call.  Off, each place that could record costs one
# test of `on`.  trace.dump() prints the ring for tools/trace.py, which
# draws it (`make trace CMD="..."`).  Threads are named by their handle;
# NAME events (at enable, spawn and exec) say which process each runs.
import kern

from kernel.compat import const

SWITCH = const(1)     # a: thread switched out, b: thread switched in
WAKEUP = const(2)     # a: the thread that woke b (0: an interrupt or idle)
SLEEP = const(3)      # a: the thread going to sleep; name: what it waits for
FORK = const(4)       # a: parent pid, b: child pid
EXEC = const(5)       # a: thread, b: pid; name: the program
EXIT = const(6)       # a: thread, b: pid
PREEMPT = const(7)    # a: the thread preempted
POLICY = const(8)     # name: the new policy
MISS = const(9)       # a: thread, b: its misses so far
YIELD = const(10)     # a: the thread that yielded
NAME = const(11)      # a: thread, b: pid (0: a kernel thread); name
KIND_NAMES = ("", "switch", "wakeup", "sleep", "fork", "exec", "exit", "preempt",
              "policy", "miss", "yield", "name")

on = False
watchers = []         # functions told of every change of `on`: kthread keeps
                      # a copy of it, tested at every switch


def enable(flag, threads=()):
    """Turn the trace on or off; returns whether it was on.  Turning it on
    starts an empty ring and names the threads given (handle -> Thread)."""
    global on
    was = on
    if flag and not was:
        kern.trace_clear()
        for t in threads:
            kern.trace_record(NAME, t.handle, 0, t.name)
    on = flag
    for watcher in watchers:
        watcher(flag)
    return was


def record(kind, a, b, name=""):
    kern.trace_record(kind, a, b, name)


def dump():
    """Print the ring, oldest first, one event a line, between markers."""
    total = kern.trace_count()
    print("TRACE BEGIN %d %d" % (total, kern.TIMEBASE_HZ))
    i = 0
    while i < total:
        e = kern.trace_event(i)
        if e is not None:
            name = e[5].replace(" ", "_") or "-"
            print("E %d %d %s %d %d %s" % (e[0], e[1], KIND_NAMES[e[2]], e[3], e[4], name))
        i += 1
    print("TRACE END")
