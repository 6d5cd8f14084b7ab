# The monitor's `trace`: the scheduler trace (kernel/thread/trace.py).
#
#   trace.on()     start recording (an empty ring; the threads named)
#   trace.off()    stop
#   trace.dump()   print the ring for tools/trace.py (`make trace` does this)
from kernel.thread import kthread
from kernel.thread import trace as ring
from kernel.proc import proc


def on():
    start(kthread.threads.values(), proc.procs.values())


def start(threads, procs):
    """Turn the trace on, naming every thread and, for processes, its pid
    (the schedtrace system call does this too); whether it was on."""
    was = ring.enable(True, threads)
    if not was:
        for p in procs:
            if p.state == proc.ALIVE and p.thread is not None:
                ring.record(ring.NAME, p.thread.handle, p.pid, p.name)
    return was


def off():
    ring.enable(False)


def dump():
    ring.dump()
