# The monitor's `trace`: the scheduler trace (kernel/thread/trace.py).
#
#   trace.on()     start recording (an empty ring; the threads named)
#   trace.off()    stop
#   trace.dump()   print the ring for tools/trace.py (`make trace` does this)
from kernel.thread import kthread
from kernel.thread import trace as ring


def on():
    ring.enable(True, kthread.threads.values())


def off():
    ring.enable(False)


def dump():
    ring.dump()
