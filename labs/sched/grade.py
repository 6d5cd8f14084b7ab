"""Grader of lab sched (labs/sched/README.md): a lottery scheduler.

Two tests drive the policy under CPython, as tests/host/test_sched.py does
the kernel's own: long random event sequences that check its invariant,
and a simulated run that counts how many quanta each thread wins.  The
others boot the kernel (one machine, shared_shell, while they pass),
switch it to the lottery and measure real CPU shares with lotterytest."""

import random
import re

from tools.grade import graded

HINTS = [
    (r"implicit declaration of function 'settickets'|undefined reference to `settickets'",
     "The user library has no settickets yet: add it to kernel/abi/sysnum.py (number 26, "
     "`int settickets(int)`); tools/gen_headers.py makes the stub and the prototype."),
    (r"no scheduling policy 'lottery'",
     "The kernel does not know the policy: add it to POLICIES and TIME_SHARING in "
     "kernel/sched/__init__.py (its `name` must be \"lottery\")."),
    (r"No module named 'kern'",
     "kernel/sched/ is below everything that uses kern: a policy imports only kernel.compat and "
     "kernel/sched/'s own modules, and keeps its own random numbers (a xorshift, say)."),
    (r"queued \d+ times",
     "A runnable thread is in the lottery's queue twice, or not at all: every hook that takes a "
     "thread out (pick_next, remove) or puts one in (enqueue) must keep st.queued and the "
     "queue's ticket sum in step."),
]

NEW, WOKEN, PREEMPTED, YIELDED = 0, 1, 2, 3
MS = 10000                      # time cycles a millisecond (kernel/sched/base.py)


class T:
    """A thread as a policy sees it: a name and a scheduling State."""

    def __init__(self, name, tickets, kernel=False):
        from kernel.sched.base import State
        self.name = name
        self.sched = State(kernel)
        self.sched.tickets = tickets
        self.state = "runnable"

    def __repr__(self):
        return "<T %s, %d tickets>" % (self.name, self.sched.tickets)


def lottery():
    from kernel import sched
    assert "lottery" in sched.POLICIES, \
        "kernel/sched/__init__.py's POLICIES has no \"lottery\" (it has %s)" % sorted(sched.POLICIES)
    return sched.make("lottery", 64, 10 * MS)


def check_invariant(policy, threads, running, step):
    queued = policy.threads()
    for t in threads:
        n = sum(1 for q in queued if q is t)
        if t.state == "runnable" and t is not running:
            assert n == 1 and t.sched.queued, \
                "step %d: runnable %r is queued %d times (st.queued %s)" % (step, t, n, t.sched.queued)
        else:
            assert n == 0 and not t.sched.queued, \
                "step %d: %r (%s) is queued %d times (st.queued %s)" % (
                    step, t, "running" if t is running else t.state, n, t.sched.queued)
    assert len(policy) == len(queued), \
        "step %d: len(policy) is %d, threads() lists %d" % (step, len(policy), len(queued))


@graded(points=20, timeout=60)
def test_policy_invariant():
    """the policy under random events: every runnable thread queued exactly once"""
    for seed in range(20):
        rng = random.Random(seed)
        policy = lottery()
        threads, running, now = [], None, 0

        def run_next():
            nonlocal running
            running = policy.pick_next(now)
            assert running is None or running.state == "runnable", \
                "pick_next returned %r, which is %s" % (running, running.state)

        for step in range(400):
            now += rng.randrange(0, 3 * MS)
            action = rng.randrange(8)
            if action == 0 and len(threads) < 40:                 # spawn
                t = T("t%d" % len(threads), rng.randrange(1, 200), kernel=rng.random() < 0.2)
                threads.append(t)
                policy.enqueue(t, NEW, now)
            elif action == 1 and running is not None:              # sleep
                policy.blocked(running, now)
                running.state = "sleeping"
                run_next()
            elif action == 2:                                      # wakeup
                sleepers = [t for t in threads if t.state == "sleeping"]
                if sleepers:
                    t = rng.choice(sleepers)
                    t.state = "runnable"
                    policy.enqueue(t, WOKEN, now)
            elif action == 3 and running is not None:              # yield / preempt
                policy.enqueue(running, rng.choice((YIELDED, PREEMPTED)), now)
                run_next()
            elif action == 4 and running is not None:              # exit
                policy.exited(running, now)
                running.state = "exited"
                run_next()
            elif action == 5:                                      # the timer
                if policy.tick(running, now) and running is not None:
                    policy.enqueue(running, PREEMPTED, now)
                    run_next()
            elif action == 6 and running is None:                  # idle picks
                run_next()
            elif action == 7:                                      # remove (moved away)
                candidates = [t for t in threads if t.state == "runnable" and t is not running]
                if candidates:
                    t = rng.choice(candidates)
                    policy.remove(t)
                    policy.remove(t)                               # harmless twice
                    t.state = "gone"
            check_invariant(policy, threads, running, step)
            assert policy.next_timer(running, now) >= 0


@graded(points=20, depends="test_policy_invariant", timeout=60)
def test_policy_shares():
    """simulated: threads win quanta in proportion to their tickets, and a quantum lasts"""
    policy = lottery()
    threads = [T("a", 10), T("b", 20), T("c", 50), T("d", 120)]
    for t in threads:
        policy.enqueue(t, NEW, 0)
    wins = {t.name: 0 for t in threads}
    now, rounds = 0, 10000
    for _ in range(rounds):
        t = policy.pick_next(now)
        assert t is not None, "pick_next returned None with %d threads queued" % len(threads)
        wins[t.name] += 1
        assert policy.tick(t, now + 1) is False, "tick() ended a quantum that has just begun"
        now += 10 * MS
        assert policy.tick(t, now) is True, "tick() did not end a whole quantum with others waiting"
        policy.enqueue(t, PREEMPTED, now)
    total = sum(t.sched.tickets for t in threads)
    for t in threads:
        share = wins[t.name] * 1000 // rounds
        want = t.sched.tickets * 1000 // total
        assert abs(share - want) <= 25, \
            "thread with %d of %d tickets won %d of %d quanta (%d.%d%%, tickets say %d.%d%%)" % (
                t.sched.tickets, total, wins[t.name], rounds, share // 10, share % 10,
                want // 10, want % 10)


def use_lottery(shell):
    out = shell.at_monitor('sched.use("lottery")')
    assert "sched: now lottery" in out, "sched.use(\"lottery\") at the monitor said:\n%s" % out


def verdict(out, token, name):
    ok = "lotterytest: %s: OK token=%s" % (name, token)
    assert ok in out.splitlines(), "expected `%s`, got:\n%s" % (ok, out)


@graded(points=10, timeout=60)
def test_settickets(shared_shell, token):
    """lotterytest args: settickets(n) sets the caller's tickets, refuses n < 1"""
    verdict(shared_shell.run("lotterytest args", 30), token, "args")


@graded(points=30, depends=("test_policy_shares", "test_settickets"), timeout=120)
def test_cpu_shares(shared_shell, token):
    """lotterytest shares: on the kernel, CPU time follows tickets (10:20:50)"""
    shell = shared_shell
    use_lottery(shell)
    out = shell.run("lotterytest shares", 90)
    verdict(out, token, "shares")
    problems = shell.monitor("sched.check()")
    assert problems == [], "the live kernel's run queue after lotterytest: %s" % problems


@graded(points=10, depends="test_cpu_shares", timeout=180)
def test_switching(shared_shell):
    """switching to the lottery and back while hogs run loses no thread"""
    shell = shared_shell
    start = len(shell.transcript)
    shell.run("hog 30 a & hog 30 b & hog 30 c &", 10)
    for name in ("lottery", "rr", "lottery", "plan9", "lottery"):
        out = shell.at_monitor('sched.use("%s")' % name)
        assert "sched: now %s" % name in out, "sched.use(%r) said:\n%s" % (name, out)
        problems = shell.monitor("sched.check()")
        assert problems == [], "after sched.use(%r): %s" % (name, problems)
    # A thread lost on the way would never finish.  (Their lines may come
    # while the monitor has the console: look for them in all of it.)
    for _ in range(12):
        finished = set(re.findall(r"([abc]) \d+: \d+ units of work", shell.transcript[start:]))
        if finished == {"a", "b", "c"}:
            break
        shell.run("sleep 5", 30)
    assert finished == {"a", "b", "c"}, "the hogs that finished: %s" % sorted(finished)
