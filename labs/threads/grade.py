"""Grader of lab threads (labs/threads/README.md): mutexes, condition
variables and a barrier on lwp_park/lwp_unpark, in user/usync.c.  Stress
tests with threadtest; they share one machine (shared_shell) while they
pass.  A lost wakeup hangs a test: threadtest's watchdog, or the test's
timeout, fails it."""

from tools.grade import graded

HINTS = [
    (r"is not written yet",
     "A function of user/usync.c still has its stub: write it (labs/threads/README.md)."),
    (r"increments were lost|two threads inside the critical section",
     "Two threads held the mutex at once: taking it must be one atomic step "
     "(__atomic_exchange_n), and a woken waiter must compete for it again, not assume it has it."),
    (r"stuck: after",
     "A thread parked and was never unparked: a lost wakeup.  Queue the waiter *before* the "
     "last check that decides to wait (the mutex's trylock, the mutex given back in ucond_wait), "
     "and wake by lid; an lwp_unpark that comes before the lwp_park is not lost."),
    (r"no thread ever parked",
     "A thread that finds the mutex taken must park (lwp_park) until an unlock unparks it, "
     "not spin with yield."),
    (r"passed round \d+ when only",
     "A thread left the barrier early: wait for the round (a generation number) to change, "
     "not for a count, which the next round may already have changed."),
    (r"the uncontended paths made system calls",
     "Taking a free mutex, unlocking one nobody waits for, and signalling a condition variable "
     "nobody waits on must not enter the kernel: look at the queue first (an atomic load)."),
]


def threadtest(shell, token, line, timeout=120):
    return shell.run_part("threadtest", line, token, timeout)


@graded(points=25, timeout=150)
def test_mutex(shared_shell, token):
    """threadtest mutex: 4 threads increment a counter under a mutex, none lost"""
    threadtest(shared_shell, token, "mutex 4")


@graded(points=25, depends="test_mutex", timeout=150)
def test_prodcons(shared_shell, token):
    """threadtest prodcons: 3 producers, 3 consumers, every item exactly once, no lost wakeup"""
    threadtest(shared_shell, token, "prodcons 3")


@graded(points=20, depends="test_mutex", timeout=150)
def test_barrier(shared_shell, token):
    """threadtest barrier: 5 threads, 100 rounds, nobody passes a round early"""
    threadtest(shared_shell, token, "barrier 5")


@graded(points=15, depends=("test_prodcons", "test_barrier"), timeout=240)
def test_more_threads(shared_shell, token):
    """threadtest with more threads: mutex 8, prodcons 6+6, barrier 12"""
    for line in ("mutex 8", "prodcons 6", "barrier 12"):
        threadtest(shared_shell, token, line, 200)


@graded(points=15, depends=("test_prodcons", "test_barrier"), timeout=90)
def test_uncontended(shared_shell, token):
    """threadtest uncontended: a free mutex, and signals with no waiter, make no system call"""
    threadtest(shared_shell, token, "uncontended")
